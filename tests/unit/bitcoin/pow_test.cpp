// Unit tests of the Bitcoin PoW primitives: U256, compact bits, work, header codec, params, retarget.
#include <catch2/catch.hpp>

#include "causeway/bitcoin/header.hpp"
#include "causeway/bitcoin/params.hpp"
#include "causeway/bitcoin/pow.hpp"
#include "causeway/bitcoin/uint256.hpp"
#include "causeway/core/hex.hpp"
#include "test_support.hpp"

using namespace causeway;
using namespace causeway::bitcoin;

namespace {

U256 H(const char* hex) { return U256::from_hex(hex).value(); }
std::string display(const Hash32& h) { return to_hex_bare(h.reversed().view()); }

constexpr const char* kMainnetGenesisHeader =
    "0x0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f61"
    "7fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c";

}  // namespace

TEST_CASE("U256 shifts, adds, subtracts, compares and prints in hex and decimal") {
  const U256 one(1);
  CHECK((one << 255).to_hex() == "8000000000000000000000000000000000000000000000000000000000000000");
  CHECK(((one << 255) >> 255) == one);
  CHECK((one << 256).is_zero());
  CHECK((H("ffffffffffffffff") + one).to_hex() == "0000000000000000000000000000000000000000000000010000000000000000");
  CHECK((U256{} - one) == ~U256{});
  CHECK(H("10000000000000000") - one == H("ffffffffffffffff"));
  CHECK(H("123456789abcdef0123456789abcdef0") > H("123456789abcdef0123456789abcdeef"));
  CHECK((one << 200).bits() == 201);
  CHECK(U256{}.bits() == 0);
  CHECK((~U256{}).to_decimal() ==
        "115792089237316195423570985008687907853269984665640564039457584007913129639935");
  CHECK(U256(1234567890123456789ULL).to_decimal() == "1234567890123456789");
  CHECK_FALSE(U256::from_hex("0xg1").has_value());
  CHECK_FALSE(U256::from_hex(std::string(65, '1')).has_value());
  const Hash32 le = H("00000000000000000000000000000000000000000000000000000000000000ab").to_le();
  CHECK(le.b[0] == 0xab);
  CHECK(U256::from_le(le) == U256(0xab));
}

