// The event stream's relay and audit events (issue #6 "Server": WebSocket /v1/stream — packet stages, new
// signed tree heads, alerts; relay/gateway stream_events.hpp; docs/api.md "Stream"). A real engine::Relay
// (islands and channel from the devnet workload's config, real signed causeway-devnet/v1 bundles), the real
// gateway::Server on an ephemeral loopback port with the StreamHub wired as `causeway serve` wires it
// (connect_relay_events, AuditServiceOptions::on_signed → publish_sth), and a Beast WebSocket client.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>

#include "causeway/audit/sth.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/engine/relay.hpp"
#include "causeway/gateway/audit_routes.hpp"
#include "causeway/gateway/server.hpp"
#include "causeway/gateway/stream.hpp"
#include "causeway/gateway/stream_events.hpp"
#include "http_client.hpp"
#include "relay_workload.hpp"
#include "ws_client.hpp"

using namespace causeway;
using nlohmann::json;
using test::WsClient;

namespace {

constexpr std::size_t kPackets = 4;
const std::string kSrc = "cwdevnet:cw-src";
const std::string kDst = "cwdevnet:cw-dst";
constexpr std::uint64_t kSthClock = 1'800'000'000'000;  // the audit signer's fixed clock (ms)

std::uint64_t wall_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

struct Env {
  std::string dir;
  app::Workload w;
  std::unique_ptr<engine::Relay> relay;
  std::shared_ptr<gateway::StreamHub> hub = std::make_shared<gateway::StreamHub>();
  std::shared_ptr<gateway::AuditService> audit;
  std::unique_ptr<gateway::Server> server;
  std::uint16_t port = 0;
  std::vector<engine::PacketView> views;  // intake answers, workload order

