// A push-mode ChainMaker island (issue #8 "Push-mode islands"; docs/islands/chainmaker.md) in a real engine::Relay
// behind a real gateway::Server. No ChainMaker node runs here, so the chain is the synthetic signed chain of
// tests/support/cm_synthetic.hpp (generated org CAs and consensus certificates, proposer signatures, TBFT QCs):
//   - `chainmkr:synth1` is registered through POST /v1/islands (governance-signed) at block 2 with anchor.extra =
//     the validator-set hash a bundle verified from block 2 reports (anchor.validator_set_hash);
//   - a devnet destination island and an unordered transfer channel between them come from the relay's config;
//   - block 3 is pushed as a header document (POST /v1/islands/{id}/headers) and becomes the client's tip;
//   - block 3's transaction emits a native contract event topic "PacketSent" from contract "causeway_endpoint" with
//     event_data [commitment hex, sequence decimal, packet_bytes hex] (PACKET.md "Source events") of a real
//     PACKET.md transfer packet; its chainmaker/v2 bundle goes through POST /v1/packets and is proven and attested
//     (k = 1, this relay), listed by GET /v1/islands/{devnet}/deliveries for the destination's gateway to pull;
//     a second packet in block 4 is proven from the pushed tip (block 3), whose stored validator-set hash is the one
//     the bundle reports;
//   - the family plug-in's refusals (A19 emitter, topic, event_data claims) each with its error code;
//   - the same for an EVM contract's PacketSent log as ChainMaker records it (topic0 hex, [commitment, sequence
//     uint256, abi.encode(bytes packet)]; chainmaker/evm_log.hpp): attested end to end, and each refusal's code
//     and HTTP status — among them a block before block_version 2300 (ERR_UNSUPPORTED, A19: nested calls' logs
//     carry the entry contract's name there), a data over upstream's event-data bound (ERR_TOO_LARGE) and a packet
//     naming another island (A20); blocks of another version come from cm_synthetic's build(spec, block_version).
//   - A21: the registered trusting period enforced on the held anchor of header documents and bundles, exact to the
//     millisecond, and client recover of an expired client.
// Deterministic: a fixed relay clock (moved only by the A21 test), fixed keys and block times.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <atomic>
#include <cctype>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "causeway/core/abi.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/core/packet.hpp"
#include "causeway/core/secp256k1.hpp"
#include "causeway/domain/channel.hpp"
#include "causeway/domain/governance.hpp"
#include "causeway/domain/island.hpp"
#include "causeway/engine/config.hpp"
#include "causeway/engine/relay.hpp"
#include "causeway/gateway/api_routes.hpp"
#include "causeway/gateway/packet_routes.hpp"
#include "causeway/gateway/server.hpp"
#include "causeway/proofs/bundle.hpp"
#include "api_node.hpp"
#include "governance_records.hpp"
#include "cm_trust_json.hpp"
#include "cm_synthetic.hpp"
#include "http_client.hpp"

using namespace causeway;
using namespace causeway::testing::cmsynth;
using nlohmann::json;
using test::http_request;

