// Besu IBFT 2.0 / QBFT against EVERY file of ../shared/vectors/besu, each with the verdict SOURCES.md ("besu/")
// states: 6 real blocks (block hash and/or committed-seal hash values, seals recover to the listed validators,
// accept; each of the 6 derived negative cases rejected with its exact error code), the IBFT 2.0 and QBFT codec
// vectors (round-trips, derived forms, 7 + 4 decode_cases), the DERIVED hashing vector (hashing and recovery
// only), GoQuorum's vectors (empty-vanity QBFT extra decodes but is rejected as a header; the legacy istanbul
// hash), and the two besu-qbft-elc extraData examples. Case counts are asserted.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/core/rlp.hpp"
#include "causeway/core/secp256k1.hpp"
#include "causeway/ethereum/besu_bft.hpp"
#include "causeway/ethereum/client.hpp"
#include "causeway/ethereum/consensus.hpp"
#include "header_json.hpp"
#include "vectors.hpp"

using namespace causeway;
using namespace causeway::ethereum;
using causeway::ethereum::test::header_from_json;
using causeway::ethereum::test::hex_bytes;
using causeway::ethereum::test::hex_fixed;
using causeway::ethereum::test::hex_hash;
using nlohmann::json;
using bft::Variant;

namespace {

const std::vector<std::string> kRealBlocks = {
    "besu/imduchuyyy_imduchuyyy.github.io/ibft2_block_2074747.json",
    "besu/hyperledger_firefly-evmconnect/qbft_london_block_58866.json",
    "besu/datachainlab_besu-qbft-elc/qbft_block_7528_round1.json",
    "besu/foundry-rs_foundry/ibft2_block_5618555.json",
    "besu/hyperledger-labs_signare/ibft2_block_178_single_validator.json",
    "besu/unattributed/ibft2_block_4880_quorum-dev-quickstart.json",
};
const char* kIbft2Codec = "besu/hyperledger_besu/ibft2_extradata_codec.json";
const char* kQbftCodec = "besu/hyperledger_besu/qbft_extradata_codec.json";
const char* kDerived = "besu/hyperledger_besu/ibft2_bft_block_hashing_test_DERIVED.json";
const char* kQuorum = "besu/consensys_quorum/qbft_extra_and_istanbul_header_hash.json";
const char* kElcExamples = "besu/datachainlab_besu-qbft-elc/qbft_extradata_examples.json";

Variant variant_of(const json& j) {
  const std::string c = j.at("consensus").get<std::string>();
  if (c == "ibft2") return Variant::Ibft2;
  if (c == "qbft") return Variant::Qbft;
  throw std::runtime_error("unknown consensus " + c);
}

Address addr(const json& j) { return hex_fixed<20>(j.get<std::string>()); }

std::vector<Address> addrs(const json& arr) {
  std::vector<Address> out;
  for (const auto& a : arr) out.push_back(addr(a));
  return out;
}

std::string hex(ByteView b) { return to_hex(b); }

// Compares a decoded extraData with the vector's "expected_decoded"/"extra_decoded"/"decoded" object.
void check_decoded(Variant v, const bft::ExtraData& e, const json& want) {
  if (want.contains("vanity")) CHECK(hex(e.vanity) == want.at("vanity").get<std::string>());
  if (want.contains("validators")) CHECK(e.validators == addrs(want.at("validators")));
  if (want.contains("round")) CHECK(e.round == want.at("round").get<std::uint32_t>());
  if (want.contains("round_rlp")) {
    bft::ExtraData probe;
    probe.round = e.round;
    const Bytes enc = bft::encode_extra_for_committed_seal(v, probe);
    CHECK(hex(enc).find(want.at("round_rlp").get<std::string>().substr(2)) != std::string::npos);
  }
  for (const char* key : {"committed_seals", "seals"}) {
    if (!want.contains(key)) continue;
    std::vector<std::string> seals;
    for (const auto& s : e.seals) seals.push_back(hex(s));
    std::vector<std::string> expect;
    for (const auto& s : want.at(key)) expect.push_back(s.get<std::string>());
    CHECK(seals == expect);
  }
  if (want.contains("vote")) {
    const json& w = want.at("vote");
    if (w.is_null() || w.is_string()) {  // null, or "none (0xc0)"
      CHECK_FALSE(e.vote.has_value());
    } else {
      REQUIRE(e.vote.has_value());
      CHECK(e.vote->recipient == addr(w.at("recipient")));
      CHECK((e.vote->type == bft::VoteType::Add ? "ADD" : "DROP") == w.at("type").get<std::string>());
    }
  }
  if (want.contains("vote_rlp")) {
    bft::ExtraData probe;
    probe.vote = e.vote;
    const Bytes enc = bft::encode_extra_for_block_hash(v, probe);
    CHECK(hex(enc).find(want.at("vote_rlp").get<std::string>().substr(2)) != std::string::npos);
  }
}

// The error code a derived negative case must give (SOURCES.md "derived_negative_cases"). A seal that recovers to
// nothing (null in the vector) fails recovery: ERR_SIG_INVALID.
Code expected_code(const json& c) {
  const std::string name = c.at("name").get<std::string>();
  if (name == "seal0_v_plus_27") return Code::SigEncoding;
  if (name == "duplicate_seal") return Code::DuplicateSeal;
  if (name == "below_quorum") return Code::InsufficientQuorum;
  for (const auto& r : c.at("recovered_committers"))
    if (r.is_null()) return Code::SigInvalid;
  if (name == "seal0_bitflip" || name == "round_incremented" || name == "timestamp_plus_one") return Code::NotValidator;
  throw std::runtime_error("unknown negative case " + name);
}

}  // namespace

