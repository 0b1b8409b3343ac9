// The BFT light client: sequential and skipping verification, trust transfer (A15), light-client attacks and
// misbehaviour (A14), expiry and clock drift (A21), inclusion, and both suites end to end.
#include <catch2/catch.hpp>

#include <functional>

#include "causeway/bft/client.hpp"
#include "causeway/bft/rfc6962_suite.hpp"
#include "causeway/core/secp256k1.hpp"
#include "chain.hpp"

using namespace causeway;
using namespace causeway::bft;
using namespace bfttest;

namespace {

const Suite kBoth[] = {Suite::Secp256k1Sha256, Suite::Sm2Sm3};
constexpr std::uint64_t kSec = 1000;
constexpr std::uint64_t kNow = kT0 + 3600 * kSec;  // a "now" well inside the default trusting period

Bytes text(const std::string& s) { return Bytes(s.begin(), s.end()); }

// Expects `update` to fail with `code` and leave the client exactly as it was.
void expect_reject(LightClient& c, const LightBlock& lb, std::uint64_t now_ms, Code code) {
  const Snapshot before = snapshot(c);
  auto r = c.update(lb, now_ms);
  REQUIRE_FALSE(r.has_value());
  CHECK(code_name(r.error().code) == code_name(code));
  CHECK(snapshot(c) == before);
}

UpdateResult expect_accept(LightClient& c, const LightBlock& lb, std::uint64_t now_ms) {
  auto r = c.update(lb, now_ms);
  if (!r) FAIL_CHECK(std::string(code_name(r.error().code)) + ": " + r.error().detail + " at " + r.error().at);
  REQUIRE(r.has_value());
  CHECK(r->kind == UpdateKind::Accepted);
  CHECK(c.latest() == r->header);
  return *r;
}

}  // namespace

// ---- sequential and skipping -----------------------------------------------------------------------------

TEST_CASE("client: anchor checks (A01: zero roots, time 0; sets must hash to the anchor; fail closed config)") {
  const Suite s = Suite::Secp256k1Sha256;
  const auto c = committee(s, {1, 1, 1, 1});
  const auto other = committee(s, {1, 1, 1, 1}, 50);
  Block anchor = make_block(s, 10, kT0, Hash32{}, c, c);
  ClientConfig cfg;
  cfg.codec = codec(s);
  cfg.trusting_period_s = 3600;
  CHECK(LightClient::create(cfg, {anchor.encoded, {}}, c.set, c.set).has_value());
  CHECK(LightClient::create(cfg, {anchor.encoded, {}}, other.set, c.set).error().code == Code::ValidatorSetMismatch);
  CHECK(LightClient::create(cfg, {anchor.encoded, {}}, c.set, other.set).error().code == Code::ValidatorSetMismatch);
  CHECK(LightClient::create(cfg, {anchor.encoded, {}}, ValidatorSet{}, c.set).error().code == Code::InvalidArgument);
  Bytes zero_root = anchor.encoded;
  const std::size_t vh = 3 + 13 + 16 + 32 * 3 + 16 + 32;  // offset of validators_hash (docs table)
  std::fill(zero_root.begin() + vh, zero_root.begin() + vh + 32, std::uint8_t{0});
  auto z = LightClient::create(cfg, {zero_root, {}}, c.set, c.set);
  CHECK(z.error().code == Code::ZeroRoot);
  CHECK(z.error().at == "anchor.validators_hash");
  auto cfg0 = cfg;
  cfg0.trusting_period_s = 0;
  CHECK(LightClient::create(cfg0, {anchor.encoded, {}}, c.set, c.set).error().code == Code::InvalidArgument);
  auto cfg_tl = cfg;
  cfg_tl.trust_level = {1, 4};
  CHECK(LightClient::create(cfg_tl, {anchor.encoded, {}}, c.set, c.set).error().code == Code::InvalidArgument);
  auto cfg_nc = cfg;
  cfg_nc.codec = nullptr;
  CHECK(LightClient::create(cfg_nc, {anchor.encoded, {}}, c.set, c.set).error().code == Code::InvalidArgument);
  auto cfg_sm2 = cfg;
  cfg_sm2.codec = codec(Suite::Sm2Sm3);  // secp256k1 sets under an sm2-sm3 codec
  CHECK(LightClient::create(cfg_sm2, {anchor.encoded, {}}, c.set, c.set).error().code == Code::InvalidArgument);
  Block stranger = anchor;
  stranger.header.proposer = other.keys[0].pub;
  reencode(s, stranger);
  CHECK(LightClient::create(cfg, {stranger.encoded, {}}, c.set, c.set).error().code == Code::NotValidator);
}

