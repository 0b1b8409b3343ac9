// Bounded reading and checked writing of the files the CLI takes and produces.
// Not thread-safe with respect to std::cin (one reader).
#pragma once

#include <cstddef>
#include <string>

#include "causeway/core/error.hpp"

namespace causeway::app {

// Reads `path` ("-" = standard input) into `out`, refusing more than `limit` bytes without buffering past
// it. Errors: ERR_IO (missing, a directory, unreadable), ERR_TOO_LARGE.
Status read_bounded(const std::string& path, std::size_t limit, std::string& out);

// Writes `content` to `path` (created or replaced) and checks every step. Errors: ERR_IO.
Status write_file(const std::string& path, const std::string& content);

}  // namespace causeway::app