TEST_CASE("besu vectors: the folder holds exactly the 11 files SOURCES.md lists, each checked below") {
  std::set<std::string> found;
  for (const auto& e : std::filesystem::recursive_directory_iterator(causeway::testing::vectors_dir() / "besu"))
    if (e.is_regular_file())
      found.insert("besu/" + std::filesystem::relative(e.path(), causeway::testing::vectors_dir() / "besu").string());
  std::set<std::string> want(kRealBlocks.begin(), kRealBlocks.end());
  for (const char* f : {kIbft2Codec, kQbftCodec, kDerived, kQuorum, kElcExamples}) want.insert(f);
  CHECK(want.size() == 11);
  CHECK(found == want);
}

TEST_CASE("besu real blocks: hashes, seals recover to listed validators, accept; 6 negative cases each rejected") {
  std::size_t blocks = 0, negatives = 0;
  std::map<std::string, std::size_t> by_case;
  for (const std::string& file : kRealBlocks) {
    INFO(file);
    const json j = causeway::testing::read_vector_json(file);
    const Variant v = variant_of(j);
    const json& ex = j.at("expected");
    const Bytes rlp = hex_bytes(ex.at("header_rlp"));
    const Header h = decode_header(rlp).value();
    CHECK(encode_header(h).value() == rlp);
    const rlp::Item top = rlp::decode(rlp, 2).value();
    CHECK(top.items.size() == ex.at("header_field_count").get<std::size_t>());

    // Source forms agree with the header RLP.
    for (const char* key : {"header_rlp_from_source", "header_rlp_sealed"})
      if (j.contains(key)) CHECK(hex_bytes(j.at(key)) == rlp);
    if (j.contains("block_rlp")) {
      const Bytes block = hex_bytes(j.at("block_rlp"));
      const rlp::Item b = rlp::decode(block, 8).value();
      REQUIRE(b.items.size() == 3);
      CHECK(Bytes(b.items[0].raw.begin(), b.items[0].raw.end()) == rlp);
    }
    for (const char* key : {"block_json_as_printed", "block_json_from_source"})
      if (j.contains(key)) CHECK(header_from_json(j.at(key)) == h);

    // extraData decode and re-encode.
    const bft::ExtraData e = bft::decode_extra(v, h.extra_data).value();
    check_decoded(v, e, ex.at("extra_decoded"));
    CHECK(bft::encode_extra(v, e) == h.extra_data);

    // The three hashes (besu-bft.md §3).
    const json& hs = ex.at("hashes");
    CHECK(hex(bft::encode_extra_for_block_hash(v, e)) == hs.at("extraData_for_block_hash").get<std::string>());
    CHECK(hex(bft::encode_extra_for_committed_seal(v, e)) ==
          hs.at("extraData_for_committed_seal_hash").get<std::string>());
    const Hash32 bh = bft::block_hash(v, h).value();
    const Hash32 cs = bft::committed_seal_hash(v, h).value();
    CHECK(bh == hex_hash(hs.at("block_hash_onchain_rule")));
    CHECK(cs == hex_hash(hs.at("committed_seal_hash")));
    CHECK(keccak256(rlp) == hex_hash(hs.at("keccak_of_full_sealed_header_NOT_the_block_hash")));
    CHECK(keccak256(rlp) != bh);
    if (ex.contains("block_hash_from_source")) CHECK(bh == hex_hash(ex.at("block_hash_from_source")));
    if (j.contains("source_expectations")) {
      CHECK(cs == hex_hash(j.at("source_expectations").at("committed_seal_hash")));
      CHECK(keccak256(hex_bytes(j.at("header_rlp_committed_seal_preimage_from_source"))) == cs);
    }

    // Seals, coinbase, quorum, verdict.
    CHECK(bft::recover_committers(v, h).value() == addrs(ex.at("recovered_committers_in_seal_order")));
    CHECK(h.beneficiary == addr(ex.at("coinbase")));
    CHECK(bft::quorum(e.validators.size()) == ex.at("quorum_required").get<std::size_t>());
    REQUIRE(ex.at("verdict") == "accept");
    auto verified = bft::verify_header(v, h, e.validators);
    REQUIRE(verified.has_value());
    CHECK(verified->block_hash == bh);
    CHECK(verified->committed_seal_hash == cs);

    // Round 1 (block 7528): the seals must NOT verify over the round-0 (block-hash) form.
    if (e.round > 0) {
      REQUIRE(bh != cs);
      std::size_t over_block_hash = 0;
      for (const auto& seal : e.seals) {
        auto pk = secp256k1::recover_rsv(bh, seal, secp256k1::LowS::Allowed);
        if (pk && contains_sorted(e.validators, secp256k1::eth_address(*pk))) ++over_block_hash;
      }
      CHECK(over_block_hash == 0);
    }
    if (e.round == 0 && v == Variant::Qbft) CHECK(bh == cs);  // QBFT round 0: the two hashes coincide
    if (v == Variant::Ibft2) CHECK(bh != cs);

    // Derived negative cases: all six rejected, each with its own code.
    REQUIRE(j.at("derived_negative_cases").size() == 6);
    for (const json& c : j.at("derived_negative_cases")) {
      const std::string name = c.at("name").get<std::string>();
      INFO(name);
      REQUIRE(c.at("expected") == "reject");
      Header bad = h;
      bad.extra_data = hex_bytes(c.at("extraData"));
      if (c.contains("timestamp")) bad.timestamp_s = test::quantity_u64(c.at("timestamp"));
      auto r = bft::verify_header(v, bad, e.validators);
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().code == expected_code(c));
      if (name == "seal0_v_plus_27") {
        CHECK(bft::decode_extra(v, bad.extra_data).error().code == Code::SigEncoding);
      } else {
        CHECK(bft::block_hash(v, bad).value() == hex_hash(c.at("block_hash_by_rule")));
        if (name == "round_incremented") CHECK(bft::block_hash(v, bad).value() == bh);
        auto got = bft::recover_committers(v, bad);
        bool any_null = false;
        for (const auto& rc : c.at("recovered_committers")) any_null = any_null || rc.is_null();
        if (any_null) {
          CHECK(got.error().code == Code::SigInvalid);
        } else {
          CHECK(got.value() == addrs(c.at("recovered_committers")));
        }
      }
      ++negatives;
      ++by_case[name];
    }
    ++blocks;
  }
  CHECK(blocks == 6);
  CHECK(negatives == 36);
  CHECK(by_case.size() == 6);
  for (const auto& [name, n] : by_case) CHECK(n == 6);
}

