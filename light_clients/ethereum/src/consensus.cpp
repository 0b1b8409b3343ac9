#include "causeway/ethereum/consensus.hpp"

#include <algorithm>
#include <string>

namespace causeway::ethereum {

std::string_view consensus_mode_name(ConsensusMode m) noexcept {
  switch (m) {
    case ConsensusMode::Clique:
      return "clique";
    case ConsensusMode::Qbft:
      return "qbft";
    case ConsensusMode::Ibft2:
      return "ibft2";
    case ConsensusMode::RpcTrusted:
      return "rpc-trusted";
  }
  return "unknown";
}

Result<ConsensusMode> parse_consensus_mode(std::string_view name) {
  for (ConsensusMode m : {ConsensusMode::Clique, ConsensusMode::Qbft, ConsensusMode::Ibft2, ConsensusMode::RpcTrusted})
    if (consensus_mode_name(m) == name) return m;
  return fail(Code::InvalidArgument, "unknown consensus mode '" + std::string(name) + "'", "consensus");
}

std::string_view trust_label(Trust t) noexcept {
  return t == Trust::RpcTrusted ? "rpc-trusted" : "consensus-verified";
}

Trust trust_of(ConsensusMode m) noexcept {
  return m == ConsensusMode::RpcTrusted ? Trust::RpcTrusted : Trust::ConsensusVerified;
}

Result<std::uint64_t> parse_eip155_island(std::string_view island) {
  constexpr std::string_view kPrefix = "eip155:";
  if (island.substr(0, kPrefix.size()) != kPrefix)
    return fail(Code::InvalidArgument, "island is not an eip155 CAIP-2 id", "island");
  const std::string_view ref = island.substr(kPrefix.size());
  if (ref.empty() || ref.size() > 20 || ref.front() == '0')
    return fail(Code::InvalidArgument, "eip155 chain id must be canonical decimal, 1 or more", "island");
  std::uint64_t v = 0;
  for (char c : ref) {
    if (c < '0' || c > '9') return fail(Code::InvalidArgument, "eip155 chain id is not decimal", "island");
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return fail(Code::InvalidArgument, "eip155 chain id overflows 64 bits", "island");
    v = v * 10 + d;
  }
  return v;
}

bool is_public_eip155_chain(std::uint64_t chain_id) noexcept {
  return chain_id == 1 || chain_id == 11155111 || chain_id == 17000;
}

Status check_rpc_trusted_allowed(std::string_view island, bool allow_public) {
  auto id = parse_eip155_island(island);
  if (!id) return tl::unexpected(id.error());
  if (is_public_eip155_chain(*id) && !allow_public)
    return fail(Code::RpcTrustedRefused,
                "rpc-trusted verifies no consensus proof; refused for public chain " + std::string(island) +
                    " without allow_rpc_trusted_public",
                "consensus");
  return {};
}

Header with_extra_data(const Header& h, Bytes extra_data) {
  Header out = h;
  out.extra_data = std::move(extra_data);
  return out;
}

bool is_strictly_ascending(std::span<const Address> addrs) noexcept {
  for (std::size_t i = 1; i < addrs.size(); ++i)
    if (!(addrs[i - 1] < addrs[i])) return false;
  return true;
}

Result<std::vector<Address>> sorted_unique(std::vector<Address> addrs) {
  std::sort(addrs.begin(), addrs.end());
  for (std::size_t i = 1; i < addrs.size(); ++i)
    if (addrs[i - 1] == addrs[i])
      return fail(Code::InvalidArgument, "address listed twice", "validators[" + std::to_string(i) + "]");
  return addrs;
}

bool contains_sorted(std::span<const Address> sorted, const Address& a) noexcept {
  return std::binary_search(sorted.begin(), sorted.end(), a);
}

}  // namespace causeway::ethereum
