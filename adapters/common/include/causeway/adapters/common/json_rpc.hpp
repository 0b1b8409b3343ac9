// A JSON-RPC 2.0 client over HTTP/1.1 (https://www.jsonrpc.org/specification), the transport every chain
// adapter uses to reach its nodes (DESIGN.md §3: adapters fetch, light clients decide).
//
// Transport: plain HTTP/1.1 POST of `application/json` to one URL, synchronous, one TCP connection kept
// alive between calls (reconnected on demand). Boost.Beast does the HTTP; it stays inside json_rpc.cpp
// (DESIGN.md rule 6), so this header costs nlohmann/json only.
//
// Untrusted input (DESIGN.md §6): everything a node sends is bounded before it is buffered or parsed:
//   - the response body is capped at RpcOptions::max_response_bytes (default 32 MiB): a Content-Length above
//     the cap is refused as soon as the header arrives, a chunked body as soon as it passes the cap;
//   - the response header at 16 KiB, the JSON nesting depth at RpcOptions::max_json_depth;
//   - every network step has a deadline (RpcOptions, milliseconds).
// A response is accepted only as a JSON-RPC 2.0 response object with "jsonrpc": "2.0", the request's id and
// exactly one of "result" / "error".
//
// Errors (stable codes, core/error.hpp; `at` is the method name, or "batch[i]" for batch items):
//   ERR_INVALID_ARGUMENT  bad URL (parse_http_url), an empty batch
//   ERR_RPC_TRANSPORT     DNS, connect refused/reset, the peer closed mid-response, HTTP status other than
//                         200 without a JSON-RPC error body, malformed HTTP
//   ERR_RPC_TIMEOUT       connect, write or read deadline passed (the connection is dropped)
//   ERR_TOO_LARGE         response header over 16 KiB or body over max_response_bytes (connection dropped)
//   ERR_RPC_ERROR         the node answered {"error": {"code": c, "message": m}}; detail = "<c>: <m>"
//                         (c the JSON-RPC integer code, so callers can branch on it), plus " data=<json>"
//                         when the error carries data (truncated to 512 characters)
//   ERR_RPC_RESPONSE      the body is not JSON, too deep, not a JSON-RPC 2.0 response, a wrong id, both or
//                         neither of result/error, a malformed error object
// On a transport error, timeout or oversized response the connection is closed; the next call reconnects.
//
// Retries: none, except one automatic resend when a *reused* keep-alive connection turns out to have been
// closed by the peer before any response byte arrived (write failed, or EOF/reset before the status line)
// — the normal fate of idle keep-alive connections. Callers own every other retry policy.
//
// Thread-safety: a JsonRpcClient is NOT safe for concurrent use (one connection, one request at a time);
// use one client per thread/worker. Distinct clients are independent. parse_http_url is pure.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "causeway/core/error.hpp"

