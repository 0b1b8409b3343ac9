#include "causeway/bitcoin/uint256.hpp"

#include <algorithm>

namespace causeway::bitcoin {
namespace {

__extension__ typedef unsigned __int128 u128;

int hex_digit(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

U256 U256::from_le(const Hash32& h) noexcept {
  U256 r;
  for (unsigned i = 0; i < 4; ++i) {
    std::uint64_t v = 0;
    for (unsigned j = 0; j < 8; ++j) v |= static_cast<std::uint64_t>(h.b[8 * i + j]) << (8 * j);
    r.w_[i] = v;
  }
  return r;
}

Hash32 U256::to_le() const noexcept {
  Hash32 h;
  for (unsigned i = 0; i < 4; ++i)
    for (unsigned j = 0; j < 8; ++j) h.b[8 * i + j] = static_cast<std::uint8_t>(w_[i] >> (8 * j));
  return h;
}

std::optional<U256> U256::from_hex(std::string_view s) noexcept {
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
  if (s.empty() || s.size() > 64) return std::nullopt;
  U256 r;
  for (char c : s) {
    const int d = hex_digit(c);
    if (d < 0) return std::nullopt;
    r = r << 4;
    r.w_[0] |= static_cast<std::uint64_t>(d);
  }
  return r;
}

std::string U256::to_hex() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(64, '0');
  for (unsigned i = 0; i < 64; ++i) {
    const unsigned nibble = 63 - i;  // nibble index from the least significant end
    out[i] = kDigits[(w_[nibble / 16] >> (4 * (nibble % 16))) & 0xf];
  }
  return out;
}

std::string U256::to_decimal() const {
  if (is_zero()) return "0";
  std::string out;
  U256 v = *this;
  while (!v.is_zero()) {
    std::uint64_t rem = 0;
    for (int i = 3; i >= 0; --i) {
      const u128 cur = (static_cast<u128>(rem) << 64) | v.w_[static_cast<unsigned>(i)];
      v.w_[static_cast<unsigned>(i)] = static_cast<std::uint64_t>(cur / 10);
      rem = static_cast<std::uint64_t>(cur % 10);
    }
    out.push_back(static_cast<char>('0' + rem));
  }
  std::reverse(out.begin(), out.end());
  return out;
}

unsigned U256::bits() const noexcept {
  for (int i = 3; i >= 0; --i) {
    const std::uint64_t v = w_[static_cast<unsigned>(i)];
    if (v != 0) return static_cast<unsigned>(64 * i) + static_cast<unsigned>(64 - __builtin_clzll(v));
  }
  return 0;
}

std::strong_ordering operator<=>(const U256& a, const U256& b) noexcept {
  for (int i = 3; i >= 0; --i) {
    const auto k = static_cast<unsigned>(i);
    if (a.w_[k] != b.w_[k]) return a.w_[k] <=> b.w_[k];
  }
  return std::strong_ordering::equal;
}

U256 U256::operator~() const noexcept {
  U256 r;
  for (unsigned i = 0; i < 4; ++i) r.w_[i] = ~w_[i];
  return r;
}

U256 operator+(const U256& a, const U256& b) noexcept {
  U256 r;
  std::uint64_t carry = 0;
  for (unsigned i = 0; i < 4; ++i) {
    const u128 s = static_cast<u128>(a.w_[i]) + b.w_[i] + carry;
    r.w_[i] = static_cast<std::uint64_t>(s);
    carry = static_cast<std::uint64_t>(s >> 64);
  }
  return r;
}

U256 operator-(const U256& a, const U256& b) noexcept {
  U256 r;
  std::uint64_t borrow = 0;
  for (unsigned i = 0; i < 4; ++i) {
    const std::uint64_t d = a.w_[i] - b.w_[i] - borrow;
    borrow = (a.w_[i] < b.w_[i] || (a.w_[i] == b.w_[i] && borrow != 0)) ? 1 : 0;
    r.w_[i] = d;
  }
  return r;
}

U256 U256::operator<<(unsigned n) const noexcept {
  U256 r;
  if (n >= 256) return r;
  const unsigned limbs = n / 64, shift = n % 64;
  for (unsigned i = 3 + 1; i-- > limbs;) {
    std::uint64_t v = w_[i - limbs] << shift;
    if (shift != 0 && i - limbs >= 1) v |= w_[i - limbs - 1] >> (64 - shift);
    r.w_[i] = v;
  }
  return r;
}

U256 U256::operator>>(unsigned n) const noexcept {
  U256 r;
  if (n >= 256) return r;
  const unsigned limbs = n / 64, shift = n % 64;
  for (unsigned i = 0; i + limbs < 4; ++i) {
    std::uint64_t v = w_[i + limbs] >> shift;
    if (shift != 0 && i + limbs + 1 < 4) v |= w_[i + limbs + 1] << (64 - shift);
    r.w_[i] = v;
  }
  return r;
}

U256 operator/(const U256& a, const U256& b) noexcept {
  if (b.is_zero() || a < b) return U256{};
  // Shift-subtract long division (used only when the work of new bits is first computed).
  U256 quotient;
  U256 rem = a;
  const unsigned shift_max = a.bits() - b.bits();
  U256 div = b << shift_max;
  for (unsigned s = shift_max + 1; s-- > 0;) {
    if (rem >= div) {
      rem = rem - div;
      quotient.w_[s / 64] |= std::uint64_t{1} << (s % 64);
    }
    div = div >> 1;
  }
  return quotient;
}

std::optional<U256> U256::mul_div(std::uint64_t mul, std::uint64_t div) const noexcept {
  if (div == 0) return std::nullopt;
  std::array<std::uint64_t, 5> p{};  // 320-bit product
  std::uint64_t carry = 0;
  for (unsigned i = 0; i < 4; ++i) {
    const u128 t = static_cast<u128>(w_[i]) * mul + carry;
    p[i] = static_cast<std::uint64_t>(t);
    carry = static_cast<std::uint64_t>(t >> 64);
  }
  p[4] = carry;
  std::uint64_t rem = 0;
  for (unsigned i = 5; i-- > 0;) {
    const u128 cur = (static_cast<u128>(rem) << 64) | p[i];
    p[i] = static_cast<std::uint64_t>(cur / div);
    rem = static_cast<std::uint64_t>(cur % div);
  }
  if (p[4] != 0) return std::nullopt;
  U256 r;
  for (unsigned i = 0; i < 4; ++i) r.w_[i] = p[i];
  return r;
}

}  // namespace causeway::bitcoin