namespace {

constexpr const char* kToken = "Bearer chainmaker-island-test-token-0123456789";
const std::vector<std::pair<std::string, std::string>> kAuth = {{"Authorization", kToken}};
const std::string kIsland = "chainmkr:" + kChain;
const std::string kPathIsland = "chainmkr%3A" + kChain;
const std::string kDevnet = "cwdevnet:cm-dst";
const std::string kPathDevnet = "cwdevnet%3Acm-dst";
const std::string kContract = "causeway_endpoint";
constexpr std::int64_t kClockS = kT0 + 40;  // the relay's fixed clock: after block 3 (kT0 + 30)
const Bytes kGovCm(32, 0x51), kGovDst(32, 0x52);

Bytes utf8(const std::string& s) { return Bytes(s.begin(), s.end()); }

domain::SignedIsland sign_island(domain::IslandSpec s, const Bytes& gov) {
  const auto sk = secp256k1::parse_secret_key(gov).value();
  s.governance = domain::make_governance_keys(1, {secp256k1::eth_address(secp256k1::public_key_of(sk))}).value();
  domain::SignedIsland rec;
  rec.spec = std::move(s);
  rec.nonce = 1;
  rec.signatures.push_back(
      domain::sign_governance(domain::island_digest(domain::GovAction::IslandRegister, rec.spec, 1), sk).value());
  return rec;
}

domain::SignedIsland devnet_island() {
  domain::IslandSpec s;
  s.id = kDevnet;
  s.genesis = sha256(utf8("cm-dst genesis"));
  s.family = domain::Family::Bft;
  s.codec = "causeway-devnet/v1";
  s.trusting_period_s = 14 * 86400;
  s.finality = domain::FinalityRule{domain::FinalityKind::BftQuorum, 0};
  s.anchor.height = 0;
  s.anchor.hash = s.genesis;
  s.anchor.time_s = static_cast<std::uint64_t>(kT0);
  const Hash32 vsh = sha256(utf8("cm-dst validators"));
  s.anchor.extra = Bytes(vsh.b.begin(), vsh.b.end());
  s.endpoint = utf8("endpoint");
  return sign_island(std::move(s), kGovDst);
}

// The ChainMaker island at block 2 (hash, time) with the validator-set hash of the genesis config.
domain::SignedIsland chainmaker_island(const Built& anchor, const Hash32& set_hash) {
  domain::IslandSpec s;
  s.id = kIsland;
  s.genesis = sha256(utf8("synthetic block 0"));
  s.family = domain::Family::Bft;
  s.codec = "chainmaker/v2";
  s.trusting_period_s = 14 * 86400;
  s.finality = domain::FinalityRule{domain::FinalityKind::BftQuorum, 0};
  s.anchor.height = anchor.block.header.height;
  s.anchor.hash = anchor.hash;
  s.anchor.time_s = static_cast<std::uint64_t>(anchor.block.header.timestamp_s);
  s.anchor.extra = Bytes(set_hash.b.begin(), set_hash.b.end());
  s.endpoint = utf8(kContract);
  return sign_island(std::move(s), kGovCm);
}

// A PACKET.md transfer packet chainmkr:synth1/channel-0 → cwdevnet:cm-dst/channel-0 (100 "tok").
packet::Packet transfer(std::uint64_t sequence, const Hash32& cm_genesis, const Hash32& dst_genesis) {
  packet::Packet p;
  p.source_island = kIsland;
  p.source_genesis = cm_genesis;
  p.source_channel = "channel-0";
  p.source_port = "transfer";
  p.dest_island = kDevnet;
  p.dest_genesis = dst_genesis;
  p.dest_channel = "channel-0";
  p.dest_port = "transfer";
  p.sequence = sequence;
  p.timeout_height = 1000000;
  p.sender = Bytes(20, 0x11);
  p.receiver = Bytes(20, 0x22);
  packet::TransferPayload t;
  t.denom = "tok";
  t.amount = abi::u256_from_u64(100);
  t.sender = p.sender;
  t.receiver = p.receiver;
  p.payload = packet::encode_transfer_payload(t);
  return p;
}

// PACKET.md "Source events": event_data = [commitment hex, sequence decimal, packet_bytes hex].
std::vector<std::string> packet_sent_data(const packet::Packet& p) {
  const Bytes pb = packet::encode_packet(p);
  return {to_hex_bare(packet::commitment(pb).view()), std::to_string(p.sequence), to_hex_bare(pb)};
}

// PACKET.md "Source events": an EVM contract's PacketSent(bytes32 indexed commitment, uint64 indexed sequence,
// bytes packet) as ChainMaker records an EVM log (chainmaker/evm_log.hpp; the real block 30 Transfer shows the
// shape): topic = topic0 as 64 lowercase hex digits, event_data = [topic1, topic2, the log data], bare lowercase hex.
const std::string kEvmTopic = to_hex_bare(packet::packet_sent_topic0().view());
std::string word_hex(std::uint64_t v) {
  const abi::U256 w = abi::u256_from_u64(v);
  return to_hex_bare(ByteView(w.data(), w.size()));
}
std::string abi_bytes_hex(ByteView b) {
  return to_hex_bare(abi::encode(abi::Type::tuple({abi::Type::bytes()}), abi::Value::tuple({abi::Value::bytes(b)})));
}
std::vector<std::string> evm_packet_sent_data(const packet::Packet& p) {
  const Bytes pb = packet::encode_packet(p);
  return {to_hex_bare(packet::commitment(pb).view()), word_hex(p.sequence), abi_bytes_hex(pb)};
}

// The block after `prev` (stamped `block_version`) whose only transaction (contract `contract`) emits one event.
Built block_after(const Built& prev, const std::string& topic, const std::string& contract,
                  const std::vector<std::string>& data, const std::string& tx_id = "cw-send-1",
                  std::uint32_t block_version = kVersion) {
  const auto& f = fx();
  pb::Transaction tx = make_tx(tx_id, contract, "send_packet", "ok");
  add_event(tx, topic, contract, data);
  return build({prev.block.header.height + 1, prev.hash, 0, kNormalBlock, f.b, {f.a, f.b, f.c, f.d}, {tx}, {}},
               block_version);
}
Built block3(const Built& b2, const std::string& topic, const std::string& contract,
             const std::vector<std::string>& data, std::uint32_t block_version = kVersion) {
  return block_after(b2, topic, contract, data, "cw-send-1", block_version);
}

using causeway::testing::orgs_json;

// A header document: block `b` checked from held block `anchor` under the genesis config.
json header_document(const Built& anchor, const Built& b) {
  return {{"version", 1},
          {"family", "bft"},
          {"codec", "chainmaker/v2"},
          {"island", kIsland},
          {"anchor",
           {{"height", anchor.block.header.height},
            {"hash", to_hex(anchor.hash.view())},
            {"hash_type", "SHA256"},
            {"config_height", 0},
            {"orgs", orgs_json(fx().genesis())}}},
          {"headers", json::array({json::parse(block_info_json(b))})}};
}

// The chainmaker/v2 bundle proving block `b`'s transaction 0 and its event 0 (a one-leaf tx tree: empty path).
json packet_bundle(const Built& anchor, const Built& b) {
  json doc = header_document(anchor, b);
  const auto& tx = b.message.txs(0);
  const auto& ev = tx.result().contract_result().contract_event(0);
  json data = json::array();
  for (const auto& d : ev.event_data()) data.push_back(d);
  doc["inclusion"] = {{"kind", "chainmaker-merkle"},
                      {"height", b.block.header.height},
                      {"tx_index", 0},
                      {"tx_id", tx.payload().tx_id()},
                      {"path", json::array()},
                      {"event",
                       {{"index", 0}, {"topic", ev.topic()}, {"contract_name", ev.contract_name()}, {"event_data", data}}}};
  doc["verify_time_s"] = kClockS;
  return doc;
}

struct Node : test::ApiNode {
  Node(const std::string& dir, engine::RelayConfig config) : test::ApiNode(options(dir, std::move(config)), kToken) {}
  static engine::RelayOptions options(const std::string& dir, engine::RelayConfig config) {
    engine::RelayOptions o;
    o.data_dir = dir;
    o.config = std::move(config);
    o.clock_ms = [] { return clock_ms.load(); };
    return o;
  }
  // The relay's clock: kClockS unless a test moves it (World resets it; the A21 test ages the client).
  static inline std::atomic<std::uint64_t> clock_ms{static_cast<std::uint64_t>(kClockS) * 1000};
};

std::string error_code(const test::HttpResult& r) {
  INFO(r.status << " " << r.body);
  return json::parse(r.body)["error"]["code"].get<std::string>();
}
std::string error_at(const test::HttpResult& r) {
  const json e = json::parse(r.body)["error"];
  return e["details"].value("at", std::string{});
}

// The synthetic chain, the island records and a relay serving them (ChainMaker island not yet registered).
struct World {
  Built b2;
  Hash32 set_hash;
  domain::SignedIsland cm, dst;
  std::string dir;
  std::unique_ptr<Node> node;

