// The causeway-devnet genesis file (JSON; docs/devnet.md "Genesis file"). Read once, on the first start of a
// data dir; afterwards the chain's own stored copy rules.
//
// {
//   "chain_name": "devnet",                       island id = "cwdevnet:" + chain_name ([a-z0-9-], 1–32 chars)
//   "crypto": "secp256k1-sha256" | "sm2-sm3",    the validators' suite (headers, commits, hashes)
//   "genesis_time_ms": 0,                         block 0's time; 0 = the time of the first start; ≤ kMaxTimeMs
//   "validators": { "count": 4, "power": 10 },    keys are generated into the data dir on the first start
//   "balances": { "0x<address>": { "<token>": "<decimal amount>", … }, … },
//   "committee": { "members": ["0x<address>", …], "k": 1 },   the relay committee (attestation signers)
//   "governance": "0x<address>",                  may open channels (optional; none = genesis channels only)
//   "endpoint": "endpoint",                       the endpoint module id (PACKET.md dest_endpoint = its utf8 bytes)
//   "channels": [ { "channel_id": "channel-0", "port": "transfer", "counterparty_island": "…",
//                   "counterparty_genesis": "0x…", "counterparty_channel": "channel-0",
//                   "counterparty_port": "transfer", "ordering": "unordered" | "ordered",
//                   "next_send_sequence": 1 }, … ]
// }
// Unknown keys are refused (a typo must not silently change a chain). Errors: ERR_INVALID_ARGUMENT with the
// JSON path in `at`.
// Thread-safety: value types and pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "causeway/bft/suite.hpp"
#include "causeway/core/error.hpp"
#include "causeway/devnet_node/tx.hpp"

namespace causeway::devnet {

inline constexpr std::string_view kIslandPrefix = "cwdevnet:";
inline constexpr std::uint32_t kMaxGenesisValidators = 64;
// The latest block time, ms since the Unix epoch: 9999-12-31T23:59:59.999Z. genesis_time_ms above it is refused.
inline constexpr std::uint64_t kMaxTimeMs = 253'402'300'799'999;

struct Channel {
  std::string channel_id;
  std::string port;
  std::string counterparty_island;
  Hash32 counterparty_genesis;
  std::string counterparty_channel;
  std::string counterparty_port;
  bool ordered = false;
  std::uint64_t next_send_sequence = 1;
  std::uint64_t next_recv_sequence = 1;  // ordered channels only
  bool operator==(const Channel&) const = default;
};

struct Committee {
  std::vector<Address> members;
  std::uint32_t k = 1;
  bool operator==(const Committee&) const = default;
};

struct Genesis {
  std::string chain_name = "devnet";
  bft::Suite suite = bft::Suite::Secp256k1Sha256;
  std::uint64_t genesis_time_ms = 0;
  std::uint32_t validator_count = 4;
  std::uint64_t validator_power = 10;
  std::map<std::string, std::map<std::string, U256>> balances;  // lowercase 0x address → token → amount
  Committee committee;
  std::optional<Address> governance;
  std::string endpoint = "endpoint";
  std::vector<Channel> channels;
  bool operator==(const Genesis&) const = default;
};

Result<Genesis> parse_genesis(const nlohmann::json& j);
nlohmann::json genesis_to_json(const Genesis& g);

// The well-known public test keys (Hardhat/anvil accounts 0–3; never use them for value). The sample genesis
// gives accounts 0–3 balances of "stake" and "token"; account 0 is governance; account 1 is the one-member
// relay committee (k = 1).
inline constexpr const char* kDevKeys[] = {
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
};
Genesis sample_genesis(std::string chain_name = "devnet", bft::Suite suite = bft::Suite::Secp256k1Sha256,
                       std::uint32_t validators = 4);

// Name rules: chain name [a-z0-9-]{1,32}; channel ids and ports [A-Za-z0-9._+-]{1,64}; denoms 1–1024 bytes of
// printable ASCII without spaces; island ids 1–64 printable ASCII with a ':'.
Status check_chain_name(std::string_view s);
Status check_identifier(std::string_view s, const char* what);
Status check_denom(std::string_view s);
Status check_island(std::string_view s, const char* what);

}  // namespace causeway::devnet
