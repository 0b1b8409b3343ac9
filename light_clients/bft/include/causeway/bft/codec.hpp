// The header-codec interface of the BFT light client. A codec turns a chain's header bytes into the neutral
// HeaderInfo the client's rules work on, says what commit signatures sign, defines the validator-set hash and
// names the chain's quorum rule. The client (client.hpp) and the commit tally (commit.hpp) never look at a
// chain's wire format, so ChainMaker, FISCO BCOS or CometBFT codecs plug in behind this interface later.
//
// Implemented: `causeway-devnet/v1` (devnet_codec.hpp) with the suites `secp256k1-sha256` and `sm2-sm3`.
// Thread-safety: codecs are immutable; share one instance between clients and threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "causeway/bft/suite.hpp"
#include "causeway/bft/validator_set.hpp"
#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"

namespace causeway::bft {

// Which signed voting power counts as a commit quorum of a validator set.
enum class QuorumRule : std::uint8_t {
  // Distinct validators holding MORE than 2/3 of the total power: 3·signed > 2·total (exact, 128-bit).
  // causeway-devnet/v1 (and CometBFT). Other codecs add their chain's own documented rule (DESIGN.md §4).
  PowerMoreThanTwoThirds,
};

// A decoded, well-formed header as the client needs it. Produced only by a codec's decode().
struct HeaderInfo {
  std::string chain_id;
  std::uint64_t height = 0;
  std::uint64_t time_ms = 0;               // milliseconds since the Unix epoch
  Hash32 hash;                             // the chain's header hash
  Hash32 parent_hash;
  Hash32 tx_root;                          // RFC 6962 root (suite hash) of the block's transactions
  std::uint64_t tx_count = 0;
  Hash32 event_root;                       // RFC 6962 root (suite hash) of the block's event leaves (PACKET.md)
  std::uint64_t event_count = 0;
  Hash32 state_root;
  Hash32 validators_hash;                  // the set that signs this header
  Hash32 next_validators_hash;             // the set that signs the next header
  Bytes proposer;                          // the proposer's public key
  Bytes sign_bytes;                        // what every commit signature of this header signs
  Bytes encoded;                           // the canonical header bytes (kept as misbehaviour evidence)
  bool operator==(const HeaderInfo&) const = default;
};

class HeaderCodec {
 public:
  virtual ~HeaderCodec() = default;
  // "causeway-devnet/v1", the bundle's `codec`.
  virtual std::string_view name() const noexcept = 0;
  virtual Suite suite() const noexcept = 0;
  virtual QuorumRule quorum_rule() const noexcept = 0;
  // Decodes canonical header bytes; anything but the one canonical encoding is an error (bounded input).
  virtual Result<HeaderInfo> decode(ByteView encoded) const = 0;
  // The hash a header's validators_hash / next_validators_hash commits to.
  virtual Hash32 validators_hash(const ValidatorSet& set) const = 0;
};

// The codec for a bundle's (`codec`, `crypto`) pair. Errors: ERR_UNSUPPORTED_FAMILY (codec not implemented),
// ERR_INVALID_ARGUMENT (unknown crypto suite) — never a silent default (DESIGN.md rule 7).
Result<std::shared_ptr<const HeaderCodec>> make_codec(std::string_view codec, std::string_view crypto);

}  // namespace causeway::bft
