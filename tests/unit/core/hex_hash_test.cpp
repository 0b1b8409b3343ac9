#include <catch2/catch.hpp>

#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"

using namespace causeway;

TEST_CASE("hex requires 0x prefix and even digits, decodes either case, encodes lowercase") {
  REQUIRE(to_hex(*from_hex("0xABcd")) == "0xabcd");
  CHECK(from_hex("abcd").error().code == Code::BadHex);
  CHECK(from_hex("0xabc").error().code == Code::BadHex);
  CHECK(from_hex("0xzz").error().code == Code::BadHex);
  CHECK(from_hex("0x").value().empty());
  CHECK(from_hex("0xaabb", 1).error().code == Code::TooLarge);
  CHECK(hash_from_hex("0x00").error().code == Code::BadLength);
}

TEST_CASE("hash functions match their standard test values") {
  const std::string abc = "abc";
  ByteView v(reinterpret_cast<const std::uint8_t*>(abc.data()), abc.size());
  CHECK(to_hex(sha256(v).view()) == "0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(to_hex(keccak256(v).view()) == "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
  CHECK(to_hex(sm3(v).view()) == "0x66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
  CHECK(to_hex(keccak256({}).view()) == "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  CHECK(to_hex(sha256d({}).view()) == "0x5df6e0e2761359d30a8275058e299fcc0381534545f55cf43e41983f5d4c9456");
}
