// Who may call operator and governance routes (issue #6 "Who may do what"; docs/api-security.md).
//
// Operator routes: `Authorization: Bearer <token>` where the token is the content of a file (trailing
// whitespace ignored; at least 16 characters; the file must not be readable or writable by group or others,
// like the attestation key) compared in constant time (CRYPTO_memcmp over SHA-256 digests, so neither
// content nor length leaks), OR a request signed by one of the configured operator addresses.
//
// Signed requests (operator and island governance) carry three headers:
//   X-Causeway-Timestamp: unix seconds, decimal
//   X-Causeway-Nonce:     16–64 hex digits (case-insensitive; remembered lower-cased)
//   X-Causeway-Signature: one or more comma-separated 65-byte r‖s‖v secp256k1 signatures, hex (0x optional),
//                         v ∈ {27, 28, 0, 1}, low-S
// each over the digest keccak256(signing_string(...)) where the signing string is, exactly,
//   "causeway-request-v1\n" + METHOD + "\n" + path-with-query + "\n" + hex(sha256(body)) + "\n" + ts + "\n" + nonce
// (METHOD upper-case as sent, path-with-query = the request target as sent, hex = 64 lower-case digits
// without 0x, ts and nonce exactly as in their headers). The digest is signed directly (no EIP-191 prefix).
// Signers are the addresses recovered from the signatures (Ethereum addresses, secp256k1::eth_address);
// each distinct allowed signer counts once however many signatures it gave (A17).
//
// Replay window: |now − ts| ≤ window_s (300 s); a nonce that authorized a request is remembered until its
// timestamp leaves the window and a second request with it is refused (ERR_REQUEST_REPLAYED). A nonce is
// recorded only when the request is otherwise authorized, so a forged request cannot burn a real nonce.
// Memory is bounded: at most max_nonces are remembered (expired ones evicted first, by time); when every
// slot holds an unexpired nonce, new signed requests are refused with ERR_RATE_LIMITED (fail closed).
//
// Thread-safety: every member may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"
#include "causeway/core/secp256k1.hpp"
#include "causeway/gateway/server.hpp"

namespace causeway::gateway {

struct AuthOptions {
  std::string token_file;                          // empty: no bearer token (signed requests only)
  std::vector<secp256k1::Address> operators;       // addresses whose signed requests are operator requests
  std::int64_t window_s = 300;                     // replay window, seconds either side of the clock
  std::size_t max_nonces = 100'000;                // remembered nonces at most
  std::function<std::int64_t()> clock_s{};         // unix seconds; default the system clock
};

class Authenticator {
 public:
  // Reads the token file (if any). Errors: ERR_KEY_PERMISSIONS (group/other bits set), ERR_IO (unreadable,
  // not a regular file), ERR_INVALID_ARGUMENT (token shorter than 16 characters or over 4096 bytes,
  // window_s ≤ 0, max_nonces 0).
  static Result<std::unique_ptr<Authenticator>> open(AuthOptions options);

  // Operator routes: a matching bearer token or a valid signed request by an operator address.
  // Errors (all 401 through http_status_for): ERR_UNAUTHORIZED (no or wrong credentials, bad signature,
  // signer not an operator), ERR_REQUEST_REPLAYED (stale timestamp, reused nonce); ERR_RATE_LIMITED (nonce
  // memory full, 429).
  Status check_operator(const Request& req);

  // Island governance: a signed request with at least `threshold` distinct signers among `keys`.
  // threshold 0 or above keys.size() is refused (fail closed). Errors as check_operator.
  Status check_governance(const Request& req, const std::vector<secp256k1::Address>& keys, std::uint32_t threshold);

  std::size_t nonces_remembered() const;

  ~Authenticator();
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

 private:
  struct Impl;
  explicit Authenticator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The exact string that is hashed and signed (see the file comment).
std::string signing_string(std::string_view method, std::string_view target, std::string_view body,
                           std::string_view timestamp, std::string_view nonce);
// keccak256(signing_string(...)).
Hash32 request_digest(std::string_view method, std::string_view target, std::string_view body,
                      std::string_view timestamp, std::string_view nonce);

// Client helper: the three headers for a request signed by `keys` (one signature each, comma-separated),
// as (name, value) pairs. Errors: ERR_CRYPTO_INTERNAL.
Result<std::vector<std::pair<std::string, std::string>>> sign_request(std::string_view method,
                                                                     std::string_view target,
                                                                     std::string_view body, std::int64_t timestamp,
                                                                     std::string_view nonce,
                                                                     const std::vector<secp256k1::SecretKey>& keys);

}  // namespace causeway::gateway
