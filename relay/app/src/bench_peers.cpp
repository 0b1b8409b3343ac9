#include "bench_peers.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>

#include "bench_ethereum.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/ethereum/receipt.hpp"

#ifndef CAUSEWAY_TOOLS_DIR_DEFAULT
#error "CAUSEWAY_TOOLS_DIR_DEFAULT must be defined by relay/app/CMakeLists.txt"
#endif
#ifndef CAUSEWAY_BENCH_SCRIPTS_DIR
#error "CAUSEWAY_BENCH_SCRIPTS_DIR must be defined by relay/app/CMakeLists.txt"
#endif

namespace causeway::app {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr double kCausewaySeconds = 1.0;  // before the peer, and again after it
constexpr double kPeerSeconds = 2.0;      // the peer's measured time (plus a warm-up of a quarter of it)

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Causeway's verified proofs and seconds over whole passes lasting at least `seconds`.
std::pair<double, double> time_causeway(const ReceiptProofSet& set, double seconds) {
  std::uint64_t sink = 0;
  double n = 0, elapsed = 0;
  const auto t0 = Clock::now();
  do {
    sink += verify_receipt_proofs_once(set);
    n += static_cast<double>(set.proofs.size());
    elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
  } while (elapsed < seconds);
  if (sink == 1) std::cerr << "";
  return {n, elapsed};
}

void write_proofs_json(const ReceiptProofSet& set, const fs::path& file) {
  nlohmann::json proofs = nlohmann::json::array();
  for (std::size_t i = 0; i < set.proofs.size(); ++i) {
    nlohmann::json nodes = nlohmann::json::array();
    for (const Bytes& node : set.proofs[i]) nodes.push_back(to_hex_bare(node));
    proofs.push_back({{"key", to_hex_bare(ethereum::receipt_trie_key(i))},
                      {"nodes", std::move(nodes)},
                      {"value", to_hex_bare(set.encoded[i])}});
  }
  std::ofstream out(file);
  out << nlohmann::json{{"root", to_hex_bare(set.root.view())}, {"proofs", std::move(proofs)}}.dump();
  if (!out.flush()) throw std::runtime_error("cannot write " + file.string());
}

// Runs the node script; returns its JSON line.
nlohmann::json run_peer(const fs::path& script, const fs::path& proofs_file, const fs::path& tools) {
  const std::string cmd = "node " + shell_quote(script.string()) + " " + shell_quote(proofs_file.string()) + " " +
                          shell_quote(tools.string()) + " " + std::to_string(kPeerSeconds);
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) throw std::runtime_error("cannot start node");
  std::string out;
  char buf[4096];
  while (std::size_t got = std::fread(buf, 1, sizeof buf, p)) out.append(buf, got);
  const int status = ::pclose(p);
  if (!WIFEXITED(status) || WEXITSTATUS(status) == 127)
    throw std::runtime_error("bench peers: `node` was not found on PATH (install Node.js ≥ 18)");
  if (WEXITSTATUS(status) != 0)
    throw std::runtime_error("bench peers: the peer script failed (exit " + std::to_string(WEXITSTATUS(status)) +
                             "): " + script.string());
  const auto last = out.find_last_of('{');
  auto j = nlohmann::json::parse(last == std::string::npos ? std::string() : out.substr(last), nullptr, false);
  if (j.is_discarded() || !j.contains("verified_per_s"))
    throw std::runtime_error("bench peers: unexpected output from the peer script: " + out);
  return j;
}

}  // namespace

fs::path default_tools_dir() {
  if (const char* env = std::getenv("CAUSEWAY_TOOLS"); env != nullptr && *env != '\0') return env;
  return CAUSEWAY_TOOLS_DIR_DEFAULT;
}

std::vector<BenchFigure> bench_peers(std::size_t receipts, int runs, const fs::path& tools) {
  const fs::path package = tools / "node_modules" / "@ethereumjs" / "trie" / "package.json";
  if (!fs::exists(package))
    throw std::runtime_error("bench peers: @ethereumjs/trie is not installed under " + tools.string() +
                             "/node_modules (run deploy/install-deps.sh, or pass --tools DIR)");
  const fs::path script = fs::path(CAUSEWAY_BENCH_SCRIPTS_DIR) / "peer_trie_verify.mjs";
  if (!fs::exists(script)) throw std::runtime_error("bench peers: missing peer script " + script.string());

  const ReceiptProofSet set = make_receipt_proof_set(receipts);
  const fs::path file = fs::temp_directory_path() / ("causeway-bench-peers-" + std::to_string(getpid()) + ".json");
  write_proofs_json(set, file);

  std::vector<double> ours, theirs;
  nlohmann::json peer;
  try {
    for (int i = 0; i < runs; ++i) {
      // Causeway's passes bracket the peer's in time, so that both see the same machine state.
      const auto [n1, s1] = time_causeway(set, kCausewaySeconds);
      peer = run_peer(script, file, tools);
      const auto [n2, s2] = time_causeway(set, kCausewaySeconds);
      ours.push_back((n1 + n2) / (s1 + s2));
      theirs.push_back(peer["verified_per_s"].get<double>());
    }
  } catch (...) {
    fs::remove(file);
    throw;
  }
  fs::remove(file);

  const double peer_rate = median(theirs);
  const double our_rate = median(ours);
  nlohmann::json common = {{"runs", runs}, {"batch", set.proofs.size()}, {"receipts", set.receipts.size()}};
  BenchFigure theirs_fig{"peers", "ethjs_trie_verifyProof_per_s", "1/s", peer_rate, "", 0, 1,
                         set.proofs.size(), common};
  theirs_fig.extra["peer"] = peer.value("package", std::string("@ethereumjs/trie"));
  theirs_fig.extra["node"] = peer.value("node", std::string());
  theirs_fig.extra["api"] = "new Trie().verifyProof(root, key, nodes)";
  BenchFigure ours_fig{"peers", "verified_receipt_proofs_per_s", "1/s", our_rate, "ethjs_trie_verifyProof_per_s",
                       peer_rate, 1, set.proofs.size(), common};
  ours_fig.extra["goal"] = 10;
  ours_fig.extra["speedup"] = peer_rate > 0 ? our_rate / peer_rate : 0.0;
  ours_fig.extra["note"] = "Causeway also decodes the receipt strictly; the peer returns the leaf bytes";
  return {theirs_fig, ours_fig};
}

}  // namespace causeway::app
