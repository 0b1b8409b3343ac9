# A Bitcoin mainnet island in a real Relay + gateway (issue #7): registration at a real checkpoint and header
# pushes (POST /v1/islands/{id}/headers) of the real mainnet run in ../shared/vectors/bitcoin.
causeway_vector_test(bitcoin_island_test
  SOURCES integration/bitcoin_island/bitcoin_island_test.cpp integration/gateway_routes/http_client.cpp
  LIBS causeway::gateway causeway::engine causeway::domain Boost::headers)
target_include_directories(bitcoin_island_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/integration/gateway_routes)
set_tests_properties(bitcoin_island_test PROPERTIES LABELS "vectors;integration")
# Bitcoin deposits taken in by a real Relay + gateway (PACKET.md "Bitcoin deposits"): a synthetic regtest chain with
# CWY1 deposits, SPV bundles through POST /v1/packets and Relay::submit_bundle, refusals (not a deposit, unknown
# route, confirmations, A03), exactly once, no return path (acks end at the destination, no return row), and the
# engine's source watcher taking deposits in through BitcoinAdapter against a fake Bitcoin Core.
# Also the `bitcoin` adapter kind of `causeway serve`: config checks, relay/app make_island_adapter with Bitcoin Core
# credentials (cookie, user + 0600 password file) against the fake Bitcoin Core, and a `causeway serve` process with
# a bitcoin adapter taking a deposit in once headers are pushed (no real bitcoind: the repo's tests have none).
causeway_unit_test(bitcoin_deposit_test
  SOURCES integration/bitcoin_island/bitcoin_deposit_test.cpp integration/gateway_routes/http_client.cpp
          ${CMAKE_SOURCE_DIR}/relay/app/src/relay_workload.cpp $<TARGET_OBJECTS:fake_rpc_server>
          ${CMAKE_SOURCE_DIR}/relay/app/src/lifecycle_adapters.cpp ${CMAKE_SOURCE_DIR}/relay/app/src/file_io.cpp
          ${CMAKE_SOURCE_DIR}/relay/app/src/child_process.cpp
  LIBS causeway::gateway causeway::engine causeway::domain causeway::bft causeway::bitcoin_adapter fake_rpc_server
       causeway::devnet_adapter causeway::evm_adapter Boost::headers)
target_compile_definitions(bitcoin_deposit_test PRIVATE CAUSEWAY_EXE="$<TARGET_FILE:causeway>")
add_dependencies(bitcoin_deposit_test causeway)
target_include_directories(bitcoin_deposit_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/integration/gateway_routes
                           ${CMAKE_CURRENT_SOURCE_DIR}/unit/proofs ${CMAKE_CURRENT_SOURCE_DIR}/unit/bitcoin
                           ${CMAKE_CURRENT_SOURCE_DIR}/unit/adapters ${CMAKE_SOURCE_DIR}/relay/app/src)
set_tests_properties(bitcoin_deposit_test PROPERTIES LABELS "integration")
