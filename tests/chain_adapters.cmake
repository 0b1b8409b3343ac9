# adapters/devnet and adapters/bitcoin tests (full build only; docs/adapters.md):
#   bitcoin_adapter_test             unit: BIP 37 partial Merkle trees (Core's rules), header files,
#                                    a regtest deposit proven end to end through a fake Bitcoin Core (loopback)
#   bitcoin_adapter_vectors_test     a fake Bitcoin Core answering from the real mainnet vectors in
#                                    ../shared/vectors/bitcoin: headers, transactions, gettxoutproof → bundle →
#                                    verify_bundle; malformed answers refused with their codes
#   devnet_adapter_integration_test  two real causeway-devnet processes (--block-time 20): headers through
#                                    bft::LightClient, fetch_proof → verify_bundle, delivery with committee
#                                    attestations, lookup, replay refused, scans, WebSocket new heads with reconnect
add_library(fake_rpc_server OBJECT integration/adapters/fake_rpc_server.cpp)
target_link_libraries(fake_rpc_server PUBLIC nlohmann_json::nlohmann_json Boost::headers Threads::Threads)
target_include_directories(fake_rpc_server PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/integration/adapters)
target_compile_options(fake_rpc_server PRIVATE ${CAUSEWAY_WARNINGS})

causeway_unit_test(bitcoin_adapter_test
  SOURCES unit/adapters/bitcoin_adapter_test.cpp $<TARGET_OBJECTS:fake_rpc_server>
  LIBS causeway::bitcoin_adapter causeway::proofs causeway::bitcoin fake_rpc_server)
target_include_directories(bitcoin_adapter_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit/proofs
                           ${CMAKE_CURRENT_SOURCE_DIR}/unit/bitcoin)

causeway_vector_test(bitcoin_adapter_vectors_test
  SOURCES vectors/adapters/bitcoin_adapter_vectors_test.cpp $<TARGET_OBJECTS:fake_rpc_server>
  LIBS causeway::bitcoin_adapter causeway::proofs causeway::bitcoin fake_rpc_server)
target_include_directories(bitcoin_adapter_vectors_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit/proofs)

add_executable(devnet_adapter_integration_test
  integration/adapters/devnet_adapter_test.cpp integration/anvil_process.cpp
  $<TARGET_OBJECTS:causeway_catch_main>)
target_link_libraries(devnet_adapter_integration_test PRIVATE Catch2::Catch2 nlohmann_json::nlohmann_json
  causeway::devnet_adapter causeway::devnet_node causeway::proofs causeway::bft Threads::Threads)
target_include_directories(devnet_adapter_integration_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/integration)
target_compile_options(devnet_adapter_integration_test PRIVATE ${CAUSEWAY_WARNINGS})
target_compile_definitions(devnet_adapter_integration_test PRIVATE
  CAUSEWAY_DEVNET_BIN="$<TARGET_FILE:causeway-devnet>" CAUSEWAY_TOOLS_DIR_DEFAULT="")
add_dependencies(devnet_adapter_integration_test causeway-devnet)
add_test(NAME devnet_adapter_integration_test COMMAND devnet_adapter_integration_test)
set_tests_properties(devnet_adapter_integration_test PROPERTIES LABELS integration TIMEOUT 900)
