# light_clients/ethereum consensus: Clique (EIP-225), Besu QBFT / IBFT 2.0, the per-island client.
# Unit tests seal their own headers with deterministic keys (rules the vectors lack); vector tests read
# ../shared/vectors/ethereum/ethereumjs/blocks_goerli.json and every file of ../shared/vectors/besu.
causeway_unit_test(eth_consensus_test
  SOURCES unit/ethereum/consensus_clique_test.cpp unit/ethereum/consensus_bft_test.cpp
          unit/ethereum/consensus_client_test.cpp
  LIBS causeway::ethereum)
causeway_vector_test(eth_consensus_vectors_test
  SOURCES vectors/ethereum/consensus_clique_vectors_test.cpp vectors/ethereum/consensus_besu_vectors_test.cpp
  LIBS causeway::ethereum)
