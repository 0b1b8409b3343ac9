// Unit tests of receipt / account / storage proofs and of the PacketSent event, on synthetic tries built with
// causeway::merkle::mpt::Trie. Real EIP-1186 proofs and the golden packet are in the vector tests.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "test_values.hpp"
#include "causeway/core/abi.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/core/packet.hpp"
#include "causeway/core/rlp.hpp"
#include "causeway/ethereum/proofs.hpp"
#include "causeway/merkle/mpt.hpp"

using namespace causeway;
using namespace causeway::ethereum;
namespace mpt = causeway::merkle::mpt;

using causeway::ethereum::testing::addr;
using causeway::ethereum::testing::filled;

namespace {


Receipt sample(std::size_t i) {
  Receipt r;
  r.type = static_cast<TxType>(i % 5);
  r.status = (i % 9 == 4) ? ReceiptStatus::Failed : ReceiptStatus::Success;
  r.cumulative_gas_used = 21000 * (i + 1);
  r.logs_bloom[i % 256] = 1;
  for (std::size_t k = 0; k < i % 3; ++k)
    r.logs.push_back(Log{addr(static_cast<std::uint8_t>(k + 1)), {filled(static_cast<std::uint8_t>(i))}, Bytes(k, 7)});
  return r;
}

struct Block {
  std::vector<Receipt> receipts;
  mpt::Trie trie;
  Hash32 root;
};

Block make_block(std::size_t n) {
  Block b;
  for (std::size_t i = 0; i < n; ++i) {
    b.receipts.push_back(sample(i));
    REQUIRE(b.trie.put(receipt_trie_key(i), encode_receipt(b.receipts.back()).value()));
  }
  b.root = b.trie.root();
  REQUIRE(b.root == receipts_root(b.receipts).value());
  return b;
}

std::vector<Bytes> prove(const mpt::Trie& t, ByteView key) { return t.prove(key).value(); }

// A PacketSent log for packet p from `emitter`.
packet::Packet test_packet(std::uint64_t sequence) {
  packet::Packet p;
  p.source_island = "eip155:31337";
  p.source_genesis = filled(0x11);
  p.source_channel = "channel-0";
  p.source_port = "transfer";
  p.dest_island = "eip155:31338";
  p.dest_genesis = filled(0x22);
  p.dest_channel = "channel-0";
  p.dest_port = "transfer";
  p.sequence = sequence;
  p.sender = Bytes(20, 0xaa);
  p.receiver = Bytes(20, 0xbb);
  p.payload = Bytes{1, 2, 3};
  p.timeout_timestamp_ns = 1800000000000000000ull;
  return p;
}

Bytes log_data(ByteView packet_bytes) {
  return abi::encode(abi::Type::tuple({abi::Type::bytes()}), abi::Value::tuple({abi::Value::bytes(packet_bytes)}));
}

Hash32 word(std::uint64_t v) {
  Hash32 h;
  h.b = abi::u256_from_u64(v);
  return h;
}

Log packet_log(const packet::Packet& p, const Address& emitter) {
  const Bytes pb = packet::encode_packet(p);
  return Log{emitter, {packet::packet_sent_topic0(), packet::commitment(pb), word(p.sequence)}, log_data(pb)};
}

}  // namespace

// ---- receipts ------------------------------------------------------------------------------------------

TEST_CASE("receipt proofs for every index of a 130-receipt block verify; tampered nodes fail") {
  const Block b = make_block(130);
  int verified = 0, tampered = 0;
  for (std::size_t i = 0; i < b.receipts.size(); ++i) {
    const auto proof = prove(b.trie, receipt_trie_key(i));
    auto r = verify_receipt_proof(b.root, i, proof);
    REQUIRE(r.has_value());
    CHECK(*r == b.receipts[i]);
    ++verified;
    // Flip one byte in each node (first, middle, last positions by turn): never accepted.
    for (std::size_t n = 0; n < proof.size(); ++n) {
      auto bad = proof;
      const std::size_t pos = (i + n) % 3 == 0 ? 0 : ((i + n) % 3 == 1 ? bad[n].size() / 2 : bad[n].size() - 1);
      bad[n][pos] ^= 0x01;
      auto t = verify_receipt_proof(b.root, i, bad);
      CHECK_FALSE(t.has_value());
      ++tampered;
    }
    // The proof of i says nothing about another index.
    const std::uint64_t other = (i + 1) % b.receipts.size();
    CHECK_FALSE(verify_receipt_proof(b.root, other, proof).has_value());
  }
  CHECK(verified == 130);
  CHECK(tampered >= 130 * 2);
}

