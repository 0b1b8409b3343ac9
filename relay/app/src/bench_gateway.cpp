// `causeway bench gateway`: see bench_gateway.hpp. The only translation unit of relay/app with Beast (DESIGN.md
// rule 6).
#include "bench_gateway.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "bench_relay_core.hpp"
#include "causeway/engine/relay.hpp"
#include "causeway/gateway/packet_routes.hpp"
#include "causeway/gateway/server.hpp"
#include "relay_workload.hpp"

namespace causeway::app {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr double kTargetPacketsPerS = 5000;  // issue #6
constexpr double kTargetP99Ms = 50;
constexpr double kTargetRatio = 0.5;

void progress(const std::string& s) { std::cerr << "bench gateway: " << s << std::endl; }

std::uint64_t wall_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

// Nearest-rank percentile of a sorted non-empty list (p in (0, 100]).
double percentile(const std::vector<double>& sorted, double p) {
  const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

// One keep-alive client connection; one request in flight. Used by one thread at a time.
class Connection {
 public:
  Connection(boost::asio::io_context& ioc, const tcp::endpoint& at) : stream_(ioc) {
    stream_.connect(at);  // throws boost::system::system_error
    stream_.socket().set_option(tcp::no_delay(true));
  }
  // POSTs `body` to /v1/packets and reads the whole answer. Throws on transport errors or a closed connection.
  http::response<http::string_body> post(const std::string& body) {
    http::request<http::string_body> req{http::verb::post, "/v1/packets", 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::content_type, "application/json");
    req.keep_alive(true);
    req.body() = body;
    req.prepare_payload();
    http::write(stream_, req);
    http::response<http::string_body> res;
    http::read(stream_, buffer_, res);
    if (!res.keep_alive()) throw std::runtime_error("the server closed a keep-alive connection");
    return res;
  }

 private:
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

struct Answer {
  unsigned status = 0;
  std::string body;
  double ms = 0;
};

struct GatewayRun {
  double packets_per_s = 0, in_process_per_s = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
  double avg_batch = 0;
  std::size_t created = 0, existing = 0, other = 0, distinct_ids = 0, packets_in_relay = 0;
  std::size_t connections_opened = 0;
  std::uint64_t rate_limited = 0, refused_connections = 0;
  std::vector<std::string> failures;
};

// The gateway half of one run (see the file comment of bench_gateway.hpp).
void run_over_http(const Workload& w, const GatewayBenchOptions& o, const std::string& dir, GatewayRun& out) {
  std::filesystem::remove_all(dir);
  auto ropt = relay_bench_options(w, o.batch, dir, store::Synchronous::Full);
  // As `causeway serve` runs it: no wait for company before a batch (GroupCommitter::Options). The in-process
  // half keeps relay-core's 2 ms: one CPU runs its caller and writer, and the wait lets the caller fill a batch.
  ropt.commit.max_wait = store::GroupCommitter::Options{}.max_wait;
  auto relay = engine::Relay::open(ropt);
  if (!relay) throw std::runtime_error("relay: " + relay.error().detail);
  gateway::ServerOptions so;  // as `causeway serve` with its defaults, but:
  so.host = "127.0.0.1";
  so.port = 0;                                      // ephemeral
  so.rate_per_ip = 0;                               // one address sends the whole load: no per-IP rate limit
  so.max_connections_per_ip = o.connections + 8;    // and no per-IP connection cap below the client's count
  so.max_connections = std::max(so.max_connections, o.connections + 8);
  gateway::Server server(so);
  gateway::add_packet_routes(server, **relay);
  const auto port = server.start();
  if (!port) throw std::runtime_error("gateway: " + port.error().detail);
  const tcp::endpoint at(boost::asio::ip::make_address("127.0.0.1"), *port);

  boost::asio::io_context ioc;
  std::vector<std::unique_ptr<Connection>> conns;
  for (std::size_t i = 0; i < o.connections; ++i) conns.push_back(std::make_unique<Connection>(ioc, at));
  out.connections_opened = conns.size();

  std::vector<Answer> answers(w.bundles.size());
  std::atomic<bool> failed{false};
  std::mutex fail_mu;
  std::string first_failure;
  const auto send = [&](Connection& c, std::size_t k) {
    const auto t0 = Clock::now();
    auto res = c.post(w.bundles[k].bundle);
    answers[k].ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    answers[k].status = res.result_int();
    answers[k].body = std::move(res.body());
  };
  const auto fail = [&](const std::string& why) {
    std::lock_guard lock(fail_mu);
    if (first_failure.empty()) first_failure = why;
    failed = true;
  };

  const auto t0 = Clock::now();
  std::size_t i = 0;
  while (i < w.bundles.size() && !failed) {
    if (w.bundles[i].opener) {  // alone: the block's anchor must be held before its other bundles verify
      try {
        send(*conns[0], i);
      } catch (const std::exception& e) {
        fail(std::string("bundle ") + std::to_string(i) + ": " + e.what());
      }
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < w.bundles.size() && !w.bundles[end].opener) ++end;
    std::atomic<std::size_t> next{i};
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < conns.size(); ++t)
      threads.emplace_back([&, t, end] {
        for (std::size_t k = next++; k < end && !failed; k = next++) {
          try {
            send(*conns[t], k);
          } catch (const std::exception& e) {
            fail(std::string("bundle ") + std::to_string(k) + ": " + e.what());
          }
        }
      });
    for (auto& th : threads) th.join();
    i = end;
  }
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  const auto stats = server.stats();
  out.rate_limited = stats.rate_limited;
  out.refused_connections = stats.refused_connections;
  conns.clear();
  server.stop();
  out.packets_in_relay = (*relay)->packet_count();
  const auto cs = (*relay)->commit_stats();
  out.avg_batch = cs.batches ? static_cast<double>(cs.changes) / static_cast<double>(cs.batches) : 0;
  (*relay)->stop();
  if (failed) out.failures.push_back("transport: " + first_failure);

  out.packets_per_s = static_cast<double>(w.bundles.size()) / secs;
  std::vector<double> ms;
  ms.reserve(answers.size());
  std::set<std::string> ids;
  for (std::size_t k = 0; k < answers.size(); ++k) {
    const auto& a = answers[k];
    if (a.status == 0) continue;  // not sent (after a transport failure)
    ms.push_back(a.ms);
    const json j = json::parse(a.body, nullptr, false);
    const bool is_new = a.status == 201 && j.is_object() && j.value("existing", true) == false;
    if (is_new) {
      ++out.created;
      ids.insert(j.value("packet_id", std::string()));
    } else if (a.status == 200) {
      ++out.existing;
    } else {
      ++out.other;
    }
    if (!is_new && out.failures.size() < 5)
      out.failures.push_back("bundle " + std::to_string(k) + ": HTTP " + std::to_string(a.status) + " " +
                             a.body.substr(0, 300));
  }
  out.distinct_ids = ids.size();
  if (!ms.empty()) {
    std::sort(ms.begin(), ms.end());
    out.p50_ms = percentile(ms, 50);
    out.p99_ms = percentile(ms, 99);
    out.max_ms = ms.back();
  }
  const std::size_t n = w.bundles.size();
  if (out.created != n) out.failures.push_back(std::to_string(out.created) + " of " + std::to_string(n) + " answered 201 new");
  if (out.distinct_ids != n) out.failures.push_back(std::to_string(out.distinct_ids) + " distinct packet ids, expected " + std::to_string(n));
  if (out.packets_in_relay != n)
    out.failures.push_back("the relay holds " + std::to_string(out.packets_in_relay) + " packets, expected " + std::to_string(n));
}

}  // namespace

GatewayBenchResult bench_gateway(const GatewayBenchOptions& o) {
  if (o.packets == 0 || o.connections == 0 || o.runs < 1) throw std::runtime_error("bench gateway: empty workload");
  const std::string dir =
      (std::filesystem::temp_directory_path() / ("causeway-bench-gateway-" + std::to_string(::getpid()))).string();
  std::vector<GatewayRun> runs;
  GatewayBenchResult result;
  for (int r = 0; r < o.runs; ++r) {
    // A fresh workload per run: a bundle's verify time must stay within the relay's clock skew (60 s).
    progress("run " + std::to_string(r + 1) + "/" + std::to_string(o.runs) + ": generating " +
             std::to_string(o.packets) + " proof bundles (" + std::to_string(o.per_block) + " per block)");
    const Workload w = make_relay_workload(o.packets, o.per_block, wall_ms());
    GatewayRun run;
    progress("in-process relay-core intake of the same bundles");
    run.in_process_per_s = run_relay_intake(w, o.batch, dir + "/in-process", store::Synchronous::Full).packets_per_s;
    progress("in-process: " + std::to_string(static_cast<long long>(run.in_process_per_s)) + " packets/s; now over " +
             std::to_string(o.connections) + " keep-alive HTTP connections");
    run_over_http(w, o, dir + "/gateway", run);
    char line[200];
    std::snprintf(line, sizeof line, "gateway: %.0f packets/s, p50 %.1f ms, p99 %.1f ms, max %.1f ms, ratio %.3f",
                  run.packets_per_s, run.p50_ms, run.p99_ms, run.max_ms, run.packets_per_s / run.in_process_per_s);
    progress(line);
    for (const auto& f : run.failures) result.failures.push_back("run " + std::to_string(r + 1) + ": " + f);
    runs.push_back(std::move(run));
  }
  std::filesystem::remove_all(dir);

  const auto med = [&](auto field) {
    std::vector<double> v;
    for (const auto& r : runs) v.push_back(field(r));
    return median(v);
  };
  const double pps = med([](const GatewayRun& r) { return r.packets_per_s; });
  const double in_process = med([](const GatewayRun& r) { return r.in_process_per_s; });
  const double p50 = med([](const GatewayRun& r) { return r.p50_ms; });
  const double p99 = med([](const GatewayRun& r) { return r.p99_ms; });
  const double max_ms = med([](const GatewayRun& r) { return r.max_ms; });
  const double ratio = in_process > 0 ? pps / in_process : 0;
  const auto sum = [&](auto field) {
    std::size_t s = 0;
    for (const auto& r : runs) s += field(r);
    return s;
  };
  const std::size_t total = o.packets * static_cast<std::size_t>(o.runs);
  const std::size_t created = sum([](const GatewayRun& r) { return r.created; });
  const std::size_t in_relay = sum([](const GatewayRun& r) { return r.packets_in_relay; });
  const std::size_t distinct = sum([](const GatewayRun& r) { return r.distinct_ids; });
  result.ok = result.failures.empty() && created == total && in_relay == total && distinct == total;

  BenchFigure& f = result.figure;
  f.bench = "gateway";
  f.metric = "proven_packets_over_http_per_s";
  f.unit = "1/s";
  f.value = pps;
  f.limit_metric = "relay_core_in_process_packets_per_s";
  f.limit = in_process;
  f.threads = static_cast<int>(o.connections);
  f.n = o.packets;
  f.extra = {
      {"packets", o.packets},
      {"connections", o.connections},
      {"connections_opened", sum([](const GatewayRun& r) { return r.connections_opened; })},
      {"server_threads", gateway::ServerOptions{}.threads},
      {"packets_per_block", o.per_block},
      {"batch_max", o.batch},
      {"batch_avg", med([](const GatewayRun& r) { return r.avg_batch; })},
      {"synchronous", "FULL"},
      {"durable_before_response", true},
      {"runs", o.runs},
      {"packets_per_s", pps},
      {"in_process_packets_per_s", in_process},
      {"latency_ms", {{"p50", p50}, {"p99", p99}, {"max", max_ms}}},
      {"answers", {{"created_201", created},
                   {"existing_200", sum([](const GatewayRun& r) { return r.existing; })},
                   {"other", sum([](const GatewayRun& r) { return r.other; })}}},
      {"distinct_packet_ids", distinct},
      {"packets_in_relay", in_relay},
      {"exactly_once", created == total && distinct == total && in_relay == total},
      {"rate_limited", sum([](const GatewayRun& r) { return static_cast<std::size_t>(r.rate_limited); })},
      {"refused_connections", sum([](const GatewayRun& r) { return static_cast<std::size_t>(r.refused_connections); })},
      {"targets", {{"packets_per_s", kTargetPacketsPerS}, {"p99_ms", kTargetP99Ms}, {"ratio", kTargetRatio}}},
      {"target_met", {{"packets_per_s", pps >= kTargetPacketsPerS},
                      {"p99_ms", p99 <= kTargetP99Ms},
                      {"ratio", ratio >= kTargetRatio}}},
      {"goal", kTargetPacketsPerS},
      {"ok", result.ok},
      {"failures", result.failures}};
  return result;
}

void print_gateway(const GatewayBenchResult& r, bool json_out) {
  if (json_out) {
    print_figures({r.figure}, true);
    return;
  }
  const auto& x = r.figure.extra;
  const auto& lat = x["latency_ms"];
  const auto& met = x["target_met"];
  const auto verdict = [&](const char* k) { return met[k].get<bool>() ? "met" : "NOT met"; };
  std::printf("gateway: %zu proven packets POSTed over %zu keep-alive HTTP connections to 127.0.0.1 (%zu server "
              "threads), each answered after its group commit (synchronous=FULL), %d run(s)\n",
              x["packets"].get<std::size_t>(), x["connections"].get<std::size_t>(),
              x["server_threads"].get<std::size_t>(), x["runs"].get<int>());
  std::printf("  %-12s %8.0f packets/s   in-process relay-core intake, same bundles: %.0f packets/s   ratio %.3f\n",
              "throughput", r.figure.value, r.figure.limit, r.figure.limit > 0 ? r.figure.value / r.figure.limit : 0.0);
  std::printf("  %-12s p50 %.1f ms   p99 %.1f ms   max %.1f ms\n", "latency", lat["p50"].get<double>(),
              lat["p99"].get<double>(), lat["max"].get<double>());
  std::printf("  %-12s 201 new %zu, 200 existing %zu, other %zu; packets in the relay %zu (exactly once: %s)\n",
              "answers", x["answers"]["created_201"].get<std::size_t>(), x["answers"]["existing_200"].get<std::size_t>(),
              x["answers"]["other"].get<std::size_t>(), x["packets_in_relay"].get<std::size_t>(),
              x["exactly_once"].get<bool>() ? "yes" : "NO");
  std::printf("  targets: >= %.0f packets/s %s; p99 <= %.0f ms %s; ratio >= %.1f %s\n", kTargetPacketsPerS,
              verdict("packets_per_s"), kTargetP99Ms, verdict("p99_ms"), kTargetRatio, verdict("ratio"));
  for (const auto& f : r.failures) std::printf("  FAILED: %s\n", f.c_str());
}

}  // namespace causeway::app
