// ChainMaker TBFT light client (client.hpp): trust compilation, certificate acceptance with a verified-
// certificate cache, proposer signature, TBFT QC with the two upstream gaps closed, config-block transitions.
#include "causeway/chainmaker/client.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "causeway/chainmaker/chainmaker.pb.h"
#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "pb_util.hpp"

namespace causeway::chainmaker {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string idx(std::string_view base, std::size_t i) { return std::string(base) + "[" + std::to_string(i) + "]"; }

Error at(Error e, const std::string& where) {
  if (e.at.empty()) e.at = where;
  return e;
}

// Re-roots a location inside a nested value ("consensus", "crypto.hash") under `where`.
Error under(Error e, const std::string& where) {
  e.at = e.at.empty() ? where : where + "." + e.at;
  return e;
}

constexpr const char* kConfigAt = "txs[0].result.contract_result.result";  // the ChainConfig of a config block

constexpr std::size_t kMaxCacheEntries = 4096;

}  // namespace

Result<ChainTrust> trust_from_chain_config(ByteView bytes, std::uint64_t config_height) {
  if (bytes.size() > kMaxBlockBytes) return fail(Code::TooLarge, "chain config too large");
  pb::ChainConfig c;
  if (!detail::parse(c, bytes)) return fail(Code::ProtobufDecode, "not a ChainMaker config.ChainConfig");
  ChainTrust t;
  t.chain_id = c.chain_id();
  auto h = parse_hash_type(c.crypto().hash());
  if (!h) return tl::unexpected(at(h.error(), "crypto.hash"));
  t.hash = *h;
  const auto type = c.consensus().type();
  t.consensus = pb::ConsensusType_IsValid(type) ? pb::ConsensusType_Name(type) : std::to_string(type);
  t.auth_type = c.auth_type().empty() ? "permissionedwithcert" : c.auth_type();
  t.config_height = config_height;
  for (const auto& n : c.consensus().nodes()) {
    OrgTrust o;
    o.org_id = n.org_id();
    o.node_ids.assign(n.node_id().begin(), n.node_id().end());
    t.orgs.push_back(std::move(o));
  }
  for (const auto& r : c.trust_roots()) {
    auto it = std::find_if(t.orgs.begin(), t.orgs.end(), [&](const OrgTrust& o) { return o.org_id == r.org_id(); });
    if (it == t.orgs.end()) continue;  // a member org without consensus nodes signs no block or vote
    for (const auto& pem : r.root()) it->ca_certs.emplace_back(pem.begin(), pem.end());
  }
  return t;
}

// ---------------------------------------------------------------------------------------------- Verifier

