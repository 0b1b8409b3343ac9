// Strict decoding of Ethereum JSON-RPC objects into the light client's typed values (DESIGN.md §3: JSON-RPC
// responses are decoded in the adapters; light_clients/ethereum takes typed values and raw bytes).
//
//   eth_getBlockByNumber / eth_getBlockByHash  → causeway::ethereum::Header (+ hash, transaction hashes)
//   eth_getBlockReceipts / eth_getTransactionReceipt → causeway::ethereum::Receipt (+ where it sits)
//   eth_getProof (EIP-1186)                     → account/storage values and their proof nodes
//
// Value encodings (Ethereum JSON-RPC specification, "Value encoding"), enforced exactly:
//   QUANTITY  "0x" + hex digits (either case), no leading zeros, "0x0" for zero; "0x", "0x00", "0x01",
//             numbers, and values wider than the field (uint64, or uint256) are refused
//   DATA      "0x" + an even number of hex digits (either case); fixed-size fields have exactly their size
//             (hash 32, address 20, bloom 256, PoW nonce 8 bytes)
// A JSON `null` member is treated as absent (some nodes send optional fork fields as null).
//
// Every decoded object is also checked against itself and the request where the node states it twice:
// decode_block recomputes the block hash by the island's rule and compares it with "hash" (a field the
// decoder does not know — a new fork — shows up here rather than as a silent wrong hash); decode_block_receipts binds receipts to
// the block (count, order, hashes, logIndex sequence, receiptsRoot). These checks only catch broken or
// lying nodes early: trust is still decided by the light client on the typed values (DESIGN.md rule 3).
//
// Errors (stable codes, core/error.hpp; `at` is the JSON path, e.g. "receipts[2].logs[0].topics[1]"):
//   ERR_RPC_RESPONSE      a member missing, of the wrong JSON type, or not a strict QUANTITY/DATA of the
//                         right size; an unknown receipt type is ERR_RECEIPT_ENCODING (below)
//   ERR_OVERFLOW          a QUANTITY wider than its field
//   ERR_TOO_LARGE         a DATA above its bound (extraData: HeaderLimits::max_extra_data; log data:
//                         kMaxReceiptBytes; proof node: kMaxProofNodeBytes; more than kMaxProofNodes nodes,
//                         more than kMaxStorageProofs storage proofs)
//   ERR_ETH_HEADER        fork fields present out of fork order (header_shape)
//   ERR_RECEIPT_ENCODING  a receipt type outside 0x0…0x4, status other than 0x0/0x1, both or neither of
//                         status/root, more than 4 topics
//   ERR_RPC_INCONSISTENT  computed header hash ≠ "hash"; a receipt or log bound to another block,
//                         transaction or position; logIndex not consecutive; receiptsRoot mismatch;
//                         eth_getProof for another address or other slots than requested
//
// Thread-safety: pure functions on values; safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"
#include "causeway/ethereum/consensus.hpp"
#include "causeway/ethereum/header.hpp"
#include "causeway/ethereum/proofs.hpp"
#include "causeway/ethereum/receipt.hpp"

