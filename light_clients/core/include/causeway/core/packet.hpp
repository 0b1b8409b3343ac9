// The Causeway packet protocol v1 (../shared/PACKET.md): packet bytes, commitments, transfer payloads,
// attestation / acknowledgement / timeout digests, EVM event topics and receipt slot, Bitcoin deposits,
// the timed-out predicate and the signed-tree-head message. Every value here is byte-exact with
// vectors/packet/golden-v1.json. Changing any of it is a new protocol version.
//
// Thread-safety: value types and pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "causeway/core/abi.hpp"
#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"

namespace causeway::packet {

// Size bounds applied by decode_packet (PACKET.md leaves them to the implementation; these are v1's).
inline constexpr std::size_t kMaxStringBytes = 128;     // island ids, channels, ports (CAIP-2 ids are ≤ 41)
inline constexpr std::size_t kMaxAccountBytes = 64;     // sender, receiver
inline constexpr std::size_t kMaxPayloadBytes = 65536;  // payload
// The largest canonical encoding those bounds allow: 0x20 word, 15 head words, 7 strings, 3 byte strings.
inline constexpr std::size_t kMaxPacketBytes =
    32 + 15 * 32 + 7 * (32 + kMaxStringBytes) + 2 * (32 + kMaxAccountBytes) + (32 + kMaxPayloadBytes);

inline constexpr std::uint8_t kVersion = 1;

// PACKET.md "Packet": the 15-field tuple, in order.
struct Packet {
  std::uint8_t version = kVersion;
  std::string source_island;
  Hash32 source_genesis;
  std::string source_channel;
  std::string source_port;
  std::string dest_island;
  Hash32 dest_genesis;
  std::string dest_channel;
  std::string dest_port;
  std::uint64_t sequence = 0;
  Bytes sender;
  Bytes receiver;
  Bytes payload;
  std::uint64_t timeout_height = 0;         // destination height; 0 = none
  std::uint64_t timeout_timestamp_ns = 0;   // destination block time, ns since the Unix epoch; 0 = none
  bool operator==(const Packet&) const = default;
};

// The ABI type of the packet tuple (uint8, string, bytes32, string, string, string, bytes32, string, string,
// uint64, bytes, bytes, bytes, uint64, uint64).
const abi::Type& packet_type();

// packet_bytes = abi.encode(packet): the encoding of ONE tuple argument, so it starts with the word 0x20.
// Encodes any field values (bounds are the decoder's job). PACKET.md "Packet".
Bytes encode_packet(const Packet& p);

// Strict inverse of encode_packet. Strings are taken as bytes (UTF-8 is not validated, as in Solidity);
// the domain layer judges island/channel/port syntax. Errors: ERR_TOO_LARGE (input over kMaxPacketBytes,
// or a field over its bound), ERR_ABI_DECODE (not a canonical encoding, see abi.hpp),
// ERR_PACKET_INVALID (version ≠ 1).
Result<Packet> decode_packet(ByteView packet_bytes);

// commitment = keccak256(packet_bytes). PACKET.md "Packet".
Hash32 commitment(ByteView packet_bytes);
Hash32 commitment(const Packet& p);

// tag(s) = keccak256(utf8(s)). PACKET.md "Notation".
Hash32 tag(std::string_view s);

// ---- transfer payload (PACKET.md "Transfer payload") ------------------------------------------------

inline constexpr std::size_t kMaxDenomBytes = 1024;  // full denom trace
inline constexpr std::size_t kMaxMemoBytes = 32768;

struct TransferPayload {
  std::string denom;   // base denom or port/channel/…/base
  abi::U256 amount{};  // smallest unit, 32-byte big-endian uint256
  Bytes sender;
  Bytes receiver;
  std::string memo;
  bool operator==(const TransferPayload&) const = default;
};

// abi.encode(string denom, uint256 amount, bytes sender, bytes receiver, string memo).
Bytes encode_transfer_payload(const TransferPayload& t);

// Strict inverse. Errors: ERR_TOO_LARGE (input over kMaxPayloadBytes, denom over kMaxDenomBytes,
// sender/receiver over kMaxAccountBytes, memo over kMaxMemoBytes), ERR_ABI_DECODE.
Result<TransferPayload> decode_transfer_payload(ByteView payload);

// ---- EVM events and receipts (PACKET.md "Source events", "Acknowledgements and timeouts") ----------

// keccak256("PacketSent(bytes32,uint64,bytes)").
Hash32 packet_sent_topic0();
// keccak256("AcknowledgementWritten(bytes32,bytes)").
Hash32 acknowledgement_written_topic0();

// The storage slot of receipts[commitment] in `mapping(bytes32 => bytes32) receipts` at slot 0:
// keccak256(commitment ‖ uint256(0)) (Solidity storage layout for mappings).
Hash32 receipt_storage_slot(const Hash32& commitment);

// ---- attestations (PACKET.md "Attestations", "Acknowledgements and timeouts") ----------------------

// keccak256(abi.encode(tag("causeway.attestation.v1"), string dest_island, bytes32 dest_genesis,
//   bytes dest_endpoint, bytes32 commitment, uint64 audit_index)).
Hash32 attestation_digest(std::string_view dest_island, const Hash32& dest_genesis, ByteView dest_endpoint,
                          const Hash32& commitment, std::uint64_t audit_index);

// keccak256(abi.encode(tag("causeway.ack.v1"), string source_island, bytes32 source_genesis,
//   bytes source_endpoint, bytes32 commitment, bytes32 ack_commitment, uint64 audit_index)).
Hash32 ack_attestation_digest(std::string_view source_island, const Hash32& source_genesis,
                              ByteView source_endpoint, const Hash32& commitment, const Hash32& ack_commitment,
                              std::uint64_t audit_index);

// keccak256(abi.encode(tag("causeway.timeout.v1"), string source_island, bytes32 source_genesis,
//   bytes source_endpoint, bytes32 commitment, uint64 audit_index)).
Hash32 timeout_attestation_digest(std::string_view source_island, const Hash32& source_genesis,
                                  ByteView source_endpoint, const Hash32& commitment, std::uint64_t audit_index);

// ---- acknowledgements ------------------------------------------------------------------------------

inline constexpr std::size_t kMaxAckResultBytes = 65536;

struct Ack {
  Hash32 commitment;
  bool success = false;
  Bytes result;
  bool operator==(const Ack&) const = default;
};

// ack_bytes = abi.encode(bytes32 commitment, bool success, bytes result).
Bytes encode_ack(const Ack& a);
Bytes ack_bytes(const Hash32& commitment, bool success, ByteView result);
// Strict inverse. Errors: ERR_TOO_LARGE (result over kMaxAckResultBytes), ERR_ABI_DECODE.
Result<Ack> decode_ack(ByteView ack_bytes);
// ack_commitment = keccak256(ack_bytes).
Hash32 ack_commitment(ByteView ack_bytes);

// ---- timeouts (PACKET.md "Timed out") --------------------------------------------------------------

// The unit of a destination block's time.
enum class DestClock {
  EvmSeconds,    // EVM block.timestamp in seconds: time in ns = t × 10^9
  DevnetMillis,  // devnet time_ms: time in ns = t × 10^6
};

// True iff (timeout_height ≠ 0 and block_height ≥ timeout_height) or (timeout_timestamp_ns ≠ 0 and
// block_time × unit ≥ timeout_timestamp_ns). The product is never formed, so no overflow: a block time
// whose value in ns exceeds 2^64 − 1 is past every timeout, including 2^64 − 1.
bool is_timed_out(std::uint64_t timeout_height, std::uint64_t timeout_timestamp_ns, std::uint64_t block_height,
                  std::uint64_t block_time, DestClock clock) noexcept;
bool is_timed_out(const Packet& p, std::uint64_t block_height, std::uint64_t block_time, DestClock clock) noexcept;

// ---- Bitcoin deposits (PACKET.md "Bitcoin deposits") ----------------------------------------------

using RouteTag = std::array<std::uint8_t, 8>;

inline constexpr std::array<std::uint8_t, 4> kDepositMagic = {0x43, 0x57, 0x59, 0x31};  // "CWY1"
inline constexpr std::size_t kMaxOpReturnBytes = 80;

// First 8 bytes of keccak256(utf8(dest_island + "/" + dest_port + "/" + dest_channel)).
RouteTag route_tag(std::string_view dest_island, std::string_view dest_port, std::string_view dest_channel);

struct DepositData {
  RouteTag route{};
  Bytes receiver;  // 1..64 bytes
  bool operator==(const DepositData&) const = default;
};

// Parses OP_RETURN data (the pushed bytes, not the script): "CWY1" ‖ route tag (8) ‖ receiver (1–64),
// total ≤ 80 bytes. Errors: ERR_DEPOSIT_INVALID (wrong magic, too short/long).
Result<DepositData> parse_deposit_op_return(ByteView data);

// The inverse: the OP_RETURN data for a deposit. Errors: ERR_DEPOSIT_INVALID (receiver not 1..64 bytes).
Result<Bytes> deposit_op_return(const RouteTag& route, ByteView receiver);

// sequence = height × 2^32 + tx_index × 2^8 + vout. Errors: ERR_DEPOSIT_INVALID (vout > 255, or
// tx_index ≥ 2^24, which would overlap the height bits).
Result<std::uint64_t> deposit_sequence(std::uint32_t height, std::uint32_t tx_index, std::uint32_t vout);

// ---- audit log (PACKET.md "Audit log entries") ----------------------------------------------------

// Signed-tree-head message = SHA-256(utf8("causeway.sth.v1") ‖ uint64_be(tree_size) ‖ uint64_be(timestamp_ms)
// ‖ root_hash); the audit key signs it with BIP-340.
Hash32 sth_message_hash(std::uint64_t tree_size, std::uint64_t timestamp_ms, const Hash32& root_hash);

}  // namespace causeway::packet
