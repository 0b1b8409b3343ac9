// adapters/common JsonRpcClient against an in-process fake HTTP server on 127.0.0.1 (plain POSIX sockets, so
// this test does not pull Beast in): results, JSON-RPC errors, malformed answers, size caps before buffering,
// timeouts, keep-alive and its stale-connection resend, batches, URL parsing.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "causeway/adapters/common/json_rpc.hpp"

namespace {

using causeway::Code;
using causeway::adapters::HttpUrl;
using causeway::adapters::JsonRpcClient;
using causeway::adapters::RpcCall;
using causeway::adapters::RpcOptions;
using json = nlohmann::json;

struct Request {
  std::string head;
  std::string body;
  int connection = 0;  // 1-based index of the TCP connection it came on
};

struct Reply {
  std::string raw;            // bytes to send (may be empty)
  bool close_after = false;   // close the connection after sending (without telling the client)
  bool hang = false;          // send `raw`, then never answer; hold the connection until the client leaves
};

std::string http_response(const std::string& body, const std::string& status = "200 OK",
                          const std::string& extra_headers = "") {
  return "HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n" + extra_headers + "\r\n" + body;
}

std::string rpc_result(const json& req, const json& result) {
  return json{{"jsonrpc", "2.0"}, {"id", req.at("id")}, {"result", result}}.dump();
}

// One connection at a time (the client is synchronous), keep-alive supported.
class FakeServer {
 public:
  using Handler = std::function<Reply(const Request&)>;

  explicit FakeServer(Handler handler) : handler_(std::move(handler)) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(listen_fd_ >= 0);
    int one = 1;
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    REQUIRE(bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(listen(listen_fd_, 8) == 0);
    REQUIRE(getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }

  ~FakeServer() {
    stop_ = true;
    thread_.join();
    close(listen_fd_);
  }

  std::uint16_t port() const { return port_; }
  HttpUrl url() const { return HttpUrl{"127.0.0.1", port_, "/rpc"}; }
  int accepted() const { return accepted_; }

 private:
  // Waits until fd is readable or the server stops. Returns false on stop.
  bool wait_readable(int fd) {
    while (!stop_) {
      pollfd p{fd, POLLIN, 0};
      const int r = poll(&p, 1, 20);
      if (r > 0) return true;
    }
    return false;
  }

  // Reads one request; false when the peer closed or the server stops.
  bool read_request(int fd, std::string& buffer, Request& req) {
    for (;;) {
      const std::size_t end = buffer.find("\r\n\r\n");
      if (end != std::string::npos) {
        req.head = buffer.substr(0, end);
        std::size_t length = 0;
        std::string lower;
        for (char c : req.head) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
        const std::size_t cl = lower.find("content-length:");
        if (cl != std::string::npos) length = std::stoul(req.head.substr(cl + 15));
        if (buffer.size() >= end + 4 + length) {
          req.body = buffer.substr(end + 4, length);
          buffer.erase(0, end + 4 + length);
          return true;
        }
      }
      if (!wait_readable(fd)) return false;
      char chunk[4096];
      const ssize_t n = recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) return false;
      buffer.append(chunk, static_cast<std::size_t>(n));
    }
  }

  void send_all(int fd, const std::string& data) {
    std::size_t off = 0;
    while (off < data.size()) {
      const ssize_t n = send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return;
      off += static_cast<std::size_t>(n);
    }
  }

  void serve() {
    while (!stop_) {
      if (!wait_readable(listen_fd_)) return;
      const int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      const int connection = ++accepted_;
      std::string buffer;
      Request req;
      while (read_request(fd, buffer, req)) {
        req.connection = connection;
        const Reply reply = handler_(req);
        send_all(fd, reply.raw);
        if (reply.hang) {
          char sink[4096];
          while (wait_readable(fd) && recv(fd, sink, sizeof sink, 0) > 0) {
          }
          break;
        }
        if (reply.close_after) break;
      }
      close(fd);
    }
  }

