#include "json_input.hpp"

#include "causeway/proofs/strict_json.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <clocale>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "causeway/core/hex.hpp"

namespace causeway::proofs::detail {
namespace {

// The document being built from parser events: where the next value goes (the root, the end of the open array,
// or the open object's last key), and the first key that repeats within one object. The object's own map finds
// the repeat: inserting a key that is already there is the duplicate. A repeated key's later value replaces the
// earlier one, as nlohmann::json::parse does; the caller refuses the document anyway. Shared by both builders.
class DomSlots {
 public:
  using json = nlohmann::json;
  explicit DomSlots(json& root) : root_(root) {}
  const std::optional<std::string>& duplicate() const { return duplicate_; }

 protected:
  // Stores v where the next value goes; returns where it went.
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
  void open(json::value_t type) { stack_.push_back(place(json(type))); }
  void close() { stack_.pop_back(); }
  // `k`, decoded, names the open object's next value.
  void add_key(std::string_view k) {
    auto& object = stack_.back()->get_ref<json::object_t&>();
    auto it = object.lower_bound(k);
    if (it != object.end() && it->first == k) {
      if (!duplicate_) duplicate_ = std::string(k);
    } else {
      it = object.emplace_hint(it, std::string(k), json());
    }
    element_ = &it->second;
  }

 private:
  json& root_;
  std::vector<json*> stack_;  // the open objects and arrays, innermost last
  json* element_ = nullptr;   // the value slot of the open object's last key
  std::optional<std::string> duplicate_;
};

// nlohmann's SAX events → the same DOM nlohmann::json::parse builds (nlohmann's json_sax_dom_parser, same
// order of events, the same values), noting the first key that repeats within one object (DomSlots). Used only
// for the rare documents that BoostDomBuilder below does not take (see parse_with_nlohmann). Never throws on bad
// input: a syntax error sets errored() and stops the parser.
class DomBuilder : public DomSlots {
 public:
  using DomSlots::DomSlots;

  bool null() { return put(json(nullptr)); }
  bool boolean(bool v) { return put(json(v)); }
  bool number_integer(json::number_integer_t v) { return put(json(v)); }
  bool number_unsigned(json::number_unsigned_t v) { return put(json(v)); }
  bool number_float(json::number_float_t v, const json::string_t&) { return put(json(v)); }
  // The lexer clears its token buffer before the next token: taking the text over is safe.
  bool string(json::string_t& v) { return put(json(std::move(v))); }
  bool binary(json::binary_t& v) { return put(json(v)); }  // never from JSON text
  bool start_object(std::size_t) {
    open(json::value_t::object);
    return true;
  }
  bool key(json::string_t& k) {
    add_key(k);
    return true;
  }
  bool end_object() {
    close();
    return true;
  }
  bool start_array(std::size_t) {
    open(json::value_t::array);
    return true;
  }
  bool end_array() {
    close();
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
    errored_ = true;
    return false;
  }

  bool errored() const { return errored_; }

 private:
  bool put(json&& v) {
    place(std::move(v));
    return true;
  }

  bool errored_ = false;
};

// Boost.JSON's basic_parser events → the same DOM, and the same first repeated key, as DomBuilder builds from
// nlohmann's events. Boost only lexes and checks the grammar (RFC 8259 with UTF-8 and \u surrogate checks, which
// agree with nlohmann's lexer). Every number's text is classified and converted here exactly as nlohmann's
// lexer::scan_number does, since Boost's own typing differs (it reports 0…2^63−1 as int64 where nlohmann makes them
// number_unsigned, gives 1e400 as infinity where nlohmann refuses it, and converts with its own routine): no '.',
// 'e' or 'E' → an integer, number_unsigned when non-negative and below 2^64, number_integer when negative and
// ≥ −2^63 ("-0" is integer 0); anything else → strtod (with the locale's decimal point, as nlohmann), number_float,
// and a result that is not finite is a parse error (nlohmann's error 406). Strings and keys arrive in parts only
// when they contain escapes; the parts are joined in text_. Never throws on bad input: a refused number sets the
// error code and stops the parser.
class BoostDomBuilder : public DomSlots {
 public:
  using error_code = boost::json::error_code;
  using string_view = boost::json::string_view;
  // No limits of Boost's own: the caller's byte bound and nesting scan are the limits, as with nlohmann.
  static constexpr std::size_t max_array_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_object_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_string_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_key_size = std::numeric_limits<std::size_t>::max();

