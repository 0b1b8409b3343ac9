// The devnet's transaction execution: transfers, the endpoint module (PACKET.md) and the transfer application
// (ICS-20 semantics), channel opening and validator-set changes. docs/devnet.md lists every rule.
#include <algorithm>
#include <set>

#include "causeway/bft/commit.hpp"
#include "causeway/bft/devnet_codec.hpp"
#include "causeway/bft/inclusion.hpp"
#include "causeway/bft/rfc6962_suite.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/core/packet.hpp"
#include "state.hpp"

namespace causeway::devnet::detail {
namespace {

using abi::Type;
using abi::Value;

std::uint64_t u64(const Value& v) { return read_be64(v.as_uint().data() + 24); }

Bytes be64(std::uint64_t v) {
  Bytes b(8);
  write_be64(b.data(), v);
  return b;
}

const Type& channel_type() {
  static const Type t = Type::tuple({Type::string(), Type::string(), Type::string(), Type::bytes32(), Type::string(),
                                     Type::string(), Type::boolean(), Type::uint(64), Type::uint(64)});
  return t;
}

Status with_at(Status s, const std::string& at) {
  if (!s && s.error().at.empty()) s.error().at = at;
  return s;
}

// The k-of-n rule (PACKET.md "Attestations"): every signature must recover (low-S) to a committee member, no
// member twice, and at least k distinct members.
Status check_attestations(const std::vector<Attestation>& atts, const Committee& committee,
                          const std::function<Hash32(std::uint64_t)>& digest_of) {
  std::set<Address> seen;
  for (std::size_t i = 0; i < atts.size(); ++i) {
    const std::string at = "attestations[" + std::to_string(i) + "]";
    auto pk = secp256k1::recover_rsv(digest_of(atts[i].audit_index),
                                     ByteView(atts[i].signature.data(), atts[i].signature.size()),
                                     secp256k1::LowS::Required);
    if (!pk) return fail(pk.error().code, "attestation signature: " + pk.error().detail, at);
    const Address who = secp256k1::eth_address(*pk);
    if (std::find(committee.members.begin(), committee.members.end(), who) == committee.members.end())
      return fail(Code::NotValidator, "attestation signed by " + address_hex(who) + ", not a committee member", at);
    if (!seen.insert(who).second)
      return fail(Code::DuplicateSeal, "committee member " + address_hex(who) + " attests twice", at);
  }
  if (seen.size() < committee.k)
    return fail(Code::InsufficientQuorum, std::to_string(seen.size()) + " distinct committee members attest, " +
                                              std::to_string(committee.k) + " required", "attestations");
  return {};
}

std::string prefix_of(std::string_view port, std::string_view channel) {
  return std::string(port) + "/" + std::string(channel) + "/";
}
bool starts_with(std::string_view s, std::string_view p) { return s.size() >= p.size() && s.substr(0, p.size()) == p; }

Result<packet::Packet> decode_own_packet(ByteView bytes) {
  auto p = packet::decode_packet(bytes);
  if (!p) return fail(p.error().code, "packet_bytes: " + p.error().detail, "packet_bytes");
  return p;
}

// ---- sending -----------------------------------------------------------------------------------------

Result<Channel> sending_channel(const Overlay& st, const std::string& id) {
  auto ch = st.channel(id);
  if (!ch) return fail(Code::UnknownChannel, "no channel '" + id + "'", "source_channel");
  return *ch;
}

Status check_send_common(const Bytes& receiver, std::uint64_t th, std::uint64_t tts) {
  if (receiver.empty() || receiver.size() > packet::kMaxAccountBytes)
    return fail(Code::InvalidArgument, "receiver must be 1-64 bytes", "receiver");
  if (th == 0 && tts == 0)
    return fail(Code::PacketInvalid, "a packet needs a timeout height or timestamp (PACKET.md)", "timeout");
  return {};
}

packet::Packet new_packet(const ExecContext& ctx, Channel& ch, const Tx& tx, const Bytes& receiver, Bytes payload,
                          std::uint64_t th, std::uint64_t tts) {
  packet::Packet p;
  p.source_island = ctx.island;
  p.source_genesis = ctx.genesis;
  p.source_channel = ch.channel_id;
  p.source_port = ch.port;
  p.dest_island = ch.counterparty_island;
  p.dest_genesis = ch.counterparty_genesis;
  p.dest_channel = ch.counterparty_channel;
  p.dest_port = ch.counterparty_port;
  p.sequence = ch.next_send_sequence++;
  p.sender.assign(tx.from.begin(), tx.from.end());
  p.receiver = receiver;
  p.payload = std::move(payload);
  p.timeout_height = th;
  p.timeout_timestamp_ns = tts;
  return p;
}

Status emit_sent(Overlay& st, const packet::Packet& p, std::vector<Bytes>& events) {
  const Bytes bytes = packet::encode_packet(p);
  if (bytes.size() > packet::kMaxPacketBytes) return fail(Code::TooLarge, "packet too large", "payload");
  const Hash32 c = packet::commitment(bytes);
  if (st.sent(c)) return fail(Code::PacketReplayed, "a packet with this commitment was already sent");
  st.put_sent(c, SentPacket{SentStatus::Pending, bytes});
  events.push_back(bft::packet_sent_leaf(bytes));
  return {};
}

Status exec_send_transfer(Overlay& st, const Tx& tx, const ExecContext& ctx, std::vector<Bytes>& events) {
  auto b = decode_send_transfer(tx.body);
  if (!b) return tl::unexpected(b.error());
  auto ch = sending_channel(st, b->source_channel);
  if (!ch) return tl::unexpected(ch.error());
  if (ch->port != "transfer")
    return fail(Code::InvalidArgument, "channel '" + ch->channel_id + "' is bound to port '" + ch->port +
                                           "', send_transfer needs port transfer", "source_channel");
  if (auto s = check_denom(b->denom); !s) return s;
  if (is_zero(b->amount)) return fail(Code::InvalidArgument, "amount must be positive", "amount");
  if (b->memo.size() > packet::kMaxMemoBytes) return fail(Code::TooLarge, "memo too long", "memo");
  if (auto s = check_send_common(b->receiver, b->timeout_height, b->timeout_timestamp_ns); !s) return s;
  const std::string sender = address_hex(tx.from);
  if (starts_with(b->denom, prefix_of(ch->port, ch->channel_id))) {
    // A voucher going home: burn it.
    if (auto s = st.debit(sender, b->denom, b->amount); !s) return with_at(s, "amount");
  } else {
    // Native (or a voucher of another path): escrow it on this channel.
    if (auto s = st.debit(sender, b->denom, b->amount); !s) return with_at(s, "amount");
    if (auto s = st.credit(escrow_account(ch->channel_id), b->denom, b->amount); !s) return s;
  }
  packet::TransferPayload t{b->denom, b->amount, Bytes(tx.from.begin(), tx.from.end()), b->receiver, b->memo};
  auto p = new_packet(ctx, *ch, tx, b->receiver, packet::encode_transfer_payload(t), b->timeout_height,
                      b->timeout_timestamp_ns);
  st.put_channel(*ch);
  return emit_sent(st, p, events);
}

Status exec_send_packet(Overlay& st, const Tx& tx, const ExecContext& ctx, std::vector<Bytes>& events) {
  auto b = decode_send_packet(tx.body);
  if (!b) return tl::unexpected(b.error());
  auto ch = sending_channel(st, b->source_channel);
  if (!ch) return tl::unexpected(ch.error());
  if (ch->port == "transfer")
    return fail(Code::InvalidArgument, "port transfer takes send_transfer (the payload is the transfer app's)",
                "source_channel");
  if (b->payload.size() > packet::kMaxPayloadBytes) return fail(Code::TooLarge, "payload too large", "payload");
  if (auto s = check_send_common(b->receiver, b->timeout_height, b->timeout_timestamp_ns); !s) return s;
  auto p = new_packet(ctx, *ch, tx, b->receiver, b->payload, b->timeout_height, b->timeout_timestamp_ns);
  st.put_channel(*ch);
  return emit_sent(st, p, events);
}

// ---- receiving ---------------------------------------------------------------------------------------

// The transfer app on the destination: release (voucher going home) or mint. An error here becomes an error
// acknowledgement; the caller discards this overlay's changes then.
Status transfer_receive(Overlay& st, const packet::Packet& p) {
  auto t = packet::decode_transfer_payload(p.payload);
  if (!t) return fail(t.error().code, "transfer payload: " + t.error().detail);
  if (auto s = check_denom(t->denom); !s) return s;
  if (t->receiver.size() != 20) return fail(Code::InvalidArgument, "receiver is not a 20-byte devnet address");
  if (is_zero(t->amount)) return fail(Code::InvalidArgument, "zero amount");
  Address to{};
  std::copy(t->receiver.begin(), t->receiver.end(), to.begin());
  const std::string prefix = prefix_of(p.source_port, p.source_channel);
  if (starts_with(t->denom, prefix)) {
    const std::string base = t->denom.substr(prefix.size());
    if (base.empty()) return fail(Code::InvalidArgument, "empty base denom");
    if (auto s = st.debit(escrow_account(p.dest_channel), base, t->amount); !s)
      return fail(s.error().code, "escrow of channel " + p.dest_channel + ": " + s.error().detail);
    return st.credit(address_hex(to), base, t->amount);
  }
  const std::string voucher = prefix_of(p.dest_port, p.dest_channel) + t->denom;
  if (auto s = check_denom(voucher); !s) return s;
  return st.credit(address_hex(to), voucher, t->amount);
}

Status exec_recv_packet(Overlay& st, const Tx& tx, const ExecContext& ctx, std::vector<Bytes>& events) {
  auto b = decode_recv_packet(tx.body);
  if (!b) return tl::unexpected(b.error());
  auto p = decode_own_packet(b->packet_bytes);
  if (!p) return tl::unexpected(p.error());
  if (p->dest_island != ctx.island || p->dest_genesis != ctx.genesis)
    return fail(Code::IslandMismatch, "packet is for " + p->dest_island + " / " + to_hex(p->dest_genesis.view()) +
                                          ", this is " + ctx.island + " / " + to_hex(ctx.genesis.view()), "packet_bytes");
  auto ch = st.channel(p->dest_channel);
  if (!ch || ch->port != p->dest_port || ch->counterparty_island != p->source_island ||
      ch->counterparty_genesis != p->source_genesis || ch->counterparty_channel != p->source_channel ||
      ch->counterparty_port != p->source_port)
    return fail(Code::UnknownChannel, "no channel " + p->dest_port + "/" + p->dest_channel + " bound to " +
                                          p->source_island + " " + p->source_port + "/" + p->source_channel, "packet_bytes");
  const Hash32 c = packet::commitment(b->packet_bytes);
  if (auto s = check_attestations(b->attestations, *ctx.committee, [&](std::uint64_t idx) {
        return packet::attestation_digest(ctx.island, ctx.genesis, ctx.endpoint_id, c, idx);
      });
      !s)
    return s;
  if (st.packet_receipt(c)) return fail(Code::PacketReplayed, "packet " + to_hex(c.view()) + " was already received");
  if (packet::is_timed_out(*p, ctx.height, ctx.time_ms, packet::DestClock::DevnetMillis))
    return fail(Code::PacketTimedOut, "packet timed out at height " + std::to_string(ctx.height) + ", time_ms " +
                                          std::to_string(ctx.time_ms));
  if (ch->ordered) {
    if (p->sequence != ch->next_recv_sequence)
      return fail(Code::PacketSequence, "ordered channel " + ch->channel_id + " expects sequence " +
                                            std::to_string(ch->next_recv_sequence) + ", got " +
                                            std::to_string(p->sequence));
    ++ch->next_recv_sequence;
    st.put_channel(*ch);
  }
  // The application; its failure is an error acknowledgement, not a failed transaction.
  Overlay app(&st);
  Status r = ch->port == "transfer" ? transfer_receive(app, *p) : Status{};
  Bytes result;
  if (r) {
    app.merge_into(st);
    result = {0x01};
  } else {
    const std::string msg = std::string(code_name(r.error().code)) + ": " + r.error().detail;
    result.assign(msg.begin(), msg.end());
  }
  const Bytes ack = packet::ack_bytes(c, r.has_value(), result);
  const Hash32 ack_c = packet::ack_commitment(ack);
  st.put(recv_key(c), Bytes(ack_c.b.begin(), ack_c.b.end()));
  events.push_back(bft::packet_received_leaf(c, ack_c));
  events.push_back(bft::ack_written_leaf(ack));
  return {};
}

// ---- acknowledgements and timeouts (source side) ------------------------------------------------------

// Refund of a transfer packet, exactly once (callers flip the status in the same overlay).
Status refund(Overlay& st, const packet::Packet& p) {
  if (p.source_port != "transfer") return {};
  auto t = packet::decode_transfer_payload(p.payload);
  if (!t) return fail(t.error().code, "own transfer payload: " + t.error().detail);
  const std::string to = to_hex(t->sender);
  if (starts_with(t->denom, prefix_of(p.source_port, p.source_channel)))
    return st.credit(to, t->denom, t->amount);  // re-mint the burned voucher
  if (auto s = st.debit(escrow_account(p.source_channel), t->denom, t->amount); !s) return s;
  return st.credit(to, t->denom, t->amount);
}

Result<std::pair<packet::Packet, Hash32>> own_pending_packet(const Overlay& st, ByteView bytes, const ExecContext& ctx) {
  auto p = decode_own_packet(bytes);
  if (!p) return tl::unexpected(p.error());
  if (p->source_island != ctx.island || p->source_genesis != ctx.genesis)
    return fail(Code::IslandMismatch, "packet was not sent by this island", "packet_bytes");
  const Hash32 c = packet::commitment(bytes);
  auto sent = st.sent(c);
  if (!sent) return fail(Code::PacketInvalid, "no packet " + to_hex(c.view()) + " was sent here", "packet_bytes");
  if (sent->status != SentStatus::Pending)
    return fail(Code::PacketReplayed, "packet " + to_hex(c.view()) + " was already acknowledged or timed out");
  return std::pair{*p, c};
}

Status exec_ack_packet(Overlay& st, const Tx& tx, const ExecContext& ctx, std::vector<Bytes>& events) {
  auto b = decode_ack_packet(tx.body);
  if (!b) return tl::unexpected(b.error());
  auto pc = own_pending_packet(st, b->packet_bytes, ctx);
  if (!pc) return tl::unexpected(pc.error());
  const auto& [p, c] = *pc;
  auto ack = packet::decode_ack(b->ack_bytes);
  if (!ack) return fail(ack.error().code, "ack_bytes: " + ack.error().detail, "ack_bytes");
  if (ack->commitment != c) return fail(Code::PacketInvalid, "the acknowledgement names another packet", "ack_bytes");
  const Hash32 ack_c = packet::ack_commitment(b->ack_bytes);
  if (auto s = check_attestations(b->attestations, *ctx.committee, [&](std::uint64_t idx) {
        return packet::ack_attestation_digest(ctx.island, ctx.genesis, ctx.endpoint_id, c, ack_c, idx);
      });
      !s)
    return s;
  if (!ack->success)
    if (auto s = refund(st, p); !s) return s;
  st.put_sent(c, SentPacket{ack->success ? SentStatus::Acknowledged : SentStatus::Refunded, b->packet_bytes});
  Bytes leaf{kLeafAckProcessed};
  append(leaf, c.view());
  append(leaf, ack_c.view());
  events.push_back(std::move(leaf));
  return {};
}

Status exec_timeout_packet(Overlay& st, const Tx& tx, const ExecContext& ctx, std::vector<Bytes>& events) {
  auto b = decode_timeout_packet(tx.body);
  if (!b) return tl::unexpected(b.error());
  auto pc = own_pending_packet(st, b->packet_bytes, ctx);
  if (!pc) return tl::unexpected(pc.error());
  const auto& [p, c] = *pc;
  if (p.timeout_height == 0 && p.timeout_timestamp_ns == 0)
    return fail(Code::PacketInvalid, "the packet has no timeout");
  if (auto s = check_attestations(b->attestations, *ctx.committee, [&](std::uint64_t idx) {
        return packet::timeout_attestation_digest(ctx.island, ctx.genesis, ctx.endpoint_id, c, idx);
      });
      !s)
    return s;
  if (auto s = refund(st, p); !s) return s;
  st.put_sent(c, SentPacket{SentStatus::TimedOut, b->packet_bytes});
  Bytes leaf{kLeafTimeoutProcessed};
  append(leaf, c.view());
  events.push_back(std::move(leaf));
  return {};
}

// ---- governance and validators ------------------------------------------------------------------------

Status exec_channel_open(Overlay& st, const Tx& tx, const ExecContext& ctx, std::vector<Bytes>& events) {
  if (!ctx.governance || *ctx.governance != tx.from)
    return fail(Code::Unauthorized, "only the governance address named in the genesis may open channels", "from");
  auto b = decode_channel_open(tx.body);
  if (!b) return tl::unexpected(b.error());
  if (auto s = check_identifier(b->channel_id, "channel_id"); !s) return s;
  if (auto s = check_identifier(b->port, "port"); !s) return s;
  if (auto s = check_identifier(b->counterparty_channel, "counterparty_channel"); !s) return s;
  if (auto s = check_identifier(b->counterparty_port, "counterparty_port"); !s) return s;
  if (auto s = check_island(b->counterparty_island, "counterparty_island"); !s) return s;
  if (b->counterparty_genesis.is_zero())
    return fail(Code::ZeroRoot, "counterparty genesis must not be zero", "counterparty_genesis");
  if (st.channel(b->channel_id)) return fail(Code::StoreConflict, "channel '" + b->channel_id + "' exists", "channel_id");
  Channel ch{b->channel_id, b->port, b->counterparty_island, b->counterparty_genesis, b->counterparty_channel,
             b->counterparty_port, b->ordered, 1, 1};
  st.put_channel(ch);
  Bytes leaf{kLeafChannelOpened};
  leaf.insert(leaf.end(), ch.channel_id.begin(), ch.channel_id.end());
  events.push_back(std::move(leaf));
  return {};
}

Status exec_validator_set_change(Overlay& st, const Tx& tx, const ExecContext& ctx) {
  auto b = decode_validator_set_change(tx.body);
  if (!b) return tl::unexpected(b.error());
  auto next = bft::ValidatorSet::create(ctx.suite, b->validators);
  if (!next) return fail(next.error().code, "new validator set: " + next.error().detail, "validators");
  const bft::ValidatorSet& current = *ctx.block_validators;
  if (st.validators(ctx.suite) != current)
    return fail(Code::StoreConflict, "a validator-set change is already pending in this block");
  const Hash32 cur_h = bft::devnet::validators_hash(current);
  const Hash32 new_h = bft::devnet::validators_hash(*next);
  if (cur_h == new_h) return fail(Code::InvalidArgument, "the new set equals the current set", "validators");
  const Bytes msg = valset_sign_bytes(ctx.island, ctx.genesis, cur_h, new_h);
  auto tally = bft::verify_commit(current, msg, b->signatures);
  if (!tally) return fail(tally.error().code, "validator signatures: " + tally.error().detail, "signatures");
  if (!bft::more_than_two_thirds(tally->signed_power, tally->total_power))
    return fail(Code::InsufficientQuorum, "signed by " + std::to_string(tally->signed_power) + " of " +
                                              std::to_string(tally->total_power) + " power; more than 2/3 required",
                "signatures");
  if (ctx.held_power) {
    const std::uint64_t held = ctx.held_power(*next);
    if (!bft::more_than_two_thirds(held, next->total_power()))
      return fail(Code::InvalidArgument, "this devnet holds keys for only " + std::to_string(held) + " of " +
                                             std::to_string(next->total_power()) +
                                             " power of the new set and could not sign blocks with it "
                                             "(devnet_generateValidatorKeys makes keys it holds)", "validators");
  }
  st.put_validators(*next);
  return {};
}

Status exec_transfer(Overlay& st, const Tx& tx) {
  auto b = decode_transfer(tx.body);
  if (!b) return tl::unexpected(b.error());
  if (b->to.size() != 20) return fail(Code::BadLength, "to must be a 20-byte address", "to");
  if (auto s = check_denom(b->denom); !s) return s;
  if (is_zero(b->amount)) return fail(Code::InvalidArgument, "amount must be positive", "amount");
  if (auto s = st.debit(address_hex(tx.from), b->denom, b->amount); !s) return with_at(s, "amount");
  return st.credit(to_hex(b->to), b->denom, b->amount);
}

}  // namespace

// ---- overlay accessors --------------------------------------------------------------------------------

std::string balance_key(std::string_view account, std::string_view denom) {
  return "bal/" + std::string(account) + "/" + std::string(denom);
}
std::string nonce_key(const Address& a) { return "nonce/" + address_hex(a); }
std::string recv_key(const Hash32& c) { return "recv/" + to_hex(c.view()); }
std::string sent_key(const Hash32& c) { return "sent/" + to_hex(c.view()); }
std::string channel_key(std::string_view id) { return "chan/" + std::string(id); }

Bytes encode_channel(const Channel& c) {
  return abi::encode(channel_type(),
                     Value::tuple({Value::string(c.channel_id), Value::string(c.port), Value::string(c.counterparty_island),
                                   Value::bytes32(c.counterparty_genesis), Value::string(c.counterparty_channel),
                                   Value::string(c.counterparty_port), Value::boolean(c.ordered),
                                   Value::uint(c.next_send_sequence), Value::uint(c.next_recv_sequence)}));
}

Result<Channel> decode_channel(ByteView b) {
  auto v = abi::decode(channel_type(), b);
  if (!v) return tl::unexpected(v.error());
  const auto& f = v->as_tuple();
  return Channel{f[0].as_string(), f[1].as_string(), f[2].as_string(), f[3].as_bytes32(), f[4].as_string(),
                 f[5].as_string(), f[6].as_bool(),   u64(f[7]),         u64(f[8])};
}

Bytes encode_sent(const SentPacket& s) {
  Bytes out{static_cast<std::uint8_t>(s.status)};
  append(out, s.packet_bytes);
  return out;
}

Result<SentPacket> decode_sent(ByteView b) {
  if (b.empty() || b[0] < 1 || b[0] > 4) return fail(Code::StoreIo, "corrupt sent-packet record");
  return SentPacket{static_cast<SentStatus>(b[0]), Bytes(b.begin() + 1, b.end())};
}

U256 Overlay::balance(const std::string& account, const std::string& denom) const {
  auto v = get(balance_key(account, denom));
  U256 out{};
  if (v && v->size() == 32) std::copy(v->begin(), v->end(), out.begin());
  return out;
}
void Overlay::set_balance(const std::string& account, const std::string& denom, const U256& v) {
  if (is_zero(v))
    erase(balance_key(account, denom));
  else
    put(balance_key(account, denom), Bytes(v.begin(), v.end()));
}
Status Overlay::credit(const std::string& account, const std::string& denom, const U256& v) {
  auto sum = add(balance(account, denom), v);
  if (!sum) return tl::unexpected(sum.error());
  set_balance(account, denom, *sum);
  return {};
}
Status Overlay::debit(const std::string& account, const std::string& denom, const U256& v) {
  auto diff = sub(balance(account, denom), v);
  if (!diff) return fail(diff.error().code, account + " " + denom + ": " + diff.error().detail);
  set_balance(account, denom, *diff);
  return {};
}
std::uint64_t Overlay::nonce(const Address& a) const {
  auto v = get(nonce_key(a));
  return v && v->size() == 8 ? read_be64(v->data()) : 0;
}
void Overlay::set_nonce(const Address& a, std::uint64_t n) { put(nonce_key(a), be64(n)); }
std::optional<Channel> Overlay::channel(const std::string& id) const {
  auto v = get(channel_key(id));
  if (!v) return std::nullopt;
  auto c = decode_channel(*v);
  if (!c) return std::nullopt;
  return *c;
}
void Overlay::put_channel(const Channel& c) { put(channel_key(c.channel_id), encode_channel(c)); }
std::optional<Hash32> Overlay::packet_receipt(const Hash32& commitment) const {
  auto v = get(recv_key(commitment));
  if (!v || v->size() != 32) return std::nullopt;
  return Hash32::from(*v);
}
std::optional<SentPacket> Overlay::sent(const Hash32& commitment) const {
  auto v = get(sent_key(commitment));
  if (!v) return std::nullopt;
  auto s = decode_sent(*v);
  if (!s) return std::nullopt;
  return *s;
}
void Overlay::put_sent(const Hash32& commitment, const SentPacket& s) { put(sent_key(commitment), encode_sent(s)); }
bft::ValidatorSet Overlay::validators(bft::Suite s) const {
  auto v = get(kValsKey);
  if (!v) return {};
  auto list = unpack_validators(*v);
  if (!list) return {};
  auto set = bft::ValidatorSet::create(s, *list);
  return set ? *set : bft::ValidatorSet{};
}
void Overlay::put_validators(const bft::ValidatorSet& set) {
  put(kValsKey, pack_validators(std::vector<bft::Validator>(set.validators().begin(), set.validators().end())));
}

Hash32 state_root(bft::Suite s, const std::map<std::string, Bytes>& state) {
  std::vector<Hash32> leaves;
  leaves.reserve(state.size());
  Bytes leaf;
  for (const auto& [k, v] : state) {
    leaf.clear();
    leaf.push_back(static_cast<std::uint8_t>(k.size() >> 8));
    leaf.push_back(static_cast<std::uint8_t>(k.size()));
    leaf.insert(leaf.end(), k.begin(), k.end());
    append(leaf, v);
    leaves.push_back(bft::rfc6962::leaf_hash(s, leaf));
  }
  return bft::rfc6962::root(s, leaves);
}

Status execute(Overlay& st, const Tx& tx, const ExecContext& ctx, std::vector<Bytes>& events) {
  switch (tx.kind) {
    case TxKind::Transfer: return exec_transfer(st, tx);
    case TxKind::SendTransfer: return exec_send_transfer(st, tx, ctx, events);
    case TxKind::SendPacket: return exec_send_packet(st, tx, ctx, events);
    case TxKind::RecvPacket: return exec_recv_packet(st, tx, ctx, events);
    case TxKind::AcknowledgePacket: return exec_ack_packet(st, tx, ctx, events);
    case TxKind::TimeoutPacket: return exec_timeout_packet(st, tx, ctx, events);
    case TxKind::ChannelOpen: return exec_channel_open(st, tx, ctx, events);
    case TxKind::ValidatorSetChange: return exec_validator_set_change(st, tx, ctx);
  }
  return fail(Code::InvalidArgument, "unknown transaction kind");
}

}  // namespace causeway::devnet::detail

namespace causeway::devnet {
std::string escrow_account(std::string_view channel_id) { return "escrow:" + std::string(channel_id); }
}  // namespace causeway::devnet
