// RFC 6962 / RFC 9162 Merkle trees: hashing, roots, inclusion and consistency proofs.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/merkle/rfc6962.hpp"

using namespace causeway;
namespace r6962 = causeway::merkle::rfc6962;

namespace {

// The eight leaves of the RFC 6962 reference tree (certificate-transparency / transparency-dev tests).
std::vector<Hash32> reference_leaves() {
  const char* data[] = {"0x",         "0x00",       "0x10",       "0x2021",
                        "0x3031",     "0x40414243", "0x5051525354555657",
                        "0x606162636465666768696a6b6c6d6e6f"};
  std::vector<Hash32> out;
  for (const char* d : data) out.push_back(r6962::leaf_hash(from_hex(d).value()));
  return out;
}

std::vector<Hash32> leaves(std::size_t n) {
  std::vector<Hash32> out;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t b[2] = {static_cast<std::uint8_t>(i), static_cast<std::uint8_t>(i >> 8U)};
    out.push_back(r6962::leaf_hash(ByteView(b, 2)));
  }
  return out;
}

Hash32 h(const char* hex) { return hash_from_hex(hex).value(); }

Code code_of(const Status& s) { return s.error().code; }

}  // namespace

TEST_CASE("rfc6962 leaf and node hashes are domain separated; the empty tree is SHA-256 of nothing") {
  CHECK(r6962::leaf_hash({}) == h("0x6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"));
  CHECK(r6962::empty_root() == h("0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
  CHECK(r6962::root({}) == r6962::empty_root());
  const Hash32 a = r6962::leaf_hash({}), b = r6962::leaf_hash(from_hex("0x00").value());
  Bytes cat{0x01};
  append(cat, a.view());
  append(cat, b.view());
  CHECK(r6962::node_hash(a, b) == sha256(cat));
  CHECK(r6962::node_hash(a, b) != r6962::node_hash(b, a));
}

TEST_CASE("rfc6962 roots of the reference tree match the published values for sizes 1..8") {
  const auto l = reference_leaves();
  const char* roots[] = {
      "0x6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "0xfac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "0xaeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "0xd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "0x4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "0x76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "0xddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "0x5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
  for (std::size_t n = 1; n <= 8; ++n) {
    INFO("size " << n);
    CHECK(r6962::root(std::span(l).first(n)) == h(roots[n - 1]));
  }
}

TEST_CASE("rfc6962 every inclusion proof of every tree of 1..64 leaves verifies; tampering is rejected") {
  const auto all = leaves(66);
  for (std::size_t n = 1; n <= 64; ++n) {
    const auto l = std::span<const Hash32>(all).first(n);
    const Hash32 root = r6962::root(l);
    for (std::uint64_t i = 0; i < n; ++i) {
      INFO("size " << n << " index " << i);
      const auto proof = r6962::inclusion_proof(l, i).value();
      REQUIRE(r6962::verify_inclusion(i, n, l[i].view(), proof, root.view()).has_value());
      std::vector<ByteView> pv;
      for (const auto& p : proof) pv.push_back(p.view());
      REQUIRE(r6962::root_from_inclusion_proof(i, n, l[i].view(), pv).value() == root);
      // Each element with one bit flipped.
      for (std::size_t k = 0; k < proof.size(); ++k) {
        auto bad = proof;
        bad[k].b[k % 32] ^= 0x08U;
        CHECK(code_of(r6962::verify_inclusion(i, n, l[i].view(), bad, root.view())) == Code::InclusionProof);
      }
      // Wrong leaf, wrong index, wrong size, wrong root, removed / appended element.
      CHECK_FALSE(r6962::verify_inclusion(i, n, all[65].view(), proof, root.view()).has_value());
      CHECK_FALSE(r6962::verify_inclusion((i + 1) % n == i ? i + 1 : (i + 1) % n, n, l[i].view(), proof,
                                          root.view()).has_value());
      CHECK_FALSE(r6962::verify_inclusion(i, 2 * n, l[i].view(), proof, root.view()).has_value());
      Hash32 bad_root = root;
      bad_root.b[7] ^= 1U;
      CHECK(code_of(r6962::verify_inclusion(i, n, l[i].view(), proof, bad_root.view())) == Code::InclusionProof);
      if (!proof.empty()) {
        const std::vector<Hash32> shorter(proof.begin(), proof.end() - 1);
        CHECK(code_of(r6962::verify_inclusion(i, n, l[i].view(), shorter, root.view())) == Code::InclusionProof);
      }
      auto longer = proof;
      longer.push_back(all[64]);
      CHECK(code_of(r6962::verify_inclusion(i, n, l[i].view(), longer, root.view())) == Code::InclusionProof);
    }
  }
}

TEST_CASE("rfc6962 every consistency proof between sizes 1..64 verifies; tampering is rejected") {
  const auto all = leaves(64);
  std::vector<Hash32> roots;
  for (std::size_t n = 0; n <= 64; ++n) roots.push_back(r6962::root(std::span(all).first(n)));
  for (std::size_t n = 1; n <= 64; ++n) {
    const auto l = std::span<const Hash32>(all).first(n);
    for (std::uint64_t m = 1; m <= n; ++m) {
      INFO("size1 " << m << " size2 " << n);
      const auto proof = r6962::consistency_proof(l, m).value();
      CHECK(proof.empty() == (m == n));
      REQUIRE(r6962::verify_consistency(m, n, proof, roots[m].view(), roots[n].view()).has_value());
      if (m == n) continue;
      for (std::size_t k = 0; k < proof.size(); ++k) {
        auto bad = proof;
        bad[k].b[31 - k % 32] ^= 0x10U;
        CHECK(code_of(r6962::verify_consistency(m, n, bad, roots[m].view(), roots[n].view())) ==
              Code::ConsistencyProof);
      }
      CHECK_FALSE(r6962::verify_consistency(m, n, std::vector<Hash32>{}, roots[m].view(), roots[n].view()).has_value());
      CHECK_FALSE(r6962::verify_consistency(m, n, proof, roots[n].view(), roots[m].view()).has_value());
      CHECK_FALSE(r6962::verify_consistency(m + 1, n, proof, roots[m + 1].view(), roots[n].view()).has_value());
      CHECK_FALSE(r6962::verify_consistency(m, 2 * n, proof, roots[m].view(), roots[n].view()).has_value());
      const std::vector<Hash32> shorter(proof.begin(), proof.end() - 1);
      CHECK_FALSE(r6962::verify_consistency(m, n, shorter, roots[m].view(), roots[n].view()).has_value());
      auto longer = proof;
      longer.push_back(all[0]);
      CHECK_FALSE(r6962::verify_consistency(m, n, longer, roots[m].view(), roots[n].view()).has_value());
      auto preceded = proof;
      preceded.insert(preceded.begin(), proof.front());
      CHECK_FALSE(r6962::verify_consistency(m, n, preceded, roots[m].view(), roots[n].view()).has_value());
    }
  }
}

TEST_CASE("rfc6962 inclusion needs 32-byte leaf and root, index below size, at most 64 elements, no zero root") {
  const auto l = leaves(5);
  const Hash32 root = r6962::root(l);
  const auto proof = r6962::inclusion_proof(l, 2).value();
  const Bytes short_leaf(l[2].b.begin(), l[2].b.end() - 1);
  const Bytes long_root = [&] {
    Bytes b(root.b.begin(), root.b.end());
    b.push_back(0);
    return b;
  }();
  CHECK(code_of(r6962::verify_inclusion(2, 5, short_leaf, proof, root.view())) == Code::InclusionProof);
  CHECK(code_of(r6962::verify_inclusion(2, 5, l[2].view(), proof, long_root)) == Code::InclusionProof);
  CHECK(code_of(r6962::verify_inclusion(2, 5, l[2].view(), proof, {})) == Code::InclusionProof);
  CHECK(code_of(r6962::verify_inclusion(5, 5, l[2].view(), proof, root.view())) == Code::MerkleIndex);
  CHECK(code_of(r6962::verify_inclusion(0, 0, l[2].view(), proof, root.view())) == Code::MerkleIndex);
  CHECK(code_of(r6962::verify_inclusion(0, 1, l[0].view(), std::vector<Hash32>{}, Hash32{}.view())) ==
            Code::ZeroRoot);
  const std::vector<Hash32> huge(65, l[0]);
  CHECK(code_of(r6962::verify_inclusion(0, UINT64_MAX, l[0].view(), huge, root.view())) == Code::InclusionProof);
  // An element of the wrong size is refused, even an empty one at the end ("trailing garbage").
  std::vector<ByteView> views;
  for (const auto& p : proof) views.push_back(p.view());
  CHECK(r6962::verify_inclusion(2, 5, l[2].view(), views, root.view()).has_value());
  views.push_back(ByteView{});
  CHECK(code_of(r6962::verify_inclusion(2, 5, l[2].view(), views, root.view())) == Code::InclusionProof);
  // Generation refuses out-of-range positions instead of asserting.
  CHECK(r6962::inclusion_proof(l, 5).error().code == Code::MerkleIndex);
  CHECK(r6962::inclusion_proof({}, 0).error().code == Code::MerkleIndex);
  CHECK(r6962::consistency_proof(l, 0).error().code == Code::MerkleIndex);
  CHECK(r6962::consistency_proof(l, 6).error().code == Code::MerkleIndex);
}

TEST_CASE("rfc6962 consistency: size1 0 always fails, equal sizes need an empty proof and byte-equal roots") {
  const auto l = leaves(4);
  const Hash32 r4 = r6962::root(l);
  const Hash32 r0 = r6962::empty_root();
  CHECK(code_of(r6962::verify_consistency(0, 0, std::vector<Hash32>{}, r0.view(), r0.view())) ==
        Code::ConsistencyProof);
  CHECK(code_of(r6962::verify_consistency(0, 4, std::vector<Hash32>{}, r0.view(), r4.view())) ==
        Code::ConsistencyProof);
  CHECK(code_of(r6962::verify_consistency(5, 4, std::vector<Hash32>{}, r4.view(), r4.view())) ==
        Code::ConsistencyProof);
  CHECK(r6962::verify_consistency(4, 4, std::vector<Hash32>{}, r4.view(), r4.view()).has_value());
  CHECK(code_of(r6962::verify_consistency(4, 4, std::vector<Hash32>{l[0]}, r4.view(), r4.view())) ==
        Code::ConsistencyProof);
  CHECK(code_of(r6962::verify_consistency(4, 4, std::vector<Hash32>{}, r4.view(), r0.view())) ==
        Code::ConsistencyProof);
  // No length check when sizes are equal (transparency-dev "sizes are equal (one) and proof is empty").
  const std::string placeholder = "don't care 2";
  const ByteView pv(reinterpret_cast<const std::uint8_t*>(placeholder.data()), placeholder.size());
  CHECK(r6962::verify_consistency(1, 1, std::vector<Hash32>{}, pv, pv).has_value());
  // Different sizes need 32-byte roots and 32-byte elements; a zero root is never trusted.
  const auto proof = r6962::consistency_proof(l, 3).value();
  const Hash32 r3 = r6962::root(std::span(l).first(3));
  CHECK(r6962::verify_consistency(3, 4, proof, r3.view(), r4.view()).has_value());
  CHECK(code_of(r6962::verify_consistency(3, 4, proof, pv, r4.view())) == Code::ConsistencyProof);
  CHECK(code_of(r6962::verify_consistency(3, 4, proof, r3.view(), Hash32{}.view())) == Code::ZeroRoot);
  CHECK(code_of(r6962::verify_consistency(4, 4, std::vector<Hash32>{}, Hash32{}.view(), Hash32{}.view())) ==
        Code::ZeroRoot);
  std::vector<ByteView> views;
  for (const auto& p : proof) views.push_back(p.view());
  views.back() = views.back().first(31);
  CHECK(code_of(r6962::verify_consistency(3, 4, views, r3.view(), r4.view())) == Code::ConsistencyProof);
  const std::vector<Hash32> huge(65, l[0]);
  CHECK(code_of(r6962::verify_consistency(3, UINT64_MAX, huge, r3.view(), r4.view())) == Code::ConsistencyProof);
}

TEST_CASE("rfc6962 with TreeHash::Sm3: SM3 leaf/node/empty hashes; every proof of 1..17 leaves verifies") {
  const auto sm = r6962::TreeHash::Sm3;
  CHECK(r6962::empty_root(sm) == sm3(ByteView{}));
  CHECK(r6962::leaf_hash(from_hex("0x10").value(), sm) == sm3(from_hex("0x0010").value()));
  const Hash32 a = r6962::leaf_hash({}, sm), b = r6962::leaf_hash(from_hex("0x00").value(), sm);
  Bytes cat{0x01};
  append(cat, a.view());
  append(cat, b.view());
  CHECK(r6962::node_hash(a, b, sm) == sm3(cat));
  for (std::size_t n = 1; n <= 17; ++n) {
    std::vector<Hash32> lh;
    for (std::size_t i = 0; i < n; ++i) lh.push_back(r6962::leaf_hash(ByteView(cat.data(), i % cat.size()), sm));
    const Hash32 root = r6962::root(lh, sm);
    if (n > 1) CHECK(root != r6962::root(lh));  // one leaf: the root is that (SM3) leaf hash
    for (std::uint64_t i = 0; i < n; ++i) {
      const auto proof = r6962::inclusion_proof(lh, i, sm).value();
      CHECK(r6962::verify_inclusion(i, n, lh[i].view(), std::span<const Hash32>(proof), root.view(), sm));
      if (n > 1) CHECK_FALSE(r6962::verify_inclusion(i, n, lh[i].view(), std::span<const Hash32>(proof), root.view()));
    }
    for (std::uint64_t m = 1; m <= n; ++m) {
      const auto proof = r6962::consistency_proof(lh, m, sm).value();
      const Hash32 r1 = r6962::root(std::span<const Hash32>(lh).first(m), sm);
      CHECK(r6962::verify_consistency(m, n, std::span<const Hash32>(proof), r1.view(), root.view(), sm));
    }
  }
}
