// Proof bundles (PROOF-BUNDLE.md, family bitcoin) verified through causeway::proofs::verify_bundle, on regtest
// chains mined here (no outside data: always runs). Real-data bundles are in tests/vectors/proofs.
#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

#include "bundle_support.hpp"
#include "causeway/core/hash.hpp"

using namespace causeway;
using namespace causeway::proofs;
using namespace causeway::proofs::test;

namespace {

const std::string kRegtestGenesisHash = "0x0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206";

// The chain most tests use: genesis + 12 blocks with 3, 1, 4, 2, 5, 3, 1, 4, 2, 5, 3, 1 transactions.
const RegtestChain& chain12() {
  static const RegtestChain c = [] {
    RegtestChain r;
    r.mine_n(12);
    return r;
  }();
  return c;
}

json base_bundle() { return regtest_bundle(chain12(), 6, 1); }  // block 6 (3 txs), tx 1: 7 confirmations

TrustList trust_of(const std::string& island, std::uint64_t height, const std::string& hash_display) {
  return TrustList{TrustedAnchor{island, height, hash_from_hex(hash_display).value(), std::nullopt}};
}

}  // namespace

TEST_CASE("the test miner reproduces the regtest genesis and mines headers that meet the regtest limit") {
  CHECK(display(hash_of(regtest_genesis())) == kRegtestGenesisHash);
  const RegtestChain& c = chain12();
  REQUIRE(c.tip_height() == 12);
  for (std::uint32_t h = 1; h <= 12; ++h) {
    CHECK(c.at(h).header.prev_hash == hash_of(c.at(h - 1).header));
    CHECK(c.at(h).txids.size() == tx_count_of(h));
  }
}

TEST_CASE("every transaction of a mined regtest chain is proven, with the exact result fields") {
  const RegtestChain& c = chain12();
  std::size_t proven = 0;
  for (std::uint32_t h = 1; h <= 12; ++h) {
    for (std::size_t i = 0; i < c.at(h).txids.size(); ++i) {
      const Outcome o = run(regtest_bundle(c, h, i));
      INFO("block " << h << " tx " << i << ": " << o.out.dump());
      REQUIRE(o.exit_code == 0);
      const json& r = o.out;
      CHECK(r["valid"] == true);
      CHECK(r["family"] == "bitcoin");
      CHECK(r["island"] == kRegtestIsland);
      CHECK(r["network"] == "regtest");
      CHECK(r["height"] == h);
      CHECK(r["header_hash"] == display(hash_of(c.at(h).header)));
      CHECK(r["confirmations"] == 12 - h + 1);
      CHECK(r["claim"]["kind"] == "tx");
      CHECK(r["claim"]["txid"] == display(c.at(h).txids[i]));
      CHECK(r["claim"]["index"] == i);
      CHECK(r["claim"]["tx_count"] == c.at(h).txids.size());
      CHECK(r["claim"]["raw_tx_checked"] == true);
      CHECK(r["trust"] == "pow");
      CHECK(r["anchor"] == json{{"height", 0}, {"hash", kRegtestGenesisHash}, {"trusted", "as-given"}});
      CHECK(r["tip"]["height"] == 12);
      CHECK(r["tip"]["hash"] == display(hash_of(c.at(12).header)));
      CHECK(r["verify_time_s"] == kVerifyTime);
      ++proven;
    }
  }
  CHECK(proven == 34);  // 3+1+4+2+5 + 3+1+4+2+5 + 3+1
}

TEST_CASE("confirmations count the proving block; min_confirmations one above is ERR_INSUFFICIENT_CONFIRMATIONS") {
  const RegtestChain& c = chain12();
  std::size_t cases = 0;
  for (std::uint32_t h = 1; h <= 12; ++h) {
    const std::uint32_t conf = 12 - h + 1;
    const Outcome ok = run(regtest_bundle(c, h, 0, std::nullopt, conf));
    CHECK(ok.exit_code == 0);
    CHECK(ok.out["confirmations"] == conf);
    expect_error(regtest_bundle(c, h, 0, std::nullopt, conf + 1), 1, "ERR_INSUFFICIENT_CONFIRMATIONS",
                 At{"inclusion"});
    ++cases;
  }
  CHECK(cases == 12);
  // A bundle that stops at the proving block itself: 1 confirmation.
  const Outcome at_tip = run(regtest_bundle(c, 6, 0, std::nullopt, 1, 6));
  CHECK(at_tip.out["confirmations"] == 1);
  CHECK(at_tip.out["tip"]["height"] == 6);
}

