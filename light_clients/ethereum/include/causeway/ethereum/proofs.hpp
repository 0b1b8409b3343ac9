// Ethereum inclusion proofs against verified header roots: receipts (receiptsRoot), accounts (stateRoot) and
// storage slots (an account's storageHash) — and the PacketSent event of the Causeway endpoint.
//
// Specs: Yellow Paper appendix D (Merkle-Patricia trie; the walk itself is causeway/merkle/mpt.hpp), §4.1
// (account state [nonce, balance, storageRoot, codeHash]), §4.3 (receiptsRoot keyed by RLP(index)), §4.4.1
// (receipts); EIP-1186 (eth_getProof: accountProof / storageProof, secure-trie keys keccak256(address) and
// keccak256(slot), absent keys proven by exclusion); EIP-658 (status); PACKET.md "Source events".
//
// One claim, one proof: the trie walk accepts only canonical nodes, in path order, with no unused node (see
// mpt.hpp), and the proven values must be canonical encodings (decode_receipt, account and storage rules
// below). The same receipt offered with a second, different node list is therefore rejected, never counted
// twice. Every root is checked for all-zero first (A01: ERR_ZERO_ROOT).
//
// Thread-safety: pure functions on values; safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"
#include "causeway/core/packet.hpp"
#include "causeway/ethereum/header.hpp"
#include "causeway/ethereum/receipt.hpp"

namespace causeway::ethereum {

// A receipt leaf holds the whole receipt: proof nodes may be as large as one receipt plus the leaf's RLP
// overhead (a branch node is at most 532 bytes).
inline constexpr std::size_t kMaxReceiptProofNodeBytes = kMaxReceiptBytes + 64;

// ---- receipts ------------------------------------------------------------------------------------------

// Proves the receipt of transaction `tx_index` under `receipts_root` (header H_e) with the trie nodes
// `proof_nodes` (root node first, path order; trie key RLP(tx_index)) and returns it strictly decoded. The
// receipt is returned whatever its status: use log_at / packets_from_receipt, which refuse status ≠ 1.
// Errors: ERR_ZERO_ROOT; ERR_TOO_LARGE (over 64 nodes, a node over kMaxReceiptProofNodeBytes);
// ERR_MPT_PROOF (hash links broken, unused nodes, or the proof shows there is no receipt at tx_index);
// ERR_MPT_NODE_ENCODING / ERR_RLP_* (malformed nodes); then decode_receipt's errors on the value.
Result<Receipt> verify_receipt_proof(const Hash32& receipts_root, std::uint64_t tx_index,
                                     std::span<const Bytes> proof_nodes);

// ---- accounts and storage (EIP-1186) -------------------------------------------------------------------

struct Account {
  std::uint64_t nonce = 0;    // transactions sent / contracts created (EIP-2681 bounds it to 64 bits)
  U256 balance{};             // wei, 32-byte big-endian
  Hash32 storage_hash;        // root of the account's storage trie (storageRoot)
  Hash32 code_hash;           // keccak256 of the account's EVM code
  bool operator==(const Account&) const = default;
};

// keccak256("") = 0xc5d24601…a470: the code hash of an account without code.
Hash32 empty_code_hash() noexcept;
// The value a proven-absent account reads as (EIP-1186): nonce 0, balance 0, storage_hash = the empty trie
// root 0x56e81f17…b421, code_hash = empty_code_hash().
Account empty_account() noexcept;

// Strict decode of an account leaf value RLP([nonce, balance, storageRoot, codeHash]): canonical integers
// (nonce ≤ 8 bytes, balance ≤ 32 bytes), 32-byte hashes, nothing else. Errors: ERR_ACCOUNT_ENCODING (shape,
// sizes), ERR_RLP_* (non-canonical RLP or integer), ERR_OVERFLOW (integer too wide).
Result<Account> decode_account(ByteView rlp);
// RLP([nonce, balance, storageRoot, codeHash]), the inverse of decode_account.
Bytes encode_account(const Account& a);

// Proves the account at `address` under `state_root` (header H_r) with EIP-1186 `accountProof` (trie key
// keccak256(address)). A proven absence returns empty_account(). Errors: ERR_ZERO_ROOT; ERR_TOO_LARGE;
// ERR_MPT_PROOF; ERR_MPT_NODE_ENCODING / ERR_RLP_*; decode_account's errors on the leaf value.
Result<Account> verify_account_proof(const Hash32& state_root, const Address& address,
                                     std::span<const Bytes> proof);

// Proves the 32-byte word stored at `slot` under `storage_hash` (an Account's storage_hash) with an EIP-1186
// `storageProof[i].proof` (trie key keccak256(slot)). The leaf value is RLP of the minimal big-endian
// integer; a proven absence reads as the all-zero word (storage never holds a zero: a leaf holding 0 is
// refused). Returns the word as 32 big-endian bytes (a bytes32 value as Solidity stores it).
// Errors: ERR_ZERO_ROOT; ERR_TOO_LARGE; ERR_MPT_PROOF; ERR_MPT_NODE_ENCODING / ERR_RLP_*; ERR_STORAGE_ENCODING
// (value is a list or a zero); ERR_RLP_NON_CANONICAL (leading zero byte); ERR_OVERFLOW (over 32 bytes).
Result<Hash32> verify_storage_proof(const Hash32& storage_hash, const Hash32& slot, std::span<const Bytes> proof);

// ---- the PacketSent event (PACKET.md "Source events") --------------------------------------------------

// The packet of a PacketSent log of the registered endpoint:
//   event PacketSent(bytes32 indexed commitment, uint64 indexed sequence, bytes packet)
// Checks, in order: log.address == endpoint (ERR_WRONG_EMITTER, A19); exactly 3 topics and topic0 ==
// packet::packet_sent_topic0() (ERR_LOG_MISMATCH); data is the strict ABI encoding of one `bytes` argument
// (ERR_ABI_DECODE, ERR_TOO_LARGE); its content decodes with packet::decode_packet (its errors);
// keccak256(packet bytes) == topic1 (ERR_LOG_MISMATCH, at "topics[1]": binds every field, destination and
// genesis included, A20); topic2 == the packet's sequence as a uint256 word (ERR_LOG_MISMATCH, at "topics[2]").
// The receipt's status is NOT seen here: go through packets_from_receipt / verify_packet_sent.
Result<packet::Packet> packet_from_log(const Log& log, const Address& endpoint);

// Every PacketSent packet of `endpoint` in a receipt, in log order. The receipt must have status 1
// (ERR_RECEIPT_STATUS). Logs of other addresses are skipped whatever their topics (A19: an impostor's
// look-alike yields nothing); a PacketSent-topic0 log of the endpoint that fails packet_from_log is an error.
Result<std::vector<packet::Packet>> packets_from_receipt(const Receipt& receipt, const Address& endpoint);

// The whole source-side check of one packet: verify_receipt_proof, then the log at `log_index` of that
// receipt (its position inside the receipt) must be the endpoint's PacketSent in a status-1 receipt.
// Errors: those of verify_receipt_proof, ERR_RECEIPT_STATUS, ERR_LOG_MISMATCH (no such log index),
// then packet_from_log's.
Result<packet::Packet> verify_packet_sent(const Hash32& receipts_root, std::uint64_t tx_index,
                                          std::span<const Bytes> proof_nodes, std::size_t log_index,
                                          const Address& endpoint);

}  // namespace causeway::ethereum
