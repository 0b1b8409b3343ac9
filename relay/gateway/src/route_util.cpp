// Shared route helpers: see route_util.hpp. Also ReadPool, SubmitterBalances and add_api_routes.
#include "route_util.hpp"

#include <algorithm>

#include "causeway/core/hex.hpp"
#include "causeway/gateway/json_body.hpp"
#include "causeway/domain/ids.hpp"
#include "causeway/domain/island.hpp"

namespace causeway::gateway {

// ---- ReadPool ------------------------------------------------------------------------------------------

ReadPool::ReadPool(std::string db_path) : path_(std::move(db_path)) {}
ReadPool::~ReadPool() = default;

Status ReadPool::with(const std::function<void(store::ReadQueries&)>& fn) {
  std::unique_ptr<store::ReadQueries> q;
  {
    std::lock_guard lock(mu_);
    if (!free_.empty()) {
      q = std::move(free_.back());
      free_.pop_back();
    }
  }
  if (!q) {
    auto opened = store::ReadQueries::open(path_);
    if (!opened) return tl::unexpected<Error>(opened.error());
    q = std::make_unique<store::ReadQueries>(std::move(*opened));
  }
  fn(*q);
  const std::optional<Error> failed = q->last_error();
  {
    std::lock_guard lock(mu_);
    if (free_.size() < 16) free_.push_back(std::move(q));
  }
  if (failed) return tl::unexpected<Error>(*failed);
  return {};
}

void SubmitterBalances::set(const std::string& island, const std::string& account, double balance) {
  std::lock_guard lock(mu_);
  v_[{island, account}] = balance;
}

std::map<std::pair<std::string, std::string>, double> SubmitterBalances::snapshot() const {
  std::lock_guard lock(mu_);
  return v_;
}

void add_api_routes(Server& server, std::shared_ptr<ApiContext> ctx) {
  add_island_routes(server, ctx);
  add_channel_routes(server, ctx);
  add_packet_query_routes(server, ctx);
  add_proof_routes(server, ctx);
  add_transfer_routes(server, ctx);
  add_health_routes(server, ctx);
  add_metrics_routes(server, ctx);
  add_openapi_routes(server, ctx);
}

namespace detail {

using nlohmann::json;

Result<std::string> url_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return fail(Code::InvalidArgument, "bad percent escape");
    auto hexv = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    const int hi = hexv(s[i + 1]), lo = hexv(s[i + 2]);
    if (hi < 0 || lo < 0) return fail(Code::InvalidArgument, "bad percent escape");
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

std::string target_path(const std::string& target) { return target.substr(0, target.find('?')); }

Result<std::optional<std::string>> query_param(const std::string& target, std::string_view name) {
  const auto q = target.find('?');
  if (q == std::string::npos) return std::optional<std::string>{};
  for (const auto& kv : split(std::string_view(target).substr(q + 1), '&')) {
    const auto eq = kv.find('=');
    const std::string key = kv.substr(0, eq);
    if (key != name) continue;
    auto v = url_decode(eq == std::string::npos ? std::string_view{} : std::string_view(kv).substr(eq + 1));
    if (!v) return fail(Code::InvalidArgument, v.error().detail, std::string(name));
    return std::optional<std::string>(std::move(*v));
  }
  return std::optional<std::string>{};
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const auto p = s.find(sep, start);
    out.emplace_back(s.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start));
    if (p == std::string_view::npos) break;
    start = p + 1;
  }
  return out;
}

Result<std::uint64_t> parse_u64(std::string_view t, std::string_view what) {
  if (t.empty() || t.size() > 20 || (t.size() > 1 && t[0] == '0'))
    return fail(Code::InvalidArgument, "expected a decimal integer", std::string(what));
  std::uint64_t v = 0;
  for (char c : t) {
    if (c < '0' || c > '9') return fail(Code::InvalidArgument, "expected a decimal integer", std::string(what));
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return fail(Code::InvalidArgument, "integer out of range", std::string(what));
    v = v * 10 + d;
  }
  return v;
}

