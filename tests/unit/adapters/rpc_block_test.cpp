// adapters/ethereum strict decoding: real anvil 1.7.1 answers (Prague block with a contract creation and a
// Ping log, its receipts, eth_getProof of a contract and of an EOA) decode into typed values that the light
// client verifies; every malformed variant is refused with its stable code.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <functional>
#include <string>

#include "causeway/adapters/ethereum/receipt_proofs.hpp"
#include "causeway/adapters/ethereum/rpc_block.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/ethereum/proofs.hpp"

namespace {

using causeway::Code;
using json = nlohmann::json;
namespace ae = causeway::adapters::ethereum;
namespace eth = causeway::ethereum;

// Captured from anvil 1.7.1 --hardfork prague: block 1 holds the deployment of
// tests/integration/contracts/TestEndpoint.sol at 0x5fbdb231…0aa3 and a ping("hi") (one log).
constexpr const char* kBlock =
    R"J({"hash":"0xcd077e78c11fbd998eaadb4cba7888edd5f820542b6de2c2f9cacfcbedd1d18c","parentHash":"0xd9e4c1a)J"
    R"J(cdbb7041880c149fcdd2bb594c9a565ae2029393a2b2b1b3dafb0a1cc","sha3Uncles":"0x1dcc4de8dec75d7aab85b567b)J"
    R"J(6ccd41ad312451b948a7413f0a142fd40d49347","miner":"0x0000000000000000000000000000000000000000","state)J"
    R"J(Root":"0x275505fc172c4656825d0f39c57d9637396e4c615f69112c2a6f068e73456928","transactionsRoot":"0x982)J"
    R"J(33edbee536da71082667b3b55b8ebccffbf5bd353c0cd791dd982e8d771e4","receiptsRoot":"0xdb8e8e34b81296a0e9b)J"
    R"J(52d570079f7d16f4ba87beaff05d9d68c380aefb0ece7","logsBloom":"0x00000000000000000000000000000000000000)J"
    R"J(0000000000000000000000000000000000000000000000000000000000000000000000000000000000000400000800000000)J"
    R"J(0000000000000000000000000000000004000000000008000000000000004000000000000000010000000000000000000000)J"
    R"J(0000000000000000000000000000000000000000000000010000000000000000000000000200000000000000000000000000)J"
    R"J(0000000000000000000000000000000000000000000000000000400000002000000000000000000000000020000000000000)J"
    R"J(00000040000000000000000000000000000000000000000000000000000000000000000000","difficulty":"0x0","numb)J"
    R"J(er":"0x1","gasLimit":"0x1c9c380","gasUsed":"0x77d7e","timestamp":"0x6b0bf25a","extraData":"0x","mixH)J"
    R"J(ash":"0x5dd0f3e9044e8fcfad1c73cba45ec0d60a5f0181dc61709d2e62477e43b83acf","nonce":"0x000000000000000)J"
    R"J(0","baseFeePerGas":"0x3b9aca00","withdrawalsRoot":"0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc)J"
    R"J(001622fb5e363b421","blobGasUsed":"0x0","excessBlobGas":"0x0","parentBeaconBlockRoot":"0x000000000000)J"
    R"J(0000000000000000000000000000000000000000000000000000","requestsHash":"0xe3b0c44298fc1c149afbf4c8996f)J"
    R"J(b92427ae41e4649b934ca495991b7852b855","totalDifficulty":"0x0","size":"0xad9","uncles":[],"transactio)J"
    R"J(ns":["0xcbc602495ba0718c4e5419e3b399ed16c48c69ec4aae6c48511847784f0f4abe","0x1ff805994f4457ad4d9afdc)J"
    R"J(16677ec9c67a5fc07d1c839eab1c2e69bb8f2ea02"],"withdrawals":[]})J";

