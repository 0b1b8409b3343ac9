// Family plug-ins: see causeway/engine/family.hpp.
#include "causeway/engine/family.hpp"

#include <algorithm>
#include <optional>

#include <nlohmann/json.hpp>

#include "causeway/bitcoin/deposit.hpp"
#include "causeway/bitcoin/header.hpp"
#include "causeway/chainmaker/evm_log.hpp"
#include "causeway/core/abi.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/ethereum/header.hpp"
#include "causeway/ethereum/proofs.hpp"
#include "causeway/ethereum/receipt.hpp"
#include "causeway/proofs/headers.hpp"
#include "family_util.hpp"

namespace causeway::engine {
namespace {

Result<Hash32> hash_of(const nlohmann::json& j, const std::string& at) {
  if (!j.is_string()) return fail(Code::InvalidArgument, "expected a 0x hash", at);
  auto b = from_hex(j.get<std::string>());
  if (!b) return tl::unexpected(b.error());
  if (b->size() != 32) return fail(Code::BadLength, "expected 32 bytes", at);
  Hash32 h;
  std::copy(b->begin(), b->end(), h.b.begin());
  return h;
}

Result<std::uint64_t> u64_of(const nlohmann::json& j, const std::string& at) {
  if (j.is_number_unsigned()) return j.get<std::uint64_t>();
  if (j.is_number_integer() && j.get<std::int64_t>() >= 0) return static_cast<std::uint64_t>(j.get<std::int64_t>());
  if (j.is_string()) {
    const auto s = j.get<std::string>();
    if (s.empty() || s.size() > 20 || s.find_first_not_of("0123456789") != std::string::npos)
      return fail(Code::InvalidArgument, "expected a decimal quantity", at);
    try {
      return static_cast<std::uint64_t>(std::stoull(s));
    } catch (...) {
      return fail(Code::Overflow, "quantity out of range", at);
    }
  }
  return fail(Code::InvalidArgument, "expected a quantity", at);
}

}  // namespace

// family_util.hpp: shared with family_fisco.cpp.
Result<ConsensusState> quorum_anchor_state(const domain::IslandSpec& s, const std::string& extra_rule) {
  if (s.anchor.extra.size() != 32) return fail(Code::InvalidArgument, extra_rule, "anchor.extra");
  if (s.anchor.time_s > UINT64_MAX / 1000) return fail(Code::Overflow, "anchor time out of range", "anchor.time_s");
  ConsensusState cs{s.id, s.anchor.height, s.anchor.hash, Hash32{}, s.anchor.time_s * 1000};
  std::copy(s.anchor.extra.begin(), s.anchor.extra.end(), cs.validator_set_hash->b.begin());
  if (cs.hash.is_zero() || cs.validator_set_hash->is_zero() || cs.time_ms == 0)
    return fail(Code::ZeroRoot, "zero anchor hash, validator-set hash or time (A01)", "anchor");
  return cs;
}

namespace {

// Common to both: the proving header and tip from the verdict.
Status facts_from_verdict(const nlohmann::json& verdict, BundleFacts& f) {
  auto h = u64_of(verdict.at("height"), "height");
  if (!h) return tl::unexpected(h.error());
  f.height = *h;
  auto hh = hash_of(verdict.at("header_hash"), "header_hash");
  if (!hh) return tl::unexpected(hh.error());
  f.header_hash = *hh;
  auto ah = u64_of(verdict.at("anchor").at("height"), "anchor.height");
  if (!ah) return tl::unexpected(ah.error());
  f.anchor_height = *ah;
  return {};
}

class DevnetPlugin final : public FamilyPlugin {
 public:
  std::string name() const override { return "bft/causeway-devnet/v1"; }
  bool handles(const domain::IslandSpec& s) const override {
    return s.family == domain::Family::Bft && s.codec == "causeway-devnet/v1";
  }
  Result<ConsensusState> anchor_state(const domain::IslandSpec& s) const override {
    return quorum_anchor_state(s, "a causeway-devnet/v1 anchor's extra is its validator-set hash (32 bytes)");
  }
  Result<BundleFacts> read_bundle(const domain::IslandSpec& s, const nlohmann::json& doc,
                                  const nlohmann::json& verdict) const override {
    if (doc.value("family", "") != "bft" || doc.value("codec", "") != s.codec)
      return fail(Code::IslandMismatch, "bundle family/codec is not the island's registered " + s.codec, "codec");
    // The trusting period is the island's, never the submitter's choice.
    auto tp = u64_of(doc.at("anchor").at("trusting_period_s"), "anchor.trusting_period_s");
    if (!tp) return tl::unexpected(tp.error());
    if (*tp != s.trusting_period_s)
      return fail(Code::InvalidArgument,
                  "anchor.trusting_period_s " + std::to_string(*tp) + " is not the island's registered " +
                      std::to_string(s.trusting_period_s),
                  "anchor.trusting_period_s");
    BundleFacts f;
    if (auto st = facts_from_verdict(verdict, f); !st) return tl::unexpected(st.error());
    const auto& claim = verdict.at("claim");
    if (claim.value("tree", "") != "event")
      return fail(Code::NotPacketEvent, "the bundle proves a transaction, not an event leaf", "inclusion.tree");
    auto leaf = from_hex(claim.at("leaf").get<std::string>());
    if (!leaf) return tl::unexpected(leaf.error());
    if (leaf->empty() || (*leaf)[0] != 0x01)
      return fail(Code::NotPacketEvent, "the event leaf is not 0x01 ‖ packet_bytes (a sent packet)", "inclusion.leaf");
    f.packet_bytes.assign(leaf->begin() + 1, leaf->end());
    auto p = packet::decode_packet(f.packet_bytes);
    if (!p) return tl::unexpected(p.error());
    f.packet = std::move(*p);
    f.commitment = packet::commitment(f.packet_bytes);
    f.emitter = s.endpoint;  // the devnet event tree holds only its endpoint module's leaves
    // Header times: the proving header and the tip are the anchor or entries of headers[].
    auto time_at = [&](std::uint64_t height) -> std::optional<std::pair<std::uint64_t, Hash32>> {
      auto look = [&](const nlohmann::json& h) -> std::optional<std::pair<std::uint64_t, Hash32>> {
        auto hh = u64_of(h.at("height"), "height");
        if (!hh || *hh != height) return std::nullopt;
        auto t = u64_of(h.at("time_ms"), "time_ms");
        auto v = hash_of(h.at("validators_hash"), "validators_hash");
        if (!t || !v) return std::nullopt;
        return std::pair{*t, *v};
      };
      if (auto r = look(doc.at("anchor").at("header"))) return r;
      for (const auto& e : doc.at("headers"))
        if (auto r = look(e.at("header"))) return r;
      return std::nullopt;
    };
    auto proving = time_at(f.height);
    if (!proving) return fail(Code::InvalidArgument, "proving header not in the bundle", "inclusion.height");
    f.header_time_ms = proving->first;
    auto tip_h = u64_of(verdict.at("tip").at("height"), "tip.height");
    if (!tip_h) return tl::unexpected(tip_h.error());
    if (*tip_h > f.anchor_height) {
      auto tip_hash = hash_of(verdict.at("tip").at("hash"), "tip.hash");
      if (!tip_hash) return tl::unexpected(tip_hash.error());
      auto tip = time_at(*tip_h);
      if (!tip) return fail(Code::InvalidArgument, "tip header not in the bundle", "headers");
      f.advanced = ConsensusState{s.id, *tip_h, *tip_hash, tip->second, tip->first};
    }
    return f;
  }
};

class EthereumPlugin final : public FamilyPlugin {
 public:
  std::string name() const override { return "ethereum"; }
  bool handles(const domain::IslandSpec& s) const override { return s.family == domain::Family::Ethereum; }
  Result<ConsensusState> anchor_state(const domain::IslandSpec& s) const override {
    if (s.anchor.hash.is_zero() || s.anchor.time_s == 0)
      return fail(Code::ZeroRoot, "zero anchor hash or time (A01)", "anchor");
    if (s.anchor.time_s > UINT64_MAX / 1000) return fail(Code::Overflow, "anchor time out of range", "anchor.time_s");
    return ConsensusState{s.id, s.anchor.height, s.anchor.hash, std::nullopt, s.anchor.time_s * 1000};
  }
  Result<BundleFacts> read_bundle(const domain::IslandSpec& s, const nlohmann::json& doc,
                                  const nlohmann::json& verdict) const override {
    if (doc.value("family", "") != "ethereum")
      return fail(Code::IslandMismatch, "bundle family is not the island's (ethereum)", "family");
    BundleFacts f;
    if (auto st = facts_from_verdict(verdict, f); !st) return tl::unexpected(st.error());
    const auto& inc = doc.at("inclusion");
    if (inc.value("kind", "") != "receipt")
      return fail(Code::NotPacketEvent, "the bundle does not prove a receipt log", "inclusion.kind");
    ethereum::Log log;
    auto emitter = from_hex(inc.at("emitter").get<std::string>());
    if (!emitter || emitter->size() != 20) return fail(Code::BadLength, "emitter is not 20 bytes", "inclusion.emitter");
    std::copy(emitter->begin(), emitter->end(), log.address.begin());
    for (const auto& t : inc.at("topics")) {
      auto h = hash_of(t, "inclusion.topics");
      if (!h) return tl::unexpected(h.error());
      log.topics.push_back(*h);
    }
    auto data = from_hex(inc.at("data").get<std::string>());
    if (!data) return tl::unexpected(data.error());
    log.data = std::move(*data);
    if (log.topics.empty() || log.topics[0] != packet::packet_sent_topic0())
      return fail(Code::NotPacketEvent, "the log is not PacketSent", "inclusion.topics[0]");
    f.emitter = *emitter;
    if (s.endpoint.size() != 20 || !std::equal(s.endpoint.begin(), s.endpoint.end(), emitter->begin()))
      return fail(Code::WrongEmitter, "the log's emitter is not the island's registered endpoint (A19)",
                  "inclusion.emitter");
    ethereum::Address endpoint{};
    std::copy(s.endpoint.begin(), s.endpoint.end(), endpoint.begin());
    auto p = ethereum::packet_from_log(log, endpoint);
    if (!p) return tl::unexpected(p.error());
    f.packet = std::move(*p);
    f.packet_bytes = packet::encode_packet(f.packet);
    f.commitment = packet::commitment(f.packet_bytes);
    f.header_time_ms = 0;  // EVM header time is not needed by the relay core (cap windows use 0)
    auto tip_h = u64_of(verdict.at("tip").at("height"), "tip.height");
    if (!tip_h) return tl::unexpected(tip_h.error());
    if (*tip_h > f.anchor_height) {
      auto tip_hash = hash_of(verdict.at("tip").at("hash"), "tip.hash");
      if (!tip_hash) return tl::unexpected(tip_hash.error());
      f.advanced = ConsensusState{s.id, *tip_h, *tip_hash, std::nullopt, 1};
    }
    return f;
  }
};

// A ChainMaker island (bft codec chainmaker/v2; PACKET.md "Source events"; docs/islands/chainmaker.md): a push-mode
// island whose gateway pushes blocks (Relay::accept_headers) and chainmaker/v2 bundles proving a `PacketSent`
// contract event of the registered contract (`endpoint` = the contract name, utf8). Its consensus states pin the
// block hash and the validator-set hash (chainmaker::trust_hash of the chain config in force, A03).
class ChainmakerPlugin final : public FamilyPlugin {
 public:
  std::string name() const override { return "bft/chainmaker/v2"; }
  bool engine_checks_trusting_period() const override { return true; }  // A21: the documents carry no period
  bool handles(const domain::IslandSpec& s) const override {
    return s.family == domain::Family::Bft && s.codec == "chainmaker/v2";
  }
  Result<ConsensusState> anchor_state(const domain::IslandSpec& s) const override {
    return quorum_anchor_state(s,
                               "a chainmaker/v2 anchor's extra is its validator-set hash (32 bytes: "
                               "anchor.validator_set_hash of a bundle verified from the anchor)");
  }
  Result<BundleFacts> read_bundle(const domain::IslandSpec& s, const nlohmann::json& doc,
                                  const nlohmann::json& verdict) const override {
    if (doc.value("family", "") != "bft" || doc.value("codec", "") != s.codec)
      return fail(Code::IslandMismatch, "bundle family/codec is not the island's registered " + s.codec, "codec");
    BundleFacts f;
    if (auto st = facts_from_verdict(verdict, f); !st) return tl::unexpected(st.error());
    const auto& claim = verdict.at("claim");
    if (claim.value("kind", "") != "chainmaker-merkle" || !claim.contains("event"))
      return fail(Code::NotPacketEvent, "the bundle proves a transaction, not a contract event", "inclusion.event");
    const auto& ev = claim.at("event");
    // Native contracts record topic "PacketSent"; EVM contracts the Solidity endpoint's topic0 as bare hex.
    static const std::string kEvmTopic = chainmaker::evm_topic_string(packet::packet_sent_topic0());
    const std::string topic = ev.at("topic").get<std::string>();
    if (topic != "PacketSent" && topic != kEvmTopic)
      return fail(Code::NotPacketEvent, "the contract event's topic is '" + topic + "', not PacketSent (native) or " +
                                            kEvmTopic + " (EVM PacketSent(bytes32,uint64,bytes))",
                  "inclusion.event.topic");
    const std::string contract = ev.at("contract_name").get<std::string>();
    f.emitter = Bytes(contract.begin(), contract.end());
    if (f.emitter != s.endpoint)
      return fail(Code::WrongEmitter, "the event's contract '" + contract +
                                          "' is not the island's registered endpoint contract (A19)",
                  "inclusion.event.contract_name");
    if (topic == kEvmTopic) {
      // A19: before block_version 2300 a nested EVM call's logs carry the ENTRY contract's name (evm_log.hpp).
      const auto version = block_version(doc, f.height);
      if (!version || *version < chainmaker::kEvmPerContractLogsFromVersion)
        return fail(Code::Unsupported,
                    "EVM PacketSent logs are read only from blocks with block_version >= " +
                        std::to_string(chainmaker::kEvmPerContractLogsFromVersion) + " (block " +
                        std::to_string(f.height) + " has " +
                        (version ? std::to_string(*version) : std::string("none readable")) +
                        "): earlier ChainMaker records a called contract's logs under the calling contract's name",
                    "inclusion.height");
      if (auto st = read_evm_packet_sent(ev, contract, f); !st) return tl::unexpected(st.error());
      f.header_time_ms = block_time_ms(doc, f.height);
      return f;
    }
    const auto& data = ev.at("event_data");
    if (!data.is_array() || data.size() != 3 || !data[0].is_string() || !data[1].is_string() || !data[2].is_string())
      return fail(Code::NotPacketEvent,
                  "PacketSent event_data is not [commitment hex, sequence decimal, packet_bytes hex]",
                  "inclusion.event.event_data");
    auto pb = from_hex_bare(data[2].get<std::string>(), packet::kMaxPacketBytes);
    if (!pb) {
      Error e = pb.error();
      e.at = "inclusion.event.event_data[2]";
      return tl::unexpected(e);
    }
    f.packet_bytes = std::move(*pb);
    auto p = packet::decode_packet(f.packet_bytes);
    if (!p) return tl::unexpected(packet_error(p.error()));
    f.packet = std::move(*p);
    f.commitment = packet::commitment(f.packet_bytes);
    // Canonical forms only: lowercase bare hex (Go's hex.EncodeToString), decimal without leading zeros.
    if (data[2].get<std::string>() != to_hex_bare(f.packet_bytes))
      return fail(Code::ClaimMismatch, "event_data[2] is not the packet bytes in lowercase hex",
                  "inclusion.event.event_data[2]");
    if (data[0].get<std::string>() != to_hex_bare(f.commitment.view()))
      return fail(Code::ClaimMismatch, "event_data[0] is not the packet's commitment (lowercase hex)",
                  "inclusion.event.event_data[0]");
    if (data[1].get<std::string>() != std::to_string(f.packet.sequence))
      return fail(Code::ClaimMismatch,
                  "event_data[1] is not the packet's sequence " + std::to_string(f.packet.sequence) + " (decimal)",
                  "inclusion.event.event_data[1]");
    f.header_time_ms = block_time_ms(doc, f.height);
    // The verdict names the tip's block hash but not the validator set in force after it (a CONFIG block among
    // the headers changes it), so a bundle never advances the client: pushed header documents do.
    return f;
  }

