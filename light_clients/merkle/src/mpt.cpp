// Ethereum Merkle-Patricia trie: see causeway/merkle/mpt.hpp for the contract.
#include "causeway/merkle/mpt.hpp"

#include <algorithm>
#include <cassert>
#include <string>
#include <utility>

#include "causeway/core/hash.hpp"
#include "causeway/core/rlp.hpp"

namespace causeway::merkle::mpt {

namespace {

constexpr std::uint8_t kEmptyString = 0x80;

std::string node_at(std::size_t i) { return "proof[" + std::to_string(i) + "]"; }

// Prefixes `where` to an error's location ("proof[2], offset 5").
Error located(Error e, const std::string& where) {
  e.at = e.at.empty() ? where : where + ", " + e.at;
  return e;
}

bool equal(ByteView a, ByteView b) noexcept { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }

Result<Node> node_from_item(const rlp::Item& item);

// A child slot: 0x80, a 32-byte hash, or an embedded node (< 32 bytes, itself canonical).
Result<ChildRef> child_from_item(const rlp::Item& item) {
  if (!item.is_list) {
    if (item.payload.empty()) return ChildRef{ChildRef::Kind::Empty, {}};
    if (item.payload.size() == 32) return ChildRef{ChildRef::Kind::Hash, item.payload};
    return fail(Code::MptNodeEncoding, "child reference is a " + std::to_string(item.payload.size()) +
                                           "-byte string (must be empty or a 32-byte hash)");
  }
  if (item.raw.size() >= 32) {
    return fail(Code::MptNodeEncoding, "embedded node of " + std::to_string(item.raw.size()) +
                                           " bytes (nodes of 32 bytes or more are referenced by hash)");
  }
  auto child = node_from_item(item);
  if (!child) return tl::unexpected(located(std::move(child.error()), "embedded node"));
  return ChildRef{ChildRef::Kind::Embedded, item.raw};
}

Result<Node> node_from_item(const rlp::Item& item) {
  if (!item.is_list) return fail(Code::MptNodeEncoding, "node is a string, not a list");
  Node node;
  if (item.items.size() == 2) {
    const rlp::Item& path_item = item.items[0];
    if (path_item.is_list) return fail(Code::MptNodeEncoding, "node path is a list");
    auto hp = hex_prefix_decode(path_item.payload);
    if (!hp) return tl::unexpected(std::move(hp.error()));
    node.path = std::move(hp->path);
    const rlp::Item& second = item.items[1];
    if (hp->leaf) {
      node.kind = NodeKind::Leaf;
      if (second.is_list) return fail(Code::MptNodeEncoding, "leaf value is a list");
      if (second.payload.empty()) return fail(Code::MptNodeEncoding, "leaf value is empty");
      node.value = second.payload;
      return node;
    }
    node.kind = NodeKind::Extension;
    if (node.path.empty()) return fail(Code::MptNodeEncoding, "extension with an empty path");
    auto child = child_from_item(second);
    if (!child) return tl::unexpected(std::move(child.error()));
    if (child->kind == ChildRef::Kind::Empty) return fail(Code::MptNodeEncoding, "extension without a child");
    if (child->kind == ChildRef::Kind::Embedded && second.items.size() != 17) {
      return fail(Code::MptNodeEncoding, "extension child is not a branch");
    }
    node.next = *child;
    return node;
  }
  if (item.items.size() == 17) {
    node.kind = NodeKind::Branch;
    std::size_t occupied = 0;
    for (std::size_t i = 0; i < 16; ++i) {
      auto child = child_from_item(item.items[i]);
      if (!child) return tl::unexpected(located(std::move(child.error()), "slot " + std::to_string(i)));
      node.children[i] = *child;
      if (child->kind != ChildRef::Kind::Empty) ++occupied;
    }
    const rlp::Item& value = item.items[16];
    if (value.is_list) return fail(Code::MptNodeEncoding, "branch value slot is a list");
    node.value = value.payload;
    if (!value.payload.empty()) ++occupied;
    if (occupied < 2) {
      return fail(Code::MptNodeEncoding, "branch with " + std::to_string(occupied) +
                                             " non-empty slot(s) (a canonical branch has at least two)");
    }
    return node;
  }
  return fail(Code::MptNodeEncoding,
              "node is a list of " + std::to_string(item.items.size()) + " items (must be 2 or 17)");
}

// ---- construction: the sorted build of appendix D ---------------------------------------------------

struct Entry {
  Nibbles key;
  ByteView value;
};
using Range = std::span<const Entry>;

std::vector<Entry> sorted_entries(const std::map<Bytes, Bytes>& entries) {
  std::vector<Entry> out;
  out.reserve(entries.size());
  // Byte-lexicographic order of keys is the lexicographic order of their nibble paths.
  for (const auto& [k, v] : entries) out.push_back(Entry{to_nibbles(k), v});
  return out;
}

// Length of the path shared by every entry of r from nibble `depth` on (r sorted, non-empty).
std::size_t common_prefix(Range r, std::size_t depth) {
  const Nibbles& a = r.front().key;
  const Nibbles& b = r.back().key;
  std::size_t n = 0;
  while (depth + n < a.size() && depth + n < b.size() && a[depth + n] == b[depth + n]) ++n;
  return n;
}

// The entries of r (no entry ending at depth) whose nibble at depth is k.
Range group(Range r, std::size_t depth, std::uint8_t k) {
  auto lo = std::partition_point(r.begin(), r.end(), [&](const Entry& e) { return e.key[depth] < k; });
  auto hi = std::partition_point(lo, r.end(), [&](const Entry& e) { return e.key[depth] <= k; });
  return r.subspan(static_cast<std::size_t>(lo - r.begin()), static_cast<std::size_t>(hi - lo));
}

Bytes path_bytes(const Nibbles& key, std::size_t from, std::size_t to, bool leaf) {
  return rlp::encode_bytes(hex_prefix_encode(std::span<const std::uint8_t>(key).subspan(from, to - from), leaf));
}

Bytes encode_node(Range r, std::size_t depth);

// n(J, i) of appendix D: empty string, the embedded node (< 32 bytes) or the 32-byte hash of the node.
Bytes child_ref(Range r, std::size_t depth) {
  if (r.empty()) return Bytes{kEmptyString};
  Bytes enc = encode_node(r, depth);
  if (enc.size() < 32) return enc;
  return rlp::encode_bytes(keccak256(enc).view());
}

// c(J, i) of appendix D for a non-empty, sorted r whose keys share their first `depth` nibbles.
Bytes encode_node(Range r, std::size_t depth) {
  if (r.size() == 1) {
    const Entry& e = r.front();
    const Bytes items[2] = {path_bytes(e.key, depth, e.key.size(), true), rlp::encode_bytes(e.value)};
    return rlp::encode_list(items);
  }
  const std::size_t common = common_prefix(r, depth);
  if (common > 0) {
    const Bytes items[2] = {path_bytes(r.front().key, depth, depth + common, false),
                            child_ref(r, depth + common)};
    return rlp::encode_list(items);
  }
  std::vector<Bytes> items(17);
  Range rest = r;
  ByteView value;
  if (rest.front().key.size() == depth) {  // sorted: the key ending here comes first
    value = rest.front().value;
    rest = rest.subspan(1);
  }
  for (std::uint8_t k = 0; k < 16; ++k) items[k] = child_ref(group(rest, depth, k), depth + 1);
  items[16] = rlp::encode_bytes(value);
  return rlp::encode_list(items);
}

}  // namespace

// ---- hex-prefix -------------------------------------------------------------------------------------

Nibbles to_nibbles(ByteView key) {
  Nibbles out;
  out.reserve(2 * key.size());
  for (std::uint8_t b : key) {
    out.push_back(static_cast<std::uint8_t>(b >> 4U));
    out.push_back(static_cast<std::uint8_t>(b & 0x0fU));
  }
  return out;
}

Bytes hex_prefix_encode(std::span<const std::uint8_t> path, bool leaf) {
  const bool odd = (path.size() % 2) == 1;
  const unsigned flag = (leaf ? 2U : 0U) + (odd ? 1U : 0U);
  Bytes out;
  out.reserve(path.size() / 2 + 1);
  std::size_t i = 0;
  if (odd) {
    assert(path[0] < 16);
    out.push_back(static_cast<std::uint8_t>((flag << 4U) | path[0]));
    i = 1;
  } else {
    out.push_back(static_cast<std::uint8_t>(flag << 4U));
  }
  for (; i < path.size(); i += 2) {
    assert(path[i] < 16 && path[i + 1] < 16);
    out.push_back(static_cast<std::uint8_t>((static_cast<unsigned>(path[i]) << 4U) | path[i + 1]));
  }
  return out;
}

Result<HexPrefix> hex_prefix_decode(ByteView encoded) {
  if (encoded.empty()) return fail(Code::MptNodeEncoding, "empty hex-prefix path");
  const unsigned flag = encoded[0] >> 4U;
  if (flag > 3) return fail(Code::MptNodeEncoding, "hex-prefix flag nibble " + std::to_string(flag) + " (must be 0-3)");
  const bool odd = (flag & 1U) != 0;
  if (!odd && (encoded[0] & 0x0fU) != 0) return fail(Code::MptNodeEncoding, "hex-prefix pad nibble is not 0");
  HexPrefix out;
  out.leaf = (flag & 2U) != 0;
  out.path.reserve(2 * encoded.size());
  if (odd) out.path.push_back(static_cast<std::uint8_t>(encoded[0] & 0x0fU));
  for (std::size_t i = 1; i < encoded.size(); ++i) {
    out.path.push_back(static_cast<std::uint8_t>(encoded[i] >> 4U));
    out.path.push_back(static_cast<std::uint8_t>(encoded[i] & 0x0fU));
  }
  return out;
}

// ---- nodes ------------------------------------------------------------------------------------------

Result<Node> decode_node(ByteView encoded) {
  auto item = rlp::decode(encoded);
  if (!item) return tl::unexpected(std::move(item.error()));
  return node_from_item(*item);
}

Hash32 empty_trie_root() noexcept {
  const std::uint8_t empty = kEmptyString;
  return keccak256(ByteView(&empty, 1));
}

// ---- verification -----------------------------------------------------------------------------------

Result<std::optional<Bytes>> verify_proof(const Hash32& root, ByteView key, std::span<const ByteView> proof,
                                          const ProofLimits& limits) {
  if (root.is_zero()) return fail(Code::ZeroRoot, "trie root is all zero");
  if (key.size() > kMaxKeyBytes) {
    return fail(Code::TooLarge, "key of " + std::to_string(key.size()) + " bytes exceeds " +
                                    std::to_string(kMaxKeyBytes));
  }
  if (proof.size() > limits.max_nodes) {
    return fail(Code::TooLarge, "proof of " + std::to_string(proof.size()) + " nodes exceeds " +
                                    std::to_string(limits.max_nodes));
  }
  for (std::size_t i = 0; i < proof.size(); ++i) {
    if (proof[i].size() > limits.max_node_bytes) {
      return fail(Code::TooLarge,
                  "node of " + std::to_string(proof[i].size()) + " bytes exceeds " +
                      std::to_string(limits.max_node_bytes),
                  node_at(i));
    }
  }
  if (proof.empty()) {
    if (root == empty_trie_root()) return std::optional<Bytes>{};
    return fail(Code::MptProof, "empty proof for a non-empty trie");
  }
  if (keccak256(proof[0]) != root) return fail(Code::MptProof, "root node does not hash to the root", node_at(0));

  const Nibbles nibbles = to_nibbles(key);
  std::size_t pos = 0;          // nibbles of the key consumed
  std::size_t index = 0;        // proof node holding `current`
  ByteView current = proof[0];  // the node to visit: a proof node or an embedded node inside proof[index]
  bool must_be_branch = false;  // current is an extension's child
  std::optional<Bytes> result;

  // Each pass consumes a proof node or descends into a strictly smaller embedded node: bounded.
  for (;;) {
    auto node = decode_node(current);
    if (!node) return tl::unexpected(located(std::move(node.error()), node_at(index)));
    if (must_be_branch && node->kind != NodeKind::Branch) {
      return fail(Code::MptNodeEncoding, "extension child is not a branch", node_at(index));
    }
    must_be_branch = false;

    ChildRef next;
    if (node->kind == NodeKind::Leaf) {
      const bool match = std::equal(node->path.begin(), node->path.end(), nibbles.begin() + static_cast<std::ptrdiff_t>(pos),
                                    nibbles.end());
      if (match) result = Bytes(node->value.begin(), node->value.end());
      break;
    }
    if (node->kind == NodeKind::Extension) {
      const std::size_t rest = nibbles.size() - pos;
      if (node->path.size() > rest ||
          !std::equal(node->path.begin(), node->path.end(), nibbles.begin() + static_cast<std::ptrdiff_t>(pos))) {
        break;  // the key leaves the trie inside the extension's path: absent
      }
      pos += node->path.size();
      next = node->next;
      must_be_branch = true;
    } else {  // branch
      if (pos == nibbles.size()) {
        if (!node->value.empty()) result = Bytes(node->value.begin(), node->value.end());
        break;
      }
      next = node->children[nibbles[pos]];
      ++pos;
      if (next.kind == ChildRef::Kind::Empty) break;  // empty slot: absent
    }

    if (next.kind == ChildRef::Kind::Embedded) {
      current = next.bytes;
      continue;
    }
    // A hashed reference: the next proof node.
    ++index;
    if (index >= proof.size()) return fail(Code::MptProof, "proof ends before the key's path does", node_at(index));
    if (!equal(keccak256(proof[index]).view(), next.bytes)) {
      return fail(Code::MptProof, "node does not hash to its parent's reference", node_at(index));
    }
    if (proof[index].size() < 32) {
      return fail(Code::MptNodeEncoding, "hash-referenced node of " + std::to_string(proof[index].size()) +
                                             " bytes (nodes under 32 bytes are embedded)",
                  node_at(index));
    }
    current = proof[index];
  }

  if (index + 1 != proof.size()) {
    return fail(Code::MptProof, std::to_string(proof.size() - index - 1) + " unused node(s) after the key's path ends",
                node_at(index + 1));
  }
  return result;
}

Result<std::optional<Bytes>> verify_proof(const Hash32& root, ByteView key, std::span<const Bytes> proof,
                                          const ProofLimits& limits) {
  if (proof.size() > limits.max_nodes) {  // bound before allocating the views
    return fail(Code::TooLarge, "proof of " + std::to_string(proof.size()) + " nodes exceeds " +
                                    std::to_string(limits.max_nodes));
  }
  std::vector<ByteView> views(proof.begin(), proof.end());
  return verify_proof(root, key, std::span<const ByteView>(views), limits);
}

Result<std::optional<Bytes>> verify_secure_proof(const Hash32& root, ByteView key,
                                                 std::span<const ByteView> proof, const ProofLimits& limits) {
  const Hash32 path = keccak256(key);
  return verify_proof(root, path.view(), proof, limits);
}

Result<std::optional<Bytes>> verify_secure_proof(const Hash32& root, ByteView key, std::span<const Bytes> proof,
                                                 const ProofLimits& limits) {
  const Hash32 path = keccak256(key);
  return verify_proof(root, path.view(), proof, limits);
}

// ---- Trie -------------------------------------------------------------------------------------------

Status Trie::put(ByteView key, ByteView value) {
  if (key.size() > kMaxKeyBytes) {
    return fail(Code::TooLarge, "key of " + std::to_string(key.size()) + " bytes exceeds " +
                                    std::to_string(kMaxKeyBytes));
  }
  Bytes k(key.begin(), key.end());
  if (value.empty()) {
    entries_.erase(k);
  } else {
    entries_.insert_or_assign(std::move(k), Bytes(value.begin(), value.end()));
  }
  return {};
}

bool Trie::erase(ByteView key) { return entries_.erase(Bytes(key.begin(), key.end())) > 0; }

std::optional<Bytes> Trie::get(ByteView key) const {
  auto it = entries_.find(Bytes(key.begin(), key.end()));
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

Bytes Trie::root_node() const {
  if (entries_.empty()) return Bytes{kEmptyString};
  const std::vector<Entry> sorted = sorted_entries(entries_);
  return encode_node(sorted, 0);
}

Hash32 Trie::root() const { return keccak256(root_node()); }

Result<std::vector<Bytes>> Trie::prove(ByteView key) const {
  if (key.size() > kMaxKeyBytes) {
    return fail(Code::TooLarge, "key of " + std::to_string(key.size()) + " bytes exceeds " +
                                    std::to_string(kMaxKeyBytes));
  }
  std::vector<Bytes> out;
  if (entries_.empty()) return out;
  const std::vector<Entry> sorted = sorted_entries(entries_);
  const Nibbles nibbles = to_nibbles(key);
  Range r(sorted);
  std::size_t depth = 0;
  for (;;) {
    Bytes enc = encode_node(r, depth);
    // The root node is always listed; below it, nodes under 32 bytes are embedded in their parent.
    if (out.empty() || enc.size() >= 32) out.push_back(std::move(enc));
    if (r.size() == 1) break;  // leaf
    const std::size_t common = common_prefix(r, depth);
    if (common > 0) {  // extension: follow it when the key continues along its path
      const Nibbles& path = r.front().key;
      if (nibbles.size() < depth + common ||
          !std::equal(path.begin() + static_cast<std::ptrdiff_t>(depth),
                      path.begin() + static_cast<std::ptrdiff_t>(depth + common),
                      nibbles.begin() + static_cast<std::ptrdiff_t>(depth))) {
        break;
      }
      depth += common;
      continue;
    }
    if (nibbles.size() == depth) break;  // branch value slot
    Range rest = r.front().key.size() == depth ? r.subspan(1) : r;
    Range sub = group(rest, depth, nibbles[depth]);
    if (sub.empty()) break;  // empty slot
    r = sub;
    ++depth;
  }
  return out;
}

}  // namespace causeway::merkle::mpt
