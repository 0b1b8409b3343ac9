// vectors/packet/golden-v1.json reproduced through relay/domain's attestation path: subject → digest →
// this relay's signature → committee tally, for the packet, ack and timeout attestations (SOURCES.md
// "packet/golden-v1.json": every part reproduces each value exactly; the ECDSA signatures are RFC 6979
// deterministic, so they are compared byte for byte).
#include <catch2/catch.hpp>

#include <string>

#include "causeway/core/hex.hpp"
#include "causeway/core/packet.hpp"
#include "causeway/domain/committee.hpp"
#include "causeway/domain/ids.hpp"
#include "causeway/domain/transfer.hpp"
#include "vectors.hpp"

using namespace causeway;
using namespace causeway::domain;
using nlohmann::json;

namespace {

Bytes h(const json& j) { return from_hex(j.get<std::string>()).value(); }
Hash32 h32(const json& j) { return hash_from_hex(j.get<std::string>()).value(); }
std::uint64_t u64(const json& j) { return j.is_string() ? std::stoull(j.get<std::string>()) : j.get<std::uint64_t>(); }
std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

const json& golden() {
  static const json j = causeway::testing::read_vector_json("packet/golden-v1.json");
  return j;
}

packet::Packet golden_packet() {
  const json& f = golden().at("packet_fields");
  packet::Packet p;
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

secp256k1::SecretKey golden_key() {
  return secp256k1::parse_secret_key(h(golden().at("attestation").at("signer_private_key"))).value();
}

Committee single(const Address& a) {
  CommitteeConfig cfg;
  cfg.members = {{a, ""}};
  cfg.self = a;
  return Committee::from_config(cfg).value();
}

}  // namespace

TEST_CASE("golden: packet identity, commitment and transfer denom through the domain") {
  const json& g = golden();
  const auto p = golden_packet();
  CHECK(to_hex(packet::commitment(p).view()) == g.at("commitment").get<std::string>());
  const auto id = packet_id(p);
  CHECK(id.source_island == "eip155:31337");
  CHECK(id.sequence == 7);
  const auto t = packet::decode_transfer_payload(p.payload).value();
  CHECK(t.denom == g.at("transfer_payload_fields").at("denom").get<std::string>());
  CHECK(validate_denom(t.denom).has_value());
  auto plan = plan_transfer(p, t).value();
  CHECK(plan.direction == TransferDirection::Escrow);
  CHECK(plan.ledger == ChannelKey{"eip155:31337", "channel-0"});
  CHECK(plan.received.denom == "transfer/channel-0/" + t.denom);
  CHECK(to_decimal(plan.amount) == g.at("transfer_payload_fields").at("amount").get<std::string>());
}

TEST_CASE("golden: packet attestation digest, signature and a k = n = 1 tally through the committee") {
  const json& g = golden();
  const json& a = g.at("attestation");
  const auto p = golden_packet();
  const AttestationSubject s{AttestationKind::Packet, p.dest_island, p.dest_genesis, h(a.at("dest_endpoint")),
                             packet::commitment(p), {}};
  const std::uint64_t idx = u64(a.at("audit_index"));
  CHECK(idx == 42);
  CHECK(to_hex(attestation_digest(s, idx).view()) == a.at("digest").get<std::string>());

  const auto mine = sign_attestation(s, idx, golden_key()).value();
  CHECK(to_hex(mine.signature) == a.at("signature_rsv").get<std::string>());
  CHECK(to_hex(mine.member) == lower(a.at("signer_address").get<std::string>()));
  CHECK(mine.audit_index == 42);

  const Committee c = single(mine.member);
  const MemberSignature from_vector{mine.member, idx, h(a.at("signature_rsv"))};
  auto q = require_quorum(c, s, std::vector<MemberSignature>{from_vector});
  REQUIRE(q);
  CHECK(q->signers() == std::vector<Address>{mine.member});
  CHECK(q->rejected().empty());
  // The same signature under another audit index is not this member's attestation.
  const MemberSignature shifted{mine.member, idx + 1, h(a.at("signature_rsv"))};
  CHECK(require_quorum(c, s, std::vector<MemberSignature>{shifted}).error().code == Code::InsufficientQuorum);
}

TEST_CASE("golden: ack and timeout attestation digests and the ack signature through the committee") {
  const json& g = golden();
  const json& ack = g.at("ack");
  const json& to = g.at("timeout");
  const auto p = golden_packet();
  const Hash32 c = packet::commitment(p);
  CHECK(to_hex(packet::ack_commitment(h(ack.at("ack_bytes"))).view()) == ack.at("ack_commitment").get<std::string>());

  const AttestationSubject sa{AttestationKind::Ack, p.source_island, p.source_genesis, h(ack.at("source_endpoint")),
                              c, h32(ack.at("ack_commitment"))};
  CHECK(to_hex(attestation_digest(sa, u64(ack.at("audit_index"))).view()) == ack.at("digest").get<std::string>());
  const auto mine = sign_attestation(sa, u64(ack.at("audit_index")), golden_key()).value();
  CHECK(to_hex(mine.signature) == ack.at("signature_rsv").get<std::string>());
  const Committee com = single(mine.member);
  CHECK(require_quorum(com, sa, std::vector<MemberSignature>{{mine.member, u64(ack.at("audit_index")),
                                                              h(ack.at("signature_rsv"))}})
            .has_value());

  const AttestationSubject st{AttestationKind::Timeout, p.source_island, p.source_genesis,
                              h(to.at("source_endpoint")), c, {}};
  CHECK(to_hex(attestation_digest(st, u64(to.at("audit_index"))).view()) == to.at("digest").get<std::string>());
}
