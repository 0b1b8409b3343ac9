// The ChainMaker v2.x light client (TBFT consensus, permissioned-with-cert chains): trust anchor = a trusted
// block (height + hash) + the chain config in force (hash algorithm, consensus node ids per org, org trust roots)
// + optional pinned signing certificates. docs/chainmaker-light-client.md is the normative description; the rules
// follow ../shared/formats/consortium-chains.md A.2–A.4 and close the two gaps listed there.
//
// Verifier::verify(block, now_s) — check order (each failure returns its code, with `at`):
//   1. header.chain_id == trust.chain_id                                       ERR_ISLAND_MISMATCH  at header.chain_id
//   2. block_hash == H(header without block_hash, signature)                  ERR_HEADER_HASH_MISMATCH  at header
//   3. block_timestamp ≤ now_s + max_clock_drift_s                            ERR_TIME_TOO_NEW  at header.block_timestamp
//   4. proposer (header.proposer): a consensus org's member (ERR_NOT_VALIDATOR), certificate accepted (below),
//      signature over the 32-byte block hash                                  ERR_BAD_PROPOSER_SIGNATURE  at header.proposer
//   5. QC: additional_data["TBFTAddtionalDataKey"] present (ERR_QC_MISSING) and a tbft.VoteSet
//      (ERR_PROTOBUF_DECODE); set type PRECOMMIT (ERR_VOTE_TYPE) and height = block height (ERR_VOTE_HEIGHT)
//      at qc; then for every entry i, at qc.votes[i]:
//        type PRECOMMIT (ERR_VOTE_TYPE); height (ERR_VOTE_HEIGHT); round = set round and map key = voter
//        (ERR_INVALID_VOTE); voter a consensus node id of the config in force (ERR_NOT_VALIDATOR); voter not seen
//        before (ERR_DUPLICATE_VOTER); signer certificate accepted (below); the certificate's org = the voter's
//        org, and = the voter's pinned certificate when one is pinned (ERR_VOTER_CERT); certificate not used by
//        an earlier vote (ERR_DUPLICATE_VOTER); signature over proto(Vote without endorsement) (ERR_SIG_INVALID,
//        ERR_SIG_ENCODING). EVERY vote is checked, also votes for another hash (which are valid but not counted).
//      votes for this block hash ≥ ⌊2N/3⌋ + 1, N = distinct consensus node ids   ERR_INSUFFICIENT_QUORUM at qc
//      a non-empty maj23 must be this block hash                                   ERR_INVALID_VOTE at qc.maj23
// Certificate acceptance (member of org O, judged at the BLOCK's timestamp, never at now_s):
//   member_type CERT (PEM in member_info) or CERT_HASH (resolved among O's pinned certificates by H(DER));
//   others → ERR_UNSUPPORTED. O must be a consensus org (ERR_NOT_VALIDATOR). The certificate is one of O's pinned
//   signing certificates (then its own validity is checked: ERR_CERT_EXPIRED), or chains to O's trust roots
//   (ERR_UNKNOWN_CA, ERR_CERT_EXPIRED, ERR_CERT_INVALID); its subject OU must include "consensus" (ERR_CERT_ROLE).
//
// LightClient::update(block, now_s): heights strictly increase (a held height: same hash → ERR_CONFLICTS_FINALIZED
// unless equal, then AlreadyKnown; below the anchor → ERR_UNKNOWN_HEADER); height = latest + 1 → pre_block_hash =
// latest hash (ERR_PREV_HASH_MISMATCH) and timestamp ≥ latest's (ERR_TIMESTAMP_ORDER); any other height is a
// checkpoint verification against the set in force. In both cases pre_conf_height must equal the config height
// in force (ERR_VALIDATOR_SET_MISMATCH: a config change the client has not verified). Then Verifier::verify.
// A verified CONFIG block (block_type 1) whose txs[0] is a successful CHAIN_CONFIG transaction, included under
// tx_root (ERR_MERKLE_BRANCH), replaces the trust from the next height: hash type, consensus orgs and node ids,
// trust roots from the new ChainConfig; pinned certificates are kept for orgs and nodes still present.
//
// Out of scope, refused with ERR_UNSUPPORTED: consensus other than TBFT (MaxBFT, RAFT, SOLO, DPoS), auth types
// other than permissionedwithcert (public-key / DPoS "public" mode), SHA3_256 chains.
//
// Thread-safety: values without locks. A Verifier keeps a verified-certificate cache, so verify() is non-const;
// one writer per client (DESIGN.md rule 4).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "causeway/chainmaker/block.hpp"
#include "causeway/chainmaker/certs.hpp"
#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"

