// The relay attestation committee (DESIGN.md §4; PACKET.md "Attestations"; issue #5 "Attestations").
//
// Configuration: k of n member addresses (secp256k1 keys as Ethereum addresses, so the destination endpoint
// can ecrecover) and this relay's own key. One relay with k = n = 1 is the default. The relay refuses to start
// with k ≤ 2n/3 unless an explicit override is given (and logged by the caller), and warns when two member keys
// come from the same key source (A06). Committee changes are governance records (action "committee.update",
// subject "causeway.committee", genesis zero, nonce = the new epoch) signed by k of the CURRENT members:
//   body = abi.encode(uint64 threshold, bytes members, bool allow_low_threshold)
// and a member removed by a change no longer counts from that epoch on (A05).
//
// Members sign attestation digests exactly as PACKET.md defines them (core/packet.hpp computes them), each over
// its OWN audit index: packet attestations to the destination, ack and timeout attestations to the source.
// A tally counts distinct current members whose signature recovers (low-S required) to the address they claim.
//
// Thread-safety: value types and pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"
#include "causeway/core/secp256k1.hpp"
#include "causeway/domain/governance.hpp"

namespace causeway::domain {

inline constexpr std::size_t kMaxCommittee = 64;
// Attestation entries a tally reads at most (several per member are tolerated: re-sent or twin encodings).
inline constexpr std::size_t kMaxAttestationEntries = 4 * kMaxCommittee;

struct CommitteeMember {
  Address address{};
  std::string key_source;  // where the key was loaded from (file path, HSM slot, "remote"); "" = not a local key
  bool operator==(const CommitteeMember&) const = default;
};

struct CommitteeConfig {
  std::uint32_t threshold = 1;
  std::vector<CommitteeMember> members;
  Address self{};                      // this relay's own member address
  bool allow_low_threshold = false;    // explicit override of the k > 2n/3 rule; the caller logs its use
};

struct CommitteeCheck {
  std::vector<std::string> warnings;       // e.g. shared key material (A06), override in use
  bool low_threshold_override_used = false;
};

// True iff 3k > 2n (k > 2n/3 without rounding).
bool threshold_is_safe(std::uint32_t k, std::size_t n) noexcept;

// The start-up check. Errors: ERR_INVALID_ARGUMENT (no members, k = 0 or k > n, a member twice, self not a
// member), ERR_TOO_LARGE (over kMaxCommittee), ERR_ZERO_ROOT (zero address), ERR_THRESHOLD_TOO_LOW (k ≤ 2n/3
// and no override, A06). Warnings: two members with the same non-empty key_source (A06); the override in use.
Result<CommitteeCheck> check_committee_config(const CommitteeConfig& cfg);

class Committee {
 public:
  // Epoch 1 from a configuration that passes check_committee_config.
  static Result<Committee> from_config(const CommitteeConfig& cfg);

  std::uint64_t epoch() const noexcept { return epoch_; }
  std::uint32_t threshold() const noexcept { return threshold_; }
  const std::vector<Address>& members() const noexcept { return members_; }  // ascending
  bool is_member(const Address& a) const noexcept;

  // The body hash and digest of a committee.update record to epoch `new_epoch`.
  static Hash32 update_body_hash(std::uint32_t threshold, std::span<const Address> members_sorted,
                                 bool allow_low_threshold);
  static Hash32 update_digest(std::uint32_t threshold, std::span<const Address> members_sorted,
                              bool allow_low_threshold, std::uint64_t new_epoch);

  // Applies a committee change signed by k of the current members (verify_governance's errors); nonce must be
  // epoch + 1 (ERR_GOVERNANCE_NONCE); the new key set follows make_governance_keys' rules and k > 2n/3 unless
  // allow_low_threshold (ERR_THRESHOLD_TOO_LOW). Returns the next committee; *this is unchanged.
  Result<Committee> update(std::uint32_t threshold, std::vector<Address> members, bool allow_low_threshold,
                           std::uint64_t nonce, std::span<const Bytes> signatures) const;

  bool operator==(const Committee&) const = default;

