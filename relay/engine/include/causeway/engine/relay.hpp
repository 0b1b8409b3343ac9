// The relay core (issue #5; docs/relay-core.md): proof intake, attestation, the one-writer store with group
// commit, and the delivery bookkeeping the supervisor (supervisor.hpp) drives.
//
// Intake of one proof bundle (submit_bundle):
//   1. on the caller's thread: size bound; relay/proofs::verify_bundle with the TRUST LIST of the consensus
//      states the relay's clients hold (A03: a bundle anchored anywhere else is ERR_UNTRUSTED_ANCHOR; the
//      bundle's headers past the anchor are verified by the island's light client inside verify_bundle);
//      a bundle's verify_time_s must be within Options::max_time_skew_s of the relay's clock; the family
//      plug-in reads the proven packet (devnet leaf 0x01 ‖ packet_bytes; EVM PacketSent of the registered
//      endpoint, A19; Bitcoin: the packet it derives from the verified deposit transaction) and pins the
//      parameters the relay decides (bft trusting period, Bitcoin confirmations). A Bitcoin bundle's anchor context
//      (prev_timestamps_s, period_start_time_s) is first replaced by the relay's own for the held anchor (A13),
//      and a deposit not taken yet must lie on the branch the relay follows: the relay's most-work Bitcoin state
//      is one of the bundle's headers at or above proving height + confirmations − 1 (else ERR_UNTRUSTED_ANCHOR —
//      that state is below the depth or past the bundle's end — or ERR_LESS_WORK — another block at its height;
//      docs/relay-core.md "Deposits follow the most-work branch").
//   2. on the writer thread, inside the group-commit transaction, in ONE savepoint (DESIGN.md rule 4): the
//      anchor is re-checked against the writer's view; a verified tip past the anchor becomes a consensus
//      state (audit `headers_accepted`); relay/domain decides identity and route (observe: A19/A20/A04,
//      exactly-once by identity, ERR_COMMITMENT_CONFLICT for a second commitment); audit `packet_verified`
//      (the bundle stored beside it) at index v; domain prove; this relay's attestation over
//      attestation_digest(dest, commitment, v) (PACKET.md), audit `packet_attested`; tally; domain attest when
//      k is met; packet, attestation and outbox rows.
//   3. the caller is answered only after the COMMIT that holds the change. An already-known packet answers
//      its existing record (existing = true) and writes nothing.
// A change that fails after relay/domain changed the in-memory state rolls back its savepoint and the writer
// rebuilds the in-memory state from the database after the batch (the database is the truth); a failed
// COMMIT does the same. Start-up replays the database through relay/domain (governance records — island
// registrations, channel opens, and the governance journal's updates, recovers and closes — in the order of their
// audit entries, interleaved with the packets with their attestations and deliveries), so every rule is
// re-checked on every start — except that a recorded stage
// is history: a delivered (acknowledged, timed-out, refunded) packet replays as recorded whatever today's
// committee (only an `attested`, not yet delivered packet without k current members' signatures is held back as
// proven, A05), and an ordered channel's deliveries replay in sequence order whatever the intake order (A24).
//
// Thread-safety: every public member may be called from any thread. Writes go through the one writer.
#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "causeway/adapters/chain_adapter.hpp"
#include "causeway/core/error.hpp"
#include "causeway/domain/ids.hpp"
#include "causeway/domain/transfer.hpp"
#include "causeway/core/packet.hpp"
#include "causeway/engine/config.hpp"
#include "causeway/engine/family.hpp"
#include "causeway/store/group_commit.hpp"
#include "causeway/store/sqlite.hpp"

