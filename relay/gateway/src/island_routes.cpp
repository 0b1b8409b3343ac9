// Island routes: see causeway/gateway/api_routes.hpp and docs/api.md "Islands".
#include "causeway/engine/config.hpp"
#include "causeway/gateway/json_body.hpp"
#include "route_util.hpp"

namespace causeway::gateway {

using nlohmann::json;
using namespace detail;

namespace {

// The island's current spec as relay/domain holds it (after updates and recovers), island_to_json's form
// without "nonce" and "signatures" (the island JSON's "nonce" is the current governance nonce).
json current_spec(const ApiContext& ctx, const std::string& id) {
  auto r = ctx.relay.island_record(id);
  if (!r) return nullptr;
  json j = engine::island_to_json(domain::SignedIsland{r->spec, r->nonce, {}});
  j.erase("nonce");
  j.erase("signatures");
  return j;
}

// 200 after a governance record (update, recover): the island JSON (as GET) with "spec" and the record's
// "audit_index".
void respond_governed(ApiContext& ctx, const std::string& id, std::uint64_t audit_index, const Respond& respond) {
  std::optional<store::IslandRow> row;
  if (auto s = ctx.reads->with([&](store::ReadQueries& q) { row = q.island(id); }); !s)
    return respond(store_failure(s.error()));
  if (!row) return respond(error_response(Error{Code::UnknownIsland, "island " + id + " is not registered", "id"}));
  json j = island_json(*row, ctx.relay.now_ms());
  j["spec"] = current_spec(ctx, id);
  j["audit_index"] = audit_index;
  respond(json_response(200, j));
}

// The island id of PUT /v1/islands/{id} or POST /v1/islands/{id}/recover (suffix ""/"/recover"), validated.
Result<std::string> path_island(const std::string& path, std::size_t suffix) {
  const std::string prefix = "/v1/islands/";
  auto id = url_decode(std::string_view(path).substr(prefix.size(), path.size() - prefix.size() - suffix));
  if (!id) return id;
  if (auto s = domain::validate_island_id(*id, "id"); !s) return tl::unexpected(s.error());
  return id;
}

void get_island(ApiContext& ctx, const std::string& id, const std::string& sub, const Request& req,
                const Respond& respond) {
  std::optional<store::IslandRow> row;
  if (auto s = ctx.reads->with([&](store::ReadQueries& q) { row = q.island(id); }); !s)
    return respond(store_failure(s.error()));
  if (!row) return respond(error_response(Error{Code::UnknownIsland, "island " + id + " is not registered", "id"}));
  const std::uint64_t now = ctx.relay.now_ms();
  if (sub.empty()) {
    json j = island_json(*row, now);
    j["spec"] = current_spec(ctx, id);
    return respond(json_response(200, j));
  }
  if (sub == "client") {
    json j = client_json(*row, now);
    std::vector<store::ConsensusStateRow> states;
    if (auto s = ctx.reads->with([&](store::ReadQueries& q) { states = q.consensus_states(id); }); !s)
      return respond(store_failure(s.error()));
    json arr = json::array();
    for (const auto& c : states)
      arr.push_back({{"height", c.height}, {"hash", to_hex(c.hash.view())}, {"time_ms", c.time_ms},
                     {"audit_index", c.audit_index}});
    j["states"] = std::move(arr);
    return respond(json_response(200, j));
  }
  if (sub == "deliveries") {
    auto after = query_param(req.target, "after");
    auto limit = query_param(req.target, "limit");
    if (!after) return respond(error_response(after.error()));
    if (!limit) return respond(error_response(limit.error()));
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
    std::vector<std::vector<store::AttestationRow>> atts;
    auto s = ctx.reads->with([&](store::ReadQueries& q) {
      rows = q.undelivered_to(id, static_cast<std::int64_t>(std::min<std::uint64_t>(after_v, INT64_MAX)),
                              static_cast<std::size_t>(limit_v));
      for (const auto& r : rows) atts.push_back(q.attestations(r.row));
    });
    if (!s) return respond(store_failure(s.error()));
    json arr = json::array();
    for (std::size_t i = 0; i < rows.size(); ++i) {
      json p = packet_json(rows[i]);
      p["cursor"] = rows[i].row;
      json a = json::array();
      for (const auto& at : atts[i]) a.push_back(attestation_json(at));
      p["attestations"] = std::move(a);
      arr.push_back(std::move(p));
    }
    json out = {{"island", id},
                {"threshold", ctx.relay.committee_threshold()},
                {"deliveries", arr},
                {"next_after", rows.empty() ? json(nullptr) : json(rows.back().row)}};
    return respond(json_response(200, out));
  }
  respond(error_response(404, "ERR_INVALID_ARGUMENT", "no route GET " + target_path(req.target)));
}

// Operator auth, then the body against `schema`. nullopt: `respond` was called with the error.
std::optional<json> admit(const ApiContext& ctx, const Request& req, std::string_view schema, const Respond& respond) {
  if (auto a = check_operator(ctx, req); !a) {
    respond(error_response(a.error()));
    return std::nullopt;
  }
  auto body = parse_json_body(req, schema);
  if (!body) {
    respond(error_response(body.error()));
    return std::nullopt;
  }
  return std::move(*body);
}

}  // namespace

void add_island_routes(Server& server, std::shared_ptr<ApiContext> ctx) {
  add_route(server, *ctx, "GET", "/v1/islands", [ctx](const Request&, Respond respond) {
    std::vector<store::IslandRow> rows;
    if (auto s = ctx->reads->with([&](store::ReadQueries& q) { rows = q.islands(); }); !s)
      return respond(store_failure(s.error()));
    const std::uint64_t now = ctx->relay.now_ms();
    json arr = json::array();
    for (const auto& r : rows) {
      json j = island_json(r, now);
      j.erase("record");
      arr.push_back(std::move(j));
    }
    respond(json_response(200, json{{"islands", arr}}));
  });
  add_route(server, *ctx, "GET", "/v1/islands/", [ctx](const Request& req, Respond respond) {
    auto tail = url_decode(target_path(req.target).substr(std::string("/v1/islands/").size()));
    if (!tail) return respond(error_response(tail.error()));
    const auto parts = split(*tail, '/');
    if (parts.size() > 2 || parts[0].empty())
      return respond(error_response(404, "ERR_INVALID_ARGUMENT", "no route GET " + target_path(req.target)));
    if (auto s = domain::validate_island_id(parts[0], "id"); !s) return respond(error_response(s.error()));
    get_island(*ctx, parts[0], parts.size() == 2 ? parts[1] : "", req, respond);
  });
  // POST /v1/islands: register (body: the governance-signed record, engine::island_to_json's form).
  add_route(server, *ctx, "POST", "/v1/islands", [ctx](const Request& req, Respond respond) {
    auto body = admit(*ctx, req, "island-register", respond);
    if (!body) return;
    auto rec = engine::island_from_json(*body);
    if (!rec) return respond(error_response(rec.error()));
    if (auto s = ctx->relay.register_island(*rec); !s) return respond(error_response(s.error()));
    std::optional<store::IslandRow> row;
    if (auto s = ctx->reads->with([&](store::ReadQueries& q) { row = q.island(rec->spec.id); }); !s || !row)
      return respond(json_response(201, json{{"id", rec->spec.id}}));
    respond(json_response(201, island_json(*row, ctx->relay.now_ms())));
  });
  // PUT /v1/islands/{id} (update; body: the governance-signed island.update record, island_to_json's form with
  // nonce = current + 1, signed by k of the island's CURRENT keys): Relay::update_island, 200 with the island.
  add_route(server, *ctx, "PUT", "/v1/islands/", [ctx](const Request& req, Respond respond) {
    const std::string path = target_path(req.target);
    if (path.find('/', std::string("/v1/islands/").size()) != std::string::npos)
      return respond(error_response(404, "ERR_INVALID_ARGUMENT", "no route PUT " + path));
    auto body = admit(*ctx, req, "island-register", respond);
    if (!body) return;
    auto id = path_island(path, 0);
    if (!id) return respond(error_response(id.error()));
    auto rec = engine::island_from_json(*body);
    if (!rec) return respond(error_response(rec.error()));
    if (rec->spec.id != *id)
      return respond(error_response(
          Error{Code::IslandMismatch, "the record's island is " + rec->spec.id + ", not " + *id + " (the path's)", "id"}));
    auto r = ctx->relay.update_island(*rec);
    if (!r) return respond(error_response(r.error()));
    respond_governed(*ctx, *id, r->audit_index, respond);
  });
  add_route(server, *ctx, "POST", "/v1/islands/", [ctx](const Request& req, Respond respond) {
    const std::string path = target_path(req.target);
    // POST /v1/islands/{id}/headers: a header document for a push-mode island. No account needed: every
    // header is verified by the island's light client from a consensus state the relay holds (A03).
    if (const std::string suffix = "/headers"; path.size() > suffix.size() &&
                                               path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0) {
      auto id = url_decode(path.substr(std::string("/v1/islands/").size(),
                                       path.size() - std::string("/v1/islands/").size() - suffix.size()));
      if (!id) return respond(error_response(id.error()));
      if (auto s = domain::validate_island_id(*id, "id"); !s) return respond(error_response(s.error()));
      auto body = parse_json_body(req, "header-document");
      if (!body) return respond(error_response(body.error()));
      if ((*body)["island"].get<std::string>() != *id)
        return respond(error_response(
            Error{Code::IslandMismatch, "the document's island is not " + *id + " (the path's)", "island"}));
      auto tip = ctx->relay.accept_headers(req.body);
      if (!tip) return respond(error_response(tip.error()));
      return respond(json_response(200, json{{"island", tip->island},
                                             {"height", tip->height},
                                             {"hash", to_hex(tip->hash.view())},
                                             {"time_ms", tip->time_ms},
                                             {"headers", (*body)["headers"].size()}}));
    }
    if (path.size() < 8 || path.compare(path.size() - 8, 8, "/recover") != 0)
      return respond(error_response(404, "ERR_INVALID_ARGUMENT", "no route POST " + path));
    // POST /v1/islands/{id}/recover (operator action `client recover`; body: the governance-signed
    // client.recover record): Relay::recover_client, 200 with the island (client active, the new anchor).
    auto body = admit(*ctx, req, "client-recover", respond);
    if (!body) return;
    auto id = path_island(path, 8);
    if (!id) return respond(error_response(id.error()));
    auto rec = engine::recover_from_json(*body);
    if (!rec) return respond(error_response(rec.error()));
    if (rec->island != *id)
      return respond(error_response(
          Error{Code::IslandMismatch, "the record's island is " + rec->island + ", not " + *id + " (the path's)", "island"}));
    auto r = ctx->relay.recover_client(*rec);
    if (!r) return respond(error_response(r.error()));
    respond_governed(*ctx, *id, r->audit_index, respond);
  });
}

}  // namespace causeway::gateway
