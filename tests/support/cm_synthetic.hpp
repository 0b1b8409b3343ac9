// A synthetic signed ChainMaker v2 chain for tests (docs/chainmaker-light-client.md): no ChainMaker node runs here
// and the real vectors hold no config block and no PacketSent event, so tests generate, with OpenSSL, org root CAs
// (ECDSA P-256, self-signed, CA:TRUE) and consensus signing certificates (OU=consensus, issued by their org CA,
// ecdsa-with-SHA256), and build blocks with the project's protobuf messages: header hashed and signed by the
// proposer (ECDSA over SHA-256(block hash)), a TBFT PRECOMMIT VoteSet in
// additional_data.extra_data["TBFTAddtionalDataKey"], tx_root over the transactions (SHA256 chain).
//
// Deterministic: fixed private keys (SHA-256 of a label), fixed certificate validity and block times, no clock.
// OpenSSL 3.0's ECDSA signatures use a random nonce, so signature bytes (and so block hashes' QC bytes, not the
// block hashes) differ between runs; no verdict depends on them.
//
// Users: tests/unit/chainmaker/config_block_test.cpp (config-block transitions) and
// tests/integration/chainmaker_island/chainmaker_island_test.cpp (a push-mode island in a real Relay).
// Link: causeway::chainmaker causeway::chainmaker_pb OpenSSL::Crypto. Not thread-safe (fx() is a lazy static).
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "causeway/chainmaker/block.hpp"
#include "causeway/chainmaker/chainmaker.pb.h"
#include "causeway/chainmaker/client.hpp"
#include "causeway/core/bytes.hpp"

namespace causeway::testing::cmsynth {

using namespace causeway::chainmaker;  // NOLINT: the generator speaks the light client's types

constexpr std::int64_t kNotBefore = 1'700'000'000;  // certificate validity (2023-11-14 … 2030-03-17)
constexpr std::int64_t kNotAfter = 1'900'000'000;
constexpr std::int64_t kT0 = 1'750'000'000;         // block h is stamped kT0 + 10·h
constexpr std::int64_t kNow = kT0 + 100'000;        // the verifier's "now" (fixed)
constexpr std::uint32_t kVersion = 2030200;         // v2.3.2, as the real blocks
inline const std::string kChain = "synth1";

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;

std::string str(ByteView b);
Bytes bytes(const std::string& s);

// A P-256 key pair whose private scalar is SHA-256("causeway/chainmaker-config-test/" ‖ label).
Pkey p256_key(const std::string& label);
// DER ECDSA over SHA-256(message), as a ChainMaker cert member signs.
Bytes sign(EVP_PKEY* key, ByteView message);

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
  // An org root CA (OU root-cert, CN ca.<label>).
  Ca& ca(const std::string& org, const std::string& label);
  // A signing certificate issued by `issuer` (OU `ou`, CN `label`) for node id `node`.
  const Signer& signer(const Ca& issuer, const std::string& node, const std::string& label,
                       const std::string& ou = "consensus");
};

inline const std::string kA = "a.org", kB = "b.org", kC = "c.org", kD = "d.org", kE = "e.org";
inline const std::string kQmA = "QmNodeA", kQmB = "QmNodeB", kQmC = "QmNodeC", kQmC9 = "QmNodeC9", kQmD = "QmNodeD",
                         kQmE = "QmNodeE";

// The synthetic chain's identities.
//   genesis config (height 0): a.org [QmNodeA] CA_A; b.org [QmNodeB] CA_B; c.org [QmNodeC, QmNodeC9] no CA in the
//     trust, signing certificate C pinned and node pins QmNodeC → C, QmNodeC9 → C9; d.org [QmNodeD] CA_D.  N = 5.
//   next_config() (installed by a config block): b.org [QmNodeB] CA_B; c.org [QmNodeC] CA_Cnew; d.org [QmNodeD]
//     CA_D2 (root rotated); e.org [QmNodeE] CA_E (new org).  a.org and node QmNodeC9 leave.  N = 4.
struct Fixture {
  Pki pki;
  const Ca *ca_a, *ca_b, *ca_c, *ca_c_new, *ca_d, *ca_d2, *ca_e;
  const Signer *a, *b, *b_client, *c, *c9, *c2, *d, *d2, *e;
  Fixture();
  ChainTrust genesis() const;
  pb::ChainConfig next_config() const;
};
const Fixture& fx();

// A transaction of kChain (timestamp kT0, gas_used 100) with result code `code` and contract result `result`.
pb::Transaction make_tx(const std::string& id, const std::string& contract, const std::string& method,
                        const std::string& result, std::int32_t code = 0);
// A CHAIN_CONFIG CORE_UPDATE transaction carrying `cfg`.
pb::Transaction config_tx(const pb::ChainConfig& cfg, std::int32_t code = 0, const std::string& contract = "CHAIN_CONFIG");
// Appends a ContractEvent {topic, tx_id = the tx's, contract_name, contract_version "1.0", event_data} to the
// transaction's contract result.
void add_event(pb::Transaction& tx, const std::string& topic, const std::string& contract_name,
               const std::vector<std::string>& event_data);

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
  Block block;         // decoded by the library exactly as a relay decodes the chain's bytes
  Hash32 hash;
  pb::Block message;   // the signed block as the chain holds it
};

// tx_root over `txs` (SHA256, tx hashes by the rule of `block_version`).
Hash32 root_of(const std::vector<pb::Transaction>& txs, std::uint32_t block_version = kVersion);
// A signed block (timestamp kT0 + 10·height) with its TBFT QC, stamped `block_version` (default the real blocks').
Built build(Spec s, std::uint32_t block_version = kVersion);
// The block as ChainMaker's RPC returns it: protobuf-JSON BlockInfo {"block": …} (proto field names, bytes base64).
std::string block_info_json(const Built& b);

}  // namespace causeway::testing::cmsynth
