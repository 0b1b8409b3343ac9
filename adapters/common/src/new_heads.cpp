// The reconnecting new-heads WebSocket client (new_heads.hpp). Beast's WebSocket stays in this translation unit
// (DESIGN.md rule 6). Each network step is an asynchronous Beast operation on a private
// io_context run to completion, so the stream's deadlines apply; stop() stops that io_context from outside.
#include "causeway/adapters/common/new_heads.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "causeway/adapters/common/json_rpc.hpp"
#include "causeway/core/hex.hpp"

namespace causeway::adapters {

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
namespace net = boost::asio;
using tcp = boost::asio::ip::tcp;
using nlohmann::json;

namespace {

// An Ethereum JSON-RPC quantity: "0x" and 1 … 16 lowercase/uppercase hex digits without leading zeros
// (Ethereum JSON-RPC "Hex value encoding"; "0x0" is zero).
std::optional<std::uint64_t> parse_quantity(const std::string& s) {
  if (s.size() < 3 || s.size() > 18 || s[0] != '0' || s[1] != 'x' || (s.size() > 3 && s[2] == '0')) return std::nullopt;
  std::uint64_t v = 0;
  for (std::size_t i = 2; i < s.size(); ++i) {
    const char c = s[i];
    const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (d < 0) return std::nullopt;
    v = (v << 4) | static_cast<std::uint64_t>(d);
  }
  return v;
}

}  // namespace

struct NewHeadsSubscription::Impl {
  HttpUrl url;
  NewHeadsProtocol protocol;
  NewHeadsOptions options;
  bool live = false;  // a subscription is established (guarded by mu)

  mutable std::mutex mu;
  std::condition_variable cv;
  std::deque<NewHead> queue;
  bool stopping = false;
  net::io_context* current = nullptr;  // the io_context of the running session (guarded by mu)
  std::optional<Error> error;
  std::uint64_t subscriptions = 0;
  std::optional<std::uint64_t> last_height;  // of the last head queued
  std::thread thread;

