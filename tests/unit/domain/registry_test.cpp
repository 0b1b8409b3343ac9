// relay/domain: island registry, governance records, channels, and the route rules A04, A19, A20, A21.
#include <catch2/catch.hpp>

#include "causeway/core/abi.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "support.hpp"

using namespace dtest;

TEST_CASE("governance digest is keccak256(abi.encode(tag, action, subject, genesis, nonce, body_hash))") {
  const Hash32 body = h32(0x44);
  const Hash32 d = governance_digest(GovAction::IslandUpdate, kA, h32(0x11), 5, body);
  using abi::Type;
  using abi::Value;
  const Bytes enc = abi::encode(
      Type::tuple({Type::bytes32(), Type::string(), Type::string(), Type::bytes32(), Type::uint(64), Type::bytes32()}),
      Value::tuple({Value::bytes32(keccak256(bytes_of("causeway.governance.v1"))), Value::string("island.update"),
                    Value::string(kA), Value::bytes32(h32(0x11)), Value::uint(5), Value::bytes32(body)}));
  CHECK(d == keccak256(enc));
  CHECK(enc.size() == 32 * 6 + 64 + 64);  // head + two strings (length word + one padded word each)
  // Every field is bound: changing any of them changes the digest.
  CHECK(governance_digest(GovAction::IslandRegister, kA, h32(0x11), 5, body) != d);
  CHECK(governance_digest(GovAction::IslandUpdate, kB, h32(0x11), 5, body) != d);
  CHECK(governance_digest(GovAction::IslandUpdate, kA, h32(0x12), 5, body) != d);
  CHECK(governance_digest(GovAction::IslandUpdate, kA, h32(0x11), 6, body) != d);
  CHECK(governance_digest(GovAction::IslandUpdate, kA, h32(0x11), 5, h32(0x45)) != d);
  CHECK(action_name(GovAction::ChannelOpen) == "channel.open");
  CHECK(action_name(GovAction::CommitteeUpdate) == "committee.update");
}

TEST_CASE("island register: k of the listed keys, nonce 1; every refusal leaves the registry unchanged") {
  IslandRegistry reg;
  const auto a = spec_a();
  const Hash32 d = island_digest(GovAction::IslandRegister, a, 1);
  const IslandRegistry before = reg;

  auto one = reg.register_island({a, 1, sign_all(d, {key(1)})});
  REQUIRE_FALSE(one);
  CHECK(one.error().code == Code::InsufficientQuorum);
  auto outsider = reg.register_island({a, 1, sign_all(d, {key(1), key(7)})});
  REQUIRE_FALSE(outsider);
  CHECK(outsider.error().code == Code::NotValidator);
  CHECK(outsider.error().at == "signatures[1]");
  auto dup = reg.register_island({a, 1, sign_all(d, {key(1), key(1)})});
  REQUIRE_FALSE(dup);
  CHECK(dup.error().code == Code::DuplicateSeal);
  auto nonce = reg.register_island({a, 2, sign_all(island_digest(GovAction::IslandRegister, a, 2), gov_a())});
  REQUIRE_FALSE(nonce);
  CHECK(nonce.error().code == Code::GovernanceNonce);
  // A signature over the update digest does not register.
  auto wrong_action = reg.register_island({a, 1, sign_all(island_digest(GovAction::IslandUpdate, a, 1), gov_a())});
  REQUIRE_FALSE(wrong_action);
  CHECK(wrong_action.error().code == Code::NotValidator);
  // High-S twin of a valid signature is refused (low-S required, A17).
  auto sigs = sign_all(d, gov_a());
  {
    auto s = secp256k1::parse_compact(ByteView(sigs[0]).first(64)).value();
    REQUIRE(secp256k1::is_low_s(s));
  }
  CHECK(reg == before);

  auto ok = reg.register_island({a, 1, sigs});
  REQUIRE(ok);
  CHECK(ok->nonce == 1);
  CHECK(ok->status == ClientStatus::Active);
  auto again = reg.register_island({a, 1, sigs});
  REQUIRE_FALSE(again);
  CHECK(again.error().code == Code::IslandExists);
  auto same_genesis = spec_b();
  same_genesis.genesis = a.genesis;
  auto g = reg.register_island(signed_register(same_genesis, gov_b()));
  REQUIRE_FALSE(g);
  CHECK(g.error().code == Code::IslandExists);
  CHECK(g.error().at == "genesis");
}

