// The relay's HTTP/WebSocket server (issues #5 and #6; docs/api-security.md). Beast lives in src/server.cpp
// only (DESIGN.md rule 6): this header needs the standard library and core only.
//
// Routing: exact (method, path) pairs, or a path prefix ending in '/' (the handler reads the rest from
// Request::target). A handler answers through `respond`, from any thread, exactly once; the connection waits
// for it (so a route may answer after a group commit without blocking a server thread). WebSocket routes
// (websocket()) take an HTTP/1.1 Upgrade on their exact path; the server owns the socket, the one write in
// flight and the bounded send queue (WsConnection), the route only sees text messages.
//
// Limits (DESIGN.md §6, attack case A29), all in ServerOptions with safe defaults:
//   - request header ≤ max_header_bytes (16 KiB) → 431 ERR_TOO_LARGE;
//   - body ≤ max_body_bytes (1 MiB) or the route's RouteOptions::max_body_bytes → 413 ERR_TOO_LARGE, decided
//     from Content-Length before one body byte is read, and for a chunked body as soon as it passes the cap;
//   - a request must be complete within read_timeout_ms of its first byte (slowloris): else the connection is
//     closed; an idle keep-alive connection (no byte of a next request) is closed after idle_timeout_ms;
//   - at most max_connections connections, and max_connections_per_ip from one remote address: a connection
//     over either cap is answered 429 ERR_RATE_LIMITED (plain HTTP) or closed (TLS) at once;
//   - requests per second per remote address: a token bucket (rate_per_ip per second, burst_per_ip) → 429
//     ERR_RATE_LIMITED with Retry-After: 1 (the connection stays open);
//   - WebSocket messages ≤ max_ws_message_bytes (a larger frame header closes with 1009 before its payload is
//     read); per-connection send queue ≤ ws_queue_messages: a client that does not read is closed with
//     1008 "slow consumer" (kWsCloseSlowConsumer), never buffered without bound.
// TLS (optional): tls_cert_file and tls_key_file (PEM) make every connection TLS 1.2+ (OpenSSL).
// Errors are JSON: {"error": {"code", "message", "details"}}.
//
// Thread-safety: route()/websocket() before start(); start()/stop() from one thread; handlers run on server
// threads; WsConnection members may be called from any thread; stats() from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "causeway/core/error.hpp"

namespace causeway::gateway {

struct Request {
  std::string method;   // "POST"
  std::string target;   // "/v1/packets?x=1" (path and query, as sent)
  std::string body;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;  // every request header, names lower-cased
  std::string remote_ip;                                      // the peer's address ("127.0.0.1")

  // The value of header `name` (case-insensitive), or "" when absent.
  std::string header(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
};

using Respond = std::function<void(Response)>;
using Handler = std::function<void(const Request&, Respond)>;

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8645;                     // 0 = an ephemeral port (start() returns it)
  std::size_t threads = 2;
  std::size_t max_body_bytes = 1u << 20;         // default per route; RouteOptions may raise or lower it
  std::size_t max_header_bytes = 16u << 10;      // request line + header fields
  std::uint32_t read_timeout_ms = 10'000;        // a request's first byte → its last byte (and a TLS handshake)
  std::uint32_t idle_timeout_ms = 60'000;        // keep-alive connection with no request in progress
  std::uint32_t write_timeout_ms = 30'000;       // one response (or WebSocket close handshake) to be written
  std::uint32_t shutdown_grace_ms = 5'000;       // stop(): in-flight responses may finish within this
  std::size_t max_connections = 4096;            // all connections (HTTP and WebSocket)
  std::size_t max_connections_per_ip = 64;
  double rate_per_ip = 200;                      // requests per second per remote address (0 = unlimited)
  double burst_per_ip = 400;                     // bucket size
  std::size_t max_ws_message_bytes = 1u << 20;   // WebSocket frame/message from a client
  std::size_t ws_queue_messages = 256;           // per-connection send queue (besides the write in flight)
  std::string tls_cert_file;                     // PEM certificate chain; with tls_key_file: TLS on
  std::string tls_key_file;                      // PEM private key
  std::function<std::uint64_t()> clock_ms{};     // rate-limit clock (ms, monotonic); default steady_clock
};

// Per-route options.
struct RouteOptions {
  std::size_t max_body_bytes = 0;  // 0 = ServerOptions::max_body_bytes
};

// WebSocket close codes the server sends (RFC 6455 §7.4.1).
inline constexpr std::uint16_t kWsCloseGoingAway = 1001;      // the server stops
inline constexpr std::uint16_t kWsClosePolicy = 1008;         // slow consumer ("slow consumer"), bad request
inline constexpr std::uint16_t kWsCloseTooBig = 1009;         // a message over max_ws_message_bytes
inline constexpr std::uint16_t kWsCloseSlowConsumer = kWsClosePolicy;

// One accepted WebSocket connection (text messages).
class WsConnection {
 public:
  virtual ~WsConnection() = default;
  // Queues a text message (shared, so one event fanned out to many sessions is one string). If the queue
  // already holds ServerOptions::ws_queue_messages messages, the queue is dropped and the connection is
  // closed with 1008 "slow consumer"; returns false then (and after close). Thread-safe.
  virtual bool send(std::shared_ptr<const std::string> text) = 0;
  // Starts the close handshake with `code` and `reason`; later sends are refused. Thread-safe, idempotent.
  virtual void close(std::uint16_t code, std::string reason) = 0;
  virtual const std::string& remote_ip() const = 0;
  virtual std::uint64_t id() const = 0;  // unique per server
};

struct WsHandler {
  std::function<void(const std::shared_ptr<WsConnection>&)> on_open;                          // may be empty
  std::function<void(const std::shared_ptr<WsConnection>&, const std::string& text)> on_message;
  std::function<void(const std::shared_ptr<WsConnection>&)> on_close;                          // may be empty
};

struct ServerStats {
  std::size_t connections = 0;            // open now (HTTP and WebSocket)
  std::size_t ws_connections = 0;         // WebSocket sessions open now
  std::uint64_t refused_connections = 0;  // over max_connections / max_connections_per_ip
  std::uint64_t rate_limited = 0;         // requests answered 429
  std::uint64_t ws_slow_closed = 0;       // WebSocket sessions closed as slow consumers
  std::size_t ws_queue_high_water = 0;    // the longest any send queue has been (≤ ws_queue_messages)
};

// The HTTP status for an error code (400 for bad input, 401 unauthorized, 404 unknown, 409 conflicts,
// 413 too large, 429 rate limited, 422 a bundle that does not verify, 503 store trouble, 500 otherwise).
int http_status_for(Code code);
// {"error": {"code": "ERR_…", "message": detail, "details": {"at": at}}} with http_status_for(code).
Response error_response(const Error& e);
Response error_response(int status, std::string_view code, std::string_view message);

class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  void route(std::string method, std::string path, Handler handler, RouteOptions options = {});
  // A WebSocket endpoint at exactly `path` (GET with Upgrade: websocket).
  void websocket(std::string path, WsHandler handler);
  // Binds and starts the server threads. Returns the bound port. Errors: ERR_IO (bad address, bind failed,
  // TLS certificate or key unreadable or not matching).
  Result<std::uint16_t> start();
  // Graceful stop: stops accepting; idle connections close at once, WebSocket sessions get 1001; a request
  // being handled may still send its response (with Connection: close) until shutdown_grace_ms has passed;
  // then the threads stop. Idempotent.
  void stop();

  ServerStats stats() const;
  const ServerOptions& options() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace causeway::gateway
