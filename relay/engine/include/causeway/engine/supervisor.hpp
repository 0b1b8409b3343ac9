// The delivery supervisor (issue #5 "relay/engine"; docs/relay-core.md "Delivery"): one worker thread per
// destination island, each driving that island's outbox through its ChainAdapter (adapters/common).
//
// One round of a worker takes up to Options::batch due deliveries (Relay::due_deliveries: oldest and newest
// alternately, so a backlog never blocks new packets, A23) and for each:
//   1. look the delivery up on the destination FIRST — before every submission, first or retried
//      (A27: another relayer may have delivered it; A30: our earlier attempt may have been included after it
//      timed out). Found → Relay::record_delivered (one transaction: domain deliver, audit packet_delivered,
//      the one deliveries row). A look-up that fails counts as a failed attempt (no blind submit).
//   2. our last transaction is out but not found yet (adapters that do not wait for receipts, e.g. serve's EVM
//      adapters, so one round puts many deliveries into the next block): wait for its inclusion — a failed
//      attempt "awaiting inclusion" due after backoff_base_ms — and resubmit only after kInclusionRounds rounds
//      without inclusion since THAT submit (a dropped transaction; the outbox row's submit_attempts), so a
//      pending delivery is never sent twice;
//   3. Relay::ready_to_submit: on an ordered channel a later sequence waits for the earlier one
//      (ERR_PACKET_SEQUENCE: left pending, retried next round, never skipped, A24).
//   4. submit; success → Relay::record_submitted (confirmed by the look-up of a later round); failure or
//      timeout → Relay::record_failed_attempt with exponential backoff (Options::backoff_base_ms · 2^attempts,
//      capped at backoff_max_ms).
// A worker sleeps Options::idle_ms when it has nothing due, and wakes early when intake adds work for it.
//
// Thread-safety: start()/stop() from one thread; workers touch only their own adapter.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "causeway/adapters/chain_adapter.hpp"
#include "causeway/engine/relay.hpp"

namespace causeway::engine {

// Rounds a submitted delivery or return waits for its inclusion before it is submitted again (A30).
inline constexpr std::uint32_t kInclusionRounds = 8;
// True while our last transaction (`submitted_tx`, empty = none) is younger than kInclusionRounds rounds:
// `attempts` counts every round recorded for the entry, `submit_attempts` is its value right after the submit
// (DueDelivery / Relay::ReturnJob). Pure.
inline bool awaiting_inclusion(const Bytes& submitted_tx, std::uint32_t attempts, std::uint32_t submit_attempts) {
  return !submitted_tx.empty() && attempts < submit_attempts + kInclusionRounds;
}

class Supervisor {
 public:
  struct Options {
    std::size_t batch = 256;
    std::uint64_t backoff_base_ms = 200;
    std::uint64_t backoff_max_ms = 30'000;
    std::uint64_t idle_ms = 50;
  };
  struct Counters {
    std::atomic<std::uint64_t> lookups{0}, submits{0}, delivered_by_us{0}, delivered_by_others{0},
        failed_attempts{0}, waits{0};
  };

  Supervisor(Relay& relay, Options options);
  ~Supervisor();
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  // Adds the adapter of one destination island (before start()).
  void add_adapter(std::shared_ptr<adapters::ChainAdapter> adapter);
  // Starts one worker per adapter and subscribes to the relay's outbox notifications.
  void start();
  // Stops and joins the workers (a round in progress finishes). Idempotent.
  void stop();
  // One round for one island on the calling thread (tests drive the workers deterministically with it).
  // Returns the number of deliveries looked at.
  std::size_t run_round(const std::string& island);

  const Counters& counters() const noexcept { return counters_; }

 private:
  struct Worker {
    std::shared_ptr<adapters::ChainAdapter> adapter;
    std::thread thread;
    std::mutex mu;
    std::condition_variable cv;
    bool wake = false;
  };
  void work(Worker& w);
  void deliver_one(adapters::ChainAdapter& adapter, const DueDelivery& d, std::vector<std::future<Status>>& writes);

  Relay& relay_;
  Options options_;
  Counters counters_;
  std::map<std::string, std::unique_ptr<Worker>> workers_;
  std::atomic<bool> stopping_{false};
  bool started_ = false;
};

}  // namespace causeway::engine
