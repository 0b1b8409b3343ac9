// relay/store relay-core parts: group commit (ack only after the commit that holds the change, a failing change
// rolls back only itself, a restart keeps everything), integrity check and unsafe settings at open, migration 3.
#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <future>
#include <thread>

#include "causeway/store/group_commit.hpp"
#include "causeway/store/migrations.hpp"
#include "causeway/store/queries.hpp"
#include "causeway/store/relay_schema.hpp"

using namespace causeway;
using namespace causeway::store;

namespace {

std::string temp_db(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("causeway-relay-store-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / name;
  for (const char* ext : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + ext);
  return path.string();
}

std::int64_t count(Database& db, const std::string& sql) {
  auto st = db.prepare(sql);
  REQUIRE(st.has_value());
  REQUIRE(st->step().value());
  return st->column_int64(0);
}

Status insert(Database& db, std::int64_t v) {
  auto st = db.prepare("INSERT INTO t(v) VALUES(?1)");
  if (!st) return tl::unexpected(st.error());
  (void)st->bind_int64(1, v);
  return st->run();
}

}  // namespace

TEST_CASE("open_relay_database applies the relay schema (migration 3) and passes integrity_check") {
  const auto path = temp_db("schema.db");
  auto db = open_relay_database(path);
  REQUIRE(db.has_value());
  CHECK(schema_version(*db).value() == static_cast<int>(relay_migrations().size()));
  CHECK(relay_migrations()[2].name == "relay core");
  CHECK(relay_migrations()[3].name == "packet lifecycle");
  CHECK(relay_migrations()[4].name == "return attestations");
  CHECK(relay_migrations()[6].name == "rounds since submit, deferred sends");
  CHECK(relay_migrations()[7].name == "bitcoin contexts");
  CHECK(relay_migrations()[8].name == "governance journal");
  CHECK(relay_migrations()[9].name == "drop packets_by_commitment");
  CHECK(relay_migrations()[10].name == "proof bundles in append order");
  // Migration 10: no index keyed by the packet commitment (nothing reads packets by it; random-page inserts).
  CHECK(count(*db, "SELECT count(*) FROM sqlite_schema WHERE type='index' AND name='packets_by_commitment'") == 0);
  for (const char* t : {"islands", "client_states", "consensus_states", "channels", "packets", "attestations",
                        "transfers", "outbox", "deliveries", "audit_leaves", "headers", "deferred_sends",
                        "bitcoin_contexts", "governance_journal"})
    CHECK(count(*db, std::string("SELECT count(*) FROM sqlite_schema WHERE type='table' AND name='") + t + "'") == 1);
  CHECK(check_integrity(*db).has_value());
}

TEST_CASE("migration 9 sets islands.nonce from what was applied: registration 1 + one per channel end opened "
          "(channel opens before it did not store the nonce)") {
  const auto path = temp_db("nonce9.db");
  {
    auto db = Database::open(path);
    REQUIRE(db.has_value());
    REQUIRE(migrate(*db, relay_migrations().first(8)).has_value());
    const auto genesis = [](char last) { return "x'" + std::string(63, '0') + last + "'"; };  // 32-byte blob
    const std::string g1 = genesis('1'), g2 = genesis('2'), g3 = genesis('3');
    const auto ins = db->exec("INSERT INTO islands(id, genesis, family, codec, record, nonce, registered_index) VALUES"
                     "('cwdevnet:a', " + g1 + ", 'bft', 'causeway-devnet/v1', '{}', 1, 0),"
                     "('cwdevnet:b', " + g2 + ", 'bft', 'causeway-devnet/v1', '{}', 1, 1),"
                     "('cwdevnet:c', " + g3 + ", 'bft', 'causeway-devnet/v1', '{}', 1, 2);"
                     "INSERT INTO channels(island, channel, port, counterparty_island, counterparty_channel, ordering, "
                     "record, opened_index) VALUES"
                     "('cwdevnet:a', 'channel-0', 'app', 'cwdevnet:b', 'channel-0', 'unordered', '{}', 3),"
                     "('cwdevnet:b', 'channel-0', 'app', 'cwdevnet:a', 'channel-0', 'unordered', '{}', 3),"
                     "('cwdevnet:a', 'channel-1', 'app', 'cwdevnet:b', 'channel-1', 'ordered', '{}', 5),"
                     "('cwdevnet:b', 'channel-1', 'app', 'cwdevnet:a', 'channel-1', 'ordered', '{}', 5);");
    INFO((ins ? std::string() : ins.error().detail));
    REQUIRE(ins.has_value());
  }
  auto db = open_relay_database(path);  // applies migration 9 (and any later one)
  REQUIRE(db.has_value());
  CHECK(count(*db, "SELECT nonce FROM islands WHERE id = 'cwdevnet:a'") == 3);
  CHECK(count(*db, "SELECT nonce FROM islands WHERE id = 'cwdevnet:b'") == 3);
  CHECK(count(*db, "SELECT nonce FROM islands WHERE id = 'cwdevnet:c'") == 1);  // no channel
}

TEST_CASE("migration 11 keeps every stored proof bundle, stores new ones in append order, and the table stays "
          "append-only with one copy per hash") {
  const auto path = temp_db("bundles11.db");
  const std::string h1 = "x'" + std::string(63, '0') + "1'", h2 = "x'" + std::string(63, '0') + "2'";
  {
    auto db = Database::open(path);
    REQUIRE(db.has_value());
    REQUIRE(migrate(*db, relay_migrations().first(10)).has_value());
    // Before: a WITHOUT ROWID table keyed by the hash.
    CHECK(count(*db, "SELECT count(*) FROM sqlite_schema WHERE name = 'audit_bundles' AND sql LIKE '%WITHOUT ROWID%'") == 1);
    REQUIRE(db->exec("INSERT INTO audit_bundles(hash, bundle) VALUES(" + h2 + ", '{\"b\":2}'), (" + h1 + ", '{\"b\":1}')").has_value());
  }
  auto db = open_relay_database(path);  // applies migration 11
  REQUIRE(db.has_value());
  CHECK(count(*db, "SELECT count(*) FROM sqlite_schema WHERE name = 'audit_bundles' AND sql LIKE '%WITHOUT ROWID%'") == 0);
  CHECK(count(*db, "SELECT count(*) FROM audit_bundles") == 2);
  CHECK(count(*db, "SELECT count(*) FROM audit_bundles WHERE hash = " + h1 + " AND bundle = '{\"b\":1}'") == 1);
  CHECK(count(*db, "SELECT count(*) FROM audit_bundles WHERE hash = " + h2 + " AND bundle = '{\"b\":2}'") == 1);
  // A new bundle goes to the end (rowid order), a second copy of a hash is refused by the UNIQUE index.
  const std::string h3 = "x'" + std::string(63, '0') + "3'";
  REQUIRE(db->exec("INSERT INTO audit_bundles(hash, bundle) VALUES(" + h3 + ", '{}')").has_value());
  CHECK(count(*db, "SELECT hash = " + h3 + " FROM audit_bundles ORDER BY rowid DESC LIMIT 1") == 1);
  CHECK_FALSE(db->exec("INSERT INTO audit_bundles(hash, bundle) VALUES(" + h1 + ", 'other')").has_value());
  REQUIRE(db->exec("INSERT INTO audit_bundles(hash, bundle) VALUES(" + h1 + ", 'other') ON CONFLICT(hash) DO NOTHING").has_value());
  CHECK(count(*db, "SELECT count(*) FROM audit_bundles WHERE hash = " + h1 + " AND bundle = '{\"b\":1}'") == 1);
  // The append-only triggers came back with the new table.
  const auto upd = db->exec("UPDATE audit_bundles SET bundle = 'x' WHERE hash = " + h1);
  REQUIRE_FALSE(upd.has_value());
  CHECK(upd.error().detail.find("append-only") != std::string::npos);
  CHECK_FALSE(db->exec("DELETE FROM audit_bundles").has_value());
  CHECK(count(*db, "SELECT count(*) FROM audit_bundles") == 3);
  CHECK(check_integrity(*db).has_value());
}

TEST_CASE("packets: identity (source island, genesis, channel, sequence) is unique in the schema") {
  auto db = open_relay_database(temp_db("identity.db"));
  REQUIRE(db.has_value());
  const std::string row =
      "INSERT INTO packets(source_island, source_genesis, source_channel, sequence, commitment, dest_island, "
      "dest_genesis, dest_channel, packet, stage, source_height, source_block, source_time_ms, verified_index, "
      "created_ms, updated_ms) VALUES('cwdevnet:a', zeroblob(32), 'channel-0', 1, randomblob(32), 'cwdevnet:b', "
      "zeroblob(32), 'channel-0', x'00', 'proven', 1, randomblob(32), 1, 0, 1, 1)";
  REQUIRE(db->exec(row).has_value());
  const auto again = db->exec(row);
  REQUIRE_FALSE(again.has_value());
  CHECK(again.error().code == Code::StoreIo);
  CHECK(count(*db, "SELECT count(*) FROM packets") == 1);
}

TEST_CASE("open_relay_database refuses a damaged database (integrity_check) and unsafe settings stay refused") {
  const auto path = temp_db("damaged.db");
  {
    auto db = open_relay_database(path);
    REQUIRE(db.has_value());
    REQUIRE(db->exec("CREATE TABLE big(x BLOB); CREATE INDEX big_x ON big(x);").has_value());
    for (int i = 0; i < 200; ++i) REQUIRE(db->exec("INSERT INTO big VALUES(randomblob(400))").has_value());
    REQUIRE(db->exec("PRAGMA wal_checkpoint(TRUNCATE)").has_value());
    // unsafe settings through the same connection are refused by the authorizer
    CHECK(db->exec("PRAGMA synchronous = OFF").error().code == Code::StoreUnsafe);
    CHECK(db->exec("PRAGMA journal_mode = MEMORY").error().code == Code::StoreUnsafe);
  }
  // Corrupt pages in the middle of the file (not the header), as a torn disk write would.
  {
    FILE* f = std::fopen(path.c_str(), "r+b");
    REQUIRE(f != nullptr);
    std::fseek(f, 0, SEEK_END);
    const long size = std::ftell(f);
    REQUIRE(size > 40000);
    for (long off = 8192; off < size - 4096; off += 4096) {
      std::fseek(f, off + 100, SEEK_SET);
      const char junk[64] = "garbage garbage garbage garbage garbage garbage garbage garbage";
      std::fwrite(junk, 1, sizeof junk, f);
    }
    std::fclose(f);
  }
  auto reopened = open_relay_database(path);
  REQUIRE_FALSE(reopened.has_value());
  CHECK((reopened.error().code == Code::StoreIntegrity || reopened.error().code == Code::StoreIo));
}

TEST_CASE("group commit: each caller is acknowledged only after the COMMIT holding its change") {
  const auto path = temp_db("ack.db");
  auto db = Database::open(path);
  REQUIRE(db.has_value());
  REQUIRE(db->exec("CREATE TABLE t(v INTEGER UNIQUE)").has_value());
  GroupCommitter::Options opt;
  opt.max_batch = 64;
  opt.max_wait = std::chrono::microseconds(5000);
  GroupCommitter gc(*db, opt);
  std::vector<std::future<Status>> futures;
  std::atomic<int> seen_committed{0};
  for (int i = 0; i < 500; ++i) {
    futures.push_back(gc.submit([i](Database& d, Transaction&) { return insert(d, i); }));
  }
  for (int i = 0; i < 500; ++i) {
    REQUIRE(futures[static_cast<std::size_t>(i)].get().has_value());
    // Once acknowledged, another connection sees the row: it was committed, not merely executed.
    auto reader = Database::open(path);
    REQUIRE(reader.has_value());
    auto st = reader->prepare("SELECT count(*) FROM t WHERE v = ?1");
    (void)st->bind_int64(1, i);
    REQUIRE(st->step().value());
    if (st->column_int64(0) == 1) ++seen_committed;
  }
  CHECK(seen_committed == 500);
  gc.stop();
  const auto stats = gc.stats();
  CHECK(stats.changes == 500);
  CHECK(stats.batches < 500);  // grouped
  CHECK(stats.failed_changes == 0);
}

TEST_CASE("group commit: a failing change rolls back only itself; the batch's other changes commit") {
  const auto path = temp_db("isolate.db");
  auto db = Database::open(path);
  REQUIRE(db.has_value());
  REQUIRE(db->exec("CREATE TABLE t(v INTEGER UNIQUE)").has_value());
  GroupCommitter::Options opt;
  opt.max_batch = 16;
  opt.max_wait = std::chrono::milliseconds(50);  // the three changes land in one batch
  std::vector<bool> batch_committed;
  opt.after_batch = [&](bool c) { batch_committed.push_back(c); };
  GroupCommitter gc(*db, opt);
  auto a = gc.submit([](Database& d, Transaction&) { return insert(d, 1); });
  auto bad = gc.submit([](Database& d, Transaction&) -> Status {
    if (auto s = insert(d, 2); !s) return s;  // written, then the change fails: must be undone
    return fail(Code::InvalidArgument, "refused after writing");
  });
  auto dup = gc.submit([](Database& d, Transaction&) { return insert(d, 1); });  // constraint violation
  auto c = gc.submit([](Database& d, Transaction&) { return insert(d, 3); });
  CHECK(a.get().has_value());
  const auto bad_r = bad.get();
  REQUIRE_FALSE(bad_r.has_value());
  CHECK(bad_r.error().code == Code::InvalidArgument);
  const auto dup_r = dup.get();
  REQUIRE_FALSE(dup_r.has_value());
  CHECK(dup_r.error().code == Code::StoreIo);
  CHECK(c.get().has_value());
  gc.stop();
  CHECK(count(*db, "SELECT count(*) FROM t") == 2);
  CHECK(count(*db, "SELECT count(*) FROM t WHERE v IN (1, 3)") == 2);
  CHECK(gc.stats().failed_changes == 2);
  CHECK(gc.stats().batches == 1);
  CHECK(batch_committed == std::vector<bool>{true});
}

TEST_CASE("group commit: a restart keeps every acknowledged change; stop() drains the queue") {
  const auto path = temp_db("restart.db");
  {
    auto db = Database::open(path);
    REQUIRE(db.has_value());
    REQUIRE(db->exec("CREATE TABLE t(v INTEGER UNIQUE)").has_value());
    GroupCommitter gc(*db, {});
    std::vector<std::future<Status>> fs;
    for (int i = 0; i < 300; ++i) fs.push_back(gc.submit([i](Database& d, Transaction&) { return insert(d, i); }));
    gc.stop();  // drains: every accepted change is answered
    for (auto& f : fs) CHECK(f.get().has_value());
    auto late = gc.submit([](Database& d, Transaction&) { return insert(d, 1000); }).get();
    REQUIRE_FALSE(late.has_value());
    CHECK(late.error().code == Code::StoreIo);
  }
  auto db = Database::open(path);
  REQUIRE(db.has_value());
  CHECK(count(*db, "SELECT count(*) FROM t") == 300);
  CHECK(check_integrity(*db).has_value());
}

TEST_CASE("A13 a Bitcoin island's latest state is the one with the most work, not the highest") {
  const auto path = temp_db("latest.db");
  {
    auto db = open_relay_database(path);
    REQUIRE(db.has_value());
    REQUIRE(db->exec("INSERT INTO islands VALUES('bip122:x', randomblob(32), 'bitcoin', 'c', '{}', 1, 0);"
                     "INSERT INTO islands VALUES('cwdevnet:y', randomblob(32), 'bft', 'c', '{}', 1, 1);"
                     // Bitcoin: the anchor (10), a taller lighter branch (13), a shorter heavier one (12).
                     "INSERT INTO consensus_states VALUES('bip122:x', 10, x'" + std::string(62, 'a') + "01', NULL, 1, 0);"
                     "INSERT INTO consensus_states VALUES('bip122:x', 13, x'" + std::string(62, 'a') + "02', NULL, 1, 1);"
                     "INSERT INTO consensus_states VALUES('bip122:x', 12, x'" + std::string(62, 'a') + "03', NULL, 1, 2);"
                     "INSERT INTO bitcoin_contexts VALUES('bip122:x', 13, x'" + std::string(62, 'a') +
                     "02', '{\"total_work\": \"0x" + std::string(62, '0') + "30\"}');"
                     "INSERT INTO bitcoin_contexts VALUES('bip122:x', 12, x'" + std::string(62, 'a') +
                     "03', '{\"total_work\": \"0x" + std::string(62, '0') + "a0\"}');"
                     // Other families: the highest.
                     "INSERT INTO consensus_states VALUES('cwdevnet:y', 3, x'" + std::string(62, 'b') + "01', NULL, 1, 3);"
                     "INSERT INTO consensus_states VALUES('cwdevnet:y', 7, x'" + std::string(62, 'b') + "02', NULL, 1, 4);")
                .has_value());
  }
  auto q = ReadQueries::open(path);
  REQUIRE(q.has_value());
  const auto islands = q->islands();
  REQUIRE(islands.size() == 2);
  REQUIRE(islands[0].latest.has_value());
  CHECK(islands[0].latest->height == 12);
  CHECK(islands[0].consensus_state_count == 3);
  REQUIRE(islands[1].latest.has_value());
  CHECK(islands[1].latest->height == 7);
}

TEST_CASE("group commit: failing changes in every one of many batches roll back only themselves (savepoints reused)") {
  const auto path = temp_db("reuse.db");
  auto db = Database::open(path);
  REQUIRE(db.has_value());
  REQUIRE(db->exec("CREATE TABLE t(v INTEGER UNIQUE)").has_value());
  GroupCommitter::Options opt;
  opt.max_batch = 8;  // 40 changes: at least 5 batches
  opt.max_wait = std::chrono::milliseconds(20);
  GroupCommitter gc(*db, opt);
  std::vector<std::future<Status>> fs;
  for (int i = 0; i < 40; ++i) {
    fs.push_back(gc.submit([i](Database& d, Transaction&) -> Status {
      if (auto s = insert(d, i); !s) return s;
      if (i % 4 == 1) return fail(Code::InvalidArgument, "refused after writing");  // written, then undone
      if (i % 4 == 2) return insert(d, i - 2);  // a constraint violation after its own write
      return {};
    }));
  }
  for (int i = 0; i < 40; ++i) {
    const auto r = fs[static_cast<std::size_t>(i)].get();
    CHECK(r.has_value() == (i % 4 == 0 || i % 4 == 3));
  }
  gc.stop();
  CHECK(count(*db, "SELECT count(*) FROM t") == 20);
  CHECK(count(*db, "SELECT count(*) FROM t WHERE v % 4 IN (1, 2)") == 0);
  CHECK(gc.stats().failed_changes == 20);
  CHECK(gc.stats().failed_commits == 0);
  CHECK(gc.stats().batches >= 5);
  // The connection is left outside any transaction: the next writer can begin.
  CHECK(sqlite3_get_autocommit(db->handle()) != 0);
}

TEST_CASE("open_relay_database keeps savepoint journals in memory (temp_store=MEMORY); a failing change still undoes "
          "exactly its own writes over many pages") {
  const auto path = temp_db("temp_store.db");
  auto db = open_relay_database(path);
  REQUIRE(db.has_value());
  CHECK(db->pragma("temp_store").value() == "2");  // MEMORY
  CHECK(db->pragma("synchronous").value() == "2");  // durability unchanged: FULL
  CHECK(db->pragma("journal_mode").value() == "wal");
  REQUIRE(db->exec("CREATE TABLE big(k INTEGER PRIMARY KEY, v BLOB NOT NULL)").has_value());
  GroupCommitter::Options opt;
  opt.max_batch = 4;
  opt.max_wait = std::chrono::milliseconds(50);
  GroupCommitter gc(*db, opt);
  // Each change writes ~400 KiB (well past the 64 KiB at which a file-backed sub-journal would spill).
  auto write_rows = [](Database& d, std::int64_t from) -> Status {
    auto st = d.prepare("INSERT OR REPLACE INTO big(k, v) VALUES(?1, zeroblob(4000))");
    if (!st) return tl::unexpected(st.error());
    for (std::int64_t k = 0; k < 100; ++k) {
      st->reset();
      (void)st->bind_int64(1, from + k);
      if (auto r = st->run(); !r) return r;
    }
    return {};
  };
  auto a = gc.submit([&](Database& d, Transaction&) { return write_rows(d, 0); });
  auto bad = gc.submit([&](Database& d, Transaction&) -> Status {
    if (auto s = write_rows(d, 50); !s) return s;  // overwrites half of a's rows, adds 50 more: all undone
    return fail(Code::InvalidArgument, "refused after writing");
  });
  auto c = gc.submit([&](Database& d, Transaction&) { return write_rows(d, 1000); });
  CHECK(a.get().has_value());
  CHECK_FALSE(bad.get().has_value());
  CHECK(c.get().has_value());
  gc.stop();
  CHECK(count(*db, "SELECT count(*) FROM big") == 200);
  CHECK(count(*db, "SELECT count(*) FROM big WHERE k >= 100 AND k < 1000") == 0);
  CHECK(check_integrity(*db).has_value());
}
