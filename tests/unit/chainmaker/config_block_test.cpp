// ChainMaker config-block transitions (docs/chainmaker-light-client.md "Light client") on a synthetic signed chain:
// no real config block is available (../shared/vectors/SOURCES.md "chainmaker/"), so this test uses the generated
// chain of tests/support/cm_synthetic.hpp (OpenSSL org root CAs and consensus signing certificates, blocks signed by
// their proposer with a TBFT PRECOMMIT VoteSet and tx_root). A CONFIG block carries a CHAIN_CONFIG transaction whose
// contract_result.result is a config.ChainConfig changing the consensus node set and the trust roots.
//
// Deterministic: fixed private keys, certificate validity and block times, no clock (cm_synthetic.hpp).
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include "causeway/core/hash.hpp"
#include "cm_synthetic.hpp"

using namespace causeway;
using namespace causeway::chainmaker;
using namespace causeway::testing::cmsynth;

namespace {

const Hash32 kAnchorHash = sha256(bytes("synthetic block 1"));

LightClient client_at_1() {
  Anchor anchor;
  anchor.height = 1;
  anchor.hash = kAnchorHash;
  anchor.time_s = kT0 + 10;
  anchor.trust = fx().genesis();
  return LightClient::create(std::move(anchor)).value();
}

Error refused(LightClient& c, const Built& b) {
  auto r = c.update(b.block, kNow);
  REQUIRE_FALSE(r.has_value());
  return r.error();
}

std::vector<std::string> org_ids(const ChainTrust& t) {
  std::vector<std::string> out;
  for (const auto& o : t.orgs) out.push_back(o.org_id);
  return out;
}

const OrgTrust& org(const ChainTrust& t, const std::string& id) {
  for (const auto& o : t.orgs)
    if (o.org_id == id) return o;
  throw std::runtime_error("no org " + id);
}

// Block 2 (ordinary, old set) and config block 3 (finalized by the old set: 4 of 5 votes, a.org included).
struct Chain3 {
  LightClient client;
  Built b2, b3;
};

Chain3 chain_to_config_block() {
  const auto& f = fx();
  Chain3 ch{client_at_1(), {}, {}};
  ch.b2 = build({2, kAnchorHash, 0, kNormalBlock, f.a, {f.a, f.b, f.c, f.d}, {}, {}});
  REQUIRE(ch.client.update(ch.b2.block, kNow).has_value());
  ch.b3 = build({3, ch.b2.hash, 0, kConfigBlock, f.b, {f.a, f.b, f.c, f.d}, {config_tx(f.next_config())}, {}});
  auto r = ch.client.update(ch.b3.block, kNow);
  REQUIRE(r.has_value());
  CHECK(r->config_applied);
  return ch;
}

}  // namespace

TEST_CASE("chainmaker synthetic chain: generated CA, consensus certificates, proposer signature and TBFT QC verify") {
  const auto& f = fx();
  auto c = client_at_1();
  CHECK(c.trust().config_height == 0);
  const Built b2 = build({2, kAnchorHash, 0, kNormalBlock, f.a, {f.a, f.b, f.c, f.d}, {}, {}});
  auto r = c.update(b2.block, kNow);
  REQUIRE(r.has_value());
  CHECK(r->kind == UpdateKind::Adjacent);
  CHECK_FALSE(r->config_applied);
  CHECK(r->block.hash == b2.hash);
  CHECK(r->block.validators == 5);  // QmNodeA, B, C, C9, D
  CHECK(r->block.quorum == 4);
  CHECK(r->block.counted_voters == std::vector<std::string>{kQmA, kQmB, kQmC, kQmD});
  CHECK(c.latest_height() == 2);

  // The generated certificates are checked for real: role, CA chain, one certificate per vote.
  auto c2 = client_at_1();
  CHECK(refused(c2, build({2, kAnchorHash, 0, kNormalBlock, f.b_client, {f.a, f.b, f.c, f.d}, {}, {}})).code ==
        Code::CertRole);
  const Error three = refused(c2, build({2, kAnchorHash, 0, kNormalBlock, f.a, {f.a, f.b, f.d}, {}, {}}));
  CHECK(three.code == Code::InsufficientQuorum);  // 3 < ⌊2·5/3⌋+1 = 4
  CHECK(three.at == "qc");
  // c.org's second node signing with c.org's first node's pinned certificate (node pin QmNodeC9 → C9).
  Signer c9_with_c_cert{kC, kQmC9, p256_key("consensus1.sign.c"), f.c->pem};
  const Error pin = refused(c2, build({2, kAnchorHash, 0, kNormalBlock, f.a, {f.a, f.b, &c9_with_c_cert, f.d}, {}, {}}));
  CHECK(pin.code == Code::VoterCert);
  CHECK(pin.at == "qc.votes[2].endorsement");
}

