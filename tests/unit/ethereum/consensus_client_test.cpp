// The per-island Ethereum light client (client.hpp) over its four modes, with headers sealed here: finality
// (BFT on verification; Clique / rpc-trusted after N confirmations, with reorgs), misbehaviour (A14), future drift
// and expiry (DESIGN.md §4), rpc-trusted refusal and labelling (PROOF-BUNDLE.md "family ethereum"), fail-closed
// anchors (A01). Each TEST_CASE names the rule it follows.
#include <catch2/catch.hpp>

#include "causeway/ethereum/client.hpp"
#include "consensus_support.hpp"

using namespace causeway;
using namespace causeway::ethereum;
using namespace causeway::ethereum::test;

namespace {

constexpr std::uint64_t kT0 = 1'700'000'000;
constexpr std::uint64_t kDay = 86'400;

ClientConfig config_of(ConsensusMode m, std::string island = "eip155:1337") {
  ClientConfig c;
  c.mode = m;
  c.island = std::move(island);
  c.trusting_period_s = kDay;
  c.min_confirmations = 3;
  c.clique.period_s = 15;
  return c;
}

bft::Variant variant_of(ConsensusMode m) {
  return m == ConsensusMode::Ibft2 ? bft::Variant::Ibft2 : bft::Variant::Qbft;
}

// A BFT anchor (block 10, no seals needed: the anchor is trusted) listing `s`.
Header bft_anchor(ConsensusMode m, const std::vector<Signer>& s) {
  BftSpec spec;
  spec.variant = variant_of(m);
  spec.validators = addresses(s);
  spec.proposer = s[0].address;
  return bft_header(spec, 10, filled(0x0a), kT0, {});
}

Header bft_child(ConsensusMode m, const std::vector<Signer>& s, const ConsensusState& parent, std::uint64_t dt,
                 std::size_t seals) {
  BftSpec spec;
  spec.variant = variant_of(m);
  spec.validators = addresses(s);
  spec.proposer = s[0].address;
  return bft_header(spec, parent.number + 1, parent.hash, parent.timestamp_s + dt, keys_of(s, seals));
}

// Plain (rpc-trusted) header linked to `parent`; `salt` makes siblings differ.
Header rpc_child(const ConsensusState& parent, std::uint8_t salt = 0) {
  Header h = base_header(parent.number + 1, parent.hash, parent.timestamp_s + 2);
  h.extra_data = {salt};
  return h;
}

}  // namespace

TEST_CASE("rpc-trusted is refused for eip155:1, :11155111, :17000 unless overridden, and labelled rpc-trusted") {
  const Header anchor = base_header(100, filled(1), kT0);
  std::size_t refused = 0;
  for (const char* island : {"eip155:1", "eip155:11155111", "eip155:17000"}) {
    auto c = Client::create(config_of(ConsensusMode::RpcTrusted, island), anchor, {});
    REQUIRE_FALSE(c.has_value());
    CHECK(c.error().code == Code::RpcTrustedRefused);
    auto cfg = config_of(ConsensusMode::RpcTrusted, island);
    cfg.allow_rpc_trusted_public = true;
    CHECK(Client::create(cfg, anchor, {}).has_value());
    ++refused;
  }
  CHECK(refused == 3);
  CHECK(Client::create(config_of(ConsensusMode::RpcTrusted, "eip155:01"), anchor, {}).error().code ==
        Code::InvalidArgument);
  CHECK(Client::create(config_of(ConsensusMode::RpcTrusted, "cosmos:hub"), anchor, {}).error().code ==
        Code::InvalidArgument);
  auto c = Client::create(config_of(ConsensusMode::RpcTrusted, "eip155:31337"), anchor, {}).value();
  CHECK(trust_label(c.trust()) == "rpc-trusted");
  auto r = c.update(rpc_child(c.finalized_head()), kT0 + 2).value();
  CHECK(trust_label(r.trust) == "rpc-trusted");
  CHECK(consensus_mode_name(ConsensusMode::RpcTrusted) == "rpc-trusted");
  CHECK(parse_consensus_mode("ibft2").value() == ConsensusMode::Ibft2);
  CHECK(parse_consensus_mode("IBFT2").error().code == Code::InvalidArgument);
}

