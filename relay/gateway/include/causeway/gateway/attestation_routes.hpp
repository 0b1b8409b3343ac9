// Attestation route (issue #7 "A relay committee"; PACKET.md "Attestations"): what a committee member serves its
// peers (engine/peers.hpp fetches it).
//   GET /v1/attestations/{packet-id}     packet-id = domain::to_string(id), "<island>/<genesis>/<channel>/<seq>"
//                                        (percent-encoded characters are decoded)
//   200 {"packet_id", "commitment", "member", "audit_index", "signature"} — THIS relay's own attestation: its
//       member address, the leaf index of its own packet_verified entry, and its 65-byte r ‖ s ‖ v signature
//       over attestation_digest(dest island, dest genesis, dest endpoint, commitment, audit_index)
//   404 ERR_UNKNOWN_PACKET  the packet is unknown here, or this relay has not attested it
//   400 ERR_INVALID_ARGUMENT  a malformed packet id
// Public (no auth): attestations are signatures meant to be published (they go on-chain with the delivery).
// Thread-safety: as Server; the relay is thread-safe.
#pragma once

#include "causeway/engine/relay.hpp"
#include "causeway/gateway/server.hpp"

namespace causeway::gateway {

void add_attestation_routes(Server& server, engine::Relay& relay);

}  // namespace causeway::gateway
