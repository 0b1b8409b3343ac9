// `causeway transfer send`: sends an ICS-20 transfer from an EVM island with its transfer application
// (docs/cli.md, docs/contracts.md). Signs locally with --key-file (legacy EIP-155): first
// ERC-20 approve(transfer app, amount) on --token, then TransferApp.sendTransfer(channel, token, amount, receiver,
// memo, timeoutHeight, timeoutTimestampNs) — a registered ERC-20 is escrowed, a voucher of the app going home is
// burned. Prints the packet the endpoint emitted (PacketSent: commitment, sequence) and its packet id
// `<island>/<genesis>/<channel>/<sequence>` for `GET /v1/packets/{id}`.
// Devnet transfers: `causeway-devnet tx send-transfer` (docs/devnet.md).
// Exit codes: 0 sent, 1 the chain refused or did not answer, 2 usage or key-file error.
#include <algorithm>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "causeway/adapters/ethereum/contracts.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "commands.hpp"
#include "evm_cli.hpp"

namespace causeway::app {
namespace {

using nlohmann::json;
namespace ae = causeway::adapters::ethereum;

struct TransferOpts {
  std::string rpc, key_file, transfer_app, token, channel, amount, receiver, memo;
  std::uint64_t timeout_height = 0, timeout_timestamp_ns = 0, timeout_s = 0;
  bool no_approve = false;
  bool json_out = false;
};

int fail_usage(const TransferOpts& o, const Error& e) { return evmcli::print_error(o.json_out, e), 2; }

int run_send(const TransferOpts& o) {
  auto app = evmcli::parse_address(o.transfer_app, "--transfer-app");
  if (!app) return fail_usage(o, app.error());
  auto token = evmcli::parse_address(o.token, "--token");
  if (!token) return fail_usage(o, token.error());
  auto amount = abi::u256_from_decimal(o.amount);
  if (!amount) return fail_usage(o, Error{Code::InvalidArgument, "a decimal integer", "--amount"});
  auto receiver = from_hex(o.receiver, 64);
  if (!receiver || receiver->empty()) return fail_usage(o, Error{Code::BadHex, "0x hex bytes (1-64)", "--receiver"});
  std::uint64_t tts = o.timeout_timestamp_ns;
  if (tts == 0 && (o.timeout_s != 0 || o.timeout_height == 0)) {
    const auto now_ns = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
    tts = now_ns + (o.timeout_s != 0 ? o.timeout_s : 600) * 1'000'000'000ULL;
  }
  auto s = evmcli::connect(o.rpc, o.key_file);
  if (!s) {
    const Code c = s.error().code;
    return evmcli::print_error(o.json_out, s.error()), c == Code::Io || c == Code::KeyPermissions || c == Code::BadHex ? 2 : 1;
  }
  json out{{"ok", true}, {"island", "eip155:" + std::to_string(s->signer->chain_id())}, {"channel", o.channel},
           {"sender", evmcli::address_hex(s->signer->address())}};
  if (!o.no_approve) {
    auto ap = s->signer->send(*token, ae::erc20_approve_call(*app, *amount));
    if (!ap) return evmcli::print_error(o.json_out, ap.error()), 1;
    out["approve_tx"] = to_hex(ap->hash.view());
  }
  auto tx = s->signer->send(*app, ae::send_transfer_call(o.channel, *token, *amount, *receiver, o.memo,
                                                         o.timeout_height, tts));
  if (!tx) return evmcli::print_error(o.json_out, tx.error()), 1;
  out["tx_hash"] = to_hex(tx->hash.view());
  out["block_number"] = tx->block_number;
  out["timeout_height"] = o.timeout_height;
  out["timeout_timestamp_ns"] = tts;
  // The PacketSent(bytes32 indexed commitment, uint64 indexed sequence, bytes packet) log of the receipt.
  const std::string event_sig = "PacketSent(bytes32,uint64,bytes)";
  const std::string topic0 = to_hex(keccak256(Bytes(event_sig.begin(), event_sig.end())).view());
  auto receipt = s->client->call("eth_getTransactionReceipt", json::array({to_hex(tx->hash.view())}));
  auto genesis = s->client->call("eth_getBlockByNumber", json::array({"0x0", false}));
  if (!receipt || !genesis) {
    return evmcli::print_error(o.json_out, receipt ? genesis.error() : receipt.error()), 1;
  }
  try {
    for (const auto& log : (*receipt)["logs"]) {
      const auto& topics = log["topics"];
      if (topics.size() != 3 || topics[0].get<std::string>() != topic0) continue;
      out["commitment"] = topics[1];
      auto seq = from_hex(topics[2].get<std::string>(), 32);
      if (!seq || seq->size() != 32) continue;
      abi::U256 word{};
      std::copy(seq->begin(), seq->end(), word.begin());
      auto n = abi::u256_to_u64(word);
      if (!n) continue;
      out["sequence"] = *n;
      out["packet_id"] = out["island"].get<std::string>() + "/" + (*genesis)["hash"].get<std::string>() + "/" +
                         o.channel + "/" + std::to_string(*n);
    }
  } catch (const json::exception& e) {
    return evmcli::print_error(o.json_out, Error{Code::RpcResponse, e.what(), "eth_getTransactionReceipt"}), 1;
  }
  if (!out.contains("commitment")) {
    return evmcli::print_error(o.json_out, Error{Code::RpcResponse, "no PacketSent log in the receipt", "logs"}), 1;
  }
  if (o.json_out) {
    std::cout << out.dump(2) << "\n";
  } else {
    for (auto it = out.begin(); it != out.end(); ++it)
      if (it.key() != "ok") std::cout << it.key() << " " << (it->is_string() ? it->get<std::string>() : it->dump()) << "\n";
  }
  return 0;
}

}  // namespace

void add_transfer_commands(CLI::App& app, int& exit_code) {
  static TransferOpts o;
  auto* transfer = app.add_subcommand("transfer", "Send token transfers from an EVM island");
  transfer->require_subcommand(1);
  auto* send = transfer->add_subcommand(
      "send",
      "approve + TransferApp.sendTransfer on an EVM island; prints the packet (commitment, sequence, packet id).\n"
      "Exit status: 0 sent, 1 the chain refused or did not answer, 2 usage or key-file error.");
  send->add_option("--rpc", o.rpc, "JSON-RPC URL of the island's node (http://host:port)")->required();
  send->add_option("--key-file", o.key_file, "The sender's key: 64 hex digits, mode 0600")->required();
  send->add_option("--transfer-app", o.transfer_app, "The TransferApp contract, 0x address")->required();
  send->add_option("--token", o.token, "The ERC-20 (registered asset or a voucher of the app), 0x address")->required();
  send->add_option("--channel", o.channel, "Source channel id, e.g. channel-0")->required();
  send->add_option("--amount", o.amount, "Amount, decimal integer (smallest units)")->required();
  send->add_option("--receiver", o.receiver, "Receiver on the destination island, 0x hex (1-64 bytes)")->required();
  send->add_option("--memo", o.memo, "Memo");
  send->add_option("--timeout-height", o.timeout_height, "Destination height at which the packet times out (0 = none)");
  send->add_option("--timeout-timestamp-ns", o.timeout_timestamp_ns, "Destination time (ns since epoch) of the timeout");
  send->add_option("--timeout-s", o.timeout_s, "Time out this many seconds from now (default 600 when no timeout is given)");
  send->add_flag("--no-approve", o.no_approve, "Skip the ERC-20 approve transaction");
  send->add_flag("--json", o.json_out, "Print JSON");
  send->callback([&exit_code] { exit_code = run_send(o); });
}

}  // namespace causeway::app