TEST_CASE("client: sequential rules — parent hash, validators hash, time order, chain id, proposer, known/unknown heights") {
  for (Suite s : kBoth) {
    INFO(suite_name(s));
    const auto c = committee(s, {1, 1, 1, 1});
    Block anchor = make_block(s, 10, kT0, Hash32{}, c, c);
    LightClient lc = client(s, anchor, c, c);
    Block b11 = make_block(s, 11, kT0 + kSec, anchor.hash, c, c);

    Block wrong_parent = make_block(s, 11, kT0 + kSec, b11.hash, c, c);
    expect_reject(lc, light_block(wrong_parent, sign_all(c, wrong_parent), c), kNow, Code::PrevHashMismatch);
    Block same_time = make_block(s, 11, kT0, anchor.hash, c, c);
    expect_reject(lc, light_block(same_time, sign_all(c, same_time), c), kNow, Code::TimestampOrder);
    Block other_chain = make_block(s, 11, kT0 + kSec, anchor.hash, c, c, {}, {}, "cwdevnet:other");
    expect_reject(lc, light_block(other_chain, sign_all(c, other_chain), c), kNow, Code::IslandMismatch);
    // A header signed by another set than the trusted next set, even with all its signatures.
    const auto stranger = committee(s, {1, 1, 1, 1}, 60);
    Block foreign = make_block(s, 11, kT0 + kSec, anchor.hash, stranger, stranger);
    expect_reject(lc, light_block(foreign, sign_all(stranger, foreign), stranger), kNow, Code::ValidatorSetMismatch);
    // Sets that do not hash to the header's.
    expect_reject(lc, light_block(b11, sign_all(c, b11), stranger), kNow, Code::ValidatorSetMismatch);
    // The proposer must be in the header's own set.
    Block odd_proposer = b11;
    odd_proposer.header.proposer = stranger.keys[0].pub;
    reencode(s, odd_proposer);
    expect_reject(lc, light_block(odd_proposer, sign_all(c, odd_proposer), c), kNow, Code::NotValidator);
    // Signatures of b11 under another chain id's sign bytes do not verify for b11.
    Commit cross = sign_all(c, other_chain);
    expect_reject(lc, light_block(b11, cross, c), kNow, Code::SigInvalid);
    // Malformed header bytes.
    LightBlock garbage = light_block(b11, sign_all(c, b11), c);
    garbage.signed_header.header.push_back(0);
    expect_reject(lc, garbage, kNow, Code::HeaderEncoding);

    auto r = expect_accept(lc, light_block(b11, sign_all(c, b11), c), kNow);
    CHECK(r.verification == Verification::Sequential);
    CHECK(r.signed_power == 4);
    CHECK(lc.latest().height == 11);
    CHECK(lc.latest().hash == b11.hash);
    // The same header again: nothing changes.
    const Snapshot before = snapshot(lc);
    CHECK(lc.update(light_block(b11, sign_all(c, b11), c), kNow)->kind == UpdateKind::AlreadyKnown);
    CHECK(snapshot(lc) == before);
    // A height below the latest that the client does not hold.
    Block b5 = make_block(s, 5, kT0 - kSec, Hash32{}, c, c);
    expect_reject(lc, light_block(b5, sign_all(c, b5), c), kNow, Code::UnknownHeader);
  }
}

TEST_CASE("client: a set change needs the next set named by the header; a bad extra signature rejects the update") {
  const Suite s = Suite::Secp256k1Sha256;
  const auto c1 = committee(s, {1, 1, 1, 1});
  const auto c2 = committee(s, {2, 2, 2}, 20);
  Block anchor = make_block(s, 1, kT0, Hash32{}, c1, c1);
  LightClient lc = client(s, anchor, c1, c1);
  Block b2 = make_block(s, 2, kT0 + kSec, anchor.hash, c1, c2);
  expect_reject(lc, light_block(b2, sign_all(c1, b2), c1), kNow, Code::ValidatorSetMismatch);  // next set missing
  expect_reject(lc, light_block(b2, sign_all(c1, b2), c1, &c1), kNow, Code::ValidatorSetMismatch);
  Commit extra = sign_all(c1, b2);
  extra.push_back(extra[0]);
  extra.back().signature[40] ^= 0x01;
  expect_reject(lc, light_block(b2, extra, c1, &c2), kNow, Code::SigInvalid);
  expect_accept(lc, light_block(b2, sign_all(c1, b2), c1, &c2), kNow);
  CHECK(lc.trusted_next_validators() == c2.set);
  Block b3 = make_block(s, 3, kT0 + 2 * kSec, b2.hash, c2, c2);
  expect_reject(lc, light_block(b3, sign_all(c1, b3), c1), kNow, Code::ValidatorSetMismatch);  // old set can't sign
  expect_accept(lc, light_block(b3, sign_all(c2, b3), c2), kNow);
}

TEST_CASE("client quorum boundaries at total powers 3, 6 and 100: own set > 2/3 (sequential), trusted set > 1/3 (skipping)") {
  struct Case {
    std::vector<std::uint64_t> powers;
    std::vector<std::size_t> short_of_quorum, quorum;
  };
  const std::vector<Case> cases = {
      {{1, 1, 1}, {0, 1}, {0, 1, 2}},                    // 2 of 3 no, 3 of 3 yes
      {{1, 1, 1, 1, 1, 1}, {0, 1, 2, 3}, {0, 1, 2, 3, 4}},  // 4 of 6 no, 5 of 6 yes
      {{66, 1, 33}, {0}, {0, 1}},                       // 66 of 100 no, 67 yes
  };
  for (Suite s : kBoth) {
    for (const auto& k : cases) {
      INFO(suite_name(s) << " total of " << k.powers.size() << " validators");
      const auto c = committee(s, k.powers);
      Block anchor = make_block(s, 1, kT0, Hash32{}, c, c);
      LightClient lc = client(s, anchor, c, c);
      Block b2 = make_block(s, 2, kT0 + kSec, anchor.hash, c, c);
      expect_reject(lc, light_block(b2, sign(c, b2, k.short_of_quorum), c), kNow, Code::InsufficientQuorum);
      expect_accept(lc, light_block(b2, sign(c, b2, k.quorum), c), kNow);
    }
    // Trust level: the new set (trusted members + a heavy newcomer) always has its own quorum; only the share of
    // the trusted set that signed decides. Totals 3: 1 no, 2 yes; 6: 2 no, 3 yes; 100: 33 no, 34 yes.
    const std::vector<std::pair<std::vector<std::uint64_t>, std::size_t>> trust_cases = {
        {{1, 1, 1}, 1}, {{1, 1, 1, 1, 1, 1}, 2}, {{33, 1, 66}, 1}};
    for (const auto& [powers, no] : trust_cases) {
      INFO(suite_name(s) << " trust level over " << powers.size() << " validators");
      const auto t = committee(s, powers, 10);
      Block anchor = make_block(s, 1, kT0, Hash32{}, t, t);
      for (std::size_t signers : {no, no + 1}) {
        std::vector<Key> keys(t.keys.begin(), t.keys.begin() + static_cast<std::ptrdiff_t>(signers));
        keys.push_back(key(s, 500));
        std::vector<std::uint64_t> np(signers, 1);
        np.push_back(1000);
        const auto n = committee_of(s, keys, np);
        LightClient lc = client(s, anchor, t, t);
        Block far = make_block(s, 20, kT0 + 20 * kSec, Hash32{}, n, n);
        const LightBlock lb = light_block(far, sign_all(n, far), n);
        if (signers == no) {
          expect_reject(lc, lb, kNow, Code::InsufficientQuorum);
        } else {
          CHECK(expect_accept(lc, lb, kNow).verification == Verification::Skipping);
        }
      }
    }
  }
}

