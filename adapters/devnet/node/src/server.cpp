#include "server.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <deque>
#include <thread>
#include <vector>

namespace causeway::devnet {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using nlohmann::json;

constexpr auto kTimeout = std::chrono::seconds(60);
constexpr std::size_t kMaxQueue = 1024;
constexpr auto kAcceptBackoff = std::chrono::milliseconds(100);

class WsSession;

struct Shared {
  Node* node = nullptr;
  std::vector<std::weak_ptr<WsSession>> subscribers;  // touched on the I/O thread only
  std::uint64_t next_subscription = 1;
};

class WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(tcp::socket socket, Shared& shared) : ws_(std::move(socket)), shared_(shared) {}

  void run(http::request<http::string_body> req) {
    ws_.read_message_max(kMaxRequestBytes);
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(req, [self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read();
    });
  }

  void send(std::shared_ptr<const std::string> msg) {
    if (closed_) return;
    if (queue_.size() >= kMaxQueue) {  // a subscriber that does not read is dropped
      closed_ = true;
      beast::get_lowest_layer(ws_).close();
      return;
    }
    queue_.push_back(std::move(msg));
    if (queue_.size() == 1) write();
  }

  void notify_block(const json& block) {
    if (subscription_.empty()) return;
    json n = {{"jsonrpc", "2.0"},
              {"method", "devnet_subscription"},
              {"params", {{"subscription", subscription_}, {"result", block}}}};
    send(std::make_shared<const std::string>(to_wire(n)));
  }

 private:
  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        self->closed_ = true;
        return;
      }
      self->on_message(beast::buffers_to_string(self->buffer_.data()));
      self->buffer_.consume(self->buffer_.size());
      self->read();
    });
  }

  // Untrusted input: nothing may throw out of here (a throw on the I/O thread would end the process).
  void on_message(const std::string& text) noexcept {
    try {
      std::string out = answer(text);
      if (!out.empty()) send(std::make_shared<const std::string>(std::move(out)));
    } catch (...) {
      try {
        send(std::make_shared<const std::string>(internal_error_text()));
      } catch (...) {
      }
    }
  }

  // The answer to one WebSocket message ("" = none): subscriptions here, everything else through the Node.
  std::string answer(const std::string& text) {
    const json req = json::parse(text, nullptr, false);
    std::string method;
    if (req.is_object()) {
      auto m = req.find("method");
      if (m != req.end() && m->is_string()) method = m->get<std::string>();
    }
    const auto member = [&](const char* key, json fallback) {
      auto it = req.find(key);
      return it == req.end() ? fallback : *it;
    };
    if (method == "devnet_subscribe") {
      const json id = member("id", nullptr);
      const json params = member("params", json::array());
      json resp;
      if (params == json::array({"newHeads"})) {
        if (subscription_.empty()) {
          subscription_ = "0x" + std::to_string(shared_.next_subscription++);
          shared_.subscribers.push_back(weak_from_this());
        }
        resp = {{"jsonrpc", "2.0"}, {"id", id}, {"result", subscription_}};
      } else {
        resp = {{"jsonrpc", "2.0"}, {"id", id},
                {"error", {{"code", -32602}, {"message", "the only subscription is [\"newHeads\"]"}}}};
      }
      return to_wire(resp);
    }
    if (method == "devnet_unsubscribe") {
      const bool had = !subscription_.empty();
      subscription_.clear();
      return to_wire(json{{"jsonrpc", "2.0"}, {"id", member("id", nullptr)}, {"result", had}});
    }
    return shared_.node->handle_text(text);
  }

  void write() {
    ws_.text(true);
    ws_.async_write(asio::buffer(*queue_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        self->closed_ = true;
        self->queue_.clear();
        return;
      }
      self->queue_.pop_front();
      if (!self->queue_.empty()) self->write();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  Shared& shared_;
  beast::flat_buffer buffer_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  std::string subscription_;
  bool closed_ = false;
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket socket, Shared& shared) : stream_(std::move(socket)), shared_(shared) {}

  void run() { read(); }

 private:
  void read() {
    parser_.emplace();
    parser_->body_limit(kMaxRequestBytes);
    parser_->header_limit(16 * 1024);
    stream_.expires_after(kTimeout);
    http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream) {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      return;
    }
    if (ec == http::error::body_limit) {
      respond(http::status::payload_too_large, "application/json",
              R"({"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"request body too large"}})", false);
      return;
    }
    if (ec) return;
    auto& req = parser_->get();
    if (websocket::is_upgrade(req)) {
      stream_.expires_never();
      std::make_shared<WsSession>(stream_.release_socket(), shared_)->run(parser_->release());
      return;
    }
    if (req.method() == http::verb::get) {
      respond(http::status::ok, "text/plain",
              "causeway-devnet: POST JSON-RPC 2.0 here (devnet_* methods); WebSocket: devnet_subscribe newHeads\n",
              req.keep_alive());
      return;
    }
    if (req.method() != http::verb::post) {
      respond(http::status::method_not_allowed, "text/plain", "use POST\n", false);
      return;
    }
    std::string out;
    try {
      out = shared_.node->handle_text(req.body());
    } catch (...) {  // handle_text does not throw; a failure anywhere must still not end the process
      out = internal_error_text();
    }
    if (out.empty()) {
      respond(http::status::no_content, "application/json", "", req.keep_alive());
      return;
    }
    respond(http::status::ok, "application/json", std::move(out), req.keep_alive());
  }

  void respond(http::status status, const char* type, std::string body, bool keep_alive) {
    auto res = std::make_shared<http::response<http::string_body>>(status, 11);
    res->set(http::field::server, "causeway-devnet");
    res->set(http::field::content_type, type);
    res->keep_alive(keep_alive);
    res->body() = std::move(body);
    res->prepare_payload();
    stream_.expires_after(kTimeout);
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
      if (ec) return;
      if (!res->keep_alive()) {
        beast::error_code ignored;
        self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        return;
      }
      self->read();
    });
  }

  beast::tcp_stream stream_;
  Shared& shared_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
};

}  // namespace

