#include "causeway/core/sm2.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include <cstring>
#include <memory>

namespace causeway::sm2 {
namespace {

// RAII for the OpenSSL objects used here; every early return frees what was built.
struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
  void operator()(BIGNUM* p) const { BN_clear_free(p); }
  void operator()(BN_CTX* p) const { BN_CTX_free(p); }
  void operator()(EC_GROUP* p) const { EC_GROUP_free(p); }
  void operator()(EC_POINT* p) const { EC_POINT_free(p); }
  void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); }
};
template <class T>
using Ptr = std::unique_ptr<T, Free>;

// OpenSSL keeps a per-thread error queue; leaving entries behind would confuse unrelated later calls.
struct ClearErrors {
  ~ClearErrors() { ERR_clear_error(); }
};

constexpr std::size_t kMaxUserId = 8190;

Status check_user_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxUserId)
    return fail(Code::InvalidArgument, "SM2 user id must be 1.." + std::to_string(kMaxUserId) + " bytes");
  return {};
}

Ptr<EC_GROUP> sm2_group() { return Ptr<EC_GROUP>(EC_GROUP_new_by_curve_name(NID_sm2)); }

// 1 ≤ v ≤ n − 1.
bool in_scalar_range(const BIGNUM* v, const EC_GROUP* g) {
  return !BN_is_zero(v) && !BN_is_negative(v) && BN_cmp(v, EC_GROUP_get0_order(g)) < 0;
}

// Builds an SM2 EVP_PKEY from parameters (public and optionally private).
Result<Ptr<EVP_PKEY>> make_pkey(ByteView pub65, const BIGNUM* priv) {
  Ptr<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new());
  if (!bld) return fail(Code::CryptoInternal, "OSSL_PARAM_BLD_new failed");
  if (OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "SM2", 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, pub65.data(), pub65.size()) != 1 ||
      (priv != nullptr && OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv) != 1))
    return fail(Code::CryptoInternal, "building SM2 key parameters failed");
  Ptr<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(bld.get()));
  Ptr<EVP_PKEY_CTX> kctx(EVP_PKEY_CTX_new_from_name(nullptr, "SM2", nullptr));
  if (!params || !kctx || EVP_PKEY_fromdata_init(kctx.get()) != 1)
    return fail(Code::CryptoInternal, "SM2 key context setup failed");
  EVP_PKEY* raw = nullptr;
  const int selection = priv != nullptr ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY;
  // fromdata decodes the point with EC_POINT_oct2point, which refuses points off the curve.
  if (EVP_PKEY_fromdata(kctx.get(), &raw, selection, params.get()) != 1 || raw == nullptr)
    return fail(Code::PubkeyInvalid, "not a point on sm2p256v1");
  Ptr<EVP_PKEY> pkey(raw);
  // Belt and braces: an explicit public-key check (on curve, not infinity, correct order).
  Ptr<EVP_PKEY_CTX> cctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  if (!cctx || EVP_PKEY_public_check(cctx.get()) != 1) return fail(Code::PubkeyInvalid, "SM2 public key check failed");
  return pkey;
}

// Parses strict DER: d2i must consume everything and re-encoding must reproduce the input byte for byte.
Result<Bytes> strict_der(ByteView der, const EC_GROUP* g) {
  if (der.empty() || der.size() > 72) return fail(Code::SigEncoding, "DER signature must be 1..72 bytes");
  const unsigned char* p = der.data();
  Ptr<ECDSA_SIG> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig || p != der.data() + der.size()) return fail(Code::SigEncoding, "not a DER ECDSA-Sig-Value");
  if (!in_scalar_range(ECDSA_SIG_get0_r(sig.get()), g) || !in_scalar_range(ECDSA_SIG_get0_s(sig.get()), g))
    return fail(Code::SigEncoding, "r or s is zero or not below the group order");
  unsigned char* out = nullptr;
  const int len = i2d_ECDSA_SIG(sig.get(), &out);
  if (len <= 0) return fail(Code::CryptoInternal, "i2d_ECDSA_SIG failed");
  Bytes re(out, out + len);
  OPENSSL_free(out);
  if (re.size() != der.size() || std::memcmp(re.data(), der.data(), re.size()) != 0)
    return fail(Code::SigEncoding, "signature is BER, not canonical DER");
  return re;
}

