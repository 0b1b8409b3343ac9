// relay/domain: the attestation committee — A05 (removed members), A06 (thresholds, shared key material),
// distinct-member tallies (A17).
#include <catch2/catch.hpp>

#include <algorithm>

#include "support.hpp"

using namespace dtest;

namespace {

CommitteeConfig config(std::uint32_t k, std::uint8_t n, bool override_low = false) {
  CommitteeConfig cfg;
  cfg.threshold = k;
  for (std::uint8_t i = 1; i <= n; ++i) cfg.members.push_back({key(i).address, "/etc/causeway/key" + std::to_string(i)});
  cfg.self = key(1).address;
  cfg.allow_low_threshold = override_low;
  return cfg;
}

AttestationSubject subject() {
  const auto p = message(kA, "channel-1", 1);
  return {AttestationKind::Packet, p.dest_island, p.dest_genesis, endpoint_of(kB), packet::commitment(p), {}};
}

}  // namespace

TEST_CASE("A06 the relay refuses to start with k <= 2n/3 unless the override is given") {
  struct Case {
    std::uint32_t k;
    std::uint8_t n;
    bool safe;
  };
  const Case cases[] = {{1, 1, true},  {2, 3, false}, {3, 3, true},  {2, 5, false}, {4, 5, true},
                        {4, 6, false}, {5, 6, true},  {6, 9, false}, {7, 9, true},  {66, 100, false},
                        {67, 100, true}};
  for (const auto& c : cases) {
    INFO("k=" << c.k << " n=" << int(c.n));
    CHECK(threshold_is_safe(c.k, c.n) == c.safe);
    if (c.n > kMaxCommittee) continue;
    auto r = check_committee_config(config(c.k, c.n));
    CHECK(r.has_value() == c.safe);
    if (!c.safe) {
      CHECK(r.error().code == Code::ThresholdTooLow);
      auto o = check_committee_config(config(c.k, c.n, true));
      REQUIRE(o);
      CHECK(o->low_threshold_override_used);
      CHECK(o->warnings.size() == 1);
    }
  }
  // 100 members exceed the committee bound.
  CHECK(check_committee_config(config(67, 100)).error().code == Code::TooLarge);
  // The default: one relay, k = n = 1.
  CommitteeConfig def;
  def.members = {{key(9).address, ""}};
  def.self = key(9).address;
  auto d = Committee::from_config(def);
  REQUIRE(d);
  CHECK(d->threshold() == 1);
  CHECK(d->epoch() == 1);
  // Structural refusals.
  auto bad = config(1, 3);
  bad.self = key(7).address;
  CHECK(check_committee_config(bad).error().code == Code::InvalidArgument);
  CHECK(check_committee_config(config(0, 3)).error().code == Code::InvalidArgument);
  CHECK(check_committee_config(config(4, 3)).error().code == Code::InvalidArgument);
  auto twice = config(3, 3);
  twice.members.push_back(twice.members[0]);
  twice.threshold = 4;
  CHECK(check_committee_config(twice).error().code == Code::InvalidArgument);
}

TEST_CASE("A06 two member keys loaded from the same key file give a warning") {
  auto cfg = config(3, 3);
  cfg.members[2].key_source = cfg.members[0].key_source;
  auto r = check_committee_config(cfg);
  REQUIRE(r);
  REQUIRE(r->warnings.size() == 1);
  CHECK(r->warnings[0].find("same source '/etc/causeway/key1'") != std::string::npos);
  CHECK_FALSE(r->low_threshold_override_used);
  CHECK(check_committee_config(config(3, 3))->warnings.empty());
}

