// vectors/packet/golden-v1.json: every value PACKET.md defines, reproduced byte for byte.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/core/packet.hpp"
#include "causeway/core/secp256k1.hpp"
#include "vectors.hpp"

using namespace causeway;
using namespace causeway::packet;
namespace k1 = causeway::secp256k1;
using nlohmann::json;

namespace {

Bytes h(const json& j) { return from_hex(j.get<std::string>()).value(); }
Hash32 h32(const json& j) { return hash_from_hex(j.get<std::string>()).value(); }
std::uint64_t u64(const json& j) { return std::stoull(j.get<std::string>()); }
std::string hx(ByteView v) { return to_hex(v); }
std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

const json& golden() {
  static const json j = causeway::testing::read_vector_json("packet/golden-v1.json");
  return j;
}

Packet packet_from_fields(const json& f) {
  Packet p;
  p.version = static_cast<std::uint8_t>(f.at("version").get<int>());
  p.source_island = f.at("source_island").get<std::string>();
  p.source_genesis = h32(f.at("source_genesis"));
  p.source_channel = f.at("source_channel").get<std::string>();
  p.source_port = f.at("source_port").get<std::string>();
  p.dest_island = f.at("dest_island").get<std::string>();
  p.dest_genesis = h32(f.at("dest_genesis"));
  p.dest_channel = f.at("dest_channel").get<std::string>();
  p.dest_port = f.at("dest_port").get<std::string>();
  p.sequence = u64(f.at("sequence"));
  p.sender = h(f.at("sender"));
  p.receiver = h(f.at("receiver"));
  p.payload = h(f.at("payload"));
  p.timeout_height = u64(f.at("timeout_height"));
  p.timeout_timestamp_ns = u64(f.at("timeout_timestamp_ns"));
  return p;
}

}  // namespace

TEST_CASE("golden: packet_bytes and commitment from packet_fields; decode round-trips") {
  const json& g = golden();
  const Packet p = packet_from_fields(g.at("packet_fields"));
  const Bytes enc = encode_packet(p);
  CHECK(hx(enc) == g.at("packet_bytes").get<std::string>());
  CHECK(hx(commitment(enc).view()) == g.at("commitment").get<std::string>());
  auto dec = decode_packet(h(g.at("packet_bytes")));
  REQUIRE(dec.has_value());
  CHECK(*dec == p);
  CHECK(encode_packet(*dec) == enc);
}

TEST_CASE("golden: transfer payload from transfer_payload_fields") {
  const json& g = golden();
  const json& t = g.at("transfer_payload_fields");
  TransferPayload tp;
  tp.denom = t.at("denom").get<std::string>();
  tp.amount = abi::u256_from_u64(u64(t.at("amount")));
  tp.sender = h(t.at("sender"));
  tp.receiver = h(t.at("receiver"));
  tp.memo = t.at("memo").get<std::string>();
  const Bytes enc = encode_transfer_payload(tp);
  CHECK(hx(enc) == g.at("packet_fields").at("payload").get<std::string>());
  auto dec = decode_transfer_payload(enc);
  REQUIRE(dec.has_value());
  CHECK(*dec == tp);
}

TEST_CASE("golden: PacketSent and AcknowledgementWritten topic0") {
  const json& g = golden();
  CHECK(hx(packet_sent_topic0().view()) == g.at("packet_sent_topic0").get<std::string>());
  CHECK(hx(acknowledgement_written_topic0().view()) == g.at("acknowledgement_written_topic0").get<std::string>());
}

TEST_CASE("golden: attestation tag, digest, signer address and r||s||v signature byte for byte") {
  const json& g = golden();
  const json& a = g.at("attestation");
  const Packet p = packet_from_fields(g.at("packet_fields"));
  const Hash32 c = h32(g.at("commitment"));
  CHECK(hx(tag("causeway.attestation.v1").view()) == a.at("tag").get<std::string>());
  const Hash32 d = attestation_digest(p.dest_island, p.dest_genesis, h(a.at("dest_endpoint")), c, u64(a.at("audit_index")));
  CHECK(hx(d.view()) == a.at("digest").get<std::string>());

  const auto sk = k1::parse_secret_key(h(a.at("signer_private_key"))).value();
  const auto address = k1::eth_address(k1::public_key_of(sk));
  CHECK(hx(address) == lower(a.at("signer_address").get<std::string>()));
  const auto rsv = k1::sign_rsv(d, sk).value();
  CHECK(hx(rsv) == a.at("signature_rsv").get<std::string>());
  // What ecrecover does on the destination, under the relay's policy (low-S required).
  const auto signer = k1::recover_rsv(d, h(a.at("signature_rsv")), k1::LowS::Required).value();
  CHECK(k1::eth_address(signer) == address);
}

