// Group commit: see causeway/store/group_commit.hpp for the contract.
#include "causeway/store/group_commit.hpp"

#include <exception>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace causeway::store {

namespace {

// The writer thread's SAVEPOINT / RELEASE / ROLLBACK TO statements, prepared once per writer thread (at first
// use) and reused: Database::exec() would parse and compile the SQL text again for every change — twice per
// change in batches of hundreds. Same SQL, same semantics as exec("SAVEPOINT gc_change") etc. They live in
// loop()'s frame, so they are finalized when the writer thread ends, before stop() returns (the Database
// outlives the committer). A statement that failed to prepare is prepared again at its next use.
constexpr const char* kSql[] = {"SAVEPOINT gc_change", "RELEASE gc_change", "ROLLBACK TO gc_change"};

class Savepoints {
 public:
  enum Which { Begin = 0, Release = 1, RollbackTo = 2 };
  explicit Savepoints(Database& db) : db_(&db) {}
  bool for_db(const Database& db) const noexcept { return db_ == &db; }
  Status run(Which which) {
    auto& slot = stmts_[which];
    if (!slot) {
      auto p = db_->prepare(kSql[which]);
      if (!p) return tl::unexpected<Error>(std::move(p.error()));
      slot.emplace(std::move(*p));
    }
    Status s = slot->run();
    slot->reset();
    return s;
  }

 private:
  Database* db_;
  std::optional<Statement> stmts_[3];
};

thread_local Savepoints* t_savepoints = nullptr;  // the current writer thread's, set by loop()

Status savepoint(Database& db, Savepoints::Which which) {
  if (t_savepoints == nullptr || !t_savepoints->for_db(db)) return db.exec(kSql[which]);
  return t_savepoints->run(which);
}

}  // namespace

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
  Savepoints savepoints(*db_);
  t_savepoints = &savepoints;
  struct Clear {
    ~Clear() { t_savepoints = nullptr; }
  } clear;
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
      if (auto s = savepoint(*db_, Savepoints::Begin); !s) {
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
        auto u = savepoint(*db_, Savepoints::RollbackTo);
        if (u) u = savepoint(*db_, Savepoints::Release);
        if (!u) r = tl::unexpected<Error>(u.error());
      } else if (auto rel = savepoint(*db_, Savepoints::Release); !rel) {
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
