// JSON-RPC 2.0 over HTTP/1.1 with Boost.Beast. The only translation unit of adapters_common that includes
// Beast/Asio (DESIGN.md rule 6). Synchronous from the caller's view: each network step is an asynchronous
// Beast operation on a private io_context run to completion, so that basic_stream's deadlines apply.
#include "causeway/adapters/common/json_rpc.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <openssl/evp.h>

#include <cassert>
#include <cctype>
#include <charconv>
#include <fstream>
#include <optional>
#include <unordered_map>
#include <utility>

namespace causeway::adapters {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = boost::asio::ip::tcp;
using json = nlohmann::json;

namespace {

constexpr std::size_t kMaxHeaderBytes = 16 * 1024;
constexpr std::size_t kMaxSnippet = 512;

// Printable-ASCII excerpt of untrusted text, for error details.
std::string snippet(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, kMaxSnippet)) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(u >= 0x20 && u < 0x7f ? c : '?');
  }
  if (s.size() > kMaxSnippet) out += "...";
  return out;
}

// Nesting depth of a JSON text (arrays and objects, strings skipped), computed before parsing so that a
// hostile response cannot make the parser or the value's destructor recurse deeply.
bool json_depth_ok(std::string_view text, std::size_t max_depth) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

bool is_timeout(const beast::error_code& ec) { return ec == beast::error::timeout; }

bool is_limit(const beast::error_code& ec) {
  return ec == http::error::body_limit || ec == http::error::header_limit || ec == http::error::buffer_overflow;
}

// The peer closed a (reused) connection before answering: the case a resend is safe for.
bool is_stale_close(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == net::error::eof || ec == net::error::connection_reset ||
         ec == net::error::broken_pipe || ec == net::error::connection_aborted;
}

// Checks one response object against the id sent. Returns the result member, or the error it carries.
Result<json> extract_response(json& resp, std::uint64_t id, const std::string& at) {
  if (!resp.is_object()) return fail(Code::RpcResponse, "response is not a JSON object", at);
  const auto version = resp.find("jsonrpc");
  if (version == resp.end() || !version->is_string() || version->get_ref<const std::string&>() != "2.0") {
    return fail(Code::RpcResponse, "response lacks \"jsonrpc\": \"2.0\"", at);
  }
  const auto result = resp.find("result");
  const auto error = resp.find("error");
  const bool has_result = result != resp.end();
  const bool has_error = error != resp.end();
  if (has_result == has_error) {
    return fail(Code::RpcResponse, "response must have exactly one of \"result\" and \"error\"", at);
  }
  const auto rid = resp.find("id");
  const bool id_matches = rid != resp.end() && rid->is_number_unsigned() && rid->get<std::uint64_t>() == id;
  // JSON-RPC 2.0 §5: an error about a request whose id could not be read carries id null.
  const bool null_id_error = has_error && rid != resp.end() && rid->is_null();
  if (!id_matches && !null_id_error) {
    return fail(Code::RpcResponse,
                "response id " + (rid == resp.end() ? std::string("(missing)") : snippet(rid->dump())) +
                    " does not match request id " + std::to_string(id),
                at);
  }
  if (has_error) {
    const json& e = *error;
    if (!e.is_object()) return fail(Code::RpcResponse, "\"error\" is not an object", at);
    const auto code = e.find("code");
    const auto message = e.find("message");
    if (code == e.end() || !code->is_number_integer() || message == e.end() || !message->is_string()) {
      return fail(Code::RpcResponse, "\"error\" lacks an integer \"code\" and a string \"message\"", at);
    }
    std::string detail =
        std::to_string(code->get<std::int64_t>()) + ": " + snippet(message->get_ref<const std::string&>());
    if (const auto data = e.find("data"); data != e.end()) {
      detail += " data=" + snippet(data->dump(-1, ' ', false, json::error_handler_t::replace));
    }
    return fail(Code::RpcError, std::move(detail), at);
  }
  return std::move(*result);
}

}  // namespace