namespace causeway::engine {

inline constexpr std::size_t kMaxBundleBytes = 4u << 20;  // a packet's proof bundle at intake (A29)

struct RelayOptions {
  std::string data_dir;                 // created 0700 if missing; database <data_dir>/causeway.db
  RelayConfig config;
  store::GroupCommitter::Options commit{};
  store::Synchronous synchronous = store::Synchronous::Full;
  std::function<std::uint64_t()> clock_ms{};  // default: the system clock (ms since the Unix epoch)
  std::int64_t max_time_skew_s = 60;          // a bundle's verify_time_s must be within this of the clock
  std::vector<std::shared_ptr<const FamilyPlugin>> plugins = default_plugins();
  std::function<void(const std::string&)> log{};  // warnings and notices (A06); default: stderr
};

// What intake answers and lookups return.
struct PacketView {
  domain::PacketId id;
  std::string id_text;          // domain::to_string(id)
  Hash32 commitment;
  std::string stage;            // domain::stage_name
  std::string dest_island;
  std::uint64_t verified_index = 0;              // this relay's packet_verified audit entry
  std::optional<adapters::MemberAttestation> attestation;  // this relay's, when it attested
  bool existing = false;        // the packet was already known: nothing was written
};

// One delivery the supervisor should work on.
struct DueDelivery {
  domain::PacketId id;
  adapters::Delivery delivery;
  std::uint32_t attempts = 0;   // rounds recorded for it (failed look-ups, waits, failed submits, submits)
  Bytes submitted_tx;           // our last submitted transaction (empty if none)
  std::uint32_t submit_attempts = 0;  // `attempts` right after that submit: attempts − this = rounds since it
  bool ordered = false;
};

struct RelayEvent;  // below the class (issue #6, WebSocket /v1/stream)

class Relay {
 public:
  // Opens (or creates) the data dir and database (store::open_relay_database: safe settings, integrity
  // check, migrations), loads or creates the attestation key (0600), checks the committee (A06: refuses
  // k ≤ 2n/3 without the override, which is then logged; warns on shared key files), replays the stored
  // state through relay/domain, then registers the config's islands and channels that are not yet stored
  // (each with its audit entry). Errors: store errors, ERR_KEY_PERMISSIONS, ERR_THRESHOLD_TOO_LOW, domain
  // errors of a config record, ERR_STORE_CONFLICT (a config record differs from the stored one; a
  // governance_journal, islands or channels row whose audit index is not its record's entry, naming the row:
  // docs/relay-core.md "Governance journal").
  static Result<std::unique_ptr<Relay>> open(RelayOptions options);
  ~Relay();
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  // Intake (see the file comment). `done` runs on the writer thread (or the caller's, for an early error).
  void submit_bundle_async(std::string bundle_text, std::function<void(Result<PacketView>)> done);
  Result<PacketView> submit_bundle(std::string bundle_text);

  // ---- delivery bookkeeping (supervisor.hpp) ----
  // Up to `max` pending deliveries to `dest_island` whose next attempt is due, oldest and newest alternately
  // (a backlog never starves new packets, A23).
  std::vector<DueDelivery> due_deliveries(const std::string& dest_island, std::size_t max);
  // relay/domain's ready_to_submit (ordered channels: ERR_PACKET_SEQUENCE = wait, never skip, A24).
  Status ready_to_submit(const domain::PacketId& id) const;
  // The destination holds a receipt (found by look-up): domain deliver, audit packet_delivered, the one
  // deliveries row, outbox delivered — one transaction. `by_us`: the receipt's tx is ours.
  Status record_delivered(const domain::PacketId& id, const adapters::DeliveryStatus& status, bool by_us);
  Status record_submitted(const domain::PacketId& id, const Bytes& tx);
  Status record_failed_attempt(const domain::PacketId& id, const Error& error, std::uint64_t next_attempt_ms);
  // The same, enqueued: the future resolves after the commit that holds the change (a worker enqueues a
  // whole round and waits once, so one round shares group commits).
  std::future<Status> record_delivered_async(const domain::PacketId& id, const adapters::DeliveryStatus& status,
                                             bool by_us);
  std::future<Status> record_submitted_async(const domain::PacketId& id, const Bytes& tx);
  std::future<Status> record_failed_attempt_async(const domain::PacketId& id, const Error& error,
                                                  std::uint64_t next_attempt_ms);
  // Called when new outbox work for a destination exists (the supervisor wakes its worker).
  void set_outbox_listener(std::function<void(const std::string& dest_island)> listener);

  // ---- reads ----
  std::optional<PacketView> find(const domain::PacketId& id) const;
  std::vector<ConsensusState> consensus_states(const std::string& island) const;
  std::vector<std::string> islands() const;
  const domain::Address& self_address() const noexcept;
  std::uint64_t now_ms() const;
  store::GroupCommitter::Stats commit_stats() const;
  std::size_t packet_count() const;

