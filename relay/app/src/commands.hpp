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
void add_committee_commands(CLI::App& app, int& exit_code);  // cmd_committee.cpp
// API v1 clients and local tools (issue #6; docs/cli.md): cmd_channel.cpp, cmd_packet.cpp (also `proof get`,
// registered after add_proof_commands), cmd_keys.cpp, cmd_config.cpp.
void add_channel_commands(CLI::App& app, int& exit_code);
void add_packet_commands(CLI::App& app, int& exit_code);
void add_keys_commands(CLI::App& app, int& exit_code);
void add_config_commands(CLI::App& app, int& exit_code);
// EVM governance (`island register-channel|register-asset|deploy-token`, after add_island_commands) and
// `transfer send`: cmd_evm_channel.cpp, cmd_transfer.cpp.
void add_evm_channel_commands(CLI::App& app, int& exit_code);
void add_transfer_commands(CLI::App& app, int& exit_code);

}  // namespace causeway::app