// ---- credentials -----------------------------------------------------------------------------------

std::string base64_encode(std::string_view text) {
  std::string out(4 * ((text.size() + 2) / 3) + 1, '\0');  // EVP_EncodeBlock writes a trailing NUL
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  out.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
  return out;
}

Result<std::string> read_cookie_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Code::Io, "cannot read the cookie file", path);
  std::string text(1025, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > 1024) return fail(Code::InvalidArgument, "a cookie file is at most 1 KiB", path);
  if (!text.empty() && text.back() == '\n') text.pop_back();
  if (!text.empty() && text.back() == '\r') text.pop_back();
  for (const char ch : text)
    if (const auto c = static_cast<unsigned char>(ch); c < 0x20 || c == 0x7f)
      return fail(Code::InvalidArgument, "a cookie file is one line of text", path);
  const auto colon = text.find(':');
  if (colon == std::string::npos || colon == 0)
    return fail(Code::InvalidArgument, "a cookie file holds user:password", path);
  return text;
}

// ---- URL -------------------------------------------------------------------------------------------

Result<HttpUrl> parse_http_url(std::string_view url) {
  auto bad = [&](const std::string& why) { return fail(Code::InvalidArgument, "URL: " + why, "url"); };
  for (char c : url) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return bad("contains whitespace or a control character");
    if (c == '#') return bad("fragments are not allowed");
  }
  constexpr std::string_view kScheme = "http://";
  auto lower_prefix = [&](std::string_view p) {
    if (url.size() < p.size()) return false;
    for (std::size_t i = 0; i < p.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(url[i])) != p[i]) return false;
    }
    return true;
  };
  if (lower_prefix("https://")) return bad("https is not supported (use a TLS-terminating proxy on loopback)");
  if (!lower_prefix(kScheme)) return bad("scheme must be http://");
  std::string_view rest = url.substr(kScheme.size());
  const std::size_t auth_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, auth_end);
  std::string_view target = auth_end == std::string_view::npos ? std::string_view{} : rest.substr(auth_end);
  if (authority.find('@') != std::string_view::npos) return bad("user info is not allowed");

  HttpUrl out;
  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unterminated [IPv6] host");
    out.host = std::string(authority.substr(1, close - 1));
    for (char c : out.host) {
      if (!(std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.')) return bad("bad IPv6 host");
    }
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("junk after [IPv6] host");
      has_port = true;
      port_text = after.substr(1);
    }
  } else {
    const std::size_t colon = authority.find(':');
    if (colon != std::string_view::npos) {
      if (authority.find(':', colon + 1) != std::string_view::npos) return bad("IPv6 hosts need [brackets]");
      has_port = true;
      port_text = authority.substr(colon + 1);
      authority = authority.substr(0, colon);
    }
    out.host = std::string(authority);
    for (char c : out.host) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_')) {
        return bad("bad character in host");
      }
    }
  }
  if (out.host.empty()) return bad("empty host");
  if (has_port) {
    unsigned value = 0;
    const auto* first = port_text.data();
    const auto* last = port_text.data() + port_text.size();
    const auto [ptr, ec] = std::from_chars(first, last, value);
    if (port_text.empty() || ec != std::errc{} || ptr != last || value == 0 || value > 65535 ||
        port_text.front() == '+') {
      return bad("port must be 1..65535");
    }
    out.port = static_cast<std::uint16_t>(value);
  }
  if (target.empty()) {
    out.target = "/";
  } else if (target.front() == '?') {
    out.target = "/" + std::string(target);
  } else {
    out.target = std::string(target);
  }
  return out;
}

// ---- client ----------------------------------------------------------------------------------------

struct JsonRpcClient::Impl {
  HttpUrl url;
  RpcOptions opt;
  std::string host_header;
  std::string authorization;  // "Basic …" when opt.basic_auth is set
  net::io_context ioc{1};
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  std::uint64_t next_id = 1;
  std::uint64_t connections = 0;

