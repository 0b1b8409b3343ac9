// The causeway-devnet chain adapter (devnet_adapter.hpp). JSON-RPC answers are decoded strictly here (DESIGN.md
// §3: "JSON-RPC responses are decoded in the adapters"); verification is the light client's.
#include "causeway/devnet_adapter/devnet_adapter.hpp"

#include <algorithm>
#include <charconv>
#include <utility>

#include "causeway/bft/rfc6962_suite.hpp"
#include "causeway/bft/validator_set.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/core/packet.hpp"
#include "causeway/devnet_node/tx.hpp"

namespace causeway::adapters::devnet {

namespace node = causeway::devnet;
using nlohmann::json;

namespace {

constexpr Code kAllCodes[] = {
#define CAUSEWAY_X(name, str, doc) Code::name,
    CAUSEWAY_ERROR_CODES(CAUSEWAY_X)
#undef CAUSEWAY_X
};

tl::unexpected<Error> bad(const std::string& at, const std::string& what) {
  return fail(Code::RpcResponse, what, at);
}

Result<std::uint64_t> u64_of(const json& v, const std::string& at) {
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_string()) {  // decimal string quantity
    const auto& s = v.get_ref<const std::string&>();
    std::uint64_t x = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
    if (!s.empty() && s.size() <= 20 && ec == std::errc() && p == s.data() + s.size() && (s == "0" || s[0] != '0'))
      return x;
  }
  return bad(at, "expected a non-negative integer");
}

Result<Bytes> hex_of(const json& v, const std::string& at, std::size_t max_bytes) {
  if (!v.is_string()) return bad(at, "expected a 0x hex string");
  auto b = from_hex(v.get_ref<const std::string&>(), max_bytes);
  if (!b) return fail(b.error().code == Code::TooLarge ? Code::TooLarge : Code::RpcResponse, b.error().detail, at);
  return b;
}

Result<Hash32> hash_of(const json& v, const std::string& at) {
  auto b = hex_of(v, at, 32);
  if (!b) return tl::unexpected(b.error());
  if (b->size() != 32) return bad(at, "expected 32 bytes");
  return Hash32::from(*b);
}

const json& member(const json& obj, const char* key) {
  static const json kNull;
  if (!obj.is_object()) return kNull;
  const auto it = obj.find(key);
  return it == obj.end() ? kNull : *it;
}

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

// A validator list as the node gives it → the bundle's form (decimal-string powers), shape-checked and
// hash-checked against `expected_hash` (the header field that commits to it).
Result<json> validators_of(const json& v, const std::string& at, bft::Suite suite, const Hash32& expected_hash) {
  if (!v.is_array() || v.empty() || v.size() > bft::kMaxValidators)
    return bad(at, "expected 1 … " + std::to_string(bft::kMaxValidators) + " validators");
  json out = json::array();
  std::vector<bft::Validator> list;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string here = at + "[" + std::to_string(i) + "]";
    auto key = hex_of(member(v[i], "key"), here + ".key", 65);
    if (!key) return tl::unexpected(key.error());
    auto power = u64_of(member(v[i], "power"), here + ".power");
    if (!power) return tl::unexpected(power.error());
    out.push_back({{"key", to_hex(*key)}, {"power", std::to_string(*power)}});
    list.push_back(bft::Validator{std::move(*key), *power});
  }
  auto set = bft::ValidatorSet::create(suite, std::move(list));
  if (!set) return fail(Code::RpcResponse, "not a valid validator set: " + set.error().detail, at);
  if (bft::devnet::validators_hash(*set) != expected_hash)
    return fail(Code::RpcInconsistent, "the validator set does not hash to the header's validators hash", at);
  return out;
}

// One devnet_getBlock answer, checked for self-consistency.
struct Block {
  std::uint64_t height = 0;
  Hash32 hash;
  Bytes header;
  bft::devnet::Header fields;
  json commit;                   // [{validator, signature}]
  json validators;               // the set signing this block
  std::optional<json> next_validators;
};

