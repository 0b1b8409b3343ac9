#include "causeway/core/hash.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdlib>

#include <cryptopp/keccak.h>

namespace causeway {
namespace {

// One fetched algorithm and one reusable context per thread: EVP_Digest() alone would fetch the
// algorithm and allocate a context on every call, which dominates the cost of hashing 80 bytes.
struct Digester {
  EVP_MD* md;
  EVP_MD_CTX* ctx;
  explicit Digester(const char* name) : md(EVP_MD_fetch(nullptr, name, nullptr)), ctx(EVP_MD_CTX_new()) {
    if (md == nullptr || ctx == nullptr) std::abort();  // the OpenSSL install is broken: not input-driven
  }
  ~Digester() {
    EVP_MD_CTX_free(ctx);
    EVP_MD_free(md);
  }
  Digester(const Digester&) = delete;
  Digester& operator=(const Digester&) = delete;

  Hash32 run(ByteView a, ByteView b = {}) {
    Hash32 h;
    unsigned int len = 0;
    EVP_DigestInit_ex2(ctx, md, nullptr);
    EVP_DigestUpdate(ctx, a.data(), a.size());
    if (!b.empty()) EVP_DigestUpdate(ctx, b.data(), b.size());
    EVP_DigestFinal_ex(ctx, h.b.data(), &len);
    return h;
  }
};

Digester& sha256_digester() {
  thread_local Digester d("SHA256");
  return d;
}

}  // namespace

Hash32 sha256(ByteView data) noexcept { return sha256_digester().run(data); }

Hash32 sha256(ByteView a, ByteView b) noexcept { return sha256_digester().run(a, b); }

Hash32 sha256d(ByteView data) noexcept {
  Digester& d = sha256_digester();
  Hash32 first = d.run(data);
  return d.run(first.view());
}

Hash32 sha256d_pair(const Hash32& left, const Hash32& right) noexcept {
  Digester& d = sha256_digester();
  Hash32 first = d.run(left.view(), right.view());
  return d.run(first.view());
}

Hash32 keccak256(ByteView data) noexcept {
  CryptoPP::Keccak_256 k;
  k.Update(data.data(), data.size());
  Hash32 h;
  k.Final(h.b.data());
  return h;
}

Hash32 sm3(ByteView data) noexcept {
  thread_local Digester d("SM3");
  return d.run(data);
}

}  // namespace causeway
