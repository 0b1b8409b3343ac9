// GET /v1/audit/* and the periodic signed tree heads of `causeway serve`: see
// causeway/gateway/audit_routes.hpp.
#include "causeway/gateway/audit_routes.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <ostream>
#include <streambuf>

#include <nlohmann/json.hpp>

#include "causeway/audit/export.hpp"
#include "causeway/core/hex.hpp"
#include "route_util.hpp"

namespace causeway::gateway {

namespace {

using nlohmann::json;

std::uint64_t system_ms() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

json hashes_json(const std::vector<Hash32>& v) {
  json a = json::array();
  for (const auto& h : v) a.push_back(to_hex(h.view()));
  return a;
}

// A streambuf appending to a string until `limit` bytes; then it fails (and says so).
class BoundedBuf final : public std::streambuf {
 public:
  BoundedBuf(std::string& out, std::size_t limit) : out_(out), limit_(limit) {}
  bool exceeded() const noexcept { return exceeded_; }

 protected:
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    if (out_.size() >= limit_) {
      exceeded_ = true;
      return traits_type::eof();
    }
    out_.push_back(traits_type::to_char_type(c));
    return c;
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    const auto len = static_cast<std::size_t>(n);
    if (out_.size() + len > limit_) {
      exceeded_ = true;
      return 0;
    }
    out_.append(s, len);
    return n;
  }

 private:
  std::string& out_;
  std::size_t limit_;
  bool exceeded_ = false;
};

// A required decimal query parameter.
Result<std::uint64_t> required_u64(const Request& req, std::string_view name) {
  auto v = detail::query_param(req.target, name);
  if (!v) return tl::unexpected<Error>(v.error());
  if (!*v) return fail(Code::InvalidArgument, "query parameter " + std::string(name) + " is required", std::string(name));
  return detail::parse_u64(**v, name);
}

Response failure(const Error& e) {
  if (e.code == Code::MerkleIndex) return error_response(400, code_name(e.code), e.detail);
  if (e.code == Code::StoreIo || e.code == Code::StoreMigration) return detail::store_failure(e);
  return error_response(e);
}

Response no_tree_head() {
  return error_response(404, "ERR_NO_TREE_HEAD",
                        "the audit log has no signed tree head yet (causeway serve signs one at start and every "
                        "--sth-interval-s when the log grew; or run causeway audit sth)");
}

}  // namespace

// ---- AuditService --------------------------------------------------------------------------------------------

Result<std::shared_ptr<AuditService>> AuditService::create(AuditServiceOptions options) {
  const std::string db_path = options.data_dir + "/causeway.db";
  std::error_code ec;
  if (!std::filesystem::is_regular_file(db_path, ec)) return fail(Code::Io, "no relay database at " + db_path);
  const std::string key_path = options.key_file.empty() ? options.data_dir + "/audit.key" : options.key_file;
  auto key = audit::AuditKey::load_or_create(key_path);
  if (!key) return tl::unexpected<Error>(key.error());
  std::shared_ptr<AuditService> s(new AuditService(std::move(options), std::move(*key)));
  s->db_path_ = db_path;
  store::OpenOptions oo;
  oo.create = false;
  auto db = store::Database::open(db_path, oo);
  if (!db) return tl::unexpected<Error>(db.error());
  s->sign_db_ = std::make_unique<store::Database>(std::move(*db));
  auto log = audit::AuditLog::open(*s->sign_db_);
  if (!log) return tl::unexpected<Error>(log.error());
  s->sign_log_ = std::make_unique<audit::AuditLog>(std::move(*log));
  return s;
}

AuditService::~AuditService() { stop(); }

void AuditService::note(const std::string& s) const {
  if (opt_.log) opt_.log(s);
  else std::fprintf(stderr, "causeway: %s\n", s.c_str());
}

std::uint64_t AuditService::now_ms() const { return opt_.clock_ms ? opt_.clock_ms() : system_ms(); }

Result<std::optional<audit::SignedTreeHead>> AuditService::sign_if_grown() {
  auto r = sign_if_grown_locked();
  if (r && *r && opt_.on_signed) opt_.on_signed(**r);  // stored: announce it (H9)
  return r;
}

