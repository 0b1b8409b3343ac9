#include "causeway/devnet_node/rpc.hpp"

#include <limits>
#include <optional>

#include "causeway/core/hex.hpp"

namespace causeway::devnet {
namespace {

using nlohmann::json;

struct RpcFailure {
  int code;
  std::string message;
  json data;
};

[[noreturn]] void invalid_params(const std::string& msg) { throw RpcFailure{-32602, msg, nullptr}; }
[[noreturn]] void chain_error(const Error& e) {
  json data = {{"code", std::string(code_name(e.code))}};
  if (!e.at.empty()) data["at"] = e.at;
  throw RpcFailure{-32000, std::string(code_name(e.code)) + ": " + e.detail, data};
}

template <class T>
T value_or_throw(Result<T> r) {
  if (!r) chain_error(r.error());
  return std::move(*r);
}

const json& param(const json& params, std::size_t i, const char* name) {
  if (!params.is_array() || params.size() <= i) invalid_params(std::string("missing parameter ") + std::to_string(i) + " (" + name + ")");
  return params[i];
}

// A JSON unsigned integer, or a canonical decimal string (digits only: no sign, space or leading zero).
std::optional<std::uint64_t> strict_u64(const json& v) {
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_number_integer() && v.get<std::int64_t>() >= 0) return static_cast<std::uint64_t>(v.get<std::int64_t>());
  if (!v.is_string()) return std::nullopt;
  const auto& s = v.get_ref<const std::string&>();
  if (s.empty() || s.size() > 20) return std::nullopt;
  auto big = abi::u256_from_decimal(s);
  if (!big) return std::nullopt;
  auto x = abi::u256_to_u64(*big);
  if (!x) return std::nullopt;
  return *x;
}

std::uint64_t u64_param(const json& params, std::size_t i, const char* name) {
  if (auto x = strict_u64(param(params, i, name))) return *x;
  invalid_params(std::string(name) + " must be a non-negative integer (a JSON integer or a decimal string)");
}

std::string str_param(const json& params, std::size_t i, const char* name) {
  const json& v = param(params, i, name);
  if (!v.is_string()) invalid_params(std::string(name) + " must be a string");
  return v.get<std::string>();
}

Bytes hex_param(const json& params, std::size_t i, const char* name, std::size_t max = kMaxTxBytes) {
  auto b = from_hex(str_param(params, i, name), max);
  if (!b) invalid_params(std::string(name) + ": " + b.error().detail);
  return *b;
}

Hash32 hash_param(const json& params, std::size_t i, const char* name) {
  auto h = hash_from_hex(str_param(params, i, name));
  if (!h) invalid_params(std::string(name) + " must be a 0x-prefixed 32-byte hash");
  return *h;
}

json validators_json(const bft::ValidatorSet& s) {
  json out = json::array();
  for (const auto& v : s.validators()) out.push_back({{"key", to_hex(v.key)}, {"power", std::to_string(v.power)}});
  return out;
}

json header_fields(const bft::devnet::Header& h) {
  return {{"chain_id", h.chain_id},
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

json proof_json(const InclusionProof& p, const char* tree) {
  json path = json::array();
  for (const auto& h : p.audit_path) path.push_back(to_hex(h.view()));
  return {{"kind", "rfc6962"}, {"tree", tree},          {"height", p.height},          {"index", p.index},
          {"tree_size", p.tree_size}, {"leaf", to_hex(p.leaf)}, {"audit_path", path}};
}

json channel_json(const Channel& c) {
  return {{"channel_id", c.channel_id},
          {"port", c.port},
          {"counterparty_island", c.counterparty_island},
          {"counterparty_genesis", to_hex(c.counterparty_genesis.view())},
          {"counterparty_channel", c.counterparty_channel},
          {"counterparty_port", c.counterparty_port},
          {"ordering", c.ordered ? "ordered" : "unordered"},
          {"next_send_sequence", c.next_send_sequence},
          {"next_recv_sequence", c.next_recv_sequence}};
}

std::string status_name(SentStatus s) {
  switch (s) {
    case SentStatus::Pending: return "pending";
    case SentStatus::Acknowledged: return "acknowledged";
    case SentStatus::Refunded: return "refunded";
    case SentStatus::TimedOut: return "timed_out";
  }
  return "unknown";
}

std::size_t depth_of(const json& j, std::size_t limit) {
  if (limit == 0) return 1;
  std::size_t d = 0;
  if (j.is_array() || j.is_object())
    for (const auto& v : j) d = std::max(d, depth_of(v, limit - 1));
  return (j.is_array() || j.is_object()) ? d + 1 : 0;
}

json error_response(const json& id, int code, const std::string& message, const json& data = nullptr) {
  json e = {{"code", code}, {"message", message}};
  if (!data.is_null()) e["data"] = data;
  return {{"jsonrpc", "2.0"}, {"id", id}, {"error", e}};
}

}  // namespace

json block_to_json(const BlockRecord& b) {
  json commit = json::array();
  for (const auto& s : b.commit) commit.push_back({{"validator", s.validator}, {"signature", to_hex(s.signature)}});
  json out = {{"height", b.height},
              {"hash", to_hex(b.hash.view())},
              {"header", to_hex(b.header)},
              {"fields", header_fields(b.decoded)},
              {"commit", commit},
              {"validators", validators_json(b.validators)}};
  if (b.next_validators) out["next_validators"] = validators_json(*b.next_validators);
  return out;
}

Node::Node(std::unique_ptr<Chain> chain, std::function<std::uint64_t()> clock_ms)
    : chain_(std::move(chain)), clock_ms_(std::move(clock_ms)) {}

Result<BlockRecord> Node::produce_block() {
  std::lock_guard<std::mutex> lock(mu_);
  return chain_->produce_block(clock_ms_());
}

std::string to_wire(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string internal_error_text() {
  return R"({"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"internal error"}})";
}

