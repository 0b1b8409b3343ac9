// Test-only builders of Bitcoin deposit transactions (PACKET.md "Bitcoin deposits"): a P2WPKH script, an OP_RETURN
// script with one minimal push, a legacy transaction with given outputs, and CWY1 data for a route. Shared by the
// light client's deposit tests, the Bitcoin adapter tests and the relay's Bitcoin deposit intake tests.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "causeway/core/bytes.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/packet.hpp"

namespace causeway::bitcoin::test {

// OP_0 PUSH20 <20 × fill>.
inline Bytes p2wpkh(std::uint8_t fill) {
  Bytes s{0x00, 0x14};
  s.insert(s.end(), 20, fill);
  return s;
}

// OP_RETURN with one minimal push of `data` (≤ 80 bytes).
inline Bytes op_return(ByteView data) {
  Bytes s{0x6a};
  if (data.size() <= 75) {
    s.push_back(static_cast<std::uint8_t>(data.size()));
  } else {
    s.push_back(0x4c);
    s.push_back(static_cast<std::uint8_t>(data.size()));
  }
  append(s, data);
  return s;
}

// A legacy transaction: one input spending sha256(seed):0, the given (value in sat, scriptPubKey) outputs.
inline Bytes tx_with(const std::vector<std::pair<std::uint64_t, Bytes>>& outputs, std::uint8_t seed) {
  Bytes tx{2, 0, 0, 0, 1};
  append(tx, sha256(Bytes{seed}).view());
  append(tx, Bytes{0, 0, 0, 0, 1, 0x51, 0xff, 0xff, 0xff, 0xff});
  tx.push_back(static_cast<std::uint8_t>(outputs.size()));
  for (const auto& [value, script] : outputs) {
    for (unsigned i = 0; i < 8; ++i) tx.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
    tx.push_back(static_cast<std::uint8_t>(script.size()));
    append(tx, script);
  }
  append(tx, Bytes{0, 0, 0, 0});
  return tx;
}

// CWY1 ‖ route tag(dest_island/dest_port/dest_channel) ‖ receiver.
inline Bytes cwy1(const std::string& dest_island, const std::string& dest_port, const std::string& dest_channel,
                  const Bytes& receiver) {
  return packet::deposit_op_return(packet::route_tag(dest_island, dest_port, dest_channel), receiver).value();
}

}  // namespace causeway::bitcoin::test
