#include "causeway/bitcoin/chain.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

#include "causeway/bitcoin/pow.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/merkle/bitcoin_merkle.hpp"

namespace causeway::bitcoin {
namespace {

constexpr std::size_t kMaxPrevTimestamps = 10;
constexpr unsigned kMedianTimeSpan = 11;  // BIP 113 / Core's nMedianTimeSpan

std::string hex32(std::uint32_t v) {
  char buf[11];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

std::string to_hex_display(const Hash32& h) { return to_hex(h.reversed().view()); }

std::string height_str(std::uint64_t h) { return "height " + std::to_string(h); }

// Block hashes are uniformly distributed in their first (least significant) bytes.
std::uint64_t hash_bits(const Hash32& h) noexcept {
  std::uint64_t v;
  std::memcpy(&v, h.b.data(), sizeof v);
  return v;
}
std::uint64_t slot_tag(std::uint64_t bits) noexcept { return bits & 0xffffffff00000000ULL; }

}  // namespace

// ---- creation ---------------------------------------------------------------------------------------

Result<HeaderChain> HeaderChain::create(const Params& params, const Anchor& anchor) {
  static_assert(sizeof(Node) == 128, "a node is two cache lines");
  if (params.target_spacing_s <= 0 || params.target_timespan_s < params.target_spacing_s)
    return fail(Code::InvalidArgument, "params: target spacing/timespan must be positive", "anchor");
  if (params.pow_limit.is_zero()) return fail(Code::InvalidArgument, "params: pow limit is zero", "anchor");
  auto hdr = decode_header(anchor.header);
  if (!hdr) return fail(hdr.error().code, hdr.error().detail, "anchor");
  const Hash32 hash = header_hash(ByteView(anchor.header));
  if (hash.is_zero()) return fail(Code::ZeroRoot, "anchor hash is all zero (A01)", "anchor");
  if (hdr->merkle_root.is_zero()) return fail(Code::ZeroRoot, "anchor merkle root is all zero (A01)", "anchor");
  if (anchor.prev_timestamps_s.size() > kMaxPrevTimestamps)
    return fail(Code::TooLarge, "anchor has more than 10 prev_timestamps_s", "anchor");
  if (anchor.height == 0 && !params.genesis_hash.is_zero() && hash != params.genesis_hash)
    return fail(Code::UntrustedAnchor, "height-0 anchor is not the " + params.name + " genesis block", "anchor");
  if (anchor.height != 0 && !params.genesis_hash.is_zero() && hash == params.genesis_hash)
    return fail(Code::UntrustedAnchor, "the " + params.name + " genesis block is at height 0, not " +
                                           std::to_string(anchor.height), "anchor");
  if (auto pow = check_pow(hash, hdr->bits, params); !pow) return fail(pow.error().code, pow.error().detail, "anchor");

  HeaderChain c;
  c.params_ = params;
  c.limit_bits_ = bits_from_target(params.pow_limit);
  c.interval_ = static_cast<std::uint64_t>(params.interval());
  c.anchor_prev_times_ = anchor.prev_timestamps_s;

  auto cached = c.cached_bits(hdr->bits);
  if (!cached) return fail(cached.error().code, cached.error().detail, "anchor");

  Node n{};
  n.hash = hash;
  n.merkle_root = hdr->merkle_root;
  n.version = hdr->version;
  n.time_s = hdr->time_s;
  n.bits = hdr->bits;
  n.nonce = hdr->nonce;
  c.anchor_prev_hash_ = hdr->prev_hash;
  n.chainwork = (*cached)->work;
  n.height = anchor.height;
  n.parent = kNone;
  // period_bits: the bits of the first block of the period, which in a valid chain is also what the testnet
  // min-difficulty walk-back returns (every non-min-difficulty block of a period carries the first block's
  // bits, and the walk-back stops at such a block or at the period's start), so one field serves both the
  // walk-back and BIP 94. A non-boundary min-difficulty anchor needs last_non_min_bits for it.
  if (anchor.height % c.interval_ == 0) {
    n.period_time_s = hdr->time_s;
    n.period_bits = hdr->bits;
  } else {
    n.period_time_s = anchor.period_start_time_s.value_or(0);
    // Without retargeting (regtest) the difficulty never changes, so the walk-back can only find the
    // anchor's own bits: no last_non_min_bits is needed.
    n.period_bits = (hdr->bits != c.limit_bits_ || !params.allow_min_difficulty_blocks || params.no_retargeting)
                        ? hdr->bits
                        : anchor.last_non_min_bits.value_or(0);
  }
  c.nodes_.push_back(n);
  c.index_insert(0);
  c.best_.push_back(0);
  c.tip_ = 0;
  return c;
}

void HeaderChain::reserve(std::size_t headers) {
  nodes_.reserve(headers);
  best_.reserve(headers);
  std::size_t cap = 16;
  while (cap < 2 * headers) cap *= 2;
  if (cap > slots_.size()) rebuild_index(cap);
  pending_ = kNone;  // rebuild_index indexed every node
}

// ---- hash index (open addressing, load factor <= 1/2) ------------------------------------------------

std::optional<std::uint32_t> HeaderChain::index_of(const Hash32& h) const noexcept {
  if (pending_ != kNone && nodes_[pending_].hash == h) return pending_;
  if (slots_.empty()) return std::nullopt;
  const std::size_t mask = slots_.size() - 1;
  const std::uint64_t bits = hash_bits(h);
  const std::uint64_t tag = slot_tag(bits);
  for (std::size_t i = static_cast<std::size_t>(bits) & mask;; i = (i + 1) & mask) {
    const std::uint64_t s = slots_[i];
    if (s == 0) return std::nullopt;
    if (slot_tag(s) == tag) {
      const auto node = static_cast<std::uint32_t>(s) - 1;
      if (nodes_[node].hash == h) return node;
    }
  }
}

void HeaderChain::rebuild_index(std::size_t slot_count) {
  slots_.assign(slot_count, 0);
  const std::size_t mask = slot_count - 1;
  const auto n = static_cast<std::uint32_t>(nodes_.size());
  constexpr std::uint32_t kAhead = 8;  // prefetch distance: overlaps the cache misses of several inserts
  for (std::uint32_t k = 0; k < n; ++k) {
    if (k + kAhead < n)
      __builtin_prefetch(&slots_[static_cast<std::size_t>(hash_bits(nodes_[k + kAhead].hash)) & mask], 1);
    const std::uint64_t bits = hash_bits(nodes_[k].hash);
    std::size_t i = static_cast<std::size_t>(bits) & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = slot_tag(bits) | (static_cast<std::uint64_t>(k) + 1);
  }
}

void HeaderChain::index_insert(std::uint32_t node) {
  if (2 * (nodes_.size() + 1) > slots_.size()) rebuild_index(std::max<std::size_t>(64, slots_.size() * 4));
  const std::size_t mask = slots_.size() - 1;
  const std::uint64_t bits = hash_bits(nodes_[node].hash);
  const std::uint64_t entry = slot_tag(bits) | (static_cast<std::uint64_t>(node) + 1);
  std::size_t i = static_cast<std::size_t>(bits) & mask;
  while (slots_[i] != 0) {
    if (slots_[i] == entry) return;
    i = (i + 1) & mask;
  }
  slots_[i] = entry;
}

Result<const HeaderChain::BitsCache*> HeaderChain::cached_bits(std::uint32_t bits) {
  for (const BitsCache& e : cache_)
    if (e.valid && e.bits == bits) return &e;
  auto target = target_from_bits(bits, params_.pow_limit);
  if (!target) return tl::unexpected(std::move(target.error()));
  BitsCache& slot = cache_[cache_next_];
  cache_next_ = (cache_next_ + 1) % static_cast<unsigned>(cache_.size());
  slot.bits = bits;
  slot.valid = true;
  slot.target = *target;
  slot.work = work_from_target(*target);
  return &slot;
}

// ---- rules ------------------------------------------------------------------------------------------

Result<std::uint32_t> HeaderChain::required_bits_for(std::uint32_t parent, std::uint32_t time_s) const {
  // Bitcoin Core pow.cpp GetNextWorkRequired, with `last` = the parent.
  const Node& last = nodes_[parent];
  const std::uint64_t next_height = static_cast<std::uint64_t>(last.height) + 1;
  if (next_height % interval_ != 0) {
    if (params_.allow_min_difficulty_blocks) {
      // Testnet: a block more than 2 × spacing after its parent may use the minimum difficulty ...
      if (static_cast<std::int64_t>(time_s) > static_cast<std::int64_t>(last.time_s) + 2 * params_.target_spacing_s)
        return limit_bits_;
      // ... otherwise the bits of the last block that was not such a block (walk-back).
      if (last.period_bits == 0)
        return fail(Code::AnchorInsufficient,
                    "the min-difficulty walk-back passes the anchor: last_non_min_bits needed", height_str(next_height));
      return last.period_bits;
    }
    return last.bits;
  }
  if (params_.no_retargeting) return last.bits;
  // Retarget: the first block of the ending period is interval − 1 blocks before `last`.
  if (last.period_time_s == 0)
    return fail(Code::AnchorInsufficient,
                "retarget at " + height_str(next_height) + " needs period_start_time_s in the anchor", height_str(next_height));
  std::uint32_t base = last.bits;
  if (params_.enforce_bip94) {
    if (last.period_bits == 0)
      return fail(Code::AnchorInsufficient, "BIP 94 retarget needs the period's first bits (last_non_min_bits)",
                  height_str(next_height));
    base = last.period_bits;
  }
  return calculate_next_work_required(base, last.time_s, last.period_time_s, params_);
}

Result<std::uint32_t> HeaderChain::required_bits(const Hash32& parent, std::uint32_t time_s) const {
  const auto p = index_of(parent);
  if (!p) return fail(Code::UnknownHeader, "parent is not a verified header");
  return required_bits_for(*p, time_s);
}

Result<AddResult> HeaderChain::add_header(ByteView raw, std::int64_t now_s) {
  // 1. encoding
  auto hdr = decode_header(raw);
  if (!hdr) return tl::unexpected(std::move(hdr.error()));
  const Hash32 hash = sha256d(raw);
  // A child of the tip cannot be known already (it would carry more work and be the tip), so the common
  // case skips the duplicate lookup; the index slot it will take is prefetched meanwhile.
  const bool extends_tip = hdr->prev_hash == nodes_[tip_].hash;
  if (!slots_.empty()) __builtin_prefetch(&slots_[static_cast<std::size_t>(hash_bits(hash)) & (slots_.size() - 1)], 1);
  // Index the previously added header now: its slot was prefetched one header ago, so the (cache-missing)
  // hash-table write overlaps the SHA256d above instead of stalling.
  if (pending_ != kNone) {
    index_insert(pending_);
    pending_ = kNone;
  }
  if (const auto known = extends_tip ? std::nullopt : index_of(hash)) {
    AddResult r;
    r.hash = hash;
    r.height = nodes_[*known].height;
    r.duplicate = true;
    return r;
  }
  // 2. link to a known parent
  const auto parent_idx = extends_tip ? std::optional<std::uint32_t>(tip_) : index_of(hdr->prev_hash);
  if (!parent_idx)
    return fail(Code::PrevHashMismatch,
                "previous hash " + to_hex_display(hdr->prev_hash) + " is not a verified header");
  const std::uint32_t parent = *parent_idx;
  const std::uint32_t parent_height = nodes_[parent].height;
  if (parent_height == 0xffffffffu) return fail(Code::Overflow, "height overflows 32 bits");
  const std::uint32_t height = parent_height + 1;

  // 3. required bits
  auto required = required_bits_for(parent, hdr->time_s);
  if (!required) return tl::unexpected(std::move(required.error()));
  if (hdr->bits != *required)
    return fail(Code::BadBits, "bits " + hex32(hdr->bits) + " but the rules require " + hex32(*required),
                height_str(height));

  // 4. proof of work
  auto cached = cached_bits(hdr->bits);
  if (!cached) return fail(cached.error().code, cached.error().detail, height_str(height));
  const BitsCache& bc = **cached;
  if (U256::from_le(hash) > bc.target)
    return fail(Code::BadPow, "hash " + to_hex_display(hash) + " is above the target of bits " + hex32(hdr->bits),
                height_str(height));

  // 5. median-time-past over the previous 11 (fewer near the anchor; BIP 113, Core GetMedianTimePast)
  // Gathered newest first into the back of the array, so the slice is usually already ascending and the
  // insertion sort below is linear.
  std::array<std::uint32_t, kMedianTimeSpan> times{};
  unsigned count = 0;
  std::uint32_t cur = parent;
  while (count < kMedianTimeSpan && cur != kNone) {
    times[kMedianTimeSpan - 1 - count++] = nodes_[cur].time_s;
    cur = nodes_[cur].parent;
  }
  if (cur == kNone) {
    for (std::size_t i = anchor_prev_times_.size(); i-- > 0 && count < kMedianTimeSpan;)
      times[kMedianTimeSpan - 1 - count++] = anchor_prev_times_[i];
  }
  std::uint32_t* const w = times.data() + (kMedianTimeSpan - count);
  for (unsigned i = 1; i < count; ++i) {
    const std::uint32_t v = w[i];
    unsigned j = i;
    for (; j > 0 && w[j - 1] > v; --j) w[j] = w[j - 1];
    w[j] = v;
  }
  const std::uint32_t mtp = w[count / 2];
  if (hdr->time_s <= mtp)
    return fail(Code::TimeTooOld,
                "time " + std::to_string(hdr->time_s) + " is not after the median-time-past " + std::to_string(mtp) +
                    " of " + std::to_string(count) + " blocks",
                height_str(height));

  // 5b. BIP 94 timewarp rule on the first block of a period
  if (params_.enforce_bip94 && height % interval_ == 0 &&
      static_cast<std::int64_t>(hdr->time_s) <
          static_cast<std::int64_t>(nodes_[parent].time_s) - params_.max_timewarp_s)
    return fail(Code::TimeWarp, "first block of a period is more than 600 s before its parent", height_str(height));

  // 6. not too far in the future
  if (static_cast<std::int64_t>(hdr->time_s) - params_.max_future_block_time_s > now_s)
    return fail(Code::TimeTooNew,
                "time " + std::to_string(hdr->time_s) + " is more than 7200 s after now " + std::to_string(now_s),
                height_str(height));

  // Store.
  const Node& p = nodes_[parent];
  const bool boundary = height % interval_ == 0;
  Node n;
  n.hash = hash;
  n.merkle_root = hdr->merkle_root;
  n.chainwork = p.chainwork + bc.work;
  n.height = height;
  n.parent = parent;
  n.version = hdr->version;
  n.time_s = hdr->time_s;
  n.bits = hdr->bits;
  n.nonce = hdr->nonce;
  n.period_time_s = boundary ? hdr->time_s : p.period_time_s;
  n.period_bits = (boundary || hdr->bits != limit_bits_) ? hdr->bits : p.period_bits;
  const auto idx = static_cast<std::uint32_t>(nodes_.size());
  nodes_.push_back(n);
  pending_ = idx;  // indexed on the next add_header; index_of() checks it meanwhile

  AddResult r;
  r.hash = hash;
  r.height = height;
  r.mtp_window = count;
  if (nodes_[idx].chainwork > nodes_[tip_].chainwork) {
    r.new_tip = true;
    r.reorg = parent != tip_;
    const std::uint32_t base = nodes_.front().height;
    best_.resize(height - base + 1, kNone);
    for (std::uint32_t c = idx; c != kNone && best_[nodes_[c].height - base] != c; c = nodes_[c].parent)
      best_[nodes_[c].height - base] = c;
    tip_ = idx;
  }
  return r;
}

// ---- queries ----------------------------------------------------------------------------------------

bool HeaderChain::on_best(std::uint32_t node) const noexcept {
  const std::uint32_t off = nodes_[node].height - nodes_.front().height;
  return off < best_.size() && best_[off] == node;
}

HeaderInfo HeaderChain::info(std::uint32_t node) const {
  const Node& n = nodes_[node];
  Header h;
  h.version = n.version;
  h.prev_hash = n.parent == kNone ? anchor_prev_hash_ : nodes_[n.parent].hash;
  h.merkle_root = n.merkle_root;
  h.time_s = n.time_s;
  h.bits = n.bits;
  h.nonce = n.nonce;
  return HeaderInfo{n.hash, h, n.height, n.chainwork, on_best(node)};
}

std::optional<HeaderInfo> HeaderChain::find(const Hash32& hash) const {
  const auto i = index_of(hash);
  if (!i) return std::nullopt;
  return info(*i);
}

std::optional<HeaderInfo> HeaderChain::at_height(std::uint32_t h) const {
  const std::uint32_t base = nodes_.front().height;
  if (h < base || h - base >= best_.size()) return std::nullopt;
  return info(best_[h - base]);
}

HeaderInfo HeaderChain::tip() const { return info(tip_); }
std::uint32_t HeaderChain::anchor_height() const noexcept { return nodes_.front().height; }
std::size_t HeaderChain::size() const noexcept { return nodes_.size(); }

std::uint32_t HeaderChain::confirmations(const Hash32& hash) const {
  const auto i = index_of(hash);
  if (!i || !on_best(*i)) return 0;
  return nodes_[tip_].height - nodes_[*i].height + 1;
}

Result<TxVerified> HeaderChain::verify_tx_at(std::uint32_t node, const TxInclusion& tx,
                                             std::uint32_t min_conf) const {
  const Node& n = nodes_[node];
  if (!on_best(node))
    return fail(Code::UnknownHeader, "block " + to_hex_display(n.hash) + " is not on the best chain", height_str(n.height));
  const std::uint32_t conf = nodes_[tip_].height - n.height + 1;
  if (conf < min_conf)
    return fail(Code::Confirmations,
                std::to_string(conf) + " confirmations, " + std::to_string(min_conf) + " required", height_str(n.height));
  if (tx.raw_tx) {
    if (tx.raw_tx->size() == 64) return fail(Code::Tx64Bytes, "64-byte transactions are refused", "tx");
    auto id = txid_of(*tx.raw_tx);
    if (!id) return fail(id.error().code, id.error().detail, "tx");
    if (*id != tx.txid)
      return fail(Code::TxMismatch, "raw tx hashes to " + to_hex_display(*id) + ", not the claimed txid", "tx");
  }
  if (auto ok = merkle::verify_bitcoin_branch(tx.txid, tx.index, tx.branch, n.merkle_root, tx.tx_count); !ok)
    return tl::unexpected(std::move(ok.error()));
  return TxVerified{n.hash, n.height, conf};
}

Result<TxVerified> HeaderChain::verify_tx(const Hash32& block_hash, const TxInclusion& tx,
                                          std::uint32_t min_confirmations) const {
  const auto i = index_of(block_hash);
  if (!i) return fail(Code::UnknownHeader, "block " + to_hex_display(block_hash) + " is not a verified header");
  return verify_tx_at(*i, tx, min_confirmations);
}

Result<TxVerified> HeaderChain::verify_tx(std::uint32_t height, const TxInclusion& tx,
                                          std::uint32_t min_confirmations) const {
  const std::uint32_t base = nodes_.front().height;
  if (height < base || height - base >= best_.size())
    return fail(Code::UnknownHeader, "no verified header at " + height_str(height) + " on the best chain");
  return verify_tx_at(best_[height - base], tx, min_confirmations);
}

// ---- stateless run ----------------------------------------------------------------------------------

Result<RunResult> verify_header_run(const Params& params, const Anchor& anchor, std::span<const ByteView> headers,
                                    std::int64_t now_s) {
  auto chain = HeaderChain::create(params, anchor);
  if (!chain) return tl::unexpected(std::move(chain.error()));
  chain->reserve(headers.size() + 1);
  Hash32 prev = chain->tip().hash;
  RunResult out;
  out.min_mtp_window = 11;
  for (std::size_t i = 0; i < headers.size(); ++i) {
    const auto at = [i] { return "headers[" + std::to_string(i) + "]"; };  // built on failure only
    auto hdr = decode_header(headers[i]);
    if (!hdr) return fail(hdr.error().code, hdr.error().detail, at());
    if (hdr->prev_hash != prev) return fail(Code::PrevHashMismatch, "header does not link to the previous one", at());
    auto added = chain->add_header(headers[i], now_s);
    if (!added) return fail(added.error().code, added.error().detail, at());
    prev = added->hash;
    out.min_mtp_window = std::min(out.min_mtp_window, added->mtp_window);
  }
  if (headers.empty()) out.min_mtp_window = 0;
  const HeaderInfo tip = chain->tip();
  out.tip_hash = tip.hash;
  out.tip_height = tip.height;
  out.chainwork = tip.chainwork;
  return out;
}

}  // namespace causeway::bitcoin
