// relay/engine: alerts of REFUSED changes are persisted by a change of their own — A05 escrow-invariant halts
// (docs/relay-core.md "A05") and A14 client freezes (below). A real Relay takes in real
// causeway-devnet/v1 bundles of transfer packets (relay/app/src/relay_workload.cpp TransferChains): 100 tok
// escrowed from cw-src, then a burn home of 150 vouchers from cw-dst — more than outstanding (0) + in flight
// (100) — breaks escrowed = outstanding + in flight. The halt and its invariant_alert must survive the
// rollback of the refused change and a restart; an operator resume re-opens the channel and attests what was
// taken in while it was halted.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <mutex>

#include <nlohmann/json.hpp>

#include "causeway/audit/log.hpp"
#include "causeway/audit/verify.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/domain/ids.hpp"
#include "causeway/engine/config.hpp"
#include "causeway/engine/relay.hpp"
#include "causeway/store/relay_schema.hpp"
#include "relay_data_dir.hpp"
#include "relay_workload.hpp"

using namespace causeway;

namespace {

std::uint64_t wall_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

std::string fresh_dir(const std::string& name) {
  const auto d = std::filesystem::temp_directory_path() / ("causeway-halt-" + std::to_string(::getpid())) / name;
  std::filesystem::remove_all(d);
  return d.string();
}

std::unique_ptr<engine::Relay> open_relay(const std::string& dir, const engine::RelayConfig& config) {
  engine::RelayOptions o;
  o.data_dir = dir;
  o.config = config;
  o.commit.max_wait = std::chrono::microseconds(200);
  o.log = [](const std::string&) {};
  auto r = engine::Relay::open(o);
  if (!r) FAIL(std::string(code_name(r.error().code)) + ": " + r.error().detail + " at " + r.error().at);
  return std::move(*r);
}


const std::string kSrc = "cwdevnet:cw-src";
const std::string kDst = "cwdevnet:cw-dst";

}  // namespace

