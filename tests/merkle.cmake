# light_clients/merkle tests: unit (always run) and vectors (../shared/vectors, SOURCES.md rfc6962/ and bitcoin/).
causeway_unit_test(merkle_test
  SOURCES unit/merkle/bitcoin_merkle_test.cpp unit/merkle/rfc6962_test.cpp
  LIBS causeway::merkle)
causeway_vector_test(merkle_vectors_test
  SOURCES vectors/merkle/merkle_vectors_test.cpp
  LIBS causeway::merkle)
# Ethereum Merkle-Patricia trie (mpt.hpp): unit tests, and vectors from SOURCES.md ethereum/ (TrieTests, ropsten eth_getProof).
causeway_unit_test(mpt_test
  SOURCES unit/merkle/mpt_test.cpp
  LIBS causeway::merkle)
causeway_vector_test(mpt_vectors_test
  SOURCES vectors/merkle/mpt_vectors_test.cpp
  LIBS causeway::merkle)