Result<Verifier> Verifier::create(ChainTrust trust, VerifierOptions options) {
  if (trust.chain_id.empty()) return fail(Code::InvalidArgument, "chain id is empty", "chain_id");
  if (trust.consensus != "TBFT")
    return fail(Code::Unsupported,
                "consensus '" + trust.consensus + "' is out of scope: only TBFT (MaxBFT, RAFT, SOLO and DPoS are refused)",
                "consensus");
  if (!iequals(trust.auth_type, "permissionedwithcert"))
    return fail(Code::Unsupported,
                "auth type '" + trust.auth_type + "' is out of scope: only permissionedWithCert (public-key and "
                "public/DPoS modes are refused)",
                "auth_type");
  if (options.max_clock_drift_s < 0) return fail(Code::InvalidArgument, "negative clock drift");
  Verifier v;
  v.options_ = options;
  if (trust.orgs.empty()) return fail(Code::InvalidArgument, "no consensus orgs", "orgs");
  for (std::size_t i = 0; i < trust.orgs.size(); ++i) {
    const auto& o = trust.orgs[i];
    const std::string here = idx("orgs", i);
    if (o.org_id.empty()) return fail(Code::InvalidArgument, "empty org id", here + ".org_id");
    if (!v.org_index_.emplace(o.org_id, i).second)
      return fail(Code::InvalidArgument, "org '" + o.org_id + "' is listed twice", here + ".org_id");
    for (std::size_t j = 0; j < o.node_ids.size(); ++j) {
      if (o.node_ids[j].empty()) return fail(Code::InvalidArgument, "empty node id", idx(here + ".node_ids", j));
      if (!v.node_org_.emplace(o.node_ids[j], i).second)
        return fail(Code::InvalidArgument, "node id '" + o.node_ids[j] + "' is listed twice", idx(here + ".node_ids", j));
    }
    OrgCerts certs;
    for (std::size_t j = 0; j < o.ca_certs.size(); ++j) {
      auto c = Certificate::parse(o.ca_certs[j]);
      if (!c) return tl::unexpected(at(c.error(), idx(here + ".ca_certs", j)));
      certs.roots.push_back(std::move(*c));
    }
    for (std::size_t j = 0; j < o.signing_certs.size(); ++j) {
      auto c = Certificate::parse(o.signing_certs[j]);
      if (!c) return tl::unexpected(at(c.error(), idx(here + ".signing_certs", j)));
      certs.pinned.push_back(std::move(*c));
    }
    for (std::size_t j = 0; j < o.node_certs.size(); ++j) {
      const std::string w = idx(here + ".node_certs", j);
      if (std::find(o.node_ids.begin(), o.node_ids.end(), o.node_certs[j].first) == o.node_ids.end())
        return fail(Code::InvalidArgument, "pinned certificate for '" + o.node_certs[j].first + "', not a node of the org", w);
      auto c = Certificate::parse(o.node_certs[j].second);
      if (!c) return tl::unexpected(at(c.error(), w));
      if (!certs.node_pinned.emplace(o.node_certs[j].first, std::move(*c)).second)
        return fail(Code::InvalidArgument, "node id pinned twice", w);
    }
    v.org_certs_.push_back(std::move(certs));
  }
  if (v.node_org_.empty()) return fail(Code::InvalidArgument, "no consensus node ids (zero validators)", "orgs");
  if (v.node_org_.size() > kMaxValidators) return fail(Code::TooLarge, "more than 1024 consensus node ids", "orgs");
  v.trust_ = std::move(trust);
  return v;
}

Result<const Verifier::CachedCert*> Verifier::accept_member(const Member& m, std::int64_t at_s) {
  auto org_it = org_index_.find(m.org_id);
  if (org_it == org_index_.end())
    return fail(Code::NotValidator, "org '" + m.org_id + "' has no consensus nodes in the config in force");
  const std::size_t org = org_it->second;
  const OrgCerts& certs = org_certs_[org];

  Bytes key(m.org_id.begin(), m.org_id.end());
  key.push_back(0);
  key.push_back(static_cast<std::uint8_t>(m.member_type));
  append(key, m.member_info);
  if (options_.cache_certificates) {
    auto hit = cache_.find(key);
    if (hit != cache_.end() && hit->second.window.from_s <= at_s && at_s <= hit->second.window.until_s)
      return &hit->second;
  }

  std::optional<Certificate> cert;
  if (m.member_type == kMemberCert) {
    auto c = Certificate::parse(m.member_info);
    if (!c) return tl::unexpected(c.error());
    cert = std::move(*c);
  } else if (m.member_type == kMemberCertHash) {
    auto matches = [&](const Certificate& c) { return hash(trust_.hash, c.der()).view().size() == m.member_info.size() &&
                                                      std::equal(m.member_info.begin(), m.member_info.end(),
                                                                 hash(trust_.hash, c.der()).b.begin()); };
    for (const auto& c : certs.pinned)
      if (matches(c)) cert = c;
    for (const auto& [node, c] : certs.node_pinned)
      if (!cert && matches(c)) cert = c;
    if (!cert)
      return fail(Code::UnknownCa, "certificate hash " + to_hex(m.member_info) + " is not among org '" + m.org_id +
                                       "' pinned certificates");
  } else {
    return fail(Code::Unsupported, "member type " + std::to_string(m.member_type) +
                                       " is out of scope (only CERT and CERT_HASH members: cert mode)");
  }

  ChainValidity window{cert->not_before_s(), cert->not_after_s()};
  bool pinned = std::find(certs.pinned.begin(), certs.pinned.end(), *cert) != certs.pinned.end();
  for (const auto& [node, c] : certs.node_pinned) pinned = pinned || c == *cert;
  if (pinned) {
    if (!cert->valid_at(at_s))
      return fail(Code::CertExpired, "pinned certificate '" + cert->common_name() + "' is not valid at block time " +
                                         std::to_string(at_s));
  } else {
    auto chain = verify_chain(*cert, certs.roots, at_s);
    if (!chain) {
      Error e = chain.error();
      e.detail = "certificate '" + cert->common_name() + "' of org '" + m.org_id + "': " + e.detail;
      return tl::unexpected(std::move(e));
    }
    window = *chain;
  }
  const auto& ous = cert->organizational_units();
  if (std::find(ous.begin(), ous.end(), "consensus") == ous.end())
    return fail(Code::CertRole, "certificate '" + cert->common_name() + "' has no OU=consensus role");
  if (cert->algorithm() == CertAlgorithm::Unsupported)
    return fail(Code::Unsupported, "certificate '" + cert->common_name() +
                                       "' is neither ECDSA P-256/SHA-256 nor SM2/SM3");

  if (!options_.cache_certificates) cache_.clear();
  if (cache_.size() >= kMaxCacheEntries) cache_.clear();
  auto [it, inserted] = cache_.insert_or_assign(std::move(key), CachedCert{std::move(*cert), org, window});
  (void)inserted;
  return &it->second;
}

