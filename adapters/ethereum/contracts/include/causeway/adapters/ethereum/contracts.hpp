// The Causeway EVM contracts (adapters/ethereum/contracts/*.sol, docs/contracts.md): their compiled code as
// embedded at build time by the pinned solc-js, and the ABI encoding of their constructors and calls.
//
// Contract ABI (Solidity docs, "Contract ABI Specification"): core/abi.hpp encodes tuples; the dynamic arrays
// the endpoint takes (address[] committee, Attestation[]) are encoded here as `length ‖ the tuple of their
// elements`, which is the same thing. Addresses are uint160 words.
//
// Thread-safety: contract_code() parses the embedded artifact once (a function-local static, race-free); every
// other function is pure.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "causeway/core/abi.hpp"
#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"
#include "causeway/core/packet.hpp"
#include "causeway/ethereum/header.hpp"

namespace causeway::adapters::ethereum {

namespace eth = causeway::ethereum;

// ---- compiled code ------------------------------------------------------------------------------------

struct ContractCode {
  std::string name;
  Bytes creation;             // creation (init) code; append the encoded constructor arguments
  nlohmann::json methods;     // "recvPacket(…)" → 4-byte selector hex, as solc reports it
};

// Whether this build embeds the compiled contracts (node + tools/ solc-js were present at configure time).
bool contracts_available();
// "solc-js 0.8.37+commit…" (empty when not available).
std::string contracts_compiler();
// The compiled contract "Endpoint", "TransferApp", "Voucher" or "TestToken". Errors: ERR_UNSUPPORTED (not
// compiled into this build), ERR_INVALID_ARGUMENT (another name).
Result<ContractCode> contract_code(std::string_view name);

// ---- ABI arguments ------------------------------------------------------------------------------------

// One argument of a call: a static value's head word(s), or a dynamic value's tail encoding.
struct AbiArg {
  bool dynamic = false;
  Bytes enc;
};
AbiArg abi_arg(const abi::Type& type, const abi::Value& value);
// T[] of `elements` (each of type `element`).
AbiArg abi_array(const abi::Type& element, const std::vector<abi::Value>& elements);
AbiArg abi_address(const eth::Address& a);
// abi.encode(args…) (heads, then tails).
Bytes abi_encode_args(std::span<const AbiArg> args);
// 4-byte selector of a canonical signature, e.g. "bindPort(string,address)".
Bytes function_selector(std::string_view signature);
Bytes encode_call(std::string_view signature, std::span<const AbiArg> args);

abi::Value address_value(const eth::Address& a);  // a uint160 word
abi::Value packet_value(const packet::Packet& p);  // the 15-field tuple (packet::packet_type())

// One committee member's attestation (PACKET.md): audit index and 65-byte r ‖ s ‖ v.
struct EvmAttestation {
  std::uint64_t audit_index = 0;
  Bytes signature;
};

// ---- Endpoint.sol -------------------------------------------------------------------------------------

// The Solidity tuple type of Packet in signatures.
inline constexpr std::string_view kPacketTuple =
    "(uint8,string,bytes32,string,string,string,bytes32,string,string,uint64,bytes,bytes,bytes,uint64,uint64)";

// constructor(string island, bytes32 genesis, address[] members, uint256 k, address governance).
Bytes endpoint_constructor_args(std::string_view island, const Hash32& genesis, std::span<const eth::Address> members,
                                std::uint64_t k, const eth::Address& governance);

// registerChannel((string channelId, string port, string counterpartyIsland, bytes32 counterpartyGenesis,
//                  string counterpartyChannel, string counterpartyPort, bool ordered, uint64 nextSendSequence,
//                  uint64 nextRecvSequence)).
struct ChannelConfig {
  std::string channel_id;
  std::string port = "transfer";
  std::string counterparty_island;
  Hash32 counterparty_genesis;
  std::string counterparty_channel;
  std::string counterparty_port = "transfer";
  bool ordered = false;
  std::uint64_t next_send_sequence = 1;
  std::uint64_t next_recv_sequence = 1;
};
Bytes register_channel_call(const ChannelConfig& c);
// bindPort(string port, address app).
Bytes bind_port_call(std::string_view port, const eth::Address& app);
// recvPacket(Packet, (uint64,bytes)[]).
Bytes recv_packet_call(const packet::Packet& p, std::span<const EvmAttestation> atts);
// acknowledgePacket(Packet, bytes ack, (uint64,bytes)[]).
Bytes acknowledge_packet_call(const packet::Packet& p, ByteView ack_bytes, std::span<const EvmAttestation> atts);
// timeoutPacket(Packet, (uint64,bytes)[]).
Bytes timeout_packet_call(const packet::Packet& p, std::span<const EvmAttestation> atts);

// ---- TransferApp.sol ----------------------------------------------------------------------------------

// constructor(address endpoint, address governance).
Bytes transfer_app_constructor_args(const eth::Address& endpoint, const eth::Address& governance);
// registerAsset(address token).
Bytes register_asset_call(const eth::Address& token);
// sendTransfer(string channelId, address token, uint256 amount, bytes receiver, string memo, uint64 timeoutHeight,
//              uint64 timeoutTimestampNs).
Bytes send_transfer_call(std::string_view channel_id, const eth::Address& token, const abi::U256& amount,
                         ByteView receiver, std::string_view memo, std::uint64_t timeout_height,
                         std::uint64_t timeout_timestamp_ns);

// ---- ERC-20 (TestToken.sol, Voucher.sol) --------------------------------------------------------------

// TestToken constructor(string name, string symbol, uint256 supply).
Bytes test_token_constructor_args(std::string_view name, std::string_view symbol, const abi::U256& supply);
Bytes erc20_approve_call(const eth::Address& spender, const abi::U256& amount);
Bytes erc20_transfer_call(const eth::Address& to, const abi::U256& amount);
Bytes erc20_balance_of_call(const eth::Address& owner);

}  // namespace causeway::adapters::ethereum
