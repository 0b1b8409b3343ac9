// relay/engine: proof intake (A03, A19, A20, exactly-once under duplicate submissions), attestation over the
// audit index, crash-safe restart, and delivery through an in-process test adapter (A23, A24, A27, A30).
// Bundles are real: causeway-devnet/v1 blocks signed by 4 validators (relay/app/src/relay_workload.cpp).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "causeway/audit/log.hpp"
#include "causeway/audit/verify.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/domain/committee.hpp"
#include "causeway/engine/family.hpp"
#include "causeway/engine/lifecycle.hpp"
#include "causeway/engine/relay.hpp"
#include "causeway/engine/supervisor.hpp"
#include "causeway/store/relay_schema.hpp"
#include "relay_data_dir.hpp"
#include "relay_workload.hpp"

using namespace causeway;
using nlohmann::json;

namespace {

std::uint64_t wall_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

std::string fresh_dir(const std::string& name) {
  const auto d = std::filesystem::temp_directory_path() / ("causeway-engine-" + std::to_string(::getpid())) / name;
  std::filesystem::remove_all(d);
  return d.string();
}

std::unique_ptr<engine::Relay> open_relay(const std::string& dir, const app::Workload& w,
                                          std::function<std::uint64_t()> clock = {}) {
  engine::RelayOptions o;
  o.data_dir = dir;
  o.config = w.config;
  o.commit.max_wait = std::chrono::microseconds(200);
  o.log = [](const std::string&) {};
  if (clock) o.clock_ms = std::move(clock);
  auto r = engine::Relay::open(o);
  if (!r) FAIL(std::string(code_name(r.error().code)) + ": " + r.error().detail + " at " + r.error().at);
  return std::move(*r);
}

// Submits the workload in order: openers alone (they advance the client), the rest concurrently.
std::vector<Result<engine::PacketView>> submit_all(engine::Relay& relay, const app::Workload& w) {
  std::vector<Result<engine::PacketView>> out;
  std::vector<std::future<Result<engine::PacketView>>> pending;
  auto drain = [&] {
    for (auto& f : pending) out.push_back(f.get());
    pending.clear();
  };
  for (const auto& b : w.bundles) {
    if (b.opener) {
      drain();
      out.push_back(relay.submit_bundle(b.bundle));
      continue;
    }
    pending.push_back(std::async(std::launch::async, [&relay, text = b.bundle] { return relay.submit_bundle(text); }));
    if (pending.size() >= 16) drain();
  }
  drain();
  return out;
}


// A destination the tests control.
class TestAdapter final : public adapters::ChainAdapter {
 public:
  explicit TestAdapter(std::string island) : island_(std::move(island)) {}
  std::string island() const override { return island_; }
  Result<std::string> follow_headers(std::uint64_t, std::size_t) override { return std::string("[]"); }
  Result<std::string> fetch_proof(const Hash32&, std::uint64_t, std::uint64_t) override {
    return fail(Code::Unsupported, "test adapter");
  }
  Result<adapters::Submitted> submit_delivery(const adapters::Delivery& d) override {
    std::lock_guard lock(mu);
    submits.push_back(d.commitment);
    sequences.push_back(d.sequence);
    if (received.count(d.commitment)) return fail(Code::PacketReplayed, "already received (destination refuses)");
    Bytes tx(d.commitment.b.begin(), d.commitment.b.begin() + 8);
    if (time_out_but_include > 0) {  // A30: the call times out, yet the transaction is included
      --time_out_but_include;
      received[d.commitment] = tx;
      return fail(Code::RpcTimeout, "submit timed out after 5 s");
    }
    if (drop_next > 0) {  // A23: accepted, never included
      --drop_next;
      return adapters::Submitted{tx};
    }
    received[d.commitment] = tx;
    return adapters::Submitted{tx};
  }
  Result<adapters::DeliveryStatus> lookup_delivery(const Hash32& c, ByteView) override {
    std::lock_guard lock(mu);
    ++lookups;
    if (fail_lookups > 0) {  // the node does not answer
      --fail_lookups;
      return fail(Code::RpcTimeout, "lookup timed out");
    }
    adapters::DeliveryStatus s;
    auto it = received.find(c);
    if (it == received.end()) return s;
    s.received = true;
    s.ack_commitment = c;
    s.height = 7;
    s.tx = it->second;
    return s;
  }
  std::mutex mu;
  std::string island_;
  std::map<Hash32, Bytes> received;
  std::vector<Hash32> submits;
  std::vector<std::uint64_t> sequences;
  int time_out_but_include = 0;
  int drop_next = 0;
  int lookups = 0;
  int fail_lookups = 0;
};

const std::string kDst = "cwdevnet:cw-dst";
const std::string kSrc = "cwdevnet:cw-src";

// A source island the tests control: serves the workload's blocks (scan_sent, latest_height) and its bundles
// (fetch_proof); a packet in `waiting` answers ERR_INSUFFICIENT_FUNDS, as the relay's intake does for a voucher
// burn whose minting acks are not taken in yet (RelayState::prove).
class SourceAdapter final : public adapters::ChainAdapter {
 public:
  explicit SourceAdapter(const app::Workload& w) {
    for (const auto& b : w.bundles) {
      const auto j = json::parse(b.bundle);
      const Bytes leaf = from_hex(j["inclusion"]["leaf"].get<std::string>()).value();
      const Hash32 c = packet::commitment(ByteView(leaf).subspan(1));  // leaf = 0x01 ‖ packet bytes
      refs.push_back(adapters::SentPacketRef{c, b.block});
      bundles[c.b] = b.bundle;
      tip = std::max(tip, b.block);
    }
  }
  std::string island() const override { return kSrc; }
  Result<std::string> follow_headers(std::uint64_t, std::size_t) override { return std::string("[]"); }
  Result<std::string> fetch_proof(const Hash32& c, std::uint64_t, std::uint64_t) override {
    ++fetches[c.b];
    if (waiting.count(c.b)) return fail(Code::InsufficientFunds, "burn waits for the acks that minted its vouchers");
    return bundles.at(c.b);
  }
  Result<adapters::Submitted> submit_delivery(const adapters::Delivery&) override {
    return fail(Code::Unsupported, "source only");
  }
  Result<adapters::DeliveryStatus> lookup_delivery(const Hash32&, ByteView) override {
    return fail(Code::Unsupported, "source only");
  }
  Result<std::uint64_t> latest_height() override { return tip; }
  Result<std::vector<adapters::SentPacketRef>> scan_sent(std::uint64_t from, std::uint64_t to) override {
    std::vector<adapters::SentPacketRef> out;
    for (const auto& r : refs)
      if (r.height >= from && r.height <= to) out.push_back(r);
    return out;
  }
  std::vector<adapters::SentPacketRef> refs;
  std::map<std::array<std::uint8_t, 32>, std::string> bundles;
  std::map<std::array<std::uint8_t, 32>, int> fetches;
  std::set<std::array<std::uint8_t, 32>> waiting;
  std::uint64_t tip = 0;
};

}  // namespace