// ---- A15 ----------------------------------------------------------------------------------------------------

TEST_CASE("A15 skipping update signed by 33 of the trusted set is rejected, 34 may continue") {
  for (Suite s : kBoth) {
    INFO(suite_name(s));
    const auto a = key(s, 1), b = key(s, 2), cc = key(s, 3), d = key(s, 4);
    const auto trusted = committee_of(s, {a, b, cc}, {33, 1, 66});   // total 100
    const auto fresh = committee_of(s, {a, b, d}, {33, 1, 66});      // C left, D joined: total 100
    Block anchor = make_block(s, 100, kT0, Hash32{}, trusted, trusted);
    LightClient lc = client(s, anchor, trusted, trusted);
    Block far = make_block(s, 150, kT0 + 50 * kSec, Hash32{}, fresh, fresh);
    // A (33 of the trusted power) and D: 99 of the new set, but only 33 of the trusted set.
    expect_reject(lc, light_block(far, sign(fresh, far, {0, 2}), fresh), kNow, Code::InsufficientQuorum);
    auto r = lc.update(light_block(far, sign(fresh, far, {0, 2}), fresh), kNow);
    CHECK(r.error().detail.find("trusted validators with 33 of 100") != std::string::npos);
    // A, B and D: 34 of the trusted set.
    auto ok = expect_accept(lc, light_block(far, sign(fresh, far, {0, 1, 2}), fresh), kNow);
    CHECK(ok.verification == Verification::Skipping);
    CHECK(ok.trusted_signed_power == 34);
    CHECK(ok.trusted_total_power == 100);
    CHECK(lc.trusted_validators() == fresh.set);
  }
}

TEST_CASE("A15 new set signatures 66 are rejected, 67 accepted (sequential and skipping)") {
  for (Suite s : kBoth) {
    INFO(suite_name(s));
    const auto a = key(s, 1), b = key(s, 2), cc = key(s, 3);
    const auto d = key(s, 4), e = key(s, 5), f = key(s, 6);
    const auto trusted = committee_of(s, {a, b, cc}, {33, 1, 66});
    // New set, total 100: A 33, B 1, D 32, E 1, F 33. A+B+D = 66, A+B+D+E = 67; A+B = 34 of the trusted set.
    const auto fresh = committee_of(s, {a, b, d, e, f}, {33, 1, 32, 1, 33});
    Block anchor = make_block(s, 1, kT0, Hash32{}, trusted, fresh);
    LightClient lc = client(s, anchor, trusted, fresh);
    SECTION("sequential") {
      Block b2 = make_block(s, 2, kT0 + kSec, anchor.hash, fresh, fresh);
      expect_reject(lc, light_block(b2, sign(fresh, b2, {0, 1, 2}), fresh), kNow, Code::InsufficientQuorum);
      auto r = expect_accept(lc, light_block(b2, sign(fresh, b2, {0, 1, 2, 3}), fresh), kNow);
      CHECK(r.signed_power == 67);
      CHECK(r.total_power == 100);
    }
    SECTION("skipping") {
      // Skipping counts the trusted header's NEXT set: anchor the client on a header that keeps `trusted`.
      Block anchor2 = make_block(s, 1, kT0, Hash32{}, trusted, trusted);
      lc = client(s, anchor2, trusted, trusted);
      Block b9 = make_block(s, 9, kT0 + 8 * kSec, Hash32{}, fresh, fresh);
      expect_reject(lc, light_block(b9, sign(fresh, b9, {0, 1, 2}), fresh), kNow, Code::InsufficientQuorum);
      auto r = expect_accept(lc, light_block(b9, sign(fresh, b9, {0, 1, 2, 3}), fresh), kNow);
      CHECK(r.signed_power == 67);
      CHECK(r.trusted_signed_power == 34);
    }
  }
}