  Impl(HttpUrl u, RpcOptions o) : url(std::move(u)), opt(std::move(o)) {
    const bool v6 = url.host.find(':') != std::string::npos;
    host_header = v6 ? "[" + url.host + "]" : url.host;
    if (url.port != 80) host_header += ":" + std::to_string(url.port);
    if (!opt.basic_auth.empty()) authorization = "Basic " + base64_encode(opt.basic_auth);
    else if (!opt.bearer_token.empty()) authorization = "Bearer " + opt.bearer_token;
  }

  // Starts one asynchronous operation and runs the context until it (and its deadline timer) completed.
  template <class Start>
  beast::error_code run_op(Start&& start) {
    beast::error_code result = net::error::would_block;
    bool done = false;
    std::forward<Start>(start)([&result, &done](beast::error_code ec, auto&&...) {
      result = ec;
      done = true;
    });
    ioc.restart();
    ioc.run();
    assert(done);
    return result;
  }

  void drop() noexcept {
    if (stream) {
      beast::error_code ignored;
      stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream->close();
      stream.reset();
    }
    buffer.clear();
    // Deliver any handler the close completed (none should remain after run_op).
    ioc.restart();
    ioc.poll();
  }

  Status connect(const std::string& at) {
    tcp::resolver resolver(ioc);
    beast::error_code ec;
    const auto endpoints = resolver.resolve(url.host, std::to_string(url.port), ec);
    if (ec) return fail(Code::RpcTransport, "resolving " + url.host + ": " + ec.message(), at);
    stream.emplace(ioc);
    stream->expires_after(opt.connect_timeout);
    ec = run_op([&](auto handler) { stream->async_connect(endpoints, std::move(handler)); });
    if (ec) {
      const bool timeout = is_timeout(ec);
      drop();
      if (timeout) {
        return fail(Code::RpcTimeout,
                    "connect to " + host_header + " timed out after " +
                        std::to_string(opt.connect_timeout.count()) + " ms",
                    at);
      }
      return fail(Code::RpcTransport, "connect to " + host_header + ": " + ec.message(), at);
    }
    beast::error_code ignored;
    stream->socket().set_option(tcp::no_delay(true), ignored);
    ++connections;
    return {};
  }

  struct HttpReply {
    unsigned status = 0;
    std::string body;
  };

