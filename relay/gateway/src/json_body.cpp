// Bounded, schema-validated JSON bodies: see causeway/gateway/json_body.hpp.
#include "causeway/gateway/json_body.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include "causeway/proofs/strict_json.hpp"

namespace causeway::gateway {

namespace detail {
struct EmbeddedSchema {
  std::string_view name;
  std::string_view text;
};
// Generated at configure time from schemas/*.json (relay/gateway/CMakeLists.txt).
extern const EmbeddedSchema kEmbeddedSchemas[];
extern const std::size_t kEmbeddedSchemaCount;
}  // namespace detail

namespace {

const detail::EmbeddedSchema* find_schema(std::string_view name) {
  for (std::size_t i = 0; i < detail::kEmbeddedSchemaCount; ++i) {
    const auto& s = detail::kEmbeddedSchemas[i];
    if (s.name == name) return &s;
    for (std::string_view ext : {".schema.json", ".json"})
      if (s.name.size() == name.size() + ext.size() && s.name.substr(0, name.size()) == name &&
          s.name.substr(name.size()) == ext)
        return &s;
  }
  return nullptr;
}

// Compiled schemas by file name, built once each. Nodes are never removed, so references stay valid.
const valijson::Schema* compiled(const detail::EmbeddedSchema& s) {
  static std::mutex mu;
  static std::map<std::string_view, std::unique_ptr<valijson::Schema>> cache;
  std::lock_guard lock(mu);
  auto& slot = cache[s.name];
  if (!slot) {
    auto doc = nlohmann::json::parse(s.text, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return nullptr;  // our own file: reported as ERR_INVALID_ARGUMENT by the caller
    auto schema = std::make_unique<valijson::Schema>();
    try {
      valijson::SchemaParser parser;
      valijson::adapters::NlohmannJsonAdapter adapter(doc);
      parser.populateSchema(adapter, *schema);
    } catch (const std::exception&) {
      return nullptr;
    }
    slot = std::move(schema);
  }
  return slot.get();
}

}  // namespace

std::string_view embedded_schema(std::string_view schema_name) {
  const auto* s = find_schema(schema_name);
  return s ? s->text : std::string_view{};
}

std::vector<std::string_view> embedded_schema_names() {
  std::vector<std::string_view> out;
  for (std::size_t i = 0; i < detail::kEmbeddedSchemaCount; ++i) out.push_back(detail::kEmbeddedSchemas[i].name);
  return out;
}

Result<nlohmann::json> parse_json_bounded(std::string_view text, JsonLimits limits) {
  if (text.size() > limits.max_bytes)
    return fail(Code::TooLarge,
                "JSON body is " + std::to_string(text.size()) + " bytes, limit " + std::to_string(limits.max_bytes));
  // Depth, well-formedness and duplicate keys: relay/proofs' strict parser, the one the proof bundles go through.
  return proofs::parse_strict_json(text, limits.max_bytes, limits.max_depth);
}

Status validate_json(const nlohmann::json& doc, std::string_view schema_name) {
  const auto* s = find_schema(schema_name);
  if (s == nullptr) return fail(Code::InvalidArgument, "no embedded schema named " + std::string(schema_name));
  const valijson::Schema* schema = compiled(*s);
  if (schema == nullptr) return fail(Code::InvalidArgument, "embedded schema " + std::string(s->name) + " does not compile");
  // One Validator per thread: it caches compiled `pattern` regexes (as relay/proofs does).
  thread_local valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter adapter(doc);
  if (validator.validate(*schema, adapter, &results)) return {};
  valijson::ValidationResults::Error err;
  std::string at, message = "does not match schemas/" + std::string(s->name);
  std::size_t best_depth = 0;
  bool first = true;
  while (results.popError(err)) {
    if (first || err.context.size() > best_depth) {
      first = false;
      best_depth = err.context.size();
      at.clear();
      for (std::size_t i = 1; i < err.context.size(); ++i) {
        std::string part = err.context[i];
        if (part.size() >= 2 && part.front() == '[' && part.back() == ']') part = part.substr(1, part.size() - 2);
        const bool index = !part.empty() && part.find_first_not_of("0123456789") == std::string::npos;
        at += index ? "[" + part + "]" : (at.empty() ? part : "." + part);
      }
      message = err.description;
    }
  }
  return fail(Code::BodySchema, message + " (schemas/" + std::string(s->name) + ")", at);
}

Result<nlohmann::json> parse_json_body(const Request& req, std::string_view schema_name, JsonLimits limits) {
  if (!req.content_type.empty() && req.content_type.rfind("application/json", 0) != 0)
    return fail(Code::InvalidArgument, "Content-Type must be application/json", "Content-Type");
  auto doc = parse_json_bounded(req.body, limits);
  if (!doc) return doc;
  if (auto ok = validate_json(*doc, schema_name); !ok) return tl::unexpected(ok.error());
  return doc;
}

}  // namespace causeway::gateway
