// Test support for proof-bundle tests: a small regtest miner, an independent Bitcoin Merkle tree, sample
// transactions and bundle builders. Independent of relay/app (its miner is code under test elsewhere) and of
// the light client's own Merkle code: roots and branches here are computed from the definition (SHA256d of
// left ‖ right, odd levels duplicate their last node), so a bug in the code under test cannot hide itself.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "causeway/bitcoin/header.hpp"
#include "causeway/core/bytes.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/proofs/bundle.hpp"

namespace causeway::proofs::test {

using nlohmann::json;

inline constexpr std::uint32_t kRegtestBits = 0x207fffff;  // regtest pow limit, compact
inline constexpr std::uint32_t kRegtestGenesisTime = 1296688602;
inline constexpr std::int64_t kVerifyTime = 1700000000;  // verify_time_s of every generated bundle
// CAIP-2 ids: bip122 + first 32 hex digits of the genesis hash (display order).
inline const std::string kRegtestIsland = "bip122:0f9188f13cb7b2c71f2a335e3a4fc328";
inline const std::string kMainnetIsland = "bip122:000000000019d6689c085ae165831e93";
inline const std::string kTestnet3Island = "bip122:000000000933ea01ad0ee984209779ba";

inline Hash32 h32(const std::string& hex_display) { return hash_from_hex(hex_display).value().reversed(); }
inline std::string display(const Hash32& internal) { return to_hex(internal.reversed().view()); }
inline Bytes hx(std::string_view s) {
  return (s.starts_with("0x") || s.starts_with("0X")) ? from_hex(s).value() : from_hex_bare(s).value();
}

// ---- Merkle trees, from the definition ---------------------------------------------------------------

inline Hash32 pair_hash(const Hash32& l, const Hash32& r) {
  Bytes b(l.b.begin(), l.b.end());
  b.insert(b.end(), r.b.begin(), r.b.end());
  return sha256d(b);
}

inline Hash32 merkle_root(std::vector<Hash32> level) {
  if (level.empty()) return Hash32{};  // a block without transactions (only in tests)
  while (level.size() > 1) {
    if (level.size() % 2 == 1) level.push_back(level.back());
    std::vector<Hash32> up;
    for (std::size_t i = 0; i < level.size(); i += 2) up.push_back(pair_hash(level[i], level[i + 1]));
    level = up;
  }
  return level.at(0);
}

inline std::vector<Hash32> merkle_branch(std::vector<Hash32> level, std::size_t index) {
  std::vector<Hash32> out;
  while (level.size() > 1) {
    if (level.size() % 2 == 1) level.push_back(level.back());
    out.push_back(level[index ^ 1U]);
    std::vector<Hash32> up;
    for (std::size_t i = 0; i < level.size(); i += 2) up.push_back(pair_hash(level[i], level[i + 1]));
    level = up;
    index >>= 1U;
  }
  return out;
}

// ---- transactions ----------------------------------------------------------------------------------

// A legacy (non-witness) transaction, 69 bytes: version 1, one input (prevout = sha256(seed)), scriptSig of
// 8 seed bytes, one output of `seed` satoshi paying OP_TRUE, locktime 0. txid = SHA256d(raw).
inline Bytes sample_tx(std::uint64_t seed) {
  Bytes tx = {1, 0, 0, 0, 1};
  std::uint8_t s[8];
  write_be64(s, seed);
  append(tx, sha256(ByteView(s, 8)).view());
  append(tx, Bytes{0, 0, 0, 0, 8});  // vout 0, scriptSig length 8
  append(tx, ByteView(s, 8));
  append(tx, Bytes{0xff, 0xff, 0xff, 0xff, 1});  // sequence, one output
  std::uint8_t value[8];
  for (unsigned i = 0; i < 8; ++i) value[i] = static_cast<std::uint8_t>(seed >> (8 * i));
  append(tx, ByteView(value, 8));
  append(tx, Bytes{1, 0x51, 0, 0, 0, 0});  // script OP_TRUE, locktime
  return tx;
}

// ---- regtest mining --------------------------------------------------------------------------------

// Bitcoin Core's regtest genesis header (chainparams.cpp): its hash is 0f9188f1…2206.
inline bitcoin::Header regtest_genesis() {
  bitcoin::Header h;
  h.version = 1;
  h.merkle_root = h32("0x4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b");
  h.time_s = kRegtestGenesisTime;
  h.bits = kRegtestBits;
  h.nonce = 2;
  return h;
}

inline Bytes raw_of(const bitcoin::Header& h) {
  const auto r = bitcoin::encode_header(h);
  return Bytes(r.begin(), r.end());
}
inline Hash32 hash_of(const bitcoin::Header& h) { return sha256d(raw_of(h)); }

// Finds a nonce whose hash meets the regtest limit with margin: top byte (little-endian number's most
// significant) ≤ 0x7e implies hash < 0x7fffff·2^232 whatever the other bytes (≈2 tries per header).
inline void solve(bitcoin::Header& h) {
  for (h.nonce = 0;; ++h.nonce)
    if (hash_of(h).b[31] <= 0x7e) return;
}
// Finds a nonce whose hash FAILS the regtest limit (top byte 0x80 or more).
inline void unsolve(bitcoin::Header& h) {
  for (h.nonce = 0;; ++h.nonce)
    if (hash_of(h).b[31] >= 0x80) return;
}

// Transactions in the k-th mined block of mine_n (k from 1): 3, 1, 4, 2, 5, 3, 1, …
inline std::size_t tx_count_of(std::size_t k) {
  static constexpr std::size_t kCounts[] = {3, 1, 4, 2, 5};
  return kCounts[(k - 1) % 5];
}

struct Block {
  bitcoin::Header header;
  std::uint32_t height = 0;
  std::vector<Bytes> txs;
  std::vector<Hash32> txids;  // internal order
};

// A regtest-difficulty chain: blocks[0] is its root (by default the regtest genesis at height 0, no
// transactions kept); blocks[i] is at height root height + i.
struct RegtestChain {
  std::vector<Block> blocks;

