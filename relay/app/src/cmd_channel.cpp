// `causeway channel list [--island ID]` against a running relay (GET /v1/channels), and the operator's
// `causeway channel resume ISLAND CHANNEL --token-file F [--operator NAME] [--reason TEXT]` (POST
// /v1/channels/{island}/{channel}/resume: re-opens a channel halted by an escrow-invariant break, A05).
// docs/cli.md. Exit codes: 0 ok, 1 relay error or unreachable, 2 usage.
#include <iostream>

#include "api_client.hpp"
#include "commands.hpp"
#include "file_io.hpp"
#include "governance_cli.hpp"

namespace causeway::app {
namespace {

struct ChannelOpts {
  std::string url = kDefaultApiUrl;
  std::string island;
  bool json_out = false;
};

struct ResumeOpts {
  std::string url = kDefaultApiUrl;
  std::string island;
  std::string channel;
  std::string token_file;
  std::string operator_name;
  std::string reason;
  bool json_out = false;
};

int channel_resume(const ResumeOpts& o) {
  auto token = read_token_file(o.token_file);
  if (!token)
    return report_failure(ApiFailure{2, 0, std::string(code_name(token.error().code)), token.error().detail}, o.json_out);
  nlohmann::json body = nlohmann::json::object();
  if (!o.operator_name.empty()) body["operator"] = o.operator_name;
  if (!o.reason.empty()) body["reason"] = o.reason;
  auto a = api_post(o.url, "/v1/channels/" + url_encode(o.island) + "/" + url_encode(o.channel) + "/resume",
                    body.dump(), *token);
  if (!a.ok) return report_failure(a.failure, o.json_out);
  if (o.json_out) {
    std::cout << a.body.dump(2) << "\n";
    return 0;
  }
  print_table({"CHANNEL", "STATE", "ATTESTED", "AUDIT_INDEX"},
              {{cell(a.body["channel"]), cell(a.body["state"]), cell(a.body["attested"]), cell(a.body["audit_index"])}});
  return 0;
}

int channel_list(const ChannelOpts& o) {
  auto a = api_get(o.url, "/v1/channels" + (o.island.empty() ? std::string() : "?island=" + url_encode(o.island)));
  if (!a.ok) return report_failure(a.failure, o.json_out);
  if (o.json_out) {
    std::cout << a.body.dump(2) << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : a.body["channels"])
    rows.push_back({cell(c["island"]), cell(c["channel"]), cell(c["port"]),
                    cell(c["counterparty_island"]) + "/" + cell(c["counterparty_channel"]), cell(c["ordering"]),
                    cell(c.value("state", nlohmann::json())), cell(c["opened_index"])});
  print_table({"ISLAND", "CHANNEL", "PORT", "COUNTERPARTY", "ORDERING", "STATE", "AUDIT_INDEX"}, rows);
  return 0;
}

}  // namespace

void add_channel_commands(CLI::App& app, int& exit_code) {
  static ChannelOpts o;
  auto* channel = app.add_subcommand("channel", "Channels of a running relay");
  channel->require_subcommand(1);
  auto* list = channel->add_subcommand("list", "List channel ends (GET /v1/channels)");
  list->add_option("--url", o.url, "The relay's API")->capture_default_str();
  list->add_option("--island", o.island, "Only this island's ends");
  list->add_flag("--json", o.json_out, "Print the API's JSON");
  list->callback([&exit_code] { exit_code = channel_list(o); });
  static ResumeOpts r;
  auto* resume = channel->add_subcommand(
      "resume", "Operator: resume a channel halted by an escrow-invariant break (POST /v1/channels/{island}/{channel}/resume)");
  resume->add_option("island", r.island, "Island id (CAIP-2) of either end")->required();
  resume->add_option("channel", r.channel, "Channel id of that end")->required();
  resume->add_option("--token-file", r.token_file, "Operator API token file (as `serve --api-token-file`)")->required();
  resume->add_option("--operator", r.operator_name, "Operator name recorded in the audit log (default \"operator\")");
  resume->add_option("--reason", r.reason, "Why the channel may resume (audit log)");
  resume->add_option("--url", r.url, "The relay's API")->capture_default_str();
  resume->add_flag("--json", r.json_out, "Print the API's JSON");
  resume->callback([&exit_code] { exit_code = channel_resume(r); });
  add_channel_close_command(*channel, exit_code);  // governance_cli.hpp
}

}  // namespace causeway::app
