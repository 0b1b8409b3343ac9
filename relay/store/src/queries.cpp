// Read-only relay queries: see causeway/store/queries.hpp.
#include "causeway/store/queries.hpp"

#include <algorithm>
#include <cstdint>
#include <map>

namespace causeway::store {

namespace {

std::uint64_t u64(std::int64_t v) { return v < 0 ? 0 : static_cast<std::uint64_t>(v); }
std::int64_t i64(std::uint64_t v) {
  return v > static_cast<std::uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<std::int64_t>(v);
}
Hash32 hash_col(const Statement& st, int col) {
  Hash32 h;
  const ByteView v = st.column_blob(col);
  if (v.size() == 32) std::copy(v.begin(), v.end(), h.b.begin());
  return h;
}
Bytes bytes_col(const Statement& st, int col) {
  const ByteView v = st.column_blob(col);
  return Bytes(v.begin(), v.end());
}
std::string text_col(const Statement& st, int col) { return std::string(st.column_text(col)); }

constexpr const char* kPacketCols =
    "p.id, p.source_island, p.source_genesis, p.source_channel, p.sequence, p.commitment, p.dest_island, "
    "p.dest_genesis, p.dest_channel, p.packet, p.stage, p.source_height, p.source_block, p.source_time_ms, "
    "p.verified_index, p.attested_index, p.created_ms, p.updated_ms, al.time_ms, o.state, o.attempts, "
    "o.next_attempt_ms, o.last_error, o.submitted_tx, d.dest_tx, d.ack_commitment, d.dest_height, d.by_us, "
    "d.audit_index, d.time_ms ";
constexpr const char* kPacketJoins =
    "FROM packets p LEFT JOIN audit_leaves al ON al.idx = p.attested_index "
    "LEFT JOIN outbox o ON o.packet = p.id LEFT JOIN deliveries d ON d.packet = p.id ";

PacketRow packet_row(const Statement& st) {
  PacketRow r;
  r.row = st.column_int64(0);
  r.source_island = text_col(st, 1);
  r.source_genesis = hash_col(st, 2);
  r.source_channel = text_col(st, 3);
  r.sequence = u64(st.column_int64(4));
  r.commitment = hash_col(st, 5);
  r.dest_island = text_col(st, 6);
  r.dest_genesis = hash_col(st, 7);
  r.dest_channel = text_col(st, 8);
  r.packet = bytes_col(st, 9);
  r.stage = text_col(st, 10);
  r.source_height = u64(st.column_int64(11));
  r.source_block = hash_col(st, 12);
  r.source_time_ms = u64(st.column_int64(13));
  r.verified_index = u64(st.column_int64(14));
  if (!st.column_is_null(15)) r.attested_index = u64(st.column_int64(15));
  r.created_ms = u64(st.column_int64(16));
  r.updated_ms = u64(st.column_int64(17));
  if (!st.column_is_null(18)) r.attested_ms = u64(st.column_int64(18));
  if (!st.column_is_null(19)) {
    r.outbox_state = text_col(st, 19);
    r.attempts = static_cast<std::uint32_t>(std::min<std::int64_t>(st.column_int64(20), UINT32_MAX));
    r.next_attempt_ms = u64(st.column_int64(21));
    r.last_error = text_col(st, 22);
    if (!st.column_is_null(23)) r.submitted_tx = bytes_col(st, 23);
  }
  if (!st.column_is_null(24)) {
    PacketRow::Delivered d;
    d.dest_tx = bytes_col(st, 24);
    d.ack_commitment = hash_col(st, 25);
    d.dest_height = u64(st.column_int64(26));
    d.by_us = st.column_int64(27) != 0;
    d.audit_index = u64(st.column_int64(28));
    d.time_ms = u64(st.column_int64(29));
    r.delivered = std::move(d);
  }
  return r;
}

}  // namespace

struct ReadQueries::Impl {
  Database db;
  std::optional<Error> last;
  std::map<std::string, Statement, std::less<>> cache;
  explicit Impl(Database d) : db(std::move(d)) {}

