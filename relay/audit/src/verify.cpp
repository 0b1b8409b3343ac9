// Audit-log verification: see causeway/audit/verify.hpp for the contract.
#include "causeway/audit/verify.hpp"

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "causeway/audit/events.hpp"
#include "causeway/audit/jcs.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/merkle/rfc6962.hpp"
#include "causeway/proofs/bundle.hpp"

namespace causeway::audit {

namespace {

namespace rfc = merkle::rfc6962;
using json = nlohmann::json;

template <class T>
tl::unexpected<Error> err(T&& e) {
  return tl::unexpected<Error>(std::forward<T>(e).error());
}

std::string sth_at(std::size_t j) { return "sths[" + std::to_string(j) + "]"; }
std::string leaf_at(std::uint64_t i) { return "leaves[" + std::to_string(i) + "]"; }

// Compact RFC 6962 range over leaves [0, n): one complete subtree hash per set bit of n, largest first.
class Frontier {
 public:
  void push(Hash32 h) {
    std::uint64_t n = size_;
    while ((n & 1U) != 0) {
      h = rfc::node_hash(stack_.back(), h);
      stack_.pop_back();
      n >>= 1U;
    }
    stack_.push_back(h);
    ++size_;
  }
  // MTH of the leaves pushed so far (RFC 6962: right-fold of the complete subtrees).
  Hash32 root() const {
    if (stack_.empty()) return rfc::empty_root();
    Hash32 r = stack_.back();
    for (std::size_t k = stack_.size() - 1; k-- > 0;) r = rfc::node_hash(stack_[k], r);
    return r;
  }

 private:
  std::vector<Hash32> stack_;
  std::uint64_t size_ = 0;
};

std::optional<std::uint64_t> u64_of(const json& v) {
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_string()) {
    try {
      std::size_t pos = 0;
      const auto x = std::stoull(v.get<std::string>(), &pos, 10);
      if (pos == v.get_ref<const std::string&>().size()) return x;
    } catch (...) {
    }
  }
  return std::nullopt;
}

Hash32 must_hash(const json& v) { return hash_from_hex(v.get<std::string>()).value(); }  // validated

struct Failure {
  Error error;
  std::optional<std::uint64_t> leaf;
  std::optional<std::uint64_t> sth_size;
};

}  // namespace

