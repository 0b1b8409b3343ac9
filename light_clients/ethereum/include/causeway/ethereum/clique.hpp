// Clique proof of authority (EIP-225), as go-ethereum implements it (consensus/clique/clique.go: verifyHeader,
// verifyCascadingFields, verifySeal; snapshot.go: Snapshot.apply, inturn, cast/uncast).
//
// extraData = vanity (32 bytes) ‖ signers (20 bytes each, at epoch checkpoints only) ‖ seal (65 bytes r ‖ s ‖ v).
// The seal signs keccak256(RLP(header with extraData minus its last 65 bytes)) — every other field as the
// header carries it, so a London header's baseFeePerGas is signed too (EIP-225 "sigHash"; geth encodeSigHeader).
// Clique has no Shanghai-or-later shapes: headers with withdrawalsRoot or later fields are refused, as geth does.
//
// Signature policy (DESIGN.md §4, "Ethereum seals and ecrecover: either"): seals are recovered with
// LowS::Allowed — go-ethereum's ecrecover does not enforce low S on seals — and v must be 0 or 1 (the raw
// recovery id geth's crypto.Ecrecover takes; 27/28 are refused with ERR_SIG_ENCODING). A signer is identified
// by its recovered address, so a high-S twin of a seal is the same signer, never a second one.
//
// Rules applied by CliqueState::apply (EIP-225 §"Specification", geth names in brackets):
//   fields    coinbase 0 and nonce 0x00…00 at checkpoints [errInvalidCheckpointBeneficiary/Vote]; nonce is
//             0xff…ff (authorise) or 0x00…00 (drop) [errInvalidVote]; mixHash 0 [errInvalidMixDigest]; ommers
//             hash = keccak(RLP([])) [errInvalidUncleHash]; gasUsed ≤ gasLimit ≤ 2^63−1
//   extra     ≥ 32 + 65 bytes; signer bytes only at checkpoints (number % epoch == 0), a multiple of 20 there
//             [errMissingVanity, errMissingSignature, errExtraSigners, errInvalidCheckpointSigners]
//   cascade   parent link; time ≥ parent time + period [errInvalidTimestamp]; a checkpoint's signer list equals
//             the current set, ascending [errMismatchingCheckpointSigners]
//   seal      signer in the authorised set [errUnauthorizedSigner]; not among the signers of the last
//             floor(n/2) blocks, i.e. one block per floor(n/2)+1 [errRecentlySigned]; difficulty 2 when in turn
//             ((number % n) == index of the signer in the ascending set) and 1 otherwise [errWrongDifficulty]
//   votes     at a checkpoint, pending votes and tallies are discarded; a signer's newer vote on the same
//             address replaces its older one; a vote counts only when it would change the set (add a
//             non-signer, drop a signer); more than n/2 votes apply it; a dropped signer's own votes are
//             discarded; all votes on a changed address are discarded.
// Not checked (execution-level, not a header-chain rule here): the gas-limit delta and EIP-1559 base fee.
//
// Thread-safety: CliqueState is an immutable value (apply returns a new one); safe to share across threads.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"
#include "causeway/ethereum/header.hpp"

