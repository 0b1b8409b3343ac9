// The 80-byte Bitcoin block header (developer reference "Block Headers"; Bitcoin Core primitives/block.h).
// Thread-safety: pure functions on values.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"

namespace causeway::bitcoin {

inline constexpr std::size_t kHeaderSize = 80;
using RawHeader = std::array<std::uint8_t, kHeaderSize>;

struct Header {
  std::int32_t version = 0;
  Hash32 prev_hash;    // internal byte order (as serialized)
  Hash32 merkle_root;  // internal byte order (as serialized)
  std::uint32_t time_s = 0;  // Unix time, seconds
  std::uint32_t bits = 0;    // compact target (nBits)
  std::uint32_t nonce = 0;
};

// Parses exactly 80 bytes (all fields little-endian). Errors: ERR_HEADER_ENCODING for any other size.
Result<Header> decode_header(ByteView raw);
// Serializes to 80 bytes; decode_header(encode_header(h)) == h.
RawHeader encode_header(const Header& h) noexcept;
// Block hash: SHA256d of the 80 serialized bytes, internal order (display order = .reversed()).
Hash32 header_hash(const Header& h) noexcept;
// As above on raw bytes. Precondition: raw.size() == 80 (callers decode first).
Hash32 header_hash(ByteView raw) noexcept;

}  // namespace causeway::bitcoin