Result<Bytes> compact_to_der_in(ByteView rs64, const EC_GROUP* g) {
  if (rs64.size() != 64) return fail(Code::SigEncoding, "r||s signature must be 64 bytes");
  Ptr<BIGNUM> r(BN_bin2bn(rs64.data(), 32, nullptr));
  Ptr<BIGNUM> s(BN_bin2bn(rs64.data() + 32, 32, nullptr));
  if (!r || !s) return fail(Code::CryptoInternal, "BN_bin2bn failed");
  if (!in_scalar_range(r.get(), g) || !in_scalar_range(s.get(), g))
    return fail(Code::SigEncoding, "r or s is zero or not below the group order");
  Ptr<ECDSA_SIG> sig(ECDSA_SIG_new());
  if (!sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return fail(Code::CryptoInternal, "ECDSA_SIG_set0 failed");
  (void)r.release();  // owned by sig now
  (void)s.release();
  unsigned char* out = nullptr;
  const int len = i2d_ECDSA_SIG(sig.get(), &out);
  if (len <= 0) return fail(Code::CryptoInternal, "i2d_ECDSA_SIG failed");
  Bytes der(out, out + len);
  OPENSSL_free(out);
  return der;
}

// Digest-sign/verify context with SM3 and the user id set before init (OpenSSL caches the id and applies
// it when the operation starts: the EVP_PKEY-SM2(7) recipe).
Result<Ptr<EVP_MD_CTX>> make_md_ctx(EVP_PKEY* pkey, std::string_view user_id, bool for_signing,
                                    Ptr<EVP_PKEY_CTX>& pctx_owner) {
  Ptr<EVP_MD_CTX> mctx(EVP_MD_CTX_new());
  pctx_owner.reset(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (!mctx || !pctx_owner) return fail(Code::CryptoInternal, "SM2 context allocation failed");
  if (EVP_PKEY_CTX_set1_id(pctx_owner.get(), user_id.data(), static_cast<int>(user_id.size())) <= 0)
    return fail(Code::CryptoInternal, "EVP_PKEY_CTX_set1_id failed");
  // The md ctx borrows pctx (EVP_MD_CTX_FLAG_KEEP_PKEY_CTX); pctx_owner frees it after mctx.
  EVP_MD_CTX_set_pkey_ctx(mctx.get(), pctx_owner.get());
  const int ok = for_signing ? EVP_DigestSignInit_ex(mctx.get(), nullptr, "SM3", nullptr, nullptr, pkey, nullptr)
                             : EVP_DigestVerifyInit_ex(mctx.get(), nullptr, "SM3", nullptr, nullptr, pkey, nullptr);
  if (ok != 1) return fail(Code::CryptoInternal, "SM2/SM3 digest init failed");
  return mctx;
}

Result<std::array<std::uint8_t, 65>> pub_of(const BIGNUM* d, const EC_GROUP* g) {
  Ptr<EC_POINT> pt(EC_POINT_new(g));
  Ptr<BN_CTX> bctx(BN_CTX_new());
  std::array<std::uint8_t, 65> out{};
  if (!pt || !bctx || EC_POINT_mul(g, pt.get(), d, nullptr, nullptr, bctx.get()) != 1 ||
      EC_POINT_point2oct(g, pt.get(), POINT_CONVERSION_UNCOMPRESSED, out.data(), out.size(), bctx.get()) !=
          out.size())
    return fail(Code::CryptoInternal, "computing the SM2 public key failed");
  return out;
}

// d must satisfy 1 ≤ d ≤ n − 2 (GB/T 32918.1 §6.1: signing uses (1 + d)^-1).
Result<Ptr<BIGNUM>> parse_secret(ByteView secret32, const EC_GROUP* g) {
  if (secret32.size() != 32) return fail(Code::SeckeyInvalid, "SM2 secret key must be 32 bytes");
  Ptr<BIGNUM> d(BN_bin2bn(secret32.data(), 32, nullptr));
  Ptr<BIGNUM> limit(BN_dup(EC_GROUP_get0_order(g)));
  if (!d || !limit || BN_sub_word(limit.get(), 1) != 1) return fail(Code::CryptoInternal, "BIGNUM failure");
  if (BN_is_zero(d.get()) || BN_cmp(d.get(), limit.get()) >= 0)
    return fail(Code::SeckeyInvalid, "SM2 secret key must be in [1, n-2]");
  return d;
}

}  // namespace

Result<Bytes> compact_to_der(ByteView rs64) {
  ClearErrors clear;
  Ptr<EC_GROUP> g = sm2_group();
  if (!g) return fail(Code::CryptoInternal, "sm2p256v1 unavailable");
  return compact_to_der_in(rs64, g.get());
}

Status verify(ByteView message, ByteView sig, SigFormat format, ByteView pubkey65, std::string_view user_id) {
  ClearErrors clear;
  if (auto s = check_user_id(user_id); !s) return s;
  if (pubkey65.size() != 65 || pubkey65[0] != 0x04)
    return fail(Code::PubkeyInvalid, "SM2 public key must be 65 bytes 0x04 || x || y");
  Ptr<EC_GROUP> g = sm2_group();
  if (!g) return fail(Code::CryptoInternal, "sm2p256v1 unavailable");
  auto der = format == SigFormat::Der ? strict_der(sig, g.get()) : compact_to_der_in(sig, g.get());
  if (!der) return tl::unexpected(der.error());
  auto pkey = make_pkey(pubkey65, nullptr);
  if (!pkey) return tl::unexpected(pkey.error());
  Ptr<EVP_PKEY_CTX> pctx;
  auto mctx = make_md_ctx(pkey->get(), user_id, false, pctx);
  if (!mctx) return tl::unexpected(mctx.error());
  const int r = EVP_DigestVerify(mctx->get(), der->data(), der->size(), message.data(), message.size());
  mctx->reset();  // free the md ctx before the pkey ctx it borrows
  if (r != 1) return fail(Code::SigInvalid, "SM2 signature does not verify");
  return {};
}

Result<std::array<std::uint8_t, 65>> public_key_of(ByteView secret32) {
  ClearErrors clear;
  Ptr<EC_GROUP> g = sm2_group();
  if (!g) return fail(Code::CryptoInternal, "sm2p256v1 unavailable");
  auto d = parse_secret(secret32, g.get());
  if (!d) return tl::unexpected(d.error());
  return pub_of(d->get(), g.get());
}

Result<Signature64> sign(ByteView message, ByteView secret32, std::string_view user_id) {
  ClearErrors clear;
  if (auto s = check_user_id(user_id); !s) return tl::unexpected(s.error());
  Ptr<EC_GROUP> g = sm2_group();
  if (!g) return fail(Code::CryptoInternal, "sm2p256v1 unavailable");
  auto d = parse_secret(secret32, g.get());
  if (!d) return tl::unexpected(d.error());
  auto pub = pub_of(d->get(), g.get());
  if (!pub) return tl::unexpected(pub.error());
  auto pkey = make_pkey(*pub, d->get());
  if (!pkey) return tl::unexpected(pkey.error());
  Ptr<EVP_PKEY_CTX> pctx;
  auto mctx = make_md_ctx(pkey->get(), user_id, true, pctx);
  if (!mctx) return tl::unexpected(mctx.error());
  std::array<std::uint8_t, 80> der{};  // an SM2 DER signature is at most 72 bytes
  std::size_t len = der.size();
  const int r = EVP_DigestSign(mctx->get(), der.data(), &len, message.data(), message.size());
  mctx->reset();
  if (r != 1) return fail(Code::CryptoInternal, "EVP_DigestSign failed");
  const unsigned char* p = der.data();
  Ptr<ECDSA_SIG> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(len)));
  if (!sig) return fail(Code::CryptoInternal, "OpenSSL produced an unreadable signature");
  Signature64 out{};
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out.data(), 32) != 32 ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out.data() + 32, 32) != 32)
    return fail(Code::CryptoInternal, "r or s wider than 32 bytes");
  return out;
}

}  // namespace causeway::sm2
