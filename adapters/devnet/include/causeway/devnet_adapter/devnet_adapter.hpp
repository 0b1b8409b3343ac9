// The chain adapter of a causeway-devnet island (docs/adapters.md, docs/devnet.md): follows headers, fetches
// proof bundles of sent packets, scans event lists, and submits recv/ack/timeout transactions over the node's
// JSON-RPC (adapters/common JsonRpcClient). It implements adapters::ChainAdapter (DESIGN.md §3) and never
// decides trust (rule 3): every header, commit, validator set, event list and proof it returns is untrusted
// input for light_clients/bft and relay/proofs. It checks only what makes an answer self-consistent (the
// header bytes decode and hash to the stated hash, heights are the ones asked for, an event list matches the
// event_count and event_root of the header returned beside it); a node caught contradicting itself is
// ERR_RPC_INCONSISTENT.
//
// Formats: bundles and `headers` arrays are PROOF-BUNDLE.md family `bft`, codec `causeway-devnet/v1`; event
// leaves are docs/devnet.md "Event leaves" (0x01 ‖ packet_bytes, 0x02 ‖ ack_bytes, 0x03 ‖ commitment ‖
// ack_commitment); transactions are signed with adapters/devnet/node's tx.hpp (the one encoding).
//
// Bounds (DESIGN.md §6): the JSON-RPC client caps response bodies (RpcOptions::max_response_bytes) and JSON
// depth; on top, a block's event list is capped at max_events_per_block, one leaf at kMaxLeafBytes, a header
// at bft::devnet::kMaxHeaderSize, a commit and a validator set at bft::kMaxValidators entries, and each call
// at max_proof_headers / max_scan_blocks blocks.
//
// Errors (stable codes, core/error.hpp): the client's ERR_RPC_TRANSPORT, ERR_RPC_TIMEOUT, ERR_RPC_ERROR,
// ERR_RPC_RESPONSE (a field of the wrong shape, with `at` naming it), ERR_TOO_LARGE; ERR_RPC_INCONSISTENT (see
// above); ERR_INVALID_ARGUMENT (a bad request: anchor above height, a range over the bounds, no submitter key);
// ERR_UNKNOWN_PACKET (no sent-packet leaf with that commitment at that height). A refused transaction is the
// node's own stable code (docs/devnet.md "Endpoint module", e.g. ERR_PACKET_REPLAYED, ERR_INSUFFICIENT_QUORUM,
// ERR_PACKET_TIMED_OUT), taken from the JSON-RPC error's data.code; an error code the node names that this
// build does not know stays ERR_RPC_ERROR.
//
// Thread-safety: not safe for concurrent use (one JSON-RPC connection); the engine calls one adapter from one
// worker thread (chain_adapter.hpp). Distinct adapters are independent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "causeway/adapters/chain_adapter.hpp"
#include "causeway/adapters/common/json_rpc.hpp"
#include "causeway/bft/devnet_codec.hpp"
#include "causeway/bft/suite.hpp"
#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"

