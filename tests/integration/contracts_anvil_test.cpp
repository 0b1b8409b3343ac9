// contracts_anvil_test: the Causeway EVM contracts (adapters/ethereum/contracts, docs/contracts.md) on a real
// anvil (pinned, tools/), compiled by the build with the pinned solc-js; test-only contracts
// (tests/integration/contracts/TestApp.sol) compiled here. Every transaction is mined explicitly with a fixed gas
// limit, so a refusal is a mined status-0 receipt whose revert reason (debug_traceTransaction) is asserted.
//
//   - golden values of ../shared/vectors/packet/golden-v1.json on-chain: the golden packet_bytes and commitment
//     emitted by TransferApp.sendTransfer (anvil account 0 deploys the token at nonce 0 = the golden denom
//     0x5fbd…, the endpoint at nonce 1); the golden attestation accepted by the endpoint at the golden
//     dest_endpoint 0xe7f1… (nonce 1 on a chain with id 31338) and the golden ack bytes / ack commitment written;
//     the golden ack attestation accepted by an endpoint at the golden source_endpoint 0x5fbd… (nonce 0); the
//     golden digests returned by the endpoints' views. The genesis hashes 0x11…/0x22… are constructor
//     arguments (an endpoint carries its island's registered genesis), so no anvil state is patched;
//   - receive rules: k − 1, a member twice, a non-member, high-S (A17), bad v, wrong island / genesis (A20), a
//     signature for another endpoint, replay, timeout height and timestamp boundaries, ordered sequencing;
//   - application outcomes: revert → error ack with the reason; no result → refused (A08); out of gas → refused;
//   - receipts at slot 0 proven with eth_getProof through light_clients/ethereum, and a zero (non-delivery);
//   - two islands: escrow → voucher mint → voucher burn → release with exact balances; refund exactly once on an
//     error acknowledgement and on a timeout (escrow and burned voucher); A04 (the endpoint is never a target);
//     A08 (a token that moves nothing is refused);
//   - `causeway island deploy-contracts` as a process.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "anvil_node.hpp"
#include "anvil_process.hpp"
#include "causeway/adapters/ethereum/contracts.hpp"
#include "causeway/adapters/ethereum/eth_rpc.hpp"
#include "causeway/adapters/ethereum/evm_tx.hpp"
#include "causeway/adapters/ethereum/rpc_block.hpp"
#include "causeway/core/abi.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/core/packet.hpp"
#include "causeway/core/secp256k1.hpp"
#include "causeway/ethereum/proofs.hpp"

