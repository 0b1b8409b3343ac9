// Vector tests of the Bitcoin light client against ../shared/vectors/bitcoin (read at run time; SOURCES.md
// gives the provenance and the expected verdicts; case counts are asserted so nothing is dropped silently).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "causeway/bitcoin/chain.hpp"
#include "causeway/bitcoin/pow.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "vectors.hpp"

using namespace causeway;
using namespace causeway::bitcoin;
using nlohmann::json;

namespace {

const std::string kSumma = "bitcoin/summa-tx_bitcoin-spv/";

Bytes bytes_of(const std::string& s) {
  if (s.rfind("0x", 0) == 0) return from_hex(s).value();
  return from_hex_bare(s).value();
}
Hash32 hash_of(const std::string& s) { return Hash32::from(bytes_of(s)); }
std::string display(const Hash32& h) { return to_hex_bare(h.reversed().view()); }
U256 be(const std::string& s) { return U256::from_hex(s).value(); }

// Some entries are strings holding JSON, and some of those hold Python reprs (single quotes): parse leniently.
json lenient(const json& v) {
  if (!v.is_string()) return v;
  std::string s = v.get<std::string>();
  json parsed = json::parse(s, nullptr, false);
  if (!parsed.is_discarded()) return parsed;
  for (char& c : s)
    if (c == '\'') c = '"';
  for (auto [from, to] : {std::pair{"True", "true"}, std::pair{"False", "false"}, std::pair{"None", "null"}})
    for (std::size_t p = s.find(from); p != std::string::npos; p = s.find(from, p)) s.replace(p, std::strlen(from), to);
  return json::parse(s);
}

std::uint32_t time_of(const Bytes& raw) { return decode_header(raw).value().time_s; }

Code add_error(HeaderChain& c, const Bytes& raw, std::int64_t now_s) {
  auto r = c.add_header(raw, now_s);
  REQUIRE_FALSE(r.has_value());
  return r.error().code;
}

// Before adding `raw` (the next valid header), corrupted variants are rejected with their own code and
// leave the chain unchanged: nonce bit → ERR_BAD_POW, bits bit → ERR_BAD_BITS, prev-hash bit →
// ERR_PREV_HASH_MISMATCH, merkle-root bit → ERR_BAD_POW (the hash changes).
void check_corruptions(HeaderChain& c, const Bytes& raw, std::int64_t now_s) {
  const std::size_t size = c.size();
  const Hash32 tip = c.tip().hash;
  struct Flip {
    std::size_t byte;
    Code code;
  };
  for (const Flip f : {Flip{76, Code::BadPow}, Flip{72, Code::BadBits}, Flip{4 + 7, Code::PrevHashMismatch},
                       Flip{36 + 3, Code::BadPow}}) {
    Bytes bad = raw;
    bad[f.byte] ^= 0x01;
    INFO("flipped byte " << f.byte);
    CHECK(add_error(c, bad, now_s) == f.code);
  }
  CHECK(c.size() == size);
  CHECK(c.tip().hash == tip);
}

Anchor anchor_of(const json& h, std::uint32_t height) {
  Anchor a;
  a.height = height;
  a.header = bytes_of(h.at("hex").get<std::string>());
  return a;
}

}  // namespace

