// Bitcoin transaction Merkle trees (SHA256d, odd levels duplicate their last node), with detection of
// the CVE-2012-2459 duplicate-subtree mutation and binding of a branch to the block's transaction count.
// Spec: Bitcoin Core consensus/merkle.cpp (ComputeMerkleRoot with `mutated`), BIP 37 (partial trees),
// CVE-2012-2459. All hashes are in internal (serialized) byte order.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"

namespace causeway::merkle {

struct BitcoinMerkleRoot {
  Hash32 root;   // all zero for an empty list
  bool mutated;  // true if some level paired two equal distinct nodes (the [A,B,C,C] pattern)
};

// Merkle root of txids (internal order) exactly as Bitcoin Core computes it, plus the mutation flag.
BitcoinMerkleRoot bitcoin_merkle_root(std::span<const Hash32> txids);

// Folds `leaf` at position `index` up through `branch` (siblings bottom-up) and returns the root.
// With tx_count: index must be < tx_count and branch.size() must equal the tree depth
// (ceil(log2(tx_count)), 0 for one transaction); where the node is the lone last node of an odd level
// its sibling must equal itself, and anywhere else a sibling equal to the node is a mutation.
// Without tx_count: a right child (odd position) whose sibling equals it is a mutation.
// Errors: ERR_MERKLE_INDEX (index >= tx_count, depth mismatch, index >= 2^branch.size(), branch > 32),
//         ERR_MERKLE_MUTATED (duplicate-subtree pattern), ERR_MERKLE_BRANCH (lone node with a foreign sibling).
Result<Hash32> bitcoin_branch_root(const Hash32& leaf, std::uint64_t index, std::span<const Hash32> branch,
                                   std::optional<std::uint64_t> tx_count = std::nullopt);

// bitcoin_branch_root and a comparison with `root`. Errors: as above, ERR_ZERO_ROOT if root is all zero
// (A01), ERR_MERKLE_BRANCH if the computed root differs.
Status verify_bitcoin_branch(const Hash32& leaf, std::uint64_t index, std::span<const Hash32> branch,
                             const Hash32& root, std::optional<std::uint64_t> tx_count = std::nullopt);

// The branch (siblings bottom-up) for txids[index]; for building test and bench proofs.
// Precondition: index < txids.size().
std::vector<Hash32> bitcoin_branch(std::span<const Hash32> txids, std::uint64_t index);

}  // namespace causeway::merkle