Result<Block> block_of(const json& b, std::uint64_t height, const IslandInfo& info) {
  const std::string at = "block[" + std::to_string(height) + "]";
  if (!b.is_object()) return bad(at, "expected a block object");
  Block out;
  auto header = hex_of(member(b, "header"), at + ".header", bft::devnet::kMaxHeaderSize);
  if (!header) return tl::unexpected(header.error());
  auto fields = bft::devnet::decode(*header);
  if (!fields) return fail(Code::RpcResponse, "header: " + fields.error().detail, at + ".header");
  if (fields->height != height)
    return fail(Code::RpcInconsistent, "asked for block " + std::to_string(height) + ", got " +
                                           std::to_string(fields->height), at + ".header");
  if (fields->chain_id != info.chain_id)
    return fail(Code::RpcInconsistent, "header of chain '" + fields->chain_id + "'", at + ".header");
  auto hash = hash_of(member(b, "hash"), at + ".hash");
  if (!hash) return tl::unexpected(hash.error());
  if (bft::devnet::header_hash(info.suite, *header) != *hash)
    return fail(Code::RpcInconsistent, "the header does not hash to the stated hash", at + ".hash");
  const json& commit = member(b, "commit");
  if (!commit.is_array() || commit.size() > bft::kMaxValidators) return bad(at + ".commit", "expected a commit list");
  out.commit = json::array();
  for (std::size_t i = 0; i < commit.size(); ++i) {
    const std::string here = at + ".commit[" + std::to_string(i) + "]";
    auto index = u64_of(member(commit[i], "validator"), here + ".validator");
    if (!index) return tl::unexpected(index.error());
    auto sig = hex_of(member(commit[i], "signature"), here + ".signature", bft::kSignatureSize);
    if (!sig) return tl::unexpected(sig.error());
    out.commit.push_back({{"validator", *index}, {"signature", to_hex(*sig)}});
  }
  auto vals = validators_of(member(b, "validators"), at + ".validators", info.suite, fields->validators_hash);
  if (!vals) return tl::unexpected(vals.error());
  out.validators = std::move(*vals);
  if (const json& next = member(b, "next_validators"); !next.is_null()) {
    auto n = validators_of(next, at + ".next_validators", info.suite, fields->next_validators_hash);
    if (!n) return tl::unexpected(n.error());
    out.next_validators = std::move(*n);
  } else if (fields->next_validators_hash != fields->validators_hash) {
    return fail(Code::RpcInconsistent, "the block changes the validator set but lists no next_validators", at);
  }
  out.height = height;
  out.hash = *hash;
  out.header = std::move(*header);
  out.fields = std::move(*fields);
  return out;
}

Result<secp256k1::Address> address_of_json(const json& v, const std::string& at) {
  auto b = hex_of(v, at, 20);
  if (!b) return tl::unexpected(b.error());
  if (b->size() != 20) return bad(at, "expected a 20-byte address");
  secp256k1::Address a{};
  std::copy(b->begin(), b->end(), a.begin());
  return a;
}

Result<std::vector<node::Attestation>> attestations_of(const std::vector<MemberAttestation>& in) {
  if (in.empty() || in.size() > node::kMaxAttestations)
    return fail(Code::InvalidArgument, "1 … " + std::to_string(node::kMaxAttestations) + " attestations needed",
                "attestations");
  std::vector<node::Attestation> out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i].signature.size() != 65)
      return fail(Code::BadLength, "an attestation signature is 65 bytes r ‖ s ‖ v",
                  "attestations[" + std::to_string(i) + "]");
    node::Attestation a;
    a.audit_index = in[i].audit_index;
    std::copy(in[i].signature.begin(), in[i].signature.end(), a.signature.begin());
    out.push_back(a);
  }
  return out;
}

}  // namespace

Error node_error(Error e) {
  if (e.code != Code::RpcError) return e;
  // detail = "<json-rpc code>: <message> data=<json>"; the node's message is "ERR_…: detail" (rpc.cpp).
  const std::string_view d = e.detail;
  const auto colon = d.find(": ");
  if (colon == std::string_view::npos || d.substr(0, colon) != "-32000") return e;
  const std::string_view msg = d.substr(colon + 2);
  const auto end = msg.find(':');
  const std::string_view name = msg.substr(0, end);
  for (Code c : kAllCodes)
    if (code_name(c) == name) {
      std::string detail(msg);
      if (const auto data = detail.find(" data="); data != std::string::npos) detail.erase(data);
      return Error{c, std::move(detail), e.at};
    }
  return e;
}

struct DevnetAdapter::Impl {
  DevnetAdapterConfig config;
  JsonRpcClient rpc;
  IslandInfo info;
  std::optional<secp256k1::Address> submitter;

  Impl(DevnetAdapterConfig c, JsonRpcClient client) : config(std::move(c)), rpc(std::move(client)) {}

  Result<json> call(std::string_view method, const json& params = json::array()) {
    auto r = rpc.call(method, params);
    if (!r) return tl::unexpected(node_error(std::move(r.error())));
    return r;
  }

  // Results of `method(h)` for h in from … to, in batches.
  Result<std::vector<json>> per_height(const char* method, std::uint64_t from, std::uint64_t to) {
    std::vector<json> out;
    for (std::uint64_t h = from; h <= to;) {
      std::vector<RpcCall> calls;
      for (; h <= to && calls.size() < config.batch; ++h) calls.push_back({method, json::array({h})});
      auto r = rpc.call_batch(calls);
      if (!r) return tl::unexpected(node_error(std::move(r.error())));
      for (auto& one : *r) {
        if (!one) return tl::unexpected(node_error(std::move(one.error())));
        out.push_back(std::move(*one));
      }
      if (h == 0) break;  // to == UINT64_MAX wrapped
    }
    return out;
  }

