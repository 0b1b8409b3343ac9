// relay/proofs family `bft`, codec `chainmaker/v2` (docs/proof-bundles.md) through causeway::proofs::verify_bundle:
// bundles built here from the real ChainMaker blocks of ../shared/vectors/chainmaker — each `headers` entry is the
// vector's protobuf-JSON BlockInfo as the chain's RPC returns it — and corrupted variants made from them, each
// asserted with its exact exit code, error code and location.
#include <catch2/catch.hpp>

#include <string>

#include "causeway/chainmaker/client.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/proofs/bundle.hpp"
#include "causeway/proofs/headers.hpp"
#include "cm_trust_json.hpp"
#include "cm_vectors.hpp"

using namespace causeway;
using namespace cmv;
using nlohmann::json;

namespace {

constexpr std::int64_t kNow = 1'800'000'000;
const std::string kTx30 = "17a05aa42d8d673cca4160edc45863596289046afae0442c9a5bcd6bc5347359";

std::string b64(const Bytes& in) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < in.size(); i += 3) {
    std::uint32_t v = static_cast<std::uint32_t>(in[i]) << 16U;
    if (i + 1 < in.size()) v |= static_cast<std::uint32_t>(in[i + 1]) << 8U;
    if (i + 2 < in.size()) v |= in[i + 2];
    out += t[(v >> 18U) & 63U];
    out += t[(v >> 12U) & 63U];
    out += i + 1 < in.size() ? t[(v >> 6U) & 63U] : '=';
    out += i + 2 < in.size() ? t[v & 63U] : '=';
  }
  return out;
}

using causeway::testing::orgs_json;

// Block 30 checked from block 29 (its pre_block_hash), config height 22, org3/org4 pinned from block 3.
json bundle30(const ChainTrust& trust) {
  return {{"version", 1},
          {"family", "bft"},
          {"codec", "chainmaker/v2"},
          {"island", "chainmkr:chain1"},
          {"anchor",
           {{"height", 29},
            {"hash", "0xa5dc0b4a974cf055ef03b3c32570b8a2dad101dc22df27e11cc07d81dd1a301d"},
            {"hash_type", "SHA256"},
            {"config_height", 22},
            {"orgs", orgs_json(trust)}}},
          {"headers", json::array({causeway::testing::read_vector_json(kBlock30)})},
          {"inclusion",
           {{"kind", "chainmaker-merkle"},
            {"height", 30},
            {"tx_index", 0},
            {"tx_id", kTx30},
            {"path", json::array()},
            {"event",
             {{"index", 0},
              {"topic", "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"},
              {"contract_name", "EVM_ERC20_1"},
              {"event_data",
               {"0000000000000000000000000000000000000000000000000000000000000000",
                "000000000000000000000000171262347a59fded92021a32421a5dad05424e03",
                "0000000000000000000000000000000000000000033b2e3c9fd0803ce8000000"}}}}}},
          {"verify_time_s", kNow}};
}

json pinned30() { return bundle30(trust_with_pins(load_block(kBlock3), 22)); }

struct Outcome {
  int exit_code;
  json out;
};

Outcome run(const json& bundle, const proofs::TrustList* trust = nullptr) {
  auto v = proofs::verify_bundle(bundle.dump(), trust, kNow);
  return {v.exit_code, json::parse(v.output_json)};
}

void expect_error(const json& bundle, const std::string& code, const std::string& at) {
  auto r = run(bundle);
  INFO(r.out.dump());
  CHECK(r.exit_code == 1);
  CHECK(r.out["error"]["code"] == code);
  CHECK(r.out["error"]["at"] == at);
}

// Replaces block 30's vote set inside the bundle.
json with_qc(json bundle, const VoteSet& s) {
  bundle["headers"][0]["block"]["additional_data"]["extra_data"]["TBFTAddtionalDataKey"] = b64(encode_vote_set(s));
  return bundle;
}

}  // namespace

TEST_CASE("chainmaker/v2 bundle: block 30 from block 29, tx and its Transfer event proven (trust roots + pinned org3/org4)") {
  auto r = run(pinned30());
  INFO(r.out.dump());
  REQUIRE(r.exit_code == 0);
  CHECK(r.out["valid"] == true);
  CHECK(r.out["codec"] == "chainmaker/v2");
  CHECK(r.out["height"] == 30);
  CHECK(r.out["header_hash"] == "0x020e36ff04f5cfd38167de7a97333e18c32ccfa7969d8ed77b54dde7f48f0a5e");
  CHECK(r.out["confirmations"] == 1);
  CHECK(r.out["claim"]["tx_id"] == kTx30);
  CHECK(r.out["claim"]["tx_hash"] == "0x40a5e4734a4fce19530e9673e3c3470ba1a274611a574aeb64fd55de07edb789");
  CHECK(r.out["claim"]["event"]["contract_name"] == "EVM_ERC20_1");
  CHECK(r.out["quorum"]["validators"] == 4);
  CHECK(r.out["quorum"]["required"] == 3);
  CHECK(r.out["quorum"]["counted"] == 3);
  CHECK(r.out["quorum"]["round"] == 12);
  CHECK(r.out["anchor"]["trusted"] == "as-given");
  CHECK(r.out["anchor"]["config_height"] == 22);
  // The verdict does not change once the certificates have expired (judged at the block's time).
  json later = pinned30();
  later["verify_time_s"] = 2'100'000'000;
  CHECK(run(later).exit_code == 0);
  // A single block checked against the anchor's set from an older checkpoint.
  json cp = pinned30();
  cp["anchor"]["height"] = 25;
  cp["anchor"]["hash"] = "0x" + std::string(64, '1');
  CHECK(run(cp).exit_code == 0);
}

