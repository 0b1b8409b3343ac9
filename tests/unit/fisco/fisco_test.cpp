// light_clients/fisco unit tests: quorum boundaries (v2 N − ⌊(N−1)/3⌋ with N = 1, 4, 7; v3 weighted, totals 3, 6,
// 100), distinct-index counting, sealer-set changes needing a quorum of the trusted set (A15), signature rules
// (A17: high-S twin counted once, v bound by recovery), check order of the client, v3 binary Merkle proofs built
// here from Merkle.h's definition, and every ERR_UNSUPPORTED path. Keys and blocks come from fisco_keys.hpp.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "causeway/core/hash.hpp"
#include "causeway/fisco/client.hpp"
#include "causeway/fisco/proof.hpp"
#include "causeway/fisco/signatures.hpp"
#include "fisco_keys.hpp"

using namespace causeway;
using namespace causeway::fisco;
using namespace causeway::fisco::test;

namespace {

constexpr std::uint64_t kNowMs = 1'700'000'000'000;
const Hash32 kAnchorHash = filled(0xa7);

LightClient client_of(Version v, HashAlgorithm a, const SealerSet& set, std::uint64_t anchor = 7,
                      Consensus consensus = Consensus::Pbft) {
  ClientConfig c;
  c.version = v;
  c.hash_algorithm = a;
  c.consensus = consensus;
  return LightClient::create(c, anchor, kAnchorHash, set).value();
}

std::vector<std::uint64_t> first(std::size_t n) {
  std::vector<std::uint64_t> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(i);
  return out;
}

template <class R>
std::string code_of(const R& r) {
  return r ? std::string("OK") : std::string(code_name(r.error().code));
}

}  // namespace

TEST_CASE("quorum_weight is total - floor((total-1)/3)") {
  CHECK(quorum_weight(0) == 0);
  CHECK(quorum_weight(1) == 1);
  CHECK(quorum_weight(3) == 3);
  CHECK(quorum_weight(4) == 3);
  CHECK(quorum_weight(6) == 5);
  CHECK(quorum_weight(7) == 5);
  CHECK(quorum_weight(100) == 67);
}

TEST_CASE("v2 quorum boundaries N = 1, 4, 7: N - floor((N-1)/3) distinct sealers") {
  for (auto [n, q] : {std::pair<std::size_t, std::size_t>{1, 1}, {4, 3}, {7, 5}}) {
    const auto keys = make_keys(HashAlgorithm::Keccak256, n);
    const auto set = set_of(Version::V2, HashAlgorithm::Keccak256, keys);
    CHECK(set.quorum() == q);
    {
      auto c = client_of(Version::V2, HashAlgorithm::Keccak256, set);
      auto r = c.update(v2_block(HashAlgorithm::Keccak256, 8, kAnchorHash, keys, first(q)), kNowMs);
      REQUIRE(r);
      CHECK(r->tally.signed_weight == q);
      CHECK(r->verification == Verification::Sequential);
      CHECK(c.latest().number == 8);
    }
    {
      auto c = client_of(Version::V2, HashAlgorithm::Keccak256, set);
      auto r = c.update(v2_block(HashAlgorithm::Keccak256, 8, kAnchorHash, keys, first(q - 1)), kNowMs);
      REQUIRE_FALSE(r);
      CHECK(r.error().code == Code::InsufficientQuorum);
      CHECK(r.error().at == "signatures");
      CHECK(c.latest().number == 7);  // unchanged
    }
  }
}

