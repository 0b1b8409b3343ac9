// Ethereum Merkle-Patricia trie (Yellow Paper appendices C and D): hex-prefix, canonical node decoding,
// proof verification (A01, A09), trie construction and proof generation.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/core/rlp.hpp"
#include "causeway/merkle/mpt.hpp"

using namespace causeway;
namespace mpt = causeway::merkle::mpt;

namespace {

Bytes hx(const char* s) { return from_hex(s).value(); }
Bytes str(const std::string& s) { return Bytes(s.begin(), s.end()); }
Hash32 h(const char* s) { return hash_from_hex(s).value(); }
// keccak256 as a byte string (a secure-trie key).
Bytes kec(ByteView v) {
  const Hash32 d = keccak256(v);
  return Bytes(d.b.begin(), d.b.end());
}

// Hand-built nodes, so tests can forge any encoding and a root that hashes it.
Bytes leaf_node(const mpt::Nibbles& path, ByteView value) {
  const Bytes items[2] = {rlp::encode_bytes(mpt::hex_prefix_encode(path, true)), rlp::encode_bytes(value)};
  return rlp::encode_list(items);
}
Bytes ext_node(const mpt::Nibbles& path, const Bytes& child_ref) {
  const Bytes items[2] = {rlp::encode_bytes(mpt::hex_prefix_encode(path, false)), child_ref};
  return rlp::encode_list(items);
}
// refs[i] empty → the empty string 0x80.
Bytes branch_node(const std::array<Bytes, 16>& refs, ByteView value = {}) {
  std::vector<Bytes> items;
  for (const Bytes& r : refs) items.push_back(r.empty() ? Bytes{0x80} : r);
  items.push_back(rlp::encode_bytes(value));
  return rlp::encode_list(items);
}
Bytes href(const Bytes& node) { return rlp::encode_bytes(keccak256(node).view()); }
Bytes str_ref(std::size_t n, std::uint8_t fill) { return rlp::encode_bytes(Bytes(n, fill)); }

template <class T>
Code code_of(const Result<T>& r) {
  REQUIRE_FALSE(r.has_value());
  return r.error().code;
}

using Proof = std::vector<Bytes>;

Result<std::optional<Bytes>> verify(const Hash32& root, ByteView key, const Proof& proof) {
  return mpt::verify_proof(root, key, std::span<const Bytes>(proof));
}

Bytes random_bytes(std::mt19937_64& rng, std::size_t n, bool small_alphabet) {
  static const std::uint8_t alphabet[] = {0x00, 0x01, 0x10, 0x11, 0xab, 0xff};
  Bytes out(n);
  for (auto& b : out) {
    b = small_alphabet ? alphabet[rng() % sizeof alphabet] : static_cast<std::uint8_t>(rng());
  }
  return out;
}

}  // namespace

// ---- hex-prefix (appendix C) -----------------------------------------------------------------------

TEST_CASE("hex-prefix encoding matches the Yellow Paper appendix C examples", "[mpt]") {
  CHECK(mpt::hex_prefix_encode(mpt::Nibbles{1, 2, 3, 4, 5}, false) == hx("0x112345"));
  CHECK(mpt::hex_prefix_encode(mpt::Nibbles{0, 1, 2, 3, 4, 5}, false) == hx("0x00012345"));
  CHECK(mpt::hex_prefix_encode(mpt::Nibbles{0, 0xf, 1, 0xc, 0xb, 8}, true) == hx("0x200f1cb8"));
  CHECK(mpt::hex_prefix_encode(mpt::Nibbles{0xf, 1, 0xc, 0xb, 8}, true) == hx("0x3f1cb8"));
  CHECK(mpt::hex_prefix_encode(mpt::Nibbles{}, true) == hx("0x20"));
  CHECK(mpt::hex_prefix_encode(mpt::Nibbles{}, false) == hx("0x00"));
  CHECK(mpt::to_nibbles(hx("0xab01")) == mpt::Nibbles{0xa, 0xb, 0, 1});

  for (bool leaf : {false, true}) {
    for (std::size_t n = 0; n < 9; ++n) {
      mpt::Nibbles path;
      for (std::size_t i = 0; i < n; ++i) path.push_back(static_cast<std::uint8_t>((i * 7 + 3) % 16));
      auto decoded = mpt::hex_prefix_decode(mpt::hex_prefix_encode(path, leaf));
      REQUIRE(decoded);
      CHECK(decoded->path == path);
      CHECK(decoded->leaf == leaf);
    }
  }
}

