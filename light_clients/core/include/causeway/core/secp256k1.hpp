// secp256k1 keys and signatures: ECDSA (sign, verify, recover) and BIP-340 Schnorr, via libsecp256k1 0.2.
//
// Specs: SEC 1 v2 §2.3.3/§2.3.4 (public-key encodings), RFC 6979 (deterministic ECDSA nonces, libsecp256k1's
// default nonce function), BIP-340 (Schnorr signatures, x-only keys), Ethereum Yellow Paper appx F (addresses,
// ecrecover), X.690 §10 DER for ECDSA-Sig-Value (strict DER, as Bitcoin's BIP-66).
//
// Low-S is a policy, not an accident (DESIGN.md §4): every verifying function takes an explicit `LowS`.
// An ECDSA signature (r, s) has a malleable twin (r, n − s) that is valid for the same key and digest, so a
// caller that counts signers must count *recovered/verified keys*, never signature byte strings:
// a signer counts once, however many encodings it submits (attack case A17).
//
// Thread-safety: all functions use one process-wide libsecp256k1 context, created on first use (a C++
// function-local static, so creation is race-free) and randomized once (side-channel blinding; seeded from
// OpenSSL's RAND_bytes, which never changes any result). After that the context is only passed as `const`,
// which libsecp256k1 documents as safe for concurrent use. Every function here is safe from any thread.
// Untrusted input never aborts: bad bytes give an Error.
#pragma once

#include <array>
#include <cstdint>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"