  Result<std::vector<Block>> blocks(std::uint64_t from, std::uint64_t to) {
    auto raw = per_height("devnet_getBlock", from, to);
    if (!raw) return tl::unexpected(raw.error());
    std::vector<Block> out;
    out.reserve(raw->size());
    for (std::size_t i = 0; i < raw->size(); ++i) {
      auto b = block_of((*raw)[i], from + i, info);
      if (!b) return tl::unexpected(b.error());
      out.push_back(std::move(*b));
    }
    return out;
  }

  // The `headers` entries of consecutive blocks (first entry carries its set).
  json header_entries(const std::vector<Block>& bs, const Hash32* previous_validators_hash) {
    json out = json::array();
    std::optional<Hash32> prev;
    if (previous_validators_hash != nullptr) prev = *previous_validators_hash;
    for (const auto& b : bs) {
      json e = {{"header", header_json(b.fields)}, {"commit", b.commit}};
      if (!prev || *prev != b.fields.validators_hash) e["validators"] = b.validators;
      if (b.next_validators) e["next_validators"] = *b.next_validators;
      prev = b.fields.validators_hash;
      out.push_back(std::move(e));
    }
    return out;
  }

  Result<std::vector<Bytes>> events_of(const json& list, std::uint64_t height) {
    const std::string at = "events[" + std::to_string(height) + "]";
    if (!list.is_array()) return bad(at, "expected an array of event leaves");
    if (list.size() > config.max_events_per_block)
      return fail(Code::TooLarge, std::to_string(list.size()) + " events over the bound of " +
                                      std::to_string(config.max_events_per_block), at);
    std::vector<Bytes> out;
    out.reserve(list.size());
    for (std::size_t i = 0; i < list.size(); ++i) {
      auto leaf = hex_of(list[i], at + "[" + std::to_string(i) + "]", kMaxLeafBytes);
      if (!leaf) return tl::unexpected(leaf.error());
      out.push_back(std::move(*leaf));
    }
    return out;
  }

  Result<Submitted> submit(node::TxKind kind, Bytes body) {
    if (!submitter) return fail(Code::InvalidArgument, "the adapter has no submitter key", "submitter_key");
    auto n = call("devnet_getNonce", json::array({node::address_hex(*submitter)}));
    if (!n) return tl::unexpected(n.error());
    auto nonce = u64_of(member(*n, "pending"), "devnet_getNonce.pending");
    if (!nonce) return tl::unexpected(nonce.error());
    node::Tx tx;
    tx.island = info.island;
    tx.genesis = info.genesis_hash;
    tx.kind = kind;
    tx.nonce = *nonce;
    tx.body = std::move(body);
    if (auto s = node::sign_tx(tx, config.submitter_key); !s) return tl::unexpected(s.error());
    const Bytes raw = node::encode_tx(tx);
    auto h = call("devnet_sendTransaction", json::array({to_hex(raw)}));
    if (!h) return tl::unexpected(h.error());
    auto hash = hash_of(*h, "devnet_sendTransaction");
    if (!hash) return tl::unexpected(hash.error());
    if (*hash != node::tx_hash(raw))
      return fail(Code::RpcInconsistent, "the node named another transaction hash", "devnet_sendTransaction");
    return Submitted{Bytes(hash->b.begin(), hash->b.end())};
  }

  // A bft bundle without its inclusion: anchor = block anchor_height, headers anchor+1 … height. When
  // `event_count` is set, the last header must say that many events.
  Result<json> header_document(std::uint64_t anchor_height, std::uint64_t height,
                               std::optional<std::size_t> event_count) {
    auto bs = blocks(anchor_height, height);
    if (!bs) return tl::unexpected(bs.error());
    const Block& anchor = bs->front();
    if (event_count && bs->back().fields.event_count != *event_count)
      return fail(Code::RpcInconsistent, "the event list does not match the header's event_count", "devnet_getEvents");
    json anchor_json = {{"header", header_json(anchor.fields)},
                        {"validators", anchor.validators},
                        {"next_validators", anchor.next_validators ? *anchor.next_validators : anchor.validators},
                        {"trusting_period_s", config.trusting_period_s}};
    const std::vector<Block> after(bs->begin() + 1, bs->end());
    return json{{"version", 1},
                {"family", "bft"},
                {"island", info.island},
                {"codec", std::string(bft::devnet::kCodecName)},
                {"crypto", std::string(bft::suite_name(info.suite))},
                {"anchor", std::move(anchor_json)},
                {"headers", header_entries(after, &anchor.fields.next_validators_hash)}};
  }

  Status check_range(std::uint64_t from, std::uint64_t to) const {
    if (from > to || to - from >= config.max_scan_blocks)
      return fail(Code::InvalidArgument, "block range must hold 1 … " + std::to_string(config.max_scan_blocks) +
                                             " blocks", "range");
    return {};
  }
};

