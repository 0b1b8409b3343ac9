# relay/app process tests: the real `causeway` executable driven from a shell script (python3 for JSON,
# sqlite3 for row counts). The regtest part always runs; the vector part needs ../shared/vectors
# (exit 77 = skipped when absent, a failure when CAUSEWAY_REQUIRE_VECTORS=1).
add_test(NAME app_cli_test
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/cli_test.sh
          $<TARGET_FILE:causeway>
          ${CMAKE_SOURCE_DIR}/deploy/lib/bitcoin_vector_bundles.py
          ${CAUSEWAY_VECTORS})
set_tests_properties(app_cli_test PROPERTIES SKIP_RETURN_CODE 77 LABELS integration TIMEOUT 300)

# The error-code reference in docs/ is the binary's own list (no drift).
add_test(NAME docs_error_codes_current
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/docs_current.sh $<TARGET_FILE:causeway>
          ${CMAKE_SOURCE_DIR}/docs/error-codes.md)
set_tests_properties(docs_error_codes_current PROPERTIES LABELS "unit")
