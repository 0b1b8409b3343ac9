// See ws_client.hpp.
#include "ws_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

namespace causeway::test {

namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct WsClient::Impl {
  net::io_context ioc;
  beast::websocket::stream<beast::tcp_stream> ws{ioc};
};

WsClient::WsClient(std::uint16_t port, const std::string& path) : impl_(std::make_unique<Impl>()) {
  beast::get_lowest_layer(impl_->ws).connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  impl_->ws.handshake("127.0.0.1", path);
  impl_->ws.read_message_max(16u << 20);
}

WsClient::~WsClient() {
  beast::error_code ec;
  if (impl_->ws.is_open()) impl_->ws.close(beast::websocket::close_code::normal, ec);
}

nlohmann::json WsClient::send(const nlohmann::json& message) {
  impl_->ws.text(true);
  impl_->ws.write(net::buffer(message.dump()));
  return read();
}

nlohmann::json WsClient::read() {
  beast::flat_buffer b;
  impl_->ws.read(b);
  return nlohmann::json::parse(beast::buffers_to_string(b.data()));
}

void WsClient::close() { impl_->ws.close(beast::websocket::close_code::normal); }

}  // namespace causeway::test
