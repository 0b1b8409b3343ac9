// Committee and governance-signing commands (issue #7 "A relay committee", "The main job"; docs/operator-guide.md):
//   committee address --key-file F
//       loads the member key in F (64 hex digits, mode 0600), creating it first when missing, and prints the
//       member's address (0x, 20 bytes) — what the other members list in [committee] members and what
//       `island deploy-contracts --committee` takes.
//   governance sign-island --record FILE --key-file K [--key-file K …]
//       reads an island record (engine/config.hpp island JSON; "nonce" defaults to 1, "signatures" to []) and
//       prints it signed by the given governance keys over island_digest(island.register, spec, nonce)
//       (relay/domain island.hpp) — the record `causeway serve --config` registers.
//   governance sign-channel --record FILE --key-file-a K … --key-file-b K …
//       reads {"a": channel record, "b": channel record} (the two ends) and prints the pair, end a signed by
//       island a's governance keys over channel_digest(channel.open, a, genesis of a, nonce), end b likewise
//       (an end's own island genesis is the other end's counterparty_genesis).
// The keys sign locally; nothing is sent anywhere. Exit codes: 0 printed, 2 usage, unreadable or unsafe key
// file (ERR_KEY_PERMISSIONS, ERR_IO, ERR_BAD_HEX), or a record that does not parse (ERR_INVALID_ARGUMENT).
#include <sys/stat.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "causeway/core/hex.hpp"
#include "causeway/domain/channel.hpp"
#include "causeway/domain/governance.hpp"
#include "causeway/domain/island.hpp"
#include "causeway/engine/config.hpp"
#include "causeway/engine/relay.hpp"
#include "api_client.hpp"
#include "commands.hpp"
#include "file_io.hpp"
#include "governance_cli.hpp"

