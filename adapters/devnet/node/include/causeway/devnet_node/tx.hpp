// causeway-devnet transactions (docs/devnet.md "Transactions"): a canonical contract-ABI encoding (core/abi.hpp,
// strict decoding), signed by the sender's secp256k1 key over a domain-tagged digest that binds the island id
// and genesis hash, so a transaction signed for one devnet never executes on another.
//
//   raw tx   = abi.encode(uint8 version = 1, string island, bytes32 genesis, uint8 kind, bytes from (20),
//                         uint64 nonce, bytes body, bytes signature (65: r ‖ s ‖ v, v ∈ {27, 28}, low-S))
//   digest   = keccak256(utf8("causeway-devnet/v1/tx") ‖ abi.encode(the first seven fields))
//   tx hash  = keccak256(raw tx)            (the tx-tree leaf is the raw tx itself)
//   from     = Ethereum address of the signer: last 20 bytes of keccak256(x ‖ y)
//
// Bodies (each abi.encode of the listed arguments; "attestations" is packed: n × (u64 big-endian audit_index ‖
// 65-byte r ‖ s ‖ v), 1 ≤ n ≤ kMaxAttestations; "validators" packed n × (u16 len ‖ key ‖ u64 power); "signatures"
// packed n × (u32 validator index ‖ 64-byte r ‖ s)):
//   1 transfer              (bytes to, string denom, uint256 amount)
//   2 send_transfer         (string source_channel, string denom, uint256 amount, bytes receiver, string memo,
//                            uint64 timeout_height, uint64 timeout_timestamp_ns)
//   3 send_packet           (string source_channel, bytes receiver, bytes payload, uint64 timeout_height,
//                            uint64 timeout_timestamp_ns)                    — ports other than `transfer`
//   4 recv_packet           (bytes packet_bytes, bytes attestations)
//   5 acknowledge_packet    (bytes packet_bytes, bytes ack_bytes, bytes attestations)
//   6 timeout_packet        (bytes packet_bytes, bytes attestations)
//   7 channel_open          (string channel_id, string port, string counterparty_island,
//                            bytes32 counterparty_genesis, string counterparty_channel, string counterparty_port,
//                            bool ordered)                                  — governance only
//   8 validator_set_change  (bytes validators, bytes signatures)            — > 2/3 of the current set's power
// Errors of the decoders: ERR_TOO_LARGE (over kMaxTxBytes or a packed list over its bound), ERR_ABI_DECODE,
// ERR_BAD_LENGTH (a packed list of the wrong length, `from` not 20 bytes, signature not 65 bytes),
// ERR_INVALID_ARGUMENT (version ≠ 1, unknown kind).
// Thread-safety: value types and pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "causeway/bft/commit.hpp"
#include "causeway/bft/suite.hpp"
#include "causeway/bft/validator_set.hpp"
#include "causeway/core/abi.hpp"
#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"
#include "causeway/core/secp256k1.hpp"