  // Drains the writer and closes the database. Idempotent; the destructor calls it.
  void stop();

  // ---- relay committee, k > 1 (issue #7 "A relay committee"; peers.hpp; docs/relay-core.md "Committee") ----
  // Up to `max` packets this relay holds in stage `proven` that still lack k member signatures (their
  // attestation is to be gathered from peers), oldest first.
  std::vector<domain::PacketId> awaiting_attestations(std::size_t max) const;
  // Every member attestation this relay holds for the packet: its own first, then peers' in arrival order
  // (due_deliveries puts the same list in each Delivery, so a delivery carries all k signatures).
  std::vector<adapters::MemberAttestation> attestations_of(const domain::PacketId& id) const;
  // A committee peer's attestation of a packet this relay holds (PACKET.md "Attestations"). On the writer
  // thread, in one savepoint: the member must be a CURRENT committee member (ERR_NOT_VALIDATOR — a removed
  // member's signature no longer counts, A05) other than this relay (ERR_INVALID_ARGUMENT); the signature must
  // recover (low-S) to the member over attestation_digest(dest island, dest genesis, dest endpoint,
  // commitment, a.audit_index) — the index is the PEER's own packet_verified index (ERR_SIG_INVALID and
  // recover_rsv's errors); then it is stored (attestations table; audit `packet_attested` with the peer as
  // member), tallied (relay/domain, own + stored peers'), and when k distinct members are met the packet
  // becomes attested and its outbox row is written (the outbox listener is called after the commit).
  // A packet already past `proven`, or a member already stored, is answered without writing (idempotent).
  // Errors: ERR_UNKNOWN_PACKET, the above, store errors. Returns the packet's view after the change.
  Result<PacketView> add_member_attestation(const domain::PacketId& id, const adapters::MemberAttestation& a);
  // The committee's threshold k and members (current epoch), for the fetcher and the routes.
  std::uint32_t committee_threshold() const;
  std::vector<domain::Address> committee_members() const;

  // ---- gateway API v1 (issue #6 "API v1"; relay/gateway api_routes.hpp; docs/api.md) ----
  // Bundle intakes since start (for /metrics): by result ("accepted" = a new packet, "known" = already known,
  // or the error code name, e.g. "ERR_UNTRUSTED_ANCHOR"), and rejected bundles per registered island named
  // by the bundle's "island" field. Sorted by key.
  struct IntakeCounters {
    std::vector<std::pair<std::string, std::uint64_t>> by_result;
    std::vector<std::pair<std::string, std::uint64_t>> rejected_by_island;
  };
  IntakeCounters intake_counters() const;
  // Runs an empty change through the group committer: ok when the writer answered within `timeout_ms`
  // (GET /readyz). Errors: ERR_STORE_IO ("writer not running" / "writer did not answer").
  Status ping_writer(std::uint32_t timeout_ms);
  // Registers an island from its governance-signed record (POST /v1/islands): the same change as a config
  // island at start (family plug-in anchor, relay/domain register_island — nonce 1, k of the record's own
  // governance keys —, audit `island_registered`, islands + client_states + consensus_states rows), through
  // the group committer. Errors: relay/domain's (ERR_ISLAND_EXISTS, ERR_GOVERNANCE_NONCE, signature errors,
  // validate_island_spec's), ERR_UNSUPPORTED_FAMILY, store errors.
  Status register_island(const domain::SignedIsland& record);
  // Opens a channel from both islands' signed channel.open records (POST /v1/channels), as a config channel
  // at start (audit `channel_opened` per end, channels rows). Errors: relay/domain's (ERR_CHANNEL_EXISTS,
  // ERR_UNKNOWN_ISLAND, ERR_GOVERNANCE_NONCE, ERR_FORBIDDEN_TARGET, signature errors), store errors.
  Status open_channel(const ChannelPair& pair);
  // Operator `packet retry` (POST /v1/packets/{id}/retry): relay/domain packet_retry (ERR_UNKNOWN_PACKET,
  // ERR_ILLEGAL_TRANSITION for a terminal packet), then the packet's outbox entry (if any, not delivered) is
  // due now (next_attempt_ms = 0; a failed entry becomes pending) and audit `operator_action` records
  // {operator, action "packet_retry", target, details {reason}} — one transaction. Returns the audit index.
  Result<std::uint64_t> retry_packet(const domain::PacketId& id, const std::string& operator_id,
                                     const std::string& reason);
  // Operator `packet clear` (POST /v1/packets/{id}/clear is per packet; this is per source channel end, as
  // relay/domain packet_clear): every non-terminal packet sent on `source_end` is made due now, one audit
  // `operator_action` ("packet_clear", details {reason, packets}). Errors: ERR_UNKNOWN_CHANNEL, store errors.
  // Returns (audit index, packets made due).
  Result<std::pair<std::uint64_t, std::size_t>> clear_channel(const domain::ChannelKey& source_end,
                                                              const std::string& operator_id,
                                                              const std::string& reason);

