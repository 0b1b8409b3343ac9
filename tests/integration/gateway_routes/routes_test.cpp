// API v1 routes over real HTTP (issue #6): a real engine::Relay and gateway::Server on an ephemeral loopback
// port. The islands and the channel are registered THROUGH the API (POST /v1/islands, POST /v1/channels,
// governance-signed records of relay_workload.cpp), the packets submitted through POST /v1/packets (real
// signed causeway-devnet/v1 bundles), then every read route is checked with exact values, plus 404/400s,
// operator auth, /metrics series and the OpenAPI document against the registered route table.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "causeway/core/hex.hpp"
#include "causeway/engine/config.hpp"
#include "causeway/engine/relay.hpp"
#include "causeway/gateway/api_routes.hpp"
#include "causeway/gateway/packet_routes.hpp"
#include "causeway/gateway/server.hpp"
#include "http_client.hpp"
#include "relay_workload.hpp"

using namespace causeway;
using nlohmann::json;
using test::http_request;

namespace {

constexpr const char* kToken = "Bearer test-operator-token-0123456789";
const std::vector<std::pair<std::string, std::string>> kAuth = {{"Authorization", kToken}};
constexpr std::size_t kPackets = 6;
const std::string kSrc = "cwdevnet:cw-src";
const std::string kDst = "cwdevnet:cw-dst";

std::uint64_t wall_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

struct Env {
  std::string dir;
  app::Workload w;
  std::unique_ptr<engine::Relay> relay;
  std::unique_ptr<gateway::Server> server;
  std::shared_ptr<gateway::ApiContext> ctx;
  std::uint16_t port = 0;
  std::vector<test::HttpResult> registered, opened, submitted;

  ~Env() {
    if (server) server->stop();
    if (relay) relay->stop();
  }
  test::HttpResult get(const std::string& target) const { return http_request(port, "GET", target); }
  json get_json(const std::string& target, int status = 200) const {
    auto r = get(target);
    INFO(target << " -> " << r.status << " " << r.body);
    REQUIRE(r.status == status);
    return json::parse(r.body);
  }
};

std::unique_ptr<Env> make_env() {
  auto e = std::make_unique<Env>();
  {
    Env& x = *e;
    x.dir = (std::filesystem::temp_directory_path() / ("causeway-routes-" + std::to_string(::getpid()))).string();
    std::filesystem::remove_all(x.dir);
    x.w = app::make_relay_workload(kPackets, 3, wall_ms());
    engine::RelayOptions o;
    o.data_dir = x.dir;
    o.commit.max_wait = std::chrono::microseconds(200);
    o.log = [](const std::string&) {};
    auto r = engine::Relay::open(o);  // empty config: everything is registered through the API below
    if (!r) throw std::runtime_error(r.error().detail);
    x.relay = std::move(*r);
    gateway::ServerOptions so;
    so.port = 0;
    x.server = std::make_unique<gateway::Server>(so);
    x.ctx = std::make_shared<gateway::ApiContext>(*x.relay, x.dir);
    x.ctx->authorize_operator = [](const gateway::Request& req) -> Status {
      if (req.header("authorization") == kToken) return {};
      return fail(Code::Unauthorized, "operator token missing or wrong");
    };
    gateway::add_packet_routes(*x.server, *x.relay);
    gateway::add_api_routes(*x.server, x.ctx);
    auto port = x.server->start();
    if (!port) throw std::runtime_error(port.error().detail);
    x.port = *port;
    const json cfg = engine::config_to_json(x.w.config);
    for (const auto& isl : cfg["islands"]) x.registered.push_back(http_request(x.port, "POST", "/v1/islands", isl.dump(), kAuth));
    for (const auto& ch : cfg["channels"]) x.opened.push_back(http_request(x.port, "POST", "/v1/channels", ch.dump(), kAuth));
    for (const auto& b : x.w.bundles) x.submitted.push_back(http_request(x.port, "POST", "/v1/packets", b.bundle));
  }
  return e;
}

Env& env() {
  static std::unique_ptr<Env> e = make_env();
  return *e;
}

json submitted(std::size_t i) { return json::parse(env().submitted.at(i).body); }
std::string pid(std::size_t i) { return submitted(i).at("packet_id").get<std::string>(); }
std::string pct(const std::string& s) {  // percent-encodes '/' and ':'
  std::string out;
  for (char c : s) {
    if (c == '/') out += "%2F";
    else if (c == ':') out += "%3A";
    else out += c;
  }
  return out;
}
std::string self_hex() {
  const auto& a = env().relay->self_address();
  return to_hex(ByteView(a.data(), a.size()));
}

}  // namespace

