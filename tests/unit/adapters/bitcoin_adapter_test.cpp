// adapters/bitcoin without outside data: BIP 37 partial Merkle trees (built here from BIP 37's definition, not
// with the code under test) through Bitcoin Core's CPartialMerkleTree rules, header files (CWY1 deposit
// detection itself is light_clients/bitcoin's: tests/unit/bitcoin/deposit_test.cpp), and a deposit proven end to
// end: a regtest chain mined by the test is served by an in-process fake Bitcoin Core (FakeRpcServer), BitcoinAdapter::fetch_proof builds the bundle, and
// causeway::proofs::verify_bundle accepts it with the deposit's transaction and branch.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <map>

#include "bundle_support.hpp"
#include "causeway/bitcoin/chain.hpp"
#include "causeway/bitcoin_adapter/bitcoin_adapter.hpp"
#include "causeway/bitcoin_adapter/header_file.hpp"
#include "causeway/merkle/bitcoin_merkle.hpp"
#include "deposit_support.hpp"
#include "fake_rpc_server.hpp"
#include "regtest_node.hpp"

namespace {

using namespace causeway;
using namespace causeway::adapters::bitcoin;
using causeway::proofs::test::RegtestChain;
using causeway::proofs::test::hash_of;
using causeway::proofs::test::raw_of;
using causeway::bitcoin::test::op_return;
using causeway::bitcoin::test::p2wpkh;
using causeway::bitcoin::test::tx_with;
using causeway::bitcoin::test::Pmt;
using causeway::bitcoin::test::calc_hash;
using causeway::bitcoin::test::make_pmt;
using causeway::bitcoin::test::regtest_node;
using causeway::bitcoin::test::serialize;
using causeway::bitcoin::test::width;
using nlohmann::json;

std::vector<Hash32> sample_txids(std::size_t n) {
  std::vector<Hash32> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(sha256(Bytes{static_cast<std::uint8_t>(i), 0x42}));
  return out;
}

Bytes header_with_root(const Hash32& root) {
  bitcoin::Header h = causeway::proofs::test::regtest_genesis();
  h.merkle_root = root;
  return raw_of(h);
}

std::string code(const Error& e) { return std::string(code_name(e.code)); }

const Hash32 kDestGenesis = sha256(Bytes{'d', 'e', 's', 't'});

DepositPolicy policy() {
  DepositPolicy p;
  p.island = causeway::proofs::test::kRegtestIsland;
  p.genesis_display = hash_of(causeway::proofs::test::regtest_genesis()).reversed();
  p.deposit_script = p2wpkh(0xd0);
  p.routes.push_back(Route{"cwdevnet:beta", kDestGenesis, "transfer", "channel-1"});
  return p;
}

Bytes cwy1(const Bytes& receiver) { return causeway::bitcoin::test::cwy1("cwdevnet:beta", "transfer", "channel-1", receiver); }

}  // namespace

TEST_CASE("BIP 37: every matched subset of trees of 1 … 9 transactions yields Core's root and each match's branch") {
  for (std::size_t n = 1; n <= 9; ++n) {
    const auto txids = sample_txids(n);
    const Hash32 root = calc_hash(txids, [&] { int h = 0; while (width(n, h) > 1) ++h; return h; }(), 0);
    for (std::size_t mask = 0; mask < (std::size_t{1} << n); ++mask) {
      std::vector<std::size_t> matched;
      for (std::size_t i = 0; i < n; ++i)
        if (mask & (std::size_t{1} << i)) matched.push_back(i);
      const Bytes raw = serialize(header_with_root(root), make_pmt(txids, matched));
      auto mb = parse_merkleblock(raw);
      REQUIRE(mb);
      auto ex = extract_matches(mb->tree);
      INFO("n=" << n << " mask=" << mask);
      REQUIRE(ex);
      CHECK(ex->root == root);
      REQUIRE(ex->matches.size() == matched.size());
      for (std::size_t k = 0; k < matched.size(); ++k) {
        CHECK(ex->matches[k].index == matched[k]);
        CHECK(ex->matches[k].txid == txids[matched[k]]);
        CHECK(ex->matches[k].branch == merkle::bitcoin_branch(txids, matched[k]));
        auto b = branch_of(*mb, txids[matched[k]]);
        REQUIRE(b);
        CHECK(b->branch == ex->matches[k].branch);
      }
    }
  }
}