TEST_CASE("A01 island spec: zero genesis, zero anchor hash, anchor time 0 and zero endpoint are refused") {
  auto s = spec_a();
  s.genesis = Hash32{};
  CHECK(validate_island_spec(s).error().code == Code::ZeroRoot);
  s = spec_a();
  s.anchor.hash = Hash32{};
  CHECK(validate_island_spec(s).error().code == Code::ZeroRoot);
  s = spec_a();
  s.anchor.time_s = 0;
  CHECK(validate_island_spec(s).error().code == Code::ZeroRoot);
  s = spec_a();
  s.endpoint = Bytes(20, 0);
  CHECK(validate_island_spec(s).error().code == Code::ZeroRoot);
  s = spec_a();
  s.governance.members[0] = Address{};
  CHECK(validate_island_spec(s).error().code == Code::ZeroRoot);
  CHECK(validate_island_spec(spec_a()).has_value());
  CHECK(validate_island_spec(spec_b()).has_value());
}

TEST_CASE("island ids: CAIP-2 syntax, bip122 bound to the genesis, eip155 decimal, rpc-trusted on public ids") {
  CHECK(validate_island_id("eip155:1").has_value());
  CHECK(validate_island_id("cwdevnet:alpha").has_value());
  CHECK(validate_island_id("fisco:chain0-group0").has_value());
  CHECK_FALSE(validate_island_id("ab:1"));          // namespace too short
  CHECK_FALSE(validate_island_id("abcdefghi:1"));   // namespace too long
  CHECK_FALSE(validate_island_id("EIP155:1"));      // namespace lowercase only
  CHECK_FALSE(validate_island_id("eip155:"));       // empty reference
  CHECK_FALSE(validate_island_id("eip155:a/b"));    // '/' never (denom traces)
  CHECK_FALSE(validate_island_id("eip155:" + std::string(33, '1')));
  CHECK_FALSE(validate_island_id("bitcoin"));

  IslandSpec btc = spec_b();
  btc.family = Family::Bitcoin;
  btc.codec = "bitcoin-mainnet";
  btc.finality = {FinalityKind::Confirmations, 6};
  btc.trusting_period_s = 0;
  btc.genesis = hash_from_hex("0x000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f").value();
  btc.id = "bip122:000000000019d6689c085ae165831e93";
  CHECK(validate_island_spec(btc).has_value());
  btc.id = "bip122:000000000933ea01ad0ee984209779ba";
  CHECK(validate_island_spec(btc).error().code == Code::IslandMismatch);

  auto e = spec_a();
  e.id = "eip155:0x7a69";
  CHECK(validate_island_spec(e).error().code == Code::IslandMismatch);
  e = spec_a();
  e.id = "eip155:1";
  e.finality = {FinalityKind::RpcTrusted, 3};
  CHECK(validate_island_spec(e).error().code == Code::RpcTrustedRefused);
  e.allow_rpc_trusted_public = true;
  CHECK(validate_island_spec(e).has_value());
  e = spec_a();
  e.endpoint = bytes_of("endpoint");  // an EVM endpoint is a 20-byte address
  CHECK(validate_island_spec(e).error().code == Code::InvalidArgument);
  auto b = spec_b();
  b.finality = {FinalityKind::Confirmations, 1};
  CHECK(validate_island_spec(b).error().code == Code::InvalidArgument);
}

