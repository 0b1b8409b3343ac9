// The chain adapter of an EVM island (docs/adapters.md "EVM"; issue #7): follows headers, fetches receipt-proof
// bundles of the endpoint's PacketSent logs, storage proofs of its receipt slot (non-delivery), scans
// PacketSent logs, and submits deliveries (recvPacket) as EIP-1559 transactions, over several JSON-RPC
// endpoints (endpoint_pool.hpp). It implements adapters::ChainAdapter (DESIGN.md §3) and never decides trust
// (rule 3): headers, bundles and logs it returns are untrusted input for light_clients/ethereum and
// relay/proofs. It checks only what makes an answer self-consistent (rpc_block.hpp: block hashes, receipts
// bound to their block and its receiptsRoot, proofs for the asked address and slot); a node caught
// contradicting itself is ERR_RPC_INCONSISTENT and its endpoint is demoted.
//
// Formats: `headers` arrays and bundles are PROOF-BUNDLE.md family `ethereum` (headers as RLP hex, consensus
// from the config); the source event is PACKET.md "Source events" (PacketSent of the registered endpoint only,
// A19, in a status-1 receipt); the receipt slot is PACKET.md's keccak256(commitment ‖ uint256(0)).
//
// Submission (A24, A27, A30): before signing, the endpoint's receipts(commitment) is read and a packet already
// received is refused with ERR_PACKET_REPLAYED without sending anything; the nonce is the chain's
// eth_getTransactionCount(pending) (a cached nonce that differs is counted as a resync, never trusted), re-read
// and retried once when the node answers "nonce too low/high"; a rejected transaction never advances the cached
// nonce; gas = eth_estimateGas × (1 + margin), refused above gas_cap (a revert during estimation maps the
// revert's ERR_ code, e.g. ERR_PACKET_REPLAYED); fees: maxPriorityFeePerGas from eth_maxPriorityFeePerGas
// (default_priority_fee_wei when the node lacks it), maxFeePerGas = 2 × latest baseFee + tip (refused above
// max_fee_per_gas_cap); chains without baseFee get a legacy EIP-155 transaction at eth_gasPrice. The receipt is
// then waited for (receipt_timeout): status 1 → Submitted; status 0 → ERR_PACKET_REPLAYED when the endpoint
// now holds a receipt (another relayer won the race, A27), else ERR_DELIVERY_FAILED; no receipt in time →
// ERR_RPC_TIMEOUT (the transaction may still be included: look it up before any retry, A30;
// last_submitted_tx() names it).
//
// Errors (stable codes, core/error.hpp): the client's ERR_RPC_TRANSPORT, ERR_RPC_TIMEOUT, ERR_RPC_ERROR,
// ERR_RPC_RESPONSE, ERR_TOO_LARGE; the decoders'; ERR_RPC_INCONSISTENT; ERR_INVALID_ARGUMENT (a bad request or
// config); ERR_ISLAND_MISMATCH (a node of another chain id, a delivery for another island); ERR_WRONG_DESTINATION
// (dest_endpoint not this endpoint); ERR_UNKNOWN_PACKET (no PacketSent of the endpoint with that commitment in
// the block); ERR_INSUFFICIENT_CONFIRMATIONS (the chain is not yet min_confirmations past the block);
// ERR_PACKET_REPLAYED; ERR_DELIVERY_FAILED; ERR_TX_NONCE (the nonce still mismatched after the re-read).
//
// Thread-safety: not safe for concurrent use (one worker thread, chain_adapter.hpp), except
// report_unverifiable, reinstate and metrics(), which may be called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "causeway/adapters/chain_adapter.hpp"
#include "causeway/adapters/common/json_rpc.hpp"
#include "causeway/adapters/common/new_heads.hpp"
#include "causeway/adapters/ethereum/endpoint_pool.hpp"
#include "causeway/adapters/ethereum/head_follower.hpp"
#include "causeway/adapters/ethereum/rpc_block.hpp"
#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"
#include "causeway/core/packet.hpp"

