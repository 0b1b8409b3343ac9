// Family `ethereum` of PROOF-BUNDLE.md: anchor header (+ validator set) → consecutive headers verified by the
// island's consensus (clique, qbft, ibft2, or the loudly labelled rpc-trusted) → a receipt/log, account or
// storage claim proven under the finalized header's roots.
#include <vector>

#include "causeway/core/abi.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/ethereum/client.hpp"
#include "causeway/ethereum/proofs.hpp"
#include "causeway/ethereum/receipt.hpp"
#include "family.hpp"
#include "json_input.hpp"

namespace causeway::proofs::detail {
namespace {

// Offline bundles carry no trusting period: the anchor is trusted as given (or by --trust) for as long as
// the verifier is asked, so expiry is not judged here (the relay's own clients do judge it).
constexpr std::uint64_t kOfflineTrustingPeriodS = 100ull * 365 * 24 * 3600;

Result<ethereum::Address> address_field(const nlohmann::json& v, const std::string& at) {
  auto b = hex_field(v, at, 20);
  if (!b) return tl::unexpected(b.error());
  if (b->size() != 20) return fail(Code::BadLength, "an address is 20 bytes", at);
  ethereum::Address a;
  std::copy(b->begin(), b->end(), a.begin());
  return a;
}

// A decimal quantity up to 2^256 − 1 (integer ≤ 2^53 − 1 or decimal string) as 32 big-endian bytes.
Result<ethereum::U256> u256_field(const nlohmann::json& v, const std::string& at) {
  const std::string digits = v.is_string() ? v.get<std::string>() : std::to_string(v.get<std::uint64_t>());
  auto n = abi::u256_from_decimal(digits);
  if (!n) return tl::unexpected(Error{n.error().code == Code::Overflow ? Code::Overflow : Code::BundleSchema,
                                     n.error().detail, at});
  return n;
}

Result<std::vector<Bytes>> nodes_field(const nlohmann::json& v, const std::string& at) {
  std::vector<Bytes> nodes;
  for (std::size_t i = 0; i < v.size(); ++i) {
    auto b = hex_field(v[i], at + "[" + std::to_string(i) + "]", 1u << 19);
    if (!b) return tl::unexpected(b.error());
    nodes.push_back(std::move(*b));
  }
  return nodes;
}

Result<ethereum::Header> header_field(const nlohmann::json& v, const std::string& at) {
  auto raw = hex_field(v, at, 1u << 16);
  if (!raw) return tl::unexpected(raw.error());
  auto h = ethereum::decode_header(*raw);
  if (!h) return tl::unexpected(relocated(h.error(), at));
  return h;
}

std::string hex20(const ethereum::Address& a) { return to_hex(ByteView(a.data(), a.size())); }

// Checks the account fields of an account/storage inclusion against the proven account.
Result<ethereum::Account> proven_account(const nlohmann::json& inc, const Hash32& state_root) {
  auto address = address_field(inc["address"], "inclusion.address");
  if (!address) return tl::unexpected(address.error());
  auto proof = nodes_field(inc["proof"], "inclusion.proof");
  if (!proof) return tl::unexpected(proof.error());
  auto account = ethereum::verify_account_proof(state_root, *address, *proof);
  if (!account) return tl::unexpected(relocated(account.error(), "inclusion.proof"));
  auto nonce = quantity(inc["nonce"], "inclusion.nonce");
  if (!nonce) return tl::unexpected(nonce.error());
  auto balance = u256_field(inc["balance"], "inclusion.balance");
  if (!balance) return tl::unexpected(balance.error());
  auto storage_hash = hash_field(inc["storageHash"], "inclusion.storageHash");
  if (!storage_hash) return tl::unexpected(storage_hash.error());
  auto code_hash = hash_field(inc["codeHash"], "inclusion.codeHash");
  if (!code_hash) return tl::unexpected(code_hash.error());
  const ethereum::Account claimed{*nonce, *balance, *storage_hash, *code_hash};
  if (!(claimed == *account))
    return fail(Code::ClaimMismatch, "the proven account differs from the bundle's nonce/balance/storageHash/codeHash",
                "inclusion");
  return account;
}

}  // namespace

Result<nlohmann::json> verify_ethereum_bundle(const nlohmann::json& doc, const TrustList* trust,
                                              std::int64_t verify_time_s) {
  const auto& island = doc["island"].get_ref<const std::string&>();
  auto mode = ethereum::parse_consensus_mode(doc["consensus"].get<std::string>());
  if (!mode) return tl::unexpected(relocated(mode.error(), "consensus"));

  std::uint64_t min_conf = 1;
  if (doc.contains("finality") && doc["finality"].contains("min_confirmations")) {
    auto m = quantity(doc["finality"]["min_confirmations"], "finality.min_confirmations");
    if (!m) return tl::unexpected(m.error());
    if (*m == 0) return fail(Code::BundleSchema, "min_confirmations must be at least 1", "finality.min_confirmations");
    min_conf = *m;
  }

  const auto& a = doc["anchor"];
  ethereum::ClientConfig config;
  config.mode = *mode;
  config.island = island;
  config.allow_rpc_trusted_public = doc.value("allow_rpc_trusted_public", false);
  config.trusting_period_s = kOfflineTrustingPeriodS;
  config.min_confirmations = min_conf;
  config.max_pending = doc["headers"].size() + 1;
  config.max_retained_finalized = doc["headers"].size() + 1;
  if (a.contains("epoch")) {
    auto e = quantity(a["epoch"], "anchor.epoch");
    if (!e) return tl::unexpected(e.error());
    config.clique.epoch = *e;
    config.bft.epoch_length = *e;
  }
  if (a.contains("period_s")) {
    auto p = quantity(a["period_s"], "anchor.period_s");
    if (!p) return tl::unexpected(p.error());
    config.clique.period_s = *p;
  }
  if (a.contains("block_period_s")) {
    auto p = quantity(a["block_period_s"], "anchor.block_period_s");
    if (!p) return tl::unexpected(p.error());
    config.bft.block_period_s = *p;
  }
  auto anchor = header_field(a["header"], "anchor.header");
  if (!anchor) return tl::unexpected(anchor.error());
  std::vector<ethereum::Address> validators;
  if (a.contains("validators"))
    for (std::size_t i = 0; i < a["validators"].size(); ++i) {
      auto v = address_field(a["validators"][i], "anchor.validators[" + std::to_string(i) + "]");
      if (!v) return tl::unexpected(v.error());
      validators.push_back(*v);
    }
  auto client = ethereum::Client::create(config, *anchor, validators);
  if (!client) {  // the client names "consensus", "anchor.stateRoot" or a field of the anchor ("validators")
    const Error& e = client.error();
    const bool bundle_path = e.at == "consensus" || e.at.rfind("anchor", 0) == 0;
    return tl::unexpected(bundle_path ? e : relocated(e, "anchor"));
  }
  const auto anchor_state = client->finalized_head();
  if (anchor_state.hash.is_zero() || anchor_state.state_root.is_zero() || anchor_state.receipts_root.is_zero())
    return fail(Code::ZeroRoot, "an all-zero anchor hash or root is never trusted", "anchor");

  if (trust != nullptr) {  // A03
    bool found = false;
    for (const auto& t : *trust)
      found = found || (t.island == island && t.height == anchor_state.number && t.hash == anchor_state.hash);
    if (!found)
      return fail(Code::UntrustedAnchor,
                  "anchor " + to_hex(anchor_state.hash.view()) + " at height " + std::to_string(anchor_state.number) +
                      " is not in the trust file",
                  "anchor");
  }

  // Consecutive headers, each verified by the consensus rule against the one before it.
  Hash32 previous = anchor_state.hash;
  std::uint64_t previous_number = anchor_state.number;
  for (std::size_t i = 0; i < doc["headers"].size(); ++i) {
    const std::string at = "headers[" + std::to_string(i) + "]";
    auto h = header_field(doc["headers"][i], at);
    if (!h) return tl::unexpected(h.error());
    if (auto link = ethereum::check_parent_link(previous, previous_number, *h); !link)
      return tl::unexpected(relocated(link.error(), at));
    auto updated = client->update(*h, static_cast<std::uint64_t>(verify_time_s));
    if (!updated) return tl::unexpected(relocated(updated.error(), at));
    previous = updated->header.hash;
    previous_number = updated->header.number;
  }

  const auto& inc = doc["inclusion"];
  auto block = quantity(inc["block"], "inclusion.block");
  if (!block) return tl::unexpected(block.error());
  const auto tip = client->best_tip();
  auto proving = client->finalized_at(*block);
  if (!proving) {
    if (*block >= anchor_state.number && *block <= tip.number)
      return fail(Code::Confirmations,
                  "block " + std::to_string(*block) + " has " + std::to_string(tip.number - *block + 1) +
                      " confirmation(s), " + std::to_string(min_conf) + " required",
                  "inclusion");
    return fail(Code::UnknownHeader, "block " + std::to_string(*block) + " is not among the bundle's headers",
                "inclusion");
  }

  // Finality: BFT headers are final once verified, but the bundle's own min_confirmations still binds.
  if (tip.number - proving->number + 1 < min_conf)
    return fail(Code::Confirmations,
                "block " + std::to_string(*block) + " has " + std::to_string(tip.number - proving->number + 1) +
                    " confirmation(s), " + std::to_string(min_conf) + " required",
                "inclusion");

  nlohmann::json claim = {{"kind", inc["kind"]}, {"block", *block}};
  const std::string kind = inc["kind"].get<std::string>();
  if (kind == "receipt") {
    auto tx_index = quantity(inc["tx_index"], "inclusion.tx_index");
    if (!tx_index) return tl::unexpected(tx_index.error());
    auto log_index = quantity(inc["log_index"], "inclusion.log_index");
    if (!log_index) return tl::unexpected(log_index.error());
    auto emitter = address_field(inc["emitter"], "inclusion.emitter");
    if (!emitter) return tl::unexpected(emitter.error());
    std::vector<Hash32> topics;
    for (std::size_t i = 0; i < inc["topics"].size(); ++i) {
      auto t = hash_field(inc["topics"][i], "inclusion.topics[" + std::to_string(i) + "]");
      if (!t) return tl::unexpected(t.error());
      topics.push_back(*t);
    }
    auto data = hex_field(inc["data"], "inclusion.data", 1u << 20);
    if (!data) return tl::unexpected(data.error());
    auto proof = nodes_field(inc["proof"], "inclusion.proof");
    if (!proof) return tl::unexpected(proof.error());
    auto receipt = ethereum::verify_receipt_proof(proving->receipts_root, *tx_index, *proof);
    if (!receipt) return tl::unexpected(relocated(receipt.error(), "inclusion.proof"));
    auto log = ethereum::log_at(*receipt, *log_index, *emitter, topics, *data);
    if (!log) return tl::unexpected(relocated(log.error(), "inclusion"));
    claim["tx_index"] = *tx_index;
    claim["log_index"] = *log_index;
    claim["emitter"] = hex20(*emitter);
    claim["topics"] = nlohmann::json::array();
    for (const auto& t : topics) claim["topics"].push_back(to_hex(t.view()));  // lowercase on output
    // A PacketSent log is decoded and its commitment recomputed (PACKET.md "Source events").
    if (!topics.empty() && topics[0] == packet::packet_sent_topic0()) {
      auto p = ethereum::packet_from_log(**log, *emitter);
      if (!p) return tl::unexpected(relocated(p.error(), "inclusion"));
      claim["packet"] = {{"commitment", to_hex(packet::commitment(*p).view())},
                         {"sequence", std::to_string(p->sequence)},
                         {"source_island", p->source_island},
                         {"dest_island", p->dest_island}};
    }
  } else {
    auto account = proven_account(inc, proving->state_root);
    if (!account) return tl::unexpected(account.error());
    claim["address"] = to_hex(from_hex(inc["address"].get<std::string>()).value());  // schema: 20 bytes
    claim["nonce"] = std::to_string(account->nonce);
    claim["balance"] = abi::u256_to_decimal(account->balance);
    claim["storageHash"] = to_hex(account->storage_hash.view());
    claim["codeHash"] = to_hex(account->code_hash.view());
    if (kind == "storage") {
      auto key = hash_field(inc["key"], "inclusion.key");
      if (!key) return tl::unexpected(key.error());
      auto value = hash_field(inc["value"], "inclusion.value");
      if (!value) return tl::unexpected(value.error());
      auto sp = nodes_field(inc["storage_proof"], "inclusion.storage_proof");
      if (!sp) return tl::unexpected(sp.error());
      auto word = ethereum::verify_storage_proof(account->storage_hash, *key, *sp);
      if (!word) return tl::unexpected(relocated(word.error(), "inclusion.storage_proof"));
      if (*word != *value)
        return fail(Code::ClaimMismatch, "the proven storage value is " + to_hex(word->view()), "inclusion.value");
      claim["key"] = to_hex(key->view());
      claim["value"] = to_hex(word->view());
    }
  }

  return nlohmann::json{
      {"valid", true},
      {"family", "ethereum"},
      {"island", island},
      {"consensus", ethereum::consensus_mode_name(*mode)},
      {"height", proving->number},
      {"header_hash", to_hex(proving->hash.view())},
      {"confirmations", tip.number - proving->number + 1},
      {"min_confirmations", min_conf},
      {"claim", claim},
      {"trust", *mode == ethereum::ConsensusMode::RpcTrusted ? "rpc-trusted" : "quorum"},
      {"anchor",
       {{"height", anchor_state.number},
        {"hash", to_hex(anchor_state.hash.view())},
        {"trusted", trust ? "trust-file" : "as-given"}}},
      {"tip", {{"height", tip.number}, {"hash", to_hex(tip.hash.view())}}},
      {"verify_time_s", verify_time_s}};
}

}  // namespace causeway::proofs::detail
