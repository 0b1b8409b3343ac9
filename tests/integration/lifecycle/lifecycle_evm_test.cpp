// The packet lifecycle between two EVM islands with REAL anvil processes (docs/relay-core.md "Acknowledgements",
// "Timeouts and refunds"; PACKET.md "Acknowledgements and timeouts"): two anvil chains A (31337) and B (31338)
// with the Causeway contracts deployed (deploy_contracts), channel-0 registered on both, an ERC-20 registered on
// A; the relay engine in-process with the EVM adapters (Lifecycle + Supervisor driven round by round on this
// thread — deterministic, no timing assertions):
//   - A30: an ERC-20 transfer A → B is discovered, proven, attested, delivered (voucher minted on B), its
//     AcknowledgementWritten proven by a receipt bundle of B and relayed back (acknowledgePacket on A, looked up
//     with sentStatus before any resubmission); balances exact on both chains;
//   - A19: the same AcknowledgementWritten emitted by ANOTHER endpoint contract on B (a second deployment that the
//     relay did not register) verifies as a receipt proof but is refused by the relay (ERR_WRONG_EMITTER);
//   - A21: a transfer whose delivery is withheld (B's supervisor is not run) is not timed out by a verified block
//     below its timeout (ERR_NOT_TIMED_OUT), then is timed out by a VERIFIED B block past it whose receipt slot
//     reads 0 (storage proof), and refunded exactly once on A (balance restored; a second timeoutPacket is
//     refused with ERR_PACKET_REPLAYED before anything is sent).
// Skipped (exit 77) when tools/ (anvil) is absent, unless CAUSEWAY_REQUIRE_TOOLS=1 (anvil_main.cpp).
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "anvil_node.hpp"
#include "anvil_process.hpp"
#include "causeway/adapters/ethereum/contracts.hpp"
#include "causeway/adapters/ethereum/deploy.hpp"
#include "causeway/adapters/ethereum/eth_rpc.hpp"
#include "causeway/adapters/ethereum/evm_adapter.hpp"
#include "causeway/adapters/ethereum/rpc_block.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/core/packet.hpp"
#include "causeway/core/secp256k1.hpp"
#include "causeway/domain/governance.hpp"
#include "causeway/domain/island.hpp"
#include "causeway/engine/lifecycle.hpp"
#include "causeway/engine/relay.hpp"
#include "causeway/engine/supervisor.hpp"
#include "evm_island_records.hpp"  // relay/app/src: the island and channel records `causeway bench e2e` uses too