DevnetAdapter::DevnetAdapter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DevnetAdapter::~DevnetAdapter() = default;

Result<std::unique_ptr<DevnetAdapter>> DevnetAdapter::connect(DevnetAdapterConfig config) {
  if (config.batch == 0 || config.batch > kMaxRpcBatch)
    return fail(Code::InvalidArgument, "batch must be 1 … 100", "batch");
  if (config.max_scan_blocks == 0 || config.max_proof_headers == 0)
    return fail(Code::InvalidArgument, "block bounds must be positive", "max_scan_blocks");
  std::optional<secp256k1::Address> submitter;
  if (!config.submitter_key.empty()) {
    auto a = node::address_of(config.submitter_key);
    if (!a) return fail(Code::InvalidArgument, "submitter key: " + a.error().detail, "submitter_key");
    submitter = *a;
  }
  auto client = JsonRpcClient::create(config.rpc_url, config.rpc);
  if (!client) return tl::unexpected(client.error());
  auto impl = std::make_unique<Impl>(std::move(config), std::move(*client));
  impl->submitter = submitter;
  auto g = impl->call("devnet_genesis");
  if (!g) return tl::unexpected(g.error());
  IslandInfo& info = impl->info;
  const json& island = member(*g, "island");
  if (!island.is_string() || island.get_ref<const std::string&>().rfind("cwdevnet:", 0) != 0 ||
      island.get_ref<const std::string&>().size() > 9 + bft::devnet::kMaxChainIdSize)
    return bad("devnet_genesis.island", "expected cwdevnet:<name>");
  info.island = island.get<std::string>();
  // The headers' chain_id, as block 0 carries it (docs/devnet.md: the island id itself).
  auto genesis_header = hex_of(member(*g, "genesis_header"), "devnet_genesis.genesis_header", bft::devnet::kMaxHeaderSize);
  if (!genesis_header) return tl::unexpected(genesis_header.error());
  auto h0 = bft::devnet::decode(*genesis_header);
  if (!h0 || h0->height != 0) return bad("devnet_genesis.genesis_header", "not a causeway-devnet/v1 header of block 0");
  info.chain_id = h0->chain_id;
  auto gh = hash_of(member(*g, "genesis_hash"), "devnet_genesis.genesis_hash");
  if (!gh) return tl::unexpected(gh.error());
  info.genesis_hash = *gh;
  const json& crypto = member(*g, "crypto");
  auto suite = bft::parse_suite(crypto.is_string() ? crypto.get<std::string>() : "");
  if (!suite) return bad("devnet_genesis.crypto", "unknown crypto suite");
  info.suite = *suite;
  if (member(*g, "codec") != std::string(bft::devnet::kCodecName))
    return bad("devnet_genesis.codec", "expected causeway-devnet/v1");
  auto endpoint = hex_of(member(*g, "endpoint_hex"), "devnet_genesis.endpoint_hex", 256);
  if (!endpoint) return tl::unexpected(endpoint.error());
  info.endpoint = std::move(*endpoint);
  const json& committee = member(*g, "committee");
  const json& members = member(committee, "members");
  if (!members.is_array() || members.size() > 64) return bad("devnet_genesis.committee.members", "expected ≤ 64 addresses");
  for (std::size_t i = 0; i < members.size(); ++i) {
    auto a = address_of_json(members[i], "devnet_genesis.committee.members[" + std::to_string(i) + "]");
    if (!a) return tl::unexpected(a.error());
    info.committee.push_back(*a);
  }
  auto k = u64_of(member(committee, "k"), "devnet_genesis.committee.k");
  if (!k) return tl::unexpected(k.error());
  info.committee_k = static_cast<std::uint32_t>(std::min<std::uint64_t>(*k, 64));
  return std::unique_ptr<DevnetAdapter>(new DevnetAdapter(std::move(impl)));
}

std::string DevnetAdapter::island() const { return impl_->info.island; }
const IslandInfo& DevnetAdapter::info() const noexcept { return impl_->info; }

Result<std::uint64_t> DevnetAdapter::latest_height() {
  auto r = impl_->call("devnet_latestHeight");
  if (!r) return tl::unexpected(r.error());
  return u64_of(*r, "devnet_latestHeight");
}

Result<std::string> DevnetAdapter::follow_headers(std::uint64_t from_height, std::size_t max) {
  if (max == 0 || max > impl_->config.max_scan_blocks)
    return fail(Code::InvalidArgument, "max must be 1 … " + std::to_string(impl_->config.max_scan_blocks), "max");
  auto tip = latest_height();
  if (!tip) return tl::unexpected(tip.error());
  if (*tip <= from_height) return std::string("[]");
  const std::uint64_t to = std::min<std::uint64_t>(*tip, from_height + max);
  auto bs = impl_->blocks(from_height + 1, to);
  if (!bs) return tl::unexpected(bs.error());
  return impl_->header_entries(*bs, nullptr).dump();
}

