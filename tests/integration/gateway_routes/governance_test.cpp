// Governance records after registration over real HTTP (issue #5 "Island registry", "Channels and ports",
// "Operator actions"; issue #6 API v1; docs/relay-core.md "Governance journal"): PUT /v1/islands/{id} (island
// update), POST /v1/islands/{id}/recover (client recover) and POST /v1/channels/{island}/{channel}/close on a
// real engine::Relay behind a real gateway (ApiNode), with the causeway-devnet/v1 workload of relay_workload.cpp
// (islands, channel and signed bundles; its governance keys are SHA-256("causeway-bench/gov/src"|"…/dst")).
// Each test restarts the relay on the same data dir: the governance journal replays to the same registry, and
// the audit log (island_updated, client_recovered, channel_closed leaves) still verifies.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <utility>
#include <nlohmann/json.hpp>

#include "api_node.hpp"
#include "causeway/adapters/chain_adapter.hpp"
#include "causeway/audit/events.hpp"
#include "causeway/audit/log.hpp"
#include "causeway/audit/verify.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/domain/channel.hpp"
#include "causeway/domain/governance.hpp"
#include "causeway/domain/island.hpp"
#include "causeway/engine/config.hpp"
#include "causeway/engine/lifecycle.hpp"
#include "causeway/store/relay_schema.hpp"
#include "relay_data_dir.hpp"
#include "relay_workload.hpp"

using namespace causeway;
using nlohmann::json;
using test::ApiNode;
using test::http_request;

namespace {

constexpr const char* kToken = "Bearer test-operator-token-0123456789";
const std::vector<std::pair<std::string, std::string>> kAuth = {{"Authorization", kToken}};
const std::string kSrc = "cwdevnet:cw-src";
const std::string kDst = "cwdevnet:cw-dst";

std::uint64_t wall_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

secp256k1::SecretKey key_of(const std::string& label) {
  const Hash32 h = sha256(ByteView(reinterpret_cast<const std::uint8_t*>(label.data()), label.size()));
  return secp256k1::parse_secret_key(h.view()).value();
}
const secp256k1::SecretKey& gov_src() {
  static const auto k = key_of("causeway-bench/gov/src");
  return k;
}
const secp256k1::SecretKey& gov_dst() {
  static const auto k = key_of("causeway-bench/gov/dst");
  return k;
}
domain::Address address_of(const secp256k1::SecretKey& k) { return secp256k1::eth_address(secp256k1::public_key_of(k)); }

// A fresh data dir, the workload (4 packets, one per block), and a node with everything registered through
// the API (POST /v1/islands, POST /v1/channels).
// Runs `sql` on the database of a relay that is not running (tampering with its tables in start-up tests).
void exec_on_closed_relay(const std::string& dir, const std::string& sql) {
  auto db = store::Database::open(dir + "/causeway.db");
  REQUIRE(db.has_value());
  REQUIRE(db->exec(sql).has_value());
}

// The error Relay::open refuses to start with on `dir` (it must refuse).
Error refused_open(const std::string& dir) {
  engine::RelayOptions o;
  o.data_dir = dir;
  auto r = engine::Relay::open(o);
  REQUIRE_FALSE(r.has_value());
  return r.error();
}

struct Fixture {
  std::string dir;
  app::Workload w;
  std::unique_ptr<ApiNode> node;
  // The relay's clock = the wall clock + this (RelayOptions::clock_ms); tests move it to age the client.
  std::shared_ptr<std::atomic<std::uint64_t>> clock_ahead_ms = std::make_shared<std::atomic<std::uint64_t>>(0);
  // When not 0, the relay's clock is exactly this (tests pin it at a trusting period's end).
  std::shared_ptr<std::atomic<std::uint64_t>> clock_at_ms = std::make_shared<std::atomic<std::uint64_t>>(0);

  explicit Fixture(const std::string& name) {
    dir = (std::filesystem::temp_directory_path() / ("causeway-gov-" + name + "-" + std::to_string(::getpid()))).string();
    std::filesystem::remove_all(dir);
    w = app::make_relay_workload(4, 1, wall_ms());
    start();
    const json cfg = engine::config_to_json(w.config);
    for (const auto& isl : cfg["islands"]) REQUIRE(node->post("/v1/islands", isl.dump(), kAuth).status == 201);
    for (const auto& ch : cfg["channels"]) REQUIRE(node->post("/v1/channels", ch.dump(), kAuth).status == 201);
  }
  ~Fixture() {
    node.reset();
    std::filesystem::remove_all(dir);
  }
  void start() {
    engine::RelayOptions o;
    o.data_dir = dir;
    o.clock_ms = [ahead = clock_ahead_ms, at = clock_at_ms] {
      const std::uint64_t pinned = at->load();
      return pinned != 0 ? pinned : wall_ms() + ahead->load();
    };
    node = std::make_unique<ApiNode>(o, kToken);
  }
  void restart() {
    node.reset();
    start();
  }
  test::HttpResult submit(std::size_t i) const { return node->post("/v1/packets", w.bundles.at(i).bundle); }
  test::HttpResult put(const std::string& target, const json& body) const {
    return http_request(node->port, "PUT", target, body.dump(), kAuth);
  }
  test::HttpResult post(const std::string& target, const json& body) const {
    return node->post(target, body.dump(), kAuth);
  }
  const domain::SignedIsland& island(std::size_t i) const { return w.config.islands.at(i); }
};

std::string code_of(const test::HttpResult& r) { return json::parse(r.body)["error"]["code"].get<std::string>(); }

// island.update of `spec` with `nonce`, signed by `keys`.
json update_record(const domain::IslandSpec& spec, std::uint64_t nonce, const std::vector<secp256k1::SecretKey>& keys) {
  domain::SignedIsland r{spec, nonce, {}};
  for (const auto& k : keys)
    r.signatures.push_back(
        domain::sign_governance(domain::island_digest(domain::GovAction::IslandUpdate, spec, nonce), k).value());
  return engine::island_to_json(r);
}

// Both ends' channel.close records of the workload's channel, nonces na / nb.
json close_record(const Fixture& f, std::uint64_t na, std::uint64_t nb) {
  const engine::ChannelPair pair = app::channel_close_records(f.w, na, nb);
  return json{{"a", engine::channel_to_json(pair.a)}, {"b", engine::channel_to_json(pair.b)}};
}

// client.recover of the source island to `anchor` with `nonce`, signed by its governance key.
json recover_record(const Fixture& f, const domain::TrustAnchor& anchor, std::uint64_t nonce) {
  domain::ClientRecoverRecord r;
  r.island = kSrc;
  r.anchor = anchor;
  r.nonce = nonce;
  r.signatures = {
      domain::sign_governance(domain::recover_digest(kSrc, f.island(0).spec.genesis, anchor, nonce), gov_src()).value()};
  return engine::recover_to_json(r);
}

// The source island's held block 1 (carried by bundle 0) as a recover anchor.
domain::TrustAnchor held_block_1(const Fixture& f) {
  json states = f.node->get_json("/v1/islands/" + kSrc + "/client")["states"];
  REQUIRE(states.size() == 2);
  REQUIRE(states[1]["height"] == 1);
  domain::TrustAnchor a;
  a.height = 1;
  a.hash = hash_from_hex(states[1]["hash"].get<std::string>()).value();
  a.time_s = states[1]["time_ms"].get<std::uint64_t>() / 1000;
  a.extra = f.island(0).spec.anchor.extra;  // the validator-set hash (the set does not change)
  return a;
}

// The source island's block 2 as a recover anchor (the client need not hold it): bundle 2 is anchored at block 2
// and carries block 3, whose parent_hash is block 2's hash.
domain::TrustAnchor block_2(const Fixture& f) {
  const json b = json::parse(f.w.bundles.at(2).bundle);
  const json& h = b["anchor"]["header"];
  REQUIRE(h["height"] == 2);
  REQUIRE(b["headers"][0]["header"]["height"] == 3);
  domain::TrustAnchor a;
  a.height = 2;
  a.hash = hash_from_hex(b["headers"][0]["header"]["parent_hash"].get<std::string>()).value();
  a.time_s = h["time_ms"].get<std::uint64_t>() / 1000;
  a.extra = f.island(0).spec.anchor.extra;
  return a;
}

// Writes the source island's client frozen as it would be stored (client_states.status) and restarts the relay
// on it (the engine has no misbehaviour detector that persists a freeze from these tests' workload).
void freeze_src(Fixture& f) {
  f.node.reset();
  exec_on_closed_relay(f.dir, "UPDATE client_states SET status = 'frozen' WHERE island = '" + kSrc + "'");
  f.start();
}

}  // namespace

