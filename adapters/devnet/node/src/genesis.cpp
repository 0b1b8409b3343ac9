#include "causeway/devnet_node/genesis.hpp"

#include <algorithm>
#include <set>

#include "causeway/core/hex.hpp"

namespace causeway::devnet {
namespace {

using nlohmann::json;

tl::unexpected<Error> bad(const std::string& detail, const std::string& at) { return fail(Code::InvalidArgument, detail, at); }

Status only_keys(const json& j, std::initializer_list<const char*> allowed, const std::string& at) {
  if (!j.is_object()) return bad("expected an object", at);
  for (const auto& [k, v] : j.items()) {
    (void)v;
    if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return k == a; }))
      return bad("unknown key '" + k + "'", at);
  }
  return {};
}

Result<std::uint64_t> u64_of(const json& j, const std::string& at) {
  if (j.is_number_unsigned()) return j.get<std::uint64_t>();
  if (j.is_string()) {
    const auto s = j.get<std::string>();
    if (s.empty() || s.size() > 20 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        (s.size() > 1 && s[0] == '0'))
      return fail(Code::InvalidArgument, "expected a decimal integer", at);
    auto v = abi::u256_from_decimal(s);
    if (!v) return fail(Code::InvalidArgument, "expected a decimal integer", at);
    auto u = abi::u256_to_u64(*v);
    if (!u) return fail(Code::InvalidArgument, "does not fit 64 bits", at);
    return *u;
  }
  return fail(Code::InvalidArgument, "expected a non-negative integer", at);
}

Result<std::string> str_of(const json& j, const std::string& at) {
  if (!j.is_string()) return fail(Code::InvalidArgument, "expected a string", at);
  return j.get<std::string>();
}

}  // namespace

Status check_chain_name(std::string_view s) {
  if (s.empty() || s.size() > 32 ||
      !std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }))
    return bad("chain name must be 1-32 characters of [a-z0-9-]", "chain_name");
  return {};
}

Status check_identifier(std::string_view s, const char* what) {
  if (s.empty() || s.size() > 64 || !std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
               c == '+' || c == '-';
      }))
    return bad(std::string(what) + " must be 1-64 characters of [A-Za-z0-9._+-]", what);
  return {};
}

Status check_denom(std::string_view s) {
  if (s.empty() || s.size() > 1024 || !std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; }))
    return bad("denom must be 1-1024 printable ASCII characters without spaces", "denom");
  return {};
}

Status check_island(std::string_view s, const char* what) {
  if (s.empty() || s.size() > 64 || s.find(':') == std::string_view::npos ||
      !std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; }))
    return bad(std::string(what) + " must be a CAIP-2 id (1-64 printable characters with ':')", what);
  return {};
}

