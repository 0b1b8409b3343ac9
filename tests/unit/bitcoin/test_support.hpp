// Test-only helpers for the Bitcoin light client: a short-period parameter set and a tiny miner.
// These parameters exist only in tests (never in the library).
#pragma once

#include <cstdint>
#include <optional>

#include "causeway/bitcoin/chain.hpp"
#include "causeway/bitcoin/pow.hpp"
#include "causeway/core/hash.hpp"

namespace causeway::bitcoin::test {

inline constexpr std::uint32_t kRegtestLimitBits = 0x207fffff;
inline constexpr std::uint32_t kEasyBits = 0x200fffff;  // 1/16 of regtest's limit: ~16 hashes per header
inline constexpr std::uint32_t kT0 = 1700000000;        // start time of generated chains

// Regtest's pow limit, retarget every 16 blocks, target timespan 16 × 600 s, no genesis check.
inline Params retarget16_params() {
  Params p = regtest_params();
  p.name = "test-retarget16";
  p.genesis_hash = Hash32{};
  p.no_retargeting = false;
  p.allow_min_difficulty_blocks = false;
  p.enforce_bip94 = false;
  p.target_timespan_s = 16 * 600;
  return p;
}
// The same with testnet3's 20-minute rule, and with testnet4's BIP 94 on top.
inline Params testnet3_like_params() {
  Params p = retarget16_params();
  p.name = "test-testnet3-16";
  p.allow_min_difficulty_blocks = true;
  return p;
}
inline Params testnet4_like_params() {
  Params p = testnet3_like_params();
  p.name = "test-testnet4-16";
  p.enforce_bip94 = true;
  return p;
}

// Increments the nonce until the header satisfies its own bits under `params`.
inline Header mine(Header h, const Params& params) {
  while (!check_pow(header_hash(h), h.bits, params)) ++h.nonce;
  return h;
}

inline Hash32 tag_hash(std::uint32_t tag) {
  std::uint8_t b[4];
  write_le32(b, tag);
  return sha256d(ByteView(b, 4));
}

inline Bytes raw_of(const Header& h) {
  const RawHeader r = encode_header(h);
  return Bytes(r.begin(), r.end());
}

// A mined anchor at `height` with bits and time.
inline Anchor make_anchor(const Params& params, std::uint32_t height, std::uint32_t bits, std::uint32_t time_s,
                          std::uint32_t tag = 0) {
  Header h;
  h.version = 4;
  h.merkle_root = tag_hash(0xa0000000u + tag);
  h.time_s = time_s;
  h.bits = bits;
  Anchor a;
  a.height = height;
  a.header = raw_of(mine(h, params));
  return a;
}

// A mined child of `parent` with time `time_s`; bits default to what the chain requires.
inline Header make_child(const HeaderChain& chain, const Hash32& parent, std::uint32_t time_s,
                         std::optional<std::uint32_t> bits = std::nullopt, std::uint32_t tag = 0,
                         std::optional<Hash32> merkle_root = std::nullopt) {
  Header h;
  h.version = 4;
  h.prev_hash = parent;
  h.merkle_root = merkle_root ? *merkle_root : tag_hash(tag ^ time_s ^ 0x5a5a0000u);
  h.time_s = time_s;
  h.bits = bits ? *bits : chain.required_bits(parent, time_s).value();
  return mine(h, chain.params());
}

// Mines and adds a child; returns its hash. Fails the test (via .value()) when rejected.
inline Hash32 extend(HeaderChain& chain, const Hash32& parent, std::uint32_t time_s, std::uint32_t tag = 0) {
  const Header h = make_child(chain, parent, time_s, std::nullopt, tag);
  const Bytes raw = raw_of(h);
  return chain.add_header(raw, time_s).value().hash;
}

}  // namespace causeway::bitcoin::test