TEST_CASE("headersWithRetarget: the run across 554400 is accepted and 554400 needs exactly 0x17371ef4") {
  const json v = testing::read_vector_json(kSumma + "headersWithRetarget.json");
  const json& chain = v.at("chain");
  REQUIRE(chain.size() == 18);
  REQUIRE(v.at("genesis").at("height") == 554390);
  REQUIRE(v.at("oldPeriodStart").at("height") == 552384);
  const Bytes old_start = bytes_of(v.at("oldPeriodStart").at("hex").get<std::string>());
  Anchor a = anchor_of(v.at("genesis"), 554390);
  const std::int64_t now = time_of(bytes_of(chain.back().at("hex").get<std::string>()));

  // Without the period start the retarget cannot be checked.
  {
    HeaderChain c = HeaderChain::create(mainnet_params(), a).value();
    for (std::size_t i = 0; i < 9; ++i) REQUIRE(c.add_header(bytes_of(chain[i].at("hex")), now).has_value());
    CHECK(add_error(c, bytes_of(chain[9].at("hex")), now) == Code::AnchorInsufficient);
  }

  a.period_start_time_s = time_of(old_start);
  HeaderChain c = HeaderChain::create(mainnet_params(), a).value();
  for (const json& h : chain) {
    const Bytes raw = bytes_of(h.at("hex"));
    const auto height = h.at("height").get<std::uint32_t>();
    INFO("height " << height);
    if (height == 554400) {
      const HeaderInfo last = c.tip();
      CHECK(last.height == 554399);
      CHECK(calculate_next_work_required(last.header.bits, last.header.time_s, time_of(old_start),
                                         mainnet_params()) == 0x17371ef4u);
      CHECK(c.required_bits(last.hash, time_of(raw)).value() == 0x17371ef4u);
      for (std::uint32_t other : {0x1731d97cu, 0x17371ef3u, 0x17371ef5u, 0x1d00ffffu}) {
        Bytes bad = raw;
        write_le32(bad.data() + 72, other);
        CHECK(add_error(c, bad, now) == Code::BadBits);
      }
    }
    check_corruptions(c, raw, now);
    const AddResult r = c.add_header(raw, now).value();
    CHECK(r.height == height);
    CHECK(display(r.hash) == h.at("digest").get<std::string>().substr(2));
  }
  CHECK(c.tip().height == 554408);
  CHECK(c.at_height(554400)->header.bits == 0x17371ef4u);
  CHECK(c.at_height(554399)->header.bits == 0x1731d97cu);
}

TEST_CASE("headers.json: the run is valid, orphan_562630 is a lighter competing branch, badHeader does not link") {
  const json v = testing::read_vector_json(kSumma + "headers.json");
  const json& chain = v.at("chain");
  REQUIRE(chain.size() == 18);
  REQUIRE(v.at("genesis").at("height") == 562621);
  const std::int64_t now = time_of(bytes_of(chain.back().at("hex"))) + 600;
  HeaderChain c = HeaderChain::create(mainnet_params(), anchor_of(v.at("genesis"), 562621)).value();
  for (const json& h : chain) {
    const Bytes raw = bytes_of(h.at("hex"));
    check_corruptions(c, raw, now);
    CHECK(c.add_header(raw, now).value().height == h.at("height").get<std::uint32_t>());
  }
  const HeaderInfo tip = c.tip();
  CHECK(tip.height == 562639);
  CHECK(c.size() == 19);

  const Bytes orphan = bytes_of(v.at("orphan_562630").at("hex"));
  const AddResult r = c.add_header(orphan, now).value();
  CHECK(r.height == 562630);
  CHECK_FALSE(r.new_tip);
  CHECK(display(r.hash) == v.at("orphan_562630").at("digest").get<std::string>().substr(2));
  CHECK(c.find(r.hash)->chainwork < tip.chainwork);
  CHECK(c.find(r.hash)->chainwork == c.at_height(562630)->chainwork);
  CHECK_FALSE(c.find(r.hash)->on_best_chain);
  CHECK(c.confirmations(r.hash) == 0);
  CHECK(c.tip().hash == tip.hash);
  CHECK(c.at_height(562630)->hash != r.hash);
  CHECK(c.size() == 20);

  CHECK(add_error(c, bytes_of(v.at("badHeader").at("hex")), now) == Code::PrevHashMismatch);
  CHECK(c.size() == 20);
  CHECK(c.tip().hash == tip.hash);
}

TEST_CASE("testVectors.json retargetAlgorithm: the third header's bits are computed exactly (9 cases)") {
  const json tv = testing::read_vector_json(kSumma + "testVectors.json");
  const json& cases = tv.at("retargetAlgorithm");
  REQUIRE(cases.size() == 9);
  const U256 diff1 = U256(0xffff) << 208;
  for (const json& k : cases) {
    const Header first = decode_header(bytes_of(k.at("input")[0].at("hex"))).value();
    const Header last = decode_header(bytes_of(k.at("input")[1].at("hex"))).value();
    const Header next = decode_header(bytes_of(k.at("input")[2].at("hex"))).value();
    INFO("next height " << k.at("input")[2].at("height"));
    CHECK(calculate_next_work_required(last.bits, last.time_s, first.time_s, mainnet_params()) == next.bits);
    CHECK((diff1 / decode_compact(next.bits).target).low64() == k.at("output").get<std::uint64_t>());
  }
}

