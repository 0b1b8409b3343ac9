#include "causeway/domain/packet_state.hpp"

#include "causeway/core/hash.hpp"

namespace causeway::domain {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

tl::unexpected<Error> illegal(const PacketRecord& rec, const Event& e) {
  return fail(Code::IllegalTransition,
              std::string("from ") + std::string(stage_name(rec.stage)) + " on " + std::string(event_name(e)) +
                  " (packet " + to_string(rec.id) + ")");
}

}  // namespace

std::string_view stage_name(Stage s) noexcept {
  switch (s) {
    case Stage::Observed: return "observed";
    case Stage::Proven: return "proven";
    case Stage::Attested: return "attested";
    case Stage::Delivered: return "delivered";
    case Stage::Acknowledged: return "acknowledged";
    case Stage::ErrorAcknowledged: return "error-acknowledged";
    case Stage::TimedOut: return "timed-out";
    case Stage::Refunded: return "refunded";
  }
  return "unknown";
}

bool is_terminal(Stage s) noexcept { return s == Stage::Acknowledged || s == Stage::Refunded; }

std::string_view event_name(const Event& e) noexcept {
  static constexpr std::string_view names[] = {"proven",   "attested", "delivered", "acknowledged",
                                               "timed-out", "refunded", "hold",      "release-hold"};
  return names[e.index()];
}

bool timed_out_at(const packet::Packet& p, const DestView& v) noexcept {
  return packet::is_timed_out(p, v.height, v.time, v.clock);
}

Result<TimeoutVerdict> judge_timeout(const PacketRecord& rec, const ChannelEnd& dest_end, const DestView& view,
                                     const NonDeliveryProof& proof) {
  const auto& p = rec.packet;
  if (dest_end.spec.island != p.dest_island || dest_end.spec.channel != p.dest_channel ||
      dest_end.spec.counterparty_island != p.source_island || dest_end.spec.counterparty_channel != p.source_channel) {
    return fail(Code::WrongDestination, "channel end is not the packet's destination");
  }
  if (!timed_out_at(p, view)) {
    return fail(Code::NotTimedOut, "destination block " + std::to_string(view.height) +
                                       " is not past the packet's timeout (height " +
                                       std::to_string(p.timeout_height) + ", timestamp_ns " +
                                       std::to_string(p.timeout_timestamp_ns) + ")");
  }
  if (proof.block_height != view.height) {
    return fail(Code::NonDeliveryUnproven, "non-delivery proof is at block " + std::to_string(proof.block_height) +
                                               ", the timeout is judged at " + std::to_string(view.height));
  }
  switch (proof.kind) {
    case NonDeliveryKind::EvmReceiptSlot:
      if (view.clock != packet::DestClock::EvmSeconds) {
        return fail(Code::NonDeliveryUnproven, "a receipt-slot proof needs an EVM destination");
      }
      if (proof.slot != packet::receipt_storage_slot(rec.commitment)) {
        return fail(Code::NonDeliveryUnproven, "proven slot is not receipts[commitment]");
      }
      if (!proof.slot_value.is_zero()) {
        return fail(Code::NonDeliveryUnproven, "receipt slot is set: the packet was received");
      }
      break;
    case NonDeliveryKind::DevnetEventScan:
      if (view.clock != packet::DestClock::DevnetMillis) {
        return fail(Code::NonDeliveryUnproven, "an event-scan proof needs a devnet destination");
      }
      if (proof.scan_from_height > dest_end.spec.open_height) {
        return fail(Code::NonDeliveryUnproven, "event scan starts after the channel's opening height " +
                                                   std::to_string(dest_end.spec.open_height));
      }
      if (proof.receipt_leaf_found) {
        return fail(Code::NonDeliveryUnproven, "a 0x03 receipt leaf for the commitment exists");
      }
      break;
  }
  TimeoutVerdict v;
  v.id_ = rec.id;
  v.commitment_ = rec.commitment;
  v.view_ = view;
  return v;
}

