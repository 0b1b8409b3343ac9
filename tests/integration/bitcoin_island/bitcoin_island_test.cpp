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

#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/core/secp256k1.hpp"
#include "causeway/domain/governance.hpp"
#include "causeway/domain/island.hpp"
#include "causeway/engine/config.hpp"
#include "causeway/engine/relay.hpp"
#include "causeway/gateway/api_routes.hpp"
#include "causeway/gateway/server.hpp"
#include "api_node.hpp"
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
struct Node : test::ApiNode {
  explicit Node(const std::string& dir) : test::ApiNode(options(dir), kToken) {}
  static engine::RelayOptions options(const std::string& dir) {
    engine::RelayOptions o;
    o.data_dir = dir;
    return o;
  }
};

// A governance-signed registration of Bitcoin mainnet anchored at `anchor` (a vector header entry: its hash in
// display order, its header time), 6 confirmations (or `confirmations`), a P2WPKH deposit script, one governance key; `extra` is the
// anchor's context (relay/proofs parse_bitcoin_context JSON) or empty.
json island_record(const json& anchor, const std::string& extra = "", std::uint64_t time_s = 0,
                   std::uint64_t confirmations = 6) {
  const auto sk = secp256k1::parse_secret_key(Bytes(32, 0x42)).value();
  const auto gov_addr = secp256k1::eth_address(secp256k1::public_key_of(sk));
  domain::SignedIsland rec;
  auto& s = rec.spec;
  s.id = kIsland;
  s.genesis = hash_from_hex(kGenesis).value();
  s.family = domain::Family::Bitcoin;
  s.codec = "bitcoin-mainnet";
  s.finality = domain::FinalityRule{domain::FinalityKind::Confirmations, confirmations};
  s.anchor.height = anchor["height"].get<std::uint64_t>();
  s.anchor.hash = hash_from_hex(anchor["digest"].get<std::string>()).value();
  s.anchor.time_s = time_s != 0 ? time_s : anchor["timestamp"].get<std::uint64_t>();
  s.anchor.extra = Bytes(extra.begin(), extra.end());
  s.endpoint = from_hex("0x0014" + std::string(40, '1')).value();
  s.governance = domain::make_governance_keys(1, {gov_addr}).value();
  rec.nonce = 1;
  rec.signatures.push_back(
      domain::sign_governance(domain::island_digest(domain::GovAction::IslandRegister, s, rec.nonce), sk).value());
  return engine::island_to_json(rec);
}

