// A ChainMaker chain trust (light_clients/chainmaker ChainTrust) as the `orgs` array of a chainmaker/v2 bundle or
// header document's anchor (docs/proof-bundles.md "bft / chainmaker/v2"): org ids, node ids, CA / signing / pinned
// node certificates as PEM text. Test support shared by the chainmaker bundle and island tests.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "causeway/chainmaker/client.hpp"

namespace causeway::testing {

inline nlohmann::json orgs_json(const chainmaker::ChainTrust& t) {
  const auto pem = [](const Bytes& b) { return std::string(b.begin(), b.end()); };
  nlohmann::json orgs = nlohmann::json::array();
  for (const auto& o : t.orgs) {
    nlohmann::json j = {{"org_id", o.org_id}, {"node_ids", o.node_ids}};
    if (!o.ca_certs.empty()) {
      j["ca_certs"] = nlohmann::json::array();
      for (const auto& c : o.ca_certs) j["ca_certs"].push_back(pem(c));
    }
    if (!o.signing_certs.empty()) {
      j["signing_certs"] = nlohmann::json::array();
      for (const auto& c : o.signing_certs) j["signing_certs"].push_back(pem(c));
    }
    if (!o.node_certs.empty()) {
      j["node_certs"] = nlohmann::json::object();
      for (const auto& [node, c] : o.node_certs) j["node_certs"][node] = pem(c);
    }
    orgs.push_back(j);
  }
  return orgs;
}

}  // namespace causeway::testing
