// `causeway bench e2e`: see bench_e2e.hpp.
#include "bench_e2e.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

#include "causeway/adapters/common/json_rpc.hpp"
#include "causeway/adapters/ethereum/contracts.hpp"
#include "causeway/adapters/ethereum/deploy.hpp"
#include "causeway/adapters/ethereum/evm_adapter.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/core/packet.hpp"
#include "causeway/engine/lifecycle.hpp"
#include "causeway/engine/relay.hpp"
#include "causeway/engine/supervisor.hpp"
#include "child_process.hpp"
#include "evm_island_records.hpp"
#include "lifecycle_adapters.hpp"

namespace causeway::app {
namespace {

namespace ae = adapters::ethereum;
namespace fs = std::filesystem;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

// anvil's account 0: the public Hardhat/anvil development key (deploys the contracts and governs them here).
constexpr const char* kAnvilKey0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
constexpr const char* kChannel = "channel-0";
constexpr std::uint64_t kChainA = 31337, kChainB = 31338;
constexpr std::uint64_t kPollMs = 100;  // the lifecycle's poll interval ([adapters] poll_ms default of serve)
const std::string kEth1000 = "0x3635c9adc5dea00000";  // 1000 ETH in wei

std::string describe(const Error& e) {
  return std::string(code_name(e.code)) + " " + e.detail + (e.at.empty() ? "" : " at " + e.at);
}

template <class T>
T must(Result<T> r, const std::string& what) {
  if (!r) throw std::runtime_error(what + ": " + describe(r.error()));
  return std::move(*r);
}

void progress(const std::string& s) {
  std::cerr << "bench e2e: " << s << std::endl;  // flushed: the caller may be watching a pipe
}

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

std::string tail_of(const fs::path& file, std::size_t max_bytes = 2000) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  return s.size() > max_bytes ? "…" + s.substr(s.size() - max_bytes) : s;
}

fs::path resolve_anvil(const std::string& given) {
  fs::path p = given;
  if (p.empty()) {
    const char* env = std::getenv("CAUSEWAY_ANVIL");
    p = env != nullptr && *env != '\0' ? fs::path(env) : fs::path("tools/node_modules/.bin/anvil");
  }
  std::error_code ec;
  if (!fs::is_regular_file(p, ec) || ::access(p.c_str(), X_OK) != 0)
    throw std::runtime_error("no anvil binary at " + p.string() +
                             ": pass --anvil PATH or set CAUSEWAY_ANVIL (deploy/install-deps.sh installs it as "
                             "tools/node_modules/.bin/anvil)");
  return fs::absolute(p);
}

// The bench's private work dir (anvil logs, keys, relay database); removed at the end unless kept.
class WorkDir {
 public:
  explicit WorkDir(bool keep) : keep_(keep) {
    std::string templ = (fs::temp_directory_path() / "causeway-bench-e2e-XXXXXX").string();
    if (::mkdtemp(templ.data()) == nullptr) throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
    path_ = templ;
  }
  ~WorkDir() {
    if (keep_) return;
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  WorkDir(const WorkDir&) = delete;
  WorkDir& operator=(const WorkDir&) = delete;
  const fs::path& path() const noexcept { return path_; }

 private:
  fs::path path_;
  bool keep_;
};

// One anvil node with interval mining on a free loopback port, ready once eth_chainId answers.
struct Anvil {
  std::uint64_t chain_id = 0;
  std::string url;
  fs::path log;
  std::unique_ptr<ChildProcess> proc;
  std::optional<adapters::JsonRpcClient> client;  // the main thread's client
};

adapters::RpcOptions rpc_options() {
  adapters::RpcOptions o;
  o.connect_timeout = std::chrono::milliseconds(5'000);
  o.read_timeout = std::chrono::milliseconds(60'000);
  return o;
}

std::unique_ptr<Anvil> start_anvil(const fs::path& bin, std::uint64_t chain_id, std::int64_t genesis_timestamp,
                                   std::uint64_t block_time_s, const fs::path& work) {
  auto a = std::make_unique<Anvil>();
  a->chain_id = chain_id;
  for (int attempt = 0; attempt < 3 && !a->client; ++attempt) {
    const std::uint16_t port = free_loopback_port();
    a->url = "http://127.0.0.1:" + std::to_string(port);
    a->log = work / ("anvil-" + std::to_string(chain_id) + ".log");
    a->proc = std::make_unique<ChildProcess>(
        std::vector<std::string>{bin.string(), "--host", "127.0.0.1", "--port", std::to_string(port), "--chain-id",
                                 std::to_string(chain_id), "--block-time", std::to_string(block_time_s), "--accounts",
                                 "1", "--timestamp", std::to_string(genesis_timestamp)},
        a->log);
    adapters::RpcOptions probe_opts;
    probe_opts.connect_timeout = std::chrono::milliseconds(1000);
    probe_opts.read_timeout = std::chrono::milliseconds(5000);
    auto probe = must(adapters::JsonRpcClient::create(a->url, probe_opts), "anvil URL");
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    while (Clock::now() < deadline && a->proc->running()) {
      if (probe.call("eth_chainId")) {
        a->client.emplace(must(adapters::JsonRpcClient::create(a->url, rpc_options()), "anvil URL"));
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (!a->client) a->proc->stop();  // the port was taken meanwhile, or too slow: another port
  }
  if (!a->client)
    throw std::runtime_error("anvil " + bin.string() + " (chain " + std::to_string(chain_id) +
                             ") did not answer; its log:\n" + tail_of(a->log));
  return a;
}

ae::SendOptions send_options() {
  ae::SendOptions o;
  o.poll_interval = std::chrono::milliseconds(10);  // t_block is the receipt seen within ~10 ms of it existing
  return o;
}

ae::ChannelConfig channel_to(const ae::Deployment& other) {
  ae::ChannelConfig c;
  c.channel_id = kChannel;
  c.counterparty_island = other.island;
  c.counterparty_genesis = other.genesis_hash;
  c.counterparty_channel = kChannel;
  return c;
}

std::string hex_of(const ae::eth::Address& a) { return to_hex(ByteView(a.data(), a.size())); }

Bytes eth_call(adapters::JsonRpcClient& c, const ae::eth::Address& to, const Bytes& data) {
  const json r = must(c.call("eth_call", json::array({json{{"to", hex_of(to)}, {"data", to_hex(data)}}, "latest"})),
                      "eth_call");
  if (!r.is_string()) throw std::runtime_error("eth_call answered " + r.dump());
  Bytes b = must(from_hex(r.get<std::string>()), "eth_call result");
  if (b.size() < 32) throw std::runtime_error("eth_call answered " + std::to_string(b.size()) + " bytes");
  return b;
}

std::string balance_of(adapters::JsonRpcClient& c, const ae::eth::Address& token, const ae::eth::Address& owner) {
  const Bytes w = eth_call(c, token, ae::erc20_balance_of_call(owner));
  abi::U256 v{};
  std::copy(w.begin(), w.begin() + 32, v.begin());
  return abi::u256_to_decimal(v);
}

// The deterministic receiver on B of sender i (fresh chains: nothing else holds vouchers there).
ae::eth::Address receiver_of(std::size_t i) {
  const std::string label = "causeway bench e2e receiver " + std::to_string(i);
  const Hash32 h = keccak256(ByteView(reinterpret_cast<const std::uint8_t*>(label.data()), label.size()));
  ae::eth::Address a{};
  std::copy(h.b.begin() + 12, h.b.end(), a.begin());
  return a;
}

struct Percentiles {
  double p50 = 0, p99 = 0, max = 0;
};

// Nearest-rank percentiles (the ⌈q·n⌉-th smallest value) of a non-empty list.
Percentiles percentiles(std::vector<double> v) {
  Percentiles p;
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  const auto rank = [&](double q) {
    const auto r = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size())));
    return v[std::max<std::size_t>(r, 1) - 1];
  };
  p.p50 = rank(0.50);
  p.p99 = rank(0.99);
  p.max = v.back();
  return p;
}

json to_json(const Percentiles& p) { return {{"p50", p.p50}, {"p99", p.p99}, {"max", p.max}}; }

struct PacketRec {
  bool sent = false, seen = false, delivered = false;
  std::size_t sender = 0;
  std::uint64_t amount = 0;
  std::string stage;
  Clock::time_point t_send{}, t_block{}, t_seen{}, t_delivered{};
};

// Serialises the relay's and the lifecycle's notices into <work>/relay.log (they come from several threads).
class NoteLog {
 public:
  explicit NoteLog(const fs::path& p) : out_(p) {}
  void operator()(const std::string& s) {
    std::lock_guard lock(mu_);
    out_ << s << "\n";
    out_.flush();
    if (s.find("refused") != std::string::npos && refusals_.size() < 5) refusals_.push_back(s);
  }
  // The first notes about packets the relay refused (at most 5).
  std::vector<std::string> refusals() {
    std::lock_guard lock(mu_);
    return refusals_;
  }

 private:
  std::mutex mu_;
  std::ofstream out_;
  std::vector<std::string> refusals_;
};

}  // namespace

E2eResult bench_e2e(const E2eOptions& opt) {
  if (opt.packets == 0) throw std::runtime_error("--packets must be at least 1");
  if (opt.senders == 0 || opt.senders > opt.packets) throw std::runtime_error("--senders must be 1 … --packets");
  if (opt.block_time_s == 0) throw std::runtime_error("--block-time-s must be at least 1");
  const fs::path anvil_bin = resolve_anvil(opt.anvil);
  if (!ae::contracts_available())
    throw std::runtime_error("this build has no compiled contracts (tools/ was absent at configure time: run "
                             "deploy/install-deps.sh, then cmake again)");
  const auto t_start = Clock::now();
  const double block_ms = 1000.0 * static_cast<double>(opt.block_time_s);

  // Destroyed in reverse order: threads, relay, anvil nodes, then the work dir.
  WorkDir work(opt.keep);
  E2eResult result;
  result.work_dir = work.path().string();
  progress("work dir " + result.work_dir + (opt.keep ? " (kept)" : " (removed at the end; --keep keeps it)"));
  fs::create_directories(work.path() / "keys");
  ::chmod((work.path() / "keys").c_str(), 0700);

  // ---- two anvil chains: distinct genesis timestamps (anvil's genesis hash depends only on it) -------------
  const std::int64_t now_s =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  progress("starting anvil " + anvil_bin.string() + " (chains " + std::to_string(kChainA) + ", " +
           std::to_string(kChainB) + "; " + std::to_string(opt.block_time_s) + " s blocks)");
  auto anvil_a = start_anvil(anvil_bin, kChainA, now_s - 3600, opt.block_time_s, work.path());
  auto anvil_b = start_anvil(anvil_bin, kChainB, now_s - 3600 + 1, opt.block_time_s, work.path());

  // ---- keys: the committee member, the relay's submitter, the senders (fresh random keys, 0600 files) -------
  const auto key_at = [&](const std::string& name) {
    const fs::path p = work.path() / "keys" / (name + ".key");
    return std::make_pair(p.string(), must(engine::load_or_create_attestation_key(p.string()), "key " + name));
  };
  const auto [member_file, member] = key_at("attestation");
  const auto [submitter_file, submitter] = key_at("submitter");
  std::vector<secp256k1::SecretKey> sender_keys;
  for (std::size_t i = 0; i < opt.senders; ++i) sender_keys.push_back(key_at("sender-" + std::to_string(i)).second);
  const auto key0 = must(secp256k1::parse_secret_key(must(from_hex(kAnvilKey0), "key0")), "key0");
  for (auto* a : {anvil_a.get(), anvil_b.get()})
    must(a->client->call("anvil_setBalance", json::array({hex_of(ae::address_of(submitter)), kEth1000})),
         "fund the submitter");

  // ---- contracts on both chains (in parallel, one client each), channel-0 on both ends ---------------------
  progress("deploying the contracts on both chains (committee: 1 bench key, k = 1)");
  const ae::DeployRequest req{{ae::address_of(member)}, 1, "transfer"};
  auto deploy_b = std::async(std::launch::async, [&] {
    return must(ae::deploy_contracts(*anvil_b->client, key0, req, send_options()), "deploy on B");
  });
  const ae::Deployment da = must(ae::deploy_contracts(*anvil_a->client, key0, req, send_options()), "deploy on A");
  const ae::Deployment db = deploy_b.get();
  if (da.genesis_hash == db.genesis_hash) throw std::runtime_error("the two anvil chains share a genesis hash");
  auto signer_a = must(ae::EvmSigner::create(*anvil_a->client, key0), "signer A");
  auto register_b = std::async(std::launch::async, [&] {
    auto signer_b = must(ae::EvmSigner::create(*anvil_b->client, key0), "signer B");
    must(signer_b.send(db.endpoint, ae::register_channel_call(channel_to(da)), send_options()), "registerChannel B");
  });
  must(signer_a.send(da.endpoint, ae::register_channel_call(channel_to(db)), send_options()), "registerChannel A");
  register_b.get();

  // ---- the asset on A: a TestToken, registered; each sender funded (ETH, its tokens) and approving ----------
  std::vector<std::vector<std::uint64_t>> amounts(opt.senders);  // sender i, packet j: amount 1 + j
  std::uint64_t total = 0;
  for (std::size_t k = 0; k < opt.packets; ++k) {
    auto& v = amounts[k % opt.senders];
    v.push_back(v.size() + 1);
    total += v.back();
  }
  progress("TestToken on A, registered as an asset; funding " + std::to_string(opt.senders) + " senders");
  Bytes token_init = must(ae::contract_code("TestToken"), "TestToken").creation;
  append(token_init, ae::test_token_constructor_args("Bench", "BENCH", abi::u256_from_u64(total)));
  const ae::eth::Address token = *must(signer_a.send(std::nullopt, token_init, send_options()), "deploy TestToken")
                                      .contract_address;
  must(signer_a.send(da.transfer_app, ae::register_asset_call(token), send_options()), "registerAsset");
  const std::string denom = hex_of(token);  // lowercase 0x hex (PACKET.md transfer denom)
  std::vector<std::uint64_t> sums(opt.senders, 0);
  for (std::size_t i = 0; i < opt.senders; ++i) {
    for (auto a : amounts[i]) sums[i] += a;
    const auto addr = ae::address_of(sender_keys[i]);
    must(anvil_a->client->call("anvil_setBalance", json::array({hex_of(addr), kEth1000})), "fund a sender");
    must(signer_a.send(token, ae::erc20_transfer_call(addr, abi::u256_from_u64(sums[i])), send_options()),
         "token transfer to a sender");
  }
  {
    std::vector<std::future<void>> approvals;
    for (std::size_t i = 0; i < opt.senders; ++i)
      approvals.push_back(std::async(std::launch::async, [&, i] {
        auto c = must(adapters::JsonRpcClient::create(anvil_a->url, rpc_options()), "client");
        auto s = must(ae::EvmSigner::create(c, sender_keys[i]), "sender signer");
        must(s.send(token, ae::erc20_approve_call(da.transfer_app, abi::u256_from_u64(sums[i])), send_options()),
             "approve");
      }));
    for (auto& f : approvals) f.get();
  }

  // ---- the relay, as `causeway serve` runs it ---------------------------------------------------------------
  engine::RelayConfig cfg;
  const auto isl_a = must(evm_island_record(*anvil_a->client, da, key0), "island record A");
  const auto isl_b = must(evm_island_record(*anvil_b->client, db, key0), "island record B");
  cfg.islands = {isl_a, isl_b};
  cfg.channels.push_back(engine::ChannelPair{must(transfer_channel_record(isl_a.spec, isl_b.spec, key0), "channel A"),
                                             must(transfer_channel_record(isl_b.spec, isl_a.spec, key0), "channel B")});
  cfg.assets.push_back(engine::AssetSetting{da.island, denom});
  cfg.committee.key_file = member_file;
  cfg.adapters.poll_ms = kPollMs;
  for (const auto& [d, url] : {std::pair{&da, anvil_a->url}, std::pair{&db, anvil_b->url}}) {
    engine::IslandAdapterSettings s;
    s.island = d->island;
    s.kind = "evm";
    s.rpc = {url};
    s.submitter_key_file = submitter_file;
    s.confirmations = opt.confirmations;
    cfg.adapters.islands.push_back(std::move(s));
  }
  NoteLog notes(work.path() / "relay.log");
  engine::RelayOptions ro;
  ro.data_dir = (work.path() / "relay").string();
  ro.config = cfg;
  ro.log = [&notes](const std::string& s) { notes(s); };
  auto relay = must(engine::Relay::open(std::move(ro)), "relay open");
  engine::Lifecycle::Options lo;
  lo.poll_ms = cfg.adapters.poll_ms;
  lo.log = [&notes](const std::string& s) { notes(s); };
  for (const auto& s : cfg.adapters.islands) lo.confirmations[s.island] = s.confirmations;
  auto lifecycle = std::make_unique<engine::Lifecycle>(*relay, lo);
  auto supervisor = std::make_unique<engine::Supervisor>(*relay, engine::Supervisor::Options{});
  for (const auto& s : cfg.adapters.islands) {
    supervisor->add_adapter(must(make_island_adapter(s, cfg), "adapter " + s.island));
    lifecycle->add_adapter(must(make_island_adapter(s, cfg), "adapter " + s.island));
  }
  lifecycle->start();
  supervisor->start();
  const std::uint64_t min_confirmations = std::max<std::uint64_t>(1, opt.confirmations);
  progress("relay started (lifecycle + supervisor threads; confirmations " + std::to_string(opt.confirmations) +
           ", EVM min_confirmations " + std::to_string(min_confirmations) + "); sending " +
           std::to_string(opt.packets) + " transfers A → B from " + std::to_string(opt.senders) + " senders");
  const double setup_s = std::chrono::duration<double>(Clock::now() - t_start).count();

  // ---- senders and the monitor ------------------------------------------------------------------------------
  std::mutex mu;
  std::vector<PacketRec> recs(opt.packets);  // by sequence − 1 (channel-0 on A is fresh: sequences 1 … packets)
  std::vector<std::string> failures;
  std::atomic<std::size_t> senders_done{0};
  const auto packet_id = [&](std::uint64_t seq) { return domain::PacketId{da.island, da.genesis_hash, kChannel, seq}; };
  {
    std::vector<std::jthread> senders;
    for (std::size_t i = 0; i < opt.senders; ++i)
      senders.emplace_back([&, i](std::stop_token stop) {
        try {
          auto client = must(adapters::JsonRpcClient::create(anvil_a->url, rpc_options()), "client");
          auto signer = must(ae::EvmSigner::create(client, sender_keys[i]), "sender signer");
          ae::EvmAdapterConfig rc;  // read-only: finds the PacketSent log of each transfer
          rc.rpc_urls = {anvil_a->url};
          rc.island = da.island;
          rc.endpoint = da.endpoint;
          auto reader = must(ae::EvmAdapter::connect(rc), "reader");
          const auto receiver = receiver_of(i);
          const Bytes receiver_bytes(receiver.begin(), receiver.end());
          for (const auto amount : amounts[i]) {
            if (stop.stop_requested()) break;
            const auto t_send = Clock::now();
            const auto sent = must(signer.send(da.transfer_app,
                                               ae::send_transfer_call(kChannel, token, abi::u256_from_u64(amount),
                                                                      receiver_bytes, "", 0,
                                                                      4'000'000'000ULL * 1'000'000'000ULL),
                                               send_options()),
                                   "sendTransfer");
            const auto t_block = Clock::now();
            const auto logs = must(reader->sent_packets(sent.block_number, sent.block_number), "sent_packets");
            const auto log = std::find_if(logs.begin(), logs.end(),
                                          [&](const ae::SentPacketLog& l) { return l.transaction_hash == sent.hash; });
            if (log == logs.end()) throw std::runtime_error("no PacketSent log in the sendTransfer receipt");
            const auto p = must(packet::decode_packet(log->packet_bytes), "PacketSent packet");
            std::lock_guard lock(mu);
            if (p.sequence == 0 || p.sequence > recs.size())
              throw std::runtime_error("unexpected sequence " + std::to_string(p.sequence));
            auto& r = recs[p.sequence - 1];
            r.sent = true;
            r.sender = i;
            r.amount = amount;
            r.t_send = t_send;
            r.t_block = t_block;
          }
        } catch (const std::exception& e) {
          std::lock_guard lock(mu);
          failures.push_back(std::string("sender ") + std::to_string(i) + ": " + e.what());
        }
        ++senders_done;
      });

    // The monitor (this thread): every 5 ms, each packet not yet delivered is looked up in the relay.
    const auto deadline =
        Clock::now() + std::chrono::seconds(120) +
        std::chrono::milliseconds(static_cast<std::int64_t>(block_ms * 4.0 * static_cast<double>(opt.packets) /
                                                            static_cast<double>(opt.senders)));
    auto last_report = Clock::now();
    std::optional<Clock::time_point> refused_at;
    for (;;) {
      std::size_t sent = 0, delivered = 0;
      bool sender_failed = false;
      for (std::size_t k = 0; k < recs.size(); ++k) {
        bool done = false;
        {
          std::lock_guard lock(mu);
          done = recs[k].delivered;
          if (recs[k].sent) ++sent;
          sender_failed = !failures.empty();
        }
        if (done) {
          ++delivered;
          continue;
        }
        const auto v = relay->find(packet_id(k + 1));
        if (!v) continue;
        const auto now = Clock::now();
        std::lock_guard lock(mu);
        auto& r = recs[k];
        r.stage = v->stage;
        if (!r.seen) {
          r.seen = true;
          r.t_seen = now;
        }
        if (v->stage == "delivered" || v->stage == "acknowledged") {
          r.delivered = true;
          r.t_delivered = now;
          ++delivered;
        }
      }
      if (delivered == recs.size()) break;
      if (sender_failed && senders_done.load() == opt.senders) {
        // A sender gave up: wait for what was sent, then stop.
        bool all_sent_delivered = true;
        {
          std::lock_guard lock(mu);
          for (const auto& r : recs)
            if (r.sent && !r.delivered) all_sent_delivered = false;
        }
        if (all_sent_delivered) break;
      }
      // The relay refused a packet for good (the lifecycle skips it: it will never be delivered): stop soon.
      if (senders_done.load() == opt.senders && lifecycle->counters().packets_skipped.load() > 0) {
        if (!refused_at) refused_at = Clock::now();
        if (Clock::now() > *refused_at + std::chrono::milliseconds(static_cast<std::int64_t>(3 * block_ms))) {
          std::lock_guard lock(mu);
          failures.push_back("the relay refused " + std::to_string(lifecycle->counters().packets_skipped.load()) +
                             " packet(s), which will never be delivered (" + std::to_string(delivered) + " of " +
                             std::to_string(recs.size()) + " delivered); relay.log:");
          for (const auto& n : notes.refusals()) failures.push_back("  " + n);
          break;
        }
      }
      if (Clock::now() > deadline) {
        std::lock_guard lock(mu);
        failures.push_back("not every packet was delivered within the deadline (" + std::to_string(delivered) + " of " +
                           std::to_string(recs.size()) + "; " + std::to_string(sent) + " sent)");
        break;
      }
      if (Clock::now() - last_report >= std::chrono::seconds(2)) {
        last_report = Clock::now();
        progress("sent " + std::to_string(sent) + "/" + std::to_string(recs.size()) + ", delivered " +
                 std::to_string(delivered) + "/" + std::to_string(recs.size()));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    for (auto& t : senders) t.request_stop();
  }  // senders joined

  // ---- the acknowledgements verified by the relay (reported, not timed), then the checks --------------------
  std::size_t delivered = 0, acknowledged = 0;
  {
    const auto ack_deadline = Clock::now() + std::chrono::seconds(30) +
                              std::chrono::milliseconds(static_cast<std::int64_t>(block_ms * 4.0));
    progress("waiting for the relay to verify B's acknowledgements (not timed)");
    for (;;) {
      acknowledged = 0;
      for (std::size_t k = 0; k < recs.size(); ++k) {
        if (!recs[k].delivered) continue;
        const auto v = relay->find(packet_id(k + 1));
        if (v && v->stage == "acknowledged") ++acknowledged;
      }
      delivered = static_cast<std::size_t>(std::count_if(recs.begin(), recs.end(), [](const PacketRec& r) { return r.delivered; }));
      if (acknowledged == delivered || Clock::now() > ack_deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  progress("checking balances on both chains and the relay's ledger");
  std::vector<std::string> check_failures;
  bool balances_ok = true;
  Bytes voucher_query = ae::function_selector("voucherFor(string)");
  append(voucher_query, abi::encode(abi::Type::tuple({abi::Type::string()}),
                                    abi::Value::tuple({abi::Value::string(std::string("transfer/") + kChannel + "/" + denom)})));
  const Bytes vw = eth_call(*anvil_b->client, db.transfer_app, voucher_query);
  ae::eth::Address voucher{};
  std::copy(vw.begin() + 12, vw.begin() + 32, voucher.begin());
  std::vector<std::uint64_t> expected(opt.senders, 0);
  std::uint64_t expected_total = 0;
  for (const auto& r : recs)
    if (r.sent) {
      expected[r.sender] += r.amount;
      expected_total += r.amount;
    }
  json balances = json::array();
  for (std::size_t i = 0; i < opt.senders; ++i) {
    const std::string got = voucher == ae::eth::Address{} ? "0" : balance_of(*anvil_b->client, voucher, receiver_of(i));
    const std::string want = std::to_string(expected[i]);
    balances.push_back({{"receiver", hex_of(receiver_of(i))}, {"voucher_balance", got}, {"expected", want}});
    if (got != want) {
      balances_ok = false;
      check_failures.push_back("receiver " + hex_of(receiver_of(i)) + " holds " + got + " vouchers on B, expected " + want);
    }
  }
  const std::string escrow = balance_of(*anvil_a->client, token, da.transfer_app);
  if (escrow != std::to_string(expected_total)) {
    balances_ok = false;
    check_failures.push_back("A's transfer app escrows " + escrow + ", expected " + std::to_string(expected_total));
  }
  const auto ledger = relay->check_ledger();
  if (!ledger.ok) check_failures.push_back("the relay's ledger invariant does not hold (denom " + ledger.denom + ")");
  const auto counters = std::make_pair(lifecycle->counters().packets_taken_in.load(), supervisor->counters().submits.load());
  supervisor->stop();
  lifecycle->stop();
  relay->stop();

  // ---- figures ----------------------------------------------------------------------------------------------
  std::vector<double> seen_ms, block_lat_ms;
  Clock::time_point first_send = Clock::time_point::max(), last_delivered = Clock::time_point::min();
  json per_packet = json::array();
  for (std::size_t k = 0; k < recs.size(); ++k) {
    const auto& r = recs[k];
    if (r.sent) first_send = std::min(first_send, r.t_send);
    json row = {{"sequence", k + 1}, {"stage", r.stage}, {"delivered", r.delivered}};
    if (r.sent) {
      row["sender"] = r.sender;
      row["amount"] = r.amount;
    }
    if (r.sent && r.delivered) {
      seen_ms.push_back(ms_between(r.t_seen, r.t_delivered));
      block_lat_ms.push_back(ms_between(r.t_block, r.t_delivered));
      last_delivered = std::max(last_delivered, r.t_delivered);
      row["send_to_block_ms"] = ms_between(r.t_send, r.t_block);
      row["seen_to_delivered_ms"] = seen_ms.back();
      row["block_to_delivered_ms"] = block_lat_ms.back();
    }
    per_packet.push_back(row);
  }
  const Percentiles seen_p = percentiles(seen_ms), block_p = percentiles(block_lat_ms);
  const double span_s = delivered > 0 ? std::chrono::duration<double>(last_delivered - first_send).count() : 0.0;
  const double pps = span_s > 0 ? static_cast<double>(delivered) / span_s : 0.0;
  const double target_ms = (2.0 + static_cast<double>(opt.confirmations)) * block_ms + 100.0;
  const bool target_met = !block_lat_ms.empty() && block_p.p50 <= target_ms;

  for (auto& f : failures) result.failures.push_back(f);
  for (auto& f : check_failures) result.failures.push_back(f);
  if (delivered != opt.packets && failures.empty())
    result.failures.push_back(std::to_string(opt.packets - delivered) + " packets not delivered");
  result.ok = result.failures.empty();

  BenchFigure& fig = result.figure;
  fig.bench = "e2e";
  fig.metric = "block_to_delivered_p50_ms";
  fig.unit = "ms";
  fig.value = block_p.p50;
  fig.limit_metric = "target_p50_ms";
  fig.limit = target_ms;
  fig.threads = static_cast<int>(opt.senders);
  fig.n = opt.packets;
  fig.extra = {
      {"packets", opt.packets},
      {"senders", opt.senders},
      {"delivered", delivered},
      {"acknowledged", acknowledged},
      {"packets_per_s", pps},
      {"first_send_to_last_delivered_s", span_s},
      {"seen_to_delivered_ms", to_json(seen_p)},
      {"block_to_delivered_ms", to_json(block_p)},
      {"block_time_s", opt.block_time_s},
      {"confirmations", opt.confirmations},
      {"min_confirmations", min_confirmations},
      {"lifecycle_poll_ms", kPollMs},
      {"target_formula", "p50(block_to_delivered) <= (2 + confirmations) * block_time + 100 ms"},
      {"target_met", target_met},
      {"balances_ok", balances_ok},
      {"balances", balances},
      {"escrow_on_a", escrow},
      {"ledger_ok", ledger.ok},
      {"ok", result.ok},
      {"failures", result.failures},
      {"source", da.island},
      {"destination", db.island},
      {"packets_taken_in", counters.first},
      {"delivery_submits", counters.second},
      {"setup_s", setup_s},
      {"clock", "steady_clock wall time, this process"},
      {"per_packet", per_packet}};
  if (opt.keep) fig.extra["work_dir"] = result.work_dir;
  progress(result.ok ? "done" : "FAILED");
  return result;
}

void print_e2e(const E2eResult& r, bool json_out) {
  if (json_out) {
    print_figures({r.figure}, true);
    return;
  }
  const auto& x = r.figure.extra;
  const auto line = [](const char* name, const json& p) {
    std::printf("  %-22s p50 %7.0f ms   p99 %7.0f ms   max %7.0f ms\n", name, p["p50"].get<double>(),
                p["p99"].get<double>(), p["max"].get<double>());
  };
  std::printf("e2e: %zu ERC-20 transfers %s -> %s, %zu senders, %llu s blocks, confirmations %llu (EVM "
              "min_confirmations %llu)\n",
              x["packets"].get<std::size_t>(), x["source"].get<std::string>().c_str(),
              x["destination"].get<std::string>().c_str(), x["senders"].get<std::size_t>(),
              static_cast<unsigned long long>(x["block_time_s"].get<std::uint64_t>()),
              static_cast<unsigned long long>(x["confirmations"].get<std::uint64_t>()),
              static_cast<unsigned long long>(x["min_confirmations"].get<std::uint64_t>()));
  std::printf("  delivered %zu/%zu; acknowledged (the relay verified B's acknowledgement) %zu\n", x["delivered"].get<std::size_t>(),
              x["packets"].get<std::size_t>(), x["acknowledged"].get<std::size_t>());
  std::printf("  %-22s %.2f packets/s (first send -> last delivery %.1f s)\n", "throughput",
              x["packets_per_s"].get<double>(), x["first_send_to_last_delivered_s"].get<double>());
  line("relay seen -> delivered", x["seen_to_delivered_ms"]);
  line("source block -> delivered", x["block_to_delivered_ms"]);
  std::printf("  target: p50(source block -> delivered) <= (2 + %llu) x %llu ms + 100 ms = %.0f ms: %s\n",
              static_cast<unsigned long long>(x["confirmations"].get<std::uint64_t>()),
              static_cast<unsigned long long>(1000 * x["block_time_s"].get<std::uint64_t>()), r.figure.limit,
              x["target_met"].get<bool>() ? "met" : "NOT met");
  std::printf("  balances on B and escrow on A %s; relay ledger invariant %s\n",
              x["balances_ok"].get<bool>() ? "exact" : "WRONG", x["ledger_ok"].get<bool>() ? "holds" : "BROKEN");
  for (const auto& f : r.failures) std::printf("  FAILED: %s\n", f.c_str());
  if (x.contains("work_dir")) std::printf("  work dir kept: %s\n", x["work_dir"].get<std::string>().c_str());
}

}  // namespace causeway::app
