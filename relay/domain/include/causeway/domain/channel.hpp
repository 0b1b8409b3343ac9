// Channels and ports (DESIGN.md §2; PACKET.md "Packet": ordered / unordered). A channel is a lane between a
// port on one island and a port on another. It is opened and closed by governance-signed records of BOTH
// islands, each bound to its counterparty channel, port, genesis and endpoint; ordering is fixed at opening.
// Each end keeps next_send / next_recv / next_ack sequences (relay_state.hpp advances them).
//
// Governance body (governance.hpp gives the digest; action "channel.open" or "channel.close", subject = the
// end's island, nonce = that island's nonce + 1):
//   body = abi.encode(string island, string channel, string port, bytes endpoint, string counterparty_island,
//     bytes32 counterparty_genesis, string counterparty_channel, string counterparty_port,
//     bytes counterparty_endpoint, string ordering, uint64 open_height)
//   (ordering "ordered" | "unordered"; open_height = the island's height from which its endpoint serves the
//    channel; the devnet non-delivery scan starts there, PACKET.md "Non-delivery proof").
//
// Thread-safety: value types; a registry is a value with no internal synchronization.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"
#include "causeway/domain/ids.hpp"
#include "causeway/domain/island.hpp"

namespace causeway::domain {

inline constexpr std::size_t kMaxChannels = 65536;

enum class Ordering { Ordered, Unordered };
std::string_view ordering_name(Ordering o) noexcept;  // "ordered", "unordered"

// Open: packets flow. Closed: by governance (both islands) or, on an ordered channel, by a timeout (ICS-04):
// no new packets; packets in flight still complete (ack, timeout, refund). Halted: the escrow invariant broke
// (A05): nothing new is attested until an operator resumes it.
enum class ChannelState { Open, Closed, Halted };
std::string_view channel_state_name(ChannelState s) noexcept;  // "open", "closed", "halted"

struct ChannelSpec {
  std::string island;
  std::string channel;
  std::string port;
  Bytes endpoint;  // the island's registered endpoint at opening
  std::string counterparty_island;
  Hash32 counterparty_genesis;
  std::string counterparty_channel;
  std::string counterparty_port;
  Bytes counterparty_endpoint;
  Ordering ordering = Ordering::Unordered;
  std::uint64_t open_height = 0;
  bool operator==(const ChannelSpec&) const = default;
};

struct SignedChannelRecord {
  ChannelSpec spec;
  std::uint64_t nonce = 0;
  std::vector<Bytes> signatures;
};

struct ChannelEnd {
  ChannelSpec spec;
  ChannelState state = ChannelState::Open;
  std::uint64_t next_send = 1;  // ordered: next sequence expected from this end's endpoint; unordered: highest seen + 1
  std::uint64_t next_recv = 1;  // ordered: next sequence this end's endpoint accepts; unordered: unused (receipts)
  std::uint64_t next_ack = 1;   // highest acknowledged or timed-out sequence sent from this end + 1
  std::string halt_reason;
  ChannelKey key() const { return {spec.island, spec.channel}; }
  ChannelKey counterparty_key() const { return {spec.counterparty_island, spec.counterparty_channel}; }
  bool operator==(const ChannelEnd&) const = default;
};

Hash32 channel_body_hash(const ChannelSpec& spec);
Hash32 channel_digest(GovAction action, const ChannelSpec& spec, const Hash32& island_genesis, std::uint64_t nonce);

class ChannelRegistry {
 public:
  // Opens a channel from the two ends' records. Checks (each end; unchanged on any error): ids valid
  // (ERR_INVALID_ARGUMENT); both islands registered and distinct (ERR_UNKNOWN_ISLAND, ERR_INVALID_ARGUMENT);
  // each end names the other as counterparty with the same channel, port, ordering, the counterparty's
  // registered genesis and both registered endpoints (ERR_UNKNOWN_CHANNEL for a binding that does not match,
  // ERR_ISLAND_MISMATCH for a genesis, ERR_WRONG_EMITTER for an endpoint); neither end exists
  // (ERR_CHANNEL_EXISTS); each record is signed by k of its island's current keys with its next nonce
  // (IslandRegistry::check_governance). On success both islands' nonces advance.
  Result<std::pair<ChannelEnd, ChannelEnd>> open(IslandRegistry& islands, const SignedChannelRecord& a,
                                                 const SignedChannelRecord& b);

  // Closes an open or halted channel with both islands' "channel.close" records (each spec equal to the
  // stored end's spec). Errors: ERR_UNKNOWN_CHANNEL (no such end, specs differ or ends not each other's
  // counterparty), ERR_CHANNEL_CLOSED (already closed), check_governance's. Unchanged on error.
  Status close(IslandRegistry& islands, const SignedChannelRecord& a, const SignedChannelRecord& b);

  const ChannelEnd* find(const ChannelKey& k) const noexcept;
  ChannelEnd* find_mut(const ChannelKey& k) noexcept;
  // The end and its counterparty must exist. Errors: ERR_UNKNOWN_CHANNEL.
  Result<const ChannelEnd*> get(const ChannelKey& k) const;

  // Sets both ends of the channel to Closed (ordered-channel timeout, ICS-04) / Halted (A05) / Open again
  // after a halt (operator resume). Errors: ERR_UNKNOWN_CHANNEL; resume of a channel that is not halted:
  // ERR_ILLEGAL_TRANSITION.
  Status close_both(const ChannelKey& k);
  Status halt_both(const ChannelKey& k, std::string reason);
  Status resume_both(const ChannelKey& k);

  const std::map<ChannelKey, ChannelEnd>& all() const noexcept { return ends_; }
  bool operator==(const ChannelRegistry&) const = default;

 private:
  std::map<ChannelKey, ChannelEnd> ends_;
};

}  // namespace causeway::domain
