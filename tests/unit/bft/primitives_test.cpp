// light_clients/bft building blocks: crypto suites, RFC 6962 with the suite hash, validator sets, the
// causeway-devnet/v1 header codec (byte layout, canonical decoding, hashes).
#include <catch2/catch.hpp>

#include <string>

#include "causeway/bft/codec.hpp"
#include "causeway/bft/devnet_codec.hpp"
#include "causeway/bft/inclusion.hpp"
#include "causeway/bft/rfc6962_suite.hpp"
#include "causeway/bft/suite.hpp"
#include "causeway/bft/validator_set.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/core/secp256k1.hpp"
#include "causeway/merkle/rfc6962.hpp"
#include "chain.hpp"

using namespace causeway;
using namespace causeway::bft;
using bfttest::committee;
using bfttest::key;

namespace {

Bytes text(const std::string& s) { return Bytes(s.begin(), s.end()); }

Code code_of(const Status& s) { return s.error().code; }

std::vector<Bytes> leaves(std::size_t n) {
  std::vector<Bytes> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(text("leaf-" + std::to_string(i)));
  return out;
}

}  // namespace

// ---- suites ---------------------------------------------------------------------------------------------

TEST_CASE("suite names parse both ways; an unknown suite is refused, never defaulted") {
  CHECK(parse_suite("secp256k1-sha256").value() == Suite::Secp256k1Sha256);
  CHECK(parse_suite("sm2-sm3").value() == Suite::Sm2Sm3);
  CHECK(suite_name(Suite::Secp256k1Sha256) == "secp256k1-sha256");
  CHECK(suite_name(Suite::Sm2Sm3) == "sm2-sm3");
  CHECK(parse_suite("SM2-SM3").error().code == Code::InvalidArgument);
  CHECK(parse_suite("").error().code == Code::InvalidArgument);
  CHECK(public_key_size(Suite::Secp256k1Sha256) == 33);
  CHECK(public_key_size(Suite::Sm2Sm3) == 65);
  CHECK(make_codec("causeway-devnet/v1", "sm2-sm3").value()->suite() == Suite::Sm2Sm3);
  CHECK(make_codec("causeway-devnet/v1", "ed25519").error().code == Code::InvalidArgument);
  CHECK(make_codec("chainmaker/v2", "sm2-sm3").error().code == Code::UnsupportedFamily);
}

