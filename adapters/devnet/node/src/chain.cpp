#include "causeway/devnet_node/chain.hpp"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <unordered_set>

#include "causeway/bft/rfc6962_suite.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/store/migrations.hpp"
#include "causeway/store/sqlite.hpp"
#include "state.hpp"

namespace causeway::devnet {
namespace {

namespace fs = std::filesystem;
using detail::BaseState;
using detail::Overlay;
using nlohmann::json;

// The devnet's schema (docs/devnet.md "Persistence"). Append only.
const std::vector<store::Migration>& migrations() {
  static const std::vector<store::Migration> m = {
      {1, "devnet chain",
       "CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);"
       "CREATE TABLE blocks (height INTEGER PRIMARY KEY, hash BLOB NOT NULL UNIQUE, header BLOB NOT NULL,"
       "  commit_sigs BLOB NOT NULL, validators_hash BLOB NOT NULL, next_validators_hash BLOB NOT NULL,"
       "  time_ms INTEGER NOT NULL);"
       "CREATE TABLE validator_sets (hash BLOB PRIMARY KEY, validators BLOB NOT NULL);"
       "CREATE TABLE txs (hash BLOB PRIMARY KEY, height INTEGER NOT NULL, idx INTEGER NOT NULL, raw BLOB NOT NULL,"
       "  kind INTEGER NOT NULL, sender BLOB NOT NULL, nonce INTEGER NOT NULL, success INTEGER NOT NULL,"
       "  error_code TEXT NOT NULL, error_detail TEXT NOT NULL, first_event INTEGER NOT NULL,"
       "  event_count INTEGER NOT NULL, UNIQUE (height, idx));"
       "CREATE TABLE events (height INTEGER NOT NULL, idx INTEGER NOT NULL, leaf BLOB NOT NULL,"
       "  PRIMARY KEY (height, idx));"
       "CREATE TABLE state (key TEXT PRIMARY KEY, value BLOB NOT NULL);"},
  };
  return m;
}

Error io_error(const std::string& what) { return Error{Code::Io, what, {}}; }

struct PendingTx {
  Bytes raw;
  Tx tx;
  Hash32 hash;
};

std::int64_t i64(std::uint64_t v) { return static_cast<std::int64_t>(v); }
std::uint64_t u64(std::int64_t v) { return static_cast<std::uint64_t>(v); }

Result<Bytes> random_secret(bft::Suite s) {
  for (int attempt = 0; attempt < 64; ++attempt) {
    Bytes secret(32);
    if (RAND_bytes(secret.data(), 32) != 1) return fail(Code::CryptoInternal, "RAND_bytes failed");
    if (bft::public_key_of(s, secret)) return secret;
  }
  return fail(Code::CryptoInternal, "could not generate a key");
}

}  // namespace

Result<std::uint64_t> next_block_time_ms(std::uint64_t parent_time_ms, std::uint64_t now_ms) {
  // parent_time_ms < kMaxTimeMs, so parent_time_ms + 1 cannot overflow.
  if (parent_time_ms >= kMaxTimeMs || now_ms > kMaxTimeMs)
    return fail(Code::Overflow, "block time would pass " + std::to_string(kMaxTimeMs) +
                                    " ms (year 9999): parent " + std::to_string(parent_time_ms) + " ms, now " +
                                    std::to_string(now_ms) + " ms");
  return std::max(now_ms, parent_time_ms + 1);
}

struct Chain::Impl {
  ChainOptions options;
  Genesis genesis;
  std::string island;
  Hash32 genesis_hash;  // as the endpoint and tx domain use it
  Bytes endpoint_id;
  bft::Suite suite = bft::Suite::Secp256k1Sha256;
  std::optional<store::Database> db;

  // Keys held: public key → secret.
  std::map<Bytes, Bytes> keys;
  std::vector<Bytes> key_order;  // as stored

  BaseState base;
  Hash32 cached_state_root;
  std::uint64_t tip_height = 0;
  Hash32 tip_hash;
  std::uint64_t tip_time_ms = 0;
  bft::ValidatorSet tip_next;  // the set that signs the next block

  std::vector<PendingTx> mempool;
  std::unordered_set<Hash32, Hash32Hasher> mempool_hashes;
  std::unique_ptr<Overlay> pending;  // base + the mempool's effects

  fs::path keys_path() const { return fs::path(options.data_dir) / "validator_keys.json"; }

