// ChainMaker config-block transitions (docs/chainmaker-light-client.md "Light client") on a synthetic signed chain:
// no real config block is available (../shared/vectors/SOURCES.md "chainmaker/"), so this test generates, with
// OpenSSL, org root CAs (ECDSA P-256, self-signed, CA:TRUE) and consensus signing certificates (OU=consensus, issued
// by their org CA, ecdsa-with-SHA256), and builds blocks with the project's protobuf messages: header hashed and
// signed by the proposer (ECDSA over SHA-256(block hash)), a TBFT PRECOMMIT VoteSet in
// additional_data.extra_data["TBFTAddtionalDataKey"], tx_root over the transactions. A CONFIG block carries a
// CHAIN_CONFIG transaction whose contract_result.result is a config.ChainConfig changing the consensus node set and
// the trust roots.
//
// Deterministic: fixed private keys (SHA-256 of a label), fixed certificate validity and block times, no clock.
// OpenSSL 3.0's ECDSA signatures use a random nonce, so signature bytes differ between runs; no verdict depends on
// them.
#include <catch2/catch.hpp>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "causeway/chainmaker/block.hpp"
#include "causeway/chainmaker/chainmaker.pb.h"
#include "causeway/chainmaker/client.hpp"
#include "causeway/core/hash.hpp"

using namespace causeway;
using namespace causeway::chainmaker;

namespace {

constexpr std::int64_t kNotBefore = 1'700'000'000;  // certificate validity (2023-11-14 … 2030-03-17)
constexpr std::int64_t kNotAfter = 1'900'000'000;
constexpr std::int64_t kT0 = 1'750'000'000;         // block h is stamped kT0 + 10·h
constexpr std::int64_t kNow = kT0 + 100'000;        // the verifier's "now" (fixed)
constexpr std::uint32_t kVersion = 2030200;         // v2.3.2, as the real blocks
const std::string kChain = "synth1";

void require(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("OpenSSL test setup failed: ") + what);
}

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;

std::string str(ByteView b) { return std::string(b.begin(), b.end()); }
Bytes bytes(const std::string& s) { return Bytes(s.begin(), s.end()); }

// A P-256 key pair whose private scalar is SHA-256(label) (fixed; below the group order for these labels).
Pkey p256_key(const std::string& label) {
  const Hash32 d = sha256(bytes("causeway/chainmaker-config-test/" + label));
  EC_GROUP* group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
  BIGNUM* priv = BN_bin2bn(d.data(), 32, nullptr);
  EC_POINT* pub = EC_POINT_new(group);
  require(group && priv && pub && EC_POINT_mul(group, pub, priv, nullptr, nullptr, nullptr) == 1, "EC_POINT_mul");
  unsigned char point[65];
  require(EC_POINT_point2oct(group, pub, POINT_CONVERSION_UNCOMPRESSED, point, sizeof point, nullptr) == 65, "point2oct");
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  require(bld && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) == 1 &&
              OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv) == 1 &&
              OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point) == 1,
          "param build");
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
  EVP_PKEY* key = nullptr;
  require(params && ctx && EVP_PKEY_fromdata_init(ctx) == 1 && EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_KEYPAIR, params) == 1,
          "EVP_PKEY_fromdata");
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  EC_POINT_free(pub);
  BN_free(priv);
  EC_GROUP_free(group);
  return Pkey(key);
}

// DER ECDSA over SHA-256(message), as a ChainMaker cert member signs.
Bytes sign(EVP_PKEY* key, ByteView message) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::size_t len = 0;
  require(ctx && EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
              EVP_DigestSign(ctx, nullptr, &len, message.data(), message.size()) == 1,
          "DigestSignInit");
  Bytes sig(len);
  require(EVP_DigestSign(ctx, sig.data(), &len, message.data(), message.size()) == 1, "DigestSign");
  sig.resize(len);
  EVP_MD_CTX_free(ctx);
  return sig;
}

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  require(ext && X509_add_ext(cert, ext, -1) == 1, "X509_add_ext");
  X509_EXTENSION_free(ext);
}

