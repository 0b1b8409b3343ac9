// Proofs against real data: the Ropsten EIP-1186 eth_getProof responses (SOURCES.md "ethereum/ethereumjs/
// ropsten_*.json", state root 0xd487ffaf…96e5 = keccak256(accountProof[0])) and the PacketSent event built
// from the golden packet (packet/golden-v1.json). Case counts are asserted.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "causeway/core/abi.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/core/packet.hpp"
#include "causeway/ethereum/proofs.hpp"
#include "causeway/merkle/mpt.hpp"
#include "header_json.hpp"
#include "vectors.hpp"

using namespace causeway;
using namespace causeway::ethereum;
using causeway::ethereum::test::hex_bytes;
using causeway::ethereum::test::hex_fixed;
using causeway::ethereum::test::hex_hash;
using causeway::ethereum::test::quantity_u256;
using causeway::ethereum::test::quantity_u64;
using nlohmann::json;

namespace {

const char* kRopstenRoot = "0xd487ffaf2f2838d69417f81c9d2bfca5d2e0d024ddda433bba9b8f2099eb96e5";

std::vector<Bytes> nodes(const json& arr) {
  std::vector<Bytes> out;
  for (const auto& n : arr) out.push_back(hex_bytes(n));
  return out;
}

Account account_of(const json& j) {
  Account a;
  a.nonce = quantity_u64(j.at("nonce"));
  a.balance = quantity_u256(j.at("balance"));
  a.storage_hash = hex_hash(j.at("storageHash"));
  a.code_hash = hex_hash(j.at("codeHash"));
  return a;
}

// Storage values in eth_getProof are quantities ("0x1e4ebdd7", "0x0"): as a 32-byte word.
Hash32 word_of(const json& j) {
  Hash32 h;
  h.b = quantity_u256(j);
  return h;
}

// Flipping one bit in every byte of every node: never accepted. Returns the number of mutations tried.
template <class Verify>
std::size_t check_every_byte(const std::vector<Bytes>& proof, Verify verify) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < proof.size(); ++i) {
    for (std::size_t j = 0; j < proof[i].size(); ++j) {
      auto bad = proof;
      bad[i][j] ^= static_cast<std::uint8_t>(1u << (j % 8));
      CHECK_FALSE(verify(bad));
      ++n;
    }
  }
  return n;
}

}  // namespace

TEST_CASE("ropsten EIP-1186 account proofs verify against state root 0xd487ffaf…96e5") {
  const Hash32 root = hex_hash(kRopstenRoot);
  int files = 0;
  for (const char* f : {"ethereum/ethereumjs/ropsten_validAccount.json",
                        "ethereum/ethereumjs/ropsten_contractWithStorage.json"}) {
    INFO(f);
    const json v = causeway::testing::read_vector_json(f);
    const auto proof = nodes(v.at("accountProof"));
    CHECK(keccak256(proof[0]) == root);
    const Address address = hex_fixed<20>(v.at("address"));
    const Account want = account_of(v);
    CHECK(verify_account_proof(root, address, proof).value() == want);

    // Tampering: every byte of every node, a dropped node, an extra node, another address, the zero root.
    const std::size_t mutations = check_every_byte(proof, [&](const std::vector<Bytes>& p) {
      auto r = verify_account_proof(root, address, p);
      return r.has_value() && *r == want;
    });
    CHECK(mutations > 1000);
    std::vector<Bytes> shorter(proof.begin(), proof.end() - 1);
    CHECK_FALSE(verify_account_proof(root, address, shorter).has_value());
    auto longer = proof;
    longer.push_back(proof.back());
    CHECK(verify_account_proof(root, address, longer).error().code == Code::MptProof);
    Address other = address;
    other[19] ^= 1;
    auto o = verify_account_proof(root, other, proof);
    CHECK_FALSE((o.has_value() && *o == want));
    CHECK(verify_account_proof(Hash32{}, address, proof).error().code == Code::ZeroRoot);
    ++files;
  }
  CHECK(files == 2);
}

TEST_CASE("ropsten validAccount: an account without storage or code") {
  const json v = causeway::testing::read_vector_json("ethereum/ethereumjs/ropsten_validAccount.json");
  const Account a = verify_account_proof(hex_hash(kRopstenRoot), hex_fixed<20>(v.at("address")),
                                         nodes(v.at("accountProof")))
                        .value();
  CHECK(a.nonce == 0);
  CHECK(to_hex(a.balance) == "0x00000000000000000000000000000000000000000000008cc8f68890288a3bf6");
  CHECK(a.storage_hash == empty_trie_root());
  CHECK(a.code_hash == empty_code_hash());
  CHECK(v.at("storageProof").empty());
  // Its (empty) storage trie: every slot reads 0 with the empty proof.
  CHECK(verify_storage_proof(a.storage_hash, Hash32{}, std::vector<Bytes>{}).value() == Hash32{});
}