  explicit BoostDomBuilder(json& root) : DomSlots(root), decimal_point_(locale_decimal_point()) {}

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_array_begin(error_code&) {
    open(json::value_t::array);
    return true;
  }
  bool on_array_end(std::size_t, error_code&) {
    close();
    return true;
  }
  bool on_object_begin(error_code&) {
    open(json::value_t::object);
    return true;
  }
  bool on_object_end(std::size_t, error_code&) {
    close();
    return true;
  }
  bool on_string_part(string_view s, std::size_t, error_code&) {
    text_.append(s.data(), s.size());
    return true;
  }
  bool on_string(string_view s, std::size_t, error_code&) {
    if (text_.empty()) {
      place(json(json::string_t(s.data(), s.size())));
    } else {
      text_.append(s.data(), s.size());
      place(json(std::move(text_)));
      text_.clear();
    }
    return true;
  }
  bool on_key_part(string_view s, std::size_t, error_code&) {
    text_.append(s.data(), s.size());
    return true;
  }
  // The decoded key: a repeat is an insertion that finds the key already in the open object.
  bool on_key(string_view s, std::size_t, error_code&) {
    std::string_view k(s.data(), s.size());
    if (!text_.empty()) {
      text_.append(k);
      k = text_;
    }
    add_key(k);
    text_.clear();
    return true;
  }
  bool on_number_part(string_view s, error_code&) {
    number_.append(s.data(), s.size());
    return true;
  }
  bool on_int64(std::int64_t, string_view s, error_code& ec) { return number(s, ec); }
  bool on_uint64(std::uint64_t, string_view s, error_code& ec) { return number(s, ec); }
  bool on_double(double, string_view s, error_code& ec) { return number(s, ec); }
  bool on_bool(bool b, error_code&) {
    place(json(b));
    return true;
  }
  bool on_null(error_code&) {
    place(json(nullptr));
    return true;
  }
  // Comments are refused (parse_options::allow_comments is false): these are never called.
  bool on_comment_part(string_view, error_code&) { return true; }
  bool on_comment(string_view, error_code&) { return true; }

 private:
  // nlohmann's lexer::get_decimal_point.
  static char locale_decimal_point() {
    const auto* loc = std::localeconv();
    return loc == nullptr || loc->decimal_point == nullptr ? '.' : *loc->decimal_point;
  }

  bool number(string_view last, error_code& ec) {
    std::string_view t(last.data(), last.size());
    if (!number_.empty()) {
      number_.append(t);
      t = number_;
    }
    const bool ok = convert(t);
    number_.clear();
    if (!ok) ec = boost::json::error::syntax;
    return ok;
  }

  // nlohmann's lexer::scan_number after the grammar check (which Boost has made): strtoull / strtoll when the
  // text has no fraction or exponent and the value fits, else strtod.
  bool convert(std::string_view t) {
    if (t.find_first_of(".eE") == std::string_view::npos) {
      const bool negative = t.front() == '-';
      std::uint64_t x = 0;
      bool fits = true;
      for (std::size_t i = negative ? 1 : 0; i < t.size(); ++i) {
        const auto d = static_cast<std::uint64_t>(t[i] - '0');
        if (x > (std::numeric_limits<std::uint64_t>::max() - d) / 10) {
          fits = false;
          break;
        }
        x = x * 10 + d;
      }
      if (fits && !negative) {
        place(json(static_cast<json::number_unsigned_t>(x)));
        return true;
      }
      if (fits && x <= std::uint64_t{1} << 63) {  // −x ≥ −2^63 (C++20: the conversion is modular)
        place(json(static_cast<json::number_integer_t>(~x + 1)));
        return true;
      }
    }
    float_text_.assign(t);
    if (decimal_point_ != '.')
      for (char& c : float_text_)
        if (c == '.') c = decimal_point_;
    const double v = std::strtod(float_text_.c_str(), nullptr);
    if (!std::isfinite(v)) return false;  // nlohmann: "number overflow parsing ..."
    place(json(static_cast<json::number_float_t>(v)));
    return true;
  }