Result<PacketRecord> advance(const PacketRecord& rec, const Event& e) {
  if (is_terminal(rec.stage)) return illegal(rec, e);
  PacketRecord next = rec;
  return std::visit(
      Overloaded{
          [&](const EvProven& ev) -> Result<PacketRecord> {
            if (rec.stage != Stage::Observed) return illegal(rec, e);
            if (ev.commitment != rec.commitment) {
              return fail(Code::CommitmentConflict, "proven commitment differs from the observed one (alert)");
            }
            next.stage = Stage::Proven;
            next.source_height = ev.source_height;
            next.source_block = ev.source_block;
            next.proven_audit_index = ev.audit_index;
            return next;
          },
          [&](const EvAttested& ev) -> Result<PacketRecord> {
            if (rec.stage != Stage::Proven) return illegal(rec, e);
            if (ev.quorum == nullptr) return fail(Code::InvalidArgument, "attest needs a tally");
            if (rec.held) return fail(Code::TransferHeld, "transfer is held over the channel's cap");
            const auto& s = ev.quorum->subject();
            if (s.kind != AttestationKind::Packet || s.island != rec.packet.dest_island ||
                s.genesis != rec.packet.dest_genesis || s.commitment != rec.commitment) {
              return fail(Code::WrongDestination, "the tally is not this packet's destination attestation");
            }
            if (!ev.quorum->met()) {
              return fail(Code::InsufficientQuorum, std::to_string(ev.quorum->signers().size()) + " of " +
                                                        std::to_string(ev.quorum->threshold()) + " members");
            }
            if (timed_out_at(rec.packet, ev.latest_dest)) {
              return fail(Code::PacketTimedOut, "packet is timed out at destination block " +
                                                    std::to_string(ev.latest_dest.height));
            }
            next.stage = Stage::Attested;
            next.committee_epoch = ev.quorum->epoch();
            next.attestations = static_cast<std::uint32_t>(ev.quorum->signers().size());
            return next;
          },
          [&](const EvDelivered& ev) -> Result<PacketRecord> {
            if (rec.stage != Stage::Proven && rec.stage != Stage::Attested) return illegal(rec, e);
            if (ev.commitment != rec.commitment) {
              return fail(Code::CommitmentConflict, "delivered commitment differs from the packet's (alert)");
            }
            next.stage = Stage::Delivered;
            next.dest_height = ev.dest_height;
            next.ack_commitment = ev.ack_commitment;
            next.held = false;
            return next;
          },
          [&](const EvAcknowledged& ev) -> Result<PacketRecord> {
            if (rec.stage != Stage::Delivered) return illegal(rec, e);
            auto ack = packet::decode_ack(ev.ack_bytes);
            if (!ack) return tl::unexpected(ack.error());
            if (ack->commitment != rec.commitment) {
              return fail(Code::CommitmentConflict, "ack is for another commitment");
            }
            if (packet::ack_commitment(ev.ack_bytes) != rec.ack_commitment) {
              return fail(Code::ClaimMismatch, "ack bytes do not hash to the delivered ack commitment");
            }
            next.stage = ack->success ? Stage::Acknowledged : Stage::ErrorAcknowledged;
            next.ack_success = ack->success;
            return next;
          },
          [&](const EvTimedOut& ev) -> Result<PacketRecord> {
            if (rec.stage != Stage::Proven && rec.stage != Stage::Attested) return illegal(rec, e);
            if (ev.verdict == nullptr) return fail(Code::InvalidArgument, "timeout needs a verdict");
            if (ev.verdict->id() != rec.id || ev.verdict->commitment() != rec.commitment) {
              return fail(Code::InvalidArgument, "verdict is for another packet");
            }
            next.stage = Stage::TimedOut;
            next.timeout_view = ev.verdict->view();
            next.held = false;
            return next;
          },
          [&](const EvRefunded& ev) -> Result<PacketRecord> {
            if (rec.stage != Stage::ErrorAcknowledged && rec.stage != Stage::TimedOut) return illegal(rec, e);
            next.stage = Stage::Refunded;
            next.refund_height = ev.source_height;
            return next;
          },
          [&](const EvHold&) -> Result<PacketRecord> {
            if ((rec.stage != Stage::Observed && rec.stage != Stage::Proven) || rec.held) return illegal(rec, e);
            next.held = true;
            return next;
          },
          [&](const EvReleaseHold&) -> Result<PacketRecord> {
            if (!rec.held) return illegal(rec, e);
            next.held = false;
            return next;
          },
      },
      e);
}

}  // namespace causeway::domain
