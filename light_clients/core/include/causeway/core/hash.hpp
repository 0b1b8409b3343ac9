// Hash functions. SHA-256 and SM3 via OpenSSL 3 (FIPS 180-4; GB/T 32905-2016), Keccak-256 via Crypto++
// (Ethereum's Keccak, the original padding, not FIPS 202 SHA3-256).
// Thread-safety: pure functions, safe from any thread.
#pragma once

#include "causeway/core/bytes.hpp"

namespace causeway {

Hash32 sha256(ByteView data) noexcept;
// SHA-256 of the concatenation a ‖ b (avoids a copy; used by Merkle trees).
Hash32 sha256(ByteView a, ByteView b) noexcept;
// SHA-256(SHA-256(data)): Bitcoin block and transaction hashes (internal byte order).
Hash32 sha256d(ByteView data) noexcept;
// SHA256d of left ‖ right, the Bitcoin Merkle interior node.
Hash32 sha256d_pair(const Hash32& left, const Hash32& right) noexcept;
Hash32 keccak256(ByteView data) noexcept;
Hash32 sm3(ByteView data) noexcept;

}  // namespace causeway
