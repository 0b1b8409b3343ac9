// Packet query routes: see causeway/gateway/api_routes.hpp and docs/api.md "Packets".
#include "route_util.hpp"

namespace causeway::gateway {

using nlohmann::json;
using namespace detail;

namespace {

void get_packet(ApiContext& ctx, const store::PacketKey& key, const Respond& respond) {
  std::optional<store::PacketRow> row;
  std::vector<store::AttestationRow> atts;
  auto s = ctx.reads->with([&](store::ReadQueries& q) {
    row = q.packet(key);
    if (row) atts = q.attestations(row->row);
  });
  if (!s) return respond(store_failure(s.error()));
  if (!row) return respond(error_response(Error{Code::UnknownPacket, "no packet " + packet_id_text(key), "packet_id"}));
  json j = packet_json(*row);
  json a = json::array();
  for (const auto& at : atts) a.push_back(attestation_json(at));
  j["attestations"] = std::move(a);
  respond(json_response(200, j));
}

}  // namespace

void add_packet_query_routes(Server& server, std::shared_ptr<ApiContext> ctx) {
  // GET /v1/packets?channel=<island>/<channel>&after=<seq>&limit=<1..500>
  add_route(server, *ctx, "GET", "/v1/packets", [ctx](const Request& req, Respond respond) {
    auto channel = query_param(req.target, "channel");
    auto after = query_param(req.target, "after");
    auto limit = query_param(req.target, "limit");
    for (const auto* p : {&channel, &after, &limit})
      if (!*p) return respond(error_response(p->error()));
    if (!*channel)
      return respond(error_response(Error{Code::InvalidArgument, "query parameter channel=<island>/<channel> is required",
                                          "channel"}));
    auto ref = parse_channel_ref(**channel);
    if (!ref) return respond(error_response(ref.error()));
    std::uint64_t after_v = 0, limit_v = 100;
    if (*after) {
      auto v = parse_u64(**after, "after");
      if (!v) return respond(error_response(v.error()));
      after_v = *v;
    }
    if (*limit) {
      auto v = parse_u64(**limit, "limit");
      if (!v) return respond(error_response(v.error()));
      if (*v == 0 || *v > store::kMaxPacketPage)
        return respond(error_response(Error{Code::InvalidArgument, "limit must be 1..500", "limit"}));
      limit_v = *v;
    }
    std::vector<store::PacketRow> rows;
    if (auto s = ctx->reads->with([&](store::ReadQueries& q) {
          rows = q.packets_by_channel(ref->first, ref->second, after_v, static_cast<std::size_t>(limit_v));
        });
        !s)
      return respond(store_failure(s.error()));
    json arr = json::array();
    for (const auto& r : rows) arr.push_back(packet_json(r));
    json out = {{"channel", ref->first + "/" + ref->second},
                {"packets", arr},
                {"next_after", rows.size() == limit_v ? json(rows.back().sequence) : json(nullptr)}};
    respond(json_response(200, out));
  });
  // GET /v1/packets/<packet-id>
  add_route(server, *ctx, "GET", "/v1/packets/", [ctx](const Request& req, Respond respond) {
    auto tail = url_decode(target_path(req.target).substr(std::string("/v1/packets/").size()));
    if (!tail) return respond(error_response(tail.error()));
    auto key = parse_packet_key(split(*tail, '/'));
    if (!key) return respond(error_response(key.error()));
    get_packet(*ctx, *key, respond);
  });
  // POST /v1/packets/<packet-id>/retry | /clear (operator; body {"operator"?, "reason"?}; audit operator_action).
  //   retry: this packet's delivery is due now (Relay::retry_packet).
  //   clear: every non-terminal packet sent on this packet's source channel end is due now (Relay::clear_channel).
  add_route(server, *ctx, "POST", "/v1/packets/", [ctx](const Request& req, Respond respond) {
    auto tail = url_decode(target_path(req.target).substr(std::string("/v1/packets/").size()));
    if (!tail) return respond(error_response(tail.error()));
    auto parts = split(*tail, '/');
    if (parts.size() != 5 || (parts[4] != "retry" && parts[4] != "clear"))
      return respond(error_response(404, "ERR_INVALID_ARGUMENT", "no route POST " + target_path(req.target)));
    const std::string action = parts[4];
    parts.pop_back();
    auto key = parse_packet_key(parts);
    if (!key) return respond(error_response(key.error()));
    auto action_req = operator_action_request(*ctx, req);
    if (!action_req) return respond(error_response(action_req.error()));
    const std::string op = action_req->operator_id;
    const std::string reason = action_req->reason;
    const domain::PacketId id{key->source_island, key->source_genesis, key->source_channel, key->sequence};
    if (action == "retry") {
      auto r = ctx->relay.retry_packet(id, op, reason);
      if (!r) return respond(error_response(r.error()));
      return respond(json_response(200, json{{"packet_id", packet_id_text(*key)}, {"action", "packet_retry"},
                                             {"audit_index", *r}}));
    }
    auto r = ctx->relay.clear_channel(domain::ChannelKey{key->source_island, key->source_channel}, op, reason);
    if (!r) return respond(error_response(r.error()));
    respond(json_response(200, json{{"packet_id", packet_id_text(*key)},
                                    {"action", "packet_clear"},
                                    {"channel", key->source_island + "/" + key->source_channel},
                                    {"packets", r->second},
                                    {"audit_index", r->first}}));
  });
}

}  // namespace causeway::gateway
