// Proof bundles built at run time from the real Bitcoin mainnet data in ../shared/vectors/bitcoin (never
// copied into the repository; SOURCES.md, section bitcoin/), verified through causeway::proofs::verify_bundle.
// Case counts follow SOURCES.md: block 100000 has 4 proofs and 3 derived negative cases; testProofs.json has
// valid[0], 3 badHeaders and 4 badSPVProofs; headersWithRetarget.json has an 18-header run 554391…554408.
#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

#include "bundle_support.hpp"
#include "causeway/core/hash.hpp"
#include "vectors.hpp"

using namespace causeway;
using namespace causeway::proofs;
using namespace causeway::proofs::test;
using causeway::testing::read_vector_json;

namespace {

const std::string kMainnetGenesisHash = "0x000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f";

std::string with0x(const std::string& s) { return s.starts_with("0x") ? s : "0x" + s; }
std::string reversed_hex(const std::string& s) { return display(hash_from_hex(with0x(s)).value()); }

// A mainnet bundle anchored at the proving header itself (no further headers: 1 confirmation).
json mainnet_bundle(std::uint64_t height, const std::string& header_hex, const std::string& txid_display,
                    std::uint64_t index, const std::vector<std::string>& branch_display) {
  json br = json::array();
  for (const auto& s : branch_display) br.push_back(with0x(s));
  return json{{"version", 1},
              {"family", "bitcoin"},
              {"island", kMainnetIsland},
              {"network", "mainnet"},
              {"anchor", {{"height", height}, {"header", with0x(header_hex)}}},
              {"headers", json::array()},
              {"inclusion",
               {{"kind", "tx"}, {"height", height}, {"txid", with0x(txid_display)}, {"index", index}, {"branch", br}}},
              {"finality", {{"min_confirmations", 1}}},
              {"verify_time_s", kVerifyTime}};
}

// ---- block 100000 ---------------------------------------------------------------------------------

json block100000() { return read_vector_json("bitcoin/mainnet_block100000_merkle.json"); }

json block100000_bundle(const json& proof) {
  const json v = block100000();
  std::vector<std::string> branch;
  for (const auto& s : proof["branch_internal_byte_order"]) branch.push_back(reversed_hex(s.get<std::string>()));
  json b = mainnet_bundle(100000, v["header_hex"].get<std::string>(), proof["txid"].get<std::string>(),
                          proof["index"].get<std::uint64_t>(), branch);
  b["inclusion"]["tx_count"] = v["txids"].size();
  return b;
}

// ---- testProofs.json: lists of strings that are JSON; confirming_header may be a Python-repr string ----

json lenient(const json& v) {
  if (!v.is_string()) return v;
  std::string s = v.get<std::string>();
  auto parsed = json::parse(s, nullptr, false);
  if (!parsed.is_discarded()) return parsed;
  for (char& ch : s)
    if (ch == '\'') ch = '"';  // Python repr of a dict of strings and ints
  return json::parse(s);
}

struct SpvProof {
  json header;  // {raw, hash, height, merkle_root, prevhash}
  Bytes tx;
  std::string txid_le;
  std::uint64_t index;
  std::vector<std::string> branch_display;
};

SpvProof spv_proof(const json& entry) {
  const json p = lenient(entry);
  SpvProof out;
  out.header = lenient(p["confirming_header"]);
  for (const char* part : {"version", "vin", "vout", "locktime"}) append(out.tx, hx(p[part].get<std::string>()));
  out.txid_le = p["tx_id"].get<std::string>();
  out.index = p["index"].get<std::uint64_t>();
  const Bytes nodes = hx(p["intermediate_nodes"].get<std::string>());
  for (std::size_t i = 0; i + 32 <= nodes.size(); i += 32)
    out.branch_display.push_back(display(Hash32::from(ByteView(nodes).subspan(i, 32))));
  return out;
}

json spv_bundle(const SpvProof& p) {
  json b = mainnet_bundle(p.header["height"].get<std::uint64_t>(), p.header["raw"].get<std::string>(),
                          reversed_hex(p.txid_le), p.index, p.branch_display);
  b["inclusion"]["tx"] = to_hex(p.tx);
  return b;
}

json test_proofs() { return read_vector_json("bitcoin/summa-tx_bitcoin-spv/testProofs.json"); }
json block592920_bundle() { return spv_bundle(spv_proof(test_proofs()["valid"][0])); }

// ---- headersWithRetarget.json: anchor 554390, run 554391…554408 ----------------------------------------

struct Run {
  json anchor;  // {height, header, period_start_time_s}
  std::vector<std::string> headers;
  std::vector<std::string> digests;  // display order
  std::string anchor_digest;
};

Run retarget_run() {
  const json v = read_vector_json("bitcoin/summa-tx_bitcoin-spv/headersWithRetarget.json");
  Run r;
  const Bytes start = hx(v["oldPeriodStart"]["hex"].get<std::string>());
  REQUIRE(v["oldPeriodStart"]["height"] == 552384);
  r.anchor = {{"height", 554390},
              {"header", with0x(v["genesis"]["hex"].get<std::string>())},
              {"period_start_time_s", read_le32(start.data() + kTimeOff)}};
  r.anchor_digest = v["genesis"]["digest"].get<std::string>();
  for (const auto& h : v["chain"]) {
    r.headers.push_back(with0x(h["hex"].get<std::string>()));
    r.digests.push_back(h["digest"].get<std::string>());
  }
  return r;
}

// The run as a bundle. These blocks' transactions are not in the vectors, so the only inclusion that can be
// stated is the anchor's merkle root itself as a one-leaf tree (index 0, empty branch, no tx_count): the
// verifier accepts it (a Merkle root is its own proof of depth 0) and every header of the run is checked.
json run_bundle(const Run& r, std::uint32_t min_conf = 19) {
  const Bytes anchor = hx(r.anchor["header"].get<std::string>());
  const Hash32 root = Hash32::from(ByteView(anchor).subspan(kRootOff, 32));
  json b = {{"version", 1},
            {"family", "bitcoin"},
            {"island", kMainnetIsland},
            {"network", "mainnet"},
            {"anchor", r.anchor},
            {"headers", r.headers},
            {"inclusion", inclusion_json(554390, root, 0, {})},
            {"finality", {{"min_confirmations", min_conf}}},
            {"verify_time_s", kVerifyTime}};
  return b;
}

TrustList trust_of(const std::string& island, std::uint64_t height, const std::string& hash_display) {
  return TrustList{TrustedAnchor{island, height, hash_from_hex(hash_display).value(), std::nullopt}};
}

}  // namespace

