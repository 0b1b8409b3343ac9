#include "causeway/adapters/ethereum/evm_adapter.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>

#include "causeway/adapters/ethereum/contracts.hpp"
#include "causeway/adapters/ethereum/eth_rpc.hpp"
#include "causeway/adapters/ethereum/evm_tx.hpp"
#include "causeway/adapters/ethereum/receipt_proofs.hpp"
#include "causeway/core/abi.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/core/secp256k1.hpp"
#include "causeway/ethereum/proofs.hpp"

namespace causeway::adapters::ethereum {

using json = nlohmann::json;

namespace {

constexpr std::size_t kMaxAttestations = 64;
constexpr std::size_t kReceiptBatch = 100;

std::string hex_address(const eth::Address& a) { return to_hex(ByteView(a.data(), a.size())); }

bool transport_failure(const Error& e) {
  return e.code == Code::RpcTransport || e.code == Code::RpcTimeout || e.code == Code::TooLarge;
}

std::uint64_t with_margin(std::uint64_t gas, unsigned margin_percent) {
  const std::uint64_t extra = gas / 100 * margin_percent + (gas % 100) * margin_percent / 100;
  return gas > UINT64_MAX - extra ? UINT64_MAX : gas + extra;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

json nodes_json(const std::vector<Bytes>& nodes) {
  json out = json::array();
  for (const Bytes& n : nodes) out.push_back(to_hex(n));
  return out;
}

Hash32 acknowledgement_topic() { return packet::acknowledgement_written_topic0(); }

}  // namespace

std::optional<Code> code_in_message(std::string_view message) {
  std::size_t pos = 0;
  while ((pos = message.find("ERR_", pos)) != std::string_view::npos) {
    std::size_t end = pos + 4;
    while (end < message.size() &&
           (std::isupper(static_cast<unsigned char>(message[end])) || std::isdigit(static_cast<unsigned char>(message[end])) ||
            message[end] == '_')) {
      ++end;
    }
    const std::string_view name = message.substr(pos, end - pos);
#define CAUSEWAY_X(n, str, doc) \
  if (name == str) return Code::n;
    CAUSEWAY_ERROR_CODES(CAUSEWAY_X)
#undef CAUSEWAY_X
    pos = end;
  }
  return std::nullopt;
}

Result<Hash32> verify_receipt_slot(const ReceiptSlotProof& p, const Hash32& verified_state_root) {
  if (p.proof.storage.size() != 1 || p.proof.storage[0].key != p.slot) {
    return fail(Code::ClaimMismatch, "the proof does not hold exactly the receipt slot", "storageProof");
  }
  if (p.slot != packet::receipt_storage_slot(p.commitment)) {
    return fail(Code::ClaimMismatch, "slot is not keccak256(commitment ‖ uint256(0))", "slot");
  }
  auto account = eth::verify_account_proof(verified_state_root, p.endpoint, p.proof.account_proof);
  if (!account) return tl::unexpected(std::move(account.error()));
  if (*account != p.proof.account) return fail(Code::ClaimMismatch, "proven account differs from the claimed one", "account");
  auto value = eth::verify_storage_proof(account->storage_hash, p.slot, p.proof.storage[0].proof);
  if (!value) return tl::unexpected(std::move(value.error()));
  if (*value != p.proof.storage[0].value) {
    return fail(Code::ClaimMismatch, "proven slot value differs from the claimed one", "storageProof[0].value");
  }
  return *value;
}

struct EvmAdapter::Impl {
  EvmAdapterConfig cfg;
  std::unique_ptr<EndpointPool> pool;
  BlockOptions block_options;
  std::uint64_t chain_id = 0;
  std::optional<secp256k1::SecretKey> key;
  eth::Address submitter{};
  std::optional<std::uint64_t> cached_nonce;
  std::optional<Hash32> last_tx;
  std::atomic<std::size_t> last_index{0};
  std::unique_ptr<NewHeadsSubscription> heads;  // config.ws_url set
  std::mutex heads_mu;
  std::optional<std::uint64_t> ws_tip;  // the highest height notified (guarded by heads_mu)

  // Drains the notified heads (waiting up to `timeout` for the first) into ws_tip. A lower or equal height
  // (a reorg) replaces the tip: the node's current head is the last notified one.
  void drain_heads(std::chrono::milliseconds timeout) {
    std::lock_guard lock(heads_mu);
    for (auto h = heads->next(timeout); h; h = heads->next(std::chrono::milliseconds(0))) ws_tip = h->height;
  }

  std::atomic<std::uint64_t> receipts_fallbacks{0}, submits{0}, refused_before_send{0}, nonce_resyncs{0},
      nonce_retries{0}, send_rejections{0}, reverted{0};

  // Runs f(EthRpc&, JsonRpcClient&) on the pool's endpoint; on a transport failure or an inconsistent answer
  // the endpoint is reported and the next one tried (each endpoint at most once).
  template <class F>
  auto with_endpoint(F&& f) -> decltype(f(std::declval<EthRpc&>(), std::declval<JsonRpcClient&>())) {
    decltype(f(std::declval<EthRpc&>(), std::declval<JsonRpcClient&>())) r = fail(Code::RpcTransport, "no endpoint");
    for (std::size_t attempt = 0; attempt < pool->size(); ++attempt) {
      const std::size_t i = pool->acquire();
      last_index = i;
      JsonRpcClient& client = pool->client(i);
      EthRpc rpc(client);
      r = f(rpc, client);
      if (r) return r;
      if (transport_failure(r.error())) {
        pool->report_transport_failure(i);
        continue;
      }
      if (r.error().code == Code::RpcInconsistent) {
        pool->report_inconsistent(i);
        continue;
      }
      return r;
    }
    return r;
  }

  Result<BlockInfo> block(EthRpc& rpc, std::uint64_t n) {
    auto b = rpc.block_by_number(n, block_options);
    if (!b) return tl::unexpected(std::move(b.error()));
    if (!b->has_value()) return fail(Code::UnknownHeader, "the node has no block " + std::to_string(n), "block");
    return std::move(**b);
  }

