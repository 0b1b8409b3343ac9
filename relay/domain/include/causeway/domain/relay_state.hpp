// The relay's domain state as one value, and the pure transitions the engine drives (issue #5 "relay/domain").
// It ties the island registry, channels, packet records, transfer ledgers, outflow caps and the committee
// together, so that every rule that spans them is checked in one place:
//
//   observe   an event from a source island's registered endpoint (A19) on an open route (A20), not aimed at a
//             governance path (A04), deduplicated by identity: the same commitment again is AlreadyKnown, a
//             different one ERR_COMMITMENT_CONFLICT (alert). A packet never reaches governance: governance
//             changes only through the signed-record functions below, which take no packet.
//   prove     the commitment under a finalized source header; transfers move the ledger (escrow or burn) and
//             pass the channel's outflow cap or are held with an alert (A05).
//   attest    a tally of the CURRENT committee (A05) over the destination's endpoint; both clients active
//             (A21); channel open and not halted; not timed out at the latest verified destination block.
//   deliver   the destination's receipt; on an ordered channel only the next expected sequence (A24).
//   acknowledge / time_out / refund   as packet_state.hpp, moving the ledger; an ordered channel closes on a
//             timeout (ICS-04).
//
// Every function returns an error and leaves the state unchanged, except when a ledger movement the chains
// proved would break the escrow invariant: then the channel is halted (A05) and ERR_ESCROW_INVARIANT is
// returned — the halt is the one change kept (the ledger movement is not applied). The engine rolls the
// failed change back, then persists the halt in a change of its own (halt_channel below re-applies it after
// its rebuild and at every start) with an invariant_alert audit entry.
//
// Operator actions (client recover, packet clear, packet retry, release hold, channel resume) return an
// OperatorRecord for the audit log.
//
// Thread-safety: a value; no internal synchronization (the engine's one writer owns it).
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "causeway/core/error.hpp"
#include "causeway/core/packet.hpp"
#include "causeway/domain/channel.hpp"
#include "causeway/domain/committee.hpp"
#include "causeway/domain/island.hpp"
#include "causeway/domain/packet_state.hpp"
#include "causeway/domain/transfer.hpp"

namespace causeway::domain {

// Ports a routed packet may never reach, nor a channel be opened on (A04): "governance", "client", "committee",
// "admin", and any port starting with "causeway".
bool is_reserved_port(std::string_view port) noexcept;

struct Alert {
  std::string kind;  // "commitment_conflict", "transfer_held", "escrow_invariant", "ordered_channel_closed"
  std::string detail;
  bool operator==(const Alert&) const = default;
};

struct Step {
  PacketRecord record;
  std::vector<Alert> alerts;
};

enum class ObserveOutcome { New, AlreadyKnown };
struct Observation {
  ObserveOutcome outcome = ObserveOutcome::New;
  PacketRecord record;
};

struct OperatorNote {
  std::string operator_name;
  std::string reason;
  std::uint64_t time_ms = 0;
};

enum class OperatorActionKind { ClientRecover, PacketClear, PacketRetry, ReleaseHold, ChannelResume };
// "client_recover", "packet_clear", "packet_retry", "release_hold", "channel_resume".
std::string_view operator_action_name(OperatorActionKind k) noexcept;

struct OperatorRecord {
  OperatorActionKind kind = OperatorActionKind::PacketRetry;
  std::string target;           // island id, channel "<island>/<channel>" or packet id (ids.hpp to_string)
  OperatorNote note;
  std::vector<PacketId> packets;  // packet clear: the packets to drive again
};

class RelayState {
 public:
  explicit RelayState(Committee committee) : committee_(std::move(committee)) {}

  // ---- governance (signed records; see island.hpp, channel.hpp, committee.hpp) ----
  Result<IslandRecord> register_island(const SignedIsland& rec) { return islands_.register_island(rec); }
  Result<IslandRecord> update_island(const SignedIsland& rec) { return islands_.update_island(rec); }
  // ChannelRegistry::open, and ERR_FORBIDDEN_TARGET for a reserved port (A04).
  Result<std::pair<ChannelEnd, ChannelEnd>> open_channel(const SignedChannelRecord& a, const SignedChannelRecord& b);
  Status close_channel(const SignedChannelRecord& a, const SignedChannelRecord& b);
  // Committee::update; on success the new committee is current and the old members no longer count.
  Result<Committee> update_committee(std::uint32_t threshold, std::vector<Address> members, bool allow_low_threshold,
                                     std::uint64_t nonce, std::span<const Bytes> signatures);
  Status register_asset(std::string_view island, std::string_view base) { return assets_.register_asset(island, base); }
  // Sets (replaces) the outflow cap of a channel end; the new limiter's window starts empty.
  // Errors: ERR_UNKNOWN_CHANNEL.
  Status set_rate_limit(const ChannelKey& end, RateLimit limit);
  Status freeze_island(std::string_view id) { return islands_.freeze(id); }
  Status mark_expired(std::string_view id) { return islands_.mark_expired(id); }