bool operator<(const Hash32& a, const Hash32& b) { return a.b < b.b; }

TEST_CASE("intake: a bundle becomes an attested packet with its audit entries, answered after the commit") {
  const auto w = app::make_relay_workload(40, 20, wall_ms());
  const auto dir = fresh_dir("intake");
  auto relay = open_relay(dir, w);
  const auto results = submit_all(*relay, w);
  REQUIRE(results.size() == 40);
  std::set<std::uint64_t> indexes;
  for (const auto& r : results) {
    REQUIRE(r.has_value());
    CHECK(r->stage == "attested");
    CHECK_FALSE(r->existing);
    REQUIRE(r->attestation.has_value());
    CHECK(r->attestation->member == relay->self_address());
    CHECK(r->attestation->audit_index == r->verified_index);  // each member signs over its OWN index
    CHECK(r->attestation->signature.size() == 65);
    indexes.insert(r->verified_index);
  }
  CHECK(indexes.size() == 40);
  // The attestation recovers to this relay over PACKET.md's digest (via the domain's tally).
  const auto& first = results.front().value();
  auto found = relay->find(first.id);
  REQUIRE(found.has_value());
  CHECK(found->stage == "attested");
  // The client advanced through the openers' verified headers: anchor + block 1 + block 2.
  const auto states = relay->consensus_states("cwdevnet:cw-src");
  REQUIRE(states.size() == 3);
  CHECK(states.back().height == 2);
  relay->stop();
  CHECK(test::count_rows(dir, "SELECT count(*) FROM packets") == 40);
  CHECK(test::count_rows(dir, "SELECT count(*) FROM outbox WHERE state = 'pending'") == 40);
  CHECK(test::count_rows(dir, "SELECT count(*) FROM attestations") == 40);
  // islands 2 + channel ends 2 + headers_accepted 2 + (verified + attested) per packet
  CHECK(test::count_rows(dir, "SELECT count(*) FROM audit_leaves") == 2 + 2 + 2 + 80);
  CHECK(test::count_rows(dir, "SELECT count(*) FROM audit_leaves WHERE kind = 'packet_verified'") == 40);
  CHECK(test::count_rows(dir, "SELECT count(*) FROM audit_bundles") == 40);
}