TEST_CASE("A15 a header after the trusting period is rejected: the client is expired") {
  const Suite s = Suite::Sm2Sm3;
  const auto c = committee(s, {25, 25, 25, 25});
  Block anchor = make_block(s, 1, kT0, Hash32{}, c, c);
  LightClient lc = client(s, anchor, c, c, /*trusting_period_s=*/3600);
  Block b2 = make_block(s, 2, kT0 + 3600 * kSec + kSec, anchor.hash, c, c);
  expect_reject(lc, light_block(b2, sign_all(c, b2), c), kT0 + 3600 * kSec + 2 * kSec, Code::ClientExpired);
  CHECK(lc.status(kT0 + 3600 * kSec + 2 * kSec) == ClientStatus::Expired);
}

TEST_CASE("A15 one validator listed twice (two encodings) counts once") {
  const Suite s = Suite::Secp256k1Sha256;
  const auto a = key(s, 1), b = key(s, 2), cc = key(s, 3);
  // In a set: the same key twice is refused, and so is its second (uncompressed) encoding.
  CHECK(ValidatorSet::create(s, {{a.pub, 33}, {a.pub, 33}, {b.pub, 34}}).error().code == Code::InvalidArgument);
  const auto pk = causeway::secp256k1::parse_public_key(a.pub).value();
  const auto unc = causeway::secp256k1::serialize_uncompressed(pk);
  CHECK(ValidatorSet::create(s, {{a.pub, 33}, {Bytes(unc.begin(), unc.end()), 33}, {b.pub, 34}}).error().code ==
        Code::PubkeyInvalid);
  // In a commit: A's vote filed twice (and a third time) adds A's power once: 66 stays 66 and is rejected.
  const auto set = committee_of(s, {a, b, cc}, {33, 33, 34});
  Block anchor = make_block(s, 1, kT0, Hash32{}, set, set);
  LightClient lc = client(s, anchor, set, set);
  Block b2 = make_block(s, 2, kT0 + kSec, anchor.hash, set, set);
  Commit votes = sign(set, b2, {0, 1});
  votes.push_back(votes[0]);
  votes.push_back(votes[0]);
  expect_reject(lc, light_block(b2, votes, set), kNow, Code::InsufficientQuorum);
  votes.push_back(sign(set, b2, {2})[0]);
  CHECK(expect_accept(lc, light_block(b2, votes, set), kNow).signed_power == 100);
}

TEST_CASE("A15 zero total power is rejected") {
  const Suite s = Suite::Secp256k1Sha256;
  const auto a = key(s, 1), b = key(s, 2);
  auto zero = ValidatorSet::create(s, {{a.pub, 0}, {b.pub, 0}});
  REQUIRE_FALSE(zero);
  CHECK(zero.error().code == Code::InvalidArgument);
  CHECK(zero.error().detail == "zero total voting power");
  CHECK(ValidatorSet::create(s, {}).error().detail == "zero total voting power");
  // A set that bypassed create() (default-constructed, total 0) is refused by the client, state unchanged.
  const auto c = committee(s, {1, 1, 1});
  Block anchor = make_block(s, 1, kT0, Hash32{}, c, c);
  LightClient lc = client(s, anchor, c, c);
  Block b2 = make_block(s, 2, kT0 + kSec, anchor.hash, c, c);
  LightBlock lb = light_block(b2, sign_all(c, b2), c);
  lb.validators = ValidatorSet{};
  expect_reject(lc, lb, kNow, Code::InvalidArgument);
  CHECK(quorum_reached(QuorumRule::PowerMoreThanTwoThirds, 0, 0) == false);
}

// ---- A14 ----------------------------------------------------------------------------------------------------

TEST_CASE("A14 conflicting header signed by 40% of the trusted power vs a witness: detected, client frozen") {
  for (Suite s : kBoth) {
    INFO(suite_name(s));
    // Trusted set: 10 validators x 10. Validators 0..3 (40%) turn malicious and forge a set of their own.
    const auto honest = committee(s, {10, 10, 10, 10, 10, 10, 10, 10, 10, 10}, 1);
    std::vector<Key> forged_keys(honest.keys.begin(), honest.keys.begin() + 4);
    forged_keys.push_back(key(s, 900));
    const auto forged = committee_of(s, forged_keys, {10, 10, 10, 10, 1});
    Block anchor = make_block(s, 100, kT0, Hash32{}, honest, honest);
    LightClient lc = client(s, anchor, honest, honest);
    // The attacker's header at 110: 40 of the trusted 100 signed (> 1/3) and all of its own set.
    Block fake = make_block(s, 110, kT0 + 10 * kSec, Hash32{}, forged, forged, {text("mint 1000000")});
    auto r1 = expect_accept(lc, light_block(fake, sign_all(forged, fake), forged), kNow);
    CHECK(r1.trusted_signed_power == 40);
    // The witness (the island's other endpoint) reports the real header at 110.
    Block real = make_block(s, 110, kT0 + 10 * kSec, Hash32{}, honest, honest);
    auto r2 = lc.update(light_block(real, sign(honest, real, {0, 1, 2, 3, 4, 5, 6, 7}), honest), kNow);
    REQUIRE(r2.has_value());
    CHECK(r2->kind == UpdateKind::Misbehaviour);
    REQUIRE(r2->evidence.has_value());
    CHECK(r2->evidence->height == 110);
    CHECK(r2->evidence->held.header == fake.encoded);
    CHECK(r2->evidence->conflicting.header == real.encoded);
    CHECK(lc.frozen());
    CHECK(lc.status(kNow) == ClientStatus::Frozen);
    Block later = make_block(s, 111, kT0 + 11 * kSec, real.hash, honest, honest);
    expect_reject(lc, light_block(later, sign_all(honest, later), honest), kNow, Code::ClientFrozen);
    InclusionClaim claim{110, Tree::Tx, 0, 1, text("mint 1000000"), {}};
    CHECK(lc.verify_inclusion(claim, kNow).error().code == Code::ClientFrozen);
  }
}

