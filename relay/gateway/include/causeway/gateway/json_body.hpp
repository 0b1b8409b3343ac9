// Bounded, schema-validated JSON request bodies (DESIGN.md §6, A29; docs/api-security.md).
//
// parse_json_body checks, in this order, before any route sees the body:
//   1. Content-Type: empty or application/json (any parameters)            else ERR_INVALID_ARGUMENT (400)
//   2. size ≤ limits.max_bytes (the server already refused larger bodies)  else ERR_TOO_LARGE (413)
//   3. nesting depth ≤ limits.max_depth (64), by a scan of the raw text outside strings, BEFORE a DOM is built
//      (nlohmann's parser recurses as deep as the input nests)            else ERR_BUNDLE_PARSE (400)
//   4. well-formed JSON without duplicate object keys (parsers disagree on which duplicate wins, A02)
//                                                                          else ERR_BUNDLE_PARSE (400)
//   5. valid against the named JSON Schema (draft-07, valijson)           else ERR_BODY_SCHEMA (400), with
//      Error::at the deepest failing path ("channel.port", "members[2]").
// Schemas: every schemas/*.json file is embedded into the gateway at build time (DESIGN.md §3); a schema
// is named by its file name ("island-register.schema.json") or its stem ("island-register"). Each is
// compiled once per process. An unknown name is our own bug: ERR_INVALID_ARGUMENT.
//
// Thread-safety: safe from any thread.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "causeway/core/error.hpp"
#include "causeway/gateway/server.hpp"

namespace causeway::gateway {

struct JsonLimits {
  std::size_t max_bytes = 1u << 20;
  std::size_t max_depth = 64;
};

Result<nlohmann::json> parse_json_body(const Request& req, std::string_view schema_name, JsonLimits limits = {});

// Steps 2–4 only (no schema, no Content-Type), for bodies whose shape a route checks itself.
Result<nlohmann::json> parse_json_bounded(std::string_view text, JsonLimits limits = {});

// Step 5 alone on an already parsed document.
Status validate_json(const nlohmann::json& doc, std::string_view schema_name);

// The embedded schema text, or "" when there is none by that name.
std::string_view embedded_schema(std::string_view schema_name);
// The file names of all embedded schemas.
std::vector<std::string_view> embedded_schema_names();

}  // namespace causeway::gateway