TEST_CASE("BIP 37: a partial tree breaking a CPartialMerkleTree rule is refused with ERR_PARTIAL_MERKLE_TREE") {
  const auto txids = sample_txids(5);
  const Pmt good = make_pmt(txids, {3});
  const Bytes header = header_with_root(calc_hash(txids, 3, 0));
  auto refused = [&](const Bytes& raw) {
    auto mb = parse_merkleblock(raw);
    if (!mb) return code(mb.error());
    auto ex = extract_matches(mb->tree);
    return ex ? std::string("accepted") : code(ex.error());
  };
  CHECK(refused(serialize(header, good)) == "accepted");
  CHECK(refused(serialize(header, good, 1)) == "ERR_PARTIAL_MERKLE_TREE");  // an unused flag byte
  Pmt padded = good;  // a set padding bit after the last used one (Core would read past it as unused)
  Bytes raw = serialize(header, padded);
  raw.back() = static_cast<std::uint8_t>(raw.back() | 0x80);
  CHECK(refused(raw) == "ERR_PARTIAL_MERKLE_TREE");
  Pmt extra_hash = good;
  extra_hash.hashes.push_back(txids[0]);
  CHECK(refused(serialize(header, extra_hash)) == "ERR_PARTIAL_MERKLE_TREE");
  Pmt missing_hash = good;
  missing_hash.hashes.pop_back();
  CHECK(refused(serialize(header, missing_hash)) == "ERR_PARTIAL_MERKLE_TREE");
  Pmt zero = good;
  zero.n = 0;
  CHECK(refused(serialize(header, zero)) == "ERR_PARTIAL_MERKLE_TREE");
  Pmt huge = good;
  huge.n = kMaxBlockTransactions + 1;
  CHECK(refused(serialize(header, huge)) == "ERR_PARTIAL_MERKLE_TREE");
  Pmt more_hashes_than_txs = make_pmt(sample_txids(2), {});
  more_hashes_than_txs.hashes = {txids[0], txids[1], txids[2]};
  more_hashes_than_txs.bits = {false, false, false};
  CHECK(refused(serialize(header, more_hashes_than_txs)) == "ERR_PARTIAL_MERKLE_TREE");
  Bytes trailing = serialize(header, good);
  trailing.push_back(0);
  CHECK(refused(trailing) == "ERR_PARTIAL_MERKLE_TREE");
  Bytes truncated = serialize(header, good);
  truncated.resize(truncated.size() - 40);
  CHECK(refused(truncated) == "ERR_PARTIAL_MERKLE_TREE");
  Bytes non_canonical(header.begin(), header.end());  // hash count 1 written as 0xfd 0x01 0x00
  append(non_canonical, Bytes{1, 0, 0, 0, 0xfd, 1, 0});
  append(non_canonical, txids[0].view());
  append(non_canonical, Bytes{1, 1});
  CHECK(refused(non_canonical) == "ERR_PARTIAL_MERKLE_TREE");
  CHECK(refused(Bytes(header.begin(), header.begin() + 79)) == "ERR_HEADER_ENCODING");
  CHECK(code(parse_merkleblock(Bytes(kMaxMerkleBlockBytes + 1, 0)).error()) == "ERR_TOO_LARGE");
}

TEST_CASE("BIP 37: the CVE-2012-2459 duplicate pair is ERR_MERKLE_MUTATED; a foreign root or txid is refused") {
  // [A, B, C, C]: the right child equals its left sibling.
  auto txids = sample_txids(3);
  txids.push_back(txids[2]);
  const Bytes header = header_with_root(calc_hash(txids, 2, 0));
  auto mb = parse_merkleblock(serialize(header, make_pmt(txids, {3})));
  REQUIRE(mb);
  CHECK(code(extract_matches(mb->tree).error()) == "ERR_MERKLE_MUTATED");

  const auto five = sample_txids(5);
  auto other_root = parse_merkleblock(serialize(header, make_pmt(five, {1})));
  REQUIRE(other_root);
  CHECK(code(branch_of(*other_root, five[1]).error()) == "ERR_MERKLE_BRANCH");
  auto ok = parse_merkleblock(serialize(header_with_root(calc_hash(five, 3, 0)), make_pmt(five, {1})));
  REQUIRE(ok);
  CHECK(code(branch_of(*ok, five[2]).error()) == "ERR_RPC_INCONSISTENT");
  auto zero_root = parse_merkleblock(serialize(header_with_root(Hash32{}), make_pmt(five, {1})));
  REQUIRE(zero_root);
  CHECK(code(branch_of(*zero_root, five[1]).error()) == "ERR_ZERO_ROOT");
}

