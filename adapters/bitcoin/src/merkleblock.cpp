// BIP 37 partial Merkle trees (merkleblock.hpp), following Bitcoin Core's merkleblock.cpp rule by rule.
#include "causeway/bitcoin_adapter/merkleblock.hpp"

#include <algorithm>
#include <map>
#include <utility>

#include "causeway/core/hash.hpp"

namespace causeway::adapters::bitcoin {
namespace {

tl::unexpected<Error> bad_pmt(std::string detail) { return fail(Code::PartialMerkleTree, std::move(detail), "merkleblock"); }

struct Reader {
  ByteView in;
  std::size_t pos = 0;

  bool take(std::size_t n, ByteView& out) {
    if (in.size() - pos < n) return false;
    out = in.subspan(pos, n);
    pos += n;
    return true;
  }
  // Canonical CompactSize (Core's ReadCompactSize with range_check).
  Result<std::uint64_t> compact_size(const char* what) {
    ByteView b;
    if (!take(1, b)) return bad_pmt(std::string("truncated before the ") + what + " count");
    const std::uint8_t first = b[0];
    std::uint64_t v = first;
    std::size_t width = first < 0xfd ? 0 : first == 0xfd ? 2 : first == 0xfe ? 4 : 8;
    if (width == 0) return v;
    if (!take(width, b)) return bad_pmt(std::string("truncated ") + what + " count");
    v = 0;
    for (std::size_t i = width; i-- > 0;) v = (v << 8) | b[i];
    const std::uint64_t min = width == 2 ? 0xfd : width == 4 ? 0x10000 : 0x100000000ULL;
    if (v < min) return bad_pmt(std::string("non-canonical CompactSize for the ") + what + " count");
    return v;
  }
};

std::size_t tree_width(std::uint32_t tx_count, int height) {
  return (std::size_t{tx_count} + (std::size_t{1} << height) - 1) >> height;
}

struct Traversal {
  const PartialMerkleTree& tree;
  std::size_t bits_used = 0;
  std::size_t hashes_used = 0;
  bool bad = false;
  bool mutated = false;
  std::vector<std::pair<std::uint64_t, Hash32>> matches;
  std::map<std::pair<int, std::size_t>, Hash32> nodes;  // every node whose hash was obtained, by (height, pos)

