// Test helpers: checks on a relay's data dir (its causeway.db) from a test. Catch2 assertions; for tests that link
// relay/store and relay/audit.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include <catch2/catch.hpp>

#include "causeway/audit/log.hpp"
#include "causeway/audit/verify.hpp"
#include "causeway/store/relay_schema.hpp"

namespace causeway::test {

// The single integer a `SELECT count(*) …` (or any one-value query) answers on `data_dir`'s database.
inline std::int64_t count_rows(const std::string& data_dir, const std::string& sql) {
  auto db = store::Database::open(data_dir + "/causeway.db");
  REQUIRE(db.has_value());
  auto st = db->prepare(sql);
  REQUIRE(st.has_value());
  REQUIRE(st->step().value());
  return st->column_int64(0);
}

// The audit log of a stopped relay's data dir, with a fresh signed tree head, verified the way
// `causeway audit verify --data-dir` does (relay/audit verify_log: every STH, inclusion, consistency and every
// stored bundle re-verified).
// Checks that the log verifies and that it re-verified exactly `bundles` proof bundles.
inline void check_relay_audit_log(const std::string& data_dir, std::uint64_t bundles) {
  auto db = store::open_relay_database(data_dir + "/causeway.db");
  REQUIRE(db.has_value());
  auto log = audit::AuditLog::open(*db);
  REQUIRE(log.has_value());
  auto key = audit::AuditKey::from_secret(Bytes(32, 0x07));
  REQUIRE(key.has_value());
  const auto now_ms = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  REQUIRE(log->sign_tree_head(*key, now_ms).has_value());
  audit::DatabaseSource src(*log);
  auto report = audit::verify_log(src);
  REQUIRE(report.has_value());
  INFO((report->error ? report->error->detail + " at " + report->error->at : std::string("ok")));
  CHECK(report->ok);
  CHECK(report->bundles_verified == bundles);
}

}  // namespace causeway::test
