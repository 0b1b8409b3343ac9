// relay/proofs' exact checks for the proof-bundle schema's `pattern`s (relay/proofs/src/schema_patterns.hpp) accept
// exactly the strings valijson's std::regex_search(s, std::regex(pattern)) accepts, and the schema still refuses a
// bad value with valijson's message and location.
#include <catch2/catch.hpp>

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "causeway/proofs/bundle.hpp"
#include "schema_patterns.hpp"

using causeway::proofs::detail::fast_pattern_check;
using causeway::proofs::detail::fast_patterns;

namespace {

// Every pattern written in the schema file.
void collect_patterns(const nlohmann::json& node, std::set<std::string>& out) {
  if (node.is_array()) {
    for (const auto& e : node) collect_patterns(e, out);
  } else if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (it.key() == "pattern" && it->is_string()) out.insert(it->get<std::string>());
      else collect_patterns(it.value(), out);
    }
  }
}

// Characters that sit on and around every class boundary of the patterns, plus bytes a regex could mistake.
const std::vector<std::string> kPieces = {
    "0", "1", "9", "a", "f", "g", "z", "A", "F", "G", "Z", "x", "X", "-", "_", ":", "/", "@", "`", "[", "{",
    " ", "\n", "\r", "\t", std::string(1, '\0'), ".", "+", "e", "E",
    "\xc3\xa9",          // é (UTF-8)
    "\xef\xbc\x90",      // FULLWIDTH DIGIT ZERO
    "\x80", "\xff", "\x7f",
    "0x", "0X", "cwdevnet:", "chainmkr:", "fisco:", "eip155:", "eip155", "cosmos:", "abc:", "abcdefgh:",
    "abcdefghi:"};

// A string the pattern is meant to accept, of the shape's typical length, built from its own classes.
std::string random_from(std::mt19937_64& rng, const std::string& alphabet, std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += alphabet[rng() % alphabet.size()];
  return s;
}

std::vector<std::string> samples(std::mt19937_64& rng) {
  const std::string hex = "0123456789abcdefABCDEF";
  const std::string name = "-_abcxyzABCXYZ0189";
  const std::string ns = "-abcz0189";
  const std::string digits = "0123456789";
  std::vector<std::string> base = {"", "0", "00", "01", "1", "10", "0x", "0X", "x0", "cwdevnet:", "eip155:", ":"};
  for (std::size_t n : std::initializer_list<std::size_t>{0, 1, 2, 19, 20, 21, 39, 40, 41, 63, 64, 65, 76, 77, 78, 79, 159, 160, 161}) {
    base.push_back("0x" + random_from(rng, hex, n));
    base.push_back("0X" + random_from(rng, hex, n));
    base.push_back("1" + random_from(rng, digits, n));
    base.push_back("eip155:" + std::string(1, "123456789"[rng() % 9]) + random_from(rng, digits, n));
    for (const char* prefix : {"cwdevnet:", "chainmkr:", "fisco:", "cosmos:", "ab:", "a-b0c1d2:", "abcdefghi:"})
      base.push_back(prefix + random_from(rng, name, n));
  }
  for (std::size_t n = 0; n <= 10; ++n)
    for (std::size_t m : std::initializer_list<std::size_t>{0, 1, 63, 64, 65}) base.push_back(random_from(rng, ns, n) + ":" + random_from(rng, name, m));
  std::vector<std::string> out = base;
  // Each base string with one character replaced, inserted or removed at a random place, and extended at both ends.
  for (const auto& b : base) {
    for (const auto& piece : kPieces) {
      if (!b.empty()) {
        std::string r = b;
        const std::size_t at = rng() % b.size();
        r.replace(at, 1, piece);
        out.push_back(r);
        std::string d = b;
        d.erase(rng() % b.size(), 1);
        out.push_back(d);
      }
      std::string i = b;
      i.insert(b.empty() ? 0 : rng() % (b.size() + 1), piece);
      out.push_back(i);
      out.push_back(piece + b);
      out.push_back(b + piece);
    }
  }
  // And plain random strings over all pieces.
  for (int k = 0; k < 2000; ++k) {
    std::string s;
    const std::size_t parts = rng() % 12;
    for (std::size_t p = 0; p < parts; ++p) s += kPieces[rng() % kPieces.size()];
    out.push_back(s);
  }
  return out;
}

}  // namespace