TEST_CASE("rpc-trusted: final after min_confirmations (tip - h + 1), the longer branch reorganises the unfinalized") {
  auto c = Client::create(config_of(ConsensusMode::RpcTrusted), base_header(100, filled(1), kT0), {}).value();
  const ConsensusState anchor = c.finalized_head();
  Header a1 = rpc_child(anchor, 1);
  auto r1 = c.update(a1, kT0 + 10).value();
  CHECK_FALSE(r1.finalized);
  const ConsensusState s1 = r1.header;
  Header a2 = rpc_child(s1, 1);
  auto r2 = c.update(a2, kT0 + 10).value();
  CHECK(r2.newly_finalized.empty());
  // Competing branch from a1: b2, b3 (longer) → reorg; a1 now has 3 confirmations.
  Header b2 = rpc_child(s1, 2);
  auto rb2 = c.update(b2, kT0 + 10).value();
  CHECK_FALSE(rb2.reorg);  // same length: ties keep the current tip
  CHECK(c.best_tip().hash == r2.header.hash);
  Header b3 = rpc_child(rb2.header, 2);
  auto rb3 = c.update(b3, kT0 + 10).value();
  CHECK(rb3.reorg);
  CHECK(c.best_tip().hash == rb3.header.hash);
  REQUIRE(rb3.newly_finalized.size() == 1);
  CHECK(rb3.newly_finalized[0].hash == s1.hash);
  CHECK(c.finalized_head().number == 101);
  CHECK(c.pending_count() == 3);  // a2, b2, b3 all build on a1
  Header b4 = rpc_child(rb3.header, 2);
  auto rb4 = c.update(b4, kT0 + 10).value();
  REQUIRE(rb4.newly_finalized.size() == 1);
  CHECK(rb4.newly_finalized[0].hash == rb2.header.hash);
  CHECK(c.pending_count() == 2);  // a2 pruned: it does not build on b2
  // a2's sibling of the finalized b2 is refused: it conflicts with a finalized header.
  CHECK(c.update(rpc_child(s1, 9), kT0 + 10).error().code == Code::ConflictsFinalized);
  // Repeats are idempotent.
  CHECK(c.update(b4, kT0 + 10).value().kind == UpdateKind::AlreadyKnown);
}

TEST_CASE("qbft/ibft2 client: final on verification, unknown parent refused, state unchanged on reject") {
  for (ConsensusMode m : {ConsensusMode::Qbft, ConsensusMode::Ibft2}) {
    INFO(consensus_mode_name(m));
    auto s = make_signers(4);
    auto c = Client::create(config_of(m), bft_anchor(m, s), addresses(s)).value();
    CHECK(trust_label(c.trust()) == "consensus-verified");
    Header h1 = bft_child(m, s, c.finalized_head(), 2, 3);
    auto r1 = c.update(h1, kT0 + 2).value();
    CHECK(r1.kind == UpdateKind::Accepted);
    CHECK(r1.finalized);
    CHECK(c.finalized_head().hash == bft::block_hash(variant_of(m), h1).value());
    CHECK(c.finalized_at(11).value().hash == r1.header.hash);
    const auto head = c.finalized_head();
    Header gap = bft_header({variant_of(m), addresses(s), {}, 0, s[0].address}, 13, filled(0x77), head.timestamp_s + 2,
                     keys_of(s, 3));
    CHECK(c.update(gap, kT0 + 10).error().code == Code::UnknownHeader);
    Header weak = bft_child(m, s, head, 2, 2);
    CHECK(c.update(weak, kT0 + 10).error().code == Code::InsufficientQuorum);
    CHECK(c.finalized_head() == head);
    CHECK(c.status(kT0 + 10) == ClientStatus::Active);
  }
}

