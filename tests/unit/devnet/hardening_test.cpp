// Regression tests for hostile input to the devnet (review findings C1–C4, D1–D5 and the number/address params):
// untrusted JSON-RPC bodies and raw transactions never throw out of the handler and every answer is valid UTF-8;
// Chain::open refuses inconsistent data dirs instead of crashing or silently starting another chain.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <limits>

#include "causeway/core/hex.hpp"
#include "causeway/devnet_node/rpc.hpp"
#include "fixture.hpp"

using namespace devnettest;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// A node over a fresh chain with one block; the TestChain keeps the data dir alive.
struct RpcFixture {
  TestChain c = TestChain::make(test_genesis("alpha", bft::Suite::Secp256k1Sha256));
  std::string island;
  Hash32 genesis;
  std::unique_ptr<Node> node;

  RpcFixture() {
    c.block();
    island = c.chain->island();
    genesis = c.chain->genesis_hash();
    node = std::make_unique<Node>(std::move(c.chain), [] { return kT0 + 100'000; });
  }

  // The raw answer must parse as JSON: nlohmann's parser refuses invalid UTF-8, so this also checks the encoding.
  json call(const std::string& body) const {
    const std::string out = node->handle_text(body);
    json j = json::parse(out, nullptr, false);
    REQUIRE_FALSE(j.is_discarded());
    return j;
  }

  std::string raw_tx(const std::string& tx_island, TxKind kind, Bytes body) const {
    Tx tx;
    tx.island = tx_island;
    tx.genesis = genesis;
    tx.kind = kind;
    tx.body = std::move(body);
    REQUIRE(sign_tx(tx, dev_secret(0)));
    return to_hex(encode_tx(tx));
  }

  json send(const std::string& raw) const {
    return call(R"({"jsonrpc":"2.0","id":9,"method":"devnet_sendTransaction","params":[")" + raw + "\"]}");
  }
};

const std::string kReplacement = "\xef\xbf\xbd";  // U+FFFD

fs::path data_dir(const TestChain& t) { return t.dir->path() / "data"; }

Result<std::unique_ptr<Chain>> open_at(const TestChain& t) {
  ChainOptions o;
  o.data_dir = data_dir(t).string();
  o.genesis = t.genesis;
  o.sync_full = false;
  return Chain::open(o, t.now_ms);
}

void write_file(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::trunc);
  out << text;
}

}  // namespace

TEST_CASE("C1 JSON-RPC: a jsonrpc member that is not a string is -32600, alone and inside a batch") {
  RpcFixture f;
  for (const char* v : {"2.0", "null", "2", "[]", "{}", "true"}) {
    INFO(v);
    const auto r = f.call(std::string(R"({"jsonrpc":)") + v + R"(,"id":1,"method":"devnet_latestHeight"})");
    CHECK(r["error"]["code"] == -32600);
    CHECK(r["id"] == 1);
  }
  const auto batch = f.call(R"([{"jsonrpc":2.0,"id":1,"method":"devnet_latestHeight"},
                                {"jsonrpc":null,"id":2,"method":"devnet_latestHeight"},
                                {"jsonrpc":"2.0","id":3,"method":"devnet_latestHeight"}])");
  REQUIRE(batch.size() == 3);
  CHECK(batch[0]["error"]["code"] == -32600);
  CHECK(batch[1]["error"]["code"] == -32600);
  CHECK(batch[2]["result"] == 1);
  // A method that is not a string, and non-objects handed to handle() directly.
  CHECK(f.call(R"({"jsonrpc":"2.0","id":1,"method":7})")["error"]["code"] == -32600);
  CHECK(f.node->handle(json(5))["error"]["code"] == -32600);
  CHECK(f.node->handle(json::array({1, 2}))["error"]["code"] == -32600);
}

