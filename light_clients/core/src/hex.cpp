#include "causeway/core/hex.hpp"

namespace causeway {
namespace {
constexpr char kDigits[] = "0123456789abcdef";

int nibble(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::string to_hex_bare(ByteView v) {
  std::string s(2 * v.size(), '0');
  for (std::size_t i = 0; i < v.size(); ++i) {
    s[2 * i] = kDigits[v[i] >> 4];
    s[2 * i + 1] = kDigits[v[i] & 0xf];
  }
  return s;
}

std::string to_hex(ByteView v) { return "0x" + to_hex_bare(v); }

Result<Bytes> from_hex_bare(std::string_view s, std::size_t max_bytes) {
  if (s.size() % 2 != 0) return fail(Code::BadHex, "odd number of hex digits");
  if (s.size() / 2 > max_bytes)
    return fail(Code::TooLarge, "hex string decodes to " + std::to_string(s.size() / 2) +
                                    " bytes, limit " + std::to_string(max_bytes));
  Bytes out(s.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    int hi = nibble(s[2 * i]);
    int lo = nibble(s[2 * i + 1]);
    if (hi < 0 || lo < 0) return fail(Code::BadHex, "non-hex digit at offset " + std::to_string(2 * i));
    out[i] = static_cast<std::uint8_t>((hi << 4) | lo);
  }
  return out;
}

Result<Bytes> from_hex(std::string_view s, std::size_t max_bytes) {
  if (s.size() < 2 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
    return fail(Code::BadHex, "hex must start with 0x");
  return from_hex_bare(s.substr(2), max_bytes);
}

Result<Hash32> hash_from_hex(std::string_view s) {
  auto b = from_hex(s, 32);
  if (!b) {
    if (b.error().code == Code::TooLarge) return fail(Code::BadLength, "expected 32 bytes");
    return tl::unexpected(b.error());
  }
  if (b->size() != 32) return fail(Code::BadLength, "expected 32 bytes, got " + std::to_string(b->size()));
  return Hash32::from(*b);
}

}  // namespace causeway
