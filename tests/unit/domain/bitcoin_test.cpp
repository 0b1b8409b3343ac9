// relay/domain rules for a Bitcoin island (PACKET.md "Bitcoin deposits"; docs/relay-domain.md): the registration's
// deposit routes, a deposit's path through the state machine with no return path (an error ack is final: no
// refund, nothing to retry or clear), and no packet ever aimed at a Bitcoin island.
#include <catch2/catch.hpp>

#include "causeway/bitcoin/deposit.hpp"
#include "causeway/core/hex.hpp"
#include "support.hpp"

using namespace causeway;
using namespace causeway::domain;
using namespace dtest;

namespace {

const std::string kC = "bip122:0f9188f13cb7b2c71f2a335e3a4fc328";
const Bytes kDepositScript = [] {
  Bytes s{0x00, 0x14};
  s.insert(s.end(), 20, 0xd0);
  return s;
}();

IslandSpec spec_c() {
  IslandSpec s;
  s.id = kC;
  s.genesis = hash_from_hex("0x0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206").value();
  s.family = Family::Bitcoin;
  s.codec = "bitcoin-regtest";
  s.consensus_params = bitcoin::encode_routes(std::vector<bitcoin::Route>{{kB, spec_b().genesis, "transfer", "channel-5"}});
  s.trusting_period_s = 0;
  s.finality = {FinalityKind::Confirmations, 6};
  s.anchor = {0, s.genesis, 1296688602, {}};
  s.endpoint = kDepositScript;
  s.governance = make_governance_keys(1, {key(5).address}).value();
  return s;
}

// World (A and B) plus the Bitcoin island C, its deposit channel C/deposit ↔ B/channel-5 and "sat" on C.
struct BtcWorld : World {
  BtcWorld() {
    const auto b = spec_b(), c = spec_c();
    REQUIRE(state.register_island(signed_register(c, {key(5)})).has_value());
    ChannelSpec cs = chan_spec(c, b, "deposit", "transfer", Ordering::Unordered);
    cs.counterparty_channel = "channel-5";
    ChannelSpec bs = chan_spec(b, c, "channel-5", "transfer", Ordering::Unordered);
    bs.counterparty_channel = "deposit";
    auto opened = state.open_channel(signed_channel(GovAction::ChannelOpen, cs, c.genesis, 2, {key(5)}),
                                     signed_channel(GovAction::ChannelOpen, bs, b.genesis, 4, gov_b()));
    INFO((opened ? std::string() : std::string(code_name(opened.error().code)) + " " + opened.error().detail + " at " +
                                       opened.error().at));
    REQUIRE(opened.has_value());
    REQUIRE(state.register_asset(kC, "sat").has_value());
  }
};

packet::Packet deposit(std::uint64_t amount) {
  const auto b = spec_b(), c = spec_c();
  packet::Packet p;
  p.source_island = kC;
  p.source_genesis = c.genesis;
  p.source_channel = "deposit";
  p.source_port = "transfer";
  p.dest_island = kB;
  p.dest_genesis = b.genesis;
  p.dest_channel = "channel-5";
  p.dest_port = "transfer";
  p.sequence = (std::uint64_t{5} << 32) + (std::uint64_t{1} << 8) + 1;
  p.receiver = Bytes(20, 0x7e);
  packet::TransferPayload t;
  t.denom = "sat";
  t.amount = abi::u256_from_u64(amount);
  t.receiver = p.receiver;
  p.payload = packet::encode_transfer_payload(t);
  return p;
}

std::string code(const Error& e) { return std::string(code_name(e.code)); }

}  // namespace

TEST_CASE("Bitcoin island: consensus_params must decode as deposit routes with unique tags and no governance port") {
  CHECK(validate_island_spec(spec_c()).has_value());
  IslandSpec dup = spec_c();
  dup.consensus_params = bitcoin::encode_routes(std::vector<bitcoin::Route>{{kB, h32(0x22), "transfer", "channel-5"},
                                                                            {kB, h32(0x23), "transfer", "channel-5"}});
  CHECK(code(validate_island_spec(dup).error()) == "ERR_INVALID_ARGUMENT");
  IslandSpec gov = spec_c();
  gov.consensus_params = bitcoin::encode_routes(std::vector<bitcoin::Route>{{kB, h32(0x22), "committee", "channel-5"}});
  CHECK(code(validate_island_spec(gov).error()) == "ERR_FORBIDDEN_TARGET");
  IslandSpec self = spec_c();
  self.consensus_params = bitcoin::encode_routes(std::vector<bitcoin::Route>{{kC, h32(0x22), "transfer", "channel-5"}});
  CHECK(validate_island_spec(self).error().at == "consensus_params.routes[0].dest_island");
  // Other families keep opaque consensus parameters.
  IslandSpec b = spec_b();
  b.consensus_params = Bytes{0x01, 0x02};
  CHECK(validate_island_spec(b).has_value());
}

TEST_CASE("Bitcoin deposit: an error acknowledgement is final — no refund, nothing to retry or clear") {
  BtcWorld w;
  auto& st = w.state;
  const packet::Packet p = deposit(250000);
  const auto id = packet_id(p);
  REQUIRE(st.observe(p, kDepositScript).has_value());
  REQUIRE(st.prove(id, proven(p)).has_value());
  REQUIRE(st.attest(id, quorum_for(st, p, {relay_key()}), view_of(kB, 1, 1)).has_value());
  REQUIRE(st.deliver(id, delivered(p, false)).has_value());
  auto acked = st.acknowledge(id, ack_of(p, false));
  REQUIRE(acked.has_value());
  CHECK(acked->record.stage == Stage::ErrorAcknowledged);

  auto refund = st.refund(id, EvRefunded{7});
  REQUIRE(!refund);
  CHECK(code(refund.error()) == "ERR_ILLEGAL_TRANSITION");
  auto retry = st.packet_retry(id, OperatorNote{"ops", "again", 1});
  REQUIRE(!retry);
  CHECK(code(retry.error()) == "ERR_ILLEGAL_TRANSITION");
  auto clear = st.packet_clear({kC, "deposit"}, OperatorNote{"ops", "clear", 1});
  REQUIRE(clear.has_value());
  CHECK(clear->packets.empty());
  // The sats stay escrowed at the deposit script, in flight for good; the invariant holds.
  const auto* bal = st.ledgers().at(ChannelKey{kC, "deposit"}).find("sat");
  REQUIRE(bal != nullptr);
  CHECK(bal->escrowed == abi::u256_from_u64(250000));
  CHECK(bal->in_flight_out == abi::u256_from_u64(250000));
  CHECK(is_zero(bal->outstanding));
  CHECK(st.check_invariants().ok);
  CHECK(st.find(id)->stage == Stage::ErrorAcknowledged);
}

TEST_CASE("Bitcoin island: a packet to it is ERR_WRONG_DESTINATION (sources only), even over its own channel") {
  BtcWorld w;
  packet::Packet home = deposit(1);
  std::swap(home.source_island, home.dest_island);
  std::swap(home.source_genesis, home.dest_genesis);
  std::swap(home.source_channel, home.dest_channel);
  home.sequence = 1;
  home.timeout_height = 1000;
  home.sender = Bytes(20, 0x11);
  auto r = w.state.check_route(home);
  REQUIRE(!r);
  CHECK(code(r.error()) == "ERR_WRONG_DESTINATION");
  CHECK(r.error().at == "dest_island");
}
