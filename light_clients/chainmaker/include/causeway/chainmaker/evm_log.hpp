// An EVM log as ChainMaker records it: a ContractEvent of an EVM contract's transaction result (PACKET.md "Source
// events": ChainMaker EVM contracts use the Solidity endpoint unchanged; docs/islands/chainmaker.md "EVM contracts").
//
// Shape (ChainMaker v2.x, ContractResult.contract_event[i] of a transaction to an EVM contract):
//   topic         = topic0 as exactly 64 LOWERCASE hex digits, no "0x"      (keccak256 of the event signature)
//   contract_name = the contract's name (e.g. "EVM_ERC20_1"), not its 20-byte address
//   event_data    = [topic1, …, topicN, data]: each indexed topic as exactly 64 lowercase hex digits, then the
//                   log's whole data as ONE lowercase hex string (any even length, "" for no data), no "0x"
//
// Evidence: the real ChainMaker v2.3.2 block 30 of ../shared/vectors/chainmaker/pzy2000_ChineseChess-Chain
// (block.txs[0].result.contract_result.contract_event[0]) is an ERC-20 Transfer(address indexed, address indexed,
// uint256): topic "ddf252ad…b3ef" (= keccak256("Transfer(address,address,uint256)") bare), contract_name
// "EVM_ERC20_1", event_data = [from topic, to topic, value data], each 64 lowercase hex digits.
// What that data does NOT confirm: data longer (or shorter) than 32 bytes — e.g. the dynamic `bytes` of
// PacketSent — is read by the same rule (one hex string holding the whole data) but no real event shows it; nor an
// empty data (read as ""); nor a log with no indexed topic or with 3. The number of indexed topics is not in the
// event, so the caller gives it (from the event signature's `indexed` parameters).
//
// Emitter (A19): a ContractEvent names the contract by contract_name, which the relay compares with the registered
// endpoint. That name is trustworthy only where every contract's logs are recorded under its own name. Upstream
// (chainmaker.org/chainmaker/vm-evm, evm-go closure.go) runs an EVM-to-EVM call inside ONE EVM before block_version
// 2300 and records every log under the ENTRY contract's name (emitContractEvent: ContractName = r.Contract.Name), so
// a contract the endpoint calls could emit a forged PacketSent attributed to the endpoint. The relay therefore reads
// EVM logs only from blocks with block_version >= kEvmPerContractLogsFromVersion and refuses earlier ones
// (ERR_UNSUPPORTED; engine ChainmakerPlugin). From 2300 on it relies on upstream running each called contract in
// its own VM (logs under the callee's name): read from upstream's code, NOT confirmed by real data of a nested call.
//
// Data bound: upstream refuses an event whose event_data entry is longer than protocol.EventDataMaxLen = 65,535
// characters, so one log's data is at most 32,767 bytes (65,534 hex digits); anything longer cannot be a real event.
//
// Canonical forms only (Go's hex.EncodeToString): uppercase digits, a "0x" prefix or an odd number of digits are
// refused, so one log has exactly one accepted spelling. Sizes are bounded before decoding.
// Pure; thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "causeway/chainmaker/block.hpp"
#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"

namespace causeway::chainmaker {

inline constexpr std::size_t kMaxEvmIndexedTopics = 3;       // LOG0 … LOG4: topic0 + at most 3 indexed topics
inline constexpr std::size_t kMaxEvmLogDataBytes = 32767;  // one log's data: 65,535 hex characters at most upstream
// The first block_version whose EVM logs are recorded under the emitting contract's own name (see above).
inline constexpr std::uint32_t kEvmPerContractLogsFromVersion = 2300;

struct EvmLog {
  Hash32 topic0;               // the event signature hash (ContractEvent.topic)
  std::vector<Hash32> topics;  // the indexed topics topic1 … topicN (event_data[0 … N-1])
  Bytes data;                  // the log data (event_data[N])
  bool operator==(const EvmLog&) const = default;
};

// `indexed_topics` = N, the number of indexed parameters of the event (0 … kMaxEvmIndexedTopics).
// Errors (at names the field: "topic", "event_data", "event_data[i]"):
//   ERR_INVALID_ARGUMENT  N > kMaxEvmIndexedTopics
//   ERR_BAD_LENGTH        event_data does not hold exactly N + 1 entries; a topic that is not 64 hex digits
//   ERR_TOO_LARGE         data over kMaxEvmLogDataBytes, i.e. a data string of 65,536 characters or more (checked on
//                         the string length, before decoding; 65,535 characters is odd-length: ERR_BAD_HEX)
//   ERR_BAD_HEX           a digit that is not 0-9a-f (uppercase included), a "0x" prefix, an odd-length data
Result<EvmLog> read_evm_log(const ContractEvent& event, std::size_t indexed_topics);

// Exactly 64 lowercase hex digits → 32 bytes. Errors: ERR_BAD_LENGTH (another length), ERR_BAD_HEX.
Result<Hash32> parse_evm_topic(std::string_view hex64);

// The topic string ChainMaker records for an event whose topic0 is `topic0`: 64 lowercase hex digits.
std::string evm_topic_string(const Hash32& topic0);

}  // namespace causeway::chainmaker