namespace {

using json = nlohmann::json;
namespace ae = causeway::adapters::ethereum;
namespace eth = causeway::ethereum;
namespace anvil = causeway::testing::anvil;
namespace pk = causeway::packet;
namespace abi = causeway::abi;
namespace fs = std::filesystem;
using causeway::Bytes;
using causeway::ByteView;
using causeway::Hash32;
using anvil::AnvilNode;
using anvil::hex;
using anvil::hexb;
using anvil::hexh;
using anvil::must;

using Address = eth::Address;

fs::path vectors_dir() {
  if (const char* env = std::getenv("CAUSEWAY_VECTORS"); env != nullptr && *env != '\0') return env;
  return CAUSEWAY_VECTORS_DEFAULT;
}

const json& golden() {
  static const json g = json::parse(anvil::read_text(vectors_dir() / "packet/golden-v1.json"));
  return g;
}

Address addr(const std::string& s) {
  const Bytes b = hexb(s);
  REQUIRE(b.size() == 20);
  Address a{};
  std::copy(b.begin(), b.end(), a.begin());
  return a;
}
Bytes addr_bytes(const Address& a) { return Bytes(a.begin(), a.end()); }
abi::U256 u(std::uint64_t v) { return abi::u256_from_u64(v); }
abi::U256 dec(const std::string& s) { return must(abi::u256_from_decimal(s), "decimal " + s); }

const std::string kAccount0 = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";  // anvil account 0: deployer, governance
const std::string kAccount1 = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";  // anvil account 1 (golden signer)
const std::string kGoldenKey = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

causeway::secp256k1::SecretKey secret(const std::string& h) {
  return must(causeway::secp256k1::parse_secret_key(hexb(h)), "secret key");
}
causeway::secp256k1::SecretKey member_key(int i) {
  const Hash32 h = anvil::keccak("causeway contracts test member " + std::to_string(i));
  return must(causeway::secp256k1::parse_secret_key(h.view()), "member key");
}
Address address_of(const causeway::secp256k1::SecretKey& k) { return ae::address_of(k); }

Bytes sign(const Hash32& digest, const causeway::secp256k1::SecretKey& k) {
  const auto s = must(causeway::secp256k1::sign_rsv(digest, k), "sign_rsv");
  return Bytes(s.begin(), s.end());
}

// The malleable twin (r, n − s) with the other recovery id: the same signer, high-S.
Bytes high_s_twin(Bytes rsv) {
  static const Bytes n = hexb("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
  int borrow = 0;
  for (int i = 31; i >= 0; --i) {
    const int d = n[static_cast<std::size_t>(i)] - rsv[static_cast<std::size_t>(32 + i)] - borrow;
    borrow = d < 0 ? 1 : 0;
    rsv[static_cast<std::size_t>(32 + i)] = static_cast<std::uint8_t>(d < 0 ? d + 256 : d);
  }
  rsv[64] = rsv[64] == 27 ? 28 : 27;
  return rsv;
}

// ---- test-only contracts ------------------------------------------------------------------------------

struct TestContracts {
  Bytes test_app;
  Bytes noop_token;
};

const TestContracts& test_contracts(const fs::path& work) {
  static std::optional<TestContracts> cache;
  if (cache) return *cache;
  static constexpr const char* kScript = R"JS(
const solc = require(process.argv[1]); const fs = require("fs");
const input = { language: "Solidity", sources: { "TestApp.sol": { content: fs.readFileSync(process.argv[2], "utf8") } },
  settings: { evmVersion: "london", optimizer: { enabled: true, runs: 200 },
    outputSelection: { "*": { "*": ["evm.bytecode.object"] } } } };
const out = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (out.errors || []).filter(e => e.severity === "error");
if (errors.length) { console.error(JSON.stringify(errors, null, 1)); process.exit(1); }
const c = out.contracts["TestApp.sol"];
fs.writeFileSync(process.argv[3], JSON.stringify({ TestApp: "0x" + c.TestApp.evm.bytecode.object,
  NoopToken: "0x" + c.NoopToken.evm.bytecode.object }));
)JS";
  const fs::path out = work / "TestApp.json";
  const int rc = anvil::run({anvil::node_program(), "-e", kScript, (anvil::tools_dir() / "node_modules/solc").string(),
                             (fs::path(CAUSEWAY_CONTRACTS_DIR) / "TestApp.sol").string(), out.string()},
                            work / "solc-test.out", work / "solc-test.err", std::chrono::seconds(300));
  if (rc != 0) FAIL("solc-js failed: " << anvil::tail(work / "solc-test.err"));
  const json j = json::parse(anvil::read_text(out));
  cache = TestContracts{hexb(j.at("TestApp").get<std::string>()), hexb(j.at("NoopToken").get<std::string>())};
  return *cache;
}

// ---- transactions -------------------------------------------------------------------------------------

struct Outcome {
  bool ok = false;
  std::string reason;  // the revert reason of a failed transaction
  Hash32 tx;
  std::optional<Address> created;
  std::vector<eth::Log> logs;
  std::uint64_t block = 0;
};

std::string revert_reason(AnvilNode& node, const Hash32& tx) {
  auto trace = node.client().call("debug_traceTransaction", json::array({hex(tx), {{"tracer", "callTracer"}}}));
  if (!trace || !trace->is_object() || !trace->contains("output")) return "<no trace>";
  const Bytes out = hexb(trace->at("output").get<std::string>());
  if (out.size() < 4 || hex(ByteView(out.data(), 4)) != "0x08c379a0") return "<no reason: " + hex(out) + ">";
  auto v = abi::decode(abi::Type::tuple({abi::Type::string()}), ByteView(out.data() + 4, out.size() - 4));
  if (!v) return "<bad reason>";
  return v->as_tuple().at(0).as_string();
}

// Sends from an unlocked anvil account with a fixed gas limit, mines one block, and reports the outcome.
Outcome submit(AnvilNode& node, const std::string& from, const std::optional<Address>& to, const Bytes& data,
               std::uint64_t gas = 10'000'000) {
  json tx{{"from", from}, {"data", hex(data)}, {"gas", ae::quantity(gas)}};
  if (to) tx["to"] = hex(*to);
  const Hash32 h = node.send(tx);
  node.mine();
  ae::EthRpc rpc(node.client());
  const auto rec = must(rpc.transaction_receipt(h), "receipt");
  REQUIRE(rec.has_value());
  Outcome o;
  o.tx = h;
  o.ok = rec->receipt.status == eth::ReceiptStatus::Success;
  o.created = rec->contract_address;
  o.logs = rec->receipt.logs;
  o.block = rec->block_number;
  if (!o.ok) o.reason = revert_reason(node, h);
  return o;
}

void expect_ok(const Outcome& o, const std::string& what) {
  INFO(what << ": reverted with '" << o.reason << "'");
  REQUIRE(o.ok);
}

// The transaction was mined and reverted with a reason starting with `code`.
void expect_refused(const Outcome& o, const std::string& code) {
  INFO("expected " << code << ", reason '" << o.reason << "'");
  REQUIRE_FALSE(o.ok);
  CHECK(o.reason.rfind(code, 0) == 0);
}

Address deploy(AnvilNode& node, const Bytes& creation, const Bytes& args, const std::string& from = kAccount0) {
  Bytes data = creation;
  causeway::append(data, args);
  const Outcome o = submit(node, from, std::nullopt, data, 15'000'000);
  expect_ok(o, "deploy");
  REQUIRE(o.created.has_value());
  return *o.created;
}

Bytes code_of(const std::string& name) { return must(ae::contract_code(name), "contract " + name).creation; }

Bytes eth_call(AnvilNode& node, const Address& to, const Bytes& data) {
  return hexb(node.call("eth_call", json::array({{{"to", hex(to)}, {"data", hex(data)}}, "latest"})).get<std::string>());
}

abi::Value call_view(AnvilNode& node, const Address& to, std::string_view sig, std::span<const ae::AbiArg> args,
                     const abi::Type& result) {
  return must(abi::decode(abi::Type::tuple({result}), eth_call(node, to, ae::encode_call(sig, args))), "decode " +
              std::string(sig)).as_tuple().at(0);
}

ae::AbiArg a_b32(const Hash32& h) { return ae::abi_arg(abi::Type::bytes32(), abi::Value::bytes32(h)); }
ae::AbiArg a_u64(std::uint64_t x) { return ae::abi_arg(abi::Type::uint(64), abi::Value::uint(x)); }
ae::AbiArg a_str(std::string_view s) { return ae::abi_arg(abi::Type::string(), abi::Value::string(s)); }
ae::AbiArg a_u8(std::uint64_t x) { return ae::abi_arg(abi::Type::uint(8), abi::Value::uint(x)); }

abi::U256 view_u256(AnvilNode& node, const Address& to, std::string_view sig, std::span<const ae::AbiArg> args = {}) {
  return call_view(node, to, sig, args, abi::Type::uint(256)).as_uint();
}
Hash32 view_b32(AnvilNode& node, const Address& to, std::string_view sig, std::span<const ae::AbiArg> args) {
  return call_view(node, to, sig, args, abi::Type::bytes32()).as_bytes32();
}
Address view_addr(AnvilNode& node, const Address& to, std::string_view sig, std::span<const ae::AbiArg> args = {}) {
  const abi::U256 w = call_view(node, to, sig, args, abi::Type::uint(160)).as_uint();
  Address a{};
  std::copy(w.begin() + 12, w.end(), a.begin());
  return a;
}
abi::U256 balance(AnvilNode& node, const Address& token, const Address& owner) {
  const ae::AbiArg args[] = {ae::abi_address(owner)};
  return view_u256(node, token, "balanceOf(address)", args);
}
Hash32 receipt_of(AnvilNode& node, const Address& endpoint, const Hash32& c) {
  const ae::AbiArg args[] = {a_b32(c)};
  return view_b32(node, endpoint, "receipts(bytes32)", args);
}
std::uint64_t sent_status(AnvilNode& node, const Address& endpoint, const Hash32& c) {
  const ae::AbiArg args[] = {a_b32(c)};
  return must(abi::u256_to_u64(view_u256(node, endpoint, "sentStatus(bytes32)", args)), "u64");
}
std::uint64_t view_u64(AnvilNode& node, const Address& to, std::string_view sig) {
  return must(abi::u256_to_u64(view_u256(node, to, sig)), "u64");
}

// The endpoint's log with topic0 `topic` in `o`.
const eth::Log& log_of(const Outcome& o, const Address& emitter, const Hash32& topic) {
  for (const eth::Log& l : o.logs) {
    if (l.address == emitter && !l.topics.empty() && l.topics[0] == topic) return l;
  }
  FAIL("no log with topic " << hex(topic));
  throw std::logic_error("unreachable");
}

Bytes log_bytes_arg(const eth::Log& l) {
  return must(abi::decode(abi::Type::tuple({abi::Type::bytes()}), l.data), "log data").as_tuple().at(0).as_bytes();
}

// ---- islands ------------------------------------------------------------------------------------------

struct Island {
  std::string id;
  Hash32 genesis;
  Address endpoint{};
  Address app{};
};

Address deploy_endpoint(AnvilNode& node, const std::string& island, const Hash32& genesis,
                        const std::vector<Address>& members, std::uint64_t k) {
  return deploy(node, code_of("Endpoint"), ae::endpoint_constructor_args(island, genesis, members, k, addr(kAccount0)));
}

void bind_port(AnvilNode& node, const Address& endpoint, const std::string& port, const Address& app) {
  expect_ok(submit(node, kAccount0, endpoint, ae::bind_port_call(port, app)), "bindPort");
}

void open_channel(AnvilNode& node, const Address& endpoint, const ae::ChannelConfig& c) {
  expect_ok(submit(node, kAccount0, endpoint, ae::register_channel_call(c)), "registerChannel");
}

ae::EvmAttestation attest(const Island& dest, const Hash32& c, std::uint64_t idx, const causeway::secp256k1::SecretKey& k) {
  const Hash32 d = pk::attestation_digest(dest.id, dest.genesis, ByteView(dest.endpoint.data(), 20), c, idx);
  return {idx, sign(d, k)};
}

Outcome recv(AnvilNode& node, const Island& dest, const pk::Packet& p, const std::vector<ae::EvmAttestation>& atts,
             std::uint64_t gas = 10'000'000) {
  return submit(node, kAccount0, dest.endpoint, ae::recv_packet_call(p, atts), gas);
}

pk::Packet make_packet(const std::string& src, const Hash32& src_genesis, const std::string& src_channel,
                       const std::string& src_port, const Island& dest, const std::string& dest_channel,
                       const std::string& dest_port, std::uint64_t seq) {
  pk::Packet p;
  p.source_island = src;
  p.source_genesis = src_genesis;
  p.source_channel = src_channel;
  p.source_port = src_port;
  p.dest_island = dest.id;
  p.dest_genesis = dest.genesis;
  p.dest_channel = dest_channel;
  p.dest_port = dest_port;
  p.sequence = seq;
  p.sender = hexb(kAccount0);
  p.receiver = hexb(kAccount1);
  p.payload = hexb("0xabcd");
  return p;
}

// Storage proof of receipts[commitment] (slot keccak256(commitment ‖ uint256(0))) at `block`, verified with the
// Ethereum light client against the block's stateRoot.
Hash32 proven_receipt(AnvilNode& node, const Address& endpoint, const Hash32& c, std::uint64_t block) {
  ae::EthRpc rpc(node.client());
  const Hash32 slot = pk::receipt_storage_slot(c);
  const auto info = must(rpc.block_by_number(block), "block");
  REQUIRE(info.has_value());
  const auto proof = must(rpc.get_proof(endpoint, std::vector<Hash32>{slot}, block), "eth_getProof");
  const auto account = must(eth::verify_account_proof(info->header.state_root, endpoint, proof.account_proof),
                            "verify_account_proof");
  return must(eth::verify_storage_proof(account.storage_hash, slot, proof.storage.at(0).proof), "verify_storage_proof");
}

anvil::NodeOptions chain(std::uint64_t id, const std::string& stem) {
  return {.hardfork = "prague", .chain_id = id, .accounts = 3, .log_stem = stem};
}

pk::Packet golden_packet() {
  const json& f = golden().at("packet_fields");
  pk::Packet p;
  p.version = 1;
  p.source_island = f.at("source_island");
  p.source_genesis = hexh(f.at("source_genesis"));
  p.source_channel = f.at("source_channel");
  p.source_port = f.at("source_port");
  p.dest_island = f.at("dest_island");
  p.dest_genesis = hexh(f.at("dest_genesis"));
  p.dest_channel = f.at("dest_channel");
  p.dest_port = f.at("dest_port");
  p.sequence = std::stoull(f.at("sequence").get<std::string>());
  p.sender = hexb(f.at("sender"));
  p.receiver = hexb(f.at("receiver"));
  p.payload = hexb(f.at("payload"));
  p.timeout_height = std::stoull(f.at("timeout_height").get<std::string>());
  p.timeout_timestamp_ns = std::stoull(f.at("timeout_timestamp_ns").get<std::string>());
  REQUIRE(hex(pk::encode_packet(p)) == golden().at("packet_bytes").get<std::string>());
  return p;
}

ae::ChannelConfig channel_cfg(const std::string& id, const std::string& port, const std::string& cp_island,
                              const Hash32& cp_genesis, const std::string& cp_channel, const std::string& cp_port,
                              bool ordered = false, std::uint64_t next_send = 1) {
  ae::ChannelConfig c;
  c.channel_id = id;
  c.port = port;
  c.counterparty_island = cp_island;
  c.counterparty_genesis = cp_genesis;
  c.counterparty_channel = cp_channel;
  c.counterparty_port = cp_port;
  c.ordered = ordered;
  c.next_send_sequence = next_send;
  return c;
}

void require_tools_and_contracts() {
  if (!ae::contracts_available()) FAIL("this build has no compiled contracts (tools/ absent at configure time)");
}

}  // namespace

