// Clique (EIP-225) against real Görli blocks 1–7 (SOURCES.md "ethereum/ethereumjs/blocks_goerli.json"): every seal
// recovers to the single genesis signer 0xe0a2bd42…84c7, the chain of 7 verifies from the Görli genesis signer
// set (CliqueState and the light client), and flipping any byte of any header breaks it.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/ethereum/client.hpp"
#include "causeway/ethereum/clique.hpp"
#include "header_json.hpp"
#include "vectors.hpp"

using namespace causeway;
using namespace causeway::ethereum;
using causeway::ethereum::test::header_from_json;
using causeway::ethereum::test::hex_bytes;
using causeway::ethereum::test::hex_fixed;
using causeway::ethereum::test::hex_hash;

namespace {

const char* kSigner = "0xe0a2bd4258d2768837baa26a28fe71dc079f84c7";
const char* kGenesisHash = "0xbf7e331f7f7c1dd2e05159666b3bf8bc7a8a3a9eb1d518969eab529dd9b88c1a";
constexpr std::uint64_t kGenesisTime = 0x5c51a607;  // 1548854791, Görli genesis timestamp

// Görli's Clique parameters (genesis config "clique": {"period": 15, "epoch": 30000}).
clique::Config goerli() { return clique::Config{30000, 15}; }

std::vector<Header> goerli_blocks() {
  const auto blocks = causeway::testing::read_vector_json("ethereum/ethereumjs/blocks_goerli.json");
  std::vector<Header> out;
  for (const auto& b : blocks) out.push_back(header_from_json(b.at("header")));
  return out;
}

// The Görli genesis header, rebuilt from the public genesis configuration (extraData = vanity ‖ the one signer ‖
// 65 zero bytes, gasLimit 0xa00000, timestamp 0x5c51a607, difficulty 1). Self-authenticating: its hash must equal
// block 1's parentHash, which the test checks.
Header goerli_genesis(const Hash32& state_root) {
  Header g;
  g.ommers_hash = empty_ommers_hash();
  g.state_root = state_root;
  g.transactions_root = empty_trie_root();
  g.receipts_root = empty_trie_root();
  g.difficulty = abi::u256_from_u64(1);
  g.number = 0;
  g.gas_limit = 0xa00000;
  g.timestamp_s = kGenesisTime;
  g.extra_data = hex_bytes(std::string("0x22466c6578692069732061207468696e6722202d204166726900000000000000") +
                           std::string(kSigner).substr(2) + std::string(130, '0'));
  return g;
}

}  // namespace

TEST_CASE("goerli blocks 1-7: every seal recovers to the genesis signer 0xe0a2bd42...84c7, all in turn") {
  const auto blocks = goerli_blocks();
  REQUIRE(blocks.size() == 7);
  const Address signer = hex_fixed<20>(std::string(kSigner));
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    INFO("block " << i + 1);
    CHECK(blocks[i].number == i + 1);
    CHECK(clique::recover_signer(blocks[i]).value() == signer);
    CHECK(clique::check_header_fields(goerli(), blocks[i]).has_value());
    CHECK(blocks[i].difficulty[31] == clique::kDiffInTurn);
  }
  CHECK(header_hash(blocks[6]).value() ==
        hex_hash("0xbabc8b03fd5941867c7f94e06a5ea479476bb208526e30661e566636711e4a16"));
}

TEST_CASE("goerli: the chain of 7 verifies from the genesis signer set (CliqueState), genesis rebuilt and linked") {
  const auto blocks = goerli_blocks();
  REQUIRE(blocks.size() == 7);
  const Header genesis = goerli_genesis(blocks[0].state_root);
  REQUIRE(header_hash(genesis).value() == hex_hash(kGenesisHash));
  REQUIRE(blocks[0].parent_hash == hex_hash(kGenesisHash));
  auto from_genesis = clique::CliqueState::from_checkpoint(goerli(), genesis).value();
  auto trusted = clique::CliqueState::trusted(goerli(), 0, hex_hash(kGenesisHash), kGenesisTime,
                                              {hex_fixed<20>(std::string(kSigner))})
                     .value();
  CHECK(from_genesis == trusted);
  clique::CliqueState st = trusted;
  for (const Header& h : blocks) {
    auto next = st.apply(h);
    REQUIRE(next.has_value());
    CHECK(next->hash() == header_hash(h).value());
    st = *next;
  }
  CHECK(st.number() == 7);
  CHECK(st.signers().size() == 1);
  // Out of order or skipped blocks are refused.
  CHECK(trusted.apply(blocks[1]).error().code == Code::PrevHashMismatch);
}

TEST_CASE("goerli: flipping any byte of any header breaks decoding, the parent link or the seal") {
  const auto blocks = goerli_blocks();
  REQUIRE(blocks.size() == 7);
  std::vector<clique::CliqueState> states;
  states.push_back(clique::CliqueState::trusted(goerli(), 0, hex_hash(kGenesisHash), kGenesisTime,
                                                {hex_fixed<20>(std::string(kSigner))})
                       .value());
  for (const Header& h : blocks) states.push_back(states.back().apply(h).value());
  std::size_t positions = 0, decoded = 0;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const Bytes enc = encode_header(blocks[i]).value();
    for (std::size_t p = 0; p < enc.size(); ++p) {
      Bytes bad = enc;
      bad[p] ^= static_cast<std::uint8_t>(1u << (p % 8));
      ++positions;
      auto d = decode_header(bad);
      if (!d) continue;
      ++decoded;
      INFO("block " << i + 1 << " byte " << p);
      CHECK_FALSE(states[i].apply(*d).has_value());
    }
  }
  CHECK(positions > 7 * 500);
  CHECK(decoded > 0);
}

TEST_CASE("goerli light client (clique, eip155:5): 7 headers, final after 3 confirmations") {
  const auto blocks = goerli_blocks();
  REQUIRE(blocks.size() == 7);
  ClientConfig cfg;
  cfg.mode = ConsensusMode::Clique;
  cfg.island = "eip155:5";
  cfg.trusting_period_s = 14 * 86400;
  cfg.min_confirmations = 3;
  cfg.clique = goerli();
  auto c = Client::create(cfg, goerli_genesis(blocks[0].state_root), {hex_fixed<20>(std::string(kSigner))}).value();
  std::size_t finalized = 0;
  for (const Header& h : blocks) {
    auto r = c.update(h, h.timestamp_s);
    REQUIRE(r.has_value());
    CHECK(r->kind == UpdateKind::Accepted);
    finalized += r->newly_finalized.size();
  }
  CHECK(finalized == 5);  // blocks 1–5: block 5 has 7 − 5 + 1 = 3 confirmations
  CHECK(c.finalized_head().number == 5);
  CHECK(c.best_tip().number == 7);
  CHECK(c.best_tip().hash == header_hash(blocks[6]).value());
  // Görli is not among the refused public ids, but rpc-trusted still labels results.
  cfg.mode = ConsensusMode::RpcTrusted;
  auto rpc = Client::create(cfg, goerli_genesis(blocks[0].state_root), {}).value();
  CHECK(trust_label(rpc.update(blocks[0], blocks[0].timestamp_s)->trust) == "rpc-trusted");
}
