# relay/proofs family `ethereum` (PROOF-BUNDLE.md "Family ethereum") through causeway::proofs::verify_bundle.
#   eth_bundle_test        bundles built here from self-sealed headers (QBFT, IBFT 2.0, Clique, rpc-trusted)
#                          and tries built here; packets from core's codec (no outside data: always runs)
#   eth_bundle_anvil_test  a real node: anvil + solc-js from tools/; rpc-trusted bundles from JSON-RPC answers,
#                          verified in-process and by the real `causeway proof verify`. Skipped (exit 77) only
#                          when tools/ is absent and CAUSEWAY_REQUIRE_TOOLS is not 1.
causeway_unit_test(eth_bundle_test
  SOURCES unit/proofs/eth_bundle_test.cpp
  LIBS causeway::proofs causeway::ethereum causeway::merkle causeway::bitcoin)
target_include_directories(eth_bundle_test PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/proofs ${CMAKE_CURRENT_SOURCE_DIR}/unit/ethereum)

set(CAUSEWAY_TOOLS_DIR "${CMAKE_SOURCE_DIR}/tools" CACHE PATH "Pinned test tools (deploy/install-deps.sh)")
add_executable(eth_bundle_anvil_test
  integration/eth_bundle_anvil_test.cpp integration/anvil_node.cpp integration/anvil_process.cpp
  integration/anvil_main.cpp)
target_link_libraries(eth_bundle_anvil_test PRIVATE
  Catch2::Catch2 nlohmann_json::nlohmann_json causeway::proofs causeway::ethereum_adapter causeway::adapters_common)
target_compile_options(eth_bundle_anvil_test PRIVATE ${CAUSEWAY_WARNINGS})
target_compile_definitions(eth_bundle_anvil_test PRIVATE
  CAUSEWAY_TOOLS_DIR_DEFAULT="${CAUSEWAY_TOOLS_DIR}"
  CAUSEWAY_CONTRACTS_DIR="${CMAKE_CURRENT_SOURCE_DIR}/integration/contracts"
  CAUSEWAY_EXE="$<TARGET_FILE:causeway>")
add_dependencies(eth_bundle_anvil_test causeway)
add_test(NAME eth_bundle_anvil_test COMMAND eth_bundle_anvil_test)
set_tests_properties(eth_bundle_anvil_test PROPERTIES LABELS integration SKIP_RETURN_CODE 77 TIMEOUT 900)
