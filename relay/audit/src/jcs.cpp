// RFC 8785 canonical JSON for the audit-log value shape: see causeway/audit/jcs.hpp for the contract.
#include "causeway/audit/jcs.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

namespace causeway::audit {

namespace {

using json = nlohmann::json;

// Decodes well-formed UTF-8 into UTF-16 code units (RFC 8785 §3.2.3 sorts keys by these).
std::u16string utf16_of(std::string_view s) {
  std::u16string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::uint32_t cp = 0;
    std::size_t n = 0;
    if (c < 0x80) {
      cp = c;
      n = 1;
    } else if ((c & 0xE0U) == 0xC0U) {
      cp = c & 0x1FU;
      n = 2;
    } else if ((c & 0xF0U) == 0xE0U) {
      cp = c & 0x0FU;
      n = 3;
    } else {
      cp = c & 0x07U;
      n = 4;
    }
    for (std::size_t k = 1; k < n; ++k) cp = (cp << 6U) | (static_cast<unsigned char>(s[i + k]) & 0x3FU);
    if (cp >= 0x10000U) {
      cp -= 0x10000U;
      out.push_back(static_cast<char16_t>(0xD800U + (cp >> 10U)));
      out.push_back(static_cast<char16_t>(0xDC00U + (cp & 0x3FFU)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
    i += n;
  }
  return out;
}

void escape_string(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t run = 0;  // start of the pending run of characters copied as they are
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out.push_back(kHex[c >> 4U]);
        out.push_back(kHex[c & 0x0FU]);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

// Where a value sits, for the error's `at` ("evidence.header_a", "members[2]"): a chain of parents on the
// stack, turned into text only when an error is reported.
struct Path {
  const Path* parent = nullptr;
  const std::string* key = nullptr;  // object member, or
  std::size_t index = 0;             // array element (key == nullptr); the root has parent == nullptr
};

std::string text_of(const Path& p) {
  if (p.parent == nullptr) return std::string();
  std::string at = text_of(*p.parent);
  if (p.key == nullptr) return at + "[" + std::to_string(p.index) + "]";
  return at.empty() ? *p.key : at + "." + *p.key;
}

bool ascii(const std::string& s) noexcept {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

Status write(const json& v, const Path& at, std::size_t depth, std::string& out) {
  switch (v.type()) {
    case json::value_t::object: {
      if (depth >= kMaxDepth) return fail(Code::NotCanonicalJson, "nesting deeper than 32", text_of(at));
      // RFC 8785 §3.2.3 orders members by their keys' UTF-16 code units. For keys that are all ASCII that is
      // their byte order; otherwise the keys are converted to UTF-16 and compared as such.
      std::vector<json::const_iterator> members;
      members.reserve(v.size());
      bool all_ascii = true;
      for (auto it = v.begin(); it != v.end(); ++it) {
        const std::string& key = it.key();
        if (!valid_utf8(key)) {
          return fail(Code::NotCanonicalJson, "object key is not valid UTF-8", text_of(Path{&at, &key, 0}));
        }
        all_ascii = all_ascii && ascii(key);
        members.push_back(it);
      }
      if (all_ascii) {
        std::sort(members.begin(), members.end(),
                  [](const json::const_iterator& a, const json::const_iterator& b) { return a.key() < b.key(); });
      } else {
        std::vector<std::pair<std::u16string, json::const_iterator>> keyed;
        keyed.reserve(members.size());
        for (const auto& it : members) keyed.emplace_back(utf16_of(it.key()), it);
        std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        for (std::size_t i = 0; i < keyed.size(); ++i) members[i] = keyed[i].second;
      }
      out.push_back('{');
      bool first = true;
      for (const auto& it : members) {
        if (!first) out.push_back(',');
        first = false;
        escape_string(it.key(), out);
        out.push_back(':');
        if (auto s = write(it.value(), Path{&at, &it.key(), 0}, depth + 1, out); !s) return s;
      }
      out.push_back('}');
      return {};
    }
    case json::value_t::array: {
      if (depth >= kMaxDepth) return fail(Code::NotCanonicalJson, "nesting deeper than 32", text_of(at));
      out.push_back('[');
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (i != 0) out.push_back(',');
        if (auto s = write(v[i], Path{&at, nullptr, i}, depth + 1, out); !s) return s;
      }
      out.push_back(']');
      return {};
    }
    case json::value_t::string: {
      const auto& s = v.get_ref<const std::string&>();
      if (!valid_utf8(s)) return fail(Code::NotCanonicalJson, "string is not valid UTF-8", text_of(at));
      escape_string(s, out);
      return {};
    }
    case json::value_t::boolean:
      out += v.get<bool>() ? "true" : "false";
      return {};
    case json::value_t::number_integer: {
      const auto x = v.get<std::int64_t>();
      if (x > kMaxSafeInteger || x < -kMaxSafeInteger) {
        return fail(Code::NotCanonicalJson, "integer outside ±(2^53 − 1): use a decimal string", text_of(at));
      }
      out += std::to_string(x);
      return {};
    }
    case json::value_t::number_unsigned: {
      const auto x = v.get<std::uint64_t>();
      if (x > static_cast<std::uint64_t>(kMaxSafeInteger)) {
        return fail(Code::NotCanonicalJson, "integer above 2^53 − 1: use a decimal string", text_of(at));
      }
      out += std::to_string(x);
      return {};
    }
    case json::value_t::number_float:
      return fail(Code::NotCanonicalJson, "floating-point numbers are not allowed in audit entries", text_of(at));
    case json::value_t::null:
      return fail(Code::NotCanonicalJson, "null is not allowed in audit entries (omit the field)", text_of(at));
    default:
      return fail(Code::NotCanonicalJson, "value type not allowed in audit entries", text_of(at));
  }
}

}  // namespace

bool valid_utf8(std::string_view s) noexcept {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t n = 0;
    std::uint32_t cp = 0;
    std::uint32_t min = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 2; cp = c & 0x1FU; min = 0x80;
    } else if ((c & 0xF0U) == 0xE0U) {
      n = 3; cp = c & 0x0FU; min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 4; cp = c & 0x07U; min = 0x10000;
    } else {
      return false;
    }
    if (s.size() - i < n) return false;
    for (std::size_t k = 1; k < n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0U) != 0x80U) return false;
      cp = (cp << 6U) | (cc & 0x3FU);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n;
  }
  return true;
}

Result<std::string> canonicalize(const json& value) {
  std::string out;
  if (auto s = write(value, Path{}, 0, out); !s) return tl::unexpected<Error>(std::move(s.error()));
  return out;
}

void append_jcs_string(std::string_view s, std::string& out) { escape_string(s, out); }

Result<json> parse_canonical(std::string_view text) {
  if (text.size() > kMaxLeafBytes) return fail(Code::TooLarge, "audit entry larger than 4 MiB");
  bool too_deep = false;
  const json::parser_callback_t on_event = [&too_deep](int depth, json::parse_event_t, json&) {
    if (static_cast<std::size_t>(depth) > kMaxDepth) too_deep = true;
    return !too_deep;
  };
  json doc = json::parse(text.begin(), text.end(), on_event, /*allow_exceptions=*/false);
  if (too_deep) return fail(Code::NotCanonicalJson, "nesting deeper than 32");
  if (doc.is_discarded()) return fail(Code::NotCanonicalJson, "not JSON");
  auto canon = canonicalize(doc);
  if (!canon) return tl::unexpected<Error>(std::move(canon.error()));
  if (*canon != text) {
    const auto diff = std::mismatch(canon->begin(), canon->end(), text.begin(), text.end());
    const auto pos = static_cast<std::size_t>(diff.second - text.begin());
    return fail(Code::NotCanonicalJson, "differs from its RFC 8785 form at byte " + std::to_string(pos));
  }
  return doc;
}

}  // namespace causeway::audit