  // Runs handlers until the operation's `done` flag is set (not until the io_context runs out of work: the
  // WebSocket's own timer stays pending); false when stop() interrupted it.
  bool drive(net::io_context& ioc, const bool& done) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (stopping) return false;
      ioc.restart();
    }
    while (!done)
      if (ioc.run_one() == 0) break;  // stopped, or nothing left to run
    std::lock_guard<std::mutex> lock(mu);
    return !stopping;
  }

  void set_error(Error e) {
    std::lock_guard<std::mutex> lock(mu);
    error = std::move(e);
  }

  void push(NewHead h) {
    std::lock_guard<std::mutex> lock(mu);
    h.gap = last_height.has_value() && h.height != *last_height + 1;
    last_height = h.height;
    if (queue.size() >= options.queue_capacity) {
      queue.pop_front();
      if (!queue.empty()) queue.front().gap = true;
      else h.gap = true;
    }
    queue.push_back(std::move(h));
    cv.notify_all();
  }

  // One connection: connect, handshake, subscribe, read notifications until something fails.
  Error session() {
    net::io_context ioc;
    {
      std::lock_guard<std::mutex> lock(mu);
      current = &ioc;
    }
    struct Clear {
      Impl* self;
      ~Clear() {
        std::lock_guard<std::mutex> lock(self->mu);
        self->current = nullptr;
      }
    } clear{this};

    websocket::stream<beast::tcp_stream> ws(ioc);
    beast::error_code ec;
    bool done = false;
    tcp::resolver resolver(ioc);
    tcp::resolver::results_type endpoints;
    resolver.async_resolve(url.host, std::to_string(url.port), [&](beast::error_code e, tcp::resolver::results_type r) {
      ec = e;
      endpoints = std::move(r);
      done = true;
    });
    if (!drive(ioc, done) || !done) return Error{Code::RpcTransport, "stopped", "newHeads"};
    if (ec) return Error{Code::RpcTransport, "resolve " + url.host + ": " + ec.message(), "newHeads"};

    auto& tcp_layer = beast::get_lowest_layer(ws);
    tcp_layer.expires_after(options.connect_timeout);
    done = false;
    tcp_layer.async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) {
      ec = e;
      done = true;
    });
    if (!drive(ioc, done) || !done) return Error{Code::RpcTransport, "stopped", "newHeads"};
    if (ec == beast::error::timeout) return Error{Code::RpcTimeout, "connect timed out", "newHeads"};
    if (ec) return Error{Code::RpcTransport, "connect: " + ec.message(), "newHeads"};

    ws.read_message_max(options.max_frame_bytes);
    done = false;
    ws.async_handshake(url.host + ":" + std::to_string(url.port), url.target, [&](beast::error_code e) {
      ec = e;
      done = true;
    });
    if (!drive(ioc, done) || !done) return Error{Code::RpcTransport, "stopped", "newHeads"};
    if (ec == beast::error::timeout) return Error{Code::RpcTimeout, "handshake timed out", "newHeads"};
    if (ec) return Error{Code::RpcTransport, "handshake: " + ec.message(), "newHeads"};
    tcp_layer.expires_never();
    websocket::stream_base::timeout t{};
    t.handshake_timeout = options.connect_timeout;
    t.idle_timeout = options.read_timeout;
    t.keep_alive_pings = true;  // a ping at half the read timeout; no frame (data or pong) for it → time out
    ws.set_option(t);
    ws.text(true);

    const std::string request =
        json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", protocol.subscribe_method}, {"params", {"newHeads"}}}.dump();
    done = false;
    ws.async_write(net::buffer(request), [&](beast::error_code e, std::size_t) {
      ec = e;
      done = true;
    });
    if (!drive(ioc, done) || !done) return Error{Code::RpcTransport, "stopped", "newHeads"};
    if (ec) return Error{Code::RpcTransport, "subscribe: " + ec.message(), "newHeads"};

    std::optional<std::string> sub_id;
    beast::flat_buffer buf;
    for (;;) {
      done = false;
      buf.clear();
      ws.async_read(buf, [&](beast::error_code e, std::size_t) {
        ec = e;
        done = true;
      });
      if (!drive(ioc, done) || !done) return Error{Code::RpcTransport, "stopped", "newHeads"};
      if (ec == beast::error::timeout) return Error{Code::RpcTimeout, "no message within the read timeout", "newHeads"};
      if (ec == websocket::error::message_too_big)
        return Error{Code::TooLarge, "frame over " + std::to_string(options.max_frame_bytes) + " bytes", "newHeads"};
      if (ec) return Error{Code::RpcTransport, "read: " + ec.message(), "newHeads"};
      const std::string text = beast::buffers_to_string(buf.data());
      json msg = json::parse(text, nullptr, false);
      if (msg.is_discarded() || !msg.is_object())
        return Error{Code::RpcResponse, "a frame is not a JSON object", "newHeads"};
      if (!sub_id) {  // waiting for the subscribe answer
        if (!msg.contains("id")) continue;
        if (msg["id"] != 1 || !msg.contains("result") || !msg["result"].is_string())
          return Error{Code::RpcError, protocol.subscribe_method + " refused: " + text.substr(0, 256), "newHeads"};
        sub_id = msg["result"].get<std::string>();
        std::lock_guard<std::mutex> lock(mu);
        ++subscriptions;
        live = true;
        continue;
      }
      if (msg.value("method", "") != protocol.notification_method || !msg.contains("params") ||
          !msg["params"].is_object())
        continue;  // not ours (e.g. an answer to nothing): ignore
      const json& params = msg["params"];
      if (!params.contains("subscription") || params["subscription"] != *sub_id) continue;
      if (!params.contains("result") || !params["result"].is_object())
        return Error{Code::RpcResponse, "a notification without a block", "newHeads"};
      const json& block = params["result"];
      NewHead head;
      if (protocol.hex_number) {
        auto n = block.contains("number") && block["number"].is_string()
                     ? parse_quantity(block["number"].get<std::string>())
                     : std::optional<std::uint64_t>{};
        if (!n) return Error{Code::RpcResponse, "a notified head without a 0x quantity number", "newHeads"};
        head.height = *n;
      } else {
        if (!block.contains("height") || !block["height"].is_number_unsigned())
          return Error{Code::RpcResponse, "a notified block without a height", "newHeads"};
        head.height = block["height"].get<std::uint64_t>();
      }
      auto hash = block.contains("hash") && block["hash"].is_string() ? hash_from_hex(block["hash"].get<std::string>())
                                                                      : Result<Hash32>(fail(Code::RpcResponse));
      if (!hash) return Error{Code::RpcResponse, "a notified block without a 32-byte hash", "newHeads"};
      head.hash = *hash;
      head.block = block;
      push(std::move(head));
    }
  }

  void run() {
    auto delay = options.reconnect_delay;
    for (;;) {
      const std::uint64_t before = subscriptions_now();
      Error e = session();
      {
        std::unique_lock<std::mutex> lock(mu);
        live = false;
        if (stopping) return;
        error = std::move(e);
        if (subscriptions > before) delay = options.reconnect_delay;  // it had worked: start small again
        cv.wait_for(lock, delay, [&] { return stopping; });
        if (stopping) return;
      }
      delay = std::min(delay * 2, options.max_reconnect_delay);
    }
  }

  std::uint64_t subscriptions_now() {
    std::lock_guard<std::mutex> lock(mu);
    return subscriptions;
  }
};

