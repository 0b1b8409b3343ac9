// The audit export (docs/audit-log.md "Export format"): one JSON Lines file, UTF-8, one JSON object per line.
//   line 1       {"format":"causeway-audit-export","version":1,"log_id":"0x…","tree_size":N,"sth_count":K}
//   K lines      {"type":"sth","sth":{STH JSON},"consistency_proof":["0x…",…]}  oldest first; the proof
//                links the previous STH to this one (absent on the first, [] for equal sizes or after an
//                empty tree)
//   N lines      {"type":"leaf","index":i,"leaf_hash":"0x…","data":"<the leaf's JCS text>"[,"bundle":"<text>"]}
//                for i = 0 … N−1, N = the latest STH's tree size; "bundle" is the proof bundle the entry's
//                bundle_hash names, byte for byte.
// Reading: every malformed line is ERR_AUDIT_EXPORT with `at` = "line N" (1-based) and never an exception;
// the header must agree with the body (log_id = the latest STH's, tree_size = its tree size, sth_count = the
// number of STH lines).
// Thread-safety: an ExportSource reads its stream sequentially; one user at a time.
#pragma once

#include <cstdint>
#include <fstream>
#include <istream>
#include <memory>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "causeway/audit/log.hpp"
#include "causeway/audit/verify.hpp"

namespace causeway::audit {

inline constexpr std::string_view kExportFormat = "causeway-audit-export";
inline constexpr int kExportVersion = 1;
// One line holds at most one bundle (≤ 64 MiB) escaped, plus the leaf.
inline constexpr std::size_t kMaxExportLine = 160u << 20;

// Writes the log up to its latest STH (which must exist: ERR_AUDIT_INCONSISTENT otherwise) to `out`.
// Errors: ERR_AUDIT_INCONSISTENT, ERR_AUDIT_BUNDLE_HASH (a referenced bundle is not stored), ERR_IO
// (the stream failed), ERR_STORE_IO.
Status write_export(AuditLog& log, std::ostream& out);

// Reads an export written by write_export (or by anyone following the format). Header and STH lines are
// read by open(); leaves are streamed on demand (consecutive ranges only).
class ExportSource final : public AuditSource {
 public:
  // Errors: ERR_IO (cannot open), ERR_AUDIT_EXPORT (header or STH lines malformed, or the header's log_id,
  // tree_size or sth_count disagreeing with the STH lines: the error's `at` is "line N"), ERR_TOO_LARGE.
  static Result<std::unique_ptr<ExportSource>> open(const std::string& path);
  // The same over any stream (e.g. an export fetched over HTTP, `audit verify --url`).
  static Result<std::unique_ptr<ExportSource>> from_stream(std::unique_ptr<std::istream> in);

  Result<std::vector<SignedTreeHead>> tree_heads() override { return heads_; }
  Result<std::vector<Hash32>> consistency_proof(std::uint64_t size1, std::uint64_t size2) override;
  Result<std::vector<LeafRecord>> leaves(std::uint64_t start, std::size_t max) override;
  Result<std::optional<std::string>> bundle(const Hash32& hash, std::uint64_t leaf_index) override;

  std::uint64_t declared_tree_size() const noexcept { return declared_size_; }
  // The number of the last line read (1-based; 0 before any).
  std::uint64_t line() const noexcept { return line_no_; }

 private:
  ExportSource() = default;
  static Result<std::unique_ptr<ExportSource>> read_head(std::unique_ptr<ExportSource> src);
  std::unique_ptr<std::istream> in_;
  std::uint64_t line_no_ = 0;
  std::uint64_t next_leaf_ = 0;
  std::uint64_t declared_size_ = 0;
  bool pending_valid_ = false;
  std::string pending_;  // a line read ahead (the first leaf line, read while looking for STH lines)
  std::vector<SignedTreeHead> heads_;
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::vector<Hash32>> proofs_;
  std::map<std::uint64_t, std::string> bundles_;  // of the last leaves() batch, by leaf index
};

}  // namespace causeway::audit
