// OpenSSL 3 X.509 and signature checks for ChainMaker members (certs.hpp).
#include "causeway/chainmaker/certs.hpp"

#include <openssl/asn1.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <ctime>
#include <string_view>

#include "causeway/core/sm2.hpp"

namespace causeway::chainmaker {

struct Certificate::Impl {
  X509* x509 = nullptr;
  EVP_PKEY* key = nullptr;  // owned reference (X509_get_pubkey)
  Bytes der;
  CertAlgorithm algorithm = CertAlgorithm::Unsupported;
  std::int64_t not_before_s = 0, not_after_s = 0;
  std::vector<std::string> ous;
  std::string cn;
  Bytes sm2_point;  // 65-byte uncompressed SM2 key for core sm2::verify
  ~Impl() {
    EVP_PKEY_free(key);
    X509_free(x509);
  }
};

namespace {

// Days from 1970-01-01 to y-m-d (proleptic Gregorian; H. Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? static_cast<unsigned>(-3) : 9U)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool unix_time(const ASN1_TIME* t, std::int64_t& out) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return false;
  const std::int64_t days = days_from_civil(static_cast<std::int64_t>(tm.tm_year) + 1900,
                                            static_cast<unsigned>(tm.tm_mon + 1), static_cast<unsigned>(tm.tm_mday));
  out = days * 86400 + tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
  return true;
}

std::vector<std::string> subject_entries(X509* x, int nid) {
  std::vector<std::string> out;
  X509_NAME* name = X509_get_subject_name(x);
  for (int i = X509_NAME_get_index_by_NID(name, nid, -1); i >= 0; i = X509_NAME_get_index_by_NID(name, nid, i)) {
    ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
    unsigned char* utf8 = nullptr;
    const int n = ASN1_STRING_to_UTF8(&utf8, s);
    if (n >= 0) out.emplace_back(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(n));
    OPENSSL_free(utf8);
  }
  return out;
}

std::string group_name(EVP_PKEY* key) {
  char buf[64] = {0};
  std::size_t len = 0;
  if (EVP_PKEY_get_group_name(key, buf, sizeof buf, &len) != 1) return {};
  return std::string(buf, len);
}

}  // namespace

Result<Certificate> Certificate::parse(ByteView input) {
  ERR_clear_error();
  if (input.size() > kMaxCertificateBytes) return fail(Code::TooLarge, "certificate over 64 KiB");
  auto impl = std::make_shared<Impl>();
  const std::string_view text(reinterpret_cast<const char*>(input.data()), input.size());
  const auto begin = text.find("-----BEGIN CERTIFICATE-----");
  if (begin != std::string_view::npos) {
    const std::string_view end_marker = "-----END CERTIFICATE-----";
    const auto end = text.find(end_marker);
    if (end == std::string_view::npos) return fail(Code::CertInvalid, "PEM certificate has no END line");
    auto blank = [](std::string_view s) {
      return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; });
    };
    if (!blank(text.substr(0, begin)) || !blank(text.substr(end + end_marker.size())))
      return fail(Code::CertInvalid, "text around the PEM certificate (exactly one certificate is allowed)");
    BIO* bio = BIO_new_mem_buf(input.data(), static_cast<int>(input.size()));
    if (bio == nullptr) return fail(Code::CryptoInternal, "BIO_new_mem_buf");
    impl->x509 = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
  } else {
    const unsigned char* p = input.data();
    impl->x509 = d2i_X509(nullptr, &p, static_cast<long>(input.size()));
    if (impl->x509 != nullptr && p != input.data() + input.size()) {
      ERR_clear_error();
      return fail(Code::CertInvalid, "bytes after the DER certificate");
    }
  }
  if (impl->x509 == nullptr) {
    ERR_clear_error();
    return fail(Code::CertInvalid, "not an X.509 certificate");
  }
  unsigned char* der = nullptr;
  const int der_len = i2d_X509(impl->x509, &der);
  if (der_len <= 0) {
    ERR_clear_error();
    return fail(Code::CertInvalid, "certificate does not re-encode");
  }
  impl->der.assign(der, der + der_len);
  OPENSSL_free(der);
  if (!unix_time(X509_get0_notBefore(impl->x509), impl->not_before_s) ||
      !unix_time(X509_get0_notAfter(impl->x509), impl->not_after_s)) {
    ERR_clear_error();
    return fail(Code::CertInvalid, "unreadable validity times");
  }
  impl->ous = subject_entries(impl->x509, NID_organizationalUnitName);
  auto cns = subject_entries(impl->x509, NID_commonName);
  if (!cns.empty()) impl->cn = cns.front();
  impl->key = X509_get_pubkey(impl->x509);
  if (impl->key != nullptr) {
    const int sig_nid = X509_get_signature_nid(impl->x509);
    const std::string group = group_name(impl->key);
    if (sig_nid == NID_ecdsa_with_SHA256 && group == "prime256v1" && EVP_PKEY_is_a(impl->key, "EC")) {
      impl->algorithm = CertAlgorithm::EcdsaP256Sha256;
    } else if (sig_nid == NID_SM2_with_SM3 && group == "SM2") {
      std::uint8_t point[65];
      std::size_t len = 0;
      if (EVP_PKEY_get_octet_string_param(impl->key, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &len) == 1 &&
          len == 65 && point[0] == 0x04) {
        impl->sm2_point.assign(point, point + 65);
        impl->algorithm = CertAlgorithm::Sm2Sm3;
      }
    }
  }
  ERR_clear_error();
  Certificate c;
  c.impl_ = std::move(impl);
  return c;
}

