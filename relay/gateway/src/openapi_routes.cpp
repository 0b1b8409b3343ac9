// GET /v1/openapi.json: the OpenAPI 3 document of API v1 (schemas/openapi.json, embedded at build time, or
// read from ApiContext::openapi_path when set). docs/api.md.
#include <fstream>
#include <sstream>

#include "route_util.hpp"

namespace causeway::schemas {
extern const std::string_view kOpenApi;
}

namespace causeway::gateway {

using detail::add_route;

std::string_view embedded_openapi() { return schemas::kOpenApi; }

void add_openapi_routes(Server& server, std::shared_ptr<ApiContext> ctx) {
  add_route(server, *ctx, "GET", "/v1/openapi.json", [ctx](const Request&, Respond respond) {
    if (ctx->openapi_path.empty()) return respond(Response{200, std::string(embedded_openapi()), "application/json"});
    std::ifstream in(ctx->openapi_path);
    if (!in) return respond(error_response(500, "ERR_IO", "cannot read " + ctx->openapi_path));
    std::ostringstream ss;
    ss << in.rdbuf();
    respond(Response{200, ss.str(), "application/json"});
  });
}

}  // namespace causeway::gateway
