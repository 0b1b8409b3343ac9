// Strict base64 for vector files that carry hashes in base64 (transparency-dev/merkle test data).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "causeway/core/bytes.hpp"

namespace causeway::testing {

// Strict standard base64 (RFC 4648 §4) with '=' padding; nullopt on any other character or shape.
inline std::optional<Bytes> base64_decode(const std::string& s) {
  if (s.size() % 4 != 0) return std::nullopt;
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  Bytes out;
  for (std::size_t i = 0; i < s.size(); i += 4) {
    const bool last = i + 4 == s.size();
    std::uint32_t acc = 0;
    int pad = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      const char c = s[i + j];
      if (c == '=' && last && j >= 2) {
        ++pad;
        acc <<= 6U;
        continue;
      }
      if (pad > 0) return std::nullopt;  // data after padding
      const int v = value(c);
      if (v < 0) return std::nullopt;
      acc = (acc << 6U) | static_cast<std::uint32_t>(v);
    }
    out.push_back(static_cast<std::uint8_t>(acc >> 16U));
    if (pad < 2) out.push_back(static_cast<std::uint8_t>(acc >> 8U));
    if (pad < 1) out.push_back(static_cast<std::uint8_t>(acc));
  }
  return out;
}

}  // namespace causeway::testing
