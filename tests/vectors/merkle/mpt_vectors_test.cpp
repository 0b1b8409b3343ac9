// Merkle-Patricia vectors from ../shared/vectors (SOURCES.md, ethereum/):
//   ethereum_tests/TrieTests/trietest.json (4 cases, ops applied in order, null = delete; raw strings
//     unless 0x-prefixed), ethereum_tests/TrieTests/hex_encoded_securetrie_test.json (1 case, secure trie),
//   ethereumjs/ropsten_validAccount.json and ropsten_contractWithStorage.json (EIP-1186 eth_getProof
//     responses; trusted stateRoot = keccak256(accountProof[0]) = 0xd487ffaf…96e5).
#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/core/rlp.hpp"
#include "causeway/merkle/mpt.hpp"
#include "vectors.hpp"

using namespace causeway;
using causeway::testing::read_vector_json;
using nlohmann::json;
namespace mpt = causeway::merkle::mpt;

namespace {

using Proof = std::vector<Bytes>;

// trietest.json strings: 0x-prefixed hex, otherwise the raw characters.
Bytes trie_string(const std::string& s) {
  if (s.rfind("0x", 0) == 0) return from_hex(s).value();
  return Bytes(s.begin(), s.end());
}

// JSON-RPC quantity ("0x1", "0x8cc8…"): big-endian bytes, odd digit counts allowed.
Bytes quantity(std::string s) {
  REQUIRE(s.rfind("0x", 0) == 0);
  s = s.substr(2);
  if (s.size() % 2 == 1) s.insert(s.begin(), '0');
  return from_hex_bare(s).value();
}

Proof proof_of(const json& list) {
  Proof out;
  for (const auto& node : list) out.push_back(from_hex(node.get<std::string>()).value());
  return out;
}

const Hash32 kRopstenStateRoot =
    hash_from_hex("0xd487ffaf2f2838d69417f81c9d2bfca5d2e0d024ddda433bba9b8f2099eb96e5").value();

// Every single-node modification (each byte of each node flipped, a node dropped or repeated) fails.
std::size_t check_tamper(const Hash32& root, ByteView key, const Proof& proof, bool secure) {
  auto run = [&](const Proof& p) {
    return secure ? mpt::verify_secure_proof(root, key, std::span<const Bytes>(p))
                  : mpt::verify_proof(root, key, std::span<const Bytes>(p));
  };
  std::size_t variants = 0;
  for (std::size_t i = 0; i < proof.size(); ++i) {
    for (std::size_t j = 0; j < proof[i].size(); ++j) {
      Proof bad = proof;
      bad[i][j] ^= 0x01;
      CHECK_FALSE(run(bad));
      ++variants;
    }
    Proof removed = proof;
    removed.erase(removed.begin() + static_cast<std::ptrdiff_t>(i));
    CHECK_FALSE(run(removed));
    Proof repeated = proof;
    repeated.insert(repeated.begin() + static_cast<std::ptrdiff_t>(i), proof[i]);
    CHECK_FALSE(run(repeated));
    variants += 2;
  }
  return variants;
}

}  // namespace

TEST_CASE("TrieTests/trietest.json: applying the ops in order gives each case's root", "[mpt][vectors]") {
  const json cases = read_vector_json("ethereum/ethereum_tests/TrieTests/trietest.json");
  REQUIRE(cases.size() == 4);  // emptyValues, branchingTests, jeff, insert-middle-leaf
  std::size_t ops = 0;
  for (const auto& [name, c] : cases.items()) {
    INFO(name);
    mpt::Trie trie;
    for (const auto& op : c.at("in")) {
      const Bytes key = trie_string(op.at(0).get<std::string>());
      if (op.at(1).is_null()) {
        trie.erase(key);
      } else {
        REQUIRE(trie.put(key, trie_string(op.at(1).get<std::string>())));
      }
      ++ops;
    }
    const Hash32 expected = hash_from_hex(c.at("root").get<std::string>()).value();
    CHECK(trie.root() == expected);
    // Proofs from the built trie verify against the vector's root, for every remaining and deleted key.
    for (const auto& op : c.at("in")) {
      const Bytes key = trie_string(op.at(0).get<std::string>());
      const Proof proof = trie.prove(key).value();
      auto v = mpt::verify_proof(expected, key, std::span<const Bytes>(proof));
      REQUIRE(v);
      CHECK(*v == trie.get(key));
    }
  }
  CHECK(ops == 8 + 50 + 11 + 6);
}

TEST_CASE("TrieTests/hex_encoded_securetrie_test.json: the secure trie of the accounts has root 0x730a444e…",
          "[mpt][vectors]") {
  const json cases = read_vector_json("ethereum/ethereum_tests/TrieTests/hex_encoded_securetrie_test.json");
  REQUIRE(cases.size() == 1);
  const json& c = cases.at("test1");
  REQUIRE(c.at("hexEncoded").get<bool>());
  REQUIRE(c.at("data").size() == 5);
  mpt::Trie trie;
  for (const auto& kv : c.at("data")) {
    const Bytes key = from_hex(kv.at(0).get<std::string>()).value();
    REQUIRE(trie.put(keccak256(key).view(), from_hex(kv.at(1).get<std::string>()).value()));
  }
  const Hash32 expected = hash_from_hex(c.at("result").get<std::string>()).value();
  CHECK(expected == hash_from_hex("0x730a444e08ab4b8dee147c9b232fc52d34a223d600031c1e9d25bfc985cbd797").value());
  CHECK(trie.root() == expected);
  for (const auto& kv : c.at("data")) {
    const Bytes address = from_hex(kv.at(0).get<std::string>()).value();
    const Hash32 hashed = keccak256(address);
    const Proof proof = trie.prove(hashed.view()).value();
    auto v = mpt::verify_secure_proof(expected, address, std::span<const Bytes>(proof));
    REQUIRE(v);
    CHECK(*v == std::optional<Bytes>(from_hex(kv.at(1).get<std::string>()).value()));
  }
}