TEST_CASE("A05 nine keys, threshold 7: six current members plus a removed one is not a quorum") {
  auto c1 = Committee::from_config(config(7, 9)).value();
  // Remove key 9, add key 10, signed by 7 current members.
  std::vector<Address> next;
  for (std::uint8_t i = 1; i <= 8; ++i) next.push_back(key(i).address);
  next.push_back(key(10).address);
  std::sort(next.begin(), next.end());
  const auto digest = Committee::update_digest(7, next, false, 2);
  std::vector<Key> signers;
  for (std::uint8_t i = 1; i <= 7; ++i) signers.push_back(key(i));
  auto c2 = c1.update(7, next, false, 2, sign_all(digest, signers));
  REQUIRE(c2);
  CHECK(c2->epoch() == 2);
  CHECK_FALSE(c2->is_member(key(9).address));

  const auto s = subject();
  std::vector<MemberSignature> sigs;
  for (std::uint8_t i = 1; i <= 6; ++i) sigs.push_back(sign_attestation(s, 100 + i, key(i).sk).value());
  sigs.push_back(sign_attestation(s, 109, key(9).sk).value());  // the removed member
  auto q = require_quorum(*c2, s, sigs);
  REQUIRE_FALSE(q);
  CHECK(q.error().code == Code::InsufficientQuorum);
  auto t = tally_attestations(*c2, s, sigs).value();
  CHECK(t.signers().size() == 6);
  REQUIRE(t.rejected().size() == 1);
  CHECK(t.rejected()[0].index == 6);
  CHECK(t.rejected()[0].error.code == Code::NotValidator);
  // Under the old committee the same seven count.
  CHECK(require_quorum(c1, s, sigs).has_value());
  // With the new member instead: 7 of 7 needed.
  sigs.back() = sign_attestation(s, 110, key(10).sk).value();
  CHECK(require_quorum(*c2, s, sigs).has_value());

  // Committee updates: a replayed epoch, too few signers, or the removed member's signature fail.
  CHECK(c2->update(7, next, false, 2, sign_all(digest, signers)).error().code == Code::GovernanceNonce);
  const auto d3 = Committee::update_digest(7, next, false, 3);
  CHECK(c2->update(7, next, false, 3, sign_all(d3, {key(1), key(2)})).error().code == Code::InsufficientQuorum);
  CHECK(c2->update(7, next, false, 3, sign_all(d3, {key(9)})).error().code == Code::NotValidator);
  // A change to a low threshold needs the override, itself part of the signed body.
  const auto d_low = Committee::update_digest(2, next, false, 3);
  CHECK(c2->update(2, next, false, 3, sign_all(d_low, signers)).error().code == Code::ThresholdTooLow);
}

TEST_CASE("tally: a member counts once whatever it submits; wrong signer and high-S never count") {
  auto c = Committee::from_config(config(3, 4)).value();
  const auto s = subject();
  auto m1 = sign_attestation(s, 1, key(1).sk).value();
  auto m1_other_index = sign_attestation(s, 2, key(1).sk).value();
  // The high-S twin of m1 (s' = n - s, v flipped).
  auto sig = secp256k1::parse_compact(ByteView(m1.signature).first(64)).value();
  auto twin = m1;
  {
    // n - s via the normalize trick: normalize_s(x) = low twin; build the high twin by subtracting from n.
    static const std::uint8_t n[32] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                       0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48,
                                       0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
    int borrow = 0;
    for (int i = 31; i >= 0; --i) {
      int d = int(n[i]) - int(sig.rs[static_cast<std::size_t>(32 + i)]) - borrow;
      borrow = d < 0 ? 1 : 0;
      twin.signature[static_cast<std::size_t>(32 + i)] = static_cast<std::uint8_t>(d < 0 ? d + 256 : d);
    }
    twin.signature[64] = static_cast<std::uint8_t>(m1.signature[64] == 27 ? 28 : 27);
  }
  auto impostor = sign_attestation(s, 3, key(7).sk).value();
  impostor.member = key(2).address;  // claims to be member 2
  const std::vector<MemberSignature> entries = {m1, m1_other_index, twin, impostor};
  auto t = tally_attestations(c, s, entries).value();
  CHECK(t.signers() == std::vector<Address>{key(1).address});
  REQUIRE(t.rejected().size() == 3);
  CHECK(t.rejected()[0].error.code == Code::DuplicateSeal);
  CHECK(t.rejected()[1].error.code == Code::SigHighS);
  CHECK(t.rejected()[2].error.code == Code::SigInvalid);
  CHECK_FALSE(t.met());
  // A signature over another subject does not count for this one.
  auto s2 = s;
  s2.commitment = h32(0x77);
  auto other = sign_attestation(s2, 4, key(3).sk).value();
  CHECK(tally_attestations(c, s, std::vector<MemberSignature>{other}).value().rejected()[0].error.code ==
        Code::SigInvalid);
  // Entries beyond the bound are refused before any recovery.
  std::vector<MemberSignature> many(kMaxAttestationEntries + 1, m1);
  CHECK(tally_attestations(c, s, many).error().code == Code::TooLarge);
}