TEST_CASE("ropsten contractWithStorage: slot …a1ca holds 0x1e4ebdd7, slot …a1cb is proven absent") {
  const json v = causeway::testing::read_vector_json("ethereum/ethereumjs/ropsten_contractWithStorage.json");
  const Account a = verify_account_proof(hex_hash(kRopstenRoot), hex_fixed<20>(v.at("address")),
                                         nodes(v.at("accountProof")))
                        .value();
  CHECK(a.nonce == 1);
  CHECK(a.balance == U256{});
  CHECK(to_hex(a.storage_hash.view()) == "0xe46839eb7240b70373cf860be4b3d1b96068d0b39421b17f3269daa8eef9a8b3");
  const json& sp = v.at("storageProof");
  REQUIRE(sp.size() == 2);
  int present = 0, absent = 0;
  for (const auto& s : sp) {
    const Hash32 slot = hex_hash(s.at("key"));
    const auto proof = nodes(s.at("proof"));
    const Hash32 want = word_of(s.at("value"));
    const Hash32 got = verify_storage_proof(a.storage_hash, slot, proof).value();
    CHECK(got == want);
    if (got.is_zero()) {
      ++absent;
      CHECK(to_hex(slot.view()) == "0x1e8bf26b05059b66f11b6e0c5b9fe941f81181d6cc9f2af65ccee86e95cea1cb");
    } else {
      ++present;
      CHECK(to_hex(slot.view()) == "0x1e8bf26b05059b66f11b6e0c5b9fe941f81181d6cc9f2af65ccee86e95cea1ca");
      CHECK(to_hex(got.view()) == "0x000000000000000000000000000000000000000000000000000000001e4ebdd7");
    }
    const std::size_t mutations = check_every_byte(proof, [&](const std::vector<Bytes>& p) {
      auto r = verify_storage_proof(a.storage_hash, slot, p);
      return r.has_value() && *r == want;
    });
    CHECK(mutations > 100);
    Hash32 other_root = a.storage_hash;
    other_root.b[5] ^= 1;
    CHECK(verify_storage_proof(other_root, slot, proof).error().code == Code::MptProof);
    CHECK(verify_storage_proof(Hash32{}, slot, proof).error().code == Code::ZeroRoot);
    auto longer = proof;
    longer.push_back(proof.back());
    CHECK(verify_storage_proof(a.storage_hash, slot, longer).error().code == Code::MptProof);
  }
  CHECK(present == 1);
  CHECK(absent == 1);
  // The absence proof of …a1cb cannot be turned into an absence of …a1ca (which is present).
  const auto absence_proof = nodes(sp[1].at("proof"));
  auto forged = verify_storage_proof(a.storage_hash, hex_hash(sp[0].at("key")), absence_proof);
  CHECK_FALSE((forged.has_value() && forged->is_zero()));
}

// ---- PacketSent from the golden packet ---------------------------------------------------------------

namespace {

const json& golden() {
  static const json g = causeway::testing::read_vector_json("packet/golden-v1.json");
  return g;
}

Hash32 seq_word(std::uint64_t s) {
  Hash32 h;
  h.b = abi::u256_from_u64(s);
  return h;
}

Bytes log_data(ByteView packet_bytes) {
  return abi::encode(abi::Type::tuple({abi::Type::bytes()}), abi::Value::tuple({abi::Value::bytes(packet_bytes)}));
}

}  // namespace

