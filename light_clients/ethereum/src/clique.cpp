#include "causeway/ethereum/clique.hpp"

#include <algorithm>
#include <string>

#include "causeway/core/hash.hpp"
#include "causeway/core/secp256k1.hpp"
#include "causeway/ethereum/consensus.hpp"

namespace causeway::ethereum::clique {
namespace {

constexpr Nonce kNonceAuth = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
constexpr Nonce kNonceDrop = {0, 0, 0, 0, 0, 0, 0, 0};

// A small difficulty (U256 big-endian) as an integer, or 0xff when it is above 255.
std::uint8_t small_difficulty(const U256& d) {
  for (std::size_t i = 0; i + 1 < d.size(); ++i)
    if (d[i] != 0) return 0xff;
  return d[d.size() - 1];
}

std::string num(std::uint64_t v) { return std::to_string(v); }

}  // namespace

Result<Extra> parse_extra(ByteView extra, bool checkpoint) {
  if (extra.size() < kVanityBytes)
    return fail(Code::CliqueExtraData, "extraData shorter than the 32-byte vanity", "extraData");
  if (extra.size() < kVanityBytes + kSealBytes)
    return fail(Code::CliqueExtraData, "extraData lacks the 65-byte seal", "extraData");
  const std::size_t signer_bytes = extra.size() - kVanityBytes - kSealBytes;
  if (!checkpoint && signer_bytes != 0)
    return fail(Code::CliqueExtraData, "signer list on a non-checkpoint block", "extraData");
  if (signer_bytes % 20 != 0)
    return fail(Code::CliqueExtraData, "checkpoint signer bytes are not a multiple of 20", "extraData");
  if (signer_bytes / 20 > kMaxSigners)
    return fail(Code::CliqueExtraData, "more than " + num(kMaxSigners) + " checkpoint signers", "extraData");
  Extra out;
  std::copy_n(extra.begin(), kVanityBytes, out.vanity.begin());
  out.signers.resize(signer_bytes / 20);
  for (std::size_t i = 0; i < out.signers.size(); ++i)
    std::copy_n(extra.begin() + static_cast<std::ptrdiff_t>(kVanityBytes + 20 * i), 20, out.signers[i].begin());
  std::copy_n(extra.end() - static_cast<std::ptrdiff_t>(kSealBytes), kSealBytes, out.seal.begin());
  return out;
}

Result<Hash32> seal_hash(const Header& h) {
  if (h.extra_data.size() < kSealBytes)
    return fail(Code::CliqueExtraData, "extraData lacks the 65-byte seal", "extraData");
  Bytes unsealed(h.extra_data.begin(), h.extra_data.end() - static_cast<std::ptrdiff_t>(kSealBytes));
  auto enc = encode_header(with_extra_data(h, std::move(unsealed)));
  if (!enc) return tl::unexpected(enc.error());
  return keccak256(*enc);
}

Result<Address> recover_signer(const Header& h) {
  auto digest = seal_hash(h);
  if (!digest) return tl::unexpected(digest.error());
  const ByteView seal(h.extra_data.data() + h.extra_data.size() - kSealBytes, kSealBytes);
  if (seal[64] > 1)
    return fail(Code::SigEncoding, "seal recovery id must be 0 or 1, got " + num(seal[64]), "extraData.seal");
  auto pk = secp256k1::recover_rsv(*digest, seal, secp256k1::LowS::Allowed);
  if (!pk) return fail(pk.error().code, pk.error().detail, "extraData.seal");
  return secp256k1::eth_address(*pk);
}

Status check_header_fields(const Config& config, const Header& h) {
  auto shape = header_shape(h);
  if (!shape) return tl::unexpected(shape.error());
  if (*shape != HeaderShape::Frontier && *shape != HeaderShape::London)
    return fail(Code::EthHeader, "Clique headers have no Shanghai-or-later fields", "withdrawalsRoot");
  const bool checkpoint = h.number % config.epoch == 0;
  if (checkpoint && h.beneficiary != Address{})
    return fail(Code::InvalidVote, "checkpoint block with a non-zero coinbase (vote)", "miner");
  if (h.nonce != kNonceAuth && h.nonce != kNonceDrop)
    return fail(Code::InvalidVote, "nonce is neither 0xff..ff (authorise) nor 0x00..00 (drop)", "nonce");
  if (checkpoint && h.nonce != kNonceDrop)
    return fail(Code::InvalidVote, "checkpoint block with an authorise vote", "nonce");
  auto extra = parse_extra(h.extra_data, checkpoint);
  if (!extra) return tl::unexpected(extra.error());
  if (!h.mix_hash.is_zero()) return fail(Code::ConsensusField, "mixHash must be zero", "mixHash");
  if (h.ommers_hash != empty_ommers_hash())
    return fail(Code::ConsensusField, "ommers hash must be that of the empty list", "sha3Uncles");
  if (h.number > 0) {
    const std::uint8_t d = small_difficulty(h.difficulty);
    if (d != kDiffInTurn && d != kDiffNoTurn)
      return fail(Code::ConsensusField, "difficulty must be 1 or 2", "difficulty");
  }
  if (h.gas_limit > 0x7fffffffffffffffULL) return fail(Code::EthHeader, "gasLimit above 2^63-1", "gasLimit");
  if (h.gas_used > h.gas_limit) return fail(Code::EthHeader, "gasUsed above gasLimit", "gasUsed");
  return {};
}

Result<CliqueState> CliqueState::trusted(const Config& config, std::uint64_t number, const Hash32& hash,
                                         std::uint64_t timestamp_s, std::vector<Address> signers,
                                         std::map<std::uint64_t, Address> recents) {
  if (config.epoch == 0) return fail(Code::InvalidArgument, "Clique epoch must be positive", "epoch");
  if (hash.is_zero()) return fail(Code::ZeroRoot, "anchor hash is zero", "anchor");
  if (signers.empty()) return fail(Code::InvalidArgument, "empty signer set", "validators");
  if (signers.size() > kMaxSigners) return fail(Code::InvalidArgument, "too many signers", "validators");
  auto sorted = sorted_unique(std::move(signers));
  if (!sorted) return tl::unexpected(sorted.error());
  for (const auto& [n, s] : recents)
    if (n > number || !contains_sorted(*sorted, s))
      return fail(Code::InvalidArgument, "recent signer entry after the anchor or not a signer", "recents");
  CliqueState st;
  st.config_ = config;
  st.number_ = number;
  st.hash_ = hash;
  st.timestamp_s_ = timestamp_s;
  st.signers_ = std::move(*sorted);
  const std::uint64_t limit = st.signers_.size() / 2 + 1;
  for (const auto& [n, s] : recents)
    if (n + limit > number) st.recents_.emplace(n, s);
  return st;
}

Result<CliqueState> CliqueState::from_checkpoint(const Config& config, const Header& checkpoint) {
  if (config.epoch == 0) return fail(Code::InvalidArgument, "Clique epoch must be positive", "epoch");
  if (checkpoint.number % config.epoch != 0)
    return fail(Code::InvalidArgument, "header " + num(checkpoint.number) + " is not an epoch checkpoint", "number");
  auto extra = parse_extra(checkpoint.extra_data, true);
  if (!extra) return tl::unexpected(extra.error());
  auto hash = header_hash(checkpoint);
  if (!hash) return tl::unexpected(hash.error());
  return trusted(config, checkpoint.number, *hash, checkpoint.timestamp_s, std::move(extra->signers));
}

bool CliqueState::is_signer(const Address& a) const noexcept { return contains_sorted(signers_, a); }

bool CliqueState::in_turn(std::uint64_t number, const Address& signer) const noexcept {
  const auto it = std::lower_bound(signers_.begin(), signers_.end(), signer);
  if (it == signers_.end() || *it != signer || signers_.empty()) return false;
  const auto offset = static_cast<std::uint64_t>(it - signers_.begin());
  return number % signers_.size() == offset;
}

std::optional<Address> CliqueState::signer_of(std::uint64_t number) const {
  const auto it = recents_.find(number);
  if (it == recents_.end()) return std::nullopt;
  return it->second;
}

// geth Snapshot.cast: counts a vote only when it would change the set.
bool CliqueState::cast(const Address& address, bool authorize) {
  if (is_signer(address) == authorize) return false;  // validVote
  auto it = tally_.find(address);
  if (it != tally_.end())
    ++it->second.votes;
  else
    tally_.emplace(address, Tally{authorize, 1});
  return true;
}

// geth Snapshot.uncast.
bool CliqueState::uncast(const Address& address, bool authorize) {
  auto it = tally_.find(address);
  if (it == tally_.end() || it->second.authorize != authorize) return false;
  if (it->second.votes > 1)
    --it->second.votes;
  else
    tally_.erase(it);
  return true;
}

Result<CliqueState> CliqueState::apply(const Header& h) const {
  if (auto st = check_header_fields(config_, h); !st) return tl::unexpected(st.error());
  if (auto st = check_parent_link(hash_, number_, h); !st) return tl::unexpected(st.error());
  if (timestamp_s_ > UINT64_MAX - config_.period_s || h.timestamp_s < timestamp_s_ + config_.period_s)
    return fail(Code::TimestampOrder,
                "time " + num(h.timestamp_s) + " is before parent time + period " + num(config_.period_s), "timestamp");
  const bool checkpoint = h.number % config_.epoch == 0;
  if (checkpoint) {
    auto extra = parse_extra(h.extra_data, true);
    if (!extra) return tl::unexpected(extra.error());
    if (extra->signers != signers_)
      return fail(Code::ValidatorSetMismatch, "checkpoint signer list differs from the current signer set",
                  "extraData");
  }
  auto signer = recover_signer(h);
  if (!signer) return tl::unexpected(signer.error());
  if (!is_signer(*signer)) return fail(Code::NotValidator, "seal is not by an authorised signer", "extraData.seal");
  const std::uint64_t limit = signers_.size() / 2 + 1;
  for (const auto& [seen, s] : recents_)
    if (s == *signer && seen + limit > h.number)
      return fail(Code::RecentlySigned, "signer also sealed block " + num(seen) + "; it may seal once per " +
                                            num(limit) + " blocks",
                  "extraData.seal");
  const std::uint8_t want = in_turn(h.number, *signer) ? kDiffInTurn : kDiffNoTurn;
  if (small_difficulty(h.difficulty) != want)
    return fail(Code::WrongDifficulty,
                std::string("difficulty must be ") + (want == kDiffInTurn ? "2 (in turn)" : "1 (out of turn)"),
                "difficulty");

  // Accepted: the new snapshot (geth Snapshot.apply, one header).
  CliqueState next = *this;
  next.number_ = h.number;
  auto hash = header_hash(h);
  if (!hash) return tl::unexpected(hash.error());
  next.hash_ = *hash;
  next.timestamp_s_ = h.timestamp_s;
  if (checkpoint) {
    next.votes_.clear();
    next.tally_.clear();
  }
  std::erase_if(next.recents_, [&](const auto& e) { return e.first + limit <= h.number; });
  next.recents_[h.number] = *signer;

  const Address& target = h.beneficiary;
  // A signer's newer vote on the same address replaces its older one.
  for (auto it = next.votes_.begin(); it != next.votes_.end(); ++it) {
    if (it->signer == *signer && it->address == target) {
      next.uncast(it->address, it->authorize);
      next.votes_.erase(it);
      break;
    }
  }
  const bool authorize = h.nonce == kNonceAuth;
  if (next.cast(target, authorize)) next.votes_.push_back(Vote{*signer, h.number, target, authorize});

  auto t = next.tally_.find(target);
  if (t != next.tally_.end() && t->second.votes > next.signers_.size() / 2) {
    if (t->second.authorize) {
      next.signers_.insert(std::upper_bound(next.signers_.begin(), next.signers_.end(), target), target);
    } else {
      next.signers_.erase(std::lower_bound(next.signers_.begin(), next.signers_.end(), target));
      const std::uint64_t new_limit = next.signers_.size() / 2 + 1;
      std::erase_if(next.recents_, [&](const auto& e) { return e.first + new_limit <= h.number; });
      // Discard the votes the dropped signer cast.
      for (auto it = next.votes_.begin(); it != next.votes_.end();) {
        if (it->signer == target) {
          next.uncast(it->address, it->authorize);
          it = next.votes_.erase(it);
        } else {
          ++it;
        }
      }
    }
    std::erase_if(next.votes_, [&](const Vote& v) { return v.address == target; });
    next.tally_.erase(target);
  }
  return next;
}

}  // namespace causeway::ethereum::clique
