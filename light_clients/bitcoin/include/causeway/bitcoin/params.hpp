// Consensus parameters of the Bitcoin networks Causeway follows (Bitcoin Core kernel/chainparams.cpp).
// `Params` is a plain struct: callers (and tests) may build their own set, e.g. a short retarget interval.
// Thread-safety: the predefined sets are immutable; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "causeway/bitcoin/uint256.hpp"
#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"

namespace causeway::bitcoin {

struct Params {
  std::string name;               // "mainnet", "testnet3", "testnet4", "signet", "regtest", or a custom label
  Hash32 genesis_hash;            // internal byte order; all zero = no genesis check (custom sets only)
  U256 pow_limit;                 // easiest allowed target
  std::int64_t target_spacing_s = 600;        // nPowTargetSpacing, seconds
  std::int64_t target_timespan_s = 1209600;   // nPowTargetTimespan, seconds (14 days)
  bool allow_min_difficulty_blocks = false;   // testnet 20-minute rule (fPowAllowMinDifficultyBlocks)
  bool no_retargeting = false;                // regtest (fPowNoRetargeting)
  bool enforce_bip94 = false;                 // testnet4: retarget from the period's first bits + timewarp rule
  std::int64_t max_future_block_time_s = 7200;  // MAX_FUTURE_BLOCK_TIME, seconds after "now"
  std::int64_t max_timewarp_s = 600;            // BIP 94 MAX_TIMEWARP, seconds

  // Blocks per difficulty period (2016 on every public network). Precondition: spacing > 0.
  std::int64_t interval() const noexcept { return target_timespan_s / target_spacing_s; }
};

// The predefined networks. Signet is the default signet (its pow limit and genesis); the signet block
// solution (BIP 325 challenge) is NOT checked: a signet header chain is trusted for its PoW only.
const Params& mainnet_params() noexcept;
const Params& testnet3_params() noexcept;
const Params& testnet4_params() noexcept;
const Params& signet_params() noexcept;
const Params& regtest_params() noexcept;

// Lookup by the names PROOF-BUNDLE.md uses. Errors: ERR_UNKNOWN_NETWORK for any other name (case-sensitive).
Result<const Params*> params_by_name(std::string_view name);

}  // namespace causeway::bitcoin
