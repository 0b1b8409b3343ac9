// relay/domain: ICS-20 denom traces, the escrow ledger and its invariant, caps (A05), postconditions (A08).
#include <catch2/catch.hpp>

#include "support.hpp"

using namespace dtest;

namespace {

Amount amt(std::uint64_t v) { return abi::u256_from_u64(v); }

const DenomBalance& bal(const RelayState& st, const ChannelKey& k, const std::string& denom) {
  static const DenomBalance none{};
  auto it = st.ledgers().find(k);
  if (it == st.ledgers().end()) return none;
  const DenomBalance* b = it->second.find(denom);
  return b == nullptr ? none : *b;
}

}  // namespace

TEST_CASE("denom trace: prefixes exactly as PACKET.md 'Transfer payload'") {
  auto p = transfer(kA, 1, kErc20, 1);
  CHECK(trace_prefix("transfer", "channel-0") == "transfer/channel-0/");
  CHECK(has_trace_prefix("transfer/channel-0/sat", "transfer", "channel-0"));
  CHECK_FALSE(has_trace_prefix("transfer/channel-01/sat", "transfer", "channel-0"));
  CHECK_FALSE(has_trace_prefix("transfer/channel-0", "transfer", "channel-0"));
  CHECK_FALSE(has_trace_prefix("transfer/channel-0/", "transfer", "channel-0"));
  CHECK_FALSE(has_trace_prefix("xtransfer/channel-0/sat", "transfer", "channel-0"));
  // Sending side: only this packet's source_port/source_channel/ burns.
  CHECK_FALSE(send_burns(p, kErc20));
  CHECK(send_burns(p, "transfer/channel-0/stake"));
  CHECK_FALSE(send_burns(p, "transfer/channel-1/stake"));
  // Receiving side: going home strips the prefix; otherwise dest_port/dest_channel/ is prepended.
  CHECK(receive_denom(p, kErc20) == ReceivedDenom{false, "transfer/channel-0/" + kErc20});
  CHECK(receive_denom(p, "transfer/channel-0/stake") == ReceivedDenom{true, "stake"});
  CHECK(receive_denom(p, "transfer/channel-0/transfer/channel-3/sat") ==
        ReceivedDenom{true, "transfer/channel-3/sat"});
  CHECK(base_denom("transfer/channel-0/transfer/channel-3/sat") == "sat");
  CHECK(base_denom("sat") == "sat");
}

TEST_CASE("denom validation: registered shapes only; the zero address is never an asset") {
  CHECK(validate_denom(kErc20).has_value());
  CHECK(validate_denom("sat").has_value());
  CHECK(validate_denom("transfer/channel-0/sat").has_value());
  CHECK(validate_denom("0x0000000000000000000000000000000000000000").error().code == Code::UnknownDenom);
  CHECK(validate_denom("0x5FBDB2315678AFECB367F032D93F642F64180AA3").error().code == Code::InvalidArgument);
  CHECK(validate_denom("0x5fbdb2315678afecb367f032d93f642f64180a").error().code == Code::InvalidArgument);
  CHECK(validate_denom("transfer/sat").error().code == Code::InvalidArgument);
  CHECK(validate_denom("transfer//sat").error().code == Code::InvalidArgument);
  CHECK(validate_denom("").error().code == Code::InvalidArgument);
  CHECK(validate_denom("1sat").error().code == Code::InvalidArgument);
  std::string deep;
  for (int i = 0; i < 17; ++i) deep += "transfer/channel-0/";
  CHECK(validate_denom(deep + "sat").error().code == Code::TooLarge);
  CHECK(validate_denom(std::string(1025, 'a')).error().code == Code::TooLarge);
}

TEST_CASE("uint256 amounts: checked add and sub, never wrapping") {
  Amount max{};
  max.fill(0xff);
  CHECK(add(max, amt(1)).error().code == Code::Overflow);
  CHECK(add(amt(0xff), amt(1)).value() == amt(0x100));
  CHECK(sub(amt(1), amt(2)).error().code == Code::InsufficientFunds);
  CHECK(sub(amt(0x100), amt(1)).value() == amt(0xff));
  CHECK(to_decimal(max) == "115792089237316195423570985008687907853269984665640564039457584007913129639935");
  CHECK(add_saturating(max, amt(5)) == max);
}

