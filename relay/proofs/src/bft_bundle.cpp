// Family `bft` of PROOF-BUNDLE.md, codec `causeway-devnet/v1`: anchor header + validator set → headers each
// verified against the last trusted one (sequential when adjacent, skipping with a 1/3 trust level otherwise)
// → an RFC 6962 inclusion of a raw leaf in the tx or event tree of a verified header.
#include <cstring>
#include <memory>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "causeway/bft/client.hpp"
#include "causeway/bft/devnet_codec.hpp"
#include "causeway/core/hex.hpp"
#include "family.hpp"
#include "json_input.hpp"

namespace causeway::proofs::detail {
namespace {

// The cache key of a validators array: the suite and every entry's key and power exactly as written (the only
// fields read below), each prefixed by its length so that no two different arrays share a key (a key string
// holding ",10;" must not pose as two entries), or "" when the array is not of that shape (then nothing is
// cached).
std::string validators_cache_key(bft::Suite suite, const nlohmann::json& v) {
  if (!v.is_array() || v.empty() || v.size() > 1024) return {};
  std::string key = std::to_string(static_cast<int>(suite));
  key.reserve(v.size() * 80 + 8);
  key += '|';
  for (const auto& e : v) {
    if (!e.is_object()) return {};
    const auto k = e.find("key");
    const auto p = e.find("power");
    if (k == e.end() || !k->is_string() || p == e.end() || !(p->is_number_unsigned() || p->is_string())) return {};
    const std::string& ks = k->get_ref<const std::string&>();
    const std::string ps =
        p->is_string() ? "s" + p->get_ref<const std::string&>() : std::to_string(p->get<std::uint64_t>());
    key += std::to_string(ks.size());
    key += ':';
    key += ks;
    key += std::to_string(ps.size());
    key += ':';
    key += ps;
  }
  return key;
}

Result<bft::ValidatorSet> validators_field_uncached(bft::Suite suite, const nlohmann::json& v, const std::string& at);

// A validator set built from exactly the same entries is the same set: the many bundles of one block (all
// anchored at the same header, listing the same validators) parse their public keys once per thread instead of
// once per bundle. Only successful results are kept; an input that fails is checked in full every time.
Result<bft::ValidatorSet> validators_field(bft::Suite suite, const nlohmann::json& v, const std::string& at) {
  thread_local std::unordered_map<std::string, bft::ValidatorSet> cache;
  std::string key = validators_cache_key(suite, v);
  if (!key.empty()) {
    if (auto it = cache.find(key); it != cache.end()) return it->second;
  }
  auto set = validators_field_uncached(suite, v, at);
  if (set && !key.empty()) {
    if (cache.size() >= 64) cache.clear();
    cache.emplace(std::move(key), *set);
  }
  return set;
}

Result<bft::ValidatorSet> validators_field_uncached(bft::Suite suite, const nlohmann::json& v, const std::string& at) {
  std::vector<bft::Validator> list;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string here = at + "[" + std::to_string(i) + "]";
    auto key = hex_field(v[i]["key"], here + ".key", 65);
    if (!key) return tl::unexpected(key.error());
    auto power = quantity(v[i]["power"], here + ".power");
    if (!power) return tl::unexpected(power.error());
    // Checked here, in bundle order: ValidatorSet::create finds duplicates after sorting, so its index would
    // not name the bundle's entry.
    for (const auto& earlier : list)
      if (earlier.key == *key) return fail(Code::InvalidArgument, "the same validator key is listed twice", here);
    list.push_back(bft::Validator{std::move(*key), *power});
  }
  auto set = bft::ValidatorSet::create(suite, std::move(list));
  if (!set) {
    // create() names "validators[i]" (i in bundle order for the checks left to it): re-root it at `at`, which
    // relocated() would not do for "…next_validators" ("…next_validators.validators[i]").
    Error e = set.error();
    if (e.at.rfind("validators[", 0) == 0) {
      e.at = at + e.at.substr(std::string_view("validators").size());
      return tl::unexpected(std::move(e));
    }
    return tl::unexpected(relocated(std::move(e), at));
  }
  return set;
}

// The JSON header object → the codec's canonical bytes (the codec, not this file, defines the encoding).
Result<Bytes> header_field(const nlohmann::json& h, const std::string& at) {
  bft::devnet::Header d;
  d.chain_id = h["chain_id"].get<std::string>();
  for (auto [field, out] : {std::pair{"height", &d.height}, {"time_ms", &d.time_ms}, {"tx_count", &d.tx_count},
                            {"event_count", &d.event_count}}) {
    auto q = quantity(h[field], at + "." + field);
    if (!q) return tl::unexpected(q.error());
    *out = *q;
  }
  for (auto [field, out] : {std::pair{"parent_hash", &d.parent_hash}, {"tx_root", &d.tx_root},
                            {"event_root", &d.event_root}, {"state_root", &d.state_root},
                            {"validators_hash", &d.validators_hash},
                            {"next_validators_hash", &d.next_validators_hash}}) {
    auto x = hash_field(h[field], at + "." + field);
    if (!x) return tl::unexpected(x.error());
    *out = *x;
  }
  auto proposer = hex_field(h["proposer"], at + ".proposer", bft::devnet::kMaxProposerSize);
  if (!proposer) return tl::unexpected(proposer.error());
  d.proposer = std::move(*proposer);
  auto encoded = bft::devnet::encode(d);
  if (!encoded) return tl::unexpected(relocated(encoded.error(), at));
  return encoded;
}

Result<bft::Commit> commit_field(const nlohmann::json& c, const std::string& at) {
  bft::Commit commit;
  for (std::size_t i = 0; i < c.size(); ++i) {
    const std::string here = at + "[" + std::to_string(i) + "]";
    auto index = quantity(c[i]["validator"], here + ".validator");
    if (!index) return tl::unexpected(index.error());
    if (*index > UINT32_MAX) return fail(Code::Overflow, "validator index does not fit 32 bits", here);
    auto sig = hex_field(c[i]["signature"], here + ".signature", bft::kSignatureSize);
    if (!sig) return tl::unexpected(sig.error());
    commit.push_back(bft::CommitSig{static_cast<std::uint32_t>(*index), std::move(*sig)});
  }
  return commit;
}

// The anchor of a causeway-devnet/v1 document (bundle or header document): its header bytes and a light client
// started from it with the anchor's validator sets and trusting period (PROOF-BUNDLE.md "bft"). The headers'
// chain id must be the island (docs/bft-light-client.md). `max_retained` bounds the client's memory.
struct DevnetAnchor {
  Bytes header;
  bft::LightClient client;
};
Result<DevnetAnchor> open_devnet_anchor_uncached(const nlohmann::json& doc,
                                                 const std::shared_ptr<const bft::HeaderCodec>& codec,
                                                 const std::string& island, std::size_t max_retained) {
  const auto suite = codec->suite();
  const auto& a = doc["anchor"];
  auto anchor_bytes = header_field(a["header"], "anchor.header");
  if (!anchor_bytes) return tl::unexpected(anchor_bytes.error());
  auto anchor_info = codec->decode(*anchor_bytes);
  if (!anchor_info) return tl::unexpected(relocated(anchor_info.error(), "anchor.header"));
  if (island != anchor_info->chain_id)
    return fail(Code::IslandMismatch, "the headers' chain id '" + anchor_info->chain_id + "' is not island " + island,
                "island");
  auto validators = validators_field(suite, a["validators"], "anchor.validators");
  if (!validators) return tl::unexpected(validators.error());
  bft::ValidatorSet next = *validators;
  if (a.contains("next_validators")) {
    auto n = validators_field(suite, a["next_validators"], "anchor.next_validators");
    if (!n) return tl::unexpected(n.error());
    next = std::move(*n);
  }
  auto period = quantity(a["trusting_period_s"], "anchor.trusting_period_s");
  if (!period) return tl::unexpected(period.error());
  bft::ClientConfig config;
  config.codec = codec;
  config.trusting_period_s = *period;
  config.max_retained = max_retained;
  auto client = bft::LightClient::create(config, bft::SignedHeader{*anchor_bytes, {}}, *validators, next);
  if (!client) return tl::unexpected(relocated(client.error(), "anchor"));
  return DevnetAnchor{std::move(*anchor_bytes), std::move(*client)};
}

// True when a and b are the same JSON value with the same types all the way down (nlohmann's == would call the
// integer 10 and the float 10.0 equal; the readers above would not treat them alike).
bool same_json(const nlohmann::json& a, const nlohmann::json& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case nlohmann::json::value_t::object: {
      const auto& x = a.get_ref<const nlohmann::json::object_t&>();
      const auto& y = b.get_ref<const nlohmann::json::object_t&>();
      if (x.size() != y.size()) return false;
      for (auto i = x.begin(), j = y.begin(); i != x.end(); ++i, ++j)
        if (i->first != j->first || !same_json(i->second, j->second)) return false;
      return true;
    }
    case nlohmann::json::value_t::array: {
      const auto& x = a.get_ref<const nlohmann::json::array_t&>();
      const auto& y = b.get_ref<const nlohmann::json::array_t&>();
      if (x.size() != y.size()) return false;
      for (std::size_t i = 0; i < x.size(); ++i)
        if (!same_json(x[i], y[i])) return false;
      return true;
    }
    case nlohmann::json::value_t::number_float: {  // bit for bit (0.0 and -0.0 differ)
      const double x = a.get<double>(), y = b.get<double>();
      return std::memcmp(&x, &y, sizeof x) == 0;
    }
    default:  // null, boolean, string, integers, binary: same type, so == compares the values
      return a == b;
  }
}

