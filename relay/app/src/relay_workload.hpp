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

// Writes <dir>/config.json and <dir>/bundles.jsonl ({"block","opener","sequence","bundle":<object>} per line).
void write_relay_workload(const Workload& w, const std::string& dir);

}  // namespace causeway::app
