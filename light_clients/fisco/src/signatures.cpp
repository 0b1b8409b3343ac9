#include "causeway/fisco/signatures.hpp"

#include <algorithm>
#include <string>

#include "causeway/bft/suite.hpp"
#include "causeway/core/secp256k1.hpp"

namespace causeway::fisco {

Status verify_sealer_signature(Version v, HashAlgorithm a, const NodeId& node_id, const Hash32& header_hash,
                               ByteView signature) {
  Bytes key{0x04};
  append(key, node_id);
  if (a == HashAlgorithm::Sm3) {
    if (v == Version::V2)
      return fail(Code::Unsupported,
                  "FISCO BCOS v2 SM2 signature layout is not confirmed by real data (believed r||s||pub)");
    if (signature.size() != kSm2SignatureSize) return fail(Code::BadLength, "SM2 signature is not 64 bytes r||s");
    return bft::verify_signature(bft::Suite::Sm2Sm3, key, header_hash.view(), signature);
  }
  if (signature.size() != kSecp256k1SignatureSize)
    return fail(Code::BadLength, "secp256k1 signature is not 65 bytes r||s||v");
  if (signature[64] > 1) return fail(Code::SigEncoding, "recovery id v is not 0 or 1");
  auto pk = secp256k1::parse_public_key(key);
  if (!pk) return fail(Code::PubkeyInvalid, "node id is not a secp256k1 point");
  auto recovered = secp256k1::recover_rsv(header_hash, signature, secp256k1::LowS::Allowed);
  if (!recovered) return tl::unexpected(recovered.error());
  if (!(*recovered == *pk)) return fail(Code::SigInvalid, "signature recovers to another key than the sealer's");
  return {};
}

Result<Tally> verify_signature_list(const SealerSet& set, const Hash32& header_hash,
                                    std::span<const SealerSignature> signatures) {
  if (signatures.size() > 2 * set.size())
    return fail(Code::TooLarge, std::to_string(signatures.size()) + " signatures for " +
                                    std::to_string(set.size()) + " sealers");
  Tally t;
  t.total_weight = set.total_weight();
  t.quorum = set.quorum();
  for (std::size_t i = 0; i < signatures.size(); ++i) {
    const std::string at = "signatures[" + std::to_string(i) + "]";
    const auto& s = signatures[i];
    if (s.index >= set.size())
      return fail(Code::NotValidator,
                  "sealer index " + std::to_string(s.index) + " outside the " + std::to_string(set.size()) +
                      "-sealer list",
                  at);
    auto ok = verify_sealer_signature(set.version(), set.hash_algorithm(), set.at(s.index).node_id, header_hash,
                                      s.signature);
    if (!ok) {
      Error e = ok.error();
      e.detail = "sealer " + std::to_string(s.index) + ": " + e.detail;
      e.at = at;
      return tl::unexpected(std::move(e));
    }
    if (std::find(t.signers.begin(), t.signers.end(), s.index) != t.signers.end()) {
      t.repeated_index = true;  // counted once
      continue;
    }
    t.signers.push_back(s.index);
    t.signed_weight += set.at(s.index).weight;  // ≤ total ≤ INT64_MAX: no overflow
  }
  std::sort(t.signers.begin(), t.signers.end());
  return t;
}

Status check_quorum(const Tally& t) {
  if (t.quorum != 0 && t.signed_weight >= t.quorum) return {};
  const std::string counts = "distinct signers carry weight " + std::to_string(t.signed_weight) + " of " +
                             std::to_string(t.total_weight) + ", quorum " + std::to_string(t.quorum);
  if (t.repeated_index)
    return fail(Code::DuplicateSeal, "a sealer index is repeated and counted once: " + counts, "signatures");
  return fail(Code::InsufficientQuorum, counts, "signatures");
}

}  // namespace causeway::fisco
