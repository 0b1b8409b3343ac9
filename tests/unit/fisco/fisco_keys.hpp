// Deterministic sealer keys and signed FISCO BCOS blocks for tests (secp256k1 for Keccak-256 chains, SM2 for SM3
// chains). Signatures are made here from core's primitives over the header hash the library computes; the unit tests
// check the rules around them, the vector tests check the hashes against real chain data.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "causeway/core/secp256k1.hpp"
#include "causeway/core/sm2.hpp"
#include "causeway/fisco/header.hpp"
#include "causeway/fisco/sealers.hpp"

namespace causeway::fisco::test {

struct Key {
  Bytes secret;
  NodeId id{};
};

inline Key make_key(HashAlgorithm a, std::uint8_t seed) {
  Key k;
  k.secret.assign(32, 0x11);
  k.secret[31] = seed;
  if (a == HashAlgorithm::Keccak256) {
    auto sk = secp256k1::parse_secret_key(k.secret).value();
    const auto pub = secp256k1::serialize_uncompressed(secp256k1::public_key_of(sk));
    std::copy(pub.begin() + 1, pub.end(), k.id.begin());
  } else {
    const auto pub = sm2::public_key_of(k.secret).value();
    std::copy(pub.begin() + 1, pub.end(), k.id.begin());
  }
  return k;
}

inline std::vector<Key> make_keys(HashAlgorithm a, std::size_t n, std::uint8_t first_seed = 1) {
  std::vector<Key> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(make_key(a, static_cast<std::uint8_t>(first_seed + i)));
  return out;
}

// secp256k1: r ‖ s ‖ v (v = recovery id 0/1) over the raw hash; SM2: r ‖ s with the hash as the message.
inline Bytes sign(HashAlgorithm a, const Key& k, const Hash32& h) {
  if (a == HashAlgorithm::Keccak256) {
    auto sk = secp256k1::parse_secret_key(k.secret).value();
    auto s = secp256k1::sign_recoverable(h, sk).value();
    Bytes out(s.sig.rs.begin(), s.sig.rs.end());
    out.push_back(s.recid);
    return out;
  }
  auto s = sm2::sign(h.view(), k.secret).value();
  return Bytes(s.begin(), s.end());
}

inline std::vector<NodeId> ids(const std::vector<Key>& keys) {
  std::vector<NodeId> out;
  for (const auto& k : keys) out.push_back(k.id);
  return out;
}

inline SealerSet set_of(Version v, HashAlgorithm a, const std::vector<Key>& keys,
                        const std::vector<std::uint64_t>& weights = {}) {
  std::vector<Sealer> s;
  for (std::size_t i = 0; i < keys.size(); ++i) s.push_back(Sealer{keys[i].id, weights.empty() ? 1 : weights[i]});
  return SealerSet::create(v, a, s).value();
}

inline Hash32 filled(std::uint8_t b) {
  Hash32 h;
  h.b.fill(b);
  return h;
}

// A v2 block at `number` on `parent`, sealed by `keys`, signed by the sealers at `signer_indices`.
inline BlockV2 v2_block(HashAlgorithm a, std::uint64_t number, const Hash32& parent, const std::vector<Key>& keys,
                        const std::vector<std::uint64_t>& signer_indices, std::uint64_t time_ms = 1'650'000'000'000) {
  BlockV2 b;
  auto& h = b.header;
  h.parent_hash = parent;
  h.state_root = filled(0x51);
  h.transactions_root = filled(0x52);
  h.receipts_root = filled(0x53);
  h.db_hash = filled(0x54);
  h.logs_bloom.assign(kLogsBloomSize, 0);
  h.number = number;
  h.gas_limit = {};
  h.gas_used = {0x01, 0x00};
  h.timestamp_ms = time_ms;
  h.sealer = 0;
  h.sealer_list = ids(keys);
  b.hash = header_hash_v2(h, a).value();
  for (auto i : signer_indices) b.signatures.push_back(SealerSignature{i, sign(a, keys.at(i), b.hash)});
  return b;
}

// A v3 block at `number` on (number − 1, parent), sealed by `keys` with `weights`, signed at `signer_indices`.
inline BlockV3 v3_block(HashAlgorithm a, std::uint64_t number, const Hash32& parent, const std::vector<Key>& keys,
                        const std::vector<std::uint64_t>& weights, const std::vector<std::uint64_t>& signer_indices,
                        std::uint64_t time_ms = 1'680'000'000'000) {
  BlockV3 b;
  auto& h = b.header;
  h.version = 0x03030000;
  h.parents = {ParentInfo{number - 1, parent}};
  h.txs_root = filled(0x61);
  h.receipts_root = filled(0x62);
  h.state_root = filled(0x63);
  h.number = number;
  h.gas_used = "24363";
  h.timestamp_ms = time_ms;
  h.sealer = 1;
  h.sealer_list = ids(keys);
  h.consensus_weights = weights;
  b.hash = header_hash_v3(h, a).value();
  for (auto i : signer_indices) b.signatures.push_back(SealerSignature{i, sign(a, keys.at(i), b.hash)});
  return b;
}

}  // namespace causeway::fisco::test
