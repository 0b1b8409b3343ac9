// Relay-core workload: see relay_workload.hpp.
#include "relay_workload.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "causeway/bft/devnet_codec.hpp"
#include "causeway/bft/rfc6962_suite.hpp"
#include "causeway/bft/suite.hpp"
#include "causeway/bft/validator_set.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/core/packet.hpp"
#include "causeway/domain/channel.hpp"
#include "causeway/domain/governance.hpp"
#include "causeway/domain/island.hpp"

namespace causeway::app {
namespace {

using nlohmann::json;
constexpr bft::Suite kSuite = bft::Suite::Secp256k1Sha256;
constexpr std::uint64_t kTrustingPeriodS = 14 * 24 * 3600;

Bytes secret(const std::string& label) {
  const Hash32 h = sha256(ByteView(reinterpret_cast<const std::uint8_t*>(label.data()), label.size()));
  return Bytes(h.b.begin(), h.b.end());
}

template <class T>
T must(Result<T> r, const char* what) {
  if (!r) throw std::runtime_error(std::string(what) + ": " + r.error().detail);
  return std::move(*r);
}

struct Chain {
  std::string chain_id;
  std::vector<Bytes> secrets;
  bft::ValidatorSet set;
  struct Block {
    bft::devnet::Header header;
    Hash32 hash;
    std::vector<Bytes> events;
    std::vector<Hash32> leaf_hashes;
  };
  std::vector<Block> blocks;
};

Chain make_chain(const std::string& name, std::size_t validators) {
  Chain c;
  c.chain_id = "cwdevnet:" + name;  // the devnet header chain id is the island id
  std::vector<bft::Validator> vs;
  for (std::size_t i = 0; i < validators; ++i) {
    c.secrets.push_back(secret("causeway-bench/" + name + "/validator/" + std::to_string(i)));
    vs.push_back(bft::Validator{must(bft::public_key_of(kSuite, c.secrets.back()), "key"), 10});
  }
  c.set = must(bft::ValidatorSet::create(kSuite, vs), "validator set");
  return c;
}

void add_block(Chain& c, std::uint64_t time_ms, std::vector<Bytes> events) {
  Chain::Block b;
  b.events = std::move(events);
  for (const auto& e : b.events) b.leaf_hashes.push_back(bft::rfc6962::leaf_hash(kSuite, e));
  auto& h = b.header;
  h.chain_id = c.chain_id;
  h.height = c.blocks.size();
  h.time_ms = time_ms;
  h.parent_hash = c.blocks.empty() ? Hash32{} : c.blocks.back().hash;
  const std::vector<Bytes> txs{Bytes{'t', 'x'}};
  h.tx_root = bft::rfc6962::root_of_leaves(kSuite, txs);
  h.tx_count = 1;
  h.event_root = b.leaf_hashes.empty() ? bft::rfc6962::empty_root(kSuite) : bft::rfc6962::root(kSuite, b.leaf_hashes);
  h.event_count = b.events.size();
  h.state_root = sha256(Bytes{'s', static_cast<std::uint8_t>(h.height & 0xff), static_cast<std::uint8_t>(h.height >> 8)});
  h.validators_hash = bft::devnet::validators_hash(c.set);
  h.next_validators_hash = h.validators_hash;
  h.proposer = c.set.validators().front().key;
  b.hash = bft::devnet::header_hash(kSuite, must(bft::devnet::encode(h), "encode"));
  c.blocks.push_back(std::move(b));
}

// RFC 6962 inclusion paths of every leaf of one tree, with the subtree roots memoized: O(n log n) for the
// whole block instead of O(n) per path (the bench's blocks hold 1,000 leaves). Same PATH as
// bft::rfc6962::inclusion_proof (RFC 6962 §2.1.1, bottom-up); make_relay_workload checks the first path of
// every block against it.
class PathBuilder {
 public:
  explicit PathBuilder(const std::vector<Hash32>& leaves) : leaves_(leaves) {}
  std::vector<Hash32> path(std::uint64_t m) {
    std::vector<Hash32> out;
    walk(m, 0, leaves_.size(), out);
    return out;
  }