Result<Genesis> parse_genesis(const json& j) {
  if (auto s = only_keys(j, {"chain_name", "crypto", "genesis_time_ms", "validators", "balances", "committee",
                             "governance", "endpoint", "channels"}, "");
      !s)
    return tl::unexpected(s.error());
  Genesis g;
  g.balances.clear();
  if (j.contains("chain_name")) {
    auto s = str_of(j["chain_name"], "chain_name");
    if (!s) return tl::unexpected(s.error());
    g.chain_name = *s;
  }
  if (auto s = check_chain_name(g.chain_name); !s) return tl::unexpected(s.error());
  if (j.contains("crypto")) {
    auto s = str_of(j["crypto"], "crypto");
    if (!s) return tl::unexpected(s.error());
    auto suite = bft::parse_suite(*s);
    if (!suite) return fail(Code::InvalidArgument, "crypto must be secp256k1-sha256 or sm2-sm3", "crypto");
    g.suite = *suite;
  }
  if (j.contains("genesis_time_ms")) {
    auto t = u64_of(j["genesis_time_ms"], "genesis_time_ms");
    if (!t) return tl::unexpected(t.error());
    if (*t > kMaxTimeMs)
      return bad("genesis_time_ms must be at most " + std::to_string(kMaxTimeMs) + " (9999-12-31T23:59:59.999Z)",
                 "genesis_time_ms");
    g.genesis_time_ms = *t;
  }
  if (j.contains("validators")) {
    const auto& v = j["validators"];
    if (auto s = only_keys(v, {"count", "power"}, "validators"); !s) return tl::unexpected(s.error());
    if (v.contains("count")) {
      auto c = u64_of(v["count"], "validators.count");
      if (!c) return tl::unexpected(c.error());
      if (*c < 1 || *c > kMaxGenesisValidators)
        return bad("validators.count must be 1-" + std::to_string(kMaxGenesisValidators), "validators.count");
      g.validator_count = static_cast<std::uint32_t>(*c);
    }
    if (v.contains("power")) {
      auto p = u64_of(v["power"], "validators.power");
      if (!p) return tl::unexpected(p.error());
      if (*p < 1 || *p > (std::uint64_t{1} << 48)) return bad("validators.power must be 1-2^48", "validators.power");
      g.validator_power = *p;
    }
  }
  if (j.contains("balances")) {
    const auto& b = j["balances"];
    if (!b.is_object()) return bad("expected an object {address: {token: amount}}", "balances");
    for (const auto& [addr, tokens] : b.items()) {
      const std::string at = "balances." + addr;
      auto a = parse_address(addr);
      if (!a) return bad("not a 0x address: " + a.error().detail, at);
      if (!tokens.is_object()) return bad("expected an object {token: amount}", at);
      for (const auto& [denom, amount] : tokens.items()) {
        if (auto s = check_denom(denom); !s) return bad(s.error().detail, at + "." + denom);
        U256 value{};
        if (amount.is_number_unsigned()) {
          value = abi::u256_from_u64(amount.get<std::uint64_t>());
        } else if (amount.is_string()) {
          auto v = abi::u256_from_decimal(amount.get<std::string>());
          if (!v) return bad("amount must be a decimal string", at + "." + denom);
          value = *v;
        } else {
          return bad("amount must be a decimal string", at + "." + denom);
        }
        g.balances[address_hex(*a)][denom] = value;
      }
    }
  }
  if (j.contains("committee")) {
    const auto& c = j["committee"];
    if (auto s = only_keys(c, {"members", "k"}, "committee"); !s) return tl::unexpected(s.error());
    if (!c.contains("members") || !c["members"].is_array() || c["members"].empty() || c["members"].size() > 64)
      return bad("committee.members must list 1-64 addresses", "committee.members");
    std::set<Address> seen;
    for (std::size_t i = 0; i < c["members"].size(); ++i) {
      const std::string at = "committee.members[" + std::to_string(i) + "]";
      auto s = str_of(c["members"][i], at);
      if (!s) return tl::unexpected(s.error());
      auto a = parse_address(*s);
      if (!a) return bad("not a 0x address", at);
      if (!seen.insert(*a).second) return bad("member listed twice", at);
      g.committee.members.push_back(*a);
    }
    auto k = u64_of(c.value("k", json(1)), "committee.k");
    if (!k) return tl::unexpected(k.error());
    if (*k < 1 || *k > g.committee.members.size()) return bad("committee.k must be 1..number of members", "committee.k");
    g.committee.k = static_cast<std::uint32_t>(*k);
  } else {
    return bad("a committee is required (the relay members whose attestations recv_packet accepts)", "committee");
  }
  if (j.contains("governance") && !j["governance"].is_null()) {
    auto s = str_of(j["governance"], "governance");
    if (!s) return tl::unexpected(s.error());
    auto a = parse_address(*s);
    if (!a) return bad("not a 0x address", "governance");
    g.governance = *a;
  }
  if (j.contains("endpoint")) {
    auto s = str_of(j["endpoint"], "endpoint");
    if (!s) return tl::unexpected(s.error());
    if (auto c = check_identifier(*s, "endpoint"); !c) return tl::unexpected(c.error());
    g.endpoint = *s;
  }
  if (j.contains("channels")) {
    if (!j["channels"].is_array()) return bad("expected an array", "channels");
    std::set<std::string> ids;
    for (std::size_t i = 0; i < j["channels"].size(); ++i) {
      const auto& c = j["channels"][i];
      const std::string at = "channels[" + std::to_string(i) + "]";
      if (auto s = only_keys(c, {"channel_id", "port", "counterparty_island", "counterparty_genesis",
                                 "counterparty_channel", "counterparty_port", "ordering", "next_send_sequence"}, at);
          !s)
        return tl::unexpected(s.error());
      Channel ch;
      for (auto [key, dst] : {std::pair{"channel_id", &ch.channel_id}, std::pair{"port", &ch.port},
                              std::pair{"counterparty_island", &ch.counterparty_island},
                              std::pair{"counterparty_channel", &ch.counterparty_channel},
                              std::pair{"counterparty_port", &ch.counterparty_port}}) {
        if (!c.contains(key)) return bad(std::string("missing ") + key, at);
        auto s = str_of(c[key], at + "." + key);
        if (!s) return tl::unexpected(s.error());
        *dst = *s;
      }
      if (auto s = check_identifier(ch.channel_id, "channel_id"); !s) return bad(s.error().detail, at);
      if (auto s = check_identifier(ch.port, "port"); !s) return bad(s.error().detail, at);
      if (auto s = check_identifier(ch.counterparty_channel, "counterparty_channel"); !s) return bad(s.error().detail, at);
      if (auto s = check_identifier(ch.counterparty_port, "counterparty_port"); !s) return bad(s.error().detail, at);
      if (auto s = check_island(ch.counterparty_island, "counterparty_island"); !s) return bad(s.error().detail, at);
      if (!c.contains("counterparty_genesis") || !c["counterparty_genesis"].is_string())
        return bad("missing counterparty_genesis", at);
      auto h = hash_from_hex(c["counterparty_genesis"].get<std::string>());
      if (!h || h->is_zero()) return bad("counterparty_genesis must be a non-zero 32-byte hash", at);
      ch.counterparty_genesis = *h;
      const json ordering = c.contains("ordering") ? c["ordering"] : json("unordered");
      if (ordering != "ordered" && ordering != "unordered") return bad("ordering is ordered or unordered", at);
      ch.ordered = ordering == "ordered";
      if (c.contains("next_send_sequence")) {
        auto n = u64_of(c["next_send_sequence"], at + ".next_send_sequence");
        if (!n) return tl::unexpected(n.error());
        if (*n == 0) return bad("next_send_sequence starts at 1 or later", at);
        ch.next_send_sequence = *n;
      }
      if (!ids.insert(ch.channel_id).second) return bad("channel id listed twice", at);
      g.channels.push_back(std::move(ch));
    }
  }
  return g;
}

