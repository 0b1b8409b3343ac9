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
#include "commands.hpp"

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

}  // namespace

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
