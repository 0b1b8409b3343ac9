// Bitcoin transaction Merkle trees: roots, branches, CVE-2012-2459 mutation (A11), zero roots (A01).
#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <vector>

#include "causeway/core/hash.hpp"
#include "causeway/merkle/bitcoin_merkle.hpp"

using namespace causeway;
using namespace causeway::merkle;

namespace {

Hash32 txid(std::uint32_t i) {
  std::uint8_t buf[4];
  write_le32(buf, i);
  return sha256d(ByteView(buf, 4));
}

std::vector<Hash32> txids(std::uint32_t n) {
  std::vector<Hash32> out;
  for (std::uint32_t i = 0; i < n; ++i) out.push_back(txid(i));
  return out;
}

Code code_of(const Status& s) { return s.error().code; }

}  // namespace

TEST_CASE("bitcoin merkle root: none is zero, one is the txid itself, odd levels duplicate their last node") {
  CHECK(bitcoin_merkle_root({}).root.is_zero());
  CHECK_FALSE(bitcoin_merkle_root({}).mutated);
  const auto t = txids(3);
  CHECK(bitcoin_merkle_root(std::span(t).first(1)).root == t[0]);
  const Hash32 expect = sha256d_pair(sha256d_pair(t[0], t[1]), sha256d_pair(t[2], t[2]));
  const auto r = bitcoin_merkle_root(t);
  CHECK(r.root == expect);
  CHECK_FALSE(r.mutated);
}

TEST_CASE("A11 duplicate-leaf merkle mutation is rejected") {
  const Hash32 a = txid(100), b = txid(101), c = txid(102);
  const std::vector<Hash32> honest{a, b, c};
  const std::vector<Hash32> mutated{a, b, c, c};

  // Same root; only the mutated list is flagged.
  const auto honest_root = bitcoin_merkle_root(honest);
  const auto mutated_root = bitcoin_merkle_root(mutated);
  REQUIRE(honest_root.root == mutated_root.root);
  CHECK_FALSE(honest_root.mutated);
  CHECK(mutated_root.mutated);

  // The same at a deeper level: [A..F] vs [A..F,E,F] (level 1 duplicates H(E,F)).
  const auto six = txids(6);
  std::vector<Hash32> six_mut = six;
  six_mut.push_back(six[4]);
  six_mut.push_back(six[5]);
  CHECK(bitcoin_merkle_root(six).root == bitcoin_merkle_root(six_mut).root);
  CHECK_FALSE(bitcoin_merkle_root(six).mutated);
  CHECK(bitcoin_merkle_root(six_mut).mutated);

  // The mutated block is submitted first: an SPV branch for index 3 of the 3-tx block, whose first
  // sibling equals the node itself.
  const auto branch3 = bitcoin_branch(mutated, 3);
  REQUIRE(branch3.size() == 2);
  REQUIRE(branch3[0] == c);
  CHECK(bitcoin_branch_root(c, 3, branch3).error().code == Code::MerkleMutated);
  CHECK(code_of(verify_bitcoin_branch(c, 3, branch3, honest_root.root)) == Code::MerkleMutated);
  CHECK(code_of(verify_bitcoin_branch(c, 3, branch3, honest_root.root, 3)) == Code::MerkleIndex);
  // Deeper duplicate: E at index 6 of [A..F,E,F].
  const auto branch6 = bitcoin_branch(six_mut, 6);
  CHECK(code_of(verify_bitcoin_branch(six[4], 6, branch6, bitcoin_merkle_root(six).root)) == Code::MerkleMutated);
  CHECK(code_of(verify_bitcoin_branch(six[4], 6, branch6, bitcoin_merkle_root(six).root, 6)) == Code::MerkleIndex);

  // Then the honest block: every transaction still verifies (no negative cache, nothing remembered).
  for (std::uint64_t i = 0; i < honest.size(); ++i) {
    const auto br = bitcoin_branch(honest, i);
    CHECK(verify_bitcoin_branch(honest[i], i, br, honest_root.root, 3).has_value());
    CHECK(verify_bitcoin_branch(honest[i], i, br, honest_root.root).has_value());
  }
}

TEST_CASE("A01 an all-zero merkle root is never trusted, with an empty branch or 32 zero siblings") {
  const Hash32 zero{};
  const std::vector<Hash32> zeros(32, zero);
  CHECK(code_of(verify_bitcoin_branch(zero, 0, {}, zero)) == Code::ZeroRoot);
  CHECK(code_of(verify_bitcoin_branch(zero, 0, {}, zero, 1)) == Code::ZeroRoot);
  CHECK(code_of(verify_bitcoin_branch(zero, 0, zeros, zero)) == Code::ZeroRoot);
  CHECK(code_of(verify_bitcoin_branch(txid(1), 0, zeros, zero)) == Code::ZeroRoot);
  // Against a real (non-zero) root a branch of zero siblings is still rejected.
  const Hash32 real = bitcoin_merkle_root(txids(4)).root;
  CHECK_FALSE(verify_bitcoin_branch(zero, 0, zeros, real).has_value());
  CHECK_FALSE(verify_bitcoin_branch(txid(0), 0, zeros, real).has_value());
}