 private:
  // An EVM contract's PacketSent(bytes32 indexed commitment, uint64 indexed sequence, bytes packet) as ChainMaker
  // records it (chainmaker::read_evm_log with 2 indexed topics): event_data = [commitment, sequence as uint256,
  // abi.encode(bytes packet)], each bare lowercase hex. Fills packet, packet_bytes and commitment of `f`.
  static Status read_evm_packet_sent(const nlohmann::json& ev, const std::string& contract, BundleFacts& f) {
    const auto& data = ev.at("event_data");
    chainmaker::ContractEvent ce;
    ce.topic = ev.at("topic").get<std::string>();
    ce.contract_name = contract;
    if (!data.is_array() || data.size() > chainmaker::kMaxEvmIndexedTopics + 1)
      return fail(Code::BadLength, "EVM PacketSent event_data is [commitment, sequence, data]",
                  "inclusion.event.event_data");
    for (const auto& d : data) {
      if (!d.is_string())
        return fail(Code::BadLength, "EVM PacketSent event_data entries are hex strings", "inclusion.event.event_data");
      ce.event_data.push_back(d.get<std::string>());
    }
    auto log = chainmaker::read_evm_log(ce, 2);
    if (!log) {
      Error e = log.error();
      e.at = "inclusion.event." + e.at;
      return tl::unexpected(e);
    }
    abi::U256 seq_word{};
    std::copy(log->topics[1].b.begin(), log->topics[1].b.end(), seq_word.begin());
    auto sequence = abi::u256_to_u64(seq_word);
    if (!sequence)
      return fail(Code::Overflow, "topic2 (the sequence) does not fit uint64", "inclusion.event.event_data[1]");
    // One dynamic `bytes` argument: offset word, length word, the packet padded to 32 bytes.
    if (log->data.size() > 64 + packet::kMaxPacketBytes + 32)
      return fail(Code::TooLarge, "PacketSent data exceeds the largest packet", "inclusion.event.event_data[2]");
    static const abi::Type kDataType = abi::Type::tuple({abi::Type::bytes()});
    auto args = abi::decode(kDataType, log->data);
    if (!args) return fail(args.error().code, args.error().detail, "inclusion.event.event_data[2]");
    f.packet_bytes = args->as_tuple().at(0).as_bytes();
    auto p = packet::decode_packet(f.packet_bytes);
    if (!p) return tl::unexpected(packet_error(p.error()));
    f.packet = std::move(*p);
    f.commitment = packet::commitment(f.packet_bytes);
    if (f.commitment != log->topics[0])
      return fail(Code::ClaimMismatch, "topic1 (event_data[0]) is not the packet's commitment",
                  "inclusion.event.event_data[0]");
    if (*sequence != f.packet.sequence)
      return fail(Code::ClaimMismatch,
                  "topic2 (event_data[1]) is not the packet's sequence " + std::to_string(f.packet.sequence),
                  "inclusion.event.event_data[1]");
    return {};
  }

