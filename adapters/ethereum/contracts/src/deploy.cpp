#include "causeway/adapters/ethereum/deploy.hpp"

#include <nlohmann/json.hpp>

#include <set>
#include <thread>
#include <utility>

#include "causeway/adapters/ethereum/contracts.hpp"
#include "causeway/adapters/ethereum/rpc_block.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"

namespace causeway::adapters::ethereum {

using json = nlohmann::json;

namespace {

std::string hex_address(const eth::Address& a) { return to_hex(ByteView(a.data(), a.size())); }

// gas × (100 + margin) / 100, saturating.
std::uint64_t with_margin(std::uint64_t gas, unsigned margin_percent) {
  const std::uint64_t extra = gas / 100 * margin_percent + (gas % 100) * margin_percent / 100;
  return gas > UINT64_MAX - extra ? UINT64_MAX : gas + extra;
}

}  // namespace

EvmSigner::EvmSigner(JsonRpcClient& client, const secp256k1::SecretKey& key, std::uint64_t chain_id)
    : client_(&client), key_(key), address_(address_of(key)), chain_id_(chain_id) {}

Result<EvmSigner> EvmSigner::create(JsonRpcClient& client, const secp256k1::SecretKey& key) {
  auto r = client.call("eth_chainId");
  if (!r) return tl::unexpected(std::move(r.error()));
  auto id = decode_quantity_u64(*r, "eth_chainId");
  if (!id) return tl::unexpected(std::move(id.error()));
  return EvmSigner(client, key, *id);
}

Result<SentTx> EvmSigner::send(const std::optional<eth::Address>& to, ByteView data, const SendOptions& options) {
  const std::string from = hex_address(address_);
  auto nonce_j = client_->call("eth_getTransactionCount", json::array({from, "pending"}));
  if (!nonce_j) return tl::unexpected(std::move(nonce_j.error()));
  auto nonce = decode_quantity_u64(*nonce_j, "eth_getTransactionCount");
  if (!nonce) return tl::unexpected(std::move(nonce.error()));
  auto price_j = client_->call("eth_gasPrice");
  if (!price_j) return tl::unexpected(std::move(price_j.error()));
  auto price = decode_quantity_u256(*price_j, "eth_gasPrice");
  if (!price) return tl::unexpected(std::move(price.error()));

  json call{{"from", from}, {"data", to_hex(data)}};
  if (to) call["to"] = hex_address(*to);
  auto gas_j = client_->call("eth_estimateGas", json::array({call}));
  if (!gas_j) {
    if (gas_j.error().code == Code::RpcError) {
      return fail(Code::TxFailed, "the node refuses the transaction: " + gas_j.error().detail, "eth_estimateGas");
    }
    return tl::unexpected(std::move(gas_j.error()));
  }
  auto gas = decode_quantity_u64(*gas_j, "eth_estimateGas");
  if (!gas) return tl::unexpected(std::move(gas.error()));

  LegacyTx tx;
  tx.nonce = *nonce;
  tx.gas_price = *price;
  tx.gas_limit = with_margin(*gas, options.gas_margin_percent);
  tx.to = to;
  tx.data.assign(data.begin(), data.end());
  auto raw = sign_legacy_tx(tx, chain_id_, key_);
  if (!raw) return tl::unexpected(std::move(raw.error()));
  const Hash32 hash = keccak256(*raw);
  auto sent = client_->call("eth_sendRawTransaction", json::array({to_hex(*raw)}));
  if (!sent) {
    if (sent.error().code == Code::RpcError) {
      return fail(Code::TxFailed, "eth_sendRawTransaction refused: " + sent.error().detail, to_hex(hash.view()));
    }
    return tl::unexpected(std::move(sent.error()));
  }
  auto echoed = decode_hash(*sent, "eth_sendRawTransaction");
  if (!echoed) return tl::unexpected(std::move(echoed.error()));
  if (*echoed != hash) {
    return fail(Code::RpcInconsistent, "node reports another transaction hash", to_hex(hash.view()));
  }

  const auto deadline = std::chrono::steady_clock::now() + options.receipt_timeout;
  for (;;) {
    auto rec = client_->call("eth_getTransactionReceipt", json::array({to_hex(hash.view())}));
    if (!rec) return tl::unexpected(std::move(rec.error()));
    if (!rec->is_null()) {
      if (!rec->is_object()) return fail(Code::RpcResponse, "receipt is not an object", to_hex(hash.view()));
      auto status = decode_quantity_u64(rec->value("status", json()), "status");
      if (!status) return tl::unexpected(std::move(status.error()));
      SentTx out;
      out.hash = hash;
      auto bn = decode_quantity_u64(rec->value("blockNumber", json()), "blockNumber");
      if (!bn) return tl::unexpected(std::move(bn.error()));
      out.block_number = *bn;
      auto used = decode_quantity_u64(rec->value("gasUsed", json()), "gasUsed");
      if (!used) return tl::unexpected(std::move(used.error()));
      out.gas_used = *used;
      if (*status != 1) {
        return fail(Code::TxFailed, "transaction reverted in block " + std::to_string(out.block_number),
                    to_hex(hash.view()));
      }
      if (!to) {
        auto ca = decode_address(rec->value("contractAddress", json()), "contractAddress");
        if (!ca) return tl::unexpected(std::move(ca.error()));
        if (*ca != create_address(address_, tx.nonce)) {
          return fail(Code::RpcInconsistent, "contractAddress is not the CREATE address of sender and nonce",
                      to_hex(hash.view()));
        }
        out.contract_address = *ca;
      }
      return out;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return fail(Code::RpcTimeout, "no receipt yet (the transaction may still be included: look it up by hash)",
                  to_hex(hash.view()));
    }
    std::this_thread::sleep_for(options.poll_interval);
  }
}

Result<Deployment> deploy_contracts(JsonRpcClient& client, const secp256k1::SecretKey& key, const DeployRequest& request,
                                    const SendOptions& options) {
  const std::size_t n = request.committee.size();
  if (n == 0 || n > 64) return fail(Code::InvalidArgument, "the committee has 1 to 64 members", "committee");
  std::set<eth::Address> distinct;
  for (const eth::Address& a : request.committee) {
    if (a == eth::Address{}) return fail(Code::InvalidArgument, "zero address in the committee", "committee");
    if (!distinct.insert(a).second) return fail(Code::DuplicateSeal, "member listed twice: " + hex_address(a), "committee");
  }
  if (request.k == 0 || request.k > n) return fail(Code::InvalidArgument, "k must be 1 … committee size", "k");

  auto endpoint_code = contract_code("Endpoint");
  if (!endpoint_code) return tl::unexpected(std::move(endpoint_code.error()));
  auto app_code = contract_code("TransferApp");
  if (!app_code) return tl::unexpected(std::move(app_code.error()));

  auto signer = EvmSigner::create(client, key);
  if (!signer) return tl::unexpected(std::move(signer.error()));
  Deployment d;
  d.chain_id = signer->chain_id();
  d.island = "eip155:" + std::to_string(d.chain_id);
  d.deployer = signer->address();
  d.port = request.port;
  d.compiler = contracts_compiler();

  auto genesis = client.call("eth_getBlockByNumber", json::array({"0x0", false}));
  if (!genesis) return tl::unexpected(std::move(genesis.error()));
  if (!genesis->is_object()) return fail(Code::RpcResponse, "the node has no block 0", "eth_getBlockByNumber");
  auto gh = decode_hash(genesis->value("hash", json()), "hash");
  if (!gh) return tl::unexpected(std::move(gh.error()));
  d.genesis_hash = *gh;

  Bytes data = endpoint_code->creation;
  append(data, endpoint_constructor_args(d.island, d.genesis_hash, request.committee, request.k, d.deployer));
  auto ep = signer->send(std::nullopt, data, options);
  if (!ep) return tl::unexpected(std::move(ep.error()));
  d.endpoint = *ep->contract_address;
  d.transactions.push_back(ep->hash);

  data = app_code->creation;
  append(data, transfer_app_constructor_args(d.endpoint, d.deployer));
  auto app = signer->send(std::nullopt, data, options);
  if (!app) return tl::unexpected(std::move(app.error()));
  d.transfer_app = *app->contract_address;
  d.transactions.push_back(app->hash);

  auto bind = signer->send(d.endpoint, bind_port_call(request.port, d.transfer_app), options);
  if (!bind) return tl::unexpected(std::move(bind.error()));
  d.transactions.push_back(bind->hash);
  d.block_number = bind->block_number;
  return d;
}

}  // namespace causeway::adapters::ethereum