TEST_CASE("schema pattern fast checks: every listed pattern gives std::regex_search's verdict on generated strings") {
  std::mt19937_64 rng(20261130);
  const auto strings = samples(rng);
  REQUIRE(strings.size() > 10000);
  REQUIRE(fast_patterns().size() == 10);
  for (const auto pattern : fast_patterns()) {
    INFO("pattern " << pattern);
    const auto check = fast_pattern_check(pattern);
    REQUIRE(check != nullptr);
    const std::regex re{std::string(pattern)};  // as valijson builds it: ECMAScript, no flags
    std::size_t accepted = 0;
    for (const auto& s : strings) {
      const bool want = std::regex_search(s, re);
      INFO("string \"" << s << "\" (" << s.size() << " bytes)");
      REQUIRE(check(s) == want);
      accepted += want ? 1 : 0;
    }
    CHECK(accepted > 0);  // the samples reach both verdicts of every pattern
    CHECK(accepted < strings.size());
  }
}

TEST_CASE("schema pattern fast checks: exact verdicts at the edges") {
  const auto hash32 = fast_pattern_check("^0[xX][0-9a-fA-F]{64}$");
  REQUIRE(hash32 != nullptr);
  CHECK(hash32("0x" + std::string(64, 'a')));
  CHECK(hash32("0X" + std::string(64, 'F')));
  CHECK_FALSE(hash32("0x" + std::string(63, 'a')));
  CHECK_FALSE(hash32("0x" + std::string(65, 'a')));
  CHECK_FALSE(hash32("0x" + std::string(63, 'a') + "g"));
  CHECK_FALSE(hash32("0x" + std::string(64, 'a') + "\n"));
  CHECK_FALSE(hash32(""));
  const auto quantity = fast_pattern_check("^(0|[1-9][0-9]{0,19})$");
  REQUIRE(quantity != nullptr);
  CHECK(quantity("0"));
  CHECK(quantity("18446744073709551615"));
  CHECK(quantity("99999999999999999999"));  // 20 digits: the pattern allows it; the reader refuses overflow
  CHECK_FALSE(quantity("100000000000000000000"));
  CHECK_FALSE(quantity("00"));
  CHECK_FALSE(quantity("01"));
  CHECK_FALSE(quantity(""));
  const auto caip2 = fast_pattern_check("^[-a-z0-9]{3,8}:[-_a-zA-Z0-9]{1,64}$");
  REQUIRE(caip2 != nullptr);
  CHECK(caip2("cwdevnet:a"));
  CHECK(caip2("abc:" + std::string(64, 'Z')));
  CHECK_FALSE(caip2("abc:" + std::string(65, 'Z')));
  CHECK_FALSE(caip2("ab:x"));
  CHECK_FALSE(caip2("abcdefghi:x"));
  CHECK_FALSE(caip2("Abc:x"));
  CHECK_FALSE(caip2("abc:x:y"));
  CHECK(fast_pattern_check("^cwdevnet:[-_a-zA-Z0-9]{1,64}$")("cwdevnet:x_-9"));
  CHECK_FALSE(fast_pattern_check("^cwdevnet:[-_a-zA-Z0-9]{1,64}$")("cwdevnet:"));
  CHECK(fast_pattern_check("^eip155:[1-9][0-9]{0,19}$")("eip155:1"));
  CHECK_FALSE(fast_pattern_check("^eip155:[1-9][0-9]{0,19}$")("eip155:0"));
  CHECK(fast_pattern_check("^[0-9]+$") == nullptr);  // not listed: left to std::regex
}

TEST_CASE("schema pattern fast checks: every pattern of proof-bundle.schema.json is listed") {
  std::set<std::string> in_schema;
  collect_patterns(nlohmann::json::parse(causeway::proofs::proof_bundle_schema()), in_schema);
  std::set<std::string> listed;
  for (const auto p : fast_patterns()) listed.insert(std::string(p));
  CHECK(in_schema == listed);
}

