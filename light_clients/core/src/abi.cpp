#include "causeway/core/abi.hpp"

#include <cassert>
#include <cstring>

namespace causeway::abi {
namespace {

constexpr std::size_t kWord = 32;

std::size_t padded(std::size_t n) { return (n + kWord - 1) / kWord * kWord; }

std::string at_offset(std::size_t off) { return "offset " + std::to_string(off); }

void put_word_u64(Bytes& out, std::size_t off, std::uint64_t v) {
  write_be64(out.data() + off + 24, v);
}

// ---- encoder: heads and tails in one pass; `out` is pre-sized for heads, tails are appended ----

void encode_into(const Type& t, const Value& v, Bytes& out, std::size_t head_pos);

// Encodes a tuple starting at out.size(): reserves its head area, then appends tails in field order.
void encode_tuple(const Type& t, const Value& v, Bytes& out) {
  const auto& comps = v.as_tuple();
  assert(comps.size() == t.components.size());
  const std::size_t base = out.size();
  std::size_t head = 0;
  for (const Type& c : t.components) head += c.head_size();
  out.resize(base + head, 0);
  std::size_t pos = base;
  for (std::size_t i = 0; i < comps.size(); ++i) {
    const Type& ct = t.components[i];
    if (ct.is_dynamic()) {
      put_word_u64(out, pos, out.size() - base);  // offset from the start of this tuple's encoding
      encode_into(ct, comps[i], out, SIZE_MAX);
    } else {
      encode_into(ct, comps[i], out, pos);
    }
    pos += ct.head_size();
  }
}

// Static values are written at head_pos (already allocated); dynamic values are appended.
void encode_into(const Type& t, const Value& v, Bytes& out, std::size_t head_pos) {
  switch (t.kind) {
    case Kind::Uint: {
      const U256& u = v.as_uint();
      std::memcpy(out.data() + head_pos, u.data(), kWord);
      return;
    }
    case Kind::Bool:
      out[head_pos + 31] = v.as_bool() ? 1 : 0;
      return;
    case Kind::Bytes32:
      std::memcpy(out.data() + head_pos, v.as_bytes32().data(), kWord);
      return;
    case Kind::Bytes:
    case Kind::String: {
      ByteView data = t.kind == Kind::Bytes
                          ? ByteView(v.as_bytes())
                          : ByteView(reinterpret_cast<const std::uint8_t*>(v.as_string().data()), v.as_string().size());
      const std::size_t start = out.size();
      out.resize(start + kWord + padded(data.size()), 0);
      put_word_u64(out, start, data.size());
      if (!data.empty()) std::memcpy(out.data() + start + kWord, data.data(), data.size());
      return;
    }
    case Kind::Tuple:
      if (t.is_dynamic()) {
        encode_tuple(t, v, out);
      } else {
        // A static tuple is inlined in the head: encode it separately and copy it in place.
        Bytes inner;
        encode_tuple(t, v, inner);
        std::memcpy(out.data() + head_pos, inner.data(), inner.size());
      }
      return;
  }
}

// ---- strict decoder ----

bool zero(ByteView d, std::size_t from, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    if (d[from + i] != 0) return false;
  return true;
}

// A word that must hold a small non-negative integer (offset or length): high 24 bytes zero, value < 2^63.
Result<std::size_t> read_size_word(ByteView d, std::size_t pos, const char* what) {
  if (!zero(d, pos, 24)) return fail(Code::AbiDecode, std::string(what) + " is out of range", at_offset(pos));
  const std::uint64_t v = read_be64(d.data() + pos + 24);
  if (v > (std::uint64_t{1} << 62)) return fail(Code::AbiDecode, std::string(what) + " is out of range", at_offset(pos));
  return static_cast<std::size_t>(v);
}

// Decodes a value of type t whose encoding starts at pos and must lie within [pos, limit).
// Returns the value and sets `size` to the bytes its encoding takes (head size for static types, the whole
// tail for dynamic types).
Result<Value> decode_at(const Type& t, ByteView d, std::size_t pos, std::size_t limit, std::size_t& size);

Result<Value> decode_tuple(const Type& t, ByteView d, std::size_t base, std::size_t limit, std::size_t& size) {
  std::size_t head = 0;
  for (const Type& c : t.components) head += c.head_size();
  if (limit - base < head) return fail(Code::AbiDecode, "tuple head runs past the end", at_offset(base));
  std::vector<Value> comps;
  comps.reserve(t.components.size());  // bounded by the type, not the input
  std::size_t pos = base;
  std::size_t next_tail = head;  // where a canonical encoder puts the next dynamic tail (relative to base)
  for (const Type& ct : t.components) {
    std::size_t used = 0;
    if (ct.is_dynamic()) {
      auto off = read_size_word(d, pos, "offset");
      if (!off) return tl::unexpected(off.error());
      if (*off != next_tail)
        return fail(Code::AbiDecode,
                    "offset " + std::to_string(*off) + " is not the canonical " + std::to_string(next_tail),
                    at_offset(pos));
      auto v = decode_at(ct, d, base + next_tail, limit, used);
      if (!v) return v;
      comps.push_back(std::move(*v));
      next_tail += used;
    } else {
      auto v = decode_at(ct, d, pos, limit, used);
      if (!v) return v;
      comps.push_back(std::move(*v));
    }
    pos += ct.head_size();
  }
  size = next_tail;
  return Value::tuple(std::move(comps));
}

Result<Value> decode_at(const Type& t, ByteView d, std::size_t pos, std::size_t limit, std::size_t& size) {
  if (t.kind == Kind::Tuple) return decode_tuple(t, d, pos, limit, size);
  if (limit - pos < kWord) return fail(Code::AbiDecode, "word runs past the end", at_offset(pos));
  switch (t.kind) {
    case Kind::Uint: {
      const std::size_t value_bytes = t.bits / 8;
      if (!zero(d, pos, kWord - value_bytes))
        return fail(Code::AbiDecode, "value does not fit uint" + std::to_string(t.bits), at_offset(pos));
      U256 u{};
      std::memcpy(u.data(), d.data() + pos, kWord);
      size = kWord;
      return Value::uint256(u);
    }
    case Kind::Bool: {
      if (!zero(d, pos, 31) || d[pos + 31] > 1) return fail(Code::AbiDecode, "bool is not 0 or 1", at_offset(pos));
      size = kWord;
      return Value::boolean(d[pos + 31] == 1);
    }
    case Kind::Bytes32:
      size = kWord;
      return Value::bytes32(Hash32::from(d.subspan(pos, kWord)));
    case Kind::Bytes:
    case Kind::String: {
      auto len = read_size_word(d, pos, "length");
      if (!len) return tl::unexpected(len.error());
      // Bound the declared length by the input before computing padding or copying anything.
      const std::size_t room = limit - pos - kWord;
      if (*len > room || padded(*len) > room)
        return fail(Code::AbiDecode, "length " + std::to_string(*len) + " runs past the end", at_offset(pos));
      const std::size_t data = pos + kWord;
      if (!zero(d, data + *len, padded(*len) - *len))
        return fail(Code::AbiDecode, "nonzero padding after bytes", at_offset(data + *len));
      size = kWord + padded(*len);
      ByteView content = d.subspan(data, *len);
      if (t.kind == Kind::Bytes) return Value::bytes(content);
      return Value::string(std::string_view(reinterpret_cast<const char*>(content.data()), content.size()));
    }
    case Kind::Tuple:
      break;
  }
  return fail(Code::AbiDecode, "unknown type");
}

}  // namespace

U256 u256_from_u64(std::uint64_t v) noexcept {
  U256 u{};
  write_be64(u.data() + 24, v);
  return u;
}

Result<std::uint64_t> u256_to_u64(const U256& v) {
  for (std::size_t i = 0; i < 24; ++i)
    if (v[i] != 0) return fail(Code::Overflow, "uint256 value does not fit 64 bits");
  return read_be64(v.data() + 24);
}

std::string u256_to_decimal(const U256& v) {
  U256 n = v;
  std::string digits;
  bool more = true;
  while (more) {  // long division by 10, most significant byte first
    unsigned rem = 0;
    more = false;
    for (auto& byte : n) {
      const unsigned cur = (rem << 8) | byte;
      byte = static_cast<std::uint8_t>(cur / 10);
      rem = cur % 10;
      more = more || byte != 0;
    }
    digits.push_back(static_cast<char>('0' + rem));
  }
  return {digits.rbegin(), digits.rend()};
}

Result<U256> u256_from_decimal(std::string_view digits) {
  if (digits.empty() || digits.size() > 78 || (digits.size() > 1 && digits[0] == '0'))
    return fail(Code::InvalidArgument, "not a canonical decimal number");
  U256 out{};
  for (char c : digits) {
    if (c < '0' || c > '9') return fail(Code::InvalidArgument, "not a canonical decimal number");
    unsigned carry = static_cast<unsigned>(c - '0');
    for (std::size_t i = out.size(); i-- > 0;) {  // out = out * 10 + digit
      const unsigned x = static_cast<unsigned>(out[i]) * 10u + carry;
      out[i] = static_cast<std::uint8_t>(x & 0xffu);
      carry = x >> 8;
    }
    if (carry != 0) return fail(Code::Overflow, "decimal number does not fit 256 bits");
  }
  return out;
}

Type Type::uint(unsigned bits) {
  assert(bits >= 8 && bits <= 256 && bits % 8 == 0);
  Type t;
  t.kind = Kind::Uint;
  t.bits = bits;
  return t;
}
Type Type::boolean() { return Type{Kind::Bool, 0, {}}; }
Type Type::bytes32() { return Type{Kind::Bytes32, 0, {}}; }
Type Type::bytes() { return Type{Kind::Bytes, 0, {}}; }
Type Type::string() { return Type{Kind::String, 0, {}}; }
Type Type::tuple(std::vector<Type> components) { return Type{Kind::Tuple, 0, std::move(components)}; }

bool Type::is_dynamic() const {
  switch (kind) {
    case Kind::Bytes:
    case Kind::String:
      return true;
    case Kind::Tuple:
      for (const Type& c : components)
        if (c.is_dynamic()) return true;
      return false;
    default:
      return false;
  }
}

std::size_t Type::head_size() const {
  if (is_dynamic()) return kWord;
  if (kind != Kind::Tuple) return kWord;
  std::size_t n = 0;
  for (const Type& c : components) n += c.head_size();
  return n;
}

Value Value::uint(std::uint64_t x) { return Value{u256_from_u64(x)}; }
Value Value::uint256(const U256& x) { return Value{x}; }
Value Value::boolean(bool b) { return Value{b}; }
Value Value::bytes32(const Hash32& h) { return Value{h}; }
Value Value::bytes(ByteView b) { return Value{Bytes(b.begin(), b.end())}; }
Value Value::string(std::string_view s) { return Value{std::string(s)}; }
Value Value::tuple(std::vector<Value> components) { return Value{std::move(components)}; }

const U256& Value::as_uint() const {
  assert(std::holds_alternative<U256>(v));
  return std::get<U256>(v);
}
bool Value::as_bool() const {
  assert(std::holds_alternative<bool>(v));
  return std::get<bool>(v);
}
const Hash32& Value::as_bytes32() const {
  assert(std::holds_alternative<Hash32>(v));
  return std::get<Hash32>(v);
}
const Bytes& Value::as_bytes() const {
  assert(std::holds_alternative<Bytes>(v));
  return std::get<Bytes>(v);
}
const std::string& Value::as_string() const {
  assert(std::holds_alternative<std::string>(v));
  return std::get<std::string>(v);
}
const std::vector<Value>& Value::as_tuple() const {
  assert(std::holds_alternative<std::vector<Value>>(v));
  return std::get<std::vector<Value>>(v);
}

Bytes encode(const Type& tuple_type, const Value& tuple_value) {
  assert(tuple_type.kind == Kind::Tuple);
  Bytes out;
  encode_tuple(tuple_type, tuple_value, out);
  return out;
}

Result<Value> decode(const Type& tuple_type, ByteView data) {
  assert(tuple_type.kind == Kind::Tuple);
  std::size_t size = 0;
  auto v = decode_tuple(tuple_type, data, 0, data.size(), size);
  if (!v) return v;
  if (size != data.size())
    return fail(Code::AbiDecode, std::to_string(data.size() - size) + " bytes follow the encoding", at_offset(size));
  return v;
}

}  // namespace causeway::abi