  RegtestChain() { blocks.push_back(Block{regtest_genesis(), 0, {}, {}}); }
  RegtestChain(const bitcoin::Header& root, std::uint32_t height) { blocks.push_back(Block{root, height, {}, {}}); }

  // Mines one block on the tip with `ntx` sample transactions, time tip + 600 s.
  Block& mine(std::size_t ntx) {
    Block b;
    b.height = blocks.back().height + 1;
    for (std::size_t t = 0; t < ntx; ++t) {
      b.txs.push_back(sample_tx((std::uint64_t{b.height} << 16) | t));
      b.txids.push_back(sha256d(b.txs.back()));
    }
    b.header.version = 0x20000000;
    b.header.prev_hash = hash_of(blocks.back().header);
    b.header.merkle_root = merkle_root(b.txids);
    b.header.time_s = blocks.back().header.time_s + 600;
    b.header.bits = kRegtestBits;
    solve(b.header);
    blocks.push_back(std::move(b));
    return blocks.back();
  }
  // Mines `n` blocks with tx counts cycling 3, 1, 4, 2, 5 (odd and even levels both occur).
  void mine_n(std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) mine(tx_count_of(blocks.size()));
  }
  const Block& at(std::uint32_t height) const { return blocks.at(height - blocks.front().height); }
  Block& at(std::uint32_t height) { return blocks.at(height - blocks.front().height); }
  std::uint32_t base_height() const { return blocks.front().height; }
  std::uint32_t tip_height() const { return blocks.back().height; }
  // Drops every block above `height`.
  void truncate(std::uint32_t height) { blocks.resize(height - base_height() + 1); }
};

// ---- bundles ---------------------------------------------------------------------------------------

inline json inclusion_json(std::uint32_t height, const Hash32& txid, std::uint64_t index,
                           const std::vector<Hash32>& branch) {
  json br = json::array();
  for (const auto& s : branch) br.push_back(display(s));
  return json{{"kind", "tx"}, {"height", height}, {"txid", display(txid)}, {"index", index}, {"branch", br}};
}

