// ethereum/ethereum_tests/RLPTests (SOURCES.md): 28 valid cases encode exactly and decode round-trip;
// 17 invalid cases are all rejected.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "causeway/core/hex.hpp"
#include "causeway/core/rlp.hpp"
#include "vectors.hpp"

using namespace causeway;
using nlohmann::json;

namespace {

// "#<decimal>" → minimal big-endian bytes (schoolbook: multiply-by-10-and-add over a byte vector).
Bytes decimal_to_be(const std::string& dec) {
  Bytes be;  // big-endian, no leading zeros
  for (char ch : dec) {
    REQUIRE((ch >= '0' && ch <= '9'));
    unsigned carry = static_cast<unsigned>(ch - '0');
    for (auto it = be.rbegin(); it != be.rend(); ++it) {
      const unsigned v = *it * 10u + carry;
      *it = static_cast<std::uint8_t>(v & 0xff);
      carry = v >> 8;
    }
    while (carry != 0) {
      be.insert(be.begin(), static_cast<std::uint8_t>(carry & 0xff));
      carry >>= 8;
    }
  }
  return be;
}

Bytes encode_json(const json& in) {
  if (in.is_array()) {
    std::vector<Bytes> items;
    for (const json& e : in) items.push_back(encode_json(e));
    return rlp::encode_list(items);
  }
  if (in.is_number_unsigned() || in.is_number_integer()) return rlp::encode_uint(in.get<std::uint64_t>());
  const std::string s = in.get<std::string>();
  if (!s.empty() && s[0] == '#') return rlp::encode_uint_be(decimal_to_be(s.substr(1)));
  return rlp::encode_bytes(ByteView(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}

// The decoded tree holds what the JSON input says.
bool matches(const json& in, const rlp::Item& item) {
  if (in.is_array()) {
    if (!item.is_list || item.items.size() != in.size()) return false;
    for (std::size_t i = 0; i < in.size(); ++i)
      if (!matches(in[i], item.items[i])) return false;
    return true;
  }
  if (item.is_list) return false;
  if (in.is_number_unsigned() || in.is_number_integer()) {
    auto v = rlp::to_uint64(item);
    return v && *v == in.get<std::uint64_t>();
  }
  const std::string s = in.get<std::string>();
  if (!s.empty() && s[0] == '#') {
    auto v = rlp::to_uint_be(item, 64);
    return v && Bytes(v->begin(), v->end()) == decimal_to_be(s.substr(1));
  }
  return std::string(item.payload.begin(), item.payload.end()) == s;
}

// Re-encodes a decoded tree from its parts.
Bytes reencode(const rlp::Item& item) {
  if (!item.is_list) return rlp::encode_bytes(item.payload);
  std::vector<Bytes> items;
  for (const auto& c : item.items) items.push_back(reencode(c));
  return rlp::encode_list(items);
}

}  // namespace

TEST_CASE("RLPTests/rlptest.json: 28 cases encode exactly and decode round-trip") {
  const json j = causeway::testing::read_vector_json("ethereum/ethereum_tests/RLPTests/rlptest.json");
  int n = 0;
  for (const auto& [name, c] : j.items()) {
    INFO(name);
    ++n;
    const Bytes out = from_hex(c.at("out").get<std::string>()).value();
    CHECK(to_hex(encode_json(c.at("in"))) == to_hex(out));
    auto item = rlp::decode(out);
    REQUIRE(item.has_value());
    CHECK(matches(c.at("in"), *item));
    CHECK(reencode(*item) == out);
  }
  CHECK(n == 28);
}

TEST_CASE("RLPTests/invalidRLPTest.json: all 17 cases are rejected") {
  const json j = causeway::testing::read_vector_json("ethereum/ethereum_tests/RLPTests/invalidRLPTest.json");
  int n = 0;
  for (const auto& [name, c] : j.items()) {
    INFO(name);
    ++n;
    REQUIRE(c.at("in").get<std::string>() == "INVALID");
    std::string hex = c.at("out").get<std::string>();
    if (hex.rfind("0x", 0) == 0) hex = hex.substr(2);  // some cases lack the prefix, one is upper-case
    const Bytes out = from_hex_bare(hex).value();
    auto item = rlp::decode(out);
    CHECK_FALSE(item.has_value());
    if (!item) {
      const Code code = item.error().code;
      CHECK((code == Code::RlpTruncated || code == Code::RlpNonCanonical || code == Code::RlpTrailing));
    }
  }
  CHECK(n == 17);
}
