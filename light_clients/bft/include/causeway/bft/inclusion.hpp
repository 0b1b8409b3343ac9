// RFC 6962 inclusion of a leaf in the tx or event tree of a verified BFT header (PROOF-BUNDLE.md `bft`
// inclusion `{ "kind": "rfc6962", "tree": "tx" | "event", "height", "index", "tree_size", "leaf", "audit_path" }`),
// and the devnet event leaves of PACKET.md ("Source events").
//
// Check order: claim.height == the header's (ERR_UNKNOWN_HEADER) → tree_size == the header's tx_count /
// event_count (ERR_MERKLE_INDEX) → at most 64 path elements (ERR_INCLUSION_PROOF) → root not all zero
// (ERR_ZERO_ROOT) → index < tree_size (ERR_MERKLE_INDEX) → each element 32 bytes and the path leads from
// H(0x00 ‖ leaf) to the header's root (ERR_INCLUSION_PROOF). The hash is the island's suite hash.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "causeway/bft/suite.hpp"
#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"

namespace causeway::bft {

enum class Tree : std::uint8_t { Tx, Event };

// A verified header's commitments as the client holds them (a "consensus state", DESIGN.md §2).
struct ConsensusState {
  std::uint64_t height = 0;
  Hash32 hash;
  std::uint64_t time_ms = 0;
  Hash32 tx_root;
  std::uint64_t tx_count = 0;
  Hash32 event_root;
  std::uint64_t event_count = 0;
  Hash32 state_root;
  Hash32 validators_hash;
  Hash32 next_validators_hash;
  bool operator==(const ConsensusState&) const = default;
};

struct InclusionClaim {
  std::uint64_t height = 0;
  Tree tree = Tree::Event;
  std::uint64_t index = 0;
  std::uint64_t tree_size = 0;
  Bytes leaf;                       // raw leaf data (hashed here as H(0x00 ‖ leaf))
  std::vector<Bytes> audit_path;    // bottom-up; untrusted lengths are checked
};

// Verifies `claim` against `cs` (claim.height must equal cs.height, else ERR_UNKNOWN_HEADER).
Status verify_inclusion(Suite s, const ConsensusState& cs, const InclusionClaim& claim);

// PACKET.md devnet event leaves.
Bytes packet_sent_leaf(ByteView packet_bytes);                                  // 0x01 ‖ packet_bytes
Bytes ack_written_leaf(ByteView ack_bytes);                                     // 0x02 ‖ ack_bytes
Bytes packet_received_leaf(const Hash32& commitment, const Hash32& ack_commitment);  // 0x03 ‖ c ‖ ack_c

}  // namespace causeway::bft
