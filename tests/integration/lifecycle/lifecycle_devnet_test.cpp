// The packet lifecycle end to end with REAL processes (docs/relay-core.md "Source watching" … "The ledger"):
// two causeway-devnet nodes (--block-time 20) "a" and "b", a transfer channel opened on both by governance
// transactions, both islands, the channel pair and the asset "stake" registered in a relay config with
// governance-signed records; the relay engine runs in-process with the devnet adapters (Lifecycle + Supervisor
// driven round by round on this thread, so the test is deterministic — no timing assertions):
//   - A23/A27/A30: a transfer a → b is discovered by the source watcher, proven, attested, delivered,
//     its acknowledgement proven on b and relayed back to a; balances exact on both chains (escrow on a,
//     voucher on b); the ledger row and invariant hold;
//   - A21: a transfer with a short timeout_height whose delivery is withheld (b's supervisor is not run) is
//     timed out by the VERIFIED b height with the complete event scan as non-delivery proof, and refunded
//     exactly once on a (balance restored; a second timeout submission is refused with ERR_PACKET_REPLAYED;
//     a second record_returned changes nothing);
//   - A23: the relay is closed after a third transfer was sent and reopened from its data dir: the watcher
//     resumes from its persisted scan height, the packet completes, and every commitment has exactly one
//     receipt (0x03 leaf) on b — nothing delivered twice.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <fstream>
#include <memory>
#include <thread>

#include "anvil_process.hpp"
#include "devnet_harness.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/core/packet.hpp"
#include "causeway/devnet_adapter/devnet_adapter.hpp"
#include "causeway/devnet_node/genesis.hpp"
#include "causeway/devnet_node/tx.hpp"
#include "causeway/domain/amount.hpp"
#include "causeway/domain/governance.hpp"
#include "causeway/domain/island.hpp"
#include "causeway/engine/lifecycle.hpp"
#include "causeway/engine/relay.hpp"
#include "causeway/engine/supervisor.hpp"

namespace {

using namespace causeway;
using nlohmann::json;
namespace anvil = causeway::testing::anvil;
namespace dn = causeway::devnet;
namespace da = causeway::adapters::devnet;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

using namespace causeway::testing::devnet_harness;
namespace devnet_harness = causeway::testing::devnet_harness;


}  // namespace