 private:
  std::uint64_t epoch_ = 0;
  std::uint32_t threshold_ = 0;
  std::vector<Address> members_;
};

enum class AttestationKind { Packet, Ack, Timeout };

// What an attestation is about. Packet: island/genesis/endpoint are the DESTINATION's; Ack and Timeout: the
// SOURCE's. ack_commitment is used by Ack only.
struct AttestationSubject {
  AttestationKind kind = AttestationKind::Packet;
  std::string island;
  Hash32 genesis;
  Bytes endpoint;
  Hash32 commitment;
  Hash32 ack_commitment;
  bool operator==(const AttestationSubject&) const = default;
};

// PACKET.md digest for the subject and one member's audit index (core/packet.hpp attestation_digest,
// ack_attestation_digest, timeout_attestation_digest).
Hash32 attestation_digest(const AttestationSubject& s, std::uint64_t audit_index);

// What GET /v1/attestations/{packet-id} returns per member.
struct MemberSignature {
  Address member{};
  std::uint64_t audit_index = 0;
  Bytes signature;  // 65 bytes r ‖ s ‖ v, v ∈ {27, 28}
  bool operator==(const MemberSignature&) const = default;
};

// This relay's attestation: signs attestation_digest(s, audit_index) with `key` (RFC 6979, low-S).
// Errors: those of secp256k1::sign_rsv.
Result<MemberSignature> sign_attestation(const AttestationSubject& s, std::uint64_t audit_index,
                                         const secp256k1::SecretKey& key);

// The verdict on one entry of a tally that did not count.
struct RejectedEntry {
  std::size_t index = 0;
  Error error;
};

class OwnAttestation;

// The result of a tally. Only tally_attestations makes one, so a caller cannot hand the state machine a
// quorum it did not compute (A02).
class Quorum {
 public:
  const AttestationSubject& subject() const noexcept { return subject_; }
  std::uint64_t epoch() const noexcept { return epoch_; }
  std::uint32_t threshold() const noexcept { return threshold_; }
  const std::vector<Address>& signers() const noexcept { return signers_; }  // distinct, in entry order
  const std::vector<RejectedEntry>& rejected() const noexcept { return rejected_; }
  bool met() const noexcept { return signers_.size() >= threshold_; }

 private:
  friend Result<Quorum> tally_attestations(const Committee&, const AttestationSubject&,
                                           std::span<const MemberSignature>);
  friend Result<Quorum> tally_attestations(const Committee&, const AttestationSubject&, const OwnAttestation&,
                                           std::span<const MemberSignature>);
  Quorum() = default;
  AttestationSubject subject_;
  std::uint64_t epoch_ = 0;
  std::uint32_t threshold_ = 0;
  std::vector<Address> signers_;
  std::vector<RejectedEntry> rejected_;
};

// Counts the distinct current members whose entry verifies: the signature recovers with LowS::Required to the
// entry's `member` over attestation_digest(subject, entry.audit_index). Entries that do not count are listed in
// rejected(): ERR_NOT_VALIDATOR (not a current member — e.g. removed, A05), ERR_SIG_INVALID (recovers to
// another address), ERR_DUPLICATE_SEAL (member already counted, any encoding or index), recover_rsv's errors.
// Errors: ERR_TOO_LARGE (more than kMaxAttestationEntries entries).
Result<Quorum> tally_attestations(const Committee& committee, const AttestationSubject& subject,
                                  std::span<const MemberSignature> entries);

// tally_attestations, then ERR_INSUFFICIENT_QUORUM unless met().
Result<Quorum> require_quorum(const Committee& committee, const AttestationSubject& subject,
                              std::span<const MemberSignature> entries);

// ---- this relay's own attestation (relay-core intake: no ecrecover of a signature we just made) ---------

// A signature this relay made through OwnSigner over attestation_digest(subject, audit_index). Only OwnSigner
// makes one, so a tally may count it without recovering it: the domain signed it itself with the key whose
// address is entry().member (A02 holds: a caller cannot pass off a signature it did not make).
class OwnAttestation {
 public:
  const MemberSignature& entry() const noexcept { return entry_; }
  const Hash32& digest() const noexcept { return digest_; }  // attestation_digest(subject, entry().audit_index)

 private:
  friend class OwnSigner;
  OwnAttestation() = default;
  MemberSignature entry_;
  Hash32 digest_;
};

// This relay's signing key with its address derived once (sign_attestation derives it on every call).
class OwnSigner {
 public:
  // Errors: none today (a SecretKey is valid by construction); Result for symmetry with the key loaders.
  static Result<OwnSigner> create(const secp256k1::SecretKey& key);
  const Address& address() const noexcept { return address_; }
  // sign_attestation with the cached address. Errors: those of secp256k1::sign_rsv.
  Result<OwnAttestation> sign(const AttestationSubject& s, std::uint64_t audit_index) const;

 private:
  OwnSigner(const secp256k1::SecretKey& key, const Address& address) : key_(key), address_(address) {}
  secp256k1::SecretKey key_;
  Address address_{};
};

// tally_attestations over `own` followed by `others`: `own` counts when its member is a current member and its
// digest is attestation_digest(subject, own index) — without recovering it (see OwnAttestation); `others` are
// tallied exactly as tally_attestations does (recovered, low-S; a second entry of own's member is
// ERR_DUPLICATE_SEAL). Rejected-entry indexes: 0 = own, i + 1 = others[i]. Errors: ERR_TOO_LARGE.
Result<Quorum> tally_attestations(const Committee& committee, const AttestationSubject& subject,
                                  const OwnAttestation& own, std::span<const MemberSignature> others);

}  // namespace causeway::domain