constexpr const char* kReceipts =
    R"J([{"type":"0x2","status":"0x1","cumulativeGasUsed":"0x6c653","logs":[],"logsBloom":"0x000000000000000)J"
    R"J(0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000)J"
    R"J(0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000)J"
    R"J(0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000)J"
    R"J(0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000)J"
    R"J(0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",")J"
    R"J(transactionHash":"0xcbc602495ba0718c4e5419e3b399ed16c48c69ec4aae6c48511847784f0f4abe","transactionIn)J"
    R"J(dex":"0x0","blockHash":"0xcd077e78c11fbd998eaadb4cba7888edd5f820542b6de2c2f9cacfcbedd1d18c","blockNu)J"
    R"J(mber":"0x1","gasUsed":"0x6c653","effectiveGasPrice":"0x77359400","blobGasPrice":"0x1","from":"0xf39f)J"
    R"J(d6e51aad88f6f4ce6ab8827279cfffb92266","to":null,"contractAddress":"0x5fbdb2315678afecb367f032d93f642)J"
    R"J(f64180aa3","blockTimestamp":1795945050},{"type":"0x2","status":"0x1","cumulativeGasUsed":"0x77d7e",")J"
    R"J(logs":[{"address":"0x5fbdb2315678afecb367f032d93f642f64180aa3","topics":["0x1357ced6b1561b5e4d78f91f)J"
    R"J(6ef06a85126d60f4d1cc9bcba20ac1b1c5d46007","0x000000000000000000000000f39fd6e51aad88f6f4ce6ab8827279c)J"
    R"J(fffb92266","0x0000000000000000000000000000000000000000000000000000000000000001"],"data":"0x000000000)J"
    R"J(0000000000000000000000000000000000000000000000000000020000000000000000000000000000000000000000000000)J"
    R"J(00000000000000000026869000000000000000000000000000000000000000000000000000000000000","blockHash":"0x)J"
    R"J(cd077e78c11fbd998eaadb4cba7888edd5f820542b6de2c2f9cacfcbedd1d18c","blockNumber":"0x1","blockTimestam)J"
    R"J(p":"0x6b0bf25a","transactionHash":"0x1ff805994f4457ad4d9afdc16677ec9c67a5fc07d1c839eab1c2e69bb8f2ea0)J"
    R"J(2","transactionIndex":"0x1","logIndex":"0x0","removed":false}],"logsBloom":"0x0000000000000000000000)J"
    R"J(0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000)J"
    R"J(0400000800000000000000000000000000000000000000000400000000000800000000000000400000000000000001000000)J"
    R"J(0000000000000000000000000000000000000000000000000000000000000001000000000000000000000000020000000000)J"
    R"J(0000000000000000000000000000000000000000000000000000000000000000000040000000200000000000000000000000)J"
    R"J(002000000000000000000040000000000000000000000000000000000000000000000000000000000000000000","transac)J"
    R"J(tionHash":"0x1ff805994f4457ad4d9afdc16677ec9c67a5fc07d1c839eab1c2e69bb8f2ea02","transactionIndex":"0)J"
    R"J(x1","blockHash":"0xcd077e78c11fbd998eaadb4cba7888edd5f820542b6de2c2f9cacfcbedd1d18c","blockNumber":")J"
    R"J(0x1","gasUsed":"0xb72b","effectiveGasPrice":"0x77359400","blobGasPrice":"0x1","from":"0xf39fd6e51aad)J"
    R"J(88f6f4ce6ab8827279cfffb92266","to":"0x5fbdb2315678afecb367f032d93f642f64180aa3","contractAddress":nu)J"
    R"J(ll,"blockTimestamp":1795945050}])J";

