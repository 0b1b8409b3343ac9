// The synthetic signed ChainMaker chain: see cm_synthetic.hpp.
#include "cm_synthetic.hpp"

#include <google/protobuf/util/json_util.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <stdexcept>
#include <tuple>

#include "causeway/core/hash.hpp"

namespace causeway::testing::cmsynth {
namespace {

void require(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("OpenSSL test setup failed: ") + what);
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

}  // namespace

std::string str(ByteView b) { return std::string(b.begin(), b.end()); }
Bytes bytes(const std::string& s) { return Bytes(s.begin(), s.end()); }

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

Ca& Pki::ca(const std::string& org, const std::string& label) {
  auto c = std::make_unique<Ca>();
  c->org = org;
  c->key = p256_key(label);
  c->cert = make_cert(c->key.get(), org, "root-cert", "ca." + label, serial++, nullptr, nullptr);
  c->pem = pem_of(c->cert.get());
  cas.push_back(std::move(c));
  return *cas.back();
}

const Signer& Pki::signer(const Ca& issuer, const std::string& node, const std::string& label, const std::string& ou) {
  auto s = std::make_unique<Signer>();
  s->org = issuer.org;
  s->node = node;
  s->key = p256_key(label);
  X509Ptr cert = make_cert(s->key.get(), issuer.org, ou, label, serial++, issuer.cert.get(), issuer.key.get());
  s->pem = pem_of(cert.get());
  signers.push_back(std::move(s));
  return *signers.back();
}

Fixture::Fixture() {
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

ChainTrust Fixture::genesis() const {
  ChainTrust t;
  t.chain_id = kChain;
  t.config_height = 0;
  t.orgs.push_back(OrgTrust{kA, {kQmA}, {bytes(ca_a->pem)}, {}, {}});
  t.orgs.push_back(OrgTrust{kB, {kQmB}, {bytes(ca_b->pem)}, {}, {}});
  t.orgs.push_back(OrgTrust{kC, {kQmC, kQmC9}, {}, {bytes(c->pem)}, {{kQmC, bytes(c->pem)}, {kQmC9, bytes(c9->pem)}}});
  t.orgs.push_back(OrgTrust{kD, {kQmD}, {bytes(ca_d->pem)}, {}, {}});
  return t;
}

pb::ChainConfig Fixture::next_config() const {
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

const Fixture& fx() {
  static const Fixture f;
  return f;
}

pb::Transaction make_tx(const std::string& id, const std::string& contract, const std::string& method,
                        const std::string& result, std::int32_t code) {
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

pb::Transaction config_tx(const pb::ChainConfig& cfg, std::int32_t code, const std::string& contract) {
  return make_tx("cfg-tx", contract, "CORE_UPDATE", cfg.SerializeAsString(), code);
}

void add_event(pb::Transaction& tx, const std::string& topic, const std::string& contract_name,
               const std::vector<std::string>& event_data) {
  auto* e = tx.mutable_result()->mutable_contract_result()->add_contract_event();
  e->set_topic(topic);
  e->set_tx_id(tx.payload().tx_id());
  e->set_contract_name(contract_name);
  e->set_contract_version("1.0");
  for (const auto& d : event_data) e->add_event_data(d);
}

Hash32 root_of(const std::vector<pb::Transaction>& txs, std::uint32_t block_version) {
  std::vector<Hash32> leaves;
  for (const auto& t : txs)
    leaves.push_back(
        tx_hash(HashType::Sha256, decode_transaction(bytes(t.SerializeAsString()), block_version).value()));
  return merkle_root(HashType::Sha256, leaves).value();
}

Built build(Spec s, std::uint32_t block_version) {
  if (s.txs.empty()) s.txs.push_back(make_tx("tx-" + std::to_string(s.height), "T", "invoke", "ok"));
  pb::Block b;
  auto* h = b.mutable_header();
  h->set_block_version(block_version);
  h->set_block_type(static_cast<pb::BlockType>(s.type));
  h->set_chain_id(kChain);
  h->set_block_height(s.height);
  h->set_pre_block_hash(str(s.prev.view()));
  h->set_pre_conf_height(s.pre_conf);
  h->set_tx_count(static_cast<std::uint32_t>(s.txs.size()));
  h->set_tx_root(str(root_of(s.root_txs.empty() ? s.txs : s.root_txs, block_version).view()));
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
  return Built{decode_block(bytes(b.SerializeAsString())).value(), hash, b};
}

std::string block_info_json(const Built& b) {
  pb::BlockInfo info;
  *info.mutable_block() = b.message;
  google::protobuf::util::JsonPrintOptions opts;
  opts.preserve_proto_field_names = true;
  std::string out;
  const auto st = google::protobuf::util::MessageToJsonString(info, &out, opts);
  if (!st.ok()) throw std::runtime_error("BlockInfo to JSON: " + st.ToString());
  return out;
}

}  // namespace causeway::testing::cmsynth