struct Server::Impl {
  asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  asio::steady_timer backoff{ioc};
  Shared shared;
  std::thread thread;
  std::uint16_t port = 0;

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (!acceptor.is_open()) return;
      if (ec) {
        // E.g. EMFILE: the pending connection stays queued, so retrying at once would spin. Wait, then re-arm.
        backoff.expires_after(kAcceptBackoff);
        backoff.async_wait([this](beast::error_code) {
          if (acceptor.is_open()) accept();
        });
        return;
      }
      std::make_shared<HttpSession>(std::move(socket), shared)->run();
      accept();
    });
  }
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { stop(); }

Result<std::unique_ptr<Server>> Server::listen(const std::string& host, std::uint16_t port) {
  auto impl = std::make_unique<Impl>();
  beast::error_code ec;
  const auto addr = asio::ip::make_address(host, ec);
  if (ec) return fail(Code::InvalidArgument, "not an IP address: " + host + " (use e.g. 127.0.0.1)");
  const tcp::endpoint ep(addr, port);
  impl->acceptor.open(ep.protocol(), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(ep, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail(Code::Io, "cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message());
  impl->port = impl->acceptor.local_endpoint().port();
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

void Server::serve(Node& node) {
  if (impl_->thread.joinable()) return;
  impl_->shared.node = &node;
  impl_->accept();
  Impl* raw = impl_.get();
  impl_->thread = std::thread([raw] { raw->ioc.run(); });
}

std::uint16_t Server::port() const noexcept { return impl_->port; }

void Server::publish_block(const json& block) {
  auto b = std::make_shared<const json>(block);
  asio::post(impl_->ioc, [this, b] {
    auto& subs = impl_->shared.subscribers;
    std::vector<std::weak_ptr<WsSession>> live;
    for (auto& w : subs) {
      if (auto s = w.lock()) {
        s->notify_block(*b);
        live.push_back(w);
      }
    }
    subs = std::move(live);
  });
}

void Server::stop() noexcept {
  if (!impl_ || !impl_->thread.joinable()) return;
  asio::post(impl_->ioc, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
    impl_->backoff.cancel();
  });
  impl_->ioc.stop();
  impl_->thread.join();
}

}  // namespace causeway::devnet