// open_devnet_anchor_uncached is a function of the document's `anchor` value, its `codec` name, the codec's suite,
// the island and max_retained alone (no clock, no other state; the codec of one name and suite is stateless). The
// bundles of one block repeat the same anchor: keep the last successful result per thread and hand out a copy of
// it when all of these are exactly the same (the anchor compared in full, value and type, not by a hash); a new
// anchor or a failure is computed in full.
Result<DevnetAnchor> open_devnet_anchor(const nlohmann::json& doc, const std::shared_ptr<const bft::HeaderCodec>& codec,
                                        const std::string& island, std::size_t max_retained) {
  struct Last {
    nlohmann::json anchor;
    std::string codec_name;
    bft::Suite suite{};
    std::string island;
    std::size_t max_retained = 0;
    DevnetAnchor opened;
  };
  thread_local std::optional<Last> last;
  const auto a = doc.find("anchor");
  const auto c = doc.find("codec");
  if (a == doc.end() || c == doc.end() || !c->is_string()) return open_devnet_anchor_uncached(doc, codec, island, max_retained);
  const auto& codec_name = c->get_ref<const std::string&>();
  if (last && last->max_retained == max_retained && last->suite == codec->suite() && last->island == island &&
      last->codec_name == codec_name && same_json(last->anchor, *a))
    return last->opened;
  auto opened = open_devnet_anchor_uncached(doc, codec, island, max_retained);
  if (opened) {
    last.reset();
    last = Last{*a, codec_name, codec->suite(), island, max_retained, *opened};
  }
  return opened;
}

