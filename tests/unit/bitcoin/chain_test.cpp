// Unit tests of the Bitcoin header chain on generated (mined) chains: no outside data, always runs.
#include <catch2/catch.hpp>

#include <vector>

#include "causeway/bitcoin/chain.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/merkle/bitcoin_merkle.hpp"
#include "test_support.hpp"

using namespace causeway;
using namespace causeway::bitcoin;
using namespace causeway::bitcoin::test;

namespace {

HeaderChain new_chain(const Params& p, const Anchor& a) { return HeaderChain::create(p, a).value(); }

Code add_error(HeaderChain& c, const Header& h, std::int64_t now_s) {
  const Bytes raw = raw_of(h);
  auto r = c.add_header(raw, now_s);
  REQUIRE_FALSE(r.has_value());
  return r.error().code;
}

AddResult add_ok(HeaderChain& c, const Header& h, std::int64_t now_s) {
  const Bytes raw = raw_of(h);
  auto r = c.add_header(raw, now_s);
  if (!r) FAIL(std::string(code_name(r.error().code)) + ": " + r.error().detail);
  return *r;
}

// Extends the tip `n` times with the given spacing; returns the hashes.
std::vector<Hash32> grow(HeaderChain& c, Hash32 from, std::uint32_t start_time, std::uint32_t spacing, int n,
                         std::uint32_t tag = 0) {
  std::vector<Hash32> out;
  for (int i = 1; i <= n; ++i) {
    from = extend(c, from, start_time + spacing * static_cast<std::uint32_t>(i), tag);
    out.push_back(from);
  }
  return out;
}

Bytes hx(const char* s) { return from_hex(s).value(); }

}  // namespace

TEST_CASE("a generated chain is accepted; tip, heights, confirmations and find follow the best chain") {
  const Params p = retarget16_params();
  HeaderChain c = new_chain(p, make_anchor(p, 0, kRegtestLimitBits, kT0));
  const Hash32 anchor = c.tip().hash;
  const auto hs = grow(c, anchor, kT0, 600, 5);
  CHECK(c.size() == 6);
  CHECK(c.tip().height == 5);
  CHECK(c.tip().hash == hs[4]);
  CHECK(c.tip().chainwork == U256(12));  // 6 headers of work 2
  CHECK(c.at_height(3)->hash == hs[2]);
  CHECK(c.at_height(0)->hash == anchor);
  CHECK_FALSE(c.at_height(6).has_value());
  CHECK(c.confirmations(hs[2]) == 3);
  CHECK(c.confirmations(anchor) == 6);
  CHECK(c.confirmations(tag_hash(99)) == 0);
  CHECK(c.find(hs[0])->height == 1);
  CHECK(c.find(hs[0])->on_best_chain);
  CHECK_FALSE(c.find(tag_hash(99)).has_value());
  CHECK(c.anchor_height() == 0);
}

TEST_CASE("the hash index finds every header through growth, reserve and copies") {
  const Params p = retarget16_params();
  HeaderChain c = new_chain(p, make_anchor(p, 0, kRegtestLimitBits, kT0));
  const auto main = grow(c, c.tip().hash, kT0, 600, 300, 1);
  const auto side = grow(c, main[99], kT0 + 100 * 600, 601, 3, 2);  // a short fork at height 101..103
  CHECK(c.size() == 304);
  for (std::size_t i = 0; i < main.size(); ++i) {
    const auto f = c.find(main[i]);
    REQUIRE(f.has_value());
    CHECK(f->height == i + 1);
    CHECK(c.confirmations(main[i]) == 300 - i);
  }
  HeaderChain copy = c;
  copy.reserve(5000);
  for (const Hash32& h : side) CHECK(copy.find(h)->on_best_chain == false);
  CHECK(copy.find(main[299])->height == 300);
  CHECK(copy.find(c.at_height(0)->hash)->height == 0);
  CHECK(copy.find(c.at_height(0)->hash)->header.prev_hash == Hash32{});
  CHECK(copy.find(main[0])->header.prev_hash == c.at_height(0)->hash);
  extend(copy, main[299], kT0 + 301 * 600);
  CHECK(copy.tip().height == 301);
  CHECK(c.tip().height == 300);
}

