// `causeway bench relay-core`: see bench_relay_core.hpp.
#include "bench_relay_core.hpp"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <stdexcept>

#include "causeway/core/hash.hpp"
#include "causeway/core/secp256k1.hpp"
#include "causeway/engine/relay.hpp"
#include "causeway/proofs/bundle.hpp"
#include "causeway/store/sqlite.hpp"
#include "relay_workload.hpp"

namespace causeway::app {
namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::uint64_t wall_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

// Pins the calling process (all its threads, present and future) to one CPU; returns false if not possible.
bool pin_one_core() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return false;
  std::size_t first = CPU_SETSIZE;
  for (std::size_t i = 0; i < CPU_SETSIZE; ++i)
    if (CPU_ISSET(i, &set)) {
      first = i;
      break;
    }
  if (first == CPU_SETSIZE) return false;
  CPU_ZERO(&set);
  CPU_SET(first, &set);
  return sched_setaffinity(0, sizeof set, &set) == 0;
}

double sign_rate(std::size_t n) {
  const Hash32 seed = sha256(Bytes{'k'});
  const auto sk = secp256k1::parse_secret_key(seed.view()).value();
  Hash32 d = sha256(Bytes{'d'});
  std::uint8_t sink = 0;
  const auto t0 = Clock::now();
  for (std::size_t i = 0; i < n; ++i) {
    d.b[0] = static_cast<std::uint8_t>(i);
    d.b[1] = static_cast<std::uint8_t>(i >> 8);
    sink ^= secp256k1::sign_rsv(d, sk).value()[0];
  }
  const double s = since(t0);
  if (sink == 0x5a) std::fprintf(stderr, " ");
  return static_cast<double>(n) / s;
}

// Rows shaped like a packet row (identity, commitment, ~400 bytes of packet), `batch` per transaction.
double sqlite_insert_rate(const std::string& dir, std::size_t n, std::size_t batch) {
  auto db = store::Database::open(dir + "/sqlite-limit.db");
  if (!db) throw std::runtime_error(db.error().detail);
  if (auto s = db->exec("CREATE TABLE t(id INTEGER PRIMARY KEY, island TEXT, channel TEXT, seq INTEGER, "
                        "commitment BLOB, packet BLOB, UNIQUE(island, channel, seq))");
      !s)
    throw std::runtime_error(s.error().detail);
  auto st = db->prepare("INSERT INTO t(island, channel, seq, commitment, packet) VALUES(?1, ?2, ?3, ?4, ?5)");
  const Bytes packet(416, 0x42);
  const auto t0 = Clock::now();
  for (std::size_t i = 0; i < n;) {
    auto tx = store::Transaction::begin(*db);
    for (std::size_t j = 0; j < batch && i < n; ++j, ++i) {
      st->reset();
      (void)st->bind_text(1, "cwdevnet:cw-src");
      (void)st->bind_text(2, "channel-0");
      (void)st->bind_int64(3, static_cast<std::int64_t>(i + 1));
      Hash32 c = sha256(Bytes{static_cast<std::uint8_t>(i), static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i >> 16)});
      (void)st->bind_blob(4, c.view());
      (void)st->bind_blob(5, packet);
      if (auto r = st->run(); !r) throw std::runtime_error(r.error().detail);
    }
    if (auto c = tx->commit(); !c) throw std::runtime_error(c.error().detail);
  }
  return static_cast<double>(n) / since(t0);
}

struct Run {
  double packets_per_s, sign_per_s, insert_per_s, avg_batch, verify_per_s;
  double header_carrying_per_s, normal_sync_per_s;
};

// relay/proofs::verify_bundle alone (parse + schema + validator set + inclusion), the intake's first stage.
double verify_rate(const Workload& w, std::size_t n) {
  std::size_t done = 0;
  const auto now_s = static_cast<std::int64_t>(wall_ms() / 1000);
  const auto t0 = Clock::now();
  for (const auto& b : w.bundles) {
    if (done == n) break;
    if (b.opener) continue;
    if (proofs::verify_bundle(b.bundle, nullptr, now_s).exit_code != 0) throw std::runtime_error("bench bundle invalid");
    ++done;
  }
  return static_cast<double>(done) / since(t0);
}

Run one_run(const Workload& w, const Workload& carrying, std::size_t batch, const std::string& dir) {
  Run r{};
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  r.sign_per_s = sign_rate(20'000);
  r.insert_per_s = sqlite_insert_rate(dir, w.bundles.size(), batch);
  r.verify_per_s = verify_rate(w, 2000);
  const RelayIntake realistic = run_relay_intake(w, batch, dir + "/relay", store::Synchronous::Full);
  r.packets_per_s = realistic.packets_per_s;
  r.avg_batch = realistic.avg_batch;
  r.header_carrying_per_s = run_relay_intake(carrying, batch, dir + "/relay-carrying", store::Synchronous::Full).packets_per_s;
  r.normal_sync_per_s = run_relay_intake(w, batch, dir + "/relay-normal", store::Synchronous::Normal).packets_per_s;
  return r;
}

}  // namespace

// See bench_relay_core.hpp.
engine::RelayOptions relay_bench_options(const Workload& w, std::size_t batch, const std::string& dir,
                                         store::Synchronous sync) {
  engine::RelayOptions opt;
  opt.data_dir = dir;
  opt.config = w.config;
  opt.synchronous = sync;
  opt.commit.max_batch = batch;
  opt.commit.max_wait = std::chrono::microseconds(2000);
  opt.log = [](const std::string&) {};
  return opt;
}