TEST_CASE("chainmaker config block: the ChainConfig of a CONFIG block finalized by the current set applies from the next height only") {
  const auto& f = fx();
  auto c = client_at_1();
  const Built b2 = build({2, kAnchorHash, 0, kNormalBlock, f.a, {f.a, f.b, f.c, f.d}, {}, {}});
  REQUIRE(c.update(b2.block, kNow).has_value());

  // The config block itself is verified by the set in force: a.org (leaving) votes and counts, N = 5.
  const Built b3 = build({3, b2.hash, 0, kConfigBlock, f.b, {f.a, f.b, f.c, f.d}, {config_tx(f.next_config())}, {}});
  auto r = c.update(b3.block, kNow);
  REQUIRE(r.has_value());
  CHECK(r->kind == UpdateKind::Adjacent);
  CHECK(r->config_applied);
  CHECK(r->block.validators == 5);
  CHECK(r->block.quorum == 4);
  CHECK(r->block.counted_voters == std::vector<std::string>{kQmA, kQmB, kQmC, kQmD});
  CHECK(c.latest_height() == 3);
  CHECK(c.trust().config_height == 3);
  CHECK(org_ids(c.trust()) == std::vector<std::string>{kB, kC, kD, kE});
  CHECK(org(c.trust(), kC).node_ids == std::vector<std::string>{kQmC});
  CHECK(org(c.trust(), kD).ca_certs == std::vector<Bytes>{bytes(f.ca_d2->pem)});
  CHECK(org(c.trust(), kE).ca_certs == std::vector<Bytes>{bytes(f.ca_e->pem)});

  // Block 4 must name config height 3 (ChainMaker: the block after a config block has pre_conf_height = its height).
  {
    const Error e = refused(c, build({4, b3.hash, 0, kNormalBlock, f.b, {f.b, f.c, f.e}, {}, {}}));
    CHECK(e.code == Code::ValidatorSetMismatch);
    CHECK(e.at == "header.pre_conf_height");
  }
  // Old-only members are refused from height 4 on: a.org's proposer, a.org's vote, d.org's certificate under the
  // rotated-out root.
  {
    const Error e = refused(c, build({4, b3.hash, 3, kNormalBlock, f.a, {f.b, f.c, f.e}, {}, {}}));
    CHECK(e.code == Code::NotValidator);
    CHECK(e.at == "header.proposer");
  }
  {
    const Error e = refused(c, build({4, b3.hash, 3, kNormalBlock, f.b, {f.a, f.b, f.c, f.e}, {}, {}}));
    CHECK(e.code == Code::NotValidator);
    CHECK(e.at == "qc.votes[0].voter");
  }
  {
    const Error e = refused(c, build({4, b3.hash, 3, kNormalBlock, f.b, {f.b, f.c, f.d}, {}, {}}));
    CHECK(e.code == Code::UnknownCa);
    CHECK(e.at == "qc.votes[2].endorsement");
  }
  // The block signed by the old set's majority (A, B, C, D — 4 of the old 5) is refused as a whole.
  CHECK(refused(c, build({4, b3.hash, 3, kNormalBlock, f.a, {f.a, f.b, f.c, f.d}, {}, {}})).code == Code::NotValidator);
  CHECK(c.latest_height() == 3);

  // The new set: N = 4, quorum 3; e.org (new org, new root) proposes and votes.
  const Built b4 = build({4, b3.hash, 3, kNormalBlock, f.e, {f.b, f.c, f.e}, {}, {}});
  auto r4 = c.update(b4.block, kNow);
  REQUIRE(r4.has_value());
  CHECK_FALSE(r4->config_applied);
  CHECK(r4->block.validators == 4);
  CHECK(r4->block.quorum == 3);
  CHECK(r4->block.counted_voters == std::vector<std::string>{kQmB, kQmC, kQmE});
  // d.org's certificate under its new root; two votes are not enough under N = 4.
  const Built b5 = build({5, b4.hash, 3, kNormalBlock, f.d2, {f.d2, f.e, f.b}, {}, {}});
  const Error two = refused(c, build({5, b4.hash, 3, kNormalBlock, f.d2, {f.d2, f.e}, {}, {}}));
  CHECK(two.code == Code::InsufficientQuorum);
  auto r5 = c.update(b5.block, kNow);
  REQUIRE(r5.has_value());
  CHECK(r5->block.counted_voters == std::vector<std::string>{kQmD, kQmE, kQmB});
  CHECK(c.latest_height() == 5);
  CHECK(c.trust().config_height == 3);
}