TEST_CASE("A14 the attacker's 40% header arriving after the honest one is detected too; 40% of the SAME set is not a valid header") {
  const Suite s = Suite::Secp256k1Sha256;
  const auto honest = committee(s, {10, 10, 10, 10, 10, 10, 10, 10, 10, 10}, 1);
  std::vector<Key> forged_keys(honest.keys.begin(), honest.keys.begin() + 4);
  const auto forged = committee_of(s, forged_keys, {10, 10, 10, 10});
  Block anchor = make_block(s, 100, kT0, Hash32{}, honest, honest);
  LightClient lc = client(s, anchor, honest, honest);
  Block real = make_block(s, 101, kT0 + kSec, anchor.hash, honest, honest);
  expect_accept(lc, light_block(real, sign_all(honest, real), honest), kNow);
  // 40% of the honest set on a conflicting header with the honest set: not a quorum, not evidence.
  Block weak = make_block(s, 101, kT0 + kSec, anchor.hash, honest, honest, {text("x")});
  expect_reject(lc, light_block(weak, sign(honest, weak, {0, 1, 2, 3}), honest), kNow, Code::InsufficientQuorum);
  CHECK_FALSE(lc.frozen());
  // The lunatic header (own set, 40% of the trusted power) at 101: at height + 1 the sequential rule applies,
  // and the forged header does not link to the trusted one.
  Block fake = make_block(s, 101, kT0 + kSec, Hash32{}, forged, forged, {text("x")});
  expect_reject(lc, light_block(fake, sign_all(forged, fake), forged), kNow, Code::PrevHashMismatch);
  // The honest chain skips to 105; the lunatic header at 105 verifies by skipping from 101 → evidence.
  Block real105 = make_block(s, 105, kT0 + 5 * kSec, Hash32{}, honest, honest);
  expect_accept(lc, light_block(real105, sign_all(honest, real105), honest), kNow);
  Block fake105 = make_block(s, 105, kT0 + 5 * kSec, Hash32{}, forged, forged, {text("x")});
  auto r2 = lc.update(light_block(fake105, sign_all(forged, fake105), forged), kNow);
  REQUIRE(r2.has_value());
  CHECK(r2->kind == UpdateKind::Misbehaviour);
  CHECK(r2->verification == Verification::Skipping);
  CHECK(r2->trusted_signed_power == 40);
  CHECK(r2->evidence->held.header == real105.encoded);
  CHECK(r2->evidence->conflicting.header == fake105.encoded);
  CHECK(lc.frozen());
}

TEST_CASE("A14 two fully valid conflicting headers freeze the client; both are returned as evidence") {
  for (Suite s : kBoth) {
    INFO(suite_name(s));
    const auto c = committee(s, {10, 20, 30, 40});
    Block anchor = make_block(s, 7, kT0, Hash32{}, c, c);
    LightClient lc = client(s, anchor, c, c);
    Block h8 = make_block(s, 8, kT0 + kSec, anchor.hash, c, c, {text("tx-a")});
    Block h8b = make_block(s, 8, kT0 + kSec, anchor.hash, c, c, {text("tx-b")});
    REQUIRE(h8.hash != h8b.hash);
    Commit c8 = sign_all(c, h8);
    expect_accept(lc, light_block(h8, c8, c), kNow);
    const ConsensusState held = lc.latest();
    Commit c8b = sign_all(c, h8b);
    auto r = lc.update(light_block(h8b, c8b, c), kNow);
    REQUIRE(r.has_value());
    CHECK(r->kind == UpdateKind::Misbehaviour);
    REQUIRE(r->evidence.has_value());
    CHECK(r->evidence->held == SignedHeader{h8.encoded, c8});
    CHECK(r->evidence->conflicting == SignedHeader{h8b.encoded, c8b});
    CHECK(lc.evidence()->conflicting.header == h8b.encoded);
    CHECK(lc.latest() == held);  // the trusted header is not replaced
    CHECK(lc.frozen());
    for (std::uint64_t now : {kNow, kT0 + kSec}) {
      Block h9 = make_block(s, 9, kT0 + 2 * kSec, h8.hash, c, c);
      expect_reject(lc, light_block(h9, sign_all(c, h9), c), now, Code::ClientFrozen);
      expect_reject(lc, light_block(h8b, c8b, c), now, Code::ClientFrozen);
    }
  }
}

TEST_CASE("A14 a conflict at the anchor height is judged against the anchor's own set") {
  const Suite s = Suite::Secp256k1Sha256;
  const auto c = committee(s, {1, 1, 1, 1});
  Block anchor = make_block(s, 7, kT0, Hash32{}, c, c);
  LightClient lc = client(s, anchor, c, c);
  Block twin = make_block(s, 7, kT0, Hash32{}, c, c, {text("other")});
  expect_reject(lc, light_block(twin, sign(c, twin, {0}), c), kNow, Code::InsufficientQuorum);
  auto r = lc.update(light_block(twin, sign_all(c, twin), c), kNow);
  REQUIRE(r.has_value());
  CHECK(r->kind == UpdateKind::Misbehaviour);
  CHECK(r->evidence->held.commit.empty());  // the anchor was trusted as given
}

// ---- A21 ----------------------------------------------------------------------------------------------------