TEST_CASE("golden: TransferApp.sendTransfer emits the golden packet bytes and commitment; timeout refunds once",
          "[integration][contracts][golden]") {
  require_tools_and_contracts();
  anvil::TempDir tmp;
  AnvilNode node(tmp.path(), chain(31337, "anvil-golden-send"));
  const json& g = golden();
  const std::string denom = g.at("transfer_payload_fields").at("denom");

  // anvil account 0, nonce 0: the token = the golden denom 0x5fbd…; nonce 1: the endpoint; nonce 2: the app.
  const Address token = deploy(node, code_of("TestToken"),
                               ae::test_token_constructor_args("Test", "TT", dec("1000000000000000000000000")));
  REQUIRE(hex(token) == denom);
  const Island src{"eip155:31337", hexh(g.at("packet_fields").at("source_genesis")),
                   deploy_endpoint(node, "eip155:31337", hexh(g.at("packet_fields").at("source_genesis")),
                                   {addr(kAccount1)}, 1),
                   {}};
  const Address app = deploy(node, code_of("TransferApp"), ae::transfer_app_constructor_args(src.endpoint, addr(kAccount0)));
  bind_port(node, src.endpoint, "transfer", app);
  open_channel(node, src.endpoint,
               channel_cfg("channel-0", "transfer", "eip155:31338", hexh(g.at("packet_fields").at("dest_genesis")),
                           "channel-0", "transfer", false, 7));
  expect_ok(submit(node, kAccount0, app, ae::register_asset_call(token)), "registerAsset");
  const abi::U256 amount = dec(g.at("transfer_payload_fields").at("amount"));
  expect_ok(submit(node, kAccount0, token, ae::erc20_approve_call(app, amount)), "approve");

  const Outcome sent = submit(node, kAccount0, app,
                              ae::send_transfer_call("channel-0", token, amount, hexb(kAccount1), "", 0,
                                                     1800000000000000000ULL));
  expect_ok(sent, "sendTransfer");
  const eth::Log& log = log_of(sent, src.endpoint, pk::packet_sent_topic0());
  CHECK(hex(pk::packet_sent_topic0()) == g.at("packet_sent_topic0").get<std::string>());
  CHECK(hex(log.topics.at(1)) == g.at("commitment").get<std::string>());
  CHECK(log.topics.at(2) == Hash32::from(ByteView(u(7).data(), 32)));
  CHECK(hex(log_bytes_arg(log)) == g.at("packet_bytes").get<std::string>());
  // The relay's decoder (light_clients/ethereum) accepts it from the endpoint, and only from it (A19).
  const pk::Packet p = must(eth::packet_from_log(log, src.endpoint), "packet_from_log");
  CHECK(p == golden_packet());
  CHECK_FALSE(eth::packet_from_log(log, token).has_value());

  const Hash32 c = hexh(g.at("commitment"));
  CHECK(sent_status(node, src.endpoint, c) == 1);
  CHECK(balance(node, token, app) == amount);
  const ae::AbiArg esc[] = {a_str("channel-0"), ae::abi_address(token)};
  CHECK(view_u256(node, app, "escrowed(string,address)", esc) == amount);
  const abi::U256 before = balance(node, token, addr(kAccount0));

  // Timeout attested by the committee (the golden signer): refunded once; every later settlement refused.
  const auto key = secret(kGoldenKey);
  const Hash32 td = pk::timeout_attestation_digest(src.id, src.genesis, ByteView(src.endpoint.data(), 20), c, 44);
  const ae::AbiArg tdargs[] = {a_b32(c), a_u64(44)};
  CHECK(view_b32(node, src.endpoint, "timeoutDigest(bytes32,uint64)", tdargs) == td);
  const ae::EvmAttestation tatt{44, sign(td, key)};
  const Outcome t1 = submit(node, kAccount0, src.endpoint, ae::timeout_packet_call(p, {&tatt, 1}));
  expect_ok(t1, "timeoutPacket");
  CHECK(sent_status(node, src.endpoint, c) == 4);
  const abi::U256 after = balance(node, token, addr(kAccount0));
  CHECK(abi::u256_to_decimal(after) == "1000000000000000000000000");
  CHECK(abi::u256_to_decimal(before) == "999999000000000000000000");
  CHECK(balance(node, token, app) == u(0));
  CHECK(view_u256(node, app, "escrowed(string,address)", esc) == u(0));
  expect_refused(submit(node, kAccount0, src.endpoint, ae::timeout_packet_call(p, {&tatt, 1})), "ERR_PACKET_REPLAYED");
  const Bytes err_ack = pk::ack_bytes(c, false, hexb("0x00"));
  const Hash32 ad = pk::ack_attestation_digest(src.id, src.genesis, ByteView(src.endpoint.data(), 20), c,
                                               pk::ack_commitment(err_ack), 45);
  const ae::EvmAttestation aatt{45, sign(ad, key)};
  expect_refused(submit(node, kAccount0, src.endpoint, ae::acknowledge_packet_call(p, err_ack, {&aatt, 1})),
                 "ERR_PACKET_REPLAYED");
  CHECK(balance(node, token, addr(kAccount0)) == after);
}

