// Following an EVM island's new heads by polling, with reorg detection (docs/adapters.md "EVM" "New heads").
//
// poll(): reads the tip (eth_blockNumber), re-reads the last known head at min(tip, last) and walks back while
// the node's block at a height differs from the remembered one, down to the common ancestor; the remembered
// heads above it are reported as dropped (a Reorg). Then it reads the blocks after the ancestor up to the tip
// (at most max_per_poll), each of which must name the previous one as parent; a block that does not stops the
// poll there (the chain moved under us: the next poll resolves it). Nothing here decides trust: heads are
// untrusted until the light client verifies them; a reorg report tells the engine to re-verify and rescan from
// the ancestor (A23: rescan from the last processed height).
//
// Bounds: remembers the last `window` heads; a reorg deeper than that is ERR_CONFLICTS_FINALIZED (the relay must
// not silently follow it); at most max_per_poll new heads per poll.
//
// Thread-safety: not safe for concurrent use (one worker).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <vector>

#include "causeway/adapters/ethereum/rpc_block.hpp"
#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"

namespace causeway::adapters::ethereum {

struct Head {
  std::uint64_t number = 0;
  Hash32 hash;
  Hash32 parent_hash;
  std::uint64_t timestamp_s = 0;
  bool operator==(const Head&) const = default;
};

struct Reorg {
  std::uint64_t ancestor_number = 0;  // the highest remembered head still on the node's chain
  Hash32 ancestor_hash;
  std::vector<Head> dropped;          // remembered heads no longer on the chain, oldest first
};

struct HeadUpdate {
  std::optional<Reorg> reorg;         // set when remembered heads were dropped
  std::vector<Head> heads;            // new canonical heads after the ancestor / the last head, oldest first
};

// Where heads come from: the tip height and a block by number (std::nullopt: the node has none at that height).
struct HeadSource {
  std::function<Result<std::uint64_t>()> tip;
  std::function<Result<std::optional<BlockInfo>>(std::uint64_t)> block;
};

class HeadFollower {
 public:
  // Starts after `start` (a head the caller already knows, e.g. the light client's latest), or — with
  // std::nullopt — at the node's tip on the first poll (reported as the first new head).
  HeadFollower(HeadSource source, std::optional<Head> start, std::size_t window = 256, std::size_t max_per_poll = 256);

  // See the file comment. Errors: the source's; ERR_CONFLICTS_FINALIZED (reorg deeper than the window).
  Result<HeadUpdate> poll();

  // The last remembered head (std::nullopt before the first poll without a start).
  std::optional<Head> last() const;
  std::uint64_t reorgs() const noexcept { return reorgs_; }

 private:
  HeadSource source_;
  std::deque<Head> known_;  // consecutive heads, oldest first
  std::size_t window_;
  std::size_t max_per_poll_;
  std::uint64_t reorgs_ = 0;
};

Head head_of(const BlockInfo& b);

}  // namespace causeway::adapters::ethereum