TEST_CASE("block 100000: each of its 4 transactions is proven (tx_count 4) with the exact result fields") {
  const json v = block100000();
  REQUIRE(v["proofs"].size() == 4);
  // The header authenticates itself and its root is the root of the four txids (computed here independently).
  const Bytes header = hx(v["header_hex"].get<std::string>());
  std::vector<Hash32> txids;
  for (const auto& t : v["txids"]) txids.push_back(h32(with0x(t.get<std::string>())));
  CHECK(merkle_root(txids) == Hash32::from(ByteView(header).subspan(kRootOff, 32)));
  std::size_t proven = 0;
  for (const auto& p : v["proofs"]) {
    const Outcome o = run(block100000_bundle(p));
    INFO(o.out.dump());
    REQUIRE(o.exit_code == 0);
    CHECK(o.out["height"] == 100000);
    CHECK(o.out["header_hash"] == "0x" + v["block_hash"].get<std::string>());
    CHECK(o.out["confirmations"] == 1);
    CHECK(o.out["claim"]["txid"] == "0x" + p["txid"].get<std::string>());
    CHECK(o.out["claim"]["index"] == p["index"]);
    CHECK(o.out["claim"]["tx_count"] == 4);
    CHECK(o.out["claim"]["raw_tx_checked"] == false);
    CHECK(o.out["trust"] == "pow");
    CHECK(o.out["island"] == kMainnetIsland);
    CHECK(o.out["anchor"] ==
          json{{"height", 100000}, {"hash", "0x" + v["block_hash"].get<std::string>()}, {"trusted", "as-given"}});
    ++proven;
  }
  CHECK(proven == 4);
}