  // A packet decode error located in event_data[2] (the packet bytes' own location kept in the detail), as
  // ethereum::packet_from_log locates it at "data".
  static Error packet_error(Error e) {
    if (!e.at.empty()) e.detail = "packet bytes " + e.at + ": " + e.detail;
    e.at = "inclusion.event.event_data[2]";
    return e;
  }

  // block_version of the FIRST headers[] entry (protobuf-JSON BlockInfo) at `height`: the proofs layer verified that
  // one in full (a later entry at a held height passes on its stated hash alone). nullopt when it is not readable,
  // or when a field is spelled both ways (proto name and lowerCamel: which one the protobuf parser took is not
  // ours to guess). An absent field is proto3's default 0.
  static std::optional<std::uint64_t> block_version(const nlohmann::json& doc, std::uint64_t height) {
    if (!doc.contains("headers") || !doc["headers"].is_array()) return std::nullopt;
    for (const auto& e : doc["headers"]) {
      if (!e.is_object() || !e.contains("block") || !e["block"].is_object() || !e["block"].contains("header")) continue;
      const auto& h = e["block"]["header"];
      if (!h.is_object()) continue;
      if ((h.contains("block_height") && h.contains("blockHeight")) ||
          (h.contains("block_version") && h.contains("blockVersion")))
        return std::nullopt;
      const nlohmann::json* hh = h.contains("block_height") ? &h["block_height"]
                                 : h.contains("blockHeight") ? &h["blockHeight"] : nullptr;
      if (hh == nullptr) continue;
      auto got = u64_of(*hh, "block_height");
      if (!got || *got != height) continue;
      const nlohmann::json* v = h.contains("block_version") ? &h["block_version"]
                                : h.contains("blockVersion") ? &h["blockVersion"] : nullptr;
      if (v == nullptr) return 0;
      auto version = u64_of(*v, "block_version");
      if (!version) return std::nullopt;
      return *version;
    }
    return std::nullopt;
  }

