// Hyperledger Besu IBFT 2.0 and QBFT header verification (shared/formats/besu-bft.md; the Besu files named
// there): the block hash and the committed-seal hash, committed-seal acceptance, the header rules, and the
// validator vote tally.
//
// Hashes (besu-bft.md §3; BftBlockHashing.java @077c6d5b): keccak256(RLP(header)) with only extraData replaced
// by encode_extra_for_block_hash / encode_extra_for_committed_seal (bft_extra.hpp). The block hash ignores the
// round and the seals; the committed-seal hash includes the round. Block 0 (genesis) hashes with its extraData
// unchanged. Committers sign the 32-byte committed-seal hash directly (no prefix).
//
// Seal acceptance (§5; BftCommitSealsValidationRule.java @077c6d5b), in Besu's order:
//   1. recover one address per seal over the committed-seal hash — secp256k1 with LowS::Allowed (DESIGN.md §4:
//      Ethereum seals accept either S; Besu's own check on high S was not verified, besu-bft.md §4), recovery
//      id 0/1 only (27/28 → ERR_SIG_ENCODING, enforced by the codec);
//   2. any address twice → ERR_DUPLICATE_SEAL. A validator therefore counts once, whatever encodings (e.g. a
//      seal and its high-S twin, A17) it submits: the second one is the same recovered address;
//   3. fewer than ⌈2N/3⌉ committers, N = size of the set that applies → ERR_INSUFFICIENT_QUORUM;
//   4. a committer outside the set → ERR_NOT_VALIDATOR.
// Header rules checked with it (Besu's BFT header ruleset, besu-bft.md §1/§5): vanity exactly 32 bytes
// (BftVanityDataValidationRule), mixHash = EXPECTED_MIX_HASH, nonce 0, ommers = keccak(RLP([])), difficulty 1
// (ConstantFieldValidationRule, recalled), header validator list strictly ascending and equal to the set
// (BftValidatorsValidationRule @077c6d5b) or, in QBFT contract mode, empty with no vote (QbftValidatorsValidation
// Rule @3609081f), proposer = coinbase in the set (BftCoinbaseValidationRule). Besu stores no proposer signature
// in the header (§3c); which validator was *entitled* to propose (proposer selection) is not checked.
//
// Validator changes (block-header mode): Besu's vote tally, consensus/common/.../validator/blockbased/
// VoteTally.java @a9ecadde (addVote) and VoteTallyUpdater.java @d1705882 (updateForBlock):
//   - at an epoch block (number % epoch_length == 0) all outstanding votes are discarded and its vote ignored
//     (one stored Besu version tests number + 1 instead; this follows VoteTallyUpdaterTest @2c49078a);
//   - otherwise the header's vote is cast by its proposer (coinbase): ADD puts the proposer in the recipient's
//     add-set and takes it out of the remove-set, DROP the reverse (a proposer's latest vote counts);
//   - when an add-set (resp. remove-set) reaches ⌊N/2⌋ + 1 (more than half of the current set), the recipient
//     is added (resp. removed) and the votes on it are discarded; a removed validator's own votes are discarded.
//   A vote in header h changes the set from h + 1 on. In QBFT contract mode the set is supplied from outside and
//   never changes here.
//
// Thread-safety: pure functions and immutable values (BftState::apply returns a new state).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <vector>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"
#include "causeway/ethereum/bft_extra.hpp"
#include "causeway/ethereum/header.hpp"