TEST_CASE("PUT /v1/islands/{id}: k of the CURRENT keys, nonce = current + 1; after an update the old keys no longer "
          "count; a replayed record is refused; a restart replays the journal to the same registry") {
  Fixture f("update");
  REQUIRE(f.submit(0).status == 201);
  const std::string path = "/v1/islands/" + kSrc;
  domain::IslandSpec spec = f.island(0).spec;
  const auto k2 = key_of("h2/governance/new-key");
  spec.governance = domain::make_governance_keys(1, {address_of(k2)}).value();

  // Nonce: registration 1, channel open 2 → the update carries 3. A wrong nonce changes nothing.
  auto r = f.put(path, update_record(spec, 2, {gov_src()}));
  CHECK(r.status == 422);
  CHECK(code_of(r) == "ERR_GOVERNANCE_NONCE");
  // Signed by the NEW keys only: not k of the current ones.
  r = f.put(path, update_record(spec, 3, {k2}));
  CHECK(r.status == 422);
  CHECK(code_of(r) == "ERR_NOT_VALIDATOR");
  CHECK(f.node->get_json(path)["nonce"] == 2);
  // The path names another island than the record.
  r = f.put("/v1/islands/" + kDst, update_record(spec, 3, {gov_src()}));
  CHECK(r.status == 422);
  CHECK(code_of(r) == "ERR_ISLAND_MISMATCH");
  // An anchor change is client recover's, not an update's.
  {
    domain::IslandSpec moved = spec;
    moved.anchor.height = 1;
    r = f.put(path, update_record(moved, 3, {gov_src()}));
    CHECK(r.status == 400);
    CHECK(code_of(r) == "ERR_INVALID_ARGUMENT");
  }
  // Without the operator token.
  CHECK(http_request(f.node->port, "PUT", path, update_record(spec, 3, {gov_src()}).dump()).status == 401);

  // Signed by the current (old) key with nonce 3: applied.
  const json rec3 = update_record(spec, 3, {gov_src()});
  r = f.put(path, rec3);
  INFO(r.body);
  REQUIRE(r.status == 200);
  json j = json::parse(r.body);
  CHECK(j["id"] == kSrc);
  CHECK(j["nonce"] == 3);
  CHECK(j["spec"]["governance"]["threshold"] == 1);
  CHECK(j["spec"]["governance"]["members"] == json::array({to_hex(ByteView(address_of(k2).data(), 20))}));
  CHECK(j["client"]["status"] == "active");
  const std::uint64_t idx3 = j["audit_index"].get<std::uint64_t>();
  // The same record again: a replay.
  r = f.put(path, rec3);
  CHECK(r.status == 422);
  CHECK(code_of(r) == "ERR_GOVERNANCE_NONCE");
  // The old key no longer counts.
  // (The trusting period is pinned in every devnet bundle, so the next update changes the key set: k2 plus k3.)
  const auto k3 = key_of("h2/governance/third-key");
  domain::IslandSpec spec4 = spec;
  spec4.governance = domain::make_governance_keys(1, {address_of(k2), address_of(k3)}).value();
  r = f.put(path, update_record(spec4, 4, {gov_src()}));
  CHECK(r.status == 422);
  CHECK(code_of(r) == "ERR_NOT_VALIDATOR");
  // The new key does.
  r = f.put(path, update_record(spec4, 4, {k2}));
  INFO(r.body);
  REQUIRE(r.status == 200);
  j = json::parse(r.body);
  CHECK(j["nonce"] == 4);
  CHECK(j["spec"]["governance"]["members"].size() == 2);
  CHECK(j["audit_index"].get<std::uint64_t>() > idx3);
  CHECK(test::count_rows(f.dir, "SELECT count(*) FROM governance_journal WHERE action = 'island.update'") == 2);
  CHECK(test::count_rows(f.dir, "SELECT count(*) FROM audit_leaves WHERE kind = 'island_updated'") == 2);
  CHECK(test::count_rows(f.dir, "SELECT count(*) FROM audit_leaves WHERE idx = " + std::to_string(idx3) +
                         " AND kind = 'island_updated' AND instr(data, '\"change\":\"governance\"') > 0") == 1);
  REQUIRE(f.submit(1).status == 201);  // packets still flow

  f.restart();
  j = f.node->get_json(path);
  CHECK(j["nonce"] == 4);
  CHECK(j["spec"]["governance"]["members"].size() == 2);
  {
    auto rec = f.node->relay->island_record(kSrc);
    REQUIRE(rec.has_value());
    CHECK(rec->spec == spec4);
    CHECK(rec->nonce == 4);
  }
  r = f.put(path, update_record(spec4, 4, {k2}));  // replayed after the restart
  CHECK(r.status == 422);
  CHECK(code_of(r) == "ERR_GOVERNANCE_NONCE");
  r = f.put(path, update_record(spec4, 5, {gov_src()}));  // the old key, after the restart
  CHECK(r.status == 422);
  CHECK(code_of(r) == "ERR_NOT_VALIDATOR");
  REQUIRE(f.submit(2).status == 201);
  // A channel close after the update is signed by the island's NEW key (its journal order is kept).
  {
    domain::SignedChannelRecord a = f.w.config.channels[0].a, b = f.w.config.channels[0].b;
    a.nonce = 5;
    b.nonce = 3;
    a.signatures = {domain::sign_governance(
                        domain::channel_digest(domain::GovAction::ChannelClose, a.spec, spec.genesis, 5), k2)
                        .value()};
    b.signatures = {domain::sign_governance(domain::channel_digest(domain::GovAction::ChannelClose, b.spec,
                                                                   f.island(1).spec.genesis, 3),
                                            gov_dst())
                        .value()};
    r = f.post("/v1/channels/" + kSrc + "/channel-0/close",
               json{{"a", engine::channel_to_json(a)}, {"b", engine::channel_to_json(b)}});
    INFO(r.body);
    CHECK(r.status == 200);
  }
  f.restart();  // island.register, channel.open, island.update ×2, channel.close replayed in that order
  CHECK(f.node->get_json(path)["nonce"] == 5);
  CHECK(f.node->relay->channel_status(domain::ChannelKey{kSrc, "channel-0"})->state == "closed");
  f.node.reset();
  test::check_relay_audit_log(f.dir, 3);
}

