// relay/proofs family `bft`, codecs fisco-bcos/v2 and fisco-bcos/v3, through causeway::proofs::verify_bundle, with
// the real blocks of ../shared/vectors/fisco pasted as the chain's JSON-RPC output (the whole response, and the bare
// `result`). Every rejection is checked with its exact exit status, code and location; the corrupted variants are
// made here from the real data. Attack cases: A03 (trust file pins anchor and sealer-set hash), A15 (set change).
#include <catch2/catch.hpp>

#include <string>

#include <nlohmann/json.hpp>

#include "bundle_support.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/fisco/sealers.hpp"
#include "causeway/proofs/headers.hpp"
#include "vectors.hpp"

namespace {

using nlohmann::json;
using causeway::proofs::TrustedAnchor;
using causeway::proofs::TrustList;
using causeway::proofs::test::At;
using causeway::proofs::test::expect_error;
using causeway::proofs::test::kVerifyTime;
using causeway::proofs::test::run;
using causeway::testing::read_vector_json;

const std::string kV2 = "fisco/W-a-n-g-z_pinganyuan_springboot/v2_block_8.json";
const std::string kV3 = "fisco/FISCO-BCOS_FISCO-BCOS-DOC/v3_sm_block_2.json";
const std::string kV3Receipt = "fisco/FISCO-BCOS_FISCO-BCOS-DOC/v3_sm_block_2_receipt.json";
const std::string kV3Genesis = "fisco/FISCO-BCOS_FISCO-BCOS-DOC/v3_sm_block_0_genesis.json";

json sealers_of(const json& block) {
  json out = json::array();
  for (const auto& id : block["sealerList"]) out.push_back({{"node_id", id}, {"weight", 1}});
  return out;
}

json v2_bundle() {
  const json rpc = read_vector_json(kV2);
  const json& r = rpc["result"];
  return {{"version", 1},
          {"family", "bft"},
          {"codec", "fisco-bcos/v2"},
          {"island", "fisco:1-1"},
          {"anchor", {{"height", 7}, {"hash", r["parentHash"]}, {"hash_algorithm", "keccak256"}, {"sealers", sealers_of(r)}}},
          {"headers", json::array({rpc})},
          {"inclusion",
           {{"kind", "fisco-v2-trie16"},
            {"tree", "tx"},
            {"height", 8},
            {"index", 0},
            {"tx_hash", r["transactions"][0]["hash"]},
            {"proof", json::array({{{"left", json::array()}, {"right", json::array()}}})}}},
          {"verify_time_s", kVerifyTime}};
}

json v3_bundle() {
  const json rpc = read_vector_json(kV3);
  const json& r = rpc["result"];
  const json receipt = read_vector_json(kV3Receipt);
  return {{"version", 1},
          {"family", "bft"},
          {"codec", "fisco-bcos/v3"},
          {"island", "fisco:chain0-group0"},
          {"anchor",
           {{"height", 1},
            {"hash", r["parentInfo"][0]["blockHash"]},
            {"hash_algorithm", "sm3"},
            {"consensus", "pbft"},
            {"sealers", sealers_of(r)}}},
          {"headers", json::array({r})},
          {"inclusion",
           {{"kind", "fisco-v3-merkle"},
            {"tree", "receipt"},
            {"height", 2},
            {"receipt", receipt},
            {"proof", receipt["result"]["txReceiptProof"]}}},
          {"verify_time_s", kVerifyTime}};
}

}  // namespace

TEST_CASE("fisco-bcos/v2 bundle: real block 8 (RPC response pasted) with its one-leaf transaction proof") {
  const json b = v2_bundle();
  const auto o = run(b);
  INFO(o.out.dump());
  REQUIRE(o.exit_code == 0);
  CHECK(o.out["height"] == 8);
  CHECK(o.out["header_hash"] == "0x3081bb9626c9866f371c203e4d5786b7de43a127d6e705755c835aa14e062d7d");
  CHECK(o.out["confirmations"] == 1);
  CHECK(o.out["trust"] == "quorum");
  CHECK(o.out["codec"] == "fisco-bcos/v2");
  CHECK(o.out["hash_algorithm"] == "keccak256");
  CHECK(o.out["claim"] == json{{"kind", "fisco-v2-trie16"}, {"tree", "tx"}, {"height", 8}, {"index", 0},
                               {"tx_hash", "0x6cd5d1761bac33f44f77de770462f35819e5b713a51430c0bbb3237f86b13cec"}});
  CHECK(o.out["anchor"]["height"] == 7);
  CHECK(o.out["anchor"]["hash"] == "0x08d6f07edec60b45981a9d9cc71f45bf782cab2c1d1e79ddc77ca6c749d3168f");
  CHECK(o.out["anchor"]["trusted"] == "as-given");

  // A03: the trust file must pin the anchor block AND its sealer-set hash.
  TrustedAnchor t;
  t.island = "fisco:1-1";
  t.height = 7;
  t.hash = causeway::hash_from_hex(b["anchor"]["hash"].get<std::string>()).value();
  t.validator_set_hash = causeway::hash_from_hex(o.out["anchor"]["validator_set_hash"].get<std::string>()).value();
  TrustList good{t};
  CHECK(run(b, &good).out["anchor"]["trusted"] == "trust-file");
  TrustList other_set{t};
  other_set[0].validator_set_hash->b[0] ^= 1;
  expect_error(b, 1, "ERR_UNTRUSTED_ANCHOR", At{"anchor"}, &other_set);
  // checkpoint verification from an older anchor with the same set
  json cp = b;
  cp["anchor"]["height"] = 0;
  cp["anchor"]["hash"] = "0x" + std::string(63, '0') + "1";
  CHECK(run(cp).exit_code == 0);
}

