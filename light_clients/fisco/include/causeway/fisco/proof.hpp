// Inclusion proofs under a verified FISCO BCOS block (shared/formats/consortium-chains.md B.2, B.4).
//
// v2 "trie16" (TrieHash2.cpp getHash256 / getMerkleProof): a 16-ary tree over leaf PREIMAGES — transactions:
//   RLP(index) ‖ txHash — whose levels hash groups of up to 16 concatenated children. A proof is a list of units
//   {left[], right[]}; folding cur = H(concat(left) ‖ cur ‖ concat(right)) from the preimage must end at the root.
//   Confirmed by real data only for a ONE-leaf tree: root = H(RLP(0) ‖ txHash) (block 8: Keccak(0x80 ‖ txHash)),
//   i.e. exactly one unit with empty sides. Every other shape (more units, non-empty sides) → ERR_UNSUPPORTED, as
//   does the v2 receipt tree (no real v2 receipt; the receipt RLP of 2.9+ may append remainGas).
//   A one-leaf preimage is 33 bytes and a multi-leaf top level hashes ≥ 66 bytes, so the one-leaf rule cannot be
//   confused with a larger tree.
//
// v3 binary Merkle (bcos-crypto merkle/Merkle.h, width 2), the level-by-level proof format of 3.x nodes: a flat list
//   of entries; per level one COUNT entry (first 4 bytes big-endian = group size; the node writes 4 bytes, a
//   32-byte entry with a zero tail is taken too) followed by that many 32-byte hashes; the current hash must be a
//   MEMBER of the group and the next hash is H(concat(group)); after the last level the current hash must equal
//   the root. A one-leaf tree's proof is the single entry [leaf] and its root is the leaf itself (verified on the
//   v3.3 SM receipt). Membership, not position, is checked (as upstream), so an index is not bound.
//   Group sizes are 1 or 2 (width 2) → else ERR_MERKLE_BRANCH; at most kMaxV3ProofEntries entries.
//   The older {left[], right[]} format of java-sdk 3.0.x is not accepted.
//
// v3 receipt hash (TarsHashable.h, verified on the v3.3 SM receipt): H(version BE32 ‖ gasUsed (decimal string) ‖
//   contractAddress (the string the node stores: lower-case hex without 0x) ‖ status BE32 ‖ output ‖ blockNumber
//   BE64) for version 0 without logs. Version ≥ 1 (adds effectiveGasPrice) and receipts with logs hash strings
//   whose stored form no real data shows (the log address) → ERR_UNSUPPORTED.
//
// Error codes: ERR_ZERO_ROOT (all-zero root, A01), ERR_MERKLE_INDEX (one-leaf v2 tree with index ≠ 0),
// ERR_MERKLE_BRANCH (does not lead to the root, malformed count or entry), ERR_TOO_LARGE, ERR_UNSUPPORTED,
// ERR_RECEIPT_ENCODING (malformed receipt fields).
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"
#include "causeway/fisco/sealers.hpp"

namespace causeway::fisco {

inline constexpr std::size_t kMaxV2ProofUnits = 64;
inline constexpr std::size_t kMaxV3ProofEntries = 3 * 64;

struct ProofUnitV2 {
  std::vector<Bytes> left;
  std::vector<Bytes> right;
  bool operator==(const ProofUnitV2&) const = default;
};

// RLP(index) ‖ tx_hash: the v2 transaction-trie leaf preimage.
Bytes tx_leaf_v2(std::uint64_t index, const Hash32& tx_hash);

// The transaction with hash `tx_hash` at `index` is in the block whose transactionsRoot is `root` (v2 trie16).
Status verify_tx_v2(HashAlgorithm a, std::uint64_t index, const Hash32& tx_hash,
                    std::span<const ProofUnitV2> proof, const Hash32& root);

// `leaf` is a member of the v3 binary Merkle tree with root `root` (see file comment).
Status verify_merkle_v3(HashAlgorithm a, const Hash32& leaf, std::span<const Bytes> proof, const Hash32& root);

struct ReceiptV3 {
  std::int32_t version = 0;
  std::string gas_used;           // decimal string as the node stores it
  std::string contract_address;   // lower-case hex without 0x, or empty
  std::int32_t status = 0;        // 0 = success
  Bytes output;
  std::size_t log_count = 0;      // logs are not hashed yet: any log → ERR_UNSUPPORTED
  std::uint64_t block_number = 0;
};

// The v3 receipt hash (see file comment). Errors: ERR_UNSUPPORTED (version ≠ 0, logs), ERR_RECEIPT_ENCODING
// (gasUsed not a canonical decimal, contractAddress not empty or 40 lower-case hex digits, block number > INT64_MAX).
Result<Hash32> receipt_hash_v3(HashAlgorithm a, const ReceiptV3& r);

}  // namespace causeway::fisco
