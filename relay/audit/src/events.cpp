// Audit event kinds, field tables and builders: see causeway/audit/events.hpp for the contract.
#include "causeway/audit/events.hpp"

#include <algorithm>
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

// The typed builders of kinds whose fields are all scalars (str, hash32, bytes, u53, u64, bool) write the
// canonical text directly instead of building a JSON DOM, validating it and serializing it (the relay's
// intake writes two such entries per packet). Each member is recorded once, as its JSON value would be; the
// direct text is used only when every rule of validate_event() and canonicalize() holds for it, checked here
// on the typed values:
//   - every key is a field of the kind, with this field type, none twice, every required field present;
//   - str: non-empty, at most 256 bytes, valid UTF-8 (JCS); hash32: not all zero (its hex form is always
//     0x + 64 lowercase digits); bytes: at most 1 MiB (hex form always well-formed); u53: at most 2^53 − 1;
//     u64: always valid (u64_value picks the integer or the decimal string); time_ms: u53;
//   - the kind's extra rules (check_kind_rules): packet_attested member 20 bytes, signature 65 bytes;
//     channel_opened ordering; kinds with other extra rules never take this path;
//   - a bundle: valid UTF-8 and hashed to the bundle_hash member; the text at most kMaxLeafBytes.
// Anything else — a value make_event() would refuse — takes the generic path: the same JSON object the
// builders always built, through make_event(), so every error is exactly the one it always was.
// The direct text equals canonicalize() of that object: members sorted by key (all keys are ASCII, where
// UTF-16 order is byte order), strings escaped by the same jcs routine, integers in decimal.
class Direct {
 public:
  Direct(EventKind kind, std::uint64_t time_ms) : kind_(kind), time_ms_(time_ms) { in_.reserve(12); }

  // Each records a reference: the value must live until finish() returned.
  void str(std::string_view key, const std::string& v) { in_.push_back({key, V::Str, &v, nullptr, nullptr, 0}); }
  void hash(std::string_view key, const Hash32& v) { in_.push_back({key, V::Hash, nullptr, &v, nullptr, 0}); }
  void bytes(std::string_view key, const Bytes& v) { in_.push_back({key, V::Bytes, nullptr, nullptr, &v, 0}); }
  void u64(std::string_view key, std::uint64_t v) { in_.push_back({key, V::U64, nullptr, nullptr, nullptr, v}); }
  void boolean(std::string_view key, bool v) { in_.push_back({key, V::Bool, nullptr, nullptr, nullptr, v ? 1U : 0U}); }

  // The event; `bundle` and its SHA-256 (already given as the bundle_hash member) for kinds that carry one.
  Result<Event> finish(std::optional<std::string> bundle = std::nullopt, const Hash32* bundle_hash = nullptr) {
    if (auto text = direct_text(bundle, bundle_hash)) {
      Event out{kind_, std::move(*text), std::move(bundle)};
      out.time_ms = time_ms_;
      if (out.bundle) out.bundle_hash = *bundle_hash;
      out.checked = true;
      return out;
    }
    // The generic path: the JSON object the builders have always built.
    json e = base(kind_, time_ms_);
    for (const auto& m : in_) {
      json& slot = e[std::string(m.key)];
      switch (m.type) {
        case V::Str: slot = *m.s; break;
        case V::Hash: slot = h(*m.hash); break;
        case V::Bytes: slot = b(*m.bytes); break;
        case V::U64: slot = u64_value(m.u); break;
        case V::Bool: slot = m.u != 0; break;
      }
    }
    return make_event_impl(e, std::move(bundle), bundle_hash);
  }

 private:
  enum class V { Str, Hash, Bytes, U64, Bool };
  struct In {
    std::string_view key;
    V type;
    const std::string* s;
    const Hash32* hash;
    const Bytes* bytes;
    std::uint64_t u;
  };
  struct Member {
    std::string_view key;
    std::string value;  // its JCS text
  };

  const FieldType* find(std::string_view key) const {
    for (const auto& f : fields_of(kind_))
      if (f.name == key) return &f.type;
    return nullptr;
  }
  const In* given(std::string_view key) const {
    for (const auto& m : in_)
      if (m.key == key) return &m;
    return nullptr;
  }