TEST_CASE("schema pattern fast checks: documents of every family get std::regex's verdict, message and location") {
  using causeway::proofs::detail::validate_against_schema;
  const std::string h32 = "0x" + std::string(64, 'a');
  const std::string h80 = "0x" + std::string(160, 'b');
  const std::string a20 = "0x" + std::string(40, 'c');
  // Skeletons with a string wherever the schema has a pattern (valid or not as a whole: only the two ways of
  // checking are compared).
  const std::vector<nlohmann::json> docs = {
      {{"version", 1},
       {"family", "bitcoin"},
       {"island", "bip122:000000000019d6689c085ae165831e93"},
       {"network", "regtest"},
       {"verify_time_s", "1700000000"},
       {"anchor", {{"height", "7"}, {"header", h80}}},
       {"headers", {h80, h80}},
       {"inclusion", {{"txid", h32}, {"branch", {h32, h32}}, {"index", 0}}}},
      {{"version", 1},
       {"family", "ethereum"},
       {"island", "eip155:31337"},
       {"anchor", {{"validators", {a20, a20}}}},
       {"inclusion", {{"kind", "account"}, {"address", a20}, {"balance", "1000000000000000000"}, {"storageHash", h32},
                      {"codeHash", h32}, {"nonce", "1"}}}},
      {{"version", 1},
       {"family", "ethereum"},
       {"island", "eip155:1"},
       {"inclusion", {{"kind", "log"}, {"emitter", a20}, {"topics", {h32, h32}}}}},
      {{"version", 1},
       {"family", "bft"},
       {"codec", "chainmaker/v2"},
       {"island", "chainmkr:chain1"},
       {"anchor", {{"hash", h32}, {"height", "3"}}},
       {"inclusion", {{"kind", "chainmaker-merkle"}, {"path", {h32}}, {"height", "3"}, {"tx_index", "0"}}}},
      {{"version", 1}, {"family", "bft"}, {"codec", "fisco-bcos/v3"}, {"island", "fisco:group0"}},
      {{"version", 1}, {"family", "bft"}, {"codec", "fisco-bcos/v2"}, {"island", "fisco:group0"}},
  };
  const std::vector<std::string> variants = {
      "", "0", "00", "01", "9", "18446744073709551615", "184467440737095516150", "0x", "0X" + std::string(64, 'F'),
      h32, h32 + "0", h32.substr(0, 65), h32 + "\n", "0x" + std::string(63, 'a') + "g", h80, a20, "0x" + std::string(39, 'c'),
      "eip155:1", "eip155:01", "cwdevnet:x", "chainmkr:", "fisco:g", "fisco:" + std::string(65, 'g'),
      "bip122:000000000019d6689c085ae165831e93", "ab:c", "abcdefghi:x", "\xc3\xa9"};
  std::size_t compared = 0, refused = 0;
  for (const auto& doc : docs) {
    const nlohmann::json flat = doc.flatten();
    for (auto it = flat.begin(); it != flat.end(); ++it) {
      if (!it->is_string()) continue;
      for (const auto& v : variants) {
        nlohmann::json d = doc;
        d[nlohmann::json::json_pointer(it.key())] = v;
        const auto fast = validate_against_schema(d, true);
        const auto regex = validate_against_schema(d, false);
        INFO(it.key() << " = \"" << v << "\" in " << doc.dump());
        REQUIRE(fast.has_value() == regex.has_value());
        ++compared;
        if (!fast) {
          ++refused;
          CHECK(fast.error().code == regex.error().code);
          CHECK(fast.error().detail == regex.error().detail);
          CHECK(fast.error().at == regex.error().at);
        }
      }
    }
  }
  CHECK(compared > 1000);
  CHECK(refused > 0);
}

TEST_CASE("schema pattern fast checks: a value failing a pattern keeps valijson's message and location") {
  using causeway::proofs::detail::validate_against_schema;
  const nlohmann::json doc = {{"version", 1}, {"family", "bitcoin"}, {"island", "bip122:x"}, {"network", "regtest"},
                              {"anchor", {{"height", 7}, {"header", "0x" + std::string(160, 'b')}}},
                              {"headers", nlohmann::json::array()},
                              {"inclusion", {{"txid", "0x1234"}}}};
  for (bool fast : {true, false}) {
    const auto r = validate_against_schema(doc, fast);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == causeway::Code::BundleSchema);
    CHECK(r.error().detail == "Failed to match regex specified by 'pattern' constraint.");
    CHECK(r.error().at == "inclusion.txid");
  }
}
