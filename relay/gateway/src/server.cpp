// The HTTP/WebSocket server on Boost.Beast: see causeway/gateway/server.hpp and docs/api-security.md.
// The only translation unit with Beast's HTTP, WebSocket and SSL streams.
#include "causeway/gateway/server.hpp"

#include <sys/stat.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace causeway::gateway {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

int http_status_for(Code c) {
  switch (c) {
    case Code::TooLarge: return 413;
    case Code::Unauthorized: case Code::RequestReplayed: return 401;
    case Code::RateLimited: return 429;
    case Code::UnknownIsland: case Code::UnknownPacket: case Code::UnknownChannel: return 404;
    case Code::CommitmentConflict: case Code::StoreConflict: case Code::IslandExists: case Code::ChannelExists:
      return 409;
    case Code::StoreIo: case Code::StoreUnsafe: case Code::StoreIntegrity: case Code::StoreMigration: return 503;
    case Code::BundleParse: case Code::BundleSchema: case Code::BodySchema: case Code::InvalidArgument:
    case Code::BadHex: case Code::BadLength: case Code::Overflow:
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

namespace {

// A session the server can ask to wind down (stop()).
struct SessionBase {
  virtual ~SessionBase() = default;
  virtual void shutdown() = 0;  // any thread
};

std::string lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

}  // namespace

struct Server::Impl {
  struct RouteEntry {
    Handler handler;
    std::size_t max_body = 0;
  };
  struct Bucket {
    double tokens = 0;
    std::uint64_t last_ms = 0;
  };

  ServerOptions opt;
  std::map<std::pair<std::string, std::string>, RouteEntry> routes;
  std::map<std::string, WsHandler> ws_routes;
  std::size_t max_route_body = 0;

  mutable std::mutex mu;  // guards everything below up to `ioc`
  std::condition_variable cv;
  std::unordered_map<std::string, std::size_t> per_ip;
  std::size_t total = 0;
  std::size_t ws_total = 0;
  std::unordered_map<std::string, Bucket> buckets;
  std::map<std::uint64_t, std::weak_ptr<SessionBase>> sessions;
  std::uint64_t refused = 0, rate_limited = 0, ws_slow = 0;
  std::size_t ws_high_water = 0;

  std::atomic<bool> stopping{false};
  std::atomic<std::uint64_t> next_id{1};
  bool started = false;

  // Declared after the state sessions touch in their destructors: ~io_context destroys pending handlers
  // (and with them sessions) while that state still exists. The TLS context outlives the streams too.
  std::optional<ssl::context> tls;
  net::io_context ioc;
  std::unique_ptr<net::executor_work_guard<net::io_context::executor_type>> guard;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;

  explicit Impl(ServerOptions o) : opt(std::move(o)) {
    if (!opt.clock_ms)
      opt.clock_ms = [] {
        return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                              std::chrono::steady_clock::now().time_since_epoch())
                                              .count());
      };
    max_route_body = opt.max_body_bytes;
  }

  const RouteEntry* find(const std::string& method, const std::string& path) const {
    if (auto it = routes.find({method, path}); it != routes.end()) return &it->second;
    for (const auto& [key, h] : routes)
      if (key.first == method && !key.second.empty() && key.second.back() == '/' && path.rfind(key.second, 0) == 0)
        return &h;
    return nullptr;
  }

  // ---- connection accounting ----
  struct Slot {
    Impl* server;
    std::string ip;
    bool ws = false;
    Slot(Impl* s, std::string i) : server(s), ip(std::move(i)) {}
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    ~Slot() {
      std::lock_guard lock(server->mu);
      if (auto it = server->per_ip.find(ip); it != server->per_ip.end() && --it->second == 0) server->per_ip.erase(it);
      --server->total;
      if (ws) --server->ws_total;
      server->cv.notify_all();
    }
  };

  std::unique_ptr<Slot> acquire(const std::string& ip) {
    std::lock_guard lock(mu);
    auto& n = per_ip[ip];
    if (total >= opt.max_connections || n >= opt.max_connections_per_ip) {
      if (n == 0) per_ip.erase(ip);
      ++refused;
      return nullptr;
    }
    ++n;
    ++total;
    return std::make_unique<Slot>(this, ip);
  }

  // Token bucket per remote address. Memory stays bounded: past kMaxBuckets entries, buckets that have
  // refilled completely (indistinguishable from a new one) are dropped.
  bool take_token(const std::string& ip) {
    if (opt.rate_per_ip <= 0) return true;
    static constexpr std::size_t kMaxBuckets = 1u << 16;
    const std::uint64_t now = opt.clock_ms();
    const double burst = std::max(1.0, opt.burst_per_ip);
    std::lock_guard lock(mu);
    if (buckets.size() >= kMaxBuckets) {
      const auto full_after_ms = static_cast<std::uint64_t>(burst / opt.rate_per_ip * 1000.0) + 1;
      for (auto it = buckets.begin(); it != buckets.end();)
        it = now - it->second.last_ms >= full_after_ms ? buckets.erase(it) : std::next(it);
    }
    auto [it, fresh] = buckets.try_emplace(ip, Bucket{burst, now});
    Bucket& b = it->second;
    if (!fresh && now > b.last_ms) {
      b.tokens = std::min(burst, b.tokens + static_cast<double>(now - b.last_ms) * opt.rate_per_ip / 1000.0);
      b.last_ms = now;
    }
    if (b.tokens >= 1.0) {
      b.tokens -= 1.0;
      return true;
    }
    ++rate_limited;
    return false;
  }

  void add_session(std::uint64_t id, std::weak_ptr<SessionBase> s) {
    std::lock_guard lock(mu);
    sessions.emplace(id, std::move(s));
  }
  void remove_session(std::uint64_t id) {
    std::lock_guard lock(mu);
    sessions.erase(id);
  }

  // ---- HTTP sessions ----
  template <class Stream>
  struct WsSession;

  template <class Stream>
  struct HttpSession : SessionBase, std::enable_shared_from_this<HttpSession<Stream>> {
    enum class Phase { Idle, Reading, Handling, Writing, Closed };
    Impl* server;
    Stream stream;
    std::unique_ptr<Slot> slot;
    std::uint64_t id;
    beast::flat_buffer buffer;
    std::optional<http::request_parser<http::string_body>> parser;
    std::shared_ptr<http::response<http::string_body>> res;
    Phase phase = Phase::Idle;
    bool closing = false;  // stop(): close after the response in flight
    bool first = true;

    template <class... A>
    HttpSession(Impl* s, std::unique_ptr<Slot> sl, A&&... args)
        : server(s), stream(std::forward<A>(args)...), slot(std::move(sl)), id(s->next_id++) {}
    ~HttpSession() override { server->remove_session(id); }

    beast::tcp_stream& tcp() { return beast::get_lowest_layer(stream); }
    const ServerOptions& opt() const { return server->opt; }

    void start() {
      server->add_session(id, this->weak_from_this());
      if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
        wait_request();
      } else {
        tcp().expires_after(std::chrono::milliseconds(opt().read_timeout_ms));
        stream.async_handshake(ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
          if (ec) return self->close();
          self->wait_request();
        });
      }
    }

    void shutdown() override {
      net::post(stream.get_executor(), [self = this->shared_from_this()] {
        self->closing = true;
        if (self->phase == Phase::Idle || self->phase == Phase::Reading) self->close();
      });
    }

    // Waits for the first byte of the next request: a new connection has read_timeout_ms, an idle
    // keep-alive connection idle_timeout_ms.
    void wait_request() {
      if (closing || server->stopping) return close();
      phase = Phase::Idle;
      if (buffer.size() > 0) return begin_request();  // pipelined bytes already here
      tcp().expires_after(std::chrono::milliseconds(first ? opt().read_timeout_ms : opt().idle_timeout_ms));
      first = false;
      stream.async_read_some(buffer.prepare(4096), [self = this->shared_from_this()](beast::error_code ec,
                                                                                       std::size_t n) {
        self->buffer.commit(n);
        if (ec || self->phase == Phase::Closed) return self->close();
        self->begin_request();
      });
    }

    // From the request's first byte, the whole request must arrive within read_timeout_ms (slowloris).
    void begin_request() {
      phase = Phase::Reading;
      parser.emplace();
      parser->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(opt().max_header_bytes, UINT32_MAX)));
      parser->body_limit(server->max_route_body);
      tcp().expires_after(std::chrono::milliseconds(opt().read_timeout_ms));
      http::async_read_header(stream, buffer, *parser, [self = this->shared_from_this()](beast::error_code ec,
                                                                                         std::size_t) {
        self->on_header(ec);
      });
    }

    bool read_error(beast::error_code ec) {
      if (!ec) return false;
      if (ec == http::error::header_limit) {
        write(error_response(431, "ERR_TOO_LARGE",
                             "request header over " + std::to_string(opt().max_header_bytes) + " bytes"),
              11, false);
      } else if (ec == http::error::body_limit) {
        write(error_response(413, "ERR_TOO_LARGE", "request body over its limit"), 11, false);
      } else if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == net::error::eof ||
                 ec == net::error::operation_aborted || phase == Phase::Closed || closing) {
        close();
      } else {
        write(error_response(400, "ERR_INVALID_ARGUMENT", "malformed HTTP request: " + ec.message()), 11, false);
      }
      return true;
    }

    void on_header(beast::error_code ec) {
      if (read_error(ec)) return;
      auto& req = parser->get();
      const int version = static_cast<int>(req.version());
      const std::string target(req.target());
      const std::string path = target.substr(0, target.find('?'));
      // A request with a body we will not read cannot be followed on the same connection.
      const bool body_pending = !parser->is_done();
      const bool keep = req.keep_alive() && !body_pending;
      if (!server->take_token(slot->ip)) {
        Response r = error_response(429, "ERR_RATE_LIMITED", "too many requests from " + slot->ip);
        return write(r, version, keep, true);
      }
      if (websocket::is_upgrade(req)) {
        auto it = server->ws_routes.find(path);
        if (it == server->ws_routes.end() || req.method() != http::verb::get)
          return write(error_response(404, "ERR_INVALID_ARGUMENT", "no WebSocket endpoint " + path), version, false);
        tcp().expires_never();
        phase = Phase::Closed;
        slot->ws = true;
        {
          std::lock_guard lock(server->mu);
          ++server->ws_total;
        }
        auto ws = std::make_shared<WsSession<Stream>>(server, std::move(slot), &it->second, std::move(stream));
        return ws->run(parser->release());
      }
      const RouteEntry* route = server->find(std::string(req.method_string()), path);
      if (route == nullptr)
        return write(error_response(404, "ERR_INVALID_ARGUMENT", "no route " + std::string(req.method_string()) + " " + path),
                     version, keep);
      const std::size_t limit = route->max_body;
      if (const auto cl = parser->content_length(); cl && *cl > limit)
        return write(error_response(413, "ERR_TOO_LARGE",
                                    "body of " + std::to_string(*cl) + " bytes over the limit of " +
                                        std::to_string(limit) + " for " + path),
                     version, false);
      parser->body_limit(limit);
      if (!body_pending) return dispatch(route);
      auto self = this->shared_from_this();
      auto read_body = [self, route] {
        http::async_read(self->stream, self->buffer, *self->parser, [self, route](beast::error_code e, std::size_t) {
          if (self->read_error(e)) return;
          self->dispatch(route);
        });
      };
      if (lower(std::string(req[http::field::expect])) == "100-continue") {
        static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        return net::async_write(stream, net::buffer(kContinue), [self, read_body](beast::error_code e, std::size_t) {
          if (e) return self->close();
          read_body();
        });
      }
      read_body();
    }

    void dispatch(const RouteEntry* route) {
      phase = Phase::Handling;
      tcp().expires_never();
      auto req = parser->release();
      const int version = static_cast<int>(req.version());
      const bool keep = req.keep_alive();
      Request r{std::string(req.method_string()), std::string(req.target()), std::move(req.body()),
                std::string(req[http::field::content_type]), {}, slot->ip};
      for (const auto& f : req) r.headers.emplace_back(lower(std::string(f.name_string())), std::string(f.value()));
      auto self = this->shared_from_this();
      route->handler(r, [self, version, keep](Response resp) {
        net::post(self->stream.get_executor(), [self, version, keep, resp = std::move(resp)]() mutable {
          self->write(resp, version, keep);
        });
      });
    }

    void write(const Response& r, int version, bool keep, bool retry_after = false) {
      if (phase == Phase::Closed) return;
      if (closing || server->stopping) keep = false;
      phase = Phase::Writing;
      res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(r.status),
                                                                 static_cast<unsigned>(version));
      res->set(http::field::server, "causeway");
      res->set(http::field::content_type, r.content_type);
      if (retry_after) res->set(http::field::retry_after, "1");
      res->keep_alive(keep);
      res->body() = r.body;
      res->prepare_payload();
      tcp().expires_after(std::chrono::milliseconds(opt().write_timeout_ms));
      http::async_write(stream, *res, [self = this->shared_from_this(), keep](beast::error_code ec, std::size_t) {
        if (ec || !keep) return self->close();
        self->wait_request();
      });
    }

    void close() {
      if (phase == Phase::Closed && !tcp().socket().is_open()) return;
      phase = Phase::Closed;
      beast::error_code ec;
      tcp().socket().shutdown(tcp::socket::shutdown_both, ec);
      tcp().close();
    }
  };

  // ---- WebSocket sessions ----
  template <class Stream>
  struct WsSession : SessionBase, WsConnection, std::enable_shared_from_this<WsSession<Stream>> {
    Impl* server;
    std::unique_ptr<Slot> slot;
    const WsHandler* handler;
    std::uint64_t id_;
    websocket::stream<Stream> ws;
    beast::flat_buffer rbuf;
    net::steady_timer close_timer;

    std::mutex mu;  // guards queue, writing, closed
    std::deque<std::shared_ptr<const std::string>> queue;
    bool writing = false;
    bool closed = false;        // no more sends
    bool close_started = false;  // strand only
    bool opened = false;         // strand only
    bool notified = false;       // strand only: on_close called

    WsSession(Impl* s, std::unique_ptr<Slot> sl, const WsHandler* h, Stream&& st)
        : server(s), slot(std::move(sl)), handler(h), id_(s->next_id++), ws(std::move(st)),
          close_timer(ws.get_executor()) {}
    ~WsSession() override { server->remove_session(id_); }

    const std::string& remote_ip() const override { return slot->ip; }
    std::uint64_t id() const override { return id_; }

    http::request<http::string_body> upgrade;  // kept until the handshake completes

    // A client cannot send frames before our 101, so the HTTP session's buffer holds nothing of the
    // WebSocket stream here.
    void run(http::request<http::string_body> req) {
      server->add_session(id_, this->weak_from_this());
      upgrade = std::move(req);
      websocket::stream_base::timeout t{};
      t.handshake_timeout = std::chrono::milliseconds(server->opt.write_timeout_ms);
      t.idle_timeout = std::chrono::milliseconds(server->opt.idle_timeout_ms);
      t.keep_alive_pings = true;
      ws.set_option(t);
      ws.set_option(websocket::stream_base::decorator(
          [](websocket::response_type& r) { r.set(http::field::server, "causeway"); }));
      ws.read_message_max(server->opt.max_ws_message_bytes);
      ws.auto_fragment(false);
      ws.async_accept(upgrade, [self = this->shared_from_this()](beast::error_code ec) {
        if (ec) return self->teardown();
        self->opened = true;
        if (self->server->stopping) return self->start_close(kWsCloseGoingAway, "server stopping");
        if (self->handler->on_open) self->handler->on_open(self);
        self->do_read();
      });
    }

    void do_read() {
      ws.async_read(rbuf, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
        if (ec) return self->finished();
        std::string text = beast::buffers_to_string(self->rbuf.data());
        self->rbuf.consume(self->rbuf.size());
        if (self->handler->on_message) self->handler->on_message(self, text);
        self->do_read();
      });
    }

    bool send(std::shared_ptr<const std::string> text) override {
      bool slow = false, start = false;
      {
        std::lock_guard lock(mu);
        if (closed) return false;
        if (queue.size() >= server->opt.ws_queue_messages) {
          slow = true;
          closed = true;
          queue.clear();
        } else {
          queue.push_back(std::move(text));
          std::lock_guard slock(server->mu);
          server->ws_high_water = std::max(server->ws_high_water, queue.size());
          if (!writing) start = writing = true;
        }
      }
      if (slow) {
        {
          std::lock_guard slock(server->mu);
          ++server->ws_slow;
        }
        net::post(ws.get_executor(), [self = this->shared_from_this()] {
          self->start_close(kWsCloseSlowConsumer, "slow consumer");
        });
        return false;
      }
      if (start) net::post(ws.get_executor(), [self = this->shared_from_this()] { self->do_write(); });
      return true;
    }

    void do_write() {
      std::shared_ptr<const std::string> msg;
      {
        std::lock_guard lock(mu);
        if (queue.empty() || close_started) {
          writing = false;
          return;
        }
        msg = std::move(queue.front());
        queue.pop_front();
      }
      ws.text(true);
      ws.async_write(net::buffer(*msg), [self = this->shared_from_this(), msg](beast::error_code ec, std::size_t) {
        if (ec) {
          std::lock_guard lock(self->mu);
          self->writing = false;
          self->closed = true;
          self->queue.clear();
          return;
        }
        self->do_write();
      });
    }

    void close(std::uint16_t code, std::string reason) override {
      {
        std::lock_guard lock(mu);
        closed = true;
        queue.clear();
      }
      net::post(ws.get_executor(), [self = this->shared_from_this(), code, reason = std::move(reason)] {
        self->start_close(code, reason);
      });
    }

    void shutdown() override { close(kWsCloseGoingAway, "server stopping"); }

    // On the strand. The close frame waits behind a write in flight; if the peer does not read it within
    // write_timeout_ms, the TCP connection is torn down (memory stays bounded either way).
    void start_close(std::uint16_t code, const std::string& reason) {
      {
        std::lock_guard lock(mu);
        closed = true;
        queue.clear();
      }
      if (close_started) return;
      close_started = true;
      if (!opened) return teardown();
      close_timer.expires_after(std::chrono::milliseconds(server->opt.write_timeout_ms));
      close_timer.async_wait([self = this->shared_from_this()](beast::error_code ec) {
        if (!ec) self->teardown();
      });
      websocket::close_reason cr;
      cr.code = code;
      cr.reason.assign(reason.data(), std::min<std::size_t>(reason.size(), 120));
      ws.async_close(cr, [self = this->shared_from_this()](beast::error_code) {
        self->close_timer.cancel();
        self->teardown();
      });
    }

    void teardown() {
      beast::error_code ec;
      auto& sock = beast::get_lowest_layer(ws).socket();
      if (sock.is_open()) {
        sock.shutdown(tcp::socket::shutdown_both, ec);
        beast::get_lowest_layer(ws).close();
      }
      finished();
    }

    void finished() {
      {
        std::lock_guard lock(mu);
        closed = true;
        queue.clear();
      }
      if (notified) return;
      notified = true;
      if (opened && handler->on_close) handler->on_close(this->shared_from_this());
    }
  };

  // Over a connection cap: plain HTTP gets a 429 at once, TLS (no handshake is spent on it) is closed.
  void refuse(tcp::socket sock) {
    if (tls) {
      beast::error_code ec;
      sock.close(ec);
      return;
    }
    static const std::string kBody =
        R"({"error":{"code":"ERR_RATE_LIMITED","message":"too many connections","details":{}}})";
    static const std::string kResponse = "HTTP/1.1 429 Too Many Requests\r\nServer: causeway\r\nConnection: close\r\n"
                                         "Retry-After: 1\r\nContent-Type: application/json\r\nContent-Length: " +
                                         std::to_string(kBody.size()) + "\r\n\r\n" + kBody;
    auto s = std::make_shared<beast::tcp_stream>(std::move(sock));
    s->expires_after(1s);
    net::async_write(*s, net::buffer(kResponse), [s](beast::error_code, std::size_t) {
      beast::error_code ec;
      s->socket().shutdown(tcp::socket::shutdown_send, ec);
      s->close();
    });
  }

  void accept() {
    acceptor->async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket sock) {
      if (!acceptor->is_open() || stopping) return;
      if (!ec) on_accept(std::move(sock));
      accept();
    });
  }

  void on_accept(tcp::socket sock) {
    beast::error_code ec;
    const auto remote = sock.remote_endpoint(ec);
    if (ec) return;
    const std::string ip = remote.address().to_string();
    sock.set_option(tcp::no_delay(true), ec);
    auto slot = acquire(ip);
    if (!slot) return refuse(std::move(sock));
    if (tls) {
      using S = beast::ssl_stream<beast::tcp_stream>;
      std::make_shared<HttpSession<S>>(this, std::move(slot), std::move(sock), *tls)->start();
    } else {
      std::make_shared<HttpSession<beast::tcp_stream>>(this, std::move(slot), std::move(sock))->start();
    }
  }
};

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Server::~Server() { stop(); }

