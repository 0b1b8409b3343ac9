# relay/audit tests (full build only): RFC 8785, events, the SQLite log and its proofs, STHs and the key file,
# export + verifier with tampered exports, 100k appends; the golden audit vector; the CLI as a process.
causeway_unit_test(audit_test
  SOURCES unit/audit/audit_test.cpp unit/audit/audit_builders_test.cpp
  LIBS causeway::audit causeway::bitcoin)
target_include_directories(audit_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit/proofs ${CMAKE_CURRENT_SOURCE_DIR}/unit/store)

causeway_vector_test(audit_vectors_test
  SOURCES vectors/audit/audit_golden_test.cpp
  LIBS causeway::audit)

# Fills a data dir with sample audit entries for the CLI test (there is no engine yet to write them).
add_executable(audit_fill integration/audit_fill.cpp)
target_link_libraries(audit_fill PRIVATE causeway::audit)
target_compile_options(audit_fill PRIVATE ${CAUSEWAY_WARNINGS})
add_test(NAME audit_cli_test
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/audit_cli_test.sh $<TARGET_FILE:causeway> $<TARGET_FILE:audit_fill>)
set_tests_properties(audit_cli_test PROPERTIES LABELS integration TIMEOUT 120)

# GET /v1/audit/* over real HTTP against `causeway serve` with a workload, periodic and final signed tree heads,
# and `causeway audit verify --url` (tests/integration/audit_serve_test.py).
add_test(NAME audit_serve_test
  COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/integration/audit_serve_test.py $<TARGET_FILE:causeway>)
set_tests_properties(audit_serve_test PROPERTIES LABELS integration TIMEOUT 240)