  World() {
    Node::clock_ms.store(static_cast<std::uint64_t>(kClockS) * 1000);
    const auto& f = fx();
    b2 = build({2, sha256(bytes("synthetic block 1")), 0, kNormalBlock, f.a, {f.a, f.b, f.c, f.d}, {}, {}});
    dst = devnet_island();
    // The operator's way to the set hash: verify any bundle from the anchor without a trust file and read
    // anchor.validator_set_hash (`causeway proof verify`).
    const Built probe = block3(b2, "Probe", kContract, {});
    auto v = proofs::verify_bundle(packet_bundle(b2, probe).dump(), nullptr, kClockS);
    INFO(v.output_json);
    REQUIRE(v.exit_code == 0);
    set_hash = hash_from_hex(json::parse(v.output_json)["anchor"]["validator_set_hash"].get<std::string>()).value();
    cm = chainmaker_island(b2, set_hash);
    dir = (std::filesystem::temp_directory_path() / ("causeway-cm-island-" + std::to_string(::getpid()))).string();
    std::filesystem::remove_all(dir);
    engine::RelayConfig config;
    config.islands.push_back(dst);
    config.assets.push_back(engine::AssetSetting{kIsland, "tok"});
    config.assets.push_back(engine::AssetSetting{"chainmkr:synth2", "tok"});  // the A20 test's twin island
    node = std::make_unique<Node>(dir, config);
  }
  ~World() {
    node.reset();
    std::filesystem::remove_all(dir);
  }
  // Registers the ChainMaker island through the API and opens the channel.
  void register_island() {
    auto reg = node->post("/v1/islands", engine::island_to_json(cm).dump(), kAuth);
    INFO(reg.body);
    REQUIRE(reg.status == 201);
    REQUIRE(node->relay->open_channel(engine::ChannelPair{test::signed_channel_end(cm.spec, dst.spec, kGovCm),
                                                          test::signed_channel_end(dst.spec, cm.spec, kGovDst)}));
  }
  packet::Packet packet(std::uint64_t seq) const { return transfer(seq, cm.spec.genesis, dst.spec.genesis); }
  // A20: a second ChainMaker island `chainmkr:synth2` whose endpoint contract has the same name, with its own
  // channel (its channel-0 ↔ the devnet's channel-1); returns a packet of synth1's chain that names synth2 as its
  // source.
  packet::Packet register_twin_and_forge(std::uint64_t seq) {
    auto twin = cm;
    twin.spec.id = "chainmkr:synth2";
    twin.spec.genesis = sha256(utf8("synth2 block 0"));
    twin = sign_island(twin.spec, kGovCm);
    auto reg = node->post("/v1/islands", engine::island_to_json(twin).dump(), kAuth);
    INFO(reg.body);
    REQUIRE(reg.status == 201);
    REQUIRE(node->relay->open_channel(engine::ChannelPair{
        test::signed_channel_end(twin.spec, dst.spec, kGovCm, "channel-0", "channel-1"),
        test::signed_channel_end(dst.spec, twin.spec, kGovDst, "channel-1", "channel-0", 3)}));
    packet::Packet forged = packet(seq);
    forged.source_island = twin.spec.id;
    forged.source_genesis = twin.spec.genesis;
    forged.dest_channel = "channel-1";
    return forged;
  }
  test::HttpResult submit(const Built& b) const { return node->post("/v1/packets", packet_bundle(b2, b).dump()); }
};

}  // namespace

TEST_CASE("chainmaker island: anchor.extra is the validator-set hash of the registered chain config (A01, A03)") {
  World w;
  // The set hash the bundle reports is chainmaker::trust_hash of the anchor's config.
  ChainTrust t = fx().genesis();
  CHECK(w.set_hash == trust_hash(t).value());
  // extra of another size is refused; a zero set hash is A01.
  auto bad = w.cm;
  bad.spec.anchor.extra = Bytes(31, 1);
  bad = sign_island(bad.spec, kGovCm);
  auto r1 = w.node->post("/v1/islands", engine::island_to_json(bad).dump(), kAuth);
  CHECK(r1.status != 201);
  CHECK(error_code(r1) == "ERR_INVALID_ARGUMENT");
  CHECK(error_at(r1) == "anchor.extra");
  bad.spec.anchor.extra = Bytes(32, 0);
  bad = sign_island(bad.spec, kGovCm);
  auto r2 = w.node->post("/v1/islands", engine::island_to_json(bad).dump(), kAuth);
  CHECK(r2.status != 201);
  CHECK(error_code(r2) == "ERR_ZERO_ROOT");
  CHECK(error_at(r2) == "anchor");

  w.register_island();
  const json island = w.node->get_json("/v1/islands/" + kPathIsland);
  CHECK(island["client"]["latest"]["height"] == 2);
  CHECK(island["client"]["latest"]["hash"] == to_hex(w.b2.hash.view()));
}

