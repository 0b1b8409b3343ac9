// The FISCO BCOS family plug-in (bft codecs fisco-bcos/v2 and fisco-bcos/v3): see causeway/engine/family.hpp and
// docs/islands/fisco-bcos.md. A push-mode island: its gateway pushes blocks as header documents
// (Relay::accept_headers → relay/proofs verify_fisco_headers → light_clients/fisco); packets are not taken in yet.
#include <string>

#include <nlohmann/json.hpp>

#include "causeway/engine/family.hpp"
#include "family_util.hpp"

namespace causeway::engine {
namespace {

class FiscoPlugin final : public FamilyPlugin {
 public:
  std::string name() const override { return "bft/fisco-bcos"; }
  bool engine_checks_trusting_period() const override { return true; }  // A21: the documents carry no period
  bool handles(const domain::IslandSpec& s) const override {
    return s.family == domain::Family::Bft && (s.codec == "fisco-bcos/v2" || s.codec == "fisco-bcos/v3");
  }
  // anchor.extra = the sealer-set hash (fisco::SealerSet::hash) of the anchor's sealers, weights and hash algorithm:
  // what verify_fisco_headers / a fisco bundle verified from that anchor reports as anchor.validator_set_hash.
  Result<ConsensusState> anchor_state(const domain::IslandSpec& s) const override {
    return quorum_anchor_state(s,
                               "a " + s.codec +
                                   " anchor's extra is its sealer-set hash (32 bytes: anchor.validator_set_hash of a "
                                   "bundle or header document verified from the anchor)");
  }
  Result<BundleFacts> read_bundle(const domain::IslandSpec& s, const nlohmann::json& doc,
                                  const nlohmann::json&) const override {
    if (doc.value("family", "") != "bft" || doc.value("codec", "") != s.codec)
      return fail(Code::IslandMismatch, "bundle family/codec is not the island's registered " + s.codec, "codec");
    return fail(Code::Unsupported,
                "FISCO BCOS packets are not taken in yet: a packet is a PacketSent EVM log in a transaction receipt, "
                "and no real data confirms how a receipt hash binds its logs — v3 hashes each log's address in a "
                "stored string form no real receipt with logs shows, and the v2 receipt RLP and trie of 2.9+ "
                "(remainGas) are unconfirmed (shared/formats/consortium-chains.md B.2-B.4; an unconfirmed rule is "
                "refused rather than guessed)",
                "inclusion");
  }
};

}  // namespace

std::unique_ptr<FamilyPlugin> make_fisco_plugin() { return std::make_unique<FiscoPlugin>(); }

}  // namespace causeway::engine
