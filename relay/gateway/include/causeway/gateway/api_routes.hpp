// The relay's API v1 read/write routes beside POST /v1/packets (issue #6 "API v1"; docs/api.md is the
// reference, schemas/openapi.json the machine-readable form served at GET /v1/openapi.json).
//
// Reads go through READ-ONLY SQLite connections (store::ReadQueries; WAL lets them run beside the relay's
// one writer), so a GET never waits for a group commit and can never change state. Writes go through the
// relay's group committer (engine::Relay) and answer after the COMMIT that holds them.
//
// One add_*_routes per file (relay/gateway/src/<name>_routes.cpp):
//   add_island_routes       GET /v1/islands, GET /v1/islands/{id}, GET /v1/islands/{id}/client,
//                           GET /v1/islands/{id}/deliveries, POST /v1/islands, PUT /v1/islands/{id},
//                           POST /v1/islands/{id}/recover
//   add_channel_routes      GET /v1/channels[?island=], POST /v1/channels, POST /v1/channels/{island}/{channel}/close,
//                           POST /v1/channels/{island}/{channel}/resume (A05)
//   add_packet_query_routes GET /v1/packets/{id}, GET /v1/packets?channel=&after=&limit=,
//                           POST /v1/packets/{id}/clear, POST /v1/packets/{id}/retry
//   add_proof_routes        GET /v1/proofs/{packet-id}
//   add_transfer_routes     GET /v1/transfers/{packet-id}, GET /v1/transfers?channel=
//   add_health_routes       GET /healthz, GET /readyz
//   add_metrics_routes      GET /metrics (Prometheus text format 0.0.4, prometheus-cpp core)
//   add_openapi_routes      GET /v1/openapi.json
// Packet ids in paths: domain::to_string form "<island>/<0x genesis>/<channel>/<sequence>", raw or
// percent-encoded (%2F, %3A); channels in queries: "<island>/<channel>".
//
// Operator routes (writes) call ApiContext::authorize_operator first; cmd_serve sets it from the gateway's
// Authenticator. Without it every write is refused (fail closed): 401 ERR_UNAUTHORIZED (docs/api.md).
//
// Thread-safety: handlers run on server threads; ApiContext is shared and thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "causeway/core/error.hpp"
#include "causeway/engine/relay.hpp"
#include "causeway/gateway/server.hpp"

namespace causeway::store {
class ReadQueries;
}

namespace causeway::gateway {

// A small pool of read-only connections to the relay database (opened lazily, one per concurrent request).
class ReadPool {
 public:
  explicit ReadPool(std::string db_path);
  ~ReadPool();
  // Runs fn(ReadQueries&) on a pooled connection. Errors: ERR_STORE_IO (cannot open).
  Status with(const std::function<void(store::ReadQueries&)>& fn);

 private:
  std::string path_;
  std::mutex mu_;
  std::vector<std::unique_ptr<store::ReadQueries>> free_;
};

// Gauges an adapter sets (causeway_submitter_balance{island,account}); unset series are absent.
class SubmitterBalances {
 public:
  void set(const std::string& island, const std::string& account, double balance);
  std::map<std::pair<std::string, std::string>, double> snapshot() const;

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, double> v_;
};

// One RPC endpoint of an island's adapter as /metrics reports it (issue #7: an endpoint that serves unverifiable
// data is demoted and reported in metrics). `role`: which adapter instance ("watch" = the lifecycle's source
// watcher, "deliver" = the delivery supervisor's); each demotes on its own.
struct RpcEndpointHealth {
  std::string island;
  std::string role;
  std::string url;
  bool demoted = false;
  std::uint64_t demotions = 0;             // times it became demoted
  std::uint64_t inconsistent = 0;          // answers caught contradicting themselves (e.g. receipts vs receiptsRoot)
  std::uint64_t unverifiable_reports = 0;  // data the light client refused
  std::uint64_t transport_errors = 0;
};

struct ApiContext {
  engine::Relay& relay;
  std::shared_ptr<ReadPool> reads;
  std::shared_ptr<SubmitterBalances> balances = std::make_shared<SubmitterBalances>();
  // The adapters' RPC endpoints (set by `serve`; unset = none reported). Called on a gateway thread per scrape:
  // must be thread-safe and quick (the adapters' counters are atomics behind a mutex).
  std::function<std::vector<RpcEndpointHealth>()> rpc_endpoints;
  // Operator authorization of a write route; unset = every write is refused with 401 ERR_UNAUTHORIZED.
  std::function<Status(const Request&)> authorize_operator;
  // The OpenAPI document's path (schemas/openapi.json); empty = the copy embedded at build time.
  std::string openapi_path;
  // Every (method, path) the add_*_routes functions registered, in order (a path ending in '/' is a prefix
  // route). The OpenAPI test compares it with the document's paths.
  std::vector<std::pair<std::string, std::string>> routes;

  ApiContext(engine::Relay& r, const std::string& data_dir)
      : relay(r), reads(std::make_shared<ReadPool>(data_dir + "/causeway.db")) {}
};

void add_island_routes(Server& server, std::shared_ptr<ApiContext> ctx);
void add_channel_routes(Server& server, std::shared_ptr<ApiContext> ctx);
void add_packet_query_routes(Server& server, std::shared_ptr<ApiContext> ctx);
void add_proof_routes(Server& server, std::shared_ptr<ApiContext> ctx);
void add_transfer_routes(Server& server, std::shared_ptr<ApiContext> ctx);
void add_health_routes(Server& server, std::shared_ptr<ApiContext> ctx);
void add_metrics_routes(Server& server, std::shared_ptr<ApiContext> ctx);
void add_openapi_routes(Server& server, std::shared_ptr<ApiContext> ctx);

// All of the above.
void add_api_routes(Server& server, std::shared_ptr<ApiContext> ctx);

// The OpenAPI document embedded at build time (schemas/openapi.json).
std::string_view embedded_openapi();

}  // namespace causeway::gateway