TEST_CASE("block 100000: the 3 derived negative cases are each rejected with the code their check order gives") {
  const json v = block100000();
  REQUIRE(v["negative_cases_derived"].size() == 3);
  // 0: index 1 with index 0's branch: the first sibling IS tx 1 itself, a right child equal to its sibling
  //    → ERR_MERKLE_MUTATED (checked while folding, before the root comparison).
  // 1: a 1-level branch for a 4-transaction tree: depth check → ERR_MERKLE_INDEX.
  // 2: tx 2 presented at index 3: folds as a right child with a foreign sibling → root differs → ERR_MERKLE_BRANCH.
  const std::vector<std::pair<std::string, At>> expected = {{"ERR_MERKLE_MUTATED", At{"inclusion"}},
                                                            {"ERR_MERKLE_INDEX", At{"inclusion"}},
                                                            {"ERR_MERKLE_BRANCH", At{"inclusion"}}};
  std::size_t n = 0;
  for (const auto& neg : v["negative_cases_derived"]) {
    INFO(neg["why"].get<std::string>());
    expect_error(block100000_bundle(neg), 1, expected[n].first, expected[n].second);
    ++n;
  }
  CHECK(n == 3);
}

TEST_CASE("block 100000: a changed index, sibling or tx_count is rejected") {
  const json good = block100000_bundle(block100000()["proofs"][1]);  // tx 1: branch [tx0, H(tx2,tx3)]
  json b = good;
  b["inclusion"]["index"] = 0;  // tx 1 folded as a left child: shape fine, root differs
  expect_error(b, 1, "ERR_MERKLE_BRANCH", At{"inclusion"});
  b["inclusion"]["index"] = 3;  // right child at both levels: the second level is folded in the wrong order
  expect_error(b, 1, "ERR_MERKLE_BRANCH", At{"inclusion"});
  b["inclusion"]["index"] = 5;  // beyond 2^2 leaves of a 2-level branch, and beyond tx_count
  expect_error(b, 1, "ERR_MERKLE_INDEX", At{"inclusion"});
  std::size_t flipped = 0;
  for (std::size_t k = 0; k < 2; ++k) {
    json s = good;
    Hash32 h = h32(s["inclusion"]["branch"][k].get<std::string>());
    h.b[31] ^= 0x80;
    s["inclusion"]["branch"][k] = display(h);
    expect_error(s, 1, "ERR_MERKLE_BRANCH", At{"inclusion"});
    ++flipped;
  }
  CHECK(flipped == 2);
  json count = good;
  count["inclusion"]["tx_count"] = 5;  // depth 3, the branch has 2 levels
  expect_error(count, 1, "ERR_MERKLE_INDEX", At{"inclusion"});
  json tx3 = block100000_bundle(block100000()["proofs"][3]);
  tx3["inclusion"]["tx_count"] = 3;  // index 3 of a claimed 3-transaction block
  expect_error(tx3, 1, "ERR_MERKLE_INDEX", At{"inclusion"});
  json tx2 = block100000_bundle(block100000()["proofs"][2]);
  tx2["inclusion"]["tx_count"] = 3;  // index 2 would be the lone last node, paired with itself; it is not
  expect_error(tx2, 1, "ERR_MERKLE_BRANCH", At{"inclusion"});
  json wrong_header = good;  // the genesis header under block 100000's proof: at height 100000 it is refused
  wrong_header["anchor"]["header"] =  // before any Merkle check, since the genesis block is at height 0
      with0x(read_vector_json("bitcoin/mainnet_genesis_block.json")["header_hex"].get<std::string>());
  wrong_header["anchor"]["height"] = 100000;
  wrong_header["inclusion"]["height"] = 100000;
  expect_error(wrong_header, 1, "ERR_UNTRUSTED_ANCHOR", At{"anchor"});
  json genesis_proof = wrong_header;  // at its own height 0 the genesis header does not commit to tx 0
  genesis_proof["anchor"]["height"] = 0;
  genesis_proof["inclusion"]["height"] = 0;
  expect_error(genesis_proof, 1, "ERR_MERKLE_BRANCH", At{"inclusion"});
}

