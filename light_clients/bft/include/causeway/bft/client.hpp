// The BFT light client of one island (DESIGN.md §2 "light client", §4 trust model), codec-neutral: it works on
// the HeaderInfo a HeaderCodec decodes (codec.hpp) and the codec's quorum rule; commits are checked by
// verify_commit (commit.hpp). Modelled on the Tendermint/CometBFT light-client specification.
//
// Trusted state: the latest verified header with its validator set and next validator set, plus up to
// max_retained verified headers (the latest included) kept for inclusion proofs and misbehaviour detection.
//
// update(block, now_ms) — check order (each failure returns its code; the client is unchanged on EVERY error):
//   1. frozen                                     → ERR_CLIENT_FROZEN
//   2. expired: latest.time_ms + trusting_period_s·1000 ≤ now_ms                          → ERR_CLIENT_EXPIRED
//   3. header decodes canonically                 → codec errors (ERR_HEADER_ENCODING, ERR_ZERO_ROOT, ERR_TOO_LARGE)
//      chain id equals the anchor's               → ERR_ISLAND_MISMATCH
//   4. same height and hash as a held header      → UpdateKind::AlreadyKnown (nothing else is checked or changed)
//   5. header.time_ms > now_ms + max_clock_drift_ms → ERR_TIME_TOO_NEW (so now + drift exactly is accepted)
//   6. validator sets: built by ValidatorSet::create for the codec's suite; codec hash of `validators` ==
//      header.validators_hash, of `next_validators` == header.next_validators_hash (when next_validators is
//      absent the header must name the same set for both) → ERR_VALIDATOR_SET_MISMATCH; proposer in the
//      header's own set → ERR_NOT_VALIDATOR
//   7. the trust basis: height > latest → latest; height held with another hash → the nearest retained state
//      below it (or, if none, the held header itself: see Misbehaviour); other heights → ERR_UNKNOWN_HEADER.
//      A basis other than latest must itself be unexpired → ERR_CLIENT_EXPIRED.
//   8. rules against the basis B:
//      sequential (height == B.height + 1): parent_hash == B.hash (ERR_PREV_HASH_MISMATCH); validators_hash ==
//        B.next_validators_hash (ERR_VALIDATOR_SET_MISMATCH); time_ms > B.time_ms (ERR_TIMESTAMP_ORDER); commit
//        verified (commit.hpp) and the quorum rule met by the header's own set (ERR_INSUFFICIENT_QUORUM).
//      skipping (height > B.height + 1; Tendermint "VerifyNonAdjacent"): time_ms > B.time_ms; commit verified;
//        quorum of the header's own set; and MORE than trust_level (default 1/3) of the power of B's NEXT
//        validator set (the freshest trusted set) among the signers, matched by key (ERR_INSUFFICIENT_QUORUM).
//   9. accepted: becomes the latest (height > latest) and is retained; the oldest retained header beyond
//      max_retained is forgotten.
// Misbehaviour (A14): a header at a height the client holds, with a different hash, that passes 6–8 against its
// basis — or, when nothing below it is retained, carries a quorum of its own set and more than trust_level of
// the held header's own set — freezes the client. update() then returns UpdateKind::Misbehaviour with both
// signed headers as evidence (not an error), and every later update and inclusion check is ERR_CLIENT_FROZEN.
//
// Time: every time is milliseconds since the Unix epoch (`time_ms`, `now_ms`); a bundle's `verify_time_s` is
// passed as verify_time_s·1000. Arithmetic is 128-bit, so no sum overflows. Host clock skew within the drift
// changes no verdict: a header within the drift of the true time is within drift + skew of the host's clock.
//
// Thread-safety: a LightClient is a plain value without locks: const members may run concurrently; update()
// needs exclusive access (one writer per island, DESIGN.md rule 4).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "causeway/bft/codec.hpp"
#include "causeway/bft/commit.hpp"
#include "causeway/bft/inclusion.hpp"
#include "causeway/bft/validator_set.hpp"
#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"

namespace causeway::bft {

inline constexpr std::uint64_t kDefaultMaxClockDriftMs = 10'000;  // DESIGN.md §4: 10 s for BFT

struct ClientConfig {
  std::shared_ptr<const HeaderCodec> codec;                 // required
  std::uint64_t trusting_period_s = 0;                      // > 0
  std::uint64_t max_clock_drift_ms = kDefaultMaxClockDriftMs;
  Fraction trust_level{1, 3};                               // skipping; 1/3 ≤ level < 1
  std::size_t max_retained = 256;                           // ≥ 1
};

struct SignedHeader {
  Bytes header;   // the codec's canonical bytes
  Commit commit;  // empty for the anchor
  bool operator==(const SignedHeader&) const = default;
};

// One header to verify, with the sets its hashes name.
struct LightBlock {
  SignedHeader signed_header;
  ValidatorSet validators;                      // must hash to header.validators_hash
  std::optional<ValidatorSet> next_validators;  // must hash to header.next_validators_hash; absent = unchanged
};

struct Misbehaviour {
  std::uint64_t height = 0;
  SignedHeader held;         // the header the client had verified at that height
  SignedHeader conflicting;  // the other, also valid, header
};

enum class UpdateKind : std::uint8_t { Accepted, AlreadyKnown, Misbehaviour };
enum class Verification : std::uint8_t { None, Sequential, Skipping };
enum class ClientStatus : std::uint8_t { Active, Expired, Frozen };

// Stage one of update(), split off so a caller can run it for many headers on several threads (the relay's
// header workers, `causeway bench bft-headers`): the header decoded and every commit signature verified against
// the block's OWN validator set (the expensive part: one signature verification per commit entry). It reads
// nothing the client holds, so it is pure and safe to run concurrently. Only check_block() makes one, and
// update(block, checked, now_ms) uses it only for the block it was made from (same header bytes and commit:
// compared with its header bytes, commit and validator set, so a stale or mismatched CheckedBlock is refused with
// ERR_INVALID_ARGUMENT, never trusted).
class CheckedBlock {
 public:
  const HeaderInfo& info() const noexcept { return info_; }
  const Tally& tally() const noexcept { return tally_; }

