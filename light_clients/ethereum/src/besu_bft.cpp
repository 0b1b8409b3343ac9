#include "causeway/ethereum/besu_bft.hpp"

#include <algorithm>
#include <string>

#include "causeway/core/hash.hpp"
#include "causeway/core/secp256k1.hpp"
#include "causeway/ethereum/consensus.hpp"

namespace causeway::ethereum::bft {
namespace {

Result<Hash32> hash_with_extra(const Header& h, Bytes extra) {
  auto enc = encode_header(with_extra_data(h, std::move(extra)));
  if (!enc) return tl::unexpected(enc.error());
  return keccak256(*enc);
}

Result<Hash32> block_hash_of(Variant v, const Header& h, const ExtraData& e) {
  if (h.number == 0) return header_hash(h);  // genesis: extraData as it is
  return hash_with_extra(h, encode_extra_for_block_hash(v, e));
}

Result<std::vector<Address>> recover_all(const Hash32& digest, const ExtraData& e) {
  std::vector<Address> out;
  out.reserve(e.seals.size());
  for (std::size_t i = 0; i < e.seals.size(); ++i) {
    auto pk = secp256k1::recover_rsv(digest, e.seals[i], secp256k1::LowS::Allowed);
    if (!pk) return fail(pk.error().code, pk.error().detail, "committed_seals[" + std::to_string(i) + "]");
    out.push_back(secp256k1::eth_address(*pk));
  }
  return out;
}

bool is_one(const U256& d) {
  for (std::size_t i = 0; i + 1 < d.size(); ++i)
    if (d[i] != 0) return false;
  return d[d.size() - 1] == 1;
}

}  // namespace

Hash32 expected_mix_hash() noexcept {
  // The last 32 bytes of "practical byzantine fault tolerance".
  static const char kText[] = "ctical byzantine fault tolerance";
  Hash32 h;
  for (std::size_t i = 0; i < 32; ++i) h.b[i] = static_cast<std::uint8_t>(kText[i]);
  return h;
}

std::size_t quorum(std::size_t n) noexcept { return (2 * n + 2) / 3; }

Result<Hash32> block_hash(Variant v, const Header& h) {
  if (h.number == 0) return header_hash(h);
  auto e = decode_extra(v, h.extra_data);
  if (!e) return tl::unexpected(e.error());
  return block_hash_of(v, h, *e);
}

Result<Hash32> committed_seal_hash(Variant v, const Header& h) {
  auto e = decode_extra(v, h.extra_data);
  if (!e) return tl::unexpected(e.error());
  return hash_with_extra(h, encode_extra_for_committed_seal(v, *e));
}

Result<std::vector<Address>> recover_committers(Variant v, const Header& h) {
  auto e = decode_extra(v, h.extra_data);
  if (!e) return tl::unexpected(e.error());
  auto digest = hash_with_extra(h, encode_extra_for_committed_seal(v, *e));
  if (!digest) return tl::unexpected(digest.error());
  return recover_all(*digest, *e);
}

Status check_committers(std::span<const Address> committers, std::span<const Address> validators) {
  std::vector<Address> sorted(committers.begin(), committers.end());
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
    return fail(Code::DuplicateSeal, "two committed seals recover to the same validator", "committed_seals");
  const std::size_t need = quorum(validators.size());
  if (validators.empty() || committers.size() < need)
    return fail(Code::InsufficientQuorum,
                std::to_string(committers.size()) + " distinct committers; " + std::to_string(validators.size()) +
                    " validators need ceil(2N/3) = " + std::to_string(need),
                "committed_seals");
  for (std::size_t i = 0; i < committers.size(); ++i)
    if (!contains_sorted(validators, committers[i]))
      return fail(Code::NotValidator, "committer is not in the validator set",
                  "committed_seals[" + std::to_string(i) + "]");
  return {};
}

Result<VerifiedHeader> verify_header(Variant v, const Header& h, std::span<const Address> validators,
                                     ValidatorMode mode) {
  if (!is_strictly_ascending(validators))
    return fail(Code::InvalidArgument, "validator set must be strictly ascending", "validators");
  if (v == Variant::Ibft2 && mode == ValidatorMode::Contract)
    return fail(Code::InvalidArgument, "contract validator mode exists for QBFT only", "validators");
  auto e = decode_extra(v, h.extra_data);
  if (!e) return tl::unexpected(e.error());
  if (e->vanity.size() != kVanityBytes)
    return fail(Code::BftExtraData, "vanity must be 32 bytes, got " + std::to_string(e->vanity.size()), "vanity");
  if (h.mix_hash != expected_mix_hash())
    return fail(Code::ConsensusField, "mixHash must be Besu's BFT constant", "mixHash");
  if (h.nonce != Nonce{}) return fail(Code::ConsensusField, "nonce must be zero", "nonce");
  if (h.ommers_hash != empty_ommers_hash())
    return fail(Code::ConsensusField, "ommers hash must be that of the empty list", "sha3Uncles");
  if (!is_one(h.difficulty)) return fail(Code::ConsensusField, "difficulty must be 1", "difficulty");
  if (mode == ValidatorMode::HeaderList) {
    if (!is_strictly_ascending(e->validators))
      return fail(Code::ValidatorSetMismatch, "header validators are not strictly ascending", "validators");
    if (!std::equal(e->validators.begin(), e->validators.end(), validators.begin(), validators.end()))
      return fail(Code::ValidatorSetMismatch, "header validators differ from the tallied set", "validators");
  } else {
    if (!e->validators.empty())
      return fail(Code::ValidatorSetMismatch, "contract mode: header must list no validators", "validators");
    if (e->vote) return fail(Code::InvalidVote, "contract mode: header must carry no vote", "vote");
  }
  if (!contains_sorted(validators, h.beneficiary))
    return fail(Code::NotValidator, "proposer (coinbase) is not a validator", "miner");

  VerifiedHeader out;
  auto bh = block_hash_of(v, h, *e);
  if (!bh) return tl::unexpected(bh.error());
  out.block_hash = *bh;
  auto cs = hash_with_extra(h, encode_extra_for_committed_seal(v, *e));
  if (!cs) return tl::unexpected(cs.error());
  out.committed_seal_hash = *cs;
  auto committers = recover_all(*cs, *e);
  if (!committers) return tl::unexpected(committers.error());
  if (auto st = check_committers(*committers, validators); !st) return tl::unexpected(st.error());
  out.committers = std::move(*committers);
  out.extra = std::move(*e);
  out.proposer = h.beneficiary;
  return out;
}

Result<BftState> BftState::trusted(const Config& config, std::uint64_t number, const Hash32& hash,
                                   std::uint64_t timestamp_s, std::vector<Address> validators) {
  if (config.epoch_length == 0) return fail(Code::InvalidArgument, "epoch length must be positive", "epoch");
  if (config.variant == Variant::Ibft2 && config.validator_mode == ValidatorMode::Contract)
    return fail(Code::InvalidArgument, "contract validator mode exists for QBFT only", "validators");
  if (hash.is_zero()) return fail(Code::ZeroRoot, "anchor hash is zero", "anchor");
  if (validators.empty()) return fail(Code::InvalidArgument, "empty validator set", "validators");
  auto sorted = sorted_unique(std::move(validators));
  if (!sorted) return tl::unexpected(sorted.error());
  BftState st;
  st.config_ = config;
  st.number_ = number;
  st.hash_ = hash;
  st.timestamp_s_ = timestamp_s;
  st.validators_ = std::move(*sorted);
  return st;
}

void BftState::add_vote(const Address& proposer, const Vote& vote) {
  const Address& r = vote.recipient;
  auto& adds = add_votes_[r];
  auto& removes = remove_votes_[r];
  if (vote.type == VoteType::Add) {
    adds.insert(proposer);
    removes.erase(proposer);
  } else {
    removes.insert(proposer);
    adds.erase(proposer);
  }
  const std::size_t limit = validators_.size() / 2 + 1;  // VoteTally.validatorLimit()
  // Both cannot pass at once: a proposer sits in at most one of the two sets.
  const bool add_passed = adds.size() >= limit;
  const bool remove_passed = !add_passed && removes.size() >= limit;
  if (add_passed) {
    if (!contains_sorted(validators_, r))
      validators_.insert(std::upper_bound(validators_.begin(), validators_.end(), r), r);
    add_votes_.erase(r);
    remove_votes_.erase(r);
  } else if (remove_passed) {
    if (auto it = std::lower_bound(validators_.begin(), validators_.end(), r); it != validators_.end() && *it == r)
      validators_.erase(it);
    add_votes_.erase(r);
    remove_votes_.erase(r);
    for (auto& entry : add_votes_) entry.second.erase(r);
    for (auto& entry : remove_votes_) entry.second.erase(r);
  }
  std::erase_if(add_votes_, [](const auto& e) { return e.second.empty(); });
  std::erase_if(remove_votes_, [](const auto& e) { return e.second.empty(); });
}

Result<BftState> BftState::apply(const Header& h) const {
  if (auto st = check_parent_link(hash_, number_, h); !st) return tl::unexpected(st.error());
  if (timestamp_s_ > UINT64_MAX - config_.block_period_s || h.timestamp_s < timestamp_s_ + config_.block_period_s)
    return fail(Code::TimestampOrder,
                "time " + std::to_string(h.timestamp_s) + " is before parent time + block period", "timestamp");
  auto verified = verify_header(config_.variant, h, validators_, config_.validator_mode);
  if (!verified) return tl::unexpected(verified.error());
  BftState next = *this;
  next.number_ = h.number;
  next.hash_ = verified->block_hash;
  next.timestamp_s_ = h.timestamp_s;
  if (config_.validator_mode == ValidatorMode::HeaderList) {
    if (h.number % config_.epoch_length == 0) {
      next.add_votes_.clear();
      next.remove_votes_.clear();
    } else if (verified->extra.vote) {
      next.add_vote(verified->proposer, *verified->extra.vote);
    }
  }
  return next;
}

}  // namespace causeway::ethereum::bft