TEST_CASE("golden: ack bytes, ack commitment, ack digest and signature (same signer key)") {
  const json& g = golden();
  const json& a = g.at("ack");
  const Packet p = packet_from_fields(g.at("packet_fields"));
  const Hash32 c = h32(g.at("commitment"));
  const Bytes ab = ack_bytes(c, a.at("success").get<bool>(), h(a.at("result")));
  CHECK(hx(ab) == a.at("ack_bytes").get<std::string>());
  CHECK(hx(ack_commitment(ab).view()) == a.at("ack_commitment").get<std::string>());
  auto dec = decode_ack(ab);
  REQUIRE(dec.has_value());
  CHECK(dec->commitment == c);
  CHECK(hx(tag("causeway.ack.v1").view()) == a.at("tag").get<std::string>());
  const Hash32 d = ack_attestation_digest(p.source_island, p.source_genesis, h(a.at("source_endpoint")), c,
                                          h32(a.at("ack_commitment")), u64(a.at("audit_index")));
  CHECK(hx(d.view()) == a.at("digest").get<std::string>());
  // The file has one signing key; the ack signature must be that key's RFC 6979 signature.
  const auto sk = k1::parse_secret_key(h(g.at("attestation").at("signer_private_key"))).value();
  CHECK(hx(k1::sign_rsv(d, sk).value()) == a.at("signature_rsv").get<std::string>());
  const auto signer = k1::recover_rsv(d, h(a.at("signature_rsv")), k1::LowS::Required).value();
  CHECK(hx(k1::eth_address(signer)) == lower(g.at("attestation").at("signer_address").get<std::string>()));
}

TEST_CASE("golden: timeout tag and digest") {
  const json& g = golden();
  const json& t = g.at("timeout");
  const Packet p = packet_from_fields(g.at("packet_fields"));
  CHECK(hx(tag("causeway.timeout.v1").view()) == t.at("tag").get<std::string>());
  const Hash32 d = timeout_attestation_digest(p.source_island, p.source_genesis, h(t.at("source_endpoint")),
                                              h32(g.at("commitment")), u64(t.at("audit_index")));
  CHECK(hx(d.view()) == t.at("digest").get<std::string>());
}

TEST_CASE("golden: EVM receipt storage slot") {
  const json& g = golden();
  CHECK(hx(receipt_storage_slot(h32(g.at("commitment"))).view()) == g.at("evm_receipt_storage_slot").get<std::string>());
}

TEST_CASE("golden: Bitcoin deposit route tag and OP_RETURN parse") {
  const json& b = golden().at("bitcoin_deposit");
  const std::string route = b.at("route").get<std::string>();
  CHECK(route == "eip155:31338/transfer/channel-1");
  const RouteTag rt = route_tag("eip155:31338", "transfer", "channel-1");
  CHECK(hx(rt) == b.at("route_tag").get<std::string>());
  CHECK(hx(ByteView(tag(route).view()).first(8)) == b.at("route_tag").get<std::string>());
  auto d = parse_deposit_op_return(h(b.at("op_return_data")));
  REQUIRE(d.has_value());
  CHECK(d->route == rt);
  CHECK(hx(d->receiver) == "0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
  CHECK(hx(deposit_op_return(rt, d->receiver).value()) == b.at("op_return_data").get<std::string>());
}

TEST_CASE("golden: audit leaf hash, one-leaf root, STH message hash, log id and BIP-340 signature") {
  const json& a = golden().at("audit");
  const std::string leaf = a.at("leaf_data_jcs").get<std::string>();
  Bytes prefixed(1 + leaf.size(), 0x00);  // 0x00 ‖ leaf (sized up front: GCC 12 misreports insert-after-init)
  std::copy(leaf.begin(), leaf.end(), prefixed.begin() + 1);
  const Hash32 leaf_hash = sha256(prefixed);  // RFC 6962 leaf hash (the merkle library owns the real one)
  CHECK(hx(leaf_hash.view()) == a.at("leaf_hash").get<std::string>());
  REQUIRE(a.at("tree_size").get<int>() == 1);
  CHECK(hx(leaf_hash.view()) == a.at("root_hash").get<std::string>());  // a one-leaf tree's root is its leaf hash

  const Hash32 msg = sth_message_hash(1, a.at("sth_timestamp_ms").get<std::uint64_t>(), h32(a.at("root_hash")));
  CHECK(hx(msg.view()) == a.at("sth_message_hash").get<std::string>());

  const auto log_key = k1::parse_secret_key(h(a.at("log_private_key"))).value();
  const auto log_id = k1::xonly_public_key(log_key);
  CHECK(hx(log_id) == a.at("log_id_xonly_pubkey").get<std::string>());
  CHECK(k1::schnorr_verify(h(a.at("sth_signature_bip340")), msg, log_id).has_value());
  // A fresh signature differs (randomized aux) but verifies too.
  std::array<std::uint8_t, 32> aux{};
  aux.fill(0x42);
  CHECK(k1::schnorr_verify(k1::schnorr_sign(msg, log_key, aux).value(), msg, log_id).has_value());
}
