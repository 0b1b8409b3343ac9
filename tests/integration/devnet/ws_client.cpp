#include "ws_client.hpp"

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <stdexcept>

namespace devnet_it {
namespace {

boost::asio::ip::tcp::socket connect_with_timeout(boost::asio::io_context& ioc, const std::string& host,
                                                  std::uint16_t port, std::chrono::seconds timeout) {
  boost::asio::ip::tcp::socket sock(ioc);
  sock.connect({boost::asio::ip::make_address(host), port});
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count());
  setsockopt(sock.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return sock;
}

}  // namespace

std::string ws_exchange(const std::string& host, std::uint16_t port, const std::string& message, bool binary,
                        std::chrono::seconds timeout) {
  namespace beast = boost::beast;
  namespace websocket = beast::websocket;
  boost::asio::io_context ioc;
  websocket::stream<boost::asio::ip::tcp::socket> ws(connect_with_timeout(ioc, host, port, timeout));
  ws.handshake(host + ":" + std::to_string(port), "/");
  ws.binary(binary);
  ws.write(boost::asio::buffer(message));
  beast::flat_buffer buf;
  ws.read(buf);
  std::string out = beast::buffers_to_string(buf.data());
  beast::error_code ec;
  ws.close(websocket::close_code::normal, ec);
  return out;
}

std::string http_post(const std::string& host, std::uint16_t port, const std::string& body,
                      std::chrono::seconds timeout) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  boost::asio::io_context ioc;
  auto sock = connect_with_timeout(ioc, host, port, timeout);
  http::request<http::string_body> req{http::verb::post, "/", 11};
  req.set(http::field::host, host + ":" + std::to_string(port));
  req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  http::write(sock, req);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(sock, buf, res);
  beast::error_code ec;
  sock.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
  return res.body();
}

std::vector<nlohmann::json> receive_new_heads(const std::string& host, std::uint16_t port, std::size_t count,
                                              std::chrono::seconds timeout) {
  namespace asio = boost::asio;
  namespace beast = boost::beast;
  namespace websocket = beast::websocket;
  asio::io_context ioc;
  asio::ip::tcp::socket sock(ioc);
  sock.connect({asio::ip::make_address(host), port});
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count());
  setsockopt(sock.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  websocket::stream<asio::ip::tcp::socket> ws(std::move(sock));
  ws.handshake(host + ":" + std::to_string(port), "/");
  ws.write(asio::buffer(std::string(R"({"jsonrpc":"2.0","id":1,"method":"devnet_subscribe","params":["newHeads"]})")));
  beast::flat_buffer buf;
  ws.read(buf);
  const auto ack = nlohmann::json::parse(beast::buffers_to_string(buf.data()));
  buf.consume(buf.size());
  if (!ack.contains("result") || !ack["result"].is_string()) throw std::runtime_error("subscribe refused: " + ack.dump());
  std::vector<nlohmann::json> out;
  while (out.size() < count) {
    ws.read(buf);
    auto n = nlohmann::json::parse(beast::buffers_to_string(buf.data()));
    buf.consume(buf.size());
    if (n.value("method", "") != "devnet_subscription" || n["params"]["subscription"] != ack["result"])
      throw std::runtime_error("unexpected message: " + n.dump().substr(0, 200));
    out.push_back(n["params"]["result"]);
  }
  beast::error_code ec;
  ws.close(websocket::close_code::normal, ec);
  return out;
}

}  // namespace devnet_it