TEST_CASE("branch length must equal the depth of a tree of tx_count transactions") {
  const auto t = txids(5);  // depth 3
  const Hash32 root = bitcoin_merkle_root(t).root;
  const auto br = bitcoin_branch(t, 1);
  REQUIRE(br.size() == 3);
  CHECK(verify_bitcoin_branch(t[1], 1, br, root, 5).has_value());
  const std::vector<Hash32> two(br.begin(), br.begin() + 2);
  std::vector<Hash32> four = br;
  four.push_back(txid(99));
  CHECK(code_of(verify_bitcoin_branch(t[1], 1, two, root, 5)) == Code::MerkleIndex);
  CHECK(code_of(verify_bitcoin_branch(t[1], 1, four, root, 5)) == Code::MerkleIndex);
  // One transaction: depth 0, the txid is the root.
  CHECK(verify_bitcoin_branch(t[0], 0, {}, t[0], 1).has_value());
  CHECK(code_of(verify_bitcoin_branch(t[0], 0, std::vector<Hash32>{t[0]}, t[0], 1)) == Code::MerkleIndex);
  // tx_count 0 admits no index.
  CHECK(code_of(verify_bitcoin_branch(t[0], 0, {}, t[0], 0)) == Code::MerkleIndex);
}

TEST_CASE("the lone last node of an odd level must be paired with itself, any other node never") {
  const auto t = txids(6);  // level 0: 6 nodes; level 1: 3 nodes (position 2 is lone)
  const Hash32 root = bitcoin_merkle_root(t).root;
  auto br = bitcoin_branch(t, 4);
  REQUIRE(br.size() == 3);
  REQUIRE(br[1] == sha256d_pair(t[4], t[5]));  // H(E,F) paired with itself
  CHECK(verify_bitcoin_branch(t[4], 4, br, root, 6).has_value());
  CHECK(verify_bitcoin_branch(t[4], 4, br, root).has_value());  // left child equal to its sibling is honest
  auto foreign = br;
  foreign[1] = txid(77);
  CHECK(code_of(verify_bitcoin_branch(t[4], 4, foreign, root, 6)) == Code::MerkleBranch);

  // Leaf level lone node: 5 transactions, index 4.
  const auto f = txids(5);
  const Hash32 root5 = bitcoin_merkle_root(f).root;
  auto br5 = bitcoin_branch(f, 4);
  REQUIRE(br5[0] == f[4]);
  CHECK(verify_bitcoin_branch(f[4], 4, br5, root5, 5).has_value());
  br5[0] = f[3];
  CHECK(code_of(verify_bitcoin_branch(f[4], 4, br5, root5, 5)) == Code::MerkleBranch);

  // A node that is not lone with a sibling equal to itself is a mutation (left child too, with tx_count).
  auto br0 = bitcoin_branch(f, 0);
  br0[0] = f[0];
  CHECK(code_of(verify_bitcoin_branch(f[0], 0, br0, root5, 5)) == Code::MerkleMutated);
}

TEST_CASE("index must be below 2^branch length and a branch has at most 32 levels") {
  const auto t = txids(4);
  const Hash32 root = bitcoin_merkle_root(t).root;
  const auto br = bitcoin_branch(t, 3);
  CHECK(code_of(verify_bitcoin_branch(t[3], 4, br, root)) == Code::MerkleIndex);
  CHECK(code_of(verify_bitcoin_branch(t[3], 7, br, root)) == Code::MerkleIndex);
  CHECK(code_of(verify_bitcoin_branch(t[0], 1, {}, t[0])) == Code::MerkleIndex);
  CHECK(bitcoin_branch_root(t[0], 1, {}).error().code == Code::MerkleIndex);

  std::vector<Hash32> deep;
  for (std::uint32_t i = 0; i < 33; ++i) deep.push_back(txid(1000 + i));
  CHECK(bitcoin_branch_root(t[0], 0, deep).error().code == Code::MerkleIndex);
  CHECK(bitcoin_branch_root(t[0], 0, deep, std::uint64_t{1} << 33).error().code == Code::MerkleIndex);
  deep.pop_back();  // 32 levels is the bound, any index below 2^32 folds
  CHECK(bitcoin_branch_root(t[0], (std::uint64_t{1} << 32) - 1, deep).has_value());
  CHECK(bitcoin_branch_root(t[0], std::uint64_t{1} << 32, deep).error().code == Code::MerkleIndex);
}

TEST_CASE("every branch of every tree of 1..40 transactions verifies, and any tampering is rejected") {
  for (std::uint32_t n = 1; n <= 40; ++n) {
    const auto t = txids(n);
    const auto r = bitcoin_merkle_root(t);
    REQUIRE_FALSE(r.mutated);
    for (std::uint64_t i = 0; i < n; ++i) {
      const auto br = bitcoin_branch(t, i);
      INFO("n=" << n << " i=" << i);
      REQUIRE(bitcoin_branch_root(t[i], i, br, n).value() == r.root);
      REQUIRE(verify_bitcoin_branch(t[i], i, br, r.root).has_value());
      // Wrong leaf, wrong root.
      CHECK_FALSE(verify_bitcoin_branch(txid(n + 1000), i, br, r.root, n).has_value());
      Hash32 bad_root = r.root;
      bad_root.b[0] ^= 1U;
      CHECK(code_of(verify_bitcoin_branch(t[i], i, br, bad_root, n)) == Code::MerkleBranch);
      // Each sibling flipped.
      for (std::size_t k = 0; k < br.size(); ++k) {
        auto bad = br;
        bad[k].b[31] ^= 0x80U;
        CHECK_FALSE(verify_bitcoin_branch(t[i], i, bad, r.root, n).has_value());
        CHECK_FALSE(verify_bitcoin_branch(t[i], i, bad, r.root).has_value());
      }
      // Another position with the same leaf and branch.
      if (n > 1) {
        const std::uint64_t j = (i + 1) % n;
        CHECK_FALSE(verify_bitcoin_branch(t[i], j, br, r.root, n).has_value());
      }
    }
  }
}