  // ---- governance records after registration (issue #5 "Island registry", "Channels and ports", "Operator
  // actions"; docs/relay-core.md "Governance journal") ----
  // Each is verified by relay/domain against the island's CURRENT keys (k of n) and nonce (record nonce =
  // current + 1: a replayed or reordered record is ERR_GOVERNANCE_NONCE), and applied through the group
  // committer in ONE transaction: the domain change, a governance_journal row (replayed at start in audit
  // order with the registrations and channel opens), the islands row's nonce, and the audit entry. On any
  // error nothing changes (the in-memory state is rebuilt from the database when the domain had changed).
  struct GovernanceResult {
    std::uint64_t audit_index = 0;   // the record's (first) audit entry
    domain::IslandRecord island;     // the record's island after the change (close: end a's island)
  };
  // PUT /v1/islands/{id}: relay/domain update_island (same id, genesis and anchor; a new spec incl. new keys:
  // the old keys no longer count from the next record on). The island's family plug-in must take the new spec
  // (ERR_UNSUPPORTED_FAMILY). Audit `island_updated` {island, genesis, config_hash = SHA-256 of the record's
  // JSON (island_to_json), change = the changed parts ("governance", "endpoint", "params", "codec",
  // "finality", "trusting_period", "family", "rpc_trusted"; comma-separated, "none" when only re-signed),
  // governance_record_hash = island_digest(island.update, spec, nonce)}. client_states.trusting_period_s
  // follows the spec. The family and codec never change (the held consensus states were verified by that
  // plug-in): ERR_INVALID_ARGUMENT at `family` / `codec`; nor the endpoint while a channel end of the island is
  // open or halted (its packets would all be ERR_WRONG_EMITTER, A19): ERR_INVALID_ARGUMENT at `endpoint`.
  // Errors: those; update_island's (ERR_UNKNOWN_ISLAND, ERR_ISLAND_MISMATCH, ERR_INVALID_ARGUMENT
  // for an anchor change, ERR_GOVERNANCE_NONCE, signature errors, validate_island_spec's), store errors.
  Result<GovernanceResult> update_island(const domain::SignedIsland& record);
  // POST /v1/islands/{id}/recover (operator action `client recover`, A21): relay/domain recover_client (the
  // client must be frozen or expired: ERR_ILLEGAL_TRANSITION when active). An active client whose latest held
  // state is past the trusting period (time_ms + trusting_period_s · 1000 <= the relay's clock; trusting
  // period > 0) is marked expired first, as the light clients judge it (journal prior_status 'expired'). The new anchor becomes the island's
  // ONLY consensus state (the family plug-in's anchor_state of the spec with the new anchor: its errors, e.g.
  // ERR_INVALID_ARGUMENT for a bft anchor.extra that is not 32 bytes); the states held before — possibly of the
  // fork that froze the client — and their Bitcoin contexts are dropped, so bundles must anchor at the new
  // anchor or at headers verified from it. client_states.status becomes active. Audit `client_recovered`
  // {island, anchor_height, anchor_hash, governance_record_hash = recover_digest(...), validator_set_hash}.
  // Errors: recover_client's (ERR_UNKNOWN_ISLAND, ERR_ILLEGAL_TRANSITION, ERR_ZERO_ROOT, ERR_TOO_LARGE,
  // ERR_GOVERNANCE_NONCE, signature errors), anchor_state's, ERR_UNSUPPORTED_FAMILY, ERR_CLIENT_EXPIRED at
  // `anchor` (the new anchor is itself past the trusting period at the relay's clock: anchor time_s · 1000 +
  // trusting_period_s · 1000 <= now, domain::trusting_period_passed; never for a period of 0), store errors. On
  // any error nothing is written.
  Result<GovernanceResult> recover_client(const domain::ClientRecoverRecord& record);
  // POST /v1/channels/{island}/{channel}/close: relay/domain close_channel with both islands' channel.close
  // records (each spec equal to the stored end's; each island's nonce + 1). Both ends become closed: intake
  // refuses new packets sent on either end (ERR_CHANNEL_CLOSED); packets already taken in are not attested
  // nor submitted any more (ERR_CHANNEL_CLOSED), while a delivery found by look-up, acknowledgements,
  // timeouts and refunds still complete (ICS-04). Audit `channel_closed` per end {island, channel,
  // counterparty_island, counterparty_channel, record_hash = SHA-256 of {"a","b"} JSON, reason "governance"}.
  // Errors: close_channel's (ERR_UNKNOWN_CHANNEL, ERR_CHANNEL_CLOSED, ERR_GOVERNANCE_NONCE, signature
  // errors), store errors.
  Result<GovernanceResult> close_channel(const ChannelPair& pair);
  // The island's current record (spec, nonce, client status) as relay/domain holds it; nullopt if unknown.
  std::optional<domain::IslandRecord> island_record(const std::string& id) const;

