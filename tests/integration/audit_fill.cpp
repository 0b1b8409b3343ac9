// Test helper for audit_cli_test.sh: appends N sample entries (headers_accepted / invariant_alert /
// operator_action) to the audit log of DATA_DIR/causeway.db in one transaction, as the engine will.
// Usage: audit_fill DATA_DIR N. Exit 0 ok, 2 usage or failure.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "causeway/audit/log.hpp"

using namespace causeway;
using namespace causeway::audit;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: audit_fill DATA_DIR N\n");
    return 2;
  }
  const std::string dir = argv[1];
  const auto n = std::strtoull(argv[2], nullptr, 10);
  auto db = store::Database::open(dir + "/causeway.db");
  if (!db) return std::fprintf(stderr, "open: %s\n", db.error().detail.c_str()), 2;
  auto log = AuditLog::open(*db);
  if (!log) return std::fprintf(stderr, "log: %s\n", log.error().detail.c_str()), 2;
  auto tx = store::Transaction::begin(*db);
  if (!tx) return 2;
  auto start = log->size();
  if (!start) return 2;
  for (std::uint64_t i = *start; i < *start + n; ++i) {
    Hash32 tip;
    tip.b.fill(static_cast<std::uint8_t>(i % 251 + 1));
    const std::uint64_t t = 1'800'000'000'000 + i;
    Result<Event> e = (i % 3 == 0)   ? build(HeadersAccepted{.island = "cwdevnet:demo", .from_height = i + 1,
                                                             .to_height = i + 1, .tip_hash = tip, .count = 1}, t)
                      : (i % 3 == 1) ? build(InvariantAlert{.invariant = "escrow", .scope = "channel-0",
                                                            .details = nlohmann::json{{"i", i}}}, t)
                                     : build(OperatorAction{.operator_id = "ops", .action = "note",
                                                            .target = "relay", .details = nlohmann::json::object()}, t);
    if (!e) return std::fprintf(stderr, "build: %s\n", e.error().detail.c_str()), 2;
    if (auto r = log->append(*tx, *e); !r) return std::fprintf(stderr, "append: %s\n", r.error().detail.c_str()), 2;
  }
  if (!tx->commit()) return 2;
  return 0;
}
