// relay/audit typed builders: the entries they write directly (no JSON DOM) are byte-identical to
// make_event() over the same JSON object — the generic path every entry used to take — for ordinary and
// boundary values (escapes, non-ASCII, u64 above 2^53 − 1, optional fields), and every value make_event()
// refuses is refused with the same code, field and detail. Also RFC 8785 details the direct path relies on.
#include <catch2/catch.hpp>

#include <limits>

#include "causeway/audit/events.hpp"
#include "causeway/audit/jcs.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"

using namespace causeway;
using namespace causeway::audit;
using nlohmann::json;

namespace {

constexpr std::uint64_t kSafe = (std::uint64_t{1} << 53) - 1;

Hash32 hh(std::uint8_t b) {
  Hash32 h;
  h.b.fill(b);
  h.b[0] = static_cast<std::uint8_t>(b ^ 0x5a);
  return h;
}
json u64j(std::uint64_t v) { return v <= kSafe ? json(v) : json(std::to_string(v)); }
json hj(const Hash32& x) { return to_hex(x.view()); }
json bj(const Bytes& x) { return to_hex(x); }
json base(const char* kind, std::uint64_t t) { return json{{"kind", kind}, {"time_ms", u64j(t)}}; }
Hash32 sha(const std::string& s) { return sha256(ByteView(reinterpret_cast<const std::uint8_t*>(s.data()), s.size())); }

// The typed builder's result equals make_event over the JSON object (value or error, field for field).
void same(const Result<Event>& got, const Result<Event>& want) {
  REQUIRE(got.has_value() == want.has_value());
  if (!want) {
    CHECK(got.error().code == want.error().code);
    CHECK(got.error().at == want.error().at);
    CHECK(got.error().detail == want.error().detail);
    return;
  }
  CHECK(got->kind == want->kind);
  CHECK(got->leaf_data == want->leaf_data);
  CHECK(got->bundle == want->bundle);
  CHECK(got->bundle_hash == want->bundle_hash);
  CHECK(got->time_ms == want->time_ms);
  CHECK(got->checked == want->checked);
}

// Strings for str fields: plain, JCS escapes, raw control bytes, DEL, non-ASCII (2-, 3- and 4-byte UTF-8),
// exactly 256 bytes.
const std::vector<std::string>& good_strings() {
  static const std::vector<std::string> v = {
      "eip155:31337", "a\"b\\c/d", std::string("nl\n cr\r tab\t bs\b ff\f nul") + '\0' + "\x01\x1f end",
      "del\x7f", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xe2\x80\xa8", std::string(256, 'x')};
  return v;
}
// Refused strings: empty, 257 bytes, invalid UTF-8 (lone continuation, overlong, surrogate).
const std::vector<std::string>& bad_strings() {
  static const std::vector<std::string> v = {"", std::string(257, 'y'), "bad\x80", "\xc0\xaf", "\xed\xa0\x80"};
  return v;
}
const std::vector<std::uint64_t>& numbers() {
  static const std::vector<std::uint64_t> v = {0, 1, 1'800'000'000'000, kSafe, kSafe + 1,
                                               std::numeric_limits<std::uint64_t>::max()};
  return v;
}

void check_packet_verified(const std::string& s, std::uint64_t n, std::uint64_t t, const Hash32& c,
                           const std::string& bundle) {
  const auto got = build(PacketVerified{.commitment = c, .source_island = s, .source_genesis = hh(1),
                                        .source_channel = "channel-0", .sequence = n, .dest_island = "b:2",
                                        .dest_genesis = hh(2), .header_height = n, .header_hash = hh(3),
                                        .bundle = bundle}, t);
  json e = base("packet_verified", t);
  e["commitment"] = hj(c);
  e["source_island"] = s;
  e["source_genesis"] = hj(hh(1));
  e["source_channel"] = "channel-0";
  e["sequence"] = u64j(n);
  e["dest_island"] = "b:2";
  e["dest_genesis"] = hj(hh(2));
  e["header_height"] = u64j(n);
  e["header_hash"] = hj(hh(3));
  e["bundle_hash"] = hj(sha(bundle));
  same(got, make_event(e, bundle));
}

void check_packet_attested(const std::string& s, std::uint64_t n, std::uint64_t t, const Bytes& member,
                           const Bytes& sig) {
  const auto got = build(PacketAttested{.commitment = hh(9), .dest_island = s, .verified_index = n, .member = member,
                                        .digest = hh(10), .signature = sig}, t);
  json e = base("packet_attested", t);
  e["commitment"] = hj(hh(9));
  e["dest_island"] = s;
  e["verified_index"] = u64j(n);
  e["member"] = bj(member);
  e["digest"] = hj(hh(10));
  e["signature"] = bj(sig);
  same(got, make_event(e));
}

void check_others(const std::string& s, std::uint64_t n, std::uint64_t t) {
  {
    json e = base("packet_delivered", t);
    e["commitment"] = hj(hh(9)); e["dest_island"] = s; e["dest_height"] = u64j(n); e["dest_tx"] = bj(Bytes(32, 0x0c));
    same(build(PacketDelivered{.commitment = hh(9), .dest_island = s, .dest_height = n, .dest_tx = Bytes(32, 0x0c)}, t),
         make_event(e));
  }
  for (const bool success : {true, false}) {
    for (const bool with_bundle : {false, true}) {
      const std::string bundle = "{\"b\":" + std::to_string(n) + "}";
      json e = base("ack_verified", t);
      e["commitment"] = hj(hh(9)); e["ack_commitment"] = hj(hh(11)); e["success"] = success; e["dest_island"] = s;
      e["header_height"] = u64j(n); e["header_hash"] = hj(hh(12));
      if (with_bundle) e["bundle_hash"] = hj(sha(bundle));
      AckVerified x{.commitment = hh(9), .ack_commitment = hh(11), .success = success, .dest_island = s,
                    .header_height = n, .header_hash = hh(12)};
      if (with_bundle) x.bundle = bundle;
      same(build(x, t), with_bundle ? make_event(e, bundle) : make_event(e));
    }
  }
  for (const bool with_bundle : {false, true}) {
    const std::string bundle = "{\"t\":" + std::to_string(n) + "}";
    json e = base("timeout_verified", t);
    e["commitment"] = hj(hh(9)); e["dest_island"] = s; e["header_height"] = u64j(n); e["header_hash"] = hj(hh(13));
    if (with_bundle) e["bundle_hash"] = hj(sha(bundle));
    TimeoutVerified x{.commitment = hh(9), .dest_island = s, .header_height = n, .header_hash = hh(13)};
    if (with_bundle) x.bundle = bundle;
    same(build(x, t), with_bundle ? make_event(e, bundle) : make_event(e));
  }
  for (const bool with_set : {false, true}) {
    json e = base("headers_accepted", t);
    e["island"] = s; e["from_height"] = u64j(1); e["to_height"] = u64j(n); e["tip_hash"] = hj(hh(8)); e["count"] = u64j(n);
    HeadersAccepted x{.island = s, .from_height = 1, .to_height = n, .tip_hash = hh(8), .count = n};
    if (with_set) {
      x.validator_set_hash = hh(20);
      e["validator_set_hash"] = hj(hh(20));
    }
    same(build(x, t), make_event(e));
  }
  for (const bool with_opt : {false, true}) {
    json e = base("island_registered", t);
    e["island"] = s; e["genesis"] = hj(hh(1)); e["family"] = "ethereum"; e["anchor_height"] = u64j(n);
    e["anchor_hash"] = hj(hh(2)); e["config_hash"] = hj(hh(3));
    IslandRegistered x{.island = s, .genesis = hh(1), .family = "ethereum", .anchor_height = n, .anchor_hash = hh(2),
                       .config_hash = hh(3)};
    if (with_opt) {
      x.validator_set_hash = hh(4);
      x.endpoint = s;
      e["validator_set_hash"] = hj(hh(4));
      e["endpoint"] = s;
    }
    same(build(x, t), make_event(e));
  }
  for (const bool with_opt : {false, true}) {
    json e = base("island_updated", t);
    e["island"] = s; e["genesis"] = hj(hh(1)); e["config_hash"] = hj(hh(4)); e["change"] = "anchor";
    e["governance_record_hash"] = hj(hh(5));
    IslandUpdated x{.island = s, .genesis = hh(1), .config_hash = hh(4), .change = "anchor",
                    .governance_record_hash = hh(5)};
    if (with_opt) {
      x.anchor_height = n;
      x.anchor_hash = hh(6);
      x.validator_set_hash = hh(7);
      e["anchor_height"] = u64j(n); e["anchor_hash"] = hj(hh(6)); e["validator_set_hash"] = hj(hh(7));
    }
    same(build(x, t), make_event(e));
  }
  for (const char* ordering : {"ordered", "unordered", "sideways"}) {
    json e = base("channel_opened", t);
    e["island"] = s; e["channel"] = "channel-0"; e["port"] = "transfer"; e["counterparty_island"] = "b:2";
    e["counterparty_channel"] = s; e["counterparty_port"] = "transfer"; e["ordering"] = ordering;
    e["record_hash"] = hj(hh(6));
    same(build(ChannelOpened{.island = s, .channel = "channel-0", .port = "transfer", .counterparty_island = "b:2",
                             .counterparty_channel = s, .counterparty_port = "transfer", .ordering = ordering,
                             .record_hash = hh(6)}, t),
         make_event(e));
  }
  {
    json e = base("channel_closed", t);
    e["island"] = "a:1"; e["channel"] = "channel-0"; e["counterparty_island"] = "b:2"; e["counterparty_channel"] = "c";
    e["record_hash"] = hj(hh(7)); e["reason"] = s;
    same(build(ChannelClosed{.island = "a:1", .channel = "channel-0", .counterparty_island = "b:2",
                             .counterparty_channel = "c", .record_hash = hh(7), .reason = s}, t),
         make_event(e));
  }
  for (const bool with_set : {false, true}) {
    json e = base("client_recovered", t);
    e["island"] = s; e["anchor_height"] = u64j(n); e["anchor_hash"] = hj(hh(14)); e["governance_record_hash"] = hj(hh(15));
    ClientRecovered x{.island = s, .anchor_height = n, .anchor_hash = hh(14), .governance_record_hash = hh(15)};
    if (with_set) {
      x.validator_set_hash = hh(16);
      e["validator_set_hash"] = hj(hh(16));
    }
    same(build(x, t), make_event(e));
  }
}

}  // namespace

TEST_CASE("typed builders write exactly make_event's bytes for the same JSON object (strings, escapes, u64 bounds)") {
  const std::string bundle = "{\"bundle\":\"caf\xc3\xa9\",\"n\":1}";
  for (const auto& s : good_strings()) {
    for (const auto n : numbers()) {
      for (const std::uint64_t t : {std::uint64_t{0}, std::uint64_t{1'800'000'000'000}, kSafe}) {
        check_packet_verified(s, n, t, hh(9), bundle);
        check_packet_attested(s, n, t, Bytes(20, 0xaa), Bytes(65, 0x1b));
        check_others(s, n, t);
      }
    }
  }
  // The direct path's result is a checked event, as make_event's.
  const auto pv = build(PacketVerified{.commitment = hh(9), .source_island = "a:1", .source_genesis = hh(1),
                                       .source_channel = "channel-0", .sequence = 7, .dest_island = "b:2",
                                       .dest_genesis = hh(2), .header_height = 100, .header_hash = hh(3),
                                       .bundle = bundle}, 5).value();
  CHECK(pv.checked);
  CHECK(pv.time_ms == 5);
  CHECK(pv.bundle_hash == sha(bundle));
  CHECK(pv.leaf_data == canonicalize(json::parse(pv.leaf_data)).value());
}

TEST_CASE("typed builders refuse every value make_event refuses, with the same code, field and detail") {
  const std::string bundle = "{}";
  for (const auto& s : bad_strings()) {
    check_packet_verified(s, 7, 5, hh(9), bundle);
    check_packet_attested(s, 7, 5, Bytes(20, 0xaa), Bytes(65, 0x1b));
    check_others(s, 7, 5);
  }
  // time_ms above 2^53 - 1 (a u53), an all-zero hash, a bundle that is not UTF-8, a u53 above 2^53 - 1,
  // a member or signature of the wrong length (packet_attested's own rules).
  check_packet_verified("a:1", 7, kSafe + 1, hh(9), bundle);
  check_others("a:1", 7, kSafe + 1);
  check_packet_verified("a:1", 7, 5, Hash32{}, bundle);
  check_packet_verified("a:1", 7, 5, hh(9), "{\"x\":\"\xff\"}");
  check_packet_attested("b:2", kSafe + 1, 5, Bytes(20, 0xaa), Bytes(65, 0x1b));
  check_packet_attested("b:2", 7, 5, Bytes(19, 0xaa), Bytes(65, 0x1b));
  check_packet_attested("b:2", 7, 5, Bytes(20, 0xaa), Bytes(64, 0x1b));
  check_packet_attested("b:2", 7, 5, Bytes(20, 0xaa), Bytes{});
  // Spot checks of the codes themselves.
  CHECK(build(PacketDelivered{.commitment = hh(9), .dest_island = "", .dest_height = 1, .dest_tx = Bytes{1}}, 5)
            .error().code == Code::AuditEvent);
  CHECK(build(PacketDelivered{.commitment = hh(9), .dest_island = "b\x80", .dest_height = 1, .dest_tx = Bytes{1}}, 5)
            .error().code == Code::NotCanonicalJson);
  CHECK(build(PacketDelivered{.commitment = Hash32{}, .dest_island = "b:2", .dest_height = 1, .dest_tx = Bytes{1}}, 5)
            .error().at == "commitment");
}

TEST_CASE("JCS error paths name nested members and array elements; escapes are exact around unescaped runs") {
  const json v = json::parse(R"({"a":{"b":[1,{"c":null}]},"z":1})");
  const auto r = canonicalize(v);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Code::NotCanonicalJson);
  CHECK(r.error().at == "a.b[1].c");
  CHECK(canonicalize(json::parse(R"([0,[1.5]])")).error().at == "[1][0]");
  CHECK(canonicalize(json::parse(R"({"":{"x":null}})")).error().at == "x");
  json bad_key = json::object();
  bad_key["ok"] = json::object();
  bad_key["ok"]["k\xff"] = 1;
  CHECK(canonicalize(bad_key).error().at == "ok.k\xff");
  std::string out;
  append_jcs_string(std::string("ab\"c\\d\ne") + '\x01' + "f\x7f\xc3\xa9", out);
  CHECK(out == "\"ab\\\"c\\\\d\\ne\\u0001f\x7f\xc3\xa9\"");
  out.clear();
  append_jcs_string("", out);
  CHECK(out == "\"\"");
  // Keys: ASCII in byte order; with non-ASCII keys, UTF-16 order (U+10000 and above before U+E000 … U+FFFF).
  CHECK(canonicalize(json::parse(R"({"b":1,"a":2,"B":3})")).value() == R"({"B":3,"a":2,"b":1})");
  CHECK(canonicalize(json::parse("{\"\xef\xbc\xa1\":1,\"\xf0\x9f\x98\x80\":2,\"a\":3}")).value() ==
        "{\"a\":3,\"\xf0\x9f\x98\x80\":2,\"\xef\xbc\xa1\":1}");
}
