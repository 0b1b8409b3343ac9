#include "causeway/bft/suite.hpp"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>

#include <memory>

#include "causeway/core/hash.hpp"
#include "causeway/core/secp256k1.hpp"
#include "causeway/core/sm2.hpp"

namespace causeway::bft {
namespace {

struct Free {
  void operator()(EC_GROUP* p) const { EC_GROUP_free(p); }
  void operator()(EC_POINT* p) const { EC_POINT_free(p); }
  void operator()(BN_CTX* p) const { BN_CTX_free(p); }
};
template <class T>
using Ptr = std::unique_ptr<T, Free>;

// 0x04 ‖ x ‖ y on sm2p256v1, not infinity, x and y < p (EC_POINT_oct2point refuses coordinates ≥ p and
// points off the curve).
Status check_sm2_key(ByteView key) {
  if (key.size() != 65 || key[0] != 0x04)
    return fail(Code::PubkeyInvalid, "sm2-sm3 keys are 65-byte uncompressed SEC1 (0x04 || x || y)");
  struct ClearErrors {
    ~ClearErrors() { ERR_clear_error(); }
  } clear;
  Ptr<EC_GROUP> g(EC_GROUP_new_by_curve_name(NID_sm2));
  Ptr<EC_POINT> pt(g ? EC_POINT_new(g.get()) : nullptr);
  Ptr<BN_CTX> bctx(BN_CTX_new());
  if (!g || !pt || !bctx) return fail(Code::CryptoInternal, "sm2p256v1 unavailable");
  if (EC_POINT_oct2point(g.get(), pt.get(), key.data(), key.size(), bctx.get()) != 1 ||
      EC_POINT_is_at_infinity(g.get(), pt.get()) == 1 || EC_POINT_is_on_curve(g.get(), pt.get(), bctx.get()) != 1)
    return fail(Code::PubkeyInvalid, "not a point on sm2p256v1");
  return {};
}

Result<secp256k1::PublicKey> parse_secp_key(ByteView key) {
  if (key.size() != 33 || (key[0] != 0x02 && key[0] != 0x03))
    return fail(Code::PubkeyInvalid, "secp256k1-sha256 keys are 33-byte compressed SEC1 (0x02/0x03 || x)");
  auto pk = secp256k1::parse_public_key(key);
  if (!pk) return fail(Code::PubkeyInvalid, pk.error().detail);
  return *pk;
}

}  // namespace

std::string_view suite_name(Suite s) noexcept {
  switch (s) {
    case Suite::Secp256k1Sha256:
      return "secp256k1-sha256";
    case Suite::Sm2Sm3:
      return "sm2-sm3";
  }
  return "unknown";
}

Result<Suite> parse_suite(std::string_view name) {
  if (name == "secp256k1-sha256") return Suite::Secp256k1Sha256;
  if (name == "sm2-sm3") return Suite::Sm2Sm3;
  return fail(Code::InvalidArgument, "unknown crypto suite (secp256k1-sha256 | sm2-sm3)");
}

std::size_t public_key_size(Suite s) noexcept { return s == Suite::Sm2Sm3 ? 65 : 33; }

Hash32 suite_hash(Suite s, ByteView data) { return s == Suite::Sm2Sm3 ? sm3(data) : sha256(data); }

Hash32 suite_hash(Suite s, ByteView a, ByteView b) {
  if (s == Suite::Secp256k1Sha256) return sha256(a, b);
  Bytes buf;
  buf.reserve(a.size() + b.size());
  append(buf, a);
  append(buf, b);
  return sm3(buf);
}

Status check_public_key(Suite s, ByteView key) {
  if (s == Suite::Sm2Sm3) return check_sm2_key(key);
  auto pk = parse_secp_key(key);
  if (!pk) return tl::unexpected(pk.error());
  return {};
}

Status verify_signature(Suite s, ByteView key, ByteView message, ByteView signature) {
  if (signature.size() != kSignatureSize) return fail(Code::BadLength, "signature must be 64 bytes r || s");
  if (s == Suite::Sm2Sm3) {
    if (key.size() != 65 || key[0] != 0x04) return fail(Code::PubkeyInvalid, "sm2-sm3 key is not 65-byte 0x04 || x || y");
    return sm2::verify(message, signature, sm2::SigFormat::Compact, key, sm2::kDefaultUserId);
  }
  auto pk = parse_secp_key(key);
  if (!pk) return tl::unexpected(pk.error());
  return verify_secp256k1_sha256_digest(*pk, sha256(message), signature);
}

Status verify_secp256k1_sha256_digest(const secp256k1::PublicKey& key, const Hash32& digest, ByteView signature) {
  if (signature.size() != kSignatureSize) return fail(Code::BadLength, "signature must be 64 bytes r || s");
  auto sig = secp256k1::parse_compact(signature);
  if (!sig) return tl::unexpected(sig.error());
  return secp256k1::verify(*sig, digest, key, secp256k1::LowS::Required);
}

Result<Bytes> public_key_of(Suite s, ByteView secret32) {
  if (s == Suite::Sm2Sm3) {
    auto pk = sm2::public_key_of(secret32);
    if (!pk) return tl::unexpected(pk.error());
    return Bytes(pk->begin(), pk->end());
  }
  auto sk = secp256k1::parse_secret_key(secret32);
  if (!sk) return tl::unexpected(sk.error());
  const auto c = secp256k1::serialize_compressed(secp256k1::public_key_of(*sk));
  return Bytes(c.begin(), c.end());
}

Result<Bytes> sign(Suite s, ByteView secret32, ByteView message) {
  if (s == Suite::Sm2Sm3) {
    auto sig = sm2::sign(message, secret32, sm2::kDefaultUserId);
    if (!sig) return tl::unexpected(sig.error());
    return Bytes(sig->begin(), sig->end());
  }
  auto sk = secp256k1::parse_secret_key(secret32);
  if (!sk) return tl::unexpected(sk.error());
  auto sig = secp256k1::sign_recoverable(sha256(message), *sk);
  if (!sig) return tl::unexpected(sig.error());
  return Bytes(sig->sig.rs.begin(), sig->sig.rs.end());
}

}  // namespace causeway::bft
