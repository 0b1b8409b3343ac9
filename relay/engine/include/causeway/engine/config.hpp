// The relay's configuration (docs/relay-core.md "Configuration"): the attestation committee and the islands
// and channels `causeway serve` registers at start. Islands and channels are governance-signed records
// (relay/domain: island.register, channel.open), so a config file cannot make the relay trust an anchor its
// island's governance keys did not sign.
//
// File format: TOML (`.toml`) or JSON (any other name), with the same structure:
//   [committee]  threshold = 1, members = ["0x<address>", …], key_file = "<path>",
//                allow_low_threshold = false, key_sources = ["<path>", …] (one per member, optional),
//                peers = ["http://127.0.0.1:8646", …] (k > 1: where the other members' attestations are
//                fetched, GET /v1/attestations/{packet-id}; engine/peers.hpp)
//   [[islands]]  a SignedIsland (island_to_json below)
//   [[channels]] { a = <SignedChannelRecord>, b = <SignedChannelRecord> } (channel_to_json below)
// A missing [committee] is the default: one relay, k = n = 1, whose key is <data-dir>/attestation.key.
//
// Thread-safety: value types and pure functions (load_config reads one file).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "causeway/core/error.hpp"
#include "causeway/domain/channel.hpp"
#include "causeway/domain/committee.hpp"
#include "causeway/domain/island.hpp"

