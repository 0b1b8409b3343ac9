// `causeway bench relay-core` (issue #5, DESIGN.md §5): packets per second proven (bundle verified through
// relay/proofs, Merkle inclusion under a held consensus state) + attested (secp256k1 ECDSA, k = n = 1) +
// durably committed with their audit entries (group commit, synchronous=FULL), with the whole process pinned
// to ONE core, beside the same run's raw secp256k1 sign rate and SQLite batched insert rate.
#pragma once

#include <cstddef>
#include <vector>

#include "bench_report.hpp"

namespace causeway::app {

// `packets` per run, `per_block` packets per source block, `batch` = the group commit's max changes per
// transaction. Throws std::runtime_error if the relay refuses a packet (the workload is valid by construction).
std::vector<BenchFigure> bench_relay_core(std::size_t packets, std::size_t per_block, std::size_t batch, int runs);

}  // namespace causeway::app
