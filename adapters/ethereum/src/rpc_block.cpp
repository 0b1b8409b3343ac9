#include "causeway/adapters/ethereum/rpc_block.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <utility>

#include "causeway/core/hex.hpp"
#include "causeway/ethereum/besu_bft.hpp"

namespace causeway::adapters::ethereum {

using json = nlohmann::json;

namespace {

std::string path(std::string_view base, std::string_view member) {
  std::string out(base);
  if (!out.empty()) out += '.';
  out += member;
  return out;
}

std::string index_path(std::string_view base, std::size_t i) {
  return std::string(base) + "[" + std::to_string(i) + "]";
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The member `key` of object `obj`, or nullptr when absent or null.
const json* member(const json& obj, const char* key) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

Result<const json*> require(const json& obj, const char* key, std::string_view base) {
  const json* m = member(obj, key);
  if (m == nullptr) return fail(Code::RpcResponse, std::string("missing member \"") + key + "\"", path(base, key));
  return m;
}

// Strict QUANTITY → minimal big-endian bytes (empty for zero), at most max_bytes.
Result<Bytes> quantity_bytes(const json& v, std::string_view at, std::size_t max_bytes) {
  if (!v.is_string()) return fail(Code::RpcResponse, "QUANTITY must be a string", std::string(at));
  const std::string& s = v.get_ref<const std::string&>();
  if (s.size() < 3 || s[0] != '0' || s[1] != 'x') {
    return fail(Code::RpcResponse, "QUANTITY must be \"0x\" followed by hex digits", std::string(at));
  }
  const std::string_view digits = std::string_view(s).substr(2);
  if (digits.size() > 1 && digits[0] == '0') {
    return fail(Code::RpcResponse, "QUANTITY has a leading zero", std::string(at));
  }
  for (char c : digits) {
    if (hex_value(c) < 0) return fail(Code::RpcResponse, "QUANTITY has a non-hex digit", std::string(at));
  }
  if (digits == "0") return Bytes{};
  if (digits.size() > 2 * max_bytes) {
    return fail(Code::Overflow, "QUANTITY wider than " + std::to_string(max_bytes) + " bytes", std::string(at));
  }
  Bytes out((digits.size() + 1) / 2);
  std::size_t d = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    int hi = 0;
    if (i == 0 && digits.size() % 2 == 1) {
      hi = 0;
    } else {
      hi = hex_value(digits[d++]);
    }
    const int lo = hex_value(digits[d++]);
    out[i] = static_cast<std::uint8_t>((hi << 4) | lo);
  }
  return out;
}

Result<std::uint64_t> field_u64(const json& obj, const char* key, std::string_view base) {
  auto m = require(obj, key, base);
  if (!m) return tl::unexpected(std::move(m.error()));
  return decode_quantity_u64(**m, path(base, key));
}

Result<Hash32> field_hash(const json& obj, const char* key, std::string_view base) {
  auto m = require(obj, key, base);
  if (!m) return tl::unexpected(std::move(m.error()));
  return decode_hash(**m, path(base, key));
}

template <std::size_t N>
Result<std::array<std::uint8_t, N>> fixed_data(const json& v, std::string_view at) {
  auto b = decode_data(v, at, N);
  if (!b) {
    if (b.error().code == Code::TooLarge) {
      return fail(Code::RpcResponse, "DATA must be exactly " + std::to_string(N) + " bytes", std::string(at));
    }
    return tl::unexpected(std::move(b.error()));
  }
  if (b->size() != N) {
    return fail(Code::RpcResponse,
                "DATA must be exactly " + std::to_string(N) + " bytes, got " + std::to_string(b->size()),
                std::string(at));
  }
  std::array<std::uint8_t, N> out{};
  std::copy(b->begin(), b->end(), out.begin());
  return out;
}

template <std::size_t N>
Result<std::array<std::uint8_t, N>> field_fixed(const json& obj, const char* key, std::string_view base) {
  auto m = require(obj, key, base);
  if (!m) return tl::unexpected(std::move(m.error()));
  return fixed_data<N>(**m, path(base, key));
}

Result<std::vector<Bytes>> proof_nodes(const json& v, std::string_view at) {
  if (!v.is_array()) return fail(Code::RpcResponse, "proof must be an array", std::string(at));
  if (v.size() > kMaxProofNodes) {
    return fail(Code::TooLarge, "more than " + std::to_string(kMaxProofNodes) + " proof nodes", std::string(at));
  }
  std::vector<Bytes> out;
  out.reserve(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    auto node = decode_data(v[i], index_path(at, i), kMaxProofNodeBytes);
    if (!node) return tl::unexpected(std::move(node.error()));
    out.push_back(std::move(*node));
  }
  return out;
}

}  // namespace

// ---- value encodings ------------------------------------------------------------------------------------

std::string quantity(std::uint64_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  if (v == 0) return "0x0";
  std::string digits;
  while (v != 0) {
    digits.push_back(kDigits[v & 0xf]);
    v >>= 4;
  }
  std::reverse(digits.begin(), digits.end());
  return "0x" + digits;
}

std::string quantity(const eth::U256& v) {
  const std::string bare = to_hex_bare(ByteView(v.data(), v.size()));
  const std::size_t first = bare.find_first_not_of('0');
  if (first == std::string::npos) return "0x0";
  return "0x" + bare.substr(first);
}

Result<std::uint64_t> decode_quantity_u64(const json& v, std::string_view at) {
  auto b = quantity_bytes(v, at, 8);
  if (!b) return tl::unexpected(std::move(b.error()));
  std::uint64_t out = 0;
  for (std::uint8_t byte : *b) out = (out << 8) | byte;
  return out;
}

Result<eth::U256> decode_quantity_u256(const json& v, std::string_view at) {
  auto b = quantity_bytes(v, at, 32);
  if (!b) return tl::unexpected(std::move(b.error()));
  eth::U256 out{};
  std::copy(b->begin(), b->end(), out.begin() + static_cast<std::ptrdiff_t>(32 - b->size()));
  return out;
}

Result<Bytes> decode_data(const json& v, std::string_view at, std::size_t max_bytes) {
  if (!v.is_string()) return fail(Code::RpcResponse, "DATA must be a string", std::string(at));
  const std::string& s = v.get_ref<const std::string&>();
  if (s.size() >= 2 && s[0] == '0' && s[1] == 'x' && (s.size() - 2) / 2 > max_bytes) {
    return fail(Code::TooLarge, "DATA above " + std::to_string(max_bytes) + " bytes", std::string(at));
  }
  auto b = from_hex(s, max_bytes);
  if (!b) {
    return fail(Code::RpcResponse, "DATA must be \"0x\" and an even number of hex digits", std::string(at));
  }
  return std::move(*b);
}

Result<Hash32> decode_hash(const json& v, std::string_view at) {
  auto a = fixed_data<32>(v, at);
  if (!a) return tl::unexpected(std::move(a.error()));
  Hash32 h;
  h.b = *a;
  return h;
}

Result<eth::Address> decode_address(const json& v, std::string_view at) { return fixed_data<20>(v, at); }

// ---- blocks ---------------------------------------------------------------------------------------------

Result<eth::Header> decode_header(const json& block, const eth::HeaderLimits& limits) {
  constexpr std::string_view base = "block";
  if (!block.is_object()) return fail(Code::RpcResponse, "block must be a JSON object", std::string(base));
  eth::Header h;
#define CW_TRY(dst, expr)                                      \
  do {                                                         \
    auto cw_r = (expr);                                        \
    if (!cw_r) return tl::unexpected(std::move(cw_r.error())); \
    dst = std::move(*cw_r);                                    \
  } while (false)
  CW_TRY(h.parent_hash, field_hash(block, "parentHash", base));
  CW_TRY(h.ommers_hash, field_hash(block, "sha3Uncles", base));
  CW_TRY(h.beneficiary, field_fixed<20>(block, "miner", base));
  CW_TRY(h.state_root, field_hash(block, "stateRoot", base));
  CW_TRY(h.transactions_root, field_hash(block, "transactionsRoot", base));
  CW_TRY(h.receipts_root, field_hash(block, "receiptsRoot", base));
  CW_TRY(h.logs_bloom, field_fixed<256>(block, "logsBloom", base));
  {
    auto m = require(block, "difficulty", base);
    if (!m) return tl::unexpected(std::move(m.error()));
    CW_TRY(h.difficulty, decode_quantity_u256(**m, path(base, "difficulty")));
  }
  CW_TRY(h.number, field_u64(block, "number", base));
  CW_TRY(h.gas_limit, field_u64(block, "gasLimit", base));
  CW_TRY(h.gas_used, field_u64(block, "gasUsed", base));
  CW_TRY(h.timestamp_s, field_u64(block, "timestamp", base));
  {
    auto m = require(block, "extraData", base);
    if (!m) return tl::unexpected(std::move(m.error()));
    auto extra = decode_data(**m, path(base, "extraData"), limits.max_extra_data);
    if (!extra) return tl::unexpected(std::move(extra.error()));
    h.extra_data = std::move(*extra);
  }
  CW_TRY(h.mix_hash, field_hash(block, "mixHash", base));
  CW_TRY(h.nonce, field_fixed<8>(block, "nonce", base));
  if (const json* m = member(block, "baseFeePerGas")) {
    CW_TRY(h.base_fee_per_gas, decode_quantity_u256(*m, path(base, "baseFeePerGas")));
  }
  if (const json* m = member(block, "withdrawalsRoot")) {
    CW_TRY(h.withdrawals_root, decode_hash(*m, path(base, "withdrawalsRoot")));
  }
  if (const json* m = member(block, "blobGasUsed")) {
    CW_TRY(h.blob_gas_used, decode_quantity_u64(*m, path(base, "blobGasUsed")));
  }
  if (const json* m = member(block, "excessBlobGas")) {
    CW_TRY(h.excess_blob_gas, decode_quantity_u64(*m, path(base, "excessBlobGas")));
  }
  if (const json* m = member(block, "parentBeaconBlockRoot")) {
    CW_TRY(h.parent_beacon_block_root, decode_hash(*m, path(base, "parentBeaconBlockRoot")));
  }
  if (const json* m = member(block, "requestsHash")) {
    CW_TRY(h.requests_hash, decode_hash(*m, path(base, "requestsHash")));
  }
#undef CW_TRY
  if (auto shape = eth::header_shape(h); !shape) return tl::unexpected(std::move(shape.error()));
  return h;
}

Result<Hash32> block_hash(const eth::Header& h, eth::ConsensusMode consensus) {
  switch (consensus) {
    case eth::ConsensusMode::Ibft2:
      return eth::bft::block_hash(eth::bft::Variant::Ibft2, h);
    case eth::ConsensusMode::Qbft:
      return eth::bft::block_hash(eth::bft::Variant::Qbft, h);
    case eth::ConsensusMode::Clique:
    case eth::ConsensusMode::RpcTrusted:
      break;
  }
  return eth::header_hash(h);
}

Result<BlockInfo> decode_block(const json& block, const BlockOptions& options) {
  auto header = decode_header(block, options.limits);
  if (!header) return tl::unexpected(std::move(header.error()));
  BlockInfo out;
  out.header = std::move(*header);
  auto claimed = field_hash(block, "hash", "block");
  if (!claimed) return tl::unexpected(std::move(claimed.error()));
  auto computed = block_hash(out.header, options.consensus);
  if (!computed) return tl::unexpected(std::move(computed.error()));
  if (*computed != *claimed) {
    return fail(Code::RpcInconsistent,
                "header fields hash to " + to_hex(computed->view()) + ", the node says " + to_hex(claimed->view()),
                "block.hash");
  }
  out.hash = *computed;
  auto txs = require(block, "transactions", "block");
  if (!txs) return tl::unexpected(std::move(txs.error()));
  if (!(*txs)->is_array()) return fail(Code::RpcResponse, "transactions must be an array", "block.transactions");
  out.transaction_hashes.reserve((*txs)->size());
  for (std::size_t i = 0; i < (*txs)->size(); ++i) {
    const json& t = (**txs)[i];
    const std::string at = index_path("block.transactions", i);
    auto h = t.is_object() ? field_hash(t, "hash", at) : decode_hash(t, at);
    if (!h) return tl::unexpected(std::move(h.error()));
    out.transaction_hashes.push_back(*h);
  }
  return out;
}

// ---- receipts -------------------------------------------------------------------------------------------

namespace {

Result<ReceiptInfo> decode_receipt_at(const json& r, const std::string& base) {
  if (!r.is_object()) return fail(Code::RpcResponse, "receipt must be a JSON object", base);
  ReceiptInfo out;
  eth::Receipt& rc = out.receipt;

  if (const json* t = member(r, "type")) {
    auto type = decode_quantity_u64(*t, path(base, "type"));
    if (!type) return tl::unexpected(std::move(type.error()));
    if (*type > static_cast<std::uint64_t>(eth::TxType::SetCode)) {
      return fail(Code::ReceiptEncoding, "unsupported receipt type " + quantity(*type), path(base, "type"));
    }
    rc.type = static_cast<eth::TxType>(*type);
  }
  const json* status = member(r, "status");
  const json* root = member(r, "root");
  if ((status == nullptr) == (root == nullptr)) {
    return fail(Code::ReceiptEncoding, "a receipt has exactly one of \"status\" and \"root\"", base);
  }
  if (status != nullptr) {
    auto s = decode_quantity_u64(*status, path(base, "status"));
    if (!s) return tl::unexpected(std::move(s.error()));
    if (*s > 1) return fail(Code::ReceiptEncoding, "status must be 0x0 or 0x1", path(base, "status"));
    rc.status = *s == 1 ? eth::ReceiptStatus::Success : eth::ReceiptStatus::Failed;
  } else {
    if (rc.type != eth::TxType::Legacy) {
      return fail(Code::ReceiptEncoding, "a typed receipt has no post-state root", path(base, "root"));
    }
    auto pr = decode_hash(*root, path(base, "root"));
    if (!pr) return tl::unexpected(std::move(pr.error()));
    rc.status = eth::ReceiptStatus::PreByzantium;
    rc.post_state = *pr;
  }
  {
    auto g = field_u64(r, "cumulativeGasUsed", base);
    if (!g) return tl::unexpected(std::move(g.error()));
    rc.cumulative_gas_used = *g;
  }
  {
    auto bloom = field_fixed<256>(r, "logsBloom", base);
    if (!bloom) return tl::unexpected(std::move(bloom.error()));
    rc.logs_bloom = *bloom;
  }
  auto tx_hash = field_hash(r, "transactionHash", base);
  if (!tx_hash) return tl::unexpected(std::move(tx_hash.error()));
  out.transaction_hash = *tx_hash;
  auto tx_index = field_u64(r, "transactionIndex", base);
  if (!tx_index) return tl::unexpected(std::move(tx_index.error()));
  out.transaction_index = *tx_index;
  auto block_hash = field_hash(r, "blockHash", base);
  if (!block_hash) return tl::unexpected(std::move(block_hash.error()));
  out.block_hash = *block_hash;
  auto block_number = field_u64(r, "blockNumber", base);
  if (!block_number) return tl::unexpected(std::move(block_number.error()));
  out.block_number = *block_number;
  auto gas_used = field_u64(r, "gasUsed", base);
  if (!gas_used) return tl::unexpected(std::move(gas_used.error()));
  out.gas_used = *gas_used;
  if (const json* ca = member(r, "contractAddress")) {
    auto a = decode_address(*ca, path(base, "contractAddress"));
    if (!a) return tl::unexpected(std::move(a.error()));
    out.contract_address = *a;
  }

  auto logs = require(r, "logs", base);
  if (!logs) return tl::unexpected(std::move(logs.error()));
  if (!(*logs)->is_array()) return fail(Code::RpcResponse, "logs must be an array", path(base, "logs"));
  rc.logs.reserve((*logs)->size());
  out.log_indexes.reserve((*logs)->size());
  for (std::size_t j = 0; j < (*logs)->size(); ++j) {
    const json& l = (**logs)[j];
    const std::string lb = index_path(path(base, "logs"), j);
    if (!l.is_object()) return fail(Code::RpcResponse, "log must be a JSON object", lb);
    eth::Log log;
    auto addr = field_fixed<20>(l, "address", lb);
    if (!addr) return tl::unexpected(std::move(addr.error()));
    log.address = *addr;
    auto topics = require(l, "topics", lb);
    if (!topics) return tl::unexpected(std::move(topics.error()));
    if (!(*topics)->is_array()) return fail(Code::RpcResponse, "topics must be an array", path(lb, "topics"));
    if ((*topics)->size() > eth::kMaxTopics) {
      return fail(Code::ReceiptEncoding, "more than 4 topics", path(lb, "topics"));
    }
    for (std::size_t k = 0; k < (*topics)->size(); ++k) {
      auto t = decode_hash((**topics)[k], index_path(path(lb, "topics"), k));
      if (!t) return tl::unexpected(std::move(t.error()));
      log.topics.push_back(*t);
    }
    auto data = require(l, "data", lb);
    if (!data) return tl::unexpected(std::move(data.error()));
    auto bytes = decode_data(**data, path(lb, "data"), eth::kMaxReceiptBytes);
    if (!bytes) return tl::unexpected(std::move(bytes.error()));
    log.data = std::move(*bytes);
    auto log_index = field_u64(l, "logIndex", lb);
    if (!log_index) return tl::unexpected(std::move(log_index.error()));
    out.log_indexes.push_back(*log_index);
    // A log restates where it sits: it must agree with its receipt.
    if (const json* m = member(l, "blockHash")) {
      auto v = decode_hash(*m, path(lb, "blockHash"));
      if (!v) return tl::unexpected(std::move(v.error()));
      if (*v != out.block_hash) return fail(Code::RpcInconsistent, "log of another block", path(lb, "blockHash"));
    }
    if (const json* m = member(l, "blockNumber")) {
      auto v = decode_quantity_u64(*m, path(lb, "blockNumber"));
      if (!v) return tl::unexpected(std::move(v.error()));
      if (*v != out.block_number) {
        return fail(Code::RpcInconsistent, "log of another block", path(lb, "blockNumber"));
      }
    }
    if (const json* m = member(l, "transactionHash")) {
      auto v = decode_hash(*m, path(lb, "transactionHash"));
      if (!v) return tl::unexpected(std::move(v.error()));
      if (*v != out.transaction_hash) {
        return fail(Code::RpcInconsistent, "log of another transaction", path(lb, "transactionHash"));
      }
    }
    if (const json* m = member(l, "transactionIndex")) {
      auto v = decode_quantity_u64(*m, path(lb, "transactionIndex"));
      if (!v) return tl::unexpected(std::move(v.error()));
      if (*v != out.transaction_index) {
        return fail(Code::RpcInconsistent, "log of another transaction", path(lb, "transactionIndex"));
      }
    }
    if (const json* m = member(l, "removed")) {
      if (!m->is_boolean()) return fail(Code::RpcResponse, "removed must be a boolean", path(lb, "removed"));
      if (m->get<bool>()) {
        return fail(Code::RpcInconsistent, "log marked removed (reorganized away)", path(lb, "removed"));
      }
    }
    rc.logs.push_back(std::move(log));
  }
  return out;
}

}  // namespace

Result<ReceiptInfo> decode_receipt(const json& receipt) { return decode_receipt_at(receipt, "receipt"); }

Result<std::vector<ReceiptInfo>> decode_block_receipts(const json& receipts, const BlockInfo& block) {
  if (!receipts.is_array()) return fail(Code::RpcResponse, "receipts must be an array", "receipts");
  if (receipts.size() != block.transaction_hashes.size()) {
    return fail(Code::RpcInconsistent,
                std::to_string(receipts.size()) + " receipts for " +
                    std::to_string(block.transaction_hashes.size()) + " transactions",
                "receipts");
  }
  std::vector<ReceiptInfo> out;
  out.reserve(receipts.size());
  std::vector<eth::Receipt> typed;
  typed.reserve(receipts.size());
  std::uint64_t next_log_index = 0;
  for (std::size_t i = 0; i < receipts.size(); ++i) {
    const std::string at = index_path("receipts", i);
    auto r = decode_receipt_at(receipts[i], at);
    if (!r) return tl::unexpected(std::move(r.error()));
    if (r->transaction_index != i) {
      return fail(Code::RpcInconsistent, "receipt out of block order", path(at, "transactionIndex"));
    }
    if (r->transaction_hash != block.transaction_hashes[i]) {
      return fail(Code::RpcInconsistent, "receipt of another transaction", path(at, "transactionHash"));
    }
    if (r->block_hash != block.hash) {
      return fail(Code::RpcInconsistent, "receipt of another block", path(at, "blockHash"));
    }
    if (r->block_number != block.header.number) {
      return fail(Code::RpcInconsistent, "receipt of another block", path(at, "blockNumber"));
    }
    for (std::size_t j = 0; j < r->log_indexes.size(); ++j) {
      if (r->log_indexes[j] != next_log_index) {
        return fail(Code::RpcInconsistent, "logIndex is not consecutive across the block",
                    index_path(path(at, "logs"), j) + ".logIndex");
      }
      ++next_log_index;
    }
    typed.push_back(r->receipt);
    out.push_back(std::move(*r));
  }
  auto root = eth::receipts_root(typed);
  if (!root) return tl::unexpected(std::move(root.error()));
  if (*root != block.header.receipts_root) {
    return fail(Code::RpcInconsistent,
                "receipts hash to " + to_hex(root->view()) + ", the header's receiptsRoot is " +
                    to_hex(block.header.receipts_root.view()),
                "receipts");
  }
  return out;
}

// ---- eth_getProof ---------------------------------------------------------------------------------------

namespace {

// ["0x80"]: the empty trie's root node, sent by anvil/geth for an empty storage trie.
void normalize_empty_trie_proof(std::vector<Bytes>& proof) {
  if (proof.size() == 1 && proof[0].size() == 1 && proof[0][0] == 0x80) proof.clear();
}

}  // namespace

Result<AccountProofInfo> decode_account_proof(const json& result) {
  constexpr std::string_view base = "proof";
  if (!result.is_object()) return fail(Code::RpcResponse, "eth_getProof result must be an object", std::string(base));
  AccountProofInfo out;
  auto address = field_fixed<20>(result, "address", base);
  if (!address) return tl::unexpected(std::move(address.error()));
  out.address = *address;
  auto nonce = field_u64(result, "nonce", base);
  if (!nonce) return tl::unexpected(std::move(nonce.error()));
  out.account.nonce = *nonce;
  {
    auto m = require(result, "balance", base);
    if (!m) return tl::unexpected(std::move(m.error()));
    auto balance = decode_quantity_u256(**m, path(base, "balance"));
    if (!balance) return tl::unexpected(std::move(balance.error()));
    out.account.balance = *balance;
  }
  auto storage_hash = field_hash(result, "storageHash", base);
  if (!storage_hash) return tl::unexpected(std::move(storage_hash.error()));
  out.account.storage_hash = *storage_hash;
  auto code_hash = field_hash(result, "codeHash", base);
  if (!code_hash) return tl::unexpected(std::move(code_hash.error()));
  out.account.code_hash = *code_hash;
  {
    auto m = require(result, "accountProof", base);
    if (!m) return tl::unexpected(std::move(m.error()));
    auto nodes = proof_nodes(**m, path(base, "accountProof"));
    if (!nodes) return tl::unexpected(std::move(nodes.error()));
    out.account_proof = std::move(*nodes);
  }
  auto sp = require(result, "storageProof", base);
  if (!sp) return tl::unexpected(std::move(sp.error()));
  if (!(*sp)->is_array()) return fail(Code::RpcResponse, "storageProof must be an array", path(base, "storageProof"));
  if ((*sp)->size() > kMaxStorageProofs) {
    return fail(Code::TooLarge, "more than " + std::to_string(kMaxStorageProofs) + " storage proofs",
                path(base, "storageProof"));
  }
  for (std::size_t i = 0; i < (*sp)->size(); ++i) {
    const json& e = (**sp)[i];
    const std::string at = index_path(path(base, "storageProof"), i);
    if (!e.is_object()) return fail(Code::RpcResponse, "storage proof must be an object", at);
    StorageProofInfo s;
    auto key = field_hash(e, "key", at);
    if (!key) return tl::unexpected(std::move(key.error()));
    s.key = *key;
    auto vm = require(e, "value", at);
    if (!vm) return tl::unexpected(std::move(vm.error()));
    auto value = decode_quantity_u256(**vm, path(at, "value"));
    if (!value) return tl::unexpected(std::move(value.error()));
    std::memcpy(s.value.b.data(), value->data(), 32);
    auto pm = require(e, "proof", at);
    if (!pm) return tl::unexpected(std::move(pm.error()));
    auto nodes = proof_nodes(**pm, path(at, "proof"));
    if (!nodes) return tl::unexpected(std::move(nodes.error()));
    s.proof = std::move(*nodes);
    normalize_empty_trie_proof(s.proof);
    out.storage.push_back(std::move(s));
  }
  return out;
}

}  // namespace causeway::adapters::ethereum