constexpr const char* kProof =
    R"J({"address":"0x5fbdb2315678afecb367f032d93f642f64180aa3","balance":"0x0","codeHash":"0x4f8bf91c3c225a)J"
    R"J(c9226fabd6855951e25305df9fbbe134e0cb2c817a6d092c9e","nonce":"0x1","storageHash":"0xf38f9f63c760d088d)J"
    R"J(7dd04f743619b6291f63beebd8bdf530628f90e9cfa52d7","accountProof":["0xf8b1a0b91a8b7a7e9d3eab90afd81da3)J"
    R"J(725030742f663c6ed8c26657bf00d842a9f4aa808080a02af086f118ac4eac5ad30d09835b9d24df4103f09f80e201391b45)J"
    R"J(b9030bacf6a02882d34a9781a0134ad93541dad26490d428b386ac1f0c071c653e70609fd8f4a0690c53b1b63be1b3d2dbcc)J"
    R"J(90dfb7b98183f73c1f2d01917c3921d84f8361c5e080808080808080a0d2c20dff3f6427510d3e015809781d0a3f931eec28)J"
    R"J(29ce14f6259134f29951098080","0xf85180808080a038b97091932b9972b3345205b4d3a66ec5a3df55cdde6fae541c4b2)J"
    R"J(38377b86980808080a074ae0767a40fc6fff780050f46a50f6b39ca4edb7faa9669108157a1cd96f40980808080808080",")J"
    R"J(0xf869a020e659e60b21cc961f64ad47f20523c1d329d4bbda245ef3940a76dc89d0911bb846f8440180a0f38f9f63c760d0)J"
    R"J(88d7dd04f743619b6291f63beebd8bdf530628f90e9cfa52d7a04f8bf91c3c225ac9226fabd6855951e25305df9fbbe134e0)J"
    R"J(cb2c817a6d092c9e"],"storageProof":[{"key":"0x0000000000000000000000000000000000000000000000000000000)J"
    R"J(000000001","value":"0x1","proof":["0xe3a120b10e2d527612073b26eecdfd717e6a320cf44b4afac2b0732d9fcbe2b)J"
    R"J(7fa0cf601"]},{"key":"0x0000000000000000000000000000000000000000000000000000000000000002","value":"0x)J"
    R"J(0","proof":["0xe3a120b10e2d527612073b26eecdfd717e6a320cf44b4afac2b0732d9fcbe2b7fa0cf601"]}]})J";

constexpr const char* kProofEoa =
    R"J({"address":"0x70997970c51812dc3a010c7d01b50e0d17dc79c8","balance":"0x21e19e0c9bab2400000","codeHash")J"
    R"J(:"0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470","nonce":"0x0","storageHash":"0)J"
    R"J(x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421","accountProof":["0xf8b1a0b91a8b7a)J"
    R"J(7e9d3eab90afd81da3725030742f663c6ed8c26657bf00d842a9f4aa808080a02af086f118ac4eac5ad30d09835b9d24df41)J"
    R"J(03f09f80e201391b45b9030bacf6a02882d34a9781a0134ad93541dad26490d428b386ac1f0c071c653e70609fd8f4a0690c)J"
    R"J(53b1b63be1b3d2dbcc90dfb7b98183f73c1f2d01917c3921d84f8361c5e080808080808080a0d2c20dff3f6427510d3e0158)J"
    R"J(09781d0a3f931eec2829ce14f6259134f29951098080","0xf873a030314e565e0574cb412563df634608d76f5c59d9f817e)J"
    R"J(85966100ec1d48005c0b850f84e808a021e19e0c9bab2400000a056e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc)J"
    R"J(001622fb5e363b421a0c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"],"storageProof")J"
    R"J(:[{"key":"0x0000000000000000000000000000000000000000000000000000000000000000","value":"0x0","proof":)J"
    R"J(["0x80"]}]})J";

template <class T>
Code code_of(const causeway::Result<T>& r) {
  REQUIRE_FALSE(r.has_value());
  return r.error().code;
}

causeway::Hash32 h(const std::string& s) { return *causeway::hash_from_hex(s); }

}  // namespace

