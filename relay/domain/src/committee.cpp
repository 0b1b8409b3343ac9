#include "causeway/domain/committee.hpp"

#include <algorithm>
#include <map>

#include "causeway/core/abi.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/core/packet.hpp"

namespace causeway::domain {

bool threshold_is_safe(std::uint32_t k, std::size_t n) noexcept {
  return 3 * static_cast<std::uint64_t>(k) > 2 * static_cast<std::uint64_t>(n);
}

Result<CommitteeCheck> check_committee_config(const CommitteeConfig& cfg) {
  std::vector<Address> addrs;
  addrs.reserve(cfg.members.size());
  for (const auto& m : cfg.members) addrs.push_back(m.address);
  if (addrs.size() > kMaxCommittee) return fail(Code::TooLarge, "committee over its size bound", "members");
  auto keys = make_governance_keys(cfg.threshold, addrs);
  if (!keys) return tl::unexpected(keys.error());
  if (!std::binary_search(keys->members.begin(), keys->members.end(), cfg.self)) {
    return fail(Code::InvalidArgument, "this relay's own key is not a committee member", "self");
  }
  CommitteeCheck out;
  const auto n = cfg.members.size();
  if (!threshold_is_safe(cfg.threshold, n)) {
    if (!cfg.allow_low_threshold) {
      return fail(Code::ThresholdTooLow,
                  "threshold " + std::to_string(cfg.threshold) + " of " + std::to_string(n) +
                      " is <= 2n/3; refusing to start without the explicit override",
                  "threshold");
    }
    out.low_threshold_override_used = true;
    out.warnings.push_back("threshold " + std::to_string(cfg.threshold) + " of " + std::to_string(n) +
                           " is <= 2n/3: running under the explicit low-threshold override");
  }
  std::map<std::string, std::size_t> first_by_source;
  for (std::size_t i = 0; i < n; ++i) {
    const auto& src = cfg.members[i].key_source;
    if (src.empty()) continue;
    auto [it, inserted] = first_by_source.emplace(src, i);
    if (!inserted) {
      out.warnings.push_back("members " + to_hex(cfg.members[it->second].address) + " and " +
                             to_hex(cfg.members[i].address) + " load their keys from the same source '" + src +
                             "': one compromise controls both (A06)");
    }
  }
  return out;
}

Result<Committee> Committee::from_config(const CommitteeConfig& cfg) {
  auto check = check_committee_config(cfg);
  if (!check) return tl::unexpected(check.error());
  std::vector<Address> addrs;
  for (const auto& m : cfg.members) addrs.push_back(m.address);
  std::sort(addrs.begin(), addrs.end());
  Committee c;
  c.epoch_ = 1;
  c.threshold_ = cfg.threshold;
  c.members_ = std::move(addrs);
  return c;
}

bool Committee::is_member(const Address& a) const noexcept {
  return std::binary_search(members_.begin(), members_.end(), a);
}

Hash32 Committee::update_body_hash(std::uint32_t threshold, std::span<const Address> members_sorted,
                                   bool allow_low_threshold) {
  using abi::Type;
  using abi::Value;
  static const Type type = Type::tuple({Type::uint(64), Type::bytes(), Type::boolean()});
  const Value v = Value::tuple({Value::uint(threshold), Value::bytes(members_bytes(members_sorted)),
                                Value::boolean(allow_low_threshold)});
  return keccak256(abi::encode(type, v));
}

Hash32 Committee::update_digest(std::uint32_t threshold, std::span<const Address> members_sorted,
                                bool allow_low_threshold, std::uint64_t new_epoch) {
  return governance_digest(GovAction::CommitteeUpdate, kCommitteeSubject, Hash32{}, new_epoch,
                           update_body_hash(threshold, members_sorted, allow_low_threshold));
}

Result<Committee> Committee::update(std::uint32_t threshold, std::vector<Address> members, bool allow_low_threshold,
                                    std::uint64_t nonce, std::span<const Bytes> signatures) const {
  if (members.size() > kMaxCommittee) return fail(Code::TooLarge, "committee over its size bound", "members");
  auto keys = make_governance_keys(threshold, std::move(members));
  if (!keys) return tl::unexpected(keys.error());
  if (!threshold_is_safe(threshold, keys->members.size()) && !allow_low_threshold) {
    return fail(Code::ThresholdTooLow, "new committee threshold is <= 2n/3 without the override", "threshold");
  }
  if (epoch_ == UINT64_MAX || nonce != epoch_ + 1) {
    return fail(Code::GovernanceNonce, "committee update must carry epoch " + std::to_string(epoch_ + 1), "nonce");
  }
  const GovernanceKeys current{threshold_, members_};
  const Hash32 digest = update_digest(threshold, keys->members, allow_low_threshold, nonce);
  if (auto ok = verify_governance(current, digest, signatures); !ok) return tl::unexpected(ok.error());
  Committee next;
  next.epoch_ = nonce;
  next.threshold_ = threshold;
  next.members_ = std::move(keys->members);
  return next;
}

Hash32 attestation_digest(const AttestationSubject& s, std::uint64_t audit_index) {
  switch (s.kind) {
    case AttestationKind::Packet:
      return packet::attestation_digest(s.island, s.genesis, s.endpoint, s.commitment, audit_index);
    case AttestationKind::Ack:
      return packet::ack_attestation_digest(s.island, s.genesis, s.endpoint, s.commitment, s.ack_commitment,
                                            audit_index);
    case AttestationKind::Timeout:
      return packet::timeout_attestation_digest(s.island, s.genesis, s.endpoint, s.commitment, audit_index);
  }
  return Hash32{};
}

Result<MemberSignature> sign_attestation(const AttestationSubject& s, std::uint64_t audit_index,
                                         const secp256k1::SecretKey& key) {
  auto sig = secp256k1::sign_rsv(attestation_digest(s, audit_index), key);
  if (!sig) return tl::unexpected(sig.error());
  return MemberSignature{secp256k1::eth_address(secp256k1::public_key_of(key)), audit_index,
                         Bytes(sig->begin(), sig->end())};
}

Result<Quorum> tally_attestations(const Committee& committee, const AttestationSubject& subject,
                                  std::span<const MemberSignature> entries) {
  if (entries.size() > kMaxAttestationEntries) {
    return fail(Code::TooLarge, "more attestation entries than a committee can produce", "entries");
  }
  Quorum q;
  q.subject_ = subject;
  q.epoch_ = committee.epoch();
  q.threshold_ = committee.threshold();
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    const std::string at = "entries[" + std::to_string(i) + "]";
    if (!committee.is_member(e.member)) {
      q.rejected_.push_back({i, Error{Code::NotValidator, "not a member of committee epoch " +
                                                               std::to_string(committee.epoch()), at}});
      continue;
    }
    auto pk = secp256k1::recover_rsv(attestation_digest(subject, e.audit_index), e.signature,
                                     secp256k1::LowS::Required);
    if (!pk) {
      q.rejected_.push_back({i, Error{pk.error().code, pk.error().detail, at}});
      continue;
    }
    if (secp256k1::eth_address(*pk) != e.member) {
      q.rejected_.push_back({i, Error{Code::SigInvalid, "signature does not recover to the claimed member", at}});
      continue;
    }
    if (std::find(q.signers_.begin(), q.signers_.end(), e.member) != q.signers_.end()) {
      q.rejected_.push_back({i, Error{Code::DuplicateSeal, "member already counted", at}});
      continue;
    }
    q.signers_.push_back(e.member);
  }
  return q;
}