TEST_CASE("block 592920 tx 26 with its raw transaction is proven (testProofs valid[0])") {
  const SpvProof p = spv_proof(test_proofs()["valid"][0]);
  REQUIRE(p.header["height"] == 592920);
  REQUIRE(p.branch_display.size() == 12);
  CHECK(sha256d(p.tx) == Hash32::from(hx(p.txid_le)));  // txid = SHA256d(raw), internal order
  const Outcome o = run(spv_bundle(p));
  INFO(o.out.dump());
  REQUIRE(o.exit_code == 0);
  CHECK(o.out["height"] == 592920);
  CHECK(o.out["header_hash"] == "0x00000000000000000016633b88de22bd6462283bcf7dcbe559233baaf5fb0c4d");
  CHECK(o.out["header_hash"] == reversed_hex(p.header["hash"].get<std::string>()));
  CHECK(o.out["claim"]["txid"] == "0x74d6d6dc1fc9b0f393abde12e76adeeb3d674b38b7fbea4d9fc28b3bb0f67651");
  CHECK(o.out["claim"]["index"] == 26);
  CHECK(o.out["claim"]["raw_tx_checked"] == true);
  CHECK_FALSE(o.out["claim"].contains("tx_count"));
  CHECK(o.out["confirmations"] == 1);
  CHECK(o.out["trust"] == "pow");
  CHECK(o.out["anchor"]["trusted"] == "as-given");
  CHECK(o.out["anchor"]["height"] == 592920);
}

