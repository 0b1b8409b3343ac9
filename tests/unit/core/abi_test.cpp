#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include "causeway/core/abi.hpp"
#include "causeway/core/hex.hpp"

using namespace causeway;
using abi::Type;
using abi::Value;

namespace {

Bytes h(const std::string& s) { return from_hex(s).value(); }
std::string w(unsigned v) {  // one 32-byte word holding a small number, as bare hex
  char buf[65];
  std::snprintf(buf, sizeof buf, "%064x", v);
  return buf;
}

// (uint64 a, string s, bool b)
const Type& sample_type() {
  static const Type t = Type::tuple({Type::uint(64), Type::string(), Type::boolean()});
  return t;
}

// Canonical encoding of (5, "abc", true).
std::string sample_hex() {
  return "0x" + w(5) + w(0x60) + w(1) + w(3) + "6162630000000000000000000000000000000000000000000000000000000000";
}

Code decode_error(const Type& t, const std::string& hex_in) {
  const Bytes in = h(hex_in);
  auto r = abi::decode(t, in);
  REQUIRE_FALSE(r.has_value());
  return r.error().code;
}

}  // namespace

TEST_CASE("abi encodes heads in order and dynamic tails at canonical offsets") {
  const Bytes enc = abi::encode(sample_type(), Value::tuple({Value::uint(5), Value::string("abc"), Value::boolean(true)}));
  CHECK(to_hex(enc) == sample_hex());
  auto dec = abi::decode(sample_type(), enc);
  REQUIRE(dec.has_value());
  CHECK(abi::u256_to_u64(dec->as_tuple()[0].as_uint()).value() == 5);
  CHECK(dec->as_tuple()[1].as_string() == "abc");
  CHECK(dec->as_tuple()[2].as_bool());
}

TEST_CASE("abi encodes empty bytes as a lone zero length word") {
  const Type t = Type::tuple({Type::bytes()});
  const Bytes enc = abi::encode(t, Value::tuple({Value::bytes({})}));
  CHECK(to_hex(enc) == "0x" + w(0x20) + w(0));
  CHECK(abi::decode(t, enc).value().as_tuple()[0].as_bytes().empty());
}

TEST_CASE("abi inlines static tuples and offsets dynamic tuples") {
  const Type stat = Type::tuple({Type::tuple({Type::uint(8), Type::bytes32()}), Type::boolean()});
  CHECK_FALSE(stat.is_dynamic());
  CHECK(stat.head_size() == 96);
  Hash32 x;
  x.b.fill(0x11);
  const Value sv = Value::tuple({Value::tuple({Value::uint(7), Value::bytes32(x)}), Value::boolean(false)});
  const Bytes se = abi::encode(stat, sv);
  CHECK(to_hex(se) == "0x" + w(7) + std::string(64, '1') + w(0));
  CHECK(abi::decode(stat, se).has_value());

  const Type dyn = Type::tuple({Type::tuple({Type::uint(8), Type::string()})});
  const Bytes de = abi::encode(dyn, Value::tuple({Value::tuple({Value::uint(1), Value::string("")})}));
  CHECK(to_hex(de) == "0x" + w(0x20) + w(1) + w(0x40) + w(0));
  CHECK(abi::decode(dyn, de).has_value());
}

TEST_CASE("abi strict decode rejects an offset that is not where a canonical encoder puts the tail") {
  // Points past the tail, before the head end, and into the tail by one word.
  CHECK(decode_error(sample_type(), "0x" + w(5) + w(0x80) + w(1) + w(3) + w(0) + w(0)) == Code::AbiDecode);
  CHECK(decode_error(sample_type(), "0x" + w(5) + w(0x40) + w(1) + w(3) + w(0)) == Code::AbiDecode);
  CHECK(decode_error(sample_type(), "0x" + w(5) + w(0x61) + w(1) + w(3) + w(0)) == Code::AbiDecode);
  // Offset with a high bit set.
  CHECK(decode_error(sample_type(), "0x" + w(5) + "8" + w(0x60).substr(1) + w(1) + w(3) + w(0)) == Code::AbiDecode);
}

TEST_CASE("abi strict decode rejects nonzero padding after bytes") {
  std::string bad = sample_hex();
  bad[bad.size() - 1] = '1';
  CHECK(decode_error(sample_type(), bad) == Code::AbiDecode);
}

