#include "causeway/fisco/client.hpp"

#include <string>

#include "causeway/core/hex.hpp"

namespace causeway::fisco {

Result<LightClient> LightClient::create(ClientConfig config, std::uint64_t anchor_number, const Hash32& anchor_hash,
                                        SealerSet sealers) {
  if (config.max_retained == 0) return fail(Code::InvalidArgument, "max_retained must be at least 1");
  if (config.consensus == Consensus::Rpbft)
    return fail(Code::Unsupported, "rPBFT epoch rules are not confirmed: only consensus_type pbft is verified",
                "consensus");
  if (sealers.size() == 0) return fail(Code::InvalidArgument, "empty sealer set", "sealers");
  if (sealers.version() != config.version || sealers.hash_algorithm() != config.hash_algorithm)
    return fail(Code::InvalidArgument, "sealer set built for another version or hash algorithm", "sealers");
  if (anchor_hash.is_zero()) return fail(Code::ZeroRoot, "an all-zero anchor hash is never trusted (A01)", "hash");
  LightClient c;
  c.config_ = config;
  c.anchor_.number = anchor_number;
  c.anchor_.hash = anchor_hash;
  c.sealers_ = std::move(sealers);
  c.retained_.emplace(anchor_number, c.anchor_);
  return c;
}

std::optional<ConsensusState> LightClient::consensus_state(std::uint64_t number) const {
  auto it = retained_.find(number);
  if (it == retained_.end()) return std::nullopt;
  return it->second;
}

Result<UpdateResult> LightClient::update(const BlockV2& block, std::uint64_t now_ms) {
  if (config_.version != Version::V2) return fail(Code::InvalidArgument, "a v2 block for a v3 client");
  const auto& h = block.header;
  auto hash = header_hash_v2(h, config_.hash_algorithm);
  if (!hash) return tl::unexpected(hash.error());
  if (*hash != block.hash)
    return fail(Code::HeaderHashMismatch,
                "header fields hash to " + to_hex(hash->view()) + ", the block states " + to_hex(block.hash.view()),
                "hash");
  Candidate c;
  c.state = ConsensusState{h.number, block.hash, h.timestamp_ms, h.transactions_root, h.receipts_root, h.state_root};
  c.parent_hash = h.parent_hash;
  c.sealer_list = &h.sealer_list;
  c.weights.assign(h.sealer_list.size(), 1);
  c.proposer = h.sealer;
  c.signatures = &block.signatures;
  return apply(c, now_ms);
}

Result<UpdateResult> LightClient::update(const BlockV3& block, std::uint64_t now_ms) {
  if (config_.version != Version::V3) return fail(Code::InvalidArgument, "a v3 block for a v2 client");
  const auto& h = block.header;
  auto hash = header_hash_v3(h, config_.hash_algorithm);
  if (!hash) return tl::unexpected(hash.error());
  if (*hash != block.hash)
    return fail(Code::HeaderHashMismatch,
                "header fields hash to " + to_hex(hash->view()) + ", the block states " + to_hex(block.hash.view()),
                "hash");
  if (h.consensus_weights.size() != h.sealer_list.size())
    return fail(Code::ValidatorSetMismatch,
                std::to_string(h.consensus_weights.size()) + " consensus weights for " +
                    std::to_string(h.sealer_list.size()) + " sealers",
                "consensusWeights");
  Candidate c;
  c.state = ConsensusState{h.number, block.hash, h.timestamp_ms, h.txs_root, h.receipts_root, h.state_root};
  c.v3_parent_count = h.parents.size();
  if (h.parents.size() == 1) c.v3_parent = h.parents.front();
  c.sealer_list = &h.sealer_list;
  c.weights = h.consensus_weights;
  c.proposer = h.sealer;
  c.signatures = &block.signatures;
  return apply(c, now_ms);
}

Result<UpdateResult> LightClient::apply(const Candidate& c, std::uint64_t now_ms) {
  if (c.state.hash.is_zero()) return fail(Code::ZeroRoot, "all-zero block hash", "hash");
  const ConsensusState& last = latest();
  UpdateResult r;
  r.state = c.state;
  if (c.state.number <= last.number) {
    auto held = retained_.find(c.state.number);
    if (held != retained_.end() && held->second.hash == c.state.hash) {
      r.kind = UpdateKind::AlreadyKnown;
      return r;
    }
    return fail(Code::ConflictsFinalized,
                "block " + std::to_string(c.state.number) + " is at or below the latest trusted block " +
                    std::to_string(last.number) + " and is not the block held there",
                "number");
  }
  if (c.state.timestamp_ms > now_ms && c.state.timestamp_ms - now_ms > config_.max_clock_drift_ms)
    return fail(Code::TimeTooNew, "block time " + std::to_string(c.state.timestamp_ms) + " ms is more than " +
                                      std::to_string(config_.max_clock_drift_ms) + " ms after now",
                "timestamp");
  const bool sequential = c.state.number == last.number + 1;
  r.verification = sequential ? Verification::Sequential : Verification::Checkpoint;
  if (sequential) {
    if (config_.version == Version::V2) {
      if (c.parent_hash != last.hash)
        return fail(Code::PrevHashMismatch, "parentHash is not the hash of block " + std::to_string(last.number),
                    "parentHash");
    } else if (c.v3_parent_count != 1 || c.v3_parent->number != last.number || c.v3_parent->hash != last.hash) {
      return fail(Code::PrevHashMismatch,
                  "parentInfo is not exactly {" + std::to_string(last.number) + ", " + to_hex(last.hash.view()) + "}",
                  "parentInfo");
    }
  }
  // The header's own sealer set.
  std::vector<Sealer> list;
  list.reserve(c.sealer_list->size());
  for (std::size_t i = 0; i < c.sealer_list->size(); ++i) list.push_back(Sealer{(*c.sealer_list)[i], c.weights[i]});
  auto own = SealerSet::create(config_.version, config_.hash_algorithm, std::move(list));
  if (!own) {
    Error e = own.error();
    if (e.at.rfind("sealers[", 0) == 0) e.at = "sealerList" + e.at.substr(7);
    else if (e.at.empty()) e.at = "sealerList";
    return tl::unexpected(std::move(e));
  }
  if (c.proposer >= own->size())
    return fail(Code::NotValidator, "proposer index " + std::to_string(c.proposer) + " outside the sealer list",
                "sealer");
  auto tally = verify_signature_list(*own, c.state.hash, *c.signatures);
  if (!tally) return tl::unexpected(tally.error());
  if (auto q = check_quorum(*tally); !q) return tl::unexpected(q.error());
  r.tally = *tally;
  if (!(*own == sealers_)) {
    // A15: a new set is taken only when a quorum of the set we trust signed it in.
    std::uint64_t trusted = 0;
    for (auto idx : tally->signers)
      if (auto j = sealers_.index_of(own->at(idx).node_id)) trusted += sealers_.at(*j).weight;
    r.sealer_set_changed = true;
    r.trusted_signed_weight = trusted;
    if (trusted < sealers_.quorum())
      return fail(Code::InsufficientQuorum,
                  "sealer-set change signed by weight " + std::to_string(trusted) + " of the trusted set's " +
                      std::to_string(sealers_.total_weight()) + ", quorum " + std::to_string(sealers_.quorum()),
                  "sealerList");
  }
  // Accepted.
  if (r.sealer_set_changed) sealers_ = std::move(*own);
  retained_.emplace(c.state.number, c.state);
  while (retained_.size() > config_.max_retained) retained_.erase(retained_.begin());
  return r;
}

}  // namespace causeway::fisco
