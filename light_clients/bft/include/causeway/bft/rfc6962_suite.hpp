// RFC 6962 / RFC 9162 binary Merkle trees with the crypto suite's hash (SHA-256 or SM3): the tx and event
// trees of causeway-devnet headers. Thin wrappers over causeway/merkle/rfc6962.hpp (the one implementation,
// and the contract: structure, bottom-up proofs, 32-byte/64-element limits, zero-root refusal, error codes)
// that map the suite to the tree hash: Secp256k1Sha256 → TreeHash::Sha256, Sm2Sm3 → TreeHash::Sm3.
// Pure; thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "causeway/bft/suite.hpp"
#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"
#include "causeway/merkle/rfc6962.hpp"

namespace causeway::bft::rfc6962 {

namespace tree = causeway::merkle::rfc6962;
using tree::kMaxProofElements;

constexpr tree::TreeHash tree_hash(Suite s) noexcept {
  return s == Suite::Sm2Sm3 ? tree::TreeHash::Sm3 : tree::TreeHash::Sha256;
}

inline Hash32 leaf_hash(Suite s, ByteView data) { return tree::leaf_hash(data, tree_hash(s)); }
inline Hash32 node_hash(Suite s, const Hash32& left, const Hash32& right) {
  return tree::node_hash(left, right, tree_hash(s));
}
inline Hash32 empty_root(Suite s) { return tree::empty_root(tree_hash(s)); }
// MTH over leaf hashes (already leaf_hash()ed); empty → empty_root(s).
inline Hash32 root(Suite s, std::span<const Hash32> leaf_hashes) { return tree::root(leaf_hashes, tree_hash(s)); }
// MTH over raw leaf data (hashes each leaf first).
inline Hash32 root_of_leaves(Suite s, std::span<const Bytes> leaves) {
  std::vector<Hash32> hashes;
  hashes.reserve(leaves.size());
  for (const auto& l : leaves) hashes.push_back(leaf_hash(s, l));
  return root(s, hashes);
}
// PATH(index, D[n]) over leaf hashes, bottom-up. Error: ERR_MERKLE_INDEX if index ≥ size.
inline Result<std::vector<Hash32>> inclusion_proof(Suite s, std::span<const Hash32> leaf_hashes, std::uint64_t index) {
  return tree::inclusion_proof(leaf_hashes, index, tree_hash(s));
}
// RFC 9162 §2.1.3.2: the root `proof` leads to from `leaf_hash` at `index` of a tree of `tree_size` leaves.
inline Result<Hash32> root_from_inclusion_proof(Suite s, std::uint64_t index, std::uint64_t tree_size,
                                                ByteView leaf_hash, std::span<const ByteView> proof) {
  return tree::root_from_inclusion_proof(index, tree_size, leaf_hash, proof, tree_hash(s));
}
// Verifies that `leaf_hash` is leaf `index` of the tree of `tree_size` leaves with MTH `root`.
inline Status verify_inclusion(Suite s, std::uint64_t index, std::uint64_t tree_size, ByteView leaf_hash,
                               std::span<const ByteView> proof, ByteView root) {
  return tree::verify_inclusion(index, tree_size, leaf_hash, proof, root, tree_hash(s));
}
inline Status verify_inclusion(Suite s, std::uint64_t index, std::uint64_t tree_size, ByteView leaf_hash,
                               std::span<const Hash32> proof, ByteView root) {
  return tree::verify_inclusion(index, tree_size, leaf_hash, proof, root, tree_hash(s));
}

}  // namespace causeway::bft::rfc6962
