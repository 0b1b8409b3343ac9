// light_clients/chainmaker without outside data: the ChainMaker Merkle tree and its paths (every size 1..17,
// every index), TBFT quorum arithmetic at the DESIGN.md §4 boundaries, trust validation, and decoding bounds.
#include <catch2/catch.hpp>

#include <vector>

#include "causeway/chainmaker/block.hpp"
#include "causeway/chainmaker/client.hpp"
#include "causeway/core/hash.hpp"

using namespace causeway;
using namespace causeway::chainmaker;

namespace {
std::vector<Hash32> leaves(std::size_t n) {
  std::vector<Hash32> out;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t b = static_cast<std::uint8_t>(i);
    out.push_back(sha256(ByteView(&b, 1)));
  }
  return out;
}
Hash32 pair(HashType h, const Hash32& l, const Hash32& r) {
  Bytes b(l.b.begin(), l.b.end());
  b.insert(b.end(), r.b.begin(), r.b.end());
  return hash(h, b);
}
}  // namespace

TEST_CASE("chainmaker Merkle: one leaf is the root, none is nil, a lone left child is paired with itself") {
  for (HashType h : {HashType::Sha256, HashType::Sm3}) {
    CHECK_FALSE(merkle_root(h, {}).has_value());
    auto l = leaves(3);
    CHECK(merkle_root(h, std::span(l.data(), 1)).value() == l[0]);
    // 3 leaves padded to 4: H(H(a‖b) ‖ H(c‖c)).
    CHECK(merkle_root(h, l).value() == pair(h, pair(h, l[0], l[1]), pair(h, l[2], l[2])));
    auto five = leaves(5);  // H(H(ab‖cd) ‖ H(H(ee)‖H(ee)))
    const Hash32 ee = pair(h, five[4], five[4]);
    CHECK(merkle_root(h, five).value() ==
          pair(h, pair(h, pair(h, five[0], five[1]), pair(h, five[2], five[3])), pair(h, ee, ee)));
  }
}

TEST_CASE("chainmaker Merkle paths: every index of every size 1..17 verifies; bound to tx_count and position") {
  for (std::size_t n = 1; n <= 17; ++n) {
    auto l = leaves(n);
    const Hash32 root = merkle_root(HashType::Sha256, l).value();
    for (std::size_t i = 0; i < n; ++i) {
      auto path = merkle_path(HashType::Sha256, l, i);
      CHECK(verify_merkle_path(HashType::Sha256, l[i], i, n, path, root));
      CHECK(verify_merkle_path(HashType::Sha256, l[i], i, n + 1, path, root).error().code != Code::ZeroRoot);
      if (n > 1) {
        CHECK(verify_merkle_path(HashType::Sha256, l[i], (i + 1) % n, n, path, root).error().code ==
              Code::MerkleBranch);
        auto shorter = path;
        shorter.pop_back();
        CHECK(verify_merkle_path(HashType::Sha256, l[i], i, n, shorter, root).error().code == Code::MerkleIndex);
      }
    }
    CHECK(verify_merkle_path(HashType::Sha256, l[0], n, n, merkle_path(HashType::Sha256, l, 0), root).error().code ==
          Code::MerkleIndex);
  }
  // [a,b,c] and [a,b,c,c] share a root; the count (tx_count, hashed into the header) tells them apart.
  auto l = leaves(3);
  auto dup = l;
  dup.push_back(l[2]);
  const Hash32 root = merkle_root(HashType::Sha256, l).value();
  CHECK(merkle_root(HashType::Sha256, dup).value() == root);
  auto p3 = merkle_path(HashType::Sha256, dup, 3);
  CHECK(verify_merkle_path(HashType::Sha256, dup[3], 3, 3, p3, root).error().code == Code::MerkleIndex);
  // The lone node at index 2 of 3 must carry itself as sibling.
  auto p2 = merkle_path(HashType::Sha256, l, 2);
  p2[0] = l[1];
  auto e = verify_merkle_path(HashType::Sha256, l[2], 2, 3, p2, root);
  CHECK(e.error().code == Code::MerkleBranch);
  CHECK(e.error().at == "path[0]");
  CHECK(verify_merkle_path(HashType::Sha256, l[0], 0, 3, merkle_path(HashType::Sha256, l, 0), Hash32{}).error().code ==
        Code::ZeroRoot);
  CHECK(verify_merkle_path(HashType::Sha256, l[0], 0, 0, {}, root).error().code == Code::MerkleIndex);
}

TEST_CASE("chainmaker TBFT quorum floor(2N/3)+1 at the DESIGN.md boundaries: N = 3, 4, 6, 100") {
  CHECK(tbft_quorum(1) == 1);
  CHECK(tbft_quorum(3) == 3);
  CHECK(tbft_quorum(4) == 3);
  CHECK(tbft_quorum(6) == 5);
  CHECK(tbft_quorum(7) == 5);
  CHECK(tbft_quorum(100) == 67);
}

TEST_CASE("chainmaker trust is validated fail-closed: empty, duplicate node ids or orgs, bad certificates") {
  ChainTrust t;
  t.chain_id = "chain1";
  CHECK(Verifier::create(t).error().code == Code::InvalidArgument);  // no orgs
  t.orgs.push_back(OrgTrust{"org1", {}, {}, {}, {}});
  CHECK(Verifier::create(t).error().code == Code::InvalidArgument);  // zero validators
  t.orgs[0].node_ids = {"QmA"};
  CHECK(Verifier::create(t));
  t.orgs.push_back(OrgTrust{"org2", {"QmA"}, {}, {}, {}});
  auto dup = Verifier::create(t);
  CHECK(dup.error().code == Code::InvalidArgument);
  CHECK(dup.error().at == "orgs[1].node_ids[0]");
  t.orgs[1] = OrgTrust{"org1", {"QmB"}, {}, {}, {}};
  CHECK(Verifier::create(t).error().at == "orgs[1].org_id");
  t.orgs[1] = OrgTrust{"org2", {"QmB"}, {Bytes{1, 2, 3}}, {}, {}};
  auto bad = Verifier::create(t);
  CHECK(bad.error().code == Code::CertInvalid);
  CHECK(bad.error().at == "orgs[1].ca_certs[0]");
  t.orgs[1] = OrgTrust{"org2", {"QmB"}, {}, {}, {{"QmC", Bytes{}}}};
  CHECK(Verifier::create(t).error().code == Code::InvalidArgument);
  t.orgs.pop_back();
  t.chain_id.clear();
  CHECK(Verifier::create(t).error().code == Code::InvalidArgument);
}

TEST_CASE("chainmaker decoding: malformed or oversize input is a returned error") {
  CHECK(decode_block(Bytes{0x0a, 0xff}).error().code == Code::ProtobufDecode);
  CHECK(decode_block(Bytes{}).error().code == Code::ProtobufDecode);  // no header
  CHECK(decode_vote_set(Bytes{0x32, 0x05, 0x00}).error().code == Code::ProtobufDecode);
  CHECK(decode_block(Bytes(kMaxBlockBytes + 1, 0)).error().code == Code::TooLarge);
  CHECK(trust_from_chain_config(Bytes{0x2a, 0x02, 0x0a, 0x00}, 5).error().code == Code::Unsupported);  // hash ""
  CHECK(Certificate::parse(Bytes(kMaxCertificateBytes + 1, 0x30)).error().code == Code::TooLarge);
  const std::string two = "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\njunk";
  CHECK(Certificate::parse(Bytes(two.begin(), two.end())).error().code == Code::CertInvalid);
}
