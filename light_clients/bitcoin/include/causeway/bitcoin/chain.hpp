// The Bitcoin header-chain light client: a trust anchor plus every verified header after it (forks kept),
// the most-work tip, and SPV transaction inclusion against the best chain.
//
// Per-header check order (PROOF-BUNDLE.md, family bitcoin — normative, so a corrupted field has one error):
//   1. encoding: exactly 80 bytes                               ERR_HEADER_ENCODING
//   2. link: prev_hash is a known header (any branch)           ERR_PREV_HASH_MISMATCH
//   3. bits == the required bits (Bitcoin Core pow.cpp          ERR_BAD_BITS, or ERR_ANCHOR_INSUFFICIENT when
//      GetNextWorkRequired: retarget every interval with the      a retarget needs period_start_time_s (or a
//      [T/4, 4T] clamp; testnet 20-minute rule; BIP 94)            min-difficulty walk-back needs last_non_min_bits)
//   4. proof of work                                             ERR_BAD_TARGET, ERR_BAD_POW
//   5. time > median-time-past of the previous 11 (BIP 113)     ERR_TIME_TOO_OLD
//      (window = the ancestors available, incl. the anchor's prev_timestamps_s, as Core does near genesis)
//   5b. BIP 94 (params.enforce_bip94): the first block of a      ERR_TIME_WARP
//      period is not more than 600 s before its parent
//   6. time <= now_s + 7200 (MAX_FUTURE_BLOCK_TIME)             ERR_TIME_TOO_NEW
// A header already known is an idempotent no-op. A rejected header changes nothing.
// Best chain: most cumulative work; on equal work the first seen stays the tip.
//
// Not checked: the signet block solution (BIP 325), version/BIP 9 deployment rules, checkpoints.
// Performance: one SHA256d per header plus small arithmetic; target and work are cached per bits, the hash
// index is an open-addressing table whose write is deferred by one header so its cache miss overlaps the
// next SHA256d. Memory: 128 bytes per header + 16–32 bytes of index.
// Thread-safety: a HeaderChain is NOT thread-safe; use one per thread or guard it (const queries are safe
// to run concurrently only while nothing calls add_header/reserve). Copyable. Pure: no I/O, no clock.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "causeway/bitcoin/header.hpp"
#include "causeway/bitcoin/params.hpp"
#include "causeway/bitcoin/uint256.hpp"
#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"

namespace causeway::bitcoin {

// The trusted starting point (PROOF-BUNDLE.md "anchor").
struct Anchor {
  std::uint32_t height = 0;
  Bytes header;                                  // 80 serialized bytes
  std::vector<std::uint32_t> prev_timestamps_s;  // ≤ 10 ancestors' times, oldest first (for MTP)
  // Time (Unix s) of the first block of the anchor's difficulty period: needed when headers cross a retarget
  // boundary and the anchor is not itself at height % interval == 0 (else ERR_ANCHOR_INSUFFICIENT then).
  // 0 counts as absent.
  std::optional<std::uint32_t> period_start_time_s;
  // testnet3/4 only, when the anchor itself is a min-difficulty block (bits = the pow limit) inside a period:
  // the bits the min-difficulty walk-back finds (= the bits of the period's first block). 0 counts as absent.
  std::optional<std::uint32_t> last_non_min_bits;
};

// A verified header as the chain holds it.
struct HeaderInfo {
  Hash32 hash;  // internal order
  Header header;
  std::uint32_t height = 0;
  U256 chainwork;  // cumulative work from the anchor (anchor's own work included); unit: expected hashes
  bool on_best_chain = false;
};

// What add_header did.
struct AddResult {
  Hash32 hash;
  std::uint32_t height = 0;
  bool duplicate = false;     // already known: nothing changed
  bool new_tip = false;       // became the best tip (extension or reorg)
  bool reorg = false;         // the best tip moved to another branch
  std::uint32_t mtp_window = 0;  // number of timestamps the median-time-past used (1..11)
};

// Inclusion of a transaction in a block on the best chain.
struct TxInclusion {
  Hash32 txid;                               // internal order
  std::uint64_t index = 0;                   // position in the block
  std::span<const Hash32> branch;            // Merkle siblings bottom-up, internal order
  std::optional<std::uint64_t> tx_count;     // binds the branch length to the tree depth
  std::optional<ByteView> raw_tx;            // serialized tx (with or without witness)
};

struct TxVerified {
  Hash32 block_hash;
  std::uint32_t height = 0;
  std::uint32_t confirmations = 0;
};

class HeaderChain {
 public:
  // Creates the chain at `anchor`. Errors: ERR_HEADER_ENCODING (not 80 bytes), ERR_ZERO_ROOT (anchor hash
  // or merkle root all zero, A01), ERR_BAD_TARGET / ERR_BAD_POW (the anchor's own PoW), ERR_TOO_LARGE
  // (more than 10 prev_timestamps_s), ERR_UNTRUSTED_ANCHOR (height 0 but not the network's genesis, or
  // the genesis at another height, when params.genesis_hash is set). The params are copied.
  static Result<HeaderChain> create(const Params& params, const Anchor& anchor);

  // Verifies one header against its parent (any known header) in the order above and stores it.
  // now_s: the caller's clock or verify_time_s (Unix seconds). Errors as listed above; detail says why.
  // Cost: one SHA256d plus small arithmetic (work per bits is cached); amortized allocation-free.
  Result<AddResult> add_header(ByteView raw, std::int64_t now_s);

