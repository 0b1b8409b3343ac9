// FISCO BCOS commit signatures and the quorum tally (shared/formats/consortium-chains.md B.1, B.3).
//
// Each signature-list entry names a sealer by its index in the header's sealerList and signs the header hash:
//   Keccak-256 chains (v2 and v3): 65 bytes r ‖ s ‖ v, v ∈ {0, 1}, secp256k1 ECDSA over the RAW 32-byte header
//     hash (no second hash). Checked by recovering the key with recovery id v and comparing it with
//     0x04 ‖ node_id, so v is bound too. High S is allowed (the chain's libsecp256k1 recovery accepts it); a
//     sealer is counted once by index, so the (r, n − s) twin gains nothing (docs/signature-policy.md, A17).
//   SM3 chains, v3: 64 bytes r ‖ s, SM2 with the header hash as the MESSAGE: e = SM3(Z_A ‖ hash), Z_A with the
//     default user id "1234567812345678" and the key 0x04 ‖ node_id (verified on the v3.3 SM data; e = raw hash
//     does not verify there).
//   SM3 chains, v2: ERR_UNSUPPORTED (the layout, believed r ‖ s ‖ pub, is not confirmed by real data).
//
// verify_signature_list() checks EVERY entry before it tallies: at most 2 × |set| entries (ERR_TOO_LARGE); an index
// outside the set → ERR_NOT_VALIDATOR; a signature of the wrong size → ERR_BAD_LENGTH; r or s zero or ≥ n, or v ∉
// {0, 1} → ERR_SIG_ENCODING; does not verify → ERR_SIG_INVALID. One bad entry rejects the whole list even when the
// others make a quorum (the verdict does not depend on order; no stored block carries an unverified signature).
// Errors carry at = "signatures[i]".
//
// Tally: distinct indices, each sealer's weight once. Upstream FISCO counts entries (it does not de-duplicate), so
// a list naming one sealer twice would pass there with one vote short; here it is counted once, and when the
// distinct signers then fall short of the quorum the error is ERR_DUPLICATE_SEAL (the list tried to reach the
// quorum by repetition), otherwise ERR_INSUFFICIENT_QUORUM.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"
#include "causeway/fisco/header.hpp"
#include "causeway/fisco/sealers.hpp"

namespace causeway::fisco {

inline constexpr std::size_t kSecp256k1SignatureSize = 65;  // r ‖ s ‖ v
inline constexpr std::size_t kSm2SignatureSize = 64;        // r ‖ s

// Verifies one signature by `node_id` over `header_hash` under the rules above for (version, algorithm).
// Errors: ERR_UNSUPPORTED (v2 SM2), ERR_BAD_LENGTH, ERR_SIG_ENCODING, ERR_PUBKEY_INVALID, ERR_SIG_INVALID.
Status verify_sealer_signature(Version v, HashAlgorithm a, const NodeId& node_id, const Hash32& header_hash,
                               ByteView signature);

struct Tally {
  std::uint64_t signed_weight = 0;        // of the distinct signers
  std::uint64_t total_weight = 0;
  std::uint64_t quorum = 0;               // total − ⌊(total − 1)/3⌋
  std::vector<std::uint64_t> signers;     // distinct indices, ascending
  bool repeated_index = false;            // some index appeared more than once
};

// Verifies every entry against `set` (its version and hash algorithm) and tallies distinct signers (see above).
Result<Tally> verify_signature_list(const SealerSet& set, const Hash32& header_hash,
                                   std::span<const SealerSignature> signatures);

// OK when signed_weight ≥ quorum; else ERR_DUPLICATE_SEAL (a repeated index) or ERR_INSUFFICIENT_QUORUM.
Status check_quorum(const Tally& t);

}  // namespace causeway::fisco
