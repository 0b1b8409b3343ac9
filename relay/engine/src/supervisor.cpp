// The delivery supervisor: see causeway/engine/supervisor.hpp.
#include "causeway/engine/supervisor.hpp"

#include <algorithm>
#include <chrono>

namespace causeway::engine {

Supervisor::Supervisor(Relay& relay, Options options) : relay_(relay), options_(options) {}
Supervisor::~Supervisor() { stop(); }

void Supervisor::add_adapter(std::shared_ptr<adapters::ChainAdapter> adapter) {
  auto w = std::make_unique<Worker>();
  const std::string island = adapter->island();
  w->adapter = std::move(adapter);
  workers_[island] = std::move(w);
}

void Supervisor::start() {
  if (started_) return;
  started_ = true;
  relay_.set_outbox_listener([this](const std::string& dest) {
    auto it = workers_.find(dest);
    if (it == workers_.end()) return;
    std::lock_guard lock(it->second->mu);
    it->second->wake = true;
    it->second->cv.notify_one();
  });
  for (auto& [island, w] : workers_) {
    Worker* raw = w.get();
    w->thread = std::thread([this, raw] { work(*raw); });
  }
}

void Supervisor::stop() {
  if (!started_) return;
  relay_.set_outbox_listener({});
  stopping_ = true;
  for (auto& [island, w] : workers_) {
    {
      std::lock_guard lock(w->mu);
      w->wake = true;
      w->cv.notify_one();
    }
    if (w->thread.joinable()) w->thread.join();
  }
  started_ = false;
}

void Supervisor::work(Worker& w) {
  const std::string island = w.adapter->island();
  while (!stopping_) {
    const std::size_t n = run_round(island);
    if (n > 0) continue;
    std::unique_lock lock(w.mu);
    w.cv.wait_for(lock, std::chrono::milliseconds(options_.idle_ms), [&] { return w.wake || stopping_.load(); });
    w.wake = false;
  }
}

std::size_t Supervisor::run_round(const std::string& island) {
  auto it = workers_.find(island);
  if (it == workers_.end()) return 0;
  auto due = relay_.due_deliveries(island, options_.batch);
  std::size_t acted = 0;
  std::vector<std::future<Status>> writes;
  for (const auto& d : due) {
    if (stopping_) break;
    deliver_one(*it->second->adapter, d, writes);
    ++acted;
  }
  for (auto& w : writes) (void)w.get();  // the round's records share group commits; all durable before the next round
  return acted;
}

void Supervisor::deliver_one(adapters::ChainAdapter& adapter, const DueDelivery& d,
                             std::vector<std::future<Status>>& writes) {
  const auto backoff = [&](std::uint32_t attempts) {
    const std::uint32_t shift = std::min<std::uint32_t>(attempts, 20);
    return std::min<std::uint64_t>(options_.backoff_max_ms, options_.backoff_base_ms << shift);
  };
  // 1. Reconcile first (A27, A30).
  ++counters_.lookups;
  auto found = adapter.lookup_delivery(d.delivery.commitment, d.submitted_tx);
  if (!found) {
    ++counters_.failed_attempts;
    writes.push_back(relay_.record_failed_attempt_async(d.id, found.error(), relay_.now_ms() + backoff(d.attempts)));
    return;
  }
  if (found->received) {
    const bool by_us = !d.submitted_tx.empty() && found->tx == d.submitted_tx;
    ++(by_us ? counters_.delivered_by_us : counters_.delivered_by_others);
    writes.push_back(relay_.record_delivered_async(d.id, *found, by_us));
    // Ordered channels: the next sequence becomes ready only once this delivery is recorded (A24).
    if (d.ordered) {
      (void)writes.back().get();
      writes.pop_back();
    }
    return;
  }
  // 2. Our last transaction is out but not yet included (an adapter that does not wait for receipts, so one
  //    round sends many deliveries): wait kInclusionRounds rounds since THAT submit before sending again, so that
  //    one delivery is not sent (and paid for) twice (A30); after them it is submitted anew (a dropped
  //    transaction). Every round records one attempt, so the rounds since the submit are attempts − submit_attempts.
  if (awaiting_inclusion(d.submitted_tx, d.attempts, d.submit_attempts)) {
    ++counters_.waits;
    writes.push_back(relay_.record_failed_attempt_async(d.id, Error{Code::RpcTimeout, "awaiting inclusion", ""},
                                                        relay_.now_ms() + options_.backoff_base_ms));
    return;
  }
  // 3. Ordered channels: wait for the earlier sequence (A24; retried next round). Any other refusal
  //    (ERR_CHANNEL_CLOSED / ERR_CHANNEL_HALTED / ERR_CLIENT_FROZEN …) is recorded as a failed attempt with the
  //    usual backoff: the packet stays due (a delivery made meanwhile is still found by the look-up above, A27)
  //    but is looked up ever more slowly, not every round.
  if (auto ready = relay_.ready_to_submit(d.id); !ready) {
    ++counters_.waits;
    if (ready.error().code != Code::PacketSequence)
      writes.push_back(relay_.record_failed_attempt_async(d.id, ready.error(), relay_.now_ms() + backoff(d.attempts)));
    return;
  }
  // 4. Submit.
  ++counters_.submits;
  auto sub = adapter.submit_delivery(d.delivery);
  if (!sub) {
    ++counters_.failed_attempts;
    writes.push_back(relay_.record_failed_attempt_async(d.id, sub.error(), relay_.now_ms() + backoff(d.attempts)));
    return;
  }
  writes.push_back(relay_.record_submitted_async(d.id, sub->tx));
}

}  // namespace causeway::engine
