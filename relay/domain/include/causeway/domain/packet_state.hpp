// The packet state machine (issue #5; PACKET.md "Packet", "Timed out", "Non-delivery proof"):
//
//   observed → proven → attested → delivered → acknowledged          (success ack: terminal)
//                 │         │            └──→ error-acknowledged ─┐
//                 └────┬────┘                                     ├──→ refunded  (terminal)
//                      └──────────────→ timed-out ────────────────┘
//   (proven → delivered also: another relayer delivered first, A27)
//
// advance(record, event) returns the next record or ERR_ILLEGAL_TRANSITION (with "from <stage> on <event>"),
// never changing its input. Terminal stages (acknowledged, refunded) accept no event. A held transfer (over its
// channel's cap, A05) cannot be attested until released.
//
// Timeouts are judged only from a VERIFIED destination block (DestView: height and time in the destination's
// own unit), never the relay's clock (A21). A timeout is final only with the non-delivery proof PACKET.md
// defines, at that very block (judge_timeout): EVM — the receipt slot keccak256(commitment ‖ uint256(0)) reads 0
// in a storage proof at the block; devnet — no 0x03 leaf for the commitment in the complete verified event
// lists of every destination block from the channel's opening up to the block. judge_timeout is the only maker
// of a TimeoutVerdict, the only way to reach timed-out.
//
// Thread-safety: value types and pure functions.
#pragma once

#include <cstdint>
#include <string_view>
#include <variant>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"
#include "causeway/core/packet.hpp"
#include "causeway/domain/channel.hpp"
#include "causeway/domain/committee.hpp"
#include "causeway/domain/ids.hpp"

namespace causeway::domain {

enum class Stage { Observed, Proven, Attested, Delivered, Acknowledged, ErrorAcknowledged, TimedOut, Refunded };
// "observed", "proven", "attested", "delivered", "acknowledged", "error-acknowledged", "timed-out", "refunded".
std::string_view stage_name(Stage s) noexcept;
// Acknowledged and Refunded.
bool is_terminal(Stage s) noexcept;

// A destination block the destination's light client verified: its height and its time in the destination's
// unit (EVM: block.timestamp seconds; devnet: time_ms).
struct DestView {
  std::uint64_t height = 0;
  std::uint64_t time = 0;
  packet::DestClock clock = packet::DestClock::EvmSeconds;
  bool operator==(const DestView&) const = default;
};

// PACKET.md "Timed out" at that block (core's is_timed_out: no product is formed, so timeout_timestamp_ns up to
// 2^64 − 1 never overflows).
bool timed_out_at(const packet::Packet& p, const DestView& v) noexcept;

enum class NonDeliveryKind { EvmReceiptSlot, DevnetEventScan };

// Facts the destination's light client verified (the engine fills them from verified proofs only).
struct NonDeliveryProof {
  NonDeliveryKind kind = NonDeliveryKind::EvmReceiptSlot;
  std::uint64_t block_height = 0;     // the block the proof is at
  // EvmReceiptSlot: the proven storage slot of the endpoint and its value.
  Hash32 slot;
  Hash32 slot_value;
  // DevnetEventScan: verified complete event lists of heights scan_from_height..block_height were scanned;
  // whether a 0x03 leaf for the commitment was among them.
  std::uint64_t scan_from_height = 0;
  bool receipt_leaf_found = false;
  bool operator==(const NonDeliveryProof&) const = default;
};

struct PacketRecord {
  PacketId id;
  Hash32 commitment;
  packet::Packet packet;
  Stage stage = Stage::Observed;
  bool is_transfer = false;
  bool held = false;                   // over the channel's cap: not attested until released (A05)
  // proven
  std::uint64_t source_height = 0;
  Hash32 source_block;
  std::uint64_t proven_audit_index = 0;
  // attested
  std::uint64_t committee_epoch = 0;
  std::uint32_t attestations = 0;
  // delivered / acknowledged
  std::uint64_t dest_height = 0;
  Hash32 ack_commitment;
  bool ack_success = false;
  // timed out
  DestView timeout_view;
  // refunded
  std::uint64_t refund_height = 0;
  // operator retries (`packet retry`, `packet clear`)
  std::uint32_t attempts = 0;
  bool operator==(const PacketRecord&) const = default;
};

// The verdict that a packet is timed out, with a non-delivery proof at the verified block. Only judge_timeout
// makes one.
class TimeoutVerdict {
 public:
  const PacketId& id() const noexcept { return id_; }
  const Hash32& commitment() const noexcept { return commitment_; }
  const DestView& view() const noexcept { return view_; }

