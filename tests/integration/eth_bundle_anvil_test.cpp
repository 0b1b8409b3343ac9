// eth_bundle_anvil_test: family `ethereum` proof bundles (PROOF-BUNDLE.md) built from a real node's JSON-RPC
// answers, verified in-process (causeway::proofs::verify_bundle) and by the real `causeway proof verify`
// executable (CAUSEWAY_EXE).
//
// anvil (pinned, tools/) runs on a free loopback port with explicit mining and chain id 31337 (a dev chain:
// rpc-trusted needs no override). tests/integration/contracts/TestEndpoint.sol is compiled at test time with the
// pinned solc-js and deployed in block 1; block 2 holds a Ping, a sendPacket (Ping, then PacketSent: log 1 of
// its receipt) of a packet made with core's codec, and a writeReceipt; blocks 3–5 follow. The bundles:
//   - receipt: anchor = block 1, headers = blocks 2–5, the PacketSent log proven under block 2's receiptsRoot
//     (receipts from eth_getBlockReceipts, trie proof by adapters/ethereum ReceiptTrie);
//   - storage: eth_getProof of receipts[commitment] (slot keccak256(commitment ‖ uint256(0))) at block 2;
//   - account: eth_getProof of the funded sender at block 3 (a balance above 2^64 as a decimal string).
// Each verifies with exit 0 and the same JSON both ways; one corrupted proof node → exit 1 (ERR_MPT_PROOF);
// --trust with / without the anchor; a schema violation → exit 2. anvil is always stopped (RAII).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "anvil_node.hpp"
#include "anvil_process.hpp"
#include "causeway/adapters/ethereum/eth_rpc.hpp"
#include "causeway/adapters/ethereum/receipt_proofs.hpp"
#include "causeway/adapters/ethereum/rpc_block.hpp"
#include "causeway/core/abi.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/core/packet.hpp"
#include "causeway/ethereum/header.hpp"
#include "causeway/ethereum/proofs.hpp"
#include "causeway/proofs/bundle.hpp"

namespace {

using json = nlohmann::json;
namespace eth = causeway::ethereum;
namespace ae = causeway::adapters::ethereum;
namespace abi = causeway::abi;
namespace anvil = causeway::testing::anvil;
namespace fs = std::filesystem;
using causeway::Bytes;
using causeway::Hash32;

using anvil::hex;
using anvil::hexb;
using anvil::hexh;
using anvil::keccak;
using anvil::must;
using anvil::read_text;

void write_text(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + p.string());
}

json nodes_json(const std::vector<Bytes>& nodes) {
  json out = json::array();
  for (const Bytes& n : nodes) out.push_back(hex(n));
  return out;
}

using anvil::AnvilNode;
using anvil::calldata;

// A packet of this dev island, made with core's codec (PACKET.md "Packet").
causeway::packet::Packet make_packet() {
  causeway::packet::Packet p;
  p.source_island = "eip155:31337";
  p.source_genesis = keccak("anvil genesis");
  p.source_channel = "channel-0";
  p.source_port = "transfer";
  p.dest_island = "eip155:31338";
  p.dest_genesis = keccak("destination genesis");
  p.dest_channel = "channel-4";
  p.dest_port = "transfer";
  p.sequence = 11;
  p.sender = Bytes(20, 0x11);
  p.receiver = Bytes(20, 0x22);
  p.payload = Bytes{0xca, 0xfe};
  p.timeout_timestamp_ns = 4'000'000'000'000'000'000ull;
  return p;
}

// Result of the real executable: exit status and the JSON it printed.
struct CliResult {
  int exit_code = -1;
  json out;
};