TEST_CASE("v3 weighted quorum: total - floor((total-1)/3) of the weights, totals 3, 6 and 100") {
  struct Case {
    std::vector<std::uint64_t> weights;
    std::vector<std::uint64_t> signers;
    bool accept;
  };
  const std::vector<Case> cases = {
      {{1, 1, 1}, {0, 1, 2}, true},             // total 3, quorum 3
      {{1, 1, 1}, {0, 1}, false},
      {{3, 1, 1, 1}, {0, 1, 2}, true},          // total 6, quorum 5: 5
      {{3, 1, 1, 1}, {0, 1}, false},            // 4
      {{3, 1, 1, 1}, {1, 2, 3}, false},         // 3
      {{40, 30, 20, 10}, {0, 1}, true},         // total 100, quorum 67: 70
      {{40, 27, 23, 10}, {0, 1}, true},         // 67 exactly
      {{40, 26, 24, 10}, {0, 1}, false},        // 66
      {{40, 26, 24, 10}, {1, 2, 3}, false},     // 60
  };
  for (const auto& c : cases) {
    for (auto a : {HashAlgorithm::Keccak256, HashAlgorithm::Sm3}) {
      const auto keys = make_keys(a, c.weights.size());
      auto client = client_of(Version::V3, a, set_of(Version::V3, a, keys, c.weights));
      auto r = client.update(v3_block(a, 8, kAnchorHash, keys, c.weights, c.signers), kNowMs);
      CHECK(code_of(r) == (c.accept ? "OK" : "ERR_INSUFFICIENT_QUORUM"));
    }
  }
}

TEST_CASE("a repeated sealer index is counted once; short of quorum it is ERR_DUPLICATE_SEAL") {
  const auto a = HashAlgorithm::Keccak256;
  const auto keys = make_keys(a, 4);
  const auto set = set_of(Version::V2, a, keys);
  {  // 0, 1, 2 and 0 again: 3 distinct of quorum 3 — accepted, the repeat counted once
    auto c = client_of(Version::V2, a, set);
    auto r = c.update(v2_block(a, 8, kAnchorHash, keys, {0, 1, 2, 0}), kNowMs);
    REQUIRE(r);
    CHECK(r->tally.signed_weight == 3);
    CHECK(r->tally.signers == std::vector<std::uint64_t>{0, 1, 2});
    CHECK(r->tally.repeated_index);
  }
  {  // 0, 0, 1: three entries (upstream would accept), two sealers
    auto c = client_of(Version::V2, a, set);
    auto r = c.update(v2_block(a, 8, kAnchorHash, keys, {0, 0, 1}), kNowMs);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Code::DuplicateSeal);
  }
  {  // v3 weights: index 0 (weight 3) four times is weight 3, not 12
    const auto keys3 = make_keys(a, 4);
    const std::vector<std::uint64_t> w = {3, 1, 1, 1};
    auto c = client_of(Version::V3, a, set_of(Version::V3, a, keys3, w));
    auto r = c.update(v3_block(a, 8, kAnchorHash, keys3, w, {0, 0, 0, 0}), kNowMs);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Code::DuplicateSeal);
  }
}

TEST_CASE("A17 a high-S twin verifies (recovery) and its sealer is counted once; v outside {0,1} is refused") {
  const auto a = HashAlgorithm::Keccak256;
  const auto keys = make_keys(a, 4);
  auto block = v2_block(a, 8, kAnchorHash, keys, {0, 1});
  // The twin (r, n − s) with the recovery id flipped recovers the same key.
  auto twin = block.signatures[0].signature;
  auto parsed = secp256k1::parse_compact(ByteView(twin.data(), 64)).value();
  const auto low = secp256k1::normalize_s(parsed);
  REQUIRE(low == parsed);
  static const std::uint8_t n[32] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                     0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48,
                                     0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
  int borrow = 0;
  for (int i = 31; i >= 0; --i) {
    const int d = n[i] - twin[static_cast<std::size_t>(32 + i)] - borrow;
    twin[static_cast<std::size_t>(32 + i)] = static_cast<std::uint8_t>(d < 0 ? d + 256 : d);
    borrow = d < 0 ? 1 : 0;
  }
  twin[64] ^= 1;
  block.signatures.push_back(SealerSignature{0, twin});
  const auto set = set_of(Version::V2, a, keys);
  auto tally = verify_signature_list(set, block.hash, block.signatures);
  REQUIRE(tally);
  CHECK(tally->signed_weight == 2);
  CHECK(tally->repeated_index);
  CHECK(check_quorum(*tally).error().code == Code::DuplicateSeal);

  auto bad_v = block.signatures[0].signature;
  bad_v[64] = 27;
  CHECK(verify_sealer_signature(Version::V2, a, keys[0].id, block.hash, bad_v).error().code == Code::SigEncoding);
  auto flipped_v = block.signatures[0].signature;
  flipped_v[64] ^= 1;  // recovers another key: v is bound
  CHECK(verify_sealer_signature(Version::V2, a, keys[0].id, block.hash, flipped_v).error().code == Code::SigInvalid);
  CHECK(verify_sealer_signature(Version::V2, a, keys[0].id, block.hash, ByteView(bad_v.data(), 64)).error().code ==
        Code::BadLength);
}

