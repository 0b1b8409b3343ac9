// Family `bft` of PROOF-BUNDLE.md, codecs `fisco-bcos/v2` and `fisco-bcos/v3` (docs/proof-bundles.md "FISCO BCOS"):
// anchor (trusted block number + hash, hash algorithm, sealer set) → headers, each the block exactly as the chain's
// JSON-RPC returns it (the `result`, or the whole JSON-RPC response), checked by light_clients/fisco (sequential when
// adjacent, checkpoint against the trusted set otherwise) → an inclusion of a transaction or receipt under a verified
// block (`fisco-v2-trie16`, `fisco-v3-merkle`). This file only turns JSON into the library's typed values.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "causeway/core/hex.hpp"
#include "causeway/fisco/client.hpp"
#include "causeway/fisco/proof.hpp"
#include "causeway/proofs/headers.hpp"
#include "family.hpp"
#include "json_input.hpp"

namespace causeway::proofs::detail {
namespace {

using fisco::Version;
using nlohmann::json;

// FISCO RPC hex: with or without the 0x prefix (v2 prints sealerList and proofs bare), even length.
Result<Bytes> rpc_hex(const json& v, const std::string& at, std::size_t max_bytes) {
  if (!v.is_string()) return fail(Code::BundleSchema, "expected a hex string", at);
  const auto& s = v.get_ref<const std::string&>();
  auto b = (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ? from_hex(s, max_bytes)
                                                                          : from_hex_bare(s, max_bytes);
  if (!b) return tl::unexpected(located(b.error(), at));
  return b;
}

Result<Hash32> rpc_hash(const json& v, const std::string& at) {
  auto b = rpc_hex(v, at, 32);
  if (!b) return tl::unexpected(b.error());
  if (b->size() != 32) return fail(Code::BadLength, "expected 32 bytes", at);
  return Hash32::from(*b);
}

Result<fisco::NodeId> rpc_node_id(const json& v, const std::string& at) {
  auto b = rpc_hex(v, at, fisco::kNodeIdSize);
  if (!b) return tl::unexpected(b.error());
  if (b->size() != fisco::kNodeIdSize) return fail(Code::BadLength, "a node id is 64 bytes (x || y)", at);
  fisco::NodeId id{};
  std::copy(b->begin(), b->end(), id.begin());
  return id;
}

// v2 quantities are "0x"-prefixed hex without leading zeros ("0x0" for zero). Returns minimal big-endian bytes.
Result<Bytes> rpc_hex_quantity(const json& v, const std::string& at, std::size_t max_bytes) {
  if (!v.is_string()) return fail(Code::BundleSchema, "expected a 0x hex quantity", at);
  const auto& s = v.get_ref<const std::string&>();
  if (s.size() < 3 || s[0] != '0' || s[1] != 'x' || (s.size() > 3 && s[2] == '0'))
    return fail(Code::BadHex, "hex quantity must be 0x followed by digits without leading zeros", at);
  std::string digits = s.substr(2);
  if (digits.size() % 2) digits.insert(digits.begin(), '0');
  auto b = from_hex_bare(digits, max_bytes);
  if (!b) return tl::unexpected(located(b.error(), at));
  while (!b->empty() && b->front() == 0) b->erase(b->begin());
  return b;
}

Result<std::uint64_t> rpc_hex_u64(const json& v, const std::string& at) {
  auto b = rpc_hex_quantity(v, at, 8);
  if (!b) return tl::unexpected(b.error().code == Code::TooLarge ? Error{Code::Overflow, "above 2^64-1", at} : b.error());
  std::uint64_t x = 0;
  for (auto c : *b) x = (x << 8) | c;
  return x;
}

const json& rpc_result(const json& entry) {
  // The schema makes the two shapes exclusive: an object with "jsonrpc" is a response whose "result" it validated.
  return (entry.is_object() && entry.contains("jsonrpc")) ? entry["result"] : entry;
}

// The library says "signatures[i]" / "sealers[i]"; the RPC block names them signatureList / sealerList.
Error block_error(Error e, const std::string& at) {
  if (e.at.rfind("signatures", 0) == 0) e.at = "signatureList" + e.at.substr(10);
  return relocated(std::move(e), at);
}

#define FISCO_TRY(var, expr)                       \
  auto var = (expr);                               \
  if (!var) return tl::unexpected(var.error())

Result<fisco::BlockV2> block_v2(const json& r, const std::string& at) {
  fisco::BlockV2 b;
  auto& h = b.header;
  for (auto [field, out] : {std::pair{"parentHash", &h.parent_hash}, {"stateRoot", &h.state_root},
                            {"transactionsRoot", &h.transactions_root}, {"receiptsRoot", &h.receipts_root},
                            {"dbHash", &h.db_hash}, {"hash", &b.hash}}) {
    FISCO_TRY(x, rpc_hash(r[field], at + "." + field));
    *out = *x;
  }
  FISCO_TRY(bloom, rpc_hex(r["logsBloom"], at + ".logsBloom", fisco::kLogsBloomSize));
  h.logs_bloom = std::move(*bloom);
  FISCO_TRY(number, rpc_hex_u64(r["number"], at + ".number"));
  h.number = *number;
  FISCO_TRY(gas_limit, rpc_hex_quantity(r["gasLimit"], at + ".gasLimit", 32));
  h.gas_limit = std::move(*gas_limit);
  FISCO_TRY(gas_used, rpc_hex_quantity(r["gasUsed"], at + ".gasUsed", 32));
  h.gas_used = std::move(*gas_used);
  FISCO_TRY(ts, rpc_hex_u64(r["timestamp"], at + ".timestamp"));
  h.timestamp_ms = *ts;
  for (std::size_t i = 0; i < r["extraData"].size(); ++i) {
    FISCO_TRY(e, rpc_hex(r["extraData"][i], at + ".extraData[" + std::to_string(i) + "]", fisco::kMaxExtraData));
    h.extra_data.push_back(std::move(*e));
  }
  FISCO_TRY(sealer, rpc_hex_u64(r["sealer"], at + ".sealer"));
  h.sealer = *sealer;
  for (std::size_t i = 0; i < r["sealerList"].size(); ++i) {
    FISCO_TRY(id, rpc_node_id(r["sealerList"][i], at + ".sealerList[" + std::to_string(i) + "]"));
    h.sealer_list.push_back(*id);
  }
  for (std::size_t i = 0; i < r["signatureList"].size(); ++i) {
    const std::string here = at + ".signatureList[" + std::to_string(i) + "]";
    FISCO_TRY(index, rpc_hex_u64(r["signatureList"][i]["index"], here + ".index"));
    FISCO_TRY(sig, rpc_hex(r["signatureList"][i]["signature"], here + ".signature", 128));
    b.signatures.push_back(fisco::SealerSignature{*index, std::move(*sig)});
  }
  return b;
}

Result<fisco::BlockV3> block_v3(const json& r, const std::string& at) {
  fisco::BlockV3 b;
  auto& h = b.header;
  for (auto [field, out] : {std::pair{"txsRoot", &h.txs_root}, {"receiptsRoot", &h.receipts_root},
                            {"stateRoot", &h.state_root}, {"hash", &b.hash}}) {
    FISCO_TRY(x, rpc_hash(r[field], at + "." + field));
    *out = *x;
  }
  FISCO_TRY(version, quantity(r["version"], at + ".version"));
  if (*version > UINT32_MAX) return fail(Code::Overflow, "version above 2^32-1", at + ".version");
  h.version = static_cast<std::uint32_t>(*version);
  for (std::size_t i = 0; i < r["parentInfo"].size(); ++i) {
    const std::string here = at + ".parentInfo[" + std::to_string(i) + "]";
    FISCO_TRY(n, quantity(r["parentInfo"][i]["blockNumber"], here + ".blockNumber"));
    FISCO_TRY(ph, rpc_hash(r["parentInfo"][i]["blockHash"], here + ".blockHash"));
    h.parents.push_back(fisco::ParentInfo{*n, *ph});
  }
  for (auto [field, out] : {std::pair{"number", &h.number}, {"timestamp", &h.timestamp_ms}, {"sealer", &h.sealer}}) {
    FISCO_TRY(x, quantity(r[field], at + "." + field));
    *out = *x;
  }
  h.gas_used = r["gasUsed"].get<std::string>();
  for (std::size_t i = 0; i < r["sealerList"].size(); ++i) {
    FISCO_TRY(id, rpc_node_id(r["sealerList"][i], at + ".sealerList[" + std::to_string(i) + "]"));
    h.sealer_list.push_back(*id);
  }
  FISCO_TRY(extra, rpc_hex(r["extraData"], at + ".extraData", fisco::kMaxExtraData));
  h.extra_data = std::move(*extra);
  for (std::size_t i = 0; i < r["consensusWeights"].size(); ++i) {
    FISCO_TRY(w, quantity(r["consensusWeights"][i], at + ".consensusWeights[" + std::to_string(i) + "]"));
    h.consensus_weights.push_back(*w);
  }
  for (std::size_t i = 0; i < r["signatureList"].size(); ++i) {
    const std::string here = at + ".signatureList[" + std::to_string(i) + "]";
    FISCO_TRY(index, quantity(r["signatureList"][i]["sealerIndex"], here + ".sealerIndex"));
    FISCO_TRY(sig, rpc_hex(r["signatureList"][i]["signature"], here + ".signature", 128));
    b.signatures.push_back(fisco::SealerSignature{*index, std::move(*sig)});
  }
  return b;
}

// The anchor (A03 against `trust` when given: block and sealer-set hash both pinned) and the verified blocks of a
// fisco-bcos/v2|v3 document; `next_set_hashes[i]` is the sealer-set hash trusted after headers[i].
struct FiscoRun {
  std::string codec_name;
  Version version = Version::V2;
  fisco::HashAlgorithm algorithm = fisco::HashAlgorithm::Keccak256;
  std::uint64_t anchor_height = 0;
  Hash32 anchor_hash;
  Hash32 set_hash;
  std::optional<fisco::LightClient> client;
  std::vector<fisco::ConsensusState> states;
  std::vector<Hash32> next_set_hashes;
};

Result<FiscoRun> open_fisco_run(const json& doc, const TrustList* trust, std::int64_t verify_time_s) {
  FiscoRun run;
  const auto& codec_name = doc["codec"].get_ref<const std::string&>();
  run.codec_name = codec_name;
  const Version version = codec_name == "fisco-bcos/v2" ? Version::V2 : Version::V3;
  run.version = version;
  const auto& island = doc["island"].get_ref<const std::string&>();
  const auto& a = doc["anchor"];

  FISCO_TRY(algorithm, fisco::parse_hash_algorithm(a["hash_algorithm"].get<std::string>()));
  run.algorithm = *algorithm;
  fisco::ClientConfig config;
  config.version = version;
  config.hash_algorithm = *algorithm;
  if (a.contains("consensus")) {
    auto consensus = fisco::parse_consensus(a["consensus"].get<std::string>());
    if (!consensus) return tl::unexpected(located(consensus.error(), "anchor.consensus"));
    config.consensus = *consensus;
  }
  std::vector<fisco::Sealer> sealers;
  for (std::size_t i = 0; i < a["sealers"].size(); ++i) {
    const std::string here = "anchor.sealers[" + std::to_string(i) + "]";
    FISCO_TRY(id, rpc_node_id(a["sealers"][i]["node_id"], here + ".node_id"));
    FISCO_TRY(weight, quantity(a["sealers"][i]["weight"], here + ".weight"));
    sealers.push_back(fisco::Sealer{*id, *weight});
  }
  auto set = fisco::SealerSet::create(version, *algorithm, std::move(sealers));
  if (!set) {
    Error e = set.error();
    e.at = e.at.empty() ? "anchor.sealers" : "anchor." + e.at;
    return tl::unexpected(std::move(e));
  }
  FISCO_TRY(anchor_height, quantity(a["height"], "anchor.height"));
  FISCO_TRY(anchor_hash, rpc_hash(a["hash"], "anchor.hash"));
  const Hash32 set_hash = set->hash();
  const auto& headers = doc["headers"];
  config.max_retained = headers.size() + 1;
  auto client = fisco::LightClient::create(config, *anchor_height, *anchor_hash, *set);
  if (!client) return tl::unexpected(relocated(client.error(), "anchor"));
  if (trust != nullptr) {  // A03: the anchor block and its sealer-set hash must both be pinned
    bool found = false;
    for (const auto& t : *trust)
      found = found || (t.island == island && t.height == *anchor_height && t.hash == *anchor_hash &&
                        t.validator_set_hash == set_hash);
    if (!found)
      return fail(Code::UntrustedAnchor,
                  "anchor " + to_hex(anchor_hash->view()) + " at height " + std::to_string(*anchor_height) +
                      " with sealer set " + to_hex(set_hash.view()) + " is not in the trust file",
                  "anchor");
  }

  if (verify_time_s < 0 || static_cast<std::uint64_t>(verify_time_s) > UINT64_MAX / 1000)
    return fail(Code::Overflow, "verify_time_s out of range", "verify_time_s");
  const std::uint64_t now_ms = static_cast<std::uint64_t>(verify_time_s) * 1000;
  for (std::size_t i = 0; i < headers.size(); ++i) {
    const bool envelope = &rpc_result(headers[i]) != &headers[i];
    const std::string at = "headers[" + std::to_string(i) + "]" + (envelope ? ".result" : "");
    const json& r = rpc_result(headers[i]);
    Result<fisco::UpdateResult> updated = fail(Code::InvalidArgument, "unreachable");
    if (version == Version::V2) {
      FISCO_TRY(block, block_v2(r, at));
      updated = client->update(*block, now_ms);
    } else {
      FISCO_TRY(block, block_v3(r, at));
      updated = client->update(*block, now_ms);
    }
    if (!updated) return tl::unexpected(block_error(updated.error(), at));
    run.states.push_back(updated->state);
    run.next_set_hashes.push_back(client->trusted_sealers().hash());
  }
  run.anchor_height = *anchor_height;
  run.anchor_hash = *anchor_hash;
  run.set_hash = set_hash;
  run.client.emplace(std::move(*client));
  return run;
}

}  // namespace

Result<VerifiedHeaders> verify_fisco_headers(const json& doc, const TrustList& trust, std::int64_t now_s) {
  auto run = open_fisco_run(doc, &trust, now_s);
  if (!run) return tl::unexpected(run.error());
  VerifiedHeaders out;
  out.island = doc["island"].get<std::string>();
  out.crypto = std::string(fisco::hash_algorithm_name(run->algorithm));
  out.anchor = VerifiedHeader{run->anchor_height, run->anchor_hash, 0, Hash32{}, 0, run->set_hash};
  for (std::size_t i = 0; i < run->states.size(); ++i) {
    const auto& st = run->states[i];
    // Heights strictly increase: a repeated block would carry the set trusted after a LATER block (a sealer
    // change) back to its own height.
    const std::uint64_t previous = out.headers.empty() ? out.anchor.height : out.headers.back().height;
    if (st.number <= previous)
      return fail(Code::InvalidArgument, "header heights must increase past the anchor", "headers[" + std::to_string(i) + "]");
    out.headers.push_back(VerifiedHeader{st.number, st.hash, st.timestamp_ms, Hash32{}, 0, run->next_set_hashes[i]});
  }
  return out;
}

Result<json> verify_fisco_bundle(const json& doc, const TrustList* trust, std::int64_t verify_time_s) {
  auto run = open_fisco_run(doc, trust, verify_time_s);
  if (!run) return tl::unexpected(run.error());
  const auto& codec_name = run->codec_name;
  const Version version = run->version;
  const auto* algorithm = &run->algorithm;
  const auto& island = doc["island"].get_ref<const std::string&>();
  const auto* anchor_height = &run->anchor_height;
  const auto* anchor_hash = &run->anchor_hash;
  const Hash32 set_hash = run->set_hash;
  auto& client = run->client;


  // Inclusion under a verified block.
  const auto& inc = doc["inclusion"];
  const std::string kind = inc["kind"].get<std::string>();
  const std::string tree = inc["tree"].get<std::string>();
  FISCO_TRY(height, quantity(inc["height"], "inclusion.height"));
  const auto proving = client->consensus_state(*height);
  if (!proving || *height == *anchor_height)
    return fail(Code::UnknownHeader, "no block verified by this bundle at height " + std::to_string(*height),
                "inclusion.height");
  json claim = {{"kind", kind}, {"tree", tree}, {"height", *height}};
  if (version == Version::V2) {
    if (tree != "tx")
      return fail(Code::Unsupported,
                  "v2 receipt proofs: no real v2 receipt confirms the receipt encoding (2.9+ may append remainGas)",
                  "inclusion.tree");
    FISCO_TRY(index, quantity(inc["index"], "inclusion.index"));
    FISCO_TRY(tx_hash, rpc_hash(inc["tx_hash"], "inclusion.tx_hash"));
    std::vector<fisco::ProofUnitV2> proof;
    for (std::size_t u = 0; u < inc["proof"].size(); ++u) {
      fisco::ProofUnitV2 unit;
      for (auto [side, out] : {std::pair{"left", &unit.left}, {"right", &unit.right}})
        for (std::size_t k = 0; k < inc["proof"][u][side].size(); ++k) {
          FISCO_TRY(x, rpc_hex(inc["proof"][u][side][k],
                               "inclusion.proof[" + std::to_string(u) + "]." + side + "[" + std::to_string(k) + "]",
                               32));
          out->push_back(std::move(*x));
        }
      proof.push_back(std::move(unit));
    }
    if (auto ok = fisco::verify_tx_v2(*algorithm, *index, *tx_hash, proof, proving->transactions_root); !ok)
      return tl::unexpected(relocated(ok.error(), "inclusion"));
    claim["index"] = *index;
    claim["tx_hash"] = to_hex(tx_hash->view());
  } else {
    std::vector<Bytes> proof;
    for (std::size_t k = 0; k < inc["proof"].size(); ++k) {
      FISCO_TRY(x, rpc_hex(inc["proof"][k], "inclusion.proof[" + std::to_string(k) + "]", 32));
      proof.push_back(std::move(*x));
    }
    Hash32 leaf;
    Hash32 root = proving->transactions_root;
    if (tree == "tx") {
      FISCO_TRY(tx_hash, rpc_hash(inc["tx_hash"], "inclusion.tx_hash"));
      leaf = *tx_hash;
      claim["tx_hash"] = to_hex(leaf.view());
    } else {
      const json& rc = rpc_result(inc["receipt"]);
      const std::string at = std::string("inclusion.receipt") + (&rc != &inc["receipt"] ? ".result" : "");
      fisco::ReceiptV3 r;
      FISCO_TRY(rv, quantity(rc["version"], at + ".version"));
      if (*rv > static_cast<std::uint64_t>(INT32_MAX)) return fail(Code::Overflow, "above 2^31-1", at + ".version");
      r.version = static_cast<std::int32_t>(*rv);
      r.gas_used = rc["gasUsed"].get<std::string>();
      r.contract_address = rc["contractAddress"].get<std::string>();
      if (r.contract_address.rfind("0x", 0) == 0) r.contract_address.erase(0, 2);
      FISCO_TRY(status, quantity(rc["status"], at + ".status"));
      if (*status > static_cast<std::uint64_t>(INT32_MAX)) return fail(Code::Overflow, "above 2^31-1", at + ".status");
      r.status = static_cast<std::int32_t>(*status);
      FISCO_TRY(output, rpc_hex(rc["output"], at + ".output", 1u << 20));
      r.output = std::move(*output);
      r.log_count = rc.contains("logEntries") ? rc["logEntries"].size() : 0;
      FISCO_TRY(bn, quantity(rc["blockNumber"], at + ".blockNumber"));
      r.block_number = *bn;
      auto hash = fisco::receipt_hash_v3(*algorithm, r);
      if (!hash) return tl::unexpected(relocated(hash.error(), at));
      if (r.block_number != *height)
        return fail(Code::ClaimMismatch, "the receipt's blockNumber is not inclusion.height", at + ".blockNumber");
      if (rc.contains("hash")) {
        FISCO_TRY(stated, rpc_hash(rc["hash"], at + ".hash"));
        if (*stated != *hash)
          return fail(Code::ClaimMismatch, "the receipt fields hash to " + to_hex(hash->view()), at + ".hash");
      }
      if (r.status != 0)
        return fail(Code::ReceiptStatus, "receipt status " + std::to_string(r.status) + " (0 is success) proves nothing",
                    at + ".status");
      leaf = *hash;
      root = proving->receipts_root;
      claim["receipt_hash"] = to_hex(leaf.view());
      claim["receipt"] = {{"version", r.version},   {"gasUsed", r.gas_used},       {"contractAddress", r.contract_address},
                          {"status", r.status},     {"output", to_hex(r.output)}, {"blockNumber", r.block_number}};
    }
    if (auto ok = fisco::verify_merkle_v3(*algorithm, leaf, proof, root); !ok)
      return tl::unexpected(relocated(ok.error(), "inclusion"));
  }

  const auto latest = client->latest();
  const std::uint64_t confirmations = latest.number - proving->number + 1;
  if (doc.contains("finality") && doc["finality"].contains("min_confirmations")) {
    FISCO_TRY(min, quantity(doc["finality"]["min_confirmations"], "finality.min_confirmations"));
    if (confirmations < *min)
      return fail(Code::Confirmations,
                  std::to_string(confirmations) + " confirmations, " + std::to_string(*min) + " required",
                  "finality.min_confirmations");
  }
  return json{{"valid", true},
              {"family", "bft"},
              {"codec", codec_name},
              {"hash_algorithm", fisco::hash_algorithm_name(*algorithm)},
              {"island", island},
              {"height", proving->number},
              {"header_hash", to_hex(proving->hash.view())},
              {"confirmations", confirmations},
              {"claim", claim},
              {"trust", "quorum"},
              {"anchor",
               {{"height", *anchor_height},
                {"hash", to_hex(anchor_hash->view())},
                {"validator_set_hash", to_hex(set_hash.view())},
                {"trusted", trust ? "trust-file" : "as-given"}}},
              {"tip", {{"height", latest.number}, {"hash", to_hex(latest.hash.view())}}},
              {"verify_time_s", verify_time_s}};
}

#undef FISCO_TRY

}  // namespace causeway::proofs::detail