TEST_CASE("rpc_block: QUANTITY and DATA are strict", "[adapters][rpc_block]") {
  CHECK(*ae::decode_quantity_u64("0x0", "q") == 0);
  CHECK(*ae::decode_quantity_u64("0x1c9c380", "q") == 30'000'000);
  CHECK(*ae::decode_quantity_u64("0xFF", "q") == 255);
  CHECK(*ae::decode_quantity_u64("0xffffffffffffffff", "q") == UINT64_MAX);
  for (const json& bad : {json("0x"), json("0x00"), json("0x01"), json("1"), json("0X1"), json(""), json(" 0x1"),
                          json("0x1 "), json("0xg"), json(1), json(nullptr), json::array()}) {
    INFO(bad.dump());
    CHECK(code_of(ae::decode_quantity_u64(bad, "q")) == Code::RpcResponse);
  }
  CHECK(code_of(ae::decode_quantity_u64("0x10000000000000000", "q")) == Code::Overflow);
  const auto u = ae::decode_quantity_u256("0x" + std::string(64, 'f'), "q");
  REQUIRE(u.has_value());
  CHECK((*u)[0] == 0xff);
  CHECK(code_of(ae::decode_quantity_u256("0x1" + std::string(64, '0'), "q")) == Code::Overflow);
  CHECK(ae::quantity(0) == "0x0");
  CHECK(ae::quantity(0x1c9c380) == "0x1c9c380");
  CHECK(ae::quantity(eth::U256{}) == "0x0");
  CHECK(ae::quantity(*u) == "0x" + std::string(64, 'f'));

  CHECK(ae::decode_data("0x", "d", 10)->empty());
  CHECK(*ae::decode_data("0x00Ff", "d", 10) == causeway::Bytes{0x00, 0xff});
  CHECK(code_of(ae::decode_data("0x0", "d", 10)) == Code::RpcResponse);
  CHECK(code_of(ae::decode_data("00", "d", 10)) == Code::RpcResponse);
  CHECK(code_of(ae::decode_data(7, "d", 10)) == Code::RpcResponse);
  CHECK(code_of(ae::decode_data("0x" + std::string(22, 'a'), "d", 10)) == Code::TooLarge);
  CHECK(ae::decode_hash("0x" + std::string(64, '1'), "h").has_value());
  CHECK(code_of(ae::decode_hash("0x" + std::string(62, '1'), "h")) == Code::RpcResponse);
  CHECK(code_of(ae::decode_hash("0x" + std::string(66, '1'), "h")) == Code::RpcResponse);
  CHECK(code_of(ae::decode_address("0x" + std::string(38, '1'), "a")) == Code::RpcResponse);
  const auto bad = ae::decode_quantity_u64("0x01", "block.number");
  CHECK(bad.error().at == "block.number");
}