TEST_CASE("A15 a sealer-set change needs a quorum of the trusted set") {
  for (auto a : {HashAlgorithm::Keccak256, HashAlgorithm::Sm3}) {
    const auto keys = make_keys(a, 8);  // A..H
    const std::vector<Key> abcd(keys.begin(), keys.begin() + 4);
    const std::vector<Key> abce = {keys[0], keys[1], keys[2], keys[4]};
    const std::vector<Key> abef = {keys[0], keys[1], keys[4], keys[5]};
    const std::vector<Key> efgh(keys.begin() + 4, keys.end());
    const std::vector<Key> bacd = {keys[1], keys[0], keys[2], keys[3]};
    const std::vector<std::uint64_t> w1 = {1, 1, 1, 1};
    const auto trusted = set_of(Version::V3, a, abcd, w1);
    {  // A, B, C signed {A,B,C,E}: 3 of the trusted 4 → accepted, and E is trusted from now on
      auto c = client_of(Version::V3, a, trusted);
      auto r = c.update(v3_block(a, 8, kAnchorHash, abce, w1, {0, 1, 2}), kNowMs);
      REQUIRE(r);
      CHECK(r->sealer_set_changed);
      CHECK(r->trusted_signed_weight == 3);
      CHECK(c.trusted_sealers() == set_of(Version::V3, a, abce, w1));
      // the next block is signed by B, C, E (E now trusted)
      auto r2 = c.update(v3_block(a, 9, c.latest().hash, abce, w1, {1, 2, 3}), kNowMs);
      REQUIRE(r2);
      CHECK_FALSE(r2->sealer_set_changed);
    }
    {  // all of {A,B,E,F} signed: its own quorum, but only A and B of the trusted set
      auto c = client_of(Version::V3, a, trusted);
      auto r = c.update(v3_block(a, 8, kAnchorHash, abef, w1, {0, 1, 2, 3}), kNowMs);
      REQUIRE_FALSE(r);
      CHECK(r.error().code == Code::InsufficientQuorum);
      CHECK(r.error().at == "sealerList");
      CHECK(c.trusted_sealers() == trusted);
    }
    {  // an entirely new set signing itself
      auto c = client_of(Version::V3, a, trusted);
      auto r = c.update(v3_block(a, 8, kAnchorHash, efgh, w1, {0, 1, 2, 3}), kNowMs);
      REQUIRE_FALSE(r);
      CHECK(r.error().code == Code::InsufficientQuorum);
    }
    {  // a reordering is a change too (indices move); signed by the trusted members it is accepted
      auto c = client_of(Version::V3, a, trusted);
      auto r = c.update(v3_block(a, 8, kAnchorHash, bacd, w1, {0, 1, 2}), kNowMs);
      REQUIRE(r);
      CHECK(r->sealer_set_changed);
    }
    {  // a weight change: {A:1,B:1,C:1,D:1} → {A:10,...}; signed by A alone it meets its own quorum (10 of 13
       // needs 13-4 = 9) but not the trusted one
      const std::vector<std::uint64_t> heavy = {10, 1, 1, 1};
      auto c = client_of(Version::V3, a, trusted);
      auto r = c.update(v3_block(a, 8, kAnchorHash, abcd, heavy, {0}), kNowMs);
      REQUIRE_FALSE(r);
      CHECK(r.error().code == Code::InsufficientQuorum);
      CHECK(r.error().at == "sealerList");
    }
  }
  {  // v2: same rule with weights 1
    const auto a = HashAlgorithm::Keccak256;
    const auto keys = make_keys(a, 5);
    const std::vector<Key> abcd(keys.begin(), keys.begin() + 4);
    const std::vector<Key> abce = {keys[0], keys[1], keys[2], keys[4]};
    const std::vector<Key> aebd = {keys[0], keys[4], keys[1], keys[3]};
    auto c = client_of(Version::V2, a, set_of(Version::V2, a, abcd));
    REQUIRE(c.update(v2_block(a, 8, kAnchorHash, abce, {0, 1, 2}), kNowMs));
    CHECK(c.trusted_sealers() == set_of(Version::V2, a, abce));
    auto c2 = client_of(Version::V2, a, set_of(Version::V2, a, abcd));
    // {A, E, B, D} signed by E, B, A: its own quorum (3 of 4), but only A and B of the trusted set (2 < 3)
    auto r = c2.update(v2_block(a, 8, kAnchorHash, aebd, {1, 2, 0}), kNowMs);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Code::InsufficientQuorum);
  }
}