TEST_CASE("C2 JSON-RPC: invalid UTF-8 in the body is -32700 and the answer is valid UTF-8") {
  RpcFixture f;
  for (const std::string& body : {std::string("\"\xff\""), std::string("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xfe\"}"),
                                 std::string("\xff\xfe\xfd"), std::string("[\"\xc3\"]")}) {
    const auto r = f.call(body);
    CHECK(r["error"]["code"] == -32700);
    CHECK(r["id"].is_null());
  }
  CHECK(to_wire(json("a\xff")) == "\"a" + kReplacement + "\"");
}

TEST_CASE("C3 JSON-RPC: errors echoing non-UTF-8 strings of a raw transaction are answered as valid UTF-8") {
  RpcFixture f;
  SECTION("the signed island field (ERR_ISLAND_MISMATCH)") {
    const auto r = f.send(f.raw_tx("\xff\xfe", TxKind::Transfer, encode_body(TransferBody{Bytes(20, 1), "stake", amount(1)})));
    CHECK(r["id"] == 9);
    CHECK(r["error"]["code"] == -32000);
    CHECK(r["error"]["data"]["code"] == "ERR_ISLAND_MISMATCH");
    CHECK(r["error"]["message"].get<std::string>().find(kReplacement + kReplacement) != std::string::npos);
  }
  SECTION("a send_transfer channel (ERR_UNKNOWN_CHANNEL)") {
    const auto r = f.send(f.raw_tx(f.island, TxKind::SendTransfer,
                                   encode_body(SendTransferBody{"ch\xff", "stake", amount(1), Bytes(20, 1), "", 5, 0})));
    CHECK(r["error"]["data"]["code"] == "ERR_UNKNOWN_CHANNEL");
    CHECK(r["error"]["message"].get<std::string>().find("ch" + kReplacement) != std::string::npos);
  }
  SECTION("recv_packet dest_island / dest_port / dest_channel") {
    packet::Packet p;
    p.source_island = "cwdevnet:beta";
    p.source_genesis = hash_from_hex("0x" + std::string(64, 'b')).value();
    p.source_channel = "channel-0";
    p.source_port = "transfer";
    p.dest_island = f.island;
    p.dest_genesis = f.genesis;
    p.dest_channel = "chan\xff";
    p.dest_port = "port\xfe";
    p.sequence = 1;
    p.sender = Bytes(20, 2);
    p.receiver = Bytes(20, 3);
    p.payload = Bytes{1};
    p.timeout_height = 1000;
    const auto recv = [&](const packet::Packet& pk) {
      const Bytes bytes = packet::encode_packet(pk);
      std::vector<Attestation> atts = {attest(1, Hash32{}, 1)};
      return f.send(f.raw_tx(f.island, TxKind::RecvPacket, encode_body(RecvPacketBody{bytes, atts})));
    };
    auto r = recv(p);
    CHECK(r["error"]["data"]["code"] == "ERR_UNKNOWN_CHANNEL");
    CHECK(r["error"]["message"].get<std::string>().find("port" + kReplacement + "/chan" + kReplacement) !=
          std::string::npos);
    p.dest_island = "cwdevnet:\xff";
    r = recv(p);
    CHECK(r["error"]["data"]["code"] == "ERR_ISLAND_MISMATCH");
    CHECK(r["error"]["message"].get<std::string>().find("cwdevnet:" + kReplacement) != std::string::npos);
  }
}

