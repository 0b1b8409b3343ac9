// Clique (EIP-225) rules on headers sealed here with deterministic keys: what the Görli vectors (one signer, all
// in turn, no votes) cannot show — extraData layout, seal hash coverage, difficulty in/out of turn, the
// recent-signer limit, votes and checkpoints. Each TEST_CASE names the rule (EIP-225 §Specification, geth
// consensus/clique) it follows.
#include <catch2/catch.hpp>

#include "causeway/core/hash.hpp"
#include "causeway/ethereum/clique.hpp"
#include "consensus_support.hpp"

using namespace causeway;
using namespace causeway::ethereum;
using namespace causeway::ethereum::test;
using clique::CliqueState;

namespace {

constexpr std::uint64_t kT0 = 1'700'000'000;

clique::Config cfg(std::uint64_t epoch = 30000) { return clique::Config{epoch, 15}; }

struct Chain {
  std::vector<Signer> signers;
  CliqueState state;
};

Chain chain_of(std::size_t n, std::uint64_t epoch = 30000) {
  auto s = make_signers(n);
  auto st = CliqueState::trusted(cfg(epoch), 0, filled(0x01), kT0, addresses(s)).value();
  return {s, st};
}

// Seals the next header by signer `who` with the difficulty the rule requires.
Header next_by(const CliqueState& st, const Signer& who, CliqueSpec spec = {}) {
  const std::uint64_t n = st.number() + 1;
  spec.difficulty = st.in_turn(n, who.address) ? 2 : 1;
  return clique_header(spec, n, st.hash(), st.timestamp_s() + 15, who.key);
}

Code code_of(const Result<CliqueState>& r) { return r.error().code; }

}  // namespace

TEST_CASE("clique extraData: vanity 32 + seal 65, signers only at checkpoints in multiples of 20") {
  Bytes e(97, 0);
  CHECK(clique::parse_extra(e, false).has_value());
  CHECK(clique::parse_extra(Bytes(31, 0), false).error().code == Code::CliqueExtraData);
  CHECK(clique::parse_extra(Bytes(96, 0), false).error().code == Code::CliqueExtraData);
  CHECK(clique::parse_extra(Bytes(97 + 20, 0), false).error().code == Code::CliqueExtraData);  // non-checkpoint
  CHECK(clique::parse_extra(Bytes(97 + 20, 0), true).value().signers.size() == 1);
  CHECK(clique::parse_extra(Bytes(97 + 19, 0), true).error().code == Code::CliqueExtraData);
  CHECK(clique::parse_extra(Bytes(97 + 40, 0), true).value().signers.size() == 2);
}

TEST_CASE("clique seal hash covers every field but the seal, baseFee included (London shape)") {
  auto s = make_signers(1);
  Header h = clique_header({}, 1, filled(1), kT0, s[0].key);
  CHECK(clique::recover_signer(h).value() == s[0].address);
  // Changing the seal bytes does not change the seal hash; changing any other field does.
  Header resealed = h;
  resealed.extra_data[40] ^= 1;
  CHECK(clique::seal_hash(resealed).value() == clique::seal_hash(h).value());
  Header vanity = h;
  vanity.extra_data[0] ^= 1;
  CHECK(clique::seal_hash(vanity).value() != clique::seal_hash(h).value());

  Header london = h;
  london.base_fee_per_gas = abi::u256_from_u64(7);
  const auto seal = seal_of(clique::seal_hash(london).value(), s[0].key);
  std::copy(seal.begin(), seal.end(), london.extra_data.end() - 65);
  CHECK(clique::recover_signer(london).value() == s[0].address);
  london.base_fee_per_gas = abi::u256_from_u64(8);
  CHECK(clique::recover_signer(london).value() != s[0].address);

  Header shanghai = london;
  shanghai.withdrawals_root = empty_trie_root();
  CHECK(clique::check_header_fields(cfg(), shanghai).error().code == Code::EthHeader);
}

