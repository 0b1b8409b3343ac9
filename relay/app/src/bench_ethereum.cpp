#include "bench_ethereum.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <iostream>
#include <stdexcept>
#include <string>

#include "causeway/core/abi.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/packet.hpp"
#include "causeway/core/secp256k1.hpp"
#include "causeway/ethereum/besu_bft.hpp"
#include "causeway/ethereum/client.hpp"
#include "causeway/ethereum/proofs.hpp"
#include "causeway/merkle/mpt.hpp"

namespace causeway::app {
namespace {

namespace eth = causeway::ethereum;
namespace bft = causeway::ethereum::bft;
using Clock = std::chrono::steady_clock;

// Measured seconds (operation + limit) per run of one figure: each run takes about this long.
constexpr double kRunSeconds = 1.0;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// splitmix64: a deterministic stream for the synthetic block (same bytes on every run and machine).
struct Rng {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::uint64_t below(std::uint64_t n) { return next() % n; }
  void fill(std::uint8_t* p, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<std::uint8_t>(next());
  }
  template <std::size_t N>
  std::array<std::uint8_t, N> array() {
    std::array<std::uint8_t, N> a{};
    fill(a.data(), N);
    return a;
  }
  Hash32 hash() {
    Hash32 h;
    fill(h.b.data(), 32);
    return h;
  }
  Bytes bytes(std::size_t n) {
    Bytes b(n);
    fill(b.data(), n);
    return b;
  }
};

// Yellow Paper §4.4.1 M3:2048: three 11-bit indices from keccak256(x), bit i at byte 255 − i/8.
void bloom_add(eth::Bloom& bloom, ByteView x) {
  const Hash32 h = keccak256(x);
  for (std::size_t i = 0; i < 6; i += 2) {
    const unsigned bit = ((static_cast<unsigned>(h.b[i]) << 8) | h.b[i + 1]) & 2047u;
    bloom[255 - bit / 8] |= static_cast<std::uint8_t>(1u << (bit % 8));
  }
}

Hash32 word_of_address(const eth::Address& a) {
  Hash32 w;
  std::copy(a.begin(), a.end(), w.b.begin() + 12);
  return w;
}

Hash32 word_of_u64(std::uint64_t v) {
  Hash32 w;
  const auto u = abi::u256_from_u64(v);
  std::copy(u.begin(), u.end(), w.b.begin());
  return w;
}

// A PacketSent(bytes32 indexed commitment, uint64 indexed sequence, bytes packet) log of `endpoint`.
eth::Log packet_sent_log(Rng& rng, const eth::Address& endpoint, std::uint64_t sequence) {
  packet::Packet p;
  p.source_island = "eip155:1337";
  p.source_genesis = rng.hash();
  p.source_channel = "channel-0";
  p.source_port = "transfer";
  p.dest_island = "eip155:31337";
  p.dest_genesis = rng.hash();
  p.dest_channel = "channel-7";
  p.dest_port = "transfer";
  p.sequence = sequence;
  p.sender = rng.bytes(20);
  p.receiver = rng.bytes(20);
  p.payload = rng.bytes(64 + 32 * rng.below(5));  // a transfer payload: 64 … 192 bytes
  p.timeout_height = 0;
  p.timeout_timestamp_ns = 1'800'000'000'000'000'000ULL;
  const Bytes packet_bytes = packet::encode_packet(p);
  static const abi::Type kDataType = abi::Type::tuple({abi::Type::bytes()});
  eth::Log log;
  log.address = endpoint;
  log.topics = {packet::packet_sent_topic0(), packet::commitment(packet_bytes), word_of_u64(sequence)};
  log.data = abi::encode(kDataType, abi::Value::tuple({abi::Value::bytes(packet_bytes)}));
  return log;
}

// An ERC-20 Transfer(address indexed from, address indexed to, uint256 value) log.
eth::Log transfer_log(Rng& rng, const eth::Address& token) {
  static const Hash32 kTransfer = [] {
    const std::string sig = "Transfer(address,address,uint256)";
    return keccak256(ByteView(reinterpret_cast<const std::uint8_t*>(sig.data()), sig.size()));
  }();
  eth::Log log;
  log.address = token;
  log.topics = {kTransfer, word_of_address(rng.array<20>()), word_of_address(rng.array<20>())};
  log.data.assign(32, 0);
  rng.fill(log.data.data() + 20, 12);  // a plausible amount
  return log;
}

// ---- eth-proofs ------------------------------------------------------------------------------------

struct ProofRun {
  double verified_per_s, keccak_sets_per_s;
};

std::uint64_t keccak_node_sets_once(const ReceiptProofSet& set) {
  std::uint64_t sink = 0;
  for (const auto& proof : set.proofs)
    for (const Bytes& node : proof) sink += keccak256(node).b[0];
  return sink;
}

// Alternating passes (the order flips each time) so that load from other processes falls on both alike.
ProofRun run_eth_proofs(const ReceiptProofSet& set) {
  double verify_s = 0, keccak_s = 0;
  std::uint64_t passes = 0, sink = 0;
  while (verify_s + keccak_s < kRunSeconds) {
    for (int half = 0; half < 2; ++half) {
      const bool keccak_now = (half == 0) == (passes % 2 == 0);
      const auto t0 = Clock::now();
      if (keccak_now) {
        sink += keccak_node_sets_once(set);
        keccak_s += seconds_since(t0);
      } else {
        sink += verify_receipt_proofs_once(set);
        verify_s += seconds_since(t0);
      }
    }
    ++passes;
  }
  if (sink == 1) std::cerr << "";  // keeps both loops observable
  const double n = static_cast<double>(passes * set.proofs.size());
  return {n / verify_s, n / keccak_s};
}

// ---- eth-headers -----------------------------------------------------------------------------------

struct Validator {
  secp256k1::SecretKey key;
  eth::Address address{};
};

// Key i: keccak256("causeway bench key" ‖ be32(i)).
std::vector<Validator> make_validators(std::size_t n) {
  std::vector<Validator> out;
  for (std::uint32_t i = 1; i <= n; ++i) {
    Bytes seed = {'c', 'a', 'u', 's', 'e', 'w', 'a', 'y', ' ', 'b', 'e', 'n', 'c', 'h', ' ', 'k', 'e', 'y'};
    for (int s = 24; s >= 0; s -= 8) seed.push_back(static_cast<std::uint8_t>(i >> s));
    auto sk = secp256k1::parse_secret_key(keccak256(seed).view());
    if (!sk) throw std::runtime_error("bench key is not a valid secret key");
    out.push_back({*sk, secp256k1::eth_address(secp256k1::public_key_of(*sk))});
  }
  std::sort(out.begin(), out.end(), [](const Validator& a, const Validator& b) { return a.address < b.address; });
  return out;
}

struct QbftChain {
  std::vector<eth::Address> validators;  // ascending
  std::size_t quorum = 0;
  eth::Header anchor;                    // block 0, lists the validators
  std::vector<eth::Header> headers;      // blocks 1 … n, each sealed by exactly `quorum` validators
  std::vector<Hash32> digests;           // committed-seal hash of headers[i]
  std::vector<std::vector<bft::Seal>> seals;
  std::uint64_t now_s = 0;
  eth::ClientConfig config;
};

eth::Header qbft_header(Rng& rng, std::uint64_t number, const Hash32& parent, std::uint64_t time_s,
                        const eth::Address& proposer, const std::vector<eth::Address>& validators) {
  eth::Header h;
  h.parent_hash = parent;
  h.ommers_hash = eth::empty_ommers_hash();
  h.beneficiary = proposer;
  h.state_root = rng.hash();
  h.transactions_root = rng.hash();
  h.receipts_root = rng.hash();
  for (int i = 0; i < 12; ++i) h.logs_bloom[rng.below(256)] |= static_cast<std::uint8_t>(1u << rng.below(8));
  h.difficulty = abi::u256_from_u64(1);
  h.number = number;
  h.gas_limit = 30'000'000;
  h.gas_used = 1'000'000 + rng.below(20'000'000);
  h.timestamp_s = time_s;
  h.mix_hash = bft::expected_mix_hash();
  h.base_fee_per_gas = abi::u256_from_u64(7);  // London shape, as Besu QBFT networks run
  bft::ExtraData e;
  e.vanity.assign(bft::kVanityBytes, 0);
  e.validators = validators;
  h.extra_data = bft::encode_extra(bft::Variant::Qbft, e);
  return h;
}

QbftChain make_qbft_chain(std::size_t n_validators, std::size_t n_headers) {
  const auto vals = make_validators(n_validators);
  QbftChain c;
  for (const auto& v : vals) c.validators.push_back(v.address);
  c.quorum = bft::quorum(n_validators);
  Rng rng{0xc0ffee00 + n_validators};
  const std::uint64_t t0 = 1'700'000'000;
  c.anchor = qbft_header(rng, 0, Hash32{}, t0, c.validators[0], c.validators);
  Hash32 parent = bft::block_hash(bft::Variant::Qbft, c.anchor).value();
  for (std::uint64_t k = 1; k <= n_headers; ++k) {
    eth::Header h = qbft_header(rng, k, parent, t0 + 2 * k, c.validators[k % n_validators], c.validators);
    const Hash32 digest = bft::committed_seal_hash(bft::Variant::Qbft, h).value();
    bft::ExtraData e = bft::decode_extra(bft::Variant::Qbft, h.extra_data).value();
    for (std::size_t j = 0; j < c.quorum; ++j) {  // exactly the minimal quorum, a rotating subset
      auto sig = secp256k1::sign_recoverable(digest, vals[(k + j) % n_validators].key);
      if (!sig) throw std::runtime_error("bench sealing failed");
      bft::Seal s{};
      std::copy(sig->sig.rs.begin(), sig->sig.rs.end(), s.begin());
      s[64] = sig->recid;
      e.seals.push_back(s);
    }
    h.extra_data = bft::encode_extra(bft::Variant::Qbft, e);
    parent = bft::block_hash(bft::Variant::Qbft, h).value();
    c.digests.push_back(digest);
    c.seals.push_back(e.seals);
    c.headers.push_back(std::move(h));
  }
  c.now_s = t0 + 2 * n_headers;
  c.config.mode = eth::ConsensusMode::Qbft;
  c.config.island = "eip155:1337";
  c.config.trusting_period_s = 10ULL * 365 * 24 * 3600;
  c.config.bft.block_period_s = 1;
  return c;
}

eth::Client fresh_client(const QbftChain& c) {
  auto client = eth::Client::create(c.config, c.anchor, c.validators);
  if (!client) throw std::runtime_error("bench QBFT client: " + client.error().detail);
  return std::move(*client);
}

// Every header through Client::update: block hash, parent link, header rules, committed-seal recovery, quorum.
std::uint64_t verify_chain_once(const QbftChain& c, eth::Client& client) {
  std::uint64_t sink = 0;
  for (const auto& h : c.headers) {
    auto r = client.update(h, c.now_s);
    if (!r || r->kind != eth::UpdateKind::Accepted || !r->finalized)
      throw std::runtime_error("bench QBFT header " + std::to_string(h.number) + " rejected" +
                               (r ? std::string() : ": " + r.error().detail));
    sink += r->header.hash.b[0];
  }
  return sink;
}

// The primitive alone: secp256k1 public-key recovery of every seal over its digest (no address hashing).
std::uint64_t recover_all_once(const QbftChain& c) {
  std::uint64_t sink = 0;
  for (std::size_t i = 0; i < c.seals.size(); ++i)
    for (const auto& s : c.seals[i]) {
      auto pk = secp256k1::recover_rsv(c.digests[i], s, secp256k1::LowS::Allowed);
      if (!pk) throw std::runtime_error("bench ecrecover failed");
      sink += pk->opaque[0];
    }
  return sink;
}

struct HeaderRun {
  double verified_per_s, recover_per_s;
};

HeaderRun run_eth_headers(const QbftChain& c) {
  double verify_s = 0, recover_s = 0;
  std::uint64_t passes = 0, sink = 0;
  while (verify_s + recover_s < kRunSeconds) {
    for (int half = 0; half < 2; ++half) {
      if ((half == 0) == (passes % 2 == 0)) {
        const auto t0 = Clock::now();
        sink += recover_all_once(c);
        recover_s += seconds_since(t0);
      } else {
        eth::Client client = fresh_client(c);  // not timed: a pass starts from the anchor
        const auto t0 = Clock::now();
        sink += verify_chain_once(c, client);
        verify_s += seconds_since(t0);
      }
    }
    ++passes;
  }
  if (sink == 1) std::cerr << "";
  const double headers = static_cast<double>(passes * c.headers.size());
  return {headers / verify_s, headers * static_cast<double>(c.quorum) / recover_s};
}

}  // namespace

ReceiptProofSet make_receipt_proof_set(std::size_t n) {
  ReceiptProofSet set;
  Rng rng{0x5eed};
  const eth::Address endpoint = rng.array<20>();
  std::array<eth::Address, 4> tokens{rng.array<20>(), rng.array<20>(), rng.array<20>(), rng.array<20>()};
  std::uint64_t gas = 0;
  merkle::mpt::Trie trie;
  for (std::size_t i = 0; i < n; ++i) {
    eth::Receipt r;
    r.type = eth::TxType::DynamicFee;
    r.status = eth::ReceiptStatus::Success;
    gas += 21'000 + rng.below(150'000);
    r.cumulative_gas_used = gas;
    const std::size_t transfers = rng.below(3);  // 1–3 logs: 0–2 transfers, then the PacketSent
    for (std::size_t t = 0; t < transfers; ++t) r.logs.push_back(transfer_log(rng, tokens[rng.below(4)]));
    r.logs.push_back(packet_sent_log(rng, endpoint, i + 1));
    for (const auto& log : r.logs) {
      bloom_add(r.logs_bloom, log.address);
      for (const auto& t : log.topics) bloom_add(r.logs_bloom, t.view());
    }
    auto enc = eth::encode_receipt(r);
    if (!enc) throw std::runtime_error("bench receipt encoding: " + enc.error().detail);
    if (auto ok = trie.put(eth::receipt_trie_key(i), *enc); !ok) throw std::runtime_error(ok.error().detail);
    set.encoded.push_back(std::move(*enc));
    set.receipts.push_back(std::move(r));
  }
  set.root = trie.root();
  if (set.root != eth::receipts_root_encoded(set.encoded))
    throw std::runtime_error("bench trie root differs from receipts_root");
  for (std::size_t i = 0; i < n; ++i) {
    auto proof = trie.prove(eth::receipt_trie_key(i));
    if (!proof) throw std::runtime_error(proof.error().detail);
    auto back = eth::verify_receipt_proof(set.root, i, *proof);
    if (!back || *back != set.receipts[i])
      throw std::runtime_error("bench receipt proof " + std::to_string(i) + " does not verify");
    set.total_nodes += proof->size();
    for (const Bytes& node : *proof) set.total_node_bytes += node.size();
    set.proofs.push_back(std::move(*proof));
  }
  return set;
}

