// Crypto suites of the BFT light clients (PROOF-BUNDLE.md family `bft`, `crypto`): one hash function and one
// signature scheme, chosen per island and never mixed.
//
//   secp256k1-sha256  hash SHA-256 (FIPS 180-4). Keys: 33-byte compressed SEC1 (0x02/0x03 ‖ x) only.
//                     Signatures: 64-byte r ‖ s, ECDSA over SHA-256(message), low-S REQUIRED (s ≤ n/2; the
//                     high-S twin (r, n − s) is refused with ERR_SIG_HIGH_S: docs/signature-policy.md).
//   sm2-sm3           hash SM3 (GB/T 32905-2016). Keys: 65-byte uncompressed SEC1 (0x04 ‖ x ‖ y) on sm2p256v1
//                     only. Signatures: 64-byte r ‖ s, SM2 (GB/T 32918.2) over the message itself, i.e.
//                     e = SM3(Z_A ‖ message) with the default user id "1234567812345678". SM2 has no (r, n − s)
//                     twin: replacing s by n − s gives a signature that does not verify.
//
// Keys are accepted in their one canonical encoding only, so one validator has one key string and a set can
// never list one signer twice under two encodings (A15/A17).
//
// Errors: ERR_INVALID_ARGUMENT (unknown suite name), ERR_PUBKEY_INVALID (wrong size, non-canonical encoding,
// not on the curve), ERR_BAD_LENGTH (signature not 64 bytes), ERR_SIG_ENCODING (r or s zero or ≥ n),
// ERR_SIG_HIGH_S, ERR_SIG_INVALID, ERR_SECKEY_INVALID, ERR_CRYPTO_INTERNAL.
// Pure; thread-safety: pure functions, safe from any thread (core's secp256k1/sm2/hash guarantees).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"
#include "causeway/core/secp256k1.hpp"

namespace causeway::bft {

enum class Suite : std::uint8_t { Secp256k1Sha256, Sm2Sm3 };

inline constexpr std::size_t kSignatureSize = 64;

// "secp256k1-sha256" / "sm2-sm3" (the bundle's `crypto` value).
std::string_view suite_name(Suite s) noexcept;
// The reverse; ERR_INVALID_ARGUMENT for any other string (fail closed, DESIGN.md rule 7).
Result<Suite> parse_suite(std::string_view name);
// Canonical public-key size: 33 (secp256k1-sha256) or 65 (sm2-sm3).
std::size_t public_key_size(Suite s) noexcept;

// The suite hash: SHA-256 or SM3.
Hash32 suite_hash(Suite s, ByteView data);
// The suite hash of a ‖ b (no separator).
Hash32 suite_hash(Suite s, ByteView a, ByteView b);

// Checks that `key` is the canonical encoding of a valid curve point for the suite.
Status check_public_key(Suite s, ByteView key);

// Verifies a 64-byte r ‖ s signature by `key` over `message` under the suite's rules (see file comment).
Status verify_signature(Suite s, ByteView key, ByteView message, ByteView signature);

// secp256k1-sha256 with the message already hashed (digest = SHA-256(message)) and the key already parsed: the
// same rules and error codes as verify_signature, for verifying many signatures over one message (commit.hpp).
Status verify_secp256k1_sha256_digest(const secp256k1::PublicKey& key, const Hash32& digest, ByteView signature);

// Canonical public key of a 32-byte secret (secp256k1: 0 < d < n; SM2: 1 ≤ d ≤ n − 2).
Result<Bytes> public_key_of(Suite s, ByteView secret32);
// Signs `message` (tests, the devnet node): secp256k1 RFC 6979 deterministic and low-S; SM2 randomized.
Result<Bytes> sign(Suite s, ByteView secret32, ByteView message);

}  // namespace causeway::bft
