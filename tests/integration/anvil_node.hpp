// Shared fixture of the anvil integration tests (anvil_integration_test, eth_bundle_anvil_test): an anvil node
// (pinned, tools/) on a free loopback port with explicit mining, ready for JSON-RPC; TestEndpoint.sol compiled
// with the pinned solc-js at test time; ABI calldata; and the small Result / hex helpers both tests use.
// Unlike anvil_process.hpp this part reports through Catch2 (FAIL / REQUIRE), so it runs inside test cases.
#pragma once

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "anvil_process.hpp"
#include "causeway/adapters/common/json_rpc.hpp"
#include "causeway/core/abi.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/ethereum/header.hpp"

namespace causeway::testing::anvil {

// "<CODE> detail at <where>" for failure messages.
std::string describe(const causeway::Error& e);

// The value of `r`, or FAIL with `what` and the error.
template <class T>
T must(causeway::Result<T> r, const std::string& what) {
  if (!r) FAIL(what << ": " << describe(r.error()));
  return std::move(*r);
}

Bytes hexb(const std::string& s);
Hash32 hexh(const std::string& s);
std::string hex(ByteView b);
std::string hex(const Hash32& h);
std::string hex(const ethereum::Address& a);
Hash32 keccak(std::string_view s);
std::string read_text(const fs::path& p);

// ---- ABI calldata -----------------------------------------------------------------------------------------

// The 4-byte function selector of `signature`, e.g. "ping(bytes)".
Bytes selector(std::string_view signature);
Bytes calldata(std::string_view signature, const abi::Type& args, const abi::Value& values);

// ---- solc-js at test time ---------------------------------------------------------------------------------

struct Compiled {
  Bytes bytecode;
  nlohmann::json methods;  // "sendPacket(uint64,bytes)" → "1f40dc8b"
  std::string version;
};

// tests/integration/contracts/TestEndpoint.sol (CAUSEWAY_CONTRACTS_DIR) compiled by tools/ solc-js, standard JSON
// input, optimizer off, EVM version london (runs on every anvil hardfork from Berlin on: no PUSH0, no BASEFEE in
// this contract). Compiled once per process (outputs under `work`); later calls return the cached result.
const Compiled& compiled_test_endpoint(const fs::path& work);

// ---- anvil ------------------------------------------------------------------------------------------------

struct NodeOptions {
  std::string hardfork = "prague";
  std::uint64_t chain_id = 31337;
  int accounts = 3;
  // Log file: <work>/<log_stem>-<attempt>.log.
  std::string log_stem = "anvil";
};

// anvil --no-mining on a free loopback port (up to three ports tried), ready once eth_chainId answers (60 s
// per attempt). Stopped by the destructor (RAII on its process group), also when a check fails.
class AnvilNode {
 public:
  AnvilNode(const fs::path& work, const NodeOptions& options);
  AnvilNode(const AnvilNode&) = delete;
  AnvilNode& operator=(const AnvilNode&) = delete;

  // The JSON-RPC result, or FAIL with the error and the tail of anvil's log.
  nlohmann::json call(const std::string& method, const nlohmann::json& params = nlohmann::json::array());
  // eth_sendTransaction; the transaction hash.
  Hash32 send(const nlohmann::json& tx);
  // evm_mine: one block.
  void mine();

  causeway::adapters::JsonRpcClient& client() { return *client_; }
  std::uint16_t port() const noexcept { return port_; }
  pid_t pid() const { return proc_->pid(); }
  const fs::path& log() const noexcept { return log_; }

 private:
  std::uint16_t port_ = 0;
  fs::path log_;
  std::unique_ptr<Process> proc_;  // destroyed (anvil stopped) after client_
  std::optional<causeway::adapters::JsonRpcClient> client_;
};

}  // namespace causeway::testing::anvil
