// adapters/bitcoin against a fake Bitcoin Core that answers in Bitcoin Core's documented JSON-RPC result formats
// from the real mainnet data in ../shared/vectors/bitcoin (SOURCES.md, section bitcoin/). No Bitcoin node can run
// on the test machines, so this is the closest to the real thing: every header, txid and transaction is real.
// What the fake serves (heights from SOURCES.md):
//   0        the genesis header and raw block (mainnet_genesis_block.json); getrawtransaction of its coinbase
//            (a real node refuses that one call for the genesis coinbase; the fake answers it from the raw block)
//   100000   the header of block 100000 (mainnet_block100000_merkle.json); gettxoutproof for each of its 4 txids
//            — the vectors hold no raw merkleblock, so the answer is built HERE from the block's 4 real txids per
//            BIP 37 (independently of the code under test)
//   552384, 554390 … 554408  the headersWithRetarget.json run (crossing the 554400 retarget)
//   getrawtransaction of testProofs.json valid[0] (a real transaction of block 592920)
// and refuses everything else as Bitcoin Core does (-8 "Block height out of range", -5 "Block not found", -5 "No
// such mempool or blockchain transaction"). Malformed answers (wrong hex, wrong length, oversized, a partial tree
// with unused bits, a merkleblock of another block) are refused with their codes.
#include <catch2/catch.hpp>

#include <map>

#include "bundle_support.hpp"
#include "causeway/bitcoin/chain.hpp"
#include "causeway/bitcoin_adapter/bitcoin_adapter.hpp"
#include "fake_rpc_server.hpp"
#include "vectors.hpp"

namespace {

using namespace causeway;
using namespace causeway::adapters::bitcoin;
using causeway::testing::read_vector_json;
using nlohmann::json;

Bytes hx(const std::string& s) { return causeway::proofs::test::hx(s); }
std::string code(const Error& e) { return std::string(code_name(e.code)); }
std::string display_bare(const Hash32& internal) { return to_hex_bare(internal.reversed().view()); }
Hash32 from_display(const std::string& s) { return Hash32::from(hx(s)).reversed(); }

// ---- BIP 37 merkle block from the definition (as in bitcoin_adapter_test.cpp) ------------------------------

std::size_t width(std::size_t n, int h) { return (n + (std::size_t{1} << h) - 1) >> h; }
Hash32 calc_hash(const std::vector<Hash32>& t, int h, std::size_t pos) {
  if (h == 0) return t[pos];
  const Hash32 l = calc_hash(t, h - 1, pos * 2);
  const Hash32 r = pos * 2 + 1 < width(t.size(), h - 1) ? calc_hash(t, h - 1, pos * 2 + 1) : l;
  return sha256d_pair(l, r);
}
void build(const std::vector<Hash32>& t, std::size_t match, int h, std::size_t pos, std::vector<bool>& bits,
           std::vector<Hash32>& hashes) {
  const bool parent = (match >> h) == pos;
  bits.push_back(parent);
  if (h == 0 || !parent) {
    hashes.push_back(calc_hash(t, h, pos));
    return;
  }
  build(t, match, h - 1, pos * 2, bits, hashes);
  if (pos * 2 + 1 < width(t.size(), h - 1)) build(t, match, h - 1, pos * 2 + 1, bits, hashes);
}
// header ‖ nTransactions ‖ hashes ‖ flag bytes (+ extra zero flag bytes).
Bytes merkleblock(const Bytes& header, const std::vector<Hash32>& txids, std::size_t match, std::size_t extra = 0) {
  std::vector<bool> bits;
  std::vector<Hash32> hashes;
  int h = 0;
  while (width(txids.size(), h) > 1) ++h;
  build(txids, match, h, 0, bits, hashes);
  Bytes out = header;
  std::uint8_t n[4];
  write_le32(n, static_cast<std::uint32_t>(txids.size()));
  out.insert(out.end(), n, n + 4);
  out.push_back(static_cast<std::uint8_t>(hashes.size()));
  for (const auto& x : hashes) append(out, x.view());
  Bytes flags((bits.size() + 7) / 8 + extra, 0);
  for (std::size_t i = 0; i < bits.size(); ++i)
    if (bits[i]) flags[i / 8] = static_cast<std::uint8_t>(flags[i / 8] | (1U << (i % 8)));
  out.push_back(static_cast<std::uint8_t>(flags.size()));
  append(out, flags);
  return out;
}

// ---- the fake node -------------------------------------------------------------------------------------------

struct Mainnet {
  std::map<std::uint64_t, Bytes> header_at;        // height → 80 bytes
  std::map<std::string, Bytes> header_by_hash;     // display hash → 80 bytes
  std::map<std::string, Bytes> block_by_hash;      // display hash → raw block
  std::map<std::string, Bytes> txs;                // display txid → raw tx
  std::map<std::string, std::pair<Bytes, std::vector<Hash32>>> blocks_txids;  // display hash → header, txids
  std::uint64_t tip = 0;
  std::vector<Hash32> txids100000;                 // internal order
  Bytes genesis_coinbase;
  json spv;                                        // testProofs valid[0]