TEST_CASE("write routes: islands and channel registered through POST /v1/islands and /v1/channels (201)") {
  auto& e = env();
  REQUIRE(e.registered.size() == 2);
  for (const auto& r : e.registered) {
    INFO(r.body);
    CHECK(r.status == 201);
  }
  CHECK(json::parse(e.registered[0].body)["id"] == kSrc);
  CHECK(json::parse(e.registered[0].body)["client"]["status"] == "active");
  REQUIRE(e.opened.size() == 1);
  INFO(e.opened[0].body);
  CHECK(e.opened[0].status == 201);
  CHECK(json::parse(e.opened[0].body)["channels"].size() == 2);
  REQUIRE(e.submitted.size() == kPackets);
  for (const auto& r : e.submitted) {
    INFO(r.body);
    CHECK(r.status == 201);
  }
}

TEST_CASE("write routes: operator auth required (401), schema violations 400, duplicates 409, stale governance "
          "records 422") {
  auto& e = env();
  const json isl = engine::config_to_json(e.w.config)["islands"][0];
  auto r = http_request(e.port, "POST", "/v1/islands", isl.dump());
  CHECK(r.status == 401);
  CHECK(json::parse(r.body)["error"]["code"] == "ERR_UNAUTHORIZED");
  r = http_request(e.port, "POST", "/v1/islands", isl.dump(), {{"Authorization", "Bearer wrong-token-0123456789"}});
  CHECK(r.status == 401);
  r = http_request(e.port, "POST", "/v1/islands", R"({"id": 5})", kAuth);
  CHECK(r.status == 400);
  CHECK(json::parse(r.body)["error"]["code"] == "ERR_BODY_SCHEMA");
  r = http_request(e.port, "POST", "/v1/islands", "not json", kAuth);
  CHECK(r.status == 400);
  r = http_request(e.port, "POST", "/v1/islands", isl.dump(), kAuth);
  INFO(r.body);
  CHECK(r.status == 409);
  CHECK(json::parse(r.body)["error"]["code"] == "ERR_ISLAND_EXISTS");
  // The registration record again as an update: nonce 1 is stale (the island is at 2 after the channel open).
  r = http_request(e.port, "PUT", "/v1/islands/" + kSrc, isl.dump(), kAuth);
  CHECK(r.status == 422);
  CHECK(json::parse(r.body)["error"]["code"] == "ERR_GOVERNANCE_NONCE");
  const json ch = engine::config_to_json(e.w.config)["channels"][0];
  r = http_request(e.port, "POST", "/v1/channels", R"({"a": {}})", kAuth);
  CHECK(r.status == 400);
  CHECK(json::parse(r.body)["error"]["code"] == "ERR_BODY_SCHEMA");
  // The open records as close records: stale nonce 2 (governance_test.cpp closes channels for real).
  r = http_request(e.port, "POST", "/v1/channels/" + kSrc + "/channel-0/close", ch.dump(), kAuth);
  CHECK(r.status == 422);
  CHECK(json::parse(r.body)["error"]["code"] == "ERR_GOVERNANCE_NONCE");
}

TEST_CASE("GET /v1/islands and /v1/islands/{id}[/client]: registration order, client state, consensus states") {
  auto& e = env();
  const json list = e.get_json("/v1/islands");
  REQUIRE(list["islands"].size() == 2);
  CHECK(list["islands"][0]["id"] == kSrc);
  CHECK(list["islands"][1]["id"] == kDst);
  CHECK(list["islands"][0]["family"] == "bft");
  CHECK(list["islands"][0]["nonce"] == 2);  // the current governance nonce: registration 1, channel open 2
  CHECK_FALSE(list["islands"][0].contains("record"));
  const std::uint64_t last_block = e.w.bundles.back().block;
  const json src = e.get_json("/v1/islands/" + kSrc);
  CHECK(src["record"]["id"] == kSrc);
  CHECK(src["client"]["status"] == "active");
  CHECK(src["client"]["frozen"] == false);
  CHECK(src["client"]["consensus_states"] == 3);  // the anchor + one verified header per block (2 blocks)
  CHECK(src["client"]["latest"]["height"] == last_block);
  CHECK(src["client"]["trusting_period_s"].get<std::uint64_t>() > 0);
  CHECK(src["client"]["expiry_s"].get<std::int64_t>() > 0);
  const json client = e.get_json("/v1/islands/" + pct(kSrc) + "/client");
  REQUIRE(client["states"].size() == 3);
  CHECK(client["states"][2]["height"] == last_block);
  CHECK(e.get_json("/v1/islands/" + kDst)["client"]["consensus_states"] == 1);
  const json missing = e.get_json("/v1/islands/cwdevnet:nope", 404);
  CHECK(missing["error"]["code"] == "ERR_UNKNOWN_ISLAND");
  CHECK(e.get("/v1/islands/NOT AN ID").status == 400);
  CHECK(e.get("/v1/islands/" + kSrc + "/bogus").status == 404);
}

