// Access to ../shared/vectors for vector tests. Files are read at run time, never copied (DESIGN.md §5b).
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace causeway::testing {

// The vectors folder: $CAUSEWAY_VECTORS, else the path CMake resolved at configure time.
std::filesystem::path vectors_dir();
// Reads vectors_dir()/relative as text / as JSON. Throws std::runtime_error if missing (tests fail).
std::string read_vector_text(const std::string& relative);
nlohmann::json read_vector_json(const std::string& relative);

}  // namespace causeway::testing