void Server::route(std::string method, std::string path, Handler handler, RouteOptions options) {
  const std::size_t limit = options.max_body_bytes ? options.max_body_bytes : impl_->opt.max_body_bytes;
  impl_->max_route_body = std::max(impl_->max_route_body, limit);
  impl_->routes[{std::move(method), std::move(path)}] = Impl::RouteEntry{std::move(handler), limit};
}

void Server::websocket(std::string path, WsHandler handler) { impl_->ws_routes[std::move(path)] = std::move(handler); }

const ServerOptions& Server::options() const noexcept { return impl_->opt; }

ServerStats Server::stats() const {
  std::lock_guard lock(impl_->mu);
  ServerStats s;
  s.connections = impl_->total;
  s.ws_connections = impl_->ws_total;
  s.refused_connections = impl_->refused;
  s.rate_limited = impl_->rate_limited;
  s.ws_slow_closed = impl_->ws_slow;
  s.ws_queue_high_water = impl_->ws_high_water;
  return s;
}

Result<std::uint16_t> Server::start() {
  Impl& I = *impl_;
  if (I.started) return fail(Code::InvalidArgument, "server already started");
  beast::error_code ec;
  if (!I.opt.tls_cert_file.empty() || !I.opt.tls_key_file.empty()) {
    if (I.opt.tls_cert_file.empty() || I.opt.tls_key_file.empty())
      return fail(Code::Io, "TLS needs both a certificate and a key file");
    struct stat st {};
    if (::stat(I.opt.tls_key_file.c_str(), &st) != 0) return fail(Code::Io, "cannot read TLS key " + I.opt.tls_key_file);
    if ((st.st_mode & 077) != 0)
      return fail(Code::KeyPermissions, "TLS key " + I.opt.tls_key_file + " is accessible by group or others (chmod 600)");
    I.tls.emplace(ssl::context::tls_server);
    I.tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
    I.tls->use_certificate_chain_file(I.opt.tls_cert_file, ec);
    if (ec) return fail(Code::Io, "cannot load TLS certificate " + I.opt.tls_cert_file + ": " + ec.message());
    I.tls->use_private_key_file(I.opt.tls_key_file, ssl::context::pem, ec);
    if (ec) return fail(Code::Io, "cannot load TLS key " + I.opt.tls_key_file + ": " + ec.message());
    if (SSL_CTX_check_private_key(I.tls->native_handle()) != 1)
      return fail(Code::Io, "TLS key " + I.opt.tls_key_file + " does not match the certificate");
  }
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
  I.stopping = true;
  net::post(I.ioc, [&I] {
    beast::error_code ec;
    if (I.acceptor) I.acceptor->close(ec);
  });
  std::vector<std::shared_ptr<SessionBase>> live;
  {
    std::lock_guard lock(I.mu);
    for (auto& [id, w] : I.sessions)
      if (auto s = w.lock()) live.push_back(std::move(s));
  }
  for (auto& s : live) s->shutdown();
  live.clear();  // the sessions' own handlers keep them alive while they work
  {
    std::unique_lock lock(I.mu);
    I.cv.wait_for(lock, std::chrono::milliseconds(I.opt.shutdown_grace_ms), [&I] { return I.total == 0; });
  }
  I.guard.reset();
  I.ioc.stop();
  for (auto& t : I.threads)
    if (t.joinable()) t.join();
  I.threads.clear();
}

}  // namespace causeway::gateway