TEST_CASE("chainmaker island: a pushed block advances the client and its PacketSent event becomes an attested delivery") {
  World w;
  w.register_island();
  const packet::Packet p = w.packet(1);
  const Built b3 = block3(w.b2, "PacketSent", kContract, packet_sent_data(p));

  // A document of another codec than the island's is refused before verification.
  json other_codec = header_document(w.b2, b3);
  other_codec["codec"] = "fisco-bcos/v2";
  auto refused = w.node->post("/v1/islands/" + kPathIsland + "/headers", other_codec.dump());
  CHECK(refused.status == 422);
  CHECK(error_code(refused) == "ERR_ISLAND_MISMATCH");
  CHECK(error_at(refused) == "codec");

  // Push-mode: the island's gateway pushes block 3 as the RPC returns it; the light client verifies it.
  auto pushed = w.node->post("/v1/islands/" + kPathIsland + "/headers", header_document(w.b2, b3).dump());
  INFO(pushed.body);
  REQUIRE(pushed.status == 200);
  CHECK(json::parse(pushed.body)["height"] == 3);
  CHECK(json::parse(pushed.body)["hash"] == to_hex(b3.hash.view()));
  CHECK(json::parse(pushed.body)["time_ms"] == static_cast<std::uint64_t>(kT0 + 30) * 1000);
  const json client = w.node->get_json("/v1/islands/" + kPathIsland + "/client");
  REQUIRE(client["states"].size() == 2);
  CHECK(client["states"][1]["height"] == 3);
  CHECK(client["states"][1]["hash"] == to_hex(b3.hash.view()));

  // The packet: proven from held block 2 through block 3's tx_root, attested by this relay (k = 1).
  auto sent = w.submit(b3);
  INFO(sent.body);
  REQUIRE(sent.status == 201);
  const json view = json::parse(sent.body);
  const Hash32 commitment = packet::commitment(p);
  CHECK(view["commitment"] == to_hex(commitment.view()));
  CHECK(view["stage"] == "attested");
  CHECK(view["dest_island"] == kDevnet);
  CHECK(view["existing"] == false);
  CHECK(view.contains("attestation"));

  // The same bundle again: nothing written.
  auto again = w.submit(b3);
  CHECK(again.status == 200);
  CHECK(json::parse(again.body)["existing"] == true);
  CHECK(json::parse(again.body)["stage"] == "attested");

  // The destination's gateway pulls it.
  const json d = w.node->get_json("/v1/islands/" + kPathDevnet + "/deliveries");
  REQUIRE(d["deliveries"].size() == 1);
  const json& del = d["deliveries"][0];
  CHECK(del["commitment"] == to_hex(commitment.view()));
  CHECK(del["source"]["island"] == kIsland);
  CHECK(del["source"]["sequence"] == 1);
  CHECK(del["source_height"] == 3);
  CHECK(del["source_block"] == to_hex(b3.hash.view()));
  CHECK(del["source_time_ms"] == static_cast<std::uint64_t>(kT0 + 30) * 1000);
  CHECK(del["packet"] == to_hex(packet::encode_packet(p)));
  CHECK(del["attestations"].size() == 1);
  CHECK(d["threshold"] == 1);

  // The next packet is proven from the pushed tip: the set hash accept_headers stored for block 3 is the one a
  // bundle anchored at block 3 reports (A03 passes only if both agree).
  const packet::Packet p2 = w.packet(2);
  const Built b4 = block_after(b3, "PacketSent", kContract, packet_sent_data(p2), "cw-send-2");
  auto sent2 = w.node->post("/v1/packets", packet_bundle(b3, b4).dump());
  INFO(sent2.body);
  REQUIRE(sent2.status == 201);
  CHECK(json::parse(sent2.body)["commitment"] == to_hex(packet::commitment(p2).view()));
  CHECK(json::parse(sent2.body)["stage"] == "attested");
  // A bundle does not advance the client: block 4 is not a consensus state until it is pushed.
  CHECK(w.node->get_json("/v1/islands/" + kPathIsland + "/client")["states"].size() == 2);
  CHECK(w.node->get_json("/v1/islands/" + kPathDevnet + "/deliveries")["deliveries"].size() == 2);
}

TEST_CASE("A19 a ChainMaker PacketSent from another contract is refused") {
  World w;
  w.register_island();
  const packet::Packet p = w.packet(1);
  auto r = w.submit(block3(w.b2, "PacketSent", "other_contract", packet_sent_data(p)));
  CHECK(r.status == 422);
  CHECK(error_code(r) == "ERR_WRONG_EMITTER");
  CHECK(error_at(r) == "inclusion.event.contract_name");
  // Nothing was taken in: the genuine event is still new.
  auto ok = w.submit(block3(w.b2, "PacketSent", kContract, packet_sent_data(p)));
  INFO(ok.body);
  CHECK(ok.status == 201);
}

TEST_CASE("chainmaker island: an event of another topic, or a transaction without an event, is not a sent packet") {
  World w;
  w.register_island();
  const packet::Packet p = w.packet(1);
  auto other = w.submit(block3(w.b2, "PacketReceived", kContract, packet_sent_data(p)));
  CHECK(error_code(other) == "ERR_NOT_PACKET_EVENT");
  CHECK(error_at(other) == "inclusion.event.topic");
  // A transaction-only inclusion (no `event`) of the genuine block.
  const Built b3 = block3(w.b2, "PacketSent", kContract, packet_sent_data(p));
  json tx_only = packet_bundle(w.b2, b3);
  tx_only["inclusion"].erase("event");
  auto r = w.node->post("/v1/packets", tx_only.dump());
  CHECK(error_code(r) == "ERR_NOT_PACKET_EVENT");
  // event_data of another shape.
  auto two = w.submit(block3(w.b2, "PacketSent", kContract, {packet_sent_data(p)[0], "1"}));
  CHECK(error_code(two) == "ERR_NOT_PACKET_EVENT");
}