TEST_CASE("receipt proof: absent index, zero root, wrong root, truncated and empty proofs are rejected") {
  const Block b = make_block(20);
  const auto absent = prove(b.trie, receipt_trie_key(20));
  auto r = verify_receipt_proof(b.root, 20, absent);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Code::MptProof);

  const auto p5 = prove(b.trie, receipt_trie_key(5));
  CHECK(verify_receipt_proof(Hash32{}, 5, p5).error().code == Code::ZeroRoot);  // A01
  Hash32 other_root = b.root;
  other_root.b[0] ^= 1;
  CHECK(verify_receipt_proof(other_root, 5, p5).error().code == Code::MptProof);
  std::vector<Bytes> truncated(p5.begin(), p5.end() - 1);
  CHECK(verify_receipt_proof(b.root, 5, truncated).error().code == Code::MptProof);
  CHECK(verify_receipt_proof(b.root, 5, std::vector<Bytes>{}).error().code == Code::MptProof);
  // The empty block: no receipt at all.
  CHECK(verify_receipt_proof(empty_trie_root(), 0, std::vector<Bytes>{}).error().code == Code::MptProof);
}

TEST_CASE("one receipt, one claim: the same receipt proven with other node encodings is rejected") {
  // Single-receipt block: the canonical trie is one leaf [HP(nibbles of 0x80 = 8,0), receipt].
  const Receipt rc = sample(1);
  const Bytes value = encode_receipt(rc).value();
  mpt::Trie trie;
  REQUIRE(trie.put(receipt_trie_key(0), value));
  const Hash32 root = trie.root();
  const auto proof = prove(trie, receipt_trie_key(0));
  REQUIRE(proof.size() == 1);
  REQUIRE(verify_receipt_proof(root, 0, proof).value() == rc);

  auto leaf = [&](std::vector<std::uint8_t> path, ByteView v) {
    return rlp::encode_list(
        std::vector<Bytes>{rlp::encode_bytes(mpt::hex_prefix_encode(path, true)), rlp::encode_bytes(v)});
  };
  auto branch = [&](std::size_t slot, const Bytes& child) {
    std::vector<Bytes> slots(17, Bytes{0x80});
    slots[slot] = rlp::encode_bytes(keccak256(child).view());
    return rlp::encode_list(slots);
  };
  struct Alt {
    const char* name;
    Hash32 root;
    std::vector<Bytes> proof;
    Code code;
  };
  std::vector<Alt> alts;
  // 1. The canonical proof with the leaf listed twice.
  alts.push_back({"canonical proof plus a repeated node", root, {proof[0], proof[0]}, Code::MptProof});
  // 2. Branch with a single child at nibble 8, then a leaf for the remaining nibble 0.
  {
    const Bytes l = leaf({0}, value);
    const Bytes br = branch(8, l);
    alts.push_back({"one-child branch above a shorter leaf", keccak256(br), {br, l}, Code::MptNodeEncoding});
  }
  // 3. Extension over nibble 8 to a one-child branch.
  {
    const Bytes l = leaf({}, value);
    const Bytes br = branch(0, l);
    const Bytes ext_path = mpt::hex_prefix_encode(std::vector<std::uint8_t>{8}, false);
    const Bytes ext =
        rlp::encode_list(std::vector<Bytes>{rlp::encode_bytes(ext_path), rlp::encode_bytes(keccak256(br).view())});
    alts.push_back({"extension to a one-child branch", keccak256(ext), {ext, br, l}, Code::MptNodeEncoding});
  }
  // 4. The same leaf with a non-canonical RLP list header (length-of-length with a leading zero).
  {
    Bytes nc = proof[0];
    REQUIRE(nc[0] == 0xf9);
    nc[0] = 0xfa;
    nc.insert(nc.begin() + 1, 0x00);
    alts.push_back({"non-canonical RLP list header of the leaf", keccak256(nc), {nc}, Code::RlpNonCanonical});
  }
  // 5. A canonical trie whose leaf holds the receipt in a non-canonical receipt encoding (cumulative gas
  //    with a leading zero byte).
  {
    auto items = rlp::decode(ByteView(value).subspan(1)).value().items;  // sample(1) is type 0x01
    std::vector<Bytes> f;
    for (const auto& it : items) f.emplace_back(it.raw.begin(), it.raw.end());
    const auto& g = items[1].payload;
    Bytes gas;
    gas.reserve(g.size() + 1);
    gas.push_back(0x00);
    gas.insert(gas.end(), g.begin(), g.end());
    f[1] = rlp::encode_bytes(gas);
    const Bytes body = rlp::encode_list(f);
    Bytes nc_value;
    nc_value.reserve(body.size() + 1);
    nc_value.push_back(0x01);
    nc_value.insert(nc_value.end(), body.begin(), body.end());
    mpt::Trie t2;
    REQUIRE(t2.put(receipt_trie_key(0), nc_value));
    alts.push_back({"receipt value with a non-minimal integer", t2.root(), prove(t2, receipt_trie_key(0)),
                    Code::RlpNonCanonical});
  }
  // 6. A legacy receipt wrapped in a 0x00 type byte.
  {
    Receipt legacy = rc;
    legacy.type = TxType::Legacy;
    const Bytes enc = encode_receipt(legacy).value();
    Bytes wrapped;
    wrapped.reserve(enc.size() + 1);
    wrapped.push_back(0x00);
    wrapped.insert(wrapped.end(), enc.begin(), enc.end());
    mpt::Trie t3;
    REQUIRE(t3.put(receipt_trie_key(0), wrapped));
    alts.push_back({"legacy receipt behind a 0x00 type byte", t3.root(), prove(t3, receipt_trie_key(0)),
                    Code::ReceiptEncoding});
  }
  REQUIRE(alts.size() == 6);
  for (const auto& a : alts) {
    INFO(a.name);
    auto r = verify_receipt_proof(a.root, 0, a.proof);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == a.code);
  }
}

