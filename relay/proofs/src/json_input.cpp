#include "json_input.hpp"

#include <set>
#include <vector>

#include "causeway/core/hex.hpp"

namespace causeway::proofs::detail {

Result<nlohmann::json> parse_bounded(std::string_view text, std::size_t max_bytes, std::size_t max_depth) {
  if (text.size() > max_bytes)
    return fail(Code::TooLarge, "document is " + std::to_string(text.size()) + " bytes, limit " +
                                    std::to_string(max_bytes));
  bool too_deep = false;
  // nlohmann's parser recurses as deep as the input nests: bound the nesting of brackets outside strings
  // before handing the text over.
  std::size_t depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) {
        too_deep = true;
        break;
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  if (too_deep) return fail(Code::BundleParse, "JSON nesting deeper than " + std::to_string(max_depth));
  // Duplicate keys are refused: JSON parsers disagree on which value wins, so a document with two
  // "txid"s could mean one claim to us and another to an auditor's tool (A02).
  // The keys of the open objects, innermost last, in one vector (objects have few keys: a linear scan of the
  // innermost object's keys is cheaper than a std::set per object).
  std::vector<std::string> keys;
  std::vector<std::size_t> starts;  // where each open object's keys begin in `keys`
  std::string duplicate;
  nlohmann::json::parser_callback_t on_event = [&](int, nlohmann::json::parse_event_t event, nlohmann::json& value) {
    using E = nlohmann::json::parse_event_t;
    if (event == E::object_start) {
      starts.push_back(keys.size());
    } else if (event == E::object_end && !starts.empty()) {
      keys.resize(starts.back());
      starts.pop_back();
    } else if (event == E::key && !starts.empty()) {
      const auto& k = value.get_ref<const std::string&>();
      for (std::size_t i = starts.back(); i < keys.size(); ++i)
        if (keys[i] == k) {
          if (duplicate.empty()) duplicate = k;
          return true;
        }
      keys.push_back(k);
    }
    return true;
  };
  nlohmann::json doc = nlohmann::json::parse(text.begin(), text.end(), on_event, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return fail(Code::BundleParse, "not valid JSON");
  if (!duplicate.empty()) return fail(Code::BundleParse, "duplicate key \"" + duplicate + "\" in an object");
  return doc;
}

Result<std::uint64_t> quantity(const nlohmann::json& v, const std::string& at) {
  if (v.is_number_unsigned()) {
    auto x = v.get<std::uint64_t>();
    if (x > 9007199254740991ull) return fail(Code::BundleSchema, "integer above 2^53-1; use a string", at);
    return x;
  }
  if (v.is_number_integer()) return fail(Code::BundleSchema, "negative quantity", at);
  if (!v.is_string()) return fail(Code::BundleSchema, "quantity must be an integer or a decimal string", at);
  const auto& s = v.get_ref<const std::string&>();
  if (s.empty() || s.size() > 20 || (s.size() > 1 && s[0] == '0'))
    return fail(Code::BundleSchema, "quantity must be decimal without leading zeros", at);
  std::uint64_t x = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return fail(Code::BundleSchema, "quantity must be decimal", at);
    auto d = static_cast<std::uint64_t>(c - '0');
    if (x > (UINT64_MAX - d) / 10) return fail(Code::Overflow, "quantity does not fit 64 bits", at);
    x = x * 10 + d;
  }
  return x;
}

Result<Bytes> hex_field(const nlohmann::json& v, const std::string& at, std::size_t max_bytes) {
  if (!v.is_string()) return fail(Code::BundleSchema, "expected a 0x hex string", at);
  auto b = from_hex(v.get_ref<const std::string&>(), max_bytes);
  if (!b) return tl::unexpected(located(b.error(), at));
  return b;
}

Result<Hash32> hash_field(const nlohmann::json& v, const std::string& at) {
  if (!v.is_string()) return fail(Code::BundleSchema, "expected a 32-byte 0x hex string", at);
  auto h = hash_from_hex(v.get_ref<const std::string&>());
  if (!h) return tl::unexpected(located(h.error(), at));
  return h;
}

Error relocated(Error e, const std::string& at) {
  const auto dot = at.rfind('.');
  const std::string last = dot == std::string::npos ? at : at.substr(dot + 1);
  const bool names_last = e.at.rfind(last, 0) == 0 &&
                          (e.at.size() == last.size() || e.at[last.size()] == '[' || e.at[last.size()] == '.');
  if (e.at.empty() || e.at == at) {
    e.at = at;
  } else if (names_last) {  // "proof[0]" under "inclusion.proof" is "inclusion.proof[0]", not ".proof.proof[0]"
    e.at = (dot == std::string::npos ? "" : at.substr(0, dot + 1)) + e.at;
  } else if (e.at.find(' ') == std::string::npos) {  // a field path such as "branch[2]" or "tx"
    e.at = at + "." + e.at;
  } else {  // a description such as "height 7"
    e.detail += " (" + e.at + ")";
    e.at = at;
  }
  return e;
}

Error located(Error e, const std::string& at) {
  if (e.at.empty()) e.at = at;
  return e;
}

}  // namespace causeway::proofs::detail