TEST_CASE("besu IBFT 2.0 codec: known encoding round-trips, derived 4/3-item forms, 7 decode_cases verdicts") {
  const json j = causeway::testing::read_vector_json(kIbft2Codec);
  const json& known = j.at("known_encoding_from_source");
  const Bytes enc = hex_bytes(known.at("extraData"));
  const bft::ExtraData e = bft::decode_extra(Variant::Ibft2, enc).value();
  check_decoded(Variant::Ibft2, e, known.at("decoded"));
  CHECK(bft::encode_extra(Variant::Ibft2, e) == enc);
  const json& d = j.at("derived_variants_of_the_known_encoding");
  CHECK(bft::encode_extra_for_committed_seal(Variant::Ibft2, e) == hex_bytes(d.at("without_commit_seals_4_items")));
  CHECK(bft::encode_extra_for_block_hash(Variant::Ibft2, e) ==
        hex_bytes(d.at("without_commit_seals_and_round_3_items")));
  const json& cases = j.at("decode_cases").at("cases");
  REQUIRE(cases.size() == 7);
  std::size_t ok = 0, rejected = 0;
  for (const json& c : cases) {
    INFO(c.at("name").get<std::string>());
    const Bytes in = hex_bytes(c.at("extraData"));
    auto r = bft::decode_extra(Variant::Ibft2, in);
    if (c.at("expected").at("decode") == "ok") {
      REQUIRE(r.has_value());
      check_decoded(Variant::Ibft2, *r, c.at("expected"));
      CHECK(bft::encode_extra(Variant::Ibft2, *r) == in);
      ++ok;
    } else {
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().code == Code::BftExtraData);
      ++rejected;
    }
  }
  CHECK(ok == 3);
  CHECK(rejected == 4);
}

