// Schema migrations: see causeway/store/migrations.hpp for the contract.
#include "causeway/store/migrations.hpp"
#include "causeway/store/relay_schema.hpp"

#include <charconv>
#include <cstddef>
#include <string>
#include <vector>

namespace causeway::store {

namespace {

Error migration_error(Error e, std::string at) {
  e.code = Code::StoreMigration;
  e.at = std::move(at);
  return e;
}

// Checks that user_version and the schema_version table tell the same story.
Status check_consistent(Database& db, int version) {
  auto st = db.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version'");
  if (!st) return tl::unexpected<Error>(std::move(st.error()));
  if (auto r = st->step(); !r) return tl::unexpected<Error>(std::move(r.error()));
  const bool has_table = st->column_int64(0) == 1;
  if (!has_table) {
    if (version == 0) return {};
    return fail(Code::StoreMigration, "user_version is " + std::to_string(version) + " but schema_version is missing");
  }
  auto rows = db.prepare("SELECT count(*), coalesce(max(version), 0), coalesce(min(version), 1) FROM schema_version");
  if (!rows) return tl::unexpected<Error>(std::move(rows.error()));
  if (auto r = rows->step(); !r) return tl::unexpected<Error>(std::move(r.error()));
  if (rows->column_int64(0) != version || rows->column_int64(1) != version || rows->column_int64(2) != 1) {
    return fail(Code::StoreMigration, "schema_version rows disagree with user_version " + std::to_string(version));
  }
  return {};
}

}  // namespace

Result<int> schema_version(Database& db) {
  auto v = db.pragma("user_version");
  if (!v) return tl::unexpected<Error>(std::move(v.error()));
  int out = 0;
  const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || end != v->data() + v->size()) return fail(Code::StoreIo, "unreadable user_version: " + *v);
  return out;
}

Status migrate(Database& db, std::span<const Migration> migrations) {
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1) {
      return fail(Code::StoreMigration, "migrations are not numbered 1..N", "migrations[" + std::to_string(i) + "]");
    }
  }
  const int target = static_cast<int>(migrations.size());
  for (;;) {
    auto tx = Transaction::begin(db);
    if (!tx) return tl::unexpected<Error>(std::move(tx.error()));
    // Re-read inside the write transaction: another process may have migrated meanwhile.
    auto current = schema_version(db);
    if (!current) return tl::unexpected<Error>(std::move(current.error()));
    if (*current > target) {
      return fail(Code::StoreMigration, "database schema version " + std::to_string(*current) +
                                            " is newer than this code's " + std::to_string(target));
    }
    if (auto s = check_consistent(db, *current); !s) return s;
    if (*current == target) return tx->rollback();  // nothing to do (read-only transaction)

    const Migration& m = migrations[static_cast<std::size_t>(*current)];
    const std::string at = "migration " + std::to_string(m.version) + " (" + m.name + ")";
    if (auto s = db.exec("CREATE TABLE IF NOT EXISTS schema_version("
                         "version INTEGER PRIMARY KEY, name TEXT NOT NULL)");
        !s) {
      return tl::unexpected<Error>(migration_error(std::move(s.error()), at));
    }
    if (auto s = db.exec(m.sql); !s) return tl::unexpected<Error>(migration_error(std::move(s.error()), at));
    auto ins = db.prepare("INSERT INTO schema_version(version, name) VALUES(?1, ?2)");
    if (!ins) return tl::unexpected<Error>(migration_error(std::move(ins.error()), at));
    if (auto s = ins->bind_int64(1, m.version); !s) return tl::unexpected<Error>(migration_error(std::move(s.error()), at));
    if (auto s = ins->bind_text(2, m.name); !s) return tl::unexpected<Error>(migration_error(std::move(s.error()), at));
    if (auto s = ins->run(); !s) return tl::unexpected<Error>(migration_error(std::move(s.error()), at));
    if (auto s = db.exec("PRAGMA user_version = " + std::to_string(m.version)); !s) {
      return tl::unexpected<Error>(migration_error(std::move(s.error()), at));
    }
    if (auto s = tx->commit(); !s) return tl::unexpected<Error>(migration_error(std::move(s.error()), at));
  }
}

