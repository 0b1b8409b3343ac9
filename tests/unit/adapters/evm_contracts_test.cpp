// ethereum_contracts_test: the pure parts of adapters/ethereum/contracts — EIP-155 legacy signing (the EIP's own
// worked example), CREATE addresses (anvil's well-known first deployments, which the golden vector's endpoint
// addresses are), and the call encodings against core's PACKET.md codec and the golden vector's bytes.
#include <catch2/catch.hpp>

#include <string>

#include "causeway/adapters/ethereum/contracts.hpp"
#include "causeway/adapters/ethereum/evm_tx.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/core/packet.hpp"

namespace {

namespace ae = causeway::adapters::ethereum;
using causeway::Bytes;
using causeway::ByteView;

Bytes hexb(const std::string& s) { return *causeway::from_hex(s); }
ae::eth::Address addr(const std::string& s) {
  const Bytes b = hexb(s);
  ae::eth::Address a{};
  std::copy(b.begin(), b.end(), a.begin());
  return a;
}
causeway::abi::U256 u256(std::uint64_t v) { return causeway::abi::u256_from_u64(v); }

}  // namespace

TEST_CASE("EIP-155 legacy signing reproduces the EIP's example transaction", "[contracts][tx]") {
  // https://eips.ethereum.org/EIPS/eip-155 "Example".
  ae::LegacyTx tx;
  tx.nonce = 9;
  tx.gas_price = *causeway::abi::u256_from_decimal("20000000000");
  tx.gas_limit = 21000;
  tx.to = addr("0x3535353535353535353535353535353535353535");
  tx.value = *causeway::abi::u256_from_decimal("1000000000000000000");
  const auto key = *causeway::secp256k1::parse_secret_key(
      hexb("0x4646464646464646464646464646464646464646464646464646464646464646"));
  CHECK(causeway::to_hex(ae::legacy_signing_hash(tx, 1).view()) ==
        "0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53");
  const auto raw = ae::sign_legacy_tx(tx, 1, key);
  REQUIRE(raw.has_value());
  CHECK(causeway::to_hex(*raw) ==
        "0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc"
        "2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a"
        "3b6d83");
  CHECK(ae::sign_legacy_tx(tx, 0, key).error().code == causeway::Code::InvalidArgument);
}

