// Chain-agnostic store of verified headers, per island (DESIGN.md §2), plus each island's trust anchor and
// best tip. Tables (relay_migrations() version 1):
//   headers(island TEXT, height INTEGER, hash BLOB(32), parent BLOB(32), raw BLOB, chainwork BLOB(32),
//           PRIMARY KEY(island, hash)) + index headers_by_height(island, height)
//   chain_tips(island TEXT PRIMARY KEY, anchor_height, anchor_hash BLOB(32), anchor_raw BLOB,
//              metadata TEXT (JSON, checked with json_valid by set_anchor), tip_hash BLOB(32) or NULL)
// The store persists what a light client verified; it does not verify. Hashes are stored in the byte
// order the island's light client uses (Bitcoin: internal order). chainwork is 32 bytes big-endian.
// Thread-safety: a HeaderStore uses its Database's connection: one thread at a time; it must not outlive
// the Database. It caches prepared statements, so keep one per connection.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"
#include "causeway/store/sqlite.hpp"

namespace causeway::store {

struct HeaderRow {
  std::uint64_t height = 0;  // at most INT64_MAX (SQLite INTEGER)
  Hash32 hash;               // never all zero
  Hash32 parent;             // all zero allowed (a genesis header)
  Bytes raw;                 // the header's serialized bytes, any length
  std::array<std::uint8_t, 32> chainwork{};  // cumulative work up to and including this header, big-endian
  bool operator==(const HeaderRow&) const = default;
};

struct Anchor {
  std::uint64_t height = 0;
  Hash32 hash;                  // never all zero (A01)
  Bytes raw;                    // the anchor header's bytes
  std::string metadata = "{}";  // JSON text (client-state parameters etc.); must be valid JSON
  bool operator==(const Anchor&) const = default;
};

class HeaderStore {
 public:
  // Applies relay_migrations() (no-op when current) and prepares the statements.
  // Errors: those of migrate(), ERR_STORE_IO.
  static Result<HeaderStore> open(Database& db);

  // Inserts `rows` for `island` in ONE transaction with one prepared statement. A row whose hash is
  // already stored for the island with identical fields is skipped (idempotent); the same hash with any
  // different field is ERR_STORE_CONFLICT (Error::at = "rows[i]") and nothing of the batch is stored.
  // Returns the number of rows newly inserted. Errors: ERR_STORE_CONFLICT, ERR_ZERO_ROOT (a zero hash),
  // ERR_INVALID_ARGUMENT (height > INT64_MAX, empty island), ERR_STORE_IO. All-or-nothing.
  Result<std::size_t> put_headers(std::string_view island, std::span<const HeaderRow> rows);

  // Sets (inserts or replaces) the island's anchor. Replacing it with a different anchor hash clears the
  // tip. Errors: ERR_ZERO_ROOT (all-zero hash, A01), ERR_INVALID_ARGUMENT (height, empty island,
  // metadata not valid JSON), ERR_STORE_IO.
  Status set_anchor(std::string_view island, const Anchor& anchor);
  // The island's anchor, or nullopt if none was set. Errors: ERR_STORE_IO.
  Result<std::optional<Anchor>> get_anchor(std::string_view island);

  // Records the best tip. It must be the anchor hash or a stored header of the island, else
  // ERR_STORE_CONFLICT (also when the island has no anchor). Errors: ERR_ZERO_ROOT, ERR_STORE_IO.
  Status set_tip(std::string_view island, const Hash32& tip);
  // The best tip, or nullopt (no anchor, or no tip since the anchor was set). Errors: ERR_STORE_IO.
  Result<std::optional<Hash32>> get_tip(std::string_view island);

  // One header by hash, or nullopt. Errors: ERR_STORE_IO.
  Result<std::optional<HeaderRow>> find_header(std::string_view island, const Hash32& hash);
  // All headers of the island ordered by (height, hash). Errors: ERR_STORE_IO.
  Result<std::vector<HeaderRow>> load_headers(std::string_view island);
  // Number of headers of the island. Errors: ERR_STORE_IO.
  Result<std::uint64_t> count(std::string_view island);

 private:
  HeaderStore(Database& db, Statement insert, Statement find, Statement by_height, Statement count) noexcept;
  Database* db_;
  Statement insert_;
  Statement find_;
  Statement by_height_;
  Statement count_;
};

// ---- Benchmark support (DESIGN.md §5: the limit beside the real operation) -----------------------------
// The "raw batched insert" limit of `causeway bench` for headers: the same rows inserted into a scratch
// table created from the same DDL as `headers` (header_table_ddl), in the same database file (same WAL and
// synchronous level), in one BEGIN IMMEDIATE transaction with one prepared statement — but with a plain
// INSERT, no conflict check and no verification. The bench calls prepare_raw_insert_bench() untimed, then
// times raw_insert_bench_rows() against put_headers() of the same rows into an island with no headers, so
// that both write into equally sized B-trees.
inline constexpr std::string_view kRawBenchTable = "bench_raw_headers";
// Creates the scratch table if missing and empties it. Errors: ERR_STORE_IO.
Status prepare_raw_insert_bench(Database& db);
// Errors: ERR_STORE_IO (incl. a duplicate hash within `rows`), ERR_INVALID_ARGUMENT (height > INT64_MAX).
Status raw_insert_bench_rows(Database& db, std::string_view island, std::span<const HeaderRow> rows);

}  // namespace causeway::store