TEST_CASE("besu QBFT codec: known encoding round-trips, derived forms (round kept/forced 0), 4 decode_cases") {
  const json j = causeway::testing::read_vector_json(kQbftCodec);
  const json& known = j.at("known_encoding_from_source");
  const Bytes enc = hex_bytes(known.at("extraData"));
  const bft::ExtraData e = bft::decode_extra(Variant::Qbft, enc).value();
  check_decoded(Variant::Qbft, e, known.at("decoded"));
  CHECK(bft::encode_extra(Variant::Qbft, e) == enc);
  const json& d = j.at("derived_variants_of_the_known_encoding");
  CHECK(bft::encode_extra_for_committed_seal(Variant::Qbft, e) == hex_bytes(d.at("without_commit_seals_round_kept")));
  CHECK(bft::encode_extra_for_block_hash(Variant::Qbft, e) == hex_bytes(d.at("without_commit_seals_round_forced_0")));
  // The same object is not an IBFT 2.0 encoding (3-byte round, 0x83 fedcba).
  CHECK(bft::decode_extra(Variant::Ibft2, enc).error().code == Code::BftExtraData);
  const json& cases = j.at("decode_cases").at("cases");
  REQUIRE(cases.size() == 4);
  std::size_t ok = 0, rejected = 0;
  for (const json& c : cases) {
    INFO(c.at("name").get<std::string>());
    const Bytes in = hex_bytes(c.at("extraData"));
    auto r = bft::decode_extra(Variant::Qbft, in);
    if (c.at("expected").at("decode") == "ok") {
      REQUIRE(r.has_value());
      check_decoded(Variant::Qbft, *r, c.at("expected"));
      CHECK(bft::encode_extra(Variant::Qbft, *r) == in);
      ++ok;
    } else {
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().code == Code::BftExtraData);
      ++rejected;
    }
  }
  CHECK(ok == 3);
  CHECK(rejected == 1);
}

TEST_CASE("besu DERIVED hashing vector (hashing and recovery only): round 0x00FEDCBA and a vote, 4 committers") {
  const json j = causeway::testing::read_vector_json(kDerived);
  REQUIRE(variant_of(j) == Variant::Ibft2);
  const json& cc = j.at("collector_computed");
  json fields = j.at("header_fields");
  fields["extraData"] = cc.at("extraData_sealed");
  const Header h = header_from_json(fields);
  CHECK(encode_header(h).value() == hex_bytes(cc.at("header_rlp_sealed")));
  const bft::ExtraData e = bft::decode_extra(Variant::Ibft2, h.extra_data).value();
  CHECK(e.round == 0x00fedcba);
  REQUIRE(e.vote.has_value());
  CHECK(e.vote->type == bft::VoteType::Add);
  CHECK(hex(bft::encode_extra_for_committed_seal(Variant::Ibft2, e)) ==
        cc.at("extraData_for_committed_seal_hash").get<std::string>());
  CHECK(hex(bft::encode_extra_for_block_hash(Variant::Ibft2, e)) ==
        cc.at("extraData_for_block_hash").get<std::string>());
  const Hash32 cs = bft::committed_seal_hash(Variant::Ibft2, h).value();
  CHECK(cs == hex_hash(cc.at("committed_seal_hash")));
  CHECK(bft::block_hash(Variant::Ibft2, h).value() == hex_hash(j.at("expected").at("block_hash")));
  CHECK(bft::block_hash(Variant::Ibft2, h).value() == hex_hash(cc.at("block_hash_onchain_rule")));
  const auto committers = bft::recover_committers(Variant::Ibft2, h).value();
  CHECK(committers == addrs(j.at("expected").at("recover_each_seal_over_committed_seal_hash")));
  CHECK(committers == addrs(cc.at("committer_addresses")));
  // Our RFC 6979 signer reproduces the collector's low-S seals byte for byte from keys 1…4.
  const auto& keys = j.at("committer_private_keys");
  REQUIRE(keys.size() == 4);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const auto sk = secp256k1::parse_secret_key(hex_bytes(keys[i])).value();
    CHECK(secp256k1::eth_address(secp256k1::public_key_of(sk)) == committers[i]);
    const auto sig = secp256k1::sign_recoverable(cs, sk).value();
    Bytes seal(sig.sig.rs.begin(), sig.sig.rs.end());
    seal.push_back(sig.recid);
    CHECK(hex(seal) == cc.at("seals")[i].get<std::string>());
  }
}

