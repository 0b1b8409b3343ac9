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
  # The main job (deploy/lib/mainjob.py): two anvils, a devnet, contracts, signed records, a 2-of-2 committee of
  # two `causeway serve`, transfers 31337 -> 31338 -> devnet and back with exact balances, acks relayed back with
  # both members' ack attestations, a withheld transfer timed out and refunded once, the audit verdict of both
  # relays, the Bitcoin mainnet island anchored at a real checkpoint and fed the vectors' real headers.
  # With the vectors folder the Bitcoin mainnet island must be ok too; without it, that step alone may wait.
  if(EXISTS ${CAUSEWAY_VECTORS}/bitcoin/summa-tx_bitcoin-spv/headers.json)
    set(mainjob_bitcoin --vectors ${CAUSEWAY_VECTORS})
  else()
    set(mainjob_bitcoin --allow-wait "Bitcoin")
  endif()
  add_test(NAME mainjob_orchestration_test
    COMMAND python3 ${CMAKE_SOURCE_DIR}/deploy/lib/mainjob.py --causeway $<TARGET_FILE:causeway>
            --devnet $<TARGET_FILE:causeway-devnet> --anvil ${CMAKE_SOURCE_DIR}/tools/node_modules/.bin/anvil
            --strict ${mainjob_bitcoin})
  set_tests_properties(mainjob_orchestration_test PROPERTIES LABELS integration TIMEOUT 300)
endif()
if(TARGET causeway AND TARGET causeway-devnet AND EXISTS ${CMAKE_SOURCE_DIR}/tools/node_modules/.bin/anvil)
  # Fault injection on the main job's set-up (deploy/lib/chains.py; helpers and proxies in tests/e2e/faults_common.py).
  # Each asserts exact balances, one mint per transfer, sentStatus and the packet stages, and the audit verdicts.
  set(_e2e_bins --causeway $<TARGET_FILE:causeway> --devnet $<TARGET_FILE:causeway-devnet>
      --anvil ${CMAKE_SOURCE_DIR}/tools/node_modules/.bin/anvil)
  # Only member a of the 2-of-2 committee runs: the packet stays `proven` (a's attestation only), nothing is minted;
  # member b starts → delivered exactly once and acknowledged.
  add_test(NAME e2e_committee_member_alone_cannot_deliver
    COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/e2e/committee_alone_test.py ${_e2e_bins})
  # Relay a SIGKILLed with a packet in flight, three more transfers sent while it is dead (none delivered), a
  # restarted on its data dir → all five delivered exactly once (five mints 101..105), all acknowledged.
  add_test(NAME e2e_relay_sigkilled_midflight_completes_exactly_once
    COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/e2e/relay_sigkill_test.py ${_e2e_bins})
  # A23: destination and source anvils stopped and restarted from --state (same chain), and the relays cut off from
  # 31337 while a packet is mined → reconnect, rescan from the last processed height, deliver exactly once.
  add_test(NAME e2e_A23_anvil_restart_adapter_reconnects_and_rescans
    COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/e2e/anvil_restart_test.py ${_e2e_bins})
  # A lying RPC endpoint (receipts altered by a proxy): the packet is not accepted (ERR_RPC_INCONSISTENT, 404 on both
  # relays); with an honest second endpoint the liar is demoted (never asked again) and the transfers complete.
  add_test(NAME e2e_lying_rpc_endpoint_refused_and_demoted
    COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/e2e/lying_rpc_test.py ${_e2e_bins})
  set_tests_properties(e2e_committee_member_alone_cannot_deliver e2e_relay_sigkilled_midflight_completes_exactly_once
    e2e_A23_anvil_restart_adapter_reconnects_and_rescans e2e_lying_rpc_endpoint_refused_and_demoted
    PROPERTIES LABELS integration TIMEOUT 300)
endif()