// ---- accounts and storage ------------------------------------------------------------------------------

TEST_CASE("account proofs of a synthetic state trie: present accounts, proven absence, tampering") {
  mpt::Trie state;
  std::vector<std::pair<Address, Account>> accounts;
  for (std::uint8_t i = 1; i <= 40; ++i) {
    Account a;
    a.nonce = i * 3u;
    a.balance = abi::u256_from_u64(1000000000000000000ull * i);
    if (i % 4 == 0) a.balance.fill(0xff);  // a full-width balance
    a.storage_hash = i % 2 == 0 ? empty_trie_root() : filled(i);
    a.code_hash = i % 3 == 0 ? empty_code_hash() : filled(static_cast<std::uint8_t>(0x80 + i));
    accounts.emplace_back(addr(i), a);
    REQUIRE(state.put(keccak256(addr(i)).view(), encode_account(a)));
  }
  const Hash32 root = state.root();
  int checked = 0;
  for (const auto& [address, account] : accounts) {
    const auto proof = prove(state, keccak256(address).view());
    CHECK(verify_account_proof(root, address, proof).value() == account);
    auto bad = proof;
    bad.back()[bad.back().size() - 1] ^= 0x01;
    CHECK_FALSE(verify_account_proof(root, address, bad).has_value());
    ++checked;
  }
  CHECK(checked == 40);

  const Address missing = addr(0xee);
  const auto absence = prove(state, keccak256(missing).view());
  const Account empty = verify_account_proof(root, missing, absence).value();
  CHECK(empty == empty_account());
  CHECK(empty.nonce == 0);
  CHECK(empty.balance == U256{});
  CHECK(to_hex(empty.storage_hash.view()) == "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421");
  CHECK(to_hex(empty.code_hash.view()) == "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  CHECK(verify_account_proof(Hash32{}, missing, absence).error().code == Code::ZeroRoot);
  // A proof for another address cannot be reused.
  const auto p1 = prove(state, keccak256(addr(1)).view());
  CHECK_FALSE(verify_account_proof(root, addr(2), p1).has_value());
}

TEST_CASE("account leaf values must be canonical [nonce, balance, storageRoot, codeHash]") {
  const Bytes h32 = rlp::encode_bytes(filled(1).view());
  auto acct = [](std::vector<Bytes> f) { return rlp::encode_list(f); };
  struct Case {
    const char* name;
    Bytes leaf;
    Code code;
  };
  const std::vector<Case> cases = {
      {"five fields", acct({rlp::encode_uint(1), rlp::encode_uint(2), h32, h32, h32}), Code::AccountEncoding},
      {"three fields", acct({rlp::encode_uint(1), rlp::encode_uint(2), h32}), Code::AccountEncoding},
      {"not a list", rlp::encode_bytes(Bytes{1, 2}), Code::AccountEncoding},
      {"31-byte storage root", acct({rlp::encode_uint(1), rlp::encode_uint(2), rlp::encode_bytes(Bytes(31, 1)), h32}),
       Code::AccountEncoding},
      {"33-byte code hash", acct({rlp::encode_uint(1), rlp::encode_uint(2), h32, rlp::encode_bytes(Bytes(33, 1))}),
       Code::AccountEncoding},
      {"nonce with a leading zero", acct({rlp::encode_bytes(Bytes{0, 1}), rlp::encode_uint(2), h32, h32}),
       Code::RlpNonCanonical},
      {"nonce over 64 bits", acct({rlp::encode_bytes(Bytes(9, 1)), rlp::encode_uint(2), h32, h32}), Code::Overflow},
      {"balance over 256 bits", acct({rlp::encode_uint(1), rlp::encode_bytes(Bytes(33, 1)), h32, h32}), Code::Overflow},
      {"a list inside", acct({rlp::encode_uint(1), rlp::encode_list(std::vector<Bytes>{}), h32, h32}),
       Code::AccountEncoding},
  };
  REQUIRE(cases.size() == 9);
  for (const auto& c : cases) {
    INFO(c.name);
    CHECK(decode_account(c.leaf).error().code == c.code);
    mpt::Trie t;
    REQUIRE(t.put(keccak256(addr(9)).view(), c.leaf));
    auto r = verify_account_proof(t.root(), addr(9), prove(t, keccak256(addr(9)).view()));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == c.code);
  }
}

