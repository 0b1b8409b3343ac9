#include "causeway/ethereum/client.hpp"

#include <algorithm>
#include <string>

namespace causeway::ethereum {
namespace {

ConsensusState commitment(const Header& h, const Hash32& hash) {
  ConsensusState cs;
  cs.number = h.number;
  cs.hash = hash;
  cs.timestamp_s = h.timestamp_s;
  cs.state_root = h.state_root;
  cs.transactions_root = h.transactions_root;
  cs.receipts_root = h.receipts_root;
  return cs;
}

bool is_bft(ConsensusMode m) { return m == ConsensusMode::Qbft || m == ConsensusMode::Ibft2; }

std::uint64_t clique_difficulty(const Header& h) {
  return h.difficulty[31];  // CliqueState::apply accepted only 1 or 2
}

}  // namespace

Result<Client> Client::create(ClientConfig config, const Header& anchor, std::vector<Address> validators) {
  if (config.trusting_period_s == 0)
    return fail(Code::InvalidArgument, "trusting period must be positive", "trusting_period_s");
  if (config.min_confirmations == 0)
    return fail(Code::InvalidArgument, "min_confirmations must be at least 1", "min_confirmations");
  if (config.max_pending == 0 || config.max_retained_finalized == 0)
    return fail(Code::InvalidArgument, "bounds must be at least 1", "max_pending");
  if (auto id = parse_eip155_island(config.island); !id) return tl::unexpected(id.error());
  if (config.mode == ConsensusMode::RpcTrusted) {
    if (auto st = check_rpc_trusted_allowed(config.island, config.allow_rpc_trusted_public); !st)
      return tl::unexpected(st.error());
    if (!validators.empty())
      return fail(Code::InvalidArgument, "rpc-trusted takes no validator set", "validators");
  }
  if (anchor.extra_data.size() > config.max_extra_data)
    return fail(Code::TooLarge, "anchor extraData exceeds its bound", "anchor.extraData");
  if (anchor.state_root.is_zero()) return fail(Code::ZeroRoot, "anchor stateRoot is zero", "anchor.stateRoot");
  if (config.mode == ConsensusMode::Qbft) config.bft.variant = bft::Variant::Qbft;
  if (config.mode == ConsensusMode::Ibft2) config.bft.variant = bft::Variant::Ibft2;

  Client c;
  c.config_ = config;
  auto hash = c.hash_of(anchor);
  if (!hash) return tl::unexpected(hash.error());
  Node node;
  node.header = anchor;
  node.cs = commitment(anchor, *hash);

  if (config.mode == ConsensusMode::Clique) {
    auto st = clique::CliqueState::trusted(config.clique, anchor.number, *hash, anchor.timestamp_s,
                                           std::move(validators));
    if (!st) return tl::unexpected(st.error());
    if (anchor.number % config.clique.epoch == 0) {
      auto extra = clique::parse_extra(anchor.extra_data, true);
      if (!extra) return tl::unexpected(extra.error());
      std::sort(extra->signers.begin(), extra->signers.end());  // a genesis list need not be sorted
      if (extra->signers != st->signers())
        return fail(Code::ValidatorSetMismatch, "checkpoint anchor's signer list differs from the given set",
                    "validators");
    }
    node.sealing_set = st->signers();
    node.post = std::move(*st);
  } else if (is_bft(config.mode)) {
    auto st = bft::BftState::trusted(config.bft, anchor.number, *hash, anchor.timestamp_s, std::move(validators));
    if (!st) return tl::unexpected(st.error());
    auto extra = bft::decode_extra(config.bft.variant, anchor.extra_data);
    if (!extra) return tl::unexpected(extra.error());
    // The set after the anchor is its own list unless its vote changed it (a genesis list may be unsorted:
    // Besu's tally sorts it).
    const bool set_is_listed = anchor.number == 0 || !extra->vote || anchor.number % config.bft.epoch_length == 0;
    std::vector<Address> listed = extra->validators;
    std::sort(listed.begin(), listed.end());
    if (config.bft.validator_mode == bft::ValidatorMode::HeaderList && set_is_listed && listed != st->validators())
      return fail(Code::ValidatorSetMismatch, "anchor's validator list differs from the given set", "validators");
    node.sealing_set = st->validators();
    node.post = std::move(*st);
  }
  c.tip_ = node.cs.hash;
  c.finalized_.push_back(std::move(node));
  return c;
}

Result<Hash32> Client::hash_of(const Header& h) const {
  if (is_bft(config_.mode)) return bft::block_hash(config_.bft.variant, h);
  return header_hash(h);
}

const Client::Node* Client::find(const Hash32& hash) const {
  if (auto it = pending_.find(hash); it != pending_.end()) return &it->second;
  for (auto it = finalized_.rbegin(); it != finalized_.rend(); ++it)
    if (it->cs.hash == hash) return &*it;
  return nullptr;
}

const Client::Node* Client::finalized_node_at(std::uint64_t number) const {
  const std::uint64_t first = finalized_.front().cs.number;
  if (number < first || number - first >= finalized_.size()) return nullptr;
  return &finalized_[static_cast<std::size_t>(number - first)];
}

const Client::Node& Client::tip_node() const {
  if (auto it = pending_.find(tip_); it != pending_.end()) return it->second;
  return finalized_.back();
}

Result<Client::Node> Client::extend(const Node& parent, const Header& h, const Hash32& hash) const {
  Node n;
  n.header = h;
  n.cs = commitment(h, hash);
  if (const auto* cl = std::get_if<clique::CliqueState>(&parent.post)) {
    auto st = cl->apply(h);
    if (!st) return tl::unexpected(st.error());
    n.weight = parent.weight + clique_difficulty(h);
    n.sealing_set = cl->signers();
    n.post = std::move(*st);
  } else if (const auto* b = std::get_if<bft::BftState>(&parent.post)) {
    auto st = b->apply(h);
    if (!st) return tl::unexpected(st.error());
    n.weight = h.number;
    n.sealing_set = b->validators();
    n.post = std::move(*st);
  } else {  // rpc-trusted: the hash chain only
    if (auto st = check_parent_link(parent.cs.hash, parent.cs.number, h); !st) return tl::unexpected(st.error());
    n.weight = h.number;
  }
  return n;
}

UpdateResult Client::freeze(const Node& held, const Header& conflicting, const ConsensusState& cs) {
  frozen_ = true;
  evidence_ = Misbehaviour{held.header, conflicting};
  UpdateResult out;
  out.kind = UpdateKind::Misbehaviour;
  out.trust = trust();
  out.header = cs;
  out.evidence = evidence_;
  return out;
}

void Client::finalize_along_best_branch(UpdateResult& out) {
  // The best branch, from the tip back to the finalized head (pending nodes only), oldest first.
  std::vector<Hash32> branch;
  for (auto it = pending_.find(tip_); it != pending_.end(); it = pending_.find(it->second.header.parent_hash))
    branch.push_back(it->first);
  std::reverse(branch.begin(), branch.end());
  const std::uint64_t tip_number = tip_node().cs.number;
  for (const Hash32& h : branch) {
    auto it = pending_.find(h);
    if (tip_number - it->second.cs.number + 1 < config_.min_confirmations) break;
    out.newly_finalized.push_back(it->second.cs);
    if (it->second.cs.hash == out.header.hash) out.finalized = true;
    finalized_.push_back(std::move(it->second));
    pending_.erase(it);
    // Keep only the branches that build on the new finalized head.
    bool changed = true;
    while (changed) {
      changed = false;
      for (auto p = pending_.begin(); p != pending_.end();) {
        const Hash32& parent = p->second.header.parent_hash;
        if (parent != finalized_.back().cs.hash && pending_.find(parent) == pending_.end()) {
          p = pending_.erase(p);
          changed = true;
        } else {
          ++p;
        }
      }
    }
  }
  while (finalized_.size() > config_.max_retained_finalized) finalized_.pop_front();
}

Result<UpdateResult> Client::update(const Header& h, std::uint64_t now_s) {
  if (frozen_) return fail(Code::ClientFrozen, "client is frozen after misbehaviour", "client");
  if (status(now_s) == ClientStatus::Expired)
    return fail(Code::ClientExpired, "finalized head is older than the trusting period", "client");
  if (h.extra_data.size() > config_.max_extra_data)
    return fail(Code::TooLarge, "extraData exceeds its bound", "extraData");
  if (h.timestamp_s > now_s && h.timestamp_s - now_s > config_.max_clock_drift_s)
    return fail(Code::TimeTooNew, "header time is more than the allowed drift ahead of now", "timestamp");
  auto hash = hash_of(h);
  if (!hash) return tl::unexpected(hash.error());
  const ConsensusState cs = commitment(h, *hash);

  UpdateResult out;
  out.trust = trust();
  out.header = cs;
  if (const Node* known = find(*hash)) {
    out.kind = UpdateKind::AlreadyKnown;
    out.finalized = pending_.find(*hash) == pending_.end();
    out.header = known->cs;
    return out;
  }

  const Node* parent = find(h.parent_hash);
  if (parent == nullptr) {
    // Parent unknown. For BFT a header at a finalized height is still checkable: a quorum of the set that sealed
    // the finalized header signing another one is the light-client attack (A14).
    const Node* held = finalized_node_at(h.number);
    if (held != nullptr && is_bft(config_.mode)) {
      auto v = bft::verify_header(config_.bft.variant, h, held->sealing_set, config_.bft.validator_mode);
      if (!v) return tl::unexpected(v.error());
      return freeze(*held, h, cs);
    }
    if (held != nullptr && config_.mode == ConsensusMode::RpcTrusted)
      return fail(Code::ConflictsFinalized, "header conflicts with the finalized header at its height", "number");
    return fail(Code::UnknownHeader, "parent header is not held by the client", "parentHash");
  }

  auto child = extend(*parent, h, *hash);
  if (!child) return tl::unexpected(child.error());
  if (const Node* held = finalized_node_at(h.number)) {
    // A valid child of a finalized, non-head header: it conflicts with the finalized header at its height.
    if (config_.mode == ConsensusMode::RpcTrusted)
      return fail(Code::ConflictsFinalized, "header conflicts with the finalized header at its height", "number");
    return freeze(*held, h, cs);
  }

  if (is_bft(config_.mode)) {  // the parent is the finalized head: final on verification
    finalized_.push_back(std::move(*child));
    tip_ = cs.hash;
    while (finalized_.size() > config_.max_retained_finalized) finalized_.pop_front();
    out.finalized = true;
    out.newly_finalized.push_back(cs);
    return out;
  }

  if (pending_.size() >= config_.max_pending)
    return fail(Code::TooLarge, "too many unfinalized headers held", "pending");
  const Hash32 old_tip = tip_;
  const std::uint64_t old_weight = tip_node().weight;
  const std::uint64_t weight = child->weight;
  pending_.emplace(cs.hash, std::move(*child));
  if (weight > old_weight) {
    tip_ = cs.hash;
    // A reorg when the new tip does not descend from the old one.
    bool descends = false;
    for (const Node* n = &pending_.at(tip_); n != nullptr; n = find(n->header.parent_hash)) {
      if (n->cs.hash == old_tip) {
        descends = true;
        break;
      }
      if (pending_.find(n->cs.hash) == pending_.end()) break;  // reached the finalized head
    }
    out.reorg = !descends;
  }
  finalize_along_best_branch(out);
  return out;
}

ClientStatus Client::status(std::uint64_t now_s) const noexcept {
  if (frozen_) return ClientStatus::Frozen;
  const std::uint64_t t = finalized_.back().cs.timestamp_s;
  if (t > UINT64_MAX - config_.trusting_period_s) return ClientStatus::Active;
  return t + config_.trusting_period_s <= now_s ? ClientStatus::Expired : ClientStatus::Active;
}

ConsensusState Client::finalized_head() const { return finalized_.back().cs; }

ConsensusState Client::best_tip() const { return tip_node().cs; }

std::optional<ConsensusState> Client::finalized_at(std::uint64_t number) const {
  const Node* n = finalized_node_at(number);
  if (n == nullptr) return std::nullopt;
  return n->cs;
}

std::vector<Address> Client::validators() const {
  const ModeState& post = finalized_.back().post;
  if (const auto* cl = std::get_if<clique::CliqueState>(&post)) return cl->signers();
  if (const auto* b = std::get_if<bft::BftState>(&post)) return b->validators();
  return {};
}

}  // namespace causeway::ethereum