TEST_CASE("a header already known is an idempotent no-op") {
  const Params p = retarget16_params();
  HeaderChain c = new_chain(p, make_anchor(p, 0, kRegtestLimitBits, kT0));
  const Header h = make_child(c, c.tip().hash, kT0 + 600);
  const AddResult first = add_ok(c, h, kT0);
  const AddResult again = add_ok(c, h, kT0);
  CHECK_FALSE(first.duplicate);
  CHECK(first.new_tip);
  CHECK(again.duplicate);
  CHECK_FALSE(again.new_tip);
  CHECK(again.height == 1);
  CHECK(c.size() == 2);
}

TEST_CASE("each corrupted header field has its own error and a rejected header changes nothing") {
  const Params p = retarget16_params();
  HeaderChain c = new_chain(p, make_anchor(p, 0, 0x1f0fffff, kT0));  // 1/4096: a flipped nonce fails PoW
  const Hash32 anchor = c.tip().hash;
  const Header good = make_child(c, anchor, kT0 + 600);
  Header h = good;
  h.nonce ^= 1;
  CHECK(add_error(c, h, kT0) == Code::BadPow);
  h = good;
  h.bits ^= 1;
  CHECK(add_error(c, h, kT0) == Code::BadBits);
  h = good;
  h.prev_hash.b[5] ^= 0x10;
  CHECK(add_error(c, h, kT0) == Code::PrevHashMismatch);
  h = good;
  h.merkle_root.b[0] ^= 0x01;
  CHECK(add_error(c, h, kT0) == Code::BadPow);
  const Bytes full_raw = raw_of(good);
  const Bytes short_raw(full_raw.begin(), full_raw.end() - 1);
  CHECK(c.add_header(short_raw, kT0).error().code == Code::HeaderEncoding);
  CHECK(c.size() == 1);
  CHECK(c.tip().hash == anchor);
  CHECK(add_ok(c, good, kT0).height == 1);
}

TEST_CASE("A13 a timestamp not after the median of the previous 11 is rejected; the window is reported") {
  const Params p = retarget16_params();
  Anchor a = make_anchor(p, 0, kRegtestLimitBits, kT0);
  for (std::uint32_t i = 10; i >= 1; --i) a.prev_timestamps_s.push_back(kT0 - 600 * i);
  HeaderChain c = new_chain(p, a);
  const Hash32 anchor = c.tip().hash;
  // Window: 10 ancestors + the anchor; median = kT0 − 3000.
  CHECK(add_error(c, make_child(c, anchor, kT0 - 3000), kT0) == Code::TimeTooOld);
  CHECK(c.size() == 1);
  const AddResult r = add_ok(c, make_child(c, anchor, kT0 - 2999), kT0);
  CHECK(r.mtp_window == 11);

  // Without prev_timestamps_s the window is what is available (1 at the anchor's first child).
  HeaderChain d = new_chain(p, make_anchor(p, 0, kRegtestLimitBits, kT0));
  CHECK(add_error(d, make_child(d, d.tip().hash, kT0), kT0) == Code::TimeTooOld);
  const AddResult r1 = add_ok(d, make_child(d, d.tip().hash, kT0 + 1), kT0);
  CHECK(r1.mtp_window == 1);
  CHECK(add_ok(d, make_child(d, r1.hash, kT0 + 2), kT0).mtp_window == 2);
}

TEST_CASE("A13 a timestamp more than 2 h after now is rejected; exactly now + 7200 is accepted") {
  const Params p = retarget16_params();
  HeaderChain c = new_chain(p, make_anchor(p, 0, kRegtestLimitBits, kT0));
  const std::int64_t now = kT0 + 100;
  CHECK(add_error(c, make_child(c, c.tip().hash, kT0 + 100 + 7201), now) == Code::TimeTooNew);
  CHECK(c.size() == 1);
  CHECK(add_ok(c, make_child(c, c.tip().hash, kT0 + 100 + 7200), now).height == 1);
}

