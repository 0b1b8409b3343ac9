// txid_of: a bounded parser of the Bitcoin transaction serialization (Bitcoin Core primitives/transaction.h
// UnserializeTransaction, BIP 144 segwit marker/flag), used only to strip the witness before hashing.
#include <string>

#include "causeway/bitcoin/chain.hpp"
#include "causeway/core/hash.hpp"

namespace causeway::bitcoin {
namespace {

constexpr std::size_t kMaxTxSize = 4'000'000;  // a block's weight limit bounds any transaction

struct Reader {
  ByteView in;
  std::size_t pos = 0;

  bool skip(std::uint64_t n) noexcept {
    if (n > in.size() - pos) return false;
    pos += static_cast<std::size_t>(n);
    return true;
  }
  std::size_t left() const noexcept { return in.size() - pos; }
  // CompactSize, canonical encodings only (Core's ReadCompactSize).
  bool varint(std::uint64_t& out) noexcept {
    if (left() < 1) return false;
    const std::uint8_t first = in[pos++];
    std::size_t len = 0;
    std::uint64_t min = 0;
    if (first < 0xfd) {
      out = first;
      return true;
    }
    if (first == 0xfd) len = 2, min = 0xfd;
    else if (first == 0xfe) len = 4, min = 0x10000;
    else len = 8, min = 0x100000000ULL;
    if (left() < len) return false;
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < len; ++i) v |= static_cast<std::uint64_t>(in[pos + i]) << (8 * i);
    pos += len;
    if (v < min) return false;  // non-canonical
    out = v;
    return true;
  }
  // A count of items each at least `min_item` bytes long that must fit in the remaining input.
  bool count(std::uint64_t& out, std::size_t min_item) noexcept {
    return varint(out) && out <= left() / min_item;
  }
};

Result<Hash32> malformed(const char* why) { return fail(Code::TxMalformed, why); }

}  // namespace

Result<Hash32> txid_of(ByteView raw) {
  if (raw.size() > kMaxTxSize) return fail(Code::TxMalformed, "transaction exceeds 4,000,000 bytes");
  Reader r{raw};
  if (!r.skip(4)) return malformed("truncated version");
  bool segwit = false;
  if (r.left() >= 2 && raw[r.pos] == 0x00) {
    if (raw[r.pos + 1] != 0x01) return malformed("unknown segwit flag (BIP 144 requires 0x01)");
    segwit = true;
    r.pos += 2;
  }
  const std::size_t body_start = r.pos;
  std::uint64_t n_in = 0;
  if (!r.count(n_in, 41) || n_in == 0) return malformed("bad input count");
  for (std::uint64_t i = 0; i < n_in; ++i) {
    std::uint64_t script = 0;
    if (!r.skip(36) || !r.varint(script) || !r.skip(script) || !r.skip(4)) return malformed("truncated input");
  }
  std::uint64_t n_out = 0;
  if (!r.count(n_out, 9) || n_out == 0) return malformed("bad output count");
  for (std::uint64_t i = 0; i < n_out; ++i) {
    std::uint64_t script = 0;
    if (!r.skip(8) || !r.varint(script) || !r.skip(script)) return malformed("truncated output");
  }
  const std::size_t body_end = r.pos;
  if (segwit) {
    bool any_witness = false;
    for (std::uint64_t i = 0; i < n_in; ++i) {
      std::uint64_t items = 0;
      if (!r.count(items, 1)) return malformed("bad witness item count");
      any_witness = any_witness || items != 0;
      for (std::uint64_t k = 0; k < items; ++k) {
        std::uint64_t len = 0;
        if (!r.varint(len) || !r.skip(len)) return malformed("truncated witness");
      }
    }
    if (!any_witness) return malformed("superfluous witness record");
  }
  if (r.left() != 4) return malformed(r.left() < 4 ? "truncated locktime" : "trailing bytes after locktime");
  if (!segwit) return sha256d(raw);
  Bytes stripped;
  stripped.reserve(4 + (body_end - body_start) + 4);
  append(stripped, raw.subspan(0, 4));
  append(stripped, raw.subspan(body_start, body_end - body_start));
  append(stripped, raw.subspan(raw.size() - 4, 4));
  return sha256d(stripped);
}

}  // namespace causeway::bitcoin