NewHeadsSubscription::NewHeadsSubscription(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

NewHeadsSubscription::~NewHeadsSubscription() { stop(); }

Result<std::unique_ptr<NewHeadsSubscription>> NewHeadsSubscription::start(std::string_view ws_url,
                                                                          NewHeadsProtocol protocol,
                                                                          NewHeadsOptions options) {
  if (protocol.subscribe_method.empty() || protocol.notification_method.empty())
    return fail(Code::InvalidArgument, "the protocol names its subscribe and notification methods", "protocol");
  if (ws_url.size() < 5 || (ws_url.substr(0, 5) != "ws://" && ws_url.substr(0, 5) != "WS://"))
    return fail(Code::InvalidArgument, "expected a ws:// URL", "ws_url");
  auto url = parse_http_url("http://" + std::string(ws_url.substr(5)));
  if (!url) return tl::unexpected(url.error());
  if (options.queue_capacity == 0 || options.max_frame_bytes == 0 || options.reconnect_delay.count() <= 0 ||
      options.max_reconnect_delay < options.reconnect_delay)
    return fail(Code::InvalidArgument, "queue, frame bound and delays must be positive", "options");
  auto impl = std::make_unique<Impl>();
  impl->url = std::move(*url);
  impl->protocol = std::move(protocol);
  impl->options = options;
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->run(); });
  return std::unique_ptr<NewHeadsSubscription>(new NewHeadsSubscription(std::move(impl)));
}

std::optional<NewHead> NewHeadsSubscription::next(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(impl_->mu);
  impl_->cv.wait_for(lock, timeout, [&] { return impl_->stopping || !impl_->queue.empty(); });
  if (impl_->queue.empty()) return std::nullopt;
  NewHead h = std::move(impl_->queue.front());
  impl_->queue.pop_front();
  return h;
}

std::uint64_t NewHeadsSubscription::subscriptions() const noexcept {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->subscriptions;
}

bool NewHeadsSubscription::connected() const noexcept {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->live;
}

std::optional<Error> NewHeadsSubscription::last_error() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->error;
}

void NewHeadsSubscription::stop() noexcept {
  if (!impl_) return;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stopping = true;
    if (impl_->current != nullptr) impl_->current->stop();
    impl_->cv.notify_all();
  }
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace causeway::adapters
