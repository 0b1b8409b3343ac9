// The Ethereum-family light client of one island (DESIGN.md §2 "light client", §4 trust model): a trusted anchor
// header and validator/signer set, then headers verified one by one under the island's consensus mode
// (consensus.hpp): Clique (clique.hpp), QBFT / IBFT 2.0 (besu_bft.hpp) or rpc-trusted.
//
// Finality
//   qbft / ibft2   final on verification (a quorum of the trusted set sealed it); headers extend the finalized
//                  head one by one.
//   clique,        a header is final once it has min_confirmations on the best branch (confirmations = tip
//   rpc-trusted    height − its height + 1, PROOF-BUNDLE.md). Unfinalized headers form a tree; the best tip is
//                  the heaviest branch (Clique: total difficulty since the anchor, 2 in turn / 1 out of turn;
//                  rpc-trusted: the longest); a heavier branch reorganises the unfinalized headers; ties keep the
//                  current tip. Finalizing a header discards the branches that do not contain it.
// Misbehaviour (A14): two validly sealed, different headers at one height freeze the client. For qbft/ibft2:
//   a header conflicting with a finalized one whose seals are a valid quorum of the set that sealed the finalized
//   one (its parent need not be known: this is the light-client attack). For clique: a header that conflicts with
//   a finalized header and is valid on the finalized parent's state (Clique forks below the finality depth are
//   normal chain life and are handled by fork choice; the same signer on two branches is also normal in geth,
//   so it is not taken as proof). The result carries both headers as evidence; every later update returns
//   ERR_CLIENT_FROZEN. rpc-trusted has no seals: a conflict with a finalized header is ERR_CONFLICTS_FINALIZED.
// Time (DESIGN.md §4): a header more than max_clock_drift_s ahead of now_s → ERR_TIME_TOO_NEW; the client is
//   expired when finalized head time + trusting_period_s ≤ now_s, and then refuses updates (ERR_CLIENT_EXPIRED).
// Trust: every result says trust = rpc-trusted or consensus-verified (trust_label()); rpc-trusted is refused for
//   eip155:1, eip155:11155111 and eip155:17000 unless allow_rpc_trusted_public.
// Bounds: at most max_pending unfinalized headers (ERR_TOO_LARGE beyond), max_retained_finalized finalized
//   headers kept (older ones are forgotten: a conflict deeper than that is not detected), extraData ≤
//   max_extra_data. Each update does O(pending²) work at most (pruning) plus the consensus verification.
//
// Thread-safety: a Client is a plain value with no internal locking: const members may run concurrently;
// update() needs exclusive access (one writer per island, DESIGN.md rule 4).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"
#include "causeway/ethereum/besu_bft.hpp"
#include "causeway/ethereum/clique.hpp"
#include "causeway/ethereum/consensus.hpp"
#include "causeway/ethereum/header.hpp"

namespace causeway::ethereum {

struct ClientConfig {
  ConsensusMode mode = ConsensusMode::Qbft;
  std::string island;                       // CAIP-2 "eip155:<chainId>"
  bool allow_rpc_trusted_public = false;    // PROOF-BUNDLE.md "allow_rpc_trusted_public"
  std::uint64_t trusting_period_s = 0;      // must be > 0
  std::uint64_t max_clock_drift_s = 10;     // DESIGN.md §4 default for BFT
  std::uint64_t min_confirmations = 6;      // clique / rpc-trusted finality; ≥ 1 (1 = final when accepted)
  clique::Config clique;                    // epoch, period (clique mode)
  bft::Config bft;                          // epoch, block period, validator mode; variant is set from `mode`
  std::size_t max_pending = 256;            // ≥ 1
  std::size_t max_retained_finalized = 256; // ≥ 1
  std::size_t max_extra_data = kDefaultMaxExtraData;
};

// A verified header commitment: what proofs are checked against (DESIGN.md §2 "consensus states").
struct ConsensusState {
  std::uint64_t number = 0;
  Hash32 hash;  // the chain's block hash (for qbft/ibft2 the Besu on-chain rule)
  std::uint64_t timestamp_s = 0;
  Hash32 state_root;
  Hash32 transactions_root;
  Hash32 receipts_root;
  bool operator==(const ConsensusState&) const = default;
};

// Evidence of misbehaviour: `held` is the header the client had at that height, `conflicting` the new one.
struct Misbehaviour {
  Header held;
  Header conflicting;
};

enum class UpdateKind : std::uint8_t {
  Accepted,      // verified and stored
  AlreadyKnown,  // same block hash as a stored header: nothing changed
  Misbehaviour,  // conflicting header verified: the client is now frozen; `evidence` holds both headers
};

enum class ClientStatus : std::uint8_t { Active, Expired, Frozen };

struct UpdateResult {
  UpdateKind kind = UpdateKind::Accepted;
  Trust trust = Trust::ConsensusVerified;        // label with trust_label(); rpc-trusted is never "verified"
  ConsensusState header;                         // the submitted header
  bool finalized = false;                        // the submitted header is final after this update
  bool reorg = false;                            // the best tip moved to a branch not containing the old tip
  std::vector<ConsensusState> newly_finalized;   // oldest first
  std::optional<Misbehaviour> evidence;          // kind == Misbehaviour
};

class Client {
 public:
  // A client trusting `anchor` (final by definition) and, for clique/qbft/ibft2, `validators`: the signer /
  // validator set that must seal the anchor's child (PROOF-BUNDLE.md anchor "validators"); rpc-trusted takes none.
  // Fail-closed checks: trusting_period_s > 0, min_confirmations ≥ 1, bounds ≥ 1; island a canonical eip155 id;
  // rpc-trusted refused for public chains without the override; anchor stateRoot not zero (A01); a non-empty set
  // without duplicates; a Clique checkpoint anchor's signer list, and a Besu header-mode anchor's validator list
  // when the anchor carries no vote or is block 0, must equal the given set.
  // Errors: ERR_INVALID_ARGUMENT, ERR_RPC_TRUSTED_REFUSED, ERR_ZERO_ROOT, ERR_TOO_LARGE, ERR_VALIDATOR_SET_MISMATCH,
  // and the codecs' decode errors for the anchor's extraData.
  static Result<Client> create(ClientConfig config, const Header& anchor, std::vector<Address> validators);

