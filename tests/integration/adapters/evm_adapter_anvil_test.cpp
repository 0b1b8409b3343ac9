// evm_adapter_anvil_test: the EVM chain adapter (adapters/ethereum evm_adapter.hpp, docs/adapters.md "EVM") against two
// real anvil chains (pinned, tools/) with the Causeway contracts deployed by deploy_contracts:
//   - sendTransfer on chain A → sent_packets (eth_getLogs) → fetch_proof → verify_bundle passes; packet bytes and
//     commitment match the mined log; an unknown commitment is ERR_UNKNOWN_PACKET; follow_headers;
//   - per-transaction receipts: forced by option and by a node answering -32601 to eth_getBlockReceipts;
//   - submit_delivery on chain B (committee = a test key): lookup_delivery finds the receipt (by tx and by search);
//     a second submit is refused (ERR_PACKET_REPLAYED) without advancing the nonce (A24, A27); a chain nonce lower
//     than the cached one is re-read (A24);
//   - non-delivery: the receipt slot of an unknown commitment is proven 0 (verify_receipt_slot and a storage bundle);
//   - lying endpoints: a proxy altering one receipt byte is caught and demoted (failover to the honest node); a
//     proxy serving a header that does not link yields a bundle that fails verification, and the pool demotes it
//     after report_unverifiable;
//   - a reorg (evm_snapshot / evm_revert + different blocks) is detected by the head follower.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "anvil_node.hpp"
#include "anvil_process.hpp"
#include "causeway/adapters/ethereum/contracts.hpp"
#include "causeway/adapters/ethereum/deploy.hpp"
#include "causeway/adapters/ethereum/eth_rpc.hpp"
#include "causeway/adapters/ethereum/evm_adapter.hpp"
#include "causeway/adapters/ethereum/evm_tx.hpp"
#include "causeway/adapters/ethereum/rpc_block.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/core/packet.hpp"
#include "causeway/core/secp256k1.hpp"
#include "causeway/ethereum/header.hpp"
#include "causeway/proofs/bundle.hpp"
#include "fake_rpc_server.hpp"

namespace {

using json = nlohmann::json;
namespace ae = causeway::adapters::ethereum;
namespace eth = causeway::ethereum;
namespace anvil = causeway::testing::anvil;
namespace pk = causeway::packet;
namespace abi = causeway::abi;
using causeway::Bytes;
using causeway::ByteView;
using causeway::Hash32;
using anvil::AnvilNode;
using anvil::hex;
using anvil::hexb;
using anvil::hexh;
using anvil::must;

const std::string kKey0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";  // anvil account 0
const std::string kKey2 = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";  // anvil account 2
const std::string kAccount1 = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";

causeway::secp256k1::SecretKey secret(ByteView b) { return must(causeway::secp256k1::parse_secret_key(b), "key"); }

std::string url_of(AnvilNode& n) { return "http://127.0.0.1:" + std::to_string(n.port()); }

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

causeway::proofs::Verdict verify(const std::string& bundle) {
  return causeway::proofs::verify_bundle(bundle, nullptr, now_s());
}

std::uint64_t nonce_of(AnvilNode& n, const eth::Address& a, const std::string& tag = "latest") {
  return must(ae::decode_quantity_u64(n.call("eth_getTransactionCount", json::array({hex(a), tag})), "nonce"), "nonce");
}

// A JSON-RPC proxy in front of an anvil node that may rewrite answers (a lying endpoint).
class Proxy {
 public:
  using Rewrite = std::function<void(const std::string& method, const json& params, json& result)>;
  Proxy(std::uint16_t port, Rewrite rewrite, bool no_block_receipts = false)
      : client_(causeway::adapters::HttpUrl{"127.0.0.1", port, "/"}),
        rewrite_(std::move(rewrite)),
        server_([this, no_block_receipts](const std::string& method, const json& params) -> json {
          if (no_block_receipts && method == "eth_getBlockReceipts") {
            return {{"error", {{"code", -32601}, {"message", "the method eth_getBlockReceipts does not exist"}}}};
          }
          std::lock_guard lock(mu_);
          auto r = client_.call(method, params);
          if (!r) {
            const std::string& d = r.error().detail;
            int code = -32000;
            try { code = std::stoi(d.substr(0, d.find(':'))); } catch (...) {}
            return {{"error", {{"code", code}, {"message", d.substr(d.find(':') == std::string::npos ? 0 : d.find(':') + 2)}}}};
          }
          json result = std::move(*r);
          if (rewrite_) rewrite_(method, params, result);
          return {{"result", std::move(result)}};
        }) {}
  std::string url() const { return server_.url(); }