CliResult causeway_proof_verify(const fs::path& work, const std::string& name, const json& bundle,
                                const std::optional<json>& trust = std::nullopt) {
  const fs::path file = work / (name + ".json");
  write_text(file, bundle.dump(1));
  std::vector<std::string> argv = {CAUSEWAY_EXE, "proof", "verify", file.string()};
  if (trust) {
    const fs::path trust_file = work / (name + ".trust.json");
    write_text(trust_file, trust->dump());
    argv.push_back("--trust");
    argv.push_back(trust_file.string());
  }
  const fs::path out = work / (name + ".out");
  const fs::path err = work / (name + ".err");
  CliResult r;
  r.exit_code = anvil::run(argv, out, err, std::chrono::seconds(120));
  const std::string text = read_text(out);
  INFO("causeway proof verify " << name << " stderr: " << anvil::tail(err));
  r.out = json::parse(text, nullptr, false);
  REQUIRE_FALSE(r.out.is_discarded());
  return r;
}

// verify_bundle in-process and the executable agree: same exit status, same JSON.
json verify_both(const fs::path& work, const std::string& name, const json& bundle, int expected_exit,
                 const std::optional<json>& trust_json = std::nullopt) {
  std::optional<causeway::proofs::TrustList> trust;
  if (trust_json) trust = must(causeway::proofs::parse_trust_list(trust_json->dump()), "trust list");
  const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  const causeway::proofs::Verdict v = causeway::proofs::verify_bundle(bundle.dump(), trust ? &*trust : nullptr, now_s);
  const json in_process = json::parse(v.output_json);
  INFO(name << " in-process: " << in_process.dump());
  CHECK(v.exit_code == expected_exit);
  const CliResult cli = causeway_proof_verify(work, name, bundle, trust_json);
  INFO(name << " executable: " << cli.out.dump());
  CHECK(cli.exit_code == expected_exit);
  CHECK(cli.out == in_process);
  return in_process;
}

}  // namespace

