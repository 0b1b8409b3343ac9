// GET /v1/proofs/<packet-id>: the proof bundle stored beside the packet's packet_verified audit entry
// (docs/api.md "Proofs"; docs/audit-log.md): {"packet_id", "verified_index", "bundle": <the bundle object as
// accepted>}; `causeway proof get` writes "bundle" out for `causeway proof verify`.
#include "route_util.hpp"

namespace causeway::gateway {

using nlohmann::json;
using namespace detail;

void add_proof_routes(Server& server, std::shared_ptr<ApiContext> ctx) {
  add_route(server, *ctx, "GET", "/v1/proofs/", [ctx](const Request& req, Respond respond) {
    auto tail = url_decode(target_path(req.target).substr(std::string("/v1/proofs/").size()));
    if (!tail) return respond(error_response(tail.error()));
    auto key = parse_packet_key(split(*tail, '/'));
    if (!key) return respond(error_response(key.error()));
    std::optional<store::PacketRow> row;
    std::optional<std::string> bundle;
    auto s = ctx->reads->with([&](store::ReadQueries& q) {
      row = q.packet(*key);
      if (row) bundle = q.bundle_at(row->verified_index);
    });
    if (!s) return respond(store_failure(s.error()));
    if (!row)
      return respond(error_response(Error{Code::UnknownPacket, "no packet " + packet_id_text(*key), "packet_id"}));
    if (!bundle)
      return respond(error_response(Error{Code::UnknownPacket,
                                          "no bundle stored at audit index " + std::to_string(row->verified_index),
                                          "packet_id"}));
    json b = json::parse(*bundle, nullptr, false);
    if (b.is_discarded()) return respond(error_response(500, "ERR_STORE_INTEGRITY", "stored bundle is not JSON"));
    respond(json_response(200, json{{"packet_id", packet_id_text(*key)},
                                    {"verified_index", row->verified_index},
                                    {"bundle", std::move(b)}}));
  });
}

}  // namespace causeway::gateway