TEST_CASE("abi strict decode rejects uintN values that do not fit N bits") {
  // uint64 with bit 64 set.
  CHECK(decode_error(sample_type(), "0x" + w(0).substr(0, 46) + "01" + w(5).substr(48) + w(0x60) + w(1) + w(3) +
                                        "6162630000000000000000000000000000000000000000000000000000000000") ==
        Code::AbiDecode);
  const Type u8 = Type::tuple({Type::uint(8)});
  CHECK(abi::decode(u8, h("0x" + w(255))).has_value());
  CHECK(decode_error(u8, "0x" + w(256)) == Code::AbiDecode);
  const Type u256 = Type::tuple({Type::uint(256)});
  CHECK(abi::decode(u256, h("0x" + std::string(64, 'f'))).has_value());
}

TEST_CASE("abi strict decode rejects bool other than 0 or 1") {
  const Type b = Type::tuple({Type::boolean()});
  CHECK(abi::decode(b, h("0x" + w(0))).has_value());
  CHECK(abi::decode(b, h("0x" + w(1))).has_value());
  CHECK(decode_error(b, "0x" + w(2)) == Code::AbiDecode);
  CHECK(decode_error(b, "0x" + w(0x100)) == Code::AbiDecode);
}

TEST_CASE("abi strict decode rejects truncated input") {
  std::string s = sample_hex();
  CHECK(decode_error(sample_type(), s.substr(0, s.size() - 2)) == Code::AbiDecode);   // one byte short
  CHECK(decode_error(sample_type(), s.substr(0, s.size() - 64)) == Code::AbiDecode);  // tail data missing
  CHECK(decode_error(sample_type(), s.substr(0, 2 + 64 * 2)) == Code::AbiDecode);     // head cut
  CHECK(decode_error(sample_type(), "0x") == Code::AbiDecode);
  // A length beyond the input, including one near 2^255, is refused before anything is copied.
  CHECK(decode_error(sample_type(), "0x" + w(5) + w(0x60) + w(1) + w(33) + w(0)) == Code::AbiDecode);
  CHECK(decode_error(sample_type(), "0x" + w(5) + w(0x60) + w(1) + "7f" + std::string(62, 'f') + w(0)) ==
        Code::AbiDecode);
}

TEST_CASE("abi strict decode rejects trailing data") {
  CHECK(decode_error(sample_type(), sample_hex() + w(0)) == Code::AbiDecode);
  CHECK(decode_error(sample_type(), sample_hex() + "00") == Code::AbiDecode);
}

TEST_CASE("abi u256 helpers convert only values that fit") {
  CHECK(abi::u256_to_u64(abi::u256_from_u64(UINT64_MAX)).value() == UINT64_MAX);
  abi::U256 big{};
  big[23] = 1;
  CHECK(abi::u256_to_u64(big).error().code == Code::Overflow);
}

TEST_CASE("uint256 decimal strings round-trip and reject non-canonical forms") {
  using namespace causeway;
  CHECK(abi::u256_to_decimal(abi::u256_from_u64(0)) == "0");
  CHECK(abi::u256_to_decimal(abi::u256_from_u64(1000000000000000000ull)) == "1000000000000000000");
  abi::U256 max;
  max.fill(0xff);
  const std::string max_dec = "115792089237316195423570985008687907853269984665640564039457584007913129639935";
  CHECK(abi::u256_to_decimal(max) == max_dec);
  CHECK(abi::u256_from_decimal(max_dec).value() == max);
  CHECK(abi::u256_from_decimal("309485009821345068724793401").has_value());
  CHECK(abi::u256_to_decimal(*abi::u256_from_decimal("309485009821345068724793401")) == "309485009821345068724793401");
  CHECK(abi::u256_from_decimal("115792089237316195423570985008687907853269984665640564039457584007913129639936")
            .error().code == Code::Overflow);
  CHECK(abi::u256_from_decimal("").error().code == Code::InvalidArgument);
  CHECK(abi::u256_from_decimal("01").error().code == Code::InvalidArgument);
  CHECK(abi::u256_from_decimal("-1").error().code == Code::InvalidArgument);
  CHECK(abi::u256_from_decimal("1e3").error().code == Code::InvalidArgument);
}
