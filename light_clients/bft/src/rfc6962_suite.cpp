// RFC 6962 trees with the suite hash: see causeway/bft/rfc6962_suite.hpp.
#include "causeway/bft/rfc6962_suite.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <string>

namespace causeway::bft::rfc6962 {
namespace {

std::size_t split_point(std::size_t n) noexcept { return std::bit_floor(n - 1); }

Hash32 subtree_root(Suite s, std::span<const Hash32> leaves) {
  if (leaves.size() == 1) return leaves.front();
  const std::size_t k = split_point(leaves.size());
  return node_hash(s, subtree_root(s, leaves.first(k)), subtree_root(s, leaves.subspan(k)));
}

void path(Suite s, std::size_t m, std::span<const Hash32> leaves, std::vector<Hash32>& out) {
  if (leaves.size() <= 1) return;
  const std::size_t k = split_point(leaves.size());
  if (m < k) {
    path(s, m, leaves.first(k), out);
    out.push_back(subtree_root(s, leaves.subspan(k)));
  } else {
    path(s, m - k, leaves.subspan(k), out);
    out.push_back(subtree_root(s, leaves.first(k)));
  }
}

bool is_zero(ByteView v) noexcept {
  return std::all_of(v.begin(), v.end(), [](std::uint8_t b) { return b == 0; });
}

std::string elem(std::size_t i) { return "proof[" + std::to_string(i) + "]"; }

}  // namespace

Hash32 leaf_hash(Suite s, ByteView data) {
  static constexpr std::array<std::uint8_t, 1> kPrefix{0x00};
  return suite_hash(s, kPrefix, data);
}

Hash32 node_hash(Suite s, const Hash32& left, const Hash32& right) {
  std::array<std::uint8_t, 65> buf{};
  buf[0] = 0x01;
  std::copy(left.b.begin(), left.b.end(), buf.begin() + 1);
  std::copy(right.b.begin(), right.b.end(), buf.begin() + 33);
  return suite_hash(s, buf);
}

Hash32 empty_root(Suite s) { return suite_hash(s, ByteView{}); }

Hash32 root(Suite s, std::span<const Hash32> leaf_hashes) {
  if (leaf_hashes.empty()) return empty_root(s);
  return subtree_root(s, leaf_hashes);
}

Hash32 root_of_leaves(Suite s, std::span<const Bytes> leaves) {
  std::vector<Hash32> hashes;
  hashes.reserve(leaves.size());
  for (const auto& l : leaves) hashes.push_back(leaf_hash(s, l));
  return root(s, hashes);
}

Result<std::vector<Hash32>> inclusion_proof(Suite s, std::span<const Hash32> leaf_hashes, std::uint64_t index) {
  if (index >= leaf_hashes.size()) {
    return fail(Code::MerkleIndex, "leaf index " + std::to_string(index) + " >= tree size " +
                                       std::to_string(leaf_hashes.size()));
  }
  std::vector<Hash32> out;
  path(s, static_cast<std::size_t>(index), leaf_hashes, out);
  return out;
}

Result<Hash32> root_from_inclusion_proof(Suite s, std::uint64_t index, std::uint64_t tree_size, ByteView leaf,
                                         std::span<const ByteView> proof) {
  if (index >= tree_size) {
    return fail(Code::MerkleIndex,
                "leaf index " + std::to_string(index) + " >= tree size " + std::to_string(tree_size));
  }
  if (leaf.size() != Hash32::size()) return fail(Code::InclusionProof, "leaf hash is not 32 bytes", "leaf_hash");
  if (proof.size() > kMaxProofElements) return fail(Code::InclusionProof, "proof has more than 64 elements");
  std::uint64_t fn = index;
  std::uint64_t sn = tree_size - 1;
  Hash32 r = Hash32::from(leaf);
  for (std::size_t i = 0; i < proof.size(); ++i) {
    if (proof[i].size() != Hash32::size()) return fail(Code::InclusionProof, "element is not 32 bytes", elem(i));
    if (sn == 0) return fail(Code::InclusionProof, "proof is longer than the path to the root", elem(i));
    const Hash32 p = Hash32::from(proof[i]);
    if ((fn & 1U) != 0 || fn == sn) {
      r = node_hash(s, p, r);
      while ((fn & 1U) == 0 && fn != 0) {
        fn >>= 1U;
        sn >>= 1U;
      }
    } else {
      r = node_hash(s, r, p);
    }
    fn >>= 1U;
    sn >>= 1U;
  }
  if (sn != 0) return fail(Code::InclusionProof, "proof is shorter than the path to the root");
  return r;
}

Status verify_inclusion(Suite s, std::uint64_t index, std::uint64_t tree_size, ByteView leaf,
                        std::span<const ByteView> proof, ByteView root_hash) {
  if (root_hash.size() != Hash32::size()) return fail(Code::InclusionProof, "root is not 32 bytes", "root");
  if (is_zero(root_hash)) return fail(Code::ZeroRoot, "root is all zero", "root");
  auto computed = root_from_inclusion_proof(s, index, tree_size, leaf, proof);
  if (!computed) return tl::unexpected<Error>(std::move(computed.error()));
  if (!std::equal(computed->b.begin(), computed->b.end(), root_hash.begin(), root_hash.end()))
    return fail(Code::InclusionProof, "proof does not lead to the root", "root");
  return {};
}

Status verify_inclusion(Suite s, std::uint64_t index, std::uint64_t tree_size, ByteView leaf,
                        std::span<const Hash32> proof, ByteView root_hash) {
  std::vector<ByteView> v;
  v.reserve(proof.size());
  for (const auto& h : proof) v.push_back(h.view());
  return verify_inclusion(s, index, tree_size, leaf, std::span<const ByteView>(v), root_hash);
}

}  // namespace causeway::bft::rfc6962