  // The JCS text of a member, or nullopt when the generic path would refuse it.
  std::optional<std::string> render(const In& m) const {
    const FieldType* t = find(m.key);
    if (t == nullptr) return std::nullopt;
    switch (m.type) {
      case V::Str: {
        const std::string& v = *m.s;
        if (*t != F::Str || v.empty() || v.size() > kMaxStr || !valid_utf8(v)) return std::nullopt;
        std::string out;
        append_jcs_string(v, out);
        return out;
      }
      case V::Hash: {
        const auto v = m.hash->view();
        if (*t != F::Hash32 || std::all_of(v.begin(), v.end(), [](std::uint8_t c) { return c == 0; }))
          return std::nullopt;
        return '"' + to_hex(v) + '"';
      }
      case V::Bytes:
        if (*t != F::Bytes || m.bytes->size() > kMaxBytesField) return std::nullopt;
        return '"' + to_hex(*m.bytes) + '"';
      case V::U64: {
        const bool safe = m.u <= static_cast<std::uint64_t>(kMaxSafeInteger);
        if (*t == F::U64) return safe ? std::to_string(m.u) : '"' + std::to_string(m.u) + '"';
        if (*t == F::U53 && safe) return std::to_string(m.u);
        return std::nullopt;
      }
      case V::Bool:
        if (*t != F::Bool) return std::nullopt;
        return std::string(m.u != 0 ? "true" : "false");
    }
    return std::nullopt;
  }

  std::optional<std::string> direct_text(const std::optional<std::string>& bundle, const Hash32* bundle_hash) const {
    if (time_ms_ > static_cast<std::uint64_t>(kMaxSafeInteger)) return std::nullopt;
    const In* bh = given("bundle_hash");
    if ((bh != nullptr) != bundle.has_value()) return std::nullopt;
    if (bh != nullptr && (bundle_hash == nullptr || bh->type != V::Hash || *bh->hash != *bundle_hash ||
                          !valid_utf8(*bundle)))
      return std::nullopt;
    for (const auto& f : fields_of(kind_))
      if (f.required && given(f.name) == nullptr) return std::nullopt;
    std::vector<Member> members;
    members.reserve(in_.size() + 2);
    for (const auto& m : in_) {
      if (given(m.key) != &m) return std::nullopt;  // a key given twice
      for (const char c : m.key)
        if (static_cast<unsigned char>(c) >= 0x80) return std::nullopt;
      auto v = render(m);
      if (!v) return std::nullopt;
      members.push_back({m.key, std::move(*v)});
    }
    if (!kind_rules_hold()) return std::nullopt;
    members.push_back({"kind", std::string()});
    append_jcs_string(kind_name(kind_), members.back().value);
    members.push_back({"time_ms", std::to_string(time_ms_)});
    std::sort(members.begin(), members.end(), [](const Member& a, const Member& x) { return a.key < x.key; });
    std::size_t size = 2;
    for (const auto& m : members) size += m.key.size() + m.value.size() + 4;
    std::string out;
    out.reserve(size);
    out.push_back('{');
    for (std::size_t i = 0; i < members.size(); ++i) {
      if (i != 0) out.push_back(',');
      out.push_back('"');
      out += members[i].key;
      out += "\":";
      out += members[i].value;
    }
    out.push_back('}');
    if (out.size() > kMaxLeafBytes) return std::nullopt;
    return out;
  }

  // check_kind_rules() on the typed values (the kinds not listed have no extra rule).
  bool kind_rules_hold() const {
    switch (kind_) {
      case EventKind::PacketAttested: {
        const In* member = given("member");
        const In* signature = given("signature");
        return member != nullptr && member->type == V::Bytes && member->bytes->size() == 20 &&
               signature != nullptr && signature->type == V::Bytes && signature->bytes->size() == 65;
      }
      case EventKind::ChannelOpened: {
        const In* o = given("ordering");
        return o != nullptr && o->type == V::Str && (*o->s == "ordered" || *o->s == "unordered");
      }
      case EventKind::ClientFrozen:
      case EventKind::CommitteeChanged:
        return false;  // object / array fields: never built here
      default:
        return true;
    }
  }

  EventKind kind_;
  std::uint64_t time_ms_;
  std::vector<In> in_;
};

}  // namespace

Result<Event> build(const IslandRegistered& x, std::uint64_t t) {
  Direct d(EventKind::IslandRegistered, t);
  d.str("island", *x.island);
  d.hash("genesis", *x.genesis);
  d.str("family", *x.family);
  d.u64("anchor_height", *x.anchor_height);
  d.hash("anchor_hash", *x.anchor_hash);
  d.hash("config_hash", *x.config_hash);
  if (x.validator_set_hash) d.hash("validator_set_hash", *x.validator_set_hash);
  if (x.endpoint) d.str("endpoint", *x.endpoint);
  return d.finish();
}

Result<Event> build(const IslandUpdated& x, std::uint64_t t) {
  Direct d(EventKind::IslandUpdated, t);
  d.str("island", *x.island);
  d.hash("genesis", *x.genesis);
  d.hash("config_hash", *x.config_hash);
  d.str("change", *x.change);
  d.hash("governance_record_hash", *x.governance_record_hash);
  if (x.anchor_height) d.u64("anchor_height", *x.anchor_height);
  if (x.anchor_hash) d.hash("anchor_hash", *x.anchor_hash);
  if (x.validator_set_hash) d.hash("validator_set_hash", *x.validator_set_hash);
  return d.finish();
}