  // ---- packets ----
  // The route rules of a packet (no client-status check): version 1 (ERR_PACKET_INVALID), sequence ≥ 1, field
  // bounds of packet.hpp (ERR_TOO_LARGE, A29); source island + genesis registered (ERR_UNKNOWN_ISLAND,
  // ERR_ISLAND_MISMATCH); source channel end exists with this port (ERR_UNKNOWN_CHANNEL); its counterparty
  // is (dest island, dest channel, dest port) and the dest genesis is the registered one (ERR_WRONG_DESTINATION,
  // A20), and the destination is not a Bitcoin island (sources only: ERR_WRONG_DESTINATION); the target is not a
  // governance path: reserved dest port, receiver = destination endpoint, a destination governance key or a
  // committee member (ERR_FORBIDDEN_TARGET, A04); a transfer: plan_transfer,
  // at least one timeout unless the source is a Bitcoin island (ERR_PACKET_INVALID), and a registered asset or
  // a voucher this relay minted on the source island (ERR_UNKNOWN_DENOM), payload receiver checked as above.
  Status check_route(const packet::Packet& p) const;

  // Intake of a new send (gateway): check_route, both clients active (ERR_CLIENT_FROZEN / ERR_CLIENT_EXPIRED,
  // A21), channel open (ERR_CHANNEL_CLOSED / ERR_CHANNEL_HALTED), and refused when already timed out at the
  // latest verified destination block (ERR_PACKET_TIMED_OUT).
  Status validate_send(const packet::Packet& p, const DestView& latest_dest) const;

  // A sent packet read from the source island. check_route, source client active, emitter = the island's
  // and the channel's registered endpoint (ERR_WRONG_EMITTER, A19), then dedup by identity. An ordered source
  // end's next_send becomes max(next_send, sequence + 1) (ERR_OVERFLOW at 2^64 − 1 there).
  Result<Observation> observe(const packet::Packet& p, ByteView emitter);
  // The same with the commitment already computed (CommittedPacket::of); identical results.
  Result<Observation> observe(const CommittedPacket& p, ByteView emitter);

  // Errors of all below: ERR_UNKNOWN_PACKET, advance()'s, and those listed.
  // prove: source client active. Transfers re-check the denom (ERR_UNKNOWN_DENOM), move the ledger (a
  // movement it cannot take: ERR_ESCROW_INVARIANT, channel halted, alert "escrow_invariant") and pass the
  // cap of the source end at ev.time_ms or are held (alert "transfer_held"). A voucher burn larger than the
  // outstanding vouchers but covered by outstanding + in flight out (the minting transfer's ack not yet taken
  // in) + the vouchers of earlier burns whose refund is owed (error-acknowledged or timed out, re-minted by the
  // source once the refund lands, before it is recorded here) is ERR_INSUFFICIENT_FUNDS with nothing changed:
  // try again after the acks / refunds.
  Result<Step> prove(const PacketId& id, const EvProven& ev);
  // attest: the tally is of the current committee epoch (ERR_INSUFFICIENT_QUORUM), over the destination
  // end's endpoint (ERR_WRONG_DESTINATION); both clients active; both ends open (ERR_CHANNEL_CLOSED /
  // ERR_CHANNEL_HALTED).
  Result<Step> attest(const PacketId& id, const Quorum& quorum, const DestView& latest_dest);
  // May the attested packet be submitted now? ERR_ILLEGAL_TRANSITION (not attested), ERR_TRANSFER_HELD,
  // ERR_CHANNEL_CLOSED / ERR_CHANNEL_HALTED, ordered channel: ERR_PACKET_SEQUENCE (an earlier sequence is
  // not delivered yet: wait, never skip, A24) or ERR_PACKET_REPLAYED (already received).
  Status ready_to_submit(const PacketId& id) const;
  // deliver: destination client active; ordered: sequence = next_recv (ERR_PACKET_SEQUENCE /
  // ERR_PACKET_REPLAYED), then next_recv + 1.
  Result<Step> deliver(const PacketId& id, const EvDelivered& ev);
  // acknowledge: destination client active; a success ack of a transfer mints the voucher / releases home.
  Result<Step> acknowledge(const PacketId& id, ByteView ack_bytes);
  // time_out: destination client active; judge_timeout against the destination end; an ordered channel closes.
  Result<Step> time_out(const PacketId& id, const DestView& view, const NonDeliveryProof& proof);
  // refund: source client active; a transfer's escrow is refunded / burned vouchers re-minted. A packet from a
  // Bitcoin island (a deposit) has no refund path: ERR_ILLEGAL_TRANSITION, and its error-acknowledged stage is
  // final (packet_clear skips it, packet_retry refuses it like a terminal stage).
  Result<Step> refund(const PacketId& id, const EvRefunded& ev);
  // Releases held transfers of a source end, oldest sequence first, while they fit the cap at time_ms.
  std::vector<PacketId> release_held(const ChannelKey& source_end, std::uint64_t time_ms);

