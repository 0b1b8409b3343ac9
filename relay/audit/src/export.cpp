// Audit export writer and reader: see causeway/audit/export.hpp for the contract.
#include "causeway/audit/export.hpp"

#include <nlohmann/json.hpp>

#include "causeway/audit/jcs.hpp"
#include "causeway/core/hex.hpp"

namespace causeway::audit {

namespace {

using json = nlohmann::json;

template <class T>
tl::unexpected<Error> err(T&& e) {
  return tl::unexpected<Error>(std::forward<T>(e).error());
}

json proof_json(const std::vector<Hash32>& p) {
  json a = json::array();
  for (const auto& h : p) a.push_back(to_hex(h.view()));
  return a;
}

// Reads one line of at most `limit` bytes (without the '\n'). false at the end of the stream.
Result<bool> read_line(std::istream& in, std::string& out, std::size_t limit) {
  out.clear();
  std::streambuf* sb = in.rdbuf();
  for (;;) {
    const int c = sb->sbumpc();
    if (c == std::char_traits<char>::eof()) return !out.empty();
    if (c == '\n') return true;
    if (out.size() >= limit) return fail(Code::TooLarge, "export line longer than 160 MiB");
    out.push_back(static_cast<char>(c));
  }
}

Result<json> parse_line(const std::string& line, std::uint64_t line_no) {
  json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return fail(Code::AuditExport, "not a JSON object", "line " + std::to_string(line_no));
  }
  return j;
}

// A member that should be a string: its value, or "" when absent or of another type (never throws).
std::string string_member(const json& j, const char* name) {
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Error located(Error e, const std::string& at) {
  if (e.at.empty()) e.at = at;
  return e;
}

Result<Hash32> hash_of(const json& v, const std::string& at) {
  if (!v.is_string()) return fail(Code::AuditExport, "expected 0x + 64 hex digits", at);
  auto h = hash_from_hex(v.get_ref<const std::string&>());
  if (!h) return fail(Code::AuditExport, "expected 0x + 64 hex digits", at);
  return h;
}

}  // namespace

Status write_export(AuditLog& log, std::ostream& out) {
  auto heads = log.tree_heads();
  if (!heads) return err(std::move(heads));
  if (heads->empty()) return fail(Code::AuditInconsistent, "the log has no signed tree head yet: nothing to export");
  const SignedTreeHead& latest = heads->back();
  out << json{{"format", kExportFormat}, {"version", kExportVersion}, {"log_id", to_hex(latest.log_id)},
              {"tree_size", latest.tree_size}, {"sth_count", heads->size()}}
             .dump()
      << '\n';
  for (std::size_t j = 0; j < heads->size(); ++j) {
    json line{{"type", "sth"}, {"sth", sth_to_json((*heads)[j])}};
    if (j > 0) {
      const std::uint64_t a = (*heads)[j - 1].tree_size;
      const std::uint64_t b = (*heads)[j].tree_size;
      std::vector<Hash32> p;
      if (a > 0 && a <= b) {
        auto proof = log.consistency_proof(a, b);
        if (!proof) return err(std::move(proof));
        p = std::move(*proof);
      }
      line["consistency_proof"] = proof_json(p);
    }
    out << line.dump() << '\n';
  }
  constexpr std::size_t kBatch = 4096;
  for (std::uint64_t start = 0; start < latest.tree_size;) {
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(kBatch, latest.tree_size - start));
    auto batch = log.leaves(start, want);
    if (!batch) return err(std::move(batch));
    if (batch->empty()) return fail(Code::AuditInconsistent, "the log has fewer leaves than its latest tree head");
    for (const auto& rec : *batch) {
      json line{{"type", "leaf"}, {"index", rec.index}, {"leaf_hash", to_hex(rec.leaf_hash.view())}, {"data", rec.data}};
      if (rec.bundle_hash) {
        auto b = log.bundle(*rec.bundle_hash);
        if (!b) return err(std::move(b));
        if (!*b) {
          return fail(Code::AuditBundleHash, "bundle " + to_hex(rec.bundle_hash->view()) + " is not stored",
                      "leaves[" + std::to_string(rec.index) + "]");
        }
        line["bundle"] = std::move(**b);
      }
      out << line.dump() << '\n';
    }
    start += batch->size();
  }
  out.flush();
  if (!out) return fail(Code::Io, "writing the export failed");
  return {};
}

