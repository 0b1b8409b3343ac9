// Relay core schema (migration 3) and start-up checks: see causeway/store/relay_schema.hpp.
#include "causeway/store/relay_schema.hpp"

#include "causeway/store/migrations.hpp"

namespace causeway::store {

std::string relay_core_ddl() {
  return R"SQL(
CREATE TABLE islands(
  id TEXT PRIMARY KEY CHECK(length(id) BETWEEN 1 AND 41),
  genesis BLOB NOT NULL UNIQUE CHECK(length(genesis) = 32),
  family TEXT NOT NULL CHECK(family IN ('bitcoin', 'ethereum', 'bft')),
  codec TEXT NOT NULL,
  record TEXT NOT NULL,
  nonce INTEGER NOT NULL CHECK(nonce >= 1),
  registered_index INTEGER NOT NULL CHECK(registered_index >= 0)
);
CREATE TABLE client_states(
  island TEXT PRIMARY KEY REFERENCES islands(id),
  trusting_period_s INTEGER NOT NULL CHECK(trusting_period_s >= 0),
  status TEXT NOT NULL CHECK(status IN ('active', 'frozen', 'expired'))
);
CREATE TABLE consensus_states(
  island TEXT NOT NULL REFERENCES islands(id),
  height INTEGER NOT NULL CHECK(height >= 0),
  hash BLOB NOT NULL CHECK(length(hash) = 32 AND hash != zeroblob(32)),
  validator_set_hash BLOB CHECK(validator_set_hash IS NULL OR length(validator_set_hash) = 32),
  time_ms INTEGER NOT NULL CHECK(time_ms > 0),
  audit_index INTEGER NOT NULL CHECK(audit_index >= 0),
  PRIMARY KEY(island, height, hash)
);
CREATE TABLE channels(
  island TEXT NOT NULL REFERENCES islands(id),
  channel TEXT NOT NULL,
  port TEXT NOT NULL,
  counterparty_island TEXT NOT NULL,
  counterparty_channel TEXT NOT NULL,
  ordering TEXT NOT NULL CHECK(ordering IN ('ordered', 'unordered')),
  record TEXT NOT NULL,
  opened_index INTEGER NOT NULL CHECK(opened_index >= 0),
  PRIMARY KEY(island, channel)
);
CREATE TABLE packets(
  id INTEGER PRIMARY KEY,
  source_island TEXT NOT NULL,
  source_genesis BLOB NOT NULL CHECK(length(source_genesis) = 32),
  source_channel TEXT NOT NULL,
  sequence INTEGER NOT NULL CHECK(sequence >= 1),
  commitment BLOB NOT NULL CHECK(length(commitment) = 32),
  dest_island TEXT NOT NULL,
  dest_genesis BLOB NOT NULL CHECK(length(dest_genesis) = 32),
  dest_channel TEXT NOT NULL,
  packet BLOB NOT NULL,
  stage TEXT NOT NULL CHECK(stage IN ('observed', 'proven', 'attested', 'delivered', 'acknowledged',
                                      'error-acknowledged', 'timed-out', 'refunded')),
  source_height INTEGER NOT NULL,
  source_block BLOB NOT NULL CHECK(length(source_block) = 32),
  source_time_ms INTEGER NOT NULL CHECK(source_time_ms >= 0),
  verified_index INTEGER NOT NULL CHECK(verified_index >= 0),
  attested_index INTEGER,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  UNIQUE(source_island, source_genesis, source_channel, sequence)
);
CREATE INDEX packets_by_commitment ON packets(commitment);
CREATE TABLE attestations(
  packet INTEGER NOT NULL REFERENCES packets(id),
  member BLOB NOT NULL CHECK(length(member) = 20),
  audit_index INTEGER NOT NULL CHECK(audit_index >= 0),
  signature BLOB NOT NULL CHECK(length(signature) = 65),
  PRIMARY KEY(packet, member)
);
CREATE TABLE transfers(
  packet INTEGER PRIMARY KEY REFERENCES packets(id),
  denom TEXT NOT NULL,
  amount BLOB NOT NULL CHECK(length(amount) = 32),
  going_home INTEGER NOT NULL CHECK(going_home IN (0, 1))
);
CREATE TABLE outbox(
  packet INTEGER PRIMARY KEY REFERENCES packets(id),
  dest_island TEXT NOT NULL,
  state TEXT NOT NULL CHECK(state IN ('pending', 'submitted', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0 CHECK(attempts >= 0),
  next_attempt_ms INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  submitted_tx BLOB
);
CREATE INDEX outbox_pending ON outbox(dest_island, state, packet);
CREATE TABLE deliveries(
  packet INTEGER PRIMARY KEY REFERENCES packets(id),
  dest_tx BLOB NOT NULL,
  ack_commitment BLOB NOT NULL CHECK(length(ack_commitment) = 32),
  dest_height INTEGER NOT NULL,
  by_us INTEGER NOT NULL CHECK(by_us IN (0, 1)),
  audit_index INTEGER NOT NULL CHECK(audit_index >= 0),
  time_ms INTEGER NOT NULL
);
)SQL";
}

Status check_integrity(Database& db) {
  auto st = db.prepare("PRAGMA integrity_check(20)");
  if (!st) return tl::unexpected<Error>(st.error());
  std::string problems;
  for (;;) {
    auto row = st->step();
    if (!row) return tl::unexpected<Error>(row.error());
    if (!*row) break;
    const std::string line(st->column_text(0));
    if (line == "ok") continue;
    if (!problems.empty()) problems += "; ";
    problems += line;
  }
  if (!problems.empty()) return fail(Code::StoreIntegrity, "PRAGMA integrity_check: " + problems);
  return {};
}

Result<Database> open_relay_database(const std::string& path, const OpenOptions& options) {
  auto db = Database::open(path, options);
  if (!db) return db;
  auto jm = db->pragma("journal_mode");
  if (!jm) return tl::unexpected<Error>(jm.error());
  if (*jm != "wal") return fail(Code::StoreUnsafe, "journal_mode is " + *jm + ", the relay needs wal");
  auto sync = db->pragma("synchronous");
  if (!sync) return tl::unexpected<Error>(sync.error());
  const bool full = *sync == "2" || *sync == "3";
  if (!full && !(options.synchronous == Synchronous::Normal && *sync == "1"))
    return fail(Code::StoreUnsafe, "synchronous is " + *sync + ", the relay needs FULL (2) or EXTRA (3)");
  auto fk = db->pragma("foreign_keys");
  if (!fk) return tl::unexpected<Error>(fk.error());
  if (*fk != "1") return fail(Code::StoreUnsafe, "foreign_keys is off");
  // Statement and savepoint journals in memory (temp_store=MEMORY; this SQLite is built with TEMP_STORE=1,
  // i.e. temp files by default). The group committer runs every change inside its own SAVEPOINT; the
  // original image of each page a change modifies goes to the sub-journal, which spills to a temp file in
  // /var/tmp beyond 64 KiB and then costs two pwrite() calls per journaled page (≈ 12 per relayed packet,
  // two-thirds of the writer's syscalls). The sub-journal only serves ROLLBACK TO inside the open
  // transaction and is emptied at every RELEASE: durability and crash recovery (WAL, synchronous) are
  // unchanged. Set only AFTER the migrations: a migration that rebuilds a big table (11: audit_bundles) journals
  // every page of the dropped table in its statement journal, which in memory would need RAM in proportion to the
  // table (≈ 1 GB per 200,000 bundles, review of migration 11); from then on temporary sort/index structures of
  // this connection are kept in memory as well.
  if (auto s = check_integrity(*db); !s) return tl::unexpected<Error>(s.error());
  if (auto s = migrate(*db, relay_migrations()); !s) return tl::unexpected<Error>(s.error());
  if (auto s = db->set_pragma("temp_store", "MEMORY"); !s) return tl::unexpected<Error>(s.error());
  return db;
}

}  // namespace causeway::store