  void add_header(std::uint64_t height, const Bytes& h) {
    header_at[height] = h;
    header_by_hash[display_bare(sha256d(h))] = h;
    tip = std::max(tip, height);
  }

  Mainnet() {
    const json g = read_vector_json("bitcoin/mainnet_genesis_block.json");
    add_header(0, hx(g["header_hex"].get<std::string>()));
    const Bytes raw_block = hx(g["raw_block_hex"].get<std::string>());
    block_by_hash[display_bare(sha256d(header_at[0]))] = raw_block;
    REQUIRE(raw_block[80] == 1);  // one transaction
    genesis_coinbase.assign(raw_block.begin() + 81, raw_block.end());
    txs[g["coinbase_txid"].get<std::string>()] = genesis_coinbase;
    blocks_txids[display_bare(sha256d(header_at[0]))] = {header_at[0], {from_display(g["coinbase_txid"])}};

    const json b = read_vector_json("bitcoin/mainnet_block100000_merkle.json");
    add_header(100000, hx(b["header_hex"].get<std::string>()));
    for (const auto& t : b["txids"]) txids100000.push_back(from_display(t.get<std::string>()));
    blocks_txids[display_bare(sha256d(header_at[100000]))] = {header_at[100000], txids100000};

    const json r = read_vector_json("bitcoin/summa-tx_bitcoin-spv/headersWithRetarget.json");
    add_header(552384, hx(r["oldPeriodStart"]["hex"].get<std::string>()));
    add_header(554390, hx(r["genesis"]["hex"].get<std::string>()));
    std::uint64_t h = 554391;
    for (const auto& x : r["chain"]) add_header(h++, hx(x["hex"].get<std::string>()));

    json p = read_vector_json("bitcoin/summa-tx_bitcoin-spv/testProofs.json")["valid"][0];
    if (p.is_string()) p = json::parse(p.get<std::string>());
    spv = p;
    Bytes tx;
    for (const char* part : {"version", "vin", "vout", "locktime"}) append(tx, hx(p[part].get<std::string>()));
    txs[display_bare(Hash32::from(hx(p["tx_id"].get<std::string>())))] = tx;
  }

  json answer(const std::string& method, const json& params) const {
    auto err = [](int c, const std::string& m) { return json{{"error", {{"code", c}, {"message", m}}}}; };
    auto ok = [](const json& v) { return json{{"result", v}}; };
    if (method == "getblockcount") return ok(tip);
    if (method == "getblockhash") {
      const auto it = header_at.find(params[0].get<std::uint64_t>());
      if (it == header_at.end()) return err(-8, "Block height out of range");
      return ok(display_bare(sha256d(it->second)));
    }
    if (method == "getblockheader") {
      const auto it = header_by_hash.find(params[0].get<std::string>());
      if (it == header_by_hash.end()) return err(-5, "Block not found");
      return ok(to_hex_bare(it->second));
    }
    if (method == "getblock") {
      const auto it = block_by_hash.find(params[0].get<std::string>());
      if (it == block_by_hash.end()) return err(-1, "Block not available (pruned data)");
      return ok(to_hex_bare(it->second));
    }
    if (method == "getrawtransaction") {
      const auto it = txs.find(params[0].get<std::string>());
      if (it == txs.end()) return err(-5, "No such mempool or blockchain transaction. Use gettransaction for wallet transactions.");
      return ok(to_hex_bare(it->second));
    }
    if (method == "gettxoutproof") {
      const auto it = blocks_txids.find(params.size() > 1 ? params[1].get<std::string>() : "");
      if (it == blocks_txids.end()) return err(-5, "Block not found");
      const auto& [header, txids] = it->second;
      for (std::size_t i = 0; i < txids.size(); ++i)
        if (display_bare(txids[i]) == params[0][0].get<std::string>()) return ok(to_hex_bare(merkleblock(header, txids, i)));
      return err(-5, "Not all transactions found in specified or retrieved block");
    }
    return err(-32601, "Method not found");
  }
};

const Mainnet& mainnet() {
  static const Mainnet m;
  return m;
}

BitcoinAdapterConfig config(const std::string& url) {
  BitcoinAdapterConfig c;
  c.rpc_url = url;
  c.network = "mainnet";
  c.deposits.deposit_script = Bytes{0x00, 0x14, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20};
  c.min_confirmations = 1;
  c.anchor_ancestors = 0;  // the vectors hold no ancestors of the anchors used here
  return c;
}

constexpr std::int64_t kNow = 1700000000;

}  // namespace