TEST_CASE("block 592920: each corrupted part of the bundle is rejected with its code and place") {
  const json good = block592920_bundle();
  SECTION("a raw-transaction byte: ERR_TX_MISMATCH") {
    const Bytes tx = hx(good["inclusion"]["tx"].get<std::string>());
    const std::size_t offsets[] = {0, 10, 60, tx.size() / 2, tx.size() - 20, tx.size() - 1};
    std::size_t n = 0;
    for (std::size_t off : offsets) {
      json b = good;
      Bytes t = tx;
      t[off] ^= 0x01;  // version, prevout hash, signature, value/script bytes, locktime: still well-formed
      b["inclusion"]["tx"] = to_hex(t);
      INFO("offset " << off);
      expect_error(b, 1, "ERR_TX_MISMATCH", At{"inclusion"});
      ++n;
    }
    CHECK(n == 6);
  }
  SECTION("each of the 12 branch siblings: ERR_MERKLE_BRANCH") {
    std::size_t n = 0;
    for (std::size_t k = 0; k < 12; ++k) {
      json b = good;
      Hash32 h = h32(b["inclusion"]["branch"][k].get<std::string>());
      h.b[k] ^= 0x04;
      b["inclusion"]["branch"][k] = display(h);
      expect_error(b, 1, "ERR_MERKLE_BRANCH", At{"inclusion"});
      ++n;
    }
    CHECK(n == 12);
  }
  SECTION("the index") {
    json b = good;
    b["inclusion"]["index"] = 27;  // the leaf becomes a right child: siblings differ from it, root differs
    expect_error(b, 1, "ERR_MERKLE_BRANCH", At{"inclusion"});
    b["inclusion"]["index"] = 26 + 4096;  // does not fit 12 levels
    expect_error(b, 1, "ERR_MERKLE_INDEX", At{"inclusion"});
  }
  SECTION("confirmations, island, network, family") {
    json conf = good;
    conf["finality"]["min_confirmations"] = 2;
    expect_error(conf, 1, "ERR_INSUFFICIENT_CONFIRMATIONS", At{"inclusion"});
    json island = good;
    island["island"] = kTestnet3Island;
    expect_error(island, 1, "ERR_ISLAND_MISMATCH", At{"island"});
    json network = good;
    network["network"] = "testnet3";
    expect_error(network, 1, "ERR_ISLAND_MISMATCH", At{"island"});
    json bft = good;  // a bft codec that is not implemented yet
    bft["family"] = "bft";
    bft["codec"] = "cometbft/v1";
    bft.erase("network");
    expect_error(bft, 1, "ERR_UNSUPPORTED_FAMILY", At{"codec"});
  }
  SECTION("the anchor header: nonce, merkle root, bits, length") {
    const auto flip_anchor = [&](std::size_t byte, std::uint8_t mask = 0x01) {
      json b = good;
      Bytes raw = hx(b["anchor"]["header"].get<std::string>());
      raw[byte] ^= mask;
      b["anchor"]["header"] = to_hex(raw);
      return b;
    };
    expect_error(flip_anchor(kNonceOff), 1, "ERR_BAD_POW", At{"anchor"});
    expect_error(flip_anchor(kRootOff + 5), 1, "ERR_BAD_POW", At{"anchor"});
    // bits 0x171a213e: exponent 0x17 → 0x1f puts the target far above the pow limit; 0x17 → 0x16 makes it
    // 256 times harder than the block's hash meets.
    expect_error(flip_anchor(kBitsOff + 3, 0x08), 1, "ERR_BAD_TARGET", At{"anchor"});
    expect_error(flip_anchor(kBitsOff + 3, 0x01), 1, "ERR_BAD_POW", At{"anchor"});
    json short_header = good;
    short_header["anchor"]["header"] = good["anchor"]["header"].get<std::string>().substr(0, 160);
    expect_error(short_header, 2, "ERR_BUNDLE_SCHEMA", At{"anchor.header"});
  }
  SECTION("schema violations exit 2: a missing field and a caller-supplied verdict") {
    json missing = good;
    missing["inclusion"].erase("branch");
    expect_error(missing, 2, "ERR_BUNDLE_SCHEMA", At{"inclusion"});
    json verdict = good;
    verdict["verified"] = true;
    expect_error(verdict, 2, "ERR_BUNDLE_SCHEMA", At{""});
  }
}

