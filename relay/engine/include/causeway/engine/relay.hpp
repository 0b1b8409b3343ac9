// The relay core (issue #5; docs/relay-core.md): proof intake, attestation, the one-writer store with group
// commit, and the delivery bookkeeping the supervisor (supervisor.hpp) drives.
//
// Intake of one proof bundle (submit_bundle):
//   1. on the caller's thread: size bound; relay/proofs::verify_bundle with the TRUST LIST of the consensus
//      states the relay's clients hold (A03: a bundle anchored anywhere else is ERR_UNTRUSTED_ANCHOR; the
//      bundle's headers past the anchor are verified by the island's light client inside verify_bundle);
//      a bundle's verify_time_s must be within Options::max_time_skew_s of the relay's clock; the family
//      plug-in reads the proven packet (devnet leaf 0x01 ‖ packet_bytes; EVM PacketSent of the registered
//      endpoint, A19) and pins the parameters the relay decides (bft trusting period).
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
// COMMIT does the same. Start-up replays the database through relay/domain (islands, channels, packets with
// their attestations and deliveries), so every rule is re-checked on every start.
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
  std::uint32_t attempts = 0;
  Bytes submitted_tx;           // our last submitted transaction (empty if none)
  bool ordered = false;
};

class Relay {
 public:
  // Opens (or creates) the data dir and database (store::open_relay_database: safe settings, integrity
  // check, migrations), loads or creates the attestation key (0600), checks the committee (A06: refuses
  // k ≤ 2n/3 without the override, which is then logged; warns on shared key files), replays the stored
  // state through relay/domain, then registers the config's islands and channels that are not yet stored
  // (each with its audit entry). Errors: store errors, ERR_KEY_PERMISSIONS, ERR_THRESHOLD_TOO_LOW, domain
  // errors of a config record, ERR_STORE_CONFLICT (a config record differs from the stored one).
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

 private:
  struct Impl;
  explicit Relay(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The attestation key file: 32-byte secret as 64 hex digits (optional 0x, one trailing newline), created on
// first use with O_EXCL, mode 0600, fsynced. Errors: ERR_KEY_PERMISSIONS (group/other bits), ERR_IO,
// ERR_BAD_HEX, ERR_SECKEY_INVALID.
Result<secp256k1::SecretKey> load_or_create_attestation_key(const std::string& path);

}  // namespace causeway::engine
