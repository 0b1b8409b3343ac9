// Proof bundles (PROOF-BUNDLE.md, format v1): parse, validate against schemas/proof-bundle.schema.json,
// and verify through the light clients. The single implementation shared by `causeway proof verify`,
// packet intake, the gateway and `causeway audit verify`.
//
// Thread-safety: every function is reentrant; no shared mutable state (the compiled schema is built once,
// thread-safely, on first use).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"

namespace causeway::proofs {

// Bounds applied before and during parsing (DESIGN.md §6).
inline constexpr std::size_t kMaxBundleBytes = 64u << 20;  // 64 MiB of JSON text
inline constexpr std::size_t kMaxJsonDepth = 64;           // nesting of objects/arrays

// One trusted anchor of a `--trust FILE` list: island (CAIP-2), height, header hash as the bundle's result
// prints it (Bitcoin: display byte order), and for `bft` the validator-set hash.
struct TrustedAnchor {
  std::string island;
  std::uint64_t height = 0;
  Hash32 hash;
  std::optional<Hash32> validator_set_hash;
  // The held consensus state's time (ms) when the caller knows it (the relay does). chainmaker/v2 takes the
  // anchor's time from here, not from the document (a trust file entry has none: the document's time_s is used).
  std::optional<std::uint64_t> time_ms = std::nullopt;
};
using TrustList = std::vector<TrustedAnchor>;

// Parses a trust file: a JSON array of {"island", "height", "hash", ["validator_set_hash"]}.
// Errors: ERR_BUNDLE_PARSE (not JSON, too deep, too large), ERR_BUNDLE_SCHEMA (wrong shape),
// ERR_ZERO_ROOT (an all-zero hash is never trusted, A01).
Result<TrustList> parse_trust_list(std::string_view json_text);

// What `causeway proof verify` prints and exits with.
//   exit_code 0: valid; output = {"valid": true, "family", "island", "height", "header_hash", "confirmations",
//                "claim", "trust", "anchor": {"height", "hash", "trusted": "as-given" | "trust-file"}, ...}
//   exit_code 1: a bundle that does not verify; output = {"valid": false, "error": {"code","message","at"}}
//   exit_code 2: not a bundle at all (too large, not JSON, too deep, schema violation); same output shape.
struct Verdict {
  int exit_code = 2;
  std::string output_json;  // one JSON object, compact
  std::optional<Error> error;
};

// Verifies one bundle given as JSON text. `trust`: null → the anchor is trusted as given (and the result
// says so); otherwise the anchor must equal one entry (ERR_UNTRUSTED_ANCHOR, attack case A03).
// `now_s`: seconds since the Unix epoch standing in for "now" when the bundle has no `verify_time_s`.
// Never throws on any input.
Verdict verify_bundle(std::string_view json_text, const TrustList* trust, std::int64_t now_s);

// What verify_bundle parsed and produced, kept for a caller that reads the bundle next (packet intake), so
// that nothing is parsed twice. Filled only when the verdict's exit_code is 0.
struct VerifiedBundle {
  nlohmann::json doc;     // the bundle as parsed (duplicate keys refused, depth bounded, schema-valid)
  nlohmann::json result;  // the result object verify_bundle prints
};
// verify_bundle with exactly the same checks, also filling `out`; on success the verdict's output_json is
// left empty (`out.result` holds it). Never throws on any input.
Verdict verify_bundle_parsed(std::string_view json_text, const TrustList* trust, std::int64_t now_s,
                             VerifiedBundle& out);

// The embedded schema text (for `causeway proof schema` and tests).
std::string_view proof_bundle_schema();

}  // namespace causeway::proofs