TEST_CASE("fisco-bcos/v2 bundle: corrupted real data, each with its own code and location") {
  json b = v2_bundle();
  b["headers"][0]["result"]["stateRoot"] = "0xb3b72417f218cee3400c8e0d395d8976b6bd5ec98842101ab7e97ee82154ece9";
  expect_error(b, 1, "ERR_HEADER_HASH_MISMATCH", At{"headers[0].result.hash"});

  b = v2_bundle();
  std::string sig = b["headers"][0]["result"]["signatureList"][1]["signature"];
  sig[10] = sig[10] == '0' ? '1' : '0';
  b["headers"][0]["result"]["signatureList"][1]["signature"] = sig;
  expect_error(b, 1, "ERR_SIG_INVALID", At{"headers[0].result.signatureList[1]"});

  b = v2_bundle();
  b["headers"][0]["result"]["signatureList"][2] = b["headers"][0]["result"]["signatureList"][0];
  expect_error(b, 1, "ERR_DUPLICATE_SEAL", At{"headers[0].result.signatureList"});

  b = v2_bundle();
  b["headers"][0]["result"]["signatureList"].erase(1);
  expect_error(b, 1, "ERR_INSUFFICIENT_QUORUM", At{"headers[0].result.signatureList"});

  b = v2_bundle();
  b["anchor"]["hash"] = "0x" + std::string(64, '1');
  expect_error(b, 1, "ERR_PREV_HASH_MISMATCH", At{"headers[0].result.parentHash"});

  b = v2_bundle();  // the anchor lists one node id twice (reported at its second place)
  b["anchor"]["sealers"][0]["node_id"] = b["anchor"]["sealers"][1]["node_id"];
  expect_error(b, 1, "ERR_INVALID_ARGUMENT", At{"anchor.sealers[1]"});

  b = v2_bundle();
  b["inclusion"]["tx_hash"] = "0x" + std::string(64, '2');
  expect_error(b, 1, "ERR_MERKLE_BRANCH", At{"inclusion.proof[0]"});

  b = v2_bundle();
  b["inclusion"]["proof"][0]["left"] = json::array({"0x" + std::string(64, '3')});
  expect_error(b, 1, "ERR_UNSUPPORTED", At{"inclusion.proof"});

  b = v2_bundle();
  b["inclusion"] = {{"kind", "fisco-v2-trie16"}, {"tree", "receipt"}, {"height", 8}, {"proof", json::array()}};
  expect_error(b, 1, "ERR_UNSUPPORTED", At{"inclusion.tree"});

  b = v2_bundle();
  b["anchor"]["consensus"] = "rpbft";
  expect_error(b, 1, "ERR_UNSUPPORTED", At{"anchor.consensus"});

  b = v2_bundle();
  b["anchor"]["hash_algorithm"] = "sm3";  // secp256k1 node ids are not SM2 points
  CHECK(run(b).exit_code == 1);

  b = v2_bundle();
  b["inclusion"]["height"] = 7;  // the anchor's roots are not known
  expect_error(b, 1, "ERR_UNKNOWN_HEADER", At{"inclusion.height"});

  b = v2_bundle();
  b["verify_time_s"] = 1650000000;  // block time 1650... + more than 10 s
  expect_error(b, 1, "ERR_TIME_TOO_NEW", At{"headers[0].result.timestamp"});

  b = v2_bundle();
  b["crypto"] = "secp256k1-sha256";
  expect_error(b, 2, "ERR_BUNDLE_SCHEMA", At{""});

  b = v2_bundle();
  b["headers"][0]["result"].erase("signatureList");
  CHECK(run(b).exit_code == 2);

  b = v2_bundle();
  b["headers"][0]["result"]["number"] = "0x08";
  expect_error(b, 2, "ERR_BAD_HEX", At{"headers[0].result.number"});
}