TEST_CASE("testVectors.json validateHeaderChain (1) and validateHeaderChainError (3)") {
  const json tv = testing::read_vector_json(kSumma + "testVectors.json");
  const json& ok = tv.at("validateHeaderChain");
  REQUIRE(ok.size() == 1);
  const Bytes all = bytes_of(ok[0].at("input"));
  REQUIRE(all.size() == 7 * 80);
  // Heights are not in the vector: the anchor gets height 1 (inside a period, so no boundary is crossed).
  Anchor a;
  a.height = 1;
  a.header.assign(all.begin(), all.begin() + 80);
  std::vector<ByteView> run;
  for (std::size_t off = 80; off < all.size(); off += 80) run.push_back(ByteView(all).subspan(off, 80));
  const RunResult r = verify_header_run(mainnet_params(), a, run, 1536968599).value();
  CHECK(r.tip_height == 7);
  CHECK(r.chainwork.to_decimal() == "211033838114920946816537");  // 7 × work(0x172819a1)
  U256 difficulty_sum;
  for (std::size_t off = 0; off < all.size(); off += 80) {
    const Header h = decode_header(ByteView(all).subspan(off, 80)).value();
    difficulty_sum += (U256(0xffff) << 208) / decode_compact(h.bits).target;
  }
  CHECK(difficulty_sum.low64() == ok[0].at("output").get<std::uint64_t>());

  const json& bad = tv.at("validateHeaderChainError");
  REQUIRE(bad.size() == 3);
  auto verify_concat = [](const Bytes& b) -> Result<RunResult> {
    if (b.size() % 80 != 0) {
      auto d = decode_header(ByteView(b).subspan(b.size() / 80 * 80));
      return tl::unexpected(d.error());
    }
    Anchor an;
    an.height = 1;
    an.header.assign(b.begin(), b.begin() + 80);
    std::vector<ByteView> hs;
    for (std::size_t off = 80; off < b.size(); off += 80) hs.push_back(ByteView(b).subspan(off, 80));
    return verify_header_run(mainnet_params(), an, hs, 1536968599);
  };
  CHECK(verify_concat(bytes_of(bad[0].at("input"))).error().code == Code::HeaderEncoding);
  const Error broken = verify_concat(bytes_of(bad[1].at("input"))).error();
  CHECK(broken.code == Code::PrevHashMismatch);
  const Error no_work = verify_concat(bytes_of(bad[2].at("input"))).error();
  CHECK(no_work.code == Code::BadTarget);  // bits 0x1f00ffff: above mainnet's pow limit
  CHECK(no_work.at == "anchor");
}

TEST_CASE("testVectors.json header-level groups: validateHeaderWork, checkWork, validateHeaderPrevHash, "
          "extractTarget, work, workHash") {
  const json tv = testing::read_vector_json(kSumma + "testVectors.json");
  // validateHeaderWork: digest (internal order) against a big-endian target. The first case (a zero digest)
  // is summa's own extra rule, not Bitcoin Core's (a zero hash cannot occur): only its comparison is checked.
  const json& vhw = tv.at("validateHeaderWork");
  REQUIRE(vhw.size() == 3);
  for (std::size_t i = 1; i < vhw.size(); ++i) {
    const json in = lenient(vhw[i].at("input"));
    const bool meets = U256::from_le(hash_of(in.at("digest"))) <= be(in.at("target"));
    CHECK(meets == vhw[i].at("output").get<bool>());
  }
  CHECK(U256::from_le(hash_of(lenient(vhw[0].at("input")).at("digest"))) <= be("01"));

  const json& cw = tv.at("checkWork");
  REQUIRE(cw.size() == 2);
  for (const json& k : cw) {
    const json in = lenient(k.at("input"));
    const Hash32 h = header_hash(ByteView(bytes_of(in.at("header"))));
    CHECK((U256::from_le(h) <= be(in.at("target"))) == k.at("output").get<bool>());
  }

  const json& ph = tv.at("validateHeaderPrevHash");
  REQUIRE(ph.size() == 2);
  for (const json& k : ph) {
    const json in = lenient(k.at("input"));
    const Header h = decode_header(bytes_of(in.at("header"))).value();
    CHECK((h.prev_hash == hash_of(in.at("prevHash"))) == k.at("output").get<bool>());
  }

  const json& et = tv.at("extractTarget");
  REQUIRE(et.size() == 1);
  const Header eh = decode_header(bytes_of(et[0].at("input"))).value();
  CHECK("0x" + target_from_bits(eh.bits, mainnet_params().pow_limit).value().to_hex() ==
        et[0].at("output").get<std::string>());

  const json& wk = tv.at("work");  // summa's "work" is the header digest read as a number
  REQUIRE(wk.size() == 1);
  CHECK(U256::from_le(header_hash(ByteView(bytes_of(wk[0].at("input"))))).to_decimal() ==
        wk[0].at("output").get<std::string>());

  const json& wh = tv.at("workHash");
  REQUIRE(wh.size() == 1);
  CHECK(header_hash(ByteView(bytes_of(wh[0].at("input")))) == hash_of(wh[0].at("output")));
}

