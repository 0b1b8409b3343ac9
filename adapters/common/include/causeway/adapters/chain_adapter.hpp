// The narrow chain-adapter interface (DESIGN.md §3): what relay/engine asks of a chain — follow headers, fetch
// proofs, submit a delivery, look a delivery up. Adapters FETCH; they never decide trust (rule 3): everything
// they return is untrusted input that the light clients and relay/proofs verify. An RPC node can delay the
// relay through an adapter, never make it accept a wrong header, proof or event.
//
// Errors are values (core/error.hpp): transport problems are ERR_RPC_TRANSPORT / ERR_RPC_TIMEOUT /
// ERR_RPC_ERROR; a destination that refuses a delivery is ERR_DELIVERY_FAILED (or the chain's own code, e.g.
// ERR_PACKET_REPLAYED). A timed-out submit_delivery may still have been included (A30): the engine looks the
// delivery up before every retry, so an adapter need not (and must not try to) make submission idempotent.
//
// Thread-safety: the engine calls one adapter from one worker thread at a time (one worker per island).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"
#include "causeway/core/secp256k1.hpp"

namespace causeway::adapters {

// One committee member's attestation (PACKET.md "Attestations"): recvPacket takes a list of these.
struct MemberAttestation {
  secp256k1::Address member{};
  std::uint64_t audit_index = 0;
  Bytes signature;  // 65 bytes r ‖ s ‖ v
};

// A packet to deliver to its destination endpoint: the packet bytes (PACKET.md), their commitment, and k
// members' attestations.
struct Delivery {
  std::string dest_island;
  Bytes dest_endpoint;
  Bytes packet_bytes;
  Hash32 commitment;
  std::uint64_t sequence = 0;
  std::vector<MemberAttestation> attestations;
};

// What submit_delivery returns: the transaction id the destination gave (hash, or the chain's id bytes).
struct Submitted {
  Bytes tx;
};

// What look-up found on the destination for a commitment.
struct DeliveryStatus {
  bool received = false;      // the destination holds a receipt for the commitment
  Hash32 ack_commitment;      // its receipt value (PACKET.md: receipts[commitment] = ack_commitment)
  std::uint64_t height = 0;   // the block that holds it
  Bytes tx;                   // the transaction that delivered it (ours or another relayer's)
};

// A sent packet found by a source scan (scan_sent): its commitment and the block that emitted it. Untrusted
// until fetch_proof's bundle verifies.
struct SentPacketRef {
  Hash32 commitment;
  std::uint64_t height = 0;
};

// A packet's status at its SOURCE endpoint (lookup_sent): pending (sent, neither acknowledged nor refunded),
// acknowledged (a success ack was processed), refunded (an error ack or a timeout was processed — the
// refund happened, exactly once), or unknown (the endpoint has no such packet).
enum class SourceStatus { Unknown, Pending, Acknowledged, Refunded };

class ChainAdapter {
 public:
  virtual ~ChainAdapter() = default;

  // The island this adapter serves (CAIP-2).
  virtual std::string island() const = 0;

  // Follow headers: up to `max` headers after `from_height`, as the JSON text of a proof bundle's `headers`
  // array for the island's family (PROOF-BUNDLE.md). Untrusted: the engine verifies them with the light client.
  virtual Result<std::string> follow_headers(std::uint64_t from_height, std::size_t max) = 0;

  // Fetch a proof: a proof bundle (PROOF-BUNDLE.md) for the sent packet with this commitment at `height`,
  // anchored at `anchor_height` (a consensus state the relay holds). Untrusted: verified by relay/proofs.
  virtual Result<std::string> fetch_proof(const Hash32& commitment, std::uint64_t height,
                                          std::uint64_t anchor_height) = 0;

  // Submit a delivery (recvPacket). Returns when the destination accepted the transaction for inclusion; may
  // fail or time out although the transaction is later included (A30).
  virtual Result<Submitted> submit_delivery(const Delivery& delivery) = 0;

  // Look a delivery up: is there a receipt for `commitment` on the destination (by us or anyone, A27)?
  // `tx` is our last submitted transaction id, if any (the adapter may use it to find the receipt faster).
  virtual Result<DeliveryStatus> lookup_delivery(const Hash32& commitment, ByteView tx) = 0;

  // ---- the packet lifecycle (docs/relay-core.md "Source watching", "Acknowledgements", "Timeouts") ----
  // Defaults answer ERR_UNSUPPORTED so that an adapter (or a test adapter) without them still delivers.

  // The node's tip height (untrusted: the engine decides what is final from verified headers).
  virtual Result<std::uint64_t> latest_height() { return fail(Code::Unsupported, "latest_height"); }
  // Sent packets of the island's registered endpoint in blocks from … to (inclusive), in chain order.
  virtual Result<std::vector<SentPacketRef>> scan_sent(std::uint64_t /*from*/, std::uint64_t /*to*/) {
    return fail(Code::Unsupported, "scan_sent");
  }
  // A proof bundle (PROOF-BUNDLE.md) of the acknowledgement THIS (destination) island wrote for `commitment`
  // (PACKET.md: devnet leaf 0x02 ‖ ack_bytes; EVM AcknowledgementWritten of the endpoint), anchored at
  // `anchor_height` (a consensus state the relay holds). `height_hint`: the block that holds it when known
  // (0 = search from anchor_height + 1). Errors: ERR_UNKNOWN_PACKET (no ack found), transport errors.
  virtual Result<std::string> fetch_ack_proof(const Hash32& /*commitment*/, std::uint64_t /*height_hint*/,
                                              std::uint64_t /*anchor_height*/) {
    return fail(Code::Unsupported, "fetch_ack_proof");
  }
  // The non-delivery evidence of PACKET.md at block `at_height` of THIS (destination) island, anchored at
  // `anchor_height`: devnet — a header document (proofs/headers.hpp) anchor+1 … at_height plus "events":
  // {"<height>": [leaf hex, …]} for every block from_height … at_height (the complete lists); EVM — the
  // receipt-slot storage bundle at at_height. Untrusted: the engine verifies it before judging a timeout.
  virtual Result<std::string> fetch_non_delivery_proof(const Hash32& /*commitment*/, std::uint64_t /*from_height*/,
                                                       std::uint64_t /*at_height*/, std::uint64_t /*anchor_height*/) {
    return fail(Code::Unsupported, "fetch_non_delivery_proof");
  }
  // acknowledgePacket / timeoutPacket at THIS (source) island's endpoint with k members' ack / timeout
  // attestations (PACKET.md). Returns the transaction id; may time out although included (A30: the engine
  // looks the packet up with lookup_sent before any retry).
  virtual Result<Submitted> submit_acknowledgement(ByteView /*packet_bytes*/, ByteView /*ack_bytes*/,
                                                   const std::vector<MemberAttestation>& /*attestations*/) {
    return fail(Code::Unsupported, "submit_acknowledgement");
  }
  virtual Result<Submitted> submit_timeout(ByteView /*packet_bytes*/,
                                           const std::vector<MemberAttestation>& /*attestations*/) {
    return fail(Code::Unsupported, "submit_timeout");
  }
  // The packet's status at THIS (source) island's endpoint.
  virtual Result<SourceStatus> lookup_sent(const Hash32& /*commitment*/) { return fail(Code::Unsupported, "lookup_sent"); }
};

}  // namespace causeway::adapters