// One entry of a document's "headers" as a light block: header bytes, commit, and its validator sets (a header
// carries its set only when it changes; otherwise the client's trusted next set signs it).
Result<bft::LightBlock> devnet_light_block(const nlohmann::json& h, const std::string& at, bft::Suite suite,
                                           const bft::LightClient& client) {
  bft::LightBlock block;
  auto bytes = header_field(h["header"], at + ".header");
  if (!bytes) return tl::unexpected(bytes.error());
  block.signed_header.header = std::move(*bytes);
  auto commit = commit_field(h["commit"], at + ".commit");
  if (!commit) return tl::unexpected(commit.error());
  block.signed_header.commit = std::move(*commit);
  if (h.contains("validators")) {
    auto set = validators_field(suite, h["validators"], at + ".validators");
    if (!set) return tl::unexpected(set.error());
    block.validators = std::move(*set);
  } else {
    block.validators = client.trusted_next_validators();
  }
  if (h.contains("next_validators")) {
    auto set = validators_field(suite, h["next_validators"], at + ".next_validators");
    if (!set) return tl::unexpected(set.error());
    block.next_validators = std::move(*set);
  }
  return block;
}

}  // namespace

Result<nlohmann::json> verify_bft_bundle(const nlohmann::json& doc, const TrustList* trust,
                                         std::int64_t verify_time_s) {
  const auto& codec_name = doc["codec"].get_ref<const std::string&>();
  if (codec_name == "fisco-bcos/v2" || codec_name == "fisco-bcos/v3") return verify_fisco_bundle(doc, trust, verify_time_s);
  if (codec_name == "chainmaker/v2") return verify_chainmaker_bundle(doc, trust, verify_time_s);
  auto made = bft::make_codec(codec_name, doc.value("crypto", ""));
  if (!made)
    return tl::unexpected(located(made.error(), made.error().code == Code::UnsupportedFamily ? "codec" : "crypto"));
  const auto codec = *made;
  const auto suite = codec->suite();  // only causeway-devnet/v1 gets here: its JSON header shape is read below

  const auto& island = doc["island"].get_ref<const std::string&>();
  auto anchored = open_devnet_anchor(doc, codec, island, doc["headers"].size() + 1);
  if (!anchored) return tl::unexpected(anchored.error());
  bft::LightClient* client = &anchored->client;
  const auto anchor_state = client->latest();
  if (trust != nullptr) {  // A03: the anchor hash and its validator-set hash must both be pinned
    bool found = false;
    for (const auto& t : *trust)
      found = found || (t.island == island && t.height == anchor_state.height && t.hash == anchor_state.hash &&
                        t.validator_set_hash == anchor_state.validators_hash);
    if (!found)
      return fail(Code::UntrustedAnchor,
                  "anchor " + to_hex(anchor_state.hash.view()) + " at height " + std::to_string(anchor_state.height) +
                      " with validator set " + to_hex(anchor_state.validators_hash.view()) +
                      " is not in the trust file",
                  "anchor");
  }

  if (verify_time_s < 0 || static_cast<std::uint64_t>(verify_time_s) > UINT64_MAX / 1000)
    return fail(Code::Overflow, "verify_time_s out of range", "verify_time_s");
  const std::uint64_t now_ms = static_cast<std::uint64_t>(verify_time_s) * 1000;
  const auto& headers = doc["headers"];
  for (std::size_t i = 0; i < headers.size(); ++i) {
    const std::string at = "headers[" + std::to_string(i) + "]";
    auto block = devnet_light_block(headers[i], at, suite, *client);
    if (!block) return tl::unexpected(block.error());
    auto updated = client->update(*block, now_ms);
    if (!updated) return tl::unexpected(relocated(updated.error(), at));
    if (updated->kind == bft::UpdateKind::Misbehaviour)
      return fail(Code::ClientFrozen, "two valid headers at height " + std::to_string(updated->header.height) +
                                          ": misbehaviour, the client is frozen",
                  at);
  }

  const auto& inc = doc["inclusion"];
  bft::InclusionClaim claim;
  for (auto [field, out] : {std::pair{"height", &claim.height}, {"index", &claim.index}, {"tree_size", &claim.tree_size}}) {
    auto q = quantity(inc[field], std::string("inclusion.") + field);
    if (!q) return tl::unexpected(q.error());
    *out = *q;
  }
  claim.tree = inc["tree"] == "tx" ? bft::Tree::Tx : bft::Tree::Event;
  auto leaf = hex_field(inc["leaf"], "inclusion.leaf", 1u << 20);
  if (!leaf) return tl::unexpected(leaf.error());
  claim.leaf = std::move(*leaf);
  for (std::size_t i = 0; i < inc["audit_path"].size(); ++i) {
    auto node = hex_field(inc["audit_path"][i], "inclusion.audit_path[" + std::to_string(i) + "]", 32);
    if (!node) return tl::unexpected(node.error());
    claim.audit_path.push_back(std::move(*node));
  }
  if (auto ok = client->verify_inclusion(claim, now_ms); !ok) return tl::unexpected(relocated(ok.error(), "inclusion"));
  const auto proving = *client->consensus_state(claim.height);
  const auto latest = client->latest();

  // Built member by member (the same object as a nested initializer list, without its temporary copies).
  nlohmann::json claim_json(nlohmann::json::value_t::object);
  claim_json["kind"] = "rfc6962";
  claim_json["tree"] = inc["tree"];
  claim_json["height"] = claim.height;
  claim_json["index"] = claim.index;
  claim_json["tree_size"] = claim.tree_size;
  claim_json["leaf"] = to_hex(claim.leaf);
  nlohmann::json anchor_json(nlohmann::json::value_t::object);
  anchor_json["height"] = anchor_state.height;
  anchor_json["hash"] = to_hex(anchor_state.hash.view());
  anchor_json["validator_set_hash"] = to_hex(anchor_state.validators_hash.view());
  anchor_json["trusted"] = trust ? "trust-file" : "as-given";
  nlohmann::json tip_json(nlohmann::json::value_t::object);
  tip_json["height"] = latest.height;
  tip_json["hash"] = to_hex(latest.hash.view());
  nlohmann::json out(nlohmann::json::value_t::object);
  out["valid"] = true;
  out["family"] = "bft";
  out["codec"] = codec_name;
  out["crypto"] = bft::suite_name(suite);
  out["island"] = island;
  out["height"] = proving.height;
  out["header_hash"] = to_hex(proving.hash.view());
  out["confirmations"] = latest.height - proving.height + 1;
  out["claim"] = std::move(claim_json);
  out["trust"] = "quorum";
  out["anchor"] = std::move(anchor_json);
  out["tip"] = std::move(tip_json);
  out["verify_time_s"] = verify_time_s;
  return out;
}

}  // namespace causeway::proofs::detail

