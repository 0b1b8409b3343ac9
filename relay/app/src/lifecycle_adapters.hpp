// `causeway serve`'s real chain adapters (the composition root names the concrete adapters; DESIGN.md §3):
// one adapter per [[adapters.islands]] entry of the relay config (engine/config.hpp "Packet lifecycle"),
// built from its kind ("devnet": adapters/devnet over the node's JSON-RPC; "evm": adapters/ethereum with the
// island's registered endpoint contract), its RPC URLs and its submitter key file (64 hex digits, mode 0600 —
// the same rules as the attestation key). docs/relay-core.md "Running the lifecycle".
#pragma once

#include <memory>

#include "causeway/adapters/chain_adapter.hpp"
#include "causeway/core/error.hpp"
#include "causeway/engine/config.hpp"
#include "causeway/engine/relay.hpp"

namespace causeway::app {

// A new adapter instance (each worker thread needs its own). Errors: ERR_INVALID_ARGUMENT (no RPC URL, an
// unregistered island, an EVM endpoint that is not 20 bytes), ERR_IO / ERR_KEY_PERMISSIONS (key file), the
// adapters' connect errors (ERR_RPC_*, ERR_ISLAND_MISMATCH).
Result<std::shared_ptr<adapters::ChainAdapter>> make_island_adapter(const engine::IslandAdapterSettings& s,
                                                                    const engine::RelayConfig& config);

}  // namespace causeway::app
