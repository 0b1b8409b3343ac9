// Test-only: a fake Bitcoin Core for a synthetic regtest chain (tests/unit/proofs/bundle_support.hpp RegtestChain),
// answering getblockcount, getblockhash, getblockheader, getblock, getrawtransaction and gettxoutproof in Bitcoin
// Core's documented result formats, with BIP 37 partial Merkle trees built from BIP 37's definition (not with the
// code under test). Used with FakeRpcServer by bitcoin_adapter_test and bitcoin_deposit_test (the relay's source
// watcher taking deposits in through BitcoinAdapter).
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bundle_support.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"

namespace causeway::bitcoin::test {

using causeway::proofs::test::RegtestChain;
using causeway::proofs::test::hash_of;
using causeway::proofs::test::raw_of;
using nlohmann::json;

// ---- BIP 37 partial Merkle tree, from the definition ----------------------------------------------

inline std::size_t width(std::size_t n, int h) { return (n + (std::size_t{1} << h) - 1) >> h; }

inline Hash32 calc_hash(const std::vector<Hash32>& txids, int h, std::size_t pos) {
  if (h == 0) return txids[pos];
  const Hash32 l = calc_hash(txids, h - 1, pos * 2);
  const Hash32 r = pos * 2 + 1 < width(txids.size(), h - 1) ? calc_hash(txids, h - 1, pos * 2 + 1) : l;
  Bytes b(l.b.begin(), l.b.end());
  b.insert(b.end(), r.b.begin(), r.b.end());
  return sha256d(b);
}

inline void build(const std::vector<Hash32>& txids, const std::vector<bool>& match, int h, std::size_t pos,
           std::vector<bool>& bits, std::vector<Hash32>& hashes) {
  bool parent = false;
  for (std::size_t p = pos << h; p < ((pos + 1) << h) && p < txids.size(); ++p) parent = parent || match[p];
  bits.push_back(parent);
  if (h == 0 || !parent) {
    hashes.push_back(calc_hash(txids, h, pos));
    return;
  }
  build(txids, match, h - 1, pos * 2, bits, hashes);
  if (pos * 2 + 1 < width(txids.size(), h - 1)) build(txids, match, h - 1, pos * 2 + 1, bits, hashes);
}

inline void put_compact(Bytes& out, std::size_t n) {
  if (n < 0xfd) {
    out.push_back(static_cast<std::uint8_t>(n));
  } else {
    out.push_back(0xfd);
    out.push_back(static_cast<std::uint8_t>(n));
    out.push_back(static_cast<std::uint8_t>(n >> 8));
  }
}

struct Pmt {
  std::vector<bool> bits;
  std::vector<Hash32> hashes;
  std::uint32_t n = 0;
};

inline Pmt make_pmt(const std::vector<Hash32>& txids, const std::vector<std::size_t>& matched) {
  Pmt p;
  p.n = static_cast<std::uint32_t>(txids.size());
  std::vector<bool> match(txids.size(), false);
  for (auto i : matched) match[i] = true;
  int h = 0;
  while (width(txids.size(), h) > 1) ++h;
  build(txids, match, h, 0, p.bits, p.hashes);
  return p;
}

inline Bytes serialize(ByteView header, const Pmt& p, std::size_t extra_flag_bytes = 0) {
  Bytes out(header.begin(), header.end());
  std::uint8_t n[4];
  write_le32(n, p.n);
  out.insert(out.end(), n, n + 4);
  put_compact(out, p.hashes.size());
  for (const auto& h : p.hashes) out.insert(out.end(), h.b.begin(), h.b.end());
  Bytes flags((p.bits.size() + 7) / 8 + extra_flag_bytes, 0);
  for (std::size_t i = 0; i < p.bits.size(); ++i)
    if (p.bits[i]) flags[i / 8] = static_cast<std::uint8_t>(flags[i / 8] | (1U << (i % 8)));
  put_compact(out, flags.size());
  append(out, flags);
  return out;
}

// A fake Bitcoin Core serving a RegtestChain (Bitcoin Core's documented result formats).
inline json regtest_node(const RegtestChain& c, const std::map<std::string, Bytes>& txs, const std::string& method,
                  const json& params) {
  auto err = [](int code, const std::string& msg) { return json{{"error", {{"code", code}, {"message", msg}}}}; };
  auto by_hash = [&](const std::string& display) -> const causeway::proofs::test::Block* {
    for (const auto& b : c.blocks)
      if (to_hex_bare(hash_of(b.header).reversed().view()) == display) return &b;
    return nullptr;
  };
  if (method == "getblockcount") return json{{"result", c.tip_height()}};
  if (method == "getblockhash") {
    const auto h = params[0].get<std::uint32_t>();
    if (h > c.tip_height()) return err(-8, "Block height out of range");
    return json{{"result", to_hex_bare(hash_of(c.at(h).header).reversed().view())}};
  }
  if (method == "getblockheader") {
    const auto* b = by_hash(params[0].get<std::string>());
    if (b == nullptr) return err(-5, "Block not found");
    return json{{"result", to_hex_bare(raw_of(b->header))}};
  }
  if (method == "getblock") {
    const auto* b = by_hash(params[0].get<std::string>());
    if (b == nullptr) return err(-5, "Block not found");
    Bytes raw = raw_of(b->header);
    raw.push_back(static_cast<std::uint8_t>(b->txs.size()));
    for (const auto& t : b->txs) append(raw, t);
    return json{{"result", to_hex_bare(raw)}};
  }
  if (method == "getrawtransaction") {
    const auto it = txs.find(params[0].get<std::string>());
    if (it == txs.end()) return err(-5, "No such mempool or blockchain transaction");
    return json{{"result", to_hex_bare(it->second)}};
  }
  if (method == "gettxoutproof") {
    const auto* b = by_hash(params[1].get<std::string>());
    if (b == nullptr) return err(-5, "Block not found");
    const std::string want = params[0][0].get<std::string>();
    for (std::size_t i = 0; i < b->txids.size(); ++i)
      if (to_hex_bare(b->txids[i].reversed().view()) == want)
        return json{{"result", to_hex_bare(serialize(raw_of(b->header), make_pmt(b->txids, {i})))}};
    return err(-5, "Not all transactions found in specified or retrieved block");
  }
  return err(-32601, "Method not found");
}


}  // namespace causeway::bitcoin::test