TEST_CASE("chainmaker/v2 bundle: --trust pins the anchor block and its validator-set hash (A03)") {
  auto r = run(pinned30());
  REQUIRE(r.exit_code == 0);
  proofs::TrustList trust{{"chainmkr:chain1", 29,
                           hash_from_hex("0xa5dc0b4a974cf055ef03b3c32570b8a2dad101dc22df27e11cc07d81dd1a301d").value(),
                           hash_from_hex(r.out["anchor"]["validator_set_hash"].get<std::string>()).value()}};
  auto ok = run(pinned30(), &trust);
  CHECK(ok.exit_code == 0);
  CHECK(ok.out["anchor"]["trusted"] == "trust-file");
  json other = bundle30(trust_ca_only(22));  // another validator-set material
  auto bad = run(other, &trust);
  CHECK(bad.exit_code == 1);
  CHECK(bad.out["error"]["code"] == "ERR_UNTRUSTED_ANCHOR");
  CHECK(bad.out["error"]["at"] == "anchor");
}

TEST_CASE("chainmaker/v2 bundle: CA-only trust (org1/org2 roots) rejects block 30 with ERR_UNKNOWN_CA") {
  expect_error(bundle30(trust_ca_only(22)), "ERR_UNKNOWN_CA", "headers[0].header.proposer");
}

TEST_CASE("chainmaker/v2 bundle: block 3 header and QC verify, but its explorer-altered transaction is not under tx_root") {
  const Block b30 = load_block(kBlock30);
  json b = bundle30(trust_with_pins(b30, 0));
  b["anchor"]["height"] = 2;
  b["anchor"]["hash"] = "0x45e0421f82bf7888cb420eee27591cee8c94aa83596b5dc4d074c09237552d49";
  b["anchor"]["config_height"] = 0;
  b["headers"] = json::array({causeway::testing::read_vector_json(kBlock3)});
  b["inclusion"] = {{"kind", "chainmaker-merkle"}, {"height", 3}, {"tx_index", 0},
                    {"tx_id", load_block(kBlock3).txs[0].tx_id}, {"path", json::array()}};
  expect_error(b, "ERR_MERKLE_BRANCH", "inclusion");
}

TEST_CASE("chainmaker/v2 bundle: corrupted block 30 variants, each with its own code") {
  const json base = pinned30();
  {
    json b = base;
    b["headers"][0]["block"]["header"]["tx_root"] = b64(Bytes(32, 0x40));
    expect_error(b, "ERR_HEADER_HASH_MISMATCH", "headers[0].header");
  }
  {
    json b = base;
    b["headers"][0]["block"]["header"]["block_timestamp"] = 1702460321;
    expect_error(b, "ERR_HEADER_HASH_MISMATCH", "headers[0].header");
  }
  {
    json b = base;
    const Block blk = load_block(kBlock30);
    Bytes sig = blk.header.signature;
    sig[10] ^= 1;
    b["headers"][0]["block"]["header"]["signature"] = b64(sig);
    expect_error(b, "ERR_BAD_PROPOSER_SIGNATURE", "headers[0].header.signature");
  }
  const VoteSet qc = qc_of(load_block(kBlock30));
  {
    VoteSet s = qc;
    s.votes[0].vote.height = 31;
    expect_error(with_qc(base, s), "ERR_VOTE_HEIGHT", "headers[0].qc.votes[0].height");
  }
  {
    VoteSet s = qc;
    s.votes[1].vote.type = kVotePrevote;
    expect_error(with_qc(base, s), "ERR_VOTE_TYPE", "headers[0].qc.votes[1].type");
  }
  {
    VoteSet s = qc;
    s.votes[2].vote.signature[15] ^= 1;
    expect_error(with_qc(base, s), "ERR_SIG_INVALID", "headers[0].qc.votes[2].endorsement.signature");
  }
  {
    VoteSet s = qc;
    s.votes.push_back(s.votes[1]);
    expect_error(with_qc(base, s), "ERR_DUPLICATE_VOTER", "headers[0].qc.votes[3].voter");
  }
  {
    VoteSet s = qc;
    s.votes.erase(s.votes.begin());
    expect_error(with_qc(base, s), "ERR_INSUFFICIENT_QUORUM", "headers[0].qc");
  }
  {  // the org2 vote's certificate claimed for wx-org1: not under org1's root
    VoteSet s = qc;
    std::size_t i = 0;
    while (s.votes[i].vote.signer.org_id != "wx-org2.chainmaker.org") ++i;
    s.votes[i].vote.signer.org_id = "wx-org1.chainmaker.org";
    expect_error(with_qc(base, s), "ERR_UNKNOWN_CA", "headers[0].qc.votes[" + std::to_string(i) + "].endorsement");
  }
  {
    json b = base;
    b["headers"][0]["block"]["additional_data"]["extra_data"].erase("TBFTAddtionalDataKey");
    expect_error(b, "ERR_QC_MISSING", "headers[0].qc");
  }
  {
    json b = base;
    b["anchor"]["hash"] = "0x" + std::string(64, '2');
    expect_error(b, "ERR_PREV_HASH_MISMATCH", "headers[0].header.pre_block_hash");
  }
  {
    json b = base;
    b["anchor"]["config_height"] = 21;
    expect_error(b, "ERR_VALIDATOR_SET_MISMATCH", "headers[0].header.pre_conf_height");
  }
}

