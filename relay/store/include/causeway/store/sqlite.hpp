// Thin RAII layer over SQLite 3 that keeps the relay's durability promises (DESIGN.md §3 rule 4):
// every Database runs in WAL mode with synchronous=FULL (NORMAL only when asked for explicitly),
// foreign keys on, a busy timeout, SQLite's defensive mode, and an authorizer that refuses settings
// which could lose or corrupt committed data, whichever way they are attempted (set_pragma, exec, prepare):
//   journal_mode  OFF | MEMORY (and any value SQLite does not document)      -> ERR_STORE_UNSAFE
//   synchronous   OFF | 0 | no | false (and any value other than NORMAL/FULL/EXTRA/1/2/3)
//   locking_mode  anything but NORMAL (EXCLUSIVE hides the database from other readers and the WAL index)
//   writable_schema, ignore_check_constraints, trusted_schema: anything but off
//   foreign_keys  off;  schema_version (set);  user_version (set) through set_pragma (migrations own it)
// Expected database failures are values (ERR_STORE_IO, ERR_STORE_UNSAFE), never exceptions.
//
// Thread-safety: a Database and its Statements/Transactions belong to one thread at a time (the
// connection is opened SQLITE_OPEN_NOMUTEX). Other threads open their own Database on the same file;
// WAL lets readers run beside the one writer.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"

namespace causeway::store {

// Durability level. FULL (default): a commit is durable when commit() returns, even on power loss.
// NORMAL: in WAL mode, the last commits may be lost on power loss (never corrupted); opt-in only.
enum class Synchronous { Full, Normal };

struct OpenOptions {
  bool create = true;                      // create the file if missing (else ERR_STORE_IO)
  Synchronous synchronous = Synchronous::Full;
  int busy_timeout_ms = 5000;              // wait this long for another writer's lock before ERR_STORE_IO
  // SQLITE_OPEN_READONLY (implies no create): a reader beside the one writer (WAL). The file must already be
  // in WAL mode; every write through this connection fails with ERR_STORE_IO.
  bool read_only = false;
};

// Maps a SQLite result code to an Error: SQLITE_AUTH -> ERR_STORE_UNSAFE, anything else -> ERR_STORE_IO.
// `db` may be null; `context` names the operation. The detail carries sqlite3_errstr and sqlite3_errmsg.
Error sqlite_error(sqlite3* db, int rc, std::string_view context);

// Returns why setting PRAGMA `name` = `value` is unsafe (see the file comment), or nullopt if it is not on
// the refused list. `name` is compared case-insensitively; `value` is the dequoted argument.
std::optional<std::string> unsafe_pragma_reason(std::string_view name, std::string_view value);

class Statement;

class Database {
 public:
  // Opens (and by default creates) the database file at `path` and applies the safe settings above,
  // reading each back. Errors: ERR_STORE_IO (cannot open, WAL unavailable, e.g. ":memory:" or a
  // read-only directory), ERR_STORE_UNSAFE (a setting did not take effect).
  static Result<Database> open(const std::string& path, const OpenOptions& options = {});

  Database(Database&&) noexcept;
  Database& operator=(Database&&) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();  // closes the connection (sqlite3_close_v2; finalize Statements first)

  // Runs one or more SQL statements without results. Errors: ERR_STORE_UNSAFE (the authorizer refused a
  // statement, nothing of it ran), ERR_STORE_IO.
  Status exec(std::string_view sql);
  // Prepares one statement (trailing text after the first statement is an error: ERR_STORE_IO).
  Result<Statement> prepare(std::string_view sql);

  // Sets a tunable pragma: journal_mode, synchronous, busy_timeout, cache_size, foreign_keys,
  // wal_autocheckpoint, temp_store, mmap_size, locking_mode, writable_schema. `name` is an identifier,
  // `value` is [A-Za-z0-9_+-]+. Errors: ERR_STORE_UNSAFE (refused; nothing changed), ERR_INVALID_ARGUMENT
  // (unknown pragma or malformed name/value), ERR_STORE_IO.
  Status set_pragma(std::string_view name, std::string_view value);
  // Reads a pragma's current value as text ("wal", "2", ...). Errors: ERR_INVALID_ARGUMENT, ERR_STORE_IO.
  Result<std::string> pragma(std::string_view name);

  std::int64_t changes() const noexcept;  // rows changed by the last INSERT/UPDATE/DELETE
  sqlite3* handle() const noexcept;       // for code that needs the raw API (keep the rules above)
  const std::string& path() const noexcept;

 private:
  struct Impl;
  explicit Database(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

// A prepared statement. Parameter indexes are 1-based, column indexes 0-based (SQLite's convention).
class Statement {
 public:
  Statement(Statement&&) noexcept;
  Statement& operator=(Statement&&) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();  // finalizes

  Status bind_int64(int index, std::int64_t v);
  Status bind_blob(int index, ByteView v);      // copies v
  Status bind_blob_ref(int index, ByteView v);  // no copy: v must outlive the next step()/reset()
  Status bind_text(int index, std::string_view v);  // copies v
  Status bind_null(int index);

  // Advances: true = a row is available, false = done. Errors: ERR_STORE_IO (incl. constraint
  // violations), ERR_STORE_UNSAFE.
  Result<bool> step();
  // step() expecting no row (INSERT/UPDATE/DELETE). Errors: as step(); ERR_STORE_IO if a row came back.
  Status run();
  // Resets to run again and clears the bindings.
  void reset() noexcept;

  // Column getters for the current row. Views stay valid until the next step()/reset().
  int column_count() const noexcept;
  bool column_is_null(int col) const noexcept;
  std::int64_t column_int64(int col) const noexcept;
  ByteView column_blob(int col) const noexcept;
  std::string_view column_text(int col) const noexcept;

  sqlite3_stmt* handle() const noexcept { return stmt_; }

 private:
  friend class Database;
  explicit Statement(sqlite3_stmt* stmt) noexcept : stmt_(stmt) {}
  sqlite3_stmt* stmt_ = nullptr;
};

// BEGIN IMMEDIATE ... COMMIT. Takes the write lock at begin (no deadlock-prone lock upgrade); rolls back
// on destruction unless committed. Not nestable.
class Transaction {
 public:
  // Errors: ERR_STORE_IO (busy beyond the timeout, already inside a transaction, ...).
  static Result<Transaction> begin(Database& db);
  Transaction(Transaction&&) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  // Durable (per the Database's synchronous level) when it returns without error. On error the
  // transaction is still open and the destructor rolls it back.
  Status commit();
  Status rollback();

 private:
  explicit Transaction(Database& db) noexcept : db_(&db) {}
  Database* db_ = nullptr;  // null once committed/rolled back/moved from
};

}  // namespace causeway::store
