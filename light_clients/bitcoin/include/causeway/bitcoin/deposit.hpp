// Bitcoin deposits (PACKET.md "Bitcoin deposits"): bounded parsing of raw transactions and blocks (outputs only;
// txids are chain.hpp's txid_of), the OP_RETURN data push, the packet a deposit derives, and the codec of an
// island's registered deposit routes. The deposit's OP_RETURN format (CWY1 ‖ route tag ‖ receiver) and the
// sequence formula are core/packet.hpp's. Shared by the Bitcoin adapter (which finds deposits) and the relay
// (whose bitcoin family plug-in derives the packet from a VERIFIED transaction, relay/engine family.hpp).
// Pure: no I/O, no exceptions on bad input.
//
// A transaction is a deposit when exactly one output pays the island's registered deposit scriptPubKey and
// exactly one output is an OP_RETURN whose single data push parses as CWY1 data with a registered route tag.
// A transaction with neither is not a deposit (std::nullopt). Anything in between is ERR_DEPOSIT_INVALID with
// the reason (a payment without CWY1 data, CWY1 data without a payment, two of either, an unknown route tag, a
// zero value, a deposit output beyond index 255, a tx index ≥ 2^24).
// The derived packet: source = the Bitcoin island and its genesis hash in display byte order, source_channel
// "deposit", source_port "transfer", the route's destination, sequence = height × 2^32 + tx_index × 2^8 + vout,
// sender empty, receiver = the OP_RETURN receiver, payload = transfer payload (denom "sat", amount = the
// output's value in satoshi, sender empty, receiver, memo ""), timeouts 0.
// Thread-safety: value types and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"
#include "causeway/core/packet.hpp"

namespace causeway::bitcoin {

inline constexpr std::size_t kMaxTxBytes = 4'000'000;         // no transaction exceeds the block weight limit
inline constexpr std::size_t kMaxBlockBytes = 4'000'000;      // serialized block bound (MAX_BLOCK_SERIALIZED_SIZE)
inline constexpr std::size_t kMaxDepositRoutes = 16;          // routes one island may register

struct TxOutput {
  std::uint64_t value_sat = 0;
  Bytes script;  // scriptPubKey
};

// Outputs of one serialized transaction (legacy or segwit); `size` is how many bytes of the input it took.
struct ParsedTx {
  std::vector<TxOutput> outputs;
  std::size_t size = 0;
};

// Parses a transaction at the start of `data` (trailing bytes allowed: see parse_tx). Bounded: counts may not
// exceed what the remaining bytes could hold. Errors: ERR_TX_MALFORMED.
Result<ParsedTx> parse_tx_prefix(ByteView data);
// The whole input must be one transaction. Errors: ERR_TOO_LARGE (over kMaxTxBytes), ERR_TX_MALFORMED.
Result<ParsedTx> parse_tx(ByteView raw);

// A serialized block: its header and each transaction's raw bytes. Errors: ERR_TOO_LARGE (over kMaxBlockBytes),
// ERR_HEADER_ENCODING (< 80 bytes), ERR_TX_MALFORMED (a transaction, the count, trailing bytes).
struct RawBlock {
  Bytes header;           // 80 bytes
  std::vector<Bytes> txs;  // in block order
};
Result<RawBlock> parse_block(ByteView raw);

// The data of an OP_RETURN script with exactly one data push after OP_RETURN (direct push 1–75 bytes, or
// OP_PUSHDATA1 with 76–80 bytes, minimal); std::nullopt for any other script.
std::optional<Bytes> op_return_data(ByteView script);

// A registered route: the destination a route tag stands for (PACKET.md: route tag = first 8 bytes of
// keccak256(dest_island + "/" + dest_port + "/" + dest_channel)).
struct Route {
  std::string dest_island;
  Hash32 dest_genesis;
  std::string dest_port = "transfer";
  std::string dest_channel;
  bool operator==(const Route&) const = default;
};

// The routes of a Bitcoin island's registration (its `consensus_params`; docs/islands/bitcoin.md):
//   routes = uint8 n ‖ n × (uint16_be len ‖ abi.encode(string dest_island, bytes32 dest_genesis,
//                                                       string dest_port, string dest_channel))
// with 1 ≤ n ≤ kMaxDepositRoutes; empty bytes = no routes (headers only: every CWY1 deposit is refused).
// decode_routes is strict (canonical ABI, exact lengths, nothing after the last route) and checks each route:
// dest_island, dest_port, dest_channel 1..packet::kMaxStringBytes bytes, dest_genesis not zero, and every route
// tag unique among the island's routes (PACKET.md). Errors: ERR_INVALID_ARGUMENT (at names the route and field),
// ERR_TOO_LARGE (more than kMaxDepositRoutes), ERR_ZERO_ROOT (zero genesis).
Result<std::vector<Route>> decode_routes(ByteView encoded);
// The inverse (no checks; decode_routes of the result checks). Precondition: routes.size() ≤ 255.
Bytes encode_routes(std::span<const Route> routes);

// What the island registered: its id, genesis (display byte order, as PACKET.md's source_genesis), the deposit
// scriptPubKey and its routes.
struct DepositPolicy {
  std::string island;          // bip122:…
  Hash32 genesis_display;      // genesis block hash in display byte order
  Bytes deposit_script;        // non-empty
  std::vector<Route> routes;
};

struct Deposit {
  Hash32 txid;                 // internal order
  std::uint32_t height = 0;
  std::uint32_t tx_index = 0;
  std::uint32_t vout = 0;
  std::uint64_t amount_sat = 0;
  Route route;
  Bytes receiver;
  packet::Packet packet;
  Bytes packet_bytes;
  Hash32 commitment;
};

// Detects a deposit in `raw_tx`, the transaction at `tx_index` of the block at `height`. Errors: the parsers',
// ERR_DEPOSIT_INVALID (see the file comment), ERR_INVALID_ARGUMENT (empty deposit script).
Result<std::optional<Deposit>> detect_deposit(const DepositPolicy& policy, ByteView raw_tx, std::uint32_t height,
                                              std::uint32_t tx_index);

}  // namespace causeway::bitcoin
