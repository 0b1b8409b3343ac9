// Relay configuration: see causeway/engine/config.hpp.
#include "causeway/engine/config.hpp"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include "causeway/adapters/common/json_rpc.hpp"
#include "causeway/bitcoin/params.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/domain/island.hpp"

namespace causeway::engine {
namespace {

using nlohmann::json;

// Reading helpers: every shape error is ERR_INVALID_ARGUMENT at the field (json.at() throws are caught below).
struct ShapeError {
  std::string at;
  std::string what;
};

Bytes bytes_of(const json& j, const std::string& at) {
  if (j.is_object() && j.contains("utf8")) {
    const auto s = j.at("utf8").get<std::string>();
    return Bytes(s.begin(), s.end());
  }
  if (!j.is_string()) throw ShapeError{at, "expected 0x hex"};
  auto b = from_hex(j.get<std::string>());
  if (!b) throw ShapeError{at, b.error().detail};
  return *b;
}
Hash32 hash_of(const json& j, const std::string& at) {
  const Bytes b = bytes_of(j, at);
  if (b.size() != 32) throw ShapeError{at, "expected 32 bytes"};
  Hash32 h;
  std::copy(b.begin(), b.end(), h.b.begin());
  return h;
}
domain::Address address_of(const json& j, const std::string& at) {
  const Bytes b = bytes_of(j, at);
  if (b.size() != 20) throw ShapeError{at, "expected a 20-byte address"};
  domain::Address a{};
  std::copy(b.begin(), b.end(), a.begin());
  return a;
}
std::uint64_t u64_of(const json& j, const std::string& at) {
  if (j.is_number_unsigned()) return j.get<std::uint64_t>();
  if (j.is_number_integer() && j.get<std::int64_t>() >= 0) return static_cast<std::uint64_t>(j.get<std::int64_t>());
  if (j.is_string()) {
    const auto s = j.get<std::string>();
    if (!s.empty() && s.size() <= 20 && s.find_first_not_of("0123456789") == std::string::npos) return std::stoull(s);
  }
  throw ShapeError{at, "expected a non-negative integer"};
}
std::string str_of(const json& j, const std::string& at) {
  if (!j.is_string()) throw ShapeError{at, "expected a string"};
  return j.get<std::string>();
}
std::vector<Bytes> sigs_of(const json& j, const std::string& at) {
  std::vector<Bytes> out;
  if (!j.is_array()) throw ShapeError{at, "expected an array of 65-byte signatures"};
  for (std::size_t i = 0; i < j.size(); ++i) out.push_back(bytes_of(j[i], at + "[" + std::to_string(i) + "]"));
  return out;
}
double number_of(const json& j, const std::string& at) {
  if (!j.is_number()) throw ShapeError{at, "expected a number"};
  return j.get<double>();
}

// The [gateway] keys: name, member, and the range check_config enforces (docs/configuration.md "[gateway]").
struct GatewayU64Key {
  const char* name;
  std::optional<std::uint64_t> GatewaySettings::*member;
  std::uint64_t min;
  std::uint64_t max;
};
constexpr std::uint64_t kKiB = 1024;
constexpr std::uint64_t kMiB = 1024 * kKiB;
constexpr GatewayU64Key kGatewayU64Keys[] = {
    {"threads", &GatewaySettings::threads, 1, 64},
    {"max_body_bytes", &GatewaySettings::max_body_bytes, kKiB, 64 * kMiB},
    {"max_header_bytes", &GatewaySettings::max_header_bytes, kKiB, kMiB},
    {"read_timeout_ms", &GatewaySettings::read_timeout_ms, 100, 3'600'000},
    {"idle_timeout_ms", &GatewaySettings::idle_timeout_ms, 100, 3'600'000},
    {"write_timeout_ms", &GatewaySettings::write_timeout_ms, 100, 3'600'000},
    {"max_connections", &GatewaySettings::max_connections, 1, 1'000'000},
    {"max_connections_per_ip", &GatewaySettings::max_connections_per_ip, 1, 1'000'000},
    {"max_ws_message_bytes", &GatewaySettings::max_ws_message_bytes, kKiB, 64 * kMiB},
    {"ws_queue_messages", &GatewaySettings::ws_queue_messages, 1, 65'536},
};
struct GatewayRateKey {
  const char* name;
  std::optional<double> GatewaySettings::*member;
  double min;
  double max;
};
constexpr GatewayRateKey kGatewayRateKeys[] = {
    {"rate_per_ip", &GatewaySettings::rate_per_ip, 0, 1'000'000},
    {"burst_per_ip", &GatewaySettings::burst_per_ip, 1, 1'000'000},
};

json hex(ByteView b) { return to_hex(b); }
json hex(const Hash32& h) { return to_hex(h.view()); }

domain::SignedIsland island_of(const json& j) {
  domain::SignedIsland r;
  auto& s = r.spec;
  s.id = str_of(j.at("id"), "id");
  s.genesis = hash_of(j.at("genesis"), "genesis");
  const auto fam = str_of(j.at("family"), "family");
  if (fam == "bitcoin") s.family = domain::Family::Bitcoin;
  else if (fam == "ethereum") s.family = domain::Family::Ethereum;
  else if (fam == "bft") s.family = domain::Family::Bft;
  else throw ShapeError{"family", "unknown family " + fam};
  s.codec = str_of(j.at("codec"), "codec");
  s.consensus_params = j.contains("consensus_params") ? bytes_of(j["consensus_params"], "consensus_params") : Bytes{};
  s.trusting_period_s = u64_of(j.at("trusting_period_s"), "trusting_period_s");
  const auto& f = j.at("finality");
  const auto kind = str_of(f.at("kind"), "finality.kind");
  if (kind == "confirmations") s.finality.kind = domain::FinalityKind::Confirmations;
  else if (kind == "bft-quorum") s.finality.kind = domain::FinalityKind::BftQuorum;
  else if (kind == "rpc-trusted") s.finality.kind = domain::FinalityKind::RpcTrusted;
  else throw ShapeError{"finality.kind", "unknown finality " + kind};
  s.finality.confirmations = f.contains("confirmations") ? u64_of(f["confirmations"], "finality.confirmations") : 0;
  s.allow_rpc_trusted_public = j.value("allow_rpc_trusted_public", false);
  const auto& a = j.at("anchor");
  s.anchor.height = u64_of(a.at("height"), "anchor.height");
  s.anchor.hash = hash_of(a.at("hash"), "anchor.hash");
  s.anchor.time_s = u64_of(a.at("time_s"), "anchor.time_s");
  s.anchor.extra = a.contains("extra") ? bytes_of(a["extra"], "anchor.extra") : Bytes{};
  s.endpoint = bytes_of(j.at("endpoint"), "endpoint");
  const auto& g = j.at("governance");
  s.governance.threshold = static_cast<std::uint32_t>(u64_of(g.at("threshold"), "governance.threshold"));
  for (std::size_t i = 0; i < g.at("members").size(); ++i)
    s.governance.members.push_back(address_of(g["members"][i], "governance.members[" + std::to_string(i) + "]"));
  r.nonce = u64_of(j.at("nonce"), "nonce");
  r.signatures = sigs_of(j.at("signatures"), "signatures");
  return r;
}

domain::SignedChannelRecord channel_of(const json& j) {
  domain::SignedChannelRecord r;
  auto& s = r.spec;
  s.island = str_of(j.at("island"), "island");
  s.channel = str_of(j.at("channel"), "channel");
  s.port = str_of(j.at("port"), "port");
  s.endpoint = bytes_of(j.at("endpoint"), "endpoint");
  s.counterparty_island = str_of(j.at("counterparty_island"), "counterparty_island");
  s.counterparty_genesis = hash_of(j.at("counterparty_genesis"), "counterparty_genesis");
  s.counterparty_channel = str_of(j.at("counterparty_channel"), "counterparty_channel");
  s.counterparty_port = str_of(j.at("counterparty_port"), "counterparty_port");
  s.counterparty_endpoint = bytes_of(j.at("counterparty_endpoint"), "counterparty_endpoint");
  const auto ord = str_of(j.at("ordering"), "ordering");
  if (ord == "ordered") s.ordering = domain::Ordering::Ordered;
  else if (ord == "unordered") s.ordering = domain::Ordering::Unordered;
  else throw ShapeError{"ordering", "ordered | unordered"};
  s.open_height = u64_of(j.at("open_height"), "open_height");
  r.nonce = u64_of(j.at("nonce"), "nonce");
  r.signatures = sigs_of(j.at("signatures"), "signatures");
  return r;
}

domain::ClientRecoverRecord recover_of(const json& j) {
  domain::ClientRecoverRecord r;
  r.island = str_of(j.at("island"), "island");
  const auto& a = j.at("anchor");
  r.anchor.height = u64_of(a.at("height"), "anchor.height");
  r.anchor.hash = hash_of(a.at("hash"), "anchor.hash");
  r.anchor.time_s = u64_of(a.at("time_s"), "anchor.time_s");
  r.anchor.extra = a.contains("extra") ? bytes_of(a["extra"], "anchor.extra") : Bytes{};
  r.nonce = u64_of(j.at("nonce"), "nonce");
  r.signatures = sigs_of(j.at("signatures"), "signatures");
  return r;
}

template <class Fn>
auto guarded(Fn fn, const std::string& prefix) -> Result<decltype(fn())> {
  try {
    return fn();
  } catch (const ShapeError& e) {
    return fail(Code::InvalidArgument, e.what, prefix + e.at);
  } catch (const std::exception& e) {
    return fail(Code::InvalidArgument, std::string("malformed configuration: ") + e.what(), prefix);
  }
}

}  // namespace

json island_to_json(const domain::SignedIsland& r) {
  const auto& s = r.spec;
  json members = json::array();
  for (const auto& m : s.governance.members) members.push_back(hex(ByteView(m.data(), m.size())));
  json sigs = json::array();
  for (const auto& g : r.signatures) sigs.push_back(hex(g));
  return json{{"id", s.id},
              {"genesis", hex(s.genesis)},
              {"family", std::string(domain::family_name(s.family))},
              {"codec", s.codec},
              {"consensus_params", hex(s.consensus_params)},
              {"trusting_period_s", s.trusting_period_s},
              {"finality", {{"kind", std::string(domain::finality_name(s.finality.kind))},
                            {"confirmations", s.finality.confirmations}}},
              {"allow_rpc_trusted_public", s.allow_rpc_trusted_public},
              {"anchor", {{"height", s.anchor.height}, {"hash", hex(s.anchor.hash)}, {"time_s", s.anchor.time_s},
                          {"extra", hex(s.anchor.extra)}}},
              {"endpoint", hex(s.endpoint)},
              {"governance", {{"threshold", s.governance.threshold}, {"members", members}}},
              {"nonce", r.nonce},
              {"signatures", sigs}};
}

Result<domain::SignedIsland> island_from_json(const json& j) {
  return guarded([&] { return island_of(j); }, "");
}

json channel_to_json(const domain::SignedChannelRecord& r) {
  const auto& s = r.spec;
  json sigs = json::array();
  for (const auto& g : r.signatures) sigs.push_back(hex(g));
  return json{{"island", s.island},
              {"channel", s.channel},
              {"port", s.port},
              {"endpoint", hex(s.endpoint)},
              {"counterparty_island", s.counterparty_island},
              {"counterparty_genesis", hex(s.counterparty_genesis)},
              {"counterparty_channel", s.counterparty_channel},
              {"counterparty_port", s.counterparty_port},
              {"counterparty_endpoint", hex(s.counterparty_endpoint)},
              {"ordering", std::string(domain::ordering_name(s.ordering))},
              {"open_height", s.open_height},
              {"nonce", r.nonce},
              {"signatures", sigs}};
}

Result<domain::SignedChannelRecord> channel_from_json(const json& j) {
  return guarded([&] { return channel_of(j); }, "");
}

json recover_to_json(const domain::ClientRecoverRecord& r) {
  json sigs = json::array();
  for (const auto& g : r.signatures) sigs.push_back(hex(g));
  return json{{"island", r.island},
              {"anchor", {{"height", r.anchor.height}, {"hash", hex(r.anchor.hash)}, {"time_s", r.anchor.time_s},
                          {"extra", hex(r.anchor.extra)}}},
              {"nonce", r.nonce},
              {"signatures", sigs}};
}

Result<domain::ClientRecoverRecord> recover_from_json(const json& j) {
  return guarded([&] { return recover_of(j); }, "");
}

json config_to_json(const RelayConfig& c) {
  json members = json::array();
  for (const auto& m : c.committee.members) members.push_back(hex(ByteView(m.data(), m.size())));
  json out = {{"committee",
               {{"threshold", c.committee.threshold},
                {"members", members},
                {"key_sources", c.committee.key_sources},
                {"key_file", c.committee.key_file},
                {"allow_low_threshold", c.committee.allow_low_threshold},
                {"peers", c.committee.peers}}},
              {"islands", json::array()},
              {"channels", json::array()}};
  for (const auto& i : c.islands) out["islands"].push_back(island_to_json(i));
  for (const auto& p : c.channels) out["channels"].push_back({{"a", channel_to_json(p.a)}, {"b", channel_to_json(p.b)}});
  // Packet lifecycle: assets and adapters.
  out["assets"] = json::array();
  for (const auto& a : c.assets) out["assets"].push_back({{"island", a.island}, {"denom", a.denom}});
  json ads = json::array();
  for (const auto& a : c.adapters.islands) {
    json e = {{"island", a.island}, {"kind", a.kind}, {"rpc", a.rpc}, {"ws", a.ws},
              {"submitter_key_file", a.submitter_key_file}, {"confirmations", a.confirmations}};
    // Bitcoin Core credentials: the file paths only (the password itself is never in a RelayConfig).
    if (!a.rpc_user.empty()) e["rpc_user"] = a.rpc_user;
    if (!a.rpc_password_file.empty()) e["rpc_password_file"] = a.rpc_password_file;
    if (!a.rpc_cookie_file.empty()) e["rpc_cookie_file"] = a.rpc_cookie_file;
    ads.push_back(std::move(e));
  }
  out["adapters"] = {{"poll_ms", c.adapters.poll_ms}, {"withhold", c.adapters.withhold}, {"islands", ads}};
  json gw = json::object();
  for (const auto& k : kGatewayU64Keys)
    if (c.gateway.*k.member) gw[k.name] = *(c.gateway.*k.member);
  for (const auto& k : kGatewayRateKeys)
    if (c.gateway.*k.member) gw[k.name] = *(c.gateway.*k.member);
  out["gateway"] = std::move(gw);
  return out;
}

Result<RelayConfig> config_from_json(const json& j) {
  RelayConfig c;
  if (!j.is_object()) return fail(Code::InvalidArgument, "the configuration is not an object");
  if (j.contains("committee")) {
    auto r = guarded(
        [&] {
          const auto& m = j["committee"];
          CommitteeSettings s;
          if (m.contains("threshold")) s.threshold = static_cast<std::uint32_t>(u64_of(m["threshold"], "threshold"));
          if (m.contains("members"))
            for (std::size_t i = 0; i < m["members"].size(); ++i)
              s.members.push_back(address_of(m["members"][i], "members[" + std::to_string(i) + "]"));
          if (m.contains("key_sources"))
            for (const auto& k : m["key_sources"]) s.key_sources.push_back(str_of(k, "key_sources"));
          s.key_file = m.value("key_file", "");
          s.allow_low_threshold = m.value("allow_low_threshold", false);
          if (m.contains("peers")) {
            if (!m["peers"].is_array()) throw ShapeError{"peers", "expected an array of http:// URLs"};
            for (std::size_t i = 0; i < m["peers"].size(); ++i)
              s.peers.push_back(str_of(m["peers"][i], "peers[" + std::to_string(i) + "]"));
          }
          return s;
        },
        "committee.");
    if (!r) return tl::unexpected(r.error());
    c.committee = *r;
  }
  if (j.contains("islands")) {
    for (std::size_t i = 0; i < j["islands"].size(); ++i) {
      auto r = guarded([&] { return island_of(j["islands"][i]); }, "islands[" + std::to_string(i) + "].");
      if (!r) return tl::unexpected(r.error());
      c.islands.push_back(std::move(*r));
    }
  }
  if (j.contains("channels")) {
    for (std::size_t i = 0; i < j["channels"].size(); ++i) {
      const std::string at = "channels[" + std::to_string(i) + "].";
      auto a = guarded([&] { return channel_of(j["channels"][i].at("a")); }, at + "a.");
      if (!a) return tl::unexpected(a.error());
      auto b = guarded([&] { return channel_of(j["channels"][i].at("b")); }, at + "b.");
      if (!b) return tl::unexpected(b.error());
      c.channels.push_back(ChannelPair{std::move(*a), std::move(*b)});
    }
  }
  // Packet lifecycle: assets and adapters.
  if (j.contains("assets")) {
    auto r = guarded(
        [&] {
          std::vector<AssetSetting> out;
          if (!j["assets"].is_array()) throw ShapeError{"", "expected an array"};
          for (std::size_t i = 0; i < j["assets"].size(); ++i) {
            const auto& a = j["assets"][i];
            const std::string at = "[" + std::to_string(i) + "].";
            out.push_back(AssetSetting{str_of(a.at("island"), at + "island"), str_of(a.at("denom"), at + "denom")});
          }
          return out;
        },
        "assets");
    if (!r) return tl::unexpected(r.error());
    c.assets = std::move(*r);
  }
  if (j.contains("adapters")) {
    auto r = guarded(
        [&] {
          const auto& m = j["adapters"];
          AdapterSettings s;
          if (m.contains("poll_ms")) s.poll_ms = u64_of(m["poll_ms"], "poll_ms");
          if (m.contains("withhold"))
            for (const auto& w : m["withhold"]) s.withhold.push_back(str_of(w, "withhold"));
          if (m.contains("islands"))
            for (std::size_t i = 0; i < m["islands"].size(); ++i) {
              const auto& e = m["islands"][i];
              const std::string at = "islands[" + std::to_string(i) + "].";
              IslandAdapterSettings a;
              a.island = str_of(e.at("island"), at + "island");
              a.kind = str_of(e.at("kind"), at + "kind");
              if (a.kind != "devnet" && a.kind != "evm" && a.kind != "bitcoin")
                throw ShapeError{at + "kind", "expected devnet, evm or bitcoin"};
              for (const auto& u : e.at("rpc")) a.rpc.push_back(str_of(u, at + "rpc"));
              a.submitter_key_file = e.value("submitter_key_file", "");
              if (e.contains("ws")) a.ws = str_of(e["ws"], at + "ws");
              if (!a.ws.empty() && a.kind != "evm") throw ShapeError{at + "ws", "only evm adapters take a ws URL"};
              if (e.contains("confirmations")) a.confirmations = u64_of(e["confirmations"], at + "confirmations");
              for (auto [key, field] : {std::pair{"rpc_user", &IslandAdapterSettings::rpc_user},
                                        std::pair{"rpc_password_file", &IslandAdapterSettings::rpc_password_file},
                                        std::pair{"rpc_cookie_file", &IslandAdapterSettings::rpc_cookie_file}})
                if (e.contains(key)) {
                  if (a.kind != "bitcoin") throw ShapeError{at + key, "only bitcoin adapters take Bitcoin Core credentials"};
                  a.*field = str_of(e[key], at + key);
                }
              s.islands.push_back(std::move(a));
            }
          return s;
        },
        "adapters.");
    if (!r) return tl::unexpected(r.error());
    c.adapters = std::move(*r);
  }
  if (j.contains("gateway")) {
    auto r = guarded(
        [&] {
          const auto& m = j["gateway"];
          if (!m.is_object()) throw ShapeError{"", "expected a table"};
          GatewaySettings s;
          for (const auto& [key, value] : m.items()) {
            bool known = false;
            for (const auto& k : kGatewayU64Keys)
              if (key == k.name) s.*k.member = u64_of(value, key), known = true;
            for (const auto& k : kGatewayRateKeys)
              if (key == k.name) s.*k.member = number_of(value, key), known = true;
            if (!known) throw ShapeError{key, "unknown gateway key"};
          }
          return s;
        },
        "gateway.");
    if (!r) return tl::unexpected(r.error());
    c.gateway = std::move(*r);
  }
  return c;
}

Result<nlohmann::json> load_config_document(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Code::Io, "cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  if (text.size() > (16u << 20)) return fail(Code::TooLarge, "configuration over 16 MiB", path);
  json doc;
  try {
    if (path.size() >= 5 && path.compare(path.size() - 5, 5, ".toml") == 0) {
      auto table = toml::parse(text, path);
      std::stringstream js;
      js << toml::json_formatter{table};
      doc = json::parse(js.str());
    } else {
      doc = json::parse(text);
    }
  } catch (const std::exception& e) {
    return fail(Code::InvalidArgument, std::string("cannot parse the configuration: ") + e.what(), path);
  }
  return doc;
}

Result<RelayConfig> load_config(const std::string& path) {
  auto doc = load_config_document(path);
  if (!doc) return tl::unexpected(doc.error());
  return config_from_json(*doc);
}

Result<std::string> bitcoin_network_of(const std::string& island) {
  for (const auto* p : {&bitcoin::mainnet_params(), &bitcoin::testnet3_params(), &bitcoin::testnet4_params(),
                        &bitcoin::signet_params(), &bitcoin::regtest_params()})
    if (island == "bip122:" + to_hex_bare(p->genesis_hash.reversed().view()).substr(0, 32)) return p->name;
  return fail(Code::UnknownNetwork, "island " + island + " is not the bip122 id of a Bitcoin network Causeway knows "
                                    "(mainnet, testnet3, testnet4, signet, regtest)", "island");
}

Status check_config(const RelayConfig& config) {
  domain::IslandRegistry registry;
  for (std::size_t i = 0; i < config.islands.size(); ++i) {
    if (auto r = registry.register_island(config.islands[i]); !r) {
      Error e = r.error();
      e.at = "islands[" + std::to_string(i) + "]" + (e.at.empty() ? "" : "." + e.at);
      return tl::unexpected(std::move(e));
    }
  }
  for (std::size_t i = 0; i < config.adapters.islands.size(); ++i) {
    const auto& a = config.adapters.islands[i];
    const std::string at = "adapters.islands[" + std::to_string(i) + "].";
    const domain::SignedIsland* reg = nullptr;
    for (const auto& isl : config.islands)
      if (isl.spec.id == a.island) reg = &isl;
    if (reg == nullptr) return fail(Code::InvalidArgument, "island " + a.island + " is not in [[islands]]", at + "island");
    if (a.rpc.empty()) return fail(Code::InvalidArgument, "no RPC URL for island " + a.island, at + "rpc");
    for (std::size_t j = 0; j < a.rpc.size(); ++j)
      if (auto u = adapters::parse_http_url(a.rpc[j]); !u)
        return fail(Code::InvalidArgument, u.error().detail, at + "rpc[" + std::to_string(j) + "]");
    if (!a.ws.empty()) {
      const std::string_view ws = a.ws;
      if (ws.size() < 5 || (ws.substr(0, 5) != "ws://" && ws.substr(0, 5) != "WS://"))
        return fail(Code::InvalidArgument, "expected a ws://host[:port] URL", at + "ws");
      if (auto u = adapters::parse_http_url("http://" + std::string(ws.substr(5))); !u)
        return fail(Code::InvalidArgument, u.error().detail, at + "ws");
    }
    if (a.kind == "evm" && reg->spec.endpoint.size() != 20)
      return fail(Code::InvalidArgument, "an EVM island's endpoint is 20 bytes", at + "island");
    if (a.kind == "bitcoin") {  // Bitcoin Core over JSON-RPC; a source only (PACKET.md "Bitcoin deposits")
      if (reg->spec.family != domain::Family::Bitcoin)
        return fail(Code::InvalidArgument, "island " + a.island + " is a " +
                                               std::string(domain::family_name(reg->spec.family)) +
                                               " island, not a bitcoin one", at + "kind");
      if (auto n = bitcoin_network_of(a.island); !n)
        return fail(Code::InvalidArgument, n.error().detail, at + "island");
      if (a.rpc.size() != 1)
        return fail(Code::InvalidArgument, "a bitcoin adapter takes exactly one Bitcoin Core RPC URL", at + "rpc");
      if (!a.submitter_key_file.empty())
        return fail(Code::InvalidArgument, "a Bitcoin island is a source only: no submitter_key_file",
                    at + "submitter_key_file");
      if (!a.rpc_cookie_file.empty() && (!a.rpc_user.empty() || !a.rpc_password_file.empty()))
        return fail(Code::InvalidArgument, "either rpc_cookie_file or rpc_user with rpc_password_file, not both",
                    at + "rpc_cookie_file");
      if (a.rpc_cookie_file.empty() && a.rpc_user.empty())
        return fail(Code::InvalidArgument,
                    "Bitcoin Core needs credentials: rpc_cookie_file, or rpc_user with rpc_password_file", at + "rpc_user");
      if (!a.rpc_user.empty() && a.rpc_password_file.empty())
        return fail(Code::InvalidArgument, "rpc_user needs rpc_password_file", at + "rpc_password_file");
      if (a.rpc_user.empty() && !a.rpc_password_file.empty())
        return fail(Code::InvalidArgument, "rpc_password_file needs rpc_user", at + "rpc_user");
      if (a.rpc_user.find(':') != std::string::npos)
        return fail(Code::InvalidArgument, "an HTTP Basic user name has no ':'", at + "rpc_user");
      const std::uint64_t need = reg->spec.finality.confirmations == 0 ? 0 : reg->spec.finality.confirmations - 1;
      if (a.confirmations < need)
        return fail(Code::InvalidArgument,
                    "confirmations " + std::to_string(a.confirmations) + " is below the island's finality.confirmations − 1 = " +
                        std::to_string(need) + " (the watcher would scan blocks whose bundles can never be final)",
                    at + "confirmations");
    }
  }
  const GatewaySettings& g = config.gateway;
  for (const auto& k : kGatewayU64Keys)
    if (const auto& v = g.*k.member; v && (*v < k.min || *v > k.max))
      return fail(Code::InvalidArgument,
                  std::to_string(*v) + " is outside " + std::to_string(k.min) + "…" + std::to_string(k.max),
                  std::string("gateway.") + k.name);
  for (const auto& k : kGatewayRateKeys)
    if (const auto& v = g.*k.member; v && !(*v >= k.min && *v <= k.max))  // NaN fails too
      return fail(Code::InvalidArgument, "outside " + std::to_string(k.min) + "…" + std::to_string(k.max),
                  std::string("gateway.") + k.name);
  if (g.max_connections_per_ip && g.max_connections && *g.max_connections_per_ip > *g.max_connections)
    return fail(Code::InvalidArgument, "more connections per address than connections in all",
                "gateway.max_connections_per_ip");
  return {};
}

}  // namespace causeway::engine
