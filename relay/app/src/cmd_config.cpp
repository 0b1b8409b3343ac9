// `causeway config validate FILE [--json]` (docs/cli.md, docs/configuration.md): the relay configuration
// (TOML when FILE ends in .toml, else JSON) is checked in three steps, stopping at the first failure:
//   1. read and parse (engine::load_config_document)                     ERR_IO / ERR_INVALID_ARGUMENT
//   2. schemas/config.schema.json, draft-07 (valijson through the gateway's embedded schemas)
//                                                                          ERR_BODY_SCHEMA at the failing path
//   3. engine::config_from_json (what `causeway serve --config` reads), then engine::check_config — the same
//      function serve runs: every island record through relay/domain's registry (spec rules and the governance
//      signatures, A01/A04) and the [[adapters.islands]] entries (island registered, RPC and ws URLs)
//                                                                          its error codes
// Exit codes: 0 valid, 2 invalid or unreadable (the message names the file, the rule and the place).
#include <iostream>
#include <nlohmann/json.hpp>

#include "causeway/engine/config.hpp"
#include "causeway/gateway/json_body.hpp"
#include "commands.hpp"

namespace causeway::app {
namespace {

using nlohmann::json;

struct ConfigOpts {
  std::string file;
  bool json_out = false;
};

int invalid(const ConfigOpts& o, const Error& e) {
  if (o.json_out) {
    std::cout << json{{"ok", false}, {"file", o.file},
                      {"error", {{"code", code_name(e.code)}, {"message", e.detail}, {"at", e.at}}}}.dump(2)
              << "\n";
  } else {
    std::cerr << o.file << ": invalid: " << code_name(e.code) << (e.at.empty() ? "" : " at " + e.at) << ": " << e.detail
              << "\n";
  }
  return 2;
}

int validate(const ConfigOpts& o) {
  auto doc = engine::load_config_document(o.file);
  if (!doc) return invalid(o, doc.error());
  if (auto s = gateway::validate_json(*doc, "config.schema.json"); !s) return invalid(o, s.error());
  auto cfg = engine::config_from_json(*doc);
  if (!cfg) return invalid(o, cfg.error());
  if (auto s = engine::check_config(*cfg); !s) return invalid(o, s.error());  // the checks serve runs
  const std::size_t members = cfg->committee.members.empty() ? 1 : cfg->committee.members.size();
  if (o.json_out) {
    std::cout << json{{"ok", true}, {"file", o.file}, {"islands", cfg->islands.size()},
                      {"channels", cfg->channels.size()},
                      {"committee", {{"threshold", cfg->committee.threshold}, {"members", members}}}}.dump(2)
              << "\n";
  } else {
    std::cout << o.file << ": valid (" << cfg->islands.size() << " islands, " << cfg->channels.size()
              << " channels, committee " << cfg->committee.threshold << " of " << members << ")\n";
  }
  return 0;
}

}  // namespace

void add_config_commands(CLI::App& app, int& exit_code) {
  static ConfigOpts o;
  auto* config = app.add_subcommand("config", "The relay configuration file");
  config->require_subcommand(1);
  auto* v = config->add_subcommand("validate", "Check a config file against schemas/config.schema.json and the domain rules");
  v->add_option("file", o.file, "Config file (.toml or JSON)")->required();
  v->add_flag("--json", o.json_out, "Print JSON");
  v->callback([&exit_code] { exit_code = validate(o); });
}

}  // namespace causeway::app
