// Family `bft`, codec `chainmaker/v2` (docs/proof-bundles.md "bft / chainmaker/v2"): anchor = a trusted block
// (height, hash) + the chain config in force (hash type, config height, consensus orgs with node ids, trust-root
// CA certificates and/or pinned signing certificates) → each `headers` entry, the protobuf-JSON BlockInfo exactly
// as ChainMaker's RPC returns it, turned into binary common.Block by libprotobuf's JSON parser and verified by
// causeway::chainmaker::LightClient (adjacent or checkpoint) → a `chainmaker-merkle` inclusion of a transaction
// (and optionally one contract event of its result) under a verified block's tx_root.
#include <google/protobuf/util/json_util.h>

#include <optional>
#include <string>
#include <vector>

#include "causeway/chainmaker/block.hpp"
#include "causeway/chainmaker/chainmaker.pb.h"
#include "causeway/chainmaker/client.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/proofs/headers.hpp"
#include "family.hpp"
#include "json_input.hpp"

namespace causeway::proofs::detail {
namespace cm = causeway::chainmaker;
namespace {

Bytes text_bytes(const std::string& s) { return Bytes(s.begin(), s.end()); }

// protobuf-JSON → binary message (unknown fields refused: a field we do not know could be part of a hash).
Result<Bytes> pb_from_json(const nlohmann::json& j, google::protobuf::Message& msg, const std::string& at) {
  google::protobuf::util::JsonParseOptions opts;
  opts.ignore_unknown_fields = false;
  const auto st = google::protobuf::util::JsonStringToMessage(j.dump(), &msg, opts);
  if (!st.ok())
    return fail(Code::ProtobufDecode, "not a ChainMaker protobuf-JSON " + msg.GetTypeName() + ": " + st.ToString(), at);
  std::string out;
  if (!msg.SerializeToString(&out)) return fail(Code::ProtobufDecode, "message does not serialize", at);
  return text_bytes(out);
}

Result<cm::ChainTrust> trust_field(const nlohmann::json& a, const std::string& chain_id) {
  cm::ChainTrust t;
  t.chain_id = chain_id;
  auto h = cm::parse_hash_type(a["hash_type"].get<std::string>());
  if (!h) return tl::unexpected(located(h.error(), "anchor.hash_type"));
  t.hash = *h;
  t.consensus = a.value("consensus", "TBFT");
  t.auth_type = a.value("auth_type", "permissionedwithcert");
  auto ch = quantity(a["config_height"], "anchor.config_height");
  if (!ch) return tl::unexpected(ch.error());
  t.config_height = *ch;
  const auto& orgs = a["orgs"];
  for (std::size_t i = 0; i < orgs.size(); ++i) {
    const auto& o = orgs[i];
    cm::OrgTrust org;
    org.org_id = o["org_id"].get<std::string>();
    for (const auto& n : o["node_ids"]) org.node_ids.push_back(n.get<std::string>());
    if (o.contains("ca_certs"))
      for (const auto& c : o["ca_certs"]) org.ca_certs.push_back(text_bytes(c.get<std::string>()));
    if (o.contains("signing_certs"))
      for (const auto& c : o["signing_certs"]) org.signing_certs.push_back(text_bytes(c.get<std::string>()));
    if (o.contains("node_certs"))
      for (const auto& [node, c] : o["node_certs"].items()) org.node_certs.emplace_back(node, text_bytes(c.get<std::string>()));
    t.orgs.push_back(std::move(org));
  }
  return t;
}

// Re-roots a light-client location ("orgs[1].ca_certs[0]", "header.signature", "qc.votes[2]") under `at`.
Error under(Error e, const std::string& at) {
  e.at = e.at.empty() ? at : at + "." + e.at;
  return e;
}

// The anchor (A03 against `trust` when given: block and validator-set hash both pinned) and the verified blocks
// of a chainmaker/v2 document; each entry of `headers` goes through the light client in order.
struct CmRun {
  std::string island;
  std::uint64_t height = 0;
  Hash32 hash;
  Hash32 set_hash;
  std::uint64_t anchor_time_s = 0;  // the trust entry's time when it names one, else the document's (0: unknown)
  cm::ChainTrust chain_trust;
  std::optional<cm::LightClient> client;
  std::vector<cm::Block> blocks;
  std::vector<Hash32> next_set_hashes;  // per block: the validator-set hash in force for the block after it
};

Result<CmRun> open_chainmaker_run(const nlohmann::json& doc, const TrustList* trust, std::int64_t verify_time_s) {
  CmRun run;
  run.island = doc["island"].get<std::string>();
  const auto& island = run.island;
  const std::string prefix = "chainmkr:";
  if (island.rfind(prefix, 0) != 0) return fail(Code::IslandMismatch, "a chainmaker/v2 island is chainmkr:<chain-id>", "island");
  const std::string chain_id = island.substr(prefix.size());
  const auto& a = doc["anchor"];
  auto chain_trust = trust_field(a, chain_id);
  if (!chain_trust) return tl::unexpected(chain_trust.error());
  auto set_hash = cm::trust_hash(*chain_trust);
  if (!set_hash) return tl::unexpected(under(set_hash.error(), "anchor"));
  cm::Anchor anchor;
  auto height = quantity(a["height"], "anchor.height");
  if (!height) return tl::unexpected(height.error());
  anchor.height = *height;
  auto hash = hash_field(a["hash"], "anchor.hash");
  if (!hash) return tl::unexpected(hash.error());
  anchor.hash = *hash;
  if (a.contains("time_s")) {
    auto t = quantity(a["time_s"], "anchor.time_s");
    if (!t) return tl::unexpected(t.error());
    if (*t > static_cast<std::uint64_t>(INT64_MAX)) return fail(Code::Overflow, "time_s out of range", "anchor.time_s");
    anchor.time_s = static_cast<std::int64_t>(*t);
  }
  if (trust != nullptr) {  // A03: anchor block and validator-set hash both pinned
    const TrustedAnchor* found = nullptr;
    for (const auto& t : *trust)
      if (t.island == island && t.height == *height && t.hash == *hash && t.validator_set_hash == *set_hash) found = &t;
    if (found == nullptr)
      return fail(Code::UntrustedAnchor,
                  "anchor " + to_hex(hash->view()) + " at height " + std::to_string(*height) + " with validator set " +
                      to_hex(set_hash->view()) + " is not in the trust file",
                  "anchor");
    // The held state's time, never the document's: a pusher could otherwise lift the "block time must not go
    // backwards" floor of the first pushed block (time 0 = unknown) or move it.
    if (found->time_ms) anchor.time_s = static_cast<std::int64_t>(*found->time_ms / 1000);
  }
  run.anchor_time_s = static_cast<std::uint64_t>(anchor.time_s);
  anchor.trust = *chain_trust;
  auto client = cm::LightClient::create(std::move(anchor), {}, doc["headers"].size() + 1);
  if (!client) return tl::unexpected(under(client.error(), "anchor"));

  const auto& headers = doc["headers"];
  for (std::size_t i = 0; i < headers.size(); ++i) {
    const std::string at = "headers[" + std::to_string(i) + "]";
    cm::pb::BlockInfo info;
    auto bytes = pb_from_json(headers[i], info, at);
    if (!bytes) return tl::unexpected(bytes.error());
    std::string block_bytes;
    info.block().SerializeToString(&block_bytes);
    auto block = cm::decode_block(text_bytes(block_bytes));
    if (!block) return tl::unexpected(under(block.error(), at));
    auto updated = client->update(*block, verify_time_s);
    if (!updated) return tl::unexpected(under(updated.error(), at));
    auto next = cm::trust_hash(client->trust());
    if (!next) return tl::unexpected(under(next.error(), at));
    run.next_set_hashes.push_back(*next);
    run.blocks.push_back(std::move(*block));
  }
  run.height = *height;
  run.hash = *hash;
  run.set_hash = *set_hash;
  run.chain_trust = std::move(*chain_trust);
  run.client.emplace(std::move(*client));
  return run;
}

}  // namespace

Result<VerifiedHeaders> verify_chainmaker_headers(const nlohmann::json& doc, const TrustList& trust, std::int64_t now_s) {
  auto run = open_chainmaker_run(doc, &trust, now_s);
  if (!run) return tl::unexpected(run.error());
  VerifiedHeaders out;
  out.island = run->island;
  out.crypto = doc["anchor"]["hash_type"].get<std::string>();
  out.anchor = VerifiedHeader{run->height, run->hash, run->anchor_time_s * 1000, Hash32{}, 0, run->set_hash};
  for (std::size_t i = 0; i < run->blocks.size(); ++i) {
    const auto& b = run->blocks[i];
    const cm::VerifiedBlock* v = run->client->verified(b.header.height);
    if (v == nullptr) return fail(Code::UnknownHeader, "a verified block is not retained", "headers[" + std::to_string(i) + "]");
    const auto ts = b.header.timestamp_s < 0 ? 0 : static_cast<std::uint64_t>(b.header.timestamp_s);
    // Heights strictly increase: a repeated block would carry the set in force after a LATER block (a config
    // change) back to its own height.
    const std::uint64_t previous = out.headers.empty() ? out.anchor.height : out.headers.back().height;
    if (b.header.height <= previous)
      return fail(Code::InvalidArgument, "header heights must increase past the anchor", "headers[" + std::to_string(i) + "]");
    out.headers.push_back(VerifiedHeader{b.header.height, v->hash, ts * 1000, Hash32{}, 0, run->next_set_hashes[i]});
  }
  return out;
}

Result<nlohmann::json> verify_chainmaker_bundle(const nlohmann::json& doc, const TrustList* trust,
                                                std::int64_t verify_time_s) {
  auto run = open_chainmaker_run(doc, trust, verify_time_s);
  if (!run) return tl::unexpected(run.error());
  const auto& island = run->island;
  auto& client = run->client;
  const auto& blocks = run->blocks;
  const auto* chain_trust = &run->chain_trust;
  const auto* height = &run->height;
  const auto* hash = &run->hash;
  const auto* set_hash = &run->set_hash;

  const auto& inc = doc["inclusion"];
  auto inc_height = quantity(inc["height"], "inclusion.height");
  if (!inc_height) return tl::unexpected(inc_height.error());
  const cm::VerifiedBlock* proving = client->verified(*inc_height);
  const cm::Block* block = nullptr;
  for (const auto& b : blocks)
    if (b.header.height == *inc_height) block = &b;
  if (proving == nullptr || block == nullptr)
    return fail(Code::UnknownHeader, "no verified block at height " + std::to_string(*inc_height) + " in headers",
                "inclusion.height");
  auto index = quantity(inc["tx_index"], "inclusion.tx_index");
  if (!index) return tl::unexpected(index.error());
  cm::Transaction tx;
  if (inc.contains("tx")) {
    cm::pb::Transaction msg;
    auto bytes = pb_from_json(inc["tx"], msg, "inclusion.tx");
    if (!bytes) return tl::unexpected(bytes.error());
    auto decoded = cm::decode_transaction(*bytes, proving->header.block_version);
    if (!decoded) return tl::unexpected(under(decoded.error(), "inclusion.tx"));
    tx = std::move(*decoded);
  } else {
    if (*index >= block->txs.size())
      return fail(Code::MerkleIndex, "the block carries no transaction " + std::to_string(*index) + "; give inclusion.tx",
                  "inclusion.tx_index");
    tx = block->txs[static_cast<std::size_t>(*index)];
  }
  std::vector<Hash32> path;
  for (std::size_t i = 0; i < inc["path"].size(); ++i) {
    auto node = hash_field(inc["path"][i], "inclusion.path[" + std::to_string(i) + "]");
    if (!node) return tl::unexpected(node.error());
    path.push_back(*node);
  }
  const auto hash_type = client->trust().hash;
  if (auto ok = cm::verify_tx_inclusion(hash_type, proving->header, tx, *index, path); !ok)
    return tl::unexpected(under(ok.error(), "inclusion"));
  const auto& claimed_id = inc["tx_id"].get_ref<const std::string&>();
  if (claimed_id != tx.tx_id)
    return fail(Code::ClaimMismatch, "the proven transaction is '" + tx.tx_id + "', not '" + claimed_id + "'",
                "inclusion.tx_id");
  nlohmann::json claim = {{"kind", "chainmaker-merkle"},
                          {"height", *inc_height},
                          {"tx_index", *index},
                          {"tx_id", tx.tx_id},
                          {"tx_hash", to_hex(cm::tx_hash(hash_type, tx).view())},
                          {"contract_name", tx.contract_name},
                          {"method", tx.method},
                          {"status", tx.status}};
  if (inc.contains("event")) {
    const auto& ev = inc["event"];
    if (tx.status != 0 || tx.contract_code != 0)
      return fail(Code::TxFailed, "transaction status " + std::to_string(tx.status) + ", contract code " +
                                      std::to_string(tx.contract_code) + ": its events prove nothing",
                  "inclusion.event");
    auto ei = quantity(ev["index"], "inclusion.event.index");
    if (!ei) return tl::unexpected(ei.error());
    if (*ei >= tx.events.size())
      return fail(Code::LogMismatch, "the transaction has " + std::to_string(tx.events.size()) + " events",
                  "inclusion.event.index");
    const auto& e = tx.events[static_cast<std::size_t>(*ei)];
    std::vector<std::string> data;
    for (const auto& d : ev["event_data"]) data.push_back(d.get<std::string>());
    for (auto [field, got] : {std::pair{"topic", &e.topic}, {"contract_name", &e.contract_name}})
      if (ev[field].get<std::string>() != *got)
        return fail(Code::LogMismatch, std::string(field) + " is '" + *got + "'", std::string("inclusion.event.") + field);
    if (data != e.event_data) return fail(Code::LogMismatch, "event_data differs", "inclusion.event.event_data");
    claim["event"] = {{"index", *ei},
                      {"topic", e.topic},
                      {"contract_name", e.contract_name},
                      {"contract_version", e.contract_version},
                      {"event_data", e.event_data}};
  }
  return nlohmann::json{
      {"valid", true},
      {"family", "bft"},
      {"codec", "chainmaker/v2"},
      {"island", island},
      {"height", *inc_height},
      {"header_hash", to_hex(proving->hash.view())},
      {"confirmations", client->latest_height() - *inc_height + 1},
      {"claim", claim},
      {"trust", "quorum"},
      {"quorum", {{"validators", proving->validators}, {"required", proving->quorum},
                  {"counted", proving->counted_voters.size()}, {"round", proving->round}}},
      {"anchor",
       {{"height", *height},
        {"hash", to_hex(hash->view())},
        {"config_height", chain_trust->config_height},
        {"validator_set_hash", to_hex(set_hash->view())},
        {"trusted", trust ? "trust-file" : "as-given"}}},
      {"tip", {{"height", client->latest_height()}, {"hash", to_hex(client->latest_hash().view())}}},
      {"verify_time_s", verify_time_s}};
}

}  // namespace causeway::proofs::detail