TEST_CASE("goquorum vectors: empty-vanity QBFT extra decodes but is rejected as a header; legacy istanbul hash") {
  const json j = causeway::testing::read_vector_json(kQuorum);
  const json& q = j.at("qbft_extra_decode");
  const Bytes extra = hex_bytes(q.at("extraData"));
  const bft::ExtraData e = bft::decode_extra(Variant::Qbft, extra).value();
  check_decoded(Variant::Qbft, e, q.at("expected_decoded"));
  CHECK(e.vanity.empty());
  CHECK(bft::encode_extra(Variant::Qbft, e) == extra);
  Header h;
  h.ommers_hash = empty_ommers_hash();
  h.mix_hash = bft::expected_mix_hash();
  h.difficulty = abi::u256_from_u64(1);
  h.number = 1;
  h.beneficiary = e.validators[0];
  h.extra_data = extra;
  auto sorted = e.validators;
  std::sort(sorted.begin(), sorted.end());
  CHECK(bft::verify_header(Variant::Qbft, h, sorted).error().code == Code::BftExtraData);

  const json& legacy = j.at("istanbul_legacy_header_hash");
  Header lh;  // every field zero / empty
  lh.mix_hash = bft::expected_mix_hash();
  lh.extra_data = hex_bytes(legacy.at("extraData"));
  CHECK(header_hash(lh).value() == hex_hash(legacy.at("expected_hash")));
  // IBFT 1.0 (vanity ‖ RLP) is neither Besu format.
  CHECK(bft::decode_extra(Variant::Ibft2, lh.extra_data).error().code == Code::BftExtraData);
  CHECK(bft::decode_extra(Variant::Qbft, lh.extra_data).error().code == Code::BftExtraData);
}

TEST_CASE("besu-qbft-elc extraData examples: 2 real QBFT extraData values decode and round-trip") {
  const json j = causeway::testing::read_vector_json(kElcExamples);
  REQUIRE(j.at("examples").size() == 2);
  std::size_t n = 0;
  for (const json& ex : j.at("examples")) {
    INFO(ex.at("name").get<std::string>());
    const Bytes extra = hex_bytes(ex.at("extraData"));
    const bft::ExtraData e = bft::decode_extra(Variant::Qbft, extra).value();
    check_decoded(Variant::Qbft, e, ex.at("expected_decoded"));
    CHECK(bft::encode_extra(Variant::Qbft, e) == extra);
    ++n;
  }
  CHECK(n == 2);
  // The genesis extraData (validators not sorted) anchors a QBFT client with the sorted set; another set fails.
  Header genesis;
  genesis.ommers_hash = empty_ommers_hash();
  genesis.state_root = hex_hash("0x166ed98eea93ab2b6f6b1a425526994adc2d675bf9a0d77d600ed1e02d8f77df");
  genesis.mix_hash = bft::expected_mix_hash();
  genesis.difficulty = abi::u256_from_u64(1);
  genesis.extra_data = hex_bytes(j.at("examples")[0].at("extraData"));
  auto set = bft::decode_extra(Variant::Qbft, genesis.extra_data).value().validators;
  CHECK_FALSE(is_strictly_ascending(set));
  ClientConfig cfg;
  cfg.mode = ConsensusMode::Qbft;
  cfg.island = "eip155:2018";
  cfg.trusting_period_s = 86400;
  auto client = Client::create(cfg, genesis, set);
  REQUIRE(client.has_value());
  CHECK(client->finalized_head().hash == header_hash(genesis).value());  // block 0: extraData hashed as it is
  set.pop_back();
  CHECK(Client::create(cfg, genesis, set).error().code == Code::ValidatorSetMismatch);
}