  const char decimal_point_;
  std::string text_;          // the parts of a string or key with escapes
  std::string number_;        // the parts of a number (only when Boost suspends mid-number)
  std::string float_text_;    // a NUL-terminated copy for strtod
};

// Deeper nesting than this goes to nlohmann's parser, whose stack does not grow with the nesting: Boost's
// basic_parser recurses once per level. Every caller in the relay bounds the nesting at 64 or less.
constexpr std::size_t kBoostMaxNesting = 256;

// The previous implementation, kept for documents Boost refuses where nlohmann may accept (an exponent beyond
// ±2^31: "0e9999999999" and "1e-9999999999" are 0 to strtod) and for nesting beyond kBoostMaxNesting.
Result<nlohmann::json> parse_with_nlohmann(std::string_view text) {
  nlohmann::json doc;
  DomBuilder builder(doc);
  const bool parsed = nlohmann::json::sax_parse(text.begin(), text.end(), &builder, nlohmann::json::input_format_t::json,
                                                /*strict=*/true);
  if (!parsed || builder.errored()) return fail(Code::BundleParse, "not valid JSON");
  if (builder.duplicate()) return fail(Code::BundleParse, "duplicate key \"" + *builder.duplicate() + "\" in an object");
  return doc;
}

}  // namespace

Result<nlohmann::json> parse_bounded(std::string_view text, std::size_t max_bytes, std::size_t max_depth) {
  if (text.size() > max_bytes)
    return fail(Code::TooLarge, "document is " + std::to_string(text.size()) + " bytes, limit " +
                                    std::to_string(max_bytes));
  bool too_deep = false;
  // Bound the nesting of brackets outside strings before handing the text over (Boost's basic_parser recurses as
  // deep as the input nests; the deepest nesting seen picks the parser below).
  // Inside a string only its closing quote matters: a '"' preceded by an even number of backslashes (an odd run
  // escapes it). memchr finds the next quote; the run of backslashes before it lies inside the string (the opening
  // quote is not a backslash).
  std::size_t depth = 0, deepest = 0;
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
      if (depth > deepest) deepest = depth;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  if (too_deep) return fail(Code::BundleParse, "JSON nesting deeper than " + std::to_string(max_depth));
  // A raw NUL byte is valid nowhere in JSON text (RFC 8259: control characters are escaped inside strings, only
  // whitespace may follow the value). nlohmann's lexer takes it as the end of the input and ignores whatever follows
  // — bytes that would be stored and hashed with the document but read by no one (A02): refused outright.
  if (std::memchr(text.data(), '\0', text.size()) != nullptr) return fail(Code::BundleParse, "not valid JSON");
  // Duplicate keys are refused: JSON parsers disagree on which value wins, so a document with two
  // "txid"s could mean one claim to us and another to an auditor's tool (A02).
  if (deepest > kBoostMaxNesting) return parse_with_nlohmann(text);
  // Boost lexes; the verdict and the document are nlohmann::json::parse's (BoostDomBuilder). nlohmann skips a
  // UTF-8 byte order mark at the start (a partial one is an error, as it is to Boost).
  std::string_view body = text;
  if (body.size() >= 3 && body.compare(0, 3, "\xEF\xBB\xBF") == 0) body.remove_prefix(3);
  boost::json::parse_options options;  // RFC 8259 only: no comments, trailing commas or invalid UTF-8
  options.max_depth = std::numeric_limits<std::size_t>::max();  // the scan above bounds the nesting
  nlohmann::json doc;
  boost::json::basic_parser<BoostDomBuilder> parser(options, doc);
  boost::json::error_code ec;
  const std::size_t used = parser.write_some(/*more=*/false, body.data(), body.size(), ec);
  if (ec == boost::json::error::exponent_overflow) return parse_with_nlohmann(text);
  // After the value (and whitespace, which Boost consumes) only the end may follow.
  if (ec || used != body.size()) return fail(Code::BundleParse, "not valid JSON");
  const auto& duplicate = parser.handler().duplicate();
  if (duplicate) return fail(Code::BundleParse, "duplicate key \"" + *duplicate + "\" in an object");
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