  // A cached, reset statement, or nullptr (last set).
  Statement* stmt(const std::string& sql) {
    auto it = cache.find(sql);
    if (it == cache.end()) {
      auto st = db.prepare(sql);
      if (!st) {
        last = st.error();
        return nullptr;
      }
      it = cache.emplace(sql, std::move(*st)).first;
    }
    it->second.reset();
    return &it->second;
  }
  // Steps `st` calling `fn` per row; false on error (last set).
  template <class Fn>
  bool rows(Statement& st, Fn fn) {
    for (;;) {
      auto r = st.step();
      if (!r) {
        last = r.error();
        st.reset();
        return false;
      }
      if (!*r) break;
      fn(st);
    }
    st.reset();
    return true;
  }
};

ReadQueries::ReadQueries(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
ReadQueries::ReadQueries(ReadQueries&&) noexcept = default;
ReadQueries& ReadQueries::operator=(ReadQueries&&) noexcept = default;
ReadQueries::~ReadQueries() = default;

Result<ReadQueries> ReadQueries::open(const std::string& db_path) {
  OpenOptions o;
  o.read_only = true;
  o.create = false;
  auto db = Database::open(db_path, o);
  if (!db) return tl::unexpected<Error>(db.error());
  return ReadQueries(std::make_unique<Impl>(std::move(*db)));
}

const std::optional<Error>& ReadQueries::last_error() const noexcept { return impl_->last; }

Status ReadQueries::ping() {
  impl_->last.reset();
  auto* st = impl_->stmt("SELECT count(*) FROM schema_version");
  if (st == nullptr) return tl::unexpected<Error>(*impl_->last);
  if (!impl_->rows(*st, [](const Statement&) {})) return tl::unexpected<Error>(*impl_->last);
  return {};
}

std::vector<IslandRow> ReadQueries::islands() {
  impl_->last.reset();
  std::vector<IslandRow> out;
  auto* st = impl_->stmt(
      "SELECT i.id, i.genesis, i.family, i.codec, i.record, i.nonce, i.registered_index, c.status, "
      "c.trusting_period_s, (SELECT count(*) FROM consensus_states s WHERE s.island = i.id), "
      "l.height, l.hash, l.time_ms, l.audit_index "
      "FROM islands i LEFT JOIN client_states c ON c.island = i.id "
      // latest: the state with the most work since the anchor for a Bitcoin island (bitcoin_contexts; the
      // registered anchor has no row and counts 0; total_work is fixed-width hex, so it orders as text), else
      // the highest.
      "LEFT JOIN consensus_states l ON l.rowid = "
      "(SELECT m.rowid FROM consensus_states m LEFT JOIN bitcoin_contexts b ON b.island = m.island "
      "AND b.height = m.height AND b.hash = m.hash WHERE m.island = i.id "
      "ORDER BY coalesce(json_extract(b.context, '$.total_work'), '') DESC, m.height DESC, m.audit_index DESC "
      "LIMIT 1) "
      "GROUP BY i.id ORDER BY i.registered_index");
  if (st == nullptr) return out;
  impl_->rows(*st, [&](const Statement& s) {
    IslandRow r;
    r.id = text_col(s, 0);
    r.genesis = hash_col(s, 1);
    r.family = text_col(s, 2);
    r.codec = text_col(s, 3);
    r.record = text_col(s, 4);
    r.nonce = u64(s.column_int64(5));
    r.registered_index = u64(s.column_int64(6));
    r.client_status = s.column_is_null(7) ? "unknown" : text_col(s, 7);
    r.trusting_period_s = u64(s.column_int64(8));
    r.consensus_state_count = u64(s.column_int64(9));
    if (!s.column_is_null(10))
      r.latest = ConsensusStateRow{u64(s.column_int64(10)), hash_col(s, 11), u64(s.column_int64(12)),
                                   u64(s.column_int64(13))};
    out.push_back(std::move(r));
  });
  return out;
}

std::optional<IslandRow> ReadQueries::island(const std::string& id) {
  for (auto& r : islands())
    if (r.id == id) return std::move(r);
  return std::nullopt;
}

std::vector<ConsensusStateRow> ReadQueries::consensus_states(const std::string& island) {
  impl_->last.reset();
  std::vector<ConsensusStateRow> out;
  auto* st = impl_->stmt("SELECT height, hash, time_ms, audit_index FROM consensus_states WHERE island = ?1 "
                         "ORDER BY height, audit_index");
  if (st == nullptr) return out;
  (void)st->bind_text(1, island);
  impl_->rows(*st, [&](const Statement& s) {
    out.push_back(ConsensusStateRow{u64(s.column_int64(0)), hash_col(s, 1), u64(s.column_int64(2)),
                                    u64(s.column_int64(3))});
  });
  return out;
}

std::vector<ChannelRow> ReadQueries::channels(const std::string& island) {
  impl_->last.reset();
  std::vector<ChannelRow> out;
  auto* st = impl_->stmt("SELECT island, channel, port, counterparty_island, counterparty_channel, ordering, record, "
                         "opened_index FROM channels WHERE ?1 = '' OR island = ?1 ORDER BY opened_index");
  if (st == nullptr) return out;
  (void)st->bind_text(1, island);
  impl_->rows(*st, [&](const Statement& s) {
    out.push_back(ChannelRow{text_col(s, 0), text_col(s, 1), text_col(s, 2), text_col(s, 3), text_col(s, 4),
                             text_col(s, 5), text_col(s, 6), u64(s.column_int64(7))});
  });
  return out;
}

std::optional<ChannelRow> ReadQueries::channel(const std::string& island, const std::string& channel) {
  for (auto& r : channels(island))
    if (r.channel == channel) return std::move(r);
  return std::nullopt;
}

std::optional<PacketRow> ReadQueries::packet(const PacketKey& key) {
  impl_->last.reset();
  std::optional<PacketRow> out;
  auto* st = impl_->stmt(std::string("SELECT ") + kPacketCols + kPacketJoins +
                         "WHERE p.source_island = ?1 AND p.source_genesis = ?2 AND p.source_channel = ?3 "
                         "AND p.sequence = ?4");
  if (st == nullptr) return out;
  (void)st->bind_text(1, key.source_island);
  (void)st->bind_blob(2, key.source_genesis.view());
  (void)st->bind_text(3, key.source_channel);
  (void)st->bind_int64(4, i64(key.sequence));
  impl_->rows(*st, [&](const Statement& s) { out = packet_row(s); });
  return out;
}

std::vector<PacketRow> ReadQueries::packets_by_channel(const std::string& source_island,
                                                       const std::string& source_channel, std::uint64_t after,
                                                       std::size_t limit) {
  impl_->last.reset();
  std::vector<PacketRow> out;
  auto* st = impl_->stmt(std::string("SELECT ") + kPacketCols + kPacketJoins +
                         "WHERE p.source_island = ?1 AND p.source_channel = ?2 AND p.sequence > ?3 "
                         "ORDER BY p.sequence, p.id LIMIT ?4");
  if (st == nullptr) return out;
  (void)st->bind_text(1, source_island);
  (void)st->bind_text(2, source_channel);
  (void)st->bind_int64(3, i64(after));
  (void)st->bind_int64(4, static_cast<std::int64_t>(std::min(limit, kMaxPacketPage)));
  impl_->rows(*st, [&](const Statement& s) { out.push_back(packet_row(s)); });
  return out;
}

std::vector<AttestationRow> ReadQueries::attestations(std::int64_t packet_row_id) {
  impl_->last.reset();
  std::vector<AttestationRow> out;
  auto* st = impl_->stmt("SELECT member, audit_index, signature FROM attestations WHERE packet = ?1 ORDER BY member");
  if (st == nullptr) return out;
  (void)st->bind_int64(1, packet_row_id);
  impl_->rows(*st, [&](const Statement& s) {
    out.push_back(AttestationRow{bytes_col(s, 0), u64(s.column_int64(1)), bytes_col(s, 2)});
  });
  return out;
}

std::optional<std::string> ReadQueries::bundle_at(std::uint64_t verified_index) {
  impl_->last.reset();
  std::optional<std::string> out;
  auto* st = impl_->stmt("SELECT b.bundle FROM audit_leaves l JOIN audit_bundles b ON b.hash = l.bundle_hash "
                         "WHERE l.idx = ?1");
  if (st == nullptr) return out;
  (void)st->bind_int64(1, i64(verified_index));
  impl_->rows(*st, [&](const Statement& s) { out = text_col(s, 0); });
  return out;
}

std::vector<PacketRow> ReadQueries::undelivered_to(const std::string& dest_island, std::int64_t after_row,
                                                   std::size_t limit) {
  impl_->last.reset();
  std::vector<PacketRow> out;
  auto* st = impl_->stmt(std::string("SELECT ") + kPacketCols + kPacketJoins +
                         "WHERE o.dest_island = ?1 AND o.state IN ('pending', 'submitted') AND p.id > ?2 "
                         "ORDER BY p.id LIMIT ?3");
  if (st == nullptr) return out;
  (void)st->bind_text(1, dest_island);
  (void)st->bind_int64(2, after_row);
  (void)st->bind_int64(3, static_cast<std::int64_t>(std::min(limit, kMaxPacketPage)));
  impl_->rows(*st, [&](const Statement& s) { out.push_back(packet_row(s)); });
  return out;
}

namespace {
constexpr const char* kTransferSelect =
    "SELECT t.packet, t.denom, t.amount, t.going_home, p.stage, p.source_island, p.source_genesis, "
    "p.source_channel, p.sequence, p.dest_island, p.dest_channel FROM transfers t JOIN packets p ON p.id = t.packet ";
TransferRow transfer_row(const Statement& s) {
  TransferRow r;
  r.packet_row = s.column_int64(0);
  r.denom = text_col(s, 1);
  r.amount = hash_col(s, 2);
  r.going_home = s.column_int64(3) != 0;
  r.stage = text_col(s, 4);
  r.key = PacketKey{text_col(s, 5), hash_col(s, 6), text_col(s, 7), u64(s.column_int64(8))};
  r.dest_island = text_col(s, 9);
  r.dest_channel = text_col(s, 10);
  return r;
}
}  // namespace

std::optional<TransferRow> ReadQueries::transfer(std::int64_t packet_row_id) {
  impl_->last.reset();
  std::optional<TransferRow> out;
  auto* st = impl_->stmt(std::string(kTransferSelect) + "WHERE t.packet = ?1");
  if (st == nullptr) return out;
  (void)st->bind_int64(1, packet_row_id);
  impl_->rows(*st, [&](const Statement& s) { out = transfer_row(s); });
  return out;
}

std::vector<TransferRow> ReadQueries::transfers_by_channel(const std::string& source_island,
                                                           const std::string& source_channel) {
  impl_->last.reset();
  std::vector<TransferRow> out;
  auto* st = impl_->stmt(std::string(kTransferSelect) +
                         "WHERE p.source_island = ?1 AND p.source_channel = ?2 ORDER BY p.sequence");
  if (st == nullptr) return out;
  (void)st->bind_text(1, source_island);
  (void)st->bind_text(2, source_channel);
  impl_->rows(*st, [&](const Statement& s) { out.push_back(transfer_row(s)); });
  return out;
}

std::vector<BacklogRow> ReadQueries::backlog() {
  impl_->last.reset();
  std::vector<BacklogRow> out;
  auto* st = impl_->stmt("SELECT p.dest_island, p.dest_channel, count(*), min(p.created_ms) FROM outbox o "
                         "JOIN packets p ON p.id = o.packet WHERE o.state IN ('pending', 'submitted') "
                         "GROUP BY p.dest_island, p.dest_channel ORDER BY p.dest_island, p.dest_channel");
  if (st == nullptr) return out;
  impl_->rows(*st, [&](const Statement& s) {
    out.push_back(BacklogRow{text_col(s, 0), text_col(s, 1), u64(s.column_int64(2)), u64(s.column_int64(3))});
  });
  return out;
}

ReadQueries::LatencyBuckets ReadQueries::delivery_latency(const std::vector<double>& bounds_ms) {
  impl_->last.reset();
  LatencyBuckets out;
  out.cumulative.assign(bounds_ms.size(), 0);
  auto* st = impl_->stmt("SELECT d.time_ms - p.created_ms FROM deliveries d JOIN packets p ON p.id = d.packet");
  if (st == nullptr) return out;
  impl_->rows(*st, [&](const Statement& s) {
    const double lat = static_cast<double>(std::max<std::int64_t>(0, s.column_int64(0)));
    out.count += 1;
    out.sum_ms += lat;
    for (std::size_t i = 0; i < bounds_ms.size(); ++i)
      if (lat <= bounds_ms[i]) out.cumulative[i] += 1;
  });
  return out;
}

std::uint64_t ReadQueries::audit_tree_size() {
  impl_->last.reset();
  std::uint64_t n = 0;
  auto* st = impl_->stmt("SELECT count(*) FROM audit_leaves");
  if (st == nullptr) return 0;
  impl_->rows(*st, [&](const Statement& s) { n = u64(s.column_int64(0)); });
  return n;
}

std::uint64_t ReadQueries::packet_total() {
  impl_->last.reset();
  std::uint64_t n = 0;
  auto* st = impl_->stmt("SELECT count(*) FROM packets");
  if (st == nullptr) return 0;
  impl_->rows(*st, [&](const Statement& s) { n = u64(s.column_int64(0)); });
  return n;
}

}  // namespace causeway::store
