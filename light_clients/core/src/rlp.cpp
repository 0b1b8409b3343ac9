#include "causeway/core/rlp.hpp"

#include <string>

namespace causeway::rlp {
namespace {

// Header for a payload of `len` bytes with short-form base 0x80 (strings) or 0xc0 (lists).
void put_header(Bytes& out, std::size_t len, std::uint8_t base) {
  if (len < 56) {
    out.push_back(static_cast<std::uint8_t>(base + len));
    return;
  }
  std::uint8_t be[8];
  int n = 0;
  for (std::size_t v = len; v != 0; v >>= 8) be[7 - n++] = static_cast<std::uint8_t>(v);
  out.push_back(static_cast<std::uint8_t>(base + 55 + n));
  out.insert(out.end(), be + (8 - n), be + 8);
}

std::string at_offset(std::size_t off) { return "offset " + std::to_string(off); }

// Decodes one item at input[pos..limit). On success sets `end` to the offset just past the item.
// Recursion is bounded by max_depth, so untrusted nesting cannot exhaust the stack.
Result<Item> decode_at(ByteView input, std::size_t pos, std::size_t limit, std::size_t depth,
                       std::size_t max_depth, std::size_t& end) {
  if (pos >= limit) return fail(Code::RlpTruncated, "item expected, input ended", at_offset(pos));
  const std::uint8_t b = input[pos];
  Item item;
  std::size_t hdr = 1;
  std::size_t len = 0;

  if (b < 0x80) {
    item.payload = input.subspan(pos, 1);
    item.raw = item.payload;
    end = pos + 1;
    return item;
  }
  if (b <= 0xb7 || (b >= 0xc0 && b <= 0xf7)) {
    len = b <= 0xb7 ? b - 0x80u : b - 0xc0u;
  } else {
    const std::size_t lenlen = b <= 0xbf ? b - 0xb7u : b - 0xf7u;  // 1..8
    if (limit - pos - 1 < lenlen) return fail(Code::RlpTruncated, "length bytes run past the end", at_offset(pos));
    if (input[pos + 1] == 0) return fail(Code::RlpNonCanonical, "leading zero in long-form length", at_offset(pos));
    std::uint64_t l = 0;
    for (std::size_t i = 0; i < lenlen; ++i) l = (l << 8) | input[pos + 1 + i];
    if (l < 56) return fail(Code::RlpNonCanonical, "long form used for a length below 56", at_offset(pos));
    // Overflow of header + length: on 64-bit hosts only lengths ≥ 2^64 − 9 reach it; such an input
    // cannot exist, so calling it non-canonical (rather than truncated) is a matter of taste.
    if (l > SIZE_MAX - 1 - lenlen) return fail(Code::RlpNonCanonical, "length overflows", at_offset(pos));
    hdr = 1 + lenlen;
    len = static_cast<std::size_t>(l);
  }
  if (limit - pos - hdr < len)
    return fail(Code::RlpTruncated,
                "item declares " + std::to_string(len) + " bytes, " + std::to_string(limit - pos - hdr) + " remain",
                at_offset(pos));
  item.payload = input.subspan(pos + hdr, len);
  item.raw = input.subspan(pos, hdr + len);
  end = pos + hdr + len;

  if (b < 0xc0) {
    if (len == 1 && item.payload[0] < 0x80)
      return fail(Code::RlpNonCanonical, "single byte below 0x80 must encode as itself", at_offset(pos));
    return item;
  }

  item.is_list = true;
  if (depth > max_depth)
    return fail(Code::TooLarge, "RLP nesting deeper than " + std::to_string(max_depth), at_offset(pos));
  std::size_t child = pos + hdr;
  while (child < end) {
    std::size_t child_end = 0;
    auto c = decode_at(input, child, end, depth + 1, max_depth, child_end);
    if (!c) return c;
    item.items.push_back(std::move(*c));
    child = child_end;
  }
  return item;
}

Result<ByteView> uint_bytes(const Item& item, std::size_t max_bytes) {
  if (item.is_list) return fail(Code::RlpType, "integer expected, got a list");
  if (!item.payload.empty() && item.payload[0] == 0)
    return fail(Code::RlpNonCanonical, "integer has a leading zero byte");
  if (item.payload.size() > max_bytes)
    return fail(Code::Overflow, "integer wider than " + std::to_string(max_bytes) + " bytes");
  return item.payload;
}

}  // namespace

Bytes encode_bytes(ByteView data) {
  Bytes out;
  if (data.size() == 1 && data[0] < 0x80) {
    out.push_back(data[0]);
    return out;
  }
  out.reserve(data.size() + 9);
  put_header(out, data.size(), 0x80);
  append(out, data);
  return out;
}

Bytes encode_uint(std::uint64_t v) {
  std::uint8_t be[8];
  write_be64(be, v);
  return encode_uint_be(ByteView(be, 8));
}

Bytes encode_uint_be(ByteView big_endian) {
  std::size_t i = 0;
  while (i < big_endian.size() && big_endian[i] == 0) ++i;
  return encode_bytes(big_endian.subspan(i));
}

Bytes wrap_list(ByteView payload) {
  Bytes out;
  out.reserve(payload.size() + 9);
  put_header(out, payload.size(), 0xc0);
  append(out, payload);
  return out;
}

Bytes encode_list(std::span<const Bytes> encoded_items) {
  Bytes payload;
  for (const Bytes& e : encoded_items) append(payload, e);
  return wrap_list(payload);
}

Result<Item> decode_prefix(ByteView input, std::size_t& consumed, std::size_t max_depth) {
  std::size_t end = 0;
  auto item = decode_at(input, 0, input.size(), 1, max_depth, end);
  if (item) consumed = end;
  return item;
}

Result<Item> decode(ByteView input, std::size_t max_depth) {
  std::size_t end = 0;
  auto item = decode_at(input, 0, input.size(), 1, max_depth, end);
  if (!item) return item;
  if (end != input.size())
    return fail(Code::RlpTrailing, std::to_string(input.size() - end) + " bytes follow the item", at_offset(end));
  return item;
}

Result<std::uint64_t> to_uint64(const Item& item) {
  auto b = uint_bytes(item, 8);
  if (!b) return tl::unexpected(b.error());
  std::uint64_t v = 0;
  for (std::uint8_t x : *b) v = (v << 8) | x;
  return v;
}

Result<ByteView> to_uint_be(const Item& item, std::size_t max_bytes) { return uint_bytes(item, max_bytes); }

}  // namespace causeway::rlp
