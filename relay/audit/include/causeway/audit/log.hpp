// The relay's transparency log (docs/audit-log.md): an append-only RFC 6962 Merkle log of every accepted
// event, stored in the relay's SQLite database (relay_migrations() version 2, store::audit_log_ddl()).
//
// Storage: audit_leaves(idx, kind, time_ms, data = JCS bytes, leaf_hash, bundle_hash), audit_nodes(level,
// idx, hash) = MTH of every complete, aligned subtree D[idx·2^level : (idx+1)·2^level] (level ≥ 1), written
// as soon as the subtree is complete, audit_bundles(hash, bundle) and audit_sths. An append writes one leaf
// and on average one node (amortized O(1), at most log2(n) nodes); root(size), inclusion and consistency
// proofs read O(log² n) stored hashes — never the whole log. Hashing is causeway::merkle::rfc6962
// (leaf_hash, node_hash); proofs are RFC 6962 §2.1.1 PATH and §2.1.2 PROOF over the stored subtrees and
// verify with rfc6962::verify_inclusion / verify_consistency.
//
// Transactions (DESIGN.md rule 4): append() runs inside the CALLER's transaction, so the state change, the
// audit entry and the outbox entry commit or roll back together. Nothing is cached in memory between calls,
// so a rolled-back append leaves no trace. sign_tree_head() takes its own transaction.
//
// Thread-safety: as store::Database — one thread at a time per connection; an AuditLog must not outlive
// its Database. It caches prepared statements, so keep one per connection.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "causeway/audit/events.hpp"
#include "causeway/audit/sth.hpp"
#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"
#include "causeway/store/sqlite.hpp"

namespace causeway::audit {

// One stored entry.
struct LeafRecord {
  std::uint64_t index = 0;
  std::string data;                    // the JCS text (leaf data)
  Hash32 leaf_hash;                    // SHA-256(0x00 ‖ data), as recorded at append time
  std::optional<Hash32> bundle_hash;   // when the entry references a proof bundle
};

class AuditLog {
 public:
  // Applies relay_migrations() (no-op when current) and prepares statements. Errors: those of
  // store::migrate(), ERR_STORE_IO.
  static Result<AuditLog> open(store::Database& db);
  // For a READ-ONLY connection beside the relay's writer (store::OpenOptions::read_only; the gateway's
  // /v1/audit routes): applies no migration, only checks that the schema is the current one, and prepares
  // the statements. append() and sign_tree_head() then fail with ERR_STORE_IO. Errors: ERR_STORE_MIGRATION
  // (another schema version), ERR_STORE_IO.
  static Result<AuditLog> open_read_only(store::Database& db);
  AuditLog(AuditLog&&) noexcept;
  AuditLog& operator=(AuditLog&&) noexcept;
  ~AuditLog();

  // Appends `event` inside the caller's open transaction `tx` on this log's Database and returns its leaf
  // index (0-based). Stores the bundle (if any) under its SHA-256 (idempotent). Errors:
  // ERR_INVALID_ARGUMENT (no transaction is open on the connection), ERR_STORE_IO. On error the caller
  // rolls back its transaction.
  Result<std::uint64_t> append(store::Transaction& tx, const Event& event);

  // Number of leaves (committed, or including the caller's uncommitted appends on this connection).
  Result<std::uint64_t> size();
  // MTH of the first `tree_size` leaves (tree_size 0 = SHA-256 of ""). Errors: ERR_MERKLE_INDEX
  // (tree_size > size()), ERR_STORE_IO.
  Result<Hash32> root(std::uint64_t tree_size);
  // Inclusion proof of leaf `index` in the tree of `tree_size` leaves (bottom-up). Errors: ERR_MERKLE_INDEX
  // (index >= tree_size or tree_size > size()), ERR_STORE_IO.
  Result<std::vector<Hash32>> inclusion_proof(std::uint64_t index, std::uint64_t tree_size);
  // Consistency proof between the trees of size1 and size2 leaves (empty when equal). Errors:
  // ERR_MERKLE_INDEX (unless 0 < size1 <= size2 <= size()), ERR_STORE_IO.
  Result<std::vector<Hash32>> consistency_proof(std::uint64_t size1, std::uint64_t size2);

  // Leaves [start, start + max) that exist, in index order. Errors: ERR_STORE_IO.
  Result<std::vector<LeafRecord>> leaves(std::uint64_t start, std::size_t max);
  // A stored bundle's text by its SHA-256, or nullopt. Errors: ERR_STORE_IO.
  Result<std::optional<std::string>> bundle(const Hash32& bundle_hash);

  // Signs and stores a tree head over the current log with `key`, in its own transaction (none may be
  // open). Its timestamp is max(now_ms, the latest STH's timestamp), so timestamps never go backwards.
  // Errors: ERR_INVALID_ARGUMENT (a transaction is open), ERR_AUDIT_INCONSISTENT (the key is not the key of
  // the earlier STHs), ERR_CRYPTO_INTERNAL, ERR_STORE_IO.
  Result<SignedTreeHead> sign_tree_head(const AuditKey& key, std::uint64_t now_ms);
  // Every stored STH, oldest first. Errors: ERR_STORE_IO.
  Result<std::vector<SignedTreeHead>> tree_heads();

 private:
  struct Impl;
  explicit AuditLog(std::unique_ptr<Impl> impl) noexcept;
  static Result<AuditLog> prepare(store::Database& db);  // the statements of open() / open_read_only()
  std::unique_ptr<Impl> impl_;
};

}  // namespace causeway::audit