// An X.509 v3 certificate, ChainMaker style: O = org, OU = role, CN; signed ecdsa-with-SHA256 by `issuer_key`
// (self-signed when issuer is null). Validity [kNotBefore, kNotAfter].
X509Ptr make_cert(EVP_PKEY* key, const std::string& org, const std::string& ou, const std::string& cn, long serial,
                  X509* issuer, EVP_PKEY* issuer_key) {
  X509Ptr x(X509_new());
  require(x && X509_set_version(x.get(), 2) == 1 && ASN1_INTEGER_set(X509_get_serialNumber(x.get()), serial) == 1,
          "X509_new");
  require(ASN1_TIME_set(X509_getm_notBefore(x.get()), static_cast<time_t>(kNotBefore)) != nullptr &&
              ASN1_TIME_set(X509_getm_notAfter(x.get()), static_cast<time_t>(kNotAfter)) != nullptr,
          "validity");
  X509_NAME* name = X509_get_subject_name(x.get());
  auto entry = [&](const char* field, const std::string& v) {
    require(X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(v.c_str()),
                                       -1, -1, 0) == 1,
            "name");
  };
  entry("C", "CN");
  entry("O", org);
  entry("OU", ou);
  entry("CN", cn);
  require(X509_set_issuer_name(x.get(), issuer ? X509_get_subject_name(issuer) : name) == 1, "issuer");
  require(X509_set_pubkey(x.get(), key) == 1, "pubkey");
  X509* iss = issuer ? issuer : x.get();
  add_ext(x.get(), iss, NID_basic_constraints, issuer ? "critical,CA:FALSE" : "critical,CA:TRUE");
  add_ext(x.get(), iss, NID_key_usage, issuer ? "critical,digitalSignature" : "critical,keyCertSign,cRLSign");
  add_ext(x.get(), iss, NID_subject_key_identifier, "hash");
  require(X509_sign(x.get(), issuer ? issuer_key : key, EVP_sha256()) > 0, "X509_sign");
  return x;
}

