// Ordered schema migrations. The database's version is PRAGMA user_version, mirrored row by row in the
// table schema_version(version, name); migration N runs, with both records, in one BEGIN IMMEDIATE
// transaction, so a crash leaves the database at version N-1 or N, never in between.
// Thread-safety: as Database (one thread per connection). Concurrent processes serialize on the write lock
// and re-read the version inside the transaction, so two of them migrating at once apply each step once.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "causeway/core/error.hpp"
#include "causeway/store/sqlite.hpp"

namespace causeway::store {

struct Migration {
  int version;       // 1, 2, 3, ... without gaps, in list order
  std::string name;  // short, stable, for operators ("header store")
  std::string sql;   // one or more statements; no BEGIN/COMMIT (the runner owns the transaction)
};

// The database's schema version (PRAGMA user_version; 0 for a new database). Errors: ERR_STORE_IO.
Result<int> schema_version(Database& db);

// Brings the database to the last version of `migrations`, applying each missing one in its own
// transaction. Running it again is a no-op. Errors:
//   ERR_STORE_MIGRATION: the list is not numbered 1..N; the database is newer than the list (written by
//     newer code: refuse rather than guess); user_version and schema_version disagree; a migration failed
//     (that migration is rolled back, earlier ones stay; Error::at names it);
//   ERR_STORE_IO: the database failed outside a migration's SQL (busy, disk).
Status migrate(Database& db, std::span<const Migration> migrations);

// The relay's schema, in order (version 1: header store; 2: audit log, audit_log_ddl(); 3: relay core,
// relay_core_ddl() in relay_schema.hpp). Append only: released migrations never change.
std::span<const Migration> relay_migrations();

// CREATE TABLE/INDEX text of a header table named `table` (identifier), shared by migration 1 ("headers")
// and the benchmark's scratch table so that both have exactly the same shape, constraints and index.
std::string header_table_ddl(std::string_view table);

// CREATE TABLE/TRIGGER text of the audit log's tables (migration 2; used by relay/audit, docs/audit-log.md).
std::string audit_log_ddl();

}  // namespace causeway::store
