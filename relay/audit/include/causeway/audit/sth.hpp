// Signed tree heads and the audit key (PACKET.md "Audit log entries").
//   message   = SHA-256(utf8("causeway.sth.v1") ‖ uint64_be(tree_size) ‖ uint64_be(timestamp_ms) ‖ root_hash)
//               (causeway::packet::sth_message_hash)
//   signature = BIP-340 Schnorr over the message by the audit key; log_id = the key's x-only public key.
//   JSON      = {"tree_size", "root_hash", "timestamp_ms", "log_id", "signature"}; sizes and times are JSON
//               integers ≤ 2^53 − 1, the others 0x-prefixed lowercase hex (32, 32 and 64 bytes).
// The audit key file holds the 32-byte secret as 64 hex digits (an optional "0x" and one trailing newline
// are accepted), mode 0600. Thread-safety: AuditKey is immutable after load; functions are reentrant.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"
#include "causeway/core/secp256k1.hpp"

namespace causeway::audit {

struct SignedTreeHead {
  std::uint64_t tree_size = 0;
  Hash32 root_hash;
  std::uint64_t timestamp_ms = 0;
  secp256k1::XOnlyPublicKey log_id{};
  secp256k1::SchnorrSignature signature{};
  bool operator==(const SignedTreeHead&) const = default;
};

// The STH JSON object (see the file comment).
nlohmann::json sth_to_json(const SignedTreeHead& sth);
// Parses an STH JSON object: exactly the five fields, each well-formed. `at` prefixes error locations.
// Errors: ERR_AUDIT_EXPORT (shape), ERR_BAD_HEX / ERR_BAD_LENGTH (inside the detail's field).
Result<SignedTreeHead> sth_from_json(const nlohmann::json& j, const std::string& at = "");

// Verifies the signature over the STH message under its own log_id. Errors: ERR_STH_SIGNATURE (the detail
// carries the BIP-340 reason: invalid signature, key not on the curve).
Status verify_sth(const SignedTreeHead& sth);

class AuditKey {
 public:
  // Loads the key at `path`, or when the file does not exist creates it (O_EXCL, mode 0600) with a fresh
  // secret from OpenSSL's RAND_bytes, and fsyncs it. An existing file must be a regular file not readable
  // or writable by group or others. Errors: ERR_KEY_PERMISSIONS (mode has any 077 bit; the detail names
  // the mode and the fix), ERR_IO (unreadable, not a regular file, cannot create), ERR_BAD_HEX /
  // ERR_SECKEY_INVALID (contents).
  static Result<AuditKey> load_or_create(const std::string& path);
  // A key from its 32-byte secret (tests, the golden vector). Errors: ERR_BAD_LENGTH, ERR_SECKEY_INVALID.
  static Result<AuditKey> from_secret(ByteView secret32);

  const secp256k1::XOnlyPublicKey& log_id() const noexcept { return log_id_; }

  // Signs a tree head with fresh auxiliary randomness (BIP-340 recommends it). Errors: ERR_CRYPTO_INTERNAL.
  Result<SignedTreeHead> sign(std::uint64_t tree_size, const Hash32& root_hash, std::uint64_t timestamp_ms) const;

 private:
  explicit AuditKey(const secp256k1::SecretKey& sk);
  secp256k1::SecretKey sk_;
  secp256k1::XOnlyPublicKey log_id_{};
};

}  // namespace causeway::audit
