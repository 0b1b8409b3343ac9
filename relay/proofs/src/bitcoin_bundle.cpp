// Family `bitcoin` of PROOF-BUNDLE.md: anchor → consecutive headers (each verified in the normative check
// order by the light client) → transaction inclusion with confirmations.
#include <vector>

#include "causeway/bitcoin/chain.hpp"
#include "causeway/bitcoin/uint256.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/proofs/headers.hpp"
#include "family.hpp"
#include "json_input.hpp"

namespace causeway::proofs::detail {
namespace {

constexpr std::size_t kMaxRawTxBytes = 4'000'000;  // a transaction cannot exceed the block weight limit

Result<std::uint32_t> u32_quantity(const nlohmann::json& v, const std::string& at) {
  auto q = quantity(v, at);
  if (!q) return tl::unexpected(q.error());
  if (*q > UINT32_MAX) return fail(Code::Overflow, "value does not fit 32 bits", at);
  return static_cast<std::uint32_t>(*q);
}

// bip122:<first 32 hex digits of the genesis hash in display order> (CAIP-2 for BIP 122 chains).
std::string island_of(const bitcoin::Params& p) {
  return "bip122:" + to_hex_bare(p.genesis_hash.reversed().view()).substr(0, 32);
}

Result<bitcoin::Anchor> parse_anchor(const nlohmann::json& a) {
  bitcoin::Anchor anchor;
  auto height = u32_quantity(a["height"], "anchor.height");
  if (!height) return tl::unexpected(height.error());
  anchor.height = *height;
  auto header = hex_field(a["header"], "anchor.header", bitcoin::kHeaderSize);
  if (!header) return tl::unexpected(header.error());
  anchor.header = std::move(*header);
  if (a.contains("prev_timestamps_s"))
    for (const auto& t : a["prev_timestamps_s"]) anchor.prev_timestamps_s.push_back(t.get<std::uint32_t>());
  if (a.contains("period_start_time_s")) anchor.period_start_time_s = a["period_start_time_s"].get<std::uint32_t>();
  if (a.contains("last_non_min_bits")) anchor.last_non_min_bits = a["last_non_min_bits"].get<std::uint32_t>();
  return anchor;
}

// The verified header run of a bitcoin document: network, island, anchor (A03 against `trust` when given) and
// its consecutive headers, each verified by the light client in the normative check order.
struct ChainRun {
  std::string island;
  std::string network;
  bitcoin::Anchor anchor;
  Hash32 anchor_hash;  // internal order
  std::optional<bitcoin::HeaderChain> chain;
  std::uint32_t min_mtp_window = 11;
};

Result<ChainRun> verify_chain_run(const nlohmann::json& doc, const TrustList* trust, std::int64_t verify_time_s) {
  ChainRun run;
  run.network = doc["network"].get<std::string>();
  auto params = bitcoin::params_by_name(run.network);
  if (!params) return tl::unexpected(located(params.error(), "network"));
  run.island = doc["island"].get<std::string>();
  if (run.island != island_of(**params))
    return fail(Code::IslandMismatch, "island of " + run.network + " is " + island_of(**params), "island");

  auto anchor = parse_anchor(doc["anchor"]);
  if (!anchor) return tl::unexpected(anchor.error());
  run.anchor = std::move(*anchor);
  auto chain = bitcoin::HeaderChain::create(**params, run.anchor);
  if (!chain) return tl::unexpected(relocated(chain.error(), "anchor"));
  run.anchor_hash = chain->tip().hash;

  if (trust != nullptr) {  // A03: the anchor must be one the caller already trusts
    bool found = false;
    for (const auto& t : *trust)
      found = found || (t.island == run.island && t.height == run.anchor.height && t.hash == run.anchor_hash.reversed());
    if (!found)
      return fail(Code::UntrustedAnchor,
                  "anchor " + to_hex(run.anchor_hash.reversed().view()) + " at height " +
                      std::to_string(run.anchor.height) + " is not trusted (not in the trust file / not a held consensus state)",
                  "anchor");
  }

  const auto& headers = doc["headers"];
  chain->reserve(headers.size() + 1);
  Hash32 previous = run.anchor_hash;
  for (std::size_t i = 0; i < headers.size(); ++i) {
    const std::string at = "headers[" + std::to_string(i) + "]";
    auto raw = hex_field(headers[i], at, bitcoin::kHeaderSize);
    if (!raw) return tl::unexpected(raw.error());
    if (raw->size() != bitcoin::kHeaderSize) return fail(Code::HeaderEncoding, "header is not 80 bytes", at);
    // A document's headers are consecutive: each links to the one before it, not to any earlier header.
    auto decoded = bitcoin::decode_header(*raw);
    if (!decoded) return tl::unexpected(relocated(decoded.error(), at));
    if (decoded->prev_hash != previous)
      return fail(Code::PrevHashMismatch, "does not link to the previous header of the document", at);
    auto added = chain->add_header(*raw, verify_time_s);
    if (!added) return tl::unexpected(relocated(added.error(), at));
    previous = added->hash;
    run.min_mtp_window = std::min(run.min_mtp_window, added->mtp_window);
  }
  run.chain.emplace(std::move(*chain));
  return run;
}

}  // namespace

Result<nlohmann::json> verify_bitcoin_bundle(const nlohmann::json& doc, const TrustList* trust,
                                             std::int64_t verify_time_s) {
  auto run = verify_chain_run(doc, trust, verify_time_s);
  if (!run) return tl::unexpected(run.error());
  auto& chain = run->chain;
  const auto& island = run->island;
  const auto& network = run->network;
  const auto* anchor = &run->anchor;
  const std::string anchor_hash_display = to_hex(run->anchor_hash.reversed().view());
  const auto& headers = doc["headers"];
  const std::uint32_t min_mtp_window = run->min_mtp_window;

  const auto& inc = doc["inclusion"];
  auto height = u32_quantity(inc["height"], "inclusion.height");
  if (!height) return tl::unexpected(height.error());
  auto txid = hash_field(inc["txid"], "inclusion.txid");
  if (!txid) return tl::unexpected(txid.error());
  auto index = quantity(inc["index"], "inclusion.index");
  if (!index) return tl::unexpected(index.error());
  std::vector<Hash32> branch;
  for (std::size_t i = 0; i < inc["branch"].size(); ++i) {
    auto h = hash_field(inc["branch"][i], "inclusion.branch[" + std::to_string(i) + "]");
    if (!h) return tl::unexpected(h.error());
    branch.push_back(h->reversed());  // display order in the bundle, internal order for hashing
  }
  bitcoin::TxInclusion tx;
  tx.txid = txid->reversed();
  tx.index = *index;
  tx.branch = branch;
  if (inc.contains("tx_count")) {
    auto n = quantity(inc["tx_count"], "inclusion.tx_count");
    if (!n) return tl::unexpected(n.error());
    tx.tx_count = *n;
  }
  Bytes raw_tx;
  if (inc.contains("tx")) {
    auto r = hex_field(inc["tx"], "inclusion.tx", kMaxRawTxBytes);
    if (!r) return tl::unexpected(r.error());
    raw_tx = std::move(*r);
    tx.raw_tx = ByteView(raw_tx);
  }
  std::uint32_t min_conf = 1;
  if (doc.contains("finality") && doc["finality"].contains("min_confirmations")) {
    auto m = u32_quantity(doc["finality"]["min_confirmations"], "finality.min_confirmations");
    if (!m) return tl::unexpected(m.error());
    min_conf = *m;
  }
  auto verified = chain->verify_tx(*height, tx, min_conf);
  if (!verified) return tl::unexpected(relocated(verified.error(), "inclusion"));

  const auto tip = chain->tip();
  nlohmann::json claim = {{"kind", "tx"},
                          {"txid", to_hex(txid->view())},
                          {"index", *index},
                          {"raw_tx_checked", inc.contains("tx")}};
  if (tx.tx_count) claim["tx_count"] = *tx.tx_count;
  return nlohmann::json{
      {"valid", true},
      {"family", "bitcoin"},
      {"island", island},
      {"network", network},
      {"height", verified->height},
      {"header_hash", to_hex(verified->block_hash.reversed().view())},
      {"confirmations", verified->confirmations},
      {"min_confirmations", min_conf},
      {"claim", claim},
      {"trust", "pow"},
      {"anchor",
       {{"height", anchor->height}, {"hash", anchor_hash_display}, {"trusted", trust ? "trust-file" : "as-given"}}},
      {"tip", {{"height", tip.height}, {"hash", to_hex(tip.hash.reversed().view())}, {"chainwork", "0x" + tip.chainwork.to_hex()}}},
      {"mtp_window", headers.empty() ? 0 : min_mtp_window},
      {"verify_time_s", verify_time_s}};
}

}  // namespace causeway::proofs::detail

