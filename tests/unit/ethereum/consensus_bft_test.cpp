// Besu QBFT / IBFT 2.0 rules on headers sealed here with deterministic keys, for what the real-block vectors
// lack (besu-bft.md §7): votes, more than 4 validators (21, 100), consecutive headers, quorum boundaries at
// n = 3, 4, 6, 100 (⌈2n/3⌉ exactly, DESIGN.md §4), high-S twins (A17), validator-set changes (A15), QBFT contract
// mode. Each TEST_CASE names the rule (besu-bft.md section / Besu class) it follows.
#include <catch2/catch.hpp>

#include "causeway/core/hash.hpp"
#include "causeway/ethereum/besu_bft.hpp"
#include "consensus_support.hpp"

using namespace causeway;
using namespace causeway::ethereum;
using namespace causeway::ethereum::test;
using bft::Variant;

namespace {

constexpr std::uint64_t kT0 = 1'700'000'000;
const Variant kVariants[] = {Variant::Ibft2, Variant::Qbft};

const char* name(Variant v) { return v == Variant::Ibft2 ? "ibft2" : "qbft"; }

BftSpec spec_of(Variant v, const std::vector<Signer>& s, std::size_t proposer = 0) {
  BftSpec spec;
  spec.variant = v;
  spec.validators = addresses(s);
  spec.proposer = s[proposer].address;
  return spec;
}

Code verify_code(Variant v, const Header& h, const std::vector<Address>& set) {
  auto r = bft::verify_header(v, h, set);
  REQUIRE_FALSE(r.has_value());
  return r.error().code;
}

bft::Config config_of(Variant v, std::uint64_t epoch = 30000) {
  bft::Config c;
  c.variant = v;
  c.epoch_length = epoch;
  return c;
}

}  // namespace

TEST_CASE("bft quorum is ceil(2n/3): 1,2,2,3,4,4,5 for n=1..7; 14 for 21; 67 for 100") {
  const std::size_t want[] = {0, 1, 2, 2, 3, 4, 4, 5};
  for (std::size_t n = 0; n <= 7; ++n) CHECK(bft::quorum(n) == want[n]);
  CHECK(bft::quorum(21) == 14);
  CHECK(bft::quorum(100) == 67);
}

TEST_CASE("bft quorum boundaries n = 3, 4, 6, 100: ceil(2n/3) seals accept, one fewer ERR_INSUFFICIENT_QUORUM") {
  std::size_t cases = 0;
  for (Variant v : kVariants) {
    for (std::size_t n : {3u, 4u, 6u, 100u}) {
      INFO(name(v) << " n = " << n);
      auto s = make_signers(n);
      const std::size_t q = (2 * n + 2) / 3;
      Header ok = bft_header(spec_of(v, s), 1, filled(1), kT0, keys_of(s, q));
      auto r = bft::verify_header(v, ok, addresses(s));
      REQUIRE(r.has_value());
      CHECK(r->committers.size() == q);
      Header short_one = bft_header(spec_of(v, s), 1, filled(1), kT0, keys_of(s, q - 1));
      CHECK(verify_code(v, short_one, addresses(s)) == Code::InsufficientQuorum);
      Header all = bft_header(spec_of(v, s), 1, filled(1), kT0, keys_of(s, n));
      CHECK(bft::verify_header(v, all, addresses(s)).has_value());
      ++cases;
    }
  }
  CHECK(cases == 8);
}

TEST_CASE("A17 high-S seal and duplicate signer count once (LowS::Allowed; a validator counts once)") {
  for (Variant v : kVariants) {
    INFO(name(v));
    auto s = make_signers(4);  // quorum 3
    const auto set = addresses(s);
    Header h = bft_header(spec_of(v, s), 1, filled(1), kT0, keys_of(s, 3));
    bft::ExtraData e = bft::decode_extra(v, h.extra_data).value();
    const bft::Seal a = e.seals[0], b = e.seals[1], c = e.seals[2];
    const bft::Seal a_high = high_s_twin(a);
    REQUIRE(a_high != a);
    // A high-S seal alone is accepted (Ethereum seal policy) and recovers to the same validator.
    Header high = with_seals(v, h, {a_high, b, c});
    REQUIRE(bft::verify_header(v, high, set).has_value());
    CHECK(bft::verify_header(v, high, set)->committers[0] == s[0].address);
    // The seal and its twin from one validator are ONE signer: never a third committer.
    Header twins = with_seals(v, h, {a, a_high, b});
    const auto committers = bft::recover_committers(v, twins).value();
    REQUIRE(committers.size() == 3);
    CHECK(committers[0] == committers[1]);
    CHECK(verify_code(v, twins, set) == Code::DuplicateSeal);
    // Even with a full quorum of others, the extra twin is refused (Besu: duplicated seals reject the block).
    CHECK(verify_code(v, with_seals(v, h, {a, b, c, a_high}), set) == Code::DuplicateSeal);
    // An exact copy is refused the same way.
    CHECK(verify_code(v, with_seals(v, h, {a, b, b}), set) == Code::DuplicateSeal);
  }
}

