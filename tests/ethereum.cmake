# light_clients/ethereum tests: unit (no outside data, always runs) and vectors (../shared/vectors/ethereum,
# besu/ and packet/; SOURCES.md gives provenance and verdicts).
causeway_unit_test(ethereum_test
  SOURCES unit/ethereum/header_test.cpp unit/ethereum/receipt_test.cpp unit/ethereum/proofs_test.cpp
  LIBS causeway::ethereum)
causeway_vector_test(ethereum_vectors_test
  SOURCES vectors/ethereum/header_vectors_test.cpp vectors/ethereum/proofs_vectors_test.cpp
  LIBS causeway::ethereum)
