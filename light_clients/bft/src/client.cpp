// BFT light client: see causeway/bft/client.hpp for the rules and their order.
#include "causeway/bft/client.hpp"

#include <iterator>
#include <string>

namespace causeway::bft {
namespace {
__extension__ typedef unsigned __int128 u128;

std::string num(std::uint64_t v) { return std::to_string(v); }

// Step 6: the sets a block names must be the ones its header commits to.
Status check_sets(const HeaderCodec& codec, const HeaderInfo& h, const ValidatorSet& vals,
                  const ValidatorSet& next_vals) {
  if (vals.empty() || next_vals.empty())
    return fail(Code::InvalidArgument, "validator set not built by ValidatorSet::create", "validators");
  if (vals.suite() != codec.suite() || next_vals.suite() != codec.suite())
    return fail(Code::InvalidArgument, "validator set is for another crypto suite", "validators");
  if (codec.validators_hash(vals) != h.validators_hash)
    return fail(Code::ValidatorSetMismatch, "validators do not hash to the header's validators_hash", "validators");
  if (codec.validators_hash(next_vals) != h.next_validators_hash)
    return fail(Code::ValidatorSetMismatch, "next validators do not hash to the header's next_validators_hash",
                "next_validators");
  if (!vals.index_of(h.proposer))
    return fail(Code::NotValidator, "the proposer is not in the header's validator set", "proposer");
  return {};
}

}  // namespace

ConsensusState consensus_state_of(const HeaderInfo& h) {
  ConsensusState cs;
  cs.height = h.height;
  cs.hash = h.hash;
  cs.time_ms = h.time_ms;
  cs.tx_root = h.tx_root;
  cs.tx_count = h.tx_count;
  cs.event_root = h.event_root;
  cs.event_count = h.event_count;
  cs.state_root = h.state_root;
  cs.validators_hash = h.validators_hash;
  cs.next_validators_hash = h.next_validators_hash;
  return cs;
}

Result<LightClient> LightClient::create(ClientConfig config, const SignedHeader& anchor, ValidatorSet validators,
                                        ValidatorSet next_validators) {
  if (!config.codec) return fail(Code::InvalidArgument, "no header codec configured");
  if (config.trusting_period_s == 0) return fail(Code::InvalidArgument, "trusting_period_s must be > 0");
  if (config.max_retained == 0) return fail(Code::InvalidArgument, "max_retained must be >= 1");
  const Fraction tl = config.trust_level;
  if (tl.denominator == 0 || static_cast<u128>(tl.numerator) * 3 < tl.denominator || tl.numerator >= tl.denominator)
    return fail(Code::InvalidArgument, "trust_level must be in [1/3, 1)");
  auto info = config.codec->decode(anchor.header);
  if (!info) return fail(info.error().code, info.error().detail, "anchor." + info.error().at);
  if (info->time_ms == 0) return fail(Code::InvalidArgument, "anchor time is 0", "anchor.time_ms");
  if (auto ok = check_sets(*config.codec, *info, validators, next_validators); !ok) return tl::unexpected(ok.error());
  LightClient c;
  c.config_ = std::move(config);
  c.chain_id_ = info->chain_id;
  const std::uint64_t height = info->height;
  c.retained_.emplace(height, Trusted{std::move(*info), anchor.commit, std::move(validators), std::move(next_validators)});
  return c;
}

bool LightClient::expired(const Trusted& t, std::uint64_t now_ms) const noexcept {
  return static_cast<u128>(t.info.time_ms) + static_cast<u128>(config_.trusting_period_s) * 1000U <= now_ms;
}

ClientStatus LightClient::status(std::uint64_t now_ms) const noexcept {
  if (frozen()) return ClientStatus::Frozen;
  if (expired(latest_trusted(), now_ms)) return ClientStatus::Expired;
  return ClientStatus::Active;
}

ConsensusState LightClient::latest() const { return consensus_state_of(latest_trusted().info); }

std::optional<ConsensusState> LightClient::consensus_state(std::uint64_t height) const {
  auto it = retained_.find(height);
  if (it == retained_.end()) return std::nullopt;
  return consensus_state_of(it->second.info);
}

const ValidatorSet& LightClient::trusted_validators() const { return latest_trusted().validators; }
const ValidatorSet& LightClient::trusted_next_validators() const { return latest_trusted().next_validators; }

Result<CheckedBlock> check_block(const HeaderCodec& codec, const LightBlock& block) {
  if (block.validators.empty() || block.validators.suite() != codec.suite())
    return fail(Code::InvalidArgument, "validator set not built by ValidatorSet::create for the codec's suite",
                "validators");
  auto decoded = codec.decode(block.signed_header.header);
  if (!decoded) return fail(decoded.error().code, decoded.error().detail, "header." + decoded.error().at);
  auto tally = verify_commit(block.validators, decoded->sign_bytes, block.signed_header.commit);
  if (!tally) return tl::unexpected(tally.error());
  CheckedBlock c;
  c.info_ = std::move(*decoded);
  c.tally_ = std::move(*tally);
  c.commit_ = block.signed_header.commit;
  c.validators_ = block.validators;
  return c;
}

Result<UpdateResult> LightClient::update(const LightBlock& block, std::uint64_t now_ms) {
  // 1–2 before decoding, so a frozen or expired client answers as such whatever the header.
  if (frozen()) return fail(Code::ClientFrozen, "misbehaviour was seen at height " + num(evidence_->height));
  // 3.
  auto decoded = config_.codec->decode(block.signed_header.header);
  if (!decoded) {
    const Trusted& latest = latest_trusted();
    if (expired(latest, now_ms))
      return fail(Code::ClientExpired, "trusted header at height " + num(latest.info.height) + " (time_ms " +
                                           num(latest.info.time_ms) + ") is older than the trusting period");
    return fail(decoded.error().code, decoded.error().detail, "header." + decoded.error().at);
  }
  return update_decoded(block, std::move(*decoded), nullptr, now_ms);
}

Result<UpdateResult> LightClient::update(const LightBlock& block, const CheckedBlock& checked, std::uint64_t now_ms) {
  if (checked.info().encoded != block.signed_header.header || checked.commit_ != block.signed_header.commit ||
      checked.validators_ != block.validators)
    return fail(Code::InvalidArgument, "the checked block was made from another header or commit");
  return update_decoded(block, checked.info(), &checked.tally(), now_ms);
}

Result<UpdateResult> LightClient::update_decoded(const LightBlock& block, HeaderInfo h, const Tally* pre_tally,
                                                 std::uint64_t now_ms) {
  // 1–2.
  if (frozen()) return fail(Code::ClientFrozen, "misbehaviour was seen at height " + num(evidence_->height));
  const Trusted& latest = latest_trusted();
  if (expired(latest, now_ms))
    return fail(Code::ClientExpired, "trusted header at height " + num(latest.info.height) + " (time_ms " +
                                         num(latest.info.time_ms) + ") is older than the trusting period");
  // 3 (decoded by the caller).
  if (h.chain_id != chain_id_)
    return fail(Code::IslandMismatch, "header is for chain '" + h.chain_id + "', the client for '" + chain_id_ + "'",
                "header.chain_id");
  UpdateResult out;
  out.header = consensus_state_of(h);
  // 4.
  const auto held = retained_.find(h.height);
  if (held != retained_.end() && held->second.info.hash == h.hash) {
    out.kind = UpdateKind::AlreadyKnown;
    return out;
  }
  // 5.
  if (static_cast<u128>(h.time_ms) > static_cast<u128>(now_ms) + config_.max_clock_drift_ms)
    return fail(Code::TimeTooNew, "header time_ms " + num(h.time_ms) + " is more than " +
                                      num(config_.max_clock_drift_ms) + " ms after now_ms " + num(now_ms),
                "header.time_ms");
  // 6.
  const ValidatorSet& vals = block.validators;
  const ValidatorSet& next_vals = block.next_validators ? *block.next_validators : block.validators;
  if (!block.next_validators && h.next_validators_hash != h.validators_hash)
    return fail(Code::ValidatorSetMismatch, "the header changes the validator set: next_validators are required",
                "next_validators");
  if (auto ok = check_sets(*config_.codec, h, vals, next_vals); !ok) return tl::unexpected(ok.error());
  // 7.
  const Trusted* basis = nullptr;
  bool self_basis = false;  // conflict with nothing retained below it: judged against the held header's own set
  if (h.height > latest.info.height) {
    basis = &latest;
  } else if (held != retained_.end()) {
    auto below = retained_.lower_bound(h.height);
    if (below != retained_.begin()) {
      basis = &std::prev(below)->second;
    } else {
      basis = &held->second;
      self_basis = true;
    }
    if (expired(*basis, now_ms))
      return fail(Code::ClientExpired, "the trusted header at height " + num(basis->info.height) +
                                           " that this header would be verified from is expired");
  } else {
    return fail(Code::UnknownHeader, "height " + num(h.height) + " is below the latest trusted height " +
                                         num(latest.info.height) + " and not held", "header.height");
  }
  const HeaderInfo& b = basis->info;
  // 8.
  const bool sequential = !self_basis && h.height == b.height + 1;
  if (sequential) {
    if (h.parent_hash != b.hash)
      return fail(Code::PrevHashMismatch, "parent_hash is not the hash of the trusted header at height " + num(b.height),
                  "header.parent_hash");
    if (h.validators_hash != b.next_validators_hash)
      return fail(Code::ValidatorSetMismatch, "validators_hash differs from the trusted next_validators_hash",
                  "header.validators_hash");
  }
  if (!self_basis && h.time_ms <= b.time_ms)
    return fail(Code::TimestampOrder, "header time_ms " + num(h.time_ms) + " is not after the trusted " +
                                          num(b.time_ms), "header.time_ms");
  Tally computed;
  if (!pre_tally) {
    auto t = verify_commit(vals, h.sign_bytes, block.signed_header.commit);
    if (!t) return tl::unexpected(t.error());
    computed = std::move(*t);
  }
  const Tally* tally = pre_tally ? pre_tally : &computed;
  out.signed_power = tally->signed_power;
  out.total_power = tally->total_power;
  if (!quorum_reached(config_.codec->quorum_rule(), tally->signed_power, tally->total_power))
    return fail(Code::InsufficientQuorum, "validators with " + num(tally->signed_power) + " of " +
                                              num(tally->total_power) + " power signed: not more than 2/3",
                "commit");
  out.verification = sequential ? Verification::Sequential : Verification::Skipping;
  if (!sequential) {
    const ValidatorSet& trusted_set = self_basis ? basis->validators : basis->next_validators;
    const std::uint64_t trusted_signed = power_in(trusted_set, vals, tally->signers);
    out.trusted_signed_power = trusted_signed;
    out.trusted_total_power = trusted_set.total_power();
    if (!more_than(trusted_signed, trusted_set.total_power(), config_.trust_level))
      return fail(Code::InsufficientQuorum, "trusted validators with " + num(trusted_signed) + " of " +
                                                num(trusted_set.total_power()) + " power signed: not more than " +
                                                num(config_.trust_level.numerator) + "/" +
                                                num(config_.trust_level.denominator), "commit");
  }
  // 9 / misbehaviour.
  if (held != retained_.end()) {
    Misbehaviour m;
    m.height = h.height;
    m.held = SignedHeader{held->second.info.encoded, held->second.commit};
    m.conflicting = block.signed_header;
    evidence_ = m;
    out.kind = UpdateKind::Misbehaviour;
    out.evidence = std::move(m);
    return out;
  }
  const std::uint64_t height = h.height;
  retained_.emplace(height, Trusted{std::move(h), block.signed_header.commit, vals, next_vals});
  while (retained_.size() > config_.max_retained) retained_.erase(retained_.begin());
  out.kind = UpdateKind::Accepted;
  return out;
}

Status LightClient::verify_inclusion(const InclusionClaim& claim, std::uint64_t now_ms) const {
  if (frozen()) return fail(Code::ClientFrozen, "misbehaviour was seen at height " + num(evidence_->height));
  if (expired(latest_trusted(), now_ms)) return fail(Code::ClientExpired, "the client is expired");
  auto it = retained_.find(claim.height);
  if (it == retained_.end())
    return fail(Code::UnknownHeader, "no verified header at height " + num(claim.height), "height");
  return bft::verify_inclusion(config_.codec->suite(), consensus_state_of(it->second.info), claim);
}

}  // namespace causeway::bft