TEST_CASE("bft seals: v 27/28 is ERR_SIG_ENCODING, outsiders ERR_NOT_VALIDATOR, proposer must be a validator") {
  for (Variant v : kVariants) {
    INFO(name(v));
    auto s = make_signers(4);
    auto outsider = make_signers(1, 40)[0];
    const auto set = addresses(s);
    Header h = bft_header(spec_of(v, s), 1, filled(1), kT0, keys_of(s, 3));
    bft::ExtraData e = bft::decode_extra(v, h.extra_data).value();
    bft::Seal v27 = e.seals[0];
    v27[64] = static_cast<std::uint8_t>(v27[64] + 27);
    CHECK(verify_code(v, with_seals(v, h, {v27, e.seals[1], e.seals[2]}), set) == Code::SigEncoding);
    const Hash32 cs = bft::committed_seal_hash(v, h).value();
    CHECK(verify_code(v, with_seals(v, h, {e.seals[0], e.seals[1], seal_of(cs, outsider.key)}), set) ==
          Code::NotValidator);
    BftSpec bad_proposer = spec_of(v, s);
    bad_proposer.proposer = outsider.address;
    CHECK(verify_code(v, bft_header(bad_proposer, 1, filled(1), kT0, keys_of(s, 3)), set) == Code::NotValidator);
  }
}

TEST_CASE("bft round is in the committed-seal hash, not in the block hash (besu-bft.md 3a/3b)") {
  for (Variant v : kVariants) {
    INFO(name(v));
    auto s = make_signers(4);
    BftSpec spec = spec_of(v, s);
    spec.round = 2;
    Header h = bft_header(spec, 7, filled(1), kT0, keys_of(s, 3));
    REQUIRE(bft::verify_header(v, h, addresses(s)).has_value());
    bft::ExtraData e = bft::decode_extra(v, h.extra_data).value();
    e.round = 3;
    Header moved = h;
    moved.extra_data = bft::encode_extra(v, e);
    CHECK(bft::block_hash(v, moved).value() == bft::block_hash(v, h).value());
    CHECK(bft::committed_seal_hash(v, moved).value() != bft::committed_seal_hash(v, h).value());
    CHECK(verify_code(v, moved, addresses(s)) == Code::NotValidator);
  }
}

TEST_CASE("bft header rules: 32-byte vanity, Besu mixHash, nonce 0, difficulty 1, sorted validator list = set") {
  for (Variant v : kVariants) {
    INFO(name(v));
    auto s = make_signers(4);
    const auto set = addresses(s);
    Header h = bft_header(spec_of(v, s), 1, filled(1), kT0, keys_of(s, 3));
    Header mix = h;
    mix.mix_hash = filled(0);
    CHECK(verify_code(v, mix, set) == Code::ConsensusField);
    Header diff = h;
    diff.difficulty = abi::u256_from_u64(2);
    CHECK(verify_code(v, diff, set) == Code::ConsensusField);
    Header nonce = h;
    nonce.nonce[7] = 1;
    CHECK(verify_code(v, nonce, set) == Code::ConsensusField);
    bft::ExtraData e = bft::decode_extra(v, h.extra_data).value();
    e.vanity.resize(31);
    Header vanity = h;
    vanity.extra_data = bft::encode_extra(v, e);
    CHECK(verify_code(v, vanity, set) == Code::BftExtraData);
    BftSpec unsorted = spec_of(v, s);
    std::swap(unsorted.validators[0], unsorted.validators[1]);
    CHECK(verify_code(v, bft_header(unsorted, 1, filled(1), kT0, keys_of(s, 3)), set) == Code::ValidatorSetMismatch);
    BftSpec fewer = spec_of(v, s);
    fewer.validators.pop_back();
    CHECK(verify_code(v, bft_header(fewer, 1, filled(1), kT0, keys_of(s, 3)), set) == Code::ValidatorSetMismatch);
  }
}

