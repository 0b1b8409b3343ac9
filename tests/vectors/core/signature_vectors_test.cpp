// secp256k1/ and consortium/ vectors (SOURCES.md): Wycheproof ECDSA (Bitcoin variant), BIP-340, SM2 Annex A,
// OpenSSL's SM3 digest tests. Every case is run and the case counts SOURCES.md gives are asserted.
#include <catch2/catch.hpp>

#include <openssl/evp.h>

#include <string>
#include <vector>

#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/core/secp256k1.hpp"
#include "causeway/core/sm2.hpp"
#include "vectors.hpp"

using namespace causeway;
namespace k1 = causeway::secp256k1;
using nlohmann::json;

namespace {

Bytes bare(const std::string& s) { return from_hex_bare(s).value(); }
ByteView text(const std::string& s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

std::vector<std::string> split(const std::string& s, const std::string& sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t at = s.find(sep, start);
    if (at == std::string::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, at - start));
    start = at + sep.size();
  }
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Strict DER + low-S required + ECDSA over SHA-256(msg): the Bitcoin policy.
bool wycheproof_verdict(const k1::PublicKey& pk, const std::string& msg_hex, const std::string& sig_hex) {
  auto sig = k1::parse_der(bare(sig_hex));
  if (!sig) return false;
  return k1::verify(*sig, sha256(bare(msg_hex)), pk, k1::LowS::Required).has_value();
}

}  // namespace

TEST_CASE("Wycheproof ecdsa_secp256k1_sha256_bitcoin: all 463 verdicts (162 valid, 301 invalid)") {
  const json j = causeway::testing::read_vector_json(
      "secp256k1/bitcoin-core_secp256k1/ecdsa_secp256k1_sha256_bitcoin_test.json");
  int total = 0, valid = 0, invalid = 0, high_s_refused = 0;
  for (const json& group : j.at("testGroups")) {
    const auto pk = k1::parse_public_key(bare(group.at("publicKey").at("uncompressed").get<std::string>()));
    REQUIRE(pk.has_value());
    for (const json& t : group.at("tests")) {
      ++total;
      const std::string result = t.at("result").get<std::string>();
      REQUIRE((result == "valid" || result == "invalid"));
      const bool expect = result == "valid";
      (expect ? valid : invalid)++;
      INFO("tcId " << t.at("tcId").get<int>() << ": " << t.at("comment").get<std::string>());
      CHECK(wycheproof_verdict(*pk, t.at("msg").get<std::string>(), t.at("sig").get<std::string>()) == expect);
      // The malleability cases are refused for the stated reason, and accepted under the Allowed policy.
      if (t.at("comment").get<std::string>() == "Signature malleability") {
        auto sig = k1::parse_der(bare(t.at("sig").get<std::string>())).value();
        const Hash32 d = sha256(bare(t.at("msg").get<std::string>()));
        CHECK(k1::verify(sig, d, *pk, k1::LowS::Required).error().code == Code::SigHighS);
        CHECK(k1::verify(sig, d, *pk, k1::LowS::Allowed).has_value());
        ++high_s_refused;
      }
    }
  }
  CHECK(total == 463);
  CHECK(j.at("numberOfTests").get<int>() == 463);
  CHECK(valid == 162);
  CHECK(invalid == 301);
  CHECK(high_s_refused >= 1);
}

TEST_CASE("BIP-340 test vectors: all 15 verdicts; vectors 0-3 signing reproduces the signature") {
  const std::string csv = causeway::testing::read_vector_text("secp256k1/bitcoin_bips/bip-0340_test-vectors.csv");
  REQUIRE(csv.find("\r\n") != std::string::npos);  // the file has CRLF line endings
  std::vector<std::string> lines = split(csv, "\r\n");
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  REQUIRE(lines.front().rfind("index,secret key,public key,aux_rand,message,signature,verification result", 0) == 0);
  int total = 0, accepted = 0, rejected = 0, signed_ok = 0;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto cols = split(lines[i], ",");
    REQUIRE(cols.size() >= 7);
    INFO("vector " << cols[0] << " " << (cols.size() > 7 ? cols[7] : ""));
    ++total;
    const Bytes msg = bare(cols[4]);
    REQUIRE(msg.size() == 32);
    const Hash32 m = Hash32::from(msg);
    const bool expect = cols[6] == "TRUE";
    REQUIRE((expect || cols[6] == "FALSE"));
    (expect ? accepted : rejected)++;
    const auto verdict = k1::schnorr_verify(bare(cols[5]), m, bare(cols[2]));
    CHECK(verdict.has_value() == expect);
    if (!cols[1].empty()) {
      const auto sk = k1::parse_secret_key(bare(cols[1])).value();
      CHECK(lower(to_hex_bare(k1::xonly_public_key(sk))) == lower(cols[2]));
      std::array<std::uint8_t, 32> aux{};
      const Bytes aux_b = bare(cols[3]);
      REQUIRE(aux_b.size() == 32);
      std::copy(aux_b.begin(), aux_b.end(), aux.begin());
      CHECK(to_hex_bare(k1::schnorr_sign(m, sk, aux).value()) == lower(cols[5]));
      ++signed_ok;
    }
  }
  CHECK(total == 15);
  CHECK(accepted == 5);
  CHECK(rejected == 10);
  CHECK(signed_ok == 4);  // vectors 0-3 carry a secret key
}