TEST_CASE("A14 conflicting sealed headers freeze the client (evidence returned, later updates ERR_CLIENT_FROZEN)") {
  for (ConsensusMode m : {ConsensusMode::Qbft, ConsensusMode::Ibft2}) {
    INFO(consensus_mode_name(m));
    auto s = make_signers(4);
    auto c = Client::create(config_of(m), bft_anchor(m, s), addresses(s)).value();
    const ConsensusState anchor = c.finalized_head();
    Header h1 = bft_child(m, s, anchor, 2, 3);
    REQUIRE(c.update(h1, kT0 + 5).has_value());
    Header h2 = bft_child(m, s, c.finalized_head(), 2, 3);
    REQUIRE(c.update(h2, kT0 + 5).has_value());
    // A sub-quorum conflicting header is just invalid: no freeze.
    Header weak = bft_child(m, s, anchor, 3, 2);
    CHECK(c.update(weak, kT0 + 5).error().code == Code::InsufficientQuorum);
    CHECK(c.status(kT0 + 5) == ClientStatus::Active);
    // A fully sealed different header at height 11 (same parent, other time): misbehaviour.
    Header h1b = bft_child(m, s, anchor, 3, 3);
    REQUIRE(h1b.timestamp_s != h1.timestamp_s);
    auto r = c.update(h1b, kT0 + 5).value();
    CHECK(r.kind == UpdateKind::Misbehaviour);
    REQUIRE(r.evidence.has_value());
    CHECK(r.evidence->held == h1);
    CHECK(r.evidence->conflicting == h1b);
    CHECK(c.status(kT0 + 5) == ClientStatus::Frozen);
    CHECK(c.evidence().has_value());
    Header h3 = bft_child(m, s, c.finalized_head(), 2, 3);
    CHECK(c.update(h3, kT0 + 5).error().code == Code::ClientFrozen);
    CHECK(c.finalized_head().number == 12);
  }
}

TEST_CASE("A14 conflicting header with an unknown parent is still caught when a quorum of the trusted set sealed it") {
  auto s = make_signers(4);
  const ConsensusMode m = ConsensusMode::Qbft;
  auto c = Client::create(config_of(m), bft_anchor(m, s), addresses(s)).value();
  Header h1 = bft_child(m, s, c.finalized_head(), 2, 3);
  REQUIRE(c.update(h1, kT0 + 5).has_value());
  Header h2 = bft_child(m, s, c.finalized_head(), 2, 3);
  REQUIRE(c.update(h2, kT0 + 5).has_value());
  // Height 12 on a forged parent: the parent is unknown, but 3 of 4 trusted validators signed it.
  Header fork = bft_header({bft::Variant::Qbft, addresses(s), {}, 0, s[1].address}, 12, filled(0x66), kT0 + 9,
                    keys_of(s, 3));
  auto r = c.update(fork, kT0 + 20).value();
  CHECK(r.kind == UpdateKind::Misbehaviour);
  CHECK(r.evidence->held == h2);
  CHECK(c.update(h2, kT0 + 20).error().code == Code::ClientFrozen);
}