TEST_CASE("PUT /v1/islands/{id}: the family and codec never change; the endpoint not while a channel end of the "
          "island is open (ERR_INVALID_ARGUMENT), after the close it does; survives a restart") {
  Fixture f("update-bindings");
  REQUIRE(f.submit(0).status == 201);
  const std::string path = "/v1/islands/" + kSrc;
  const auto refused_at = [&](const domain::IslandSpec& spec, const std::string& at) {
    auto r = f.put(path, update_record(spec, 3, {gov_src()}));
    INFO(r.body);
    CHECK(r.status == 400);
    CHECK(code_of(r) == "ERR_INVALID_ARGUMENT");
    CHECK(json::parse(r.body)["error"]["details"]["at"] == at);
  };
  domain::IslandSpec codec = f.island(0).spec;
  codec.codec = "causeway-devnet/v2";
  refused_at(codec, "codec");
  domain::IslandSpec family = f.island(0).spec;
  family.family = domain::Family::Ethereum;
  refused_at(family, "family");
  domain::IslandSpec moved = f.island(0).spec;
  const std::string other = "other-module";
  moved.endpoint = Bytes(other.begin(), other.end());
  refused_at(moved, "endpoint");  // channel-0 is open: its packets would all be ERR_WRONG_EMITTER
  CHECK(f.node->get_json(path)["nonce"] == 2);
  CHECK(test::count_rows(f.dir, "SELECT count(*) FROM governance_journal") == 0);
  REQUIRE(f.submit(1).status == 201);  // packets still flow

  auto r = f.post("/v1/channels/" + kSrc + "/channel-0/close", close_record(f, 3, 3));
  REQUIRE(r.status == 200);
  r = f.put(path, update_record(moved, 4, {gov_src()}));  // no open or halted end any more
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(test::count_rows(f.dir, "SELECT count(*) FROM audit_leaves WHERE kind = 'island_updated' AND "
                                "instr(data, '\"change\":\"endpoint\"') > 0") == 1);
  codec.endpoint = moved.endpoint;
  r = f.put(path, update_record(codec, 5, {gov_src()}));  // the codec still not
  CHECK(r.status == 400);
  CHECK(json::parse(r.body)["error"]["details"]["at"] == "codec");
  f.restart();
  auto rec = f.node->relay->island_record(kSrc);
  REQUIRE(rec.has_value());
  CHECK(rec->spec == moved);
  CHECK(rec->nonce == 4);
  f.node.reset();
  test::check_relay_audit_log(f.dir, 2);
}

TEST_CASE("POST /v1/channels/{island}/{channel}/close: both islands' records; then a new packet on the channel is "
          "ERR_CHANNEL_CLOSED, packets in flight keep their stage; survives a restart") {
  Fixture f("close");
  REQUIRE(f.submit(0).status == 201);
  const std::string path = "/v1/channels/" + kSrc + "/channel-0/close";
  // A stale nonce (2 was the open): nothing changes.
  auto r = f.post(path, close_record(f, 2, 3));
  CHECK(r.status == 422);
  CHECK(code_of(r) == "ERR_GOVERNANCE_NONCE");
  CHECK(json::parse(r.body)["error"]["details"]["at"] == "a.nonce");
  CHECK(f.node->get_json("/v1/channels")["channels"][0]["state"] == "open");
  // The path must name one of the two ends.
  r = f.post("/v1/channels/" + kSrc + "/channel-9/close", close_record(f, 3, 3));
  CHECK(r.status == 404);
  CHECK(code_of(r) == "ERR_UNKNOWN_CHANNEL");
  CHECK(http_request(f.node->port, "POST", path, close_record(f, 3, 3).dump()).status == 401);

  r = f.post(path, close_record(f, 3, 3));
  INFO(r.body);
  REQUIRE(r.status == 200);
  json j = json::parse(r.body);
  REQUIRE(j["channels"].size() == 2);
  CHECK(j["channels"][0]["island"] == kSrc);
  CHECK(j["channels"][0]["state"] == "closed");
  CHECK(j["channels"][1]["island"] == kDst);
  CHECK(j["channels"][1]["state"] == "closed");
  const std::uint64_t idx = j["audit_index"].get<std::uint64_t>();
  CHECK(test::count_rows(f.dir, "SELECT count(*) FROM audit_leaves WHERE kind = 'channel_closed' AND idx >= " +
                         std::to_string(idx)) == 2);
  CHECK(f.node->get_json("/v1/islands/" + kSrc)["nonce"] == 3);
  CHECK(f.node->get_json("/v1/islands/" + kDst)["nonce"] == 3);
  // Again: already closed.
  r = f.post(path, close_record(f, 4, 4));
  CHECK(r.status == 422);
  CHECK(code_of(r) == "ERR_CHANNEL_CLOSED");

  // A new packet on the closed channel is refused at intake; the packet taken in before keeps its stage.
  r = f.submit(1);
  CHECK(r.status == 422);
  CHECK(code_of(r) == "ERR_CHANNEL_CLOSED");
  r = f.submit(0);
  CHECK(r.status == 200);
  CHECK(json::parse(r.body)["existing"] == true);
  CHECK(json::parse(r.body)["stage"] == "attested");
  CHECK(f.node->relay->packet_count() == 1);

  f.restart();
  const json chans = f.node->get_json("/v1/channels");
  REQUIRE(chans["channels"].size() == 2);
  CHECK(chans["channels"][0]["state"] == "closed");
  CHECK(chans["channels"][1]["state"] == "closed");
  CHECK(f.node->get_json("/v1/islands/" + kSrc)["nonce"] == 3);
  r = f.submit(1);
  CHECK(r.status == 422);
  CHECK(code_of(r) == "ERR_CHANNEL_CLOSED");
  r = f.post(path, close_record(f, 3, 3));  // the same records replayed after the restart
  CHECK(r.status == 422);
  CHECK(code_of(r) == "ERR_CHANNEL_CLOSED");
  f.node.reset();
  test::check_relay_audit_log(f.dir, 1);
}

