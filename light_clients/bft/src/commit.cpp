#include "causeway/bft/commit.hpp"

#include <algorithm>
#include <string>

#include "causeway/core/hash.hpp"

namespace causeway::bft {
namespace {
__extension__ typedef unsigned __int128 u128;

std::string at(std::size_t i) { return "commit[" + std::to_string(i) + "]"; }
}  // namespace

bool more_than(std::uint64_t signed_power, std::uint64_t total_power, Fraction f) noexcept {
  if (f.denominator == 0) return false;
  return static_cast<u128>(signed_power) * f.denominator > static_cast<u128>(total_power) * f.numerator;
}

bool more_than_two_thirds(std::uint64_t signed_power, std::uint64_t total_power) noexcept {
  return static_cast<u128>(signed_power) * 3U > static_cast<u128>(total_power) * 2U;
}

bool quorum_reached(QuorumRule rule, std::uint64_t signed_power, std::uint64_t total_power) noexcept {
  switch (rule) {
    case QuorumRule::PowerMoreThanTwoThirds:
      return total_power > 0 && more_than_two_thirds(signed_power, total_power);
  }
  return false;
}

Result<Tally> verify_commit(const ValidatorSet& set, ByteView sign_bytes, std::span<const CommitSig> commit) {
  if (commit.size() > 2 * set.size())
    return fail(Code::TooLarge, "commit has more than 2 x " + std::to_string(set.size()) + " signatures");
  std::vector<bool> seen(set.size(), false);
  // secp256k1-sha256 signs SHA-256(sign_bytes): hash once per commit and use the keys the set parsed once.
  // sm2-sm3 hashes each key's Z_A with the message, so each entry goes through verify_signature.
  const bool secp = set.suite() == Suite::Secp256k1Sha256;
  const Hash32 digest = secp ? sha256(sign_bytes) : Hash32{};
  Tally t;
  t.total_power = set.total_power();
  for (std::size_t i = 0; i < commit.size(); ++i) {
    const auto idx = commit[i].validator;
    if (idx >= set.size())
      return fail(Code::NotValidator, "validator index " + std::to_string(idx) + " outside a set of " +
                                          std::to_string(set.size()), at(i));
    const Validator& v = set.at(idx);
    const Status ok = secp ? verify_secp256k1_sha256_digest(*set.parsed_key(idx), digest, commit[i].signature)
                           : verify_signature(set.suite(), v.key, sign_bytes, commit[i].signature);
    if (!ok)
      return fail(ok.error().code, "validator " + std::to_string(idx) + ": " + ok.error().detail, at(i));
    if (!seen[idx]) {
      seen[idx] = true;
      t.signed_power += v.power;  // cannot overflow: the set's total fits uint64
      t.signers.push_back(idx);
    }
  }
  std::sort(t.signers.begin(), t.signers.end());
  return t;
}

std::uint64_t power_in(const ValidatorSet& trusted, const ValidatorSet& signing_set,
                       std::span<const std::uint32_t> signers) {
  std::vector<bool> counted(trusted.size(), false);
  std::uint64_t power = 0;
  for (auto idx : signers) {
    if (idx >= signing_set.size()) continue;
    auto t = trusted.index_of(signing_set.at(idx).key);
    if (!t || counted[*t]) continue;
    counted[*t] = true;
    power += trusted.at(*t).power;
  }
  return power;
}

}  // namespace causeway::bft