std::uint64_t verify_receipt_proofs_once(const ReceiptProofSet& set) {
  std::uint64_t sink = 0;
  for (std::size_t i = 0; i < set.proofs.size(); ++i) {
    auto r = eth::verify_receipt_proof(set.root, i, set.proofs[i]);
    if (!r) throw std::runtime_error("receipt proof " + std::to_string(i) + ": " + r.error().detail);
    sink += r->cumulative_gas_used + r->logs.size();
  }
  return sink;
}

std::vector<BenchFigure> bench_eth_proofs(std::size_t receipts, int runs) {
  const ReceiptProofSet set = make_receipt_proof_set(receipts);
  std::vector<double> verified, keccak;
  for (int i = 0; i < runs; ++i) {
    const auto r = run_eth_proofs(set);
    verified.push_back(r.verified_per_s);
    keccak.push_back(r.keccak_sets_per_s);
  }
  const double n = static_cast<double>(set.proofs.size());
  nlohmann::json extra = {{"runs", runs},
                          {"goal", 0.5},
                          {"batch", set.proofs.size()},
                          {"receipts", set.receipts.size()},
                          {"receipt_type", 2},
                          {"logs_per_receipt", "1-3 (PacketSent + 0-2 Transfer)"},
                          {"avg_nodes_per_proof", static_cast<double>(set.total_nodes) / n},
                          {"avg_proof_bytes", static_cast<double>(set.total_node_bytes) / n}};
  BenchFigure f{"eth-proofs", "verified_receipt_proofs_per_s", "1/s", median(verified),
                "keccak256_proof_node_sets_per_s", median(keccak), 1, set.proofs.size(), extra};
  return {f};
}

std::vector<BenchFigure> bench_eth_headers(std::size_t headers, int runs) {
  std::vector<BenchFigure> out;
  for (std::size_t n_validators : {std::size_t{4}, std::size_t{21}}) {
    const QbftChain chain = make_qbft_chain(n_validators, headers);
    std::vector<double> verified, recovered;
    for (int i = 0; i < runs; ++i) {
      const auto r = run_eth_headers(chain);
      verified.push_back(r.verified_per_s);
      recovered.push_back(r.recover_per_s);
    }
    const double recover_rate = median(recovered);
    nlohmann::json extra = {{"runs", runs},
                            {"goal", 0.8},
                            {"consensus", "qbft"},
                            {"validators", n_validators},
                            {"quorum", chain.quorum},
                            {"seals_per_header", chain.quorum},
                            {"ecrecover_per_s", recover_rate},
                            {"path", "ethereum::Client::update"}};
    out.push_back({"eth-headers", "verified_headers_per_s_" + std::to_string(n_validators) + "v", "1/s",
                   median(verified), "ecrecover_per_s_div_quorum", recover_rate / static_cast<double>(chain.quorum),
                   1, chain.headers.size(), extra});
  }
  return out;
}

}  // namespace causeway::app