TEST_CASE("client check order: hash, conflicts, time, link, proposer, index, signature") {
  const auto a = HashAlgorithm::Keccak256;
  const auto keys = make_keys(a, 4);
  const auto set = set_of(Version::V2, a, keys);
  auto c = client_of(Version::V2, a, set);
  auto good = v2_block(a, 8, kAnchorHash, keys, {0, 1, 2});

  auto b = good;
  b.header.state_root.b[0] ^= 1;
  CHECK(code_of(c.update(b, kNowMs)) == "ERR_HEADER_HASH_MISMATCH");
  b = good;
  b.header.logs_bloom.pop_back();
  CHECK(code_of(c.update(b, kNowMs)) == "ERR_HEADER_ENCODING");
  b = good;
  b.header.gas_used = {0x00, 0x01};
  CHECK(code_of(c.update(b, kNowMs)) == "ERR_HEADER_ENCODING");
  // time: now + 10 s exactly is accepted, one ms more is not
  CHECK(code_of(c.update(v2_block(a, 8, kAnchorHash, keys, {0, 1, 2}, kNowMs + 10'001), kNowMs)) ==
        "ERR_TIME_TOO_NEW");
  CHECK(code_of(client_of(Version::V2, a, set).update(v2_block(a, 8, kAnchorHash, keys, {0, 1, 2}, kNowMs + 10'000),
                                                       kNowMs)) == "OK");
  CHECK(code_of(c.update(v2_block(a, 8, filled(0x01), keys, {0, 1, 2}), kNowMs)) == "ERR_PREV_HASH_MISMATCH");
  // checkpoint: a later block needs no link
  {
    auto cc = client_of(Version::V2, a, set);
    auto r = cc.update(v2_block(a, 20, filled(0x01), keys, {0, 1, 2}), kNowMs);
    REQUIRE(r);
    CHECK(r->verification == Verification::Checkpoint);
  }
  b = good;
  b.header.sealer = 4;
  b.hash = header_hash_v2(b.header, a).value();
  b.signatures.clear();
  for (std::uint64_t i : {0u, 1u, 2u}) b.signatures.push_back(SealerSignature{i, sign(a, keys[i], b.hash)});
  CHECK(code_of(c.update(b, kNowMs)) == "ERR_NOT_VALIDATOR");
  b = good;
  b.signatures[1].index = 4;
  {
    auto r = c.update(b, kNowMs);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Code::NotValidator);
    CHECK(r.error().at == "signatures[1]");
  }
  b = good;
  b.signatures[2].signature[5] ^= 1;
  {
    auto r = c.update(b, kNowMs);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Code::SigInvalid);
    CHECK(r.error().at == "signatures[2]");
  }
  b = good;
  b.signatures[2].index = 3;  // sealer 2's signature under sealer 3's index
  CHECK(code_of(c.update(b, kNowMs)) == "ERR_SIG_INVALID");
  CHECK(c.latest().number == 7);

  REQUIRE(c.update(good, kNowMs));
  CHECK(c.update(good, kNowMs)->kind == UpdateKind::AlreadyKnown);
  CHECK(code_of(c.update(v2_block(a, 8, kAnchorHash, keys, {1, 2, 3}, 1'650'000'000'001), kNowMs)) ==
        "ERR_CONFLICTS_FINALIZED");
  CHECK(code_of(c.update(v2_block(a, 5, kAnchorHash, keys, {1, 2, 3}), kNowMs)) == "ERR_CONFLICTS_FINALIZED");
  // a v3 block to a v2 client
  CHECK(code_of(c.update(BlockV3{}, kNowMs)) == "ERR_INVALID_ARGUMENT");
  // too many entries: more than 2 x |set|
  b = v2_block(a, 9, good.hash, keys, {0, 1, 2, 3, 0, 1, 2, 3, 0});
  CHECK(code_of(c.update(b, kNowMs)) == "ERR_TOO_LARGE");
}

TEST_CASE("v3 header rules: parentInfo, weights, version") {
  const auto a = HashAlgorithm::Sm3;
  const auto keys = make_keys(a, 4);
  const std::vector<std::uint64_t> w = {1, 1, 1, 1};
  auto c = client_of(Version::V3, a, set_of(Version::V3, a, keys, w));
  auto b = v3_block(a, 8, kAnchorHash, keys, w, {0, 1, 2});
  auto two_parents = b;
  two_parents.header.parents.push_back(ParentInfo{6, filled(3)});
  two_parents.hash = header_hash_v3(two_parents.header, a).value();
  CHECK(code_of(c.update(two_parents, kNowMs)) == "ERR_PREV_HASH_MISMATCH");
  auto wrong_weights = b;
  wrong_weights.header.consensus_weights.pop_back();
  wrong_weights.hash = header_hash_v3(wrong_weights.header, a).value();
  CHECK(code_of(c.update(wrong_weights, kNowMs)) == "ERR_VALIDATOR_SET_MISMATCH");
  auto zero_weight = b;
  zero_weight.header.consensus_weights[3] = 0;
  zero_weight.hash = header_hash_v3(zero_weight.header, a).value();
  {
    auto r = c.update(zero_weight, kNowMs);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Code::InvalidArgument);
    CHECK(r.error().at == "sealerList[3]");
  }
  auto rc = b;
  rc.header.version = 0x02ffffff;
  CHECK(code_of(c.update(rc, kNowMs)) == "ERR_UNSUPPORTED");
  auto gas = b;
  gas.header.gas_used = "024363";
  CHECK(code_of(c.update(gas, kNowMs)) == "ERR_HEADER_ENCODING");
  CHECK(code_of(c.update(b, kNowMs)) == "OK");
}

TEST_CASE("sealer sets refuse what cannot be a quorum basis") {
  const auto a = HashAlgorithm::Keccak256;
  const auto keys = make_keys(a, 2);
  CHECK(code_of(SealerSet::create(Version::V2, a, {})) == "ERR_INVALID_ARGUMENT");
  CHECK(code_of(SealerSet::create(Version::V2, a, {Sealer{keys[0].id, 2}})) == "ERR_INVALID_ARGUMENT");
  CHECK(code_of(SealerSet::create(Version::V3, a, {Sealer{keys[0].id, 0}})) == "ERR_INVALID_ARGUMENT");
  CHECK(code_of(SealerSet::create(Version::V3, a, {Sealer{keys[0].id, 1}, Sealer{keys[0].id, 1}})) ==
        "ERR_INVALID_ARGUMENT");
  CHECK(code_of(SealerSet::create(Version::V3, a,
                                  {Sealer{keys[0].id, static_cast<std::uint64_t>(INT64_MAX)}, Sealer{keys[1].id, 1}})) ==
        "ERR_OVERFLOW");
  NodeId bad{};
  bad[0] = 1;
  CHECK(code_of(SealerSet::create(Version::V2, a, {Sealer{bad, 1}})) == "ERR_PUBKEY_INVALID");
  // an SM2 key is not a secp256k1 node id (and the reverse) in general; a secp256k1 key on an SM3 chain is refused
  const auto sm = make_key(HashAlgorithm::Sm3, 1);
  CHECK(code_of(SealerSet::create(Version::V3, HashAlgorithm::Sm3, {Sealer{keys[0].id, 1}})) == "ERR_PUBKEY_INVALID");
  CHECK(code_of(SealerSet::create(Version::V3, HashAlgorithm::Sm3, {Sealer{sm.id, 1}})) == "OK");
  // the set hash binds order and weights
  const auto s1 = set_of(Version::V3, a, keys, {1, 1});
  CHECK(s1.hash() != set_of(Version::V3, a, {keys[1], keys[0]}, {1, 1}).hash());
  CHECK(s1.hash() != set_of(Version::V3, a, keys, {1, 2}).hash());
  CHECK(LightClient::create(ClientConfig{}, 7, Hash32{}, set_of(Version::V2, a, keys)).error().code == Code::ZeroRoot);
}

TEST_CASE("ERR_UNSUPPORTED: v2 SM2 signatures, rPBFT, multi-leaf 16-ary proofs, v3 receipts with logs or v1") {
  {  // v2 guomi: the header hash is computed, the signature layout is not known
    const auto keys = make_keys(HashAlgorithm::Sm3, 4);
    auto c = client_of(Version::V2, HashAlgorithm::Sm3, set_of(Version::V2, HashAlgorithm::Sm3, keys));
    auto b = v2_block(HashAlgorithm::Sm3, 8, kAnchorHash, keys, {0, 1, 2});
    auto r = c.update(b, kNowMs);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Code::Unsupported);
    CHECK(r.error().at == "signatures[0]");
  }
  {
    const auto keys = make_keys(HashAlgorithm::Keccak256, 4);
    ClientConfig cfg;
    cfg.consensus = Consensus::Rpbft;
    CHECK(LightClient::create(cfg, 7, kAnchorHash, set_of(Version::V2, HashAlgorithm::Keccak256, keys))
              .error()
              .code == Code::Unsupported);
  }
  {
    const Hash32 tx = filled(0x33);
    const Hash32 root = keccak256(tx_leaf_v2(0, tx));
    const std::vector<ProofUnitV2> one = {ProofUnitV2{}};
    CHECK(code_of(verify_tx_v2(HashAlgorithm::Keccak256, 0, tx, one, root)) == "OK");
    CHECK(code_of(verify_tx_v2(HashAlgorithm::Keccak256, 1, tx, one, root)) == "ERR_MERKLE_INDEX");
    CHECK(code_of(verify_tx_v2(HashAlgorithm::Keccak256, 0, filled(0x34), one, root)) == "ERR_MERKLE_BRANCH");
    CHECK(code_of(verify_tx_v2(HashAlgorithm::Keccak256, 0, tx, one, Hash32{})) == "ERR_ZERO_ROOT");
    const std::vector<ProofUnitV2> sided = {ProofUnitV2{{Bytes(32, 1)}, {}}};
    CHECK(code_of(verify_tx_v2(HashAlgorithm::Keccak256, 1, tx, sided, root)) == "ERR_UNSUPPORTED");
    const std::vector<ProofUnitV2> two = {ProofUnitV2{}, ProofUnitV2{}};
    CHECK(code_of(verify_tx_v2(HashAlgorithm::Keccak256, 0, tx, two, root)) == "ERR_UNSUPPORTED");
    CHECK(code_of(verify_tx_v2(HashAlgorithm::Keccak256, 0, tx, {}, root)) == "ERR_UNSUPPORTED");
  }
  {
    ReceiptV3 r;
    r.gas_used = "1";
    r.block_number = 2;
    CHECK(code_of(receipt_hash_v3(HashAlgorithm::Sm3, r)) == "OK");
    auto logs = r;
    logs.log_count = 1;
    CHECK(code_of(receipt_hash_v3(HashAlgorithm::Sm3, logs)) == "ERR_UNSUPPORTED");
    auto v1 = r;
    v1.version = 1;
    CHECK(code_of(receipt_hash_v3(HashAlgorithm::Sm3, v1)) == "ERR_UNSUPPORTED");
    auto addr = r;
    addr.contract_address = "82A3c3289a9F234A38AcEED3016D1fF0E0F922B3";
    CHECK(code_of(receipt_hash_v3(HashAlgorithm::Sm3, addr)) == "ERR_RECEIPT_ENCODING");
  }
}