TEST_CASE("mainnet vectors: connect checks block 0 and names the island; headers are followed and verify") {
  const Mainnet& m = mainnet();
  causeway::testing::FakeRpcServer node([&](const std::string& method, const json& p) { return m.answer(method, p); });
  auto a = BitcoinAdapter::connect(config(node.url()));
  REQUIRE(a);
  CHECK((*a)->island() == "bip122:000000000019d6689c085ae165831e93");

  // The 18-header run after 554390, crossing the 554400 retarget: real headers, verified by the light client.
  auto text = (*a)->follow_headers(554390, 18);
  REQUIRE(text);
  const json headers = json::parse(*text);
  REQUIRE(headers.size() == 18);
  std::vector<Bytes> raw;
  for (std::size_t i = 0; i < 18; ++i) {
    raw.push_back(hx(headers[i].get<std::string>()));
    CHECK(raw.back() == m.header_at.at(554391 + i));
  }
  bitcoin::Anchor anchor;
  anchor.height = 554390;
  anchor.header = m.header_at.at(554390);
  anchor.period_start_time_s = read_le32(m.header_at.at(552384).data() + 68);
  std::vector<ByteView> views(raw.begin(), raw.end());
  auto run = bitcoin::verify_header_run(*bitcoin::params_by_name("mainnet").value(), anchor, views, kNow);
  REQUIRE(run);
  CHECK(run->tip_height == 554408);
  CHECK(run->tip_hash == sha256d(m.header_at.at(554408)));

  CHECK((*a)->follow_headers(554408, 5).value() == "[]");  // nothing after the tip
  CHECK(json::parse((*a)->follow_headers(554405, 10).value()).size() == 3);
  CHECK(code((*a)->follow_headers(554390, 0).error()) == "ERR_INVALID_ARGUMENT");
  // A height the node does not have is Core's own error.
  auto missing = (*a)->follow_headers(99, 1);
  REQUIRE(!missing);
  CHECK(code(missing.error()) == "ERR_RPC_ERROR");
  CHECK(missing.error().detail.rfind("-8: Block height out of range", 0) == 0);
}

TEST_CASE("mainnet vectors: getrawtransaction returns the real transaction of block 592920, txid-checked") {
  const Mainnet& m = mainnet();
  causeway::testing::FakeRpcServer node([&](const std::string& method, const json& p) { return m.answer(method, p); });
  auto a = BitcoinAdapter::connect(config(node.url()));
  REQUIRE(a);
  const Hash32 txid = Hash32::from(hx(m.spv["tx_id"].get<std::string>()));
  auto tx = (*a)->rpc().raw_transaction(txid);
  REQUIRE(tx);
  CHECK(*tx == m.txs.at(display_bare(txid)));
  CHECK(bitcoin::txid_of(*tx).value() == txid);
  auto unknown = (*a)->rpc().raw_transaction(sha256(Bytes{1}));
  REQUIRE(!unknown);
  CHECK(code(unknown.error()) == "ERR_RPC_ERROR");
  CHECK(unknown.error().detail.rfind("-5: No such mempool or blockchain transaction", 0) == 0);
}

