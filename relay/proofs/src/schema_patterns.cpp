#include "schema_patterns.hpp"

#include <cstddef>

namespace causeway::proofs::detail {
namespace {

// Character classes of the patterns. std::regex compares `char`s: a byte ≥ 0x80 (negative as char) is in none.
constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
// [-_a-zA-Z0-9]
constexpr bool is_name(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
}
// [-a-z0-9]
constexpr bool is_namespace(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || c == '-'; }

// ^0[xX][0-9a-fA-F]{N}$
template <std::size_t N>
bool hex_of(std::string_view s) {
  if (s.size() != N + 2 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return false;
  for (std::size_t i = 2; i < s.size(); ++i)
    if (!is_hex(s[i])) return false;
  return true;
}

// ^(0|[1-9][0-9]{0,M})$
template <std::size_t M>
bool decimal_of(std::string_view s) {
  if (s == "0") return true;
  if (s.empty() || s.size() > M + 1 || s[0] < '1' || s[0] > '9') return false;
  for (std::size_t i = 1; i < s.size(); ++i)
    if (!is_digit(s[i])) return false;
  return true;
}

// [-_a-zA-Z0-9]{1,64} as the whole of `s`
bool name_1_64(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!is_name(c)) return false;
  return true;
}

// ^<prefix>[-_a-zA-Z0-9]{1,64}$ (the prefix is a literal ending in ':')
bool prefixed_name(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix && name_1_64(s.substr(prefix.size()));
}

bool cwdevnet(std::string_view s) { return prefixed_name(s, "cwdevnet:"); }
bool chainmkr(std::string_view s) { return prefixed_name(s, "chainmkr:"); }
bool fisco(std::string_view s) { return prefixed_name(s, "fisco:"); }

// ^[-a-z0-9]{3,8}:[-_a-zA-Z0-9]{1,64}$ — ':' is in neither class, so the first ':' is the only split.
bool caip2(std::string_view s) {
  const auto colon = s.find(':');
  if (colon == std::string_view::npos || colon < 3 || colon > 8) return false;
  for (std::size_t i = 0; i < colon; ++i)
    if (!is_namespace(s[i])) return false;
  return name_1_64(s.substr(colon + 1));
}

// ^eip155:[1-9][0-9]{0,19}$
bool eip155(std::string_view s) {
  constexpr std::string_view prefix = "eip155:";
  if (s.substr(0, prefix.size()) != prefix) return false;
  const auto rest = s.substr(prefix.size());
  if (rest.empty() || rest.size() > 20 || rest[0] < '1' || rest[0] > '9') return false;
  for (std::size_t i = 1; i < rest.size(); ++i)
    if (!is_digit(rest[i])) return false;
  return true;
}

struct Entry {
  std::string_view pattern;
  PatternCheck check;
};
constexpr Entry kEntries[] = {
    {"^0[xX][0-9a-fA-F]{64}$", &hex_of<64>},
    {"^0[xX][0-9a-fA-F]{160}$", &hex_of<160>},
    {"^0[xX][0-9a-fA-F]{40}$", &hex_of<40>},
    {"^(0|[1-9][0-9]{0,19})$", &decimal_of<19>},
    {"^(0|[1-9][0-9]{0,77})$", &decimal_of<77>},
    {"^[-a-z0-9]{3,8}:[-_a-zA-Z0-9]{1,64}$", &caip2},
    {"^cwdevnet:[-_a-zA-Z0-9]{1,64}$", &cwdevnet},
    {"^chainmkr:[-_a-zA-Z0-9]{1,64}$", &chainmkr},
    {"^fisco:[-_a-zA-Z0-9]{1,64}$", &fisco},
    {"^eip155:[1-9][0-9]{0,19}$", &eip155},
};

}  // namespace

PatternCheck fast_pattern_check(std::string_view pattern) {
  for (const auto& e : kEntries)
    if (e.pattern == pattern) return e.check;
  return nullptr;
}

std::vector<std::string_view> fast_patterns() {
  std::vector<std::string_view> out;
  for (const auto& e : kEntries) out.push_back(e.pattern);
  return out;
}

}  // namespace causeway::proofs::detail
