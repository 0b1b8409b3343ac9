// Push-mode FISCO BCOS islands (issue #8 "Push-mode islands"; docs/islands/fisco-bcos.md) in a real engine::Relay
// behind a real gateway::Server, fed the REAL blocks of ../shared/vectors/fisco (SOURCES.md "fisco/"):
//   - v3: `fisco:chain0-group0` (the v3.3 SM-crypto chain: chainID chain0, group0, sm_crypto → SM3/SM2), genesis =
//     the stated hash of v3_sm_block_0_genesis.json, registered through POST /v1/islands (governance-signed) at
//     block 1 (the hash block 2's parentInfo names) with the 4 sealers of weight 1 and anchor.extra = their
//     sealer-set hash; the real block 2 is pushed through POST /v1/islands/{id}/headers and becomes the client's
//     tip (and stays so after a restart); block 2 with a signature removed (below quorum) or a header byte changed
//     is refused with its code and changes nothing; a packet bundle (the real receipt of block 2) is verified but
//     answered ERR_UNSUPPORTED (FISCO packets are not taken in yet);
//   - v2: `fisco:1-1` (a 2.x Keccak chain, group 1, 3 sealers) at block 7 (block 8's parentHash), real block 8 pushed.
// Block 1 and block 7 are not in the vectors, so the anchors' times are their child blocks' (whole seconds); the v2
// chain's genesis hash is not in the vectors either, so that island registers a labelled stand-in.
// A21: the registered trusting period enforced on a header document's held anchor, exact to the millisecond, and
// client recover of an expired client (both chains).
// Deterministic: a fixed relay clock one hour after the pushed block (the A21 test moves it).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/core/secp256k1.hpp"
#include "causeway/domain/governance.hpp"
#include "causeway/domain/island.hpp"
#include "causeway/engine/config.hpp"
#include "causeway/engine/relay.hpp"
#include "causeway/fisco/sealers.hpp"
#include "causeway/proofs/bundle.hpp"
#include "api_node.hpp"
#include "http_client.hpp"
#include "vectors.hpp"

using namespace causeway;
using nlohmann::json;