  Handler handler_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

RpcOptions quick_options() {
  RpcOptions o;
  o.connect_timeout = std::chrono::milliseconds(5000);
  o.write_timeout = std::chrono::milliseconds(5000);
  o.read_timeout = std::chrono::milliseconds(10000);
  return o;
}

Reply echo_method(const Request& r) {
  const json req = json::parse(r.body);
  return {http_response(rpc_result(req, req.at("method"))), false, false};
}

}  // namespace

TEST_CASE("json-rpc: a call returns the result and keeps the connection alive", "[adapters][json_rpc]") {
  std::string last_head;
  std::string last_body;
  FakeServer server([&](const Request& r) {  // runs on the server thread: record, check on the test thread
    last_head = r.head;
    last_body = r.body;
    const json req = json::parse(r.body);
    return Reply{http_response(rpc_result(req, {{"method", req.at("method")}, {"id", req.at("id")}})), false, false};
  });
  JsonRpcClient client(server.url(), quick_options());
  for (int i = 1; i <= 3; ++i) {
    auto r = client.call("eth_test", json::array({1, "two"}));
    REQUIRE(r.has_value());
    CHECK(r->at("method") == "eth_test");
    CHECK(r->at("id") == i);
  }
  CHECK(client.connections_opened() == 1);
  CHECK(server.accepted() == 1);
  CHECK(last_head.rfind("POST /rpc HTTP/1.1", 0) == 0);
  CHECK(last_head.find("Content-Type: application/json") != std::string::npos);
  const json sent = json::parse(last_body);
  CHECK(sent.at("jsonrpc") == "2.0");
  CHECK(sent.at("method") == "eth_test");
  CHECK(sent.at("params") == json::array({1, "two"}));
}

TEST_CASE("json-rpc: a JSON-RPC error object is ERR_RPC_ERROR with its code", "[adapters][json_rpc]") {
  FakeServer server([](const Request& r) {
    const json req = json::parse(r.body);
    const json body = {{"jsonrpc", "2.0"},
                       {"id", req.at("id")},
                       {"error", {{"code", -32601}, {"message", "the method does not exist"}, {"data", "x"}}}};
    return Reply{http_response(body.dump()), false, false};
  });
  JsonRpcClient client(server.url(), quick_options());
  auto r = client.call("nope");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Code::RpcError);
  CHECK(r.error().detail.rfind("-32601: the method does not exist", 0) == 0);
  CHECK(r.error().detail.find("data=\"x\"") != std::string::npos);
  CHECK(r.error().at == "nope");
}

TEST_CASE("json-rpc: malformed answers are ERR_RPC_RESPONSE", "[adapters][json_rpc]") {
  std::string mode;
  FakeServer server([&](const Request& r) {
    const json req = json::parse(r.body);
    const json id = req.at("id");
    std::string body;
    if (mode == "not-json") body = "<html>hello</html>";
    if (mode == "wrong-id") body = json{{"jsonrpc", "2.0"}, {"id", id.get<int>() + 1}, {"result", 1}}.dump();
    if (mode == "string-id") body = json{{"jsonrpc", "2.0"}, {"id", std::to_string(id.get<int>())}, {"result", 1}}.dump();
    if (mode == "no-version") body = json{{"id", id}, {"result", 1}}.dump();
    if (mode == "old-version") body = json{{"jsonrpc", "1.0"}, {"id", id}, {"result", 1}}.dump();
    if (mode == "both") body = json{{"jsonrpc", "2.0"}, {"id", id}, {"result", 1}, {"error", {{"code", 1}, {"message", "m"}}}}.dump();
    if (mode == "neither") body = json{{"jsonrpc", "2.0"}, {"id", id}}.dump();
    if (mode == "bad-error") body = json{{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", "1"}, {"message", "m"}}}}.dump();
    if (mode == "array") body = json::array({json{{"jsonrpc", "2.0"}, {"id", id}, {"result", 1}}}).dump();
    if (mode == "deep") body = std::string(500, '[') + std::string(500, ']');
    if (mode == "scalar") body = "42";
    return Reply{http_response(body), false, false};
  });
  JsonRpcClient client(server.url(), quick_options());
  for (const char* m : {"not-json", "wrong-id", "string-id", "no-version", "old-version", "both", "neither",
                        "bad-error", "array", "deep", "scalar"}) {
    mode = m;
    INFO(mode);
    auto r = client.call("x");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Code::RpcResponse);
  }
  // A null id is accepted only with an error (JSON-RPC 2.0 §5).
  mode = "";
  FakeServer null_id([](const Request&) {
    return Reply{http_response(R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}})"),
                 false, false};
  });
  JsonRpcClient client2(null_id.url(), quick_options());
  auto r = client2.call("x");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Code::RpcError);
}