TEST_CASE("A13 bits below the required difficulty on mainnet params are rejected") {
  Anchor a;
  a.height = 0;
  a.header = hx("0x0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e6776"
                "8f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c");
  HeaderChain c = new_chain(mainnet_params(), a);
  Header h;
  h.version = 1;
  h.prev_hash = c.tip().hash;
  h.merkle_root = tag_hash(1);
  h.time_s = 1231006505 + 600;
  h.bits = 0x207fffff;  // far easier than the required 0x1d00ffff
  CHECK(add_error(c, h, h.time_s) == Code::BadBits);
  h.bits = 0x1d00fffe;  // harder is just as wrong: bits must equal the rule
  CHECK(add_error(c, h, h.time_s) == Code::BadBits);
  h.bits = 0x1d00ffff;  // right bits, no work done
  CHECK(add_error(c, h, h.time_s) == Code::BadPow);
  CHECK(c.size() == 1);
  CHECK(c.required_bits(c.tip().hash, h.time_s).value() == 0x1d00ffffu);
}

TEST_CASE("A13 a retarget computed without the T/4..4T clamp is rejected") {
  const Params p = retarget16_params();
  SECTION("blocks too fast: the target shrinks at most 4x") {
    HeaderChain c = new_chain(p, make_anchor(p, 0, kRegtestLimitBits, kT0));
    const auto hs = grow(c, c.tip().hash, kT0, 1, 15);  // timespan 15 s
    const U256 unclamped = decode_compact(kRegtestLimitBits).target.mul_div(15, 9600).value();
    CHECK(bits_from_target(unclamped) == 0x1f333332u);
    CHECK(c.required_bits(hs.back(), kT0 + 16).value() == 0x201fffffu);
    Header h = make_child(c, hs.back(), kT0 + 16, 0x1f333332u);
    CHECK(add_error(c, h, kT0 + 16) == Code::BadBits);
    CHECK(c.size() == 16);
    CHECK(add_ok(c, make_child(c, hs.back(), kT0 + 16), kT0 + 16).height == 16);
  }
  SECTION("blocks too slow: the target grows at most 4x") {
    HeaderChain c = new_chain(p, make_anchor(p, 0, kEasyBits, kT0));
    const auto hs = grow(c, c.tip().hash, kT0, 6000, 15);  // timespan 90000 s > 4T = 38400 s
    CHECK(c.required_bits(hs.back(), kT0 + 16 * 6000).value() == 0x203ffffcu);
    Header h = make_child(c, hs.back(), kT0 + 16 * 6000, 0x207fffffu);  // unclamped (then capped at the limit)
    CHECK(add_error(c, h, kT0 + 16 * 6000) == Code::BadBits);
    CHECK(add_ok(c, make_child(c, hs.back(), kT0 + 16 * 6000), kT0 + 16 * 6000).height == 16);
  }
}

TEST_CASE("crossing a retarget boundary needs period_start_time_s unless the anchor starts the period") {
  const Params p = retarget16_params();
  Anchor a = make_anchor(p, 10, kRegtestLimitBits, kT0);
  {
    HeaderChain c = new_chain(p, a);
    const auto hs = grow(c, c.tip().hash, kT0, 600, 5);  // heights 11..15
    CHECK(c.required_bits(hs.back(), kT0 + 3600).error().code == Code::AnchorInsufficient);
    const Header h = make_child(c, hs.back(), kT0 + 3600, kRegtestLimitBits);
    CHECK(add_error(c, h, kT0 + 3600) == Code::AnchorInsufficient);
    CHECK(c.size() == 6);
  }
  a.period_start_time_s = kT0 - 6000;
  HeaderChain c = new_chain(p, a);
  const auto hs = grow(c, c.tip().hash, kT0, 600, 5);
  // timespan = time(15) − time(0) = 3000 + 6000 = 9000 s → target × 9000 / 9600.
  const std::uint32_t expect = bits_from_target(decode_compact(kRegtestLimitBits).target.mul_div(9000, 9600).value());
  CHECK(c.required_bits(hs.back(), kT0 + 3600).value() == expect);
  CHECK(add_ok(c, make_child(c, hs.back(), kT0 + 3600), kT0 + 3600).height == 16);
}

