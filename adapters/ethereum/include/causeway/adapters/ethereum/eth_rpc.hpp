// Typed Ethereum JSON-RPC calls: the adapter's fetching side (DESIGN.md §3). Each call is one JSON-RPC
// request through a JsonRpcClient and one strict decode (rpc_block.hpp); nothing here decides trust — the
// values go to light_clients/ethereum, which verifies them (rule 3).
//
// Errors: the client's (ERR_RPC_TRANSPORT, ERR_RPC_TIMEOUT, ERR_RPC_ERROR, ERR_RPC_RESPONSE, ERR_TOO_LARGE)
// and the decoders' (rpc_block.hpp), including ERR_RPC_INCONSISTENT when an answer does not belong to the
// request (another block, address or slot list).
//
// Thread-safety: as the JsonRpcClient it borrows — not safe for concurrent use; one EthRpc per worker.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "causeway/adapters/common/json_rpc.hpp"
#include "causeway/adapters/ethereum/rpc_block.hpp"

namespace causeway::adapters::ethereum {

class EthRpc {
 public:
  // Borrows `client`, which must outlive this object.
  explicit EthRpc(JsonRpcClient& client) noexcept : client_(&client) {}

  // eth_chainId (EIP-695): the EIP-155 chain id.
  Result<std::uint64_t> chain_id();
  // eth_blockNumber: the node's head height.
  Result<std::uint64_t> block_number();

  // eth_getBlockByNumber(number, false) / eth_getBlockByHash(hash, false), decoded and hash-checked by the
  // island's rule (decode_block, BlockOptions). std::nullopt when the node has no such block (a JSON null result). By hash, the
  // returned block's hash must equal the requested one (else ERR_RPC_INCONSISTENT); by number, its number.
  Result<std::optional<BlockInfo>> block_by_number(std::uint64_t number, const BlockOptions& options = {});
  Result<std::optional<BlockInfo>> block_by_hash(const Hash32& hash, const BlockOptions& options = {});
  // The same for a block tag: "latest", "safe", "finalized", "earliest" or "pending".
  Result<std::optional<BlockInfo>> block_by_tag(std::string_view tag, const BlockOptions& options = {});

  // Every receipt of `block`, bound to it (decode_block_receipts: count, order, hashes, logIndex sequence,
  // receiptsRoot). Uses eth_getBlockReceipts(block hash); when the node does not know that method (JSON-RPC
  // error -32601), falls back to one batch of eth_getTransactionReceipt for the block's transactions.
  Result<std::vector<ReceiptInfo>> block_receipts(const BlockInfo& block);

  // eth_getTransactionReceipt: std::nullopt when the node has no receipt (unknown or pending transaction).
  Result<std::optional<ReceiptInfo>> transaction_receipt(const Hash32& tx_hash);

  // eth_getProof(address, slots as 32-byte DATA, block number as QUANTITY) (EIP-1186). The answer must be
  // for `address` and list exactly `slots`, in order (else ERR_RPC_INCONSISTENT).
  Result<AccountProofInfo> get_proof(const eth::Address& address, std::span<const Hash32> slots,
                                     std::uint64_t block_number);

  JsonRpcClient& client() noexcept { return *client_; }

 private:
  Result<std::optional<BlockInfo>> block_call(std::string_view method, const nlohmann::json& params,
                                              const BlockOptions& options);
  JsonRpcClient* client_;
};

}  // namespace causeway::adapters::ethereum