TEST_CASE("POST /v1/islands/{id}/recover: a frozen client gets a governance-signed anchor, takes packets again; "
          "refused for an active client and for a stale nonce; survives a restart") {
  Fixture f("recover");
  REQUIRE(f.submit(0).status == 201);  // the client now holds block 1 (carried by bundle 0)
  const std::string path = "/v1/islands/" + kSrc + "/recover";
  domain::ClientRecoverRecord rec;
  rec.anchor = held_block_1(f);
  auto signed_rec = [&](std::uint64_t nonce) { return recover_record(f, rec.anchor, nonce); };

  // An active client needs no recovery.
  auto r = f.post(path, signed_rec(3));
  CHECK(r.status == 422);
  CHECK(code_of(r) == "ERR_ILLEGAL_TRANSITION");

  // The engine has no misbehaviour detector that persists a freeze yet (A14 detection lives in the light
  // clients): the freeze is written as it would be stored (client_states.status), which the relay loads.
  freeze_src(f);
  CHECK(f.node->get_json("/v1/islands/" + kSrc)["client"]["status"] == "frozen");
  r = f.submit(1);
  CHECK(r.status == 422);
  CHECK(code_of(r) == "ERR_CLIENT_FROZEN");

  r = f.post(path, signed_rec(2));  // stale nonce
  CHECK(r.status == 422);
  CHECK(code_of(r) == "ERR_GOVERNANCE_NONCE");
  r = f.post("/v1/islands/" + kDst + "/recover", signed_rec(3));
  CHECK(r.status == 422);
  CHECK(code_of(r) == "ERR_ISLAND_MISMATCH");
  CHECK(f.node->get_json("/v1/islands/" + kSrc)["client"]["status"] == "frozen");

  REQUIRE(f.node->relay->set_scan_height(kSrc, 3, {}).has_value());  // the source scan had passed block 1
  r = f.post(path, signed_rec(3));
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(f.node->relay->scan_height(kSrc) == std::optional<std::uint64_t>(1));  // rescanned from the new anchor
  json j = json::parse(r.body);
  CHECK(j["nonce"] == 3);
  CHECK(j["client"]["status"] == "active");
  CHECK(j["client"]["consensus_states"] == 1);  // the recovered anchor replaces the states held before
  CHECK(j["client"]["latest"]["height"] == 1);
  CHECK(j["client"]["latest"]["hash"] == to_hex(rec.anchor.hash.view()));
  CHECK(j["client"]["latest"]["audit_index"] == j["audit_index"]);
  CHECK(j["spec"]["anchor"]["height"] == 1);
  CHECK(test::count_rows(f.dir, "SELECT count(*) FROM audit_leaves WHERE kind = 'client_recovered'") == 1);
  r = f.post(path, signed_rec(3));  // the same record again: the client is active now
  CHECK(r.status == 422);
  CHECK(code_of(r) == "ERR_ILLEGAL_TRANSITION");

  // Packets are taken again (bundle 1 is anchored at block 1, the recovered anchor).
  r = f.submit(1);
  INFO(r.body);
  CHECK(r.status == 201);

  f.restart();
  j = f.node->get_json("/v1/islands/" + kSrc);
  CHECK(j["nonce"] == 3);
  CHECK(j["client"]["status"] == "active");
  CHECK(j["client"]["consensus_states"] == 2);  // the anchor and block 2 (carried by bundle 1)
  CHECK(j["spec"]["anchor"]["height"] == 1);
  CHECK(j["spec"]["anchor"]["hash"] == to_hex(rec.anchor.hash.view()));
  CHECK(f.node->relay->scan_height(kSrc) == std::optional<std::uint64_t>(1));
  CHECK(f.submit(2).status == 201);
  f.node.reset();
  test::check_relay_audit_log(f.dir, 3);
}

TEST_CASE("A21 POST /v1/islands/{id}/recover: a client whose latest held state is older than the trusting period "
          "is expired and can be recovered (journal prior_status 'expired') to an anchor inside it; survives a restart") {
  Fixture f("expired");
  REQUIRE(f.submit(0).status == 201);  // the client now holds block 1
  const domain::TrustAnchor block1 = held_block_1(f);
  const domain::TrustAnchor block2 = block_2(f);
  const std::string path = "/v1/islands/" + kSrc + "/recover";
  // Within the trusting period the client is active: no recovery.
  auto r = f.post(path, recover_record(f, block2, 3));
  CHECK(r.status == 422);
  CHECK(code_of(r) == "ERR_ILLEGAL_TRANSITION");

  // The relay's clock at the end of the trusting period of the latest held state (block 1): expired. Block 2, one
  // second later, is still inside its own.
  const std::uint64_t block1_ms =
      f.node->get_json("/v1/islands/" + kSrc + "/client")["latest"]["time_ms"].get<std::uint64_t>();
  f.clock_at_ms->store(block1_ms + f.island(0).spec.trusting_period_s * 1000);
  json c = f.node->get_json("/v1/islands/" + kSrc + "/client");
  REQUIRE(c["status"] == "expired");
  r = f.post(path, recover_record(f, block2, 2));  // stale nonce: refused, nothing written
  CHECK(r.status == 422);
  CHECK(code_of(r) == "ERR_GOVERNANCE_NONCE");
  // Block 1 again as the anchor would leave the client expired the moment it is recovered: refused, nothing written.
  r = f.post(path, recover_record(f, block1, 3));
  CHECK(r.status == 422);
  CHECK(code_of(r) == "ERR_CLIENT_EXPIRED");
  CHECK(test::count_rows(f.dir, "SELECT count(*) FROM governance_journal") == 0);
  CHECK(test::count_rows(f.dir, "SELECT count(*) FROM audit_leaves WHERE kind = 'client_recovered'") == 0);
  r = f.post(path, recover_record(f, block2, 3));
  INFO(r.body);
  REQUIRE(r.status == 200);
  json j = json::parse(r.body);
  CHECK(j["nonce"] == 3);
  CHECK(j["client"]["status"] == "active");  // the recovered anchor is inside the trusting period at this clock
  CHECK(j["client"]["consensus_states"] == 1);
  CHECK(j["client"]["latest"]["height"] == 2);
  CHECK(test::count_rows(f.dir, "SELECT count(*) FROM governance_journal WHERE action = 'client.recover' AND "
                                "prior_status = 'expired' AND nonce = 3") == 1);
  CHECK(test::count_rows(f.dir, "SELECT count(*) FROM client_states WHERE status = 'active' AND island = '" + kSrc +
                                    "'") == 1);

  f.restart();  // the journal replays the expiry, then the recover
  j = f.node->get_json("/v1/islands/" + kSrc);
  CHECK(j["nonce"] == 3);
  CHECK(j["client"]["status"] == "active");
  CHECK(j["spec"]["anchor"]["height"] == 2);
  r = f.submit(2);  // anchored at block 2, carrying block 3: taken at the same clock
  INFO(r.body);
  CHECK(r.status == 201);
  f.node.reset();
  test::check_relay_audit_log(f.dir, 2);
}