TEST_CASE("A13 a fork longer in height but with less cumulative work does not become the tip; a heavier fork reorgs") {
  const Params p = retarget16_params();
  HeaderChain c = new_chain(p, make_anchor(p, 0, kRegtestLimitBits, kT0));
  const Hash32 anchor = c.tip().hash;
  // Branch A: 15 fast blocks, then the retarget quarters the target (work 8 per block) for 5 blocks.
  const auto a = grow(c, anchor, kT0, 1, 20, 1);
  CHECK(c.find(a[16])->header.bits == 0x201fffffu);
  CHECK(c.tip().height == 20);
  CHECK(c.tip().chainwork == U256(72));  // 2 + 15×2 + 5×8
  // Branch B: slow blocks at the limit (work 2 each): 25 blocks = work 52 < 72.
  const auto b = grow(c, anchor, kT0, 700, 25, 2);
  CHECK(c.find(b[24])->chainwork == U256(52));
  CHECK(c.tip().hash == a[19]);
  CHECK(c.size() == 46);
  CHECK_FALSE(c.find(b[24])->on_best_chain);
  CHECK(c.confirmations(b[24]) == 0);
  CHECK(c.at_height(25) == std::nullopt);
  CHECK(c.at_height(10)->hash == a[9]);
  // Equal work (72 at B35): the first seen tip stays.
  std::vector<Hash32> more = grow(c, b[24], kT0 + 25 * 700, 700, 10, 2);
  CHECK(c.find(more.back())->chainwork == U256(72));
  CHECK(c.tip().hash == a[19]);
  // More work (74 at B36): reorg to B.
  const Header h36 = make_child(c, more.back(), kT0 + 36 * 700, std::nullopt, 2);
  const AddResult r = add_ok(c, h36, kT0 + 36 * 700);
  CHECK(r.new_tip);
  CHECK(r.reorg);
  CHECK(c.tip().height == 36);
  CHECK(c.tip().chainwork == U256(74));
  CHECK(c.at_height(10)->hash == b[9]);
  CHECK(c.at_height(20)->hash == b[19]);
  CHECK(c.confirmations(a[9]) == 0);
  CHECK(c.confirmations(b[9]) == 27);
  CHECK_FALSE(c.find(a[19])->on_best_chain);
  // Branch A can still be extended (forks are kept) and wins again with more work.
  const auto a2 = grow(c, a[19], kT0 + 20, 1, 1, 1);
  CHECK(c.find(a2[0])->chainwork == U256(80));
  CHECK(c.tip().hash == a2[0]);
  CHECK(c.at_height(10)->hash == a[9]);
  CHECK(c.at_height(22) == std::nullopt);
}

TEST_CASE("testnet3 20-minute rule: after 1200 s the pow limit is required, else the walked-back bits") {
  const Params p = testnet3_like_params();
  HeaderChain c = new_chain(p, make_anchor(p, 0, kEasyBits, kT0));
  const Hash32 anchor = c.tip().hash;
  CHECK(c.required_bits(anchor, kT0 + 1200).value() == kEasyBits);
  CHECK(c.required_bits(anchor, kT0 + 1201).value() == kRegtestLimitBits);
  CHECK(add_error(c, make_child(c, anchor, kT0 + 1201, kEasyBits), kT0) == Code::BadBits);
  const Hash32 m1 = extend(c, anchor, kT0 + 1201);
  CHECK(c.find(m1)->header.bits == kRegtestLimitBits);
  CHECK(c.required_bits(m1, kT0 + 1801).value() == kEasyBits);  // walks back over the min-difficulty block
  const Hash32 m2 = extend(c, m1, kT0 + 1201 + 1300);
  CHECK(c.find(m2)->header.bits == kRegtestLimitBits);
  CHECK(c.required_bits(m2, kT0 + 2600).value() == kEasyBits);
  CHECK(add_error(c, make_child(c, m2, kT0 + 2600, kRegtestLimitBits), kT0 + 2600) == Code::BadBits);
  CHECK(c.find(extend(c, m2, kT0 + 2600))->header.bits == kEasyBits);
  // Mainnet-style params never allow it.
  const Params strict = retarget16_params();
  HeaderChain s = new_chain(strict, make_anchor(strict, 0, kEasyBits, kT0));
  CHECK(s.required_bits(s.tip().hash, kT0 + 100000).value() == kEasyBits);
}

