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
#include <sys/file.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "causeway/adapters/ethereum/evm_adapter.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/engine/peers.hpp"
#include "causeway/engine/relay.hpp"
#include "causeway/engine/supervisor.hpp"
#include "causeway/engine/lifecycle.hpp"  // H4
#include "lifecycle_adapters.hpp"           // H4
#include "causeway/gateway/api_routes.hpp"
#include "causeway/gateway/attestation_routes.hpp"
#include "causeway/gateway/audit_routes.hpp"  // H3
#include "causeway/gateway/packet_routes.hpp"
#include "causeway/gateway/server.hpp"
#include "causeway/gateway/auth.hpp"    // H1
#include "causeway/gateway/stream.hpp"  // H1
#include "causeway/gateway/stream_events.hpp"  // H9
#include "commands.hpp"

namespace causeway::app {
namespace {

class LoopbackAdapter final : public adapters::ChainAdapter {
 public:
  LoopbackAdapter(std::string island, std::string path) : island_(std::move(island)), path_(std::move(path)) {
    refresh();
  }
  // Reads the lines appended since the last read (several relays of a committee may share the file, H5).
  void refresh() {
    std::ifstream in(path_, std::ios::binary);
    if (!in) return;
    in.seekg(static_cast<std::streamoff>(offset_));
    std::string line;
    while (std::getline(in, line)) {
      if (in.eof()) break;  // a torn last line (no newline yet): read it next time
      offset_ += line.size() + 1;
      try {
        auto j = nlohmann::json::parse(line);
        if (j.value("island", "") == island_) received_[j["commitment"].get<std::string>()] = j["tx"].get<std::string>();
      } catch (...) {
        // a torn line after a crash: the delivery was never acknowledged by the "chain"
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
    const int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return fail(Code::Io, "cannot open " + path_);
    ::flock(fd, LOCK_EX);  // the "chain" includes one delivery at a time across the committee's processes
    refresh();
    const std::string c = to_hex(d.commitment.view());
    if (received_.count(c)) {
      ::close(fd);
      return fail(Code::PacketReplayed, "loopback destination: already received " + c);
    }
    if (d.attestations.size() < min_attestations_) {
      ::close(fd);
      return fail(Code::InsufficientQuorum, "loopback destination: " + std::to_string(d.attestations.size()) +
                                                " attestations, the committee needs " + std::to_string(min_attestations_));
    }
    const std::string tx = to_hex(sha256_tx(d));
    const std::string line = nlohmann::json{{"island", island_}, {"commitment", c}, {"tx", tx},
                                            {"attestations", d.attestations.size()}}.dump() + "\n";
    // No fsync: the test kills the relay process, not the machine; the page cache keeps what was written.
    const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    ::close(fd);
    if (!ok) return fail(Code::Io, "cannot write " + path_);
    received_[c] = tx;
    return adapters::Submitted{from_hex(tx).value()};
  }
  Result<adapters::DeliveryStatus> lookup_delivery(const Hash32& commitment, ByteView) override {
    std::lock_guard lock(mu_);
    refresh();
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
  std::uint64_t offset_ = 0;
 public:
  std::size_t min_attestations_ = 1;  // the committee's k: a delivery with fewer is refused like recvPacket
 private:
  std::mutex mu_;
  std::map<std::string, std::string> received_;
};

struct ServeOpts {
  std::string listen = "127.0.0.1:8645";
  std::string data_dir = "./causeway-data";
  std::string config;
  std::size_t max_batch = 1024;
  bool loopback = false;
  std::string loopback_file;  // default <data-dir>/loopback-deliveries.jsonl; a committee's relays may share one
  bool sync_normal = false;
  std::uint32_t sth_interval_s = 10;  // H3: signed tree heads every N s when the log grew (0: start/stop only)
  std::string audit_key;              // H3: default <data-dir>/audit.key
  // H1: gateway TLS, operator auth and limits (docs/api-security.md); defaults are ServerOptions'.
  std::string tls_cert, tls_key, api_token_file;
  std::vector<std::string> operators;  // 0x addresses allowed to sign operator requests
  gateway::ServerOptions limits;
  std::vector<std::string> limit_flags_given;  // the limit flags on the command line (they override [gateway])
};

// The gateway's limits: ServerOptions' defaults, then the config file's [gateway] keys, then the limit flags
// given on the command line (docs/configuration.md "[gateway]"). Ranges were checked by engine::check_config.
struct LimitFlag {
  const char* flag;
  void (*copy)(gateway::ServerOptions& to, const gateway::ServerOptions& from);
};
constexpr LimitFlag kLimitFlags[] = {
    {"--max-body", [](auto& t, const auto& f) { t.max_body_bytes = f.max_body_bytes; }},
    {"--max-header", [](auto& t, const auto& f) { t.max_header_bytes = f.max_header_bytes; }},
    {"--max-connections", [](auto& t, const auto& f) { t.max_connections = f.max_connections; }},
    {"--max-connections-per-ip", [](auto& t, const auto& f) { t.max_connections_per_ip = f.max_connections_per_ip; }},
    {"--rate-per-ip", [](auto& t, const auto& f) { t.rate_per_ip = f.rate_per_ip; }},
    {"--burst-per-ip", [](auto& t, const auto& f) { t.burst_per_ip = f.burst_per_ip; }},
    {"--read-timeout-ms", [](auto& t, const auto& f) { t.read_timeout_ms = f.read_timeout_ms; }},
    {"--idle-timeout-ms", [](auto& t, const auto& f) { t.idle_timeout_ms = f.idle_timeout_ms; }},
    {"--max-ws-message", [](auto& t, const auto& f) { t.max_ws_message_bytes = f.max_ws_message_bytes; }},
    {"--ws-queue", [](auto& t, const auto& f) { t.ws_queue_messages = f.ws_queue_messages; }},
};

gateway::ServerOptions gateway_limits(const engine::GatewaySettings& file, const ServeOpts& o) {
  gateway::ServerOptions so;
  if (file.threads) so.threads = static_cast<std::size_t>(*file.threads);
  if (file.max_body_bytes) so.max_body_bytes = static_cast<std::size_t>(*file.max_body_bytes);
  if (file.max_header_bytes) so.max_header_bytes = static_cast<std::size_t>(*file.max_header_bytes);
  if (file.read_timeout_ms) so.read_timeout_ms = static_cast<std::uint32_t>(*file.read_timeout_ms);
  if (file.idle_timeout_ms) so.idle_timeout_ms = static_cast<std::uint32_t>(*file.idle_timeout_ms);
  if (file.write_timeout_ms) so.write_timeout_ms = static_cast<std::uint32_t>(*file.write_timeout_ms);
  if (file.max_connections) so.max_connections = static_cast<std::size_t>(*file.max_connections);
  if (file.max_connections_per_ip) so.max_connections_per_ip = static_cast<std::size_t>(*file.max_connections_per_ip);
  if (file.rate_per_ip) so.rate_per_ip = *file.rate_per_ip;
  if (file.burst_per_ip) so.burst_per_ip = *file.burst_per_ip;
  if (file.max_ws_message_bytes) so.max_ws_message_bytes = static_cast<std::size_t>(*file.max_ws_message_bytes);
  if (file.ws_queue_messages) so.ws_queue_messages = static_cast<std::size_t>(*file.ws_queue_messages);
  for (const auto& given : o.limit_flags_given)
    for (const auto& f : kLimitFlags)
      if (given == f.flag) f.copy(so, o.limits);
  return so;
}

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
    if (cfg) {  // the checks `causeway config validate` runs too (one function): a config error is exit 2
      if (auto s = engine::check_config(*cfg); !s) cfg = tl::unexpected(s.error());
    }
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
    for (const auto& island : (*relay)->islands()) {
      auto a = std::make_shared<LoopbackAdapter>(
          island, o.loopback_file.empty() ? o.data_dir + "/loopback-deliveries.jsonl" : o.loopback_file);
      a->min_attestations_ = (*relay)->committee_threshold();
      supervisor.add_adapter(a);
    }
  }
  // H4: the packet lifecycle — real adapters per [[adapters.islands]]: the supervisor delivers to it (operator
  // withhold honoured), the lifecycle thread watches it as a source and relays acks/timeouts (own instances).
  engine::Lifecycle::Options life_opts;
  life_opts.poll_ms = ro.config.adapters.poll_ms;
  for (const auto& a : ro.config.adapters.islands) life_opts.confirmations[a.island] = a.confirmations;
  auto lifecycle = std::make_unique<engine::Lifecycle>(**relay, life_opts);
  // (island, role, adapter) of every real adapter, for /metrics' RPC endpoint health (issue #7: demotions).
  std::vector<std::tuple<std::string, std::string, std::shared_ptr<adapters::ChainAdapter>>> chain_adapters;
  for (const auto& a : ro.config.adapters.islands) {
    auto for_supervisor = make_island_adapter(a, ro.config);
    auto for_lifecycle = for_supervisor ? make_island_adapter(a, ro.config) : for_supervisor;
    if (!for_lifecycle) {
      std::cerr << "causeway serve: adapter for " << a.island << ": " << code_name(for_lifecycle.error().code) << ": "
                << for_lifecycle.error().detail << "\n";
      return 1;
    }
    if (!o.loopback)
      supervisor.add_adapter(engine::withhold_deliveries(
          *for_supervisor, std::set<std::string>(ro.config.adapters.withhold.begin(), ro.config.adapters.withhold.end())));
    lifecycle->add_adapter(*for_lifecycle);
    chain_adapters.emplace_back(a.island, "deliver", *for_supervisor);
    chain_adapters.emplace_back(a.island, "watch", *for_lifecycle);
  }
  // The relay committee (k > 1): gather the other members' attestations from the configured peers.
  engine::PeerOptions peer_opts;
  peer_opts.peers = ro.config.committee.peers;
  auto peers = engine::PeerFetcher::create(**relay, peer_opts);
  if (!peers) {
    std::cerr << "causeway serve: " << code_name(peers.error().code) << ": " << peers.error().detail << " at "
              << peers.error().at << "\n";
    return 2;
  }
  // H1: limits, TLS, operator auth, the event stream (docs/api-security.md).
  {
    const auto host = so.host;
    const auto port_n = so.port;
    so = gateway_limits(ro.config.gateway, o);
    so.host = host;
    so.port = port_n;
    so.tls_cert_file = o.tls_cert;
    so.tls_key_file = o.tls_key;
  }
  gateway::AuthOptions auth_opts;
  auth_opts.token_file = o.api_token_file;
  for (const auto& a : o.operators) {
    auto raw = from_hex(a, 20);
    if (!raw || raw->size() != 20) {
      std::cerr << "causeway serve: --operator " << a << " is not a 0x-prefixed 20-byte address\n";
      return 2;
    }
    secp256k1::Address addr{};
    std::copy(raw->begin(), raw->end(), addr.begin());
    auth_opts.operators.push_back(addr);
  }
  auto auth = gateway::Authenticator::open(auth_opts);
  if (!auth) {
    std::cerr << "causeway serve: " << code_name(auth.error().code) << ": " << auth.error().detail << "\n";
    return 2;
  }
  std::shared_ptr<gateway::Authenticator> authenticator = std::move(*auth);
  auto hub = std::make_shared<gateway::StreamHub>();
  gateway::connect_relay_events(**relay, hub);  // H9: every committed stage change + alerts (stream_events.hpp)
  gateway::Server server(so);
  hub->attach(server);
  gateway::add_packet_routes(server, **relay);
  gateway::add_attestation_routes(server, **relay);
  // H3: GET /v1/audit/* on read-only connections, and signed tree heads (start, every --sth-interval-s, stop).
  gateway::AuditServiceOptions audit_opt;
  audit_opt.data_dir = o.data_dir;
  audit_opt.key_file = o.audit_key;
  audit_opt.sth_interval_s = o.sth_interval_s;
  audit_opt.on_signed = [hub](const audit::SignedTreeHead& h) { gateway::publish_sth(*hub, h); };  // H9: "sth" topic
  auto audit_svc = gateway::AuditService::create(audit_opt);
  if (!audit_svc) {
    std::cerr << "causeway serve: audit: " << code_name(audit_svc.error().code) << ": " << audit_svc.error().detail
              << "\n";
    return 1;
  }
  gateway::add_audit_routes(server, *audit_svc);
  // API v1 reads/writes, health, metrics, OpenAPI (issue #6; gateway/api_routes.hpp).
  auto api = std::make_shared<gateway::ApiContext>(**relay, o.data_dir);
  api->rpc_endpoints = [chain_adapters] {
    std::vector<gateway::RpcEndpointHealth> out;
    for (const auto& [island, role, adapter] : chain_adapters)
      if (const auto* evm = dynamic_cast<const adapters::ethereum::EvmAdapter*>(adapter.get()))
        for (const auto& e : evm->metrics().pool.endpoints)
          out.push_back({island, role, e.url, e.demoted, e.demotions, e.inconsistent, e.unverifiable_reports,
                         e.transport_errors});
    return out;
  };
  gateway::add_api_routes(server, api);
  if (!o.api_token_file.empty() || !o.operators.empty())  // H1: otherwise operator routes stay closed
    api->authorize_operator = [authenticator](const gateway::Request& r) { return authenticator->check_operator(r); };
  auto port = server.start();
  if (!port) {
    std::cerr << "causeway serve: " << port.error().detail << "\n";
    return 1;
  }
  supervisor.start();
  lifecycle->start();  // H4
  (*peers)->start();
  (*audit_svc)->start();  // H3
  std::cout << "causeway serve: listening on " << so.host << ":" << *port << " (data dir " << o.data_dir << ", "
            << (*relay)->packet_count() << " packets known)" << std::endl;
  int sig = 0;
  sigwait(&sigs, &sig);
  std::cout << "causeway serve: stopping (signal " << sig << ")" << std::endl;
  server.stop();
  (*peers)->stop();
  lifecycle->stop();  // H4
  supervisor.stop();
  (*relay)->stop();
  (*audit_svc)->stop();  // H3: a last signed tree head over everything committed
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
  // H1: gateway TLS, operator auth, limits (docs/api-security.md).
  cmd->add_option("--tls-cert", o.tls_cert, "PEM certificate chain: serve HTTPS/WSS (with --tls-key)");
  cmd->add_option("--tls-key", o.tls_key, "PEM private key for --tls-cert (mode 0600)");
  cmd->add_option("--api-token-file", o.api_token_file, "Operator API token file (mode 0600): Authorization: Bearer");
  cmd->add_option("--operator", o.operators, "0x address whose signed requests are operator requests (repeatable)");
  cmd->add_option("--max-body", o.limits.max_body_bytes, "Request body cap in bytes (POST /v1/packets: 4 MiB). Limit flags override the config file's [gateway]")->capture_default_str();
  cmd->add_option("--max-header", o.limits.max_header_bytes, "Request header cap in bytes")->capture_default_str();
  cmd->add_option("--max-connections", o.limits.max_connections, "Open connections at most")->capture_default_str();
  cmd->add_option("--max-connections-per-ip", o.limits.max_connections_per_ip, "Open connections per remote address")->capture_default_str();
  cmd->add_option("--rate-per-ip", o.limits.rate_per_ip, "Requests per second per remote address (0: unlimited)")->capture_default_str();
  cmd->add_option("--burst-per-ip", o.limits.burst_per_ip, "Request burst per remote address")->capture_default_str();
  cmd->add_option("--read-timeout-ms", o.limits.read_timeout_ms, "A request must arrive within this")->capture_default_str();
  cmd->add_option("--idle-timeout-ms", o.limits.idle_timeout_ms, "Idle keep-alive connections close after this")->capture_default_str();
  cmd->add_option("--max-ws-message", o.limits.max_ws_message_bytes, "WebSocket message cap in bytes")->capture_default_str();
  cmd->add_option("--ws-queue", o.limits.ws_queue_messages, "WebSocket send queue per client (slow consumers are closed)")->capture_default_str();
  cmd->add_flag("--sync-normal", o.sync_normal, "SQLite synchronous=NORMAL (may lose the last commits on power loss)");
  cmd->add_option("--sth-interval-s", o.sth_interval_s,
                  "Sign an audit tree head every N seconds when the log grew (0: only at start and stop)")
      ->capture_default_str()
      ->check(CLI::Range(0, 86400));
  cmd->add_option("--audit-key", o.audit_key, "Audit (tree head) key file (default <data-dir>/audit.key, created 0600)");
  cmd->add_flag("--test-loopback-deliveries", o.loopback, "")->group("");  // hidden: tests only
  cmd->add_option("--test-loopback-file", o.loopback_file, "")->group("");  // hidden: shared by a committee's tests
  cmd->callback([&exit_code, cmd] {
    o.limit_flags_given.clear();
    for (const auto& f : kLimitFlags)
      if (cmd->get_option(f.flag)->count() > 0) o.limit_flags_given.emplace_back(f.flag);
    exit_code = serve(o);
  });
}

}  // namespace causeway::app
