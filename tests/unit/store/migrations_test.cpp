// relay/store migrations: ordered, one transaction each, idempotent, refuse a newer database.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "causeway/store/migrations.hpp"
#include "temp_dir.hpp"

using namespace causeway;
using namespace causeway::store;
using causeway::testing::TempDir;
using causeway::testing::open_db;

namespace {

bool table_exists(Database& db, const std::string& name) {
  auto st = db.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?1").value();
  REQUIRE(st.bind_text(1, name).has_value());
  REQUIRE(st.step().value());
  return st.column_int64(0) == 1;
}

std::vector<std::string> recorded(Database& db) {
  std::vector<std::string> out;
  auto st = db.prepare("SELECT version || ':' || name FROM schema_version ORDER BY version").value();
  while (st.step().value()) out.emplace_back(st.column_text(0));
  return out;
}

const std::vector<Migration> kTwo = {
    {1, "one", "CREATE TABLE a(x INTEGER); INSERT INTO a VALUES(1);"},
    {2, "two", "CREATE TABLE b(y TEXT);"},
};

}  // namespace

TEST_CASE("migrations apply in order and record user_version and schema_version; running twice is a no-op") {
  TempDir dir;
  auto db = open_db(dir.file("m.db"));
  CHECK(schema_version(db).value() == 0);
  REQUIRE(migrate(db, std::span(kTwo).first(1)).has_value());
  CHECK(schema_version(db).value() == 1);
  CHECK(table_exists(db, "a"));
  CHECK_FALSE(table_exists(db, "b"));
  REQUIRE(migrate(db, kTwo).has_value());
  CHECK(schema_version(db).value() == 2);
  CHECK(recorded(db) == std::vector<std::string>{"1:one", "2:two"});
  // Again: nothing re-runs (migration 1 would insert a second row into a).
  REQUIRE(migrate(db, kTwo).has_value());
  auto st = db.prepare("SELECT count(*) FROM a").value();
  REQUIRE(st.step().value());
  CHECK(st.column_int64(0) == 1);
  CHECK(recorded(db) == std::vector<std::string>{"1:one", "2:two"});
  // An empty list on a fresh database is fine too.
  auto fresh = open_db(dir.file("fresh.db"));
  CHECK(migrate(fresh, {}).has_value());
  CHECK(schema_version(fresh).value() == 0);
}

TEST_CASE("a database newer than the code is refused with ERR_STORE_MIGRATION and left unchanged") {
  TempDir dir;
  auto db = open_db(dir.file("newer.db"));
  REQUIRE(migrate(db, kTwo).has_value());
  const auto st = migrate(db, std::span(kTwo).first(1));
  REQUIRE_FALSE(st.has_value());
  CHECK(st.error().code == Code::StoreMigration);
  CHECK(schema_version(db).value() == 2);
  CHECK(table_exists(db, "b"));
}

TEST_CASE("a failing migration is rolled back entirely; the ones before it stay") {
  TempDir dir;
  auto db = open_db(dir.file("fail.db"));
  const std::vector<Migration> bad = {
      kTwo[0],
      {2, "broken", "CREATE TABLE c(z); INSERT INTO nosuch VALUES(1);"},
  };
  const auto st = migrate(db, bad);
  REQUIRE_FALSE(st.has_value());
  CHECK(st.error().code == Code::StoreMigration);
  CHECK(st.error().at == "migration 2 (broken)");
  CHECK(schema_version(db).value() == 1);
  CHECK(table_exists(db, "a"));
  CHECK_FALSE(table_exists(db, "c"));
  CHECK(recorded(db) == std::vector<std::string>{"1:one"});
  // Fixed code migrates on.
  REQUIRE(migrate(db, kTwo).has_value());
  CHECK(schema_version(db).value() == 2);
}

TEST_CASE("a migration list not numbered 1..N is refused") {
  TempDir dir;
  auto db = open_db(dir.file("list.db"));
  const std::vector<Migration> gap = {{1, "one", "SELECT 1;"}, {3, "three", "SELECT 1;"}};
  const std::vector<Migration> from_zero = {{0, "zero", "SELECT 1;"}};
  CHECK(migrate(db, gap).error().code == Code::StoreMigration);
  CHECK(migrate(db, from_zero).error().code == Code::StoreMigration);
  CHECK(schema_version(db).value() == 0);
}

TEST_CASE("user_version and schema_version rows that disagree are refused") {
  TempDir dir;
  auto db = open_db(dir.file("tamper.db"));
  REQUIRE(migrate(db, kTwo).has_value());
  REQUIRE(db.exec("DELETE FROM schema_version WHERE version = 1").has_value());
  CHECK(migrate(db, kTwo).error().code == Code::StoreMigration);
  auto other = open_db(dir.file("tamper2.db"));
  REQUIRE(other.exec("PRAGMA user_version = 1").has_value());
  CHECK(migrate(other, kTwo).error().code == Code::StoreMigration);
}

TEST_CASE("the relay schema creates the header and chain tip tables with version 1") {
  TempDir dir;
  auto db = open_db(dir.file("relay.db"));
  const auto st = migrate(db, relay_migrations());
  INFO((st ? std::string() : st.error().detail + " at " + st.error().at));
  REQUIRE(st.has_value());
  CHECK(schema_version(db).value() == static_cast<int>(relay_migrations().size()));
  CHECK(table_exists(db, "headers"));
  CHECK(table_exists(db, "chain_tips"));
}