TEST_CASE("fisco-bcos/v3 bundle: real v3.3 SM block 2 and its receipt") {
  const json b = v3_bundle();
  const auto o = run(b);
  INFO(o.out.dump());
  REQUIRE(o.exit_code == 0);
  CHECK(o.out["height"] == 2);
  CHECK(o.out["header_hash"] == "0x2fbafbf71395bb07d1d6e142a06fa3cd9436aee3e91b5b9e6ffc5c47133c3738");
  CHECK(o.out["hash_algorithm"] == "sm3");
  CHECK(o.out["claim"]["receipt_hash"] == "0xf18d1984c7745a826e4b8d608b823534f1e44b273f75972e16cf2ac3ff313e14");
  CHECK(o.out["claim"]["receipt"] == json{{"version", 0},
                                          {"gasUsed", "24363"},
                                          {"contractAddress", "82a3c3289a9f234a38aceed3016d1ff0e0f922b3"},
                                          {"status", 0},
                                          {"output", "0x"},
                                          {"blockNumber", 2}});
  // the transaction of block 2 (one leaf: txsRoot = tx hash)
  json tx = b;
  tx["inclusion"] = {{"kind", "fisco-v3-merkle"},
                     {"tree", "tx"},
                     {"height", 2},
                     {"tx_hash", "0xdce357d4a81bfe2c9b9cc83fde7576a8ae8dede910b70cdf9abed71a32ed10bf"},
                     {"proof", json::array({"dce357d4a81bfe2c9b9cc83fde7576a8ae8dede910b70cdf9abed71a32ed10bf"})}};
  CHECK(run(tx).exit_code == 0);
  // checkpoint from the genesis block (its hash is taken as the operator's anchor; the set from its extraData)
  json cp = b;
  cp["anchor"]["height"] = 0;
  cp["anchor"]["hash"] = read_vector_json(kV3Genesis)["result"]["hash"];
  CHECK(run(cp).exit_code == 0);
}

TEST_CASE("fisco-bcos/v3 bundle: corrupted real data, each with its own code and location") {
  json b = v3_bundle();
  b["headers"][0]["gasUsed"] = "24364";
  expect_error(b, 1, "ERR_HEADER_HASH_MISMATCH", At{"headers[0].hash"});

  b = v3_bundle();
  std::string sig = b["headers"][0]["signatureList"][0]["signature"];
  sig[70] = sig[70] == '0' ? '1' : '0';
  b["headers"][0]["signatureList"][0]["signature"] = sig;
  expect_error(b, 1, "ERR_SIG_INVALID", At{"headers[0].signatureList[0]"});

  b = v3_bundle();
  b["headers"][0]["signatureList"][2] = b["headers"][0]["signatureList"][0];
  expect_error(b, 1, "ERR_DUPLICATE_SEAL", At{"headers[0].signatureList"});

  b = v3_bundle();
  b["headers"][0]["signatureList"].erase(2);
  expect_error(b, 1, "ERR_INSUFFICIENT_QUORUM", At{"headers[0].signatureList"});

  b = v3_bundle();  // A15: the anchor trusts other weights: the header's set is a change that A, B, C (weight 3 of
                    // the trusted 1+1+1+5 = 8, quorum 6) cannot sign in
  b["anchor"]["sealers"][3]["weight"] = 5;
  expect_error(b, 1, "ERR_INSUFFICIENT_QUORUM", At{"headers[0].sealerList"});

  b = v3_bundle();
  b["inclusion"]["receipt"]["result"]["status"] = 1;
  expect_error(b, 1, "ERR_CLAIM_MISMATCH", At{"inclusion.receipt.result.hash"});

  b = v3_bundle();
  b["inclusion"]["receipt"]["result"].erase("hash");
  b["inclusion"]["receipt"]["result"]["status"] = 1;
  expect_error(b, 1, "ERR_RECEIPT_STATUS", At{"inclusion.receipt.result.status"});

  b = v3_bundle();
  b["inclusion"]["receipt"]["result"]["logEntries"] = json::array({json::object()});
  expect_error(b, 1, "ERR_UNSUPPORTED", At{"inclusion.receipt.result.logEntries"});

  b = v3_bundle();
  b["inclusion"]["proof"] = json::array({"00000001", "f18d1984c7745a826e4b8d608b823534f1e44b273f75972e16cf2ac3ff313e14"});
  expect_error(b, 1, "ERR_MERKLE_BRANCH", At{"inclusion.proof"});

  b = v3_bundle();
  b["inclusion"]["kind"] = "fisco-v2-trie16";
  CHECK(run(b).exit_code == 2);
}

