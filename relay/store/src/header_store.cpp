// Header store: see causeway/store/header_store.hpp for the contract.
#include "causeway/store/header_store.hpp"

#include <algorithm>
#include <limits>
#include <string>
#include <utility>

#include "causeway/store/migrations.hpp"

namespace causeway::store {

namespace {

constexpr std::uint64_t kMaxHeight = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

// Resets a cached statement when leaving a scope, so that no statement keeps a read snapshot open.
struct ResetOnExit {
  Statement& st;
  ~ResetOnExit() { st.reset(); }
};

template <class T>
tl::unexpected<Error> err(T&& e) {
  return tl::unexpected<Error>(std::forward<T>(e).error());
}

Status check_island(std::string_view island) {
  if (island.empty()) return fail(Code::InvalidArgument, "empty island id");
  return {};
}

// Binds ?1 island ?2 height ?3 hash ?4 parent ?5 raw ?6 chainwork; blobs by reference (row outlives step).
Status bind_row(Statement& st, std::string_view island, const HeaderRow& row) {
  if (row.height > kMaxHeight) return fail(Code::InvalidArgument, "height above INT64_MAX");
  if (auto s = st.bind_text(1, island); !s) return s;
  if (auto s = st.bind_int64(2, static_cast<std::int64_t>(row.height)); !s) return s;
  if (auto s = st.bind_blob_ref(3, row.hash.view()); !s) return s;
  if (auto s = st.bind_blob_ref(4, row.parent.view()); !s) return s;
  if (auto s = st.bind_blob_ref(5, row.raw); !s) return s;
  return st.bind_blob_ref(6, ByteView(row.chainwork.data(), row.chainwork.size()));
}

Result<Hash32> hash_column(const Statement& st, int col) {
  const ByteView v = st.column_blob(col);
  if (v.size() != Hash32::size()) return fail(Code::StoreIo, "stored hash is not 32 bytes (corrupt row)");
  return Hash32::from(v);
}

std::string insert_sql(std::string_view table, bool ignore_existing) {
  std::string sql = "INSERT INTO " + std::string(table) +
                    "(island, height, hash, parent, raw, chainwork) VALUES(?1, ?2, ?3, ?4, ?5, ?6)";
  if (ignore_existing) sql += " ON CONFLICT(island, hash) DO NOTHING";
  return sql;
}

}  // namespace

HeaderStore::HeaderStore(Database& db, Statement insert, Statement find, Statement by_height, Statement count) noexcept
    : db_(&db), insert_(std::move(insert)), find_(std::move(find)), by_height_(std::move(by_height)),
      count_(std::move(count)) {}

Result<HeaderStore> HeaderStore::open(Database& db) {
  if (auto s = migrate(db, relay_migrations()); !s) return err(std::move(s));
  auto insert = db.prepare(insert_sql("headers", true));
  if (!insert) return err(std::move(insert));
  auto find = db.prepare("SELECT height, parent, raw, chainwork FROM headers WHERE island = ?1 AND hash = ?2");
  if (!find) return err(std::move(find));
  auto by_height = db.prepare(
      "SELECT height, hash, parent, raw, chainwork FROM headers WHERE island = ?1 ORDER BY height, hash");
  if (!by_height) return err(std::move(by_height));
  auto count = db.prepare("SELECT count(*) FROM headers WHERE island = ?1");
  if (!count) return err(std::move(count));
  return HeaderStore(db, std::move(*insert), std::move(*find), std::move(*by_height), std::move(*count));
}

Result<std::size_t> HeaderStore::put_headers(std::string_view island, std::span<const HeaderRow> rows) {
  if (auto s = check_island(island); !s) return err(std::move(s));
  for (std::size_t i = 0; i < rows.size(); ++i) {  // validate before taking the write lock
    const std::string at = "rows[" + std::to_string(i) + "]";
    if (rows[i].hash.is_zero()) return fail(Code::ZeroRoot, "header hash is all zero", at);
    if (rows[i].height > kMaxHeight) return fail(Code::InvalidArgument, "height above INT64_MAX", at);
  }
  auto tx = Transaction::begin(*db_);
  if (!tx) return err(std::move(tx));
  std::size_t inserted = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const HeaderRow& row = rows[i];
    {
      ResetOnExit guard{insert_};
      if (auto s = bind_row(insert_, island, row); !s) return err(std::move(s));
      if (auto s = insert_.run(); !s) {
        Error e = std::move(s.error());
        e.at = "rows[" + std::to_string(i) + "]";
        return tl::unexpected<Error>(std::move(e));
      }
    }
    if (db_->changes() == 1) {
      ++inserted;
      continue;
    }
    // Same (island, hash) already stored (before or earlier in this batch): identical, or a conflict.
    auto existing = find_header(island, row.hash);
    if (!existing) return err(std::move(existing));
    if (!*existing || !(**existing == row)) {
      return fail(Code::StoreConflict, "a different header is stored under this hash",
                  "rows[" + std::to_string(i) + "]");
    }
  }
  if (auto s = tx->commit(); !s) return err(std::move(s));
  return inserted;
}