// A regtest bundle anchored at `anchor_height` with every header after it up to `tip`, proving tx `index`
// of block `height` (with its raw transaction and tx_count).
inline json regtest_bundle(const RegtestChain& c, std::uint32_t height, std::size_t index,
                           std::optional<std::uint32_t> anchor_at = std::nullopt, std::uint32_t min_conf = 1,
                           std::optional<std::uint32_t> tip = std::nullopt) {
  const std::uint32_t anchor_height = anchor_at.value_or(c.base_height());
  const std::uint32_t last = tip.value_or(c.tip_height());
  json headers = json::array();
  for (std::uint32_t h = anchor_height + 1; h <= last; ++h) headers.push_back(to_hex(raw_of(c.at(h).header)));
  const Block& b = c.at(height);
  json inc = inclusion_json(height, b.txids.at(index), index, merkle_branch(b.txids, index));
  inc["tx_count"] = b.txids.size();
  inc["tx"] = to_hex(b.txs.at(index));
  return json{{"version", 1},
              {"family", "bitcoin"},
              {"island", kRegtestIsland},
              {"network", "regtest"},
              {"anchor", {{"height", anchor_height}, {"header", to_hex(raw_of(c.at(anchor_height).header))}}},
              {"headers", headers},
              {"inclusion", inc},
              {"finality", {{"min_confirmations", min_conf}}},
              {"verify_time_s", kVerifyTime}};
}

// ---- verdicts --------------------------------------------------------------------------------------

struct Outcome {
  int exit_code;
  json out;
  std::string code() const { return out.contains("error") ? out["error"]["code"].get<std::string>() : ""; }
  std::string at() const { return out.contains("error") ? out["error"]["at"].get<std::string>() : ""; }
};

inline Outcome run(const std::string& text, const TrustList* trust = nullptr) {
  const Verdict v = verify_bundle(text, trust, kVerifyTime);
  Outcome o{v.exit_code, json::parse(v.output_json)};
  // The verdict's error, when present, is the one printed.
  if (v.error) REQUIRE(o.code() == std::string(code_name(v.error->code)));
  REQUIRE((v.exit_code == 0) == !v.error.has_value());
  REQUIRE(o.out.at("valid").get<bool>() == (v.exit_code == 0));
  return o;
}
inline Outcome run(const json& bundle, const TrustList* trust = nullptr) { return run(bundle.dump(), trust); }

// Where an error must point. PROOF-BUNDLE.md: `at` names the place in the bundle ("headers[17]",
// "inclusion"); a light client's own field may follow as a sub-path ("inclusion.branch[0]", "inclusion.tx",
// "inclusion.proof[1]").
struct At {
  std::string spec;
};

inline void check_at(const std::string& actual, const At& at) {
  CHECK((actual == at.spec || actual.rfind(at.spec + ".", 0) == 0 || actual.rfind(at.spec + "[", 0) == 0));
}

// Asserts a rejection with its exact exit status, code and location.
inline Outcome expect_error(const json& bundle, int exit_code, const std::string& code, const At& at,
                            const TrustList* trust = nullptr) {
  const Outcome o = run(bundle, trust);
  INFO(o.out.dump());
  CHECK(o.exit_code == exit_code);
  CHECK(o.code() == code);
  check_at(o.at(), at);
  return o;
}

// "height N": the light client's location for header and confirmation errors (see At).

// Replaces headers[i] of a bundle.
inline void set_header(json& bundle, std::size_t i, const bitcoin::Header& h) { bundle["headers"][i] = to_hex(raw_of(h)); }
inline bitcoin::Header header_at(const json& bundle, std::size_t i) {
  return bitcoin::decode_header(hx(bundle["headers"][i].get<std::string>())).value();
}

// Sets bit `bit` of byte `byte` of the serialized header headers[i].
inline void flip_header_bit(json& bundle, std::size_t i, std::size_t byte, unsigned bit) {
  Bytes raw = hx(bundle["headers"][i].get<std::string>());
  raw.at(byte) = static_cast<std::uint8_t>(raw.at(byte) ^ (1U << bit));
  bundle["headers"][i] = to_hex(raw);
}

// Header field offsets in the 80-byte serialization.
inline constexpr std::size_t kPrevOff = 4, kRootOff = 36, kTimeOff = 68, kBitsOff = 72, kNonceOff = 76;

}  // namespace causeway::proofs::test
