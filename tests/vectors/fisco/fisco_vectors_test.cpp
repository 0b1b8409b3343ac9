// light_clients/fisco against the real FISCO BCOS data of ../shared/vectors/fisco (SOURCES.md "fisco/"):
//   W-a-n-g-z_pinganyuan_springboot/v2_block_8.json   v2, Keccak-256 / secp256k1, 3 sealers, 3 signatures, 1 tx
//   FISCO-BCOS_FISCO-BCOS-DOC/v3_sm_block_2.json      v3.3 SM3 / SM2, 4 sealers weight 1, 3 signatures
//   FISCO-BCOS_FISCO-BCOS-DOC/v3_sm_block_2_receipt.json  its receipt with a one-leaf txReceiptProof
//   FISCO-BCOS_FISCO-BCOS-DOC/v3_sm_block_0_genesis.json  UNSETTLED hash: used only for the initial sealer set
// The RPC JSON is turned into the library's typed structs here (test code; relay/proofs has its own reader).
// Every corrupted variant is made from the real data and rejected with its own code: a header-field byte
// (ERR_HEADER_HASH_MISMATCH; with the stated hash recomputed too: ERR_SIG_INVALID), a vote signature byte
// (ERR_SIG_INVALID), a duplicated signer index (ERR_DUPLICATE_SEAL), a removed vote (ERR_INSUFFICIENT_QUORUM).
#include <catch2/catch.hpp>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/fisco/client.hpp"
#include "causeway/fisco/proof.hpp"
#include "vectors.hpp"

using namespace causeway;
using namespace causeway::fisco;
using causeway::testing::read_vector_json;
using causeway::testing::vectors_dir;
using nlohmann::json;

namespace {

const std::string kV2 = "fisco/W-a-n-g-z_pinganyuan_springboot/v2_block_8.json";
const std::string kV3 = "fisco/FISCO-BCOS_FISCO-BCOS-DOC/v3_sm_block_2.json";
const std::string kV3Receipt = "fisco/FISCO-BCOS_FISCO-BCOS-DOC/v3_sm_block_2_receipt.json";
const std::string kV3Genesis = "fisco/FISCO-BCOS_FISCO-BCOS-DOC/v3_sm_block_0_genesis.json";
constexpr std::uint64_t kNowMs = 1'700'000'000'000;

Bytes hx(const std::string& s) {
  return (s.rfind("0x", 0) == 0) ? from_hex(s).value() : from_hex_bare(s).value();
}
Hash32 h32(const std::string& s) { return Hash32::from(hx(s)); }
NodeId node(const std::string& s) {
  const Bytes b = hx(s);
  REQUIRE(b.size() == 64);
  NodeId id{};
  std::copy(b.begin(), b.end(), id.begin());
  return id;
}
std::uint64_t q(const std::string& s) { return std::stoull(s, nullptr, 16); }
Bytes minimal(const std::string& s) {
  Bytes b = hx(s.size() % 2 ? "0x0" + s.substr(2) : s);
  while (!b.empty() && b.front() == 0) b.erase(b.begin());
  return b;
}

BlockV2 v2_block(const json& r) {
  BlockV2 b;
  auto& h = b.header;
  h.parent_hash = h32(r["parentHash"]);
  h.state_root = h32(r["stateRoot"]);
  h.transactions_root = h32(r["transactionsRoot"]);
  h.receipts_root = h32(r["receiptsRoot"]);
  h.db_hash = h32(r["dbHash"]);
  h.logs_bloom = hx(r["logsBloom"]);
  h.number = q(r["number"]);
  h.gas_limit = minimal(r["gasLimit"]);
  h.gas_used = minimal(r["gasUsed"]);
  h.timestamp_ms = q(r["timestamp"]);
  for (const auto& e : r["extraData"]) h.extra_data.push_back(hx(e));
  h.sealer = q(r["sealer"]);
  for (const auto& s : r["sealerList"]) h.sealer_list.push_back(node(s));
  b.hash = h32(r["hash"]);
  for (const auto& s : r["signatureList"]) b.signatures.push_back(SealerSignature{q(s["index"]), hx(s["signature"])});
  return b;
}

BlockV3 v3_block(const json& r) {
  BlockV3 b;
  auto& h = b.header;
  h.version = r["version"].get<std::uint32_t>();
  for (const auto& p : r["parentInfo"]) h.parents.push_back(ParentInfo{p["blockNumber"], h32(p["blockHash"])});
  h.txs_root = h32(r["txsRoot"]);
  h.receipts_root = h32(r["receiptsRoot"]);
  h.state_root = h32(r["stateRoot"]);
  h.number = r["number"];
  h.gas_used = r["gasUsed"];
  h.timestamp_ms = r["timestamp"];
  h.sealer = r["sealer"];
  for (const auto& s : r["sealerList"]) h.sealer_list.push_back(node(s));
  h.extra_data = hx(r["extraData"]);
  for (const auto& w : r["consensusWeights"]) h.consensus_weights.push_back(w);
  b.hash = h32(r["hash"]);
  for (const auto& s : r["signatureList"])
    b.signatures.push_back(SealerSignature{s["sealerIndex"].get<std::uint64_t>(), hx(s["signature"])});
  return b;
}

SealerSet own_set(Version v, HashAlgorithm a, const std::vector<NodeId>& ids) {
  std::vector<Sealer> s;
  for (const auto& id : ids) s.push_back(Sealer{id, 1});
  return SealerSet::create(v, a, s).value();
}

LightClient client(Version v, HashAlgorithm a, std::uint64_t number, const Hash32& hash, const SealerSet& set) {
  ClientConfig c;
  c.version = v;
  c.hash_algorithm = a;
  return LightClient::create(c, number, hash, set).value();
}

template <class R>
std::string code_of(const R& r) {
  return r ? std::string("OK") : std::string(code_name(r.error().code));
}

}  // namespace

