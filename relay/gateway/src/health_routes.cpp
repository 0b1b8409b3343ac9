// GET /healthz (the process answers) and GET /readyz (the database answers a read on a read-only connection
// and the relay's writer answers an empty group-commit change within 2 s). docs/api.md "Health".
#include "route_util.hpp"

namespace causeway::gateway {

using nlohmann::json;
using namespace detail;

void add_health_routes(Server& server, std::shared_ptr<ApiContext> ctx) {
  add_route(server, *ctx, "GET", "/healthz", [](const Request&, Respond respond) {
    respond(json_response(200, json{{"status", "ok"}}));
  });
  add_route(server, *ctx, "GET", "/readyz", [ctx](const Request&, Respond respond) {
    Status db = ctx->reads->with([&](store::ReadQueries& q) { (void)q.ping(); });
    Status writer = ctx->relay.ping_writer(2000);
    const bool ready = db.has_value() && writer.has_value();
    json j = {{"status", ready ? "ready" : "not ready"},
              {"database", db ? json("ok") : json(std::string(code_name(db.error().code)) + ": " + db.error().detail)},
              {"writer", writer ? json("ok")
                                : json(std::string(code_name(writer.error().code)) + ": " + writer.error().detail)}};
    respond(json_response(ready ? 200 : 503, j));
  });
}

}  // namespace causeway::gateway
