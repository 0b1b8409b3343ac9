// The Solidity contract-ABI subset that PACKET.md uses (Solidity docs, "Contract ABI Specification",
// section "Formal Specification of the Encoding"): uint8/uint64/uint256 (any uintN, 8 ≤ N ≤ 256, N % 8 == 0),
// bool, bytes32, bytes, string and tuples (static and dynamic). abi.encode(a1, …, ak) is the encoding of
// the tuple (a1, …, ak); Solidity's abi.encode(s) for one struct s is the encoding of the 1-tuple (s).
//
// The decoder is STRICT: it accepts exactly the bytes this encoder (= solc/ethers) produces for some value,
// so that one value has one encoding and hashes of re-encoded data equal hashes of received data:
//   - every offset equals the position a canonical encoder puts the tail at (tails in field order, packed);
//   - padding bytes (of uintN/bool words and after bytes/string data) are zero;
//   - uintN fits in N bits, bool is 0 or 1;
//   - lengths are bounded by the remaining input before anything is copied;
//   - nothing follows the encoding.
// Any violation is ERR_ABI_DECODE with the byte offset in `at`.
//
// Thread-safety: value types and pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"

namespace causeway::abi {

// A uint256 (or narrower uintN) value as 32 big-endian bytes.
using U256 = std::array<std::uint8_t, 32>;

U256 u256_from_u64(std::uint64_t v) noexcept;
// The value if it fits in 64 bits. Errors: ERR_OVERFLOW.
Result<std::uint64_t> u256_to_u64(const U256& v);
// Decimal digits of v without leading zeros ("0" for zero): how JSON carries amounts above 2^53 (wei).
std::string u256_to_decimal(const U256& v);
// Parses decimal digits (1–78, no sign, no leading zeros except "0"). Errors: ERR_INVALID_ARGUMENT (not
// canonical decimal), ERR_OVERFLOW (≥ 2^256).
Result<U256> u256_from_decimal(std::string_view digits);

enum class Kind { Uint, Bool, Bytes32, Bytes, String, Tuple };

// A type descriptor. Build with the factory functions; e.g. Type::tuple({Type::uint(64), Type::string()}).
struct Type {
  Kind kind = Kind::Uint;
  unsigned bits = 256;            // Uint only
  std::vector<Type> components;   // Tuple only

  static Type uint(unsigned bits);  // precondition: 8 ≤ bits ≤ 256, bits % 8 == 0 (asserted: our own misuse)
  static Type boolean();
  static Type bytes32();
  static Type bytes();
  static Type string();
  static Type tuple(std::vector<Type> components);

  // Dynamic per the spec: bytes, string, and tuples with a dynamic component.
  bool is_dynamic() const;
  // Bytes the type takes in its enclosing head: 32 for dynamic types (an offset), else its full size.
  std::size_t head_size() const;
};

// A value of one of the types above. Uint holds U256, Bytes32 holds Hash32, Tuple holds its components.
struct Value {
  std::variant<U256, bool, Hash32, Bytes, std::string, std::vector<Value>> v;

  static Value uint(std::uint64_t x);
  static Value uint256(const U256& x);
  static Value boolean(bool b);
  static Value bytes32(const Hash32& h);
  static Value bytes(ByteView b);
  static Value string(std::string_view s);
  static Value tuple(std::vector<Value> components);

  // Accessors: precondition the alternative matches (decode() guarantees it for its type; asserted).
  const U256& as_uint() const;
  bool as_bool() const;
  const Hash32& as_bytes32() const;
  const Bytes& as_bytes() const;
  const std::string& as_string() const;
  const std::vector<Value>& as_tuple() const;
};

// Encodes a value of a tuple type as the argument list: abi.encode(components…). The value must match
// the type (precondition; asserted). Output: a multiple of 32 bytes.
Bytes encode(const Type& tuple_type, const Value& tuple_value);

// Strictly decodes an argument list of tuple type (the inverse of encode). Errors: ERR_ABI_DECODE.
Result<Value> decode(const Type& tuple_type, ByteView data);

}  // namespace causeway::abi
