// Bounded JSON parsing and typed field readers for untrusted documents. Internal to relay/proofs.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"

namespace causeway::proofs::detail {

// Parses `text` refusing more than max_bytes and nesting deeper than max_depth. Never throws on bad input.
// Errors: ERR_TOO_LARGE, ERR_BUNDLE_PARSE. The contract is proofs::parse_strict_json's (strict_json.hpp): Boost.JSON
// lexes, the document is nlohmann's; nlohmann's own parser takes the rare documents Boost refuses where nlohmann
// may not (an exponent beyond ±2^31) and nesting deeper than 256.
Result<nlohmann::json> parse_bounded(std::string_view text, std::size_t max_bytes, std::size_t max_depth);

// A PROOF-BUNDLE.md quantity: a JSON integer ≤ 2^53−1 or a decimal string without leading zeros that fits
// uint64. Errors: ERR_BUNDLE_SCHEMA, ERR_OVERFLOW.
Result<std::uint64_t> quantity(const nlohmann::json& v, const std::string& at);
Result<Bytes> hex_field(const nlohmann::json& v, const std::string& at, std::size_t max_bytes);
Result<Hash32> hash_field(const nlohmann::json& v, const std::string& at);

// A copy of `e` whose `at` is set to `at` when it was empty.
Error located(Error e, const std::string& at);
// A copy of `e` placed at bundle location `at` ("headers[3]", "inclusion"): a light client's own location
// ("height 7", "branch[2]") is kept as a sub-path when it names a field, otherwise moved into the detail.
Error relocated(Error e, const std::string& at);

}  // namespace causeway::proofs::detail