  // ---- operator actions (recorded in the audit log by the caller) ----
  Result<OperatorRecord> client_recover(const ClientRecoverRecord& rec, const OperatorNote& note);
  // Every non-terminal packet sent from `source_end`, in sequence order, with attempts + 1: to drive again.
  Result<OperatorRecord> packet_clear(const ChannelKey& source_end, const OperatorNote& note);
  // attempts + 1 of one non-terminal packet (ERR_ILLEGAL_TRANSITION for a terminal one). The stage does not
  // change: a retry re-runs the current step, and the stage machine refuses a second delivery (A30).
  Result<OperatorRecord> packet_retry(const PacketId& id, const OperatorNote& note);
  // Releases a held transfer regardless of the cap (counted in the window at note.time_ms).
  Result<OperatorRecord> release_hold(const PacketId& id, const OperatorNote& note);
  // Re-opens a halted channel (both ends) once the ledgers of both ends hold their invariant
  // (ERR_ESCROW_INVARIANT otherwise, still halted). Errors: ERR_UNKNOWN_CHANNEL, ERR_ILLEGAL_TRANSITION (the
  // channel is not halted: open or closed).
  Result<OperatorRecord> resume_channel(const ChannelKey& end, const OperatorNote& note);

  // ---- halts (A05) ----
  // Halts both ends of the channel of `end` with `reason` (the halt a failed ledger movement makes, applied
  // again by the engine after it rebuilt the state from its database, and at start from the persisted halts).
  // A closed channel stays closed (ok, nothing changes); halting a halted channel replaces the reason.
  // Errors: ERR_UNKNOWN_CHANNEL (no such end or no counterparty end).
  Status halt_channel(const ChannelKey& end, std::string reason) { return channels_.halt_both(end, std::move(reason)); }

  // ---- invariants ----
  // The internal invariant of every ledger; the first break found.
  InvariantReport check_invariants() const;
  // Balances read from the chains for one ledger (ledger end's escrow of denom, counterparty's voucher
  // supply); on a mismatch the channel is halted (A05). Errors: ERR_UNKNOWN_CHANNEL.
  Result<InvariantReport> check_against_chain(const ChannelKey& ledger, const std::string& denom,
                                              const Amount& chain_escrowed, const Amount& chain_voucher_supply);
  // Ordered source end: sequences below next_send that were never observed and are not yet received, from
  // the counterparty's next_recv up (at most `max`): the watchdog rescans for them (A23/A24). Unordered: none.
  std::vector<std::uint64_t> missing_sequences(const ChannelKey& source_end, std::size_t max) const;

  // ---- read access ----
  const IslandRegistry& islands() const noexcept { return islands_; }
  const ChannelRegistry& channels() const noexcept { return channels_; }
  const Committee& committee() const noexcept { return committee_; }
  const AssetRegistry& assets() const noexcept { return assets_; }
  const std::map<PacketId, PacketRecord>& packets() const noexcept { return packets_; }
  const std::map<ChannelKey, TransferLedger>& ledgers() const noexcept { return ledgers_; }
  const PacketRecord* find(const PacketId& id) const noexcept;

  bool operator==(const RelayState&) const = default;

 private:
  // prove's wait for the acks that minted the vouchers a burn returns (see prove). ERR_INSUFFICIENT_FUNDS.
  Status burn_waits_for_acks(const PacketRecord& r) const;
  Result<PacketRecord*> get(const PacketId& id);
  Status check_target(const packet::Packet& p, ByteView receiver) const;
  Result<TransferPlan> transfer_plan(const packet::Packet& p) const;
  // Applies `fn` to a copy of the ledger; on success stores it, on failure halts the channel.
  template <class Fn>
  Status move_ledger(const ChannelKey& key, Fn fn, std::vector<Alert>& alerts);
  void bump_next_ack(const PacketRecord& r);

  IslandRegistry islands_;
  ChannelRegistry channels_;
  Committee committee_;
  AssetRegistry assets_;
  std::map<PacketId, PacketRecord> packets_;
  std::map<ChannelKey, TransferLedger> ledgers_;
  std::map<ChannelKey, OutflowLimiter> limiters_;
};

}  // namespace causeway::domain