  Result<std::vector<ReceiptInfo>> receipts_per_tx(JsonRpcClient& client, const BlockInfo& b) {
    ++receipts_fallbacks;
    json all = json::array();
    for (std::size_t start = 0; start < b.transaction_hashes.size(); start += kReceiptBatch) {
      std::vector<RpcCall> calls;
      for (std::size_t i = start; i < std::min(b.transaction_hashes.size(), start + kReceiptBatch); ++i) {
        calls.push_back({"eth_getTransactionReceipt", json::array({to_hex(b.transaction_hashes[i].view())})});
      }
      auto batch = client.call_batch(calls);
      if (!batch) return tl::unexpected(std::move(batch.error()));
      for (auto& item : *batch) {
        if (!item) return tl::unexpected(std::move(item.error()));
        all.push_back(std::move(*item));
      }
    }
    return decode_block_receipts(all, b);
  }

  Result<std::vector<ReceiptInfo>> receipts(JsonRpcClient& client, const BlockInfo& b) {
    if (!cfg.use_block_receipts) return receipts_per_tx(client, b);
    auto r = client.call("eth_getBlockReceipts", json::array({to_hex(b.hash.view())}));
    if (r) {
      if (r->is_null()) return fail(Code::RpcInconsistent, "the node has no receipts for the block", "receipts");
      return decode_block_receipts(*r, b);
    }
    if (r.error().code == Code::RpcError && r.error().detail.rfind("-32601:", 0) == 0) return receipts_per_tx(client, b);
    return tl::unexpected(std::move(r.error()));
  }

  Result<std::string> log_bundle(const Hash32& topic0, std::size_t ntopics, const char* event, const Hash32& commitment,
                                 std::uint64_t height, std::uint64_t anchor_height);
  Result<Submitted> send_endpoint_tx(const Bytes& calldata, const std::string& what,
                                     const std::function<Result<bool>(JsonRpcClient&)>& settled);

  // receipts(commitment) of the endpoint by eth_call at `tag`.
  Result<Hash32> read_receipt(JsonRpcClient& client, const Hash32& commitment, const std::string& tag) {
    Bytes data = function_selector("receipts(bytes32)");
    append(data, commitment.view());
    auto r = client.call("eth_call", json::array({json{{"to", hex_address(cfg.endpoint)}, {"data", to_hex(data)}}, tag}));
    if (!r) return tl::unexpected(std::move(r.error()));
    return decode_hash(*r, "eth_call receipts");
  }

  // Anchor + headers anchor+1 … last of a bundle.
  Result<std::pair<json, json>> anchor_and_headers(EthRpc& rpc, std::uint64_t anchor_height, std::uint64_t last,
                                                   const std::optional<BlockInfo>& known) {
    auto anchor = block(rpc, anchor_height);
    if (!anchor) return tl::unexpected(std::move(anchor.error()));
    auto anchor_rlp = eth::encode_header(anchor->header);
    if (!anchor_rlp) return tl::unexpected(std::move(anchor_rlp.error()));
    json a = cfg.anchor_extra.is_object() ? cfg.anchor_extra : json::object();
    a["header"] = to_hex(*anchor_rlp);
    json headers = json::array();
    for (std::uint64_t n = anchor_height + 1; n <= last; ++n) {
      Result<BlockInfo> b = (known && known->header.number == n) ? Result<BlockInfo>(*known) : block(rpc, n);
      if (!b) return tl::unexpected(std::move(b.error()));
      auto rlp = eth::encode_header(b->header);
      if (!rlp) return tl::unexpected(std::move(rlp.error()));
      headers.push_back(to_hex(*rlp));
    }
    return std::pair<json, json>{std::move(a), std::move(headers)};
  }

  json bundle(json anchor, json headers, json inclusion) const {
    json b{{"version", 1},
           {"family", "ethereum"},
           {"island", cfg.island},
           {"consensus", std::string(eth::consensus_mode_name(cfg.consensus))},
           {"anchor", std::move(anchor)},
           {"headers", std::move(headers)},
           {"inclusion", std::move(inclusion)},
           {"finality", {{"min_confirmations", cfg.min_confirmations}}}};
    if (cfg.allow_rpc_trusted_public) b["allow_rpc_trusted_public"] = true;
    return b;
  }

