// relay/store SQLite layer: safe settings in effect, unsafe ones refused, RAII statements and transactions.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "causeway/store/sqlite.hpp"
#include "temp_dir.hpp"

using namespace causeway;
using namespace causeway::store;
using causeway::testing::TempDir;

namespace {

Database open_db(const std::string& path, const OpenOptions& o = {}) {
  auto db = Database::open(path, o);
  REQUIRE(db.has_value());
  return std::move(*db);
}

std::string pragma(Database& db, const char* name) { return db.pragma(name).value(); }

}  // namespace

TEST_CASE("a database runs WAL with synchronous=FULL, foreign keys on and a busy timeout, read back") {
  TempDir dir;
  auto db = open_db(dir.file("a.db"));
  CHECK(pragma(db, "journal_mode") == "wal");
  CHECK(pragma(db, "synchronous") == "2");
  CHECK(pragma(db, "foreign_keys") == "1");
  CHECK(pragma(db, "busy_timeout") == "5000");
  REQUIRE(db.exec("CREATE TABLE t(x); INSERT INTO t VALUES(1);").has_value());
  CHECK(std::filesystem::exists(dir.file("a.db-wal")));
}

TEST_CASE("synchronous=NORMAL is used only when asked for explicitly") {
  TempDir dir;
  OpenOptions o;
  o.synchronous = Synchronous::Normal;
  o.busy_timeout_ms = 250;
  auto db = open_db(dir.file("n.db"), o);
  CHECK(pragma(db, "synchronous") == "1");
  CHECK(pragma(db, "busy_timeout") == "250");
  CHECK(pragma(db, "journal_mode") == "wal");
}

TEST_CASE("every unsafe pragma is refused with ERR_STORE_UNSAFE by every path, and nothing changes") {
  TempDir dir;
  auto db = open_db(dir.file("u.db"));
  REQUIRE(db.exec("CREATE TABLE t(x CHECK(x > 0))").has_value());
  struct Case {
    const char* name;
    const char* value;
  };
  const std::vector<Case> cases = {
      {"journal_mode", "OFF"},      {"journal_mode", "off"},      {"journal_mode", "MEMORY"},
      {"journal_mode", "memory"},   {"journal_mode", "bogus"},    {"synchronous", "OFF"},
      {"synchronous", "0"},         {"synchronous", "no"},        {"synchronous", "false"},
      {"synchronous", "7"},         {"locking_mode", "EXCLUSIVE"}, {"locking_mode", "exclusive"},
      {"writable_schema", "ON"},    {"writable_schema", "1"},     {"writable_schema", "RESET"},
      {"ignore_check_constraints", "ON"}, {"trusted_schema", "ON"}, {"foreign_keys", "OFF"},
      {"schema_version", "99"},
  };
  for (const auto& c : cases) {
    const std::string n = c.name, v = c.value;
    INFO(n << "=" << v);
    CHECK(db.set_pragma(n, v).error().code == Code::StoreUnsafe);
    CHECK(db.exec("PRAGMA " + n + "=" + v).error().code == Code::StoreUnsafe);
    CHECK(db.exec("PRAGMA main." + n + " = '" + v + "'").error().code == Code::StoreUnsafe);
    CHECK(db.exec("SELECT 1; PRAGMA " + n + "(" + v + ")").error().code == Code::StoreUnsafe);
    CHECK(db.prepare("PRAGMA " + n + "=" + v).error().code == Code::StoreUnsafe);
  }
  CHECK(db.set_pragma("user_version", "7").error().code == Code::StoreUnsafe);
  // Nothing changed.
  CHECK(pragma(db, "journal_mode") == "wal");
  CHECK(pragma(db, "synchronous") == "2");
  CHECK(pragma(db, "locking_mode") == "normal");
  CHECK(pragma(db, "writable_schema") == "0");
  CHECK(pragma(db, "foreign_keys") == "1");
  CHECK(pragma(db, "user_version") == "0");
  CHECK_FALSE(db.exec("INSERT INTO t VALUES(0)").has_value());  // CHECK constraints still enforced
  CHECK(db.exec("INSERT INTO t VALUES(1)").has_value());
}

