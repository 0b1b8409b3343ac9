// relay/domain: the packet state machine, dedup (A20), timeouts (A21, A09), ordered channels (A24),
// redundant relaying (A27), retries (A30) and operator actions.
#include <catch2/catch.hpp>

#include "support.hpp"

using namespace dtest;

namespace {

PacketRecord record_at(Stage s, const packet::Packet& p) {
  PacketRecord r;
  r.id = packet_id(p);
  r.commitment = packet::commitment(p);
  r.packet = p;
  r.stage = s;
  r.ack_commitment = packet::ack_commitment(ack_of(p, true));
  return r;
}

}  // namespace

TEST_CASE("stage machine: only the documented transitions exist; terminal stages take no event") {
  World w;
  const auto p = message(kA, "channel-1", 1);
  const auto q = quorum_for(w.state, p, {relay_key()});
  const ChannelEnd& dst = *w.state.channels().find({kB, "channel-1"});
  const auto view = view_of(kB, 1000, 1);
  NonDeliveryProof nd{NonDeliveryKind::DevnetEventScan, 1000, {}, {}, 0, false};
  const Stage all[] = {Stage::Observed, Stage::Proven, Stage::Attested, Stage::Delivered, Stage::Acknowledged,
                       Stage::ErrorAcknowledged, Stage::TimedOut, Stage::Refunded};
  for (Stage s : all) {
    const PacketRecord r = record_at(s, p);
    auto verdict = judge_timeout(r, dst, view, nd);
    REQUIRE(verdict);
    const std::vector<std::pair<Event, bool>> events = {
        {EvProven{r.commitment, 1, h32(1), 1, 0}, s == Stage::Observed},
        {EvAttested{&q, view_of(kB, 1, 1)}, s == Stage::Proven},
        {EvDelivered{r.commitment, r.ack_commitment, 3}, s == Stage::Proven || s == Stage::Attested},
        {EvAcknowledged{ack_of(p, true)}, s == Stage::Delivered},
        {EvTimedOut{&*verdict}, s == Stage::Proven || s == Stage::Attested},
        {EvRefunded{9}, s == Stage::ErrorAcknowledged || s == Stage::TimedOut},
        {EvHold{}, s == Stage::Observed || s == Stage::Proven},
    };
    for (const auto& [ev, legal] : events) {
      INFO(std::string(stage_name(s)) + " on " + std::string(event_name(ev)));
      auto next = advance(r, ev);
      CHECK(next.has_value() == legal);
      if (!legal) CHECK(next.error().code == Code::IllegalTransition);
    }
    auto rel = advance(r, EvReleaseHold{});
    CHECK(rel.error().code == Code::IllegalTransition);  // nothing held
    if (is_terminal(s)) CHECK((s == Stage::Acknowledged || s == Stage::Refunded));
  }
  CHECK(stage_name(Stage::ErrorAcknowledged) == "error-acknowledged");
  CHECK(stage_name(Stage::TimedOut) == "timed-out");
}

TEST_CASE("A20 dedup by identity: same commitment is AlreadyKnown, another commitment is a conflict") {
  World w;
  auto p = message(kA, "channel-1", 1);
  auto first = w.state.observe(p, endpoint_of(kA));
  REQUIRE(first);
  CHECK(first->outcome == ObserveOutcome::New);
  auto again = w.state.observe(p, endpoint_of(kA));
  REQUIRE(again);
  CHECK(again->outcome == ObserveOutcome::AlreadyKnown);
  CHECK(again->record == first->record);
  const auto before = w.state;
  auto changed = p;
  changed.payload = bytes_of("other");
  auto conflict = w.state.observe(changed, endpoint_of(kA));
  REQUIRE_FALSE(conflict);
  CHECK(conflict.error().code == Code::CommitmentConflict);
  CHECK(w.state == before);
  // A proof of another commitment for the same identity is a conflict too.
  auto ev = proven(changed);
  CHECK(w.state.prove(packet_id(p), ev).error().code == Code::CommitmentConflict);
  CHECK(w.state == before);
}