TEST_CASE("mainnet vectors: gettxoutproof of each tx of block 100000 becomes a bundle that verify_bundle accepts") {
  const Mainnet& m = mainnet();
  const json v = read_vector_json("bitcoin/mainnet_block100000_merkle.json");
  causeway::testing::FakeRpcServer node([&](const std::string& method, const json& p) { return m.answer(method, p); });
  BitcoinAdapterConfig cfg = config(node.url());
  cfg.include_tx = false;  // the vectors hold the txids of block 100000, not its transactions
  auto a = BitcoinAdapter::connect(cfg);
  REQUIRE(a);
  REQUIRE(v["proofs"].size() == 4);
  for (std::size_t i = 0; i < 4; ++i) {
    INFO("tx " << i);
    auto text = (*a)->tx_proof(m.txids100000[i], 100000, 100000);
    REQUIRE(text);
    const json b = json::parse(*text);
    CHECK(b["inclusion"]["index"] == i);
    CHECK(b["inclusion"]["tx_count"] == 4);
    CHECK(b["inclusion"]["txid"] == "0x" + v["txids"][i].get<std::string>());
    // The branch from the partial tree is the vector's (reversed to display order).
    const auto& want = v["proofs"][i]["branch_internal_byte_order"];
    REQUIRE(b["inclusion"]["branch"].size() == want.size());
    for (std::size_t k = 0; k < want.size(); ++k)
      CHECK(b["inclusion"]["branch"][k] == to_hex(Hash32::from(hx(want[k].get<std::string>())).reversed().view()));
    const auto verdict = causeway::proofs::verify_bundle(*text, nullptr, kNow);
    INFO(verdict.output_json);
    REQUIRE(verdict.exit_code == 0);
    const json out = json::parse(verdict.output_json);
    CHECK(out["height"] == 100000);
    CHECK(out["header_hash"] == "0x" + v["block_hash"].get<std::string>());
    CHECK(out["confirmations"] == 1);
  }
}

TEST_CASE("mainnet vectors: the genesis coinbase is proven with its raw transaction; getblock finds no deposit") {
  const Mainnet& m = mainnet();
  const json g = read_vector_json("bitcoin/mainnet_genesis_block.json");
  causeway::testing::FakeRpcServer node([&](const std::string& method, const json& p) { return m.answer(method, p); });
  auto a = BitcoinAdapter::connect(config(node.url()));
  REQUIRE(a);
  const Hash32 coinbase = from_display(g["coinbase_txid"].get<std::string>());
  auto text = (*a)->tx_proof(coinbase, 0, 0);
  REQUIRE(text);
  const json b = json::parse(*text);
  CHECK(b["inclusion"]["tx"] == to_hex(m.genesis_coinbase));
  CHECK(b["inclusion"]["branch"].empty());
  const auto verdict = causeway::proofs::verify_bundle(*text, nullptr, kNow);
  INFO(verdict.output_json);
  REQUIRE(verdict.exit_code == 0);
  CHECK(json::parse(verdict.output_json)["header_hash"] == "0x" + g["block_hash"].get<std::string>());
  // getblock 0: the real genesis block parses, its one transaction hashes to the merkle root, and it is no deposit.
  auto deposits = (*a)->deposits_at(0);
  REQUIRE(deposits);
  CHECK(deposits->empty());
  CHECK(code((*a)->fetch_proof(sha256(Bytes{7}), 0, 0).error()) == "ERR_UNKNOWN_PACKET");
}

TEST_CASE("mainnet vectors: the golden deposit route tag and OP_RETURN data (packet/golden-v1.json)") {
  const json d = read_vector_json("packet/golden-v1.json")["bitcoin_deposit"];
  const auto tag = packet::route_tag("eip155:31338", "transfer", "channel-1");
  CHECK(to_hex(ByteView(tag.data(), tag.size())) == d["route_tag"].get<std::string>());
  const Bytes data = hx(d["op_return_data"].get<std::string>());
  Bytes script{0x6a, static_cast<std::uint8_t>(data.size())};
  append(script, data);
  CHECK(op_return_data(script) == data);
  auto parsed = packet::parse_deposit_op_return(*op_return_data(script));
  REQUIRE(parsed);
  CHECK(parsed->route == tag);
}

