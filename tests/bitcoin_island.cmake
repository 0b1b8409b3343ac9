# A Bitcoin mainnet island in a real Relay + gateway (issue #7): registration at a real checkpoint and header
# pushes (POST /v1/islands/{id}/headers) of the real mainnet run in ../shared/vectors/bitcoin.
causeway_vector_test(bitcoin_island_test
  SOURCES integration/bitcoin_island/bitcoin_island_test.cpp integration/gateway_routes/http_client.cpp
  LIBS causeway::gateway causeway::engine causeway::domain Boost::headers)
target_include_directories(bitcoin_island_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/integration/gateway_routes)
set_tests_properties(bitcoin_island_test PROPERTIES LABELS "vectors;integration")
