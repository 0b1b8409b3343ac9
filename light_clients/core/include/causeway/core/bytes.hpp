// Byte strings and fixed-size hashes shared by every verifier.
// Thread-safety: value types; no shared state.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace causeway {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

// A 32-byte hash in the byte order the algorithm produced it (Bitcoin "internal" order for SHA256d).
struct Hash32 {
  std::array<std::uint8_t, 32> b{};

  static Hash32 from(ByteView v) noexcept;  // precondition: v.size() == 32 (asserted; our own misuse)
  bool is_zero() const noexcept;
  Hash32 reversed() const noexcept;  // display order <-> internal order for Bitcoin hashes
  ByteView view() const noexcept { return {b.data(), b.size()}; }
  const std::uint8_t* data() const noexcept { return b.data(); }
  static constexpr std::size_t size() noexcept { return 32; }
  auto operator<=>(const Hash32&) const = default;
};

struct Hash32Hasher {
  std::size_t operator()(const Hash32& h) const noexcept;
};

inline void append(Bytes& out, ByteView v) { out.insert(out.end(), v.begin(), v.end()); }

// Little-/big-endian fixed-width readers and writers. Preconditions: enough bytes (callers bound-check).
std::uint32_t read_le32(const std::uint8_t* p) noexcept;
void write_le32(std::uint8_t* p, std::uint32_t v) noexcept;
std::uint64_t read_be64(const std::uint8_t* p) noexcept;
void write_be64(std::uint8_t* p, std::uint64_t v) noexcept;

}  // namespace causeway