std::string Node::handle_text(std::string_view body) noexcept {
  try {
    if (body.size() > kMaxRequestBytes)
      return to_wire(error_response(nullptr, -32600, "request body over " + std::to_string(kMaxRequestBytes) + " bytes"));
    json req;
    try {
      req = json::parse(body);
    } catch (const json::exception& e) {
      // e.what() may quote the offending (possibly non-UTF-8) bytes: to_wire replaces them.
      return to_wire(error_response(nullptr, -32700, std::string("parse error: ") + e.what()));
    }
    if (depth_of(req, 33) > 32) return to_wire(error_response(nullptr, -32600, "JSON nested too deeply"));
    if (req.is_array()) {
      if (req.empty()) return to_wire(error_response(nullptr, -32600, "empty batch"));
      if (req.size() > kMaxBatch) return to_wire(error_response(nullptr, -32600, "batch over 100 calls"));
      json out = json::array();
      for (const auto& r : req) {
        json one = handle(r);
        if (!one.is_null()) out.push_back(std::move(one));
      }
      return out.empty() ? std::string() : to_wire(out);
    }
    json one = handle(req);
    return one.is_null() ? std::string() : to_wire(one);
  } catch (...) {
    return internal_error_text();
  }
}

json Node::handle(const json& req) noexcept {
  try {
    return handle_checked(req);
  } catch (...) {
    return error_response(nullptr, -32603, "internal error");
  }
}

