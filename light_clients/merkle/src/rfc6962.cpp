// RFC 6962 / RFC 9162 Merkle trees: see causeway/merkle/rfc6962.hpp for the contract.
#include "causeway/merkle/rfc6962.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <string>

#include "causeway/core/hash.hpp"

namespace causeway::merkle::rfc6962 {

namespace {

// Largest power of two strictly less than n (n >= 2).
std::size_t split_point(std::size_t n) noexcept { return std::bit_floor(n - 1); }

// MTH(D[lo:hi]) for hi > lo.
Hash32 subtree_root(std::span<const Hash32> leaves, TreeHash h) {
  if (leaves.size() == 1) return leaves.front();
  const std::size_t k = split_point(leaves.size());
  return node_hash(subtree_root(leaves.first(k), h), subtree_root(leaves.subspan(k), h), h);
}

// PATH(m, D[n]) of RFC 6962 §2.1.1, appended bottom-up to `out`. Precondition m < leaves.size().
void path(std::size_t m, std::span<const Hash32> leaves, TreeHash h, std::vector<Hash32>& out) {
  if (leaves.size() <= 1) return;
  const std::size_t k = split_point(leaves.size());
  if (m < k) {
    path(m, leaves.first(k), h, out);
    out.push_back(subtree_root(leaves.subspan(k), h));
  } else {
    path(m - k, leaves.subspan(k), h, out);
    out.push_back(subtree_root(leaves.first(k), h));
  }
}

// SUBPROOF(m, D[n], b) of RFC 6962 §2.1.2, appended bottom-up to `out`. Precondition 0 < m <= n.
void subproof(std::size_t m, std::span<const Hash32> leaves, bool complete, TreeHash h,
              std::vector<Hash32>& out) {
  if (m == leaves.size()) {
    if (!complete) out.push_back(subtree_root(leaves, h));
    return;
  }
  const std::size_t k = split_point(leaves.size());
  if (m <= k) {
    subproof(m, leaves.first(k), complete, h, out);
    out.push_back(subtree_root(leaves.subspan(k), h));
  } else {
    subproof(m - k, leaves.subspan(k), false, h, out);
    out.push_back(subtree_root(leaves.first(k), h));
  }
}

bool is_zero(ByteView v) noexcept {
  return std::all_of(v.begin(), v.end(), [](std::uint8_t b) { return b == 0; });
}

bool equal(ByteView a, ByteView b) noexcept { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }

std::string elem(std::size_t i) { return "proof[" + std::to_string(i) + "]"; }

std::vector<ByteView> views(std::span<const Hash32> proof) {
  std::vector<ByteView> out;
  out.reserve(proof.size());
  for (const auto& h : proof) out.push_back(h.view());
  return out;
}

}  // namespace

Hash32 leaf_hash(ByteView data, TreeHash h) noexcept {
  static constexpr std::array<std::uint8_t, 1> kPrefix{0x00};
  if (h == TreeHash::Sha256) return sha256(kPrefix, data);
  Bytes buf;
  buf.reserve(kPrefix.size() + data.size());
  append(buf, kPrefix);
  append(buf, data);
  return sm3(buf);
}

Hash32 node_hash(const Hash32& left, const Hash32& right, TreeHash h) noexcept {
  std::array<std::uint8_t, 65> buf{};
  buf[0] = 0x01;
  std::copy(left.b.begin(), left.b.end(), buf.begin() + 1);
  std::copy(right.b.begin(), right.b.end(), buf.begin() + 33);
  return h == TreeHash::Sm3 ? sm3(buf) : sha256(buf);
}

Hash32 empty_root(TreeHash h) noexcept { return h == TreeHash::Sm3 ? sm3(ByteView{}) : sha256(ByteView{}); }

Hash32 root(std::span<const Hash32> leaf_hashes, TreeHash h) {
  if (leaf_hashes.empty()) return empty_root(h);
  return subtree_root(leaf_hashes, h);
}

Result<std::vector<Hash32>> inclusion_proof(std::span<const Hash32> leaf_hashes, std::uint64_t index,
                                            TreeHash h) {
  if (index >= leaf_hashes.size()) {
    return fail(Code::MerkleIndex, "leaf index " + std::to_string(index) + " >= tree size " +
                                       std::to_string(leaf_hashes.size()));
  }
  std::vector<Hash32> out;
  path(static_cast<std::size_t>(index), leaf_hashes, h, out);
  return out;
}

Result<std::vector<Hash32>> consistency_proof(std::span<const Hash32> leaf_hashes, std::uint64_t size1,
                                              TreeHash h) {
  if (size1 == 0 || size1 > leaf_hashes.size()) {
    return fail(Code::MerkleIndex, "size1 " + std::to_string(size1) + " not in 1.." +
                                       std::to_string(leaf_hashes.size()));
  }
  std::vector<Hash32> out;
  if (size1 < leaf_hashes.size()) subproof(static_cast<std::size_t>(size1), leaf_hashes, true, h, out);
  return out;
}

Result<Hash32> root_from_inclusion_proof(std::uint64_t index, std::uint64_t tree_size, ByteView leaf,
                                         std::span<const ByteView> proof, TreeHash h) {
  // RFC 9162 §2.1.3.2 step 1.
  if (index >= tree_size) {
    return fail(Code::MerkleIndex,
                "leaf index " + std::to_string(index) + " >= tree size " + std::to_string(tree_size));
  }
  if (leaf.size() != Hash32::size()) return fail(Code::InclusionProof, "leaf hash is not 32 bytes", "leaf_hash");
  if (proof.size() > kMaxProofElements) return fail(Code::InclusionProof, "proof has more than 64 elements");
  // Steps 2-4.
  std::uint64_t fn = index;
  std::uint64_t sn = tree_size - 1;
  Hash32 r = Hash32::from(leaf);
  for (std::size_t i = 0; i < proof.size(); ++i) {
    if (proof[i].size() != Hash32::size()) return fail(Code::InclusionProof, "element is not 32 bytes", elem(i));
    if (sn == 0) return fail(Code::InclusionProof, "proof is longer than the path to the root", elem(i));
    const Hash32 p = Hash32::from(proof[i]);
    if ((fn & 1U) != 0 || fn == sn) {
      r = node_hash(p, r, h);
      while ((fn & 1U) == 0 && fn != 0) {
        fn >>= 1U;
        sn >>= 1U;
      }
    } else {
      r = node_hash(r, p, h);
    }
    fn >>= 1U;
    sn >>= 1U;
  }
  // Step 5 (first half).
  if (sn != 0) return fail(Code::InclusionProof, "proof is shorter than the path to the root");
  return r;
}

Status verify_inclusion(std::uint64_t index, std::uint64_t tree_size, ByteView leaf,
                        std::span<const ByteView> proof, ByteView root_hash, TreeHash h) {
  if (root_hash.size() != Hash32::size()) return fail(Code::InclusionProof, "root is not 32 bytes", "root");
  if (is_zero(root_hash)) return fail(Code::ZeroRoot, "root is all zero", "root");
  auto computed = root_from_inclusion_proof(index, tree_size, leaf, proof, h);
  if (!computed) return tl::unexpected<Error>(std::move(computed.error()));
  if (!equal(computed->view(), root_hash)) {
    return fail(Code::InclusionProof, "proof does not lead to the root", "root");
  }
  return {};
}

Status verify_inclusion(std::uint64_t index, std::uint64_t tree_size, ByteView leaf,
                        std::span<const Hash32> proof, ByteView root_hash, TreeHash h) {
  const auto v = views(proof);
  return verify_inclusion(index, tree_size, leaf, std::span<const ByteView>(v), root_hash, h);
}

Status verify_consistency(std::uint64_t size1, std::uint64_t size2, std::span<const ByteView> proof,
                          ByteView root1, ByteView root2, TreeHash h) {
  if (size1 == 0) return fail(Code::ConsistencyProof, "size1 is 0: nothing to be consistent with");
  if (size1 > size2) {
    return fail(Code::ConsistencyProof,
                "size1 " + std::to_string(size1) + " > size2 " + std::to_string(size2));
  }
  const bool zero1 = root1.size() == Hash32::size() && is_zero(root1);
  const bool zero2 = root2.size() == Hash32::size() && is_zero(root2);
  if (zero1) return fail(Code::ZeroRoot, "root1 is all zero", "root1");
  if (zero2) return fail(Code::ZeroRoot, "root2 is all zero", "root2");
  if (size1 == size2) {
    if (!proof.empty()) return fail(Code::ConsistencyProof, "size1 == size2 needs an empty proof");
    if (!equal(root1, root2)) return fail(Code::ConsistencyProof, "equal sizes with different roots");
    return {};
  }
  if (root1.size() != Hash32::size()) return fail(Code::ConsistencyProof, "root1 is not 32 bytes", "root1");
  if (root2.size() != Hash32::size()) return fail(Code::ConsistencyProof, "root2 is not 32 bytes", "root2");
  // RFC 9162 §2.1.4.2 step 1.
  if (proof.empty()) return fail(Code::ConsistencyProof, "empty proof for different sizes");
  if (proof.size() > kMaxProofElements) return fail(Code::ConsistencyProof, "proof has more than 64 elements");
  for (std::size_t i = 0; i < proof.size(); ++i) {
    if (proof[i].size() != Hash32::size()) {
      return fail(Code::ConsistencyProof, "element is not 32 bytes", elem(i));
    }
  }
  const Hash32 first_hash = Hash32::from(root1);
  // Step 2: when size1 is a power of two, root1 is itself a node of the larger tree and starts the path.
  const bool prepend = std::has_single_bit(size1);
  auto element = [&](std::size_t i) -> Hash32 {
    if (prepend) return i == 0 ? first_hash : Hash32::from(proof[i - 1]);
    return Hash32::from(proof[i]);
  };
  const std::size_t count = proof.size() + (prepend ? 1U : 0U);
  // Steps 3-4.
  std::uint64_t fn = size1 - 1;
  std::uint64_t sn = size2 - 1;
  while ((fn & 1U) != 0) {
    fn >>= 1U;
    sn >>= 1U;
  }
  // Step 5.
  Hash32 fr = element(0);
  Hash32 sr = fr;
  // Step 6.
  for (std::size_t i = 1; i < count; ++i) {
    if (sn == 0) return fail(Code::ConsistencyProof, "proof is longer than needed", elem(prepend ? i - 1 : i));
    const Hash32 c = element(i);
    if ((fn & 1U) != 0 || fn == sn) {
      fr = node_hash(c, fr, h);
      sr = node_hash(c, sr, h);
      while ((fn & 1U) == 0 && fn != 0) {
        fn >>= 1U;
        sn >>= 1U;
      }
    } else {
      sr = node_hash(sr, c, h);
    }
    fn >>= 1U;
    sn >>= 1U;
  }
  // Step 7.
  if (sn != 0) return fail(Code::ConsistencyProof, "proof is shorter than needed");
  if (fr != first_hash) return fail(Code::ConsistencyProof, "proof does not lead to root1", "root1");
  if (!equal(sr.view(), root2)) return fail(Code::ConsistencyProof, "proof does not lead to root2", "root2");
  return {};
}

Status verify_consistency(std::uint64_t size1, std::uint64_t size2, std::span<const Hash32> proof,
                          ByteView root1, ByteView root2, TreeHash h) {
  const auto v = views(proof);
  return verify_consistency(size1, size2, std::span<const ByteView>(v), root1, root2, h);
}

}  // namespace causeway::merkle::rfc6962
