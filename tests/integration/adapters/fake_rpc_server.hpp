// A small JSON-RPC 2.0 server over HTTP/1.1 on loopback (ephemeral port) for adapter tests: it stands in for a
// node that cannot run on the test machine (Bitcoin Core), answering each call through a handler. Beast stays in
// fake_rpc_server.cpp (DESIGN.md rule 6). A thread per connection, keep-alive; batches are answered call by call.
// Test support only: failures throw std::runtime_error.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace causeway::testing {

class FakeRpcServer {
 public:
  // `handler(method, params)` returns the response member to send: {"result": …} or {"error": {code, message}}.
  // `raw`, when set and returning a value for a request body, sends that text as the HTTP body instead.
  using Handler = std::function<nlohmann::json(const std::string& method, const nlohmann::json& params)>;
  using Raw = std::function<std::optional<std::string>(const std::string& body)>;

  explicit FakeRpcServer(Handler handler, Raw raw = {});
  ~FakeRpcServer();
  FakeRpcServer(const FakeRpcServer&) = delete;
  FakeRpcServer& operator=(const FakeRpcServer&) = delete;

  // From now on, a request whose Authorization header is not exactly `header_value` (e.g. "Basic …") is answered
  // 401 with an empty body, as Bitcoin Core does. Call before any request is sent (not synchronized).
  void require_authorization(std::string header_value);

  std::uint16_t port() const noexcept;
  std::string url() const;       // http://127.0.0.1:<port>
  std::uint64_t requests() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace causeway::testing