namespace {

using namespace causeway;
using nlohmann::json;
namespace anvil = causeway::testing::anvil;
namespace ae = causeway::adapters::ethereum;
namespace eth = causeway::ethereum;
namespace fs = std::filesystem;
using anvil::AnvilNode;
using anvil::hexb;
using anvil::must;
using Clock = std::chrono::steady_clock;

const std::string kKey0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";  // deployer/governance
const std::string kKey2 = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";  // relay submitter
const std::string kReceiver = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";                         // anvil account 1

secp256k1::SecretKey secret(ByteView b) { return must(secp256k1::parse_secret_key(b), "key"); }
std::string url_of(AnvilNode& n) { return "http://127.0.0.1:" + std::to_string(n.port()); }

ae::ChannelConfig channel_to(const ae::Deployment& other) {
  ae::ChannelConfig c;
  c.channel_id = "channel-0";
  c.counterparty_island = other.island;
  c.counterparty_genesis = other.genesis_hash;
  c.counterparty_channel = "channel-0";
  return c;
}

Bytes addr_bytes(const eth::Address& a) { return Bytes(a.begin(), a.end()); }

// eth_call of `data` to `to` at latest: the 32-byte word answered.
Hash32 call_word(AnvilNode& n, const eth::Address& to, const Bytes& data) {
  const json r = n.call("eth_call", json::array({json{{"to", anvil::hex(to)}, {"data", to_hex(data)}}, "latest"}));
  const Bytes b = hexb(r.get<std::string>());
  REQUIRE(b.size() >= 32);
  Hash32 h;
  std::copy(b.begin(), b.begin() + 32, h.b.begin());
  return h;
}

std::string balance_of(AnvilNode& n, const eth::Address& token, const eth::Address& owner) {
  const Hash32 w = call_word(n, token, ae::erc20_balance_of_call(owner));
  abi::U256 v{};
  std::copy(w.b.begin(), w.b.end(), v.begin());
  return abi::u256_to_decimal(v);
}

eth::Address address_word(const Hash32& w) {
  eth::Address a{};
  std::copy(w.b.begin() + 12, w.b.end(), a.begin());
  return a;
}

std::shared_ptr<ae::EvmAdapter> adapter_for(AnvilNode& n, const ae::Deployment& d, const eth::Address& endpoint) {
  ae::EvmAdapterConfig c;
  c.rpc_urls = {url_of(n)};
  c.island = d.island;
  c.endpoint = endpoint;
  c.submitter_key = hexb(kKey2);
  c.receipt_timeout = std::chrono::milliseconds(30'000);
  c.poll_interval = std::chrono::milliseconds(20);
  return std::shared_ptr<ae::EvmAdapter>(must(ae::EvmAdapter::connect(c), "connect " + d.island).release());
}

}  // namespace

TEST_CASE("A19 A21 A30 EVM lifecycle on two anvil chains: ERC-20 delivered and acknowledged back; a withheld "
          "transfer timed out by a verified receipt-slot proof and refunded exactly once",
          "[integration][anvil][lifecycle]") {
  if (!ae::contracts_available()) FAIL("this build has no compiled contracts (tools/ absent at configure time)");
  anvil::TempDir tmp;
  const auto work = tmp.path();
  INFO("work dir " << work << " (CAUSEWAY_KEEP_TEST_TMP=1 keeps it)");
  AnvilNode na(work, anvil::NodeOptions{.hardfork = "prague", .chain_id = 31337, .accounts = 3, .log_stem = "anvil-a"});
  // anvil's genesis block hash depends only on its timestamp (the start second): B starts in a later second, so
  // the two islands have different genesis hashes (the relay refuses two islands with one genesis).
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  AnvilNode nb(work, anvil::NodeOptions{.hardfork = "prague", .chain_id = 31338, .accounts = 3, .log_stem = "anvil-b"});
  na.call("evm_setAutomine", json::array({true}));
  nb.call("evm_setAutomine", json::array({true}));
  const auto key0 = secret(hexb(kKey0));
  const auto member = secret(anvil::keccak("evm lifecycle test committee member").view());
  const eth::Address member_address = ae::address_of(member);
  const ae::DeployRequest req{{member_address}, 1, "transfer"};
  const ae::Deployment da = must(ae::deploy_contracts(na.client(), key0, req), "deploy A");
  const ae::Deployment db = must(ae::deploy_contracts(nb.client(), key0, req), "deploy B");
  REQUIRE(da.genesis_hash != db.genesis_hash);
  auto signer_a = must(ae::EvmSigner::create(na.client(), key0), "signer A");
  auto signer_b = must(ae::EvmSigner::create(nb.client(), key0), "signer B");
  must(signer_a.send(da.endpoint, ae::register_channel_call(channel_to(db))), "registerChannel A");
  must(signer_b.send(db.endpoint, ae::register_channel_call(channel_to(da))), "registerChannel B");
  // A second endpoint on B that the relay never registers (A19): same island, genesis and committee.
  const ae::Deployment rogue = must(ae::deploy_contracts(nb.client(), key0, req), "deploy rogue B");
  must(signer_b.send(rogue.endpoint, ae::register_channel_call(channel_to(da))), "registerChannel rogue");
  const auto token_code = must(ae::contract_code("TestToken"), "TestToken");
  Bytes token_init = token_code.creation;
  append(token_init, ae::test_token_constructor_args("Test", "TT", abi::u256_from_u64(1000)));
  const eth::Address token = *must(signer_a.send(std::nullopt, token_init), "deploy token").contract_address;
  must(signer_a.send(da.transfer_app, ae::register_asset_call(token)), "registerAsset");
  must(signer_a.send(token, ae::erc20_approve_call(da.transfer_app, abi::u256_from_u64(1000))), "approve");
  const std::string denom = anvil::hex(token);  // lowercase 0x hex (PACKET.md transfer denom)

  // The relay: both islands anchored at their current tips, the channel pair, the asset; committee = member.
  engine::RelayConfig cfg;
  const auto isl_a = must(app::evm_island_record(na.client(), da, key0), "island record A");
  const auto isl_b = must(app::evm_island_record(nb.client(), db, key0), "island record B");
  cfg.islands = {isl_a, isl_b};
  cfg.channels.push_back(engine::ChannelPair{must(app::transfer_channel_record(isl_a.spec, isl_b.spec, key0), "channel A"),
                                             must(app::transfer_channel_record(isl_b.spec, isl_a.spec, key0), "channel B")});
  cfg.assets.push_back(engine::AssetSetting{da.island, denom});
  const fs::path key_file = work / "attestation.key";
  std::ofstream(key_file) << to_hex(ByteView(member.b.data(), member.b.size())) << "\n";
  ::chmod(key_file.c_str(), 0600);
  cfg.committee.key_file = key_file.string();
  std::vector<std::string> notes;
  engine::RelayOptions o;
  o.data_dir = (work / "relay").string();
  o.config = cfg;
  o.log = [&](const std::string& s) { notes.push_back(s); };
  auto opened = engine::Relay::open(std::move(o));
  if (!opened) FAIL("relay open: " << code_name(opened.error().code) << " " << opened.error().detail << " at " << opened.error().at);
  auto relay = std::move(*opened);

  engine::Lifecycle::Options lo;
  lo.log = [&](const std::string& s) { notes.push_back(s); };
  engine::Lifecycle lifecycle(*relay, lo);
  auto adapter_a = adapter_for(na, da, da.endpoint);
  auto adapter_b = adapter_for(nb, db, db.endpoint);
  lifecycle.add_adapter(adapter_a);
  lifecycle.add_adapter(adapter_b);
  engine::Supervisor supervisor(*relay, engine::Supervisor::Options{});
  supervisor.add_adapter(adapter_for(nb, db, db.endpoint));

  const eth::Address sender = signer_a.address();
  eth::Address receiver{};
  {
    const Bytes r = hexb(kReceiver);
    std::copy(r.begin(), r.end(), receiver.begin());
  }
  const auto send = [&](std::uint64_t amount, std::uint64_t timeout_height, std::uint64_t timeout_ns) {
    const ae::SentTx sent = must(signer_a.send(da.transfer_app,
                                               ae::send_transfer_call("channel-0", token, abi::u256_from_u64(amount),
                                                                      hexb(kReceiver), "", timeout_height, timeout_ns)),
                                 "sendTransfer");
    const auto logs = must(adapter_a->sent_packets(sent.block_number, sent.block_number), "sent_packets");
    REQUIRE(logs.size() == 1);
    return logs[0];
  };
  const auto id_of = [&](const ae::SentPacketLog& l) {
    const auto p = packet::decode_packet(l.packet_bytes).value();
    return domain::PacketId{p.source_island, p.source_genesis, p.source_channel, p.sequence};
  };
  const auto stage_of = [&](const domain::PacketId& id) {
    auto v = relay->find(id);
    return v ? v->stage : std::string("unknown");
  };
  // Drives the relay until `done` (generous deadline; no speed assertion). `mine_b`: one more B block per round
  // (B's height is what times a packet out).
  const auto drive = [&](bool deliver_to_b, bool mine_b, const std::function<bool()>& done) {
    const auto deadline = Clock::now() + std::chrono::seconds(180);
    while (!done()) {
      if (Clock::now() > deadline) {
        std::string all;
        for (const auto& n : notes) all += n + "\n";
        FAIL("not done in time; notes:\n" << all);
      }
      if (mine_b) nb.mine();
      lifecycle.run_once();
      if (deliver_to_b) supervisor.run_round(db.island);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  };
  const auto voucher_on_b = [&]() {
    const std::string trace = "transfer/channel-0/" + denom;
    Bytes data = ae::function_selector("voucherFor(string)");
    append(data, abi::encode(abi::Type::tuple({abi::Type::string()}), abi::Value::tuple({abi::Value::string(trace)})));
    return address_word(call_word(nb, db.transfer_app, data));
  };

  CHECK(balance_of(na, token, sender) == "1000");

  // ---- 1. A30: A → B delivered (voucher minted on B), acknowledged back on A ----------------------------------
  const std::uint64_t far_ns = 4'000'000'000ULL * 1'000'000'000ULL;
  const auto p1 = send(100, 0, far_ns);
  const auto id1 = id_of(p1);
  drive(true, false, [&] {
    return stage_of(id1) == "acknowledged" &&
           adapter_a->lookup_sent(p1.commitment).value() == adapters::SourceStatus::Acknowledged &&
           relay->due_returns(da.island, 16).empty();
  });
  CHECK(balance_of(na, token, sender) == "900");
  CHECK(balance_of(na, token, da.transfer_app) == "100");  // escrowed on A
  const eth::Address voucher = voucher_on_b();
  REQUIRE(voucher != eth::Address{});
  CHECK(balance_of(nb, voucher, receiver) == "100");
  CHECK(adapter_b->lookup_delivery(p1.commitment, {}).value().received);
  CHECK(relay->check_ledger().ok);
  {  // A30: acknowledging again is refused before anything is sent (sentStatus is already ACKNOWLEDGED)
    const Bytes ack = packet::ack_bytes(p1.commitment, true, Bytes{0x01});
    auto again = adapter_a->submit_acknowledgement(p1.packet_bytes, ack, {adapters::MemberAttestation{member_address, 0, Bytes(65, 0)}});
    REQUIRE_FALSE(again);
    CHECK(again.error().code == Code::PacketReplayed);
  }

  // ---- 2. A withheld transfer: timeout at B height tip + 6 ------------------------------------------------------
  const std::uint64_t b_tip = must(adapter_b->latest_height(), "B tip");
  const std::uint64_t timeout_height = b_tip + 6;
  const auto p2 = send(40, timeout_height, 0);
  const auto id2 = id_of(p2);
  CHECK(balance_of(na, token, sender) == "860");
  CHECK(balance_of(na, token, da.transfer_app) == "140");
  drive(false, false, [&] { return stage_of(id2) == "attested" || stage_of(id2) == "proven"; });

  // A19: the packet delivered to the ROGUE endpoint on B emits a genuine AcknowledgementWritten there; its receipt
  // bundle verifies, but the relay reads acknowledgements only from B's registered endpoint.
  {
    auto rogue_adapter = adapter_for(nb, db, rogue.endpoint);
    const Hash32 digest = packet::attestation_digest(db.island, db.genesis_hash, addr_bytes(rogue.endpoint), p2.commitment, 7);
    const auto sig = secp256k1::sign_rsv(digest, member).value();
    adapters::Delivery d;
    d.dest_island = db.island;
    d.dest_endpoint = addr_bytes(rogue.endpoint);
    d.packet_bytes = p2.packet_bytes;
    d.commitment = p2.commitment;
    d.sequence = p2.sequence;
    d.attestations.push_back(adapters::MemberAttestation{member_address, 7, Bytes(sig.begin(), sig.end())});
    must(rogue_adapter->submit_delivery(d), "rogue delivery");
    const auto st = must(rogue_adapter->lookup_delivery(p2.commitment, {}), "rogue lookup");
    REQUIRE(st.received);
    const std::string bundle = must(rogue_adapter->fetch_ack_proof(p2.commitment, st.height, isl_b.spec.anchor.height),
                                    "rogue ack bundle");
    auto r = relay->submit_ack_bundle(id2, bundle);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Code::WrongEmitter);
    CHECK(stage_of(id2) != "acknowledged");
    CHECK_FALSE(adapter_b->lookup_delivery(p2.commitment, {}).value().received);  // the registered endpoint: none
  }

  // A21: a verified block below the timeout proves nothing yet.
  {
    const std::uint64_t below = must(adapter_b->latest_height(), "B tip");
    REQUIRE(below < timeout_height);
    const std::string early = must(adapter_b->fetch_receipt_slot_bundle(p2.commitment, below, isl_b.spec.anchor.height),
                                   "early slot bundle");
    auto r = relay->submit_non_delivery(id2, early);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Code::NotTimedOut);
  }

