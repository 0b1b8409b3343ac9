#include "file_io.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace causeway::app {

Status read_bounded(const std::string& path, std::size_t limit, std::string& out) {
  out.clear();
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) return fail(Code::Io, path + " is a directory");
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) return fail(Code::Io, "cannot read " + path + ": " + ec.message());
    if (size > limit)
      return fail(Code::TooLarge, path + " is " + std::to_string(size) + " bytes, limit " + std::to_string(limit));
    file.open(path, std::ios::binary);
    if (!file) return fail(Code::Io, "cannot open " + path);
    out.reserve(size);
    in = &file;
  }
  char buf[1 << 16];
  while (*in) {
    in->read(buf, sizeof buf);
    out.append(buf, static_cast<std::size_t>(in->gcount()));
    if (out.size() > limit)
      return fail(Code::TooLarge, (path == "-" ? std::string("standard input") : path) + " is larger than " +
                                      std::to_string(limit) + " bytes");
  }
  if (in->bad()) return fail(Code::Io, "error while reading " + path);
  return {};
}

Result<std::string> read_token_file(const std::string& path) {
  std::string token;
  if (auto s = read_bounded(path, 4096, token); !s)
    return fail(s.error().code, "--token-file: " + s.error().detail, "--token-file");
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  return token;
}

Status write_file(const std::string& path, const std::string& content) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) return fail(Code::Io, "cannot create " + path);
  f.write(content.data(), static_cast<std::streamsize>(content.size()));
  f.close();
  if (!f) return fail(Code::Io, "cannot write " + path);
  return {};
}

}  // namespace causeway::app