TEST_CASE("bft 21 validators: 10 consecutive headers verify and link; a broken link or early time is refused") {
  for (Variant v : kVariants) {
    INFO(name(v));
    auto s = make_signers(21);
    auto st = bft::BftState::trusted(config_of(v), 100, filled(3), kT0, addresses(s)).value();
    for (std::uint64_t i = 1; i <= 10; ++i) {
      // Rotate proposer and the 14 sealers (quorum of 21).
      std::vector<secp256k1::SecretKey> sealers;
      for (std::size_t k = 0; k < 14; ++k) sealers.push_back(s[(i + k) % 21].key);
      Header h = bft_header(spec_of(v, s, i % 21), 100 + i, st.hash(), kT0 + i, sealers);
      auto next = st.apply(h);
      REQUIRE(next.has_value());
      CHECK(next->hash() == bft::block_hash(v, h).value());
      st = *next;
    }
    CHECK(st.number() == 110);
    Header unlinked = bft_header(spec_of(v, s), 111, filled(9), kT0 + 11, keys_of(s, 14));
    CHECK(st.apply(unlinked).error().code == Code::PrevHashMismatch);
    Header early = bft_header(spec_of(v, s), 111, st.hash(), st.timestamp_s(), keys_of(s, 14));
    CHECK(st.apply(early).error().code == Code::TimestampOrder);
    Header skip = bft_header(spec_of(v, s), 112, st.hash(), kT0 + 12, keys_of(s, 14));
    CHECK(st.apply(skip).error().code == Code::EthHeader);
  }
}

TEST_CASE("A15 validator-set change accepted only with the vote majority (Besu VoteTally: > n/2 proposers)") {
  for (Variant v : kVariants) {
    INFO(name(v));
    auto s = make_signers(4);
    auto newcomer = make_signers(1, 80)[0];
    auto st = bft::BftState::trusted(config_of(v), 0, filled(3), kT0, addresses(s)).value();
    auto vote_block = [&](const bft::BftState& from, std::size_t proposer, std::optional<bft::Vote> vote,
                          const std::vector<Signer>& set, std::size_t seals) {
      BftSpec spec = spec_of(v, set, proposer);
      spec.vote = vote;
      return bft_header(spec, from.number() + 1, from.hash(), from.timestamp_s() + 1, keys_of(set, seals));
    };
    const bft::Vote add{newcomer.address, bft::VoteType::Add};
    // Two proposers vote to add (2 ≤ 4/2): the set is unchanged.
    st = st.apply(vote_block(st, 0, add, s, 3)).value();
    st = st.apply(vote_block(st, 1, add, s, 3)).value();
    // The same proposer voting again does not count twice.
    st = st.apply(vote_block(st, 1, add, s, 3)).value();
    CHECK(st.validators().size() == 4);
    CHECK(st.add_votes().at(newcomer.address).size() == 2);
    // A header claiming the 5-validator set before the majority is refused, and the state is unchanged.
    auto five = s;
    five.push_back(newcomer);
    std::sort(five.begin(), five.end(), [](const Signer& a, const Signer& b) { return a.address < b.address; });
    const auto before = st;
    CHECK(st.apply(vote_block(st, 0, std::nullopt, five, 4)).error().code == Code::ValidatorSetMismatch);
    CHECK(st == before);
    // The third distinct proposer (3 = 4/2 + 1): the newcomer joins from the next block on.
    st = st.apply(vote_block(st, 2, add, s, 3)).value();
    CHECK(st.validators() == addresses(five));
    CHECK(st.add_votes().empty());
    // Now n = 5: quorum 4. Three seals no longer suffice; the old 4-list is refused.
    CHECK(st.apply(vote_block(st, 0, std::nullopt, five, 3)).error().code == Code::InsufficientQuorum);
    CHECK(st.apply(vote_block(st, 0, std::nullopt, s, 3)).error().code == Code::ValidatorSetMismatch);
    st = st.apply(vote_block(st, 0, std::nullopt, five, 4)).value();

    // Removal: 3 of 5 proposers (> 5/2). A drop vote then an add vote from one proposer: the latest counts.
    const bft::Vote drop{newcomer.address, bft::VoteType::Drop};
    st = st.apply(vote_block(st, 0, drop, five, 4)).value();
    st = st.apply(vote_block(st, 0, add, five, 4)).value();
    CHECK(st.remove_votes().count(newcomer.address) == 0);
    st = st.apply(vote_block(st, 0, drop, five, 4)).value();
    st = st.apply(vote_block(st, 1, drop, five, 4)).value();
    CHECK(st.validators().size() == 5);
    st = st.apply(vote_block(st, 2, drop, five, 4)).value();
    CHECK(st.validators() == addresses(s));
  }
}