  Status check_bundle_range(std::uint64_t height, std::uint64_t anchor_height, std::uint64_t& last) const {
    if (anchor_height >= height) return fail(Code::InvalidArgument, "the anchor must be below the proving block", "anchor_height");
    last = height + cfg.min_confirmations - 1;
    if (last < height || last - anchor_height > cfg.max_proof_headers) {
      return fail(Code::InvalidArgument, "more than max_proof_headers headers", "anchor_height");
    }
    return {};
  }
};

EvmAdapter::EvmAdapter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EvmAdapter::~EvmAdapter() = default;

Result<std::unique_ptr<EvmAdapter>> EvmAdapter::connect(EvmAdapterConfig config) {
  if (config.island.rfind("eip155:", 0) != 0) return fail(Code::InvalidArgument, "island must be eip155:<chainId>", "island");
  if (config.endpoint == eth::Address{}) return fail(Code::InvalidArgument, "zero endpoint address", "endpoint");
  if (config.min_confirmations == 0) return fail(Code::InvalidArgument, "min_confirmations must be at least 1", "min_confirmations");
  if (config.max_proof_headers == 0 || config.max_scan_blocks == 0) {
    return fail(Code::InvalidArgument, "bounds must be at least 1", "max_proof_headers");
  }
  if (!config.anchor_extra.is_object() || config.anchor_extra.contains("header")) {
    return fail(Code::InvalidArgument, "anchor_extra must be an object without \"header\"", "anchor_extra");
  }
  auto impl = std::make_unique<Impl>();
  if (!config.submitter_key.empty()) {
    auto k = secp256k1::parse_secret_key(config.submitter_key);
    if (!k) return fail(Code::InvalidArgument, "submitter key is not a valid 32-byte secp256k1 secret", "submitter_key");
    impl->key = *k;
    impl->submitter = address_of(*k);
  }
  auto pool = EndpointPool::create(config.rpc_urls, config.rpc);
  if (!pool) return tl::unexpected(std::move(pool.error()));
  impl->pool = std::move(*pool);
  impl->block_options.consensus = config.consensus;
  impl->cfg = std::move(config);
  auto id = impl->with_endpoint([](EthRpc& rpc, JsonRpcClient&) { return rpc.chain_id(); });
  if (!id) return tl::unexpected(std::move(id.error()));
  if ("eip155:" + std::to_string(*id) != impl->cfg.island) {
    return fail(Code::IslandMismatch,
                "the node serves eip155:" + std::to_string(*id) + ", configured " + impl->cfg.island, "eth_chainId");
  }
  impl->chain_id = *id;
  if (!impl->cfg.ws_url.empty()) {
    auto sub = NewHeadsSubscription::start(impl->cfg.ws_url, NewHeadsProtocol::ethereum(), impl->cfg.ws);
    if (!sub) return tl::unexpected(std::move(sub.error()));
    impl->heads = std::move(*sub);
  }
  return std::unique_ptr<EvmAdapter>(new EvmAdapter(std::move(impl)));
}

std::string EvmAdapter::island() const { return impl_->cfg.island; }
std::uint64_t EvmAdapter::chain_id() const { return impl_->chain_id; }
eth::Address EvmAdapter::submitter() const { return impl_->submitter; }
std::optional<Hash32> EvmAdapter::last_submitted_tx() const { return impl_->last_tx; }
std::string EvmAdapter::last_endpoint() const { return impl_->pool->url(impl_->last_index.load()); }
bool EvmAdapter::report_unverifiable(std::string_view url) { return impl_->pool->report_unverifiable(url); }
bool EvmAdapter::reinstate(std::string_view url) { return impl_->pool->reinstate(url); }

EvmAdapterMetrics EvmAdapter::metrics() const {
  EvmAdapterMetrics m;
  m.pool = impl_->pool->metrics();
  m.receipts_fallbacks = impl_->receipts_fallbacks;
  m.submits = impl_->submits;
  m.refused_before_send = impl_->refused_before_send;
  m.nonce_resyncs = impl_->nonce_resyncs;
  m.nonce_retries = impl_->nonce_retries;
  m.send_rejections = impl_->send_rejections;
  m.reverted = impl_->reverted;
  return m;
}

Result<std::uint64_t> EvmAdapter::latest_height() {
  if (impl_->heads && impl_->heads->connected()) {
    impl_->drain_heads(std::chrono::milliseconds(0));
    std::lock_guard lock(impl_->heads_mu);
    if (impl_->ws_tip) return *impl_->ws_tip;
  }
  return impl_->with_endpoint([](EthRpc& rpc, JsonRpcClient&) { return rpc.block_number(); });
}

std::optional<std::uint64_t> EvmAdapter::wait_new_head(std::uint64_t after, std::chrono::milliseconds timeout) {
  if (!impl_->heads) return std::nullopt;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    {
      std::lock_guard lock(impl_->heads_mu);
      if (impl_->ws_tip && *impl_->ws_tip > after && impl_->heads->connected()) return impl_->ws_tip;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return std::nullopt;
    impl_->drain_heads(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now));
  }
}

Result<std::vector<ReceiptInfo>> EvmAdapter::block_receipts(const BlockInfo& block) {
  return impl_->with_endpoint([&](EthRpc&, JsonRpcClient& c) { return impl_->receipts(c, block); });
}

Result<std::string> EvmAdapter::follow_headers(std::uint64_t from_height, std::size_t max) {
  const std::size_t n = std::min(max, impl_->cfg.max_proof_headers);
  return impl_->with_endpoint([&](EthRpc& rpc, JsonRpcClient&) -> Result<std::string> {
    auto tip = rpc.block_number();
    if (!tip) return tl::unexpected(std::move(tip.error()));
    json headers = json::array();
    for (std::uint64_t h = from_height + 1; h <= *tip && headers.size() < n; ++h) {
      auto b = impl_->block(rpc, h);
      if (!b) return tl::unexpected(std::move(b.error()));
      auto rlp = eth::encode_header(b->header);
      if (!rlp) return tl::unexpected(std::move(rlp.error()));
      headers.push_back(to_hex(*rlp));
    }
    return headers.dump();
  });
}

Result<std::string> EvmAdapter::fetch_proof(const Hash32& commitment, std::uint64_t height, std::uint64_t anchor_height) {
  return impl_->log_bundle(packet::packet_sent_topic0(), 3, "PacketSent", commitment, height, anchor_height);
}

// The receipt bundle of the endpoint's log (topic0, topic1 = commitment, `ntopics` topics) in block `height`:
// fetch_proof (PacketSent) and fetch_ack_proof (AcknowledgementWritten).
Result<std::string> EvmAdapter::Impl::log_bundle(const Hash32& topic0, std::size_t ntopics, const char* event,
                                                 const Hash32& commitment, std::uint64_t height,
                                                 std::uint64_t anchor_height) {
  std::uint64_t last = 0;
  if (auto ok = check_bundle_range(height, anchor_height, last); !ok) return tl::unexpected(std::move(ok.error()));
  return with_endpoint([&](EthRpc& rpc, JsonRpcClient& client) -> Result<std::string> {
    auto tip = rpc.block_number();
    if (!tip) return tl::unexpected(std::move(tip.error()));
    if (*tip < last) {
      return fail(Code::Confirmations,
                  "tip " + std::to_string(*tip) + " is below " + std::to_string(last) + " (min_confirmations)", "height");
    }
    auto blk = this->block(rpc, height);
    if (!blk) return tl::unexpected(std::move(blk.error()));
    auto recs = this->receipts(client, *blk);
    if (!recs) return tl::unexpected(std::move(recs.error()));
    const ReceiptInfo* found = nullptr;
    std::size_t log_pos = 0;
    for (const ReceiptInfo& r : *recs) {
      if (r.receipt.status != eth::ReceiptStatus::Success) continue;
      for (std::size_t j = 0; j < r.receipt.logs.size() && !found; ++j) {
        const eth::Log& l = r.receipt.logs[j];
        // A19: only the registered endpoint's logs.
        if (l.address == cfg.endpoint && l.topics.size() == ntopics && l.topics[0] == topic0 && l.topics[1] == commitment) {
          found = &r;
          log_pos = j;
        }
      }
      if (found) break;
    }
    if (!found) {
      return fail(Code::UnknownPacket,
                  std::string("no ") + event + " of " + hex_address(cfg.endpoint) + " with commitment " + to_hex(commitment.view()) +
                      " in block " + std::to_string(height),
                  "commitment");
    }
    std::vector<eth::Receipt> typed;
    typed.reserve(recs->size());
    for (const ReceiptInfo& r : *recs) typed.push_back(r.receipt);
    auto trie = ReceiptTrie::build(typed);
    if (!trie) return tl::unexpected(std::move(trie.error()));
    if (trie->root() != blk->header.receipts_root) {
      return fail(Code::RpcInconsistent, "receipts do not hash to the block's receiptsRoot", "receipts");
    }
    auto proof = trie->prove(found->transaction_index);
    if (!proof) return tl::unexpected(std::move(proof.error()));
    const eth::Log& log = found->receipt.logs[log_pos];
    json topics = json::array();
    for (const Hash32& t : log.topics) topics.push_back(to_hex(t.view()));
    json inclusion{{"kind", "receipt"},
                   {"block", height},
                   {"tx_index", found->transaction_index},
                   {"proof", nodes_json(*proof)},
                   {"log_index", log_pos},
                   {"emitter", hex_address(log.address)},
                   {"topics", std::move(topics)},
                   {"data", to_hex(log.data)}};
    auto ah = anchor_and_headers(rpc, anchor_height, last, *blk);
    if (!ah) return tl::unexpected(std::move(ah.error()));
    return bundle(std::move(ah->first), std::move(ah->second), std::move(inclusion)).dump();
  });
}

Result<ReceiptSlotProof> EvmAdapter::receipt_slot_proof(const Hash32& commitment, std::uint64_t height) {
  return impl_->with_endpoint([&](EthRpc& rpc, JsonRpcClient&) -> Result<ReceiptSlotProof> {
    auto block = impl_->block(rpc, height);
    if (!block) return tl::unexpected(std::move(block.error()));
    ReceiptSlotProof p;
    p.block_number = height;
    p.block_hash = block->hash;
    p.state_root = block->header.state_root;
    p.commitment = commitment;
    p.slot = packet::receipt_storage_slot(commitment);
    p.endpoint = impl_->cfg.endpoint;
    auto proof = rpc.get_proof(impl_->cfg.endpoint, std::vector<Hash32>{p.slot}, height);
    if (!proof) return tl::unexpected(std::move(proof.error()));
    p.proof = std::move(*proof);
    return p;
  });
}

Result<std::string> EvmAdapter::fetch_receipt_slot_bundle(const Hash32& commitment, std::uint64_t height,
                                                          std::uint64_t anchor_height) {
  std::uint64_t last = 0;
  if (auto ok = impl_->check_bundle_range(height, anchor_height, last); !ok) return tl::unexpected(std::move(ok.error()));
  return impl_->with_endpoint([&](EthRpc& rpc, JsonRpcClient&) -> Result<std::string> {
    auto tip = rpc.block_number();
    if (!tip) return tl::unexpected(std::move(tip.error()));
    if (*tip < last) {
      return fail(Code::Confirmations,
                  "tip " + std::to_string(*tip) + " is below " + std::to_string(last) + " (min_confirmations)", "height");
    }
    const Hash32 slot = packet::receipt_storage_slot(commitment);
    auto p = rpc.get_proof(impl_->cfg.endpoint, std::vector<Hash32>{slot}, height);
    if (!p) return tl::unexpected(std::move(p.error()));
    json inclusion{{"kind", "storage"},
                   {"block", height},
                   {"address", hex_address(impl_->cfg.endpoint)},
                   {"proof", nodes_json(p->account_proof)},
                   {"nonce", p->account.nonce},
                   {"balance", abi::u256_to_decimal(p->account.balance)},
                   {"storageHash", to_hex(p->account.storage_hash.view())},
                   {"codeHash", to_hex(p->account.code_hash.view())},
                   {"key", to_hex(slot.view())},
                   {"value", to_hex(p->storage.at(0).value.view())},
                   {"storage_proof", nodes_json(p->storage.at(0).proof)}};
    auto ah = impl_->anchor_and_headers(rpc, anchor_height, last, std::nullopt);
    if (!ah) return tl::unexpected(std::move(ah.error()));
    return impl_->bundle(std::move(ah->first), std::move(ah->second), std::move(inclusion)).dump();
  });
}

Result<std::vector<SentPacketLog>> EvmAdapter::sent_packets(std::uint64_t from, std::uint64_t to) {
  if (to < from || to - from >= impl_->cfg.max_scan_blocks) {
    return fail(Code::InvalidArgument, "range must be from ≤ to and at most max_scan_blocks blocks", "range");
  }
  return impl_->with_endpoint([&](EthRpc&, JsonRpcClient& client) -> Result<std::vector<SentPacketLog>> {
    const Hash32 topic0 = packet::packet_sent_topic0();
    const json filter{{"fromBlock", quantity(from)},
                      {"toBlock", quantity(to)},
                      {"address", hex_address(impl_->cfg.endpoint)},
                      {"topics", json::array({to_hex(topic0.view())})}};
    auto r = client.call("eth_getLogs", json::array({filter}));
    if (!r) return tl::unexpected(std::move(r.error()));
    if (!r->is_array()) return fail(Code::RpcResponse, "eth_getLogs result is not an array", "eth_getLogs");
    if (r->size() > impl_->cfg.max_logs) return fail(Code::TooLarge, "more than max_logs logs", "eth_getLogs");
    std::vector<SentPacketLog> out;
    for (std::size_t i = 0; i < r->size(); ++i) {
      const json& l = (*r)[i];
      const std::string at = "logs[" + std::to_string(i) + "]";
      if (!l.is_object()) return fail(Code::RpcResponse, "log is not an object", at);
      if (l.contains("removed") && !(l["removed"].is_boolean() && !l["removed"].get<bool>())) {
        return fail(Code::RpcInconsistent, "a removed log", at + ".removed");
      }
      eth::Log log;
      auto addr = decode_address(l.value("address", json()), at + ".address");
      if (!addr) return tl::unexpected(std::move(addr.error()));
      if (*addr != impl_->cfg.endpoint) return fail(Code::RpcInconsistent, "log of another address than asked", at + ".address");
      log.address = *addr;
      const json topics = l.value("topics", json());
      if (!topics.is_array() || topics.size() > eth::kMaxTopics) return fail(Code::RpcResponse, "bad topics", at + ".topics");
      for (std::size_t t = 0; t < topics.size(); ++t) {
        auto h = decode_hash(topics[t], at + ".topics[" + std::to_string(t) + "]");
        if (!h) return tl::unexpected(std::move(h.error()));
        log.topics.push_back(*h);
      }
      if (log.topics.empty() || log.topics[0] != topic0) return fail(Code::RpcInconsistent, "log of another event", at + ".topics");
      auto data = decode_data(l.value("data", json()), at + ".data", eth::kMaxReceiptBytes);
      if (!data) return tl::unexpected(std::move(data.error()));
      log.data = std::move(*data);
      SentPacketLog s;
      auto bn = decode_quantity_u64(l.value("blockNumber", json()), at + ".blockNumber");
      if (!bn) return tl::unexpected(std::move(bn.error()));
      if (*bn < from || *bn > to) return fail(Code::RpcInconsistent, "log outside the asked range", at + ".blockNumber");
      s.block_number = *bn;
      auto bh = decode_hash(l.value("blockHash", json()), at + ".blockHash");
      if (!bh) return tl::unexpected(std::move(bh.error()));
      s.block_hash = *bh;
      auto th = decode_hash(l.value("transactionHash", json()), at + ".transactionHash");
      if (!th) return tl::unexpected(std::move(th.error()));
      s.transaction_hash = *th;
      auto ti = decode_quantity_u64(l.value("transactionIndex", json()), at + ".transactionIndex");
      if (!ti) return tl::unexpected(std::move(ti.error()));
      s.transaction_index = *ti;
      auto li = decode_quantity_u64(l.value("logIndex", json()), at + ".logIndex");
      if (!li) return tl::unexpected(std::move(li.error()));
      s.log_index = *li;
      auto p = eth::packet_from_log(log, impl_->cfg.endpoint);
      if (!p) {
        Error e = std::move(p.error());
        e.at = at + (e.at.empty() ? "" : "." + e.at);
        return tl::unexpected(std::move(e));
      }
      s.commitment = log.topics[1];
      s.sequence = p->sequence;
      s.packet_bytes = packet::encode_packet(*p);
      if (!out.empty() && std::make_pair(s.block_number, s.log_index) <=
                              std::make_pair(out.back().block_number, out.back().log_index)) {
        return fail(Code::RpcInconsistent, "logs not in chain order", at);
      }
      out.push_back(std::move(s));
    }
    return out;
  });
}

Result<DeliveryStatus> EvmAdapter::lookup_delivery(const Hash32& commitment, ByteView tx) {
  return impl_->with_endpoint([&](EthRpc& rpc, JsonRpcClient& client) -> Result<DeliveryStatus> {
    DeliveryStatus st;
    auto ack = impl_->read_receipt(client, commitment, "latest");
    if (!ack) return tl::unexpected(std::move(ack.error()));
    st.ack_commitment = *ack;
    st.received = *ack != Hash32{};
    if (!st.received) return st;
    const Hash32 topic0 = acknowledgement_topic();
    if (tx.size() == 32) {
      Hash32 h;
      std::copy(tx.begin(), tx.end(), h.b.begin());
      auto rec = rpc.transaction_receipt(h);
      if (!rec) return tl::unexpected(std::move(rec.error()));
      if (rec->has_value() && (*rec)->receipt.status == eth::ReceiptStatus::Success) {
        for (const eth::Log& l : (*rec)->receipt.logs) {
          if (l.address == impl_->cfg.endpoint && l.topics.size() == 2 && l.topics[0] == topic0 && l.topics[1] == commitment) {
            st.height = (*rec)->block_number;
            st.tx = Bytes(h.b.begin(), h.b.end());
            return st;
          }
        }
      }
    }
    // Delivered by another transaction (another relayer, A27): search the acknowledgement log.
    auto tip = rpc.block_number();
    if (!tip) return tl::unexpected(std::move(tip.error()));
    const std::uint64_t from = *tip + 1 > impl_->cfg.max_scan_blocks ? *tip + 1 - impl_->cfg.max_scan_blocks : 0;
    const json filter{{"fromBlock", quantity(from)},
                      {"toBlock", quantity(*tip)},
                      {"address", hex_address(impl_->cfg.endpoint)},
                      {"topics", json::array({to_hex(topic0.view()), to_hex(commitment.view())})}};
    auto logs = client.call("eth_getLogs", json::array({filter}));
    if (!logs) return tl::unexpected(std::move(logs.error()));
    if (logs->is_array() && !logs->empty() && (*logs)[0].is_object()) {
      const json& l = (*logs)[0];
      auto bn = decode_quantity_u64(l.value("blockNumber", json()), "logs[0].blockNumber");
      auto th = decode_hash(l.value("transactionHash", json()), "logs[0].transactionHash");
      if (bn && th) {
        st.height = *bn;
        st.tx = Bytes(th->b.begin(), th->b.end());
      }
    }
    return st;
  });
}

Result<Submitted> EvmAdapter::submit_delivery(const Delivery& d) {
  Impl& m = *impl_;
  if (!m.key) return fail(Code::InvalidArgument, "read-only adapter: no submitter key", "submitter_key");
  if (d.dest_island != m.cfg.island) {
    return fail(Code::IslandMismatch, "delivery for " + d.dest_island + ", this island is " + m.cfg.island, "dest_island");
  }
  if (!d.dest_endpoint.empty() &&
      !std::equal(d.dest_endpoint.begin(), d.dest_endpoint.end(), m.cfg.endpoint.begin(), m.cfg.endpoint.end())) {
    return fail(Code::WrongDestination, "delivery for another endpoint", "dest_endpoint");
  }
  if (keccak256(d.packet_bytes) != d.commitment) {
    return fail(Code::InvalidArgument, "commitment is not keccak256(packet_bytes)", "commitment");
  }
  if (d.attestations.empty() || d.attestations.size() > kMaxAttestations) {
    return fail(Code::InvalidArgument, "1 to 64 attestations", "attestations");
  }
  std::vector<EvmAttestation> atts;
  for (std::size_t i = 0; i < d.attestations.size(); ++i) {
    if (d.attestations[i].signature.size() != 65) {
      return fail(Code::BadLength, "signature is not 65 bytes", "attestations[" + std::to_string(i) + "]");
    }
    atts.push_back({d.attestations[i].audit_index, d.attestations[i].signature});
  }
  auto p = packet::decode_packet(d.packet_bytes);
  if (!p) return tl::unexpected(std::move(p.error()));
  const Bytes calldata = recv_packet_call(*p, atts);
  const Hash32 commitment = d.commitment;
  // A27: already received (by us or another relayer)? Checked before signing and after a revert.
  return m.send_endpoint_tx(calldata, "recvPacket", [&m, commitment](JsonRpcClient& client) -> Result<bool> {
    auto ack = m.read_receipt(client, commitment, "latest");
    if (!ack) return tl::unexpected(std::move(ack.error()));
    return *ack != Hash32{};
  });
}

// One transaction to the endpoint (see the file comment, "Submission"): `settled(client)` says whether the work
// is already done on chain (a receipt, a settled sent packet): checked before signing (refused with
// ERR_PACKET_REPLAYED, nothing sent) and after a revert (ERR_PACKET_REPLAYED: another transaction came first).
Result<Submitted> EvmAdapter::Impl::send_endpoint_tx(const Bytes& calldata, const std::string& what,
                                                     const std::function<Result<bool>(JsonRpcClient&)>& settled) {
  Impl& m = *this;
  const std::string from = hex_address(m.submitter);
  const std::string to = hex_address(m.cfg.endpoint);

  const std::size_t idx = m.pool->acquire();
  m.last_index = idx;
  JsonRpcClient& client = m.pool->client(idx);
  EthRpc rpc(client);
  const auto transport = [&](Error e) -> tl::unexpected<Error> {
    if (transport_failure(e)) m.pool->report_transport_failure(idx);
    return tl::unexpected(std::move(e));
  };

  // A27/A30: already done (by us or another relayer)? Checked before signing.
  auto done = settled(client);
  if (!done) return transport(std::move(done.error()));
  if (*done) {
    ++m.refused_before_send;
    return fail(Code::PacketReplayed, what + ": the endpoint already settled this packet", "commitment");
  }

  // Fees: EIP-1559 when the chain has a base fee, legacy otherwise.
  auto latest = rpc.block_by_tag("latest", m.block_options);
  if (!latest) return transport(std::move(latest.error()));
  if (!latest->has_value()) return fail(Code::RpcResponse, "the node has no latest block", "eth_getBlockByNumber");
  const auto& base_fee = (*latest)->header.base_fee_per_gas;
  std::uint64_t tip_fee = m.cfg.default_priority_fee_wei;
  std::uint64_t max_fee = 0;
  if (base_fee) {
    auto base = abi::u256_to_u64(*base_fee);
    if (!base) return fail(Code::DeliveryFailed, "base fee above 2^64 wei", "baseFeePerGas");
    if (auto prio = client.call("eth_maxPriorityFeePerGas"); prio) {
      auto v = decode_quantity_u64(*prio, "eth_maxPriorityFeePerGas");
      if (v) tip_fee = *v;
    }
    max_fee = *base > (UINT64_MAX - tip_fee) / 2 ? UINT64_MAX : 2 * *base + tip_fee;
  } else {
    auto price = client.call("eth_gasPrice");
    if (!price) return transport(std::move(price.error()));
    auto v = decode_quantity_u64(*price, "eth_gasPrice");
    if (!v) return tl::unexpected(std::move(v.error()));
    max_fee = *v;
  }
  if (max_fee > m.cfg.max_fee_per_gas_cap) {
    ++m.refused_before_send;
    return fail(Code::DeliveryFailed,
                "fee " + std::to_string(max_fee) + " wei/gas above the cap " + std::to_string(m.cfg.max_fee_per_gas_cap),
                "max_fee_per_gas");
  }
  tip_fee = std::min(tip_fee, max_fee);

  // Nonce: the chain's pending count (A24: a cached value is never trusted over the chain's).
  const auto read_nonce = [&]() -> Result<std::uint64_t> {
    auto n = client.call("eth_getTransactionCount", json::array({from, "pending"}));
    if (!n) return tl::unexpected(std::move(n.error()));
    return decode_quantity_u64(*n, "eth_getTransactionCount");
  };
  auto nonce = read_nonce();
  if (!nonce) return transport(std::move(nonce.error()));
  if (m.cached_nonce && *m.cached_nonce != *nonce) ++m.nonce_resyncs;

  // Gas: estimated (a revert here names its code), with a margin, capped.
  auto est = client.call("eth_estimateGas", json::array({json{{"from", from}, {"to", to}, {"data", to_hex(calldata)}}}));
  if (!est) {
    if (est.error().code == Code::RpcError) {
      ++m.refused_before_send;
      const auto code = code_in_message(est.error().detail);
      return fail(code.value_or(Code::DeliveryFailed), what + " would revert: " + est.error().detail, "eth_estimateGas");
    }
    return transport(std::move(est.error()));
  }
  auto gas = decode_quantity_u64(*est, "eth_estimateGas");
  if (!gas) return tl::unexpected(std::move(gas.error()));
  const std::uint64_t gas_limit = with_margin(*gas, m.cfg.gas_margin_percent);
  if (gas_limit > m.cfg.gas_cap) {
    ++m.refused_before_send;
    return fail(Code::DeliveryFailed,
                "gas " + std::to_string(gas_limit) + " above the cap " + std::to_string(m.cfg.gas_cap), "gas_cap");
  }

  Hash32 hash;
  for (int attempt = 0;; ++attempt) {
    Result<Bytes> raw = fail(Code::InvalidArgument);
    if (base_fee) {
      Eip1559Tx tx;
      tx.nonce = *nonce;
      tx.max_priority_fee_per_gas = tip_fee;
      tx.max_fee_per_gas = max_fee;
      tx.gas_limit = gas_limit;
      tx.to = m.cfg.endpoint;
      tx.data = calldata;
      raw = sign_eip1559_tx(tx, m.chain_id, *m.key);
    } else {
      LegacyTx tx;
      tx.nonce = *nonce;
      tx.gas_price = abi::u256_from_u64(max_fee);
      tx.gas_limit = gas_limit;
      tx.to = m.cfg.endpoint;
      tx.data = calldata;
      raw = sign_legacy_tx(tx, m.chain_id, *m.key);
    }
    if (!raw) return tl::unexpected(std::move(raw.error()));
    hash = keccak256(*raw);
    auto sent = client.call("eth_sendRawTransaction", json::array({to_hex(*raw)}));
    if (sent) {
      auto echoed = decode_hash(*sent, "eth_sendRawTransaction");
      if (!echoed) return tl::unexpected(std::move(echoed.error()));
      if (*echoed != hash) return fail(Code::RpcInconsistent, "node reports another transaction hash", to_hex(hash.view()));
      ++m.submits;
      m.cached_nonce = *nonce + 1;
      m.last_tx = hash;
      break;
    }
    if (sent.error().code != Code::RpcError) {
      // Ambiguous (A30): the transaction may have reached the node. Remember it; the engine looks it up.
      m.last_tx = hash;
      Error e = std::move(sent.error());
      e.detail += " (transaction " + to_hex(hash.view()) + " may still be included: look it up before any retry)";
      return transport(std::move(e));
    }
    ++m.send_rejections;
    m.cached_nonce.reset();  // never advanced on rejection (A24)
    const std::string msg = lower(sent.error().detail);
    if (msg.find("nonce") != std::string::npos && attempt == 0) {
      ++m.nonce_retries;
      auto again = read_nonce();
      if (!again) return transport(std::move(again.error()));
      if (*again == *nonce) return fail(Code::TxNonce, "nonce refused and re-read unchanged: " + sent.error().detail, "nonce");
      nonce = *again;
      continue;
    }
    const auto code = code_in_message(sent.error().detail);
    return fail(code.value_or(msg.find("nonce") != std::string::npos ? Code::TxNonce : Code::DeliveryFailed),
                "eth_sendRawTransaction refused: " + sent.error().detail, to_hex(hash.view()));
  }

  Submitted out{Bytes(hash.b.begin(), hash.b.end())};
  if (!m.cfg.wait_for_receipt) return out;
  const auto deadline = std::chrono::steady_clock::now() + m.cfg.receipt_timeout;
  for (;;) {
    auto rec = rpc.transaction_receipt(hash);
    if (!rec) return transport(std::move(rec.error()));
    if (rec->has_value()) {
      if ((*rec)->receipt.status == eth::ReceiptStatus::Success) return out;
      ++m.reverted;
      auto after = settled(client);
      if (after && *after) {
        return fail(Code::PacketReplayed, "reverted: another " + what + " of the packet came first (A27)", to_hex(hash.view()));
      }
      return fail(Code::DeliveryFailed, what + " reverted in block " + std::to_string((*rec)->block_number),
                  to_hex(hash.view()));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return fail(Code::RpcTimeout, "no receipt yet for " + to_hex(hash.view()) + " (look it up before any retry, A30)",
                  to_hex(hash.view()));
    }
    std::this_thread::sleep_for(m.cfg.poll_interval);
  }
}

HeadFollower EvmAdapter::head_follower(std::optional<Head> start, std::size_t window) {
  Impl* m = impl_.get();
  HeadSource src;
  src.tip = [this]() { return latest_height(); };
  src.block = [m](std::uint64_t n) {
    return m->with_endpoint([&](EthRpc& rpc, JsonRpcClient&) { return rpc.block_by_number(n, m->block_options); });
  };
  return HeadFollower(std::move(src), start, window);
}

Result<std::vector<SentPacketRef>> EvmAdapter::scan_sent(std::uint64_t from, std::uint64_t to) {
  auto logs = sent_packets(from, to);
  if (!logs) return tl::unexpected(logs.error());
  std::vector<SentPacketRef> out;
  out.reserve(logs->size());
  for (const auto& l : *logs) out.push_back(SentPacketRef{l.commitment, l.block_number});
  return out;
}

namespace {

// sentStatus(commitment) of the endpoint (Endpoint.sol: 0 unknown, 1 pending, 2 acknowledged, 3 refunded by an
// error ack, 4 timed out) by eth_call at latest.
Result<std::uint8_t> sent_status(JsonRpcClient& client, const eth::Address& endpoint, const Hash32& commitment) {
  Bytes data = function_selector("sentStatus(bytes32)");
  append(data, commitment.view());
  auto r = client.call("eth_call", json::array({json{{"to", hex_address(endpoint)}, {"data", to_hex(data)}}, "latest"}));
  if (!r) return tl::unexpected(std::move(r.error()));
  auto word = decode_hash(*r, "eth_call sentStatus");
  if (!word) return tl::unexpected(std::move(word.error()));
  for (std::size_t i = 0; i + 1 < 32; ++i)
    if (word->b[i] != 0) return fail(Code::RpcResponse, "sentStatus is not a uint8", "eth_call sentStatus");
  if (word->b[31] > 4) return fail(Code::RpcResponse, "sentStatus out of range", "eth_call sentStatus");
  return word->b[31];
}

}  // namespace

Result<SourceStatus> EvmAdapter::lookup_sent(const Hash32& commitment) {
  return impl_->with_endpoint([&](EthRpc&, JsonRpcClient& client) -> Result<SourceStatus> {
    auto st = sent_status(client, impl_->cfg.endpoint, commitment);
    if (!st) return tl::unexpected(std::move(st.error()));
    switch (*st) {
      case 0: return SourceStatus::Unknown;
      case 1: return SourceStatus::Pending;
      case 2: return SourceStatus::Acknowledged;
      default: return SourceStatus::Refunded;  // 3 / 4: refunded (error ack / timeout)
    }
  });
}

// ---- the return path (chain_adapter.hpp lifecycle calls; docs/adapters.md "EVM") -------------------------------

Result<std::string> EvmAdapter::fetch_ack_proof(const Hash32& commitment, std::uint64_t height_hint,
                                                std::uint64_t anchor_height) {
  std::uint64_t height = height_hint;
  if (height <= anchor_height) {
    // Search the endpoint's AcknowledgementWritten(topic1 = commitment) after the anchor (≤ max_scan_blocks).
    auto found = impl_->with_endpoint([&](EthRpc& rpc, JsonRpcClient& client) -> Result<std::uint64_t> {
      auto tip = rpc.block_number();
      if (!tip) return tl::unexpected(std::move(tip.error()));
      const std::uint64_t from = anchor_height + 1;
      if (from > *tip) return fail(Code::UnknownPacket, "no block after the anchor yet", "commitment");
      const std::uint64_t to = std::min<std::uint64_t>(*tip, from + impl_->cfg.max_scan_blocks - 1);
      const json filter{{"fromBlock", quantity(from)},
                        {"toBlock", quantity(to)},
                        {"address", hex_address(impl_->cfg.endpoint)},
                        {"topics", json::array({to_hex(acknowledgement_topic().view()), to_hex(commitment.view())})}};
      auto logs = client.call("eth_getLogs", json::array({filter}));
      if (!logs) return tl::unexpected(std::move(logs.error()));
      if (!logs->is_array()) return fail(Code::RpcResponse, "eth_getLogs result is not an array", "eth_getLogs");
      if (logs->empty() || !(*logs)[0].is_object())
        return fail(Code::UnknownPacket, "no AcknowledgementWritten for " + to_hex(commitment.view()), "commitment");
      auto bn = decode_quantity_u64((*logs)[0].value("blockNumber", json()), "logs[0].blockNumber");
      if (!bn) return tl::unexpected(std::move(bn.error()));
      if (*bn < from || *bn > to) return fail(Code::RpcInconsistent, "log outside the asked range", "logs[0].blockNumber");
      return *bn;
    });
    if (!found) return tl::unexpected(std::move(found.error()));
    height = *found;
  }
  // A19 is the verifier's rule (the relay reads the log only from the registered endpoint); the adapter asks only
  // the endpoint's logs anyway.
  return impl_->log_bundle(acknowledgement_topic(), 2, "AcknowledgementWritten", commitment, height, anchor_height);
}

Result<std::string> EvmAdapter::fetch_non_delivery_proof(const Hash32& commitment, std::uint64_t /*from_height*/,
                                                         std::uint64_t at_height, std::uint64_t anchor_height) {
  // The receipt slot at the highest block ≤ at_height that has min_confirmations − 1 blocks on top at the tip.
  auto tip = latest_height();
  if (!tip) return tl::unexpected(std::move(tip.error()));
  const std::uint64_t extra = impl_->cfg.min_confirmations - 1;
  if (*tip < extra) return fail(Code::Confirmations, "the chain is too short", "at_height");
  const std::uint64_t at = std::min(at_height, *tip - extra);
  if (at <= anchor_height) return fail(Code::InvalidArgument, "no confirmed block above the anchor", "at_height");
  return fetch_receipt_slot_bundle(commitment, at, anchor_height);
}

namespace {

Result<std::vector<EvmAttestation>> evm_attestations(const std::vector<MemberAttestation>& in) {
  if (in.empty() || in.size() > kMaxAttestations) return fail(Code::InvalidArgument, "1 to 64 attestations", "attestations");
  std::vector<EvmAttestation> out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i].signature.size() != 65)
      return fail(Code::BadLength, "signature is not 65 bytes", "attestations[" + std::to_string(i) + "]");
    out.push_back({in[i].audit_index, in[i].signature});
  }
  return out;
}

}  // namespace