TEST_CASE("rpc_block: an anvil block decodes to a header hashing to the node's hash", "[adapters][rpc_block]") {
  const json block = json::parse(kBlock);
  const auto info = ae::decode_block(block);
  REQUIRE(info.has_value());
  CHECK(info->hash == h(block.at("hash").get<std::string>()));
  CHECK(info->header.number == 1);
  CHECK(*eth::header_shape(info->header) == eth::HeaderShape::Prague);
  CHECK(info->header.gas_limit == 30'000'000);
  REQUIRE(info->header.base_fee_per_gas.has_value());
  CHECK(ae::quantity(*info->header.base_fee_per_gas) == block.at("baseFeePerGas").get<std::string>());
  CHECK(info->transaction_hashes.size() == 2);
  CHECK(*ae::decode_header(block) == info->header);

  // Full transaction objects: their "hash" is read.
  json full = block;
  for (auto& t : full["transactions"]) t = json{{"hash", t}, {"nonce", "0x0"}};
  CHECK(ae::decode_block(full)->transaction_hashes == info->transaction_hashes);

  SECTION("a changed field no longer matches the node's hash") {
    json b = block;
    b["timestamp"] = ae::quantity(info->header.timestamp_s + 1);
    CHECK(code_of(ae::decode_block(b)) == Code::RpcInconsistent);
    CHECK(ae::decode_header(b).has_value());
  }
  SECTION("a dropped fork field breaks the hash (shape Cancun, valid on its own)") {
    json b = block;
    b.erase("requestsHash");
    CHECK(*eth::header_shape(*ae::decode_header(b)) == eth::HeaderShape::Cancun);
    CHECK(code_of(ae::decode_block(b)) == Code::RpcInconsistent);
  }
  SECTION("null fork fields count as absent") {
    json b = block;
    b["requestsHash"] = nullptr;
    CHECK(*eth::header_shape(*ae::decode_header(b)) == eth::HeaderShape::Cancun);
  }
  SECTION("fork fields out of fork order are refused") {
    json b = block;
    b.erase("baseFeePerGas");
    CHECK(code_of(ae::decode_header(b)) == Code::EthHeader);
    b = block;
    b.erase("blobGasUsed");
    CHECK(code_of(ae::decode_header(b)) == Code::EthHeader);
  }
  SECTION("missing or malformed members") {
    for (const char* field : {"parentHash", "sha3Uncles", "miner", "stateRoot", "transactionsRoot", "receiptsRoot",
                              "logsBloom", "difficulty", "number", "gasLimit", "gasUsed", "timestamp", "extraData",
                              "mixHash", "nonce"}) {
      INFO(field);
      json b = block;
      b.erase(field);
      CHECK(code_of(ae::decode_header(b)) == Code::RpcResponse);
      CHECK(ae::decode_header(b).error().at == std::string("block.") + field);
    }
    json b = block;
    b["number"] = "0x01";
    CHECK(code_of(ae::decode_header(b)) == Code::RpcResponse);
    b = block;
    b["nonce"] = "0x00";
    CHECK(code_of(ae::decode_header(b)) == Code::RpcResponse);
    b = block;
    b["logsBloom"] = "0x00";
    CHECK(code_of(ae::decode_header(b)) == Code::RpcResponse);
    b = block;
    b["gasLimit"] = "0x1" + std::string(16, '0');
    CHECK(code_of(ae::decode_header(b)) == Code::Overflow);
    b = block;
    b["extraData"] = "0x" + std::string(2 * 40, 'a');
    eth::HeaderLimits strict;
    strict.max_extra_data = 32;
    CHECK(code_of(ae::decode_header(b, strict)) == Code::TooLarge);
    b = block;
    b.erase("hash");
    CHECK(code_of(ae::decode_block(b)) == Code::RpcResponse);
    b = block;
    b["transactions"] = json::array({"0x12"});
    CHECK(code_of(ae::decode_block(b)) == Code::RpcResponse);
    CHECK(code_of(ae::decode_block(json::array())) == Code::RpcResponse);
  }
}

