// A BFT validator set: public keys with voting power, in canonical order (PROOF-BUNDLE.md family `bft`:
// "a validator's index is its position in the set ordered by key bytes ascending").
//
// create() sorts the input by key bytes (lexicographic, unsigned) and refuses (ERR_INVALID_ARGUMENT unless noted):
//   * an empty set or a zero total voting power (DESIGN.md rule 7: zero total power is never a quorum basis);
//   * a validator with power 0 (a zero-power entry is not a validator);
//   * a total that does not fit uint64 (ERR_OVERFLOW);
//   * more than kMaxValidators entries (ERR_TOO_LARGE);
//   * a key that is not the suite's canonical encoding of a valid point (ERR_PUBKEY_INVALID, at "validators[i]");
//   * the same key twice. Keys have one canonical encoding per suite (33-byte compressed secp256k1, 65-byte
//     uncompressed SM2), so one signer cannot appear twice under two encodings either (A15/A17).
// The set's hash is defined by the header codec (devnet: devnet_codec.hpp validators_hash()).
// Thread-safety: an immutable value after create(); safe to share between threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "causeway/bft/suite.hpp"
#include "causeway/core/bytes.hpp"
#include "causeway/core/secp256k1.hpp"
#include "causeway/core/error.hpp"

namespace causeway::bft {

inline constexpr std::size_t kMaxValidators = 1024;

struct Validator {
  Bytes key;                 // canonical public key of the suite
  std::uint64_t power = 0;   // voting power, > 0
  bool operator==(const Validator&) const = default;
};

class ValidatorSet {
 public:
  // An empty, unusable set (total power 0); only create() yields a set the light client accepts.
  ValidatorSet() = default;

  static Result<ValidatorSet> create(Suite suite, std::vector<Validator> validators);

  Suite suite() const noexcept { return suite_; }
  std::span<const Validator> validators() const noexcept { return validators_; }
  std::size_t size() const noexcept { return validators_.size(); }
  bool empty() const noexcept { return validators_.empty(); }
  const Validator& at(std::size_t index) const { return validators_.at(index); }
  std::uint64_t total_power() const noexcept { return total_power_; }
  // Index of `key` (exact canonical bytes), by binary search.
  std::optional<std::size_t> index_of(ByteView key) const noexcept;
  // secp256k1-sha256 only: validator `index`'s key, parsed once by create() so that verifying a commit does not
  // decompress every key again (a field square root per key). nullptr for sm2-sm3 or an index out of range.
  const secp256k1::PublicKey* parsed_key(std::size_t index) const noexcept {
    return index < parsed_.size() ? &parsed_[index] : nullptr;
  }

  bool operator==(const ValidatorSet&) const = default;

 private:
  Suite suite_ = Suite::Secp256k1Sha256;
  std::vector<Validator> validators_;
  std::vector<secp256k1::PublicKey> parsed_;  // secp256k1-sha256: parsed validators_[i].key; else empty
  std::uint64_t total_power_ = 0;
};

}  // namespace causeway::bft
