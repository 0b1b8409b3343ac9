// The packet lifecycle beyond "delivered" (issue #5/#7; docs/relay-core.md "Source watching",
// "Acknowledgements", "Timeouts and refunds", "The ledger"). One background thread drives, for every island
// with an adapter, in each pass:
//   1. source watching (source_watcher.cpp): scan_sent over blocks (scan height, tip − confirmations], each
//      packet's bundle fetched with fetch_proof anchored at the highest consensus state the relay holds at or
//      below its block (A03), taken in through Relay::submit_bundle (the same intake as POST /v1/packets); the
//      scan height is persisted after the range is taken in, so a restart rescans from there (A23) and an
//      already-known packet is answered from its record (never delivered twice). A voucher burn waiting for
//      the acks that minted its vouchers (ERR_INSUFFICIENT_FUNDS) does not hold the scan: it is recorded for
//      retry in the same transaction as the scan height that moves past it (Relay::set_scan_height) and tried
//      again every pass (retry_deferred); a wait is logged once per packet;
//   2. acknowledgements (lifecycle.cpp): for packets delivered TO this island, fetch_ack_proof → Relay::
//      submit_ack_bundle (verified, domain acknowledge, ack attestation);
//   3. timeouts: for packets to this island that are proven/attested with a timeout, once the node's tip (an
//      untrusted hint) suggests it, look the delivery up first (A27: found → Relay::record_delivered, e.g. a
//      packet another committee member delivered), else fetch_non_delivery_proof from the channel's open height to the tip →
//      Relay::submit_non_delivery, which judges only the VERIFIED block (A21);
//   4. the return path: for packets FROM this island with an ack or timeout to relay, lookup_sent first
//      (reconciliation before every submission, A30) → record_returned when the source already processed it
//      (refund exactly once), else submit_acknowledgement / submit_timeout, with backoff on failure.
// Adapters given here must not be used by another thread (the supervisor gets its own instances).
//
// Thread-safety: start()/stop() from one thread; run_once() only while not started (tests).
#pragma once

#include <array>
#include <atomic>
#include <functional>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "causeway/adapters/chain_adapter.hpp"
#include "causeway/engine/relay.hpp"

namespace causeway::engine {

class Lifecycle {
 public:
  struct Options {
    std::uint64_t poll_ms = 100;
    std::size_t batch = 64;                 // packets per step per pass
    std::uint64_t max_scan_blocks = 500;    // blocks per source scan per pass
    std::uint64_t backoff_base_ms = 200;
    std::uint64_t backoff_max_ms = 10'000;
    std::map<std::string, std::uint64_t> confirmations;  // per island: blocks below the tip before proving
    std::function<void(const std::string&)> log{};       // notices; default stderr
  };
  struct Counters {
    std::atomic<std::uint64_t> scanned_blocks{0}, packets_taken_in{0}, packets_skipped{0}, acks_verified{0},
        timeouts_verified{0}, returns_submitted{0}, returns_done{0}, failures{0}, packets_deferred{0};
  };

  Lifecycle(Relay& relay, Options options);
  ~Lifecycle();
  Lifecycle(const Lifecycle&) = delete;
  Lifecycle& operator=(const Lifecycle&) = delete;

  void add_adapter(std::shared_ptr<adapters::ChainAdapter> adapter);
  void start();
  void stop();
  // One pass over every island on the calling thread; the number of actions taken.
  std::size_t run_once();

  // The steps, one island each (exposed for tests).
  std::size_t watch_source(adapters::ChainAdapter& a);
  // Part of watch_source: the island's deferred packets (Relay::deferred_sends, a voucher burn waiting for the
  // acks that minted its vouchers) tried again, up to Options::batch; taken in or refused → dropped.
  std::size_t retry_deferred(adapters::ChainAdapter& a, std::uint64_t floor);
  std::size_t take_acks(adapters::ChainAdapter& dest);
  std::size_t judge_timeouts(adapters::ChainAdapter& dest);
  std::size_t relay_returns(adapters::ChainAdapter& source);

  const Counters& counters() const noexcept { return counters_; }

 private:
  void note(const std::string& s) const;
  std::uint64_t backoff(std::uint32_t attempts) const;

  Relay& relay_;
  Options options_;
  Counters counters_;
  std::set<std::array<std::uint8_t, 32>> waiting_logged_;  // source packets whose wait was logged (once each)
  std::set<domain::PacketId> unanchored_;  // timeouts already reported without a usable anchor (logged once)
  std::map<std::string, std::shared_ptr<adapters::ChainAdapter>> adapters_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> stopping_{false};
  bool started_ = false;
};

// Operator withhold (config [adapters] withhold = ["<dest island>/<dest channel>"]): wraps a destination
// adapter so that submit_delivery of a packet to a withheld destination channel end is refused
// (ERR_UNAUTHORIZED "withheld by the operator") without touching the chain; everything else passes through.
// Such packets stay attested and, once timed out, are refunded through the timeout path.
std::shared_ptr<adapters::ChainAdapter> withhold_deliveries(std::shared_ptr<adapters::ChainAdapter> inner,
                                                            std::set<std::string> withheld);

}  // namespace causeway::engine