TEST_CASE("full path: observed, proven, attested, delivered, acknowledged; error ack then refund") {
  World w;
  const auto p = message(kA, "channel-1", 1);
  const auto id = packet_id(p);
  drive_to_delivered(w.state, p);
  CHECK(w.state.find(id)->stage == Stage::Delivered);
  CHECK(w.state.find(id)->attestations == 1);
  CHECK(w.state.find(id)->committee_epoch == 1);
  // Ack bytes for another result do not match the delivered ack commitment.
  CHECK(w.state.acknowledge(id, ack_of(p, false)).error().code == Code::ClaimMismatch);
  auto ack = w.state.acknowledge(id, ack_of(p, true));
  REQUIRE(ack);
  CHECK(ack->record.stage == Stage::Acknowledged);
  CHECK(w.state.channels().find({kA, "channel-1"})->next_ack == 2);
  CHECK(w.state.acknowledge(id, ack_of(p, true)).error().code == Code::IllegalTransition);
  CHECK(w.state.refund(id, {3}).error().code == Code::IllegalTransition);

  const auto p2 = message(kA, "channel-1", 2);
  drive_to_delivered(w.state, p2, false);
  auto err = w.state.acknowledge(packet_id(p2), ack_of(p2, false));
  REQUIRE(err);
  CHECK(err->record.stage == Stage::ErrorAcknowledged);
  auto refund = w.state.refund(packet_id(p2), {12});
  REQUIRE(refund);
  CHECK(refund->record.stage == Stage::Refunded);
  CHECK(refund->record.refund_height == 12);
}