TEST_CASE("transfer round trip: escrow -> voucher -> burn -> release keeps escrowed = outstanding + in flight") {
  World w;
  const ChannelKey la{kA, "channel-0"};
  auto out = transfer(kA, 1, kErc20, 100);
  REQUIRE(w.state.observe(out, endpoint_of(kA)));
  REQUIRE(w.state.prove(packet_id(out), proven(out)));
  CHECK(bal(w.state, la, kErc20) == DenomBalance{amt(100), amt(0), amt(100), amt(0)});
  REQUIRE(w.state.attest(packet_id(out), quorum_for(w.state, out, {relay_key()}), view_of(kB, 1, 1)));
  REQUIRE(w.state.deliver(packet_id(out), delivered(out, true)));
  CHECK(bal(w.state, la, kErc20).in_flight_out == amt(100));  // still in flight until the ack is proven
  REQUIRE(w.state.acknowledge(packet_id(out), ack_of(out, true)));
  CHECK(bal(w.state, la, kErc20) == DenomBalance{amt(100), amt(100), amt(0), amt(0)});
  CHECK(w.state.check_invariants().ok);

  // The voucher on B is transfer/channel-0/<erc20>; 40 of it go home.
  const std::string voucher = "transfer/channel-0/" + kErc20;
  CHECK(receive_denom(out, kErc20).denom == voucher);
  auto home = transfer(kB, 1, voucher, 40);
  auto plan = plan_transfer(home, packet::decode_transfer_payload(home.payload).value()).value();
  CHECK(plan.direction == TransferDirection::BurnHome);
  CHECK(plan.ledger == la);
  CHECK(plan.ledger_denom == kErc20);
  CHECK(plan.received == ReceivedDenom{true, kErc20});
  REQUIRE(w.state.observe(home, endpoint_of(kB)));
  REQUIRE(w.state.prove(packet_id(home), proven(home)));
  CHECK(bal(w.state, la, kErc20) == DenomBalance{amt(100), amt(60), amt(0), amt(40)});
  REQUIRE(w.state.attest(packet_id(home), quorum_for(w.state, home, {relay_key()}), view_of(kA, 1, 1)));
  REQUIRE(w.state.deliver(packet_id(home), delivered(home, true)));
  REQUIRE(w.state.acknowledge(packet_id(home), ack_of(home, true)));
  CHECK(bal(w.state, la, kErc20) == DenomBalance{amt(60), amt(60), amt(0), amt(0)});
  CHECK(w.state.check_invariants().ok);
  // Chain balances agree: nothing halts.
  auto rep = w.state.check_against_chain(la, kErc20, amt(60), amt(60));
  REQUIRE(rep);
  CHECK(rep->ok);
  CHECK(w.state.channels().find(la)->state == ChannelState::Open);
}

TEST_CASE("refunds: a timed-out escrow is released, an error-acknowledged burn is re-minted") {
  World w;
  const ChannelKey la{kA, "channel-0"};
  auto out = transfer(kA, 1, kErc20, 100, 20);
  REQUIRE(w.state.observe(out, endpoint_of(kA)));
  REQUIRE(w.state.prove(packet_id(out), proven(out)));
  REQUIRE(w.state.time_out(packet_id(out), view_of(kB, 20, 1), {NonDeliveryKind::DevnetEventScan, 20, {}, {}, 0, false}));
  CHECK(bal(w.state, la, kErc20) == DenomBalance{amt(100), amt(0), amt(100), amt(0)});
  REQUIRE(w.state.refund(packet_id(out), {30}));
  CHECK(bal(w.state, la, kErc20) == DenomBalance{amt(0), amt(0), amt(0), amt(0)});

  auto out2 = transfer(kA, 2, kErc20, 50);
  drive_to_delivered(w.state, out2);
  REQUIRE(w.state.acknowledge(packet_id(out2), ack_of(out2, true)));
  auto home = transfer(kB, 1, "transfer/channel-0/" + kErc20, 50);
  drive_to_delivered(w.state, home, false);
  CHECK(bal(w.state, la, kErc20) == DenomBalance{amt(50), amt(0), amt(0), amt(50)});
  REQUIRE(w.state.acknowledge(packet_id(home), ack_of(home, false)));
  REQUIRE(w.state.refund(packet_id(home), {31}));
  CHECK(bal(w.state, la, kErc20) == DenomBalance{amt(50), amt(50), amt(0), amt(0)});
  CHECK(w.state.check_invariants().ok);
}

