// Test helpers for light_clients/bft: deterministic validator keys, committees, causeway-devnet/v1 headers and
// commits. Only tests include this; no Catch2 here (DESIGN.md rule 6).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "causeway/bft/client.hpp"
#include "causeway/bft/devnet_codec.hpp"
#include "causeway/bft/suite.hpp"
#include "causeway/bft/validator_set.hpp"

namespace bfttest {

using causeway::Bytes;
using causeway::Hash32;
using namespace causeway::bft;

inline constexpr std::uint64_t kT0 = 1'700'000'000'000;  // anchor time_ms used by most tests
inline const std::string kChain = "cwdevnet:test";

struct Key {
  Bytes secret;
  Bytes pub;
};
// Deterministic key number `seed` of a suite.
Key key(Suite s, std::uint32_t seed);

// Validators with given powers; member m has key(seed_base + m). `set` is the canonical (sorted) set.
struct Committee {
  Suite suite = Suite::Secp256k1Sha256;
  std::vector<Key> keys;
  std::vector<std::uint64_t> powers;
  ValidatorSet set;
  // The set index of member m.
  std::uint32_t index_of(std::size_t m) const;
};
Committee committee(Suite s, const std::vector<std::uint64_t>& powers, std::uint32_t seed_base = 1);
// A committee over explicit keys (to share validators between sets).
Committee committee_of(Suite s, std::vector<Key> keys, const std::vector<std::uint64_t>& powers);

std::shared_ptr<const devnet::DevnetCodec> codec(Suite s);

struct Block {
  devnet::Header header;
  Bytes encoded;
  Hash32 hash;
  std::vector<Bytes> txs;
  std::vector<Bytes> events;
};

// A header at `height` / `time_ms` over `parent`, signed-by set `vals`, next set `next`, with the given leaves.
Block make_block(Suite s, std::uint64_t height, std::uint64_t time_ms, const Hash32& parent, const Committee& vals,
                 const Committee& next, std::vector<Bytes> txs = {}, std::vector<Bytes> events = {},
                 const std::string& chain_id = kChain);
// Re-encodes after the test edited b.header.
void reencode(Suite s, Block& b);

// Signatures of the given members (indices into c.keys) over the block's sign bytes.
Commit sign(const Committee& c, const Block& b, const std::vector<std::size_t>& members);
Commit sign_all(const Committee& c, const Block& b);

LightBlock light_block(const Block& b, Commit commit, const Committee& vals, const Committee* next = nullptr);

// A client anchored at `anchor` (validators `vals`, next `next`).
LightClient client(Suite s, const Block& anchor, const Committee& vals, const Committee& next,
                   std::uint64_t trusting_period_s = 14 * 24 * 3600, std::size_t max_retained = 256);

// 256-bit big-endian n − x (x < n): the other s of a signature.
Bytes negate_mod(const Bytes& n, const Bytes& x);
Bytes secp256k1_order();
Bytes sm2_order();

// Everything of a client that an update may change, for "unchanged on reject" checks.
struct Snapshot {
  ConsensusState latest;
  std::size_t retained = 0;
  ValidatorSet vals;
  ValidatorSet next;
  bool frozen = false;
  bool operator==(const Snapshot&) const = default;
};
Snapshot snapshot(const LightClient& c);

}  // namespace bfttest
