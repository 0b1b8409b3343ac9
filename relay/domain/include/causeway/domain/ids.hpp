// Identifiers of the relay domain: CAIP-2 island ids, ICS-24 style channel and port ids, and packet identity
// (DESIGN.md §2 "island", rule 5; PACKET.md "Packet").
//
// Thread-safety: value types and pure functions.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"
#include "causeway/core/packet.hpp"

namespace causeway::domain {

// CAIP-2: namespace [-a-z0-9]{3,8} ":" reference [-_a-zA-Z0-9]{1,32}; 41 bytes at most.
inline constexpr std::size_t kMaxIslandIdBytes = 41;
// Channel and port ids: 2..64 bytes of [a-zA-Z0-9._+-#<>[]] (ICS-24's set without '/', which separates the
// components of a denom trace).
inline constexpr std::size_t kMaxChannelIdBytes = 64;
inline constexpr std::size_t kMaxPortIdBytes = 64;

// Errors: ERR_INVALID_ARGUMENT (detail says which rule), at = `what`.
Status validate_island_id(std::string_view id, std::string_view what = "island");
Status validate_channel_id(std::string_view id, std::string_view what = "channel");
Status validate_port_id(std::string_view id, std::string_view what = "port");

// The namespace ("eip155") and reference ("1") of a CAIP-2 id; empty views if there is no ':'.
std::string_view caip2_namespace(std::string_view id) noexcept;
std::string_view caip2_reference(std::string_view id) noexcept;

// A packet's identity (DESIGN.md rule 5): (source island, source genesis, source channel, sequence).
// Exactly-once is keyed by it; the commitment (which binds every other field) is compared, never the encoding
// of the proof that carried the event (A20).
struct PacketId {
  std::string source_island;
  Hash32 source_genesis;
  std::string source_channel;
  std::uint64_t sequence = 0;
  auto operator<=>(const PacketId&) const = default;
  bool operator==(const PacketId&) const = default;
};

PacketId packet_id(const packet::Packet& p);

// A packet together with its commitment (PACKET.md "Commitment"), which only `of` computes: holding one proves
// the commitment belongs to the packet. Lets the relay compute the keccak once, on the thread that verified the
// bundle, instead of again inside RelayState::observe (the relay's single writer).
class CommittedPacket {
 public:
  static CommittedPacket of(packet::Packet p);
  const packet::Packet& packet() const noexcept { return packet_; }
  const Hash32& commitment() const noexcept { return commitment_; }

 private:
  CommittedPacket(packet::Packet p, const Hash32& c) : packet_(std::move(p)), commitment_(c) {}
  packet::Packet packet_;
  Hash32 commitment_;
};
// "<island>/<genesis 0x hex>/<channel>/<sequence>", e.g. "eip155:1/0x11…11/channel-0/7" (for logs and API ids).
std::string to_string(const PacketId& id);

// One end of a channel: (island, channel id).
struct ChannelKey {
  std::string island;
  std::string channel;
  auto operator<=>(const ChannelKey&) const = default;
  bool operator==(const ChannelKey&) const = default;
};
std::string to_string(const ChannelKey& k);  // "<island>/<channel>"

}  // namespace causeway::domain
