// proofs::parse_strict_json (relay/proofs/include/causeway/proofs/strict_json.hpp) against its contract's
// reference, nlohmann::json::parse(text) plus the first repeated key: a table of edge cases with their exact
// verdicts, and random JSON-ish text. Boost.JSON lexes the text since 2026-11-30; these tests hold it to
// nlohmann's verdicts, documents and number types. (Vector files and their mutations: strict_json_vectors_test.)
#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "causeway/proofs/strict_json.hpp"
#include "strict_json_reference.hpp"

using causeway::proofs::parse_strict_json;
using causeway::testing::check_against_reference;
using value_t = nlohmann::json::value_t;

namespace {

using namespace std::string_literals;

// An edge case: the text, and "ok" plus the dump and the root's type, or the error detail.
struct Case {
  std::string text;
  std::string verdict;  // "ok" or the error detail
  std::string dump;     // when "ok"
  value_t type = value_t::discarded;
};

const std::string kInvalid = "not valid JSON";

Case ok(std::string text, std::string dump, value_t type) { return Case{std::move(text), "ok", std::move(dump), type}; }
Case bad(std::string text) { return Case{std::move(text), kInvalid, "", value_t::discarded}; }
Case dup(std::string text, const std::string& key) {
  return Case{std::move(text), "duplicate key \"" + key + "\" in an object", "", value_t::discarded};
}

void check_cases(const std::vector<Case>& cases) {
  for (const auto& c : cases) {
    INFO("case " << nlohmann::json(c.text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    // The reference states the verdict the table gives, and parse_strict_json gives the reference's.
    CHECK(check_against_reference(c.text) == c.verdict);
    if (c.verdict == "ok") {
      const auto got = parse_strict_json(c.text, 1u << 20, 1u << 20);
      REQUIRE(got);
      CHECK(got->dump() == c.dump);
      CHECK(got->type() == c.type);
    }
  }
}

}  // namespace

TEST_CASE("strict JSON parse types numbers exactly as nlohmann::json::parse does") {
  const std::string big_int = "1" + std::string(300, '0');  // an integer beyond 64 bits: a double
  const std::string huge_int = "1" + std::string(400, '0');  // … beyond a double: an error
  check_cases({
      ok("0", "0", value_t::number_unsigned),
      ok("-0", "0", value_t::number_integer),
      ok("7", "7", value_t::number_unsigned),
      ok("-7", "-7", value_t::number_integer),
      ok("18446744073709551615", "18446744073709551615", value_t::number_unsigned),
      ok("18446744073709551616", "1.8446744073709552e+19", value_t::number_float),
      ok("9223372036854775808", "9223372036854775808", value_t::number_unsigned),
      ok("-9223372036854775808", "-9223372036854775808", value_t::number_integer),
      ok("-9223372036854775809", "-9.223372036854776e+18", value_t::number_float),
      ok("-18446744073709551616", "-1.8446744073709552e+19", value_t::number_float),
      ok(big_int, "1e+300", value_t::number_float),
      bad(huge_int),
      bad("-" + huge_int),
      ok("1.0", "1.0", value_t::number_float),
      ok("-0.0", "-0.0", value_t::number_float),
      ok("0.5", "0.5", value_t::number_float),
      ok("1e2", "100.0", value_t::number_float),
      ok("1E2", "100.0", value_t::number_float),
      ok("1e+2", "100.0", value_t::number_float),
      ok("1E-2", "0.01", value_t::number_float),
      ok("0e0", "0.0", value_t::number_float),
      ok("-0e0", "-0.0", value_t::number_float),
      ok("1.7976931348623157e308", "1.7976931348623157e+308", value_t::number_float),
      bad("1e400"),
      bad("-1e400"),
      bad("1.8e308"),
      bad("[1,1e999]"),
      ok("1e-400", "0.0", value_t::number_float),
      ok("4.9e-324", "5e-324", value_t::number_float),
      // Exponents beyond ±2^31 (Boost refuses them; nlohmann gives strtod's value when finite).
      ok("0e9999999999", "0.0", value_t::number_float),
      ok("[0E2147483648]", "[0.0]", value_t::array),
      ok("1e-9999999999", "0.0", value_t::number_float),
      ok("{\"a\":1e-2147483649}", "{\"a\":0.0}", value_t::object),
      bad("1e9999999999"),
      bad("-1e2147483648"),
      bad("01"),
      bad("-01"),
      bad("00"),
      bad("1."),
      bad(".5"),
      bad("+1"),
      bad("-"),
      bad("1e"),
      bad("1e+"),
      bad("1.e5"),
      bad("0x10"),
      bad("NaN"),
      bad("nan"),
      bad("Infinity"),
      bad("-Infinity"),
      bad("[NaN]"),
      bad("1_000"),
  });
}

TEST_CASE("strict JSON parse decodes and refuses strings exactly as nlohmann::json::parse does") {
  check_cases({
      ok(R"("\u0000")", R"("\u0000")", value_t::string),
      ok(R"("a\u0000b")", R"("a\u0000b")", value_t::string),
      ok(R"("\"\\\/\b\f\n\r\t")", R"("\"\\/\b\f\n\r\t")", value_t::string),
      ok(R"("\u00e9\u00E9")", "\"\xC3\xA9\xC3\xA9\"", value_t::string),
      ok(R"("\ud83d\ude00")", "\"\xF0\x9F\x98\x80\"", value_t::string),
      ok(R"("\uD83D\uDE00")", "\"\xF0\x9F\x98\x80\"", value_t::string),
      ok(R"("\udbff\udfff")", "\"\xF4\x8F\xBF\xBF\"", value_t::string),
      ok(R"("\uffff")", "\"\xEF\xBF\xBF\"", value_t::string),
      ok("\"\x7f\"", "\"\x7f\"", value_t::string),
      ok("\"\xC3\xA9\"", "\"\xC3\xA9\"", value_t::string),
      ok("\"\xC2\x80\"", "\"\xC2\x80\"", value_t::string),
      ok("\"\xE0\xA0\x80\"", "\"\xE0\xA0\x80\"", value_t::string),
      ok("\"\xED\x9F\xBF\"", "\"\xED\x9F\xBF\"", value_t::string),
      ok("\"\xEE\x80\x80\"", "\"\xEE\x80\x80\"", value_t::string),
      ok("\"\xF0\x90\x80\x80\"", "\"\xF0\x90\x80\x80\"", value_t::string),
      ok("\"\xF4\x8F\xBF\xBF\"", "\"\xF4\x8F\xBF\xBF\"", value_t::string),
      // Control characters must be escaped.
      bad("\"\x01\""),
      bad("\"\x1f\""),
      bad("\"\t\""),
      bad("\"\n\""),
      bad("\"a\0b\""s),
      // Invalid UTF-8: overlong, a surrogate encoded in UTF-8, beyond U+10FFFF, truncated, stray bytes.
      bad("\"\xC0\xAF\""),
      bad("\"\xC1\xBF\""),
      bad("\"\xE0\x80\xAF\""),
      bad("\"\xE0\x9F\xBF\""),
      bad("\"\xF0\x80\x80\xAF\""),
      bad("\"\xF0\x8F\xBF\xBF\""),
      bad("\"\xED\xA0\x80\""),
      bad("\"\xED\xBF\xBF\""),
      bad("\"\xED\xA0\x80\xED\xB0\x80\""),
      bad("\"\xF4\x90\x80\x80\""),
      bad("\"\xF5\x80\x80\x80\""),
      bad("\"\xF8\x88\x80\x80\x80\""),
      bad("\"\xFF\""),
      bad("\"\xFE\""),
      bad("\"\x80\""),
      bad("\"\xBF\""),
      bad("\"\xC3\""),
      bad("\"\xE2\x82\""),
      bad("\"\xF0\x9F\x98\""),
      bad("\"\xC3\x28\""),
      bad("\"\xE2\x28\xA1\""),
      bad("[\"\xC3\"]"),
      bad("{\"\xC3\":1}"),
      // \u escapes: lone or misordered surrogates, short or bad hex, unknown escapes.
      bad(R"("\ud800")"),
      bad(R"("\udbff")"),
      bad(R"("\udc00")"),
      bad(R"("\udfff")"),
      bad(R"("\ud800x")"),
      bad(R"("\ud800\n")"),
      bad(R"("\ud800\u0041")"),
      bad(R"("\ud800\ud800")"),
      bad(R"("\ude00\ud83d")"),
      bad(R"("\ud800\u")"),
      bad(R"({"\ud800":1})"),
      bad(R"("\u12")"),
      bad(R"("\u12g4")"),
      bad(R"("\U0041")"),
      bad(R"("\x41")"),
      bad(R"("\'")"),
      bad(R"("\a")"),
      bad(R"("\)"),
      bad("\"abc"),
      bad("\"abc\\\""),
      bad("'a'"),
  });
}

TEST_CASE("strict JSON parse takes a byte order mark, whitespace and the end of input exactly as nlohmann::json::parse does") {
  check_cases({
      ok("\xEF\xBB\xBF{}", "{}", value_t::object),
      ok("\xEF\xBB\xBF 1 ", "1", value_t::number_unsigned),
      bad("\xEF\xBB\xBF"),
      bad("\xEF\xBB{}"),
      bad("\xEF{}"),
      bad(" \xEF\xBB\xBF{}"),
      bad("\xEF\xBB\xBF\xEF\xBB\xBF{}"),
      bad("\xFE\xFF{}"),
      ok(" \t\r\n[ 1 , 2 ] \t\r\n", "[1,2]", value_t::array),
      bad(""),
      bad("   "),
      bad("\f1"),
      bad("1\f"),
      bad("\v1"),
      bad("\xC2\xA0" "1"),
      bad("[1] x"),
      bad("[1][2]"),
      bad("1 2"),
      bad("{}}"),
      bad("[1]]"),
      bad("\"a\"\"b\""),
      // nlohmann's lexer takes a NUL byte as the end of the input and ignores what follows; parse_strict_json
      // refuses a raw NUL byte anywhere (only whitespace may follow the value, RFC 8259; A02).
      bad("[1]\0garbage"s),
      bad("1\0"s),
      bad("true \0 ]]"s),
      bad("\0"s),
      bad(" \0 1"s),
      bad("[1,\0]"s),
      bad("{\"a\"\0:1}"s),
      bad("tr\0ue"s),
  });
}

TEST_CASE("strict JSON parse refuses non-standard syntax exactly as nlohmann::json::parse does") {
  check_cases({
      ok("[true,false,null]", "[true,false,null]", value_t::array),
      ok("null", "null", value_t::null),
      ok("{\"a\":[{}],\"b\":{\"c\":[]}}", "{\"a\":[{}],\"b\":{\"c\":[]}}", value_t::object),
      bad("True"),
      bad("nul"),
      bad("nulls"),
      bad("truefalse"),
      bad("/*c*/1"),
      bad("1/*c*/"),
      bad("1//c"),
      bad("[1,]"),
      bad("{\"a\":1,}"),
      bad("[,1]"),
      bad("{,}"),
      bad("[1 2]"),
      bad("{\"a\" 1}"),
      bad("{\"a\":}"),
      bad("{a:1}"),
      bad("{1:1}"),
      bad("{\"a\":1"),
      bad("["),
      bad("]"),
  });
}

TEST_CASE("strict JSON parse refuses the first repeated key, compared decoded, exactly as the reference") {
  check_cases({
      dup("{\"a\":1,\"a\":2}", "a"),
      dup("{\"\":1,\"\":2}", ""),
      dup(R"({"ab":1,"a\u0062":2})", "ab"),
      dup(R"({"a\u0062":1,"\u0061b":2})", "ab"),
      dup(R"({"\u0000":1,"\u0000":2})", "\0"s),
      dup(R"({"\ud83d\ude00":1,"😀":2})", "\xF0\x9F\x98\x80"),
      dup("{\"b\":1,\"a\":1,\"a\":2,\"b\":3}", "a"),
      dup("{\"x\":{\"k\":1,\"k\":2},\"x\":3}", "k"),
      dup("[{\"a\":1},{\"b\":1,\"b\":{\"c\":1,\"c\":2}}]", "b"),
      bad("{\"a\":1,\"a\":2"),       // invalid JSON wins over an earlier duplicate
      bad("{\"a\":1,\"a\":2}x"),
      ok("{\"a\":{\"a\":1},\"b\":{\"a\":2}}", "{\"a\":{\"a\":1},\"b\":{\"a\":2}}", value_t::object),
      ok("{\"a\":1,\"A\":2}", "{\"A\":2,\"a\":1}", value_t::object),
  });
}

TEST_CASE("strict JSON parse keeps its size and nesting bounds and messages") {
  const auto large = parse_strict_json("[1]", 2, 64);
  REQUIRE_FALSE(large);
  CHECK(large.error().code == causeway::Code::TooLarge);
  CHECK(large.error().detail == "document is 3 bytes, limit 2");
  const auto deep = parse_strict_json("[[[1]]]", 100, 2);
  REQUIRE_FALSE(deep);
  CHECK(deep.error().code == causeway::Code::BundleParse);
  CHECK(deep.error().detail == "JSON nesting deeper than 2");
  CHECK(parse_strict_json("[[1]]", 100, 2));
  // Nesting beyond what Boost's recursive parser is given (256) when the caller allows it: the same verdicts.
  const std::string nested = std::string(300, '[') + "1" + std::string(300, ']');
  CHECK(check_against_reference(nested, 1000) == "ok");
  CHECK(check_against_reference(std::string(300, '[') + "1" + std::string(299, ']'), 1000) == kInvalid);
  CHECK(check_against_reference(std::string(256, '[') + "{\"a\":1,\"a\":2}" + std::string(256, ']'), 1000) ==
        "duplicate key \"a\" in an object");
  CHECK(check_against_reference(std::string(255, '[') + "[1,1e400]" + std::string(255, ']'), 1000) == kInvalid);
}

namespace {

// JSON-ish text from a small grammar: values whose numbers, strings, keys and separators are drawn from edge-case
// pieces, with random bytes and deletions mixed in.
class Grammar {
 public:
  explicit Grammar(std::uint64_t seed) : rng_(seed) {}

  std::string document() {
    std::string s;
    if (pick(20) == 0) s += "\xEF\xBB\xBF";
    s += ws() + value(4) + ws();
    if (pick(10) == 0) s += pieces(kTrailing);
    const auto garble = pick(3) == 0 ? 1 + pick(3) : 0;
    for (std::uint64_t i = 0; i < garble && !s.empty(); ++i) {
      const auto at = pick(s.size());
      switch (pick(3)) {
        case 0: s[at] = static_cast<char>(pick(256)); break;
        case 1: s.erase(at, 1); break;
        default: s.insert(at, 1, pieces(kBytes)[0]); break;
      }
    }
    return s;
  }

 private:
  std::uint64_t pick(std::uint64_t n) { return rng_() % n; }
  std::string pieces(const std::vector<std::string>& from) { return from[pick(from.size())]; }
  std::string ws() { return pick(3) == 0 ? (pick(8) ? pieces(kGoodSpace) : pieces(kSpace)) : ""; }

  std::string number() {
    if (pick(6) == 0) return pieces(kNumbers);
    std::string s = pick(3) == 0 ? "-" : "";
    s += pick(4) == 0 ? "0" : std::to_string(1 + pick(9)) + digits(pick(25));
    if (pick(3) == 0) s += "." + digits(1 + pick(5));
    if (pick(3) == 0) s += std::string(pick(2) ? "e" : "E") + pieces({"", "+", "-"}) + digits(1 + pick(12));
    return s;
  }
  std::string digits(std::uint64_t n) {
    std::string s;
    for (std::uint64_t i = 0; i < n; ++i) s += static_cast<char>('0' + pick(10));
    return s;
  }
  std::string string() {
    std::string s = "\"";
    const auto n = pick(5);
    for (std::uint64_t i = 0; i < n; ++i)
      s += pick(16) == 0 ? std::string(1, static_cast<char>(pick(256))) : pick(2) ? "a" : pieces(kChars);
    return s + "\"";
  }
  std::string value(int depth) {
    const auto kind = depth <= 0 ? pick(4) : pick(8);
    switch (kind) {
      case 0: return number();
      case 1: return string();
      case 2: return pieces(kLiterals);
      case 3: return pick(2) ? number() : string();
      default: {
        std::string s = "[" + ws();
        const auto n = pick(4);
        for (std::uint64_t i = 0; i < n; ++i) s += (i ? "," + ws() : "") + value(depth - 1) + ws();
        return s + (pick(30) == 0 ? ",]" : "]");
      }
      case 4:
      case 5:
      case 6: {
        std::string s = "{" + ws();
        const auto n = pick(4);
        for (std::uint64_t i = 0; i < n; ++i)
          s += (i ? "," + ws() : "") + (pick(8) ? pieces(kGoodKeys) : pieces(kKeys)) + ws() + ":" + ws() +
               value(depth - 1) + ws();
        return s + (pick(30) == 0 ? ",}" : "}");
      }
    }
  }

  std::mt19937_64 rng_;
  const std::vector<std::string> kNumbers = {"0", "-0", "-0.0", "1e400", "-1e400", "1e-400", "0e9999999999",
                                             "18446744073709551615", "18446744073709551616", "-9223372036854775808",
                                             "-9223372036854775809", "01", "1.", ".5", "+1", "-", "1e", "NaN",
                                             "Infinity", "1E+2", "2.5e-3"};
  const std::vector<std::string> kChars = {"a", "\\\"", "\\\\", "\\/", "\\b", "\\n", "\\u0000", "\\u00e9",
                                           "\\ud83d\\ude00", "\\ud800", "\\udc00", "\\ud800\\u0041", "\\u12",
                                           "\\x", "\xC3\xA9", "\xF0\x9F\x98\x80", "\xC0\xAF", "\xED\xA0\x80",
                                           "\xF4\x90\x80\x80", "\xE2\x82", "\x1f", "\x7f", " "};
  const std::vector<std::string> kKeys = {"\"a\"", "\"b\"", "\"ab\"", "\"a\\u0062\"", "\"\"", "\"\\u0000\"",
                                          "\"\\ud800\"", "\"\xC3\"", "a", "1"};
  const std::vector<std::string> kGoodKeys = {"\"a\"", "\"b\"", "\"ab\"", "\"a\\u0062\"", "\"\""};
  const std::vector<std::string> kGoodSpace = {" ", "\t", "\r\n", "\n  "};
  const std::vector<std::string> kLiterals = {"true", "false", "null", "nul", "True", "truex", "[]", "{}"};
  const std::vector<std::string> kSpace = {" ", "\t", "\r\n", "\n  ", "\f", "\v", "\xC2\xA0", "/**/", "//\n"};
  const std::vector<std::string> kTrailing = {"x", ",", "]", "}", std::string(1, '\0') + "junk", "1", "\"\""};
  const std::vector<std::string> kBytes = {"\0"s, "\"", "\\", "[", "]", "{", "}", ",", ":", "-", "e", ".", "0",
                                           "\xEF", "\xBB", "\xBF", "\xFF", "\x80", " "};
};

}  // namespace

TEST_CASE("strict JSON parse accepts and builds exactly what nlohmann::json::parse does, on random JSON-ish text") {
  Grammar grammar(20261130);
  std::size_t accepted = 0, duplicates = 0, refused = 0;
  for (int k = 0; k < 100000; ++k) {
    const std::string text = grammar.document();
    const std::string verdict = check_against_reference(text);
    if (verdict == "ok") ++accepted;
    else if (verdict == kInvalid) ++refused;
    else ++duplicates;
  }
  INFO("accepted " << accepted << " duplicates " << duplicates << " refused " << refused);
  // The grammar reaches all three verdicts often.
  CHECK(accepted > 5000);
  CHECK(duplicates > 500);
  CHECK(refused > 5000);
}

TEST_CASE("A02 strict JSON parse refuses a raw NUL byte, which nlohmann's lexer takes as the end of the input") {
  using namespace std::string_literals;
  for (const std::string& text : {"[1]\0garbage"s, "{\"a\":1}\0{\"a\":2}"s, "1\0"s}) {
    INFO("case " << nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    // nlohmann alone would accept the text and ignore the bytes after the NUL.
    CHECK_FALSE(nlohmann::json::parse(text, nullptr, false).is_discarded());
    const auto got = parse_strict_json(text, 1u << 20, 64);
    REQUIRE_FALSE(got);
    CHECK(got.error().code == causeway::Code::BundleParse);
    CHECK(got.error().detail == "not valid JSON");
  }
}