TEST_CASE("testnet3 walk-back from a min-difficulty anchor needs last_non_min_bits") {
  const Params p = testnet3_like_params();
  Anchor a = make_anchor(p, 5, kRegtestLimitBits, kT0);
  {
    HeaderChain c = new_chain(p, a);
    CHECK(c.required_bits(c.tip().hash, kT0 + 600).error().code == Code::AnchorInsufficient);
    CHECK(add_error(c, make_child(c, c.tip().hash, kT0 + 600, kEasyBits), kT0) == Code::AnchorInsufficient);
    CHECK(c.required_bits(c.tip().hash, kT0 + 1201).value() == kRegtestLimitBits);  // 20-minute rule needs none
  }
  a.last_non_min_bits = kEasyBits;
  HeaderChain c = new_chain(p, a);
  CHECK(c.required_bits(c.tip().hash, kT0 + 600).value() == kEasyBits);
  CHECK(c.find(extend(c, c.tip().hash, kT0 + 600))->height == 6);
}

TEST_CASE("testnet3 retargets from the last block's bits, testnet4 (BIP 94) from the period's first block") {
  std::uint32_t required[2] = {0, 0};
  const Params ps[2] = {testnet3_like_params(), testnet4_like_params()};
  for (int k = 0; k < 2; ++k) {
    HeaderChain c = new_chain(ps[k], make_anchor(ps[k], 0, kEasyBits, kT0));
    const auto hs = grow(c, c.tip().hash, kT0, 600, 14);                    // heights 1..14, normal bits
    const Hash32 last = extend(c, hs.back(), kT0 + 14 * 600 + 1300);       // height 15: min difficulty
    CHECK(c.find(last)->header.bits == kRegtestLimitBits);
    required[k] = c.required_bits(last, kT0 + 14 * 600 + 1400).value();  // timespan 9700 s
    CHECK(c.find(extend(c, last, kT0 + 14 * 600 + 1400))->height == 16);
  }
  CHECK(required[0] == 0x207fffffu);  // limit × 9700/9600, capped at the limit
  CHECK(required[1] == 0x20102aa9u);  // 0x200fffff × 9700/9600
}

TEST_CASE("testnet4 timewarp: the first block of a period may not be over 600 s before its parent (BIP 94)") {
  const Params t4 = testnet4_like_params();
  HeaderChain c = new_chain(t4, make_anchor(t4, 0, kEasyBits, kT0));
  const auto hs = grow(c, c.tip().hash, kT0, 600, 15);
  const std::uint32_t parent_time = kT0 + 15 * 600;
  CHECK(add_error(c, make_child(c, hs.back(), parent_time - 601), parent_time) == Code::TimeWarp);
  CHECK(c.size() == 16);
  CHECK(add_ok(c, make_child(c, hs.back(), parent_time - 600), parent_time).height == 16);
  // Not the first block of a period: no timewarp rule (only MTP).
  CHECK(add_ok(c, make_child(c, hs[13], kT0 + 14 * 600 - 601), parent_time).height == 15);
  // testnet3 has no timewarp rule.
  const Params t3 = testnet3_like_params();
  HeaderChain d = new_chain(t3, make_anchor(t3, 0, kEasyBits, kT0));
  const auto ds = grow(d, d.tip().hash, kT0, 600, 15);
  CHECK(add_ok(d, make_child(d, ds.back(), parent_time - 601), parent_time).height == 16);
}

TEST_CASE("regtest never retargets, allows min-difficulty blocks, and checks its genesis at height 0") {
  const Params& r = regtest_params();
  Anchor g;
  g.height = 0;
  g.header = hx("0x0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e6776"
                "8f617fc81bc3888a51323a9fb8aa4b1e5e4adae5494dffff7f2002000000");
  HeaderChain c = new_chain(r, g);
  CHECK(c.tip().hash == r.genesis_hash);
  HeaderChain big = c;
  big.reserve(2100);
  Hash32 t = c.tip().hash;
  for (std::uint32_t i = 1; i <= 2016; ++i) t = extend(big, t, 1296688602 + 600 * i);
  CHECK(big.tip().height == 2016);
  CHECK(big.find(t)->header.bits == 0x207fffffu);
  CHECK(big.tip().chainwork == U256(2 * 2017));
  Anchor other = make_anchor(r, 0, kRegtestLimitBits, kT0);
  CHECK(HeaderChain::create(r, other).error().code == Code::UntrustedAnchor);
  other.height = 1;
  CHECK(HeaderChain::create(r, other).has_value());
}

