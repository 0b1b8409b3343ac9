# relay/store tests (full build only): SQLite layer, migrations, header store. Temp files under /tmp.
causeway_unit_test(store_test
  SOURCES unit/store/sqlite_test.cpp unit/store/migrations_test.cpp unit/store/header_store_test.cpp
  LIBS causeway::store)