TEST_CASE("bft epoch block discards outstanding votes and ignores its own vote (VoteTallyUpdater)") {
  for (Variant v : kVariants) {
    INFO(name(v));
    auto s = make_signers(4);
    auto newcomer = make_signers(1, 90)[0];
    auto st = bft::BftState::trusted(config_of(v, 3), 0, filled(3), kT0, addresses(s)).value();
    const bft::Vote add{newcomer.address, bft::VoteType::Add};
    auto block = [&](std::size_t proposer, std::optional<bft::Vote> vote) {
      BftSpec spec = spec_of(v, s, proposer);
      spec.vote = vote;
      return bft_header(spec, st.number() + 1, st.hash(), st.timestamp_s() + 1, keys_of(s, 3));
    };
    st = st.apply(block(0, add)).value();  // 1
    st = st.apply(block(1, add)).value();  // 2
    CHECK(st.add_votes().at(newcomer.address).size() == 2);
    st = st.apply(block(2, add)).value();  // 3: epoch block — votes discarded, its vote ignored
    CHECK(st.add_votes().empty());
    CHECK(st.validators().size() == 4);
  }
}

TEST_CASE("qbft contract mode: header lists no validators and no vote; the set comes from the caller") {
  auto s = make_signers(4);
  BftSpec spec = spec_of(Variant::Qbft, s);
  spec.validators.clear();
  Header h = bft_header(spec, 5, filled(1), kT0, keys_of(s, 3));
  CHECK(bft::verify_header(Variant::Qbft, h, addresses(s), bft::ValidatorMode::Contract).has_value());
  CHECK(bft::verify_header(Variant::Qbft, h, addresses(s)).error().code == Code::ValidatorSetMismatch);
  Header listed = bft_header(spec_of(Variant::Qbft, s), 5, filled(1), kT0, keys_of(s, 3));
  CHECK(bft::verify_header(Variant::Qbft, listed, addresses(s), bft::ValidatorMode::Contract).error().code ==
        Code::ValidatorSetMismatch);
  spec.vote = bft::Vote{s[0].address, bft::VoteType::Drop};
  CHECK(bft::verify_header(Variant::Qbft, bft_header(spec, 5, filled(1), kT0, keys_of(s, 3)), addresses(s),
                           bft::ValidatorMode::Contract)
            .error()
            .code == Code::InvalidVote);
  CHECK(bft::verify_header(Variant::Ibft2, h, addresses(s), bft::ValidatorMode::Contract).error().code ==
        Code::InvalidArgument);
}

TEST_CASE("bft extraData codec round-trips votes (ADD/DROP) and rounds in both variants") {
  std::size_t n = 0;
  for (Variant v : kVariants) {
    for (auto type : {bft::VoteType::Add, bft::VoteType::Drop}) {
      for (std::uint32_t round : {0u, 1u, 255u, 256u, 0xffffffffu}) {
        bft::ExtraData e;
        e.vanity.assign(32, 7);
        e.validators = {Address{1}, Address{2}};
        e.vote = bft::Vote{Address{3}, type};
        e.round = round;
        const Bytes enc = bft::encode_extra(v, e);
        CHECK(bft::decode_extra(v, enc).value() == e);
        ++n;
      }
    }
  }
  CHECK(n == 20);
  bft::ExtraData none;
  none.vanity.assign(32, 0);
  CHECK(bft::encode_extra(Variant::Ibft2, none)[34] == 0xc0);  // empty validator list
  CHECK(bft::encode_extra(Variant::Ibft2, none)[35] == 0x80);  // IBFT 2.0: no vote = empty string
  CHECK(bft::encode_extra(Variant::Qbft, none)[35] == 0xc0);   // QBFT: no vote = empty list
  // The QBFT vote (list) is not an IBFT 2.0 vote and vice versa.
  CHECK(bft::decode_extra(Variant::Ibft2, bft::encode_extra(Variant::Qbft, none)).error().code == Code::BftExtraData);
  CHECK(bft::decode_extra(Variant::Qbft, bft::encode_extra(Variant::Ibft2, none)).error().code == Code::BftExtraData);
}
