// RAII SQLite layer: see causeway/store/sqlite.hpp for the contract.
#include "causeway/store/sqlite.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <climits>
#include <cstdint>
#include <utility>

namespace causeway::store {

namespace {

// SQLITE_TRANSIENT without the old-style cast of its macro.
sqlite3_destructor_type transient() noexcept {
  return reinterpret_cast<sqlite3_destructor_type>(static_cast<std::intptr_t>(-1));
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  return out;
}

template <std::size_t N>
bool one_of(const std::string& v, const std::array<std::string_view, N>& allowed) {
  return std::find(allowed.begin(), allowed.end(), v) != allowed.end();
}

bool is_identifier(std::string_view s) {
  return !s.empty() && s.size() <= 64 &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; });
}

bool is_simple_value(std::string_view s) {
  return !s.empty() && s.size() <= 32 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '+';
  });
}

constexpr std::array<std::string_view, 4> kOffValues{"off", "0", "false", "no"};
constexpr std::array<std::string_view, 10> kTunables{"journal_mode",      "synchronous",     "busy_timeout",
                                                     "cache_size",        "foreign_keys",    "wal_autocheckpoint",
                                                     "temp_store",        "mmap_size",       "locking_mode",
                                                     "writable_schema"};

}  // namespace

Error sqlite_error(sqlite3* db, int rc, std::string_view context) {
  std::string detail(context);
  detail += ": ";
  detail += sqlite3_errstr(rc);
  if (db != nullptr) {
    detail += " (";
    detail += sqlite3_errmsg(db);
    detail += ")";
  }
  return Error{(rc & 0xff) == SQLITE_AUTH ? Code::StoreUnsafe : Code::StoreIo, std::move(detail), {}};
}

std::optional<std::string> unsafe_pragma_reason(std::string_view name_in, std::string_view value_in) {
  const std::string name = lower(name_in);
  const std::string value = lower(value_in);
  const std::string what = "PRAGMA " + name + "=" + std::string(value_in);
  if (name == "journal_mode") {
    if (one_of(value, std::array<std::string_view, 4>{"wal", "delete", "truncate", "persist"})) return std::nullopt;
    return what + " can lose committed data (only WAL, DELETE, TRUNCATE, PERSIST are allowed)";
  }
  if (name == "synchronous") {
    if (one_of(value, std::array<std::string_view, 6>{"normal", "full", "extra", "1", "2", "3"})) return std::nullopt;
    return what + " can lose or corrupt committed data (only NORMAL, FULL, EXTRA are allowed)";
  }
  if (name == "locking_mode") {
    if (value == "normal") return std::nullopt;
    return what + " is refused (only NORMAL locking is allowed)";
  }
  if (name == "writable_schema" || name == "ignore_check_constraints" || name == "trusted_schema") {
    if (one_of(value, kOffValues)) return std::nullopt;
    return what + " can corrupt the database or bypass its constraints";
  }
  if (name == "foreign_keys") {
    if (one_of(value, std::array<std::string_view, 4>{"on", "1", "true", "yes"})) return std::nullopt;
    return what + " would disable referential integrity";
  }
  if (name == "schema_version") return what + " can corrupt the database";
  return std::nullopt;
}

// ---- Database -----------------------------------------------------------------------------------------

struct Database::Impl {
  sqlite3* db = nullptr;
  std::string path;
  std::string refused;  // reason of the authorizer's last refusal

  ~Impl() {
    if (db != nullptr) sqlite3_close_v2(db);
  }

  static int authorize(void* self, int action, const char* arg1, const char* arg2, const char*, const char*) {
    if (action != SQLITE_PRAGMA || arg1 == nullptr || arg2 == nullptr) return SQLITE_OK;
    if (auto why = unsafe_pragma_reason(arg1, arg2)) {
      static_cast<Impl*>(self)->refused = std::move(*why);
      return SQLITE_DENY;
    }
    return SQLITE_OK;
  }

  Error error(int rc, std::string_view context) const {
    if ((rc & 0xff) == SQLITE_AUTH && !refused.empty()) return Error{Code::StoreUnsafe, refused, {}};
    return sqlite_error(db, rc, context);
  }
};