Result<std::string> DevnetAdapter::fetch_proof(const Hash32& commitment, std::uint64_t height,
                                               std::uint64_t anchor_height) {
  if (anchor_height > height) return fail(Code::InvalidArgument, "the anchor is above the proving height", "anchor_height");
  if (height - anchor_height > impl_->config.max_proof_headers)
    return fail(Code::InvalidArgument,
                std::to_string(height - anchor_height) + " headers over the bound of " +
                    std::to_string(impl_->config.max_proof_headers),
                "anchor_height");
  // The event first: an unknown packet costs one call, not a header walk.
  auto ev = impl_->call("devnet_getEvents", json::array({height}));
  if (!ev) return tl::unexpected(ev.error());
  auto leaves = impl_->events_of(*ev, height);
  if (!leaves) return tl::unexpected(leaves.error());
  std::optional<std::size_t> index;
  for (std::size_t i = 0; i < leaves->size() && !index; ++i) {
    const Bytes& l = (*leaves)[i];
    if (!l.empty() && l[0] == 0x01 && packet::commitment(ByteView(l).subspan(1)) == commitment) index = i;
  }
  if (!index)
    return fail(Code::UnknownPacket, "no sent packet " + to_hex(commitment.view()) + " in block " + std::to_string(height),
                "commitment");
  auto proof = impl_->call("devnet_getEventProof", json::array({height, *index}));
  if (!proof) return tl::unexpected(proof.error());
  const json& p = *proof;
  auto leaf = hex_of(member(p, "leaf"), "devnet_getEventProof.leaf", kMaxLeafBytes);
  if (!leaf) return tl::unexpected(leaf.error());
  auto ph = u64_of(member(p, "height"), "devnet_getEventProof.height");
  auto pi = u64_of(member(p, "index"), "devnet_getEventProof.index");
  auto size = u64_of(member(p, "tree_size"), "devnet_getEventProof.tree_size");
  if (!ph || !pi || !size) return tl::unexpected(!ph ? ph.error() : !pi ? pi.error() : size.error());
  if (*leaf != (*leaves)[*index] || *ph != height || *pi != *index || *size != leaves->size() ||
      member(p, "tree") != "event")
    return fail(Code::RpcInconsistent, "the event proof is for another leaf", "devnet_getEventProof");
  const json& path = member(p, "audit_path");
  if (!path.is_array() || path.size() > bft::rfc6962::kMaxProofElements)
    return bad("devnet_getEventProof.audit_path", "expected at most 64 hashes");
  json audit_path = json::array();
  for (std::size_t i = 0; i < path.size(); ++i) {
    auto h = hash_of(path[i], "devnet_getEventProof.audit_path[" + std::to_string(i) + "]");
    if (!h) return tl::unexpected(h.error());
    audit_path.push_back(to_hex(h->view()));
  }

  json inclusion = {{"kind", "rfc6962"},
                    {"tree", "event"},
                    {"height", height},
                    {"index", *index},
                    {"tree_size", leaves->size()},
                    {"leaf", to_hex(*leaf)},
                    {"audit_path", std::move(audit_path)}};
  auto doc = impl_->header_document(anchor_height, height, leaves->size());
  if (!doc) return tl::unexpected(doc.error());
  (*doc)["inclusion"] = std::move(inclusion);
  return doc->dump();
}

Result<Submitted> DevnetAdapter::submit_delivery(const Delivery& d) {
  if (d.dest_island != impl_->info.island)
    return fail(Code::IslandMismatch, "delivery for " + d.dest_island + " given to " + impl_->info.island, "dest_island");
  if (!d.dest_endpoint.empty() && d.dest_endpoint != impl_->info.endpoint)
    return fail(Code::WrongDestination, "the delivery names another endpoint than this island's", "dest_endpoint");
  if (packet::commitment(d.packet_bytes) != d.commitment)
    return fail(Code::InvalidArgument, "commitment is not keccak256(packet_bytes)", "commitment");
  auto atts = attestations_of(d.attestations);
  if (!atts) return tl::unexpected(atts.error());
  return impl_->submit(node::TxKind::RecvPacket, node::encode_body(node::RecvPacketBody{d.packet_bytes, *atts}));
}

Result<Submitted> DevnetAdapter::submit_acknowledgement(ByteView packet_bytes, ByteView ack_bytes,
                                                        const std::vector<MemberAttestation>& attestations) {
  auto atts = attestations_of(attestations);
  if (!atts) return tl::unexpected(atts.error());
  return impl_->submit(node::TxKind::AcknowledgePacket,
                       node::encode_body(node::AckPacketBody{Bytes(packet_bytes.begin(), packet_bytes.end()),
                                                             Bytes(ack_bytes.begin(), ack_bytes.end()), *atts}));
}

