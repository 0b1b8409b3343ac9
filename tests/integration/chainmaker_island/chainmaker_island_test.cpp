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
//   - the family plug-in's refusals (A19 emitter, topic, event_data claims) each with its error code.
// Deterministic: a fixed relay clock, fixed keys and block times.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cctype>
#include <filesystem>
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

domain::SignedChannelRecord channel_end(const domain::IslandSpec& self, const domain::IslandSpec& other, const Bytes& gov,
                                        const std::string& channel = "channel-0",
                                        const std::string& counterparty_channel = "channel-0",
                                        std::uint64_t nonce = 2) {
  domain::SignedChannelRecord r;
  auto& s = r.spec;
  s.island = self.id;
  s.channel = channel;
  s.port = "transfer";
  s.endpoint = self.endpoint;
  s.counterparty_island = other.id;
  s.counterparty_genesis = other.genesis;
  s.counterparty_channel = counterparty_channel;
  s.counterparty_port = "transfer";
  s.counterparty_endpoint = other.endpoint;
  s.ordering = domain::Ordering::Unordered;
  s.open_height = 0;
  r.nonce = nonce;
  const auto sk = secp256k1::parse_secret_key(gov).value();
  r.signatures.push_back(
      domain::sign_governance(domain::channel_digest(domain::GovAction::ChannelOpen, s, self.genesis, nonce), sk).value());
  return r;
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

// The block after `prev` whose only transaction (contract `contract`) emits one event.
Built block_after(const Built& prev, const std::string& topic, const std::string& contract,
                  const std::vector<std::string>& data, const std::string& tx_id = "cw-send-1") {
  const auto& f = fx();
  pb::Transaction tx = make_tx(tx_id, contract, "send_packet", "ok");
  add_event(tx, topic, contract, data);
  return build({prev.block.header.height + 1, prev.hash, 0, kNormalBlock, f.b, {f.a, f.b, f.c, f.d}, {tx}, {}});
}
Built block3(const Built& b2, const std::string& topic, const std::string& contract,
             const std::vector<std::string>& data) {
  return block_after(b2, topic, contract, data);
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
    o.clock_ms = [] { return static_cast<std::uint64_t>(kClockS) * 1000; };
    return o;
  }
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
    REQUIRE(node->relay->open_channel(engine::ChannelPair{channel_end(cm.spec, dst.spec, kGovCm),
                                                          channel_end(dst.spec, cm.spec, kGovDst)}));
  }
  packet::Packet packet(std::uint64_t seq) const { return transfer(seq, cm.spec.genesis, dst.spec.genesis); }
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
  // A second ChainMaker island whose endpoint contract has the same name, with its own channel to the devnet.
  auto twin = w.cm;
  twin.spec.id = "chainmkr:synth2";
  twin.spec.genesis = sha256(utf8("synth2 block 0"));
  twin = sign_island(twin.spec, kGovCm);
  auto reg = w.node->post("/v1/islands", engine::island_to_json(twin).dump(), kAuth);
  INFO(reg.body);
  REQUIRE(reg.status == 201);
  REQUIRE(w.node->relay->open_channel(engine::ChannelPair{channel_end(twin.spec, w.dst.spec, kGovCm, "channel-0", "channel-1"),
                                                          channel_end(w.dst.spec, twin.spec, kGovDst, "channel-1",
                                                                      "channel-0", 3)}));
  // synth1's contract emits a packet that names synth2 as its source.
  packet::Packet forged = w.packet(1);
  forged.source_island = twin.spec.id;
  forged.source_genesis = twin.spec.genesis;
  forged.dest_channel = "channel-1";
  auto r = w.submit(block3(w.b2, "PacketSent", kContract, packet_sent_data(forged)));
  CHECK(r.status == 422);
  CHECK(error_code(r) == "ERR_ISLAND_MISMATCH");
  CHECK(error_at(r) == "packet.source_island");
  CHECK(w.node->get_json("/v1/islands/" + kPathDevnet + "/deliveries")["deliveries"].empty());
}