TEST_CASE("fisco vectors: the folder holds exactly the 4 files SOURCES.md lists") {
  std::set<std::string> found;
  for (const auto& e : std::filesystem::recursive_directory_iterator(vectors_dir() / "fisco"))
    if (e.is_regular_file()) found.insert(std::filesystem::relative(e.path(), vectors_dir()).generic_string());
  CHECK(found == std::set<std::string>{kV2, kV3, kV3Receipt, kV3Genesis});
}

TEST_CASE("v2 block 8: 13-field RLP Keccak hash, 3 of 3 signatures in order 0,2,1, quorum 3, txRoot") {
  const json r = read_vector_json(kV2)["result"];
  const BlockV2 b = v2_block(r);
  REQUIRE(to_hex(b.hash.view()) == "0x3081bb9626c9866f371c203e4d5786b7de43a127d6e705755c835aa14e062d7d");
  CHECK(header_hash_v2(b.header, HashAlgorithm::Keccak256).value() == b.hash);
  CHECK(header_hash_v2(b.header, HashAlgorithm::Sm3).value() != b.hash);
  CHECK(encode_header_v2(b.header).value().size() > 0);
  REQUIRE(b.signatures.size() == 3);
  CHECK(b.signatures[0].index == 0);
  CHECK(b.signatures[1].index == 2);
  CHECK(b.signatures[2].index == 1);

  const auto set = own_set(Version::V2, HashAlgorithm::Keccak256, b.header.sealer_list);
  CHECK(set.quorum() == 3);
  auto c = client(Version::V2, HashAlgorithm::Keccak256, 7, b.header.parent_hash, set);
  auto up = c.update(b, kNowMs);
  REQUIRE(up);
  CHECK(up->kind == UpdateKind::Accepted);
  CHECK(up->verification == Verification::Sequential);
  CHECK(up->tally.signed_weight == 3);
  CHECK(up->tally.signers == std::vector<std::uint64_t>{0, 1, 2});
  CHECK_FALSE(up->sealer_set_changed);
  CHECK(c.latest().hash == b.hash);

  // transactionsRoot = Keccak-256(0x80 ‖ txHash), the one-leaf 16-ary trie; Keccak of that again is wrong.
  const Hash32 tx = h32(r["transactions"][0]["hash"]);
  const std::vector<ProofUnitV2> one = {ProofUnitV2{}};
  CHECK(code_of(verify_tx_v2(HashAlgorithm::Keccak256, 0, tx, one, b.header.transactions_root)) == "OK");
  CHECK(to_hex(b.header.transactions_root.view()) ==
        "0x009e99ada9a3a1f8158da76fc7539ece6d05f52faa9f751a0a32ccf4e8dbc9e9");
  CHECK(to_hex(keccak256(b.header.transactions_root.view()).view()) ==
        "0x7b72f131000a91ff1da7abbe0e3d765b7e27075c0ae47597544f7712647c482e");
  CHECK(code_of(verify_tx_v2(HashAlgorithm::Keccak256, 0, tx, one,
                             keccak256(b.header.transactions_root.view()))) == "ERR_MERKLE_BRANCH");
  // checkpoint verification: the same block against the set alone, from an older anchor
  auto cp = client(Version::V2, HashAlgorithm::Keccak256, 0, Hash32::from(Bytes(32, 0x01)), set);
  auto cpr = cp.update(b, kNowMs);
  REQUIRE(cpr);
  CHECK(cpr->verification == Verification::Checkpoint);
}