TEST_CASE("chainmaker/v2 bundle: claims, unknown fields, out-of-scope modes and schema") {
  {
    json b = pinned30();
    b["inclusion"]["tx_id"] = "another";
    expect_error(b, "ERR_CLAIM_MISMATCH", "inclusion.tx_id");
  }
  {
    json b = pinned30();
    b["inclusion"]["event"]["event_data"][2] = "00";
    expect_error(b, "ERR_LOG_MISMATCH", "inclusion.event.event_data");
  }
  {
    json b = pinned30();
    b["inclusion"]["path"] = json::array({"0x" + std::string(64, 'a')});
    expect_error(b, "ERR_MERKLE_INDEX", "inclusion");
  }
  {
    json b = pinned30();
    b["inclusion"]["height"] = 29;
    expect_error(b, "ERR_UNKNOWN_HEADER", "inclusion.height");
  }
  {
    json b = pinned30();
    b["headers"][0]["block"]["header"]["not_a_field"] = 1;
    auto r = run(b);  // not a ChainMaker block: malformed input, exit 2 like a schema violation
    CHECK(r.exit_code == 2);
    CHECK(r.out["error"]["code"] == "ERR_PROTOBUF_DECODE");
    CHECK(r.out["error"]["at"] == "headers[0]");
  }
  {
    json b = pinned30();
    b["headers"][0]["block"]["header"]["block_height"] = "x";
    auto r = run(b);
    CHECK(r.exit_code == 2);
    CHECK(r.out["error"]["code"] == "ERR_PROTOBUF_DECODE");
  }
  {
    json b = pinned30();
    b["anchor"]["consensus"] = "MAXBFT";
    expect_error(b, "ERR_UNSUPPORTED", "anchor.consensus");
  }
  {
    json b = pinned30();
    b["anchor"]["hash_type"] = "SHA3_256";
    expect_error(b, "ERR_UNSUPPORTED", "anchor.hash_type");
  }
  {
    json b = pinned30();
    b["island"] = "chainmkr:chain2";
    expect_error(b, "ERR_ISLAND_MISMATCH", "headers[0].header.chain_id");
  }
  {
    json b = pinned30();
    b["anchor"].erase("hash_type");
    auto r = run(b);
    CHECK(r.exit_code == 2);
    CHECK(r.out["error"]["code"] == "ERR_BUNDLE_SCHEMA");
  }
  {
    json b = pinned30();
    b["crypto"] = "sm2-sm3";
    CHECK(run(b).exit_code == 2);
  }
}

// ---- header documents (relay/proofs headers.hpp): a push-mode ChainMaker island's client advances by blocks ----

namespace {

json header_doc30(const ChainTrust& trust) {
  json d = bundle30(trust);
  d.erase("inclusion");
  d.erase("verify_time_s");
  return d;
}

proofs::TrustList trust29(const std::string& set_hash_hex) {
  return {{"chainmkr:chain1", 29,
           hash_from_hex("0xa5dc0b4a974cf055ef03b3c32570b8a2dad101dc22df27e11cc07d81dd1a301d").value(),
           hash_from_hex(set_hash_hex).value()}};
}

}  // namespace

