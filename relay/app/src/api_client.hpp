// The CLI's client of a running relay's API v1 (docs/cli.md, docs/api.md): GET a route of --url and read
// its JSON, reusing the adapters' Beast HTTP client (adapters/common json_rpc.hpp JsonRpcClient::get), and
// the table/JSON printing every read command shares.
//
// Exit codes of the read commands (docs/cli.md): 0 ok, 1 the relay answered an error or could not be
// reached, 2 usage (bad arguments, bad --url).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace causeway::app {

inline constexpr const char* kDefaultApiUrl = "http://127.0.0.1:8645";

struct ApiFailure {
  int exit_code = 1;       // 1 relay error / unreachable, 2 usage
  int http_status = 0;     // 0: no HTTP answer
  std::string code;        // "ERR_UNKNOWN_PACKET", "ERR_RPC_TRANSPORT", ...
  std::string message;
};

struct ApiAnswer {
  bool ok = false;
  nlohmann::json body;     // when ok
  ApiFailure failure;      // when !ok
};

// GET <url><target> (target starts with '/'; components already percent-encoded). A 2xx JSON answer is ok;
// any other status is a failure carrying the relay's {"error": {code, message}}.
ApiAnswer api_get(const std::string& url, const std::string& target);
// POST <url><target> with the JSON text `body`; answered as api_get. `bearer_token` non-empty: sent as
// "Authorization: Bearer <token>" (operator routes, e.g. `channel resume`).
ApiAnswer api_post(const std::string& url, const std::string& target, const std::string& body,
                   const std::string& bearer_token = {});

// PUT <url><target> with the JSON text `body` and "Authorization: Bearer <token>" (`island update`); answered as
// api_get. One Beast request over a fresh connection (the adapters' client speaks GET and POST only), 5 s to
// connect, 30 s to answer, a 4 MiB answer bound.
ApiAnswer api_put(const std::string& url, const std::string& target, const std::string& body,
                  const std::string& bearer_token);

// Percent-encodes everything outside [A-Za-z0-9._~-] (for ids in paths and query values).
std::string url_encode(const std::string& s);

// Prints a failure (stderr, or {"ok": false, "error": …} on stdout with --json) and returns its exit code.
int report_failure(const ApiFailure& f, bool json_out);

// A plain text table: header row, then rows, columns padded to the widest cell.
void print_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);

// A JSON value as a table cell ("-" for null, strings unquoted).
std::string cell(const nlohmann::json& v);

}  // namespace causeway::app
