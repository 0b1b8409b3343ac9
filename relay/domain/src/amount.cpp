#include "causeway/domain/amount.hpp"

namespace causeway::domain {

Result<Amount> add(const Amount& a, const Amount& b) {
  Amount out{};
  unsigned carry = 0;
  for (std::size_t i = 32; i-- > 0;) {
    const unsigned s = static_cast<unsigned>(a[i]) + static_cast<unsigned>(b[i]) + carry;
    out[i] = static_cast<std::uint8_t>(s & 0xffU);
    carry = s >> 8;
  }
  if (carry != 0) return fail(Code::Overflow, "amount sum is 2^256 or more");
  return out;
}

Result<Amount> sub(const Amount& a, const Amount& b) {
  if (b > a) return fail(Code::InsufficientFunds, "amount " + to_decimal(b) + " exceeds " + to_decimal(a));
  Amount out{};
  int borrow = 0;
  for (std::size_t i = 32; i-- > 0;) {
    int d = static_cast<int>(a[i]) - static_cast<int>(b[i]) - borrow;
    borrow = d < 0 ? 1 : 0;
    if (d < 0) d += 256;
    out[i] = static_cast<std::uint8_t>(d);
  }
  return out;
}

Amount add_saturating(const Amount& a, const Amount& b) noexcept {
  auto r = add(a, b);
  if (r) return *r;
  Amount max{};
  max.fill(0xff);
  return max;
}

std::string to_decimal(const Amount& a) { return abi::u256_to_decimal(a); }

}  // namespace causeway::domain
