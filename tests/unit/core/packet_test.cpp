#include <catch2/catch.hpp>

#include <cstring>
#include <string>

#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/core/packet.hpp"

using namespace causeway;
using namespace causeway::packet;

namespace {

Bytes h(const std::string& s) { return from_hex(s).value(); }

Packet sample() {
  Packet p;
  p.source_island = "eip155:31337";
  p.source_genesis.b.fill(0x11);
  p.source_channel = "channel-0";
  p.source_port = "transfer";
  p.dest_island = "cwdevnet:alpha";
  p.dest_genesis.b.fill(0x22);
  p.dest_channel = "channel-3";
  p.dest_port = "transfer";
  p.sequence = 0x0102030405060708ull;
  p.sender = h("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
  p.receiver = h("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
  p.payload = h("0xdeadbeef");
  p.timeout_height = 99;
  p.timeout_timestamp_ns = UINT64_MAX;
  return p;
}

Code decode_error(ByteView b) {
  auto r = decode_packet(b);
  REQUIRE_FALSE(r.has_value());
  return r.error().code;
}

// Word i of the encoding (0 = the leading 0x20 offset, 1.. = the tuple head).
std::uint8_t* word(Bytes& b, std::size_t i) { return b.data() + 32 * i; }

}  // namespace

TEST_CASE("packet encodes as one tuple argument and decodes back to the same fields") {
  const Packet p = sample();
  const Bytes enc = encode_packet(p);
  CHECK(to_hex(ByteView(enc).first(32)) == "0x" + std::string(62, '0') + "20");
  auto dec = decode_packet(enc);
  REQUIRE(dec.has_value());
  CHECK(*dec == p);
  CHECK(commitment(p) == commitment(enc));
}

TEST_CASE("packet decode accepts a mutated encoding only if it re-encodes to the same bytes") {
  // Strictness means one packet has one encoding: flip every byte in turn; whatever still decodes must
  // be exactly the canonical encoding of what it decoded to (so its commitment is its identity).
  const Bytes enc = encode_packet(sample());
  std::size_t accepted = 0;
  for (std::size_t i = 0; i < enc.size(); ++i) {
    Bytes m = enc;
    m[i] ^= 0x01;
    auto dec = decode_packet(m);
    if (dec) {
      ++accepted;
      CHECK(encode_packet(*dec) == m);
    }
  }
  // Only the bytes of values can change and stay valid: a sanity bound that padding/offsets were rejected.
  CHECK(accepted > 0);
  CHECK(accepted < enc.size() / 2);
}

TEST_CASE("packet decode rejects a version other than 1") {
  Bytes enc = encode_packet(sample());
  word(enc, 1)[31] = 2;
  CHECK(decode_error(enc) == Code::PacketInvalid);
  word(enc, 1)[31] = 0;
  CHECK(decode_error(enc) == Code::PacketInvalid);
}

TEST_CASE("packet decode rejects a wrong leading offset, truncation and trailing bytes") {
  Bytes enc = encode_packet(sample());
  Bytes bad = enc;
  word(bad, 0)[31] = 0x40;
  CHECK(decode_error(bad) == Code::AbiDecode);
  CHECK(decode_error(ByteView(enc).first(enc.size() - 1)) == Code::AbiDecode);
  CHECK(decode_error(ByteView(enc).first(enc.size() - 32)) == Code::AbiDecode);
  Bytes longer = enc;
  longer.resize(enc.size() + 32, 0);
  CHECK(decode_error(longer) == Code::AbiDecode);
  CHECK(decode_error({}) == Code::AbiDecode);
}

TEST_CASE("packet decode rejects a sequence wider than uint64 and nonzero string padding") {
  Bytes enc = encode_packet(sample());
  Bytes bad = enc;
  word(bad, 10)[23] = 1;  // field 10 (sequence): bit 64
  CHECK(decode_error(bad) == Code::AbiDecode);
  bad = enc;
  bad.back() = 1;  // padding after the payload
  CHECK(decode_error(bad) == Code::AbiDecode);
}

TEST_CASE("packet decode enforces the documented field bounds") {
  Packet p = sample();
  p.sender = Bytes(kMaxAccountBytes, 1);
  p.receiver = Bytes(kMaxAccountBytes, 2);
  p.source_island = std::string(kMaxStringBytes, 'a');
  p.payload = Bytes(kMaxPayloadBytes, 3);
  REQUIRE(decode_packet(encode_packet(p)).has_value());

  Packet q = sample();
  q.sender = Bytes(kMaxAccountBytes + 1, 1);
  CHECK(decode_error(encode_packet(q)) == Code::TooLarge);
  q = sample();
  q.receiver = Bytes(kMaxAccountBytes + 1, 1);
  CHECK(decode_error(encode_packet(q)) == Code::TooLarge);
  q = sample();
  q.dest_port = std::string(kMaxStringBytes + 1, 'p');
  CHECK(decode_error(encode_packet(q)) == Code::TooLarge);
  q = sample();
  q.payload = Bytes(kMaxPayloadBytes + 1, 3);
  CHECK(decode_error(encode_packet(q)) == Code::TooLarge);
  CHECK(decode_error(Bytes(kMaxPacketBytes + 1, 0)) == Code::TooLarge);
}

TEST_CASE("transfer payload round-trips and is bounded") {
  TransferPayload t;
  t.denom = "transfer/channel-0/sat";
  t.amount = abi::u256_from_u64(21'000'000ull * 100'000'000ull);
  t.sender = {};
  t.receiver = h("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
  t.memo = "hello";
  const Bytes enc = encode_transfer_payload(t);
  CHECK(decode_transfer_payload(enc).value() == t);
  t.receiver = Bytes(65, 1);
  CHECK(decode_transfer_payload(encode_transfer_payload(t)).error().code == Code::TooLarge);
}

TEST_CASE("ack bytes round-trip and reject a success flag other than 0/1") {
  Hash32 c;
  c.b.fill(0xc7);
  const Bytes enc = ack_bytes(c, true, h("0x01"));
  auto a = decode_ack(enc);
  REQUIRE(a.has_value());
  CHECK(a->commitment == c);
  CHECK(a->success);
  CHECK(a->result == h("0x01"));
  CHECK(encode_ack(*a) == enc);
  Bytes bad = enc;
  bad[63] = 2;
  CHECK(decode_ack(bad).error().code == Code::AbiDecode);
}

TEST_CASE("deposit OP_RETURN data takes a receiver of 1 to 64 bytes") {
  const RouteTag route = route_tag("eip155:31338", "transfer", "channel-1");
  auto make = [&](std::size_t n) {
    Bytes d(kDepositMagic.begin(), kDepositMagic.end());
    d.insert(d.end(), route.begin(), route.end());
    d.insert(d.end(), n, 0xab);
    return d;
  };
  CHECK(parse_deposit_op_return(make(0)).error().code == Code::DepositInvalid);
  auto one = parse_deposit_op_return(make(1));
  REQUIRE(one.has_value());
  CHECK(one->receiver == Bytes{0xab});
  CHECK(one->route == route);
  auto max = parse_deposit_op_return(make(64));
  REQUIRE(max.has_value());
  CHECK(max->receiver.size() == 64);
  CHECK(parse_deposit_op_return(make(65)).error().code == Code::DepositInvalid);
  CHECK(parse_deposit_op_return(make(69)).error().code == Code::DepositInvalid);  // 81 bytes > 80
  Bytes wrong_magic = make(20);
  wrong_magic[3] = '2';
  CHECK(parse_deposit_op_return(wrong_magic).error().code == Code::DepositInvalid);
  CHECK(parse_deposit_op_return({}).error().code == Code::DepositInvalid);

  CHECK(deposit_op_return(route, Bytes(1, 0xab)).value() == make(1));
  CHECK(deposit_op_return(route, Bytes(64, 0xab)).value() == make(64));
  CHECK(deposit_op_return(route, {}).error().code == Code::DepositInvalid);
  CHECK(deposit_op_return(route, Bytes(65, 0xab)).error().code == Code::DepositInvalid);
}

TEST_CASE("deposit sequence is height*2^32 + tx_index*2^8 + vout and refuses vout above 255") {
  CHECK(deposit_sequence(1, 2, 3).value() == (1ull << 32) + (2ull << 8) + 3);
  CHECK(deposit_sequence(UINT32_MAX, (1u << 24) - 1, 255).value() == UINT64_MAX);
  CHECK(deposit_sequence(0, 0, 0).value() == 0);
  CHECK(deposit_sequence(840000, 5, 256).error().code == Code::DepositInvalid);
  CHECK(deposit_sequence(840000, 1u << 24, 0).error().code == Code::DepositInvalid);
}

TEST_CASE("timed out uses height and ns time without overflow, up to 2^64-1") {
  constexpr std::uint64_t kMax = UINT64_MAX;  // 18446744073709551615 ns
  // EVM seconds: 18446744073 s × 10^9 < 2^64 − 1 ≤ 18446744074 s × 10^9 (the latter overflows uint64).
  CHECK_FALSE(is_timed_out(0, kMax, 0, 18446744073ull, DestClock::EvmSeconds));
  CHECK(is_timed_out(0, kMax, 0, 18446744074ull, DestClock::EvmSeconds));
  CHECK(is_timed_out(0, kMax, 0, kMax, DestClock::EvmSeconds));
  // Devnet ms: 18446744073709 ms × 10^6 < 2^64 − 1 ≤ 18446744073710 ms × 10^6.
  CHECK_FALSE(is_timed_out(0, kMax, 0, 18446744073709ull, DestClock::DevnetMillis));
  CHECK(is_timed_out(0, kMax, 0, 18446744073710ull, DestClock::DevnetMillis));
  // Exact boundary: the golden packet's 1.8e18 ns.
  CHECK(is_timed_out(0, 1'800'000'000'000'000'000ull, 0, 1'800'000'000ull, DestClock::EvmSeconds));
  CHECK_FALSE(is_timed_out(0, 1'800'000'000'000'000'000ull, 0, 1'799'999'999ull, DestClock::EvmSeconds));
  CHECK(is_timed_out(0, 1'800'000'000'000'000'000ull, 0, 1'800'000'000'000ull, DestClock::DevnetMillis));
  CHECK_FALSE(is_timed_out(0, 1'800'000'000'000'000'000ull, 0, 1'799'999'999'999ull, DestClock::DevnetMillis));
  // Height: at and past the timeout height.
  CHECK_FALSE(is_timed_out(10, 0, 9, kMax, DestClock::EvmSeconds));
  CHECK(is_timed_out(10, 0, 10, 0, DestClock::EvmSeconds));
  CHECK(is_timed_out(kMax, 0, kMax, 0, DestClock::EvmSeconds));
  // Both zero: never.
  CHECK_FALSE(is_timed_out(0, 0, kMax, kMax, DestClock::EvmSeconds));
  Packet p = sample();  // timeout_height 99, timestamp 2^64 − 1
  CHECK_FALSE(is_timed_out(p, 98, 0, DestClock::DevnetMillis));
  CHECK(is_timed_out(p, 99, 0, DestClock::DevnetMillis));
}

TEST_CASE("sth message hash is SHA-256 of domain, big-endian tree size and time, and root") {
  Hash32 root;
  root.b.fill(0x5a);
  const std::string domain = "causeway.sth.v1";
  Bytes msg(domain.begin(), domain.end());
  const Bytes sizes = h("0x0000000000000001000001a3185c5000");  // 1, 1800000000000
  msg.insert(msg.end(), sizes.begin(), sizes.end());
  msg.insert(msg.end(), root.b.begin(), root.b.end());
  CHECK(sth_message_hash(1, 1'800'000'000'000ull, root) == sha256(msg));
  CHECK(sth_message_hash(1'800'000'000'000ull, 1, root) != sha256(msg));
}