namespace causeway::adapters::devnet {

inline constexpr std::size_t kMaxLeafBytes = 1u << 20;  // one event leaf (a packet is at most ~66 KiB)
inline constexpr std::size_t kMaxRpcBatch = 100;        // the node refuses larger batches

struct DevnetAdapterConfig {
  std::string rpc_url;                        // http://host:port of the node's JSON-RPC
  RpcOptions rpc;                             // timeouts and response bounds
  Bytes submitter_key;                        // 32-byte secp256k1 secret signing recv/ack/timeout txs;
                                              // empty = read-only (submits fail with ERR_INVALID_ARGUMENT)
  std::uint64_t trusting_period_s = 1'209'600;  // written into fetched bundles' anchor (14 days)
  std::size_t max_proof_headers = 10'000;     // headers of one fetched bundle (anchor+1 … height)
  std::size_t max_scan_blocks = 10'000;       // blocks of one scan call / follow_headers call
  std::size_t max_events_per_block = 100'000; // leaves of one block's event list
  std::size_t batch = kMaxRpcBatch;           // JSON-RPC calls per batch, 1 … 100
};

// What devnet_genesis says about the island (read once by connect()).
struct IslandInfo {
  std::string island;          // "cwdevnet:<name>"
  std::string chain_id;        // the headers' chain_id, as block 0 carries it (the node uses the island id)
  Hash32 genesis_hash;         // hash of block 0
  bft::Suite suite = bft::Suite::Secp256k1Sha256;
  Bytes endpoint;              // the endpoint module id (PACKET.md dest_endpoint / source_endpoint)
  std::vector<secp256k1::Address> committee;
  std::uint32_t committee_k = 0;
};

// One block's complete event list with the header that commits to it (count and RFC 6962 root checked for
// consistency here; the header itself must still be verified by the light client before the list proves
// anything — PACKET.md "Non-delivery proof").
struct BlockEvents {
  std::uint64_t height = 0;
  Hash32 hash;                  // the header hash (suite hash of `header`)
  Bytes header;                 // canonical causeway-devnet/v1 header bytes
  bft::devnet::Header fields;   // decoded header
  std::vector<Bytes> leaves;    // every event leaf, in order (== fields.event_count leaves)
};

struct SentPacketEvent {        // leaf 0x01 ‖ packet_bytes
  std::uint64_t height = 0;
  std::uint64_t index = 0;      // position in the block's event list
  Bytes packet_bytes;
  Hash32 commitment;            // keccak256(packet_bytes)
};
struct AckEvent {               // leaf 0x02 ‖ ack_bytes (an acknowledgement written by this destination)
  std::uint64_t height = 0;
  std::uint64_t index = 0;
  Bytes ack_bytes;
  Hash32 commitment;            // decoded from ack_bytes
  Hash32 ack_commitment;        // keccak256(ack_bytes)
};
struct ReceiptEvent {           // leaf 0x03 ‖ commitment ‖ ack_commitment (a packet received here)
  std::uint64_t height = 0;
  std::uint64_t index = 0;
  Hash32 commitment;
  Hash32 ack_commitment;
};

// devnet_getReceipt of a transaction.
struct TxReceipt {
  Hash32 tx_hash;
  std::uint64_t height = 0;
  std::uint64_t index = 0;
  std::string kind;             // "recv_packet", …
  std::uint64_t nonce = 0;
  bool success = false;
  std::uint64_t first_event = 0;
  std::uint64_t event_count = 0;
  std::string error_code;       // failed receipts: "ERR_…"
  std::string error_message;
};

class DevnetAdapter final : public ChainAdapter {
 public:
  // Makes the JSON-RPC client and reads devnet_genesis (island, genesis hash, suite, endpoint, committee).
  // Errors: parse_http_url's ERR_INVALID_ARGUMENT, ERR_INVALID_ARGUMENT for a submitter key that is not a
  // valid 32-byte secret or batch outside 1 … 100, the client's errors, ERR_RPC_RESPONSE for a malformed answer.
  static Result<std::unique_ptr<DevnetAdapter>> connect(DevnetAdapterConfig config);

  ~DevnetAdapter() override;

  // ---- ChainAdapter -----------------------------------------------------------------------------

  std::string island() const override;

  // Up to `max` (≤ max_scan_blocks) headers after `from_height`, as far as the node's tip: the JSON text of a
  // PROOF-BUNDLE.md `headers` array: [{"header": {fields}, "commit": [...], "validators"?: [...],
  // "next_validators"?: [...]}]. The first entry always carries `validators` (its own set); later entries only
  // when their set differs from the previous header's; `next_validators` where the block changes the set. An
  // empty array when the node has nothing after from_height.
  Result<std::string> follow_headers(std::uint64_t from_height, std::size_t max) override;

  // The bundle proving the sent packet `commitment` in block `height`: anchor = block `anchor_height` (header,
  // validators, next_validators, trusting_period_s), headers anchor+1 … height, inclusion = the event-tree
  // RFC 6962 proof of the leaf 0x01 ‖ packet_bytes (devnet_getEventProof). No verify_time_s (the verifier's
  // clock applies). Errors: ERR_INVALID_ARGUMENT (anchor_height > height, or more than max_proof_headers
  // headers), ERR_UNKNOWN_PACKET (no such leaf at `height`), plus the file comment's.
  Result<std::string> fetch_proof(const Hash32& commitment, std::uint64_t height,
                                  std::uint64_t anchor_height) override;

  // Signs and submits recv_packet(packet_bytes, attestations) with the submitter key and the node's pending
  // nonce; returns the tx hash (32 bytes) once devnet_sendTransaction accepted it (the node executes it in full
  // against the pending state first, so a replay or a bad attestation is refused here with its code).
  // Errors: ERR_ISLAND_MISMATCH (delivery for another island), ERR_WRONG_DESTINATION (dest_endpoint set and not
  // this endpoint), ERR_INVALID_ARGUMENT (commitment ≠ keccak256(packet_bytes), 0 or > 64 attestations, no
  // submitter key), ERR_BAD_LENGTH (a signature not 65 bytes), the node's code.
  Result<Submitted> submit_delivery(const Delivery& delivery) override;