Status Verifier::verify_qc(const Block& block, const Hash32& block_hash_value, VerifiedBlock& out) {
  const Header& h = block.header;
  if (!block.qc) return fail(Code::QcMissing, "additional_data has no TBFTAddtionalDataKey vote set", "qc");
  auto set = decode_vote_set(*block.qc);
  if (!set) return tl::unexpected(at(set.error(), "qc"));
  if (set->type != kVotePrecommit)
    return fail(Code::VoteType, "vote set type " + std::to_string(set->type) + " is not PRECOMMIT (1)", "qc.type");
  if (set->height != h.height)
    return fail(Code::VoteHeight, "vote set height " + std::to_string(set->height) + " is not the block height " +
                                      std::to_string(h.height),
                "qc.height");
  out.validators = node_org_.size();
  out.quorum = tbft_quorum(out.validators);
  out.round = set->round;
  std::set<std::string> voters;
  std::set<Bytes> certs_used;
  std::size_t counted = 0;
  for (std::size_t i = 0; i < set->votes.size(); ++i) {
    const std::string here = idx("qc.votes", i);
    const auto& entry = set->votes[i];
    const Vote& v = entry.vote;
    if (v.type != kVotePrecommit)
      return fail(Code::VoteType, "vote type " + std::to_string(v.type) + " is not PRECOMMIT (1)", here + ".type");
    if (v.height != h.height)
      return fail(Code::VoteHeight, "vote for height " + std::to_string(v.height) + " in the QC of block " +
                                        std::to_string(h.height),
                  here + ".height");
    if (v.round != set->round)
      return fail(Code::InvalidVote, "vote round " + std::to_string(v.round) + " is not the set's round " +
                                         std::to_string(set->round),
                  here + ".round");
    if (entry.key != v.voter) return fail(Code::InvalidVote, "map key is not the vote's voter", here + ".voter");
    auto node = node_org_.find(v.voter);
    if (node == node_org_.end())
      return fail(Code::NotValidator, "voter '" + v.voter + "' is not a consensus node of the config in force",
                  here + ".voter");
    if (!voters.insert(v.voter).second)
      return fail(Code::DuplicateVoter, "voter '" + v.voter + "' votes twice", here + ".voter");
    auto cert = accept_member(v.signer, h.timestamp_s);
    if (!cert) return tl::unexpected(at(cert.error(), here + ".endorsement"));
    const auto& org = trust_.orgs[node->second];
    if ((*cert)->org != node->second)
      return fail(Code::VoterCert, "voter '" + v.voter + "' is a node of org '" + org.org_id +
                                       "' but the vote is signed by a certificate of org '" + v.signer.org_id + "'",
                  here + ".endorsement");
    const auto& node_pins = org_certs_[node->second].node_pinned;
    if (auto pin = node_pins.find(v.voter); pin != node_pins.end() && !(pin->second == (*cert)->cert))
      return fail(Code::VoterCert, "voter '" + v.voter + "' is pinned to another signing certificate",
                  here + ".endorsement");
    if (!certs_used.insert((*cert)->cert.der()).second)
      return fail(Code::DuplicateVoter, "certificate '" + (*cert)->cert.common_name() + "' signs a second vote",
                  here + ".endorsement");
    if (auto ok = (*cert)->cert.verify(vote_sign_bytes(v), v.signature); !ok)
      return tl::unexpected(at(ok.error(), here + ".endorsement.signature"));
    if (v.hash.size() == 32 && std::equal(v.hash.begin(), v.hash.end(), block_hash_value.b.begin())) {
      ++counted;
      out.counted_voters.push_back(v.voter);
    }
  }
  if (counted < out.quorum)
    return fail(Code::InsufficientQuorum, std::to_string(counted) + " distinct precommits for this block; TBFT needs ⌊2·" +
                                              std::to_string(out.validators) + "/3⌋+1 = " + std::to_string(out.quorum),
                "qc");
  if (!set->maj23.empty() && set->maj23 != Bytes(block_hash_value.b.begin(), block_hash_value.b.end()))
    return fail(Code::InvalidVote, "maj23 names another block", "qc.maj23");
  return {};
}