TEST_CASE("GET /v1/channels: both ends, filtered by island") {
  auto& e = env();
  const json all = e.get_json("/v1/channels");
  REQUIRE(all["channels"].size() == 2);
  CHECK(all["channels"][0]["island"] == kSrc);
  CHECK(all["channels"][0]["channel"] == "channel-0");
  CHECK(all["channels"][0]["port"] == "app");
  CHECK(all["channels"][0]["counterparty_island"] == kDst);
  CHECK(all["channels"][0]["ordering"] == "unordered");
  const json dst = e.get_json("/v1/channels?island=" + pct(kDst));
  REQUIRE(dst["channels"].size() == 1);
  CHECK(dst["channels"][0]["island"] == kDst);
  CHECK(e.get_json("/v1/channels?island=cwdevnet:none")["channels"].size() == 0);
}

TEST_CASE("GET /v1/packets/{id}: stage, ids, audit indexes, stage timestamps, this relay's attestation") {
  auto& e = env();
  for (std::size_t i = 0; i < kPackets; ++i) {
    const json s = submitted(i);
    const json p = e.get_json("/v1/packets/" + s["packet_id"].get<std::string>());
    CHECK(p["packet_id"] == s["packet_id"]);
    CHECK(p["commitment"] == s["commitment"]);
    CHECK(p["stage"] == "attested");
    CHECK(p["verified_index"] == s["audit_index"]);
    CHECK(p["source"]["island"] == kSrc);
    CHECK(p["source"]["sequence"] == e.w.bundles[i].sequence);
    CHECK(p["destination"]["island"] == kDst);
    CHECK(p["stages"]["observed_ms"].is_number());
    CHECK(p["stages"]["attested_ms"].is_number());
    CHECK(p["stages"]["delivered_ms"].is_null());
    CHECK(p["outbox"]["state"] == "pending");
    REQUIRE(p["attestations"].size() == 1);
    CHECK(p["attestations"][0]["member"] == self_hex());
    CHECK(p["attestations"][0]["audit_index"] == s["audit_index"]);
    CHECK(p["attestations"][0]["signature"] == s["attestation"]["signature"]);
  }
  // Percent-encoded ids are the same packet.
  CHECK(e.get_json("/v1/packets/" + pct(pid(0)))["packet_id"] == pid(0));
  // Unknown sequence: 404; malformed ids: 400.
  std::string unknown = pid(0);
  unknown = unknown.substr(0, unknown.rfind('/')) + "/999";
  CHECK(e.get_json("/v1/packets/" + unknown, 404)["error"]["code"] == "ERR_UNKNOWN_PACKET");
  CHECK(e.get("/v1/packets/" + kSrc + "/0x12/channel-0/1").status == 400);
  CHECK(e.get("/v1/packets/not-a-packet").status == 400);
  CHECK(e.get(("/v1/packets/" + pid(0)).substr(0, ("/v1/packets/" + pid(0)).rfind('/')) + "/0").status == 400);
}

