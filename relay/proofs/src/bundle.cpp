#include "causeway/proofs/bundle.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>
#include <nlohmann/json.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/constraint_builder.hpp>
#include <valijson/constraints/concrete_constraints.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/utils/utf8_utils.hpp>
#include <valijson/validator.hpp>

#include "family.hpp"
#include "json_input.hpp"
#include "schema_patterns.hpp"

namespace causeway::schemas {
extern const std::string_view kProofBundleSchema;
}

namespace causeway::proofs {
namespace {

// The keyword a listed `pattern` becomes in the loaded schema (never written in a schema file).
constexpr const char* kFastPatternKeyword = "x-causeway-fast-pattern";

// `pattern` checked by the exact character check of schema_patterns.hpp instead of std::regex: accepts and
// refuses the same strings with the same message at the same place as valijson's PatternConstraint under the
// Validator's strong types (a value that is not a string passes). valijson validates custom keywords after its
// own ones; every subschema with a `pattern` in our schema is {"type": "string", …} whose other keywords
// (type, maxLength) come before `pattern` in valijson's order anyway, so the order of errors is unchanged.
class FastPatternConstraint : public valijson::constraints::PolyConstraint {
 public:
  explicit FastPatternConstraint(detail::PatternCheck check) : check_(check) {}
  bool validate(const valijson::adapters::Adapter& target, const std::vector<std::string>& context,
                valijson::ValidationResults* results) const override {
    if (!target.isString()) return true;
    thread_local std::string text;
    target.getString(text);
    if (check_(text)) return true;
    if (results) results->pushError(context, "Failed to match regex specified by 'pattern' constraint.");
    return false;
  }

 private:
  valijson::constraints::Constraint* cloneInto(void* where) const override {
    return new (where) FastPatternConstraint(check_);
  }
  std::size_t sizeOf() const override { return sizeof(FastPatternConstraint); }
  detail::PatternCheck check_;
};

class FastPatternBuilder : public valijson::ConstraintBuilder {
 public:
  valijson::constraints::Constraint* make(const valijson::adapters::Adapter& value) const override {
    const auto check = detail::fast_pattern_check(value.asString());
    if (check == nullptr) throw std::logic_error("no fast check for this pattern");  // only our own schema
    return new FastPatternConstraint(check);
  }
};

// `maxLength` alone in its subschema (the `allOf` halves that bound hex strings: a bft leaf is ≤ 2 MiB of hex),
// with valijson's verdict and message: valijson counts UTF-8 characters with utils::u8_strlen, which counts at
// most one character per byte, so a string of at most maxLength bytes passes without counting; a longer one is
// counted exactly as valijson counts it.
constexpr const char* kFastMaxLengthKeyword = "x-causeway-fast-max-length";

class FastMaxLengthConstraint : public valijson::constraints::PolyConstraint {
 public:
  explicit FastMaxLengthConstraint(std::uint64_t max) : max_(max) {}
  bool validate(const valijson::adapters::Adapter& target, const std::vector<std::string>& context,
                valijson::ValidationResults* results) const override {
    if (!target.isString()) return true;
    thread_local std::string text;
    target.getString(text);
    if (text.size() <= max_ || valijson::utils::u8_strlen(text.c_str()) <= max_) return true;
    if (results)
      results->pushError(context, "String should be no more than " + std::to_string(max_) + " characters in length.");
    return false;
  }

