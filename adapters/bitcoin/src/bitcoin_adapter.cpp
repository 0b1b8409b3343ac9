// Bitcoin Core JSON-RPC client and the Bitcoin chain adapter (bitcoin_adapter.hpp).
#include "causeway/bitcoin_adapter/bitcoin_adapter.hpp"

#include <algorithm>
#include <utility>

#include "causeway/bitcoin/chain.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/merkle/bitcoin_merkle.hpp"

namespace causeway::adapters::bitcoin {

using nlohmann::json;
namespace btc = causeway::bitcoin;

namespace {

std::string display_hex(const Hash32& internal) { return to_hex_bare(internal.reversed().view()); }

Hash32 hash_of_header(ByteView raw) { return sha256d(raw); }

}  // namespace

// ---- BitcoinRpc -------------------------------------------------------------------------------------------

Result<Bytes> BitcoinRpc::hex_result(std::string_view method, const json& params, std::size_t max_bytes) {
  auto r = client_->call(method, params);
  if (!r) return tl::unexpected(r.error());
  const std::string at(method);
  if (!r->is_string()) return fail(Code::RpcResponse, "expected a hex string result", at);
  const auto& s = r->get_ref<const std::string&>();
  if (s.starts_with("0x") || s.starts_with("0X")) return fail(Code::RpcResponse, "Bitcoin Core's hex is bare (no 0x)", at);
  if (s.size() / 2 > max_bytes)
    return fail(Code::TooLarge, std::to_string(s.size() / 2) + " bytes over the bound of " + std::to_string(max_bytes), at);
  auto b = from_hex_bare(s, max_bytes);
  if (!b) return fail(Code::RpcResponse, "not bare hex: " + b.error().detail, at);
  return b;
}

Result<std::uint64_t> BitcoinRpc::block_count() {
  auto r = client_->call("getblockcount");
  if (!r) return tl::unexpected(r.error());
  if (!r->is_number_unsigned()) return fail(Code::RpcResponse, "expected a non-negative integer", "getblockcount");
  return r->get<std::uint64_t>();
}

Result<Hash32> BitcoinRpc::block_hash(std::uint64_t height) {
  auto b = hex_result("getblockhash", json::array({height}), 32);
  if (!b) return tl::unexpected(b.error());
  if (b->size() != 32) return fail(Code::RpcResponse, "a block hash is 32 bytes", "getblockhash");
  return Hash32::from(*b).reversed();
}

Result<btc::RawHeader> BitcoinRpc::block_header(const Hash32& hash) {
  auto b = hex_result("getblockheader", json::array({display_hex(hash), false}), btc::kHeaderSize);
  if (!b) return tl::unexpected(b.error());
  if (b->size() != btc::kHeaderSize) return fail(Code::RpcResponse, "a header is 80 bytes", "getblockheader");
  if (hash_of_header(*b) != hash)
    return fail(Code::RpcInconsistent, "the header does not hash to " + display_hex(hash), "getblockheader");
  btc::RawHeader out;
  std::copy(b->begin(), b->end(), out.begin());
  return out;
}

Result<Bytes> BitcoinRpc::raw_transaction(const Hash32& txid, const std::optional<Hash32>& block_hash) {
  json params = json::array({display_hex(txid), 0});
  if (block_hash) params.push_back(display_hex(*block_hash));
  auto b = hex_result("getrawtransaction", params, kMaxTxBytes);
  if (!b) return tl::unexpected(b.error());
  auto id = btc::txid_of(*b);
  if (!id) return fail(Code::RpcResponse, "transaction: " + id.error().detail, "getrawtransaction");
  if (*id != txid) return fail(Code::RpcInconsistent, "the transaction does not hash to " + display_hex(txid), "getrawtransaction");
  return b;
}

Result<MerkleBlock> BitcoinRpc::tx_out_proof(const Hash32& txid, const std::optional<Hash32>& block_hash) {
  json params = json::array({json::array({display_hex(txid)})});
  if (block_hash) params.push_back(display_hex(*block_hash));
  auto b = hex_result("gettxoutproof", params, kMaxMerkleBlockBytes);
  if (!b) return tl::unexpected(b.error());
  auto mb = parse_merkleblock(*b);
  if (!mb) return tl::unexpected(mb.error());
  if (block_hash && hash_of_header(mb->header) != *block_hash)
    return fail(Code::RpcInconsistent, "the merkle block is of another block", "gettxoutproof");
  return mb;
}

Result<RawBlock> BitcoinRpc::block(const Hash32& hash) {
  auto b = hex_result("getblock", json::array({display_hex(hash), 0}), kMaxBlockBytes);
  if (!b) return tl::unexpected(b.error());
  auto blk = parse_block(*b);
  if (!blk) return tl::unexpected(blk.error());
  if (hash_of_header(blk->header) != hash)
    return fail(Code::RpcInconsistent, "the block does not hash to " + display_hex(hash), "getblock");
  return blk;
}

// ---- deposits of a block -------------------------------------------------------------------------------------

Result<BlockDeposits> scan_block_deposits(const DepositPolicy& policy, const RawBlock& block, std::uint32_t height) {
  BlockDeposits out;
  out.txids.reserve(block.txs.size());
  for (const auto& tx : block.txs) {
    auto id = btc::txid_of(tx);
    if (!id) return tl::unexpected(id.error());
    out.txids.push_back(*id);
  }
  auto header = btc::decode_header(block.header);
  if (!header) return tl::unexpected(header.error());
  // The scan must cover the whole block: the transactions must be exactly those the header commits to.
  const auto root = merkle::bitcoin_merkle_root(out.txids);
  if (root.mutated || root.root != header->merkle_root)
    return fail(Code::RpcInconsistent, "the block's transactions do not hash to its merkle root", "getblock");
  for (std::size_t i = 0; i < block.txs.size(); ++i) {
    if (i >= (std::size_t{1} << 24)) break;  // deposit_sequence refuses these; no block holds that many
    auto d = detect_deposit(policy, block.txs[i], height, static_cast<std::uint32_t>(i));
    if (!d) {
      out.invalid.emplace_back(static_cast<std::uint32_t>(i), d.error());
      continue;
    }
    if (*d) out.deposits.push_back(std::move(**d));
  }
  return out;
}

// ---- the adapter -------------------------------------------------------------------------------------------

struct BitcoinAdapter::Impl {
  BitcoinAdapterConfig config;
  JsonRpcClient client;
  BitcoinRpc rpc;
  const btc::Params* params = nullptr;