Result<Submitted> DevnetAdapter::submit_timeout(ByteView packet_bytes,
                                                const std::vector<MemberAttestation>& attestations) {
  auto atts = attestations_of(attestations);
  if (!atts) return tl::unexpected(atts.error());
  return impl_->submit(node::TxKind::TimeoutPacket,
                       node::encode_body(node::TimeoutPacketBody{Bytes(packet_bytes.begin(), packet_bytes.end()), *atts}));
}

Result<std::optional<TxReceipt>> DevnetAdapter::tx_receipt(const Hash32& tx_hash) {
  auto r = impl_->call("devnet_getReceipt", json::array({to_hex(tx_hash.view())}));
  if (!r) return tl::unexpected(r.error());
  if (r->is_null()) return std::optional<TxReceipt>{};
  const json& j = *r;
  TxReceipt out;
  auto h = hash_of(member(j, "tx_hash"), "devnet_getReceipt.tx_hash");
  if (!h) return tl::unexpected(h.error());
  if (*h != tx_hash) return fail(Code::RpcInconsistent, "receipt of another transaction", "devnet_getReceipt.tx_hash");
  out.tx_hash = *h;
  for (auto [key, field] : {std::pair{"height", &out.height}, {"index", &out.index}, {"nonce", &out.nonce},
                            {"first_event", &out.first_event}, {"event_count", &out.event_count}}) {
    auto v = u64_of(member(j, key), std::string("devnet_getReceipt.") + key);
    if (!v) return tl::unexpected(v.error());
    *field = *v;
  }
  const json& kind = member(j, "kind");
  const json& status = member(j, "status");
  if (!kind.is_string() || kind.get_ref<const std::string&>().size() > 64 || !status.is_string() ||
      (status != "success" && status != "failed"))
    return bad("devnet_getReceipt", "kind and status must be strings (status success/failed)");
  out.kind = kind.get<std::string>();
  out.success = status == "success";
  if (!out.success) {
    const json& e = member(j, "error");
    const json& code = member(e, "code");
    const json& message = member(e, "message");
    if (code.is_string()) out.error_code = code.get<std::string>().substr(0, 64);
    if (message.is_string()) out.error_message = message.get<std::string>().substr(0, 1024);
  }
  return std::optional<TxReceipt>(std::move(out));
}

Result<DeliveryStatus> DevnetAdapter::lookup_delivery(const Hash32& commitment, ByteView tx) {
  auto r = impl_->call("devnet_getPacketReceipt", json::array({to_hex(commitment.view())}));
  if (!r) return tl::unexpected(r.error());
  DeliveryStatus out;
  const json& received = member(*r, "received");
  if (!received.is_boolean()) return bad("devnet_getPacketReceipt.received", "expected a boolean");
  out.received = received.get<bool>();
  if (!out.received) return out;
  auto ack = hash_of(member(*r, "ack_commitment"), "devnet_getPacketReceipt.ack_commitment");
  if (!ack) return tl::unexpected(ack.error());
  out.ack_commitment = *ack;
  if (tx.size() != 32) return out;
  auto receipt = tx_receipt(Hash32::from(tx));
  if (!receipt) return tl::unexpected(receipt.error());
  if (!*receipt || !(*receipt)->success || (*receipt)->kind != "recv_packet") return out;
  const TxReceipt& rc = **receipt;
  auto ev = impl_->call("devnet_getEvents", json::array({rc.height}));
  if (!ev) return tl::unexpected(ev.error());
  auto leaves = impl_->events_of(*ev, rc.height);
  if (!leaves) return tl::unexpected(leaves.error());
  Bytes want{0x03};
  append(want, commitment.view());
  append(want, out.ack_commitment.view());
  for (std::uint64_t i = rc.first_event; i < rc.first_event + rc.event_count && i < leaves->size(); ++i) {
    if ((*leaves)[i] == want) {
      out.height = rc.height;
      out.tx = Bytes(tx.begin(), tx.end());
      break;
    }
  }
  return out;
}

Result<std::vector<BlockEvents>> DevnetAdapter::block_events(std::uint64_t from, std::uint64_t to) {
  if (auto ok = impl_->check_range(from, to); !ok) return tl::unexpected(ok.error());
  auto bs = impl_->blocks(from, to);
  if (!bs) return tl::unexpected(bs.error());
  auto evs = impl_->per_height("devnet_getEvents", from, to);
  if (!evs) return tl::unexpected(evs.error());
  std::vector<BlockEvents> out;
  out.reserve(bs->size());
  for (std::size_t i = 0; i < bs->size(); ++i) {
    Block& b = (*bs)[i];
    auto leaves = impl_->events_of((*evs)[i], b.height);
    if (!leaves) return tl::unexpected(leaves.error());
    const std::string at = "events[" + std::to_string(b.height) + "]";
    if (leaves->size() != b.fields.event_count)
      return fail(Code::RpcInconsistent, std::to_string(leaves->size()) + " events, the header says " +
                                             std::to_string(b.fields.event_count), at);
    if (bft::rfc6962::root_of_leaves(impl_->info.suite, *leaves) != b.fields.event_root)
      return fail(Code::RpcInconsistent, "the event list does not hash to the header's event_root", at);
    out.push_back(BlockEvents{b.height, b.hash, std::move(b.header), std::move(b.fields), std::move(*leaves)});
  }
  return out;
}

