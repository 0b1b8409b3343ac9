// Header codec `causeway-devnet/v1` (PROOF-BUNDLE.md family `bft`; docs/bft-light-client.md has the byte table).
//
// Canonical header encoding (big-endian integers, fixed field order, every variable field length-prefixed):
//   u8  version = 0x01
//   u16 len ‖ chain_id        1..64 bytes of printable ASCII (0x21..0x7e), e.g. "cwdevnet:alpha"
//   u64 height
//   u64 time_ms               milliseconds since the Unix epoch, > 0
//   32  parent_hash           the parent's header hash (all zero allowed: genesis)
//   32  tx_root               RFC 6962 root of the transactions, suite hash (non-zero)
//   32  event_root            RFC 6962 root of the event leaves (PACKET.md), suite hash (non-zero)
//   u64 tx_count              leaves of the tx tree
//   u64 event_count           leaves of the event tree
//   32  state_root            (non-zero)
//   32  validators_hash       validators_hash() of the set that signs this header (non-zero)
//   32  next_validators_hash  validators_hash() of the set that signs the next header (non-zero)
//   u16 len ‖ proposer        1..65 bytes: the proposer's public key (must be in the header's own set)
// No trailing bytes. decode(encode(h)) == h and encode(decode(b)) == b.
//
// Hashes (H = the suite hash, SHA-256 or SM3; tags are ASCII without terminator, none a prefix of another, and
// none starts with 0x00/0x01, so no input collides with an RFC 6962 leaf or node or another domain):
//   header_hash     = H("causeway-devnet/v1/header" ‖ header bytes)
//   sign_bytes      = "causeway-devnet/v1/sign" ‖ u16 len ‖ chain_id ‖ u64 height ‖ header_hash
//                     (what each validator signs: binds chain id and height explicitly besides the hash)
//   validators_hash = H("causeway-devnet/v1/validators" ‖ u16 len ‖ suite name ‖ u32 count ‖
//                       for each validator in index order: u16 len ‖ key ‖ u64 power)
// Errors: ERR_HEADER_ENCODING (any shape violation; detail says which field), ERR_ZERO_ROOT (an all-zero root or
// validators hash, A01), ERR_TOO_LARGE (input longer than kMaxHeaderSize).
// Thread-safety: pure functions; DevnetCodec is immutable.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "causeway/bft/codec.hpp"
#include "causeway/bft/suite.hpp"
#include "causeway/bft/validator_set.hpp"
#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"

namespace causeway::bft::devnet {

inline constexpr std::string_view kCodecName = "causeway-devnet/v1";
inline constexpr std::uint8_t kVersion = 1;
inline constexpr std::size_t kMaxChainIdSize = 64;
inline constexpr std::size_t kMaxProposerSize = 65;
inline constexpr std::size_t kMaxHeaderSize = 1 + 2 + kMaxChainIdSize + 8 * 4 + 32 * 6 + 2 + kMaxProposerSize;

struct Header {
  std::string chain_id;
  std::uint64_t height = 0;
  std::uint64_t time_ms = 0;
  Hash32 parent_hash;
  Hash32 tx_root;
  Hash32 event_root;
  std::uint64_t tx_count = 0;
  std::uint64_t event_count = 0;
  Hash32 state_root;
  Hash32 validators_hash;
  Hash32 next_validators_hash;
  Bytes proposer;
  bool operator==(const Header&) const = default;
};

// Canonical bytes. Errors: ERR_HEADER_ENCODING / ERR_ZERO_ROOT when a field violates the rules above.
Result<Bytes> encode(const Header& h);
Result<Header> decode(ByteView encoded);

Hash32 header_hash(Suite s, ByteView encoded_header);
Bytes sign_bytes(std::string_view chain_id, std::uint64_t height, const Hash32& header_hash);
Hash32 validators_hash(const ValidatorSet& set);

class DevnetCodec final : public HeaderCodec {
 public:
  explicit DevnetCodec(Suite suite) noexcept : suite_(suite) {}
  std::string_view name() const noexcept override { return kCodecName; }
  Suite suite() const noexcept override { return suite_; }
  QuorumRule quorum_rule() const noexcept override { return QuorumRule::PowerMoreThanTwoThirds; }
  Result<HeaderInfo> decode(ByteView encoded) const override;
  Hash32 validators_hash(const ValidatorSet& set) const override { return devnet::validators_hash(set); }
  // encode() then decode(): the HeaderInfo of a typed header.
  Result<HeaderInfo> info(const Header& h) const;

 private:
  Suite suite_;
};

}  // namespace causeway::bft::devnet
