// Test support for the consensus tests: deterministic keys, seals, and headers sealed by those keys (Clique and
// Besu QBFT / IBFT 2.0). Used only where the shared vectors lack a case (votes, larger sets, consecutive headers,
// quorum boundaries, high-S twins, conflicting headers).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "causeway/core/abi.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/secp256k1.hpp"
#include "causeway/ethereum/besu_bft.hpp"
#include "causeway/ethereum/clique.hpp"
#include "causeway/ethereum/header.hpp"

namespace causeway::ethereum::test {

// Key i (i ≥ 1): keccak256("causeway consensus test key" ‖ i) as the secret scalar (valid with overwhelming
// probability; checked).
inline secp256k1::SecretKey test_key(std::uint32_t i) {
  Bytes seed = {'c', 'w', '-', 'k', 'e', 'y'};
  for (int s = 24; s >= 0; s -= 8) seed.push_back(static_cast<std::uint8_t>(i >> s));
  const Hash32 d = keccak256(seed);
  auto sk = secp256k1::parse_secret_key(d.view());
  if (!sk) throw std::runtime_error("bad test key");
  return *sk;
}

inline Address address_of(const secp256k1::SecretKey& sk) {
  return secp256k1::eth_address(secp256k1::public_key_of(sk));
}

struct Signer {
  secp256k1::SecretKey key;
  Address address{};
};

// n signers with keys 1…n (plus `offset`), sorted by address (the order Clique and Besu list them in).
inline std::vector<Signer> make_signers(std::size_t n, std::uint32_t offset = 0) {
  std::vector<Signer> out;
  for (std::uint32_t i = 1; i <= n; ++i) {
    Signer s{test_key(i + offset), {}};
    s.address = address_of(s.key);
    out.push_back(s);
  }
  std::sort(out.begin(), out.end(), [](const Signer& a, const Signer& b) { return a.address < b.address; });
  return out;
}

inline std::vector<Address> addresses(const std::vector<Signer>& s) {
  std::vector<Address> out;
  for (const Signer& x : s) out.push_back(x.address);
  return out;
}

// 65-byte r ‖ s ‖ v (v = recovery id 0/1) over a 32-byte digest, RFC 6979, low S.
inline std::array<std::uint8_t, 65> seal_of(const Hash32& digest, const secp256k1::SecretKey& key) {
  auto sig = secp256k1::sign_recoverable(digest, key);
  if (!sig) throw std::runtime_error("sign failed");
  std::array<std::uint8_t, 65> out{};
  std::copy(sig->sig.rs.begin(), sig->sig.rs.end(), out.begin());
  out[64] = sig->recid;
  return out;
}

// The high-S twin (r, n − s, v ^ 1) of a seal: valid for the same key and digest (A17).
inline std::array<std::uint8_t, 65> high_s_twin(const std::array<std::uint8_t, 65>& seal) {
  static const std::uint8_t kN[32] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                      0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48,
                                      0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
  std::array<std::uint8_t, 65> out = seal;
  int borrow = 0;
  for (int i = 31; i >= 0; --i) {
    int d = kN[i] - seal[static_cast<std::size_t>(32 + i)] - borrow;
    borrow = d < 0 ? 1 : 0;
    out[static_cast<std::size_t>(32 + i)] = static_cast<std::uint8_t>(d + (borrow ? 256 : 0));
  }
  out[64] = static_cast<std::uint8_t>(seal[64] ^ 1);
  return out;
}

inline Hash32 filled(std::uint8_t v) {
  Hash32 h;
  h.b.fill(v);
  return h;
}

// A plain pre-London header with the fields every consensus test needs.
inline Header base_header(std::uint64_t number, const Hash32& parent, std::uint64_t time_s) {
  Header h;
  h.parent_hash = parent;
  h.ommers_hash = empty_ommers_hash();
  h.state_root = filled(0x5a);
  h.transactions_root = empty_trie_root();
  h.receipts_root = empty_trie_root();
  h.number = number;
  h.gas_limit = 30'000'000;
  h.timestamp_s = time_s;
  return h;
}

// ---- Besu BFT -------------------------------------------------------------------------------------------

struct BftSpec {
  bft::Variant variant = bft::Variant::Qbft;
  std::vector<Address> validators;     // listed in the header
  std::optional<bft::Vote> vote;
  std::uint32_t round = 0;
  Address proposer{};
};

// A BFT header (difficulty 1, Besu mixHash, nonce 0) whose extraData lists `spec` and carries seals by `sealers`
// over its committed-seal hash.
inline Header bft_header(const BftSpec& spec, std::uint64_t number, const Hash32& parent, std::uint64_t time_s,
                         const std::vector<secp256k1::SecretKey>& sealers) {
  Header h = base_header(number, parent, time_s);
  h.difficulty = abi::u256_from_u64(1);
  h.mix_hash = bft::expected_mix_hash();
  h.beneficiary = spec.proposer;
  bft::ExtraData e;
  e.vanity.assign(32, 0);
  e.validators = spec.validators;
  e.vote = spec.vote;
  e.round = spec.round;
  h.extra_data = bft::encode_extra(spec.variant, e);
  const Hash32 digest = bft::committed_seal_hash(spec.variant, h).value();
  for (const auto& k : sealers) e.seals.push_back(seal_of(digest, k));
  h.extra_data = bft::encode_extra(spec.variant, e);
  return h;
}

// Replaces the seals of a BFT header.
inline Header with_seals(bft::Variant v, const Header& h, const std::vector<bft::Seal>& seals) {
  bft::ExtraData e = bft::decode_extra(v, h.extra_data).value();
  e.seals = seals;
  Header out = h;
  out.extra_data = bft::encode_extra(v, e);
  return out;
}

inline std::vector<secp256k1::SecretKey> keys_of(const std::vector<Signer>& s, std::size_t count) {
  std::vector<secp256k1::SecretKey> out;
  for (std::size_t i = 0; i < count && i < s.size(); ++i) out.push_back(s[i].key);
  return out;
}

// ---- Clique ---------------------------------------------------------------------------------------------

struct CliqueSpec {
  std::uint8_t difficulty = 2;
  Address coinbase{};
  bool authorize = false;                  // nonce 0xff..ff (true) or 0x00..00
  std::vector<Address> checkpoint_signers; // written into extraData (checkpoints)
};

inline Header clique_header(const CliqueSpec& spec, std::uint64_t number, const Hash32& parent,
                            std::uint64_t time_s, const secp256k1::SecretKey& key) {
  Header h = base_header(number, parent, time_s);
  h.difficulty = abi::u256_from_u64(spec.difficulty);
  h.beneficiary = spec.coinbase;
  if (spec.authorize) h.nonce.fill(0xff);
  h.extra_data.assign(32, 0x11);
  for (const Address& a : spec.checkpoint_signers) h.extra_data.insert(h.extra_data.end(), a.begin(), a.end());
  h.extra_data.resize(h.extra_data.size() + 65, 0);
  const Hash32 digest = clique::seal_hash(h).value();
  const auto seal = seal_of(digest, key);
  std::copy(seal.begin(), seal.end(), h.extra_data.end() - 65);
  return h;
}

}  // namespace causeway::ethereum::test
