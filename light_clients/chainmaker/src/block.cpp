// ChainMaker v2.x block codec: libprotobuf decoding into the typed structs of block.hpp, canonical
// re-encoding for every hash, and the ChainMaker Merkle tree. See block.hpp for the rules.
#include "causeway/chainmaker/block.hpp"

#include <cassert>
#include <string>

#include "causeway/chainmaker/chainmaker.pb.h"
#include "causeway/core/hash.hpp"
#include "pb_util.hpp"

namespace causeway::chainmaker {

std::string_view hash_type_name(HashType h) noexcept { return h == HashType::Sm3 ? "SM3" : "SHA256"; }

Result<HashType> parse_hash_type(std::string_view name) {
  if (name == "SHA256") return HashType::Sha256;
  if (name == "SM3") return HashType::Sm3;
  return fail(Code::Unsupported, "hash type '" + std::string(name) + "' is not supported (SHA256, SM3)");
}

Hash32 hash(HashType h, ByteView data) { return h == HashType::Sm3 ? sm3(data) : sha256(data); }

namespace detail {

Member member_of(const pb::Member& m) {
  return Member{m.org_id(), static_cast<std::uint32_t>(m.member_type()), bytes_of(m.member_info())};
}

void to_pb(const Member& m, pb::Member& out) {
  out.set_org_id(m.org_id);
  out.set_member_type(static_cast<pb::MemberType>(m.member_type));
  out.set_member_info(std::string(m.member_info.begin(), m.member_info.end()));
}

Header header_of(const pb::BlockHeader& h) {
  Header out;
  out.block_version = h.block_version();
  out.block_type = static_cast<std::uint32_t>(h.block_type());
  out.chain_id = h.chain_id();
  out.height = h.block_height();
  out.block_hash = bytes_of(h.block_hash());
  out.pre_block_hash = bytes_of(h.pre_block_hash());
  out.pre_conf_height = h.pre_conf_height();
  out.tx_count = h.tx_count();
  out.tx_root = bytes_of(h.tx_root());
  out.dag_hash = bytes_of(h.dag_hash());
  out.rw_set_root = bytes_of(h.rw_set_root());
  out.timestamp_s = h.block_timestamp();
  out.consensus_args = bytes_of(h.consensus_args());
  if (h.has_proposer()) out.proposer = member_of(h.proposer());
  out.signature = bytes_of(h.signature());
  return out;
}

Result<Transaction> transaction_of(const pb::Transaction& t, std::uint32_t block_version) {
  Transaction out;
  out.chain_id = t.payload().chain_id();
  out.tx_id = t.payload().tx_id();
  out.contract_name = t.payload().contract_name();
  out.method = t.payload().method();
  out.status = t.result().code();
  const auto& cr = t.result().contract_result();
  out.contract_code = cr.code();
  out.contract_result = bytes_of(cr.result());
  for (const auto& e : cr.contract_event()) {
    ContractEvent ev{e.topic(), e.tx_id(), e.contract_name(), e.contract_version(), {}};
    ev.event_data.assign(e.event_data().begin(), e.event_data().end());
    out.events.push_back(std::move(ev));
  }
  out.rw_set_hash = bytes_of(t.result().rw_set_hash());
  if (block_version >= kGasZeroedFromVersion && t.has_result() && t.result().has_contract_result() &&
      t.result().contract_result().gas_used() != 0) {
    pb::Transaction copy = t;
    copy.mutable_result()->mutable_contract_result()->set_gas_used(0);
    out.hash_preimage = serialize(copy);
  } else {
    out.hash_preimage = serialize(t);
  }
  return out;
}

}  // namespace detail

using detail::bytes_of;
using detail::serialize;

Result<Block> decode_block(ByteView block_bytes) {
  if (block_bytes.size() > kMaxBlockBytes) return fail(Code::TooLarge, "block over " + std::to_string(kMaxBlockBytes) + " bytes");
  pb::Block b;
  if (!detail::parse(b, block_bytes)) return fail(Code::ProtobufDecode, "not a ChainMaker common.Block");
  if (!b.has_header()) return fail(Code::ProtobufDecode, "block has no header");
  if (static_cast<std::size_t>(b.txs_size()) > kMaxTransactions) return fail(Code::TooLarge, "too many transactions");
  Block out;
  out.header = detail::header_of(b.header());
  out.txs.reserve(static_cast<std::size_t>(b.txs_size()));
  for (const auto& t : b.txs()) {
    auto tx = detail::transaction_of(t, out.header.block_version);
    if (!tx) return tl::unexpected(tx.error());
    out.txs.push_back(std::move(*tx));
  }
  out.dag_preimage = serialize(b.dag());
  if (b.has_additional_data()) {
    const auto& extra = b.additional_data().extra_data();
    auto it = extra.find(std::string(kTbftAdditionalDataKey));
    if (it != extra.end()) out.qc = bytes_of(it->second);
  }
  return out;
}

Result<Transaction> decode_transaction(ByteView tx_bytes, std::uint32_t block_version) {
  if (tx_bytes.size() > kMaxBlockBytes) return fail(Code::TooLarge, "transaction too large");
  pb::Transaction t;
  if (!detail::parse(t, tx_bytes)) return fail(Code::ProtobufDecode, "not a ChainMaker common.Transaction");
  return detail::transaction_of(t, block_version);
}

Result<VoteSet> decode_vote_set(ByteView bytes) {
  if (bytes.size() > kMaxVoteSetBytes) return fail(Code::TooLarge, "vote set over " + std::to_string(kMaxVoteSetBytes) + " bytes");
  pb::VoteSet s;
  if (!detail::parse(s, bytes)) return fail(Code::ProtobufDecode, "additional data is not a tbft.VoteSet");
  if (static_cast<std::size_t>(s.votes_size()) > kMaxVotes) return fail(Code::TooLarge, "too many votes");
  VoteSet out;
  out.type = static_cast<std::uint32_t>(s.type());
  out.height = s.height();
  out.round = s.round();
  out.sum = s.sum();
  out.maj23 = bytes_of(s.maj23());
  for (const auto& e : s.votes()) {
    const auto& v = e.value();
    Vote vote;
    vote.type = static_cast<std::uint32_t>(v.type());
    vote.voter = v.voter();
    vote.height = v.height();
    vote.round = v.round();
    vote.hash = bytes_of(v.hash());
    if (v.endorsement().has_signer()) vote.signer = detail::member_of(v.endorsement().signer());
    vote.signature = bytes_of(v.endorsement().signature());
    vote.invalid_txs.assign(v.invalidtxs().begin(), v.invalidtxs().end());
    out.votes.push_back(VoteEntry{e.key(), std::move(vote)});
  }
  return out;
}

namespace {

pb::BlockHeader header_pb(const Header& h, bool for_hash) {
  pb::BlockHeader p;
  p.set_block_version(h.block_version);
  p.set_block_type(static_cast<pb::BlockType>(h.block_type));
  p.set_chain_id(h.chain_id);
  p.set_block_height(h.height);
  if (!for_hash) p.set_block_hash(std::string(h.block_hash.begin(), h.block_hash.end()));
  p.set_pre_block_hash(std::string(h.pre_block_hash.begin(), h.pre_block_hash.end()));
  p.set_pre_conf_height(h.pre_conf_height);
  p.set_tx_count(h.tx_count);
  p.set_tx_root(std::string(h.tx_root.begin(), h.tx_root.end()));
  p.set_dag_hash(std::string(h.dag_hash.begin(), h.dag_hash.end()));
  p.set_rw_set_root(std::string(h.rw_set_root.begin(), h.rw_set_root.end()));
  p.set_block_timestamp(h.timestamp_s);
  p.set_consensus_args(std::string(h.consensus_args.begin(), h.consensus_args.end()));
  // A header without a proposer (all fields default) is encoded without the field, as Go encodes a nil one.
  if (h.proposer != Member{}) detail::to_pb(h.proposer, *p.mutable_proposer());
  if (!for_hash) p.set_signature(std::string(h.signature.begin(), h.signature.end()));
  return p;
}

pb::Vote vote_pb(const Vote& v, bool with_endorsement) {
  pb::Vote p;
  p.set_type(static_cast<pb::VoteType>(v.type));
  p.set_voter(v.voter);
  p.set_height(v.height);
  p.set_round(v.round);
  p.set_hash(std::string(v.hash.begin(), v.hash.end()));
  if (with_endorsement) {
    detail::to_pb(v.signer, *p.mutable_endorsement()->mutable_signer());
    p.mutable_endorsement()->set_signature(std::string(v.signature.begin(), v.signature.end()));
  }
  for (const auto& t : v.invalid_txs) p.add_invalidtxs(t);
  return p;
}

}  // namespace

Bytes encode_header(const Header& h) { return serialize(header_pb(h, false)); }
Bytes header_hash_preimage(const Header& h) { return serialize(header_pb(h, true)); }
Bytes vote_sign_bytes(const Vote& v) { return serialize(vote_pb(v, false)); }

Bytes encode_vote_set(const VoteSet& s) {
  pb::VoteSet p;
  p.set_type(static_cast<pb::VoteType>(s.type));
  p.set_height(s.height);
  p.set_round(s.round);
  p.set_sum(s.sum);
  p.set_maj23(std::string(s.maj23.begin(), s.maj23.end()));
  for (const auto& e : s.votes) {
    auto* entry = p.add_votes();
    entry->set_key(e.key);
    *entry->mutable_value() = vote_pb(e.vote, true);
  }
  return serialize(p);
}

Result<Bytes> canonical_rw_set(ByteView bytes) {
  if (bytes.size() > kMaxBlockBytes) return fail(Code::TooLarge, "rw set too large");
  pb::TxRWSet s;
  if (!detail::parse(s, bytes)) return fail(Code::ProtobufDecode, "not a ChainMaker common.TxRWSet");
  return serialize(s);
}

Hash32 block_hash(HashType h, const Header& header) { return hash(h, header_hash_preimage(header)); }
Hash32 tx_hash(HashType h, const Transaction& tx) { return hash(h, tx.hash_preimage); }

namespace {
Hash32 pair_hash(HashType h, const Hash32& l, const Hash32& r) {
  std::uint8_t buf[64];
  std::copy(l.b.begin(), l.b.end(), buf);
  std::copy(r.b.begin(), r.b.end(), buf + 32);
  return hash(h, ByteView(buf, 64));
}
}  // namespace

std::optional<Hash32> merkle_root(HashType h, std::span<const Hash32> leaves) {
  if (leaves.empty()) return std::nullopt;
  std::vector<Hash32> level(leaves.begin(), leaves.end());
  while (level.size() > 1) {
    std::vector<Hash32> next;
    next.reserve((level.size() + 1) / 2);
    for (std::size_t i = 0; i < level.size(); i += 2)
      next.push_back(pair_hash(h, level[i], i + 1 < level.size() ? level[i + 1] : level[i]));
    level = std::move(next);
  }
  return level[0];
}

std::vector<Hash32> merkle_path(HashType h, std::span<const Hash32> leaves, std::uint64_t index) {
  assert(index < leaves.size());
  std::vector<Hash32> path;
  std::vector<Hash32> level(leaves.begin(), leaves.end());
  std::size_t idx = static_cast<std::size_t>(index);
  while (level.size() > 1) {
    const std::size_t sib = idx ^ 1U;
    path.push_back(sib < level.size() ? level[sib] : level[idx]);
    std::vector<Hash32> next;
    for (std::size_t i = 0; i < level.size(); i += 2)
      next.push_back(pair_hash(h, level[i], i + 1 < level.size() ? level[i + 1] : level[i]));
    level = std::move(next);
    idx >>= 1U;
  }
  return path;
}

Status verify_merkle_path(HashType h, const Hash32& leaf, std::uint64_t index, std::uint64_t count,
                          std::span<const Hash32> path, const Hash32& root) {
  if (root.is_zero()) return fail(Code::ZeroRoot, "tx_root is all zero");
  if (count == 0) return fail(Code::MerkleIndex, "the block has no transactions");
  if (index >= count)
    return fail(Code::MerkleIndex, "index " + std::to_string(index) + " is not below tx_count " + std::to_string(count));
  std::size_t depth = 0;
  for (std::uint64_t n = count; n > 1; n = (n + 1) / 2) ++depth;
  if (path.size() != depth)
    return fail(Code::MerkleIndex, "path has " + std::to_string(path.size()) + " siblings; a tree of " +
                                       std::to_string(count) + " leaves has depth " + std::to_string(depth));
  Hash32 cur = leaf;
  std::uint64_t idx = index, size = count;
  for (std::size_t k = 0; k < path.size(); ++k) {
    if (idx % 2 == 1) {
      cur = pair_hash(h, path[k], cur);
    } else if (idx + 1 == size) {
      if (path[k] != cur)
        return fail(Code::MerkleBranch, "lone node at level " + std::to_string(k) + " has a foreign sibling",
                    "path[" + std::to_string(k) + "]");
      cur = pair_hash(h, cur, cur);
    } else {
      cur = pair_hash(h, cur, path[k]);
    }
    idx /= 2;
    size = (size + 1) / 2;
  }
  if (cur != root) return fail(Code::MerkleBranch, "the path does not lead to tx_root");
  return {};
}

}  // namespace causeway::chainmaker
