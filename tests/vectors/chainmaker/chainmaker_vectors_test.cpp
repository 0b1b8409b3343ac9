// light_clients/chainmaker against the real ChainMaker v2.3.2 blocks of ../shared/vectors/chainmaker (SOURCES.md
// "chainmaker/"): block hashes, proposer signatures, TBFT QCs, tx hash (gas_used rule), tx_root, rw_set_root,
// dag_hash, certificate chains to the wx-org1/wx-org2 roots — and every corrupted variant, made here from the real
// data, rejected with its own error code.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "causeway/chainmaker/certs.hpp"
#include "causeway/chainmaker/client.hpp"
#include "causeway/core/hex.hpp"
#include "cm_vectors.hpp"

using namespace causeway;
using namespace causeway::chainmaker;
using namespace cmv;

namespace {

constexpr std::int64_t kNow = 1'800'000'000;        // 2027: both blocks' certificates valid
constexpr std::int64_t kLongAfter = 2'100'000'000;  // 2036: every certificate of the chain has expired

Hash32 h(const std::string& hex) { return hash_from_hex("0x" + hex).value(); }
std::string hx(ByteView b) { return to_hex_bare(b); }

Block with_qc(Block b, const VoteSet& s) {
  b.qc = encode_vote_set(s);
  return b;
}

Verifier verifier(ChainTrust t) {
  auto v = Verifier::create(std::move(t));
  REQUIRE(v);
  return std::move(*v);
}

Error rejects(Verifier& v, const Block& b, std::int64_t now = kNow) {
  auto r = v.verify(b, now);
  REQUIRE_FALSE(r);
  return r.error();
}

}  // namespace

TEST_CASE("chainmaker block 30: block hash, header fields and the explorer row agree (SOURCES.md)") {
  const Block b = load_block(kBlock30);
  CHECK(hx(block_hash(HashType::Sha256, b.header).view()) ==
        "020e36ff04f5cfd38167de7a97333e18c32ccfa7969d8ed77b54dde7f48f0a5e");
  CHECK(hx(b.header.block_hash) == "020e36ff04f5cfd38167de7a97333e18c32ccfa7969d8ed77b54dde7f48f0a5e");
  CHECK(hx(b.header.pre_block_hash) == "a5dc0b4a974cf055ef03b3c32570b8a2dad101dc22df27e11cc07d81dd1a301d");
  CHECK(b.header.pre_conf_height == 22);
  CHECK(b.header.block_version == 2030200);
  CHECK(b.header.height == 30);
  CHECK(b.header.timestamp_s == 1702460320);
  CHECK(hx(hash(HashType::Sha256, b.dag_preimage).view()) ==
        "08da7c45cb204377e7e42249cda5713fa865116ddbb4cb5a1949b2e5b438a6ab");
  CHECK(b.dag_preimage == Bytes{0x12, 0x00});
  CHECK(hx(b.header.dag_hash) == "08da7c45cb204377e7e42249cda5713fa865116ddbb4cb5a1949b2e5b438a6ab");
  // The explorer row (hex cross-check only).
  auto row = causeway::testing::read_vector_json(kDir + "block_30_explorer_row.json");
  CHECK(row["blockHash"] == hx(b.header.block_hash));
  CHECK(row["txRootHash"] == hx(b.header.tx_root));
  CHECK(row["rwSetHash"] == hx(b.header.rw_set_root));
  CHECK(row["dagHash"] == hx(b.header.dag_hash));
  // Canonical re-encoding reproduces the header bytes the JSON describes.
  pb::BlockHeader parsed;
  const Bytes enc = encode_header(b.header);
  REQUIRE(parsed.ParseFromArray(enc.data(), static_cast<int>(enc.size())));
  CHECK(to_bytes(parsed) == enc);
}