namespace causeway::adapters {

// An `http://host[:port][/path]` URL. No TLS, no user info, no fragments: nodes are reached on
// loopback or through a TLS-terminating proxy the operator runs.
struct HttpUrl {
  std::string host;         // a DNS name, an IPv4 literal, or an IPv6 literal without brackets
  std::uint16_t port = 80;  // 1 … 65535
  std::string target = "/"; // path (and query), always starting with '/'
  bool operator==(const HttpUrl&) const = default;
};

// Parses "http://host[:port][/path[?query]]". The scheme is case-insensitive; "[::1]" brackets IPv6.
// Errors: ERR_INVALID_ARGUMENT (other schemes — https is refused, not silently downgraded — empty host,
// a port outside 1…65535, user info, whitespace or control characters, a '#' fragment).
Result<HttpUrl> parse_http_url(std::string_view url);

struct RpcOptions {
  std::chrono::milliseconds connect_timeout{10'000};  // TCP connect (name resolution is not bounded here)
  std::chrono::milliseconds write_timeout{30'000};    // sending one request
  std::chrono::milliseconds read_timeout{60'000};     // receiving one whole response (header and body)
  std::size_t max_response_bytes = 32u * 1024 * 1024; // response body cap, bytes
  std::size_t max_json_depth = 128;                   // nesting of arrays/objects in a response
  bool keep_alive = true;                             // false: one TCP connection per call
  std::string user_agent = "causeway-json-rpc/1";
  // HTTP Basic credentials "user:password" (RFC 7617 §2) sent on every request as "Authorization: Basic
  // base64(user:password)" — Bitcoin Core's rpcauth/rpcuser credentials or its cookie (read_cookie_file).
  // Empty: no Authorization header. Plain HTTP: use it only on loopback or a trusted network.
  std::string basic_auth;
  // A bearer token sent as "Authorization: Bearer <token>" (a relay's operator routes, the CLI's api_client);
  // ignored when basic_auth is set. Empty: none.
  std::string bearer_token;
};

// Bitcoin Core's cookie file (<datadir>/.cookie, written at start when no rpcpassword is set; Bitcoin Core
// doc/JSON-RPC-interface.md "Security"): one line "__cookie__:<password>", an optional trailing newline.
// Returns it as "user:password" for RpcOptions::basic_auth. Errors: ERR_IO (unreadable), ERR_INVALID_ARGUMENT
// (over 1 KiB, no ':' or an empty user, control characters). Thread-safe.
Result<std::string> read_cookie_file(const std::string& path);

// RFC 4648 §4 base64 of `text` (the Basic credentials encoding). Pure.
std::string base64_encode(std::string_view text);

// One call of a batch.
struct RpcCall {
  std::string method;
  nlohmann::json params = nlohmann::json::array();  // an array (by position) or an object (by name)
};

// The status and body of a plain HTTP exchange (JsonRpcClient::get).
struct HttpResponse {
  unsigned status = 0;
  std::string body;
};

class JsonRpcClient {
 public:
  JsonRpcClient(HttpUrl url, RpcOptions options = {});
  ~JsonRpcClient();
  JsonRpcClient(JsonRpcClient&&) noexcept;
  JsonRpcClient& operator=(JsonRpcClient&&) noexcept;
  JsonRpcClient(const JsonRpcClient&) = delete;
  JsonRpcClient& operator=(const JsonRpcClient&) = delete;

  // Parses the URL (parse_http_url's errors) and makes a client. Does not connect yet.
  static Result<JsonRpcClient> create(std::string_view url, RpcOptions options = {});

  // Calls `method` with `params` (an array or object; precondition, asserted) and returns the "result"
  // member (any JSON value, null included). Errors: as the file comment.
  Result<nlohmann::json> call(std::string_view method, const nlohmann::json& params = nlohmann::json::array());

  // Sends the calls as one JSON-RPC batch (one HTTP request) and returns one Result per call, in the order
  // of `calls`, matched by id whatever order the node answers in. The whole batch fails (outer error) on
  // transport errors, an error object answering the whole batch (ERR_RPC_ERROR: e.g. batches unsupported),
  // a response that is not an array of exactly one well-formed response per id (ERR_RPC_RESPONSE), or an
  // empty `calls` (ERR_INVALID_ARGUMENT). Per-call errors are ERR_RPC_ERROR with at = "batch[i]".
  Result<std::vector<Result<nlohmann::json>>> call_batch(const std::vector<RpcCall>& calls);

  // A plain HTTP GET of `target` (path and query, starting with '/') on this client's host and port, with the
  // same connection, deadlines and size bounds as call() — for the REST routes of peers that are not JSON-RPC
  // (e.g. a committee peer's GET /v1/attestations/{packet-id}, relay/engine peers.hpp). Any HTTP status is
  // returned as a value; the body is not parsed. Errors: ERR_INVALID_ARGUMENT (target), and the transport
  // errors of the file comment (ERR_RPC_TRANSPORT, ERR_RPC_TIMEOUT, ERR_TOO_LARGE).
  Result<HttpResponse> get(std::string_view target);
  // A plain HTTP POST of the JSON text `body` (Content-Type application/json) to `target`, otherwise as get():
  // for the REST write routes of a relay (the CLI's api_client.hpp). A connection found closed is retried once.
  Result<HttpResponse> post(std::string_view target, const std::string& body);

  // Drops the connection (if any); the next call reconnects.
  void close() noexcept;

  const HttpUrl& url() const noexcept;
  const RpcOptions& options() const noexcept;
  // Number of TCP connections opened so far (observability and tests of keep-alive).
  std::uint64_t connections_opened() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace causeway::adapters
