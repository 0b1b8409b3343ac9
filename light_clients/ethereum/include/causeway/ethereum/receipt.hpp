// Ethereum transaction receipts and logs: typed values, canonical encoding, strict decoding, the receipts
// trie root, and log extraction bound to its emitter.
//
// Specs: Yellow Paper §4.4.1 "Transaction Receipt" (R = (R_x type, R_z status, R_u cumulative gas, R_b bloom,
// R_l logs), a log O = (O_a address, (O_t0, …) topics, O_d data)); EIP-658 (status byte replaces the
// post-state root from Byzantium on); EIP-2718 (typed envelope: type byte ‖ RLP(body), legacy = bare RLP
// list); receipt bodies of EIP-2930 (type 0x01), EIP-1559 (0x02), EIP-4844 (0x03), EIP-7702 (0x04) are all
// [status, cumulativeGasUsed, logsBloom, logs]. The receipts trie (Yellow Paper §4.3, H_e) maps
// RLP(transaction index) to the encoded receipt (typed receipts include their type byte).
//
// Strictness (one receipt, one encoding):
//   - status is exactly the empty string (0, failed) or the byte 0x01 (1, success); a 32-byte string is a
//     pre-Byzantium post-state root (legacy receipts only); anything else is refused;
//   - cumulativeGasUsed is a canonical uint64 (gas); the bloom is 256 bytes; an address 20 bytes; a topic 32
//     bytes, at most 4 topics (LOG0 … LOG4); the bloom is not recomputed (it is committed, not trusted);
//   - a typed receipt's type byte is one of 0x01 … 0x04 and its body is an RLP list; a legacy receipt is an RLP
//     list (a first byte ≥ 0xc0); every RLP item is canonical with nothing after it.
//
// Thread-safety: value types and pure functions; safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"
#include "causeway/ethereum/header.hpp"

namespace causeway::ethereum {

// EIP-2718 transaction (and receipt) types.
enum class TxType : std::uint8_t {
  Legacy = 0x00,      // no envelope: the receipt is the bare RLP list
  AccessList = 0x01,  // EIP-2930
  DynamicFee = 0x02,  // EIP-1559
  Blob = 0x03,        // EIP-4844
  SetCode = 0x04,     // EIP-7702
};

// What a receipt says about the transaction's outcome.
enum class ReceiptStatus : std::uint8_t {
  Failed = 0,        // EIP-658 status 0: reverted; the receipt's logs were discarded and it proves nothing
  Success = 1,       // EIP-658 status 1
  PreByzantium = 2,  // no status: a 32-byte intermediate state root instead (legacy receipts before Byzantium)
};

inline constexpr std::size_t kMaxTopics = 4;
// Upper bound of one encoded receipt (bytes). A receipt's size is bounded by its block's gas (log data costs
// 8 gas per byte): 8 MiB allows a 60 M-gas block of log data.
inline constexpr std::size_t kMaxReceiptBytes = 8u * 1024 * 1024;

struct Log {
  Address address{};            // O_a: the emitting contract
  std::vector<Hash32> topics;   // O_t: 0 … 4 topics
  Bytes data;                   // O_d
  bool operator==(const Log&) const = default;
};

struct Receipt {
  TxType type = TxType::Legacy;
  ReceiptStatus status = ReceiptStatus::Success;
  Hash32 post_state;                     // only meaningful when status == PreByzantium
  std::uint64_t cumulative_gas_used = 0; // gas used in the block up to and including this transaction
  Bloom logs_bloom{};
  std::vector<Log> logs;
  bool operator==(const Receipt&) const = default;
};

// The EIP-2718 encoding: legacy → RLP([status|postState, cumulativeGasUsed, logsBloom, logs]); typed →
// type byte ‖ that RLP. Errors: ERR_RECEIPT_ENCODING (a typed receipt with a post-state root, a log with more
// than 4 topics, a type outside 0x00 … 0x04).
Result<Bytes> encode_receipt(const Receipt& r);

// Strict inverse of encode_receipt (the value stored in the receipts trie, or eth_getRawReceipts' element).
// Errors: ERR_TOO_LARGE (above max_bytes), ERR_RECEIPT_ENCODING (empty input, unknown type byte, wrong field
// count or sizes, bad status, more than 4 topics, a typed receipt with a post-state root; `at` names the
// field, e.g. "logs[2].topics[1]"), ERR_RLP_* (non-canonical RLP), ERR_OVERFLOW (cumulativeGasUsed),
// ERR_TOO_LARGE also for a list nested inside a topic or a log field (deeper than a receipt can be).
Result<Receipt> decode_receipt(ByteView encoded, std::size_t max_bytes = kMaxReceiptBytes);

// The receipts trie key of transaction `tx_index`: RLP(tx_index) (so index 0 is the key 0x80).
Bytes receipt_trie_key(std::uint64_t tx_index);

// receiptsRoot (H_e) of a block's receipts in block order: the Merkle-Patricia root of the trie that maps
// receipt_trie_key(i) to encoded receipt i. No receipts → empty_trie_root(). Errors: as encode_receipt, with
// at = "receipts[i]".
Result<Hash32> receipts_root(std::span<const Receipt> receipts);
// The same over receipts already encoded (each as encode_receipt produced it; they are not re-checked).
Hash32 receipts_root_encoded(std::span<const Bytes> encoded_receipts);

// A receipt counts as evidence only with status 1. Errors: ERR_RECEIPT_STATUS for status 0 (failed) and for a
// pre-Byzantium receipt (no status, only a post-state root).
Status require_success(const Receipt& receipt);

// Log `log_index` (its position inside THIS receipt, not the block-wide logIndex) bound to its claim: the
// receipt has status 1, the log exists, was emitted by `emitter` (A19: a log of the right shape from any other
// contract proves nothing) and has exactly `topics` and `data`. Check order and errors:
//   ERR_RECEIPT_STATUS  status 0 (failed) or a pre-Byzantium receipt without status
//   ERR_LOG_MISMATCH    log_index ≥ number of logs
//   ERR_WRONG_EMITTER   the log's address ≠ emitter
//   ERR_LOG_MISMATCH    topics or data differ (count, order or any byte)
// Returns a reference into `receipt` (valid while it lives).
Result<const Log*> log_at(const Receipt& receipt, std::size_t log_index, const Address& emitter,
                          std::span<const Hash32> topics, ByteView data);

}  // namespace causeway::ethereum
