// adapters/devnet against two REAL causeway-devnet processes (--block-time 20, ephemeral ports, temp data dirs):
// "src" (the sample genesis) and "dst" (a genesis whose relay committee is one test key, k = 1). Channels are
// opened on both by governance transactions. Then, through DevnetAdapter only:
//   - follow_headers from block 0, every header verified by bft::LightClient (sequential);
//   - a send_transfer on src found by the sent-packet scan; fetch_proof → causeway::proofs::verify_bundle
//     accepts it and the proven leaf is 0x01 ‖ the packet bytes;
//   - submit_delivery of that packet to dst with the committee member's attestation (core/packet.hpp digest);
//     lookup_delivery finds the receipt (height and our tx); the receipt/ack scans see it; a replayed submit is
//     refused with the node's ERR_PACKET_REPLAYED, a non-member's attestation with ERR_NOT_VALIDATOR;
//   - the ack goes back to src with submit_acknowledgement; a second packet is timed out with submit_timeout
//     (once: the second is ERR_PACKET_REPLAYED);
//   - the complete event lists of dst hold no 0x03 leaf for the undelivered packet (the non-delivery scan);
//   - the WebSocket new-heads subscription delivers consecutive heads and reconnects after dst restarts on the
//     same port.
// Generous deadlines, no speed assertions. A lying node is out of scope here.
#include <catch2/catch.hpp>

#include <fstream>
#include <memory>
#include <thread>

#include "anvil_process.hpp"
#include "causeway/bft/client.hpp"
#include "causeway/bft/devnet_codec.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/core/packet.hpp"
#include "causeway/devnet_adapter/devnet_adapter.hpp"
#include "causeway/adapters/common/new_heads.hpp"
#include "causeway/devnet_node/genesis.hpp"
#include "causeway/devnet_node/tx.hpp"
#include "causeway/proofs/bundle.hpp"

namespace {

using namespace causeway;
using nlohmann::json;
namespace anvil = causeway::testing::anvil;
namespace dn = causeway::devnet;
namespace da = causeway::adapters::devnet;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::uint64_t now_ms() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}
std::int64_t now_s() { return static_cast<std::int64_t>(now_ms() / 1000); }

Bytes key(int i) { return from_hex(dn::kDevKeys[i]).value(); }
constexpr int kGovernance = 0;   // sample genesis governance
constexpr int kSrcCommittee = 1; // src's committee (sample genesis)
constexpr int kSubmitter = 2;    // the relay's submitter key on both
constexpr int kDstCommittee = 3; // dst's committee, set in its genesis

struct Devnet {
  fs::path data;
  fs::path log;
  std::vector<std::string> extra;
  std::unique_ptr<anvil::Process> proc;
  json started;