TEST_CASE("a corrupted header in a bundle is rejected at its index: bad PoW, wrong bits, broken link") {
  const RegtestChain& c = chain12();
  std::size_t pow = 0, bits = 0, link = 0;
  for (std::size_t i = 0; i < 12; ++i) {
    const auto height = static_cast<std::uint32_t>(i + 1);
    {  // a nonce whose hash is above the regtest target (the header is otherwise the mined one)
      json b = base_bundle();
      bitcoin::Header h = c.at(height).header;
      unsolve(h);
      set_header(b, i, h);
      expect_error(b, 1, "ERR_BAD_POW", At{"headers[" + std::to_string(i) + "]"});
      ++pow;
    }
    {  // bits other than the regtest limit, with a valid PoW for the limit
      json b = base_bundle();
      bitcoin::Header h = c.at(height).header;
      h.bits = 0x207ffffe;
      solve(h);
      set_header(b, i, h);
      expect_error(b, 1, "ERR_BAD_BITS", At{"headers[" + std::to_string(i) + "]"});
      ++bits;
    }
    {  // one bit of the previous hash flipped: checked before anything else of the header
      json b = base_bundle();
      flip_header_bit(b, i, kPrevOff + 7, 3);
      expect_error(b, 1, "ERR_PREV_HASH_MISMATCH", At{"headers[" + std::to_string(i) + "]"});
      ++link;
    }
  }
  CHECK(pow == 12);
  CHECK(bits == 12);
  CHECK(link == 12);

  SECTION("headers out of order, repeated or missing break the link at the first misplaced one") {
    json swapped = base_bundle();
    std::swap(swapped["headers"][2], swapped["headers"][3]);
    expect_error(swapped, 1, "ERR_PREV_HASH_MISMATCH", At{"headers[2]"});
    json repeated = base_bundle();
    repeated["headers"][4] = repeated["headers"][3];
    expect_error(repeated, 1, "ERR_PREV_HASH_MISMATCH", At{"headers[4]"});
    json gap = base_bundle();
    gap["headers"].erase(5);
    expect_error(gap, 1, "ERR_PREV_HASH_MISMATCH", At{"headers[5]"});
  }
  SECTION("a proving header whose merkle root was changed and whose PoW was redone proves nothing") {
    json b = regtest_bundle(c, 6, 1, std::nullopt, 1, 6);  // block 6 is the tip: nothing links after it
    bitcoin::Header h = c.at(6).header;
    h.merkle_root.b[0] ^= 1;
    solve(h);
    set_header(b, 5, h);
    expect_error(b, 1, "ERR_MERKLE_BRANCH", At{"inclusion"});
  }
}