RelayIntake run_relay_intake(const Workload& w, std::size_t batch, const std::string& dir, store::Synchronous sync) {
  std::filesystem::remove_all(dir);
  auto relay = engine::Relay::open(relay_bench_options(w, batch, dir, sync));
  if (!relay) throw std::runtime_error("relay: " + relay.error().detail);

  std::mutex mu;
  std::condition_variable cv;
  std::size_t done = 0;
  std::string first_error;
  auto finish = [&](Result<engine::PacketView> res) {
    std::lock_guard lock(mu);
    if (!res && first_error.empty()) first_error = std::string(code_name(res.error().code)) + ": " + res.error().detail;
    ++done;
    cv.notify_all();
  };
  const auto t0 = Clock::now();
  std::size_t submitted = 0;
  for (std::size_t i = 0; i < w.bundles.size(); ++i) {
    const auto& b = w.bundles[i];
    if (b.opener) {  // the block's anchor must be held before its other bundles verify: wait for the opener
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return done == submitted; });
      lock.unlock();
      ++submitted;
      (*relay)->submit_bundle_async(b.bundle, finish);
      lock.lock();
      cv.wait(lock, [&] { return done == submitted; });
      continue;
    }
    ++submitted;
    (*relay)->submit_bundle_async(b.bundle, finish);
  }
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return done == submitted; });
  }
  const double secs = since(t0);
  if (!first_error.empty()) throw std::runtime_error("relay refused a bench packet: " + first_error);
  RelayIntake r;
  const auto stats = (*relay)->commit_stats();
  r.avg_batch = stats.batches ? static_cast<double>(stats.changes) / static_cast<double>(stats.batches) : 0;
  r.packets_per_s = static_cast<double>(w.bundles.size()) / secs;
  r.packets_in_relay = (*relay)->packet_count();
  (*relay)->stop();
  return r;
}

std::vector<BenchFigure> bench_relay_core(std::size_t packets, std::size_t per_block, std::size_t batch, int runs) {
  cpu_set_t original;
  CPU_ZERO(&original);
  const bool had_mask = sched_getaffinity(0, sizeof original, &original) == 0;
  struct Restore {
    bool on;
    cpu_set_t* mask;
    ~Restore() {
      if (on) sched_setaffinity(0, sizeof *mask, mask);
    }
  } restore{had_mask, &original};
  const bool pinned = pin_one_core();
  const Workload w = make_relay_workload(packets, per_block, wall_ms());
  // The same chain shape, but every bundle anchored one block back and carrying its header + commit.
  const std::size_t carrying_packets = std::max<std::size_t>(std::min<std::size_t>(packets, 5000), 1);
  const Workload carrying = make_relay_workload(carrying_packets, per_block, wall_ms(), false, {}, true);
  const std::string dir = (std::filesystem::temp_directory_path() / ("causeway-bench-relay-core-" + std::to_string(::getpid()))).string();
  std::vector<double> pps, sign, ins, avg, ver, carry, normal;
  for (int i = 0; i < runs; ++i) {
    const Run r = one_run(w, carrying, batch, dir);
    carry.push_back(r.header_carrying_per_s);
    normal.push_back(r.normal_sync_per_s);
    pps.push_back(r.packets_per_s);
    sign.push_back(r.sign_per_s);
    ins.push_back(r.insert_per_s);
    avg.push_back(r.avg_batch);
    ver.push_back(r.verify_per_s);
  }
  std::filesystem::remove_all(dir);
  const nlohmann::json extra = {{"committee", "k=n=1"},
                                {"batch_max", batch},
                                {"batch_avg", median(avg)},
                                {"packets_per_block", per_block},
                                {"one_core", pinned},
                                {"threads", "the caller verifies bundles, the group-commit writer commits; both pinned to one CPU"},
                                {"anchors", "held consensus states: only the opener of each block carries a header"},
                                {"synchronous", "FULL"},
                                {"runs", runs},
                                {"goal", 10000}};
  std::vector<BenchFigure> out;
  out.push_back(BenchFigure{"relay-core", "secp256k1_sign_per_s", "1/s", median(sign), "", 0, 1, 20'000, {}});
  out.push_back(BenchFigure{"relay-core", "sqlite_batched_insert_per_s", "1/s", median(ins), "", 0, 1, packets,
                            {{"batch", batch}}});
  out.push_back(BenchFigure{"relay-core", "bundles_verified_per_s", "1/s", median(ver), "", 0, 1, 2000,
                            {{"stage", "relay/proofs::verify_bundle alone"}}});
  out.push_back(BenchFigure{"relay-core", "packets_proven_attested_committed_per_s", "1/s", median(pps),
                            "secp256k1_sign_per_s", median(sign), 1, packets, extra});
  out.push_back(BenchFigure{"relay-core", "packets_header_carrying_per_s", "1/s", median(carry), "secp256k1_sign_per_s",
                            median(sign), 1, carrying_packets,
                            {{"anchors", "every bundle anchored one block back, carrying its header and commit (4 "
                                         "validators, quorum 3: 3 signature verifications per packet)"},
                             {"packets_per_block", per_block},
                             {"batch_max", batch},
                             {"synchronous", "FULL"}}});
  out.push_back(BenchFigure{"relay-core", "packets_synchronous_normal_per_s", "1/s", median(normal),
                            "secp256k1_sign_per_s", median(sign), 1, packets,
                            {{"synchronous", "NORMAL (informational: may lose the last commits on power loss)"},
                             {"packets_per_block", per_block},
                             {"batch_max", batch}}});
  return out;
}

}  // namespace causeway::app