namespace {

struct SpvProof {
  Bytes tx;
  Hash32 txid;
  std::uint64_t index;
  std::vector<Hash32> branch;
  Bytes header;
  std::uint32_t height;
};

SpvProof spv_of(const json& raw) {
  const json p = lenient(raw);
  SpvProof s;
  for (const char* part : {"version", "vin", "vout", "locktime"}) append(s.tx, bytes_of(p.at(part)));
  s.txid = hash_of(p.at("tx_id"));
  s.index = p.at("index").is_string() ? std::stoull(p.at("index").get<std::string>()) : p.at("index").get<std::uint64_t>();
  const Bytes nodes = bytes_of(p.at("intermediate_nodes"));
  for (std::size_t off = 0; off + 32 <= nodes.size(); off += 32) s.branch.push_back(Hash32::from(ByteView(nodes).subspan(off, 32)));
  const json h = lenient(p.at("confirming_header"));
  s.header = bytes_of(h.at("raw"));
  s.height = h.at("height").get<std::uint32_t>();
  return s;
}

Result<TxVerified> verify_spv(const SpvProof& s) {
  Anchor a;
  a.height = s.height;
  a.header = s.header;
  auto c = HeaderChain::create(mainnet_params(), a);
  if (!c) return tl::unexpected(c.error());
  return c->verify_tx(s.height, TxInclusion{s.txid, s.index, s.branch, std::nullopt, ByteView(s.tx)}, 1);
}

}  // namespace

TEST_CASE("testProofs.json: the valid proof includes the tx in block 592920; badHeaders (3) and badSPVProofs (4) rejected") {
  const json v = testing::read_vector_json(kSumma + "testProofs.json");
  REQUIRE(v.at("valid").size() == 1);
  const SpvProof ok = spv_of(v.at("valid")[0]);
  CHECK(ok.height == 592920);
  CHECK(ok.index == 26);
  CHECK(txid_of(ok.tx).value() == ok.txid);
  const TxVerified res = verify_spv(ok).value();
  CHECK(res.height == 592920);
  CHECK(res.confirmations == 1);
  CHECK(display(res.block_hash) == "00000000000000000016633b88de22bd6462283bcf7dcbe559233baaf5fb0c4d");

  SpvProof flipped = ok;
  flipped.branch[0].b[0] ^= 0x01;
  CHECK(verify_spv(flipped).error().code == Code::MerkleBranch);
  flipped = ok;
  flipped.index ^= 1;
  CHECK(verify_spv(flipped).error().code == Code::MerkleBranch);
  flipped = ok;
  flipped.branch.pop_back();
  CHECK(verify_spv(flipped).error().code == Code::MerkleBranch);

  // validHeader and the three badHeaders: each claims a field the raw header does not have.
  REQUIRE(v.at("validHeader").size() == 1);
  const json good = lenient(v.at("validHeader")[0]);
  const Bytes raw = bytes_of(good.at("raw"));
  const Header gh = decode_header(raw).value();
  CHECK(header_hash(ByteView(raw)) == hash_of(good.at("hash")));
  CHECK(gh.prev_hash == hash_of(good.at("prevhash")));
  CHECK(gh.merkle_root == hash_of(good.at("merkle_root")));
  const json& bad_headers = v.at("badHeaders");
  REQUIRE(bad_headers.size() == 3);
  for (const json& b : bad_headers) {
    const json h = lenient(b.at("header"));
    const Bytes r = bytes_of(h.at("raw"));
    const Header d = decode_header(r).value();
    const int mismatches = (header_hash(ByteView(r)) != hash_of(h.at("hash"))) +
                           (d.prev_hash != hash_of(h.at("prevhash"))) + (d.merkle_root != hash_of(h.at("merkle_root")));
    INFO(b.at("comment"));
    CHECK(mismatches == 1);
  }

  const json& bad = v.at("badSPVProofs");
  REQUIRE(bad.size() == 4);
  const Code expected[4] = {Code::TxMalformed, Code::TxMalformed, Code::TxMismatch, Code::MerkleBranch};
  for (std::size_t i = 0; i < 4; ++i) {
    INFO(bad[i].at("comment"));
    const auto r = verify_spv(spv_of(bad[i].at("proof")));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == expected[i]);
  }
}

