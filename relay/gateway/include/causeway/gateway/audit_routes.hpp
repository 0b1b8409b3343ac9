// The transparency log over HTTP (issue #5 "relay/audit", docs/audit-log.md "Serving the log") and the
// periodic signed tree heads of `causeway serve`.
//
// Routes (GET, no authentication: the log is public; every answer is JSON unless said otherwise):
//   /v1/audit/sth                          the latest signed tree head: {"tree_size","root_hash","timestamp_ms",
//                                          "log_id","signature"} (audit::sth_to_json); 404 ERR_NO_TREE_HEAD when
//                                          none was signed yet
//   /v1/audit/entries?start=S&end=E        leaves [S, E) — E − S ≤ AuditServiceOptions::max_page (1000), E ≤
//                                          the log size: {"start","end","tree_size","entries":[{"index",
//                                          "leaf_hash","data"[,"bundle_hash"]}]} (`data` = the exact leaf bytes)
//   /v1/audit/inclusion?index=I&tree_size=N  RFC 6962 PATH of leaf I in the tree of N leaves (bottom-up):
//                                          {"index","tree_size","leaf_hash","root_hash","proof":["0x…"]}
//   /v1/audit/consistency?first=M&second=N RFC 6962 PROOF between the trees of M and N leaves (0 < M ≤ N):
//                                          {"first","second","first_root","second_root","proof":["0x…"]}
//   /v1/audit/export                       the JSON Lines export `causeway audit export` writes (audit::
//                                          write_export, content type application/x-ndjson), up to the latest
//                                          STH; built in memory, at most max_export_bytes (else 413
//                                          ERR_TOO_LARGE: run `causeway audit export` on the relay's host)
// Errors: 400 ERR_INVALID_ARGUMENT (a parameter missing or not a decimal integer, a page over max_page),
// 400 ERR_MERKLE_INDEX (an index or size outside the log), 503 ERR_STORE_IO.
//
// Reads never block the relay's writer: they run on READ-ONLY SQLite connections (WAL; a small pool, one per
// concurrent request). Tree heads are signed on a separate read-write connection of the signer (one
// BEGIN IMMEDIATE per head, a few milliseconds).
//
// Signed tree heads: start() signs a head at once when the log has grown past the latest stored head (or none
// exists), then every sth_interval_s seconds when it has grown; stop() signs a last one when it has grown.
// They are stored exactly as `causeway audit sth` stores them (AuditLog::sign_tree_head, the audit key
// <data-dir>/audit.key unless key_file, created 0600 on first use).
//
// Thread-safety: handlers run on server threads; every AuditService member is thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "causeway/audit/log.hpp"
#include "causeway/audit/sth.hpp"
#include "causeway/core/error.hpp"
#include "causeway/gateway/server.hpp"
#include "causeway/store/sqlite.hpp"

namespace causeway::gateway {

struct AuditServiceOptions {
  std::string data_dir;                    // the relay's data dir: <data_dir>/causeway.db must exist
  std::string key_file;                    // default <data_dir>/audit.key
  std::uint32_t sth_interval_s = 10;       // 0: no periodic heads (start()/stop() still sign)
  std::size_t max_page = 1000;             // /v1/audit/entries: at most this many leaves per request
  std::size_t max_export_bytes = 256u << 20;  // /v1/audit/export: the in-memory bound
  std::function<std::uint64_t()> clock_ms{};  // default: the system clock (ms since the Unix epoch)
  std::function<void(const std::string&)> log{};  // notices (a failed signing); default: stderr
  // Called with every head signed by sign_if_grown (start, the periodic signer, stop) after it was stored
  // (committed), on the signing thread, outside the signer's lock (H9: `causeway serve` publishes it on the
  // stream's "sth" topic, stream_events.hpp). Must be quick.
  std::function<void(const audit::SignedTreeHead&)> on_signed{};
};

class AuditService {
 public:
  // Loads (or creates) the audit key and opens the signer's connection. Errors: ERR_IO (no database),
  // ERR_KEY_PERMISSIONS and the key's other errors, ERR_STORE_IO, ERR_STORE_MIGRATION.
  static Result<std::shared_ptr<AuditService>> create(AuditServiceOptions options);
  ~AuditService();
  AuditService(const AuditService&) = delete;
  AuditService& operator=(const AuditService&) = delete;

  // Signs a head now if the log grew (see the file comment) and starts the periodic signer.
  void start();
  // Stops the periodic signer and signs a last head if the log grew. Idempotent.
  void stop();
  // Signs and stores a head when the log has more leaves than the latest stored head (or none exists);
  // nullopt when nothing changed. Errors: those of AuditLog::sign_tree_head.
  Result<std::optional<audit::SignedTreeHead>> sign_if_grown();

  // Runs fn on a pooled read-only connection's log. Errors: ERR_STORE_IO (cannot open), fn's own.
  template <class T>
  Result<T> read(const std::function<Result<T>(audit::AuditLog&)>& fn);

  const AuditServiceOptions& options() const noexcept { return opt_; }
  const secp256k1::XOnlyPublicKey& log_id() const noexcept { return key_.log_id(); }

 private:
  struct Reader {
    std::unique_ptr<store::Database> db;   // the log keeps a pointer to it: a stable address
    std::unique_ptr<audit::AuditLog> log;
  };
  AuditService(AuditServiceOptions o, audit::AuditKey key) : opt_(std::move(o)), key_(std::move(key)) {}
  Result<std::optional<audit::SignedTreeHead>> sign_if_grown_locked();  // sign_if_grown without on_signed
  Result<std::unique_ptr<Reader>> take_reader();
  void give_back(std::unique_ptr<Reader> r);
  void note(const std::string& s) const;
  std::uint64_t now_ms() const;

  AuditServiceOptions opt_;
  audit::AuditKey key_;
  std::string db_path_;
  std::mutex sign_mu_;  // the signer connection
  std::unique_ptr<store::Database> sign_db_;
  std::unique_ptr<audit::AuditLog> sign_log_;
  std::optional<std::uint64_t> last_signed_size_;
  std::mutex pool_mu_;
  std::vector<std::unique_ptr<Reader>> free_;
  std::mutex run_mu_;
  std::condition_variable run_cv_;
  bool running_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

template <class T>
Result<T> AuditService::read(const std::function<Result<T>(audit::AuditLog&)>& fn) {
  auto r = take_reader();
  if (!r) return tl::unexpected<Error>(r.error());
  auto out = fn(*(*r)->log);
  give_back(std::move(*r));
  return out;
}

// Registers the five GET routes above on `server` (before Server::start).
void add_audit_routes(Server& server, std::shared_ptr<AuditService> service);

}  // namespace causeway::gateway