// ---- header-only verification (causeway/proofs/headers.hpp; appended for the packet lifecycle) -----------

#include "causeway/proofs/headers.hpp"

namespace causeway::proofs {

Result<VerifiedHeaders> verify_bft_headers(std::string_view json_text, const TrustList& trust, std::int64_t now_s) {
  using namespace detail;
  auto parsed = parse_bounded(json_text, kMaxBundleBytes, kMaxJsonDepth);
  if (!parsed) return tl::unexpected(parsed.error());
  const nlohmann::json& doc = *parsed;
  try {
    if (!doc.is_object() || doc.value("family", "") != "bft" || !doc.contains("anchor") || !doc["anchor"].is_object() ||
        !doc.contains("headers") || !doc["headers"].is_array() || !doc.contains("island") || !doc["island"].is_string())
      return fail(Code::BundleSchema, "expected a bft header document", "");
    const std::string codec_name = doc.value("codec", "");
    if (codec_name == "chainmaker/v2") return verify_chainmaker_headers(doc, trust, now_s);
    if (codec_name == "fisco-bcos/v2" || codec_name == "fisco-bcos/v3") return verify_fisco_headers(doc, trust, now_s);
    if (codec_name != bft::devnet::kCodecName)
      return fail(Code::UnsupportedFamily,
                  "header-only verification supports causeway-devnet/v1, chainmaker/v2, fisco-bcos/v2 and fisco-bcos/v3",
                  "codec");
    auto made = bft::make_codec(doc["codec"].get<std::string>(), doc.value("crypto", ""));
    if (!made) return tl::unexpected(located(made.error(), "crypto"));
    const auto codec = *made;
    const auto suite = codec->suite();
    const std::string island = doc["island"].get<std::string>();
    const auto& headers = doc["headers"];
    auto anchored = open_devnet_anchor(doc, codec, island, headers.size() + 1);
    if (!anchored) return tl::unexpected(anchored.error());
    bft::LightClient* client = &anchored->client;
    const Bytes* anchor_bytes = &anchored->header;
    const auto anchor_state = client->latest();
    bool found = false;
    for (const auto& t : trust)
      found = found || (t.island == island && t.height == anchor_state.height && t.hash == anchor_state.hash &&
                        t.validator_set_hash == anchor_state.validators_hash);
    if (!found)
      return fail(Code::UntrustedAnchor, "anchor at height " + std::to_string(anchor_state.height) +
                                             " is not a consensus state this relay holds", "anchor");
    if (now_s < 0 || static_cast<std::uint64_t>(now_s) > UINT64_MAX / 1000)
      return fail(Code::Overflow, "now out of range", "now");
    const std::uint64_t now_ms = static_cast<std::uint64_t>(now_s) * 1000;
    VerifiedHeaders out;
    out.island = island;
    out.crypto = std::string(bft::suite_name(suite));
    const auto fields_of = [](ByteView bytes, const Hash32& hash, const std::string& at) -> Result<VerifiedHeader> {
      auto d = bft::devnet::decode(bytes);
      if (!d) return tl::unexpected(relocated(d.error(), at));
      return VerifiedHeader{d->height, hash, d->time_ms, d->event_root, d->event_count, d->validators_hash};
    };
    auto av = fields_of(*anchor_bytes, anchor_state.hash, "anchor.header");
    if (!av) return tl::unexpected(av.error());
    out.anchor = *av;
    for (std::size_t i = 0; i < headers.size(); ++i) {
      const std::string at = "headers[" + std::to_string(i) + "]";
      if (!headers[i].is_object()) return fail(Code::BundleSchema, "expected an object", at);
      auto block = devnet_light_block(headers[i], at, suite, *client);
      if (!block) return tl::unexpected(block.error());
      auto updated = client->update(*block, now_ms);
      if (!updated) return tl::unexpected(relocated(updated.error(), at));
      if (updated->kind == bft::UpdateKind::Misbehaviour)
        return fail(Code::ClientFrozen, "two valid headers at one height: misbehaviour", at);
      auto v = fields_of(block->signed_header.header, updated->header.hash, at + ".header");
      if (!v) return tl::unexpected(v.error());
      out.headers.push_back(*v);
    }
    return out;
  } catch (const nlohmann::json::exception& e) {
    return fail(Code::BundleSchema, std::string("malformed header document: ") + e.what(), "");
  }
}

}  // namespace causeway::proofs