Result<Submitted> EvmAdapter::submit_acknowledgement(ByteView packet_bytes, ByteView ack_bytes,
                                                     const std::vector<MemberAttestation>& attestations) {
  Impl& m = *impl_;
  if (!m.key) return fail(Code::InvalidArgument, "read-only adapter: no submitter key", "submitter_key");
  auto atts = evm_attestations(attestations);
  if (!atts) return tl::unexpected(std::move(atts.error()));
  auto p = packet::decode_packet(packet_bytes);
  if (!p) return tl::unexpected(std::move(p.error()));
  if (p->source_island != m.cfg.island)
    return fail(Code::IslandMismatch, "packet from " + p->source_island + ", this island is " + m.cfg.island, "source_island");
  const Hash32 commitment = keccak256(packet_bytes);
  auto ack = packet::decode_ack(ack_bytes);
  if (!ack) return tl::unexpected(std::move(ack.error()));
  if (ack->commitment != commitment) return fail(Code::InvalidArgument, "the ack names another packet", "ack_bytes");
  const Bytes calldata = acknowledge_packet_call(*p, ack_bytes, *atts);
  const eth::Address endpoint = m.cfg.endpoint;
  // A30: settled already (our earlier transaction or another relayer's)? Checked before signing and after a revert.
  return m.send_endpoint_tx(calldata, "acknowledgePacket", [endpoint, commitment](JsonRpcClient& client) -> Result<bool> {
    auto st = sent_status(client, endpoint, commitment);
    if (!st) return tl::unexpected(std::move(st.error()));
    return *st >= 2;
  });
}

Result<Submitted> EvmAdapter::submit_timeout(ByteView packet_bytes, const std::vector<MemberAttestation>& attestations) {
  Impl& m = *impl_;
  if (!m.key) return fail(Code::InvalidArgument, "read-only adapter: no submitter key", "submitter_key");
  auto atts = evm_attestations(attestations);
  if (!atts) return tl::unexpected(std::move(atts.error()));
  auto p = packet::decode_packet(packet_bytes);
  if (!p) return tl::unexpected(std::move(p.error()));
  if (p->source_island != m.cfg.island)
    return fail(Code::IslandMismatch, "packet from " + p->source_island + ", this island is " + m.cfg.island, "source_island");
  const Hash32 commitment = keccak256(packet_bytes);
  const Bytes calldata = timeout_packet_call(*p, *atts);
  const eth::Address endpoint = m.cfg.endpoint;
  return m.send_endpoint_tx(calldata, "timeoutPacket", [endpoint, commitment](JsonRpcClient& client) -> Result<bool> {
    auto st = sent_status(client, endpoint, commitment);
    if (!st) return tl::unexpected(std::move(st.error()));
    return *st >= 2;
  });
}

}  // namespace causeway::adapters::ethereum