TEST_CASE("mainnet vectors: malformed answers are refused with their codes") {
  const Mainnet& m = mainnet();
  std::string mode;
  const Hash32 h100k = sha256d(m.header_at.at(100000));
  const Bytes good_mb = merkleblock(m.header_at.at(100000), m.txids100000, 2);
  causeway::testing::FakeRpcServer node([&](const std::string& method, const json& p) -> json {
    if (method == "getblockheader" && mode == "nonhex") return {{"result", std::string(160, 'z')}};
    if (method == "getblockheader" && mode == "odd") return {{"result", std::string(159, 'a')}};
    if (method == "getblockheader" && mode == "0x") return {{"result", to_hex(m.header_at.at(100000))}};
    if (method == "getblockheader" && mode == "number") return {{"result", 80}};
    if (method == "getblockheader" && mode == "long") return {{"result", to_hex_bare(m.header_at.at(100000)) + "00"}};
    if (method == "getblockheader" && mode == "other") return {{"result", to_hex_bare(m.header_at.at(0))}};
    if (method == "getrawtransaction" && mode == "oversized") return {{"result", std::string(2 * kMaxTxBytes + 2, 'a')}};
    if (method == "getrawtransaction" && mode == "othertx") return {{"result", to_hex_bare(m.genesis_coinbase)}};
    if (method == "gettxoutproof" && mode == "unused-flag-byte")
      return {{"result", to_hex_bare(merkleblock(m.header_at.at(100000), m.txids100000, 2, 1))}};
    if (method == "gettxoutproof" && mode == "padding-bit") {
      Bytes mb = good_mb;
      mb.back() = static_cast<std::uint8_t>(mb.back() | 0x80);
      return {{"result", to_hex_bare(mb)}};
    }
    if (method == "gettxoutproof" && mode == "unused-hash") {
      Bytes mb = good_mb;  // one more hash than the traversal consumes (count byte at 84)
      mb[84] = static_cast<std::uint8_t>(mb[84] + 1);
      const std::size_t flags_at = 85 + 32 * (mb[84] - 1u);
      mb.insert(mb.begin() + static_cast<std::ptrdiff_t>(flags_at), 32, 0x11);
      return {{"result", to_hex_bare(mb)}};
    }
    if (method == "gettxoutproof" && mode == "otherblock")
      return {{"result", to_hex_bare(merkleblock(m.header_at.at(0), {sha256d(Bytes{1})}, 0))}};
    if (method == "gettxoutproof" && mode == "othertxproof")
      return {{"result", to_hex_bare(merkleblock(m.header_at.at(100000), m.txids100000, 3))}};
    return m.answer(method, p);
  });
  BitcoinAdapterConfig cfg = config(node.url());
  cfg.rpc.max_response_bytes = 16u << 20;
  cfg.include_tx = false;
  auto a = BitcoinAdapter::connect(cfg);
  REQUIRE(a);
  BitcoinRpc& rpc = (*a)->rpc();
  auto header_code = [&](const std::string& md) {
    mode = md;
    auto r = rpc.block_header(h100k);
    mode.clear();
    return r ? std::string("accepted") : code(r.error());
  };
  CHECK(header_code("") == "accepted");
  CHECK(header_code("nonhex") == "ERR_RPC_RESPONSE");
  CHECK(header_code("odd") == "ERR_RPC_RESPONSE");
  CHECK(header_code("0x") == "ERR_RPC_RESPONSE");  // Core's hex is bare
  CHECK(header_code("number") == "ERR_RPC_RESPONSE");
  CHECK(header_code("long") == "ERR_TOO_LARGE");
  CHECK(header_code("other") == "ERR_RPC_INCONSISTENT");

  mode = "oversized";
  CHECK(code(rpc.raw_transaction(m.txids100000[0]).error()) == "ERR_TOO_LARGE");
  mode = "othertx";
  CHECK(code(rpc.raw_transaction(m.txids100000[0]).error()) == "ERR_RPC_INCONSISTENT");

  auto proof_code = [&](const std::string& md) {
    mode = md;
    auto r = (*a)->tx_proof(m.txids100000[2], 100000, 100000);
    mode.clear();
    return r ? std::string("accepted") : code(r.error());
  };
  CHECK(proof_code("") == "accepted");
  CHECK(proof_code("unused-flag-byte") == "ERR_PARTIAL_MERKLE_TREE");
  CHECK(proof_code("padding-bit") == "ERR_PARTIAL_MERKLE_TREE");
  CHECK(proof_code("unused-hash") == "ERR_PARTIAL_MERKLE_TREE");
  CHECK(proof_code("otherblock") == "ERR_RPC_INCONSISTENT");
  CHECK(proof_code("othertxproof") == "ERR_RPC_INCONSISTENT");

  // A response body over the client's bound.
  BitcoinAdapterConfig small = config(node.url());
  small.rpc.max_response_bytes = 1024;
  auto b = BitcoinAdapter::connect(small);
  REQUIRE(b);
  mode = "oversized";
  CHECK(code((*b)->rpc().raw_transaction(m.txids100000[0]).error()) == "ERR_TOO_LARGE");
  mode.clear();
}
