// `causeway bench NAME [--json] [--runs N]`: each figure beside the machine's own limit, measured in the same
// run (DESIGN.md §5). Benches: bitcoin-headers, eth-proofs, eth-headers, bft-headers, chainmaker-blocks, all (those five;
// chainmaker-blocks when the shared vectors are present); peers (separate:
// Causeway beside @ethereumjs/trie under node); e2e (separate: two anvil chains and the whole relay, bench_e2e.hpp).
#include <chrono>
#include <filesystem>
#include <functional>
#include <iostream>
#include <unistd.h>

#include "bench_bft.hpp"
#include "bench_chainmaker.hpp"
#include "bench_e2e.hpp"
#include "bench_gateway.hpp"
#include "bench_ethereum.hpp"
#include "bench_peers.hpp"
#include "bench_relay_core.hpp"
#include "relay_workload.hpp"
#include "bench_report.hpp"
#include "causeway/bitcoin/chain.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/store/header_store.hpp"
#include "causeway/store/sqlite.hpp"
#include "commands.hpp"
#include "header_rows.hpp"
#include "regtest_miner.hpp"

namespace causeway::app {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

struct HeaderBenchRun {
  double dsha_per_s, verified_per_s, persisted_per_s, insert_per_s;
};

// One run of bitcoin-headers over `blocks` (already mined). Every rate is measured in this run.
HeaderBenchRun run_bitcoin_headers(const std::vector<MinedBlock>& blocks, const bitcoin::RawHeader& genesis,
                                   std::size_t batch, const std::filesystem::path& dir) {
  HeaderBenchRun r{};
  const auto& params = bitcoin::regtest_params();
  const std::int64_t now_s = 4'000'000'000;  // far enough ahead of every mined time (seconds)

  bitcoin::Anchor anchor;
  anchor.header.assign(genesis.begin(), genesis.end());

  // Limit 1 (raw double-SHA-256 of the same 80-byte headers) and verified headers in memory, measured in
  // alternating slices of 10,000 headers so that load from other processes falls on both alike.
  {
    auto chain = bitcoin::HeaderChain::create(params, anchor);
    chain->reserve(blocks.size() + 1);
    double sha_s = 0, verify_s = 0;
    std::uint8_t sink = 0;
    constexpr std::size_t kSlice = 10'000;
    for (std::size_t start = 0; start < blocks.size(); start += kSlice) {
      const std::size_t end = std::min(blocks.size(), start + kSlice);
      auto t0 = Clock::now();
      for (std::size_t i = start; i < end; ++i) sink ^= sha256d(blocks[i].header).b[0];
      sha_s += seconds_since(t0);
      t0 = Clock::now();
      for (std::size_t i = start; i < end; ++i)
        if (!chain->add_header(blocks[i].header, now_s)) throw std::runtime_error("bench chain rejected a header");
      verify_s += seconds_since(t0);
    }
    if (sink == 0xff) std::cerr << "";  // keeps the hashing loop from being optimized away
    r.dsha_per_s = static_cast<double>(blocks.size()) / sha_s;
    r.verified_per_s = static_cast<double>(blocks.size()) / verify_s;
  }

  // Verified + persisted, in batches, through the header store.
  {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    auto db = store::Database::open((dir / "verified.db").string());
    if (!db) throw std::runtime_error("cannot open bench db: " + db.error().detail);
    auto hs = store::HeaderStore::open(*db);
    if (!hs) throw std::runtime_error(hs.error().detail);
    auto chain = bitcoin::HeaderChain::create(params, anchor);
    chain->reserve(blocks.size() + 1);
    std::vector<store::HeaderRow> rows;
    rows.reserve(batch);
    auto t0 = Clock::now();
    for (std::size_t i = 0; i < blocks.size(); ++i) {
      auto added = chain->add_header(blocks[i].header, now_s);
      if (!added) throw std::runtime_error("bench chain rejected a header");
      rows.push_back(header_row(*chain, added->hash));
      if (rows.size() == batch || i + 1 == blocks.size()) {
        if (auto ok = hs->put_headers("bench", rows); !ok) throw std::runtime_error(ok.error().detail);
        rows.clear();
      }
    }
    r.persisted_per_s = static_cast<double>(blocks.size()) / seconds_since(t0);
  }

  // Limit 2: the same rows, already built, inserted in the same batches into an identically shaped table
  // of a fresh database (relay/store's raw-insert bench path).
  {
    auto chain = bitcoin::HeaderChain::create(params, anchor);
    std::vector<store::HeaderRow> all;
    all.reserve(blocks.size());
    for (const auto& b : blocks) all.push_back(header_row(*chain, chain->add_header(b.header, now_s)->hash));
    auto db = store::Database::open((dir / "raw.db").string());
    if (!db) throw std::runtime_error("cannot open bench db: " + db.error().detail);
    if (auto ok = store::prepare_raw_insert_bench(*db); !ok) throw std::runtime_error(ok.error().detail);
    auto t0 = Clock::now();
    for (std::size_t i = 0; i < all.size(); i += batch) {
      std::span<const store::HeaderRow> chunk(all.data() + i, std::min(batch, all.size() - i));
      if (auto ok = store::raw_insert_bench_rows(*db, "bench", chunk); !ok) throw std::runtime_error(ok.error().detail);
    }
    r.insert_per_s = static_cast<double>(all.size()) / seconds_since(t0);
  }
  std::filesystem::remove_all(dir);
  return r;
}

std::vector<BenchFigure> bench_bitcoin_headers(std::size_t n, int runs, std::size_t batch) {
  const auto genesis = regtest_genesis();
  const auto blocks = mine_regtest(bitcoin::regtest_params(), genesis, n, 0);
  const auto dir = std::filesystem::temp_directory_path() / ("causeway-bench-" + std::to_string(getpid()));
  std::vector<double> dsha, verified, persisted, insert;
  for (int i = 0; i < runs; ++i) {
    auto r = run_bitcoin_headers(blocks, genesis, batch, dir);
    dsha.push_back(r.dsha_per_s);
    verified.push_back(r.verified_per_s);
    persisted.push_back(r.persisted_per_s);
    insert.push_back(r.insert_per_s);
  }
  nlohmann::json extra = {{"runs", runs}, {"batch", batch}, {"network", "regtest"}};
  BenchFigure mem{"bitcoin-headers", "verified_headers_per_s", "1/s", median(verified), "dsha256_80B_per_s",
                  median(dsha), 1, n, extra};
  mem.extra["goal"] = 0.5;
  BenchFigure disk{"bitcoin-headers", "verified_persisted_headers_per_s", "1/s", median(persisted),
                   "sqlite_batched_insert_rows_per_s", median(insert), 1, n, extra};
  disk.extra["goal"] = 0.5;
  disk.extra["synchronous"] = "FULL";
  return {mem, disk};
}

}  // namespace