TEST_CASE("header files: hex lines with comments, or raw 80-byte headers; a bad line names its number") {
  RegtestChain c;
  c.mine_n(3);
  std::string text = "# headers\n\n";
  for (std::uint32_t h = 1; h <= 3; ++h) text += (h == 2 ? "  0x" : "") + to_hex_bare(raw_of(c.at(h).header)) + "\r\n";
  auto parsed = parse_header_file(text);
  REQUIRE(parsed);
  REQUIRE(parsed->size() == 3);
  for (std::uint32_t h = 1; h <= 3; ++h) CHECK(Bytes((*parsed)[h - 1].begin(), (*parsed)[h - 1].end()) == raw_of(c.at(h).header));
  std::string raw;
  for (std::uint32_t h = 1; h <= 3; ++h) {
    const Bytes b = raw_of(c.at(h).header);
    raw.append(b.begin(), b.end());
  }
  auto binary = parse_header_file(raw);
  REQUIRE(binary);
  CHECK(*binary == *parsed);
  auto bad = parse_header_file("# x\n" + to_hex_bare(raw_of(c.at(1).header)) + "\nabcd\n");
  REQUIRE(!bad);
  CHECK(code(bad.error()) == "ERR_HEADER_ENCODING");
  CHECK(bad.error().detail == "line 3 is not an 80-byte header in hex");
  CHECK(code(parse_header_file(raw.substr(1)).error()) == "ERR_HEADER_ENCODING");
  const std::string path = "/tmp/causeway-header-file-test-" + std::to_string(::getpid()) + ".txt";
  { std::ofstream(path) << text; }
  auto from_file = read_header_file(path);
  REQUIRE(from_file);
  CHECK(*from_file == *parsed);
  CHECK(code(read_header_file(path, 10).error()) == "ERR_TOO_LARGE");
  std::remove(path.c_str());
  CHECK(code(read_header_file(path).error()) == "ERR_IO");
}


TEST_CASE("a deposit on a regtest chain served by a fake Bitcoin Core is proven by fetch_proof through verify_bundle") {
  RegtestChain c;
  c.mine_n(4);
  // Block 5: three transactions, the deposit at index 1 (its deposit output at vout 1).
  const DepositPolicy p = policy();
  const Bytes receiver(20, 0x7e);
  {
  auto& b = c.mine(3);
  b.txs[1] = tx_with({{777, p2wpkh(0x22)}, {250000, p.deposit_script}, {0, op_return(cwy1(receiver))}}, 9);
  for (std::size_t i = 0; i < b.txs.size(); ++i) b.txids[i] = sha256d(b.txs[i]);
  b.header.merkle_root = causeway::proofs::test::merkle_root(b.txids);
  causeway::proofs::test::solve(b.header);
  }
  c.mine_n(5);  // blocks 6 … 10
  const auto& b = c.at(5);
  std::map<std::string, Bytes> txs;
  for (const auto& blk : c.blocks)
    for (std::size_t i = 0; i < blk.txs.size(); ++i) txs[to_hex_bare(blk.txids[i].reversed().view())] = blk.txs[i];

  causeway::testing::FakeRpcServer node(
      [&](const std::string& m, const json& params) { return regtest_node(c, txs, m, params); });
  BitcoinAdapterConfig cfg;
  cfg.rpc_url = node.url();
  cfg.network = "regtest";
  cfg.deposits = p;
  cfg.min_confirmations = 6;
  auto adapter = BitcoinAdapter::connect(cfg);
  REQUIRE(adapter);
  BitcoinAdapter& a = **adapter;
  CHECK(a.island() == causeway::proofs::test::kRegtestIsland);

  auto deposits = a.deposits_at(5);
  REQUIRE(deposits);
  REQUIRE(deposits->size() == 1);
  const Deposit& d = deposits->front();
  CHECK(d.txid == b.txids[1]);
  CHECK(d.packet.sequence == (std::uint64_t{5} << 32) + (1u << 8) + 1);
  CHECK(d.amount_sat == 250000);

  // The source watcher's view (engine::Lifecycle): the node's tip and the deposits of a range of blocks.
  CHECK(a.latest_height().value() == 10);
  auto sent = a.scan_sent(1, 10);
  REQUIRE(sent);
  REQUIRE(sent->size() == 1);
  CHECK((*sent)[0].commitment == d.commitment);
  CHECK((*sent)[0].height == 5);
  CHECK(a.scan_sent(6, 10).value().empty());
  CHECK(code(a.scan_sent(5, 4).error()) == "ERR_INVALID_ARGUMENT");

  auto bundle_text = a.fetch_proof(d.commitment, 5, 2);
  REQUIRE(bundle_text);
  const json bundle = json::parse(*bundle_text);
  CHECK(bundle["anchor"]["height"] == 2);
  CHECK(bundle["anchor"]["prev_timestamps_s"].size() == 2);  // blocks 0 and 1
  CHECK(bundle["headers"].size() == 8);                      // 3 … 10 (height + 6 − 1)
  CHECK(bundle["inclusion"]["index"] == 1);
  CHECK(bundle["inclusion"]["tx_count"] == 3);
  CHECK(bundle["inclusion"]["tx"] == to_hex(b.txs[1]));
  const auto v = causeway::proofs::verify_bundle(*bundle_text, nullptr, causeway::proofs::test::kVerifyTime);
  INFO(v.output_json);
  REQUIRE(v.exit_code == 0);
  const json out = json::parse(v.output_json);
  CHECK(out["height"] == 5);
  CHECK(out["confirmations"] == 6);
  CHECK(out["header_hash"] == to_hex(hash_of(b.header).reversed().view()));

  // The same block has no other deposit; a block without one says so.
  CHECK(code(a.fetch_proof(sha256(Bytes{1}), 5, 2).error()) == "ERR_UNKNOWN_PACKET");
  CHECK(code(a.fetch_proof(d.commitment, 4, 2).error()) == "ERR_UNKNOWN_PACKET");
  CHECK(code(a.fetch_proof(d.commitment, 5, 6).error()) == "ERR_INVALID_ARGUMENT");
  // Bitcoin islands are sources only.
  CHECK(code(a.submit_delivery(causeway::adapters::Delivery{}).error()) == "ERR_UNSUPPORTED");
  CHECK(code(a.lookup_delivery(d.commitment, {}).error()) == "ERR_UNSUPPORTED");

  // Another network's node is refused at connect.
  cfg.network = "mainnet";
  CHECK(code(BitcoinAdapter::connect(cfg).error()) == "ERR_ISLAND_MISMATCH");
}

