// Registration records of an EVM island and its transfer channel: see evm_island_records.hpp.
#include "evm_island_records.hpp"

#include "causeway/adapters/ethereum/eth_rpc.hpp"
#include "causeway/domain/governance.hpp"

namespace causeway::app {

Result<domain::SignedIsland> evm_island_record(adapters::JsonRpcClient& client,
                                               const adapters::ethereum::Deployment& d,
                                               const secp256k1::SecretKey& gov, std::string_view codec) {
  adapters::ethereum::EthRpc rpc(client);
  const auto tip = rpc.block_number();
  if (!tip) return tl::unexpected(tip.error());
  const auto block = rpc.block_by_number(*tip);
  if (!block) return tl::unexpected(block.error());
  if (!block->has_value())
    return fail(Code::RpcResponse, "the node has no block " + std::to_string(*tip) + " at its tip", "anchor");
  domain::SignedIsland r;
  auto& s = r.spec;
  s.id = d.island;
  s.genesis = d.genesis_hash;
  s.family = domain::Family::Ethereum;
  s.codec = std::string(codec);
  s.trusting_period_s = 1'209'600;  // 14 days
  s.finality = domain::FinalityRule{domain::FinalityKind::RpcTrusted, 1};
  s.anchor.height = *tip;
  s.anchor.hash = (*block)->hash;
  s.anchor.time_s = (*block)->header.timestamp_s;
  s.endpoint = Bytes(d.endpoint.begin(), d.endpoint.end());
  auto keys = domain::make_governance_keys(1, {secp256k1::eth_address(secp256k1::public_key_of(gov))});
  if (!keys) return tl::unexpected(keys.error());
  s.governance = std::move(*keys);
  r.nonce = 1;
  auto sig = domain::sign_governance(domain::island_digest(domain::GovAction::IslandRegister, s, r.nonce), gov);
  if (!sig) return tl::unexpected(sig.error());
  r.signatures.push_back(std::move(*sig));
  return r;
}

Result<domain::SignedChannelRecord> transfer_channel_record(const domain::IslandSpec& self,
                                                            const domain::IslandSpec& other,
                                                            const secp256k1::SecretKey& gov) {
  domain::SignedChannelRecord r;
  auto& s = r.spec;
  s.island = self.id;
  s.channel = "channel-0";
  s.port = "transfer";
  s.endpoint = self.endpoint;
  s.counterparty_island = other.id;
  s.counterparty_genesis = other.genesis;
  s.counterparty_channel = "channel-0";
  s.counterparty_port = "transfer";
  s.counterparty_endpoint = other.endpoint;
  s.ordering = domain::Ordering::Unordered;
  s.open_height = self.anchor.height;
  r.nonce = 2;
  auto sig = domain::sign_governance(domain::channel_digest(domain::GovAction::ChannelOpen, s, self.genesis, r.nonce), gov);
  if (!sig) return tl::unexpected(sig.error());
  r.signatures.push_back(std::move(*sig));
  return r;
}

}  // namespace causeway::app
