#include "fake_rpc_server.hpp"

#include <sys/socket.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace causeway::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using nlohmann::json;

struct FakeRpcServer::Impl {
  Handler handler;
  Raw raw;
  std::string authorization;  // required Authorization header value (empty: none)
  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::thread thread;
  std::atomic<bool> stopping{false};
  std::atomic<std::uint64_t> requests{0};
  std::mutex mu;
  std::vector<std::shared_ptr<tcp::socket>> sockets;  // kept open until the destructor (no fd reuse)
  std::vector<std::thread> connections;
  std::uint16_t port = 0;

  json answer_one(const json& req) {
    json out = handler(req.value("method", ""), req.value("params", json::array()));
    out["jsonrpc"] = "2.0";
    out["id"] = req.contains("id") ? req["id"] : json(nullptr);
    return out;
  }

  std::string answer(const std::string& body) {
    if (raw)
      if (auto r = raw(body)) return *r;
    const json req = json::parse(body);
    if (req.is_array()) {
      json out = json::array();
      for (const auto& one : req) out.push_back(answer_one(one));
      return out.dump();
    }
    return answer_one(req).dump();
  }

  void serve(tcp::socket& sock) {
    beast::flat_buffer buf;
    for (;;) {
      http::request<http::string_body> req;
      beast::error_code ec;
      http::read(sock, buf, req, ec);
      if (ec) break;
      ++requests;
      http::response<http::string_body> res{http::status::ok, req.version()};
      res.set(http::field::content_type, "application/json");
      res.keep_alive(req.keep_alive());
      if (!authorization.empty() && req[http::field::authorization] != authorization) {
        res.result(http::status::unauthorized);  // as Bitcoin Core answers: 401, empty body, a challenge
        res.set(http::field::www_authenticate, "Basic realm=\"jsonrpc\"");
      } else {
        res.body() = answer(req.body());
      }
      res.prepare_payload();
      http::write(sock, res, ec);
      if (ec || !req.keep_alive()) break;
    }
  }

  void accept_loop() {
    while (!stopping) {
      beast::error_code ec;
      auto sock = std::make_shared<tcp::socket>(ioc);
      acceptor.accept(*sock, ec);
      if (ec || stopping) break;
      std::lock_guard<std::mutex> lock(mu);
      sockets.push_back(sock);
      connections.emplace_back([this, sock] { serve(*sock); });
    }
  }
};

void FakeRpcServer::require_authorization(std::string header_value) { impl_->authorization = std::move(header_value); }

FakeRpcServer::FakeRpcServer(Handler handler, Raw raw) : impl_(std::make_unique<Impl>()) {
  impl_->handler = std::move(handler);
  impl_->raw = std::move(raw);
  tcp::endpoint ep(net::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen();
  impl_->port = impl_->acceptor.local_endpoint().port();
  impl_->thread = std::thread([this] { impl_->accept_loop(); });
}

FakeRpcServer::~FakeRpcServer() {
  impl_->stopping = true;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    for (auto& sock : impl_->sockets) ::shutdown(sock->native_handle(), SHUT_RDWR);  // wakes blocked reads (sockets still owned)
  }
  ::shutdown(impl_->acceptor.native_handle(), SHUT_RDWR);  // wakes accept()
  if (impl_->thread.joinable()) impl_->thread.join();
  for (auto& t : impl_->connections) t.join();
}

std::uint16_t FakeRpcServer::port() const noexcept { return impl_->port; }
std::string FakeRpcServer::url() const { return "http://127.0.0.1:" + std::to_string(impl_->port); }
std::uint64_t FakeRpcServer::requests() const noexcept { return impl_->requests; }

}  // namespace causeway::testing