TEST_CASE("A04 island update is signed by the CURRENT keys; the new keys govern the next record") {
  World w;
  const auto before = w.state;
  auto a = spec_a();
  a.governance = make_governance_keys(1, {key(5).address}).value();  // rotate to key 5
  const std::uint64_t n = w.state.islands().find(kA)->nonce + 1;
  const Hash32 d = island_digest(GovAction::IslandUpdate, a, n);

  // The new key alone cannot install itself.
  auto self = w.state.update_island({a, n, sign_all(d, {key(5)})});
  REQUIRE_FALSE(self);
  CHECK(self.error().code == Code::NotValidator);
  // The anchor changes only through client recover.
  auto anchored = a;
  anchored.anchor.hash = h32(0xee);
  auto an = w.state.update_island({anchored, n, sign_all(island_digest(GovAction::IslandUpdate, anchored, n), gov_a())});
  REQUIRE_FALSE(an);
  CHECK(an.error().code == Code::InvalidArgument);
  CHECK(an.error().at == "anchor");
  CHECK(w.state == before);

  auto ok = w.state.update_island({a, n, sign_all(d, gov_a())});
  REQUIRE(ok);
  CHECK(ok->nonce == n);
  // Replay of the same record: stale nonce.
  auto replay = w.state.update_island({a, n, sign_all(d, gov_a())});
  REQUIRE_FALSE(replay);
  CHECK(replay.error().code == Code::GovernanceNonce);
  // The old keys no longer govern.
  auto a2 = a;
  a2.codec = "besu-qbft";
  auto old = w.state.update_island({a2, n + 1, sign_all(island_digest(GovAction::IslandUpdate, a2, n + 1), gov_a())});
  REQUIRE_FALSE(old);
  CHECK(old.error().code == Code::NotValidator);
  CHECK(w.state.update_island({a2, n + 1, sign_all(island_digest(GovAction::IslandUpdate, a2, n + 1), {key(5)})}));
}

TEST_CASE("A04 a routed packet never reaches a governance path") {
  World w;
  const auto before = w.state;
  // Receiver = the destination endpoint (which holds receipts and committee keys).
  auto p = message(kA, "channel-1", 1);
  p.receiver = endpoint_of(kB);
  auto r = w.state.observe(p, endpoint_of(kA));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Code::ForbiddenTarget);
  // Receiver = a governance key of the destination.
  p = message(kB, "channel-1", 1);
  const Address gov1 = key(1).address;
  p.receiver = Bytes(gov1.begin(), gov1.end());
  r = w.state.observe(p, endpoint_of(kB));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Code::ForbiddenTarget);
  // Receiver = a relay committee key (attestation-key rotation).
  const Address relay = relay_key().address;
  p.receiver = Bytes(relay.begin(), relay.end());
  CHECK(w.state.observe(p, endpoint_of(kB)).error().code == Code::ForbiddenTarget);
  // A transfer whose payload receiver is the destination endpoint.
  auto t = transfer(kA, 1, kErc20, 10);
  auto tp = packet::decode_transfer_payload(t.payload).value();
  tp.receiver = endpoint_of(kB);
  t.payload = packet::encode_transfer_payload(tp);
  CHECK(w.state.observe(t, endpoint_of(kA)).error().code == Code::ForbiddenTarget);
  CHECK(w.state == before);

  // No channel can be opened on a governance port.
  const auto a = spec_a();
  const auto b = spec_b();
  auto open = w.state.open_channel(
      signed_channel(GovAction::ChannelOpen, chan_spec(a, b, "channel-9", "governance", Ordering::Unordered), a.genesis, 4, gov_a()),
      signed_channel(GovAction::ChannelOpen, chan_spec(b, a, "channel-9", "governance", Ordering::Unordered), b.genesis, 4, gov_b()));
  REQUIRE_FALSE(open);
  CHECK(open.error().code == Code::ForbiddenTarget);
  CHECK(is_reserved_port("causeway.admin"));
  CHECK_FALSE(is_reserved_port("transfer"));

  // A packet carrying a perfectly signed island update as payload changes nothing in the registry: there is
  // no path from a packet to the governance functions.
  auto upd = spec_b();
  upd.governance = make_governance_keys(1, {key(6).address}).value();
  const auto n = w.state.islands().find(kB)->nonce + 1;
  auto sigs = sign_all(island_digest(GovAction::IslandUpdate, upd, n), gov_b());
  auto carrier = message(kA, "channel-1", 1);
  carrier.payload = sigs[0];
  const auto islands_before = w.state.islands();
  drive_to_delivered(w.state, carrier);
  CHECK(w.state.islands() == islands_before);
}

