# adapters/devnet/node tests (full build only; docs/devnet.md):
#   devnet_node_test           unit: chain logic in-process — endpoint rules, transfer app, refunds, validator-set
#                              changes, persistence, light-client verification of produced blocks (both suites);
#                              hostile JSON-RPC input and inconsistent data dirs (hardening_test.cpp)
#   devnet_vectors_test        ../shared/vectors/packet/golden-v1.json reproduced by the devnet module
#   devnet_integration_test    the real causeway-devnet executable (1,000 blocks through the light client,
#                              rotation, WebSocket, restarts)
add_library(devnet_test_fixture OBJECT unit/devnet/fixture.cpp)
target_link_libraries(devnet_test_fixture PUBLIC causeway::devnet_node)
target_include_directories(devnet_test_fixture PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/unit/devnet)
target_compile_options(devnet_test_fixture PRIVATE ${CAUSEWAY_WARNINGS})

causeway_unit_test(devnet_node_test
  SOURCES unit/devnet/chain_test.cpp unit/devnet/hardening_test.cpp $<TARGET_OBJECTS:devnet_test_fixture>
  LIBS causeway::devnet_node devnet_test_fixture)

causeway_vector_test(devnet_vectors_test
  SOURCES vectors/devnet/devnet_golden_test.cpp $<TARGET_OBJECTS:devnet_test_fixture>
  LIBS causeway::devnet_node devnet_test_fixture)

add_executable(devnet_integration_test
  integration/devnet/devnet_integration_test.cpp integration/devnet/ws_client.cpp integration/anvil_process.cpp
  $<TARGET_OBJECTS:causeway_catch_main>)
target_link_libraries(devnet_integration_test PRIVATE Catch2::Catch2 nlohmann_json::nlohmann_json
  causeway::devnet_node causeway::adapters_common Boost::headers Threads::Threads)
target_include_directories(devnet_integration_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/integration)
target_compile_options(devnet_integration_test PRIVATE ${CAUSEWAY_WARNINGS})
target_compile_definitions(devnet_integration_test PRIVATE
  CAUSEWAY_DEVNET_BIN="$<TARGET_FILE:causeway-devnet>" CAUSEWAY_TOOLS_DIR_DEFAULT="")
add_dependencies(devnet_integration_test causeway-devnet)
add_test(NAME devnet_integration_test COMMAND devnet_integration_test)
set_tests_properties(devnet_integration_test PROPERTIES LABELS integration TIMEOUT 1500)
