// The audit log over SQLite: see causeway/audit/log.hpp for the contract.
#include "causeway/audit/log.hpp"

#include <sqlite3.h>

#include <bit>
#include <nlohmann/json.hpp>

#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/merkle/rfc6962.hpp"
#include "causeway/store/migrations.hpp"

namespace causeway::audit {

namespace rfc = merkle::rfc6962;
using store::Statement;

namespace {

struct ResetOnExit {
  Statement& st;
  ~ResetOnExit() { st.reset(); }
};

template <class T>
tl::unexpected<Error> err(T&& e) {
  return tl::unexpected<Error>(std::forward<T>(e).error());
}

ByteView text_view(const std::string& s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

// Binds text without copying it (SQLITE_STATIC): `v` must outlive the statement's next step()/reset(). The
// 3.5 KB proof bundle of every packet_verified entry is not copied once more before SQLite writes it.
Status bind_text_ref(Statement& st, int index, std::string_view v) {
  const char* p = v.empty() ? "" : v.data();
  const int rc = sqlite3_bind_text64(st.handle(), index, p, v.size(), sqlite3_destructor_type{}, SQLITE_UTF8);
  if (rc == SQLITE_OK) return {};
  return tl::unexpected<Error>(store::sqlite_error(sqlite3_db_handle(st.handle()), rc, "bind ?" + std::to_string(index)));
}

Result<Hash32> hash_col(const Statement& st, int col) {
  const ByteView v = st.column_blob(col);
  if (v.size() != Hash32::size()) return fail(Code::StoreIo, "stored hash is not 32 bytes (corrupt row)");
  return Hash32::from(v);
}

}  // namespace

struct AuditLog::Impl {
  Impl(store::Database* d, std::vector<Statement>& v)
      : db(d), size(std::move(v[0])), leaf_hash(std::move(v[1])), node(std::move(v[2])),
        insert_leaf(std::move(v[3])), insert_node(std::move(v[4])), insert_bundle(std::move(v[5])),
        leaves(std::move(v[6])), bundle(std::move(v[7])), sths(std::move(v[8])), insert_sth(std::move(v[9])) {}
  store::Database* db;
  Statement size, leaf_hash, node, insert_leaf, insert_node, insert_bundle, leaves, bundle, sths, insert_sth;

  Result<std::uint64_t> count() {
    ResetOnExit r{size};
    auto row = size.step();
    if (!row) return err(std::move(row));
    return static_cast<std::uint64_t>(size.column_int64(0));
  }

  // The stored hash of the complete subtree (level, idx); level 0 = a leaf hash.
  Result<Hash32> stored(unsigned level, std::uint64_t idx) {
    Statement& st = level == 0 ? leaf_hash : node;
    ResetOnExit r{st};
    if (level == 0) {
      if (auto s = st.bind_int64(1, static_cast<std::int64_t>(idx)); !s) return err(std::move(s));
    } else {
      if (auto s = st.bind_int64(1, level); !s) return err(std::move(s));
      if (auto s = st.bind_int64(2, static_cast<std::int64_t>(idx)); !s) return err(std::move(s));
    }
    auto row = st.step();
    if (!row) return err(std::move(row));
    if (!*row) {
      return fail(Code::StoreIo, "audit tree node (" + std::to_string(level) + ", " + std::to_string(idx) +
                                     ") is missing (corrupt log)");
    }
    return hash_col(st, 0);
  }

  // MTH(D[lo:hi]), hi > lo: stored when the range is a complete aligned subtree, else split as RFC 6962.
  Result<Hash32> range_root(std::uint64_t lo, std::uint64_t hi) {
    const std::uint64_t n = hi - lo;
    if (std::has_single_bit(n) && lo % n == 0) {
      return stored(static_cast<unsigned>(std::countr_zero(n)), lo / n);
    }
    const std::uint64_t k = std::bit_floor(n - 1);
    auto left = range_root(lo, lo + k);
    if (!left) return left;
    auto right = range_root(lo + k, hi);
    if (!right) return right;
    return rfc::node_hash(*left, *right);
  }

  // PATH(m, D[lo:hi]) of RFC 6962 §2.1.1 (m absolute), bottom-up.
  Status path(std::uint64_t m, std::uint64_t lo, std::uint64_t hi, std::vector<Hash32>& out) {
    if (hi - lo <= 1) return {};
    const std::uint64_t k = std::bit_floor(hi - lo - 1);
    Result<Hash32> sib = Hash32{};
    if (m < lo + k) {
      if (auto s = path(m, lo, lo + k, out); !s) return s;
      sib = range_root(lo + k, hi);
    } else {
      if (auto s = path(m, lo + k, hi, out); !s) return s;
      sib = range_root(lo, lo + k);
    }
    if (!sib) return err(std::move(sib));
    out.push_back(*sib);
    return {};
  }