TEST_CASE("exactly-once: duplicate submissions (concurrent and after a restart) record one packet") {
  const auto w = app::make_relay_workload(10, 10, wall_ms());
  const auto dir = fresh_dir("dupes");
  {
    auto relay = open_relay(dir, w);
    REQUIRE(relay->submit_bundle(w.bundles[0].bundle).has_value());
    std::vector<std::future<Result<engine::PacketView>>> fs;
    for (int rep = 0; rep < 5; ++rep)
      for (std::size_t i = 1; i < w.bundles.size(); ++i)
        fs.push_back(std::async(std::launch::async, [&relay, &w, i] { return relay->submit_bundle(w.bundles[i].bundle); }));
    std::map<std::string, int> fresh;
    for (auto& f : fs) {
      auto r = f.get();
      REQUIRE(r.has_value());
      if (!r->existing) ++fresh[r->id_text];
    }
    CHECK(fresh.size() == 9);
    for (const auto& [id, n] : fresh) CHECK(n == 1);
    auto again = relay->submit_bundle(w.bundles[3].bundle);
    REQUIRE(again.has_value());
    CHECK(again->existing);
    CHECK(again->stage == "attested");
  }
  auto relay = open_relay(dir, w);  // restart: replayed through relay/domain
  CHECK(relay->packet_count() == 10);
  auto again = relay->submit_bundle(w.bundles[5].bundle);
  REQUIRE(again.has_value());
  CHECK(again->existing);
  relay->stop();
  CHECK(test::count_rows(dir, "SELECT count(*) FROM packets") == 10);
  CHECK(test::count_rows(dir, "SELECT count(*) FROM audit_leaves WHERE kind = 'packet_verified'") == 10);
}

TEST_CASE("A03 self-chosen anchor: a bundle anchored at a header the relay never verified is refused") {
  const auto w = app::make_relay_workload(4, 4, wall_ms());
  // Block 1's packets anchored at block 1 before the relay holds it (its opener was not submitted).
  const auto dir = fresh_dir("a03");
  auto relay = open_relay(dir, w);
  auto r = relay->submit_bundle(w.bundles[1].bundle);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Code::UntrustedAnchor);
  // A fabricated chain: same island id, the submitter's own validators (another workload's keys differ only in
  // time; use a chain whose anchor hash differs) — also refused.
  auto other = app::make_relay_workload(4, 4, wall_ms() - 500'000);
  auto r2 = relay->submit_bundle(other.bundles[0].bundle);
  REQUIRE_FALSE(r2.has_value());
  CHECK(r2.error().code == Code::UntrustedAnchor);
  CHECK(relay->packet_count() == 0);
  CHECK(relay->consensus_states("cwdevnet:cw-src").size() == 1);
  relay->stop();
  CHECK(test::count_rows(dir, "SELECT count(*) FROM audit_leaves WHERE kind = 'packet_verified'") == 0);
}

TEST_CASE("A03 the relay pins the bundle's trusting period to the island's registration") {
  const auto w = app::make_relay_workload(2, 2, wall_ms());
  const auto dir = fresh_dir("period");
  auto relay = open_relay(dir, w);
  json b = json::parse(w.bundles[0].bundle);
  b["anchor"]["trusting_period_s"] = 100ULL * 365 * 24 * 3600;
  auto r = relay->submit_bundle(b.dump());
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Code::InvalidArgument);
  CHECK(r.error().at == "anchor.trusting_period_s");
  CHECK(relay->packet_count() == 0);
}