TEST_CASE("chainmaker island: event_data that does not match its packet is refused (ERR_CLAIM_MISMATCH)") {
  World w;
  w.register_island();
  const packet::Packet p = w.packet(1);
  const auto good = packet_sent_data(p);
  auto tampered_seq = w.submit(block3(w.b2, "PacketSent", kContract, {good[0], "2", good[2]}));
  CHECK(error_code(tampered_seq) == "ERR_CLAIM_MISMATCH");
  CHECK(error_at(tampered_seq) == "inclusion.event.event_data[1]");
  // Canonical decimal only.
  auto leading_zero = w.submit(block3(w.b2, "PacketSent", kContract, {good[0], "01", good[2]}));
  CHECK(error_code(leading_zero) == "ERR_CLAIM_MISMATCH");
  // The commitment of another packet.
  auto other_commitment = w.submit(block3(w.b2, "PacketSent", kContract, {packet_sent_data(w.packet(2))[0], "1", good[2]}));
  CHECK(error_code(other_commitment) == "ERR_CLAIM_MISMATCH");
  CHECK(error_at(other_commitment) == "inclusion.event.event_data[0]");
  // Packet bytes that are not hex.
  auto not_hex = w.submit(block3(w.b2, "PacketSent", kContract, {good[0], "1", "zz"}));
  CHECK(error_code(not_hex) == "ERR_BAD_HEX");
  // Canonical lowercase hex only.
  std::string upper = good[2];
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto upper_hex = w.submit(block3(w.b2, "PacketSent", kContract, {good[0], "1", upper}));
  CHECK(error_code(upper_hex) == "ERR_CLAIM_MISMATCH");
  CHECK(error_at(upper_hex) == "inclusion.event.event_data[2]");
}

TEST_CASE("chainmaker island: a bundle from an anchor the relay does not hold is refused (A03)") {
  World w;
  w.register_island();
  const packet::Packet p = w.packet(1);
  json b = packet_bundle(w.b2, block3(w.b2, "PacketSent", kContract, packet_sent_data(p)));
  // The same block, but the anchor's orgs give another validator-set material (c.org's pins dropped, CA only).
  b["anchor"]["orgs"][2].erase("node_certs");
  auto r = w.node->post("/v1/packets", b.dump());
  CHECK(error_code(r) == "ERR_UNTRUSTED_ANCHOR");
}

TEST_CASE("A20 a ChainMaker event proves packets of its own island only, even where another island's contract has the same name") {
  World w;
  w.register_island();
  // synth1's contract emits a packet that names synth2 (same contract name, own channel) as its source.
  const packet::Packet forged = w.register_twin_and_forge(1);
  auto r = w.submit(block3(w.b2, "PacketSent", kContract, packet_sent_data(forged)));
  CHECK(r.status == 422);
  CHECK(error_code(r) == "ERR_ISLAND_MISMATCH");
  CHECK(error_at(r) == "packet.source_island");
  CHECK(w.node->get_json("/v1/islands/" + kPathDevnet + "/deliveries")["deliveries"].empty());
}

// ---- EVM contracts on ChainMaker (PACKET.md "Source events": the Solidity endpoint unchanged) -------------------

TEST_CASE("chainmaker island: an EVM contract's PacketSent log, as ChainMaker records it, becomes an attested delivery") {
  World w;
  w.register_island();
  const packet::Packet p = w.packet(1);
  const Built b3 = block3(w.b2, kEvmTopic, kContract, evm_packet_sent_data(p));
  auto pushed = w.node->post("/v1/islands/" + kPathIsland + "/headers", header_document(w.b2, b3).dump());
  INFO(pushed.body);
  REQUIRE(pushed.status == 200);
  CHECK(json::parse(pushed.body)["height"] == 3);

  auto sent = w.submit(b3);
  INFO(sent.body);
  REQUIRE(sent.status == 201);
  const json view = json::parse(sent.body);
  const Hash32 commitment = packet::commitment(p);
  CHECK(view["commitment"] == to_hex(commitment.view()));
  CHECK(view["stage"] == "attested");
  CHECK(view["dest_island"] == kDevnet);
  CHECK(view["existing"] == false);

  const json d = w.node->get_json("/v1/islands/" + kPathDevnet + "/deliveries");
  REQUIRE(d["deliveries"].size() == 1);
  const json& del = d["deliveries"][0];
  CHECK(del["commitment"] == to_hex(commitment.view()));
  CHECK(del["source"]["island"] == kIsland);
  CHECK(del["source"]["sequence"] == 1);
  CHECK(del["source_height"] == 3);
  CHECK(del["source_block"] == to_hex(b3.hash.view()));
  CHECK(del["source_time_ms"] == static_cast<std::uint64_t>(kT0 + 30) * 1000);
  CHECK(del["packet"] == to_hex(packet::encode_packet(p)));

  // The native event of the same packet in the next block is the same packet: nothing new is written.
  const Built b4 = block_after(b3, "PacketSent", kContract, packet_sent_data(p), "cw-send-2");
  auto again = w.node->post("/v1/packets", packet_bundle(b3, b4).dump());
  INFO(again.body);
  CHECK(again.status == 200);
  CHECK(json::parse(again.body)["existing"] == true);
}

