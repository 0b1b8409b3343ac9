// light_clients/bitcoin deposit.hpp (PACKET.md "Bitcoin deposits"): CWY1 deposit detection and the packet it
// derives, the OP_RETURN push rule, and the codec of an island's registered deposit routes. No outside data.
#include <catch2/catch.hpp>

#include "causeway/bitcoin/chain.hpp"
#include "causeway/bitcoin/deposit.hpp"
#include "causeway/core/abi.hpp"
#include "causeway/core/hex.hpp"
#include "deposit_support.hpp"

using namespace causeway;
using namespace causeway::bitcoin;
using namespace causeway::bitcoin::test;

namespace {

const Hash32 kDestGenesis = sha256(Bytes{'d', 'e', 's', 't'});
const Bytes kReceiver(20, 0x7e);

DepositPolicy policy() {
  DepositPolicy p;
  p.island = "bip122:0f9188f13cb7b2c71f2a335e3a4fc328";
  p.genesis_display = hash_from_hex("0x0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206").value();
  p.deposit_script = p2wpkh(0xd0);
  p.routes.push_back(Route{"cwdevnet:beta", kDestGenesis, "transfer", "channel-1"});
  return p;
}

Bytes cwy1_beta(const Bytes& receiver) { return cwy1("cwdevnet:beta", "transfer", "channel-1", receiver); }

std::string code(const Error& e) { return std::string(code_name(e.code)); }

}  // namespace

TEST_CASE("deposits: a CWY1 transaction derives the PACKET.md packet; half-deposits are ERR_DEPOSIT_INVALID") {
  const DepositPolicy p = policy();
  const Bytes receiver = kReceiver;
  const Bytes tx = tx_with({{5000, p2wpkh(0x11)}, {123456, p.deposit_script}, {0, op_return(cwy1_beta(receiver))}}, 1);
  auto d = detect_deposit(p, tx, 700, 5);
  REQUIRE(d);
  REQUIRE(d->has_value());
  const Deposit& dep = **d;
  CHECK(dep.vout == 1);
  CHECK(dep.amount_sat == 123456);
  CHECK(dep.txid == txid_of(tx).value());
  CHECK(dep.packet.sequence == (std::uint64_t{700} << 32) + (5u << 8) + 1);
  CHECK(dep.packet.sequence == 3006477108481ULL);
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
  CHECK(code(detect_deposit(p, tx_with({{0, op_return(cwy1_beta(receiver))}}, 4), 1, 1).error()) == "ERR_DEPOSIT_INVALID");
  CHECK(code(detect_deposit(p, tx_with({{1, p.deposit_script}, {2, p.deposit_script}, {0, op_return(cwy1_beta(receiver))}}, 5), 1, 1)
                 .error()) == "ERR_DEPOSIT_INVALID");
  CHECK(code(detect_deposit(p, tx_with({{0, p.deposit_script}, {0, op_return(cwy1_beta(receiver))}}, 6), 1, 1).error()) ==
        "ERR_DEPOSIT_INVALID");
  const Bytes unknown_route = cwy1("cwdevnet:gamma", "transfer", "channel-1", receiver);
  CHECK(code(detect_deposit(p, tx_with({{9, p.deposit_script}, {0, op_return(unknown_route)}}, 7), 1, 1).error()) ==
        "ERR_DEPOSIT_INVALID");
  CHECK(code(detect_deposit(p, tx_with({{9, p.deposit_script}, {0, op_return(cwy1_beta(receiver))}}, 8), 1, 1 << 24).error()) ==
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

TEST_CASE("deposit routes: the registered route list round-trips; tags unique per island; strict decoding") {
  const std::vector<Route> two = {Route{"cwdevnet:beta", kDestGenesis, "transfer", "channel-1"},
                                  Route{"eip155:31337", sha256(Bytes{'e'}), "transfer", "channel-7"}};
  const Bytes enc = encode_routes(two);
  // uint8 count, then per route uint16_be length ‖ abi.encode(string, bytes32, string, string): 4 head words +
  // 3 strings of one word of length and one of data each = 10 words.
  REQUIRE(enc.size() == 1 + 2 * (2 + 320));
  CHECK(enc[0] == 2);
  CHECK(enc[1] == 0x01);
  CHECK(enc[2] == 0x40);
  CHECK(decode_routes(enc).value() == two);
  // One route, byte for byte (the layout docs/islands/bitcoin.md gives, with its Python builder's output).
  CHECK(to_hex(encode_routes(std::vector<Route>{two[0]})) ==
        "0x0101400000000000000000000000000000000000000000000000000000000000000080"
        "1d5e6a1edddf2cb59b7bbc0218e03c305de6c11485a2aa0d3bafc7466b4b8e3c"
        "00000000000000000000000000000000000000000000000000000000000000c0"
        "0000000000000000000000000000000000000000000000000000000000000100"
        "000000000000000000000000000000000000000000000000000000000000000d"
        "63776465766e65743a6265746100000000000000000000000000000000000000"
        "0000000000000000000000000000000000000000000000000000000000000008"
        "7472616e73666572000000000000000000000000000000000000000000000000"
        "0000000000000000000000000000000000000000000000000000000000000009"
        "6368616e6e656c2d310000000000000000000000000000000000000000000000");
  CHECK(decode_routes(Bytes{}).value().empty());  // no routes: headers only
  CHECK(encode_routes(std::vector<Route>{}).empty());

  const std::vector<Route> same_tag = {two[0], Route{"cwdevnet:beta", sha256(Bytes{'x'}), "transfer", "channel-1"}};
  auto dup = decode_routes(encode_routes(same_tag));
  REQUIRE(!dup);
  CHECK(code(dup.error()) == "ERR_INVALID_ARGUMENT");
  CHECK(dup.error().at == "routes[1]");
  CHECK(code(decode_routes(Bytes{0}).error()) == "ERR_INVALID_ARGUMENT");
  std::vector<Route> many(kMaxDepositRoutes + 1, two[0]);
  for (std::size_t i = 0; i < many.size(); ++i) many[i].dest_channel = "channel-" + std::to_string(i);
  CHECK(code(decode_routes(encode_routes(many)).error()) == "ERR_TOO_LARGE");
  Bytes trailing = enc;
  trailing.push_back(0);
  CHECK(code(decode_routes(trailing).error()) == "ERR_INVALID_ARGUMENT");
  CHECK(code(decode_routes(Bytes(enc.begin(), enc.end() - 1)).error()) == "ERR_INVALID_ARGUMENT");
  auto zero = decode_routes(encode_routes(std::vector<Route>{Route{"cwdevnet:beta", Hash32{}, "transfer", "channel-1"}}));
  REQUIRE(!zero);
  CHECK(code(zero.error()) == "ERR_ZERO_ROOT");
  CHECK(zero.error().at == "routes[0].dest_genesis");
  auto empty = decode_routes(encode_routes(std::vector<Route>{Route{"cwdevnet:beta", kDestGenesis, "transfer", ""}}));
  REQUIRE(!empty);
  CHECK(empty.error().at == "routes[0].dest_channel");
}
