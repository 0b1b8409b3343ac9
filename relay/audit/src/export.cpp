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
  src->in_.open(path, std::ios::binary);
  if (!src->in_) return fail(Code::Io, "cannot open export " + path);
  std::string line;
  auto got = read_line(src->in_, line, kMaxExportLine);
  if (!got) return err(std::move(got));
  if (!*got) return fail(Code::AuditExport, "empty file", "line 1");
  src->line_no_ = 1;
  auto header = parse_line(line, 1);
  if (!header) return err(std::move(header));
  const json& h = *header;
  if (h.value("format", "") != kExportFormat || !h.contains("version") || h["version"] != kExportVersion) {
    return fail(Code::AuditExport, "not a causeway-audit-export version 1 header", "line 1");
  }
  if (!h.contains("tree_size") || !h["tree_size"].is_number_unsigned()) {
    return fail(Code::AuditExport, "header tree_size missing", "line 1");
  }
  src->declared_size_ = h["tree_size"].get<std::uint64_t>();
  for (;;) {
    auto more = read_line(src->in_, line, kMaxExportLine);
    if (!more) return err(std::move(more));
    if (!*more) break;
    ++src->line_no_;
    const std::string at = "line " + std::to_string(src->line_no_);
    auto rec = parse_line(line, src->line_no_);
    if (!rec) return err(std::move(rec));
    const std::string type = rec->value("type", "");
    if (type == "leaf") {
      src->pending_ = std::move(line);
      src->pending_valid_ = true;
      break;
    }
    if (type != "sth" || !rec->contains("sth")) return fail(Code::AuditExport, "expected an sth or leaf record", at);
    auto sth = sth_from_json((*rec)["sth"], at + ".sth");
    if (!sth) return err(std::move(sth));
    if (!src->heads_.empty()) {
      auto it = rec->find("consistency_proof");
      if (it == rec->end() || !it->is_array() || it->size() > 64) {
        return fail(Code::AuditExport, "consistency_proof (≤ 64 hashes) missing", at);
      }
      std::vector<Hash32> proof;
      for (std::size_t i = 0; i < it->size(); ++i) {
        auto e = hash_of((*it)[i], at + ".consistency_proof[" + std::to_string(i) + "]");
        if (!e) return err(std::move(e));
        proof.push_back(*e);
      }
      src->proofs_[{src->heads_.back().tree_size, sth->tree_size}] = std::move(proof);
    }
    src->heads_.push_back(*sth);
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
      auto more = read_line(in_, line, kMaxExportLine);
      if (!more) return err(std::move(more));
      if (!*more) break;
      ++line_no_;
    }
    const std::string at = "line " + std::to_string(line_no_);
    auto rec = parse_line(line, line_no_);
    if (!rec) return err(std::move(rec));
    const json& r = *rec;
    if (r.value("type", "") != "leaf") return fail(Code::AuditExport, "expected a leaf record", at);
    if (!r.contains("index") || !r["index"].is_number_unsigned() || !r.contains("data") || !r["data"].is_string()) {
      return fail(Code::AuditExport, "a leaf record needs index and data", at);
    }
    LeafRecord leaf;
    leaf.index = r["index"].get<std::uint64_t>();
    leaf.data = r["data"].get<std::string>();
    auto lh = hash_of(r.contains("leaf_hash") ? r["leaf_hash"] : json(), at + ".leaf_hash");
    if (!lh) return err(std::move(lh));
    leaf.leaf_hash = *lh;
    if (r.contains("bundle")) {
      if (!r["bundle"].is_string()) return fail(Code::AuditExport, "bundle must be a string", at + ".bundle");
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
