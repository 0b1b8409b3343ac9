// relay/domain property tests: thousands of seeded random event sequences (std::mt19937_64, fixed seeds).
// After every event: the escrow invariant holds and the ledger equals an independent model of the chains'
// balances; no packet is delivered twice; a terminal record never changes; stages never go back; a refused
// event leaves the whole state unchanged (except the documented halt on ERR_ESCROW_INVARIANT).
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <random>

#include "support.hpp"

using namespace dtest;

namespace {

int rank(Stage s) {
  switch (s) {
    case Stage::Observed: return 0;
    case Stage::Proven: return 1;
    case Stage::Attested: return 2;
    case Stage::Delivered: return 3;
    case Stage::Acknowledged:
    case Stage::ErrorAcknowledged:
    case Stage::TimedOut: return 4;
    case Stage::Refunded: return 5;
  }
  return -1;
}

struct Model {  // the chains' balances for the one escrow ledger (A/channel-0, ERC-20), kept by the test
  std::uint64_t escrow = 0;
  std::uint64_t vouchers = 0;
};

struct Candidate {
  packet::Packet p;
  std::uint64_t amount = 0;  // transfers
  bool home = false;         // voucher going home (B -> A)
};

std::vector<Candidate> make_pool(std::mt19937_64& rng) {
  std::vector<Candidate> pool;
  auto pick_timeout = [&]() -> std::uint64_t {
    const std::uint64_t t[] = {5, 20, 50, 1000};
    return t[rng() % 4];
  };
  for (std::uint64_t s = 1; s <= 5; ++s) pool.push_back({message(kA, "channel-1", s, pick_timeout()), 0, false});
  for (std::uint64_t s = 1; s <= 6; ++s) {
    const std::uint64_t amount = 1 + rng() % 100;
    pool.push_back({transfer(kA, s, kErc20, amount, pick_timeout()), amount, false});
  }
  for (std::uint64_t s = 1; s <= 2; ++s) {
    const std::uint64_t amount = 1 + rng() % 100;
    pool.push_back({transfer(kB, s, "stake", amount, pick_timeout()), amount, false});
  }
  for (std::uint64_t s = 3; s <= 6; ++s) {
    const std::uint64_t amount = 1 + rng() % 80;
    pool.push_back({transfer(kB, s, "transfer/channel-0/" + kErc20, amount, pick_timeout()), amount, true});
  }
  return pool;
}

}  // namespace

