// The FISCO BCOS light client of one island: a trusted block (number, hash) with the sealer set in force after it,
// advanced by blocks checked against the set it trusts (docs/fisco-light-client.md).
//
// update(block, now_ms) — check order; each failure returns its code and leaves the client unchanged:
//   1. header encoding and hash: the fields hash (header.hpp) to the block's stated hash
//        → ERR_HEADER_ENCODING, ERR_UNSUPPORTED (v3 < 3.0.0), ERR_HEADER_HASH_MISMATCH; all-zero stated hash → ERR_ZERO_ROOT
//   2. number ≤ the latest trusted number: the same (number, hash) as a held block → UpdateKind::AlreadyKnown;
//      anything else → ERR_CONFLICTS_FINALIZED (PBFT blocks are final; a second block at a height is never taken)
//   3. timestamp_ms > now_ms + max_clock_drift_ms → ERR_TIME_TOO_NEW
//   4. number == latest + 1 (sequential): v2 parentHash == latest hash; v3 parentInfo is exactly one entry
//      {latest number, latest hash} → ERR_PREV_HASH_MISMATCH. number > latest + 1: checkpoint verification
//      against the trusted set (no link; the header's own set must still be the trusted one or be signed in, 7).
//   5. the header's sealer set: sealerList (v2: weight 1 each; v3: consensusWeights, one per sealer, else
//      ERR_VALIDATOR_SET_MISMATCH) built by SealerSet::create (its errors, at "sealerList[i]"); the proposer
//      index `sealer` inside it → ERR_NOT_VALIDATOR
//   6. signatures (signatures.hpp): every entry verified against the header's set; quorum of the header's own set
//      over distinct indices → ERR_NOT_VALIDATOR, ERR_BAD_LENGTH, ERR_SIG_ENCODING, ERR_SIG_INVALID,
//      ERR_UNSUPPORTED, ERR_DUPLICATE_SEAL, ERR_INSUFFICIENT_QUORUM
//   7. sealer-set change (the header's set differs from the trusted one in members, order or weights): the
//      signers, matched by node id in the TRUSTED set, must carry the trusted set's quorum of its weight
//      → ERR_INSUFFICIENT_QUORUM. The header's sealerList is never a trust anchor by itself (A15).
//   8. accepted: becomes the latest; the header's set becomes the trusted set; the block is retained.
// The client is created with an explicit consensus type: rPBFT → ERR_UNSUPPORTED (its epoch rules are unknown).
// There is no trusting period: FISCO sealers have no unbonding, so trust rests on the set, not on time; the
// operator's anchor is the root of trust (docs/fisco-light-client.md "Not done").
// Thread-safety: a plain value without locks; const members may run concurrently; update() needs exclusive access.
#pragma once

#include <cstdint>
#include <map>
#include <optional>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"
#include "causeway/fisco/header.hpp"
#include "causeway/fisco/sealers.hpp"
#include "causeway/fisco/signatures.hpp"

namespace causeway::fisco {

inline constexpr std::uint64_t kDefaultMaxClockDriftMs = 10'000;  // DESIGN.md §4: 10 s for BFT

// A verified block's commitments (a "consensus state", DESIGN.md §2).
struct ConsensusState {
  std::uint64_t number = 0;
  Hash32 hash;
  std::uint64_t timestamp_ms = 0;  // 0 for the anchor (its header is not given)
  Hash32 transactions_root;        // v2 transactionsRoot / v3 txsRoot; zero for the anchor
  Hash32 receipts_root;
  Hash32 state_root;
  bool operator==(const ConsensusState&) const = default;
};

struct ClientConfig {
  Version version = Version::V2;
  HashAlgorithm hash_algorithm = HashAlgorithm::Keccak256;
  Consensus consensus = Consensus::Pbft;
  std::uint64_t max_clock_drift_ms = kDefaultMaxClockDriftMs;
  std::size_t max_retained = 256;  // ≥ 1
};

enum class UpdateKind : std::uint8_t { Accepted, AlreadyKnown };
enum class Verification : std::uint8_t { None, Sequential, Checkpoint };

struct UpdateResult {
  UpdateKind kind = UpdateKind::Accepted;
  Verification verification = Verification::None;
  ConsensusState state;
  Tally tally;                       // of the header's own set
  bool sealer_set_changed = false;
  std::uint64_t trusted_signed_weight = 0;  // on a change: signers' weight in the previously trusted set
};

class LightClient {
 public:
  // Trusts (anchor_number, anchor_hash) and `sealers` (the set that signs anchor_number + 1) as given.
  // Errors: ERR_INVALID_ARGUMENT (max_retained 0; the set's version or algorithm differs from the config),
  // ERR_UNSUPPORTED (rPBFT), ERR_ZERO_ROOT (all-zero anchor hash, A01).
  static Result<LightClient> create(ClientConfig config, std::uint64_t anchor_number, const Hash32& anchor_hash,
                                    SealerSet sealers);

  // See the file comment. A v2 block to a v3 client (or the reverse) → ERR_INVALID_ARGUMENT.
  Result<UpdateResult> update(const BlockV2& block, std::uint64_t now_ms);
  Result<UpdateResult> update(const BlockV3& block, std::uint64_t now_ms);

  const ClientConfig& config() const noexcept { return config_; }
  const ConsensusState& latest() const { return retained_.rbegin()->second; }
  const ConsensusState& anchor() const noexcept { return anchor_; }
  const SealerSet& trusted_sealers() const noexcept { return sealers_; }
  // A retained verified block (the anchor included) by number.
  std::optional<ConsensusState> consensus_state(std::uint64_t number) const;

 private:
  struct Candidate {
    ConsensusState state;
    Hash32 parent_hash;                    // v2 only
    std::optional<ParentInfo> v3_parent;   // v3: the single parent, if exactly one
    std::size_t v3_parent_count = 0;
    const std::vector<NodeId>* sealer_list = nullptr;
    std::vector<std::uint64_t> weights;
    std::uint64_t proposer = 0;
    const std::vector<SealerSignature>* signatures = nullptr;
  };
  Result<UpdateResult> apply(const Candidate& c, std::uint64_t now_ms);

  LightClient() = default;
  ClientConfig config_;
  ConsensusState anchor_;
  SealerSet sealers_;
  std::map<std::uint64_t, ConsensusState> retained_;  // never empty
};

}  // namespace causeway::fisco