TEST_CASE("A21 A23 A27 A30 lifecycle: discovered, delivered, acknowledged back; timed out and refunded once; restart "
          "rescans without delivering twice") {
  anvil::TempDir tmp;
  Devnet na = make_devnet(tmp.path(), "a");
  Devnet nb = make_devnet(tmp.path(), "b");
  auto a_setup = adapter_for(na);
  auto b_setup = adapter_for(nb);
  const auto& ai = a_setup->info();
  const auto& bi = b_setup->info();
  Rpc ra(na), rb(nb);
  open_channel_on_chains(*a_setup, ra, *b_setup, rb);

  // The relay: config with both islands, the channel pair, the asset; the committee key = the chains' member.
  const auto cfg = two_island_config(*a_setup, ra, *b_setup, rb, false, tmp.path() / "attestation.key");
  const fs::path data = tmp.path() / "relay";
  std::vector<std::string> notes;
  auto relay = open_relay(data, cfg, notes);

  engine::Lifecycle::Options lo;
  lo.log = [&](const std::string& s) { notes.push_back(s); };
  auto lifecycle = std::make_unique<engine::Lifecycle>(*relay, lo);
  lifecycle->add_adapter(adapter_for(na));
  lifecycle->add_adapter(adapter_for(nb));
  auto supervisor = std::make_unique<engine::Supervisor>(*relay, engine::Supervisor::Options{});
  supervisor->add_adapter(adapter_for(nb));

  const std::string sender = dn::address_hex(dn::address_of(key(kSender)).value());
  const std::string sender_before = ra.balance(sender, "stake");
  const Bytes receiver = from_hex(kReceiver).value();
  auto send = [&](std::uint64_t amount, std::uint64_t timeout_height, std::uint64_t timeout_ns) {
    return send_transfer(*a_setup, ra, kSender, "channel-0", "stake", amount, receiver, "lifecycle", timeout_height,
                         timeout_ns);
  };
  auto id_of = [](const da::SentPacketEvent& e) { return packet_id_of(e); };
  auto stage_of = [&](const domain::PacketId& id) { return devnet_harness::stage_of(*relay, id); };
  // Drives the relay until `done`; `deliver_to_b` false withholds deliveries to b (vouchers coming home to a are
  // delivered once the supervisor has a's adapter).
  auto drive = [&](bool deliver_to_b, const std::function<bool()>& done) {
    std::vector<std::string> to{ai.island};
    if (deliver_to_b) to.push_back(bi.island);
    drive_until(*lifecycle, *supervisor, to, notes, done);
  };

  // ---- 1. a → b: discovered, proven, attested, delivered, acknowledged back (A27/A30 reconcile) ----
  const auto now_ns = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  const auto p1 = send(5, 0, now_ns + 600'000'000'000ull);
  const auto id1 = id_of(p1);
  drive(true, [&] {
    return stage_of(id1) == "acknowledged" && a_setup->lookup_sent(p1.commitment).value() == adapters::SourceStatus::Acknowledged &&
           relay->due_returns(ai.island, 16).empty();
  });
  CHECK(ra.balance("escrow:channel-0", "stake") == "5");
  CHECK(rb.balance(kReceiver, "transfer/channel-0/stake") == "5");
  CHECK(relay->check_ledger().ok);

  // ---- 2. A21: timed out by b's VERIFIED height while delivery is withheld; refunded exactly once ----
  const std::uint64_t b_tip = b_setup->latest_height().value();
  const auto p2 = send(7, b_tip + 15, 0);
  const auto id2 = id_of(p2);
  CHECK(ra.balance("escrow:channel-0", "stake") == "12");
  drive(false, [&] { return stage_of(id2) == "refunded"; });
  CHECK(a_setup->lookup_sent(p2.commitment).value() == adapters::SourceStatus::Refunded);
  CHECK(ra.balance("escrow:channel-0", "stake") == "5");
  CHECK(rb.balance(kReceiver, "transfer/channel-0/stake") == "5");  // never delivered
  CHECK(b_setup->lookup_delivery(p2.commitment, {}).value().received == false);
  {  // a second timeout submission is refused by the source (refund exactly once)
    const auto packet_bytes = p2.packet_bytes;
    const Hash32 digest = packet::timeout_attestation_digest(ai.island, ai.genesis_hash, ai.endpoint, p2.commitment, 0);
    const auto sk = secp256k1::parse_secret_key(key(kCommittee)).value();
    const auto sig = secp256k1::sign_rsv(digest, sk).value();
    auto again = a_setup->submit_timeout(packet_bytes, {adapters::MemberAttestation{
                                                           dn::address_of(key(kCommittee)).value(), 0, Bytes(sig.begin(), sig.end())}});
    REQUIRE(!again);
    CHECK(code_name(again.error().code) == std::string("ERR_PACKET_REPLAYED"));
    CHECK(relay->record_returned(id2, adapters::SourceStatus::Refunded));  // idempotent: nothing changes
    CHECK(stage_of(id2) == "refunded");
  }
  CHECK(relay->check_ledger().ok);

  // ---- 3. A23: close the relay with a packet sent but not yet seen; reopen: rescan from the stored height ----
  const auto scanned_before = relay->scan_height(ai.island);
  REQUIRE(scanned_before);
  lifecycle.reset();
  supervisor.reset();
  relay->stop();
  relay.reset();
  const auto p3 = send(11, 0, now_ns + 600'000'000'000ull);
  relay = open_relay(data, cfg, notes);  // replays acks, timeouts, refunds and re-checks the ledger
  CHECK(relay->scan_height(ai.island) == scanned_before);
  CHECK(stage_of(id1) == "acknowledged");
  CHECK(stage_of(id2) == "refunded");
  lifecycle = std::make_unique<engine::Lifecycle>(*relay, lo);
  lifecycle->add_adapter(adapter_for(na));
  lifecycle->add_adapter(adapter_for(nb));
  supervisor = std::make_unique<engine::Supervisor>(*relay, engine::Supervisor::Options{});
  supervisor->add_adapter(adapter_for(nb));
  supervisor->add_adapter(adapter_for(na));
  const auto id3 = id_of(p3);
  drive(true, [&] {
    return stage_of(id3) == "acknowledged" && relay->due_returns(ai.island, 16).empty();
  });
  CHECK(relay->packet_count() == 3);
  CHECK(ra.balance("escrow:channel-0", "stake") == "16");
  CHECK(rb.balance(kReceiver, "transfer/channel-0/stake") == "16");
  // Exactly one receipt per delivered commitment on b; none for the timed-out one.
  const auto receipts = b_setup->receipts(1, b_setup->latest_height().value()).value();
  std::map<Hash32, int> count;
  for (const auto& r : receipts) ++count[r.commitment];
  CHECK(count[p1.commitment] == 1);
  CHECK(count[p2.commitment] == 0);
  CHECK(count[p3.commitment] == 1);
  // The sender paid 5 + 11 (the 7 came back).
  const auto before = abi::u256_from_decimal(sender_before).value();
  CHECK(ra.balance(sender, "stake") ==
        abi::u256_to_decimal(domain::sub(before, abi::u256_from_u64(16)).value()));
  CHECK(relay->check_ledger().ok);

  // ---- 4. a voucher goes home b → a (burn on b, release on a); the restart replays the burn AFTER the acks
  //         that minted the vouchers (audit order), so the ledger replays without an invariant break ----
  const auto sender_address = dn::address_of(key(kSender)).value();
  const Bytes sender_bytes(sender_address.begin(), sender_address.end());
  const std::string sender_on_b = dn::address_hex(sender_address);
  const auto r4 = wait_receipt(*a_setup, ra.submit(ai, kSender, dn::TxKind::SendTransfer,
                                                   dn::encode_body(dn::SendTransferBody{
                                                       "channel-0", "stake", abi::u256_from_u64(9),
                                                       Bytes(sender_bytes.begin(), sender_bytes.end()), "out", 0,
                                                       now_ns + 600'000'000'000ull})));
  REQUIRE(r4.success);
  const auto p4 = a_setup->sent_packets(r4.height, r4.height).value().at(0);
  drive(true, [&] { return stage_of(id_of(p4)) == "acknowledged" && relay->due_returns(ai.island, 16).empty(); });
  CHECK(rb.balance(sender_on_b, "transfer/channel-0/stake") == "9");
  const auto r5 = wait_receipt(*b_setup, rb.submit(bi, kSender, dn::TxKind::SendTransfer,
                                                   dn::encode_body(dn::SendTransferBody{
                                                       "channel-0", "transfer/channel-0/stake", abi::u256_from_u64(4),
                                                       Bytes(sender_bytes.begin(), sender_bytes.end()), "home", 0,
                                                       now_ns + 600'000'000'000ull})));
  REQUIRE(r5.success);
  const auto p5 = b_setup->sent_packets(r5.height, r5.height).value().at(0);
  const auto id5 = id_of(p5);
  drive(true, [&] { return stage_of(id5) == "acknowledged" && relay->due_returns(bi.island, 16).empty(); });
  CHECK(rb.balance(sender_on_b, "transfer/channel-0/stake") == "5");  // 4 burned on b
  CHECK(ra.balance("escrow:channel-0", "stake") == "21");              // 16 + 9 − 4 released on a
  CHECK(relay->check_ledger().ok);
  lifecycle.reset();
  supervisor.reset();
  relay->stop();
  relay.reset();
  relay = open_relay(data, cfg, notes);  // replays packets and returns in audit order
  CHECK(stage_of(id5) == "acknowledged");
  CHECK(relay->packet_count() == 5);
  CHECK(relay->check_ledger().ok);
  relay->stop();
}

#ifdef CAUSEWAY_BIN
// `causeway serve` as a process with [adapters] for both devnets (the composition root builds the real adapters,
// the supervisor delivers, the lifecycle thread watches and relays the ack back): a transfer a → b completes with
// exact balances, driven only by the chains and the config.
TEST_CASE("A23 A30 causeway serve runs the lifecycle from [adapters]: a transfer completes end to end") {
  anvil::TempDir tmp;
  Devnet na = make_devnet(tmp.path(), "a");
  Devnet nb = make_devnet(tmp.path(), "b");
  auto a = adapter_for(na);
  auto b = adapter_for(nb);
  const auto& ai = a->info();
  const auto& bi = b->info();
  Rpc ra(na), rb(nb);
  open_channel_on_chains(*a, ra, *b, rb);
  auto cfg = two_island_config(*a, ra, *b, rb, false, tmp.path() / "attestation.key");
  const fs::path submitter = tmp.path() / "submitter.key";
  std::ofstream(submitter) << dn::kDevKeys[kSubmitter] << "\n";
  ::chmod(submitter.c_str(), 0600);
  cfg.adapters.poll_ms = 20;
  cfg.adapters.islands.push_back(engine::IslandAdapterSettings{ai.island, "devnet", {na.rpc_url()}, submitter.string(), 0, ""});
  cfg.adapters.islands.push_back(engine::IslandAdapterSettings{bi.island, "devnet", {nb.rpc_url()}, submitter.string(), 0, ""});
  const fs::path config = tmp.path() / "relay.json";
  std::ofstream(config) << engine::config_to_json(cfg).dump();
  const fs::path log = tmp.path() / "serve.log";
  anvil::Process serve({CAUSEWAY_BIN, "serve", "--listen", "127.0.0.1:0", "--data-dir", (tmp.path() / "relay").string(),
                        "--config", config.string()},
                       log);

  const Bytes receiver = from_hex(kReceiver).value();
  const auto now_ns = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  const auto r = wait_receipt(*a, ra.submit(ai, kSender, dn::TxKind::SendTransfer,
                                            dn::encode_body(dn::SendTransferBody{"channel-0", "stake",
                                                                                 abi::u256_from_u64(9), receiver, "serve",
                                                                                 0, now_ns + 600'000'000'000ull})));
  REQUIRE(r.success);
  const auto sent = a->sent_packets(r.height, r.height).value().at(0);
  const auto deadline = Clock::now() + std::chrono::seconds(120);
  while (a->lookup_sent(sent.commitment).value() != adapters::SourceStatus::Acknowledged) {
    if (!serve.running() || Clock::now() > deadline) FAIL("serve did not complete the transfer: " << anvil::tail(log));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(ra.balance("escrow:channel-0", "stake") == "9");
  CHECK(rb.balance(kReceiver, "transfer/channel-0/stake") == "9");
}
#endif
