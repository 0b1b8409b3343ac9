// `causeway`: the cross-chain relay's command-line entry point. Exit codes: 0 success, 1 a verification or
// operation failed, 2 bad usage or unreadable input (docs/cli.md).
#include <cstdio>
#include <exception>
#include <string_view>

#include "commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Causeway: a cross-chain relay that accepts nothing without proof.\n"
               "Run 'causeway <command> --help' for a command's options.", "causeway"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "causeway 0.1.0");
  int exit_code = 0;
  causeway::app::add_proof_commands(app, exit_code);
  causeway::app::add_bitcoin_commands(app, exit_code);
  causeway::app::add_bench_commands(app, exit_code);
  causeway::app::add_errors_command(app, exit_code);
  causeway::app::add_audit_commands(app, exit_code);
  causeway::app::add_serve_command(app, exit_code);
  causeway::app::add_island_commands(app, exit_code);
  causeway::app::add_committee_commands(app, exit_code);
  causeway::app::add_channel_commands(app, exit_code);
  causeway::app::add_packet_commands(app, exit_code);  // after add_proof_commands: adds `proof get`
  causeway::app::add_keys_commands(app, exit_code);
  causeway::app::add_config_commands(app, exit_code);
  causeway::app::add_evm_channel_commands(app, exit_code);  // after add_island_commands
  causeway::app::add_transfer_commands(app, exit_code);
  // `causeway help` and `causeway version` are the usual spellings of --help and --version.
  if (argc == 2 && std::string_view(argv[1]) == "help") {
    std::fputs(app.help().c_str(), stdout);
    return 0;
  }
  if (argc == 2 && std::string_view(argv[1]) == "version") {
    std::puts("causeway 0.1.0");
    return 0;
  }
  if (argc == 1) {  // no command: the help, as a usage error
    std::fputs(app.help().c_str(), stderr);
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  } catch (const std::exception& e) {  // e.g. a path that is not valid UTF-8: an error, never an abort
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
  return exit_code;
}