TEST_CASE("fisco bundles: an RPC response must validate as a whole; missing fields are schema errors (exit 2)") {
  json b = v3_bundle();
  json wrapped = {{"jsonrpc", "2.0"}, {"id", 1}, {"result", json::object()}};
  for (const auto& [k, v] : b["headers"][0].items()) wrapped[k] = v;  // a block that also claims to be a response
  b["headers"][0] = wrapped;
  CHECK(run(b).exit_code == 2);
  b = v3_bundle();
  b["inclusion"]["receipt"]["result"].erase("gasUsed");
  CHECK(run(b).exit_code == 2);
  b = v3_bundle();
  b["anchor"].erase("hash_algorithm");
  CHECK(run(b).exit_code == 2);
  b = v3_bundle();
  b["inclusion"].erase("receipt");
  CHECK(run(b).exit_code == 2);
  b = v2_bundle();
  b["inclusion"].erase("tx_hash");
  CHECK(run(b).exit_code == 2);
}

// ---- header documents (relay/proofs headers.hpp): a push-mode FISCO BCOS island's client advances by blocks ----

namespace {

json header_doc(json bundle) {
  bundle.erase("inclusion");
  bundle.erase("verify_time_s");
  return bundle;
}

TrustList held(const json& bundle) {  // the anchor and sealer set a relay would hold after registering the island
  auto o = run(bundle);
  REQUIRE(o.exit_code == 0);
  TrustedAnchor t;
  t.island = bundle["island"].get<std::string>();
  t.height = bundle["anchor"]["height"].get<std::uint64_t>();
  t.hash = causeway::hash_from_hex(bundle["anchor"]["hash"].get<std::string>()).value();
  t.validator_set_hash = causeway::hash_from_hex(o.out["anchor"]["validator_set_hash"].get<std::string>()).value();
  return TrustList{t};
}

}  // namespace

TEST_CASE("fisco header documents: real v2 block 8 and v3 SM block 2 pushed from held anchors advance the client") {
  SECTION("fisco-bcos/v2 block 8 from block 7") {
    const json b = v2_bundle();
    const TrustList trust = held(b);
    auto v = causeway::proofs::verify_bft_headers(header_doc(b).dump(), trust, kVerifyTime);
    INFO((v ? "" : v.error().detail + " at " + v.error().at));
    REQUIRE(v);
    CHECK(v->island == "fisco:1-1");
    CHECK(v->crypto == "keccak256");
    CHECK(v->anchor.height == 7);
    REQUIRE(v->headers.size() == 1);
    CHECK(v->headers[0].height == 8);
    CHECK(causeway::to_hex(v->headers[0].hash.view()) ==
          "0x3081bb9626c9866f371c203e4d5786b7de43a127d6e705755c835aa14e062d7d");
    CHECK(v->headers[0].validators_hash == *trust[0].validator_set_hash);  // no sealer change at block 8
  }
  SECTION("fisco-bcos/v3 SM block 2 from block 1") {
    const json b = v3_bundle();
    const TrustList trust = held(b);
    auto v = causeway::proofs::verify_bft_headers(header_doc(b).dump(), trust, kVerifyTime);
    INFO((v ? "" : v.error().detail + " at " + v.error().at));
    REQUIRE(v);
    CHECK(v->crypto == "sm3");
    REQUIRE(v->headers.size() == 1);
    CHECK(v->headers[0].height == 2);
    CHECK(causeway::to_hex(v->headers[0].hash.view()) ==
          "0x2fbafbf71395bb07d1d6e142a06fa3cd9436aee3e91b5b9e6ffc5c47133c3738");
    CHECK(v->headers[0].time_ms == read_vector_json(kV3)["result"]["timestamp"].get<std::uint64_t>());
  }
}

TEST_CASE("fisco header documents: A03 a sealer set the relay does not hold is refused; a bad block is located") {
  const json b = v2_bundle();
  TrustList other = held(b);
  other[0].validator_set_hash->b[0] ^= 1;
  auto v = causeway::proofs::verify_bft_headers(header_doc(b).dump(), other, kVerifyTime);
  REQUIRE(!v);
  CHECK(v.error().code == causeway::Code::UntrustedAnchor);
  CHECK(v.error().at == "anchor");
  json repeated = header_doc(b);  // block 8 twice: heights must increase
  repeated["headers"].push_back(repeated["headers"][0]);
  auto rep = causeway::proofs::verify_bft_headers(repeated.dump(), held(b), kVerifyTime);
  REQUIRE(!rep);
  CHECK(rep.error().code == causeway::Code::InvalidArgument);
  CHECK(rep.error().at == "headers[1]");
  json tampered = header_doc(b);
  tampered["headers"][0]["result"]["signatureList"][0]["signature"] = "0x" + std::string(130, '1');
  auto t = causeway::proofs::verify_bft_headers(tampered.dump(), held(b), kVerifyTime);
  REQUIRE(!t);
  CHECK(t.error().at.rfind("headers[0]", 0) == 0);
}