TEST_CASE("rpc_block: receipts decode, bind to their block and rebuild receiptsRoot", "[adapters][rpc_block]") {
  const ae::BlockInfo block = *ae::decode_block(json::parse(kBlock));
  const json receipts = json::parse(kReceipts);
  const auto decoded = ae::decode_block_receipts(receipts, block);
  REQUIRE(decoded.has_value());
  REQUIRE(decoded->size() == 2);
  const ae::ReceiptInfo& deploy = (*decoded)[0];
  const ae::ReceiptInfo& ping = (*decoded)[1];
  CHECK(deploy.receipt.type == eth::TxType::DynamicFee);
  CHECK(deploy.receipt.status == eth::ReceiptStatus::Success);
  REQUIRE(deploy.contract_address.has_value());
  CHECK(causeway::to_hex(causeway::ByteView(deploy.contract_address->data(), 20)) ==
        "0x5fbdb2315678afecb367f032d93f642f64180aa3");
  CHECK_FALSE(ping.contract_address.has_value());
  REQUIRE(ping.receipt.logs.size() == 1);
  CHECK(ping.receipt.logs[0].topics.size() == 3);
  CHECK(ping.log_indexes == std::vector<std::uint64_t>{0});
  CHECK(ping.transaction_index == 1);

  // The adapter builds the proof; the light client verifies it.
  std::vector<eth::Receipt> typed{deploy.receipt, ping.receipt};
  const auto trie = ae::ReceiptTrie::build(typed);
  REQUIRE(trie.has_value());
  CHECK(trie->root() == block.header.receipts_root);
  for (std::uint64_t i = 0; i < 2; ++i) {
    const auto proof = trie->prove(i);
    REQUIRE(proof.has_value());
    const auto proven = eth::verify_receipt_proof(block.header.receipts_root, i, *proof);
    REQUIRE(proven.has_value());
    CHECK(*proven == typed[i]);
  }
  CHECK(code_of(trie->prove(2)) == Code::InvalidArgument);

  // decode_receipt alone, and a legacy receipt without "type".
  CHECK(ae::decode_receipt(receipts[1])->receipt == ping.receipt);
  json legacy = receipts[1];
  legacy.erase("type");
  CHECK(ae::decode_receipt(legacy)->receipt.type == eth::TxType::Legacy);

  SECTION("receipt fields are strict") {
    auto bad = [&](const std::function<void(json&)>& edit) {
      json r = receipts[1];
      edit(r);
      return ae::decode_receipt(r);
    };
    CHECK(code_of(bad([](json& r) { r["type"] = "0x7e"; })) == Code::ReceiptEncoding);
    CHECK(code_of(bad([](json& r) { r["type"] = "0x02"; })) == Code::RpcResponse);
    CHECK(code_of(bad([](json& r) { r["status"] = "0x2"; })) == Code::ReceiptEncoding);
    CHECK(code_of(bad([](json& r) { r.erase("status"); })) == Code::ReceiptEncoding);
    CHECK(code_of(bad([](json& r) { r["root"] = "0x" + std::string(64, '1'); })) == Code::ReceiptEncoding);
    CHECK(code_of(bad([](json& r) {
            r.erase("status");
            r["root"] = "0x" + std::string(64, '1');
          })) == Code::ReceiptEncoding);  // a typed receipt never has a post-state root
    CHECK(code_of(bad([](json& r) { r.erase("logs"); })) == Code::RpcResponse);
    CHECK(code_of(bad([](json& r) { r["cumulativeGasUsed"] = "0x0123"; })) == Code::RpcResponse);
    CHECK(code_of(bad([](json& r) {
            auto& t = r["logs"][0]["topics"];
            while (t.size() < 5) t.push_back(t[0]);
          })) == Code::ReceiptEncoding);
    CHECK(code_of(bad([](json& r) { r["logs"][0]["topics"][0] = "0x1234"; })) == Code::RpcResponse);
    CHECK(code_of(bad([](json& r) { r["logs"][0]["data"] = "0x123"; })) == Code::RpcResponse);
    CHECK(code_of(bad([](json& r) { r["logs"][0]["address"] = "0x1234"; })) == Code::RpcResponse);
    CHECK(code_of(bad([](json& r) { r["logs"][0].erase("logIndex"); })) == Code::RpcResponse);
    CHECK(code_of(bad([](json& r) { r["logs"][0]["removed"] = true; })) == Code::RpcInconsistent);
    CHECK(code_of(bad([](json& r) { r["logs"][0]["transactionIndex"] = "0x0"; })) == Code::RpcInconsistent);
    CHECK(code_of(bad([](json& r) { r["logs"][0]["blockNumber"] = "0x2"; })) == Code::RpcInconsistent);
    CHECK(code_of(bad([](json& r) { r["logs"][0]["blockHash"] = "0x" + std::string(64, '0'); })) ==
          Code::RpcInconsistent);
    CHECK(code_of(bad([](json& r) { r["logs"][0]["transactionHash"] = "0x" + std::string(64, '0'); })) ==
          Code::RpcInconsistent);
    const auto where = bad([](json& r) { r["logs"][0]["topics"][1] = "0x12"; });
    CHECK(where.error().at == "receipt.logs[0].topics[1]");
  }
  SECTION("receipts must be the block's, complete, in order, under its receiptsRoot") {
    json r = receipts;
    r.erase(r.begin());
    CHECK(code_of(ae::decode_block_receipts(r, block)) == Code::RpcInconsistent);
    r = json::array({receipts[1], receipts[0]});
    CHECK(code_of(ae::decode_block_receipts(r, block)) == Code::RpcInconsistent);
    r = receipts;
    r[1]["logs"][0]["logIndex"] = "0x1";
    CHECK(code_of(ae::decode_block_receipts(r, block)) == Code::RpcInconsistent);
    r = receipts;
    r[1]["cumulativeGasUsed"] = ae::quantity(ping.receipt.cumulative_gas_used + 1);
    const auto root_mismatch = ae::decode_block_receipts(r, block);
    CHECK(code_of(root_mismatch) == Code::RpcInconsistent);
    CHECK(root_mismatch.error().at == "receipts");
    r = receipts;
    r[0]["blockHash"] = "0x" + std::string(64, '0');
    CHECK(code_of(ae::decode_block_receipts(r, block)) == Code::RpcInconsistent);
    CHECK(code_of(ae::decode_block_receipts(json::object(), block)) == Code::RpcResponse);
  }
}