TEST_CASE("chainmaker config block: a config block not finalized by the current set, or not a valid CHAIN_CONFIG, changes nothing") {
  const auto& f = fx();
  auto c = client_at_1();
  const Built b2 = build({2, kAnchorHash, 0, kNormalBlock, f.a, {f.a, f.b, f.c, f.d}, {}, {}});
  REQUIRE(c.update(b2.block, kNow).has_value());
  const auto cfg = f.next_config();
  const Hash32 trust_before = trust_hash(c.trust()).value();

  auto expect = [&](const Built& b, Code code, const std::string& at) {
    const Error e = refused(c, b);
    CHECK(e.code == code);
    CHECK(e.at == at);
    CHECK(c.latest_height() == 2);
    CHECK(c.trust().config_height == 0);
    CHECK(trust_hash(c.trust()).value() == trust_before);
  };
  // Signed by the NEW set (e.org is not in the set in force): its proposer, or its vote.
  expect(build({3, b2.hash, 0, kConfigBlock, f.e, {f.b, f.c, f.d, f.e}, {config_tx(cfg)}, {}}), Code::NotValidator,
         "header.proposer");
  expect(build({3, b2.hash, 0, kConfigBlock, f.b, {f.b, f.c, f.d, f.e}, {config_tx(cfg)}, {}}), Code::NotValidator,
         "qc.votes[3].voter");
  // Three of the five current validators: below the quorum of the set in force.
  expect(build({3, b2.hash, 0, kConfigBlock, f.b, {f.b, f.c, f.d}, {config_tx(cfg)}, {}}), Code::InsufficientQuorum,
         "qc");
  // Finalized, but the ChainConfig transaction is not the one under tx_root / failed / not CHAIN_CONFIG.
  expect(build({3, b2.hash, 0, kConfigBlock, f.b, {f.a, f.b, f.c, f.d}, {config_tx(cfg)},
                {make_tx("other", "T", "invoke", "ok")}}),
         Code::MerkleBranch, "txs");
  expect(build({3, b2.hash, 0, kConfigBlock, f.b, {f.a, f.b, f.c, f.d}, {config_tx(cfg, 5)}, {}}), Code::TxFailed,
         "txs[0]");
  expect(build({3, b2.hash, 0, kConfigBlock, f.b, {f.a, f.b, f.c, f.d}, {config_tx(cfg, 0, "T")}, {}}),
         Code::InvalidArgument, "txs[0]");
  {  // a config naming another chain
    auto other = cfg;
    other.set_chain_id("synth2");
    expect(build({3, b2.hash, 0, kConfigBlock, f.b, {f.a, f.b, f.c, f.d}, {config_tx(other)}, {}}),
           Code::IslandMismatch, "txs[0]");
  }
  {  // a config the light client cannot follow (MaxBFT)
    auto other = cfg;
    other.mutable_consensus()->set_type(pb::MAXBFT);
    expect(build({3, b2.hash, 0, kConfigBlock, f.b, {f.a, f.b, f.c, f.d}, {config_tx(other)}, {}}),
           Code::Unsupported, "txs[0].result.contract_result.result.consensus");
  }
  {  // … or a hash the light client does not support
    auto other = cfg;
    other.mutable_crypto()->set_hash("SHA3_256");
    expect(build({3, b2.hash, 0, kConfigBlock, f.b, {f.a, f.b, f.c, f.d}, {config_tx(other)}, {}}),
           Code::Unsupported, "txs[0].result.contract_result.result.crypto.hash");
  }
  // A block that names a config height the client has not verified (a skipped config block): refused.
  expect(build({10, sha256(bytes("block 9")), 3, kNormalBlock, f.b, {f.b, f.c, f.e}, {}, {}}),
         Code::ValidatorSetMismatch, "header.pre_conf_height");

  // A NORMAL block carrying a CHAIN_CONFIG transaction changes nothing.
  const Built n3 = build({3, b2.hash, 0, kNormalBlock, f.b, {f.a, f.b, f.c, f.d}, {config_tx(cfg)}, {}});
  auto rn = c.update(n3.block, kNow);
  REQUIRE(rn.has_value());
  CHECK_FALSE(rn->config_applied);
  CHECK(c.trust().config_height == 0);
  CHECK(trust_hash(c.trust()).value() == trust_before);
}

