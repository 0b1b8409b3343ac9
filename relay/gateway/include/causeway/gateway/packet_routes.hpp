// Packet routes (issue #5): POST /v1/packets — body: one proof bundle (PROOF-BUNDLE.md) of a sent packet.
// The relay verifies it (A03 anchor, light client, family plug-in), records and attests it, and answers only
// after the COMMIT that holds it:
//   201 {"packet_id", "commitment", "stage", "audit_index", "existing": false, "attestation": {…}}  new
//   200 the same shape with "existing": true                                                         known
//   4xx/5xx {"error": {"code", "message", "details"}}
// Thread-safety: as Server; the relay is thread-safe.
#pragma once

#include "causeway/engine/relay.hpp"
#include "causeway/gateway/server.hpp"

namespace causeway::gateway {

void add_packet_routes(Server& server, engine::Relay& relay);

}  // namespace causeway::gateway
