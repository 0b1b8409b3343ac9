// Group commit: see causeway/store/group_commit.hpp for the contract.
#include "causeway/store/group_commit.hpp"

#include <exception>
#include <string>
#include <utility>
#include <vector>

namespace causeway::store {

GroupCommitter::GroupCommitter(Database& db, Options options) : db_(&db), options_(std::move(options)) {
  if (options_.max_batch == 0) options_.max_batch = 1;
  writer_ = std::thread([this] { loop(); });
}

GroupCommitter::~GroupCommitter() { stop(); }

void GroupCommitter::submit_async(Change change, Done done) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      queue_.push_back(Item{std::move(change), std::move(done)});
      cv_.notify_one();
      return;
    }
  }
  if (done) done(fail(Code::StoreIo, "the store is shutting down"));
}

std::future<Status> GroupCommitter::submit(Change change) {
  auto promise = std::make_shared<std::promise<Status>>();
  auto future = promise->get_future();
  submit_async(std::move(change), [promise](Status s) { promise->set_value(std::move(s)); });
  return future;
}

void GroupCommitter::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !writer_.joinable()) return;
    stopping_ = true;
    cv_.notify_all();
  }
  if (writer_.joinable() && writer_.get_id() != std::this_thread::get_id()) writer_.join();
}

GroupCommitter::Stats GroupCommitter::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void GroupCommitter::loop() {
  for (;;) {
    std::deque<Item> batch;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      // Wait a little for company unless the batch is already full or we are draining.
      if (queue_.size() < options_.max_batch && !stopping_ && options_.max_wait.count() > 0) {
        cv_.wait_for(lock, options_.max_wait,
                     [this] { return stopping_ || queue_.size() >= options_.max_batch; });
      }
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    run_batch(batch);
  }
}

void GroupCommitter::run_batch(std::deque<Item>& batch) {
  std::vector<Status> results(batch.size());
  bool committed = false;
  std::uint64_t failed = 0;
  auto tx = Transaction::begin(*db_);
  if (!tx) {
    for (auto& r : results) r = tl::unexpected<Error>(tx.error());
  } else {
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (auto s = db_->exec("SAVEPOINT gc_change"); !s) {
        results[i] = s;
        ++failed;
        continue;
      }
      Status r;
      try {
        r = batch[i].change(*db_, *tx);
      } catch (const std::exception& e) {
        r = fail(Code::StoreIo, std::string("change threw: ") + e.what());
      } catch (...) {
        r = fail(Code::StoreIo, "change threw");
      }
      if (!r) {
        ++failed;
        // Undo this change only; the savepoint itself is then released (it is still open after ROLLBACK TO).
        if (auto u = db_->exec("ROLLBACK TO gc_change; RELEASE gc_change"); !u) r = tl::unexpected<Error>(u.error());
      } else if (auto rel = db_->exec("RELEASE gc_change"); !rel) {
        r = rel;
        ++failed;
      }
      results[i] = std::move(r);
    }
    if (auto c = tx->commit(); !c) {
      for (auto& r : results)
        if (r) r = c;
      (void)tx->rollback();  // before any caller hears of it
    } else {
      committed = true;
    }
  }
  {
    std::lock_guard lock(mu_);
    ++stats_.batches;
    stats_.changes += batch.size();
    stats_.failed_changes += failed;
    if (!committed) ++stats_.failed_commits;
  }
  for (std::size_t i = 0; i < batch.size(); ++i)
    if (batch[i].done) batch[i].done(std::move(results[i]));
  if (options_.after_batch) options_.after_batch(committed);
}

}  // namespace causeway::store
