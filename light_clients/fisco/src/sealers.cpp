#include "causeway/fisco/sealers.hpp"

#include <cstdint>
#include <string>

#include "causeway/bft/suite.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/secp256k1.hpp"

namespace causeway::fisco {

std::string_view version_codec(Version v) noexcept { return v == Version::V2 ? "fisco-bcos/v2" : "fisco-bcos/v3"; }

std::string_view hash_algorithm_name(HashAlgorithm a) noexcept {
  return a == HashAlgorithm::Keccak256 ? "keccak256" : "sm3";
}

Result<HashAlgorithm> parse_hash_algorithm(std::string_view name) {
  if (name == "keccak256") return HashAlgorithm::Keccak256;
  if (name == "sm3") return HashAlgorithm::Sm3;
  return fail(Code::InvalidArgument, "unknown FISCO hash algorithm '" + std::string(name) + "'");
}

Result<Consensus> parse_consensus(std::string_view name) {
  if (name == "pbft") return Consensus::Pbft;
  if (name == "rpbft") return Consensus::Rpbft;
  return fail(Code::InvalidArgument, "unknown FISCO consensus type '" + std::string(name) + "'");
}

Hash32 chain_hash(HashAlgorithm a, ByteView data) {
  return a == HashAlgorithm::Keccak256 ? keccak256(data) : sm3(data);
}

std::uint64_t quorum_weight(std::uint64_t total) noexcept { return total == 0 ? 0 : total - (total - 1) / 3; }

Result<SealerSet> SealerSet::create(Version v, HashAlgorithm a, std::vector<Sealer> sealers) {
  if (sealers.empty()) return fail(Code::InvalidArgument, "a sealer set needs at least one sealer");
  if (sealers.size() > kMaxSealers)
    return fail(Code::TooLarge, "more than " + std::to_string(kMaxSealers) + " sealers");
  SealerSet s;
  s.version_ = v;
  s.algorithm_ = a;
  for (std::size_t i = 0; i < sealers.size(); ++i) {
    const std::string at = "sealers[" + std::to_string(i) + "]";
    const Sealer& x = sealers[i];
    if (x.weight == 0) return fail(Code::InvalidArgument, "a sealer of weight 0 is not a sealer", at);
    if (v == Version::V2 && x.weight != 1)
      return fail(Code::InvalidArgument, "FISCO BCOS v2 sealers all have weight 1", at);
    if (x.weight > static_cast<std::uint64_t>(INT64_MAX)) return fail(Code::Overflow, "weight above 2^63-1", at);
    if (s.total_ > static_cast<std::uint64_t>(INT64_MAX) - x.weight)
      return fail(Code::Overflow, "total weight above 2^63-1", at);
    s.total_ += x.weight;
    for (std::size_t j = 0; j < i; ++j)
      if (sealers[j].node_id == x.node_id)
        return fail(Code::InvalidArgument, "node id listed twice (also at sealers[" + std::to_string(j) + "])", at);
    Bytes key{0x04};
    append(key, x.node_id);
    if (a == HashAlgorithm::Keccak256) {
      if (auto k = secp256k1::parse_public_key(key); !k)
        return fail(Code::PubkeyInvalid, "node id is not a secp256k1 point", at);
    } else if (auto k = bft::check_public_key(bft::Suite::Sm2Sm3, key); !k) {
      return fail(Code::PubkeyInvalid, "node id is not an sm2p256v1 point", at);
    }
  }
  s.sealers_ = std::move(sealers);
  return s;
}

std::optional<std::size_t> SealerSet::index_of(const NodeId& id) const noexcept {
  for (std::size_t i = 0; i < sealers_.size(); ++i)
    if (sealers_[i].node_id == id) return i;
  return std::nullopt;
}

Hash32 SealerSet::hash() const {
  constexpr std::string_view kDomain = "causeway/fisco-sealers/v1";
  Bytes in(kDomain.begin(), kDomain.end());
  const auto n = static_cast<std::uint32_t>(sealers_.size());
  for (int shift = 24; shift >= 0; shift -= 8) in.push_back(static_cast<std::uint8_t>(n >> shift));
  for (const auto& s : sealers_) {
    append(in, s.node_id);
    std::uint8_t w[8];
    write_be64(w, s.weight);
    append(in, ByteView(w, 8));
  }
  return chain_hash(algorithm_, in);
}

}  // namespace causeway::fisco
