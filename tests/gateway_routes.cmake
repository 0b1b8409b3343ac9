# API v1 routes (issue #6): a real Relay + Server on an ephemeral loopback port, every route over real HTTP;
# `causeway config validate` and the read CLI commands against a running `causeway serve`.
causeway_unit_test(gateway_routes_test
  SOURCES integration/gateway_routes/routes_test.cpp integration/gateway_routes/http_client.cpp
          ${CMAKE_SOURCE_DIR}/relay/app/src/relay_workload.cpp
  LIBS causeway::gateway causeway::engine causeway::audit causeway::bft Boost::headers)
target_include_directories(gateway_routes_test PRIVATE ${CMAKE_SOURCE_DIR}/relay/app/src
  ${CMAKE_CURRENT_SOURCE_DIR}/integration/gateway_routes)
set_tests_properties(gateway_routes_test PROPERTIES LABELS integration)
# Governance records after registration (island update, client recover, channel close): real HTTP, restarts
# replaying the governance journal, audit verify.
causeway_unit_test(gateway_governance_test
  SOURCES integration/gateway_routes/governance_test.cpp integration/gateway_routes/http_client.cpp
          ${CMAKE_SOURCE_DIR}/relay/app/src/relay_workload.cpp
  LIBS causeway::gateway causeway::engine causeway::audit causeway::bft Boost::headers)
target_include_directories(gateway_governance_test PRIVATE ${CMAKE_SOURCE_DIR}/relay/app/src
  ${CMAKE_CURRENT_SOURCE_DIR}/integration/gateway_routes)
set_tests_properties(gateway_governance_test PROPERTIES LABELS integration)
if(TARGET causeway)
  add_test(NAME gateway_cli_test
    COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/integration/gateway_routes/cli_test.py $<TARGET_FILE:causeway>
            ${CMAKE_SOURCE_DIR})
  set_tests_properties(gateway_cli_test PROPERTIES LABELS integration TIMEOUT 300)
endif()