Result<VerifyReport> verify_log(AuditSource& source, const VerifyOptions& options) {
  VerifyReport report;
  auto finish = [&report](Failure f) -> Result<VerifyReport> {
    report.ok = false;
    report.error = std::move(f.error);
    report.leaf_index = f.leaf;
    report.sth_tree_size = f.sth_size;
    return report;
  };

  // ---- 1. signed tree heads --------------------------------------------------------------------------
  auto heads_r = source.tree_heads();
  if (!heads_r) return err(std::move(heads_r));
  const std::vector<SignedTreeHead>& heads = *heads_r;
  if (heads.empty()) {
    return finish({Error{Code::AuditInconsistent, "the log has no signed tree head: nothing vouches for it", "sths"},
                   std::nullopt, std::nullopt});
  }
  report.log_id = to_hex(heads.front().log_id);
  report.log_id_pinned = options.pinned_log_id.has_value();
  for (std::size_t j = 0; j < heads.size(); ++j) {
    const SignedTreeHead& s = heads[j];
    const std::string at = sth_at(j);
    if (auto ok = verify_sth(s); !ok) return finish({Error{ok.error().code, ok.error().detail, at}, {}, s.tree_size});
    if (options.pinned_log_id && s.log_id != *options.pinned_log_id) {
      return finish({Error{Code::AuditInconsistent,
                           "log id " + to_hex(s.log_id) + " is not the pinned " + to_hex(*options.pinned_log_id), at},
                     {}, s.tree_size});
    }
    if (s.log_id != heads.front().log_id) {
      return finish({Error{Code::AuditInconsistent, "log id differs from the first tree head's " + report.log_id, at},
                     {}, s.tree_size});
    }
    if (s.tree_size == 0 && s.root_hash != rfc::empty_root()) {
      return finish({Error{Code::AuditInconsistent, "an empty tree's root must be SHA-256 of the empty string", at},
                     {}, s.tree_size});
    }
    ++report.sths_checked;
    if (j == 0) continue;
    const SignedTreeHead& p = heads[j - 1];
    if (s.tree_size < p.tree_size) {
      return finish({Error{Code::AuditInconsistent, "tree size " + std::to_string(s.tree_size) +
                                                        " shrinks from the previous " + std::to_string(p.tree_size), at},
                     {}, s.tree_size});
    }
    if (s.timestamp_ms < p.timestamp_ms) {
      return finish({Error{Code::AuditInconsistent, "timestamp_ms goes backwards from the previous tree head", at},
                     {}, s.tree_size});
    }
    if (p.tree_size == 0) continue;  // everything is consistent with the empty tree
    auto proof = source.consistency_proof(p.tree_size, s.tree_size);
    if (!proof) return err(std::move(proof));
    if (auto ok = rfc::verify_consistency(p.tree_size, s.tree_size, std::span<const Hash32>(*proof),
                                          p.root_hash.view(), s.root_hash.view());
        !ok) {
      return finish({Error{ok.error().code,
                           "tree head of size " + std::to_string(s.tree_size) + " is not consistent with the one of size " +
                               std::to_string(p.tree_size) + ": " + ok.error().detail,
                           at},
                     {}, s.tree_size});
    }
  }
  const SignedTreeHead& latest = heads.back();
  report.tree_size = latest.tree_size;

  // ---- 2. leaves -------------------------------------------------------------------------------------
  Frontier frontier;
  std::size_t next_sth = 0;
  while (next_sth < heads.size() && heads[next_sth].tree_size == 0) ++next_sth;
  proofs::TrustList trust;  // consensus states held so far (A03)
  // Per island, each client_recovered entry and the states it dropped (newest last): after a recover the island's
  // held states are exactly its anchor (and the tips recorded after it), as the relay holds them.
  struct Dropped {
    std::uint64_t recovered_at = 0;  // the client_recovered leaf
    proofs::TrustList states;
  };
  std::map<std::string, std::vector<Dropped>> dropped;
  std::uint64_t i = 0;
  for (;;) {
    auto batch = source.leaves(i, options.batch);
    if (!batch) return err(std::move(batch));
    if (batch->empty()) break;
    for (const LeafRecord& rec : *batch) {
      const std::string at = leaf_at(i);
      auto bad = [&](Code c, std::string detail, std::string sub = "") {
        return finish({Error{c, std::move(detail), at + sub}, i, std::nullopt});
      };
      if (rec.index != i) return bad(Code::AuditInconsistent, "expected leaf index " + std::to_string(i) + ", found " + std::to_string(rec.index));
      if (i >= latest.tree_size) {
        return bad(Code::AuditInconsistent, "leaf is not covered by any signed tree head (latest tree size " +
                                                std::to_string(latest.tree_size) + ")");
      }
      auto doc = parse_canonical(rec.data);
      if (!doc) return bad(doc.error().code, doc.error().detail);
      auto kind = validate_event(*doc);
      if (!kind) return bad(kind.error().code, kind.error().detail, "." + kind.error().at);
      const ByteView data(reinterpret_cast<const std::uint8_t*>(rec.data.data()), rec.data.size());
      const Hash32 lh = rfc::leaf_hash(data);
      if (lh != rec.leaf_hash) {
        return bad(Code::AuditLeafHash, "data hashes to " + to_hex(lh.view()) + ", recorded leaf hash is " +
                                            to_hex(rec.leaf_hash.view()));
      }
      const json& e = *doc;
      const std::string* island = nullptr;
      if (e.contains("island")) island = &e["island"].get_ref<const std::string&>();
      if (e.contains("bundle_hash")) {
        const Hash32 bh = must_hash(e["bundle_hash"]);
        if (rec.bundle_hash && *rec.bundle_hash != bh) {
          return bad(Code::AuditBundleHash, "stored bundle reference differs from the entry's bundle_hash", ".bundle_hash");
        }
        auto text = source.bundle(bh, i);
        if (!text) return err(std::move(text));
        if (!*text) return bad(Code::AuditBundleHash, "the bundle " + to_hex(bh.view()) + " is missing", ".bundle");
        const ByteView bt(reinterpret_cast<const std::uint8_t*>((*text)->data()), (*text)->size());
        const Hash32 got = sha256(bt);
        if (got != bh) {
          return bad(Code::AuditBundleHash,
                     "bundle hashes to " + to_hex(got.view()) + ", the entry says " + to_hex(bh.view()), ".bundle");
        }
        if (options.verify_bundles) {
          const auto now_s = static_cast<std::int64_t>(e["time_ms"].get<std::uint64_t>() / 1000);
          const proofs::Verdict v = proofs::verify_bundle(**text, &trust, now_s);
          const std::string want_island =
              e.contains("source_island") ? e["source_island"].get<std::string>() : e.value("dest_island", "");
          if (v.exit_code != 0) {
            const Error be = v.error.value_or(Error{Code::BundleSchema, "bundle does not verify", ""});
            std::string detail = "bundle does not verify: " + be.detail;
            if (be.code == Code::UntrustedAnchor)  // anchored at a state a client recover dropped? say which one
              if (auto d = dropped.find(want_island); d != dropped.end())
                for (auto r = d->second.rbegin(); r != d->second.rend(); ++r) {
                  proofs::TrustList with = trust;
                  with.insert(with.end(), r->states.begin(), r->states.end());
                  if (proofs::verify_bundle(**text, &with, now_s).exit_code != 0) continue;
                  detail = "bundle anchored at a state that the client_recovered entry at " + leaf_at(r->recovered_at) +
                           " dropped (after a recover the island's held states are its anchor and the tips recorded "
                           "after it): " + be.detail;
                  break;
                }
            return bad(be.code, detail, ".bundle" + (be.at.empty() ? "" : "." + be.at));
          }
          const json out = json::parse(v.output_json, nullptr, false);
          const auto want_height = u64_of(e["header_height"]);
          const std::string want_hash = e["header_hash"].get<std::string>();
          if (out.is_discarded() || out.value("island", "") != want_island) {
            return bad(Code::AuditBundleMismatch, "bundle proves island " + out.value("island", "?") + ", entry says " + want_island, ".bundle");
          }
          if (!out.contains("height") || u64_of(out["height"]) != want_height) {
            return bad(Code::AuditBundleMismatch, "bundle's proving header is at another height than header_height", ".header_height");
          }
          if (out.value("header_hash", "") != want_hash) {
            return bad(Code::AuditBundleMismatch, "bundle's proving header hash " + out.value("header_hash", "?") +
                                                      " differs from header_hash " + want_hash, ".header_hash");
          }
          ++report.bundles_verified;
        }
      }
      // Consensus states this entry records: later bundles may anchor at them (A03).
      if (island != nullptr) {
        auto add = [&](const char* height_key, const char* hash_key) {
          if (!e.contains(height_key) || !e.contains(hash_key)) return;
          proofs::TrustedAnchor a;
          a.island = *island;
          a.height = u64_of(e[height_key]).value_or(0);
          a.hash = must_hash(e[hash_key]);
          if (e.contains("validator_set_hash")) a.validator_set_hash = must_hash(e["validator_set_hash"]);
          trust.push_back(std::move(a));
        };
        switch (*kind) {
          case EventKind::IslandRegistered:
          case EventKind::IslandUpdated: add("anchor_height", "anchor_hash"); break;
          case EventKind::ClientRecovered: {  // the anchor becomes the island's ONLY held state
            Dropped d{i, {}};
            for (const auto& t : trust)
              if (t.island == *island) d.states.push_back(t);
            std::erase_if(trust, [&](const proofs::TrustedAnchor& t) { return t.island == *island; });
            dropped[*island].push_back(std::move(d));
            add("anchor_height", "anchor_hash");
            break;
          }
          case EventKind::HeadersAccepted: add("to_height", "tip_hash"); break;
          default: break;
        }
      }
      frontier.push(lh);
      ++i;
      report.entries = i;
      while (next_sth < heads.size() && heads[next_sth].tree_size == i) {
        const Hash32 r = frontier.root();
        if (r != heads[next_sth].root_hash) {
          const std::uint64_t from = next_sth > 0 ? heads[next_sth - 1].tree_size : 0;
          return finish({Error{Code::AuditRootMismatch,
                               "leaves " + std::to_string(from) + " … " + std::to_string(i - 1) + " hash to root " +
                                   to_hex(r.view()) + ", the tree head of size " + std::to_string(i) + " signs " +
                                   to_hex(heads[next_sth].root_hash.view()),
                               sth_at(next_sth)},
                         std::nullopt, i});
        }
        ++next_sth;
      }
    }
  }
  // ---- 3. completeness -------------------------------------------------------------------------------
  if (i < latest.tree_size) {
    return finish({Error{Code::AuditTruncated,
                         "the log ends after " + std::to_string(i) + " leaves; its latest tree head covers " +
                             std::to_string(latest.tree_size),
                         leaf_at(i)},
                   i, std::nullopt});
  }
  report.ok = true;
  return report;
}

}  // namespace causeway::audit
