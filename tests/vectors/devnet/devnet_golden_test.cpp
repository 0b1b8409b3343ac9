// ../shared/vectors/packet/golden-v1.json reproduced by the devnet's endpoint module (PACKET.md): the packet a
// send_transfer emits, the golden attestation accepted by recv_packet, the success ack it writes, the golden ack
// attestation accepted by acknowledge_packet, and a signature over the golden timeout digest accepted by
// timeout_packet. The test chains take the golden islands, genesis hashes and endpoint ids (test-only overrides).
#include <catch2/catch.hpp>

#include "causeway/core/hex.hpp"
#include "fixture.hpp"
#include "vectors.hpp"

using namespace devnettest;
using nlohmann::json;

namespace {

Bytes hex(const json& j) { return from_hex(j.get<std::string>()).value(); }
Hash32 h32(const json& j) { return hash_from_hex(j.get<std::string>()).value(); }
U256 dec(const json& j) { return abi::u256_from_decimal(j.get<std::string>()).value(); }

std::array<std::uint8_t, 65> rsv(const json& j) {
  std::array<std::uint8_t, 65> out{};
  const Bytes b = hex(j);
  REQUIRE(b.size() == 65);
  std::copy(b.begin(), b.end(), out.begin());
  return out;
}

struct Golden {
  json g = causeway::testing::read_vector_json("packet/golden-v1.json");
  const json& f = g["packet_fields"];
  const json& t = g["transfer_payload_fields"];
};

Address signer(const Golden& v) { return parse_address(v.g["attestation"]["signer_address"].get<std::string>()).value(); }

// The source chain as the golden packet names it: island eip155:31337, genesis 0x11…, channel-0 → eip155:31338,
// next sequence 7, endpoint id = the golden ack's source_endpoint, committee = the golden signer.
TestChain source_chain(const Golden& v, bft::Suite s) {
  Genesis gen = test_genesis("source", s);
  gen.committee.members = {signer(v)};
  gen.balances[dev_hex(0)][v.t["denom"].get<std::string>()] = dec(v.t["amount"]);
  Channel ch;
  ch.channel_id = v.f["source_channel"];
  ch.port = v.f["source_port"];
  ch.counterparty_island = v.f["dest_island"];
  ch.counterparty_genesis = h32(v.f["dest_genesis"]);
  ch.counterparty_channel = v.f["dest_channel"];
  ch.counterparty_port = v.f["dest_port"];
  ch.next_send_sequence = std::stoull(v.f["sequence"].get<std::string>());
  gen.channels = {ch};
  ChainOptions o;
  o.island_override = v.f["source_island"].get<std::string>();
  o.genesis_hash_override = h32(v.f["source_genesis"]);
  o.endpoint_override = hex(v.g["ack"]["source_endpoint"]);
  return TestChain::make(gen, o);
}

TestChain dest_chain(const Golden& v, bft::Suite s) {
  Genesis gen = test_genesis("dest", s);
  gen.committee.members = {signer(v)};
  Channel ch;
  ch.channel_id = v.f["dest_channel"];
  ch.port = v.f["dest_port"];
  ch.counterparty_island = v.f["source_island"];
  ch.counterparty_genesis = h32(v.f["source_genesis"]);
  ch.counterparty_channel = v.f["source_channel"];
  ch.counterparty_port = v.f["source_port"];
  gen.channels = {ch};
  ChainOptions o;
  o.island_override = v.f["dest_island"].get<std::string>();
  o.genesis_hash_override = h32(v.f["dest_genesis"]);
  o.endpoint_override = hex(v.g["attestation"]["dest_endpoint"]);
  return TestChain::make(gen, o);
}

Bytes send_golden(const Golden& v, TestChain& src) {
  REQUIRE(dev_hex(0) == v.f["sender"].get<std::string>());  // the golden sender is dev account 0
  auto h = src.submit(TxKind::SendTransfer,
                      encode_body(SendTransferBody{v.f["source_channel"], v.t["denom"], dec(v.t["amount"]),
                                                   hex(v.t["receiver"]), v.t["memo"],
                                                   std::stoull(v.f["timeout_height"].get<std::string>()),
                                                   std::stoull(v.f["timeout_timestamp_ns"].get<std::string>())}));
  REQUIRE(h);
  auto b = src.block();
  REQUIRE(src.receipt(*h).success);
  auto sent = leaves_of(src, b.height, 0x01);
  REQUIRE(sent.size() == 1);
  return sent[0];
}

Result<Hash32> recv(TestChain& dst, const Bytes& pkt, std::uint64_t idx, const std::array<std::uint8_t, 65>& sig) {
  return dst.submit(TxKind::RecvPacket, encode_body(RecvPacketBody{pkt, {Attestation{idx, sig}}}), 3);
}

}  // namespace

