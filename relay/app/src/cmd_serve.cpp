// `causeway serve`: runs the relay as a process (docs/relay-core.md "Running causeway serve"). The data dir
// holds causeway.db and attestation.key (created 0600 on first start); --config registers islands and
// channels (governance-signed records). The HTTP server answers POST /v1/packets (the gateway issue adds the
// other routes). SIGINT/SIGTERM stop it cleanly; SIGKILL is safe too (every acknowledged change is committed).
//
// --test-loopback-deliveries (TESTS ONLY, hidden): a recording destination for every registered island that
// "includes" each submitted delivery by appending it to <data-dir>/loopback-deliveries.jsonl and
// answers look-ups from that file — so a process test can check that no packet was submitted twice across
// crashes (the relay looks a delivery up before every submission, A27/A30).
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <map>
#include <mutex>

#include <nlohmann/json.hpp>

#include "causeway/core/hex.hpp"
#include "causeway/engine/relay.hpp"
#include "causeway/engine/supervisor.hpp"
#include "causeway/gateway/packet_routes.hpp"
#include "causeway/gateway/server.hpp"
#include "commands.hpp"

namespace causeway::app {
namespace {

class LoopbackAdapter final : public adapters::ChainAdapter {
 public:
  LoopbackAdapter(std::string island, std::string path) : island_(std::move(island)), path_(std::move(path)) {
    std::ifstream in(path_);
    std::string line;
    while (std::getline(in, line)) {
      try {
        auto j = nlohmann::json::parse(line);
        if (j.value("island", "") == island_) received_[j["commitment"].get<std::string>()] = j["tx"].get<std::string>();
      } catch (...) {
        // a torn last line after a crash: the delivery was never acknowledged by the "chain"
      }
    }
  }
  std::string island() const override { return island_; }
  Result<std::string> follow_headers(std::uint64_t, std::size_t) override { return std::string("[]"); }
  Result<std::string> fetch_proof(const Hash32&, std::uint64_t, std::uint64_t) override {
    return fail(Code::Unsupported, "loopback adapter fetches no proofs");
  }
  Result<adapters::Submitted> submit_delivery(const adapters::Delivery& d) override {
    std::lock_guard lock(mu_);
    const std::string c = to_hex(d.commitment.view());
    if (received_.count(c)) return fail(Code::PacketReplayed, "loopback destination: already received " + c);
    const std::string tx = to_hex(sha256_tx(d));
    const std::string line = nlohmann::json{{"island", island_}, {"commitment", c}, {"tx", tx}}.dump() + "\n";
    const int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return fail(Code::Io, "cannot open " + path_);
    // No fsync: the test kills the relay process, not the machine; the page cache keeps what was written.
    const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    ::close(fd);
    if (!ok) return fail(Code::Io, "cannot write " + path_);
    received_[c] = tx;
    return adapters::Submitted{from_hex(tx).value()};
  }
  Result<adapters::DeliveryStatus> lookup_delivery(const Hash32& commitment, ByteView) override {
    std::lock_guard lock(mu_);
    adapters::DeliveryStatus s;
    auto it = received_.find(to_hex(commitment.view()));
    if (it == received_.end()) return s;
    s.received = true;
    s.ack_commitment = commitment;  // the loopback destination acknowledges with the commitment itself
    s.height = 1;
    s.tx = from_hex(it->second).value();
    return s;
  }

 private:
  static Bytes sha256_tx(const adapters::Delivery& d) {
    Bytes out(d.commitment.b.begin(), d.commitment.b.end());
    out.resize(16);
    return out;
  }
  std::string island_, path_;
  std::mutex mu_;
  std::map<std::string, std::string> received_;
};

struct ServeOpts {
  std::string listen = "127.0.0.1:8645";
  std::string data_dir = "./causeway-data";
  std::string config;
  std::size_t max_batch = 1024;
  bool loopback = false;
  bool sync_normal = false;
};

int serve(const ServeOpts& o) {
  const auto colon = o.listen.rfind(':');
  if (colon == std::string::npos) {
    std::cerr << "causeway serve: --listen must be HOST:PORT\n";
    return 2;
  }
  gateway::ServerOptions so;
  so.host = o.listen.substr(0, colon);
  try {
    const int port = std::stoi(o.listen.substr(colon + 1));
    if (port < 0 || port > 65535) throw std::out_of_range("port");
    so.port = static_cast<std::uint16_t>(port);
  } catch (...) {
    std::cerr << "causeway serve: bad port in --listen " << o.listen << "\n";
    return 2;
  }
  engine::RelayOptions ro;
  ro.data_dir = o.data_dir;
  ro.commit.max_batch = o.max_batch;
  ro.synchronous = o.sync_normal ? store::Synchronous::Normal : store::Synchronous::Full;
  if (!o.config.empty()) {
    auto cfg = engine::load_config(o.config);
    if (!cfg) {
      std::cerr << "causeway serve: " << code_name(cfg.error().code) << ": " << cfg.error().detail << " at "
                << cfg.error().at << "\n";
      return 2;
    }
    ro.config = std::move(*cfg);
  }
  // Block the stop signals in every thread; the main thread waits for them with sigwait.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

  auto relay = engine::Relay::open(ro);
  if (!relay) {
    std::cerr << "causeway serve: cannot start: " << code_name(relay.error().code) << ": " << relay.error().detail
              << (relay.error().at.empty() ? "" : " at " + relay.error().at) << "\n";
    return 1;
  }
  engine::Supervisor supervisor(**relay, {});
  if (o.loopback) {
    std::cerr << "causeway serve: TEST MODE: deliveries go to the loopback recorder, not to any chain\n";
    for (const auto& island : (*relay)->islands())
      supervisor.add_adapter(std::make_shared<LoopbackAdapter>(island, o.data_dir + "/loopback-deliveries.jsonl"));
  }
  gateway::Server server(so);
  gateway::add_packet_routes(server, **relay);
  auto port = server.start();
  if (!port) {
    std::cerr << "causeway serve: " << port.error().detail << "\n";
    return 1;
  }
  supervisor.start();
  std::cout << "causeway serve: listening on " << so.host << ":" << *port << " (data dir " << o.data_dir << ", "
            << (*relay)->packet_count() << " packets known)" << std::endl;
  int sig = 0;
  sigwait(&sigs, &sig);
  std::cout << "causeway serve: stopping (signal " << sig << ")" << std::endl;
  server.stop();
  supervisor.stop();
  (*relay)->stop();
  return 0;
}

}  // namespace

void add_serve_command(CLI::App& app, int& exit_code) {
  static ServeOpts o;
  auto* cmd = app.add_subcommand("serve", "Run the relay: POST /v1/packets intake, attestation, delivery workers");
  cmd->add_option("--listen", o.listen, "HOST:PORT to listen on (port 0: any free port)")->capture_default_str();
  cmd->add_option("--data-dir", o.data_dir, "Data directory (causeway.db, attestation.key)")->capture_default_str();
  cmd->add_option("--config", o.config, "Islands, channels and committee (TOML or JSON; docs/relay-core.md)");
  cmd->add_option("--max-batch", o.max_batch, "Changes per group commit at most")->check(CLI::Range(1, 100000));
  cmd->add_flag("--sync-normal", o.sync_normal, "SQLite synchronous=NORMAL (may lose the last commits on power loss)");
  cmd->add_flag("--test-loopback-deliveries", o.loopback, "")->group("");  // hidden: tests only
  cmd->callback([&exit_code] { exit_code = serve(o); });
}

}  // namespace causeway::app