 private:
  static std::uint64_t split(std::uint64_t n) {
    std::uint64_t k = 1;
    while (k * 2 < n) k *= 2;
    return k;
  }
  Hash32 root(std::uint64_t lo, std::uint64_t hi) {
    if (hi - lo == 1) return leaves_[lo];
    const auto key = std::pair{lo, hi};
    if (auto it = memo_.find(key); it != memo_.end()) return it->second;
    const std::uint64_t k = split(hi - lo);
    const Hash32 h = bft::rfc6962::node_hash(kSuite, root(lo, lo + k), root(lo + k, hi));
    memo_.emplace(key, h);
    return h;
  }
  void walk(std::uint64_t m, std::uint64_t lo, std::uint64_t hi, std::vector<Hash32>& out) {
    if (hi - lo <= 1) return;
    const std::uint64_t k = split(hi - lo);
    if (m < lo + k) {
      walk(m, lo, lo + k, out);
      out.push_back(root(lo + k, hi));
    } else {
      walk(m, lo + k, hi, out);
      out.push_back(root(lo, lo + k));
    }
  }
  const std::vector<Hash32>& leaves_;
  std::map<std::pair<std::uint64_t, std::uint64_t>, Hash32> memo_;
};

json header_json(const bft::devnet::Header& h) {
  return json{{"chain_id", h.chain_id},
              {"height", h.height},
              {"time_ms", h.time_ms},
              {"parent_hash", to_hex(h.parent_hash.view())},
              {"tx_root", to_hex(h.tx_root.view())},
              {"event_root", to_hex(h.event_root.view())},
              {"tx_count", h.tx_count},
              {"event_count", h.event_count},
              {"state_root", to_hex(h.state_root.view())},
              {"validators_hash", to_hex(h.validators_hash.view())},
              {"next_validators_hash", to_hex(h.next_validators_hash.view())},
              {"proposer", to_hex(h.proposer)}};
}

json set_json(const bft::ValidatorSet& set) {
  json out = json::array();
  for (const auto& v : set.validators()) out.push_back({{"key", to_hex(v.key)}, {"power", v.power}});
  return out;
}

json commit_json(const Chain& c, const Chain::Block& b) {
  const Bytes msg = bft::devnet::sign_bytes(c.chain_id, b.header.height, b.hash);
  json out = json::array();
  for (const auto& s : c.secrets) {
    const Bytes pub = must(bft::public_key_of(kSuite, s), "key");
    const auto idx = c.set.index_of(pub);
    out.push_back({{"validator", *idx}, {"signature", to_hex(must(bft::sign(kSuite, s, msg), "sign"))}});
  }
  return out;
}

domain::SignedIsland island_record(const Chain& c, const Bytes& gov_secret) {
  domain::SignedIsland r;
  auto& s = r.spec;
  s.id = c.chain_id;
  s.genesis = c.blocks.front().hash;
  s.family = domain::Family::Bft;
  s.codec = "causeway-devnet/v1";
  s.trusting_period_s = kTrustingPeriodS;
  s.finality = domain::FinalityRule{domain::FinalityKind::BftQuorum, 0};
  s.anchor.height = 0;
  s.anchor.hash = c.blocks.front().hash;
  s.anchor.time_s = c.blocks.front().header.time_ms / 1000;
  const Hash32 vsh = c.blocks.front().header.validators_hash;
  s.anchor.extra = Bytes(vsh.b.begin(), vsh.b.end());
  s.endpoint = Bytes{'e', 'n', 'd', 'p', 'o', 'i', 'n', 't'};
  const auto sk = must(secp256k1::parse_secret_key(gov_secret), "gov key");
  s.governance = must(domain::make_governance_keys(1, {secp256k1::eth_address(secp256k1::public_key_of(sk))}), "gov");
  r.nonce = 1;
  r.signatures.push_back(must(domain::sign_governance(domain::island_digest(domain::GovAction::IslandRegister, s, 1), sk), "sign"));
  return r;
}

domain::SignedChannelRecord channel_record(const domain::IslandSpec& self, const domain::IslandSpec& other,
                                           const Bytes& gov_secret, bool ordered, const std::string& port = "app") {
  domain::SignedChannelRecord r;
  auto& s = r.spec;
  s.island = self.id;
  s.channel = "channel-0";
  s.port = port;
  s.endpoint = self.endpoint;
  s.counterparty_island = other.id;
  s.counterparty_genesis = other.genesis;
  s.counterparty_channel = "channel-0";
  s.counterparty_port = port;
  s.counterparty_endpoint = other.endpoint;
  s.ordering = ordered ? domain::Ordering::Ordered : domain::Ordering::Unordered;
  s.open_height = 0;
  r.nonce = 2;
  const auto sk = must(secp256k1::parse_secret_key(gov_secret), "gov key");
  r.signatures.push_back(
      must(domain::sign_governance(domain::channel_digest(domain::GovAction::ChannelOpen, s, self.genesis, 2), sk), "sign"));
  return r;
}

}  // namespace

Workload make_relay_workload(std::size_t packets, std::size_t per_block, std::uint64_t now_ms, bool ordered,
                             const std::function<void(packet::Packet&)>& mutate, bool all_carry_headers) {
  if (per_block == 0) per_block = 1;
  const std::size_t blocks = (packets + per_block - 1) / per_block;
  Chain src = make_chain("cw-src", 4);
  Chain dst = make_chain("cw-dst", 4);
  const std::uint64_t t0 = now_ms - 2000 - (blocks + 1) * 1000;
  add_block(src, t0, {});
  add_block(dst, t0, {});
  const Bytes gov_src = secret("causeway-bench/gov/src"), gov_dst = secret("causeway-bench/gov/dst");

  Workload w;
  w.config.islands.push_back(island_record(src, gov_src));
  w.config.islands.push_back(island_record(dst, gov_dst));
  const auto& s_spec = w.config.islands[0].spec;
  const auto& d_spec = w.config.islands[1].spec;
  w.config.channels.push_back({channel_record(s_spec, d_spec, gov_src, ordered), channel_record(d_spec, s_spec, gov_dst, ordered)});

  std::uint64_t seq = 0;
  std::vector<std::vector<Bytes>> packet_bytes(blocks + 1);
  for (std::size_t b = 1; b <= blocks; ++b) {
    std::vector<Bytes> events;
    for (std::size_t i = 0; i < per_block && seq < packets; ++i) {
      packet::Packet p;
      p.source_island = s_spec.id;
      p.source_genesis = s_spec.genesis;
      p.source_channel = "channel-0";
      p.source_port = "app";
      p.dest_island = d_spec.id;
      p.dest_genesis = d_spec.genesis;
      p.dest_channel = "channel-0";
      p.dest_port = "app";
      p.sequence = ++seq;
      p.sender = Bytes(20, 0x11);
      p.receiver = Bytes(20, 0x22);
      p.payload = Bytes{'m', 's', 'g', static_cast<std::uint8_t>(seq & 0xff)};
      if (mutate) mutate(p);
      Bytes leaf{0x01};
      const Bytes pb = packet::encode_packet(p);
      leaf.insert(leaf.end(), pb.begin(), pb.end());
      events.push_back(std::move(leaf));
    }
    add_block(src, t0 + b * 1000, std::move(events));
  }

  const json validators = set_json(src.set);
  seq = 0;
  for (std::size_t b = 1; b < src.blocks.size(); ++b) {
    const auto& blk = src.blocks[b];
    const json opener_anchor = {{"header", header_json(src.blocks[b - 1].header)},
                                {"validators", validators},
                                {"trusting_period_s", kTrustingPeriodS}};
    const json block_anchor = {{"header", header_json(blk.header)},
                               {"validators", validators},
                               {"trusting_period_s", kTrustingPeriodS}};
    const json opener_headers = json::array({{{"header", header_json(blk.header)}, {"commit", commit_json(src, blk)}}});
    PathBuilder paths(blk.leaf_hashes);
    for (std::size_t i = 0; i < blk.events.size(); ++i) {
      const auto path = paths.path(i);
      if (i == 0 && path != must(bft::rfc6962::inclusion_proof(kSuite, blk.leaf_hashes, i), "path"))
        throw std::runtime_error("workload: inclusion paths disagree");
      json ap = json::array();
      for (const auto& h : path) ap.push_back(to_hex(h.view()));
      const bool opener = i == 0;
      const bool carries = opener || all_carry_headers;
      json bundle = {{"version", 1},
                     {"family", "bft"},
                     {"island", s_spec.id},
                     {"codec", "causeway-devnet/v1"},
                     {"crypto", "secp256k1-sha256"},
                     {"anchor", carries ? opener_anchor : block_anchor},
                     {"headers", carries ? opener_headers : json::array()},
                     {"inclusion",
                      {{"kind", "rfc6962"},
                       {"tree", "event"},
                       {"height", blk.header.height},
                       {"index", i},
                       {"tree_size", blk.events.size()},
                       {"leaf", to_hex(blk.events[i])},
                       {"audit_path", ap}}}};
      w.bundles.push_back(WorkloadBundle{b, opener, ++seq, bundle.dump()});
    }
  }
  return w;
}

// ---- TransferChains (relay_workload.hpp) ----------------------------------------------------------------

struct TransferChains::State {
  Chain src = make_chain("cw-src", 4);
  Chain dst = make_chain("cw-dst", 4);
  std::uint64_t start_ms = 0;
  engine::RelayConfig config;
};

TransferChains::TransferChains(std::uint64_t start_ms) : s_(std::make_unique<State>()) {
  s_->start_ms = start_ms;
  add_block(s_->src, start_ms, {});
  add_block(s_->dst, start_ms, {});
  const Bytes gov_src = secret("causeway-bench/gov/src"), gov_dst = secret("causeway-bench/gov/dst");
  auto& c = s_->config;
  c.islands.push_back(island_record(s_->src, gov_src));
  c.islands.push_back(island_record(s_->dst, gov_dst));
  const auto& a = c.islands[0].spec;
  const auto& b = c.islands[1].spec;
  c.channels.push_back({channel_record(a, b, gov_src, false, "transfer"), channel_record(b, a, gov_dst, false, "transfer")});
  c.assets.push_back(engine::AssetSetting{a.id, "tok"});
}

TransferChains::~TransferChains() = default;

const engine::RelayConfig& TransferChains::config() const { return s_->config; }

packet::Packet TransferChains::transfer(bool from_src, std::uint64_t sequence, const std::string& denom,
                                        std::uint64_t amount) const {
  const auto& from = s_->config.islands[from_src ? 0 : 1].spec;
  const auto& to = s_->config.islands[from_src ? 1 : 0].spec;
  packet::Packet p;
  p.source_island = from.id;
  p.source_genesis = from.genesis;
  p.source_channel = "channel-0";
  p.source_port = "transfer";
  p.dest_island = to.id;
  p.dest_genesis = to.genesis;
  p.dest_channel = "channel-0";
  p.dest_port = "transfer";
  p.sequence = sequence;
  p.timeout_height = 1000000;
  p.sender = Bytes(20, 0x11);
  p.receiver = Bytes(20, 0x22);
  packet::TransferPayload t;
  t.denom = denom;
  t.amount = abi::u256_from_u64(amount);
  t.sender = p.sender;
  t.receiver = p.receiver;
  p.payload = packet::encode_transfer_payload(t);
  return p;
}

std::string TransferChains::add_packet(const packet::Packet& p) {
  Bytes leaf{0x01};
  const Bytes pb = packet::encode_packet(p);
  leaf.insert(leaf.end(), pb.begin(), pb.end());
  return add_event(p.source_island, leaf);
}

std::string TransferChains::add_event(const std::string& island, const Bytes& leaf) {
  Chain* c = island == s_->src.chain_id ? &s_->src : island == s_->dst.chain_id ? &s_->dst : nullptr;
  if (c == nullptr) throw std::runtime_error("TransferChains: unknown island " + island);
  add_block(*c, s_->start_ms + c->blocks.size() * 1000, {leaf});
  const auto& blk = c->blocks.back();
  json headers = json::array();
  for (std::size_t h = 1; h < c->blocks.size(); ++h)
    headers.push_back({{"header", header_json(c->blocks[h].header)}, {"commit", commit_json(*c, c->blocks[h])}});
  const json anchor = {{"header", header_json(c->blocks.front().header)},
                       {"validators", set_json(c->set)},
                       {"trusting_period_s", kTrustingPeriodS}};
  const json bundle = {{"version", 1},
                       {"family", "bft"},
                       {"island", c->chain_id},
                       {"codec", "causeway-devnet/v1"},
                       {"crypto", "secp256k1-sha256"},
                       {"anchor", anchor},
                       {"headers", headers},
                       {"inclusion",
                        {{"kind", "rfc6962"},
                         {"tree", "event"},
                         {"height", blk.header.height},
                         {"index", 0},
                         {"tree_size", 1},
                         {"leaf", to_hex(blk.events[0])},
                         {"audit_path", json::array()}}}};
  return bundle.dump();
}

engine::ChannelPair channel_close_records(const Workload& w, std::uint64_t nonce_src, std::uint64_t nonce_dst) {
  engine::ChannelPair pair = w.config.channels.at(0);
  pair.a.nonce = nonce_src;
  pair.b.nonce = nonce_dst;
  const auto sign = [](domain::SignedChannelRecord& r, const domain::IslandSpec& island, const std::string& label) {
    const auto sk = must(secp256k1::parse_secret_key(secret(label)), "gov key");
    r.signatures = {must(domain::sign_governance(
                             domain::channel_digest(domain::GovAction::ChannelClose, r.spec, island.genesis, r.nonce), sk),
                         "sign")};
  };
  sign(pair.a, w.config.islands.at(0).spec, "causeway-bench/gov/src");
  sign(pair.b, w.config.islands.at(1).spec, "causeway-bench/gov/dst");
  return pair;
}

void write_relay_workload(const Workload& w, const std::string& dir) {
  std::filesystem::create_directories(dir);
  {
    std::ofstream out(dir + "/config.json");
    out << engine::config_to_json(w.config).dump(1) << "\n";
  }
  std::ofstream out(dir + "/bundles.jsonl");
  for (const auto& b : w.bundles)
    out << json{{"block", b.block}, {"opener", b.opener}, {"sequence", b.sequence}, {"bundle", json::parse(b.bundle)}}.dump()
        << "\n";
  if (!out) throw std::runtime_error("cannot write " + dir + "/bundles.jsonl");
}

}  // namespace causeway::app