  // Verifies one header at `now_s` (seconds since the Unix epoch: the caller's clock or verify_time_s).
  // Check order: frozen → expired → extraData bound → future drift → block hash → known → parent → consensus.
  // Errors: ERR_CLIENT_FROZEN, ERR_CLIENT_EXPIRED, ERR_TOO_LARGE, ERR_TIME_TOO_NEW, ERR_UNKNOWN_HEADER (parent not
  // held), ERR_CONFLICTS_FINALIZED (rpc-trusted), and the consensus verifier's codes (CliqueState::apply,
  // BftState::apply, check_parent_link). The client is unchanged on every error. A detected misbehaviour is not an
  // error: it returns kind == Misbehaviour with the evidence, and freezes the client.
  Result<UpdateResult> update(const Header& h, std::uint64_t now_s);

  // Frozen if misbehaviour was seen; else Expired if finalized head time + trusting period ≤ now_s; else Active.
  ClientStatus status(std::uint64_t now_s) const noexcept;
  Trust trust() const noexcept { return trust_of(config_.mode); }
  const ClientConfig& config() const noexcept { return config_; }

  ConsensusState finalized_head() const;
  ConsensusState best_tip() const;
  // The finalized header at `number` if it is still retained.
  std::optional<ConsensusState> finalized_at(std::uint64_t number) const;
  std::size_t pending_count() const noexcept { return pending_.size(); }
  const std::optional<Misbehaviour>& evidence() const noexcept { return evidence_; }
  // The set that must seal the finalized head's child (Clique signers, BFT validators; empty for rpc-trusted).
  std::vector<Address> validators() const;

 private:
  using ModeState = std::variant<std::monostate, clique::CliqueState, bft::BftState>;
  struct Node {
    Header header;
    ConsensusState cs;
    ModeState post;                     // consensus state after this header
    std::uint64_t weight = 0;           // clique: total difficulty since the anchor; rpc-trusted: number
    std::vector<Address> sealing_set;   // BFT: the set that had to seal this header
  };

  Client() = default;
  Result<Hash32> hash_of(const Header& h) const;
  Result<Node> extend(const Node& parent, const Header& h, const Hash32& hash) const;
  const Node* find(const Hash32& hash) const;
  const Node* finalized_node_at(std::uint64_t number) const;
  UpdateResult freeze(const Node& held, const Header& conflicting, const ConsensusState& cs);
  void finalize_along_best_branch(UpdateResult& out);
  const Node& tip_node() const;

  ClientConfig config_;
  std::deque<Node> finalized_;          // ascending heights, contiguous; back() is the finalized head
  std::map<Hash32, Node> pending_;      // unfinalized headers (clique / rpc-trusted)
  Hash32 tip_;                          // best tip: a pending header or the finalized head
  bool frozen_ = false;
  std::optional<Misbehaviour> evidence_;
};

}  // namespace causeway::ethereum
