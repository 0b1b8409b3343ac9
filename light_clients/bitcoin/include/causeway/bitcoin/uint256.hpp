// A small 256-bit unsigned integer for targets and chain work (the arithmetic Bitcoin Core's
// arith_uint256 provides, kept to what the PoW rules need).
// Representation: four 64-bit limbs, least significant first. All operations are modulo 2^256 unless a
// function says otherwise; nothing throws or asserts on any value.
// Thread-safety: value type; no shared state.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "causeway/core/bytes.hpp"

namespace causeway::bitcoin {

class U256 {
 public:
  constexpr U256() noexcept = default;
  constexpr explicit U256(std::uint64_t v) noexcept : w_{v, 0, 0, 0} {}
  constexpr U256(std::uint64_t w3, std::uint64_t w2, std::uint64_t w1, std::uint64_t w0) noexcept
      : w_{w0, w1, w2, w3} {}  // most significant limb first, as it reads in hex

  // A SHA256d hash in internal byte order read as a little-endian number (how Bitcoin compares hashes
  // with targets), and back.
  static U256 from_le(const Hash32& h) noexcept;
  Hash32 to_le() const noexcept;
  // Big-endian hex, with or without "0x", 1..64 digits. nullopt for anything else.
  static std::optional<U256> from_hex(std::string_view s) noexcept;
  // 64 lowercase hex digits, big-endian, no prefix.
  std::string to_hex() const;
  // Decimal digits (for work values in logs and vectors).
  std::string to_decimal() const;

  bool is_zero() const noexcept { return (w_[0] | w_[1] | w_[2] | w_[3]) == 0; }
  // Number of significant bits (0 for zero).
  unsigned bits() const noexcept;
  std::uint64_t low64() const noexcept { return w_[0]; }
  std::uint64_t limb(unsigned i) const noexcept { return i < 4 ? w_[i] : 0; }

  friend bool operator==(const U256&, const U256&) noexcept = default;
  friend std::strong_ordering operator<=>(const U256& a, const U256& b) noexcept;

  U256 operator~() const noexcept;
  friend U256 operator+(const U256& a, const U256& b) noexcept;  // mod 2^256
  friend U256 operator-(const U256& a, const U256& b) noexcept;  // mod 2^256
  U256 operator<<(unsigned n) const noexcept;                     // n >= 256 gives 0
  U256 operator>>(unsigned n) const noexcept;                     // n >= 256 gives 0
  U256& operator+=(const U256& b) noexcept { return *this = *this + b; }

  // Full division; divisor 0 gives 0 (callers never divide by zero: targets are non-zero).
  friend U256 operator/(const U256& a, const U256& b) noexcept;
  // (this × mul) / div with a 320-bit intermediate, so a retarget never overflows even with regtest's
  // pow limit 0x7fff…. nullopt when div == 0 or the quotient does not fit in 256 bits.
  std::optional<U256> mul_div(std::uint64_t mul, std::uint64_t div) const noexcept;

 private:
  std::array<std::uint64_t, 4> w_{};
};

}  // namespace causeway::bitcoin
