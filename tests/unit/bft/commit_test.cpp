// Commits and quorum arithmetic: exact boundaries at total powers 3, 6 and 100; every signature checked; a
// validator counted once (A17); each suite's signature rule (secp256k1 low-S, SM2 n − s).
#include <catch2/catch.hpp>

#include <numeric>

#include "causeway/bft/commit.hpp"
#include "causeway/bft/devnet_codec.hpp"
#include "chain.hpp"

using namespace causeway;
using namespace causeway::bft;
using namespace bfttest;

namespace {

const Suite kBoth[] = {Suite::Secp256k1Sha256, Suite::Sm2Sm3};

// Members 0..k-1 of a committee.
std::vector<std::size_t> first(std::size_t k) {
  std::vector<std::size_t> v(k);
  std::iota(v.begin(), v.end(), std::size_t{0});
  return v;
}

struct Fixture {
  Committee c;
  Block b;
  Bytes msg;
  Fixture(Suite s, const std::vector<std::uint64_t>& powers) : c(committee(s, powers)) {
    b = make_block(s, 5, kT0, Hash32{}, c, c);
    msg = devnet::sign_bytes(b.header.chain_id, b.header.height, b.hash);
  }
  Result<Tally> tally(const Commit& commit) const { return verify_commit(c.set, msg, commit); }
  bool quorum(const Commit& commit) const {
    auto t = tally(commit);
    return t && quorum_reached(QuorumRule::PowerMoreThanTwoThirds, t->signed_power, t->total_power);
  }
};

}  // namespace

TEST_CASE("quorum arithmetic: more than 2/3 is 3*signed > 2*total, exact at the boundaries and at uint64 max") {
  CHECK_FALSE(more_than_two_thirds(2, 3));
  CHECK(more_than_two_thirds(3, 3));
  CHECK_FALSE(more_than_two_thirds(4, 6));
  CHECK(more_than_two_thirds(5, 6));
  CHECK_FALSE(more_than_two_thirds(66, 100));
  CHECK(more_than_two_thirds(67, 100));
  // 2^64 - 1 = 3·6148914691236517205: 2/3 of it is 12297829382473034410 exactly, which is not "more than".
  CHECK_FALSE(more_than_two_thirds(12297829382473034410ULL, UINT64_MAX));
  CHECK(more_than_two_thirds(12297829382473034411ULL, UINT64_MAX));
  CHECK_FALSE(quorum_reached(QuorumRule::PowerMoreThanTwoThirds, 0, 0));
  // Trust level 1/3: more than a third.
  CHECK_FALSE(more_than(1, 3, {1, 3}));
  CHECK(more_than(2, 3, {1, 3}));
  CHECK_FALSE(more_than(2, 6, {1, 3}));
  CHECK(more_than(3, 6, {1, 3}));
  CHECK_FALSE(more_than(33, 100, {1, 3}));
  CHECK(more_than(34, 100, {1, 3}));
  CHECK_FALSE(more_than(UINT64_MAX / 3, UINT64_MAX, {1, 3}));
  CHECK(more_than(UINT64_MAX / 3 + 1, UINT64_MAX, {1, 3}));
  CHECK_FALSE(more_than(5, 6, {1, 0}));
}

TEST_CASE("quorum boundary, total power 3 (1+1+1): 2 signed -> no quorum, 3 signed -> quorum") {
  for (Suite s : kBoth) {
    Fixture f(s, {1, 1, 1});
    CHECK_FALSE(f.quorum(sign(f.c, f.b, first(2))));
    CHECK(f.quorum(sign(f.c, f.b, first(3))));
    // Unequal powers, same total: 2 of 3 -> no, 3 -> yes.
    Fixture g(s, {2, 1});
    CHECK_FALSE(g.quorum(sign(g.c, g.b, {0})));
    CHECK(g.quorum(sign(g.c, g.b, {0, 1})));
  }
}

TEST_CASE("quorum boundary, total power 6 (6 x 1): 4 signed -> no quorum, 5 signed -> quorum") {
  Fixture f(Suite::Secp256k1Sha256, {1, 1, 1, 1, 1, 1});
  CHECK(f.tally(sign(f.c, f.b, first(4)))->signed_power == 4);
  CHECK_FALSE(f.quorum(sign(f.c, f.b, first(4))));
  CHECK(f.quorum(sign(f.c, f.b, first(5))));
  Fixture g(Suite::Sm2Sm3, {3, 1, 2});  // 4 = {3,1} -> no; 5 = {3,2} -> yes
  CHECK_FALSE(g.quorum(sign(g.c, g.b, {0, 1})));
  CHECK(g.quorum(sign(g.c, g.b, {0, 2})));
}

TEST_CASE("quorum boundary, total power 100: 66 signed -> no quorum, 67 signed -> quorum") {
  for (Suite s : kBoth) {
    Fixture f(s, {66, 1, 33});
    auto t66 = f.tally(sign(f.c, f.b, {0}));
    CHECK(t66->signed_power == 66);
    CHECK(t66->total_power == 100);
    CHECK_FALSE(f.quorum(sign(f.c, f.b, {0})));
    CHECK(f.tally(sign(f.c, f.b, {0, 1}))->signed_power == 67);
    CHECK(f.quorum(sign(f.c, f.b, {0, 1})));
  }
}