namespace causeway::devnet {

using Address = secp256k1::Address;
using U256 = abi::U256;

inline constexpr std::size_t kMaxTxBytes = 256 * 1024;
inline constexpr std::size_t kMaxAttestations = 64;
inline constexpr std::string_view kTxTag = "causeway-devnet/v1/tx";
inline constexpr std::string_view kValsetTag = "causeway-devnet/v1/valset";

enum class TxKind : std::uint8_t {
  Transfer = 1,
  SendTransfer = 2,
  SendPacket = 3,
  RecvPacket = 4,
  AcknowledgePacket = 5,
  TimeoutPacket = 6,
  ChannelOpen = 7,
  ValidatorSetChange = 8,
};
std::string_view kind_name(TxKind k) noexcept;
// "transfer", "send_transfer", … → kind. ERR_INVALID_ARGUMENT otherwise.
Result<TxKind> parse_kind(std::string_view name);

struct Tx {
  std::string island;
  Hash32 genesis;
  TxKind kind = TxKind::Transfer;
  Address from{};
  std::uint64_t nonce = 0;
  Bytes body;
  Bytes signature;  // 65 bytes r ‖ s ‖ v
};

// The digest the sender signs (file comment).
Hash32 tx_digest(const Tx& tx);
// The raw encoding (file comment); any field values.
Bytes encode_tx(const Tx& tx);
// Strict inverse of encode_tx (does not check the signature). Errors: see file comment.
Result<Tx> decode_tx(ByteView raw);
// keccak256(raw).
Hash32 tx_hash(ByteView raw);
// Fills from and signature: signs tx_digest with `secret32` (RFC 6979, low-S). Errors: ERR_SECKEY_INVALID.
Status sign_tx(Tx& tx, ByteView secret32);
// Recovers the signer (low-S required) and checks it equals tx.from. Errors: ERR_BAD_LENGTH, ERR_SIG_ENCODING,
// ERR_SIG_HIGH_S, ERR_SIG_INVALID (also when the recovered address is not `from`).
Status verify_tx_signature(const Tx& tx);
// Address of a secp256k1 secret key. Errors: ERR_BAD_LENGTH, ERR_SECKEY_INVALID.
Result<Address> address_of(ByteView secret32);
// "0x" + 40 lowercase hex digits; parse accepts either case. Errors: ERR_BAD_HEX, ERR_BAD_LENGTH.
std::string address_hex(const Address& a);
Result<Address> parse_address(std::string_view hex);

// ---- bodies ---------------------------------------------------------------------------------------

struct Attestation {
  std::uint64_t audit_index = 0;
  std::array<std::uint8_t, 65> signature{};  // r ‖ s ‖ v
};
Bytes pack_attestations(const std::vector<Attestation>& a);
Result<std::vector<Attestation>> unpack_attestations(ByteView packed);

struct TransferBody {
  Bytes to;  // 20 bytes
  std::string denom;
  U256 amount{};
};
struct SendTransferBody {
  std::string source_channel;
  std::string denom;
  U256 amount{};
  Bytes receiver;
  std::string memo;
  std::uint64_t timeout_height = 0;
  std::uint64_t timeout_timestamp_ns = 0;
};
struct SendPacketBody {
  std::string source_channel;
  Bytes receiver;
  Bytes payload;
  std::uint64_t timeout_height = 0;
  std::uint64_t timeout_timestamp_ns = 0;
};
struct RecvPacketBody {
  Bytes packet_bytes;
  std::vector<Attestation> attestations;
};
struct AckPacketBody {
  Bytes packet_bytes;
  Bytes ack_bytes;
  std::vector<Attestation> attestations;
};
struct TimeoutPacketBody {
  Bytes packet_bytes;
  std::vector<Attestation> attestations;
};
struct ChannelOpenBody {
  std::string channel_id;
  std::string port;
  std::string counterparty_island;
  Hash32 counterparty_genesis;
  std::string counterparty_channel;
  std::string counterparty_port;
  bool ordered = false;
};
struct ValidatorSetChangeBody {
  std::vector<bft::Validator> validators;  // the new set (any order; canonicalised by ValidatorSet::create)
  bft::Commit signatures;                  // indices into the CURRENT set
};

Bytes encode_body(const TransferBody& b);
Bytes encode_body(const SendTransferBody& b);
Bytes encode_body(const SendPacketBody& b);
Bytes encode_body(const RecvPacketBody& b);
Bytes encode_body(const AckPacketBody& b);
Bytes encode_body(const TimeoutPacketBody& b);
Bytes encode_body(const ChannelOpenBody& b);
Bytes encode_body(const ValidatorSetChangeBody& b);
Result<TransferBody> decode_transfer(ByteView body);
Result<SendTransferBody> decode_send_transfer(ByteView body);
Result<SendPacketBody> decode_send_packet(ByteView body);
Result<RecvPacketBody> decode_recv_packet(ByteView body);
Result<AckPacketBody> decode_ack_packet(ByteView body);
Result<TimeoutPacketBody> decode_timeout_packet(ByteView body);
Result<ChannelOpenBody> decode_channel_open(ByteView body);
Result<ValidatorSetChangeBody> decode_validator_set_change(ByteView body);

Bytes pack_validators(const std::vector<bft::Validator>& v);
Result<std::vector<bft::Validator>> unpack_validators(ByteView packed);
Bytes pack_commit(const bft::Commit& c);
Result<bft::Commit> unpack_commit(ByteView packed);

// What the current validators sign to approve a new set:
//   "causeway-devnet/v1/valset" ‖ u16 len ‖ island ‖ genesis (32) ‖ current validators_hash (32) ‖
//   new validators_hash (32)
// (binding the current set's hash: a signed change cannot be replayed once the set changed).
Bytes valset_sign_bytes(std::string_view island, const Hash32& genesis, const Hash32& current_validators_hash,
                        const Hash32& new_validators_hash);

// ---- uint256 amounts (big-endian) -----------------------------------------------------------------

// a + b; ERR_OVERFLOW past 2^256 − 1.
Result<U256> add(const U256& a, const U256& b);
// a − b; ERR_INSUFFICIENT_FUNDS when b > a.
Result<U256> sub(const U256& a, const U256& b);
int compare(const U256& a, const U256& b) noexcept;
bool is_zero(const U256& a) noexcept;

}  // namespace causeway::devnet