  // ---- A05 escrow-invariant halts (docs/relay-core.md "A05") ----
  // A change refused with ERR_ESCROW_INVARIANT (a proven ledger movement that would break escrowed =
  // outstanding + in flight: intake's prove, submit_ack_bundle, record_returned's refund) halts both ends of
  // the channel: the writer persists the halt in a change of its own (channel_halts row + audit
  // `invariant_alert` {invariant "escrow_invariant", scope "channel <island>/<channel>", details {reason,
  // island, channel, counterparty_island, counterparty_channel[, packet_id, commitment]}}), then announces
  // the "escrow_invariant" alert (set_event_listener, RelayEvent::alert_only). The caller still gets
  // ERR_ESCROW_INVARIANT, answered after the halt's COMMIT. A halted channel attests nothing (its packets are
  // taken in and stay proven) and delivers nothing (ready_to_submit: ERR_CHANNEL_HALTED); start-up re-applies
  // the halts not resumed.
  struct ChannelStatus {
    std::string state;        // domain::channel_state_name: "open", "closed", "halted"
    std::string halt_reason;  // when halted
  };
  // The in-memory state of a channel end; nullopt for an unknown end. Thread-safe.
  std::optional<ChannelStatus> channel_status(const domain::ChannelKey& end) const;
  // Every channel end with its status, in key order (GET /metrics causeway_channel_halted). Thread-safe.
  std::vector<std::pair<domain::ChannelKey, ChannelStatus>> channel_states() const;
  // Operator `channel resume` (POST /v1/channels/{island}/{channel}/resume): relay/domain resume_channel
  // (ERR_UNKNOWN_CHANNEL; ERR_ILLEGAL_TRANSITION when not halted; ERR_ESCROW_INVARIANT while a ledger of the
  // channel still breaks its invariant), then in one transaction the halt rows get resumed_ms, audit
  // `operator_action` {operator, action "channel_resume", target "<island>/<channel>", details {reason,
  // halt_reason}}, and the channel's packets taken in while halted (stage proven) whose k current members'
  // signatures are held become attested with an outbox row (attested_index = the operator_action index).
  // A halt not yet persisted: ERR_ILLEGAL_TRANSITION (try again). Returns the audit index and how many
  // packets became attested.
  struct ResumeResult {
    std::uint64_t audit_index = 0;
    std::size_t attested = 0;
  };
  Result<ResumeResult> resume_channel(const domain::ChannelKey& end, const std::string& operator_id,
                                      const std::string& reason);