TEST_CASE("json-rpc: responses above the cap are refused before the body is buffered", "[adapters][json_rpc]") {
  std::string mode;
  FakeServer server([&](const Request& r) {
    const json req = json::parse(r.body);
    if (mode == "content-length") {
      // Announce 1 GiB and send nothing more: the client must refuse at the header, not wait for the body.
      return Reply{"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n", false,
                   true};
    }
    if (mode == "chunked") {
      std::string raw = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
      const std::string chunk(1000, ' ');
      for (int i = 0; i < 5; ++i) raw += "3e8\r\n" + chunk + "\r\n";
      return Reply{raw, false, true};
    }
    if (mode == "header") {
      return Reply{"HTTP/1.1 200 OK\r\nX-Junk: " + std::string(20000, 'a') + "\r\n", false, true};
    }
    return echo_method(r);
  });
  RpcOptions opts = quick_options();
  opts.max_response_bytes = 2048;
  opts.read_timeout = std::chrono::milliseconds(60'000);  // a wait for the body would show up as a timeout
  JsonRpcClient client(server.url(), opts);
  for (const char* m : {"content-length", "chunked", "header"}) {
    mode = m;
    INFO(mode);
    auto r = client.call("big");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Code::TooLarge);
  }
  // The client recovers on a fresh connection.
  mode = "";
  auto ok = client.call("small");
  REQUIRE(ok.has_value());
  CHECK(*ok == "small");
}

TEST_CASE("json-rpc: a silent node is ERR_RPC_TIMEOUT, a closed port ERR_RPC_TRANSPORT", "[adapters][json_rpc]") {
  std::uint16_t dead_port = 0;
  {
    FakeServer server([](const Request&) { return Reply{"", false, true}; });
    RpcOptions opts = quick_options();
    opts.read_timeout = std::chrono::milliseconds(300);
    JsonRpcClient client(server.url(), opts);
    auto r = client.call("slow");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Code::RpcTimeout);
    dead_port = server.port();
  }
  JsonRpcClient client(HttpUrl{"127.0.0.1", dead_port, "/"}, quick_options());
  auto r = client.call("anyone");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Code::RpcTransport);
}

TEST_CASE("json-rpc: connection close and stale keep-alive connections", "[adapters][json_rpc]") {
  std::string mode;
  FakeServer server([&](const Request& r) {
    const json req = json::parse(r.body);
    const std::string body = rpc_result(req, req.at("method"));
    if (mode == "connection-close") return Reply{http_response(body, "200 OK", "Connection: close\r\n"), true, false};
    if (mode == "silent-close") return Reply{http_response(body), true, false};  // keep-alive promised, then gone
    return Reply{http_response(body), false, false};
  });
  JsonRpcClient client(server.url(), quick_options());
  mode = "connection-close";
  REQUIRE(client.call("a").has_value());
  REQUIRE(client.call("b").has_value());
  CHECK(client.connections_opened() == 2);
  mode = "silent-close";
  REQUIRE(client.call("c").has_value());
  // The server closed the idle connection without notice: the client resends once on a new connection.
  mode = "";
  auto r = client.call("d");
  REQUIRE(r.has_value());
  CHECK(*r == "d");
  CHECK(client.connections_opened() == 4);

  client.close();  // the fake server serves one connection at a time
  RpcOptions no_keep_alive = quick_options();
  no_keep_alive.keep_alive = false;
  JsonRpcClient once(server.url(), no_keep_alive);
  REQUIRE(once.call("e").has_value());
  REQUIRE(once.call("f").has_value());
  CHECK(once.connections_opened() == 2);
}

TEST_CASE("json-rpc: HTTP errors", "[adapters][json_rpc]") {
  std::string mode;
  FakeServer server([&](const Request& r) {
    const json req = json::parse(r.body);
    if (mode == "503") return Reply{http_response("overloaded", "503 Service Unavailable"), false, false};
    const json err = {{"jsonrpc", "2.0"}, {"id", req.at("id")}, {"error", {{"code", -32602}, {"message", "bad"}}}};
    return Reply{http_response(err.dump(), "400 Bad Request"), false, false};
  });
  JsonRpcClient client(server.url(), quick_options());
  mode = "503";
  auto r = client.call("x");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Code::RpcTransport);
  CHECK(r.error().detail.find("503") != std::string::npos);
  mode = "400";
  r = client.call("x");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Code::RpcError);
  CHECK(r.error().detail.rfind("-32602:", 0) == 0);
}