TEST_CASE("property: random event sequences never break an invariant, never deliver twice, never leave a "
          "terminal stage") {
  const World base;
  const ChannelKey la{kA, "channel-0"};
  constexpr std::uint64_t kSequences = 2000;
  constexpr int kSteps = 30;
  std::map<Code, int> refusals;
  std::map<Hash32, Quorum> quorums;  // signatures are deterministic (RFC 6979): sign each commitment once
  int deliveries_total = 0;
  int terminal_total = 0;
  for (std::uint64_t seq = 0; seq < kSequences; ++seq) {
    std::mt19937_64 rng(std::uint64_t{0xC0FFEE00} + seq);
    RelayState st = base.state;
    auto pool = make_pool(rng);
    std::shuffle(pool.begin(), pool.end(), rng);
    pool.resize(5);
    Model model;
    std::map<PacketId, int> deliveries;
    std::map<PacketId, bool> ack_success;
    std::map<PacketId, PacketRecord> terminal;
    for (int step = 0; step < kSteps; ++step) {
      const Candidate& c = pool[rng() % pool.size()];
      const PacketId id = packet_id(c.p);
      const bool is_erc20 = c.p.source_island == kA && c.p.source_port == "transfer";
      const PacketRecord* before_rec = st.find(id);
      const Stage before_stage = before_rec ? before_rec->stage : Stage::Observed;
      const RelayState before = st;
      // Mostly the event that advances this packet's stage (so sequences reach every stage), else any event.
      int action = static_cast<int>(rng() % 11);
      if (rng() % 10 < 7) {
        if (before_rec == nullptr) {
          action = 0;
        } else {
          switch (before_stage) {
            case Stage::Observed: action = 2; break;
            case Stage::Proven: action = rng() % 4 == 0 ? 6 : 3; break;
            case Stage::Attested: action = rng() % 5 == 0 ? 6 : 4; break;
            case Stage::Delivered: action = 5; break;
            case Stage::ErrorAcknowledged:
            case Stage::TimedOut: action = 7; break;
            default: break;
          }
        }
      }
      Status outcome;
      switch (action) {
        case 0: {
          auto r = st.observe(c.p, endpoint_of(c.p.source_island));
          if (!r) outcome = tl::unexpected(r.error());
          break;
        }
        case 1: {  // a conflicting observation: same identity, another payload
          auto q = c.p;
          q.timeout_height += 1;
          auto r = st.observe(q, endpoint_of(q.source_island));
          if (r) CHECK(r->outcome == ObserveOutcome::New);  // only if the identity was unseen
          if (r && before_rec != nullptr) FAIL("conflicting commitment accepted");
          if (!r) outcome = tl::unexpected(r.error());
          if (r) {  // unseen: undo by restoring; keep the pool's version canonical
            st = before;
          }
          break;
        }
        case 2: {
          auto r = st.prove(id, proven(c.p, 1000 + static_cast<std::uint64_t>(step)));
          if (!r) outcome = tl::unexpected(r.error());
          if (r && is_erc20) model.escrow += c.amount;
          if (r && c.home) model.vouchers -= c.amount;
          break;
        }
        case 3: {
          const Hash32 cm = packet::commitment(c.p);
          auto cached = quorums.find(cm);
          if (cached == quorums.end()) cached = quorums.emplace(cm, quorum_for(st, c.p, {relay_key()})).first;
          auto r = st.attest(id, cached->second, view_of(c.p.dest_island, rng() % 60, 1));
          if (!r) outcome = tl::unexpected(r.error());
          break;
        }
        case 4: {
          auto ready = st.ready_to_submit(id);
          const bool success = rng() % 4 != 0;
          const bool other_relayer = rng() % 5 == 0;  // A27: delivered by someone else, no readiness needed
          if (!ready && !other_relayer) {
            outcome = ready;
            break;
          }
          auto r = st.deliver(id, delivered(c.p, success, 1 + rng() % 60));
          if (!r) outcome = tl::unexpected(r.error());
          if (r) {
            ++deliveries[id];
            ack_success[id] = success;
          }
          break;
        }
        case 5: {
          const bool success = ack_success.count(id) ? ack_success[id] : true;
          const bool lie = rng() % 6 == 0;
          auto r = st.acknowledge(id, ack_of(c.p, lie ? !success : success));
          if (!r) outcome = tl::unexpected(r.error());
          if (r && success) {
            if (is_erc20) model.vouchers += c.amount;
            if (c.home) model.escrow -= c.amount;
          }
          break;
        }
        case 6: {
          const std::uint64_t h = 1 + rng() % 60;
          const auto view = view_of(c.p.dest_island, h, 1);
          NonDeliveryProof nd = c.p.dest_island == kA
                                    ? NonDeliveryProof{NonDeliveryKind::EvmReceiptSlot, h,
                                                       packet::receipt_storage_slot(packet::commitment(c.p)), Hash32{},
                                                       0, false}
                                    : NonDeliveryProof{NonDeliveryKind::DevnetEventScan, h, {}, {}, 0, false};
          auto r = st.time_out(id, view, nd);
          if (!r) outcome = tl::unexpected(r.error());
          break;
        }
        case 7: {
          auto r = st.refund(id, {99});
          if (!r) outcome = tl::unexpected(r.error());
          if (r && is_erc20) model.escrow -= c.amount;
          if (r && c.home) model.vouchers += c.amount;
          break;
        }
        case 8: {
          auto r = st.packet_retry(id, {"prop", "retry", 1});
          if (!r) outcome = tl::unexpected(r.error());
          break;
        }
        case 9: {
          auto r = st.resume_channel(la, {"prop", "resume", 1});
          if (!r) outcome = tl::unexpected(r.error());
          break;
        }
        default: {
          auto r = st.packet_clear({c.p.source_island, c.p.source_channel}, {"prop", "clear", 1});
          if (!r) outcome = tl::unexpected(r.error());
          break;
        }
      }
      if (!outcome) {
        ++refusals[outcome.error().code];
        if (outcome.error().code != Code::EscrowInvariant) {
          INFO("seed " << seq << " step " << step << " action " << action << ": " << outcome.error().detail);
          REQUIRE(st == before);
        } else {
          REQUIRE(st.ledgers() == before.ledgers());
          REQUIRE(st.channels().find(la)->state == ChannelState::Halted);
        }
      }
      // Invariants.
      const auto inv = st.check_invariants();
      REQUIRE(inv.ok);
      const auto* l = st.ledgers().count(la) ? st.ledgers().at(la).find(kErc20) : nullptr;
      const DenomBalance b = l ? *l : DenomBalance{};
      REQUIRE(b.escrowed == abi::u256_from_u64(model.escrow));
      REQUIRE(b.outstanding == abi::u256_from_u64(model.vouchers));
      for (const auto& [pid, n] : deliveries) REQUIRE(n <= 1);
      for (const auto& [pid, rec] : terminal) REQUIRE(*st.find(pid) == rec);
      if (const PacketRecord* now = st.find(id); now != nullptr) {
        if (before_rec != nullptr) REQUIRE(rank(now->stage) >= rank(before_stage));
        if (is_terminal(now->stage) && terminal.count(id) == 0) {
          PacketRecord kept = *now;
          terminal.emplace(id, kept);
        }
      }
      // packet retry / clear only bump attempts on non-terminal records; refresh the terminal snapshot's
      // attempts is never needed because they skip terminal records.
    }
    for (const auto& [pid, n] : deliveries) deliveries_total += n;
    terminal_total += static_cast<int>(terminal.size());
  }
  // The sequences exercised the machine, not just refusals.
  INFO("deliveries " << deliveries_total << ", terminal " << terminal_total);
  CHECK(deliveries_total > 1000);
  CHECK(terminal_total > 1000);
  CHECK(refusals[Code::IllegalTransition] > 1000);
  CHECK(refusals[Code::PacketSequence] > 0);
}