TEST_CASE("storage proofs: words, proven absence as zero, and canonical value encoding") {
  mpt::Trie storage;
  std::vector<std::pair<Hash32, Hash32>> slots;
  for (std::uint8_t i = 0; i < 30; ++i) {
    Hash32 slot = word(i);
    Hash32 value;
    value.b[31] = static_cast<std::uint8_t>(i + 1);
    if (i % 3 == 1) value = filled(static_cast<std::uint8_t>(0x40 + i));  // full width
    if (i % 5 == 2) value.b[0] = 0, value.b[1] = 0, value.b[2] = 0x7f;    // leading zero bytes in the word
    slots.emplace_back(slot, value);
    REQUIRE(storage.put(keccak256(slot.view()).view(), rlp::encode_uint_be(value.view())));
  }
  const Hash32 root = storage.root();
  int checked = 0;
  for (const auto& [slot, value] : slots) {
    CHECK(verify_storage_proof(root, slot, prove(storage, keccak256(slot.view()).view())).value() == value);
    ++checked;
  }
  CHECK(checked == 30);
  const Hash32 missing = word(1000);
  CHECK(verify_storage_proof(root, missing, prove(storage, keccak256(missing.view()).view())).value() == Hash32{});
  CHECK(verify_storage_proof(Hash32{}, missing, std::vector<Bytes>{}).error().code == Code::ZeroRoot);
  // The empty storage trie: every slot reads 0 with the empty proof.
  CHECK(verify_storage_proof(empty_trie_root(), missing, std::vector<Bytes>{}).value() == Hash32{});

  struct Case {
    const char* name;
    Bytes leaf;
    Code code;
  };
  const std::vector<Case> bad = {
      {"a stored zero", Bytes{0x80}, Code::StorageEncoding},
      {"a leading zero byte", rlp::encode_bytes(Bytes{0x00, 0x01}), Code::RlpNonCanonical},
      {"the byte 0x00", Bytes{0x00}, Code::RlpNonCanonical},
      {"33 bytes", rlp::encode_bytes(Bytes(33, 1)), Code::Overflow},
      {"a list", rlp::encode_list(std::vector<Bytes>{rlp::encode_uint(1)}), Code::StorageEncoding},
      {"raw bytes that are not RLP", Bytes{0x83, 0x01}, Code::RlpTruncated},
  };
  for (const auto& c : bad) {
    INFO(c.name);
    mpt::Trie t;
    const Hash32 slot = word(5);
    REQUIRE(t.put(keccak256(slot.view()).view(), c.leaf));
    auto r = verify_storage_proof(t.root(), slot, prove(t, keccak256(slot.view()).view()));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == c.code);
  }
}

