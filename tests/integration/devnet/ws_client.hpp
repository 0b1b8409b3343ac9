// A minimal WebSocket JSON-RPC client for the devnet integration test (Beast stays in ws_client.cpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace devnet_it {

// Connects to ws://host:port/, sends {"method":"devnet_subscribe","params":["newHeads"]}, checks the answer and
// returns the `result` of the first `count` notifications. Throws std::runtime_error on any failure or when a
// read waits longer than `timeout`.
std::vector<nlohmann::json> receive_new_heads(const std::string& host, std::uint16_t port, std::size_t count,
                                              std::chrono::seconds timeout);

// Sends one WebSocket message (a binary frame when `binary`) to ws://host:port/ and returns the text of the first
// answer. Throws std::runtime_error on failure or after `timeout`.
std::string ws_exchange(const std::string& host, std::uint16_t port, const std::string& message, bool binary,
                        std::chrono::seconds timeout);

// POSTs `body` (raw bytes, sent as is) to http://host:port/ and returns the response body.
std::string http_post(const std::string& host, std::uint16_t port, const std::string& body,
                      std::chrono::seconds timeout);

}  // namespace devnet_it