TEST_CASE("A01 anchors with an all-zero header, zero merkle root, or bad encoding/PoW are rejected") {
  const Params p = retarget16_params();
  Anchor a;
  a.height = 5;
  a.header = Bytes(80, 0);
  CHECK(HeaderChain::create(p, a).error().code == Code::ZeroRoot);
  CHECK(HeaderChain::create(p, a).error().at == "anchor");
  Header h;
  h.time_s = kT0;
  h.bits = kRegtestLimitBits;  // merkle root all zero
  a.header = raw_of(mine(h, p));
  CHECK(HeaderChain::create(p, a).error().code == Code::ZeroRoot);
  a.header = Bytes(79, 1);
  CHECK(HeaderChain::create(p, a).error().code == Code::HeaderEncoding);
  Header bad;
  bad.merkle_root = tag_hash(3);
  bad.bits = 0x04923456;
  a.header = raw_of(bad);
  CHECK(HeaderChain::create(p, a).error().code == Code::BadTarget);
  bad.bits = 0x1d00ffff;
  a.header = raw_of(bad);
  CHECK(HeaderChain::create(mainnet_params(), a).error().code == Code::BadPow);
  Anchor many = make_anchor(p, 5, kRegtestLimitBits, kT0);
  many.prev_timestamps_s.assign(11, kT0 - 1);
  CHECK(HeaderChain::create(p, many).error().code == Code::TooLarge);
}

namespace {

// A chain whose block at height 1 commits to `txids`, with `extra` blocks on top.
struct TxFixture {
  Params p = retarget16_params();
  HeaderChain c = HeaderChain::create(p, make_anchor(p, 0, kRegtestLimitBits, kT0)).value();
  Hash32 block;
  TxFixture(const std::vector<Hash32>& txids, int extra) {
    const Header h = make_child(c, c.tip().hash, kT0 + 600, std::nullopt, 0,
                                merkle::bitcoin_merkle_root(txids).root);
    block = add_ok(c, h, kT0 + 600).hash;
    grow(c, block, kT0 + 600, 600, extra);
  }
};

}  // namespace

TEST_CASE("A11 an SPV branch for index 3 of a 3-tx block whose sibling equals itself is rejected; the honest one is "
          "accepted afterwards") {
  const std::vector<Hash32> txs = {tag_hash(0xA), tag_hash(0xB), tag_hash(0xC)};
  const std::vector<Hash32> mutated = {txs[0], txs[1], txs[2], txs[2]};
  CHECK(merkle::bitcoin_merkle_root(mutated).root == merkle::bitcoin_merkle_root(txs).root);
  CHECK(merkle::bitcoin_merkle_root(mutated).mutated);
  TxFixture f(txs, 5);
  const std::vector<Hash32> branch = {txs[2], sha256d_pair(txs[0], txs[1])};
  const std::size_t size_before = f.c.size();
  TxInclusion forged{txs[2], 3, branch, std::nullopt, std::nullopt};
  CHECK(f.c.verify_tx(f.block, forged, 1).error().code == Code::MerkleMutated);
  forged.tx_count = 3;
  CHECK(f.c.verify_tx(f.block, forged, 1).error().code == Code::MerkleIndex);
  CHECK(f.c.size() == size_before);
  const std::vector<Hash32> honest_branch = merkle::bitcoin_branch(txs, 2);
  CHECK(honest_branch == branch);
  TxInclusion honest{txs[2], 2, honest_branch, 3, std::nullopt};
  const TxVerified v = f.c.verify_tx(f.block, honest, 6).value();
  CHECK(v.height == 1);
  CHECK(v.confirmations == 6);
  CHECK(v.block_hash == f.block);
  honest.tx_count = std::nullopt;
  CHECK(f.c.verify_tx(std::uint32_t{1}, honest, 6).has_value());
}