namespace causeway::chainmaker {

inline constexpr std::size_t kMaxValidators = 1024;
inline constexpr std::int64_t kDefaultMaxClockDriftS = 10;  // DESIGN.md §4: 10 s for BFT

// TBFT's quorum of N validator node ids: ⌊2N/3⌋ + 1 (consensus-tbft twoThirdsMajority).
constexpr std::size_t tbft_quorum(std::size_t n) noexcept { return 2 * n / 3 + 1; }

struct OrgTrust {
  std::string org_id;
  std::vector<std::string> node_ids;                      // ChainConfig.consensus.nodes[org].node_id
  std::vector<Bytes> ca_certs;                            // ChainConfig.trust_roots[org].root (PEM or DER)
  std::vector<Bytes> signing_certs;                       // pinned consensus signing certificates (PEM or DER)
  std::vector<std::pair<std::string, Bytes>> node_certs;  // node id → its pinned signing certificate
};

// The chain config in force, as the light client needs it.
struct ChainTrust {
  std::string chain_id;
  HashType hash = HashType::Sha256;
  std::string consensus = "TBFT";                 // ChainConfig.consensus.type name
  std::string auth_type = "permissionedwithcert";  // ChainConfig.auth_type (compared case-insensitively)
  std::uint64_t config_height = 0;                // height of the config block it comes from (0: genesis)
  std::vector<OrgTrust> orgs;
};

// A binary config.ChainConfig (a config block's txs[0].result.contract_result.result, or the genesis config)
// → ChainTrust with config_height. Errors: ERR_PROTOBUF_DECODE, ERR_UNSUPPORTED (hash, consensus, auth type).
Result<ChainTrust> trust_from_chain_config(ByteView chain_config_bytes, std::uint64_t config_height);

struct VerifiedBlock {
  Header header;
  Hash32 hash;
  std::size_t validators = 0;              // N
  std::size_t quorum = 0;                  // ⌊2N/3⌋ + 1
  std::vector<std::string> counted_voters; // node ids whose votes for this hash were counted, in QC order
  std::int32_t round = 0;
};

struct VerifierOptions {
  std::int64_t max_clock_drift_s = kDefaultMaxClockDriftS;
  bool cache_certificates = true;  // verified-certificate cache (production relays keep one; DESIGN.md §5)
};

class Verifier {
 public:
  // Checks the trust (fail closed): chain id set; TBFT / permissionedwithcert (ERR_UNSUPPORTED); 1..1024 node ids,
  // distinct across orgs, non-empty (ERR_INVALID_ARGUMENT); org ids distinct and non-empty; every certificate
  // parses (ERR_CERT_INVALID, at orgs[i]…); a node_certs entry names a node id of its org.
  static Result<Verifier> create(ChainTrust trust, VerifierOptions options = {});

  Result<VerifiedBlock> verify(const Block& block, std::int64_t now_s);

  const ChainTrust& trust() const noexcept { return trust_; }
  std::size_t validator_count() const noexcept { return node_org_.size(); }
  std::size_t cached_certificates() const noexcept { return cache_.size(); }

  struct OrgCerts {
    std::vector<Certificate> roots;
    std::vector<Certificate> pinned;
    std::map<std::string, Certificate> node_pinned;
  };
  struct CachedCert {
    Certificate cert;
    std::size_t org = 0;
    ChainValidity window;
  };

 private:
  Result<const CachedCert*> accept_member(const Member& m, std::int64_t at_s);
  Status verify_qc(const Block& block, const Hash32& hash, VerifiedBlock& out);

  ChainTrust trust_;
  VerifierOptions options_;
  std::vector<OrgCerts> org_certs_;                  // parallel to trust_.orgs
  std::map<std::string, std::size_t> org_index_;     // org id → index
  std::map<std::string, std::size_t> node_org_;      // node id → org index
  std::map<Bytes, CachedCert> cache_;                // key: org id ‖ 0 ‖ member_info
};

struct Anchor {
  std::uint64_t height = 0;
  Hash32 hash;             // the trusted block's hash (never all zero, A01)
  std::int64_t time_s = 0; // the trusted block's timestamp when known (0: unknown)
  ChainTrust trust;        // the config in force after the anchor block
};

enum class UpdateKind : std::uint8_t { Adjacent, Checkpoint, AlreadyKnown };

struct UpdateResult {
  UpdateKind kind = UpdateKind::Adjacent;
  VerifiedBlock block;
  bool config_applied = false;  // a CONFIG block changed the trust from the next height
};

class LightClient {
 public:
  static Result<LightClient> create(Anchor anchor, VerifierOptions options = {}, std::size_t max_retained = 256);
  Result<UpdateResult> update(const Block& block, std::int64_t now_s);

  std::uint64_t latest_height() const noexcept { return latest_height_; }
  const Hash32& latest_hash() const noexcept { return latest_hash_; }
  const ChainTrust& trust() const noexcept { return verifier_.trust(); }  // in force for the next block
  // A block verified by this client (retained), or nullptr.
  const VerifiedBlock* verified(std::uint64_t height) const;

 private:
  LightClient() = default;
  Result<ChainTrust> next_trust(const Block& block) const;

  Verifier verifier_;
  VerifierOptions options_;
  std::uint64_t latest_height_ = 0;
  Hash32 latest_hash_;
  std::int64_t latest_time_s_ = 0;
  std::size_t max_retained_ = 256;
  std::map<std::uint64_t, VerifiedBlock> retained_;
};

// The validator-set hash of a trust (what a `--trust` file pins for codec chainmaker/v2): SHA-256 over
//   "causeway/chainmaker-trust/v1" ‖ chain_id ‖ hash type name ‖ consensus ‖ lower-case auth type ‖ BE64 config_height
//   ‖ BE32 org count ‖ per org, ascending by org id: org_id ‖ node ids ascending ‖ SHA-256(DER) of the CA certificates
//   ascending ‖ of the pinned signing certificates ascending ‖ (node id, SHA-256(DER)) pairs ascending,
// every string and list prefixed by its BE32 length / count. PEM or DER input gives the same hash.
// Errors: certificate parse errors (ERR_CERT_INVALID, ERR_TOO_LARGE).
Result<Hash32> trust_hash(const ChainTrust& t);

// A transaction (decoded with the block's version) at `index` under a verified header: H(tx) folded through
// `path` to header.tx_root with header.tx_count leaves (verify_merkle_path).
// Errors: ERR_BAD_LENGTH (tx_root not 32 bytes), the errors of verify_merkle_path.
Status verify_tx_inclusion(HashType h, const Header& header, const Transaction& tx, std::uint64_t index,
                           std::span<const Hash32> path);

}  // namespace causeway::chainmaker
