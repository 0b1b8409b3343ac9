// relay/proofs family `bft`, codec causeway-devnet/v1 (PROOF-BUNDLE.md "Family bft"), end to end through
// causeway::proofs::verify_bundle for both crypto suites (secp256k1-sha256, sm2-sm3). The chains are signed with
// tests/unit/bft/chain.hpp's deterministic keys: anchor 100, sequential 101..105 with a validator-set rotation
// (A → B announced at 102, carried as `validators` at 103), and a skipping header 110 that rotates to C; the
// event tree of 104 holds a PACKET.md PacketSent leaf (0x01 ‖ packet_bytes). Audit paths are computed here from
// RFC 6962 §2.1 with the suite hash (not with the light client's Merkle code). Every rejection is checked with
// its exact exit status, code and location. Attack cases: A03 (trust file pins hash and validator-set hash).
#include <catch2/catch.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "bundle_support.hpp"
#include "causeway/bft/inclusion.hpp"
#include "causeway/bft/suite.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/core/packet.hpp"
#include "causeway/proofs/headers.hpp"
#include "chain.hpp"
#include "schema_patterns.hpp"  // relay/proofs/src (internal)

namespace {

using nlohmann::json;
using causeway::Bytes;
using causeway::Hash32;
using causeway::to_hex;
using causeway::proofs::TrustedAnchor;
using causeway::proofs::TrustList;
using causeway::proofs::test::kVerifyTime;
using causeway::proofs::test::Outcome;
using causeway::proofs::test::run;
namespace bft = causeway::bft;
using bft::Suite;

const std::string kChainId = "cwdevnet:devnet-7";  // causeway-devnet/v1 headers carry the island id
const std::string kIsland = kChainId;
constexpr std::uint64_t kAnchorHeight = 100;
constexpr std::uint64_t kProvingHeight = 104;
constexpr std::uint64_t kSkipHeight = 110;
constexpr std::uint64_t kPacketIndex = 2;  // of 5 event leaves at kProvingHeight
// Anchor one hour before verify_time_s; sequential headers 6 s apart; the skipping header 1 s before verify time.
constexpr std::uint64_t kAnchorTimeMs = (static_cast<std::uint64_t>(kVerifyTime) - 3600) * 1000;
constexpr std::uint64_t kSkipTimeMs = static_cast<std::uint64_t>(kVerifyTime) * 1000 - 1000;

// ---- RFC 6962 §2.1 from the definition, with the suite hash ------------------------------------------------

Hash32 leaf_h(Suite s, const Bytes& d) {
  Bytes in{0x00};
  in.insert(in.end(), d.begin(), d.end());
  return bft::suite_hash(s, in);
}
Hash32 node_h(Suite s, const Hash32& l, const Hash32& r) {
  Bytes in{0x01};
  in.insert(in.end(), l.b.begin(), l.b.end());
  in.insert(in.end(), r.b.begin(), r.b.end());
  return bft::suite_hash(s, in);
}
std::size_t split(std::size_t n) {  // largest power of two < n
  std::size_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
Hash32 mth(Suite s, const std::vector<Bytes>& d, std::size_t lo, std::size_t hi) {
  if (hi - lo == 1) return leaf_h(s, d[lo]);
  const std::size_t k = split(hi - lo);
  return node_h(s, mth(s, d, lo, lo + k), mth(s, d, lo + k, hi));
}
void path(Suite s, const std::vector<Bytes>& d, std::size_t m, std::size_t lo, std::size_t hi, std::vector<Hash32>& out) {
  if (hi - lo == 1) return;
  const std::size_t k = split(hi - lo);
  if (m < k) {
    path(s, d, m, lo, lo + k, out);
    out.push_back(mth(s, d, lo + k, hi));
  } else {
    path(s, d, m - k, lo + k, hi, out);
    out.push_back(mth(s, d, lo, lo + k));
  }
}

// ---- the packet -------------------------------------------------------------------------------------------

Bytes packet_bytes() {
  namespace packet = causeway::packet;
  packet::Packet p;
  p.source_island = kIsland;
  p.source_genesis = causeway::sha256(Bytes{'g', 'e', 'n', 'e', 's', 'i', 's'});
  p.source_channel = "channel-0";
  p.source_port = "transfer";
  p.dest_island = "eip155:31338";
  p.dest_genesis = causeway::sha256(Bytes{'d', 'e', 's', 't'});
  p.dest_channel = "channel-1";
  p.dest_port = "transfer";
  p.sequence = 7;
  p.sender = Bytes(20, 0x5e);
  p.receiver = Bytes(20, 0x7e);
  p.payload = Bytes{'h', 'e', 'l', 'l', 'o'};
  p.timeout_height = 5000;
  return packet::encode_packet(p);
}
Bytes packet_leaf() {  // PACKET.md: 0x01 ‖ packet_bytes, built here byte by byte
  Bytes l{0x01};
  const Bytes p = packet_bytes();
  l.insert(l.end(), p.begin(), p.end());
  return l;
}
std::vector<Bytes> proving_events() {
  std::vector<Bytes> ev;
  for (std::uint8_t i = 0; i < 5; ++i) ev.push_back(i == kPacketIndex ? packet_leaf() : Bytes{0x02, 0xaa, i});
  return ev;
}

// ---- JSON of headers, sets, commits -----------------------------------------------------------------------

json header_json(const bft::devnet::Header& h) {
  return json{{"chain_id", h.chain_id},
              {"height", h.height},
              {"time_ms", h.time_ms},
              {"parent_hash", to_hex(h.parent_hash.view())},
              {"tx_root", to_hex(h.tx_root.view())},
              {"event_root", to_hex(h.event_root.view())},
              {"tx_count", h.tx_count},
              {"event_count", h.event_count},
              {"state_root", to_hex(h.state_root.view())},
              {"validators_hash", to_hex(h.validators_hash.view())},
              {"next_validators_hash", to_hex(h.next_validators_hash.view())},
              {"proposer", to_hex(h.proposer)}};
}
json set_json(const bft::ValidatorSet& set) {
  json out = json::array();
  for (const auto& v : set.validators()) out.push_back({{"key", to_hex(v.key)}, {"power", v.power}});
  return out;
}
json commit_json(const bft::Commit& c) {
  json out = json::array();
  for (const auto& sig : c) out.push_back({{"validator", sig.validator}, {"signature", to_hex(sig.signature)}});
  return out;
}

// ---- the chain --------------------------------------------------------------------------------------------

struct Chain {
  Suite suite;
  bfttest::Committee a, b, c;  // A signs 100..102; B 103..105; C 110 (B ∩ C = 3 of 4: > 1/3 of B for the skip)
  std::vector<bfttest::Block> blocks;  // 100..105, 110
  const bfttest::Block& at(std::uint64_t height) const {
    for (const auto& bl : blocks)
      if (bl.header.height == height) return bl;
    throw std::logic_error("no block");
  }
};

Chain make_chain(Suite s) {
  Chain ch{s, bfttest::committee(s, {10, 10, 10, 10}, 1), {}, {}, {}};
  ch.b = bfttest::committee_of(s, {ch.a.keys[1], ch.a.keys[2], ch.a.keys[3], bfttest::key(s, 50)}, {10, 10, 10, 10});
  ch.c = bfttest::committee_of(s, {ch.b.keys[0], ch.b.keys[1], ch.b.keys[3], bfttest::key(s, 60)}, {10, 10, 10, 20});
  auto add = [&](std::uint64_t height, std::uint64_t time_ms, const bfttest::Committee& vals,
                 const bfttest::Committee& next, std::vector<Bytes> events = {Bytes{0x02, 0x01}}) {
    const Hash32 parent = ch.blocks.empty() ? Hash32{} : ch.blocks.back().hash;
    ch.blocks.push_back(bfttest::make_block(s, height, time_ms, parent, vals, next,
                                            {Bytes{'t', 'x', static_cast<std::uint8_t>(height)}}, std::move(events),
                                            kChainId));
  };
  add(100, kAnchorTimeMs, ch.a, ch.a);
  add(101, kAnchorTimeMs + 6000, ch.a, ch.a);
  add(102, kAnchorTimeMs + 12000, ch.a, ch.b);  // announces B
  add(103, kAnchorTimeMs + 18000, ch.b, ch.b);
  add(104, kAnchorTimeMs + 24000, ch.b, ch.b, proving_events());
  add(105, kAnchorTimeMs + 30000, ch.b, ch.b);
  add(110, kSkipTimeMs, ch.c, ch.c);  // skipping; parent is 105's hash (not checked when skipping)
  return ch;
}

const Chain& chain(Suite s) {
  static const Chain secp = make_chain(Suite::Secp256k1Sha256);
  static const Chain sm2 = make_chain(Suite::Sm2Sm3);
  return s == Suite::Sm2Sm3 ? sm2 : secp;
}

// One headers[] entry: header, commit, and the sets it carries.
json entry(const Chain& ch, std::uint64_t height) {
  const auto& bl = ch.at(height);
  json e;
  e["header"] = header_json(bl.header);
  if (height <= 102) e["commit"] = commit_json(bfttest::sign_all(ch.a, bl));
  if (height >= 103 && height <= 105) e["commit"] = commit_json(bfttest::sign_all(ch.b, bl));
  if (height == 102) e["next_validators"] = set_json(ch.b.set);  // the rotation is announced
  if (height == 103) e["validators"] = set_json(ch.b.set);       // and carried (equal to the trusted next set)
  if (height == kSkipHeight) {
    e["commit"] = commit_json(bfttest::sign_all(ch.c, bl));
    e["validators"] = set_json(ch.c.set);
    e["next_validators"] = set_json(ch.c.set);
  }
  return e;
}

json inclusion_json(const Chain& ch) {
  const auto events = proving_events();
  std::vector<Hash32> p;
  path(ch.suite, events, kPacketIndex, 0, events.size(), p);
  json ap = json::array();
  for (const auto& h : p) ap.push_back(to_hex(h.view()));
  return json{{"kind", "rfc6962"},        {"tree", "event"},          {"height", kProvingHeight},
              {"index", kPacketIndex},    {"tree_size", events.size()}, {"leaf", to_hex(packet_leaf())},
              {"audit_path", ap}};
}

json make_bundle(Suite s) {
  const Chain& ch = chain(s);
  json headers = json::array();
  for (std::uint64_t h : {101u, 102u, 103u, 104u, 105u, 110u}) headers.push_back(entry(ch, h));
  return json{{"version", 1},
              {"family", "bft"},
              {"island", kIsland},
              {"codec", "causeway-devnet/v1"},
              {"crypto", std::string(bft::suite_name(s))},
              {"anchor",
               {{"header", header_json(ch.at(kAnchorHeight).header)},
                {"validators", set_json(ch.a.set)},
                {"next_validators", set_json(ch.a.set)},
                {"trusting_period_s", 14 * 24 * 3600}}},
              {"headers", headers},
              {"inclusion", inclusion_json(ch)},
              {"verify_time_s", kVerifyTime}};
}

json expected_result(Suite s, const std::string& trusted = "as-given", std::int64_t verify_time = kVerifyTime) {
  const Chain& ch = chain(s);
  const auto& anchor = ch.at(kAnchorHeight);
  return json{{"valid", true},
              {"family", "bft"},
              {"codec", "causeway-devnet/v1"},
              {"crypto", std::string(bft::suite_name(s))},
              {"island", kIsland},
              {"height", kProvingHeight},
              {"header_hash", to_hex(ch.at(kProvingHeight).hash.view())},
              {"confirmations", kSkipHeight - kProvingHeight + 1},
              {"claim", nullptr},  // set by expected()
              {"trust", "quorum"},
              {"anchor",
               {{"height", kAnchorHeight},
                {"hash", to_hex(anchor.hash.view())},
                {"validator_set_hash", to_hex(anchor.header.validators_hash.view())},
                {"trusted", trusted}}},
              {"tip", {{"height", kSkipHeight}, {"hash", to_hex(ch.at(kSkipHeight).hash.view())}}},
              {"verify_time_s", verify_time}};
}
json expected(Suite s, const std::string& trusted = "as-given", std::int64_t verify_time = kVerifyTime) {
  json e = expected_result(s, trusted, verify_time);
  json claim = inclusion_json(chain(s));
  claim.erase("audit_path");
  e["claim"] = claim;
  return e;
}

void expect_valid(const json& bundle, const json& want, const TrustList* trust = nullptr) {
  const Outcome o = run(bundle, trust);
  INFO(o.out.dump());
  REQUIRE(o.exit_code == 0);
  CHECK(o.out == want);
}

// Exact exit status, code and location.
void expect_error(const json& bundle, int exit_code, const std::string& code, const std::string& at,
                  const TrustList* trust = nullptr) {
  const Outcome o = run(bundle, trust);
  INFO(o.out.dump());
  CHECK(o.exit_code == exit_code);
  CHECK(o.code() == code);
  CHECK(o.at() == at);
}

std::string flip_hex_byte(const std::string& hex, std::size_t byte) {
  Bytes b = causeway::proofs::test::hx(hex);
  b.at(byte) ^= 0x01;
  return to_hex(b);
}

const Suite kSuites[] = {Suite::Secp256k1Sha256, Suite::Sm2Sm3};

}  // namespace

TEST_CASE("bft bundle fixtures: the chain links, the rotation is in place, the audit path is RFC 6962") {
  for (Suite s : kSuites) {
    INFO(bft::suite_name(s));
    const Chain& ch = chain(s);
    for (std::size_t i = 1; i + 1 < ch.blocks.size(); ++i)
      CHECK(ch.blocks[i].header.parent_hash == ch.blocks[i - 1].hash);
    CHECK(ch.at(102).header.next_validators_hash == bft::devnet::validators_hash(ch.b.set));
    CHECK(ch.at(103).header.validators_hash == bft::devnet::validators_hash(ch.b.set));
    CHECK(ch.a.set != ch.b.set);
    CHECK(ch.b.set != ch.c.set);
    // The root computed here from the definition is the one the chain helpers put in the header.
    const auto events = proving_events();
    CHECK(mth(s, events, 0, events.size()) == ch.at(kProvingHeight).header.event_root);
    CHECK(ch.at(kProvingHeight).header.event_count == 5);
    CHECK(bft::packet_sent_leaf(packet_bytes()) == packet_leaf());
    CHECK(inclusion_json(ch)["audit_path"].size() == 3);
  }
}

TEST_CASE("a bft bundle with a rotation and a skip proves a PacketSent event leaf, with the exact result") {
  for (Suite s : kSuites) {
    INFO(bft::suite_name(s));
    expect_valid(make_bundle(s), expected(s));
    // Without anchor.next_validators the anchor names the same set for both.
    json b = make_bundle(s);
    b["anchor"].erase("next_validators");
    expect_valid(b, expected(s));
    // verify_time_s as a decimal string is the same quantity.
    b["verify_time_s"] = std::to_string(kVerifyTime);
    expect_valid(b, expected(s));
  }
}

TEST_CASE("a flipped commit signature byte is rejected at that commit entry of its header") {
  for (Suite s : kSuites) {
    INFO(bft::suite_name(s));
    for (std::size_t i : {0u, 2u, 5u}) {
      json b = make_bundle(s);
      auto& sig = b["headers"][i]["commit"][1]["signature"];
      sig = flip_hex_byte(sig.get<std::string>(), 40);
      expect_error(b, 1, "ERR_SIG_INVALID", "headers[" + std::to_string(i) + "].commit[1]");
    }
  }
}

TEST_CASE("a commit at or below 2/3 of the power is ERR_INSUFFICIENT_QUORUM at its header") {
  for (Suite s : kSuites) {
    INFO(bft::suite_name(s));
    const Chain& ch = chain(s);
    {  // sequential 102: two of four equal powers (1/2)
      json b = make_bundle(s);
      b["headers"][1]["commit"] = commit_json(bfttest::sign(ch.a, ch.at(102), {0, 1}));
      expect_error(b, 1, "ERR_INSUFFICIENT_QUORUM", "headers[1].commit");
    }
    {  // sequential 104: three of four is enough, the same signature twice counts once
      json b = make_bundle(s);
      auto commit = bfttest::sign(ch.b, ch.at(104), {0, 1, 2});
      b["headers"][3]["commit"] = commit_json(commit);
      expect_valid(b, expected(s));
      commit = bfttest::sign(ch.b, ch.at(104), {0, 1, 1});
      b["headers"][3]["commit"] = commit_json(commit);
      expect_error(b, 1, "ERR_INSUFFICIENT_QUORUM", "headers[3].commit");
    }
    {  // skipping 110: C powers 10,10,10,20 — 30 of 50 is not more than 2/3
      json b = make_bundle(s);
      b["headers"][5]["commit"] = commit_json(bfttest::sign(ch.c, ch.at(kSkipHeight), {0, 1, 2}));
      expect_error(b, 1, "ERR_INSUFFICIENT_QUORUM", "headers[5].commit");
    }
    {  // an empty commit
      json b = make_bundle(s);
      b["headers"][4]["commit"] = json::array();
      expect_error(b, 1, "ERR_INSUFFICIENT_QUORUM", "headers[4].commit");
    }
  }
}

TEST_CASE("a header field changed after signing is rejected at that header") {
  for (Suite s : kSuites) {
    INFO(bft::suite_name(s));
    {  // a root: the header hash changes, so no signature verifies
      json b = make_bundle(s);
      b["headers"][2]["header"]["state_root"] = flip_hex_byte(b["headers"][2]["header"]["state_root"], 0);
      expect_error(b, 1, "ERR_SIG_INVALID", "headers[2].commit[0]");
    }
    {
      json b = make_bundle(s);
      b["headers"][4]["header"]["time_ms"] = b["headers"][4]["header"]["time_ms"].get<std::uint64_t>() + 1;
      expect_error(b, 1, "ERR_SIG_INVALID", "headers[4].commit[0]");
    }
    {  // the event count of the proving header (to match a forged tree_size)
      json b = make_bundle(s);
      b["headers"][3]["header"]["event_count"] = 6;
      expect_error(b, 1, "ERR_SIG_INVALID", "headers[3].commit[0]");
    }
    {  // the parent hash of a sequential header: caught before the commit
      json b = make_bundle(s);
      b["headers"][1]["header"]["parent_hash"] = flip_hex_byte(b["headers"][1]["header"]["parent_hash"], 31);
      expect_error(b, 1, "ERR_PREV_HASH_MISMATCH", "headers[1].header.parent_hash");
    }
    {  // validators_hash no longer matches the carried set (103 carries no next set, so it must name one set)
      json b = make_bundle(s);
      b["headers"][2]["header"]["validators_hash"] = flip_hex_byte(b["headers"][2]["header"]["validators_hash"], 3);
      expect_error(b, 1, "ERR_VALIDATOR_SET_MISMATCH", "headers[2].next_validators");
      // 110 carries both sets
      json c = make_bundle(s);
      c["headers"][5]["header"]["validators_hash"] = flip_hex_byte(c["headers"][5]["header"]["validators_hash"], 3);
      expect_error(c, 1, "ERR_VALIDATOR_SET_MISMATCH", "headers[5].validators");
      json d = make_bundle(s);
      d["headers"][1]["header"]["next_validators_hash"] =
          flip_hex_byte(d["headers"][1]["header"]["next_validators_hash"], 3);
      expect_error(d, 1, "ERR_VALIDATOR_SET_MISMATCH", "headers[1].next_validators");
    }
    {  // the anchor is not signed, but its validators_hash still binds its sets
      json b = make_bundle(s);
      b["anchor"]["header"]["validators_hash"] = flip_hex_byte(b["anchor"]["header"]["validators_hash"], 3);
      expect_error(b, 1, "ERR_VALIDATOR_SET_MISMATCH", "anchor.validators");
    }
  }
}

TEST_CASE("a validator set listing the same key twice is refused where it is listed") {
  for (Suite s : kSuites) {
    INFO(bft::suite_name(s));
    {
      json b = make_bundle(s);
      b["anchor"]["validators"].push_back(b["anchor"]["validators"][1]);
      expect_error(b, 1, "ERR_INVALID_ARGUMENT", "anchor.validators[4]");
    }
    {
      json b = make_bundle(s);
      auto& nv = b["headers"][1]["next_validators"];
      nv[2] = nv[0];
      nv[2]["power"] = 7;  // same key, other power
      expect_error(b, 1, "ERR_INVALID_ARGUMENT", "headers[1].next_validators[2]");
    }
    {
      json b = make_bundle(s);
      b["headers"][5]["validators"].push_back(b["headers"][5]["validators"][0]);
      expect_error(b, 1, "ERR_INVALID_ARGUMENT", "headers[5].validators[4]");
    }
    {  // the checks left to ValidatorSet::create are located at the bundle's entry too
      json b = make_bundle(s);
      b["headers"][1]["next_validators"][3]["power"] = 0;
      expect_error(b, 1, "ERR_INVALID_ARGUMENT", "headers[1].next_validators[3]");
    }
  }
}

TEST_CASE("the island must be the headers' chain id (cwdevnet:<name>)") {
  for (Suite s : kSuites) {
    INFO(bft::suite_name(s));
    json b = make_bundle(s);
    b["island"] = "cwdevnet:devnet-8";
    expect_error(b, 1, "ERR_ISLAND_MISMATCH", "island");
    b["island"] = "cwdevnet:devnet";
    expect_error(b, 1, "ERR_ISLAND_MISMATCH", "island");
    // A header of another chain, properly signed by the same validators, is refused at its index.
    const Chain& ch = chain(s);
    const auto& good = ch.at(101);
    auto other = bfttest::make_block(s, 101, good.header.time_ms, ch.at(100).hash, ch.a, ch.a, good.txs, good.events,
                                     "devnet-8");
    json c = make_bundle(s);
    c["headers"][0]["header"] = header_json(other.header);
    c["headers"][0]["commit"] = commit_json(bfttest::sign_all(ch.a, other));
    expect_error(c, 1, "ERR_ISLAND_MISMATCH", "headers[0].header.chain_id");
  }
}

TEST_CASE("a corrupted leaf, audit path or tree size is rejected at the inclusion") {
  for (Suite s : kSuites) {
    INFO(bft::suite_name(s));
    {
      json b = make_bundle(s);
      b["inclusion"]["leaf"] = flip_hex_byte(b["inclusion"]["leaf"], 0);  // 0x01 → 0x00: no longer a PacketSent leaf
      expect_error(b, 1, "ERR_INCLUSION_PROOF", "inclusion.root");
      json c = make_bundle(s);
      c["inclusion"]["leaf"] = flip_hex_byte(c["inclusion"]["leaf"], 100);
      expect_error(c, 1, "ERR_INCLUSION_PROOF", "inclusion.root");
    }
    for (std::size_t k = 0; k < 3; ++k) {
      json b = make_bundle(s);
      b["inclusion"]["audit_path"][k] = flip_hex_byte(b["inclusion"]["audit_path"][k], 17);
      expect_error(b, 1, "ERR_INCLUSION_PROOF", "inclusion.root");
    }
    {  // a path element dropped
      json b = make_bundle(s);
      b["inclusion"]["audit_path"].erase(2);  // too short for index 2 of 5
      expect_error(b, 1, "ERR_INCLUSION_PROOF", "inclusion");
    }
    {  // another index with the same path
      json b = make_bundle(s);
      b["inclusion"]["index"] = 3;
      expect_error(b, 1, "ERR_INCLUSION_PROOF", "inclusion.root");
      b["inclusion"]["index"] = 5;
      expect_error(b, 1, "ERR_MERKLE_INDEX", "inclusion");
    }
    for (std::uint64_t size : {4u, 6u, 8u}) {  // tree_size ≠ the header's event_count
      json b = make_bundle(s);
      b["inclusion"]["tree_size"] = size;
      expect_error(b, 1, "ERR_MERKLE_INDEX", "inclusion.tree_size");
    }
    {  // the tx tree of that header has 1 leaf, not 5
      json b = make_bundle(s);
      b["inclusion"]["tree"] = "tx";
      expect_error(b, 1, "ERR_MERKLE_INDEX", "inclusion.tree_size");
    }
    {  // a height that is not among the verified headers
      json b = make_bundle(s);
      b["inclusion"]["height"] = 107;
      expect_error(b, 1, "ERR_UNKNOWN_HEADER", "inclusion.height");
    }
  }
}

TEST_CASE("the trusting period: a trusted header older than it is ERR_CLIENT_EXPIRED") {
  for (Suite s : kSuites) {
    INFO(bft::suite_name(s));
    // The anchor is 3600 s before verify_time_s: expired when anchor + period ≤ now.
    json b = make_bundle(s);
    b["anchor"]["trusting_period_s"] = 3600;
    expect_error(b, 1, "ERR_CLIENT_EXPIRED", "headers[0]");
    b["anchor"]["trusting_period_s"] = 1800;
    expect_error(b, 1, "ERR_CLIENT_EXPIRED", "headers[0]");
    b["anchor"]["trusting_period_s"] = 3601;
    expect_valid(b, expected(s));
    // Verified later: at anchor + 3601 s the anchor has expired even with 3601.
    b["verify_time_s"] = kVerifyTime + 1;
    expect_error(b, 1, "ERR_CLIENT_EXPIRED", "headers[0]");
  }
}

TEST_CASE("a header more than 10 s after verify_time_s is ERR_TIME_TOO_NEW; exactly 10 s is accepted") {
  for (Suite s : kSuites) {
    INFO(bft::suite_name(s));
    // headers[5] (110) is at verify_time_s − 1 s.
    json b = make_bundle(s);
    b["verify_time_s"] = kVerifyTime - 11;  // 110 is exactly 10 s ahead
    expect_valid(b, expected(s, "as-given", kVerifyTime - 11));
    b["verify_time_s"] = kVerifyTime - 12;  // 11 s ahead
    expect_error(b, 1, "ERR_TIME_TOO_NEW", "headers[5].header.time_ms");
  }
}

TEST_CASE("an unknown bft codec is ERR_UNSUPPORTED_FAMILY, exit 1") {
  for (Suite s : kSuites) {
    INFO(bft::suite_name(s));
    json b = make_bundle(s);
    b["codec"] = "unknown-codec/v1";
    expect_error(b, 1, "ERR_UNSUPPORTED_FAMILY", "codec");
  }
  // Other codecs need not name a devnet crypto suite or island.
  json b = make_bundle(Suite::Secp256k1Sha256);
  b["codec"] = "unknown-codec/v1";
  b.erase("crypto");
  b["island"] = "cmkr:chain1";
  expect_error(b, 1, "ERR_UNSUPPORTED_FAMILY", "codec");
}

TEST_CASE("A03 a bft trust file pins both the anchor hash and its validator-set hash") {
  for (Suite s : kSuites) {
    INFO(bft::suite_name(s));
    const Chain& ch = chain(s);
    const Hash32 anchor_hash = ch.at(kAnchorHeight).hash;
    const Hash32 vs_hash = bft::devnet::validators_hash(ch.a.set);
    const json b = make_bundle(s);
    const TrustList listed{TrustedAnchor{kIsland, kAnchorHeight, anchor_hash, vs_hash}};
    expect_valid(b, expected(s, "trust-file"), &listed);
    const TrustList several{TrustedAnchor{"cwdevnet:other", 5, ch.at(101).hash, vs_hash},
                            TrustedAnchor{kIsland, kAnchorHeight, anchor_hash, vs_hash}};
    expect_valid(b, expected(s, "trust-file"), &several);

    const TrustList wrong_vs{TrustedAnchor{kIsland, kAnchorHeight, anchor_hash, bft::devnet::validators_hash(ch.b.set)}};
    expect_error(b, 1, "ERR_UNTRUSTED_ANCHOR", "anchor", &wrong_vs);
    const TrustList no_vs{TrustedAnchor{kIsland, kAnchorHeight, anchor_hash, std::nullopt}};
    expect_error(b, 1, "ERR_UNTRUSTED_ANCHOR", "anchor", &no_vs);
    const TrustList wrong_hash{TrustedAnchor{kIsland, kAnchorHeight, ch.at(101).hash, vs_hash}};
    expect_error(b, 1, "ERR_UNTRUSTED_ANCHOR", "anchor", &wrong_hash);
    const TrustList wrong_height{TrustedAnchor{kIsland, kAnchorHeight + 1, anchor_hash, vs_hash}};
    expect_error(b, 1, "ERR_UNTRUSTED_ANCHOR", "anchor", &wrong_height);
    const TrustList wrong_island{TrustedAnchor{"cwdevnet:devnet-8", kAnchorHeight, anchor_hash, vs_hash}};
    expect_error(b, 1, "ERR_UNTRUSTED_ANCHOR", "anchor", &wrong_island);
    const TrustList empty{};
    expect_error(b, 1, "ERR_UNTRUSTED_ANCHOR", "anchor", &empty);

    // Through the trust-file parser, as `causeway proof verify --trust` reads it.
    const auto parsed = causeway::proofs::parse_trust_list(
        json::array({{{"island", kIsland}, {"height", kAnchorHeight}, {"hash", to_hex(anchor_hash.view())},
                      {"validator_set_hash", to_hex(vs_hash.view())}}})
            .dump());
    REQUIRE(parsed);
    expect_valid(b, expected(s, "trust-file"), &*parsed);
  }
}

TEST_CASE("bft bundles that violate the schema exit 2 with ERR_BUNDLE_SCHEMA") {
  const json good = make_bundle(Suite::Sm2Sm3);
  REQUIRE(run(good).exit_code == 0);
  const std::vector<std::pair<std::string, std::function<void(json&)>>> cases = {
      {"no crypto", [](json& b) { b.erase("crypto"); }},
      {"unknown crypto", [](json& b) { b["crypto"] = "ed25519-sha512"; }},
      {"island not cwdevnet", [](json& b) { b["island"] = "cosmos:devnet-7"; }},
      {"island with a colon in the chain id", [](json& b) { b["island"] = "cwdevnet:devnet:7"; }},
      {"codec not a string", [](json& b) { b["codec"] = 1; }},
      {"unknown top-level field", [](json& b) { b["validators"] = json::array(); }},
      {"no headers", [](json& b) { b.erase("headers"); }},
      {"anchor without trusting_period_s", [](json& b) { b["anchor"].erase("trusting_period_s"); }},
      {"anchor with an unknown field", [](json& b) { b["anchor"]["trusted"] = true; }},
      {"anchor header without proposer", [](json& b) { b["anchor"]["header"].erase("proposer"); }},
      {"header with an unknown field", [](json& b) { b["headers"][0]["header"]["round"] = 0; }},
      {"header hash not 32 bytes", [](json& b) { b["headers"][0]["header"]["tx_root"] = "0x1234"; }},
      {"header height negative", [](json& b) { b["headers"][0]["header"]["height"] = -1; }},
      {"header chain_id empty", [](json& b) { b["headers"][0]["header"]["chain_id"] = ""; }},
      {"headers entry without commit", [](json& b) { b["headers"][1].erase("commit"); }},
      {"commit entry with an unknown field", [](json& b) { b["headers"][1]["commit"][0]["round"] = 0; }},
      {"commit entry without signature", [](json& b) { b["headers"][1]["commit"][0].erase("signature"); }},
      {"empty validator set", [](json& b) { b["anchor"]["validators"] = json::array(); }},
      {"validator without power", [](json& b) { b["anchor"]["validators"][0].erase("power"); }},
      {"power as a hex string", [](json& b) { b["anchor"]["validators"][0]["power"] = "0x0a"; }},
      {"inclusion kind", [](json& b) { b["inclusion"]["kind"] = "sha256d"; }},
      {"inclusion tree", [](json& b) { b["inclusion"]["tree"] = "state"; }},
      {"inclusion without tree_size", [](json& b) { b["inclusion"].erase("tree_size"); }},
      {"audit path element not a hash", [](json& b) { b["inclusion"]["audit_path"][0] = "0xabcd"; }},
      {"inclusion with an unknown field", [](json& b) { b["inclusion"]["root"] = "0x00"; }},
  };
  for (const auto& [name, mutate] : cases) {
    INFO(name);
    json b = good;
    mutate(b);
    const Outcome o = run(b);
    INFO(o.out.dump());
    CHECK(o.exit_code == 2);
    CHECK(o.code() == "ERR_BUNDLE_SCHEMA");
  }
  // Hex that passes the schema but not the reader is "not a bundle" either.
  json b = good;
  b["headers"][0]["commit"][0]["signature"] = "0xzz";
  const Outcome o = run(b);
  INFO(o.out.dump());
  CHECK(o.exit_code == 2);
  CHECK(o.at() == "headers[0].commit[0].signature");
}

// relay/proofs swaps the schema's `pattern`s for exact character checks when it loads the schema
// (src/schema_patterns.hpp), and a lone `maxLength` for a check that counts characters only when the string has more
// bytes than the bound: every string of a good bundle, replaced by strings on both sides of its pattern and length
// bound, gets the same verdict, message and location as with the schema exactly as written.
TEST_CASE("bft bundle schema: fast pattern and length checks give valijson's verdict, message and location") {
  using causeway::proofs::detail::validate_against_schema;
  const json good = make_bundle(Suite::Secp256k1Sha256);
  REQUIRE(validate_against_schema(good, true));
  REQUIRE(validate_against_schema(good, false));
  // Every string of the bundle, by JSON pointer.
  std::vector<json::json_pointer> strings;
  const json flat = good.flatten();
  for (auto it = flat.begin(); it != flat.end(); ++it)
    if (it->is_string()) strings.emplace_back(it.key());
  REQUIRE(strings.size() > 30);
  std::size_t refused = 0, compared = 0;
  for (const auto& ptr : strings) {
    const std::string original = good.at(ptr).get<std::string>();
    const std::vector<std::string> variants = {
        "", original + "0", original.substr(0, original.size() - 1), original + "\n", "\n" + original,
        original.size() > 2 ? original.substr(0, 2) + "g" + original.substr(3) : "g",
        original.size() > 1 ? "0X" + original.substr(2) : "0X", "0x" + std::string(64, 'F'), "0", "01", "cwdevnet:",
        "cwdevnet:a", "cwdevnet:" + std::string(65, 'a'), "cosmos:hub", "18446744073709551615", "\xc3\xa9",
        // around the 130/132-character bounds of signatures, keys and proposers (maxLength counts UTF-8 characters)
        "0x" + std::string(130, 'a'), "0x" + std::string(131, 'a'), [] {
          std::string s;
          for (int i = 0; i < 70; ++i) s += "\xc3\xa9";  // 140 bytes, 70 characters
          return s;
        }()};
    for (const auto& v : variants) {
      json b = good;
      b[ptr] = v;
      const auto fast = validate_against_schema(b, true);
      const auto regex = validate_against_schema(b, false);
      INFO(ptr.to_string() << " = \"" << v << "\"");
      REQUIRE(fast.has_value() == regex.has_value());
      ++compared;
      if (!fast) {
        ++refused;
        CHECK(fast.error().code == regex.error().code);
        CHECK(fast.error().detail == regex.error().detail);
        CHECK(fast.error().at == regex.error().at);
      }
    }
  }
  CHECK(compared == strings.size() * 19);
  CHECK(refused > strings.size());  // most variants break a pattern or the enum/const next to it
}

// relay/proofs reuses, per thread, the decoded anchor of the previous bundle when the next bundle's anchor is
// exactly the same (src/bft_bundle.cpp open_devnet_anchor): a repeated anchor verifies as before, and any change to
// the anchor (a root, a power, the same power written as a string) is verified from scratch.
TEST_CASE("bft anchor reuse: a repeated anchor verifies as before, a changed anchor is verified from scratch") {
  const Suite s = Suite::Secp256k1Sha256;
  const Chain& ch = chain(s);
  const TrustList listed{TrustedAnchor{kIsland, kAnchorHeight, ch.at(kAnchorHeight).hash,
                                       bft::devnet::validators_hash(ch.a.set)}};
  const json good = make_bundle(s);
  expect_valid(good, expected(s, "trust-file"), &listed);
  expect_valid(good, expected(s, "trust-file"), &listed);  // the reused anchor
  json other_root = good;
  other_root["anchor"]["header"]["state_root"] = "0x" + std::string(64, '1');
  expect_error(other_root, 1, "ERR_UNTRUSTED_ANCHOR", "anchor", &listed);
  expect_valid(good, expected(s, "trust-file"), &listed);
  json other_power = good;
  other_power["anchor"]["validators"][0]["power"] = other_power["anchor"]["validators"][0]["power"].get<std::uint64_t>() + 1;
  const Outcome o = run(other_power, &listed);
  CHECK(o.exit_code == 1);
  CHECK(o.code() == "ERR_VALIDATOR_SET_MISMATCH");
  json power_as_string = good;  // the same quantity written as a decimal string: a different anchor value, same set
  for (auto& v : power_as_string["anchor"]["validators"]) v["power"] = std::to_string(v["power"].get<std::uint64_t>());
  expect_valid(power_as_string, expected(s, "trust-file"), &listed);
  expect_valid(good, expected(s, "trust-file"), &listed);
}

// relay/proofs keeps, per thread, the validator sets it built from a validators array, keyed by the suite and each
// entry's key and power exactly as written (src/bft_bundle.cpp validators_cache_key), each prefixed by its length.
// A header document (verify_bft_headers) is not checked against the bundle schema, so a key string may hold any
// character: under a plain "key,power;" concatenation the one entry {"key": "<K1>,10;<K2>", "power": 10} would have
// the cache key of the two entries {K1, 10}, {K2, 10} and be answered with the cached set of a document that listed
// those. Such a document is judged on its own validators: its folded key is not a key.
TEST_CASE("bft validators cache: an entry whose key string holds \",10;\" does not pose as two cached entries; the "
          "header document listing it is judged on its own validators") {
  for (Suite s : kSuites) {
    INFO(bft::suite_name(s));
    const Chain& ch = chain(s);
    const TrustList held{TrustedAnchor{kIsland, kAnchorHeight, ch.at(kAnchorHeight).hash,
                                       bft::devnet::validators_hash(ch.a.set)}};
    const json bundle = make_bundle(s);
    const json doc = {{"version", 1},
                      {"family", "bft"},
                      {"island", kIsland},
                      {"codec", "causeway-devnet/v1"},
                      {"crypto", std::string(bft::suite_name(s))},
                      {"anchor", bundle["anchor"]},
                      {"headers", bundle["headers"]}};
    auto good = causeway::proofs::verify_bft_headers(doc.dump(), held, kVerifyTime);
    INFO((good ? std::string("ok") : good.error().detail));
    REQUIRE(good.has_value());  // its anchor's validator set is now cached on this thread
    CHECK(good->headers.size() == 6);
    CHECK(good->headers.back().height == kSkipHeight);

    json folded = doc;  // entries 0 and 1 folded into one whose key string is "<K1>,10;<K2>"
    json& v = folded["anchor"]["validators"];
    REQUIRE(v.size() == 4);
    REQUIRE(v[0]["power"] == 10);
    const json one = {{"key", v[0]["key"].get<std::string>() + ",10;" + v[1]["key"].get<std::string>()},
                      {"power", v[1]["power"]}};
    v.erase(v.begin());
    v[0] = one;
    auto bad = causeway::proofs::verify_bft_headers(folded.dump(), held, kVerifyTime);
    REQUIRE_FALSE(bad.has_value());
    INFO(bad.error().detail);
    CHECK(bad.error().code == causeway::Code::TooLarge);  // "0x<K1>,10;0x<K2>" decodes to more than 65 bytes
    CHECK(bad.error().at == "anchor.validators[0].key");

    auto again = causeway::proofs::verify_bft_headers(doc.dump(), held, kVerifyTime);  // the cached set still serves
    CHECK(again.has_value());
  }
}