TEST_CASE("golden: the endpoint at the golden dest_endpoint accepts the golden attestation and writes the golden ack",
          "[integration][contracts][golden]") {
  require_tools_and_contracts();
  anvil::TempDir tmp;
  AnvilNode node(tmp.path(), chain(31338, "anvil-golden-recv"));
  const json& g = golden();
  const json& ga = g.at("attestation");
  deploy(node, code_of("TestToken"), ae::test_token_constructor_args("Filler", "F", u(1)));  // nonce 0
  Island dest{"eip155:31338", hexh(g.at("packet_fields").at("dest_genesis")), {}, {}};
  dest.endpoint = deploy_endpoint(node, dest.id, dest.genesis, {addr(ga.at("signer_address"))}, 1);  // nonce 1
  REQUIRE(hex(dest.endpoint) == ga.at("dest_endpoint").get<std::string>());
  dest.app = deploy(node, code_of("TransferApp"), ae::transfer_app_constructor_args(dest.endpoint, addr(kAccount0)));
  bind_port(node, dest.endpoint, "transfer", dest.app);
  open_channel(node, dest.endpoint,
               channel_cfg("channel-0", "transfer", "eip155:31337", hexh(g.at("packet_fields").at("source_genesis")),
                           "channel-0", "transfer"));

  const Hash32 c = hexh(g.at("commitment"));
  const ae::AbiArg dargs[] = {a_b32(c), a_u64(42)};
  CHECK(hex(view_b32(node, dest.endpoint, "attestationDigest(bytes32,uint64)", dargs)) == ga.at("digest").get<std::string>());
  const pk::Packet p = golden_packet();
  const ae::EvmAttestation att{42, hexb(ga.at("signature_rsv"))};
  const Outcome o = recv(node, dest, p, {att});
  expect_ok(o, "recvPacket golden");
  const eth::Log& log = log_of(o, dest.endpoint, pk::acknowledgement_written_topic0());
  CHECK(hex(pk::acknowledgement_written_topic0()) == g.at("acknowledgement_written_topic0").get<std::string>());
  CHECK(log.topics.at(1) == c);
  CHECK(hex(log_bytes_arg(log)) == g.at("ack").at("ack_bytes").get<std::string>());
  CHECK(hex(receipt_of(node, dest.endpoint, c)) == g.at("ack").at("ack_commitment").get<std::string>());

  // The voucher of the golden denom, minted to the golden receiver.
  const std::string trace = "transfer/channel-0/" + g.at("transfer_payload_fields").at("denom").get<std::string>();
  const ae::AbiArg targs[] = {a_str(trace)};
  const Address voucher = view_addr(node, dest.app, "voucherFor(string)", targs);
  CHECK(voucher != Address{});
  CHECK(abi::u256_to_decimal(balance(node, voucher, addr(kAccount1))) == "1000000000000000000");
  CHECK(abi::u256_to_decimal(view_u256(node, voucher, "totalSupply()")) == "1000000000000000000");

  // receipts at slot 0: the golden slot, proven against the block's stateRoot by the light client.
  CHECK(hex(pk::receipt_storage_slot(c)) == g.at("evm_receipt_storage_slot").get<std::string>());
  CHECK(hex(proven_receipt(node, dest.endpoint, c, o.block)) == g.at("ack").at("ack_commitment").get<std::string>());
  CHECK(proven_receipt(node, dest.endpoint, c, o.block - 1).is_zero());  // before delivery: provably absent

  // Replay refused; nothing changes.
  expect_refused(recv(node, dest, p, {att}), "ERR_PACKET_REPLAYED");
  CHECK(abi::u256_to_decimal(view_u256(node, voucher, "totalSupply()")) == "1000000000000000000");
}

TEST_CASE("golden: the endpoint at the golden source_endpoint accepts the golden ack attestation once",
          "[integration][contracts][golden]") {
  require_tools_and_contracts();
  anvil::TempDir tmp;
  AnvilNode node(tmp.path(), chain(31337, "anvil-golden-ack"));
  const json& g = golden();
  Island src{"eip155:31337", hexh(g.at("packet_fields").at("source_genesis")), {}, {}};
  src.endpoint = deploy_endpoint(node, src.id, src.genesis, {addr(kAccount1)}, 1);  // nonce 0
  REQUIRE(hex(src.endpoint) == g.at("ack").at("source_endpoint").get<std::string>());
  const Address app = deploy(node, test_contracts(tmp.path()).test_app, ae::abi_encode_args(std::vector{ae::abi_address(src.endpoint)}));
  bind_port(node, src.endpoint, "transfer", app);
  open_channel(node, src.endpoint,
               channel_cfg("channel-0", "transfer", "eip155:31338", hexh(g.at("packet_fields").at("dest_genesis")),
                           "channel-0", "transfer", false, 7));
  const pk::Packet p = golden_packet();
  const ae::AbiArg sargs[] = {a_str("channel-0"), ae::abi_arg(abi::Type::bytes(), abi::Value::bytes(p.sender)),
                              ae::abi_arg(abi::Type::bytes(), abi::Value::bytes(p.receiver)),
                              ae::abi_arg(abi::Type::bytes(), abi::Value::bytes(p.payload)), a_u64(0),
                              a_u64(p.timeout_timestamp_ns)};
  const Outcome sent = submit(node, kAccount0, app, ae::encode_call("send(string,bytes,bytes,bytes,uint64,uint64)", sargs));
  expect_ok(sent, "TestApp.send");
  const Hash32 c = hexh(g.at("commitment"));
  CHECK(log_of(sent, src.endpoint, pk::packet_sent_topic0()).topics.at(1) == c);

  const json& ack = g.at("ack");
  const ae::AbiArg adargs[] = {a_b32(c), a_b32(hexh(ack.at("ack_commitment"))), a_u64(43)};
  CHECK(hex(view_b32(node, src.endpoint, "ackDigest(bytes32,bytes32,uint64)", adargs)) == ack.at("digest").get<std::string>());
  const ae::AbiArg tdargs[] = {a_b32(c), a_u64(44)};
  CHECK(hex(view_b32(node, src.endpoint, "timeoutDigest(bytes32,uint64)", tdargs)) ==
        g.at("timeout").at("digest").get<std::string>());

  const ae::EvmAttestation att{43, hexb(ack.at("signature_rsv"))};
  const Bytes ack_bytes = hexb(ack.at("ack_bytes"));
  // The ack attestation signs audit index 43: the same signature under another index recovers someone else.
  const ae::EvmAttestation wrong_index{44, att.signature};
  expect_refused(submit(node, kAccount0, src.endpoint, ae::acknowledge_packet_call(p, ack_bytes, {&wrong_index, 1})),
                 "ERR_NOT_VALIDATOR");
  const Outcome ok = submit(node, kAccount0, src.endpoint, ae::acknowledge_packet_call(p, ack_bytes, {&att, 1}));
  expect_ok(ok, "acknowledgePacket golden");
  CHECK(sent_status(node, src.endpoint, c) == 2);
  CHECK(view_u64(node, app, "ackCount()") == 1);
  CHECK(view_u64(node, app, "lastAckSuccess()") == 1);
  expect_refused(submit(node, kAccount0, src.endpoint, ae::acknowledge_packet_call(p, ack_bytes, {&att, 1})),
                 "ERR_PACKET_REPLAYED");
  CHECK(view_u64(node, app, "ackCount()") == 1);
  CHECK(view_u64(node, app, "timeoutCount()") == 0);
}