TEST_CASE("A21 client recover: an anchor already past the island's trusting period at the relay's clock is refused "
          "with ERR_CLIENT_EXPIRED at anchor, writing nothing (no journal row, no audit entry, same nonce, status "
          "and states); one millisecond earlier the same record applies") {
  Fixture f("recover-stale");
  REQUIRE(f.submit(0).status == 201);  // the client holds block 1
  const domain::TrustAnchor block1 = held_block_1(f);
  freeze_src(f);
  const std::uint64_t period_s = f.island(0).spec.trusting_period_s;
  // The recovered state's time is the anchor's time_s · 1000: its trusting period ends at end_ms.
  const std::uint64_t end_ms = block1.time_s * 1000 + period_s * 1000;
  const std::int64_t leaves = test::count_rows(f.dir, "SELECT count(*) FROM audit_leaves");
  engine::Relay& relay = *f.node->relay;
  f.clock_at_ms->store(end_ms);
  auto r = relay.recover_client(engine::recover_from_json(recover_record(f, block1, 3)).value());
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Code::ClientExpired);
  CHECK(r.error().at == "anchor");
  CHECK(r.error().detail == "the anchor at height 1 (time " + std::to_string(block1.time_s * 1000) +
                                " ms) is already past the island's trusting period of " + std::to_string(period_s) +
                                " s at the relay's clock " + std::to_string(end_ms) +
                                " ms (time + trusting period <= now, A21): the client would be expired as soon as it "
                                "is recovered; sign a newer anchor");
  auto held = relay.island_record(kSrc);
  REQUIRE(held.has_value());
  CHECK(held->status == domain::ClientStatus::Frozen);
  CHECK(held->nonce == 2);
  CHECK(held->spec == f.island(0).spec);
  CHECK(relay.consensus_states(kSrc).size() == 2);  // block 0 (the registered anchor) and block 1
  CHECK(test::count_rows(f.dir, "SELECT count(*) FROM governance_journal") == 0);
  CHECK(test::count_rows(f.dir, "SELECT count(*) FROM audit_leaves") == leaves);
  CHECK(test::count_rows(f.dir, "SELECT nonce FROM islands WHERE id = '" + kSrc + "'") == 2);
  CHECK(test::count_rows(f.dir, "SELECT count(*) FROM client_states WHERE status = 'frozen' AND island = '" + kSrc +
                                    "'") == 1);
  CHECK(test::count_rows(f.dir, "SELECT count(*) FROM consensus_states WHERE island = '" + kSrc + "'") == 2);
  // Over HTTP: 422 with the same code and location.
  auto h = f.post("/v1/islands/" + kSrc + "/recover", recover_record(f, block1, 3));
  CHECK(h.status == 422);
  CHECK(code_of(h) == "ERR_CLIENT_EXPIRED");
  CHECK(json::parse(h.body)["error"]["details"]["at"] == "anchor");
  CHECK(relay.island_record(kSrc)->status == domain::ClientStatus::Frozen);

  // One millisecond before the end of the anchor's trusting period the same record (nonce 3, unused) applies.
  f.clock_at_ms->store(end_ms - 1);
  auto ok = relay.recover_client(engine::recover_from_json(recover_record(f, block1, 3)).value());
  INFO((ok ? std::string("ok") : ok.error().detail));
  REQUIRE(ok.has_value());
  CHECK(ok->island.status == domain::ClientStatus::Active);
  CHECK(ok->island.nonce == 3);
  CHECK(ok->audit_index == static_cast<std::uint64_t>(leaves));
  CHECK(test::count_rows(f.dir, "SELECT count(*) FROM governance_journal WHERE action = 'client.recover' AND "
                                "prior_status = 'frozen' AND nonce = 3") == 1);
}

