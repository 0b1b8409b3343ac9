#include "causeway/core/packet.hpp"

#include <algorithm>
#include <cstring>

#include "causeway/core/hash.hpp"

namespace causeway::packet {
namespace {

using abi::Type;
using abi::Value;

ByteView bytes_of(std::string_view s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

Status bound(std::size_t size, std::size_t max, const char* field) {
  if (size > max)
    return fail(Code::TooLarge, std::string(field) + " is " + std::to_string(size) + " bytes, limit " +
                                    std::to_string(max), field);
  return {};
}

const Type& inner_packet_type() {
  static const Type t = Type::tuple({
      Type::uint(8),     // version
      Type::string(),    // source_island
      Type::bytes32(),   // source_genesis
      Type::string(),    // source_channel
      Type::string(),    // source_port
      Type::string(),    // dest_island
      Type::bytes32(),   // dest_genesis
      Type::string(),    // dest_channel
      Type::string(),    // dest_port
      Type::uint(64),    // sequence
      Type::bytes(),     // sender
      Type::bytes(),     // receiver
      Type::bytes(),     // payload
      Type::uint(64),    // timeout_height
      Type::uint(64),    // timeout_timestamp_ns
  });
  return t;
}

// abi.encode(p): the argument list holding one (dynamic) tuple.
const Type& args_type() {
  static const Type t = Type::tuple({inner_packet_type()});
  return t;
}

const Type& transfer_type() {
  static const Type t = Type::tuple({Type::string(), Type::uint(256), Type::bytes(), Type::bytes(), Type::string()});
  return t;
}

const Type& ack_type() {
  static const Type t = Type::tuple({Type::bytes32(), Type::boolean(), Type::bytes()});
  return t;
}

// uint64 fields decode as U256 that the ABI decoder already proved to fit 64 bits.
std::uint64_t u64(const Value& v) { return read_be64(v.as_uint().data() + 24); }

Hash32 keccak_encode(const Type& t, std::vector<Value> values) { return keccak256(abi::encode(t, Value::tuple(std::move(values)))); }

}  // namespace

const abi::Type& packet_type() { return inner_packet_type(); }

Bytes encode_packet(const Packet& p) {
  Value inner = Value::tuple({
      Value::uint(p.version),
      Value::string(p.source_island),
      Value::bytes32(p.source_genesis),
      Value::string(p.source_channel),
      Value::string(p.source_port),
      Value::string(p.dest_island),
      Value::bytes32(p.dest_genesis),
      Value::string(p.dest_channel),
      Value::string(p.dest_port),
      Value::uint(p.sequence),
      Value::bytes(p.sender),
      Value::bytes(p.receiver),
      Value::bytes(p.payload),
      Value::uint(p.timeout_height),
      Value::uint(p.timeout_timestamp_ns),
  });
  return abi::encode(args_type(), Value::tuple({std::move(inner)}));
}

Result<Packet> decode_packet(ByteView packet_bytes) {
  // Bound before parsing: anything longer cannot satisfy the field bounds below.
  if (auto s = bound(packet_bytes.size(), kMaxPacketBytes, "packet_bytes"); !s) return tl::unexpected(s.error());
  auto decoded = abi::decode(args_type(), packet_bytes);
  if (!decoded) return tl::unexpected(decoded.error());
  const auto& f = decoded->as_tuple()[0].as_tuple();
  Packet p;
  const abi::U256& version = f[0].as_uint();
  if (version[31] != kVersion)
    return fail(Code::PacketInvalid, "packet version " + std::to_string(version[31]) + " is not 1", "version");
  p.version = version[31];
  p.source_island = f[1].as_string();
  p.source_genesis = f[2].as_bytes32();
  p.source_channel = f[3].as_string();
  p.source_port = f[4].as_string();
  p.dest_island = f[5].as_string();
  p.dest_genesis = f[6].as_bytes32();
  p.dest_channel = f[7].as_string();
  p.dest_port = f[8].as_string();
  p.sequence = u64(f[9]);
  p.sender = f[10].as_bytes();
  p.receiver = f[11].as_bytes();
  p.payload = f[12].as_bytes();
  p.timeout_height = u64(f[13]);
  p.timeout_timestamp_ns = u64(f[14]);
  const std::pair<const std::string*, const char*> strings[] = {
      {&p.source_island, "source_island"}, {&p.source_channel, "source_channel"}, {&p.source_port, "source_port"},
      {&p.dest_island, "dest_island"},     {&p.dest_channel, "dest_channel"},     {&p.dest_port, "dest_port"}};
  for (const auto& [s, name] : strings)
    if (auto st = bound(s->size(), kMaxStringBytes, name); !st) return tl::unexpected(st.error());
  if (auto st = bound(p.sender.size(), kMaxAccountBytes, "sender"); !st) return tl::unexpected(st.error());
  if (auto st = bound(p.receiver.size(), kMaxAccountBytes, "receiver"); !st) return tl::unexpected(st.error());
  if (auto st = bound(p.payload.size(), kMaxPayloadBytes, "payload"); !st) return tl::unexpected(st.error());
  return p;
}

Hash32 commitment(ByteView packet_bytes) { return keccak256(packet_bytes); }
Hash32 commitment(const Packet& p) { return keccak256(encode_packet(p)); }

Hash32 tag(std::string_view s) { return keccak256(bytes_of(s)); }

Bytes encode_transfer_payload(const TransferPayload& t) {
  return abi::encode(transfer_type(), Value::tuple({Value::string(t.denom), Value::uint256(t.amount),
                                                    Value::bytes(t.sender), Value::bytes(t.receiver),
                                                    Value::string(t.memo)}));
}

Result<TransferPayload> decode_transfer_payload(ByteView payload) {
  if (auto s = bound(payload.size(), kMaxPayloadBytes, "payload"); !s) return tl::unexpected(s.error());
  auto decoded = abi::decode(transfer_type(), payload);
  if (!decoded) return tl::unexpected(decoded.error());
  const auto& f = decoded->as_tuple();
  TransferPayload t;
  t.denom = f[0].as_string();
  t.amount = f[1].as_uint();
  t.sender = f[2].as_bytes();
  t.receiver = f[3].as_bytes();
  t.memo = f[4].as_string();
  if (auto s = bound(t.denom.size(), kMaxDenomBytes, "denom"); !s) return tl::unexpected(s.error());
  if (auto s = bound(t.sender.size(), kMaxAccountBytes, "sender"); !s) return tl::unexpected(s.error());
  if (auto s = bound(t.receiver.size(), kMaxAccountBytes, "receiver"); !s) return tl::unexpected(s.error());
  if (auto s = bound(t.memo.size(), kMaxMemoBytes, "memo"); !s) return tl::unexpected(s.error());
  return t;
}

Hash32 packet_sent_topic0() { return tag("PacketSent(bytes32,uint64,bytes)"); }
Hash32 acknowledgement_written_topic0() { return tag("AcknowledgementWritten(bytes32,bytes)"); }

Hash32 receipt_storage_slot(const Hash32& commitment_hash) {
  std::array<std::uint8_t, 64> buf{};  // commitment ‖ uint256(0)
  std::memcpy(buf.data(), commitment_hash.data(), 32);
  return keccak256(buf);
}

Hash32 attestation_digest(std::string_view dest_island, const Hash32& dest_genesis, ByteView dest_endpoint,
                          const Hash32& commitment_hash, std::uint64_t audit_index) {
  static const Type t =
      Type::tuple({Type::bytes32(), Type::string(), Type::bytes32(), Type::bytes(), Type::bytes32(), Type::uint(64)});
  return keccak_encode(t, {Value::bytes32(tag("causeway.attestation.v1")), Value::string(dest_island),
                           Value::bytes32(dest_genesis), Value::bytes(dest_endpoint), Value::bytes32(commitment_hash),
                           Value::uint(audit_index)});
}

Hash32 ack_attestation_digest(std::string_view source_island, const Hash32& source_genesis,
                              ByteView source_endpoint, const Hash32& commitment_hash,
                              const Hash32& ack_commitment_hash, std::uint64_t audit_index) {
  static const Type t = Type::tuple({Type::bytes32(), Type::string(), Type::bytes32(), Type::bytes(), Type::bytes32(),
                                     Type::bytes32(), Type::uint(64)});
  return keccak_encode(t, {Value::bytes32(tag("causeway.ack.v1")), Value::string(source_island),
                           Value::bytes32(source_genesis), Value::bytes(source_endpoint),
                           Value::bytes32(commitment_hash), Value::bytes32(ack_commitment_hash),
                           Value::uint(audit_index)});
}

Hash32 timeout_attestation_digest(std::string_view source_island, const Hash32& source_genesis,
                                  ByteView source_endpoint, const Hash32& commitment_hash,
                                  std::uint64_t audit_index) {
  static const Type t =
      Type::tuple({Type::bytes32(), Type::string(), Type::bytes32(), Type::bytes(), Type::bytes32(), Type::uint(64)});
  return keccak_encode(t, {Value::bytes32(tag("causeway.timeout.v1")), Value::string(source_island),
                           Value::bytes32(source_genesis), Value::bytes(source_endpoint),
                           Value::bytes32(commitment_hash), Value::uint(audit_index)});
}

Bytes encode_ack(const Ack& a) { return ack_bytes(a.commitment, a.success, a.result); }

Bytes ack_bytes(const Hash32& commitment_hash, bool success, ByteView result) {
  return abi::encode(ack_type(),
                     Value::tuple({Value::bytes32(commitment_hash), Value::boolean(success), Value::bytes(result)}));
}

Result<Ack> decode_ack(ByteView ack) {
  if (auto s = bound(ack.size(), 32 * 4 + kMaxAckResultBytes, "ack_bytes"); !s) return tl::unexpected(s.error());
  auto decoded = abi::decode(ack_type(), ack);
  if (!decoded) return tl::unexpected(decoded.error());
  const auto& f = decoded->as_tuple();
  Ack a;
  a.commitment = f[0].as_bytes32();
  a.success = f[1].as_bool();
  a.result = f[2].as_bytes();
  if (auto s = bound(a.result.size(), kMaxAckResultBytes, "result"); !s) return tl::unexpected(s.error());
  return a;
}

Hash32 ack_commitment(ByteView ack) { return keccak256(ack); }

bool is_timed_out(std::uint64_t timeout_height, std::uint64_t timeout_timestamp_ns, std::uint64_t block_height,
                  std::uint64_t block_time, DestClock clock) noexcept {
  if (timeout_height != 0 && block_height >= timeout_height) return true;
  if (timeout_timestamp_ns == 0) return false;
  const std::uint64_t unit = clock == DestClock::EvmSeconds ? 1'000'000'000u : 1'000'000u;
  // block_time × unit ≥ T  ⇔  block_time ≥ ⌈T / unit⌉ (exact for integers; no product is formed).
  const std::uint64_t min_time = timeout_timestamp_ns / unit + (timeout_timestamp_ns % unit != 0 ? 1 : 0);
  return block_time >= min_time;
}

bool is_timed_out(const Packet& p, std::uint64_t block_height, std::uint64_t block_time, DestClock clock) noexcept {
  return is_timed_out(p.timeout_height, p.timeout_timestamp_ns, block_height, block_time, clock);
}

RouteTag route_tag(std::string_view dest_island, std::string_view dest_port, std::string_view dest_channel) {
  std::string route;
  route.reserve(dest_island.size() + dest_port.size() + dest_channel.size() + 2);
  route.append(dest_island).append("/").append(dest_port).append("/").append(dest_channel);
  const Hash32 h = tag(route);
  RouteTag r{};
  std::copy_n(h.b.begin(), r.size(), r.begin());
  return r;
}

Result<DepositData> parse_deposit_op_return(ByteView data) {
  constexpr std::size_t kPrefix = kDepositMagic.size() + sizeof(RouteTag);  // 12
  if (data.size() > kMaxOpReturnBytes)
    return fail(Code::DepositInvalid, "OP_RETURN data is " + std::to_string(data.size()) + " bytes, limit 80");
  if (data.size() < kPrefix + 1) return fail(Code::DepositInvalid, "OP_RETURN data too short for CWY1 + route + receiver");
  if (!std::equal(kDepositMagic.begin(), kDepositMagic.end(), data.begin()))
    return fail(Code::DepositInvalid, "OP_RETURN data does not start with CWY1");
  const std::size_t receiver_len = data.size() - kPrefix;
  if (receiver_len > kMaxAccountBytes)
    return fail(Code::DepositInvalid, "receiver is " + std::to_string(receiver_len) + " bytes, limit 64");
  DepositData d;
  std::copy_n(data.begin() + kDepositMagic.size(), d.route.size(), d.route.begin());
  d.receiver.assign(data.begin() + kPrefix, data.end());
  return d;
}

Result<Bytes> deposit_op_return(const RouteTag& route, ByteView receiver) {
  if (receiver.empty() || receiver.size() > kMaxAccountBytes)
    return fail(Code::DepositInvalid, "receiver must be 1..64 bytes");
  Bytes out(kDepositMagic.begin(), kDepositMagic.end());
  append(out, route);
  append(out, receiver);
  return out;
}

Result<std::uint64_t> deposit_sequence(std::uint32_t height, std::uint32_t tx_index, std::uint32_t vout) {
  if (vout > 255) return fail(Code::DepositInvalid, "deposit outputs beyond index 255 are refused");
  if (tx_index >= (1u << 24)) return fail(Code::DepositInvalid, "transaction index does not fit 24 bits");
  return (static_cast<std::uint64_t>(height) << 32) | (static_cast<std::uint64_t>(tx_index) << 8) | vout;
}

Hash32 sth_message_hash(std::uint64_t tree_size, std::uint64_t timestamp_ms, const Hash32& root_hash) {
  constexpr std::string_view kDomain = "causeway.sth.v1";
  Bytes msg;
  msg.reserve(kDomain.size() + 8 + 8 + 32);
  append(msg, bytes_of(kDomain));
  std::uint8_t be[8];
  write_be64(be, tree_size);
  append(msg, ByteView(be, 8));
  write_be64(be, timestamp_ms);
  append(msg, ByteView(be, 8));
  append(msg, root_hash.view());
  return sha256(msg);
}

}  // namespace causeway::packet