TEST_CASE("testProofs: the 4 bad SPV proofs and the 3 bad headers are each rejected") {
  const json v = test_proofs();
  REQUIRE(v["badSPVProofs"].size() == 4);
  REQUIRE(v["badHeaders"].size() == 3);
  // "Bad Vin"/"Bad Vout" do not parse as transactions; "Bad TxID" (locktime changed) hashes elsewhere;
  // "Bad Header -- Merkle Proof" has a changed first sibling.
  const std::vector<std::pair<std::string, At>> spv = {{"ERR_TX_MALFORMED", At{"inclusion"}},
                                                       {"ERR_TX_MALFORMED", At{"inclusion"}},
                                                       {"ERR_TX_MISMATCH", At{"inclusion"}},
                                                       {"ERR_MERKLE_BRANCH", At{"inclusion"}}};
  std::size_t n = 0;
  for (const auto& bad : v["badSPVProofs"]) {
    INFO(bad["comment"].get<std::string>());
    expect_error(spv_bundle(spv_proof(bad["proof"])), 1, spv[n].first, spv[n].second);
    ++n;
  }
  CHECK(n == 4);

  // A bundle carries only the raw header, so a header's derived fields cannot be forged in it; each wrong
  // field is tried where it can appear: a hash in the trust file, a merkle root or prev hash in the header.
  const json good = block592920_bundle();
  std::size_t headers = 0;
  for (const auto& bad : v["badHeaders"]) {
    const json h = lenient(bad["header"]);
    const std::string comment = bad["comment"].get<std::string>();
    INFO(comment);
    if (comment == "Bad Hash") {
      const TrustList trust = trust_of(kMainnetIsland, 592920, reversed_hex(h["hash"].get<std::string>()));
      expect_error(good, 1, "ERR_UNTRUSTED_ANCHOR", At{"anchor"}, &trust);
    } else {
      Bytes raw = hx(h["raw"].get<std::string>());
      const bool root = comment == "Bad MerkleRoot";
      const Bytes field = hx(h[root ? "merkle_root" : "prevhash"].get<std::string>());
      std::copy(field.begin(), field.end(), raw.begin() + static_cast<std::ptrdiff_t>(root ? kRootOff : kPrevOff));
      json b = good;
      b["anchor"]["header"] = to_hex(raw);
      expect_error(b, 1, "ERR_BAD_POW", At{"anchor"});
    }
    ++headers;
  }
  CHECK(headers == 3);
  // The good header's own hash is trusted.
  const TrustList trust = trust_of(kMainnetIsland, 592920, reversed_hex(lenient(test_proofs()["validHeader"][0])["hash"].get<std::string>()));
  const Outcome o = run(good, &trust);
  CHECK(o.exit_code == 0);
  CHECK(o.out["anchor"]["trusted"] == "trust-file");
}

TEST_CASE("the genesis coinbase is proven from the height-0 anchor") {
  const json g = read_vector_json("bitcoin/mainnet_genesis_block.json");
  const std::string raw_block = g["raw_block_hex"].get<std::string>();
  const Bytes coinbase = hx(raw_block.substr(160 + 2));  // header, then the 1-byte transaction count
  json b = mainnet_bundle(0, g["header_hex"].get<std::string>(), g["coinbase_txid"].get<std::string>(), 0, {});
  b["inclusion"]["tx_count"] = 1;
  b["inclusion"]["tx"] = to_hex(coinbase);
  const Outcome o = run(b);
  INFO(o.out.dump());
  REQUIRE(o.exit_code == 0);
  CHECK(o.out["height"] == 0);
  CHECK(o.out["header_hash"] == kMainnetGenesisHash);
  CHECK(o.out["claim"]["txid"] == "0x4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b");
  CHECK(o.out["claim"]["raw_tx_checked"] == true);
  CHECK(o.out["claim"]["tx_count"] == 1);
  CHECK(o.out["anchor"] == json{{"height", 0}, {"hash", kMainnetGenesisHash}, {"trusted", "as-given"}});
  const TrustList genesis = trust_of(kMainnetIsland, 0, kMainnetGenesisHash);
  CHECK(run(b, &genesis).out["anchor"]["trusted"] == "trust-file");

  json not_genesis = block100000_bundle(block100000()["proofs"][0]);  // block 100000 presented at height 0
  not_genesis["anchor"]["height"] = 0;
  not_genesis["inclusion"]["height"] = 0;
  expect_error(not_genesis, 1, "ERR_UNTRUSTED_ANCHOR", At{"anchor"});
  json one_tx = b;  // tx_count 2 claims a second transaction: the branch must then have one level
  one_tx["inclusion"]["tx_count"] = 2;
  expect_error(one_tx, 1, "ERR_MERKLE_INDEX", At{"inclusion"});
}

