# `causeway bench gateway` (H11; relay/app/src/bench_gateway.hpp, docs/benchmarks.md "Gateway"):
#   bench_gateway_smoke_test   integration: `causeway bench gateway --packets 300 --json` against a real gateway
#                              on an ephemeral loopback port (32 keep-alive connections); the JSON object has its
#                              fields, every packet was answered 201 new and the relay holds each exactly once,
#                              exit 0. No timing assertion.
if(TARGET causeway)
  add_test(NAME bench_gateway_smoke_test
    COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/integration/bench_gateway_smoke_test.py $<TARGET_FILE:causeway>)
  set_tests_properties(bench_gateway_smoke_test PROPERTIES LABELS integration TIMEOUT 300)
endif()
