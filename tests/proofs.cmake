# relay/proofs tests: proof bundles through causeway::proofs::verify_bundle.
#   proofs_test          regtest chains mined by the test itself (no outside data, always runs)
#   proofs_vectors_test  bundles built at run time from the real Bitcoin data in ../shared/vectors/bitcoin
causeway_unit_test(proofs_test
  SOURCES unit/proofs/proofs_test.cpp
  LIBS causeway::proofs causeway::bitcoin)
target_include_directories(proofs_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit/proofs)

causeway_vector_test(proofs_vectors_test
  SOURCES vectors/proofs/proofs_vectors_test.cpp vectors/proofs/bitcoin_headers_vectors_test.cpp
  LIBS causeway::proofs causeway::bitcoin)
target_include_directories(proofs_vectors_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit/proofs)

#   proofs_fast_paths_test  the exact checks that stand in for the schema's `pattern` regexes and lone `maxLength`s
#                           (src/schema_patterns.hpp) give valijson's verdicts and messages, and parse_bounded's
#                           nesting scan and duplicate-key check give the verdicts of the implementations they replaced
causeway_unit_test(proofs_fast_paths_test
  SOURCES unit/proofs/schema_patterns_test.cpp unit/proofs/json_input_test.cpp
  LIBS causeway::proofs)
target_include_directories(proofs_fast_paths_test PRIVATE ${CMAKE_SOURCE_DIR}/relay/proofs/src)

#   proofs_strict_json_diff_test     parse_strict_json (Boost.JSON lexing into nlohmann's DOM) against
#                                    nlohmann::json::parse plus the first repeated key: edge-case table, random text
#   proofs_strict_json_vectors_test  the same on every JSON file of ../shared/vectors, regtest bundles and mutations
causeway_unit_test(proofs_strict_json_diff_test
  SOURCES unit/proofs/strict_json_diff_test.cpp
  LIBS causeway::proofs)
causeway_vector_test(proofs_strict_json_vectors_test
  SOURCES vectors/proofs/strict_json_vectors_test.cpp
  LIBS causeway::proofs causeway::bitcoin)
target_include_directories(proofs_strict_json_vectors_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit/proofs)