TEST_CASE("hex-prefix decoding rejects flag nibbles above 3, nonzero pad nibbles and empty input", "[mpt]") {
  for (unsigned flag = 4; flag < 16; ++flag) {
    const std::uint8_t b[2] = {static_cast<std::uint8_t>(flag << 4U), 0x12};
    CHECK(code_of(mpt::hex_prefix_decode(ByteView(b, 2))) == Code::MptNodeEncoding);
  }
  CHECK(code_of(mpt::hex_prefix_decode(hx("0x0112"))) == Code::MptNodeEncoding);  // even extension, pad 1
  CHECK(code_of(mpt::hex_prefix_decode(hx("0x2f"))) == Code::MptNodeEncoding);    // even leaf, pad f
  CHECK(code_of(mpt::hex_prefix_decode(hx("0x"))) == Code::MptNodeEncoding);
  CHECK(mpt::hex_prefix_decode(hx("0x1f"))->path == mpt::Nibbles{0xf});  // odd: the low nibble is path
}

// ---- roots -----------------------------------------------------------------------------------------

TEST_CASE("the empty trie root is keccak256(0x80) and is proven by the empty proof only", "[mpt]") {
  const Hash32 empty = h("0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421");
  CHECK(mpt::empty_trie_root() == empty);
  mpt::Trie trie;
  CHECK(trie.root() == empty);
  CHECK(trie.root_node() == hx("0x80"));
  auto proof = trie.prove(str("anything"));
  REQUIRE(proof);
  CHECK(proof->empty());

  auto absent = verify(empty, str("anything"), {});
  REQUIRE(absent);
  CHECK_FALSE(absent->has_value());
  // The empty-string "node" hashes to the empty root but is not a node: one proof per claim.
  CHECK(code_of(verify(empty, str("anything"), {hx("0x80")})) == Code::MptNodeEncoding);
  // An empty proof proves nothing about a non-empty trie.
  CHECK(code_of(verify(keccak256(hx("0x01")), str("k"), {})) == Code::MptProof);
}

TEST_CASE("the do/dog/doge/horse trie has the root ethereum/tests gives", "[mpt]") {
  mpt::Trie trie;
  REQUIRE(trie.put(str("do"), str("verb")));
  REQUIRE(trie.put(str("dog"), str("puppy")));
  REQUIRE(trie.put(str("doge"), str("coin")));
  REQUIRE(trie.put(str("horse"), str("stallion")));
  CHECK(trie.root() == h("0x5991bb8c6514148a29db676a14ac506cd2cd5775ace63c30a4fe457715e9ac84"));
  for (const char* k : {"do", "dog", "doge", "horse"}) {
    auto proof = trie.prove(str(k));
    REQUIRE(proof);
    auto v = verify(trie.root(), str(k), *proof);
    REQUIRE(v);
    CHECK(*v == trie.get(str(k)));
  }
  for (const char* k : {"d", "", "dogs", "doe", "horses", "cat", "hors"}) {
    auto proof = trie.prove(str(k));
    REQUIRE(proof);
    auto v = verify(trie.root(), str(k), *proof);
    REQUIRE(v);
    CHECK_FALSE(v->has_value());
  }
}

TEST_CASE("the root depends only on the final key set: insertion order and deletions do not change it",
          "[mpt]") {
  std::mt19937_64 rng(0xC0FFEE);
  std::map<Bytes, Bytes> final_set;
  for (int i = 0; i < 120; ++i) final_set[random_bytes(rng, 1 + rng() % 4, true)] = random_bytes(rng, 1 + rng() % 40, false);
  std::vector<std::pair<Bytes, Bytes>> kv(final_set.begin(), final_set.end());

  mpt::Trie sorted_order;
  for (const auto& [k, v] : kv) REQUIRE(sorted_order.put(k, v));
  const Hash32 root = sorted_order.root();

  auto shuffled = kv;
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  mpt::Trie shuffled_order;
  for (const auto& [k, v] : shuffled) REQUIRE(shuffled_order.put(k, v));
  CHECK(shuffled_order.root() == root);

  // Overwrites and temporary keys, then deletions by erase() and by put(k, empty).
  mpt::Trie churned;
  std::vector<Bytes> temporary;
  for (int i = 0; i < 60; ++i) {
    Bytes k = random_bytes(rng, 1 + rng() % 5, true);
    if (final_set.count(k) == 0) temporary.push_back(k);
    REQUIRE(churned.put(k, str("temporary")));
  }
  for (const auto& [k, v] : shuffled) REQUIRE(churned.put(k, str("overwritten")));
  CHECK(churned.root() != root);
  for (std::size_t i = 0; i < temporary.size(); ++i) {
    if (i % 2 == 0) {
      churned.erase(temporary[i]);
    } else {
      REQUIRE(churned.put(temporary[i], {}));
    }
  }
  for (const auto& [k, v] : kv) REQUIRE(churned.put(k, v));
  CHECK(churned.size() == kv.size());
  CHECK(churned.root() == root);

  for (const auto& [k, v] : shuffled) churned.erase(k);
  CHECK(churned.root() == mpt::empty_trie_root());
}

