// Ethereum Merkle-Patricia trie (Yellow Paper, appendix D; hex-prefix encoding, appendix C): canonical
// node decoding, proof verification (EIP-1186 account/storage proofs, receipt/transaction proofs) and an
// in-memory trie that computes roots and generates proofs.
//
// Node shapes (every node is one canonical RLP list, core/rlp.hpp; nothing may follow it):
//   leaf       [HP(path, leaf=true),  value]        value: a non-empty string
//   extension  [HP(path, leaf=false), child]        path: non-empty; child: a branch (embedded or hashed)
//   branch     [child0, …, child15, value]          value: a string, empty = no value; at least two of
//                                                   the 17 slots are non-empty
// A child reference is exactly one of:
//   0x80 (the empty string)         no child (branch slots only)
//   a 32-byte string                keccak256 of the child's encoding; the child's encoding is ≥ 32 bytes
//   an RLP list whose whole         the child node itself ("embedded"), itself checked recursively
//   encoding is < 32 bytes
// Anything else (a 31- or 33-byte string, an embedded node of ≥ 32 bytes, a hashed node of < 32 bytes, a
// bad hex-prefix flag or pad nibble, a one-slot branch, an extension to a leaf or extension, an empty leaf
// value) is ERR_MPT_NODE_ENCODING. These are the encodings the trie construction of appendix D produces and
// no other, so a given (root, key) has exactly one valid proof (A09: absence proofs cannot be forged with
// malformed nodes). Non-canonical RLP inside a node keeps its RLP code (ERR_RLP_NON_CANONICAL,
// ERR_RLP_TRUNCATED, ERR_RLP_TRAILING; ERR_TOO_LARGE for nesting).
//
// The empty trie's root is keccak256(RLP("")) = keccak256(0x80) = 0x56e81f17…b421. Its (only) proof is the
// empty list of nodes (what eth_getProof returns for an account with no storage).
//
// Pure: no I/O, no exceptions on bad input, bounded work (DESIGN.md §3, §6).
// Thread-safety: free functions are pure and safe from any thread. A Trie is a value type: concurrent const
// calls are safe; mutation needs external synchronisation.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"