TEST_CASE("A05 escrow invariant break halts the channel durably and logs invariant_alert") {
  app::TransferChains chains(wall_ms() - 60000);
  const auto config = chains.config();
  const auto escrow = chains.transfer(true, 1, "tok", 100);
  const auto burn = chains.transfer(false, 1, "transfer/channel-0/tok", 150);  // never minted: 0 outstanding
  const auto while_halted = chains.transfer(true, 2, "tok", 5);
  const auto after_restart = chains.transfer(true, 3, "tok", 7);
  const std::string b_escrow = chains.add_packet(escrow);
  const std::string b_burn = chains.add_packet(burn);
  const std::string b_halted = chains.add_packet(while_halted);
  const std::string b_restart = chains.add_packet(after_restart);
  const domain::ChannelKey src_end{kSrc, "channel-0"}, dst_end{kDst, "channel-0"};
  const auto escrow_id = domain::packet_id(escrow);
  const auto halted_id = domain::packet_id(while_halted);
  const auto restart_id = domain::packet_id(after_restart);
  const auto dir = fresh_dir("a05");

  std::mutex mu;
  std::vector<engine::RelayEvent> alerts;
  auto listen = [&](engine::Relay& r) {
    r.set_event_listener([&](const engine::RelayEvent& e) {
      std::lock_guard lock(mu);
      if (e.alert_only) alerts.push_back(e);
    });
  };
  {
    auto relay = open_relay(dir, config);
    listen(*relay);
    auto r1 = relay->submit_bundle(b_escrow);
    REQUIRE(r1.has_value());
    CHECK(r1->stage == "attested");
    CHECK(relay->ready_to_submit(escrow_id).has_value());

    auto r2 = relay->submit_bundle(b_burn);
    REQUIRE_FALSE(r2.has_value());
    CHECK(r2.error().code == Code::EscrowInvariant);
    // The halt outlived the rollback of the refused change and the rebuild that followed it.
    for (const auto& k : {src_end, dst_end}) {
      auto st = relay->channel_status(k);
      REQUIRE(st.has_value());
      CHECK(st->state == "halted");
      CHECK(st->halt_reason.find("ledger cwdevnet:cw-src/channel-0") == 0);
    }
    CHECK(relay->ready_to_submit(escrow_id).error().code == Code::ChannelHalted);
    const auto states = relay->channel_states();  // GET /metrics causeway_channel_halted
    REQUIRE(states.size() == 2);
    CHECK(states[0].second.state == "halted");
    CHECK(states[1].second.state == "halted");
    {  // announced once, after the halt's COMMIT (the caller is answered after it)
      std::lock_guard lock(mu);
      REQUIRE(alerts.size() == 1);
      CHECK(alerts[0].alerts.size() == 1);
      CHECK(alerts[0].alerts[0].kind == "escrow_invariant");
      CHECK(alerts[0].packet_id == domain::to_string(domain::packet_id(burn)));
      CHECK(alerts[0].stage.empty());  // the refused packet is not held
      CHECK(alerts[0].source_island == kDst);
      REQUIRE(alerts[0].stage_index.has_value());
    }
    // Nothing of the refused packet was kept; the ledger is unchanged and holds.
    CHECK(relay->packet_count() == 1);
    CHECK(relay->check_ledger().ok);
    // A packet taken in while halted is proven, never attested.
    auto r3 = relay->submit_bundle(b_halted);
    REQUIRE(r3.has_value());
    CHECK(r3->stage == "proven");
  }
  CHECK(test::count_rows(dir, "SELECT count(*) FROM channel_halts WHERE resumed_ms IS NULL AND island = 'cwdevnet:cw-src' "
                   "AND channel = 'channel-0'") == 1);
  CHECK(test::count_rows(dir, "SELECT count(*) FROM audit_leaves WHERE kind = 'invariant_alert'") == 1);
  CHECK(test::count_rows(dir, "SELECT count(*) FROM audit_leaves l JOIN channel_halts h ON h.audit_index = l.idx "
                   "WHERE l.kind = 'invariant_alert'") == 1);

  {
    alerts.clear();
    auto relay = open_relay(dir, config);  // restart: the halt is re-applied after the replay
    listen(*relay);
    CHECK(relay->channel_status(src_end)->state == "halted");
    CHECK(relay->channel_status(dst_end)->state == "halted");
    CHECK(relay->ready_to_submit(escrow_id).error().code == Code::ChannelHalted);
    CHECK(relay->find(halted_id)->stage == "proven");
    auto r4 = relay->submit_bundle(b_restart);
    REQUIRE(r4.has_value());
    CHECK(r4->stage == "proven");

    // Operator resume: the domain allows it once both ledgers hold (the refused movement was never applied).
    auto unknown = relay->resume_channel(domain::ChannelKey{kSrc, "channel-9"}, "alice", "x");
    REQUIRE_FALSE(unknown.has_value());
    CHECK(unknown.error().code == Code::UnknownChannel);
    auto resumed = relay->resume_channel(dst_end, "alice", "ledger checked against both chains");
    REQUIRE(resumed.has_value());
    CHECK(resumed->attested == 2);  // the two packets taken in while halted
    CHECK(relay->channel_status(src_end)->state == "open");
    CHECK(relay->channel_status(dst_end)->state == "open");
    CHECK(relay->channel_status(src_end)->halt_reason.empty());
    CHECK(relay->ready_to_submit(escrow_id).has_value());
    CHECK(relay->find(halted_id)->stage == "attested");
    CHECK(relay->find(restart_id)->stage == "attested");
    auto again = relay->resume_channel(src_end, "alice", "twice");
    REQUIRE_FALSE(again.has_value());
    CHECK(again.error().code == Code::IllegalTransition);
    std::lock_guard lock(mu);
    CHECK(alerts.empty());  // a restart announces nothing again
  }
  CHECK(test::count_rows(dir, "SELECT count(*) FROM channel_halts WHERE resumed_ms IS NULL") == 0);
  CHECK(test::count_rows(dir, "SELECT count(*) FROM channel_halts h JOIN audit_leaves l ON l.idx = h.resume_index "
                   "WHERE l.kind = 'operator_action' AND h.resumed_by = 'alice'") == 1);
  CHECK(test::count_rows(dir, "SELECT count(*) FROM packets WHERE stage = 'attested'") == 3);
  CHECK(test::count_rows(dir, "SELECT count(*) FROM outbox WHERE state = 'pending'") == 3);

  {
    alerts.clear();
    auto relay = open_relay(dir, config);  // restart: resumed stays resumed
    listen(*relay);
    CHECK(relay->channel_status(src_end)->state == "open");
    CHECK(relay->find(halted_id)->stage == "attested");
    // The same burn again: refused and halted again, a second halt row and alert.
    auto r = relay->submit_bundle(b_burn);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Code::EscrowInvariant);
    CHECK(relay->channel_status(src_end)->state == "halted");
    std::lock_guard lock(mu);
    CHECK(alerts.size() == 1);
  }
  CHECK(test::count_rows(dir, "SELECT count(*) FROM channel_halts") == 2);
  CHECK(test::count_rows(dir, "SELECT count(*) FROM channel_halts WHERE resumed_ms IS NULL") == 1);
  CHECK(test::count_rows(dir, "SELECT count(*) FROM audit_leaves WHERE kind = 'invariant_alert'") == 2);

  // The audit log (with its invariant_alert and operator_action leaves) verifies.
  test::check_relay_audit_log(dir, 3);
}