TEST_CASE("clique seal policy: v must be 0/1, high-S twin recovers the same signer (LowS::Allowed, A17)") {
  auto s = make_signers(1);
  Header h = clique_header({}, 1, filled(1), kT0, s[0].key);
  std::array<std::uint8_t, 65> seal{};
  std::copy(h.extra_data.end() - 65, h.extra_data.end(), seal.begin());
  Header v27 = h;
  v27.extra_data.back() = static_cast<std::uint8_t>(seal[64] + 27);
  CHECK(clique::recover_signer(v27).error().code == Code::SigEncoding);
  Header twin = h;
  const auto hs = high_s_twin(seal);
  std::copy(hs.begin(), hs.end(), twin.extra_data.end() - 65);
  CHECK(twin.extra_data != h.extra_data);
  CHECK(clique::recover_signer(twin).value() == s[0].address);
}

TEST_CASE("clique difficulty: 2 in turn ((number % n) == signer index), 1 out of turn, else ERR_WRONG_DIFFICULTY") {
  auto c = chain_of(3);
  std::size_t checked = 0;
  for (std::size_t who = 0; who < 3; ++who) {
    const bool in_turn = (1 % 3) == who;
    CHECK(c.state.in_turn(1, c.signers[who].address) == in_turn);
    Header good = next_by(c.state, c.signers[who]);
    CHECK(good.difficulty[31] == (in_turn ? 2 : 1));
    CHECK(c.state.apply(good).has_value());
    CliqueSpec wrong;
    wrong.difficulty = in_turn ? 1 : 2;
    Header bad = clique_header(wrong, 1, c.state.hash(), kT0 + 15, c.signers[who].key);
    CHECK(code_of(c.state.apply(bad)) == Code::WrongDifficulty);
    CliqueSpec three;
    three.difficulty = 3;
    CHECK(code_of(c.state.apply(clique_header(three, 1, c.state.hash(), kT0 + 15, c.signers[who].key))) ==
          Code::ConsensusField);
    ++checked;
  }
  CHECK(checked == 3);
}

TEST_CASE("clique recent signers: a signer seals at most once per floor(n/2)+1 blocks (ERR_RECENTLY_SIGNED)") {
  for (std::size_t n : {1u, 2u, 3u, 4u, 5u}) {
    INFO("n = " << n);
    auto c = chain_of(n);
    const std::size_t limit = n / 2 + 1;
    CliqueState st = c.state;
    // Signer 0 seals block 1; it may seal again only at block 1 + limit.
    st = st.apply(next_by(st, c.signers[0])).value();
    for (std::size_t k = 1; k < limit; ++k) {
      CHECK(code_of(st.apply(next_by(st, c.signers[0]))) == Code::RecentlySigned);
      st = st.apply(next_by(st, c.signers[k])).value();  // another signer fills the gap
    }
    CHECK(st.number() == limit);
    CHECK(st.apply(next_by(st, c.signers[0])).has_value());
  }
}

TEST_CASE("clique authorised signers only; parent link; time >= parent time + period") {
  auto c = chain_of(2);
  auto outsider = make_signers(1, 100);
  CHECK(code_of(c.state.apply(next_by(c.state, outsider[0]))) == Code::NotValidator);
  Header h = next_by(c.state, c.signers[0]);
  Header wrong_parent = clique_header({2, {}, false, {}}, 1, filled(9), kT0 + 15, c.signers[0].key);
  CHECK(code_of(c.state.apply(wrong_parent)) == Code::PrevHashMismatch);
  CliqueSpec spec;
  spec.difficulty = h.difficulty[31];
  CHECK(code_of(c.state.apply(clique_header(spec, 1, c.state.hash(), kT0 + 14, c.signers[0].key))) ==
        Code::TimestampOrder);
  CHECK(c.state.apply(clique_header(spec, 1, c.state.hash(), kT0 + 15, c.signers[0].key)).has_value());
  Header mix = h;
  mix.mix_hash = filled(1);
  CHECK(code_of(c.state.apply(mix)) == Code::ConsensusField);
  Header nonce = h;
  nonce.nonce[0] = 1;
  CHECK(code_of(c.state.apply(nonce)) == Code::InvalidVote);
}

