// Token amounts: uint256 as 32 big-endian bytes (core/abi.hpp U256), with checked arithmetic. Byte-array
// comparison (std::array's operator<=>) is numeric comparison because the bytes are big-endian.
// Thread-safety: pure functions.
#pragma once

#include <compare>

#include "causeway/core/abi.hpp"
#include "causeway/core/error.hpp"

namespace causeway::domain {

using Amount = abi::U256;

inline bool is_zero(const Amount& a) noexcept {
  for (auto b : a) {
    if (b != 0) return false;
  }
  return true;
}

// a + b. Errors: ERR_OVERFLOW (≥ 2^256).
Result<Amount> add(const Amount& a, const Amount& b);
// a − b. Errors: ERR_INSUFFICIENT_FUNDS (b > a; nothing wraps).
Result<Amount> sub(const Amount& a, const Amount& b);
// a + b saturating at 2^256 − 1 (for window sums compared against a cap).
Amount add_saturating(const Amount& a, const Amount& b) noexcept;

// Decimal text, e.g. "1000000000000000000" (abi::u256_to_decimal).
std::string to_decimal(const Amount& a);

}  // namespace causeway::domain
