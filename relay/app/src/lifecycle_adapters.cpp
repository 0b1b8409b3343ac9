// `causeway serve`'s chain adapters: see lifecycle_adapters.hpp.
#include "lifecycle_adapters.hpp"

#include <sys/stat.h>

#include "causeway/adapters/ethereum/evm_adapter.hpp"
#include "causeway/devnet_adapter/devnet_adapter.hpp"

namespace causeway::app {

namespace {

Result<Bytes> submitter_key(const std::string& path) {
  if (path.empty()) return Bytes{};  // read-only adapter
  struct stat sb {};
  if (::stat(path.c_str(), &sb) != 0) return fail(Code::Io, "submitter key file " + path + " does not exist");
  auto sk = engine::load_or_create_attestation_key(path);  // same format and 0600 rule as the attestation key
  if (!sk) return tl::unexpected(sk.error());
  return Bytes(sk->b.begin(), sk->b.end());
}

}  // namespace

Result<std::shared_ptr<adapters::ChainAdapter>> make_island_adapter(const engine::IslandAdapterSettings& s,
                                                                    const engine::RelayConfig& config) {
  if (s.rpc.empty()) return fail(Code::InvalidArgument, "no RPC URL for island " + s.island, "adapters.islands.rpc");
  auto key = submitter_key(s.submitter_key_file);
  if (!key) return tl::unexpected(key.error());
  if (s.kind == "devnet") {
    adapters::devnet::DevnetAdapterConfig c;
    c.rpc_url = s.rpc.front();
    c.submitter_key = *key;
    for (const auto& isl : config.islands)
      if (isl.spec.id == s.island) c.trusting_period_s = isl.spec.trusting_period_s;
    auto a = adapters::devnet::DevnetAdapter::connect(c);
    if (!a) return tl::unexpected(a.error());
    if ((*a)->island() != s.island)
      return fail(Code::IslandMismatch, "the node at " + c.rpc_url + " is " + (*a)->island() + ", not " + s.island);
    return std::shared_ptr<adapters::ChainAdapter>(std::move(*a));
  }
  if (s.kind == "evm") {
    adapters::ethereum::EvmAdapterConfig c;
    c.rpc_urls = s.rpc;
    c.ws_url = s.ws;
    c.island = s.island;
    c.submitter_key = *key;
    c.min_confirmations = std::max<std::uint64_t>(1, s.confirmations);
    // Deliveries are sent without waiting for their receipts, so one supervisor round puts many into the next
    // block; the supervisor looks each one up (and waits for its inclusion) before it would send it again.
    c.wait_for_receipt = false;
    const domain::SignedIsland* reg = nullptr;
    for (const auto& isl : config.islands)
      if (isl.spec.id == s.island) reg = &isl;
    if (reg == nullptr) return fail(Code::InvalidArgument, "island " + s.island + " is not in the config", "adapters");
    if (reg->spec.endpoint.size() != c.endpoint.size())
      return fail(Code::InvalidArgument, "an EVM endpoint is 20 bytes", "islands.endpoint");
    std::copy(reg->spec.endpoint.begin(), reg->spec.endpoint.end(), c.endpoint.begin());
    c.allow_rpc_trusted_public = reg->spec.allow_rpc_trusted_public;
    auto a = adapters::ethereum::EvmAdapter::connect(c);
    if (!a) return tl::unexpected(a.error());
    return std::shared_ptr<adapters::ChainAdapter>(std::move(*a));
  }
  return fail(Code::InvalidArgument, "adapter kind " + s.kind + " (devnet or evm)", "adapters.islands.kind");
}

}  // namespace causeway::app