std::string header_table_ddl(std::string_view table) {
  const std::string t(table);
  return "CREATE TABLE IF NOT EXISTS " + t +
         "(\n"
         "  island TEXT NOT NULL CHECK(length(island) > 0),\n"
         "  height INTEGER NOT NULL CHECK(height >= 0),\n"
         "  hash BLOB NOT NULL CHECK(length(hash) = 32),\n"
         "  parent BLOB NOT NULL CHECK(length(parent) = 32),\n"
         "  raw BLOB NOT NULL,\n"
         "  chainwork BLOB NOT NULL CHECK(length(chainwork) = 32),\n"
         "  PRIMARY KEY(island, hash)\n"
         ");\n"
         "CREATE INDEX IF NOT EXISTS " + t + "_by_height ON " + t + "(island, height);\n";
}

std::string audit_log_ddl() {
  // relay/audit (docs/audit-log.md): leaves, complete RFC 6962 subtree hashes (level >= 1; level 0 is
  // audit_leaves.leaf_hash), proof bundles by SHA-256, signed tree heads. Append-only: triggers refuse
  // UPDATE and DELETE (a rolled-back transaction still leaves nothing).
  std::string sql =
      "CREATE TABLE audit_leaves(\n"
      "  idx INTEGER PRIMARY KEY CHECK(idx >= 0),\n"
      "  kind TEXT NOT NULL CHECK(length(kind) > 0),\n"
      "  time_ms INTEGER NOT NULL CHECK(time_ms >= 0),\n"
      "  data BLOB NOT NULL,\n"
      "  leaf_hash BLOB NOT NULL CHECK(length(leaf_hash) = 32),\n"
      "  bundle_hash BLOB CHECK(bundle_hash IS NULL OR length(bundle_hash) = 32)\n"
      ");\n"
      "CREATE TABLE audit_nodes(\n"
      "  level INTEGER NOT NULL CHECK(level >= 1),\n"
      "  idx INTEGER NOT NULL CHECK(idx >= 0),\n"
      "  hash BLOB NOT NULL CHECK(length(hash) = 32),\n"
      "  PRIMARY KEY(level, idx)\n"
      ") WITHOUT ROWID;\n"
      "CREATE TABLE audit_bundles(\n"
      "  hash BLOB PRIMARY KEY CHECK(length(hash) = 32),\n"
      "  bundle TEXT NOT NULL\n"
      ") WITHOUT ROWID;\n"
      "CREATE TABLE audit_sths(\n"
      "  seq INTEGER PRIMARY KEY,\n"
      "  tree_size INTEGER NOT NULL CHECK(tree_size >= 0),\n"
      "  timestamp_ms INTEGER NOT NULL CHECK(timestamp_ms >= 0),\n"
      "  root_hash BLOB NOT NULL CHECK(length(root_hash) = 32),\n"
      "  log_id BLOB NOT NULL CHECK(length(log_id) = 32),\n"
      "  signature BLOB NOT NULL CHECK(length(signature) = 64)\n"
      ");\n";
  for (const char* t : {"audit_leaves", "audit_nodes", "audit_bundles", "audit_sths"}) {
    for (const char* op : {"UPDATE", "DELETE"}) {
      sql += std::string("CREATE TRIGGER ") + t + "_no_" + (op[0] == 'U' ? "update" : "delete") + " BEFORE " + op +
             " ON " + t + " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;\n";
    }
  }
  return sql;
}