// ---- random tries: generation and verification agree -------------------------------------------------

TEST_CASE("random tries: every present key proves its value and absent keys prove absence", "[mpt]") {
  std::mt19937_64 rng(20240611);
  std::size_t present_checked = 0, absent_checked = 0, embedded_seen = 0;
  for (std::size_t size : {1U, 2U, 3U, 5U, 16U, 50U, 300U}) {
    for (bool secure : {false, true}) {
      mpt::Trie trie;
      std::set<Bytes> keys;
      while (keys.size() < size) {
        Bytes k = random_bytes(rng, secure ? 20 : rng() % 6, !secure);
        if (secure) k = kec(k);
        if (!keys.insert(k).second) continue;
        REQUIRE(trie.put(k, random_bytes(rng, 1 + rng() % 40, false)));
      }
      const Hash32 root = trie.root();
      for (const Bytes& k : keys) {
        auto proof = trie.prove(k);
        REQUIRE(proof);
        REQUIRE(proof->size() <= mpt::kMaxProofNodes);
        for (const Bytes& node : *proof) {
          auto n = mpt::decode_node(node);
          REQUIRE(n);
          for (const auto& c : n->children) embedded_seen += c.kind == mpt::ChildRef::Kind::Embedded;
        }
        auto v = verify(root, k, *proof);
        REQUIRE(v);
        REQUIRE(v->has_value());
        CHECK(**v == *trie.get(k));
        ++present_checked;
      }
      for (int i = 0; i < 40; ++i) {
        Bytes k = random_bytes(rng, secure ? 32 : rng() % 7, !secure);
        if (keys.count(k) != 0) continue;
        auto proof = trie.prove(k);
        REQUIRE(proof);
        auto v = verify(root, k, *proof);
        REQUIRE(v);
        CHECK_FALSE(v->has_value());
        ++absent_checked;
      }
    }
  }
  CHECK(present_checked == 2 * (1 + 2 + 3 + 5 + 16 + 50 + 300));
  CHECK(absent_checked > 400);
  CHECK(embedded_seen > 0);  // the random tries exercise embedded nodes
}

TEST_CASE("every single-byte modification of any proof node, and any change to the node list, fails",
          "[mpt]") {
  std::mt19937_64 rng(7);
  mpt::Trie trie;
  std::vector<Bytes> keys;
  for (int i = 0; i < 200; ++i) {
    keys.push_back(random_bytes(rng, 1 + rng() % 4, true));
    REQUIRE(trie.put(keys.back(), random_bytes(rng, 1 + rng() % 40, false)));
  }
  const Hash32 root = trie.root();
  std::size_t variants = 0;
  for (const Bytes& k : {keys[0], keys[17], keys[99], Bytes{0x77, 0x77}}) {  // the last one is absent
    const Proof proof = trie.prove(k).value();
    REQUIRE(verify(root, k, proof));
    for (std::size_t i = 0; i < proof.size(); ++i) {
      for (std::size_t j = 0; j < proof[i].size(); ++j) {
        for (unsigned mask : {0x01U, 0x80U}) {
          Proof bad = proof;
          bad[i][j] = static_cast<std::uint8_t>(bad[i][j] ^ mask);
          CHECK_FALSE(verify(root, k, bad));
          ++variants;
        }
      }
      Proof truncated_node = proof;
      truncated_node[i].pop_back();
      CHECK_FALSE(verify(root, k, truncated_node));
      Proof extended_node = proof;
      extended_node[i].push_back(0x00);
      CHECK_FALSE(verify(root, k, extended_node));
      Proof removed = proof;
      removed.erase(removed.begin() + static_cast<std::ptrdiff_t>(i));
      CHECK_FALSE(verify(root, k, removed));
      Proof duplicated = proof;
      duplicated.insert(duplicated.begin() + static_cast<std::ptrdiff_t>(i), proof[i]);
      CHECK_FALSE(verify(root, k, duplicated));
    }
    if (proof.size() > 1) {
      Proof reversed(proof.rbegin(), proof.rend());
      CHECK(code_of(verify(root, k, reversed)) == Code::MptProof);
    }
  }
  CHECK(variants > 1000);
}

