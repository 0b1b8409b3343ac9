// light_clients/bft against ../shared/vectors (SOURCES.md):
//   consortium/openssl_openssl/evpmd_sm3.txt        — the 8 SM3 digests through suite_hash(sm2-sm3) and the
//                                                     suite-hash RFC 6962 leaf (the 2 non-SM3 blocks are counted);
//   consortium/sm2_gbt32918-5_annexA_signature.json — public key, signature and the 5 derived negatives through
//                                                     the sm2-sm3 suite wrapper (default user id);
//   rfc6962/transparency-dev_merkle/testdata/inclusion/** — all 95 inclusion files (5 accept, 90 reject)
//                                                     through bft::rfc6962 with the secp256k1-sha256 (SHA-256) suite.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "causeway/bft/devnet_codec.hpp"
#include "causeway/bft/rfc6962_suite.hpp"
#include "causeway/bft/suite.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/core/sm2.hpp"
#include "base64.hpp"
#include "vectors.hpp"

using namespace causeway;
using namespace causeway::bft;
using causeway::testing::read_vector_json;
using causeway::testing::read_vector_text;
using causeway::testing::vectors_dir;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

Bytes bare(const std::string& hex) { return from_hex_bare(hex).value(); }
Bytes text(const std::string& s) { return Bytes(s.begin(), s.end()); }
std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}
Bytes pad32(const Bytes& b) {
  Bytes out(32 - std::min<std::size_t>(32, b.size()), 0);
  append(out, b);
  return out;
}

using causeway::testing::base64_decode;

Bytes b64(const json& j) {
  auto b = base64_decode(j.get<std::string>());
  REQUIRE(b.has_value());
  return *b;
}

}  // namespace

TEST_CASE("consortium evpmd_sm3.txt: the 8 SM3 digests through the sm2-sm3 suite hash (10 blocks in all)") {
  const std::string file = read_vector_text("consortium/openssl_openssl/evpmd_sm3.txt");
  int blocks = 0, sm3_cases = 0;
  std::string digest, input;
  std::size_t pos = 0;
  while (pos < file.size()) {
    std::size_t end = file.find('\n', pos);
    if (end == std::string::npos) end = file.size();
    const std::string line = file.substr(pos, end - pos);
    pos = end + 1;
    if (line.rfind("Digest = ", 0) == 0) digest = line.substr(9);
    if (line.rfind("Input = ", 0) == 0) input = line.substr(8);
    if (line.rfind("Output = ", 0) != 0) continue;
    ++blocks;
    if (lower(digest) != "sm3") continue;
    INFO(input.substr(0, 40));
    ++sm3_cases;
    const Bytes in = bare(input);
    const std::string want = lower(line.substr(9));
    CHECK(to_hex_bare(suite_hash(Suite::Sm2Sm3, in).view()) == want);
    // Split anywhere, the two-part form hashes the same bytes.
    const std::size_t half = in.size() / 2;
    CHECK(to_hex_bare(suite_hash(Suite::Sm2Sm3, ByteView(in).first(half), ByteView(in).subspan(half)).view()) == want);
    // The RFC 6962 leaf of the suite is SM3(0x00 ‖ data).
    Bytes prefixed{0x00};
    append(prefixed, in);
    CHECK(rfc6962::leaf_hash(Suite::Sm2Sm3, in) == suite_hash(Suite::Sm2Sm3, prefixed));
  }
  CHECK(blocks == 10);
  CHECK(sm3_cases == 8);
}