  // block_timestamp (seconds) × 1000 of the headers[] entry (protobuf-JSON BlockInfo) at `height`; 0 when not
  // readable (the relay core then uses no header time, as for EVM).
  static std::uint64_t block_time_ms(const nlohmann::json& doc, std::uint64_t height) {
    auto field = [](const nlohmann::json& h, const char* snake, const char* camel) -> const nlohmann::json* {
      if (h.contains(snake)) return &h[snake];
      if (h.contains(camel)) return &h[camel];
      return nullptr;
    };
    if (!doc.contains("headers") || !doc["headers"].is_array()) return 0;
    for (const auto& e : doc["headers"]) {
      if (!e.is_object() || !e.contains("block") || !e["block"].is_object() || !e["block"].contains("header")) continue;
      const auto& h = e["block"]["header"];
      const auto* hh = field(h, "block_height", "blockHeight");
      const auto* ts = field(h, "block_timestamp", "blockTimestamp");
      if (hh == nullptr || ts == nullptr) continue;
      auto got = u64_of(*hh, "block_height");
      if (!got || *got != height) continue;
      auto t = u64_of(*ts, "block_timestamp");
      if (!t || *t > UINT64_MAX / 1000) return 0;
      return *t * 1000;
    }
    return 0;
  }
};

// A Bitcoin island (PACKET.md "Bitcoin deposits"; docs/relay-core.md "Bitcoin islands"): its client holds the
// registered checkpoint and advances only through header documents verified by light_clients/bitcoin
// (Relay::accept_headers). Consensus states hold block hashes in display byte order, as trust entries do.
class BitcoinPlugin final : public FamilyPlugin {
 public:
  std::string name() const override { return "bitcoin"; }
  bool handles(const domain::IslandSpec& s) const override { return s.family == domain::Family::Bitcoin; }
  // anchor.extra: empty, or the anchor's context as JSON (proofs::parse_bitcoin_context: prev_timestamps_s,
  // period_start_time_s) — governance-signed, so the first header documents are judged with it (A13).
  Result<ConsensusState> anchor_state(const domain::IslandSpec& s) const override {
    if (s.anchor.hash.is_zero() || s.anchor.time_s == 0)
      return fail(Code::ZeroRoot, "zero anchor hash or time (A01)", "anchor");
    if (s.anchor.time_s > UINT32_MAX)
      return fail(Code::Overflow, "a Bitcoin header time fits 32 bits", "anchor.time_s");
    auto ctx = proofs::parse_bitcoin_context(
        std::string_view(reinterpret_cast<const char*>(s.anchor.extra.data()), s.anchor.extra.size()));
    if (!ctx) return fail(Code::InvalidArgument, "anchor.extra is not a Bitcoin anchor context: " + ctx.error().detail,
                          "anchor.extra");
    return ConsensusState{s.id, s.anchor.height, s.anchor.hash, std::nullopt, s.anchor.time_s * 1000};
  }
  // A deposit (family.hpp): the packet is derived by the relay from the VERIFIED raw transaction (never taken
  // from the submitter) with bitcoin::detect_deposit and the island's registered deposit script and routes.
  Result<BundleFacts> read_bundle(const domain::IslandSpec& s, const nlohmann::json& doc,
                                  const nlohmann::json& verdict) const override {
    if (doc.value("family", "") != "bitcoin")
      return fail(Code::IslandMismatch, "bundle family is not the island's registered bitcoin", "family");
    BundleFacts f;
    if (auto st = facts_from_verdict(verdict, f); !st) return tl::unexpected(st.error());
    const auto& claim = verdict.at("claim");
    if (claim.value("kind", "") != "tx" || !claim.value("raw_tx_checked", false) || !doc.at("inclusion").contains("tx"))
      return fail(Code::NotPacketEvent, "a deposit bundle carries the raw transaction (inclusion.tx)", "inclusion.tx");
    // The island's finality, never the submitter's min_confirmations.
    auto conf = u64_of(verdict.at("confirmations"), "confirmations");
    if (!conf) return tl::unexpected(conf.error());
    if (*conf < s.finality.confirmations)
      return fail(Code::Confirmations,
                  std::to_string(*conf) + " confirmations in the bundle; the island requires " +
                      std::to_string(s.finality.confirmations),
                  "headers");
    auto index = u64_of(claim.at("index"), "inclusion.index");
    if (!index) return tl::unexpected(index.error());
    if (*index > UINT32_MAX || f.height > UINT32_MAX)
      return fail(Code::DepositInvalid, "the transaction index or height does not fit a deposit sequence",
                  "inclusion.index");
    auto raw_tx = from_hex(doc.at("inclusion").at("tx").get<std::string>());
    if (!raw_tx) return tl::unexpected(raw_tx.error());
    auto routes = bitcoin::decode_routes(s.consensus_params);
    if (!routes) return tl::unexpected(routes.error());
    bitcoin::DepositPolicy policy{s.id, s.genesis, s.endpoint, std::move(*routes)};
    auto d = bitcoin::detect_deposit(policy, *raw_tx, static_cast<std::uint32_t>(f.height),
                                     static_cast<std::uint32_t>(*index));
    if (!d) {
      Error e = d.error();
      e.at = e.at.empty() ? "inclusion.tx" : e.at.starts_with("tx") ? "inclusion." + e.at : e.at;
      return tl::unexpected(e);
    }
    if (!d->has_value())
      return fail(Code::NotPacketEvent,
                  "the transaction is not a deposit (no output pays the deposit script, no CWY1 OP_RETURN)",
                  "inclusion.tx");
    bitcoin::Deposit& dep = **d;
    f.packet = std::move(dep.packet);
    f.packet_bytes = std::move(dep.packet_bytes);
    f.commitment = dep.commitment;
    f.emitter = s.endpoint;  // the deposit script the registration names (A19)
    f.header_time_ms = header_time_ms(doc, f.header_hash);
    // `advanced` stays unset: a Bitcoin client moves only through pushed header documents judged with the
    // relay's own context and the most-work rule (Relay::accept_headers, A13).
    return f;
  }

