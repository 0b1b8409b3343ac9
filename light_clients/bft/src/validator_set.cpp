#include "causeway/bft/validator_set.hpp"

#include <algorithm>
#include <limits>
#include <string>

namespace causeway::bft {
namespace {

bool key_less(const Bytes& a, const Bytes& b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
}

std::string where(std::size_t i) { return "validators[" + std::to_string(i) + "]"; }

}  // namespace

Result<ValidatorSet> ValidatorSet::create(Suite suite, std::vector<Validator> validators) {
  if (validators.size() > kMaxValidators)
    return fail(Code::TooLarge, "more than " + std::to_string(kMaxValidators) + " validators");
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < validators.size(); ++i) {
    if (validators[i].power > std::numeric_limits<std::uint64_t>::max() - total)
      return fail(Code::Overflow, "total voting power does not fit uint64", where(i));
    total += validators[i].power;
  }
  if (total == 0) return fail(Code::InvalidArgument, "zero total voting power");
  for (std::size_t i = 0; i < validators.size(); ++i) {
    if (validators[i].power == 0) return fail(Code::InvalidArgument, "validator with voting power 0", where(i));
    if (auto ok = check_public_key(suite, validators[i].key); !ok)
      return fail(ok.error().code, ok.error().detail, where(i));
  }
  std::sort(validators.begin(), validators.end(),
            [](const Validator& a, const Validator& b) { return key_less(a.key, b.key); });
  for (std::size_t i = 1; i < validators.size(); ++i) {
    if (validators[i].key == validators[i - 1].key)
      return fail(Code::InvalidArgument, "the same validator key is listed twice", where(i));
  }
  ValidatorSet out;
  if (suite == Suite::Secp256k1Sha256) {
    out.parsed_.reserve(validators.size());
    for (std::size_t i = 0; i < validators.size(); ++i) {
      auto pk = secp256k1::parse_public_key(validators[i].key);  // checked above; cannot fail
      if (!pk) return fail(Code::PubkeyInvalid, pk.error().detail, where(i));
      out.parsed_.push_back(*pk);
    }
  }
  out.suite_ = suite;
  out.validators_ = std::move(validators);
  out.total_power_ = total;
  return out;
}

std::optional<std::size_t> ValidatorSet::index_of(ByteView key) const noexcept {
  auto it = std::lower_bound(validators_.begin(), validators_.end(), key, [](const Validator& v, ByteView k) {
    return std::lexicographical_compare(v.key.begin(), v.key.end(), k.begin(), k.end());
  });
  if (it == validators_.end() || !std::equal(it->key.begin(), it->key.end(), key.begin(), key.end()))
    return std::nullopt;
  return static_cast<std::size_t>(it - validators_.begin());
}

}  // namespace causeway::bft