TEST_CASE("A20 wrong destination: a packet whose destination genesis is not the registered one is refused") {
  const auto w = app::make_relay_workload(2, 2, wall_ms(), false, [](packet::Packet& p) { p.dest_genesis.b[0] ^= 1; });
  const auto dir = fresh_dir("a20");
  auto relay = open_relay(dir, w);
  auto r = relay->submit_bundle(w.bundles[0].bundle);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Code::WrongDestination);
  CHECK(relay->packet_count() == 0);
  relay->stop();
  CHECK(test::count_rows(dir, "SELECT count(*) FROM packets") == 0);
  CHECK(test::count_rows(dir, "SELECT count(*) FROM consensus_states") == 2);  // the refused change wrote nothing
}

TEST_CASE("A20 a bundle proves packets of its own island only: a packet naming another registered island is refused") {
  // cw-src's chain carries a packet that claims to come from cw-dst (both devnet endpoints are the module
  // "endpoint", so the emitter alone cannot tell them apart).
  const auto w = app::make_relay_workload(2, 2, wall_ms(), false, [](packet::Packet& p) {
    std::swap(p.source_island, p.dest_island);
    std::swap(p.source_genesis, p.dest_genesis);
    std::swap(p.source_channel, p.dest_channel);
    std::swap(p.source_port, p.dest_port);
  });
  const auto dir = fresh_dir("a20-source");
  auto relay = open_relay(dir, w);
  auto r = relay->submit_bundle(w.bundles[0].bundle);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Code::IslandMismatch);
  CHECK(r.error().at == "packet.source_island");
  CHECK(relay->packet_count() == 0);
  relay->stop();
  CHECK(test::count_rows(dir, "SELECT count(*) FROM packets") == 0);
}

TEST_CASE("A19 wrong emitter: an EVM PacketSent log from another address than the registered endpoint proves nothing") {
  auto plugin = engine::make_ethereum_plugin();
  domain::IslandSpec spec;
  spec.id = "eip155:31337";
  spec.family = domain::Family::Ethereum;
  spec.endpoint = Bytes(20, 0xe1);
  const json doc = {{"family", "ethereum"},
                    {"inclusion",
                     {{"kind", "receipt"},
                      {"emitter", to_hex(Bytes(20, 0xba))},
                      {"topics", json::array({to_hex(packet::packet_sent_topic0().view()), to_hex(Hash32{}.view()),
                                              to_hex(Hash32{}.view())})},
                      {"data", "0x"}}}};
  const json verdict = {{"height", 5}, {"header_hash", to_hex(Hash32{}.view())}, {"anchor", {{"height", 1}}},
                        {"tip", {{"height", 5}, {"hash", to_hex(Hash32{}.view())}}}};
  auto r = plugin->read_bundle(spec, doc, verdict);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Code::WrongEmitter);
  // A devnet bundle proving an event leaf that is not 0x01 ‖ packet is not a packet either.
  auto dev = engine::make_devnet_plugin();
  domain::IslandSpec ds;
  ds.family = domain::Family::Bft;
  ds.codec = "causeway-devnet/v1";
  ds.trusting_period_s = 10;
  const json ddoc = {{"family", "bft"}, {"codec", "causeway-devnet/v1"}, {"anchor", {{"trusting_period_s", 10}}}};
  json dverdict = verdict;
  dverdict["claim"] = {{"tree", "event"}, {"leaf", "0x02aa"}};
  auto d = dev->read_bundle(ds, ddoc, dverdict);
  REQUIRE_FALSE(d.has_value());
  CHECK(d.error().code == Code::NotPacketEvent);
}