TEST_CASE("rpc_block: eth_getProof decodes and verifies against the block's stateRoot", "[adapters][rpc_block]") {
  const ae::BlockInfo block = *ae::decode_block(json::parse(kBlock));
  const json proof = json::parse(kProof);
  const auto p = ae::decode_account_proof(proof);
  REQUIRE(p.has_value());
  const auto account = eth::verify_account_proof(block.header.state_root, p->address, p->account_proof);
  REQUIRE(account.has_value());
  CHECK(*account == p->account);
  REQUIRE(p->storage.size() == 2);
  for (const auto& s : p->storage) {
    const auto word = eth::verify_storage_proof(account->storage_hash, s.key, s.proof);
    REQUIRE(word.has_value());
    CHECK(*word == s.value);
  }
  CHECK(p->storage[0].value.b[31] == 1);  // pings = 1 at slot 1
  CHECK(p->storage[1].value.is_zero());   // slot 2 unused

  // An EOA: empty storage, which anvil proves with ["0x80"]; normalized to the empty proof.
  const json eoa = json::parse(kProofEoa);
  REQUIRE(eoa["storageProof"][0]["proof"] == json::array({"0x80"}));
  const auto pe = ae::decode_account_proof(eoa);
  REQUIRE(pe.has_value());
  CHECK(pe->account.storage_hash == eth::empty_trie_root());
  CHECK(pe->storage[0].proof.empty());
  const auto eoa_account = eth::verify_account_proof(block.header.state_root, pe->address, pe->account_proof);
  REQUIRE(eoa_account.has_value());
  CHECK(*eoa_account == pe->account);
  CHECK(eth::verify_storage_proof(eoa_account->storage_hash, pe->storage[0].key, pe->storage[0].proof)->is_zero());

  SECTION("malformed answers") {
    auto bad = [&](const std::function<void(json&)>& edit) {
      json r = proof;
      edit(r);
      return ae::decode_account_proof(r);
    };
    CHECK(code_of(bad([](json& r) { r.erase("accountProof"); })) == Code::RpcResponse);
    CHECK(code_of(bad([](json& r) { r["balance"] = "0x00"; })) == Code::RpcResponse);
    CHECK(code_of(bad([](json& r) { r["nonce"] = "0x1" + std::string(16, '0'); })) == Code::Overflow);
    CHECK(code_of(bad([](json& r) { r["storageProof"][0]["key"] = "0x1"; })) == Code::RpcResponse);
    CHECK(code_of(bad([](json& r) { r["storageProof"][0]["value"] = "0x01"; })) == Code::RpcResponse);
    CHECK(code_of(bad([](json& r) { r["accountProof"][0] = "0xabc"; })) == Code::RpcResponse);
    CHECK(code_of(bad([](json& r) {
            for (int i = 0; i < 65; ++i) r["accountProof"].push_back("0x80");
          })) == Code::TooLarge);
    CHECK(code_of(bad([](json& r) { r["storageProof"] = json::object(); })) == Code::RpcResponse);
  }
}
