#include "causeway/ethereum/proofs.hpp"

#include <algorithm>
#include <string>

#include "causeway/core/abi.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/rlp.hpp"
#include "causeway/merkle/mpt.hpp"

namespace causeway::ethereum {
namespace mpt = causeway::merkle::mpt;

namespace {

Status check_root(const Hash32& root, const char* what) {
  if (root.is_zero()) return fail(Code::ZeroRoot, std::string(what) + " is all zero: never trusted (A01)");
  return {};
}

tl::unexpected<Error> account_error(std::string detail, std::string at = {}) {
  return fail(Code::AccountEncoding, std::move(detail), std::move(at));
}

}  // namespace

// ---- receipts ------------------------------------------------------------------------------------------

Result<Receipt> verify_receipt_proof(const Hash32& receipts_root, std::uint64_t tx_index,
                                     std::span<const Bytes> proof_nodes) {
  if (auto ok = check_root(receipts_root, "receiptsRoot"); !ok) return tl::unexpected(ok.error());
  mpt::ProofLimits limits;
  limits.max_node_bytes = kMaxReceiptProofNodeBytes;
  const Bytes key = receipt_trie_key(tx_index);
  auto value = mpt::verify_proof(receipts_root, key, proof_nodes, limits);
  if (!value) return tl::unexpected(value.error());
  if (!value->has_value())
    return fail(Code::MptProof, "the proof shows there is no receipt at transaction index " + std::to_string(tx_index));
  return decode_receipt(**value);
}

// ---- accounts and storage ------------------------------------------------------------------------------

Hash32 empty_code_hash() noexcept { return keccak256(ByteView()); }

Account empty_account() noexcept {
  Account a;
  a.storage_hash = empty_trie_root();
  a.code_hash = empty_code_hash();
  return a;
}

Bytes encode_account(const Account& a) {
  std::vector<Bytes> f;
  f.reserve(4);
  f.push_back(rlp::encode_uint(a.nonce));
  f.push_back(rlp::encode_uint_be(a.balance));
  f.push_back(rlp::encode_bytes(a.storage_hash.view()));
  f.push_back(rlp::encode_bytes(a.code_hash.view()));
  return rlp::encode_list(f);
}

Result<Account> decode_account(ByteView raw) {
  auto item = rlp::decode(raw, 2);
  if (!item) return tl::unexpected(item.error());
  if (!item->is_list || item->items.size() != 4)
    return account_error("an account is a list [nonce, balance, storageRoot, codeHash]");
  const auto& f = item->items;
  for (std::size_t i = 0; i < 4; ++i)
    if (f[i].is_list) return account_error("a list inside the account", "account[" + std::to_string(i) + "]");
  Account a;
  auto nonce = rlp::to_uint64(f[0]);
  if (!nonce) return fail(nonce.error().code, nonce.error().detail, "nonce");
  a.nonce = *nonce;
  auto bal = rlp::to_uint_be(f[1], 32);
  if (!bal) return fail(bal.error().code, bal.error().detail, "balance");
  std::copy(bal->begin(), bal->end(), a.balance.begin() + static_cast<std::ptrdiff_t>(32 - bal->size()));
  if (f[2].payload.size() != 32) return account_error("storageRoot is not 32 bytes", "storageHash");
  a.storage_hash = Hash32::from(f[2].payload);
  if (f[3].payload.size() != 32) return account_error("codeHash is not 32 bytes", "codeHash");
  a.code_hash = Hash32::from(f[3].payload);
  return a;
}

Result<Account> verify_account_proof(const Hash32& state_root, const Address& address,
                                     std::span<const Bytes> proof) {
  if (auto ok = check_root(state_root, "stateRoot"); !ok) return tl::unexpected(ok.error());
  auto value = mpt::verify_secure_proof(state_root, address, proof);
  if (!value) return tl::unexpected(value.error());
  if (!value->has_value()) return empty_account();
  return decode_account(**value);
}

Result<Hash32> verify_storage_proof(const Hash32& storage_hash, const Hash32& slot, std::span<const Bytes> proof) {
  if (auto ok = check_root(storage_hash, "storageHash"); !ok) return tl::unexpected(ok.error());
  auto value = mpt::verify_secure_proof(storage_hash, slot.view(), proof);
  if (!value) return tl::unexpected(value.error());
  Hash32 word;
  if (!value->has_value()) return word;  // proven absent: reads as 0
  auto item = rlp::decode(**value, 1);
  if (!item) return tl::unexpected(item.error());
  if (item->is_list) return fail(Code::StorageEncoding, "storage value is a list", "value");
  auto be = rlp::to_uint_be(*item, 32);
  if (!be) return fail(be.error().code, be.error().detail, "value");
  if (be->empty())
    return fail(Code::StorageEncoding, "a zero value is never stored (the slot would be absent)", "value");
  std::copy(be->begin(), be->end(), word.b.begin() + static_cast<std::ptrdiff_t>(32 - be->size()));
  return word;
}

// ---- PacketSent ----------------------------------------------------------------------------------------

Result<packet::Packet> packet_from_log(const Log& log, const Address& endpoint) {
  if (log.address != endpoint)
    return fail(Code::WrongEmitter, "PacketSent log from an address other than the registered endpoint", "address");
  if (log.topics.size() != 3)
    return fail(Code::LogMismatch, "PacketSent has 3 topics, the log has " + std::to_string(log.topics.size()),
                "topics");
  if (log.topics[0] != packet::packet_sent_topic0())
    return fail(Code::LogMismatch, "topic0 is not PacketSent(bytes32,uint64,bytes)", "topics[0]");
  // One dynamic `bytes` argument: offset word, length word, the packet padded to 32 bytes.
  if (log.data.size() > 64 + packet::kMaxPacketBytes + 32)
    return fail(Code::TooLarge, "PacketSent data exceeds the largest packet", "data");
  static const abi::Type kDataType = abi::Type::tuple({abi::Type::bytes()});
  auto args = abi::decode(kDataType, log.data);
  if (!args) return fail(args.error().code, args.error().detail, "data");
  const Bytes& packet_bytes = args->as_tuple()[0].as_bytes();
  auto p = packet::decode_packet(packet_bytes);
  if (!p) return fail(p.error().code, p.error().detail, "data");
  if (packet::commitment(packet_bytes) != log.topics[1])
    return fail(Code::LogMismatch, "topic1 is not keccak256(packet bytes)", "topics[1]");
  const abi::U256 seq = abi::u256_from_u64(p->sequence);
  if (!std::equal(seq.begin(), seq.end(), log.topics[2].b.begin()))
    return fail(Code::LogMismatch, "topic2 is not the packet's sequence", "topics[2]");
  return p;
}

Result<std::vector<packet::Packet>> packets_from_receipt(const Receipt& receipt, const Address& endpoint) {
  if (auto ok = require_success(receipt); !ok) return tl::unexpected(ok.error());
  const Hash32 topic0 = packet::packet_sent_topic0();
  std::vector<packet::Packet> out;
  for (std::size_t i = 0; i < receipt.logs.size(); ++i) {
    const Log& log = receipt.logs[i];
    if (log.address != endpoint) continue;  // A19: only the registered endpoint's logs count
    if (log.topics.empty() || log.topics[0] != topic0) continue;
    auto p = packet_from_log(log, endpoint);
    if (!p) return fail(p.error().code, p.error().detail, "logs[" + std::to_string(i) + "]." + p.error().at);
    out.push_back(std::move(*p));
  }
  return out;
}

Result<packet::Packet> verify_packet_sent(const Hash32& receipts_root, std::uint64_t tx_index,
                                          std::span<const Bytes> proof_nodes, std::size_t log_index,
                                          const Address& endpoint) {
  auto receipt = verify_receipt_proof(receipts_root, tx_index, proof_nodes);
  if (!receipt) return tl::unexpected(receipt.error());
  if (auto ok = require_success(*receipt); !ok) return tl::unexpected(ok.error());
  if (log_index >= receipt->logs.size())
    return fail(Code::LogMismatch, "the receipt has no log " + std::to_string(log_index), "log_index");
  return packet_from_log(receipt->logs[log_index], endpoint);
}

}  // namespace causeway::ethereum