TEST_CASE("chainmaker block 30: tx hash with gas_used zeroed (version 2030200 >= 2300) = tx_root; with gas it must not match") {
  const Block b = load_block(kBlock30);
  REQUIRE(b.txs.size() == 1);
  const auto& tx = b.txs[0];
  CHECK(hx(tx_hash(HashType::Sha256, tx).view()) == "40a5e4734a4fce19530e9673e3c3470ba1a274611a574aeb64fd55de07edb789");
  CHECK(hx(b.header.tx_root) == "40a5e4734a4fce19530e9673e3c3470ba1a274611a574aeb64fd55de07edb789");
  // The same transaction under a pre-2300 block version keeps gas_used 29853.
  auto info = load_info(kBlock30);
  CHECK(info.block().txs(0).result().contract_result().gas_used() == 29853);
  auto old = decode_transaction(to_bytes(info.block().txs(0)), 2299);
  REQUIRE(old);
  CHECK(hx(tx_hash(HashType::Sha256, *old).view()) == "462f1c3245ba6e6b8a260f7f2382d954bd88a2d2eed5ac415d404c6f8fe67cca");
  // Inclusion (single tx: root = leaf, empty path) and the event inside the result.
  CHECK(verify_tx_inclusion(HashType::Sha256, b.header, tx, 0, {}));
  CHECK(verify_tx_inclusion(HashType::Sha256, b.header, *old, 0, {}).error().code == Code::MerkleBranch);
  REQUIRE(tx.events.size() == 1);
  CHECK(tx.events[0].topic == "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
  CHECK(tx.events[0].contract_name == "EVM_ERC20_1");
  CHECK(tx.events[0].event_data.size() == 3);
  CHECK(tx.tx_id == "17a05aa42d8d673cca4160edc45863596289046afae0442c9a5bcd6bc5347359");
  CHECK(tx.status == 0);
}

TEST_CASE("chainmaker block 30: rw_set_hash of rwset_list[0] = result.rw_set_hash = rw_set_root") {
  auto info = load_info(kBlock30);
  const Block b = load_block(kBlock30);
  auto canon = canonical_rw_set(to_bytes(info.rwset_list(0)));
  REQUIRE(canon);
  const Hash32 rw = hash(HashType::Sha256, *canon);
  CHECK(hx(rw.view()) == "7fd7626c09e09e7863385f665b0a325bf1d684553721efbf520d30ca687793ca");
  CHECK(hx(b.txs[0].rw_set_hash) == hx(rw.view()));
  std::vector<Hash32> leaves{rw};
  CHECK(merkle_root(HashType::Sha256, leaves).value() == Hash32::from(b.header.rw_set_root));
}

TEST_CASE("chainmaker block 3: hash, proposer wx-org4, rw_set_root = leaf; tx altered by the explorer is not under tx_root") {
  const Block b = load_block(kBlock3);
  CHECK(hx(block_hash(HashType::Sha256, b.header).view()) ==
        "46855edb813c74093c5e9ced4d24e15120b5e61d3c4c35b651671582d0f3936d");
  CHECK(hx(b.header.pre_block_hash) == "45e0421f82bf7888cb420eee27591cee8c94aa83596b5dc4d074c09237552d49");
  CHECK(b.header.pre_conf_height == 0);
  CHECK(b.header.proposer.org_id == "wx-org4.chainmaker.org");
  CHECK(hx(b.header.rw_set_root) == "b6643b93e474a6712dfa042987f8f2ce1f8bed6d4c0bce52e51757fe0737f34a");
  CHECK(hx(b.txs[0].rw_set_hash) == hx(b.header.rw_set_root));
  CHECK(hx(tx_hash(HashType::Sha256, b.txs[0]).view()) ==
        "c5ff10fd2fcaece5b8d94b1786320446fb74d81cbab27161dace5231956c7b11");
  CHECK(hx(b.header.tx_root) == "6a2a1f81e39023149a2755d68c9eaee7b89e739578e3642f68edd1be6372ca9c");
  CHECK(verify_tx_inclusion(HashType::Sha256, b.header, b.txs[0], 0, {}).error().code == Code::MerkleBranch);
}

TEST_CASE("chainmaker proposer signatures: ECDSA P-256 over SHA-256(block hash), certificate OU=consensus") {
  for (const auto& [file, org] : {std::pair{kBlock30, "wx-org3"}, {kBlock3, "wx-org4"}}) {
    const Block b = load_block(file);
    auto cert = Certificate::parse(b.header.proposer.member_info);
    REQUIRE(cert);
    CHECK(cert->algorithm() == CertAlgorithm::EcdsaP256Sha256);
    CHECK(cert->common_name() == std::string("consensus1.sign.") + org + ".chainmaker.org");
    CHECK(cert->organizational_units() == std::vector<std::string>{"consensus"});
    CHECK(cert->verify(b.header.block_hash, b.header.signature));
    Bytes other = b.header.block_hash;
    other[0] ^= 1;
    CHECK(cert->verify(other, b.header.signature).error().code == Code::SigInvalid);
  }
}

TEST_CASE("chainmaker QCs: PRECOMMIT sets, 3 valid votes each (block 30 round 12 org4/org2/org3, block 3 round 0 org3/org4/org1)") {
  struct Case {
    std::string file;
    std::uint64_t height;
    std::int32_t round;
    std::vector<std::string> orgs;
  };
  for (const auto& c : {Case{kBlock30, 30, 12, {"wx-org4", "wx-org2", "wx-org3"}},
                        Case{kBlock3, 3, 0, {"wx-org3", "wx-org4", "wx-org1"}}}) {
    const Block b = load_block(c.file);
    const VoteSet s = qc_of(b);
    CHECK(s.type == kVotePrecommit);
    CHECK(s.height == c.height);
    CHECK(s.round == c.round);
    CHECK(s.sum == 3);
    CHECK(s.maj23 == b.header.block_hash);
    REQUIRE(s.votes.size() == 3);
    std::vector<std::string> orgs;
    for (const auto& e : s.votes) {
      orgs.push_back(e.vote.signer.org_id.substr(0, 7));
      CHECK(e.key == e.vote.voter);
      auto cert = Certificate::parse(e.vote.signer.member_info);
      REQUIRE(cert);
      CHECK(cert->verify(vote_sign_bytes(e.vote), e.vote.signature));
    }
    std::sort(orgs.begin(), orgs.end());
    auto want = c.orgs;
    std::sort(want.begin(), want.end());
    CHECK(orgs == want);
  }
}

TEST_CASE("chainmaker trust roots: both org CAs self-signed; org1/org2 certificates chain to them; org3/org4 are unknown CAs") {
  const auto cas = org_cas();
  REQUIRE(cas.size() == 2);
  std::vector<Certificate> roots;
  for (const auto& [org, pem] : cas) {
    auto ca = Certificate::parse(pem);
    REQUIRE(ca);
    std::vector<Certificate> self{*ca};
    CHECK(verify_chain(*ca, self, kNow));
    roots.push_back(*ca);
  }
  auto j = causeway::testing::read_vector_json(kCaFile);
  const std::string user = j["UserCert"].get<std::string>();
  auto admin = Certificate::parse(Bytes(user.begin(), user.end()));
  REQUIRE(admin);
  CHECK(verify_chain(*admin, roots, kNow));
  CHECK(admin->not_after_s() == 1859100194);  // 2028-11-29T08:43:14Z
  // Judged at the block's own time: valid in 2023, expired in 2036 (ERR_CERT_EXPIRED), not yet valid in 2020.
  CHECK(verify_chain(*admin, roots, 1702460320));
  CHECK(verify_chain(*admin, roots, kLongAfter).error().code == Code::CertExpired);
  CHECK(verify_chain(*admin, roots, 1'600'000'000).error().code == Code::CertExpired);
  int known = 0, unknown = 0;
  for (const auto& file : {kBlock30, kBlock3}) {
    const Block b = load_block(file);
    std::vector<Member> members{b.header.proposer};
    for (const auto& e : qc_of(b).votes) members.push_back(e.vote.signer);
    for (const auto& m : members) {
      auto cert = Certificate::parse(m.member_info);
      REQUIRE(cert);
      auto r = verify_chain(*cert, roots, b.header.timestamp_s);
      if (m.org_id == "wx-org1.chainmaker.org" || m.org_id == "wx-org2.chainmaker.org") {
        CHECK(r);
        ++known;
      } else {
        CHECK(r.error().code == Code::UnknownCa);
        ++unknown;
      }
    }
  }
  CHECK(known == 2);    // the org2 voter of block 30, the org1 voter of block 3
  CHECK(unknown == 6);  // proposers (org3, org4) and four org3/org4 votes
}

TEST_CASE("chainmaker trust-root mode (org1/org2 CAs + org3/org4 certificates pinned from the other block): both blocks accept") {
  const Block b30 = load_block(kBlock30), b3 = load_block(kBlock3);
  auto v30 = verifier(trust_with_pins(b3, 22));
  auto r30 = v30.verify(b30, kNow);
  REQUIRE(r30);
  CHECK(r30->hash == h("020e36ff04f5cfd38167de7a97333e18c32ccfa7969d8ed77b54dde7f48f0a5e"));
  CHECK(r30->validators == 4);
  CHECK(r30->quorum == 3);
  CHECK(r30->round == 12);
  CHECK(r30->counted_voters.size() == 3);
  auto v3 = verifier(trust_with_pins(b30, 0));
  auto r3 = v3.verify(b3, kNow);
  REQUIRE(r3);
  CHECK(r3->hash == h("46855edb813c74093c5e9ced4d24e15120b5e61d3c4c35b651671582d0f3936d"));
  CHECK(r3->counted_voters.size() == 3);
  // The verdict on an old block does not change when its certificates expire (judged at block time).
  auto later = verifier(trust_with_pins(b3, 22));
  CHECK(later.verify(b30, kLongAfter));
  auto uncached = Verifier::create(trust_with_pins(b3, 22), VerifierOptions{10, false});
  REQUIRE(uncached);
  CHECK(uncached->verify(b30, kNow));
  CHECK(uncached->cached_certificates() <= 1);
}

TEST_CASE("chainmaker CA-only mode: block 30 (quorum needs org3/org4) is rejected with ERR_UNKNOWN_CA") {
  const Block b30 = load_block(kBlock30);
  auto v = verifier(trust_ca_only(22));
  auto e = rejects(v, b30);
  CHECK(e.code == Code::UnknownCa);
  CHECK(e.at == "header.proposer");  // the wx-org3 proposer is the first org3/org4 certificate met
  // Without the proposer check in the way, the org4 vote is the unknown CA.
  auto e3 = rejects(v, load_block(kBlock3));
  CHECK(e3.code == Code::UnknownCa);
}

TEST_CASE("chainmaker corrupted block 30: a byte of each header field → ERR_HEADER_HASH_MISMATCH; proposer signature → ERR_BAD_PROPOSER_SIGNATURE") {
  const Block b30 = load_block(kBlock30), b3 = load_block(kBlock3);
  auto v = verifier(trust_with_pins(b3, 22));
  int fields = 0;
  for (Bytes Header::*f : {&Header::block_hash, &Header::pre_block_hash, &Header::tx_root, &Header::dag_hash,
                           &Header::rw_set_root}) {
    Block b = b30;
    (b.header.*f)[5] ^= 0x01;
    auto e = rejects(v, b);
    CHECK(e.code == Code::HeaderHashMismatch);
    CHECK(e.at == "header");
    ++fields;
  }
  for (int k = 0; k < 5; ++k) {
    Block b = b30;
    switch (k) {
      case 0: b.header.block_version ^= 1; break;
      case 1: b.header.height += 1; break;
      case 2: b.header.timestamp_s += 1; break;
      case 3: b.header.tx_count += 1; break;
      default: b.header.proposer.member_info[100] ^= 0x01; break;
    }
    CHECK(rejects(v, b).code == Code::HeaderHashMismatch);
    ++fields;
  }
  CHECK(fields == 10);
  Block sig = b30;
  sig.header.signature[10] ^= 0x01;
  auto e = rejects(v, sig);
  CHECK(e.code == Code::BadProposerSignature);
  CHECK(e.at == "header.signature");
  Block chain = b30;
  chain.header.chain_id = "chain2";
  CHECK(rejects(v, chain).code == Code::IslandMismatch);
}

TEST_CASE("chainmaker corrupted QC of block 30: each fault has its own code and location") {
  const Block b30 = load_block(kBlock30), b3 = load_block(kBlock3);
  auto v = verifier(trust_with_pins(b3, 22));
  const VoteSet qc = qc_of(b30);
  auto run = [&](VoteSet s) { return rejects(v, with_qc(b30, s)); };

  {  // a vote for another height
    VoteSet s = qc;
    s.votes[1].vote.height = 29;
    auto e = run(s);
    CHECK(e.code == Code::VoteHeight);
    CHECK(e.at == "qc.votes[1].height");
  }
  {  // the whole set for another height
    VoteSet s = qc;
    s.height = 31;
    auto e = run(s);
    CHECK(e.code == Code::VoteHeight);
    CHECK(e.at == "qc.height");
  }
  {  // a PREVOTE in the set; a PREVOTE set
    VoteSet s = qc;
    s.votes[2].vote.type = kVotePrevote;
    auto e = run(s);
    CHECK(e.code == Code::VoteType);
    CHECK(e.at == "qc.votes[2].type");
    VoteSet t = qc;
    t.type = kVotePrevote;
    CHECK(run(t).code == Code::VoteType);
  }
  {  // a vote signature
    VoteSet s = qc;
    s.votes[0].vote.signature[12] ^= 0x01;
    auto e = run(s);
    CHECK(e.code == Code::SigInvalid);
    CHECK(e.at == "qc.votes[0].endorsement.signature");
  }
  {  // a duplicated signer
    VoteSet s = qc;
    s.votes.push_back(s.votes[0]);
    auto e = run(s);
    CHECK(e.code == Code::DuplicateVoter);
    CHECK(e.at == "qc.votes[3].voter");
  }
  {  // one removed vote: 2 < quorum 3
    VoteSet s = qc;
    s.votes.pop_back();
    auto e = run(s);
    CHECK(e.code == Code::InsufficientQuorum);
    CHECK(e.at == "qc");
  }
  {  // a certificate not under the trust roots: the org2 vote's certificate presented as wx-org1's
    VoteSet s = qc;
    std::size_t i = 0;
    while (s.votes[i].vote.signer.org_id != "wx-org2.chainmaker.org") ++i;
    s.votes[i].vote.signer.org_id = "wx-org1.chainmaker.org";
    auto e = run(s);
    CHECK(e.code == Code::UnknownCa);
    CHECK(e.at == "qc.votes[" + std::to_string(i) + "].endorsement");
  }
  {  // gap closed: a valid org4 vote re-labelled as wx-org1's node (whose org did not vote)
    VoteSet s = qc;
    std::size_t i = 0;
    while (s.votes[i].vote.signer.org_id != "wx-org4.chainmaker.org") ++i;
    s.votes[i].key = s.votes[i].vote.voter = kNodes[0].second;
    auto e = run(s);
    CHECK(e.code == Code::VoterCert);
  }
  {  // gap closed: one certificate counted for two node ids of its org
    ChainTrust t = trust_with_pins(b3, 22);
    t.orgs[3].node_ids.push_back("QmExtraOrg4Node");
    auto v2 = verifier(t);
    VoteSet s = qc;
    std::size_t i = 0;
    while (s.votes[i].vote.signer.org_id != "wx-org4.chainmaker.org") ++i;
    VoteEntry copy = s.votes[i];
    copy.key = copy.vote.voter = "QmExtraOrg4Node";
    s.votes.push_back(copy);
    auto e = v2.verify(with_qc(b30, s), kNow);
    REQUIRE_FALSE(e);
    CHECK(e.error().code == Code::DuplicateVoter);
    CHECK(e.error().at == "qc.votes[3].endorsement");
  }
  {  // round and key
    VoteSet s = qc;
    s.votes[0].vote.round = 11;
    CHECK(run(s).code == Code::InvalidVote);
    VoteSet k = qc;
    k.votes[0].key = "QmSomethingElse";
    CHECK(run(k).code == Code::InvalidVote);
  }
  {  // maj23 names another block
    VoteSet s = qc;
    s.maj23[0] ^= 1;
    auto e = run(s);
    CHECK(e.code == Code::InvalidVote);
    CHECK(e.at == "qc.maj23");
  }
  {  // no QC; a QC that is not a VoteSet
    Block b = b30;
    b.qc.reset();
    CHECK(rejects(v, b).code == Code::QcMissing);
    b.qc = Bytes{0xff, 0xff, 0xff};
    CHECK(rejects(v, b).code == Code::ProtobufDecode);
  }
  {  // a voter outside the config in force
    ChainTrust t = trust_with_pins(b3, 22);
    t.orgs[3].node_ids = {"QmSomeOtherNode"};
    auto v3 = verifier(t);
    auto e = v3.verify(b30, kNow);
    REQUIRE_FALSE(e);
    CHECK(e.error().code == Code::NotValidator);
  }
  {  // the unmodified set re-encoded still verifies (the encoder is faithful)
    CHECK(v.verify(with_qc(b30, qc), kNow));
  }
}

TEST_CASE("chainmaker pinned certificates: expired at block time → ERR_CERT_EXPIRED; not a consensus role → ERR_CERT_ROLE") {
  const Block b30 = load_block(kBlock30), b3 = load_block(kBlock3);
  // A pinned certificate is judged by its own validity at the block's time (a real block cannot be moved in time
  // without changing its hash, so the window itself is checked here).
  auto pinned = Certificate::parse(signing_certs_of(b3).at("wx-org3.chainmaker.org"));
  REQUIRE(pinned);
  CHECK(pinned->valid_at(b30.header.timestamp_s));
  CHECK_FALSE(pinned->valid_at(kLongAfter));
  // The admin1 certificate (OU=admin) is not a consensus certificate.
  auto j = causeway::testing::read_vector_json(kCaFile);
  const std::string user = j["UserCert"].get<std::string>();
  ChainTrust t = trust_with_pins(b3, 22);
  auto v = verifier(t);
  VoteSet s = qc_of(b30);
  std::size_t i = 0;
  while (s.votes[i].vote.signer.org_id != "wx-org2.chainmaker.org") ++i;
  // Present the org1 admin certificate for the org2 node: chains to org1 only → org2 roots reject it.
  s.votes[i].vote.signer.member_info = Bytes(user.begin(), user.end());
  CHECK(v.verify(with_qc(b30, s), kNow).error().code == Code::UnknownCa);
  s.votes[i].vote.signer.org_id = "wx-org1.chainmaker.org";
  auto e = v.verify(with_qc(b30, s), kNow);
  REQUIRE_FALSE(e);
  CHECK(e.error().code == Code::CertRole);
}

TEST_CASE("chainmaker light client: adjacent from block 29, checkpoint from an older anchor, config height and linkage enforced") {
  const Block b30 = load_block(kBlock30), b3 = load_block(kBlock3);
  Anchor a{29, h("a5dc0b4a974cf055ef03b3c32570b8a2dad101dc22df27e11cc07d81dd1a301d"), 0, trust_with_pins(b3, 22)};
  auto c = LightClient::create(a);
  REQUIRE(c);
  auto r = c->update(b30, kNow);
  REQUIRE(r);
  CHECK(r->kind == UpdateKind::Adjacent);
  CHECK(c->latest_height() == 30);
  CHECK(c->verified(30) != nullptr);
  CHECK(c->update(b30, kNow)->kind == UpdateKind::AlreadyKnown);
  Block other = b30;
  other.header.block_hash[0] ^= 1;
  CHECK(c->update(other, kNow).error().code == Code::ConflictsFinalized);

  Anchor wrong = a;
  wrong.hash.b[0] ^= 1;
  CHECK(LightClient::create(wrong)->update(b30, kNow).error().code == Code::PrevHashMismatch);
  Anchor stale = a;
  stale.trust.config_height = 0;
  auto e = LightClient::create(stale)->update(b30, kNow);
  CHECK(e.error().code == Code::ValidatorSetMismatch);
  CHECK(e.error().at == "header.pre_conf_height");
  Anchor cp{25, h("1111111111111111111111111111111111111111111111111111111111111111"), 0, trust_with_pins(b3, 22)};
  auto r2 = LightClient::create(cp)->update(b30, kNow);
  REQUIRE(r2);
  CHECK(r2->kind == UpdateKind::Checkpoint);
  Anchor zero = a;
  zero.hash = Hash32{};
  CHECK(LightClient::create(zero).error().code == Code::ZeroRoot);
  Anchor early{3, h("46855edb813c74093c5e9ced4d24e15120b5e61d3c4c35b651671582d0f3936d"), 0, trust_with_pins(b3, 22)};
  CHECK(LightClient::create(early).error().code == Code::InvalidArgument);
  CHECK(LightClient::create(a)->update(b30, b30.header.timestamp_s - 11).error().code == Code::TimeTooNew);
  CHECK(LightClient::create(a)->update(b30, b30.header.timestamp_s - 10));
}

TEST_CASE("chainmaker out of scope: MaxBFT/DPoS consensus, public-key modes, SHA3_256 are refused with ERR_UNSUPPORTED") {
  const Block b3 = load_block(kBlock3);
  for (const char* consensus : {"MAXBFT", "DPOS", "RAFT", "SOLO"}) {
    ChainTrust t = trust_with_pins(b3, 22);
    t.consensus = consensus;
    CHECK(Verifier::create(t).error().code == Code::Unsupported);
  }
  for (const char* auth : {"permissionedwithkey", "public"}) {
    ChainTrust t = trust_with_pins(b3, 22);
    t.auth_type = auth;
    CHECK(Verifier::create(t).error().code == Code::Unsupported);
  }
  ChainTrust ok = trust_with_pins(b3, 22);
  ok.auth_type = "PermissionedWithCert";
  CHECK(Verifier::create(ok));
  CHECK(parse_hash_type("SHA3_256").error().code == Code::Unsupported);
  CHECK(parse_hash_type("SM3").value() == HashType::Sm3);
}
