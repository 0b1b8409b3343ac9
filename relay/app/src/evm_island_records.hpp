// Governance-signed registration records of an EVM island running the Causeway contracts and of its transfer
// channel (relay/domain island.hpp / channel.hpp; docs/relay-core.md "Running the lifecycle"): what a relay's
// config holds for an anvil island. Shared by `causeway bench e2e` (bench_e2e.cpp) and the EVM lifecycle
// integration test (tests/integration/lifecycle/lifecycle_evm_test.cpp compiles this file in).
//
// Thread-safety: the functions share nothing; `client` is used by the calling thread only.
#pragma once

#include <string_view>

#include "causeway/adapters/common/json_rpc.hpp"
#include "causeway/adapters/ethereum/deploy.hpp"
#include "causeway/core/error.hpp"
#include "causeway/core/secp256k1.hpp"
#include "causeway/domain/channel.hpp"
#include "causeway/domain/island.hpp"

namespace causeway::app {

// The island.register record (nonce 1) of the island whose contracts are `d` (id, genesis and endpoint from the
// deployment): family ethereum, codec `codec`, finality rpc-trusted with 1 confirmation, trusting period 14 days,
// anchored at the chain's current tip (eth_blockNumber, then that block's hash and timestamp, over `client`),
// governed by the one key `gov` (k = 1) and signed by it. Errors: the RPC client's and decoders' (ERR_RPC_*),
// ERR_RPC_RESPONSE (the tip block is missing), the signing error (ERR_CRYPTO_INTERNAL).
Result<domain::SignedIsland> evm_island_record(adapters::JsonRpcClient& client,
                                               const adapters::ethereum::Deployment& d,
                                               const secp256k1::SecretKey& gov, std::string_view codec = "anvil");

// The channel.open record (nonce 2) of `self`'s end of "channel-0" ↔ the counterparty's "channel-0", port
// "transfer" on both ends, unordered, open at `self`'s anchor height (the channel was registered on chain at or
// before the relay's anchor), signed by `gov` over channel_digest(channel.open, spec, self's genesis, 2).
// Errors: the signing error (ERR_CRYPTO_INTERNAL).
Result<domain::SignedChannelRecord> transfer_channel_record(const domain::IslandSpec& self,
                                                            const domain::IslandSpec& other,
                                                            const secp256k1::SecretKey& gov);

}  // namespace causeway::app