 private:
  valijson::constraints::Constraint* cloneInto(void* where) const override {
    return new (where) FastMaxLengthConstraint(max_);
  }
  std::size_t sizeOf() const override { return sizeof(FastMaxLengthConstraint); }
  std::uint64_t max_;
};

class FastMaxLengthBuilder : public valijson::ConstraintBuilder {
 public:
  valijson::constraints::Constraint* make(const valijson::adapters::Adapter& value) const override {
    std::int64_t max = 0;
    if (!value.maybeInteger() || (max = value.asInteger()) < 0) throw std::logic_error("bad maxLength");
    return new FastMaxLengthConstraint(static_cast<std::uint64_t>(max));
  }
};

// Renames each schema keyword `pattern` whose regex has an exact check to kFastPatternKeyword, and each `maxLength`
// that is the only keyword of its subschema (so its place among the subschema's checks cannot matter) to
// kFastMaxLengthKeyword. Literal values (const, enum, default, examples) are data, not schemas: not entered (a
// pattern missed that way would still be checked, by std::regex).
void use_fast_patterns(nlohmann::json& node) {
  if (node.is_array()) {
    for (auto& e : node) use_fast_patterns(e);
    return;
  }
  if (!node.is_object()) return;
  if (auto p = node.find("pattern");
      p != node.end() && p->is_string() && detail::fast_pattern_check(p->get_ref<const std::string&>()) != nullptr) {
    nlohmann::json regex = std::move(*p);
    node.erase(p);
    node[kFastPatternKeyword] = std::move(regex);
  }
  if (auto m = node.find("maxLength"); m != node.end() && node.size() == 1 && m->is_number_unsigned()) {
    nlohmann::json max = *m;
    node.erase(m);
    node[kFastMaxLengthKeyword] = std::move(max);
  }
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (it.key() == "const" || it.key() == "enum" || it.key() == "default" || it.key() == "examples") continue;
    use_fast_patterns(it.value());
  }
}

// The schema as verify_bundle checks it (fast = true) or exactly as written, every pattern a std::regex (tests).
const valijson::Schema& compiled_schema(bool fast) {
  static std::once_flag once[2];
  static std::unique_ptr<valijson::Schema> schema[2];
  const std::size_t i = fast ? 1 : 0;
  std::call_once(once[i], [fast, i] {
    auto doc = nlohmann::json::parse(schemas::kProofBundleSchema);  // our own file: a throw is a build bug
    if (fast) use_fast_patterns(doc);
    schema[i] = std::make_unique<valijson::Schema>();
    valijson::SchemaParser parser;
    if (fast) {  // the parser deletes the builders
      parser.addConstraintBuilder(kFastMaxLengthKeyword, new FastMaxLengthBuilder);
      parser.addConstraintBuilder(kFastPatternKeyword, new FastPatternBuilder);
    }
    valijson::adapters::NlohmannJsonAdapter adapter(doc);
    parser.populateSchema(adapter, *schema[i]);
  });
  return *schema[i];
}

// Validates against the schema; on failure reports the deepest failing path.
Status validate(const nlohmann::json& doc, bool fast) {
  // valijson compiles each `pattern` left to std::regex (none in today's schema: see use_fast_patterns) and
  // caches it in the Validator: keep one Validator per thread so that a pattern is compiled once per thread, not
  // on every bundle. The Validator holds nothing else between calls.
  thread_local valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter adapter(doc);
  if (validator.validate(compiled_schema(fast), adapter, &results)) return {};
  valijson::ValidationResults::Error err;
  std::string at, message = "does not match schemas/proof-bundle.schema.json";
  std::size_t best_depth = 0;
  bool first = true;
  // Errors come innermost first; keep the first of the deepest (the most specific message).
  while (results.popError(err)) {
    if (first || err.context.size() > best_depth) {
      first = false;
      best_depth = err.context.size();
      at.clear();
      // valijson's context is ["<root>", "[inclusion]", "[branch]", "[3]"]: print inclusion.branch[3].
      for (std::size_t i = 1; i < err.context.size(); ++i) {
        std::string part = err.context[i];
        if (part.size() >= 2 && part.front() == '[' && part.back() == ']') part = part.substr(1, part.size() - 2);
        const bool index = !part.empty() && part.find_first_not_of("0123456789") == std::string::npos;
        at += index ? "[" + part + "]" : (at.empty() ? part : "." + part);
      }
      message = err.description;
    }
  }
  return fail(Code::BundleSchema, message, at);
}

std::string error_json(const Error& e) {
  nlohmann::json out = {{"valid", false},
                        {"error", {{"code", code_name(e.code)}, {"message", e.detail}, {"at", e.at}}}};
  return out.dump();
}

Verdict reject(int exit_code, const Error& e) { return Verdict{exit_code, error_json(e), e}; }

}  // namespace

std::string_view proof_bundle_schema() { return schemas::kProofBundleSchema; }

Status detail::validate_against_schema(const nlohmann::json& doc, bool fast_patterns) {
  return validate(doc, fast_patterns);
}