Result<Event> build(const ChannelOpened& x, std::uint64_t t) {
  Direct d(EventKind::ChannelOpened, t);
  d.str("island", *x.island);
  d.str("channel", *x.channel);
  d.str("port", *x.port);
  d.str("counterparty_island", *x.counterparty_island);
  d.str("counterparty_channel", *x.counterparty_channel);
  d.str("counterparty_port", *x.counterparty_port);
  d.str("ordering", *x.ordering);
  d.hash("record_hash", *x.record_hash);
  return d.finish();
}

Result<Event> build(const ChannelClosed& x, std::uint64_t t) {
  Direct d(EventKind::ChannelClosed, t);
  d.str("island", *x.island);
  d.str("channel", *x.channel);
  d.str("counterparty_island", *x.counterparty_island);
  d.str("counterparty_channel", *x.counterparty_channel);
  d.hash("record_hash", *x.record_hash);
  d.str("reason", *x.reason);
  return d.finish();
}

Result<Event> build(const HeadersAccepted& x, std::uint64_t t) {
  Direct d(EventKind::HeadersAccepted, t);
  d.str("island", *x.island);
  d.u64("from_height", *x.from_height);
  d.u64("to_height", *x.to_height);
  d.hash("tip_hash", *x.tip_hash);
  d.u64("count", *x.count);
  if (x.validator_set_hash) d.hash("validator_set_hash", *x.validator_set_hash);
  return d.finish();
}

Result<Event> build(const PacketVerified& x, std::uint64_t t) {
  Direct d(EventKind::PacketVerified, t);
  d.hash("commitment", *x.commitment);
  d.str("source_island", *x.source_island);
  d.hash("source_genesis", *x.source_genesis);
  d.str("source_channel", *x.source_channel);
  d.u64("sequence", *x.sequence);
  d.str("dest_island", *x.dest_island);
  d.hash("dest_genesis", *x.dest_genesis);
  d.u64("header_height", *x.header_height);
  d.hash("header_hash", *x.header_hash);
  const Hash32 bh = hash_text(*x.bundle);
  d.hash("bundle_hash", bh);
  return d.finish(*x.bundle, &bh);
}

Result<Event> build(const PacketAttested& x, std::uint64_t t) {
  Direct d(EventKind::PacketAttested, t);
  d.hash("commitment", *x.commitment);
  d.str("dest_island", *x.dest_island);
  d.u64("verified_index", *x.verified_index);
  d.bytes("member", *x.member);
  d.hash("digest", *x.digest);
  d.bytes("signature", *x.signature);
  return d.finish();
}

Result<Event> build(const PacketDelivered& x, std::uint64_t t) {
  Direct d(EventKind::PacketDelivered, t);
  d.hash("commitment", *x.commitment);
  d.str("dest_island", *x.dest_island);
  d.u64("dest_height", *x.dest_height);
  d.bytes("dest_tx", *x.dest_tx);
  return d.finish();
}

Result<Event> build(const AckVerified& x, std::uint64_t t) {
  Direct d(EventKind::AckVerified, t);
  d.hash("commitment", *x.commitment);
  d.hash("ack_commitment", *x.ack_commitment);
  d.boolean("success", *x.success);
  d.str("dest_island", *x.dest_island);
  d.u64("header_height", *x.header_height);
  d.hash("header_hash", *x.header_hash);
  std::optional<Hash32> bh;
  if (x.bundle) bh = hash_text(*x.bundle);
  if (bh) d.hash("bundle_hash", *bh);
  return d.finish(x.bundle, bh ? &*bh : nullptr);
}

Result<Event> build(const TimeoutVerified& x, std::uint64_t t) {
  Direct d(EventKind::TimeoutVerified, t);
  d.hash("commitment", *x.commitment);
  d.str("dest_island", *x.dest_island);
  d.u64("header_height", *x.header_height);
  d.hash("header_hash", *x.header_hash);
  std::optional<Hash32> bh;
  if (x.bundle) bh = hash_text(*x.bundle);
  if (bh) d.hash("bundle_hash", *bh);
  return d.finish(x.bundle, bh ? &*bh : nullptr);
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
  Direct d(EventKind::ClientRecovered, t);
  d.str("island", *x.island);
  d.u64("anchor_height", *x.anchor_height);
  d.hash("anchor_hash", *x.anchor_hash);
  d.hash("governance_record_hash", *x.governance_record_hash);
  if (x.validator_set_hash) d.hash("validator_set_hash", *x.validator_set_hash);
  return d.finish();
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
