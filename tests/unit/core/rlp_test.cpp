#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "causeway/core/hex.hpp"
#include "causeway/core/rlp.hpp"

using namespace causeway;

namespace {

Bytes h(const std::string& s) { return from_hex(s).value(); }
std::string hx(ByteView v) { return to_hex(v); }
Bytes str(const std::string& s) { return Bytes(s.begin(), s.end()); }

Code decode_error(const std::string& hex_in, std::size_t max_depth = rlp::kDefaultMaxDepth) {
  const Bytes in = h(hex_in);
  auto r = rlp::decode(in, max_depth);
  REQUIRE_FALSE(r.has_value());
  return r.error().code;
}

}  // namespace

TEST_CASE("rlp encodes strings with the Yellow Paper appendix B prefixes") {
  CHECK(hx(rlp::encode_bytes({})) == "0x80");
  CHECK(hx(rlp::encode_bytes(h("0x00"))) == "0x00");
  CHECK(hx(rlp::encode_bytes(h("0x7f"))) == "0x7f");
  CHECK(hx(rlp::encode_bytes(h("0x80"))) == "0x8180");
  CHECK(hx(rlp::encode_bytes(str("dog"))) == "0x83646f67");
  const Bytes s55(55, 0xaa), s56(56, 0xaa), s256(256, 0xaa);
  CHECK(hx(rlp::encode_bytes(s55)).substr(0, 6) == "0xb7aa");
  CHECK(hx(rlp::encode_bytes(s56)).substr(0, 8) == "0xb838aa");
  CHECK(hx(rlp::encode_bytes(s256)).substr(0, 10) == "0xb90100aa");
  CHECK(rlp::encode_bytes(s56).size() == 58);
}

TEST_CASE("rlp encodes integers minimally with zero as the empty string") {
  CHECK(hx(rlp::encode_uint(0)) == "0x80");
  CHECK(hx(rlp::encode_uint(1)) == "0x01");
  CHECK(hx(rlp::encode_uint(127)) == "0x7f");
  CHECK(hx(rlp::encode_uint(128)) == "0x8180");
  CHECK(hx(rlp::encode_uint(1024)) == "0x820400");
  CHECK(hx(rlp::encode_uint(UINT64_MAX)) == "0x88ffffffffffffffff");
  CHECK(hx(rlp::encode_uint_be(h("0x0000000400"))) == "0x820400");
  CHECK(hx(rlp::encode_uint_be(h("0x0000"))) == "0x80");
}

TEST_CASE("rlp encodes lists with short and long headers") {
  const std::vector<Bytes> items = {rlp::encode_bytes(str("cat")), rlp::encode_bytes(str("dog"))};
  CHECK(hx(rlp::encode_list(items)) == "0xc88363617483646f67");
  CHECK(hx(rlp::encode_list(std::vector<Bytes>{})) == "0xc0");
  CHECK(hx(rlp::wrap_list(Bytes(56, 0x01))).substr(0, 8) == "0xf83801");
}

TEST_CASE("rlp decode round-trips every encoding and exposes views into the input") {
  const std::vector<std::string> cases = {"0x80", "0x00", "0x7f", "0x8180", "0x83646f67", "0xc0",
                                          "0xc88363617483646f67", "0xc7c0c1c0c3c0c1c0", "0x88ffffffffffffffff"};
  for (const auto& c : cases) {
    const Bytes in = h(c);
    auto item = rlp::decode(in);
    REQUIRE(item.has_value());
    CHECK(item->raw.data() == in.data());
    CHECK(item->raw.size() == in.size());
  }
  const Bytes list = h("0xc88363617483646f67");
  auto item = rlp::decode(list).value();
  REQUIRE(item.is_list);
  REQUIRE(item.items.size() == 2);
  CHECK(std::string(item.items[1].payload.begin(), item.items[1].payload.end()) == "dog");
  CHECK(item.items[0].payload.data() == list.data() + 2);

  const Bytes long_str = rlp::encode_bytes(Bytes(1000, 0x5a));
  auto ls = rlp::decode(long_str).value();
  CHECK(ls.payload.size() == 1000);
  CHECK_FALSE(ls.is_list);
}

TEST_CASE("rlp rejects a single byte below 0x80 wrapped as 0x81xx") {
  CHECK(decode_error("0x8100") == Code::RlpNonCanonical);
  CHECK(decode_error("0x817f") == Code::RlpNonCanonical);
  CHECK(rlp::decode(h("0x8180")).has_value());
}