Result<std::unique_ptr<ExportSource>> ExportSource::open(const std::string& path) {
  std::unique_ptr<ExportSource> src(new ExportSource());
  auto file = std::make_unique<std::ifstream>(path, std::ios::binary);
  if (!*file) return fail(Code::Io, "cannot open export " + path);
  src->in_ = std::move(file);
  return read_head(std::move(src));
}

Result<std::unique_ptr<ExportSource>> ExportSource::from_stream(std::unique_ptr<std::istream> in) {
  std::unique_ptr<ExportSource> src(new ExportSource());
  if (!in || !*in) return fail(Code::Io, "cannot read the export stream");
  src->in_ = std::move(in);
  return read_head(std::move(src));
}

Result<std::unique_ptr<ExportSource>> ExportSource::read_head(std::unique_ptr<ExportSource> src) {
  std::string line;
  auto got = read_line(*src->in_, line, kMaxExportLine);
  if (!got) return tl::unexpected<Error>(located(std::move(got.error()), "line 1"));
  if (!*got) return fail(Code::AuditExport, "empty file", "line 1");
  src->line_no_ = 1;
  auto header = parse_line(line, 1);
  if (!header) return err(std::move(header));
  const json& h = *header;
  if (string_member(h, "format") != kExportFormat || !h.contains("version") || h["version"] != kExportVersion) {
    return fail(Code::AuditExport, "not a causeway-audit-export version 1 header", "line 1");
  }
  if (!h.contains("tree_size") || !h["tree_size"].is_number_unsigned()) {
    return fail(Code::AuditExport, "header tree_size missing or not a non-negative integer", "line 1");
  }
  if (!h.contains("sth_count") || !h["sth_count"].is_number_unsigned()) {
    return fail(Code::AuditExport, "header sth_count missing or not a non-negative integer", "line 1");
  }
  if (!h.contains("log_id") || !h["log_id"].is_string()) {
    return fail(Code::AuditExport, "header log_id missing (0x + 64 hex digits)", "line 1");
  }
  src->declared_size_ = h["tree_size"].get<std::uint64_t>();
  const std::uint64_t declared_sths = h["sth_count"].get<std::uint64_t>();
  const std::string declared_log_id = h["log_id"].get<std::string>();
  std::uint64_t latest_line = 0;
  for (;;) {
    auto more = read_line(*src->in_, line, kMaxExportLine);
    if (!more) return tl::unexpected<Error>(located(std::move(more.error()), "line " + std::to_string(src->line_no_ + 1)));
    if (!*more) break;
    ++src->line_no_;
    const std::string at = "line " + std::to_string(src->line_no_);
    auto rec = parse_line(line, src->line_no_);
    if (!rec) return err(std::move(rec));
    const std::string type = string_member(*rec, "type");
    if (type == "leaf") {
      src->pending_ = std::move(line);
      src->pending_valid_ = true;
      break;
    }
    if (type != "sth" || !rec->contains("sth")) return fail(Code::AuditExport, "expected an sth or leaf record", at);
    auto sth = sth_from_json((*rec)["sth"], "sth");
    if (!sth) {
      Error e = std::move(sth.error());
      e.code = Code::AuditExport;  // a malformed line, whatever field (ERR_BAD_HEX etc. stay in the detail)
      e.at = at + (e.at.empty() ? "" : ": " + e.at);
      return tl::unexpected<Error>(std::move(e));
    }
    if (!src->heads_.empty()) {
      auto it = rec->find("consistency_proof");
      if (it == rec->end() || !it->is_array() || it->size() > 64) {
        return fail(Code::AuditExport, "consistency_proof (≤ 64 hashes) missing", at);
      }
      std::vector<Hash32> proof;
      for (std::size_t i = 0; i < it->size(); ++i) {
        auto e = hash_of((*it)[i], at + ": consistency_proof[" + std::to_string(i) + "]");
        if (!e) return err(std::move(e));
        proof.push_back(*e);
      }
      src->proofs_[{src->heads_.back().tree_size, sth->tree_size}] = std::move(proof);
    }
    src->heads_.push_back(*sth);
    latest_line = src->line_no_;
  }
  // The header repeats facts of the body (A4 of the session-3 review): they must agree.
  if (declared_sths != src->heads_.size()) {
    return fail(Code::AuditExport, "header says sth_count " + std::to_string(declared_sths) + " but the export has " +
                                       std::to_string(src->heads_.size()) + " STH lines", "line 1");
  }
  if (!src->heads_.empty()) {
    const SignedTreeHead& latest = src->heads_.back();
    if (src->declared_size_ != latest.tree_size) {
      return fail(Code::AuditExport, "header says tree_size " + std::to_string(src->declared_size_) +
                                         " but the latest STH (line " + std::to_string(latest_line) + ") has " +
                                         std::to_string(latest.tree_size), "line 1");
    }
    if (declared_log_id != to_hex(latest.log_id)) {
      return fail(Code::AuditExport, "header log_id " + declared_log_id.substr(0, 80) + " is not the latest STH's " +
                                         to_hex(latest.log_id) + " (line " + std::to_string(latest_line) + ")",
                  "line 1");
    }
  } else if (src->declared_size_ != 0) {
    return fail(Code::AuditExport, "header says tree_size " + std::to_string(src->declared_size_) +
                                       " but the export has no STH line", "line 1");
  }
  return src;
}

