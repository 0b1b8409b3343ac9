// `causeway bench relay-core` (issue #5, DESIGN.md §5): packets per second proven (bundle verified through
// relay/proofs, Merkle inclusion under a held consensus state) + attested (secp256k1 ECDSA, k = n = 1) +
// durably committed with their audit entries (group commit, synchronous=FULL), with the whole process pinned
// to ONE core, beside the same run's raw secp256k1 sign rate and SQLite batched insert rate.
#pragma once

#include <cstddef>
#include <vector>

#include "bench_report.hpp"
#include "causeway/engine/relay.hpp"
#include "causeway/store/sqlite.hpp"
#include "relay_workload.hpp"

namespace causeway::app {

struct RelayIntake {
  double packets_per_s = 0;        // bundles / (first submission → last acknowledgement), seconds
  double avg_batch = 0;            // group commit: changes per transaction, on average
  std::size_t packets_in_relay = 0;  // Relay::packet_count() after the last acknowledgement
};

// The relay options both benches use: data_dir `dir`, `w.config`, `sync`, group commit max_batch `batch` and
// max_wait 2 ms, no log output.
engine::RelayOptions relay_bench_options(const Workload& w, std::size_t batch, const std::string& dir,
                                         store::Synchronous sync);

// The in-process intake (shared by `bench relay-core` and `bench gateway`): opens a fresh relay in `dir`
// (removed first) for `w.config` with group-commit batch `batch` (max_wait 2 ms) and `sync`, and feeds it every
// bundle of `w` through Relay::submit_bundle_async from this thread (bundle verification runs here, the
// group-commit writer on its own thread). Before each block's opener it waits for every submission so far, and
// for the opener itself, so the block's anchor is held before its other bundles verify. Throws
// std::runtime_error if the relay cannot open or refuses a bundle. Not thread-safe (one call at a time per dir).
RelayIntake run_relay_intake(const Workload& w, std::size_t batch, const std::string& dir, store::Synchronous sync);

// `packets` per run, `per_block` packets per source block, `batch` = the group commit's max changes per
// transaction. Throws std::runtime_error if the relay refuses a packet (the workload is valid by construction).
std::vector<BenchFigure> bench_relay_core(std::size_t packets, std::size_t per_block, std::size_t batch, int runs);

}  // namespace causeway::app