TEST_CASE("registered assets only: unknown denom, zero address, never-minted voucher, zero amount") {
  World w;
  const auto before = w.state;
  CHECK(w.state.observe(transfer(kA, 1, "0x1111111111111111111111111111111111111111", 5), endpoint_of(kA))
            .error()
            .code == Code::UnknownDenom);
  CHECK(w.state.observe(transfer(kA, 1, "0x0000000000000000000000000000000000000000", 5), endpoint_of(kA))
            .error()
            .code == Code::UnknownDenom);
  CHECK(w.state.observe(transfer(kB, 1, "transfer/channel-0/" + kErc20, 5), endpoint_of(kB)).error().code ==
        Code::UnknownDenom);
  CHECK(w.state.observe(transfer(kA, 1, "transfer/channel-7/stake", 5), endpoint_of(kA)).error().code ==
        Code::UnknownDenom);
  CHECK(w.state.observe(transfer(kA, 1, kErc20, 0), endpoint_of(kA)).error().code == Code::InvalidArgument);
  CHECK(w.state.observe(transfer(kA, 1, kErc20, 5, 0, 0), endpoint_of(kA)).error().code == Code::PacketInvalid);
  CHECK(w.state == before);
  CHECK(w.state.register_asset(kA, "0x0000000000000000000000000000000000000000").error().code == Code::UnknownDenom);
  CHECK(w.state.register_asset(kA, "transfer/channel-0/sat").error().code == Code::InvalidArgument);
}