TEST_CASE("A19 an event counts only from the registered endpoint") {
  World w;
  const auto p = message(kA, "channel-1", 1);
  const auto before = w.state;
  // The impostor's log (same shape, other address) is refused and changes nothing.
  auto impostor = w.state.observe(p, from_hex("0x000000000000000000000000000000000000dead").value());
  REQUIRE_FALSE(impostor);
  CHECK(impostor.error().code == Code::WrongEmitter);
  CHECK(w.state == before);
  // The registered endpoint's log: exactly one packet.
  auto ok = w.state.observe(p, endpoint_of(kA));
  REQUIRE(ok);
  CHECK(ok->outcome == ObserveOutcome::New);
  CHECK(w.state.packets().size() == 1);
  CHECK(w.state.islands().check_emitter(kB, endpoint_of(kA)).error().code == Code::WrongEmitter);
}

TEST_CASE("A20 a packet is bound to its destination island, genesis and channel") {
  World w;
  const auto before = w.state;
  auto p = message(kA, "channel-1", 1);
  p.dest_island = "eip155:31339";  // proven for another destination, submitted on the route to B
  CHECK(w.state.observe(p, endpoint_of(kA)).error().code == Code::WrongDestination);
  p = message(kA, "channel-1", 1);
  p.dest_genesis = h32(0x23);      // same chain id, different genesis
  CHECK(w.state.observe(p, endpoint_of(kA)).error().code == Code::WrongDestination);
  p = message(kA, "channel-1", 1);
  p.dest_channel = "channel-0";    // not the channel's counterparty
  CHECK(w.state.observe(p, endpoint_of(kA)).error().code == Code::WrongDestination);
  p = message(kA, "channel-1", 1);
  p.source_genesis = h32(0x12);    // source genesis not the registered one
  CHECK(w.state.observe(p, endpoint_of(kA)).error().code == Code::IslandMismatch);
  p = message(kA, "channel-7", 1);
  CHECK(w.state.observe(p, endpoint_of(kA)).error().code == Code::UnknownChannel);
  CHECK(w.state == before);
  // The identity includes the source genesis; the commitment binds the destination genesis.
  auto q = message(kA, "channel-1", 1);
  auto q2 = q;
  q2.dest_genesis = h32(0x23);
  CHECK(packet_id(q) == packet_id(q2));
  CHECK(packet::commitment(q) != packet::commitment(q2));
  CHECK(to_string(packet_id(q)) ==
        "eip155:31337/0x1111111111111111111111111111111111111111111111111111111111111111/channel-1/1");
}