const Bytes& Certificate::der() const noexcept { return impl_->der; }
CertAlgorithm Certificate::algorithm() const noexcept { return impl_->algorithm; }
std::int64_t Certificate::not_before_s() const noexcept { return impl_->not_before_s; }
std::int64_t Certificate::not_after_s() const noexcept { return impl_->not_after_s; }
const std::vector<std::string>& Certificate::organizational_units() const noexcept { return impl_->ous; }
const std::string& Certificate::common_name() const noexcept { return impl_->cn; }

Status Certificate::verify(ByteView message, ByteView signature) const {
  switch (impl_->algorithm) {
    case CertAlgorithm::Sm2Sm3:
      return sm2::verify(message, signature, sm2::SigFormat::Der, impl_->sm2_point);
    case CertAlgorithm::EcdsaP256Sha256: {
      ERR_clear_error();
      // Strict DER: decode and re-encode must give the same bytes.
      const unsigned char* p = signature.data();
      ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(signature.size()));
      bool strict = sig != nullptr && p == signature.data() + signature.size();
      if (strict) {
        unsigned char* re = nullptr;
        const int n = i2d_ECDSA_SIG(sig, &re);
        strict = n > 0 && static_cast<std::size_t>(n) == signature.size() &&
                 std::equal(signature.begin(), signature.end(), re);
        OPENSSL_free(re);
      }
      ECDSA_SIG_free(sig);
      if (!strict) {
        ERR_clear_error();
        return fail(Code::SigEncoding, "signature is not strict DER ECDSA");
      }
      EVP_MD_CTX* ctx = EVP_MD_CTX_new();
      if (ctx == nullptr) return fail(Code::CryptoInternal, "EVP_MD_CTX_new");
      int rc = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, impl_->key);
      if (rc == 1) rc = EVP_DigestVerify(ctx, signature.data(), signature.size(), message.data(), message.size());
      EVP_MD_CTX_free(ctx);
      ERR_clear_error();
      if (rc != 1) return fail(Code::SigInvalid, "ECDSA P-256 signature does not verify");
      return {};
    }
    case CertAlgorithm::Unsupported:
      break;
  }
  return fail(Code::Unsupported, "certificate key/algorithm is neither ECDSA P-256 with SHA-256 nor SM2 with SM3");
}

Result<ChainValidity> verify_chain(const Certificate& leaf, std::span<const Certificate> roots, std::int64_t at_s) {
  if (roots.empty()) return fail(Code::UnknownCa, "the org has no trust roots");
  ERR_clear_error();
  X509_STORE* store = X509_STORE_new();
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  auto cleanup = [&] {
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    ERR_clear_error();
  };
  if (store == nullptr || ctx == nullptr) {
    cleanup();
    return fail(Code::CryptoInternal, "X509_STORE_new");
  }
  for (const auto& r : roots) {
    // The store takes its own reference.
    X509* x = nullptr;
    const unsigned char* p = r.der().data();
    x = d2i_X509(nullptr, &p, static_cast<long>(r.der().size()));
    if (x == nullptr || X509_STORE_add_cert(store, x) != 1) {
      X509_free(x);
      cleanup();
      return fail(Code::CryptoInternal, "X509_STORE_add_cert");
    }
    X509_free(x);
  }
  const unsigned char* lp = leaf.der().data();
  X509* lx = d2i_X509(nullptr, &lp, static_cast<long>(leaf.der().size()));
  if (lx == nullptr || X509_STORE_CTX_init(ctx, store, lx, nullptr) != 1) {
    X509_free(lx);
    cleanup();
    return fail(Code::CryptoInternal, "X509_STORE_CTX_init");
  }
  X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_PARTIAL_CHAIN);
  X509_STORE_CTX_set_time(ctx, 0, static_cast<time_t>(at_s));
  const int ok = X509_verify_cert(ctx);
  Result<ChainValidity> result = ChainValidity{};
  if (ok == 1) {
    ChainValidity v{INT64_MIN, INT64_MAX};
    STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx);
    for (int i = 0; i < sk_X509_num(chain); ++i) {
      std::int64_t nb = 0, na = 0;
      X509* c = sk_X509_value(chain, i);
      if (!unix_time(X509_get0_notBefore(c), nb) || !unix_time(X509_get0_notAfter(c), na)) {
        result = fail(Code::CertInvalid, "unreadable validity times in the chain");
        break;
      }
      v.from_s = std::max(v.from_s, nb);
      v.until_s = std::min(v.until_s, na);
    }
    if (result) result = v;
  } else {
    const int err = X509_STORE_CTX_get_error(ctx);
    const std::string why = X509_verify_cert_error_string(err);
    switch (err) {
      case X509_V_ERR_CERT_HAS_EXPIRED:
      case X509_V_ERR_CERT_NOT_YET_VALID:
        result = fail(Code::CertExpired, "at " + std::to_string(at_s) + ": " + why);
        break;
      case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
      case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
      case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
      case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        result = fail(Code::UnknownCa, why);
        break;
      default:
        result = fail(Code::CertInvalid, why);
    }
  }
  X509_free(lx);
  cleanup();
  return result;
}

}  // namespace causeway::chainmaker
