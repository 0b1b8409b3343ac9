// `causeway errors [--json|--markdown]`: every stable error code with its meaning (docs/error-codes.md is
// generated from this output, so the list and the docs cannot drift).
#include <iostream>
#include <nlohmann/json.hpp>

#include "causeway/core/error.hpp"
#include "commands.hpp"

namespace causeway::app {

void add_errors_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("errors", "List every stable error code and its meaning");
  static bool as_json = false, as_markdown = false;
  cmd->add_flag("--json", as_json, "One JSON array of {code, meaning}");
  cmd->add_flag("--markdown", as_markdown, "A Markdown table (docs/error-codes.md)");
  cmd->callback([&exit_code] {
    nlohmann::json list = nlohmann::json::array();
#define CAUSEWAY_X(name, str, doc) list.push_back({{"code", str}, {"meaning", doc}});
    CAUSEWAY_ERROR_CODES(CAUSEWAY_X)
#undef CAUSEWAY_X
    if (as_json) {
      std::cout << list.dump(2) << "\n";
    } else if (as_markdown) {
      std::cout << "| code | meaning |\n|---|---|\n";
      for (const auto& e : list)
        std::cout << "| `" << e["code"].get<std::string>() << "` | " << e["meaning"].get<std::string>() << " |\n";
    } else {
      for (const auto& e : list)
        std::cout << e["code"].get<std::string>() << "  " << e["meaning"].get<std::string>() << "\n";
    }
    exit_code = 0;
  });
}

}  // namespace causeway::app