TEST_CASE("a corrupted inclusion proof is rejected with the error its check order defines") {
  const RegtestChain& c = chain12();
  const Block& blk = c.at(6);  // 3 transactions [A, B, C]; the bundle proves B (index 1): branch [A, H(C,C)]
  REQUIRE(blk.txids.size() == 3);

  SECTION("each branch sibling flipped: ERR_MERKLE_BRANCH") {
    std::size_t n = 0;
    for (std::size_t k = 0; k < 2; ++k) {
      json b = base_bundle();
      Hash32 s = h32(b["inclusion"]["branch"][k].get<std::string>());
      s.b[9] ^= 0x40;
      b["inclusion"]["branch"][k] = display(s);
      expect_error(b, 1, "ERR_MERKLE_BRANCH", At{"inclusion"});
      ++n;
    }
    CHECK(n == 2);
  }
  SECTION("the index changed") {
    // Check order of merkle::bitcoin_branch_root: branch length ≤ 32, index < 2^len, index < tx_count,
    // len == depth(tx_count) (all ERR_MERKLE_INDEX), then per level: a lone last node must be paired with
    // itself (ERR_MERKLE_BRANCH) and any other node with a different sibling (ERR_MERKLE_MUTATED), and last
    // the folded root must equal the header's (ERR_MERKLE_BRANCH).
    json b = base_bundle();
    b["inclusion"]["index"] = 0;  // B folded as a left child: shape fine, root differs
    expect_error(b, 1, "ERR_MERKLE_BRANCH", At{"inclusion"});
    b["inclusion"]["index"] = 2;  // position 2 of 3 is the lone last node, but its sibling is A, not itself
    expect_error(b, 1, "ERR_MERKLE_BRANCH", At{"inclusion"});
    b["inclusion"]["index"] = 3;  // fits the 2-level branch, but 3 >= tx_count 3
    expect_error(b, 1, "ERR_MERKLE_INDEX", At{"inclusion"});
    b["inclusion"]["index"] = 4;  // does not fit a 2-level branch
    expect_error(b, 1, "ERR_MERKLE_INDEX", At{"inclusion"});
    b["inclusion"].erase("tx_count");
    b["inclusion"]["index"] = 3;  // without tx_count: shape fine, root differs
    expect_error(b, 1, "ERR_MERKLE_BRANCH", At{"inclusion"});
  }
  SECTION("a branch of the wrong length for tx_count: ERR_MERKLE_INDEX") {
    json shorter = base_bundle();
    shorter["inclusion"]["branch"].erase(1);
    expect_error(shorter, 1, "ERR_MERKLE_INDEX", At{"inclusion"});
    json longer = base_bundle();
    longer["inclusion"]["branch"].push_back(display(sha256d(Bytes{1})));
    expect_error(longer, 1, "ERR_MERKLE_INDEX", At{"inclusion"});
    json count = base_bundle();
    count["inclusion"]["tx_count"] = 5;  // depth 3, branch has 2
    expect_error(count, 1, "ERR_MERKLE_INDEX", At{"inclusion"});
  }
  SECTION("the raw transaction changed: ERR_TX_MISMATCH (checked before the branch)") {
    // prevout hash, scriptSig, sequence, value, output script (OP_TRUE), locktime
    const std::size_t offsets[] = {5, 45, 51, 57, 64, 68};
    std::size_t n = 0;
    for (std::size_t off : offsets) {
      json b = base_bundle();
      Bytes tx = blk.txs[1];
      tx.at(off) ^= 0x01;
      b["inclusion"]["tx"] = to_hex(tx);
      expect_error(b, 1, "ERR_TX_MISMATCH", At{"inclusion"});
      ++n;
    }
    CHECK(n == 6);
    json other = base_bundle();
    other["inclusion"]["tx"] = to_hex(blk.txs[0]);  // a real transaction of the same block, not the claimed one
    expect_error(other, 1, "ERR_TX_MISMATCH", At{"inclusion"});
    json truncated = base_bundle();
    truncated["inclusion"]["tx"] = to_hex(ByteView(blk.txs[1]).first(40));
    expect_error(truncated, 1, "ERR_TX_MALFORMED", At{"inclusion"});
    json sixty_four = base_bundle();
    sixty_four["inclusion"]["tx"] = to_hex(Bytes(64, 0x01));
    expect_error(sixty_four, 1, "ERR_TX_64_BYTES", At{"inclusion"});
  }
  SECTION("the claimed txid changed: with the raw tx ERR_TX_MISMATCH, without it ERR_MERKLE_BRANCH") {
    json b = base_bundle();
    b["inclusion"]["txid"] = display(blk.txids[2]);
    expect_error(b, 1, "ERR_TX_MISMATCH", At{"inclusion"});
    b["inclusion"].erase("tx");
    expect_error(b, 1, "ERR_MERKLE_BRANCH", At{"inclusion"});
  }
  SECTION("a proving height outside the bundle's headers: ERR_UNKNOWN_HEADER") {
    json above = base_bundle();
    above["inclusion"]["height"] = 13;
    expect_error(above, 1, "ERR_UNKNOWN_HEADER", At{"inclusion"});
    json cut = regtest_bundle(c, 6, 1, std::nullopt, 1, 5);  // headers stop at 5
    expect_error(cut, 1, "ERR_UNKNOWN_HEADER", At{"inclusion"});
  }
  SECTION("without tx_count and raw tx the branch alone proves the transaction") {
    json b = base_bundle();
    b["inclusion"].erase("tx");
    b["inclusion"].erase("tx_count");
    const Outcome o = run(b);
    CHECK(o.exit_code == 0);
    CHECK(o.out["claim"]["raw_tx_checked"] == false);
    CHECK_FALSE(o.out["claim"].contains("tx_count"));
  }
}

TEST_CASE("a bundle for another island or an unimplemented family is rejected (exit 1)") {
  json mainnet_island = base_bundle();
  mainnet_island["island"] = kMainnetIsland;
  expect_error(mainnet_island, 1, "ERR_ISLAND_MISMATCH", At{"island"});
  json testnet_island = base_bundle();
  testnet_island["island"] = kTestnet3Island;
  expect_error(testnet_island, 1, "ERR_ISLAND_MISMATCH", At{"island"});
  json mainnet_network = base_bundle();  // regtest island, mainnet rules
  mainnet_network["network"] = "mainnet";
  expect_error(mainnet_network, 1, "ERR_ISLAND_MISMATCH", At{"island"});
  // A bft codec not implemented yet is ERR_UNSUPPORTED_FAMILY; a bitcoin bundle relabelled as another family
  // fails that family's schema.
  json bft = base_bundle();
  bft["family"] = "bft";
  bft["codec"] = "unknown-codec/v1";
  bft.erase("network");
  expect_error(bft, 1, "ERR_UNSUPPORTED_FAMILY", At{"codec"});
  json relabelled = base_bundle();
  relabelled["family"] = "ethereum";
  expect_error(relabelled, 2, "ERR_BUNDLE_SCHEMA", At{"inclusion"});
}

TEST_CASE("a height-0 anchor must be the network's genesis") {
  json b = base_bundle();
  b["anchor"]["header"] = b["headers"][0];  // block 1 presented as height 0
  b["headers"].erase(0);
  expect_error(b, 1, "ERR_UNTRUSTED_ANCHOR", At{"anchor"});
}