namespace {

// The one implementation: `keep` (nullable) receives the parsed document and the result object instead of
// the result's text.
Verdict verify_impl(std::string_view json_text, const TrustList* trust, std::int64_t now_s, VerifiedBundle* keep) {
  try {
    auto doc = detail::parse_bounded(json_text, kMaxBundleBytes, kMaxJsonDepth);
    if (!doc) return reject(2, doc.error());
    if (auto ok = validate(*doc, true); !ok) return reject(2, ok.error());

    std::int64_t verify_time_s = now_s;
    if (doc->contains("verify_time_s")) {
      auto t = detail::quantity((*doc)["verify_time_s"], "verify_time_s");
      if (!t) return reject(2, t.error());
      if (*t > static_cast<std::uint64_t>(INT64_MAX))
        return reject(2, Error{Code::Overflow, "verify_time_s above 2^63-1", "verify_time_s"});
      verify_time_s = static_cast<std::int64_t>(*t);
    }
    const auto& family = (*doc)["family"].get_ref<const std::string&>();
    Result<nlohmann::json> result = fail(Code::UnsupportedFamily,
                                         "family '" + family + "' is not implemented yet", "family");
    if (family == "bitcoin") result = detail::verify_bitcoin_bundle(*doc, trust, verify_time_s);
    if (family == "ethereum") result = detail::verify_ethereum_bundle(*doc, trust, verify_time_s);
    if (family == "bft") result = detail::verify_bft_bundle(*doc, trust, verify_time_s);
    // A field that cannot be read as its type (out of range, bad hex) means "not a bundle" (2), like a
    // schema violation; everything else is a bundle that does not verify (1).
    if (!result) {
      const Code c = result.error().code;
      // A ChainMaker block that does not decode as its protobuf-JSON message is the same kind of defect.
      const bool malformed = c == Code::BundleSchema || c == Code::Overflow || c == Code::BadHex ||
                             c == Code::ProtobufDecode;
      return reject(malformed ? 2 : 1, result.error());
    }
    if (keep != nullptr) {
      keep->doc = std::move(*doc);
      keep->result = std::move(*result);
      return Verdict{0, std::string(), std::nullopt};
    }
    return Verdict{0, result->dump(), std::nullopt};
  } catch (const std::exception& ex) {  // nothing below should throw; if it does, never crash on input
    return reject(2, Error{Code::BundleParse, std::string("unexpected input: ") + ex.what(), ""});
  }
}

}  // namespace

Verdict verify_bundle(std::string_view json_text, const TrustList* trust, std::int64_t now_s) {
  return verify_impl(json_text, trust, now_s, nullptr);
}

Verdict verify_bundle_parsed(std::string_view json_text, const TrustList* trust, std::int64_t now_s,
                             VerifiedBundle& out) {
  return verify_impl(json_text, trust, now_s, &out);
}

Result<TrustList> parse_trust_list(std::string_view json_text) {
  auto doc = detail::parse_bounded(json_text, 16u << 20, 8);
  if (!doc) return tl::unexpected(doc.error());
  if (!doc->is_array()) return fail(Code::BundleSchema, "trust file must be a JSON array of anchors");
  TrustList list;
  for (std::size_t i = 0; i < doc->size(); ++i) {
    const auto& e = (*doc)[i];
    const std::string at = "[" + std::to_string(i) + "]";
    if (!e.is_object() || !e.contains("island") || !e["island"].is_string() || !e.contains("height") ||
        !e.contains("hash"))
      return fail(Code::BundleSchema, "each anchor needs island, height and hash", at);
    TrustedAnchor a;
    a.island = e["island"].get<std::string>();
    auto h = detail::quantity(e["height"], at + ".height");
    if (!h) return tl::unexpected(h.error());
    a.height = *h;
    auto hash = detail::hash_field(e["hash"], at + ".hash");
    if (!hash) return tl::unexpected(hash.error());
    if (hash->is_zero()) return fail(Code::ZeroRoot, "an all-zero anchor hash is never trusted", at + ".hash");
    a.hash = *hash;
    if (e.contains("validator_set_hash")) {
      auto v = detail::hash_field(e["validator_set_hash"], at + ".validator_set_hash");
      if (!v) return tl::unexpected(v.error());
      if (v->is_zero()) return fail(Code::ZeroRoot, "all-zero validator-set hash", at + ".validator_set_hash");
      a.validator_set_hash = *v;
    }
    list.push_back(std::move(a));
  }
  return list;
}

}  // namespace causeway::proofs