TEST_CASE("mainnet_genesis_block.json: hash, PoW at the limit, merkle root = coinbase txid, anchor at height 0") {
  const json v = testing::read_vector_json("bitcoin/mainnet_genesis_block.json");
  const Bytes header = bytes_of(v.at("header_hex"));
  const Header h = decode_header(header).value();
  CHECK(display(header_hash(ByteView(header))) == v.at("block_hash").get<std::string>());
  CHECK(h.bits == 0x1d00ffffu);
  CHECK(h.bits == bits_from_target(mainnet_params().pow_limit));
  CHECK(check_pow(header_hash(ByteView(header)), h.bits, mainnet_params()).has_value());
  CHECK(h.time_s == v.at("time").get<std::uint32_t>());
  CHECK(h.nonce == v.at("nonce").get<std::uint32_t>());
  const Bytes block = bytes_of(v.at("raw_block_hex"));
  REQUIRE(block.size() > 81);
  REQUIRE(block[80] == 1);  // one transaction
  const Hash32 coinbase = txid_of(ByteView(block).subspan(81)).value();
  CHECK(display(coinbase) == v.at("coinbase_txid").get<std::string>());
  CHECK(coinbase == h.merkle_root);
  Anchor a;
  a.height = 0;
  a.header = header;
  const HeaderChain c = HeaderChain::create(mainnet_params(), a).value();
  CHECK(c.tip().height == 0);
  CHECK(c.tip().hash == mainnet_params().genesis_hash);
  CHECK(c.tip().chainwork == U256(0x100010001ULL));
  const std::vector<Hash32> none;
  CHECK(c.verify_tx(std::uint32_t{0}, TxInclusion{coinbase, 0, none, 1, ByteView(block).subspan(81)}, 1).has_value());
}

TEST_CASE("mainnet_block100000_merkle.json: 4 branches accepted, 3 derived negatives rejected") {
  const json v = testing::read_vector_json("bitcoin/mainnet_block100000_merkle.json");
  Anchor a;
  a.height = 100000;
  a.header = bytes_of(v.at("header_hex"));
  const HeaderChain c = HeaderChain::create(mainnet_params(), a).value();
  CHECK(display(c.tip().hash) == v.at("block_hash").get<std::string>());
  auto run = [&](const json& p, std::optional<std::uint64_t> count) {
    std::vector<Hash32> br;
    for (const json& s : p.at("branch_internal_byte_order")) br.push_back(hash_of(s));
    const Hash32 txid = hash_of(p.at("txid")).reversed();  // display → internal
    return c.verify_tx(c.tip().hash, TxInclusion{txid, p.at("index").get<std::uint64_t>(), br, count, std::nullopt}, 1);
  };
  REQUIRE(v.at("proofs").size() == 4);
  for (const json& p : v.at("proofs")) {
    CHECK(run(p, 4).has_value());
    CHECK(run(p, std::nullopt).has_value());
  }
  const json& neg = v.at("negative_cases_derived");
  REQUIRE(neg.size() == 3);
  // [0]: index 1 with index 0's branch, whose first sibling is the leaf itself → duplicate pattern.
  const Code with_count[3] = {Code::MerkleMutated, Code::MerkleIndex, Code::MerkleBranch};
  for (std::size_t i = 0; i < 3; ++i) {
    INFO(neg[i].at("why"));
    CHECK(run(neg[i], 4).error().code == with_count[i]);
    CHECK_FALSE(run(neg[i], std::nullopt).has_value());
  }
}