TEST_CASE("recvPacket rules: quorum, signatures (A17), destination (A20), replay, timeouts, ordering, app outcomes (A08)",
          "[integration][contracts]") {
  require_tools_and_contracts();
  anvil::TempDir tmp;
  AnvilNode node(tmp.path(), chain(31338, "anvil-rules"));
  const auto m1 = member_key(1), m2 = member_key(2), m3 = member_key(3), outsider = member_key(9);
  Island dest{"eip155:31338", hexh("0x" + std::string(64, '2')), {}, {}};
  dest.endpoint = deploy_endpoint(node, dest.id, dest.genesis, {address_of(m1), address_of(m2), address_of(m3)}, 2);
  const Address app = deploy(node, test_contracts(tmp.path()).test_app, ae::abi_encode_args(std::vector{ae::abi_address(dest.endpoint)}));
  bind_port(node, dest.endpoint, "app", app);
  const Hash32 src_genesis = hexh("0x" + std::string(64, '1'));
  open_channel(node, dest.endpoint, channel_cfg("chan-u", "app", "eip155:31337", src_genesis, "chan-a", "app"));
  open_channel(node, dest.endpoint, channel_cfg("chan-o", "app", "eip155:31337", src_genesis, "chan-b", "app", true));
  std::uint64_t seq = 100;
  auto unordered = [&] { return make_packet("eip155:31337", src_genesis, "chan-a", "app", dest, "chan-u", "app", ++seq); };
  auto two = [&](const pk::Packet& p) {
    const Hash32 c = pk::commitment(p);
    return std::vector<ae::EvmAttestation>{attest(dest, c, 1, m1), attest(dest, c, 2, m2)};
  };

  {  // k − 1 distinct members
    const pk::Packet p = unordered();
    expect_refused(recv(node, dest, p, {attest(dest, pk::commitment(p), 1, m1)}), "ERR_INSUFFICIENT_QUORUM");
    expect_refused(recv(node, dest, p, {}), "ERR_INSUFFICIENT_QUORUM");
    CHECK(receipt_of(node, dest.endpoint, pk::commitment(p)).is_zero());
  }
  {  // one member twice (two audit indexes, so two different signatures) counts once
    const pk::Packet p = unordered();
    const Hash32 c = pk::commitment(p);
    expect_refused(recv(node, dest, p, {attest(dest, c, 1, m1), attest(dest, c, 7, m1)}), "ERR_DUPLICATE_SEAL");
    const auto a = attest(dest, c, 1, m1);
    expect_refused(recv(node, dest, p, {a, a}), "ERR_DUPLICATE_SEAL");
  }
  {  // a non-member
    const pk::Packet p = unordered();
    const Hash32 c = pk::commitment(p);
    expect_refused(recv(node, dest, p, {attest(dest, c, 1, m1), attest(dest, c, 2, outsider)}), "ERR_NOT_VALIDATOR");
  }
  {  // A17: the high-S twin of a valid signature is refused, alone or beside the low-S original
    const pk::Packet p = unordered();
    const Hash32 c = pk::commitment(p);
    auto a2 = attest(dest, c, 2, m2);
    const auto hi = ae::EvmAttestation{2, high_s_twin(a2.signature)};
    expect_refused(recv(node, dest, p, {attest(dest, c, 1, m1), hi}), "ERR_SIG_HIGH_S");
    expect_refused(recv(node, dest, p, {a2, hi}), "ERR_SIG_HIGH_S");
    auto badv = a2;
    badv.signature[64] = 1;
    expect_refused(recv(node, dest, p, {attest(dest, c, 1, m1), badv}), "ERR_SIG_ENCODING");
    badv.signature.pop_back();
    expect_refused(recv(node, dest, p, {attest(dest, c, 1, m1), badv}), "ERR_SIG_ENCODING");
  }
  {  // A20: another destination island or genesis; a signature for another endpoint address
    pk::Packet p = unordered();
    p.dest_island = "eip155:31339";
    expect_refused(recv(node, dest, p, two(p)), "ERR_ISLAND_MISMATCH");
    p = unordered();
    p.dest_genesis = hexh("0x" + std::string(64, '3'));
    expect_refused(recv(node, dest, p, two(p)), "ERR_ISLAND_MISMATCH");
    p = unordered();
    Island other = dest;
    other.endpoint = addr("0x000000000000000000000000000000000000dead");
    const Hash32 c = pk::commitment(p);
    expect_refused(recv(node, dest, p, {attest(other, c, 1, m1), attest(other, c, 2, m2)}), "ERR_NOT_VALIDATOR");
    p = unordered();
    p.source_channel = "chan-x";  // a route the channel is not bound to
    expect_refused(recv(node, dest, p, two(p)), "ERR_UNKNOWN_CHANNEL");
  }
  {  // accepted with exactly k, then a replay (any attestation set) is refused
    const pk::Packet p = unordered();
    const Hash32 c = pk::commitment(p);
    const Outcome o = recv(node, dest, p, two(p));
    expect_ok(o, "recv k of n");
    CHECK(pk::ack_commitment(log_bytes_arg(log_of(o, dest.endpoint, pk::acknowledgement_written_topic0()))) ==
          receipt_of(node, dest.endpoint, c));
    CHECK(log_bytes_arg(log_of(o, dest.endpoint, pk::acknowledgement_written_topic0())) == pk::ack_bytes(c, true, hexb("0x01")));
    expect_refused(recv(node, dest, p, two(p)), "ERR_PACKET_REPLAYED");
    expect_refused(recv(node, dest, p, {attest(dest, c, 5, m3), attest(dest, c, 6, m1), attest(dest, c, 8, m2)}),
                   "ERR_PACKET_REPLAYED");
    CHECK(view_u64(node, app, "recvCount()") == 1);
    // The receipt is provable at slot 0; a packet never received proves 0 (non-delivery).
    CHECK(proven_receipt(node, dest.endpoint, c, o.block) == receipt_of(node, dest.endpoint, c));
    CHECK(proven_receipt(node, dest.endpoint, pk::commitment(unordered()), o.block).is_zero());
  }
  {  // timeout height: refused in the block whose height == timeout_height, accepted one block earlier
    ae::EthRpc rpc(node.client());
    std::uint64_t latest = must(rpc.block_number(), "block number");
    pk::Packet p = unordered();
    p.timeout_height = latest + 1;  // the transaction is mined in block latest + 1
    const Outcome refused = recv(node, dest, p, two(p));
    expect_refused(refused, "ERR_PACKET_TIMED_OUT");
    CHECK(refused.block == p.timeout_height);
    latest = must(rpc.block_number(), "block number");
    p = unordered();
    p.timeout_height = latest + 2;
    const Outcome ok = recv(node, dest, p, two(p));
    expect_ok(ok, "recv one block before timeout_height");
    CHECK(ok.block + 1 == p.timeout_height);
  }
  {  // timeout timestamp: block.timestamp × 10^9 == timeout_timestamp_ns refused, one ns later accepted
    ae::EthRpc rpc(node.client());
    const auto head = must(rpc.block_by_tag("latest"), "latest");
    const std::uint64_t t = head->header.timestamp_s + 1000;
    node.call("evm_setNextBlockTimestamp", json::array({t}));
    pk::Packet p = unordered();
    p.timeout_timestamp_ns = t * 1'000'000'000ULL;
    expect_refused(recv(node, dest, p, two(p)), "ERR_PACKET_TIMED_OUT");
    node.call("evm_setNextBlockTimestamp", json::array({t + 1000}));
    p = unordered();
    p.timeout_timestamp_ns = (t + 1000) * 1'000'000'000ULL + 1;
    expect_ok(recv(node, dest, p, two(p)), "recv 1 ns before the timeout");
  }
  {  // ordered channel: only the next sequence
    auto ordered = [&](std::uint64_t s) { return make_packet("eip155:31337", src_genesis, "chan-b", "app", dest, "chan-o", "app", s); };
    expect_refused(recv(node, dest, ordered(2), two(ordered(2))), "ERR_PACKET_SEQUENCE");
    expect_ok(recv(node, dest, ordered(1), two(ordered(1))), "ordered 1");
    expect_refused(recv(node, dest, ordered(1), two(ordered(1))), "ERR_PACKET_REPLAYED");
    expect_refused(recv(node, dest, ordered(3), two(ordered(3))), "ERR_PACKET_SEQUENCE");
    expect_ok(recv(node, dest, ordered(2), two(ordered(2))), "ordered 2");
    expect_ok(recv(node, dest, ordered(3), two(ordered(3))), "ordered 3");
  }
  {  // application outcomes
    const ae::AbiArg m1arg[] = {a_u8(1)};
    expect_ok(submit(node, kAccount0, app, ae::encode_call("setMode(uint8)", m1arg)), "mode 1");
    pk::Packet p = unordered();
    Outcome o = recv(node, dest, p, two(p));
    expect_ok(o, "an app revert is an error acknowledgement");
    const std::string reason = "ERR_TEST: refused by the app";
    CHECK(log_bytes_arg(log_of(o, dest.endpoint, pk::acknowledgement_written_topic0())) ==
          pk::ack_bytes(pk::commitment(p), false, ByteView(reinterpret_cast<const std::uint8_t*>(reason.data()), reason.size())));

    const ae::AbiArg m2arg[] = {a_u8(2)};  // A08: "succeeds" with no return data
    expect_ok(submit(node, kAccount0, app, ae::encode_call("setMode(uint8)", m2arg)), "mode 2");
    p = unordered();
    expect_refused(recv(node, dest, p, two(p)), "ERR_POSTCONDITION");
    CHECK(receipt_of(node, dest.endpoint, pk::commitment(p)).is_zero());

    const ae::AbiArg m3arg[] = {a_u8(3)};  // out of gas inside the app: no forced error acknowledgement
    expect_ok(submit(node, kAccount0, app, ae::encode_call("setMode(uint8)", m3arg)), "mode 3");
    expect_refused(recv(node, dest, p, two(p), 2'000'000), "ERR_OUT_OF_GAS");
    CHECK(receipt_of(node, dest.endpoint, pk::commitment(p)).is_zero());

    const ae::AbiArg m0arg[] = {a_u8(0)};
    expect_ok(submit(node, kAccount0, app, ae::encode_call("setMode(uint8)", m0arg)), "mode 0");
    expect_ok(recv(node, dest, p, two(p)), "the same packet once the app answers");
  }
  {  // governance: only the governance address; the endpoint itself is never an application (A04)
    expect_refused(submit(node, kAccount1, dest.endpoint, ae::bind_port_call("other", app)), "ERR_UNAUTHORIZED");
    expect_refused(submit(node, kAccount0, dest.endpoint, ae::bind_port_call("gov", dest.endpoint)), "ERR_FORBIDDEN_TARGET");
    expect_refused(submit(node, kAccount0, dest.endpoint, ae::bind_port_call("eoa", addr(kAccount1))), "ERR_FORBIDDEN_TARGET");
    expect_refused(submit(node, kAccount0, dest.endpoint, ae::bind_port_call("app", app)), "ERR_STORE_CONFLICT");
    expect_refused(submit(node, kAccount1, dest.endpoint,
                          ae::register_channel_call(channel_cfg("chan-z", "app", "eip155:1", src_genesis, "c", "app"))),
                   "ERR_UNAUTHORIZED");
    expect_refused(submit(node, kAccount0, dest.endpoint,
                          ae::register_channel_call(channel_cfg("chan-z", "app", "eip155:1", Hash32{}, "cc", "app"))),
                   "ERR_ZERO_ROOT");
    expect_refused(submit(node, kAccount0, dest.endpoint,
                          ae::register_channel_call(channel_cfg("chan-u", "app", "eip155:1", src_genesis, "cc", "app"))),
                   "ERR_STORE_CONFLICT");
    CHECK(view_u64(node, dest.endpoint, "channelCount()") == 2);
    CHECK(view_u64(node, dest.endpoint, "threshold()") == 2);
  }
}

