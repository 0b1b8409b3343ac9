// Channel routes: see causeway/gateway/api_routes.hpp and docs/api.md "Channels".
#include "causeway/engine/config.hpp"
#include "causeway/gateway/json_body.hpp"
#include "route_util.hpp"

namespace causeway::gateway {

using nlohmann::json;
using namespace detail;

namespace {

// channel_json with the end's state as the relay holds it ("open", "closed", "halted").
json channel_state_json(const ApiContext& ctx, const store::ChannelRow& r) {
  json j = channel_json(r);
  auto st = ctx.relay.channel_status(domain::ChannelKey{r.island, r.channel});
  j["state"] = st ? json(st->state) : json(nullptr);
  return j;
}

}  // namespace

void add_channel_routes(Server& server, std::shared_ptr<ApiContext> ctx) {
  // GET /v1/channels[?island=<id>]
  add_route(server, *ctx, "GET", "/v1/channels", [ctx](const Request& req, Respond respond) {
    auto island = query_param(req.target, "island");
    if (!island) return respond(error_response(island.error()));
    if (*island) {
      if (auto s = domain::validate_island_id(**island, "island"); !s) return respond(error_response(s.error()));
    }
    std::vector<store::ChannelRow> rows;
    if (auto s = ctx->reads->with([&](store::ReadQueries& q) { rows = q.channels(island->value_or("")); }); !s)
      return respond(store_failure(s.error()));
    json arr = json::array();
    for (const auto& r : rows) arr.push_back(channel_state_json(*ctx, r));
    respond(json_response(200, json{{"channels", arr}}));
  });
  // POST /v1/channels: open (body {"a": <signed channel.open record>, "b": <the counterparty's>}).
  add_route(server, *ctx, "POST", "/v1/channels", [ctx](const Request& req, Respond respond) {
    if (auto a = check_operator(*ctx, req); !a) return respond(error_response(a.error()));
    auto body = parse_json_body(req, "channel-open");
    if (!body) return respond(error_response(body.error()));
    auto a = engine::channel_from_json(body->at("a"));
    if (!a) return respond(error_response(Error{a.error().code, a.error().detail, "a." + a.error().at}));
    auto b = engine::channel_from_json(body->at("b"));
    if (!b) return respond(error_response(Error{b.error().code, b.error().detail, "b." + b.error().at}));
    const engine::ChannelPair pair{*a, *b};
    if (auto s = ctx->relay.open_channel(pair); !s) return respond(error_response(s.error()));
    std::vector<store::ChannelRow> rows;
    (void)ctx->reads->with([&](store::ReadQueries& q) {
      for (const auto* r : {&pair.a, &pair.b})
        if (auto c = q.channel(r->spec.island, r->spec.channel)) rows.push_back(*c);
    });
    json arr = json::array();
    for (const auto& r : rows) arr.push_back(channel_state_json(*ctx, r));
    respond(json_response(201, json{{"channels", arr}}));
  });
  // POST /v1/channels/{island}/{channel}/resume (operator; body {"operator"?, "reason"?}): re-opens a channel
  // halted by an escrow-invariant break (A05; Relay::resume_channel; audit operator_action "channel_resume").
  // POST /v1/channels/{island}/{channel}/close (body {"a", "b"}: both islands' signed channel.close records, one
  // of them the path's end): Relay::close_channel, 200 {"channels": [both ends, state "closed"], "audit_index"}.
  add_route(server, *ctx, "POST", "/v1/channels/", [ctx](const Request& req, Respond respond) {
    const std::string path = target_path(req.target);
    if (path.size() >= 7 && path.compare(path.size() - 7, 7, "/resume") == 0) {
      auto tail = url_decode(path.substr(std::string("/v1/channels/").size(),
                                         path.size() - std::string("/v1/channels/").size() - 7));
      if (!tail) return respond(error_response(tail.error()));
      auto ref = parse_channel_ref(*tail);
      if (!ref) return respond(error_response(ref.error()));
      auto action_req = operator_action_request(*ctx, req);
      if (!action_req) return respond(error_response(action_req.error()));
      const std::string op = action_req->operator_id;
      const std::string reason = action_req->reason;
      auto r = ctx->relay.resume_channel(domain::ChannelKey{ref->first, ref->second}, op, reason);
      if (!r) return respond(error_response(r.error()));
      return respond(json_response(200, json{{"channel", ref->first + "/" + ref->second},
                                             {"action", "channel_resume"},
                                             {"state", "open"},
                                             {"attested", r->attested},
                                             {"audit_index", r->audit_index}}));
    }
    if (path.size() < 6 || path.compare(path.size() - 6, 6, "/close") != 0)
      return respond(error_response(404, "ERR_INVALID_ARGUMENT", "no route POST " + path));
    if (auto a = check_operator(*ctx, req); !a) return respond(error_response(a.error()));
    auto body = parse_json_body(req, "channel-open");
    if (!body) return respond(error_response(body.error()));
    auto tail = url_decode(path.substr(std::string("/v1/channels/").size(),
                                       path.size() - std::string("/v1/channels/").size() - 6));
    if (!tail) return respond(error_response(tail.error()));
    auto ref = parse_channel_ref(*tail);
    if (!ref) return respond(error_response(ref.error()));
    auto a = engine::channel_from_json(body->at("a"));
    if (!a) return respond(error_response(Error{a.error().code, a.error().detail, "a." + a.error().at}));
    auto b = engine::channel_from_json(body->at("b"));
    if (!b) return respond(error_response(Error{b.error().code, b.error().detail, "b." + b.error().at}));
    const bool names_a = a->spec.island == ref->first && a->spec.channel == ref->second;
    const bool names_b = b->spec.island == ref->first && b->spec.channel == ref->second;
    if (!names_a && !names_b)
      return respond(error_response(Error{Code::UnknownChannel,
                                          "the path's channel " + ref->first + "/" + ref->second +
                                              " is neither record's end", "channel"}));
    const engine::ChannelPair pair{*a, *b};
    auto r = ctx->relay.close_channel(pair);
    if (!r) return respond(error_response(r.error()));
    std::vector<store::ChannelRow> rows;
    if (auto s = ctx->reads->with([&](store::ReadQueries& q) {
          for (const auto* e : {&pair.a, &pair.b})
            if (auto c = q.channel(e->spec.island, e->spec.channel)) rows.push_back(*c);
        });
        !s)
      return respond(store_failure(s.error()));
    json arr = json::array();
    for (const auto& row : rows) arr.push_back(channel_state_json(*ctx, row));
    respond(json_response(200, json{{"channels", arr}, {"audit_index", r->audit_index}}));
  });
}

}  // namespace causeway::gateway