namespace causeway::adapters::ethereum {

struct EvmAdapterConfig {
  std::vector<std::string> rpc_urls;          // http://… JSON-RPC endpoints of the island (≥ 1)
  // Optional ws://… of a node of the island: new heads are pushed (eth_subscribe "newHeads",
  // adapters/common new_heads.hpp) and latest_height() answers from the last notified head while the
  // subscription is live, instead of an eth_blockNumber round trip; empty = polling only.
  std::string ws_url;
  NewHeadsOptions ws;
  RpcOptions rpc;                             // timeouts and response bounds (per endpoint)
  std::string island;                         // "eip155:<chainId>": checked against eth_chainId at connect
  eth::Address endpoint{};                    // the registered Endpoint contract (A19), non-zero
  eth::ConsensusMode consensus = eth::ConsensusMode::RpcTrusted;  // bundle `consensus` and block-hash rule
  nlohmann::json anchor_extra = nlohmann::json::object();  // extra anchor members ("validators", "epoch", …)
  bool allow_rpc_trusted_public = false;      // written into bundles when set
  std::uint64_t min_confirmations = 1;        // bundles carry headers up to height + min_confirmations − 1
  std::size_t max_proof_headers = 10'000;     // headers in one bundle / one follow_headers call
  std::size_t max_scan_blocks = 10'000;       // blocks of one scan (eth_getLogs) / lookup search
  std::size_t max_logs = 10'000;              // logs of one eth_getLogs answer
  bool use_block_receipts = true;             // false: always per-transaction receipts (fallback path)

  Bytes submitter_key;                        // 32-byte secp256k1 secret; empty = read-only
  std::uint64_t gas_cap = 8'000'000;          // refuse a delivery whose estimate (with margin) is above
  unsigned gas_margin_percent = 25;
  std::uint64_t max_fee_per_gas_cap = 1'000'000'000'000;  // wei per gas (1,000 gwei)
  std::uint64_t default_priority_fee_wei = 1'000'000'000; // 1 gwei
  bool wait_for_receipt = true;
  std::chrono::milliseconds receipt_timeout{60'000};
  std::chrono::milliseconds poll_interval{100};
};

// A PacketSent log of the endpoint found by a scan (eth_getLogs). Untrusted until proven by fetch_proof's bundle.
struct SentPacketLog {
  std::uint64_t block_number = 0;
  Hash32 block_hash;
  Hash32 transaction_hash;
  std::uint64_t transaction_index = 0;
  std::uint64_t log_index = 0;   // block-wide logIndex
  Hash32 commitment;             // topic1
  std::uint64_t sequence = 0;    // topic2
  Bytes packet_bytes;            // decoded from data; keccak256(packet_bytes) == commitment checked
};

// eth_getProof of the endpoint's receipt slot for a commitment at a block: the data of the relay's timeout path
// (PACKET.md "Non-delivery proof"). Verify with verify_receipt_slot against the block's *verified* stateRoot.
struct ReceiptSlotProof {
  std::uint64_t block_number = 0;
  Hash32 block_hash;             // as the node reported it (the light client decides whether it is canonical)
  Hash32 state_root;             // the node's header value (the caller uses the verified one)
  Hash32 commitment;
  Hash32 slot;                   // keccak256(commitment ‖ uint256(0))
  eth::Address endpoint{};
  AccountProofInfo proof;        // account proof + one storage proof of `slot`
};

// Verifies a ReceiptSlotProof under `verified_state_root` with light_clients/ethereum: the account proof must
// prove exactly the claimed account, the storage proof the claimed word under its storageHash. Returns the
// proven word (all zero = no receipt = not delivered at that block). Errors: verify_account_proof's /
// verify_storage_proof's, ERR_CLAIM_MISMATCH (proven values differ from the claimed ones).
Result<Hash32> verify_receipt_slot(const ReceiptSlotProof& p, const Hash32& verified_state_root);

struct EvmAdapterMetrics {
  PoolMetrics pool;
  std::uint64_t receipts_fallbacks = 0;   // blocks whose receipts came per transaction
  std::uint64_t submits = 0;              // transactions sent
  std::uint64_t refused_before_send = 0;  // already received, estimate reverted, gas or fee cap
  std::uint64_t nonce_resyncs = 0;        // cached nonce ≠ the chain's; the chain's was used
  std::uint64_t nonce_retries = 0;        // "nonce too low/high" answers re-read and retried
  std::uint64_t send_rejections = 0;      // eth_sendRawTransaction refused (nonce not advanced)
  std::uint64_t reverted = 0;             // mined with status 0
};

class EvmAdapter final : public ChainAdapter {
 public:
  // Makes the endpoint pool and checks eth_chainId of the first endpoint that answers against `island`
  // (ERR_ISLAND_MISMATCH); reads the submitter's address. Errors: ERR_INVALID_ARGUMENT (config), the pool's,
  // the client's.
  static Result<std::unique_ptr<EvmAdapter>> connect(EvmAdapterConfig config);
  ~EvmAdapter() override;