TEST_CASE("attestation subjects hash with PACKET.md's three digests, each over the member's own audit index") {
  const auto s = subject();
  CHECK(attestation_digest(s, 1) == packet::attestation_digest(s.island, s.genesis, s.endpoint, s.commitment, 1));
  CHECK(attestation_digest(s, 1) != attestation_digest(s, 2));
  auto ack = s;
  ack.kind = AttestationKind::Ack;
  ack.ack_commitment = h32(5);
  CHECK(attestation_digest(ack, 1) ==
        packet::ack_attestation_digest(s.island, s.genesis, s.endpoint, s.commitment, h32(5), 1));
  auto to = s;
  to.kind = AttestationKind::Timeout;
  CHECK(attestation_digest(to, 1) == packet::timeout_attestation_digest(s.island, s.genesis, s.endpoint, s.commitment, 1));
}

// This relay's own attestation (OwnSigner / OwnAttestation, relay-core intake): counted without an ecrecover of a
// signature the domain itself just made, checked against the subject and the committee like any other.
TEST_CASE("own attestation: counted without recovery, but only for its subject and a current member") {
  const auto s = subject();
  auto one = Committee::from_config(config(1, 1)).value();
  auto signer = OwnSigner::create(key(1).sk).value();
  CHECK(signer.address() == key(1).address);
  const auto own = signer.sign(s, 7).value();
  CHECK(own.entry().member == key(1).address);
  CHECK(own.entry().audit_index == 7u);
  CHECK(own.digest() == attestation_digest(s, 7));
  // The same bytes sign_attestation makes (RFC 6979: deterministic).
  CHECK(own.entry() == sign_attestation(s, 7, key(1).sk).value());
  auto q = tally_attestations(one, s, own, {}).value();
  CHECK(q.met());
  CHECK(q.signers() == std::vector<Address>{key(1).address});
  CHECK(q.rejected().empty());

  // Another subject: the own signature does not count for it.
  auto other = s;
  other.commitment.b[0] ^= 1;
  auto q2 = tally_attestations(one, other, own, {}).value();
  CHECK_FALSE(q2.met());
  REQUIRE(q2.rejected().size() == 1);
  CHECK(q2.rejected()[0].index == 0u);
  CHECK(q2.rejected()[0].error.code == Code::SigInvalid);

  // Not a member of this committee (member 2 only): ERR_NOT_VALIDATOR.
  CommitteeConfig two_only;
  two_only.members = {{key(2).address, ""}};
  two_only.self = key(2).address;
  auto c2 = Committee::from_config(two_only).value();
  auto q3 = tally_attestations(c2, s, own, {}).value();
  CHECK_FALSE(q3.met());
  REQUIRE(q3.rejected().size() == 1);
  CHECK(q3.rejected()[0].error.code == Code::NotValidator);

  // k = 3 of 3: own + two recovered members; a recovered duplicate of own's member is ERR_DUPLICATE_SEAL at its
  // index (others[i] is i + 1).
  auto three = Committee::from_config(config(3, 3)).value();
  const auto m2 = sign_attestation(s, 9, key(2).sk).value();
  const auto m3 = sign_attestation(s, 11, key(3).sk).value();
  const auto dup = sign_attestation(s, 7, key(1).sk).value();
  const std::vector<MemberSignature> others{m2, dup, m3};
  auto q4 = tally_attestations(three, s, own, others).value();
  CHECK(q4.met());
  CHECK(q4.signers() == std::vector<Address>{key(1).address, key(2).address, key(3).address});
  REQUIRE(q4.rejected().size() == 1);
  CHECK(q4.rejected()[0].index == 2u);
  CHECK(q4.rejected()[0].error.code == Code::DuplicateSeal);
  // Without own, the two others do not reach 3.
  CHECK_FALSE(tally_attestations(three, s, std::vector<MemberSignature>{m2, m3}).value().met());
}