TEST_CASE("suite hash is SHA-256 or SM3, and a ‖ b hashes the concatenation") {
  const Bytes abc = text("abc");
  CHECK(to_hex(suite_hash(Suite::Secp256k1Sha256, abc).view()) ==
        "0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(to_hex(suite_hash(Suite::Sm2Sm3, abc).view()) ==
        "0x66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
  for (Suite s : {Suite::Secp256k1Sha256, Suite::Sm2Sm3})
    CHECK(suite_hash(s, text("ab"), text("c")) == suite_hash(s, abc));
}

TEST_CASE("suite signatures: both suites sign and verify; wrong message, key or suite is refused") {
  for (Suite s : {Suite::Secp256k1Sha256, Suite::Sm2Sm3}) {
    INFO(suite_name(s));
    const auto k = key(s, 7);
    const auto other = key(s, 8);
    CHECK(k.pub.size() == public_key_size(s));
    CHECK(check_public_key(s, k.pub).has_value());
    const Bytes msg = text("causeway");
    const Bytes sig = sign(s, k.secret, msg).value();
    CHECK(sig.size() == 64);
    CHECK(verify_signature(s, k.pub, msg, sig).has_value());
    CHECK(code_of(verify_signature(s, k.pub, text("causewaY"), sig)) == Code::SigInvalid);
    CHECK(code_of(verify_signature(s, other.pub, msg, sig)) == Code::SigInvalid);
    CHECK(code_of(verify_signature(s, k.pub, msg, Bytes(sig.begin(), sig.end() - 1))) == Code::BadLength);
    CHECK(code_of(verify_signature(s, k.pub, msg, Bytes(64, 0))) == Code::SigEncoding);
  }
  // A key of the other suite is not a key of this one.
  const auto ks = key(Suite::Sm2Sm3, 1);
  const auto kk = key(Suite::Secp256k1Sha256, 1);
  CHECK(code_of(check_public_key(Suite::Secp256k1Sha256, ks.pub)) == Code::PubkeyInvalid);
  CHECK(code_of(check_public_key(Suite::Sm2Sm3, kk.pub)) == Code::PubkeyInvalid);
}

TEST_CASE("suite keys: only the canonical encoding of a valid point is a key") {
  const auto k = key(Suite::Secp256k1Sha256, 3);
  const auto pk = secp256k1::parse_public_key(k.pub).value();
  const auto unc = secp256k1::serialize_uncompressed(pk);
  // The same secp256k1 point uncompressed is refused: one validator, one key string.
  CHECK(code_of(check_public_key(Suite::Secp256k1Sha256, Bytes(unc.begin(), unc.end()))) == Code::PubkeyInvalid);
  Bytes bad_x = k.pub;
  bad_x[0] = 0x04;
  CHECK(code_of(check_public_key(Suite::Secp256k1Sha256, bad_x)) == Code::PubkeyInvalid);
  Bytes off_curve(33, 0xff);
  off_curve[0] = 0x02;
  CHECK(code_of(check_public_key(Suite::Secp256k1Sha256, off_curve)) == Code::PubkeyInvalid);
  // SM2: 0x04 ‖ x ‖ y with y changed is off the curve; a compressed SM2 point is not canonical.
  const auto s = key(Suite::Sm2Sm3, 3);
  Bytes moved = s.pub;
  moved[64] ^= 1;
  CHECK(code_of(check_public_key(Suite::Sm2Sm3, moved)) == Code::PubkeyInvalid);
  Bytes compressed(s.pub.begin(), s.pub.begin() + 33);
  compressed[0] = static_cast<std::uint8_t>(0x02 | (s.pub[64] & 1));
  CHECK(code_of(check_public_key(Suite::Sm2Sm3, compressed)) == Code::PubkeyInvalid);
  CHECK(code_of(check_public_key(Suite::Sm2Sm3, Bytes(65, 0))) == Code::PubkeyInvalid);
}

// ---- RFC 6962 with the suite hash -----------------------------------------------------------------------

TEST_CASE("rfc6962 suite: with SHA-256 it equals merkle::rfc6962 for every size 0..40") {
  for (std::size_t n = 0; n <= 40; ++n) {
    std::vector<Hash32> lh, mh;
    for (const auto& l : leaves(n)) {
      lh.push_back(rfc6962::leaf_hash(Suite::Secp256k1Sha256, l));
      mh.push_back(merkle::rfc6962::leaf_hash(l));
    }
    CHECK(lh == mh);
    CHECK(rfc6962::root(Suite::Secp256k1Sha256, lh) == merkle::rfc6962::root(mh));
    for (std::size_t i = 0; i < n; ++i)
      CHECK(rfc6962::inclusion_proof(Suite::Secp256k1Sha256, lh, i).value() ==
            merkle::rfc6962::inclusion_proof(mh, i).value());
  }
}

TEST_CASE("rfc6962 suite: SM3 trees differ from SHA-256 trees; every proof of sizes 1..33 verifies, tampering fails") {
  CHECK(rfc6962::empty_root(Suite::Sm2Sm3) == sm3(ByteView{}));
  CHECK(rfc6962::root_of_leaves(Suite::Sm2Sm3, leaves(3)) != rfc6962::root_of_leaves(Suite::Secp256k1Sha256, leaves(3)));
  for (Suite s : {Suite::Secp256k1Sha256, Suite::Sm2Sm3}) {
    for (std::size_t n = 1; n <= 33; ++n) {
      const auto ls = leaves(n);
      std::vector<Hash32> lh;
      for (const auto& l : ls) lh.push_back(rfc6962::leaf_hash(s, l));
      const Hash32 root = rfc6962::root(s, lh);
      for (std::size_t i = 0; i < n; ++i) {
        auto proof = rfc6962::inclusion_proof(s, lh, i).value();
        REQUIRE(rfc6962::verify_inclusion(s, i, n, lh[i].view(), std::span<const Hash32>(proof), root.view()));
        if (n > 1) {
          // Another index, another leaf, a flipped bit: rejected.
          CHECK_FALSE(rfc6962::verify_inclusion(s, (i + 1) % n, n, lh[i].view(), std::span<const Hash32>(proof), root.view()));
          CHECK_FALSE(rfc6962::verify_inclusion(s, i, n, lh[(i + 1) % n].view(), std::span<const Hash32>(proof), root.view()));
          proof[0].b[5] ^= 0x10;
          CHECK(code_of(rfc6962::verify_inclusion(s, i, n, lh[i].view(), std::span<const Hash32>(proof), root.view())) ==
                Code::InclusionProof);
        }
      }
      const std::vector<Hash32> none;
      CHECK(code_of(rfc6962::verify_inclusion(s, n, n, lh[0].view(), std::span<const Hash32>(none), root.view())) ==
            Code::MerkleIndex);
      CHECK(code_of(rfc6962::verify_inclusion(s, 0, n, lh[0].view(), std::span<const Hash32>(none), Hash32{}.view())) ==
            Code::ZeroRoot);
    }
  }
}

TEST_CASE("devnet event leaves are PACKET.md's 0x01/0x02/0x03 prefixes") {
  const Bytes pkt = text("packet");
  CHECK(packet_sent_leaf(pkt) == Bytes{0x01, 'p', 'a', 'c', 'k', 'e', 't'});
  CHECK(ack_written_leaf(pkt).front() == 0x02);
  Hash32 c, a;
  c.b.fill(0xcc);
  a.b.fill(0xaa);
  const Bytes r = packet_received_leaf(c, a);
  REQUIRE(r.size() == 65);
  CHECK(r[0] == 0x03);
  CHECK(r[1] == 0xcc);
  CHECK(r[64] == 0xaa);
}

// ---- validator sets -------------------------------------------------------------------------------------

TEST_CASE("validator set: ordered by key bytes ascending whatever the input order; index = position") {
  for (Suite s : {Suite::Secp256k1Sha256, Suite::Sm2Sm3}) {
    std::vector<Validator> vs;
    for (std::uint32_t i = 0; i < 6; ++i) vs.push_back(Validator{key(s, 100 + i).pub, 10 + i});
    auto set = ValidatorSet::create(s, vs).value();
    std::reverse(vs.begin(), vs.end());
    auto set2 = ValidatorSet::create(s, vs).value();
    CHECK(set == set2);
    CHECK(devnet::validators_hash(set) == devnet::validators_hash(set2));
    CHECK(set.total_power() == 10 + 11 + 12 + 13 + 14 + 15);
    for (std::size_t i = 1; i < set.size(); ++i) CHECK(set.at(i - 1).key < set.at(i).key);
    for (std::size_t i = 0; i < set.size(); ++i) CHECK(set.index_of(set.at(i).key).value() == i);
    CHECK_FALSE(set.index_of(key(s, 99).pub).has_value());
  }
}

TEST_CASE("validator set refusals: duplicates, zero power, overflow, size, bad keys") {
  const Suite s = Suite::Secp256k1Sha256;
  const auto a = key(s, 1), b = key(s, 2);
  CHECK(ValidatorSet::create(s, {{a.pub, 1}, {b.pub, 2}, {a.pub, 3}}).error().code == Code::InvalidArgument);
  CHECK(ValidatorSet::create(s, {}).error().code == Code::InvalidArgument);
  CHECK(ValidatorSet::create(s, {{a.pub, 0}, {b.pub, 0}}).error().code == Code::InvalidArgument);
  CHECK(ValidatorSet::create(s, {{a.pub, 5}, {b.pub, 0}}).error().code == Code::InvalidArgument);
  CHECK(ValidatorSet::create(s, {{a.pub, UINT64_MAX}, {b.pub, 1}}).error().code == Code::Overflow);
  CHECK(ValidatorSet::create(s, {{a.pub, UINT64_MAX - 1}, {b.pub, 1}}).value().total_power() == UINT64_MAX);
  std::vector<Validator> many(kMaxValidators + 1, Validator{a.pub, 1});
  CHECK(ValidatorSet::create(s, many).error().code == Code::TooLarge);
  Bytes x_above_p(33, 0xff);  // x = 2^256 - 1 >= p: no point
  x_above_p[0] = 0x02;
  auto bad = ValidatorSet::create(s, {{a.pub, 1}, {x_above_p, 1}});
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == Code::PubkeyInvalid);
  CHECK(bad.error().at == "validators[1]");
  CHECK(ValidatorSet::create(Suite::Sm2Sm3, {{a.pub, 1}}).error().code == Code::PubkeyInvalid);
}