namespace causeway::merkle::mpt {

// ---- bounds ---------------------------------------------------------------------------------------

// At most this many nodes in a proof (a 32-byte key has 64 nibbles; real proofs have < 12 nodes).
inline constexpr std::size_t kMaxProofNodes = 64;
// Default bound on one proof node's encoding. A full branch of 16 hashes is 532 bytes and an account leaf
// ~110 bytes, so this covers every state/storage proof. Receipt and transaction tries store whole
// receipts/transactions in their leaves: pass a larger ProofLimits::max_node_bytes for those.
inline constexpr std::size_t kDefaultMaxNodeBytes = 2048;
// Keys longer than this are refused (ERR_TOO_LARGE) by verification and by Trie. Ethereum's keys are 32
// bytes (secure tries) or RLP(index) (receipts, transactions).
inline constexpr std::size_t kMaxKeyBytes = 256;

struct ProofLimits {
  std::size_t max_nodes = kMaxProofNodes;            // proof list length
  std::size_t max_node_bytes = kDefaultMaxNodeBytes;  // size of each proof node, checked before decoding
};

// ---- nibble paths and hex-prefix encoding (appendix C) --------------------------------------------

// One nibble (0..15) per element.
using Nibbles = std::vector<std::uint8_t>;

// The nibbles of key, high nibble of each byte first: 2·key.size() elements.
Nibbles to_nibbles(ByteView key);

// HP(path, t): flag nibble 2·t + (odd length), then a 0 pad nibble if the length is even, then path,
// packed two nibbles a byte: ⌈(path.size() + 1) / 2⌉ bytes. Precondition: every element < 16 (asserted).
Bytes hex_prefix_encode(std::span<const std::uint8_t> path, bool leaf);

struct HexPrefix {
  Nibbles path;
  bool leaf = false;  // flag t: true for a leaf, false for an extension
};

// Inverse of hex_prefix_encode, strict: at least one byte, flag nibble ∈ {0,1,2,3}, pad nibble 0 when the
// flag is even. Error: ERR_MPT_NODE_ENCODING.
Result<HexPrefix> hex_prefix_decode(ByteView encoded);

// ---- nodes ----------------------------------------------------------------------------------------

struct ChildRef {
  enum class Kind { Empty, Hash, Embedded };
  Kind kind = Kind::Empty;
  ByteView bytes;  // Hash: the 32-byte hash; Embedded: the child's whole RLP encoding (< 32 bytes)
};

enum class NodeKind { Leaf, Extension, Branch };

// A decoded node. Views borrow the decoded input: keep it alive.
struct Node {
  NodeKind kind = NodeKind::Leaf;
  Nibbles path;                        // leaf / extension: the decoded hex-prefix path
  ByteView value;                      // leaf: the value; branch: the value slot (empty = none)
  ChildRef next;                       // extension: the child (a branch)
  std::array<ChildRef, 16> children{};  // branch
};

// Decodes and checks one node encoding, embedded children included, against every rule of the file comment
// that can be checked without other nodes. (An extension's hashed child and the ≥ 32-byte size of hashed
// nodes are checked by verify_proof, which sees the next node.)
// Errors: ERR_MPT_NODE_ENCODING, ERR_RLP_NON_CANONICAL, ERR_RLP_TRUNCATED, ERR_RLP_TRAILING, ERR_TOO_LARGE.
Result<Node> decode_node(ByteView encoded);

// keccak256(0x80): the root of the empty trie.
Hash32 empty_trie_root() noexcept;

// ---- proof verification ---------------------------------------------------------------------------

// Verifies a Merkle-Patricia proof of `key` under `root` (Yellow Paper appendix D; EIP-1186 `accountProof`
// / `storageProof[i].proof` order: the root node first, then each hash-referenced node on the key's path,
// in path order; embedded nodes are not listed, they are followed inside their parent).
// Returns the value stored at key, or std::nullopt when the proof shows the key is absent: the key's path
// leaves the trie at an empty branch slot, at a branch value slot that is empty, or where a leaf's or
// extension's path diverges from the rest of the key.
// Strict, so that one (root, key) has one accepted proof:
//   * node 0 must hash to root; each hashed reference followed must equal keccak256 of the next node;
//   * every node (terminal one and unfollowed embedded children included) must be canonical (decode_node);
//     a hashed non-root node must be ≥ 32 bytes and an extension's child must be a branch;
//   * the walk must use every node: extra nodes after the terminal node → ERR_MPT_PROOF;
//   * the empty trie (root = empty_trie_root()) is proven only by the empty proof.
// Errors: ERR_ZERO_ROOT (root all zero, A01); ERR_TOO_LARGE (more than limits.max_nodes nodes, a node over
// limits.max_node_bytes, key over kMaxKeyBytes); ERR_MPT_PROOF (root/hash mismatch, proof ends early,
// unused nodes, empty proof for a non-empty root); ERR_MPT_NODE_ENCODING and the RLP codes (malformed
// node). `at` names the node: "proof[2]".
Result<std::optional<Bytes>> verify_proof(const Hash32& root, ByteView key, std::span<const ByteView> proof,
                                          const ProofLimits& limits = {});
Result<std::optional<Bytes>> verify_proof(const Hash32& root, ByteView key, std::span<const Bytes> proof,
                                          const ProofLimits& limits = {});

// Secure-trie variant (EIP-1186 account and storage proofs): verify_proof(root, keccak256(key), …).
// For an account proof key is the 20-byte address; for a storage proof the 32-byte slot. Same errors.
Result<std::optional<Bytes>> verify_secure_proof(const Hash32& root, ByteView key,
                                                 std::span<const ByteView> proof,
                                                 const ProofLimits& limits = {});
Result<std::optional<Bytes>> verify_secure_proof(const Hash32& root, ByteView key, std::span<const Bytes> proof,
                                                 const ProofLimits& limits = {});

// ---- construction ---------------------------------------------------------------------------------

// An in-memory trie: the set of (key, value) pairs, with the root and proofs of the canonical trie of
// appendix D computed on demand (a sorted build). Ethereum semantics: an empty value is not stored, so
// put(k, {}) deletes k. For a secure trie, use keccak256(key) as the key.
class Trie {
 public:
  // Inserts or replaces key → value; an empty value erases key. Error: ERR_TOO_LARGE (key > kMaxKeyBytes).
  Status put(ByteView key, ByteView value);
  // Removes key; returns whether it was present.
  bool erase(ByteView key);
  // The value stored at key, if any.
  std::optional<Bytes> get(ByteView key) const;
  std::size_t size() const noexcept { return entries_.size(); }
  bool empty() const noexcept { return entries_.empty(); }

  // RLP of the root node (0x80 for the empty trie). O(n · key nibbles).
  Bytes root_node() const;
  // keccak256(root_node()): empty_trie_root() when empty.
  Hash32 root() const;
  // The proof of key in verify_proof's format (root node first, hashed nodes on the key's path): proves the
  // value when key is present and the absence otherwise; the empty list for the empty trie.
  // Error: ERR_TOO_LARGE (key > kMaxKeyBytes).
  Result<std::vector<Bytes>> prove(ByteView key) const;

 private:
  std::map<Bytes, Bytes> entries_;  // byte order of keys = nibble order of paths
};

}  // namespace causeway::merkle::mpt