Result<store::PacketKey> parse_packet_key(const std::vector<std::string>& parts) {
  if (parts.size() != 4)
    return fail(Code::InvalidArgument, "a packet id is <island>/<0x genesis>/<channel>/<sequence>", "packet_id");
  if (auto s = domain::validate_island_id(parts[0], "packet_id"); !s) return tl::unexpected<Error>(s.error());
  auto g = hash_from_hex(parts[1]);
  if (!g) return fail(g.error().code, g.error().detail, "packet_id");
  if (auto s = domain::validate_channel_id(parts[2], "packet_id"); !s) return tl::unexpected<Error>(s.error());
  auto seq = parse_u64(parts[3], "packet_id");
  if (!seq) return tl::unexpected<Error>(seq.error());
  if (*seq == 0) return fail(Code::InvalidArgument, "sequence starts at 1", "packet_id");
  return store::PacketKey{parts[0], *g, parts[2], *seq};
}

Result<std::pair<std::string, std::string>> parse_channel_ref(std::string_view text) {
  const auto parts = split(text, '/');
  if (parts.size() != 2) return fail(Code::InvalidArgument, "a channel is <island>/<channel>", "channel");
  if (auto s = domain::validate_island_id(parts[0], "channel"); !s) return tl::unexpected<Error>(s.error());
  if (auto s = domain::validate_channel_id(parts[1], "channel"); !s) return tl::unexpected<Error>(s.error());
  return std::make_pair(parts[0], parts[1]);
}

std::string packet_id_text(const store::PacketKey& k) {
  return k.source_island + "/" + to_hex(k.source_genesis.view()) + "/" + k.source_channel + "/" +
         std::to_string(k.sequence);
}

json packet_json(const store::PacketRow& r) {
  const store::PacketKey key{r.source_island, r.source_genesis, r.source_channel, r.sequence};
  json stages = {{"observed_ms", r.created_ms}, {"proven_ms", r.created_ms}};
  stages["attested_ms"] = r.attested_ms ? json(*r.attested_ms) : json(nullptr);
  stages["delivered_ms"] = r.delivered ? json(r.delivered->time_ms) : json(nullptr);
  json j = {{"packet_id", packet_id_text(key)},
            {"source", {{"island", r.source_island}, {"genesis", to_hex(r.source_genesis.view())},
                        {"channel", r.source_channel}, {"sequence", r.sequence}}},
            {"destination", {{"island", r.dest_island}, {"genesis", to_hex(r.dest_genesis.view())},
                             {"channel", r.dest_channel}}},
            {"commitment", to_hex(r.commitment.view())},
            {"stage", r.stage},
            {"source_height", r.source_height},
            {"source_block", to_hex(r.source_block.view())},
            {"source_time_ms", r.source_time_ms},
            {"verified_index", r.verified_index},
            {"attested_index", r.attested_index ? json(*r.attested_index) : json(nullptr)},
            {"stages", stages},
            {"updated_ms", r.updated_ms},
            {"packet", to_hex(r.packet)}};
  if (r.outbox_state)
    j["outbox"] = {{"state", *r.outbox_state}, {"attempts", r.attempts}, {"next_attempt_ms", r.next_attempt_ms},
                   {"last_error", r.last_error},
                   {"submitted_tx", r.submitted_tx.empty() ? json(nullptr) : json(to_hex(r.submitted_tx))}};
  else
    j["outbox"] = nullptr;
  if (r.delivered)
    j["delivery"] = {{"dest_tx", to_hex(r.delivered->dest_tx)},
                     {"ack_commitment", to_hex(r.delivered->ack_commitment.view())},
                     {"dest_height", r.delivered->dest_height},
                     {"by_us", r.delivered->by_us},
                     {"audit_index", r.delivered->audit_index},
                     {"time_ms", r.delivered->time_ms}};
  else
    j["delivery"] = nullptr;
  return j;
}