TEST_CASE("chainmaker/v2 header document: block 30 verified from held block 29 advances the client (push mode)") {
  auto b = run(pinned30());
  REQUIRE(b.exit_code == 0);
  const std::string set_hash = b.out["anchor"]["validator_set_hash"].get<std::string>();
  const json doc = header_doc30(trust_with_pins(load_block(kBlock3), 22));
  REQUIRE(proofs::header_document_family(doc.dump()).value() == "bft");
  auto v = proofs::verify_bft_headers(doc.dump(), trust29(set_hash), kNow);
  INFO((v ? "" : v.error().detail + " at " + v.error().at));
  REQUIRE(v);
  CHECK(v->island == "chainmkr:chain1");
  CHECK(v->crypto == "SHA256");
  CHECK(v->anchor.height == 29);
  REQUIRE(v->headers.size() == 1);
  CHECK(v->headers[0].height == 30);
  CHECK(to_hex(v->headers[0].hash.view()) == "0x020e36ff04f5cfd38167de7a97333e18c32ccfa7969d8ed77b54dde7f48f0a5e");
  CHECK(v->headers[0].time_ms == static_cast<std::uint64_t>(load_block(kBlock30).header.timestamp_s) * 1000);
  // Block 30 is not a config block: the set in force after it is the anchor's.
  CHECK(to_hex(v->headers[0].validators_hash.view()) == set_hash);
}

TEST_CASE("chainmaker/v2 header document: A03 and the light client's rules hold for pushed blocks") {
  auto b = run(pinned30());
  REQUIRE(b.exit_code == 0);
  const std::string set_hash = b.out["anchor"]["validator_set_hash"].get<std::string>();
  SECTION("another validator-set material than the held one: ERR_UNTRUSTED_ANCHOR") {
    auto v = proofs::verify_bft_headers(header_doc30(trust_ca_only(22)).dump(), trust29(set_hash), kNow);
    REQUIRE(!v);
    CHECK(v.error().code == Code::UntrustedAnchor);
    CHECK(v.error().at == "anchor");
  }
  SECTION("an empty trust list: ERR_UNTRUSTED_ANCHOR") {
    auto v = proofs::verify_bft_headers(header_doc30(trust_with_pins(load_block(kBlock3), 22)).dump(), {}, kNow);
    REQUIRE(!v);
    CHECK(v.error().code == Code::UntrustedAnchor);
  }
  SECTION("a vote set below quorum: refused at headers[0]") {
    VoteSet qc = qc_of(load_block(kBlock30));
    qc.votes.resize(1);
    json doc = with_qc(header_doc30(trust_with_pins(load_block(kBlock3), 22)), qc);
    auto v = proofs::verify_bft_headers(doc.dump(), trust29(set_hash), kNow);
    REQUIRE(!v);
    CHECK(v.error().at.rfind("headers[0]", 0) == 0);
  }
  SECTION("a block repeated in the run is refused (its set would be the one after a later block)") {
    json doc = header_doc30(trust_with_pins(load_block(kBlock3), 22));
    doc["headers"].push_back(doc["headers"][0]);
    auto v = proofs::verify_bft_headers(doc.dump(), trust29(set_hash), kNow);
    REQUIRE(!v);
    CHECK(v.error().code == Code::InvalidArgument);
    CHECK(v.error().at == "headers[1]");
  }
  SECTION("the held state's time, not the document's anchor.time_s, is the first block's time floor") {
    const auto t30 = static_cast<std::uint64_t>(load_block(kBlock30).header.timestamp_s);
    json doc = header_doc30(trust_with_pins(load_block(kBlock3), 22));
    doc["anchor"]["time_s"] = 0;  // "unknown": would lift the floor if the document were believed
    auto held_later = trust29(set_hash);
    held_later[0].time_ms = (t30 + 1) * 1000;
    auto v = proofs::verify_bft_headers(doc.dump(), held_later, kNow);
    REQUIRE(!v);
    CHECK(v.error().code == Code::TimestampOrder);
    CHECK(v.error().at == "headers[0].header.block_timestamp");
    doc["anchor"]["time_s"] = t30 + 100;  // a later time in the document does not refuse an honest block either
    auto held_earlier = trust29(set_hash);
    held_earlier[0].time_ms = (t30 - 1) * 1000;
    auto ok = proofs::verify_bft_headers(doc.dump(), held_earlier, kNow);
    INFO((ok ? "" : ok.error().detail + " at " + ok.error().at));
    REQUIRE(ok);
    CHECK(ok->anchor.time_ms == (t30 - 1) * 1000);
  }
  SECTION("a malformed anchor is ERR_BUNDLE_SCHEMA, not an exception") {
    json doc = header_doc30(trust_with_pins(load_block(kBlock3), 22));
    doc["anchor"]["hash_type"] = 7;
    auto v = proofs::verify_bft_headers(doc.dump(), trust29(set_hash), kNow);
    REQUIRE(!v);
    CHECK(v.error().code == Code::BundleSchema);
  }
}
