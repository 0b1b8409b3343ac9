// Exact character checks for the `pattern`s of schemas/proof-bundle.schema.json. Internal to relay/proofs.
//
// valijson 0.7 checks a `pattern` with std::regex_search (ECMAScript, no flags): on a proof bundle that costs more
// than everything else the schema checks. The schema file stays the normative text; when the validator loads it,
// each `pattern` listed below is swapped for a keyword checked by the function here, which accepts exactly the
// strings std::regex_search(s, std::regex(pattern)) accepts (proven over generated strings by
// tests/unit/proofs/schema_patterns_test.cpp). A pattern not listed keeps std::regex.
//
// The listed patterns (all anchored with ^…$, so a search is a whole-string match):
//   ^0[xX][0-9a-fA-F]{64}$            hash32        ^0[xX][0-9a-fA-F]{160}$        btc_header
//   ^0[xX][0-9a-fA-F]{40}$            address       ^(0|[1-9][0-9]{0,19})$         quantity as a string
//   ^(0|[1-9][0-9]{0,77})$            wei balance   ^[-a-z0-9]{3,8}:[-_a-zA-Z0-9]{1,64}$   caip2
//   ^cwdevnet:[-_a-zA-Z0-9]{1,64}$    ^chainmkr:[-_a-zA-Z0-9]{1,64}$    ^fisco:[-_a-zA-Z0-9]{1,64}$   islands
//   ^eip155:[1-9][0-9]{0,19}$         ethereum island
//
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "causeway/core/error.hpp"

namespace causeway::proofs::detail {

// True when `s` matches the pattern the check stands for.
using PatternCheck = bool (*)(std::string_view s);

// The exact check for `pattern` (the schema's text of the regex, byte for byte), or nullptr when the pattern
// is not one of the listed ones.
PatternCheck fast_pattern_check(std::string_view pattern);

// The listed patterns, in the order above (for tests).
std::vector<std::string_view> fast_patterns();

// Validates `doc` against schemas/proof-bundle.schema.json as verify_bundle does (fast_patterns = true), or with
// every pattern checked by std::regex as valijson reads the file (false; for tests comparing both). On failure:
// ERR_BUNDLE_SCHEMA with valijson's message of the deepest failing location and that location ("inclusion.leaf").
// Thread-safe (one valijson Validator per thread).
Status validate_against_schema(const nlohmann::json& doc, bool fast_patterns);

}  // namespace causeway::proofs::detail
