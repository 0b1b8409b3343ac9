// `causeway bench chainmaker-blocks` (DESIGN.md §5): real ChainMaker v2.3.2 blocks (heights 3 and 30 of
// ../shared/vectors/chainmaker) verified per second — block hash + proposer signature + TBFT QC through
// chainmaker::Verifier — beside the signature-bound limit: the P-256 verify rate of the same primitive
// (Certificate::verify) ÷ the signatures a block needs (1 proposer + ⌊2N/3⌋+1 = 3 votes for N = 4).
// The verified-certificate cache is on (a production relay keeps it) and stated in the output.
#pragma once

#include <filesystem>
#include <vector>

#include "bench_report.hpp"

namespace causeway::app {

// The vectors folder: $CAUSEWAY_VECTORS, else the path fixed at configure time.
std::filesystem::path default_vectors_dir();
// Whether the ChainMaker vectors the bench reads are present under `vectors`.
bool chainmaker_vectors_present(const std::filesystem::path& vectors);
// Throws std::runtime_error when the vectors are missing or a block does not verify.
std::vector<BenchFigure> bench_chainmaker_blocks(const std::filesystem::path& vectors, int runs);

}  // namespace causeway::app
