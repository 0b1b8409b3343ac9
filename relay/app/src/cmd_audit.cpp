// `causeway audit sth|export|verify`: the transparency log (docs/audit-log.md). They work on a relay data
// directory (--data-dir, default ./causeway-data; the database is <data-dir>/causeway.db, the audit key
// <data-dir>/audit.key unless --key) or, for verify, on an export file or a running relay (--url: GET
// /v1/audit/sth, then GET /v1/audit/export, relay/gateway audit_routes.hpp).
// Exit codes: 0 ok, 1 an inconsistency (verify), 2 usage, I/O error, or an unreadable / malformed export
// (ERR_AUDIT_EXPORT with the line number; never a raw exception text).
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>

#include "causeway/adapters/common/json_rpc.hpp"

#include "causeway/audit/export.hpp"
#include "causeway/audit/log.hpp"
#include "causeway/audit/verify.hpp"
#include "causeway/core/hex.hpp"
#include "commands.hpp"

namespace causeway::app {
namespace {

using nlohmann::json;

struct Opts {
  std::string data_dir = "causeway-data";
  std::string key;
  std::string out;
  std::string export_path;
  std::string url;
  std::string log_id;
  std::size_t max_export_mib = 1024;
  bool json_out = false;
  bool no_bundles = false;
  bool force = false;
};

std::uint64_t now_ms() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

// Prints a usage / I/O error (exit 2) in the chosen format.
int usage_error(const Opts& o, const Error& e) {
  if (o.json_out) {
    std::cout << json{{"ok", false}, {"error", {{"code", code_name(e.code)}, {"message", e.detail}, {"at", e.at}}}}.dump(2)
              << "\n";
  } else {
    std::cerr << "error: " << code_name(e.code) << ": " << e.detail << (e.at.empty() ? "" : " (at " + e.at + ")") << "\n";
  }
  return 2;
}

std::string key_path(const Opts& o) { return o.key.empty() ? o.data_dir + "/audit.key" : o.key; }

// Opens <data-dir>/causeway.db, which must exist (the relay creates it).
Result<store::Database> open_db(const Opts& o) {
  const std::string path = o.data_dir + "/causeway.db";
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return fail(Code::Io, "no relay database at " + path + " (use --data-dir)");
  }
  store::OpenOptions opt;
  opt.create = false;
  return store::Database::open(path, opt);
}

void print_sth_human(const audit::SignedTreeHead& s) {
  std::cout << "tree_size     " << s.tree_size << "\n"
            << "root_hash     " << to_hex(s.root_hash.view()) << "\n"
            << "timestamp_ms  " << s.timestamp_ms << "\n"
            << "log_id        " << to_hex(s.log_id) << "\n"
            << "signature     " << to_hex(s.signature) << "\n";
}

int run_sth(const Opts& o) {
  auto db = open_db(o);
  if (!db) return usage_error(o, db.error());
  auto log = audit::AuditLog::open(*db);
  if (!log) return usage_error(o, log.error());
  auto key = audit::AuditKey::load_or_create(key_path(o));
  if (!key) return usage_error(o, key.error());
  auto sth = log->sign_tree_head(*key, now_ms());
  if (!sth) return usage_error(o, sth.error());
  if (o.json_out) {
    std::cout << audit::sth_to_json(*sth).dump(2) << "\n";
  } else {
    print_sth_human(*sth);
  }
  return 0;
}

int run_export(const Opts& o) {
  // Never write over an existing file unless asked (the database or the key could be named by mistake, and the
  // transparency log would be gone), and never over the database, its WAL files or the audit key even then.
  {
    std::error_code ec;
    const std::string db_path = o.data_dir + "/causeway.db";
    for (const std::string& keep : {db_path, db_path + "-wal", db_path + "-shm", key_path(o)}) {
      if (std::filesystem::exists(keep, ec) && std::filesystem::equivalent(keep, o.out, ec))
        return usage_error(o, Error{Code::InvalidArgument, "--out names the relay's own file " + keep, "--out"});
    }
    if (std::filesystem::exists(o.out, ec) && !o.force)
      return usage_error(o, Error{Code::InvalidArgument, o.out + " exists: choose a new file or pass --force", "--out"});
    if (std::filesystem::is_directory(o.out, ec))
      return usage_error(o, Error{Code::InvalidArgument, o.out + " is a directory", "--out"});
  }
  auto db = open_db(o);
  if (!db) return usage_error(o, db.error());
  auto log = audit::AuditLog::open(*db);
  if (!log) return usage_error(o, log.error());
  auto size = log->size();
  if (!size) return usage_error(o, size.error());
  auto heads = log->tree_heads();
  if (!heads) return usage_error(o, heads.error());
  if (heads->empty() || heads->back().tree_size != *size) {  // sign the entries no tree head covers yet
    auto key = audit::AuditKey::load_or_create(key_path(o));
    if (!key) return usage_error(o, key.error());
    if (auto s = log->sign_tree_head(*key, now_ms()); !s) return usage_error(o, s.error());
    heads = log->tree_heads();
    if (!heads) return usage_error(o, heads.error());
  }
  const std::string tmp = o.out + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return usage_error(o, Error{Code::Io, "cannot write " + tmp, ""});
    if (auto s = audit::write_export(*log, out); !s) {
      std::filesystem::remove(tmp);
      return usage_error(o, s.error());
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, o.out, ec);
  if (ec) std::filesystem::remove(tmp);
  if (ec) return usage_error(o, Error{Code::Io, "cannot rename " + tmp + " to " + o.out + ": " + ec.message(), ""});
  const auto& latest = heads->back();
  if (o.json_out) {
    std::cout << json{{"ok", true}, {"out", o.out}, {"entries", latest.tree_size}, {"sths", heads->size()},
                      {"log_id", to_hex(latest.log_id)}, {"root_hash", to_hex(latest.root_hash.view())}}
                     .dump(2)
              << "\n";
  } else {
    std::cout << "audit: exported " << latest.tree_size << " entries and " << heads->size() << " signed tree heads to "
              << o.out << "\n";
  }
  return 0;
}

// GETs `path` of the relay at `client`'s URL (a path prefix in --url is kept). A transport failure or an
// answer other than 200 is an I/O error (exit 2) naming the route.
Result<std::string> fetch(adapters::JsonRpcClient& client, const std::string& path) {
  std::string base = client.url().target;
  if (const auto q = base.find('?'); q != std::string::npos) base.resize(q);
  while (!base.empty() && base.back() == '/') base.pop_back();
  auto r = client.get(base + path);
  if (!r) {
    Error e = r.error();
    e.detail = "GET " + path + ": " + e.detail;
    return tl::unexpected<Error>(std::move(e));
  }
  if (r->status != 200) {
    std::string code = "HTTP " + std::to_string(r->status), message;
    const json body = json::parse(r->body, nullptr, false);
    if (!body.is_discarded() && body.is_object() && body.contains("error") && body["error"].is_object()) {
      const auto& e = body["error"];
      if (e.contains("code") && e["code"].is_string()) code = e["code"].get<std::string>();
      if (e.contains("message") && e["message"].is_string()) message = e["message"].get<std::string>();
    }
    return fail(Code::Io, "GET " + path + " answered " + std::to_string(r->status) + " " + code +
                              (message.empty() ? "" : ": " + message), "--url");
  }
  return std::move(r->body);
}

int run_verify(const Opts& o) {
  const int sources = (o.url.empty() ? 0 : 1) + (o.export_path.empty() ? 0 : 1);
  if (sources > 1) return usage_error(o, Error{Code::InvalidArgument, "give one of --export, --url or --data-dir", ""});
  audit::VerifyOptions vo;
  vo.verify_bundles = !o.no_bundles;
  if (!o.log_id.empty()) {
    auto id = from_hex(o.log_id, 32);
    if (!id || id->size() != 32) return usage_error(o, Error{Code::BadHex, "--log-id must be 0x + 64 hex digits", ""});
    secp256k1::XOnlyPublicKey k{};
    std::copy(id->begin(), id->end(), k.begin());
    vo.pinned_log_id = k;
  }
  Result<audit::VerifyReport> report = fail(Code::Io, "no source");
  std::string source_name;
  std::optional<audit::SignedTreeHead> served_sth;  // --url: the relay's /v1/audit/sth
  std::vector<audit::SignedTreeHead> export_heads;
  // Any exception below is a defect in reading the input, never a verdict: report it as a malformed export
  // (exit 2) with where the reader was, not as raw exception text.
  std::uint64_t line_hint = 0;
  try {
    if (!o.url.empty()) {
      adapters::RpcOptions ro;
      ro.connect_timeout = std::chrono::milliseconds(10'000);
      ro.read_timeout = std::chrono::milliseconds(600'000);
      ro.max_response_bytes = o.max_export_mib << 20;
      ro.user_agent = "causeway-cli/1";
      auto client = adapters::JsonRpcClient::create(o.url, ro);
      if (!client) return usage_error(o, Error{client.error().code, "--url: " + client.error().detail, "--url"});
      // The head first, then the export: the export carries every head signed up to its moment, so the head
      // just served must be among them (else the relay shows different logs to different readers).
      auto sth_text = fetch(*client, "/v1/audit/sth");
      if (!sth_text) return usage_error(o, sth_text.error());
      const json sth_json = json::parse(*sth_text, nullptr, false);
      if (sth_json.is_discarded())
        return usage_error(o, Error{Code::AuditExport, "GET /v1/audit/sth: not JSON", "/v1/audit/sth"});
      auto sth = audit::sth_from_json(sth_json, "/v1/audit/sth");
      if (!sth) return usage_error(o, Error{Code::AuditExport, sth.error().detail, sth.error().at});
      served_sth = *sth;
      auto body = fetch(*client, "/v1/audit/export");
      if (!body) return usage_error(o, body.error());
      auto src = audit::ExportSource::from_stream(std::make_unique<std::istringstream>(std::move(*body)));
      if (!src) return usage_error(o, src.error());
      export_heads = (*src)->tree_heads().value_or(std::vector<audit::SignedTreeHead>{});
      report = audit::verify_log(**src, vo);
      line_hint = (*src)->line();
      source_name = o.url;
    } else if (!o.export_path.empty()) {
      auto src = audit::ExportSource::open(o.export_path);
      if (!src) return usage_error(o, src.error());
      report = audit::verify_log(**src, vo);
      line_hint = (*src)->line();
      source_name = o.export_path;
    } else {
      auto db = open_db(o);
      if (!db) return usage_error(o, db.error());
      auto log = audit::AuditLog::open(*db);
      if (!log) return usage_error(o, log.error());
      audit::DatabaseSource src(*log);
      report = audit::verify_log(src, vo);
      source_name = o.data_dir + "/causeway.db";
    }
  } catch (const std::exception& e) {
    return usage_error(o, Error{Code::AuditExport, std::string("malformed input: ") + e.what(),
                                line_hint ? "line " + std::to_string(line_hint) : ""});
  }
  if (report && report->ok && served_sth) {
    bool found = false;
    for (const auto& h : export_heads) found = found || h == *served_sth;
    if (!found) {
      report->ok = false;
      report->error = Error{Code::AuditInconsistent,
                            "the relay's /v1/audit/sth (tree size " + std::to_string(served_sth->tree_size) +
                                ", root " + to_hex(served_sth->root_hash.view()) +
                                ") is not one of the tree heads its export carries",
                            "/v1/audit/sth"};
      report->sth_tree_size = served_sth->tree_size;
    }
  }
  if (!report) return usage_error(o, report.error());
  const auto& r = *report;
  if (o.json_out) {
    json out{{"valid", r.ok},
             {"source", source_name},
             {"entries", r.entries},
             {"tree_size", r.tree_size},
             {"sths_checked", r.sths_checked},
             {"bundles_verified", r.bundles_verified},
             {"log_id", r.log_id},
             {"log_id_trusted", r.log_id_pinned ? "pinned" : "as-given"}};
    if (r.error) {
      out["error"] = {{"code", code_name(r.error->code)}, {"message", r.error->detail}, {"at", r.error->at}};
      if (r.leaf_index) out["leaf_index"] = *r.leaf_index;
      if (r.sth_tree_size) out["sth_tree_size"] = *r.sth_tree_size;
    }
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << "source        " << source_name << "\n"
              << "log_id        " << r.log_id << (r.log_id_pinned ? " (pinned)" : " (as given)") << "\n"
              << "tree heads    " << r.sths_checked << " checked\n"
              << "bundles       " << r.bundles_verified << " re-verified\n";
    if (r.ok) {
      std::cout << "audit: verified " << r.entries << " entries, tree size " << r.tree_size << "\n";
    } else {
      std::cout << "audit: INCONSISTENT at " << r.error->at << ": " << code_name(r.error->code) << ": "
                << r.error->detail << "\n";
    }
  }
  return r.ok ? 0 : 1;
}

}  // namespace

void add_audit_commands(CLI::App& app, int& exit_code) {
  auto* audit_cmd = app.add_subcommand("audit", "Transparency log: sign tree heads, export, verify");
  audit_cmd->require_subcommand(1);
  static Opts o;
  auto common = [](CLI::App* c, bool with_key) {
    c->add_option("--data-dir", o.data_dir, "Relay data directory (database <dir>/causeway.db)")
        ->capture_default_str();
    if (with_key) c->add_option("--key", o.key, "Audit key file (default <data-dir>/audit.key; created 0600)");
    c->add_flag("--json", o.json_out, "Print JSON");
  };

  auto* sth = audit_cmd->add_subcommand("sth", "Sign a tree head over the current log and print it");
  common(sth, true);
  sth->callback([&exit_code] { exit_code = run_sth(o); });

  auto* exp = audit_cmd->add_subcommand(
      "export", "Write the log, its signed tree heads and proof bundles to one JSON Lines file for offline audit");
  common(exp, true);
  exp->add_option("--out", o.out, "Export file to write (a new file; see --force)")->required();
  exp->add_flag("--force", o.force, "Replace an existing export file (never the database or the audit key)");
  exp->callback([&exit_code] { exit_code = run_export(o); });

  auto* ver = audit_cmd->add_subcommand(
      "verify",
      "Verify every STH signature, consistency between STHs, every leaf's canonical form and inclusion, and\n"
      "re-verify every stored proof bundle. Exit status: 0 consistent, 1 inconsistent (first failure printed),\n"
      "2 usage or I/O error, or an unreadable / malformed export (ERR_AUDIT_EXPORT at its line).");
  common(ver, false);
  ver->add_option("--export", o.export_path, "An export file from `causeway audit export`");
  ver->add_option("--url", o.url, "A running relay (http://HOST:PORT): fetches /v1/audit/sth and /v1/audit/export");
  ver->add_option("--max-export-mib", o.max_export_mib, "--url: the largest export to download, MiB")
      ->capture_default_str()
      ->check(CLI::Range(1, 65536));
  ver->add_option("--log-id", o.log_id, "Expected log id (0x x-only public key); else the export's is as given");
  ver->add_flag("--no-bundles", o.no_bundles, "Check bundle hashes but do not re-verify the bundles");
  ver->callback([&exit_code] { exit_code = run_verify(o); });
}

}  // namespace causeway::app
