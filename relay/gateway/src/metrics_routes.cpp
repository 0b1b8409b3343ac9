// GET /metrics: Prometheus text format 0.0.4 (prometheus-cpp core), every series prefixed causeway_
// (docs/api.md "Metrics" lists them). Gauges are computed from a read-only connection at scrape time;
// counters come from engine::Relay::intake_counters(); causeway_submitter_balance from ApiContext::balances
// (set by adapters; a series that was never set is absent). Each scrape builds a fresh registry, so a
// series that no longer exists (an emptied backlog) disappears.
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "route_util.hpp"

namespace causeway::gateway {

namespace {

// An RPC URL as a public metrics label: scheme://host[:port] only. /metrics needs no authentication, and hosted
// RPC providers put API keys in the path, the query or the user info.
std::string endpoint_label(const std::string& url) {
  const auto scheme = url.find("://");
  const std::size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  std::size_t end = url.find_first_of("/?#", start);
  if (end == std::string::npos) end = url.size();
  std::string authority = url.substr(start, end - start);
  if (const auto at = authority.rfind('@'); at != std::string::npos) authority.erase(0, at + 1);
  return url.substr(0, start) + authority;
}

}  // namespace

using namespace detail;

namespace {

// Delivery latency bucket bounds in seconds (packet_verified → delivery observed).
const std::vector<double>& latency_bounds_s() {
  static const std::vector<double> b = {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600};
  return b;
}

}  // namespace

void add_metrics_routes(Server& server, std::shared_ptr<ApiContext> ctx) {
  add_route(server, *ctx, "GET", "/metrics", [ctx](const Request&, Respond respond) {
    std::vector<store::BacklogRow> backlog;
    std::vector<store::IslandRow> islands;
    store::ReadQueries::LatencyBuckets lat;
    std::uint64_t tree_size = 0, packets = 0;
    std::vector<double> bounds_ms;
    for (double b : latency_bounds_s()) bounds_ms.push_back(b * 1000);
    auto s = ctx->reads->with([&](store::ReadQueries& q) {
      backlog = q.backlog();
      islands = q.islands();
      lat = q.delivery_latency(bounds_ms);
      tree_size = q.audit_tree_size();
      packets = q.packet_total();
    });
    if (!s) return respond(store_failure(s.error()));
    const std::uint64_t now = ctx->relay.now_ms();
    prometheus::Registry reg;
    auto& backlog_size = prometheus::BuildGauge()
                             .Name("causeway_channel_backlog")
                             .Help("Attested packets not yet delivered, per destination channel end")
                             .Register(reg);
    auto& backlog_age = prometheus::BuildGauge()
                            .Name("causeway_channel_backlog_oldest_age_seconds")
                            .Help("Age of the oldest undelivered packet per destination channel end")
                            .Register(reg);
    for (const auto& b : backlog) {
      const prometheus::Labels l{{"island", b.dest_island}, {"channel", b.dest_channel}};
      backlog_size.Add(l).Set(static_cast<double>(b.size));
      backlog_age.Add(l).Set(now > b.oldest_created_ms ? static_cast<double>(now - b.oldest_created_ms) / 1000.0 : 0.0);
    }
    auto& halted = prometheus::BuildGauge()
                       .Name("causeway_channel_halted")
                       .Help("1 while the channel end is halted by an escrow-invariant break (A05), else 0")
                       .Register(reg);
    for (const auto& [k, st] : ctx->relay.channel_states())
      halted.Add({{"island", k.island}, {"channel", k.channel}}).Set(st.state == "halted" ? 1.0 : 0.0);
    auto& headers_ok = prometheus::BuildGauge()
                           .Name("causeway_headers_accepted")
                           .Help("Verified headers the relay holds as consensus states beyond the anchor, per island")
                           .Register(reg);
    auto& expiry = prometheus::BuildGauge()
                       .Name("causeway_client_expiry_seconds")
                       .Help("Seconds until the island's light client expires (latest consensus state time + "
                             "trusting period - now; negative: expired)")
                       .Register(reg);
    auto& frozen = prometheus::BuildGauge()
                       .Name("causeway_client_frozen")
                       .Help("1 when the island's light client is frozen")
                       .Register(reg);
    for (const auto& i : islands) {
      const prometheus::Labels l{{"island", i.id}};
      headers_ok.Add(l).Set(static_cast<double>(i.consensus_state_count > 0 ? i.consensus_state_count - 1 : 0));
      frozen.Add(l).Set(i.client_status == "frozen" ? 1 : 0);
      if (i.latest && i.trusting_period_s > 0)
        expiry.Add(l).Set((static_cast<double>(i.latest->time_ms) + static_cast<double>(i.trusting_period_s) * 1000.0 -
                           static_cast<double>(now)) / 1000.0);
    }
    const auto intake = ctx->relay.intake_counters();
    auto& verif = prometheus::BuildCounter()
                      .Name("causeway_proof_verifications_total")
                      .Help("Proof bundles submitted since start, by result (accepted, known, or the error code)")
                      .Register(reg);
    for (const auto& [result, n] : intake.by_result) verif.Add({{"result", result}}).Increment(static_cast<double>(n));
    auto& rejected = prometheus::BuildCounter()
                         .Name("causeway_headers_rejected_total")
                         .Help("Proof bundles (headers + proof) rejected since start, per island named by the bundle")
                         .Register(reg);
    for (const auto& [island, n] : intake.rejected_by_island)
      rejected.Add({{"island", island}}).Increment(static_cast<double>(n));
    auto& latency = prometheus::BuildHistogram()
                        .Name("causeway_delivery_latency_seconds")
                        .Help("Time from a packet's verification to the relay observing its delivery")
                        .Register(reg);
    std::vector<double> increments;
    std::uint64_t prev = 0;
    for (auto c : lat.cumulative) {
      increments.push_back(static_cast<double>(c - prev));
      prev = c;
    }
    increments.push_back(static_cast<double>(lat.count - prev));
    latency.Add({}, prometheus::Histogram::BucketBoundaries(latency_bounds_s())).ObserveMultiple(increments,
                                                                                                  lat.sum_ms / 1000.0);
    auto& balance = prometheus::BuildGauge()
                        .Name("causeway_submitter_balance")
                        .Help("Balance of the relay's submitter account on a destination island (native units)")
                        .Register(reg);
    for (const auto& [key, v] : ctx->balances->snapshot())
      balance.Add({{"island", key.first}, {"account", key.second}}).Set(v);
    if (ctx->rpc_endpoints) {
      auto& demoted = prometheus::BuildGauge()
                          .Name("causeway_rpc_endpoint_demoted")
                          .Help("1 while an island's RPC endpoint is demoted (it served data the relay could not verify)")
                          .Register(reg);
      auto& demotions = prometheus::BuildCounter()
                            .Name("causeway_rpc_endpoint_demotions_total")
                            .Help("Times an RPC endpoint was demoted")
                            .Register(reg);
      auto& inconsistent = prometheus::BuildCounter()
                               .Name("causeway_rpc_endpoint_inconsistent_total")
                               .Help("Answers of an RPC endpoint caught contradicting themselves or the verified headers")
                               .Register(reg);
      auto& transport = prometheus::BuildCounter()
                            .Name("causeway_rpc_endpoint_transport_errors_total")
                            .Help("Transport errors and timeouts of an RPC endpoint")
                            .Register(reg);
      for (const auto& e : ctx->rpc_endpoints()) {
        const std::map<std::string, std::string> labels{{"island", e.island}, {"role", e.role}, {"url", endpoint_label(e.url)}};
        demoted.Add(labels).Set(e.demoted ? 1 : 0);
        demotions.Add(labels).Increment(static_cast<double>(e.demotions));
        inconsistent.Add(labels).Increment(static_cast<double>(e.inconsistent + e.unverifiable_reports));
        transport.Add(labels).Increment(static_cast<double>(e.transport_errors));
      }
    }
    prometheus::BuildGauge()
        .Name("causeway_audit_tree_size")
        .Help("Entries in the relay's transparency log")
        .Register(reg)
        .Add({})
        .Set(static_cast<double>(tree_size));
    prometheus::BuildGauge()
        .Name("causeway_packets")
        .Help("Packets the relay holds")
        .Register(reg)
        .Add({})
        .Set(static_cast<double>(packets));
    const std::string text = prometheus::TextSerializer().Serialize(reg.Collect());
    respond(Response{200, text, "text/plain; version=0.0.4; charset=utf-8"});
  });
}

}  // namespace causeway::gateway