namespace causeway::proofs {

Result<std::string> header_document_family(std::string_view json_text) {
  auto parsed = detail::parse_bounded(json_text, kMaxBundleBytes, kMaxJsonDepth);
  if (!parsed) return tl::unexpected(parsed.error());
  if (!parsed->is_object() || !parsed->contains("family") || !(*parsed)["family"].is_string())
    return fail(Code::BundleSchema, "a header document is an object with a string \"family\"", "family");
  return (*parsed)["family"].get<std::string>();
}

namespace {

bool is_u32(const nlohmann::json& v) { return v.is_number_unsigned() && v.get<std::uint64_t>() <= UINT32_MAX; }

bool is_work_hex(const std::string& s) {
  if (s.size() != 66 || s.rfind("0x", 0) != 0) return false;
  for (std::size_t i = 2; i < s.size(); ++i)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
  return true;
}

std::string work_hex(const bitcoin::U256& w) { return "0x" + w.to_hex(); }

}  // namespace

Result<BitcoinContext> parse_bitcoin_context(std::string_view json_text) {
  BitcoinContext c;
  if (json_text.empty()) return c;
  auto parsed = detail::parse_bounded(json_text, 4096, 4);
  if (!parsed) return tl::unexpected(parsed.error());
  const nlohmann::json& j = *parsed;
  if (!j.is_object()) return fail(Code::BundleSchema, "a Bitcoin anchor context is a JSON object", "");
  for (const auto& [key, value] : j.items()) {
    if (key == "prev_timestamps_s") {
      if (!value.is_array() || value.size() > 10)
        return fail(Code::BundleSchema, "up to 10 ancestors' timestamps", "prev_timestamps_s");
      for (const auto& t : value) {
        if (!is_u32(t)) return fail(Code::BundleSchema, "a timestamp is a 32-bit integer", "prev_timestamps_s");
        c.prev_timestamps_s.push_back(t.get<std::uint32_t>());
      }
    } else if (key == "period_start_time_s") {
      if (!is_u32(value)) return fail(Code::BundleSchema, "a 32-bit integer", "period_start_time_s");
      c.period_start_time_s = value.get<std::uint32_t>();
    } else if (key == "total_work") {
      if (!value.is_string() || !is_work_hex(value.get<std::string>()))
        return fail(Code::BundleSchema, "0x and 64 lowercase hex digits", "total_work");
      c.total_work = value.get<std::string>();
    } else {
      return fail(Code::BundleSchema, "unknown field " + key, key);
    }
  }
  return c;
}

std::string bitcoin_context_json(const BitcoinContext& c) {
  nlohmann::json j = {{"prev_timestamps_s", c.prev_timestamps_s}, {"total_work", c.total_work}};
  if (c.period_start_time_s) j["period_start_time_s"] = *c.period_start_time_s;
  return j.dump();
}

Result<VerifiedBitcoinHeaders> verify_bitcoin_headers(std::string_view json_text, const TrustList& trust,
                                                      std::int64_t now_s, const BitcoinContext* anchor_context) {
  auto parsed = detail::parse_bounded(json_text, kMaxBundleBytes, kMaxJsonDepth);
  if (!parsed) return tl::unexpected(parsed.error());
  nlohmann::json& doc = *parsed;
  try {
    if (!doc.is_object() || doc.value("family", "") != "bitcoin" || !doc.contains("network") ||
        !doc["network"].is_string() || !doc.contains("island") || !doc["island"].is_string() ||
        !doc.contains("anchor") || !doc["anchor"].is_object() || !doc["anchor"].contains("height") ||
        !doc["anchor"].contains("header") || !doc.contains("headers") || !doc["headers"].is_array())
      return fail(Code::BundleSchema, "expected a bitcoin header document", "");
    if (doc.contains("version") && doc["version"] != 1)
      return fail(Code::BundleSchema, "version must be 1", "version");
    if (doc.contains("inclusion")) return fail(Code::BundleSchema, "a header document has no inclusion", "inclusion");
    auto& a = doc["anchor"];
    if (anchor_context != nullptr) {  // the relay's own context of the held anchor, never the pusher's (A13)
      a.erase("prev_timestamps_s");
      a.erase("period_start_time_s");
      a.erase("last_non_min_bits");  // testnets: not in the relay's context yet, so never the pusher's either
      if (!anchor_context->prev_timestamps_s.empty()) a["prev_timestamps_s"] = anchor_context->prev_timestamps_s;
      if (anchor_context->period_start_time_s) a["period_start_time_s"] = *anchor_context->period_start_time_s;
    }
    if (a.contains("prev_timestamps_s")) {
      if (!a["prev_timestamps_s"].is_array()) return fail(Code::BundleSchema, "expected an array", "anchor.prev_timestamps_s");
      for (const auto& t : a["prev_timestamps_s"])
        if (!is_u32(t)) return fail(Code::BundleSchema, "expected 32-bit timestamps", "anchor.prev_timestamps_s");
    }
    for (const char* key : {"period_start_time_s", "last_non_min_bits"})
      if (a.contains(key) && !is_u32(a[key]))
        return fail(Code::BundleSchema, "expected a 32-bit integer", std::string("anchor.") + key);
    auto run = detail::verify_chain_run(doc, &trust, now_s);
    if (!run) return tl::unexpected(run.error());
    const auto state_of = [](const bitcoin::HeaderInfo& h) {
      return BitcoinHeaderState{h.height, h.hash.reversed(), h.header.time_s, work_hex(h.chainwork)};
    };
    VerifiedBitcoinHeaders out;
    out.island = run->island;
    out.network = run->network;
    auto anchor_info = run->chain->find(run->anchor_hash);
    if (!anchor_info) return fail(Code::UntrustedAnchor, "the anchor is not in its own chain", "anchor");
    const auto tip_info = run->chain->tip();
    out.anchor = state_of(*anchor_info);
    out.tip = state_of(tip_info);
    out.header_count = doc["headers"].size();
    out.mtp_window = out.header_count == 0 ? 0 : run->min_mtp_window;
    if (anchor_context != nullptr) {
      // Times in chain order: the anchor's ancestors, the anchor, each header (a document's run is linear).
      std::vector<std::uint32_t> times = run->anchor.prev_timestamps_s;
      for (std::uint32_t h = run->anchor.height; h <= tip_info.height; ++h) {
        auto info = run->chain->at_height(h);
        if (!info) return fail(Code::UnknownHeader, "a verified header is not on the run", "headers");
        times.push_back(info->header.time_s);
      }
      BitcoinContext tip;
      const std::size_t ancestors = times.size() - 1;  // everything before the tip
      tip.prev_timestamps_s.assign(times.begin() + static_cast<std::ptrdiff_t>(ancestors - std::min<std::size_t>(ancestors, 10)),
                                   times.begin() + static_cast<std::ptrdiff_t>(ancestors));
      auto params = bitcoin::params_by_name(run->network);
      if (!params) return tl::unexpected(params.error());
      const auto interval = static_cast<std::uint32_t>((*params)->interval());
      const std::uint32_t period_start = tip_info.height - tip_info.height % interval;
      if (period_start >= run->anchor.height) {
        auto info = run->chain->at_height(period_start);
        if (!info) return fail(Code::UnknownHeader, "the period's first header is not on the run", "headers");
        tip.period_start_time_s = info->header.time_s;
      } else {
        tip.period_start_time_s = anchor_context->period_start_time_s;  // the same period as the anchor
      }
      auto base = bitcoin::U256::from_hex(anchor_context->total_work);
      if (!base) return fail(Code::BundleSchema, "anchor total_work is not hex", "total_work");
      // Work since the registered anchor: the held anchor's, plus what this run added beyond the anchor itself.
      tip.total_work = work_hex(*base + (tip_info.chainwork - anchor_info->chainwork));
      out.tip_context = std::move(tip);
    }
    return out;
  } catch (const nlohmann::json::exception& e) {
    return fail(Code::BundleSchema, std::string("malformed header document: ") + e.what(), "");
  }
}

}  // namespace causeway::proofs