TEST_CASE("schema violations exit 2 with ERR_BUNDLE_SCHEMA") {
  struct Case {
    const char* what;
    std::function<void(json&)> mutate;
    std::string at;
  };
  const std::vector<Case> cases = {
      {"missing inclusion", [](json& b) { b.erase("inclusion"); }, ""},
      {"missing headers", [](json& b) { b.erase("headers"); }, ""},
      {"missing network", [](json& b) { b.erase("network"); }, ""},
      {"missing anchor.header", [](json& b) { b["anchor"].erase("header"); }, "anchor"},
      {"missing inclusion.txid", [](json& b) { b["inclusion"].erase("txid"); }, "inclusion"},
      {"version 2", [](json& b) { b["version"] = 2; }, "version"},
      {"unknown family", [](json& b) { b["family"] = "cosmos"; }, "family"},
      {"unknown network", [](json& b) { b["network"] = "mainnet2"; }, "network"},
      {"header of 79 bytes", [](json& b) { b["headers"][0] = b["headers"][0].get<std::string>().substr(0, 160); },
       "headers[0]"},
      {"anchor header without 0x",
       [](json& b) { b["anchor"]["header"] = b["anchor"]["header"].get<std::string>().substr(2); },
       "anchor.header"},
      {"txid of 31 bytes", [](json& b) { b["inclusion"]["txid"] = b["inclusion"]["txid"].get<std::string>().substr(0, 64); },
       "inclusion.txid"},
      {"negative index", [](json& b) { b["inclusion"]["index"] = -1; }, "inclusion.index"},
      {"index with a leading zero", [](json& b) { b["inclusion"]["index"] = "01"; }, "inclusion.index"},
      {"index above 2^53-1 as a number", [](json& b) { b["inclusion"]["index"] = 9007199254740992ull; },
       "inclusion.index"},
      {"branch of 33 siblings",
       [](json& b) { b["inclusion"]["branch"] = json::array(); for (int i = 0; i < 33; ++i) b["inclusion"]["branch"].push_back(display(sha256d(Bytes{1}))); },
       "inclusion.branch"},
      {"inclusion kind receipt", [](json& b) { b["inclusion"]["kind"] = "receipt"; }, "inclusion.kind"},
      {"island not CAIP-2", [](json& b) { b["island"] = "bitcoin"; }, "island"},
      {"headers not an array", [](json& b) { b["headers"] = "0x00"; }, "headers"},
      {"unknown finality field", [](json& b) { b["finality"]["depth"] = 6; }, "finality"},
      {"top level is an array", [](json& b) { b = json::array({b}); }, ""},
      {"top level is null", [](json& b) { b = nullptr; }, ""},
  };
  std::size_t n = 0;
  for (const auto& c : cases) {
    INFO(c.what);
    json b = base_bundle();
    c.mutate(b);
    expect_error(b, 2, "ERR_BUNDLE_SCHEMA", At{c.at});
    ++n;
  }
  CHECK(n == 21);
  // Hex is checked by the verifier, not by a schema pattern (std::regex recursion on long strings).
  json odd = base_bundle();
  odd["inclusion"]["tx"] = "0x123";
  expect_error(odd, 2, "ERR_BAD_HEX", At{"inclusion.tx"});
}

TEST_CASE("input that is not JSON exits 2 with ERR_BUNDLE_PARSE") {
  const std::vector<std::string> inputs = {"", " ", "garbage", "{", "{\"version\": 1,", "[1, 2", "\xff\xfe\x00\x01",
                                           "{\"version\": 1} trailing", base_bundle().dump().substr(0, 300)};
  std::size_t n = 0;
  for (const auto& text : inputs) {
    const Outcome o = run(text);
    INFO(text.substr(0, 40));
    CHECK(o.exit_code == 2);
    CHECK(o.code() == "ERR_BUNDLE_PARSE");
    ++n;
  }
  CHECK(n == 9);
}

TEST_CASE("A02 caller-supplied verdict field is rejected") {
  // Every check is recomputed from the raw data: a bundle cannot carry its own verdict (schema: no extra field).
  const std::vector<std::pair<std::function<void(json&)>, std::string>> forged = {
      {[](json& b) { b["verified"] = true; }, ""},
      {[](json& b) { b["valid"] = true; }, ""},
      {[](json& b) { b["result"] = {{"valid", true}, {"confirmations", 100}}; }, ""},
      {[](json& b) { b["trust"] = "pow"; }, ""},
      {[](json& b) { b["inclusion"]["verified"] = true; }, "inclusion"},
      {[](json& b) { b["anchor"]["trusted"] = "trust-file"; }, "anchor"},
      {[](json& b) { b["anchor"]["hash"] = display(hash_of(regtest_genesis())); }, "anchor"},
      {[](json& b) { b["finality"]["confirmations"] = 100; }, "finality"},
  };
  std::size_t n = 0;
  for (const auto& [mutate, at] : forged) {
    json b = base_bundle();
    mutate(b);
    const Outcome o = expect_error(b, 2, "ERR_BUNDLE_SCHEMA", At{at});
    CHECK(o.out["valid"] == false);
    ++n;
  }
  CHECK(n == 8);
  // A forged verdict on a bundle that would not verify changes nothing either.
  json bad = base_bundle();
  bad["finality"]["min_confirmations"] = 100;
  expect_error(bad, 1, "ERR_INSUFFICIENT_CONFIRMATIONS", At{"inclusion"});
  bad["verified"] = true;
  expect_error(bad, 2, "ERR_BUNDLE_SCHEMA", At{""});
}

