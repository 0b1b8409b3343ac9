// The gateway server over real sockets (issue #6 "Server"; attack case A29): the real gateway::Server on an
// ephemeral 127.0.0.1 port with test routes, driven by a Beast client. Every A29 case also checks that a
// well-behaved client on another connection is served within a generous deadline (5 s) meanwhile.
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <thread>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "causeway/gateway/json_body.hpp"
#include "causeway/gateway/server.hpp"
#include "causeway/gateway/stream.hpp"

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using namespace causeway;
using namespace causeway::gateway;
using namespace std::chrono_literals;

namespace {

constexpr auto kGenerous = 5s;

struct Reply {
  int status = 0;
  std::string body;
  std::string code;  // error.code when the body is an error
};

Reply to_reply(const http::response<http::string_body>& res) {
  Reply r{static_cast<int>(res.result_int()), res.body(), {}};
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (j.is_object() && j.contains("error")) r.code = j["error"].value("code", "");
  return r;
}

// A TCP connection from `from` (a loopback address: 127.0.0.2 is "another client address").
beast::tcp_stream connect(std::uint16_t port, const std::string& from = "127.0.0.1") {
  net::io_context& ioc = *new net::io_context;  // one per connection, leaked on purpose: tests only
  beast::tcp_stream s(ioc);
  s.socket().open(tcp::v4());
  s.socket().bind(tcp::endpoint(net::ip::make_address(from), 0));
  s.socket().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  return s;
}

Reply request(beast::tcp_stream& s, http::verb method, const std::string& target, const std::string& body = "",
              std::vector<std::pair<std::string, std::string>> headers = {}) {
  http::request<http::string_body> req(method, target, 11);
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::content_type, "application/json");
  for (auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  req.keep_alive(true);
  // A server that refuses a body (413) answers before reading it and closes: the rest of our write may then
  // fail (EPIPE/ECONNRESET) although the answer is already on its way — read it, and report the write error
  // only when there is no answer.
  beast::error_code write_ec;
  http::write(s, req, write_ec);
  beast::flat_buffer buf;
  http::response_parser<http::string_body> p;
  p.body_limit(64u << 20);
  beast::error_code read_ec;
  http::read(s, buf, p, read_ec);
  if (read_ec) throw beast::system_error(write_ec ? write_ec : read_ec);
  return to_reply(p.get());
}

Reply get(std::uint16_t port, const std::string& target, const std::string& from = "127.0.0.1") {
  auto s = connect(port, from);
  return request(s, http::verb::get, target);
}

// A well-behaved client on its own connection: GET /ok answered 200 within the generous deadline.
bool served_meanwhile(std::uint16_t port, const std::string& from = "127.0.0.1") {
  auto f = std::async(std::launch::async, [port, from] {
    try {
      auto s = connect(port, from);
      s.expires_after(kGenerous);
      return request(s, http::verb::get, "/ok").status == 200;
    } catch (...) {
      return false;
    }
  });
  return f.wait_for(kGenerous) == std::future_status::ready && f.get();
}

void add_test_routes(Server& server) {
  server.route("GET", "/ok", [](const Request&, Respond respond) { respond(Response{200, R"({"ok":true})"}); });
  server.route("POST", "/echo", [](const Request& req, Respond respond) {
    respond(Response{200, nlohmann::json{{"bytes", req.body.size()}}.dump()});
  });
  server.route("POST", "/big", [](const Request& req, Respond respond) {
    respond(Response{200, nlohmann::json{{"bytes", req.body.size()}}.dump()});
  }, RouteOptions{4u << 20});
  server.route("POST", "/json", [](const Request& req, Respond respond) {
    auto doc = parse_json_body(req, "stream-message");
    if (!doc) return respond(error_response(doc.error()));
    respond(Response{200, doc->dump()});
  });
}

ServerOptions test_options() {
  ServerOptions o;
  o.port = 0;
  o.threads = 2;
  return o;
}

std::string temp_dir(const std::string& name) {
  auto p = std::filesystem::temp_directory_path() / ("causeway-gw-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p.string();
}

}  // namespace

TEST_CASE("keep-alive: three requests on one connection are answered on that one connection", "[gateway]") {
  Server server(test_options());
  add_test_routes(server);
  const auto port = server.start().value();
  auto s = connect(port);
  for (int i = 0; i < 3; ++i) {
    auto r = request(s, http::verb::post, "/echo", std::string(10, 'x'));
    CHECK(r.status == 200);
    CHECK(r.body == R"({"bytes":10})");
  }
  CHECK(server.stats().connections == 1);
  server.stop();
}

TEST_CASE("unknown route is 404 and the connection stays usable", "[gateway]") {
  Server server(test_options());
  add_test_routes(server);
  const auto port = server.start().value();
  auto s = connect(port);
  CHECK(request(s, http::verb::get, "/nope").status == 404);
  CHECK(request(s, http::verb::get, "/ok").status == 200);
}

TEST_CASE("TLS: a request over TLS with a self-signed certificate made at test time is answered", "[gateway]") {
  const std::string dir = temp_dir("tls");
  const std::string cert = dir + "/cert.pem", key = dir + "/key.pem";
  const std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " + key +
                          " -out " + cert + " -days 1 -subj /CN=127.0.0.1 >/dev/null 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
  ::chmod(key.c_str(), 0600);
  ServerOptions o = test_options();
  o.tls_cert_file = cert;
  o.tls_key_file = key;
  Server server(o);
  add_test_routes(server);
  const auto port = server.start().value();

  net::io_context ioc;
  ssl::context ctx(ssl::context::tls_client);
  ctx.load_verify_file(cert);
  ctx.set_verify_mode(ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> s(ioc, ctx);
  beast::get_lowest_layer(s).connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  beast::get_lowest_layer(s).expires_after(kGenerous);
  s.handshake(ssl::stream_base::client);
  for (int i = 0; i < 2; ++i) {  // keep-alive over TLS too
    http::request<http::string_body> req(http::verb::get, "/ok", 11);
    req.set(http::field::host, "127.0.0.1");
    http::write(s, req);
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    http::read(s, buf, res);
    CHECK(res.result_int() == 200);
    CHECK(res.body() == R"({"ok":true})");
  }
  // A plain-HTTP client gets no answer from the TLS port (the handshake fails).
  auto plain = connect(port);
  plain.expires_after(kGenerous);
  CHECK_THROWS(request(plain, http::verb::get, "/ok"));
  server.stop();

  SECTION("a TLS key readable by group is refused at start") {
    ::chmod(key.c_str(), 0640);
    Server bad(o);
    auto r = bad.start();
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Code::KeyPermissions);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("A29 Content-Length 18446744073709551613 with a trickled body is answered 413 before the body is read while another client is served", "[gateway][A29]") {
  Server server(test_options());
  add_test_routes(server);
  const auto port = server.start().value();
  auto s = connect(port);
  s.expires_after(kGenerous);
  const std::string head = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                           "Content-Length: 18446744073709551613\r\n\r\n{";
  net::write(s, net::buffer(head));
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(s, buf, res);
  CHECK(res.result_int() == 413);
  CHECK(to_reply(res).code == "ERR_TOO_LARGE");
  CHECK_FALSE(res.keep_alive());
  CHECK(served_meanwhile(port));
}

TEST_CASE("A29 body limit is per route: 1 MiB by default, 4 MiB where the route allows it", "[gateway][A29]") {
  Server server(test_options());
  add_test_routes(server);
  const auto port = server.start().value();
  const std::string two_mib(2u << 20, 'x');
  {
    auto s = connect(port);
    auto r = request(s, http::verb::post, "/echo", two_mib);
    CHECK(r.status == 413);
    CHECK(r.code == "ERR_TOO_LARGE");
  }
  {
    auto s = connect(port);
    auto r = request(s, http::verb::post, "/big", two_mib);
    CHECK(r.status == 200);
    CHECK(r.body == R"({"bytes":2097152})");
  }
  {
    auto s = connect(port);
    CHECK(request(s, http::verb::post, "/echo", std::string(1u << 20, 'x')).status == 200);  // exactly the cap
  }
  CHECK(served_meanwhile(port));
}

TEST_CASE("A29 a chunked body is cut with 413 as soon as it passes the cap", "[gateway][A29]") {
  Server server(test_options());
  add_test_routes(server);
  const auto port = server.start().value();
  auto s = connect(port);
  s.expires_after(kGenerous);
  std::string msg = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  net::write(s, net::buffer(msg));
  const std::string chunk(64u << 10, 'x');
  char size_line[32];
  std::snprintf(size_line, sizeof size_line, "%zx\r\n", chunk.size());
  beast::flat_buffer buf;
  // Send up to 2 MiB in 64 KiB chunks; the server answers 413 once 1 MiB has passed (writes may then fail).
  for (int i = 0; i < 32; ++i) {
    beast::error_code ec;
    net::write(s, net::buffer(std::string(size_line) + chunk + "\r\n"), ec);
    if (ec) break;
  }
  http::response<http::string_body> res;
  beast::error_code ec;
  http::read(s, buf, res, ec);
  if (!ec) {
    CHECK(res.result_int() == 413);
    CHECK(to_reply(res).code == "ERR_TOO_LARGE");
  } else {
    SUCCEED("the server closed the connection after its 413 while we were still writing");
  }
  CHECK(served_meanwhile(port));
}

TEST_CASE("A29 a request header over 16 KiB is answered 431 while another client is served", "[gateway][A29]") {
  Server server(test_options());
  add_test_routes(server);
  const auto port = server.start().value();
  auto s = connect(port);
  s.expires_after(kGenerous);
  auto r = request(s, http::verb::get, "/ok", "", {{"X-Big", std::string(17u << 10, 'a')}});
  CHECK(r.status == 431);
  CHECK(r.code == "ERR_TOO_LARGE");
  {
    auto s2 = connect(port);
    CHECK(request(s2, http::verb::get, "/ok", "", {{"X-Fits", std::string(8u << 10, 'a')}}).status == 200);
  }
  CHECK(served_meanwhile(port));
}

TEST_CASE("A29 JSON nested 100,000 deep is refused 400 by the depth scan, 64 levels are accepted", "[gateway][A29]") {
  Server server(test_options());
  add_test_routes(server);
  const auto port = server.start().value();
  {
    auto s = connect(port);
    auto r = request(s, http::verb::post, "/json", std::string(100000, '['));
    CHECK(r.status == 400);
    CHECK(r.code == "ERR_BUNDLE_PARSE");
    CHECK(r.body.find("nesting deeper than 64") != std::string::npos);
  }
  auto nested = [](std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  CHECK(parse_json_bounded(nested(64)).has_value());
  auto deep = parse_json_bounded(nested(65));
  REQUIRE_FALSE(deep);
  CHECK(deep.error().code == Code::BundleParse);
  // Brackets inside strings do not count.
  CHECK(parse_json_bounded("[\"" + std::string(1000, '[') + "\"]").has_value());
  CHECK(served_meanwhile(port));
}

TEST_CASE("JSON bodies: schema violations are 400 ERR_BODY_SCHEMA with the failing path; duplicate keys are refused", "[gateway]") {
  Server server(test_options());
  add_test_routes(server);
  const auto port = server.start().value();
  auto s = connect(port);
  auto ok = request(s, http::verb::post, "/json", R"({"subscribe":{"packet":"p1"}})");
  CHECK(ok.status == 200);
  auto bad = request(s, http::verb::post, "/json", R"({"subscribe":{"sth":false}})");
  CHECK(bad.status == 400);
  CHECK(bad.code == "ERR_BODY_SCHEMA");
  auto j = nlohmann::json::parse(bad.body);
  CHECK(j["error"]["details"]["at"] == "subscribe.sth");
  auto dup = request(s, http::verb::post, "/json", R"({"subscribe":{"packet":"a"},"subscribe":{"packet":"b"}})");
  CHECK(dup.status == 400);
  CHECK(dup.code == "ERR_BUNDLE_PARSE");
  // A repeated empty key too (A02): the gateway parses with relay/proofs' strict parser.
  auto empty_dup = parse_json_bounded(R"({"":1,"":2})");
  REQUIRE_FALSE(empty_dup.has_value());
  CHECK(empty_dup.error().code == Code::BundleParse);
  CHECK(empty_dup.error().detail == "duplicate key \"\" in an object");
  auto notjson = request(s, http::verb::post, "/json", "{");
  CHECK(notjson.code == "ERR_BUNDLE_PARSE");
  CHECK_FALSE(embedded_schema("proof-bundle.schema.json").empty());
  CHECK(embedded_schema("no-such") == "");
}

TEST_CASE("A29 slowloris headers are cut at the read timeout while another client is served", "[gateway][A29]") {
  ServerOptions o = test_options();
  o.read_timeout_ms = 1000;
  Server server(o);
  add_test_routes(server);
  const auto port = server.start().value();
  auto s = connect(port);
  auto& sock = s.socket();
  const auto t0 = std::chrono::steady_clock::now();
  net::write(sock, net::buffer(std::string("GET /ok HTTP/1.1\r\n")));
  sock.non_blocking(true);
  bool closed = false;
  const std::string drip = "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
  for (std::size_t i = 0; i < 100 && !closed; ++i) {  // one byte every 50 ms, for at most 5 s
    beast::error_code ec;
    sock.write_some(net::buffer(&drip[i % drip.size()], 1), ec);
    if (ec && ec != net::error::would_block) closed = true;
    char c;
    sock.read_some(net::buffer(&c, 1), ec);
    if (ec && ec != net::error::would_block) closed = true;
    if (i == 10) CHECK(served_meanwhile(port));  // while the slow client holds its connection
    std::this_thread::sleep_for(50ms);
  }
  const auto took = std::chrono::steady_clock::now() - t0;
  CHECK(closed);
  CHECK(took >= 900ms);  // not before the read timeout
  CHECK(took < kGenerous);
  CHECK(served_meanwhile(port));
}

TEST_CASE("A29 an idle keep-alive connection is closed after the idle timeout", "[gateway][A29]") {
  ServerOptions o = test_options();
  o.idle_timeout_ms = 300;
  Server server(o);
  add_test_routes(server);
  const auto port = server.start().value();
  auto s = connect(port);
  CHECK(request(s, http::verb::get, "/ok").status == 200);
  s.expires_after(kGenerous);
  char c;
  beast::error_code ec;
  s.socket().read_some(net::buffer(&c, 1), ec);  // blocks until the server closes
  CHECK(ec == net::error::eof);
}

TEST_CASE("A29 connections over the per-IP cap are refused while a client from another address is served", "[gateway][A29]") {
  ServerOptions o = test_options();
  o.max_connections_per_ip = 4;
  Server server(o);
  add_test_routes(server);
  const auto port = server.start().value();
  std::vector<beast::tcp_stream> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(connect(port));
    CHECK(request(held.back(), http::verb::get, "/ok").status == 200);  // accepted and counted
  }
  auto extra = connect(port);
  extra.expires_after(kGenerous);
  bool refused = false;
  try {
    auto r = request(extra, http::verb::get, "/ok");
    refused = r.status == 429 && r.code == "ERR_RATE_LIMITED";
  } catch (const std::exception&) {
    refused = true;  // the 429 raced our request: the connection was closed under it
  }
  CHECK(refused);
  CHECK(server.stats().refused_connections == 1);
  CHECK(served_meanwhile(port, "127.0.0.2"));
  held.clear();
  // Once the held connections close, the address is welcome again.
  for (int i = 0; i < 100 && server.stats().connections > 0; ++i) std::this_thread::sleep_for(10ms);
  CHECK(get(port, "/ok").status == 200);
}

TEST_CASE("A29 max total connections is a hard cap", "[gateway][A29]") {
  ServerOptions o = test_options();
  o.max_connections = 2;
  Server server(o);
  add_test_routes(server);
  const auto port = server.start().value();
  auto a = connect(port, "127.0.0.1");
  auto b = connect(port, "127.0.0.2");
  CHECK(request(a, http::verb::get, "/ok").status == 200);
  CHECK(request(b, http::verb::get, "/ok").status == 200);
  auto c = connect(port, "127.0.0.3");
  c.expires_after(kGenerous);
  bool refused = false;
  try {
    refused = request(c, http::verb::get, "/ok").status == 429;
  } catch (const std::exception&) {
    refused = true;
  }
  CHECK(refused);
  CHECK(server.stats().refused_connections == 1);
}

TEST_CASE("A29 request flood from one address is answered 429 while another address is served", "[gateway][A29]") {
  std::atomic<std::uint64_t> now{1'000'000};
  ServerOptions o = test_options();
  o.rate_per_ip = 10;
  o.burst_per_ip = 20;
  o.clock_ms = [&now] { return now.load(); };  // frozen: the bucket refills only when the test says so
  Server server(o);
  add_test_routes(server);
  const auto port = server.start().value();
  auto s = connect(port);
  int ok = 0, limited = 0;
  for (int i = 0; i < 100; ++i) {
    auto r = request(s, http::verb::get, "/ok");
    if (r.status == 200) ++ok;
    if (r.status == 429 && r.code == "ERR_RATE_LIMITED") ++limited;
  }
  CHECK(ok == 20);        // the burst
  CHECK(limited == 80);   // the rest, on the same keep-alive connection
  CHECK(server.stats().rate_limited == 80);
  CHECK(served_meanwhile(port, "127.0.0.2"));
  now += 500;             // half a second refills 5 tokens
  int after = 0;
  for (int i = 0; i < 10; ++i) after += request(s, http::verb::get, "/ok").status == 200;
  CHECK(after == 5);
}

namespace {

struct WsClient {
  net::io_context ioc;
  websocket::stream<beast::tcp_stream> ws{ioc};
  explicit WsClient(std::uint16_t port, const std::string& path = "/v1/stream") {
    beast::get_lowest_layer(ws).connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    ws.handshake("127.0.0.1", path);
    ws.read_message_max(64u << 20);
  }
  nlohmann::json send(const nlohmann::json& j) {
    ws.write(net::buffer(j.dump()));
    return read();
  }
  nlohmann::json read() {
    beast::flat_buffer b;
    ws.read(b);
    return nlohmann::json::parse(beast::buffers_to_string(b.data()));
  }
};

}  // namespace

TEST_CASE("stream: a subscriber receives the events of its topics only, and can unsubscribe", "[gateway][stream]") {
  Server server(test_options());
  add_test_routes(server);
  StreamHub hub;
  hub.attach(server);
  const auto port = server.start().value();
  WsClient a(port), b(port);
  CHECK(a.send({{"subscribe", {{"packet", "p1"}}}}) == nlohmann::json{{"subscribed", {{"packet", "p1"}}}});
  CHECK(b.send({{"subscribe", {{"channel", "isl/ch-0"}}}}) == nlohmann::json{{"subscribed", {{"channel", "isl/ch-0"}}}});
  CHECK(b.send({{"subscribe", {{"sth", true}}}})["subscribed"]["sth"] == true);
  auto bad = a.send({{"subscribe", {{"sth", false}}}});
  CHECK(bad["error"]["code"] == "ERR_BODY_SCHEMA");
  auto notjson = a.send("nope");  // a JSON string, not an object
  CHECK(notjson["error"]["code"] == "ERR_BODY_SCHEMA");
  CHECK(hub.stats().subscriptions == 3);
  hub.publish("packet", "p2", {{"stage", "attested"}});  // nobody
  hub.publish("packet", "p1", {{"stage", "attested"}});
  hub.publish("channel", "isl/ch-0", {{"stage", "delivered"}});
  hub.publish("sth", "", {{"tree_size", 7}});
  CHECK(a.read() == nlohmann::json{{"kind", "packet"}, {"key", "p1"}, {"event", {{"stage", "attested"}}}});
  CHECK(b.read()["event"]["stage"] == "delivered");
  CHECK(b.read()["event"]["tree_size"] == 7);
  CHECK(a.send({{"unsubscribe", {{"packet", "p1"}}}}) == nlohmann::json{{"unsubscribed", {{"packet", "p1"}}}});
  CHECK(hub.stats().subscriptions == 2);
  CHECK(hub.stats().delivered == 3);
  a.ws.close(websocket::close_code::normal);
  for (int i = 0; i < 200 && hub.stats().sessions != 1; ++i) std::this_thread::sleep_for(10ms);
  CHECK(hub.stats().sessions == 1);
}  // b closes before the server stops (a WebSocket still open at stop() gets 1001 and up to the grace period)

TEST_CASE("A29 a 64 MiB WebSocket frame is closed with 1009 before its payload is read while another client is served", "[gateway][A29][stream]") {
  Server server(test_options());
  add_test_routes(server);
  StreamHub hub;
  hub.attach(server);
  const auto port = server.start().value();
  WsClient c(port);
  // A masked binary frame header declaring 64 MiB, and no payload: the server must decide from the header.
  std::uint8_t frame[14] = {0x82, 0xFF, 0, 0, 0, 0, 0x04, 0, 0, 0, 1, 2, 3, 4};
  beast::get_lowest_layer(c.ws).expires_after(kGenerous);
  net::write(beast::get_lowest_layer(c.ws), net::buffer(frame, sizeof frame));
  beast::flat_buffer b;
  beast::error_code ec;
  c.ws.read(b, ec);
  CHECK(ec == websocket::error::closed);
  CHECK(c.ws.reason().code == kWsCloseTooBig);
  CHECK(served_meanwhile(port));
}

TEST_CASE("A29 a WebSocket client that never reads is closed with 1008 slow consumer and its queue never exceeds the cap", "[gateway][A29][stream]") {
  ServerOptions o = test_options();
  Server server(o);
  add_test_routes(server);
  StreamHub hub;
  hub.attach(server);
  const auto port = server.start().value();
  WsClient slow(port);
  REQUIRE(slow.send({{"subscribe", {{"alerts", true}}}}).contains("subscribed"));
  // Now it stops reading. Publish 64 KiB events until the server gives up on it.
  const nlohmann::json event = {{"pad", std::string(64u << 10, 'a')}};
  int published = 0;
  for (; published < 20000 && server.stats().ws_slow_closed == 0; ++published) hub.publish("alerts", "", event);
  CHECK(server.stats().ws_slow_closed == 1);
  CHECK(server.stats().ws_queue_high_water == o.ws_queue_messages);  // reached, never exceeded
  CHECK(published < 20000);
  CHECK(served_meanwhile(port));
  // Draining now, the client finds its backlog then the close frame: 1008 "slow consumer".
  beast::get_lowest_layer(slow.ws).expires_after(30s);
  beast::flat_buffer b;
  beast::error_code ec;
  std::size_t got = 0;
  while (!ec) {
    b.consume(b.size());
    slow.ws.read(b, ec);
    if (!ec) ++got;
  }
  CHECK(ec == websocket::error::closed);
  CHECK(slow.ws.reason().code == kWsCloseSlowConsumer);
  CHECK(std::string(slow.ws.reason().reason.c_str()) == "slow consumer");
  CHECK(got < static_cast<std::size_t>(published));
  for (int i = 0; i < 200 && hub.stats().sessions != 0; ++i) std::this_thread::sleep_for(10ms);
  CHECK(hub.stats().sessions == 0);
}

TEST_CASE("graceful stop: a response in flight is still delivered, then the server is down", "[gateway]") {
  ServerOptions o = test_options();
  o.shutdown_grace_ms = 3000;
  Server server(o);
  std::promise<void> entered;
  server.route("GET", "/slow", [&entered](const Request&, Respond respond) {
    entered.set_value();
    std::thread([respond] {
      std::this_thread::sleep_for(300ms);
      respond(Response{200, R"({"late":true})"});
    }).detach();
  });
  const auto port = server.start().value();
  auto f = std::async(std::launch::async, [port] {
    auto s = connect(port);
    s.expires_after(kGenerous);
    return request(s, http::verb::get, "/slow");
  });
  entered.get_future().wait();
  server.stop();
  auto r = f.get();
  CHECK(r.status == 200);
  CHECK(r.body == R"({"late":true})");
  CHECK_THROWS(get(port, "/slow"));  // no longer accepting
}