TEST_CASE("validators_hash binds keys, powers, order-independent content and the suite") {
  const Suite s = Suite::Secp256k1Sha256;
  const auto a = key(s, 1), b = key(s, 2);
  const auto h1 = devnet::validators_hash(ValidatorSet::create(s, {{a.pub, 1}, {b.pub, 2}}).value());
  CHECK(h1 == devnet::validators_hash(ValidatorSet::create(s, {{b.pub, 2}, {a.pub, 1}}).value()));
  CHECK(h1 != devnet::validators_hash(ValidatorSet::create(s, {{a.pub, 2}, {b.pub, 1}}).value()));
  CHECK(h1 != devnet::validators_hash(ValidatorSet::create(s, {{a.pub, 1}}).value()));
  // Independent construction of the documented preimage.
  auto set = ValidatorSet::create(s, {{a.pub, 1}, {b.pub, 2}}).value();
  Bytes pre = text("causeway-devnet/v1/validators");
  pre.push_back(0);
  pre.push_back(16);
  append(pre, text("secp256k1-sha256"));
  pre.insert(pre.end(), {0, 0, 0, 2});
  for (const auto& v : set.validators()) {
    pre.push_back(0);
    pre.push_back(33);
    append(pre, v.key);
    for (int i = 7; i >= 0; --i) pre.push_back(static_cast<std::uint8_t>(v.power >> (8 * i)));
  }
  CHECK(h1 == sha256(pre));
}

