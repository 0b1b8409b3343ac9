// Unit tests of the Ethereum header codec: fork shapes, canonical encoding, strict decoding, parent links.
// Real-block hashes are in tests/vectors/ethereum/header_vectors_test.cpp.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/core/rlp.hpp"
#include "causeway/ethereum/header.hpp"

using namespace causeway;
using namespace causeway::ethereum;

namespace {

Hash32 filled(std::uint8_t v) {
  Hash32 h;
  h.b.fill(v);
  return h;
}

U256 u256(std::uint64_t v) { return abi::u256_from_u64(v); }

Header frontier_header() {
  Header h;
  h.parent_hash = filled(0x11);
  h.ommers_hash = empty_ommers_hash();
  h.beneficiary.fill(0x22);
  h.state_root = filled(0x33);
  h.transactions_root = empty_trie_root();
  h.receipts_root = empty_trie_root();
  h.logs_bloom[7] = 0x80;
  h.difficulty = u256(0x3ff800000);
  h.number = 1;
  h.gas_limit = 5000;
  h.gas_used = 0;
  h.timestamp_s = 1438269988;
  h.extra_data = {0x47, 0x65, 0x74, 0x68};
  h.mix_hash = filled(0x44);
  h.nonce = {0x53, 0x9b, 0xd4, 0x97, 0x9f, 0xef, 0x1e, 0xc4};
  return h;
}

Header with_shape(HeaderShape s) {
  Header h = frontier_header();
  const auto n = static_cast<int>(s);
  if (n >= 16) h.base_fee_per_gas = u256(7);
  if (n >= 17) h.withdrawals_root = filled(0x55);
  if (n >= 20) {
    h.blob_gas_used = 131072;
    h.excess_blob_gas = 0;
    h.parent_beacon_block_root = Hash32{};  // all-zero is legitimate here (dev chains)
  }
  if (n >= 21) h.requests_hash = filled(0x66);
  if (n >= 16) h.difficulty = U256{};  // post-Merge shape
  return h;
}

// The encoded fields of a header (each a complete RLP item), so tests can replace one and re-wrap.
std::vector<Bytes> field_items(const Header& h) {
  const Bytes enc = encode_header(h).value();
  const auto item = rlp::decode(enc).value();
  std::vector<Bytes> out;
  for (const auto& it : item.items) out.emplace_back(it.raw.begin(), it.raw.end());
  return out;
}

Code decode_error(const std::vector<Bytes>& fields, const HeaderLimits& limits = {}) {
  auto r = decode_header(rlp::encode_list(fields), limits);
  REQUIRE_FALSE(r.has_value());
  return r.error().code;
}

Bytes repeat(std::size_t n, std::uint8_t v) { return Bytes(n, v); }

}  // namespace

TEST_CASE("constants: empty ommers hash is keccak(RLP([])) and empty trie root is keccak(RLP(\"\"))") {
  CHECK(to_hex(empty_ommers_hash().view()) == "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347");
  CHECK(to_hex(empty_trie_root().view()) == "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421");
}

TEST_CASE("fork shapes: each fork's header round-trips with exactly its field count") {
  const HeaderShape shapes[] = {HeaderShape::Frontier, HeaderShape::London, HeaderShape::Shanghai,
                                HeaderShape::Cancun, HeaderShape::Prague};
  int checked = 0;
  for (HeaderShape s : shapes) {
    const Header h = with_shape(s);
    REQUIRE(header_shape(h).value() == s);
    const Bytes enc = encode_header(h).value();
    CHECK(rlp::decode(enc).value().items.size() == static_cast<std::size_t>(s));
    const Header back = decode_header(enc).value();
    CHECK(back == h);
    CHECK(encode_header(back).value() == enc);
    CHECK(header_hash(h).value() == keccak256(enc));
    ++checked;
  }
  CHECK(checked == 5);
}

