// The real `causeway-devnet` executable (--block-time 20, ephemeral port, temp data dir): every block verified
// through bft::LightClient over JSON-RPC (1,000 for secp256k1-sha256, 120 for sm2-sm3), a validator-set rotation
// followed by the client, tx and event inclusion, WebSocket new heads, and restarts (SIGTERM and SIGKILL) that
// continue the chain with the same genesis and unchanged old headers. Generous deadlines, no speed assertions.
// Also: hostile HTTP/WebSocket requests (review findings C1–C4) never end the process, and a failed --listen
// creates no data dir.
#include <signal.h>

#include <boost/asio.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <memory>
#include <thread>

#include "anvil_process.hpp"
#include "causeway/adapters/common/json_rpc.hpp"
#include "causeway/bft/client.hpp"
#include "causeway/bft/devnet_codec.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/devnet_node/genesis.hpp"
#include "causeway/devnet_node/tx.hpp"
#include "ws_client.hpp"

namespace {

using namespace causeway;
using namespace causeway::devnet;
using nlohmann::json;
namespace anvil = causeway::testing::anvil;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::uint64_t now_ms() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

struct DevnetProcess {
  std::unique_ptr<anvil::Process> proc;
  fs::path log;
  json started;
  std::unique_ptr<adapters::JsonRpcClient> rpc;