  Hash32 traverse(int height, std::size_t pos) {
    if (bits_used >= tree.bits.size()) {
      bad = true;
      return {};
    }
    const bool parent_of_match = tree.bits[bits_used++];
    Hash32 h;
    if (height == 0 || !parent_of_match) {
      if (hashes_used >= tree.hashes.size()) {
        bad = true;
        return {};
      }
      h = tree.hashes[hashes_used++];
      if (height == 0 && parent_of_match) matches.emplace_back(pos, h);
    } else {
      const Hash32 left = traverse(height - 1, pos * 2);
      if (bad) return {};
      Hash32 right = left;
      if (pos * 2 + 1 < tree_width(tree.tx_count, height - 1)) {
        right = traverse(height - 1, pos * 2 + 1);
        if (bad) return {};
        if (right == left) mutated = true;  // CVE-2012-2459: Core sets fBad
      }
      h = sha256d_pair(left, right);
    }
    nodes[{height, pos}] = h;
    return h;
  }
};

}  // namespace

Result<MerkleBlock> parse_merkleblock(ByteView raw) {
  if (raw.size() > kMaxMerkleBlockBytes)
    return fail(Code::TooLarge, "merkle block of " + std::to_string(raw.size()) + " bytes is over " +
                                    std::to_string(kMaxMerkleBlockBytes), "merkleblock");
  if (raw.size() < causeway::bitcoin::kHeaderSize) return fail(Code::HeaderEncoding, "shorter than a header", "merkleblock");
  MerkleBlock out;
  std::copy_n(raw.begin(), causeway::bitcoin::kHeaderSize, out.header.begin());
  Reader r{raw, causeway::bitcoin::kHeaderSize};
  ByteView b;
  if (!r.take(4, b)) return bad_pmt("truncated before nTransactions");
  out.tree.tx_count = read_le32(b.data());
  auto n = r.compact_size("hash");
  if (!n) return tl::unexpected(n.error());
  if (*n > (raw.size() - r.pos) / 32) return bad_pmt("declares more hashes than the input holds");
  out.tree.hashes.reserve(static_cast<std::size_t>(*n));
  for (std::uint64_t i = 0; i < *n; ++i) {
    r.take(32, b);
    out.tree.hashes.push_back(Hash32::from(b));
  }
  auto m = r.compact_size("flag byte");
  if (!m) return tl::unexpected(m.error());
  if (*m != raw.size() - r.pos)
    return bad_pmt(*m > raw.size() - r.pos ? "declares more flag bytes than the input holds"
                                           : "bytes follow the flag bytes");
  r.take(static_cast<std::size_t>(*m), b);
  out.tree.bits.reserve(b.size() * 8);
  for (std::size_t i = 0; i < b.size() * 8; ++i) out.tree.bits.push_back(((b[i / 8] >> (i % 8)) & 1U) != 0);
  return out;
}

Result<PmtExtract> extract_matches(const PartialMerkleTree& tree) {
  if (tree.tx_count == 0) return bad_pmt("nTransactions is 0");
  if (tree.tx_count > kMaxBlockTransactions)
    return bad_pmt("nTransactions " + std::to_string(tree.tx_count) + " is over " + std::to_string(kMaxBlockTransactions));
  if (tree.hashes.size() > tree.tx_count) return bad_pmt("more hashes than transactions");
  if (tree.bits.size() < tree.hashes.size()) return bad_pmt("fewer flag bits than hashes");
  int height = 0;
  while (tree_width(tree.tx_count, height) > 1) ++height;
  Traversal t{tree, 0, 0, false, false, {}, {}};
  const Hash32 root = t.traverse(height, 0);
  if (t.bad) return bad_pmt("the traversal ran out of flag bits or hashes");
  if (t.mutated) return fail(Code::MerkleMutated, "a right child equals its left sibling (CVE-2012-2459)", "merkleblock");
  if ((t.bits_used + 7) / 8 != (tree.bits.size() + 7) / 8) return bad_pmt("flag bytes left unused");
  for (std::size_t i = t.bits_used; i < tree.bits.size(); ++i)
    if (tree.bits[i]) return bad_pmt("a padding flag bit after the last used bit is set");
  if (t.hashes_used != tree.hashes.size()) return bad_pmt("hashes left unused");

  PmtExtract out;
  out.root = root;
  for (const auto& [index, txid] : t.matches) {
    PmtMatch m;
    m.index = index;
    m.txid = txid;
    std::size_t pos = static_cast<std::size_t>(index);
    for (int h = 0; h < height; ++h, pos >>= 1) {
      const std::size_t sibling = pos ^ 1U;
      const auto self = t.nodes.find({h, pos});
      // A matched leaf's ancestors were all descended into, so the node and its sibling were both visited;
      // a lone last node of an odd level pairs with itself.
      const auto it = sibling < tree_width(tree.tx_count, h) ? t.nodes.find({h, sibling}) : self;
      if (it == t.nodes.end()) return bad_pmt("a sibling on a matched path is missing");
      m.branch.push_back(it->second);
    }
    out.matches.push_back(std::move(m));
  }
  return out;
}

Result<PmtMatch> branch_of(const MerkleBlock& block, const Hash32& txid) {
  auto ex = extract_matches(block.tree);
  if (!ex) return tl::unexpected(ex.error());
  auto header = causeway::bitcoin::decode_header(block.header);
  if (!header) return tl::unexpected(header.error());
  if (header->merkle_root.is_zero()) return fail(Code::ZeroRoot, "the header's merkle root is all zero", "merkleblock");
  if (ex->root != header->merkle_root)
    return fail(Code::MerkleBranch, "the partial tree does not hash to the header's merkle root", "merkleblock");
  for (auto& m : ex->matches)
    if (m.txid == txid) return std::move(m);
  return fail(Code::RpcInconsistent, "the merkle block does not prove the requested transaction", "merkleblock");
}

}  // namespace causeway::adapters::bitcoin