TEST_CASE("the real run 554391..554408 crossing the 554400 retarget verifies from the 554390 anchor") {
  const Run r = retarget_run();
  REQUIRE(r.headers.size() == 18);
  const Outcome o = run(run_bundle(r));
  INFO(o.out.dump());
  REQUIRE(o.exit_code == 0);
  CHECK(o.out["tip"]["height"] == 554408);
  CHECK(o.out["tip"]["hash"] == "0x0000000000000000002955f34256d46a3b73171b71d5b4fc384b4b9cf966e46d");
  CHECK(o.out["tip"]["hash"] == r.digests.back());
  CHECK(o.out["height"] == 554390);
  CHECK(o.out["header_hash"] == r.anchor_digest);
  CHECK(o.out["confirmations"] == 19);
  CHECK(o.out["anchor"] == json{{"height", 554390}, {"hash", r.anchor_digest}, {"trusted", "as-given"}});
  expect_error(run_bundle(r, 20), 1, "ERR_INSUFFICIENT_CONFIRMATIONS", At{"inclusion"});
  // Every prefix of the run is a valid bundle with its own tip.
  std::size_t prefixes = 0;
  for (std::size_t n = 0; n <= 18; ++n) {
    Run p = r;
    p.headers.resize(n);
    const Outcome po = run(run_bundle(p, 1));
    CHECK(po.exit_code == 0);
    CHECK(po.out["tip"]["height"] == 554390 + n);
    CHECK(po.out["confirmations"] == n + 1);
    ++prefixes;
  }
  CHECK(prefixes == 19);
  const TrustList trusted = trust_of(kMainnetIsland, 554390, r.anchor_digest);
  CHECK(run(run_bundle(r), &trusted).out["anchor"]["trusted"] == "trust-file");
}

TEST_CASE("the real run: a corrupted header is rejected at its index with the code of the first failing check") {
  const Run r = retarget_run();
  const json good = run_bundle(r);
  struct Kind {
    const char* what;
    std::size_t byte;
    std::string code;
  };
  // Check order: link → bits → PoW. A changed nonce or merkle root changes the hash (PoW fails: mainnet
  // targets leave ~2^-70 chance); changed bits fail before PoW; a changed previous hash fails the link.
  const std::vector<Kind> kinds = {{"nonce", kNonceOff, "ERR_BAD_POW"},
                                   {"merkle root", kRootOff + 17, "ERR_BAD_POW"},
                                   {"version", 0, "ERR_BAD_POW"},
                                   {"bits", kBitsOff, "ERR_BAD_BITS"},
                                   {"previous hash", kPrevOff + 30, "ERR_PREV_HASH_MISMATCH"}};
  std::size_t cases = 0;
  for (const auto& k : kinds) {
    for (std::size_t i = 0; i < 18; ++i) {
      INFO(k.what << " of headers[" << i << "]");
      json b = good;
      flip_header_bit(b, i, k.byte, 0);
      const std::string at = "headers[" + std::to_string(i) + "]";
      expect_error(b, 1, k.code, At{at});
      ++cases;
    }
  }
  CHECK(cases == 5 * 18);

  json swapped = good;
  std::swap(swapped["headers"][7], swapped["headers"][8]);
  expect_error(swapped, 1, "ERR_PREV_HASH_MISMATCH", At{"headers[7]"});
  json truncated = good;
  truncated["headers"][4] = r.headers[4].substr(0, 2 + 158);
  expect_error(truncated, 2, "ERR_BUNDLE_SCHEMA", At{"headers[4]"});
  json foreign = good;  // a real valid-PoW header of another height
  foreign["headers"][3] = with0x(block100000()["header_hex"].get<std::string>());
  expect_error(foreign, 1, "ERR_PREV_HASH_MISMATCH", At{"headers[3]"});
}

