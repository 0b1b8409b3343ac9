// `causeway serve`'s real chain adapters (the composition root names the concrete adapters; DESIGN.md §3):
// one adapter per [[adapters.islands]] entry of the relay config (engine/config.hpp "Packet lifecycle"),
// built from its kind ("devnet": adapters/devnet over the node's JSON-RPC; "evm": adapters/ethereum with the
// island's registered endpoint contract; "bitcoin": adapters/bitcoin over Bitcoin Core's JSON-RPC, a source of
// deposits only — network from the island id, deposit script and routes from the registration, confirmations from
// its finality, HTTP Basic credentials from rpc_cookie_file or rpc_user + rpc_password_file, bundles carrying the
// headers up to the node's tip), its RPC URLs and its submitter key file (64 hex digits, mode 0600 — the same rules
// as the attestation key). docs/relay-core.md "Running the lifecycle", docs/configuration.md.
#pragma once

#include <memory>

#include "causeway/adapters/chain_adapter.hpp"
#include "causeway/core/error.hpp"
#include "causeway/engine/config.hpp"
#include "causeway/engine/relay.hpp"

namespace causeway::app {

// A new adapter instance (each worker thread needs its own). Errors: ERR_INVALID_ARGUMENT (no RPC URL, an
// unregistered island, an EVM endpoint that is not 20 bytes, missing Bitcoin Core credentials or an empty password
// file), ERR_IO / ERR_KEY_PERMISSIONS (key file; the Bitcoin password file, which must be mode 0600), the cookie
// reader's errors, ERR_UNKNOWN_NETWORK (a bitcoin adapter for an island that is no Bitcoin network's), the
// adapters' connect errors (ERR_RPC_*, ERR_ISLAND_MISMATCH). Error texts name the files, never a password.
Result<std::shared_ptr<adapters::ChainAdapter>> make_island_adapter(const engine::IslandAdapterSettings& s,
                                                                    const engine::RelayConfig& config);

}  // namespace causeway::app
