// Test support for family `ethereum` proof bundles (PROOF-BUNDLE.md): a block body and a world state built
// here (receipts with PacketSent logs of packets made with core's packet codec; accounts with storage), the
// tries over them (merkle::mpt::Trie), and header chains sealed here for every consensus mode (QBFT and IBFT 2.0
// with 4 validators, Clique with 3 signers, rpc-trusted) with the keys of tests/unit/ethereum/consensus_support.hpp.
// Receipts and accounts are encoded here from their definitions (Yellow Paper §4.1, §4.4.1, EIP-2718) with
// core's RLP primitives, not with the light client's encoders, so an encoder bug cannot hide itself.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bundle_support.hpp"
#include "causeway/core/abi.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/core/packet.hpp"
#include "causeway/core/rlp.hpp"
#include "causeway/ethereum/besu_bft.hpp"
#include "causeway/ethereum/clique.hpp"
#include "causeway/ethereum/consensus.hpp"
#include "causeway/ethereum/header.hpp"
#include "causeway/ethereum/proofs.hpp"
#include "causeway/ethereum/receipt.hpp"
#include "causeway/merkle/mpt.hpp"
#include "consensus_support.hpp"

namespace causeway::proofs::ethtest {

using nlohmann::json;
namespace eth = causeway::ethereum;
using causeway::proofs::test::kVerifyTime;

inline constexpr std::uint64_t kAnchorNumber = 100;
inline constexpr std::uint64_t kProvingNumber = 102;  // the block whose receipts hold the packets
inline constexpr std::size_t kHeaderCount = 6;        // headers 101 … 106 after the anchor
inline constexpr std::uint64_t kTip = kAnchorNumber + kHeaderCount;
inline constexpr std::uint64_t kT0 = static_cast<std::uint64_t>(kVerifyTime) - 600;  // anchor time
inline constexpr std::uint64_t kStepS = 2;                                           // seconds between blocks
inline const std::string kDevIsland = "eip155:31337";

inline eth::Address addr(std::uint8_t fill) {
  eth::Address a;
  a.fill(fill);
  return a;
}
inline const eth::Address kEndpoint = addr(0xe1);  // the island's endpoint contract
inline const eth::Address kImpostor = addr(0x1f);  // another contract emitting look-alike logs (A19)
inline const eth::Address kEoa = addr(0x0a);       // an externally owned account
inline const eth::Address kAbsent = addr(0xab);    // not in the state

inline std::string hex(ByteView b) { return to_hex(b); }
inline std::string hex(const eth::Address& a) { return to_hex(ByteView(a.data(), a.size())); }
inline std::string hex(const Hash32& h) { return to_hex(h.view()); }
inline Hash32 word(std::uint64_t v) { return Hash32{abi::u256_from_u64(v)}; }
inline Hash32 word(const eth::Address& a) {
  Hash32 w;
  std::copy(a.begin(), a.end(), w.b.begin() + 12);
  return w;
}
inline Hash32 keccak_str(std::string_view s) {
  return keccak256(ByteView(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}

// The decimal string of a 256-bit big-endian integer (bundle quantities).
inline std::string decimal(const eth::U256& v) {
  eth::U256 x = v;
  std::string out;
  for (;;) {
    bool zero = true;
    unsigned rem = 0;
    for (auto& byte : x) {
      const unsigned cur = rem * 256u + byte;
      byte = static_cast<std::uint8_t>(cur / 10u);
      rem = cur % 10u;
      zero = zero && byte == 0;
    }
    out.insert(out.begin(), static_cast<char>('0' + rem));
    if (zero) return out;
  }
}

// ---- packets and logs (PACKET.md "Packet", "Source events") --------------------------------------------

inline packet::Packet sample_packet(std::uint64_t sequence, std::string dest_island = "eip155:31338") {
  packet::Packet p;
  p.source_island = kDevIsland;
  p.source_genesis = keccak_str("genesis of eip155:31337");
  p.source_channel = "channel-0";
  p.source_port = "transfer";
  p.dest_island = std::move(dest_island);
  p.dest_genesis = keccak_str("genesis of the destination");
  p.dest_channel = "channel-1";
  p.dest_port = "transfer";
  p.sequence = sequence;
  p.sender = Bytes(20, 0x5e);
  p.receiver = Bytes(20, 0x7e);
  packet::TransferPayload t;
  t.denom = hex(kEndpoint);
  t.amount = abi::u256_from_u64(1000);
  t.sender = p.sender;
  t.receiver = p.receiver;
  t.memo = "eth bundle test";
  p.payload = packet::encode_transfer_payload(t);
  p.timeout_height = 5000;
  return p;
}

// keccak256("PacketSent(bytes32,uint64,bytes)"), computed here from the signature.
inline Hash32 packet_sent_topic0() { return keccak_str("PacketSent(bytes32,uint64,bytes)"); }

inline Bytes abi_bytes_arg(ByteView b) {
  return abi::encode(abi::Type::tuple({abi::Type::bytes()}), abi::Value::tuple({abi::Value::bytes(b)}));
}

// A PacketSent log: topics [topic0, commitment, sequence], data abi.encode(bytes packet_bytes).
inline eth::Log packet_sent_log(const eth::Address& emitter, const Bytes& packet_bytes, const Hash32& commitment,
                                std::uint64_t sequence) {
  return eth::Log{emitter, {packet_sent_topic0(), commitment, word(sequence)}, abi_bytes_arg(packet_bytes)};
}
inline eth::Log packet_sent_log(const eth::Address& emitter, const packet::Packet& p) {
  const Bytes pb = packet::encode_packet(p);
  return packet_sent_log(emitter, pb, keccak256(pb), p.sequence);
}

// The TestEndpoint's Ping(address indexed from, uint256 indexed count, bytes note).
inline eth::Log ping_log(const eth::Address& emitter, std::uint64_t count) {
  const std::string note = "ping";
  return eth::Log{emitter,
                  {keccak_str("Ping(address,uint256,bytes)"), word(kEoa), word(count)},
                  abi_bytes_arg(ByteView(reinterpret_cast<const std::uint8_t*>(note.data()), note.size()))};
}

// ---- encodings from the definitions ---------------------------------------------------------------------

inline Bytes rlp_list(const std::vector<Bytes>& items) { return rlp::encode_list(items); }

// EIP-2718 receipt: type byte ‖ RLP([status, cumulativeGasUsed, logsBloom, logs]) (legacy: no type byte).
inline Bytes encode_receipt_here(const eth::Receipt& r) {
  std::vector<Bytes> logs;
  for (const eth::Log& l : r.logs) {
    std::vector<Bytes> topics;
    for (const Hash32& t : l.topics) topics.push_back(rlp::encode_bytes(t.view()));
    logs.push_back(rlp_list({rlp::encode_bytes(ByteView(l.address.data(), l.address.size())), rlp_list(topics),
                             rlp::encode_bytes(l.data)}));
  }
  const Bytes status = r.status == eth::ReceiptStatus::Success ? rlp::encode_bytes(Bytes{1}) : rlp::encode_bytes({});
  Bytes body = rlp_list({status, rlp::encode_uint(r.cumulative_gas_used),
                         rlp::encode_bytes(ByteView(r.logs_bloom.data(), r.logs_bloom.size())), rlp_list(logs)});
  if (r.type == eth::TxType::Legacy) return body;
  Bytes out{static_cast<std::uint8_t>(r.type)};
  append(out, body);
  return out;
}

// RLP([nonce, balance, storageRoot, codeHash]) (Yellow Paper §4.1).
inline Bytes encode_account_here(const eth::Account& a) {
  return rlp_list({rlp::encode_uint(a.nonce), rlp::encode_uint_be(ByteView(a.balance.data(), a.balance.size())),
                   rlp::encode_bytes(a.storage_hash.view()), rlp::encode_bytes(a.code_hash.view())});
}

// ---- the proving block's receipts and the world state ----------------------------------------------------

// Receipts of the proving block, by transaction index.
enum Tx : std::size_t {
  kTxPing = 0,        // Ping only
  kTxPacket = 1,      // Ping, then PacketSent of the endpoint (log index 1 inside the receipt)
  kTxReverted = 2,    // status 0 with a PacketSent log: proves nothing
  kTxTwoEmitters = 3, // A19: the impostor's PacketSent (log 0), then the endpoint's identical one (log 1)
  kTxImpostor = 4,    // A19: only the impostor's PacketSent
  kTxUnbound = 5,     // A20: the endpoint logs a packet to eip155:31339 under the commitment of the real packet
  kTxCount = 6,
};

struct Account {
  eth::Account fields;
  std::map<Hash32, Hash32> storage;  // slot → non-zero word
};

struct Fixture {
  packet::Packet packet;
  Bytes packet_bytes;
  Hash32 commitment;
  packet::Packet unbound_packet;  // same identity, destination eip155:31339
  std::vector<eth::Receipt> receipts;
  merkle::mpt::Trie receipt_trie;
  Hash32 receipts_root;
  Hash32 ack_commitment;
  Hash32 receipt_slot;  // receipts[commitment] (PACKET.md: slot keccak256(commitment ‖ uint256(0)))
  Hash32 other_slot;    // slot 1 (a counter)
  Hash32 absent_slot;
  std::map<eth::Address, Account> accounts;
  std::map<eth::Address, merkle::mpt::Trie> storage_tries;
  merkle::mpt::Trie state_trie;
  Hash32 state_root;
};

inline Bytes receipt_key(std::uint64_t i) { return rlp::encode_uint(i); }

inline const Fixture& fixture() {
  static const Fixture f = [] {
    Fixture x;
    x.packet = sample_packet(7);
    x.packet_bytes = packet::encode_packet(x.packet);
    x.commitment = keccak256(x.packet_bytes);
    x.unbound_packet = sample_packet(7, "eip155:31339");

    const auto receipt = [](eth::TxType type, eth::ReceiptStatus status, std::uint64_t gas,
                            std::vector<eth::Log> logs) {
      eth::Receipt r;
      r.type = type;
      r.status = status;
      r.cumulative_gas_used = gas;
      r.logs = std::move(logs);
      return r;
    };
    const Bytes unbound_bytes = packet::encode_packet(x.unbound_packet);
    x.receipts = {
        receipt(eth::TxType::DynamicFee, eth::ReceiptStatus::Success, 30000, {ping_log(kEndpoint, 1)}),
        receipt(eth::TxType::DynamicFee, eth::ReceiptStatus::Success, 90000,
                {ping_log(kEndpoint, 2), packet_sent_log(kEndpoint, x.packet)}),
        receipt(eth::TxType::Legacy, eth::ReceiptStatus::Failed, 120000, {packet_sent_log(kEndpoint, x.packet)}),
        receipt(eth::TxType::AccessList, eth::ReceiptStatus::Success, 180000,
                {packet_sent_log(kImpostor, x.packet), packet_sent_log(kEndpoint, x.packet)}),
        receipt(eth::TxType::Legacy, eth::ReceiptStatus::Success, 210000, {packet_sent_log(kImpostor, x.packet)}),
        receipt(eth::TxType::DynamicFee, eth::ReceiptStatus::Success, 250000,
                {packet_sent_log(kEndpoint, unbound_bytes, x.commitment, 7)}),
    };
    for (std::size_t i = 0; i < x.receipts.size(); ++i)
      REQUIRE(x.receipt_trie.put(receipt_key(i), encode_receipt_here(x.receipts[i])));
    x.receipts_root = x.receipt_trie.root();

    x.ack_commitment = keccak_str("ack of packet 7");
    Bytes pre(x.commitment.b.begin(), x.commitment.b.end());
    pre.resize(64, 0);
    x.receipt_slot = keccak256(pre);
    x.other_slot = word(1);
    x.absent_slot = packet::receipt_storage_slot(keccak_str("no such packet"));

    Account endpoint;
    endpoint.fields.nonce = 1;
    endpoint.fields.code_hash = keccak_str("TestEndpoint runtime code");
    endpoint.storage = {{x.receipt_slot, x.ack_commitment}, {x.other_slot, word(5)}};
    Account eoa;
    eoa.fields.nonce = 7;
    eoa.fields.balance = abi::u256_from_u64(0);
    eoa.fields.balance[20] = 0x01;  // 2^88 + 12345: above 64 bits, so the decimal string form is exercised
    eoa.fields.balance[30] = 0x30;
    eoa.fields.balance[31] = 0x39;
    eoa.fields.code_hash = eth::empty_code_hash();
    x.accounts = {{kEndpoint, endpoint}, {kEoa, eoa}};
    for (std::uint8_t i = 1; i <= 24; ++i) {  // fillers, so that proofs have a few levels
      Account filler;
      filler.fields.nonce = i;
      filler.fields.balance = abi::u256_from_u64(1000u * i);
      filler.fields.code_hash = eth::empty_code_hash();
      eth::Address a = addr(i);
      a[0] = 0x77;
      x.accounts.emplace(a, filler);
    }
    for (auto& [a, acc] : x.accounts) {
      merkle::mpt::Trie st;
      for (const auto& [slot, value] : acc.storage)
        REQUIRE(st.put(keccak256(slot.view()).view(), rlp::encode_uint_be(value.view())));
      acc.fields.storage_hash = st.root();
      x.storage_tries.emplace(a, std::move(st));
      REQUIRE(x.state_trie.put(keccak256(ByteView(a.data(), a.size())).view(), encode_account_here(acc.fields)));
    }
    x.state_root = x.state_trie.root();
    return x;
  }();
  return f;
}

// ---- header chains ----------------------------------------------------------------------------------------

inline std::string mode_name(eth::ConsensusMode m) { return std::string(eth::consensus_mode_name(m)); }
inline bool is_bft(eth::ConsensusMode m) {
  return m == eth::ConsensusMode::Qbft || m == eth::ConsensusMode::Ibft2;
}
inline eth::bft::Variant variant_of(eth::ConsensusMode m) {
  return m == eth::ConsensusMode::Ibft2 ? eth::bft::Variant::Ibft2 : eth::bft::Variant::Qbft;
}
inline constexpr std::uint64_t kCliqueEpoch = 100;  // the anchor (100) is a checkpoint listing the signers

// Block hash under the mode's rule (Besu BFT: seals and round excluded).
inline Hash32 block_hash(eth::ConsensusMode m, const eth::Header& h) {
  return is_bft(m) ? eth::bft::block_hash(variant_of(m), h).value() : eth::header_hash(h).value();
}

struct Chain {
  eth::ConsensusMode mode = eth::ConsensusMode::Qbft;
  std::string island = kDevIsland;
  std::vector<ethereum::test::Signer> signers;  // sorted by address
  std::vector<eth::Header> headers;            // [0] the anchor (100), then 101 … 106
  const eth::Header& at(std::uint64_t number) const { return headers.at(number - kAnchorNumber); }
  Hash32 hash_at(std::uint64_t number) const { return block_hash(mode, at(number)); }
};

// Seals `h` (all non-consensus fields set) for the chain's mode: BFT with the first `nseals` validators' keys
// (proposer = first validator); Clique by the in-turn signer (difficulty 2), the anchor listing the signers;
// rpc-trusted unchanged.
inline eth::Header seal(const Chain& c, eth::Header h, std::size_t nseals) {
  using namespace causeway::ethereum::test;
  if (is_bft(c.mode)) {
    const auto v = variant_of(c.mode);
    h.difficulty = abi::u256_from_u64(1);
    h.mix_hash = eth::bft::expected_mix_hash();
    h.beneficiary = c.signers.at(0).address;
    eth::bft::ExtraData e;
    e.vanity.assign(32, 0);
    e.validators = addresses(c.signers);
    h.extra_data = eth::bft::encode_extra(v, e);
    const Hash32 digest = eth::bft::committed_seal_hash(v, h).value();
    for (const auto& k : keys_of(c.signers, nseals)) e.seals.push_back(seal_of(digest, k));
    h.extra_data = eth::bft::encode_extra(v, e);
  } else if (c.mode == eth::ConsensusMode::Clique) {
    const auto& signer = c.signers.at(h.number % c.signers.size());
    h.difficulty = abi::u256_from_u64(2);
    h.extra_data.assign(32, 0x11);
    if (h.number % kCliqueEpoch == 0)
      for (const auto& s : c.signers) h.extra_data.insert(h.extra_data.end(), s.address.begin(), s.address.end());
    h.extra_data.resize(h.extra_data.size() + 65, 0);
    const auto sig = seal_of(eth::clique::seal_hash(h).value(), signer.key);
    std::copy(sig.begin(), sig.end(), h.extra_data.end() - 65);
  } else {
    h.extra_data = {'d', 'e', 'v'};
  }
  return h;
}

inline std::size_t full_seals(const Chain& c) { return c.signers.size(); }

// A header of block `number` on `parent` with the fixture's roots (receipts only in the proving block).
inline eth::Header plain_header(const Chain& c, std::uint64_t number, const Hash32& parent) {
  eth::Header h = ethereum::test::base_header(number, parent, kT0 + (number - kAnchorNumber) * kStepS);
  h.state_root = fixture().state_root;
  h.receipts_root = number == kProvingNumber ? fixture().receipts_root : eth::empty_trie_root();
  h.gas_used = number == kProvingNumber ? 250000 : 0;
  if (c.mode == eth::ConsensusMode::RpcTrusted) {  // a post-Merge shape (Shanghai) on the dev chain
    h.difficulty = {};
    h.base_fee_per_gas = abi::u256_from_u64(7);
    h.withdrawals_root = eth::empty_trie_root();
  }
  return h;
}

// Anchor 100 and headers 101 … 106, every one fully sealed.
inline Chain make_chain(eth::ConsensusMode mode, std::string island = kDevIsland) {
  Chain c;
  c.mode = mode;
  c.island = std::move(island);
  if (is_bft(mode)) c.signers = ethereum::test::make_signers(4);
  if (mode == eth::ConsensusMode::Clique) c.signers = ethereum::test::make_signers(3, 10);
  Hash32 parent = keccak_str("block 99");
  for (std::uint64_t n = kAnchorNumber; n <= kTip; ++n) {
    c.headers.push_back(seal(c, plain_header(c, n, parent), full_seals(c)));
    parent = c.hash_at(n);
  }
  return c;
}

// Re-seals headers from `number` on (after a change to the header at `number`), so that they link again.
inline void relink_from(Chain& c, std::uint64_t number) {
  for (std::uint64_t n = number + 1; n <= kTip; ++n) {
    eth::Header h = c.at(n);
    h.parent_hash = c.hash_at(n - 1);
    c.headers[n - kAnchorNumber] = seal(c, h, full_seals(c));
  }
}

inline std::string rlp_hex(const eth::Header& h) { return hex(eth::encode_header(h).value()); }

// ---- bundles --------------------------------------------------------------------------------------------

inline json anchor_json(const Chain& c) {
  json a = {{"header", rlp_hex(c.headers.at(0))}};
  if (c.mode == eth::ConsensusMode::RpcTrusted) return a;
  json v = json::array();
  for (const auto& s : c.signers) v.push_back(hex(s.address));
  a["validators"] = v;
  if (c.mode == eth::ConsensusMode::Clique) {
    a["epoch"] = kCliqueEpoch;
    a["period_s"] = kStepS;
  } else {
    a["epoch"] = 30000;
    a["block_period_s"] = 1;
  }
  return a;
}

inline json nodes_json(const std::vector<Bytes>& nodes) {
  json out = json::array();
  for (const Bytes& n : nodes) out.push_back(hex(n));
  return out;
}

// The receipt inclusion of log `log_index` of receipt `tx` of the proving block, claimed as emitted by
// `emitter` (default: the log's own address).
inline json receipt_inclusion(std::size_t tx, std::size_t log_index,
                              std::optional<eth::Address> emitter = std::nullopt) {
  const Fixture& f = fixture();
  const eth::Log& log = f.receipts.at(tx).logs.at(log_index);
  json topics = json::array();
  for (const Hash32& t : log.topics) topics.push_back(hex(t));
  return json{{"kind", "receipt"},
              {"block", kProvingNumber},
              {"tx_index", tx},
              {"proof", nodes_json(f.receipt_trie.prove(receipt_key(tx)).value())},
              {"log_index", log_index},
              {"emitter", hex(emitter.value_or(log.address))},
              {"topics", topics},
              {"data", hex(log.data)}};
}

// The account inclusion of `a` at `block` (an absent address is claimed with the empty account's values).
inline json account_inclusion(const eth::Address& a, std::uint64_t block = kProvingNumber) {
  const Fixture& f = fixture();
  const auto it = f.accounts.find(a);
  const eth::Account acc = it == f.accounts.end() ? eth::empty_account() : it->second.fields;
  return json{{"kind", "account"},
              {"block", block},
              {"address", hex(a)},
              {"proof", nodes_json(f.state_trie.prove(keccak256(ByteView(a.data(), a.size())).view()).value())},
              {"nonce", acc.nonce},
              {"balance", decimal(acc.balance)},
              {"storageHash", hex(acc.storage_hash)},
              {"codeHash", hex(acc.code_hash)}};
}

// The storage inclusion of `slot` of `a` (an absent slot is claimed as the zero word).
inline json storage_inclusion(const eth::Address& a, const Hash32& slot, std::uint64_t block = kProvingNumber) {
  const Fixture& f = fixture();
  json inc = account_inclusion(a, block);
  inc["kind"] = "storage";
  const auto acc = f.accounts.find(a);
  Hash32 value;
  std::vector<Bytes> proof;
  if (acc != f.accounts.end()) {
    if (auto v = acc->second.storage.find(slot); v != acc->second.storage.end()) value = v->second;
    proof = f.storage_tries.at(a).prove(keccak256(slot.view()).view()).value();
  }
  inc["key"] = hex(slot);
  inc["value"] = hex(value);
  inc["storage_proof"] = nodes_json(proof);
  return inc;
}

// A bundle of chain `c` with headers 101 … `tip`.
inline json make_bundle(const Chain& c, json inclusion, std::uint64_t min_confirmations = 1,
                        std::uint64_t tip = kTip) {
  json headers = json::array();
  for (std::uint64_t n = kAnchorNumber + 1; n <= tip; ++n) headers.push_back(rlp_hex(c.at(n)));
  return json{{"version", 1},
              {"family", "ethereum"},
              {"island", c.island},
              {"consensus", mode_name(c.mode)},
              {"anchor", anchor_json(c)},
              {"headers", headers},
              {"inclusion", std::move(inclusion)},
              {"finality", {{"min_confirmations", min_confirmations}}},
              {"verify_time_s", kVerifyTime}};
}

// The result PROOF-BUNDLE.md "Result" prescribes for a valid bundle of chain `c` proving `claim` at `height`.
inline json expected_result(const Chain& c, std::uint64_t height, const json& claim, std::uint64_t min_confirmations,
                            const std::string& trusted = "as-given", std::uint64_t tip = kTip) {
  return json{{"valid", true},
              {"family", "ethereum"},
              {"island", c.island},
              {"consensus", mode_name(c.mode)},
              {"height", height},
              {"header_hash", hex(c.hash_at(height))},
              {"confirmations", tip - height + 1},
              {"min_confirmations", min_confirmations},
              {"claim", claim},
              {"trust", c.mode == eth::ConsensusMode::RpcTrusted ? "rpc-trusted" : "quorum"},
              {"anchor", {{"height", kAnchorNumber}, {"hash", hex(c.hash_at(kAnchorNumber))}, {"trusted", trusted}}},
              {"tip", {{"height", tip}, {"hash", hex(c.hash_at(tip))}}},
              {"verify_time_s", kVerifyTime}};
}

// The claim of the endpoint's PacketSent (receipt kTxPacket, log 1).
inline json packet_claim() {
  const Fixture& f = fixture();
  const eth::Log& log = f.receipts.at(kTxPacket).logs.at(1);
  json topics = json::array();
  for (const Hash32& t : log.topics) topics.push_back(hex(t));
  return json{{"kind", "receipt"},
              {"block", kProvingNumber},
              {"tx_index", static_cast<std::size_t>(kTxPacket)},
              {"log_index", 1},
              {"emitter", hex(kEndpoint)},
              {"topics", topics},
              {"packet",
               {{"commitment", hex(f.commitment)},
                {"sequence", "7"},
                {"source_island", "eip155:31337"},
                {"dest_island", "eip155:31338"}}}};
}

// Flips bit 0 of byte `byte` of a hex string field.
inline void flip_hex_byte(json& field, std::size_t byte) {
  Bytes b = from_hex(field.get<std::string>()).value();
  b.at(byte) ^= 0x01;
  field = hex(b);
}

}  // namespace causeway::proofs::ethtest
