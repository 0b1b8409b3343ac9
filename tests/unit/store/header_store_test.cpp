// relay/store header store: batched, idempotent, conflict-checked, atomic, durable across reopen.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "causeway/core/hash.hpp"
#include "causeway/store/header_store.hpp"
#include "causeway/store/migrations.hpp"
#include "temp_dir.hpp"

using namespace causeway;
using namespace causeway::store;
using causeway::testing::TempDir;
using causeway::testing::open_db;

namespace {

// A chain of n rows with distinct fields; raw sizes vary (0..99 bytes) to catch truncation.
std::vector<HeaderRow> chain(std::uint32_t n, std::uint8_t salt = 0) {
  std::vector<HeaderRow> out;
  Hash32 parent{};
  for (std::uint32_t i = 0; i < n; ++i) {
    HeaderRow r;
    r.height = 1000 + i;
    r.raw.resize(i % 100);
    for (std::size_t k = 0; k < r.raw.size(); ++k) r.raw[k] = static_cast<std::uint8_t>(k * 7 + i + salt);
    std::uint8_t seed[5] = {0, 0, 0, 0, salt};
    write_le32(seed, i);
    r.hash = sha256d(ByteView(seed, 5));
    r.parent = parent;
    r.chainwork[31] = static_cast<std::uint8_t>(i);
    r.chainwork[30] = static_cast<std::uint8_t>(i >> 8U);
    parent = r.hash;
    out.push_back(std::move(r));
  }
  return out;
}

std::uint64_t count(HeaderStore& s, const char* island) { return s.count(island).value(); }

}  // namespace

TEST_CASE("a batch of headers is stored and read back exactly, in height order") {
  TempDir dir;
  auto db = open_db(dir.file("h.db"));
  auto store = HeaderStore::open(db).value();
  auto rows = chain(250);
  auto shuffled = rows;
  std::reverse(shuffled.begin(), shuffled.end());
  CHECK(store.put_headers("bip122:000000000019d6689c085ae165831e93", shuffled).value() == 250);
  CHECK(count(store, "bip122:000000000019d6689c085ae165831e93") == 250);
  CHECK(store.load_headers("bip122:000000000019d6689c085ae165831e93").value() == rows);
  CHECK(store.find_header("bip122:000000000019d6689c085ae165831e93", rows[77].hash).value().value() == rows[77]);
  CHECK_FALSE(store.find_header("bip122:000000000019d6689c085ae165831e93", Hash32{{1}}).value().has_value());
  CHECK(count(store, "eip155:1") == 0);
  CHECK(store.load_headers("eip155:1").value().empty());
  CHECK(store.put_headers("eip155:1", {}).value() == 0);
}

TEST_CASE("putting the same rows again is a no-op; a different row under a stored hash is ERR_STORE_CONFLICT") {
  TempDir dir;
  auto db = open_db(dir.file("c.db"));
  auto store = HeaderStore::open(db).value();
  const auto rows = chain(10);
  REQUIRE(store.put_headers("cwdevnet:a", rows).value() == 10);
  CHECK(store.put_headers("cwdevnet:a", rows).value() == 0);
  CHECK(store.put_headers("cwdevnet:a", std::span(rows).subspan(3, 4)).value() == 0);
  CHECK(count(store, "cwdevnet:a") == 10);

  for (int field = 0; field < 4; ++field) {
    INFO("field " << field);
    HeaderRow bad = rows[5];
    if (field == 0) bad.height += 1;
    if (field == 1) bad.parent.b[0] ^= 1U;
    if (field == 2) bad.raw.push_back(0);
    if (field == 3) bad.chainwork[0] ^= 1U;
    const std::vector<HeaderRow> batch{bad};
    const auto r = store.put_headers("cwdevnet:a", batch);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Code::StoreConflict);
    CHECK(r.error().at == "rows[0]");
  }
  CHECK(store.load_headers("cwdevnet:a").value() == rows);
  // The same hash in another island is no conflict: islands are independent.
  HeaderRow other = rows[5];
  other.raw = {1, 2, 3};
  CHECK(store.put_headers("cwdevnet:b", std::vector<HeaderRow>{other}).value() == 1);
  CHECK(count(store, "cwdevnet:a") == 10);
  CHECK(count(store, "cwdevnet:b") == 1);
}

