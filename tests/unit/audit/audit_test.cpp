// relay/audit: RFC 8785 canonical JSON, event kinds, the SQLite log (transactions, RFC 6962 proofs against
// causeway::merkle), signed tree heads, the audit key file, the export and the verifier's first-failure
// reports (each tamper with its own code and exact index), and a 100,000-entry log.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "bundle_support.hpp"
#include "causeway/audit/events.hpp"
#include "causeway/audit/export.hpp"
#include "causeway/audit/jcs.hpp"
#include "causeway/audit/log.hpp"
#include "causeway/audit/verify.hpp"
#include "causeway/merkle/rfc6962.hpp"
#include "temp_dir.hpp"

using namespace causeway;
using namespace causeway::audit;
using causeway::testing::TempDir;
using nlohmann::json;
namespace rfc = causeway::merkle::rfc6962;

namespace {

std::string jcs(const std::string& text) { return canonicalize(json::parse(text)).value(); }
Code jcs_error(const json& v) { return canonicalize(v).error().code; }
Hash32 hh(std::uint8_t b) {
  Hash32 h;
  h.b.fill(b);
  return h;
}
ByteView bytes_of(const std::string& s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

Event alert(std::uint64_t n) {
  return build(InvariantAlert{.invariant = "escrow", .scope = "channel-" + std::to_string(n),
                              .details = json{{"n", n}}},
               1'800'000'000'000 + n)
      .value();
}

const AuditKey& test_key() {
  static const AuditKey k = AuditKey::from_secret(Bytes(32, 0x11)).value();
  return k;
}

std::uint64_t append_one(store::Database& db, AuditLog& log, const Event& e) {
  auto tx = store::Transaction::begin(db).value();
  const auto i = log.append(tx, e).value();
  REQUIRE(tx.commit().has_value());
  return i;
}

}  // namespace

// ---- RFC 8785 ----------------------------------------------------------------------------------------

TEST_CASE("JCS sorts keys by UTF-16 code units (RFC 8785 section 3.2.3 example)") {
  const std::string in = R"({"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh",)"
                         R"("1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control",)"
                         R"("\u00f6":"Latin Small Letter O With Diaeresis"})";
  // Expected order: \r, 1, U+0080, U+00F6, U+20AC, U+1F600 (surrogates D83D…), U+FB33 — not UTF-8 byte order.
  const std::string want = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\xC2\x80\":\"Control\","
                           "\"\xC3\xB6\":\"Latin Small Letter O With Diaeresis\",\"\xE2\x82\xAC\":\"Euro Sign\","
                           "\"\xF0\x9F\x98\x80\":\"Emoji: Grinning Face\",\"\xEF\xAC\xB3\":\"Hebrew Letter Dalet With Dagesh\"}";
  CHECK(jcs(in) == want);
}

TEST_CASE("JCS escapes strings as ECMAScript JSON.stringify (RFC 8785 section 3.2.2 string and literals)") {
  // The RFC's "string" member; its numbers are floats and its null is outside the audit shape.
  CHECK(jcs(R"({"literals":[true,false],"string":"\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/"})") ==
        "{\"literals\":[true,false],\"string\":\"\xE2\x82\xAC$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
  CHECK(jcs(R"(["\u0000\u0008\u0009\u000a\u000c\u000d\u001f\u007f\u2028"])") ==
        "[\"\\u0000\\b\\t\\n\\f\\r\\u001f\x7f\xE2\x80\xA8\"]");
}

TEST_CASE("JCS integers: plus or minus 2^53-1 are written in decimal; larger integers, floats and null are refused") {
  CHECK(jcs("[0,-0,1,-1,9007199254740991,-9007199254740991]") == "[0,0,1,-1,9007199254740991,-9007199254740991]");
  CHECK(jcs_error(json::parse("9007199254740992")) == Code::NotCanonicalJson);
  CHECK(jcs_error(json::parse("-9007199254740992")) == Code::NotCanonicalJson);
  CHECK(jcs_error(json::parse("18446744073709551615")) == Code::NotCanonicalJson);
  CHECK(jcs_error(json::parse("1.0")) == Code::NotCanonicalJson);
  CHECK(jcs_error(json::parse("1e30")) == Code::NotCanonicalJson);
  const auto e = canonicalize(json::parse(R"({"a":{"b":[1,null]}})")).error();
  CHECK(e.code == Code::NotCanonicalJson);
  CHECK(e.at == "a.b[1]");
  CHECK(jcs_error(json(std::string("\xC0\xAF"))) == Code::NotCanonicalJson);  // overlong UTF-8
  CHECK(jcs_error(json(std::string("\xED\xA0\x80"))) == Code::NotCanonicalJson);  // a surrogate in UTF-8
  json deep = 1;
  for (int i = 0; i < 40; ++i) deep = json::array({deep});
  CHECK(jcs_error(deep) == Code::NotCanonicalJson);
}

TEST_CASE("parse_canonical accepts exactly the canonical text: whitespace, order, duplicates, escapes refused") {
  CHECK(parse_canonical(R"({"a":1,"b":[true,"x"]})").has_value());
  for (const char* bad : {R"({"b":1,"a":2})", R"({"a": 1})", R"({"a":1,"a":1})", R"(["\u0041"])", R"(["\/"])",
                          R"(["\u001F"])", R"([1.0])", R"([null])", R"([-0])", "{\"a\":1}\n", "not json"}) {
    INFO(bad);
    CHECK(parse_canonical(bad).error().code == Code::NotCanonicalJson);
  }
}

// ---- events --------------------------------------------------------------------------------------------

TEST_CASE("event builders produce canonical, valid entries of every kind") {
  const std::uint64_t t = 1'800'000'000'000;
  std::vector<Event> events = {
      build(IslandRegistered{.island = "eip155:31337", .genesis = hh(1), .family = "ethereum", .anchor_height = 7,
                             .anchor_hash = hh(2), .config_hash = hh(3)}, t).value(),
      build(IslandUpdated{.island = "eip155:31337", .genesis = hh(1), .config_hash = hh(4), .change = "endpoint",
                          .governance_record_hash = hh(5)}, t).value(),
      build(ChannelOpened{.island = "a:1", .channel = "channel-0", .port = "transfer", .counterparty_island = "b:2",
                          .counterparty_channel = "channel-3", .counterparty_port = "transfer",
                          .ordering = "unordered", .record_hash = hh(6)}, t).value(),
      build(ChannelClosed{.island = "a:1", .channel = "channel-0", .counterparty_island = "b:2",
                          .counterparty_channel = "channel-3", .record_hash = hh(7), .reason = "governance"}, t).value(),
      build(HeadersAccepted{.island = "a:1", .from_height = 1, .to_height = 100, .tip_hash = hh(8), .count = 100}, t).value(),
      build(PacketVerified{.commitment = hh(9), .source_island = "a:1", .source_genesis = hh(1),
                           .source_channel = "channel-0", .sequence = 7, .dest_island = "b:2", .dest_genesis = hh(2),
                           .header_height = 100, .header_hash = hh(8), .bundle = "{}"}, t).value(),
      build(PacketAttested{.commitment = hh(9), .dest_island = "b:2", .verified_index = 5, .member = Bytes(20, 0xaa),
                           .digest = hh(10), .signature = Bytes(65, 0x1b)}, t).value(),
      build(PacketDelivered{.commitment = hh(9), .dest_island = "b:2", .dest_height = 55, .dest_tx = Bytes(32, 0x0c)}, t).value(),
      build(AckVerified{.commitment = hh(9), .ack_commitment = hh(11), .success = true, .dest_island = "b:2",
                        .header_height = 56, .header_hash = hh(12)}, t).value(),
      build(TimeoutVerified{.commitment = hh(9), .dest_island = "b:2", .header_height = 57, .header_hash = hh(13)}, t).value(),
      build(ClientFrozen{.island = "a:1", .height = 100, .reason = "equivocation",
                         .evidence = json{{"header_a", "0x01"}, {"header_b", "0x02"}}}, t).value(),
      build(ClientRecovered{.island = "a:1", .anchor_height = 200, .anchor_hash = hh(14),
                            .governance_record_hash = hh(15)}, t).value(),
      build(InvariantAlert{.invariant = "escrow", .scope = "channel a:1/channel-0", .details = json::object()}, t).value(),
      build(OperatorAction{.operator_id = "ops", .action = "resume", .target = "channel-0", .details = json::object()}, t).value(),
      build(CommitteeChanged{.members = std::vector<Bytes>{Bytes(20, 1), Bytes(20, 2)}, .threshold = 2,
                             .record_hash = hh(16)}, t).value()};
  REQUIRE(events.size() == all_kinds().size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    CHECK(events[i].kind == all_kinds()[i]);
    const auto doc = parse_canonical(events[i].leaf_data).value();
    CHECK(doc.at("kind") == std::string(kind_name(events[i].kind)));
    CHECK(validate_event(doc).value() == events[i].kind);
  }
  CHECK(events[5].bundle == std::string("{}"));
  CHECK(json::parse(events[5].leaf_data).at("bundle_hash") == to_hex(sha256(bytes_of("{}")).view()));
  // uint64 values above 2^53 - 1 become decimal strings.
  const auto big = build(HeadersAccepted{.island = "a:1", .from_height = 1, .to_height = 9007199254740993ULL,
                                         .tip_hash = hh(8), .count = 1}, t).value();
  CHECK(json::parse(big.leaf_data).at("to_height") == "9007199254740993");
}

TEST_CASE("events with a missing, malformed or undefined field are refused with ERR_AUDIT_EVENT and the field") {
  const json ok = json::parse(build(PacketDelivered{.commitment = hh(9), .dest_island = "b:2", .dest_height = 55,
                                                    .dest_tx = Bytes{1}}, 5).value().leaf_data);
  auto at_of = [](const json& e) {
    auto r = make_event(e);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Code::AuditEvent);
    return r.error().at;
  };
  json e = ok; e.erase("dest_height");                 CHECK(at_of(e) == "dest_height");
  e = ok; e["dest_height"] = "55";                     CHECK(at_of(e) == "dest_height");  // small u64 as a string
  e = ok; e["commitment"] = "0xAB";                    CHECK(at_of(e) == "commitment");
  e = ok; e["commitment"] = to_hex(Hash32{}.view());   CHECK(at_of(e) == "commitment");  // all zero
  e = ok; e["dest_tx"] = "0xABCD";                     CHECK(at_of(e) == "dest_tx");     // uppercase hex
  e = ok; e["extra"] = 1;                              CHECK(at_of(e) == "extra");
  e = ok; e["kind"] = "packet_teleported";             CHECK(at_of(e) == "kind");
  e = ok; e.erase("time_ms");                          CHECK(at_of(e) == "time_ms");
  e = ok; e["dest_island"] = "";                       CHECK(at_of(e) == "dest_island");
  CHECK(make_event(ok).has_value());
  // A bundle must match bundle_hash; a bundle without bundle_hash is a caller bug.
  CHECK(make_event(ok, std::string("{}")).error().code == Code::InvalidArgument);
  json pv = json::parse(build(PacketVerified{.commitment = hh(9), .source_island = "a:1", .source_genesis = hh(1),
                                             .source_channel = "c", .sequence = 1, .dest_island = "b:2",
                                             .dest_genesis = hh(2), .header_height = 1, .header_hash = hh(3),
                                             .bundle = "{}"}, 5).value().leaf_data);
  CHECK(make_event(pv, std::string("{ }")).error().code == Code::AuditBundleHash);
  CHECK(make_event(pv).error().code == Code::AuditBundleHash);
  // A14: a frozen client's evidence holds both conflicting headers.
  CHECK(build(ClientFrozen{.island = "a:1", .height = 1, .reason = "fork", .evidence = json{{"header_a", "0x01"}}}, 5)
            .error().at == "evidence");
}

// ---- the log -----------------------------------------------------------------------------------------

TEST_CASE("append inside a rolled-back transaction leaves nothing; append without a transaction is refused") {
  TempDir dir;
  auto db = causeway::testing::open_db(dir.file("causeway.db"));
  auto log = AuditLog::open(db).value();
  CHECK(append_one(db, log, alert(0)) == 0);
  {
    auto tx = store::Transaction::begin(db).value();
    CHECK(log.append(tx, alert(1)).value() == 1);
    CHECK(log.append(tx, alert(2)).value() == 2);
    CHECK(log.size().value() == 3);  // visible inside the transaction
    REQUIRE(tx.rollback().has_value());
  }
  CHECK(log.size().value() == 1);
  CHECK(log.leaves(0, 10).value().size() == 1);
  CHECK(log.root(1).value() == rfc::leaf_hash(bytes_of(alert(0).leaf_data)));
  CHECK(append_one(db, log, alert(3)) == 1);  // the next index is reused, the tree is intact
  const std::vector<Hash32> lh = {rfc::leaf_hash(bytes_of(alert(0).leaf_data)), rfc::leaf_hash(bytes_of(alert(3).leaf_data))};
  CHECK(log.root(2).value() == rfc::root(lh));
  // No transaction open: refused (DESIGN.md rule 4 needs the caller's).
  auto tx = store::Transaction::begin(db).value();
  REQUIRE(tx.commit().has_value());
  CHECK(log.append(tx, alert(4)).error().code == Code::InvalidArgument);
  // The tables are append-only.
  CHECK_FALSE(db.exec("UPDATE audit_leaves SET kind = 'x'").has_value());
  CHECK_FALSE(db.exec("DELETE FROM audit_nodes").has_value());
}

TEST_CASE("root, inclusion and consistency proofs for tree sizes 1..64 equal merkle's and verify with it") {
  TempDir dir;
  auto db = causeway::testing::open_db(dir.file("causeway.db"));
  auto log = AuditLog::open(db).value();
  std::vector<Hash32> leaves;
  for (std::uint64_t i = 0; i < 64; ++i) {
    const Event e = alert(i);
    CHECK(append_one(db, log, e) == i);
    leaves.push_back(rfc::leaf_hash(bytes_of(e.leaf_data)));
  }
  CHECK(log.root(0).value() == rfc::empty_root());
  for (std::uint64_t n = 1; n <= 64; ++n) {
    const std::span<const Hash32> prefix(leaves.data(), n);
    const Hash32 root = log.root(n).value();
    REQUIRE(root == rfc::root(prefix));
    for (std::uint64_t i = 0; i < n; ++i) {
      const auto p = log.inclusion_proof(i, n).value();
      CHECK(p == rfc::inclusion_proof(prefix, i).value());
      CHECK(rfc::verify_inclusion(i, n, leaves[i].view(), std::span<const Hash32>(p), root.view()).has_value());
    }
    for (std::uint64_t m = 1; m <= n; ++m) {
      const auto p = log.consistency_proof(m, n).value();
      CHECK(p == rfc::consistency_proof(prefix, m).value());
      CHECK(rfc::verify_consistency(m, n, std::span<const Hash32>(p), log.root(m).value().view(), root.view())
                .has_value());
    }
  }
  CHECK(log.root(65).error().code == Code::MerkleIndex);
  CHECK(log.inclusion_proof(64, 64).error().code == Code::MerkleIndex);
  CHECK(log.consistency_proof(0, 64).error().code == Code::MerkleIndex);
}

TEST_CASE("signed tree heads: kept in order, timestamps never go backwards, one key per log") {
  TempDir dir;
  auto db = causeway::testing::open_db(dir.file("causeway.db"));
  auto log = AuditLog::open(db).value();
  const auto s0 = log.sign_tree_head(test_key(), 1000).value();
  CHECK(s0.tree_size == 0);
  CHECK(s0.root_hash == rfc::empty_root());
  append_one(db, log, alert(0));
  const auto s1 = log.sign_tree_head(test_key(), 900).value();  // clock went back: clamped
  CHECK(s1.timestamp_ms == 1000);
  CHECK(s1.tree_size == 1);
  CHECK(verify_sth(s1).has_value());
  CHECK(log.tree_heads().value() == std::vector<SignedTreeHead>{s0, s1});
  const auto other = AuditKey::from_secret(Bytes(32, 0x22)).value();
  CHECK(log.sign_tree_head(other, 2000).error().code == Code::AuditInconsistent);
}

TEST_CASE("the audit key is created 0600 on first run, reloaded, and refused when group or others can read it") {
  TempDir dir;
  const std::string path = dir.file("audit.key");
  const auto k1 = AuditKey::load_or_create(path).value();
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(AuditKey::load_or_create(path).value().log_id() == k1.log_id());
  REQUIRE(::chmod(path.c_str(), 0640) == 0);
  const auto e = AuditKey::load_or_create(path).error();
  CHECK(e.code == Code::KeyPermissions);
  CHECK(e.detail.find("0640") != std::string::npos);
  REQUIRE(::chmod(path.c_str(), 0604) == 0);
  CHECK(AuditKey::load_or_create(path).error().code == Code::KeyPermissions);
  REQUIRE(::chmod(path.c_str(), 0600) == 0);
  std::ofstream(path, std::ios::trunc) << "zz\n";
  CHECK(AuditKey::load_or_create(path).error().code == Code::BadHex);
}

// ---- export and verification -------------------------------------------------------------------------

namespace {

using causeway::proofs::test::RegtestChain;

// A log with: island_registered (the regtest genesis as anchor), headers, a packet_verified with a real
// regtest bundle (index 2), more entries and STHs at sizes 2, 4, 6 and 8.
struct Fixture {
  TempDir dir;
  store::Database db = causeway::testing::open_db(dir.file("causeway.db"));
  AuditLog log = AuditLog::open(db).value();
  std::string bundle;
  json bundle_result;