TEST_CASE("chainmaker config block: pinned certificates carry over for orgs and nodes still present") {
  const auto& f = fx();
  Chain3 ch = chain_to_config_block();
  LightClient& c = ch.client;
  // c.org keeps its pinned signing certificate and the pin of QmNodeC; QmNodeC9 left, so its pin is dropped.
  const OrgTrust& oc = org(c.trust(), kC);
  CHECK(oc.ca_certs == std::vector<Bytes>{bytes(f.ca_c_new->pem)});
  CHECK(oc.signing_certs == std::vector<Bytes>{bytes(f.c->pem)});
  REQUIRE(oc.node_certs.size() == 1);
  CHECK(oc.node_certs[0].first == kQmC);
  CHECK(oc.node_certs[0].second == bytes(f.c->pem));
  // Orgs without pins before get none.
  CHECK(org(c.trust(), kE).signing_certs.empty());
  CHECK(org(c.trust(), kE).node_certs.empty());

  // QmNodeC's pinned certificate (under c.org's OLD root, absent from the new config) is still accepted, pinned …
  LightClient accept = c;
  auto ok = accept.update(build({4, ch.b3.hash, 3, kNormalBlock, f.c, {f.b, f.c, f.e}, {}, {}}).block, kNow);
  REQUIRE(ok.has_value());
  CHECK(ok->block.counted_voters == std::vector<std::string>{kQmB, kQmC, kQmE});
  // … and the node pin still binds QmNodeC: a valid consensus certificate under c.org's new root is refused for it.
  const Error e = refused(c, build({4, ch.b3.hash, 3, kNormalBlock, f.b, {f.b, f.c2, f.e}, {}, {}}));
  CHECK(e.code == Code::VoterCert);
  CHECK(e.at == "qc.votes[1].endorsement");
  // The same certificate is fine as a proposer (no node id to bind): it chains to the new root.
  auto ok2 = c.update(build({4, ch.b3.hash, 3, kNormalBlock, f.c2, {f.b, f.c, f.e}, {}, {}}).block, kNow);
  CHECK(ok2.has_value());
}