// ---- header codec ---------------------------------------------------------------------------------------

namespace {

devnet::Header sample_header() {
  devnet::Header h;
  h.chain_id = "cwdevnet:alpha";
  h.height = 0x0102030405060708ULL;
  h.time_ms = 1'700'000'000'123ULL;
  h.parent_hash.b.fill(0x11);
  h.tx_root.b.fill(0x22);
  h.event_root.b.fill(0x33);
  h.tx_count = 5;
  h.event_count = 7;
  h.state_root.b.fill(0x44);
  h.validators_hash.b.fill(0x55);
  h.next_validators_hash.b.fill(0x66);
  h.proposer = Bytes(33, 0x02);
  return h;
}

}  // namespace

TEST_CASE("devnet header: canonical bytes follow the documented layout exactly; decode inverts encode") {
  const auto h = sample_header();
  Bytes want{0x01, 0x00, 14};
  append(want, text("cwdevnet:alpha"));
  want.insert(want.end(), {1, 2, 3, 4, 5, 6, 7, 8});
  for (int i = 7; i >= 0; --i) want.push_back(static_cast<std::uint8_t>(h.time_ms >> (8 * i)));
  auto fill = [&](std::uint8_t v, std::size_t n) { want.insert(want.end(), n, v); };
  fill(0x11, 32);
  fill(0x22, 32);
  fill(0x33, 32);
  want.insert(want.end(), {0, 0, 0, 0, 0, 0, 0, 5});
  want.insert(want.end(), {0, 0, 0, 0, 0, 0, 0, 7});
  fill(0x44, 32);
  fill(0x55, 32);
  fill(0x66, 32);
  want.push_back(0);
  want.push_back(33);
  fill(0x02, 33);
  const Bytes enc = devnet::encode(h).value();
  CHECK(enc == want);
  CHECK(enc.size() == 1 + 2 + 14 + 16 + 96 + 16 + 96 + 2 + 33);
  CHECK(devnet::decode(enc).value() == h);
  // Pinned hashes: a change of the format changes these (then it is causeway-devnet/v2).
  Bytes pre = text("causeway-devnet/v1/header");
  append(pre, enc);
  CHECK(devnet::header_hash(Suite::Secp256k1Sha256, enc) == sha256(pre));
  CHECK(devnet::header_hash(Suite::Sm2Sm3, enc) == sm3(pre));
  // Known answers (the SHA-256 one recomputed independently with Python's hashlib from the byte table).
  CHECK(to_hex(devnet::header_hash(Suite::Secp256k1Sha256, enc).view()) ==
        "0x96794de6486b63f102577fb75ebda316b1548ee3ffc15fd6e9b5adbb48704b45");
  CHECK(to_hex(devnet::header_hash(Suite::Sm2Sm3, enc).view()) ==
        "0xf8138ceee980767c723ac34ad6e10b10aa68f4652e86ae2f9f67f1ac60bca3ef");
}

