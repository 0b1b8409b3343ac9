// Group commit (issue #5 "relay/store"; DESIGN.md §3 rule 4 "one writer"): one writer thread owns the
// database connection; callers enqueue changes and are acknowledged only after the COMMIT that holds their
// change returned (durable at the connection's synchronous level, FULL by default).
//
// Batching: the writer takes up to Options::max_batch queued changes (waiting at most Options::max_wait for
// more once it has one), opens BEGIN IMMEDIATE, runs each change inside its own SAVEPOINT, and COMMITs once.
// A change that returns an error (or throws) is rolled back to its savepoint — it alone; the batch's other
// changes commit. If the COMMIT itself fails, every change of the batch gets that error and nothing of the
// batch is in the database. After the commit (or its failure) the writer calls each change's `done` callback
// in enqueue order with the change's own result, then the `after_batch` hook (Options) once.
//
// Changes run on the writer thread, one at a time, with the Database and the open Transaction (so
// audit::AuditLog::append can join it). They must not begin or commit transactions themselves.
//
// Thread-safety: submit()/submit_async() may be called from any thread; the Database passed to start() must
// not be used by anyone else until stop() returned (the destructor stops). stop() drains the queue: every
// change already accepted is run and answered.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

#include "causeway/core/error.hpp"
#include "causeway/store/sqlite.hpp"

namespace causeway::store {

class GroupCommitter {
 public:
  using Change = std::function<Status(Database&, Transaction&)>;
  using Done = std::function<void(Status)>;

  struct Options {
    std::size_t max_batch = 1024;                          // changes per transaction at most (≥ 1)
    // How long the writer, once it holds a change, waits for more before it begins a batch. 0 (the default):
    // none — a batch is whatever queued while the previous one was written, so the writer never idles with
    // work queued. With many concurrent submitters (the gateway) any wait cost more than it saved: the writer
    // is the serial stage, and waiting 1–2 ms per batch held every waiting request (bench gateway 5,047 vs
    // 3,435 packets/s, docs/benchmarks.md). A caller that shares one CPU with the writer may want one.
    std::chrono::microseconds max_wait{0};
    std::function<void(bool committed)> after_batch{};    // writer thread, after every batch's callbacks
  };

  struct Stats {
    std::uint64_t batches = 0;
    std::uint64_t changes = 0;
    std::uint64_t failed_changes = 0;
    std::uint64_t failed_commits = 0;
  };

  // Starts the writer thread on `db` (which must outlive this object).
  GroupCommitter(Database& db, Options options);
  ~GroupCommitter();
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Enqueues `change`; `done` is called on the writer thread with its result after the batch's COMMIT (or
  // with ERR_STORE_IO "shutting down" when the committer was already stopped). `done` must not block long.
  void submit_async(Change change, Done done);
  // Enqueues `change` and returns a future resolved after the COMMIT that holds it.
  std::future<Status> submit(Change change);
  // Runs `change` alone in its own transaction and waits (tests, start-up writes).
  Status run(Change change) { return submit(std::move(change)).get(); }

  // Drains the queue and joins the writer. Idempotent.
  void stop();
  Stats stats() const;

 private:
  struct Item {
    Change change;
    Done done;
  };
  void loop();
  void run_batch(std::deque<Item>& batch);

  Database* db_;
  Options options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  bool stopping_ = false;
  Stats stats_;
  std::thread writer_;
};

}  // namespace causeway::store
