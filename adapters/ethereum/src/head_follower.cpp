#include "causeway/adapters/ethereum/head_follower.hpp"

#include <utility>

#include "causeway/core/hex.hpp"

namespace causeway::adapters::ethereum {

Head head_of(const BlockInfo& b) {
  return Head{b.header.number, b.hash, b.header.parent_hash, b.header.timestamp_s};
}

HeadFollower::HeadFollower(HeadSource source, std::optional<Head> start, std::size_t window, std::size_t max_per_poll)
    : source_(std::move(source)), window_(window == 0 ? 1 : window), max_per_poll_(max_per_poll == 0 ? 1 : max_per_poll) {
  if (start) known_.push_back(*start);
}

std::optional<Head> HeadFollower::last() const {
  if (known_.empty()) return std::nullopt;
  return known_.back();
}

Result<HeadUpdate> HeadFollower::poll() {
  HeadUpdate out;
  auto tip = source_.tip();
  if (!tip) return tl::unexpected(std::move(tip.error()));

  if (known_.empty()) {
    auto b = source_.block(*tip);
    if (!b) return tl::unexpected(std::move(b.error()));
    if (!b->has_value()) return out;  // the node does not serve its own tip yet
    known_.push_back(head_of(**b));
    out.heads.push_back(known_.back());
    return out;
  }

  // Walk back from min(tip, last) while the node's block differs from the remembered one.
  const std::uint64_t first_known = known_.front().number;
  std::uint64_t h = std::min(*tip, known_.back().number);
  std::optional<Head> ancestor;
  for (;;) {
    if (h < first_known) break;
    const Head& mine = known_[static_cast<std::size_t>(h - first_known)];
    auto b = source_.block(h);
    if (!b) return tl::unexpected(std::move(b.error()));
    if (b->has_value() && (*b)->hash == mine.hash) {
      ancestor = mine;
      break;
    }
    if (h == 0) break;
    --h;
  }
  if (!ancestor) {
    return fail(Code::ConflictsFinalized,
                "reorg deeper than the remembered window (" + std::to_string(known_.size()) + " heads from " +
                    std::to_string(first_known) + ")",
                "head_follower");
  }
  if (ancestor->number < known_.back().number) {
    Reorg r;
    r.ancestor_number = ancestor->number;
    r.ancestor_hash = ancestor->hash;
    while (!known_.empty() && known_.back().number > ancestor->number) {
      r.dropped.insert(r.dropped.begin(), known_.back());
      known_.pop_back();
    }
    ++reorgs_;
    out.reorg = std::move(r);
  }

  // New heads after the ancestor, each linked to the previous.
  for (std::uint64_t n = known_.back().number + 1; n <= *tip && out.heads.size() < max_per_poll_; ++n) {
    auto b = source_.block(n);
    if (!b) return tl::unexpected(std::move(b.error()));
    if (!b->has_value()) break;
    const Head head = head_of(**b);
    if (head.parent_hash != known_.back().hash) break;  // moved under us: the next poll walks back
    known_.push_back(head);
    out.heads.push_back(head);
    while (known_.size() > window_) known_.pop_front();
  }
  return out;
}

}  // namespace causeway::adapters::ethereum