TEST_CASE("set_pragma accepts safe tunables and rejects unknown names and malformed values") {
  TempDir dir;
  auto db = open_db(dir.file("p.db"));
  CHECK(db.set_pragma("synchronous", "NORMAL").has_value());
  CHECK(pragma(db, "synchronous") == "1");
  CHECK(db.set_pragma("synchronous", "FULL").has_value());
  CHECK(pragma(db, "synchronous") == "2");
  CHECK(db.set_pragma("cache_size", "-20000").has_value());
  CHECK(pragma(db, "cache_size") == "-20000");
  CHECK(db.set_pragma("journal_mode", "WAL").has_value());
  CHECK(db.set_pragma("locking_mode", "NORMAL").has_value());
  CHECK(db.set_pragma("writable_schema", "OFF").has_value());
  CHECK(db.set_pragma("foreign_keys", "ON").has_value());
  CHECK(db.set_pragma("table_info", "t").error().code == Code::InvalidArgument);
  CHECK(db.set_pragma("synchronous", "FULL; DROP TABLE x").error().code == Code::InvalidArgument);
  CHECK(db.set_pragma("synchronous", "'2'").error().code == Code::InvalidArgument);
  CHECK(db.set_pragma("sync hronous", "2").error().code == Code::InvalidArgument);
  CHECK(db.pragma("x; DROP TABLE y").error().code == Code::InvalidArgument);
}

TEST_CASE("statements bind and read back int64, blob, text and null; an empty blob is not NULL") {
  TempDir dir;
  auto db = open_db(dir.file("s.db"));
  REQUIRE(db.exec("CREATE TABLE t(i INTEGER, b BLOB, s TEXT, n)").has_value());
  auto ins = db.prepare("INSERT INTO t VALUES(?1, ?2, ?3, ?4)").value();
  const Bytes blob{0x00, 0x01, 0xff};
  REQUIRE(ins.bind_int64(1, -9007199254740993LL).has_value());
  REQUIRE(ins.bind_blob(2, blob).has_value());
  REQUIRE(ins.bind_text(3, "héllo").has_value());
  REQUIRE(ins.bind_null(4).has_value());
  REQUIRE(ins.run().has_value());
  CHECK(db.changes() == 1);
  ins.reset();
  REQUIRE(ins.bind_int64(1, 2).has_value());
  REQUIRE(ins.bind_blob(2, ByteView{}).has_value());
  REQUIRE(ins.bind_text(3, "").has_value());
  REQUIRE(ins.run().has_value());

  auto sel = db.prepare("SELECT i, b, s, n, typeof(b) FROM t ORDER BY rowid").value();
  REQUIRE(sel.column_count() == 5);
  REQUIRE(sel.step().value());
  CHECK(sel.column_int64(0) == -9007199254740993LL);
  CHECK(Bytes(sel.column_blob(1).begin(), sel.column_blob(1).end()) == blob);
  CHECK(sel.column_text(2) == "héllo");
  CHECK(sel.column_is_null(3));
  REQUIRE(sel.step().value());
  CHECK(sel.column_blob(1).empty());
  CHECK_FALSE(sel.column_is_null(1));
  CHECK(sel.column_text(4) == "blob");
  CHECK_FALSE(sel.step().value());
  CHECK(db.prepare("SELECT 1; SELECT 2").error().code == Code::StoreIo);
  CHECK(db.prepare("SELEKT 1").error().code == Code::StoreIo);
  CHECK(db.exec("INSERT INTO nosuch VALUES(1)").error().code == Code::StoreIo);
}

TEST_CASE("a transaction commits, and rolls back on destruction or on request") {
  TempDir dir;
  auto db = open_db(dir.file("t.db"));
  REQUIRE(db.exec("CREATE TABLE t(x)").has_value());
  {
    auto tx = Transaction::begin(db).value();
    REQUIRE(db.exec("INSERT INTO t VALUES(1)").has_value());
  }  // destroyed: rolled back
  auto count = [&] {
    auto st = db.prepare("SELECT count(*) FROM t").value();
    REQUIRE(st.step().value());
    return st.column_int64(0);
  };
  CHECK(count() == 0);
  {
    auto tx = Transaction::begin(db).value();
    REQUIRE(db.exec("INSERT INTO t VALUES(1)").has_value());
    REQUIRE(tx.rollback().has_value());
    CHECK(tx.commit().error().code == Code::StoreIo);
  }
  CHECK(count() == 0);
  {
    auto tx = Transaction::begin(db).value();
    CHECK(Transaction::begin(db).error().code == Code::StoreIo);  // not nestable
    REQUIRE(db.exec("INSERT INTO t VALUES(2)").has_value());
    REQUIRE(tx.commit().has_value());
  }
  CHECK(count() == 1);
  // A second connection sees the committed row (WAL reader beside the writer).
  auto other = open_db(dir.file("t.db"));
  auto st = other.prepare("SELECT x FROM t").value();
  REQUIRE(st.step().value());
  CHECK(st.column_int64(0) == 2);
}

TEST_CASE("open fails with ERR_STORE_IO where the file cannot be created or WAL is unavailable") {
  TempDir dir;
  CHECK(Database::open(dir.file("missing/dir/x.db")).error().code == Code::StoreIo);
  OpenOptions no_create;
  no_create.create = false;
  CHECK(Database::open(dir.file("absent.db"), no_create).error().code == Code::StoreIo);
  CHECK(Database::open(":memory:").error().code == Code::StoreIo);
}