Result<std::optional<audit::SignedTreeHead>> AuditService::sign_if_grown_locked() {
  std::lock_guard lock(sign_mu_);
  if (!sign_log_) return std::optional<audit::SignedTreeHead>{};
  if (!last_signed_size_) {
    auto heads = sign_log_->tree_heads();
    if (!heads) return tl::unexpected<Error>(heads.error());
    if (!heads->empty()) last_signed_size_ = heads->back().tree_size;
  }
  auto size = sign_log_->size();
  if (!size) return tl::unexpected<Error>(size.error());
  if (last_signed_size_ && *size <= *last_signed_size_) return std::optional<audit::SignedTreeHead>{};
  auto sth = sign_log_->sign_tree_head(key_, now_ms());
  if (!sth) return tl::unexpected<Error>(sth.error());
  last_signed_size_ = sth->tree_size;
  return std::optional<audit::SignedTreeHead>(*sth);
}

void AuditService::start() {
  if (auto s = sign_if_grown(); !s) note("audit: cannot sign a tree head: " + s.error().detail);
  std::lock_guard lock(run_mu_);
  if (running_ || opt_.sth_interval_s == 0) return;
  running_ = true;
  stopping_ = false;
  thread_ = std::thread([this] {
    std::unique_lock lk(run_mu_);
    for (;;) {
      if (run_cv_.wait_for(lk, std::chrono::seconds(opt_.sth_interval_s), [this] { return stopping_; })) return;
      lk.unlock();
      if (auto s = sign_if_grown(); !s) note("audit: cannot sign a tree head: " + s.error().detail);
      lk.lock();
    }
  });
}

void AuditService::stop() {
  {
    std::lock_guard lock(run_mu_);
    stopping_ = true;
  }
  run_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  bool last = false;
  {
    std::lock_guard lock(run_mu_);
    last = running_ || opt_.sth_interval_s == 0;
    running_ = false;
  }
  {
    std::lock_guard lock(sign_mu_);
    if (!sign_log_) return;  // stopped already
  }
  if (last) {
    if (auto s = sign_if_grown(); !s) note("audit: cannot sign the last tree head: " + s.error().detail);
  }
  std::lock_guard lock(sign_mu_);
  sign_log_.reset();
  sign_db_.reset();
}

Result<std::unique_ptr<AuditService::Reader>> AuditService::take_reader() {
  {
    std::lock_guard lock(pool_mu_);
    if (!free_.empty()) {
      auto r = std::move(free_.back());
      free_.pop_back();
      return r;
    }
  }
  store::OpenOptions oo;
  oo.read_only = true;
  oo.create = false;
  auto db = store::Database::open(db_path_, oo);
  if (!db) return tl::unexpected<Error>(db.error());
  auto reader = std::make_unique<Reader>();
  reader->db = std::make_unique<store::Database>(std::move(*db));
  auto log = audit::AuditLog::open_read_only(*reader->db);
  if (!log) return tl::unexpected<Error>(log.error());
  reader->log = std::make_unique<audit::AuditLog>(std::move(*log));
  return reader;
}

void AuditService::give_back(std::unique_ptr<Reader> r) {
  std::lock_guard lock(pool_mu_);
  if (free_.size() < 8) free_.push_back(std::move(r));
}

// ---- routes --------------------------------------------------------------------------------------------------

