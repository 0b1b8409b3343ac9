// X.509 certificates of ChainMaker members (cert mode) through OpenSSL 3: parsing, chain validation against an
// org's trust roots AT A GIVEN TIME (the block's own timestamp, never "now"), and member signatures.
//
// Member signatures (ChainMaker accesscontrol certMember.Verify): the algorithm follows the certificate.
//   ecdsa-with-SHA256 certificate, P-256 key: DER ECDSA over SHA-256(message). Strict DER (OpenSSL re-encodes
//       and compares); high-S is accepted as Go's crypto/ecdsa accepts it — votes are counted by node id and
//       certificate, never by signature bytes, so malleability changes no tally (docs/signature-policy.md).
//   SM2-with-SM3 certificate, SM2 key: SM2 over SM3(Z_A ‖ message), user id "1234567812345678" (core sm2.hpp).
// Other key types or algorithms: ERR_UNSUPPORTED.
//
// Pure; thread-safety: a Certificate is immutable after parse() and may be shared between threads; every call
// builds its own OpenSSL contexts.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"

namespace causeway::chainmaker {

inline constexpr std::size_t kMaxCertificateBytes = 64u << 10;

enum class CertAlgorithm : std::uint8_t { Unsupported, EcdsaP256Sha256, Sm2Sm3 };

class Certificate {
 public:
  // Exactly one certificate, PEM ("-----BEGIN CERTIFICATE-----", surrounding whitespace allowed) or DER, with
  // nothing else. Errors: ERR_TOO_LARGE (over kMaxCertificateBytes), ERR_CERT_INVALID (not one certificate,
  // unreadable validity times).
  static Result<Certificate> parse(ByteView pem_or_der);

  const Bytes& der() const noexcept;
  CertAlgorithm algorithm() const noexcept;
  std::int64_t not_before_s() const noexcept;  // seconds since the Unix epoch
  std::int64_t not_after_s() const noexcept;
  const std::vector<std::string>& organizational_units() const noexcept;  // subject OU values
  const std::string& common_name() const noexcept;                        // subject CN ("" when absent)
  bool valid_at(std::int64_t time_s) const noexcept { return not_before_s() <= time_s && time_s <= not_after_s(); }

  // Verifies a member signature by this certificate's key over `message` (rules above).
  // Errors: ERR_UNSUPPORTED (algorithm), ERR_SIG_ENCODING (not strict DER), ERR_SIG_INVALID, ERR_PUBKEY_INVALID,
  // ERR_CRYPTO_INTERNAL.
  Status verify(ByteView message, ByteView signature) const;

  bool operator==(const Certificate& o) const noexcept { return der() == o.der(); }

  struct Impl;

 private:
  std::shared_ptr<const Impl> impl_;
};

// The time window in which a validated chain holds: the intersection of every chain certificate's validity.
struct ChainValidity {
  std::int64_t from_s = 0;
  std::int64_t until_s = 0;
};

// Validates `leaf` up to one of `roots` (self-signed roots or intermediates: a trusted intermediate ends the
// chain, as ChainMaker's trust_roots may list them) with every certificate judged at `at_s` (seconds).
// Errors: ERR_UNKNOWN_CA (no issuer among the roots: also for an empty root list), ERR_CERT_EXPIRED (a chain
// certificate is not yet valid or expired at at_s), ERR_CERT_INVALID (bad signature, not a CA, other failures),
// ERR_CRYPTO_INTERNAL.
Result<ChainValidity> verify_chain(const Certificate& leaf, std::span<const Certificate> roots, std::int64_t at_s);

}  // namespace causeway::chainmaker
