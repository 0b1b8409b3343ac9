// Audit-log event kinds, their fields, and typed builders (PACKET.md "Audit log entries"; the field list of
// every kind is docs/audit-log.md, protocol v1 — changing a kind's fields is a new protocol version).
//
// Every entry is a JSON object with "kind" and "time_ms" plus the fields of its kind. Field types:
//   str     non-empty UTF-8 string, at most 256 bytes
//   hash32  "0x" + 64 lowercase hex digits, not all zero
//   bytes   "0x" + lowercase hex of an even number of digits (may be "0x"), at most 1 MiB decoded
//   u53     JSON integer 0 … 2^53 − 1
//   u64     a uint64: JSON integer when ≤ 2^53 − 1, else its decimal string (a string for a smaller value is
//           refused: one value, one encoding)
//   dec     decimal string without leading zeros (uint64 timeouts, uint256 amounts)
//   bool, object (any JCS-valid object), array (any JCS-valid array)
// Unknown kinds, missing required fields, wrongly typed fields and fields the kind does not define are all
// ERR_AUDIT_EVENT (Error::at names the field). Optional fields are omitted when absent (never null).
//
// The builders take one struct per kind whose required members are `Required<T>`: it has no default
// constructor, so leaving a required member out of the aggregate initialization does not compile.
// Thread-safety: pure functions; the field tables are immutable.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"

namespace causeway::audit {

// Protocol version of the event kinds and fields below (docs/audit-log.md).
inline constexpr int kEventsVersion = 1;

enum class EventKind {
  IslandRegistered, IslandUpdated, ChannelOpened, ChannelClosed, HeadersAccepted, PacketVerified,
  PacketAttested, PacketDelivered, AckVerified, TimeoutVerified, ClientFrozen, ClientRecovered,
  InvariantAlert, OperatorAction, CommitteeChanged
};

// "island_registered", "packet_verified", ...
std::string_view kind_name(EventKind k) noexcept;
std::optional<EventKind> kind_from_name(std::string_view name) noexcept;
std::span<const EventKind> all_kinds() noexcept;

enum class FieldType { Str, Hash32, Bytes, U53, U64, Dec, Bool, Object, Array };
std::string_view field_type_name(FieldType t) noexcept;

struct FieldSpec {
  std::string_view name;
  FieldType type;
  bool required;
};
// The fields of a kind besides "kind" and "time_ms" (both required, time_ms is u53), in documentation order.
std::span<const FieldSpec> fields_of(EventKind k) noexcept;

// Checks an event object against its kind's fields (see the file comment). Returns the kind.
// Errors: ERR_AUDIT_EVENT.
Result<EventKind> validate_event(const nlohmann::json& event);

// A member that must be given. No default constructor: omitting it from aggregate initialization is a
// compile error, so a caller cannot forget a required field.
template <class T>
class Required {
 public:
  template <class U>
    requires std::is_constructible_v<T, U&&>
  Required(U&& v)  // NOLINT(google-explicit-constructor): implicit by design
      : v_(convert(std::forward<U>(v))) {}
  const T& operator*() const noexcept { return v_; }
  const T* operator->() const noexcept { return &v_; }