namespace causeway::secp256k1 {

// Whether an ECDSA signature with s > n/2 is accepted.
//   Required: high-S is refused with ERR_SIG_HIGH_S (relay attestations, devnet, Wycheproof's Bitcoin variant).
//   Allowed:  high-S is accepted (Ethereum seals, ecrecover); deduplicate by the recovered signer.
enum class LowS { Required, Allowed };

// A secret key: 32 big-endian bytes, 0 < k < n (validated by parse_secret_key). Not zeroized on destruction.
struct SecretKey {
  std::array<std::uint8_t, 32> b{};
};

// A validated public key (a point on the curve, not infinity). The 64 bytes are libsecp256k1's opaque
// secp256k1_pubkey: only meaningful to this module; compare keys with operator== (same point ⇔ same bytes
// within one process) or by serialization.
struct PublicKey {
  std::array<std::uint8_t, 64> opaque{};
  bool operator==(const PublicKey&) const = default;
};

// An ECDSA signature as compact r ‖ s (32 + 32 bytes, big-endian), with 0 < r, s < n (validated by the parsers).
struct Signature {
  std::array<std::uint8_t, 64> rs{};
  bool operator==(const Signature&) const = default;
};

// A signature plus its recovery id (0..3: bit 0 = parity of R.y, bit 1 = R.x ≥ n).
struct RecoverableSignature {
  Signature sig;
  std::uint8_t recid = 0;
};

using Address = std::array<std::uint8_t, 20>;
using XOnlyPublicKey = std::array<std::uint8_t, 32>;
using SchnorrSignature = std::array<std::uint8_t, 64>;

// ---- keys ------------------------------------------------------------------------------------------

// 32 bytes → secret key. Errors: ERR_BAD_LENGTH (size ≠ 32), ERR_SECKEY_INVALID (zero or ≥ n).
Result<SecretKey> parse_secret_key(ByteView in);

// SEC1 encoded point → public key: 33 bytes compressed (0x02/0x03 ‖ x) or 65 bytes uncompressed
// (0x04 ‖ x ‖ y). Hybrid encodings (0x06/0x07) are refused. Errors: ERR_BAD_LENGTH (size not 33 or 65),
// ERR_PUBKEY_INVALID (wrong prefix, x or y ≥ p, not on the curve).
Result<PublicKey> parse_public_key(ByteView in);

// k·G for a valid secret key (infallible for a SecretKey from parse_secret_key).
PublicKey public_key_of(const SecretKey& sk);

// SEC1 serializations: 33 bytes (0x02/0x03 ‖ x) and 65 bytes (0x04 ‖ x ‖ y).
std::array<std::uint8_t, 33> serialize_compressed(const PublicKey& pk);
std::array<std::uint8_t, 65> serialize_uncompressed(const PublicKey& pk);

// Ethereum address: the last 20 bytes of keccak256(x ‖ y) (the 64-byte uncompressed point without 0x04).
Address eth_address(const PublicKey& pk);

// ---- ECDSA -----------------------------------------------------------------------------------------

// Signs a 32-byte digest (the caller hashes; no EIP-191 prefix is added) with an RFC 6979 nonce, so the
// result is deterministic. The signature is always low-S. Errors: ERR_CRYPTO_INTERNAL (cannot happen for
// a validated key; reported rather than asserted).
Result<RecoverableSignature> sign_recoverable(const Hash32& digest, const SecretKey& sk);

// Same signature as 65 bytes r ‖ s ‖ v with v = 27 + recid ∈ {27, 28} (PACKET.md "Attestations"; what
// Solidity's ecrecover(digest, v, r, s) takes). libsecp256k1 never yields recid 2/3 for a real signing
// (R.x ≥ n has probability ~2^-127); if it did, ERR_CRYPTO_INTERNAL.
Result<std::array<std::uint8_t, 65>> sign_rsv(const Hash32& digest, const SecretKey& sk);

// Strict DER ECDSA-Sig-Value (SEQUENCE of two INTEGERs, minimal lengths, no padding, no trailing bytes),
// as secp256k1_ecdsa_signature_parse_der. Errors: ERR_SIG_ENCODING (not strict DER, r or s zero, negative
// or ≥ n). The S value is not judged here (see LowS).
Result<Signature> parse_der(ByteView der);

// Compact 64-byte r ‖ s. Errors: ERR_BAD_LENGTH (size ≠ 64), ERR_SIG_ENCODING (r or s zero or ≥ n).
Result<Signature> parse_compact(ByteView rs64);

// True iff s ≤ n/2 (the canonical one of the twins (r, s), (r, n − s)).
bool is_low_s(const Signature& sig);

// The low-S twin (r, min(s, n − s)).
Signature normalize_s(const Signature& sig);

// Verifies sig over a 32-byte digest under pk. Errors: ERR_SIG_HIGH_S (s > n/2 and policy Required),
// ERR_SIG_INVALID (does not verify).
Status verify(const Signature& sig, const Hash32& digest, const PublicKey& pk, LowS policy);

// Recovers the signing public key from (digest, r ‖ s, recid 0..3). Errors: ERR_INVALID_ARGUMENT (recid > 3),
// ERR_SIG_HIGH_S (policy Required and s > n/2), ERR_SIG_INVALID (no key recovers). The high-S twin
// (r, n − s) with recid ^ 1 recovers the same key: deduplicate signers by the result.
Result<PublicKey> recover(const Hash32& digest, const Signature& sig, int recid, LowS policy);

// Recovers from 65 bytes r ‖ s ‖ v, v ∈ {0, 1, 27, 28} (both conventions are in use). Errors: ERR_BAD_LENGTH
// (size ≠ 65), ERR_SIG_ENCODING (other v, r or s zero or ≥ n), and those of recover().
Result<PublicKey> recover_rsv(const Hash32& digest, ByteView rsv65, LowS policy);

// ---- BIP-340 Schnorr -------------------------------------------------------------------------------

// The x-only public key (32-byte x of k·G; BIP-340 "Public Key Generation").
XOnlyPublicKey xonly_public_key(const SecretKey& sk);

// BIP-340 "Default Signing" of a 32-byte message with 32 bytes of auxiliary randomness (all-zero is
// allowed; fresh randomness is recommended against fault attacks). Deterministic given aux_rand.
// Errors: ERR_CRYPTO_INTERNAL (cannot happen for a validated key).
Result<SchnorrSignature> schnorr_sign(const Hash32& msg, const SecretKey& sk,
                                      const std::array<std::uint8_t, 32>& aux_rand);

// BIP-340 verification of a 64-byte signature over a 32-byte message under a 32-byte x-only key.
// Errors: ERR_BAD_LENGTH (sig ≠ 64 or key ≠ 32 bytes), ERR_PUBKEY_INVALID (x ≥ p or not on the curve),
// ERR_SIG_INVALID (does not verify, including r ≥ p and s ≥ n).
Status schnorr_verify(ByteView sig64, const Hash32& msg, ByteView xonly_pubkey32);

}  // namespace causeway::secp256k1