TEST_CASE("fork shapes: present fields must be a prefix of the fork order") {
  struct Case {
    const char* name;
    Header h;
  };
  std::vector<Case> cases;
  Header h = with_shape(HeaderShape::Frontier);
  h.withdrawals_root = filled(1);
  cases.push_back({"withdrawalsRoot without baseFeePerGas", h});
  h = with_shape(HeaderShape::London);
  h.blob_gas_used = 0;
  h.excess_blob_gas = 0;
  h.parent_beacon_block_root = filled(2);
  cases.push_back({"Cancun fields without Shanghai's withdrawalsRoot", h});
  h = with_shape(HeaderShape::Shanghai);
  h.blob_gas_used = 0;
  cases.push_back({"blobGasUsed alone", h});
  h = with_shape(HeaderShape::Shanghai);
  h.blob_gas_used = 0;
  h.excess_blob_gas = 0;
  cases.push_back({"Cancun without parentBeaconBlockRoot", h});
  h = with_shape(HeaderShape::Shanghai);
  h.parent_beacon_block_root = filled(3);
  cases.push_back({"parentBeaconBlockRoot alone", h});
  h = with_shape(HeaderShape::Shanghai);
  h.requests_hash = filled(4);
  cases.push_back({"requestsHash without Cancun", h});
  h = with_shape(HeaderShape::Frontier);
  h.requests_hash = filled(4);
  cases.push_back({"requestsHash alone", h});
  REQUIRE(cases.size() == 7);
  for (const auto& c : cases) {
    INFO(c.name);
    CHECK(header_shape(c.h).error().code == Code::EthHeader);
    CHECK(encode_header(c.h).error().code == Code::EthHeader);
    CHECK(header_hash(c.h).error().code == Code::EthHeader);
  }
}

TEST_CASE("decode: field counts of no fork shape (14, 18, 19, 22) are rejected") {
  const auto prague = field_items(with_shape(HeaderShape::Prague));
  REQUIRE(prague.size() == 21);
  int checked = 0;
  for (std::size_t n : {14u, 18u, 19u}) {
    std::vector<Bytes> f(prague.begin(), prague.begin() + static_cast<std::ptrdiff_t>(n));
    INFO(n);
    CHECK(decode_error(f) == Code::EthHeader);
    ++checked;
  }
  auto f22 = prague;
  f22.push_back(rlp::encode_bytes(filled(9).view()));
  CHECK(decode_error(f22) == Code::EthHeader);
  ++checked;
  CHECK(checked == 4);
  // and 15/16/17/20/21 decode
  for (std::size_t n : {15u, 16u, 17u, 20u, 21u}) {
    std::vector<Bytes> f(prague.begin(), prague.begin() + static_cast<std::ptrdiff_t>(n));
    CHECK(decode_header(rlp::encode_list(f)).has_value());
  }
}

TEST_CASE("decode: fixed-size fields must have their exact size") {
  const auto base = field_items(with_shape(HeaderShape::Prague));
  struct Case {
    std::size_t index;
    std::size_t bad_size;
    const char* at;
  };
  const Case cases[] = {{0, 31, "parentHash"},     {1, 33, "sha3Uncles"},      {2, 19, "miner"},
                        {2, 21, "miner"},          {3, 0, "stateRoot"},        {4, 31, "transactionsRoot"},
                        {5, 33, "receiptsRoot"},   {6, 255, "logsBloom"},      {6, 257, "logsBloom"},
                        {13, 31, "mixHash"},       {14, 7, "nonce"},           {14, 9, "nonce"},
                        {16, 31, "withdrawalsRoot"}, {19, 33, "parentBeaconBlockRoot"}, {20, 31, "requestsHash"}};
  int checked = 0;
  for (const auto& c : cases) {
    auto f = base;
    f[c.index] = rlp::encode_bytes(repeat(c.bad_size, 0x01));
    auto r = decode_header(rlp::encode_list(f));
    INFO(c.at << " with " << c.bad_size << " bytes");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Code::EthHeader);
    CHECK(r.error().at == c.at);
    ++checked;
  }
  CHECK(checked == 15);
}