TEST_CASE("U256 division is exact and mul_div never overflows with a 320-bit intermediate") {
  CHECK(H("ffffffffffffffffffffffffffffffff") / H("ffffffffffffffff") == H("10000000000000001"));
  CHECK((~U256{}) / U256(3) == H("5555555555555555555555555555555555555555555555555555555555555555"));
  CHECK(U256(7) / U256(8) == U256{});
  CHECK(U256(7) / U256{} == U256{});
  const U256 regtest_limit = H("7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
  // × 2400 / 9600 = ÷ 4 exactly although the product needs 267 bits.
  CHECK(regtest_limit.mul_div(2400, 9600).value() ==
        H("1fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"));
  CHECK_FALSE(regtest_limit.mul_div(4, 1).has_value());  // 2^257: does not fit
  CHECK_FALSE(regtest_limit.mul_div(1, 0).has_value());
}

TEST_CASE("compact bits decode with Bitcoin Core's SetCompact rules (sign, overflow, zero)") {
  struct Case {
    std::uint32_t bits;
    const char* target;
    bool negative, overflow;
  };
  const Case cases[] = {
      {0x00000000, "0", false, false},        {0x00123456, "0", false, false},
      {0x01003456, "0", false, false},        {0x02000056, "0", false, false},
      {0x03000000, "0", false, false},        {0x04000000, "0", false, false},
      {0x00923456, "0", false, false},        {0x01803456, "0", false, false},
      {0x01123456, "12", false, false},       {0x01fedcba, "7e", true, false},
      {0x02123456, "1234", false, false},     {0x03123456, "123456", false, false},
      {0x04123456, "12345600", false, false}, {0x04923456, "12345600", true, false},
      {0x05009234, "92340000", false, false}, {0x1d00ffff, "ffff0000000000000000000000000000000000000000000000000000", false, false},
      {0xff123456, "0", false, true},
  };
  for (const Case& c : cases) {
    INFO("bits " << c.bits);
    const CompactTarget t = decode_compact(c.bits);
    CHECK(t.target == H(c.target));
    CHECK(t.negative == c.negative);
    CHECK(t.overflow == c.overflow);
  }
}

TEST_CASE("compact bits encode with GetCompact, truncating to three significant bytes") {
  CHECK(bits_from_target(H("12")) == 0x01120000u);
  CHECK(bits_from_target(H("80")) == 0x02008000u);
  CHECK(bits_from_target(H("1234")) == 0x02123400u);
  CHECK(bits_from_target(H("123456")) == 0x03123456u);
  CHECK(bits_from_target(H("12345600")) == 0x04123456u);
  CHECK(bits_from_target(H("92340000")) == 0x05009234u);
  CHECK(bits_from_target(H("123456789a")) == 0x05123456u);  // truncates
  CHECK(bits_from_target(H("ffff0000000000000000000000000000000000000000000000000000")) == 0x1d00ffffu);
  CHECK(bits_from_target(H("7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")) == 0x207fffffu);
  CHECK(bits_from_target(U256{}) == 0u);
}

TEST_CASE("A13 compact bits with a zero or negative target (0x01003456, 0x04923456) are rejected") {
  const U256& limit = mainnet_params().pow_limit;
  CHECK(target_from_bits(0x01003456, limit).error().code == Code::BadTarget);
  CHECK(target_from_bits(0x04923456, limit).error().code == Code::BadTarget);
  CHECK(target_from_bits(0x00000000, limit).error().code == Code::BadTarget);
  CHECK(target_from_bits(0xff123456, limit).error().code == Code::BadTarget);  // overflow
  CHECK(target_from_bits(0x1d010000, limit).error().code == Code::BadTarget);  // above the pow limit
  CHECK(target_from_bits(0x1d00ffff, limit).value() == H("ffff0000000000000000000000000000000000000000000000000000"));
  CHECK(check_pow(Hash32{}, 0x04923456, mainnet_params()).error().code == Code::BadTarget);
}

TEST_CASE("work = 2^256 / (target + 1)") {
  CHECK(work_from_target(decode_compact(0x1d00ffff).target) == U256(0x100010001ULL));
  CHECK(work_from_target(decode_compact(0x207fffff).target) == U256(2));
  CHECK(work_from_target(~U256{}) == U256(1));
  CHECK(work_from_target(U256(1)) == (U256(1) << 255));
  CHECK(work_from_target(U256{}) == U256{});
}

TEST_CASE("header codec: exactly 80 bytes, fields little-endian, hash = SHA256d, display reversed") {
  const Bytes raw = from_hex(kMainnetGenesisHeader).value();
  const Header h = decode_header(raw).value();
  CHECK(h.version == 1);
  CHECK(h.prev_hash.is_zero());
  CHECK(display(h.merkle_root) == "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b");
  CHECK(h.time_s == 1231006505u);
  CHECK(h.bits == 0x1d00ffffu);
  CHECK(h.nonce == 2083236893u);
  const RawHeader again = encode_header(h);
  CHECK(Bytes(again.begin(), again.end()) == raw);
  CHECK(display(header_hash(h)) == "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f");
  CHECK(header_hash(ByteView(raw)) == header_hash(h));
  Bytes short_raw(raw.begin(), raw.end() - 1);
  Bytes long_raw = raw;
  long_raw.push_back(0);
  CHECK(decode_header(short_raw).error().code == Code::HeaderEncoding);
  CHECK(decode_header(long_raw).error().code == Code::HeaderEncoding);
  CHECK(decode_header({}).error().code == Code::HeaderEncoding);
  Header neg = h;
  neg.version = -2;
  CHECK(decode_header(encode_header(neg)).value().version == -2);
}

TEST_CASE("network params by name, with each network's genesis hash and pow limit") {
  struct Net {
    const char* name;
    const char* genesis;
    std::uint32_t limit_bits;
  };
  const Net nets[] = {
      {"mainnet", "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f", 0x1d00ffff},
      {"testnet3", "000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943", 0x1d00ffff},
      {"testnet4", "00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043", 0x1d00ffff},
      {"signet", "00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6", 0x1e0377ae},
      {"regtest", "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206", 0x207fffff},
  };
  for (const Net& n : nets) {
    INFO(n.name);
    const Params* p = params_by_name(n.name).value();
    CHECK(p->name == n.name);
    CHECK(display(p->genesis_hash) == n.genesis);
    CHECK(bits_from_target(p->pow_limit) == n.limit_bits);
    CHECK(p->interval() == 2016);
  }
  CHECK(testnet3_params().allow_min_difficulty_blocks);
  CHECK_FALSE(testnet3_params().enforce_bip94);
  CHECK(testnet4_params().allow_min_difficulty_blocks);
  CHECK(testnet4_params().enforce_bip94);
  CHECK(regtest_params().no_retargeting);
  CHECK_FALSE(mainnet_params().allow_min_difficulty_blocks);
  CHECK(params_by_name("bitcoin").error().code == Code::UnknownNetwork);
  CHECK(params_by_name("Mainnet").error().code == Code::UnknownNetwork);
  CHECK(params_by_name("").error().code == Code::UnknownNetwork);
}

TEST_CASE("genesis headers of regtest, testnet3 and signet hash to their params' genesis") {
  Header g = decode_header(from_hex(kMainnetGenesisHeader).value()).value();
  g.time_s = 1296688602;
  g.bits = 0x207fffff;
  g.nonce = 2;
  CHECK(header_hash(g) == regtest_params().genesis_hash);
  CHECK(check_pow(header_hash(g), g.bits, regtest_params()));
  g.bits = 0x1d00ffff;
  g.nonce = 414098458;
  CHECK(header_hash(g) == testnet3_params().genesis_hash);
  CHECK(check_pow(header_hash(g), g.bits, testnet3_params()));
  g.time_s = 1598918400;
  g.bits = 0x1e0377ae;
  g.nonce = 52613770;
  CHECK(header_hash(g) == signet_params().genesis_hash);
  CHECK(check_pow(header_hash(g), g.bits, signet_params()));
}

TEST_CASE("retarget = Bitcoin Core CalculateNextWorkRequired, with the T/4..4T clamp and the pow-limit cap") {
  const Params& m = mainnet_params();
  // Bitcoin Core src/test/pow_tests.cpp.
  CHECK(calculate_next_work_required(0x1d00ffff, 1262152739, 1261130161, m) == 0x1d00d86au);  // get_next_work
  CHECK(calculate_next_work_required(0x1d00ffff, 1233061996, 1231006505, m) == 0x1d00ffffu);  // capped at limit
  CHECK(calculate_next_work_required(0x1c05a3f4, 1279297671, 1279008237, m) == 0x1c0168fdu);  // clamp T/4
  CHECK(calculate_next_work_required(0x1c387f6f, 1269211443, 1263163443, m) == 0x1d00e1fdu);  // clamp 4T
  // Without the clamp the T/4 case would give other bits.
  const U256 unclamped = decode_compact(0x1c05a3f4).target.mul_div(1279297671 - 1279008237, 1209600).value();
  CHECK(bits_from_target(unclamped) != 0x1c0168fdu);
  // Regtest's limit × 4T does not overflow: the result is capped at the limit.
  const Params t = test::retarget16_params();
  CHECK(calculate_next_work_required(0x207fffff, 100000, 0, t) == 0x207fffffu);
  CHECK(calculate_next_work_required(0x207fffff, 15, 0, t) == 0x201fffffu);  // ÷ 4 then GetCompact
  CHECK(calculate_next_work_required(0x1d00ffff, 1, 0, regtest_params()) == 0x1d00ffffu);  // no retargeting
}