TEST_CASE("Bitcoin Core Basic auth: credentials from rpc.basic_auth or the cookie file are sent; none is a 401") {
  RegtestChain c;
  c.mine_n(3);
  std::map<std::string, Bytes> txs;
  causeway::testing::FakeRpcServer node(
      [&](const std::string& m, const json& params) { return regtest_node(c, txs, m, params); });
  // RFC 7617 §2's example: "Aladdin:open sesame" is "QWxhZGRpbjpvcGVuIHNlc2FtZQ==".
  CHECK(causeway::adapters::base64_encode("Aladdin:open sesame") == "QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  CHECK(causeway::adapters::base64_encode("") == "");
  CHECK(causeway::adapters::base64_encode("a") == "YQ==");
  node.require_authorization("Basic " + causeway::adapters::base64_encode("__cookie__:5e1f00d"));
  BitcoinAdapterConfig cfg;
  cfg.rpc_url = node.url();
  cfg.network = "regtest";
  cfg.deposits = policy();

  auto refused = BitcoinAdapter::connect(cfg);  // no credentials
  REQUIRE_FALSE(refused);
  CHECK(code(refused.error()) == "ERR_RPC_TRANSPORT");
  CHECK(refused.error().detail.find("HTTP status 401") != std::string::npos);
  cfg.rpc.basic_auth = "__cookie__:wrong";
  CHECK_FALSE(BitcoinAdapter::connect(cfg));

  const std::string cookie = "bitcoin-adapter-test.cookie";
  std::ofstream(cookie) << "__cookie__:5e1f00d\n";
  auto creds = causeway::adapters::read_cookie_file(cookie);
  REQUIRE(creds);
  CHECK(*creds == "__cookie__:5e1f00d");
  cfg.rpc.basic_auth = *creds;
  auto adapter = BitcoinAdapter::connect(cfg);
  REQUIRE(adapter);
  auto headers = (*adapter)->follow_headers(0, 10);  // every call now carries the credentials
  REQUIRE(headers);
  CHECK(json::parse(*headers).size() == 3);  // heights 1 … 3

  // Malformed cookie files are refused with a stable code; a missing one is ERR_IO.
  std::ofstream(cookie) << "no-colon\n";
  CHECK(code(causeway::adapters::read_cookie_file(cookie).error()) == "ERR_INVALID_ARGUMENT");
  std::ofstream(cookie) << ":password\n";
  CHECK(code(causeway::adapters::read_cookie_file(cookie).error()) == "ERR_INVALID_ARGUMENT");
  std::ofstream(cookie) << "__cookie__:a\nsecond line\n";
  CHECK(code(causeway::adapters::read_cookie_file(cookie).error()) == "ERR_INVALID_ARGUMENT");
  std::ofstream(cookie) << "__cookie__:" << std::string(2000, 'a') << "\n";
  CHECK(code(causeway::adapters::read_cookie_file(cookie).error()) == "ERR_INVALID_ARGUMENT");
  std::remove(cookie.c_str());
  CHECK(code(causeway::adapters::read_cookie_file(cookie).error()) == "ERR_IO");
}
