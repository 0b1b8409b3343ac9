// BIP 37 merkle blocks (what Bitcoin Core's `gettxoutproof` returns) and their partial Merkle trees, parsed
// strictly and turned into the per-transaction Merkle branches that PROOF-BUNDLE.md's bitcoin inclusion takes.
// light_clients/merkle has full-tree roots and branches but no partial trees, so the BIP 37 traversal lives
// here, beside the RPC answers it decodes. Pure: no I/O, no exceptions on bad input.
//
// Serialization (Bitcoin Core merkleblock.h, CMerkleBlock / CPartialMerkleTree):
//   80-byte header ‖ uint32 LE nTransactions ‖ CompactSize n ‖ n × 32-byte hashes (internal order)
//   ‖ CompactSize m ‖ m flag bytes (bit i of the flag list = byte i/8, bit i%8, least significant first)
// Rules (Bitcoin Core CPartialMerkleTree::ExtractMatches / TraverseAndExtract), every failure a value:
//   - nTransactions = 0, or above kMaxBlockTransactions (MAX_BLOCK_WEIGHT / MIN_TRANSACTION_WEIGHT)
//   - more hashes than transactions, fewer flag bits than hashes
//   - the depth-first traversal runs out of flag bits or hashes
//   - a right child equal to its left sibling (CVE-2012-2459)                          → ERR_MERKLE_MUTATED
//   - flag bytes not all consumed ((bits used + 7) / 8 ≠ flag byte count), hashes not all consumed
//   - stricter than Core: the padding bits after the last used bit must be zero (Core writes them zero)
// Parsing: CompactSize must be canonical (minimal), nothing may follow the flag bytes, the whole input is at most
// kMaxMerkleBlockBytes. Errors: ERR_TOO_LARGE (over the bound), ERR_PARTIAL_MERKLE_TREE (every structural
// failure above and truncation/trailing bytes), ERR_MERKLE_MUTATED, ERR_HEADER_ENCODING (not 80 header bytes).
// All hashes are in internal (serialized) byte order.
// Thread-safety: value types and pure functions.
#pragma once

#include <cstdint>
#include <vector>

#include "causeway/bitcoin/header.hpp"
#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"

namespace causeway::adapters::bitcoin {

inline constexpr std::uint32_t kMaxBlockTransactions = 4'000'000 / 240;  // Core: MAX_BLOCK_WEIGHT / MIN_TRANSACTION_WEIGHT
inline constexpr std::size_t kMaxMerkleBlockBytes =
    80 + 4 + 9 + std::size_t{kMaxBlockTransactions} * 32 + 9 + (2 * std::size_t{kMaxBlockTransactions} + 7) / 8;

struct PartialMerkleTree {
  std::uint32_t tx_count = 0;     // nTransactions
  std::vector<Hash32> hashes;     // vHash
  std::vector<bool> bits;         // vBits, all flag bytes unpacked (padding included)
};

struct MerkleBlock {
  causeway::bitcoin::RawHeader header{};
  PartialMerkleTree tree;
};

// One matched transaction with its branch (siblings bottom-up, internal order), ready for
// bitcoin::TxInclusion / a bundle's inclusion.
struct PmtMatch {
  std::uint64_t index = 0;
  Hash32 txid;
  std::vector<Hash32> branch;
};

struct PmtExtract {
  Hash32 root;                    // the tree's Merkle root
  std::vector<PmtMatch> matches;  // in tree order
};

// Parses the serialization above (no Merkle checks yet). Errors: see the file comment.
Result<MerkleBlock> parse_merkleblock(ByteView raw);

// Traverses the tree by Core's rules, returning the root and every matched leaf with its branch.
Result<PmtExtract> extract_matches(const PartialMerkleTree& tree);

// The branch of `txid` from a merkle block: extract_matches, the root must equal the header's merkle root
// (ERR_ZERO_ROOT for an all-zero root, else ERR_MERKLE_BRANCH), and `txid` must be among the matches
// (ERR_RPC_INCONSISTENT: the node proved other transactions). A consistency check on an untrusted answer;
// the light client re-verifies the branch against a verified header.
Result<PmtMatch> branch_of(const MerkleBlock& block, const Hash32& txid);

}  // namespace causeway::adapters::bitcoin
