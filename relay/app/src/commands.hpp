// Registration of the `causeway` sub-commands. Each adds itself to the CLI11 app; the callback it installs
// sets the process exit code in `exit_code` (documented per command in docs/cli.md).
#pragma once

#include <CLI/CLI.hpp>

namespace causeway::app {

void add_proof_commands(CLI::App& app, int& exit_code);
void add_bitcoin_commands(CLI::App& app, int& exit_code);
void add_bench_commands(CLI::App& app, int& exit_code);
void add_errors_command(CLI::App& app, int& exit_code);
void add_audit_commands(CLI::App& app, int& exit_code);
void add_serve_command(CLI::App& app, int& exit_code);
void add_island_commands(CLI::App& app, int& exit_code);

}  // namespace causeway::app