Result<Quorum> require_quorum(const Committee& committee, const AttestationSubject& subject,
                              std::span<const MemberSignature> entries) {
  auto q = tally_attestations(committee, subject, entries);
  if (!q) return q;
  if (!q->met()) {
    return fail(Code::InsufficientQuorum, std::to_string(q->signers().size()) + " of " +
                                              std::to_string(q->threshold()) + " required committee members");
  }
  return q;
}

// ---- this relay's own attestation ------------------------------------------------------------------------

Result<OwnSigner> OwnSigner::create(const secp256k1::SecretKey& key) {
  return OwnSigner(key, secp256k1::eth_address(secp256k1::public_key_of(key)));
}

Result<OwnAttestation> OwnSigner::sign(const AttestationSubject& s, std::uint64_t audit_index) const {
  OwnAttestation a;
  a.digest_ = attestation_digest(s, audit_index);
  auto sig = secp256k1::sign_rsv(a.digest_, key_);
  if (!sig) return tl::unexpected(sig.error());
  a.entry_ = MemberSignature{address_, audit_index, Bytes(sig->begin(), sig->end())};
  return a;
}

Result<Quorum> tally_attestations(const Committee& committee, const AttestationSubject& subject,
                                  const OwnAttestation& own, std::span<const MemberSignature> others) {
  if (others.size() + 1 > kMaxAttestationEntries) {
    return fail(Code::TooLarge, "more attestation entries than a committee can produce", "entries");
  }
  auto q = tally_attestations(committee, subject, others);
  if (!q) return q;
  const auto& e = own.entry();
  // Re-index the others' rejections (0 is own).
  for (auto& r : q->rejected_) ++r.index;
  if (!committee.is_member(e.member)) {
    q->rejected_.insert(q->rejected_.begin(), {0, Error{Code::NotValidator, "not a member of committee epoch " +
                                                                             std::to_string(committee.epoch()),
                                                        "own"}});
    return q;
  }
  if (own.digest() != attestation_digest(subject, e.audit_index)) {
    q->rejected_.insert(q->rejected_.begin(),
                        {0, Error{Code::SigInvalid, "own attestation was made over another subject", "own"}});
    return q;
  }
  // Own first: a recovered entry of the same member is the duplicate.
  auto it = std::find(q->signers_.begin(), q->signers_.end(), e.member);
  if (it != q->signers_.end()) {
    q->signers_.erase(it);
    std::size_t idx = 0;
    for (std::size_t i = 0; i < others.size(); ++i)
      if (others[i].member == e.member) {
        idx = i + 1;
        break;
      }
    q->rejected_.push_back({idx, Error{Code::DuplicateSeal, "member already counted",
                                       "entries[" + std::to_string(idx - 1) + "]"}});
  }
  q->signers_.insert(q->signers_.begin(), e.member);
  return q;
}

}  // namespace causeway::domain