TEST_CASE("A06 committee: k <= 2n/3 refused without the override; the override is logged") {
  const auto w = app::make_relay_workload(1, 1, wall_ms());
  engine::RelayOptions o;
  o.data_dir = fresh_dir("a06");
  o.config = w.config;
  std::filesystem::create_directories(o.data_dir);
  auto key = engine::load_or_create_attestation_key(o.data_dir + "/attestation.key");
  REQUIRE(key.has_value());
  const auto self = secp256k1::eth_address(secp256k1::public_key_of(*key));
  domain::Address other1{}, other2{};
  other1.fill(0x31);
  other2.fill(0x32);
  o.config.committee.threshold = 2;
  o.config.committee.members = {self, other1, other2};
  std::vector<std::string> logs;
  o.log = [&](const std::string& s) { logs.push_back(s); };
  auto refused = engine::Relay::open(o);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == Code::ThresholdTooLow);
  o.config.committee.allow_low_threshold = true;
  auto ok = engine::Relay::open(o);
  REQUIRE(ok.has_value());
  CHECK(std::any_of(logs.begin(), logs.end(), [](const std::string& s) { return s.find("A06") != std::string::npos; }));
}

TEST_CASE("restart: the relay's state, audit log and attestations survive; the audit log verifies") {
  const auto w = app::make_relay_workload(30, 10, wall_ms());
  const auto dir = fresh_dir("restart");
  {
    auto relay = open_relay(dir, w);
    for (const auto& r : submit_all(*relay, w)) REQUIRE(r.has_value());
  }
  auto relay = open_relay(dir, w);
  CHECK(relay->packet_count() == 30);
  CHECK(relay->consensus_states("cwdevnet:cw-src").size() == 4);
  relay->stop();
  test::check_relay_audit_log(dir, 30);
}

