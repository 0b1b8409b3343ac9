// The relay core's tables (issue #5 "relay/store"; docs/relay-core.md "Store schema") and the checks a relay
// database passes before the relay uses it.
//
// Migration 3 ("relay core") adds, beside the header store (1) and the audit log (2):
//   islands            one row per registered island: id, genesis, family, codec, the signed registration
//                      record (JSON, replayed through relay/domain at start), governance nonce, client status
//   client_states      per island: family, codec, trusting period, status (active | frozen | expired)
//   consensus_states   verified header commitments a bundle may anchor at (A03): island, height, hash,
//                      validator-set hash (bft), time_ms, the audit index that recorded it, family extra (JSON)
//   channels           one row per channel end: the signed open records (JSON) and the end's counters
//   packets            identity UNIQUE(source_island, source_genesis, source_channel, sequence), commitment,
//                      destination, packet bytes, stage, proving header, audit indexes
//   attestations       this relay's (and later other members') signatures: (packet, member) unique
//   transfers          ICS-20 payload facts of transfer packets (denom, amount, direction)
//   outbox             one delivery job per attested packet (UNIQUE packet): state pending | submitted |
//                      delivered | failed, attempts, next attempt time, last error
//   deliveries         a delivery the relay observed on the destination: PRIMARY KEY packet, so at most one
// Append-only like every migration: released DDL never changes.
//
// Thread-safety: functions take a Database and follow its rules (one thread per connection).
#pragma once

#include <string>

#include "causeway/core/error.hpp"
#include "causeway/store/sqlite.hpp"

namespace causeway::store {

// CREATE TABLE text of migration 3 (relay_migrations()).
std::string relay_core_ddl();

// PRAGMA integrity_check: ok, or ERR_STORE_INTEGRITY with the first problems SQLite lists. Errors: ERR_STORE_IO.
Status check_integrity(Database& db);

// Opens the relay database at `path` for the relay's one writer: Database::open (safe settings, authorizer),
// then refuses anything unsafe it reads back (journal_mode must be wal, synchronous FULL or EXTRA unless
// options.synchronous is Normal, foreign_keys on) with ERR_STORE_UNSAFE, runs PRAGMA integrity_check
// (ERR_STORE_INTEGRITY) and applies relay_migrations() (ERR_STORE_MIGRATION). Errors: those, ERR_STORE_IO.
// Also sets temp_store=MEMORY: the group committer's per-change savepoint journals stay in memory instead of
// a temp file (two pwrite() per journaled page); durability (WAL, synchronous) is unchanged. Temporary sorts
// and indexes of this connection (large ORDER BY, a migration's CREATE INDEX) then use RAM too.
Result<Database> open_relay_database(const std::string& path, const OpenOptions& options = {});

}  // namespace causeway::store
