#include "causeway/devnet_node/tx.hpp"

#include <algorithm>
#include <cstring>

#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"

namespace causeway::devnet {
namespace {

using abi::Type;
using abi::Value;

ByteView bytes_of(std::string_view s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }
std::uint64_t u64(const Value& v) { return read_be64(v.as_uint().data() + 24); }

const Type& unsigned_type() {
  static const Type t = Type::tuple({Type::uint(8), Type::string(), Type::bytes32(), Type::uint(8), Type::bytes(),
                                     Type::uint(64), Type::bytes()});
  return t;
}
const Type& raw_type() {
  static const Type t = Type::tuple({Type::uint(8), Type::string(), Type::bytes32(), Type::uint(8), Type::bytes(),
                                     Type::uint(64), Type::bytes(), Type::bytes()});
  return t;
}

std::vector<Value> unsigned_values(const Tx& tx) {
  return {Value::uint(1),
          Value::string(tx.island),
          Value::bytes32(tx.genesis),
          Value::uint(static_cast<std::uint8_t>(tx.kind)),
          Value::bytes(ByteView(tx.from.data(), tx.from.size())),
          Value::uint(tx.nonce),
          Value::bytes(tx.body)};
}

void put_u16(Bytes& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}
void put_u32(Bytes& out, std::uint32_t v) {
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void put_u64(Bytes& out, std::uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

template <class F>
auto decode_with(const Type& t, ByteView body, const char* what, F&& f) -> decltype(f(std::declval<const std::vector<Value>&>())) {
  auto v = abi::decode(t, body);
  if (!v) return fail(v.error().code, std::string(what) + ": " + v.error().detail, "body");
  return f(v->as_tuple());
}

}  // namespace

std::string_view kind_name(TxKind k) noexcept {
  switch (k) {
    case TxKind::Transfer: return "transfer";
    case TxKind::SendTransfer: return "send_transfer";
    case TxKind::SendPacket: return "send_packet";
    case TxKind::RecvPacket: return "recv_packet";
    case TxKind::AcknowledgePacket: return "acknowledge_packet";
    case TxKind::TimeoutPacket: return "timeout_packet";
    case TxKind::ChannelOpen: return "channel_open";
    case TxKind::ValidatorSetChange: return "validator_set_change";
  }
  return "unknown";
}

Result<TxKind> parse_kind(std::string_view name) {
  for (std::uint8_t k = 1; k <= 8; ++k)
    if (kind_name(static_cast<TxKind>(k)) == name) return static_cast<TxKind>(k);
  return fail(Code::InvalidArgument, "unknown transaction kind '" + std::string(name) + "'");
}

Hash32 tx_digest(const Tx& tx) {
  Bytes msg(kTxTag.begin(), kTxTag.end());
  append(msg, abi::encode(unsigned_type(), Value::tuple(unsigned_values(tx))));
  return keccak256(msg);
}

Bytes encode_tx(const Tx& tx) {
  auto vals = unsigned_values(tx);
  vals.push_back(Value::bytes(tx.signature));
  return abi::encode(raw_type(), Value::tuple(std::move(vals)));
}

Result<Tx> decode_tx(ByteView raw) {
  if (raw.size() > kMaxTxBytes)
    return fail(Code::TooLarge, "transaction is " + std::to_string(raw.size()) + " bytes, limit " +
                                    std::to_string(kMaxTxBytes));
  auto v = abi::decode(raw_type(), raw);
  if (!v) return tl::unexpected(v.error());
  const auto& f = v->as_tuple();
  if (u64(f[0]) != 1) return fail(Code::InvalidArgument, "transaction version must be 1", "version");
  const auto kind = u64(f[3]);
  if (kind < 1 || kind > 8) return fail(Code::InvalidArgument, "unknown transaction kind " + std::to_string(kind), "kind");
  Tx tx;
  tx.island = f[1].as_string();
  tx.genesis = f[2].as_bytes32();
  tx.kind = static_cast<TxKind>(kind);
  if (f[4].as_bytes().size() != 20) return fail(Code::BadLength, "from must be a 20-byte address", "from");
  std::copy(f[4].as_bytes().begin(), f[4].as_bytes().end(), tx.from.begin());
  tx.nonce = u64(f[5]);
  tx.body = f[6].as_bytes();
  tx.signature = f[7].as_bytes();
  if (tx.signature.size() != 65) return fail(Code::BadLength, "signature must be 65 bytes r||s||v", "signature");
  return tx;
}

Hash32 tx_hash(ByteView raw) { return keccak256(raw); }

Status sign_tx(Tx& tx, ByteView secret32) {
  auto sk = secp256k1::parse_secret_key(secret32);
  if (!sk) return tl::unexpected(sk.error());
  tx.from = secp256k1::eth_address(secp256k1::public_key_of(*sk));
  auto sig = secp256k1::sign_rsv(tx_digest(tx), *sk);
  if (!sig) return tl::unexpected(sig.error());
  tx.signature.assign(sig->begin(), sig->end());
  return {};
}

Status verify_tx_signature(const Tx& tx) {
  auto pk = secp256k1::recover_rsv(tx_digest(tx), tx.signature, secp256k1::LowS::Required);
  if (!pk) return fail(pk.error().code, "transaction signature: " + pk.error().detail, "signature");
  if (secp256k1::eth_address(*pk) != tx.from)
    return fail(Code::SigInvalid, "the signature recovers to " + address_hex(secp256k1::eth_address(*pk)) +
                                      ", not to from = " + address_hex(tx.from), "signature");
  return {};
}

Result<Address> address_of(ByteView secret32) {
  auto sk = secp256k1::parse_secret_key(secret32);
  if (!sk) return tl::unexpected(sk.error());
  return secp256k1::eth_address(secp256k1::public_key_of(*sk));
}

std::string address_hex(const Address& a) { return to_hex(ByteView(a.data(), a.size())); }

Result<Address> parse_address(std::string_view hex) {
  auto b = from_hex(hex, 64);
  if (!b) return tl::unexpected(b.error());
  if (b->size() != 20) return fail(Code::BadLength, "an address is 20 bytes");
  Address a{};
  std::copy(b->begin(), b->end(), a.begin());
  return a;
}

Bytes pack_attestations(const std::vector<Attestation>& a) {
  Bytes out;
  for (const auto& x : a) {
    put_u64(out, x.audit_index);
    append(out, ByteView(x.signature.data(), x.signature.size()));
  }
  return out;
}

Result<std::vector<Attestation>> unpack_attestations(ByteView packed) {
  constexpr std::size_t kEntry = 8 + 65;
  if (packed.size() > kEntry * kMaxAttestations)
    return fail(Code::TooLarge, "at most " + std::to_string(kMaxAttestations) + " attestations", "attestations");
  if (packed.size() % kEntry != 0)
    return fail(Code::BadLength, "attestations are n × (8-byte audit_index ‖ 65-byte signature)", "attestations");
  std::vector<Attestation> out(packed.size() / kEntry);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const auto* p = packed.data() + i * kEntry;
    out[i].audit_index = read_be64(p);
    std::memcpy(out[i].signature.data(), p + 8, 65);
  }
  return out;
}

Bytes pack_validators(const std::vector<bft::Validator>& v) {
  Bytes out;
  for (const auto& x : v) {
    put_u16(out, static_cast<std::uint16_t>(x.key.size()));
    append(out, x.key);
    put_u64(out, x.power);
  }
  return out;
}

Result<std::vector<bft::Validator>> unpack_validators(ByteView packed) {
  std::vector<bft::Validator> out;
  std::size_t i = 0;
  while (i < packed.size()) {
    if (out.size() >= bft::kMaxValidators) return fail(Code::TooLarge, "too many validators", "validators");
    if (packed.size() - i < 2) return fail(Code::BadLength, "truncated validator entry", "validators");
    const std::size_t len = (std::size_t{packed[i]} << 8) | packed[i + 1];
    i += 2;
    if (len == 0 || len > 65 || packed.size() - i < len + 8)
      return fail(Code::BadLength, "truncated or oversized validator entry", "validators");
    bft::Validator v;
    v.key.assign(packed.begin() + static_cast<std::ptrdiff_t>(i), packed.begin() + static_cast<std::ptrdiff_t>(i + len));
    i += len;
    v.power = read_be64(packed.data() + i);
    i += 8;
    out.push_back(std::move(v));
  }
  return out;
}

Bytes pack_commit(const bft::Commit& c) {
  Bytes out;
  for (const auto& s : c) {
    put_u32(out, s.validator);
    append(out, s.signature);
  }
  return out;
}

Result<bft::Commit> unpack_commit(ByteView packed) {
  constexpr std::size_t kEntry = 4 + 64;
  if (packed.size() > kEntry * 2 * bft::kMaxValidators) return fail(Code::TooLarge, "too many signatures", "signatures");
  if (packed.size() % kEntry != 0)
    return fail(Code::BadLength, "signatures are n × (4-byte index ‖ 64-byte r‖s)", "signatures");
  bft::Commit out(packed.size() / kEntry);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const auto* p = packed.data() + i * kEntry;
    out[i].validator = (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
    out[i].signature.assign(p + 4, p + 4 + 64);
  }
  return out;
}

Bytes valset_sign_bytes(std::string_view island, const Hash32& genesis, const Hash32& current_validators_hash,
                        const Hash32& new_validators_hash) {
  Bytes out(kValsetTag.begin(), kValsetTag.end());
  put_u16(out, static_cast<std::uint16_t>(island.size()));
  append(out, bytes_of(island));
  append(out, genesis.view());
  append(out, current_validators_hash.view());
  append(out, new_validators_hash.view());
  return out;
}

// ---- bodies ---------------------------------------------------------------------------------------

Bytes encode_body(const TransferBody& b) {
  static const Type t = Type::tuple({Type::bytes(), Type::string(), Type::uint(256)});
  return abi::encode(t, Value::tuple({Value::bytes(b.to), Value::string(b.denom), Value::uint256(b.amount)}));
}
Result<TransferBody> decode_transfer(ByteView body) {
  static const Type t = Type::tuple({Type::bytes(), Type::string(), Type::uint(256)});
  return decode_with(t, body, "transfer", [](const std::vector<Value>& f) -> Result<TransferBody> {
    return TransferBody{f[0].as_bytes(), f[1].as_string(), f[2].as_uint()};
  });
}

static const Type& send_transfer_type() {
  static const Type t = Type::tuple({Type::string(), Type::string(), Type::uint(256), Type::bytes(), Type::string(),
                                     Type::uint(64), Type::uint(64)});
  return t;
}
Bytes encode_body(const SendTransferBody& b) {
  return abi::encode(send_transfer_type(),
                     Value::tuple({Value::string(b.source_channel), Value::string(b.denom), Value::uint256(b.amount),
                                   Value::bytes(b.receiver), Value::string(b.memo), Value::uint(b.timeout_height),
                                   Value::uint(b.timeout_timestamp_ns)}));
}
Result<SendTransferBody> decode_send_transfer(ByteView body) {
  return decode_with(send_transfer_type(), body, "send_transfer", [](const std::vector<Value>& f) -> Result<SendTransferBody> {
    return SendTransferBody{f[0].as_string(), f[1].as_string(), f[2].as_uint(), f[3].as_bytes(),
                            f[4].as_string(), u64(f[5]), u64(f[6])};
  });
}

static const Type& send_packet_type() {
  static const Type t = Type::tuple({Type::string(), Type::bytes(), Type::bytes(), Type::uint(64), Type::uint(64)});
  return t;
}
Bytes encode_body(const SendPacketBody& b) {
  return abi::encode(send_packet_type(),
                     Value::tuple({Value::string(b.source_channel), Value::bytes(b.receiver), Value::bytes(b.payload),
                                   Value::uint(b.timeout_height), Value::uint(b.timeout_timestamp_ns)}));
}
Result<SendPacketBody> decode_send_packet(ByteView body) {
  return decode_with(send_packet_type(), body, "send_packet", [](const std::vector<Value>& f) -> Result<SendPacketBody> {
    return SendPacketBody{f[0].as_string(), f[1].as_bytes(), f[2].as_bytes(), u64(f[3]), u64(f[4])};
  });
}

static const Type& two_bytes_type() {
  static const Type t = Type::tuple({Type::bytes(), Type::bytes()});
  return t;
}
Bytes encode_body(const RecvPacketBody& b) {
  return abi::encode(two_bytes_type(),
                     Value::tuple({Value::bytes(b.packet_bytes), Value::bytes(pack_attestations(b.attestations))}));
}
Result<RecvPacketBody> decode_recv_packet(ByteView body) {
  return decode_with(two_bytes_type(), body, "recv_packet", [](const std::vector<Value>& f) -> Result<RecvPacketBody> {
    auto a = unpack_attestations(f[1].as_bytes());
    if (!a) return tl::unexpected(a.error());
    return RecvPacketBody{f[0].as_bytes(), std::move(*a)};
  });
}
Bytes encode_body(const TimeoutPacketBody& b) {
  return abi::encode(two_bytes_type(),
                     Value::tuple({Value::bytes(b.packet_bytes), Value::bytes(pack_attestations(b.attestations))}));
}
Result<TimeoutPacketBody> decode_timeout_packet(ByteView body) {
  return decode_with(two_bytes_type(), body, "timeout_packet", [](const std::vector<Value>& f) -> Result<TimeoutPacketBody> {
    auto a = unpack_attestations(f[1].as_bytes());
    if (!a) return tl::unexpected(a.error());
    return TimeoutPacketBody{f[0].as_bytes(), std::move(*a)};
  });
}

static const Type& three_bytes_type() {
  static const Type t = Type::tuple({Type::bytes(), Type::bytes(), Type::bytes()});
  return t;
}
Bytes encode_body(const AckPacketBody& b) {
  return abi::encode(three_bytes_type(), Value::tuple({Value::bytes(b.packet_bytes), Value::bytes(b.ack_bytes),
                                                       Value::bytes(pack_attestations(b.attestations))}));
}
Result<AckPacketBody> decode_ack_packet(ByteView body) {
  return decode_with(three_bytes_type(), body, "acknowledge_packet", [](const std::vector<Value>& f) -> Result<AckPacketBody> {
    auto a = unpack_attestations(f[2].as_bytes());
    if (!a) return tl::unexpected(a.error());
    return AckPacketBody{f[0].as_bytes(), f[1].as_bytes(), std::move(*a)};
  });
}

static const Type& channel_open_type() {
  static const Type t = Type::tuple({Type::string(), Type::string(), Type::string(), Type::bytes32(), Type::string(),
                                     Type::string(), Type::boolean()});
  return t;
}
Bytes encode_body(const ChannelOpenBody& b) {
  return abi::encode(channel_open_type(),
                     Value::tuple({Value::string(b.channel_id), Value::string(b.port), Value::string(b.counterparty_island),
                                   Value::bytes32(b.counterparty_genesis), Value::string(b.counterparty_channel),
                                   Value::string(b.counterparty_port), Value::boolean(b.ordered)}));
}
Result<ChannelOpenBody> decode_channel_open(ByteView body) {
  return decode_with(channel_open_type(), body, "channel_open", [](const std::vector<Value>& f) -> Result<ChannelOpenBody> {
    return ChannelOpenBody{f[0].as_string(), f[1].as_string(), f[2].as_string(), f[3].as_bytes32(),
                           f[4].as_string(), f[5].as_string(), f[6].as_bool()};
  });
}

Bytes encode_body(const ValidatorSetChangeBody& b) {
  return abi::encode(two_bytes_type(), Value::tuple({Value::bytes(pack_validators(b.validators)),
                                                     Value::bytes(pack_commit(b.signatures))}));
}
Result<ValidatorSetChangeBody> decode_validator_set_change(ByteView body) {
  return decode_with(two_bytes_type(), body, "validator_set_change",
                     [](const std::vector<Value>& f) -> Result<ValidatorSetChangeBody> {
                       auto v = unpack_validators(f[0].as_bytes());
                       if (!v) return tl::unexpected(v.error());
                       auto c = unpack_commit(f[1].as_bytes());
                       if (!c) return tl::unexpected(c.error());
                       return ValidatorSetChangeBody{std::move(*v), std::move(*c)};
                     });
}

// ---- amounts --------------------------------------------------------------------------------------

Result<U256> add(const U256& a, const U256& b) {
  U256 out{};
  unsigned carry = 0;
  for (int i = 31; i >= 0; --i) {
    const auto idx = static_cast<std::size_t>(i);
    const unsigned s = unsigned{a[idx]} + unsigned{b[idx]} + carry;
    out[idx] = static_cast<std::uint8_t>(s);
    carry = s >> 8;
  }
  if (carry != 0) return fail(Code::Overflow, "amount overflows uint256");
  return out;
}

Result<U256> sub(const U256& a, const U256& b) {
  if (compare(a, b) < 0)
    return fail(Code::InsufficientFunds, "have " + abi::u256_to_decimal(a) + ", need " + abi::u256_to_decimal(b));
  U256 out{};
  int borrow = 0;
  for (int i = 31; i >= 0; --i) {
    const auto idx = static_cast<std::size_t>(i);
    int d = int{a[idx]} - int{b[idx]} - borrow;
    borrow = d < 0 ? 1 : 0;
    if (d < 0) d += 256;
    out[idx] = static_cast<std::uint8_t>(d);
  }
  return out;
}

int compare(const U256& a, const U256& b) noexcept {
  const int c = std::memcmp(a.data(), b.data(), 32);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

bool is_zero(const U256& a) noexcept {
  return std::all_of(a.begin(), a.end(), [](std::uint8_t x) { return x == 0; });
}

}  // namespace causeway::devnet
