#include "causeway/core/secp256k1.hpp"

#include <openssl/rand.h>
#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_recovery.h>
#include <secp256k1_schnorrsig.h>

#include <cstdlib>
#include <cstring>

#include "causeway/core/hash.hpp"

namespace causeway::secp256k1 {
namespace {

static_assert(sizeof(secp256k1_pubkey) == 64, "PublicKey::opaque mirrors secp256k1_pubkey");
static_assert(sizeof(secp256k1_ecdsa_signature) == 64, "compact signature size");

// The one context (see the header). Randomization only blinds the signing computations against side
// channels; it never changes a result, so a failed RAND_bytes leaves it unrandomized rather than failing.
const secp256k1_context* ctx() {
  static const secp256k1_context* const c = [] {
    secp256k1_context* made = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    if (made == nullptr) std::abort();  // out of memory at start-up: not input-driven
    unsigned char seed[32];
    if (RAND_bytes(seed, sizeof seed) == 1) {
      if (secp256k1_context_randomize(made, seed) != 1) std::abort();  // documented to never fail
    }
    return made;
  }();
  return c;
}

secp256k1_pubkey to_lib(const PublicKey& pk) {
  secp256k1_pubkey p;
  std::memcpy(p.data, pk.opaque.data(), 64);
  return p;
}

PublicKey from_lib(const secp256k1_pubkey& p) {
  PublicKey pk;
  std::memcpy(pk.opaque.data(), p.data, 64);
  return pk;
}

// Parses a compact r‖s that the Signature invariant guarantees to be in range.
secp256k1_ecdsa_signature to_lib(const Signature& sig) {
  secp256k1_ecdsa_signature s;
  if (secp256k1_ecdsa_signature_parse_compact(ctx(), &s, sig.rs.data()) != 1) std::abort();  // invariant
  return s;
}

bool all_zero(const std::uint8_t* p, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    if (p[i] != 0) return false;
  return true;
}

// Range check shared by the parsers: libsecp256k1's compact parser refuses r, s ≥ n but accepts zero,
// and its DER parser maps out-of-range values to zero; zero is never a valid r or s.
Result<Signature> checked(const std::uint8_t* rs64) {
  secp256k1_ecdsa_signature s;
  if (secp256k1_ecdsa_signature_parse_compact(ctx(), &s, rs64) != 1)
    return fail(Code::SigEncoding, "r or s is not below the group order");
  if (all_zero(rs64, 32) || all_zero(rs64 + 32, 32)) return fail(Code::SigEncoding, "r or s is zero");
  Signature out;
  std::memcpy(out.rs.data(), rs64, 64);
  return out;
}

}  // namespace

Result<SecretKey> parse_secret_key(ByteView in) {
  if (in.size() != 32) return fail(Code::BadLength, "secret key must be 32 bytes, got " + std::to_string(in.size()));
  if (secp256k1_ec_seckey_verify(ctx(), in.data()) != 1)
    return fail(Code::SeckeyInvalid, "secret key is zero or not below the group order");
  SecretKey sk;
  std::memcpy(sk.b.data(), in.data(), 32);
  return sk;
}

Result<PublicKey> parse_public_key(ByteView in) {
  if (in.size() != 33 && in.size() != 65)
    return fail(Code::BadLength, "public key must be 33 or 65 bytes, got " + std::to_string(in.size()));
  // libsecp256k1 also accepts the hybrid forms 0x06/0x07; SEC1 compressed/uncompressed only here.
  const std::uint8_t prefix = in[0];
  if ((in.size() == 33 && prefix != 0x02 && prefix != 0x03) || (in.size() == 65 && prefix != 0x04))
    return fail(Code::PubkeyInvalid, "public key prefix does not match its length");
  secp256k1_pubkey p;
  if (secp256k1_ec_pubkey_parse(ctx(), &p, in.data(), in.size()) != 1)
    return fail(Code::PubkeyInvalid, "public key is not a point on secp256k1");
  return from_lib(p);
}

PublicKey public_key_of(const SecretKey& sk) {
  secp256k1_pubkey p;
  if (secp256k1_ec_pubkey_create(ctx(), &p, sk.b.data()) != 1) std::abort();  // SecretKey invariant
  return from_lib(p);
}

std::array<std::uint8_t, 33> serialize_compressed(const PublicKey& pk) {
  std::array<std::uint8_t, 33> out{};
  std::size_t len = out.size();
  const secp256k1_pubkey p = to_lib(pk);
  secp256k1_ec_pubkey_serialize(ctx(), out.data(), &len, &p, SECP256K1_EC_COMPRESSED);
  return out;
}

std::array<std::uint8_t, 65> serialize_uncompressed(const PublicKey& pk) {
  std::array<std::uint8_t, 65> out{};
  std::size_t len = out.size();
  const secp256k1_pubkey p = to_lib(pk);
  secp256k1_ec_pubkey_serialize(ctx(), out.data(), &len, &p, SECP256K1_EC_UNCOMPRESSED);
  return out;
}

Address eth_address(const PublicKey& pk) {
  const auto u = serialize_uncompressed(pk);
  const Hash32 h = keccak256(ByteView(u).subspan(1));
  Address a{};
  std::memcpy(a.data(), h.data() + 12, 20);
  return a;
}

Result<RecoverableSignature> sign_recoverable(const Hash32& digest, const SecretKey& sk) {
  secp256k1_ecdsa_recoverable_signature rsig;
  // nullptr nonce function = secp256k1_nonce_function_rfc6979.
  if (secp256k1_ecdsa_sign_recoverable(ctx(), &rsig, digest.data(), sk.b.data(), nullptr, nullptr) != 1)
    return fail(Code::CryptoInternal, "secp256k1_ecdsa_sign_recoverable failed");
  RecoverableSignature out;
  int recid = 0;
  secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx(), out.sig.rs.data(), &recid, &rsig);
  out.recid = static_cast<std::uint8_t>(recid);
  return out;
}