Result<std::vector<SentPacketEvent>> DevnetAdapter::sent_packets(std::uint64_t from, std::uint64_t to) {
  auto blocks = block_events(from, to);
  if (!blocks) return tl::unexpected(blocks.error());
  std::vector<SentPacketEvent> out;
  for (const auto& b : *blocks)
    for (std::size_t i = 0; i < b.leaves.size(); ++i)
      if (!b.leaves[i].empty() && b.leaves[i][0] == 0x01) {
        Bytes p(b.leaves[i].begin() + 1, b.leaves[i].end());
        const Hash32 c = packet::commitment(p);
        out.push_back(SentPacketEvent{b.height, i, std::move(p), c});
      }
  return out;
}

Result<std::vector<AckEvent>> DevnetAdapter::acknowledgements(std::uint64_t from, std::uint64_t to) {
  auto blocks = block_events(from, to);
  if (!blocks) return tl::unexpected(blocks.error());
  std::vector<AckEvent> out;
  for (const auto& b : *blocks)
    for (std::size_t i = 0; i < b.leaves.size(); ++i)
      if (!b.leaves[i].empty() && b.leaves[i][0] == 0x02) {
        Bytes a(b.leaves[i].begin() + 1, b.leaves[i].end());
        auto ack = packet::decode_ack(a);
        if (!ack)
          return fail(Code::RpcResponse, "ack leaf: " + ack.error().detail,
                      "events[" + std::to_string(b.height) + "][" + std::to_string(i) + "]");
        const Hash32 ac = packet::ack_commitment(a);
        out.push_back(AckEvent{b.height, i, std::move(a), ack->commitment, ac});
      }
  return out;
}

Result<std::vector<ReceiptEvent>> DevnetAdapter::receipts(std::uint64_t from, std::uint64_t to) {
  auto blocks = block_events(from, to);
  if (!blocks) return tl::unexpected(blocks.error());
  std::vector<ReceiptEvent> out;
  for (const auto& b : *blocks)
    for (std::size_t i = 0; i < b.leaves.size(); ++i)
      if (!b.leaves[i].empty() && b.leaves[i][0] == 0x03) {
        const Bytes& l = b.leaves[i];
        if (l.size() != 65)
          return fail(Code::RpcResponse, "a receipt leaf is 0x03 ‖ 32 ‖ 32 bytes",
                      "events[" + std::to_string(b.height) + "][" + std::to_string(i) + "]");
        out.push_back(ReceiptEvent{b.height, i, Hash32::from(ByteView(l).subspan(1, 32)),
                                   Hash32::from(ByteView(l).subspan(33, 32))});
      }
  return out;
}

// ---- the packet lifecycle ---------------------------------------------------------------------------

Result<std::vector<SentPacketRef>> DevnetAdapter::scan_sent(std::uint64_t from, std::uint64_t to) {
  auto sent = sent_packets(from, to);
  if (!sent) return tl::unexpected(sent.error());
  std::vector<SentPacketRef> out;
  out.reserve(sent->size());
  for (const auto& e : *sent) out.push_back(SentPacketRef{e.commitment, e.height});
  return out;
}