std::string temp_dir(const std::string& name) {
  const auto d = std::filesystem::temp_directory_path() / ("causeway-btc-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(d);
  return d.string();
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

// 562622 … 562629 and the real competing block 562630 (parent 562629) from the checkpoint.
json orphan_branch(const json& v) {
  json d = header_document(v, 0, 8);
  d["headers"].push_back(with0x(v["orphan_562630"]["hex"].get<std::string>()));
  return d;
}

std::string error_code(const test::HttpResult& r) { return json::parse(r.body)["error"]["code"].get<std::string>(); }

}  // namespace

TEST_CASE("a Bitcoin mainnet island anchored at a real checkpoint advances only through verified headers") {
  const json v = testing::read_vector_json("bitcoin/summa-tx_bitcoin-spv/headers.json");
  const std::string dir = temp_dir("island");
  {
    Node n(dir);
    auto reg = n.post("/v1/islands", island_record(v["genesis"]).dump(), kAuth);
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

TEST_CASE("A13 a Bitcoin island follows the branch with the most work: a lighter competing branch is refused") {
  const json v = testing::read_vector_json("bitcoin/summa-tx_bitcoin-spv/headers.json");
  const std::string dir = temp_dir("fork");
  const std::string route = "/v1/islands/" + kPathIsland + "/headers";
  {
    Node n(dir);
    REQUIRE(n.post("/v1/islands", island_record(v["genesis"]).dump(), kAuth).status == 201);
    // The real competing block 562630 first: a branch with more work than the checkpoint alone, so it is held.
    auto orphan = n.post(route, orphan_branch(v).dump());
    INFO(orphan.body);
    REQUIRE(orphan.status == 200);
    CHECK(json::parse(orphan.body)["hash"] == v["orphan_562630"]["digest"]);
    // The main run to 562639 has more work: the relay follows it (a reorg), from the checkpoint it holds.
    auto main = n.post(route, header_document(v, 0, 18).dump());
    INFO(main.body);
    REQUIRE(main.status == 200);
    CHECK(json::parse(main.body)["height"] == 562639);
    // The competing branch again: nothing new is held and it is refused as lighter. So is a prefix of the main run
    // that ends below the held tip (562625: less work than 562639).
    auto again_orphan = n.post(route, orphan_branch(v).dump());
    CHECK(again_orphan.status == 200);  // already held: idempotent, nothing changes
    auto prefix = n.post(route, header_document(v, 0, 4).dump());
    CHECK(prefix.status == 422);
    CHECK(error_code(prefix) == "ERR_LESS_WORK");
    CHECK(n.get_json("/v1/islands/" + kPathIsland + "/client")["states"].size() == 3);
  }
  {
    Node reopened(dir);  // the work of each held state survives a restart
    auto prefix = reopened.post(route, header_document(v, 0, 6).dump());
    CHECK(error_code(prefix) == "ERR_LESS_WORK");
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("A13 the anchor's context is the relay's own: a pushed document's timestamps and period start are ignored") {
  const json v = testing::read_vector_json("bitcoin/summa-tx_bitcoin-spv/headers.json");
  const std::string dir = temp_dir("context");
  const std::string route = "/v1/islands/" + kPathIsland + "/headers";
  Node n(dir);
  REQUIRE(n.post("/v1/islands", island_record(v["genesis"]).dump(), kAuth).status == 201);
  REQUIRE(n.post(route, header_document(v, 0, 9).dump()).status == 200);
  // From the held 562630 the relay knows 562621 … 562629's times; a document claiming impossible ancestors'
  // timestamps (all 2^32 − 1: every real header would be "too old") is judged with the relay's, and accepted.
  json lying = header_document(v, 9, 9);
  lying["anchor"]["prev_timestamps_s"] = json::array();
  for (int i = 0; i < 10; ++i) lying["anchor"]["prev_timestamps_s"].push_back(4294967295U);
  lying["anchor"]["period_start_time_s"] = 1;
  auto r = n.post(route, lying.dump());
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(json::parse(r.body)["height"] == 562639);

  // An island of this relay that is not the document's family or not registered at all.
  auto unknown = n.post("/v1/islands/bip122%3A000000000933ea01ad0ee984209779ba/headers", [&] {
    json d = header_document(v, 0, 2);
    d["island"] = "bip122:000000000933ea01ad0ee984209779ba";
    d["network"] = "testnet3";
    return d.dump();
  }());
  CHECK(unknown.status == 404);
  CHECK(error_code(unknown) == "ERR_UNKNOWN_ISLAND");
}

TEST_CASE("A13 a retarget is crossed only with the period start the governance record pinned, never the pusher's") {
  const json r = testing::read_vector_json("bitcoin/summa-tx_bitcoin-spv/headersWithRetarget.json");
  const Bytes start = from_hex(with0x(r["oldPeriodStart"]["hex"].get<std::string>())).value();
  const std::uint32_t period_start = read_le32(start.data() + 68);
  json doc = {{"version", 1},
              {"family", "bitcoin"},
              {"network", "mainnet"},
              {"island", kIsland},
              {"anchor", {{"height", 554390}, {"header", with0x(r["genesis"]["hex"].get<std::string>())}}},
              {"headers", json::array()}};
  for (const auto& h : r["chain"]) doc["headers"].push_back(with0x(h["hex"].get<std::string>()));
  const std::string route = "/v1/islands/" + kPathIsland + "/headers";
  json anchor = r["genesis"];
  anchor["timestamp"] = read_le32(from_hex(with0x(r["genesis"]["hex"].get<std::string>())).value().data() + 68);
  SECTION("registered without a period start: the pusher's value does not help") {
    const std::string dir = temp_dir("retarget-none");
    {
      Node n(dir);
      REQUIRE(n.post("/v1/islands", island_record(anchor).dump(), kAuth).status == 201);
      json with_claim = doc;
      with_claim["anchor"]["period_start_time_s"] = period_start;  // true, but not the relay's knowledge
      auto refused = n.post(route, with_claim.dump());
      CHECK(error_code(refused) == "ERR_ANCHOR_INSUFFICIENT");
      // Up to the boundary is fine: 554391 … 554399 stay in the anchor's period.
      json before = doc;
      before["headers"] = json::array();
      for (std::size_t i = 0; i < 9; ++i) before["headers"].push_back(doc["headers"][i]);
      CHECK(n.post(route, before.dump()).status == 200);
    }
    std::filesystem::remove_all(dir);
  }
  SECTION("registered with the period start in anchor.extra: the run across 554400 verifies") {
    const std::string dir = temp_dir("retarget-pinned");
    {
      Node n(dir);
      const std::string extra = json{{"period_start_time_s", period_start}}.dump();
      auto reg = n.post("/v1/islands", island_record(anchor, extra).dump(), kAuth);
      INFO(reg.body);
      REQUIRE(reg.status == 201);
      json lying = doc;
      lying["anchor"]["period_start_time_s"] = period_start - 200000;  // ignored: the relay's value is used
      auto ok = n.post(route, lying.dump());
      INFO(ok.body);
      REQUIRE(ok.status == 200);
      CHECK(json::parse(ok.body)["height"] == 554408);
    }
    std::filesystem::remove_all(dir);
  }
}

TEST_CASE("a Bitcoin registration with a malformed anchor context or a header time beyond 32 bits is refused") {
  const json v = testing::read_vector_json("bitcoin/summa-tx_bitcoin-spv/headers.json");
  const std::string dir = temp_dir("registration");
  Node n(dir);
  auto bad_extra = n.post("/v1/islands", island_record(v["genesis"], "{\"prev_timestamps_s\": \"x\"}").dump(), kAuth);
  CHECK(bad_extra.status == 400);
  CHECK(error_code(bad_extra) == "ERR_INVALID_ARGUMENT");
  auto far_time = n.post("/v1/islands", island_record(v["genesis"], "", 18446744073709552ULL).dump(), kAuth);
  CHECK(error_code(far_time) == "ERR_OVERFLOW");
  CHECK(n.get_json("/v1/islands")["islands"].size() == 0);
}

// Bitcoin deposits on real data (PACKET.md "Bitcoin deposits"; the synthetic deposits are bitcoin_deposit_test):
// the mainnet transaction 5176f6b0… of block 592920 at index 26 (testProofs.json valid[0]) pays a P2PKH and a P2SH
// output and carries an Omni OP_RETURN — no CWY1 data and no payment to the island's deposit script. A relay
// holding block 592920 (the registered anchor, 1 confirmation) verifies its SPV bundle and refuses it as not a
// deposit; nothing is taken in.
TEST_CASE("Bitcoin deposits: a real mainnet transaction without a CWY1 deposit is ERR_NOT_PACKET_EVENT") {
  auto lenient = [](const json& v) {
    if (!v.is_string()) return v;
    std::string t = v.get<std::string>();
    auto parsed = json::parse(t, nullptr, false);
    if (!parsed.is_discarded()) return parsed;
    for (char& ch : t)
      if (ch == '\'') ch = '"';  // Python repr of a dict of strings and ints (SOURCES.md)
    return json::parse(t);
  };
  const json proof = lenient(testing::read_vector_json("bitcoin/summa-tx_bitcoin-spv/testProofs.json")["valid"][0]);
  const json header = lenient(proof["confirming_header"]);
  REQUIRE(header["height"] == 592920);
  const Bytes raw_header = from_hex(with0x(header["raw"].get<std::string>())).value();
  REQUIRE(raw_header.size() == 80);
  const std::string digest = "0x00000000000000000016633b88de22bd6462283bcf7dcbe559233baaf5fb0c4d";
  REQUIRE(to_hex(sha256d(raw_header).reversed().view()) == digest);
  Bytes tx;
  for (const char* part : {"version", "vin", "vout", "locktime"})
    append(tx, from_hex(with0x(proof[part].get<std::string>())).value());
  const Bytes nodes = from_hex(with0x(proof["intermediate_nodes"].get<std::string>())).value();
  json branch = json::array();
  for (std::size_t i = 0; i + 32 <= nodes.size(); i += 32)
    branch.push_back(to_hex(Hash32::from(ByteView(nodes).subspan(i, 32)).reversed().view()));
  REQUIRE(branch.size() == 12);
  const json bundle = {
      {"version", 1},
      {"family", "bitcoin"},
      {"island", kIsland},
      {"network", "mainnet"},
      {"anchor", {{"height", 592920}, {"header", to_hex(raw_header)}}},
      {"headers", json::array()},
      {"inclusion",
       {{"kind", "tx"},
        {"height", 592920},
        {"txid", "0x74d6d6dc1fc9b0f393abde12e76adeeb3d674b38b7fbea4d9fc28b3bb0f67651"},
        {"index", 26},
        {"branch", branch},
        {"tx", to_hex(tx)}}},
      {"finality", {{"min_confirmations", 1}}}};

  const std::string dir = temp_dir("real-not-deposit");
  Node n(dir);
  const json anchor = {{"height", 592920}, {"digest", digest}, {"timestamp", read_le32(raw_header.data() + 68)}};
  auto reg = n.post("/v1/islands", island_record(anchor, "", 0, 1).dump(), kAuth);
  INFO(reg.body);
  REQUIRE(reg.status == 201);
  auto r = n.post("/v1/packets", bundle.dump());
  INFO(r.body);
  CHECK(r.status == 422);
  CHECK(error_code(r) == "ERR_NOT_PACKET_EVENT");
  CHECK(n.relay->packet_count() == 0);
  // The same bundle without its raw transaction proves inclusion only: not a deposit either.
  json no_tx = bundle;
  no_tx["inclusion"].erase("tx");
  auto r2 = n.post("/v1/packets", no_tx.dump());
  CHECK(r2.status == 422);
  CHECK(error_code(r2) == "ERR_NOT_PACKET_EVENT");
}
