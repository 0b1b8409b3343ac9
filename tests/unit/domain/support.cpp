#include "support.hpp"

#include <catch2/catch.hpp>

#include "causeway/core/hex.hpp"

namespace dtest {

Key key(std::uint8_t n) {
  Bytes b(32, 0);
  b[31] = n;
  Key k;
  k.sk = secp256k1::parse_secret_key(b).value();
  k.address = secp256k1::eth_address(secp256k1::public_key_of(k.sk));
  return k;
}

std::vector<Bytes> sign_all(const Hash32& digest, const std::vector<Key>& keys) {
  std::vector<Bytes> out;
  for (const auto& k : keys) out.push_back(sign_governance(digest, k.sk).value());
  return out;
}

Hash32 h32(std::uint8_t fill) {
  Hash32 h;
  h.b.fill(fill);
  return h;
}

Bytes bytes_of(std::string_view s) { return Bytes(s.begin(), s.end()); }

IslandSpec spec_a() {
  IslandSpec s;
  s.id = kA;
  s.genesis = h32(0x11);
  s.family = Family::Ethereum;
  s.codec = "clique";
  s.trusting_period_s = 86400;
  s.finality = {FinalityKind::Confirmations, 1};
  s.anchor = {100, h32(0xa1), 1'700'000'000, {}};
  s.endpoint = from_hex("0xe7f1725e7734ce288f8367e1bb143e90bb3f0512").value();
  s.governance = make_governance_keys(2, {key(1).address, key(2).address, key(3).address}).value();
  return s;
}

IslandSpec spec_b() {
  IslandSpec s;
  s.id = kB;
  s.genesis = h32(0x22);
  s.family = Family::Bft;
  s.codec = "causeway-devnet/v1";
  s.trusting_period_s = 3600;
  s.finality = {FinalityKind::BftQuorum, 0};
  s.anchor = {1, h32(0xb1), 1'700'000'000, {}};
  s.endpoint = bytes_of("endpoint");
  s.governance = make_governance_keys(1, {key(4).address}).value();
  return s;
}

std::vector<Key> gov_a() { return {key(1), key(2)}; }
std::vector<Key> gov_b() { return {key(4)}; }

SignedIsland signed_register(const IslandSpec& s, const std::vector<Key>& keys) {
  return SignedIsland{s, 1, sign_all(island_digest(GovAction::IslandRegister, s, 1), keys)};
}

ChannelSpec chan_spec(const IslandSpec& own, const IslandSpec& cp, std::string channel, std::string port,
                      Ordering ord, std::uint64_t open_height) {
  ChannelSpec c;
  c.island = own.id;
  c.channel = channel;
  c.port = port;
  c.endpoint = own.endpoint;
  c.counterparty_island = cp.id;
  c.counterparty_genesis = cp.genesis;
  c.counterparty_channel = channel;
  c.counterparty_port = port;
  c.counterparty_endpoint = cp.endpoint;
  c.ordering = ord;
  c.open_height = open_height;
  return c;
}

SignedChannelRecord signed_channel(GovAction action, const ChannelSpec& s, const Hash32& genesis, std::uint64_t nonce,
                                   const std::vector<Key>& keys) {
  return SignedChannelRecord{s, nonce, sign_all(channel_digest(action, s, genesis, nonce), keys)};
}

Key relay_key() { return key(9); }

Committee committee_of(std::uint32_t k, const std::vector<Key>& members) {
  CommitteeConfig cfg;
  cfg.threshold = k;
  for (const auto& m : members) cfg.members.push_back({m.address, {}});
  cfg.self = members.front().address;
  cfg.allow_low_threshold = true;
  return Committee::from_config(cfg).value();
}

World::World() : state(committee_of(1, {relay_key()})) {
  REQUIRE(state.register_island(signed_register(spec_a(), gov_a())).has_value());
  REQUIRE(state.register_island(signed_register(spec_b(), gov_b())).has_value());
  const auto a = spec_a();
  const auto b = spec_b();
  REQUIRE(state
              .open_channel(signed_channel(GovAction::ChannelOpen, chan_spec(a, b, "channel-0", "transfer", Ordering::Unordered),
                                           a.genesis, 2, gov_a()),
                            signed_channel(GovAction::ChannelOpen, chan_spec(b, a, "channel-0", "transfer", Ordering::Unordered),
                                           b.genesis, 2, gov_b()))
              .has_value());
  REQUIRE(state
              .open_channel(signed_channel(GovAction::ChannelOpen, chan_spec(a, b, "channel-1", "msg", Ordering::Ordered),
                                           a.genesis, 3, gov_a()),
                            signed_channel(GovAction::ChannelOpen, chan_spec(b, a, "channel-1", "msg", Ordering::Ordered),
                                           b.genesis, 3, gov_b()))
              .has_value());
  REQUIRE(state.register_asset(kA, kErc20).has_value());
  REQUIRE(state.register_asset(kB, "stake").has_value());
}

Bytes endpoint_of(const std::string& island) { return island == kA ? spec_a().endpoint : spec_b().endpoint; }

namespace {
packet::Packet base(const std::string& src, const std::string& channel, std::uint64_t seq, std::string port) {
  const bool from_a = src == kA;
  packet::Packet p;
  p.source_island = from_a ? kA : kB;
  p.source_genesis = from_a ? h32(0x11) : h32(0x22);
  p.source_channel = channel;
  p.source_port = port;
  p.dest_island = from_a ? kB : kA;
  p.dest_genesis = from_a ? h32(0x22) : h32(0x11);
  p.dest_channel = channel;
  p.dest_port = port;
  p.sequence = seq;
  p.sender = Bytes(20, 0x5a);
  p.receiver = Bytes(20, 0x7b);
  return p;
}
}  // namespace

packet::Packet message(const std::string& src, const std::string& channel, std::uint64_t seq,
                       std::uint64_t timeout_height, std::uint64_t timeout_ns) {
  auto p = base(src, channel, seq, channel == "channel-0" ? "transfer" : "msg");
  p.payload = bytes_of("hello");
  p.timeout_height = timeout_height;
  p.timeout_timestamp_ns = timeout_ns;
  return p;
}

packet::Packet transfer(const std::string& src, std::uint64_t seq, const std::string& denom, std::uint64_t amount,
                        std::uint64_t timeout_height, std::uint64_t timeout_ns) {
  auto p = base(src, "channel-0", seq, "transfer");
  packet::TransferPayload t;
  t.denom = denom;
  t.amount = abi::u256_from_u64(amount);
  t.sender = p.sender;
  t.receiver = p.receiver;
  p.payload = packet::encode_transfer_payload(t);
  p.timeout_height = timeout_height;
  p.timeout_timestamp_ns = timeout_ns;
  return p;
}

Quorum quorum_for(const RelayState& st, const packet::Packet& p, const std::vector<Key>& members) {
  AttestationSubject s{AttestationKind::Packet, p.dest_island, p.dest_genesis, endpoint_of(p.dest_island),
                       packet::commitment(p), {}};
  std::vector<MemberSignature> sigs;
  std::uint64_t idx = 100;
  for (const auto& m : members) sigs.push_back(sign_attestation(s, idx++, m.sk).value());
  return tally_attestations(st.committee(), s, sigs).value();
}

DestView view_of(const std::string& dest_island, std::uint64_t height, std::uint64_t time) {
  return DestView{height, time, dest_island == kA ? packet::DestClock::EvmSeconds : packet::DestClock::DevnetMillis};
}

EvProven proven(const packet::Packet& p, std::uint64_t time_ms) {
  return EvProven{packet::commitment(p), 10, h32(0x33), 7, time_ms};
}

Bytes ack_of(const packet::Packet& p, bool success) {
  return packet::ack_bytes(packet::commitment(p), success, Bytes{0x01});
}

EvDelivered delivered(const packet::Packet& p, bool success, std::uint64_t height) {
  return EvDelivered{packet::commitment(p), packet::ack_commitment(ack_of(p, success)), height};
}

void drive_to_delivered(RelayState& st, const packet::Packet& p, bool success) {
  const auto id = packet_id(p);
  auto o = st.observe(p, endpoint_of(p.source_island));
  REQUIRE(o.has_value());
  auto pr = st.prove(id, proven(p));
  REQUIRE(pr.has_value());
  const auto q = quorum_for(st, p, {relay_key()});
  REQUIRE(st.attest(id, q, view_of(p.dest_island, 1, 1)).has_value());
  REQUIRE(st.ready_to_submit(id).has_value());
  REQUIRE(st.deliver(id, delivered(p, success)).has_value());
}

}  // namespace dtest
