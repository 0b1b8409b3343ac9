// `causeway bench bft-headers`: see bench_bft.hpp.
#include "bench_bft.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include "causeway/bft/client.hpp"
#include "causeway/bft/devnet_codec.hpp"
#include "causeway/bft/rfc6962_suite.hpp"
#include "causeway/bft/suite.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/secp256k1.hpp"
#include "causeway/core/sm2.hpp"

namespace causeway::app {
namespace {

using Clock = std::chrono::steady_clock;
namespace devnet = bft::devnet;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

constexpr std::uint64_t kT0 = 1'700'000'000'000;  // anchor time_ms
constexpr std::uint64_t kBlockMs = 500;

// A chain of `n_headers` causeway-devnet/v1 headers after an anchor, one validator set of `n_validators` equal
// powers, each commit carrying exactly the minimal quorum of signatures (rotating signers, as a real network's
// fastest 2/3 + 1 would): the least work a valid commit can demand of a verifier.
struct BftChain {
  bft::Suite suite = bft::Suite::Secp256k1Sha256;
  std::shared_ptr<const devnet::DevnetCodec> codec;
  bft::ValidatorSet set;
  std::size_t quorum = 0;
  bft::SignedHeader anchor;
  std::vector<bft::LightBlock> blocks;
};

std::size_t minimal_quorum(std::size_t n) { return 2 * n / 3 + 1; }  // equal powers: 3q > 2n

BftChain make_chain(bft::Suite suite, std::size_t n_validators, std::size_t n_headers) {
  BftChain c;
  c.suite = suite;
  c.codec = std::make_shared<const devnet::DevnetCodec>(suite);
  std::vector<Bytes> secrets;
  std::vector<bft::Validator> vals;
  for (std::size_t i = 0; i < n_validators; ++i) {
    const std::string seed = "causeway bench bft-headers validator " + std::to_string(i);
    const Hash32 sk = sha256(ByteView(reinterpret_cast<const std::uint8_t*>(seed.data()), seed.size()));
    Bytes secret(sk.b.begin(), sk.b.end());
    auto pub = bft::public_key_of(suite, secret);
    if (!pub) throw std::runtime_error("bench key: " + pub.error().detail);
    vals.push_back({*pub, 1});
    secrets.push_back(std::move(secret));
  }
  auto set = bft::ValidatorSet::create(suite, vals);
  if (!set) throw std::runtime_error("bench validator set: " + set.error().detail);
  c.set = *set;
  c.quorum = minimal_quorum(n_validators);
  // secrets in the set's canonical (sorted) order
  std::vector<Bytes> by_index(n_validators);
  for (std::size_t i = 0; i < n_validators; ++i) by_index[*c.set.index_of(vals[i].key)] = secrets[i];

  const Hash32 vhash = devnet::validators_hash(c.set);
  auto header_at = [&](std::uint64_t height, const Hash32& parent) {
    devnet::Header h;
    h.chain_id = "cwdevnet:bench";
    h.height = height;
    h.time_ms = kT0 + height * kBlockMs;
    h.parent_hash = parent;
    const std::vector<Bytes> leaves{Bytes{0x01, static_cast<std::uint8_t>(height)}};
    h.tx_root = bft::rfc6962::root_of_leaves(suite, leaves);
    h.tx_count = 1;
    h.event_root = h.tx_root;
    h.event_count = 1;
    h.state_root = bft::suite_hash(suite, h.tx_root.view());
    h.validators_hash = vhash;
    h.next_validators_hash = vhash;
    h.proposer = c.set.at(height % n_validators).key;
    auto enc = devnet::encode(h);
    if (!enc) throw std::runtime_error("bench header: " + enc.error().detail);
    return *enc;
  };
  c.anchor.header = header_at(1, Hash32{});
  Hash32 parent = devnet::header_hash(suite, c.anchor.header);
  for (std::uint64_t k = 2; k < n_headers + 2; ++k) {
    bft::LightBlock b;
    b.signed_header.header = header_at(k, parent);
    parent = devnet::header_hash(suite, b.signed_header.header);
    const Bytes msg = devnet::sign_bytes("cwdevnet:bench", k, parent);
    for (std::size_t j = 0; j < c.quorum; ++j) {
      const auto idx = static_cast<std::uint32_t>((k + j) % n_validators);
      auto sig = bft::sign(suite, by_index[idx], msg);
      if (!sig) throw std::runtime_error("bench sign: " + sig.error().detail);
      b.signed_header.commit.push_back({idx, *sig});
    }
    b.validators = c.set;
    c.blocks.push_back(std::move(b));
  }
  return c;
}

bft::LightClient make_client(const BftChain& c) {
  bft::ClientConfig config;
  config.codec = c.codec;
  config.trusting_period_s = 14 * 24 * 3600;
  config.max_retained = 64;
  auto client = bft::LightClient::create(config, c.anchor, c.set, c.set);
  if (!client) throw std::runtime_error("bench client: " + client.error().detail);
  return std::move(*client);
}

std::uint64_t now_ms_for(const BftChain& c) { return kT0 + (c.blocks.size() + 2) * kBlockMs; }

// One thread, the ordinary path: LightClient::update for every header in height order.
double run_one_thread(const BftChain& c) {
  auto client = make_client(c);
  const std::uint64_t now_ms = now_ms_for(c);
  const auto t0 = Clock::now();
  for (const auto& b : c.blocks) {
    auto r = client.update(b, now_ms);
    if (!r || r->kind != bft::UpdateKind::Accepted)
      throw std::runtime_error("bench header refused: " + (r ? std::string("not accepted") : r.error().detail));
  }
  return static_cast<double>(c.blocks.size()) / seconds_since(t0);
}

// `threads` threads claim stage-one work (check_block: decode + every commit signature) from a shared counter;
// the calling thread also applies stage two (update with the checked block) in height order whenever the next
// header is ready, so no thread idles while checks remain.
double run_threads(const BftChain& c, unsigned threads) {
  auto client = make_client(c);
  const std::uint64_t now_ms = now_ms_for(c);
  const std::size_t n = c.blocks.size();
  std::vector<std::optional<bft::CheckedBlock>> checked(n);
  auto ready = std::make_unique<std::atomic<bool>[]>(n);
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  auto claim = [&]() -> bool {
    const std::size_t i = next.fetch_add(1, std::memory_order_relaxed);
    if (i >= n) return false;
    auto r = bft::check_block(*c.codec, c.blocks[i]);
    if (r) checked[i].emplace(std::move(*r));
    else failed.store(true);
    ready[i].store(true, std::memory_order_release);
    return true;
  };
  const auto t0 = Clock::now();
  std::vector<std::thread> workers;
  for (unsigned t = 1; t < threads; ++t) workers.emplace_back([&] { while (claim()) {} });
  std::size_t applied = 0;
  std::string error;
  while (applied < n && error.empty()) {
    while (applied < n && ready[applied].load(std::memory_order_acquire)) {
      if (!checked[applied]) { error = "stage one refused header " + std::to_string(applied); break; }
      auto r = client.update(c.blocks[applied], *checked[applied], now_ms);
      if (!r || r->kind != bft::UpdateKind::Accepted) { error = r ? "not accepted" : r.error().detail; break; }
      checked[applied].reset();
      ++applied;
    }
    if (applied < n && error.empty() && !claim()) std::this_thread::yield();
  }
  next.store(n);  // stop the workers early on an error
  for (auto& w : workers) w.join();
  const double rate = static_cast<double>(n) / seconds_since(t0);
  if (!error.empty() || failed.load()) throw std::runtime_error("bench header refused: " + error);
  return rate;
}

// The suite's raw verify rate over the chain's own commit signatures. secp256k1-sha256: libsecp256k1 verify
// with keys and signatures parsed and messages hashed beforehand (the primitive alone). sm2-sm3: the suite's
// sm2::verify (OpenSSL builds the key and computes Z_A inside every call; there is no cheaper public path).
double raw_verify_rate(const BftChain& c) {
  struct Item {
    secp256k1::Signature sig;
    Hash32 digest;
    const secp256k1::PublicKey* pk;
    Bytes msg;
    ByteView key;
    ByteView sig_bytes;
  };
  std::vector<Item> items;
  for (const auto& b : c.blocks) {
    const Hash32 hh = devnet::header_hash(c.suite, b.signed_header.header);
    auto info = c.codec->decode(b.signed_header.header);
    for (const auto& s : b.signed_header.commit) {
      Item it{};
      it.msg = devnet::sign_bytes(info->chain_id, info->height, hh);
      it.digest = sha256(it.msg);
      it.key = c.set.at(s.validator).key;
      it.sig_bytes = s.signature;
      it.pk = c.set.parsed_key(s.validator);
      if (c.suite == bft::Suite::Secp256k1Sha256) it.sig = *secp256k1::parse_compact(s.signature);
      items.push_back(std::move(it));
    }
  }
  std::size_t ok = 0;
  const auto t0 = Clock::now();
  for (const auto& it : items) {
    if (c.suite == bft::Suite::Secp256k1Sha256)
      ok += secp256k1::verify(it.sig, it.digest, *it.pk, secp256k1::LowS::Required).has_value() ? 1U : 0U;
    else
      ok += sm2::verify(it.msg, it.sig_bytes, sm2::SigFormat::Compact, it.key).has_value() ? 1U : 0U;
  }
  const double rate = static_cast<double>(items.size()) / seconds_since(t0);
  if (ok != items.size()) throw std::runtime_error("bench: a commit signature does not verify");
  return rate;
}

}  // namespace

std::vector<BenchFigure> bench_bft_headers(const std::string& suite_name, std::size_t signatures, int runs) {
  auto suite = bft::parse_suite(suite_name);
  if (!suite) throw std::runtime_error(suite.error().detail);
  std::vector<BenchFigure> out;
  for (std::size_t n_validators : {std::size_t{4}, std::size_t{21}, std::size_t{100}}) {
    const std::size_t quorum = minimal_quorum(n_validators);
    const std::size_t n_headers = std::max<std::size_t>(50, signatures / quorum);
    const BftChain chain = make_chain(*suite, n_validators, n_headers);
    std::vector<double> one, two, raw;
    for (int i = 0; i < runs; ++i) {
      raw.push_back(raw_verify_rate(chain));
      one.push_back(run_one_thread(chain));
      two.push_back(run_threads(chain, 2));
    }
    const double verify_rate = median(raw);
    const double limit = verify_rate / static_cast<double>(quorum);
    const double one_rate = median(one), two_rate = median(two);
    nlohmann::json extra = {{"runs", runs},
                            {"goal", 0.8},
                            {"codec", std::string(devnet::kCodecName)},
                            {"crypto", suite_name},
                            {"validators", n_validators},
                            {"quorum", quorum},
                            {"signatures_per_commit", quorum},
                            {"verify_per_s", verify_rate},
                            {"path", "bft::LightClient::update"}};
    const std::string v = std::to_string(n_validators) + "v";
    out.push_back({"bft-headers", "verified_headers_per_s_" + v, "1/s", one_rate, "verify_per_s_div_quorum", limit,
                   1, chain.blocks.size(), extra});
    nlohmann::json extra2 = extra;
    extra2["goal"] = 1.6;
    extra2["path"] = "bft::check_block on 2 threads + LightClient::update in order";
    extra2["ratio_note"] = "ratio = 2-thread rate / 1-thread rate of the same run set";
    out.push_back({"bft-headers", "verified_headers_per_s_" + v + "_2threads", "1/s", two_rate,
                   "verified_headers_per_s_" + v, one_rate, 2, chain.blocks.size(), extra2});
  }
  return out;
}

}  // namespace causeway::app