TEST_CASE("commit: a bad signature rejects the whole commit, even beside a quorum of good ones") {
  for (Suite s : kBoth) {
    Fixture f(s, {10, 10, 10, 10});
    Commit commit = sign_all(f.c, f.b);
    REQUIRE(f.tally(commit));
    Commit bad = commit;
    bad[2].signature[10] ^= 1;
    auto r = f.tally(bad);
    REQUIRE_FALSE(r);
    CHECK((r.error().code == Code::SigInvalid || r.error().code == Code::SigEncoding));
    CHECK(r.error().at == "commit[2]");
    // A signature by one validator filed under another's index.
    Commit swapped = commit;
    swapped[3].validator = commit[0].validator;
    CHECK(f.tally(swapped).error().code == Code::SigInvalid);
    // A signature over another height's sign bytes.
    Block other = make_block(s, 6, kT0, Hash32{}, f.c, f.c);
    Commit wrong = sign(f.c, other, {0});
    commit.push_back(wrong[0]);
    CHECK(f.tally(commit).error().code == Code::SigInvalid);
  }
}

TEST_CASE("commit: index outside the set, wrong size, too many entries, empty") {
  Fixture f(Suite::Secp256k1Sha256, {1, 1, 1});
  Commit c = sign(f.c, f.b, {0});
  c[0].validator = 3;
  CHECK(f.tally(c).error().code == Code::NotValidator);
  Commit s63 = sign(f.c, f.b, {0});
  s63[0].signature.pop_back();
  CHECK(f.tally(s63).error().code == Code::BadLength);
  Commit many = sign_all(f.c, f.b);
  const Commit once = many;
  many.insert(many.end(), once.begin(), once.end());  // 6 = 2 x |set|: allowed
  CHECK(f.tally(many)->signed_power == 3);
  many.push_back(once[0]);                            // 7: refused before any signature is checked
  CHECK(f.tally(many).error().code == Code::TooLarge);
  auto empty = f.tally({});
  CHECK(empty->signed_power == 0);
  CHECK_FALSE(f.quorum({}));
}

TEST_CASE("A17 a validator is counted once however many signatures it submits") {
  for (Suite s : kBoth) {
    INFO(suite_name(s));
    Fixture f(s, {33, 33, 1, 33});  // 66 = members 0 and 1
    Commit c = sign(f.c, f.b, {0, 1});
    // The same signature of member 0 three times: still 66.
    c.push_back(c[0]);
    c.push_back(c[0]);
    auto t = f.tally(c);
    CHECK(t->signed_power == 66);
    CHECK(t->signers.size() == 2);
    CHECK_FALSE(f.quorum(c));
    if (s == Suite::Sm2Sm3) {
      // SM2 is randomized: member 0's second, different, valid signature is a second encoding of one vote.
      Commit again = sign(f.c, f.b, {0});
      REQUIRE(again[0].signature != c[0].signature);
      c.push_back(again[0]);
      CHECK(f.tally(c)->signed_power == 66);
      CHECK_FALSE(f.quorum(c));
    }
  }
}

TEST_CASE("A17 secp256k1: the high-S twin of a valid signature is refused under the devnet low-S policy") {
  Fixture f(Suite::Secp256k1Sha256, {10, 10, 10, 10});
  Commit good = sign_all(f.c, f.b);
  REQUIRE(f.quorum(good));
  CommitSig twin = good[1];
  const Bytes s(twin.signature.begin() + 32, twin.signature.end());
  const Bytes n_minus_s = negate_mod(secp256k1_order(), s);
  std::copy(n_minus_s.begin(), n_minus_s.end(), twin.signature.begin() + 32);
  REQUIRE(twin.signature != good[1].signature);
  // Alone, in place of the original: refused with ERR_SIG_HIGH_S.
  Commit high = good;
  high[1] = twin;
  auto r = f.tally(high);
  CHECK(r.error().code == Code::SigHighS);
  CHECK(r.error().at == "commit[1]");
  // Submitted as a second vote beside the original: the commit is refused, it never counts twice.
  Commit both = good;
  both.push_back(twin);
  CHECK(f.tally(both).error().code == Code::SigHighS);
}

TEST_CASE("A17 SM2: a signature whose s is replaced by n - s does not verify") {
  Fixture f(Suite::Sm2Sm3, {10, 10, 10, 10});
  Commit good = sign_all(f.c, f.b);
  REQUIRE(f.quorum(good));
  for (std::size_t i = 0; i < good.size(); ++i) {
    Commit c = good;
    const Bytes s(c[i].signature.begin() + 32, c[i].signature.end());
    const Bytes n_minus_s = negate_mod(sm2_order(), s);
    std::copy(n_minus_s.begin(), n_minus_s.end(), c[i].signature.begin() + 32);
    auto r = f.tally(c);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Code::SigInvalid);
    // And beside the original signature too.
    Commit both = good;
    both.push_back(c[i]);
    CHECK(f.tally(both).error().code == Code::SigInvalid);
  }
}

TEST_CASE("power_in: how much of another set signed, matched by key, each key once") {
  const Suite s = Suite::Secp256k1Sha256;
  const auto a = key(s, 1), b = key(s, 2), c = key(s, 3), d = key(s, 4);
  const auto trusted = committee_of(s, {a, b, c}, {33, 1, 66});
  const auto next = committee_of(s, {a, b, d}, {50, 25, 25});
  const std::vector<std::uint32_t> ab{next.index_of(0), next.index_of(1)};
  CHECK(power_in(trusted.set, next.set, ab) == 34);
  const std::vector<std::uint32_t> ad{next.index_of(0), next.index_of(2)};
  CHECK(power_in(trusted.set, next.set, ad) == 33);
  const std::vector<std::uint32_t> aa{next.index_of(0), next.index_of(0)};
  CHECK(power_in(trusted.set, next.set, aa) == 33);
  const std::vector<std::uint32_t> out_of_range{7};
  CHECK(power_in(trusted.set, next.set, out_of_range) == 0);
}