namespace causeway::app {
namespace {

using nlohmann::json;

int fail_with(const std::string& cmd, const Error& e) {
  std::cerr << "causeway " << cmd << ": " << code_name(e.code) << ": " << e.detail
            << (e.at.empty() ? "" : " at " + e.at) << "\n";
  return 2;
}

// An existing key file only (a governance key is never created by signing).
Result<secp256k1::SecretKey> existing_key(const std::string& path) {
  struct stat sb {};
  if (::stat(path.c_str(), &sb) != 0) return fail(Code::Io, "no key file " + path, path);
  return engine::load_or_create_attestation_key(path);
}

Result<json> read_json(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Code::Io, "cannot read " + path, path);
  std::stringstream ss;
  ss << in.rdbuf();
  if (ss.str().size() > (4u << 20)) return fail(Code::TooLarge, "record over 4 MiB", path);
  auto j = json::parse(ss.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return fail(Code::InvalidArgument, "not a JSON object", path);
  return j;
}

void defaults(json& r) {
  if (!r.contains("nonce")) r["nonce"] = 1;
  if (!r.contains("signatures")) r["signatures"] = json::array();
}

Result<std::vector<Bytes>> sign_all(const Hash32& digest, const std::vector<std::string>& key_files) {
  std::vector<Bytes> sigs;
  for (const auto& f : key_files) {
    auto k = existing_key(f);
    if (!k) return tl::unexpected(k.error());
    auto s = domain::sign_governance(digest, *k);
    if (!s) return tl::unexpected(s.error());
    sigs.push_back(std::move(*s));
  }
  return sigs;
}

int sign_island(const std::string& record, const std::vector<std::string>& keys) {
  auto j = read_json(record);
  if (!j) return fail_with("governance sign-island", j.error());
  defaults(*j);
  auto isl = engine::island_from_json(*j);
  if (!isl) return fail_with("governance sign-island", isl.error());
  auto sigs = sign_all(domain::island_digest(domain::GovAction::IslandRegister, isl->spec, isl->nonce), keys);
  if (!sigs) return fail_with("governance sign-island", sigs.error());
  isl->signatures = std::move(*sigs);
  std::cout << engine::island_to_json(*isl).dump(2) << "\n";
  return 0;
}

int sign_channel(const std::string& record, const std::vector<std::string>& keys_a,
                 const std::vector<std::string>& keys_b) {
  auto j = read_json(record);
  if (!j) return fail_with("governance sign-channel", j.error());
  if (!j->contains("a") || !j->contains("b"))
    return fail_with("governance sign-channel", Error{Code::InvalidArgument, "expected {\"a\": …, \"b\": …}", "record"});
  defaults((*j)["a"]);
  defaults((*j)["b"]);
  auto a = engine::channel_from_json((*j)["a"]);
  if (!a) return fail_with("governance sign-channel", a.error());
  auto b = engine::channel_from_json((*j)["b"]);
  if (!b) return fail_with("governance sign-channel", b.error());
  auto sa = sign_all(domain::channel_digest(domain::GovAction::ChannelOpen, a->spec, b->spec.counterparty_genesis, a->nonce),
                     keys_a);
  if (!sa) return fail_with("governance sign-channel", sa.error());
  auto sb = sign_all(domain::channel_digest(domain::GovAction::ChannelOpen, b->spec, a->spec.counterparty_genesis, b->nonce),
                     keys_b);
  if (!sb) return fail_with("governance sign-channel", sb.error());
  a->signatures = std::move(*sa);
  b->signatures = std::move(*sb);
  std::cout << json{{"a", engine::channel_to_json(*a)}, {"b", engine::channel_to_json(*b)}}.dump(2) << "\n";
  return 0;
}

// ---- governance records against a running relay (governance_cli.hpp) ----

struct RecordOpts {
  std::string url = kDefaultApiUrl;
  std::string token_file;
  std::string record;
  std::vector<std::string> keys, keys_a, keys_b;
  std::uint64_t nonce = 0;  // 0: the relay's current nonce + 1
  std::string island, channel;
  std::uint64_t height = 0, time_s = 0;
  std::string hash, extra;
  bool json_out = false;
};

int usage(const RecordOpts& o, const Error& e) {
  return report_failure(ApiFailure{2, 0, std::string(code_name(e.code)),
                                   e.detail + (e.at.empty() ? "" : " (at " + e.at + ")")},
                        o.json_out);
}

// The island's current governance nonce + 1 (GET /v1/islands/{id}); nullopt after report_failure.
std::optional<std::uint64_t> next_nonce(const RecordOpts& o, const std::string& island, int& exit_code) {
  auto a = api_get(o.url, "/v1/islands/" + url_encode(island));
  if (!a.ok) {
    exit_code = report_failure(a.failure, o.json_out);
    return std::nullopt;
  }
  return a.body.at("nonce").get<std::uint64_t>() + 1;
}

void print_island_answer(const RecordOpts& o, const ApiAnswer& a) {
  if (o.json_out) {
    std::cout << a.body.dump(2) << "\n";
    return;
  }
  const auto& c = a.body["client"];
  print_table({"ISLAND", "NONCE", "CLIENT", "ANCHOR_HEIGHT", "AUDIT_INDEX"},
              {{cell(a.body["id"]), cell(a.body["nonce"]), cell(c["status"]),
                a.body["spec"].is_object() ? cell(a.body["spec"]["anchor"]["height"]) : "-",
                cell(a.body["audit_index"])}});
}

int island_update(const RecordOpts& o) {
  auto token = read_token_file(o.token_file);
  if (!token) return usage(o, token.error());
  auto j = read_json(o.record);
  if (!j) return usage(o, j.error());
  defaults(*j);
  auto isl = engine::island_from_json(*j);
  if (!isl) return usage(o, isl.error());
  int code = 0;
  std::uint64_t nonce = o.nonce;
  if (nonce == 0) {
    auto n = next_nonce(o, isl->spec.id, code);
    if (!n) return code;
    nonce = *n;
  }
  auto sigs = sign_all(domain::island_digest(domain::GovAction::IslandUpdate, isl->spec, nonce), o.keys);
  if (!sigs) return usage(o, sigs.error());
  isl->nonce = nonce;
  isl->signatures = std::move(*sigs);
  auto a = api_put(o.url, "/v1/islands/" + url_encode(isl->spec.id), engine::island_to_json(*isl).dump(), *token);
  if (!a.ok) return report_failure(a.failure, o.json_out);
  print_island_answer(o, a);
  return 0;
}

int client_recover(const RecordOpts& o) {
  auto token = read_token_file(o.token_file);
  if (!token) return usage(o, token.error());
  domain::ClientRecoverRecord rec;
  rec.island = o.island;
  rec.anchor.height = o.height;
  rec.anchor.time_s = o.time_s;
  auto h = hash_from_hex(o.hash);
  if (!h) return usage(o, Error{h.error().code, h.error().detail, "--hash"});
  rec.anchor.hash = *h;
  if (!o.extra.empty()) {
    auto x = from_hex(o.extra, domain::kMaxAnchorExtraBytes);
    if (!x) return usage(o, Error{x.error().code, x.error().detail, "--extra"});
    rec.anchor.extra = std::move(*x);
  }
  // The digest names the island's genesis: read it with the nonce.
  auto a = api_get(o.url, "/v1/islands/" + url_encode(o.island));
  if (!a.ok) return report_failure(a.failure, o.json_out);
  auto genesis = hash_from_hex(a.body.at("genesis").get<std::string>());
  if (!genesis) return usage(o, genesis.error());
  rec.nonce = o.nonce != 0 ? o.nonce : a.body.at("nonce").get<std::uint64_t>() + 1;
  auto sigs = sign_all(domain::recover_digest(rec.island, *genesis, rec.anchor, rec.nonce), o.keys);
  if (!sigs) return usage(o, sigs.error());
  rec.signatures = std::move(*sigs);
  auto r = api_post(o.url, "/v1/islands/" + url_encode(o.island) + "/recover", engine::recover_to_json(rec).dump(),
                    *token);
  if (!r.ok) return report_failure(r.failure, o.json_out);
  print_island_answer(o, r);
  return 0;
}

int channel_close(const RecordOpts& o) {
  auto token = read_token_file(o.token_file);
  if (!token) return usage(o, token.error());
  auto j = read_json(o.record);
  if (!j) return usage(o, j.error());
  if (!j->contains("a") || !j->contains("b"))
    return usage(o, Error{Code::InvalidArgument, "expected {\"a\": …, \"b\": …}", "--record"});
  defaults((*j)["a"]);
  defaults((*j)["b"]);
  auto a = engine::channel_from_json((*j)["a"]);
  if (!a) return usage(o, Error{a.error().code, a.error().detail, "a." + a.error().at});
  auto b = engine::channel_from_json((*j)["b"]);
  if (!b) return usage(o, Error{b.error().code, b.error().detail, "b." + b.error().at});
  int code = 0;
  for (auto* end : {&*a, &*b}) {
    auto n = next_nonce(o, end->spec.island, code);
    if (!n) return code;
    end->nonce = *n;
  }
  // An end's own island genesis is the other end's counterparty_genesis.
  auto sa = sign_all(domain::channel_digest(domain::GovAction::ChannelClose, a->spec, b->spec.counterparty_genesis, a->nonce),
                     o.keys_a);
  if (!sa) return usage(o, sa.error());
  auto sb = sign_all(domain::channel_digest(domain::GovAction::ChannelClose, b->spec, a->spec.counterparty_genesis, b->nonce),
                     o.keys_b);
  if (!sb) return usage(o, sb.error());
  a->signatures = std::move(*sa);
  b->signatures = std::move(*sb);
  const json body = {{"a", engine::channel_to_json(*a)}, {"b", engine::channel_to_json(*b)}};
  auto r = api_post(o.url, "/v1/channels/" + url_encode(o.island) + "/" + url_encode(o.channel) + "/close",
                    body.dump(), *token);
  if (!r.ok) return report_failure(r.failure, o.json_out);
  if (o.json_out) {
    std::cout << r.body.dump(2) << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : r.body["channels"])
    rows.push_back({cell(c["island"]), cell(c["channel"]), cell(c["state"]), cell(r.body["audit_index"])});
  print_table({"ISLAND", "CHANNEL", "STATE", "AUDIT_INDEX"}, rows);
  return 0;
}

void common_options(CLI::App* c, RecordOpts& o) {
  c->add_option("--token-file", o.token_file, "Operator API token file (as `serve --api-token-file`)")->required();
  c->add_option("--url", o.url, "The relay's API")->capture_default_str();
  c->add_flag("--json", o.json_out, "Print the API's JSON");
}

}  // namespace

void add_island_update_command(CLI::App& island, int& exit_code) {
  static RecordOpts o;
  auto* c = island.add_subcommand(
      "update",
      "Update an island (PUT /v1/islands/{id}): the record's spec signed by k of the island's CURRENT governance\n"
      "keys over island_digest(island.update, spec, nonce), nonce = the relay's current + 1.\n"
      "Exit status: 0 applied, 1 the relay refused it or could not be reached, 2 usage or file error.");
  c->add_option("--record", o.record, "Island record JSON with the new spec (nonce and signatures ignored)")->required();
  c->add_option("--key-file", o.keys, "Current governance key file(s): 64 hex digits, mode 0600")->required();
  c->add_option("--nonce", o.nonce, "Record nonce (default: the relay's current nonce + 1)");
  common_options(c, o);
  c->callback([&exit_code] { exit_code = island_update(o); });
}

void add_client_commands(CLI::App& app, int& exit_code) {
  static RecordOpts o;
  auto* client = app.add_subcommand("client", "Light clients of a running relay (operator actions)");
  client->require_subcommand(1);
  auto* c = client->add_subcommand(
      "recover",
      "Recover a frozen or expired client with a governance-signed anchor (POST /v1/islands/{id}/recover):\n"
      "signed by k of the island's current keys over recover_digest(island, genesis, anchor, nonce).\n"
      "Exit status: 0 recovered, 1 the relay refused it or could not be reached, 2 usage or file error.");
  c->add_option("island", o.island, "Island id (CAIP-2)")->required();
  c->add_option("--height", o.height, "Anchor height")->required();
  c->add_option("--hash", o.hash, "Anchor header hash (0x, 32 bytes; Bitcoin: display order)")->required();
  c->add_option("--time-s", o.time_s, "Anchor header time (seconds)")->required();
  c->add_option("--extra", o.extra, "Anchor extra data, 0x hex (bft: the validator-set hash)");
  c->add_option("--key-file", o.keys, "Governance key file(s): 64 hex digits, mode 0600")->required();
  c->add_option("--nonce", o.nonce, "Record nonce (default: the relay's current nonce + 1)");
  common_options(c, o);
  c->callback([&exit_code] { exit_code = client_recover(o); });
}

void add_channel_close_command(CLI::App& channel, int& exit_code) {
  static RecordOpts o;
  auto* c = channel.add_subcommand(
      "close",
      "Close a channel (POST /v1/channels/{island}/{channel}/close): both ends' specs from --record ({\"a\", \"b\"}\n"
      "as `governance sign-channel` reads), each signed by its island's current keys with its nonce + 1.\n"
      "Exit status: 0 closed, 1 the relay refused it or could not be reached, 2 usage or file error.");
  c->add_option("island", o.island, "Island id (CAIP-2) of either end")->required();
  c->add_option("channel", o.channel, "Channel id of that end")->required();
  c->add_option("--record", o.record, "{\"a\": channel record, \"b\": channel record} (nonces and signatures ignored)")
      ->required();
  c->add_option("--key-file-a", o.keys_a, "Governance key file(s) of end a's island")->required();
  c->add_option("--key-file-b", o.keys_b, "Governance key file(s) of end b's island")->required();
  common_options(c, o);
  c->callback([&exit_code] { exit_code = channel_close(o); });
}

void add_committee_commands(CLI::App& app, int& exit_code) {
  static std::string key_file, record;
  static std::vector<std::string> keys, keys_a, keys_b;
  auto* committee = app.add_subcommand("committee", "Relay committee members (k of n attestation keys)");
  committee->require_subcommand(1);
  auto* addr = committee->add_subcommand("address", "Print a member key's address (creates the key file if missing)");
  addr->add_option("--key-file", key_file, "Member attestation key: 64 hex digits, mode 0600")->required();
  addr->callback([&exit_code] {
    auto key = engine::load_or_create_attestation_key(key_file);
    if (!key) {
      exit_code = fail_with("committee address", key.error());
      return;
    }
    const auto a = secp256k1::eth_address(secp256k1::public_key_of(*key));
    std::cout << to_hex(ByteView(a.data(), a.size())) << "\n";
    exit_code = 0;
  });

  auto* gov = app.add_subcommand("governance", "Sign island and channel records with governance keys (offline)");
  gov->require_subcommand(1);
  auto* si = gov->add_subcommand("sign-island", "Sign an island registration record (prints the signed JSON)");
  si->add_option("--record", record, "Island record JSON (docs/relay-core.md \"Configuration\")")->required();
  si->add_option("--key-file", keys, "Governance key file(s): 64 hex digits, mode 0600")->required();
  si->callback([&exit_code] { exit_code = sign_island(record, keys); });
  auto* sc = gov->add_subcommand("sign-channel", "Sign both ends of a channel-open record (prints the signed pair)");
  sc->add_option("--record", record, "{\"a\": channel record, \"b\": channel record}")->required();
  sc->add_option("--key-file-a", keys_a, "Governance key file(s) of end a's island")->required();
  sc->add_option("--key-file-b", keys_b, "Governance key file(s) of end b's island")->required();
  sc->callback([&exit_code] { exit_code = sign_channel(record, keys_a, keys_b); });
}

}  // namespace causeway::app