TEST_CASE("a failed batch leaves nothing behind (atomic)") {
  TempDir dir;
  auto db = open_db(dir.file("atomic.db"));
  auto store = HeaderStore::open(db).value();
  const auto base = chain(5);
  REQUIRE(store.put_headers("fisco:chain0-group0", base).value() == 5);

  auto batch = chain(20, 9);  // 20 new rows...
  HeaderRow conflicting = base[2];
  conflicting.raw.push_back(0xee);
  batch.push_back(conflicting);  // ...then a conflict at the end
  const auto r = store.put_headers("fisco:chain0-group0", batch);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Code::StoreConflict);
  CHECK(r.error().at == "rows[20]");
  CHECK(count(store, "fisco:chain0-group0") == 5);
  CHECK_FALSE(store.find_header("fisco:chain0-group0", batch[0].hash).value().has_value());

  // Two different rows under one hash inside one batch: also a conflict, also nothing stored.
  auto dup = chain(3, 4);
  HeaderRow twin = dup[1];
  twin.height += 5;
  dup.push_back(twin);
  CHECK(store.put_headers("fisco:chain0-group0", dup).error().code == Code::StoreConflict);
  CHECK(count(store, "fisco:chain0-group0") == 5);

  // A zero hash is refused before anything is written (A01 family), as is a height above INT64_MAX.
  auto zero = chain(3, 5);
  zero[2].hash = Hash32{};
  CHECK(store.put_headers("fisco:chain0-group0", zero).error().code == Code::ZeroRoot);
  auto high = chain(3, 6);
  high[1].height = UINT64_MAX;
  CHECK(store.put_headers("fisco:chain0-group0", high).error().code == Code::InvalidArgument);
  CHECK(store.put_headers("", chain(1)).error().code == Code::InvalidArgument);
  CHECK(count(store, "fisco:chain0-group0") == 5);
  // The store still works afterwards.
  CHECK(store.put_headers("fisco:chain0-group0", chain(20, 9)).value() == 20);
  CHECK(count(store, "fisco:chain0-group0") == 25);
}

TEST_CASE("headers, anchor and tip survive close and reopen") {
  TempDir dir;
  const auto rows = chain(64);
  Anchor anchor;
  anchor.height = 999;
  anchor.hash = rows[0].parent.is_zero() ? sha256d(Bytes{42}) : rows[0].parent;
  anchor.raw = Bytes(80, 0xab);
  anchor.metadata = R"({"network":"mainnet","trusting_period_s":1209600})";
  {
    auto db = open_db(dir.file("durable.db"));
    auto store = HeaderStore::open(db).value();
    REQUIRE(store.put_headers("bip122:x", rows).has_value());
    REQUIRE(store.set_anchor("bip122:x", anchor).has_value());
    REQUIRE(store.set_tip("bip122:x", rows.back().hash).has_value());
  }
  auto db = open_db(dir.file("durable.db"));
  auto store = HeaderStore::open(db).value();  // migrations: no-op
  CHECK(schema_version(db).value() == static_cast<int>(relay_migrations().size()));
  CHECK(store.load_headers("bip122:x").value() == rows);
  CHECK(store.get_anchor("bip122:x").value().value() == anchor);
  CHECK(store.get_tip("bip122:x").value().value() == rows.back().hash);
}