 private:
  // time_s × 1000 of the bundle's anchor or headers[] entry whose hash (display order) is `hash`; 0 if absent.
  static std::uint64_t header_time_ms(const nlohmann::json& doc, const Hash32& hash) {
    auto look = [&](const nlohmann::json& h) -> std::optional<std::uint64_t> {
      if (!h.is_string()) return std::nullopt;
      auto raw = from_hex(h.get<std::string>());
      if (!raw || raw->size() != bitcoin::kHeaderSize || sha256d(*raw).reversed() != hash) return std::nullopt;
      auto dec = bitcoin::decode_header(*raw);
      if (!dec) return std::nullopt;
      return std::uint64_t{dec->time_s} * 1000;
    };
    if (doc.contains("anchor") && doc["anchor"].is_object() && doc["anchor"].contains("header"))
      if (auto t = look(doc["anchor"]["header"])) return *t;
    if (doc.contains("headers") && doc["headers"].is_array())
      for (const auto& h : doc["headers"])
        if (auto t = look(h)) return *t;
    return 0;
  }
};

}  // namespace

std::unique_ptr<FamilyPlugin> make_bitcoin_plugin() { return std::make_unique<BitcoinPlugin>(); }
std::unique_ptr<FamilyPlugin> make_chainmaker_plugin() { return std::make_unique<ChainmakerPlugin>(); }
std::unique_ptr<FamilyPlugin> make_devnet_plugin() { return std::make_unique<DevnetPlugin>(); }
std::unique_ptr<FamilyPlugin> make_ethereum_plugin() { return std::make_unique<EthereumPlugin>(); }
std::vector<std::shared_ptr<const FamilyPlugin>> default_plugins() {
  return {make_devnet_plugin(), make_ethereum_plugin(), make_bitcoin_plugin(), make_chainmaker_plugin(),
          make_fisco_plugin()};
}

// ---- the EVM return path (family.hpp) ----------------------------------------------------------------------

namespace {

// The header with `number` among the bundle's anchor and headers, whose keccak256 is `hash`.
Result<ethereum::Header> evm_header_in(const nlohmann::json& doc, std::uint64_t number, const Hash32& hash) {
  auto try_one = [&](const nlohmann::json& h) -> std::optional<ethereum::Header> {
    if (!h.is_string()) return std::nullopt;
    auto rlp = from_hex(h.get<std::string>());
    if (!rlp) return std::nullopt;
    auto dec = ethereum::decode_header(*rlp);
    if (!dec || dec->number != number || keccak256(*rlp) != hash) return std::nullopt;
    return *dec;
  };
  if (doc.contains("anchor") && doc["anchor"].contains("header"))
    if (auto h = try_one(doc["anchor"]["header"])) return *h;
  if (doc.contains("headers") && doc["headers"].is_array())
    for (const auto& e : doc["headers"])
      if (auto h = try_one(e)) return *h;
  return fail(Code::UnknownHeader, "header " + std::to_string(number) + " is not in the bundle", "headers");
}

}  // namespace

Result<EvmProvenBlock> evm_proven_block(const domain::IslandSpec& dest, const nlohmann::json& doc,
                                        const nlohmann::json& verdict) {
  try {
    if (doc.value("family", "") != "ethereum" || dest.family != domain::Family::Ethereum)
      return fail(Code::IslandMismatch, "not an ethereum bundle of an ethereum island", "family");
    EvmProvenBlock b;
    b.island = doc.at("island").get<std::string>();
    if (b.island != dest.id) return fail(Code::IslandMismatch, "the bundle is of " + b.island + ", not " + dest.id, "island");
    BundleFacts f;
    if (auto st = facts_from_verdict(verdict, f); !st) return tl::unexpected(st.error());
    b.anchor_height = f.anchor_height;
    auto ah = hash_of(verdict.at("anchor").at("hash"), "anchor.hash");
    if (!ah) return tl::unexpected(ah.error());
    b.anchor_hash = *ah;
    b.height = f.height;
    b.hash = f.header_hash;
    auto proving = evm_header_in(doc, b.height, b.hash);
    if (!proving) return tl::unexpected(proving.error());
    b.time_s = proving->timestamp_s;
    auto tip_h = u64_of(verdict.at("tip").at("height"), "tip.height");
    if (!tip_h) return tl::unexpected(tip_h.error());
    auto tip_hash = hash_of(verdict.at("tip").at("hash"), "tip.hash");
    if (!tip_hash) return tl::unexpected(tip_hash.error());
    auto tip = evm_header_in(doc, *tip_h, *tip_hash);
    if (!tip) return tl::unexpected(tip.error());
    b.tip = ConsensusState{dest.id, *tip_h, *tip_hash, std::nullopt, std::max<std::uint64_t>(1, tip->timestamp_s * 1000)};
    return b;
  } catch (const std::exception& e) {
    return fail(Code::BundleParse, std::string("unreadable bundle: ") + e.what());
  }
}

Result<Bytes> read_evm_ack(const domain::IslandSpec& dest, const nlohmann::json& doc, const nlohmann::json& verdict) {
  try {
    const auto& claim = verdict.at("claim");
    if (claim.value("kind", "") != "receipt")
      return fail(Code::NotPacketEvent, "the bundle does not prove a receipt log", "inclusion.kind");
    auto emitter = from_hex(claim.at("emitter").get<std::string>());
    if (!emitter || emitter->size() != 20) return fail(Code::BadLength, "emitter is not 20 bytes", "inclusion.emitter");
    if (dest.endpoint.size() != 20 || !std::equal(dest.endpoint.begin(), dest.endpoint.end(), emitter->begin()))
      return fail(Code::WrongEmitter, "the log's emitter is not the island's registered endpoint (A19)", "inclusion.emitter");
    const auto& topics = claim.at("topics");
    if (topics.size() != 2) return fail(Code::NotPacketEvent, "not AcknowledgementWritten (two topics)", "inclusion.topics");
    auto t0 = hash_of(topics[0], "inclusion.topics[0]");
    auto t1 = hash_of(topics[1], "inclusion.topics[1]");
    if (!t0) return tl::unexpected(t0.error());
    if (!t1) return tl::unexpected(t1.error());
    if (*t0 != packet::acknowledgement_written_topic0())
      return fail(Code::NotPacketEvent, "the log is not AcknowledgementWritten", "inclusion.topics[0]");
    // The claim's topics are the verified log's; the data is the bundle's, which log_at matched byte for byte.
    auto data = from_hex(doc.at("inclusion").at("data").get<std::string>());
    if (!data) return tl::unexpected(data.error());
    auto v = abi::decode(abi::Type::tuple({abi::Type::bytes()}), *data);
    if (!v) return tl::unexpected(v.error());
    Bytes ack = v->as_tuple().at(0).as_bytes();
    auto decoded = packet::decode_ack(ack);
    if (!decoded) return tl::unexpected(decoded.error());
    if (decoded->commitment != *t1)
      return fail(Code::ClaimMismatch, "the acknowledgement names another commitment than topic1", "inclusion.data");
    return ack;
  } catch (const std::exception& e) {
    return fail(Code::BundleParse, std::string("unreadable bundle: ") + e.what());
  }
}

Result<Hash32> read_evm_receipt_slot(const domain::IslandSpec& dest, const Hash32& commitment,
                                     const nlohmann::json& doc, const nlohmann::json& verdict) {
  (void)doc;
  try {
    const auto& claim = verdict.at("claim");
    if (claim.value("kind", "") != "storage")
      return fail(Code::NotPacketEvent, "the evidence does not prove a storage slot", "inclusion.kind");
    auto address = from_hex(claim.at("address").get<std::string>());
    if (!address || address->size() != 20) return fail(Code::BadLength, "address is not 20 bytes", "inclusion.address");
    if (dest.endpoint.size() != 20 || !std::equal(dest.endpoint.begin(), dest.endpoint.end(), address->begin()))
      return fail(Code::WrongEmitter, "the proven account is not the island's registered endpoint (A19)",
                  "inclusion.address");
    auto key = hash_of(claim.at("key"), "inclusion.key");
    if (!key) return tl::unexpected(key.error());
    if (*key != packet::receipt_storage_slot(commitment))
      return fail(Code::ClaimMismatch, "the proven slot is not receipts[commitment]", "inclusion.key");
    return hash_of(claim.at("value"), "inclusion.value");
  } catch (const std::exception& e) {
    return fail(Code::BundleParse, std::string("unreadable bundle: ") + e.what());
  }
}

}  // namespace causeway::engine