TEST_CASE("two islands: escrow, voucher mint, burn and release with exact balances; refunds exactly once; A04; A08",
          "[integration][contracts][transfer]") {
  require_tools_and_contracts();
  anvil::TempDir tmp;
  AnvilNode na(tmp.path(), chain(31337, "anvil-a"));
  AnvilNode nb(tmp.path(), chain(31338, "anvil-b"));
  const auto mk = member_key(1);
  const std::vector<Address> committee{address_of(mk)};
  Island a{"eip155:31337", hexh("0x" + std::string(64, 'a')), {}, {}};
  Island b{"eip155:31338", hexh("0x" + std::string(64, 'b')), {}, {}};
  const Address token = deploy(na, code_of("TestToken"), ae::test_token_constructor_args("Test", "TT", u(1000)));
  for (auto* x : {&a, &b}) {
    AnvilNode& n = x == &a ? na : nb;
    const Island& other = x == &a ? b : a;
    x->endpoint = deploy_endpoint(n, x->id, x->genesis, committee, 1);
    x->app = deploy(n, code_of("TransferApp"), ae::transfer_app_constructor_args(x->endpoint, addr(kAccount0)));
    bind_port(n, x->endpoint, "transfer", x->app);
    open_channel(n, x->endpoint, channel_cfg("channel-0", "transfer", other.id, other.genesis, "channel-0", "transfer"));
  }
  const Address user_a = addr(kAccount0), user_b = addr(kAccount1);
  expect_ok(submit(na, kAccount0, a.app, ae::register_asset_call(token)), "registerAsset");
  expect_ok(submit(na, kAccount0, token, ae::erc20_approve_call(a.app, u(1000))), "approve");
  const std::uint64_t far_ns = 4'000'000'000ULL * 1'000'000'000ULL;
  const ae::AbiArg esc_args[] = {a_str("channel-0"), ae::abi_address(token)};
  auto escrow = [&] { return view_u256(na, a.app, "escrowed(string,address)", esc_args); };

  // Sends on `from_node` and returns the packet (decoded from PacketSent by the light client's decoder).
  auto send = [&](AnvilNode& n, const Island& src, const std::string& from, const Address& tok, std::uint64_t amount,
                  const Bytes& receiver, std::uint64_t timeout_height, std::uint64_t timeout_ns) {
    const Outcome o = submit(n, from, src.app, ae::send_transfer_call("channel-0", tok, u(amount), receiver, "", timeout_height, timeout_ns));
    expect_ok(o, "sendTransfer");
    return must(eth::packet_from_log(log_of(o, src.endpoint, pk::packet_sent_topic0()), src.endpoint), "packet");
  };
  auto deliver = [&](AnvilNode& n, const Island& dest, const pk::Packet& p) {
    const Outcome o = recv(n, dest, p, {attest(dest, pk::commitment(p), 1, mk)});
    expect_ok(o, "recvPacket");
    return log_bytes_arg(log_of(o, dest.endpoint, pk::acknowledgement_written_topic0()));
  };
  auto ack_call = [&](const Island& src, const pk::Packet& p, const Bytes& ack) {
    const Hash32 c = pk::commitment(p);
    const Hash32 d = pk::ack_attestation_digest(src.id, src.genesis, ByteView(src.endpoint.data(), 20), c, pk::ack_commitment(ack), 3);
    const ae::EvmAttestation att{3, sign(d, mk)};
    return ae::acknowledge_packet_call(p, ack, {&att, 1});
  };
  auto timeout_call = [&](const Island& src, const pk::Packet& p) {
    const Hash32 d = pk::timeout_attestation_digest(src.id, src.genesis, ByteView(src.endpoint.data(), 20), pk::commitment(p), 4);
    const ae::EvmAttestation att{4, sign(d, mk)};
    return ae::timeout_packet_call(p, {&att, 1});
  };

  // 1. A → B: 100 escrowed on A, voucher transfer/channel-0/<token> minted on B.
  const pk::Packet p1 = send(na, a, kAccount0, token, 100, addr_bytes(user_b), 0, far_ns);
  const auto t1 = must(pk::decode_transfer_payload(p1.payload), "payload");
  CHECK(t1.denom == hex(token));
  CHECK(balance(na, token, user_a) == u(900));
  CHECK(escrow() == u(100));
  const Bytes ack1 = deliver(nb, b, p1);
  CHECK(ack1 == pk::ack_bytes(pk::commitment(p1), true, hexb("0x01")));
  const std::string trace = "transfer/channel-0/" + hex(token);
  const ae::AbiArg targs[] = {a_str(trace)};
  const Address voucher = view_addr(nb, b.app, "voucherFor(string)", targs);
  CHECK(balance(nb, voucher, user_b) == u(100));
  expect_ok(submit(na, kAccount0, a.endpoint, ack_call(a, p1, ack1)), "ack success");
  CHECK(balance(na, token, user_a) == u(900));
  CHECK(escrow() == u(100));

  // 2. B → A: the voucher goes home: 40 burned on B, released from A's escrow.
  const pk::Packet p2 = send(nb, b, kAccount1, voucher, 40, addr_bytes(user_a), 0, far_ns);
  CHECK(must(pk::decode_transfer_payload(p2.payload), "payload").denom == trace);
  CHECK(balance(nb, voucher, user_b) == u(60));
  CHECK(view_u256(nb, voucher, "totalSupply()") == u(60));
  const Bytes ack2 = deliver(na, a, p2);
  CHECK(ack2 == pk::ack_bytes(pk::commitment(p2), true, hexb("0x01")));
  CHECK(balance(na, token, user_a) == u(940));
  CHECK(escrow() == u(60));
  CHECK(balance(na, token, a.app) == u(60));  // invariant: escrow = vouchers outstanding on B
  expect_ok(submit(nb, kAccount0, b.endpoint, ack_call(b, p2, ack2)), "ack success B");

  // 3. Error acknowledgement (receiver is not 20 bytes on B): refunded once on A.
  const pk::Packet p3 = send(na, a, kAccount0, token, 50, hexb("0x" + std::string(64, '7')), 0, far_ns);
  CHECK(balance(na, token, user_a) == u(890));
  const Bytes ack3 = deliver(nb, b, p3);
  const auto decoded3 = must(pk::decode_ack(ack3), "ack");
  CHECK_FALSE(decoded3.success);
  CHECK(std::string(decoded3.result.begin(), decoded3.result.end()) == "ERR_PACKET_INVALID: receiver is not 20 bytes");
  expect_ok(submit(na, kAccount0, a.endpoint, ack_call(a, p3, ack3)), "error ack");
  CHECK(balance(na, token, user_a) == u(940));
  CHECK(escrow() == u(60));
  CHECK(sent_status(na, a.endpoint, pk::commitment(p3)) == 3);
  expect_refused(submit(na, kAccount0, a.endpoint, ack_call(a, p3, ack3)), "ERR_PACKET_REPLAYED");
  expect_refused(submit(na, kAccount0, a.endpoint, timeout_call(a, p3)), "ERR_PACKET_REPLAYED");
  CHECK(balance(na, token, user_a) == u(940));
  // An ack naming another commitment, or a forged one, is refused.
  const pk::Packet p3b = send(na, a, kAccount0, token, 5, addr_bytes(user_b), 0, far_ns);
  expect_refused(submit(na, kAccount0, a.endpoint, ack_call(a, p3b, ack3)), "ERR_PACKET_INVALID");

  // 4. A burned voucher times out: B re-mints it once; A refuses the late packet.
  ae::EthRpc rpc_a(na.client());
  const std::uint64_t a_height = must(rpc_a.block_number(), "height");
  const pk::Packet p4 = send(nb, b, kAccount1, voucher, 10, addr_bytes(user_a), a_height + 1, 0);
  CHECK(balance(nb, voucher, user_b) == u(50));
  expect_refused(recv(na, a, p4, {attest(a, pk::commitment(p4), 1, mk)}), "ERR_PACKET_TIMED_OUT");
  CHECK(proven_receipt(na, a.endpoint, pk::commitment(p4), must(rpc_a.block_number(), "h")).is_zero());
  expect_ok(submit(nb, kAccount0, b.endpoint, timeout_call(b, p4)), "timeout");
  CHECK(balance(nb, voucher, user_b) == u(60));
  CHECK(view_u256(nb, voucher, "totalSupply()") == u(60));
  expect_refused(submit(nb, kAccount0, b.endpoint, timeout_call(b, p4)), "ERR_PACKET_REPLAYED");
  CHECK(balance(nb, voucher, user_b) == u(60));

  // 5. A04: a packet aimed at governance — receiver the endpoint, payload a registerChannel call — is only ever
  //    data for the port's application: an error acknowledgement, no channel opened, no governance call.
  pk::Packet p5 = make_packet(a.id, a.genesis, "channel-0", "transfer", b, "channel-0", "transfer", 999);
  p5.receiver = addr_bytes(b.endpoint);
  p5.payload = ae::register_channel_call(channel_cfg("evil", "transfer", "eip155:6", a.genesis, "evil", "transfer"));
  const Bytes ack5 = deliver(nb, b, p5);
  CHECK_FALSE(must(pk::decode_ack(ack5), "ack").success);
  CHECK(view_u64(nb, b.endpoint, "channelCount()") == 1);
  // …and a well-formed transfer whose receiver is the endpoint just mints a voucher to that address.
  pk::TransferPayload tp{"0x" + std::string(40, '1'), u(1), addr_bytes(user_a), addr_bytes(b.endpoint), ""};
  pk::Packet p6 = make_packet(a.id, a.genesis, "channel-0", "transfer", b, "channel-0", "transfer", 1000);
  p6.payload = pk::encode_transfer_payload(tp);
  CHECK(must(pk::decode_ack(deliver(nb, b, p6)), "ack").success);
  CHECK(view_u64(nb, b.endpoint, "channelCount()") == 1);

  // 6. A08: a registered token that reports success and moves nothing is refused when escrowing.
  const Address noop = deploy(na, test_contracts(tmp.path()).noop_token, {});
  expect_ok(submit(na, kAccount0, a.app, ae::register_asset_call(noop)), "register noop");
  expect_refused(submit(na, kAccount0, a.app, ae::send_transfer_call("channel-0", noop, u(5), addr_bytes(user_b), "", 0, far_ns)),
                 "ERR_POSTCONDITION");
  // Unregistered assets, zero amounts and missing timeouts are refused.
  expect_refused(submit(na, kAccount0, a.app, ae::send_transfer_call("channel-0", addr(kAccount1), u(5), addr_bytes(user_b), "", 0, far_ns)),
                 "ERR_UNKNOWN_DENOM");
  expect_refused(submit(na, kAccount0, a.app, ae::send_transfer_call("channel-0", token, u(0), addr_bytes(user_b), "", 0, far_ns)),
                 "ERR_PACKET_INVALID");
  expect_refused(submit(na, kAccount0, a.app, ae::send_transfer_call("channel-0", token, u(5), addr_bytes(user_b), "", 0, 0)),
                 "ERR_PACKET_INVALID");
  expect_refused(submit(na, kAccount0, a.app, ae::register_asset_call(Address{})), "ERR_INVALID_ARGUMENT");
}

