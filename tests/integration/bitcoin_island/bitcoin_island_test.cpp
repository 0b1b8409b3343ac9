// A Bitcoin mainnet island in a real engine::Relay behind a real gateway::Server (issue #7 "the main job": a
// Bitcoin island anchored at a real checkpoint and fed real mainnet headers). The island is registered through
// POST /v1/islands with a governance-signed record anchored at block 562621 of
// ../shared/vectors/bitcoin/summa-tx_bitcoin-spv/headers.json; its headers arrive through
// POST /v1/islands/{id}/headers and are verified by light_clients/bitcoin (relay/proofs verify_bitcoin_headers).
// The relay is then reopened from its data directory: the verified tip is still held.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "causeway/core/hex.hpp"
#include "causeway/core/secp256k1.hpp"
#include "causeway/domain/governance.hpp"
#include "causeway/domain/island.hpp"
#include "causeway/engine/config.hpp"
#include "causeway/engine/relay.hpp"
#include "causeway/gateway/api_routes.hpp"
#include "causeway/gateway/server.hpp"
#include "http_client.hpp"
#include "vectors.hpp"

using namespace causeway;
using nlohmann::json;
using test::http_request;

namespace {

constexpr const char* kToken = "Bearer bitcoin-island-test-token-0123456789";
const std::vector<std::pair<std::string, std::string>> kAuth = {{"Authorization", kToken}};
const std::string kIsland = "bip122:000000000019d6689c085ae165831e93";
const std::string kPathIsland = "bip122%3A000000000019d6689c085ae165831e93";
const std::string kGenesis = "0x000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f";
const std::string kTip = "0x0000000000000000000fb8dba7f48eb65dbc24c6dc03d6f84823b5d59c7c4148";

std::string with0x(const std::string& s) { return s.starts_with("0x") ? s : "0x" + s; }

// A relay and its API on an ephemeral loopback port, over `dir`.
struct Node {
  std::unique_ptr<engine::Relay> relay;
  std::unique_ptr<gateway::Server> server;
  std::shared_ptr<gateway::ApiContext> ctx;
  std::uint16_t port = 0;

  explicit Node(const std::string& dir) {
    engine::RelayOptions o;
    o.data_dir = dir;
    o.commit.max_wait = std::chrono::microseconds(200);
    o.log = [](const std::string&) {};
    auto r = engine::Relay::open(o);
    if (!r) throw std::runtime_error(r.error().detail);
    relay = std::move(*r);
    gateway::ServerOptions so;
    so.port = 0;
    server = std::make_unique<gateway::Server>(so);
    ctx = std::make_shared<gateway::ApiContext>(*relay, dir);
    ctx->authorize_operator = [](const gateway::Request& req) -> Status {
      if (req.header("authorization") == kToken) return {};
      return fail(Code::Unauthorized, "operator token missing or wrong");
    };
    gateway::add_api_routes(*server, ctx);
    auto p = server->start();
    if (!p) throw std::runtime_error(p.error().detail);
    port = *p;
  }
  ~Node() {
    server->stop();
    relay->stop();
  }
  test::HttpResult post(const std::string& target, const std::string& body,
                        const std::vector<std::pair<std::string, std::string>>& headers = {}) const {
    return http_request(port, "POST", target, body, headers);
  }
  json get_json(const std::string& target) const {
    auto r = http_request(port, "GET", target);
    INFO(target << " -> " << r.status << " " << r.body);
    REQUIRE(r.status == 200);
    return json::parse(r.body);
  }
};

// The governance-signed registration: checkpoint 562621 (hash in display order, its header time), 6
// confirmations, a P2WPKH deposit script, one governance key.
json island_record(const json& v) {
  const auto sk = secp256k1::parse_secret_key(Bytes(32, 0x42)).value();
  const auto gov_addr = secp256k1::eth_address(secp256k1::public_key_of(sk));
  domain::SignedIsland rec;
  auto& s = rec.spec;
  s.id = kIsland;
  s.genesis = hash_from_hex(kGenesis).value();
  s.family = domain::Family::Bitcoin;
  s.codec = "bitcoin-mainnet";
  s.finality = domain::FinalityRule{domain::FinalityKind::Confirmations, 6};
  s.anchor.height = 562621;
  s.anchor.hash = hash_from_hex(v["genesis"]["digest"].get<std::string>()).value();
  s.anchor.time_s = v["genesis"]["timestamp"].get<std::uint64_t>();
  s.endpoint = from_hex("0x0014" + std::string(40, '1')).value();
  s.governance = domain::make_governance_keys(1, {gov_addr}).value();
  rec.nonce = 1;
  rec.signatures.push_back(
      domain::sign_governance(domain::island_digest(domain::GovAction::IslandRegister, s, rec.nonce), sk).value());
  return engine::island_to_json(rec);
}

json header_document(const json& v, std::size_t from, std::size_t count) {
  const json& anchor = from == 0 ? v["genesis"] : v["chain"][from - 1];
  json headers = json::array();
  for (std::size_t i = from; i < from + count; ++i) headers.push_back(with0x(v["chain"][i]["hex"].get<std::string>()));
  return json{{"version", 1},
              {"family", "bitcoin"},
              {"network", "mainnet"},
              {"island", kIsland},
              {"anchor", {{"height", anchor["height"]}, {"header", with0x(anchor["hex"].get<std::string>())}}},
              {"headers", headers}};
}

std::string error_code(const test::HttpResult& r) { return json::parse(r.body)["error"]["code"].get<std::string>(); }

}  // namespace

