// Header documents (relay/proofs headers.hpp, verify_bitcoin_headers): how a Bitcoin island's client advances
// from a consensus state the relay holds, on the real mainnet runs of ../shared/vectors/bitcoin (SOURCES.md,
// section bitcoin/): headers.json (anchor 562621 + 18 headers, a competing block and a non-connecting header)
// and headersWithRetarget.json (anchor 554390 + 18 headers across the retarget at 554400).
#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include "bundle_support.hpp"
#include "causeway/proofs/headers.hpp"
#include "vectors.hpp"

using namespace causeway;
using namespace causeway::proofs;
using namespace causeway::proofs::test;
using causeway::testing::read_vector_json;

namespace {

std::string with0x(const std::string& s) { return s.starts_with("0x") ? s : "0x" + s; }

json headers_vector() { return read_vector_json("bitcoin/summa-tx_bitcoin-spv/headers.json"); }

// The 562621 … 562639 run as a header document anchored at 562621.
json run_document(const json& v) {
  json headers = json::array();
  for (const auto& h : v["chain"]) headers.push_back(with0x(h["hex"].get<std::string>()));
  return json{{"version", 1},
              {"family", "bitcoin"},
              {"network", "mainnet"},
              {"island", kMainnetIsland},
              {"anchor", {{"height", 562621}, {"header", with0x(v["genesis"]["hex"].get<std::string>())}}},
              {"headers", headers}};
}

TrustList trust_at(std::uint64_t height, const std::string& display_hash) {
  return TrustList{TrustedAnchor{kMainnetIsland, height, hash_from_hex(display_hash).value(), std::nullopt}};
}

TrustList checkpoint_562621(const json& v) { return trust_at(562621, v["genesis"]["digest"].get<std::string>()); }

// The error code, or nothing for an accepted document.
std::optional<Code> code_of(const Result<VerifiedBitcoinHeaders>& r) {
  if (r) return std::nullopt;
  return r.error().code;
}

}  // namespace

TEST_CASE("bitcoin header document: 18 real mainnet headers from a held checkpoint advance the client to 562639") {
  const json v = headers_vector();
  REQUIRE(v["chain"].size() == 18);
  auto r = verify_bitcoin_headers(run_document(v).dump(), checkpoint_562621(v), kVerifyTime);
  INFO((r ? "" : r.error().detail + " at " + r.error().at));
  REQUIRE(r);
  CHECK(r->island == kMainnetIsland);
  CHECK(r->network == "mainnet");
  CHECK(r->header_count == 18);
  CHECK(r->anchor.height == 562621);
  CHECK(to_hex(r->anchor.hash.view()) == v["genesis"]["digest"].get<std::string>());
  CHECK(r->anchor.time_s == 1549909824);
  CHECK(r->tip.height == 562639);
  CHECK(to_hex(r->tip.hash.view()) == "0x0000000000000000000fb8dba7f48eb65dbc24c6dc03d6f84823b5d59c7c4148");
  CHECK(r->tip.time_s == v["chain"][17]["timestamp"].get<std::uint64_t>());
  CHECK(r->mtp_window >= 1);
}

TEST_CASE("bitcoin header document: A03 an anchor the relay does not hold is refused (ERR_UNTRUSTED_ANCHOR)") {
  const json v = headers_vector();
  // Held: 562622, not the document's 562621.
  auto r = verify_bitcoin_headers(run_document(v).dump(), trust_at(562622, v["chain"][0]["digest"].get<std::string>()),
                                  kVerifyTime);
  REQUIRE(code_of(r) == Code::UntrustedAnchor);
  CHECK(r.error().at == "anchor");
  auto empty = verify_bitcoin_headers(run_document(v).dump(), TrustList{}, kVerifyTime);
  CHECK(code_of(empty) == Code::UntrustedAnchor);
}

