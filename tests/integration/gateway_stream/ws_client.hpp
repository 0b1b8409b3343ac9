// A minimal synchronous WebSocket client for the stream tests (Boost.Beast lives in ws_client.cpp only,
// DESIGN.md rule 6): connects to 127.0.0.1:<port><path>, sends and reads JSON text messages.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

namespace causeway::test {

class WsClient {
 public:
  explicit WsClient(std::uint16_t port, const std::string& path = "/v1/stream");
  ~WsClient();
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;
  // Sends one message and returns the next one read (the server answers each client message in order).
  nlohmann::json send(const nlohmann::json& message);
  // Reads the next message (blocks; the server's own timeouts bound it).
  nlohmann::json read();
  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace causeway::test