  // ---- packet lifecycle: source watching, acknowledgements, timeouts, refunds, the ledger (H4; issue #5/#7;
  // docs/relay-core.md "Source watching" … "The ledger"; lifecycle.hpp drives them) ----
  // The last source height whose sent packets were all taken in (persisted: a restart rescans from the next
  // one, A23); nullopt when the island was never scanned.
  std::optional<std::uint64_t> scan_height(const std::string& island) const;
  // A sent packet the scan moved past while its intake waits (a voucher burn waiting for the acks that minted
  // its vouchers: ERR_INSUFFICIENT_FUNDS), retried by the source watcher every pass until taken in or refused.
  struct DeferredSend {
    std::uint64_t height = 0;  // the source block holding it
    Hash32 commitment;
  };
  // The island's scan epoch: 0 at start, +1 by every client recover of the island (which lowers the scan height
  // to the recovered anchor). A source scan reads it FIRST — before scan_height() and consensus_states() — and
  // passes it to set_scan_height, so a recover that commits while the scan runs always wins. Thread-safe.
  std::uint64_t scan_epoch(const std::string& island) const;
  // Persists the scan height and, in the SAME transaction, the packets of the scanned range deferred for retry
  // (table deferred_sends; already deferred ones are kept), so the scan never moves past a packet that was
  // neither taken in nor recorded for retry (crash-safe). With `epoch` (the scan_epoch the scan read before it
  // planned its range): when a client recover of the island has committed since, NOTHING is written (neither the
  // height nor the deferred packets — the next pass rescans them from the recovered anchor) and the result is
  // false; true when written. Without `epoch` the height is written unconditionally. Thread-safe (one
  // group-committed change, ordered with recover_client). Errors: store errors.
  Result<bool> set_scan_height(const std::string& island, std::uint64_t height,
                               const std::vector<DeferredSend>& deferred = {},
                               std::optional<std::uint64_t> epoch = std::nullopt);
  // The island's deferred packets, ascending height. Thread-safe.
  std::vector<DeferredSend> deferred_sends(const std::string& island) const;
  // Forgets a deferred packet (taken in, or refused by a rule). Idempotent. Errors: store errors.
  Status drop_deferred_send(const std::string& island, const Hash32& commitment);
  // Header intake: a header document (proofs/headers.hpp: family bft codec causeway-devnet/v1, or family
  // bitcoin) anchored at a consensus state the relay holds (A03), verified by the island's light client; its tip
  // becomes a consensus state (audit headers_accepted) unless already held. Returns the tip (Bitcoin: hash in
  // display byte order, time_ms = header time × 1000). Thread-safe (one group-committed change).
  // Errors: header_document_family's, verify_bft_headers' / verify_bitcoin_headers', ERR_UNKNOWN_ISLAND.
  Result<ConsensusState> accept_headers(std::string doc_text);
  // Delivered packets whose destination is `dest_island` and whose acknowledgement is not yet taken in.
  struct AwaitingAck {
    domain::PacketId id;
    Hash32 commitment;
    std::uint64_t dest_height = 0;  // the delivery's block when known (0 = unknown)
  };
  std::vector<AwaitingAck> awaiting_acks(const std::string& dest_island, std::size_t max) const;
  // The destination's acknowledgement, proven: a bundle of the DESTINATION island (devnet leaf 0x02 ‖ ack_bytes)
  // anchored at a consensus state the relay holds (A03), verified by relay/proofs; its tip becomes a consensus
  // state. In one transaction: relay/domain acknowledge (ack bytes must hash to the delivered ack commitment:
  // ERR_CLAIM_MISMATCH; success → acknowledged, voucher minted / released home in the ledger; failure →
  // error-acknowledged), audit ack_verified (bundle stored) at index a, this relay's ack attestation over
  // ack_attestation_digest(source island, source genesis, source endpoint, commitment, ack commitment, a),
  // a `returns` row (pending) and the ledger rows — except for a packet from a Bitcoin island (a deposit: no return
  // path, PACKET.md): no ack attestation and no `returns` row; its error ack is final. Errors: ERR_UNKNOWN_PACKET,
  // ERR_NOT_PACKET_EVENT (not an ack leaf), ERR_WRONG_DESTINATION (bundle of another island), ERR_UNSUPPORTED (EVM acks: not yet), the
  // domain's and verify_bundle's.
  Result<PacketView> submit_ack_bundle(const domain::PacketId& id, std::string bundle_text);
  // Packets to `dest_island` that are proven or attested, not delivered, with a timeout, not yet timed out.
  struct TimeoutCandidate {
    domain::PacketId id;
    Hash32 commitment;
    packet::Packet packet;
    std::uint64_t open_height = 0;  // the destination channel end's open_height (where the scan starts)
    // The non-delivery proof scans every event from open_height (devnet) rather than reading one storage slot
    // at the judged block (EVM): its anchor must then be at or below open_height.
    bool event_scan = true;
  };
  std::vector<TimeoutCandidate> timeout_candidates(const std::string& dest_island, std::size_t max) const;
  // The non-delivery evidence of a devnet destination (adapters' fetch_non_delivery_proof): its headers are
  // verified from a held consensus state (A03) by the light client (verify_bft_headers), every event list of
  // heights open_height … B is checked against its VERIFIED header's event_count and event_root, and B (the
  // last header) must time the packet out by its verified height/time (A21) — relay/domain judge_timeout with
  // NonDeliveryProof{DevnetEventScan}. In one transaction: domain time_out (timed-out), audit timeout_verified,
  // this relay's timeout attestation over timeout_attestation_digest(source …, commitment, index), a
  // `returns` row (pending), the outbox entry failed (never submitted again), B a consensus state.
  // Errors: ERR_NOT_TIMED_OUT, ERR_NON_DELIVERY_UNPROVEN (a 0x03 leaf found, a list that does not match its
  // verified header, heights missing), ERR_PACKET_REPLAYED (already delivered), verify_bft_headers' errors.
  Result<PacketView> submit_non_delivery(const domain::PacketId& id, std::string evidence_text);
  // Acks and timeouts to relay back to `source_island` whose next attempt is due.
  struct ReturnJob {
    domain::PacketId id;
    std::string kind;               // "ack" | "timeout"
    Hash32 commitment;
    Bytes packet_bytes;
    Bytes ack_bytes;                // ack only
    std::vector<adapters::MemberAttestation> attestations;  // own first, then committee peers' (>= k)
    std::uint32_t attempts = 0;
    Bytes submitted_tx;
    std::uint32_t submit_attempts = 0;  // `attempts` right after that submit (as DueDelivery)
  };
  // Only returns that hold k distinct current committee members' signatures are due (the source endpoint
  // refuses fewer, ERR_INSUFFICIENT_QUORUM); the PeerFetcher gathers the others' (add_return_attestation).
  std::vector<ReturnJob> due_returns(const std::string& source_island, std::size_t max) const;
  // ---- the return path with a committee (k > 1; PACKET.md "Acknowledgements and timeouts") ----
  // This relay's own ack/timeout attestation of a packet (GET /v1/attestations/{id}?kind=ack|timeout):
  // nullopt until this relay verified the ack or the timeout itself. Thread-safe.
  struct ReturnAttestation {
    std::string kind;                // "ack" | "timeout"
    Hash32 commitment;               // the packet's
    Hash32 ack_commitment;           // keccak256(ack_bytes) for an ack; zero for a timeout
    adapters::MemberAttestation attestation;  // member, its ack_verified/timeout_verified index, 65-byte r||s||v
  };
  std::optional<ReturnAttestation> own_return_attestation(const domain::PacketId& id) const;
  // Returns not yet done that hold fewer than k current members' signatures, with the members they hold
  // (at most `max`). Thread-safe.
  struct AwaitingReturn {
    domain::PacketId id;
    std::string kind;
    Hash32 commitment;
    std::vector<domain::Address> members;
  };
  std::vector<AwaitingReturn> awaiting_return_attestations(std::size_t max) const;
  // A committee peer's attestation of the same ack (same ack bytes) or timeout, signed over
  // ack/timeout_attestation_digest(source island, source genesis, source endpoint, commitment, [ack
  // commitment], a.audit_index) — the peer's OWN audit index. Verified by recovery (tally_attestations: low-S,
  // current member, A05), stored (return_attestations table) through the group committer; idempotent.
  // Returns how many distinct current members' signatures the return now holds (own included).
  // Errors: ERR_UNKNOWN_PACKET (no such packet, or no ack/timeout verified here yet), ERR_INVALID_ARGUMENT
  // (this relay's own address), ERR_NOT_VALIDATOR, ERR_SIG_INVALID, store errors.
  Result<std::size_t> add_return_attestation(const domain::PacketId& id, const adapters::MemberAttestation& a);
  Status record_return_submitted(const domain::PacketId& id, const Bytes& tx);
  Status record_return_failed(const domain::PacketId& id, const Error& error, std::uint64_t next_attempt_ms);
  // The source endpoint processed it (lookup_sent): Acknowledged / Refunded. An error ack or a timeout that
  // the source refunded moves relay/domain to refunded (exactly once: a second call is ignored) and the
  // ledger; the returns row becomes done. Errors: ERR_ILLEGAL_TRANSITION (status does not fit the kind).
  Status record_returned(const domain::PacketId& id, adapters::SourceStatus status);
  // The ledger (relay/domain TransferLedger per escrowing channel end) as stored in the `ledger` table, and
  // the invariant escrowed = outstanding + in flight recomputed from it (also checked at every start).
  domain::InvariantReport check_ledger() const;