Database::Database(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
Database::Database(Database&&) noexcept = default;
Database& Database::operator=(Database&&) noexcept = default;
Database::~Database() = default;

sqlite3* Database::handle() const noexcept { return impl_ ? impl_->db : nullptr; }
const std::string& Database::path() const noexcept { return impl_->path; }
std::int64_t Database::changes() const noexcept { return sqlite3_changes64(impl_->db); }

Result<Database> Database::open(const std::string& path, const OpenOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  int flags = (options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX |
              SQLITE_OPEN_EXRESCODE;
  if (options.create && !options.read_only) flags |= SQLITE_OPEN_CREATE;
  const int rc = sqlite3_open_v2(path.c_str(), &impl->db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Error e = sqlite_error(impl->db, rc, "open " + path);
    e.code = Code::StoreIo;
    return tl::unexpected<Error>(std::move(e));
  }
  sqlite3_busy_timeout(impl->db, std::max(0, options.busy_timeout_ms));
  // Defensive mode: no writable_schema, no journal_mode=OFF, no direct writes to shadow tables.
  sqlite3_db_config(impl->db, SQLITE_DBCONFIG_DEFENSIVE, 1, static_cast<int*>(nullptr));
  sqlite3_db_config(impl->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, static_cast<int*>(nullptr));
  sqlite3_set_authorizer(impl->db, &Impl::authorize, impl.get());

  Database db(std::move(impl));
  {
    auto wal = db.prepare("PRAGMA journal_mode=WAL");
    if (!wal) return tl::unexpected<Error>(std::move(wal.error()));
    auto row = wal->step();
    if (!row) return tl::unexpected<Error>(std::move(row.error()));
    if (!*row || lower(wal->column_text(0)) != "wal") {
      return fail(Code::StoreIo, "WAL journal mode is not available for " + path);
    }
  }
  const bool full = options.synchronous == Synchronous::Full;
  if (auto s = db.exec(full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"); !s) {
    return tl::unexpected<Error>(std::move(s.error()));
  }
  if (auto s = db.exec("PRAGMA foreign_keys=ON"); !s) return tl::unexpected<Error>(std::move(s.error()));
  // Read every setting back: a silently ignored pragma must not pass for a safe database.
  auto sync = db.pragma("synchronous");
  if (!sync) return tl::unexpected<Error>(std::move(sync.error()));
  if (*sync != (full ? "2" : "1")) return fail(Code::StoreUnsafe, "synchronous did not take effect: " + *sync);
  auto fk = db.pragma("foreign_keys");
  if (!fk) return tl::unexpected<Error>(std::move(fk.error()));
  if (*fk != "1") return fail(Code::StoreUnsafe, "foreign_keys did not take effect");
  return db;
}

Status Database::exec(std::string_view sql) {
  impl_->refused.clear();
  const std::string text(sql);
  char* msg = nullptr;
  const int rc = sqlite3_exec(impl_->db, text.c_str(), nullptr, nullptr, &msg);
  std::string detail = msg != nullptr ? msg : "";
  sqlite3_free(msg);
  if (rc != SQLITE_OK) {
    Error e = impl_->error(rc, "exec");
    if (e.code == Code::StoreIo && !detail.empty()) e.detail = "exec: " + detail;
    return tl::unexpected<Error>(std::move(e));
  }
  return {};
}

Result<Statement> Database::prepare(std::string_view sql) {
  impl_->refused.clear();
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  if (sql.size() > static_cast<std::size_t>(INT_MAX)) return fail(Code::TooLarge, "SQL text too long");
  const int rc = sqlite3_prepare_v3(impl_->db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                    &stmt, &tail);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return tl::unexpected<Error>(impl_->error(rc, "prepare"));
  }
  Statement st(stmt);
  if (stmt == nullptr) return fail(Code::StoreIo, "prepare: no SQL statement");
  const std::string_view rest(tail, static_cast<std::size_t>(sql.data() + sql.size() - tail));
  if (!std::all_of(rest.begin(), rest.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)) || c == ';'; })) {
    return fail(Code::StoreIo, "prepare: more than one statement");
  }
  return st;
}

Status Database::set_pragma(std::string_view name, std::string_view value) {
  if (!is_identifier(name)) return fail(Code::InvalidArgument, "pragma name is not an identifier");
  if (!is_simple_value(value)) return fail(Code::InvalidArgument, "pragma value is not [A-Za-z0-9_+-]+");
  const std::string lname = lower(name);
  if (lname == "user_version") return fail(Code::StoreUnsafe, "user_version belongs to the migrations");
  if (auto why = unsafe_pragma_reason(lname, value)) return fail(Code::StoreUnsafe, *why);
  if (!one_of(lname, kTunables)) return fail(Code::InvalidArgument, "pragma " + lname + " is not a tunable setting");
  auto st = prepare("PRAGMA " + lname + "=" + std::string(value));
  if (!st) return tl::unexpected<Error>(std::move(st.error()));
  for (;;) {  // some pragmas (journal_mode) return a row
    auto r = st->step();
    if (!r) return tl::unexpected<Error>(std::move(r.error()));
    if (!*r) break;
  }
  return {};
}