// ---- canonical node encodings -------------------------------------------------------------------------

TEST_CASE("decode_node rejects every non-canonical node shape", "[mpt]") {
  const Bytes leaf_small = leaf_node({1}, str("a"));  // 4 bytes: embeddable
  const Bytes leaf_big = leaf_node({1, 2}, Bytes(40, 0xee));
  std::array<Bytes, 16> two{};
  two[1] = href(leaf_big);
  two[2] = leaf_small;
  REQUIRE(mpt::decode_node(branch_node(two)));  // the canonical shape, for contrast

  struct Case {
    const char* rule;
    Bytes node;
    Code code;
  };
  std::array<Bytes, 16> r31 = two, r33 = two, r_big = two, one{}, none{}, r1 = two;
  r31[3] = str_ref(31, 0xaa);
  r33[3] = str_ref(33, 0xaa);
  r_big[3] = leaf_node({3}, Bytes(30, 0x11));  // a list of ≥ 32 bytes used as an embedded child
  one[5] = href(leaf_big);
  r1[4] = str_ref(1, 0x05);  // a one-byte string is not a reference either
  std::vector<Bytes> seventeen_with_list_value;
  for (int i = 0; i < 16; ++i) seventeen_with_list_value.push_back(i < 2 ? href(leaf_big) : Bytes{0x80});
  seventeen_with_list_value.push_back(hx("0xc0"));
  const Bytes three_items[3] = {rlp::encode_bytes(hx("0x20")), rlp::encode_bytes(str("v")), rlp::encode_bytes(str("w"))};
  const Bytes leaf_list_value[2] = {rlp::encode_bytes(hx("0x20")), hx("0xc0")};
  const Bytes leaf_flag4[2] = {rlp::encode_bytes(hx("0x4012")), rlp::encode_bytes(str("value"))};
  const Bytes leaf_pad[2] = {rlp::encode_bytes(hx("0x2512")), rlp::encode_bytes(str("value"))};
  const Bytes ext_pad[2] = {rlp::encode_bytes(hx("0x0512")), href(branch_node(two))};
  const Bytes leaf_list_path[2] = {hx("0xc120"), rlp::encode_bytes(str("value"))};

  const std::vector<Case> cases = {
      {"31-byte child reference", branch_node(r31), Code::MptNodeEncoding},
      {"33-byte child reference", branch_node(r33), Code::MptNodeEncoding},
      {"1-byte child reference", branch_node(r1), Code::MptNodeEncoding},
      {"embedded child of >= 32 bytes", branch_node(r_big), Code::MptNodeEncoding},
      {"branch with one child and no value", branch_node(one), Code::MptNodeEncoding},
      {"branch with only a value", branch_node(none, str("v")), Code::MptNodeEncoding},
      {"branch value slot is a list", rlp::encode_list(seventeen_with_list_value), Code::MptNodeEncoding},
      {"hex-prefix flag 4", rlp::encode_list(leaf_flag4), Code::MptNodeEncoding},
      {"leaf pad nibble 5", rlp::encode_list(leaf_pad), Code::MptNodeEncoding},
      {"extension pad nibble 5", rlp::encode_list(ext_pad), Code::MptNodeEncoding},
      {"path is a list", rlp::encode_list(leaf_list_path), Code::MptNodeEncoding},
      {"extension with an empty path", ext_node({}, href(branch_node(two))), Code::MptNodeEncoding},
      {"extension to an embedded leaf", ext_node({1}, leaf_small), Code::MptNodeEncoding},
      {"extension to an embedded extension", ext_node({1}, ext_node({2}, str_ref(32, 1))), Code::MptNodeEncoding},
      {"extension without a child", ext_node({1}, Bytes{0x80}), Code::MptNodeEncoding},
      {"extension to a 31-byte reference", ext_node({1}, str_ref(31, 1)), Code::MptNodeEncoding},
      {"leaf with an empty value", leaf_node({1}, {}), Code::MptNodeEncoding},
      {"leaf value is a list", rlp::encode_list(leaf_list_value), Code::MptNodeEncoding},
      {"list of 3 items", rlp::encode_list(three_items), Code::MptNodeEncoding},
      {"empty list", hx("0xc0"), Code::MptNodeEncoding},
      {"a string, not a list", rlp::encode_bytes(Bytes(40, 1)), Code::MptNodeEncoding},
      {"truncated node", Bytes(leaf_big.begin(), leaf_big.end() - 1), Code::RlpTruncated},
      {"trailing byte after the node", [&] { Bytes b = leaf_big; b.push_back(0); return b; }(), Code::RlpTrailing},
  };
  for (const Case& c : cases) {
    INFO(c.rule);
    CHECK(code_of(mpt::decode_node(c.node)) == c.code);
  }
  // A long-form list header around a payload under 56 bytes is non-canonical RLP.
  Bytes long_form = leaf_small;
  long_form[0] = 0xf8;
  long_form.insert(long_form.begin() + 1, static_cast<std::uint8_t>(leaf_small.size() - 1));
  CHECK(code_of(mpt::decode_node(long_form)) == Code::RlpNonCanonical);
}

