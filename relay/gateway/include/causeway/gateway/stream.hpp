// The event stream: WebSocket /v1/stream (issue #6; docs/api-security.md "Stream").
//
// A client sends text messages (schemas/stream-message.schema.json):
//   {"subscribe":   {"packet": "<packet id>"} | {"channel": "<island>/<channel>"} | {"island": "<id>"}
//                 | {"sth": true} | {"alerts": true}}
//   {"unsubscribe": <the same topic>}
// and is answered {"subscribed": <topic>} / {"unsubscribed": <topic>}, or {"error": {"code", "message",
// "details"}} (the connection stays open). Events arrive as
//   {"kind": "packet"|"channel"|"island"|"sth"|"alerts", "key": "<key>", "event": <event JSON>}
// where kind/key is the topic that matched. StreamHub::publish(kind, key, event) sends one event to every
// session subscribed to exactly (kind, key); for "sth" and "alerts" the key is "" (a client subscribes to all).
// The server bounds each session's send queue (ServerOptions::ws_queue_messages, default 256): a client that
// does not read is closed with 1008 "slow consumer"; the hub never buffers on its own.
// Limits: at most max_subscriptions per session (else ERR_RATE_LIMITED in an error message).
//
// Lifetime: attach() registers the route; the hub must outlive the Server (stop the server first).
// Thread-safety: every member may be called from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "causeway/gateway/server.hpp"

namespace causeway::gateway {

struct StreamHubOptions {
  std::size_t max_subscriptions = 64;       // per session
  std::size_t max_message_bytes = 64u << 10;  // a client message (the server caps frames separately)
};

struct StreamHubStats {
  std::size_t sessions = 0;
  std::size_t subscriptions = 0;
  std::uint64_t published = 0;      // publish() calls
  std::uint64_t delivered = 0;      // messages queued to sessions
  std::uint64_t refused = 0;        // sends refused (session closing or slow-consumer close)
};

class StreamHub {
 public:
  explicit StreamHub(StreamHubOptions options = {});
  ~StreamHub();
  StreamHub(const StreamHub&) = delete;
  StreamHub& operator=(const StreamHub&) = delete;

  // Registers the WebSocket route `path` on the server (before Server::start()).
  void attach(Server& server, const std::string& path = "/v1/stream");

  // Sends {"kind", "key", "event"} to every session subscribed to (kind, key). The text is built once and
  // shared by all sessions. Never blocks on a client.
  void publish(const std::string& topic_kind, const std::string& key, const nlohmann::json& event);

  StreamHubStats stats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace causeway::gateway