TEST_CASE("A21 a frozen or expired client takes no new packets; recover needs a governance-signed anchor") {
  World w;
  const auto t = transfer(kA, 1, kErc20, 10);
  REQUIRE(w.state.validate_send(t, view_of(kB, 1, 1)));
  REQUIRE(w.state.freeze_island(kB));
  CHECK(w.state.validate_send(t, view_of(kB, 1, 1)).error().code == Code::ClientFrozen);
  CHECK(w.state.observe(message(kB, "channel-1", 1), endpoint_of(kB)).error().code == Code::ClientFrozen);
  REQUIRE(w.state.mark_expired(kB));  // expired never overrides frozen
  CHECK(w.state.islands().find(kB)->status == ClientStatus::Frozen);
  REQUIRE(w.state.mark_expired(kA));
  CHECK(w.state.validate_send(t, view_of(kB, 1, 1)).error().code == Code::ClientExpired);

  const auto before = w.state;
  TrustAnchor anchor{500, h32(0xb5), 1'700'100'000, {}};
  const auto n = w.state.islands().find(kB)->nonce + 1;
  const OperatorNote note{"ops", "fork evidence reviewed", 42};
  auto unsigned_rec = w.state.client_recover({kB, anchor, n, {}}, note);
  REQUIRE_FALSE(unsigned_rec);
  CHECK(unsigned_rec.error().code == Code::InsufficientQuorum);
  auto zero = TrustAnchor{500, Hash32{}, 1, {}};
  CHECK(w.state.client_recover({kB, zero, n, sign_all(recover_digest(kB, h32(0x22), zero, n), gov_b())}, note)
            .error()
            .code == Code::ZeroRoot);
  auto wrong_keys = w.state.client_recover({kB, anchor, n, sign_all(recover_digest(kB, h32(0x22), anchor, n), {key(1)})}, note);
  CHECK(wrong_keys.error().code == Code::NotValidator);
  CHECK(w.state == before);

  auto ok = w.state.client_recover({kB, anchor, n, sign_all(recover_digest(kB, h32(0x22), anchor, n), gov_b())}, note);
  REQUIRE(ok);
  CHECK(ok->kind == OperatorActionKind::ClientRecover);
  CHECK(operator_action_name(ok->kind) == "client_recover");
  CHECK(ok->target == kB);
  CHECK(ok->note.reason == "fork evidence reviewed");
  CHECK(w.state.islands().find(kB)->status == ClientStatus::Active);
  CHECK(w.state.islands().find(kB)->spec.anchor == anchor);
  // An active client cannot be "recovered".
  auto active = w.state.client_recover(
      {kB, anchor, n + 1, sign_all(recover_digest(kB, h32(0x22), anchor, n + 1), gov_b())}, note);
  CHECK(active.error().code == Code::IllegalTransition);
}

TEST_CASE("channels: opened by both islands' governance, bound to each other, nonces advance") {
  World w;
  const auto a = spec_a();
  const auto b = spec_b();
  const auto na = w.state.islands().find(kA)->nonce + 1;
  const auto nb = w.state.islands().find(kB)->nonce + 1;
  auto ca = chan_spec(a, b, "channel-5", "app", Ordering::Unordered);
  auto cb = chan_spec(b, a, "channel-5", "app", Ordering::Unordered);
  const auto before = w.state;

  auto only_a = w.state.open_channel(signed_channel(GovAction::ChannelOpen, ca, a.genesis, na, gov_a()),
                                     signed_channel(GovAction::ChannelOpen, cb, b.genesis, nb, {}));
  CHECK(only_a.error().code == Code::InsufficientQuorum);
  auto cb_wrong = cb;
  cb_wrong.counterparty_channel = "channel-6";
  CHECK(w.state.open_channel(signed_channel(GovAction::ChannelOpen, ca, a.genesis, na, gov_a()),
                             signed_channel(GovAction::ChannelOpen, cb_wrong, b.genesis, nb, gov_b()))
            .error()
            .code == Code::UnknownChannel);
  auto ca_ord = ca;
  ca_ord.ordering = Ordering::Ordered;
  CHECK(w.state.open_channel(signed_channel(GovAction::ChannelOpen, ca_ord, a.genesis, na, gov_a()),
                             signed_channel(GovAction::ChannelOpen, cb, b.genesis, nb, gov_b()))
            .error()
            .code == Code::UnknownChannel);
  auto ca_gen = ca;
  ca_gen.counterparty_genesis = h32(0x23);
  CHECK(w.state.open_channel(signed_channel(GovAction::ChannelOpen, ca_gen, a.genesis, na, gov_a()),
                             signed_channel(GovAction::ChannelOpen, cb, b.genesis, nb, gov_b()))
            .error()
            .code == Code::IslandMismatch);
  auto ca_ep = ca;
  ca_ep.counterparty_endpoint = bytes_of("other");
  CHECK(w.state.open_channel(signed_channel(GovAction::ChannelOpen, ca_ep, a.genesis, na, gov_a()),
                             signed_channel(GovAction::ChannelOpen, cb, b.genesis, nb, gov_b()))
            .error()
            .code == Code::WrongEmitter);
  auto stale = w.state.open_channel(signed_channel(GovAction::ChannelOpen, ca, a.genesis, na - 1, gov_a()),
                                    signed_channel(GovAction::ChannelOpen, cb, b.genesis, nb, gov_b()));
  CHECK(stale.error().code == Code::GovernanceNonce);
  CHECK(w.state == before);

  auto ok = w.state.open_channel(signed_channel(GovAction::ChannelOpen, ca, a.genesis, na, gov_a()),
                                 signed_channel(GovAction::ChannelOpen, cb, b.genesis, nb, gov_b()));
  REQUIRE(ok);
  CHECK(ok->first.state == ChannelState::Open);
  CHECK(ok->first.next_send == 1);
  CHECK(ok->first.next_recv == 1);
  CHECK(ok->first.next_ack == 1);
  CHECK(w.state.islands().find(kA)->nonce == na);
  CHECK(w.state.islands().find(kB)->nonce == nb);
  auto twice = w.state.open_channel(signed_channel(GovAction::ChannelOpen, ca, a.genesis, na + 1, gov_a()),
                                    signed_channel(GovAction::ChannelOpen, cb, b.genesis, nb + 1, gov_b()));
  CHECK(twice.error().code == Code::ChannelExists);

  // Closing needs both islands' close records; then no new sends.
  auto one_close = w.state.close_channel(signed_channel(GovAction::ChannelClose, ca, a.genesis, na + 1, gov_a()),
                                         signed_channel(GovAction::ChannelClose, cb, b.genesis, nb + 1, {key(5)}));
  CHECK(one_close.error().code == Code::NotValidator);
  REQUIRE(w.state.close_channel(signed_channel(GovAction::ChannelClose, ca, a.genesis, na + 1, gov_a()),
                                signed_channel(GovAction::ChannelClose, cb, b.genesis, nb + 1, gov_b())));
  CHECK(w.state.channels().find({kA, "channel-5"})->state == ChannelState::Closed);
  CHECK(w.state.channels().find({kB, "channel-5"})->state == ChannelState::Closed);
  auto p = message(kA, "channel-5", 1);
  p.source_port = p.dest_port = "app";
  CHECK(w.state.validate_send(p, view_of(kB, 1, 1)).error().code == Code::ChannelClosed);
}

TEST_CASE("A24 channel counters survive an admin update of the island") {
  World w;
  drive_to_delivered(w.state, message(kA, "channel-1", 1));
  drive_to_delivered(w.state, message(kA, "channel-1", 2));
  auto a = spec_a();
  a.codec = "besu-qbft";
  const auto n = w.state.islands().find(kA)->nonce + 1;
  REQUIRE(w.state.update_island({a, n, sign_all(island_digest(GovAction::IslandUpdate, a, n), gov_a())}));
  CHECK(w.state.channels().find({kA, "channel-1"})->next_send == 3);
  CHECK(w.state.channels().find({kB, "channel-1"})->next_recv == 3);
  auto p3 = message(kA, "channel-1", 3);
  drive_to_delivered(w.state, p3);
  CHECK(w.state.channels().find({kB, "channel-1"})->next_recv == 4);
}

TEST_CASE("A21 trusting_period_passed: expired exactly when latest.time_ms + trusting_period_s * 1000 <= now_ms; "
          "a period of 0 never passes, a state from the future has not passed it, no overflow") {
  CHECK_FALSE(trusting_period_passed(1'000'000, 100, 1'000'000 + 99'999));
  CHECK(trusting_period_passed(1'000'000, 100, 1'000'000 + 100'000));
  CHECK(trusting_period_passed(1'000'000, 100, 1'000'000 + 100'001));
  CHECK_FALSE(trusting_period_passed(1'000'000, 0, UINT64_MAX));            // Bitcoin: no time-based expiry
  CHECK_FALSE(trusting_period_passed(2'000'000, 1, 1'000'000));             // clock skew: the state is newer
  CHECK_FALSE(trusting_period_passed(0, UINT64_MAX, UINT64_MAX));           // period·1000 would overflow
  CHECK(trusting_period_passed(0, UINT64_MAX / 1000, UINT64_MAX));
  CHECK_FALSE(trusting_period_passed(UINT64_MAX, 1, UINT64_MAX));
}