TEST_CASE("devnet golden-v1: send_transfer emits the golden packet bytes and commitment (0x01 leaf)") {
  Golden v;
  for (auto s : {bft::Suite::Secp256k1Sha256, bft::Suite::Sm2Sm3}) {
    auto src = source_chain(v, s);
    const Bytes pkt = send_golden(v, src);
    CHECK(pkt == hex(v.g["packet_bytes"]));
    CHECK(packet::commitment(pkt) == h32(v.g["commitment"]));
    CHECK(packet::decode_packet(pkt)->payload == hex(v.f["payload"]));
    CHECK(src.balance(escrow_account("channel-0"), v.t["denom"]) == dec(v.t["amount"]));
    CHECK(src.balance(0, v.t["denom"]) == U256{});
  }
}

TEST_CASE("devnet golden-v1: recv_packet accepts the golden attestation and writes the golden success ack") {
  Golden v;
  for (auto s : {bft::Suite::Secp256k1Sha256, bft::Suite::Sm2Sm3}) {
    auto dst = dest_chain(v, s);
    const Bytes pkt = hex(v.g["packet_bytes"]);
    const std::uint64_t idx = std::stoull(v.g["attestation"]["audit_index"].get<std::string>());
    const auto sig = rsv(v.g["attestation"]["signature_rsv"]);
    CHECK(packet::attestation_digest(dst.chain->island(), dst.chain->genesis_hash(), dst.chain->endpoint_id(),
                                     packet::commitment(pkt), idx) == h32(v.g["attestation"]["digest"]));
    // Another audit index changes the digest: the golden signature then recovers to a non-member.
    auto wrong = recv(dst, pkt, idx + 1, sig);
    REQUIRE_FALSE(wrong);
    CHECK(wrong.error().code == Code::NotValidator);
    auto h = recv(dst, pkt, idx, sig);
    REQUIRE(h);
    auto b = dst.block();
    REQUIRE(dst.receipt(*h).success);
    auto acks = leaves_of(dst, b.height, 0x02);
    REQUIRE(acks.size() == 1);
    CHECK(acks[0] == hex(v.g["ack"]["ack_bytes"]));
    CHECK(packet::ack_commitment(acks[0]) == h32(v.g["ack"]["ack_commitment"]));
    auto recvd = leaves_of(dst, b.height, 0x03);
    REQUIRE(recvd.size() == 1);
    Bytes expect = hex(v.g["commitment"]);
    const Bytes ac = hex(v.g["ack"]["ack_commitment"]);
    expect.insert(expect.end(), ac.begin(), ac.end());
    CHECK(recvd[0] == expect);
    CHECK(dst.chain->balance(v.f["receiver"].get<std::string>(), "transfer/channel-0/" + v.t["denom"].get<std::string>()) ==
          dec(v.t["amount"]));
    auto again = recv(dst, pkt, idx, sig);
    REQUIRE_FALSE(again);
    CHECK(again.error().code == Code::PacketReplayed);
  }
}

TEST_CASE("devnet golden-v1: acknowledge_packet accepts the golden ack attestation; the timeout digest is golden") {
  Golden v;
  for (auto s : {bft::Suite::Secp256k1Sha256, bft::Suite::Sm2Sm3}) {
    {
      auto src = source_chain(v, s);
      const Bytes pkt = send_golden(v, src);
      const auto& a = v.g["ack"];
      const std::uint64_t idx = std::stoull(a["audit_index"].get<std::string>());
      CHECK(packet::ack_attestation_digest(src.chain->island(), src.chain->genesis_hash(), src.chain->endpoint_id(),
                                           packet::commitment(pkt), h32(a["ack_commitment"]), idx) == h32(a["digest"]));
      auto h = src.submit(TxKind::AcknowledgePacket,
                          encode_body(AckPacketBody{pkt, hex(a["ack_bytes"]), {Attestation{idx, rsv(a["signature_rsv"])}}}), 3);
      REQUIRE(h);
      src.block();
      CHECK(src.receipt(*h).success);
      CHECK(src.chain->sent_packet(packet::commitment(pkt))->status == SentStatus::Acknowledged);
    }
    {
      auto src = source_chain(v, s);
      const Bytes pkt = send_golden(v, src);
      const auto& t = v.g["timeout"];
      const std::uint64_t idx = std::stoull(t["audit_index"].get<std::string>());
      CHECK(packet::timeout_attestation_digest(src.chain->island(), src.chain->genesis_hash(), src.chain->endpoint_id(),
                                               packet::commitment(pkt), idx) == h32(t["digest"]));
      // The golden signer's signature over the golden digest is accepted and the escrow refunded once.
      auto sk = secp256k1::parse_secret_key(hex(v.g["attestation"]["signer_private_key"])).value();
      auto sig = secp256k1::sign_rsv(h32(t["digest"]), sk).value();
      const Bytes body = encode_body(TimeoutPacketBody{pkt, {Attestation{idx, sig}}});
      auto h = src.submit(TxKind::TimeoutPacket, body, 3);
      REQUIRE(h);
      src.block();
      CHECK(src.receipt(*h).success);
      CHECK(src.balance(0, v.t["denom"]) == dec(v.t["amount"]));
      CHECK(src.balance(escrow_account("channel-0"), v.t["denom"]) == U256{});
      auto again = src.submit(TxKind::TimeoutPacket, body, 3);
      REQUIRE_FALSE(again);
      CHECK(again.error().code == Code::PacketReplayed);
    }
  }
}
