// `causeway serve`'s chain adapters: see lifecycle_adapters.hpp.
#include "lifecycle_adapters.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cstdint>

#include "causeway/adapters/ethereum/evm_adapter.hpp"
#include "causeway/bitcoin/deposit.hpp"
#include "causeway/bitcoin_adapter/bitcoin_adapter.hpp"
#include "causeway/devnet_adapter/devnet_adapter.hpp"
#include "file_io.hpp"

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

// Bitcoin Core's HTTP Basic credentials "user:password" (engine/config.hpp: rpc_cookie_file, or rpc_user with
// rpc_password_file). Errors name the setting and the file, never its content. ERR_KEY_PERMISSIONS: a password
// file readable or writable by group or others (the attestation key's rule).
Result<std::string> bitcoin_credentials(const engine::IslandAdapterSettings& s) {
  if (!s.rpc_cookie_file.empty()) {
    auto c = adapters::read_cookie_file(s.rpc_cookie_file);
    if (!c) return fail(c.error().code, "rpc_cookie_file " + s.rpc_cookie_file + ": " + c.error().detail,
                        "adapters.islands.rpc_cookie_file");
    return c;
  }
  if (s.rpc_user.empty() || s.rpc_password_file.empty())
    return fail(Code::InvalidArgument, "Bitcoin Core needs rpc_cookie_file, or rpc_user with rpc_password_file",
                "adapters.islands.rpc_user");
  struct stat sb {};
  if (::stat(s.rpc_password_file.c_str(), &sb) != 0)
    return fail(Code::Io, "rpc_password_file " + s.rpc_password_file + " does not exist",
                "adapters.islands.rpc_password_file");
  if ((sb.st_mode & 077) != 0)
    return fail(Code::KeyPermissions, "rpc_password_file " + s.rpc_password_file +
                                          " is readable or writable by group or others (chmod 600)",
                "adapters.islands.rpc_password_file");
  std::string password;
  if (auto r = read_bounded(s.rpc_password_file, 1024, password); !r)
    return fail(r.error().code, "rpc_password_file " + s.rpc_password_file + ": " + r.error().detail,
                "adapters.islands.rpc_password_file");
  while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) password.pop_back();
  if (password.empty())
    return fail(Code::InvalidArgument, "rpc_password_file " + s.rpc_password_file + " is empty",
                "adapters.islands.rpc_password_file");
  return s.rpc_user + ":" + password;
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
  if (s.kind == "bitcoin") {  // Bitcoin Core over JSON-RPC: a source only (deposits), docs/islands/bitcoin.md
    const domain::SignedIsland* reg = nullptr;
    for (const auto& isl : config.islands)
      if (isl.spec.id == s.island) reg = &isl;
    if (reg == nullptr) return fail(Code::InvalidArgument, "island " + s.island + " is not in the config", "adapters");
    auto network = engine::bitcoin_network_of(s.island);
    if (!network) return tl::unexpected(network.error());
    auto routes = bitcoin::decode_routes(reg->spec.consensus_params);
    if (!routes) return tl::unexpected(routes.error());
    auto auth = bitcoin_credentials(s);
    if (!auth) return tl::unexpected(auth.error());
    adapters::bitcoin::BitcoinAdapterConfig c;
    c.rpc_url = s.rpc.front();
    c.rpc.basic_auth = std::move(*auth);
    c.network = *network;
    c.deposits.deposit_script = reg->spec.endpoint;
    c.deposits.routes = std::move(*routes);
    c.min_confirmations = static_cast<std::uint32_t>(std::clamp<std::uint64_t>(reg->spec.finality.confirmations, 1, UINT32_MAX));
    // The relay takes a deposit only when its most-work Bitcoin state is among the bundle's headers: bundles
    // carry the headers up to the node's tip (docs/relay-core.md "Bitcoin islands").
    c.headers_to_tip = true;
    auto a = adapters::bitcoin::BitcoinAdapter::connect(std::move(c));
    if (!a) return tl::unexpected(a.error());
    if ((*a)->island() != s.island)
      return fail(Code::IslandMismatch, "the node at " + s.rpc.front() + " is " + (*a)->island() + ", not " + s.island);
    return std::shared_ptr<adapters::ChainAdapter>(std::move(*a));
  }
  return fail(Code::InvalidArgument, "adapter kind " + s.kind + " (devnet, evm or bitcoin)", "adapters.islands.kind");
}

}  // namespace causeway::app
