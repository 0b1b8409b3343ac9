// The stream's relay and audit events: see causeway/gateway/stream_events.hpp.
#include "causeway/gateway/stream_events.hpp"

namespace causeway::gateway {

using nlohmann::json;

json relay_event_json(const engine::RelayEvent& e) {
  json ev = {{"packet_id", e.packet_id},         {"stage", e.stage},
             {"source_island", e.source_island}, {"source_channel", e.source_channel},
             {"dest_island", e.dest_island},     {"commitment", e.commitment},
             {"audit_index", e.audit_index}};
  if (e.stage_index) ev["stage_index"] = *e.stage_index;
  if (!e.alerts.empty()) {
    json a = json::array();
    for (const auto& x : e.alerts) a.push_back({{"alert", x.kind}, {"detail", x.detail}});
    ev["alerts"] = std::move(a);
  }
  return ev;
}

json relay_alert_json(const engine::RelayEvent& e, const engine::RelayAlert& a) {
  return json{{"alert", a.kind},
              {"detail", a.detail},
              {"packet_id", e.packet_id},
              {"stage", e.stage},
              {"source_island", e.source_island},
              {"source_channel", e.source_channel},
              {"dest_island", e.dest_island},
              {"commitment", e.commitment}};
}

void publish_relay_event(StreamHub& hub, const engine::RelayEvent& e) {
  if (e.alert_only) {  // A05: the alert of a refused change (an escrow-invariant halt): no stage changed
    for (const auto& a : e.alerts) {
      json j = relay_alert_json(e, a);
      if (e.stage_index) j["audit_index"] = *e.stage_index;  // its invariant_alert entry
      hub.publish("alerts", "", j);
    }
    return;
  }
  const json ev = relay_event_json(e);
  hub.publish("packet", e.packet_id, ev);
  hub.publish("channel", e.source_island + "/" + e.source_channel, ev);
  hub.publish("island", e.source_island, ev);
  if (e.dest_island != e.source_island) hub.publish("island", e.dest_island, ev);
  for (const auto& a : e.alerts) hub.publish("alerts", "", relay_alert_json(e, a));
}

void publish_sth(StreamHub& hub, const audit::SignedTreeHead& sth) { hub.publish("sth", "", audit::sth_to_json(sth)); }

void connect_relay_events(engine::Relay& relay, std::shared_ptr<StreamHub> hub) {
  relay.set_event_listener([hub = std::move(hub)](const engine::RelayEvent& e) { publish_relay_event(*hub, e); });
}

}  // namespace causeway::gateway
