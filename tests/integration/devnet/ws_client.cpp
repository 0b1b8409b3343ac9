#include "ws_client.hpp"

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <stdexcept>

namespace devnet_it {

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