TEST_CASE("golden packet: packet_from_log accepts the PacketSent log and rejects its mutations") {
  const json& g = golden();
  const Bytes packet_bytes = hex_bytes(g.at("packet_bytes"));
  const Hash32 commitment = hex_hash(g.at("commitment"));
  const Hash32 topic0 = hex_hash(g.at("packet_sent_topic0"));
  REQUIRE(topic0 == packet::packet_sent_topic0());
  const std::uint64_t sequence = std::stoull(g.at("packet_fields").at("sequence").get<std::string>());
  REQUIRE(sequence == 7);
  // The source endpoint of the golden values (the ack/timeout attestations name it as source_endpoint).
  const Address endpoint = hex_fixed<20>(g.at("ack").at("source_endpoint"));

  const Log good{endpoint, {topic0, commitment, seq_word(sequence)}, log_data(packet_bytes)};
  const packet::Packet p = packet_from_log(good, endpoint).value();
  CHECK(packet::encode_packet(p) == packet_bytes);
  CHECK(packet::commitment(p) == commitment);
  CHECK(p.sequence == 7);
  CHECK(p.source_island == g.at("packet_fields").at("source_island").get<std::string>());
  CHECK(p.dest_island == g.at("packet_fields").at("dest_island").get<std::string>());
  CHECK(p.dest_genesis == hex_hash(g.at("packet_fields").at("dest_genesis")));

  struct Case {
    const char* name;
    Log log;
    Address endpoint;
    Code code;
  };
  std::vector<Case> cases;
  auto add = [&](const char* name, auto mutate, Code code) {
    Log l = good;
    mutate(l);
    cases.push_back({name, std::move(l), endpoint, code});
  };
  add("wrong topic1 (commitment)", [](Log& l) { l.topics[1].b[0] ^= 0x80; }, Code::LogMismatch);
  add("topic1 = the ack commitment", [&](Log& l) { l.topics[1] = hex_hash(g.at("ack").at("ack_commitment")); },
      Code::LogMismatch);
  add("wrong sequence topic (8)", [](Log& l) { l.topics[2] = seq_word(8); }, Code::LogMismatch);
  add("wrong sequence topic (0)", [](Log& l) { l.topics[2] = Hash32{}; }, Code::LogMismatch);
  add("topics swapped", [](Log& l) { std::swap(l.topics[1], l.topics[2]); }, Code::LogMismatch);
  add("AcknowledgementWritten topic0",
      [&](Log& l) { l.topics[0] = hex_hash(g.at("acknowledgement_written_topic0")); }, Code::LogMismatch);
  add("missing sequence topic", [](Log& l) { l.topics.pop_back(); }, Code::LogMismatch);
  add("raw packet bytes as data (no ABI wrapper)", [&](Log& l) { l.data = packet_bytes; }, Code::AbiDecode);
  add("A20: destination changed under the same commitment",
      [&](Log& l) {
        packet::Packet q = p;
        q.dest_island = "eip155:31339";
        l.data = log_data(packet::encode_packet(q));
      },
      Code::LogMismatch);
  add("sequence changed in the packet only",
      [&](Log& l) {
        packet::Packet q = p;
        q.sequence = 8;
        l.data = log_data(packet::encode_packet(q));
      },
      Code::LogMismatch);
  {
    Log l = good;
    Address impostor = endpoint;
    impostor[0] ^= 0x01;
    l.address = impostor;
    cases.push_back({"A19: same log from another address", l, endpoint, Code::WrongEmitter});
  }
  REQUIRE(cases.size() == 11);
  for (const auto& c : cases) {
    INFO(c.name);
    auto r = packet_from_log(c.log, c.endpoint);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == c.code);
  }
}

TEST_CASE("golden packet: proven end to end from a receipt under a receiptsRoot, A19 impostor ignored") {
  const json& g = golden();
  const Bytes packet_bytes = hex_bytes(g.at("packet_bytes"));
  const Hash32 commitment = hex_hash(g.at("commitment"));
  const Address endpoint = hex_fixed<20>(g.at("ack").at("source_endpoint"));
  Address impostor = endpoint;
  impostor[19] ^= 0xff;
  const Log real{endpoint, {packet::packet_sent_topic0(), commitment, seq_word(7)}, log_data(packet_bytes)};
  Log fake = real;
  fake.address = impostor;

  Receipt r;
  r.type = TxType::DynamicFee;
  r.status = ReceiptStatus::Success;
  r.cumulative_gas_used = 123456;
  r.logs = {fake, real};
  Receipt other;
  other.status = ReceiptStatus::Success;
  other.cumulative_gas_used = 21000;
  const std::vector<Receipt> block = {other, r, other};
  const Hash32 root = receipts_root(block).value();

  // Prove receipt 1 with a trie built the way the chain builds it.
  merkle::mpt::Trie trie;
  for (std::size_t i = 0; i < block.size(); ++i)
    REQUIRE(trie.put(receipt_trie_key(i), encode_receipt(block[i]).value()));
  REQUIRE(trie.root() == root);
  const auto proof = trie.prove(receipt_trie_key(1)).value();

  const packet::Packet p = verify_packet_sent(root, 1, proof, 1, endpoint).value();
  CHECK(packet::commitment(p) == commitment);
  CHECK(verify_packet_sent(root, 1, proof, 0, endpoint).error().code == Code::WrongEmitter);
  const auto packets = packets_from_receipt(verify_receipt_proof(root, 1, proof).value(), endpoint).value();
  REQUIRE(packets.size() == 1);
  CHECK(packet::encode_packet(packets[0]) == packet_bytes);
}
