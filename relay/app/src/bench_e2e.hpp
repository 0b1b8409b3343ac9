// `causeway bench e2e` (issue #7 "Bench"; docs/benchmarks.md "End to end"): packets per second and latency of
// real ERC-20 transfers A → B through the whole relay, wall clock, on two local anvil chains with interval
// mining (1 s blocks by default). Nothing is mocked:
//   - two anvil processes (chain ids 31337 and 31338, distinct genesis timestamps, own process groups, always
//     stopped) with the Causeway contracts deployed (committee = one bench key, k = 1), channel-0 registered on
//     both endpoints and a TestToken registered as an asset on A;
//   - the relay in-process as `causeway serve` runs it: engine::Relay with the islands' governance-signed
//     records, engine::Lifecycle (source watching, acks) and engine::Supervisor (deliveries) on their own
//     threads with the EVM adapters of `serve` (lifecycle_adapters.hpp), `confirmations` as
//     [[adapters.islands]] confirmations;
//   - `senders` threads, each with its own funded key and JSON-RPC client, calling TransferApp.sendTransfer
//     one after the other (each waits for its receipt) until `packets` transfers are sent.
// Per packet: t_block = the sender saw its source receipt (the source block exists); t_seen = the relay first
// holds the packet (Relay::find, polled every 5 ms); t_delivered = Relay::find first shows delivered or
// acknowledged (the relay recorded the destination receipt). Latencies are t_delivered − t_seen and
// t_delivered − t_block (nearest-rank p50/p99, max); packets/s = packets / (last t_delivered − first send).
// Target (issue #7): p50 of t_delivered − t_block ≤ (2 + confirmations) × block time + 100 ms.
// Afterwards every receiver's voucher balance on B must equal the sum of its amounts exactly, A's escrow the
// total, and the relay's ledger invariant must hold; otherwise the bench fails.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "bench_report.hpp"

namespace causeway::app {

struct E2eOptions {
  std::string anvil;                 // anvil binary; empty: $CAUSEWAY_ANVIL, else tools/node_modules/.bin/anvil
  std::size_t packets = 40;          // transfers in total (≥ 1)
  std::size_t senders = 4;           // sender threads/accounts (1 … packets)
  std::uint64_t block_time_s = 1;    // anvil --block-time
  std::uint64_t confirmations = 0;   // blocks below the tip before a sent packet is proven (as serve's config)
  bool keep = false;                 // keep the work dir (logs, relay database, keys)
};

struct E2eResult {
  BenchFigure figure;                // bench "e2e": p50 of t_delivered − t_block beside the target; the rest in extra
  bool ok = false;                   // every packet delivered, balances exact, ledger invariant holds
  std::vector<std::string> failures; // why not ok
  std::string work_dir;              // removed unless options.keep
};

// Runs the bench (progress lines on stderr). Throws std::runtime_error when it cannot be set up (no anvil
// binary: the message names --anvil; contracts not compiled into this build; a chain not answering; a set-up
// transaction failing). A packet not delivered in time or a wrong balance is a result with ok = false.
E2eResult bench_e2e(const E2eOptions& options);

// The human summary (several lines), or with `json` the figure as one JSON object on one line (bench_report.hpp).
void print_e2e(const E2eResult& result, bool json);

}  // namespace causeway::app
