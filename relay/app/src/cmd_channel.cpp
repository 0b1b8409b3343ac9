// `causeway channel list [--island ID]` against a running relay (GET /v1/channels). docs/cli.md.
// Exit codes: 0 ok, 1 relay error or unreachable, 2 usage.
#include <iostream>

#include "api_client.hpp"
#include "commands.hpp"

namespace causeway::app {
namespace {

struct ChannelOpts {
  std::string url = kDefaultApiUrl;
  std::string island;
  bool json_out = false;
};

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
                    cell(c["opened_index"])});
  print_table({"ISLAND", "CHANNEL", "PORT", "COUNTERPARTY", "ORDERING", "AUDIT_INDEX"}, rows);
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
}

}  // namespace causeway::app
