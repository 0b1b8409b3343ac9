# light_clients/core tests: unit tests (always run) and vector tests (read ../shared/vectors).
causeway_unit_test(core_test
  SOURCES
    unit/core/hex_hash_test.cpp unit/core/rlp_test.cpp unit/core/abi_test.cpp unit/core/packet_test.cpp
    unit/core/signatures_test.cpp
  LIBS causeway::core)
causeway_vector_test(core_vectors_test
  SOURCES
    vectors/core/packet_golden_test.cpp vectors/core/signature_vectors_test.cpp vectors/core/rlp_vectors_test.cpp
  LIBS causeway::core OpenSSL::Crypto)
