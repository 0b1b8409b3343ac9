#include "causeway/bitcoin/header.hpp"

#include <cstring>
#include <string>

#include "causeway/core/hash.hpp"

namespace causeway::bitcoin {

Result<Header> decode_header(ByteView raw) {
  if (raw.size() != kHeaderSize)
    return fail(Code::HeaderEncoding, "header is " + std::to_string(raw.size()) + " bytes, expected 80");
  const std::uint8_t* p = raw.data();
  Header h;
  h.version = static_cast<std::int32_t>(read_le32(p));
  std::memcpy(h.prev_hash.b.data(), p + 4, 32);
  std::memcpy(h.merkle_root.b.data(), p + 36, 32);
  h.time_s = read_le32(p + 68);
  h.bits = read_le32(p + 72);
  h.nonce = read_le32(p + 76);
  return h;
}

RawHeader encode_header(const Header& h) noexcept {
  RawHeader r{};
  std::uint8_t* p = r.data();
  write_le32(p, static_cast<std::uint32_t>(h.version));
  std::memcpy(p + 4, h.prev_hash.b.data(), 32);
  std::memcpy(p + 36, h.merkle_root.b.data(), 32);
  write_le32(p + 68, h.time_s);
  write_le32(p + 72, h.bits);
  write_le32(p + 76, h.nonce);
  return r;
}

Hash32 header_hash(const Header& h) noexcept {
  const RawHeader r = encode_header(h);
  return sha256d(ByteView(r.data(), r.size()));
}

Hash32 header_hash(ByteView raw) noexcept { return sha256d(raw); }

}  // namespace causeway::bitcoin
