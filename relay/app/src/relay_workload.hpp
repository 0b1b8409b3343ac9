// A relay-core workload (`causeway bench relay-core`, and `--emit-workload` for the crash harness,
// tests/integration/relay_crash_test.py): two causeway-devnet/v1 islands (source cwdevnet:cw-src with 4
// secp256k1 validators, destination cwdevnet:cw-dst), one unordered channel pair, their governance-signed
// registration records, and real signed source blocks holding `per_block` sent-packet event leaves
// (0x01 ‖ packet_bytes) each, with one proof bundle per packet.
// Bundles: the first packet of block h ("opener") is anchored at block h − 1 and carries header h (so the
// relay's client advances through a verified header); the others are anchored at block h, which the relay
// holds once the opener was accepted. Block times end 2 s before `now_ms`.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "causeway/core/packet.hpp"
#include "causeway/engine/config.hpp"

namespace causeway::app {

struct WorkloadBundle {
  std::uint64_t block = 0;
  bool opener = false;
  std::uint64_t sequence = 0;
  std::string bundle;  // JSON text
};

struct Workload {
  engine::RelayConfig config;        // islands + channels (committee left default)
  std::vector<WorkloadBundle> bundles;  // block order; within a block the opener first
};

// `ordered`: the channel pair is ordered. `mutate` (tests): edits each packet before it is encoded into its
// block (e.g. a wrong destination genesis, A20). `all_carry_headers`: EVERY bundle of block h is anchored at
// h − 1 and carries header h with its commit (the relay verifies the header's quorum for each packet), not
// only the opener — the bench's "header-carrying" figure.
Workload make_relay_workload(std::size_t packets, std::size_t per_block, std::uint64_t now_ms, bool ordered = false,
                             const std::function<void(packet::Packet&)>& mutate = {},
                             bool all_carry_headers = false);

// Two causeway-devnet/v1 islands (cwdevnet:cw-src, cwdevnet:cw-dst, 4 validators each, the same keys as the
// workload above) joined by an unordered channel-0 pair on port "transfer", the base asset "tok" registered on
// cw-src (config.assets). Packets are added one per block on their source island's chain; each packet's bundle
// is anchored at that island's block 0 (the registered anchor, always held) and carries every header up to
// its block, so a bundle the relay refused never strands the next one (tests: A05 escrow invariant).
// Block h of an island is timed start_ms + h * 1000.
class TransferChains {
 public:
  explicit TransferChains(std::uint64_t start_ms);
  ~TransferChains();
  TransferChains(const TransferChains&) = delete;
  TransferChains& operator=(const TransferChains&) = delete;
  const engine::RelayConfig& config() const;
  // A transfer packet on channel-0 from cw-src (from_src) or cw-dst, payload {denom, amount, sender 0x11…,
  // receiver 0x22…}, timeout height 1,000,000.
  packet::Packet transfer(bool from_src, std::uint64_t sequence, const std::string& denom, std::uint64_t amount) const;
  // Appends a block holding the sent-packet leaf 0x01 ‖ packet_bytes(p) to p.source_island's chain and returns
  // its bundle (JSON text). Throws std::runtime_error for an island other than the two.
  std::string add_packet(const packet::Packet& p);
  // The same for any event leaf (e.g. an acknowledgement 0x02 ‖ ack_bytes) on `island`'s chain.
  std::string add_event(const std::string& island, const Bytes& leaf);

 private:
  struct State;
  std::unique_ptr<State> s_;
};

// Both ends' channel.close records of the workload's channel-0 pair (a: cw-src, b: cw-dst) with the given
// nonces, each signed by its island's governance key (SHA-256("causeway-bench/gov/src"|"…/dst")).
engine::ChannelPair channel_close_records(const Workload& w, std::uint64_t nonce_src, std::uint64_t nonce_dst);

// Writes <dir>/config.json and <dir>/bundles.jsonl ({"block","opener","sequence","bundle":<object>} per line).
void write_relay_workload(const Workload& w, const std::string& dir);

}  // namespace causeway::app