Result<std::array<std::uint8_t, 65>> sign_rsv(const Hash32& digest, const SecretKey& sk) {
  auto rs = sign_recoverable(digest, sk);
  if (!rs) return tl::unexpected(rs.error());
  if (rs->recid > 1) return fail(Code::CryptoInternal, "recovery id above 1 cannot be expressed as v 27/28");
  std::array<std::uint8_t, 65> out{};
  std::memcpy(out.data(), rs->sig.rs.data(), 64);
  out[64] = static_cast<std::uint8_t>(27 + rs->recid);
  return out;
}

Result<Signature> parse_der(ByteView der) {
  // An empty span may carry a null pointer, which libsecp256k1 treats as API misuse (abort).
  if (der.empty()) return fail(Code::SigEncoding, "empty DER signature");
  secp256k1_ecdsa_signature s;
  if (secp256k1_ecdsa_signature_parse_der(ctx(), &s, der.data(), der.size()) != 1)
    return fail(Code::SigEncoding, "signature is not strict DER");
  std::array<std::uint8_t, 64> rs{};
  secp256k1_ecdsa_signature_serialize_compact(ctx(), rs.data(), &s);
  return checked(rs.data());
}

Result<Signature> parse_compact(ByteView rs64) {
  if (rs64.size() != 64)
    return fail(Code::BadLength, "compact signature must be 64 bytes, got " + std::to_string(rs64.size()));
  return checked(rs64.data());
}

bool is_low_s(const Signature& sig) {
  const secp256k1_ecdsa_signature s = to_lib(sig);
  return secp256k1_ecdsa_signature_normalize(ctx(), nullptr, &s) == 0;
}

Signature normalize_s(const Signature& sig) {
  secp256k1_ecdsa_signature s = to_lib(sig);
  secp256k1_ecdsa_signature_normalize(ctx(), &s, &s);
  Signature out;
  secp256k1_ecdsa_signature_serialize_compact(ctx(), out.rs.data(), &s);
  return out;
}

Status verify(const Signature& sig, const Hash32& digest, const PublicKey& pk, LowS policy) {
  secp256k1_ecdsa_signature s = to_lib(sig);
  // libsecp256k1's verify refuses high-S outright; normalizing first is how "Allowed" accepts it.
  const bool was_high = secp256k1_ecdsa_signature_normalize(ctx(), &s, &s) == 1;
  if (was_high && policy == LowS::Required) return fail(Code::SigHighS, "s is above n/2");
  const secp256k1_pubkey p = to_lib(pk);
  if (secp256k1_ecdsa_verify(ctx(), &s, digest.data(), &p) != 1)
    return fail(Code::SigInvalid, "ECDSA signature does not verify");
  return {};
}

