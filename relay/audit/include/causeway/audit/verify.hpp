// Audit-log verification (`causeway audit verify`, docs/audit-log.md "How an auditor verifies"), over an
// abstract source so that the same checks run on a relay's database, an export file, and (once the gateway
// serves /v1/audit) a relay URL.
//
// Order of checks; the FIRST failure is reported with its code, Error::at and the leaf index / tree size:
//  1. signed tree heads, oldest first (at "sths[j]"): BIP-340 signature under its log_id (ERR_STH_SIGNATURE);
//     every log_id equal to the first one and to the pinned one if given, tree sizes and timestamps
//     non-decreasing, an empty tree's root = SHA-256("") (ERR_AUDIT_INCONSISTENT); the consistency proof from
//     the previous STH verifies (rfc6962::verify_consistency; ERR_CONSISTENCY_PROOF, ERR_ZERO_ROOT).
//  2. leaves in index order (at "leaves[i]"): contiguous indexes covered by the latest STH
//     (ERR_AUDIT_INCONSISTENT); exactly its own RFC 8785 form (ERR_NOT_CANONICAL_JSON, ERR_TOO_LARGE); a
//     valid event of its kind (ERR_AUDIT_EVENT); recorded leaf hash = SHA-256(0x00 ‖ data)
//     (ERR_AUDIT_LEAF_HASH); an entry with bundle_hash: the bundle is present and hashes to it
//     (ERR_AUDIT_BUNDLE_HASH), re-verifies through causeway::proofs::verify_bundle with the entry's time as
//     "now" and, as the relay does (A03), an anchor that is a consensus state recorded earlier in the same
//     log (island_registered / island_updated / client_recovered anchors, headers_accepted tips) — else the
//     bundle's own code (ERR_UNTRUSTED_ANCHOR, ERR_MERKLE_BRANCH, …) at "leaves[i].bundle…"; and it proves
//     the entry's island, header height and header hash (ERR_AUDIT_BUNDLE_MISMATCH).
//     When the leaves reach an STH's tree size, their RFC 6962 root must equal its root_hash
//     (ERR_AUDIT_ROOT_MISMATCH at "sths[j]", the leaf range named in the detail).
//  3. the leaves reach the latest STH's tree size (ERR_AUDIT_TRUNCATED at "leaves[n]").
// Source failures (I/O, malformed export) are returned as the Result's error, not as a verdict.
// Thread-safety: one verification per source at a time.
#pragma once

#include <cstdint>
#include <istream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "causeway/audit/log.hpp"
#include "causeway/audit/sth.hpp"
#include "causeway/core/error.hpp"

namespace causeway::audit {

class AuditSource {
 public:
  virtual ~AuditSource() = default;
  // Every signed tree head the log issued, oldest first.
  virtual Result<std::vector<SignedTreeHead>> tree_heads() = 0;
  // The consistency proof between the trees of size1 and size2 leaves, 0 < size1 <= size2.
  virtual Result<std::vector<Hash32>> consistency_proof(std::uint64_t size1, std::uint64_t size2) = 0;
  // Up to `max` leaves from `start`, in index order; empty when there are none left. Verification asks
  // for consecutive ranges only.
  virtual Result<std::vector<LeafRecord>> leaves(std::uint64_t start, std::size_t max) = 0;
  // The proof bundle with this SHA-256 referenced by leaf `leaf_index`, or nullopt when the source lacks it.
  virtual Result<std::optional<std::string>> bundle(const Hash32& hash, std::uint64_t leaf_index) = 0;
};

// A relay's own database (`audit verify --data-dir`).
class DatabaseSource final : public AuditSource {
 public:
  explicit DatabaseSource(AuditLog& log) noexcept : log_(&log) {}
  Result<std::vector<SignedTreeHead>> tree_heads() override { return log_->tree_heads(); }
  Result<std::vector<Hash32>> consistency_proof(std::uint64_t a, std::uint64_t b) override {
    return log_->consistency_proof(a, b);
  }
  Result<std::vector<LeafRecord>> leaves(std::uint64_t start, std::size_t max) override {
    return log_->leaves(start, max);
  }
  Result<std::optional<std::string>> bundle(const Hash32& hash, std::uint64_t) override { return log_->bundle(hash); }

 private:
  AuditLog* log_;
};

struct VerifyOptions {
  std::optional<secp256k1::XOnlyPublicKey> pinned_log_id;  // else the first STH's log_id is taken as given
  bool verify_bundles = true;                               // re-verify bundles through relay/proofs
  std::size_t batch = 4096;                                 // leaves per source request
};

struct VerifyReport {
  bool ok = false;
  std::optional<Error> error;                  // the first inconsistency
  std::optional<std::uint64_t> leaf_index;     // where it was found (a leaf) …
  std::optional<std::uint64_t> sth_tree_size;  // … or an STH (its tree size)
  std::uint64_t entries = 0;                   // leaves checked
  std::uint64_t tree_size = 0;                 // latest STH's tree size
  std::uint64_t sths_checked = 0;
  std::uint64_t bundles_verified = 0;
  std::string log_id;                          // 0x hex
  bool log_id_pinned = false;
};

// Runs every check above. Errors (not verdicts): failures of the source itself (ERR_IO, ERR_STORE_IO,
// ERR_AUDIT_EXPORT).
Result<VerifyReport> verify_log(AuditSource& source, const VerifyOptions& options = {});

}  // namespace causeway::audit
