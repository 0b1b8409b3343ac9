// Proof-of-work primitives: compact targets, work, PoW check and the difficulty retarget.
// Spec: Bitcoin Core arith_uint256.cpp (SetCompact/GetCompact), pow.cpp (CheckProofOfWork,
// CalculateNextWorkRequired), chain.cpp (GetBlockProof), BIP 94 (testnet4).
// Thread-safety: pure functions.
#pragma once

#include <cstdint>

#include "causeway/bitcoin/params.hpp"
#include "causeway/bitcoin/uint256.hpp"
#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"

namespace causeway::bitcoin {

// Bitcoin Core's SetCompact, unvalidated: the target and the negative / overflow flags.
struct CompactTarget {
  U256 target;
  bool negative = false;
  bool overflow = false;
};
CompactTarget decode_compact(std::uint32_t bits) noexcept;

// Decodes and validates bits as CheckProofOfWork (and DeriveTarget) do.
// Errors: ERR_BAD_TARGET when the target is zero, negative, overflowing, or above params.pow_limit.
// Examples: 0x01003456 (decodes to zero) and 0x04923456 (negative) are rejected.
Result<U256> target_from_bits(std::uint32_t bits, const U256& pow_limit);

// GetCompact: the canonical compact encoding of a target (truncates to 3 significant bytes).
std::uint32_t bits_from_target(const U256& target) noexcept;

// Work of one block: 2^256 / (target + 1), computed as (~target / (target + 1)) + 1 (GetBlockProof).
// Unit: expected number of hashes. target 0 gives 0 (never reached: zero targets are rejected first).
U256 work_from_target(const U256& target) noexcept;

// CheckProofOfWork: target_from_bits, then hash (internal order, as a little-endian number) <= target.
// Errors: ERR_BAD_TARGET (see target_from_bits), ERR_BAD_POW (hash above target).
Status check_pow(const Hash32& hash, std::uint32_t bits, const Params& params);

// CalculateNextWorkRequired: the bits of the first block of a new period.
//   base_bits: bits of the period's last block, or with params.enforce_bip94 of the period's first block;
//   last_time_s / first_time_s: times of the period's last block and of the block interval−1 before it.
// timespan = last − first clamped to [T/4, 4T]; new = target(base_bits) × timespan / T (320-bit
// intermediate) capped at pow_limit, re-encoded with GetCompact. params.no_retargeting returns base_bits.
// Never fails: base_bits that do not decode are treated as the pow limit (callers pass verified bits).
std::uint32_t calculate_next_work_required(std::uint32_t base_bits, std::int64_t last_time_s,
                                           std::int64_t first_time_s, const Params& params) noexcept;

}  // namespace causeway::bitcoin