  explicit Fixture(bool register_island = true, bool wrong_header_hash = false) {
    RegtestChain chain;
    chain.mine_n(3);
    bundle = causeway::proofs::test::regtest_bundle(chain, 2, 0).dump();
    bundle_result = json::parse(causeway::proofs::verify_bundle(bundle, nullptr, causeway::proofs::test::kVerifyTime).output_json);
    REQUIRE(bundle_result.at("valid") == true);
    const std::uint64_t t = 1'700'000'000'000;
    const Hash32 anchor = hash_from_hex(bundle_result["anchor"]["hash"].get<std::string>()).value();
    const Hash32 header = hash_from_hex(bundle_result["header_hash"].get<std::string>()).value();
    std::vector<Event> evs;
    if (register_island) {
      evs.push_back(build(IslandRegistered{.island = causeway::proofs::test::kRegtestIsland, .genesis = anchor,
                                           .family = "bitcoin", .anchor_height = 0, .anchor_hash = anchor,
                                           .config_hash = hh(3)}, t).value());
    } else {
      evs.push_back(alert(100));
    }
    evs.push_back(build(HeadersAccepted{.island = causeway::proofs::test::kRegtestIsland, .from_height = 1, .to_height = 3,
                                        .tip_hash = hh(4), .count = 3}, t + 1).value());
    evs.push_back(build(PacketVerified{.commitment = hh(9), .source_island = causeway::proofs::test::kRegtestIsland,
                                       .source_genesis = anchor, .source_channel = "deposit", .sequence = 7,
                                       .dest_island = "eip155:31337", .dest_genesis = hh(2),
                                       .header_height = 2, .header_hash = wrong_header_hash ? hh(5) : header,
                                       .bundle = bundle}, t + 2).value());
    for (std::uint64_t i = 3; i < 8; ++i) evs.push_back(alert(i));
    std::uint64_t now = t + 10;
    for (std::size_t i = 0; i < evs.size(); ++i) {
      append_one(db, log, evs[i]);
      if ((i + 1) % 2 == 0) REQUIRE(log.sign_tree_head(test_key(), now++).has_value());
    }
  }