TEST_CASE("SM2 GB/T 32918.5 Annex A: the signature verifies, the 5 derived negatives are rejected") {
  const json j = causeway::testing::read_vector_json("consortium/sm2_gbt32918-5_annexA_signature.json");
  const auto get = [](const json& o, const char* k) { return o.at(k).get<std::string>(); };
  const Bytes sk = bare(get(j, "private_key"));
  Bytes pub;
  pub.push_back(0x04);
  append(pub, bare(get(j, "public_key_x")));
  append(pub, bare(get(j, "public_key_y")));
  const auto derived = sm2::public_key_of(sk).value();
  CHECK(Bytes(derived.begin(), derived.end()) == pub);
  CHECK(get(j, "user_id_ascii") == sm2::kDefaultUserId);
  const std::string msg = get(j, "message_ascii");
  CHECK(to_hex_bare(text(msg)) == get(j, "message_hex"));

  // Z and e as the file computes them (GB/T 32918.2 §5.5, §6.1), from our SM3.
  const std::string id = get(j, "user_id_ascii");
  Bytes z_in;  // ENTL: the id's length in bits, 2 bytes big-endian
  z_in.push_back(static_cast<std::uint8_t>((id.size() * 8) >> 8));
  z_in.push_back(static_cast<std::uint8_t>(id.size() * 8));
  append(z_in, text(id));
  for (const char* k : {"a", "b", "Gx", "Gy"}) append(z_in, bare(get(j.at("curve"), k)));
  append(z_in, ByteView(pub).subspan(1));
  const Hash32 z = sm3(z_in);
  CHECK(lower(get(j, "Z_computed")) == to_hex_bare(z.view()));
  Bytes e_in(z.b.begin(), z.b.end());
  append(e_in, text(msg));
  CHECK(lower(get(j, "e_computed")) == to_hex_bare(sm3(e_in).view()));

  Bytes rs = bare(get(j, "r"));
  append(rs, bare(get(j, "s")));
  REQUIRE(j.at("expected").get<std::string>() == "valid");
  CHECK(sm2::verify(text(msg), rs, sm2::SigFormat::Compact, pub).has_value());
  CHECK(sm2::verify(text(msg), sm2::compact_to_der(rs).value(), sm2::SigFormat::Der, pub).has_value());

  int negatives = 0;
  for (const json& n : j.at("derived_negative_cases")) {
    INFO(get(n, "why"));
    REQUIRE(get(n, "expected") == "invalid");
    const std::string m = n.contains("message_ascii") ? get(n, "message_ascii") : msg;
    const std::string uid = n.contains("user_id_ascii") ? get(n, "user_id_ascii") : id;
    // r/s are big-endian hex of any width ("00" for zero): left-pad to 32 bytes each.
    auto pad32 = [](Bytes b) {
      REQUIRE(b.size() <= 32);
      Bytes out(32 - b.size(), 0);
      append(out, b);
      return out;
    };
    Bytes nrs = pad32(bare(get(n, "r")));
    append(nrs, pad32(bare(get(n, "s"))));
    CHECK_FALSE(sm2::verify(text(m), nrs, sm2::SigFormat::Compact, pub, uid).has_value());
    ++negatives;
  }
  CHECK(negatives == 5);
}

TEST_CASE("OpenSSL evpmd_sm3.txt: all 10 digests match (8 SM3, plus SHA3-256 and SHA-512)") {
  const std::string file = causeway::testing::read_vector_text("consortium/openssl_openssl/evpmd_sm3.txt");
  struct Case {
    std::string digest, input, output;
  };
  std::vector<Case> cases;
  Case cur;
  for (const std::string& raw : split(file, "\n")) {
    const std::string line = raw;
    if (line.rfind("Digest = ", 0) == 0) cur = Case{line.substr(9), "", ""};
    if (line.rfind("Input = ", 0) == 0) cur.input = line.substr(8);
    if (line.rfind("Output = ", 0) == 0) {
      cur.output = line.substr(9);
      cases.push_back(cur);
    }
  }
  int sm3_cases = 0, other = 0;
  for (const Case& c : cases) {
    INFO(c.digest << " " << c.input.substr(0, 40));
    Bytes in;
    if (c.input.size() >= 2 && c.input.front() == '"' && c.input.back() == '"') {
      const std::string s = c.input.substr(1, c.input.size() - 2);  // quoted text input
      in.assign(s.begin(), s.end());
    } else {
      in = bare(c.input);
    }
    std::string got;
    if (lower(c.digest) == "sm3") {
      got = to_hex_bare(sm3(in).view());
      ++sm3_cases;
    } else {
      // Not core's job; checked with OpenSSL directly so that every block of the file is reproduced.
      EVP_MD* md = EVP_MD_fetch(nullptr, c.digest.c_str(), nullptr);
      REQUIRE(md != nullptr);
      unsigned char out[EVP_MAX_MD_SIZE];
      unsigned int len = 0;
      REQUIRE(EVP_Digest(in.data(), in.size(), out, &len, md, nullptr) == 1);
      EVP_MD_free(md);
      got = to_hex_bare(ByteView(out, len));
      ++other;
    }
    CHECK(got == lower(c.output));
  }
  CHECK(cases.size() == 10);
  CHECK(sm3_cases == 8);
  CHECK(other == 2);
}