TEST_CASE("decode: integers must be canonical and fit their width") {
  const auto base = field_items(with_shape(HeaderShape::Cancun));
  struct Case {
    std::size_t index;
    Bytes item;
    Code code;
    const char* at;
  };
  const std::vector<Case> cases = {
      {8, rlp::encode_bytes(Bytes{0x00, 0x01}), Code::RlpNonCanonical, "number"},        // leading zero
      {8, Bytes{0x00}, Code::RlpNonCanonical, "number"},                                  // zero as 0x00
      {9, rlp::encode_bytes(repeat(9, 0x01)), Code::Overflow, "gasLimit"},               // > 64 bits
      {10, rlp::encode_bytes(Bytes{0x00, 0xff}), Code::RlpNonCanonical, "gasUsed"},
      {11, rlp::encode_bytes(repeat(9, 0xff)), Code::Overflow, "timestamp"},
      {7, rlp::encode_bytes(repeat(33, 0x01)), Code::Overflow, "difficulty"},            // > 256 bits
      {7, rlp::encode_bytes(Bytes{0x00, 0x02}), Code::RlpNonCanonical, "difficulty"},
      {15, rlp::encode_bytes(Bytes{0x00, 0x07}), Code::RlpNonCanonical, "baseFeePerGas"},
      {15, rlp::encode_bytes(repeat(33, 0x01)), Code::Overflow, "baseFeePerGas"},
      {17, rlp::encode_bytes(repeat(9, 0x01)), Code::Overflow, "blobGasUsed"},
      {18, Bytes{0x00}, Code::RlpNonCanonical, "excessBlobGas"},
      {9, Bytes{0x81, 0x05}, Code::RlpNonCanonical, "gasLimit"},  // single byte < 0x80 not as itself (RLP level)
  };
  REQUIRE(cases.size() == 12);
  for (const auto& c : cases) {
    auto f = base;
    f[c.index] = c.item;
    auto r = decode_header(rlp::encode_list(f));
    INFO(c.at << " " << to_hex(c.item));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == c.code);
    if (c.index != 9 || c.code != Code::RlpNonCanonical) CHECK(r.error().at == c.at);
  }
}

TEST_CASE("decode: uint256 fields at full width and uint64 fields at 2^64-1 round-trip") {
  Header h = with_shape(HeaderShape::Cancun);
  h.difficulty.fill(0xff);
  h.base_fee_per_gas = U256{};
  (*h.base_fee_per_gas)[0] = 0x80;
  h.number = UINT64_MAX;
  h.gas_limit = UINT64_MAX;
  h.timestamp_s = UINT64_MAX;
  h.blob_gas_used = UINT64_MAX;
  const Bytes enc = encode_header(h).value();
  CHECK(decode_header(enc).value() == h);
}

TEST_CASE("decode: zero baseFeePerGas is encoded as 0x80 and kept as present") {
  Header h = with_shape(HeaderShape::London);
  h.base_fee_per_gas = U256{};
  const auto f = field_items(h);
  REQUIRE(f.size() == 16);
  CHECK(f[15] == Bytes{0x80});
  const Header back = decode_header(rlp::encode_list(f)).value();
  REQUIRE(back.base_fee_per_gas.has_value());
  CHECK(*back.base_fee_per_gas == U256{});
}

TEST_CASE("decode: extraData bound — 64 KiB default, 1 KiB strict profile") {
  Header h = with_shape(HeaderShape::London);
  h.extra_data = repeat(kStrictMaxExtraData, 0xab);
  Bytes enc = encode_header(h).value();
  CHECK(decode_header(enc, HeaderLimits{kStrictMaxExtraData}).has_value());
  h.extra_data.push_back(0xab);
  enc = encode_header(h).value();
  auto strict = decode_header(enc, HeaderLimits{kStrictMaxExtraData});
  REQUIRE_FALSE(strict.has_value());
  CHECK(strict.error().code == Code::TooLarge);
  CHECK(strict.error().at == "extraData");
  CHECK(decode_header(enc).has_value());  // default: 64 KiB

  h.extra_data = repeat(kDefaultMaxExtraData, 0xcd);
  CHECK(decode_header(encode_header(h).value()).has_value());
  h.extra_data.push_back(0xcd);
  auto big = decode_header(encode_header(h).value());
  REQUIRE_FALSE(big.has_value());
  CHECK(big.error().code == Code::TooLarge);
  CHECK(kDefaultMaxExtraData == 65536);
  CHECK(kStrictMaxExtraData == 1024);
}