namespace causeway::adapters::ethereum {

namespace eth = causeway::ethereum;

// Bounds on what eth_getProof may hand over (the light client applies its own, tighter ones again).
inline constexpr std::size_t kMaxProofNodes = 64;
inline constexpr std::size_t kMaxProofNodeBytes = eth::kMaxReceiptProofNodeBytes;
// At most this many storage proofs in one eth_getProof answer.
inline constexpr std::size_t kMaxStorageProofs = 1024;

// ---- value encodings ------------------------------------------------------------------------------------

// "0x" + minimal lowercase hex of v ("0x0" for 0): the QUANTITY encoding, for request parameters.
std::string quantity(std::uint64_t v);
// "0x" + minimal lowercase hex of a 32-byte big-endian integer ("0x0" for 0).
std::string quantity(const eth::U256& v);

// QUANTITY → uint64 / uint256 (32 big-endian bytes). Errors: ERR_RPC_RESPONSE (not a string, bad digits,
// leading zero, empty), ERR_OVERFLOW (wider than the type). `at` names the member in errors.
Result<std::uint64_t> decode_quantity_u64(const nlohmann::json& v, std::string_view at);
Result<eth::U256> decode_quantity_u256(const nlohmann::json& v, std::string_view at);
// DATA of any length up to max_bytes. Errors: ERR_RPC_RESPONSE (not a string, not strict hex),
// ERR_TOO_LARGE (above max_bytes).
Result<Bytes> decode_data(const nlohmann::json& v, std::string_view at, std::size_t max_bytes);
// DATA of exactly 32 / 20 bytes. Errors: ERR_RPC_RESPONSE (format or size).
Result<Hash32> decode_hash(const nlohmann::json& v, std::string_view at);
Result<eth::Address> decode_address(const nlohmann::json& v, std::string_view at);

// ---- blocks ---------------------------------------------------------------------------------------------

// How a block is decoded: the island's consensus fixes the block-hash rule, HeaderLimits the extraData bound.
//   RpcTrusted, Clique  hash = keccak256(RLP(header)) (Yellow Paper §4.3; Clique's seal is inside extraData)
//   Ibft2, Qbft         hash = Besu's BFT block hash over a rewritten extraData (light_clients/ethereum
//                       besu_bft.hpp block_hash): committed seals (and the IBFT 2.0 round) left out
struct BlockOptions {
  eth::ConsensusMode consensus = eth::ConsensusMode::RpcTrusted;
  eth::HeaderLimits limits{};
};

// A block as eth_getBlockBy{Number,Hash} returns it, decoded.
struct BlockInfo {
  eth::Header header;                      // every header field, any fork shape
  Hash32 hash;                             // block_hash(header) by the options' rule; equal to the node's "hash"
  std::vector<Hash32> transaction_hashes;  // "transactions", block order (hashes, or full objects' "hash")
};

// The header fields of a block object (the JSON-RPC names of header.hpp: parentHash, sha3Uncles, miner,
// stateRoot, transactionsRoot, receiptsRoot, logsBloom, difficulty, number, gasLimit, gasUsed, timestamp,
// extraData, mixHash, nonce, then the fork fields baseFeePerGas, withdrawalsRoot, blobGasUsed, excessBlobGas,
// parentBeaconBlockRoot, requestsHash when present). Other members are ignored (decode_block's hash check
// catches a header field this decoder does not know). Errors: as the file comment; header_shape's.
Result<eth::Header> decode_header(const nlohmann::json& block, const eth::HeaderLimits& limits = {});

// The block hash of h under the consensus' rule (see BlockOptions). Errors: encode_header's; for Ibft2/Qbft
// the extraData decoder's (ERR_BFT_EXTRA_DATA, …).
Result<Hash32> block_hash(const eth::Header& h, eth::ConsensusMode consensus);

// decode_header plus "hash" (must equal block_hash(header, options.consensus): else ERR_RPC_INCONSISTENT at
// "block.hash") and "transactions" (an array of 32-byte hashes, or of objects whose "hash" is read).
Result<BlockInfo> decode_block(const nlohmann::json& block, const BlockOptions& options = {});

// ---- receipts -------------------------------------------------------------------------------------------

// A receipt as eth_getTransactionReceipt / eth_getBlockReceipts return it, decoded.
struct ReceiptInfo {
  eth::Receipt receipt;                      // the consensus receipt (what the receipts trie commits to)
  Hash32 transaction_hash;
  std::uint64_t transaction_index = 0;       // position in the block = receipts-trie key RLP(index)
  Hash32 block_hash;
  std::uint64_t block_number = 0;
  std::uint64_t gas_used = 0;                // this transaction's gas (not committed by the trie)
  std::optional<eth::Address> contract_address;  // for contract creations
  std::vector<std::uint64_t> log_indexes;    // block-wide "logIndex" of receipt.logs[j], same order
};

// One receipt object. Consensus fields: "type" (absent = legacy 0x0; 0x0…0x4), "status" (0x0 or 0x1) or
// pre-Byzantium "root" (exactly one of them), "cumulativeGasUsed", "logsBloom", "logs" (each "address",
// "topics" ≤ 4, "data", "logIndex"; a log's own "blockHash", "blockNumber", "transactionHash",
// "transactionIndex", when present, must equal the receipt's, and "removed", when present, must be false).
// Errors: as the file comment.
Result<ReceiptInfo> decode_receipt(const nlohmann::json& receipt);

// All receipts of `block` (eth_getBlockReceipts' array). Beyond decode_receipt on each (at "receipts[i]"):
// as many receipts as the block has transactions; receipt i has transactionIndex i, transactionHash =
// block.transaction_hashes[i], blockHash = block.hash, blockNumber = block.header.number; logIndex runs
// 0, 1, 2, … across the block; and receipts_root(receipts) = block.header.receipts_root.
// Errors: as the file comment (mismatches are ERR_RPC_INCONSISTENT).
Result<std::vector<ReceiptInfo>> decode_block_receipts(const nlohmann::json& receipts, const BlockInfo& block);

// ---- eth_getProof (EIP-1186) ----------------------------------------------------------------------------

struct StorageProofInfo {
  Hash32 key;                // the slot, 32 bytes (request slots as 32-byte DATA; see EthRpc::get_proof)
  Hash32 value;              // the word the node claims (QUANTITY → 32 big-endian bytes; 0 = absent)
  std::vector<Bytes> proof;  // trie nodes, root first (verify_storage_proof under account.storage_hash)
};

struct AccountProofInfo {
  eth::Address address;
  eth::Account account;             // what the node claims; verify_account_proof must prove exactly this
  std::vector<Bytes> account_proof;  // trie nodes, root first (verify_account_proof under stateRoot)
  std::vector<StorageProofInfo> storage;  // in the answer's order
};

// One eth_getProof result: "address", "nonce", "balance", "storageHash", "codeHash", "accountProof",
// "storageProof" [{"key", "value", "proof"}]. A proof list consisting only of the empty trie's root node
// "0x80" (what anvil and geth send for an empty trie) is normalized to the empty list, the one proof
// causeway/merkle/mpt.hpp accepts for the empty trie. Errors: as the file comment.
Result<AccountProofInfo> decode_account_proof(const nlohmann::json& result);

}  // namespace causeway::adapters::ethereum