json attestation_json(const store::AttestationRow& a) {
  return {{"member", to_hex(a.member)}, {"audit_index", a.audit_index}, {"signature", to_hex(a.signature)}};
}

json client_json(const store::IslandRow& r, std::uint64_t now_ms) {
  // A21: the stored status is active until a client recover judges expiry, but the light clients refuse every
  // bundle once the latest held state is past the trusting period: reported "expired" then, by the same rule
  // (domain::trusting_period_passed) with the relay's clock. Frozen (or a stored expired) is reported as stored.
  std::string status = r.client_status;
  if (status == "active" && r.latest && domain::trusting_period_passed(r.latest->time_ms, r.trusting_period_s, now_ms))
    status = "expired";
  json j = {{"island", r.id},
            {"status", status},
            {"frozen", r.client_status == "frozen"},
            {"trusting_period_s", r.trusting_period_s},
            {"consensus_states", r.consensus_state_count}};
  if (r.latest) {
    j["latest"] = {{"height", r.latest->height}, {"hash", to_hex(r.latest->hash.view())},
                   {"time_ms", r.latest->time_ms}, {"audit_index", r.latest->audit_index}};
  } else {
    j["latest"] = nullptr;
  }
  // Trusting period 0 (Bitcoin: proof of work, no expiry) or no consensus state: no expiry.
  if (r.latest && r.trusting_period_s > 0) {
    const std::uint64_t expires_ms = r.latest->time_ms + r.trusting_period_s * 1000;
    j["expires_at_ms"] = expires_ms;
    j["expiry_s"] = (static_cast<std::int64_t>(expires_ms) - static_cast<std::int64_t>(now_ms)) / 1000;
  } else {
    j["expires_at_ms"] = nullptr;
    j["expiry_s"] = nullptr;
  }
  return j;
}

json island_json(const store::IslandRow& r, std::uint64_t now_ms) {
  json record = json::parse(r.record, nullptr, false);
  return {{"id", r.id},
          {"genesis", to_hex(r.genesis.view())},
          {"family", r.family},
          {"codec", r.codec},
          {"nonce", r.nonce},
          {"registered_index", r.registered_index},
          {"client", client_json(r, now_ms)},
          {"record", record.is_discarded() ? json(nullptr) : record}};
}

json channel_json(const store::ChannelRow& r) {
  return {{"island", r.island},
          {"channel", r.channel},
          {"port", r.port},
          {"counterparty_island", r.counterparty_island},
          {"counterparty_channel", r.counterparty_channel},
          {"ordering", r.ordering},
          {"opened_index", r.opened_index}};
}

Response json_response(int status, const json& j) { return Response{status, j.dump(), "application/json"}; }

Response store_failure(const Error& e) { return error_response(503, code_name(e.code), e.detail); }

void add_route(Server& server, ApiContext& ctx, const std::string& method, const std::string& path, Handler h) {
  ctx.routes.emplace_back(method, path);
  server.route(method, path, std::move(h));
}

Status check_operator(const ApiContext& ctx, const Request& req) {
  if (!ctx.authorize_operator) return fail(Code::Unauthorized, "operator routes are disabled (no operator auth configured)");
  return ctx.authorize_operator(req);
}

Result<OperatorActionRequest> operator_action_request(const ApiContext& ctx, const Request& req) {
  if (auto a = check_operator(ctx, req); !a) return tl::unexpected(a.error());
  nlohmann::json body = nlohmann::json::object();
  if (!req.body.empty()) {
    auto b = parse_json_body(req, "operator-action");
    if (!b) return tl::unexpected(b.error());
    body = std::move(*b);
  }
  return OperatorActionRequest{body.value("operator", std::string("operator")), body.value("reason", std::string())};
}

}  // namespace detail
}  // namespace causeway::gateway
