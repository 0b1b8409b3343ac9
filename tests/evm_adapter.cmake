# adapters/ethereum EVM chain adapter (issue #7, docs/adapters.md "EVM"):
#   evm_adapter_test             unit: HeadFollower reorgs on a synthetic chain, EndpointPool demotion and
#                                metrics, revert-reason codes, EIP-1559 signing (always runs)
#   evm_adapter_anvil_test       two real anvil chains (tools/) with the contracts deployed: PacketSent scan →
#                                fetch_proof → verify_bundle; receipts fallback; delivery + lookup + replay
#                                refused without nonce advance (A24/A27/A30); nonce drift; non-delivery storage
#                                proof; lying endpoints demoted; reorg detected. Skipped (exit 77) only when
#                                tools/ is absent and CAUSEWAY_REQUIRE_TOOLS is not 1.
causeway_unit_test(evm_adapter_test
  SOURCES unit/adapters/evm_adapter_test.cpp
  LIBS causeway::evm_adapter)

set(CAUSEWAY_TOOLS_DIR "${CMAKE_SOURCE_DIR}/tools" CACHE PATH "Pinned test tools (deploy/install-deps.sh)")
if(NOT TARGET fake_rpc_server)
  add_library(fake_rpc_server OBJECT integration/adapters/fake_rpc_server.cpp)
  target_link_libraries(fake_rpc_server PUBLIC nlohmann_json::nlohmann_json Boost::headers Threads::Threads)
  target_include_directories(fake_rpc_server PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/integration/adapters)
  target_compile_options(fake_rpc_server PRIVATE ${CAUSEWAY_WARNINGS})
endif()
add_executable(evm_adapter_anvil_test
  integration/adapters/evm_adapter_anvil_test.cpp integration/anvil_node.cpp integration/anvil_process.cpp
  integration/anvil_main.cpp)
target_link_libraries(evm_adapter_anvil_test PRIVATE
  Catch2::Catch2 nlohmann_json::nlohmann_json causeway::evm_adapter causeway::proofs fake_rpc_server)
target_include_directories(evm_adapter_anvil_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/integration)
target_compile_options(evm_adapter_anvil_test PRIVATE ${CAUSEWAY_WARNINGS})
target_compile_definitions(evm_adapter_anvil_test PRIVATE
  CAUSEWAY_TOOLS_DIR_DEFAULT="${CAUSEWAY_TOOLS_DIR}"
  CAUSEWAY_CONTRACTS_DIR="${CMAKE_CURRENT_SOURCE_DIR}/integration/contracts")
add_test(NAME evm_adapter_anvil_test COMMAND evm_adapter_anvil_test)
set_tests_properties(evm_adapter_anvil_test PROPERTIES LABELS integration SKIP_RETURN_CODE 77 TIMEOUT 900)