TEST_CASE("a Bitcoin mainnet island anchored at a real checkpoint advances only through verified headers") {
  const json v = testing::read_vector_json("bitcoin/summa-tx_bitcoin-spv/headers.json");
  const std::string dir =
      (std::filesystem::temp_directory_path() / ("causeway-btc-island-" + std::to_string(::getpid()))).string();
  std::filesystem::remove_all(dir);
  {
    Node n(dir);
    auto reg = n.post("/v1/islands", island_record(v).dump(), kAuth);
    INFO(reg.body);
    REQUIRE(reg.status == 201);
    CHECK(json::parse(reg.body)["client"]["latest"]["height"] == 562621);

    // A03: a run anchored at a block the relay does not hold (562630) changes nothing.
    auto unheld = n.post("/v1/islands/" + kPathIsland + "/headers", header_document(v, 9, 9).dump());
    CHECK(unheld.status == 422);
    CHECK(error_code(unheld) == "ERR_UNTRUSTED_ANCHOR");

    // The path names the island: a document of another island is refused before verification.
    auto other = n.post("/v1/islands/bip122%3A000000000933ea01ad0ee984209779ba/headers", header_document(v, 0, 2).dump());
    CHECK(other.status == 422);
    CHECK(error_code(other) == "ERR_ISLAND_MISMATCH");

    // Not a header document (schema): 400, nothing changed.
    json bad = header_document(v, 0, 2);
    bad["headers"][0] = "0x00";
    auto schema = n.post("/v1/islands/" + kPathIsland + "/headers", bad.dump());
    CHECK(schema.status == 400);
    CHECK(error_code(schema) == "ERR_BODY_SCHEMA");

    // A tampered header (one nonce byte): the light client refuses it, nothing changed.
    json tampered = header_document(v, 0, 9);
    std::string h = tampered["headers"][8].get<std::string>();
    h[2 + 2 * 79] = h[2 + 2 * 79] == '0' ? '1' : '0';
    tampered["headers"][8] = h;
    auto pow = n.post("/v1/islands/" + kPathIsland + "/headers", tampered.dump());
    CHECK(error_code(pow) == "ERR_BAD_POW");
    CHECK(n.get_json("/v1/islands/" + kPathIsland + "/client")["states"].size() == 1);

    // The real run, in two pushes: 562622…562630 from the checkpoint, then 562631…562639 from the new tip.
    auto first = n.post("/v1/islands/" + kPathIsland + "/headers", header_document(v, 0, 9).dump());
    INFO(first.body);
    REQUIRE(first.status == 200);
    CHECK(json::parse(first.body)["height"] == 562630);
    CHECK(json::parse(first.body)["headers"] == 9);
    auto second = n.post("/v1/islands/" + kPathIsland + "/headers", header_document(v, 9, 9).dump());
    INFO(second.body);
    REQUIRE(second.status == 200);
    CHECK(json::parse(second.body)["height"] == 562639);
    CHECK(json::parse(second.body)["hash"] == kTip);
    CHECK(json::parse(second.body)["time_ms"] == v["chain"][17]["timestamp"].get<std::uint64_t>() * 1000);
    // Pushing the same run again is idempotent.
    auto again = n.post("/v1/islands/" + kPathIsland + "/headers", header_document(v, 9, 9).dump());
    CHECK(again.status == 200);
    const json client = n.get_json("/v1/islands/" + kPathIsland + "/client");
    REQUIRE(client["states"].size() == 3);
    CHECK(client["states"][2]["height"] == 562639);
    CHECK(client["states"][2]["hash"] == kTip);
    CHECK(client["states"][2]["audit_index"].get<std::uint64_t>() > client["states"][1]["audit_index"].get<std::uint64_t>());
  }
  {
    Node reopened(dir);  // nothing lost: the verified tip is a consensus state of the reopened relay
    const json island = reopened.get_json("/v1/islands/" + kPathIsland);
    CHECK(island["client"]["latest"]["height"] == 562639);
    CHECK(island["client"]["latest"]["hash"] == kTip);
    CHECK(island["client"]["status"] == "active");
  }
  std::filesystem::remove_all(dir);
}
