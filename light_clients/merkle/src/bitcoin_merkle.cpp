// Bitcoin transaction Merkle trees: see causeway/merkle/bitcoin_merkle.hpp for the contract.
#include "causeway/merkle/bitcoin_merkle.hpp"

#include <cassert>
#include <string>

#include "causeway/core/hash.hpp"

namespace causeway::merkle {

namespace {

constexpr std::size_t kMaxBranch = 32;  // 2^32 transactions is far beyond any block (and any block weight)

// Depth of a Bitcoin Merkle tree over n >= 1 leaves: ceil(log2(n)), 0 for n == 1.
std::size_t tree_depth(std::uint64_t n) noexcept {
  std::size_t depth = 0;
  while (n > 1) {
    n = n / 2 + (n & 1U);
    ++depth;
  }
  return depth;
}

}  // namespace

BitcoinMerkleRoot bitcoin_merkle_root(std::span<const Hash32> txids) {
  if (txids.empty()) return {Hash32{}, false};
  std::vector<Hash32> level(txids.begin(), txids.end());
  bool mutated = false;
  while (level.size() > 1) {
    // Bitcoin Core ComputeMerkleRoot: two equal nodes paired at (even, odd) positions, before the
    // odd-level duplication, mean the list could be the CVE-2012-2459 mutation of a shorter one.
    for (std::size_t pos = 0; pos + 1 < level.size(); pos += 2) {
      if (level[pos] == level[pos + 1]) mutated = true;
    }
    if (level.size() % 2 == 1) level.push_back(level.back());
    for (std::size_t i = 0; i < level.size() / 2; ++i) {
      level[i] = sha256d_pair(level[2 * i], level[2 * i + 1]);
    }
    level.resize(level.size() / 2);
  }
  return {level.front(), mutated};
}

Result<Hash32> bitcoin_branch_root(const Hash32& leaf, std::uint64_t index, std::span<const Hash32> branch,
                                   std::optional<std::uint64_t> tx_count) {
  if (branch.size() > kMaxBranch) {
    return fail(Code::MerkleIndex, "branch has " + std::to_string(branch.size()) + " levels, at most 32 allowed");
  }
  // branch.size() <= 32, so the shift is defined for uint64.
  if (index >= (std::uint64_t{1} << branch.size())) {
    return fail(Code::MerkleIndex,
                "index " + std::to_string(index) + " does not fit a branch of " + std::to_string(branch.size()));
  }
  std::uint64_t width = 0;  // number of nodes on the current level; only meaningful with tx_count
  if (tx_count) {
    if (index >= *tx_count) {
      return fail(Code::MerkleIndex,
                  "index " + std::to_string(index) + " >= tx_count " + std::to_string(*tx_count));
    }
    const std::size_t depth = tree_depth(*tx_count);
    if (branch.size() != depth) {
      return fail(Code::MerkleIndex, "branch has " + std::to_string(branch.size()) + " levels, a tree of " +
                                         std::to_string(*tx_count) + " transactions needs " +
                                         std::to_string(depth));
    }
    width = *tx_count;
  }

  Hash32 node = leaf;
  std::uint64_t pos = index;
  for (std::size_t level = 0; level < branch.size(); ++level) {
    const Hash32& sibling = branch[level];
    const bool is_right = (pos & 1U) != 0;
    auto at = [level] { return "branch[" + std::to_string(level) + "]"; };  // built on failure only
    if (tx_count) {
      const bool lone_last = !is_right && pos + 1 == width;  // last node of an odd level: paired with itself
      if (lone_last) {
        if (sibling != node) return fail(Code::MerkleBranch, "lone last node must be paired with itself", at());
      } else if (sibling == node) {
        return fail(Code::MerkleMutated, "sibling equals the node (duplicate subtree)", at());
      }
      width = width / 2 + (width & 1U);
    } else if (is_right && sibling == node) {
      // A right child equal to its left sibling only exists in a mutated (duplicated) tree.
      return fail(Code::MerkleMutated, "right child equals its left sibling (duplicate subtree)", at());
    }
    node = is_right ? sha256d_pair(sibling, node) : sha256d_pair(node, sibling);
    pos >>= 1U;
  }
  return node;
}

Status verify_bitcoin_branch(const Hash32& leaf, std::uint64_t index, std::span<const Hash32> branch,
                             const Hash32& root, std::optional<std::uint64_t> tx_count) {
  if (root.is_zero()) return fail(Code::ZeroRoot, "merkle root is all zero");
  auto computed = bitcoin_branch_root(leaf, index, branch, tx_count);
  if (!computed) return tl::unexpected<Error>(std::move(computed.error()));
  if (*computed != root) return fail(Code::MerkleBranch, "branch does not lead to the merkle root");
  return {};
}

std::vector<Hash32> bitcoin_branch(std::span<const Hash32> txids, std::uint64_t index) {
  assert(index < txids.size());
  std::vector<Hash32> out;
  if (index >= txids.size()) return out;  // precondition violated in a release build: no branch
  std::vector<Hash32> level(txids.begin(), txids.end());
  std::size_t pos = static_cast<std::size_t>(index);
  while (level.size() > 1) {
    if (level.size() % 2 == 1) level.push_back(level.back());
    out.push_back(level[pos ^ 1U]);
    for (std::size_t i = 0; i < level.size() / 2; ++i) {
      level[i] = sha256d_pair(level[2 * i], level[2 * i + 1]);
    }
    level.resize(level.size() / 2);
    pos >>= 1U;
  }
  return out;
}

}  // namespace causeway::merkle
