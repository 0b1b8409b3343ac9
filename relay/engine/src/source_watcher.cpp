// Source watching: see causeway/engine/lifecycle.hpp (step 1) and docs/relay-core.md "Source watching".
#include <algorithm>
#include <string>
#include <vector>

#include "causeway/engine/lifecycle.hpp"

namespace causeway::engine {
namespace {

// Errors that mean "try again later" (the node, the store, or a client frozen or expired until an operator's
// client recover, A14/A21; a Bitcoin deposit whose headers the relay does not follow yet — ERR_UNTRUSTED_ANCHOR —
// or that the node shows on another branch than the relay's most-work one — ERR_LESS_WORK, until the headers
// pushed to the relay and the node agree), as opposed to a packet a rule refuses.
bool transient(Code c) {
  return c == Code::RpcTransport || c == Code::RpcTimeout || c == Code::RpcError || c == Code::RpcResponse ||
         c == Code::RpcInconsistent || c == Code::StoreIo || c == Code::LessWork ||
         c == Code::UntrustedAnchor || c == Code::Unsupported || c == Code::ClientFrozen || c == Code::ClientExpired;
}

// A voucher burn waiting for the acks that minted its vouchers (RelayState::prove): the wait may be long (the
// minting transfers may be held by the rate limiter), so the scan moves past it and retries it (deferred_sends).
bool waits_for_acks(Code c) { return c == Code::InsufficientFunds; }

std::string where(const std::string& island, std::uint64_t height) { return island + "/" + std::to_string(height); }

// The highest consensus state below `height` (A03), re-read: intake advances it. Strictly below: the first
// packet of a block advances the client to that block, and a bundle's proving block must lie above its
// anchor — the block's other packets still anchor below it.
std::uint64_t anchor_below(Relay& relay, const std::string& island, std::uint64_t floor, std::uint64_t height) {
  std::uint64_t anchor = floor;
  for (const auto& s : relay.consensus_states(island))
    if (s.height < height) anchor = std::max(anchor, s.height);
  return anchor;
}

}  // namespace

std::size_t Lifecycle::retry_deferred(adapters::ChainAdapter& a, std::uint64_t floor) {
  const std::string island = a.island();
  std::size_t acted = 0, tried = 0;
  for (const auto& d : relay_.deferred_sends(island)) {
    if (tried++ >= options_.batch) break;
    auto bundle = a.fetch_proof(d.commitment, d.height, anchor_below(relay_, island, floor, d.height));
    Result<PacketView> taken = bundle ? relay_.submit_bundle(std::move(*bundle)) : tl::unexpected(bundle.error());
    if (!taken && (waits_for_acks(taken.error().code) || transient(taken.error().code))) continue;  // still waits
    if (!taken) {
      ++counters_.packets_skipped;
      note("deferred packet at " + where(island, d.height) + " refused: " + std::string(code_name(taken.error().code)) +
           " " + taken.error().detail);
    } else if (!taken->existing) {
      ++counters_.packets_taken_in;
    }
    if (auto s = relay_.drop_deferred_send(island, d.commitment); !s) {
      ++counters_.failures;
      continue;
    }
    waiting_logged_.erase(d.commitment.b);
    ++acted;
  }
  return acted;
}

std::size_t Lifecycle::watch_source(adapters::ChainAdapter& a) {
  const std::string island = a.island();
  // First: a client recover committed after this read makes the range planned below stale (set_scan_height then
  // writes nothing, so the recover's lower scan height stands).
  const std::uint64_t epoch = relay_.scan_epoch(island);
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
  // Never below the lowest held state (the registered anchor, or a client recover's): no bundle anchors there.
  const std::uint64_t from = done ? std::max(*done + 1, states.front().height) : states.front().height;
  std::size_t acted = retry_deferred(a, states.front().height);
  if (from > final_tip) return acted;
  const std::uint64_t to = std::min<std::uint64_t>(final_tip, from + options_.max_scan_blocks - 1);
  auto refs = a.scan_sent(from, to);
  if (!refs) {
    ++counters_.failures;
    note("scan of " + island + " " + std::to_string(from) + "…" + std::to_string(to) + ": " +
         std::string(code_name(refs.error().code)) + " " + refs.error().detail);
    return acted;
  }
  std::vector<Relay::DeferredSend> deferred;  // persisted with the scan height that moves past them
  for (const auto& ref : *refs) {
    auto bundle = a.fetch_proof(ref.commitment, ref.height, anchor_below(relay_, island, states.front().height, ref.height));
    Result<PacketView> taken = bundle ? relay_.submit_bundle(std::move(*bundle)) : tl::unexpected(bundle.error());
    if (!taken) {
      if (waits_for_acks(taken.error().code)) {  // skipped past, retried every pass (retry_deferred)
        deferred.push_back(Relay::DeferredSend{ref.height, ref.commitment});
        ++counters_.packets_deferred;
        if (waiting_logged_.insert(ref.commitment.b).second)  // once per packet, not every pass
          note("packet at " + where(island, ref.height) + ": " + std::string(code_name(taken.error().code)) + " " +
               taken.error().detail + " (deferred; retried every pass)");
        continue;
      }
      if (transient(taken.error().code)) {  // the range is rescanned next pass (A23)
        ++counters_.failures;
        if (waiting_logged_.insert(ref.commitment.b).second)  // once per packet, not every pass
          note("packet at " + where(island, ref.height) + ": " + std::string(code_name(taken.error().code)) + " " +
               taken.error().detail + " (will retry)");
        // The range's packets deferred so far are safe to forget: the next pass rescans them (scan height kept).
        return acted;
      }
      ++counters_.packets_skipped;  // a rule refused it (unknown channel, unknown denom, …): never relayed
      note("packet at " + where(island, ref.height) + " refused: " +
           std::string(code_name(taken.error().code)) + " " + taken.error().detail);
      continue;
    }
    if (!taken->existing) ++counters_.packets_taken_in;
    waiting_logged_.erase(ref.commitment.b);
    ++acted;
  }
  auto written = relay_.set_scan_height(island, to, deferred, epoch);
  if (!written) {
    ++counters_.failures;
    return acted;
  }
  if (!*written) {  // a client recover lowered the scan height meanwhile: the next pass rescans from its anchor
    note("scan of " + island + " " + std::to_string(from) + "…" + std::to_string(to) +
         " not recorded: a client recover committed during it (rescanned from the recovered anchor)");
    return acted;
  }
  counters_.scanned_blocks += to - from + 1;
  return acted + 1;
}

}  // namespace causeway::engine