TEST_CASE("decode: input size is bounded before parsing") {
  Bytes huge(kHeaderFixedBound + kStrictMaxExtraData + 1, 0x00);
  auto r = decode_header(huge, HeaderLimits{kStrictMaxExtraData});
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Code::TooLarge);
}

TEST_CASE("decode: structural violations are rejected with their codes") {
  const Header h = with_shape(HeaderShape::Shanghai);
  const Bytes enc = encode_header(h).value();
  const auto base = field_items(h);

  Bytes trailing = enc;
  trailing.push_back(0x00);
  CHECK(decode_header(trailing).error().code == Code::RlpTrailing);

  Bytes truncated(enc.begin(), enc.end() - 1);
  CHECK(decode_header(truncated).error().code == Code::RlpTruncated);

  CHECK(decode_header(rlp::encode_bytes(enc)).error().code == Code::EthHeader);  // a string, not a list
  CHECK(decode_header(Bytes{}).error().code == Code::RlpTruncated);

  auto f = base;
  f[12] = rlp::encode_list(std::vector<Bytes>{});  // extraData as a list
  auto r = decode_header(rlp::encode_list(f));
  CHECK(r.error().code == Code::EthHeader);
  CHECK(r.error().at == "extraData");

  f = base;
  f[3] = rlp::encode_list(std::vector<Bytes>{rlp::encode_list(std::vector<Bytes>{})});  // nested list
  CHECK_FALSE(decode_header(rlp::encode_list(f)).has_value());

  // Non-canonical list header: long form for the (≥ 56-byte) header is fine, but a leading zero is not.
  Bytes lead = enc;
  REQUIRE(lead[0] == 0xf9);
  lead.insert(lead.begin() + 1, 0x00);
  lead[0] = 0xfa;
  CHECK(decode_header(lead).error().code == Code::RlpNonCanonical);
}

TEST_CASE("ommers hash: keccak of the RLP list of the ommer headers") {
  CHECK(ommers_hash({}).value() == empty_ommers_hash());
  const Header a = with_shape(HeaderShape::Frontier);
  Header b = a;
  b.number = 2;
  const Header both[] = {a, b};
  const Bytes ea = encode_header(a).value();
  const Bytes eb = encode_header(b).value();
  const Bytes list = rlp::encode_list(std::vector<Bytes>{ea, eb});
  CHECK(ommers_hash(both).value() == keccak256(list));
  const Header swapped[] = {b, a};
  CHECK(ommers_hash(swapped).value() != ommers_hash(both).value());
  Header bad = a;
  bad.requests_hash = filled(1);
  const Header with_bad[] = {a, bad};
  auto r = ommers_hash(with_bad);
  CHECK(r.error().code == Code::EthHeader);
  CHECK(r.error().at == "ommers[1]");
}

TEST_CASE("parent link: hash and number must both follow the parent") {
  const Header parent = with_shape(HeaderShape::Cancun);
  Header child = parent;
  child.parent_hash = header_hash(parent).value();
  child.number = parent.number + 1;
  CHECK(check_parent_link(parent, child).has_value());

  Header wrong_hash = child;
  wrong_hash.parent_hash.b[31] ^= 1;
  CHECK(check_parent_link(parent, wrong_hash).error().code == Code::PrevHashMismatch);

  Header wrong_number = child;
  wrong_number.number = parent.number + 2;
  CHECK(check_parent_link(parent, wrong_number).error().code == Code::EthHeader);

  Header max_parent = parent;
  max_parent.number = UINT64_MAX;
  Header after_max = child;
  after_max.parent_hash = header_hash(max_parent).value();
  after_max.number = 0;
  CHECK(check_parent_link(max_parent, after_max).error().code == Code::EthHeader);

  // Any change to any parent field breaks the link.
  Header mutated = parent;
  mutated.extra_data.push_back(0);
  CHECK(check_parent_link(mutated, child).error().code == Code::PrevHashMismatch);
}
