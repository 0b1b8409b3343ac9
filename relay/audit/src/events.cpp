// Audit event kinds, field tables and builders: see causeway/audit/events.hpp for the contract.
#include "causeway/audit/events.hpp"

#include <array>
#include <charconv>
#include <nlohmann/json.hpp>

#include "causeway/audit/jcs.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"

namespace causeway::audit {

namespace {

using json = nlohmann::json;
using F = FieldType;

constexpr std::size_t kMaxStr = 256;
constexpr std::size_t kMaxBytesField = 1u << 20;

struct KindInfo {
  EventKind kind;
  std::string_view name;
  std::span<const FieldSpec> fields;
};

constexpr FieldSpec kIslandRegistered[] = {
    {"island", F::Str, true},          {"genesis", F::Hash32, true},     {"family", F::Str, true},
    {"anchor_height", F::U64, true},   {"anchor_hash", F::Hash32, true}, {"config_hash", F::Hash32, true},
    {"validator_set_hash", F::Hash32, false}, {"endpoint", F::Str, false}};
constexpr FieldSpec kIslandUpdated[] = {
    {"island", F::Str, true},          {"genesis", F::Hash32, true},     {"config_hash", F::Hash32, true},
    {"change", F::Str, true},          {"governance_record_hash", F::Hash32, true},
    {"anchor_height", F::U64, false},  {"anchor_hash", F::Hash32, false},
    {"validator_set_hash", F::Hash32, false}};
constexpr FieldSpec kChannelOpened[] = {
    {"island", F::Str, true},           {"channel", F::Str, true},              {"port", F::Str, true},
    {"counterparty_island", F::Str, true}, {"counterparty_channel", F::Str, true},
    {"counterparty_port", F::Str, true}, {"ordering", F::Str, true},            {"record_hash", F::Hash32, true}};
constexpr FieldSpec kChannelClosed[] = {
    {"island", F::Str, true},              {"channel", F::Str, true},
    {"counterparty_island", F::Str, true}, {"counterparty_channel", F::Str, true},
    {"record_hash", F::Hash32, true},      {"reason", F::Str, true}};
constexpr FieldSpec kHeadersAccepted[] = {
    {"island", F::Str, true},    {"from_height", F::U64, true}, {"to_height", F::U64, true},
    {"tip_hash", F::Hash32, true}, {"count", F::U64, true},     {"validator_set_hash", F::Hash32, false}};
constexpr FieldSpec kPacketVerified[] = {
    {"commitment", F::Hash32, true},    {"source_island", F::Str, true},  {"source_genesis", F::Hash32, true},
    {"source_channel", F::Str, true},   {"sequence", F::U64, true},       {"dest_island", F::Str, true},
    {"dest_genesis", F::Hash32, true},  {"header_height", F::U64, true},  {"header_hash", F::Hash32, true},
    {"bundle_hash", F::Hash32, true}};
constexpr FieldSpec kPacketAttested[] = {
    {"commitment", F::Hash32, true}, {"dest_island", F::Str, true}, {"verified_index", F::U53, true},
    {"member", F::Bytes, true},      {"digest", F::Hash32, true},   {"signature", F::Bytes, true}};
constexpr FieldSpec kPacketDelivered[] = {
    {"commitment", F::Hash32, true}, {"dest_island", F::Str, true}, {"dest_height", F::U64, true},
    {"dest_tx", F::Bytes, true}};
constexpr FieldSpec kAckVerified[] = {
    {"commitment", F::Hash32, true},   {"ack_commitment", F::Hash32, true}, {"success", F::Bool, true},
    {"dest_island", F::Str, true},     {"header_height", F::U64, true},     {"header_hash", F::Hash32, true},
    {"bundle_hash", F::Hash32, false}};
constexpr FieldSpec kTimeoutVerified[] = {
    {"commitment", F::Hash32, true},  {"dest_island", F::Str, true}, {"header_height", F::U64, true},
    {"header_hash", F::Hash32, true}, {"bundle_hash", F::Hash32, false}};
constexpr FieldSpec kClientFrozen[] = {
    {"island", F::Str, true}, {"height", F::U64, true}, {"reason", F::Str, true}, {"evidence", F::Object, true}};
constexpr FieldSpec kClientRecovered[] = {
    {"island", F::Str, true},    {"anchor_height", F::U64, true}, {"anchor_hash", F::Hash32, true},
    {"governance_record_hash", F::Hash32, true}, {"validator_set_hash", F::Hash32, false}};
constexpr FieldSpec kInvariantAlert[] = {
    {"invariant", F::Str, true}, {"scope", F::Str, true}, {"details", F::Object, true}};
constexpr FieldSpec kOperatorAction[] = {
    {"operator", F::Str, true}, {"action", F::Str, true}, {"target", F::Str, true}, {"details", F::Object, true}};
constexpr FieldSpec kCommitteeChanged[] = {
    {"members", F::Array, true}, {"threshold", F::U53, true}, {"record_hash", F::Hash32, true}};

constexpr std::array<KindInfo, 15> kKinds = {{
    {EventKind::IslandRegistered, "island_registered", kIslandRegistered},
    {EventKind::IslandUpdated, "island_updated", kIslandUpdated},
    {EventKind::ChannelOpened, "channel_opened", kChannelOpened},
    {EventKind::ChannelClosed, "channel_closed", kChannelClosed},
    {EventKind::HeadersAccepted, "headers_accepted", kHeadersAccepted},
    {EventKind::PacketVerified, "packet_verified", kPacketVerified},
    {EventKind::PacketAttested, "packet_attested", kPacketAttested},
    {EventKind::PacketDelivered, "packet_delivered", kPacketDelivered},
    {EventKind::AckVerified, "ack_verified", kAckVerified},
    {EventKind::TimeoutVerified, "timeout_verified", kTimeoutVerified},
    {EventKind::ClientFrozen, "client_frozen", kClientFrozen},
    {EventKind::ClientRecovered, "client_recovered", kClientRecovered},
    {EventKind::InvariantAlert, "invariant_alert", kInvariantAlert},
    {EventKind::OperatorAction, "operator_action", kOperatorAction},
    {EventKind::CommitteeChanged, "committee_changed", kCommitteeChanged},
}};

constexpr std::array<EventKind, 15> kAllKinds = {
    EventKind::IslandRegistered, EventKind::IslandUpdated,   EventKind::ChannelOpened,
    EventKind::ChannelClosed,    EventKind::HeadersAccepted, EventKind::PacketVerified,
    EventKind::PacketAttested,   EventKind::PacketDelivered, EventKind::AckVerified,
    EventKind::TimeoutVerified,  EventKind::ClientFrozen,    EventKind::ClientRecovered,
    EventKind::InvariantAlert,   EventKind::OperatorAction,  EventKind::CommitteeChanged};

const KindInfo& info(EventKind k) { return kKinds[static_cast<std::size_t>(k)]; }

bool lower_hex_digits(std::string_view s) {
  for (const char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool canonical_decimal(std::string_view s) {
  if (s.empty() || s.size() > 78) return false;  // uint256 has at most 78 digits
  if (s.size() > 1 && s[0] == '0') return false;
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

Status check_field(const json& v, FieldType t, const std::string& at) {
  auto bad = [&](const std::string& why) { return fail(Code::AuditEvent, why, at); };
  switch (t) {
    case F::Str: {
      if (!v.is_string()) return bad("must be a string");
      const auto& s = v.get_ref<const std::string&>();
      if (s.empty() || s.size() > kMaxStr) return bad("must be a non-empty string of at most 256 bytes");
      return {};
    }
    case F::Hash32: {
      if (!v.is_string()) return bad("must be 0x-prefixed hex of 32 bytes");
      const auto& s = v.get_ref<const std::string&>();
      if (s.size() != 66 || s.rfind("0x", 0) != 0 || !lower_hex_digits(std::string_view(s).substr(2))) {
        return bad("must be 0x + 64 lowercase hex digits");
      }
      if (s.find_first_not_of('0', 2) == std::string::npos) return bad("all-zero hash");
      return {};
    }
    case F::Bytes: {
      if (!v.is_string()) return bad("must be 0x-prefixed lowercase hex");
      const auto& s = v.get_ref<const std::string&>();
      if (s.size() < 2 || s.rfind("0x", 0) != 0 || s.size() % 2 != 0 ||
          !lower_hex_digits(std::string_view(s).substr(2))) {
        return bad("must be 0x + an even number of lowercase hex digits");
      }
      if ((s.size() - 2) / 2 > kMaxBytesField) return bad("longer than 1 MiB");
      return {};
    }
    case F::U53:
      if (!v.is_number_integer() || (v.is_number_integer() && !v.is_number_unsigned() && v.get<std::int64_t>() < 0)) {
        return bad("must be a JSON integer 0 … 2^53 − 1");
      }
      if (v.get<std::uint64_t>() > static_cast<std::uint64_t>(kMaxSafeInteger)) return bad("above 2^53 − 1");
      return {};
    case F::U64:
      if (v.is_number_integer()) return check_field(v, F::U53, at);
      if (v.is_string()) {
        const auto& s = v.get_ref<const std::string&>();
        std::uint64_t x = 0;
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
        if (!canonical_decimal(s) || ec != std::errc() || end != s.data() + s.size()) {
          return bad("must be a JSON integer or the decimal string of a uint64");
        }
        if (x <= static_cast<std::uint64_t>(kMaxSafeInteger)) {
          return bad("values up to 2^53 − 1 are JSON integers, not strings");
        }
        return {};
      }
      return bad("must be a JSON integer or a decimal string");
    case F::Dec:
      if (!v.is_string() || !canonical_decimal(v.get_ref<const std::string&>())) {
        return bad("must be a decimal string without leading zeros");
      }
      return {};
    case F::Bool:
      if (!v.is_boolean()) return bad("must be true or false");
      return {};
    case F::Object:
      if (!v.is_object()) return bad("must be an object");
      return {};
    case F::Array:
      if (!v.is_array()) return bad("must be an array");
      return {};
  }
  return bad("unknown field type");
}

// Extra per-kind rules beyond the field table.
Status check_kind_rules(EventKind k, const json& e) {
  switch (k) {
    case EventKind::ClientFrozen: {
      const json& ev = e.at("evidence");
      if (!ev.contains("header_a") || !ev.contains("header_b")) {
        return fail(Code::AuditEvent, "evidence must hold both conflicting headers (header_a, header_b)",
                    "evidence");
      }
      return {};
    }
    case EventKind::ChannelOpened: {
      const auto& o = e.at("ordering").get_ref<const std::string&>();
      if (o != "ordered" && o != "unordered") return fail(Code::AuditEvent, "ordered or unordered", "ordering");
      return {};
    }
    case EventKind::CommitteeChanged: {
      const json& m = e.at("members");
      if (m.empty()) return fail(Code::AuditEvent, "empty committee", "members");
      for (std::size_t i = 0; i < m.size(); ++i) {
        const std::string at = "members[" + std::to_string(i) + "]";
        if (auto s = check_field(m[i], F::Bytes, at); !s) return s;
        if (m[i].get_ref<const std::string&>().size() != 42) return fail(Code::AuditEvent, "not 20 bytes", at);
      }
      const auto t = e.at("threshold").get<std::uint64_t>();
      if (t == 0 || t > m.size()) return fail(Code::AuditEvent, "threshold must be 1 … members", "threshold");
      return {};
    }
    case EventKind::PacketAttested:
      if (e.at("member").get_ref<const std::string&>().size() != 42) {
        return fail(Code::AuditEvent, "member must be a 20-byte address", "member");
      }
      if (e.at("signature").get_ref<const std::string&>().size() != 132) {
        return fail(Code::AuditEvent, "signature must be 65 bytes r ‖ s ‖ v", "signature");
      }
      return {};
    default:
      return {};
  }
}

// Sets a u64 field: a JSON integer when ≤ 2^53 − 1, else its decimal string.
json u64_value(std::uint64_t v) {
  if (v <= static_cast<std::uint64_t>(kMaxSafeInteger)) return v;
  return std::to_string(v);
}
std::string h(const Hash32& x) { return to_hex(x.view()); }
std::string b(const Bytes& x) { return to_hex(x); }

json base(EventKind k, std::uint64_t time_ms) {
  return json{{"kind", std::string(kind_name(k))}, {"time_ms", u64_value(time_ms)}};
}
template <class T>
void opt_hash(json& e, const char* key, const std::optional<T>& v) {
  if (v) e[key] = h(*v);
}

}  // namespace

std::string_view kind_name(EventKind k) noexcept { return info(k).name; }

std::optional<EventKind> kind_from_name(std::string_view name) noexcept {
  for (const auto& k : kKinds) {
    if (k.name == name) return k.kind;
  }
  return std::nullopt;
}

std::span<const EventKind> all_kinds() noexcept { return kAllKinds; }

std::string_view field_type_name(FieldType t) noexcept {
  switch (t) {
    case F::Str: return "str";
    case F::Hash32: return "hash32";
    case F::Bytes: return "bytes";
    case F::U53: return "u53";
    case F::U64: return "u64";
    case F::Dec: return "dec";
    case F::Bool: return "bool";
    case F::Object: return "object";
    case F::Array: return "array";
  }
  return "?";
}

std::span<const FieldSpec> fields_of(EventKind k) noexcept { return info(k).fields; }

Result<EventKind> validate_event(const json& e) {
  if (!e.is_object()) return fail(Code::AuditEvent, "an audit entry is a JSON object");
  auto kind_it = e.find("kind");
  if (kind_it == e.end() || !kind_it->is_string()) return fail(Code::AuditEvent, "missing kind", "kind");
  const auto kind = kind_from_name(kind_it->get_ref<const std::string&>());
  if (!kind) return fail(Code::AuditEvent, "unknown kind " + kind_it->get<std::string>(), "kind");
  auto time_it = e.find("time_ms");
  if (time_it == e.end()) return fail(Code::AuditEvent, "missing time_ms", "time_ms");
  if (auto s = check_field(*time_it, F::U53, "time_ms"); !s) return tl::unexpected<Error>(std::move(s.error()));
  const auto fields = fields_of(*kind);
  for (const auto& f : fields) {
    auto it = e.find(std::string(f.name));
    if (it == e.end()) {
      if (f.required) return fail(Code::AuditEvent, "missing required field", std::string(f.name));
      continue;
    }
    if (auto s = check_field(*it, f.type, std::string(f.name)); !s) return tl::unexpected<Error>(std::move(s.error()));
  }
  for (auto it = e.begin(); it != e.end(); ++it) {
    if (it.key() == "kind" || it.key() == "time_ms") continue;
    bool known = false;
    for (const auto& f : fields) known = known || f.name == it.key();
    if (!known) return fail(Code::AuditEvent, "field not defined for " + std::string(kind_name(*kind)), it.key());
  }
  if (auto s = check_kind_rules(*kind, e); !s) return tl::unexpected<Error>(std::move(s.error()));
  return *kind;
}

namespace {

// make_event; `known_hash`: the SHA-256 of `bundle` that the caller (a typed builder) has just computed from
// this very text and written as bundle_hash, so it is not computed a second time.
Result<Event> make_event_impl(const json& event, std::optional<std::string> bundle, const Hash32* known_hash) {
  auto kind = validate_event(event);
  if (!kind) return tl::unexpected<Error>(std::move(kind.error()));
  auto canon = canonicalize(event);
  if (!canon) return tl::unexpected<Error>(std::move(canon.error()));
  if (canon->size() > kMaxLeafBytes) return fail(Code::TooLarge, "audit entry larger than 4 MiB");
  std::optional<Hash32> bundle_hash;
  const auto bh = event.find("bundle_hash");
  if (bh != event.end()) {
    if (!bundle) return fail(Code::AuditBundleHash, "the entry references a bundle but none was given", "bundle_hash");
    const Hash32 got = known_hash != nullptr
                           ? *known_hash
                           : sha256(ByteView(reinterpret_cast<const std::uint8_t*>(bundle->data()), bundle->size()));
    if (h(got) != bh->get<std::string>()) {
      return fail(Code::AuditBundleHash, "bundle does not hash to bundle_hash", "bundle_hash");
    }
    if (!valid_utf8(*bundle)) return fail(Code::InvalidArgument, "bundle text is not valid UTF-8", "bundle");
    bundle_hash = got;
  } else if (bundle) {
    return fail(Code::InvalidArgument, "a bundle was given for an entry without bundle_hash", "bundle");
  }
  Event out{*kind, std::move(*canon), std::move(bundle)};
  out.time_ms = event["time_ms"].get<std::uint64_t>();  // validated u53 above
  out.bundle_hash = bundle_hash;
  out.checked = true;
  return out;
}

}  // namespace

Result<Event> make_event(const json& event, std::optional<std::string> bundle) {
  return make_event_impl(event, std::move(bundle), nullptr);
}

namespace {

Hash32 hash_text(const std::string& s) {
  return sha256(ByteView(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}

}  // namespace

Result<Event> build(const IslandRegistered& x, std::uint64_t t) {
  json e = base(EventKind::IslandRegistered, t);
  e["island"] = *x.island;
  e["genesis"] = h(*x.genesis);
  e["family"] = *x.family;
  e["anchor_height"] = u64_value(*x.anchor_height);
  e["anchor_hash"] = h(*x.anchor_hash);
  e["config_hash"] = h(*x.config_hash);
  opt_hash(e, "validator_set_hash", x.validator_set_hash);
  if (x.endpoint) e["endpoint"] = *x.endpoint;
  return make_event(e);
}

Result<Event> build(const IslandUpdated& x, std::uint64_t t) {
  json e = base(EventKind::IslandUpdated, t);
  e["island"] = *x.island;
  e["genesis"] = h(*x.genesis);
  e["config_hash"] = h(*x.config_hash);
  e["change"] = *x.change;
  e["governance_record_hash"] = h(*x.governance_record_hash);
  if (x.anchor_height) e["anchor_height"] = u64_value(*x.anchor_height);
  opt_hash(e, "anchor_hash", x.anchor_hash);
  opt_hash(e, "validator_set_hash", x.validator_set_hash);
  return make_event(e);
}

Result<Event> build(const ChannelOpened& x, std::uint64_t t) {
  json e = base(EventKind::ChannelOpened, t);
  e["island"] = *x.island;
  e["channel"] = *x.channel;
  e["port"] = *x.port;
  e["counterparty_island"] = *x.counterparty_island;
  e["counterparty_channel"] = *x.counterparty_channel;
  e["counterparty_port"] = *x.counterparty_port;
  e["ordering"] = *x.ordering;
  e["record_hash"] = h(*x.record_hash);
  return make_event(e);
}

Result<Event> build(const ChannelClosed& x, std::uint64_t t) {
  json e = base(EventKind::ChannelClosed, t);
  e["island"] = *x.island;
  e["channel"] = *x.channel;
  e["counterparty_island"] = *x.counterparty_island;
  e["counterparty_channel"] = *x.counterparty_channel;
  e["record_hash"] = h(*x.record_hash);
  e["reason"] = *x.reason;
  return make_event(e);
}

Result<Event> build(const HeadersAccepted& x, std::uint64_t t) {
  json e = base(EventKind::HeadersAccepted, t);
  e["island"] = *x.island;
  e["from_height"] = u64_value(*x.from_height);
  e["to_height"] = u64_value(*x.to_height);
  e["tip_hash"] = h(*x.tip_hash);
  e["count"] = u64_value(*x.count);
  opt_hash(e, "validator_set_hash", x.validator_set_hash);
  return make_event(e);
}

Result<Event> build(const PacketVerified& x, std::uint64_t t) {
  json e = base(EventKind::PacketVerified, t);
  e["commitment"] = h(*x.commitment);
  e["source_island"] = *x.source_island;
  e["source_genesis"] = h(*x.source_genesis);
  e["source_channel"] = *x.source_channel;
  e["sequence"] = u64_value(*x.sequence);
  e["dest_island"] = *x.dest_island;
  e["dest_genesis"] = h(*x.dest_genesis);
  e["header_height"] = u64_value(*x.header_height);
  e["header_hash"] = h(*x.header_hash);
  const Hash32 bh = hash_text(*x.bundle);
  e["bundle_hash"] = h(bh);
  return make_event_impl(e, *x.bundle, &bh);
}

Result<Event> build(const PacketAttested& x, std::uint64_t t) {
  json e = base(EventKind::PacketAttested, t);
  e["commitment"] = h(*x.commitment);
  e["dest_island"] = *x.dest_island;
  e["verified_index"] = u64_value(*x.verified_index);
  e["member"] = b(*x.member);
  e["digest"] = h(*x.digest);
  e["signature"] = b(*x.signature);
  return make_event(e);
}

Result<Event> build(const PacketDelivered& x, std::uint64_t t) {
  json e = base(EventKind::PacketDelivered, t);
  e["commitment"] = h(*x.commitment);
  e["dest_island"] = *x.dest_island;
  e["dest_height"] = u64_value(*x.dest_height);
  e["dest_tx"] = b(*x.dest_tx);
  return make_event(e);
}

Result<Event> build(const AckVerified& x, std::uint64_t t) {
  json e = base(EventKind::AckVerified, t);
  e["commitment"] = h(*x.commitment);
  e["ack_commitment"] = h(*x.ack_commitment);
  e["success"] = *x.success;
  e["dest_island"] = *x.dest_island;
  e["header_height"] = u64_value(*x.header_height);
  e["header_hash"] = h(*x.header_hash);
  std::optional<Hash32> bh;
  if (x.bundle) bh = hash_text(*x.bundle);
  if (bh) e["bundle_hash"] = h(*bh);
  return make_event_impl(e, x.bundle, bh ? &*bh : nullptr);
}

Result<Event> build(const TimeoutVerified& x, std::uint64_t t) {
  json e = base(EventKind::TimeoutVerified, t);
  e["commitment"] = h(*x.commitment);
  e["dest_island"] = *x.dest_island;
  e["header_height"] = u64_value(*x.header_height);
  e["header_hash"] = h(*x.header_hash);
  std::optional<Hash32> bh;
  if (x.bundle) bh = hash_text(*x.bundle);
  if (bh) e["bundle_hash"] = h(*bh);
  return make_event_impl(e, x.bundle, bh ? &*bh : nullptr);
}

Result<Event> build(const ClientFrozen& x, std::uint64_t t) {
  json e = base(EventKind::ClientFrozen, t);
  e["island"] = *x.island;
  e["height"] = u64_value(*x.height);
  e["reason"] = *x.reason;
  e["evidence"] = *x.evidence;
  return make_event(e);
}

Result<Event> build(const ClientRecovered& x, std::uint64_t t) {
  json e = base(EventKind::ClientRecovered, t);
  e["island"] = *x.island;
  e["anchor_height"] = u64_value(*x.anchor_height);
  e["anchor_hash"] = h(*x.anchor_hash);
  e["governance_record_hash"] = h(*x.governance_record_hash);
  opt_hash(e, "validator_set_hash", x.validator_set_hash);
  return make_event(e);
}

Result<Event> build(const InvariantAlert& x, std::uint64_t t) {
  json e = base(EventKind::InvariantAlert, t);
  e["invariant"] = *x.invariant;
  e["scope"] = *x.scope;
  e["details"] = *x.details;
  return make_event(e);
}

Result<Event> build(const OperatorAction& x, std::uint64_t t) {
  json e = base(EventKind::OperatorAction, t);
  e["operator"] = *x.operator_id;
  e["action"] = *x.action;
  e["target"] = *x.target;
  e["details"] = *x.details;
  return make_event(e);
}

Result<Event> build(const CommitteeChanged& x, std::uint64_t t) {
  json e = base(EventKind::CommitteeChanged, t);
  json m = json::array();
  for (const auto& a : *x.members) m.push_back(b(a));
  e["members"] = m;
  e["threshold"] = u64_value(*x.threshold);
  e["record_hash"] = h(*x.record_hash);
  return make_event(e);
}

}  // namespace causeway::audit
