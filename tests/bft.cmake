# light_clients/bft tests: unit (no outside data: keys, headers and commits are made by the test helpers) and
# vectors (../shared/vectors/consortium SM2/SM3 through the suite wrapper; rfc6962/ inclusion through the
# suite-hash RFC 6962 with SHA-256).
causeway_unit_test(bft_test
  SOURCES unit/bft/primitives_test.cpp unit/bft/commit_test.cpp unit/bft/client_test.cpp unit/bft/chain.cpp
  LIBS causeway::bft causeway::merkle)
causeway_vector_test(bft_vectors_test
  SOURCES vectors/bft/bft_vectors_test.cpp
  LIBS causeway::bft causeway::merkle)
