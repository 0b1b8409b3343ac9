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
};

}  // namespace causeway::adapters