TEST_CASE("devnet sign bytes are domain-separated and bind chain id and height") {
  Hash32 hh;
  hh.b.fill(0xab);
  const Bytes sb = devnet::sign_bytes("cwdevnet:alpha", 9, hh);
  Bytes want = text("causeway-devnet/v1/sign");
  want.push_back(0);
  want.push_back(14);
  append(want, text("cwdevnet:alpha"));
  want.insert(want.end(), {0, 0, 0, 0, 0, 0, 0, 9});
  want.insert(want.end(), 32, 0xab);
  CHECK(sb == want);
  CHECK(devnet::sign_bytes("cwdevnet:beta", 9, hh) != sb);
  CHECK(devnet::sign_bytes("cwdevnet:alpha", 10, hh) != sb);
  // DevnetCodec::decode computes hash and sign bytes the same way.
  const Bytes enc = devnet::encode(sample_header()).value();
  const auto info = devnet::DevnetCodec(Suite::Sm2Sm3).decode(enc).value();
  CHECK(info.hash == devnet::header_hash(Suite::Sm2Sm3, enc));
  CHECK(info.sign_bytes == devnet::sign_bytes("cwdevnet:alpha", info.height, info.hash));
  CHECK(info.encoded == enc);
}

TEST_CASE("devnet header: every truncation, trailing byte, other version or oversize input is refused") {
  const Bytes enc = devnet::encode(sample_header()).value();
  for (std::size_t n = 0; n < enc.size(); ++n)
    CHECK(devnet::decode(ByteView(enc.data(), n)).error().code == Code::HeaderEncoding);
  Bytes longer = enc;
  longer.push_back(0);
  CHECK(devnet::decode(longer).error().code == Code::HeaderEncoding);
  Bytes v2 = enc;
  v2[0] = 2;
  CHECK(devnet::decode(v2).error().code == Code::HeaderEncoding);
  CHECK(devnet::decode(Bytes(devnet::kMaxHeaderSize + 1, 1)).error().code == Code::TooLarge);
  auto big = sample_header();
  big.chain_id = std::string(64, 'x');
  big.proposer = Bytes(65, 4);
  const Bytes big_enc = devnet::encode(big).value();
  CHECK(big_enc.size() == devnet::kMaxHeaderSize);
  CHECK(devnet::kMaxHeaderSize == 358);
  CHECK(devnet::decode(big_enc).value() == big);
}

TEST_CASE("devnet header field rules: chain id, time, proposer, and all-zero roots (A01)") {
  auto bad = [](auto edit) {
    auto h = sample_header();
    edit(h);
    return devnet::encode(h).error();
  };
  CHECK(bad([](devnet::Header& h) { h.chain_id = ""; }).at == "chain_id");
  CHECK(bad([](devnet::Header& h) { h.chain_id = std::string(65, 'a'); }).code == Code::HeaderEncoding);
  CHECK(bad([](devnet::Header& h) { h.chain_id = "cw devnet"; }).code == Code::HeaderEncoding);
  CHECK(bad([](devnet::Header& h) { h.time_ms = 0; }).at == "time_ms");
  CHECK(bad([](devnet::Header& h) { h.proposer.clear(); }).at == "proposer");
  CHECK(bad([](devnet::Header& h) { h.proposer = Bytes(66, 4); }).at == "proposer");
  CHECK(bad([](devnet::Header& h) { h.tx_root = Hash32{}; }).code == Code::ZeroRoot);
  CHECK(bad([](devnet::Header& h) { h.event_root = Hash32{}; }).code == Code::ZeroRoot);
  CHECK(bad([](devnet::Header& h) { h.state_root = Hash32{}; }).code == Code::ZeroRoot);
  CHECK(bad([](devnet::Header& h) { h.validators_hash = Hash32{}; }).code == Code::ZeroRoot);
  CHECK(bad([](devnet::Header& h) { h.next_validators_hash = Hash32{}; }).code == Code::ZeroRoot);
  // Genesis: an all-zero parent hash is legitimate.
  auto g = sample_header();
  g.parent_hash = Hash32{};
  CHECK(devnet::encode(g).has_value());
  // The decoder applies the same rules to bytes it did not produce.
  Bytes enc = devnet::encode(sample_header()).value();
  std::fill(enc.begin() + 3 + 14 + 16 + 32, enc.begin() + 3 + 14 + 16 + 64, std::uint8_t{0});  // tx_root
  CHECK(devnet::decode(enc).error().code == Code::ZeroRoot);
}