TEST_CASE("GET /v1/packets?channel=: paging by sequence, limit bounds") {
  auto& e = env();
  const std::string base = "/v1/packets?channel=" + kSrc + "/channel-0";
  const json p1 = e.get_json(base + "&limit=2");
  REQUIRE(p1["packets"].size() == 2);
  CHECK(p1["packets"][0]["source"]["sequence"] == 1);
  CHECK(p1["packets"][1]["source"]["sequence"] == 2);
  CHECK(p1["next_after"] == 2);
  const json p2 = e.get_json(base + "&after=2&limit=500");
  REQUIRE(p2["packets"].size() == kPackets - 2);
  CHECK(p2["packets"][0]["source"]["sequence"] == 3);
  CHECK(p2["next_after"].is_null());
  CHECK(e.get_json(base + "&after=6")["packets"].size() == 0);
  CHECK(e.get_json("/v1/packets?channel=" + pct(kSrc + "/channel-0"))["packets"].size() == kPackets);
  CHECK(e.get_json(base + "&limit=501", 400)["error"]["details"]["at"] == "limit");
  CHECK(e.get_json(base + "&limit=0", 400)["error"]["code"] == "ERR_INVALID_ARGUMENT");
  CHECK(e.get_json(base + "&after=-1", 400)["error"]["details"]["at"] == "after");
  CHECK(e.get_json("/v1/packets", 400)["error"]["details"]["at"] == "channel");
  CHECK(e.get_json("/v1/packets?channel=" + kDst + "/channel-0")["packets"].size() == 0);
}

TEST_CASE("GET /v1/proofs/{id}: the bundle stored beside the packet_verified entry, as accepted") {
  auto& e = env();
  for (std::size_t i = 0; i < kPackets; ++i) {
    const json p = e.get_json("/v1/proofs/" + pid(i));
    CHECK(p["packet_id"] == pid(i));
    CHECK(p["verified_index"] == submitted(i)["audit_index"]);
    CHECK(p["bundle"] == json::parse(e.w.bundles[i].bundle));
  }
  std::string unknown = pid(0);
  unknown = unknown.substr(0, unknown.rfind('/')) + "/77";
  CHECK(e.get_json("/v1/proofs/" + unknown, 404)["error"]["code"] == "ERR_UNKNOWN_PACKET");
}

TEST_CASE("GET /v1/transfers: the workload sends no transfers; report is empty, a packet is not a transfer") {
  auto& e = env();
  const json rep = e.get_json("/v1/transfers?channel=" + kSrc + "/channel-0");
  CHECK(rep["denoms"].size() == 0);
  CHECK(rep["transfers"].size() == 0);
  CHECK(e.get_json("/v1/transfers/" + pid(0), 404)["error"]["message"].get<std::string>().find("not a transfer") !=
        std::string::npos);
  CHECK(e.get_json("/v1/transfers?channel=" + kSrc + "/channel-9", 404)["error"]["code"] == "ERR_UNKNOWN_CHANNEL");
  CHECK(e.get("/v1/transfers").status == 400);
}

TEST_CASE("GET /v1/islands/{id}/deliveries: attested, undelivered packets to the island with attestations") {
  auto& e = env();
  const json d = e.get_json("/v1/islands/" + kDst + "/deliveries");
  CHECK(d["island"] == kDst);
  CHECK(d["threshold"] == 1);
  REQUIRE(d["deliveries"].size() == kPackets);
  for (std::size_t i = 0; i < kPackets; ++i) {
    CHECK(d["deliveries"][i]["packet_id"] == pid(i));
    REQUIRE(d["deliveries"][i]["attestations"].size() == 1);
    CHECK(d["deliveries"][i]["attestations"][0]["member"] == self_hex());
  }
  const json page = e.get_json("/v1/islands/" + kDst + "/deliveries?limit=2");
  REQUIRE(page["deliveries"].size() == 2);
  const json rest = e.get_json("/v1/islands/" + kDst + "/deliveries?after=" + page["next_after"].dump());
  CHECK(rest["deliveries"].size() == kPackets - 2);
  CHECK(rest["deliveries"][0]["packet_id"] == pid(2));
  CHECK(e.get_json("/v1/islands/" + kSrc + "/deliveries")["deliveries"].size() == 0);
}

TEST_CASE("/healthz and /readyz") {
  auto& e = env();
  CHECK(e.get_json("/healthz") == json{{"status", "ok"}});
  CHECK(e.get_json("/readyz") == json{{"status", "ready"}, {"database", "ok"}, {"writer", "ok"}});
}

