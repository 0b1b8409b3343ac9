// `causeway bench gateway` (issue #6 "Bench"; docs/benchmarks.md "Gateway"): proven packets submitted over
// keep-alive HTTP connections to a real gateway, each answered only after the group commit that holds it
// (POST /v1/packets, gateway/packet_routes.hpp), beside the same run's in-process relay-core intake of the
// SAME bundles.
// One run:
//   1. a relay-core workload (relay_workload.hpp: causeway-devnet/v1 source blocks signed by 4 validators,
//      one proof bundle per packet, `per_block` packets per block);
//   2. in-process: run_relay_intake (bench_relay_core.hpp) on a fresh data dir — the baseline rate;
//   3. gateway: a fresh data dir, engine::Relay with the same options, gateway::Server as `causeway serve`
//      builds it (ServerOptions defaults: 2 server threads) on an ephemeral 127.0.0.1 port with the packet
//      route, the per-IP request rate limit off and the per-IP connection cap above `connections` (the whole
//      load comes from one address); `connections` client threads, each with ONE keep-alive Boost.Beast
//      connection, POST the bundles (one request in flight per connection). The block structure is the
//      in-process one: each block's opener is sent alone (its anchor must be held first), then the block's
//      other bundles are shared by all connections.
// Per request: latency = write start → full response read (steady clock, ms). Packets/s = bundles / (first
// request → last response). Every answer must be 201 with "existing": false and a distinct packet id, and
// Relay::packet_count() must equal the bundle count afterwards (exactly once), else the result is not ok.
// Targets (issue #6): ≥ 5,000 packets/s, p99 ≤ 50 ms, ratio to the in-process rate ≥ 0.5 — reported as
// verdicts, never enforced (a missed target is still an ok result).
// Thread-safety: one call at a time (it uses the process-wide temp dir name causeway-bench-gateway-<pid>).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "bench_report.hpp"

namespace causeway::app {

struct GatewayBenchOptions {
  std::size_t packets = 20'000;   // bundles per run (≥ 1)
  std::size_t per_block = 1000;   // packets per source block
  std::size_t batch = 1024;       // group commit: changes per transaction at most
  std::size_t connections = 32;   // client connections (= client threads), keep-alive
  int runs = 1;                   // runs; figures are medians
};

struct GatewayBenchResult {
  BenchFigure figure;                // bench "gateway": packets/s beside the in-process rate; the rest in extra
  bool ok = false;                   // every packet accepted exactly once in every run
  std::vector<std::string> failures; // why not ok
};

// Runs the bench (progress lines on stderr). Throws std::runtime_error when it cannot be set up (relay or
// server cannot start, the in-process intake refuses a bundle). Wrong answers over HTTP are a result with
// ok = false.
GatewayBenchResult bench_gateway(const GatewayBenchOptions& options);

// The human summary (several lines), or with `json` the figure as one JSON object on one line.
void print_gateway(const GatewayBenchResult& result, bool json);

}  // namespace causeway::app
