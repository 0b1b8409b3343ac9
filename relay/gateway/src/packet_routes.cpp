// POST /v1/packets: see causeway/gateway/packet_routes.hpp.
#include "causeway/gateway/packet_routes.hpp"

#include <nlohmann/json.hpp>

#include "causeway/core/hex.hpp"

namespace causeway::gateway {

namespace {

nlohmann::json view_json(const engine::PacketView& v) {
  nlohmann::json j = {{"packet_id", v.id_text},
                      {"commitment", to_hex(v.commitment.view())},
                      {"stage", v.stage},
                      {"audit_index", v.verified_index},
                      {"dest_island", v.dest_island},
                      {"existing", v.existing}};
  if (v.attestation)
    j["attestation"] = {{"member", to_hex(ByteView(v.attestation->member.data(), v.attestation->member.size()))},
                        {"audit_index", v.attestation->audit_index},
                        {"signature", to_hex(v.attestation->signature)}};
  return j;
}

}  // namespace

void add_packet_routes(Server& server, engine::Relay& relay) {
  server.route("POST", "/v1/packets", [&relay](const Request& req, Respond respond) {
    if (!req.content_type.empty() && req.content_type.rfind("application/json", 0) != 0) {
      respond(error_response(415, "ERR_INVALID_ARGUMENT", "Content-Type must be application/json"));
      return;
    }
    relay.submit_bundle_async(req.body, [respond = std::move(respond)](Result<engine::PacketView> r) {
      if (!r) {
        respond(error_response(r.error()));
        return;
      }
      respond(Response{r->existing ? 200 : 201, view_json(*r).dump(), "application/json"});
    });
  }, RouteOptions{engine::kMaxBundleBytes});  // a proof bundle may be up to 4 MiB (the default body cap is 1 MiB)
}

}  // namespace causeway::gateway