TEST_CASE("bitcoin header document: a header that does not link to the run is refused where it stands") {
  const json v = headers_vector();
  SECTION("badHeader as a continuation of 562639") {
    json doc = run_document(v);
    doc["headers"].push_back(with0x(v["badHeader"]["hex"].get<std::string>()));
    auto r = verify_bitcoin_headers(doc.dump(), checkpoint_562621(v), kVerifyTime);
    REQUIRE(code_of(r) == Code::PrevHashMismatch);
    CHECK(r.error().at == "headers[18]");
  }
  SECTION("the competing block 562630 (parent 562629) after 562639") {
    json doc = run_document(v);
    doc["headers"].push_back(with0x(v["orphan_562630"]["hex"].get<std::string>()));
    auto r = verify_bitcoin_headers(doc.dump(), checkpoint_562621(v), kVerifyTime);
    REQUIRE(code_of(r) == Code::PrevHashMismatch);
    CHECK(r.error().at == "headers[18]");
  }
  SECTION("the competing block in its own place is a valid branch: 562622 … 562629, orphan_562630") {
    json doc = run_document(v);
    json branch = json::array();
    for (std::size_t i = 0; i < 8; ++i) branch.push_back(doc["headers"][i]);
    branch.push_back(with0x(v["orphan_562630"]["hex"].get<std::string>()));
    doc["headers"] = branch;
    auto r = verify_bitcoin_headers(doc.dump(), checkpoint_562621(v), kVerifyTime);
    REQUIRE(r);
    CHECK(r->tip.height == 562630);
    CHECK(to_hex(r->tip.hash.view()) == v["orphan_562630"]["digest"].get<std::string>());
  }
  SECTION("one flipped nonce byte breaks the proof of work") {
    json doc = run_document(v);
    std::string h = doc["headers"][17].get<std::string>();
    h[2 + 2 * 79] = h[2 + 2 * 79] == '0' ? '1' : '0';  // last byte of the nonce
    doc["headers"][17] = h;
    auto r = verify_bitcoin_headers(doc.dump(), checkpoint_562621(v), kVerifyTime);
    REQUIRE(code_of(r) == Code::BadPow);
    CHECK(r.error().at == "headers[17]");
  }
}

TEST_CASE("bitcoin header document: the retarget at 554400 needs the period start time, and then is exact") {
  const json v = read_vector_json("bitcoin/summa-tx_bitcoin-spv/headersWithRetarget.json");
  json headers = json::array();
  for (const auto& h : v["chain"]) headers.push_back(with0x(h["hex"].get<std::string>()));
  json doc = {{"version", 1},
              {"family", "bitcoin"},
              {"network", "mainnet"},
              {"island", kMainnetIsland},
              {"anchor", {{"height", 554390}, {"header", with0x(v["genesis"]["hex"].get<std::string>())}}},
              {"headers", headers}};
  const TrustList trust = trust_at(554390, v["genesis"]["digest"].get<std::string>());
  auto without = verify_bitcoin_headers(doc.dump(), trust, kVerifyTime);
  REQUIRE(code_of(without) == Code::AnchorInsufficient);
  const Bytes start = hx(v["oldPeriodStart"]["hex"].get<std::string>());
  doc["anchor"]["period_start_time_s"] = read_le32(start.data() + kTimeOff);
  auto with = verify_bitcoin_headers(doc.dump(), trust, kVerifyTime);
  INFO((with ? "" : with.error().detail + " at " + with.error().at));
  REQUIRE(with);
  CHECK(with->tip.height == 554408);
  CHECK(to_hex(with->tip.hash.view()) == v["chain"][17]["digest"].get<std::string>());
}

TEST_CASE("bitcoin header document: malformed documents get stable codes and change nothing") {
  const json v = headers_vector();
  const TrustList trust = checkpoint_562621(v);
  SECTION("an inclusion makes it a bundle, not a header document") {
    json doc = run_document(v);
    doc["inclusion"] = json::object();
    CHECK(code_of(verify_bitcoin_headers(doc.dump(), trust, kVerifyTime)) == Code::BundleSchema);
  }
  SECTION("another network's island") {
    json doc = run_document(v);
    doc["island"] = kTestnet3Island;
    CHECK(code_of(verify_bitcoin_headers(doc.dump(), trust, kVerifyTime)) == Code::IslandMismatch);
  }
  SECTION("an unknown network") {
    json doc = run_document(v);
    doc["network"] = "mainnet2";
    CHECK(code_of(verify_bitcoin_headers(doc.dump(), trust, kVerifyTime)) == Code::UnknownNetwork);
  }
  SECTION("a header of 79 bytes") {
    json doc = run_document(v);
    doc["headers"][3] = doc["headers"][3].get<std::string>().substr(0, 2 + 158);
    auto r = verify_bitcoin_headers(doc.dump(), trust, kVerifyTime);
    CHECK(code_of(r) == Code::HeaderEncoding);
  }
  SECTION("a timestamp that is not a 32-bit integer") {
    json doc = run_document(v);
    doc["anchor"]["prev_timestamps_s"] = json::array({-1});
    CHECK(code_of(verify_bitcoin_headers(doc.dump(), trust, kVerifyTime)) == Code::BundleSchema);
  }
  SECTION("not JSON, too deep, or without a family") {
    CHECK(code_of(verify_bitcoin_headers("{", trust, kVerifyTime)) == Code::BundleParse);
    CHECK(header_document_family("{\"family\": 7}").error().code == Code::BundleSchema);
    CHECK(header_document_family(std::string(100, '[') + std::string(100, ']')).error().code == Code::BundleParse);
    CHECK(header_document_family(run_document(v).dump()).value() == "bitcoin");
  }
}
