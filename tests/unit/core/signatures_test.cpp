#include <catch2/catch.hpp>

#include <cstring>
#include <string>

#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/core/secp256k1.hpp"
#include "causeway/core/sm2.hpp"

using namespace causeway;
namespace k1 = causeway::secp256k1;

namespace {

Bytes h(const std::string& s) { return from_hex(s).value(); }

const std::string kOrderHex = "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";

// n − s over 32-byte big-endian values (s < n): the high-S twin of a signature.
k1::Signature twin(const k1::Signature& sig) {
  const Bytes n = h(kOrderHex);
  k1::Signature t = sig;
  int borrow = 0;
  for (int i = 31; i >= 0; --i) {
    const auto idx = static_cast<std::size_t>(i);
    int d = n[idx] - sig.rs[32 + idx] - borrow;
    borrow = d < 0 ? 1 : 0;
    t.rs[32 + idx] = static_cast<std::uint8_t>(d + (borrow != 0 ? 256 : 0));
  }
  return t;
}

k1::SecretKey key(const std::string& hex) { return k1::parse_secret_key(h(hex)).value(); }

Hash32 digest_of(const std::string& s) { return keccak256(ByteView(reinterpret_cast<const std::uint8_t*>(s.data()), s.size())); }

}  // namespace

TEST_CASE("secp256k1 secret keys must be 32 bytes in [1, n-1]") {
  CHECK(k1::parse_secret_key(Bytes(31, 1)).error().code == Code::BadLength);
  CHECK(k1::parse_secret_key(Bytes(32, 0)).error().code == Code::SeckeyInvalid);
  CHECK(k1::parse_secret_key(h(kOrderHex)).error().code == Code::SeckeyInvalid);
  Bytes n_minus_1 = h(kOrderHex);
  n_minus_1[31] = 0x40;
  CHECK(k1::parse_secret_key(n_minus_1).has_value());
}

TEST_CASE("secp256k1 public keys parse from SEC1 compressed and uncompressed forms only") {
  const k1::PublicKey pk = k1::public_key_of(key("0x" + std::string(63, '0') + "1"));
  const auto c = k1::serialize_compressed(pk);
  const auto u = k1::serialize_uncompressed(pk);
  CHECK(to_hex(c) == "0x0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798");
  CHECK(k1::parse_public_key(c).value() == pk);
  CHECK(k1::parse_public_key(u).value() == pk);
  Bytes hybrid(u.begin(), u.end());
  hybrid[0] = 0x06;  // libsecp256k1 would accept the hybrid form; SEC1 strictness refuses it
  CHECK(k1::parse_public_key(hybrid).error().code == Code::PubkeyInvalid);
  Bytes off_curve(u.begin(), u.end());
  off_curve[64] ^= 1;
  CHECK(k1::parse_public_key(off_curve).error().code == Code::PubkeyInvalid);
  CHECK(k1::parse_public_key(Bytes(64, 4)).error().code == Code::BadLength);
}