  // devnet_getPacketReceipt(commitment). When received and `tx` is the 32-byte hash of a recv_packet
  // transaction whose receipt succeeded and whose events hold 0x03 ‖ commitment ‖ ack_commitment, `height`
  // and `tx` name it; otherwise they stay 0 / empty (delivered by another transaction).
  Result<DeliveryStatus> lookup_delivery(const Hash32& commitment, ByteView tx) override;

  // ---- devnet specifics -------------------------------------------------------------------------

  const IslandInfo& info() const noexcept;
  Result<std::uint64_t> latest_height() override;

  // Complete event lists of blocks from … to (inclusive; at most max_scan_blocks blocks).
  Result<std::vector<BlockEvents>> block_events(std::uint64_t from, std::uint64_t to);
  // The 0x01 / 0x02 / 0x03 leaves of blocks from … to, in chain order. Unknown leaf kinds are skipped.
  // A 0x02/0x03 leaf of the wrong size or an ack that does not decode is ERR_RPC_RESPONSE (the node's own
  // module writes them; a wrong one is a lying node).
  Result<std::vector<SentPacketEvent>> sent_packets(std::uint64_t from, std::uint64_t to);
  Result<std::vector<AckEvent>> acknowledgements(std::uint64_t from, std::uint64_t to);
  Result<std::vector<ReceiptEvent>> receipts(std::uint64_t from, std::uint64_t to);

  // acknowledge_packet(packet_bytes, ack_bytes, attestations) and timeout_packet(packet_bytes, attestations)
  // at this (source) island, signed like submit_delivery. Errors: ERR_INVALID_ARGUMENT, ERR_BAD_LENGTH, the
  // node's code.
  Result<Submitted> submit_acknowledgement(ByteView packet_bytes, ByteView ack_bytes,
                                           const std::vector<MemberAttestation>& attestations) override;
  Result<Submitted> submit_timeout(ByteView packet_bytes, const std::vector<MemberAttestation>& attestations) override;

  // ---- the packet lifecycle (chain_adapter.hpp) ----------------------------------------------------
  // sent_packets as SentPacketRefs (from … to at most max_scan_blocks blocks).
  Result<std::vector<SentPacketRef>> scan_sent(std::uint64_t from, std::uint64_t to) override;
  // The bft bundle of the leaf 0x02 ‖ ack_bytes whose ack names `commitment`: at height_hint if it holds it,
  // else the first block after anchor_height that does (acknowledgements scan, up to the tip). Headers
  // anchor+1 … the ack's block. ERR_UNKNOWN_PACKET when no ack is found.
  Result<std::string> fetch_ack_proof(const Hash32& commitment, std::uint64_t height_hint,
                                      std::uint64_t anchor_height) override;
  // The header document (causeway/proofs/headers.hpp) anchor+1 … at_height with "events": {"<h>": [leaf hex]}
  // for every block from_height … at_height (each list checked against its header's event_count/event_root
  // here; the engine re-checks it against the VERIFIED header). Errors: ERR_INVALID_ARGUMENT (from_height
  // below anchor_height + 1 unless equal to the anchor, at_height below from_height, over max_proof_headers).
  Result<std::string> fetch_non_delivery_proof(const Hash32& commitment, std::uint64_t from_height,
                                               std::uint64_t at_height, std::uint64_t anchor_height) override;
  // devnet_getSentPacket: pending → Pending, acknowledged → Acknowledged, refunded / timed_out → Refunded,
  // null → Unknown.
  Result<SourceStatus> lookup_sent(const Hash32& commitment) override;

  // devnet_getReceipt: std::nullopt while the transaction is not in a block.
  Result<std::optional<TxReceipt>> tx_receipt(const Hash32& tx_hash);

 private:
  struct Impl;
  explicit DevnetAdapter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The stable code a refused call names: an ERR_RPC_ERROR whose JSON-RPC error data carries {"code": "ERR_…"}
// (docs/devnet.md "JSON-RPC") becomes that code with the node's message as detail; anything else is returned
// unchanged.
Error node_error(Error e);

}  // namespace causeway::adapters::devnet