TEST_CASE("the same value proven with a non-canonically encoded proof is rejected: one value, one proof",
          "[mpt]") {
  SECTION("a node under 32 bytes referenced by hash instead of embedded") {
    // Keys 0x01 → "a", 0x02 → "b": extension [0] → branch (22 bytes, embedded) with two embedded leaves.
    std::array<Bytes, 16> refs{};
    refs[1] = leaf_node({}, str("a"));
    refs[2] = leaf_node({}, str("b"));
    const Bytes branch = branch_node(refs);
    REQUIRE(branch.size() < 32);
    const Bytes root_canonical = ext_node({0}, branch);
    mpt::Trie trie;
    REQUIRE(trie.put(hx("0x01"), str("a")));
    REQUIRE(trie.put(hx("0x02"), str("b")));
    REQUIRE(trie.root_node() == root_canonical);
    REQUIRE(*verify(keccak256(root_canonical), hx("0x01"), {root_canonical}).value() == str("a"));

    const Bytes root_hashed = ext_node({0}, href(branch));
    CHECK(code_of(verify(keccak256(root_hashed), hx("0x01"), {root_hashed, branch})) == Code::MptNodeEncoding);
  }
  SECTION("a node of 32 bytes or more embedded instead of hashed") {
    std::array<Bytes, 16> refs{};
    const Bytes big = leaf_node({}, Bytes(40, 0x42));
    refs[1] = href(big);
    refs[2] = leaf_node({}, str("b"));
    const Bytes canonical = ext_node({0}, href(branch_node(refs)));
    mpt::Trie trie;
    REQUIRE(trie.put(hx("0x01"), Bytes(40, 0x42)));
    REQUIRE(trie.put(hx("0x02"), str("b")));
    REQUIRE(trie.root_node() == canonical);
    REQUIRE(*verify(keccak256(canonical), hx("0x01"), {canonical, branch_node(refs), big}).value() ==
            Bytes(40, 0x42));

    std::array<Bytes, 16> inlined = refs;
    inlined[1] = big;
    const Bytes root = ext_node({0}, href(branch_node(inlined)));
    CHECK(code_of(verify(keccak256(root), hx("0x01"), {root, branch_node(inlined)})) == Code::MptNodeEncoding);
  }
  SECTION("a node re-encoded with a non-minimal RLP header") {
    std::array<Bytes, 16> refs{};
    const Bytes big = leaf_node({}, Bytes(40, 0x42));  // 44 bytes: short-form list
    Bytes big_long = big;
    big_long[0] = 0xf8;
    big_long.insert(big_long.begin() + 1, static_cast<std::uint8_t>(big.size() - 1));
    refs[1] = href(big_long);
    refs[2] = leaf_node({}, str("b"));
    const Bytes root = ext_node({0}, href(branch_node(refs)));
    CHECK(code_of(verify(keccak256(root), hx("0x01"), {root, branch_node(refs), big_long})) ==
          Code::RlpNonCanonical);
  }
  SECTION("an extension whose hashed child is a leaf (would have been merged)") {
    const Bytes leaf = leaf_node({2, 3}, Bytes(40, 0x42));
    const Bytes root = ext_node({0, 1}, href(leaf));
    CHECK(code_of(verify(keccak256(root), hx("0x0123"), {root, leaf})) == Code::MptNodeEncoding);
    mpt::Trie trie;
    REQUIRE(trie.put(hx("0x0123"), Bytes(40, 0x42)));
    const Proof honest = trie.prove(hx("0x0123")).value();
    REQUIRE(honest.size() == 1);  // one leaf holding the whole path
    CHECK(*verify(trie.root(), hx("0x0123"), honest).value() == Bytes(40, 0x42));
  }
}

