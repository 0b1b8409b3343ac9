// Sending signed transactions to an EVM island over JSON-RPC and deploying the Causeway contracts
// (docs/contracts.md "Deploying"; `causeway island deploy-contracts`, docs/cli.md).
//
// EvmSigner signs locally (evm_tx.hpp, legacy EIP-155: every EVM island accepts it) and submits with
// eth_sendRawTransaction; the node never sees the key. Each send: nonce = eth_getTransactionCount(address,
// "pending"), gas price = eth_gasPrice, gas = eth_estimateGas × (1 + margin) — a call the node says would revert
// is refused before anything is sent (ERR_TX_FAILED with the node's message, which carries the revert reason) —
// then polls eth_getTransactionReceipt until the receipt arrives (ERR_RPC_TIMEOUT after `receipt_timeout`) and
// requires status 1 (ERR_TX_FAILED otherwise). Nothing is retried: a caller that retries after ERR_RPC_TIMEOUT
// must first look the transaction up by its hash (A30).
//
// Errors: the JSON-RPC client's (ERR_RPC_*), the decoders' (rpc_block.hpp), ERR_TX_FAILED, ERR_UNSUPPORTED
// (contracts not compiled into this build), ERR_INVALID_ARGUMENT (committee/k).
//
// Thread-safety: an EvmSigner borrows its JsonRpcClient: not safe for concurrent use.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "causeway/adapters/common/json_rpc.hpp"
#include "causeway/adapters/ethereum/evm_tx.hpp"
#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"
#include "causeway/core/secp256k1.hpp"

namespace causeway::adapters::ethereum {

struct SendOptions {
  std::chrono::milliseconds receipt_timeout{120'000};  // waiting for a receipt
  std::chrono::milliseconds poll_interval{200};
  unsigned gas_margin_percent = 25;                     // added to eth_estimateGas
};

struct SentTx {
  Hash32 hash;
  std::uint64_t block_number = 0;
  std::uint64_t gas_used = 0;
  std::optional<eth::Address> contract_address;  // creations: the new contract (checked = create_address)
};

class EvmSigner {
 public:
  // Reads the chain id (eth_chainId). Borrows `client`, which must outlive the signer.
  static Result<EvmSigner> create(JsonRpcClient& client, const secp256k1::SecretKey& key);

  const eth::Address& address() const noexcept { return address_; }
  std::uint64_t chain_id() const noexcept { return chain_id_; }

  // Signs and sends a call (`to`) or a creation (std::nullopt) and waits for its successful receipt.
  Result<SentTx> send(const std::optional<eth::Address>& to, ByteView data, const SendOptions& options = {});

 private:
  EvmSigner(JsonRpcClient& client, const secp256k1::SecretKey& key, std::uint64_t chain_id);
  JsonRpcClient* client_;
  secp256k1::SecretKey key_;
  eth::Address address_{};
  std::uint64_t chain_id_ = 0;
};

struct DeployRequest {
  std::vector<eth::Address> committee;  // 1–64 distinct non-zero addresses
  std::uint64_t k = 1;                  // 1 ≤ k ≤ committee size
  std::string port = "transfer";        // the port the transfer application is bound to
};

struct Deployment {
  std::string island;             // "eip155:<chainId>" (CAIP-2)
  std::uint64_t chain_id = 0;
  Hash32 genesis_hash;            // hash of block 0, as the node reports it
  eth::Address deployer{};        // also the contracts' governance address
  eth::Address endpoint{};
  eth::Address transfer_app{};
  std::string port;
  std::vector<Hash32> transactions;  // Endpoint creation, TransferApp creation, bindPort
  std::uint64_t block_number = 0;    // block of the last transaction
  std::string compiler;
};

// Deploys Endpoint(island, genesis, committee, k, governance = the key's address) and TransferApp(endpoint,
// governance), then binds `port` to the application. Channels and assets are registered afterwards by the
// governance address (registerChannel / registerAsset). Errors: as the file comment.
Result<Deployment> deploy_contracts(JsonRpcClient& client, const secp256k1::SecretKey& key, const DeployRequest& request,
                                    const SendOptions& options = {});

}  // namespace causeway::adapters::ethereum
