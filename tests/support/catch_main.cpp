// Catch2's main, compiled once for every unit test (DESIGN.md rule 6).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
