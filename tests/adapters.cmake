# adapters/common and adapters/ethereum tests.
#   adapters_common_test      unit: JSON-RPC client against an in-process fake HTTP server (always runs)
#   ethereum_adapter_test     unit: strict decoding of captured anvil blocks, receipts, eth_getProof
#   adapters_vectors_test     real eth_getBlockByNumber / eth_getProof answers from ../shared/vectors
#   anvil_integration_test    a real node: anvil + solc-js from tools/ (deploy/install-deps.sh). Skipped
#                             (exit 77) only when tools/ is absent and CAUSEWAY_REQUIRE_TOOLS is not 1.
set(CAUSEWAY_TOOLS_DIR "${CMAKE_SOURCE_DIR}/tools" CACHE PATH "Pinned test tools (deploy/install-deps.sh)")

causeway_unit_test(adapters_common_test
  SOURCES unit/adapters/json_rpc_test.cpp
  LIBS causeway::adapters_common Threads::Threads)
causeway_unit_test(ethereum_adapter_test
  SOURCES unit/adapters/rpc_block_test.cpp
  LIBS causeway::ethereum_adapter)

causeway_vector_test(adapters_vectors_test
  SOURCES vectors/adapters/rpc_vectors_test.cpp
  LIBS causeway::ethereum_adapter)

add_executable(anvil_integration_test
  integration/anvil_integration_test.cpp integration/anvil_node.cpp integration/anvil_process.cpp
  integration/anvil_main.cpp)
target_link_libraries(anvil_integration_test PRIVATE
  Catch2::Catch2 nlohmann_json::nlohmann_json causeway::ethereum_adapter causeway::adapters_common)
target_compile_options(anvil_integration_test PRIVATE ${CAUSEWAY_WARNINGS})
target_compile_definitions(anvil_integration_test PRIVATE
  CAUSEWAY_TOOLS_DIR_DEFAULT="${CAUSEWAY_TOOLS_DIR}"
  CAUSEWAY_CONTRACTS_DIR="${CMAKE_CURRENT_SOURCE_DIR}/integration/contracts"
  CAUSEWAY_VECTORS_DEFAULT="${CAUSEWAY_VECTORS}")
add_test(NAME anvil_integration_test COMMAND anvil_integration_test)
set_tests_properties(anvil_integration_test PROPERTIES LABELS integration SKIP_RETURN_CODE 77 TIMEOUT 900)
