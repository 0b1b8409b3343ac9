#include "causeway/domain/governance.hpp"

#include <algorithm>

#include "causeway/core/abi.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/packet.hpp"

namespace causeway::domain {
namespace {

bool is_zero_address(const Address& a) {
  return std::all_of(a.begin(), a.end(), [](std::uint8_t b) { return b == 0; });
}

}  // namespace

Status validate_governance_keys(const GovernanceKeys& keys) {
  const auto n = keys.members.size();
  if (n == 0) return fail(Code::InvalidArgument, "governance needs at least one key", "governance.members");
  if (n > kMaxGovernanceKeys) {
    return fail(Code::TooLarge, "more than " + std::to_string(kMaxGovernanceKeys) + " governance keys",
                "governance.members");
  }
  if (keys.threshold == 0 || keys.threshold > n) {
    return fail(Code::InvalidArgument, "governance threshold must be 1..n", "governance.threshold");
  }
  for (std::size_t i = 0; i < n; ++i) {
    const std::string at = "governance.members[" + std::to_string(i) + "]";
    if (is_zero_address(keys.members[i])) return fail(Code::ZeroRoot, "zero address as governance key", at);
    if (i > 0 && !(keys.members[i - 1] < keys.members[i])) {
      return fail(Code::InvalidArgument, "governance keys must be unique and sorted ascending", at);
    }
  }
  return {};
}

Result<GovernanceKeys> make_governance_keys(std::uint32_t threshold, std::vector<Address> members) {
  std::sort(members.begin(), members.end());
  GovernanceKeys keys{threshold, std::move(members)};
  if (auto ok = validate_governance_keys(keys); !ok) return tl::unexpected(ok.error());
  return keys;
}

Bytes members_bytes(std::span<const Address> members) {
  Bytes out;
  out.reserve(members.size() * 20);
  for (const auto& m : members) out.insert(out.end(), m.begin(), m.end());
  return out;
}

std::string_view action_name(GovAction a) noexcept {
  switch (a) {
    case GovAction::IslandRegister: return "island.register";
    case GovAction::IslandUpdate: return "island.update";
    case GovAction::ChannelOpen: return "channel.open";
    case GovAction::ChannelClose: return "channel.close";
    case GovAction::ClientRecover: return "client.recover";
    case GovAction::CommitteeUpdate: return "committee.update";
  }
  return "unknown";
}

Hash32 governance_digest(GovAction action, std::string_view subject, const Hash32& genesis, std::uint64_t nonce,
                         const Hash32& body_hash) {
  using abi::Type;
  using abi::Value;
  static const Type type = Type::tuple({Type::bytes32(), Type::string(), Type::string(), Type::bytes32(),
                                        Type::uint(64), Type::bytes32()});
  const Value v = Value::tuple({Value::bytes32(packet::tag("causeway.governance.v1")),
                                Value::string(action_name(action)), Value::string(subject),
                                Value::bytes32(genesis), Value::uint(nonce), Value::bytes32(body_hash)});
  const Bytes enc = abi::encode(type, v);
  return keccak256(enc);
}

Status verify_governance(const GovernanceKeys& keys, const Hash32& digest, std::span<const Bytes> signatures) {
  if (signatures.size() > kMaxGovernanceKeys) {
    return fail(Code::TooLarge, "more signatures than governance keys can exist", "signatures");
  }
  std::vector<bool> seen(keys.members.size(), false);
  std::size_t count = 0;
  for (std::size_t i = 0; i < signatures.size(); ++i) {
    const std::string at = "signatures[" + std::to_string(i) + "]";
    auto pk = secp256k1::recover_rsv(digest, signatures[i], secp256k1::LowS::Required);
    if (!pk) return fail(pk.error().code, pk.error().detail, at);
    const Address addr = secp256k1::eth_address(*pk);
    const auto it = std::lower_bound(keys.members.begin(), keys.members.end(), addr);
    if (it == keys.members.end() || *it != addr) {
      return fail(Code::NotValidator, "signature is not from a current governance key", at);
    }
    const auto idx = static_cast<std::size_t>(it - keys.members.begin());
    if (seen[idx]) return fail(Code::DuplicateSeal, "two signatures from one governance key", at);
    seen[idx] = true;
    ++count;
  }
  if (count < keys.threshold) {
    return fail(Code::InsufficientQuorum,
                std::to_string(count) + " of " + std::to_string(keys.threshold) + " required governance signatures");
  }
  return {};
}

Result<Bytes> sign_governance(const Hash32& digest, const secp256k1::SecretKey& key) {
  auto sig = secp256k1::sign_rsv(digest, key);
  if (!sig) return tl::unexpected(sig.error());
  return Bytes(sig->begin(), sig->end());
}

}  // namespace causeway::domain