TEST_CASE("A21 trusted time T, period P: now = T+P-1 accepted, now = T+P expired (seconds and the exact ms boundary)") {
  const Suite s = Suite::Secp256k1Sha256;
  const auto c = committee(s, {1, 1, 1, 1});
  const std::uint64_t P = 7 * 24 * 3600;
  Block anchor = make_block(s, 1, kT0, Hash32{}, c, c);
  const LightClient base = client(s, anchor, c, c, P);
  Block b2 = make_block(s, 2, kT0 + kSec, anchor.hash, c, c);
  const LightBlock lb = light_block(b2, sign_all(c, b2), c);
  {
    LightClient lc = base;
    expect_accept(lc, lb, kT0 + (P - 1) * kSec);  // now = T + P − 1 s
  }
  {
    LightClient lc = base;
    expect_accept(lc, lb, kT0 + P * kSec - 1);  // the last millisecond
  }
  {
    LightClient lc = base;
    expect_reject(lc, lb, kT0 + P * kSec, Code::ClientExpired);  // now = T + P: expired
    expect_reject(lc, lb, kT0 + P * kSec + 1, Code::ClientExpired);
  }
  CHECK(base.status(kT0 + P * kSec - 1) == ClientStatus::Active);
  CHECK(base.status(kT0 + P * kSec) == ClientStatus::Expired);
  // Inclusion over an expired client is refused up front.
  InclusionClaim claim{1, Tree::Event, 0, 0, {}, {}};
  CHECK(base.verify_inclusion(claim, kT0 + P * kSec).error().code == Code::ClientExpired);
  // The period counts from the latest trusted header: after b2, T moves by 1 s.
  LightClient lc = base;
  expect_accept(lc, lb, kT0 + kSec);
  CHECK(lc.status(kT0 + P * kSec) == ClientStatus::Active);
  CHECK(lc.status(kT0 + kSec + P * kSec) == ClientStatus::Expired);
  // A period so long that T + P overflows uint64 milliseconds never wraps around to "expired".
  LightClient forever = client(s, anchor, c, c, UINT64_MAX);
  CHECK(forever.status(UINT64_MAX) == ClientStatus::Active);
}