  // One HTTP POST exchange, with the single resend on a stale keep-alive connection.
  // `get_target` non-empty: a GET of that target (no body) instead of the POST to url.target.
  // A POST of `body` to post_target (the URL's own target when empty), or a GET of get_target when set.
  Result<HttpReply> exchange(const std::string& body, const std::string& at, const std::string& get_target = {},
                             const std::string& post_target = {}) {
    for (int attempt = 0;; ++attempt) {
      const bool reused = stream.has_value();
      if (!reused) {
        if (auto st = connect(at); !st) return tl::unexpected(std::move(st.error()));
      }
      const bool is_get = !get_target.empty();
      http::request<http::string_body> req{is_get ? http::verb::get : http::verb::post,
                                           is_get ? get_target : (post_target.empty() ? url.target : post_target), 11};
      req.set(http::field::host, host_header);
      req.set(http::field::user_agent, opt.user_agent);
      if (!is_get) req.set(http::field::content_type, "application/json");
      req.set(http::field::accept, "application/json");
      if (!authorization.empty()) req.set(http::field::authorization, authorization);
      req.keep_alive(opt.keep_alive);
      if (!is_get) {
        req.body() = body;
        req.prepare_payload();
      }

      stream->expires_after(opt.write_timeout);
      beast::error_code ec = run_op([&](auto handler) { http::async_write(*stream, req, std::move(handler)); });
      if (ec) {
        drop();
        if (is_timeout(ec)) {
          return fail(Code::RpcTimeout,
                      "write timed out after " + std::to_string(opt.write_timeout.count()) + " ms", at);
        }
        if (reused && attempt == 0) continue;  // the idle connection was gone: resend once on a new one
        return fail(Code::RpcTransport, "write: " + ec.message(), at);
      }

      http::response_parser<http::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(kMaxHeaderBytes));
      parser.body_limit(static_cast<std::uint64_t>(opt.max_response_bytes));
      stream->expires_after(opt.read_timeout);
      ec = run_op([&](auto handler) { http::async_read(*stream, buffer, parser, std::move(handler)); });
      if (ec) {
        const bool nothing_received = !parser.got_some();
        drop();
        if (is_limit(ec)) {
          return fail(Code::TooLarge,
                      "response exceeds its bound (" + std::to_string(opt.max_response_bytes) +
                          " body bytes, " + std::to_string(kMaxHeaderBytes) + " header bytes): " + ec.message(),
                      at);
        }
        if (is_timeout(ec)) {
          return fail(Code::RpcTimeout,
                      "no complete response within " + std::to_string(opt.read_timeout.count()) + " ms", at);
        }
        if (reused && attempt == 0 && nothing_received && is_stale_close(ec)) continue;
        return fail(Code::RpcTransport, "read: " + ec.message(), at);
      }
      auto res = parser.release();
      if (!opt.keep_alive || !res.keep_alive()) drop();
      return HttpReply{res.result_int(), std::move(res.body())};
    }
  }

  // Sends `request`, parses the reply as JSON. HTTP status other than 200 is a transport error unless its
  // body is a JSON-RPC error (some nodes answer errors with 4xx/5xx), which the caller's checks report.
  Result<json> post_json(const json& request, const std::string& at) {
    const std::string body = request.dump(-1, ' ', false, json::error_handler_t::replace);
    auto reply = exchange(body, at);
    if (!reply) return tl::unexpected(std::move(reply.error()));
    const bool depth_ok = json_depth_ok(reply->body, opt.max_json_depth);
    json parsed = depth_ok ? json::parse(reply->body, nullptr, /*allow_exceptions=*/false) : json();
    const bool ok_json = depth_ok && !parsed.is_discarded();
    if (reply->status != 200) {
      const bool error_body = ok_json && (parsed.is_object() ? parsed.contains("error") : parsed.is_array());
      if (!error_body) {
        return fail(Code::RpcTransport,
                    "HTTP status " + std::to_string(reply->status) + ": " + snippet(reply->body), at);
      }
    }
    if (!depth_ok) {
      return fail(Code::RpcResponse,
                  "response nests deeper than " + std::to_string(opt.max_json_depth) + " levels", at);
    }
    if (!ok_json) return fail(Code::RpcResponse, "response is not JSON: " + snippet(reply->body), at);
    return parsed;
  }
};

JsonRpcClient::JsonRpcClient(HttpUrl url, RpcOptions options)
    : impl_(std::make_unique<Impl>(std::move(url), std::move(options))) {}
JsonRpcClient::~JsonRpcClient() {
  if (impl_) impl_->drop();
}
JsonRpcClient::JsonRpcClient(JsonRpcClient&&) noexcept = default;
JsonRpcClient& JsonRpcClient::operator=(JsonRpcClient&&) noexcept = default;

Result<JsonRpcClient> JsonRpcClient::create(std::string_view url, RpcOptions options) {
  auto parsed = parse_http_url(url);
  if (!parsed) return tl::unexpected(std::move(parsed.error()));
  return JsonRpcClient(std::move(*parsed), std::move(options));
}

Result<json> JsonRpcClient::call(std::string_view method, const json& params) {
  assert(params.is_array() || params.is_object());
  Impl& s = *impl_;
  const std::uint64_t id = s.next_id++;
  const std::string at(method);
  const json request = {{"jsonrpc", "2.0"}, {"id", id}, {"method", at}, {"params", params}};
  auto parsed = s.post_json(request, at);
  if (!parsed) return tl::unexpected(std::move(parsed.error()));
  if (parsed->is_array()) return fail(Code::RpcResponse, "a batch answer to a single call", at);
  return extract_response(*parsed, id, at);
}