 private:
  // Integer literals (int) initialize unsigned fields as static_cast would; other types construct directly.
  template <class U>
  static T convert(U&& v) {
    if constexpr (std::is_arithmetic_v<T> && std::is_arithmetic_v<std::remove_cvref_t<U>>) {
      return static_cast<T>(v);
    } else {
      return T(std::forward<U>(v));
    }
  }
  T v_;
};

// A built event: its kind, its RFC 8785 bytes (the leaf data), and for kinds that reference a proof bundle
// the bundle's text (stored beside the log; its SHA-256 is the entry's "bundle_hash").
// make_event also records what AuditLog::append needs so that it does not parse or hash again: the entry's
// time_ms and the bundle's SHA-256 (`checked` says these were filled by make_event from this very data).
struct Event {
  EventKind kind;
  std::string leaf_data;
  std::optional<std::string> bundle{};
  std::uint64_t time_ms = 0;
  std::optional<Hash32> bundle_hash{};
  bool checked = false;
};

// Builds an event from a JSON object: validates it (validate_event), canonicalizes it (jcs), and when it
// has "bundle_hash" checks that `bundle` is given and hashes to it (ERR_AUDIT_BUNDLE_HASH otherwise; a
// bundle without "bundle_hash" is ERR_INVALID_ARGUMENT). Errors: ERR_AUDIT_EVENT, ERR_NOT_CANONICAL_JSON,
// ERR_TOO_LARGE, ERR_AUDIT_BUNDLE_HASH, ERR_INVALID_ARGUMENT.
Result<Event> make_event(const nlohmann::json& event, std::optional<std::string> bundle = std::nullopt);

// ---- typed builders (one struct per kind; docs/audit-log.md says what each field means) ---------------
// Heights, sequences and counts are uint64 (encoded u64 or u53 as the table says); hashes are Hash32 in the
// byte order the island's proof bundles print them (Bitcoin: display order); byte strings are Bytes.

struct IslandRegistered {
  Required<std::string> island;       // CAIP-2
  Required<Hash32> genesis;
  Required<std::string> family;       // bitcoin | ethereum | bft
  Required<std::uint64_t> anchor_height;
  Required<Hash32> anchor_hash;
  Required<Hash32> config_hash;       // SHA-256 of the registration record as submitted
  std::optional<Hash32> validator_set_hash{};
  std::optional<std::string> endpoint{};
};
struct IslandUpdated {
  Required<std::string> island;
  Required<Hash32> genesis;
  Required<Hash32> config_hash;
  Required<std::string> change;       // what changed: "endpoint", "params", "anchor", ...
  Required<Hash32> governance_record_hash;
  std::optional<std::uint64_t> anchor_height{};
  std::optional<Hash32> anchor_hash{};
  std::optional<Hash32> validator_set_hash{};
};
struct ChannelOpened {
  Required<std::string> island;
  Required<std::string> channel;
  Required<std::string> port;
  Required<std::string> counterparty_island;
  Required<std::string> counterparty_channel;
  Required<std::string> counterparty_port;
  Required<std::string> ordering;     // ordered | unordered
  Required<Hash32> record_hash;       // governance-signed opening record
};
struct ChannelClosed {
  Required<std::string> island;
  Required<std::string> channel;
  Required<std::string> counterparty_island;
  Required<std::string> counterparty_channel;
  Required<Hash32> record_hash;
  Required<std::string> reason;
};
struct HeadersAccepted {
  Required<std::string> island;
  Required<std::uint64_t> from_height;
  Required<std::uint64_t> to_height;
  Required<Hash32> tip_hash;          // the header at to_height: a consensus state bundles may anchor at
  Required<std::uint64_t> count;
  std::optional<Hash32> validator_set_hash{};  // bft: the set in force at to_height
};
struct PacketVerified {
  Required<Hash32> commitment;
  Required<std::string> source_island;
  Required<Hash32> source_genesis;
  Required<std::string> source_channel;
  Required<std::uint64_t> sequence;
  Required<std::string> dest_island;
  Required<Hash32> dest_genesis;
  Required<std::uint64_t> header_height;  // the proving header
  Required<Hash32> header_hash;
  Required<std::string> bundle;           // the proof bundle's JSON text; bundle_hash = SHA-256 of it
};
struct PacketAttested {
  Required<Hash32> commitment;
  Required<std::string> dest_island;
  Required<std::uint64_t> verified_index;  // leaf index of this member's packet_verified entry
  Required<Bytes> member;                  // 20-byte address
  Required<Hash32> digest;                 // attestation_digest (PACKET.md)
  Required<Bytes> signature;               // 65 bytes r ‖ s ‖ v
};
struct PacketDelivered {
  Required<Hash32> commitment;
  Required<std::string> dest_island;
  Required<std::uint64_t> dest_height;
  Required<Bytes> dest_tx;                 // transaction hash / id on the destination
};
struct AckVerified {
  Required<Hash32> commitment;
  Required<Hash32> ack_commitment;
  Required<bool> success;
  Required<std::string> dest_island;
  Required<std::uint64_t> header_height;
  Required<Hash32> header_hash;
  std::optional<std::string> bundle{};
};
struct TimeoutVerified {
  Required<Hash32> commitment;
  Required<std::string> dest_island;
  Required<std::uint64_t> header_height;   // the destination block at which the packet is timed out
  Required<Hash32> header_hash;
  std::optional<std::string> bundle{};
};
struct ClientFrozen {
  Required<std::string> island;
  Required<std::uint64_t> height;
  Required<std::string> reason;
  Required<nlohmann::json> evidence;       // object with at least header_a and header_b (A14)
};
struct ClientRecovered {
  Required<std::string> island;
  Required<std::uint64_t> anchor_height;
  Required<Hash32> anchor_hash;
  Required<Hash32> governance_record_hash;
  std::optional<Hash32> validator_set_hash{};
};
struct InvariantAlert {
  Required<std::string> invariant;
  Required<std::string> scope;             // e.g. "channel eip155:1/channel-0"
  Required<nlohmann::json> details;        // object
};
struct OperatorAction {
  Required<std::string> operator_id;       // JSON key "operator"
  Required<std::string> action;
  Required<std::string> target;
  Required<nlohmann::json> details;        // object
};
struct CommitteeChanged {
  Required<std::vector<Bytes>> members;    // 20-byte addresses
  Required<std::uint64_t> threshold;
  Required<Hash32> record_hash;
};

// Each returns the validated, canonical event with "kind" and "time_ms" set. Errors: those of make_event().
Result<Event> build(const IslandRegistered& e, std::uint64_t time_ms);
Result<Event> build(const IslandUpdated& e, std::uint64_t time_ms);
Result<Event> build(const ChannelOpened& e, std::uint64_t time_ms);
Result<Event> build(const ChannelClosed& e, std::uint64_t time_ms);
Result<Event> build(const HeadersAccepted& e, std::uint64_t time_ms);
Result<Event> build(const PacketVerified& e, std::uint64_t time_ms);
Result<Event> build(const PacketAttested& e, std::uint64_t time_ms);
Result<Event> build(const PacketDelivered& e, std::uint64_t time_ms);
Result<Event> build(const AckVerified& e, std::uint64_t time_ms);
Result<Event> build(const TimeoutVerified& e, std::uint64_t time_ms);
Result<Event> build(const ClientFrozen& e, std::uint64_t time_ms);
Result<Event> build(const ClientRecovered& e, std::uint64_t time_ms);
Result<Event> build(const InvariantAlert& e, std::uint64_t time_ms);
Result<Event> build(const OperatorAction& e, std::uint64_t time_ms);
Result<Event> build(const CommitteeChanged& e, std::uint64_t time_ms);

}  // namespace causeway::audit
