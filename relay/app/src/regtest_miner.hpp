// Mines regtest header chains on the spot (regtest's pow limit makes each header cost ~2 hashes), for
// `causeway bitcoin regtest-sample`, the benches and the quickstart when no real data is present.
// Not thread-safe per call object; the functions are reentrant.
#pragma once

#include <cstdint>
#include <vector>

#include "causeway/bitcoin/header.hpp"
#include "causeway/bitcoin/params.hpp"
#include "causeway/core/bytes.hpp"

namespace causeway::app {

// The regtest genesis header (Bitcoin Core chainparams: time 1296688602, bits 0x207fffff, nonce 2).
bitcoin::RawHeader regtest_genesis();

// A small, well-formed (non-spending) transaction: version 2, one input spending `seed`'s hash, one
// OP_RETURN output. 70 bytes, never 64, so SPV checks accept its txid = SHA256d(raw).
Bytes sample_transaction(std::uint64_t seed);

struct MinedBlock {
  bitcoin::RawHeader header;
  std::vector<Bytes> txs;        // raw transactions (empty when mined without transactions)
  std::vector<Hash32> txids;     // internal order
};

// Mines `count` headers after `parent` (time parent+600·i, bits = pow limit) with `txs_per_block` sample
// transactions each (0: the merkle root is a per-height hash, no transactions kept).
// Precondition: params.no_retargeting or count below the next retarget (regtest use only).
std::vector<MinedBlock> mine_regtest(const bitcoin::Params& params, const bitcoin::RawHeader& parent,
                                     std::size_t count, std::size_t txs_per_block);

}  // namespace causeway::app
