// adapters/bitcoin without outside data: BIP 37 partial Merkle trees (built here from BIP 37's definition, not
// with the code under test) through Bitcoin Core's CPartialMerkleTree rules, CWY1 deposit detection (PACKET.md
// "Bitcoin deposits"), header files, and a deposit proven end to end: a regtest chain mined by the test is served
// by an in-process fake Bitcoin Core (FakeRpcServer), BitcoinAdapter::fetch_proof builds the bundle, and
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
#include "fake_rpc_server.hpp"

namespace {

using namespace causeway;
using namespace causeway::adapters::bitcoin;
using causeway::proofs::test::RegtestChain;
using causeway::proofs::test::hash_of;
using causeway::proofs::test::raw_of;
using nlohmann::json;

// ---- BIP 37 partial Merkle tree, from the definition ----------------------------------------------

std::size_t width(std::size_t n, int h) { return (n + (std::size_t{1} << h) - 1) >> h; }

Hash32 calc_hash(const std::vector<Hash32>& txids, int h, std::size_t pos) {
  if (h == 0) return txids[pos];
  const Hash32 l = calc_hash(txids, h - 1, pos * 2);
  const Hash32 r = pos * 2 + 1 < width(txids.size(), h - 1) ? calc_hash(txids, h - 1, pos * 2 + 1) : l;
  Bytes b(l.b.begin(), l.b.end());
  b.insert(b.end(), r.b.begin(), r.b.end());
  return sha256d(b);
}

void build(const std::vector<Hash32>& txids, const std::vector<bool>& match, int h, std::size_t pos,
           std::vector<bool>& bits, std::vector<Hash32>& hashes) {
  bool parent = false;
  for (std::size_t p = pos << h; p < ((pos + 1) << h) && p < txids.size(); ++p) parent = parent || match[p];
  bits.push_back(parent);
  if (h == 0 || !parent) {
    hashes.push_back(calc_hash(txids, h, pos));
    return;
  }
  build(txids, match, h - 1, pos * 2, bits, hashes);
  if (pos * 2 + 1 < width(txids.size(), h - 1)) build(txids, match, h - 1, pos * 2 + 1, bits, hashes);
}

void put_compact(Bytes& out, std::size_t n) {
  if (n < 0xfd) {
    out.push_back(static_cast<std::uint8_t>(n));
  } else {
    out.push_back(0xfd);
    out.push_back(static_cast<std::uint8_t>(n));
    out.push_back(static_cast<std::uint8_t>(n >> 8));
  }
}

struct Pmt {
  std::vector<bool> bits;
  std::vector<Hash32> hashes;
  std::uint32_t n = 0;
};

Pmt make_pmt(const std::vector<Hash32>& txids, const std::vector<std::size_t>& matched) {
  Pmt p;
  p.n = static_cast<std::uint32_t>(txids.size());
  std::vector<bool> match(txids.size(), false);
  for (auto i : matched) match[i] = true;
  int h = 0;
  while (width(txids.size(), h) > 1) ++h;
  build(txids, match, h, 0, p.bits, p.hashes);
  return p;
}

Bytes serialize(ByteView header, const Pmt& p, std::size_t extra_flag_bytes = 0) {
  Bytes out(header.begin(), header.end());
  std::uint8_t n[4];
  write_le32(n, p.n);
  out.insert(out.end(), n, n + 4);
  put_compact(out, p.hashes.size());
  for (const auto& h : p.hashes) out.insert(out.end(), h.b.begin(), h.b.end());
  Bytes flags((p.bits.size() + 7) / 8 + extra_flag_bytes, 0);
  for (std::size_t i = 0; i < p.bits.size(); ++i)
    if (p.bits[i]) flags[i / 8] = static_cast<std::uint8_t>(flags[i / 8] | (1U << (i % 8)));
  put_compact(out, flags.size());
  append(out, flags);
  return out;
}

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

// ---- transactions ---------------------------------------------------------------------------------

Bytes p2wpkh(std::uint8_t fill) {
  Bytes s{0x00, 0x14};
  s.insert(s.end(), 20, fill);
  return s;
}

Bytes op_return(ByteView data) {
  Bytes s{0x6a};
  if (data.size() <= 75) {
    s.push_back(static_cast<std::uint8_t>(data.size()));
  } else {
    s.push_back(0x4c);
    s.push_back(static_cast<std::uint8_t>(data.size()));
  }
  append(s, data);
  return s;
}

// A legacy transaction: one input spending sha256(seed):0, the given outputs.
Bytes tx_with(const std::vector<std::pair<std::uint64_t, Bytes>>& outputs, std::uint8_t seed) {
  Bytes tx{2, 0, 0, 0, 1};
  append(tx, sha256(Bytes{seed}).view());
  append(tx, Bytes{0, 0, 0, 0, 1, 0x51, 0xff, 0xff, 0xff, 0xff});
  tx.push_back(static_cast<std::uint8_t>(outputs.size()));
  for (const auto& [value, script] : outputs) {
    for (unsigned i = 0; i < 8; ++i) tx.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
    tx.push_back(static_cast<std::uint8_t>(script.size()));
    append(tx, script);
  }
  append(tx, Bytes{0, 0, 0, 0});
  return tx;
}

const Hash32 kDestGenesis = sha256(Bytes{'d', 'e', 's', 't'});

DepositPolicy policy() {
  DepositPolicy p;
  p.island = causeway::proofs::test::kRegtestIsland;
  p.genesis_display = hash_of(causeway::proofs::test::regtest_genesis()).reversed();
  p.deposit_script = p2wpkh(0xd0);
  p.routes.push_back(Route{"cwdevnet:beta", kDestGenesis, "transfer", "channel-1"});
  return p;
}

Bytes cwy1(const Bytes& receiver) {
  return packet::deposit_op_return(packet::route_tag("cwdevnet:beta", "transfer", "channel-1"), receiver).value();
}

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

TEST_CASE("deposits: a CWY1 transaction derives the PACKET.md packet; half-deposits are ERR_DEPOSIT_INVALID") {
  const DepositPolicy p = policy();
  const Bytes receiver(20, 0x7e);
  const Bytes tx = tx_with({{5000, p2wpkh(0x11)}, {123456, p.deposit_script}, {0, op_return(cwy1(receiver))}}, 1);
  auto d = detect_deposit(p, tx, 700, 5);
  REQUIRE(d);
  REQUIRE(d->has_value());
  const Deposit& dep = **d;
  CHECK(dep.vout == 1);
  CHECK(dep.amount_sat == 123456);
  CHECK(dep.txid == bitcoin::txid_of(tx).value());
  CHECK(dep.packet.sequence == (std::uint64_t{700} << 32) + (5u << 8) + 1);
  CHECK(dep.packet.source_island == p.island);
  CHECK(dep.packet.source_genesis == p.genesis_display);
  CHECK(dep.packet.source_channel == "deposit");
  CHECK(dep.packet.source_port == "transfer");
  CHECK(dep.packet.dest_island == "cwdevnet:beta");
  CHECK(dep.packet.dest_genesis == kDestGenesis);
  CHECK(dep.packet.dest_channel == "channel-1");
  CHECK(dep.packet.sender.empty());
  CHECK(dep.packet.receiver == receiver);
  CHECK(dep.packet.timeout_height == 0);
  CHECK(dep.packet.timeout_timestamp_ns == 0);
  const auto payload = packet::decode_transfer_payload(dep.packet.payload).value();
  CHECK(payload.denom == "sat");
  CHECK(payload.amount == abi::u256_from_u64(123456));
  CHECK(payload.receiver == receiver);
  CHECK(dep.commitment == packet::commitment(dep.packet_bytes));
  CHECK(packet::decode_packet(dep.packet_bytes).value() == dep.packet);

  // Not a deposit at all.
  auto none = detect_deposit(p, tx_with({{5000, p2wpkh(0x11)}}, 2), 700, 1);
  REQUIRE(none);
  CHECK(!none->has_value());
  // Half deposits and ambiguous ones.
  CHECK(code(detect_deposit(p, tx_with({{5000, p.deposit_script}}, 3), 1, 1).error()) == "ERR_DEPOSIT_INVALID");
  CHECK(code(detect_deposit(p, tx_with({{0, op_return(cwy1(receiver))}}, 4), 1, 1).error()) == "ERR_DEPOSIT_INVALID");
  CHECK(code(detect_deposit(p, tx_with({{1, p.deposit_script}, {2, p.deposit_script}, {0, op_return(cwy1(receiver))}}, 5), 1, 1)
                 .error()) == "ERR_DEPOSIT_INVALID");
  CHECK(code(detect_deposit(p, tx_with({{0, p.deposit_script}, {0, op_return(cwy1(receiver))}}, 6), 1, 1).error()) ==
        "ERR_DEPOSIT_INVALID");
  const Bytes unknown_route =
      packet::deposit_op_return(packet::route_tag("cwdevnet:gamma", "transfer", "channel-1"), receiver).value();
  CHECK(code(detect_deposit(p, tx_with({{9, p.deposit_script}, {0, op_return(unknown_route)}}, 7), 1, 1).error()) ==
        "ERR_DEPOSIT_INVALID");
  CHECK(code(detect_deposit(p, tx_with({{9, p.deposit_script}, {0, op_return(cwy1(receiver))}}, 8), 1, 1 << 24).error()) ==
        "ERR_DEPOSIT_INVALID");
  Bytes bad = tx;
  bad.pop_back();
  CHECK(code(detect_deposit(p, bad, 1, 1).error()) == "ERR_TX_MALFORMED");
}

TEST_CASE("OP_RETURN data: one minimal push after OP_RETURN, up to 80 bytes") {
  CHECK(op_return_data(Bytes{0x6a, 0x02, 0xaa, 0xbb}) == Bytes{0xaa, 0xbb});
  CHECK(!op_return_data(Bytes{0x6a, 0x02, 0xaa}));          // short push
  CHECK(!op_return_data(Bytes{0x6a, 0x01, 0xaa, 0x01}));    // a second opcode
  CHECK(!op_return_data(Bytes{0x51, 0x01, 0xaa}));          // not OP_RETURN
  Bytes pd1{0x6a, 0x4c, 76};
  pd1.resize(3 + 76, 0x01);
  CHECK(op_return_data(pd1) == Bytes(76, 0x01));
  Bytes non_minimal{0x6a, 0x4c, 2, 0xaa, 0xbb};             // PUSHDATA1 for 2 bytes
  CHECK(!op_return_data(non_minimal));
  Bytes over{0x6a, 0x4c, 81};
  over.resize(3 + 81, 0x01);
  CHECK(!op_return_data(over));
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

namespace {

// A fake Bitcoin Core serving a RegtestChain (Bitcoin Core's documented result formats).
json regtest_node(const RegtestChain& c, const std::map<std::string, Bytes>& txs, const std::string& method,
                  const json& params) {
  auto err = [](int code, const std::string& msg) { return json{{"error", {{"code", code}, {"message", msg}}}}; };
  auto by_hash = [&](const std::string& display) -> const causeway::proofs::test::Block* {
    for (const auto& b : c.blocks)
      if (to_hex_bare(hash_of(b.header).reversed().view()) == display) return &b;
    return nullptr;
  };
  if (method == "getblockcount") return json{{"result", c.tip_height()}};
  if (method == "getblockhash") {
    const auto h = params[0].get<std::uint32_t>();
    if (h > c.tip_height()) return err(-8, "Block height out of range");
    return json{{"result", to_hex_bare(hash_of(c.at(h).header).reversed().view())}};
  }
  if (method == "getblockheader") {
    const auto* b = by_hash(params[0].get<std::string>());
    if (b == nullptr) return err(-5, "Block not found");
    return json{{"result", to_hex_bare(raw_of(b->header))}};
  }
  if (method == "getblock") {
    const auto* b = by_hash(params[0].get<std::string>());
    if (b == nullptr) return err(-5, "Block not found");
    Bytes raw = raw_of(b->header);
    raw.push_back(static_cast<std::uint8_t>(b->txs.size()));
    for (const auto& t : b->txs) append(raw, t);
    return json{{"result", to_hex_bare(raw)}};
  }
  if (method == "getrawtransaction") {
    const auto it = txs.find(params[0].get<std::string>());
    if (it == txs.end()) return err(-5, "No such mempool or blockchain transaction");
    return json{{"result", to_hex_bare(it->second)}};
  }
  if (method == "gettxoutproof") {
    const auto* b = by_hash(params[1].get<std::string>());
    if (b == nullptr) return err(-5, "Block not found");
    const std::string want = params[0][0].get<std::string>();
    for (std::size_t i = 0; i < b->txids.size(); ++i)
      if (to_hex_bare(b->txids[i].reversed().view()) == want)
        return json{{"result", to_hex_bare(serialize(raw_of(b->header), make_pmt(b->txids, {i})))}};
    return err(-5, "Not all transactions found in specified or retrieved block");
  }
  return err(-32601, "Method not found");
}

}  // namespace

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
