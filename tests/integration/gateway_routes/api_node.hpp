// A real engine::Relay behind a real gateway::Server on an ephemeral loopback port (tests of island intake over
// the API: bitcoin_island_test, chainmaker_island_test). Operator routes accept `Bearer <token>` exactly.
// Requires Catch2 (get_json REQUIREs a 200). Not thread-safe; one per test.
#pragma once

#include <catch2/catch.hpp>

#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "causeway/engine/relay.hpp"
#include "causeway/gateway/api_routes.hpp"
#include "causeway/gateway/packet_routes.hpp"
#include "causeway/gateway/server.hpp"
#include "http_client.hpp"

namespace causeway::test {

struct ApiNode {
  std::unique_ptr<engine::Relay> relay;
  std::unique_ptr<gateway::Server> server;
  std::shared_ptr<gateway::ApiContext> ctx;
  std::uint16_t port = 0;

  // `o.data_dir` and `o.config` as the test wants; commit wait 200 µs and a silent log are set here.
  ApiNode(engine::RelayOptions o, std::string bearer) {
    o.commit.max_wait = std::chrono::microseconds(200);
    o.log = [](const std::string&) {};
    auto r = engine::Relay::open(o);
    if (!r) throw std::runtime_error(r.error().detail);
    relay = std::move(*r);
    gateway::ServerOptions so;
    so.port = 0;
    server = std::make_unique<gateway::Server>(so);
    ctx = std::make_shared<gateway::ApiContext>(*relay, o.data_dir);
    ctx->authorize_operator = [token = std::move(bearer)](const gateway::Request& req) -> Status {
      if (req.header("authorization") == token) return {};
      return fail(Code::Unauthorized, "operator token missing or wrong");
    };
    gateway::add_api_routes(*server, ctx);
    gateway::add_packet_routes(*server, *relay);
    auto p = server->start();
    if (!p) throw std::runtime_error(p.error().detail);
    port = *p;
  }
  ~ApiNode() {
    server->stop();
    relay->stop();
  }
  ApiNode(const ApiNode&) = delete;
  ApiNode& operator=(const ApiNode&) = delete;

  HttpResult post(const std::string& target, const std::string& body,
                  const std::vector<std::pair<std::string, std::string>>& headers = {}) const {
    return http_request(port, "POST", target, body, headers);
  }
  nlohmann::json get_json(const std::string& target) const {
    auto r = http_request(port, "GET", target);
    INFO(target << " -> " << r.status << " " << r.body);
    REQUIRE(r.status == 200);
    return nlohmann::json::parse(r.body);
  }
};

}  // namespace causeway::test
