#include "causeway/core/bytes.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace causeway {

Hash32 Hash32::from(ByteView v) noexcept {
  assert(v.size() == 32);
  Hash32 h;
  std::memcpy(h.b.data(), v.data(), 32);
  return h;
}

bool Hash32::is_zero() const noexcept {
  return std::all_of(b.begin(), b.end(), [](std::uint8_t x) { return x == 0; });
}

Hash32 Hash32::reversed() const noexcept {
  Hash32 r;
  std::reverse_copy(b.begin(), b.end(), r.b.begin());
  return r;
}

std::size_t Hash32Hasher::operator()(const Hash32& h) const noexcept {
  std::size_t v;
  std::memcpy(&v, h.b.data(), sizeof v);  // hashes are uniformly distributed already
  return v;
}

std::uint32_t read_le32(const std::uint8_t* p) noexcept {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

void write_le32(std::uint8_t* p, std::uint32_t v) noexcept {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

std::uint64_t read_be64(const std::uint8_t* p) noexcept {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

void write_be64(std::uint8_t* p, std::uint64_t v) noexcept {
  for (int i = 7; i >= 0; --i) {
    p[i] = static_cast<std::uint8_t>(v);
    v >>= 8;
  }
}

}  // namespace causeway