TEST_CASE("JSON-RPC numbers: heights and powers are JSON integers or canonical decimal strings only") {
  RpcFixture f;
  const auto height = [&](const std::string& param) {
    return f.call(R"({"jsonrpc":"2.0","id":1,"method":"devnet_getBlock","params":[)" + param + "]}");
  };
  CHECK(height("1")["result"]["height"] == 1);
  CHECK(height(R"("1")")["result"]["height"] == 1);
  for (const char* bad : {R"(" 1")", R"("+1")", R"("-1")", R"("01")", R"("1 ")", R"("0x1")", R"("")",
                          R"("18446744073709551616")", "-1", "1.5", "null", "true"}) {
    INFO(bad);
    CHECK(height(bad)["error"]["code"] == -32602);
  }
  const std::string key = to_hex(f.node->with_chain([](Chain& c) { return c.next_block_validators().at(0).key; }));
  const auto sign = [&](const std::string& power) {
    return f.call(R"({"jsonrpc":"2.0","id":1,"method":"devnet_signValidatorSetChange","params":[[{"key":")" + key +
                  R"(","power":)" + power + "}]]}");
  };
  CHECK(sign("7")["result"]["signatures"].size() == 4);
  CHECK(sign(R"("7")")["result"]["signatures"].size() == 4);
  for (const char* bad : {R"(" 7")", R"("+7")", R"("-1")", "-1", "7.0"}) {
    INFO(bad);
    CHECK(sign(bad)["error"]["code"] == -32602);
  }
}

TEST_CASE("JSON-RPC devnet_getBalance: an account is a 0x address or escrow:<channel>, else -32602") {
  RpcFixture f;
  const auto balance = [&](const std::string& account) {
    return f.call(R"({"jsonrpc":"2.0","id":1,"method":"devnet_getBalance","params":[")" + account + R"(","stake"]})");
  };
  CHECK(balance(dev_hex(1))["result"] == "1000000");
  CHECK(balance("escrow:channel-0")["result"] == "0");
  CHECK(balance(dev_hex(1).substr(2))["error"]["code"] == -32602);
  CHECK(balance("stake")["error"]["code"] == -32602);
}

TEST_CASE("D1 data dir: an existing directory keeps its mode; only a directory the node creates is 0700") {
  TempDir tmp;
  const fs::path existing = tmp.path() / "shared";
  fs::create_directory(existing);
  REQUIRE(::chmod(existing.c_str(), 01777) == 0);
  ChainOptions o;
  o.data_dir = existing.string();
  o.genesis = test_genesis("alpha", bft::Suite::Secp256k1Sha256);
  o.sync_full = false;
  REQUIRE(Chain::open(o, kT0));
  struct stat st {};
  REQUIRE(::stat(existing.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 01777);
  o.data_dir = (tmp.path() / "fresh").string();
  REQUIRE(Chain::open(o, kT0));
  REQUIRE(::stat(o.data_dir.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0700);
}

TEST_CASE("D2 data dir: validator keys without their chain (chain.db empty or deleted) refuse to start") {
  auto t = TestChain::make(test_genesis("alpha", bft::Suite::Secp256k1Sha256));
  t.block();
  t.chain.reset();
  const fs::path db = data_dir(t) / "chain.db";
  SECTION("a 0-byte chain.db") {
    fs::resize_file(db, 0);
    auto r = open_at(t);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Code::StoreIo);
    CHECK(r.error().detail.find("validator_keys.json exists") != std::string::npos);
    CHECK(fs::file_size(db) == 0);  // nothing written
  }
  SECTION("a deleted chain.db") {
    for (const char* f : {"chain.db", "chain.db-wal", "chain.db-shm"}) fs::remove(data_dir(t) / f);
    auto r = open_at(t);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Code::StoreIo);
    CHECK_FALSE(fs::exists(db));  // no new chain created
  }
}

TEST_CASE("D3 data dir: keys for 2/3 or less of the current validator power refuse to start") {
  auto t = TestChain::make(test_genesis("alpha", bft::Suite::Secp256k1Sha256));  // 4 validators × 10
  t.block();
  t.chain.reset();
  const fs::path keys = data_dir(t) / "validator_keys.json";
  json all;
  std::ifstream(keys) >> all;
  REQUIRE(all["keys"].size() == 4);
  const auto keep = [&](std::size_t n) {
    json j = all;
    j["keys"] = json(std::vector<json>(all["keys"].begin(), all["keys"].begin() + static_cast<std::ptrdiff_t>(n)));
    write_file(keys, j.dump());
  };
  keep(2);  // 20 of 40
  auto r = open_at(t);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Code::Io);
  CHECK(r.error().detail.find("holds keys for 20 of 40 power") != std::string::npos);
  keep(3);  // 30 of 40 > 2/3
  r = open_at(t);
  REQUIRE(r);
  auto b = (*r)->produce_block(t.now_ms + 1000);
  REQUIRE(b);
  CHECK(b->commit.size() == 3);
}