TEST_CASE("GET /v1/openapi.json: OpenAPI 3 document listing every registered route and the other helpers' routes") {
  auto& e = env();
  const json doc = e.get_json("/v1/openapi.json");
  CHECK(doc["openapi"].get<std::string>().rfind("3.", 0) == 0);
  const json& paths = doc.at("paths");
  std::set<std::pair<std::string, std::string>> documented;  // (METHOD, path template)
  for (const auto& [path, item] : paths.items())
    for (const auto& [method, op] : item.items()) {
      if (method == "parameters") continue;
      std::string m = method;
      for (auto& c : m) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.insert({m, path});
      CHECK(op.contains("responses"));
    }
  auto covers = [](const std::string& route, const std::string& templ) {
    if (route == templ) return true;
    return !route.empty() && route.back() == '/' && templ.rfind(route, 0) == 0 && templ.size() > route.size();
  };
  auto routes = e.ctx->routes;
  routes.emplace_back("POST", "/v1/packets");  // packet_routes.cpp
  // Every registered route is documented.
  for (const auto& [m, r] : routes) {
    bool found = false;
    for (const auto& [dm, dp] : documented) found = found || (dm == m && covers(r, dp));
    INFO(m << " " << r);
    CHECK(found);
  }
  // Every documented route is registered here or belongs to another part of the server.
  const std::set<std::string> elsewhere = {"/v1/stream", "/v1/attestations/{packet_id}", "/v1/audit/sth",
                                           "/v1/audit/entries", "/v1/audit/inclusion", "/v1/audit/consistency",
                                           "/v1/audit/export"};
  for (const auto& [dm, dp] : documented) {
    bool found = elsewhere.count(dp) > 0;
    for (const auto& [m, r] : routes) found = found || (dm == m && covers(r, dp));
    INFO(dm << " " << dp);
    CHECK(found);
  }
  for (const auto& p : elsewhere) CHECK(paths.contains(p));
}

TEST_CASE("/metrics: backlog, verifications by result, client gauges, audit tree size (exact values)") {
  auto& e = env();
  // One rejected bundle: counted by its error code and island.
  auto bad = http_request(e.port, "POST", "/v1/packets", R"({"island": "cwdevnet:cw-src", "family": "bft"})");
  CHECK(bad.status >= 400);
  const std::string bad_code = json::parse(bad.body)["error"]["code"];
  auto r = e.get("/metrics");
  REQUIRE(r.status == 200);
  CHECK(r.content_type.rfind("text/plain; version=0.0.4", 0) == 0);
  const std::string& m = r.body;
  INFO(m);
  CHECK(m.find("causeway_channel_backlog{channel=\"channel-0\",island=\"cwdevnet:cw-dst\"} 6\n") != std::string::npos);
  CHECK(m.find("causeway_channel_backlog_oldest_age_seconds{channel=\"channel-0\",island=\"cwdevnet:cw-dst\"}") !=
        std::string::npos);
  CHECK(m.find("causeway_proof_verifications_total{result=\"accepted\"} 6\n") != std::string::npos);
  CHECK(m.find("causeway_proof_verifications_total{result=\"" + bad_code + "\"} 1\n") != std::string::npos);
  CHECK(m.find("causeway_headers_rejected_total{island=\"cwdevnet:cw-src\"} 1\n") != std::string::npos);
  CHECK(m.find("causeway_headers_accepted{island=\"cwdevnet:cw-src\"} 2\n") != std::string::npos);
  CHECK(m.find("causeway_headers_accepted{island=\"cwdevnet:cw-dst\"} 0\n") != std::string::npos);
  CHECK(m.find("causeway_client_frozen{island=\"cwdevnet:cw-src\"} 0\n") != std::string::npos);
  CHECK(m.find("causeway_client_expiry_seconds{island=\"cwdevnet:cw-src\"}") != std::string::npos);
  // 2 island_registered + 2 channel_opened + 2 headers_accepted + 6 packet_verified + 6 packet_attested.
  CHECK(m.find("causeway_audit_tree_size 18\n") != std::string::npos);
  CHECK(m.find("causeway_delivery_latency_seconds_count 0\n") != std::string::npos);
  CHECK(m.find("causeway_submitter_balance{") == std::string::npos);  // never set: absent
  e.ctx->balances->set(kDst, "0x00000000000000000000000000000000000000aa", 2.5);
  CHECK(e.get("/metrics").body.find(
            "causeway_submitter_balance{account=\"0x00000000000000000000000000000000000000aa\",island=\"cwdevnet:cw-dst\"} 2.5\n") !=
        std::string::npos);
}