  Impl(BitcoinAdapterConfig c, JsonRpcClient cl) : config(std::move(c)), client(std::move(cl)), rpc(client) {}

  // Headers of heights from … to (inclusive), each hash-checked, in batches of getblockhash then getblockheader.
  Result<std::vector<btc::RawHeader>> headers(std::uint64_t from, std::uint64_t to) {
    std::vector<btc::RawHeader> out;
    for (std::uint64_t h = from; h <= to;) {
      std::vector<RpcCall> hash_calls;
      const std::uint64_t first = h;
      for (; h <= to && hash_calls.size() < config.batch; ++h) hash_calls.push_back({"getblockhash", json::array({h})});
      auto hashes = client.call_batch(hash_calls);
      if (!hashes) return tl::unexpected(hashes.error());
      std::vector<Hash32> ids;
      std::vector<RpcCall> header_calls;
      for (std::size_t i = 0; i < hashes->size(); ++i) {
        auto& one = (*hashes)[i];
        if (!one) return tl::unexpected(one.error());
        auto b = one->is_string() ? from_hex_bare(one->get<std::string>(), 32) : Result<Bytes>(fail(Code::BadHex));
        if (!b || b->size() != 32)
          return fail(Code::RpcResponse, "a block hash is 64 hex digits", "getblockhash[" + std::to_string(first + i) + "]");
        ids.push_back(Hash32::from(*b).reversed());
        header_calls.push_back({"getblockheader", json::array({display_hex(ids.back()), false})});
      }
      auto raws = client.call_batch(header_calls);
      if (!raws) return tl::unexpected(raws.error());
      for (std::size_t i = 0; i < raws->size(); ++i) {
        auto& one = (*raws)[i];
        const std::string at = "getblockheader[" + std::to_string(first + i) + "]";
        if (!one) return tl::unexpected(one.error());
        if (!one->is_string() || one->get_ref<const std::string&>().size() != 2 * btc::kHeaderSize)
          return fail(Code::RpcResponse, "a header is 160 hex digits", at);
        auto b = from_hex_bare(one->get<std::string>(), btc::kHeaderSize);
        if (!b) return fail(Code::RpcResponse, "not bare hex: " + b.error().detail, at);
        if (hash_of_header(*b) != ids[i]) return fail(Code::RpcInconsistent, "the header does not hash to its block hash", at);
        btc::RawHeader raw;
        std::copy(b->begin(), b->end(), raw.begin());
        if (!out.empty() && btc::decode_header(raw)->prev_hash != hash_of_header(out.back()))
          return fail(Code::RpcInconsistent, "the node's headers do not link (a reorg during the call?)", at);
        out.push_back(raw);
      }
      if (h == 0) break;
    }
    return out;
  }
};

BitcoinAdapter::BitcoinAdapter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
BitcoinAdapter::~BitcoinAdapter() = default;

Result<std::unique_ptr<BitcoinAdapter>> BitcoinAdapter::connect(BitcoinAdapterConfig config) {
  auto params = btc::params_by_name(config.network);
  if (!params) return tl::unexpected(params.error());
  if (config.batch == 0 || config.max_follow == 0 || config.max_proof_headers == 0 || config.min_confirmations == 0)
    return fail(Code::InvalidArgument, "batch, bounds and min_confirmations must be positive", "config");
  auto client = JsonRpcClient::create(config.rpc_url, config.rpc);
  if (!client) return tl::unexpected(client.error());
  auto impl = std::make_unique<Impl>(std::move(config), std::move(*client));
  impl->params = *params;
  auto genesis = impl->rpc.block_hash(0);
  if (!genesis) return tl::unexpected(genesis.error());
  if (*genesis != (*params)->genesis_hash)
    return fail(Code::IslandMismatch, "the node's block 0 is " + display_hex(*genesis) + ", not the " +
                                          (*params)->name + " genesis", "getblockhash");
  impl->config.deposits.genesis_display = genesis->reversed();
  impl->config.deposits.island = "bip122:" + display_hex(*genesis).substr(0, 32);
  return std::unique_ptr<BitcoinAdapter>(new BitcoinAdapter(std::move(impl)));
}

std::string BitcoinAdapter::island() const { return impl_->config.deposits.island; }
const DepositPolicy& BitcoinAdapter::policy() const noexcept { return impl_->config.deposits; }
BitcoinRpc& BitcoinAdapter::rpc() noexcept { return impl_->rpc; }

Result<std::string> BitcoinAdapter::follow_headers(std::uint64_t from_height, std::size_t max) {
  if (max == 0 || max > impl_->config.max_follow)
    return fail(Code::InvalidArgument, "max must be 1 … " + std::to_string(impl_->config.max_follow), "max");
  auto tip = impl_->rpc.block_count();
  if (!tip) return tl::unexpected(tip.error());
  if (*tip <= from_height) return std::string("[]");
  auto hs = impl_->headers(from_height + 1, std::min<std::uint64_t>(*tip, from_height + max));
  if (!hs) return tl::unexpected(hs.error());
  json out = json::array();
  for (const auto& h : *hs) out.push_back(to_hex(ByteView(h.data(), h.size())));
  return out.dump();
}

Result<std::string> BitcoinAdapter::tx_proof(const Hash32& txid, std::uint64_t height, std::uint64_t anchor_height) {
  const auto& cfg = impl_->config;
  if (anchor_height > height) return fail(Code::InvalidArgument, "the anchor is above the proving height", "anchor_height");
  if (height > UINT32_MAX) return fail(Code::InvalidArgument, "height over 2^32 − 1", "height");
  auto tip = impl_->rpc.block_count();
  if (!tip) return tl::unexpected(tip.error());
  if (height > *tip)
    return fail(Code::UnknownHeader, "the node's tip " + std::to_string(*tip) + " is below " + std::to_string(height), "height");
  std::uint64_t last = std::min<std::uint64_t>(*tip, height + cfg.min_confirmations - 1);
  if (cfg.headers_to_tip) last = std::max(last, std::min<std::uint64_t>(*tip, anchor_height + cfg.max_proof_headers));
  if (last - anchor_height > cfg.max_proof_headers)
    return fail(Code::InvalidArgument, std::to_string(last - anchor_height) + " headers over the bound of " +
                                           std::to_string(cfg.max_proof_headers), "anchor_height");
  const std::uint64_t ancestors = std::min<std::uint32_t>(cfg.anchor_ancestors, 10);
  const std::uint64_t first = anchor_height >= ancestors ? anchor_height - ancestors : 0;
  auto hs = impl_->headers(first, last);
  if (!hs) return tl::unexpected(hs.error());
  auto at = [&](std::uint64_t h) -> const btc::RawHeader& { return (*hs)[static_cast<std::size_t>(h - first)]; };
  auto hex80 = [](const btc::RawHeader& h) { return to_hex(ByteView(h.data(), h.size())); };

  json anchor = {{"height", anchor_height}, {"header", hex80(at(anchor_height))}};
  json prev_times = json::array();
  for (std::uint64_t h = first; h < anchor_height; ++h) prev_times.push_back(btc::decode_header(at(h))->time_s);
  if (!prev_times.empty()) anchor["prev_timestamps_s"] = prev_times;
  const auto interval = static_cast<std::uint64_t>(impl_->params->interval());
  if (interval > 0 && anchor_height % interval != 0 && last / interval > anchor_height / interval) {
    const std::uint64_t start = anchor_height - anchor_height % interval;
    auto hash = impl_->rpc.block_hash(start);
    if (!hash) return tl::unexpected(hash.error());
    auto raw = impl_->rpc.block_header(*hash);
    if (!raw) return tl::unexpected(raw.error());
    anchor["period_start_time_s"] = btc::decode_header(*raw)->time_s;
  }
  json headers = json::array();
  for (std::uint64_t h = anchor_height + 1; h <= last; ++h) headers.push_back(hex80(at(h)));

  const Hash32 block_hash = hash_of_header(at(height));
  auto mb = impl_->rpc.tx_out_proof(txid, block_hash);
  if (!mb) return tl::unexpected(mb.error());
  auto match = branch_of(*mb, txid);
  if (!match) return tl::unexpected(match.error());
  json branch = json::array();
  for (const auto& s : match->branch) branch.push_back(to_hex(s.reversed().view()));
  json inclusion = {{"kind", "tx"},
                    {"height", height},
                    {"txid", to_hex(txid.reversed().view())},
                    {"index", match->index},
                    {"branch", branch},
                    {"tx_count", mb->tree.tx_count}};
  if (cfg.include_tx) {
    auto raw = impl_->rpc.raw_transaction(txid, block_hash);
    if (!raw) return tl::unexpected(raw.error());
    inclusion["tx"] = to_hex(*raw);
  }
  json bundle = {{"version", 1},
                 {"family", "bitcoin"},
                 {"island", island()},
                 {"network", impl_->params->name},
                 {"anchor", std::move(anchor)},
                 {"headers", std::move(headers)},
                 {"inclusion", std::move(inclusion)},
                 {"finality", {{"min_confirmations", cfg.min_confirmations}}}};
  return bundle.dump();
}

Result<std::uint64_t> BitcoinAdapter::latest_height() { return impl_->rpc.block_count(); }

Result<std::vector<SentPacketRef>> BitcoinAdapter::scan_sent(std::uint64_t from, std::uint64_t to) {
  if (from > to || to - from >= 1000) return fail(Code::InvalidArgument, "scan 1 … 1000 blocks, from ≤ to", "to");
  std::vector<SentPacketRef> out;
  for (std::uint64_t h = from; h <= to; ++h) {
    auto deposits = deposits_at(h);
    if (!deposits) return tl::unexpected(deposits.error());
    for (const auto& d : *deposits) out.push_back(SentPacketRef{d.commitment, h});
  }
  return out;
}

Result<std::vector<Deposit>> BitcoinAdapter::deposits_at(std::uint64_t height) {
  if (height > UINT32_MAX) return fail(Code::InvalidArgument, "height over 2^32 − 1", "height");
  auto hash = impl_->rpc.block_hash(height);
  if (!hash) return tl::unexpected(hash.error());
  auto blk = impl_->rpc.block(*hash);
  if (!blk) return tl::unexpected(blk.error());
  auto scan = scan_block_deposits(impl_->config.deposits, *blk, static_cast<std::uint32_t>(height));
  if (!scan) return tl::unexpected(scan.error());
  return std::move(scan->deposits);
}

Result<std::string> BitcoinAdapter::fetch_proof(const Hash32& commitment, std::uint64_t height,
                                                std::uint64_t anchor_height) {
  auto deposits = deposits_at(height);
  if (!deposits) return tl::unexpected(deposits.error());
  for (const auto& d : *deposits)
    if (d.commitment == commitment) return tx_proof(d.txid, height, anchor_height);
  return fail(Code::UnknownPacket, "no deposit with commitment " + to_hex(commitment.view()) + " in block " +
                                       std::to_string(height), "commitment");
}

Result<Submitted> BitcoinAdapter::submit_delivery(const Delivery&) {
  return fail(Code::Unsupported,
              "Bitcoin islands are sources only (PACKET.md \"Bitcoin deposits\"): nothing is delivered to " + island(),
              "submit_delivery");
}

Result<DeliveryStatus> BitcoinAdapter::lookup_delivery(const Hash32&, ByteView) {
  return fail(Code::Unsupported,
              "Bitcoin islands are sources only (PACKET.md \"Bitcoin deposits\"): no deliveries to look up on " + island(),
              "lookup_delivery");
}

}  // namespace causeway::adapters::bitcoin
