#include "cli_tx.hpp"

#include <chrono>
#include <iostream>
#include <memory>
#include <thread>

#include "causeway/adapters/common/json_rpc.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/devnet_node/genesis.hpp"
#include "causeway/devnet_node/rpc.hpp"
#include "causeway/devnet_node/tx.hpp"

namespace causeway::devnet::cli {
namespace {

using nlohmann::json;

struct Common {
  std::string rpc = "http://127.0.0.1:8645";
  std::string key;
  int dev_account = -1;
  bool wait = false;
};

struct Options {
  Common common;
  // transfer
  std::string to, denom, amount;
  // send-transfer
  std::string channel, receiver, memo;
  std::uint64_t timeout_height = 0, timeout_timestamp_ns = 0, timeout_s = 0;
  // channel-open
  std::string port = "transfer", cp_island, cp_genesis, cp_channel, cp_port = "transfer";
  bool ordered = false;
};

void add_common(CLI::App* c, Common& o) {
  c->add_option("--rpc", o.rpc, "JSON-RPC URL of the node")->capture_default_str();
  c->add_option("--key", o.key, "sender's secp256k1 secret key, 0x + 64 hex digits");
  c->add_option("--dev-account", o.dev_account,
                "use the public test key number 0-3 instead of --key (Hardhat/anvil accounts; never for value)")
      ->check(CLI::Range(0, 3));
  c->add_flag("--wait", o.wait, "wait for the receipt (up to 60 s) and print it");
}

int fail_with(const std::string& msg) {
  std::cerr << "causeway-devnet: " << msg << "\n";
  return 1;
}

int submit_unchecked(const Common& o, TxKind kind, Bytes body) {
  Bytes secret;
  if (o.dev_account >= 0) {
    secret = from_hex(kDevKeys[o.dev_account]).value();
  } else {
    auto k = from_hex(o.key, 32);
    if (!k || k->size() != 32) return fail_with("--key must be 0x + 64 hex digits (or use --dev-account N)");
    secret = *k;
  }
  auto client = adapters::JsonRpcClient::create(o.rpc);
  if (!client) return fail_with(client.error().detail);
  auto g = client->call("devnet_genesis");
  if (!g) return fail_with("devnet_genesis: " + g.error().detail);
  Tx tx;
  tx.island = (*g)["island"].get<std::string>();
  auto gh = hash_from_hex((*g)["genesis_hash"].get<std::string>());
  if (!gh) return fail_with("bad genesis hash from the node");
  tx.genesis = *gh;
  tx.kind = kind;
  tx.body = std::move(body);
  auto from = address_of(secret);
  if (!from) return fail_with("bad key: " + from.error().detail);
  auto n = client->call("devnet_getNonce", json::array({address_hex(*from)}));
  if (!n) return fail_with("devnet_getNonce: " + n.error().detail);
  tx.nonce = (*n)["pending"].get<std::uint64_t>();
  if (auto s = sign_tx(tx, secret); !s) return fail_with(s.error().detail);
  auto h = client->call("devnet_sendTransaction", json::array({to_hex(encode_tx(tx))}));
  if (!h) return fail_with("refused: " + h.error().detail);
  if (!o.wait) {
    std::cout << json{{"tx_hash", *h}}.dump() << "\n";
    return 0;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = client->call("devnet_getReceipt", json::array({*h}));
    if (!r) return fail_with("devnet_getReceipt: " + r.error().detail);
    if (!r->is_null()) {
      std::cout << to_wire(*r) << "\n";
      return (*r)["status"] == "success" ? 0 : 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return fail_with("no receipt within 60 s");
}

int submit(const Common& o, TxKind kind, Bytes body) {
  try {
    return submit_unchecked(o, kind, std::move(body));
  } catch (const nlohmann::json::exception& e) {  // an answer of unexpected shape from the node
    return fail_with(std::string("unexpected answer from the node: ") + e.what());
  }
}

Result<U256> amount_of(const std::string& s) { return abi::u256_from_decimal(s); }

}  // namespace

void add_tx_commands(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<Options>();
  CLI::App* tx = app.add_subcommand("tx", "sign a transaction locally and submit it to a running node");
  tx->require_subcommand(1);

  CLI::App* t = tx->add_subcommand("transfer", "send tokens to another account on this devnet");
  add_common(t, o->common);
  t->add_option("--to", o->to, "receiver address 0x…")->required();
  t->add_option("--denom", o->denom, "token name, e.g. stake")->required();
  t->add_option("--amount", o->amount, "integer amount (decimal)")->required();
  t->callback([o, &exit_code] {
    auto to = parse_address(o->to);
    auto amount = amount_of(o->amount);
    if (!to || !amount) {
      exit_code = fail_with("--to must be an address and --amount a decimal integer");
      return;
    }
    exit_code = submit(o->common, TxKind::Transfer, encode_body(TransferBody{Bytes(to->begin(), to->end()), o->denom, *amount}));
  });

  CLI::App* s = tx->add_subcommand("send-transfer", "send tokens over a channel (ICS-20: escrow or burn, emits a packet)");
  add_common(s, o->common);
  s->add_option("--channel", o->channel, "source channel id, e.g. channel-0")->required();
  s->add_option("--denom", o->denom, "token name or voucher trace")->required();
  s->add_option("--amount", o->amount, "integer amount (decimal)")->required();
  s->add_option("--receiver", o->receiver, "receiver on the destination island, 0x hex bytes")->required();
  s->add_option("--memo", o->memo, "memo");
  s->add_option("--timeout-height", o->timeout_height, "destination height at which the packet times out (0 = none)");
  s->add_option("--timeout-timestamp-ns", o->timeout_timestamp_ns, "destination time (ns since epoch) of the timeout");
  s->add_option("--timeout-s", o->timeout_s, "shortcut: time out this many seconds from now (default 600 when no timeout is given)");
  s->callback([o, &exit_code] {
    auto receiver = from_hex(o->receiver, 64);
    auto amount = amount_of(o->amount);
    if (!receiver || !amount) {
      exit_code = fail_with("--receiver must be 0x hex and --amount a decimal integer");
      return;
    }
    std::uint64_t tts = o->timeout_timestamp_ns;
    if (tts == 0 && (o->timeout_s != 0 || o->timeout_height == 0)) {
      const auto now_ns = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                         std::chrono::system_clock::now().time_since_epoch())
                                                         .count());
      tts = now_ns + (o->timeout_s != 0 ? o->timeout_s : 600) * 1'000'000'000ULL;
    }
    exit_code = submit(o->common, TxKind::SendTransfer,
                       encode_body(SendTransferBody{o->channel, o->denom, *amount, *receiver, o->memo,
                                                    o->timeout_height, tts}));
  });

