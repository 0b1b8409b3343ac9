# relay/domain tests: unit (rules A04, A05, A06, A19, A20, A21, A24, transfers, invariants), property tests
# (seeded random event sequences) and the golden attestation values through the committee path.
causeway_unit_test(domain_test
  SOURCES
    unit/domain/support.cpp unit/domain/registry_test.cpp unit/domain/packet_test.cpp
    unit/domain/transfer_test.cpp unit/domain/committee_test.cpp unit/domain/property_test.cpp
    unit/domain/bitcoin_test.cpp
  LIBS causeway::domain)
causeway_vector_test(domain_vectors_test
  SOURCES vectors/domain/attestation_golden_test.cpp
  LIBS causeway::domain)