namespace {

// Merkle.h (width 2) from its definition: levels of H(concat(≤ 2 children)); the proof lists, per level below the
// root, a 4-byte count and the group containing the current node.
Bytes count_entry(std::uint32_t n) {
  return Bytes{static_cast<std::uint8_t>(n >> 24), static_cast<std::uint8_t>(n >> 16), static_cast<std::uint8_t>(n >> 8),
               static_cast<std::uint8_t>(n)};
}

std::pair<Hash32, std::vector<Bytes>> v3_tree(const std::vector<Hash32>& leaves, std::size_t index) {
  if (leaves.size() == 1) return {leaves[0], {Bytes(leaves[0].b.begin(), leaves[0].b.end())}};
  std::vector<Bytes> proof;
  std::vector<Hash32> level = leaves;
  while (level.size() > 1) {
    const std::size_t start = index - index % 2;
    const std::size_t count = std::min<std::size_t>(2, level.size() - start);
    proof.push_back(count_entry(static_cast<std::uint32_t>(count)));
    for (std::size_t k = start; k < start + count; ++k) proof.emplace_back(level[k].b.begin(), level[k].b.end());
    std::vector<Hash32> up;
    for (std::size_t i = 0; i < level.size(); i += 2) {
      Bytes cat(level[i].b.begin(), level[i].b.end());
      if (i + 1 < level.size()) append(cat, level[i + 1].view());
      up.push_back(sm3(cat));
    }
    level = up;
    index /= 2;
  }
  return {level[0], proof};
}

}  // namespace