  CLI::App* c = tx->add_subcommand("channel-open", "open a channel (the genesis governance key only)");
  add_common(c, o->common);
  c->add_option("--channel", o->channel, "channel id on this devnet, e.g. channel-0")->required();
  c->add_option("--port", o->port, "port on this devnet")->capture_default_str();
  c->add_option("--counterparty-island", o->cp_island, "CAIP-2 id of the other island")->required();
  c->add_option("--counterparty-genesis", o->cp_genesis, "genesis hash of the other island, 0x + 64 hex")->required();
  c->add_option("--counterparty-channel", o->cp_channel, "channel id on the other island")->required();
  c->add_option("--counterparty-port", o->cp_port, "port on the other island")->capture_default_str();
  c->add_flag("--ordered", o->ordered, "ordered channel (default unordered)");
  c->callback([o, &exit_code] {
    auto g = hash_from_hex(o->cp_genesis);
    if (!g) {
      exit_code = fail_with("--counterparty-genesis must be 0x + 64 hex digits");
      return;
    }
    exit_code = submit(o->common, TxKind::ChannelOpen,
                       encode_body(ChannelOpenBody{o->channel, o->port, o->cp_island, *g, o->cp_channel, o->cp_port,
                                                   o->ordered}));
  });
}

}  // namespace causeway::devnet::cli
