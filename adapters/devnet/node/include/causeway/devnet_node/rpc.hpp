// The devnet's JSON-RPC 2.0 methods (docs/devnet.md "JSON-RPC"), transport-free: the server (server.cpp) feeds
// request bodies in and writes the answers out; tests call it directly.
//
// Node wraps a Chain with a mutex (the Chain is single-threaded) and implements:
//   devnet_genesis, devnet_latestHeight, devnet_getBlock(height), devnet_getEvents(height),
//   devnet_getTransactions(height), devnet_getTxProof(height, index), devnet_getEventProof(height, index),
//   devnet_sendTransaction(raw hex), devnet_getReceipt(tx hash), devnet_getBalance(account, denom),
//   devnet_getNonce(address), devnet_getPacketReceipt(commitment), devnet_getSentPacket(commitment),
//   devnet_getChannels, devnet_getValidators, devnet_generateValidatorKeys(count),
//   devnet_signValidatorSetChange(validators)
// Quantities are JSON integers (heights, indices, nonces; a canonical decimal string is accepted too) or decimal
// strings (uint256 amounts); byte strings are 0x-prefixed lowercase hex. Errors: JSON-RPC codes -32700 (parse),
// -32600 (invalid request), -32601 (unknown method), -32602 (invalid params), -32603 (internal), and -32000 for a
// refused transaction or a chain error, whose `data` is {"code": "ERR_…", "at": "…"} with the stable error code
// (core/error.hpp).
// Bounds: a request body over kMaxRequestBytes or nested deeper than 32 levels is refused (-32600); a batch of
// more than 100 calls is refused.
// Thread-safety: every Node member is safe from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "causeway/devnet_node/chain.hpp"

namespace causeway::devnet {

inline constexpr std::size_t kMaxRequestBytes = 1024 * 1024;
inline constexpr std::size_t kMaxBatch = 100;

// A block as JSON-RPC returns it (devnet_getBlock and the newHeads notification):
// {"height", "hash", "header": "0x…", "fields": {decoded header}, "commit": [{"validator", "signature"}],
//  "validators": [{"key", "power"}], "next_validators": [...] (only when the set changes)}
nlohmann::json block_to_json(const BlockRecord& b);

// Serializes JSON for the wire: compact, and any invalid UTF-8 in a string (e.g. bytes echoed from an untrusted
// raw transaction or a parser message) replaced by U+FFFD instead of throwing. Every response goes through it.
std::string to_wire(const nlohmann::json& j);
// The fixed -32603 answer a transport sends when handling a request failed unexpectedly.
std::string internal_error_text();

class Node {
 public:
  // `clock_ms` gives "now" in ms since the Unix epoch (the real clock in the executable, fixed in tests).
  Node(std::unique_ptr<Chain> chain, std::function<std::uint64_t()> clock_ms);

  // Handles one HTTP/WebSocket body: a request object or a batch array. Returns the response text (always valid
  // UTF-8, see to_wire), or an empty string when nothing is to be sent (notifications only). Never throws: any
  // input, however malformed, gets a JSON-RPC error (-32700 / -32600 / … / -32603).
  std::string handle_text(std::string_view body) noexcept;
  // Handles one parsed request object (id may be absent: a notification, the result is then discarded). Any
  // JSON value is accepted: a non-object, or "jsonrpc"/"method" of the wrong type, is -32600. Never throws.
  nlohmann::json handle(const nlohmann::json& request) noexcept;

  // Produces the next block (the block-time loop calls it) and returns it; listeners are the caller's business.
  Result<BlockRecord> produce_block();

  // Runs `f` with the chain locked (tests, startup output).
  template <class F>
  auto with_chain(F&& f) {
    std::lock_guard<std::mutex> lock(mu_);
    return f(*chain_);
  }

 private:
  nlohmann::json handle_checked(const nlohmann::json& request);
  nlohmann::json dispatch(const std::string& method, const nlohmann::json& params);
  std::mutex mu_;
  std::unique_ptr<Chain> chain_;
  std::function<std::uint64_t()> clock_ms_;
};

}  // namespace causeway::devnet
