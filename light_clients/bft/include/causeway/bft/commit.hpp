// Commits and quorum arithmetic, independent of any header codec.
//
// A commit is a list of (validator index, 64-byte signature) over the header's sign bytes; the index refers to
// the validator set that signs that header (the header's own set, canonical order).
//
// verify_commit() checks EVERY entry and then tallies:
//   * an index outside the set → ERR_NOT_VALIDATOR; a signature that fails the suite's rules (bad length or
//     encoding, high-S under secp256k1-sha256, does not verify) → the whole commit is REJECTED with that code,
//     at "commit[i]", even when the other signatures already make a quorum. Why reject rather than ignore:
//     the verdict then does not depend on the order or on how early a verifier stops, a stored commit (audit
//     log, misbehaviour evidence, proof bundle) never carries an unverified signature, and a relayer gains
//     nothing by padding a commit with junk. (CometBFT's full VerifyCommit behaves the same way.)
//   * a validator is counted ONCE however many entries name it (A17: the same signature twice, two different
//     valid SM2 signatures, …): distinct indices, each validator's power added once.
//   * at most 2 × |set| entries (ERR_TOO_LARGE), so the work is bounded by the set size.
//
// Quorum arithmetic is exact: "more than num/den of total" is signed·den > total·num in 128-bit integers.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "causeway/bft/codec.hpp"
#include "causeway/bft/suite.hpp"
#include "causeway/bft/validator_set.hpp"
#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"

namespace causeway::bft {

struct CommitSig {
  std::uint32_t validator = 0;  // index into the signing set
  Bytes signature;              // 64 bytes r ‖ s
  bool operator==(const CommitSig&) const = default;
};
using Commit = std::vector<CommitSig>;

// A fraction num/den; "more than" it is required. Skipping verification's trust level (Tendermint default 1/3).
struct Fraction {
  std::uint64_t numerator = 1;
  std::uint64_t denominator = 3;
  bool operator==(const Fraction&) const = default;
};

struct Tally {
  std::uint64_t signed_power = 0;       // power of the distinct validators that signed
  std::uint64_t total_power = 0;        // total power of the set
  std::vector<std::uint32_t> signers;   // distinct signing indices, ascending
};

// signed·den > total·num, exact (128-bit). A zero denominator never passes.
bool more_than(std::uint64_t signed_power, std::uint64_t total_power, Fraction f) noexcept;
// 3·signed > 2·total.
bool more_than_two_thirds(std::uint64_t signed_power, std::uint64_t total_power) noexcept;
// Whether `rule` counts signed_power of total_power as a quorum.
bool quorum_reached(QuorumRule rule, std::uint64_t signed_power, std::uint64_t total_power) noexcept;

// Verifies every signature of `commit` against `set` over `sign_bytes` and tallies distinct signers (see above).
// Errors: ERR_TOO_LARGE, ERR_NOT_VALIDATOR, ERR_BAD_LENGTH, ERR_SIG_ENCODING, ERR_SIG_HIGH_S, ERR_SIG_INVALID.
Result<Tally> verify_commit(const ValidatorSet& set, ByteView sign_bytes, std::span<const CommitSig> commit);

// The power, in `trusted`, of the validators of `signing_set` at `signers` — looked up by key, each key once.
// Used by skipping verification: how much of the trusted set signed a header signed by its own set.
std::uint64_t power_in(const ValidatorSet& trusted, const ValidatorSet& signing_set,
                       std::span<const std::uint32_t> signers);

}  // namespace causeway::bft
