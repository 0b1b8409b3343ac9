#include "causeway/adapters/ethereum/contracts.hpp"

#include <cstddef>
#include <optional>

#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"

namespace causeway::adapters::ethereum {

namespace detail {
extern const char* const kContractsArtifactPieces[];
extern const std::size_t kContractsArtifactPieceCount;
}  // namespace detail

namespace {

using json = nlohmann::json;

// The embedded artifact, parsed once; null when this build has none.
const json& artifact() {
  static const json parsed = [] {
    if (detail::kContractsArtifactPieceCount == 0) return json();
    std::string text;
    for (std::size_t i = 0; i < detail::kContractsArtifactPieceCount; ++i) text += detail::kContractsArtifactPieces[i];
    return json::parse(text);  // generated at build time by compile.js: well-formed by construction
  }();
  return parsed;
}

abi::Value tuple_of(std::vector<abi::Value> v) { return abi::Value::tuple(std::move(v)); }

}  // namespace

bool contracts_available() { return !artifact().is_null(); }

std::string contracts_compiler() {
  return contracts_available() ? artifact().at("compiler").get<std::string>() : std::string();
}

Result<ContractCode> contract_code(std::string_view name) {
  if (!contracts_available()) {
    return fail(Code::Unsupported,
                "this build has no compiled contracts (node and tools/ solc-js were absent at configure time: run "
                "deploy/install-deps.sh and cmake again)",
                std::string(name));
  }
  const json& contracts = artifact().at("contracts");
  const auto it = contracts.find(std::string(name));
  if (it == contracts.end()) return fail(Code::InvalidArgument, "unknown contract", std::string(name));
  auto code = from_hex(it->at("bytecode").get<std::string>());
  if (!code || code->empty()) return fail(Code::Unsupported, "contract has no bytecode", std::string(name));
  return ContractCode{std::string(name), std::move(*code), it->at("methods")};
}

// ---- ABI arguments ------------------------------------------------------------------------------------

AbiArg abi_arg(const abi::Type& type, const abi::Value& value) {
  Bytes enc = abi::encode(abi::Type::tuple({type}), tuple_of({value}));
  if (!type.is_dynamic()) return {false, std::move(enc)};
  // abi.encode(x) for one dynamic x is the offset word 0x20 followed by x's encoding.
  return {true, Bytes(enc.begin() + 32, enc.end())};
}

AbiArg abi_array(const abi::Type& element, const std::vector<abi::Value>& elements) {
  Bytes enc;
  const abi::U256 n = abi::u256_from_u64(elements.size());
  append(enc, ByteView(n.data(), n.size()));
  if (!elements.empty()) {
    std::vector<abi::Type> types(elements.size(), element);
    append(enc, abi::encode(abi::Type::tuple(std::move(types)), tuple_of(elements)));
  }
  return {true, std::move(enc)};
}

abi::Value address_value(const eth::Address& a) {
  abi::U256 w{};
  std::copy(a.begin(), a.end(), w.begin() + 12);
  return abi::Value::uint256(w);
}

AbiArg abi_address(const eth::Address& a) { return abi_arg(abi::Type::uint(160), address_value(a)); }

Bytes abi_encode_args(std::span<const AbiArg> args) {
  std::size_t head = 0;
  for (const AbiArg& a : args) head += a.dynamic ? 32 : a.enc.size();
  Bytes heads, tails;
  for (const AbiArg& a : args) {
    if (a.dynamic) {
      const abi::U256 off = abi::u256_from_u64(head + tails.size());
      append(heads, ByteView(off.data(), off.size()));
      append(tails, a.enc);
    } else {
      append(heads, a.enc);
    }
  }
  append(heads, tails);
  return heads;
}

Bytes function_selector(std::string_view signature) {
  const Hash32 h = keccak256(ByteView(reinterpret_cast<const std::uint8_t*>(signature.data()), signature.size()));
  return Bytes(h.b.begin(), h.b.begin() + 4);
}

Bytes encode_call(std::string_view signature, std::span<const AbiArg> args) {
  Bytes out = function_selector(signature);
  append(out, abi_encode_args(args));
  return out;
}

abi::Value packet_value(const packet::Packet& p) {
  using abi::Value;
  return tuple_of({Value::uint(p.version), Value::string(p.source_island), Value::bytes32(p.source_genesis),
                   Value::string(p.source_channel), Value::string(p.source_port), Value::string(p.dest_island),
                   Value::bytes32(p.dest_genesis), Value::string(p.dest_channel), Value::string(p.dest_port),
                   Value::uint(p.sequence), Value::bytes(p.sender), Value::bytes(p.receiver), Value::bytes(p.payload),
                   Value::uint(p.timeout_height), Value::uint(p.timeout_timestamp_ns)});
}

namespace {

AbiArg packet_arg(const packet::Packet& p) { return abi_arg(packet::packet_type(), packet_value(p)); }

AbiArg attestations_arg(std::span<const EvmAttestation> atts) {
  std::vector<abi::Value> v;
  for (const EvmAttestation& a : atts) v.push_back(tuple_of({abi::Value::uint(a.audit_index), abi::Value::bytes(a.signature)}));
  return abi_array(abi::Type::tuple({abi::Type::uint(64), abi::Type::bytes()}), v);
}

AbiArg str(std::string_view s) { return abi_arg(abi::Type::string(), abi::Value::string(s)); }
AbiArg bytes_arg(ByteView b) { return abi_arg(abi::Type::bytes(), abi::Value::bytes(b)); }
AbiArg u64(std::uint64_t x) { return abi_arg(abi::Type::uint(64), abi::Value::uint(x)); }
AbiArg u256(const abi::U256& x) { return abi_arg(abi::Type::uint(256), abi::Value::uint256(x)); }

const std::string kPacket(kPacketTuple);

}  // namespace

// ---- Endpoint.sol -------------------------------------------------------------------------------------

Bytes endpoint_constructor_args(std::string_view island, const Hash32& genesis, std::span<const eth::Address> members,
                                std::uint64_t k, const eth::Address& governance) {
  std::vector<abi::Value> m;
  for (const eth::Address& a : members) m.push_back(address_value(a));
  const AbiArg args[] = {str(island), abi_arg(abi::Type::bytes32(), abi::Value::bytes32(genesis)),
                         abi_array(abi::Type::uint(160), m), u256(abi::u256_from_u64(k)), abi_address(governance)};
  return abi_encode_args(args);
}

Bytes register_channel_call(const ChannelConfig& c) {
  using abi::Type;
  using abi::Value;
  const Type t = Type::tuple({Type::string(), Type::string(), Type::string(), Type::bytes32(), Type::string(),
                              Type::string(), Type::boolean(), Type::uint(64), Type::uint(64)});
  const Value v = tuple_of({Value::string(c.channel_id), Value::string(c.port), Value::string(c.counterparty_island),
                            Value::bytes32(c.counterparty_genesis), Value::string(c.counterparty_channel),
                            Value::string(c.counterparty_port), Value::boolean(c.ordered),
                            Value::uint(c.next_send_sequence), Value::uint(c.next_recv_sequence)});
  const AbiArg args[] = {abi_arg(t, v)};
  return encode_call("registerChannel((string,string,string,bytes32,string,string,bool,uint64,uint64))", args);
}

Bytes bind_port_call(std::string_view port, const eth::Address& app) {
  const AbiArg args[] = {str(port), abi_address(app)};
  return encode_call("bindPort(string,address)", args);
}

Bytes recv_packet_call(const packet::Packet& p, std::span<const EvmAttestation> atts) {
  const AbiArg args[] = {packet_arg(p), attestations_arg(atts)};
  return encode_call("recvPacket(" + kPacket + ",(uint64,bytes)[])", args);
}

Bytes acknowledge_packet_call(const packet::Packet& p, ByteView ack_bytes, std::span<const EvmAttestation> atts) {
  const AbiArg args[] = {packet_arg(p), bytes_arg(ack_bytes), attestations_arg(atts)};
  return encode_call("acknowledgePacket(" + kPacket + ",bytes,(uint64,bytes)[])", args);
}

Bytes timeout_packet_call(const packet::Packet& p, std::span<const EvmAttestation> atts) {
  const AbiArg args[] = {packet_arg(p), attestations_arg(atts)};
  return encode_call("timeoutPacket(" + kPacket + ",(uint64,bytes)[])", args);
}

// ---- TransferApp.sol ----------------------------------------------------------------------------------

Bytes transfer_app_constructor_args(const eth::Address& endpoint, const eth::Address& governance) {
  const AbiArg args[] = {abi_address(endpoint), abi_address(governance)};
  return abi_encode_args(args);
}

Bytes register_asset_call(const eth::Address& token) {
  const AbiArg args[] = {abi_address(token)};
  return encode_call("registerAsset(address)", args);
}

Bytes send_transfer_call(std::string_view channel_id, const eth::Address& token, const abi::U256& amount,
                         ByteView receiver, std::string_view memo, std::uint64_t timeout_height,
                         std::uint64_t timeout_timestamp_ns) {
  const AbiArg args[] = {str(channel_id), abi_address(token), u256(amount), bytes_arg(receiver), str(memo),
                         u64(timeout_height), u64(timeout_timestamp_ns)};
  return encode_call("sendTransfer(string,address,uint256,bytes,string,uint64,uint64)", args);
}

// ---- ERC-20 -------------------------------------------------------------------------------------------

Bytes test_token_constructor_args(std::string_view name, std::string_view symbol, const abi::U256& supply) {
  const AbiArg args[] = {str(name), str(symbol), u256(supply)};
  return abi_encode_args(args);
}

Bytes erc20_approve_call(const eth::Address& spender, const abi::U256& amount) {
  const AbiArg args[] = {abi_address(spender), u256(amount)};
  return encode_call("approve(address,uint256)", args);
}

Bytes erc20_transfer_call(const eth::Address& to, const abi::U256& amount) {
  const AbiArg args[] = {abi_address(to), u256(amount)};
  return encode_call("transfer(address,uint256)", args);
}

Bytes erc20_balance_of_call(const eth::Address& owner) {
  const AbiArg args[] = {abi_address(owner)};
  return encode_call("balanceOf(address)", args);
}

}  // namespace causeway::adapters::ethereum
