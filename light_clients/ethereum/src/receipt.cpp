#include "causeway/ethereum/receipt.hpp"

#include <algorithm>
#include <string>

#include "causeway/core/hash.hpp"
#include "causeway/core/rlp.hpp"
#include "causeway/merkle/mpt.hpp"

namespace causeway::ethereum {
namespace {

tl::unexpected<Error> enc_error(std::string detail, std::string at = {}) {
  return fail(Code::ReceiptEncoding, std::move(detail), std::move(at));
}

bool is_known_type(std::uint8_t t) { return t <= static_cast<std::uint8_t>(TxType::SetCode); }

Result<Bytes> encode_log(const Log& log, std::size_t i) {
  if (log.topics.size() > kMaxTopics)
    return enc_error("a log has at most 4 topics", "logs[" + std::to_string(i) + "].topics");
  std::vector<Bytes> topics;
  topics.reserve(log.topics.size());
  for (const Hash32& t : log.topics) topics.push_back(rlp::encode_bytes(t.view()));
  std::vector<Bytes> fields;
  fields.push_back(rlp::encode_bytes(log.address));
  fields.push_back(rlp::encode_list(topics));
  fields.push_back(rlp::encode_bytes(log.data));
  return rlp::encode_list(fields);
}

Result<Log> decode_log(const rlp::Item& item, std::size_t i) {
  const std::string at = "logs[" + std::to_string(i) + "]";
  if (!item.is_list || item.items.size() != 3) return enc_error("a log is a list [address, topics, data]", at);
  const auto& f = item.items;
  Log log;
  if (f[0].is_list || f[0].payload.size() != 20) return enc_error("address is not 20 bytes", at + ".address");
  std::copy(f[0].payload.begin(), f[0].payload.end(), log.address.begin());
  if (!f[1].is_list) return enc_error("topics is not a list", at + ".topics");
  if (f[1].items.size() > kMaxTopics) return enc_error("a log has at most 4 topics", at + ".topics");
  for (std::size_t t = 0; t < f[1].items.size(); ++t) {
    const auto& ti = f[1].items[t];
    if (ti.is_list || ti.payload.size() != 32)
      return enc_error("topic is not 32 bytes", at + ".topics[" + std::to_string(t) + "]");
    log.topics.push_back(Hash32::from(ti.payload));
  }
  if (f[2].is_list) return enc_error("data is a list", at + ".data");
  log.data.assign(f[2].payload.begin(), f[2].payload.end());
  return log;
}

}  // namespace

Result<Bytes> encode_receipt(const Receipt& r) {
  const auto type = static_cast<std::uint8_t>(r.type);
  if (!is_known_type(type)) return enc_error("unknown receipt type " + std::to_string(type), "type");
  std::vector<Bytes> fields;
  fields.reserve(4);
  switch (r.status) {
    case ReceiptStatus::Failed:
      fields.push_back(rlp::encode_bytes({}));
      break;
    case ReceiptStatus::Success: {
      const std::uint8_t one = 0x01;
      fields.push_back(rlp::encode_bytes(ByteView(&one, 1)));
      break;
    }
    case ReceiptStatus::PreByzantium:
      if (r.type != TxType::Legacy)
        return enc_error("a typed receipt carries a status, not a post-state root", "status");
      fields.push_back(rlp::encode_bytes(r.post_state.view()));
      break;
    default:
      return enc_error("unknown status", "status");
  }
  fields.push_back(rlp::encode_uint(r.cumulative_gas_used));
  fields.push_back(rlp::encode_bytes(r.logs_bloom));
  std::vector<Bytes> logs;
  logs.reserve(r.logs.size());
  for (std::size_t i = 0; i < r.logs.size(); ++i) {
    auto l = encode_log(r.logs[i], i);
    if (!l) return tl::unexpected(l.error());
    logs.push_back(std::move(*l));
  }
  fields.push_back(rlp::encode_list(logs));
  Bytes body = rlp::encode_list(fields);
  if (r.type == TxType::Legacy) return body;
  Bytes out;
  out.reserve(body.size() + 1);
  out.push_back(type);
  append(out, body);
  return out;
}

Result<Receipt> decode_receipt(ByteView encoded, std::size_t max_bytes) {
  if (encoded.size() > max_bytes)
    return fail(Code::TooLarge, "receipt of " + std::to_string(encoded.size()) + " bytes exceeds its bound");
  if (encoded.empty()) return enc_error("empty receipt");
  Receipt r;
  ByteView body = encoded;
  if (encoded[0] < 0x80) {  // EIP-2718: a first byte in [0, 0x7f] is a type
    if (encoded[0] == 0 || !is_known_type(encoded[0]))
      return enc_error("unknown receipt type " + std::to_string(encoded[0]), "type");
    r.type = static_cast<TxType>(encoded[0]);
    body = encoded.subspan(1);
  } else if (encoded[0] < 0xc0) {
    return enc_error("a legacy receipt is an RLP list", "type");
  }
  // receipt list (1) → logs (2) → log (3) → topics (4)
  auto item = rlp::decode(body, 4);
  if (!item) return tl::unexpected(item.error());
  if (!item->is_list || item->items.size() != 4)
    return enc_error("a receipt is a list [status, cumulativeGasUsed, logsBloom, logs]");
  const auto& f = item->items;

  if (f[0].is_list) return enc_error("status is a list", "status");
  if (f[0].payload.empty()) {
    r.status = ReceiptStatus::Failed;
  } else if (f[0].payload.size() == 1 && f[0].payload[0] == 0x01) {
    r.status = ReceiptStatus::Success;
  } else if (f[0].payload.size() == 32) {
    if (r.type != TxType::Legacy) return enc_error("a typed receipt carries a status, not a post-state root", "status");
    r.status = ReceiptStatus::PreByzantium;
    r.post_state = Hash32::from(f[0].payload);
  } else {
    return enc_error("status is neither 0, 1 nor a 32-byte post-state root", "status");
  }

  if (f[1].is_list) return enc_error("cumulativeGasUsed is a list", "cumulativeGasUsed");
  auto gas = rlp::to_uint64(f[1]);
  if (!gas) return fail(gas.error().code, gas.error().detail, "cumulativeGasUsed");
  r.cumulative_gas_used = *gas;

  if (f[2].is_list || f[2].payload.size() != 256) return enc_error("logsBloom is not 256 bytes", "logsBloom");
  std::copy(f[2].payload.begin(), f[2].payload.end(), r.logs_bloom.begin());

  if (!f[3].is_list) return enc_error("logs is not a list", "logs");
  r.logs.reserve(f[3].items.size());
  for (std::size_t i = 0; i < f[3].items.size(); ++i) {
    auto log = decode_log(f[3].items[i], i);
    if (!log) return tl::unexpected(log.error());
    r.logs.push_back(std::move(*log));
  }
  return r;
}

Bytes receipt_trie_key(std::uint64_t tx_index) { return rlp::encode_uint(tx_index); }

Hash32 receipts_root_encoded(std::span<const Bytes> encoded_receipts) {
  merkle::mpt::Trie trie;
  for (std::size_t i = 0; i < encoded_receipts.size(); ++i) {
    // Keys are RLP of an index (≤ 9 bytes), far below the trie's key bound: put cannot fail here.
    auto ok = trie.put(receipt_trie_key(i), encoded_receipts[i]);
    (void)ok;
  }
  return trie.root();
}

Result<Hash32> receipts_root(std::span<const Receipt> receipts) {
  std::vector<Bytes> enc;
  enc.reserve(receipts.size());
  for (std::size_t i = 0; i < receipts.size(); ++i) {
    auto e = encode_receipt(receipts[i]);
    if (!e) {
      std::string at = "receipts[" + std::to_string(i) + "]";
      if (!e.error().at.empty()) at += "." + e.error().at;
      return fail(e.error().code, e.error().detail, at);
    }
    enc.push_back(std::move(*e));
  }
  return receipts_root_encoded(enc);
}

Status require_success(const Receipt& receipt) {
  if (receipt.status == ReceiptStatus::PreByzantium)
    return fail(Code::ReceiptStatus, "pre-Byzantium receipt has no status: it proves nothing");
  if (receipt.status != ReceiptStatus::Success)
    return fail(Code::ReceiptStatus, "transaction failed (status 0): its receipt proves nothing");
  return {};
}

Result<const Log*> log_at(const Receipt& receipt, std::size_t log_index, const Address& emitter,
                          std::span<const Hash32> topics, ByteView data) {
  if (auto ok = require_success(receipt); !ok) return tl::unexpected(ok.error());
  if (log_index >= receipt.logs.size())
    return fail(Code::LogMismatch,
                "log index " + std::to_string(log_index) + " but the receipt has " +
                    std::to_string(receipt.logs.size()) + " logs",
                "log_index");
  const Log& log = receipt.logs[log_index];
  if (log.address != emitter) return fail(Code::WrongEmitter, "log was emitted by another contract", "emitter");
  if (!std::equal(log.topics.begin(), log.topics.end(), topics.begin(), topics.end()))
    return fail(Code::LogMismatch, "log topics differ from the claim", "topics");
  if (!std::equal(log.data.begin(), log.data.end(), data.begin(), data.end()))
    return fail(Code::LogMismatch, "log data differs from the claim", "data");
  return &log;
}

}  // namespace causeway::ethereum