// ---- attack cases -----------------------------------------------------------------------------------

TEST_CASE("A09 absence proof through a branch holding a 31- or 33-byte child hash is rejected", "[mpt][A09]") {
  const Bytes other = leaf_node({5, 5}, Bytes(40, 0x55));
  for (std::size_t bad_len : {31U, 33U}) {
    std::array<Bytes, 16> refs{};
    refs[1] = str_ref(bad_len, 0xaa);  // malformed sibling, not on the key's path
    refs[2] = href(other);
    const Bytes root = branch_node(refs);
    INFO(bad_len);
    // Key 0x3… meets the empty slot 3: a lax verifier would report "absent" (a forged timeout).
    CHECK(code_of(verify(keccak256(root), hx("0x3456"), {root})) == Code::MptNodeEncoding);
    // The same walk through the malformed slot itself is rejected too.
    CHECK(code_of(verify(keccak256(root), hx("0x1456"), {root})) == Code::MptNodeEncoding);
  }
  // Control: with a well-formed 32-byte sibling the same absence proof is accepted.
  std::array<Bytes, 16> refs{};
  refs[1] = str_ref(32, 0xaa);
  refs[2] = href(other);
  const Bytes root = branch_node(refs);
  auto ok = verify(keccak256(root), hx("0x3456"), {root});
  REQUIRE(ok);
  CHECK_FALSE(ok->has_value());
}

TEST_CASE("A09 leaf node reused as an extension cannot prove the absence of its own key", "[mpt][A09]") {
  // The leaf for key 0x12… stores a 32-byte value X that an attacker chose as keccak(fake branch).
  std::array<Bytes, 16> fake_refs{};
  fake_refs[0] = str_ref(32, 1);
  fake_refs[9] = str_ref(32, 2);
  const Bytes fake_branch = branch_node(fake_refs);  // empty value slot: "key ends here, no value"
  const Hash32 x = keccak256(fake_branch);
  mpt::Trie trie;
  const Bytes key = hx("0x1234");
  REQUIRE(trie.put(key, x.view()));
  REQUIRE(trie.put(hx("0x9999"), Bytes(40, 9)));
  const Hash32 root = trie.root();
  Proof honest = trie.prove(key).value();
  REQUIRE(honest.size() == 2);  // root branch, leaf [HP(234, leaf), X]
  auto present = verify(root, key, honest);
  REQUIRE(present);
  REQUIRE(present->has_value());
  CHECK(**present == Bytes(x.view().begin(), x.view().end()));

  // The forged proof walks the leaf as if it were an extension into the fake branch.
  Proof forged = honest;
  forged.push_back(fake_branch);
  CHECK(code_of(verify(root, key, forged)) == Code::MptProof);
  // A node with the extension flag pointing at a leaf-shaped child is malformed, whatever it hashes to.
  const Bytes leaf = leaf_node({4}, Bytes(40, 7));
  const Bytes ext = ext_node({0, 2, 3}, href(leaf));
  CHECK(code_of(verify(keccak256(ext), hx("0x0234"), {ext, leaf})) == Code::MptNodeEncoding);
}

TEST_CASE("A01 an all-zero root is never trusted", "[mpt][A01]") {
  const Hash32 zero{};
  CHECK(code_of(verify(zero, str("k"), {})) == Code::ZeroRoot);
  CHECK(code_of(verify(zero, str("k"), {leaf_node({1}, str("v"))})) == Code::ZeroRoot);
  CHECK(code_of(mpt::verify_secure_proof(zero, str("k"), std::span<const Bytes>{})) == Code::ZeroRoot);
}

// ---- bounds and strict node lists ------------------------------------------------------------------------

