// `causeway-devnet genesis` and `causeway-devnet tx …`: client-side helpers of the executable (docs/devnet.md
// "Command line"). They sign transactions locally and submit them over JSON-RPC to a running node.
#pragma once

#include <CLI/CLI.hpp>

namespace causeway::devnet::cli {

// Adds the `tx` subcommand tree to `app`; the chosen command stores its exit status in `exit_code`.
void add_tx_commands(CLI::App& app, int& exit_code);

}  // namespace causeway::devnet::cli
