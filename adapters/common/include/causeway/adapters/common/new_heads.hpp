// A reconnecting WebSocket subscription to a node's new heads: Ethereum's eth_subscribe ["newHeads"] with one
// eth_subscription notification per block (the Ethereum JSON-RPC pub/sub API, Geth/anvil "Real-time Events"),
// or causeway-devnet's devnet_subscribe ["newHeads"] / devnet_subscription (docs/devnet.md "WebSocket").
// NewHeadsProtocol says which. Beast stays in new_heads.cpp (DESIGN.md rule 6).
//
// A background thread connects, subscribes, and queues each notified block; on any failure (connect refused,
// handshake, no frame for read_timeout (a ping goes out at half of it, so only a dead peer times out), a
// malformed or oversized frame, the server closing) it drops the connection, waits (reconnect_delay, doubling
// up to max_reconnect_delay) and subscribes again. Heads can be missed across a reconnect or when the queue is
// full (the oldest is dropped): a head whose height is not the previous one + 1 has `gap` set, and the consumer
// then reads blocks over JSON-RPC from its last height (a reorg also shows as a height that is not previous + 1,
// or as the same height again with another hash: the consumer's head follower resolves it). A head is a
// notification only: untrusted, never a verified header (rule 3).
//
// Bounds: a frame over max_frame_bytes is refused (reconnect); the queue holds at most queue_capacity heads.
// Thread-safety: next(), connected(), the stats and stop() may be called from any one consumer thread; the
// destructor stops.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"

namespace causeway::adapters {

struct NewHeadsOptions {
  std::chrono::milliseconds connect_timeout{5'000};   // TCP connect + WebSocket handshake + subscribe answer
  std::chrono::milliseconds read_timeout{30'000};     // no frame for this long → reconnect
  std::chrono::milliseconds reconnect_delay{100};     // first wait after a failure
  std::chrono::milliseconds max_reconnect_delay{5'000};
  std::size_t max_frame_bytes = 4u << 20;
  std::size_t queue_capacity = 1'024;
};

// The methods and the head fields of one node family.
struct NewHeadsProtocol {
  std::string subscribe_method;     // "eth_subscribe" | "devnet_subscribe"
  std::string notification_method;  // "eth_subscription" | "devnet_subscription"
  bool hex_number = false;          // height in "number" as a 0x quantity (Ethereum), else "height" as an integer
  static NewHeadsProtocol ethereum() { return {"eth_subscribe", "eth_subscription", true}; }
  static NewHeadsProtocol devnet() { return {"devnet_subscribe", "devnet_subscription", false}; }
};

struct NewHead {
  std::uint64_t height = 0;
  Hash32 hash;              // as the node states it (not checked here)
  nlohmann::json block;     // the head object as notified (Ethereum: the header fields; devnet: devnet_getBlock)
  bool gap = false;         // heads before this one were missed (reconnect or queue overflow)
};

class NewHeadsSubscription {
 public:
  // Starts the background thread for `ws_url` ("ws://host:port[/path]"). Does not wait for the first
  // connection. Errors: ERR_INVALID_ARGUMENT (not a ws:// URL, bad options or protocol).
  static Result<std::unique_ptr<NewHeadsSubscription>> start(std::string_view ws_url, NewHeadsProtocol protocol,
                                                             NewHeadsOptions options = {});

  ~NewHeadsSubscription();
  NewHeadsSubscription(const NewHeadsSubscription&) = delete;
  NewHeadsSubscription& operator=(const NewHeadsSubscription&) = delete;

  // The next queued head, waiting up to `timeout`; std::nullopt when none arrived in time or after stop().
  std::optional<NewHead> next(std::chrono::milliseconds timeout);

  // Subscriptions established so far (1 after the first connection; each reconnect adds one).
  std::uint64_t subscriptions() const noexcept;
  // Whether a subscription is established right now (false while connecting or waiting to reconnect).
  bool connected() const noexcept;
  // The last connection failure, if any (for logs and health checks).
  std::optional<Error> last_error() const;

  // Stops the thread and closes the connection; idempotent.
  void stop() noexcept;

 private:
  struct Impl;
  explicit NewHeadsSubscription(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace causeway::adapters