TEST_CASE("A21 timeout boundary: exactly at timeout_height and at timeout_timestamp_ns") {
  World w;
  auto p = message(kA, "channel-1", 1, 50, 0);
  drive_to_delivered(w.state, message(kA, "channel-1", 1, 1000, 0));  // sequence 1 on the ordered channel
  p = message(kA, "channel-1", 2, 50, 0);
  REQUIRE(w.state.observe(p, endpoint_of(kA)));
  REQUIRE(w.state.prove(packet_id(p), proven(p)));
  const ChannelEnd& dst = *w.state.channels().find({kB, "channel-1"});
  const PacketRecord& r = *w.state.find(packet_id(p));
  auto scan = [](std::uint64_t h) { return NonDeliveryProof{NonDeliveryKind::DevnetEventScan, h, {}, {}, 0, false}; };
  CHECK(judge_timeout(r, dst, view_of(kB, 49, 0), scan(49)).error().code == Code::NotTimedOut);
  CHECK(judge_timeout(r, dst, view_of(kB, 50, 0), scan(50)).has_value());
  // Attesting at a destination block where the packet is already timed out is refused.
  auto q = quorum_for(w.state, p, {relay_key()});
  CHECK(w.state.attest(packet_id(p), q, view_of(kB, 50, 0)).error().code == Code::PacketTimedOut);
  REQUIRE(w.state.attest(packet_id(p), q, view_of(kB, 49, 0)));

  // Timestamp: devnet ms × 10^6 and EVM s × 10^9, boundary exactly at timeout_timestamp_ns.
  auto pt = record_at(Stage::Proven, message(kA, "channel-1", 3, 0, 1'800'000'000'000'000'000ULL));
  CHECK_FALSE(timed_out_at(pt.packet, DestView{1, 1'799'999'999'999ULL, packet::DestClock::DevnetMillis}));
  CHECK(timed_out_at(pt.packet, DestView{1, 1'800'000'000'000ULL, packet::DestClock::DevnetMillis}));
  CHECK_FALSE(timed_out_at(pt.packet, DestView{1, 1'799'999'999ULL, packet::DestClock::EvmSeconds}));
  CHECK(timed_out_at(pt.packet, DestView{1, 1'800'000'000ULL, packet::DestClock::EvmSeconds}));
  // No timeout at all: never timed out, even at the largest height and time.
  auto none = message(kA, "channel-1", 4, 0, 0);
  CHECK_FALSE(timed_out_at(none, DestView{UINT64_MAX, UINT64_MAX, packet::DestClock::EvmSeconds}));
}

TEST_CASE("A21 timeout_timestamp_ns = 2^64 - 1 is judged without overflow") {
  const auto p = message(kA, "channel-1", 1, 0, UINT64_MAX);
  // floor((2^64-1)/10^6) ms = 18446744073709 ms → 18446744073709000000 ns < 2^64-1: not timed out; +1 ms is.
  CHECK_FALSE(timed_out_at(p, DestView{1, 18'446'744'073'709ULL, packet::DestClock::DevnetMillis}));
  CHECK(timed_out_at(p, DestView{1, 18'446'744'073'710ULL, packet::DestClock::DevnetMillis}));
  CHECK_FALSE(timed_out_at(p, DestView{1, 18'446'744'073ULL, packet::DestClock::EvmSeconds}));
  CHECK(timed_out_at(p, DestView{1, 18'446'744'074ULL, packet::DestClock::EvmSeconds}));
  CHECK(timed_out_at(p, DestView{1, UINT64_MAX, packet::DestClock::EvmSeconds}));
  const auto h = message(kA, "channel-1", 1, UINT64_MAX, 0);
  CHECK_FALSE(timed_out_at(h, DestView{UINT64_MAX - 1, 0, packet::DestClock::EvmSeconds}));
  CHECK(timed_out_at(h, DestView{UINT64_MAX, 0, packet::DestClock::EvmSeconds}));
}

TEST_CASE("A21 the relay clock is never used: only the verified destination block decides") {
  World w;
  // Timeout in 2020 (long past on any relay clock), but the verified destination block is from 2017:
  // the packet is NOT timed out, it can be attested, and a timeout is refused.
  const std::uint64_t t2020_ns = 1'600'000'000ULL * 1'000'000'000ULL;
  auto t = transfer(kB, 1, "stake", 5, 0, t2020_ns);
  const auto dest_2017 = view_of(kA, 10, 1'500'000'000ULL);
  REQUIRE(w.state.validate_send(t, dest_2017));
  REQUIRE(w.state.observe(t, endpoint_of(kB)));
  REQUIRE(w.state.prove(packet_id(t), proven(t)));
  const auto slot = packet::receipt_storage_slot(packet::commitment(t));
  NonDeliveryProof nd{NonDeliveryKind::EvmReceiptSlot, 10, slot, Hash32{}, 0, false};
  CHECK(w.state.time_out(packet_id(t), dest_2017, nd).error().code == Code::NotTimedOut);
  REQUIRE(w.state.attest(packet_id(t), quorum_for(w.state, t, {relay_key()}), dest_2017));
  // A send whose timeout has passed at the verified destination block is refused.
  const auto dest_2021 = view_of(kA, 11, 1'610'000'000ULL);
  auto t2 = transfer(kB, 2, "stake", 5, 0, t2020_ns);
  CHECK(w.state.validate_send(t2, dest_2021).error().code == Code::PacketTimedOut);
}

TEST_CASE("timeout needs the non-delivery proof PACKET.md defines, at the judged block") {
  World w;
  auto t = transfer(kB, 1, "stake", 5, 20, 0);  // B -> A (EVM destination)
  REQUIRE(w.state.observe(t, endpoint_of(kB)));
  REQUIRE(w.state.prove(packet_id(t), proven(t)));
  const auto id = packet_id(t);
  const auto view = view_of(kA, 25, 1);
  const auto slot = packet::receipt_storage_slot(packet::commitment(t));
  const auto before = w.state;
  CHECK(w.state.time_out(id, view, {NonDeliveryKind::EvmReceiptSlot, 24, slot, Hash32{}, 0, false}).error().code ==
        Code::NonDeliveryUnproven);  // proof at another block
  CHECK(w.state.time_out(id, view, {NonDeliveryKind::EvmReceiptSlot, 25, h32(9), Hash32{}, 0, false}).error().code ==
        Code::NonDeliveryUnproven);  // another slot
  CHECK(w.state.time_out(id, view, {NonDeliveryKind::EvmReceiptSlot, 25, slot, h32(1), 0, false}).error().code ==
        Code::NonDeliveryUnproven);  // receipt present
  CHECK(w.state.time_out(id, view, {NonDeliveryKind::DevnetEventScan, 25, {}, {}, 0, false}).error().code ==
        Code::NonDeliveryUnproven);  // wrong kind for an EVM destination
  CHECK(w.state == before);
  auto ok = w.state.time_out(id, view, {NonDeliveryKind::EvmReceiptSlot, 25, slot, Hash32{}, 0, false});
  REQUIRE(ok);
  CHECK(ok->record.stage == Stage::TimedOut);
  CHECK(ok->record.timeout_view == view);

  // Devnet destination: the scan must start at or before the channel's opening height and find no 0x03 leaf.
  World w2;
  const auto a = spec_a();
  const auto b = spec_b();
  REQUIRE(w2.state.open_channel(
      signed_channel(GovAction::ChannelOpen, chan_spec(a, b, "channel-2", "msg", Ordering::Unordered, 7), a.genesis, 4, gov_a()),
      signed_channel(GovAction::ChannelOpen, chan_spec(b, a, "channel-2", "msg", Ordering::Unordered, 7), b.genesis, 4, gov_b())));
  auto m = message(kA, "channel-2", 1, 30);
  REQUIRE(w2.state.observe(m, endpoint_of(kA)));
  REQUIRE(w2.state.prove(packet_id(m), proven(m)));
  const auto dv = view_of(kB, 30, 1);
  CHECK(w2.state.time_out(packet_id(m), dv, {NonDeliveryKind::DevnetEventScan, 30, {}, {}, 8, false}).error().code ==
        Code::NonDeliveryUnproven);
  CHECK(w2.state.time_out(packet_id(m), dv, {NonDeliveryKind::DevnetEventScan, 30, {}, {}, 7, true}).error().code ==
        Code::NonDeliveryUnproven);
  CHECK(w2.state.time_out(packet_id(m), dv, {NonDeliveryKind::DevnetEventScan, 30, {}, {}, 7, false}));
}

TEST_CASE("A09 a delivered packet never times out and is never refunded") {
  World w;
  auto t = transfer(kB, 1, "stake", 5, 20, 0);
  drive_to_delivered(w.state, t);
  const auto before = w.state;
  const auto slot = packet::receipt_storage_slot(packet::commitment(t));
  auto r = w.state.time_out(packet_id(t), view_of(kA, 25, 1), {NonDeliveryKind::EvmReceiptSlot, 25, slot, Hash32{}, 0, false});
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Code::IllegalTransition);
  CHECK(w.state.refund(packet_id(t), {4}).error().code == Code::IllegalTransition);
  CHECK(w.state == before);
  CHECK(w.state.find(packet_id(t))->stage == Stage::Delivered);
}

TEST_CASE("A24 ordered channel: 1, 2, 4 — 4 waits for 3, never skipped") {
  World w;
  const ChannelKey src{kA, "channel-1"};
  for (std::uint64_t s : {1ULL, 2ULL, 4ULL}) {
    auto p = message(kA, "channel-1", s);
    REQUIRE(w.state.observe(p, endpoint_of(kA)));
    REQUIRE(w.state.prove(packet_id(p), proven(p)));
    REQUIRE(w.state.attest(packet_id(p), quorum_for(w.state, p, {relay_key()}), view_of(kB, 1, 1)));
  }
  CHECK(w.state.missing_sequences(src, 10) == std::vector<std::uint64_t>{3});
  const auto id4 = packet_id(message(kA, "channel-1", 4));
  auto wait = w.state.ready_to_submit(id4);
  REQUIRE_FALSE(wait);
  CHECK(wait.error().code == Code::PacketSequence);
  for (std::uint64_t s : {1ULL, 2ULL}) {
    auto p = message(kA, "channel-1", s);
    REQUIRE(w.state.ready_to_submit(packet_id(p)));
    REQUIRE(w.state.deliver(packet_id(p), delivered(p, true)));
  }
  CHECK(w.state.ready_to_submit(id4).error().code == Code::PacketSequence);
  const auto before = w.state;
  auto skip = w.state.deliver(id4, delivered(message(kA, "channel-1", 4), true));
  REQUIRE_FALSE(skip);
  CHECK(skip.error().code == Code::PacketSequence);
  CHECK(w.state == before);
  drive_to_delivered(w.state, message(kA, "channel-1", 3));
  CHECK(w.state.missing_sequences(src, 10).empty());
  REQUIRE(w.state.ready_to_submit(id4));
  REQUIRE(w.state.deliver(id4, delivered(message(kA, "channel-1", 4), true)));
  CHECK(w.state.channels().find({kB, "channel-1"})->next_recv == 5);
  CHECK(w.state.channels().find({kA, "channel-1"})->next_send == 5);
}

TEST_CASE("ordered channel closes on a timeout (ICS-04); in-flight packets still complete") {
  World w;
  auto p1 = message(kA, "channel-1", 1, 10);
  auto p2 = message(kA, "channel-1", 2, 1000);
  for (const auto& p : {p1, p2}) {
    REQUIRE(w.state.observe(p, endpoint_of(kA)));
    REQUIRE(w.state.prove(packet_id(p), proven(p)));
  }
  auto r = w.state.time_out(packet_id(p1), view_of(kB, 10, 1), {NonDeliveryKind::DevnetEventScan, 10, {}, {}, 0, false});
  REQUIRE(r);
  REQUIRE(r->alerts.size() == 1);
  CHECK(r->alerts[0].kind == "ordered_channel_closed");
  CHECK(w.state.channels().find({kA, "channel-1"})->state == ChannelState::Closed);
  CHECK(w.state.attest(packet_id(p2), quorum_for(w.state, p2, {relay_key()}), view_of(kB, 11, 1)).error().code ==
        Code::ChannelClosed);
  CHECK(w.state.refund(packet_id(p1), {20}));
  CHECK(w.state.validate_send(message(kA, "channel-1", 3), view_of(kB, 11, 1)).error().code == Code::ChannelClosed);
}

TEST_CASE("A27 a packet delivered by another relayer is recorded without our attestation, once") {
  World w;
  auto p = message(kA, "channel-1", 1);
  REQUIRE(w.state.observe(p, endpoint_of(kA)));
  REQUIRE(w.state.prove(packet_id(p), proven(p)));
  REQUIRE(w.state.deliver(packet_id(p), delivered(p, true)));
  CHECK(w.state.find(packet_id(p))->stage == Stage::Delivered);
  CHECK(w.state.deliver(packet_id(p), delivered(p, true)).error().code == Code::IllegalTransition);
  CHECK(w.state.attest(packet_id(p), quorum_for(w.state, p, {relay_key()}), view_of(kB, 1, 1)).error().code ==
        Code::IllegalTransition);
  CHECK(w.state.ready_to_submit(packet_id(p)).error().code == Code::IllegalTransition);
}

TEST_CASE("A30 packet retry and packet clear re-drive, never deliver twice; recorded for the audit log") {
  World w;
  auto p1 = message(kA, "channel-1", 1);
  auto p2 = message(kA, "channel-1", 2);
  drive_to_delivered(w.state, p1);
  REQUIRE(w.state.acknowledge(packet_id(p1), ack_of(p1, true)));
  REQUIRE(w.state.observe(p2, endpoint_of(kA)));
  const OperatorNote note{"alice", "stuck after RPC timeout", 1234};
  auto retry = w.state.packet_retry(packet_id(p2), note);
  REQUIRE(retry);
  CHECK(retry->kind == OperatorActionKind::PacketRetry);
  CHECK(retry->target == to_string(packet_id(p2)));
  CHECK(w.state.find(packet_id(p2))->attempts == 1);
  CHECK(w.state.find(packet_id(p2))->stage == Stage::Observed);
  CHECK(w.state.packet_retry(packet_id(p1), note).error().code == Code::IllegalTransition);
  CHECK(w.state.packet_retry(packet_id(message(kA, "channel-1", 9)), note).error().code == Code::UnknownPacket);
  auto clear = w.state.packet_clear({kA, "channel-1"}, note);
  REQUIRE(clear);
  CHECK(clear->packets == std::vector<PacketId>{packet_id(p2)});
  CHECK(operator_action_name(clear->kind) == "packet_clear");
  CHECK(w.state.find(packet_id(p2))->attempts == 2);
  // Retrying the delivery step after an ambiguous outcome: the second delivery is refused.
  REQUIRE(w.state.prove(packet_id(p2), proven(p2)));
  REQUIRE(w.state.deliver(packet_id(p2), delivered(p2, true)));
  CHECK(w.state.deliver(packet_id(p2), delivered(p2, true)).error().code == Code::IllegalTransition);
}

TEST_CASE("A05 a tally of an earlier committee epoch, or for another endpoint, is not an attestation") {
  World w;
  auto p = message(kA, "channel-1", 1);
  REQUIRE(w.state.observe(p, endpoint_of(kA)));
  REQUIRE(w.state.prove(packet_id(p), proven(p)));
  const auto old_q = quorum_for(w.state, p, {relay_key()});
  // Rotate the committee to key 8 (signed by the current member, key 9).
  const auto members = std::vector<Address>{key(8).address};
  auto upd = w.state.update_committee(1, members, false, 2,
                                      sign_all(Committee::update_digest(1, members, false, 2), {relay_key()}));
  REQUIRE(upd);
  CHECK(w.state.attest(packet_id(p), old_q, view_of(kB, 1, 1)).error().code == Code::InsufficientQuorum);
  // Key 9 is no longer a member: its fresh signature does not count.
  const auto q9 = quorum_for(w.state, p, {relay_key()});
  CHECK_FALSE(q9.met());
  CHECK(w.state.attest(packet_id(p), q9, view_of(kB, 1, 1)).error().code == Code::InsufficientQuorum);
  // Another endpoint in the subject.
  AttestationSubject s{AttestationKind::Packet, p.dest_island, p.dest_genesis, bytes_of("elsewhere"),
                       packet::commitment(p), {}};
  auto sig = sign_attestation(s, 1, key(8).sk).value();
  auto q_other = tally_attestations(w.state.committee(), s, std::vector<MemberSignature>{sig}).value();
  CHECK(w.state.attest(packet_id(p), q_other, view_of(kB, 1, 1)).error().code == Code::WrongDestination);
  REQUIRE(w.state.attest(packet_id(p), quorum_for(w.state, p, {key(8)}), view_of(kB, 1, 1)));
}
