#include "causeway/domain/relay_state.hpp"

#include <algorithm>

#include "causeway/core/hex.hpp"

namespace causeway::domain {
namespace {

bool same_bytes(ByteView a, ByteView b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }

Status channel_usable(const ChannelEnd& e) {
  switch (e.state) {
    case ChannelState::Open: return {};
    case ChannelState::Closed: return fail(Code::ChannelClosed, "channel " + to_string(e.key()) + " is closed");
    case ChannelState::Halted:
      return fail(Code::ChannelHalted, "channel " + to_string(e.key()) + " is halted: " + e.halt_reason);
  }
  return {};
}

std::uint64_t saturating_next(std::uint64_t seq) { return seq == UINT64_MAX ? seq : seq + 1; }

bool from_bitcoin(const IslandRegistry& islands, const PacketRecord& r) {
  const IslandRecord* src = islands.find(r.id.source_island);
  return src != nullptr && src->spec.family == Family::Bitcoin;
}

// Nothing more will happen to the packet: a terminal stage, or an error-acknowledged deposit (a Bitcoin source has
// no refund path, PACKET.md "Bitcoin deposits").
bool is_final(const IslandRegistry& islands, const PacketRecord& r) {
  return is_terminal(r.stage) || (r.stage == Stage::ErrorAcknowledged && from_bitcoin(islands, r));
}

}  // namespace

bool is_reserved_port(std::string_view port) noexcept {
  return port == "governance" || port == "client" || port == "committee" || port == "admin" ||
         port.substr(0, 8) == "causeway";
}

std::string_view operator_action_name(OperatorActionKind k) noexcept {
  switch (k) {
    case OperatorActionKind::ClientRecover: return "client_recover";
    case OperatorActionKind::PacketClear: return "packet_clear";
    case OperatorActionKind::PacketRetry: return "packet_retry";
    case OperatorActionKind::ReleaseHold: return "release_hold";
    case OperatorActionKind::ChannelResume: return "channel_resume";
  }
  return "unknown";
}

// ---- governance -------------------------------------------------------------------------------------------

Result<std::pair<ChannelEnd, ChannelEnd>> RelayState::open_channel(const SignedChannelRecord& a,
                                                                   const SignedChannelRecord& b) {
  for (const auto* s : {&a.spec, &b.spec}) {
    if (is_reserved_port(s->port) || is_reserved_port(s->counterparty_port)) {
      return fail(Code::ForbiddenTarget, "a channel cannot be opened on a governance port (A04)", "port");
    }
  }
  return channels_.open(islands_, a, b);
}

Status RelayState::close_channel(const SignedChannelRecord& a, const SignedChannelRecord& b) {
  return channels_.close(islands_, a, b);
}

Result<Committee> RelayState::update_committee(std::uint32_t threshold, std::vector<Address> members,
                                               bool allow_low_threshold, std::uint64_t nonce,
                                               std::span<const Bytes> signatures) {
  auto next = committee_.update(threshold, std::move(members), allow_low_threshold, nonce, signatures);
  if (!next) return next;
  committee_ = *next;
  return next;
}

Status RelayState::set_rate_limit(const ChannelKey& end, RateLimit limit) {
  if (channels_.find(end) == nullptr) return fail(Code::UnknownChannel, "no channel " + to_string(end));
  limiters_[end] = OutflowLimiter(std::move(limit));
  return {};
}

// ---- route checks -----------------------------------------------------------------------------------------

Status RelayState::check_target(const packet::Packet& p, ByteView receiver) const {
  if (is_reserved_port(p.dest_port)) {
    return fail(Code::ForbiddenTarget, "destination port " + p.dest_port + " is a governance path (A04)", "dest_port");
  }
  const IslandRecord* dest = islands_.find(p.dest_island);
  if (dest == nullptr) return fail(Code::WrongDestination, "destination island is not registered", "dest_island");
  if (same_bytes(receiver, dest->spec.endpoint)) {
    return fail(Code::ForbiddenTarget, "receiver is the destination endpoint itself (A04)", "receiver");
  }
  if (receiver.size() == 20) {
    Address a{};
    std::copy(receiver.begin(), receiver.end(), a.begin());
    if (std::binary_search(dest->spec.governance.members.begin(), dest->spec.governance.members.end(), a)) {
      return fail(Code::ForbiddenTarget, "receiver is a governance key of the destination (A04)", "receiver");
    }
    if (committee_.is_member(a)) {
      return fail(Code::ForbiddenTarget, "receiver is a relay committee key (A04)", "receiver");
    }
  }
  return {};
}

Result<TransferPlan> RelayState::transfer_plan(const packet::Packet& p) const {
  auto t = packet::decode_transfer_payload(p.payload);
  if (!t) return tl::unexpected(t.error());
  auto plan = plan_transfer(p, *t);
  if (!plan) return plan;
  if (auto ok = check_target(p, t->receiver); !ok) return tl::unexpected(ok.error());
  if (plan->direction == TransferDirection::BurnHome) {
    const TransferLedger* l = nullptr;
    if (auto it = ledgers_.find(plan->ledger); it != ledgers_.end()) l = &it->second;
    if (l == nullptr || l->find(plan->ledger_denom) == nullptr) {
      return fail(Code::UnknownDenom, "voucher " + t->denom + " was never minted over this channel", "denom");
    }
    return plan;
  }
  // Escrow: a base asset registered on the source island, or a voucher minted on it over another channel.
  const auto slash = t->denom.find('/');
  if (slash == std::string::npos) {
    if (!assets_.is_registered(p.source_island, t->denom)) {
      return fail(Code::UnknownDenom, t->denom + " is not a registered asset of " + p.source_island, "denom");
    }
    return plan;
  }
  const auto slash2 = t->denom.find('/', slash + 1);
  const std::string port = t->denom.substr(0, slash);
  const std::string chan = t->denom.substr(slash + 1, slash2 - slash - 1);
  const ChannelEnd* via = channels_.find({p.source_island, chan});
  if (via == nullptr || via->spec.port != port) {
    return fail(Code::UnknownDenom, t->denom + " is not a voucher minted on " + p.source_island, "denom");
  }
  const std::string rest = t->denom.substr(slash2 + 1);
  auto it = ledgers_.find(via->counterparty_key());
  if (it == ledgers_.end() || it->second.find(rest) == nullptr) {
    return fail(Code::UnknownDenom, t->denom + " is not a voucher minted on " + p.source_island, "denom");
  }
  return plan;
}

Status RelayState::check_route(const packet::Packet& p) const {
  if (p.version != packet::kVersion) return fail(Code::PacketInvalid, "packet version is not 1", "version");
  if (p.sequence == 0) return fail(Code::PacketInvalid, "sequences start at 1", "sequence");
  for (const auto* s : {&p.source_island, &p.source_channel, &p.source_port, &p.dest_island, &p.dest_channel,
                        &p.dest_port}) {
    if (s->size() > packet::kMaxStringBytes) return fail(Code::TooLarge, "packet string field over its bound");
  }
  if (p.sender.size() > packet::kMaxAccountBytes || p.receiver.size() > packet::kMaxAccountBytes) {
    return fail(Code::TooLarge, "sender or receiver over its bound", "receiver");
  }
  if (p.payload.size() > packet::kMaxPayloadBytes) return fail(Code::TooLarge, "payload over its bound", "payload");
  auto src = islands_.find_with_genesis(p.source_island, p.source_genesis);
  if (!src) {
    auto e = src.error();
    e.at = "source_island";
    return tl::unexpected(e);
  }
  const ChannelEnd* end = channels_.find({p.source_island, p.source_channel});
  if (end == nullptr || end->spec.port != p.source_port) {
    return fail(Code::UnknownChannel, "no channel " + p.source_island + "/" + p.source_channel + " on port " +
                                          p.source_port, "source_channel");
  }
  if (end->spec.counterparty_island != p.dest_island || end->spec.counterparty_channel != p.dest_channel ||
      end->spec.counterparty_port != p.dest_port) {
    return fail(Code::WrongDestination, "the channel's counterparty is " + end->spec.counterparty_island + "/" +
                                            end->spec.counterparty_channel + "/" + end->spec.counterparty_port,
                "dest_channel");
  }
  const IslandRecord* dest = islands_.find(p.dest_island);
  if (dest == nullptr || dest->spec.genesis != p.dest_genesis || end->spec.counterparty_genesis != p.dest_genesis) {
    return fail(Code::WrongDestination, "destination genesis is not the registered one (A20)", "dest_genesis");
  }
  if (dest->spec.family == Family::Bitcoin) {
    return fail(Code::WrongDestination, "a Bitcoin island is a source only (PACKET.md \"Bitcoin deposits\")",
                "dest_island");
  }
  if (auto ok = check_target(p, p.receiver); !ok) return ok;
  if (p.source_port == kTransferPort || p.dest_port == kTransferPort) {
    if (p.timeout_height == 0 && p.timeout_timestamp_ns == 0 && (*src)->spec.family != Family::Bitcoin) {
      return fail(Code::PacketInvalid, "a transfer needs a timeout height or timestamp", "timeout_height");
    }
    if (auto plan = transfer_plan(p); !plan) return tl::unexpected(plan.error());
  }
  return {};
}

Status RelayState::validate_send(const packet::Packet& p, const DestView& latest_dest) const {
  if (auto ok = check_route(p); !ok) return ok;
  if (auto ok = islands_.check_active(p.source_island); !ok) return ok;
  if (auto ok = islands_.check_active(p.dest_island); !ok) return ok;
  const ChannelEnd* end = channels_.find({p.source_island, p.source_channel});
  if (auto ok = channel_usable(*end); !ok) return ok;
  if (timed_out_at(p, latest_dest)) {
    return fail(Code::PacketTimedOut, "timeout already passed at verified destination block " +
                                          std::to_string(latest_dest.height));
  }
  return {};
}

// ---- packets ----------------------------------------------------------------------------------------------

Result<Observation> RelayState::observe(const packet::Packet& p, ByteView emitter) {
  return observe(CommittedPacket::of(p), emitter);
}

Result<Observation> RelayState::observe(const CommittedPacket& cp, ByteView emitter) {
  const packet::Packet& p = cp.packet();
  if (auto ok = check_route(p); !ok) return tl::unexpected(ok.error());
  if (auto ok = islands_.check_active(p.source_island); !ok) return tl::unexpected(ok.error());
  if (auto ok = islands_.check_emitter(p.source_island, emitter); !ok) return tl::unexpected(ok.error());
  ChannelEnd* end = channels_.find_mut({p.source_island, p.source_channel});
  if (!same_bytes(emitter, end->spec.endpoint)) {
    return fail(Code::WrongEmitter, "emitter is not the endpoint the channel is bound to");
  }
  const PacketId id = packet_id(p);
  const Hash32& c = cp.commitment();
  if (auto it = packets_.find(id); it != packets_.end()) {
    if (it->second.commitment == c) return Observation{ObserveOutcome::AlreadyKnown, it->second};
    return fail(Code::CommitmentConflict, "packet " + to_string(id) + " seen with commitment " +
                                              to_hex(it->second.commitment.view()) + " and now " + to_hex(c.view()));
  }
  if (end->spec.ordering == Ordering::Ordered && p.sequence == UINT64_MAX) {
    return fail(Code::Overflow, "ordered channel sequence exhausted", "sequence");
  }
  PacketRecord r;
  r.id = id;
  r.commitment = c;
  r.packet = p;
  r.stage = Stage::Observed;
  r.is_transfer = p.source_port == kTransferPort;
  end->next_send = std::max(end->next_send, saturating_next(p.sequence));
  packets_.emplace(id, r);
  return Observation{ObserveOutcome::New, r};
}

const PacketRecord* RelayState::find(const PacketId& id) const noexcept {
  auto it = packets_.find(id);
  return it == packets_.end() ? nullptr : &it->second;
}

Result<PacketRecord*> RelayState::get(const PacketId& id) {
  auto it = packets_.find(id);
  if (it == packets_.end()) return fail(Code::UnknownPacket, "no packet " + to_string(id));
  return &it->second;
}

template <class Fn>
Status RelayState::move_ledger(const ChannelKey& key, Fn fn, std::vector<Alert>& alerts) {
  TransferLedger copy;
  if (auto it = ledgers_.find(key); it != ledgers_.end()) copy = it->second;
  Status ok = fn(copy);
  if (!ok) {
    const std::string why = "ledger " + to_string(key) + ": " + ok.error().detail;
    (void)channels_.halt_both(key, why);
    alerts.push_back({"escrow_invariant", why});
    auto e = ok.error();
    e.code = Code::EscrowInvariant;
    e.detail = why + " — channel halted (A05)";
    return tl::unexpected(e);
  }
  ledgers_[key] = std::move(copy);
  return {};
}

void RelayState::bump_next_ack(const PacketRecord& r) {
  if (ChannelEnd* src = channels_.find_mut({r.id.source_island, r.id.source_channel}); src != nullptr) {
    src->next_ack = std::max(src->next_ack, saturating_next(r.id.sequence));
  }
}

// A voucher can come home before the relay took in the acknowledgement of the transfer that minted it (both are
// on the same chain; the ack's block is earlier, but the relay reads them independently). Such a burn waits
// (ERR_INSUFFICIENT_FUNDS, nothing changed, no halt) while the vouchers still in flight out cover it; a burn
// beyond outstanding + in flight is an invariant break and halts the channel in prove's ledger movement.
Status RelayState::burn_waits_for_acks(const PacketRecord& r) const {
  if (!r.is_transfer) return {};
  auto plan = transfer_plan(r.packet);
  if (!plan || plan->direction != TransferDirection::BurnHome) return {};
  const auto l = ledgers_.find(plan->ledger);
  const DenomBalance* b = l == ledgers_.end() ? nullptr : l->second.find(plan->ledger_denom);
  if (b == nullptr || !(b->outstanding < plan->amount)) return {};
  auto cover = add(b->outstanding, b->in_flight_out);
  // Vouchers an earlier burn returns when its refund is processed (error-acknowledged or timed out, refund not
  // yet recorded here): the source re-mints them as soon as the refund transaction lands, before this relay
  // records it (record_returned), so a new burn of them is a wait too, not a break of the invariant.
  for (auto it = packets_.begin(); cover && it != packets_.end(); ++it) {
    const PacketRecord& o = it->second;
    if (!o.is_transfer || (o.stage != Stage::ErrorAcknowledged && o.stage != Stage::TimedOut)) continue;
    auto op = transfer_plan(o.packet);
    if (!op || op->direction != TransferDirection::BurnHome || op->ledger != plan->ledger ||
        op->ledger_denom != plan->ledger_denom)
      continue;
    cover = add(*cover, op->amount);
  }
  if (!cover || *cover < plan->amount) return {};
  return fail(Code::InsufficientFunds, "burn of " + to_decimal(plan->amount) + " " + plan->ledger_denom +
                                           " waits for the acknowledgements of the transfers that minted them on " +
                                           to_string(plan->ledger), "ledger");
}

Result<Step> RelayState::prove(const PacketId& id, const EvProven& ev) {
  auto rec = get(id);
  if (!rec) return tl::unexpected(rec.error());
  if (auto ok = islands_.check_active(id.source_island); !ok) return tl::unexpected(ok.error());
  if (auto wait = burn_waits_for_acks(**rec); !wait) return tl::unexpected(wait.error());
  auto next = advance(**rec, ev);
  if (!next) return tl::unexpected(next.error());
  Step step{*next, {}};
  if (next->is_transfer) {
    auto plan = transfer_plan(next->packet);
    if (!plan) return tl::unexpected(plan.error());
    const auto& pl = *plan;
    Status moved = pl.direction == TransferDirection::Escrow
                       ? move_ledger(pl.ledger, [&](TransferLedger& l) { return l.escrow_out(pl.ledger_denom, pl.amount); },
                                     step.alerts)
                       : move_ledger(pl.ledger,
                                     [&](TransferLedger& l) { return l.voucher_burned(pl.ledger_denom, pl.amount); },
                                     step.alerts);
    if (!moved) return tl::unexpected(moved.error());
    auto payload = packet::decode_transfer_payload(next->packet.payload);
    const ChannelKey src{id.source_island, id.source_channel};
    auto lim = limiters_.find(src);
    if (lim != limiters_.end() && !lim->second.try_admit(payload->denom, pl.amount, ev.time_ms)) {
      step.record.held = true;
      step.alerts.push_back({"transfer_held", "packet " + to_string(id) + " of " + to_decimal(pl.amount) + " " +
                                                  payload->denom + " is over the cap of " + to_string(src) +
                                                  " for its window: held (A05)"});
    }
  }
  **rec = step.record;
  return step;
}

Result<Step> RelayState::attest(const PacketId& id, const Quorum& quorum, const DestView& latest_dest) {
  auto rec = get(id);
  if (!rec) return tl::unexpected(rec.error());
  const auto& p = (*rec)->packet;
  if (quorum.epoch() != committee_.epoch()) {
    return fail(Code::InsufficientQuorum, "tally of committee epoch " + std::to_string(quorum.epoch()) +
                                              ", current is " + std::to_string(committee_.epoch()));
  }
  if (auto ok = islands_.check_active(p.source_island); !ok) return tl::unexpected(ok.error());
  if (auto ok = islands_.check_active(p.dest_island); !ok) return tl::unexpected(ok.error());
  const ChannelEnd* src = channels_.find({p.source_island, p.source_channel});
  const ChannelEnd* dst = channels_.find({p.dest_island, p.dest_channel});
  if (src == nullptr || dst == nullptr) return fail(Code::UnknownChannel, "channel of packet " + to_string(id));
  if (auto ok = channel_usable(*src); !ok) return tl::unexpected(ok.error());
  if (auto ok = channel_usable(*dst); !ok) return tl::unexpected(ok.error());
  if (!same_bytes(quorum.subject().endpoint, dst->spec.endpoint)) {
    return fail(Code::WrongDestination, "attestations name another destination endpoint");
  }
  auto next = advance(**rec, EvAttested{&quorum, latest_dest});
  if (!next) return tl::unexpected(next.error());
  **rec = *next;
  return Step{*next, {}};
}

Status RelayState::ready_to_submit(const PacketId& id) const {
  const PacketRecord* r = find(id);
  if (r == nullptr) return fail(Code::UnknownPacket, "no packet " + to_string(id));
  if (r->stage != Stage::Attested) {
    return fail(Code::IllegalTransition, "packet is " + std::string(stage_name(r->stage)) + ", not attested");
  }
  if (r->held) return fail(Code::TransferHeld, "transfer is held");
  const ChannelEnd* dst = channels_.find({r->packet.dest_island, r->packet.dest_channel});
  if (dst == nullptr) return fail(Code::UnknownChannel, "no destination channel");
  if (auto ok = channel_usable(*dst); !ok) return ok;
  if (dst->spec.ordering == Ordering::Ordered) {
    if (id.sequence > dst->next_recv) {
      return fail(Code::PacketSequence, "ordered channel: sequence " + std::to_string(id.sequence) +
                                            " waits for " + std::to_string(dst->next_recv) + " (A24)");
    }
    if (id.sequence < dst->next_recv) return fail(Code::PacketReplayed, "already received");
  }
  return {};
}

Result<Step> RelayState::deliver(const PacketId& id, const EvDelivered& ev) {
  auto rec = get(id);
  if (!rec) return tl::unexpected(rec.error());
  const auto& p = (*rec)->packet;
  if (auto ok = islands_.check_active(p.dest_island); !ok) return tl::unexpected(ok.error());
  ChannelEnd* dst = channels_.find_mut({p.dest_island, p.dest_channel});
  if (dst == nullptr) return fail(Code::UnknownChannel, "no destination channel");
  auto next = advance(**rec, ev);
  if (!next) return tl::unexpected(next.error());
  if (dst->spec.ordering == Ordering::Ordered) {
    if (id.sequence > dst->next_recv) {
      return fail(Code::PacketSequence, "ordered channel: delivery of " + std::to_string(id.sequence) +
                                            " before " + std::to_string(dst->next_recv));
    }
    if (id.sequence < dst->next_recv) return fail(Code::PacketReplayed, "already received");
    dst->next_recv = saturating_next(dst->next_recv);
  }
  **rec = *next;
  return Step{*next, {}};
}

Result<Step> RelayState::acknowledge(const PacketId& id, ByteView ack_bytes) {
  auto rec = get(id);
  if (!rec) return tl::unexpected(rec.error());
  if (auto ok = islands_.check_active((*rec)->packet.dest_island); !ok) return tl::unexpected(ok.error());
  auto next = advance(**rec, EvAcknowledged{Bytes(ack_bytes.begin(), ack_bytes.end())});
  if (!next) return tl::unexpected(next.error());
  Step step{*next, {}};
  if (next->is_transfer && next->stage == Stage::Acknowledged) {
    auto plan = transfer_plan(next->packet);
    if (!plan) return tl::unexpected(plan.error());
    const auto& pl = *plan;
    Status moved =
        pl.direction == TransferDirection::Escrow
            ? move_ledger(pl.ledger, [&](TransferLedger& l) { return l.voucher_minted(pl.ledger_denom, pl.amount); },
                          step.alerts)
            : move_ledger(pl.ledger, [&](TransferLedger& l) { return l.release_home(pl.ledger_denom, pl.amount); },
                          step.alerts);
    if (!moved) return tl::unexpected(moved.error());
  }
  **rec = step.record;
  bump_next_ack(step.record);
  return step;
}

Result<Step> RelayState::time_out(const PacketId& id, const DestView& view, const NonDeliveryProof& proof) {
  auto rec = get(id);
  if (!rec) return tl::unexpected(rec.error());
  const auto& p = (*rec)->packet;
  if (auto ok = islands_.check_active(p.dest_island); !ok) return tl::unexpected(ok.error());
  const ChannelEnd* dst = channels_.find({p.dest_island, p.dest_channel});
  if (dst == nullptr) return fail(Code::UnknownChannel, "no destination channel");
  auto verdict = judge_timeout(**rec, *dst, view, proof);
  if (!verdict) return tl::unexpected(verdict.error());
  auto next = advance(**rec, EvTimedOut{&*verdict});
  if (!next) return tl::unexpected(next.error());
  Step step{*next, {}};
  if (dst->spec.ordering == Ordering::Ordered && dst->state != ChannelState::Closed) {
    (void)channels_.close_both(dst->key());
    step.alerts.push_back({"ordered_channel_closed", "ordered channel " + to_string(dst->key()) +
                                                         " closed by the timeout of " + to_string(id)});
  }
  **rec = step.record;
  bump_next_ack(step.record);
  return step;
}

Result<Step> RelayState::refund(const PacketId& id, const EvRefunded& ev) {
  auto rec = get(id);
  if (!rec) return tl::unexpected(rec.error());
  if (from_bitcoin(islands_, **rec)) {
    return fail(Code::IllegalTransition, "a Bitcoin deposit has no refund path (PACKET.md \"Bitcoin deposits\")");
  }
  if (auto ok = islands_.check_active(id.source_island); !ok) return tl::unexpected(ok.error());
  auto next = advance(**rec, ev);
  if (!next) return tl::unexpected(next.error());
  Step step{*next, {}};
  if (next->is_transfer) {
    auto plan = transfer_plan(next->packet);
    if (!plan) return tl::unexpected(plan.error());
    const auto& pl = *plan;
    Status moved =
        pl.direction == TransferDirection::Escrow
            ? move_ledger(pl.ledger, [&](TransferLedger& l) { return l.escrow_refund(pl.ledger_denom, pl.amount); },
                          step.alerts)
            : move_ledger(pl.ledger,
                          [&](TransferLedger& l) { return l.voucher_reminted(pl.ledger_denom, pl.amount); },
                          step.alerts);
    if (!moved) return tl::unexpected(moved.error());
  }
  **rec = step.record;
  return step;
}

std::vector<PacketId> RelayState::release_held(const ChannelKey& source_end, std::uint64_t time_ms) {
  std::vector<PacketId> out;
  auto lim = limiters_.find(source_end);
  for (auto& [id, r] : packets_) {
    if (!r.held || id.source_island != source_end.island || id.source_channel != source_end.channel) continue;
    if (lim != limiters_.end()) {
      auto t = packet::decode_transfer_payload(r.packet.payload);
      if (t && !lim->second.try_admit(t->denom, t->amount, time_ms)) break;  // oldest first: no overtaking
    }
    r.held = false;
    out.push_back(id);
  }
  return out;
}

// ---- operator actions -------------------------------------------------------------------------------------

Result<OperatorRecord> RelayState::client_recover(const ClientRecoverRecord& rec, const OperatorNote& note) {
  auto r = islands_.recover_client(rec);
  if (!r) return tl::unexpected(r.error());
  return OperatorRecord{OperatorActionKind::ClientRecover, rec.island, note, {}};
}

Result<OperatorRecord> RelayState::packet_clear(const ChannelKey& source_end, const OperatorNote& note) {
  if (channels_.find(source_end) == nullptr) return fail(Code::UnknownChannel, "no channel " + to_string(source_end));
  OperatorRecord out{OperatorActionKind::PacketClear, to_string(source_end), note, {}};
  for (auto& [id, r] : packets_) {
    if (id.source_island != source_end.island || id.source_channel != source_end.channel) continue;
    if (is_final(islands_, r)) continue;
    if (r.attempts != UINT32_MAX) ++r.attempts;
    out.packets.push_back(id);
  }
  return out;
}

Result<OperatorRecord> RelayState::packet_retry(const PacketId& id, const OperatorNote& note) {
  auto rec = get(id);
  if (!rec) return tl::unexpected(rec.error());
  if (is_final(islands_, **rec)) {
    return fail(Code::IllegalTransition, "packet is " + std::string(stage_name((*rec)->stage)) +
                                             (is_terminal((*rec)->stage) ? "" : " (a deposit: no refund path)") +
                                             ": nothing to retry");
  }
  if ((*rec)->attempts != UINT32_MAX) ++(*rec)->attempts;
  return OperatorRecord{OperatorActionKind::PacketRetry, to_string(id), note, {id}};
}

Result<OperatorRecord> RelayState::release_hold(const PacketId& id, const OperatorNote& note) {
  auto rec = get(id);
  if (!rec) return tl::unexpected(rec.error());
  auto next = advance(**rec, EvReleaseHold{});
  if (!next) return tl::unexpected(next.error());
  if (auto lim = limiters_.find({id.source_island, id.source_channel}); lim != limiters_.end()) {
    if (auto t = packet::decode_transfer_payload(next->packet.payload); t) {
      lim->second.force_admit(t->denom, t->amount, note.time_ms);
    }
  }
  **rec = *next;
  return OperatorRecord{OperatorActionKind::ReleaseHold, to_string(id), note, {id}};
}

Result<OperatorRecord> RelayState::resume_channel(const ChannelKey& end, const OperatorNote& note) {
  const ChannelEnd* e = channels_.find(end);
  if (e == nullptr) return fail(Code::UnknownChannel, "no channel " + to_string(end));
  for (const auto& k : {end, e->counterparty_key()}) {
    if (auto it = ledgers_.find(k); it != ledgers_.end()) {
      if (auto rep = it->second.check(); !rep.ok) {
        return fail(Code::EscrowInvariant, "ledger " + to_string(k) + " still broken for " + rep.denom);
      }
    }
  }
  if (auto ok = channels_.resume_both(end); !ok) return tl::unexpected(ok.error());
  return OperatorRecord{OperatorActionKind::ChannelResume, to_string(end), note, {}};
}

// ---- invariants -------------------------------------------------------------------------------------------

InvariantReport RelayState::check_invariants() const {
  for (const auto& [key, l] : ledgers_) {
    auto r = l.check();
    if (!r.ok) {
      r.ledger = key;
      return r;
    }
  }
  return InvariantReport{};
}

Result<InvariantReport> RelayState::check_against_chain(const ChannelKey& ledger, const std::string& denom,
                                                        const Amount& chain_escrowed,
                                                        const Amount& chain_voucher_supply) {
  if (channels_.find(ledger) == nullptr) return fail(Code::UnknownChannel, "no channel " + to_string(ledger));
  TransferLedger empty;
  const TransferLedger* l = &empty;
  if (auto it = ledgers_.find(ledger); it != ledgers_.end()) l = &it->second;
  auto r = l->check_against_chain(denom, chain_escrowed, chain_voucher_supply);
  r.ledger = ledger;
  if (!r.ok) (void)channels_.halt_both(ledger, std::string(broken_side_name(r.side)) + " side: " + r.detail);
  return r;
}

std::vector<std::uint64_t> RelayState::missing_sequences(const ChannelKey& source_end, std::size_t max) const {
  std::vector<std::uint64_t> out;
  const ChannelEnd* e = channels_.find(source_end);
  if (e == nullptr || e->spec.ordering != Ordering::Ordered) return out;
  const ChannelEnd* cp = channels_.find(e->counterparty_key());
  const std::uint64_t from = cp == nullptr ? 1 : cp->next_recv;
  PacketId probe{source_end.island, {}, source_end.channel, 0};
  if (const IslandRecord* isl = islands_.find(source_end.island); isl != nullptr) probe.source_genesis = isl->spec.genesis;
  for (std::uint64_t s = from; s < e->next_send && out.size() < max; ++s) {
    probe.sequence = s;
    if (packets_.count(probe) == 0) out.push_back(s);
  }
  return out;
}

}  // namespace causeway::domain
