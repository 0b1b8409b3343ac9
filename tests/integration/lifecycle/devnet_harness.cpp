// The devnet end-to-end harness: see devnet_harness.hpp.
#include "devnet_harness.hpp"

#include <sys/stat.h>

#include <fstream>
#include <thread>
#include <vector>

#include "causeway/bft/devnet_codec.hpp"
#include "causeway/core/abi.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/core/packet.hpp"
#include "causeway/devnet_node/genesis.hpp"

namespace causeway::testing::devnet_harness {

using nlohmann::json;

Bytes key(int i) { return from_hex(dn::kDevKeys[i]).value(); }

void Devnet::start() {
    const fs::path log = data.string() + ".log";
    proc = std::make_unique<anvil::Process>(
        std::vector<std::string>{CAUSEWAY_DEVNET_BIN, "--data-dir", data.string(), "--listen", "127.0.0.1:0",
                                 "--block-time", "20", "--json", "--quiet", "--genesis", genesis.string()},
        log);
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    while (Clock::now() < deadline && started.is_null()) {
      std::ifstream in(log);
      std::string line;
      while (std::getline(in, line))
        if (!line.empty() && line[0] == '{') started = json::parse(line);
      if (started.is_null()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      if (!proc->running()) FAIL("causeway-devnet exited: " << anvil::tail(log));
    }
    REQUIRE(started.value("event", "") == "started");
}

Devnet make_devnet(const fs::path& dir, const std::string& name) {
  json g = dn::genesis_to_json(dn::sample_genesis(name));
  g["committee"] = {{"members", {dn::address_hex(dn::address_of(key(kCommittee)).value())}}, {"k", 1}};
  Devnet d{dir / name, dir / (name + "-genesis.json"), nullptr, nullptr};
  std::ofstream(d.genesis) << g.dump();
  d.start();
  return d;
}

std::shared_ptr<da::DevnetAdapter> adapter_for(const Devnet& d) {
  da::DevnetAdapterConfig c;
  c.rpc_url = d.rpc_url();
  c.submitter_key = key(kSubmitter);
  auto a = da::DevnetAdapter::connect(c);
  if (!a) FAIL("connect: " << code_name(a.error().code) << " " << a.error().detail);
  return std::shared_ptr<da::DevnetAdapter>(std::move(*a));
}

Rpc::Rpc(const Devnet& d)
    : c(std::make_unique<adapters::JsonRpcClient>(adapters::JsonRpcClient::create(d.rpc_url()).value())) {}
  json Rpc::call(const std::string& m, json params) {
    auto r = c->call(m, params);
    if (!r) FAIL(m << ": " << r.error().detail);
    return *r;
  }
  std::string Rpc::submit(const da::IslandInfo& info, int dev, dn::TxKind kind, Bytes body) {
    dn::Tx tx;
    tx.island = info.island;
    tx.genesis = info.genesis_hash;
    tx.kind = kind;
    tx.body = std::move(body);
    tx.nonce = call("devnet_getNonce", json::array({dn::address_hex(dn::address_of(key(dev)).value())}))["pending"];
    REQUIRE(dn::sign_tx(tx, key(dev)));
    return call("devnet_sendTransaction", json::array({to_hex(dn::encode_tx(tx))})).get<std::string>();
  }
  std::string Rpc::balance(const std::string& account, const std::string& denom) {
    return call("devnet_getBalance", json::array({account, denom})).get<std::string>();
  }

da::TxReceipt wait_receipt(da::DevnetAdapter& a, const std::string& tx) {
  const Hash32 h = hash_from_hex(tx).value();
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  for (;;) {
    auto r = a.tx_receipt(h);
    REQUIRE(r);
    if (r->has_value()) return **r;
    REQUIRE(Clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// The relay's governance-signed records of a live devnet island (relay/domain governance digests).
domain::SignedIsland island_record(da::DevnetAdapter& a, Rpc& rpc) {
  const auto& info = a.info();
  const json b0 = rpc.call("devnet_getBlock", json::array({0}));
  const auto h0 = bft::devnet::decode(from_hex(b0["header"].get<std::string>()).value()).value();
  domain::SignedIsland r;
  auto& s = r.spec;
  s.id = info.island;
  s.genesis = info.genesis_hash;
  s.family = domain::Family::Bft;
  s.codec = "causeway-devnet/v1";
  s.trusting_period_s = 1'209'600;  // the devnet adapter's default written into its bundles
  s.finality = domain::FinalityRule{domain::FinalityKind::BftQuorum, 0};
  s.anchor.height = 0;
  s.anchor.hash = info.genesis_hash;
  s.anchor.time_s = h0.time_ms / 1000;
  s.anchor.extra = Bytes(h0.validators_hash.b.begin(), h0.validators_hash.b.end());
  s.endpoint = info.endpoint;
  const auto sk = secp256k1::parse_secret_key(key(kGovernance)).value();
  s.governance = domain::make_governance_keys(1, {secp256k1::eth_address(secp256k1::public_key_of(sk))}).value();
  r.nonce = 1;
  r.signatures.push_back(domain::sign_governance(domain::island_digest(domain::GovAction::IslandRegister, s, 1), sk).value());
  return r;
}

domain::SignedChannelRecord channel_record(const domain::IslandSpec& self, const domain::IslandSpec& other, bool ordered) {
  domain::SignedChannelRecord r;
  auto& s = r.spec;
  s.island = self.id;
  s.channel = "channel-0";
  s.port = "transfer";
  s.endpoint = self.endpoint;
  s.counterparty_island = other.id;
  s.counterparty_genesis = other.genesis;
  s.counterparty_channel = "channel-0";
  s.counterparty_port = "transfer";
  s.counterparty_endpoint = other.endpoint;
  s.ordering = ordered ? domain::Ordering::Ordered : domain::Ordering::Unordered;
  s.open_height = 0;
  r.nonce = 2;
  const auto sk = secp256k1::parse_secret_key(key(kGovernance)).value();
  r.signatures.push_back(
      domain::sign_governance(domain::channel_digest(domain::GovAction::ChannelOpen, s, self.genesis, 2), sk).value());
  return r;
}

void open_channel_on_chains(da::DevnetAdapter& a, Rpc& ra, da::DevnetAdapter& b, Rpc& rb, bool ordered) {
  const auto& ai = a.info();
  const auto& bi = b.info();
  REQUIRE(wait_receipt(a, ra.submit(ai, kGovernance, dn::TxKind::ChannelOpen,
                                    dn::encode_body(dn::ChannelOpenBody{"channel-0", "transfer", bi.island,
                                                                        bi.genesis_hash, "channel-0", "transfer",
                                                                        ordered})))
              .success);
  REQUIRE(wait_receipt(b, rb.submit(bi, kGovernance, dn::TxKind::ChannelOpen,
                                    dn::encode_body(dn::ChannelOpenBody{"channel-0", "transfer", ai.island,
                                                                        ai.genesis_hash, "channel-0", "transfer",
                                                                        ordered})))
              .success);
}

engine::RelayConfig two_island_config(da::DevnetAdapter& a, Rpc& ra, da::DevnetAdapter& b, Rpc& rb, bool ordered,
                                      const fs::path& key_file) {
  engine::RelayConfig cfg;
  const auto isl_a = island_record(a, ra);
  const auto isl_b = island_record(b, rb);
  cfg.islands = {isl_a, isl_b};
  cfg.channels.push_back(
      engine::ChannelPair{channel_record(isl_a.spec, isl_b.spec, ordered), channel_record(isl_b.spec, isl_a.spec, ordered)});
  cfg.assets.push_back(engine::AssetSetting{a.info().island, "stake"});
  std::ofstream(key_file) << dn::kDevKeys[kCommittee] << "\n";
  ::chmod(key_file.c_str(), 0600);
  cfg.committee.key_file = key_file.string();
  return cfg;
}

std::unique_ptr<engine::Relay> open_relay(const fs::path& data, const engine::RelayConfig& cfg,
                                          std::vector<std::string>& notes) {
  engine::RelayOptions o;
  o.data_dir = data.string();
  o.config = cfg;
  o.log = [&notes](const std::string& s) { notes.push_back(s); };
  auto r = engine::Relay::open(std::move(o));
  if (!r) FAIL("relay open: " << code_name(r.error().code) << " " << r.error().detail << " at " << r.error().at);
  return std::move(*r);
}


da::SentPacketEvent send_transfer(da::DevnetAdapter& src, Rpc& rpc, int sender, const std::string& channel,
                                  const std::string& denom, std::uint64_t amount, const Bytes& receiver,
                                  const std::string& memo, std::uint64_t timeout_height, std::uint64_t timeout_ns) {
  const auto r = wait_receipt(src, rpc.submit(src.info(), sender, dn::TxKind::SendTransfer,
                                              dn::encode_body(dn::SendTransferBody{channel, denom,
                                                                                   abi::u256_from_u64(amount), receiver,
                                                                                   memo, timeout_height, timeout_ns})));
  REQUIRE(r.success);
  auto sent = src.sent_packets(r.height, r.height).value();
  REQUIRE(sent.size() == 1);
  return sent[0];
}

domain::PacketId packet_id_of(const da::SentPacketEvent& e) {
  const auto p = packet::decode_packet(e.packet_bytes).value();
  return domain::PacketId{p.source_island, p.source_genesis, p.source_channel, p.sequence};
}

std::string stage_of(const engine::Relay& relay, const domain::PacketId& id) {
  auto v = relay.find(id);
  return v ? v->stage : std::string("unknown");
}

void drive_until(engine::Lifecycle& lifecycle, engine::Supervisor& supervisor,
                 const std::vector<std::string>& deliver_to, const std::vector<std::string>& notes,
                 const std::function<bool()>& done) {
  const auto deadline = Clock::now() + std::chrono::seconds(120);
  while (!done()) {
    if (Clock::now() > deadline) {
      std::string all;
      for (const auto& n : notes) all += n + "\n";
      FAIL("not done in time; notes:\n" << all);
    }
    lifecycle.run_once();
    for (const auto& island : deliver_to) supervisor.run_round(island);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace causeway::testing::devnet_harness
