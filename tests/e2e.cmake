# The relay committee and the main job (issue #7): in-process 2-of-2 committee tests (relay/engine peers,
# relay/gateway attestation route), the two-process committee test, and the main job's orchestration checks.
causeway_unit_test(committee_test
  SOURCES e2e/committee_test.cpp ${CMAKE_SOURCE_DIR}/relay/app/src/relay_workload.cpp
  LIBS causeway::engine causeway::gateway causeway::audit causeway::bft)
target_include_directories(committee_test PRIVATE ${CMAKE_SOURCE_DIR}/relay/app/src)
if(TARGET causeway)
  # Two `causeway serve` processes, 2-of-2 committee, peers pointing at each other, one shared loopback
  # destination: alone a member cannot deliver; together every packet is delivered exactly once.
  add_test(NAME committee_serve_process_test
    COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/e2e/committee_process_test.py $<TARGET_FILE:causeway>)
  set_tests_properties(committee_serve_process_test PROPERTIES LABELS integration TIMEOUT 300)
endif()
if(TARGET causeway AND TARGET causeway-devnet AND EXISTS ${CMAKE_SOURCE_DIR}/tools/node_modules/.bin/anvil)
  # The main job's orchestration (deploy/lib/mainjob.py): two anvils, a devnet, contracts, signed records, a 2-of-2
  # committee of two `causeway serve`, the audit verdict; steps the relay cannot do yet report WAITS, not failure.
  add_test(NAME mainjob_orchestration_test
    COMMAND python3 ${CMAKE_SOURCE_DIR}/deploy/lib/mainjob.py --causeway $<TARGET_FILE:causeway>
            --devnet $<TARGET_FILE:causeway-devnet> --anvil ${CMAKE_SOURCE_DIR}/tools/node_modules/.bin/anvil)
  set_tests_properties(mainjob_orchestration_test PROPERTIES LABELS integration TIMEOUT 300)
endif()
