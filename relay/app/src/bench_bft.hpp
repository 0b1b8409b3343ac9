// `causeway bench bft-headers` (issue #4, DESIGN.md §5): causeway-devnet/v1 headers verified per second through
// bft::LightClient with 4, 21 and 100 validators, beside the signature-bound limit measured in the same run
// (the suite's raw verify rate ÷ the minimal quorum a commit needs), on one thread and on two threads
// (stage one, bft::check_block, spread over the threads; stage two, LightClient::update, in height order).
#pragma once

#include <cstddef>
#include <vector>

#include "bench_report.hpp"

namespace causeway::app {

// `suite` is "secp256k1-sha256" or "sm2-sm3"; `signatures` bounds the signature verifications per run (the
// header count per validator-set size is signatures ÷ quorum, at least 50). Throws std::runtime_error if a
// header is refused (the bench chain is valid by construction).
std::vector<BenchFigure> bench_bft_headers(const std::string& suite, std::size_t signatures, int runs);

}  // namespace causeway::app
