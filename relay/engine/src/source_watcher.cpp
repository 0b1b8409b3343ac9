// Source watching: see causeway/engine/lifecycle.hpp (step 1) and docs/relay-core.md "Source watching".
#include <algorithm>

#include "causeway/engine/lifecycle.hpp"

namespace causeway::engine {
namespace {

// Errors that mean "try again later" (the node or the store), as opposed to a packet a rule refuses.
bool transient(Code c) {
  return c == Code::RpcTransport || c == Code::RpcTimeout || c == Code::RpcError || c == Code::RpcResponse ||
         c == Code::RpcInconsistent || c == Code::StoreIo ||
         c == Code::UntrustedAnchor || c == Code::Unsupported ||
         c == Code::InsufficientFunds;  // a voucher burn waiting for the ack that minted it (RelayState::prove)
}

}  // namespace

std::size_t Lifecycle::watch_source(adapters::ChainAdapter& a) {
  const std::string island = a.island();
  const auto states = relay_.consensus_states(island);
  if (states.empty()) return 0;  // not registered
  auto tip = a.latest_height();
  if (!tip) {
    if (tip.error().code != Code::Unsupported) ++counters_.failures;
    return 0;
  }
  const auto conf_it = options_.confirmations.find(island);
  const std::uint64_t conf = conf_it == options_.confirmations.end() ? 0 : conf_it->second;
  if (*tip < conf) return 0;
  const std::uint64_t final_tip = *tip - conf;
  const auto done = relay_.scan_height(island);
  const std::uint64_t from = done ? *done + 1 : states.front().height;  // never below the registered anchor
  if (from > final_tip) return 0;
  const std::uint64_t to = std::min<std::uint64_t>(final_tip, from + options_.max_scan_blocks - 1);
  auto refs = a.scan_sent(from, to);
  if (!refs) {
    ++counters_.failures;
    note("scan of " + island + " " + std::to_string(from) + "…" + std::to_string(to) + ": " +
         std::string(code_name(refs.error().code)) + " " + refs.error().detail);
    return 0;
  }
  std::size_t acted = 0;
  for (const auto& ref : *refs) {
    // Anchor: the highest consensus state BELOW the packet's block (A03); re-read, intake advances it. Strictly
    // below: the first packet of a block advances the client to that block, and a bundle's proving block must
    // lie above its anchor — the block's other packets still anchor below it.
    std::uint64_t anchor = states.front().height;
    for (const auto& s : relay_.consensus_states(island))
      if (s.height < ref.height) anchor = std::max(anchor, s.height);
    auto bundle = a.fetch_proof(ref.commitment, ref.height, anchor);
    Result<PacketView> taken = bundle ? relay_.submit_bundle(std::move(*bundle)) : tl::unexpected(bundle.error());
    if (!taken) {
      if (transient(taken.error().code)) {  // the range is rescanned next pass (A23)
        ++counters_.failures;
        note("packet at " + island + "/" + std::to_string(ref.height) + ": " +
             std::string(code_name(taken.error().code)) + " " + taken.error().detail + " (will retry)");
        return acted;
      }
      ++counters_.packets_skipped;  // a rule refused it (unknown channel, unknown denom, …): never relayed
      note("packet at " + island + "/" + std::to_string(ref.height) + " refused: " +
           std::string(code_name(taken.error().code)) + " " + taken.error().detail);
      continue;
    }
    if (!taken->existing) ++counters_.packets_taken_in;
    ++acted;
  }
  if (auto s = relay_.set_scan_height(island, to); !s) {
    ++counters_.failures;
    return acted;
  }
  counters_.scanned_blocks += to - from + 1;
  return acted + 1;
}

}  // namespace causeway::engine
