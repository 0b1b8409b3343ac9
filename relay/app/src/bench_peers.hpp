// `causeway bench peers` (DESIGN.md §5; not part of `bench all`): the receipt proofs of `bench eth-proofs`
// verified by Causeway and, in the same run, by @ethereumjs/trie's Trie#verifyProof under node
// (deploy/bench/peer_trie_verify.mjs, the package from the pinned tools/ folder of deploy/install-deps.sh).
#pragma once

#include <cstddef>
#include <filesystem>
#include <vector>

#include "bench_report.hpp"

namespace causeway::app {

// The tools folder when --tools is not given: $CAUSEWAY_TOOLS, else <repo>/tools (fixed at configure time).
std::filesystem::path default_tools_dir();

// Figures: the peer's rate, and Causeway's rate with the peer's as its "limit" (ratio = speed-up, goal 10).
// Throws std::runtime_error with a readable message when node, the package or the script is missing or the
// peer fails.
std::vector<BenchFigure> bench_peers(std::size_t receipts, int runs, const std::filesystem::path& tools_dir);

}  // namespace causeway::app