TEST_CASE("Relay::update_island / recover_client / close_channel: a refused record writes nothing (no journal row, "
          "no audit leaf, same nonce), also when relay/domain accepted it and the family plug-in refused it after") {
  Fixture f("relay");
  const auto leaves = [&] { return test::count_rows(f.dir, "SELECT count(*) FROM audit_leaves"); };
  const std::int64_t before = leaves();
  engine::Relay& relay = *f.node->relay;

  domain::IslandSpec spec = f.island(0).spec;
  domain::SignedIsland upd{spec, 4, {}};  // stale-ahead nonce (current is 2)
  upd.signatures = {domain::sign_governance(domain::island_digest(domain::GovAction::IslandUpdate, spec, 4), gov_src()).value()};
  auto u = relay.update_island(upd);
  REQUIRE_FALSE(u.has_value());
  CHECK(u.error().code == Code::GovernanceNonce);

  engine::ChannelPair pair = f.w.config.channels[0];
  pair.a.nonce = 3;
  pair.b.nonce = 3;
  pair.a.signatures = {domain::sign_governance(domain::channel_digest(domain::GovAction::ChannelClose, pair.a.spec,
                                                                      spec.genesis, 3),
                                               gov_dst())  // the wrong island's key
                           .value()};
  pair.b.signatures = {domain::sign_governance(domain::channel_digest(domain::GovAction::ChannelClose, pair.b.spec,
                                                                      f.island(1).spec.genesis, 3),
                                               gov_dst())
                           .value()};
  auto c = relay.close_channel(pair);
  REQUIRE_FALSE(c.has_value());
  CHECK(c.error().code == Code::NotValidator);
  CHECK(c.error().at == "a.signatures[0]");
  CHECK(relay.channel_status(domain::ChannelKey{kSrc, "channel-0"})->state == "open");

  // A frozen client; a recover record relay/domain accepts but whose anchor the devnet plug-in cannot read
  // (extra must be the 32-byte validator-set hash): rolled back, the in-memory state rebuilt.
  freeze_src(f);
  domain::ClientRecoverRecord rec;
  rec.island = kSrc;
  rec.anchor = spec.anchor;
  rec.anchor.extra = Bytes{1, 2, 3};
  rec.nonce = 3;
  rec.signatures = {domain::sign_governance(domain::recover_digest(kSrc, spec.genesis, rec.anchor, 3), gov_src()).value()};
  auto r = f.node->relay->recover_client(rec);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Code::InvalidArgument);
  auto now = f.node->relay->island_record(kSrc);
  REQUIRE(now.has_value());
  CHECK(now->status == domain::ClientStatus::Frozen);
  CHECK(now->nonce == 2);
  CHECK(now->spec == spec);
  CHECK(f.node->relay->consensus_states(kSrc).size() == 1);
  CHECK(test::count_rows(f.dir, "SELECT count(*) FROM governance_journal") == 0);
  CHECK(test::count_rows(f.dir, "SELECT nonce FROM islands WHERE id = '" + kSrc + "'") == 2);
  CHECK(leaves() == before);
  // The same record with the right extra applies (nonce 3 was not used up by the failure).
  rec.anchor.extra = spec.anchor.extra;
  rec.signatures = {domain::sign_governance(domain::recover_digest(kSrc, spec.genesis, rec.anchor, 3), gov_src()).value()};
  auto ok = f.node->relay->recover_client(rec);
  REQUIRE(ok.has_value());
  CHECK(ok->island.status == domain::ClientStatus::Active);
  CHECK(ok->island.nonce == 3);
  CHECK(ok->audit_index == static_cast<std::uint64_t>(before));
  CHECK(leaves() == before + 1);
  CHECK(test::count_rows(f.dir, "SELECT count(*) FROM governance_journal WHERE action = 'client.recover' AND "
                     "prior_status = 'frozen' AND nonce = 3") == 1);
}

namespace {

// A source adapter for Lifecycle::watch_source: tip `tip`, no sent packets; `during_scan` runs inside the first
// scan_sent call — after watch_source planned its range from the scan height, before it records the new height —
// so a test interleaves a change there deterministically (no threads, no sleeps).
struct ScanHookAdapter final : adapters::ChainAdapter {
  std::string id;
  std::uint64_t tip = 0;
  std::function<void()> during_scan;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> scans;  // (from, to) of every scan_sent call
  std::string island() const override { return id; }
  Result<std::string> follow_headers(std::uint64_t, std::size_t) override { return fail(Code::Unsupported, "test"); }
  Result<std::string> fetch_proof(const Hash32&, std::uint64_t, std::uint64_t) override {
    return fail(Code::Unsupported, "test");
  }
  Result<adapters::Submitted> submit_delivery(const adapters::Delivery&) override { return fail(Code::Unsupported, "test"); }
  Result<adapters::DeliveryStatus> lookup_delivery(const Hash32&, ByteView) override {
    return fail(Code::Unsupported, "test");
  }
  Result<std::uint64_t> latest_height() override { return tip; }
  Result<std::vector<adapters::SentPacketRef>> scan_sent(std::uint64_t from, std::uint64_t to) override {
    scans.emplace_back(from, to);
    if (during_scan) std::exchange(during_scan, nullptr)();
    return std::vector<adapters::SentPacketRef>{};
  }
};

// The source island's client.recover record to `anchor` with `nonce` (typed).
domain::ClientRecoverRecord recover_typed(const Fixture& f, const domain::TrustAnchor& anchor, std::uint64_t nonce) {
  return engine::recover_from_json(recover_record(f, anchor, nonce)).value();
}

}  // namespace

TEST_CASE("Relay::set_scan_height: a source scan planned before a client recover commits never raises the scan "
          "height the recover lowered (a recover always wins); the next pass rescans from the recovered anchor") {
  Fixture f("scan-race");
  REQUIRE(f.submit(0).status == 201);  // the client holds block 1
  const domain::TrustAnchor anchor = held_block_1(f);
  freeze_src(f);  // recoverable (an expired client could only be recovered to an anchor newer than block 1)
  engine::Relay& relay = *f.node->relay;
  REQUIRE(relay.set_scan_height(kSrc, 3, {}).has_value());  // the source scan had passed block 1

  engine::Lifecycle::Options o;
  o.log = [](const std::string&) {};
  engine::Lifecycle lc(relay, o);
  ScanHookAdapter a;
  a.id = kSrc;
  a.tip = 9;
  bool recovered = false;
  a.during_scan = [&] {  // the scan of 4…9 is under way when the recover commits
    auto r = relay.recover_client(recover_typed(f, anchor, 3));
    INFO((r ? std::string("ok") : r.error().detail));
    REQUIRE(r.has_value());
    recovered = true;
    CHECK(relay.scan_height(kSrc) == std::optional<std::uint64_t>(1));
  };
  lc.watch_source(a);
  REQUIRE(recovered);
  REQUIRE(a.scans.size() == 1);
  CHECK(a.scans[0] == std::make_pair(std::uint64_t{4}, std::uint64_t{9}));
  // The scan planned before the recover did not write 9 over the recover's 1.
  CHECK(relay.scan_height(kSrc) == std::optional<std::uint64_t>(1));
  CHECK(test::count_rows(f.dir, "SELECT height FROM scan_progress WHERE island = '" + kSrc + "'") == 1);
  // The next pass scans again from just above the recovered anchor.
  lc.watch_source(a);
  REQUIRE(a.scans.size() == 2);
  CHECK(a.scans[1] == std::make_pair(std::uint64_t{2}, std::uint64_t{9}));
  CHECK(relay.scan_height(kSrc) == std::optional<std::uint64_t>(9));
}

