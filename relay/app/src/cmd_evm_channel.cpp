// EVM island governance from the command line (docs/cli.md, docs/contracts.md): after `island deploy-contracts`,
// the governance key opens channels on the endpoint and registers the ERC-20s the transfer application may
// escrow; `island deploy-token` deploys a TestToken (demos and tests only, never for value).
//   causeway island register-channel --rpc URL --key-file F --endpoint 0x… --channel ID --counterparty-island ID
//            --counterparty-genesis 0x… --counterparty-channel ID [--port P] [--counterparty-port P] [--ordered]
//   causeway island register-asset   --rpc URL --key-file F --transfer-app 0x… --token 0x…
//   causeway island deploy-token     --rpc URL --key-file F [--name N] [--symbol S] [--supply DECIMAL]
// Each signs locally (legacy EIP-155, deploy.hpp EvmSigner) and waits for the successful receipt; a call the
// node says would revert is refused before sending, with the contract's reason (ERR_TX_FAILED).
// Exit codes: 0 done, 1 the chain refused or did not answer, 2 usage, key file or contracts not built.
#include <sys/stat.h>

#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "causeway/adapters/ethereum/contracts.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/engine/relay.hpp"
#include "commands.hpp"
#include "evm_cli.hpp"

namespace causeway::app {

namespace evmcli {

Result<secp256k1::SecretKey> read_signing_key(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return fail(Code::Io, "key file " + path + " does not exist", "--key-file");
  return engine::load_or_create_attestation_key(path);  // same format and 0600 rule; never creates here
}

Result<ae::eth::Address> parse_address(const std::string& text, const std::string& what) {
  auto b = from_hex(text, 20);
  if (!b || b->size() != 20) return fail(Code::BadHex, "not a 20-byte 0x address: '" + text + "'", what);
  ae::eth::Address a{};
  std::copy(b->begin(), b->end(), a.begin());
  return a;
}

std::string address_hex(const ae::eth::Address& a) { return to_hex(ByteView(a.data(), a.size())); }

Result<EvmSession> connect(const std::string& rpc, const std::string& key_file) {
  auto key = read_signing_key(key_file);
  if (!key) return tl::unexpected(std::move(key.error()));
  adapters::RpcOptions ro;
  ro.read_timeout = std::chrono::milliseconds(60'000);
  auto client = adapters::JsonRpcClient::create(rpc, ro);
  if (!client) return tl::unexpected(std::move(client.error()));
  EvmSession s;
  s.client = std::make_unique<adapters::JsonRpcClient>(std::move(*client));
  auto signer = ae::EvmSigner::create(*s.client, *key);
  if (!signer) return tl::unexpected(std::move(signer.error()));
  s.signer = std::make_unique<ae::EvmSigner>(std::move(*signer));
  return s;
}

void print_error(bool json_out, const Error& e) {
  if (json_out) {
    std::cout << nlohmann::json{{"ok", false},
                                {"error", {{"code", code_name(e.code)}, {"message", e.detail}, {"at", e.at}}}}
                     .dump(2)
              << "\n";
  } else {
    std::cerr << "error: " << code_name(e.code) << ": " << e.detail << (e.at.empty() ? "" : " (at " + e.at + ")") << "\n";
  }
}

}  // namespace evmcli

namespace {

using nlohmann::json;
namespace ae = causeway::adapters::ethereum;

struct GovOpts {
  std::string rpc, key_file;
  bool json_out = false;
  // register-channel
  std::string endpoint, channel, port = "transfer", cp_island, cp_genesis, cp_channel, cp_port = "transfer";
  bool ordered = false;
  std::uint64_t next_send = 1, next_recv = 1;
  // register-asset
  std::string transfer_app, token;
  // deploy-token
  std::string name = "Causeway Test Token", symbol = "CWT", supply = "1000000";
};

int exit_for(const Error& e) { return e.code == Code::Unsupported || e.code == Code::KeyPermissions ||
                                              e.code == Code::BadHex || e.code == Code::Io ? 2 : 1; }

int print_sent(const GovOpts& o, const ae::SentTx& tx, json extra) {
  extra["ok"] = true;
  extra["tx_hash"] = to_hex(tx.hash.view());
  extra["block_number"] = tx.block_number;
  extra["gas_used"] = tx.gas_used;
  if (o.json_out) {
    std::cout << extra.dump(2) << "\n";
  } else {
    for (auto it = extra.begin(); it != extra.end(); ++it)
      if (it.key() != "ok") std::cout << it.key() << " " << (it->is_string() ? it->get<std::string>() : it->dump()) << "\n";
  }
  return 0;
}

int run_register_channel(const GovOpts& o) {
  auto endpoint = evmcli::parse_address(o.endpoint, "--endpoint");
  if (!endpoint) return evmcli::print_error(o.json_out, endpoint.error()), 2;
  auto genesis = hash_from_hex(o.cp_genesis);
  if (!genesis) {
    return evmcli::print_error(o.json_out, Error{Code::BadHex, "0x + 64 hex digits", "--counterparty-genesis"}), 2;
  }
  auto s = evmcli::connect(o.rpc, o.key_file);
  if (!s) return evmcli::print_error(o.json_out, s.error()), exit_for(s.error());
  ae::ChannelConfig c;
  c.channel_id = o.channel;
  c.port = o.port;
  c.counterparty_island = o.cp_island;
  c.counterparty_genesis = *genesis;
  c.counterparty_channel = o.cp_channel;
  c.counterparty_port = o.cp_port;
  c.ordered = o.ordered;
  c.next_send_sequence = o.next_send;
  c.next_recv_sequence = o.next_recv;
  auto tx = s->signer->send(*endpoint, ae::register_channel_call(c));
  if (!tx) return evmcli::print_error(o.json_out, tx.error()), exit_for(tx.error());
  return print_sent(o, *tx, json{{"island", "eip155:" + std::to_string(s->signer->chain_id())},
                                 {"channel", o.channel},
                                 {"port", o.port},
                                 {"counterparty", o.cp_island + "/" + o.cp_channel}});
}

int run_register_asset(const GovOpts& o) {
  auto app = evmcli::parse_address(o.transfer_app, "--transfer-app");
  if (!app) return evmcli::print_error(o.json_out, app.error()), 2;
  auto token = evmcli::parse_address(o.token, "--token");
  if (!token) return evmcli::print_error(o.json_out, token.error()), 2;
  auto s = evmcli::connect(o.rpc, o.key_file);
  if (!s) return evmcli::print_error(o.json_out, s.error()), exit_for(s.error());
  auto tx = s->signer->send(*app, ae::register_asset_call(*token));
  if (!tx) return evmcli::print_error(o.json_out, tx.error()), exit_for(tx.error());
  return print_sent(o, *tx, json{{"token", evmcli::address_hex(*token)}});
}

int run_deploy_token(const GovOpts& o) {
  auto supply = abi::u256_from_decimal(o.supply);
  if (!supply) return evmcli::print_error(o.json_out, Error{Code::InvalidArgument, "a decimal integer", "--supply"}), 2;
  auto code = ae::contract_code("TestToken");
  if (!code) return evmcli::print_error(o.json_out, code.error()), 2;
  auto s = evmcli::connect(o.rpc, o.key_file);
  if (!s) return evmcli::print_error(o.json_out, s.error()), exit_for(s.error());
  Bytes data = code->creation;
  const Bytes args = ae::test_token_constructor_args(o.name, o.symbol, *supply);
  data.insert(data.end(), args.begin(), args.end());
  auto tx = s->signer->send(std::nullopt, data);
  if (!tx) return evmcli::print_error(o.json_out, tx.error()), exit_for(tx.error());
  return print_sent(o, *tx, json{{"token", evmcli::address_hex(*tx->contract_address)},
                                 {"owner", evmcli::address_hex(s->signer->address())},
                                 {"supply", o.supply}});
}

void add_common(CLI::App* c, GovOpts& o) {
  c->add_option("--rpc", o.rpc, "JSON-RPC URL of the island's node (http://host:port)")->required();
  c->add_option("--key-file", o.key_file, "Signing key: 64 hex digits, mode 0600")->required();
  c->add_flag("--json", o.json_out, "Print JSON");
}

}  // namespace

void add_evm_channel_commands(CLI::App& app, int& exit_code) {
  auto* island = app.get_subcommand("island");  // added by add_island_commands
  static GovOpts o;
  auto* rc = island->add_subcommand(
      "register-channel",
      "Open a channel on an EVM endpoint (Endpoint.registerChannel; the governance key only).\n"
      "Exit status: 0 registered, 1 the chain refused or did not answer, 2 usage or key-file error.");
  add_common(rc, o);
  rc->add_option("--endpoint", o.endpoint, "The Endpoint contract, 0x address")->required();
  rc->add_option("--channel", o.channel, "Channel id on this island, e.g. channel-0")->required();
  rc->add_option("--port", o.port, "Port on this island (bound to the transfer app)")->capture_default_str();
  rc->add_option("--counterparty-island", o.cp_island, "CAIP-2 id of the other island")->required();
  rc->add_option("--counterparty-genesis", o.cp_genesis, "Genesis hash of the other island, 0x + 64 hex")->required();
  rc->add_option("--counterparty-channel", o.cp_channel, "Channel id on the other island")->required();
  rc->add_option("--counterparty-port", o.cp_port, "Port on the other island")->capture_default_str();
  rc->add_flag("--ordered", o.ordered, "Ordered channel (default unordered)");
  rc->add_option("--next-send-sequence", o.next_send, "First send sequence (>= 1)")->capture_default_str();
  rc->add_option("--next-recv-sequence", o.next_recv, "First receive sequence (>= 1)")->capture_default_str();
  rc->callback([&exit_code] { exit_code = run_register_channel(o); });

  auto* ra = island->add_subcommand(
      "register-asset", "Register an ERC-20 the transfer app may escrow (TransferApp.registerAsset; governance key)");
  add_common(ra, o);
  ra->add_option("--transfer-app", o.transfer_app, "The TransferApp contract, 0x address")->required();
  ra->add_option("--token", o.token, "The ERC-20, 0x address")->required();
  ra->callback([&exit_code] { exit_code = run_register_asset(o); });

  auto* dt = island->add_subcommand(
      "deploy-token", "Deploy a TestToken ERC-20 whose whole supply goes to the key's address (demos only)");
  add_common(dt, o);
  dt->add_option("--name", o.name, "Token name")->capture_default_str();
  dt->add_option("--symbol", o.symbol, "Token symbol")->capture_default_str();
  dt->add_option("--supply", o.supply, "Supply, decimal integer (smallest units)")->capture_default_str();
  dt->callback([&exit_code] { exit_code = run_deploy_token(o); });
}

}  // namespace causeway::app