  std::vector<json> export_lines() {
    std::ostringstream out;
    REQUIRE(write_export(log, out).has_value());
    std::vector<json> lines;
    std::istringstream in(out.str());
    for (std::string l; std::getline(in, l);) lines.push_back(json::parse(l));
    return lines;
  }
};

VerifyReport verify_lines(const TempDir& dir, const std::vector<json>& lines) {
  const std::string path = dir.file("export.jsonl");
  {
    std::ofstream out(path, std::ios::trunc | std::ios::binary);
    for (const auto& l : lines) out << l.dump() << '\n';
  }
  auto src = ExportSource::open(path).value();
  return verify_log(*src).value();
}

// Line positions in the export of Fixture: 0 header, 1..4 STHs (sizes 2, 4, 6, 8), 5.. leaves 0..7.
constexpr std::size_t kFirstLeafLine = 5;

void expect_failure(const VerifyReport& r, Code code, const std::string& at) {
  REQUIRE_FALSE(r.ok);
  REQUIRE(r.error.has_value());
  INFO(r.error->detail);
  CHECK(code_name(r.error->code) == code_name(code));
  CHECK(r.error->at == at);
}

}  // namespace

TEST_CASE("a faithful export and the database itself verify: STHs, consistency, leaves, the bundle re-verified") {
  Fixture f;
  const auto lines = f.export_lines();
  REQUIRE(lines.size() == kFirstLeafLine + 8);
  CHECK(lines[0].at("format") == "causeway-audit-export");
  CHECK(lines[0].at("tree_size") == 8);
  const auto r = verify_lines(f.dir, lines);
  INFO((r.error ? r.error->detail : ""));
  CHECK(r.ok);
  CHECK(r.entries == 8);
  CHECK(r.tree_size == 8);
  CHECK(r.sths_checked == 4);
  CHECK(r.bundles_verified == 1);
  CHECK(r.log_id == to_hex(test_key().log_id()));
  DatabaseSource db_source(f.log);
  const auto d = verify_log(db_source).value();
  CHECK(d.ok);
  CHECK(d.bundles_verified == 1);
  // Pinned to another key: refused at the first STH.
  VerifyOptions pin;
  pin.pinned_log_id = AuditKey::from_secret(Bytes(32, 0x22)).value().log_id();
  expect_failure(verify_log(db_source, pin).value(), Code::AuditInconsistent, "sths[0]");
}

TEST_CASE("tampered export: a changed leaf is ERR_AUDIT_LEAF_HASH at its index") {
  Fixture f;
  auto lines = f.export_lines();
  json& leaf = lines[kFirstLeafLine + 5];
  leaf["data"] = alert(99).leaf_data;  // another valid entry, recorded hash unchanged
  const auto r = verify_lines(f.dir, lines);
  expect_failure(r, Code::AuditLeafHash, "leaves[5]");
  CHECK(r.leaf_index == 5u);
}

TEST_CASE("tampered export: a changed leaf with a matching leaf hash is ERR_AUDIT_ROOT_MISMATCH at the STH covering it") {
  Fixture f;
  auto lines = f.export_lines();
  json& leaf = lines[kFirstLeafLine + 5];
  leaf["data"] = alert(99).leaf_data;
  leaf["leaf_hash"] = to_hex(rfc::leaf_hash(bytes_of(leaf["data"].get<std::string>())).view());
  const auto r = verify_lines(f.dir, lines);
  expect_failure(r, Code::AuditRootMismatch, "sths[2]");  // the STH of size 6 covers leaves 4 and 5
  CHECK(r.sth_tree_size == 6u);
}

TEST_CASE("tampered export: a leaf that is not canonical JSON is ERR_NOT_CANONICAL_JSON at its index") {
  Fixture f;
  auto lines = f.export_lines();
  json& leaf = lines[kFirstLeafLine + 3];
  leaf["data"] = json::parse(leaf["data"].get<std::string>()).dump(1);
  leaf["leaf_hash"] = to_hex(rfc::leaf_hash(bytes_of(leaf["data"].get<std::string>())).view());
  expect_failure(verify_lines(f.dir, lines), Code::NotCanonicalJson, "leaves[3]");
}

TEST_CASE("tampered export: a changed bundle is ERR_AUDIT_BUNDLE_HASH at its packet_verified entry") {
  Fixture f;
  auto lines = f.export_lines();
  json& leaf = lines[kFirstLeafLine + 2];
  REQUIRE(leaf.contains("bundle"));
  json b = json::parse(leaf["bundle"].get<std::string>());
  b["finality"]["min_confirmations"] = 2;
  leaf["bundle"] = b.dump();
  const auto r = verify_lines(f.dir, lines);
  expect_failure(r, Code::AuditBundleHash, "leaves[2].bundle");
  CHECK(r.leaf_index == 2u);
  leaf.erase("bundle");
  expect_failure(verify_lines(f.dir, lines), Code::AuditBundleHash, "leaves[2].bundle");
}

TEST_CASE("tampered export: a forged STH signature is ERR_STH_SIGNATURE at that STH") {
  Fixture f;
  auto lines = f.export_lines();
  std::string sig = lines[3]["sth"]["signature"].get<std::string>();
  sig[10] = sig[10] == '0' ? '1' : '0';
  lines[3]["sth"]["signature"] = sig;
  const auto r = verify_lines(f.dir, lines);
  expect_failure(r, Code::SthSignature, "sths[2]");
  CHECK(r.sth_tree_size == 6u);
}

TEST_CASE("tampered export: an STH validly signed but inconsistent with the earlier one is ERR_CONSISTENCY_PROOF") {
  Fixture f;
  auto lines = f.export_lines();
  // The log key signs a size-6 root that does not extend the size-4 tree (a forked log).
  const auto forged = test_key().sign(6, hh(0x5a), lines[3]["sth"]["timestamp_ms"].get<std::uint64_t>()).value();
  lines[3]["sth"] = sth_to_json(forged);
  const auto r = verify_lines(f.dir, lines);
  expect_failure(r, Code::ConsistencyProof, "sths[2]");
  CHECK(r.sth_tree_size == 6u);
}

TEST_CASE("tampered export: a truncated log is ERR_AUDIT_TRUNCATED at the first missing index") {
  Fixture f;
  auto lines = f.export_lines();
  lines.resize(lines.size() - 1);  // drop leaf 7
  const auto r = verify_lines(f.dir, lines);
  expect_failure(r, Code::AuditTruncated, "leaves[7]");
  CHECK(r.leaf_index == 7u);
  // A dropped leaf in the middle shifts the rest: the next index is wrong.
  auto gap = f.export_lines();
  gap.erase(gap.begin() + static_cast<std::ptrdiff_t>(kFirstLeafLine + 4));
  expect_failure(verify_lines(f.dir, gap), Code::AuditInconsistent, "leaves[4]");
}

TEST_CASE("A03 audit verify refuses a bundle whose anchor is not a consensus state recorded in the log") {
  Fixture f(/*register_island=*/false);
  DatabaseSource src(f.log);
  const auto r = verify_log(src).value();
  expect_failure(r, Code::UntrustedAnchor, "leaves[2].bundle.anchor");
}

TEST_CASE("a bundle proving another header than its entry records is ERR_AUDIT_BUNDLE_MISMATCH") {
  Fixture f(/*register_island=*/true, /*wrong_header_hash=*/true);
  DatabaseSource src(f.log);
  expect_failure(verify_log(src).value(), Code::AuditBundleMismatch, "leaves[2].header_hash");
}

TEST_CASE("an export that is not one is a source error (ERR_AUDIT_EXPORT), not a verdict") {
  TempDir dir;
  const std::string path = dir.file("x.jsonl");
  std::ofstream(path) << "{\"format\":\"something-else\",\"version\":1}\n";
  CHECK(ExportSource::open(path).error().code == Code::AuditExport);
  CHECK(ExportSource::open(dir.file("missing.jsonl")).error().code == Code::Io);
}

TEST_CASE("100,000 appends build and verify without quadratic cost") {
  TempDir dir;
  auto db = causeway::testing::open_db(dir.file("causeway.db"));
  auto log = AuditLog::open(db).value();
  constexpr std::uint64_t kN = 100'000;
  std::vector<Hash32> leaves;
  leaves.reserve(kN);
  for (std::uint64_t start = 0; start < kN; start += 10'000) {
    auto tx = store::Transaction::begin(db).value();
    for (std::uint64_t i = start; i < start + 10'000; ++i) {
      const Event e = alert(i);
      REQUIRE(log.append(tx, e).value() == i);
      leaves.push_back(rfc::leaf_hash(bytes_of(e.leaf_data)));
    }
    REQUIRE(tx.commit().has_value());
    REQUIRE(log.sign_tree_head(test_key(), 1000 + start).has_value());
  }
  const Hash32 root = log.root(kN).value();
  CHECK(root == rfc::root(leaves));
  const auto p = log.inclusion_proof(77'777, kN).value();
  CHECK(rfc::verify_inclusion(77'777, kN, leaves[77'777].view(), std::span<const Hash32>(p), root.view()).has_value());
  DatabaseSource src(log);
  const auto r = verify_log(src).value();
  CHECK(r.ok);
  CHECK(r.entries == kN);
  CHECK(r.sths_checked == 10);
}