 private:
  friend Result<CheckedBlock> check_block(const HeaderCodec& codec, const LightBlock& block);
  friend class LightClient;
  CheckedBlock() = default;
  HeaderInfo info_;
  Tally tally_;
  Commit commit_;
  ValidatorSet validators_;  // the set the tally was computed against
};

// Decodes block.signed_header.header with `codec` and runs verify_commit over block.validators.
// Errors: codec errors (at "header.…"), verify_commit errors (ERR_TOO_LARGE, ERR_NOT_VALIDATOR, signature codes).
// The header's links, sets, times and quorum are judged by update(), against the client's trusted state.
Result<CheckedBlock> check_block(const HeaderCodec& codec, const LightBlock& block);

struct UpdateResult {
  UpdateKind kind = UpdateKind::Accepted;
  Verification verification = Verification::None;
  ConsensusState header;                 // the submitted header
  std::uint64_t signed_power = 0;        // of the header's own set (distinct signers)
  std::uint64_t total_power = 0;
  std::uint64_t trusted_signed_power = 0;  // skipping / misbehaviour: of the trusted basis set
  std::uint64_t trusted_total_power = 0;
  std::optional<Misbehaviour> evidence;  // kind == Misbehaviour
};

class LightClient {
 public:
  // Trusts `anchor` as given (no commit is checked: whoever configures the island vouches for it). Checks
  // (fail closed): codec set; trusting_period_s > 0; max_retained ≥ 1; 1/3 ≤ trust_level < 1; the anchor decodes
  // (zero roots refused, time_ms > 0: A01); both sets built for the codec's suite and hashing to the anchor's
  // validators_hash / next_validators_hash; the proposer in the anchor's set.
  // Errors: ERR_INVALID_ARGUMENT, codec errors, ERR_VALIDATOR_SET_MISMATCH, ERR_NOT_VALIDATOR.
  static Result<LightClient> create(ClientConfig config, const SignedHeader& anchor, ValidatorSet validators,
                                    ValidatorSet next_validators);

  Result<UpdateResult> update(const LightBlock& block, std::uint64_t now_ms);
  // The same rules and result, with stage one already done by check_block() (possibly on another thread).
  // `checked` must come from this block (else ERR_INVALID_ARGUMENT). Because stage one ran first, a block with
  // both a bad commit and another defect reports the commit error there; a valid block's result is identical.
  Result<UpdateResult> update(const LightBlock& block, const CheckedBlock& checked, std::uint64_t now_ms);

  // Frozen if misbehaviour was seen; else Expired if latest.time_ms + trusting_period_s·1000 ≤ now_ms; else Active.
  ClientStatus status(std::uint64_t now_ms) const noexcept;
  bool frozen() const noexcept { return evidence_.has_value(); }
  const std::optional<Misbehaviour>& evidence() const noexcept { return evidence_; }

  const ClientConfig& config() const noexcept { return config_; }
  const std::string& chain_id() const noexcept { return chain_id_; }
  ConsensusState latest() const;
  std::optional<ConsensusState> consensus_state(std::uint64_t height) const;
  std::size_t retained_count() const noexcept { return retained_.size(); }
  const ValidatorSet& trusted_validators() const;       // the latest header's own set
  const ValidatorSet& trusted_next_validators() const;  // the set that must sign latest + 1

  // Inclusion of a leaf under a retained verified header (inclusion.hpp), refused when the client is frozen
  // (ERR_CLIENT_FROZEN) or expired at now_ms (ERR_CLIENT_EXPIRED); an unknown height is ERR_UNKNOWN_HEADER.
  Status verify_inclusion(const InclusionClaim& claim, std::uint64_t now_ms) const;

 private:
  struct Trusted {
    HeaderInfo info;
    Commit commit;
    ValidatorSet validators;
    ValidatorSet next_validators;
  };

  LightClient() = default;
  Result<UpdateResult> update_decoded(const LightBlock& block, HeaderInfo h, const Tally* tally, std::uint64_t now_ms);
  bool expired(const Trusted& t, std::uint64_t now_ms) const noexcept;
  const Trusted& latest_trusted() const { return retained_.rbegin()->second; }

  ClientConfig config_;
  std::string chain_id_;
  std::map<std::uint64_t, Trusted> retained_;  // never empty
  std::optional<Misbehaviour> evidence_;
};

ConsensusState consensus_state_of(const HeaderInfo& h);

}  // namespace causeway::bft