Result<PublicKey> recover(const Hash32& digest, const Signature& sig, int recid, LowS policy) {
  if (recid < 0 || recid > 3) return fail(Code::InvalidArgument, "recovery id must be 0..3");
  if (policy == LowS::Required && !is_low_s(sig)) return fail(Code::SigHighS, "s is above n/2");
  secp256k1_ecdsa_recoverable_signature rsig;
  if (secp256k1_ecdsa_recoverable_signature_parse_compact(ctx(), &rsig, sig.rs.data(), recid) != 1)
    return fail(Code::SigEncoding, "r or s is not below the group order");
  // secp256k1_ecdsa_recover accepts high-S (it does not normalize), which is what "Allowed" needs.
  secp256k1_pubkey p;
  if (secp256k1_ecdsa_recover(ctx(), &p, &rsig, digest.data()) != 1)
    return fail(Code::SigInvalid, "no public key recovers from this signature");
  return from_lib(p);
}

Result<PublicKey> recover_rsv(const Hash32& digest, ByteView rsv65, LowS policy) {
  if (rsv65.size() != 65)
    return fail(Code::BadLength, "r||s||v signature must be 65 bytes, got " + std::to_string(rsv65.size()));
  const std::uint8_t v = rsv65[64];
  int recid = 0;
  if (v == 0 || v == 1)
    recid = v;
  else if (v == 27 || v == 28)
    recid = v - 27;
  else
    return fail(Code::SigEncoding, "v must be 0, 1, 27 or 28, got " + std::to_string(v));
  auto sig = checked(rsv65.data());
  if (!sig) return tl::unexpected(sig.error());
  return recover(digest, *sig, recid, policy);
}

XOnlyPublicKey xonly_public_key(const SecretKey& sk) {
  secp256k1_keypair kp;
  if (secp256k1_keypair_create(ctx(), &kp, sk.b.data()) != 1) std::abort();  // SecretKey invariant
  secp256k1_xonly_pubkey xp;
  if (secp256k1_keypair_xonly_pub(ctx(), &xp, nullptr, &kp) != 1) std::abort();
  XOnlyPublicKey out{};
  secp256k1_xonly_pubkey_serialize(ctx(), out.data(), &xp);
  return out;
}

Result<SchnorrSignature> schnorr_sign(const Hash32& msg, const SecretKey& sk,
                                      const std::array<std::uint8_t, 32>& aux_rand) {
  secp256k1_keypair kp;
  if (secp256k1_keypair_create(ctx(), &kp, sk.b.data()) != 1)
    return fail(Code::CryptoInternal, "secp256k1_keypair_create failed");
  SchnorrSignature sig{};
  if (secp256k1_schnorrsig_sign32(ctx(), sig.data(), msg.data(), &kp, aux_rand.data()) != 1)
    return fail(Code::CryptoInternal, "secp256k1_schnorrsig_sign32 failed");
  return sig;
}

Status schnorr_verify(ByteView sig64, const Hash32& msg, ByteView xonly_pubkey32) {
  if (sig64.size() != 64)
    return fail(Code::BadLength, "BIP-340 signature must be 64 bytes, got " + std::to_string(sig64.size()));
  if (xonly_pubkey32.size() != 32)
    return fail(Code::BadLength, "x-only public key must be 32 bytes, got " + std::to_string(xonly_pubkey32.size()));
  secp256k1_xonly_pubkey xp;
  if (secp256k1_xonly_pubkey_parse(ctx(), &xp, xonly_pubkey32.data()) != 1)
    return fail(Code::PubkeyInvalid, "x-only public key is not the x of a curve point");
  if (secp256k1_schnorrsig_verify(ctx(), sig64.data(), msg.data(), 32, &xp) != 1)
    return fail(Code::SigInvalid, "BIP-340 signature does not verify");
  return {};
}

}  // namespace causeway::secp256k1