TEST_CASE("A29 oversized or too deeply nested bundles are refused before parsing") {
  CHECK(run(std::string(100000, '[')).code() == "ERR_BUNDLE_PARSE");
  const auto nest = [](std::size_t d) { return std::string(d, '[') + std::string(d, ']'); };
  const Outcome at_limit = run(nest(kMaxJsonDepth));  // parses, then fails the schema
  CHECK(at_limit.exit_code == 2);
  CHECK(at_limit.code() == "ERR_BUNDLE_SCHEMA");
  const Outcome over = run(nest(kMaxJsonDepth + 1));
  CHECK(over.exit_code == 2);
  CHECK(over.code() == "ERR_BUNDLE_PARSE");
  // Brackets inside strings do not count as nesting.
  json b = base_bundle();
  b["island"] = std::string(200, '[');
  CHECK(run(b).code() == "ERR_BUNDLE_SCHEMA");
  // One byte over the size bound: refused with ERR_TOO_LARGE (exit 2) without being parsed.
  std::string huge = base_bundle().dump();
  huge.append(kMaxBundleBytes + 1 - huge.size(), ' ');
  const Outcome big = run(huge);
  CHECK(big.exit_code == 2);
  CHECK(big.code() == "ERR_TOO_LARGE");
  huge.pop_back();  // exactly at the bound: parsed and verified
  CHECK(run(huge).exit_code == 0);
}

TEST_CASE("A01 all-zero anchor or root is never trusted") {
  const RegtestChain& c = chain12();
  SECTION("an anchor header whose merkle root is all zero: ERR_ZERO_ROOT at anchor") {
    // A made-up anchor at a period boundary (4032) so that nothing but the zero root is wrong.
    bitcoin::Header a;
    a.version = 0x20000000;
    a.prev_hash = sha256d(Bytes{'x'});
    a.merkle_root = sha256d(Bytes{'r'});
    a.time_s = kRegtestGenesisTime;
    a.bits = kRegtestBits;
    solve(a);
    RegtestChain fake(a, 4032);
    fake.mine_n(3);
    REQUIRE(run(regtest_bundle(fake, 4033, 0)).exit_code == 0);  // the same chain with a non-zero root verifies
    fake.blocks[0].header.merkle_root = Hash32{};
    solve(fake.blocks[0].header);
    fake.blocks[1].header.prev_hash = hash_of(fake.blocks[0].header);
    solve(fake.blocks[1].header);
    fake.truncate(4033);
    expect_error(regtest_bundle(fake, 4033, 0), 1, "ERR_ZERO_ROOT", At{"anchor"});
    // Also when the caller lists that anchor in its trust file.
    const TrustList trust = trust_of(kRegtestIsland, 4032, display(hash_of(fake.blocks[0].header)));
    expect_error(regtest_bundle(fake, 4033, 0), 1, "ERR_ZERO_ROOT", At{"anchor"}, &trust);
  }
  SECTION("a proving header with an all-zero merkle root proves nothing: ERR_ZERO_ROOT at inclusion") {
    RegtestChain z = c;
    z.truncate(5);
    Block& blk = z.mine(0);  // no transactions: the root is all zero (the empty list's root)
    REQUIRE(blk.header.merkle_root.is_zero());
    json zero_txid = regtest_bundle(z, 5, 0);
    zero_txid["inclusion"] = inclusion_json(6, Hash32{}, 0, {});  // txid 0 = root 0, empty branch
    expect_error(zero_txid, 1, "ERR_ZERO_ROOT", At{"inclusion"});
    json real_txid = zero_txid;
    real_txid["inclusion"] = inclusion_json(6, c.at(6).txids[0], 0, {});
    real_txid["inclusion"]["tx_count"] = 1;
    expect_error(real_txid, 1, "ERR_ZERO_ROOT", At{"inclusion"});
  }
  SECTION("a branch of 32 zero siblings is rejected") {
    const std::vector<Hash32> zeros(32, Hash32{});
    json b = base_bundle();
    b["inclusion"] = inclusion_json(6, c.at(6).txids[1], 0, zeros);
    expect_error(b, 1, "ERR_MERKLE_BRANCH", At{"inclusion"});
    b["inclusion"]["txid"] = display(Hash32{});
    expect_error(b, 1, "ERR_MERKLE_BRANCH", At{"inclusion"});
    b["inclusion"]["tx_count"] = 3;  // the depth of a 3-transaction tree is 2
    expect_error(b, 1, "ERR_MERKLE_INDEX", At{"inclusion"});
    b["inclusion"].erase("tx_count");
    b["inclusion"]["index"] = "4294967295";  // the last leaf of a 2^32 tree: a zero right child paired with zero
    expect_error(b, 1, "ERR_MERKLE_MUTATED", At{"inclusion"});
    b["inclusion"]["txid"] = display(c.at(6).txids[1]);  // a real leaf climbing 32 zero left siblings
    expect_error(b, 1, "ERR_MERKLE_BRANCH", At{"inclusion"});
  }
  SECTION("a trust file with an all-zero hash is refused when read") {
    const std::string zero = display(Hash32{});
    auto t = parse_trust_list(R"([{"island":")" + kRegtestIsland + R"(","height":0,"hash":")" + zero + R"("}])");
    REQUIRE_FALSE(t.has_value());
    CHECK(t.error().code == Code::ZeroRoot);
    CHECK(t.error().at == "[0].hash");
    auto v = parse_trust_list(R"([{"island":"x:y","height":1,"hash":")" + kRegtestGenesisHash +
                              R"(","validator_set_hash":")" + zero + R"("}])");
    REQUIRE_FALSE(v.has_value());
    CHECK(v.error().code == Code::ZeroRoot);
    CHECK(v.error().at == "[0].validator_set_hash");
  }
}

