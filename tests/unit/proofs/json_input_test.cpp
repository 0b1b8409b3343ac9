// relay/proofs' bounded JSON reader (src/json_input.hpp parse_bounded): the nesting pre-scan and the duplicate-key
// check give exactly the verdicts of the straightforward implementations they replaced (kept here as references:
// a per-character scan, and nlohmann's callback parser noting repeated keys), on generated documents.
#include <catch2/catch.hpp>

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "json_input.hpp"

using causeway::proofs::detail::parse_bounded;

namespace {

// The reference nesting scan: brackets outside strings, a backslash escaping the next character in a string.
bool reference_too_deep(const std::string& text, std::size_t max_depth) {
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
      if (++depth > max_depth) return true;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return false;
}

// The reference parse: nlohmann's callback parser, the first key repeated within one object. (The callback the
// relay used until 2026-11-30 kept the first duplicate in a string and so missed a repeated EMPTY key, {"":1,"":2};
// the rule is "duplicate keys are refused", which the reference states and parse_bounded now follows.)
struct Reference {
  bool valid = false;
  std::optional<std::string> duplicate;
  nlohmann::json doc;
};
Reference reference_parse(const std::string& text) {
  std::vector<std::vector<std::string>> open;
  Reference r;
  nlohmann::json::parser_callback_t cb = [&](int, nlohmann::json::parse_event_t event, nlohmann::json& value) {
    using E = nlohmann::json::parse_event_t;
    if (event == E::object_start) open.emplace_back();
    else if (event == E::object_end && !open.empty()) open.pop_back();
    else if (event == E::key && !open.empty()) {
      const auto& k = value.get_ref<const std::string&>();
      for (const auto& seen : open.back())
        if (seen == k && !r.duplicate) r.duplicate = k;
      open.back().push_back(k);
    }
    return true;
  };
  r.doc = nlohmann::json::parse(text, cb, false);
  r.valid = !r.doc.is_discarded();
  return r;
}

std::string random_text(std::mt19937_64& rng, const std::vector<std::string>& pieces, std::size_t max_pieces) {
  std::string s;
  const std::size_t n = rng() % (max_pieces + 1);
  for (std::size_t i = 0; i < n; ++i) s += pieces[rng() % pieces.size()];
  return s;
}

// A JSON text (valid unless `garble`) whose objects take their keys from a small set, so that keys repeat
// (also as "ab" spelled with an escape).
std::string random_json(std::mt19937_64& rng, int depth) {
  static const std::vector<std::string> keys = {"\"a\"", "\"b\"", "\"ab\"", "\"a\\u0062\"", "\"\""};
  static const std::vector<std::string> scalars = {"1", "-2", "3.5", "true", "null", "\"x\"", "\"\\\"\"", "18446744073709551616"};
  const auto pick = rng() % 4;
  if (depth <= 0 || pick == 0) return scalars[rng() % scalars.size()];
  std::string s = pick == 1 ? "[" : "{";
  const std::size_t n = rng() % 4;
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) s += ",";
    if (pick != 1) s += keys[rng() % keys.size()] + ":";
    s += random_json(rng, depth - 1);
  }
  return s + (pick == 1 ? "]" : "}");
}

}  // namespace

TEST_CASE("parse_bounded: the nesting bound gives the per-character scan's verdict") {
  std::mt19937_64 rng(7);
  const std::vector<std::string> pieces = {"[", "]", "{", "}", "\"", "\\", "\\\\", "\\\"", "a", " ", ":", ","};
  std::size_t too_deep = 0;
  for (int k = 0; k < 200000; ++k) {
    const std::string text = random_text(rng, pieces, 24);
    const std::size_t max_depth = 1 + rng() % 4;
    const bool want = reference_too_deep(text, max_depth);
    const auto got = parse_bounded(text, 1 << 20, max_depth);
    const bool got_deep = !got && got.error().detail == "JSON nesting deeper than " + std::to_string(max_depth);
    INFO("text " << text << " max_depth " << max_depth);
    REQUIRE(got_deep == want);
    too_deep += want ? 1 : 0;
  }
  CHECK(too_deep > 1000);
}

TEST_CASE("parse_bounded: validity, duplicate keys and the document match nlohmann's callback parser") {
  std::mt19937_64 rng(11);
  const std::vector<std::string> pieces = {"{", "}", "[", "]", "\"a\"", "\"b\"", "\"a\\u0062\"", "\"\\\"\"", ":", ",", "1",
                                           "-2", "3.5", "1e400", "true", "null", " ", "\"é\"", "\"\\ud800\""};
  std::size_t valid = 0, duplicates = 0;
  for (int k = 0; k < 200000; ++k) {
    std::string text = k % 2 == 0 ? random_text(rng, pieces, 14) : random_json(rng, 4);
    if (k % 10 == 1 && !text.empty()) text.erase(rng() % text.size(), 1);  // and some broken ones
    const Reference want = reference_parse(text);
    const auto got = parse_bounded(text, 1 << 20, 64);
    INFO("text " << text);
    if (!want.valid) {
      REQUIRE_FALSE(got);
      CHECK(got.error().detail == "not valid JSON");
    } else if (want.duplicate) {
      ++duplicates;
      REQUIRE_FALSE(got);
      CHECK(got.error().detail == "duplicate key \"" + *want.duplicate + "\" in an object");
    } else {
      ++valid;
      REQUIRE(got);
      CHECK(*got == want.doc);
      CHECK(got->dump() == want.doc.dump());
    }
  }
  CHECK(valid > 1000);
  CHECK(duplicates > 100);
}

TEST_CASE("A02 duplicate keys are refused, also an empty key and a key spelled with an escape") {
  const auto empty = parse_bounded(R"({"":1,"":2})", 1 << 20, 64);
  REQUIRE_FALSE(empty);
  CHECK(empty.error().code == causeway::Code::BundleParse);
  CHECK(empty.error().detail == "duplicate key \"\" in an object");
  const auto escaped = parse_bounded(R"({"x":{"ab":1,"a\u0062":2}})", 1 << 20, 64);
  REQUIRE_FALSE(escaped);
  CHECK(escaped.error().detail == "duplicate key \"ab\" in an object");
  // The same key in two different objects is not a duplicate.
  const auto apart = parse_bounded(R"({"a":{"a":1},"b":{"a":2}})", 1 << 20, 64);
  REQUIRE(apart);
  CHECK(apart->dump() == R"({"a":{"a":1},"b":{"a":2}})");
  // Invalid JSON wins over a duplicate seen before the error.
  const auto broken = parse_bounded(R"({"a":1,"a":2)", 1 << 20, 64);
  REQUIRE_FALSE(broken);
  CHECK(broken.error().detail == "not valid JSON");
}