TEST_CASE("clique votes: add needs more than n/2 signer votes; repeated votes count once; no-op votes ignored") {
  auto c = chain_of(4);  // n = 4: a change needs 3 votes
  auto cand = make_signers(1, 50)[0];
  CliqueState st = c.state;
  CliqueSpec vote;
  vote.coinbase = cand.address;
  vote.authorize = true;
  st = st.apply(next_by(st, c.signers[0], vote)).value();
  st = st.apply(next_by(st, c.signers[1], vote)).value();
  // Signer 0 votes again for the same candidate: its vote replaces its old one, the tally stays 2.
  st = st.apply(next_by(st, c.signers[3], {})).value();
  st = st.apply(next_by(st, c.signers[0], vote)).value();
  REQUIRE(st.tally().count(cand.address) == 1);
  CHECK(st.tally().at(cand.address).votes == 2);
  CHECK(st.signers().size() == 4);
  // A vote to add an existing signer is not counted.
  CliqueSpec noop;
  noop.coinbase = c.signers[3].address;
  noop.authorize = true;
  st = st.apply(next_by(st, c.signers[1], noop)).value();
  CHECK(st.tally().count(c.signers[3].address) == 0);
  // Third distinct vote (3 > 4/2): the candidate joins, its votes are discarded.
  st = st.apply(next_by(st, c.signers[2], vote)).value();
  CHECK(st.signers().size() == 5);
  CHECK(st.is_signer(cand.address));
  CHECK(st.tally().empty());
  CHECK(st.votes().empty());
  // The new signer may seal.
  CHECK(st.apply(next_by(st, cand)).has_value());
}

TEST_CASE("clique votes: drop needs more than n/2; the dropped signer's pending votes are discarded") {
  auto c = chain_of(3);  // drop needs 2 votes
  auto cand = make_signers(1, 60)[0];
  CliqueState st = c.state;
  CliqueSpec add_cand;
  add_cand.coinbase = cand.address;
  add_cand.authorize = true;
  st = st.apply(next_by(st, c.signers[0], add_cand)).value();  // signer 0 votes to add cand (1 of 2)
  CliqueSpec drop0;
  drop0.coinbase = c.signers[0].address;
  st = st.apply(next_by(st, c.signers[1], drop0)).value();
  CHECK(st.signers().size() == 3);
  st = st.apply(next_by(st, c.signers[2], drop0)).value();
  CHECK(st.signers().size() == 2);
  CHECK_FALSE(st.is_signer(c.signers[0].address));
  CHECK(st.tally().empty());  // signer 0's vote for cand was discarded with it
  CHECK(code_of(st.apply(next_by(st, c.signers[0]))) == Code::NotValidator);
}

TEST_CASE("clique checkpoints: signer list = current set, no vote, pending votes reset") {
  auto c = chain_of(3, 4);  // epoch 4
  auto cand = make_signers(1, 70)[0];
  CliqueState st = c.state;
  CliqueSpec vote;
  vote.coinbase = cand.address;
  vote.authorize = true;
  st = st.apply(next_by(st, c.signers[0], vote)).value();
  st = st.apply(next_by(st, c.signers[1])).value();
  st = st.apply(next_by(st, c.signers[2])).value();
  CHECK(st.tally().at(cand.address).votes == 1);
  CliqueSpec cp;
  cp.checkpoint_signers = addresses(c.signers);
  Header good = next_by(st, c.signers[0], cp);
  CliqueSpec wrong = cp;
  wrong.checkpoint_signers.pop_back();
  CHECK(code_of(st.apply(next_by(st, c.signers[0], wrong))) == Code::ValidatorSetMismatch);
  CHECK(code_of(st.apply(next_by(st, c.signers[0], {}))) == Code::ValidatorSetMismatch);  // list missing
  CliqueSpec voting = cp;
  voting.coinbase = cand.address;
  CHECK(code_of(st.apply(next_by(st, c.signers[0], voting))) == Code::InvalidVote);
  auto after = st.apply(good).value();
  CHECK(after.tally().empty());
  CHECK(after.votes().empty());
  // A checkpoint header can seed a state.
  auto seeded = CliqueState::from_checkpoint(cfg(4), good).value();
  CHECK(seeded.signers() == addresses(c.signers));
  CHECK(seeded.hash() == after.hash());
}