TEST_CASE("causeway island deploy-contracts deploys, binds the transfer port and prints the island", "[integration][contracts][cli]") {
  require_tools_and_contracts();
  anvil::TempDir tmp;
  AnvilNode node(tmp.path(), chain(31337, "anvil-cli"));
  node.call("evm_setAutomine", json::array({true}));
  const fs::path key = tmp.path() / "deployer.key";
  std::ofstream(key) << "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80\n";
  ::chmod(key.c_str(), 0644);
  const std::string url = "http://127.0.0.1:" + std::to_string(node.port());
  const std::string committee = kAccount1 + ",0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc,0x90f79bf6eb2c4f870365e785982e1f101e93b906";
  auto run = [&](std::vector<std::string> args, const std::string& stem) {
    args.insert(args.begin(), CAUSEWAY_EXE);
    const int rc = anvil::run(args, tmp.path() / (stem + ".out"), tmp.path() / (stem + ".err"), std::chrono::seconds(300));
    return std::make_pair(rc, anvil::read_text(tmp.path() / (stem + ".out")));
  };
  const std::vector<std::string> base{"island", "deploy-contracts", "--rpc", url, "--key-file", key.string(), "--json"};

  auto args = base;
  args.insert(args.end(), {"--committee", committee, "--k", "3"});
  auto [rc_perm, out_perm] = run(args, "perm");
  CHECK(rc_perm == 2);
  CHECK(json::parse(out_perm).at("error").at("code") == "ERR_KEY_PERMISSIONS");
  ::chmod(key.c_str(), 0600);

  args = base;
  args.insert(args.end(), {"--committee", committee, "--k", "2"});  // 2 of 3 ≤ 2n/3 (A06)
  auto [rc_low, out_low] = run(args, "low");
  CHECK(rc_low == 2);
  CHECK(json::parse(out_low).at("error").at("code") == "ERR_THRESHOLD_TOO_LOW");

  args = base;
  args.insert(args.end(), {"--committee", committee, "--k", "3"});
  auto [rc, out] = run(args, "deploy");
  INFO(anvil::read_text(tmp.path() / "deploy.err"));
  REQUIRE(rc == 0);
  const json j = json::parse(out);
  const json genesis = node.call("eth_getBlockByNumber", json::array({"0x0", false}));
  CHECK(j.at("island") == "eip155:31337");
  CHECK(j.at("chain_id") == 31337);
  CHECK(j.at("genesis_hash") == genesis.at("hash"));
  CHECK(j.at("endpoint") == "0x5fbdb2315678afecb367f032d93f642f64180aa3");
  CHECK(j.at("transfer_app") == "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512");
  CHECK(j.at("governance") == kAccount0);
  CHECK(j.at("transactions").size() == 3);
  const Address endpoint = addr(j.at("endpoint"));
  const Address app = addr(j.at("transfer_app"));
  CHECK(view_u64(node, endpoint, "threshold()") == 3);
  const ae::AbiArg port[] = {a_str("transfer")};
  CHECK(view_addr(node, endpoint, "portApp(string)", port) == app);
  CHECK(view_addr(node, endpoint, "governance()") == addr(kAccount0));
  CHECK(view_addr(node, app, "endpoint()") == endpoint);
  CHECK(view_b32(node, endpoint, "genesisHash()", {}) == hexh(genesis.at("hash")));
  const ae::AbiArg m2[] = {ae::abi_address(addr("0x90f79bf6eb2c4f870365e785982e1f101e93b906"))};
  CHECK(view_u64(node, endpoint, "channelCount()") == 0);
  CHECK(view_u256(node, endpoint, "isMember(address)", m2) == u(1));

  // A committee member listed twice: refused before anything is sent (usage, exit 2).
  args = base;
  args.insert(args.end(), {"--committee", kAccount1 + "," + kAccount1, "--k", "2"});
  auto [rc_dup, out_dup] = run(args, "dup");
  CHECK(rc_dup == 2);
  CHECK(json::parse(out_dup).at("error").at("code") == "ERR_DUPLICATE_SEAL");
  // An unreachable node: exit 1.
  args = {"island", "deploy-contracts", "--rpc", "http://127.0.0.1:1", "--key-file", key.string(), "--json",
          "--committee", kAccount1, "--k", "1"};
  auto [rc_down, out_down] = run(args, "down");
  CHECK(rc_down == 1);
  CHECK(json::parse(out_down).at("error").at("code") == "ERR_RPC_TRANSPORT");
}