void add_bench_commands(CLI::App& app, int& exit_code) {
  auto* bench = app.add_subcommand(
      "bench", "Benchmarks: each figure beside the machine's own limit measured in the same run");
  bench->require_subcommand(1);
  static bool json = false;
  static int runs = 1;
  static std::size_t headers = 200'000, batch = 10'000;
  bench->fallthrough();  // --json and --runs may follow the bench name
  bench->add_flag("--json", json, "One JSON object per line");
  bench->add_option("--runs", runs, "Runs per figure; the median is printed")->check(CLI::Range(1, 15));

  auto run = [&exit_code](const std::function<std::vector<BenchFigure>()>& bench_fn) {
    try {
      print_figures(bench_fn(), json);
      exit_code = 0;
    } catch (const std::exception& e) {
      std::cerr << "causeway bench: " << e.what() << "\n";
      exit_code = 1;
    }
  };
  auto* btc = bench->add_subcommand("bitcoin-headers",
                                    "Regtest header chain: raw SHA256d rate, verified headers/s in memory, "
                                    "verified + persisted headers/s vs SQLite batched inserts");
  btc->add_option("--headers", headers, "Headers in the chain")->check(CLI::Range(1000, 5'000'000));
  btc->add_option("--batch", batch, "Headers per SQLite transaction")->check(CLI::Range(1, 1'000'000));
  btc->callback([run] { run([] { return bench_bitcoin_headers(headers, runs, batch); }); });

  static std::size_t receipts = 500, eth_headers = 300;
  auto* proofs = bench->add_subcommand("eth-proofs",
                                       "Receipt proofs verified/s (one block, a proof per receipt) vs Keccak-256 "
                                       "over the same proof nodes");
  proofs->add_option("--receipts", receipts, "Receipts in the block")->check(CLI::Range(10, 100'000));
  proofs->callback([run] { run([] { return bench_eth_proofs(receipts, runs); }); });

  auto* eh = bench->add_subcommand("eth-headers",
                                   "QBFT headers verified/s (4 and 21 validators, minimal quorum of seals) vs "
                                   "secp256k1 recovery rate / quorum");
  eh->add_option("--headers", eth_headers, "Sealed headers per chain")->check(CLI::Range(10, 100'000));
  eh->callback([run] { run([] { return bench_eth_headers(eth_headers, runs); }); });

  static std::string bft_crypto = "secp256k1-sha256";
  static std::size_t bft_signatures = 12'000;
  auto* bh = bench->add_subcommand("bft-headers",
                                   "causeway-devnet/v1 headers verified/s through the BFT light client (4, 21, 100 "
                                   "validators; minimal quorum of signatures) vs the suite's verify rate / quorum, "
                                   "on 1 and 2 threads");
  bh->add_option("--crypto", bft_crypto, "Crypto suite: secp256k1-sha256 | sm2-sm3")
      ->check(CLI::IsMember({"secp256k1-sha256", "sm2-sm3"}));
  bh->add_option("--signatures", bft_signatures, "Signature verifications per run and validator-set size")
      ->check(CLI::Range(1000, 10'000'000));
  bh->callback([run] { run([] { return bench_bft_headers(bft_crypto, bft_signatures, runs); }); });

  static std::string cm_vectors;
  auto* cmb = bench->add_subcommand("chainmaker-blocks",
                                    "Real ChainMaker v2.3.2 blocks (hash + proposer signature + TBFT QC) verified/s vs "
                                    "the P-256 verify rate / signatures per block (proposer + quorum votes); "
                                    "verified-certificate cache on");
  cmb->add_option("--vectors", cm_vectors, "Shared vectors folder (default $CAUSEWAY_VECTORS, else the configured one)");
  cmb->callback([run] {
    run([] { return bench_chainmaker_blocks(cm_vectors.empty() ? default_vectors_dir() : std::filesystem::path(cm_vectors), runs); });
  });

  static std::string tools;
  auto* peers = bench->add_subcommand("peers",
                                      "The eth-proofs receipt proofs verified by Causeway and by @ethereumjs/trie "
                                      "(node) in the same run; not part of `all`");
  peers->add_option("--receipts", receipts, "Receipts in the block")->check(CLI::Range(10, 100'000));
  peers->add_option("--tools", tools, "Folder of the pinned npm tools (default $CAUSEWAY_TOOLS, else <repo>/tools)");
  peers->callback([run] {
    run([] { return bench_peers(receipts, runs, tools.empty() ? default_tools_dir() : std::filesystem::path(tools)); });
  });

  static std::size_t rc_packets = 20'000, rc_per_block = 1000, rc_batch = 1024;
  static std::string rc_emit;
  auto* rc = bench->add_subcommand("relay-core",
                                   "Packets/s proven (bundle + Merkle proof verified) + attested (k = n = 1) + durably "
                                   "committed with audit entries, on one core, vs raw secp256k1 sign and SQLite "
                                   "batched insert rates");
  rc->add_option("--packets", rc_packets, "Packets per run")->check(CLI::Range(100, 1'000'000));
  rc->add_option("--per-block", rc_per_block, "Sent packets per source block")->check(CLI::Range(1, 100'000));
  rc->add_option("--batch", rc_batch, "Group commit: changes per transaction at most")->check(CLI::Range(1, 100'000));
  rc->add_option("--emit-workload", rc_emit, "Write the workload (config.json, bundles.jsonl) to DIR and exit "
                                             "(the crash harness uses it)");
  rc->callback([run, &exit_code] {
    if (!rc_emit.empty()) {
      try {
        write_relay_workload(make_relay_workload(rc_packets, rc_per_block,
                                                 static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                     std::chrono::system_clock::now().time_since_epoch()).count())),
                             rc_emit);
        exit_code = 0;
      } catch (const std::exception& e) {
        std::cerr << "causeway bench relay-core: " << e.what() << "\n";
        exit_code = 1;
      }
      return;
    }
    run([] { return bench_relay_core(rc_packets, rc_per_block, rc_batch, runs); });
  });

  static E2eOptions e2e;
  auto* e2e_cmd = bench->add_subcommand("e2e",
                                        "ERC-20 transfers A -> B through the whole relay (lifecycle + supervisor "
                                        "threads) on two real anvil chains: packets/s and latency from the source "
                                        "block / the relay's intake to the destination receipt (p50/p99); not part "
                                        "of `all`");
  auto* e2e_anvil = e2e_cmd->add_option("--anvil", e2e.anvil,
                                        "anvil binary (default $CAUSEWAY_ANVIL, else tools/node_modules/.bin/anvil)");
  e2e_cmd->add_option("--packets", e2e.packets, "Transfers in total")->capture_default_str()->check(CLI::Range(1, 100'000));
  e2e_cmd->add_option("--senders", e2e.senders, "Sender threads/accounts, each sending one transfer per block")
      ->check(CLI::Range(1, 64))->capture_default_str();
  e2e_cmd->add_option("--block-time-s", e2e.block_time_s, "anvil --block-time (seconds)")->capture_default_str()->check(CLI::Range(1, 60));
  e2e_cmd->add_option("--confirmations", e2e.confirmations,
                      "Blocks below the tip before a sent packet is proven (as [[adapters.islands]] confirmations)")
      ->check(CLI::Range(0, 64))->capture_default_str();
  e2e_cmd->add_flag("--keep", e2e.keep, "Keep the work dir (anvil logs, keys, relay database)");
  e2e_cmd->callback([&exit_code, e2e_anvil] {
    // Usage errors (exit 2, as CLI11's own): options that contradict each other or an empty value.
    if (e2e_anvil->count() > 0 && e2e.anvil.empty()) {
      std::cerr << "causeway bench e2e: --anvil needs a path (omit it for $CAUSEWAY_ANVIL or the tools/ default)\n";
      exit_code = 2;
      return;
    }
    if (e2e.senders > e2e.packets) {
      std::cerr << "causeway bench e2e: --senders (" << e2e.senders << ") must not exceed --packets (" << e2e.packets
                << ")\n";
      exit_code = 2;
      return;
    }
    try {
      const auto r = bench_e2e(e2e);
      print_e2e(r, json);
      exit_code = r.ok ? 0 : 1;
    } catch (const std::exception& e) {
      std::cerr << "causeway bench e2e: " << e.what() << "\n";
      exit_code = 1;
    }
  });

  static GatewayBenchOptions gw;
  auto* gw_cmd = bench->add_subcommand("gateway",
                                       "Proven packets POSTed to a real gateway (127.0.0.1, ephemeral port) over "
                                       "keep-alive connections, each answered after its group commit: packets/s and "
                                       "p50/p99 latency beside the same run's in-process relay-core intake of the "
                                       "same bundles");
  gw_cmd->add_option("--packets", gw.packets, "Packets (proof bundles) per run")->capture_default_str()->check(CLI::Range(1, 1'000'000));
  gw_cmd->add_option("--connections", gw.connections, "Client keep-alive connections (one thread each)")
      ->capture_default_str()->check(CLI::Range(1, 1024));
  gw_cmd->add_option("--per-block", gw.per_block, "Sent packets per source block")->capture_default_str()->check(CLI::Range(1, 100'000));
  gw_cmd->add_option("--batch", gw.batch, "Group commit: changes per transaction at most")->capture_default_str()->check(CLI::Range(1, 100'000));
  gw_cmd->callback([&exit_code] {
    try {
      gw.runs = runs;
      const auto r = bench_gateway(gw);
      print_gateway(r, json);
      exit_code = r.ok ? 0 : 1;
    } catch (const std::exception& e) {
      std::cerr << "causeway bench gateway: " << e.what() << "\n";
      exit_code = 1;
    }
  });

  auto* all = bench->add_subcommand("all", "Every in-process bench (a few seconds each)");
  all->callback([run] {
    run([] {
      auto figures = bench_bitcoin_headers(headers, runs, batch);
      for (auto& f : bench_eth_proofs(receipts, runs)) figures.push_back(std::move(f));
      for (auto& f : bench_eth_headers(eth_headers, runs)) figures.push_back(std::move(f));
      for (auto& f : bench_bft_headers(bft_crypto, bft_signatures, runs)) figures.push_back(std::move(f));
      for (auto& f : bench_relay_core(rc_packets, rc_per_block, rc_batch, runs)) figures.push_back(std::move(f));
      {
        GatewayBenchOptions g = gw;
        g.runs = runs;
        auto r = bench_gateway(g);
        if (!r.ok) throw std::runtime_error("gateway: " + (r.failures.empty() ? std::string("not ok") : r.failures.front()));
        figures.push_back(std::move(r.figure));
      }
      if (chainmaker_vectors_present(default_vectors_dir()))  // real-data bench: only where the vectors are
        for (auto& f : bench_chainmaker_blocks(default_vectors_dir(), runs)) figures.push_back(std::move(f));
      return figures;
    });
  });
}

}  // namespace causeway::app
