# Relay core (issue #5): relay/store group commit + schema, relay/engine intake/attestation/delivery with an
# in-process test adapter, and the `causeway serve` process tests (HTTP route; crash harness).
causeway_unit_test(relay_store_test
  SOURCES unit/relay_core/store_test.cpp
  LIBS causeway::store)
causeway_unit_test(relay_engine_test
  SOURCES unit/relay_core/engine_test.cpp ${CMAKE_SOURCE_DIR}/relay/app/src/relay_workload.cpp
  LIBS causeway::engine causeway::audit causeway::bft)
target_include_directories(relay_engine_test PRIVATE ${CMAKE_SOURCE_DIR}/relay/app/src)
# A05: an escrow-invariant halt is persisted (channel_halts + audit invariant_alert), survives a restart and an
# operator resume re-opens the channel (transfer bundles from relay_workload.cpp TransferChains).
causeway_unit_test(relay_halt_test
  SOURCES unit/relay_core/halt_test.cpp ${CMAKE_SOURCE_DIR}/relay/app/src/relay_workload.cpp
  LIBS causeway::engine causeway::audit causeway::bft)
target_include_directories(relay_halt_test PRIVATE ${CMAKE_SOURCE_DIR}/relay/app/src)
if(TARGET causeway)
  # POST /v1/packets over real HTTP, then 10,000 packets with 20 SIGKILLs (tests/integration/relay_crash_test.py).
  add_test(NAME relay_serve_crash_test
    COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/integration/relay_crash_test.py $<TARGET_FILE:causeway>)
  set_tests_properties(relay_serve_crash_test PROPERTIES LABELS integration TIMEOUT 400)
endif()
