// adapters/ethereum decoding of real JSON-RPC answers from ../shared/vectors (SOURCES.md gives provenance):
//   besu/…/qbft_london_block_58866.json, besu/unattributed/ibft2_block_4880_…json — eth_getBlockByNumber
//     results of Besu QBFT (London, 16 fields) and IBFT 2.0 (15 fields) chains, hashed by Besu's BFT rule;
//   ethereum/ethereumjs/blocks_mainnet.json — mainnet blocks 1–5 (Frontier shape) renamed to JSON-RPC members;
//   ethereum/ethereumjs/ropsten_{validAccount,contractWithStorage}.json — real eth_getProof answers.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <string>

#include "causeway/adapters/ethereum/rpc_block.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/ethereum/proofs.hpp"
#include "vectors.hpp"

namespace {

using causeway::Code;
using json = nlohmann::json;
namespace ae = causeway::adapters::ethereum;
namespace eth = causeway::ethereum;

causeway::Hash32 h(const std::string& s) { return *causeway::hash_from_hex(s); }

}  // namespace

TEST_CASE("rpc vectors: Besu BFT blocks decode and hash by the BFT rule", "[adapters][vectors]") {
  struct Case {
    const char* file;
    eth::ConsensusMode mode;
    eth::HeaderShape shape;
  };
  const Case cases[] = {
      {"besu/hyperledger_firefly-evmconnect/qbft_london_block_58866.json", eth::ConsensusMode::Qbft,
       eth::HeaderShape::London},
      {"besu/unattributed/ibft2_block_4880_quorum-dev-quickstart.json", eth::ConsensusMode::Ibft2,
       eth::HeaderShape::Frontier},
  };
  for (const Case& c : cases) {
    INFO(c.file);
    const json v = causeway::testing::read_vector_json(c.file);
    const json& block = v.at("block_json_from_source");
    ae::BlockOptions opts;
    opts.consensus = c.mode;
    const auto info = ae::decode_block(block, opts);
    REQUIRE(info.has_value());
    CHECK(info->hash == h(block.at("hash").get<std::string>()));
    CHECK(*eth::header_shape(info->header) == c.shape);
    if (v.contains("expected") && v.at("expected").contains("header_rlp")) {
      CHECK(causeway::to_hex(*eth::encode_header(info->header)) == v.at("expected").at("header_rlp").get<std::string>());
    }
    // Under the plain keccak rule the node's hash does not match: the rule is the island's, not a guess.
    const auto plain = ae::decode_block(block);
    REQUIRE_FALSE(plain.has_value());
    CHECK(plain.error().code == Code::RpcInconsistent);
  }
}

TEST_CASE("rpc vectors: mainnet blocks 1-5 as JSON-RPC objects", "[adapters][vectors]") {
  const json blocks = causeway::testing::read_vector_json("ethereum/ethereumjs/blocks_mainnet.json");
  REQUIRE(blocks.size() == 5);
  const std::pair<const char*, const char*> renames[] = {{"uncleHash", "sha3Uncles"},
                                                         {"coinbase", "miner"},
                                                         {"transactionsTrie", "transactionsRoot"},
                                                         {"receiptTrie", "receiptsRoot"},
                                                         {"bloom", "logsBloom"}};
  std::vector<causeway::Hash32> hashes;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    INFO("block " << i + 1);
    json rpc = blocks[i].at("header");
    for (const auto& [from, to] : renames) {
      rpc[to] = rpc.at(from);
      rpc.erase(from);
    }
    const auto header = ae::decode_header(rpc);
    REQUIRE(header.has_value());
    CHECK(*eth::header_shape(*header) == eth::HeaderShape::Frontier);
    CHECK(header->number == i + 1);
    const causeway::Hash32 hash = *eth::header_hash(*header);
    if (!hashes.empty()) CHECK(header->parent_hash == hashes.back());
    hashes.push_back(hash);
    rpc["hash"] = causeway::to_hex(hash.view());
    rpc["transactions"] = json::array();
    CHECK(ae::decode_block(rpc).has_value());
  }
  CHECK(hashes.front() == h("0x88e96d4537bea4d9c05d12549907b32561d3bf31f45aae734cdc119f13406cb6"));
  CHECK(hashes.back() == h("0xf37c632d361e0a93f08ba29b1a2c708d9caa3ee19d1ee8d2a02612bffe49f0a9"));
}

TEST_CASE("rpc vectors: Ropsten eth_getProof answers decode and verify", "[adapters][vectors]") {
  for (const char* file : {"ethereum/ethereumjs/ropsten_validAccount.json",
                           "ethereum/ethereumjs/ropsten_contractWithStorage.json"}) {
    INFO(file);
    const json v = causeway::testing::read_vector_json(file);
    const auto p = ae::decode_account_proof(v);
    REQUIRE(p.has_value());
    REQUIRE_FALSE(p->account_proof.empty());
    const causeway::Hash32 state_root = causeway::keccak256(p->account_proof[0]);
    CHECK(state_root == h("0xd487ffaf2f2838d69417f81c9d2bfca5d2e0d024ddda433bba9b8f2099eb96e5"));
    const auto account = eth::verify_account_proof(state_root, p->address, p->account_proof);
    REQUIRE(account.has_value());
    CHECK(*account == p->account);
    for (const auto& s : p->storage) {
      const auto word = eth::verify_storage_proof(account->storage_hash, s.key, s.proof);
      REQUIRE(word.has_value());
      CHECK(*word == s.value);
    }
    if (p->storage.size() == 2) {
      CHECK(causeway::to_hex(p->storage[0].value.view()) == "0x" + std::string(56, '0') + "1e4ebdd7");
      CHECK(p->storage[1].value.is_zero());
    }
  }
}
