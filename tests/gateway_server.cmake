# Gateway server (issue #6 "Server", attack case A29): the real gateway::Server on an ephemeral loopback port
# driven by a Beast client (server_test), and operator/governance authentication (auth_test).
causeway_unit_test(gateway_server_test
  SOURCES integration/gateway_server/server_test.cpp
  LIBS causeway::gateway Boost::headers OpenSSL::SSL OpenSSL::Crypto Threads::Threads)
set_tests_properties(gateway_server_test PROPERTIES LABELS "integration" TIMEOUT 300)
causeway_unit_test(gateway_auth_test
  SOURCES integration/gateway_server/auth_test.cpp
  LIBS causeway::gateway causeway::core)