  void start(const std::string& listen, int run) {
    log = data.parent_path() / (data.filename().string() + "-" + std::to_string(run) + ".log");
    std::vector<std::string> argv{CAUSEWAY_DEVNET_BIN, "--data-dir", data.string(), "--listen", listen,
                                  "--block-time", "20", "--json", "--quiet"};
    if (run == 1) argv.insert(argv.end(), extra.begin(), extra.end());
    proc = std::make_unique<anvil::Process>(argv, log);
    started = nullptr;
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
  std::string rpc_url() const { return started["rpc_url"].get<std::string>(); }
};

std::unique_ptr<da::DevnetAdapter> adapter_for(const Devnet& d, bool submitter) {
  da::DevnetAdapterConfig c;
  c.rpc_url = d.rpc_url();
  if (submitter) c.submitter_key = key(kSubmitter);
  auto a = da::DevnetAdapter::connect(c);
  if (!a) FAIL("connect: " << code_name(a.error().code) << " " << a.error().detail);
  return std::move(*a);
}

struct Rpc {  // plain JSON-RPC for setup steps the adapter does not offer (channel_open, send_transfer, balances)
  std::unique_ptr<adapters::JsonRpcClient> c;
  explicit Rpc(const Devnet& d) : c(std::make_unique<adapters::JsonRpcClient>(adapters::JsonRpcClient::create(d.rpc_url()).value())) {}
  json call(const std::string& m, json params = json::array()) {
    auto r = c->call(m, params);
    if (!r) FAIL(m << ": " << r.error().detail);
    return *r;
  }
  std::string submit(const da::IslandInfo& info, int dev, dn::TxKind kind, Bytes body) {
    dn::Tx tx;
    tx.island = info.island;
    tx.genesis = info.genesis_hash;
    tx.kind = kind;
    tx.body = std::move(body);
    tx.nonce = call("devnet_getNonce", json::array({dn::address_hex(dn::address_of(key(dev)).value())}))["pending"];
    REQUIRE(dn::sign_tx(tx, key(dev)));
    return call("devnet_sendTransaction", json::array({to_hex(dn::encode_tx(tx))})).get<std::string>();
  }
};

da::TxReceipt wait_receipt(da::DevnetAdapter& a, const Hash32& tx) {
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  for (;;) {
    auto r = a.tx_receipt(tx);
    REQUIRE(r);
    if (r->has_value()) return **r;
    REQUIRE(Clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}
da::TxReceipt wait_receipt(da::DevnetAdapter& a, const std::string& tx) { return wait_receipt(a, hash_from_hex(tx).value()); }

void wait_height(da::DevnetAdapter& a, std::uint64_t h) {
  const auto deadline = Clock::now() + std::chrono::seconds(120);
  while (a.latest_height().value() < h) {
    REQUIRE(Clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::string code(const Error& e) { return std::string(code_name(e.code)); }

adapters::MemberAttestation attest(const Hash32& digest, int dev, std::uint64_t audit_index) {
  const auto sk = secp256k1::parse_secret_key(key(dev)).value();
  const auto sig = secp256k1::sign_rsv(digest, sk).value();
  return adapters::MemberAttestation{dn::address_of(key(dev)).value(), audit_index, Bytes(sig.begin(), sig.end())};
}

bft::ValidatorSet set_of(const json& arr, bft::Suite s) {
  std::vector<bft::Validator> vs;
  for (const auto& v : arr)
    vs.push_back(bft::Validator{from_hex(v["key"].get<std::string>()).value(), std::stoull(v["power"].get<std::string>())});
  return bft::ValidatorSet::create(s, vs).value();
}

// A bundle header object → the codec's canonical bytes.
Bytes header_bytes(const json& f) {
  bft::devnet::Header h;
  h.chain_id = f["chain_id"];
  h.height = f["height"];
  h.time_ms = f["time_ms"];
  h.parent_hash = hash_from_hex(f["parent_hash"].get<std::string>()).value();
  h.tx_root = hash_from_hex(f["tx_root"].get<std::string>()).value();
  h.event_root = hash_from_hex(f["event_root"].get<std::string>()).value();
  h.tx_count = f["tx_count"];
  h.event_count = f["event_count"];
  h.state_root = hash_from_hex(f["state_root"].get<std::string>()).value();
  h.validators_hash = hash_from_hex(f["validators_hash"].get<std::string>()).value();
  h.next_validators_hash = hash_from_hex(f["next_validators_hash"].get<std::string>()).value();
  h.proposer = from_hex(f["proposer"].get<std::string>()).value();
  return bft::devnet::encode(h).value();
}

// Verifies one `headers` entry through the client (sequentially).
void update(bft::LightClient& lc, const json& e, bft::Suite s) {
  bft::LightBlock lb;
  lb.signed_header.header = header_bytes(e["header"]);
  for (const auto& c : e["commit"])
    lb.signed_header.commit.push_back(
        bft::CommitSig{c["validator"].get<std::uint32_t>(), from_hex(c["signature"].get<std::string>()).value()});
  lb.validators = e.contains("validators") ? set_of(e["validators"], s) : lc.trusted_next_validators();
  if (e.contains("next_validators")) lb.next_validators = set_of(e["next_validators"], s);
  auto r = lc.update(lb, now_ms());
  if (!r) FAIL("height " << e["header"]["height"] << ": " << code(r.error()) << " " << r.error().detail);
  REQUIRE(r->kind == bft::UpdateKind::Accepted);
  REQUIRE(r->verification == bft::Verification::Sequential);
}

bft::ClientConfig client_config(bft::Suite s) {
  bft::ClientConfig cfg;
  cfg.codec = std::make_shared<bft::devnet::DevnetCodec>(s);
  cfg.trusting_period_s = 14 * 24 * 3600;
  return cfg;
}

}  // namespace

TEST_CASE("devnet adapter: headers, proofs, delivery with attestations, lookup, replay, acks, timeouts, new heads") {
  anvil::TempDir tmp;
  Devnet src{tmp.path() / "src", {}, {"--name", "src"}, nullptr, nullptr};
  src.start("127.0.0.1:0", 1);
  // dst: the sample genesis with a one-member committee (a test key), k = 1.
  json dst_genesis = dn::genesis_to_json(dn::sample_genesis("dst"));
  dst_genesis["committee"] = {{"members", {dn::address_hex(dn::address_of(key(kDstCommittee)).value())}}, {"k", 1}};
  const fs::path genesis_file = tmp.path() / "dst-genesis.json";
  std::ofstream(genesis_file) << dst_genesis.dump();
  Devnet dst{tmp.path() / "dst", {}, {"--genesis", genesis_file.string()}, nullptr, nullptr};
  dst.start("127.0.0.1:0", 1);

  auto a = adapter_for(src, true);
  auto b = adapter_for(dst, true);
  const da::IslandInfo& ai = a->info();
  const da::IslandInfo& bi = b->info();
  CHECK(a->island() == "cwdevnet:src");
  CHECK(b->island() == "cwdevnet:dst");
  CHECK(to_hex(ai.genesis_hash.view()) == src.started["genesis_hash"].get<std::string>());
  CHECK(bi.committee == std::vector<secp256k1::Address>{dn::address_of(key(kDstCommittee)).value()});
  CHECK(bi.committee_k == 1);
  CHECK(bi.endpoint == Bytes{'e', 'n', 'd', 'p', 'o', 'i', 'n', 't'});

  // ---- follow_headers through the light client, from block 0 -----------------------------------------
  {
    wait_height(*a, 40);
    Rpc rpc(src);
    const json b0 = rpc.call("devnet_getBlock", json::array({0}));
    const Bytes h0 = from_hex(b0["header"].get<std::string>()).value();
    const auto vals0 = set_of(b0["validators"], ai.suite);
    auto lc = bft::LightClient::create(client_config(ai.suite), bft::SignedHeader{h0, {}}, vals0, vals0).value();
    for (std::uint64_t from = 0; from < 40;) {
      auto text = a->follow_headers(from, 15);
      if (!text) FAIL(code(text.error()) << " at " << text.error().at << ": " << text.error().detail);
      const json entries = json::parse(*text);
      REQUIRE(!entries.empty());
      CHECK(entries[0].contains("validators"));  // the first entry carries its set
      for (const auto& e : entries) {
        update(lc, e, ai.suite);
        from = e["header"]["height"];
      }
    }
    CHECK(lc.latest().height >= 40);
    CHECK(code(a->follow_headers(0, 0).error()) == "ERR_INVALID_ARGUMENT");
    CHECK(a->follow_headers(1'000'000'000, 5).value() == "[]");
  }

  // ---- channels on both ends (governance) ------------------------------------------------------------
  Rpc src_rpc(src), dst_rpc(dst);
  REQUIRE(wait_receipt(*a, src_rpc.submit(ai, kGovernance, dn::TxKind::ChannelOpen,
                                          dn::encode_body(dn::ChannelOpenBody{"channel-0", "transfer", bi.island,
                                                                              bi.genesis_hash, "channel-0", "transfer",
                                                                              false})))
              .success);
  REQUIRE(wait_receipt(*b, dst_rpc.submit(bi, kGovernance, dn::TxKind::ChannelOpen,
                                          dn::encode_body(dn::ChannelOpenBody{"channel-0", "transfer", ai.island,
                                                                              ai.genesis_hash, "channel-0", "transfer",
                                                                              false})))
              .success);

  // ---- a transfer packet sent on src ----------------------------------------------------------------
  const secp256k1::Address receiver = dn::address_of(key(1)).value();
  const std::uint64_t timeout_ns = (now_ms() + 600'000) * 1'000'000;
  const auto sent = wait_receipt(*a, src_rpc.submit(ai, 0, dn::TxKind::SendTransfer,
                                                    dn::encode_body(dn::SendTransferBody{
                                                        "channel-0", "stake", abi::u256_from_u64(5),
                                                        Bytes(receiver.begin(), receiver.end()), "adapter test", 0,
                                                        timeout_ns})));
  REQUIRE(sent.success);
  REQUIRE(sent.event_count == 1);
  auto scanned = a->sent_packets(sent.height, sent.height);
  REQUIRE(scanned);
  REQUIRE(scanned->size() == 1);
  const da::SentPacketEvent pkt = scanned->front();
  CHECK(pkt.index == sent.first_event);
  const packet::Packet decoded = packet::decode_packet(pkt.packet_bytes).value();
  CHECK(decoded.source_island == ai.island);
  CHECK(decoded.dest_island == bi.island);
  CHECK(decoded.dest_genesis == bi.genesis_hash);
  CHECK(decoded.sequence == 1);
  CHECK(decoded.timeout_timestamp_ns == timeout_ns);

  // ---- fetch_proof → verify_bundle ------------------------------------------------------------------------
  for (std::uint64_t anchor : {std::uint64_t{0}, sent.height - 3, sent.height}) {
    INFO("anchor " << anchor);
    auto bundle = a->fetch_proof(pkt.commitment, sent.height, anchor);
    REQUIRE(bundle);
    const json bj = json::parse(*bundle);
    CHECK(bj["headers"].size() == sent.height - anchor);
    Bytes leaf{0x01};
    append(leaf, pkt.packet_bytes);
    CHECK(bj["inclusion"]["leaf"] == to_hex(leaf));
    // The bundle through the light client step by step: anchor, every header, the event inclusion.
    {
      auto lc = bft::LightClient::create(client_config(ai.suite), bft::SignedHeader{header_bytes(bj["anchor"]["header"]), {}},
                                         set_of(bj["anchor"]["validators"], ai.suite),
                                         set_of(bj["anchor"]["next_validators"], ai.suite))
                    .value();
      for (const auto& e : bj["headers"]) update(lc, e, ai.suite);
      bft::InclusionClaim claim;
      const json& inc = bj["inclusion"];
      claim.height = inc["height"];
      claim.tree = bft::Tree::Event;
      claim.index = inc["index"];
      claim.tree_size = inc["tree_size"];
      claim.leaf = from_hex(inc["leaf"].get<std::string>()).value();
      for (const auto& x : inc["audit_path"]) claim.audit_path.push_back(from_hex(x.get<std::string>()).value());
      CHECK(lc.verify_inclusion(claim, now_ms()));
    }
    // And through relay/proofs, as `causeway proof verify` and intake check it.
    const auto v = proofs::verify_bundle(*bundle, nullptr, now_s());
    INFO(v.output_json);
    CHECK(v.exit_code == 0);
    if (v.exit_code == 0) {
      const json out = json::parse(v.output_json);
      CHECK(out["claim"]["leaf"] == to_hex(leaf));
      CHECK(out["height"] == sent.height);
      CHECK(out["trust"] == "quorum");
    }
  }
  CHECK(code(a->fetch_proof(sha256(Bytes{9}), sent.height, sent.height - 1).error()) == "ERR_UNKNOWN_PACKET");
  CHECK(code(a->fetch_proof(pkt.commitment, sent.height, sent.height + 1).error()) == "ERR_INVALID_ARGUMENT");

  // ---- delivery to dst ---------------------------------------------------------------------------------
  const std::uint64_t audit_index = 41;
  const Hash32 digest = packet::attestation_digest(bi.island, bi.genesis_hash, bi.endpoint, pkt.commitment, audit_index);
  adapters::Delivery d{bi.island, bi.endpoint, pkt.packet_bytes, pkt.commitment, decoded.sequence,
                       {attest(digest, kDstCommittee, audit_index)}};
  {  // not delivered yet
    auto before = b->lookup_delivery(pkt.commitment, {});
    REQUIRE(before);
    CHECK(!before->received);
  }
  // A non-member's attestation is refused by the node with its code; nothing was received.
  adapters::Delivery stranger = d;
  stranger.attestations = {attest(digest, kGovernance, audit_index)};
  CHECK(code(b->submit_delivery(stranger).error()) == "ERR_NOT_VALIDATOR");
  CHECK(code(a->submit_delivery(d).error()) == "ERR_ISLAND_MISMATCH");
  adapters::Delivery wrong_commitment = d;
  wrong_commitment.commitment = sha256(Bytes{1});
  CHECK(code(b->submit_delivery(wrong_commitment).error()) == "ERR_INVALID_ARGUMENT");

  auto submitted = b->submit_delivery(d);
  if (!submitted) FAIL(code(submitted.error()) << " " << submitted.error().detail);
  REQUIRE(submitted->tx.size() == 32);
  const auto recv = wait_receipt(*b, Hash32::from(submitted->tx));
  REQUIRE(recv.success);
  CHECK(recv.kind == "recv_packet");
  auto found = b->lookup_delivery(pkt.commitment, submitted->tx);
  REQUIRE(found);
  CHECK(found->received);
  CHECK(found->height == recv.height);
  CHECK(found->tx == submitted->tx);
  auto by_other = b->lookup_delivery(pkt.commitment, {});
  REQUIRE(by_other);
  CHECK(by_other->received);
  CHECK(by_other->ack_commitment == found->ack_commitment);
  CHECK(by_other->height == 0);
  CHECK(by_other->tx.empty());
  CHECK(dst_rpc.call("devnet_getBalance", json::array({dn::address_hex(receiver), "transfer/channel-0/stake"})) == "5");

  // The receipt and acknowledgement scans of the receiving block.
  auto rcpts = b->receipts(recv.height, recv.height);
  REQUIRE(rcpts);
  REQUIRE(rcpts->size() == 1);
  CHECK(rcpts->front().commitment == pkt.commitment);
  CHECK(rcpts->front().ack_commitment == found->ack_commitment);
  auto acks = b->acknowledgements(recv.height, recv.height);
  REQUIRE(acks);
  REQUIRE(acks->size() == 1);
  CHECK(acks->front().commitment == pkt.commitment);
  CHECK(acks->front().ack_commitment == found->ack_commitment);
  const packet::Ack ack = packet::decode_ack(acks->front().ack_bytes).value();
  CHECK(ack.success);

  // A replay is refused on-chain with the node's code.
  auto replay = b->submit_delivery(d);
  REQUIRE(!replay);
  CHECK(code(replay.error()) == "ERR_PACKET_REPLAYED");

  // ---- the acknowledgement back on src ------------------------------------------------------------------
  const Hash32 ack_digest = packet::ack_attestation_digest(ai.island, ai.genesis_hash, ai.endpoint, pkt.commitment,
                                                           found->ack_commitment, 3);
  auto acked = a->submit_acknowledgement(pkt.packet_bytes, acks->front().ack_bytes, {attest(ack_digest, kSrcCommittee, 3)});
  if (!acked) FAIL(code(acked.error()) << " " << acked.error().detail);
  REQUIRE(wait_receipt(*a, Hash32::from(acked->tx)).success);
  CHECK(src_rpc.call("devnet_getSentPacket", json::array({to_hex(pkt.commitment.view())}))["status"] == "acknowledged");

  // ---- a second packet, never delivered, timed out -------------------------------------------------------
  const std::uint64_t dst_height_before = b->latest_height().value();
  const auto sent2 = wait_receipt(*a, src_rpc.submit(ai, 0, dn::TxKind::SendTransfer,
                                                     dn::encode_body(dn::SendTransferBody{
                                                         "channel-0", "stake", abi::u256_from_u64(7),
                                                         Bytes(receiver.begin(), receiver.end()), "", 5, 0})));
  REQUIRE(sent2.success);
  const da::SentPacketEvent pkt2 = a->sent_packets(sent2.height, sent2.height).value().at(0);
  CHECK(packet::decode_packet(pkt2.packet_bytes).value().timeout_height == 5);
  // Non-delivery: the complete, consistent event lists of dst from before the send hold no 0x03 for it.
  wait_height(*b, dst_height_before + 20);
  auto lists = b->block_events(dst_height_before, dst_height_before + 20);
  REQUIRE(lists);
  REQUIRE(lists->size() == 21);
  for (const auto& bl : *lists) {
    CHECK(bl.leaves.size() == bl.fields.event_count);
    for (const auto& l : bl.leaves) CHECK(!(l.size() == 65 && l[0] == 0x03 && ByteView(l).subspan(1, 32).size() == 32 &&
                                           Hash32::from(ByteView(l).subspan(1, 32)) == pkt2.commitment));
  }
  CHECK(code(b->block_events(10, 5).error()) == "ERR_INVALID_ARGUMENT");
  const Hash32 to_digest = packet::timeout_attestation_digest(ai.island, ai.genesis_hash, ai.endpoint, pkt2.commitment, 4);
  auto timed_out = a->submit_timeout(pkt2.packet_bytes, {attest(to_digest, kSrcCommittee, 4)});
  if (!timed_out) FAIL(code(timed_out.error()) << " " << timed_out.error().detail);
  REQUIRE(wait_receipt(*a, Hash32::from(timed_out->tx)).success);
  CHECK(src_rpc.call("devnet_getSentPacket", json::array({to_hex(pkt2.commitment.view())}))["status"] == "timed_out");
  CHECK(code(a->submit_timeout(pkt2.packet_bytes, {attest(to_digest, kSrcCommittee, 4)}).error()) ==
        "ERR_PACKET_REPLAYED");

  // ---- WebSocket new heads, reconnecting across a restart of dst on the same port -----------------------
  const auto port = dst.started["port"].get<std::uint16_t>();
  causeway::adapters::NewHeadsOptions opts;
  opts.read_timeout = std::chrono::milliseconds(5000);
  opts.reconnect_delay = std::chrono::milliseconds(50);
  opts.max_reconnect_delay = std::chrono::milliseconds(500);
  auto sub = causeway::adapters::NewHeadsSubscription::start(dst.started["ws_url"].get<std::string>(),
                                                             causeway::adapters::NewHeadsProtocol::devnet(), opts);
  REQUIRE(sub);
  std::vector<causeway::adapters::NewHead> heads;
  while (heads.size() < 10) {
    auto h = (*sub)->next(std::chrono::seconds(30));
    if (!h) {
      const auto e = (*sub)->last_error();
      FAIL("no head within 30 s; subscriptions " << (*sub)->subscriptions() << "; last error: " << (e ? code(*e) + " " + e->detail : std::string("none")));
    }
    heads.push_back(std::move(*h));
  }
  for (std::size_t i = 1; i < heads.size(); ++i) {
    CHECK(heads[i].height == heads[i - 1].height + 1);
    CHECK(!heads[i].gap);
  }
  CHECK((*sub)->subscriptions() == 1);
  const json same = dst_rpc.call("devnet_getBlock", json::array({heads[3].height}));
  CHECK(same["hash"] == to_hex(heads[3].hash.view()));

  dst.proc->stop();
  dst.start("127.0.0.1:" + std::to_string(port), 2);
  REQUIRE(dst.started["port"] == port);
  const std::uint64_t restarted_at = dst.started["height"];
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  std::optional<causeway::adapters::NewHead> after;
  while (Clock::now() < deadline) {
    auto h = (*sub)->next(std::chrono::seconds(5));
    if (h && h->height > restarted_at) {
      after = std::move(h);
      break;
    }
  }
  REQUIRE(after);
  CHECK((*sub)->subscriptions() >= 2);
  (*sub)->stop();
}
