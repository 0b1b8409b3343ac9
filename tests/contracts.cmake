# adapters/ethereum/contracts: the Causeway Solidity contracts and their C++ library (docs/contracts.md).
#   ethereum_contracts_test  unit: EIP-155 signing (the EIP's own example), CREATE addresses, call encodings
#                            against core's packet codec (always runs)
#   contracts_anvil_test     a real node: anvil + solc-js from tools/; the golden values of
#                            ../shared/vectors/packet on-chain, every receive rule, escrow → voucher → burn →
#                            release, refunds exactly once, A04/A08/A17/A20, receipts provable at slot 0, and
#                            `causeway island deploy-contracts` as a process. Skipped (exit 77) only when tools/ is
#                            absent and CAUSEWAY_REQUIRE_TOOLS is not 1.
causeway_unit_test(ethereum_contracts_test
  SOURCES unit/adapters/evm_contracts_test.cpp
  LIBS causeway::ethereum_contracts)

set(CAUSEWAY_TOOLS_DIR "${CMAKE_SOURCE_DIR}/tools" CACHE PATH "Pinned test tools (deploy/install-deps.sh)")
add_executable(contracts_anvil_test
  integration/contracts_anvil_test.cpp integration/anvil_node.cpp integration/anvil_process.cpp
  integration/anvil_main.cpp)
target_link_libraries(contracts_anvil_test PRIVATE
  Catch2::Catch2 nlohmann_json::nlohmann_json causeway::ethereum_contracts causeway::ethereum_adapter
  causeway::adapters_common)
target_compile_options(contracts_anvil_test PRIVATE ${CAUSEWAY_WARNINGS})
target_compile_definitions(contracts_anvil_test PRIVATE
  CAUSEWAY_TOOLS_DIR_DEFAULT="${CAUSEWAY_TOOLS_DIR}"
  CAUSEWAY_CONTRACTS_DIR="${CMAKE_CURRENT_SOURCE_DIR}/integration/contracts"
  CAUSEWAY_VECTORS_DEFAULT="${CAUSEWAY_VECTORS}"
  CAUSEWAY_EXE="$<TARGET_FILE:causeway>")
add_dependencies(contracts_anvil_test causeway)
add_test(NAME contracts_anvil_test COMMAND contracts_anvil_test)
set_tests_properties(contracts_anvil_test PROPERTIES LABELS integration SKIP_RETURN_CODE 77 TIMEOUT 900)
