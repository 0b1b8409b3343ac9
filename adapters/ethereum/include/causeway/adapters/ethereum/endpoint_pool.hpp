// Several JSON-RPC endpoints of one EVM island (docs/adapters.md "EVM" "Endpoints"): the EVM adapter asks one
// endpoint at a time, moves to the next on a transport failure, and demotes an endpoint whose data could not
// be verified — either because the adapter caught it contradicting itself (ERR_RPC_INCONSISTENT: a receipt list
// that does not hash to its block's receiptsRoot, a block that does not hash to its stated hash) or because the
// engine reports that a header or proof it served failed light-client verification (report_unverifiable).
// Adapters never decide trust (DESIGN.md rule 3): demotion only changes which node is asked first; every
// answer still goes through the light client.
//
// Selection: the first endpoint (in configuration order, starting at the current one) that is not demoted.
// When every endpoint is demoted, the one with the fewest unverifiable reports is used (the relay keeps
// trying; the light client keeps refusing lies). reinstate(url) clears a demotion (operator action).
//
// Thread-safety: the JSON-RPC clients are used by the adapter's one worker thread (acquire/current are not for
// concurrent use); report_*, reinstate and metrics() lock an internal mutex and may be called from any thread
// (the engine reports, the gateway reads metrics).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "causeway/adapters/common/json_rpc.hpp"
#include "causeway/core/error.hpp"

namespace causeway::adapters::ethereum {

// Counters of one endpoint (monotonic since the pool was made), for the gateway's metrics.
struct EndpointMetrics {
  std::string url;
  std::uint64_t selected = 0;              // operations started on this endpoint
  std::uint64_t transport_errors = 0;      // ERR_RPC_TRANSPORT / ERR_RPC_TIMEOUT / ERR_TOO_LARGE
  std::uint64_t inconsistent = 0;          // answers the adapter caught contradicting themselves
  std::uint64_t unverifiable_reports = 0;  // report_unverifiable calls (engine: light client refused its data)
  std::uint64_t demotions = 0;             // times it became demoted
  bool demoted = false;
};

struct PoolMetrics {
  std::vector<EndpointMetrics> endpoints;  // configuration order
  std::uint64_t failovers = 0;             // moves to another endpoint after a failure
};

class EndpointPool {
 public:
  // One JsonRpcClient per URL (parse_http_url's ERR_INVALID_ARGUMENT for a bad one; ERR_INVALID_ARGUMENT for
  // an empty list or a URL listed twice). Does not connect.
  static Result<std::unique_ptr<EndpointPool>> create(const std::vector<std::string>& urls, const RpcOptions& options);

  std::size_t size() const noexcept { return clients_.size(); }
  // The endpoint to use now (see "Selection"); counts `selected`.
  std::size_t acquire();
  JsonRpcClient& client(std::size_t i) { return *clients_.at(i); }
  const std::string& url(std::size_t i) const { return urls_.at(i); }

  // The endpoint at index i failed at transport level: the next acquire() starts after it.
  void report_transport_failure(std::size_t i);
  // The endpoint at index i answered something self-contradictory (ERR_RPC_INCONSISTENT): counted and demoted.
  void report_inconsistent(std::size_t i);
  // The engine's hook: data served by `url` failed verification. Counted and demoted. false for an unknown url.
  bool report_unverifiable(std::string_view url);
  // Clears the demotion of `url` (counters stay). false for an unknown url.
  bool reinstate(std::string_view url);

  PoolMetrics metrics() const;

 private:
  EndpointPool() = default;
  void demote_locked(std::size_t i);
  std::vector<std::string> urls_;
  std::vector<std::unique_ptr<JsonRpcClient>> clients_;
  mutable std::mutex mu_;
  std::vector<EndpointMetrics> stats_;
  std::uint64_t failovers_ = 0;
  std::size_t current_ = 0;
};

}  // namespace causeway::adapters::ethereum