TEST_CASE("A21 GET /v1/islands/{id}/client: a client whose latest held state is older than its trusting period is "
          "reported expired (judged as client recover judges it, with the relay's clock); frozen wins over expired") {
  Fixture f("status");
  REQUIRE(f.submit(0).status == 201);  // the client holds block 1
  const std::string client = "/v1/islands/" + kSrc + "/client";
  json c = f.node->get_json(client);
  CHECK(c["status"] == "active");
  CHECK(c["frozen"] == false);
  const std::uint64_t latest_ms = c["latest"]["time_ms"].get<std::uint64_t>();
  const std::uint64_t tp_ms = f.island(0).spec.trusting_period_s * 1000;
  // The relay's clock one hour before the end of the trusting period: still active.
  const std::uint64_t w = wall_ms();
  REQUIRE(latest_ms + tp_ms > w + 3'600'000);
  f.clock_ahead_ms->store(latest_ms + tp_ms - 3'600'000 - w);
  CHECK(f.node->get_json(client)["status"] == "active");
  // Past it: expired, in every view of the client (the island, the island list) — as client recover judges it.
  f.clock_ahead_ms->store(latest_ms + tp_ms + 3'600'000 - w);
  c = f.node->get_json(client);
  CHECK(c["status"] == "expired");
  CHECK(c["frozen"] == false);
  CHECK(c["expiry_s"].get<std::int64_t>() < 0);
  CHECK(f.node->get_json("/v1/islands/" + kSrc)["client"]["status"] == "expired");
  CHECK(f.node->get_json("/v1/islands")["islands"][0]["client"]["status"] == "expired");
  CHECK(f.node->get_json("/v1/islands/" + kDst + "/client")["status"] == "expired");  // its anchor is as old
  // Frozen wins over expired.
  freeze_src(f);
  c = f.node->get_json(client);
  CHECK(c["status"] == "frozen");
  CHECK(c["frozen"] == true);
}

TEST_CASE("audit verify: after a client_recovered entry the island's trusted states are exactly its anchor; a later "
          "bundle anchored at a state the recover dropped fails with ERR_UNTRUSTED_ANCHOR naming the recover") {
  Fixture f("audit-recover");
  REQUIRE(f.submit(0).status == 201);  // packet_verified of bundle 0: anchored at the registered anchor (block 0)
  const domain::TrustAnchor block1 = held_block_1(f);
  f.node.reset();
  // A log whose entries are the relay's own, with a client_recovered (anchor block 1, dropping block 0) placed
  // before the packet_verified of bundle 0: a relay that honours the recover could never have written it.
  std::vector<audit::LeafRecord> src_leaves;
  std::map<std::string, std::string> bundles;  // bundle_hash hex → text
  {
    auto db = store::open_relay_database(f.dir + "/causeway.db");
    REQUIRE(db.has_value());
    auto log = audit::AuditLog::open(*db);
    REQUIRE(log.has_value());
    src_leaves = log->leaves(0, 1000).value();
    for (const auto& l : src_leaves)
      if (l.bundle_hash) bundles[to_hex(l.bundle_hash->view())] = log->bundle(*l.bundle_hash).value().value();
  }
  std::size_t pv = 0;
  while (pv < src_leaves.size() && json::parse(src_leaves[pv].data)["kind"] != "packet_verified") ++pv;
  REQUIRE(pv < src_leaves.size());
  const std::string recovered_at = "leaves[" + std::to_string(pv) + "]";
  const std::string bundle_at = "leaves[" + std::to_string(pv + 1) + "]";
  const json pv_doc = json::parse(src_leaves[pv].data);
  const std::string dir2 = f.dir + "-forged";
  std::filesystem::remove_all(dir2);
  std::filesystem::create_directories(dir2);
  {
    auto db = store::open_relay_database(dir2 + "/causeway.db");
    REQUIRE(db.has_value());
    auto log = audit::AuditLog::open(*db);
    REQUIRE(log.has_value());
    auto tx = store::Transaction::begin(*db);
    REQUIRE(tx.has_value());
    for (std::size_t i = 0; i < pv; ++i)
      REQUIRE(log->append(*tx, audit::make_event(json::parse(src_leaves[i].data)).value()).has_value());
    auto recovered = audit::build(audit::ClientRecovered{kSrc, std::uint64_t{1}, block1.hash, sha256(ByteView{}),
                                                         Hash32::from(ByteView(block1.extra.data(), block1.extra.size()))},
                                  pv_doc["time_ms"].get<std::uint64_t>());
    REQUIRE(recovered.has_value());
    REQUIRE(log->append(*tx, *recovered).has_value());
    REQUIRE(log->append(*tx, audit::make_event(pv_doc, bundles.at(pv_doc["bundle_hash"].get<std::string>())).value())
                .has_value());
    REQUIRE(tx->commit().has_value());
    auto key = audit::AuditKey::from_secret(Bytes(32, 0x07));
    REQUIRE(key.has_value());
    REQUIRE(log->sign_tree_head(*key, wall_ms()).has_value());
    audit::DatabaseSource src(*log);
    auto report = audit::verify_log(src);
    REQUIRE(report.has_value());
    CHECK_FALSE(report->ok);
    REQUIRE(report->error.has_value());
    INFO(report->error->detail);
    CHECK(report->error->code == Code::UntrustedAnchor);
    CHECK(report->error->at == bundle_at + ".bundle.anchor");
    CHECK(report->leaf_index == std::optional<std::uint64_t>(pv + 1));
    CHECK(report->error->detail.find("a state that the client_recovered entry at " + recovered_at + " dropped") !=
          std::string::npos);
    CHECK(report->entries == pv + 1);
    CHECK(report->bundles_verified == 0);
  }
  std::filesystem::remove_all(dir2);
  // The relay's own log (bundle 0 before any recover) still verifies.
  test::check_relay_audit_log(f.dir, 1);
}

