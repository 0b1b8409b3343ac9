// RFC 6962 / RFC 9162 binary Merkle trees with the crypto suite's hash (SHA-256 or SM3): the tx and event
// trees of causeway-devnet headers. Same structure and the same verification semantics as
// causeway/merkle/rfc6962.hpp (which is SHA-256 only, and with Suite::Secp256k1Sha256 gives identical results):
//   leaf hash = H(0x00 ‖ data), node = H(0x01 ‖ left ‖ right), MTH({}) = H(""),
//   MTH(D[n]) = node(MTH(D[0:k]), MTH(D[k:n])), k the largest power of two < n.
// Proofs are bottom-up (sibling nearest the leaf first). Verification: leaf hash, root and every element exactly
// 32 bytes, at most 64 elements, a 32-byte all-zero root refused (A01).
// Errors: ERR_MERKLE_INDEX (index ≥ tree size), ERR_INCLUSION_PROOF, ERR_ZERO_ROOT.
// Pure; thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "causeway/bft/suite.hpp"
#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"

namespace causeway::bft::rfc6962 {

inline constexpr std::size_t kMaxProofElements = 64;

Hash32 leaf_hash(Suite s, ByteView data);
Hash32 node_hash(Suite s, const Hash32& left, const Hash32& right);
Hash32 empty_root(Suite s);
// MTH over leaf hashes (already leaf_hash()ed); empty → empty_root(s).
Hash32 root(Suite s, std::span<const Hash32> leaf_hashes);
// MTH over raw leaf data (hashes each leaf first).
Hash32 root_of_leaves(Suite s, std::span<const Bytes> leaves);
// PATH(index, D[n]) over leaf hashes, bottom-up. Error: ERR_MERKLE_INDEX if index ≥ size.
Result<std::vector<Hash32>> inclusion_proof(Suite s, std::span<const Hash32> leaf_hashes, std::uint64_t index);

// RFC 9162 §2.1.3.2: the root `proof` leads to from `leaf_hash` at `index` of a tree of `tree_size` leaves.
Result<Hash32> root_from_inclusion_proof(Suite s, std::uint64_t index, std::uint64_t tree_size, ByteView leaf_hash,
                                         std::span<const ByteView> proof);
// Verifies that `leaf_hash` is leaf `index` of the tree of `tree_size` leaves with MTH `root`.
Status verify_inclusion(Suite s, std::uint64_t index, std::uint64_t tree_size, ByteView leaf_hash,
                        std::span<const ByteView> proof, ByteView root);
Status verify_inclusion(Suite s, std::uint64_t index, std::uint64_t tree_size, ByteView leaf_hash,
                        std::span<const Hash32> proof, ByteView root);

}  // namespace causeway::bft::rfc6962
