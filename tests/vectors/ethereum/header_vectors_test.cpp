// Header codec against real blocks (SOURCES.md "ethereum/" and "besu/"): mainnet blocks 1–5 with their uncles,
// Görli (Clique) blocks 1–7, and the Besu IBFT 2.0 / QBFT headers. Hash values are the chain's own (a block's
// hash is the next block's parentHash; the last one is quoted in SOURCES.md). Case counts are asserted.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/core/rlp.hpp"
#include "causeway/ethereum/header.hpp"
#include "header_json.hpp"
#include "vectors.hpp"

using namespace causeway;
using namespace causeway::ethereum;
using causeway::ethereum::test::header_from_json;
using causeway::ethereum::test::hex_bytes;
using causeway::ethereum::test::hex_hash;
using nlohmann::json;

namespace {

std::string hash_hex(const Header& h) { return to_hex(header_hash(h).value().view()); }

// Every bit-flip position of the header's RLP: the result either fails to decode or decodes to a header whose
// hash differs and that no longer links to `child` (when given). Returns the number of positions checked.
std::size_t check_corruptions(const Header& h, const Header* child) {
  const Bytes enc = encode_header(h).value();
  const Hash32 good = keccak256(enc);
  std::size_t n = 0;
  for (std::size_t i = 0; i < enc.size(); ++i) {
    Bytes bad = enc;
    bad[i] ^= static_cast<std::uint8_t>(1u << (i % 8));
    auto d = decode_header(bad);
    if (d) {
      INFO("byte " << i);
      CHECK(header_hash(*d).value() != good);
      CHECK(keccak256(bad) != good);
      if (child != nullptr) CHECK_FALSE(check_parent_link(*d, *child).has_value());
    }
    ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("mainnet blocks 1-5: real block hashes, parent links, uncle hashes") {
  const json blocks = causeway::testing::read_vector_json("ethereum/ethereumjs/blocks_mainnet.json");
  REQUIRE(blocks.size() == 5);
  const std::vector<std::string> want = {
      "0x88e96d4537bea4d9c05d12549907b32561d3bf31f45aae734cdc119f13406cb6",
      "0xb495a1d7e6663152ae92708da4843337b958146015a2802f4193a410044698c9",
      "0x3d6122660cc824376f11ee842f83addc3525e2dd6756b9bcf0affa6aa88cf741",
      "0x23adf5a3be0f5235b36941bcb29b62504278ec5b9cdfa277b992ba4a7a3cd3a2",
      "0xf37c632d361e0a93f08ba29b1a2c708d9caa3ee19d1ee8d2a02612bffe49f0a9",
  };
  std::vector<Header> headers;
  std::size_t uncles = 0, nonempty_uncle_lists = 0;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const Header h = header_from_json(blocks[i].at("header"));
    REQUIRE(header_shape(h).value() == HeaderShape::Frontier);
    CHECK(h.number == i + 1);
    CHECK(hash_hex(h) == want[i]);
    const Bytes enc = encode_header(h).value();
    CHECK(decode_header(enc, HeaderLimits{kStrictMaxExtraData}).value() == h);

    std::vector<Header> ommers;
    for (const auto& u : blocks[i].at("uncleHeaders")) ommers.push_back(header_from_json(u));
    uncles += ommers.size();
    if (!ommers.empty()) ++nonempty_uncle_lists;
    CHECK(ommers_hash(ommers).value() == h.ommers_hash);
    for (const Header& u : ommers) CHECK(decode_header(encode_header(u).value()).value() == u);
    headers.push_back(h);
  }
  CHECK(uncles == 2);
  CHECK(nonempty_uncle_lists == 2);  // blocks 3 and 4
  CHECK(headers[0].parent_hash == hex_hash("0xd4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3"));
  for (std::size_t i = 1; i < headers.size(); ++i) CHECK(check_parent_link(headers[i - 1], headers[i]).has_value());

  std::size_t positions = 0;
  for (std::size_t i = 0; i < headers.size(); ++i)
    positions += check_corruptions(headers[i], i + 1 < headers.size() ? &headers[i + 1] : nullptr);
  CHECK(positions > 5 * 500);
}

TEST_CASE("mainnet uncles: a changed uncle changes the uncle hash") {
  const json blocks = causeway::testing::read_vector_json("ethereum/ethereumjs/blocks_mainnet.json");
  int checked = 0;
  for (const auto& b : blocks) {
    if (b.at("uncleHeaders").empty()) continue;
    const Header h = header_from_json(b.at("header"));
    std::vector<Header> ommers;
    for (const auto& u : b.at("uncleHeaders")) ommers.push_back(header_from_json(u));
    ommers[0].timestamp_s += 1;
    CHECK(ommers_hash(ommers).value() != h.ommers_hash);
    CHECK(ommers_hash({}).value() != h.ommers_hash);
    ++checked;
  }
  CHECK(checked == 2);
}

TEST_CASE("goerli (Clique) blocks 1-7: real block hashes and parent links") {
  const json blocks = causeway::testing::read_vector_json("ethereum/ethereumjs/blocks_goerli.json");
  REQUIRE(blocks.size() == 7);
  const std::vector<std::string> want = {
      "0x8f5bab218b6bb34476f51ca588e9f4553a3a7ce5e13a66c660a5283e97e9a85a",
      "0xe675f1362d82cdd1ec260b16fb046c17f61d8a84808150f5d715ccce775f575e",
      "0xd5daa825732729bb0d2fd187a1b888e6bfc890f1fc5333984740d9052afb2920",
      "0xfe43c87178f0f87c2be161389aa2d35f3065d330bb596a6d9e01529706bf040d",
      "0x573d5dc3a2376028b3b41bc922efeed44abcea77e271c06d0983c720c37376e5",
      "0x424f04bb0888e7de91196789d5b84f1897daf05df182948b42e29d95f1d44fa2",
      "0xbabc8b03fd5941867c7f94e06a5ea479476bb208526e30661e566636711e4a16",
  };
  std::vector<Header> headers;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const Header h = header_from_json(blocks[i].at("header"));
    CHECK(h.number == i + 1);
    CHECK(h.extra_data.size() == 97);  // 32-byte vanity ‖ 65-byte seal
    CHECK(hash_hex(h) == want[i]);
    CHECK(h.ommers_hash == empty_ommers_hash());
    CHECK(decode_header(encode_header(h).value(), HeaderLimits{kStrictMaxExtraData}).value() == h);
    headers.push_back(h);
  }
  CHECK(headers[0].parent_hash == hex_hash("0xbf7e331f7f7c1dd2e05159666b3bf8bc7a8a3a9eb1d518969eab529dd9b88c1a"));
  int links = 0;
  for (std::size_t i = 1; i < headers.size(); ++i) {
    CHECK(check_parent_link(headers[i - 1], headers[i]).has_value());
    ++links;
  }
  CHECK(links == 6);
  std::size_t positions = 0;
  for (std::size_t i = 0; i < headers.size(); ++i)
    positions += check_corruptions(headers[i], i + 1 < headers.size() ? &headers[i + 1] : nullptr);
  CHECK(positions > 7 * 500);
}

TEST_CASE("besu real blocks: header RLP round-trips and hashes as given (consensus hashing is not this codec's)") {
  struct File {
    const char* path;
    const char* json_key;  // block JSON in the file, or nullptr when the source gives RLP only
    const char* rlp_key;   // where the source's own RLP is, or nullptr
  };
  const File files[] = {
      {"besu/hyperledger_firefly-evmconnect/qbft_london_block_58866.json", "block_json_from_source", nullptr},
      {"besu/imduchuyyy_imduchuyyy.github.io/ibft2_block_2074747.json", "block_json_as_printed", nullptr},
      {"besu/unattributed/ibft2_block_4880_quorum-dev-quickstart.json", "block_json_from_source", nullptr},
      {"besu/datachainlab_besu-qbft-elc/qbft_block_7528_round1.json", nullptr, "header_rlp_sealed"},
      {"besu/foundry-rs_foundry/ibft2_block_5618555.json", nullptr, "block_rlp"},
      {"besu/hyperledger-labs_signare/ibft2_block_178_single_validator.json", nullptr, "header_rlp_from_source"},
  };
  int checked = 0;
  for (const File& f : files) {
    INFO(f.path);
    const json v = causeway::testing::read_vector_json(f.path);
    const json& e = v.at("expected");
    const Bytes header_rlp = hex_bytes(e.at("header_rlp"));
    const Header h = decode_header(header_rlp).value();
    CHECK(encode_header(h).value() == header_rlp);
    CHECK(static_cast<int>(header_shape(h).value()) == e.at("header_field_count").get<int>());
    if (f.json_key != nullptr) CHECK(header_from_json(v.at(f.json_key)) == h);
    if (f.rlp_key != nullptr) {
      const Bytes src = hex_bytes(v.at(f.rlp_key));
      if (std::string(f.rlp_key) == "block_rlp") {  // [header, txs, ommers]: the header is the first item
        const auto block = rlp::decode(src).value();
        REQUIRE(block.items.size() == 3);
        CHECK(Bytes(block.items[0].raw.begin(), block.items[0].raw.end()) == header_rlp);
      } else {
        CHECK(src == header_rlp);
      }
    }
    // The header as sealed hashes to keccak(RLP) — which for IBFT 2.0/QBFT is NOT the block hash …
    const json& hashes = e.at("hashes");
    CHECK(hash_hex(h) == hashes.at("keccak_of_full_sealed_header_NOT_the_block_hash").get<std::string>());
    // … the block hash is the plain header hash over the extraData the consensus rule prescribes (given here).
    Header for_hash = h;
    for_hash.extra_data = hex_bytes(hashes.at("extraData_for_block_hash"));
    CHECK(hash_hex(for_hash) == hashes.at("block_hash_onchain_rule").get<std::string>());
    if (e.contains("block_hash_from_source"))
      CHECK(hashes.at("block_hash_onchain_rule") == e.at("block_hash_from_source"));
    ++checked;
  }
  CHECK(checked == 6);
}

TEST_CASE("besu QBFT London block 58866: 16 fields, zero baseFee as 0x80, RPC hash via the block-hash extraData") {
  const json v =
      causeway::testing::read_vector_json("besu/hyperledger_firefly-evmconnect/qbft_london_block_58866.json");
  const json& b = v.at("block_json_from_source");
  const Header h = header_from_json(b);
  REQUIRE(header_shape(h).value() == HeaderShape::London);
  REQUIRE(h.base_fee_per_gas.has_value());
  CHECK(*h.base_fee_per_gas == U256{});
  const Bytes enc = encode_header(h).value();
  CHECK(enc.back() == 0x80);
  // Hashed exactly as served (sealed extraData): the keccak of the sealed header, not the RPC hash.
  CHECK(hash_hex(h) == "0xc351a649cf727c0d861de83d81adc941819aecfdae5b5f8652ecea21c4697dd0");
  CHECK(hash_hex(h) != b.at("hash").get<std::string>());
  Header for_hash = h;
  for_hash.extra_data = hex_bytes(v.at("expected").at("hashes").at("extraData_for_block_hash"));
  CHECK(hash_hex(for_hash) == "0xd33367228e0a0e3667c910c7d92d3f6e724e2b6e2f671b28823a22f82597d023");
  CHECK(b.at("hash").get<std::string>() == "0xd33367228e0a0e3667c910c7d92d3f6e724e2b6e2f671b28823a22f82597d023");
  // Dropping baseFeePerGas (a pre-London reading of the same header) changes the hash.
  Header pre_london = for_hash;
  pre_london.base_fee_per_gas.reset();
  CHECK(hash_hex(pre_london) != "0xd33367228e0a0e3667c910c7d92d3f6e724e2b6e2f671b28823a22f82597d023");
}

TEST_CASE("besu derived IBFT 2.0 header and GoQuorum istanbul header: plain header hashing from typed fields") {
  const json d =
      causeway::testing::read_vector_json("besu/hyperledger_besu/ibft2_bft_block_hashing_test_DERIVED.json");
  json fields = d.at("header_fields");
  fields["extraData"] = d.at("collector_computed").at("extraData_sealed");
  const Header h = header_from_json(fields);
  const Bytes sealed = hex_bytes(d.at("collector_computed").at("header_rlp_sealed"));
  CHECK(encode_header(h).value() == sealed);
  CHECK(decode_header(sealed).value() == h);
  Header for_hash = h;
  for_hash.extra_data = hex_bytes(d.at("collector_computed").at("extraData_for_block_hash"));
  CHECK(hash_hex(for_hash) == d.at("collector_computed").at("block_hash_onchain_rule").get<std::string>());
  CHECK(hash_hex(for_hash) == d.at("expected").at("block_hash").get<std::string>());

  const json q = causeway::testing::read_vector_json("besu/consensys_quorum/qbft_extra_and_istanbul_header_hash.json");
  const json& ist = q.at("istanbul_legacy_header_hash");
  Header zero;  // every field zero / empty, 15 items
  zero.mix_hash = hex_hash("0x63746963616c2062797a616e74696e65206661756c7420746f6c6572616e6365");
  zero.extra_data = hex_bytes(ist.at("extraData"));
  CHECK(hash_hex(zero) == ist.at("expected_hash").get<std::string>());
}
