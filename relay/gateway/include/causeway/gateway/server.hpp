// The relay's HTTP server (issue #5 "Intake": the first route; the gateway issue adds the rest). Beast lives
// in src/server.cpp only (DESIGN.md rule 6): this header needs the standard library and core only.
//
// Routing: exact (method, path) pairs, or a path prefix ending in '/' (the handler reads the rest from
// Request::target). A handler answers through `respond`, from any thread, exactly once; the connection waits
// for it (so a route may answer after a group commit without blocking a server thread).
// Limits (DESIGN.md §6, A29): request header 16 KiB, body ServerOptions::max_body_bytes — a larger
// Content-Length is answered 413 before the body is read, a chunked body as soon as it passes the cap; a
// request must arrive within read_timeout_ms. Errors are JSON: {"error": {"code", "message", "details"}}.
//
// Thread-safety: route() before start(); start()/stop() from one thread; handlers run on server threads.
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
  std::uint16_t port = 8645;                // 0 = an ephemeral port (start() returns it)
  std::size_t max_body_bytes = 8u << 20;
  std::size_t threads = 2;
  std::uint32_t read_timeout_ms = 30'000;
};

// The HTTP status for an error code (400 for bad input, 404 unknown, 409 conflicts, 413 too large, 422 a
// bundle that does not verify, 503 store trouble, 500 otherwise).
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

  void route(std::string method, std::string path, Handler handler);
  // Binds and starts the server threads. Returns the bound port. Errors: ERR_IO (bad address, bind failed).
  Result<std::uint16_t> start();
  // Stops accepting, closes connections and joins the threads. Idempotent.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace causeway::gateway