json Node::handle_checked(const json& req) {
  const auto member = [&](const char* key) -> const json* {
    if (!req.is_object()) return nullptr;
    auto it = req.find(key);
    return it == req.end() ? nullptr : &*it;
  };
  const json* version = member("jsonrpc");
  const json* method = member("method");
  if (!req.is_object() || version == nullptr || !version->is_string() || *version != "2.0" || method == nullptr ||
      !method->is_string())
    return error_response(member("id") != nullptr ? *member("id") : json(nullptr), -32600,
                          "not a JSON-RPC 2.0 request object");
  const bool notification = member("id") == nullptr;
  const json id = notification ? json(nullptr) : *member("id");
  if (!id.is_null() && !id.is_string() && !id.is_number_integer())
    return error_response(nullptr, -32600, "id must be a string, an integer or null");
  const json params = member("params") != nullptr ? *member("params") : json::array();
  if (!params.is_array() && !params.is_object()) return error_response(id, -32600, "params must be an array");
  json resp;
  try {
    json result = dispatch(method->get<std::string>(), params);
    resp = {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
  } catch (const RpcFailure& f) {
    resp = error_response(id, f.code, f.message, f.data);
  } catch (const std::exception& e) {
    resp = error_response(id, -32603, std::string("internal error: ") + e.what());
  }
  return notification ? json(nullptr) : resp;
}

json Node::dispatch(const std::string& method, const json& params) {
  std::lock_guard<std::mutex> lock(mu_);
  Chain& c = *chain_;
  if (method == "devnet_genesis") {
    const Genesis& g = c.genesis();
    json members = json::array();
    for (const auto& m : g.committee.members) members.push_back(address_hex(m));
    json chans = json::array();
    for (const auto& ch : c.channels()) chans.push_back(channel_json(ch));
    auto b0 = value_or_throw(c.block(0));
    return {{"island", c.island()},
            {"genesis_hash", to_hex(c.genesis_hash().view())},
            {"codec", std::string(bft::devnet::kCodecName)},
            {"crypto", std::string(bft::suite_name(c.suite()))},
            {"chain_name", g.chain_name},
            {"endpoint", std::string(c.endpoint_id().begin(), c.endpoint_id().end())},
            {"endpoint_hex", to_hex(c.endpoint_id())},
            {"committee", {{"members", members}, {"k", g.committee.k}}},
            {"governance", g.governance ? json(address_hex(*g.governance)) : json(nullptr)},
            {"channels", chans},
            {"genesis_validators", validators_json(b0.validators)},
            {"genesis_header", to_hex(b0.header)},
            {"genesis_time_ms", b0.decoded.time_ms}};
  }
  if (method == "devnet_latestHeight") return c.height();
  if (method == "devnet_getBlock") return block_to_json(value_or_throw(c.block(u64_param(params, 0, "height"))));
  if (method == "devnet_getEvents" || method == "devnet_getTransactions") {
    const auto h = u64_param(params, 0, "height");
    auto leaves = value_or_throw(method == "devnet_getEvents" ? c.events(h) : c.transactions(h));
    json out = json::array();
    for (const auto& l : leaves) out.push_back(to_hex(l));
    return out;
  }
  if (method == "devnet_getTxProof")
    return proof_json(value_or_throw(c.tx_proof(u64_param(params, 0, "height"), u64_param(params, 1, "index"))), "tx");
  if (method == "devnet_getEventProof")
    return proof_json(value_or_throw(c.event_proof(u64_param(params, 0, "height"), u64_param(params, 1, "index"))), "event");
  if (method == "devnet_sendTransaction") {
    const Bytes raw = hex_param(params, 0, "raw transaction");
    return to_hex(value_or_throw(c.submit(raw, clock_ms_())).view());
  }
  if (method == "devnet_getReceipt") {
    auto r = value_or_throw(c.receipt(hash_param(params, 0, "tx hash")));
    if (!r) return nullptr;
    json out = {{"tx_hash", to_hex(r->tx_hash.view())}, {"height", r->height},
                {"index", r->index},                     {"kind", std::string(kind_name(r->kind))},
                {"from", address_hex(r->from)},         {"nonce", r->nonce},
                {"status", r->success ? "success" : "failed"},
                {"first_event", r->first_event},         {"event_count", r->event_count}};
    if (!r->success) out["error"] = {{"code", r->error_code}, {"message", r->error_detail}};
    return out;
  }
  if (method == "devnet_getBalance") {
    std::string account = str_param(params, 0, "account");
    if (account.rfind("0x", 0) == 0 || account.rfind("0X", 0) == 0) {
      auto a = parse_address(account);
      if (!a) invalid_params("account: " + a.error().detail);
      account = address_hex(*a);
    } else if (account.rfind("escrow:", 0) != 0) {
      invalid_params("account must be a 0x address or escrow:<channel>");
    }
    return abi::u256_to_decimal(c.balance(account, str_param(params, 1, "denom")));
  }
  if (method == "devnet_getNonce") {
    auto a = parse_address(str_param(params, 0, "address"));
    if (!a) invalid_params("address: " + a.error().detail);
    return {{"nonce", c.nonce(*a)}, {"pending", c.pending_nonce(*a)}};
  }
  if (method == "devnet_getPacketReceipt") {
    auto r = c.packet_receipt(hash_param(params, 0, "commitment"));
    if (!r) return {{"received", false}};
    return {{"received", true}, {"ack_commitment", to_hex(r->view())}};
  }
  if (method == "devnet_getSentPacket") {
    auto s = c.sent_packet(hash_param(params, 0, "commitment"));
    if (!s) return nullptr;
    return {{"status", status_name(s->status)}, {"packet", to_hex(s->packet_bytes)}};
  }
  if (method == "devnet_getChannels") {
    json out = json::array();
    for (const auto& ch : c.channels()) out.push_back(channel_json(ch));
    return out;
  }
  if (method == "devnet_getValidators") return validators_json(c.next_block_validators());
  if (method == "devnet_generateValidatorKeys") {
    const auto n = u64_param(params, 0, "count");
    if (n == 0 || n > 64) invalid_params("count must be 1-64");
    json out = json::array();
    for (const auto& k : value_or_throw(c.generate_validator_keys(static_cast<std::uint32_t>(n)))) out.push_back(to_hex(k));
    return out;
  }
  if (method == "devnet_signValidatorSetChange") {
    const json& list = param(params, 0, "validators");
    if (!list.is_array() || list.empty() || list.size() > bft::kMaxValidators) invalid_params("validators must be a non-empty array");
    std::vector<bft::Validator> vs;
    for (const auto& v : list) {
      if (!v.is_object() || !v.contains("key") || !v.contains("power")) invalid_params("validator entries are {key, power}");
      auto key = from_hex(v["key"].is_string() ? v["key"].get<std::string>() : "", 65);
      if (!key) invalid_params("validator key must be hex");
      const auto power = strict_u64(v["power"]);
      if (!power) invalid_params("power must be a non-negative integer (a JSON integer or a decimal string)");
      vs.push_back(bft::Validator{*key, *power});
    }
    auto commit = value_or_throw(c.sign_validator_set_change(vs));
    json out = json::array();
    for (const auto& s : commit) out.push_back({{"validator", s.validator}, {"signature", to_hex(s.signature)}});
    return {{"signatures", out}, {"signatures_packed", to_hex(pack_commit(commit))},
            {"validators_packed", to_hex(pack_validators(vs))}};
  }
  throw RpcFailure{-32601, "method not found: " + method, nullptr};
}

}  // namespace causeway::devnet
