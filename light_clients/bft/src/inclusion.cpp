#include "causeway/bft/inclusion.hpp"

#include <string>

#include "causeway/bft/rfc6962_suite.hpp"

namespace causeway::bft {

Status verify_inclusion(Suite s, const ConsensusState& cs, const InclusionClaim& claim) {
  if (claim.height != cs.height)
    return fail(Code::UnknownHeader, "claim is for height " + std::to_string(claim.height) + ", header is at " +
                                         std::to_string(cs.height), "height");
  const bool tx = claim.tree == Tree::Tx;
  const std::uint64_t count = tx ? cs.tx_count : cs.event_count;
  if (claim.tree_size != count)
    return fail(Code::MerkleIndex, std::string("tree_size ") + std::to_string(claim.tree_size) + " differs from the header's " +
                                       (tx ? "tx_count " : "event_count ") + std::to_string(count), "tree_size");
  if (claim.audit_path.size() > rfc6962::kMaxProofElements)
    return fail(Code::InclusionProof, "audit path has more than 64 elements", "audit_path");
  std::vector<ByteView> path;
  path.reserve(claim.audit_path.size());
  for (const auto& p : claim.audit_path) path.emplace_back(p);
  const Hash32 leaf = rfc6962::leaf_hash(s, claim.leaf);
  const Hash32& root = tx ? cs.tx_root : cs.event_root;
  return rfc6962::verify_inclusion(s, claim.index, claim.tree_size, leaf.view(), std::span<const ByteView>(path),
                                   root.view());
}

Bytes packet_sent_leaf(ByteView packet_bytes) {
  Bytes out{0x01};
  append(out, packet_bytes);
  return out;
}

Bytes ack_written_leaf(ByteView ack_bytes) {
  Bytes out{0x02};
  append(out, ack_bytes);
  return out;
}

Bytes packet_received_leaf(const Hash32& commitment, const Hash32& ack_commitment) {
  Bytes out{0x03};
  append(out, commitment.view());
  append(out, ack_commitment.view());
  return out;
}

}  // namespace causeway::bft
