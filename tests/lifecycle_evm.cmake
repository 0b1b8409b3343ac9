# The packet lifecycle between EVM islands (H6; docs/relay-core.md "Acknowledgements", "Timeouts and refunds"):
#   lifecycle_evm_test   integration: two real anvil chains (tools/) with the contracts deployed, the relay engine
#                        in-process with the EVM adapters — an ERC-20 transfer A → B delivered (voucher minted on B)
#                        and acknowledged back on A (A30); an AcknowledgementWritten of an unregistered endpoint
#                        refused (A19); a withheld transfer timed out by a verified receipt-slot proof past its
#                        timeout and refunded exactly once on A (A21). Balances exact. Skipped (exit 77) only when
#                        tools/ is absent and CAUSEWAY_REQUIRE_TOOLS is not 1.
if(TARGET evm_adapter AND TARGET engine)
  set(CAUSEWAY_TOOLS_DIR "${CMAKE_SOURCE_DIR}/tools" CACHE PATH "Pinned test tools (deploy/install-deps.sh)")
  add_executable(lifecycle_evm_test
    integration/lifecycle/lifecycle_evm_test.cpp integration/anvil_node.cpp integration/anvil_process.cpp
    integration/anvil_main.cpp ${CMAKE_SOURCE_DIR}/relay/app/src/evm_island_records.cpp)
  target_link_libraries(lifecycle_evm_test PRIVATE Catch2::Catch2 nlohmann_json::nlohmann_json
    causeway::engine causeway::evm_adapter causeway::ethereum_contracts Threads::Threads)
  target_include_directories(lifecycle_evm_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/integration
    ${CMAKE_SOURCE_DIR}/relay/app/src)  # evm_island_records.hpp, shared with `causeway bench e2e`
  target_compile_options(lifecycle_evm_test PRIVATE ${CAUSEWAY_WARNINGS})
  target_compile_definitions(lifecycle_evm_test PRIVATE
    CAUSEWAY_TOOLS_DIR_DEFAULT="${CAUSEWAY_TOOLS_DIR}"
    CAUSEWAY_CONTRACTS_DIR="${CMAKE_CURRENT_SOURCE_DIR}/integration/contracts")
  add_test(NAME lifecycle_evm_test COMMAND lifecycle_evm_test)
  set_tests_properties(lifecycle_evm_test PROPERTIES LABELS integration SKIP_RETURN_CODE 77 TIMEOUT 900)
endif()