TEST_CASE("v2 block 8 corrupted variants are each rejected with their own code") {
  const BlockV2 good = v2_block(read_vector_json(kV2)["result"]);
  const auto set = own_set(Version::V2, HashAlgorithm::Keccak256, good.header.sealer_list);
  auto run = [&](const BlockV2& b) {
    auto c = client(Version::V2, HashAlgorithm::Keccak256, 7, good.header.parent_hash, set);
    return c.update(b, kNowMs);
  };
  REQUIRE(code_of(run(good)) == "OK");
  for (int field = 0; field < 4; ++field) {  // a byte of stateRoot, dbHash, logsBloom, a sealer id
    BlockV2 b = good;
    if (field == 0) b.header.state_root.b[7] ^= 0x01;
    if (field == 1) b.header.db_hash.b[31] ^= 0x80;
    if (field == 2) b.header.logs_bloom[100] ^= 0x04;
    if (field == 3) b.header.sealer_list[1][10] ^= 0x01;
    auto r = run(b);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Code::HeaderHashMismatch);
    CHECK(r.error().at == "hash");
  }
  {  // the timestamp changed and the stated hash recomputed: the votes sign the real hash
    BlockV2 b = good;
    b.header.timestamp_ms += 1;
    b.hash = header_hash_v2(b.header, HashAlgorithm::Keccak256).value();
    auto r = run(b);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Code::SigInvalid);
    CHECK(r.error().at == "signatures[0]");
  }
  for (std::size_t i = 0; i < 3; ++i) {  // a vote signature byte
    BlockV2 b = good;
    b.signatures[i].signature[20] ^= 0x01;
    auto r = run(b);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Code::SigInvalid);
    CHECK(r.error().at == "signatures[" + std::to_string(i) + "]");
  }
  {  // a duplicated signer index: the vote of sealer 1 replaced by a second copy of sealer 0's
    BlockV2 b = good;
    b.signatures[2] = b.signatures[0];
    auto r = run(b);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Code::DuplicateSeal);
  }
  for (std::size_t i = 0; i < 3; ++i) {  // any one vote removed: 2 < 3
    BlockV2 b = good;
    b.signatures.erase(b.signatures.begin() + static_cast<std::ptrdiff_t>(i));
    auto r = run(b);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Code::InsufficientQuorum);
  }
}

