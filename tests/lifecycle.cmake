# The packet lifecycle (H4; docs/relay-core.md "Source watching" … "The ledger"):
#   lifecycle_devnet_test   integration: two real causeway-devnet processes, the relay engine in-process with the
#                           devnet adapters — transfer discovered → delivered → acknowledged back (balances exact),
#                           timeout with the verified non-delivery scan → refunded once (A21), restart rescans from
#                           the persisted scan height without delivering twice (A23).
if(TARGET causeway-devnet AND TARGET devnet_adapter)
  add_executable(lifecycle_devnet_test
    integration/lifecycle/lifecycle_devnet_test.cpp integration/lifecycle/devnet_harness.cpp
    integration/anvil_process.cpp $<TARGET_OBJECTS:causeway_catch_main>)
  target_link_libraries(lifecycle_devnet_test PRIVATE Catch2::Catch2 nlohmann_json::nlohmann_json
    causeway::engine causeway::devnet_adapter causeway::devnet_node causeway::bft Threads::Threads)
  target_include_directories(lifecycle_devnet_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/integration
    ${CMAKE_CURRENT_SOURCE_DIR}/integration/lifecycle)
  target_compile_options(lifecycle_devnet_test PRIVATE ${CAUSEWAY_WARNINGS})
  target_compile_definitions(lifecycle_devnet_test PRIVATE
    CAUSEWAY_DEVNET_BIN="$<TARGET_FILE:causeway-devnet>" CAUSEWAY_TOOLS_DIR_DEFAULT="")
  add_dependencies(lifecycle_devnet_test causeway-devnet)
  if(TARGET causeway)  # the second case runs `causeway serve` with [adapters]
    target_compile_definitions(lifecycle_devnet_test PRIVATE CAUSEWAY_BIN="$<TARGET_FILE:causeway>")
    add_dependencies(lifecycle_devnet_test causeway)
  endif()
  add_test(NAME lifecycle_devnet_test COMMAND lifecycle_devnet_test)
  set_tests_properties(lifecycle_devnet_test PROPERTIES LABELS integration TIMEOUT 600)
endif()
