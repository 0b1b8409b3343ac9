# Event stream (issue #6 "Server": WebSocket /v1/stream — packet stages, signed tree heads, alerts; H9): a real
# Relay + AuditService + Server on an ephemeral loopback port, wired as `causeway serve` wires them, and a
# Beast WebSocket client.
causeway_unit_test(gateway_stream_test
  SOURCES integration/gateway_stream/stream_events_test.cpp integration/gateway_stream/ws_client.cpp
          integration/gateway_routes/http_client.cpp ${CMAKE_SOURCE_DIR}/relay/app/src/relay_workload.cpp
  LIBS causeway::gateway causeway::engine causeway::audit causeway::bft Boost::headers Threads::Threads)
target_include_directories(gateway_stream_test PRIVATE ${CMAKE_SOURCE_DIR}/relay/app/src
  ${CMAKE_CURRENT_SOURCE_DIR}/integration/gateway_routes ${CMAKE_CURRENT_SOURCE_DIR}/integration/gateway_stream)
set_tests_properties(gateway_stream_test PROPERTIES LABELS integration TIMEOUT 300)
# Later stages end to end: two real causeway-devnet processes and the relay engine in-process (the harness of
# lifecycle_devnet_test), the stream on a real Server.
if(TARGET causeway-devnet AND TARGET devnet_adapter)
  add_executable(gateway_stream_lifecycle_test
    integration/gateway_stream/stream_lifecycle_test.cpp integration/gateway_stream/ws_client.cpp
    integration/lifecycle/devnet_harness.cpp integration/anvil_process.cpp $<TARGET_OBJECTS:causeway_catch_main>)
  target_link_libraries(gateway_stream_lifecycle_test PRIVATE Catch2::Catch2 nlohmann_json::nlohmann_json
    causeway::gateway causeway::engine causeway::audit causeway::devnet_adapter causeway::devnet_node causeway::bft
    Boost::headers Threads::Threads)
  target_include_directories(gateway_stream_lifecycle_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/integration
    ${CMAKE_CURRENT_SOURCE_DIR}/integration/gateway_stream ${CMAKE_CURRENT_SOURCE_DIR}/integration/lifecycle)
  target_compile_options(gateway_stream_lifecycle_test PRIVATE ${CAUSEWAY_WARNINGS})
  target_compile_definitions(gateway_stream_lifecycle_test PRIVATE
    CAUSEWAY_DEVNET_BIN="$<TARGET_FILE:causeway-devnet>" CAUSEWAY_TOOLS_DIR_DEFAULT="")
  add_dependencies(gateway_stream_lifecycle_test causeway-devnet)
  add_test(NAME gateway_stream_lifecycle_test COMMAND gateway_stream_lifecycle_test)
  set_tests_properties(gateway_stream_lifecycle_test PROPERTIES LABELS integration TIMEOUT 600)
endif()