Result<std::optional<HeaderRow>> HeaderStore::find_header(std::string_view island, const Hash32& hash) {
  ResetOnExit guard{find_};
  if (auto s = find_.bind_text(1, island); !s) return err(std::move(s));
  if (auto s = find_.bind_blob_ref(2, hash.view()); !s) return err(std::move(s));
  auto r = find_.step();
  if (!r) return err(std::move(r));
  if (!*r) return std::optional<HeaderRow>{};
  HeaderRow row;
  row.height = static_cast<std::uint64_t>(find_.column_int64(0));
  row.hash = hash;
  auto parent = hash_column(find_, 1);
  if (!parent) return err(std::move(parent));
  row.parent = *parent;
  const ByteView raw = find_.column_blob(2);
  row.raw.assign(raw.begin(), raw.end());
  auto work = hash_column(find_, 3);
  if (!work) return err(std::move(work));
  row.chainwork = work->b;
  return std::optional<HeaderRow>(std::move(row));
}

Result<std::vector<HeaderRow>> HeaderStore::load_headers(std::string_view island) {
  ResetOnExit guard{by_height_};
  if (auto s = by_height_.bind_text(1, island); !s) return err(std::move(s));
  std::vector<HeaderRow> out;
  for (;;) {
    auto r = by_height_.step();
    if (!r) return err(std::move(r));
    if (!*r) break;
    HeaderRow row;
    row.height = static_cast<std::uint64_t>(by_height_.column_int64(0));
    auto hash = hash_column(by_height_, 1);
    auto parent = hash_column(by_height_, 2);
    auto work = hash_column(by_height_, 4);
    if (!hash) return err(std::move(hash));
    if (!parent) return err(std::move(parent));
    if (!work) return err(std::move(work));
    row.hash = *hash;
    row.parent = *parent;
    const ByteView raw = by_height_.column_blob(3);
    row.raw.assign(raw.begin(), raw.end());
    row.chainwork = work->b;
    out.push_back(std::move(row));
  }
  return out;
}

Result<std::uint64_t> HeaderStore::count(std::string_view island) {
  ResetOnExit guard{count_};
  if (auto s = count_.bind_text(1, island); !s) return err(std::move(s));
  auto r = count_.step();
  if (!r) return err(std::move(r));
  return static_cast<std::uint64_t>(count_.column_int64(0));
}