  // The bits a child of `parent` with time `time_s` must carry (GetNextWorkRequired).
  // Errors: ERR_UNKNOWN_HEADER, ERR_ANCHOR_INSUFFICIENT.
  Result<std::uint32_t> required_bits(const Hash32& parent, std::uint32_t time_s) const;

  std::optional<HeaderInfo> find(const Hash32& hash) const;    // any verified header, any branch
  std::optional<HeaderInfo> at_height(std::uint32_t h) const;  // on the best chain only
  HeaderInfo tip() const;                                       // the best tip (the anchor at first)
  std::uint32_t anchor_height() const noexcept;
  std::size_t size() const noexcept;  // headers held, anchor included

  // Bitcoin Core's count: tip height − h + 1 if the header is on the best chain, else 0.
  std::uint32_t confirmations(const Hash32& hash) const;

  // SPV inclusion: the block (by hash or height) must be verified and on the best chain
  // (ERR_UNKNOWN_HEADER), have ≥ min_confirmations (ERR_INSUFFICIENT_CONFIRMATIONS); with raw_tx:
  // 64-byte txs refused (ERR_TX_64_BYTES), malformed ones ERR_TX_MALFORMED, txid = SHA256d(tx without
  // witness) else ERR_TX_MISMATCH; then merkle::verify_bitcoin_branch against the header's merkle root
  // (ERR_MERKLE_INDEX / ERR_MERKLE_MUTATED / ERR_MERKLE_BRANCH / ERR_ZERO_ROOT). Does not change state:
  // a rejected proof leaves no trace, so the honest proof for the same block is accepted afterwards.
  Result<TxVerified> verify_tx(const Hash32& block_hash, const TxInclusion& tx,
                               std::uint32_t min_confirmations) const;
  Result<TxVerified> verify_tx(std::uint32_t height, const TxInclusion& tx,
                               std::uint32_t min_confirmations) const;

  // Pre-allocates storage and the hash index for `headers` headers in total. Call it before bulk loads
  // (verify_header_run does): without it, growth re-allocates and re-indexes, which roughly halves the
  // headers/s of a long one-shot load. Amortized, add_header is then allocation-free.
  void reserve(std::size_t headers);

  const Params& params() const noexcept { return params_; }

 private:
  struct alignas(64) Node {  // a verified header in two cache lines; prev_hash is the parent's hash
    Hash32 hash;
    Hash32 merkle_root;
    U256 chainwork;
    std::uint32_t height;
    std::uint32_t parent;  // index into nodes_, kNone for the anchor
    std::int32_t version;
    std::uint32_t time_s;
    std::uint32_t bits;
    std::uint32_t nonce;
    std::uint32_t period_time_s;  // time of the first block of this block's period; 0 = unknown
    std::uint32_t period_bits;    // bits of that block = the testnet walk-back result (chain.cpp); 0 = unknown
  };
  struct BitsCache {  // target and work per bits (bits rarely change)
    std::uint32_t bits = 0;
    bool valid = false;
    U256 target;
    U256 work;
  };
  static constexpr std::uint32_t kNone = 0xffffffffu;

  HeaderChain() = default;
  std::optional<std::uint32_t> index_of(const Hash32& h) const noexcept;
  void index_insert(std::uint32_t node);
  void rebuild_index(std::size_t slot_count);  // indexes every node in nodes_; slot_count a power of two
  Result<std::uint32_t> required_bits_for(std::uint32_t parent, std::uint32_t time_s) const;
  Result<const BitsCache*> cached_bits(std::uint32_t bits);
  HeaderInfo info(std::uint32_t node) const;
  bool on_best(std::uint32_t node) const noexcept;
  Result<TxVerified> verify_tx_at(std::uint32_t node, const TxInclusion& tx, std::uint32_t min_conf) const;

  Params params_;
  std::uint32_t limit_bits_ = 0;       // GetCompact(pow_limit)
  std::uint64_t interval_ = 1;         // params_.interval()
  std::vector<Node> nodes_;            // nodes_[0] is the anchor
  std::vector<std::uint64_t> slots_;   // open-addressing hash index: (32-bit hash tag << 32) | (node + 1); 0 = empty
  std::uint32_t pending_ = kNone;      // last added node, indexed on the next add (its slot prefetched meanwhile)
  std::vector<std::uint32_t> best_;    // best_[h - anchor height] = node on the best chain
  std::uint32_t tip_ = 0;
  std::vector<std::uint32_t> anchor_prev_times_;  // oldest first
  Hash32 anchor_prev_hash_;
  std::array<BitsCache, 4> cache_{};
  unsigned cache_next_ = 0;
};

// Stateless: verifies `headers` (consecutive, oldest first) after `anchor`.
// Errors: the first failing header's error with at = "headers[i]". Also anchor errors (at = "anchor").
struct RunResult {
  Hash32 tip_hash;
  std::uint32_t tip_height = 0;
  U256 chainwork;
  std::uint32_t min_mtp_window = 0;  // smallest MTP window used (report: < 11 means a shortened window)
};
Result<RunResult> verify_header_run(const Params& params, const Anchor& anchor, std::span<const ByteView> headers,
                                    std::int64_t now_s);

// Transaction id: SHA256d of the serialization without witness (segwit marker/flag and witnesses
// stripped by a bounded parser). Errors: ERR_TX_MALFORMED (truncated, trailing bytes, bad flag,
// superfluous witness, counts over the size bound).
Result<Hash32> txid_of(ByteView raw_tx);

}  // namespace causeway::bitcoin