TEST_CASE("secp256k1 Ethereum address is the last 20 bytes of keccak of the uncompressed point") {
  const auto a1 = k1::eth_address(k1::public_key_of(key("0x" + std::string(63, '0') + "1")));
  CHECK(to_hex(a1) == "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf");
  const auto a2 = k1::eth_address(
      k1::public_key_of(key("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")));
  CHECK(to_hex(a2) == "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
}

TEST_CASE("secp256k1 ECDSA signing is deterministic (RFC 6979), low-S, and verifies") {
  const auto sk = key("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
  const Hash32 d = digest_of("causeway");
  const auto s1 = k1::sign_recoverable(d, sk).value();
  const auto s2 = k1::sign_recoverable(d, sk).value();
  CHECK(s1.sig == s2.sig);
  CHECK(s1.recid == s2.recid);
  CHECK(k1::is_low_s(s1.sig));
  const auto pk = k1::public_key_of(sk);
  CHECK(k1::verify(s1.sig, d, pk, k1::LowS::Required).has_value());
  CHECK(k1::verify(s1.sig, digest_of("causeway!"), pk, k1::LowS::Required).error().code == Code::SigInvalid);
  const auto rsv = k1::sign_rsv(d, sk).value();
  CHECK(std::memcmp(rsv.data(), s1.sig.rs.data(), 64) == 0);
  CHECK(rsv[64] == 27 + s1.recid);
}

TEST_CASE("A17: a signature and its high-S twin recover the same signer, so a signer counts once") {
  const auto sk = key("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
  const auto pk = k1::public_key_of(sk);
  const Hash32 d = digest_of("attestation");
  const auto low = k1::sign_recoverable(d, sk).value();
  const k1::Signature high = twin(low.sig);
  REQUIRE(high.rs != low.sig.rs);
  CHECK_FALSE(k1::is_low_s(high));
  CHECK(k1::normalize_s(high) == low.sig);
  const int high_recid = low.recid ^ 1;  // negating s flips the parity of R used in recovery

  // Allowed (Ethereum ecrecover): both encodings are valid and name the same signer.
  CHECK(k1::verify(high, d, pk, k1::LowS::Allowed).has_value());
  const auto from_low = k1::recover(d, low.sig, low.recid, k1::LowS::Allowed).value();
  const auto from_high = k1::recover(d, high, high_recid, k1::LowS::Allowed).value();
  CHECK(from_low == pk);
  CHECK(from_high == pk);
  CHECK(k1::eth_address(from_low) == k1::eth_address(from_high));

  // Required (relay attestations, devnet): the twin is refused with a specific code.
  CHECK(k1::verify(high, d, pk, k1::LowS::Required).error().code == Code::SigHighS);
  CHECK(k1::recover(d, high, high_recid, k1::LowS::Required).error().code == Code::SigHighS);
  CHECK(k1::recover(d, low.sig, low.recid, k1::LowS::Required).value() == pk);

  // The same through r‖s‖v with both v conventions.
  Bytes rsv(high.rs.begin(), high.rs.end());
  rsv.push_back(static_cast<std::uint8_t>(27 + high_recid));
  CHECK(k1::recover_rsv(d, rsv, k1::LowS::Allowed).value() == pk);
  CHECK(k1::recover_rsv(d, rsv, k1::LowS::Required).error().code == Code::SigHighS);
  rsv[64] = static_cast<std::uint8_t>(high_recid);
  CHECK(k1::recover_rsv(d, rsv, k1::LowS::Allowed).value() == pk);
  rsv[64] = 29;
  CHECK(k1::recover_rsv(d, rsv, k1::LowS::Allowed).error().code == Code::SigEncoding);
  CHECK(k1::recover_rsv(d, ByteView(rsv).first(64), k1::LowS::Allowed).error().code == Code::BadLength);
  CHECK(k1::recover(d, low.sig, 4, k1::LowS::Allowed).error().code == Code::InvalidArgument);
}

TEST_CASE("secp256k1 compact and DER parsing refuse zero, out-of-range and malformed values") {
  Bytes rs(64, 0x11);
  CHECK(k1::parse_compact(rs).has_value());
  CHECK(k1::parse_compact(ByteView(rs).first(63)).error().code == Code::BadLength);
  Bytes zero_r = rs;
  std::fill(zero_r.begin(), zero_r.begin() + 32, 0);
  CHECK(k1::parse_compact(zero_r).error().code == Code::SigEncoding);
  Bytes s_is_n = rs;
  const Bytes n = h(kOrderHex);
  std::copy(n.begin(), n.end(), s_is_n.begin() + 32);
  CHECK(k1::parse_compact(s_is_n).error().code == Code::SigEncoding);
  // DER: 30 06 02 01 01 02 01 01 = (1, 1) is fine; BER forms and trailing bytes are not.
  CHECK(k1::parse_der(h("0x3006020101020101")).has_value());
  CHECK(k1::parse_der(h("0x300602010102010100")).error().code == Code::SigEncoding);  // trailing byte
  CHECK(k1::parse_der(h("0x30070202000102010101")).error().code == Code::SigEncoding);  // padded r
  CHECK(k1::parse_der(h("0x3006020100020101")).error().code == Code::SigEncoding);  // r = 0
  CHECK(k1::parse_der({}).error().code == Code::SigEncoding);
}

TEST_CASE("BIP-340 Schnorr signs and verifies under the x-only key") {
  const auto sk = key("0x" + std::string(63, '0') + "3");
  const auto x = k1::xonly_public_key(sk);
  CHECK(to_hex(x) == "0xf9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9");
  const Hash32 m = digest_of("sth");
  std::array<std::uint8_t, 32> aux{};
  const auto sig = k1::schnorr_sign(m, sk, aux).value();
  CHECK(k1::schnorr_verify(sig, m, x).has_value());
  CHECK(k1::schnorr_verify(sig, digest_of("sth2"), x).error().code == Code::SigInvalid);
  CHECK(k1::schnorr_verify(ByteView(sig).first(63), m, x).error().code == Code::BadLength);
  CHECK(k1::schnorr_verify(sig, m, ByteView(x).first(31)).error().code == Code::BadLength);
  CHECK(k1::schnorr_verify(sig, m, Bytes(32, 0xff)).error().code == Code::PubkeyInvalid);
}

TEST_CASE("SM2 signs with SM3 and the default user id, verifies as DER and r||s, and refuses bad input") {
  const Bytes sk = h("0x3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8");
  const auto pub = sm2::public_key_of(sk).value();
  CHECK(to_hex(pub) ==
        "0x0409f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020"
        "ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13");
  const std::string msg_s = "message digest";
  const Bytes msg(msg_s.begin(), msg_s.end());
  const auto sig = sm2::sign(msg, sk).value();
  CHECK(sm2::verify(msg, sig, sm2::SigFormat::Compact, pub).has_value());
  const Bytes der = sm2::compact_to_der(sig).value();
  CHECK(sm2::verify(msg, der, sm2::SigFormat::Der, pub).has_value());
  CHECK(sm2::verify(msg, sig, sm2::SigFormat::Compact, pub, "1234567812345679").error().code == Code::SigInvalid);
  CHECK(sm2::verify(msg, sig, sm2::SigFormat::Compact, pub, "").error().code == Code::InvalidArgument);

  Bytes trailing = der;
  trailing.push_back(0);
  CHECK(sm2::verify(msg, trailing, sm2::SigFormat::Der, pub).error().code == Code::SigEncoding);
  CHECK(sm2::verify(msg, ByteView(sig).first(63), sm2::SigFormat::Compact, pub).error().code == Code::SigEncoding);
  CHECK(sm2::verify(msg, sig, sm2::SigFormat::Der, pub).error().code == Code::SigEncoding);

  Bytes off_curve(pub.begin(), pub.end());
  off_curve[64] ^= 1;
  CHECK(sm2::verify(msg, sig, sm2::SigFormat::Compact, off_curve).error().code == Code::PubkeyInvalid);
  Bytes compressed(pub.begin(), pub.begin() + 33);
  compressed[0] = 0x02;
  CHECK(sm2::verify(msg, sig, sm2::SigFormat::Compact, compressed).error().code == Code::PubkeyInvalid);
  CHECK(sm2::public_key_of(Bytes(32, 0)).error().code == Code::SeckeyInvalid);
}