Result<std::string> DevnetAdapter::fetch_ack_proof(const Hash32& commitment, std::uint64_t height_hint,
                                                   std::uint64_t anchor_height) {
  // Find the block holding 0x02 ‖ ack_bytes for the commitment: the hint first, else a scan after the anchor.
  std::optional<std::uint64_t> height;
  const auto holds = [&](std::uint64_t from, std::uint64_t to) -> Status {
    auto acks = acknowledgements(from, to);
    if (!acks) return tl::unexpected(acks.error());
    for (const auto& a : *acks)
      if (a.commitment == commitment) {
        height = a.height;
        break;
      }
    return {};
  };
  if (height_hint > anchor_height)
    if (auto s = holds(height_hint, height_hint); !s) return tl::unexpected(s.error());
  if (!height) {
    auto tip = latest_height();
    if (!tip) return tl::unexpected(tip.error());
    for (std::uint64_t from = anchor_height + 1; from <= *tip && !height;) {
      const std::uint64_t to = std::min<std::uint64_t>(*tip, from + std::min<std::uint64_t>(impl_->config.max_scan_blocks, 1000) - 1);
      if (auto s = holds(from, to); !s) return tl::unexpected(s.error());
      from = to + 1;
    }
  }
  if (!height)
    return fail(Code::UnknownPacket, "no acknowledgement of " + to_hex(commitment.view()) + " after block " +
                                         std::to_string(anchor_height), "commitment");
  if (*height - anchor_height > impl_->config.max_proof_headers)
    return fail(Code::InvalidArgument, "the ack is too far above the anchor", "anchor_height");
  auto ev = impl_->call("devnet_getEvents", json::array({*height}));
  if (!ev) return tl::unexpected(ev.error());
  auto leaves = impl_->events_of(*ev, *height);
  if (!leaves) return tl::unexpected(leaves.error());
  std::optional<std::size_t> index;
  for (std::size_t i = 0; i < leaves->size() && !index; ++i) {
    const Bytes& l = (*leaves)[i];
    if (l.empty() || l[0] != 0x02) continue;
    auto ack = packet::decode_ack(ByteView(l).subspan(1));
    if (ack && ack->commitment == commitment) index = i;
  }
  if (!index) return fail(Code::RpcInconsistent, "the ack vanished from its block", "devnet_getEvents");
  auto proof = impl_->call("devnet_getEventProof", json::array({*height, *index}));
  if (!proof) return tl::unexpected(proof.error());
  const json& p = *proof;
  auto leaf = hex_of(member(p, "leaf"), "devnet_getEventProof.leaf", kMaxLeafBytes);
  if (!leaf) return tl::unexpected(leaf.error());
  if (*leaf != (*leaves)[*index] || member(p, "tree") != "event")
    return fail(Code::RpcInconsistent, "the event proof is for another leaf", "devnet_getEventProof");
  const json& path = member(p, "audit_path");
  if (!path.is_array() || path.size() > bft::rfc6962::kMaxProofElements)
    return bad("devnet_getEventProof.audit_path", "expected at most 64 hashes");
  json audit_path = json::array();
  for (std::size_t i = 0; i < path.size(); ++i) {
    auto h = hash_of(path[i], "devnet_getEventProof.audit_path[" + std::to_string(i) + "]");
    if (!h) return tl::unexpected(h.error());
    audit_path.push_back(to_hex(h->view()));
  }
  auto doc = impl_->header_document(anchor_height, *height, leaves->size());
  if (!doc) return tl::unexpected(doc.error());
  (*doc)["inclusion"] = {{"kind", "rfc6962"},        {"tree", "event"},       {"height", *height},
                         {"index", *index},           {"tree_size", leaves->size()}, {"leaf", to_hex(*leaf)},
                         {"audit_path", std::move(audit_path)}};
  return doc->dump();
}

Result<std::string> DevnetAdapter::fetch_non_delivery_proof(const Hash32& /*commitment*/, std::uint64_t from_height,
                                                            std::uint64_t at_height, std::uint64_t anchor_height) {
  if (at_height < from_height || from_height < anchor_height || at_height < anchor_height)
    return fail(Code::InvalidArgument, "need anchor ≤ from ≤ at", "from_height");
  if (at_height - anchor_height > impl_->config.max_proof_headers)
    return fail(Code::InvalidArgument, "too many headers for one non-delivery proof", "at_height");
  auto doc = impl_->header_document(anchor_height, at_height, std::nullopt);
  if (!doc) return tl::unexpected(doc.error());
  json events = json::object();
  for (std::uint64_t from = from_height; from <= at_height;) {
    const std::uint64_t to = std::min<std::uint64_t>(at_height, from + impl_->config.max_scan_blocks - 1);
    auto blocks = block_events(from, to);
    if (!blocks) return tl::unexpected(blocks.error());
    for (const auto& b : *blocks) {
      json list = json::array();
      for (const auto& l : b.leaves) list.push_back(to_hex(l));
      events[std::to_string(b.height)] = std::move(list);
    }
    from = to + 1;
  }
  (*doc)["events"] = std::move(events);
  return doc->dump();
}

Result<SourceStatus> DevnetAdapter::lookup_sent(const Hash32& commitment) {
  auto r = impl_->call("devnet_getSentPacket", json::array({to_hex(commitment.view())}));
  if (!r) return tl::unexpected(r.error());
  if (r->is_null()) return SourceStatus::Unknown;
  const json& st = member(*r, "status");
  if (!st.is_string()) return bad("devnet_getSentPacket.status", "expected a string");
  const std::string s = st.get<std::string>();
  if (s == "pending") return SourceStatus::Pending;
  if (s == "acknowledged") return SourceStatus::Acknowledged;
  if (s == "refunded" || s == "timed_out") return SourceStatus::Refunded;
  return bad("devnet_getSentPacket.status", "unknown status '" + s + "'");
}

}  // namespace causeway::adapters::devnet