TEST_CASE("clique client: final after N confirmations, heavier (in-turn) branch wins, conflict with finality freezes") {
  auto s = make_signers(3);
  const Header anchor = clique_header({2, {}, false, addresses(s)}, 0, Hash32{}, kT0, s[0].key);
  auto cfg = config_of(ConsensusMode::Clique, "eip155:5");
  cfg.clique.epoch = 30000;
  cfg.min_confirmations = 2;
  auto c = Client::create(cfg, anchor, addresses(s)).value();
  auto seal_by = [&](const ConsensusState& parent, std::size_t who, std::uint64_t dt) {
    const std::uint64_t n = parent.number + 1;
    const bool in_turn = n % 3 == who;
    return clique_header({static_cast<std::uint8_t>(in_turn ? 2 : 1), {}, false, {}}, n, parent.hash,
                         parent.timestamp_s + dt, s[who].key);
  };
  const ConsensusState a0 = c.finalized_head();
  // Block 1: out-of-turn (signer 0) first, then in-turn (signer 1) — heavier: reorg.
  auto r_out = c.update(seal_by(a0, 0, 15), kT0 + 100).value();
  CHECK_FALSE(r_out.finalized);
  auto r_in = c.update(seal_by(a0, 1, 16), kT0 + 100).value();
  CHECK(r_in.reorg);
  CHECK(c.best_tip().hash == r_in.header.hash);
  // Block 2 on the in-turn branch (signer 2 in turn): block 1 (in-turn) gets 2 confirmations → final.
  auto r2 = c.update(seal_by(r_in.header, 2, 15), kT0 + 100).value();
  REQUIRE(r2.newly_finalized.size() == 1);
  CHECK(r2.newly_finalized[0].hash == r_in.header.hash);
  CHECK(c.pending_count() == 1);  // the out-of-turn block 1 was pruned
  // A validly sealed block 1 by signer 2 (a different header at a finalized height): misbehaviour.
  auto r_conflict = c.update(seal_by(a0, 2, 20), kT0 + 100).value();
  CHECK(r_conflict.kind == UpdateKind::Misbehaviour);
  CHECK(r_conflict.evidence->held.number == 1);
  CHECK(c.update(seal_by(r2.header, 0, 15), kT0 + 100).error().code == Code::ClientFrozen);
}

TEST_CASE("client time: header more than the drift ahead of now is ERR_TIME_TOO_NEW; expiry at time + period <= now") {
  auto s = make_signers(4);
  const ConsensusMode m = ConsensusMode::Qbft;
  auto cfg = config_of(m);
  cfg.max_clock_drift_s = 10;
  auto c = Client::create(cfg, bft_anchor(m, s), addresses(s)).value();
  Header h1 = bft_child(m, s, c.finalized_head(), 20, 3);  // time kT0 + 20
  CHECK(c.update(h1, kT0 + 9).error().code == Code::TimeTooNew);   // 11 s ahead
  CHECK(c.update(h1, kT0 + 10).has_value());                        // exactly the drift
  const std::uint64_t t = c.finalized_head().timestamp_s;
  CHECK(c.status(t + kDay - 1) == ClientStatus::Active);
  CHECK(c.status(t + kDay) == ClientStatus::Expired);
  Header h2 = bft_child(m, s, c.finalized_head(), 2, 3);
  CHECK(c.update(h2, t + kDay).error().code == Code::ClientExpired);
  CHECK(c.update(h2, t + kDay - 1).has_value());
}

TEST_CASE("client anchors fail closed: zero stateRoot (A01), empty or mismatching set, zero trusting period") {
  auto s = make_signers(4);
  const ConsensusMode m = ConsensusMode::Ibft2;
  Header anchor = bft_anchor(m, s);
  CHECK(Client::create(config_of(m), anchor, {}).error().code == Code::InvalidArgument);
  auto other = make_signers(4, 10);
  CHECK(Client::create(config_of(m), anchor, addresses(other)).error().code == Code::ValidatorSetMismatch);
  Header zero = anchor;
  zero.state_root = Hash32{};
  CHECK(Client::create(config_of(m), zero, addresses(s)).error().code == Code::ZeroRoot);
  auto cfg = config_of(m);
  cfg.trusting_period_s = 0;
  CHECK(Client::create(cfg, anchor, addresses(s)).error().code == Code::InvalidArgument);
  auto dup = addresses(s);
  dup.push_back(dup[0]);
  CHECK(Client::create(config_of(m), anchor, dup).error().code == Code::InvalidArgument);
  CHECK(Client::create(config_of(ConsensusMode::RpcTrusted), anchor, addresses(s)).error().code ==
        Code::InvalidArgument);
}