std::span<const Migration> relay_migrations() {
  static const std::vector<Migration> kMigrations = {
      {1, "header store",
       header_table_ddl("headers") +
           "CREATE TABLE chain_tips(\n"
           "  island TEXT PRIMARY KEY CHECK(length(island) > 0),\n"
           "  anchor_height INTEGER NOT NULL CHECK(anchor_height >= 0),\n"
           "  anchor_hash BLOB NOT NULL CHECK(length(anchor_hash) = 32),\n"
           "  anchor_raw BLOB NOT NULL,\n"
           "  metadata TEXT NOT NULL DEFAULT '{}',\n"
           "  tip_hash BLOB CHECK(tip_hash IS NULL OR length(tip_hash) = 32)\n"
           ");\n"},
      {2, "audit log", audit_log_ddl()},
      {3, "relay core", relay_core_ddl()},  // relay_schema.cpp
      // 4: the packet lifecycle (docs/relay-core.md "Source watching" … "The ledger"): per-island scan
      // progress (A23), the return path to the source (acks and timeouts with this relay's attestation), and
      // the per-channel ICS-20 ledger balances mirrored from relay/domain.
      {4, "packet lifecycle",
       "CREATE TABLE scan_progress(\n"
       "  island TEXT PRIMARY KEY REFERENCES islands(id),\n"
       "  height INTEGER NOT NULL CHECK(height >= 0),\n"
       "  updated_ms INTEGER NOT NULL\n"
       ");\n"
       "CREATE TABLE returns(\n"
       "  packet INTEGER PRIMARY KEY REFERENCES packets(id),\n"
       "  kind TEXT NOT NULL CHECK(kind IN ('ack', 'timeout')),\n"
       "  source_island TEXT NOT NULL,\n"
       "  ack_bytes BLOB,\n"
       "  dest_height INTEGER NOT NULL CHECK(dest_height >= 0),\n"
       "  dest_hash BLOB NOT NULL CHECK(length(dest_hash) = 32),\n"
       "  dest_time INTEGER NOT NULL CHECK(dest_time >= 0),\n"
       "  proof_kind TEXT NOT NULL DEFAULT '',\n"
       "  scan_from INTEGER NOT NULL DEFAULT 0,\n"
       "  audit_index INTEGER NOT NULL CHECK(audit_index >= 0),\n"
       "  signature BLOB NOT NULL CHECK(length(signature) = 65),\n"
       "  state TEXT NOT NULL CHECK(state IN ('pending', 'submitted', 'done')),\n"
       "  attempts INTEGER NOT NULL DEFAULT 0 CHECK(attempts >= 0),\n"
       "  next_attempt_ms INTEGER NOT NULL DEFAULT 0,\n"
       "  last_error TEXT NOT NULL DEFAULT '',\n"
       "  submitted_tx BLOB,\n"
       "  refunded INTEGER NOT NULL DEFAULT 0 CHECK(refunded IN (0, 1)),\n"
       "  time_ms INTEGER NOT NULL\n"
       ");\n"
       "CREATE INDEX returns_due ON returns(source_island, state, packet);\n"
       "CREATE TABLE ledger(\n"
       "  island TEXT NOT NULL,\n"
       "  channel TEXT NOT NULL,\n"
       "  denom TEXT NOT NULL,\n"
       "  escrowed BLOB NOT NULL CHECK(length(escrowed) = 32),\n"
       "  outstanding BLOB NOT NULL CHECK(length(outstanding) = 32),\n"
       "  in_flight_out BLOB NOT NULL CHECK(length(in_flight_out) = 32),\n"
       "  in_flight_home BLOB NOT NULL CHECK(length(in_flight_home) = 32),\n"
       "  PRIMARY KEY(island, channel, denom)\n"
       ");\n"},
      // 5: committee peers' signatures over an ack or timeout this relay relays back to the source (k > 1):
      // the source endpoint needs k distinct members' ack/timeout attestations (PACKET.md "Acknowledgements
      // and timeouts"), each over the member's own ack_verified / timeout_verified audit index.
      {5, "return attestations",
       "CREATE TABLE return_attestations(\n"
       "  packet INTEGER NOT NULL REFERENCES returns(packet),\n"
       "  member BLOB NOT NULL CHECK(length(member) = 20),\n"
       "  audit_index INTEGER NOT NULL CHECK(audit_index >= 0),\n"
       "  signature BLOB NOT NULL CHECK(length(signature) = 65),\n"
       "  PRIMARY KEY(packet, member)\n"
       ");\n"},
      // 6: escrow-invariant halts of channels (A05; docs/relay-core.md "A05"): a halt is kept in memory by
      // relay/domain, persisted here with its invariant_alert audit index and replayed at start; an operator
      // resume sets resumed_ms and its operator_action audit index. One row per halt, named by the channel end
      // whose ledger broke (both ends are halted). Ordered-channel closes by timeout need no table: the
      // timeout's `returns` row replays them.
      {6, "channel halts",
       "CREATE TABLE channel_halts(\n"
       "  id INTEGER PRIMARY KEY,\n"
       "  island TEXT NOT NULL,\n"
       "  channel TEXT NOT NULL,\n"
       "  reason TEXT NOT NULL,\n"
       "  halted_ms INTEGER NOT NULL CHECK(halted_ms >= 0),\n"
       "  audit_index INTEGER NOT NULL CHECK(audit_index >= 0),\n"
       "  resumed_ms INTEGER CHECK(resumed_ms IS NULL OR resumed_ms >= 0),\n"
       "  resume_index INTEGER CHECK(resume_index IS NULL OR resume_index >= 0),\n"
       "  resumed_by TEXT\n"
       ");\n"
       "CREATE INDEX channel_halts_open ON channel_halts(island, channel) WHERE resumed_ms IS NULL;\n"},
      // 7: resubmission by rounds since OUR last submit (docs/relay-core.md "Delivery"): submit_attempts is the
      // attempts count right after the last submission was recorded, so attempts − submit_attempts is the number
      // of rounds that passed without inclusion since that submit (every round records one attempt). Rows
      // already submitted start counting at the migration.
      {7, "rounds since submit, deferred sends",
       "ALTER TABLE outbox ADD COLUMN submit_attempts INTEGER NOT NULL DEFAULT 0 CHECK(submit_attempts >= 0);\n"
       "ALTER TABLE returns ADD COLUMN submit_attempts INTEGER NOT NULL DEFAULT 0 CHECK(submit_attempts >= 0);\n"
       "UPDATE outbox SET submit_attempts = attempts WHERE submitted_tx IS NOT NULL;\n"
       "UPDATE returns SET submit_attempts = attempts WHERE submitted_tx IS NOT NULL;\n"
       // Source packets the scan moved past while their intake waits (a voucher burn waiting for the acks that
       // minted its vouchers): written with the scan height that passes them, retried every pass (A23).
       "CREATE TABLE deferred_sends(\n"
       "  island TEXT NOT NULL REFERENCES islands(id),\n"
       "  commitment BLOB NOT NULL CHECK(length(commitment) = 32),\n"
       "  height INTEGER NOT NULL CHECK(height >= 0),\n"
       "  since_ms INTEGER NOT NULL CHECK(since_ms >= 0),\n"
       "  PRIMARY KEY(island, commitment)\n"
       ");\n"},
      // 8: what the relay knows beside each Bitcoin consensus state beyond the registered anchor (docs/relay-core.md
      // "Bitcoin islands"): ancestors' timestamps, the period start time and the work since the anchor, as
      // relay/proofs parse_bitcoin_context's JSON. The next header document from that state is judged with it,
      // never with the pusher's values (A13).
      {8, "bitcoin contexts",
       "CREATE TABLE bitcoin_contexts(\n"
       "  island TEXT NOT NULL REFERENCES islands(id),\n"
       "  height INTEGER NOT NULL CHECK(height >= 0),\n"
       "  hash BLOB NOT NULL CHECK(length(hash) = 32),\n"
       "  context TEXT NOT NULL,\n"
       "  PRIMARY KEY(island, height, hash)\n"
       ");\n"},
      // 9: the governance journal (docs/relay-core.md "Governance journal"): island updates, client recovers and
      // channel closes, each a governance-signed record that changes the registry (keys, nonce, anchor, channel
      // state). Start-up replays them with the registrations (islands) and channel opens (channels) in ONE order,
      // that of their audit entries (audit_index), interleaved with the packets, so every record is re-verified
      // against the keys and nonce in force at its place. `island` is the record's subject (a close: end a's
      // island); `prior_status` is the client status a recover lifted (frozen | expired), re-applied before it
      // at replay; `audit_index` is the record's (first) audit entry. `islands.nonce` is written by every change
      // that advances an island's governance nonce from now on; before, channel opens did not store it: it is set
      // here from what was applied — the registration (1) plus one per channel end of the island (no update,
      // recover or close existed before this migration).
      {9, "governance journal",
       "CREATE TABLE governance_journal(\n"
       "  seq INTEGER PRIMARY KEY,\n"
       "  action TEXT NOT NULL CHECK(action IN ('island.update', 'client.recover', 'channel.close')),\n"
       "  island TEXT NOT NULL REFERENCES islands(id),\n"
       "  nonce INTEGER NOT NULL CHECK(nonce >= 2),\n"
       "  record TEXT NOT NULL,\n"
       "  prior_status TEXT CHECK(prior_status IS NULL OR prior_status IN ('frozen', 'expired')),\n"
       "  audit_index INTEGER NOT NULL UNIQUE CHECK(audit_index >= 0),\n"
       "  time_ms INTEGER NOT NULL CHECK(time_ms >= 0)\n"
       ");\n"
       "UPDATE islands SET nonce = 1 + (SELECT count(*) FROM channels WHERE channels.island = islands.id);\n"},
      // 10: packets_by_commitment is dropped: no query reads packets by commitment (a packet is found by its
      // identity, the UNIQUE key), and an index keyed by a keccak hash puts every intake's insert on a random
      // B-tree page — one more dirty page per packet in the WAL and the checkpoint (docs/benchmarks.md).
      {10, "drop packets_by_commitment", "DROP INDEX IF EXISTS packets_by_commitment;\n"},
      // 11: proof bundles are stored in append order. audit_bundles was a WITHOUT ROWID table keyed by the
      // bundle's SHA-256: every intake wrote a ≈ 4 KiB row at a random place of a B-tree of such rows (a page
      // split or an overflow chain there, one more dirty page per packet in each COMMIT's WAL frames). A rowid
      // table appends the rows at its right edge; the UNIQUE index on `hash` (32-byte keys) still finds a bundle
      // and refuses a second copy (the audit log's INSERT … ON CONFLICT(hash) DO NOTHING). The append-only
      // triggers are dropped with the old table and made again.
      {11, "proof bundles in append order",
       "CREATE TABLE audit_bundles_v11(\n"
       "  seq INTEGER PRIMARY KEY,\n"
       "  hash BLOB NOT NULL UNIQUE CHECK(length(hash) = 32),\n"
       "  bundle TEXT NOT NULL\n"
       ");\n"
       "INSERT INTO audit_bundles_v11(hash, bundle) SELECT hash, bundle FROM audit_bundles;\n"
       "DROP TABLE audit_bundles;\n"
       "ALTER TABLE audit_bundles_v11 RENAME TO audit_bundles;\n"
       "CREATE TRIGGER audit_bundles_no_update BEFORE UPDATE ON audit_bundles BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;\n"
       "CREATE TRIGGER audit_bundles_no_delete BEFORE DELETE ON audit_bundles BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;\n"},
  };
  return kMigrations;
}

}  // namespace causeway::store