TEST_CASE("json-rpc: batches are matched by id", "[adapters][json_rpc]") {
  FakeServer server([](const Request& r) {
    const json req = json::parse(r.body);
    json out = json::array();
    for (auto it = req.rbegin(); it != req.rend(); ++it) {  // answer in reverse order
      if ((*it).at("method") == "fails") {
        out.push_back({{"jsonrpc", "2.0"}, {"id", (*it).at("id")}, {"error", {{"code", 3}, {"message", "reverted"}}}});
      } else {
        out.push_back({{"jsonrpc", "2.0"}, {"id", (*it).at("id")}, {"result", (*it).at("params").at(0)}});
      }
    }
    return Reply{http_response(out.dump()), false, false};
  });
  JsonRpcClient client(server.url(), quick_options());
  const std::vector<RpcCall> calls{{"a", json::array({10})}, {"fails", json::array({11})}, {"c", json::array({12})}};
  auto r = client.call_batch(calls);
  REQUIRE(r.has_value());
  REQUIRE(r->size() == 3);
  REQUIRE((*r)[0].has_value());
  CHECK(*(*r)[0] == 10);
  REQUIRE_FALSE((*r)[1].has_value());
  CHECK((*r)[1].error().code == Code::RpcError);
  CHECK((*r)[1].error().at == "batch[1]");
  REQUIRE((*r)[2].has_value());
  CHECK(*(*r)[2] == 12);

  auto empty = client.call_batch({});
  REQUIRE_FALSE(empty.has_value());
  CHECK(empty.error().code == Code::InvalidArgument);
}

TEST_CASE("json-rpc: a batch answered with the wrong ids or count is refused", "[adapters][json_rpc]") {
  std::string mode;
  FakeServer server([&](const Request& r) {
    const json req = json::parse(r.body);
    json out = json::array();
    for (const auto& c : req) out.push_back({{"jsonrpc", "2.0"}, {"id", c.at("id")}, {"result", 1}});
    if (mode == "short") out.erase(out.begin());
    if (mode == "duplicate") out[1]["id"] = out[0]["id"];
    if (mode == "object") out = {{"jsonrpc", "2.0"}, {"id", nullptr}, {"error", {{"code", -32600}, {"message", "no batches"}}}};
    return Reply{http_response(out.dump()), false, false};
  });
  JsonRpcClient client(server.url(), quick_options());
  const std::vector<RpcCall> calls{{"a", json::array()}, {"b", json::array()}};
  for (const char* m : {"short", "duplicate"}) {
    mode = m;
    INFO(mode);
    auto r = client.call_batch(calls);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Code::RpcResponse);
  }
  mode = "object";
  auto r = client.call_batch(calls);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Code::RpcError);
}

TEST_CASE("json-rpc: URL parsing", "[adapters][json_rpc]") {
  using causeway::adapters::parse_http_url;
  auto u = parse_http_url("http://127.0.0.1:8545");
  REQUIRE(u.has_value());
  CHECK(*u == HttpUrl{"127.0.0.1", 8545, "/"});
  u = parse_http_url("HTTP://node.example:1/rpc/v1?key=abc");
  REQUIRE(u.has_value());
  CHECK(*u == HttpUrl{"node.example", 1, "/rpc/v1?key=abc"});
  u = parse_http_url("http://localhost");
  REQUIRE(u.has_value());
  CHECK(*u == HttpUrl{"localhost", 80, "/"});
  u = parse_http_url("http://[::1]:8545/");
  REQUIRE(u.has_value());
  CHECK(*u == HttpUrl{"::1", 8545, "/"});
  u = parse_http_url("http://host?x=1");
  REQUIRE(u.has_value());
  CHECK(u->target == "/?x=1");
  for (const char* bad : {"https://node:8545", "ws://node", "node:8545", "http://", "http://:8545", "http://h:0",
                          "http://h:65536", "http://h:port", "http://h:+1", "http://user@h", "http://h/a b",
                          "http://h/#frag", "http://::1:80", "http://[::1", "http://[::1]x", "http://h:"}) {
    INFO(bad);
    auto r = parse_http_url(bad);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Code::InvalidArgument);
  }
  auto c = JsonRpcClient::create("ftp://x");
  REQUIRE_FALSE(c.has_value());
  CHECK(c.error().code == Code::InvalidArgument);
}
