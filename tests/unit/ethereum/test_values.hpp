// Small value makers shared by the Ethereum unit tests.
#pragma once

#include <cstdint>

#include "causeway/core/bytes.hpp"
#include "causeway/ethereum/header.hpp"

namespace causeway::ethereum::testing {

// A hash / an address with every byte equal to v.
inline Hash32 filled(std::uint8_t v) {
  Hash32 h;
  h.b.fill(v);
  return h;
}
inline Address addr(std::uint8_t v) {
  Address a{};
  a.fill(v);
  return a;
}

}  // namespace causeway::ethereum::testing
