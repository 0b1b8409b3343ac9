// Shared helpers of the ChainMaker vector tests: the real v2.3.2 blocks of ../shared/vectors/chainmaker
// (SOURCES.md "chainmaker/") turned from their protobuf-JSON BlockInfo into binary common.Block with
// libprotobuf's JSON parser, and the trust configurations the tests use. Never copies vector files.
#pragma once

#include <google/protobuf/util/json_util.h>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "causeway/chainmaker/block.hpp"
#include "causeway/chainmaker/chainmaker.pb.h"
#include "causeway/chainmaker/client.hpp"
#include "vectors.hpp"

namespace cmv {

using namespace causeway;
using namespace causeway::chainmaker;

inline const std::string kDir = "chainmaker/pzy2000_ChineseChess-Chain/";
inline const std::string kBlock30 = kDir + "block_30_blockinfo.json";
inline const std::string kBlock3 = kDir + "block_3_blockinfo.json";
inline const std::string kCaFile = kDir + "chain1_org_ca_certs.json";

// SOURCES.md "Validator set": node id → org (observed from the vote certificates).
inline const std::vector<std::pair<std::string, std::string>> kNodes = {
    {"wx-org1.chainmaker.org", "QmVkqwwEEnfPjw7RiKoYUqN7hFN3tcQaG4aUJLZUF6U4L7"},
    {"wx-org2.chainmaker.org", "QmTKwyspT55Jcq8ien1JMyxckN6AmqgBpCz2vUZyp4NRdX"},
    {"wx-org3.chainmaker.org", "QmZGKPwu3K9uCdo3x4EsR5N4nmR4qpk7Q56RLzsNdHbKw8"},
    {"wx-org4.chainmaker.org", "QmUjC29VEBtRcD2jQv8kZLmJnqNeEjwjSJKe17zKuysUsJ"},
};

inline pb::BlockInfo load_info(const std::string& relative) {
  pb::BlockInfo info;
  google::protobuf::util::JsonParseOptions opts;
  auto st = google::protobuf::util::JsonStringToMessage(causeway::testing::read_vector_text(relative), &info, opts);
  if (!st.ok()) throw std::runtime_error("JSON→BlockInfo failed for " + relative + ": " + st.ToString());
  return info;
}

inline Bytes to_bytes(const google::protobuf::Message& m) {
  std::string s;
  m.SerializeToString(&s);
  return Bytes(s.begin(), s.end());
}

inline Block load_block(const std::string& relative) {
  auto b = decode_block(to_bytes(load_info(relative).block()));
  if (!b) throw std::runtime_error("decode_block: " + b.error().detail);
  return *b;
}

// The vote set of a block, decoded.
inline VoteSet qc_of(const Block& b) { return decode_vote_set(*b.qc).value(); }

// Consensus signing certificates (PEM) seen in a block: proposer and vote signers, by org.
inline std::map<std::string, Bytes> signing_certs_of(const Block& b) {
  std::map<std::string, Bytes> out;
  out[b.header.proposer.org_id] = b.header.proposer.member_info;
  for (const auto& e : qc_of(b).votes) out[e.vote.signer.org_id] = e.vote.signer.member_info;
  return out;
}

inline std::map<std::string, Bytes> org_cas() {
  auto j = causeway::testing::read_vector_json(kCaFile);
  std::map<std::string, Bytes> out;
  for (auto& [org, pem] : j["OrgCA"].items()) {
    const auto s = pem.get<std::string>();
    out[org] = Bytes(s.begin(), s.end());
  }
  return out;
}

// Trust-root mode: org1/org2 by their root CAs, org3/org4 by signing certificates pinned from `pin_from`
// (the OTHER block, never the block under test).
inline ChainTrust trust_with_pins(const Block& pin_from, std::uint64_t config_height) {
  ChainTrust t;
  t.chain_id = "chain1";
  t.config_height = config_height;
  const auto cas = org_cas();
  const auto pins = signing_certs_of(pin_from);
  for (const auto& [org, node] : kNodes) {
    OrgTrust o;
    o.org_id = org;
    o.node_ids = {node};
    if (auto ca = cas.find(org); ca != cas.end()) o.ca_certs.push_back(ca->second);
    else o.signing_certs.push_back(pins.at(org));
    t.orgs.push_back(std::move(o));
  }
  return t;
}

// CA-only mode: the four orgs and their node ids, trust roots for org1/org2 only (all that is known).
inline ChainTrust trust_ca_only(std::uint64_t config_height) {
  ChainTrust t;
  t.chain_id = "chain1";
  t.config_height = config_height;
  const auto cas = org_cas();
  for (const auto& [org, node] : kNodes) {
    OrgTrust o;
    o.org_id = org;
    o.node_ids = {node};
    if (auto ca = cas.find(org); ca != cas.end()) o.ca_certs.push_back(ca->second);
    t.orgs.push_back(std::move(o));
  }
  return t;
}

}  // namespace cmv
