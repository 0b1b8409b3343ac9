// RFC 8785 (JSON Canonicalization Scheme, JCS) for the restricted value shape of audit-log entries
// (PACKET.md "Audit log entries"): objects, arrays, strings, booleans and integers with |x| ≤ 2^53 − 1.
// Everything else is refused with ERR_NOT_CANONICAL_JSON: floating-point numbers (even 1.0 — the shape has
// integers only), integers outside ±(2^53 − 1), null (PACKET.md lists no null; absent optional fields are
// omitted instead), strings or keys that are not valid UTF-8, and nesting deeper than kMaxDepth.
//
// Output rules (RFC 8785 §3.2): no whitespace; object members sorted by their keys compared as arrays of
// UTF-16 code units (§3.2.3 — differs from UTF-8 byte order for characters above U+FFFF); strings escaped
// as ECMAScript JSON.stringify does (§3.2.2.2): \" \\ \b \f \n \r \t, other code points below U+0020 as
// \u00xx with lowercase hex, everything else (including U+007F, U+2028, U+2029 and non-ASCII) as raw UTF-8;
// integers in decimal with a leading '-' for negatives and no '-0' (§3.2.2.3 for integral values).
//
// nlohmann::json is the in-memory value; only the serialization is ours (the protocol's own bytes).
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "causeway/core/error.hpp"

namespace causeway::audit {

inline constexpr std::int64_t kMaxSafeInteger = (std::int64_t{1} << 53) - 1;  // 2^53 − 1
inline constexpr std::size_t kMaxDepth = 32;                                   // nesting of objects/arrays
inline constexpr std::size_t kMaxLeafBytes = 4u << 20;                         // one entry's JCS text

// The JCS text of `value`. Errors: ERR_NOT_CANONICAL_JSON (a value outside the restricted shape; Error::at
// is the JSON-pointer-like path of the first offending value, e.g. "evidence.header_a" or "members[2]").
Result<std::string> canonicalize(const nlohmann::json& value);

// Parses `text` (at most kMaxLeafBytes, nesting at most kMaxDepth) and checks that it is exactly its own
// JCS form: canonicalize(parse(text)) == text, byte for byte. Duplicate keys, whitespace, unsorted keys,
// non-minimal escapes, floats and nulls all fail. Never throws.
// Errors: ERR_TOO_LARGE, ERR_NOT_CANONICAL_JSON (not JSON, or not canonical; the detail says which).
Result<nlohmann::json> parse_canonical(std::string_view text);

// Appends the JCS form of the string `s` (quoted and escaped as §3.2.2.2 above) to `out`. `s` must be valid
// UTF-8 (valid_utf8): this is not checked. Used by the event builders that write entries directly.
void append_jcs_string(std::string_view s, std::string& out);

// True iff `s` is well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, at most U+10FFFF).
bool valid_utf8(std::string_view s) noexcept;

}  // namespace causeway::audit
