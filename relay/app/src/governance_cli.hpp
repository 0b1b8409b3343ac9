// Governance records against a running relay (docs/cli.md "Governance records"; docs/api.md): each command reads
// the record's content, asks the relay for the island's current governance nonce (GET /v1/islands/{id}; nonce =
// current + 1 unless --nonce is given), signs locally with the governance key files (64 hex digits, mode 0600;
// relay/domain digests) and sends it with the operator token (--token-file):
//   island update --record FILE --key-file K… --token-file F        PUT /v1/islands/{id} (island.update)
//   client recover ISLAND --height H --hash X --time-s T [--extra HEX] --key-file K… --token-file F
//                                                                    POST /v1/islands/{id}/recover
//   channel close ISLAND CHANNEL --record FILE --key-file-a K… --key-file-b K… --token-file F
//                                                                    POST /v1/channels/{island}/{channel}/close
// Exit codes: 0 applied, 1 the relay refused it or could not be reached, 2 usage, unreadable record, token or key
// file. Implemented in cmd_committee.cpp (beside `governance sign-island|sign-channel`).
#pragma once

#include <CLI/CLI.hpp>

namespace causeway::app {

void add_island_update_command(CLI::App& island, int& exit_code);
void add_client_commands(CLI::App& app, int& exit_code);
void add_channel_close_command(CLI::App& channel, int& exit_code);

}  // namespace causeway::app