TEST_CASE("trust files are parsed strictly") {
  auto ok = parse_trust_list(R"([{"island":")" + kRegtestIsland + R"(","height":"0","hash":")" + kRegtestGenesisHash +
                             R"("}])");
  REQUIRE(ok.has_value());
  REQUIRE(ok->size() == 1);
  CHECK((*ok)[0].height == 0);
  CHECK(display((*ok)[0].hash.reversed()) == kRegtestGenesisHash);
  CHECK(parse_trust_list("not json").error().code == Code::BundleParse);
  CHECK(parse_trust_list("{}").error().code == Code::BundleSchema);
  CHECK(parse_trust_list(R"([{"island":"a:b","height":0}])").error().code == Code::BundleSchema);
  CHECK(parse_trust_list(R"([{"island":"a:b","height":0,"hash":"0x12"}])").error().code == Code::BadLength);
  CHECK(parse_trust_list("[]").value().empty());
}

TEST_CASE("A03 bundle anchored at a header outside the trust file is rejected") {
  const RegtestChain& c = chain12();
  const json honest = base_bundle();

  SECTION("the trust file decides: listed anchor → trusted \"trust-file\", anything else ERR_UNTRUSTED_ANCHOR") {
    const TrustList listed = trust_of(kRegtestIsland, 0, kRegtestGenesisHash);
    const Outcome o = run(honest, &listed);
    REQUIRE(o.exit_code == 0);
    CHECK(o.out["anchor"] == json{{"height", 0}, {"hash", kRegtestGenesisHash}, {"trusted", "trust-file"}});

    const TrustList other = trust_of(kRegtestIsland, 1, display(hash_of(c.at(1).header)));
    expect_error(honest, 1, "ERR_UNTRUSTED_ANCHOR", At{"anchor"}, &other);
    const TrustList wrong_height = trust_of(kRegtestIsland, 1, kRegtestGenesisHash);
    expect_error(honest, 1, "ERR_UNTRUSTED_ANCHOR", At{"anchor"}, &wrong_height);
    const TrustList wrong_island = trust_of(kMainnetIsland, 0, kRegtestGenesisHash);
    expect_error(honest, 1, "ERR_UNTRUSTED_ANCHOR", At{"anchor"}, &wrong_island);
    const TrustList empty;
    expect_error(honest, 1, "ERR_UNTRUSTED_ANCHOR", At{"anchor"}, &empty);
  }
  SECTION("a low-difficulty chain from a made-up checkpoint is refused under the trust file") {
    bitcoin::Header cp;  // a checkpoint nobody verified, at a period boundary, with its own fake transactions
    cp.version = 0x20000000;
    cp.prev_hash = sha256d(Bytes{'f', 'a', 'k', 'e'});
    cp.merkle_root = sha256d(Bytes{'r'});
    cp.time_s = kRegtestGenesisTime + 100000;
    cp.bits = kRegtestBits;
    solve(cp);
    RegtestChain fake(cp, 4032);
    fake.mine_n(8);
    const json forged = regtest_bundle(fake, 4035, 2, std::nullopt, 6);  // 4 fake txs, 6 confirmations
    // Offline and without a trust file it is internally consistent: the result says the anchor was taken
    // as given, which is exactly why the relay and `--trust` never take it so.
    const Outcome as_given = run(forged);
    REQUIRE(as_given.exit_code == 0);
    CHECK(as_given.out["anchor"]["trusted"] == "as-given");
    const TrustList genesis_only = trust_of(kRegtestIsland, 0, kRegtestGenesisHash);
    expect_error(forged, 1, "ERR_UNTRUSTED_ANCHOR", At{"anchor"}, &genesis_only);

    // The same fabricated chain claiming mainnet: the anchor's own PoW fails mainnet's limit before the
    // trust file is consulted (the code checks the anchor header first), so ERR_BAD_TARGET either way.
    json mainnet = forged;
    mainnet["network"] = "mainnet";
    mainnet["island"] = kMainnetIsland;
    expect_error(mainnet, 1, "ERR_BAD_TARGET", At{"anchor"});
    const TrustList mainnet_genesis =
        trust_of(kMainnetIsland, 0, "0x000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f");
    expect_error(mainnet, 1, "ERR_BAD_TARGET", At{"anchor"}, &mainnet_genesis);
  }
}

