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

// The operator API token of a --token-file (as `serve --api-token-file`): at most 4 KiB, trailing CR/LF removed.
// Errors: read_bounded's, at "--token-file".
Result<std::string> read_token_file(const std::string& path);

// Writes `content` to `path` (created or replaced) and checks every step. Errors: ERR_IO.
Status write_file(const std::string& path, const std::string& content);

}  // namespace causeway::app