std::string pem_of(X509* x) {
  BIO* bio = BIO_new(BIO_s_mem());
  require(bio && PEM_write_bio_X509(bio, x) == 1, "PEM_write");
  char* data = nullptr;
  const long n = BIO_ctrl(bio, BIO_CTRL_INFO, 0, &data);  // BIO_get_mem_data
  std::string out(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  return out;
}

struct Ca {
  std::string org;
  Pkey key;
  X509Ptr cert;
  std::string pem;
};

// A consensus signer: the node id it votes as, its org and its signing certificate + key.
struct Signer {
  std::string org, node;
  Pkey key;
  std::string pem;
  Member member() const { return Member{org, kMemberCert, bytes(pem)}; }
};

struct Pki {
  std::vector<std::unique_ptr<Ca>> cas;
  std::vector<std::unique_ptr<Signer>> signers;
  long serial = 1;

  Ca& ca(const std::string& org, const std::string& label) {
    auto c = std::make_unique<Ca>();
    c->org = org;
    c->key = p256_key(label);
    c->cert = make_cert(c->key.get(), org, "root-cert", "ca." + label, serial++, nullptr, nullptr);
    c->pem = pem_of(c->cert.get());
    cas.push_back(std::move(c));
    return *cas.back();
  }
  const Signer& signer(const Ca& issuer, const std::string& node, const std::string& label,
                       const std::string& ou = "consensus") {
    auto s = std::make_unique<Signer>();
    s->org = issuer.org;
    s->node = node;
    s->key = p256_key(label);
    X509Ptr cert = make_cert(s->key.get(), issuer.org, ou, label, serial++, issuer.cert.get(), issuer.key.get());
    s->pem = pem_of(cert.get());
    signers.push_back(std::move(s));
    return *signers.back();
  }
};

const std::string kA = "a.org", kB = "b.org", kC = "c.org", kD = "d.org", kE = "e.org";
const std::string kQmA = "QmNodeA", kQmB = "QmNodeB", kQmC = "QmNodeC", kQmC9 = "QmNodeC9", kQmD = "QmNodeD",
                  kQmE = "QmNodeE";

// The synthetic chain's identities.
//   genesis config (height 0): a.org [QmNodeA] CA_A; b.org [QmNodeB] CA_B; c.org [QmNodeC, QmNodeC9] no CA in the
//     trust, signing certificate C pinned and node pins QmNodeC → C, QmNodeC9 → C9; d.org [QmNodeD] CA_D.  N = 5.
//   config block 3: b.org [QmNodeB] CA_B; c.org [QmNodeC] CA_Cnew; d.org [QmNodeD] CA_D2 (root rotated);
//     e.org [QmNodeE] CA_E (new org).  a.org and node QmNodeC9 leave.  N = 4.
struct Fixture {
  Pki pki;
  const Ca *ca_a, *ca_b, *ca_c, *ca_c_new, *ca_d, *ca_d2, *ca_e;
  const Signer *a, *b, *b_client, *c, *c9, *c2, *d, *d2, *e;
  Fixture() {
    ca_a = &pki.ca(kA, "a");
    ca_b = &pki.ca(kB, "b");
    ca_c = &pki.ca(kC, "c");
    ca_c_new = &pki.ca(kC, "c-new");
    ca_d = &pki.ca(kD, "d");
    ca_d2 = &pki.ca(kD, "d2");
    ca_e = &pki.ca(kE, "e");
    a = &pki.signer(*ca_a, kQmA, "consensus1.sign.a");
    b = &pki.signer(*ca_b, kQmB, "consensus1.sign.b");
    b_client = &pki.signer(*ca_b, kQmB, "client1.sign.b", "client");
    c = &pki.signer(*ca_c, kQmC, "consensus1.sign.c");
    c9 = &pki.signer(*ca_c, kQmC9, "consensus9.sign.c");
    c2 = &pki.signer(*ca_c_new, kQmC, "consensus2.sign.c");  // a valid consensus cert under c.org's NEW root
    d = &pki.signer(*ca_d, kQmD, "consensus1.sign.d");
    d2 = &pki.signer(*ca_d2, kQmD, "consensus2.sign.d");
    e = &pki.signer(*ca_e, kQmE, "consensus1.sign.e");
  }

  ChainTrust genesis() const {
    ChainTrust t;
    t.chain_id = kChain;
    t.config_height = 0;
    t.orgs.push_back(OrgTrust{kA, {kQmA}, {bytes(ca_a->pem)}, {}, {}});
    t.orgs.push_back(OrgTrust{kB, {kQmB}, {bytes(ca_b->pem)}, {}, {}});
    t.orgs.push_back(OrgTrust{kC, {kQmC, kQmC9}, {}, {bytes(c->pem)}, {{kQmC, bytes(c->pem)}, {kQmC9, bytes(c9->pem)}}});
    t.orgs.push_back(OrgTrust{kD, {kQmD}, {bytes(ca_d->pem)}, {}, {}});
    return t;
  }

  // The ChainConfig that config block 3 installs.
  pb::ChainConfig next_config() const {
    pb::ChainConfig cfg;
    cfg.set_chain_id(kChain);
    cfg.set_version("v2.3.2");
    cfg.set_auth_type("permissionedWithCert");
    cfg.set_sequence(1);
    cfg.mutable_crypto()->set_hash("SHA256");
    cfg.mutable_consensus()->set_type(pb::TBFT);
    for (const auto& [org, node, ca] : {std::tuple{kB, kQmB, ca_b}, std::tuple{kC, kQmC, ca_c_new},
                                        std::tuple{kD, kQmD, ca_d2}, std::tuple{kE, kQmE, ca_e}}) {
      auto* n = cfg.mutable_consensus()->add_nodes();
      n->set_org_id(org);
      n->add_node_id(node);
      auto* r = cfg.add_trust_roots();
      r->set_org_id(org);
      r->add_root(ca->pem);
    }
    return cfg;
  }
};

const Fixture& fx() {
  static const Fixture f;
  return f;
}

pb::Transaction make_tx(const std::string& id, const std::string& contract, const std::string& method,
                        const std::string& result, std::int32_t code = 0) {
  pb::Transaction t;
  t.mutable_payload()->set_chain_id(kChain);
  t.mutable_payload()->set_tx_id(id);
  t.mutable_payload()->set_timestamp(kT0);
  t.mutable_payload()->set_contract_name(contract);
  t.mutable_payload()->set_method(method);
  t.mutable_result()->set_code(code);
  t.mutable_result()->mutable_contract_result()->set_result(result);
  t.mutable_result()->mutable_contract_result()->set_gas_used(100);
  return t;
}

pb::Transaction config_tx(const pb::ChainConfig& cfg, std::int32_t code = 0, const std::string& contract = "CHAIN_CONFIG") {
  return make_tx("cfg-tx", contract, "CORE_UPDATE", cfg.SerializeAsString(), code);
}

struct Spec {
  std::uint64_t height = 0;
  Hash32 prev;
  std::uint64_t pre_conf = 0;
  std::uint32_t type = kNormalBlock;
  const Signer* proposer = nullptr;
  std::vector<const Signer*> voters;       // PRECOMMIT votes for the block, in this order
  std::vector<pb::Transaction> txs;        // default: one ordinary transaction
  std::vector<pb::Transaction> root_txs;   // tx_root computed over these instead (a block whose txs do not match)
};

struct Built {
  Block block;
  Hash32 hash;
};

Hash32 root_of(const std::vector<pb::Transaction>& txs) {
  std::vector<Hash32> leaves;
  for (const auto& t : txs) leaves.push_back(tx_hash(HashType::Sha256, decode_transaction(bytes(t.SerializeAsString()), kVersion).value()));
  return merkle_root(HashType::Sha256, leaves).value();
}

// A signed block with its TBFT QC, decoded by the library exactly as a relay would decode the chain's bytes.
Built build(Spec s) {
  if (s.txs.empty()) s.txs.push_back(make_tx("tx-" + std::to_string(s.height), "T", "invoke", "ok"));
  pb::Block b;
  auto* h = b.mutable_header();
  h->set_block_version(kVersion);
  h->set_block_type(static_cast<pb::BlockType>(s.type));
  h->set_chain_id(kChain);
  h->set_block_height(s.height);
  h->set_pre_block_hash(str(s.prev.view()));
  h->set_pre_conf_height(s.pre_conf);
  h->set_tx_count(static_cast<std::uint32_t>(s.txs.size()));
  h->set_tx_root(str(root_of(s.root_txs.empty() ? s.txs : s.root_txs).view()));
  b.mutable_dag()->add_vertexes();
  h->set_dag_hash(str(sha256(bytes(b.dag().SerializeAsString())).view()));
  h->set_block_timestamp(kT0 + static_cast<std::int64_t>(10 * s.height));
  h->mutable_proposer()->set_org_id(s.proposer->org);
  h->mutable_proposer()->set_member_type(pb::CERT);
  h->mutable_proposer()->set_member_info(s.proposer->pem);
  for (const auto& t : s.txs) *b.add_txs() = t;

  const Hash32 hash = block_hash(HashType::Sha256, decode_block(bytes(b.SerializeAsString())).value().header);
  h->set_block_hash(str(hash.view()));
  h->set_signature(str(sign(s.proposer->key.get(), hash.view())));

  VoteSet qc;
  qc.type = kVotePrecommit;
  qc.height = s.height;
  qc.round = 0;
  qc.sum = s.voters.size();
  qc.maj23 = Bytes(hash.b.begin(), hash.b.end());
  for (const Signer* v : s.voters) {
    Vote vote;
    vote.type = kVotePrecommit;
    vote.voter = v->node;
    vote.height = s.height;
    vote.round = 0;
    vote.hash = Bytes(hash.b.begin(), hash.b.end());
    vote.signer = v->member();
    vote.signature = sign(v->key.get(), vote_sign_bytes(vote));
    qc.votes.push_back(VoteEntry{v->node, vote});
  }
  (*b.mutable_additional_data()->mutable_extra_data())[std::string(kTbftAdditionalDataKey)] = str(encode_vote_set(qc));
  return Built{decode_block(bytes(b.SerializeAsString())).value(), hash};
}

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
