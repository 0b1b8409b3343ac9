// causeway-devnet: runs one small BFT consortium chain (island cwdevnet:<name>) on this machine. docs/devnet.md.
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string_view>
#include <thread>

#include <CLI/CLI.hpp>

#include "causeway/core/hex.hpp"
#include "causeway/devnet_node/chain.hpp"
#include "causeway/devnet_node/genesis.hpp"
#include "causeway/devnet_node/rpc.hpp"
#include "cli_tx.hpp"
#include "server.hpp"

namespace {

using namespace causeway;
using namespace causeway::devnet;
using nlohmann::json;

std::uint64_t now_ms() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

void log_line(const std::string& s) { std::cerr << "causeway-devnet: " << s << std::endl; }

struct RunOptions {
  std::string data_dir = "./devnet-data";
  std::string listen = "127.0.0.1:8645";
  std::uint64_t block_time_ms = 500;
  std::uint32_t validators = 4;
  std::string crypto = "secp256k1-sha256";
  std::string genesis_file;
  std::string name = "devnet";
  bool json_output = false;
  bool sync_normal = false;
  bool quiet = false;
};

std::atomic<bool> g_stop{false};
std::mutex g_mu;
std::condition_variable g_cv;

int run_node(const RunOptions& o, const CLI::App& app) {
  // Genesis: the file, else the sample; explicit flags override it.
  Genesis g;
  if (!o.genesis_file.empty()) {
    std::ifstream in(o.genesis_file);
    if (!in) {
      log_line("cannot read genesis file " + o.genesis_file);
      return 2;
    }
    json j = json::parse(in, nullptr, false);
    if (j.is_discarded()) {
      log_line("genesis file " + o.genesis_file + " is not JSON");
      return 2;
    }
    auto parsed = parse_genesis(j);
    if (!parsed) {
      log_line("genesis file: " + parsed.error().detail + (parsed.error().at.empty() ? "" : " at " + parsed.error().at));
      return 2;
    }
    g = *parsed;
  } else {
    auto suite = bft::parse_suite(o.crypto);
    g = sample_genesis(o.name, suite ? *suite : bft::Suite::Secp256k1Sha256, o.validators);
  }
  if (app.count("--name") != 0) g.chain_name = o.name;
  if (app.count("--validators") != 0) g.validator_count = o.validators;
  if (app.count("--crypto") != 0) {
    auto suite = bft::parse_suite(o.crypto);
    if (!suite) {
      log_line("--crypto must be secp256k1-sha256 or sm2-sm3");
      return 2;
    }
    g.suite = *suite;
  }
  if (auto s = check_chain_name(g.chain_name); !s) {
    log_line(s.error().detail);
    return 2;
  }
  const auto colon = o.listen.rfind(':');
  if (colon == std::string::npos) {
    log_line("--listen must be HOST:PORT, e.g. 127.0.0.1:8645");
    return 2;
  }
  std::string host = o.listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned long port = 0;
  try {
    port = std::stoul(o.listen.substr(colon + 1));
  } catch (const std::exception&) {
    port = 70000;
  }
  if (port > 65535) {
    log_line("--listen port must be 0-65535");
    return 2;
  }

  // Listen first: a bad --listen must not leave a freshly created data dir behind.
  auto server = Server::listen(host, static_cast<std::uint16_t>(port));
  if (!server) {
    log_line(server.error().detail);
    return 1;
  }

  ChainOptions co;
  co.data_dir = o.data_dir;
  co.genesis = g;
  co.require_same_genesis = !o.genesis_file.empty() || app.count("--name") != 0 || app.count("--crypto") != 0 ||
                            app.count("--validators") != 0;
  co.sync_full = !o.sync_normal;
  auto chain = Chain::open(co, now_ms());
  if (!chain) {
    log_line("cannot open the chain in " + o.data_dir + ": " + std::string(code_name(chain.error().code)) + ": " +
             chain.error().detail);
    return 1;
  }
  Node node(std::move(*chain), now_ms);
  (*server)->serve(node);
  const std::uint16_t bound = (*server)->port();
  const std::string addr = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(bound);
  node.with_chain([&](Chain& c) {
    json j = {{"event", "started"},
              {"island", c.island()},
              {"genesis_hash", to_hex(c.genesis_hash().view())},
              {"crypto", std::string(bft::suite_name(c.suite()))},
              {"height", c.height()},
              {"listen", addr},
              {"port", bound},
              {"rpc_url", "http://" + addr},
              {"ws_url", "ws://" + addr},
              {"data_dir", o.data_dir},
              {"block_time_ms", o.block_time_ms}};
    if (o.json_output) {
      std::cout << to_wire(j) << std::endl;  // --data-dir may hold any bytes
    } else {
      std::cout << "causeway-devnet " << c.island() << " (" << bft::suite_name(c.suite()) << ")\n"
                << "  genesis hash  " << to_hex(c.genesis_hash().view()) << "\n"
                << "  height        " << c.height() << "\n"
                << "  JSON-RPC      http://" << addr << "\n"
                << "  WebSocket     ws://" << addr << "  (devnet_subscribe newHeads)\n"
                << "  data dir      " << o.data_dir << "\n"
                << "  block time    " << o.block_time_ms << " ms" << std::endl;
    }
    return 0;
  });

  // Block loop: one block per block time; a stop request ends it between blocks (the current commit finishes).
  const auto period = std::chrono::milliseconds(o.block_time_ms);
  auto next = std::chrono::steady_clock::now();
  while (!g_stop.load()) {
    next += period;
    {
      std::unique_lock<std::mutex> lock(g_mu);
      g_cv.wait_until(lock, next, [] { return g_stop.load(); });
    }
    if (g_stop.load()) break;
    auto b = node.produce_block();
    if (!b) {
      log_line("block production failed: " + std::string(code_name(b.error().code)) + ": " + b.error().detail);
      continue;
    }
    (*server)->publish_block(block_to_json(*b));
    if (!o.quiet && (b->decoded.tx_count > 0 || b->height % 100 == 0 || b->next_validators))
      log_line("block " + std::to_string(b->height) + " " + to_hex(b->hash.view()) + " txs " +
               std::to_string(b->decoded.tx_count) + " events " + std::to_string(b->decoded.event_count) +
               (b->next_validators ? " (validator set changes at the next block)" : ""));
    const auto now = std::chrono::steady_clock::now();
    if (now > next) next = now;  // no catch-up burst after a stall
  }
  (*server)->stop();
  log_line("stopped at height " + std::to_string(node.with_chain([](Chain& c) { return c.height(); })));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // SIGINT/SIGTERM go to a waiting thread, never interrupt a block commit.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  CLI::App app{
      "causeway-devnet: a small BFT consortium chain for demos and tests (island cwdevnet:<name>).\n"
      "Without a subcommand it runs a node: it creates the data dir on the first start (validator keys, block 0\n"
      "from --genesis or a sample genesis with public test accounts), then produces one block every --block-time\n"
      "ms, each signed by all validators, and serves JSON-RPC 2.0 over HTTP and WebSocket on --listen.\n"
      "Restarting with the same --data-dir continues the chain. Stop it with Ctrl-C. Docs: docs/devnet.md.\n\n"
      "Examples:\n"
      "  causeway-devnet --data-dir /tmp/alpha --name alpha --listen 127.0.0.1:8645\n"
      "  causeway-devnet genesis --name beta > beta.json   (edit, then: causeway-devnet --genesis beta.json ...)\n"
      "  causeway-devnet tx transfer --dev-account 0 --to 0x70997970c51812dc3a010c7d01b50e0d17dc79c8 --denom stake \\\n"
      "      --amount 5 --wait\n",
      "causeway-devnet"};
  app.set_version_flag("--version", "causeway-devnet 0.1.0");
  RunOptions o;
  app.add_option("--data-dir", o.data_dir, "chain database and validator keys (created on the first start)")
      ->capture_default_str();
  app.add_option("--listen", o.listen, "HOST:PORT for JSON-RPC and WebSocket; port 0 picks a free port (printed)")
      ->capture_default_str();
  app.add_option("--block-time", o.block_time_ms, "milliseconds between blocks")
      ->capture_default_str()
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{3'600'000}));
  app.add_option("--validators", o.validators, "number of validators on the first start (overrides the genesis)")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  app.add_option("--crypto", o.crypto, "secp256k1-sha256 or sm2-sm3 (first start; overrides the genesis)")
      ->capture_default_str()
      ->check(CLI::IsMember({"secp256k1-sha256", "sm2-sm3"}));
  app.add_option("--genesis", o.genesis_file, "genesis JSON file (first start; see `causeway-devnet genesis`)");
  app.add_option("--name", o.name, "chain name: the island id is cwdevnet:<name> (first start; [a-z0-9-])")
      ->capture_default_str();
  app.add_flag("--json", o.json_output, "print the start-up line as JSON (island, genesis_hash, port, rpc_url, …)");
  app.add_flag("--sync-normal", o.sync_normal, "SQLite synchronous=NORMAL (faster; may lose the last blocks on power loss)");
  app.add_flag("--quiet", o.quiet, "no per-block log lines");

  int exit_code = 0;
  CLI::App* gen = app.add_subcommand("genesis", "print a sample genesis JSON (edit it, then pass it with --genesis)");
  std::string gen_out;
  gen->add_option("--out", gen_out, "write to this file instead of stdout");
  gen->fallthrough();  // --name, --crypto, --validators shape the sample
  gen->footer("Uses --name, --crypto and --validators, e.g. causeway-devnet genesis --name beta --crypto sm2-sm3");
  gen->callback([&] {
    auto suite = bft::parse_suite(o.crypto);
    const Genesis g = sample_genesis(o.name, suite ? *suite : bft::Suite::Secp256k1Sha256, o.validators);
    const std::string text = genesis_to_json(g).dump(2) + "\n";
    if (gen_out.empty()) {
      std::cout << text;
    } else {
      std::ofstream out(gen_out);
      out << text;
      out.flush();
      if (!out) {
        std::cerr << "causeway-devnet: cannot write " << gen_out << ": " << std::strerror(errno) << "\n";
        exit_code = 1;
      }
    }
  });
  cli::add_tx_commands(app, exit_code);
  app.require_subcommand(0, 1);
  try {
    // `causeway-devnet help` is the usual spelling of --help; CLI11 would otherwise reject it as an extra.
    if (argc == 2 && std::string_view(argv[1]) == "help") {
      std::cout << app.help();
      return 0;
    }
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;  // usage errors exit 2 like causeway's (docs/devnet.md)
  }
  if (!app.get_subcommands().empty()) return exit_code;

  std::thread signals([set] {
    int sig = 0;
    sigwait(&set, &sig);
    g_stop.store(true);
    g_cv.notify_all();
  });
  signals.detach();
  return run_node(o, app);
}