TEST_CASE("Relay start: a governance_journal row whose audit entry is not its record's (another kind, or the "
          "record of another island) refuses to start with ERR_STORE_CONFLICT naming the row") {
  Fixture f("journal-tamper");
  REQUIRE(f.submit(0).status == 201);
  REQUIRE(f.put("/v1/islands/" + kSrc, update_record(f.island(0).spec, 3, {gov_src()})).status == 200);
  REQUIRE(f.put("/v1/islands/" + kDst, update_record(f.island(1).spec, 3, {gov_dst()})).status == 200);
  f.restart();  // untampered: starts
  f.node.reset();
  const std::int64_t src_seq =
      test::count_rows(f.dir, "SELECT seq FROM governance_journal WHERE island = '" + kSrc + "'");
  const std::int64_t src_idx =
      test::count_rows(f.dir, "SELECT audit_index FROM governance_journal WHERE island = '" + kSrc + "'");
  const std::int64_t dst_idx =
      test::count_rows(f.dir, "SELECT audit_index FROM governance_journal WHERE island = '" + kDst + "'");
  const std::int64_t pv_idx = test::count_rows(f.dir, "SELECT idx FROM audit_leaves WHERE kind = 'packet_verified'");
  auto exec = [&](const std::string& sql) { exec_on_closed_relay(f.dir, sql); };
  auto open_err = [&] { return refused_open(f.dir); };
  const std::string row = "governance_journal seq " + std::to_string(src_seq);

  SECTION("the row points at an entry of another kind (packet_verified)") {
    exec("UPDATE governance_journal SET audit_index = " + std::to_string(pv_idx) + " WHERE seq = " +
         std::to_string(src_seq));
    const Error e = open_err();
    INFO(e.detail);
    CHECK(e.code == Code::StoreConflict);
    CHECK(e.detail.find(row) != std::string::npos);
    CHECK(e.detail.find("packet_verified") != std::string::npos);
  }
  SECTION("the rows of two islands' updates swap their audit entries (right kind, other island)") {
    exec("UPDATE governance_journal SET audit_index = 1000000 WHERE audit_index = " + std::to_string(src_idx) +
         "; UPDATE governance_journal SET audit_index = " + std::to_string(src_idx) + " WHERE audit_index = " +
         std::to_string(dst_idx) + "; UPDATE governance_journal SET audit_index = " + std::to_string(dst_idx) +
         " WHERE audit_index = 1000000");
    const Error e = open_err();
    INFO(e.detail);
    CHECK(e.code == Code::StoreConflict);
    CHECK(e.detail.find("governance_journal seq ") != std::string::npos);
    CHECK(e.detail.find(kSrc) != std::string::npos);
    CHECK(e.detail.find(kDst) != std::string::npos);
  }
  SECTION("the row points past the end of the log") {
    exec("UPDATE governance_journal SET audit_index = 1000000 WHERE seq = " + std::to_string(src_seq));
    const Error e = open_err();
    INFO(e.detail);
    CHECK(e.code == Code::StoreConflict);
    CHECK(e.detail.find(row) != std::string::npos);
  }
}

TEST_CASE("Relay start: an islands row whose registered_index, or a channels row whose opened_index, is not its "
          "record's audit entry (island_registered / channel_opened) refuses to start with ERR_STORE_CONFLICT naming "
          "the row") {
  Fixture f("opening-tamper");
  REQUIRE(f.submit(0).status == 201);
  f.restart();  // untampered: starts
  f.node.reset();
  auto index_of = [&](const std::string& sql) { return std::to_string(test::count_rows(f.dir, sql)); };
  const std::string src_reg = index_of("SELECT registered_index FROM islands WHERE id = '" + kSrc + "'");
  const std::string dst_reg = index_of("SELECT registered_index FROM islands WHERE id = '" + kDst + "'");
  const std::string a_open = index_of("SELECT opened_index FROM channels WHERE island = '" + kSrc + "'");
  const std::string b_open = index_of("SELECT opened_index FROM channels WHERE island = '" + kDst + "'");
  REQUIRE(std::stoll(b_open) == std::stoll(a_open) + 1);  // open_channel appends end a's entry, then end b's
  auto exec = [&](const std::string& sql) { exec_on_closed_relay(f.dir, sql); };
  auto open_err = [&] { return refused_open(f.dir); };
  const std::string island_row = "islands id " + kSrc + " (island.register at audit index ";
  const std::string disagrees = ") disagrees with the audit log: entry ";

  SECTION("an island's row points at the other island's island_registered entry; restored, the relay starts") {
    exec("UPDATE islands SET registered_index = " + dst_reg + " WHERE id = '" + kSrc + "'");
    const Error e = open_err();
    CHECK(e.code == Code::StoreConflict);
    CHECK(e.at == "islands");
    CHECK(e.detail == island_row + dst_reg + disagrees + dst_reg + " (island_registered) has island " + kDst +
                          ", the row's record " + kSrc);
    exec("UPDATE islands SET registered_index = " + src_reg + " WHERE id = '" + kSrc + "'");
    engine::RelayOptions o;
    o.data_dir = f.dir;
    auto r = engine::Relay::open(o);
    INFO((r ? std::string("ok") : r.error().detail));
    CHECK(r.has_value());
  }
  SECTION("an island's row points at an entry of another kind (channel_opened)") {
    exec("UPDATE islands SET registered_index = " + a_open + " WHERE id = '" + kSrc + "'");
    const Error e = open_err();
    CHECK(e.code == Code::StoreConflict);
    CHECK(e.at == "islands");
    CHECK(e.detail == island_row + a_open + disagrees + a_open + " is channel_opened, not island_registered");
  }
  SECTION("an island's row points past the end of the log") {
    exec("UPDATE islands SET registered_index = 1000000 WHERE id = '" + kSrc + "'");
    const Error e = open_err();
    CHECK(e.code == Code::StoreConflict);
    CHECK(e.at == "islands");
    CHECK(e.detail == island_row + "1000000) disagrees with the audit log: the log has no entry 1000000");
  }
  SECTION("a channel end's row points at the other end's channel_opened entry") {
    exec("UPDATE channels SET opened_index = " + b_open + " WHERE island = '" + kSrc + "'");
    const Error e = open_err();
    CHECK(e.code == Code::StoreConflict);
    CHECK(e.at == "channels");
    CHECK(e.detail == "channels " + kSrc + "/channel-0 (channel.open at audit index " + b_open + disagrees + b_open +
                          " (channel_opened) has island " + kDst + ", the row's record " + kSrc);
  }
  SECTION("the two ends' rows swap their entries") {
    exec("UPDATE channels SET opened_index = " + b_open + " WHERE island = '" + kSrc + "'; UPDATE channels SET "
         "opened_index = " + a_open + " WHERE island = '" + kDst + "'");
    const Error e = open_err();
    CHECK(e.code == Code::StoreConflict);
    CHECK(e.at == "channels");
    CHECK(e.detail == "channels " + kDst + "/channel-0 (channel.open at audit index " + a_open + disagrees + a_open +
                          " (channel_opened) has island " + kSrc + ", the row's record " + kDst);
  }
  SECTION("a channel end's row points at an entry of another kind (island_registered)") {
    exec("UPDATE channels SET opened_index = " + src_reg + " WHERE island = '" + kSrc + "'");
    const Error e = open_err();
    CHECK(e.code == Code::StoreConflict);
    CHECK(e.at == "channels");
    CHECK(e.detail == "channels " + kSrc + "/channel-0 (channel.open at audit index " + src_reg + disagrees + src_reg +
                          " is island_registered, not channel_opened");
  }
}