namespace causeway::ethereum::clique {

inline constexpr std::size_t kVanityBytes = 32;  // EIP-225 EXTRA_VANITY
inline constexpr std::size_t kSealBytes = 65;    // EIP-225 EXTRA_SEAL: r ‖ s ‖ v
inline constexpr std::uint64_t kDefaultEpoch = 30000;
inline constexpr std::size_t kMaxSigners = 1024;  // bound on an anchor/checkpoint signer list
inline constexpr std::uint8_t kDiffInTurn = 2;    // EIP-225 DIFF_INTURN
inline constexpr std::uint8_t kDiffNoTurn = 1;    // EIP-225 DIFF_NOTURN

struct Config {
  std::uint64_t epoch = kDefaultEpoch;  // blocks between checkpoints (Görli, Rinkeby: 30000); must be > 0
  std::uint64_t period_s = 15;          // minimum seconds between blocks (Görli: 15)
  bool operator==(const Config&) const = default;
};

// extraData split into its parts.
struct Extra {
  std::array<std::uint8_t, kVanityBytes> vanity{};
  std::vector<Address> signers;  // checkpoints only, in header order
  std::array<std::uint8_t, kSealBytes> seal{};
};

// Splits extraData (EIP-225 "extraData"). `checkpoint` = number % epoch == 0. Errors: ERR_CLIQUE_EXTRA_DATA
// (shorter than 97 bytes, signer bytes on a non-checkpoint, signer bytes not a multiple of 20, more than
// kMaxSigners signers).
Result<Extra> parse_extra(ByteView extra_data, bool checkpoint);

// keccak256(RLP(header with extraData[:len−65])). Errors: ERR_CLIQUE_EXTRA_DATA (extraData < 65 bytes),
// ERR_ETH_HEADER (shape, as encode_header).
Result<Hash32> seal_hash(const Header& h);

// The address that sealed h (ecrecover of the last 65 bytes of extraData over seal_hash, LowS::Allowed,
// v ∈ {0, 1}). Errors: those of seal_hash, ERR_SIG_ENCODING (v ∉ {0,1}, r or s zero or ≥ n), ERR_SIG_INVALID.
Result<Address> recover_signer(const Header& h);

// The stateless checks of one header (geth verifyHeader, minus the clock): see "fields" and "extra" above.
// Errors: ERR_ETH_HEADER (shape after London, gas), ERR_INVALID_VOTE, ERR_CONSENSUS_FIELD (mixHash, ommers,
// difficulty not 1/2), ERR_CLIQUE_EXTRA_DATA.
Status check_header_fields(const Config& config, const Header& h);

// A pending vote (geth Vote): `signer` voted in block `block` to authorise (true) or drop `address`.
struct Vote {
  Address signer{};
  std::uint64_t block = 0;
  Address address{};
  bool authorize = false;
  bool operator==(const Vote&) const = default;
};

// Votes cast on one address (geth Tally).
struct Tally {
  bool authorize = false;
  std::size_t votes = 0;
  bool operator==(const Tally&) const = default;
};

// The authorisation state after one header (geth Snapshot): the head's number, hash and time, the signer set,
// who signed the recent blocks, and the pending votes.
class CliqueState {
 public:
  // A state trusted as given: the header (number, hash, time) and the signer set after it. `recents` (block
  // number → signer of that block, for the last floor(n/2) blocks) and `votes` may be supplied when anchoring
  // mid-epoch; without them the first blocks after the anchor are checked without the recent-signer history and
  // votes cast before the anchor are unknown — anchor at a checkpoint (number % epoch == 0) to be exact.
  // Errors: ERR_INVALID_ARGUMENT (epoch 0, empty set, duplicate signer, more than kMaxSigners), ERR_ZERO_ROOT
  // (zero hash).
  static Result<CliqueState> trusted(const Config& config, std::uint64_t number, const Hash32& hash,
                                     std::uint64_t timestamp_s, std::vector<Address> signers,
                                     std::map<std::uint64_t, Address> recents = {});

  // The state at a trusted checkpoint header (number % epoch == 0, e.g. genesis), signers taken from its
  // extraData in any order (a genesis list need not be sorted; later checkpoints are checked against the sorted
  // set by apply()). Errors: ERR_INVALID_ARGUMENT (not a checkpoint, duplicate signer), those of parse_extra and
  // trusted().
  static Result<CliqueState> from_checkpoint(const Config& config, const Header& checkpoint);

  // Verifies `h` as the child of this state's head and returns the state after it. Check order: fields,
  // extra, parent link, timestamp, checkpoint list, signer, recents, difficulty, then votes.
  // Errors: check_header_fields's, ERR_PREV_HASH_MISMATCH / ERR_ETH_HEADER (parent link), ERR_TIMESTAMP_ORDER,
  // ERR_VALIDATOR_SET_MISMATCH (checkpoint list), recover_signer's, ERR_NOT_VALIDATOR (unauthorised signer),
  // ERR_RECENTLY_SIGNED, ERR_WRONG_DIFFICULTY. On error this state is unchanged (it is const).
  Result<CliqueState> apply(const Header& h) const;

  // In turn: (number % n) == index of `signer` in the ascending set (geth Snapshot.inturn).
  bool in_turn(std::uint64_t number, const Address& signer) const noexcept;
  bool is_signer(const Address& a) const noexcept;

  const Config& config() const noexcept { return config_; }
  std::uint64_t number() const noexcept { return number_; }
  const Hash32& hash() const noexcept { return hash_; }
  std::uint64_t timestamp_s() const noexcept { return timestamp_s_; }
  const std::vector<Address>& signers() const noexcept { return signers_; }  // ascending
  const std::map<std::uint64_t, Address>& recents() const noexcept { return recents_; }
  const std::vector<Vote>& votes() const noexcept { return votes_; }  // chronological
  const std::map<Address, Tally>& tally() const noexcept { return tally_; }
  // The signer of block `number` if it is among the recents (always true for the head after apply()).
  std::optional<Address> signer_of(std::uint64_t number) const;

  bool operator==(const CliqueState&) const = default;

 private:
  bool cast(const Address& address, bool authorize);
  bool uncast(const Address& address, bool authorize);

  Config config_;
  std::uint64_t number_ = 0;
  Hash32 hash_;
  std::uint64_t timestamp_s_ = 0;
  std::vector<Address> signers_;
  std::map<std::uint64_t, Address> recents_;
  std::vector<Vote> votes_;
  std::map<Address, Tally> tally_;
};

}  // namespace causeway::ethereum::clique
