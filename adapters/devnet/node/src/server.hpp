// The devnet's HTTP JSON-RPC + WebSocket server (Boost.Beast; Beast stays in server.cpp, DESIGN.md rule 6).
//   POST /            a JSON-RPC 2.0 request or batch (body ≤ kMaxRequestBytes) → Node::handle_text
//   GET  /            a one-line text description
//   WebSocket upgrade on any path: JSON-RPC over text frames (frames ≤ kMaxRequestBytes), plus
//                     {"method":"devnet_subscribe","params":["newHeads"]} → a subscription id, then one
//                     {"method":"devnet_subscription","params":{"subscription":id,"result":<block>}} per block;
//                     devnet_unsubscribe([id]) ends it. A subscriber more than 1,024 messages behind is dropped.
// One I/O thread; every request and idle connection has a 60 s deadline. A failing accept (e.g. out of file
// descriptors) is retried after 100 ms instead of spinning. No request can end the process: handler failures
// answer -32603.
// Thread-safety: publish_block() and stop() are safe from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "causeway/core/error.hpp"
#include "causeway/devnet_node/rpc.hpp"

namespace causeway::devnet {

class Server {
 public:
  // Binds and listens on host:port (port 0 = an ephemeral port) without serving yet, so a bad --listen fails
  // before any chain is created. Errors: ERR_INVALID_ARGUMENT (bad address), ERR_IO (cannot bind).
  static Result<std::unique_ptr<Server>> listen(const std::string& host, std::uint16_t port);
  // Starts serving `node` (which must outlive the server or stop()) on the server's own thread. Once only.
  void serve(Node& node);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  std::uint16_t port() const noexcept;
  // Sends the block to every newHeads subscriber.
  void publish_block(const nlohmann::json& block);
  void stop() noexcept;

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace causeway::devnet