  // SUBPROOF(m, D[lo:hi], complete) of RFC 6962 §2.1.2 (m relative to lo), bottom-up.
  Status subproof(std::uint64_t m, std::uint64_t lo, std::uint64_t hi, bool complete, std::vector<Hash32>& out) {
    const std::uint64_t n = hi - lo;
    if (m == n) {
      if (complete) return {};
      auto r = range_root(lo, hi);
      if (!r) return err(std::move(r));
      out.push_back(*r);
      return {};
    }
    const std::uint64_t k = std::bit_floor(n - 1);
    Result<Hash32> sib = Hash32{};
    if (m <= k) {
      if (auto s = subproof(m, lo, lo + k, complete, out); !s) return s;
      sib = range_root(lo + k, hi);
    } else {
      if (auto s = subproof(m - k, lo + k, hi, false, out); !s) return s;
      sib = range_root(lo, lo + k);
    }
    if (!sib) return err(std::move(sib));
    out.push_back(*sib);
    return {};
  }
};

AuditLog::AuditLog(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
AuditLog::AuditLog(AuditLog&&) noexcept = default;
AuditLog& AuditLog::operator=(AuditLog&&) noexcept = default;
AuditLog::~AuditLog() = default;

Result<AuditLog> AuditLog::open(store::Database& db) {
  if (auto s = store::migrate(db, store::relay_migrations()); !s) return err(std::move(s));
  return prepare(db);
}

Result<AuditLog> AuditLog::open_read_only(store::Database& db) {
  auto v = store::schema_version(db);
  if (!v) return err(std::move(v));
  const auto want = static_cast<int>(store::relay_migrations().size());
  if (*v != want) {
    return fail(Code::StoreMigration, "database schema version " + std::to_string(*v) + ", this code reads " +
                                          std::to_string(want));
  }
  return prepare(db);
}

Result<AuditLog> AuditLog::prepare(store::Database& db) {
  static constexpr const char* kSql[] = {
      "SELECT coalesce(max(idx) + 1, 0) FROM audit_leaves",
      "SELECT leaf_hash FROM audit_leaves WHERE idx = ?1",
      "SELECT hash FROM audit_nodes WHERE level = ?1 AND idx = ?2",
      "INSERT INTO audit_leaves(idx, kind, time_ms, data, leaf_hash, bundle_hash) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
      "INSERT INTO audit_nodes(level, idx, hash) VALUES(?1, ?2, ?3)",
      "INSERT INTO audit_bundles(hash, bundle) VALUES(?1, ?2) ON CONFLICT(hash) DO NOTHING",
      "SELECT idx, data, leaf_hash, bundle_hash FROM audit_leaves WHERE idx >= ?1 ORDER BY idx LIMIT ?2",
      "SELECT bundle FROM audit_bundles WHERE hash = ?1",
      "SELECT tree_size, timestamp_ms, root_hash, log_id, signature FROM audit_sths ORDER BY seq",
      "INSERT INTO audit_sths(tree_size, timestamp_ms, root_hash, log_id, signature) VALUES(?1, ?2, ?3, ?4, ?5)"};
  std::vector<Statement> prepared;
  for (const char* sql : kSql) {
    auto p = db.prepare(sql);
    if (!p) return err(std::move(p));
    prepared.push_back(std::move(*p));
  }
  auto impl = std::make_unique<Impl>(&db, prepared);
  return AuditLog(std::move(impl));
}

Result<std::uint64_t> AuditLog::append(store::Transaction&, const Event& event) {
  Impl& m = *impl_;
  if (sqlite3_get_autocommit(m.db->handle()) != 0) {
    return fail(Code::InvalidArgument, "AuditLog::append needs the caller's open transaction (DESIGN.md rule 4)");
  }
  std::uint64_t time_ms = event.time_ms;
  if (!event.checked) {  // not from make_event: read time_ms from the leaf itself
    const auto doc = nlohmann::json::parse(event.leaf_data, nullptr, /*allow_exceptions=*/false);
    if (!doc.is_object() || !doc.contains("time_ms") || !doc["time_ms"].is_number_unsigned()) {
      return fail(Code::InvalidArgument, "event was not built by make_event/build");
    }
    time_ms = doc["time_ms"].get<std::uint64_t>();
  }
  auto n = m.count();
  if (!n) return n;
  const std::uint64_t index = *n;
  const Hash32 lh = rfc::leaf_hash(text_view(event.leaf_data));
  std::optional<Hash32> bh;
  if (event.bundle) {
    bh = event.checked && event.bundle_hash ? *event.bundle_hash : sha256(text_view(*event.bundle));
    ResetOnExit r{m.insert_bundle};
    if (auto s = m.insert_bundle.bind_blob_ref(1, bh->view()); !s) return err(std::move(s));
    if (auto s = bind_text_ref(m.insert_bundle, 2, *event.bundle); !s) return err(std::move(s));
    if (auto s = m.insert_bundle.run(); !s) return err(std::move(s));
  }
  {
    ResetOnExit r{m.insert_leaf};
    Statement& st = m.insert_leaf;
    if (auto s = st.bind_int64(1, static_cast<std::int64_t>(index)); !s) return err(std::move(s));
    if (auto s = bind_text_ref(st, 2, kind_name(event.kind)); !s) return err(std::move(s));
    if (auto s = st.bind_int64(3, static_cast<std::int64_t>(time_ms)); !s) return err(std::move(s));
    if (auto s = st.bind_blob_ref(4, text_view(event.leaf_data)); !s) return err(std::move(s));
    if (auto s = st.bind_blob_ref(5, lh.view()); !s) return err(std::move(s));
    if (bh) {
      if (auto s = st.bind_blob_ref(6, bh->view()); !s) return err(std::move(s));
    } else if (auto s = st.bind_null(6); !s) {
      return err(std::move(s));
    }
    if (auto s = st.run(); !s) return err(std::move(s));
  }
  // Every subtree that this leaf completes: while the node is a right child, hash it with its left sibling.
  Hash32 h = lh;
  std::uint64_t idx = index;
  unsigned level = 0;
  while ((idx & 1U) != 0) {
    auto left = m.stored(level, idx - 1);
    if (!left) return err(std::move(left));
    h = rfc::node_hash(*left, h);
    idx >>= 1U;
    ++level;
    ResetOnExit r{m.insert_node};
    if (auto s = m.insert_node.bind_int64(1, level); !s) return err(std::move(s));
    if (auto s = m.insert_node.bind_int64(2, static_cast<std::int64_t>(idx)); !s) return err(std::move(s));
    if (auto s = m.insert_node.bind_blob_ref(3, h.view()); !s) return err(std::move(s));
    if (auto s = m.insert_node.run(); !s) return err(std::move(s));
  }
  return index;
}

Result<std::uint64_t> AuditLog::size() { return impl_->count(); }

Result<Hash32> AuditLog::root(std::uint64_t tree_size) {
  auto n = impl_->count();
  if (!n) return err(std::move(n));
  if (tree_size > *n) {
    return fail(Code::MerkleIndex, "tree size " + std::to_string(tree_size) + " > log size " + std::to_string(*n));
  }
  if (tree_size == 0) return rfc::empty_root();
  return impl_->range_root(0, tree_size);
}

Result<std::vector<Hash32>> AuditLog::inclusion_proof(std::uint64_t index, std::uint64_t tree_size) {
  auto n = impl_->count();
  if (!n) return err(std::move(n));
  if (index >= tree_size || tree_size > *n) {
    return fail(Code::MerkleIndex, "leaf " + std::to_string(index) + " / tree size " + std::to_string(tree_size) +
                                       " outside the log of " + std::to_string(*n));
  }
  std::vector<Hash32> out;
  if (auto s = impl_->path(index, 0, tree_size, out); !s) return err(std::move(s));
  return out;
}

Result<std::vector<Hash32>> AuditLog::consistency_proof(std::uint64_t size1, std::uint64_t size2) {
  auto n = impl_->count();
  if (!n) return err(std::move(n));
  if (size1 == 0 || size1 > size2 || size2 > *n) {
    return fail(Code::MerkleIndex, "sizes " + std::to_string(size1) + ", " + std::to_string(size2) +
                                       " not 0 < size1 <= size2 <= " + std::to_string(*n));
  }
  std::vector<Hash32> out;
  if (size1 < size2) {
    if (auto s = impl_->subproof(size1, 0, size2, true, out); !s) return err(std::move(s));
  }
  return out;
}

Result<std::vector<LeafRecord>> AuditLog::leaves(std::uint64_t start, std::size_t max) {
  Statement& st = impl_->leaves;
  ResetOnExit r{st};
  if (auto s = st.bind_int64(1, static_cast<std::int64_t>(start)); !s) return err(std::move(s));
  if (auto s = st.bind_int64(2, static_cast<std::int64_t>(max)); !s) return err(std::move(s));
  std::vector<LeafRecord> out;
  for (;;) {
    auto row = st.step();
    if (!row) return err(std::move(row));
    if (!*row) break;
    LeafRecord rec;
    rec.index = static_cast<std::uint64_t>(st.column_int64(0));
    const ByteView data = st.column_blob(1);
    rec.data.assign(reinterpret_cast<const char*>(data.data()), data.size());
    auto lh = hash_col(st, 2);
    if (!lh) return err(std::move(lh));
    rec.leaf_hash = *lh;
    if (!st.column_is_null(3)) {
      auto bh = hash_col(st, 3);
      if (!bh) return err(std::move(bh));
      rec.bundle_hash = *bh;
    }
    out.push_back(std::move(rec));
  }
  return out;
}

Result<std::optional<std::string>> AuditLog::bundle(const Hash32& bundle_hash) {
  Statement& st = impl_->bundle;
  ResetOnExit r{st};
  if (auto s = st.bind_blob_ref(1, bundle_hash.view()); !s) return err(std::move(s));
  auto row = st.step();
  if (!row) return err(std::move(row));
  if (!*row) return std::optional<std::string>{};
  return std::optional<std::string>(std::string(st.column_text(0)));
}

Result<std::vector<SignedTreeHead>> AuditLog::tree_heads() {
  Statement& st = impl_->sths;
  ResetOnExit r{st};
  std::vector<SignedTreeHead> out;
  for (;;) {
    auto row = st.step();
    if (!row) return err(std::move(row));
    if (!*row) break;
    SignedTreeHead s;
    s.tree_size = static_cast<std::uint64_t>(st.column_int64(0));
    s.timestamp_ms = static_cast<std::uint64_t>(st.column_int64(1));
    auto root = hash_col(st, 2);
    if (!root) return err(std::move(root));
    s.root_hash = *root;
    const ByteView id = st.column_blob(3);
    const ByteView sig = st.column_blob(4);
    if (id.size() != 32 || sig.size() != 64) return fail(Code::StoreIo, "corrupt signed tree head row");
    std::copy(id.begin(), id.end(), s.log_id.begin());
    std::copy(sig.begin(), sig.end(), s.signature.begin());
    out.push_back(s);
  }
  return out;
}

Result<SignedTreeHead> AuditLog::sign_tree_head(const AuditKey& key, std::uint64_t now_ms) {
  Impl& m = *impl_;
  if (sqlite3_get_autocommit(m.db->handle()) == 0) {
    return fail(Code::InvalidArgument, "sign_tree_head takes its own transaction; one is already open");
  }
  auto tx = store::Transaction::begin(*m.db);
  if (!tx) return err(std::move(tx));
  auto heads = tree_heads();
  if (!heads) return err(std::move(heads));
  std::uint64_t ts = now_ms;
  if (!heads->empty()) {
    if (heads->back().log_id != key.log_id()) {
      return fail(Code::AuditInconsistent, "this key is not the log's key: earlier tree heads are signed by " +
                                               to_hex(heads->back().log_id));
    }
    ts = std::max(ts, heads->back().timestamp_ms);
  }
  auto n = m.count();
  if (!n) return err(std::move(n));
  auto r = root(*n);
  if (!r) return err(std::move(r));
  auto sth = key.sign(*n, *r, ts);
  if (!sth) return sth;
  {
    ResetOnExit reset{m.insert_sth};
    Statement& st = m.insert_sth;
    if (auto s = st.bind_int64(1, static_cast<std::int64_t>(sth->tree_size)); !s) return err(std::move(s));
    if (auto s = st.bind_int64(2, static_cast<std::int64_t>(sth->timestamp_ms)); !s) return err(std::move(s));
    if (auto s = st.bind_blob_ref(3, sth->root_hash.view()); !s) return err(std::move(s));
    if (auto s = st.bind_blob_ref(4, ByteView(sth->log_id)); !s) return err(std::move(s));
    if (auto s = st.bind_blob_ref(5, ByteView(sth->signature)); !s) return err(std::move(s));
    if (auto s = st.run(); !s) return err(std::move(s));
  }
  if (auto s = tx->commit(); !s) return err(std::move(s));
  return sth;
}

}  // namespace causeway::audit
