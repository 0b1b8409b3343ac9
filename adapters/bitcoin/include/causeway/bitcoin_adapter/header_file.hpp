// Bitcoin header files, the format `causeway bitcoin import-headers FILE` reads (docs/cli.md): one 80-byte
// header in hex per line (0x optional; blank lines and '#' comments skipped; CR/LF and surrounding blanks
// allowed), or raw concatenated 80-byte headers. A file of printable ASCII/whitespace only is read as hex
// lines; anything else as raw headers. Pure (parse_header_file) plus one bounded file read (read_header_file).
// Thread-safety: pure functions; read_header_file only reads the file.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "causeway/bitcoin/header.hpp"
#include "causeway/core/error.hpp"

namespace causeway::adapters::bitcoin {

inline constexpr std::size_t kMaxHeaderFileBytes = 512u << 20;  // ~3.3 M headers as hex lines

// Errors: ERR_HEADER_ENCODING (a line that is not an 80-byte header in hex, with its line number in the
// detail; raw content whose size is not a multiple of 80).
Result<std::vector<causeway::bitcoin::RawHeader>> parse_header_file(std::string_view content);

// Reads at most `max_bytes` of `path` and parses it. Errors: ERR_IO (unreadable), ERR_TOO_LARGE (larger than
// max_bytes), parse_header_file's.
Result<std::vector<causeway::bitcoin::RawHeader>> read_header_file(const std::string& path,
                                                                   std::size_t max_bytes = kMaxHeaderFileBytes);

}  // namespace causeway::adapters::bitcoin