TEST_CASE("A11 duplicate-leaf merkle mutation in a bundle is rejected; the honest bundle verifies afterwards") {
  const RegtestChain& c = chain12();
  const Block& blk = c.at(1);  // [A, B, C]: the mutated list [A, B, C, C] has the same root
  REQUIRE(blk.txids.size() == 3);
  const Hash32 A = blk.txids[0], B = blk.txids[1], C = blk.txids[2];
  const std::vector<Hash32> dup_branch = {C, pair_hash(A, B)};  // index 3 of [A,B,C,C]: sibling is C itself
  REQUIRE(merkle_root({A, B, C, C}) == blk.header.merkle_root);

  json mutated = regtest_bundle(c, 1, 2);
  mutated["inclusion"] = inclusion_json(1, C, 3, dup_branch);
  expect_error(mutated, 1, "ERR_MERKLE_MUTATED", At{"inclusion"});  // no tx_count
  mutated["inclusion"]["tx_count"] = 4;  // the mutated list's count
  expect_error(mutated, 1, "ERR_MERKLE_MUTATED", At{"inclusion"});
  mutated["inclusion"]["tx_count"] = 3;  // the real count: index beyond it
  expect_error(mutated, 1, "ERR_MERKLE_INDEX", At{"inclusion"});
  mutated["inclusion"]["tx"] = to_hex(blk.txs[2]);  // even with C's real raw transaction
  expect_error(mutated, 1, "ERR_MERKLE_INDEX", At{"inclusion"});

  // A mutation one level up: [A..F] has 6 leaves, level 1 is [H(AB), H(CD), H(EF)] and duplicates H(EF);
  // the mutated 8-leaf list [A..F, E, F] has the same root. Proving index 6 (the copy of E) must fail.
  RegtestChain six = c;
  six.truncate(12);
  const Block& b6 = six.mine(6);
  const auto& t = b6.txids;
  REQUIRE(merkle_root({t[0], t[1], t[2], t[3], t[4], t[5], t[4], t[5]}) == b6.header.merkle_root);
  json deep = regtest_bundle(six, 13, 4);
  deep["inclusion"] = inclusion_json(13, t[4], 6, {t[5], pair_hash(t[4], t[5]), pair_hash(pair_hash(t[0], t[1]), pair_hash(t[2], t[3]))});
  expect_error(deep, 1, "ERR_MERKLE_MUTATED", At{"inclusion"});
  deep["inclusion"]["tx_count"] = 8;
  expect_error(deep, 1, "ERR_MERKLE_MUTATED", At{"inclusion"});
  deep["inclusion"]["tx_count"] = 6;
  expect_error(deep, 1, "ERR_MERKLE_INDEX", At{"inclusion"});

  // The honest proofs for the same blocks are accepted afterwards (nothing is cached by header hash).
  const Outcome honest = run(regtest_bundle(c, 1, 2));
  CHECK(honest.exit_code == 0);
  CHECK(honest.out["claim"]["txid"] == display(C));
  CHECK(run(regtest_bundle(six, 13, 4)).exit_code == 0);
  CHECK(run(regtest_bundle(six, 13, 5)).exit_code == 0);
}