  // ---- events for the gateway stream (issue #6 "Server", H1/H9; relay/gateway stream.hpp; docs/api.md) ----
  // Called once per committed stage change, only after the COMMIT that holds it (never for a change that
  // rolled back or whose COMMIT failed), on the thread that saw the commit (the writer for intake and
  // record_delivered(_async); the caller's thread, after its commit, for the other members below):
  //   submit_bundle(_async)        new packet → "proven" or "attested" (not for an already-known packet)
  //   add_member_attestation       "attested" when the k-th member signature was taken in
  //   record_delivered(_async)     "delivered"
  //   submit_ack_bundle            "acknowledged" or "error-acknowledged"
  //   submit_non_delivery          "timed-out"
  //   record_returned              "refunded" (an error ack or timeout the source refunded; a success ack the
  //                                source recorded changes no stage and is not announced)
  // relay/domain alerts raised by the same change (RelayEvent::alerts) ride on its event. The listener must be
  // quick and must not call back into the Relay (it may run while the writer waits).
  void set_event_listener(std::function<void(const RelayEvent&)> listener);

 private:
  struct Impl;
  explicit Relay(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A relay/domain alert (domain::Alert) raised by a committed change: kind "transfer_held" (a transfer over its
// channel's cap, held), "escrow_invariant" (a ledger movement broke escrowed = outstanding + in flight: the
// channel is halted), "ordered_channel_closed" (a timeout closed an ordered channel), "commitment_conflict";
// detail is relay/domain's human-readable text.
struct RelayAlert {
  std::string kind;
  std::string detail;
};

// A packet stage change (set_event_listener).
struct RelayEvent {
  // A05: an alert of a REFUSED change (an escrow-invariant halt, persisted by its own change) is announced
  // alone: alert_only, alerts = [{"escrow_invariant", reason}], stage_index = its invariant_alert entry, the
  // packet fields name the packet whose change broke the invariant when known (stage = its stage now, "" if
  // the relay does not hold it), else source_island/source_channel name the halted channel end.
  bool alert_only = false;
  std::string packet_id;       // domain::to_string(id)
  std::string source_island;
  std::string source_channel;
  std::string dest_island;
  std::string stage;           // domain::stage_name: the stage after the committed change
  std::string commitment;      // 0x hex
  std::uint64_t audit_index = 0;  // this relay's packet_verified entry of the packet (every stage)
  // The audit entry that recorded this change: packet_attested (k-th signature, add_member_attestation),
  // packet_delivered, ack_verified, timeout_verified; nullopt for intake (see audit_index) and refunded (no
  // entry of its own).
  std::optional<std::uint64_t> stage_index;
  std::vector<RelayAlert> alerts;  // raised by the same change, in relay/domain's order (usually empty)
  static RelayEvent of(const PacketView& v);
};

// The attestation key file: 32-byte secret as 64 hex digits (optional 0x, one trailing newline), created on
// first use with O_EXCL, mode 0600, fsynced. Errors: ERR_KEY_PERMISSIONS (group/other bits), ERR_IO,
// ERR_BAD_HEX, ERR_SECKEY_INVALID.
Result<secp256k1::SecretKey> load_or_create_attestation_key(const std::string& path);

}  // namespace causeway::engine