json genesis_to_json(const Genesis& g) {
  json j;
  j["chain_name"] = g.chain_name;
  j["crypto"] = std::string(bft::suite_name(g.suite));
  j["genesis_time_ms"] = g.genesis_time_ms;
  j["validators"] = {{"count", g.validator_count}, {"power", g.validator_power}};
  json b = json::object();
  for (const auto& [addr, tokens] : g.balances)
    for (const auto& [denom, amount] : tokens) b[addr][denom] = abi::u256_to_decimal(amount);
  j["balances"] = b;
  json members = json::array();
  for (const auto& m : g.committee.members) members.push_back(address_hex(m));
  j["committee"] = {{"members", members}, {"k", g.committee.k}};
  j["governance"] = g.governance ? json(address_hex(*g.governance)) : json(nullptr);
  j["endpoint"] = g.endpoint;
  json chans = json::array();
  for (const auto& c : g.channels)
    chans.push_back({{"channel_id", c.channel_id},
                     {"port", c.port},
                     {"counterparty_island", c.counterparty_island},
                     {"counterparty_genesis", to_hex(c.counterparty_genesis.view())},
                     {"counterparty_channel", c.counterparty_channel},
                     {"counterparty_port", c.counterparty_port},
                     {"ordering", c.ordered ? "ordered" : "unordered"},
                     {"next_send_sequence", c.next_send_sequence}});
  j["channels"] = chans;
  return j;
}

Genesis sample_genesis(std::string chain_name, bft::Suite suite, std::uint32_t validators) {
  Genesis g;
  g.chain_name = std::move(chain_name);
  g.suite = suite;
  g.validator_count = validators;
  std::vector<Address> accts;
  for (const char* k : kDevKeys) accts.push_back(address_of(from_hex(k).value()).value());
  const U256 amount = abi::u256_from_decimal("1000000000000000000000000").value();  // 10^24
  for (const auto& a : accts) {
    g.balances[address_hex(a)]["stake"] = amount;
    g.balances[address_hex(a)]["token"] = amount;
  }
  g.committee.members = {accts[1]};
  g.committee.k = 1;
  g.governance = accts[0];
  return g;
}

}  // namespace causeway::devnet