  ~Env() {
    if (server) server->stop();
    if (relay) relay->stop();
    if (audit) audit->stop();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::uint64_t log_size() {
    auto n = audit->read<std::uint64_t>([](audit::AuditLog& log) { return log.size(); });
    REQUIRE(n.has_value());
    return *n;
  }
  json leaf(std::uint64_t index) {
    auto l = audit->read<std::vector<audit::LeafRecord>>([&](audit::AuditLog& log) { return log.leaves(index, 1); });
    REQUIRE(l.has_value());
    REQUIRE(l->size() == 1);
    return json::parse(l->front().data);
  }
  domain::PacketId due_id(const std::string& packet_id) {
    for (const auto& d : relay->due_deliveries(kDst, 100))
      if (domain::to_string(d.id) == packet_id) return d.id;
    FAIL("packet " << packet_id << " is not due");
    return {};
  }
};

std::unique_ptr<Env> make_env() {
  auto e = std::make_unique<Env>();
  Env& x = *e;
  x.dir = (std::filesystem::temp_directory_path() / ("causeway-stream-" + std::to_string(::getpid()))).string();
  std::filesystem::remove_all(x.dir);
  x.w = app::make_relay_workload(kPackets, 2, wall_ms());
  engine::RelayOptions o;
  o.data_dir = x.dir;
  o.config = x.w.config;
  o.commit.max_wait = std::chrono::microseconds(200);
  o.log = [](const std::string&) {};
  auto r = engine::Relay::open(o);
  if (!r) throw std::runtime_error(r.error().detail);
  x.relay = std::move(*r);
  gateway::AuditServiceOptions ao;
  ao.data_dir = x.dir;
  ao.sth_interval_s = 0;  // heads only when the test asks (sign_if_grown)
  ao.clock_ms = [] { return kSthClock; };
  ao.log = [](const std::string&) {};
  auto hub = x.hub;
  ao.on_signed = [hub](const audit::SignedTreeHead& h) { gateway::publish_sth(*hub, h); };  // as cmd_serve
  auto svc = gateway::AuditService::create(ao);
  if (!svc) throw std::runtime_error(svc.error().detail);
  x.audit = std::move(*svc);
  gateway::ServerOptions so;
  so.port = 0;
  x.server = std::make_unique<gateway::Server>(so);
  x.hub->attach(*x.server);
  gateway::add_audit_routes(*x.server, x.audit);
  gateway::connect_relay_events(*x.relay, x.hub);  // as cmd_serve
  auto port = x.server->start();
  if (!port) throw std::runtime_error(port.error().detail);
  x.port = *port;
  return e;
}

Env& env() {
  static std::unique_ptr<Env> e = make_env();
  return *e;
}

json expected_event(const engine::PacketView& v, const std::string& stage) {
  return json{{"packet_id", v.id_text},     {"stage", stage},       {"source_island", kSrc},
              {"source_channel", "channel-0"}, {"dest_island", kDst}, {"commitment", to_hex(v.commitment.view())},
              {"audit_index", v.verified_index}};
}

}  // namespace

TEST_CASE("stream: intake announces each new packet once, attested (k = 1), on its source island topic") {
  auto& e = env();
  WsClient c(e.port);
  CHECK(c.send({{"subscribe", {{"island", kSrc}}}}) == json{{"subscribed", {{"island", kSrc}}}});
  for (const auto& b : e.w.bundles) {
    auto v = e.relay->submit_bundle(b.bundle);
    REQUIRE(v.has_value());
    REQUIRE_FALSE(v->existing);
    e.views.push_back(*v);
  }
  REQUIRE(e.views.size() == kPackets);
  for (const auto& v : e.views) {
    const json m = c.read();
    CHECK(m == json{{"kind", "island"}, {"key", kSrc}, {"event", expected_event(v, "attested")}});
  }
  // An already-known packet writes nothing and is not announced again: the next event is the delivery below.
  auto again = e.relay->submit_bundle(e.w.bundles.front().bundle);
  REQUIRE(again.has_value());
  CHECK(again->existing);
}

TEST_CASE("stream: a delivery is announced as stage delivered on the packet and destination-island topics, "
          "with its packet_delivered audit entry as stage_index") {
  auto& e = env();
  REQUIRE(e.views.size() == kPackets);
  const auto& v = e.views.at(0);
  WsClient c(e.port);
  CHECK(c.send({{"subscribe", {{"packet", v.id_text}}}}) == json{{"subscribed", {{"packet", v.id_text}}}});
  CHECK(c.send({{"subscribe", {{"island", kDst}}}}) == json{{"subscribed", {{"island", kDst}}}});
  const std::uint64_t next_index = e.log_size();
  adapters::DeliveryStatus st;
  st.received = true;
  st.height = 9;
  st.tx = Bytes{1, 2, 3};
  REQUIRE(e.relay->record_delivered(e.due_id(v.id_text), st, true).has_value());
  json want = expected_event(v, "delivered");
  want["stage_index"] = next_index;
  CHECK(c.read() == json{{"kind", "packet"}, {"key", v.id_text}, {"event", want}});
  CHECK(c.read() == json{{"kind", "island"}, {"key", kDst}, {"event", want}});
  const json entry = e.leaf(next_index);
  CHECK(entry["kind"] == "packet_delivered");
  CHECK(entry["commitment"] == to_hex(v.commitment.view()));
}

TEST_CASE("stream: the listener runs only after the COMMIT holding the stage (a read-only connection already "
          "sees its audit entry); a failed change announces nothing") {
  auto& e = env();
  const auto& v = e.views.at(1);
  std::mutex mu;
  std::vector<std::pair<engine::RelayEvent, std::uint64_t>> seen;  // event, committed log size at that moment
  e.relay->set_event_listener([&](const engine::RelayEvent& ev) {
    // A separate read-only WAL connection: committed data only (no REQUIRE on the writer thread).
    auto n = e.audit->read<std::uint64_t>([](audit::AuditLog& log) { return log.size(); });
    std::lock_guard lock(mu);
    seen.emplace_back(ev, n.value_or(0));
  });
  adapters::DeliveryStatus st;
  st.received = true;
  st.height = 10;
  st.tx = Bytes{4, 5, 6};
  const auto id = e.due_id(v.id_text);
  REQUIRE(e.relay->record_delivered(id, st, false).has_value());
  // A second delivery of the same packet is refused by relay/domain: rolled back, not announced.
  CHECK_FALSE(e.relay->record_delivered(id, st, false).has_value());
  gateway::connect_relay_events(*e.relay, e.hub);  // back to the stream for the next tests
  std::lock_guard lock(mu);
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].first.packet_id == v.id_text);
  CHECK(seen[0].first.stage == "delivered");
  REQUIRE(seen[0].first.stage_index.has_value());
  CHECK(seen[0].second == *seen[0].first.stage_index + 1);  // its packet_delivered entry is committed
  CHECK(seen[0].first.alerts.empty());
}

TEST_CASE("stream: a new signed tree head is announced on sth exactly as GET /v1/audit/sth serves it, only "
          "when the log grew") {
  auto& e = env();
  WsClient c(e.port);
  CHECK(c.send({{"subscribe", {{"sth", true}}}}) == json{{"subscribed", {{"sth", true}}}});
  const std::uint64_t size = e.log_size();
  auto sth = e.audit->sign_if_grown();
  REQUIRE(sth.has_value());
  REQUIRE(sth->has_value());
  const json m = c.read();
  CHECK(m == json{{"kind", "sth"}, {"key", ""}, {"event", audit::sth_to_json(**sth)}});
  CHECK(m["event"]["tree_size"] == size);
  CHECK(m["event"]["timestamp_ms"] == kSthClock);
  CHECK(m["event"]["log_id"] == to_hex(ByteView(e.audit->log_id().data(), e.audit->log_id().size())));
  auto parsed = audit::sth_from_json(m["event"]);
  REQUIRE(parsed.has_value());
  CHECK(audit::verify_sth(*parsed).has_value());
  const auto served = test::http_request(e.port, "GET", "/v1/audit/sth");
  REQUIRE(served.status == 200);
  CHECK(json::parse(served.body) == m["event"]);
  // Nothing grew: no head, nothing published.
  const auto published = e.hub->stats().published;
  auto none = e.audit->sign_if_grown();
  REQUIRE(none.has_value());
  CHECK_FALSE(none->has_value());
  CHECK(e.hub->stats().published == published);
}