Result<VerifiedBlock> Verifier::verify(const Block& block, std::int64_t now_s) {
  const Header& h = block.header;
  if (h.chain_id != trust_.chain_id)
    return fail(Code::IslandMismatch, "block of chain '" + h.chain_id + "', trust is for '" + trust_.chain_id + "'",
                "header.chain_id");
  VerifiedBlock out;
  out.header = h;
  out.hash = block_hash(trust_.hash, h);
  if (h.block_hash.size() != 32 || !std::equal(h.block_hash.begin(), h.block_hash.end(), out.hash.b.begin()))
    return fail(Code::HeaderHashMismatch, "header fields hash to " + to_hex(out.hash.view()) + ", block_hash is " +
                                              to_hex(h.block_hash),
                "header");
  if (h.timestamp_s > now_s && h.timestamp_s - now_s > options_.max_clock_drift_s)
    return fail(Code::TimeTooNew, "block time " + std::to_string(h.timestamp_s) + " is more than " +
                                      std::to_string(options_.max_clock_drift_s) + " s after now " + std::to_string(now_s),
                "header.block_timestamp");
  auto proposer = accept_member(h.proposer, h.timestamp_s);
  if (!proposer) return tl::unexpected(at(proposer.error(), "header.proposer"));
  if (auto ok = (*proposer)->cert.verify(out.hash.view(), h.signature); !ok)
    return fail(Code::BadProposerSignature, "proposer '" + (*proposer)->cert.common_name() + "': " + ok.error().detail,
                "header.signature");
  if (auto ok = verify_qc(block, out.hash, out); !ok) return tl::unexpected(ok.error());
  return out;
}

// ------------------------------------------------------------------------------------------- LightClient

Result<LightClient> LightClient::create(Anchor anchor, VerifierOptions options, std::size_t max_retained) {
  if (anchor.hash.is_zero()) return fail(Code::ZeroRoot, "anchor hash is all zero (A01)", "anchor.hash");
  if (max_retained == 0) return fail(Code::InvalidArgument, "max_retained must be at least 1");
  if (anchor.trust.config_height > anchor.height)
    return fail(Code::InvalidArgument, "config height is above the anchor height", "anchor.config_height");
  auto v = Verifier::create(std::move(anchor.trust), options);
  if (!v) return tl::unexpected(v.error());
  LightClient c;
  c.verifier_ = std::move(*v);
  c.options_ = options;
  c.latest_height_ = anchor.height;
  c.latest_hash_ = anchor.hash;
  c.latest_time_s_ = anchor.time_s;
  c.max_retained_ = max_retained;
  return c;
}

