// See api_client.hpp.
#include "api_client.hpp"

#include <algorithm>
#include <cctype>
#include <iostream>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "causeway/adapters/common/json_rpc.hpp"

namespace causeway::app {

using nlohmann::json;

namespace {

// A relay's answer (status + body text) read into ApiAnswer: 2xx JSON ok, else the relay's error.
ApiAnswer answer_of(unsigned status, const std::string& text) {
  ApiAnswer a;
  json body = json::parse(text, nullptr, false);
  if (status >= 200 && status < 300 && !body.is_discarded()) {
    a.ok = true;
    a.body = std::move(body);
    return a;
  }
  a.failure.http_status = static_cast<int>(status);
  if (!body.is_discarded() && body.contains("error") && body["error"].is_object()) {
    a.failure.code = body["error"].value("code", "");
    a.failure.message = body["error"].value("message", "");
    if (body["error"].contains("details") && body["error"]["details"].contains("at"))
      a.failure.message += " (at " + body["error"]["details"]["at"].get<std::string>() + ")";
  } else {
    a.failure.code = "ERR_RPC_RESPONSE";
    a.failure.message = "HTTP " + std::to_string(status) + " without a JSON error body";
  }
  return a;
}

// GET (body empty) or POST (body set) of `target`, answered as ApiAnswer.
ApiAnswer api_exchange(const std::string& url, const std::string& target, const std::string* post_body,
                       const std::string& bearer_token = {}) {
  ApiAnswer a;
  adapters::RpcOptions o;
  o.bearer_token = bearer_token;
  o.connect_timeout = std::chrono::milliseconds(5'000);
  o.read_timeout = std::chrono::milliseconds(30'000);
  o.keep_alive = false;
  o.user_agent = "causeway-cli/1";
  auto client = adapters::JsonRpcClient::create(url, o);
  if (!client) {
    a.failure = ApiFailure{2, 0, std::string(code_name(client.error().code)), "--url: " + client.error().detail};
    return a;
  }
  auto r = post_body != nullptr ? client->post(target, *post_body) : client->get(target);
  if (!r) {
    a.failure = ApiFailure{1, 0, std::string(code_name(r.error().code)),
                           "cannot reach the relay at " + url + ": " + r.error().detail};
    return a;
  }
  return answer_of(r->status, r->body);
}

}  // namespace

ApiAnswer api_get(const std::string& url, const std::string& target) { return api_exchange(url, target, nullptr); }

ApiAnswer api_post(const std::string& url, const std::string& target, const std::string& body,
                   const std::string& bearer_token) {
  return api_exchange(url, target, &body, bearer_token);
}

ApiAnswer api_put(const std::string& url, const std::string& target, const std::string& body,
                  const std::string& bearer_token) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  using tcp = boost::asio::ip::tcp;
  ApiAnswer a;
  auto u = adapters::parse_http_url(url);
  if (!u) {
    a.failure = ApiFailure{2, 0, std::string(code_name(u.error().code)), "--url: " + u.error().detail};
    return a;
  }
  auto transport = [&](const std::string& what) {
    a.failure = ApiFailure{1, 0, "ERR_RPC_TRANSPORT", "cannot reach the relay at " + url + ": " + what};
    return a;
  };
  boost::asio::io_context io;
  tcp::resolver resolver(io);
  beast::tcp_stream stream(io);
  beast::error_code ec;
  const auto endpoints = resolver.resolve(u->host, std::to_string(u->port), ec);
  if (ec) return transport(ec.message());
  stream.expires_after(std::chrono::seconds(5));
  stream.connect(endpoints, ec);
  if (ec) return transport(ec.message());
  http::request<http::string_body> req{http::verb::put, target, 11};
  req.set(http::field::host, u->host + ":" + std::to_string(u->port));
  req.set(http::field::user_agent, "causeway-cli/1");
  req.set(http::field::content_type, "application/json");
  req.set(http::field::accept, "application/json");
  if (!bearer_token.empty()) req.set(http::field::authorization, "Bearer " + bearer_token);
  req.keep_alive(false);
  req.body() = body;
  req.prepare_payload();
  stream.expires_after(std::chrono::seconds(30));
  http::write(stream, req, ec);
  if (ec) return transport(ec.message());
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(4u << 20);
  http::read(stream, buffer, parser, ec);
  if (ec) return transport(ec.message());
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  return answer_of(parser.get().result_int(), parser.get().body());
}

std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '.' || c == '_' || c == '~' || c == '-') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

int report_failure(const ApiFailure& f, bool json_out) {
  if (json_out) {
    json e = {{"code", f.code}, {"message", f.message}};
    if (f.http_status != 0) e["http_status"] = f.http_status;
    std::cout << json{{"ok", false}, {"error", e}}.dump(2) << "\n";
  } else {
    std::cerr << "error: " << f.code << ": " << f.message
              << (f.http_status != 0 ? " (HTTP " + std::to_string(f.http_status) + ")" : "") << "\n";
  }
  return f.exit_code;
}

void print_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> w(header.size(), 0);
  for (std::size_t i = 0; i < header.size(); ++i) w[i] = header[i].size();
  for (const auto& r : rows)
    for (std::size_t i = 0; i < r.size() && i < w.size(); ++i) w[i] = std::max(w[i], r[i].size());
  auto line = [&](const std::vector<std::string>& r) {
    std::string s;
    for (std::size_t i = 0; i < w.size(); ++i) {
      const std::string& c = i < r.size() ? r[i] : std::string();
      s += c;
      if (i + 1 < w.size()) s += std::string(w[i] - c.size() + 2, ' ');
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    std::cout << s << "\n";
  };
  line(header);
  for (const auto& r : rows) line(r);
}

std::string cell(const json& v) {
  if (v.is_null()) return "-";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

}  // namespace causeway::app
