// Test helper: governance-signed records the tests register (relay/domain governance digests, one key).
#pragma once

#include <cstdint>
#include <string>

#include "causeway/core/bytes.hpp"
#include "causeway/core/secp256k1.hpp"
#include "causeway/domain/channel.hpp"
#include "causeway/domain/governance.hpp"
#include "causeway/domain/island.hpp"

namespace causeway::test {

// The channel.open record of `self`'s end `channel` (port transfer, unordered, open height 0) towards `other`'s
// `counterparty_channel`, signed with the governance secret `gov` (32 bytes) at `nonce`.
inline domain::SignedChannelRecord signed_channel_end(const domain::IslandSpec& self, const domain::IslandSpec& other,
                                                      const Bytes& gov, const std::string& channel = "channel-0",
                                                      const std::string& counterparty_channel = "channel-0",
                                                      std::uint64_t nonce = 2) {
  domain::SignedChannelRecord r;
  auto& s = r.spec;
  s.island = self.id;
  s.channel = channel;
  s.port = "transfer";
  s.endpoint = self.endpoint;
  s.counterparty_island = other.id;
  s.counterparty_genesis = other.genesis;
  s.counterparty_channel = counterparty_channel;
  s.counterparty_port = "transfer";
  s.counterparty_endpoint = other.endpoint;
  s.ordering = domain::Ordering::Unordered;
  s.open_height = 0;
  r.nonce = nonce;
  const auto sk = secp256k1::parse_secret_key(gov).value();
  r.signatures.push_back(
      domain::sign_governance(domain::channel_digest(domain::GovAction::ChannelOpen, s, self.genesis, nonce), sk).value());
  return r;
}

}  // namespace causeway::test