Status HeaderStore::set_anchor(std::string_view island, const Anchor& anchor) {
  if (auto s = check_island(island); !s) return s;
  if (anchor.hash.is_zero()) return fail(Code::ZeroRoot, "anchor hash is all zero (A01)", "anchor.hash");
  if (anchor.height > kMaxHeight) return fail(Code::InvalidArgument, "height above INT64_MAX", "anchor.height");
  {
    auto valid = db_->prepare("SELECT json_valid(?1)");
    if (!valid) return err(std::move(valid));
    if (auto s = valid->bind_text(1, anchor.metadata); !s) return s;
    auto r = valid->step();
    if (!r) return err(std::move(r));
    if (!*r || valid->column_int64(0) != 1) {
      return fail(Code::InvalidArgument, "anchor metadata is not valid JSON", "anchor.metadata");
    }
  }
  auto st = db_->prepare(
      "INSERT INTO chain_tips(island, anchor_height, anchor_hash, anchor_raw, metadata, tip_hash) "
      "VALUES(?1, ?2, ?3, ?4, ?5, NULL) "
      "ON CONFLICT(island) DO UPDATE SET anchor_height = excluded.anchor_height, "
      "anchor_hash = excluded.anchor_hash, anchor_raw = excluded.anchor_raw, metadata = excluded.metadata, "
      "tip_hash = CASE WHEN chain_tips.anchor_hash = excluded.anchor_hash THEN chain_tips.tip_hash ELSE NULL END");
  if (!st) return err(std::move(st));
  if (auto s = st->bind_text(1, island); !s) return s;
  if (auto s = st->bind_int64(2, static_cast<std::int64_t>(anchor.height)); !s) return s;
  if (auto s = st->bind_blob_ref(3, anchor.hash.view()); !s) return s;
  if (auto s = st->bind_blob_ref(4, anchor.raw); !s) return s;
  if (auto s = st->bind_text(5, anchor.metadata); !s) return s;
  return st->run();
}

Result<std::optional<Anchor>> HeaderStore::get_anchor(std::string_view island) {
  auto st = db_->prepare("SELECT anchor_height, anchor_hash, anchor_raw, metadata FROM chain_tips WHERE island = ?1");
  if (!st) return err(std::move(st));
  if (auto s = st->bind_text(1, island); !s) return err(std::move(s));
  auto r = st->step();
  if (!r) return err(std::move(r));
  if (!*r) return std::optional<Anchor>{};
  Anchor a;
  a.height = static_cast<std::uint64_t>(st->column_int64(0));
  auto hash = hash_column(*st, 1);
  if (!hash) return err(std::move(hash));
  a.hash = *hash;
  const ByteView raw = st->column_blob(2);
  a.raw.assign(raw.begin(), raw.end());
  a.metadata = std::string(st->column_text(3));
  return std::optional<Anchor>(std::move(a));
}

Status HeaderStore::set_tip(std::string_view island, const Hash32& tip) {
  if (tip.is_zero()) return fail(Code::ZeroRoot, "tip hash is all zero");
  auto st = db_->prepare(
      "UPDATE chain_tips SET tip_hash = ?2 WHERE island = ?1 AND "
      "(anchor_hash = ?2 OR EXISTS(SELECT 1 FROM headers WHERE island = ?1 AND hash = ?2))");
  if (!st) return err(std::move(st));
  if (auto s = st->bind_text(1, island); !s) return s;
  if (auto s = st->bind_blob_ref(2, tip.view()); !s) return s;
  if (auto s = st->run(); !s) return s;
  if (db_->changes() != 1) {
    return fail(Code::StoreConflict, "tip is neither the anchor nor a stored header of the island (or no anchor)");
  }
  return {};
}

Result<std::optional<Hash32>> HeaderStore::get_tip(std::string_view island) {
  auto st = db_->prepare("SELECT tip_hash FROM chain_tips WHERE island = ?1");
  if (!st) return err(std::move(st));
  if (auto s = st->bind_text(1, island); !s) return err(std::move(s));
  auto r = st->step();
  if (!r) return err(std::move(r));
  if (!*r || st->column_is_null(0)) return std::optional<Hash32>{};
  auto hash = hash_column(*st, 0);
  if (!hash) return err(std::move(hash));
  return std::optional<Hash32>(*hash);
}

Status prepare_raw_insert_bench(Database& db) {
  if (auto s = db.exec(header_table_ddl(kRawBenchTable)); !s) return s;
  return db.exec("DELETE FROM " + std::string(kRawBenchTable));
}

Status raw_insert_bench_rows(Database& db, std::string_view island, std::span<const HeaderRow> rows) {
  auto tx = Transaction::begin(db);
  if (!tx) return err(std::move(tx));
  auto st = db.prepare(insert_sql(kRawBenchTable, false));
  if (!st) return err(std::move(st));
  for (const HeaderRow& row : rows) {
    ResetOnExit guard{*st};
    if (auto s = bind_row(*st, island, row); !s) return s;
    if (auto s = st->run(); !s) return s;
  }
  return tx->commit();
}

}  // namespace causeway::store
