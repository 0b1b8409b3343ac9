// Header files (header_file.hpp): the same format and rules as `causeway bitcoin import-headers`.
#include "causeway/bitcoin_adapter/header_file.hpp"

#include <algorithm>
#include <fstream>

#include "causeway/core/hex.hpp"

namespace causeway::adapters::bitcoin {
namespace {

bool looks_like_text(std::string_view content) {
  return std::all_of(content.begin(), content.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c == '\n' || c == '\r' || c == '\t' || (c >= 0x20 && c < 0x7f);
  });
}

}  // namespace

Result<std::vector<causeway::bitcoin::RawHeader>> parse_header_file(std::string_view content) {
  using causeway::bitcoin::RawHeader;
  std::vector<RawHeader> out;
  const bool text = looks_like_text(content);
  if (!text) {
    if (content.size() % 80 != 0)
      return fail(Code::HeaderEncoding, "neither hex lines nor a whole number of raw 80-byte headers");
    for (std::size_t off = 0; off < content.size(); off += 80) {
      RawHeader h;
      std::transform(content.begin() + static_cast<std::ptrdiff_t>(off),
                     content.begin() + static_cast<std::ptrdiff_t>(off + 80), h.begin(),
                     [](char c) { return static_cast<std::uint8_t>(c); });
      out.push_back(h);
    }
    return out;
  }
  std::size_t line_no = 0;
  for (std::size_t pos = 0; pos < content.size();) {
    std::size_t end = content.find('\n', pos);
    if (end == std::string_view::npos) end = content.size();
    std::string_view line = content.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    const std::size_t start = line.find_first_not_of(" \t");
    if (start == std::string_view::npos || line[start] == '#') continue;
    const std::string_view hex = line.substr(start);
    auto bytes = hex.starts_with("0x") || hex.starts_with("0X") ? from_hex(hex, 80) : from_hex_bare(hex, 80);
    if (!bytes || bytes->size() != 80)
      return fail(Code::HeaderEncoding, "line " + std::to_string(line_no) + " is not an 80-byte header in hex");
    RawHeader h;
    std::copy(bytes->begin(), bytes->end(), h.begin());
    out.push_back(h);
  }
  return out;
}

Result<std::vector<causeway::bitcoin::RawHeader>> read_header_file(const std::string& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Code::Io, "cannot open " + path, path);
  std::string content;
  char buf[1 << 16];
  while (in) {
    in.read(buf, sizeof buf);
    const auto got = static_cast<std::size_t>(in.gcount());
    if (content.size() + got > max_bytes)
      return fail(Code::TooLarge, path + " is larger than " + std::to_string(max_bytes) + " bytes", path);
    content.append(buf, got);
  }
  if (in.bad()) return fail(Code::Io, "read error on " + path, path);
  return parse_header_file(content);
}

}  // namespace causeway::adapters::bitcoin
