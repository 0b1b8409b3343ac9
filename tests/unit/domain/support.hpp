// Test helpers for relay/domain: deterministic keys, a two-island world (an EVM island A and a devnet island B)
// with a transfer channel (unordered) and a message channel (ordered), and packet builders.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "causeway/core/packet.hpp"
#include "causeway/core/secp256k1.hpp"
#include "causeway/domain/relay_state.hpp"

namespace dtest {

using namespace causeway;
using namespace causeway::domain;

struct Key {
  secp256k1::SecretKey sk;
  Address address{};
};
// Key n (n ≥ 1): secret key = n as a 32-byte big-endian integer.
Key key(std::uint8_t n);
std::vector<Bytes> sign_all(const Hash32& digest, const std::vector<Key>& keys);
Hash32 h32(std::uint8_t fill);
Bytes bytes_of(std::string_view s);

inline const std::string kA = "eip155:31337";
inline const std::string kB = "cwdevnet:alpha";
inline const std::string kErc20 = "0x5fbdb2315678afecb367f032d93f642f64180aa3";

// Island A: Ethereum family, endpoint 0xe7f1…0512, governance 2 of keys {1,2,3}.
// Island B: BFT family (causeway-devnet/v1), endpoint "endpoint", governance 1 of key {4}.
IslandSpec spec_a();
IslandSpec spec_b();
std::vector<Key> gov_a();  // keys 1, 2 (a quorum of A)
std::vector<Key> gov_b();  // key 4
SignedIsland signed_register(const IslandSpec& s, const std::vector<Key>& keys);

ChannelSpec chan_spec(const IslandSpec& own, const IslandSpec& cp, std::string channel, std::string port,
                      Ordering ord, std::uint64_t open_height = 0);
SignedChannelRecord signed_channel(GovAction action, const ChannelSpec& s, const Hash32& genesis, std::uint64_t nonce,
                                   const std::vector<Key>& keys);

// Committee: k = n = 1 with key 9 by default.
Committee committee_of(std::uint32_t k, const std::vector<Key>& members);
Key relay_key();

struct World {
  RelayState state;
  World();  // registers A and B, opens transfer channel-0 (unordered) and msg channel-1 (ordered), assets
};

// A packet from `src` (kA or kB) on `channel` with `sequence`.
packet::Packet message(const std::string& src, const std::string& channel, std::uint64_t seq,
                       std::uint64_t timeout_height = 1000, std::uint64_t timeout_ns = 0);
packet::Packet transfer(const std::string& src, std::uint64_t seq, const std::string& denom, std::uint64_t amount,
                        std::uint64_t timeout_height = 1000, std::uint64_t timeout_ns = 0);
Bytes endpoint_of(const std::string& island);

// The committee tally for a packet (signed by `members`, audit indexes 100 + i).
Quorum quorum_for(const RelayState& st, const packet::Packet& p, const std::vector<Key>& members);
DestView view_of(const std::string& dest_island, std::uint64_t height, std::uint64_t time);
EvProven proven(const packet::Packet& p, std::uint64_t time_ms = 1000);
EvDelivered delivered(const packet::Packet& p, bool success, std::uint64_t height = 5);
Bytes ack_of(const packet::Packet& p, bool success);
// observe → prove → attest → deliver (asserts success with REQUIRE in the .cpp).
void drive_to_delivered(RelayState& st, const packet::Packet& p, bool success = true);

}  // namespace dtest
