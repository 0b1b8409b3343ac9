// Strict hex, as PROOF-BUNDLE.md fixes it: "0x" prefix, even number of digits, either case on input,
// lowercase on output. Nothing else (no whitespace, no missing prefix) is accepted.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"

namespace causeway {

// "0x" + lowercase hex of v. Output length 2 + 2·v.size().
std::string to_hex(ByteView v);
// Lowercase hex of v without prefix.
std::string to_hex_bare(ByteView v);

// Parses "0x"-prefixed hex. Errors: ERR_BAD_HEX (no prefix, odd length, non-hex digit),
// ERR_TOO_LARGE when the decoded size would exceed max_bytes.
Result<Bytes> from_hex(std::string_view s, std::size_t max_bytes = SIZE_MAX);
// Like from_hex but without the "0x" prefix (for vector files that omit it).
Result<Bytes> from_hex_bare(std::string_view s, std::size_t max_bytes = SIZE_MAX);
// Parses exactly 32 bytes. Errors: ERR_BAD_HEX, ERR_BAD_LENGTH.
Result<Hash32> hash_from_hex(std::string_view s);

}  // namespace causeway