TEST_CASE("A05 an over-cap transfer is held with an alert; released by the window or by an operator") {
  World w;
  const ChannelKey la{kA, "channel-0"};
  RateLimit lim;
  lim.window_ms = 60'000;
  lim.caps[kErc20] = amt(100);
  REQUIRE(w.state.set_rate_limit(la, lim));
  auto t1 = transfer(kA, 1, kErc20, 70);
  auto t2 = transfer(kA, 2, kErc20, 40);  // 70 + 40 > 100 within the window
  auto t3 = transfer(kA, 3, kErc20, 10);
  for (const auto& t : {t1, t2, t3}) REQUIRE(w.state.observe(t, endpoint_of(kA)));
  auto s1 = w.state.prove(packet_id(t1), proven(t1, 1'000));
  REQUIRE(s1);
  CHECK_FALSE(s1->record.held);
  auto s2 = w.state.prove(packet_id(t2), proven(t2, 2'000));
  REQUIRE(s2);
  CHECK(s2->record.held);
  REQUIRE(s2->alerts.size() == 1);
  CHECK(s2->alerts[0].kind == "transfer_held");
  // The escrow happened on chain: the ledger records it even though the transfer is held.
  CHECK(bal(w.state, la, kErc20).escrowed == amt(110));
  CHECK(w.state.attest(packet_id(t2), quorum_for(w.state, t2, {relay_key()}), view_of(kB, 1, 1)).error().code ==
        Code::TransferHeld);
  REQUIRE(w.state.prove(packet_id(t3), proven(t3, 3'000)));
  CHECK_FALSE(w.state.find(packet_id(t3))->held);  // 80 ≤ 100
  // Inside the window nothing is released; after t1 left the window (1'000 + 60'000), t2 fits.
  CHECK(w.state.release_held(la, 60'000).empty());
  CHECK(w.state.release_held(la, 61'000) == std::vector<PacketId>{packet_id(t2)});
  CHECK_FALSE(w.state.find(packet_id(t2))->held);
  REQUIRE(w.state.attest(packet_id(t2), quorum_for(w.state, t2, {relay_key()}), view_of(kB, 1, 1)));

  // Operator release regardless of the cap.
  auto t4 = transfer(kA, 4, kErc20, 500);
  REQUIRE(w.state.observe(t4, endpoint_of(kA)));
  REQUIRE(w.state.prove(packet_id(t4), proven(t4, 61'500)));
  CHECK(w.state.find(packet_id(t4))->held);
  auto rel = w.state.release_hold(packet_id(t4), {"bob", "counterparty confirmed the OTC trade", 61'600});
  REQUIRE(rel);
  CHECK(rel->kind == OperatorActionKind::ReleaseHold);
  CHECK_FALSE(w.state.find(packet_id(t4))->held);
  CHECK(w.state.release_hold(packet_id(t4), {"bob", "again", 61'700}).error().code == Code::IllegalTransition);
}

TEST_CASE("A05 the escrow invariant is checked against the chains: the broken side is named, the channel halts") {
  World w;
  const ChannelKey la{kA, "channel-0"};
  auto t = transfer(kA, 1, kErc20, 100);
  drive_to_delivered(w.state, t);
  REQUIRE(w.state.acknowledge(packet_id(t), ack_of(t, true)));
  auto t2 = transfer(kA, 2, kErc20, 10);
  REQUIRE(w.state.observe(t2, endpoint_of(kA)));
  REQUIRE(w.state.prove(packet_id(t2), proven(t2)));

  // Vouchers on B exceed what the ledger minted (a release on B with no proven lock on A).
  auto rep = w.state.check_against_chain(la, kErc20, amt(110), amt(150));
  REQUIRE(rep);
  CHECK_FALSE(rep->ok);
  CHECK(rep->side == BrokenSide::Vouchers);
  CHECK(broken_side_name(rep->side) == "vouchers");
  CHECK(w.state.channels().find(la)->state == ChannelState::Halted);
  CHECK(w.state.channels().find({kB, "channel-0"})->state == ChannelState::Halted);
  auto att = w.state.attest(packet_id(t2), quorum_for(w.state, t2, {relay_key()}), view_of(kB, 1, 1));
  REQUIRE_FALSE(att);
  CHECK(att.error().code == Code::ChannelHalted);
  CHECK(w.state.validate_send(transfer(kA, 3, kErc20, 1), view_of(kB, 1, 1)).error().code == Code::ChannelHalted);

  auto esc = w.state.check_against_chain(la, kErc20, amt(90), amt(100));
  REQUIRE(esc);
  CHECK(esc->side == BrokenSide::Escrow);

  auto resumed = w.state.resume_channel(la, {"carol", "escrow reconciled", 5});
  REQUIRE(resumed);
  CHECK(resumed->kind == OperatorActionKind::ChannelResume);
  CHECK(w.state.channels().find(la)->state == ChannelState::Open);
  REQUIRE(w.state.attest(packet_id(t2), quorum_for(w.state, t2, {relay_key()}), view_of(kB, 1, 1)));
}

TEST_CASE("A05 a proven burn of more vouchers than were minted halts the channel") {
  World w;
  const ChannelKey la{kA, "channel-0"};
  auto t = transfer(kA, 1, kErc20, 100);
  drive_to_delivered(w.state, t);
  REQUIRE(w.state.acknowledge(packet_id(t), ack_of(t, true)));
  auto home = transfer(kB, 1, "transfer/channel-0/" + kErc20, 150);
  REQUIRE(w.state.observe(home, endpoint_of(kB)));
  const auto ledgers_before = w.state.ledgers();
  auto r = w.state.prove(packet_id(home), proven(home));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Code::EscrowInvariant);
  CHECK(w.state.ledgers() == ledgers_before);
  CHECK(w.state.find(packet_id(home))->stage == Stage::Observed);
  CHECK(w.state.channels().find(la)->state == ChannelState::Halted);
  CHECK(w.state.check_invariants().ok);
}

TEST_CASE("a voucher burn proven before the ack that minted it waits (no halt); beyond in flight it halts") {
  World w;
  const ChannelKey la{kA, "channel-0"};
  auto t = transfer(kA, 1, kErc20, 100);
  drive_to_delivered(w.state, t);  // delivered on B, the ack not yet taken in: 100 still in flight out
  auto home = transfer(kB, 1, "transfer/channel-0/" + kErc20, 60);
  REQUIRE(w.state.observe(home, endpoint_of(kB)));
  const auto before = w.state.ledgers();
  auto r = w.state.prove(packet_id(home), proven(home));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Code::InsufficientFunds);
  CHECK(r.error().detail == "burn of 60 " + kErc20 + " waits for the acknowledgements of the transfers that minted "
                                                       "them on eip155:31337/channel-0");
  CHECK(w.state.ledgers() == before);
  CHECK(w.state.find(packet_id(home))->stage == Stage::Observed);
  CHECK(w.state.channels().find(la)->state == ChannelState::Open);  // not halted
  // The ack arrives: the same burn is now proven.
  REQUIRE(w.state.acknowledge(packet_id(t), ack_of(t, true)));
  REQUIRE(w.state.prove(packet_id(home), proven(home)));
  CHECK(bal(w.state, la, kErc20) == DenomBalance{amt(100), amt(40), amt(0), amt(60)});
  CHECK(w.state.check_invariants().ok);

  // A burn larger than outstanding + in flight is no wait: it breaks the invariant and halts (A05).
  World w2;
  auto t2 = transfer(kA, 1, kErc20, 100);
  drive_to_delivered(w2.state, t2);
  auto greedy = transfer(kB, 1, "transfer/channel-0/" + kErc20, 101);
  REQUIRE(w2.state.observe(greedy, endpoint_of(kB)));
  auto r2 = w2.state.prove(packet_id(greedy), proven(greedy));
  REQUIRE_FALSE(r2);
  CHECK(r2.error().code == Code::EscrowInvariant);
  CHECK(w2.state.channels().find(la)->state == ChannelState::Halted);
}

TEST_CASE("a burn of vouchers an owed refund re-mints waits (no halt): the refund lands before it is recorded") {
  World w;
  const ChannelKey la{kA, "channel-0"};
  const std::string voucher = "transfer/channel-0/" + kErc20;
  auto t = transfer(kA, 1, kErc20, 100);
  drive_to_delivered(w.state, t);
  REQUIRE(w.state.acknowledge(packet_id(t), ack_of(t, true)));  // 100 vouchers outstanding on B
  auto home = transfer(kB, 1, voucher, 100);
  drive_to_delivered(w.state, home, false);
  REQUIRE(w.state.acknowledge(packet_id(home), ack_of(home, false)));  // error ack: the 100 are re-minted on B
  CHECK(bal(w.state, la, kErc20) == DenomBalance{amt(100), amt(0), amt(0), amt(100)});
  // B re-minted them (the relay's refund transaction landed) and they are burned again before the relay
  // records the refund: a wait, not a break of the invariant.
  auto again = transfer(kB, 2, voucher, 100);
  REQUIRE(w.state.observe(again, endpoint_of(kB)));
  auto r = w.state.prove(packet_id(again), proven(again));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Code::InsufficientFunds);
  CHECK(w.state.channels().find(la)->state == ChannelState::Open);
  CHECK(w.state.find(packet_id(again))->stage == Stage::Observed);
  // The refund is recorded: the burn is proven.
  REQUIRE(w.state.refund(packet_id(home), {31}));
  REQUIRE(w.state.prove(packet_id(again), proven(again)));
  CHECK(bal(w.state, la, kErc20) == DenomBalance{amt(100), amt(0), amt(0), amt(100)});
  CHECK(w.state.check_invariants().ok);
  // More than outstanding + in flight + owed refunds is still a break (A05).
  auto greedy = transfer(kB, 3, voucher, 1);
  REQUIRE(w.state.observe(greedy, endpoint_of(kB)));
  auto r2 = w.state.prove(packet_id(greedy), proven(greedy));
  REQUIRE_FALSE(r2);
  CHECK(r2.error().code == Code::EscrowInvariant);
}

TEST_CASE("ledger movements refuse to go below zero and keep the invariant") {
  TransferLedger l;
  CHECK(l.voucher_burned("x", amt(1)).error().code == Code::UnknownDenom);
  REQUIRE(l.escrow_out("x", amt(10)));
  CHECK(l.voucher_minted("x", amt(11)).error().code == Code::InsufficientFunds);
  CHECK(l.release_home("x", amt(1)).error().code == Code::InsufficientFunds);
  CHECK(l.find("x")->escrowed == amt(10));
  REQUIRE(l.voucher_minted("x", amt(4)));
  REQUIRE(l.voucher_burned("x", amt(4)));
  REQUIRE(l.voucher_reminted("x", amt(4)));
  REQUIRE(l.escrow_refund("x", amt(6)));
  CHECK(*l.find("x") == DenomBalance{amt(4), amt(4), amt(0), amt(0)});
  CHECK(l.check().ok);
}

TEST_CASE("A08 a balance must move by exactly the amount") {
  CHECK(check_postcondition(amt(100), amt(150), amt(50), true));
  CHECK(check_postcondition(amt(100), amt(100), amt(50), true).error().code == Code::Postcondition);
  CHECK(check_postcondition(amt(100), amt(50), amt(50), false));
  CHECK(check_postcondition(amt(10), amt(0), amt(50), false).error().code == Code::Postcondition);
}
