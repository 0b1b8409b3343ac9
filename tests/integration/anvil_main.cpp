// main() of anvil_integration_test. Skips (exit 77, CTest SKIP_RETURN_CODE) only when the pinned tools are
// absent (no tools/ folder; deploy/install-deps.sh installs it) and CAUSEWAY_REQUIRE_TOOLS is not 1; with
// CAUSEWAY_REQUIRE_TOOLS=1 a missing tools/ folder fails the test instead, and so does an incomplete one.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "anvil_process.hpp"

int main(int argc, char* argv[]) {
  namespace anvil = causeway::testing::anvil;
  const auto tools = anvil::tools_dir();
  if (!std::filesystem::is_directory(tools)) {
    const char* req = std::getenv("CAUSEWAY_REQUIRE_TOOLS");
    if (req != nullptr && std::string(req) == "1") {
      std::fprintf(stderr, "tools folder %s is missing and CAUSEWAY_REQUIRE_TOOLS=1 (run deploy/install-deps.sh)\n",
                   tools.c_str());
      return 1;
    }
    std::fprintf(stderr, "tools folder %s is absent (run deploy/install-deps.sh): skipped\n", tools.c_str());
    return 77;
  }
  if (!anvil::tools_present(tools)) {
    std::fprintf(stderr, "tools folder %s is incomplete: re-run deploy/install-deps.sh\n", tools.c_str());
    return 1;
  }
  return Catch::Session().run(argc, argv);
}
