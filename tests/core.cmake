causeway_unit_test(core_test SOURCES unit/core/hex_hash_test.cpp LIBS causeway::core)