namespace causeway::ethereum::bft {

// Besu BftHelpers.EXPECTED_MIX_HASH: "ctical byzantine fault tolerance" as 32 bytes, 0x6374…6e6365.
Hash32 expected_mix_hash() noexcept;

// ⌈2n/3⌉ (BftHelpers.calculateRequiredValidatorQuorum): 1, 2, 2, 3, 4, 4, 5 for n = 1…7; 0 for n = 0 (and an
// empty set is refused everywhere, DESIGN.md rule 7).
std::size_t quorum(std::size_t n) noexcept;

// The block hash (§3a): the header's identity, its child's parentHash. Errors: decode_extra's, encode_header's.
Result<Hash32> block_hash(Variant v, const Header& h);

// The committed-seal hash (§3b): what every committer signs. Errors: decode_extra's, encode_header's.
Result<Hash32> committed_seal_hash(Variant v, const Header& h);

// The address each seal recovers to over the committed-seal hash, in seal order (not deduplicated).
// Errors: decode_extra's (ERR_SIG_ENCODING for v ∉ {0,1}), ERR_SIG_INVALID (at = "committed_seals[i]").
Result<std::vector<Address>> recover_committers(Variant v, const Header& h);

// Seal acceptance steps 2–4 on recovered committers against the (strictly ascending) validator set.
// Errors: ERR_DUPLICATE_SEAL, ERR_INSUFFICIENT_QUORUM (also for an empty set), ERR_NOT_VALIDATOR.
Status check_committers(std::span<const Address> committers, std::span<const Address> validators);

enum class ValidatorMode : std::uint8_t {
  HeaderList,  // IBFT 2.0, QBFT block-header mode: the header lists the set; votes change it
  Contract,    // QBFT contract mode: the header lists none; the set comes from the caller
};

// A header whose seals and header rules hold.
struct VerifiedHeader {
  Hash32 block_hash;
  Hash32 committed_seal_hash;
  ExtraData extra;
  std::vector<Address> committers;  // recovered, in seal order, distinct
  Address proposer{};               // coinbase
};

// Verifies one header against the validator set that applies to it (Besu: the tally after its parent),
// without a parent link. `validators` must be strictly ascending (else ERR_INVALID_ARGUMENT).
// Check order: extraData decode; vanity; constant fields; validator list; coinbase; seals (steps 1–4).
// Errors: decode_extra's; ERR_BFT_EXTRA_DATA (vanity ≠ 32 bytes); ERR_CONSENSUS_FIELD (mixHash, nonce, ommers,
// difficulty); ERR_VALIDATOR_SET_MISMATCH (list unsorted or ≠ set; contract mode: list not empty);
// ERR_INVALID_VOTE (contract mode: a vote); ERR_NOT_VALIDATOR (coinbase, committer); ERR_SIG_INVALID;
// ERR_DUPLICATE_SEAL; ERR_INSUFFICIENT_QUORUM; ERR_INVALID_ARGUMENT (IBFT 2.0 in contract mode).
Result<VerifiedHeader> verify_header(Variant v, const Header& h, std::span<const Address> validators,
                                     ValidatorMode mode = ValidatorMode::HeaderList);

struct Config {
  Variant variant = Variant::Qbft;
  ValidatorMode validator_mode = ValidatorMode::HeaderList;
  std::uint64_t epoch_length = 30000;  // Besu "epochlength"; must be > 0
  std::uint64_t block_period_s = 1;    // a child's time ≥ parent time + this (TimestampMoreRecentThanParent)
  bool operator==(const Config&) const = default;
};

// The verified head of a BFT chain and the set that must seal its child, with the outstanding votes.
class BftState {
 public:
  // A state trusted as given: the head (number, block hash, time) and the validator set after it. Outstanding
  // votes cast before the anchor are unknown: anchor at an epoch block to be exact.
  // Errors: ERR_INVALID_ARGUMENT (empty set, duplicate, epoch 0, IBFT 2.0 in contract mode), ERR_ZERO_ROOT
  // (zero hash).
  static Result<BftState> trusted(const Config& config, std::uint64_t number, const Hash32& hash,
                                  std::uint64_t timestamp_s, std::vector<Address> validators);

  // Verifies `h` as the child of the head (parent link, time ≥ parent + block_period_s, verify_header against
  // validators()) and returns the state after it (tally updated). Errors: ERR_PREV_HASH_MISMATCH, ERR_ETH_HEADER
  // (number), ERR_TIMESTAMP_ORDER, verify_header's. This state is unchanged (const).
  Result<BftState> apply(const Header& h) const;

  const Config& config() const noexcept { return config_; }
  std::uint64_t number() const noexcept { return number_; }
  const Hash32& hash() const noexcept { return hash_; }
  std::uint64_t timestamp_s() const noexcept { return timestamp_s_; }
  const std::vector<Address>& validators() const noexcept { return validators_; }  // ascending
  // Outstanding votes: recipient → proposers voting to add / to remove it.
  const std::map<Address, std::set<Address>>& add_votes() const noexcept { return add_votes_; }
  const std::map<Address, std::set<Address>>& remove_votes() const noexcept { return remove_votes_; }

  bool operator==(const BftState&) const = default;

 private:
  void add_vote(const Address& proposer, const Vote& vote);

  Config config_;
  std::uint64_t number_ = 0;
  Hash32 hash_;
  std::uint64_t timestamp_s_ = 0;
  std::vector<Address> validators_;
  std::map<Address, std::set<Address>> add_votes_;
  std::map<Address, std::set<Address>> remove_votes_;
};

}  // namespace causeway::ethereum::bft
