// Merkle vectors from ../shared/vectors (SOURCES.md sections rfc6962/ and bitcoin/):
//   rfc6962/transparency-dev_merkle/testdata/** (190 files, base64 hashes),
//   bitcoin/summa-tx_bitcoin-spv/testVectors.json (verifyHash256Merkle, prove, hash256MerkleStep; "LE" = internal order),
//   bitcoin/mainnet_block100000_merkle.json (txids and merkle root in display order, branches in internal order).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/merkle/bitcoin_merkle.hpp"
#include "causeway/merkle/rfc6962.hpp"
#include "base64.hpp"
#include "vectors.hpp"

using namespace causeway;
using causeway::testing::read_vector_json;
using causeway::testing::vectors_dir;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

using causeway::testing::base64_decode;



Bytes b64(const json& j) {
  auto b = base64_decode(j.get<std::string>());
  REQUIRE(b.has_value());
  return *b;
}

std::vector<Bytes> b64_list(const json& j) {
  std::vector<Bytes> out;
  if (j.is_null()) return out;
  for (const auto& e : j) out.push_back(b64(e));
  return out;
}

std::vector<ByteView> views(const std::vector<Bytes>& v) {
  std::vector<ByteView> out;
  for (const auto& b : v) out.push_back(b);
  return out;
}

Hash32 display_hash(const std::string& hex_without_prefix) {
  return hash_from_hex("0x" + hex_without_prefix).value().reversed();
}

Hash32 internal_hash(const std::string& hex_without_prefix) { return hash_from_hex("0x" + hex_without_prefix).value(); }

// The ten accepting files of the SOURCES.md table; every other file there must be rejected.
const std::set<std::string> kAccepted = {
    "consistency/0/happy-path.json",
    "consistency/1/happy-path.json",
    "consistency/2/happy-path.json",
    "consistency/4/happy-path.json",
    "consistency/additional/sizes-are-equal-one-and-proof-is-empty.json",
    "inclusion/0/happy-path.json",
    "inclusion/1/happy-path.json",
    "inclusion/2/happy-path.json",
    "inclusion/4/happy-path.json",
    "inclusion/single-entry/matching-root-and-leaf.json",
};

}  // namespace

TEST_CASE("base64 decoder used by the rfc6962 vectors is strict") {
  CHECK(base64_decode("").value().empty());
  CHECK(base64_decode("ZG9uJ3QgY2FyZSAy").value().size() == 12);
  CHECK(base64_decode("YQ==").value() == Bytes{'a'});
  CHECK(base64_decode("YWI=").value() == Bytes{'a', 'b'});
  CHECK_FALSE(base64_decode("YQ=").has_value());
  CHECK_FALSE(base64_decode("Y===").has_value());
  CHECK_FALSE(base64_decode("YQ=A").has_value());
  CHECK_FALSE(base64_decode("YQ==YQ==").has_value());
  CHECK_FALSE(base64_decode("Y*Q=").has_value());
}

TEST_CASE("rfc6962 transparency-dev: all 190 files give their wantErr verdict (10 accept, 180 reject)") {
  const fs::path root = vectors_dir() / "rfc6962/transparency-dev_merkle/testdata";
  REQUIRE(fs::is_directory(root));
  std::map<std::string, int> accepted, rejected;  // by kind
  std::size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    ++files;
    const std::string rel = fs::relative(entry.path(), root).generic_string();
    INFO(rel);
    REQUIRE(entry.path().extension() == ".json");
    const json j = read_vector_json("rfc6962/transparency-dev_merkle/testdata/" + rel);
    const bool want_err = j.at("wantErr").get<bool>();
    CHECK(want_err == (kAccepted.count(rel) == 0));  // the SOURCES.md table's verdict
    const auto proof = b64_list(j.at("proof"));
    const auto pv = views(proof);
    Status got;
    std::string kind;
    if (rel.rfind("inclusion/", 0) == 0) {
      kind = "inclusion";
      const Bytes leaf = b64(j.at("leafHash"));
      const Bytes root_hash = b64(j.at("root"));
      got = merkle::rfc6962::verify_inclusion(j.at("leafIdx").get<std::uint64_t>(), j.at("treeSize").get<std::uint64_t>(),
                                              leaf, pv, root_hash);
      if (!got) {
        const Code c = got.error().code;
        CHECK((c == Code::InclusionProof || c == Code::MerkleIndex || c == Code::ZeroRoot));
      }
    } else {
      REQUIRE(rel.rfind("consistency/", 0) == 0);
      kind = "consistency";
      const Bytes r1 = b64(j.at("root1"));
      const Bytes r2 = b64(j.at("root2"));
      got = merkle::rfc6962::verify_consistency(j.at("size1").get<std::uint64_t>(), j.at("size2").get<std::uint64_t>(),
                                                pv, r1, r2);
      if (!got) {
        const Code c = got.error().code;
        CHECK((c == Code::ConsistencyProof || c == Code::ZeroRoot));
      }
    }
    CHECK(got.has_value() == !want_err);
    (got.has_value() ? accepted : rejected)[kind]++;
  }
  CHECK(files == 190);
  CHECK(accepted["inclusion"] == 5);
  CHECK(rejected["inclusion"] == 90);
  CHECK(accepted["consistency"] == 5);
  CHECK(rejected["consistency"] == 90);
}

