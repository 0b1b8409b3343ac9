// SM2 digital signatures with SM3 (GB/T 32918.2-2016 / GM/T 0003.2-2012 §6–7; curve sm2p256v1 of
// GB/T 32918.5 / GM/T 0003.5), via OpenSSL 3 EVP. Used by ChainMaker and FISCO BCOS "national algorithm"
// (guomi) chains.
//
// The signed value is e = SM3(Z_A ‖ M), Z_A = SM3(ENTL_A ‖ ID_A ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A)
// (GB/T 32918.2 §5.5); OpenSSL computes Z_A from the user id given here (EVP_PKEY_CTX_set1_id) and the key.
// The user id defaults to "1234567812345678", the value GM/T 0009 recommends and the chains use.
//
// Thread-safety: pure functions; each call builds its own OpenSSL objects and clears the calling thread's
// OpenSSL error queue. Safe from any thread. Untrusted input never aborts.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"

namespace causeway::sm2 {

inline constexpr std::string_view kDefaultUserId = "1234567812345678";

using Signature64 = std::array<std::uint8_t, 64>;  // r ‖ s, 32-byte big-endian each

// How a signature is encoded. Explicit, because a DER signature can be exactly 64 bytes long too.
enum class SigFormat {
  Der,      // strict DER SEQUENCE{INTEGER r, INTEGER s}, at most 72 bytes; re-encoded and compared, so BER
            // and trailing bytes are refused (GB/T 32918.2 leaves the encoding to GM/T 0009 / X.690)
  Compact,  // exactly 64 bytes r ‖ s, 32-byte big-endian each (converted to DER with ECDSA_SIG)
};

// Verifies an SM2 signature over the message (not a digest: Z_A and SM3 are applied here).
//   pubkey65: SEC1 uncompressed point 0x04 ‖ x ‖ y on sm2p256v1 (65 bytes).
//   user_id:  ID_A, 1..8190 bytes (ENTL is a 16-bit count of bits; OpenSSL refuses 8191 and more).
// Errors: ERR_PUBKEY_INVALID (not 65 bytes starting 0x04, not on the curve), ERR_SIG_ENCODING (bad DER,
// wrong size, r or s zero or ≥ n), ERR_INVALID_ARGUMENT (user id empty or too long), ERR_SIG_INVALID (does not
// verify), ERR_CRYPTO_INTERNAL (OpenSSL failed to set up).
Status verify(ByteView message, ByteView sig, SigFormat format, ByteView pubkey65,
              std::string_view user_id = kDefaultUserId);

// Public key of a 32-byte secret key d (1 ≤ d ≤ n − 2): 65-byte 0x04 ‖ x ‖ y.
// Errors: ERR_SECKEY_INVALID, ERR_CRYPTO_INTERNAL.
Result<std::array<std::uint8_t, 65>> public_key_of(ByteView secret32);

// Signs a message (tests, devnet). OpenSSL draws the nonce k from its RNG, so signatures are randomized;
// verify() is the test of correctness. Returns r ‖ s (64 bytes).
// Errors: ERR_SECKEY_INVALID, ERR_INVALID_ARGUMENT (user id empty or too long), ERR_CRYPTO_INTERNAL.
Result<Signature64> sign(ByteView message, ByteView secret32, std::string_view user_id = kDefaultUserId);

// r ‖ s (64 bytes) → DER. Errors: ERR_SIG_ENCODING (r or s zero or ≥ n).
Result<Bytes> compact_to_der(ByteView rs64);

}  // namespace causeway::sm2