TEST_CASE("chainmaker island: an EVM PacketSent event that is not exactly the Solidity endpoint's log is refused, each with its code") {
  World w;
  w.register_island();
  const packet::Packet p = w.packet(1);
  const auto good = evm_packet_sent_data(p);
  // The gateway's status per code: 400 for malformed hex/lengths/numbers, 422 for a broken rule.
  const std::map<std::string, int> status_of = {{"ERR_BAD_HEX", 400},          {"ERR_BAD_LENGTH", 400},
                                                {"ERR_OVERFLOW", 400},         {"ERR_NOT_PACKET_EVENT", 422},
                                                {"ERR_ABI_DECODE", 422},       {"ERR_CLAIM_MISMATCH", 422}};
  auto refused = [&](const std::string& topic, const std::vector<std::string>& data, const std::string& code,
                     const std::string& at) {
    REQUIRE(status_of.count(code) == 1);
    auto r = w.submit(block3(w.b2, topic, kContract, data));
    INFO(topic << " " << r.status << " " << r.body);
    CHECK(r.status == status_of.at(code));
    CHECK(error_code(r) == code);
    CHECK(error_at(r) == at);
  };
  auto upper = [](std::string s) {
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
  };
  // Another topic0 (AcknowledgementWritten), and the right topic0 spelled in uppercase or with 0x.
  refused(to_hex_bare(packet::acknowledgement_written_topic0().view()), good, "ERR_NOT_PACKET_EVENT",
          "inclusion.event.topic");
  refused(upper(kEvmTopic), good, "ERR_NOT_PACKET_EVENT", "inclusion.event.topic");
  refused("0x" + kEvmTopic, good, "ERR_NOT_PACKET_EVENT", "inclusion.event.topic");
  // Uppercase hex in event_data.
  refused(kEvmTopic, {upper(good[0]), good[1], good[2]}, "ERR_BAD_HEX", "inclusion.event.event_data[0]");
  refused(kEvmTopic, {good[0], good[1], upper(good[2])}, "ERR_BAD_HEX", "inclusion.event.event_data[2]");
  // Another entry count: the native shape's decimal sequence, a missing data, an extra entry.
  refused(kEvmTopic, {good[0], good[2]}, "ERR_BAD_LENGTH", "inclusion.event.event_data");
  refused(kEvmTopic, {good[0], good[1], good[2], good[2]}, "ERR_BAD_LENGTH", "inclusion.event.event_data");
  refused(kEvmTopic, {good[0], "1", good[2]}, "ERR_BAD_LENGTH", "inclusion.event.event_data[1]");
  // Malformed abi data: the bare packet bytes; a non-canonical encoding of the same bytes (offset 0x40 over an
  // inserted zero word, which a lenient decoder reads as the same packet); a trailing zero word.
  refused(kEvmTopic, {good[0], good[1], to_hex_bare(packet::encode_packet(p))}, "ERR_ABI_DECODE",
          "inclusion.event.event_data[2]");
  const std::string zero_word(64, '0');
  REQUIRE(good[2].substr(0, 64) == word_hex(32));
  refused(kEvmTopic, {good[0], good[1], word_hex(64) + zero_word + good[2].substr(64)}, "ERR_ABI_DECODE",
          "inclusion.event.event_data[2]");
  refused(kEvmTopic, {good[0], good[1], good[2] + zero_word}, "ERR_ABI_DECODE", "inclusion.event.event_data[2]");
  // A sequence that does not fit uint64, another sequence, the commitment of another packet.
  refused(kEvmTopic, {good[0], "01" + good[1].substr(2), good[2]}, "ERR_OVERFLOW", "inclusion.event.event_data[1]");
  refused(kEvmTopic, {good[0], word_hex(2), good[2]}, "ERR_CLAIM_MISMATCH", "inclusion.event.event_data[1]");
  refused(kEvmTopic, {evm_packet_sent_data(w.packet(2))[0], good[1], good[2]}, "ERR_CLAIM_MISMATCH",
          "inclusion.event.event_data[0]");
  // Data of an odd length, no data at all, five entries (LOG4 shape plus one).
  refused(kEvmTopic, {good[0], good[1], good[2] + "0"}, "ERR_BAD_HEX", "inclusion.event.event_data[2]");
  refused(kEvmTopic, {good[0], good[1], ""}, "ERR_ABI_DECODE", "inclusion.event.event_data[2]");
  refused(kEvmTopic, {good[0], good[1], word_hex(7), word_hex(8), good[2]}, "ERR_BAD_LENGTH",
          "inclusion.event.event_data");
  // Well-formed abi data whose bytes are not a packet: the packet's own error, located at the data.
  refused(kEvmTopic, {good[0], good[1], abi_bytes_hex(Bytes(64, 0x00))}, "ERR_ABI_DECODE",
          "inclusion.event.event_data[2]");
  // The native topic over the EVM-shaped data: the native reading's packet bytes are the abi encoding.
  refused("PacketSent", good, "ERR_ABI_DECODE", "inclusion.event.event_data[2]");
  // Nothing was taken in.
  CHECK(w.node->get_json("/v1/islands/" + kPathDevnet + "/deliveries")["deliveries"].empty());
  CHECK(w.submit(block3(w.b2, kEvmTopic, kContract, good)).status == 201);
}

TEST_CASE("A19 a ChainMaker EVM PacketSent log from another contract than the registered one is refused") {
  World w;
  w.register_island();
  const packet::Packet p = w.packet(1);
  auto r = w.submit(block3(w.b2, kEvmTopic, "EVM_other_endpoint", evm_packet_sent_data(p)));
  CHECK(r.status == 422);
  CHECK(error_code(r) == "ERR_WRONG_EMITTER");
  CHECK(error_at(r) == "inclusion.event.contract_name");
  CHECK(w.node->get_json("/v1/islands/" + kPathDevnet + "/deliveries")["deliveries"].empty());
}

TEST_CASE("A19 a ChainMaker EVM PacketSent log in a block before block_version 2300 is refused (ERR_UNSUPPORTED)") {
  // Before 2300 a nested EVM call's logs are recorded under the ENTRY contract's name (chainmaker/evm_log.hpp), so
  // a log named after the endpoint may come from a contract the endpoint called.
  World w;
  w.register_island();
  const packet::Packet p = w.packet(1);
  for (const std::uint32_t version : {2299u, 2201u, 220u}) {
    auto r = w.submit(block3(w.b2, kEvmTopic, kContract, evm_packet_sent_data(p), version));
    INFO(version << " " << r.body);
    CHECK(r.status == 422);
    CHECK(error_code(r) == "ERR_UNSUPPORTED");
    CHECK(error_at(r) == "inclusion.height");
  }
  // The proving block's version spelled twice (proto name and lowerCamel), one of them past 2300: refused.
  json twice = packet_bundle(w.b2, block3(w.b2, kEvmTopic, kContract, evm_packet_sent_data(p), 2299));
  REQUIRE(twice["headers"][0]["block"]["header"]["block_version"] == 2299);
  twice["headers"][0]["block"]["header"]["blockVersion"] = 2030200;
  auto r2 = w.node->post("/v1/packets", twice.dump());
  INFO(r2.body);
  CHECK(r2.status == 422);
  CHECK(error_code(r2) == "ERR_UNSUPPORTED");
  CHECK(w.node->get_json("/v1/islands/" + kPathDevnet + "/deliveries")["deliveries"].empty());
  // The rule is the EVM reading's: a native event in such a block is read as before.
  auto native = w.submit(block3(w.b2, "PacketSent", kContract, packet_sent_data(p), 2299));
  INFO(native.body);
  CHECK(native.status == 201);
  // From 2300 on the EVM log is read (the same packet: already taken in).
  auto at_2300 = w.submit(block3(w.b2, kEvmTopic, kContract, evm_packet_sent_data(p), 2300));
  INFO(at_2300.body);
  CHECK(at_2300.status == 200);
  CHECK(json::parse(at_2300.body)["existing"] == true);
}