TEST_CASE("A21 drift (milliseconds): a header dated now+10 s is accepted, now+10 s+1 ms is rejected") {
  for (Suite s : kBoth) {
    const auto c = committee(s, {1, 1, 1, 1});
    Block anchor = make_block(s, 1, kT0, Hash32{}, c, c);
    const LightClient base = client(s, anchor, c, c);
    const std::uint64_t now = kT0 + 60 * kSec;
    Block at_limit = make_block(s, 2, now + 10 * kSec, anchor.hash, c, c);
    Block past_limit = make_block(s, 2, now + 10 * kSec + 1, anchor.hash, c, c);
    LightClient lc = base;
    expect_reject(lc, light_block(past_limit, sign_all(c, past_limit), c), now, Code::TimeTooNew);
    expect_accept(lc, light_block(at_limit, sign_all(c, at_limit), c), now);
    CHECK(kDefaultMaxClockDriftMs == 10'000);
  }
}

TEST_CASE("A21 host clock skew inside the drift changes no verdict") {
  const Suite s = Suite::Secp256k1Sha256;
  const auto c = committee(s, {10, 10, 10, 10});
  Block anchor = make_block(s, 1, kT0, Hash32{}, c, c);
  const LightClient base = client(s, anchor, c, c, 24 * 3600);
  // A run of blocks, each submitted 500 ms after its own time by the true clock, some of them bad.
  struct Step {
    LightBlock block;
    std::uint64_t true_now;
  };
  std::vector<Step> steps;
  Hash32 parent = anchor.hash;
  for (std::uint64_t h = 2; h <= 8; ++h) {
    const std::uint64_t t = kT0 + h * 2 * kSec;
    Block b = make_block(s, h, t, parent, c, c);
    if (h == 4) {  // only 2 of 4 signed: rejected, then the good one
      steps.push_back({light_block(b, sign(c, b, {0, 1}), c), t + 500});
    }
    if (h == 6) {  // a header from 30 s in the future: rejected
      Block future = make_block(s, h, t + 30 * kSec, parent, c, c);
      steps.push_back({light_block(future, sign_all(c, future), c), t + 500});
    }
    steps.push_back({light_block(b, sign_all(c, b), c), t + 500});
    parent = b.hash;
  }
  auto run = [&](std::int64_t skew_ms) {
    LightClient lc = base;
    std::vector<std::string> verdicts;
    for (const auto& st : steps) {
      auto r = lc.update(st.block, static_cast<std::uint64_t>(static_cast<std::int64_t>(st.true_now) + skew_ms));
      verdicts.push_back(r ? "ok" : std::string(code_name(r.error().code)));
    }
    verdicts.push_back(std::to_string(lc.latest().height));
    return verdicts;
  };
  const auto reference = run(0);
  CHECK(reference == std::vector<std::string>{"ok", "ok", "ERR_INSUFFICIENT_QUORUM", "ok", "ok", "ERR_TIME_TOO_NEW",
                                              "ok", "ok", "ok", "8"});
  // A host clock up to 9.5 s behind (the 500 ms delivery delay plus skew stays inside the 10 s drift) or ahead.
  for (std::int64_t skew : {-9500, -5000, -1, 1, 5000, 9500, 10'000}) {
    INFO("skew " << skew);
    CHECK(run(skew) == reference);
  }
}

// ---- inclusion --------------------------------------------------------------------------------------------

TEST_CASE("inclusion: tx and event leaves of a verified header, tree_size bound to the header's counts") {
  for (Suite s : kBoth) {
    INFO(suite_name(s));
    const auto c = committee(s, {1, 1, 1, 1});
    Block anchor = make_block(s, 1, kT0, Hash32{}, c, c);
    LightClient lc = client(s, anchor, c, c);
    Hash32 commitment, ack;
    commitment.b.fill(0x5a);
    ack.b.fill(0xa5);
    std::vector<Bytes> events{packet_sent_leaf(text("packet-bytes")), ack_written_leaf(text("ack-bytes")),
                              packet_received_leaf(commitment, ack)};
    std::vector<Bytes> txs;
    for (int i = 0; i < 5; ++i) txs.push_back(text("tx-" + std::to_string(i)));
    Block b2 = make_block(s, 2, kT0 + kSec, anchor.hash, c, c, txs, events);
    expect_accept(lc, light_block(b2, sign_all(c, b2), c), kNow);
    auto proof_for = [&](const std::vector<Bytes>& ls, std::size_t i) {
      std::vector<Hash32> lh;
      for (const auto& l : ls) lh.push_back(rfc6962::leaf_hash(s, l));
      std::vector<Bytes> out;
      const std::vector<Hash32> proof = rfc6962::inclusion_proof(s, lh, i).value();
      for (const auto& p : proof) out.emplace_back(p.b.begin(), p.b.end());
      return out;
    };
    for (std::size_t i = 0; i < events.size(); ++i) {
      InclusionClaim claim{2, Tree::Event, i, 3, events[i], proof_for(events, i)};
      CHECK(lc.verify_inclusion(claim, kNow).has_value());
    }
    for (std::size_t i = 0; i < txs.size(); ++i) {
      InclusionClaim claim{2, Tree::Tx, i, 5, txs[i], proof_for(txs, i)};
      CHECK(lc.verify_inclusion(claim, kNow).has_value());
    }
    InclusionClaim good{2, Tree::Event, 0, 3, events[0], proof_for(events, 0)};
    auto bad = good;
    bad.tree_size = 4;
    CHECK(lc.verify_inclusion(bad, kNow).error().code == Code::MerkleIndex);
    bad = good;
    bad.tree = Tree::Tx;
    CHECK(lc.verify_inclusion(bad, kNow).error().code == Code::MerkleIndex);
    bad = good;
    bad.leaf = packet_sent_leaf(text("packet-bytez"));
    CHECK(lc.verify_inclusion(bad, kNow).error().code == Code::InclusionProof);
    bad = good;
    bad.index = 3;
    CHECK(lc.verify_inclusion(bad, kNow).error().code == Code::MerkleIndex);
    bad = good;
    bad.audit_path[0].pop_back();
    CHECK(lc.verify_inclusion(bad, kNow).error().code == Code::InclusionProof);
    bad = good;
    bad.audit_path.assign(65, Bytes(32, 1));
    CHECK(lc.verify_inclusion(bad, kNow).error().code == Code::InclusionProof);
    bad = good;
    bad.height = 3;
    CHECK(lc.verify_inclusion(bad, kNow).error().code == Code::UnknownHeader);
    // The anchor's empty trees: no leaf can be proven.
    InclusionClaim empty{1, Tree::Event, 0, 0, events[0], {}};
    CHECK(lc.verify_inclusion(empty, kNow).error().code == Code::MerkleIndex);
  }
}

TEST_CASE("client: retained headers are bounded; the oldest is forgotten") {
  const Suite s = Suite::Secp256k1Sha256;
  const auto c = committee(s, {1, 1, 1, 1});
  Block anchor = make_block(s, 1, kT0, Hash32{}, c, c);
  LightClient lc = client(s, anchor, c, c, 14 * 24 * 3600, 3);
  Hash32 parent = anchor.hash;
  for (std::uint64_t h = 2; h <= 6; ++h) {
    Block b = make_block(s, h, kT0 + h * kSec, parent, c, c);
    expect_accept(lc, light_block(b, sign_all(c, b), c), kNow);
    parent = b.hash;
  }
  CHECK(lc.retained_count() == 3);
  CHECK_FALSE(lc.consensus_state(3).has_value());
  CHECK(lc.consensus_state(4).has_value());
  CHECK(lc.latest().height == 6);
}

// ---- end to end -----------------------------------------------------------------------------------------

TEST_CASE("both suites end to end: 1,000 sequential headers signed by 4 validators, a set rotation, then a skip") {
  for (Suite s : kBoth) {
    INFO(suite_name(s));
    const auto v1 = committee(s, {10, 10, 10, 10}, 1);
    // Rotation at 500: validator 3 leaves, validator 5 joins, powers change.
    std::vector<Key> k2(v1.keys.begin(), v1.keys.begin() + 3);
    k2.push_back(key(s, 5));
    const auto v2 = committee_of(s, k2, {20, 10, 15, 5});
    Block anchor = make_block(s, 0, kT0, Hash32{}, v1, v1);
    LightClient lc = client(s, anchor, v1, v1);
    Hash32 parent = anchor.hash;
    std::uint64_t accepted = 0;
    for (std::uint64_t h = 1; h <= 1000; ++h) {
      const Committee& vals = h <= 500 ? v1 : v2;
      const Committee& next = h < 500 ? v1 : v2;
      Block b = make_block(s, h, kT0 + h * kSec, parent, vals, next, {text("tx " + std::to_string(h))});
      auto r = lc.update(light_block(b, sign_all(vals, b), vals, &next), kT0 + h * kSec + 200);
      if (!r) FAIL(std::string(code_name(r.error().code)) + " at height " + std::to_string(h) + ": " + r.error().detail);
      CHECK(r->kind == UpdateKind::Accepted);
      CHECK(r->verification == Verification::Sequential);
      accepted += r->kind == UpdateKind::Accepted ? 1U : 0U;
      parent = b.hash;
    }
    CHECK(accepted == 1000);
    CHECK(lc.latest().height == 1000);
    CHECK(lc.trusted_validators() == v2.set);
    // The old set alone cannot continue after the rotation; a skip of 100 heights by the new set can.
    Block old_signed = make_block(s, 1001, kT0 + 1001 * kSec, parent, v1, v1);
    expect_reject(lc, light_block(old_signed, sign_all(v1, old_signed), v1), kT0 + 1001 * kSec,
                  Code::ValidatorSetMismatch);
    Block skip = make_block(s, 1100, kT0 + 1100 * kSec, Hash32{}, v2, v2);
    auto r = expect_accept(lc, light_block(skip, sign(v2, skip, {0, 1, 2}), v2), kT0 + 1100 * kSec);
    CHECK(r.verification == Verification::Skipping);
    CHECK(r.signed_power == 45);
    CHECK(r.trusted_signed_power == 45);
  }
}

// ---- two-stage update (check_block on any thread, then update in order) -----------------------------------

TEST_CASE("two-stage update: check_block + update(checked) accepts exactly what update accepts, with the same result") {
  for (Suite s : kBoth) {
    INFO(suite_name(s));
    const auto c = committee(s, {1, 1, 1, 1});
    Block anchor = make_block(s, 10, kT0, Hash32{}, c, c);
    LightClient plain = client(s, anchor, c, c);
    LightClient staged = client(s, anchor, c, c);
    Hash32 parent = anchor.hash;
    for (std::uint64_t h = 11; h <= 20; ++h) {
      Block b = make_block(s, h, kT0 + (h - 10) * kSec, parent, c, c);
      parent = b.hash;
      const LightBlock lb = light_block(b, sign(c, b, {0, 1, 2}), c);
      auto checked = check_block(*codec(s), lb);
      REQUIRE(checked.has_value());
      CHECK(checked->tally().signed_power == 3);
      CHECK(checked->info().hash == b.hash);
      auto a = plain.update(lb, kNow);
      auto z = staged.update(lb, *checked, kNow);
      REQUIRE(a.has_value());
      REQUIRE(z.has_value());
      CHECK(a->kind == UpdateKind::Accepted);
      CHECK(z->kind == a->kind);
      CHECK(z->header == a->header);
      CHECK(z->signed_power == a->signed_power);
      CHECK(z->verification == a->verification);
    }
    CHECK(snapshot(plain) == snapshot(staged));
  }
}

TEST_CASE("two-stage update: a checked block is bound to its header, commit and set; stage-one errors are the commit's") {
  const Suite s = Suite::Secp256k1Sha256;
  const auto c = committee(s, {1, 1, 1, 1});
  const auto stranger = committee(s, {1, 1, 1, 1}, 60);
  Block anchor = make_block(s, 10, kT0, Hash32{}, c, c);
  LightClient lc = client(s, anchor, c, c);
  Block b11 = make_block(s, 11, kT0 + kSec, anchor.hash, c, c);
  Block b11x = make_block(s, 11, kT0 + 2 * kSec, anchor.hash, c, c);
  const LightBlock lb = light_block(b11, sign_all(c, b11), c);
  const LightBlock other = light_block(b11x, sign_all(c, b11x), c);
  auto checked_other = check_block(*codec(s), other);
  REQUIRE(checked_other.has_value());
  const Snapshot before = snapshot(lc);
  // Another header's check.
  CHECK(lc.update(lb, *checked_other, kNow).error().code == Code::InvalidArgument);
  // Same header, fewer signatures in the block than were checked.
  LightBlock fewer = other;
  fewer.signed_header.commit.pop_back();
  CHECK(lc.update(fewer, *checked_other, kNow).error().code == Code::InvalidArgument);
  // The stranger set's signatures, checked against the stranger set, then the real set swapped in.
  LightBlock forged = light_block(b11, sign_all(stranger, b11), stranger);
  auto checked_forged = check_block(*codec(s), forged);
  REQUIRE(checked_forged.has_value());
  forged.validators = c.set;
  CHECK(lc.update(forged, *checked_forged, kNow).error().code == Code::InvalidArgument);
  CHECK(snapshot(lc) == before);
  // Stage one reports a bad signature, a malformed header and an unusable set itself.
  LightBlock bad_sig = lb;
  bad_sig.signed_header.commit[1].signature[40] ^= 0x01;
  CHECK(check_block(*codec(s), bad_sig).error().code == Code::SigInvalid);
  LightBlock garbage = lb;
  garbage.signed_header.header.push_back(0);
  CHECK(check_block(*codec(s), garbage).error().code == Code::HeaderEncoding);
  LightBlock no_set = lb;
  no_set.validators = ValidatorSet{};
  CHECK(check_block(*codec(s), no_set).error().code == Code::InvalidArgument);
  CHECK(check_block(*codec(Suite::Sm2Sm3), lb).error().code == Code::InvalidArgument);  // set of another suite
  // The matching check is accepted.
  auto checked = check_block(*codec(s), lb);
  REQUIRE(checked.has_value());
  CHECK(lc.update(lb, *checked, kNow)->kind == UpdateKind::Accepted);
}
