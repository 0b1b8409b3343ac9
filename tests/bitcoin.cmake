# light_clients/bitcoin tests: unit (no outside data, always runs; headers, PoW, CWY1 deposits and routes) and
# vectors (../shared/vectors/bitcoin).
causeway_unit_test(bitcoin_test
  SOURCES unit/bitcoin/pow_test.cpp unit/bitcoin/chain_test.cpp unit/bitcoin/deposit_test.cpp
  LIBS causeway::bitcoin)
causeway_vector_test(bitcoin_vectors_test
  SOURCES vectors/bitcoin/bitcoin_vectors_test.cpp
  LIBS causeway::bitcoin)