TEST_CASE("v3.3 SM block 2: SM3 field hash, 3 SM2 signatures with Z_A, weight 3 of 4, parent block 1") {
  const json r = read_vector_json(kV3)["result"];
  const BlockV3 b = v3_block(r);
  REQUIRE(to_hex(b.hash.view()) == "0x2fbafbf71395bb07d1d6e142a06fa3cd9436aee3e91b5b9e6ffc5c47133c3738");
  CHECK(header_hash_v3(b.header, HashAlgorithm::Sm3).value() == b.hash);
  CHECK(header_hash_v3(b.header, HashAlgorithm::Keccak256).value() != b.hash);
  std::vector<Sealer> sealers;
  for (std::size_t i = 0; i < 4; ++i) sealers.push_back(Sealer{b.header.sealer_list[i], b.header.consensus_weights[i]});
  const auto set = SealerSet::create(Version::V3, HashAlgorithm::Sm3, sealers).value();
  CHECK(set.total_weight() == 4);
  CHECK(set.quorum() == 3);
  for (const auto& s : b.signatures)
    CHECK(code_of(verify_sealer_signature(Version::V3, HashAlgorithm::Sm3, set.at(s.index).node_id, b.hash,
                                          s.signature)) == "OK");
  const Hash32 parent = h32("0x1498f2ff420fb9c240c7081b99bd76819c7348fb1a899095476afa29146c8874");
  auto c = client(Version::V3, HashAlgorithm::Sm3, 1, parent, set);
  auto up = c.update(b, kNowMs);
  REQUIRE(up);
  CHECK(up->verification == Verification::Sequential);
  CHECK(up->tally.signed_weight == 3);
  CHECK(up->tally.signers == std::vector<std::uint64_t>{0, 1, 2});
  // the wrong parent
  auto c2 = client(Version::V3, HashAlgorithm::Sm3, 1, Hash32::from(Bytes(32, 0x01)), set);
  CHECK(code_of(c2.update(b, kNowMs)) == "ERR_PREV_HASH_MISMATCH");
}

TEST_CASE("v3.3 SM block 2 corrupted variants are each rejected with their own code") {
  const BlockV3 good = v3_block(read_vector_json(kV3)["result"]);
  std::vector<Sealer> sealers;
  for (const auto& id : good.header.sealer_list) sealers.push_back(Sealer{id, 1});
  const auto set = SealerSet::create(Version::V3, HashAlgorithm::Sm3, sealers).value();
  const Hash32 parent = good.header.parents.at(0).hash;
  auto run = [&](const BlockV3& b) {
    auto c = client(Version::V3, HashAlgorithm::Sm3, 1, parent, set);
    return c.update(b, kNowMs);
  };
  REQUIRE(code_of(run(good)) == "OK");
  for (int field = 0; field < 4; ++field) {
    BlockV3 b = good;
    if (field == 0) b.header.txs_root.b[0] ^= 0x01;
    if (field == 1) b.header.gas_used = "24364";
    if (field == 2) b.header.sealer_list[3][63] ^= 0x01;
    if (field == 3) b.header.consensus_weights[0] = 2;
    auto r = run(b);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Code::HeaderHashMismatch);
  }
  {
    BlockV3 b = good;
    b.header.timestamp_ms += 1;
    b.hash = header_hash_v3(b.header, HashAlgorithm::Sm3).value();
    CHECK(code_of(run(b)) == "ERR_SIG_INVALID");
  }
  for (std::size_t i = 0; i < 3; ++i) {
    BlockV3 b = good;
    b.signatures[i].signature[40] ^= 0x01;
    auto r = run(b);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Code::SigInvalid);
    CHECK(r.error().at == "signatures[" + std::to_string(i) + "]");
  }
  {
    BlockV3 b = good;
    b.signatures[2] = b.signatures[1];
    CHECK(code_of(run(b)) == "ERR_DUPLICATE_SEAL");
  }
  for (std::size_t i = 0; i < 3; ++i) {  // 2 of 4 signatures: weight 2 < 3
    BlockV3 b = good;
    b.signatures.erase(b.signatures.begin() + static_cast<std::ptrdiff_t>(i));
    CHECK(code_of(run(b)) == "ERR_INSUFFICIENT_QUORUM");
  }
}

