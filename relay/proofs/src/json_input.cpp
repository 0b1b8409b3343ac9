#include "json_input.hpp"

#include "causeway/proofs/strict_json.hpp"

#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "causeway/core/hex.hpp"

namespace causeway::proofs::detail {
namespace {

// nlohmann's SAX events → the same DOM nlohmann::json::parse builds (nlohmann's json_sax_dom_parser, same
// order of events, the same values), noting the first key that repeats within one object. The object's own map
// finds the repeat: inserting a key that is already there is the duplicate, so no key is copied or compared
// twice. A repeated key's later value replaces the earlier one, as nlohmann::json::parse does; the caller
// refuses the document anyway. Never throws on bad input: a syntax error sets errored() and stops the parser.
class DomBuilder {
 public:
  using json = nlohmann::json;
  explicit DomBuilder(json& root) : root_(root) {}

  bool null() { return put(json(nullptr)); }
  bool boolean(bool v) { return put(json(v)); }
  bool number_integer(json::number_integer_t v) { return put(json(v)); }
  bool number_unsigned(json::number_unsigned_t v) { return put(json(v)); }
  bool number_float(json::number_float_t v, const json::string_t&) { return put(json(v)); }
  // The lexer clears its token buffer before the next token: taking the text over is safe.
  bool string(json::string_t& v) { return put(json(std::move(v))); }
  bool binary(json::binary_t& v) { return put(json(v)); }  // never from JSON text
  bool start_object(std::size_t) {
    stack_.push_back(place(json(json::value_t::object)));
    return true;
  }
  bool key(json::string_t& k) {
    auto& object = stack_.back()->get_ref<json::object_t&>();
    auto [it, inserted] = object.try_emplace(std::move(k));  // moves k only when inserted
    if (!inserted && !duplicate_) duplicate_ = k;
    element_ = &it->second;
    return true;
  }
  bool end_object() {
    stack_.pop_back();
    return true;
  }
  bool start_array(std::size_t) {
    stack_.push_back(place(json(json::value_t::array)));
    return true;
  }
  bool end_array() {
    stack_.pop_back();
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
    errored_ = true;
    return false;
  }

  bool errored() const { return errored_; }
  const std::optional<std::string>& duplicate() const { return duplicate_; }

 private:
  bool put(json&& v) {
    place(std::move(v));
    return true;
  }
  // Stores v where the next value goes (the root, the end of the open array, or the open object's last key).
  json* place(json&& v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    if (stack_.back()->is_array()) {
      auto& array = stack_.back()->get_ref<json::array_t&>();
      array.push_back(std::move(v));
      return &array.back();
    }
    *element_ = std::move(v);
    return element_;
  }

  json& root_;
  std::vector<json*> stack_;  // the open objects and arrays, innermost last
  json* element_ = nullptr;   // the value slot of the open object's last key
  std::optional<std::string> duplicate_;
  bool errored_ = false;
};

}  // namespace

Result<nlohmann::json> parse_bounded(std::string_view text, std::size_t max_bytes, std::size_t max_depth) {
  if (text.size() > max_bytes)
    return fail(Code::TooLarge, "document is " + std::to_string(text.size()) + " bytes, limit " +
                                    std::to_string(max_bytes));
  bool too_deep = false;
  // nlohmann's parser recurses as deep as the input nests: bound the nesting of brackets outside strings
  // before handing the text over.
  // Inside a string only its closing quote matters: a '"' preceded by an even number of backslashes (an odd run
  // escapes it). memchr finds the next quote; the run of backslashes before it lies inside the string (the opening
  // quote is not a backslash).
  std::size_t depth = 0;
  const char* p = text.data();
  const char* const end = p + text.size();
  while (p < end) {
    const char c = *p++;
    if (c == '"') {
      for (;;) {
        const void* q = std::memchr(p, '"', static_cast<std::size_t>(end - p));
        if (q == nullptr) {
          p = end;  // an unterminated string: nothing after it nests
          break;
        }
        const char* quote = static_cast<const char*>(q);
        std::size_t backslashes = 0;
        while (quote - backslashes > p && *(quote - backslashes - 1) == '\\') ++backslashes;
        p = quote + 1;
        if (backslashes % 2 == 0) break;
      }
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
  nlohmann::json doc;
  DomBuilder builder(doc);
  const bool parsed = nlohmann::json::sax_parse(text.begin(), text.end(), &builder, nlohmann::json::input_format_t::json,
                                                /*strict=*/true);
  if (!parsed || builder.errored()) return fail(Code::BundleParse, "not valid JSON");
  if (builder.duplicate()) return fail(Code::BundleParse, "duplicate key \"" + *builder.duplicate() + "\" in an object");
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

namespace causeway::proofs {

Result<nlohmann::json> parse_strict_json(std::string_view text, std::size_t max_bytes, std::size_t max_depth) {
  return detail::parse_bounded(text, max_bytes, max_depth);
}

}  // namespace causeway::proofs