Result<std::vector<Result<json>>> JsonRpcClient::call_batch(const std::vector<RpcCall>& calls) {
  if (calls.empty()) return fail(Code::InvalidArgument, "empty batch", "batch");
  Impl& s = *impl_;
  json request = json::array();
  std::unordered_map<std::uint64_t, std::size_t> index_of;
  const std::uint64_t first_id = s.next_id;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    assert(calls[i].params.is_array() || calls[i].params.is_object());
    const std::uint64_t id = s.next_id++;
    index_of.emplace(id, i);
    request.push_back({{"jsonrpc", "2.0"}, {"id", id}, {"method", calls[i].method}, {"params", calls[i].params}});
  }
  auto parsed = s.post_json(request, "batch");
  if (!parsed) return tl::unexpected(std::move(parsed.error()));
  if (parsed->is_object()) {
    // The whole batch was refused (e.g. batches unsupported, or too large for the node).
    auto whole = extract_response(*parsed, first_id, "batch");
    if (!whole) return tl::unexpected(std::move(whole.error()));
    return fail(Code::RpcResponse, "a single result answering a batch", "batch");
  }
  if (!parsed->is_array() || parsed->size() != calls.size()) {
    return fail(Code::RpcResponse,
                "batch answer must be an array of " + std::to_string(calls.size()) + " responses", "batch");
  }
  std::vector<std::optional<Result<json>>> slots(calls.size());
  for (json& item : *parsed) {
    const auto rid = item.is_object() ? item.find("id") : item.end();
    if (!item.is_object() || rid == item.end() || !rid->is_number_unsigned()) {
      return fail(Code::RpcResponse, "batch item without a numeric id", "batch");
    }
    const auto it = index_of.find(rid->get<std::uint64_t>());
    if (it == index_of.end() || slots[it->second].has_value()) {
      return fail(Code::RpcResponse, "batch item with an unknown or repeated id", "batch");
    }
    const std::string at = "batch[" + std::to_string(it->second) + "]";
    auto r = extract_response(item, it->first, at);
    if (!r && r.error().code == Code::RpcResponse) return tl::unexpected(std::move(r.error()));
    slots[it->second] = std::move(r);
  }
  std::vector<Result<json>> out;
  out.reserve(calls.size());
  for (auto& slot : slots) out.push_back(std::move(*slot));  // all filled: sizes equal, ids distinct
  return out;
}

Result<HttpResponse> JsonRpcClient::get(std::string_view target) {
  if (target.empty() || target.front() != '/')
    return fail(Code::InvalidArgument, "a GET target starts with '/'", "GET");
  for (char c : target)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      return fail(Code::InvalidArgument, "whitespace or control character in the GET target", "GET");
  auto reply = impl_->exchange({}, "GET " + std::string(target), std::string(target));
  if (!reply) return tl::unexpected(std::move(reply.error()));
  return HttpResponse{reply->status, std::move(reply->body)};
}

Result<HttpResponse> JsonRpcClient::post(std::string_view target, const std::string& body) {
  if (target.empty() || target.front() != '/')
    return fail(Code::InvalidArgument, "a POST target starts with '/'", "POST");
  for (char c : target)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      return fail(Code::InvalidArgument, "whitespace or control character in the POST target", "POST");
  auto reply = impl_->exchange(body, "POST " + std::string(target), {}, std::string(target));
  if (!reply) return tl::unexpected(std::move(reply.error()));
  return HttpResponse{reply->status, std::move(reply->body)};
}

void JsonRpcClient::close() noexcept { impl_->drop(); }
const HttpUrl& JsonRpcClient::url() const noexcept { return impl_->url; }
const RpcOptions& JsonRpcClient::options() const noexcept { return impl_->opt; }
std::uint64_t JsonRpcClient::connections_opened() const noexcept { return impl_->connections; }

}  // namespace causeway::adapters