TEST_CASE("A13 the real retarget at 554400 is applied exactly: wrong, stale or easier bits are rejected") {
  const Run r = retarget_run();
  const auto with_bits = [&](std::size_t i, std::uint32_t bits) {
    json b = run_bundle(r);
    Bytes raw = hx(b["headers"][i].get<std::string>());
    write_le32(raw.data() + kBitsOff, bits);
    b["headers"][i] = to_hex(raw);
    return b;
  };
  // headers[9] is 554400, the first block of the new period (bits 0x17371ef4).
  const std::uint32_t wrong_new[] = {0x1731d97c /* not retargeted */, 0x17371ef5, 0x17371ef3, 0x1800ffff,
                                     0x1d00ffff /* the pow limit */};
  std::size_t n = 0;
  for (std::uint32_t bits : wrong_new) {
    INFO(bits);
    expect_error(with_bits(9, bits), 1, "ERR_BAD_BITS", At{"headers[9]"});
    ++n;
  }
  // Inside a period the bits may not change either (a mid-period retarget to easier bits).
  expect_error(with_bits(4, 0x17371ef4), 1, "ERR_BAD_BITS", At{"headers[4]"});
  expect_error(with_bits(12, 0x1731d97c), 1, "ERR_BAD_BITS", At{"headers[12]"});
  n += 2;
  CHECK(n == 7);

  // The retarget needs the period's first timestamp, and uses it: a day off changes the required bits.
  json missing = run_bundle(r);
  missing["anchor"].erase("period_start_time_s");
  expect_error(missing, 1, "ERR_ANCHOR_INSUFFICIENT", At{"headers[9]"});
  for (const std::int64_t shift : {-86400, 86400}) {
    json b = run_bundle(r);
    b["anchor"]["period_start_time_s"] = b["anchor"]["period_start_time_s"].get<std::int64_t>() + shift;
    expect_error(b, 1, "ERR_BAD_BITS", At{"headers[9]"});
  }
  // Without crossing the boundary, period_start_time_s is not needed.
  Run before = r;
  before.headers.resize(9);
  json short_run = run_bundle(before, 1);
  short_run["anchor"].erase("period_start_time_s");
  CHECK(run(short_run).exit_code == 0);
}

TEST_CASE("A03 a low-difficulty mainnet chain from a checkpoint the prover chose is rejected") {
  // The prover picks a real mainnet header (block 100000) as its checkpoint and appends headers of its own
  // at regtest difficulty, the last one carrying a made-up transaction.
  const json v = block100000();
  const bitcoin::Header cp = bitcoin::decode_header(hx(v["header_hex"].get<std::string>())).value();
  RegtestChain fake(cp, 100000);
  for (int i = 0; i < 6; ++i) fake.mine(2);
  json forged = regtest_bundle(fake, 100003, 1, std::nullopt, 3);
  forged["network"] = "mainnet";
  forged["island"] = kMainnetIsland;
  forged["verify_time_s"] = kVerifyTime;
  // As given: the first fabricated header does not carry the difficulty mainnet requires.
  expect_error(forged, 1, "ERR_BAD_BITS", At{"headers[0]"});
  // With block 100000's bits but no real work: the PoW check fails.
  json no_work = forged;
  bitcoin::Header h = header_at(no_work, 0);
  h.bits = cp.bits;
  unsolve(h);
  set_header(no_work, 0, h);
  expect_error(no_work, 1, "ERR_BAD_POW", At{"headers[0]"});
  // Under a trust file the checkpoint itself is refused first, whatever follows it.
  const Run r = retarget_run();
  const TrustList trust = trust_of(kMainnetIsland, 554390, r.anchor_digest);
  expect_error(forged, 1, "ERR_UNTRUSTED_ANCHOR", At{"anchor"}, &trust);
  expect_error(block100000_bundle(v["proofs"][0]), 1, "ERR_UNTRUSTED_ANCHOR", At{"anchor"}, &trust);
  // The genesis header presented at another height is a made-up checkpoint too.
  const json g = read_vector_json("bitcoin/mainnet_genesis_block.json");
  json moved = mainnet_bundle(1, g["header_hex"].get<std::string>(), g["coinbase_txid"].get<std::string>(), 0, {});
  const TrustList genesis = trust_of(kMainnetIsland, 0, kMainnetGenesisHash);
  expect_error(moved, 1, "ERR_UNTRUSTED_ANCHOR", At{"anchor"}, &genesis);
}
