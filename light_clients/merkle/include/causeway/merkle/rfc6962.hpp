// RFC 6962 / RFC 9162 binary Merkle trees (Certificate-Transparency style), with hash H = SHA-256 (the
// default, RFC 6962) or SM3 (TreeHash::Sm3: the tx/event trees of the causeway-devnet sm2-sm3 BFT suite):
//   leaf hash  = H(0x00 ‖ data)            (RFC 9162 §2.1.1)
//   node hash  = H(0x01 ‖ left ‖ right)
//   MTH({})    = H("")                      (the empty tree)
//   MTH(D[n])  = node(MTH(D[0:k]), MTH(D[k:n])), k the largest power of two < n.
// Proof generation follows RFC 6962 §2.1.1 (PATH) and §2.1.2 (PROOF/SUBPROOF); verification follows
// RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency). Proof elements are ordered bottom-up
// (the sibling nearest the leaf first), exactly as the RFCs and the transparency-dev test data order them.
//
// Verification takes ByteView hashes because proofs arrive from untrusted decoders (base64/hex) and
// their lengths are part of the verdict (shared/vectors/SOURCES.md, rfc6962/):
//   * inclusion: the leaf hash and the root must each be exactly 32 bytes;
//   * consistency: size1 == 0 is always an error (there is nothing to be consistent with);
//     size1 == size2 needs an empty proof and byte-equal roots (no length check on the roots);
//     otherwise both roots must be 32 bytes;
//   * every proof element must be exactly 32 bytes, and a proof has at most 64 elements.
// A 32-byte all-zero root is refused with ERR_ZERO_ROOT (A01: a default value is never a trusted root).
//
// Error codes: ERR_MERKLE_INDEX (inclusion: leaf index >= tree size; generation: index/size out of range),
// ERR_INCLUSION_PROOF (any other inclusion failure), ERR_CONSISTENCY_PROOF (any other consistency failure),
// ERR_ZERO_ROOT (a 32-byte all-zero root).
// Pure: no I/O, no exceptions on bad input. Thread-safety: pure functions, safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"

namespace causeway::merkle::rfc6962 {

// A tree of at most 2^64 - 1 leaves has inclusion/consistency proofs of at most 64 elements.
inline constexpr std::size_t kMaxProofElements = 64;

// The tree hash H. Every function below takes it as a trailing parameter defaulting to SHA-256; both
// digests are 32 bytes, so the length rules are the same for either.
enum class TreeHash : std::uint8_t { Sha256, Sm3 };

// H(0x00 ‖ data): the hash of one log entry (RFC 9162 §2.1.1). Any data size.
Hash32 leaf_hash(ByteView data, TreeHash h = TreeHash::Sha256) noexcept;
// H(0x01 ‖ left ‖ right): an interior node (RFC 9162 §2.1.1).
Hash32 node_hash(const Hash32& left, const Hash32& right, TreeHash h = TreeHash::Sha256) noexcept;
// MTH of the empty tree = H of the empty string (SHA-256: e3b0c442…b855).
Hash32 empty_root(TreeHash h = TreeHash::Sha256) noexcept;

// MTH over leaf hashes (already leaf_hash()ed), in order. O(n) hashes; empty span -> empty_root().
Hash32 root(std::span<const Hash32> leaf_hashes, TreeHash h = TreeHash::Sha256);

// PATH(index, D[n]) (RFC 6962 §2.1.1) over leaf hashes: the inclusion proof of leaf `index`, bottom-up,
// ceil(log2(n)) elements at most. Error: ERR_MERKLE_INDEX if index >= leaf_hashes.size().
Result<std::vector<Hash32>> inclusion_proof(std::span<const Hash32> leaf_hashes, std::uint64_t index,
                                            TreeHash h = TreeHash::Sha256);

// PROOF(size1, D[n]) (RFC 6962 §2.1.2) over leaf hashes, n = leaf_hashes.size(): proves that the tree of
// the first size1 leaves is a prefix of the tree of all n. Empty when size1 == n.
// Error: ERR_MERKLE_INDEX unless 0 < size1 <= n.
Result<std::vector<Hash32>> consistency_proof(std::span<const Hash32> leaf_hashes, std::uint64_t size1,
                                              TreeHash h = TreeHash::Sha256);

// RFC 9162 §2.1.3.2 steps 1-5 without the final root comparison: the root that `proof` leads to from
// `leaf_hash` at `index` in a tree of `tree_size` leaves.
// Errors: ERR_MERKLE_INDEX (index >= tree_size), ERR_INCLUSION_PROOF (leaf hash or an element not 32 bytes,
// too many / too few elements for the position).
Result<Hash32> root_from_inclusion_proof(std::uint64_t index, std::uint64_t tree_size, ByteView leaf_hash,
                                         std::span<const ByteView> proof, TreeHash h = TreeHash::Sha256);

// Verifies that `leaf_hash` is the leaf at `index` of the tree of `tree_size` leaves whose MTH is `root`
// (RFC 9162 §2.1.3.2). Errors: ERR_MERKLE_INDEX, ERR_ZERO_ROOT, ERR_INCLUSION_PROOF (see the file comment).
Status verify_inclusion(std::uint64_t index, std::uint64_t tree_size, ByteView leaf_hash,
                        std::span<const ByteView> proof, ByteView root, TreeHash h = TreeHash::Sha256);
// The same for typed proofs (e.g. from inclusion_proof()).
Status verify_inclusion(std::uint64_t index, std::uint64_t tree_size, ByteView leaf_hash,
                        std::span<const Hash32> proof, ByteView root, TreeHash h = TreeHash::Sha256);

// Verifies that the tree of size1 leaves with MTH root1 is a prefix of the tree of size2 leaves with MTH
// root2 (RFC 9162 §2.1.4.2, with the size1 == 0 / size1 == size2 rules of the file comment).
// Errors: ERR_ZERO_ROOT, ERR_CONSISTENCY_PROOF.
Status verify_consistency(std::uint64_t size1, std::uint64_t size2, std::span<const ByteView> proof,
                          ByteView root1, ByteView root2, TreeHash h = TreeHash::Sha256);
// The same for typed proofs (e.g. from consistency_proof()).
Status verify_consistency(std::uint64_t size1, std::uint64_t size2, std::span<const Hash32> proof,
                          ByteView root1, ByteView root2, TreeHash h = TreeHash::Sha256);

}  // namespace causeway::merkle::rfc6962