TEST_CASE("stream: publish_relay_event sends each alert of an event on alerts and carries them in the stage "
          "event (the engine end to end: gateway_stream_lifecycle_test, ordered timeout)") {
  auto& e = env();
  const auto& v = e.views.at(2);
  WsClient c(e.port);
  CHECK(c.send({{"subscribe", {{"alerts", true}}}}) == json{{"subscribed", {{"alerts", true}}}});
  CHECK(c.send({{"subscribe", {{"channel", kSrc + "/channel-0"}}}}) ==
        json{{"subscribed", {{"channel", kSrc + "/channel-0"}}}});
  // The event relay.cpp builds for a timeout that closed an ordered channel (relay/domain time_out's alert).
  engine::RelayEvent ev = engine::RelayEvent::of(*e.relay->find(v.id));
  ev.stage = "timed-out";
  ev.stage_index = 77;
  ev.alerts = {engine::RelayAlert{"ordered_channel_closed", "ordered channel cwdevnet:cw-dst/channel-0 closed"}};
  gateway::publish_relay_event(*e.hub, ev);
  json stage = expected_event(v, "timed-out");
  stage["stage_index"] = 77;
  stage["alerts"] = json::array({{{"alert", "ordered_channel_closed"},
                                  {"detail", "ordered channel cwdevnet:cw-dst/channel-0 closed"}}});
  CHECK(c.read() == json{{"kind", "channel"}, {"key", kSrc + "/channel-0"}, {"event", stage}});
  CHECK(c.read() == json{{"kind", "alerts"},
                         {"key", ""},
                         {"event",
                          {{"alert", "ordered_channel_closed"},
                           {"detail", "ordered channel cwdevnet:cw-dst/channel-0 closed"},
                           {"packet_id", v.id_text},
                           {"stage", "timed-out"},
                           {"source_island", kSrc},
                           {"source_channel", "channel-0"},
                           {"dest_island", kDst},
                           {"commitment", to_hex(v.commitment.view())}}}});
}

TEST_CASE("stream: A05 an escrow-invariant halt (alert-only event) is published on alerts only, with its "
          "invariant_alert index (the engine end to end: relay_halt_test)") {
  auto& e = env();
  const auto& v = e.views.at(2);
  WsClient c(e.port);
  CHECK(c.send({{"subscribe", {{"alerts", true}}}}) == json{{"subscribed", {{"alerts", true}}}});
  CHECK(c.send({{"subscribe", {{"channel", kSrc + "/channel-0"}}}}) ==
        json{{"subscribed", {{"channel", kSrc + "/channel-0"}}}});
  // The event relay.cpp's flush_halts builds for a halt whose packet was refused at intake (not held: stage "").
  engine::RelayEvent halt;
  halt.alert_only = true;
  halt.packet_id = v.id_text;
  halt.source_island = kSrc;
  halt.source_channel = "channel-0";
  halt.dest_island = kDst;
  halt.commitment = to_hex(v.commitment.view());
  halt.stage_index = 41;
  halt.alerts = {engine::RelayAlert{"escrow_invariant", "ledger cwdevnet:cw-src/channel-0: insufficient"}};
  gateway::publish_relay_event(*e.hub, halt);
  CHECK(c.read() == json{{"kind", "alerts"},
                         {"key", ""},
                         {"event",
                          {{"alert", "escrow_invariant"},
                           {"detail", "ledger cwdevnet:cw-src/channel-0: insufficient"},
                           {"packet_id", v.id_text},
                           {"stage", ""},
                           {"source_island", kSrc},
                           {"source_channel", "channel-0"},
                           {"dest_island", kDst},
                           {"commitment", to_hex(v.commitment.view())},
                           {"audit_index", 41}}}});
  // Nothing went to the channel topic: the next message there is a stage event published after the alert.
  engine::RelayEvent ev = engine::RelayEvent::of(*e.relay->find(v.id));
  ev.stage = "timed-out";
  gateway::publish_relay_event(*e.hub, ev);
  CHECK(c.read() == json{{"kind", "channel"}, {"key", kSrc + "/channel-0"}, {"event", expected_event(v, "timed-out")}});
}
