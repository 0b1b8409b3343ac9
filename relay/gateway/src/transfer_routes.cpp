// Transfer routes (docs/api.md "Transfers"): facts of ICS-20 transfer packets from the transfers table.
//   GET /v1/transfers/<packet-id>       {"packet_id","denom","amount","direction","stage"}
//   GET /v1/transfers?channel=<i>/<c>   per denom of packets SENT on that channel end: escrowed (sent from
//     here, not going home, stage proven..acknowledged or timed-out), burned (vouchers going home, same
//     stages), in_flight (proven, attested or delivered: not yet acknowledged), refunded (stage refunded),
//     and the transfer count. Derived from stored packet stages; relay/domain's in-memory ledger is the
//     authority the engine enforces (docs/api.md says so).
#include <map>

#include "causeway/domain/amount.hpp"
#include "route_util.hpp"

namespace causeway::gateway {

using nlohmann::json;
using namespace detail;

namespace {

domain::Amount amount_of(const Hash32& h) {
  domain::Amount a{};
  std::copy(h.b.begin(), h.b.end(), a.begin());
  return a;
}

json transfer_json(const store::TransferRow& t) {
  return {{"packet_id", packet_id_text(t.key)},
          {"denom", t.denom},
          {"amount", domain::to_decimal(amount_of(t.amount))},
          {"direction", t.going_home ? "burn" : "escrow"},
          {"stage", t.stage},
          {"dest_island", t.dest_island},
          {"dest_channel", t.dest_channel}};
}

}  // namespace

void add_transfer_routes(Server& server, std::shared_ptr<ApiContext> ctx) {
  add_route(server, *ctx, "GET", "/v1/transfers/", [ctx](const Request& req, Respond respond) {
    auto tail = url_decode(target_path(req.target).substr(std::string("/v1/transfers/").size()));
    if (!tail) return respond(error_response(tail.error()));
    auto key = parse_packet_key(split(*tail, '/'));
    if (!key) return respond(error_response(key.error()));
    std::optional<store::PacketRow> row;
    std::optional<store::TransferRow> t;
    auto s = ctx->reads->with([&](store::ReadQueries& q) {
      row = q.packet(*key);
      if (row) t = q.transfer(row->row);
    });
    if (!s) return respond(store_failure(s.error()));
    if (!row)
      return respond(error_response(Error{Code::UnknownPacket, "no packet " + packet_id_text(*key), "packet_id"}));
    if (!t)
      return respond(error_response(Error{Code::UnknownPacket, "packet " + packet_id_text(*key) + " is not a transfer",
                                          "packet_id"}));
    respond(json_response(200, transfer_json(*t)));
  });
  add_route(server, *ctx, "GET", "/v1/transfers", [ctx](const Request& req, Respond respond) {
    auto channel = query_param(req.target, "channel");
    if (!channel) return respond(error_response(channel.error()));
    if (!*channel)
      return respond(error_response(Error{Code::InvalidArgument, "query parameter channel=<island>/<channel> is required",
                                          "channel"}));
    auto ref = parse_channel_ref(**channel);
    if (!ref) return respond(error_response(ref.error()));
    std::vector<store::TransferRow> rows;
    std::optional<store::ChannelRow> end;
    auto s = ctx->reads->with([&](store::ReadQueries& q) {
      end = q.channel(ref->first, ref->second);
      if (end) rows = q.transfers_by_channel(ref->first, ref->second);
    });
    if (!s) return respond(store_failure(s.error()));
    if (!end)
      return respond(error_response(Error{Code::UnknownChannel, "no channel end " + **channel, "channel"}));
    struct Totals {
      domain::Amount escrowed{}, burned{}, in_flight{}, refunded{};
      std::uint64_t count = 0;
    };
    std::map<std::string, Totals> by_denom;
    auto add = [](domain::Amount& acc, const domain::Amount& v) { acc = domain::add_saturating(acc, v); };
    for (const auto& t : rows) {
      auto& tot = by_denom[t.denom];
      const auto a = amount_of(t.amount);
      tot.count += 1;
      const bool moved = t.stage == "proven" || t.stage == "attested" || t.stage == "delivered" ||
                         t.stage == "acknowledged" || t.stage == "timed-out";
      if (moved) add(t.going_home ? tot.burned : tot.escrowed, a);
      if (t.stage == "proven" || t.stage == "attested" || t.stage == "delivered") add(tot.in_flight, a);
      if (t.stage == "refunded") add(tot.refunded, a);
    }
    json denoms = json::array();
    for (const auto& [denom, t] : by_denom)
      denoms.push_back({{"denom", denom},
                        {"transfers", t.count},
                        {"escrowed", domain::to_decimal(t.escrowed)},
                        {"burned", domain::to_decimal(t.burned)},
                        {"in_flight", domain::to_decimal(t.in_flight)},
                        {"refunded", domain::to_decimal(t.refunded)}});
    json list = json::array();  // the latest kMaxPacketPage transfers (the totals cover all)
    const std::size_t first = rows.size() > store::kMaxPacketPage ? rows.size() - store::kMaxPacketPage : 0;
    for (std::size_t i = first; i < rows.size(); ++i) list.push_back(transfer_json(rows[i]));
    respond(json_response(200, json{{"channel", ref->first + "/" + ref->second},
                                    {"source", "transfers table (stored packet stages)"},
                                    {"denoms", denoms},
                                    {"transfers", list},
                                    {"transfers_truncated", first > 0}}));
  });
}

}  // namespace causeway::gateway