TEST_CASE("storage proof: the endpoint's receipts[commitment] slot reads the ack commitment, then 0 when absent") {
  const Hash32 commitment = filled(0xc7);
  const Hash32 slot = packet::receipt_storage_slot(commitment);
  Hash32 ack = filled(0x5e);
  ack.b[0] = 0x00;  // stored as a 31-byte integer
  mpt::Trie t;
  REQUIRE(t.put(keccak256(slot.view()).view(), rlp::encode_uint_be(ack.view())));
  REQUIRE(t.put(keccak256(word(77).view()).view(), rlp::encode_uint(1)));
  CHECK(verify_storage_proof(t.root(), slot, prove(t, keccak256(slot.view()).view())).value() == ack);
  const Hash32 other = packet::receipt_storage_slot(filled(0xc8));
  CHECK(verify_storage_proof(t.root(), other, prove(t, keccak256(other.view()).view())).value() == Hash32{});
}

// ---- PacketSent -----------------------------------------------------------------------------------------

TEST_CASE("packet_from_log: a PacketSent log of the endpoint yields its packet; every mutation is rejected") {
  const Address endpoint = addr(0xe7);
  const packet::Packet p = test_packet(7);
  const Log good = packet_log(p, endpoint);
  REQUIRE(packet_from_log(good, endpoint).value() == p);

  struct Case {
    const char* name;
    Log log;
    Code code;
  };
  std::vector<Case> cases;
  auto mutate = [&](const char* name, auto f, Code code) {
    Log l = good;
    f(l);
    cases.push_back({name, std::move(l), code});
  };
  mutate("another emitter", [](Log& l) { l.address[0] ^= 1; }, Code::WrongEmitter);
  mutate("two topics", [](Log& l) { l.topics.pop_back(); }, Code::LogMismatch);
  mutate("four topics", [](Log& l) { l.topics.push_back(Hash32{}); }, Code::LogMismatch);
  mutate("other topic0", [](Log& l) { l.topics[0] = packet::acknowledgement_written_topic0(); }, Code::LogMismatch);
  mutate("wrong commitment topic", [](Log& l) { l.topics[1].b[31] ^= 1; }, Code::LogMismatch);
  mutate("wrong sequence topic", [](Log& l) { l.topics[2] = word(8); }, Code::LogMismatch);
  mutate("sequence topic with high bits", [](Log& l) { l.topics[2].b[0] = 1; }, Code::LogMismatch);
  mutate("trailing data word", [](Log& l) { l.data.insert(l.data.end(), 32, 0); }, Code::AbiDecode);
  mutate("non-zero padding", [](Log& l) { l.data.back() = 1; }, Code::AbiDecode);
  mutate("empty data", [](Log& l) { l.data.clear(); }, Code::AbiDecode);
  // A20: the same commitment/sequence topics over a packet re-addressed to another destination.
  mutate("packet re-addressed (A20)",
         [&](Log& l) {
           packet::Packet q = p;
           q.dest_island = "eip155:31339";
           l.data = log_data(packet::encode_packet(q));
         },
         Code::LogMismatch);
  mutate("packet for another destination genesis (A20)",
         [&](Log& l) {
           packet::Packet q = p;
           q.dest_genesis.b[0] ^= 1;
           l.data = log_data(packet::encode_packet(q));
         },
         Code::LogMismatch);
  mutate("packet bytes that are not a packet",
         [&](Log& l) { l.data = log_data(Bytes(64, 0)); }, Code::AbiDecode);
  REQUIRE(cases.size() == 13);
  for (const auto& c : cases) {
    INFO(c.name);
    auto r = packet_from_log(c.log, endpoint);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == c.code);
  }
  auto r = packet_from_log([&] { Log l = good; l.topics[1].b[0] ^= 1; return l; }(), endpoint);
  CHECK(r.error().at == "topics[1]");
}

