// Strict, bounded JSON parsing of untrusted text: the one implementation the relay uses for proof bundles,
// header documents and the gateway's request bodies (docs/api-security.md, A02, A29).
//
// Thread-safety: a pure function, safe from any thread.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string_view>

#include "causeway/core/error.hpp"

namespace causeway::proofs {

// Parses `text` (RFC 8259 JSON) refusing, in this order: more than `max_bytes` bytes (ERR_TOO_LARGE, "document
// is N bytes, limit M"); nesting of arrays/objects deeper than `max_depth`, found by a scan of the raw text
// outside strings BEFORE a DOM is built (ERR_BUNDLE_PARSE, "JSON nesting deeper than M"); text that is not one
// JSON value (ERR_BUNDLE_PARSE, "not valid JSON"); an object with a repeated key, also the empty key or a key
// spelled with escapes (ERR_BUNDLE_PARSE, "duplicate key \"k\" in an object": parsers disagree on which value
// wins, A02); a raw NUL byte anywhere (ERR_BUNDLE_PARSE, "not valid JSON": nlohmann's lexer would end the input
// there and ignore the rest). Never throws on bad input. Otherwise the verdict and the document are exactly
// nlohmann::json::parse's (a UTF-8 byte order mark at the start is skipped, as nlohmann's lexer does; non-negative integers below 2^64 are number_unsigned, negative ones ≥ −2^63 number_integer, "-0" integer 0,
// everything else strtod's number_float, and a number that is not finite, 1e400, is not valid JSON): Boost.JSON's
// basic_parser lexes the text and the values go into nlohmann's DOM with nlohmann's number typing
// (proofs_strict_json_diff_test holds it to nlohmann::json::parse).
Result<nlohmann::json> parse_strict_json(std::string_view text, std::size_t max_bytes, std::size_t max_depth);

}  // namespace causeway::proofs