namespace {

constexpr const char* kToken = "Bearer fisco-island-test-token-0123456789";
const std::vector<std::pair<std::string, std::string>> kAuth = {{"Authorization", kToken}};

const std::string kV2 = "fisco/W-a-n-g-z_pinganyuan_springboot/v2_block_8.json";
const std::string kV3 = "fisco/FISCO-BCOS_FISCO-BCOS-DOC/v3_sm_block_2.json";
const std::string kV3Receipt = "fisco/FISCO-BCOS_FISCO-BCOS-DOC/v3_sm_block_2_receipt.json";
const std::string kV3Genesis = "fisco/FISCO-BCOS_FISCO-BCOS-DOC/v3_sm_block_0_genesis.json";
const std::string kBlock2Hash = "0x2fbafbf71395bb07d1d6e142a06fa3cd9436aee3e91b5b9e6ffc5c47133c3738";
const std::string kBlock8Hash = "0x3081bb9626c9866f371c203e4d5786b7de43a127d6e705755c835aa14e062d7d";

// One chain under test: its codec, island id, hash algorithm, the pushed block (the RPC `result`) and its anchor.
struct Chain {
  std::string codec, island, path_island, algorithm;
  fisco::Version version;
  fisco::HashAlgorithm hash_algorithm;
  Hash32 genesis;
  json block;               // the pushed block as the RPC returns it (`result`)
  std::uint64_t anchor_height = 0;
  std::string anchor_hash;  // 0x hex
  std::uint64_t block_time_ms = 0;
  std::int64_t clock_s = 0;  // the relay's fixed clock
};

std::uint64_t v2_quantity(const json& v) { return std::stoull(v.get<std::string>().substr(2), nullptr, 16); }

Chain v3_chain() {
  Chain c;
  c.codec = "fisco-bcos/v3";
  c.island = "fisco:chain0-group0";
  c.path_island = "fisco%3Achain0-group0";
  c.algorithm = "sm3";
  c.version = fisco::Version::V3;
  c.hash_algorithm = fisco::HashAlgorithm::Sm3;
  c.genesis = hash_from_hex(testing::read_vector_json(kV3Genesis)["result"]["hash"].get<std::string>()).value();
  c.block = testing::read_vector_json(kV3)["result"];
  c.anchor_height = 1;
  c.anchor_hash = c.block["parentInfo"][0]["blockHash"].get<std::string>();
  c.block_time_ms = c.block["timestamp"].get<std::uint64_t>();
  c.clock_s = static_cast<std::int64_t>(c.block_time_ms / 1000) + 3600;
  return c;
}

Chain v2_chain() {
  Chain c;
  c.codec = "fisco-bcos/v2";
  c.island = "fisco:1-1";
  c.path_island = "fisco%3A1-1";
  c.algorithm = "keccak256";
  c.version = fisco::Version::V2;
  c.hash_algorithm = fisco::HashAlgorithm::Keccak256;
  const std::string label = "stand-in genesis of fisco:1-1 (not in the vectors)";
  c.genesis = sha256(ByteView(reinterpret_cast<const std::uint8_t*>(label.data()), label.size()));
  c.block = testing::read_vector_json(kV2)["result"];
  c.anchor_height = 7;
  c.anchor_hash = c.block["parentHash"].get<std::string>();
  c.block_time_ms = v2_quantity(c.block["timestamp"]);
  c.clock_s = static_cast<std::int64_t>(c.block_time_ms / 1000) + 3600;
  return c;
}

// The anchor's sealers as the header document carries them: the pushed block's sealerList, weight 1 each.
json sealers_json(const Chain& c) {
  json out = json::array();
  for (const auto& id : c.block["sealerList"]) out.push_back({{"node_id", id}, {"weight", 1}});
  return out;
}

// The sealer-set hash the registration pins: fisco::SealerSet::hash of those sealers (what verify_fisco_headers and
// a fisco bundle report as anchor.validator_set_hash; cross-checked below against a verified bundle).
Hash32 set_hash(const Chain& c) {
  std::vector<fisco::Sealer> sealers;
  for (const auto& id : c.block["sealerList"]) {
    const std::string s = id.get<std::string>();
    const Bytes b = (s.rfind("0x", 0) == 0 ? from_hex(s) : from_hex_bare(s)).value();
    fisco::Sealer x;
    std::copy(b.begin(), b.end(), x.node_id.begin());
    sealers.push_back(x);
  }
  return fisco::SealerSet::create(c.version, c.hash_algorithm, std::move(sealers)).value().hash();
}

// `anchor_time_s` 0: the anchor's stand-in time is its child's second.
json island_record(const Chain& c, const Bytes& extra, std::uint64_t anchor_time_s = 0) {
  const auto sk = secp256k1::parse_secret_key(Bytes(32, 0x61)).value();
  domain::SignedIsland rec;
  auto& s = rec.spec;
  s.id = c.island;
  s.genesis = c.genesis;
  s.family = domain::Family::Bft;
  s.codec = c.codec;
  s.trusting_period_s = 14 * 86400;
  s.finality = domain::FinalityRule{domain::FinalityKind::BftQuorum, 0};
  s.anchor.height = c.anchor_height;
  s.anchor.hash = hash_from_hex(c.anchor_hash).value();
  // The anchor block is not in the vectors: its child's second unless the test names another.
  s.anchor.time_s = anchor_time_s != 0 ? anchor_time_s : c.block_time_ms / 1000;
  s.anchor.extra = extra;
  const std::string contract = "0x" + std::string(40, 'c');  // the endpoint contract (packets not taken in yet)
  s.endpoint = from_hex(contract).value();
  s.governance = domain::make_governance_keys(1, {secp256k1::eth_address(secp256k1::public_key_of(sk))}).value();
  rec.nonce = 1;
  rec.signatures.push_back(
      domain::sign_governance(domain::island_digest(domain::GovAction::IslandRegister, s, rec.nonce), sk).value());
  return engine::island_to_json(rec);
}

json header_document(const Chain& c, const json& block) {
  json anchor = {{"height", c.anchor_height},
                 {"hash", c.anchor_hash},
                 {"hash_algorithm", c.algorithm},
                 {"sealers", sealers_json(c)}};
  if (c.version == fisco::Version::V3) anchor["consensus"] = "pbft";
  return {{"version", 1}, {"family", "bft"}, {"codec", c.codec}, {"island", c.island}, {"anchor", anchor},
          {"headers", json::array({block})}};
}

// The real v3 receipt of block 2 proven under block 2 from held block 1 (the fisco_bundle_test bundle).
json v3_receipt_bundle(const Chain& c) {
  json b = header_document(c, c.block);
  const json receipt = testing::read_vector_json(kV3Receipt);
  b["inclusion"] = {{"kind", "fisco-v3-merkle"},
                    {"tree", "receipt"},
                    {"height", 2},
                    {"receipt", receipt},
                    {"proof", receipt["result"]["txReceiptProof"]}};
  b["verify_time_s"] = c.clock_s;
  return b;
}

struct Node : test::ApiNode {
  Node(const std::string& dir, std::int64_t clock_s) : test::ApiNode(options(dir, clock_s), kToken) {}
  static engine::RelayOptions options(const std::string& dir, std::int64_t clock_s) {
    engine::RelayOptions o;
    o.data_dir = dir;
    o.clock_ms = [clock_s] { return static_cast<std::uint64_t>(clock_s) * 1000; };
    return o;
  }
  // A relay whose clock is `*clock_ms` (the A21 test moves it).
  Node(const std::string& dir, std::shared_ptr<std::atomic<std::uint64_t>> clock_ms)
      : test::ApiNode(moving(dir, std::move(clock_ms)), kToken) {}
  static engine::RelayOptions moving(const std::string& dir, std::shared_ptr<std::atomic<std::uint64_t>> clock_ms) {
    engine::RelayOptions o;
    o.data_dir = dir;
    o.clock_ms = [clock_ms] { return clock_ms->load(); };
    return o;
  }
};

std::string temp_dir(const std::string& name) {
  const auto d = std::filesystem::temp_directory_path() / ("causeway-fisco-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(d);
  return d.string();
}

std::string error_code(const test::HttpResult& r) {
  INFO(r.status << " " << r.body);
  return json::parse(r.body)["error"]["code"].get<std::string>();
}
std::string error_at(const test::HttpResult& r) { return json::parse(r.body)["error"]["details"].value("at", std::string{}); }

Bytes extra_of(const Hash32& h) { return Bytes(h.b.begin(), h.b.end()); }

// The answer `r` is a refusal: HTTP `status` with error `code` at `at`.
void check_refused(const test::HttpResult& r, int status, const std::string& code, const std::string& at) {
  INFO(r.status << " " << r.body);
  CHECK(r.status == status);
  CHECK(error_code(r) == code);
  CHECK(error_at(r) == at);
}

// `block` with one hex digit of its string field `field` changed.
json with_flipped_digit(json block, const std::string& field) {
  std::string v = block[field].get<std::string>();
  v[10] = v[10] == '0' ? '1' : '0';
  block[field] = v;
  return block;
}

}  // namespace

TEST_CASE("fisco island: anchor.extra is the sealer-set hash a verified bundle reports (A01, A03)") {
  const Chain c = v3_chain();
  const Hash32 h = set_hash(c);
  // The operator's way to the value: verify a bundle from the anchor (as given) and read anchor.validator_set_hash.
  auto v = proofs::verify_bundle(v3_receipt_bundle(c).dump(), nullptr, c.clock_s);
  INFO(v.output_json);
  REQUIRE(v.exit_code == 0);
  CHECK(json::parse(v.output_json)["anchor"]["validator_set_hash"] == to_hex(h.view()));

  const std::string dir = temp_dir("extra");
  {
    Node n(dir, c.clock_s);
    auto short_extra = n.post("/v1/islands", island_record(c, Bytes(31, 1)).dump(), kAuth);
    check_refused(short_extra, 400, "ERR_INVALID_ARGUMENT", "anchor.extra");
    auto zero = n.post("/v1/islands", island_record(c, Bytes(32, 0)).dump(), kAuth);
    check_refused(zero, 422, "ERR_ZERO_ROOT", "anchor");
    auto reg = n.post("/v1/islands", island_record(c, extra_of(h)).dump(), kAuth);
    INFO(reg.body);
    REQUIRE(reg.status == 201);
    const json island = n.get_json("/v1/islands/" + c.path_island);
    CHECK(island["client"]["latest"]["height"] == 1);
    CHECK(island["client"]["latest"]["hash"] == c.anchor_hash);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("fisco island: the real v3.3 SM block 2 pushed from held block 1 advances the client, and survives a restart") {
  const Chain c = v3_chain();
  const std::string dir = temp_dir("v3");
  const std::string route = "/v1/islands/" + c.path_island + "/headers";
  {
    Node n(dir, c.clock_s);
    auto reg = n.post("/v1/islands", island_record(c, extra_of(set_hash(c))).dump(), kAuth);
    INFO(reg.body);
    REQUIRE(reg.status == 201);

    // Refused, nothing changed: a document of another codec; block 2 with a signature removed (weight 2 of 4,
    // quorum 3); block 2 with one byte of its stateRoot changed (the SM3 field hash no longer equals `hash`).
    json other_codec = header_document(c, c.block);
    other_codec["codec"] = "fisco-bcos/v2";
    auto codec = n.post(route, other_codec.dump());
    check_refused(codec, 422, "ERR_ISLAND_MISMATCH", "codec");

    json below_quorum = c.block;
    below_quorum["signatureList"].erase(2);
    auto quorum = n.post(route, header_document(c, below_quorum).dump());
    check_refused(quorum, 422, "ERR_INSUFFICIENT_QUORUM", "headers[0].signatureList");

    const json tampered = with_flipped_digit(c.block, "stateRoot");
    auto hash = n.post(route, header_document(c, tampered).dump());
    check_refused(hash, 422, "ERR_HEADER_HASH_MISMATCH", "headers[0].hash");
    CHECK(n.get_json("/v1/islands/" + c.path_island + "/client")["states"].size() == 1);

    // The real block, exactly as the RPC returns it.
    auto pushed = n.post(route, header_document(c, c.block).dump());
    INFO(pushed.body);
    REQUIRE(pushed.status == 200);
    const json tip = json::parse(pushed.body);
    CHECK(tip["island"] == c.island);
    CHECK(tip["height"] == 2);
    CHECK(tip["hash"] == kBlock2Hash);
    CHECK(tip["time_ms"] == c.block_time_ms);
    CHECK(tip["headers"] == 1);
    const json island = n.get_json("/v1/islands/" + c.path_island);
    CHECK(island["client"]["latest"]["height"] == 2);
    CHECK(island["client"]["latest"]["hash"] == kBlock2Hash);
    const json client = n.get_json("/v1/islands/" + c.path_island + "/client");
    REQUIRE(client["states"].size() == 2);
    CHECK(client["states"][1]["height"] == 2);
    CHECK(client["states"][1]["hash"] == kBlock2Hash);
    // Pushing it again is idempotent.
    CHECK(n.post(route, header_document(c, c.block).dump()).status == 200);
    CHECK(n.get_json("/v1/islands/" + c.path_island + "/client")["states"].size() == 2);
  }
  {
    Node reopened(dir, c.clock_s);  // the verified tip is a consensus state of the reopened relay
    const json island = reopened.get_json("/v1/islands/" + c.path_island);
    CHECK(island["client"]["latest"]["height"] == 2);
    CHECK(island["client"]["latest"]["hash"] == kBlock2Hash);
    CHECK(island["client"]["status"] == "active");
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("fisco island: a packet bundle is verified but answered ERR_UNSUPPORTED (receipt logs are not confirmed)") {
  const Chain c = v3_chain();
  const std::string dir = temp_dir("packet");
  {
    Node n(dir, c.clock_s);
    REQUIRE(n.post("/v1/islands", island_record(c, extra_of(set_hash(c))).dump(), kAuth).status == 201);
    // The real receipt of block 2 under block 2, from held block 1: the proof verifies, the plug-in refuses.
    auto r = n.post("/v1/packets", v3_receipt_bundle(c).dump());
    check_refused(r, 422, "ERR_UNSUPPORTED", "inclusion");
    CHECK(json::parse(r.body)["error"]["message"].get<std::string>().find("PacketSent EVM log") != std::string::npos);
    // A bundle does not advance the client.
    CHECK(n.get_json("/v1/islands/" + c.path_island + "/client")["states"].size() == 1);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("fisco island: the real v2 block 8 pushed from held block 7 advances the client") {
  const Chain c = v2_chain();
  const std::string dir = temp_dir("v2");
  const std::string route = "/v1/islands/" + c.path_island + "/headers";
  {
    Node n(dir, c.clock_s);
    auto reg = n.post("/v1/islands", island_record(c, extra_of(set_hash(c))).dump(), kAuth);
    INFO(reg.body);
    REQUIRE(reg.status == 201);

    json below_quorum = c.block;  // 2 of 3 signatures: quorum is 3 of 3
    below_quorum["signatureList"].erase(1);
    auto quorum = n.post(route, header_document(c, below_quorum).dump());
    check_refused(quorum, 422, "ERR_INSUFFICIENT_QUORUM", "headers[0].signatureList");

    const json tampered = with_flipped_digit(c.block, "dbHash");
    auto hash = n.post(route, header_document(c, tampered).dump());
    check_refused(hash, 422, "ERR_HEADER_HASH_MISMATCH", "headers[0].hash");
    CHECK(n.get_json("/v1/islands/" + c.path_island + "/client")["states"].size() == 1);

    auto pushed = n.post(route, header_document(c, c.block).dump());
    INFO(pushed.body);
    REQUIRE(pushed.status == 200);
    CHECK(json::parse(pushed.body)["height"] == 8);
    CHECK(json::parse(pushed.body)["hash"] == kBlock8Hash);
    CHECK(json::parse(pushed.body)["time_ms"] == c.block_time_ms);
    const json island = n.get_json("/v1/islands/" + c.path_island);
    CHECK(island["client"]["latest"]["height"] == 8);
    CHECK(island["client"]["latest"]["hash"] == kBlock8Hash);
  }
  {
    Node reopened(dir, c.clock_s);
    CHECK(reopened.get_json("/v1/islands/" + c.path_island)["client"]["latest"]["hash"] == kBlock8Hash);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("A03 a FISCO header document whose anchor sealers differ from the registered set is refused, nothing changed") {
  // The registered anchor.extra pins the sealer-set hash (node ids, weights, chain order): an anchor block the relay
  // holds, carried with other sealers, is not a trusted anchor.
  for (const Chain& c : {v3_chain(), v2_chain()}) {
    INFO(c.codec);
    const std::string dir = temp_dir("a03");
    const std::string route = "/v1/islands/" + c.path_island + "/headers";
    {
      Node n(dir, c.clock_s);
      REQUIRE(n.post("/v1/islands", island_record(c, extra_of(set_hash(c))).dump(), kAuth).status == 201);
      REQUIRE(c.block["sealerList"].size() >= 3);
      auto refused = [&](const json& doc, const std::string& what) {
        INFO(what);
        auto r = n.post(route, doc.dump());
        check_refused(r, 422, "ERR_UNTRUSTED_ANCHOR", "anchor");
      };
      json weight = header_document(c, c.block);
      weight["anchor"]["sealers"][0]["weight"] = 2;
      if (c.version == fisco::Version::V3) {
        refused(weight, "a sealer's weight changed");
      } else {  // 2.x sealers have no weights: refused before the anchor is looked up
        auto r = n.post(route, weight.dump());
        check_refused(r, 400, "ERR_INVALID_ARGUMENT", "anchor.sealers[0]");
      }
      json dropped = header_document(c, c.block);
      dropped["anchor"]["sealers"].erase(dropped["anchor"]["sealers"].size() - 1);
      refused(dropped, "a sealer dropped");
      json swapped = header_document(c, c.block);
      std::swap(swapped["anchor"]["sealers"][0], swapped["anchor"]["sealers"][1]);
      refused(swapped, "two sealers swapped");
      // Nothing changed: the anchor is still the only consensus state, and the genuine document is taken.
      CHECK(n.get_json("/v1/islands/" + c.path_island + "/client")["states"].size() == 1);
      auto pushed = n.post(route, header_document(c, c.block).dump());
      INFO(pushed.body);
      CHECK(pushed.status == 200);
      CHECK(n.get_json("/v1/islands/" + c.path_island + "/client")["states"].size() == 2);
    }
    std::filesystem::remove_all(dir);
  }
}

// A21 (docs/islands/fisco-bcos.md "Registering the island", docs/relay-core.md): the registered trusting period is
// enforced as for the devnet bft family, by the one rule domain::trusting_period_passed: a header document is
// refused with ERR_CLIENT_EXPIRED at `anchor` once the held state it starts from is older than the period at the
// relay's clock (time + trusting_period_s · 1000 <= now; exact to the millisecond), the client is reported expired
// once its latest held state is, and a governance-signed client recover to a fresh anchor lifts it. The anchor
// blocks (1, 7) are not in the vectors: registered here with a stand-in time one minute before the pushed block's
// second, so that the pushed block is a fresher anchor to recover to. (FISCO packet bundles are ERR_UNSUPPORTED.)
TEST_CASE("A21 a FISCO island's client past its trusting period refuses header documents with ERR_CLIENT_EXPIRED; "
          "client recover with a fresh anchor lifts it") {
  for (const Chain& c : {v3_chain(), v2_chain()}) {
    INFO(c.codec);
    const std::string route = "/v1/islands/" + c.path_island + "/headers";
    const std::string client = "/v1/islands/" + c.path_island + "/client";
    const std::uint64_t block_s = c.block_time_ms / 1000;
    const std::uint64_t anchor_ms = (block_s - 60) * 1000;
    const std::uint64_t period_ms = 14ULL * 86400 * 1000;
    auto clock = std::make_shared<std::atomic<std::uint64_t>>(anchor_ms + 3600 * 1000);
    auto refused_expired = [&](const test::HttpResult& r, std::uint64_t from_ms) {
      check_refused(r, 422, "ERR_CLIENT_EXPIRED", "anchor");
      const std::string msg = json::parse(r.body)["error"]["message"].get<std::string>();
      CHECK(msg.find(std::to_string(from_ms) + " ms") != std::string::npos);
      CHECK(msg.find(std::to_string(14 * 86400) + " s") != std::string::npos);
      CHECK(msg.find(std::to_string(clock->load()) + " ms") != std::string::npos);
    };
    const json doc = header_document(c, c.block);
    {  // the boundary, and the state a document starts from
      const std::string dir = temp_dir("a21-edge");
      {
        Node n(dir, clock);
        REQUIRE(n.post("/v1/islands", island_record(c, extra_of(set_hash(c)), block_s - 60).dump(), kAuth).status == 201);
        clock->store(anchor_ms + period_ms);  // exactly at the anchor's end: expired, refused, nothing changed
        CHECK(n.get_json(client)["status"] == "expired");
        refused_expired(n.post(route, doc.dump()), anchor_ms);
        CHECK(n.get_json(client)["states"].size() == 1);
        clock->store(anchor_ms + period_ms - 1);  // one millisecond earlier: active, taken
        CHECK(n.get_json(client)["status"] == "active");
        auto pushed = n.post(route, doc.dump());
        INFO(pushed.body);
        REQUIRE(pushed.status == 200);
        CHECK(n.get_json(client)["states"].size() == 2);
        // At the anchor's end again: the client (latest = the pushed block) is active, but a document from the
        // expired anchor is refused — even one the relay already holds the tip of.
        clock->store(anchor_ms + period_ms);
        CHECK(n.get_json(client)["status"] == "active");
        refused_expired(n.post(route, doc.dump()), anchor_ms);
        clock->store(c.block_time_ms + period_ms - 1);  // ... until the pushed block's state ages too
        CHECK(n.get_json(client)["status"] == "active");
        clock->store(c.block_time_ms + period_ms);
        CHECK(n.get_json(client)["status"] == "expired");
      }
      std::filesystem::remove_all(dir);
    }
    {  // expired, recovered to the real block
      const std::string dir = temp_dir("a21-recover");
      {
        clock->store(anchor_ms + period_ms);
        Node n(dir, clock);
        REQUIRE(n.post("/v1/islands", island_record(c, extra_of(set_hash(c)), block_s - 60).dump(), kAuth).status == 201);
        CHECK(n.get_json(client)["status"] == "expired");
        refused_expired(n.post(route, doc.dump()), anchor_ms);
        domain::ClientRecoverRecord rec;
        rec.island = c.island;
        rec.anchor.height = c.anchor_height + 1;
        rec.anchor.hash = hash_from_hex(c.version == fisco::Version::V3 ? kBlock2Hash : kBlock8Hash).value();
        rec.anchor.time_s = block_s;
        rec.anchor.extra = extra_of(set_hash(c));  // the sealers are unchanged
        rec.nonce = 2;
        rec.signatures = {domain::sign_governance(domain::recover_digest(c.island, c.genesis, rec.anchor, 2),
                                                  secp256k1::parse_secret_key(Bytes(32, 0x61)).value())
                              .value()};
        auto r = n.post("/v1/islands/" + c.path_island + "/recover", engine::recover_to_json(rec).dump(), kAuth);
        INFO(r.body);
        REQUIRE(r.status == 200);
        const json after = n.get_json(client);
        CHECK(after["status"] == "active");
        REQUIRE(after["states"].size() == 1);
        CHECK(after["states"][0]["height"] == c.anchor_height + 1);
        CHECK(after["states"][0]["hash"] == (c.version == fisco::Version::V3 ? kBlock2Hash : kBlock8Hash));
        // The recovered anchor ages by the same rule.
        clock->store(block_s * 1000 + period_ms - 1);
        CHECK(n.get_json(client)["status"] == "active");
        clock->store(block_s * 1000 + period_ms);
        CHECK(n.get_json(client)["status"] == "expired");
      }
      std::filesystem::remove_all(dir);
    }
  }
}