TEST_CASE("v3 binary Merkle proofs (level-by-level format) for trees of 1..9 leaves") {
  for (std::size_t n = 1; n <= 9; ++n) {
    std::vector<Hash32> leaves;
    for (std::size_t i = 0; i < n; ++i) leaves.push_back(filled(static_cast<std::uint8_t>(0x10 + i)));
    for (std::size_t i = 0; i < n; ++i) {
      auto [root, proof] = v3_tree(leaves, i);
      CHECK(code_of(verify_merkle_v3(HashAlgorithm::Sm3, leaves[i], proof, root)) == "OK");
      CHECK(code_of(verify_merkle_v3(HashAlgorithm::Sm3, filled(0xee), proof, root)) == "ERR_MERKLE_BRANCH");
      CHECK(code_of(verify_merkle_v3(HashAlgorithm::Keccak256, leaves[i], proof, root)) ==
            (n == 1 ? "OK" : "ERR_MERKLE_BRANCH"));
      CHECK(code_of(verify_merkle_v3(HashAlgorithm::Sm3, leaves[i], proof, Hash32{})) == "ERR_ZERO_ROOT");
      if (n > 1) {
        auto wide = proof;  // a 32-byte count entry with a zero tail is the same
        wide[0].resize(32, 0);
        CHECK(code_of(verify_merkle_v3(HashAlgorithm::Sm3, leaves[i], wide, root)) == "OK");
        wide[0][31] = 1;
        CHECK(code_of(verify_merkle_v3(HashAlgorithm::Sm3, leaves[i], wide, root)) == "ERR_MERKLE_BRANCH");
        auto truncated = proof;
        truncated.pop_back();
        CHECK(code_of(verify_merkle_v3(HashAlgorithm::Sm3, leaves[i], truncated, root)) == "ERR_MERKLE_BRANCH");
        auto three = proof;  // a group of 3 is not a binary tree
        three[0] = count_entry(3);
        three.insert(three.begin() + 1, Bytes(32, 0x77));
        CHECK(code_of(verify_merkle_v3(HashAlgorithm::Sm3, leaves[i], three, root)) == "ERR_MERKLE_BRANCH");
      }
    }
  }
  CHECK(code_of(verify_merkle_v3(HashAlgorithm::Sm3, filled(1), {}, filled(1))) == "ERR_MERKLE_BRANCH");
  const std::vector<Bytes> other = {Bytes(32, 2)};
  CHECK(code_of(verify_merkle_v3(HashAlgorithm::Sm3, filled(1), other, filled(1))) == "ERR_MERKLE_BRANCH");
}