 private:
  friend Result<TimeoutVerdict> judge_timeout(const PacketRecord&, const ChannelEnd&, const DestView&,
                                              const NonDeliveryProof&);
  TimeoutVerdict() = default;
  PacketId id_;
  Hash32 commitment_;
  DestView view_;
};

// Judges a timeout. Errors: ERR_WRONG_DESTINATION (dest_end is not the packet's destination channel end);
// ERR_NOT_TIMED_OUT (not timed out at `view`, including a packet with no timeout); ERR_NON_DELIVERY_UNPROVEN
// (proof at another block than view.height; proof kind not the destination's (EVM seconds ↔ receipt slot,
// devnet ms ↔ event scan); EVM: slot ≠ receipt_storage_slot(commitment) or value ≠ 0; devnet: scan starts
// after the channel's open_height or a 0x03 leaf was found).
Result<TimeoutVerdict> judge_timeout(const PacketRecord& rec, const ChannelEnd& dest_end, const DestView& view,
                                     const NonDeliveryProof& proof);

// ---- events ----------------------------------------------------------------------------------------------

// The commitment was proven under a finalized source header (light client), recorded at audit_index.
struct EvProven {
  Hash32 commitment;
  std::uint64_t source_height = 0;
  Hash32 source_block;
  std::uint64_t audit_index = 0;
  std::uint64_t time_ms = 0;  // the proving header's time (ms): the cap window's clock (relay_state.hpp)
};
// k members attested (a tally the committee computed), while the latest verified destination block did not
// yet time the packet out.
struct EvAttested {
  const Quorum* quorum = nullptr;  // required; the tally's subject must be this packet's destination + commitment
  DestView latest_dest;
};
// The destination's receipt for the commitment was proven (EVM receipts[commitment]; devnet 0x03 leaf).
struct EvDelivered {
  Hash32 commitment;
  Hash32 ack_commitment;
  std::uint64_t dest_height = 0;
};
// The ack bytes the destination wrote (keccak256 must equal the delivered ack_commitment).
struct EvAcknowledged {
  Bytes ack_bytes;
};
struct EvTimedOut {
  const TimeoutVerdict* verdict = nullptr;  // required
};
// The source endpoint refunded / re-minted (proven on the source).
struct EvRefunded {
  std::uint64_t source_height = 0;
};
struct EvHold {};
struct EvReleaseHold {};

using Event = std::variant<EvProven, EvAttested, EvDelivered, EvAcknowledged, EvTimedOut, EvRefunded, EvHold,
                           EvReleaseHold>;
std::string_view event_name(const Event& e) noexcept;  // "proven", "attested", ...

// The new record after `e`. Errors: ERR_ILLEGAL_TRANSITION (the stage does not take the event, terminal
// stages take none, a second hold/release); ERR_COMMITMENT_CONFLICT (proven/delivered commitment or the ack's
// commitment differs from the record's); ERR_TRANSFER_HELD (attest while held); ERR_INSUFFICIENT_QUORUM
// (tally not met); ERR_WRONG_DESTINATION (tally subject is not this packet's destination attestation);
// ERR_PACKET_TIMED_OUT (attest at a destination block where the packet is already timed out);
// ERR_INVALID_ARGUMENT (null quorum/verdict, verdict for another packet); decode_ack's errors and
// ERR_CLAIM_MISMATCH (ack bytes do not hash to the delivered ack_commitment).
Result<PacketRecord> advance(const PacketRecord& rec, const Event& e);

}  // namespace causeway::domain