TEST_CASE("v3.3 SM receipt: its hash is block 2's receiptsRoot; one-leaf txReceiptProof; txsRoot = tx hash") {
  const json rc = read_vector_json(kV3Receipt)["result"];
  const BlockV3 b = v3_block(read_vector_json(kV3)["result"]);
  ReceiptV3 r;
  r.version = rc["version"];
  r.gas_used = rc["gasUsed"];
  r.contract_address = rc["contractAddress"].get<std::string>().substr(2);
  r.status = rc["status"];
  r.output = hx(rc["output"]);
  r.log_count = rc["logEntries"].size();
  r.block_number = rc["blockNumber"];
  const Hash32 hash = receipt_hash_v3(HashAlgorithm::Sm3, r).value();
  CHECK(hash == h32(rc["hash"]));
  CHECK(hash == b.header.receipts_root);
  std::vector<Bytes> proof;
  for (const auto& e : rc["txReceiptProof"]) proof.push_back(hx(e));
  REQUIRE(proof.size() == 1);
  CHECK(code_of(verify_merkle_v3(HashAlgorithm::Sm3, hash, proof, b.header.receipts_root)) == "OK");
  // fields outside the hash do not count: a changed status or block number changes the hash
  auto failed = r;
  failed.status = 1;
  CHECK(code_of(verify_merkle_v3(HashAlgorithm::Sm3, receipt_hash_v3(HashAlgorithm::Sm3, failed).value(), proof,
                                 b.header.receipts_root)) == "ERR_MERKLE_BRANCH");
  auto checksum = r;  // the checksum (mixed-case) address is not the stored form
  checksum.contract_address = rc["checksumContractAddress"].get<std::string>().substr(2);
  CHECK(code_of(receipt_hash_v3(HashAlgorithm::Sm3, checksum)) == "ERR_RECEIPT_ENCODING");
  // the transaction: a one-leaf tree whose root is the tx hash
  const Hash32 tx = h32(rc["transactionHash"]);
  CHECK(tx == b.header.txs_root);
  const std::vector<Bytes> tx_proof = {Bytes(tx.b.begin(), tx.b.end())};
  CHECK(code_of(verify_merkle_v3(HashAlgorithm::Sm3, tx, tx_proof, b.header.txs_root)) == "OK");
}

TEST_CASE("v3.3 SM genesis (UNSETTLED hash): its extraData lists block 2's four sealers, weight 1 each") {
  const json g = read_vector_json(kV3Genesis)["result"];
  const Bytes extra = hx(g["extraData"]);
  const std::string text(extra.begin(), extra.end());
  CHECK(text.find("sm_crypto:1") != std::string::npos);
  CHECK(text.find("compatibility_version:3.3.0") != std::string::npos);
  const BlockV3 b2 = v3_block(read_vector_json(kV3)["result"]);
  for (std::size_t i = 0; i < 4; ++i) {
    const std::string line = "node." + std::to_string(i) + ":" + to_hex_bare(b2.header.sealer_list[i]) + ",1\n";
    CHECK(text.find(line) != std::string::npos);
  }
  // The hash is neither accepted nor rejected: the field rule gives another value than the stated one.
  const BlockV3 g0 = v3_block(g);
  CHECK(to_hex(header_hash_v3(g0.header, HashAlgorithm::Sm3).value().view()) ==
        "0xda56799601a033a231968a706dabcbb62ceb9a90a65ca327229769e743a75220");
  // Checkpoint verification of block 2 from the genesis anchor with that set.
  std::vector<Sealer> sealers;
  for (const auto& id : b2.header.sealer_list) sealers.push_back(Sealer{id, 1});
  auto c = client(Version::V3, HashAlgorithm::Sm3, 0, h32(g["hash"]),
                  SealerSet::create(Version::V3, HashAlgorithm::Sm3, sealers).value());
  auto up = c.update(b2, kNowMs);
  REQUIRE(up);
  CHECK(up->verification == Verification::Checkpoint);
}
