// Later packet stages on the event stream, end to end with REAL processes (issue #6 "Server": WebSocket
// /v1/stream; H9): the harness of tests/integration/lifecycle/lifecycle_devnet_test.cpp (two causeway-devnet
// nodes "a" and "b", a transfer channel, the relay engine in-process with the devnet adapters, Lifecycle +
// Supervisor driven round by round on this thread) plus the gateway Server with the StreamHub wired as
// `causeway serve` wires it (connect_relay_events). A WebSocket client subscribed to the source channel
// receives, in order and with exact fields: a transfer attested at intake, delivered, acknowledged; a second
// transfer attested, timed out (delivery withheld) and refunded — each stage with the audit entry of its change.
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
#include "causeway/gateway/audit_routes.hpp"
#include "causeway/gateway/server.hpp"
#include "causeway/gateway/stream.hpp"
#include "causeway/gateway/stream_events.hpp"
#include "ws_client.hpp"

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

// The whole scenario; `ordered`: the channel pair is ordered, so the timeout closes it (relay/domain alert
// ordered_channel_closed, on the alerts topic and carried by the timed-out event).
void stream_lifecycle(bool ordered) {
  anvil::TempDir tmp;
  Devnet na = make_devnet(tmp.path(), "a");
  Devnet nb = make_devnet(tmp.path(), "b");
  auto a_setup = adapter_for(na);
  auto b_setup = adapter_for(nb);
  const auto& ai = a_setup->info();
  const auto& bi = b_setup->info();
  Rpc ra(na), rb(nb);
  open_channel_on_chains(*a_setup, ra, *b_setup, rb, ordered);

  // The relay: config with both islands, the channel pair, the asset; the committee key = the chains' member.
  const auto cfg = two_island_config(*a_setup, ra, *b_setup, rb, ordered, tmp.path() / "attestation.key");
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


  // The gateway, wired as `causeway serve` wires it; an auditor's read-only view of the log.
  auto hub = std::make_shared<gateway::StreamHub>();
  gateway::ServerOptions so;
  so.port = 0;
  gateway::Server server(so);
  hub->attach(server);
  gateway::connect_relay_events(*relay, hub);
  const auto port = server.start();
  REQUIRE(port.has_value());
  gateway::AuditServiceOptions ao;
  ao.data_dir = data.string();
  ao.sth_interval_s = 0;
  ao.log = [](const std::string&) {};
  auto audit_svc = gateway::AuditService::create(ao);
  REQUIRE(audit_svc.has_value());
  auto leaf = [&](std::uint64_t index) {
    auto l = (*audit_svc)->read<std::vector<audit::LeafRecord>>(
        [&](audit::AuditLog& log) { return log.leaves(index, 1); });
    REQUIRE(l.has_value());
    REQUIRE(l->size() == 1);
    return json::parse(l->front().data);
  };
  auto ws = std::make_unique<test::WsClient>(*port);
  const std::string channel = ai.island + "/channel-0";
  REQUIRE(ws->send({{"subscribe", {{"channel", channel}}}}) == json{{"subscribed", {{"channel", channel}}}});
  REQUIRE(ws->send({{"subscribe", {{"alerts", true}}}}) == json{{"subscribed", {{"alerts", true}}}});

  // Reads one event and checks it field by field; returns its stage_index (0 when it has none).
  auto expect = [&](const da::SentPacketEvent& p, const std::string& stage, const char* entry_kind,
                    const json& alerts = nullptr) {
    const auto id = id_of(p);
    const auto view = relay->find(id);
    REQUIRE(view.has_value());
    const json m = ws->read();
    INFO(m.dump());
    json want = {{"packet_id", domain::to_string(id)},   {"stage", stage},
                 {"source_island", ai.island},           {"source_channel", "channel-0"},
                 {"dest_island", bi.island},             {"commitment", to_hex(p.commitment.view())},
                 {"audit_index", view->verified_index}};
    if (!alerts.is_null()) want["alerts"] = alerts;
    if (entry_kind != nullptr) {
      REQUIRE(m["event"].contains("stage_index"));
      want["stage_index"] = m["event"]["stage_index"];
      const json entry = leaf(m["event"]["stage_index"].get<std::uint64_t>());
      CHECK(entry["kind"] == entry_kind);
      CHECK(entry["commitment"] == to_hex(p.commitment.view()));
    }
    CHECK(m == json{{"kind", "channel"}, {"key", channel}, {"event", want}});
  };

  // ---- 1. a → b: attested at intake, delivered, acknowledged (the source's record of the success ack is no
  // stage change: nothing more) ----
  const auto now_ns = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  const auto p1 = send(5, 0, now_ns + 600'000'000'000ull);
  const auto id1 = id_of(p1);
  drive(true, [&] {
    return stage_of(id1) == "acknowledged" && a_setup->lookup_sent(p1.commitment).value() == adapters::SourceStatus::Acknowledged &&
           relay->due_returns(ai.island, 16).empty();
  });
  REQUIRE(hub->stats().delivered == 3);  // all queued before reading: a missing event fails here, never hangs
  expect(p1, "attested", nullptr);
  expect(p1, "delivered", "packet_delivered");
  expect(p1, "acknowledged", "ack_verified");

  // ---- 2. A21: delivery withheld, timed out by b's verified height, refunded on a ----
  const std::uint64_t b_tip = b_setup->latest_height().value();
  const auto p2 = send(7, b_tip + 15, 0);
  const auto id2 = id_of(p2);
  drive(false, [&] { return stage_of(id2) == "refunded"; });
  const std::uint64_t messages = ordered ? 7 : 6;  // ordered: + the alert
  REQUIRE(hub->stats().delivered == messages);
  expect(p2, "attested", nullptr);
  if (!ordered) {
    expect(p2, "timed-out", "timeout_verified");
  } else {
    const std::string detail = "ordered channel " + bi.island + "/channel-0 closed by the timeout of " +
                               domain::to_string(id2);
    expect(p2, "timed-out", "timeout_verified", json::array({{{"alert", "ordered_channel_closed"}, {"detail", detail}}}));
    const json m = ws->read();
    CHECK(m == json{{"kind", "alerts"},
                    {"key", ""},
                    {"event",
                     {{"alert", "ordered_channel_closed"},
                      {"detail", detail},
                      {"packet_id", domain::to_string(id2)},
                      {"stage", "timed-out"},
                      {"source_island", ai.island},
                      {"source_channel", "channel-0"},
                      {"dest_island", bi.island},
                      {"commitment", to_hex(p2.commitment.view())}}}});
  }
  expect(p2, "refunded", nullptr);
  CHECK(relay->record_returned(id2, adapters::SourceStatus::Refunded));  // exactly once: no second event
  CHECK(hub->stats().delivered == messages);
  // Each stage event on packet, channel, source island, destination island; each alert once.
  CHECK(hub->stats().published == 6 * 4 + (ordered ? 1 : 0));
  ws.reset();
  server.stop();
  lifecycle.reset();
  supervisor.reset();
  relay->stop();
  (*audit_svc)->stop();
}

}  // namespace

TEST_CASE("stream: attested, delivered, acknowledged; attested, timed-out, refunded — announced after their "
          "commits on the channel topic with exact fields and each change's audit entry") {
  stream_lifecycle(false);
}

TEST_CASE("stream: a timeout on an ordered channel is announced with its ordered_channel_closed alert, on the "
          "alerts topic and in the timed-out event") {
  stream_lifecycle(true);
}