TEST_CASE("A20 a ChainMaker EVM PacketSent log proves packets of its own island only") {
  World w;
  w.register_island();
  const packet::Packet forged = w.register_twin_and_forge(1);
  auto r = w.submit(block3(w.b2, kEvmTopic, kContract, evm_packet_sent_data(forged)));
  CHECK(r.status == 422);
  CHECK(error_code(r) == "ERR_ISLAND_MISMATCH");
  CHECK(error_at(r) == "packet.source_island");
  CHECK(w.node->get_json("/v1/islands/" + kPathDevnet + "/deliveries")["deliveries"].empty());
}

TEST_CASE("chainmaker island: a native PacketSent whose packet bytes do not decode is refused at event_data[2]") {
  World w;
  w.register_island();
  const auto good = packet_sent_data(w.packet(1));
  auto r = w.submit(block3(w.b2, "PacketSent", kContract, {good[0], "1", to_hex_bare(Bytes(64, 0x00))}));
  CHECK(r.status == 422);
  CHECK(error_code(r) == "ERR_ABI_DECODE");
  CHECK(error_at(r) == "inclusion.event.event_data[2]");
  CHECK(w.node->get_json("/v1/islands/" + kPathDevnet + "/deliveries")["deliveries"].empty());
}

TEST_CASE("chainmaker island: EVM log data over upstream's 65,535-character event data is ERR_TOO_LARGE at event_data[2]") {
  World w;
  w.register_island();
  const auto good = evm_packet_sent_data(w.packet(1));
  // A valid abi encoding of 32,704 bytes: 32,768 bytes of data, 65,536 hex characters (one over the bound).
  const std::string data = abi_bytes_hex(Bytes(32768 - 64, 0x01));
  REQUIRE(data.size() == 65536);
  auto r = w.submit(block3(w.b2, kEvmTopic, kContract, {good[0], good[1], data}));
  CHECK(r.status == 413);
  CHECK(error_code(r) == "ERR_TOO_LARGE");
  CHECK(error_at(r) == "inclusion.event.event_data[2]");
  CHECK(w.node->get_json("/v1/islands/" + kPathDevnet + "/deliveries")["deliveries"].empty());
}

// A14 through the header-push route (docs/relay-core.md "A14"): two blocks 3 with different transactions, both
// signed by the quorum of the registered set. The first is held; pushing the second freezes the island's client.
TEST_CASE("A14 a pushed ChainMaker block conflicting with a held one at its height freezes the client") {
  World w;
  w.register_island();
  const packet::Packet p = w.packet(1);
  const Built b3 = block_after(w.b2, "PacketSent", kContract, packet_sent_data(p), "cw-send-1");
  const Built b3_other = block_after(w.b2, "PacketSent", kContract, packet_sent_data(p), "cw-send-other");
  REQUIRE(b3.hash != b3_other.hash);
  auto pushed = w.node->post("/v1/islands/" + kPathIsland + "/headers", header_document(w.b2, b3).dump());
  REQUIRE(pushed.status == 200);

  auto conflict = w.node->post("/v1/islands/" + kPathIsland + "/headers", header_document(w.b2, b3_other).dump());
  CHECK(conflict.status == 422);
  CHECK(error_code(conflict) == "ERR_CLIENT_FROZEN");
  CHECK(error_at(conflict) == "headers");
  const json client = w.node->get_json("/v1/islands/" + kPathIsland + "/client");
  CHECK(client["status"] == "frozen");
  CHECK(client["frozen"] == true);
  REQUIRE(client["states"].size() == 2);  // the conflicting block was not taken
  CHECK(client["states"][1]["hash"] == to_hex(b3.hash.view()));

  // From then on the island takes nothing: a packet proven under the held block 3 is refused too.
  auto bundle = w.node->post("/v1/packets", packet_bundle(w.b2, b3).dump());
  CHECK(bundle.status == 422);
  CHECK(error_code(bundle) == "ERR_CLIENT_FROZEN");
}