  // ---- ChainAdapter -----------------------------------------------------------------------------

  std::string island() const override;

  // Up to `max` (≤ max_proof_headers) headers after `from_height`, as far as the tip: a PROOF-BUNDLE.md
  // `ethereum` `headers` array of RLP hex strings. Empty when the node has nothing after from_height.
  Result<std::string> follow_headers(std::uint64_t from_height, std::size_t max) override;

  // The receipt bundle of the endpoint's PacketSent log with topic1 = commitment in block `height`: anchor =
  // block anchor_height's RLP (+ anchor_extra), headers anchor+1 … height + min_confirmations − 1, inclusion
  // `receipt` (every receipt of the block from eth_getBlockReceipts, or per transaction; the trie built here;
  // log_index = the log's position inside its receipt), finality.min_confirmations. No verify_time_s.
  // Errors: ERR_INVALID_ARGUMENT (anchor_height ≥ height, too many headers), ERR_UNKNOWN_PACKET,
  // ERR_INSUFFICIENT_CONFIRMATIONS, plus the file comment's.
  Result<std::string> fetch_proof(const Hash32& commitment, std::uint64_t height,
                                  std::uint64_t anchor_height) override;

  // recvPacket(packet, attestations) to the endpoint; see the file comment ("Submission"). Returns the
  // 32-byte transaction hash. Errors: ERR_ISLAND_MISMATCH, ERR_WRONG_DESTINATION, ERR_INVALID_ARGUMENT
  // (commitment ≠ keccak256(packet_bytes), 0 or > 64 attestations, no submitter key), ERR_BAD_LENGTH (a
  // signature not 65 bytes), decode_packet's, and the file comment's.
  Result<Submitted> submit_delivery(const Delivery& delivery) override;

  // receipts(commitment) by eth_call at the latest block. When received: `height`/`tx` from the receipt of
  // `tx` (32 bytes) if it is a status-1 transaction whose AcknowledgementWritten log of the endpoint has topic1
  // = commitment; otherwise from an eth_getLogs search for that log over the last max_scan_blocks blocks
  // (another relayer's delivery, A27); both stay 0/empty when neither finds it.
  Result<DeliveryStatus> lookup_delivery(const Hash32& commitment, ByteView tx) override;

  // ---- EVM specifics ----------------------------------------------------------------------------