namespace causeway::engine {

struct CommitteeSettings {
  std::uint32_t threshold = 1;
  std::vector<domain::Address> members;   // empty = just this relay (k = n = 1)
  std::vector<std::string> key_sources;   // parallel to members ("" = not local); A06 warning on repeats
  std::string key_file;                   // this relay's attestation key; "" = <data-dir>/attestation.key
  bool allow_low_threshold = false;       // logged when used (A06)
  std::vector<std::string> peers;         // k > 1: other members' relays, "http://host:port" (peers.hpp)
};

struct ChannelPair {
  domain::SignedChannelRecord a;
  domain::SignedChannelRecord b;
};

// Packet lifecycle (docs/relay-core.md "Source watching"): registered base assets (relay/domain AssetRegistry:
// an escrowed base denom must be registered for its source island) and the chain adapters `serve` runs.
//   [[assets]]   island = "<CAIP-2>", denom = "stake" | "0x<erc20>"
//   [adapters]   poll_ms = 100, withhold = ["<island>/<channel>", …] (operator: deliveries on those
//                destination channel ends are withheld; their packets time out and are refunded)
//   [[adapters.islands]] island = "<CAIP-2>", kind = "devnet" | "evm" | "bitcoin", rpc = ["http://…", …],
//                ws = "ws://…" (evm), submitter_key_file = "<path>" (64 hex digits, mode 0600; not bitcoin),
//                confirmations = 0, and for bitcoin (Bitcoin Core JSON-RPC, HTTP Basic auth) either
//                rpc_cookie_file = "<datadir>/.cookie" or rpc_user = "<user>" + rpc_password_file = "<path>"
//                (the password is read from that file at start and never logged or written back)
struct AssetSetting {
  std::string island;
  std::string denom;
};
struct IslandAdapterSettings {
  std::string island;
  std::string kind;                       // "devnet" | "evm" | "bitcoin"
  std::vector<std::string> rpc;           // JSON-RPC URLs (devnet: the first is used)
  std::string submitter_key_file;         // signs deliveries, acks and timeouts on this island
  std::uint64_t confirmations = 0;        // blocks below the tip before a sent packet is proven
  std::string ws;                         // evm: optional ws:// URL for pushed new heads (eth_subscribe)
  std::string rpc_user = {};              // bitcoin: rpcuser / rpcauth user (with rpc_password_file)
  std::string rpc_password_file = {};     // bitcoin: a file holding the password (trailing newline ignored)
  std::string rpc_cookie_file = {};       // bitcoin: Bitcoin Core's <datadir>/.cookie (instead of user/password)
};
struct AdapterSettings {
  std::uint64_t poll_ms = 100;
  std::vector<std::string> withhold;      // "<dest island>/<dest channel>"
  std::vector<IslandAdapterSettings> islands;
};

// Gateway limits (docs/configuration.md "[gateway]"; attack case A29; the meaning of each is
// gateway::ServerOptions'). Every key is optional: an absent key keeps ServerOptions' default, and a
// `causeway serve` flag given on the command line (--max-body, --rate-per-ip, …) overrides the file.
//   [gateway]    threads, max_body_bytes, max_header_bytes, read_timeout_ms, idle_timeout_ms, write_timeout_ms,
//                max_connections, max_connections_per_ip, rate_per_ip, burst_per_ip, max_ws_message_bytes,
//                ws_queue_messages (bytes, milliseconds, connections, requests per second, messages)
struct GatewaySettings {
  std::optional<std::uint64_t> threads;
  std::optional<std::uint64_t> max_body_bytes;
  std::optional<std::uint64_t> max_header_bytes;
  std::optional<std::uint64_t> read_timeout_ms;
  std::optional<std::uint64_t> idle_timeout_ms;
  std::optional<std::uint64_t> write_timeout_ms;
  std::optional<std::uint64_t> max_connections;
  std::optional<std::uint64_t> max_connections_per_ip;
  std::optional<double> rate_per_ip;          // 0 = unlimited
  std::optional<double> burst_per_ip;
  std::optional<std::uint64_t> max_ws_message_bytes;
  std::optional<std::uint64_t> ws_queue_messages;
  bool operator==(const GatewaySettings&) const = default;
};

struct RelayConfig {
  CommitteeSettings committee;
  std::vector<domain::SignedIsland> islands;
  std::vector<ChannelPair> channels;
  std::vector<AssetSetting> assets;       // packet lifecycle (above)
  AdapterSettings adapters;               // packet lifecycle (above)
  GatewaySettings gateway;                // gateway limits (above)
};

// JSON forms (byte strings 0x hex; endpoint: 0x hex, or {"utf8": "endpoint"} for module names):
// island: {"id","genesis","family","codec","consensus_params","trusting_period_s",
//          "finality":{"kind","confirmations"},"allow_rpc_trusted_public",
//          "anchor":{"height","hash","time_s","extra"},"endpoint","governance":{"threshold","members"},
//          "nonce","signatures"}
// channel record: {"island","channel","port","endpoint","counterparty_island","counterparty_genesis",
//          "counterparty_channel","counterparty_port","counterparty_endpoint","ordering","open_height",
//          "nonce","signatures"}
nlohmann::json island_to_json(const domain::SignedIsland& r);
Result<domain::SignedIsland> island_from_json(const nlohmann::json& j);
nlohmann::json channel_to_json(const domain::SignedChannelRecord& r);
Result<domain::SignedChannelRecord> channel_from_json(const nlohmann::json& j);
// client.recover record (schemas/client-recover.schema.json): {"island","anchor":{"height","hash","time_s",
// "extra"},"nonce","signatures"}. Errors (from_json): ERR_INVALID_ARGUMENT (shape; `at` names the field).
nlohmann::json recover_to_json(const domain::ClientRecoverRecord& r);
Result<domain::ClientRecoverRecord> recover_from_json(const nlohmann::json& j);
nlohmann::json config_to_json(const RelayConfig& c);
Result<RelayConfig> config_from_json(const nlohmann::json& j);

// Reads a config file (TOML when the name ends in .toml, else JSON). Errors: ERR_IO (unreadable),
// ERR_INVALID_ARGUMENT (syntax or shape; the detail names the field).
Result<RelayConfig> load_config(const std::string& path);
// The Bitcoin network (PROOF-BUNDLE.md name: mainnet, testnet3, testnet4, signet, regtest) whose island id is
// `island` ("bip122:" + the first 32 hex digits of its genesis hash, display order). Pure.
// Errors: ERR_UNKNOWN_NETWORK (no known network has that id).
Result<std::string> bitcoin_network_of(const std::string& island);
// The checks of a read config that need no chain, key file or database — the ONE function both
// `causeway config validate` and `causeway serve --config` run (docs/cli.md; serve exits 2 on its error):
//   every island record through relay/domain's registry (spec rules and governance signatures, A01/A04),
//     errors at islands[i];
//   every [[adapters.islands]] entry: its island is one of [[islands]], at least one RPC URL and each an
//     http://host[:port][/path] URL (adapters/common parse_http_url), the optional ws URL a ws://host[:port][/path]
//     URL (as the new-heads subscription reads it), and for kind "evm" a 20-byte registered endpoint; for kind
//     "bitcoin": the island is a `bitcoin` island of a known network (bip122 id of mainnet, testnet3, testnet4,
//     signet or regtest), exactly one RPC URL, credentials = rpc_cookie_file alone or rpc_user with
//     rpc_password_file (the files are read by serve, not here), no submitter_key_file and no ws (a source only),
//     and confirmations ≥ the island's finality.confirmations − 1 (the watcher's final tip is the node's tip less
//     `confirmations`; a shallower block's bundle could never carry the island's confirmations);
//     errors (ERR_INVALID_ARGUMENT) at adapters.islands[i].<field>;
//   every [gateway] limit within its range (kGatewayRanges in config.cpp: threads 1–64, body 1 KiB–64 MiB, header
//     1 KiB–1 MiB, timeouts 100 ms–1 h, connections 1–1,000,000, per-IP connections ≥ 1 and ≤ max_connections,
//     rate 0–1,000,000/s, burst ≥ 1, WebSocket message 1 KiB–64 MiB, queue 1–65,536), errors
//     (ERR_INVALID_ARGUMENT) at gateway.<key>.
// Pure (no I/O).
Status check_config(const RelayConfig& config);
// The file as a JSON document before it is read into a RelayConfig (TOML converted by toml++), for
// `causeway config validate` (schema check first). Errors: as load_config's, before the shape checks.
Result<nlohmann::json> load_config_document(const std::string& path);

}  // namespace causeway::engine