TEST_CASE("A01 an all-zero anchor or tip hash is refused and stores nothing") {
  TempDir dir;
  auto db = open_db(dir.file("a01.db"));
  auto store = HeaderStore::open(db).value();
  Anchor zero;
  zero.height = 0;
  zero.raw = Bytes(80, 0);
  CHECK(store.set_anchor("bip122:z", zero).error().code == Code::ZeroRoot);
  CHECK_FALSE(store.get_anchor("bip122:z").value().has_value());
  CHECK(store.set_tip("bip122:z", Hash32{}).error().code == Code::ZeroRoot);
  CHECK_FALSE(store.get_tip("bip122:z").value().has_value());
}

TEST_CASE("the tip must be the anchor or a stored header; re-anchoring elsewhere clears it") {
  TempDir dir;
  auto db = open_db(dir.file("tip.db"));
  auto store = HeaderStore::open(db).value();
  const auto rows = chain(4);
  REQUIRE(store.put_headers("eip155:5", rows).has_value());
  // No anchor yet: no tip can be set.
  CHECK(store.set_tip("eip155:5", rows[3].hash).error().code == Code::StoreConflict);
  Anchor a;
  a.height = 10;
  a.hash = sha256d(Bytes{7});
  a.raw = {1, 2};
  REQUIRE(store.set_anchor("eip155:5", a).has_value());
  CHECK_FALSE(store.get_tip("eip155:5").value().has_value());
  REQUIRE(store.set_tip("eip155:5", a.hash).has_value());  // the anchor itself
  REQUIRE(store.set_tip("eip155:5", rows[3].hash).has_value());
  CHECK(store.set_tip("eip155:5", sha256d(Bytes{8})).error().code == Code::StoreConflict);  // unknown
  CHECK(store.get_tip("eip155:5").value().value() == rows[3].hash);
  // Same anchor hash, new metadata: tip kept.
  a.metadata = R"({"v":2})";
  REQUIRE(store.set_anchor("eip155:5", a).has_value());
  CHECK(store.get_anchor("eip155:5").value().value().metadata == R"({"v":2})");
  CHECK(store.get_tip("eip155:5").value().value() == rows[3].hash);
  // Different anchor: tip cleared.
  a.hash = sha256d(Bytes{9});
  REQUIRE(store.set_anchor("eip155:5", a).has_value());
  CHECK_FALSE(store.get_tip("eip155:5").value().has_value());
  // Metadata must be JSON.
  a.metadata = "{not json";
  CHECK(store.set_anchor("eip155:5", a).error().code == Code::InvalidArgument);
  CHECK(store.get_anchor("eip155:5").value().value().metadata == R"({"v":2})");
}

TEST_CASE("raw insert bench rows land in a scratch table shaped exactly like headers") {
  TempDir dir;
  auto db = open_db(dir.file("bench.db"));
  auto store = HeaderStore::open(db).value();
  REQUIRE(prepare_raw_insert_bench(db).has_value());
  const auto rows = chain(300);
  REQUIRE(raw_insert_bench_rows(db, "bip122:bench", rows).has_value());
  auto ddl = [&](const std::string& name) {
    auto st = db.prepare("SELECT group_concat(sql, ';') FROM sqlite_schema WHERE tbl_name = ?1").value();
    REQUIRE(st.bind_text(1, name).has_value());
    REQUIRE(st.step().value());
    std::string s(st.column_text(0));
    for (auto pos = s.find(name); pos != std::string::npos; pos = s.find(name, pos)) s.replace(pos, name.size(), "T");
    return s;
  };
  CHECK(ddl("headers") == ddl(std::string(kRawBenchTable)));
  auto st = db.prepare("SELECT count(*) FROM bench_raw_headers").value();
  REQUIRE(st.step().value());
  CHECK(st.column_int64(0) == 300);
  st.reset();
  // Preparing again empties the scratch table; the real table is untouched.
  REQUIRE(prepare_raw_insert_bench(db).has_value());
  REQUIRE(st.step().value());
  CHECK(st.column_int64(0) == 0);
  CHECK(count(store, "bip122:bench") == 0);
}