TEST_CASE("verify_tx needs a verified header on the best chain with enough confirmations") {
  const std::vector<Hash32> txs = {tag_hash(1), tag_hash(2)};
  TxFixture f(txs, 2);  // block at height 1, tip at 3: 3 confirmations
  const std::vector<Hash32> br = merkle::bitcoin_branch(txs, 1);
  const TxInclusion tx{txs[1], 1, br, 2, std::nullopt};
  CHECK(f.c.verify_tx(f.block, tx, 3).value().confirmations == 3);
  CHECK(f.c.verify_tx(f.block, tx, 4).error().code == Code::Confirmations);
  CHECK(f.c.verify_tx(tag_hash(77), tx, 1).error().code == Code::UnknownHeader);
  CHECK(f.c.verify_tx(std::uint32_t{4}, tx, 1).error().code == Code::UnknownHeader);
  // A01: an all-zero branch / leaf proves nothing.
  const std::vector<Hash32> zeros(1, Hash32{});
  CHECK(f.c.verify_tx(f.block, TxInclusion{Hash32{}, 0, zeros, 2, std::nullopt}, 1).error().code ==
        Code::MerkleMutated);  // zero leaf paired with an equal (zero) sibling
  CHECK(f.c.verify_tx(f.block, TxInclusion{txs[0], 0, zeros, 2, std::nullopt}, 1).error().code ==
        Code::MerkleBranch);
  // The same block on a losing fork is not usable.
  const Header side = make_child(f.c, f.c.at_height(0)->hash, kT0 + 601, std::nullopt, 9,
                                 merkle::bitcoin_merkle_root(txs).root);
  const AddResult r = add_ok(f.c, side, kT0 + 601);
  CHECK_FALSE(r.new_tip);
  CHECK(f.c.verify_tx(r.hash, tx, 1).error().code == Code::UnknownHeader);
  // Wrong index / sibling.
  CHECK(f.c.verify_tx(f.block, TxInclusion{txs[1], 0, br, 2, std::nullopt}, 1).error().code == Code::MerkleBranch);
}

TEST_CASE("raw tx: 64-byte transactions refused, txid = SHA256d without witness, malformed input rejected") {
  // version | 1 input (prevout 0x11…, vout 0, empty script, sequence) | 1 output (value, script 0x51) | locktime
  const std::string vin = "01" + std::string(64, '1') + "00000000" + "00" + "ffffffff";
  const std::string vout = "01" "e803000000000000" "01" "51";
  const Bytes legacy = hx(("0x02000000" + vin + vout + "00000000").c_str());
  const Bytes segwit = hx(("0x020000000001" + vin + vout + "0101ab" + "00000000").c_str());
  const Bytes tx64 = hx(("0x02000000" + vin + "01" "e803000000000000" "04" "51515151" + "00000000").c_str());
  REQUIRE(legacy.size() == 61);
  REQUIRE(tx64.size() == 64);
  CHECK(txid_of(legacy).value() == sha256d(legacy));
  CHECK(txid_of(segwit).value() == sha256d(legacy));
  CHECK(txid_of(tx64).value() == sha256d(tx64));

  const Hash32 id = sha256d(legacy);
  const Hash32 id64 = sha256d(tx64);
  const std::vector<Hash32> txs = {tag_hash(5), id, id64};
  TxFixture f(txs, 0);
  const std::vector<Hash32> br1 = merkle::bitcoin_branch(txs, 1);
  const std::vector<Hash32> br2 = merkle::bitcoin_branch(txs, 2);
  CHECK(f.c.verify_tx(f.block, TxInclusion{id, 1, br1, 3, ByteView(segwit)}, 1).has_value());
  CHECK(f.c.verify_tx(f.block, TxInclusion{id, 1, br1, 3, ByteView(legacy)}, 1).has_value());
  CHECK(f.c.verify_tx(f.block, TxInclusion{id64, 2, br2, 3, ByteView(tx64)}, 1).error().code == Code::Tx64Bytes);
  CHECK(f.c.verify_tx(f.block, TxInclusion{id, 1, br1, 3, ByteView(tx64)}, 1).error().code == Code::Tx64Bytes);
  const Bytes other = hx(("0x01000000" + vin + vout + "00000000").c_str());
  CHECK(f.c.verify_tx(f.block, TxInclusion{id, 1, br1, 3, ByteView(other)}, 1).error().code == Code::TxMismatch);

  const Bytes truncated(legacy.begin(), legacy.end() - 1);
  Bytes trailing = legacy;
  trailing.push_back(0);
  const Bytes bad_flag = hx(("0x020000000002" + vin + vout + "0101ab" + "00000000").c_str());
  const Bytes empty_witness = hx(("0x020000000001" + vin + vout + "00" + "00000000").c_str());
  const Bytes noncanonical = hx(("0x02000000fd0100" + vin.substr(2) + vout + "00000000").c_str());
  const Bytes huge_count = hx("0x02000000ffffffffffffffffff00000000");
  for (const Bytes* b : std::initializer_list<const Bytes*>{&truncated, &trailing, &bad_flag, &empty_witness, &noncanonical, &huge_count}) {
    CHECK(txid_of(*b).error().code == Code::TxMalformed);
  }
  CHECK(f.c.verify_tx(f.block, TxInclusion{id, 1, br1, 3, ByteView(truncated)}, 1).error().code ==
        Code::TxMalformed);
  CHECK(txid_of({}).error().code == Code::TxMalformed);
}

