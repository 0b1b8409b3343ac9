// Read-only queries of the relay database for the gateway's GET routes and /metrics (issue #6 "API v1";
// docs/api.md). They run on a READ-ONLY connection (OpenOptions::read_only) beside the relay's one writer:
// WAL lets a reader see the last committed state without blocking the writer, and a query can never change
// anything (DESIGN.md rule 4 stays with the writer).
//
// Stage timestamps are derived from what the relay core already stores (no extra columns): observed and
// proven = the packet_verified audit entry's time (packets.created_ms), attested = the time of the audit
// entry at packets.attested_index, delivered = deliveries.time_ms. Later stages (acknowledged, timed-out,
// refunded) have no stored time yet and are reported as absent.
//
// Proof bundles: the packet_verified audit entry at packets.verified_index references its bundle by SHA-256
// (audit_leaves.bundle_hash); the text is audit_bundles.bundle.
//
// Thread-safety: a ReadQueries owns one connection and must be used by one thread at a time (callers keep
// one per thread or guard it with a mutex). Errors of every query: ERR_STORE_IO.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"
#include "causeway/store/sqlite.hpp"

namespace causeway::store {

inline constexpr std::size_t kMaxPacketPage = 500;  // GET /v1/packets?limit= at most

struct ConsensusStateRow {
  std::uint64_t height = 0;
  Hash32 hash;
  std::uint64_t time_ms = 0;     // the header's time (ms since the Unix epoch)
  std::uint64_t audit_index = 0;
};

struct IslandRow {
  std::string id;
  Hash32 genesis;
  std::string family;            // bitcoin | ethereum | bft
  std::string codec;
  std::string record;            // the governance-signed registration record (JSON text, engine::island_to_json)
  std::uint64_t nonce = 0;
  std::uint64_t registered_index = 0;
  // client_states
  std::string client_status;     // active | frozen | expired
  std::uint64_t trusting_period_s = 0;
  std::uint64_t consensus_state_count = 0;
  std::optional<ConsensusStateRow> latest;  // highest consensus state
};

struct ChannelRow {
  std::string island;
  std::string channel;
  std::string port;
  std::string counterparty_island;
  std::string counterparty_channel;
  std::string ordering;          // ordered | unordered
  std::string record;            // {"a":…, "b":…} signed open records (JSON text)
  std::uint64_t opened_index = 0;
};

struct AttestationRow {
  Bytes member;                  // 20-byte address
  std::uint64_t audit_index = 0;
  Bytes signature;               // 65 bytes r ‖ s ‖ v
};

struct PacketRow {
  std::int64_t row = 0;          // packets.id (insertion order)
  std::string source_island;
  Hash32 source_genesis;
  std::string source_channel;
  std::uint64_t sequence = 0;
  Hash32 commitment;
  std::string dest_island;
  Hash32 dest_genesis;
  std::string dest_channel;
  Bytes packet;                  // PACKET.md packet bytes
  std::string stage;
  std::uint64_t source_height = 0;
  Hash32 source_block;
  std::uint64_t source_time_ms = 0;
  std::uint64_t verified_index = 0;
  std::optional<std::uint64_t> attested_index;
  std::uint64_t created_ms = 0;
  std::uint64_t updated_ms = 0;
  // stage timestamps (file comment)
  std::optional<std::uint64_t> attested_ms;
  // outbox
  std::optional<std::string> outbox_state;  // pending | submitted | delivered | failed
  std::uint32_t attempts = 0;
  std::uint64_t next_attempt_ms = 0;
  std::string last_error;
  Bytes submitted_tx;
  // deliveries
  struct Delivered {
    Bytes dest_tx;
    Hash32 ack_commitment;
    std::uint64_t dest_height = 0;
    bool by_us = false;
    std::uint64_t audit_index = 0;
    std::uint64_t time_ms = 0;
  };
  std::optional<Delivered> delivered;
};

// A packet's identity as stored (domain::PacketId without the domain dependency).
struct PacketKey {
  std::string source_island;
  Hash32 source_genesis;
  std::string source_channel;
  std::uint64_t sequence = 0;
};

struct TransferRow {
  std::int64_t packet_row = 0;
  std::string denom;
  Hash32 amount;                 // uint256 big-endian
  bool going_home = false;       // true: a voucher returning to its home island (burn); false: escrow
  std::string stage;             // the packet's stage
  PacketKey key;
  std::string dest_island;
  std::string dest_channel;
};

struct BacklogRow {                // pending or submitted outbox entries of one destination channel end
  std::string dest_island;
  std::string dest_channel;
  std::uint64_t size = 0;
  std::uint64_t oldest_created_ms = 0;
};

class ReadQueries {
 public:
  // Opens `db_path` read-only (the relay must have created it). Errors: ERR_STORE_IO.
  static Result<ReadQueries> open(const std::string& db_path);
  ReadQueries(ReadQueries&&) noexcept;
  ReadQueries& operator=(ReadQueries&&) noexcept;
  ~ReadQueries();

  // A trivial read (SELECT 1 FROM schema_version): the database is reachable.
  Status ping();

  std::vector<IslandRow> islands();                    // by registration order
  std::optional<IslandRow> island(const std::string& id);
  // Every consensus state of `island`, ascending height.
  std::vector<ConsensusStateRow> consensus_states(const std::string& island);

  // Channel ends, by opening order; `island` non-empty: only that island's ends.
  std::vector<ChannelRow> channels(const std::string& island = "");
  std::optional<ChannelRow> channel(const std::string& island, const std::string& channel);

  std::optional<PacketRow> packet(const PacketKey& key);
  // Packets SENT on the channel end (source_island, source_channel) with sequence > after, ascending
  // sequence, at most min(limit, kMaxPacketPage).
  std::vector<PacketRow> packets_by_channel(const std::string& source_island, const std::string& source_channel,
                                            std::uint64_t after, std::size_t limit);
  std::vector<AttestationRow> attestations(std::int64_t packet_row);
  // The proof bundle stored beside the packet_verified entry at `verified_index` (nullopt if none).
  std::optional<std::string> bundle_at(std::uint64_t verified_index);

  // Attested packets to `dest_island` not delivered yet (outbox pending or submitted), oldest first, at most
  // `limit` (≤ kMaxPacketPage) with row > after_row.
  std::vector<PacketRow> undelivered_to(const std::string& dest_island, std::int64_t after_row, std::size_t limit);

  // Transfer facts (the transfers table): of one packet, or of every packet sent on a channel end.
  std::optional<TransferRow> transfer(std::int64_t packet_row);
  std::vector<TransferRow> transfers_by_channel(const std::string& source_island, const std::string& source_channel);

  // ---- for /metrics ----
  std::vector<BacklogRow> backlog();
  // Cumulative counts of deliveries whose latency (deliveries.time_ms − packets.created_ms) is ≤ each bound
  // (ms, ascending), the total count and the latency sum in ms.
  struct LatencyBuckets {
    std::vector<std::uint64_t> cumulative;
    std::uint64_t count = 0;
    double sum_ms = 0;
  };
  LatencyBuckets delivery_latency(const std::vector<double>& bounds_ms);
  std::uint64_t audit_tree_size();
  std::uint64_t packet_total();

  // The last error a query met (queries above answer empty on error), cleared by each call.
  const std::optional<Error>& last_error() const noexcept;

 private:
  struct Impl;
  explicit ReadQueries(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

}  // namespace causeway::store
