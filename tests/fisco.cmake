# light_clients/fisco tests (docs/fisco-light-client.md).
#   fisco_test          unit: quorum boundaries, distinct indices, sealer-set changes, check order, v3 Merkle proofs,
#                       ERR_UNSUPPORTED paths; keys and blocks made by tests/unit/fisco/fisco_keys.hpp
#   fisco_vectors_test  the real FISCO BCOS v2 block 8 and v3.3 SM block 2 + receipt of ../shared/vectors/fisco
#                       (SOURCES.md "fisco/") and their corrupted variants, made here from the real data
#   fisco_bundle_test   relay/proofs codecs fisco-bcos/v2 and fisco-bcos/v3 through causeway::proofs::verify_bundle,
#                       from the real vectors pasted as RPC output (full build only)
#   fisco_island_test   push-mode fisco: islands in a real Relay + gateway: registration, real v3 block 2 / v2 block 8
#                       pushed as header documents, refusals, restart; packet bundles answered ERR_UNSUPPORTED
causeway_unit_test(fisco_test
  SOURCES unit/fisco/fisco_test.cpp
  LIBS causeway::fisco)
target_include_directories(fisco_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit/fisco)
causeway_vector_test(fisco_vectors_test
  SOURCES vectors/fisco/fisco_vectors_test.cpp
  LIBS causeway::fisco)
target_include_directories(fisco_vectors_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit/fisco)
if(NOT CAUSEWAY_PURE_ONLY)
  causeway_vector_test(fisco_bundle_test
    SOURCES vectors/fisco/fisco_bundle_test.cpp
    LIBS causeway::proofs causeway::fisco)
  target_include_directories(fisco_bundle_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit/proofs)
  causeway_vector_test(fisco_island_test
    SOURCES integration/fisco_island/fisco_island_test.cpp integration/gateway_routes/http_client.cpp
    LIBS causeway::gateway causeway::engine causeway::domain causeway::fisco Boost::headers)
  target_include_directories(fisco_island_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/integration/gateway_routes)
  set_tests_properties(fisco_island_test PROPERTIES LABELS "vectors;integration")
endif()