// A14 (docs/relay-core.md "A14"): two chains with the same islands and validators (TransferChains built twice from
// one start time) each make a block 1 holding a different packet — two headers at height 1, both signed by the
// quorum. The relay holds the first; the second, verified from the same held anchor, is misbehaviour: the change
// is refused with ERR_CLIENT_FROZEN, and the freeze is committed by a change of its own (client_states 'frozen',
// audit client_frozen with both headers), announced once, and survives a restart.
TEST_CASE("A14 two verified headers at one height freeze the client durably, client_frozen holds both") {
  const std::uint64_t start = wall_ms() - 60000;
  app::TransferChains honest(start), fork(start);
  REQUIRE(engine::config_to_json(honest.config()) == engine::config_to_json(fork.config()));
  const std::string b1 = honest.add_packet(honest.transfer(true, 1, "tok", 10));
  const std::string b1_fork = fork.add_packet(fork.transfer(true, 1, "tok", 99));
  const std::string b2 = honest.add_packet(honest.transfer(true, 2, "tok", 5));
  const auto dir = fresh_dir("a14");

  std::mutex mu;
  std::vector<engine::RelayEvent> alerts;
  {
    auto relay = open_relay(dir, honest.config());
    relay->set_event_listener([&](const engine::RelayEvent& e) {
      std::lock_guard lock(mu);
      if (e.alert_only) alerts.push_back(e);
    });
    auto r1 = relay->submit_bundle(b1);
    REQUIRE(r1.has_value());
    CHECK(r1->stage == "attested");
    const auto held = relay->consensus_states(kSrc);
    REQUIRE(held.size() == 2);  // the registered anchor (block 0) and block 1
    CHECK(held[1].height == 1);

    auto r2 = relay->submit_bundle(b1_fork);
    REQUIRE_FALSE(r2.has_value());
    CHECK(r2.error().code == Code::ClientFrozen);
    CHECK(r2.error().detail.find("misbehaviour (A14)") == 0);
    {  // announced once, after the freeze's COMMIT (the caller is answered after it)
      std::lock_guard lock(mu);
      REQUIRE(alerts.size() == 1);
      REQUIRE(alerts[0].alerts.size() == 1);
      CHECK(alerts[0].alerts[0].kind == "client_frozen");
      CHECK(alerts[0].source_island == kSrc);
    }
    auto r3 = relay->submit_bundle(b2);  // an honest later block: the island takes nothing until client recover
    REQUIRE_FALSE(r3.has_value());
    CHECK(r3.error().code == Code::ClientFrozen);
    CHECK(relay->consensus_states(kSrc).size() == 2);  // the conflicting header was not taken

    // The evidence: the held header (by its headers_accepted entry) and the conflicting one with its document.
    auto db = store::Database::open(dir + "/causeway.db");
    REQUIRE(db.has_value());
    auto st = db->prepare("SELECT CAST(data AS TEXT) FROM audit_leaves WHERE kind = 'client_frozen'");
    REQUIRE(st.has_value());
    REQUIRE(st->step().value());
    const auto leaf = nlohmann::json::parse(std::string(st->column_text(0)));
    CHECK(leaf["island"] == kSrc);
    CHECK(leaf["height"] == 1);
    const auto& ev = leaf["evidence"];
    CHECK(ev["header_a"]["hash"] == to_hex(held[1].hash.view()));
    CHECK(ev["header_a"]["height"] == 1);
    CHECK(ev["header_b"]["height"] == 1);
    CHECK(ev["header_b"]["hash"] != ev["header_a"]["hash"]);
    CHECK(ev["header_b"]["source"] == "bundle");
    CHECK(ev["header_b"]["document"] == b1_fork);
    CHECK_FALSE(st->step().value());  // exactly one client_frozen entry
  }
  CHECK(test::count_rows(dir, "SELECT count(*) FROM client_states WHERE island = '" + kSrc + "' AND status = 'frozen'") == 1);
  {
    auto relay = open_relay(dir, honest.config());  // the freeze is replayed from client_states
    auto r = relay->submit_bundle(b2);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Code::ClientFrozen);
  }
  test::check_relay_audit_log(dir, 1);
}
