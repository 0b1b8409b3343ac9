# `causeway bench e2e` (H10; relay/app/src/bench_e2e.hpp, docs/benchmarks.md "End to end"):
#   bench_e2e_smoke_test   integration: `causeway bench e2e --packets 6 --senders 2 --json` on two real anvil
#                          chains (tools/); the JSON object has its fields, every packet was delivered, balances
#                          and the ledger are exact, exit 0. No timing assertion. Skipped (exit 77) only when
#                          tools/ has no anvil and CAUSEWAY_REQUIRE_TOOLS is not 1.
if(TARGET causeway)
  set(CAUSEWAY_TOOLS_DIR "${CMAKE_SOURCE_DIR}/tools" CACHE PATH "Pinned test tools (deploy/install-deps.sh)")
  add_test(NAME bench_e2e_smoke_test
    COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/integration/bench_e2e_smoke_test.py $<TARGET_FILE:causeway>
            ${CAUSEWAY_TOOLS_DIR}/node_modules/.bin/anvil)
  set_tests_properties(bench_e2e_smoke_test PROPERTIES LABELS integration SKIP_RETURN_CODE 77 TIMEOUT 900)
endif()
