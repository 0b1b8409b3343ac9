// Test support: JSON block objects (ethereumjs test data and JSON-RPC eth_getBlockBy* results) → typed
// ethereum::Header. Light clients take typed values (DESIGN.md §3); this conversion is test-only (the
// production JSON-RPC decoder belongs in adapters/ethereum). Throws on malformed vectors (the test fails).
#pragma once

#include <concepts>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "causeway/core/hex.hpp"
#include "causeway/ethereum/header.hpp"

namespace causeway::ethereum::test {

inline Bytes hex_bytes(const std::string& s) {
  auto b = from_hex(s);
  if (!b) throw std::runtime_error("bad hex in vector: " + s);
  return *b;
}

inline Hash32 hex_hash(const std::string& s) {
  auto h = hash_from_hex(s);
  if (!h) throw std::runtime_error("bad 32-byte hex in vector: " + s);
  return *h;
}

template <std::size_t N>
std::array<std::uint8_t, N> hex_fixed(const std::string& s) {
  const Bytes b = hex_bytes(s);
  if (b.size() != N) throw std::runtime_error("expected " + std::to_string(N) + " bytes: " + s);
  std::array<std::uint8_t, N> out{};
  std::copy(b.begin(), b.end(), out.begin());
  return out;
}

// The same from a JSON string value (templates constrained to json, so string literals pick the above).
template <class J>
  requires std::same_as<J, nlohmann::json>
Bytes hex_bytes(const J& j) {
  return hex_bytes(j.template get<std::string>());
}
template <class J>
  requires std::same_as<J, nlohmann::json>
Hash32 hex_hash(const J& j) {
  return hex_hash(j.template get<std::string>());
}
template <std::size_t N, class J>
  requires std::same_as<J, nlohmann::json>
std::array<std::uint8_t, N> hex_fixed(const J& j) {
  return hex_fixed<N>(j.template get<std::string>());
}

// A quantity: JSON integer, "0x…" hex quantity (RPC style; "0x0" allowed) or decimal string, as 32 big-endian
// bytes.
inline U256 quantity_u256(const nlohmann::json& j) {
  U256 out{};
  if (j.is_number_unsigned() || j.is_number_integer()) {
    std::uint64_t v = j.get<std::uint64_t>();
    for (std::size_t i = 0; i < 8; ++i) out[31 - i] = static_cast<std::uint8_t>(v >> (8 * i));
    return out;
  }
  std::string s = j.get<std::string>();
  if (s.rfind("0x", 0) != 0) {  // a decimal string (web3.js prints difficulty this way)
    if (s.empty()) throw std::runtime_error("empty quantity");
    for (char c : s) {
      if (c < '0' || c > '9') throw std::runtime_error("quantity neither 0x-hex nor decimal: " + s);
      unsigned carry = static_cast<unsigned>(c - '0');
      for (std::size_t i = 32; i-- > 0;) {
        const unsigned v = out[i] * 10u + carry;
        out[i] = static_cast<std::uint8_t>(v & 0xff);
        carry = v >> 8;
      }
      if (carry != 0) throw std::runtime_error("quantity above 256 bits: " + s);
    }
    return out;
  }
  s = s.substr(2);
  if (s.size() > 64) throw std::runtime_error("quantity above 256 bits");
  if (s.size() % 2 != 0) s.insert(s.begin(), '0');
  const Bytes b = s.empty() ? Bytes{} : hex_bytes("0x" + s);
  std::copy(b.begin(), b.end(), out.begin() + static_cast<std::ptrdiff_t>(32 - b.size()));
  return out;
}

inline std::uint64_t quantity_u64(const nlohmann::json& j) {
  const U256 v = quantity_u256(j);
  for (std::size_t i = 0; i < 24; ++i)
    if (v[i] != 0) throw std::runtime_error("quantity above 64 bits");
  std::uint64_t out = 0;
  for (std::size_t i = 24; i < 32; ++i) out = (out << 8) | v[i];
  return out;
}

// The first of `names` that the object holds.
inline const nlohmann::json& field(const nlohmann::json& o, std::initializer_list<const char*> names) {
  for (const char* n : names)
    if (o.contains(n)) return o.at(n);
  throw std::runtime_error(std::string("vector lacks field ") + *names.begin());
}

// Accepts both ethereumjs names (uncleHash, coinbase, transactionsTrie, receiptTrie, bloom) and JSON-RPC names
// (sha3Uncles, miner, transactionsRoot, receiptsRoot, logsBloom); addresses may be mixed-case (EIP-55).
inline Header header_from_json(const nlohmann::json& o) {
  Header h;
  h.parent_hash = hex_hash(field(o, {"parentHash"}));
  h.ommers_hash = hex_hash(field(o, {"sha3Uncles", "uncleHash", "ommersHash"}));
  h.beneficiary = hex_fixed<20>(field(o, {"miner", "coinbase"}));
  h.state_root = hex_hash(field(o, {"stateRoot"}));
  h.transactions_root = hex_hash(field(o, {"transactionsRoot", "transactionsTrie"}));
  h.receipts_root = hex_hash(field(o, {"receiptsRoot", "receiptTrie"}));
  h.logs_bloom = hex_fixed<256>(field(o, {"logsBloom", "bloom"}));
  h.difficulty = quantity_u256(field(o, {"difficulty"}));
  h.number = quantity_u64(field(o, {"number"}));
  h.gas_limit = quantity_u64(field(o, {"gasLimit"}));
  h.gas_used = quantity_u64(field(o, {"gasUsed"}));
  h.timestamp_s = quantity_u64(field(o, {"timestamp"}));
  h.extra_data = hex_bytes(field(o, {"extraData"}));
  h.mix_hash = hex_hash(field(o, {"mixHash", "prevRandao"}));
  h.nonce = hex_fixed<8>(field(o, {"nonce"}));
  if (o.contains("baseFeePerGas")) h.base_fee_per_gas = quantity_u256(o.at("baseFeePerGas"));
  if (o.contains("withdrawalsRoot")) h.withdrawals_root = hex_hash(o.at("withdrawalsRoot"));
  if (o.contains("blobGasUsed")) h.blob_gas_used = quantity_u64(o.at("blobGasUsed"));
  if (o.contains("excessBlobGas")) h.excess_blob_gas = quantity_u64(o.at("excessBlobGas"));
  if (o.contains("parentBeaconBlockRoot")) h.parent_beacon_block_root = hex_hash(o.at("parentBeaconBlockRoot"));
  if (o.contains("requestsHash")) h.requests_hash = hex_hash(o.at("requestsHash"));
  return h;
}

}  // namespace causeway::ethereum::test
