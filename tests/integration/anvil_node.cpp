#include "anvil_node.hpp"

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "causeway/adapters/ethereum/rpc_block.hpp"
#include "causeway/core/hash.hpp"

namespace causeway::testing::anvil {

using json = nlohmann::json;

std::string describe(const causeway::Error& e) {
  return std::string(causeway::code_name(e.code)) + " " + e.detail + (e.at.empty() ? "" : " at " + e.at);
}

Bytes hexb(const std::string& s) { return must(causeway::from_hex(s), "hex " + s.substr(0, 20)); }
Hash32 hexh(const std::string& s) { return must(causeway::hash_from_hex(s), "hash " + s); }
std::string hex(ByteView b) { return causeway::to_hex(b); }
std::string hex(const Hash32& h) { return causeway::to_hex(h.view()); }
std::string hex(const ethereum::Address& a) { return causeway::to_hex(ByteView(a.data(), a.size())); }
Hash32 keccak(std::string_view s) {
  return causeway::keccak256(ByteView(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// ---- ABI calldata -----------------------------------------------------------------------------------------

Bytes selector(std::string_view signature) {
  const Hash32 h = keccak(signature);
  return Bytes(h.b.begin(), h.b.begin() + 4);
}

Bytes calldata(std::string_view signature, const abi::Type& args, const abi::Value& values) {
  Bytes out = selector(signature);
  causeway::append(out, abi::encode(args, values));
  return out;
}

// ---- solc-js at test time ---------------------------------------------------------------------------------

namespace {

constexpr const char* kCompileScript = R"JS(
const solc = require(process.argv[1]); const fs = require("fs");
const input = { language: "Solidity",
  sources: { "TestEndpoint.sol": { content: fs.readFileSync(process.argv[2], "utf8") } },
  settings: { evmVersion: "london", optimizer: { enabled: false },
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.methodIdentifiers"] } } } };
const out = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (out.errors || []).filter(e => e.severity === "error");
if (errors.length) { console.error(JSON.stringify(errors, null, 1)); process.exit(1); }
const c = out.contracts["TestEndpoint.sol"].TestEndpoint;
fs.writeFileSync(process.argv[3], JSON.stringify({ version: solc.version(),
  bytecode: "0x" + c.evm.bytecode.object, methods: c.evm.methodIdentifiers }));
)JS";

}  // namespace

const Compiled& compiled_test_endpoint(const fs::path& work) {
  static std::optional<Compiled> cache;
  if (cache) return *cache;
  const fs::path tools = tools_dir();
  const fs::path out = work / "TestEndpoint.json";
  const int rc = run({node_program(), "-e", kCompileScript, (tools / "node_modules/solc").string(),
                      (fs::path(CAUSEWAY_CONTRACTS_DIR) / "TestEndpoint.sol").string(), out.string()},
                     work / "solc.out", work / "solc.err", std::chrono::seconds(300));
  if (rc != 0) FAIL("solc-js failed (" << rc << "): " << tail(work / "solc.err"));
  const json j = json::parse(read_text(out));
  Compiled c;
  c.bytecode = hexb(j.at("bytecode").get<std::string>());
  c.methods = j.at("methods");
  c.version = j.at("version").get<std::string>();
  REQUIRE(c.bytecode.size() > 100);
  cache = std::move(c);
  return *cache;
}

// ---- anvil ------------------------------------------------------------------------------------------------

AnvilNode::AnvilNode(const fs::path& work, const NodeOptions& options) {
  const fs::path bin = anvil_binary(tools_dir());
  for (int attempt = 0; attempt < 3 && !client_; ++attempt) {
    port_ = free_loopback_port();
    log_ = work / (options.log_stem + "-" + std::to_string(attempt) + ".log");
    proc_ = std::make_unique<Process>(
        std::vector<std::string>{bin.string(), "--host", "127.0.0.1", "--port", std::to_string(port_), "--no-mining",
                                 "--hardfork", options.hardfork, "--chain-id", std::to_string(options.chain_id),
                                 "--accounts", std::to_string(options.accounts)},
        log_);
    causeway::adapters::RpcOptions probe_opts;
    probe_opts.connect_timeout = std::chrono::milliseconds(1000);
    probe_opts.read_timeout = std::chrono::milliseconds(5000);
    causeway::adapters::JsonRpcClient probe({"127.0.0.1", port_, "/"}, probe_opts);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline && proc_->running()) {
      if (probe.call("eth_chainId")) {
        causeway::adapters::RpcOptions opts;
        opts.connect_timeout = std::chrono::milliseconds(10'000);
        opts.read_timeout = std::chrono::milliseconds(120'000);
        client_.emplace(causeway::adapters::HttpUrl{"127.0.0.1", port_, "/"}, opts);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (!client_) proc_->stop();  // port taken by someone else, or too slow: try again on another port
  }
  if (!client_) FAIL("anvil did not become ready; log " << log_ << ":\n" << tail(log_));
}

json AnvilNode::call(const std::string& method, const json& params) {
  auto r = client_->call(method, params);
  if (!r) FAIL(method << " failed: " << describe(r.error()) << "\nanvil log:\n" << tail(log_));
  return std::move(*r);
}

Hash32 AnvilNode::send(const json& tx) {
  return must(adapters::ethereum::decode_hash(call("eth_sendTransaction", json::array({tx})), "tx hash"),
              "eth_sendTransaction");
}

void AnvilNode::mine() { call("evm_mine"); }

}  // namespace causeway::testing::anvil