 private:
  std::mutex mu_;
  causeway::adapters::JsonRpcClient client_;
  Rewrite rewrite_;
  causeway::testing::FakeRpcServer server_;
};

// Flips the lowest bit of the hex digit at position `pos` of a 0x string.
std::string flip_hex(std::string s, std::size_t pos) {
  char& c = s.at(pos);
  c = c == '0' ? '1' : '0';
  return s;
}

struct Chains {
  anvil::TempDir tmp;
  std::optional<AnvilNode> na, nb;
  ae::Deployment da, db;
  causeway::secp256k1::SecretKey member = secret(anvil::keccak("evm adapter test member").view());
};

ae::ChannelConfig channel_to(const ae::Deployment& other) {
  ae::ChannelConfig c;
  c.channel_id = "channel-0";
  c.counterparty_island = other.island;
  c.counterparty_genesis = other.genesis_hash;
  c.counterparty_channel = "channel-0";
  return c;
}

}  // namespace

TEST_CASE("EVM adapter on two anvil chains: proofs, deliveries, non-delivery, lying endpoints, reorgs",
          "[integration][anvil][evm_adapter]") {
  if (!ae::contracts_available()) FAIL("this build has no compiled contracts (tools/ absent at configure time)");
  Chains ch;
  const auto work = ch.tmp.path();
  INFO("work dir " << work << " (CAUSEWAY_KEEP_TEST_TMP=1 keeps it)");
  ch.na.emplace(work, anvil::NodeOptions{.hardfork = "prague", .chain_id = 31337, .accounts = 3, .log_stem = "anvil-a"});
  ch.nb.emplace(work, anvil::NodeOptions{.hardfork = "prague", .chain_id = 31338, .accounts = 3, .log_stem = "anvil-b"});
  AnvilNode& na = *ch.na;
  AnvilNode& nb = *ch.nb;
  na.call("evm_setAutomine", json::array({true}));
  nb.call("evm_setAutomine", json::array({true}));
  const auto key0 = secret(hexb(kKey0));
  const ae::DeployRequest req{{ae::address_of(ch.member)}, 1, "transfer"};
  ch.da = must(ae::deploy_contracts(na.client(), key0, req), "deploy A");
  ch.db = must(ae::deploy_contracts(nb.client(), key0, req), "deploy B");
  auto signer_a = must(ae::EvmSigner::create(na.client(), key0), "signer A");
  auto signer_b = must(ae::EvmSigner::create(nb.client(), key0), "signer B");
  must(signer_a.send(ch.da.endpoint, ae::register_channel_call(channel_to(ch.db))), "registerChannel A");
  must(signer_b.send(ch.db.endpoint, ae::register_channel_call(channel_to(ch.da))), "registerChannel B");
  const auto token_code = must(ae::contract_code("TestToken"), "TestToken");
  Bytes token_init = token_code.creation;
  causeway::append(token_init, ae::test_token_constructor_args("Test", "TT", abi::u256_from_u64(1000)));
  const eth::Address token = *must(signer_a.send(std::nullopt, token_init), "deploy token").contract_address;
  must(signer_a.send(ch.da.transfer_app, ae::register_asset_call(token)), "registerAsset");
  must(signer_a.send(token, ae::erc20_approve_call(ch.da.transfer_app, abi::u256_from_u64(1000))), "approve");
  const std::uint64_t far_ns = 4'000'000'000ULL * 1'000'000'000ULL;
  const auto send_transfer = [&](std::uint64_t amount) {
    return must(signer_a.send(ch.da.transfer_app, ae::send_transfer_call("channel-0", token, abi::u256_from_u64(amount),
                                                                       hexb(kAccount1), "", 0, far_ns)),
                "sendTransfer");
  };
  const ae::SentTx sent = send_transfer(100);
  na.mine();  // one confirmation on top

  ae::EvmAdapterConfig cfg_a;
  cfg_a.rpc_urls = {url_of(na)};
  cfg_a.island = ch.da.island;
  cfg_a.endpoint = ch.da.endpoint;
  auto adapter_a = must(ae::EvmAdapter::connect(cfg_a), "connect A");
  CHECK(adapter_a->island() == "eip155:31337");

  // ---- scan → fetch_proof → verify_bundle -----------------------------------------------------------------
  const auto logs = must(adapter_a->sent_packets(sent.block_number, sent.block_number), "sent_packets");
  REQUIRE(logs.size() == 1);
  const ae::SentPacketLog& log = logs[0];
  CHECK(log.transaction_hash == sent.hash);
  CHECK(log.sequence == 1);
  CHECK(causeway::keccak256(log.packet_bytes) == log.commitment);
  {
    // The packet bytes are the ones the endpoint emitted (decoded from the mined receipt).
    ae::EthRpc rpc(na.client());
    const auto rec = must(rpc.transaction_receipt(sent.hash), "receipt");
    REQUIRE(rec.has_value());
    bool seen = false;
    for (const eth::Log& l : rec->receipt.logs) {
      if (l.address == ch.da.endpoint && l.topics.at(0) == pk::packet_sent_topic0()) {
        const auto v = must(abi::decode(abi::Type::tuple({abi::Type::bytes()}), l.data), "log data");
        CHECK(v.as_tuple().at(0).as_bytes() == log.packet_bytes);
        seen = true;
      }
    }
    CHECK(seen);
  }
  const std::string bundle = must(adapter_a->fetch_proof(log.commitment, sent.block_number, sent.block_number - 1), "fetch_proof");
  {
    const auto v = verify(bundle);
    INFO(v.output_json);
    REQUIRE(v.exit_code == 0);
    const json out = json::parse(v.output_json);
    CHECK(out.at("height") == sent.block_number);
    CHECK(out.at("trust") == "rpc-trusted");
    CHECK(out.at("claim").at("emitter") == hex(ch.da.endpoint));
    CHECK(out.at("claim").at("packet").at("commitment") == hex(log.commitment));
    CHECK(out.at("claim").at("packet").at("sequence") == "1");
    CHECK(out.at("claim").at("packet").at("dest_island") == "eip155:31338");
  }
  const json bj = json::parse(bundle);
  CHECK(bj.at("headers").size() == 1);
  CHECK(bj.at("finality").at("min_confirmations") == 1);
  {
    auto unknown = adapter_a->fetch_proof(anvil::keccak("not sent"), sent.block_number, sent.block_number - 1);
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().code == causeway::Code::UnknownPacket);
    auto bad_anchor = adapter_a->fetch_proof(log.commitment, sent.block_number, sent.block_number);
    REQUIRE_FALSE(bad_anchor);
    CHECK(bad_anchor.error().code == causeway::Code::InvalidArgument);
  }
  // min_confirmations 2: headers up to height + 1; 3 is not reached yet.
  {
    ae::EvmAdapterConfig c2 = cfg_a;
    c2.min_confirmations = 2;
    auto a2 = must(ae::EvmAdapter::connect(c2), "connect A conf 2");
    const std::string b2 = must(a2->fetch_proof(log.commitment, sent.block_number, sent.block_number - 1), "conf 2");
    const auto v = verify(b2);
    INFO(v.output_json);
    CHECK(v.exit_code == 0);
    CHECK(json::parse(v.output_json).at("confirmations") == 2);
    c2.min_confirmations = 3;
    auto a3 = must(ae::EvmAdapter::connect(c2), "connect A conf 3");
    auto r3 = a3->fetch_proof(log.commitment, sent.block_number, sent.block_number - 1);
    REQUIRE_FALSE(r3);
    CHECK(r3.error().code == causeway::Code::Confirmations);
  }
  // follow_headers: RLP headers that hash to the node's blocks.
  {
    const std::uint64_t tip = must(adapter_a->latest_height(), "tip");
    const json hs = json::parse(must(adapter_a->follow_headers(tip - 3, 10), "follow_headers"));
    REQUIRE(hs.size() == 3);
    ae::EthRpc rpc(na.client());
    for (std::size_t i = 0; i < 3; ++i) {
      const auto h = must(eth::decode_header(hexb(hs[i].get<std::string>())), "decode header");
      const auto b = must(rpc.block_by_number(tip - 2 + i), "block");
      CHECK(causeway::keccak256(hexb(hs[i].get<std::string>())) == b->hash);
      CHECK(h.number == tip - 2 + i);
    }
    CHECK(json::parse(must(adapter_a->follow_headers(tip, 10), "follow at tip")).empty());
  }
  // Wrong island for the node's chain id.
  {
    ae::EvmAdapterConfig bad = cfg_a;
    bad.island = "eip155:1";
    auto r = ae::EvmAdapter::connect(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == causeway::Code::IslandMismatch);
  }

  // ---- per-transaction receipts (the eth_getBlockReceipts fallback) --------------------------------------
  {
    ae::EvmAdapterConfig forced = cfg_a;
    forced.use_block_receipts = false;
    auto a2 = must(ae::EvmAdapter::connect(forced), "connect forced");
    CHECK(must(a2->fetch_proof(log.commitment, sent.block_number, sent.block_number - 1), "forced") == bundle);
    CHECK(a2->metrics().receipts_fallbacks == 1);
    Proxy old_node(na.port(), nullptr, /*no_block_receipts=*/true);
    ae::EvmAdapterConfig via = cfg_a;
    via.rpc_urls = {old_node.url()};
    auto a3 = must(ae::EvmAdapter::connect(via), "connect old node");
    CHECK(must(a3->fetch_proof(log.commitment, sent.block_number, sent.block_number - 1), "-32601 fallback") == bundle);
    CHECK(a3->metrics().receipts_fallbacks == 1);
    CHECK(adapter_a->metrics().receipts_fallbacks == 0);
  }

  // ---- lying endpoints ------------------------------------------------------------------------------------
  {
    // One receipt byte altered: receipts no longer hash to receiptsRoot → caught, demoted, next endpoint used.
    Proxy liar(na.port(), [](const std::string& method, const json&, json& result) {
      if (method != "eth_getBlockReceipts" || !result.is_array()) return;
      for (json& r : result) {
        for (json& l : r["logs"]) {
          std::string d = l["data"].get<std::string>();
          if (d.size() > 10) {
            l["data"] = flip_hex(d, d.size() - 1);
            return;
          }
        }
      }
    });
    ae::EvmAdapterConfig c = cfg_a;
    c.rpc_urls = {liar.url(), url_of(na)};
    auto a2 = must(ae::EvmAdapter::connect(c), "connect liar");
    const std::string b2 = must(a2->fetch_proof(log.commitment, sent.block_number, sent.block_number - 1), "failover");
    CHECK(b2 == bundle);
    CHECK(a2->last_endpoint() == url_of(na));
    const auto m = a2->metrics();
    REQUIRE(m.pool.endpoints.size() == 2);
    CHECK(m.pool.endpoints[0].url == liar.url());
    CHECK(m.pool.endpoints[0].inconsistent == 1);
    CHECK(m.pool.endpoints[0].demoted);
    CHECK(m.pool.endpoints[0].demotions == 1);
    CHECK_FALSE(m.pool.endpoints[1].demoted);
    CHECK(m.pool.failovers == 1);
  }
  {
    // A confirmation header that does not link (parentHash altered, hash recomputed: self-consistent): the
    // bundle fails verification; the engine reports the endpoint, which is demoted; the next fetch verifies.
    const std::uint64_t target = sent.block_number + 1;
    Proxy liar(na.port(), [target](const std::string& method, const json& params, json& result) {
      if (method != "eth_getBlockByNumber" || !result.is_object() || params.at(0) != ae::quantity(target)) return;
      auto h = ae::decode_header(result);
      if (!h) return;
      h->parent_hash.b[0] ^= 0x01;
      result["parentHash"] = hex(h->parent_hash);
      result["hash"] = hex(*ae::block_hash(*h, eth::ConsensusMode::RpcTrusted));
    });
    ae::EvmAdapterConfig c = cfg_a;
    c.min_confirmations = 2;
    c.rpc_urls = {liar.url(), url_of(na)};
    auto a2 = must(ae::EvmAdapter::connect(c), "connect liar 2");
    const std::string lie = must(a2->fetch_proof(log.commitment, sent.block_number, sent.block_number - 1), "lie");
    const auto v = verify(lie);
    INFO(v.output_json);
    CHECK(v.exit_code == 1);
    CHECK(json::parse(v.output_json).at("error").at("code") == "ERR_PREV_HASH_MISMATCH");
    CHECK(a2->last_endpoint() == liar.url());
    CHECK(a2->report_unverifiable(a2->last_endpoint()));
    const auto m = a2->metrics();
    CHECK(m.pool.endpoints[0].unverifiable_reports == 1);
    CHECK(m.pool.endpoints[0].demoted);
    const std::string honest = must(a2->fetch_proof(log.commitment, sent.block_number, sent.block_number - 1), "honest");
    CHECK(a2->last_endpoint() == url_of(na));
    CHECK(verify(honest).exit_code == 0);
    CHECK(a2->reinstate(liar.url()));
    CHECK_FALSE(a2->metrics().pool.endpoints[0].demoted);
  }

  // ---- delivery on chain B --------------------------------------------------------------------------------
  ae::EvmAdapterConfig cfg_b;
  cfg_b.rpc_urls = {url_of(nb)};
  cfg_b.island = ch.db.island;
  cfg_b.endpoint = ch.db.endpoint;
  cfg_b.submitter_key = hexb(kKey2);
  cfg_b.receipt_timeout = std::chrono::milliseconds(30'000);
  auto adapter_b = must(ae::EvmAdapter::connect(cfg_b), "connect B");
  const eth::Address relayer = adapter_b->submitter();
  const auto delivery_of = [&](const ae::SentPacketLog& l, std::uint64_t audit_index) {
    causeway::adapters::Delivery d;
    d.dest_island = ch.db.island;
    d.dest_endpoint = Bytes(ch.db.endpoint.begin(), ch.db.endpoint.end());
    d.packet_bytes = l.packet_bytes;
    d.commitment = l.commitment;
    d.sequence = l.sequence;
    const Hash32 digest = pk::attestation_digest(ch.db.island, ch.db.genesis_hash,
                                                 ByteView(ch.db.endpoint.data(), 20), l.commitment, audit_index);
    const auto sig = must(causeway::secp256k1::sign_rsv(digest, ch.member), "sign");
    d.attestations.push_back({ae::address_of(ch.member), audit_index, Bytes(sig.begin(), sig.end())});
    return d;
  };
  const auto d1 = delivery_of(log, 5);
  const std::uint64_t nonce0 = nonce_of(nb, relayer);
  {
    auto none = must(adapter_b->lookup_delivery(log.commitment, {}), "lookup before");
    CHECK_FALSE(none.received);
  }
  const auto sub = must(adapter_b->submit_delivery(d1), "submit_delivery");
  REQUIRE(sub.tx.size() == 32);
  CHECK(nonce_of(nb, relayer) == nonce0 + 1);
  const Hash32 tx1 = hexh(hex(sub.tx));
  ae::EthRpc rpc_b(nb.client());
  const auto rec1 = must(rpc_b.transaction_receipt(tx1), "delivery receipt");
  REQUIRE(rec1.has_value());
  CHECK(rec1->receipt.status == eth::ReceiptStatus::Success);
  {
    // The signed transaction is EIP-1559 (type 2).
    const json tx = nb.call("eth_getTransactionByHash", json::array({hex(tx1)}));
    CHECK(tx.at("type") == "0x2");
  }
  const Hash32 expected_ack = pk::ack_commitment(pk::ack_bytes(log.commitment, true, hexb("0x01")));
  {
    const auto st = must(adapter_b->lookup_delivery(log.commitment, sub.tx), "lookup by tx");
    CHECK(st.received);
    CHECK(st.ack_commitment == expected_ack);
    CHECK(st.height == rec1->block_number);
    CHECK(st.tx == sub.tx);
    const auto st2 = must(adapter_b->lookup_delivery(log.commitment, {}), "lookup by search");
    CHECK(st2.received);
    CHECK(st2.height == rec1->block_number);
    CHECK(st2.tx == sub.tx);
  }
  // A second submit: refused before signing, nonce not advanced (A24, A27).
  {
    auto again = adapter_b->submit_delivery(d1);
    REQUIRE_FALSE(again);
    CHECK(again.error().code == causeway::Code::PacketReplayed);
    CHECK(nonce_of(nb, relayer) == nonce0 + 1);
    CHECK(nonce_of(nb, relayer, "pending") == nonce0 + 1);
    const auto m = adapter_b->metrics();
    CHECK(m.submits == 1);
    CHECK(m.refused_before_send == 1);
  }
  // Refusals before anything is sent.
  {
    auto other = d1;
    other.dest_island = "eip155:31337";
    CHECK(adapter_b->submit_delivery(other).error().code == causeway::Code::IslandMismatch);
    other = d1;
    other.dest_endpoint = Bytes(20, 0x42);
    CHECK(adapter_b->submit_delivery(other).error().code == causeway::Code::WrongDestination);
    other = d1;
    other.commitment = anvil::keccak("x");
    CHECK(adapter_b->submit_delivery(other).error().code == causeway::Code::InvalidArgument);
  }
  // A24: the chain's nonce lower than the cached one is re-read; the next delivery goes through.
  {
    const ae::SentTx sent2 = send_transfer(7);
    const auto logs2 = must(adapter_a->sent_packets(sent2.block_number, sent2.block_number), "scan 2");
    REQUIRE(logs2.size() == 1);
    CHECK(logs2[0].sequence == 2);
    const std::uint64_t lowered = nonce0;  // below the cached nonce0 + 1
    nb.call("anvil_setNonce", json::array({hex(relayer), ae::quantity(lowered)}));
    const auto sub2 = must(adapter_b->submit_delivery(delivery_of(logs2[0], 6)), "submit after nonce drift");
    const json tx = nb.call("eth_getTransactionByHash", json::array({hex(sub2.tx)}));
    CHECK(tx.at("nonce") == ae::quantity(lowered));
    CHECK(adapter_b->metrics().nonce_resyncs == 1);
    CHECK(must(adapter_b->lookup_delivery(logs2[0].commitment, sub2.tx), "lookup 2").received);
  }

  // ---- non-delivery: the receipt slot of an unknown commitment reads 0 -----------------------------------
  {
    const std::uint64_t tip = must(adapter_b->latest_height(), "tip B");
    const Hash32 unknown = anvil::keccak("never delivered");
    const auto proof = must(adapter_b->receipt_slot_proof(unknown, tip), "receipt_slot_proof");
    const auto header = must(rpc_b.block_by_number(tip), "block B");  // the test stands in for the light client
    CHECK(must(ae::verify_receipt_slot(proof, header->header.state_root), "verify unknown") == Hash32{});
    const auto delivered = must(adapter_b->receipt_slot_proof(log.commitment, tip), "slot delivered");
    CHECK(must(ae::verify_receipt_slot(delivered, header->header.state_root), "verify delivered") == expected_ack);
    // A lie about the value is caught by the verification.
    auto forged = delivered;
    forged.proof.storage[0].value = Hash32{};
    CHECK(ae::verify_receipt_slot(forged, header->header.state_root).error().code == causeway::Code::ClaimMismatch);
    // Under another block's state root it proves nothing.
    const auto older = must(rpc_b.block_by_number(rec1->block_number - 1), "older");
    CHECK_FALSE(ae::verify_receipt_slot(delivered, older->header.state_root));
    // As a storage bundle: `causeway proof verify` checks value 0.
    const std::string sb = must(adapter_b->fetch_receipt_slot_bundle(unknown, tip, tip - 1), "storage bundle");
    const auto v = verify(sb);
    INFO(v.output_json);
    REQUIRE(v.exit_code == 0);
    const json out = json::parse(v.output_json);
    CHECK(out.at("claim").at("kind") == "storage");
    CHECK(out.at("claim").at("key") == hex(pk::receipt_storage_slot(unknown)));
    CHECK(out.at("claim").at("value") == hex(Hash32{}));
  }

  // ---- new heads: a reorg is detected -------------------------------------------------------------------
  {
    auto follower = adapter_b->head_follower(std::nullopt);
    const auto first = must(follower.poll(), "first poll");
    REQUIRE(first.heads.size() == 1);
    const ae::Head base = first.heads[0];
    const std::string snap = nb.call("evm_snapshot").get<std::string>();
    nb.mine();
    nb.mine();
    const auto grow = must(follower.poll(), "grow");
    CHECK_FALSE(grow.reorg);
    REQUIRE(grow.heads.size() == 2);
    CHECK(grow.heads[0].parent_hash == base.hash);
    CHECK(must(follower.poll(), "idle").heads.empty());
    REQUIRE(nb.call("evm_revert", json::array({snap})) == true);
    // A different branch: a value transfer (automined) then two empty blocks.
    nb.send({{"from", hex(relayer)}, {"to", kAccount1}, {"value", "0x1"}});
    nb.mine();
    nb.mine();
    const auto re = must(follower.poll(), "after reorg");
    REQUIRE(re.reorg.has_value());
    CHECK(re.reorg->ancestor_number == base.number);
    CHECK(re.reorg->ancestor_hash == base.hash);
    REQUIRE(re.reorg->dropped.size() == 2);
    CHECK(re.reorg->dropped[0] == grow.heads[0]);
    CHECK(re.reorg->dropped[1] == grow.heads[1]);
    REQUIRE(re.heads.size() == 3);
    CHECK(re.heads[0].number == base.number + 1);
    CHECK(re.heads[0].parent_hash == base.hash);
    CHECK(re.heads[0].hash != grow.heads[0].hash);
    CHECK(follower.reorgs() == 1);
    CHECK(follower.last()->hash == re.heads[2].hash);
  }

  // ---- new heads over WebSocket (eth_subscribe "newHeads"): pushed, then followed with the same rules ------
  {
    ae::EvmAdapterConfig cw = cfg_b;
    cw.ws_url = "ws://127.0.0.1:" + std::to_string(nb.port());
    auto ws_adapter = must(ae::EvmAdapter::connect(cw), "connect B with ws_url");
    const std::uint64_t t0 = must(rpc_b.block_number(), "tip");
    std::optional<std::uint64_t> seen;
    for (int i = 0; i < 200 && !seen; ++i) {  // until the subscription is up (a bound on a hang, not a speed check)
      nb.mine();
      seen = ws_adapter->wait_new_head(t0, std::chrono::milliseconds(100));
    }
    REQUIRE(seen);
    const std::uint64_t t1 = must(rpc_b.block_number(), "tip");
    CHECK(must(ws_adapter->latest_height(), "ws tip") == t1);  // answered from the notified head
    nb.mine();
    CHECK(ws_adapter->wait_new_head(t1, std::chrono::seconds(30)) == t1 + 1);
    CHECK(must(ws_adapter->latest_height(), "ws tip") == t1 + 1);
    CHECK_FALSE(ws_adapter->wait_new_head(t1 + 1, std::chrono::milliseconds(300)));  // no block mined: no head
    auto follower = ws_adapter->head_follower(std::nullopt);
    const auto first = must(follower.poll(), "first poll");
    REQUIRE(first.heads.size() == 1);
    CHECK(first.heads[0].number == t1 + 1);
    nb.mine();
    REQUIRE(ws_adapter->wait_new_head(t1 + 1, std::chrono::seconds(30)) == t1 + 2);
    const auto next = must(follower.poll(), "pushed head");
    REQUIRE(next.heads.size() == 1);
    CHECK(next.heads[0].number == t1 + 2);
    CHECK(next.heads[0].parent_hash == first.heads[0].hash);
    // A malformed URL is refused at connect.
    ae::EvmAdapterConfig bad = cfg_b;
    bad.ws_url = "http://127.0.0.1:1";
    CHECK(ae::EvmAdapter::connect(bad).error().code == causeway::Code::InvalidArgument);
  }
}
