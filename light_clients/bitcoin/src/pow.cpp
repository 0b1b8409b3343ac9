#include "causeway/bitcoin/pow.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

namespace causeway::bitcoin {
namespace {

std::string hex32(std::uint32_t v) {
  char buf[11];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

}  // namespace

CompactTarget decode_compact(std::uint32_t bits) noexcept {
  // arith_uint256::SetCompact.
  const unsigned size = bits >> 24;
  std::uint32_t word = bits & 0x007fffffu;
  CompactTarget r;
  if (size <= 3) {
    word >>= 8 * (3 - size);
    r.target = U256(word);
  } else {
    r.target = U256(word) << (8 * (size - 3));
  }
  r.negative = word != 0 && (bits & 0x00800000u) != 0;
  r.overflow = word != 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32));
  return r;
}

Result<U256> target_from_bits(std::uint32_t bits, const U256& pow_limit) {
  const CompactTarget c = decode_compact(bits);
  if (c.negative) return fail(Code::BadTarget, "bits " + hex32(bits) + " encode a negative target");
  if (c.overflow) return fail(Code::BadTarget, "bits " + hex32(bits) + " overflow 256 bits");
  if (c.target.is_zero()) return fail(Code::BadTarget, "bits " + hex32(bits) + " encode a zero target");
  if (c.target > pow_limit) return fail(Code::BadTarget, "bits " + hex32(bits) + " exceed the pow limit");
  return c.target;
}

std::uint32_t bits_from_target(const U256& target) noexcept {
  // arith_uint256::GetCompact (never negative here).
  unsigned size = (target.bits() + 7) / 8;
  std::uint32_t compact;
  if (size <= 3)
    compact = static_cast<std::uint32_t>(target.low64() << (8 * (3 - size)));
  else
    compact = static_cast<std::uint32_t>((target >> (8 * (size - 3))).low64());
  if ((compact & 0x00800000u) != 0) {
    compact >>= 8;
    ++size;
  }
  return compact | (size << 24);
}

U256 work_from_target(const U256& target) noexcept {
  if (target.is_zero()) return U256{};
  return (~target / (target + U256(1))) + U256(1);
}

Status check_pow(const Hash32& hash, std::uint32_t bits, const Params& params) {
  auto target = target_from_bits(bits, params.pow_limit);
  if (!target) return tl::unexpected(std::move(target.error()));
  if (U256::from_le(hash) > *target)
    return fail(Code::BadPow, "hash " + U256::from_le(hash).to_hex() + " is above target " + target->to_hex());
  return {};
}

std::uint32_t calculate_next_work_required(std::uint32_t base_bits, std::int64_t last_time_s,
                                           std::int64_t first_time_s, const Params& params) noexcept {
  if (params.no_retargeting || params.target_timespan_s < 4) return base_bits;  // the latter: misuse guard
  const std::int64_t t = params.target_timespan_s;
  const std::int64_t timespan = std::clamp(last_time_s - first_time_s, t / 4, t * 4);
  const U256 base = decode_compact(base_bits).target;
  const std::optional<U256> scaled =
      base.mul_div(static_cast<std::uint64_t>(timespan), static_cast<std::uint64_t>(t));
  U256 next = scaled.value_or(params.pow_limit);
  if (next > params.pow_limit) next = params.pow_limit;
  return bits_from_target(next);
}

}  // namespace causeway::bitcoin