TEST_CASE("delivery: lookup before every submit; A27 already received is never submitted; A30 timeout reconciled") {
  const auto w = app::make_relay_workload(6, 6, wall_ms());
  const auto dir = fresh_dir("deliver");
  std::uint64_t now = wall_ms();
  auto relay = open_relay(dir, w, [&now] { return now; });
  std::vector<engine::PacketView> views;
  for (const auto& r : submit_all(*relay, w)) views.push_back(r.value());
  auto adapter = std::make_shared<TestAdapter>(kDst);
  adapter->received[views[1].commitment] = Bytes{0xee};  // A27: another relayer delivered sequence 2 first
  adapter->time_out_but_include = 1;                     // A30: the first submission times out but is included
  engine::Supervisor sup(*relay, engine::Supervisor::Options{256, 200, 30'000, 10});
  sup.add_adapter(adapter);
  CHECK(sup.run_round(kDst) == 6);
  // Round 1: 6 look-ups; sequence 2 found (recorded, never submitted); 5 submissions, the first timed out.
  CHECK(adapter->lookups == 6);
  CHECK(adapter->submits.size() == 5);
  CHECK(std::count(adapter->submits.begin(), adapter->submits.end(), views[1].commitment) == 0);
  CHECK(sup.counters().delivered_by_others == 1);
  CHECK(sup.counters().failed_attempts == 1);
  // Round 2 (after the backoff): every remaining packet is looked up first and found — no second submission.
  now += 60'000;
  sup.run_round(kDst);
  CHECK(adapter->submits.size() == 5);
  CHECK(relay->due_deliveries(kDst, 100).empty());
  for (const auto& v : views) CHECK(relay->find(v.id)->stage == "delivered");
  relay->stop();
  CHECK(test::count_rows(dir, "SELECT count(*) FROM deliveries") == 6);
  CHECK(test::count_rows(dir, "SELECT count(*) FROM outbox WHERE state = 'delivered'") == 6);
  CHECK(test::count_rows(dir, "SELECT count(*) FROM audit_leaves WHERE kind = 'packet_delivered'") == 6);
}

TEST_CASE("delivery: a packet the destination may not take (channel closed, ERR_CHANNEL_CLOSED) is looked up with "
          "backoff, not every round; a delivery made meanwhile is still found (A27)") {
  const auto w = app::make_relay_workload(1, 1, wall_ms());
  const auto dir = fresh_dir("closed-backoff");
  std::uint64_t now = wall_ms();
  auto relay = open_relay(dir, w, [&now] { return now; });
  const auto view = relay->submit_bundle(w.bundles[0].bundle).value();
  REQUIRE(view.stage == "attested");
  REQUIRE(relay->close_channel(app::channel_close_records(w, 3, 3)).has_value());
  auto adapter = std::make_shared<TestAdapter>(kDst);
  engine::Supervisor sup(*relay, engine::Supervisor::Options{256, 200, 30'000, 10});
  sup.add_adapter(adapter);
  CHECK(sup.run_round(kDst) == 1);  // looked up (A27), not submitted: ready_to_submit refuses
  CHECK(adapter->lookups == 1);
  CHECK(adapter->submits.empty());
  CHECK(sup.counters().waits == 1);
  CHECK(relay->due_deliveries(kDst, 10).empty());  // was: due again at once, looked up every round
  CHECK(sup.run_round(kDst) == 0);
  CHECK(adapter->lookups == 1);
  now += 200;  // backoff_base_ms · 2^0
  CHECK(sup.run_round(kDst) == 1);
  CHECK(adapter->lookups == 2);
  now += 399;  // the next backoff is 400 ms
  CHECK(sup.run_round(kDst) == 0);
  now += 1;
  CHECK(sup.run_round(kDst) == 1);
  CHECK(adapter->lookups == 3);
  {
    const auto due_later = relay->due_deliveries(kDst, 10);
    CHECK(due_later.empty());
  }
  // Another relayer delivered it meanwhile: found by the next look-up and recorded.
  adapter->received[view.commitment] = Bytes{0xee};
  now += 800;
  CHECK(sup.run_round(kDst) == 1);
  CHECK(adapter->submits.empty());
  CHECK(relay->find(view.id)->stage == "delivered");
  relay->stop();
  CHECK(test::count_rows(dir, "SELECT attempts FROM outbox") == 3);
  CHECK(test::count_rows(dir, "SELECT count(*) FROM outbox WHERE last_error LIKE 'ERR_CHANNEL_CLOSED:%'") == 1);
}

TEST_CASE("A24 ordered channel: a gap waits (never skipped) and fills in order") {
  const auto w = app::make_relay_workload(4, 4, wall_ms(), true);
  const auto dir = fresh_dir("a24");
  auto relay = open_relay(dir, w);
  // Sequences 1, 2, 4 arrive; 3 later.
  std::vector<engine::PacketView> v(5);
  for (std::size_t i : {0u, 1u, 3u}) v[i + 1] = relay->submit_bundle(w.bundles[i].bundle).value();
  auto adapter = std::make_shared<TestAdapter>(kDst);
  engine::Supervisor sup(*relay, {});
  sup.add_adapter(adapter);
  sup.run_round(kDst);
  sup.run_round(kDst);
  CHECK(adapter->sequences == std::vector<std::uint64_t>{1, 2});  // 4 waits for 3
  CHECK(relay->find(v[4].id)->stage == "attested");
  CHECK(sup.counters().waits >= 1);
  v[3] = relay->submit_bundle(w.bundles[2].bundle).value();
  for (int i = 0; i < 4; ++i) sup.run_round(kDst);
  CHECK(adapter->sequences == std::vector<std::uint64_t>{1, 2, 3, 4});
  for (std::size_t s = 1; s <= 4; ++s) CHECK(relay->find(v[s].id)->stage == "delivered");
  // Restart: the deliveries replay although sequence 4 was taken in (stored) before 3.
  relay->stop();
  auto again = open_relay(dir, w);
  for (std::size_t s = 1; s <= 4; ++s) CHECK(again->find(v[s].id)->stage == "delivered");
}

TEST_CASE("A23 backlog: a large pending backlog does not block a new packet; dropped submissions are retried") {
  const auto w = app::make_relay_workload(601, 600, wall_ms());
  const auto dir = fresh_dir("a23");
  std::uint64_t now = wall_ms();
  auto relay = open_relay(dir, w, [&now] { return now; });
  // 599 packets of block 1 are the backlog; the single packet of block 2 arrives as "new traffic".
  for (std::size_t i = 0; i + 1 < w.bundles.size(); ++i) REQUIRE(relay->submit_bundle(w.bundles[i].bundle).has_value());
  auto adapter = std::make_shared<TestAdapter>(kDst);
  adapter->drop_next = 50;  // accepted but never included: looked up again, then resubmitted
  engine::Supervisor sup(*relay, engine::Supervisor::Options{64, 1, 30'000, 10});
  sup.add_adapter(adapter);
  sup.run_round(kDst);  // the backlog is being cleared …
  auto fresh = relay->submit_bundle(w.bundles.back().bundle);  // … when a new packet arrives
  REQUIRE(fresh.has_value());
  sup.run_round(kDst);  // the very next round takes it (newest alternate with oldest)
  CHECK(adapter->received.count(fresh->commitment) == 1);
  for (int i = 0; i < 200 && !relay->due_deliveries(kDst, 1).empty(); ++i) {
    now += 10;
    sup.run_round(kDst);
  }
  CHECK(relay->due_deliveries(kDst, 1).empty());
  std::set<Hash32> distinct(adapter->received.size() ? std::set<Hash32>{} : std::set<Hash32>{});
  for (const auto& [c, tx] : adapter->received) distinct.insert(c);
  CHECK(distinct.size() == 601);
  relay->stop();
  CHECK(test::count_rows(dir, "SELECT count(*) FROM deliveries") == 601);
  // Dropped submissions were submitted again; nothing already received was ever submitted (A27).
  CHECK(adapter->submits.size() == 651);
}

TEST_CASE("A30 resubmission: a pending delivery is submitted again only after 8 rounds without inclusion since ITS "
          "submit (failed look-ups before it do not count; persisted across a restart)") {
  const auto w = app::make_relay_workload(1, 1, wall_ms());
  const auto dir = fresh_dir("resubmit");
  std::uint64_t now = wall_ms();
  auto relay = open_relay(dir, w, [&now] { return now; });
  REQUIRE(relay->submit_bundle(w.bundles[0].bundle).has_value());
  auto adapter = std::make_shared<TestAdapter>(kDst);
  adapter->fail_lookups = 7;  // 7 rounds of failed look-ups: the first submit is recorded at attempts = 8
  adapter->drop_next = 100;   // every submission is accepted and never included (dropped)
  const engine::Supervisor::Options so{256, 1, 30'000, 10};
  auto sup = std::make_unique<engine::Supervisor>(*relay, so);
  sup->add_adapter(adapter);
  auto round = [&] {
    now += 60'000;  // past any backoff
    sup->run_round(kDst);
  };
  for (int i = 0; i < 7; ++i) round();
  CHECK(adapter->submits.empty());
  round();
  REQUIRE(adapter->submits.size() == 1);
  {
    const auto due = relay->due_deliveries(kDst, 1);
    REQUIRE(due.size() == 1);
    CHECK(due[0].attempts == 8);
    CHECK(due[0].submit_attempts == 8);
  }
  for (int i = 0; i < 8; ++i) round();  // 8 rounds waiting for inclusion (was: resubmitted the next round)
  CHECK(adapter->submits.size() == 1);
  CHECK(sup->counters().waits == 8);
  round();  // the 9th round since the submit: dropped, submitted anew
  CHECK(adapter->submits.size() == 2);
  // Persisted: after a restart the count continues from the second submit (attempts 17).
  sup.reset();
  relay->stop();
  CHECK(test::count_rows(dir, "SELECT attempts FROM outbox") == 17);
  CHECK(test::count_rows(dir, "SELECT submit_attempts FROM outbox") == 17);
  relay = open_relay(dir, w, [&now] { return now; });
  sup = std::make_unique<engine::Supervisor>(*relay, so);
  sup->add_adapter(adapter);
  for (int i = 0; i < 8; ++i) round();
  CHECK(adapter->submits.size() == 2);
  round();
  CHECK(adapter->submits.size() == 3);
  CHECK(adapter->lookups == 7 + 1 + 9 + 9);
}

TEST_CASE("source watching: packets refused while the source client is frozen (ERR_CLIENT_FROZEN) are not skipped: "
          "the scan height stays, and they are taken in once the client is active again") {
  // Two packets in block 1, each bundle anchored at the registered block 0 (carrying header 1).
  const auto w = app::make_relay_workload(2, 2, wall_ms(), false, {}, true);
  const auto dir = fresh_dir("frozen-source");
  const auto set_status = [&](const std::string& status) {
    auto db = store::Database::open(dir + "/causeway.db");
    REQUIRE(db.has_value());
    REQUIRE(db->exec("UPDATE client_states SET status = '" + status + "' WHERE island = '" + kSrc + "'").has_value());
  };
  open_relay(dir, w)->stop();  // registered
  set_status("frozen");
  auto relay = open_relay(dir, w);
  SourceAdapter src(w);
  engine::Lifecycle::Options lo;
  std::vector<std::string> logged;
  lo.log = [&logged](const std::string& s) { logged.push_back(s); };
  {
    engine::Lifecycle lc(*relay, lo);
    lc.watch_source(src);
    lc.watch_source(src);
    CHECK(relay->packet_count() == 0);
    CHECK(lc.counters().packets_skipped == 0);                 // was: 2, never relayed
    CHECK(relay->scan_height(kSrc) == std::nullopt);           // was: 1 (scanned past them)
    CHECK(src.fetches[src.refs[0].commitment.b] == 2);         // the range is rescanned each pass
    REQUIRE(logged.size() == 1);                               // logged once
    CHECK(logged[0].find("ERR_CLIENT_FROZEN") != std::string::npos);
  }
  relay->stop();
  set_status("active");
  relay = open_relay(dir, w);
  engine::Lifecycle lc(*relay, lo);
  lc.watch_source(src);
  CHECK(relay->packet_count() == 2);
  CHECK(relay->scan_height(kSrc) == std::optional<std::uint64_t>(1));
}

TEST_CASE("source watching: a burn waiting for its minting acks does not hold the scan; it is recorded for retry "
          "with the scan height that passes it (crash-safe), logged once, and taken in once it no longer waits") {
  const auto w = app::make_relay_workload(6, 2, wall_ms());  // blocks 1..3, two packets each
  const auto dir = fresh_dir("deferred");
  auto relay = open_relay(dir, w);
  SourceAdapter src(w);
  REQUIRE(src.refs.size() == 6);
  const Hash32 waiting = src.refs[1].commitment;  // block 1's second packet (not the block's opener)
  src.waiting.insert(waiting.b);
  std::vector<std::string> logged;
  engine::Lifecycle::Options lo;
  lo.log = [&logged](const std::string& s) { logged.push_back(s); };
  {
    engine::Lifecycle lc(*relay, lo);
    lc.watch_source(src);
    CHECK(relay->packet_count() == 5);  // the scan went on past the waiting burn
    CHECK(relay->scan_height(kSrc) == std::optional<std::uint64_t>(3));
    const auto deferred = relay->deferred_sends(kSrc);
    REQUIRE(deferred.size() == 1);
    CHECK(deferred[0].height == 1);
    CHECK(deferred[0].commitment == waiting);
    CHECK(lc.counters().packets_deferred == 1);
    CHECK(lc.counters().packets_taken_in == 5);
    REQUIRE(logged.size() == 1);
    CHECK(logged[0].find("ERR_INSUFFICIENT_FUNDS") != std::string::npos);
    // Two more passes while it still waits: retried each pass, not logged again, nothing else refetched.
    lc.watch_source(src);
    lc.watch_source(src);
    CHECK(src.fetches[waiting.b] == 3);
    CHECK(src.fetches[src.refs[0].commitment.b] == 1);
    CHECK(logged.size() == 1);
    CHECK(relay->packet_count() == 5);
  }
  relay->stop();
  CHECK(test::count_rows(dir, "SELECT count(*) FROM deferred_sends") == 1);
  CHECK(test::count_rows(dir, "SELECT height FROM scan_progress") == 3);
  // After a restart the retry set is still there; once the burn no longer waits it is taken in and forgotten.
  relay = open_relay(dir, w);
  REQUIRE(relay->deferred_sends(kSrc).size() == 1);
  src.waiting.clear();
  engine::Lifecycle lc(*relay, lo);
  lc.watch_source(src);
  CHECK(relay->packet_count() == 6);
  CHECK(relay->deferred_sends(kSrc).empty());
  CHECK(lc.counters().packets_taken_in == 1);
  relay->stop();
  CHECK(test::count_rows(dir, "SELECT count(*) FROM deferred_sends") == 0);
}