TEST_CASE("rlp rejects the long form for payloads below 56 bytes") {
  CHECK(decode_error("0xb801ff") == Code::RlpNonCanonical);
  CHECK(decode_error("0xb837" + std::string(110, 'a')) == Code::RlpNonCanonical);
  CHECK(decode_error("0xf803112233") == Code::RlpNonCanonical);
}

TEST_CASE("rlp rejects leading zeros in a long-form length") {
  CHECK(decode_error("0xb800") == Code::RlpNonCanonical);
  CHECK(decode_error("0xb90040" + std::string(128, 'a')) == Code::RlpNonCanonical);
  CHECK(decode_error("0xf800") == Code::RlpNonCanonical);
}

TEST_CASE("rlp rejects a length-of-length that overflows") {
  CHECK(decode_error("0xbfffffffffffffffff") == Code::RlpNonCanonical);
  CHECK(decode_error("0xffffffffffffffffff") == Code::RlpNonCanonical);
}

TEST_CASE("rlp rejects truncation without allocating by the declared length") {
  CHECK(decode_error("0x") == Code::RlpTruncated);
  CHECK(decode_error("0x83646f") == Code::RlpTruncated);
  CHECK(decode_error("0xb9") == Code::RlpTruncated);
  CHECK(decode_error("0xb901") == Code::RlpTruncated);
  CHECK(decode_error("0xbf0f000000000000021111") == Code::RlpTruncated);  // declares ~2^60 bytes
  CHECK(decode_error("0xc38080") == Code::RlpTruncated);
  // A child that runs past the end of its list (though not of the input) is truncated too.
  CHECK(decode_error("0xc283646f6780") == Code::RlpTruncated);
}

TEST_CASE("rlp rejects trailing bytes after the item") {
  CHECK(decode_error("0x8000") == Code::RlpTrailing);
  CHECK(decode_error("0xc0c0") == Code::RlpTrailing);
  std::size_t consumed = 0;
  const Bytes two = h("0x83646f6780");
  REQUIRE(rlp::decode_prefix(two, consumed).has_value());
  CHECK(consumed == 4);
}

TEST_CASE("rlp rejects nesting deeper than max_depth") {
  // depth d = d nested lists: [[[...[]...]]].
  auto nested = [](std::size_t d) {
    Bytes b = rlp::wrap_list({});
    for (std::size_t i = 1; i < d; ++i) b = rlp::wrap_list(b);
    return b;
  };
  CHECK(rlp::decode(nested(32)).has_value());
  auto deep = rlp::decode(nested(33));
  REQUIRE_FALSE(deep.has_value());
  CHECK(deep.error().code == Code::TooLarge);
  CHECK(rlp::decode(nested(3), 2).error().code == Code::TooLarge);
  CHECK(rlp::decode(nested(2000)).error().code == Code::TooLarge);  // refused before deep recursion
}

TEST_CASE("rlp integers are canonical: no leading zero, at most the type width, not a list") {
  std::vector<Bytes> keep;  // items are views: keep their input alive (moves keep the buffers)
  keep.reserve(16);
  auto item = [&keep](const std::string& s) {
    keep.push_back(h(s));
    return rlp::decode(keep.back()).value();
  };
  CHECK(rlp::to_uint64(item("0x80")).value() == 0);
  CHECK(rlp::to_uint64(item("0x7f")).value() == 127);
  CHECK(rlp::to_uint64(item("0x820400")).value() == 1024);
  CHECK(rlp::to_uint64(item("0x88ffffffffffffffff")).value() == UINT64_MAX);
  CHECK(rlp::to_uint64(item("0x00")).error().code == Code::RlpNonCanonical);
  CHECK(rlp::to_uint64(item("0x820001")).error().code == Code::RlpNonCanonical);
  CHECK(rlp::to_uint64(item("0x89010000000000000000")).error().code == Code::Overflow);
  CHECK(rlp::to_uint64(item("0xc0")).error().code == Code::RlpType);
  CHECK(rlp::to_uint_be(item("0x89010000000000000000")).value().size() == 9);
  CHECK(rlp::to_uint_be(item("0x89010000000000000000"), 8).error().code == Code::Overflow);
}