TEST_CASE("consortium SM2 Annex A: key, signature and the 5 negatives through the sm2-sm3 suite wrapper") {
  const json j = read_vector_json("consortium/sm2_gbt32918-5_annexA_signature.json");
  const auto get = [](const json& o, const char* k) { return o.at(k).get<std::string>(); };
  Bytes pub{0x04};
  append(pub, bare(get(j, "public_key_x")));
  append(pub, bare(get(j, "public_key_y")));
  CHECK(public_key_of(Suite::Sm2Sm3, bare(get(j, "private_key"))).value() == pub);
  CHECK(check_public_key(Suite::Sm2Sm3, pub).has_value());
  // The suite's fixed user id is the vector's.
  REQUIRE(get(j, "user_id_ascii") == sm2::kDefaultUserId);
  const std::string msg = get(j, "message_ascii");
  Bytes rs = pad32(bare(get(j, "r")));
  append(rs, pad32(bare(get(j, "s"))));
  REQUIRE(get(j, "expected") == "valid");
  CHECK(verify_signature(Suite::Sm2Sm3, pub, text(msg), rs).has_value());
  // A fresh signature by the vector's key through the wrapper verifies too.
  const Bytes mine = sign(Suite::Sm2Sm3, bare(get(j, "private_key")), text(msg)).value();
  CHECK(verify_signature(Suite::Sm2Sm3, pub, text(msg), mine).has_value());

  int negatives = 0, through_wrapper = 0;
  for (const json& n : j.at("derived_negative_cases")) {
    INFO(get(n, "why"));
    REQUIRE(get(n, "expected") == "invalid");
    ++negatives;
    const std::string m = n.contains("message_ascii") ? get(n, "message_ascii") : msg;
    Bytes nrs = pad32(bare(get(n, "r")));
    append(nrs, pad32(bare(get(n, "s"))));
    if (n.contains("user_id_ascii")) {
      // The wrapper has no user-id parameter (the suite fixes the default id): the vector's point is that the
      // signature does not verify under another id, checked with core directly; under the wrapper's default id
      // the unchanged signature is the valid one above.
      CHECK_FALSE(sm2::verify(text(m), nrs, sm2::SigFormat::Compact, pub, get(n, "user_id_ascii")).has_value());
      continue;
    }
    ++through_wrapper;
    auto r = verify_signature(Suite::Sm2Sm3, pub, text(m), nrs);
    REQUIRE_FALSE(r.has_value());
    CHECK((r.error().code == Code::SigInvalid || r.error().code == Code::SigEncoding));
  }
  CHECK(negatives == 5);
  CHECK(through_wrapper == 4);
}

TEST_CASE("rfc6962 transparency-dev inclusion: all 95 files through the suite-hash RFC 6962 (5 accept, 90 reject)") {
  const fs::path root = vectors_dir() / "rfc6962/transparency-dev_merkle/testdata/inclusion";
  REQUIRE(fs::is_directory(root));
  const std::set<std::string> accepted_files = {"0/happy-path.json", "1/happy-path.json", "2/happy-path.json",
                                                "4/happy-path.json", "single-entry/matching-root-and-leaf.json"};
  int accepted = 0, rejected = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    const std::string rel = fs::relative(entry.path(), root).generic_string();
    INFO(rel);
    const json j = read_vector_json("rfc6962/transparency-dev_merkle/testdata/inclusion/" + rel);
    const bool want_err = j.at("wantErr").get<bool>();
    CHECK(want_err == (accepted_files.count(rel) == 0));
    std::vector<Bytes> proof;
    if (!j.at("proof").is_null())
      for (const auto& e : j.at("proof")) proof.push_back(b64(e));
    std::vector<ByteView> pv(proof.begin(), proof.end());
    const Bytes leaf = b64(j.at("leafHash"));
    const Bytes root_hash = b64(j.at("root"));
    const Status got = rfc6962::verify_inclusion(Suite::Secp256k1Sha256, j.at("leafIdx").get<std::uint64_t>(),
                                                 j.at("treeSize").get<std::uint64_t>(), leaf,
                                                 std::span<const ByteView>(pv), root_hash);
    CHECK(got.has_value() == !want_err);
    (got.has_value() ? accepted : rejected)++;
  }
  CHECK(accepted == 5);
  CHECK(rejected == 90);
}
