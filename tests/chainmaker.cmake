# light_clients/chainmaker tests (docs/chainmaker-light-client.md):
#   chainmaker_test          Merkle tree/paths, TBFT quorum boundaries, trust validation, decoding bounds (no data)
#   chainmaker_config_block_test  config-block transitions on a synthetic signed chain (generated CAs, consensus
#                            certificates, proposer signatures, TBFT QCs, CHAIN_CONFIG transactions)
#   chainmaker_vectors_test  the real ChainMaker v2.3.2 blocks 3 and 30 of ../shared/vectors/chainmaker and every
#                            corrupted variant (SOURCES.md "chainmaker/")
#   chainmaker_evm_log_test  chainmaker::read_evm_log on the real block 30 EVM Transfer event and its refusals
#   chainmaker_bundle_test   relay/proofs family `bft`, codec chainmaker/v2, bundles built from the same vectors
#   chainmaker_island_test   a push-mode chainmkr: island in a real engine::Relay + gateway: pushed synthetic blocks,
#                            PacketSent contract events (native and EVM) taken in as packets (PACKET.md "Source
#                            events", A19)
# The synthetic signed chain (generated CAs, certificates, signed blocks with TBFT QCs) is tests/support/cm_synthetic.
causeway_unit_test(chainmaker_test
  SOURCES unit/chainmaker/chainmaker_test.cpp
  LIBS causeway::chainmaker)
causeway_unit_test(chainmaker_config_block_test
  SOURCES unit/chainmaker/config_block_test.cpp support/cm_synthetic.cpp
  LIBS causeway::chainmaker causeway::chainmaker_pb OpenSSL::Crypto)
causeway_vector_test(chainmaker_vectors_test
  SOURCES vectors/chainmaker/chainmaker_vectors_test.cpp
  LIBS causeway::chainmaker causeway::chainmaker_pb)
causeway_vector_test(chainmaker_evm_log_test
  SOURCES vectors/chainmaker/chainmaker_evm_log_test.cpp
  LIBS causeway::chainmaker causeway::chainmaker_pb)
if(NOT CAUSEWAY_PURE_ONLY)
  causeway_vector_test(chainmaker_bundle_test
    SOURCES vectors/chainmaker/chainmaker_bundle_test.cpp
    LIBS causeway::proofs causeway::chainmaker causeway::chainmaker_pb)
  causeway_unit_test(chainmaker_island_test
    SOURCES integration/chainmaker_island/chainmaker_island_test.cpp support/cm_synthetic.cpp
            integration/gateway_routes/http_client.cpp
    LIBS causeway::gateway causeway::engine causeway::domain causeway::chainmaker causeway::chainmaker_pb
         OpenSSL::Crypto Boost::headers)
  target_include_directories(chainmaker_island_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/integration/gateway_routes)
  set_tests_properties(chainmaker_island_test PROPERTIES LABELS "unit;integration")
endif()