  // The node's tip: the last head notified over WebSocket while that subscription is live (config.ws_url),
  // else eth_blockNumber. Untrusted either way (a hint for scans and timeouts; proofs decide).
  Result<std::uint64_t> latest_height() override;
  // Waits up to `timeout` for a head newer than `after` to be notified over WebSocket; its height, or
  // std::nullopt (no ws_url, not live, or none in time). Lets a caller react to a block without polling.
  std::optional<std::uint64_t> wait_new_head(std::uint64_t after, std::chrono::milliseconds timeout);
  // sent_packets as SentPacketRefs (the packet lifecycle, chain_adapter.hpp).
  Result<std::vector<SentPacketRef>> scan_sent(std::uint64_t from, std::uint64_t to) override;
  // The receipt bundle (same shape as fetch_proof's) of the endpoint's AcknowledgementWritten log with topic1 =
  // commitment in block `height_hint`; height_hint ≤ anchor_height (0 = unknown) searches it with eth_getLogs
  // over anchor_height + 1 … min(tip, anchor_height + max_scan_blocks). Errors: fetch_proof's
  // (ERR_UNKNOWN_PACKET: no acknowledgement written yet).
  Result<std::string> fetch_ack_proof(const Hash32& commitment, std::uint64_t height_hint,
                                      std::uint64_t anchor_height) override;
  // PACKET.md "Non-delivery proof" for EVM: fetch_receipt_slot_bundle at min(at_height, tip − min_confirmations
  // + 1) (from_height is not needed: one slot read at a verified block proves non-delivery up to it).
  // Errors: ERR_INVALID_ARGUMENT (no confirmed block above the anchor), ERR_INSUFFICIENT_CONFIRMATIONS, the bundle's.
  Result<std::string> fetch_non_delivery_proof(const Hash32& commitment, std::uint64_t from_height,
                                               std::uint64_t at_height, std::uint64_t anchor_height) override;
  // acknowledgePacket(packet, ack, attestations) / timeoutPacket(packet, attestations) at this (source) island's
  // endpoint, sent like submit_delivery (file comment "Submission": nonce A24, fees, gas, receipt wait). A30:
  // sentStatus(commitment) is read before signing and after a revert — a packet already acknowledged or refunded
  // is ERR_PACKET_REPLAYED, nothing sent. Errors: ERR_INVALID_ARGUMENT (no key, 0 or > 64 attestations, an ack of
  // another packet), ERR_BAD_LENGTH, ERR_ISLAND_MISMATCH (a packet of another source island), decode errors, and
  // the file comment's (a revert names its code, e.g. ERR_ATTESTATION_INVALID).
  Result<Submitted> submit_acknowledgement(ByteView packet_bytes, ByteView ack_bytes,
                                           const std::vector<MemberAttestation>& attestations) override;
  Result<Submitted> submit_timeout(ByteView packet_bytes, const std::vector<MemberAttestation>& attestations) override;
  // sentStatus(commitment) of the endpoint (eth_call at latest; Endpoint.sol slot 1): 0 Unknown, 1 Pending,
  // 2 Acknowledged, 3 / 4 Refunded (error ack / timeout). Another value is ERR_RPC_RESPONSE.
  Result<SourceStatus> lookup_sent(const Hash32& commitment) override;
  // Every receipt of block `height` (eth_getBlockReceipts, falling back to eth_getTransactionReceipt per
  // transaction when the node lacks the method or use_block_receipts is false), bound to the block.
  Result<std::vector<ReceiptInfo>> block_receipts(const BlockInfo& block);

  // PacketSent logs of the endpoint in blocks from … to (inclusive, ≤ max_scan_blocks), chain order
  // (eth_getLogs filtered by address and topic0; removed logs and other emitters refused as inconsistent).
  Result<std::vector<SentPacketLog>> sent_packets(std::uint64_t from, std::uint64_t to);

  // eth_getProof of the receipt slot of `commitment` at block `height` (see ReceiptSlotProof).
  Result<ReceiptSlotProof> receipt_slot_proof(const Hash32& commitment, std::uint64_t height);
  // The same as a PROOF-BUNDLE.md `storage` bundle (anchor anchor_height, headers anchor+1 … height +
  // min_confirmations − 1): what `causeway proof verify` checks; value 0 proves non-delivery at `height`.
  Result<std::string> fetch_receipt_slot_bundle(const Hash32& commitment, std::uint64_t height,
                                                std::uint64_t anchor_height);

  // A follower of new heads over this adapter's endpoints (head_follower.hpp): its tip is latest_height()
  // (the WebSocket head when live), blocks are read over JSON-RPC, reorgs are detected by parent hashes.
  HeadFollower head_follower(std::optional<Head> start, std::size_t window = 256);

  // The endpoint that served the last operation (the one to report when its data fails verification).
  std::string last_endpoint() const;
  // The engine's hook (endpoint_pool.hpp): data served by `url` failed verification → demoted.
  bool report_unverifiable(std::string_view url);
  bool reinstate(std::string_view url);
  EvmAdapterMetrics metrics() const;

  // The submitter's address (zero when read-only) and the last transaction sent (for A30 look-ups).
  eth::Address submitter() const;
  std::optional<Hash32> last_submitted_tx() const;
  std::uint64_t chain_id() const;

 private:
  struct Impl;
  explicit EvmAdapter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The code a revert reason or a node's error message names ("execution reverted: ERR_PACKET_REPLAYED" →
// ERR_PACKET_REPLAYED), or std::nullopt when it names none this build knows.
std::optional<Code> code_in_message(std::string_view message);

}  // namespace causeway::adapters::ethereum