  Status save_keys() {
    json j;
    j["suite"] = std::string(bft::suite_name(suite));
    j["keys"] = json::array();
    for (const auto& pub : key_order) j["keys"].push_back({{"public", to_hex(pub)}, {"secret", to_hex(keys.at(pub))}});
    const fs::path tmp = keys_path().string() + ".tmp";
    const std::string text = j.dump(2) + "\n";
    // Written to a 0600 temp file, fsynced, renamed over the old file, then the directory fsynced: a crash leaves
    // the old or the new key file, never a torn or missing one.
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return tl::unexpected(io_error("cannot write " + tmp.string() + ": " + std::strerror(errno)));
    bool ok = ::fchmod(fd, 0600) == 0;
    for (std::size_t off = 0; ok && off < text.size();) {
      const ssize_t n = ::write(fd, text.data() + off, text.size() - off);
      if (n < 0 && errno == EINTR) continue;
      ok = n > 0;
      if (ok) off += static_cast<std::size_t>(n);
    }
    ok = ok && ::fsync(fd) == 0;
    ok = ::close(fd) == 0 && ok;
    if (!ok) return tl::unexpected(io_error("cannot write " + tmp.string() + ": " + std::strerror(errno)));
    std::error_code ec;
    fs::rename(tmp, keys_path(), ec);
    if (ec) return tl::unexpected(io_error("cannot rename " + tmp.string() + ": " + ec.message()));
    const int dfd = ::open(options.data_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return tl::unexpected(io_error("cannot open " + options.data_dir + ": " + std::strerror(errno)));
    const bool synced = ::fsync(dfd) == 0;
    ::close(dfd);
    if (!synced) return tl::unexpected(io_error("cannot sync " + options.data_dir + ": " + std::strerror(errno)));
    return {};
  }

  // Reads the key file; a missing file is no keys. Any other problem (unreadable, not JSON, wrong shape or
  // types, another suite, a bad secret) is an ERR_IO naming the file.
  Status load_keys() {
    std::error_code ec;
    if (!fs::exists(keys_path(), ec) && !ec) return {};
    const std::string path = keys_path().string();
    std::ifstream in(keys_path());
    if (!in || fs::is_directory(keys_path(), ec)) return tl::unexpected(io_error("cannot read " + path));
    const json j = json::parse(in, nullptr, false);
    if (j.is_discarded()) return tl::unexpected(io_error(path + " is not JSON"));
    const auto shape_error = [&] {
      return tl::unexpected(io_error(path + " is not a key file of suite " + std::string(bft::suite_name(suite)) +
                                     " ({\"suite\": \"…\", \"keys\": [{\"public\": \"0x…\", \"secret\": \"0x…\"}, …]})"));
    };
    if (!j.is_object()) return shape_error();
    const auto s = j.find("suite");
    const auto list = j.find("keys");
    if (s == j.end() || !s->is_string() || *s != bft::suite_name(suite) || list == j.end() || !list->is_array())
      return shape_error();
    for (const auto& k : *list) {
      if (!k.is_object() || !k.contains("secret") || !k["secret"].is_string()) return shape_error();
      auto secret = from_hex(k["secret"].get<std::string>(), 32);
      if (!secret) return tl::unexpected(io_error("bad secret in " + keys_path().string()));
      auto pub = bft::public_key_of(suite, *secret);
      if (!pub) return tl::unexpected(io_error("bad secret in " + keys_path().string()));
      if (keys.emplace(*pub, *secret).second) key_order.push_back(*pub);
    }
    return {};
  }

  Result<std::vector<Bytes>> new_keys(std::uint32_t n) {
    std::vector<Bytes> out;
    for (std::uint32_t i = 0; i < n; ++i) {
      auto secret = random_secret(suite);
      if (!secret) return tl::unexpected(secret.error());
      auto pub = bft::public_key_of(suite, *secret).value();
      keys.emplace(pub, *secret);
      key_order.push_back(pub);
      out.push_back(pub);
    }
    if (auto s = save_keys(); !s) return tl::unexpected(s.error());
    return out;
  }

  std::uint64_t held_power(const bft::ValidatorSet& set) const {
    std::uint64_t p = 0;
    for (const auto& v : set.validators())
      if (keys.count(v.key)) p += v.power;
    return p;
  }

  detail::ExecContext context(std::uint64_t height, std::uint64_t time_ms, const bft::ValidatorSet& vals) const {
    detail::ExecContext ctx;
    ctx.island = island;
    ctx.genesis = genesis_hash;
    ctx.endpoint_id = endpoint_id;
    ctx.suite = suite;
    ctx.committee = &genesis.committee;
    ctx.governance = genesis.governance;
    ctx.height = height;
    ctx.time_ms = time_ms;
    ctx.block_validators = &vals;
    ctx.held_power = [this](const bft::ValidatorSet& s) { return held_power(s); };
    return ctx;
  }

  Result<bft::Commit> sign_header(const bft::ValidatorSet& vals, const bft::devnet::Header& h, const Hash32& hash) const {
    const Bytes msg = bft::devnet::sign_bytes(h.chain_id, h.height, hash);
    bft::Commit commit;
    for (std::size_t i = 0; i < vals.size(); ++i) {
      auto it = keys.find(vals.at(i).key);
      if (it == keys.end()) continue;
      auto sig = bft::sign(suite, it->second, msg);
      if (!sig) return tl::unexpected(sig.error());
      commit.push_back(bft::CommitSig{static_cast<std::uint32_t>(i), *sig});
    }
    return commit;
  }

  Hash32 root_with(const std::map<std::string, std::optional<Bytes>>& writes) {
    if (writes.empty()) return cached_state_root;
    std::map<std::string, Bytes> merged = base.map;
    for (const auto& [k, v] : writes) {
      if (v)
        merged[k] = *v;
      else
        merged.erase(k);
    }
    return detail::state_root(suite, merged);
  }

  // ---- persistence ----------------------------------------------------------------------------------

  Result<std::optional<Bytes>> meta(const std::string& key) {
    auto st = db->prepare("SELECT value FROM meta WHERE key = ?");
    if (!st) return tl::unexpected(st.error());
    (void)st->bind_text(1, key);
    auto row = st->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return std::optional<Bytes>{};
    auto b = st->column_blob(0);
    return std::optional<Bytes>(Bytes(b.begin(), b.end()));
  }

  Status put_meta(const std::string& key, ByteView value) {
    auto st = db->prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)");
    if (!st) return tl::unexpected(st.error());
    (void)st->bind_text(1, key);
    (void)st->bind_blob(2, value);
    return st->run();
  }