const VerifiedBlock* LightClient::verified(std::uint64_t height) const {
  auto it = retained_.find(height);
  return it == retained_.end() ? nullptr : &it->second;
}

Result<ChainTrust> LightClient::next_trust(const Block& block) const {
  const Header& h = block.header;
  const auto& cur = verifier_.trust();
  if (block.txs.empty() || block.txs.size() != h.tx_count)
    return fail(Code::MerkleIndex, "a config block must carry all its " + std::to_string(h.tx_count) + " transactions",
                "txs");
  std::vector<Hash32> leaves;
  for (const auto& t : block.txs) leaves.push_back(tx_hash(cur.hash, t));
  auto root = merkle_root(cur.hash, leaves);
  if (h.tx_root.size() != 32 || !root || !std::equal(h.tx_root.begin(), h.tx_root.end(), root->b.begin()))
    return fail(Code::MerkleBranch, "the config block's transactions do not hash to its tx_root", "txs");
  const auto& tx = block.txs[0];
  if (tx.contract_name != "CHAIN_CONFIG")
    return fail(Code::InvalidArgument, "a config block's first transaction must call CHAIN_CONFIG", "txs[0]");
  if (tx.status != 0 || tx.contract_code != 0)
    return fail(Code::TxFailed, "the config transaction did not succeed", "txs[0]");
  auto next = trust_from_chain_config(tx.contract_result, h.height);
  if (!next) return tl::unexpected(under(next.error(), kConfigAt));
  if (next->chain_id != cur.chain_id)
    return fail(Code::IslandMismatch, "the new config names chain '" + next->chain_id + "'", "txs[0]");
  // Pinned certificates (registration data, not chain config) stay for orgs and nodes still present.
  for (auto& o : next->orgs) {
    auto old = std::find_if(cur.orgs.begin(), cur.orgs.end(), [&](const OrgTrust& x) { return x.org_id == o.org_id; });
    if (old == cur.orgs.end()) continue;
    o.signing_certs = old->signing_certs;
    for (const auto& nc : old->node_certs)
      if (std::find(o.node_ids.begin(), o.node_ids.end(), nc.first) != o.node_ids.end()) o.node_certs.push_back(nc);
  }
  return next;
}

Result<UpdateResult> LightClient::update(const Block& block, std::int64_t now_s) {
  const Header& h = block.header;
  UpdateResult r;
  if (h.height <= latest_height_) {
    auto held = retained_.find(h.height);
    if (held == retained_.end())
      return fail(Code::UnknownHeader, "height " + std::to_string(h.height) + " is at or below the anchor (" +
                                           std::to_string(latest_height_) + ") and not retained",
                  "header");
    const Hash32& known = held->second.hash;
    if (h.block_hash.size() == 32 && std::equal(h.block_hash.begin(), h.block_hash.end(), known.b.begin())) {
      r.kind = UpdateKind::AlreadyKnown;
      r.block = held->second;
      return r;
    }
    return fail(Code::ConflictsFinalized, "height " + std::to_string(h.height) + " is already verified with hash " +
                                              to_hex(known.view()),
                "header");
  }
  r.kind = h.height == latest_height_ + 1 ? UpdateKind::Adjacent : UpdateKind::Checkpoint;
  if (r.kind == UpdateKind::Adjacent) {
    if (h.pre_block_hash.size() != 32 || !std::equal(h.pre_block_hash.begin(), h.pre_block_hash.end(), latest_hash_.b.begin()))
      return fail(Code::PrevHashMismatch, "pre_block_hash " + to_hex(h.pre_block_hash) + " is not the hash of block " +
                                              std::to_string(latest_height_) + " " + to_hex(latest_hash_.view()),
                  "header.pre_block_hash");
    if (latest_time_s_ != 0 && h.timestamp_s < latest_time_s_)
      return fail(Code::TimestampOrder, "block time is before its parent's", "header.block_timestamp");
  }
  if (h.pre_conf_height != verifier_.trust().config_height)
    return fail(Code::ValidatorSetMismatch, "block names config height " + std::to_string(h.pre_conf_height) +
                                                "; the config in force is from height " +
                                                std::to_string(verifier_.trust().config_height),
                "header.pre_conf_height");
  auto verified = verifier_.verify(block, now_s);
  if (!verified) return tl::unexpected(verified.error());
  r.block = std::move(*verified);
  if (h.block_type == kConfigBlock) {
    auto next = next_trust(block);
    if (!next) return tl::unexpected(next.error());
    auto v = Verifier::create(std::move(*next), options_);
    if (!v) return tl::unexpected(under(v.error(), kConfigAt));
    verifier_ = std::move(*v);
    r.config_applied = true;
  }
  latest_height_ = h.height;
  latest_hash_ = r.block.hash;
  latest_time_s_ = h.timestamp_s;
  retained_.insert_or_assign(h.height, r.block);
  while (retained_.size() > max_retained_) retained_.erase(retained_.begin());
  return r;
}