// A21 (docs/islands/chainmaker.md "Registering the island", docs/relay-core.md): the registered trusting period is
// enforced as for the devnet bft family, by the one rule domain::trusting_period_passed: a header document or a
// bundle is refused with ERR_CLIENT_EXPIRED at `anchor` once the held state it starts from is older than the period
// at the relay's clock (time + trusting_period_s · 1000 <= now; exact to the millisecond), and the client is reported
// expired once its latest held state is; a governance-signed client recover to a fresh anchor lifts it.
TEST_CASE("A21 a ChainMaker island's client past its trusting period refuses header documents and bundles with "
          "ERR_CLIENT_EXPIRED; client recover with a fresh anchor lifts it") {
  World w;
  w.register_island();
  const std::uint64_t period_ms = w.cm.spec.trusting_period_s * 1000;
  const std::uint64_t t2 = static_cast<std::uint64_t>(kT0 + 20) * 1000;  // the registered anchor (block 2)
  const std::uint64_t t3 = static_cast<std::uint64_t>(kT0 + 30) * 1000;
  const std::string headers = "/v1/islands/" + kPathIsland + "/headers";
  const std::string client = "/v1/islands/" + kPathIsland + "/client";
  const packet::Packet p = w.packet(1);
  const Built b3 = block3(w.b2, "PacketSent", kContract, packet_sent_data(p));
  const packet::Packet p2 = w.packet(2);
  const Built b4 = block_after(b3, "PacketSent", kContract, packet_sent_data(p2), "cw-send-2");
  const packet::Packet p3 = w.packet(3);
  const Built b5 = block_after(b4, "PacketSent", kContract, packet_sent_data(p3), "cw-send-3");
  // A bundle stamped with the relay's clock (verify_time_s must be within the relay's skew).
  auto bundle_now = [&](const Built& anchor, const Built& b) {
    json doc = packet_bundle(anchor, b);
    doc["verify_time_s"] = Node::clock_ms.load() / 1000;
    return doc.dump();
  };
  auto refused_expired = [&](const test::HttpResult& r, std::uint64_t anchor_ms) {
    INFO(r.status << " " << r.body);
    CHECK(r.status == 422);
    CHECK(error_code(r) == "ERR_CLIENT_EXPIRED");
    CHECK(error_at(r) == "anchor");
    const std::string msg = json::parse(r.body)["error"]["message"].get<std::string>();
    CHECK(msg.find(std::to_string(anchor_ms) + " ms") != std::string::npos);
    CHECK(msg.find(std::to_string(w.cm.spec.trusting_period_s) + " s") != std::string::npos);
    CHECK(msg.find(std::to_string(Node::clock_ms.load()) + " ms") != std::string::npos);
  };

  // Exactly at the end of block 2's trusting period: expired — the push and the bundle from block 2 are refused,
  // nothing changes.
  Node::clock_ms.store(t2 + period_ms);
  CHECK(w.node->get_json(client)["status"] == "expired");
  refused_expired(w.node->post(headers, header_document(w.b2, b3).dump()), t2);
  refused_expired(w.node->post("/v1/packets", bundle_now(w.b2, b3)), t2);
  CHECK(w.node->get_json(client)["states"].size() == 1);
  CHECK(w.node->get_json("/v1/islands/" + kPathDevnet + "/deliveries")["deliveries"].empty());

  // One millisecond earlier: active, both taken.
  Node::clock_ms.store(t2 + period_ms - 1);
  CHECK(w.node->get_json(client)["status"] == "active");
  auto pushed = w.node->post(headers, header_document(w.b2, b3).dump());
  INFO(pushed.body);
  REQUIRE(pushed.status == 200);
  auto sent = w.node->post("/v1/packets", bundle_now(w.b2, b3));
  INFO(sent.body);
  REQUIRE(sent.status == 201);
  CHECK(json::parse(sent.body)["stage"] == "attested");

  // Judged on the state a document starts from: at block 2's end the client (latest block 3) is active, a bundle
  // from block 2 is refused, one from block 3 is taken.
  Node::clock_ms.store(t2 + period_ms);
  CHECK(w.node->get_json(client)["status"] == "active");
  refused_expired(w.node->post("/v1/packets", bundle_now(w.b2, b3)), t2);
  auto from3 = w.node->post("/v1/packets", bundle_now(b3, b4));
  INFO(from3.body);
  CHECK(from3.status == 201);

  // At block 3's end the client is expired: nothing is taken until a client recover.
  Node::clock_ms.store(t3 + period_ms);
  const json expired = w.node->get_json(client);
  CHECK(expired["status"] == "expired");
  CHECK(expired["states"].size() == 2);
  refused_expired(w.node->post(headers, header_document(b3, b4).dump()), t3);
  refused_expired(w.node->post("/v1/packets", bundle_now(b3, b4)), t3);
  CHECK(w.node->get_json(client)["states"].size() == 2);

  // Client recover (governance-signed, the island's next nonce: 3 after the registration and the channel's opening)
  // to block 4, inside its own trusting period at this clock.
  const std::uint64_t nonce = w.node->get_json("/v1/islands/" + kPathIsland)["nonce"].get<std::uint64_t>() + 1;
  CHECK(nonce == 3);
  domain::ClientRecoverRecord rec;
  rec.island = kIsland;
  rec.anchor.height = 4;
  rec.anchor.hash = b4.hash;
  rec.anchor.time_s = static_cast<std::uint64_t>(kT0 + 40);
  rec.anchor.extra = w.cm.spec.anchor.extra;  // the chain config (validator set) is unchanged
  rec.nonce = nonce;
  rec.signatures = {domain::sign_governance(domain::recover_digest(kIsland, w.cm.spec.genesis, rec.anchor, nonce),
                                            secp256k1::parse_secret_key(kGovCm).value())
                        .value()};
  auto recovered = w.node->post("/v1/islands/" + kPathIsland + "/recover", engine::recover_to_json(rec).dump(), kAuth);
  INFO(recovered.body);
  REQUIRE(recovered.status == 200);
  CHECK(json::parse(recovered.body)["client"]["status"] == "active");
  const json after = w.node->get_json(client);
  CHECK(after["status"] == "active");
  REQUIRE(after["states"].size() == 1);
  CHECK(after["states"][0]["height"] == 4);

  // Taken again from the recovered anchor: block 5 pushed, its packet proven from block 4.
  auto pushed5 = w.node->post(headers, header_document(b4, b5).dump());
  INFO(pushed5.body);
  CHECK(pushed5.status == 200);
  auto sent5 = w.node->post("/v1/packets", bundle_now(b4, b5));
  INFO(sent5.body);
  CHECK(sent5.status == 201);
  CHECK(w.node->get_json(client)["states"].size() == 2);
  CHECK(w.node->get_json("/v1/islands/" + kPathDevnet + "/deliveries")["deliveries"].size() == 3);
}
