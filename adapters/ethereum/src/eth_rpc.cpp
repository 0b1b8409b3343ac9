#include "causeway/adapters/ethereum/eth_rpc.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <utility>

#include "causeway/core/hex.hpp"

namespace causeway::adapters::ethereum {

using json = nlohmann::json;

Result<std::uint64_t> EthRpc::chain_id() {
  auto r = client_->call("eth_chainId");
  if (!r) return tl::unexpected(std::move(r.error()));
  return decode_quantity_u64(*r, "eth_chainId");
}

Result<std::uint64_t> EthRpc::block_number() {
  auto r = client_->call("eth_blockNumber");
  if (!r) return tl::unexpected(std::move(r.error()));
  return decode_quantity_u64(*r, "eth_blockNumber");
}

Result<std::optional<BlockInfo>> EthRpc::block_call(std::string_view method, const json& params,
                                                    const BlockOptions& options) {
  auto r = client_->call(method, params);
  if (!r) return tl::unexpected(std::move(r.error()));
  if (r->is_null()) return std::optional<BlockInfo>{};
  auto block = decode_block(*r, options);
  if (!block) return tl::unexpected(std::move(block.error()));
  return std::optional<BlockInfo>(std::move(*block));
}

Result<std::optional<BlockInfo>> EthRpc::block_by_number(std::uint64_t number, const BlockOptions& options) {
  auto b = block_call("eth_getBlockByNumber", json::array({quantity(number), false}), options);
  if (b && b->has_value() && (*b)->header.number != number) {
    return fail(Code::RpcInconsistent,
                "asked for block " + std::to_string(number) + ", got " + std::to_string((*b)->header.number),
                "block.number");
  }
  return b;
}

Result<std::optional<BlockInfo>> EthRpc::block_by_hash(const Hash32& hash, const BlockOptions& options) {
  auto b = block_call("eth_getBlockByHash", json::array({to_hex(hash.view()), false}), options);
  if (b && b->has_value() && (*b)->hash != hash) {
    return fail(Code::RpcInconsistent, "asked for block " + to_hex(hash.view()) + ", got another", "block.hash");
  }
  return b;
}

Result<std::optional<BlockInfo>> EthRpc::block_by_tag(std::string_view tag, const BlockOptions& options) {
  if (tag != "latest" && tag != "safe" && tag != "finalized" && tag != "earliest" && tag != "pending") {
    return fail(Code::InvalidArgument, "unknown block tag " + std::string(tag), "tag");
  }
  return block_call("eth_getBlockByNumber", json::array({std::string(tag), false}), options);
}

Result<std::vector<ReceiptInfo>> EthRpc::block_receipts(const BlockInfo& block) {
  auto r = client_->call("eth_getBlockReceipts", json::array({to_hex(block.hash.view())}));
  if (r) {
    if (r->is_null()) return fail(Code::RpcInconsistent, "the node has no receipts for the block", "receipts");
    return decode_block_receipts(*r, block);
  }
  // -32601 "method not found": older nodes; fetch the receipts one by one in a single batch.
  if (r.error().code != Code::RpcError || r.error().detail.rfind("-32601:", 0) != 0) {
    return tl::unexpected(std::move(r.error()));
  }
  json all = json::array();
  if (!block.transaction_hashes.empty()) {
    std::vector<RpcCall> calls;
    calls.reserve(block.transaction_hashes.size());
    for (const Hash32& tx : block.transaction_hashes) {
      calls.push_back({"eth_getTransactionReceipt", json::array({to_hex(tx.view())})});
    }
    auto batch = client_->call_batch(calls);
    if (!batch) return tl::unexpected(std::move(batch.error()));
    for (auto& item : *batch) {
      if (!item) return tl::unexpected(std::move(item.error()));
      all.push_back(std::move(*item));
    }
  }
  return decode_block_receipts(all, block);
}

Result<std::optional<ReceiptInfo>> EthRpc::transaction_receipt(const Hash32& tx_hash) {
  auto r = client_->call("eth_getTransactionReceipt", json::array({to_hex(tx_hash.view())}));
  if (!r) return tl::unexpected(std::move(r.error()));
  if (r->is_null()) return std::optional<ReceiptInfo>{};
  auto receipt = decode_receipt(*r);
  if (!receipt) return tl::unexpected(std::move(receipt.error()));
  if (receipt->transaction_hash != tx_hash) {
    return fail(Code::RpcInconsistent, "receipt of another transaction", "receipt.transactionHash");
  }
  return std::optional<ReceiptInfo>(std::move(*receipt));
}

Result<AccountProofInfo> EthRpc::get_proof(const eth::Address& address, std::span<const Hash32> slots,
                                           std::uint64_t block_number) {
  json keys = json::array();
  for (const Hash32& s : slots) keys.push_back(to_hex(s.view()));
  auto r = client_->call("eth_getProof",
                         json::array({to_hex(ByteView(address.data(), address.size())), keys, quantity(block_number)}));
  if (!r) return tl::unexpected(std::move(r.error()));
  auto proof = decode_account_proof(*r);
  if (!proof) return tl::unexpected(std::move(proof.error()));
  if (proof->address != address) {
    return fail(Code::RpcInconsistent, "proof of another address", "proof.address");
  }
  if (proof->storage.size() != slots.size()) {
    return fail(Code::RpcInconsistent,
                std::to_string(proof->storage.size()) + " storage proofs for " + std::to_string(slots.size()) +
                    " slots",
                "proof.storageProof");
  }
  for (std::size_t i = 0; i < slots.size(); ++i) {
    if (proof->storage[i].key != slots[i]) {
      return fail(Code::RpcInconsistent, "storage proof of another slot",
                  "proof.storageProof[" + std::to_string(i) + "].key");
    }
  }
  return proof;
}

}  // namespace causeway::adapters::ethereum
