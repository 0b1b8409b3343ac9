// What `causeway serve` publishes on the event stream (issue #6 "Server"; stream.hpp; docs/api.md "Stream"):
// the relay's committed packet stage changes and their alerts (engine::Relay::set_event_listener) and the
// audit log's new signed tree heads (AuditServiceOptions::on_signed).
//
// Topics and event JSON (the "event" member of {"kind", "key", "event"}):
//   packet <packet id>, channel <source island>/<source channel>, island <source island> and island <dest
//   island> (once when they are the same) — a stage change:
//     {"packet_id", "stage", "source_island", "source_channel", "dest_island", "commitment" (0x hex),
//      "audit_index" (the packet's packet_verified entry) [, "stage_index" (the audit entry of this change:
//      packet_attested / packet_delivered / ack_verified / timeout_verified)] [, "alerts": [{"alert",
//      "detail"}] (only when the change raised alerts)]}
//     stage ∈ proven, attested, delivered, acknowledged, error-acknowledged, timed-out, refunded.
//   alerts "" — one event per relay/domain alert of a committed change:
//     {"alert" (transfer_held | escrow_invariant | ordered_channel_closed | commitment_conflict), "detail",
//      "packet_id", "stage", "source_island", "source_channel", "dest_island", "commitment"}
//     An escrow-invariant halt (A05) is announced once, after the COMMIT of its own change, as an alert only
//     (engine::RelayEvent::alert_only: no stage event) with "audit_index" = its invariant_alert entry; the
//     packet fields name the refused packet ("stage" "" when the relay does not hold it), or only
//     source_island/source_channel the halted channel end.
//   sth "" — a new signed tree head, stored before it is announced: audit::sth_to_json
//     {"tree_size", "root_hash", "timestamp_ms", "log_id", "signature"}
//
// Thread-safety: every function may be called from any thread (StreamHub::publish is thread-safe); they never
// block on a client and never call back into the Relay (the listener contract of set_event_listener).
#pragma once

#include <memory>

#include <nlohmann/json.hpp>

#include "causeway/audit/sth.hpp"
#include "causeway/engine/relay.hpp"
#include "causeway/gateway/stream.hpp"

namespace causeway::gateway {

// The stage event's JSON (above).
nlohmann::json relay_event_json(const engine::RelayEvent& e);
// One alert's JSON on the "alerts" topic (above).
nlohmann::json relay_alert_json(const engine::RelayEvent& e, const engine::RelayAlert& a);
// Publishes the stage event on its packet/channel/island topics, then each of its alerts on "alerts".
void publish_relay_event(StreamHub& hub, const engine::RelayEvent& e);
// Publishes a signed tree head on "sth".
void publish_sth(StreamHub& hub, const audit::SignedTreeHead& sth);
// Sets `relay`'s event listener to publish_relay_event on `hub` (kept alive by the listener).
void connect_relay_events(engine::Relay& relay, std::shared_ptr<StreamHub> hub);

}  // namespace causeway::gateway
