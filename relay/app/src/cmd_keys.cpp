// `causeway keys add|list|rotate` (docs/cli.md "keys"): the relay's keys in its data dir.
//   attestation  <data-dir>/attestation.key — signs this relay's attestations; its address IS the relay's
//                committee member address (rotating it changes the member: update every relay's
//                [committee] members and the islands' endpoint committees before restarting).
//   submitter    <data-dir>/submitter.key — pays for delivery transactions on destination islands.
// Key files: 64 hex digits, created with O_EXCL, mode 0600, fsynced (engine::load_or_create_attestation_key);
// a file group or others may access is refused (ERR_KEY_PERMISSIONS). `rotate` renames the old file to
// <name>.key.<UTC yyyymmddThhmmssZ> (kept, still 0600) and creates a new key. Run it with the relay stopped.
// Exit codes: 0 ok, 1 refused (exists, missing, permissions, I/O), 2 usage.
#include <sys/stat.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "causeway/core/hex.hpp"
#include "causeway/core/secp256k1.hpp"
#include "causeway/engine/relay.hpp"
#include "commands.hpp"

namespace causeway::app {
namespace {

using nlohmann::json;

struct KeysOpts {
  std::string data_dir = "./causeway-data";
  std::string which;
  bool json_out = false;
};

std::string key_path(const KeysOpts& o, const std::string& which) { return o.data_dir + "/" + which + ".key"; }

std::string address_of(const secp256k1::SecretKey& sk) {
  const auto a = secp256k1::eth_address(secp256k1::public_key_of(sk));
  return to_hex(ByteView(a.data(), a.size()));
}

int fail_with(const KeysOpts& o, const Error& e) {
  if (o.json_out)
    std::cout << json{{"ok", false}, {"error", {{"code", code_name(e.code)}, {"message", e.detail}}}}.dump(2) << "\n";
  else
    std::cerr << "error: " << code_name(e.code) << ": " << e.detail << "\n";
  return 1;
}

bool exists(const std::string& p) {
  struct stat st {};
  return ::lstat(p.c_str(), &st) == 0;
}

Status ensure_dir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return fail(Code::Io, "cannot create " + dir + ": " + ec.message());
  return {};
}

int keys_add(const KeysOpts& o) {
  const std::string path = key_path(o, o.which);
  if (exists(path)) return fail_with(o, Error{Code::Io, path + " already exists (use `causeway keys rotate " + o.which + "`)", ""});
  if (auto s = ensure_dir(o.data_dir); !s) return fail_with(o, s.error());
  auto sk = engine::load_or_create_attestation_key(path);
  if (!sk) return fail_with(o, sk.error());
  if (o.json_out)
    std::cout << json{{"ok", true}, {"key", o.which}, {"file", path}, {"address", address_of(*sk)}}.dump(2) << "\n";
  else
    std::cout << o.which << " key created: " << path << " (mode 0600)\naddress " << address_of(*sk) << "\n";
  return 0;
}

int keys_list(const KeysOpts& o) {
  json out = json::array();
  int rc = 0;
  for (const std::string which : {"attestation", "submitter"}) {
    const std::string path = key_path(o, which);
    json k = {{"key", which}, {"file", path}};
    if (!exists(path)) {
      k["present"] = false;
    } else {
      k["present"] = true;
      auto sk = engine::load_or_create_attestation_key(path);
      if (sk) {
        k["address"] = address_of(*sk);
      } else {
        k["error"] = {{"code", code_name(sk.error().code)}, {"message", sk.error().detail}};
        rc = 1;
      }
    }
    out.push_back(k);
  }
  if (o.json_out) {
    std::cout << json{{"ok", rc == 0}, {"keys", out}}.dump(2) << "\n";
    return rc;
  }
  for (const auto& k : out) {
    std::cout << k["key"].get<std::string>() << "  " << k["file"].get<std::string>() << "  ";
    if (!k["present"].get<bool>()) std::cout << "absent\n";
    else if (k.contains("address")) std::cout << k["address"].get<std::string>() << "\n";
    else std::cout << "ERROR " << k["error"]["code"].get<std::string>() << ": " << k["error"]["message"].get<std::string>() << "\n";
  }
  return rc;
}

int keys_rotate(const KeysOpts& o) {
  const std::string path = key_path(o, o.which);
  if (!exists(path)) return fail_with(o, Error{Code::Io, path + " does not exist (use `causeway keys add " + o.which + "`)", ""});
  auto old = engine::load_or_create_attestation_key(path);
  if (!old) return fail_with(o, old.error());
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  const std::string kept = path + "." + stamp;
  if (exists(kept)) return fail_with(o, Error{Code::Io, kept + " already exists; retry in a second", ""});
  std::error_code ec;
  std::filesystem::rename(path, kept, ec);
  if (ec) return fail_with(o, Error{Code::Io, "cannot rename " + path + ": " + ec.message(), ""});
  auto sk = engine::load_or_create_attestation_key(path);
  if (!sk) return fail_with(o, sk.error());
  const std::string note = o.which == "attestation"
                               ? "the relay's committee member address changed: update [committee] members of every "
                                 "relay and the islands' committees before restarting"
                               : "fund the new submitter address on every destination island";
  if (o.json_out) {
    std::cout << json{{"ok", true}, {"key", o.which}, {"file", path}, {"old_file", kept},
                      {"old_address", address_of(*old)}, {"address", address_of(*sk)}, {"note", note}}.dump(2)
              << "\n";
  } else {
    std::cout << o.which << " key rotated: old key kept as " << kept << "\nold address " << address_of(*old)
              << "\nnew address " << address_of(*sk) << "\nnote: " << note << "\n";
  }
  return 0;
}

}  // namespace

void add_keys_commands(CLI::App& app, int& exit_code) {
  static KeysOpts o;
  auto* keys = app.add_subcommand("keys", "The relay's attestation and submitter keys (data dir, mode 0600)");
  keys->require_subcommand(1);
  auto* add = keys->add_subcommand("add", "Create a key that does not exist yet; prints its address");
  auto* list = keys->add_subcommand("list", "The keys in the data dir and their addresses");
  auto* rotate = keys->add_subcommand("rotate", "Keep the old key renamed with a UTC timestamp, create a new one");
  for (auto* c : {add, rotate})
    c->add_option("key", o.which, "attestation | submitter")->required()->check(CLI::IsMember({"attestation", "submitter"}));
  for (auto* c : {add, list, rotate}) {
    c->add_option("--data-dir", o.data_dir, "Data directory")->capture_default_str();
    c->add_flag("--json", o.json_out, "Print JSON");
  }
  add->callback([&exit_code] { exit_code = keys_add(o); });
  list->callback([&exit_code] { exit_code = keys_list(o); });
  rotate->callback([&exit_code] { exit_code = keys_rotate(o); });
}

}  // namespace causeway::app