Result<Hash32> trust_hash(const ChainTrust& t) {
  Bytes out;
  auto u32 = [&](std::size_t n) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(n >> shift));
  };
  auto str = [&](std::string_view s) {
    u32(s.size());
    out.insert(out.end(), s.begin(), s.end());
  };
  auto digests = [&](const std::vector<Bytes>& certs) -> Status {
    std::vector<Hash32> ds;
    for (const auto& c : certs) {
      auto cert = Certificate::parse(c);
      if (!cert) return tl::unexpected(cert.error());
      ds.push_back(sha256(cert->der()));
    }
    std::sort(ds.begin(), ds.end());
    u32(ds.size());
    for (const auto& d : ds) append(out, d.view());
    return {};
  };
  str("causeway/chainmaker-trust/v1");
  str(t.chain_id);
  str(hash_type_name(t.hash));
  str(t.consensus);
  std::string auth = t.auth_type;
  for (auto& ch : auth) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  str(auth);
  std::uint8_t be[8];
  write_be64(be, t.config_height);
  out.insert(out.end(), be, be + 8);
  std::vector<const OrgTrust*> orgs;
  for (const auto& o : t.orgs) orgs.push_back(&o);
  std::sort(orgs.begin(), orgs.end(), [](const OrgTrust* a, const OrgTrust* b) { return a->org_id < b->org_id; });
  u32(orgs.size());
  for (const OrgTrust* o : orgs) {
    str(o->org_id);
    auto nodes = o->node_ids;
    std::sort(nodes.begin(), nodes.end());
    u32(nodes.size());
    for (const auto& n : nodes) str(n);
    if (auto ok = digests(o->ca_certs); !ok) return tl::unexpected(ok.error());
    if (auto ok = digests(o->signing_certs); !ok) return tl::unexpected(ok.error());
    std::vector<std::pair<std::string, Hash32>> pins;
    for (const auto& [node, c] : o->node_certs) {
      auto cert = Certificate::parse(c);
      if (!cert) return tl::unexpected(cert.error());
      pins.emplace_back(node, sha256(cert->der()));
    }
    std::sort(pins.begin(), pins.end());
    u32(pins.size());
    for (const auto& [node, d] : pins) {
      str(node);
      append(out, d.view());
    }
  }
  return sha256(out);
}

Status verify_tx_inclusion(HashType h, const Header& header, const Transaction& tx, std::uint64_t index,
                           std::span<const Hash32> path) {
  if (header.tx_root.size() != 32) return fail(Code::BadLength, "tx_root is not 32 bytes", "header.tx_root");
  return verify_merkle_path(h, tx_hash(h, tx), index, header.tx_count, path, Hash32::from(header.tx_root));
}

}  // namespace causeway::chainmaker
