// Canonical RLP (Ethereum Yellow Paper, appendix B "Recursive Length Prefix").
//
// The decoder accepts exactly the encodings the encoder produces and nothing else:
//   - a single byte < 0x80 must be encoded as itself, not as 0x81 xx          → ERR_RLP_NON_CANONICAL
//   - payloads shorter than 56 bytes must use the short form (0x80+n / 0xc0+n) → ERR_RLP_NON_CANONICAL
//   - long-form lengths have no leading zero byte                               → ERR_RLP_NON_CANONICAL
//   - a declared length that does not fit in size_t alongside its header        → ERR_RLP_NON_CANONICAL
//   - a declared length beyond the end of the input or of the enclosing list    → ERR_RLP_TRUNCATED
//   - bytes after the top-level item                                           → ERR_RLP_TRAILING
//   - nesting deeper than max_depth                                             → ERR_TOO_LARGE
// It never allocates by a declared length: the item tree holds spans into the input, and a list's child
// vector grows one element per item actually read (each item takes ≥ 1 input byte).
//
// Thread-safety: pure functions. RlpItem spans borrow the decoded input: keep the input alive.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"

namespace causeway::rlp {

// ---- encoder ---------------------------------------------------------------------------------------

// A byte string: itself if it is one byte < 0x80, else 0x80+len ‖ data (len < 56) or
// 0xb7+len(len) ‖ be(len) ‖ data.
Bytes encode_bytes(ByteView data);

// An unsigned integer as its minimal big-endian byte string (0 → 0x80, 1..127 → one byte).
Bytes encode_uint(std::uint64_t v);

// An unsigned integer given big-endian of any width (leading zero bytes are stripped first; all-zero or
// empty → 0x80). Used for uint256 values and big integers.
Bytes encode_uint_be(ByteView big_endian);

// A list from the already-encoded items (each element one complete RLP encoding):
// 0xc0+len ‖ payload (len < 56) or 0xf7+len(len) ‖ be(len) ‖ payload.
Bytes encode_list(std::span<const Bytes> encoded_items);

// A list header around a payload that is already the concatenation of encoded items.
Bytes wrap_list(ByteView payload);

// ---- decoder ---------------------------------------------------------------------------------------

struct Item {
  bool is_list = false;
  ByteView payload;          // string bytes, or the list's payload (the concatenated child encodings)
  ByteView raw;              // the item's complete encoding (header ‖ payload), e.g. for hashing
  std::vector<Item> items;   // children of a list; empty for a string
};

inline constexpr std::size_t kDefaultMaxDepth = 32;

// Decodes exactly one item spanning the whole input. Depth: the top item is depth 1; a list nested
// deeper than max_depth is refused. Errors: ERR_RLP_TRUNCATED, ERR_RLP_NON_CANONICAL, ERR_RLP_TRAILING,
// ERR_TOO_LARGE (depth), each with the byte offset in `at` ("offset 12").
Result<Item> decode(ByteView input, std::size_t max_depth = kDefaultMaxDepth);

// Decodes the first item of the input and reports its encoded size (no trailing-data check), for
// streams of concatenated items. Errors as decode() except ERR_RLP_TRAILING.
Result<Item> decode_prefix(ByteView input, std::size_t& consumed, std::size_t max_depth = kDefaultMaxDepth);

// The unsigned integer held in a string item: at most 8 bytes, no leading zero byte (the integer 0 is
// the empty string 0x80; the single byte 0x00 is non-canonical). Errors: ERR_RLP_TYPE (a list),
// ERR_RLP_NON_CANONICAL (leading zero), ERR_OVERFLOW (more than 8 bytes).
Result<std::uint64_t> to_uint64(const Item& item);

// Same rule for wider integers: returns the minimal big-endian bytes (empty for 0), at most max_bytes long
// (32 for uint256). Errors: ERR_RLP_TYPE, ERR_RLP_NON_CANONICAL, ERR_OVERFLOW.
Result<ByteView> to_uint_be(const Item& item, std::size_t max_bytes = 32);

}  // namespace causeway::rlp