TEST_CASE("proofs are bounded: node count, node size and key size", "[mpt]") {
  mpt::Trie trie;
  for (int i = 0; i < 64; ++i) REQUIRE(trie.put(Bytes{static_cast<std::uint8_t>(i)}, Bytes(40, 1)));
  const Bytes key{7};
  const Proof proof = trie.prove(key).value();
  REQUIRE(verify(trie.root(), key, proof));

  Proof too_many = proof;
  too_many.resize(mpt::kMaxProofNodes + 1, proof.back());
  CHECK(code_of(verify(trie.root(), key, too_many)) == Code::TooLarge);

  mpt::ProofLimits small;
  small.max_node_bytes = 100;  // the root branch is larger
  CHECK(code_of(mpt::verify_proof(trie.root(), key, std::span<const Bytes>(proof), small)) == Code::TooLarge);
  mpt::ProofLimits few;
  few.max_nodes = 1;
  CHECK(code_of(mpt::verify_proof(trie.root(), key, std::span<const Bytes>(proof), few)) == Code::TooLarge);

  const Bytes long_key(mpt::kMaxKeyBytes + 1, 1);
  CHECK(code_of(verify(trie.root(), long_key, proof)) == Code::TooLarge);
  CHECK(code_of(trie.put(long_key, str("v"))) == Code::TooLarge);
  CHECK(code_of(trie.prove(long_key)) == Code::TooLarge);
  REQUIRE(trie.put(Bytes(mpt::kMaxKeyBytes, 1), str("v")));  // exactly the bound is fine
}

TEST_CASE("a proof must be the exact node list: no missing, extra or reordered nodes", "[mpt]") {
  mpt::Trie trie;
  for (int i = 0; i < 40; ++i) {
    REQUIRE(trie.put(keccak256(Bytes{static_cast<std::uint8_t>(i)}).view(), Bytes(33, static_cast<std::uint8_t>(i))));
  }
  const Bytes key = kec(Bytes{3});
  const Proof proof = trie.prove(key).value();
  REQUIRE(proof.size() >= 2);
  REQUIRE(verify(trie.root(), key, proof));

  Proof missing_last(proof.begin(), proof.end() - 1);
  CHECK(code_of(verify(trie.root(), key, missing_last)) == Code::MptProof);
  Proof extra = proof;
  extra.push_back(proof.back());
  CHECK(code_of(verify(trie.root(), key, extra)) == Code::MptProof);
  Proof unrelated = proof;
  unrelated.push_back(leaf_node({1}, Bytes(40, 1)));
  CHECK(code_of(verify(trie.root(), key, unrelated)) == Code::MptProof);
  CHECK(code_of(verify(trie.root(), key, {proof[1], proof[0]})) == Code::MptProof);
  // A proof of another key is not a proof of this one (wrong nodes for the path).
  const Bytes other = kec(Bytes{4});
  const Proof other_proof = trie.prove(other).value();
  CHECK(code_of(verify(trie.root(), key, other_proof)) == Code::MptProof);
}

TEST_CASE("secure proofs hash the key first (EIP-1186)", "[mpt]") {
  mpt::Trie trie;
  const Bytes address = hx("0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b");
  const Bytes hashed = kec(address);
  REQUIRE(trie.put(hashed, str("account")));
  REQUIRE(trie.put(keccak256(str("other")).view(), str("x")));
  const Proof proof = trie.prove(hashed).value();
  auto v = mpt::verify_secure_proof(trie.root(), address, std::span<const Bytes>(proof));
  REQUIRE(v);
  CHECK(*v == std::optional<Bytes>(str("account")));
  // The raw address is a different (absent) path.
  auto raw = verify(trie.root(), address, proof);
  CHECK_FALSE((raw && raw->has_value()));
}

TEST_CASE("Trie: put with an empty value deletes; get and erase", "[mpt]") {
  mpt::Trie trie;
  REQUIRE(trie.put(str("a"), str("1")));
  REQUIRE(trie.put(str("ab"), str("2")));
  CHECK(trie.size() == 2);
  REQUIRE(trie.put(str("a"), {}));
  CHECK(trie.size() == 1);
  CHECK_FALSE(trie.get(str("a")).has_value());
  CHECK(trie.get(str("ab")) == std::optional<Bytes>(str("2")));
  CHECK(trie.erase(str("ab")));
  CHECK_FALSE(trie.erase(str("ab")));
  CHECK(trie.empty());
  CHECK(trie.root() == mpt::empty_trie_root());
}