void add_audit_routes(Server& server, std::shared_ptr<AuditService> svc) {
  server.route("GET", "/v1/audit/sth", [svc](const Request&, Respond respond) {
    auto heads = svc->read<std::vector<audit::SignedTreeHead>>([](audit::AuditLog& log) { return log.tree_heads(); });
    if (!heads) return respond(failure(heads.error()));
    if (heads->empty()) return respond(no_tree_head());
    respond(detail::json_response(200, audit::sth_to_json(heads->back())));
  });

  server.route("GET", "/v1/audit/entries", [svc](const Request& req, Respond respond) {
    auto start = required_u64(req, "start");
    if (!start) return respond(error_response(start.error()));
    auto end = required_u64(req, "end");
    if (!end) return respond(error_response(end.error()));
    if (*end < *start) return respond(error_response(400, "ERR_INVALID_ARGUMENT", "end is before start"));
    const std::size_t max = svc->options().max_page;
    if (*end - *start > max)
      return respond(error_response(400, "ERR_INVALID_ARGUMENT",
                                    "at most " + std::to_string(max) + " entries per request (end - start)"));
    auto out = svc->read<json>([&](audit::AuditLog& log) -> Result<json> {
      auto size = log.size();
      if (!size) return tl::unexpected<Error>(size.error());
      if (*end > *size)
        return fail(Code::MerkleIndex, "end " + std::to_string(*end) + " is past the log's " + std::to_string(*size) +
                                           " entries", "end");
      auto leaves = log.leaves(*start, static_cast<std::size_t>(*end - *start));
      if (!leaves) return tl::unexpected<Error>(leaves.error());
      json entries = json::array();
      for (const auto& l : *leaves) {
        json e = {{"index", l.index}, {"leaf_hash", to_hex(l.leaf_hash.view())}, {"data", l.data}};
        if (l.bundle_hash) e["bundle_hash"] = to_hex(l.bundle_hash->view());
        entries.push_back(std::move(e));
      }
      return json{{"start", *start}, {"end", *end}, {"tree_size", *size}, {"entries", std::move(entries)}};
    });
    if (!out) return respond(failure(out.error()));
    respond(detail::json_response(200, *out));
  });

  server.route("GET", "/v1/audit/inclusion", [svc](const Request& req, Respond respond) {
    auto index = required_u64(req, "index");
    if (!index) return respond(error_response(index.error()));
    auto size = required_u64(req, "tree_size");
    if (!size) return respond(error_response(size.error()));
    auto out = svc->read<json>([&](audit::AuditLog& log) -> Result<json> {
      auto proof = log.inclusion_proof(*index, *size);
      if (!proof) return tl::unexpected<Error>(proof.error());
      auto leaf = log.leaves(*index, 1);
      if (!leaf) return tl::unexpected<Error>(leaf.error());
      if (leaf->size() != 1) return fail(Code::StoreIo, "leaf " + std::to_string(*index) + " is missing");
      auto root = log.root(*size);
      if (!root) return tl::unexpected<Error>(root.error());
      return json{{"index", *index},
                  {"tree_size", *size},
                  {"leaf_hash", to_hex(leaf->front().leaf_hash.view())},
                  {"root_hash", to_hex(root->view())},
                  {"proof", hashes_json(*proof)}};
    });
    if (!out) return respond(failure(out.error()));
    respond(detail::json_response(200, *out));
  });

  server.route("GET", "/v1/audit/consistency", [svc](const Request& req, Respond respond) {
    auto first = required_u64(req, "first");
    if (!first) return respond(error_response(first.error()));
    auto second = required_u64(req, "second");
    if (!second) return respond(error_response(second.error()));
    auto out = svc->read<json>([&](audit::AuditLog& log) -> Result<json> {
      auto proof = log.consistency_proof(*first, *second);
      if (!proof) return tl::unexpected<Error>(proof.error());
      auto r1 = log.root(*first);
      if (!r1) return tl::unexpected<Error>(r1.error());
      auto r2 = log.root(*second);
      if (!r2) return tl::unexpected<Error>(r2.error());
      return json{{"first", *first},
                  {"second", *second},
                  {"first_root", to_hex(r1->view())},
                  {"second_root", to_hex(r2->view())},
                  {"proof", hashes_json(*proof)}};
    });
    if (!out) return respond(failure(out.error()));
    respond(detail::json_response(200, *out));
  });

  server.route("GET", "/v1/audit/export", [svc](const Request&, Respond respond) {
    std::string body;
    bool too_large = false;
    auto out = svc->read<bool>([&](audit::AuditLog& log) -> Result<bool> {
      auto heads = log.tree_heads();
      if (!heads) return tl::unexpected<Error>(heads.error());
      if (heads->empty()) return false;
      BoundedBuf buf(body, svc->options().max_export_bytes);
      std::ostream os(&buf);
      auto s = audit::write_export(log, os);
      too_large = buf.exceeded();
      if (!s && !too_large) return tl::unexpected<Error>(s.error());
      return true;
    });
    if (!out) return respond(failure(out.error()));
    if (!*out) return respond(no_tree_head());
    if (too_large)
      return respond(error_response(413, "ERR_TOO_LARGE",
                                    "the export is larger than " + std::to_string(svc->options().max_export_bytes) +
                                        " bytes: run causeway audit export on the relay's host"));
    respond(Response{200, std::move(body), "application/x-ndjson"});
  });
}

}  // namespace causeway::gateway