Result<std::vector<Hash32>> ExportSource::consistency_proof(std::uint64_t size1, std::uint64_t size2) {
  auto it = proofs_.find({size1, size2});
  if (it == proofs_.end()) {
    return fail(Code::AuditExport, "no consistency proof from tree size " + std::to_string(size1) + " to " +
                                       std::to_string(size2));
  }
  return it->second;
}

Result<std::vector<LeafRecord>> ExportSource::leaves(std::uint64_t start, std::size_t max) {
  if (start != next_leaf_) return fail(Code::InvalidArgument, "export leaves are read in order");
  bundles_.clear();
  std::vector<LeafRecord> out;
  std::string line;
  while (out.size() < max) {
    if (pending_valid_) {
      line = std::move(pending_);
      pending_valid_ = false;
    } else {
      auto more = read_line(*in_, line, kMaxExportLine);
      if (!more) return tl::unexpected<Error>(located(std::move(more.error()), "line " + std::to_string(line_no_ + 1)));
      if (!*more) break;
      ++line_no_;
    }
    const std::string at = "line " + std::to_string(line_no_);
    auto rec = parse_line(line, line_no_);
    if (!rec) return err(std::move(rec));
    const json& r = *rec;
    if (string_member(r, "type") != "leaf") return fail(Code::AuditExport, "expected a leaf record", at);
    if (!r.contains("index") || !r["index"].is_number_unsigned() || !r.contains("data") || !r["data"].is_string()) {
      return fail(Code::AuditExport, "a leaf record needs index and data", at);
    }
    LeafRecord leaf;
    leaf.index = r["index"].get<std::uint64_t>();
    leaf.data = r["data"].get<std::string>();
    auto lh = hash_of(r.contains("leaf_hash") ? r["leaf_hash"] : json(), at + ": leaf_hash");
    if (!lh) return err(std::move(lh));
    leaf.leaf_hash = *lh;
    if (r.contains("bundle")) {
      if (!r["bundle"].is_string()) return fail(Code::AuditExport, "bundle must be a string", at + ": bundle");
      bundles_[leaf.index] = r["bundle"].get<std::string>();
    }
    out.push_back(std::move(leaf));
    ++next_leaf_;
  }
  return out;
}

Result<std::optional<std::string>> ExportSource::bundle(const Hash32&, std::uint64_t leaf_index) {
  auto it = bundles_.find(leaf_index);
  if (it == bundles_.end()) return std::optional<std::string>{};
  return std::optional<std::string>(it->second);
}

}  // namespace causeway::audit