TEST_CASE("operator retry/clear (audit-logged), then a delivery: stage, deliveries, backlog and latency follow") {
  auto& e = env();
  const std::string retry = "/v1/packets/" + pid(1) + "/retry";
  auto r = http_request(e.port, "POST", retry, "");
  CHECK(r.status == 401);
  r = http_request(e.port, "POST", retry, R"({"operator": "alice", "reason": "stuck"})", kAuth);
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(json::parse(r.body) == json{{"packet_id", pid(1)}, {"action", "packet_retry"}, {"audit_index", 18}});
  r = http_request(e.port, "POST", "/v1/packets/" + pid(1) + "/clear", "", kAuth);
  REQUIRE(r.status == 200);
  CHECK(json::parse(r.body)["packets"] == kPackets);
  CHECK(json::parse(r.body)["audit_index"] == 19);
  CHECK(http_request(e.port, "POST", retry, R"({"bogus": 1})", kAuth).status == 400);
  CHECK(http_request(e.port, "POST", "/v1/packets/" + pid(1) + "/explode", "", kAuth).status == 404);

  // A delivery observed on the destination.
  const auto& first = e.relay->due_deliveries(kDst, 100);
  REQUIRE_FALSE(first.empty());
  domain::PacketId id;
  for (const auto& d : first)
    if (domain::to_string(d.id) == pid(0)) id = d.id;
  REQUIRE(domain::to_string(id) == pid(0));
  adapters::DeliveryStatus st;
  st.received = true;
  st.height = 9;
  st.tx = Bytes{1, 2, 3};
  REQUIRE(e.relay->record_delivered(id, st, true).has_value());
  const json p = e.get_json("/v1/packets/" + pid(0));
  CHECK(p["stage"] == "delivered");
  CHECK(p["stages"]["delivered_ms"].is_number());
  CHECK(p["delivery"]["dest_height"] == 9);
  CHECK(p["delivery"]["dest_tx"] == "0x010203");
  CHECK(p["delivery"]["by_us"] == true);
  CHECK(p["delivery"]["audit_index"] == 20);
  CHECK(e.get_json("/v1/islands/" + kDst + "/deliveries")["deliveries"].size() == kPackets - 1);
  const std::string m = e.get("/metrics").body;
  CHECK(m.find("causeway_channel_backlog{channel=\"channel-0\",island=\"cwdevnet:cw-dst\"} 5\n") != std::string::npos);
  CHECK(m.find("causeway_delivery_latency_seconds_count 1\n") != std::string::npos);
  CHECK(m.find("causeway_audit_tree_size 21\n") != std::string::npos);
}

TEST_CASE("A05 POST /v1/channels/{island}/{channel}/resume: operator auth (401), unknown 404, not halted 422") {
  auto& e = env();
  const std::string resume = "/v1/channels/" + kSrc + "/channel-0/resume";
  auto r = http_request(e.port, "POST", resume, R"({"operator": "alice", "reason": "checked"})");
  CHECK(r.status == 401);
  CHECK(json::parse(r.body)["error"]["code"] == "ERR_UNAUTHORIZED");
  r = http_request(e.port, "POST", resume, R"({"operator": "alice", "reason": "checked"})",
                   {{"Authorization", "Bearer wrong-token-0123456789"}});
  CHECK(r.status == 401);
  // Authorized: the channel is open, not halted — refused by relay/domain, nothing written.
  r = http_request(e.port, "POST", "/v1/channels/" + pct(kSrc) + "/channel-0/resume", "", kAuth);
  INFO(r.body);
  CHECK(r.status == 422);
  CHECK(json::parse(r.body)["error"]["code"] == "ERR_ILLEGAL_TRANSITION");
  r = http_request(e.port, "POST", "/v1/channels/" + kSrc + "/channel-9/resume", "", kAuth);
  CHECK(r.status == 404);
  CHECK(json::parse(r.body)["error"]["code"] == "ERR_UNKNOWN_CHANNEL");
  CHECK(http_request(e.port, "POST", "/v1/channels/" + kSrc + "/resume", "", kAuth).status == 400);
  CHECK(http_request(e.port, "POST", resume, R"({"bogus": 1})", kAuth).status == 400);
  const std::string m = e.get("/metrics").body;
  CHECK(m.find("causeway_channel_halted{channel=\"channel-0\",island=\"cwdevnet:cw-src\"} 0\n") != std::string::npos);
  CHECK(m.find("causeway_channel_halted{channel=\"channel-0\",island=\"cwdevnet:cw-dst\"} 0\n") != std::string::npos);
}
