// The HTTP server on Boost.Beast: see causeway/gateway/server.hpp. The only translation unit with Beast.
#include "causeway/gateway/server.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <cctype>
#include <map>
#include <thread>
#include <utility>
#include <vector>

namespace causeway::gateway {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

int http_status_for(Code c) {
  switch (c) {
    case Code::TooLarge: return 413;
    case Code::UnknownIsland: case Code::UnknownPacket: case Code::UnknownChannel: return 404;
    case Code::CommitmentConflict: case Code::StoreConflict: case Code::IslandExists: case Code::ChannelExists:
      return 409;
    case Code::StoreIo: case Code::StoreUnsafe: case Code::StoreIntegrity: case Code::StoreMigration: return 503;
    case Code::BundleParse: case Code::BundleSchema: case Code::InvalidArgument: case Code::BadHex:
    case Code::BadLength: case Code::Overflow:
      return 400;
    case Code::CryptoInternal: case Code::Io: return 500;
    default: return 422;  // a well-formed request whose content does not verify or is refused by a rule
  }
}

std::string Request::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() != name.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < k.size() && same; ++i)
      same = k[i] == std::tolower(static_cast<unsigned char>(name[i]));
    if (same) return v;
  }
  return {};
}

Response error_response(int status, std::string_view code, std::string_view message) {
  nlohmann::json j = {{"error", {{"code", code}, {"message", message}, {"details", nlohmann::json::object()}}}};
  return Response{status, j.dump(), "application/json"};
}

Response error_response(const Error& e) {
  nlohmann::json details = nlohmann::json::object();
  if (!e.at.empty()) details["at"] = e.at;
  nlohmann::json j = {{"error", {{"code", code_name(e.code)}, {"message", e.detail}, {"details", details}}}};
  return Response{http_status_for(e.code), j.dump(), "application/json"};
}

struct Server::Impl {
  ServerOptions opt;
  net::io_context ioc;
  std::unique_ptr<net::executor_work_guard<net::io_context::executor_type>> guard;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;
  std::map<std::pair<std::string, std::string>, Handler> routes;
  bool started = false;

  explicit Impl(ServerOptions o) : opt(std::move(o)) {}

  const Handler* find(const std::string& method, const std::string& target) const {
    const std::string path = target.substr(0, target.find('?'));
    if (auto it = routes.find({method, path}); it != routes.end()) return &it->second;
    for (const auto& [key, h] : routes)
      if (key.first == method && !key.second.empty() && key.second.back() == '/' && path.rfind(key.second, 0) == 0)
        return &h;
    return nullptr;
  }

  struct Session : std::enable_shared_from_this<Session> {
    Impl* server;
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    std::optional<http::request_parser<http::string_body>> parser;
    std::shared_ptr<http::response<http::string_body>> res;

    Session(Impl* s, tcp::socket sock) : server(s), stream(std::move(sock)) {}

    void read() {
      parser.emplace();
      parser->header_limit(16 * 1024);
      parser->body_limit(server->opt.max_body_bytes);
      stream.expires_after(std::chrono::milliseconds(server->opt.read_timeout_ms));
      http::async_read(stream, buffer, *parser,
                       [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec) {
      if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == net::error::eof) return close();
      if (ec == http::error::body_limit) {
        const Response r = error_response(413, "ERR_TOO_LARGE",
                                          "body over " + std::to_string(server->opt.max_body_bytes) + " bytes");
        return write(r, 11, false);
      }
      if (ec) {
        const Response r = error_response(400, "ERR_INVALID_ARGUMENT", "malformed HTTP request: " + ec.message());
        return write(r, 11, false);
      }
      stream.expires_never();
      auto req = parser->release();
      const int version = static_cast<int>(req.version());
      const bool keep = req.keep_alive();
      Request r{std::string(req.method_string()), std::string(req.target()), std::move(req.body()),
                std::string(req[http::field::content_type]), {}, {}};
      for (const auto& f : req) {
        std::string name(f.name_string());
        for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        r.headers.emplace_back(std::move(name), std::string(f.value()));
      }
      beast::error_code rec;
      const auto remote = stream.socket().remote_endpoint(rec);
      if (!rec) r.remote_ip = remote.address().to_string();
      const Handler* h = server->find(r.method, r.target);
      if (h == nullptr) {
        return write(error_response(404, "ERR_INVALID_ARGUMENT", "no route " + r.method + " " + r.target), version,
                     keep);
      }
      auto self = shared_from_this();
      (*h)(r, [self, version, keep](Response resp) {
        net::post(self->stream.get_executor(), [self, version, keep, resp = std::move(resp)]() mutable {
          self->write(resp, version, keep);
        });
      });
    }

    void write(const Response& r, int version, bool keep) {
      res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(r.status),
                                                                 static_cast<unsigned>(version));
      res->set(http::field::server, "causeway");
      res->set(http::field::content_type, r.content_type);
      res->keep_alive(keep);
      res->body() = r.body;
      res->prepare_payload();
      stream.expires_after(std::chrono::milliseconds(server->opt.read_timeout_ms));
      http::async_write(stream, *res, [self = shared_from_this(), keep](beast::error_code ec, std::size_t) {
        if (ec || !keep) return self->close();
        self->read();
      });
    }

    void close() {
      beast::error_code ec;
      stream.socket().shutdown(tcp::socket::shutdown_both, ec);
      stream.close();
    }
  };

  void accept() {
    acceptor->async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket sock) {
      if (!acceptor->is_open()) return;
      if (!ec) std::make_shared<Session>(this, std::move(sock))->read();
      accept();
    });
  }
};

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Server::~Server() { stop(); }

void Server::route(std::string method, std::string path, Handler handler) {
  impl_->routes[{std::move(method), std::move(path)}] = std::move(handler);
}

Result<std::uint16_t> Server::start() {
  Impl& I = *impl_;
  beast::error_code ec;
  auto addr = net::ip::make_address(I.opt.host, ec);
  if (ec) return fail(Code::Io, "bad listen address " + I.opt.host + ": " + ec.message());
  I.acceptor = std::make_unique<tcp::acceptor>(I.ioc);
  const tcp::endpoint ep(addr, I.opt.port);
  I.acceptor->open(ep.protocol(), ec);
  if (!ec) I.acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) I.acceptor->bind(ep, ec);
  if (!ec) I.acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec) return fail(Code::Io, "cannot listen on " + I.opt.host + ":" + std::to_string(I.opt.port) + ": " + ec.message());
  const std::uint16_t port = I.acceptor->local_endpoint().port();
  I.guard = std::make_unique<net::executor_work_guard<net::io_context::executor_type>>(I.ioc.get_executor());
  I.accept();
  for (std::size_t i = 0; i < std::max<std::size_t>(1, I.opt.threads); ++i) I.threads.emplace_back([&I] { I.ioc.run(); });
  I.started = true;
  return port;
}

void Server::stop() {
  Impl& I = *impl_;
  if (!I.started) return;
  I.started = false;
  net::post(I.ioc, [&I] {
    beast::error_code ec;
    if (I.acceptor) I.acceptor->close(ec);
  });
  I.guard.reset();
  I.ioc.stop();
  for (auto& t : I.threads)
    if (t.joinable()) t.join();
  I.threads.clear();
}

}  // namespace causeway::gateway