TEST_CASE("summa-tx verifyHash256Merkle: 8 cases, leaf‖siblings‖root in internal order") {
  const json cases = read_vector_json("bitcoin/summa-tx_bitcoin-spv/testVectors.json").at("verifyHash256Merkle");
  REQUIRE(cases.size() == 8);
  int accepted = 0;
  for (const auto& c : cases) {
    const Bytes proof = from_hex(c.at("input").at("proof").get<std::string>()).value();
    const auto index = c.at("input").at("index").get<std::uint64_t>();
    const bool want = c.at("output").get<bool>();
    INFO("index " << index << " proof bytes " << proof.size());
    bool ok = false;
    // A proof is a whole number of 32-byte hashes: the leaf first, the root last (one hash: leaf == root).
    if (!proof.empty() && proof.size() % 32 == 0) {
      std::vector<Hash32> hashes;
      for (std::size_t i = 0; i < proof.size(); i += 32) hashes.push_back(Hash32::from(ByteView(proof).subspan(i, 32)));
      const Hash32 leaf = hashes.front();
      const Hash32 root = hashes.back();
      const std::span<const Hash32> branch =
          hashes.size() > 2 ? std::span<const Hash32>(hashes).subspan(1, hashes.size() - 2) : std::span<const Hash32>{};
      ok = merkle::verify_bitcoin_branch(leaf, index, branch, root).has_value();
    }
    CHECK(ok == want);
    accepted += ok ? 1 : 0;
  }
  CHECK(accepted == 6);
}

TEST_CASE("summa-tx prove: 3 cases (txid and root LE = internal order, siblings concatenated)") {
  const json cases = read_vector_json("bitcoin/summa-tx_bitcoin-spv/testVectors.json").at("prove");
  REQUIRE(cases.size() == 3);
  int accepted = 0;
  for (const auto& c : cases) {
    const auto& in = c.at("input");
    const Hash32 txid = hash_from_hex(in.at("txIdLE").get<std::string>()).value();
    const Hash32 root = hash_from_hex(in.at("merkleRootLE").get<std::string>()).value();
    const Bytes proof = from_hex(in.at("proof").get<std::string>()).value();
    REQUIRE(proof.size() % 32 == 0);
    std::vector<Hash32> branch;
    for (std::size_t i = 0; i < proof.size(); i += 32) branch.push_back(Hash32::from(ByteView(proof).subspan(i, 32)));
    const bool ok = merkle::verify_bitcoin_branch(txid, in.at("index").get<std::uint64_t>(), branch, root).has_value();
    CHECK(ok == c.at("output").get<bool>());
    accepted += ok ? 1 : 0;
  }
  CHECK(accepted == 2);
}

TEST_CASE("summa-tx hash256MerkleStep: SHA256d(left‖right) for every case") {
  const json cases = read_vector_json("bitcoin/summa-tx_bitcoin-spv/testVectors.json").at("hash256MerkleStep");
  REQUIRE(cases.size() == 2);
  for (const auto& c : cases) {
    Bytes cat = from_hex(c.at("input").at(0).get<std::string>()).value();
    append(cat, from_hex(c.at("input").at(1).get<std::string>()).value());
    CHECK(to_hex(sha256d(cat).view()) == c.at("output").get<std::string>());
  }
  // The Merkle step of the library on 32-byte nodes is the same function.
  const Hash32 a = sha256d(Bytes{1}), b = sha256d(Bytes{2});
  Bytes ab(a.b.begin(), a.b.end());
  append(ab, b.view());
  const std::vector<Hash32> pair{a, b};
  CHECK(merkle::bitcoin_merkle_root(pair).root == sha256d(ab));
}

TEST_CASE("block 100000: 4 txids reproduce the header's merkle root; 4 proofs accepted, 3 negatives rejected") {
  const json v = read_vector_json("bitcoin/mainnet_block100000_merkle.json");
  const Bytes header = from_hex("0x" + v.at("header_hex").get<std::string>()).value();
  REQUIRE(header.size() == 80);
  CHECK(sha256d(header) == display_hash(v.at("block_hash").get<std::string>()));
  const Hash32 root = display_hash(v.at("merkle_root").get<std::string>());
  CHECK(Hash32::from(ByteView(header).subspan(36, 32)) == root);

  std::vector<Hash32> txids;
  for (const auto& t : v.at("txids")) txids.push_back(display_hash(t.get<std::string>()));
  REQUIRE(txids.size() == 4);
  const auto computed = merkle::bitcoin_merkle_root(txids);
  CHECK(computed.root == root);
  CHECK_FALSE(computed.mutated);

  const auto& proofs = v.at("proofs");
  REQUIRE(proofs.size() == 4);
  for (const auto& p : proofs) {
    const auto index = p.at("index").get<std::uint64_t>();
    INFO("proof index " << index);
    REQUIRE(p.at("expected") == "valid");
    std::vector<Hash32> branch;
    for (const auto& s : p.at("branch_internal_byte_order")) branch.push_back(internal_hash(s.get<std::string>()));
    const Hash32 leaf = display_hash(p.at("txid").get<std::string>());
    CHECK(merkle::bitcoin_branch(txids, index) == branch);
    CHECK(merkle::verify_bitcoin_branch(leaf, index, branch, root, 4).has_value());
    CHECK(merkle::verify_bitcoin_branch(leaf, index, branch, root).has_value());
  }

  const auto& negatives = v.at("negative_cases_derived");
  REQUIRE(negatives.size() == 3);
  for (const auto& p : negatives) {
    INFO(p.at("why").get<std::string>());
    REQUIRE(p.at("expected") == "invalid");
    std::vector<Hash32> branch;
    for (const auto& s : p.at("branch_internal_byte_order")) branch.push_back(internal_hash(s.get<std::string>()));
    const Hash32 leaf = display_hash(p.at("txid").get<std::string>());
    const auto index = p.at("index").get<std::uint64_t>();
    CHECK_FALSE(merkle::verify_bitcoin_branch(leaf, index, branch, root, 4).has_value());
    CHECK_FALSE(merkle::verify_bitcoin_branch(leaf, index, branch, root).has_value());
  }
}