TEST_CASE("anvil: rpc-trusted bundles from JSON-RPC verify in-process and with `causeway proof verify`",
          "[integration][anvil]") {
  REQUIRE(fs::exists(CAUSEWAY_EXE));
  anvil::TempDir tmp;
  const fs::path work = tmp.path();
  INFO("work dir " << work << " (CAUSEWAY_KEEP_TEST_TMP=1 keeps it)");
  const Bytes code = anvil::compiled_test_endpoint(work).bytecode;

  // Prague, chain id 31337 (a dev chain: rpc-trusted needs no override), 2 funded accounts.
  AnvilNode node(work, {.hardfork = "prague", .chain_id = 31337, .accounts = 2, .log_stem = "anvil"});
  INFO("anvil log " << node.log());
  ae::EthRpc rpc(node.client());
  REQUIRE(must(rpc.chain_id(), "eth_chainId") == 31337);
  const json accounts = node.call("eth_accounts");
  const eth::Address a0 = must(ae::decode_address(accounts.at(0), "address"), "a0");

  // Block 1: deploy the endpoint.
  const Hash32 deploy = node.send({{"from", hex(a0)}, {"data", hex(code)}, {"gas", "0x200000"}});
  node.mine();
  const auto deployed = must(rpc.transaction_receipt(deploy), "deploy receipt");
  REQUIRE(deployed.has_value());
  REQUIRE(deployed->contract_address.has_value());
  const eth::Address endpoint = *deployed->contract_address;

  // Block 2: Ping, sendPacket, writeReceipt.
  const causeway::packet::Packet packet = make_packet();
  const Bytes packet_bytes = causeway::packet::encode_packet(packet);
  const Hash32 commitment = causeway::packet::commitment(packet);
  const Bytes ack = {0x01, 0x02, 0x03};
  const Hash32 ack_commitment = causeway::keccak256(ack);
  const std::uint64_t nonce = must(
      ae::decode_quantity_u64(node.call("eth_getTransactionCount", json::array({hex(a0), "latest"})), "nonce"),
      "nonce");
  const std::string gas_price = "0x77359400";
  const Bytes note = {'h', 'i'};
  node.send({{"from", hex(a0)}, {"to", hex(endpoint)}, {"gasPrice", gas_price}, {"nonce", ae::quantity(nonce)},
             {"data", hex(calldata("ping(bytes)", abi::Type::tuple({abi::Type::bytes()}),
                                   abi::Value::tuple({abi::Value::bytes(note)})))}});
  const Hash32 tx_packet = node.send(
      {{"from", hex(a0)}, {"to", hex(endpoint)}, {"maxFeePerGas", gas_price}, {"maxPriorityFeePerGas", "0x3b9aca00"},
       {"nonce", ae::quantity(nonce + 1)}, {"type", "0x2"},
       {"data", hex(calldata("sendPacket(uint64,bytes)", abi::Type::tuple({abi::Type::uint(64), abi::Type::bytes()}),
                             abi::Value::tuple({abi::Value::uint(packet.sequence), abi::Value::bytes(packet_bytes)})))}});
  node.send({{"from", hex(a0)}, {"to", hex(endpoint)}, {"gasPrice", gas_price}, {"nonce", ae::quantity(nonce + 2)},
             {"data", hex(calldata("writeReceipt(bytes32,bytes)", abi::Type::tuple({abi::Type::bytes32(), abi::Type::bytes()}),
                                   abi::Value::tuple({abi::Value::bytes32(commitment), abi::Value::bytes(ack)})))}});
  node.mine();
  // Block 3: a value transfer; blocks 4 and 5: empty.
  node.send({{"from", hex(a0)}, {"to", hex(endpoint)}, {"value", "0x0"}, {"gasPrice", gas_price},
             {"nonce", ae::quantity(nonce + 3)}});
  node.mine();
  node.mine();
  node.mine();
  REQUIRE(must(rpc.block_number(), "eth_blockNumber") == 5);

  std::vector<ae::BlockInfo> blocks;  // [n] = block n, 1 … 5
  blocks.resize(1);
  std::uint64_t latest_time_s = 0;
  for (std::uint64_t n = 1; n <= 5; ++n) {
    auto b = must(rpc.block_by_number(n), "block " + std::to_string(n));
    REQUIRE(b.has_value());
    const json raw = node.call("eth_getBlockByNumber", json::array({ae::quantity(n), false}));
    CHECK(b->hash == hexh(raw.at("hash").get<std::string>()));
    latest_time_s = std::max(latest_time_s, b->header.timestamp_s);
    blocks.push_back(std::move(*b));
  }
  json headers = json::array();
  for (std::uint64_t n = 2; n <= 5; ++n) headers.push_back(hex(must(eth::encode_header(blocks[n].header), "rlp")));
  const auto bundle_of = [&](json inclusion, std::uint64_t min_conf) {
    return json{{"version", 1},
                {"family", "ethereum"},
                {"island", "eip155:31337"},
                {"consensus", "rpc-trusted"},
                {"anchor", {{"header", hex(must(eth::encode_header(blocks[1].header), "anchor rlp"))}}},
                {"headers", headers},
                {"inclusion", std::move(inclusion)},
                {"finality", {{"min_confirmations", min_conf}}},
                {"verify_time_s", latest_time_s}};
  };
  const json anchor_result = {{"height", 1}, {"hash", hex(blocks[1].hash)}, {"trusted", "as-given"}};

  // ---- receipt bundle: the PacketSent log ------------------------------------------------------------------
  const auto receipts = must(rpc.block_receipts(blocks[2]), "receipts of block 2");
  const ae::ReceiptInfo* sent = nullptr;
  std::vector<eth::Receipt> typed;
  for (const auto& r : receipts) {
    typed.push_back(r.receipt);
    if (r.transaction_hash == tx_packet) sent = &r;
  }
  REQUIRE(receipts.size() == 3);
  REQUIRE(sent != nullptr);
  REQUIRE(sent->receipt.logs.size() == 2);  // Ping, PacketSent
  const eth::Log& log = sent->receipt.logs[1];
  const auto trie = must(ae::ReceiptTrie::build(typed), "ReceiptTrie");
  REQUIRE(trie.root() == blocks[2].header.receipts_root);
  json topics = json::array();
  for (const Hash32& t : log.topics) topics.push_back(hex(t));
  const json receipt_inclusion = {{"kind", "receipt"},
                                  {"block", 2},
                                  {"tx_index", sent->transaction_index},
                                  {"proof", nodes_json(must(trie.prove(sent->transaction_index), "prove"))},
                                  {"log_index", 1},
                                  {"emitter", hex(endpoint)},
                                  {"topics", topics},
                                  {"data", hex(log.data)}};
  const json receipt_bundle = bundle_of(receipt_inclusion, 4);
  const json r = verify_both(work, "receipt", receipt_bundle, 0);
  CHECK(r.at("valid") == true);
  CHECK(r.at("family") == "ethereum");
  CHECK(r.at("island") == "eip155:31337");
  CHECK(r.at("consensus") == "rpc-trusted");
  CHECK(r.at("trust") == "rpc-trusted");
  CHECK(r.at("height") == 2);
  CHECK(r.at("header_hash") == hex(blocks[2].hash));
  CHECK(r.at("confirmations") == 4);
  CHECK(r.at("anchor") == anchor_result);
  CHECK(r.at("tip") == json{{"height", 5}, {"hash", hex(blocks[5].hash)}});
  CHECK(r.at("claim").at("emitter") == hex(endpoint));
  CHECK(r.at("claim").at("tx_index") == sent->transaction_index);
  CHECK(r.at("claim").at("log_index") == 1);
  CHECK(r.at("claim").at("packet") == json{{"commitment", hex(commitment)},
                                           {"sequence", "11"},
                                           {"source_island", "eip155:31337"},
                                           {"dest_island", "eip155:31338"}});

  // Corruptions.
  json corrupt = receipt_bundle;
  {
    Bytes n0 = hexb(corrupt["inclusion"]["proof"][0].get<std::string>());
    n0.at(n0.size() / 2) ^= 0x01;
    corrupt["inclusion"]["proof"][0] = hex(n0);
  }
  const json rc = verify_both(work, "receipt-corrupt-node", corrupt, 1);
  CHECK(rc.at("error").at("code") == "ERR_MPT_PROOF");
  CHECK(rc.at("error").at("at").get<std::string>().rfind("inclusion.proof", 0) == 0);
  json too_few = bundle_of(receipt_inclusion, 5);
  CHECK(verify_both(work, "receipt-min-conf", too_few, 1).at("error").at("code") == "ERR_INSUFFICIENT_CONFIRMATIONS");
  json wrong_emitter = receipt_bundle;
  wrong_emitter["inclusion"]["emitter"] = hex(a0);
  CHECK(verify_both(work, "receipt-wrong-emitter", wrong_emitter, 1).at("error").at("code") == "ERR_WRONG_EMITTER");
  json public_chain = receipt_bundle;
  public_chain["island"] = "eip155:1";
  CHECK(verify_both(work, "receipt-public", public_chain, 1).at("error").at("code") == "ERR_RPC_TRUSTED_REFUSED");
  json schema = receipt_bundle;
  schema["inclusion"].erase("topics");
  CHECK(verify_both(work, "receipt-schema", schema, 2).at("error").at("code") == "ERR_BUNDLE_SCHEMA");

  // --trust: the anchor listed → "trust-file"; another anchor → ERR_UNTRUSTED_ANCHOR (A03).
  const json listed = json::array({{{"island", "eip155:31337"}, {"height", 1}, {"hash", hex(blocks[1].hash)}}});
  CHECK(verify_both(work, "receipt-trusted", receipt_bundle, 0, listed).at("anchor").at("trusted") == "trust-file");
  const json unlisted = json::array({{{"island", "eip155:31337"}, {"height", 2}, {"hash", hex(blocks[2].hash)}}});
  CHECK(verify_both(work, "receipt-untrusted", receipt_bundle, 1, unlisted).at("error").at("code") ==
        "ERR_UNTRUSTED_ANCHOR");

  // ---- storage bundle: receipts[commitment] from eth_getProof ---------------------------------------------
  const Hash32 slot = causeway::packet::receipt_storage_slot(commitment);
  const auto p = must(rpc.get_proof(endpoint, std::vector<Hash32>{slot}, 2), "eth_getProof endpoint");
  REQUIRE(p.storage.size() == 1);
  CHECK(p.storage[0].value == ack_commitment);
  const json storage_inclusion = {{"kind", "storage"},
                                  {"block", 2},
                                  {"address", hex(endpoint)},
                                  {"proof", nodes_json(p.account_proof)},
                                  {"nonce", p.account.nonce},
                                  {"balance", causeway::abi::u256_to_decimal(p.account.balance)},
                                  {"storageHash", hex(p.account.storage_hash)},
                                  {"codeHash", hex(p.account.code_hash)},
                                  {"key", hex(slot)},
                                  {"value", hex(p.storage[0].value)},
                                  {"storage_proof", nodes_json(p.storage[0].proof)}};
  const json storage_bundle = bundle_of(storage_inclusion, 1);
  const json s = verify_both(work, "storage", storage_bundle, 0);
  CHECK(s.at("height") == 2);
  CHECK(s.at("confirmations") == 4);
  CHECK(s.at("trust") == "rpc-trusted");
  CHECK(s.at("claim").at("kind") == "storage");
  CHECK(s.at("claim").at("key") == hex(slot));
  CHECK(s.at("claim").at("value") == hex(ack_commitment));
  CHECK(s.at("claim").at("storageHash") == hex(p.account.storage_hash));
  CHECK(s.at("claim").at("codeHash") == hex(causeway::keccak256(
                                            hexb(node.call("eth_getCode", json::array({hex(endpoint), "0x2"})).get<std::string>()))));
  json storage_corrupt = storage_bundle;
  {
    const std::size_t last = storage_corrupt["inclusion"]["storage_proof"].size() - 1;
    Bytes leaf = hexb(storage_corrupt["inclusion"]["storage_proof"][last].get<std::string>());
    leaf.back() ^= 0x01;
    storage_corrupt["inclusion"]["storage_proof"][last] = hex(leaf);
  }
  const json sc = verify_both(work, "storage-corrupt-node", storage_corrupt, 1);
  CHECK(sc.at("error").at("code") == "ERR_MPT_PROOF");
  json storage_lie = storage_bundle;
  storage_lie["inclusion"]["value"] = hex(Hash32{});  // "never received": a forged non-delivery
  CHECK(verify_both(work, "storage-claim", storage_lie, 1).at("error").at("code") == "ERR_CLAIM_MISMATCH");
  // The same proof is no proof at block 1 (the slot was written in block 2).
  json storage_at_1 = storage_bundle;
  storage_at_1["inclusion"]["block"] = 1;
  CHECK(verify_both(work, "storage-block-1", storage_at_1, 1).at("error").at("code") == "ERR_MPT_PROOF");

  // ---- account bundle: the sender at block 3 --------------------------------------------------------------
  const auto pa = must(rpc.get_proof(a0, {}, 3), "eth_getProof a0");
  CHECK(pa.account.nonce == nonce + 4);
  const json account_inclusion = {{"kind", "account"},
                                  {"block", 3},
                                  {"address", hex(a0)},
                                  {"proof", nodes_json(pa.account_proof)},
                                  {"nonce", pa.account.nonce},
                                  {"balance", causeway::abi::u256_to_decimal(pa.account.balance)},
                                  {"storageHash", hex(pa.account.storage_hash)},
                                  {"codeHash", hex(pa.account.code_hash)}};
  CHECK(account_inclusion.at("balance").get<std::string>().size() > 20);  // above 2^64
  const json a = verify_both(work, "account", bundle_of(account_inclusion, 3), 0);
  CHECK(a.at("height") == 3);
  CHECK(a.at("confirmations") == 3);
  CHECK(a.at("header_hash") == hex(blocks[3].hash));
  CHECK(a.at("claim").at("nonce") == std::to_string(nonce + 4));
  json account_lie = account_inclusion;
  account_lie["nonce"] = pa.account.nonce + 1;
  CHECK(verify_both(work, "account-claim", bundle_of(account_lie, 3), 1).at("error").at("code") ==
        "ERR_CLAIM_MISMATCH");
}