Result<std::string> Database::pragma(std::string_view name) {
  if (!is_identifier(name)) return fail(Code::InvalidArgument, "pragma name is not an identifier");
  auto st = prepare("PRAGMA " + std::string(name));
  if (!st) return tl::unexpected<Error>(std::move(st.error()));
  auto r = st->step();
  if (!r) return tl::unexpected<Error>(std::move(r.error()));
  if (!*r) return std::string();
  return std::string(st->column_text(0));
}

// ---- Statement ----------------------------------------------------------------------------------------

Statement::Statement(Statement&& o) noexcept : stmt_(std::exchange(o.stmt_, nullptr)) {}
Statement& Statement::operator=(Statement&& o) noexcept {
  if (this != &o) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(o.stmt_, nullptr);
  }
  return *this;
}
Statement::~Statement() { sqlite3_finalize(stmt_); }

namespace {
Status bind_result(sqlite3_stmt* stmt, int rc, int index) {
  if (rc == SQLITE_OK) return {};
  return tl::unexpected<Error>(sqlite_error(sqlite3_db_handle(stmt), rc, "bind ?" + std::to_string(index)));
}
}  // namespace

Status Statement::bind_int64(int index, std::int64_t v) {
  return bind_result(stmt_, sqlite3_bind_int64(stmt_, index, v), index);
}

Status Statement::bind_blob(int index, ByteView v) {
  // An empty span may have a null data pointer, which SQLite would bind as NULL: bind a zero-length blob.
  if (v.empty()) return bind_result(stmt_, sqlite3_bind_zeroblob(stmt_, index, 0), index);
  return bind_result(stmt_, sqlite3_bind_blob64(stmt_, index, v.data(), v.size(), transient()), index);
}

Status Statement::bind_blob_ref(int index, ByteView v) {
  if (v.empty()) return bind_result(stmt_, sqlite3_bind_zeroblob(stmt_, index, 0), index);
  return bind_result(stmt_, sqlite3_bind_blob64(stmt_, index, v.data(), v.size(), sqlite3_destructor_type{}), index);
}

Status Statement::bind_text(int index, std::string_view v) {
  const char* p = v.empty() ? "" : v.data();
  return bind_result(stmt_, sqlite3_bind_text64(stmt_, index, p, v.size(), transient(), SQLITE_UTF8), index);
}

Status Statement::bind_null(int index) { return bind_result(stmt_, sqlite3_bind_null(stmt_, index), index); }

Result<bool> Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return tl::unexpected<Error>(sqlite_error(sqlite3_db_handle(stmt_), rc, "step"));
}

Status Statement::run() {
  auto r = step();
  if (!r) return tl::unexpected<Error>(std::move(r.error()));
  if (*r) return fail(Code::StoreIo, "statement returned a row where none was expected");
  return {};
}

void Statement::reset() noexcept {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int Statement::column_count() const noexcept { return sqlite3_column_count(stmt_); }
bool Statement::column_is_null(int col) const noexcept { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
std::int64_t Statement::column_int64(int col) const noexcept { return sqlite3_column_int64(stmt_, col); }

ByteView Statement::column_blob(int col) const noexcept {
  const void* p = sqlite3_column_blob(stmt_, col);
  const int n = sqlite3_column_bytes(stmt_, col);
  if (p == nullptr || n <= 0) return {};
  return {static_cast<const std::uint8_t*>(p), static_cast<std::size_t>(n)};
}

std::string_view Statement::column_text(int col) const noexcept {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  const int n = sqlite3_column_bytes(stmt_, col);
  if (p == nullptr || n <= 0) return {};
  return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)};
}

// ---- Transaction --------------------------------------------------------------------------------------

Result<Transaction> Transaction::begin(Database& db) {
  if (auto s = db.exec("BEGIN IMMEDIATE"); !s) return tl::unexpected<Error>(std::move(s.error()));
  return Transaction(db);
}

Transaction::Transaction(Transaction&& o) noexcept : db_(std::exchange(o.db_, nullptr)) {}

Transaction::~Transaction() {
  if (db_ != nullptr && sqlite3_get_autocommit(db_->handle()) == 0) (void)db_->exec("ROLLBACK");
}

Status Transaction::commit() {
  if (db_ == nullptr) return fail(Code::StoreIo, "transaction already finished");
  auto s = db_->exec("COMMIT");
  if (s) db_ = nullptr;
  return s;
}

Status Transaction::rollback() {
  if (db_ == nullptr) return fail(Code::StoreIo, "transaction already finished");
  Database* db = std::exchange(db_, nullptr);
  if (sqlite3_get_autocommit(db->handle()) != 0) return {};  // SQLite already rolled back (e.g. after an I/O error)
  return db->exec("ROLLBACK");
}

}  // namespace causeway::store