TEST_CASE("A19 log from another emitter is not accepted: packets_from_receipt") {
  const Address endpoint = addr(0xe7);
  const Address impostor = addr(0x66);
  const packet::Packet p = test_packet(7);
  Receipt r;
  r.type = TxType::DynamicFee;
  r.status = ReceiptStatus::Success;
  r.cumulative_gas_used = 90000;
  r.logs.push_back(packet_log(p, endpoint));
  Log fake = packet_log(p, impostor);  // identical topics and data
  r.logs.push_back(fake);
  REQUIRE(r.logs[0].topics == r.logs[1].topics);

  const auto both = packets_from_receipt(r, endpoint).value();
  REQUIRE(both.size() == 1);
  CHECK(both[0] == p);

  Receipt only_impostor = r;
  only_impostor.logs.erase(only_impostor.logs.begin());
  CHECK(packets_from_receipt(only_impostor, endpoint).value().empty());
  CHECK(packet_from_log(only_impostor.logs[0], endpoint).error().code == Code::WrongEmitter);

  // Unrelated logs of the endpoint (other topic0) are skipped; a malformed PacketSent of the endpoint is an error.
  Receipt mixed = r;
  mixed.logs.push_back(Log{endpoint, {packet::acknowledgement_written_topic0()}, Bytes{}});
  CHECK(packets_from_receipt(mixed, endpoint).value().size() == 1);
  Log broken = r.logs[0];
  broken.topics[2] = word(99);
  mixed.logs.push_back(broken);
  auto e = packets_from_receipt(mixed, endpoint);
  REQUIRE_FALSE(e.has_value());
  CHECK(e.error().code == Code::LogMismatch);
  CHECK(e.error().at == "logs[3].topics[2]");
}

TEST_CASE("status-0 receipt proves nothing: no packet from a failed or pre-Byzantium receipt") {
  const Address endpoint = addr(0xe7);
  Receipt r;
  r.status = ReceiptStatus::Failed;
  r.logs.push_back(packet_log(test_packet(3), endpoint));
  CHECK(packets_from_receipt(r, endpoint).error().code == Code::ReceiptStatus);
  r.status = ReceiptStatus::PreByzantium;
  r.post_state = filled(1);
  CHECK(packets_from_receipt(r, endpoint).error().code == Code::ReceiptStatus);
}

TEST_CASE("verify_packet_sent: receipt proof, status, log position and emitter end to end") {
  const Address endpoint = addr(0xe7);
  std::vector<Receipt> receipts;
  for (std::size_t i = 0; i < 6; ++i) {
    Receipt r = sample(i);
    r.status = ReceiptStatus::Success;
    receipts.push_back(r);
  }
  receipts[3].logs.insert(receipts[3].logs.begin(), packet_log(test_packet(42), addr(0x66)));  // impostor first
  receipts[3].logs.push_back(packet_log(test_packet(42), endpoint));
  receipts[4].logs.push_back(packet_log(test_packet(43), endpoint));
  receipts[4].status = ReceiptStatus::Failed;
  mpt::Trie trie;
  for (std::size_t i = 0; i < receipts.size(); ++i)
    REQUIRE(trie.put(receipt_trie_key(i), encode_receipt(receipts[i]).value()));
  const Hash32 root = receipts_root(receipts).value();
  REQUIRE(root == trie.root());

  const auto p3 = prove(trie, receipt_trie_key(3));
  const std::size_t last = receipts[3].logs.size() - 1;
  CHECK(verify_packet_sent(root, 3, p3, last, endpoint).value() == test_packet(42));
  CHECK(verify_packet_sent(root, 3, p3, 0, endpoint).error().code == Code::WrongEmitter);
  CHECK(verify_packet_sent(root, 3, p3, last + 1, endpoint).error().code == Code::LogMismatch);
  CHECK(verify_packet_sent(Hash32{}, 3, p3, last, endpoint).error().code == Code::ZeroRoot);
  const auto p4 = prove(trie, receipt_trie_key(4));
  CHECK(verify_packet_sent(root, 4, p4, receipts[4].logs.size() - 1, endpoint).error().code == Code::ReceiptStatus);
}