  DevnetProcess(const fs::path& data_dir, const fs::path& log_path, const std::string& crypto) : log(log_path) {
    proc = std::make_unique<anvil::Process>(
        std::vector<std::string>{CAUSEWAY_DEVNET_BIN, "--data-dir", data_dir.string(), "--listen", "127.0.0.1:0",
                                 "--block-time", "20", "--crypto", crypto, "--name", "itest", "--json", "--quiet"},
        log);
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    while (Clock::now() < deadline && started.is_null()) {
      std::ifstream in(log);
      std::string line;
      while (std::getline(in, line))
        if (!line.empty() && line[0] == '{') started = json::parse(line);
      if (started.is_null()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      REQUIRE(proc->running());
    }
    REQUIRE(started.value("event", "") == "started");
    rpc = std::make_unique<adapters::JsonRpcClient>(
        adapters::JsonRpcClient::create(started["rpc_url"].get<std::string>()).value());
  }

  json call(const std::string& method, json params = json::array()) {
    auto r = rpc->call(method, params);
    if (!r) FAIL(method << ": " << r.error().detail);
    return *r;
  }

  std::uint64_t height() { return call("devnet_latestHeight").get<std::uint64_t>(); }

  void wait_height(std::uint64_t h, std::chrono::seconds limit = std::chrono::seconds(600)) {
    const auto deadline = Clock::now() + limit;
    while (height() < h) {
      REQUIRE(Clock::now() < deadline);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  // Blocks [from, to] in JSON-RPC batches of 100.
  std::vector<json> blocks(std::uint64_t from, std::uint64_t to) {
    std::vector<json> out;
    for (std::uint64_t h = from; h <= to;) {
      std::vector<adapters::RpcCall> calls;
      for (; h <= to && calls.size() < 100; ++h) calls.push_back({"devnet_getBlock", json::array({h})});
      auto r = rpc->call_batch(calls);
      REQUIRE(r);
      for (auto& one : *r) {
        REQUIRE(one);
        out.push_back(*one);
      }
    }
    return out;
  }

  json wait_receipt(const std::string& tx_hash) {
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    for (;;) {
      json r = call("devnet_getReceipt", json::array({tx_hash}));
      if (!r.is_null()) return r;
      REQUIRE(Clock::now() < deadline);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  std::string submit(TxKind kind, Bytes body, int dev = 0) {
    const Bytes secret = from_hex(kDevKeys[dev]).value();
    Tx tx;
    tx.island = started["island"];
    tx.genesis = hash_from_hex(started["genesis_hash"].get<std::string>()).value();
    tx.kind = kind;
    tx.body = std::move(body);
    tx.nonce = call("devnet_getNonce", json::array({address_hex(address_of(secret).value())}))["pending"];
    REQUIRE(sign_tx(tx, secret));
    return call("devnet_sendTransaction", json::array({to_hex(encode_tx(tx))})).get<std::string>();
  }
};

bft::ValidatorSet set_of(const json& arr, bft::Suite s) {
  std::vector<bft::Validator> vs;
  for (const auto& v : arr)
    vs.push_back(bft::Validator{from_hex(v["key"].get<std::string>()).value(), std::stoull(v["power"].get<std::string>())});
  return bft::ValidatorSet::create(s, vs).value();
}

bft::LightBlock light_block(const json& b, bft::Suite s) {
  bft::LightBlock lb;
  lb.signed_header.header = from_hex(b["header"].get<std::string>()).value();
  for (const auto& c : b["commit"])
    lb.signed_header.commit.push_back(
        bft::CommitSig{c["validator"].get<std::uint32_t>(), from_hex(c["signature"].get<std::string>()).value()});
  lb.validators = set_of(b["validators"], s);
  if (b.contains("next_validators")) lb.next_validators = set_of(b["next_validators"], s);
  return lb;
}

// Verifies blocks (latest + 1 … to) through the client.
void follow(bft::LightClient& lc, DevnetProcess& node, std::uint64_t to, bft::Suite s) {
  const std::uint64_t from = lc.latest().height + 1;
  if (to < from) return;
  for (const auto& b : node.blocks(from, to)) {
    auto r = lc.update(light_block(b, s), now_ms());
    if (!r) FAIL("block " << b["height"] << ": " << code_name(r.error().code) << " " << r.error().detail);
    REQUIRE(r->kind == bft::UpdateKind::Accepted);
    REQUIRE(r->verification == bft::Verification::Sequential);
    REQUIRE(to_hex(r->header.hash.view()) == b["hash"].get<std::string>());
  }
  REQUIRE(lc.latest().height == to);
}

bft::InclusionClaim claim_of(const json& p) {
  bft::InclusionClaim c;
  c.height = p["height"];
  c.tree = p["tree"] == "tx" ? bft::Tree::Tx : bft::Tree::Event;
  c.index = p["index"];
  c.tree_size = p["tree_size"];
  c.leaf = from_hex(p["leaf"].get<std::string>()).value();
  for (const auto& x : p["audit_path"]) c.audit_path.push_back(from_hex(x.get<std::string>()).value());
  return c;
}

void scenario(const std::string& crypto, std::uint64_t blocks) {
  const bft::Suite s = bft::parse_suite(crypto).value();
  anvil::TempDir tmp;
  const fs::path data = tmp.path() / "data";
  auto node = std::make_unique<DevnetProcess>(data, tmp.path() / "run1.log", crypto);

  // Identity and the anchor: block 0 is the genesis.
  const json g = node->call("devnet_genesis");
  CHECK(g["island"] == "cwdevnet:itest");
  CHECK(g["crypto"] == crypto);
  const json b0 = node->call("devnet_getBlock", json::array({0}));
  CHECK(b0["hash"] == g["genesis_hash"]);
  CHECK(b0["hash"] == node->started["genesis_hash"]);
  const auto codec = std::make_shared<bft::devnet::DevnetCodec>(s);
  const Bytes h0 = from_hex(b0["header"].get<std::string>()).value();
  CHECK(to_hex(bft::devnet::header_hash(s, h0).view()) == b0["hash"].get<std::string>());
  bft::ClientConfig cfg;
  cfg.codec = codec;
  cfg.trusting_period_s = 14 * 24 * 3600;
  auto lb0 = light_block(b0, s);
  auto lc = bft::LightClient::create(cfg, bft::SignedHeader{h0, {}}, lb0.validators, lb0.validators).value();

  // WebSocket: consecutive new heads, each the block devnet_getBlock returns.
  {
    auto heads = devnet_it::receive_new_heads("127.0.0.1", node->started["port"].get<std::uint16_t>(), 5,
                                              std::chrono::seconds(30));
    REQUIRE(heads.size() == 5);
    for (std::size_t i = 1; i < heads.size(); ++i)
      CHECK(heads[i]["height"].get<std::uint64_t>() == heads[i - 1]["height"].get<std::uint64_t>() + 1);
    const json same = node->call("devnet_getBlock", json::array({heads[2]["height"]}));
    CHECK(same["header"] == heads[2]["header"]);
    CHECK(same["hash"] == heads[2]["hash"]);
  }

  // N blocks, each verified through the light client.
  node->wait_height(blocks);
  follow(lc, *node, blocks, s);

  // A transfer: receipt, balance, tx inclusion through the client.
  const Address to = address_of(from_hex(kDevKeys[1]).value()).value();
  const std::string th = node->submit(TxKind::Transfer, encode_body(TransferBody{Bytes(to.begin(), to.end()), "stake",
                                                                                  abi::u256_from_u64(12345)}));
  json rc = node->wait_receipt(th);
  REQUIRE(rc["status"] == "success");
  CHECK(node->call("devnet_getBalance", json::array({address_hex(to), "stake"})) == "1000000000000000000012345");
  const std::uint64_t th_height = rc["height"];
  follow(lc, *node, th_height, s);
  json tp = node->call("devnet_getTxProof", json::array({th_height, rc["index"]}));
  CHECK(lc.verify_inclusion(claim_of(tp), now_ms()));

  // A packet sent over a channel: the 0x01 event leaf proven through the client.
  const std::string co = node->submit(TxKind::ChannelOpen, encode_body(ChannelOpenBody{
      "channel-0", "transfer", "cwdevnet:other", hash_from_hex("0x" + std::string(64, 'a')).value(), "channel-0",
      "transfer", false}));
  REQUIRE(node->wait_receipt(co)["status"] == "success");
  const std::string st = node->submit(TxKind::SendTransfer, encode_body(SendTransferBody{
      "channel-0", "token", abi::u256_from_u64(3), Bytes(20, 0x42), "", 0, (now_ms() + 600'000) * 1'000'000}));
  rc = node->wait_receipt(st);
  REQUIRE(rc["status"] == "success");
  REQUIRE(rc["event_count"] == 1);
  follow(lc, *node, rc["height"], s);
  json ep = node->call("devnet_getEventProof", json::array({rc["height"], rc["first_event"]}));
  CHECK(ep["leaf"].get<std::string>().rfind("0x01", 0) == 0);
  CHECK(lc.verify_inclusion(claim_of(ep), now_ms()));
  const json events = node->call("devnet_getEvents", json::array({rc["height"]}));
  CHECK(events.size() == ep["tree_size"].get<std::size_t>());

  // Validator-set rotation: 3 fresh keys the node holds; > 2/3 of the current set signs; the client follows.
  const json fresh = node->call("devnet_generateValidatorKeys", json::array({3}));
  json new_set = json::array();
  for (const auto& k : fresh) new_set.push_back({{"key", k}, {"power", 7}});
  const json signed_change = node->call("devnet_signValidatorSetChange", json::array({new_set}));
  const Bytes vals_packed = from_hex(signed_change["validators_packed"].get<std::string>()).value();
  const Bytes sigs_packed = from_hex(signed_change["signatures_packed"].get<std::string>()).value();
  // Only 2 of 4 signatures (20 of 40 power): refused with a JSON-RPC error naming the code.
  {
    auto all = unpack_commit(sigs_packed).value();
    bft::Commit two(all.begin(), all.begin() + 2);
    Tx tx;
    tx.island = node->started["island"];
    tx.genesis = hash_from_hex(node->started["genesis_hash"].get<std::string>()).value();
    tx.kind = TxKind::ValidatorSetChange;
    tx.body = encode_body(ValidatorSetChangeBody{unpack_validators(vals_packed).value(), two});
    tx.nonce = node->call("devnet_getNonce", json::array({address_hex(address_of(from_hex(kDevKeys[0]).value()).value())}))["pending"];
    REQUIRE(sign_tx(tx, from_hex(kDevKeys[0]).value()));
    auto r = node->rpc->call("devnet_sendTransaction", json::array({to_hex(encode_tx(tx))}));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Code::RpcError);
    CHECK(r.error().detail.find("ERR_INSUFFICIENT_QUORUM") != std::string::npos);
  }
  const std::string vt = node->submit(TxKind::ValidatorSetChange, encode_body(ValidatorSetChangeBody{
      unpack_validators(vals_packed).value(), unpack_commit(sigs_packed).value()}));
  rc = node->wait_receipt(vt);
  REQUIRE(rc["status"] == "success");
  const std::uint64_t changed_at = rc["height"];
  node->wait_height(changed_at + 5);
  const json changed = node->call("devnet_getBlock", json::array({changed_at}));
  REQUIRE(changed.contains("next_validators"));
  follow(lc, *node, changed_at + 5, s);
  CHECK(lc.trusted_validators() == set_of(new_set.size() == 3 ? changed["next_validators"] : json::array(), s));
  CHECK(lc.trusted_validators().size() == 3);

  // Restart after SIGTERM: same genesis, heights continue, old headers unchanged, the client keeps following.
  const json old10 = node->call("devnet_getBlock", json::array({10}));
  std::uint64_t tip = node->height();
  node->proc->stop();
  node = std::make_unique<DevnetProcess>(data, tmp.path() / "run2.log", crypto);
  CHECK(node->started["genesis_hash"] == g["genesis_hash"]);
  CHECK(node->started["height"].get<std::uint64_t>() >= tip);
  CHECK(node->call("devnet_getBlock", json::array({10})) == old10);
  tip = node->height();
  node->wait_height(tip + 10);
  follow(lc, *node, tip + 10, s);
  CHECK(node->call("devnet_getBalance", json::array({address_hex(to), "stake"})) == "1000000000000000000012345");

  // Restart after SIGKILL (no graceful shutdown): the last committed block survives, the chain continues.
  tip = node->height();
  ::kill(-node->proc->pid(), SIGKILL);
  node->proc->stop();
  node = std::make_unique<DevnetProcess>(data, tmp.path() / "run3.log", crypto);
  CHECK(node->started["genesis_hash"] == g["genesis_hash"]);
  CHECK(node->started["height"].get<std::uint64_t>() >= tip);
  tip = node->height();
  node->wait_height(tip + 10);
  follow(lc, *node, tip + 10, s);
  CHECK(node->call("devnet_getBlock", json::array({10})) == old10);
}

}  // namespace

TEST_CASE("causeway-devnet secp256k1-sha256: 1,000 blocks verified, rotation, WebSocket heads, restarts") {
  scenario("secp256k1-sha256", 1000);
}

TEST_CASE("causeway-devnet sm2-sm3: 120 blocks verified, rotation, WebSocket heads, restarts") {
  scenario("sm2-sm3", 120);
}

TEST_CASE("C1-C4 causeway-devnet: hostile HTTP and WebSocket requests are answered and the node keeps running") {
  anvil::TempDir tmp;
  DevnetProcess node(tmp.path() / "data", tmp.path() / "run.log", "secp256k1-sha256");
  const std::uint16_t port = node.started["port"];
  const auto parse = [](const std::string& text) {
    json j = json::parse(text, nullptr, false);  // refuses invalid UTF-8 too
    REQUIRE_FALSE(j.is_discarded());
    return j;
  };
  const auto post = [&](const std::string& body) {
    return parse(devnet_it::http_post("127.0.0.1", port, body, std::chrono::seconds(30)));
  };
  const auto ws = [&](const std::string& message, bool binary) {
    return parse(devnet_it::ws_exchange("127.0.0.1", port, message, binary, std::chrono::seconds(30)));
  };
  // C1: "jsonrpc" not a string, alone and in a batch.
  CHECK(post(R"({"jsonrpc":2.0,"id":1,"method":"devnet_latestHeight"})")["error"]["code"] == -32600);
  CHECK(post(R"({"jsonrpc":null,"id":1,"method":"devnet_latestHeight"})")["error"]["code"] == -32600);
  const json batch = post(R"([{"jsonrpc":2.0,"id":1,"method":"devnet_latestHeight"}])");
  REQUIRE(batch.is_array());
  CHECK(batch[0]["error"]["code"] == -32600);
  // C2: invalid UTF-8 in the body, over HTTP and in a binary WebSocket frame.
  CHECK(post("\"\xff\"")["error"]["code"] == -32700);
  CHECK(ws("\"\xff\"", true)["error"]["code"] == -32700);
  // C3: a raw transaction whose signed island is not UTF-8; the error quoting it is served as valid UTF-8.
  Tx tx;
  tx.island = "\xff\xfe";
  tx.genesis = hash_from_hex(node.started["genesis_hash"].get<std::string>()).value();
  tx.kind = TxKind::Transfer;
  tx.body = encode_body(TransferBody{Bytes(20, 1), "stake", abi::u256_from_u64(1)});
  REQUIRE(sign_tx(tx, from_hex(kDevKeys[0]).value()));
  const json refused = post(R"({"jsonrpc":"2.0","id":3,"method":"devnet_sendTransaction","params":[")" +
                            to_hex(encode_tx(tx)) + "\"]}");
  CHECK(refused["error"]["data"]["code"] == "ERR_ISLAND_MISMATCH");
  // C4: a method that is not a string over WebSocket, like HTTP.
  CHECK(ws(R"({"jsonrpc":"2.0","id":1,"method":7})", false)["error"]["code"] == -32600);
  CHECK(ws(R"({"jsonrpc":2.0,"id":1,"method":"devnet_latestHeight"})", false)["error"]["code"] == -32600);
  CHECK(ws(R"({"jsonrpc":"2.0","id":1,"method":"devnet_subscribe","params":{"a":1}})", false)["error"]["code"] ==
        -32602);
  CHECK(ws(R"({"jsonrpc":"2.0","id":2,"method":"devnet_latestHeight"})", false)["id"] == 2);
  REQUIRE(node.proc->running());
  node.wait_height(node.height() + 2, std::chrono::seconds(60));  // still producing blocks
}

TEST_CASE("causeway-devnet: a failed --listen creates no data dir; genesis --out to a missing dir says why") {
  anvil::TempDir tmp;
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor taken(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const std::string port = std::to_string(taken.local_endpoint().port());
  for (const std::string& listen : {"127.0.0.1:" + port, std::string("256.0.0.1:0")}) {
    INFO(listen);
    const fs::path data = tmp.path() / "data";
    const int rc = anvil::run({CAUSEWAY_DEVNET_BIN, "--data-dir", data.string(), "--listen", listen},
                              tmp.path() / "out.txt", tmp.path() / "err.txt", std::chrono::seconds(60));
    CHECK(rc == 1);
    CHECK_FALSE(fs::exists(data));
    CHECK(anvil::tail(tmp.path() / "err.txt").find(listen.substr(0, 9)) != std::string::npos);
  }
  const int rc = anvil::run({CAUSEWAY_DEVNET_BIN, "genesis", "--out", (tmp.path() / "missing" / "g.json").string()},
                            tmp.path() / "out.txt", tmp.path() / "err.txt", std::chrono::seconds(60));
  CHECK(rc == 1);
  CHECK(anvil::tail(tmp.path() / "err.txt").find("cannot write") != std::string::npos);
}