  // A21: B blocks are mined until past the timeout; the relay times the packet out by the VERIFIED block whose
  // receipt slot reads 0, and the refund happens on A exactly once.
  drive(false, true, [&] { return stage_of(id2) == "refunded"; });
  CHECK(adapter_a->lookup_sent(p2.commitment).value() == adapters::SourceStatus::Refunded);
  CHECK(must(adapter_b->latest_height(), "B tip") >= timeout_height);
  CHECK_FALSE(adapter_b->lookup_delivery(p2.commitment, {}).value().received);  // never delivered on B
  CHECK(balance_of(na, token, sender) == "900");                                 // the 40 came back
  CHECK(balance_of(na, token, da.transfer_app) == "100");
  CHECK(balance_of(nb, voucher, receiver) == "100");
  {  // a second timeout is refused by the source before anything is sent (refund exactly once)
    const Hash32 digest = packet::timeout_attestation_digest(da.island, da.genesis_hash, addr_bytes(da.endpoint),
                                                             p2.commitment, 0);
    const auto sig = secp256k1::sign_rsv(digest, member).value();
    const auto nonce_before = must(ae::decode_quantity_u64(na.call("eth_getTransactionCount",
                                                                   json::array({anvil::hex(adapter_a->submitter()), "latest"})),
                                                           "nonce"),
                                   "nonce");
    auto again = adapter_a->submit_timeout(p2.packet_bytes,
                                           {adapters::MemberAttestation{member_address, 0, Bytes(sig.begin(), sig.end())}});
    REQUIRE_FALSE(again);
    CHECK(again.error().code == Code::PacketReplayed);
    CHECK(must(ae::decode_quantity_u64(na.call("eth_getTransactionCount",
                                               json::array({anvil::hex(adapter_a->submitter()), "latest"})),
                                       "nonce"),
               "nonce") == nonce_before);
    CHECK(relay->record_returned(id2, adapters::SourceStatus::Refunded));  // idempotent: nothing changes
    CHECK(stage_of(id2) == "refunded");
    CHECK(balance_of(na, token, sender) == "900");
  }
  CHECK(relay->check_ledger().ok);
  CHECK(lifecycle.counters().acks_verified.load() == 1);
  CHECK(lifecycle.counters().timeouts_verified.load() == 1);
  relay->stop();
}
