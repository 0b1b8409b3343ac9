#include "regtest_miner.hpp"

#include "causeway/bitcoin/pow.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/merkle/bitcoin_merkle.hpp"

namespace causeway::app {

bitcoin::RawHeader regtest_genesis() {
  bitcoin::Header h;
  h.version = 1;
  // Genesis merkle root 4a5e1e4b…a33b (display order), stored in internal order.
  static const std::uint8_t root_display[32] = {
      0x4a, 0x5e, 0x1e, 0x4b, 0xaa, 0xb8, 0x9f, 0x3a, 0x32, 0x51, 0x8a, 0x88, 0xc3, 0x1b, 0xc8, 0x7f,
      0x61, 0x8f, 0x76, 0x67, 0x3e, 0x2c, 0xc7, 0x7a, 0xb2, 0x12, 0x7b, 0x7a, 0xfd, 0xed, 0xa3, 0x3b};
  h.merkle_root = Hash32::from(ByteView(root_display, 32)).reversed();
  h.time_s = 1296688602;
  h.bits = 0x207fffff;
  h.nonce = 2;
  return bitcoin::encode_header(h);
}

Bytes sample_transaction(std::uint64_t seed) {
  Bytes tx;
  const std::uint8_t version[4] = {2, 0, 0, 0};
  append(tx, version);
  tx.push_back(1);  // one input
  std::uint8_t seed_bytes[8];
  write_be64(seed_bytes, seed);
  append(tx, sha256(seed_bytes).view());  // previous txid
  const std::uint8_t prevout_and_script[] = {0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};  // vout 0, empty script, seq
  append(tx, prevout_and_script);
  tx.push_back(1);  // one output, value 0, OP_RETURN <8 bytes of seed>
  const std::uint8_t value[8] = {};
  append(tx, value);
  tx.push_back(10);
  tx.push_back(0x6a);
  tx.push_back(8);
  append(tx, seed_bytes);
  const std::uint8_t locktime[4] = {};
  append(tx, locktime);
  return tx;
}

std::vector<MinedBlock> mine_regtest(const bitcoin::Params& params, const bitcoin::RawHeader& parent,
                                     std::size_t count, std::size_t txs_per_block) {
  std::vector<MinedBlock> out;
  out.reserve(count);
  auto prev = *bitcoin::decode_header(parent);
  Hash32 prev_hash = bitcoin::header_hash(parent);
  const auto target = *bitcoin::target_from_bits(prev.bits, params.pow_limit);
  for (std::size_t i = 0; i < count; ++i) {
    MinedBlock block;
    for (std::size_t t = 0; t < txs_per_block; ++t) {
      block.txs.push_back(sample_transaction((static_cast<std::uint64_t>(i) << 16) | t));
      block.txids.push_back(sha256d(block.txs.back()));
    }
    bitcoin::Header h;
    h.version = 0x20000000;
    h.prev_hash = prev_hash;
    if (txs_per_block > 0) {
      h.merkle_root = merkle::bitcoin_merkle_root(block.txids).root;
    } else {
      std::uint8_t seed[8];
      write_be64(seed, i + 1);
      h.merkle_root = sha256d(seed);
    }
    h.time_s = prev.time_s + 600;
    h.bits = prev.bits;
    for (h.nonce = 0;; ++h.nonce) {
      block.header = bitcoin::encode_header(h);
      if (bitcoin::U256::from_le(bitcoin::header_hash(block.header)) <= target) break;
    }
    prev_hash = bitcoin::header_hash(block.header);
    prev = h;
    out.push_back(std::move(block));
  }
  return out;
}

}  // namespace causeway::app