TEST_CASE("verify_header_run checks a consecutive run and names the failing header") {
  const Params p = retarget16_params();
  const Anchor a = make_anchor(p, 0, kRegtestLimitBits, kT0);
  HeaderChain c = new_chain(p, a);
  std::vector<Bytes> raws;
  Hash32 prev = c.tip().hash;
  for (std::uint32_t i = 1; i <= 4; ++i) {
    const Header h = make_child(c, prev, kT0 + 600 * i);
    raws.push_back(raw_of(h));
    prev = add_ok(c, h, kT0).hash;
  }
  std::vector<ByteView> views(raws.begin(), raws.end());
  const RunResult ok = verify_header_run(p, a, views, kT0).value();
  CHECK(ok.tip_height == 4);
  CHECK(ok.tip_hash == prev);
  CHECK(ok.chainwork == U256(10));
  CHECK(ok.min_mtp_window == 1);
  std::swap(views[1], views[2]);
  const Error e = verify_header_run(p, a, views, kT0).error();
  CHECK(e.code == Code::PrevHashMismatch);
  CHECK(e.at == "headers[1]");
  std::swap(views[1], views[2]);
  views[3] = views[3].first(79);
  CHECK(verify_header_run(p, a, views, kT0).error().at == "headers[3]");
  CHECK(verify_header_run(p, a, views, kT0).error().code == Code::HeaderEncoding);
  CHECK(verify_header_run(p, a, std::span<const ByteView>{}, kT0).value().min_mtp_window == 0);
}

TEST_CASE("untrusted bytes are rejected with a code, never a crash: every tx prefix, random headers") {
  const std::string vin = "01" + std::string(64, '2') + "01000000" + "02" + "abcd" + "feffffff";
  const std::string vout = "02" "e803000000000000" "01" "51" "0000000000000000" "03" "6a0101";
  const Bytes segwit = hx(("0x020000000001" + vin + vout + "02" "01ab" "0201cd" + "11000000").c_str());
  REQUIRE(txid_of(segwit).has_value());
  for (std::size_t n = 0; n < segwit.size(); ++n) {
    const auto r = txid_of(ByteView(segwit).first(n));
    CHECK_FALSE(r.has_value());
    if (!r) CHECK(r.error().code == Code::TxMalformed);
  }
  const Params p = retarget16_params();
  HeaderChain c = new_chain(p, make_anchor(p, 0, kRegtestLimitBits, kT0));
  std::uint64_t x = 0x9e3779b97f4a7c15ULL;
  Bytes raw(80);
  for (int i = 0; i < 2000; ++i) {
    for (auto& b : raw) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      b = static_cast<std::uint8_t>(x);
    }
    const Hash32 tip = c.tip().hash;
    if (i % 2 == 0) std::copy(tip.b.begin(), tip.b.end(), raw.begin() + 4);  // links to the tip
    const auto r = c.add_header(raw, kT0);
    CHECK_FALSE(r.has_value());
    CHECK_FALSE(txid_of(raw).has_value());
  }
  CHECK(c.size() == 1);
}