TEST_CASE("A13 a header with wrong bits or a manipulated timestamp is rejected in a bundle") {
  const RegtestChain& c = chain12();
  // Re-mines block k of a copy of the chain with `edit` applied, the copy ending at k; proves block 1.
  const auto variant = [&](std::uint32_t k, const std::function<void(bitcoin::Header&)>& edit) {
    RegtestChain v = c;
    v.truncate(k);
    edit(v.at(k).header);
    solve(v.at(k).header);
    return regtest_bundle(v, 1, 0);
  };
  const auto idx = [](std::uint32_t k) { return "headers[" + std::to_string(k - 1) + "]"; };

  SECTION("timestamp at or below the median of the previous 11 (12: median is block 6's time)") {
    const std::uint32_t mtp12 = c.at(6).header.time_s;
    expect_error(variant(12, [&](auto& h) { h.time_s = mtp12; }), 1, "ERR_TIME_TOO_OLD", At{idx(12)});
    expect_error(variant(12, [&](auto& h) { h.time_s = mtp12 - 1000; }), 1, "ERR_TIME_TOO_OLD",
                 At{idx(12)});
    CHECK(run(variant(12, [&](auto& h) { h.time_s = mtp12 + 1; })).exit_code == 0);
    // Near the anchor the window is what is available (genesis + block 1: the median is block 1's time).
    const std::uint32_t mtp2 = c.at(1).header.time_s;
    expect_error(variant(2, [&](auto& h) { h.time_s = mtp2; }), 1, "ERR_TIME_TOO_OLD", At{idx(2)});
    const Outcome ok2 = run(variant(2, [&](auto& h) { h.time_s = mtp2 + 1; }));
    CHECK(ok2.exit_code == 0);
    CHECK(ok2.out["mtp_window"] == 1);  // block 1 saw only the anchor
  }
  SECTION("timestamp more than 2 h after verify_time_s") {
    const auto t = static_cast<std::uint32_t>(kVerifyTime);
    expect_error(variant(12, [&](auto& h) { h.time_s = t + 7201; }), 1, "ERR_TIME_TOO_NEW", At{idx(12)});
    CHECK(run(variant(12, [&](auto& h) { h.time_s = t + 7200; })).exit_code == 0);
    // The same bundle verified with a later verify_time_s is accepted: the rule is relative to that time.
    json later = variant(12, [&](auto& h) { h.time_s = t + 7201; });
    later["verify_time_s"] = kVerifyTime + 1;
    CHECK(run(later).exit_code == 0);
  }
  SECTION("bits other than the required ones, including harder, zero and negative targets") {
    const std::uint32_t wrong[] = {0x207ffffe, 0x2000ffff, 0x1d00ffff, 0x01003456, 0x04923456, 0x217fffff};
    std::size_t n = 0;
    for (std::uint32_t bits : wrong) {
      INFO(bits);
      expect_error(variant(7, [&](auto& h) { h.bits = bits; }), 1, "ERR_BAD_BITS", At{idx(7)});
      ++n;
    }
    CHECK(n == 6);
  }
}

TEST_CASE("a regtest bundle anchored above the genesis needs no last_non_min_bits") {
  // Bitcoin Core's regtest requires the pow limit for every block (the min-difficulty walk-back can only
  // end at limit bits), so an anchor at a non-boundary height needs nothing more; PROOF-BUNDLE.md asks for
  // last_non_min_bits for testnet3 only.
  const RegtestChain& c = chain12();
  json b = regtest_bundle(c, 6, 1, 3);
  json with_bits = b;
  with_bits["anchor"]["last_non_min_bits"] = kRegtestBits;  // the workaround is accepted
  CHECK(run(with_bits).exit_code == 0);
  const Outcome o = run(b);
  INFO(o.out.dump());
  CHECK(o.exit_code == 0);
}

TEST_CASE("verification is deterministic and keeps no state between bundles") {
  const std::string text = base_bundle().dump();
  const Verdict a = verify_bundle(text, nullptr, 1);
  json bad = base_bundle();
  bad["inclusion"]["index"] = 0;
  CHECK(verify_bundle(bad.dump(), nullptr, 1).exit_code == 1);
  const Verdict b = verify_bundle(text, nullptr, 2);  // `now` is unused when verify_time_s is present
  CHECK(a.exit_code == 0);
  CHECK(a.output_json == b.output_json);
  // Without verify_time_s the caller's `now` stands in: the chain's 2011 timestamps are far in its past.
  json no_time = base_bundle();
  no_time.erase("verify_time_s");
  const Verdict c = verify_bundle(no_time.dump(), nullptr, kVerifyTime + 5);
  CHECK(json::parse(c.output_json)["verify_time_s"] == kVerifyTime + 5);
  // Block 12 is 7200 s after the genesis: one second more than the allowed drift from genesis time − 1.
  const Verdict early = verify_bundle(no_time.dump(), nullptr, kRegtestGenesisTime - 1);
  REQUIRE(early.error.has_value());
  CHECK(early.error->code == Code::TimeTooNew);
  check_at(early.error->at, At{"headers[11]"});
}

TEST_CASE("duplicate JSON keys make a document that is not a bundle") {
  // Parsers disagree on which duplicate wins; the verifier refuses instead of choosing (A02).
  std::string text = base_bundle().dump();
  const std::string needle = "\"inclusion\":{";
  const auto pos = text.find(needle);
  REQUIRE(pos != std::string::npos);
  text.insert(pos + needle.size(), "\"txid\":\"0x" + std::string(64, '1') + "\",");
  const Verdict v = verify_bundle(text, nullptr, 1);
  CHECK(v.exit_code == 2);
  REQUIRE(v.error.has_value());
  CHECK(v.error->code == Code::BundleParse);
}

TEST_CASE("a large raw transaction is checked without exhausting the stack") {
  // 4 MB of hex once crashed the schema's regex; hex is now checked by the strict decoder.
  json b = base_bundle();
  b["inclusion"]["tx"] = "0x" + std::string(2'000'000, 'a');
  expect_error(b, 1, "ERR_TX_MALFORMED", At{"inclusion"});
  b["inclusion"]["tx"] = "0x" + std::string(8'000'002, 'a');
  const Outcome o = run(b);
  CHECK(o.exit_code == 2);
}