  Status store_valset(const bft::ValidatorSet& set) {
    auto st = db->prepare("INSERT OR IGNORE INTO validator_sets (hash, validators) VALUES (?, ?)");
    if (!st) return tl::unexpected(st.error());
    const Hash32 h = bft::devnet::validators_hash(set);
    const Bytes packed = pack_validators(std::vector<bft::Validator>(set.validators().begin(), set.validators().end()));
    (void)st->bind_blob(1, h.view());
    (void)st->bind_blob(2, packed);
    return st->run();
  }

  Result<bft::ValidatorSet> load_valset(ByteView hash) {
    auto st = db->prepare("SELECT validators FROM validator_sets WHERE hash = ?");
    if (!st) return tl::unexpected(st.error());
    (void)st->bind_blob(1, hash);
    auto row = st->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return fail(Code::StoreIo, "validator set " + to_hex(hash) + " missing");
    auto list = unpack_validators(st->column_blob(0));
    if (!list) return tl::unexpected(list.error());
    return bft::ValidatorSet::create(suite, *list);
  }

  struct NewTx {
    PendingTx p;
    bool success = false;
    Error error{Code::InvalidArgument, {}, {}};
    std::uint64_t first_event = 0;
    std::uint64_t event_count = 0;
  };

  Status persist_block(const bft::devnet::Header& h, const Bytes& encoded, const Hash32& hash, const bft::Commit& commit,
                       const bft::ValidatorSet& vals, const bft::ValidatorSet& next, const std::vector<NewTx>& txs,
                       const std::vector<Bytes>& events, const std::map<std::string, std::optional<Bytes>>& writes,
                       const std::vector<std::pair<std::string, Bytes>>& extra_meta) {
    auto tx = store::Transaction::begin(*db);
    if (!tx) return tl::unexpected(tx.error());
    {
      auto st = db->prepare(
          "INSERT INTO blocks (height, hash, header, commit_sigs, validators_hash, next_validators_hash, time_ms)"
          " VALUES (?, ?, ?, ?, ?, ?, ?)");
      if (!st) return tl::unexpected(st.error());
      const Bytes packed = pack_commit(commit);
      (void)st->bind_int64(1, i64(h.height));
      (void)st->bind_blob(2, hash.view());
      (void)st->bind_blob(3, encoded);
      (void)st->bind_blob(4, packed);
      (void)st->bind_blob(5, h.validators_hash.view());
      (void)st->bind_blob(6, h.next_validators_hash.view());
      (void)st->bind_int64(7, i64(h.time_ms));
      if (auto s = st->run(); !s) return s;
    }
    if (auto s = store_valset(vals); !s) return s;
    if (auto s = store_valset(next); !s) return s;
    if (!txs.empty()) {
      auto st = db->prepare(
          "INSERT INTO txs (hash, height, idx, raw, kind, sender, nonce, success, error_code, error_detail,"
          " first_event, event_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      if (!st) return tl::unexpected(st.error());
      for (std::size_t i = 0; i < txs.size(); ++i) {
        const auto& t = txs[i];
        st->reset();
        (void)st->bind_blob(1, t.p.hash.view());
        (void)st->bind_int64(2, i64(h.height));
        (void)st->bind_int64(3, static_cast<std::int64_t>(i));
        (void)st->bind_blob(4, t.p.raw);
        (void)st->bind_int64(5, static_cast<std::int64_t>(t.p.tx.kind));
        (void)st->bind_blob(6, ByteView(t.p.tx.from.data(), t.p.tx.from.size()));
        (void)st->bind_int64(7, i64(t.p.tx.nonce));
        (void)st->bind_int64(8, t.success ? 1 : 0);
        (void)st->bind_text(9, t.success ? std::string_view{} : code_name(t.error.code));
        (void)st->bind_text(10, t.success ? std::string{} : t.error.detail + (t.error.at.empty() ? "" : " (at " + t.error.at + ")"));
        (void)st->bind_int64(11, i64(t.first_event));
        (void)st->bind_int64(12, i64(t.event_count));
        if (auto s = st->run(); !s) return s;
      }
    }
    if (!events.empty()) {
      auto st = db->prepare("INSERT INTO events (height, idx, leaf) VALUES (?, ?, ?)");
      if (!st) return tl::unexpected(st.error());
      for (std::size_t i = 0; i < events.size(); ++i) {
        st->reset();
        (void)st->bind_int64(1, i64(h.height));
        (void)st->bind_int64(2, static_cast<std::int64_t>(i));
        (void)st->bind_blob(3, events[i]);
        if (auto s = st->run(); !s) return s;
      }
    }
    if (!writes.empty()) {
      auto up = db->prepare("INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)");
      auto del = db->prepare("DELETE FROM state WHERE key = ?");
      if (!up) return tl::unexpected(up.error());
      if (!del) return tl::unexpected(del.error());
      for (const auto& [k, v] : writes) {
        if (v) {
          up->reset();
          (void)up->bind_text(1, k);
          (void)up->bind_blob(2, *v);
          if (auto s = up->run(); !s) return s;
        } else {
          del->reset();
          (void)del->bind_text(1, k);
          if (auto s = del->run(); !s) return s;
        }
      }
    }
    for (const auto& [k, v] : extra_meta)
      if (auto s = put_meta(k, v); !s) return s;
    return tx->commit();
  }

  void apply(const bft::devnet::Header& h, const Hash32& hash, const bft::ValidatorSet& next,
             const std::map<std::string, std::optional<Bytes>>& writes, const Hash32& root) {
    for (const auto& [k, v] : writes) {
      if (v)
        base.map[k] = *v;
      else
        base.map.erase(k);
    }
    cached_state_root = root;
    tip_height = h.height;
    tip_hash = hash;
    tip_time_ms = h.time_ms;
    tip_next = next;
  }

  // ---- block building -------------------------------------------------------------------------------

  Result<BlockRecord> build(std::uint64_t height, std::uint64_t time_ms, const Hash32& parent, Overlay& block_state,
                            std::vector<NewTx>& txs, std::vector<Bytes>& events, const bft::ValidatorSet& vals,
                            const std::vector<std::pair<std::string, Bytes>>& extra_meta) {
    const bft::ValidatorSet next = block_state.validators(suite);
    if (next.empty()) return fail(Code::StoreIo, "validator set missing from state");
    const Hash32 root = root_with(block_state.writes());
    std::vector<Bytes> raws;
    raws.reserve(txs.size());
    for (const auto& t : txs) raws.push_back(t.p.raw);
    bft::devnet::Header h;
    h.chain_id = island_header_id;
    h.height = height;
    h.time_ms = time_ms;
    h.parent_hash = parent;
    h.tx_root = bft::rfc6962::root_of_leaves(suite, raws);
    h.tx_count = raws.size();
    h.event_root = bft::rfc6962::root_of_leaves(suite, events);
    h.event_count = events.size();
    h.state_root = root;
    h.validators_hash = bft::devnet::validators_hash(vals);
    h.next_validators_hash = bft::devnet::validators_hash(next);
    h.proposer = vals.at(static_cast<std::size_t>(height % vals.size())).key;
    auto enc = bft::devnet::encode(h);
    if (!enc) return tl::unexpected(enc.error());
    const Hash32 hash = bft::devnet::header_hash(suite, *enc);
    auto commit = sign_header(vals, h, hash);
    if (!commit) return tl::unexpected(commit.error());
    if (auto s = persist_block(h, *enc, hash, *commit, vals, next, txs, events, block_state.writes(), extra_meta); !s)
      return tl::unexpected(s.error());
    apply(h, hash, next, block_state.writes(), root);
    BlockRecord r;
    r.height = height;
    r.hash = hash;
    r.header = *enc;
    r.decoded = h;
    r.commit = *commit;
    r.validators = vals;
    if (next != vals) r.next_validators = next;
    return r;
  }

  std::string island_header_id;
};

Chain::Chain(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Chain::~Chain() = default;

Result<std::unique_ptr<Chain>> Chain::open(ChainOptions options, std::uint64_t now_ms) {
  auto impl = std::make_unique<Impl>();
  Impl& m = *impl;
  m.options = options;
  std::error_code ec;
  // Only a directory created here is made 0700; an existing one (even /tmp) keeps its mode.
  const bool created = fs::create_directories(options.data_dir, ec);
  if (ec) return tl::unexpected(io_error("cannot create " + options.data_dir + ": " + ec.message()));
  if (created) fs::permissions(options.data_dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  const fs::path db_path = fs::path(options.data_dir) / "chain.db";
  const bool keys_exist = fs::exists(m.keys_path(), ec);
  const auto db_size = fs::file_size(db_path, ec);
  const bool db_present = !ec && db_size > 0;
  // Keys without their chain: a deleted or emptied chain.db must not silently become a new chain with old keys.
  const auto orphan_keys = [&] {
    return fail(Code::StoreIo, m.keys_path().string() + " exists but " + db_path.string() +
                                   " holds no chain (missing, empty or deleted); refusing to start a new chain with "
                                   "those keys: restore chain.db, or move validator_keys.json away to start anew");
  };
  if (keys_exist && !db_present) return orphan_keys();
  store::OpenOptions oo;
  oo.synchronous = options.sync_full ? store::Synchronous::Full : store::Synchronous::Normal;
  auto db = store::Database::open(db_path.string(), oo);
  if (!db) return tl::unexpected(db.error());
  m.db.emplace(std::move(*db));
  if (auto s = store::migrate(*m.db, migrations()); !s) return tl::unexpected(s.error());

  auto stored = m.meta("genesis");
  if (!stored) return tl::unexpected(stored.error());
  if (*stored) {
    json j;
    try {
      j = json::parse(std::string((*stored)->begin(), (*stored)->end()));
    } catch (const std::exception& e) {
      return fail(Code::StoreIo, std::string("stored genesis is not JSON: ") + e.what());
    }
    auto g = parse_genesis(j);
    if (!g) return fail(Code::StoreIo, "stored genesis: " + g.error().detail);
    if (options.require_same_genesis) {
      Genesis given = options.genesis;
      given.genesis_time_ms = g->genesis_time_ms;
      if (given != *g)
        return fail(Code::StoreConflict, "the data dir " + options.data_dir + " holds chain '" + g->chain_name +
                                             "' with another genesis; use another --data-dir");
    }
    m.genesis = *g;
  } else {
    if (keys_exist) return orphan_keys();
    m.genesis = options.genesis;
  }
  m.suite = m.genesis.suite;
  m.island = options.island_override.value_or(std::string(kIslandPrefix) + m.genesis.chain_name);
  m.island_header_id = m.island;
  m.endpoint_id = options.endpoint_override.value_or(Bytes(m.genesis.endpoint.begin(), m.genesis.endpoint.end()));
  if (auto s = m.load_keys(); !s) return tl::unexpected(s.error());

  if (*stored) {
    // Continue: tip, state, validator set.
    auto st = m.db->prepare("SELECT height, hash, time_ms, next_validators_hash FROM blocks ORDER BY height DESC LIMIT 1");
    if (!st) return tl::unexpected(st.error());
    auto row = st->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return fail(Code::StoreIo, "genesis stored but no block 0");
    m.tip_height = u64(st->column_int64(0));
    m.tip_hash = Hash32::from(st->column_blob(1));
    m.tip_time_ms = u64(st->column_int64(2));
    const Bytes next_hash(st->column_blob(3).begin(), st->column_blob(3).end());
    auto next = m.load_valset(next_hash);
    if (!next) return tl::unexpected(next.error());
    m.tip_next = *next;
    auto ss = m.db->prepare("SELECT key, value FROM state");
    if (!ss) return tl::unexpected(ss.error());
    for (;;) {
      auto r = ss->step();
      if (!r) return tl::unexpected(r.error());
      if (!*r) break;
      auto v = ss->column_blob(1);
      m.base.map.emplace(std::string(ss->column_text(0)), Bytes(v.begin(), v.end()));
    }
    m.cached_state_root = detail::state_root(m.suite, m.base.map);
    auto g0 = m.db->prepare("SELECT hash FROM blocks WHERE height = 0");
    if (!g0) return tl::unexpected(g0.error());
    auto r0 = g0->step();
    if (!r0 || !*r0) return fail(Code::StoreIo, "block 0 missing");
    m.genesis_hash = options.genesis_hash_override.value_or(Hash32::from(g0->column_blob(0)));
    // The rule validator-set changes use: the node must hold keys for more than 2/3 of the power that signs the
    // next block, else its commits would be under quorum.
    const std::uint64_t held = m.held_power(m.tip_next);
    if (!bft::more_than_two_thirds(held, m.tip_next.total_power()))
      return fail(Code::Io, m.keys_path().string() + " holds keys for " + std::to_string(held) + " of " +
                                std::to_string(m.tip_next.total_power()) +
                                " power of the current validator set; more than 2/3 is needed to sign blocks");
  } else {
    // First start: keys, genesis state, block 0.
    if (m.key_order.size() < m.genesis.validator_count) {
      auto k = m.new_keys(m.genesis.validator_count - static_cast<std::uint32_t>(m.key_order.size()));
      if (!k) return tl::unexpected(k.error());
    }
    std::vector<bft::Validator> vs;
    for (std::uint32_t i = 0; i < m.genesis.validator_count; ++i)
      vs.push_back(bft::Validator{m.key_order[i], m.genesis.validator_power});
    auto vals = bft::ValidatorSet::create(m.suite, vs);
    if (!vals) return tl::unexpected(vals.error());
    m.cached_state_root = detail::state_root(m.suite, m.base.map);
    Overlay g(&m.base);
    for (const auto& [addr, tokens] : m.genesis.balances)
      for (const auto& [denom, amount] : tokens) g.set_balance(addr, denom, amount);
    for (const auto& c : m.genesis.channels) g.put_channel(c);
    g.put_validators(*vals);
    std::vector<Impl::NewTx> no_txs;
    std::vector<Bytes> no_events;
    const std::string gj = genesis_to_json(m.genesis).dump();
    const std::uint64_t t0 = m.genesis.genesis_time_ms != 0 ? m.genesis.genesis_time_ms : now_ms;
    auto b0 = m.build(0, t0, Hash32{}, g, no_txs, no_events, *vals, {{"genesis", Bytes(gj.begin(), gj.end())}});
    if (!b0) return tl::unexpected(b0.error());
    m.genesis_hash = options.genesis_hash_override.value_or(b0->hash);
  }
  m.pending = std::make_unique<Overlay>(&m.base);
  return std::unique_ptr<Chain>(new Chain(std::move(impl)));
}

const std::string& Chain::island() const noexcept { return impl_->island; }
const Hash32& Chain::genesis_hash() const noexcept { return impl_->genesis_hash; }
const Bytes& Chain::endpoint_id() const noexcept { return impl_->endpoint_id; }
bft::Suite Chain::suite() const noexcept { return impl_->suite; }
const Genesis& Chain::genesis() const noexcept { return impl_->genesis; }
std::size_t Chain::mempool_size() const noexcept { return impl_->mempool.size(); }
std::uint64_t Chain::height() const noexcept { return impl_->tip_height; }

Result<Hash32> Chain::submit(ByteView raw, std::uint64_t now_ms) {
  Impl& m = *impl_;
  if (m.mempool.size() >= kMaxMempool) return fail(Code::TooLarge, "mempool full; try again after the next block");
  auto tx = decode_tx(raw);
  if (!tx) return tl::unexpected(tx.error());
  if (tx->island != m.island || tx->genesis != m.genesis_hash)
    return fail(Code::IslandMismatch, "transaction is for " + tx->island + " / " + to_hex(tx->genesis.view()) +
                                          ", this devnet is " + m.island + " / " + to_hex(m.genesis_hash.view()),
                "island");
  if (auto s = verify_tx_signature(*tx); !s) return tl::unexpected(s.error());
  const Hash32 hash = tx_hash(raw);
  if (m.mempool_hashes.count(hash)) return fail(Code::StoreConflict, "transaction already in the mempool");
  {
    auto r = receipt(hash);
    if (!r) return tl::unexpected(r.error());
    if (*r) return fail(Code::StoreConflict, "transaction already in block " + std::to_string((*r)->height));
  }
  const std::uint64_t expected = m.pending->nonce(tx->from);
  if (tx->nonce != expected)
    return fail(Code::TxNonce, "nonce " + std::to_string(tx->nonce) + ", expected " + std::to_string(expected), "nonce");
  const std::uint64_t height = m.tip_height + 1;
  auto next_time = next_block_time_ms(m.tip_time_ms, now_ms);
  if (!next_time) return tl::unexpected(next_time.error());
  const std::uint64_t time_ms = *next_time;
  const auto ctx = m.context(height, time_ms, m.tip_next);
  Overlay scratch(m.pending.get());
  scratch.set_nonce(tx->from, tx->nonce + 1);
  std::vector<Bytes> events;
  if (auto s = detail::execute(scratch, *tx, ctx, events); !s) return tl::unexpected(s.error());
  scratch.merge_into(*m.pending);
  m.mempool.push_back(PendingTx{Bytes(raw.begin(), raw.end()), *tx, hash});
  m.mempool_hashes.insert(hash);
  return hash;
}

Result<BlockRecord> Chain::produce_block(std::uint64_t now_ms) {
  Impl& m = *impl_;
  const std::uint64_t height = m.tip_height + 1;
  auto next_time = next_block_time_ms(m.tip_time_ms, now_ms);
  if (!next_time) return tl::unexpected(next_time.error());
  const std::uint64_t time_ms = *next_time;
  const bft::ValidatorSet vals = m.tip_next;
  const auto ctx = m.context(height, time_ms, vals);
  Overlay block_state(&m.base);
  std::vector<Impl::NewTx> txs;
  std::vector<Bytes> events;
  for (const auto& p : m.mempool) {
    Impl::NewTx t;
    t.p = p;
    t.first_event = events.size();
    const std::uint64_t expected = block_state.nonce(p.tx.from);
    if (p.tx.nonce != expected) {
      t.error = Error{Code::TxNonce, "nonce " + std::to_string(p.tx.nonce) + ", expected " + std::to_string(expected), "nonce"};
    } else {
      block_state.set_nonce(p.tx.from, p.tx.nonce + 1);
      Overlay scratch(&block_state);
      std::vector<Bytes> tx_events;
      auto s = detail::execute(scratch, p.tx, ctx, tx_events);
      if (s) {
        scratch.merge_into(block_state);
        t.success = true;
        t.event_count = tx_events.size();
        for (auto& e : tx_events) events.push_back(std::move(e));
      } else {
        t.error = s.error();
      }
    }
    txs.push_back(std::move(t));
  }
  auto r = m.build(height, time_ms, m.tip_hash, block_state, txs, events, vals, {});
  if (!r) return r;
  m.mempool.clear();
  m.mempool_hashes.clear();
  m.pending = std::make_unique<Overlay>(&m.base);
  return r;
}

Result<BlockRecord> Chain::block(std::uint64_t height) {
  Impl& m = *impl_;
  if (height > m.tip_height) return fail(Code::UnknownHeader, "no block " + std::to_string(height) + " yet (tip " +
                                                                  std::to_string(m.tip_height) + ")");
  auto st = m.db->prepare("SELECT hash, header, commit_sigs, validators_hash, next_validators_hash FROM blocks WHERE height = ?");
  if (!st) return tl::unexpected(st.error());
  (void)st->bind_int64(1, i64(height));
  auto row = st->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return fail(Code::UnknownHeader, "block " + std::to_string(height) + " missing");
  BlockRecord r;
  r.height = height;
  r.hash = Hash32::from(st->column_blob(0));
  r.header.assign(st->column_blob(1).begin(), st->column_blob(1).end());
  auto commit = unpack_commit(st->column_blob(2));
  if (!commit) return tl::unexpected(commit.error());
  r.commit = *commit;
  const Bytes vh(st->column_blob(3).begin(), st->column_blob(3).end());
  const Bytes nh(st->column_blob(4).begin(), st->column_blob(4).end());
  auto h = bft::devnet::decode(r.header);
  if (!h) return tl::unexpected(h.error());
  r.decoded = *h;
  auto vals = m.load_valset(vh);
  if (!vals) return tl::unexpected(vals.error());
  r.validators = *vals;
  if (vh != nh) {
    auto next = m.load_valset(nh);
    if (!next) return tl::unexpected(next.error());
    r.next_validators = *next;
  }
  return r;
}

Result<std::vector<Bytes>> Chain::events(std::uint64_t height) {
  if (height > impl_->tip_height) return fail(Code::UnknownHeader, "no block " + std::to_string(height) + " yet");
  auto st = impl_->db->prepare("SELECT leaf FROM events WHERE height = ? ORDER BY idx");
  if (!st) return tl::unexpected(st.error());
  (void)st->bind_int64(1, i64(height));
  std::vector<Bytes> out;
  for (;;) {
    auto r = st->step();
    if (!r) return tl::unexpected(r.error());
    if (!*r) break;
    out.emplace_back(st->column_blob(0).begin(), st->column_blob(0).end());
  }
  return out;
}

Result<std::vector<Bytes>> Chain::transactions(std::uint64_t height) {
  if (height > impl_->tip_height) return fail(Code::UnknownHeader, "no block " + std::to_string(height) + " yet");
  auto st = impl_->db->prepare("SELECT raw FROM txs WHERE height = ? ORDER BY idx");
  if (!st) return tl::unexpected(st.error());
  (void)st->bind_int64(1, i64(height));
  std::vector<Bytes> out;
  for (;;) {
    auto r = st->step();
    if (!r) return tl::unexpected(r.error());
    if (!*r) break;
    out.emplace_back(st->column_blob(0).begin(), st->column_blob(0).end());
  }
  return out;
}

namespace {
Result<InclusionProof> proof_of(bft::Suite s, std::uint64_t height, const std::vector<Bytes>& leaves, std::uint64_t index) {
  if (index >= leaves.size())
    return fail(Code::MerkleIndex, "index " + std::to_string(index) + " of a tree of " + std::to_string(leaves.size()));
  std::vector<Hash32> hashes;
  for (const auto& l : leaves) hashes.push_back(bft::rfc6962::leaf_hash(s, l));
  auto path = bft::rfc6962::inclusion_proof(s, hashes, index);
  if (!path) return tl::unexpected(path.error());
  return InclusionProof{height, index, leaves.size(), leaves[static_cast<std::size_t>(index)], *path};
}
}  // namespace

Result<InclusionProof> Chain::event_proof(std::uint64_t height, std::uint64_t index) {
  auto ev = events(height);
  if (!ev) return tl::unexpected(ev.error());
  return proof_of(impl_->suite, height, *ev, index);
}

Result<InclusionProof> Chain::tx_proof(std::uint64_t height, std::uint64_t index) {
  auto txs = transactions(height);
  if (!txs) return tl::unexpected(txs.error());
  return proof_of(impl_->suite, height, *txs, index);
}

Result<std::optional<Receipt>> Chain::receipt(const Hash32& hash) {
  auto st = impl_->db->prepare(
      "SELECT height, idx, kind, sender, nonce, success, error_code, error_detail, first_event, event_count"
      " FROM txs WHERE hash = ?");
  if (!st) return tl::unexpected(st.error());
  (void)st->bind_blob(1, hash.view());
  auto row = st->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<Receipt>{};
  Receipt r;
  r.tx_hash = hash;
  r.height = u64(st->column_int64(0));
  r.index = static_cast<std::uint32_t>(st->column_int64(1));
  r.kind = static_cast<TxKind>(st->column_int64(2));
  std::copy(st->column_blob(3).begin(), st->column_blob(3).end(), r.from.begin());
  r.nonce = u64(st->column_int64(4));
  r.success = st->column_int64(5) != 0;
  r.error_code = std::string(st->column_text(6));
  r.error_detail = std::string(st->column_text(7));
  r.first_event = u64(st->column_int64(8));
  r.event_count = u64(st->column_int64(9));
  return std::optional<Receipt>(r);
}

U256 Chain::balance(std::string_view account, std::string_view denom) const {
  Overlay view(&impl_->base);
  return view.balance(std::string(account), std::string(denom));
}
std::uint64_t Chain::nonce(const Address& a) const {
  Overlay view(&impl_->base);
  return view.nonce(a);
}
std::uint64_t Chain::pending_nonce(const Address& a) const { return impl_->pending->nonce(a); }
std::optional<Hash32> Chain::packet_receipt(const Hash32& c) const {
  Overlay view(&impl_->base);
  return view.packet_receipt(c);
}
std::optional<SentPacket> Chain::sent_packet(const Hash32& c) const {
  Overlay view(&impl_->base);
  return view.sent(c);
}
std::optional<Channel> Chain::channel(std::string_view id) const {
  Overlay view(&impl_->base);
  return view.channel(std::string(id));
}
std::vector<Channel> Chain::channels() const {
  std::vector<Channel> out;
  const auto& map = impl_->base.map;
  for (auto it = map.lower_bound("chan/"); it != map.end() && it->first.rfind("chan/", 0) == 0; ++it) {
    auto c = detail::decode_channel(it->second);
    if (c) out.push_back(*c);
  }
  return out;
}
bft::ValidatorSet Chain::next_block_validators() const { return impl_->tip_next; }

Result<std::vector<Bytes>> Chain::generate_validator_keys(std::uint32_t count) {
  if (count == 0 || count > 64) return fail(Code::InvalidArgument, "count must be 1-64");
  return impl_->new_keys(count);
}

Result<bft::Commit> Chain::sign_validator_set_change(const std::vector<bft::Validator>& new_set) const {
  const Impl& m = *impl_;
  auto next = bft::ValidatorSet::create(m.suite, new_set);
  if (!next) return tl::unexpected(next.error());
  const Bytes msg = valset_sign_bytes(m.island, m.genesis_hash, bft::devnet::validators_hash(m.tip_next),
                                      bft::devnet::validators_hash(*next));
  bft::Commit c;
  for (std::size_t i = 0; i < m.tip_next.size(); ++i) {
    auto it = m.keys.find(m.tip_next.at(i).key);
    if (it == m.keys.end()) continue;
    auto sig = bft::sign(m.suite, it->second, msg);
    if (!sig) return tl::unexpected(sig.error());
    c.push_back(bft::CommitSig{static_cast<std::uint32_t>(i), *sig});
  }
  return c;
}

std::optional<Bytes> Chain::validator_secret(ByteView public_key) const {
  auto it = impl_->keys.find(Bytes(public_key.begin(), public_key.end()));
  if (it == impl_->keys.end()) return std::nullopt;
  return it->second;
}

}  // namespace causeway::devnet