TEST_CASE("ropsten eth_getProof: account proofs prove RLP([nonce, balance, storageHash, codeHash])",
          "[mpt][vectors]") {
  struct File {
    const char* path;
    std::size_t account_nodes;
    std::size_t storage_proofs;
  };
  const File files[] = {{"ethereum/ethereumjs/ropsten_validAccount.json", 8, 0},
                        {"ethereum/ethereumjs/ropsten_contractWithStorage.json", 7, 2}};
  std::size_t variants = 0;
  for (const File& f : files) {
    INFO(f.path);
    const json j = read_vector_json(f.path);
    const Proof proof = proof_of(j.at("accountProof"));
    REQUIRE(proof.size() == f.account_nodes);
    REQUIRE(j.at("storageProof").size() == f.storage_proofs);
    CHECK(keccak256(proof[0]) == kRopstenStateRoot);

    const Bytes address = from_hex(j.at("address").get<std::string>()).value();
    const Bytes items[4] = {rlp::encode_uint_be(quantity(j.at("nonce").get<std::string>())),
                            rlp::encode_uint_be(quantity(j.at("balance").get<std::string>())),
                            rlp::encode_bytes(from_hex(j.at("storageHash").get<std::string>()).value()),
                            rlp::encode_bytes(from_hex(j.at("codeHash").get<std::string>()).value())};
    const Bytes account = rlp::encode_list(items);
    auto v = mpt::verify_secure_proof(kRopstenStateRoot, address, std::span<const Bytes>(proof));
    REQUIRE(v);
    REQUIRE(v->has_value());
    CHECK(**v == account);
    variants += check_tamper(kRopstenStateRoot, address, proof, true);

    // Another address is not proven by this proof (its path needs other nodes, or shows absence elsewhere).
    Bytes other = address;
    other[0] ^= 0x01;
    auto w = mpt::verify_secure_proof(kRopstenStateRoot, other, std::span<const Bytes>(proof));
    CHECK_FALSE((w && w->has_value()));
  }
  CHECK(variants > 2000);
}

TEST_CASE("ropsten eth_getProof: storage slot …a1ca proves 0x1e4ebdd7 and slot …a1cb is proven absent",
          "[mpt][vectors]") {
  const json j = read_vector_json("ethereum/ethereumjs/ropsten_contractWithStorage.json");
  const Hash32 storage_root = hash_from_hex(j.at("storageHash").get<std::string>()).value();
  const json& sp = j.at("storageProof");
  REQUIRE(sp.size() == 2);

  const Bytes slot_a = from_hex(sp.at(0).at("key").get<std::string>()).value();
  REQUIRE(to_hex(slot_a) == "0x1e8bf26b05059b66f11b6e0c5b9fe941f81181d6cc9f2af65ccee86e95cea1ca");
  REQUIRE(sp.at(0).at("value").get<std::string>() == "0x1e4ebdd7");
  const Proof proof_a = proof_of(sp.at(0).at("proof"));
  REQUIRE(proof_a.size() == 3);
  auto a = mpt::verify_secure_proof(storage_root, slot_a, std::span<const Bytes>(proof_a));
  REQUIRE(a);
  REQUIRE(a->has_value());
  CHECK(**a == from_hex("0x841e4ebdd7").value());  // RLP(0x1e4ebdd7)
  CHECK(**a == rlp::encode_uint_be(quantity(sp.at(0).at("value").get<std::string>())));

  const Bytes slot_b = from_hex(sp.at(1).at("key").get<std::string>()).value();
  REQUIRE(to_hex(slot_b) == "0x1e8bf26b05059b66f11b6e0c5b9fe941f81181d6cc9f2af65ccee86e95cea1cb");
  REQUIRE(sp.at(1).at("value").get<std::string>() == "0x0");
  const Proof proof_b = proof_of(sp.at(1).at("proof"));
  REQUIRE(proof_b.size() == 2);
  auto b = mpt::verify_secure_proof(storage_root, slot_b, std::span<const Bytes>(proof_b));
  REQUIRE(b);
  CHECK_FALSE(b->has_value());  // exclusion proof: value 0

  // The inclusion proof of …a1ca is not an absence proof of …a1cb, nor the reverse.
  CHECK_FALSE(mpt::verify_secure_proof(storage_root, slot_b, std::span<const Bytes>(proof_a)));
  auto swapped = mpt::verify_secure_proof(storage_root, slot_a, std::span<const Bytes>(proof_b));
  CHECK_FALSE((swapped && swapped->has_value()));

  const std::size_t variants = check_tamper(storage_root, slot_a, proof_a, true) +
                               check_tamper(storage_root, slot_b, proof_b, true);
  CHECK(variants > 500);
}