TEST_CASE("D4 data dir: a key file with wrong JSON types is a clear error, not an abort") {
  auto t = TestChain::make(test_genesis("alpha", bft::Suite::Secp256k1Sha256));
  t.chain.reset();
  const fs::path keys = data_dir(t) / "validator_keys.json";
  for (const char* text : {R"([])", R"({"suite":7,"keys":[]})", R"({"suite":"secp256k1-sha256","keys":"x"})",
                           R"({"suite":"secp256k1-sha256","keys":["x"]})",
                           R"({"suite":"secp256k1-sha256","keys":[{"secret":5}]})",
                           R"({"suite":"secp256k1-sha256","keys":[{"public":"0x00"}]})", R"({"suite":null})",
                           "not json", ""}) {
    INFO(text);
    write_file(keys, text);
    auto r = open_at(t);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Code::Io);
    CHECK(r.error().detail.find("validator_keys.json") != std::string::npos);
  }
}

TEST_CASE("D5 genesis_time_ms: at most year 9999; the next block time never overflows") {
  auto j = genesis_to_json(sample_genesis("alpha"));
  j["genesis_time_ms"] = std::numeric_limits<std::uint64_t>::max();
  CHECK(parse_genesis(j).error().at == "genesis_time_ms");
  j["genesis_time_ms"] = kMaxTimeMs + 1;
  CHECK(parse_genesis(j).error().at == "genesis_time_ms");
  j["genesis_time_ms"] = kMaxTimeMs;
  REQUIRE(parse_genesis(j));
  CHECK(parse_genesis(j)->genesis_time_ms == 253'402'300'799'999);

  CHECK(next_block_time_ms(5, 3).value() == 6);
  CHECK(next_block_time_ms(5, 10).value() == 10);
  CHECK(next_block_time_ms(kMaxTimeMs - 1, 0).value() == kMaxTimeMs);
  CHECK(next_block_time_ms(kMaxTimeMs, 0).error().code == Code::Overflow);
  CHECK(next_block_time_ms(std::numeric_limits<std::uint64_t>::max(), 0).error().code == Code::Overflow);
  CHECK(next_block_time_ms(0, kMaxTimeMs + 1).error().code == Code::Overflow);

  // A chain whose genesis is at the limit refuses the next block (and a submission) instead of wrapping around.
  auto g = test_genesis("alpha", bft::Suite::Secp256k1Sha256);
  g.genesis_time_ms = kMaxTimeMs;
  auto t = TestChain::make(g);
  CHECK(t.chain->produce_block(kT0).error().code == Code::Overflow);
  CHECK(t.submit(TxKind::Transfer, encode_body(TransferBody{Bytes(20, 1), "stake", amount(1)})).error().code ==
        Code::Overflow);
  CHECK(t.chain->height() == 0);
}

TEST_CASE("devnet genesis file: a channel ordering of the wrong type is an error, not a throw") {
  auto j = genesis_to_json(sample_genesis("alpha"));
  j["channels"] = json::array({{{"channel_id", "channel-0"}, {"port", "transfer"},
                                {"counterparty_island", "cwdevnet:beta"},
                                {"counterparty_genesis", "0x" + std::string(64, 'a')},
                                {"counterparty_channel", "channel-0"}, {"counterparty_port", "transfer"},
                                {"ordering", 5}}});
  auto g = parse_genesis(j);
  REQUIRE_FALSE(g);
  CHECK(g.error().at == "channels[0]");
}