TEST_CASE("CREATE addresses of anvil account 0 are the golden vector's endpoint addresses", "[contracts][tx]") {
  const auto deployer = addr("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
  const auto a0 = ae::create_address(deployer, 0);
  const auto a1 = ae::create_address(deployer, 1);
  CHECK(causeway::to_hex(ByteView(a0.data(), 20)) == "0x5fbdb2315678afecb367f032d93f642f64180aa3");
  CHECK(causeway::to_hex(ByteView(a1.data(), 20)) == "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512");
  const auto key = *causeway::secp256k1::parse_secret_key(
      hexb("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"));
  CHECK(ae::address_of(key) == deployer);
}

TEST_CASE("call encodings: the packet argument is packet_bytes after its leading 0x20 word", "[contracts][abi]") {
  causeway::packet::Packet p;
  p.source_island = "eip155:31337";
  p.source_genesis.b.fill(0x11);
  p.source_channel = "channel-0";
  p.source_port = "transfer";
  p.dest_island = "eip155:31338";
  p.dest_genesis.b.fill(0x22);
  p.dest_channel = "channel-0";
  p.dest_port = "transfer";
  p.sequence = 7;
  p.sender = hexb("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
  p.receiver = hexb("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
  p.payload = hexb("0x0102");
  p.timeout_timestamp_ns = 1800000000000000000ULL;
  const Bytes pb = causeway::packet::encode_packet(p);
  const ae::EvmAttestation att{42, Bytes(65, 0x1b)};
  const Bytes call = ae::recv_packet_call(p, std::span<const ae::EvmAttestation>(&att, 1));
  const std::string sig = "recvPacket(" + std::string(ae::kPacketTuple) + ",(uint64,bytes)[])";
  CHECK(Bytes(call.begin(), call.begin() + 4) == ae::function_selector(sig));
  // heads: offset of the packet (0x40), offset of the array; then the packet's encoding.
  CHECK(causeway::to_hex(ByteView(call.data() + 4, 32)) == causeway::to_hex(causeway::abi::u256_from_u64(64)));
  REQUIRE(call.size() > 4 + 64 + pb.size() - 32);
  CHECK(Bytes(call.begin() + 68, call.begin() + 68 + static_cast<std::ptrdiff_t>(pb.size() - 32)) ==
        Bytes(pb.begin() + 32, pb.end()));
  // the array: length 1, one offset (0x20), then (uint64 42, offset 0x40, length 65, 65 bytes padded to 96).
  const std::size_t arr = 68 + pb.size() - 32;
  CHECK(call.size() == arr + 32 + 32 + 32 + 32 + 32 + 96);
  CHECK(call[arr + 31] == 1);
  CHECK(call[arr + 63] == 0x20);
  CHECK(call[arr + 95] == 42);
  CHECK(call[arr + 127] == 0x40);
  CHECK(call[arr + 159] == 65);
}

TEST_CASE("call encodings: bindPort and the endpoint constructor, word by word", "[contracts][abi]") {
  const auto app = addr("0x1111111111111111111111111111111111111111");
  CHECK(causeway::to_hex(ae::bind_port_call("transfer", app)) ==
        causeway::to_hex(ae::function_selector("bindPort(string,address)")) +
            "0000000000000000000000000000000000000000000000000000000000000040"
            "0000000000000000000000001111111111111111111111111111111111111111"
            "0000000000000000000000000000000000000000000000000000000000000008"
            "7472616e73666572000000000000000000000000000000000000000000000000");
  const ae::eth::Address members[] = {addr("0x70997970c51812dc3a010c7d01b50e0d17dc79c8"),
                                      addr("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc")};
  causeway::Hash32 genesis;
  genesis.b.fill(0x22);
  const Bytes args = ae::endpoint_constructor_args("eip155:1", genesis, members, 2, app);
  CHECK(causeway::to_hex(args) ==
        "0x00000000000000000000000000000000000000000000000000000000000000a0"
        "2222222222222222222222222222222222222222222222222222222222222222"
        "00000000000000000000000000000000000000000000000000000000000000e0"
        "0000000000000000000000000000000000000000000000000000000000000002"
        "0000000000000000000000001111111111111111111111111111111111111111"
        "0000000000000000000000000000000000000000000000000000000000000008"
        "6569703135353a31000000000000000000000000000000000000000000000000"
        "0000000000000000000000000000000000000000000000000000000000000002"
        "00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c8"
        "0000000000000000000000003c44cdddb6a900fa2b585dd299e03d12fa4293bc");
  CHECK(ae::erc20_approve_call(app, u256(5)).size() == 4 + 64);
}

TEST_CASE("the contracts are compiled into this build when the tools were present", "[contracts]") {
  if (!ae::contracts_available()) {
    CHECK(ae::contract_code("Endpoint").error().code == causeway::Code::Unsupported);
    return;
  }
  CHECK(ae::contracts_compiler().rfind("solc-js 0.8.37", 0) == 0);
  for (const char* name : {"Endpoint", "TransferApp", "Voucher", "TestToken"}) {
    const auto c = ae::contract_code(name);
    REQUIRE(c.has_value());
    CHECK(c->creation.size() > 1000);
    CHECK(c->creation.size() < 2 * 24576);  // creation code; the runtime code is under EIP-170's 24 KiB
  }
  CHECK(ae::contract_code("Nope").error().code == causeway::Code::InvalidArgument);
  const auto ep = ae::contract_code("Endpoint");
  const std::string recv = "recvPacket(" + std::string(ae::kPacketTuple) + ",(uint64,bytes)[])";
  REQUIRE(ep->methods.contains(recv));
  CHECK("0x" + ep->methods.at(recv).get<std::string>() == causeway::to_hex(ae::function_selector(recv)));
}
