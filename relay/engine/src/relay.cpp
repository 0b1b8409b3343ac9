// The relay core: see causeway/engine/relay.hpp for the contract.
#include "causeway/engine/relay.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <tuple>

#include <nlohmann/json.hpp>

#include "causeway/audit/events.hpp"
#include "causeway/audit/log.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/domain/relay_state.hpp"
#include "causeway/proofs/bundle.hpp"
#include "causeway/proofs/strict_json.hpp"
#include "causeway/proofs/headers.hpp"
#include "causeway/bft/rfc6962_suite.hpp"
#include "causeway/bft/suite.hpp"
#include "causeway/store/relay_schema.hpp"

namespace causeway::engine {

using nlohmann::json;
using store::Database;
using store::Statement;
using store::Transaction;

namespace {

template <class T>
tl::unexpected<Error> err(const Result<T>& r) {
  return tl::unexpected<Error>(r.error());
}
tl::unexpected<Error> err(const Status& r) { return tl::unexpected<Error>(r.error()); }

std::uint64_t system_ms() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

std::int64_t i64(std::uint64_t v) { return static_cast<std::int64_t>(v); }
std::uint64_t u64(std::int64_t v) { return static_cast<std::uint64_t>(v); }

Hash32 hash_col(const Statement& st, int col) {
  Hash32 h;
  const ByteView v = st.column_blob(col);
  if (v.size() == 32) std::copy(v.begin(), v.end(), h.b.begin());
  return h;
}
Bytes bytes_col(const Statement& st, int col) {
  const ByteView v = st.column_blob(col);
  return Bytes(v.begin(), v.end());
}

Result<Hash32> hash_json(const json& j) {
  if (!j.is_string()) return fail(Code::InvalidArgument, "expected a hash");
  return hash_from_hex(j.get<std::string>());
}

struct OutboxEntry {
  std::int64_t order = 0;  // packet row id
  std::string state;       // pending | submitted | delivered | failed
  std::uint32_t attempts = 0;
  std::uint64_t next_attempt_ms = 0;
  Bytes submitted_tx;
  std::uint32_t submit_attempts = 0;  // attempts right after the last submit: attempts − this = rounds since it
};

// Packet lifecycle (H4): one ack or timeout to relay back to the packet's source (the `returns` table).
struct ReturnEntry {
  std::int64_t order = 0;
  std::string kind;   // ack | timeout
  std::string state;  // pending | submitted | done
  Bytes ack_bytes;
  std::uint64_t audit_index = 0;
  Bytes signature;
  std::uint32_t attempts = 0;
  std::uint64_t next_attempt_ms = 0;
  Bytes submitted_tx;
  bool refunded = false;
  std::vector<adapters::MemberAttestation> peers;  // committee peers' signatures over the same return (k > 1)
  std::uint32_t submit_attempts = 0;  // attempts right after the last submit (as OutboxEntry)
};

struct Intake {
  std::string text;
  std::string island;
  const domain::IslandRecord* island_rec = nullptr;  // not used across threads
  std::uint64_t anchor_height = 0;
  Hash32 anchor_hash;
  BundleFacts facts;
  // The packet_verified entry, built by the caller's thread (event JSON, JCS, the bundle's SHA-256) with the
  // time the bundle was verified: the writer only appends it. Its `time_ms` is the verification's "now", which
  // `audit verify` re-uses to re-verify the bundle.
  // A failed build is answered where the writer used to build it (after A03, A14, the channel and observe
  // checks), so a malformed packet gets the same answer as before.
  std::optional<Result<audit::Event>> verified_event;
  // facts.packet with its commitment, computed by the caller; empty when it differs from facts.commitment, and
  // then the writer's observe() computes it itself, as it always did.
  std::optional<domain::CommittedPacket> committed;
  std::vector<RelayAlert> alerts;  // H9: relay/domain alerts of the intake change (its stage event carries them)
};

}  // namespace

Result<secp256k1::SecretKey> load_or_create_attestation_key(const std::string& path) {
  struct stat sb {};
  if (::stat(path.c_str(), &sb) != 0) {
    for (;;) {
      std::array<std::uint8_t, 32> raw{};
      if (::getrandom(raw.data(), raw.size(), 0) != static_cast<ssize_t>(raw.size()))
        return fail(Code::Io, "getrandom failed");
      auto sk = secp256k1::parse_secret_key(ByteView(raw.data(), raw.size()));
      if (!sk) continue;
      const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd < 0) return fail(Code::Io, "cannot create the attestation key " + path);
      const std::string text = to_hex_bare(ByteView(raw.data(), raw.size())) + "\n";
      const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
      ::close(fd);
      if (!ok) return fail(Code::Io, "cannot write the attestation key " + path);
      return *sk;
    }
  }
  if (!S_ISREG(sb.st_mode)) return fail(Code::Io, path + " is not a regular file");
  if ((sb.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", sb.st_mode & 07777);
    return fail(Code::KeyPermissions,
                path + " has mode " + mode + ": group or others may access it; run chmod 600 " + path);
  }
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return fail(Code::Io, "cannot read " + path);
  char buf[80] = {};
  const std::size_t n = std::fread(buf, 1, sizeof buf, f);
  std::fclose(f);
  std::string text(buf, n);
  if (!text.empty() && text.back() == '\n') text.pop_back();
  if (text.rfind("0x", 0) == 0) text = text.substr(2);
  auto raw = from_hex_bare(text, 32);
  if (!raw) return err(raw);
  return secp256k1::parse_secret_key(*raw);
}

// ---------------------------------------------------------------------------------------------------------

struct Relay::Impl {
  RelayOptions opt;
  Database db;
  std::unique_ptr<audit::AuditLog> log;
  std::unique_ptr<store::GroupCommitter> committer;
  secp256k1::SecretKey key{};
  domain::Address self{};
  std::optional<domain::OwnSigner> signer;  // key with its address derived once (intake attestations)
  domain::CommitteeConfig committee_cfg;

  // What bundle intake reads on the submitting thread — the trust list and the registered islands' specs —
  // published by the writer (publish_intake_view, mu held) where they change: a consensus state added or dropped
  // (rebuild_trust), an island registered, updated or recovered, the end of load(). Submitting
  // threads copy the pointer under view_mu and never take mu: the writer holds mu for each change it runs
  // (≈ 100 µs per packet, its attestation signature included), and gateway threads that waited for it there
  // blocked their other connections' requests too (bench gateway: ≈ 140 µs of waiting per request).
  struct IntakeView {
    std::shared_ptr<const proofs::TrustList> trust;
    std::map<std::string, domain::IslandSpec, std::less<>> specs;
  };
  mutable std::mutex view_mu;  // guards `intake_view_` only; never held while taking another lock
  std::shared_ptr<const IntakeView> intake_view_ = std::make_shared<const IntakeView>();
  std::shared_ptr<const IntakeView> intake_view() const {
    std::lock_guard lock(view_mu);
    return intake_view_;
  }

  // Everything below is guarded by mu (the writer mutates it inside its changes).
  mutable std::mutex mu;
  std::unique_ptr<domain::RelayState> state;
  std::map<std::string, std::vector<ConsensusState>> cstates;  // per island, ascending height
  // Bitcoin islands: the relay's own context of each held state beyond the registered anchor (migration 8), by
  // btc_key(island, height, hash); the registered anchor's comes from its governance-signed anchor.extra.
  std::map<std::string, proofs::BitcoinContext> btc_contexts;
  std::shared_ptr<const proofs::TrustList> trust;
  std::map<domain::PacketId, std::int64_t> rowid;
  std::map<domain::PacketId, std::uint64_t> verified_index;
  std::map<domain::PacketId, adapters::MemberAttestation> own_attestation;
  std::map<domain::PacketId, std::vector<adapters::MemberAttestation>> peer_attestations;  // committee peers' (k > 1)
  std::set<domain::PacketId> unmet_at_replay;  // stored past `attested` (history) without k current members' signatures
  std::map<std::string, std::map<domain::PacketId, OutboxEntry>> outbox;
  bool dirty = false;  // in-memory state may be ahead of the database: rebuild after the batch
  bool loading = false;  // load() is rebuilding the state: publish_intake_view waits for its end
  bool touched = false;  // the running change has changed the in-memory state
  std::function<void(const std::string&)> outbox_listener;
  std::function<void(const RelayEvent&)> event_listener;  // H1: set_event_listener
  // A05 halts (docs/relay-core.md "A05"): a change refused with ERR_ESCROW_INVARIANT leaves its channel halted
  // in memory; guarded() records the halt here and queues flush_halts, a change of its own that persists it
  // (channel_halts row + audit invariant_alert) and announces the alert after its COMMIT. load() re-applies
  // the persisted halts and the pending ones (a rebuild after the failed change must not re-open the channel).
  struct PendingHalt {
    domain::ChannelKey end;
    std::string reason;
    std::optional<packet::Packet> packet;  // the packet whose change broke the invariant, when known
  };
  std::vector<PendingHalt> pending_halts;
  bool halt_flush_queued = false;
  std::map<domain::ChannelKey, std::uint64_t> persisted_halts;  // open channel_halts rows: end → row id
  std::optional<packet::Packet> running_packet;  // the packet the running change moves (set by the change)
  // A14 freezes (docs/relay-core.md "A14"): two verified headers at one height of a quorum-final island (finality
  // bft-quorum) exist only if its validators signed both. The change that met the second is refused with
  // ERR_CLIENT_FROZEN (check_conflict records the freeze here) and flush_freezes, a change of its own, persists it:
  // client_states.status 'frozen', an audit client_frozen entry with both headers as evidence, the alert.
  struct PendingFreeze {
    std::string island;
    std::uint64_t height = 0;
    Hash32 held;                 // the consensus state held at `height`
    Hash32 seen;                 // the conflicting verified header
    std::string source;          // "bundle" | "header document"
    std::string document;        // the submitted document that carried `seen` (verified before the conflict)
  };
  std::vector<PendingFreeze> pending_freezes;
  bool freeze_flush_queued = false;
  // Packet lifecycle (H4; definitions at the end of the file): returns per source island, scan progress.
  std::map<std::string, std::map<domain::PacketId, ReturnEntry>> returns;
  std::map<domain::PacketId, ReturnEntry> returns_done;
  std::map<std::string, std::uint64_t> scan_heights;
  std::map<std::string, std::uint64_t> scan_epochs;  // +1 per client recover (Relay::scan_epoch); never reset
  std::map<std::string, std::map<std::array<std::uint8_t, 32>, std::uint64_t>> deferred_sends;  // commitment → height
  // Replay of the lifecycle (definitions at the end of the file). Returns are replayed in audit order,
  // interleaved with the packets' intake (replay_returns_before): a voucher burn proven after the ack that
  // minted it must find the vouchers outstanding at replay too.
  struct StoredReturn {
    std::int64_t packet_row = 0;
    std::string source_island;
    std::uint64_t dest_height = 0, dest_time = 0, scan_from = 0;
    ReturnEntry entry;
  };
  std::vector<StoredReturn> stored_returns;  // during load only, ascending audit_index
  std::map<std::int64_t, domain::PacketId> replayed_rows;  // during load only: packets row → id replayed so far
  std::size_t stored_returns_next = 0;
  Status read_lifecycle();                                // scan progress + returns rows (before the packets)
  Status replay_returns_before(std::uint64_t audit_index);  // returns whose ack/timeout entry precedes it
  Status finish_lifecycle();                              // the rest, peers' return signatures, ledger check
  Status persist_ledger(Transaction& tx);
  Status persist_transfer(Transaction& tx, const domain::PacketId& id);
  // Governance journal (migration 9; docs/relay-core.md "Governance journal"; definitions near the end of the
  // file). Every governance record — registration (islands), channel open (channels), island update, client
  // recover, channel close (governance_journal) — is replayed at start in the order of its audit entry,
  // interleaved with the packets and returns (replay_before), so each is re-verified against the keys and
  // nonce in force at its place and a packet replays under the channel state of its time.
  struct StoredGov {
    std::uint64_t index = 0;  // audit index
    std::string action;       // island.register | channel.open | island.update | client.recover | channel.close
    std::string record;       // JSON text
    std::string prior_status;  // client.recover: frozen | expired
    std::int64_t seq = -1;     // governance_journal.seq (-1: islands / channels rows)
  };
  std::vector<StoredGov> stored_gov;  // during load only, ascending index
  std::size_t stored_gov_next = 0;
  std::map<std::string, domain::IslandSpec> registered_specs;  // islands.record: the config check at start
  Status read_governance();                           // the three tables, merged by audit index
  Status apply_stored_gov(const StoredGov& g);
  Status check_journal_entry(const StoredGov& g);      // the row's audit entry is its record's (kind, content)
  Status check_opening_entries();  // islands.registered_index / channels.opened_index likewise (before the replay)
  // The audit entry at `idx` is of `kind` and has each string field of `fields` as given; otherwise
  // ERR_STORE_CONFLICT "<row> disagrees with the audit log: …" at `table` (row_conflict).
  using EntryFields = std::vector<std::pair<const char*, std::string>>;
  Status check_entry(const std::string& row, const char* table, std::uint64_t idx, std::string_view kind,
                     const EntryFields& fields);
  static Status row_conflict(const std::string& row, const char* table, const std::string& what) {
    return fail(Code::StoreConflict, row + " disagrees with the audit log: " + what, table);
  }
  Status replay_before(std::uint64_t audit_index);    // governance records and returns below audit_index
  Status apply_client_states();                       // client_states.status (frozen / expired) after the replay
  Status journal(Transaction& tx, std::string_view action, const std::string& island, std::uint64_t nonce,
                 const std::string& record, const std::string& prior_status, std::uint64_t audit_index);
  Status store_nonce(const std::string& island);      // islands.nonce = relay/domain's
  Status update_island_tx(Transaction& tx, const domain::SignedIsland& rec, Relay::GovernanceResult& out);
  Status recover_client_tx(Transaction& tx, const domain::ClientRecoverRecord& rec, Relay::GovernanceResult& out);
  Status close_channel_tx(Transaction& tx, const ChannelPair& pair, Relay::GovernanceResult& out);
  // Gateway API v1 (issue #6): /metrics intake counters, own mutex (never taken while holding it).
  mutable std::mutex intake_mu;
  std::map<std::string, std::uint64_t> intake_by_result, intake_rejected_by_island;
  void count_intake(const std::string& island, const Result<PacketView>& r);
  static std::string bundle_island_hint(const std::string& text);
  // A13 for a Bitcoin deposit bundle: the context its headers are judged with (the anchor's ancestors' times,
  // its period start) is the relay's own for the held anchor, never the submitter's — the same substitution as
  // accept_headers. Rewrites `text` only when it is a bitcoin bundle whose anchor is a held state; anything else
  // is left for verify_bundle to judge (an unheld anchor is ERR_UNTRUSTED_ANCHOR there).
  void pin_bitcoin_context(std::string& text) const {
    // The strict parse (duplicate keys, raw NUL bytes refused, A02): a lenient one here would hand a re-dumped,
    // "repaired" text to verify_bundle. A text it refuses is left as it is, for verify_bundle to refuse.
    auto parsed = proofs::parse_strict_json(text, kMaxBundleBytes, proofs::kMaxJsonDepth);
    if (!parsed) return;
    json& doc = *parsed;
    if (!doc.is_object() || doc.value("family", "") != "bitcoin" || !doc.contains("island") ||
        !doc["island"].is_string() || !doc.contains("anchor") || !doc["anchor"].is_object())
      return;
    json& a = doc["anchor"];
    if (!a.contains("header") || !a["header"].is_string() || !a.contains("height") || !a["height"].is_number_unsigned())
      return;
    auto header = from_hex(a["header"].get<std::string>());
    if (!header || header->size() != 80) return;
    std::optional<proofs::BitcoinContext> ctx;
    {
      std::lock_guard lock(mu);
      const auto* rec = state->islands().find(doc["island"].get<std::string>());
      if (rec == nullptr || rec->spec.family != domain::Family::Bitcoin) return;
      ctx = bitcoin_context(rec->spec, a["height"].get<std::uint64_t>(), sha256d(*header).reversed());
    }
    if (!ctx) return;
    a.erase("prev_timestamps_s");
    a.erase("period_start_time_s");
    a.erase("last_non_min_bits");
    if (!ctx->prev_timestamps_s.empty()) a["prev_timestamps_s"] = ctx->prev_timestamps_s;
    if (ctx->period_start_time_s) a["period_start_time_s"] = *ctx->period_start_time_s;
    text = doc.dump();
  }

  // Writer-thread statement cache.
  std::map<std::string, Statement, std::less<>> stmts;

  Impl(RelayOptions o, Database d) : opt(std::move(o)), db(std::move(d)) {}

  void note(const std::string& s) const {
    if (opt.log) opt.log(s);
    else std::fprintf(stderr, "causeway: %s\n", s.c_str());
  }
  std::uint64_t now() const { return opt.clock_ms ? opt.clock_ms() : system_ms(); }

  // H9: stage events (set_event_listener). event_of runs inside the change (mu held: view_of reads
  // own_attestation) and logs the alerts as before; emit runs only after the change's COMMIT, without mu.
  RelayEvent event_of(const domain::PacketRecord& r, std::optional<std::uint64_t> stage_index,
                      const std::vector<domain::Alert>& alerts) const {
    RelayEvent ev = RelayEvent::of(view_of(r, false));
    ev.stage_index = stage_index;
    for (const auto& a : alerts) {
      note("alert " + a.kind + ": " + a.detail);
      ev.alerts.push_back(RelayAlert{a.kind, a.detail});
    }
    return ev;
  }
  void emit(const RelayEvent& ev) {
    std::function<void(const RelayEvent&)> on_event;
    {
      std::lock_guard lock(mu);
      on_event = event_listener;
    }
    if (on_event) on_event(ev);
  }

  Result<Statement*> stmt(std::string_view sql) {
    auto it = stmts.find(sql);
    if (it == stmts.end()) {
      auto st = db.prepare(sql);
      if (!st) return err(st);
      it = stmts.emplace(std::string(sql), std::move(*st)).first;
    }
    it->second.reset();
    return &it->second;
  }

  const FamilyPlugin* plugin_for(const domain::IslandSpec& spec) const {
    for (const auto& p : opt.plugins)
      if (p->handles(spec)) return p.get();
    return nullptr;
  }

  void rebuild_trust() {
    auto list = std::make_shared<proofs::TrustList>();
    for (const auto& [island, states] : cstates)
      for (const auto& s : states) list->push_back(proofs::TrustedAnchor{island, s.height, s.hash, s.validator_set_hash, s.time_ms});
    trust = std::move(list);
    publish_intake_view();
  }
  // Publishes `trust` and the islands' specs for intake on submitting threads (IntakeView). `mu` held. Not while
  // load() rebuilds the state (`loading`): its consensus states come back before its islands (replayed later), and
  // a view published in between would answer ERR_UNKNOWN_ISLAND for registered islands; the previous view stays
  // until load() ends and publishes the rebuilt one.
  void publish_intake_view() {
    if (loading) return;
    auto v = std::make_shared<IntakeView>();
    v->trust = trust;
    if (state)
      for (const auto& [id, rec] : state->islands().all()) v->specs.emplace(id, rec.spec);
    std::lock_guard lock(view_mu);
    intake_view_ = std::move(v);
  }
  bool holds(const std::string& island, std::uint64_t height, const Hash32& hash) const {
    auto it = cstates.find(island);
    if (it == cstates.end()) return false;
    return std::any_of(it->second.begin(), it->second.end(),
                       [&](const ConsensusState& s) { return s.height == height && s.hash == hash; });
  }
  // A21 for families whose light client does not judge the trusting period (FamilyPlugin::
  // engine_checks_trusting_period: chainmaker/v2, fisco-bcos): ERR_CLIENT_EXPIRED at `anchor` when the held state
  // (`height`, `hash`) a bundle or header document starts from is past the island's trusting period at the relay's
  // clock — domain::trusting_period_passed, the one rule (a period of 0 never passes). Any other case: ok (an
  // unheld anchor is holds()'s to refuse). `mu` held.
  Status check_anchor_expiry(const std::string& island, std::uint64_t height, const Hash32& hash) const {
    const auto* rec = state->islands().find(island);
    if (rec == nullptr) return {};
    const auto* plugin = plugin_for(rec->spec);
    if (plugin == nullptr || !plugin->engine_checks_trusting_period()) return {};
    auto it = cstates.find(island);
    if (it == cstates.end()) return {};
    for (const auto& s : it->second) {
      if (s.height != height || s.hash != hash) continue;
      const std::uint64_t now_ms = now();
      if (domain::trusting_period_passed(s.time_ms, rec->spec.trusting_period_s, now_ms))
        return fail(Code::ClientExpired,
                    "the anchor at height " + std::to_string(height) + " (time " + std::to_string(s.time_ms) +
                        " ms) is past the island's trusting period of " + std::to_string(rec->spec.trusting_period_s) +
                        " s at the relay's clock " + std::to_string(now_ms) +
                        " ms (time + trusting period <= now, A21): start from a newer held state, or recover the "
                        "client with a governance-signed anchor",
                    "anchor");
      return {};
    }
    return {};
  }
  static std::string btc_key(const std::string& island, std::uint64_t height, const Hash32& hash) {
    return island + "/" + std::to_string(height) + "/" + to_hex(hash.view());
  }
  // The context the relay holds for a Bitcoin state (nullopt: not a held state with a context).
  std::optional<proofs::BitcoinContext> bitcoin_context(const domain::IslandSpec& spec, std::uint64_t height,
                                                        const Hash32& hash) const {
    if (height == spec.anchor.height && hash == spec.anchor.hash) {
      auto c = proofs::parse_bitcoin_context(
          std::string_view(reinterpret_cast<const char*>(spec.anchor.extra.data()), spec.anchor.extra.size()));
      if (!c) return std::nullopt;
      c->total_work = proofs::BitcoinContext{}.total_work;  // the registered anchor counts 0
      return *c;
    }
    auto it = btc_contexts.find(btc_key(spec.id, height, hash));
    if (it == btc_contexts.end()) return std::nullopt;
    return it->second;
  }
  // The most work among the island's held states (the registered anchor counts 0).
  std::string best_bitcoin_work(const std::string& island) const {
    std::string best = proofs::BitcoinContext{}.total_work;
    const std::string prefix = island + "/";
    for (auto it = btc_contexts.lower_bound(prefix); it != btc_contexts.end() && it->first.rfind(prefix, 0) == 0; ++it)
      best = std::max(best, it->second.total_work);
    return best;
  }
  // A Bitcoin deposit's branch (docs/relay-core.md "Bitcoin islands", "Deposits follow the most-work branch"):
  // the relay's most-work held state must be one of the bundle's VERIFIED (hash-linked) headers at or above the
  // required depth, proving height + confirmations − 1 (at or above the anchor when that is the proving block).
  // The relay keeps no links between its held states, so that state is the only one it can show to be on its
  // most-work branch; a bundle passing through it puts the proving block on that branch with at least
  // `confirmations` blocks. Headers after it in the bundle count for nothing here. `mu` held.
  // Errors: ERR_UNTRUSTED_ANCHOR (the relay's most-work state is below the required depth — push headers — or
  // beyond the bundle's last header — end the bundle at or after it), ERR_LESS_WORK (the bundle's header at that
  // height is another block: the deposit is on a branch the relay does not follow).
  Status check_bitcoin_branch(const domain::IslandSpec& spec, const json& doc, std::uint64_t anchor_height,
                              const Hash32& anchor_hash, std::uint64_t proving_height) const {
    std::optional<ConsensusState> best;
    std::string best_work;
    if (auto it = cstates.find(spec.id); it != cstates.end())
      for (const auto& s : it->second)
        if (auto ctx = bitcoin_context(spec, s.height, s.hash); ctx && (!best || ctx->total_work > best_work)) {
          best = s;
          best_work = ctx->total_work;
        }
    if (!best) return fail(Code::UntrustedAnchor, "the island's client holds no Bitcoin state", "anchor");
    const std::uint64_t need = proving_height + std::max<std::uint64_t>(spec.finality.confirmations, 1) - 1;
    const std::string at_best = "the relay's most-work state (height " + std::to_string(best->height) + ")";
    if (best->height < need)
      return fail(Code::UntrustedAnchor, at_best + " is below the deposit's required depth " + std::to_string(need) +
                                             ": the relay has not followed its confirmations yet (push headers)",
                  "headers");
    if (!doc.contains("headers") || !doc["headers"].is_array())
      return fail(Code::BundleSchema, "a bitcoin bundle has a headers array", "headers");
    const auto& headers = doc["headers"];
    if (best->height > anchor_height + headers.size())
      return fail(Code::UntrustedAnchor, "the bundle ends at height " + std::to_string(anchor_height + headers.size()) +
                                             ", before " + at_best + ": carry the headers up to it",
                  "headers");
    if (best->height <= anchor_height) {  // need ≤ anchor: the anchor is the proving block, confirmations 1
      if (best->height == anchor_height && best->hash == anchor_hash) return {};
      return fail(Code::LessWork, "the bundle's anchor is not " + at_best, "anchor");
    }
    const std::size_t i = static_cast<std::size_t>(best->height - anchor_height - 1);
    auto raw = headers[i].is_string() ? from_hex(headers[i].get<std::string>()) : Result<Bytes>(Bytes{});
    if (!raw || sha256d(*raw).reversed() != best->hash)
      return fail(Code::LessWork, "the bundle's header at height " + std::to_string(best->height) + " is not " + at_best +
                                      ", 0x" + to_hex_bare(best->hash.view()) +
                                      ": the deposit is on a branch the relay does not follow",
                  "headers[" + std::to_string(i) + "]");
    return {};
  }
  void add_cstate(const ConsensusState& cs) {
    auto& v = cstates[cs.island];
    v.push_back(cs);
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.height < b.height; });
    rebuild_trust();
  }
  domain::DestView latest_dest(const std::string& island) const {
    auto it = cstates.find(island);
    const auto* rec = state->islands().find(island);
    if (it == cstates.end() || it->second.empty() || rec == nullptr) return {};
    const auto& s = it->second.back();
    if (rec->spec.family == domain::Family::Ethereum)
      return domain::DestView{s.height, s.time_ms / 1000, packet::DestClock::EvmSeconds};
    return domain::DestView{s.height, s.time_ms, packet::DestClock::DevnetMillis};
  }

  // What an ack or timeout attestation to the packet's source signs (PACKET.md "Acknowledgements and timeouts").
  Result<domain::AttestationSubject> return_subject(const domain::PacketRecord& rec, const ReturnEntry& e) const {
    const auto* src = state->channels().find(domain::ChannelKey{rec.packet.source_island, rec.packet.source_channel});
    if (src == nullptr) return fail(Code::UnknownChannel, "no source channel end", rec.packet.source_island);
    const bool ack = e.kind == "ack";
    return domain::AttestationSubject{ack ? domain::AttestationKind::Ack : domain::AttestationKind::Timeout,
                                      rec.packet.source_island, rec.packet.source_genesis, src->spec.endpoint,
                                      rec.commitment, ack ? packet::ack_commitment(e.ack_bytes) : Hash32{}};
  }

  // The return entry of a packet (pending, submitted or done), or null.
  ReturnEntry* find_return(const domain::PacketRecord& rec) {
    if (auto it = returns.find(rec.packet.source_island); it != returns.end())
      if (auto e = it->second.find(rec.id); e != it->second.end()) return &e->second;
    if (auto d = returns_done.find(rec.id); d != returns_done.end()) return &d->second;
    return nullptr;
  }
  const ReturnEntry* find_return(const domain::PacketRecord& rec) const {
    return const_cast<Impl*>(this)->find_return(rec);
  }

  // Own signature first, then peers' whose member is in the CURRENT committee (A05: a removed member no longer
  // counts), distinct members only.
  std::vector<adapters::MemberAttestation> return_signatures(const ReturnEntry& e) const {
    std::vector<adapters::MemberAttestation> out{adapters::MemberAttestation{self, e.audit_index, e.signature}};
    const auto& committee = state->committee();
    for (const auto& p : e.peers)
      if (committee.is_member(p.member) &&
          std::none_of(out.begin(), out.end(), [&](const auto& x) { return x.member == p.member; }))
        out.push_back(p);
    return out;
  }

  Result<domain::AttestationSubject> subject_of(const packet::Packet& p, const Hash32& commitment) const {
    const auto* dest = state->channels().find(domain::ChannelKey{p.dest_island, p.dest_channel});
    if (dest == nullptr) return fail(Code::UnknownChannel, "no destination channel end", p.dest_island);
    return domain::AttestationSubject{domain::AttestationKind::Packet, p.dest_island, p.dest_genesis,
                                      dest->spec.endpoint, commitment, Hash32{}};
  }

  // ---- writes (writer thread, inside the batch transaction) ------------------------------------------

  Result<std::uint64_t> append(Transaction& tx, Result<audit::Event> ev) {
    if (!ev) return err(ev);
    return log->append(tx, *ev);
  }

  Status insert_cstate(Transaction& tx, const ConsensusState& cs, std::uint64_t from_height, bool audit_it,
                       std::optional<std::uint64_t> index_in = std::nullopt) {
    std::uint64_t index = index_in.value_or(0);
    if (audit_it) {
      auto idx = append(tx, audit::build(audit::HeadersAccepted{cs.island, from_height, cs.height, cs.hash,
                                                                cs.height - from_height + 1, cs.validator_set_hash},
                                         now()));
      if (!idx) return err(idx);
      index = *idx;
    }
    auto st = stmt("INSERT INTO consensus_states(island, height, hash, validator_set_hash, time_ms, audit_index) "
                   "VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
    if (!st) return err(st);
    Statement& s = **st;
    (void)s.bind_text(1, cs.island);
    (void)s.bind_int64(2, i64(cs.height));
    (void)s.bind_blob(3, cs.hash.view());
    if (cs.validator_set_hash) (void)s.bind_blob(4, cs.validator_set_hash->view());
    else (void)s.bind_null(4);
    (void)s.bind_int64(5, i64(cs.time_ms));
    (void)s.bind_int64(6, i64(index));
    if (auto r = s.run(); !r) return r;
    add_cstate(cs);
    return {};
  }

  Status register_island(Transaction& tx, const domain::SignedIsland& rec) {
    const auto* plugin = plugin_for(rec.spec);
    if (plugin == nullptr)
      return fail(Code::UnsupportedFamily, "no family plug-in for " + std::string(domain::family_name(rec.spec.family)) +
                                               "/" + rec.spec.codec, rec.spec.id);
    auto anchor = plugin->anchor_state(rec.spec);
    if (!anchor) return err(anchor);
    auto reg = state->register_island(rec);
    if (!reg) return err(reg);
    touched = true;
    publish_intake_view();
    const std::string record = island_to_json(rec).dump();
    const Hash32 config_hash = sha256(ByteView(reinterpret_cast<const std::uint8_t*>(record.data()), record.size()));
    auto idx = append(tx, audit::build(audit::IslandRegistered{rec.spec.id, rec.spec.genesis,
                                                               std::string(domain::family_name(rec.spec.family)),
                                                               rec.spec.anchor.height, rec.spec.anchor.hash,
                                                               config_hash, anchor->validator_set_hash,
                                                               to_hex(rec.spec.endpoint)},
                                       now()));
    if (!idx) return err(idx);
    auto st = stmt("INSERT INTO islands(id, genesis, family, codec, record, nonce, registered_index) "
                   "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!st) return err(st);
    Statement& s = **st;
    (void)s.bind_text(1, rec.spec.id);
    (void)s.bind_blob(2, rec.spec.genesis.view());
    (void)s.bind_text(3, domain::family_name(rec.spec.family));
    (void)s.bind_text(4, rec.spec.codec);
    (void)s.bind_text(5, record);
    (void)s.bind_int64(6, i64(rec.nonce));
    (void)s.bind_int64(7, i64(*idx));
    if (auto r = s.run(); !r) return r;
    registered_specs[rec.spec.id] = rec.spec;
    auto cst = stmt("INSERT INTO client_states(island, trusting_period_s, status) VALUES(?1, ?2, 'active')");
    if (!cst) return err(cst);
    (void)(*cst)->bind_text(1, rec.spec.id);
    (void)(*cst)->bind_int64(2, i64(rec.spec.trusting_period_s));
    if (auto r = (*cst)->run(); !r) return r;
    return insert_cstate(tx, *anchor, anchor->height, false, *idx);
  }

  Status open_channel(Transaction& tx, const ChannelPair& pair) {
    auto opened = state->open_channel(pair.a, pair.b);
    if (!opened) return err(opened);
    touched = true;
    const std::string record = json{{"a", channel_to_json(pair.a)}, {"b", channel_to_json(pair.b)}}.dump();
    const Hash32 record_hash = sha256(ByteView(reinterpret_cast<const std::uint8_t*>(record.data()), record.size()));
    for (const auto* r : {&pair.a, &pair.b}) {
      const auto& s = r->spec;
      auto idx = append(tx, audit::build(audit::ChannelOpened{s.island, s.channel, s.port, s.counterparty_island,
                                                              s.counterparty_channel, s.counterparty_port,
                                                              std::string(domain::ordering_name(s.ordering)),
                                                              record_hash},
                                         now()));
      if (!idx) return err(idx);
      auto st = stmt("INSERT INTO channels(island, channel, port, counterparty_island, counterparty_channel, "
                     "ordering, record, opened_index) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
      if (!st) return err(st);
      Statement& q = **st;
      (void)q.bind_text(1, s.island);
      (void)q.bind_text(2, s.channel);
      (void)q.bind_text(3, s.port);
      (void)q.bind_text(4, s.counterparty_island);
      (void)q.bind_text(5, s.counterparty_channel);
      (void)q.bind_text(6, domain::ordering_name(s.ordering));
      (void)q.bind_text(7, record);
      (void)q.bind_int64(8, i64(*idx));
      if (auto rr = q.run(); !rr) return rr;
      if (auto rr = store_nonce(s.island); !rr) return rr;  // the open advanced the island's governance nonce
    }
    return {};
  }

  PacketView view_of(const domain::PacketRecord& r, bool existing) const {
    PacketView v;
    v.id = r.id;
    v.id_text = domain::to_string(r.id);
    v.commitment = r.commitment;
    v.stage = std::string(domain::stage_name(r.stage));
    v.dest_island = r.packet.dest_island;
    v.verified_index = r.proven_audit_index;
    if (auto it = own_attestation.find(r.id); it != own_attestation.end()) v.attestation = it->second;
    v.existing = existing;
    return v;
  }

  Status set_stage(const domain::PacketId& id, std::string_view stage) {
    auto st = stmt("UPDATE packets SET stage = ?1, updated_ms = ?2 WHERE id = ?3");
    if (!st) return err(st);
    (void)(*st)->bind_text(1, stage);
    (void)(*st)->bind_int64(2, i64(now()));
    (void)(*st)->bind_int64(3, rowid.at(id));
    return (*st)->run();
  }

  // Runs one change under the state lock; a failed change that had touched the in-memory state marks it for
  // a rebuild from the database after the batch (its SQL was rolled back to its savepoint).
  // A change refused with ERR_ESCROW_INVARIANT left its channel halted in memory (relay/domain, A05): the halt
  // is recorded (capture_halts) and persisted by a change of its own (flush_halts), queued here.
  // A change refused with ERR_CLIENT_FROZEN after check_conflict found misbehaviour (A14) queues flush_freezes.
  template <class Fn>
  Status guarded(Fn fn) {
    bool flush = false;
    bool flush_freeze = false;
    Status s;
    {
      std::lock_guard lock(mu);
      touched = false;
      running_packet.reset();
      s = fn();
      if (!s && touched) dirty = true;
      if (!s && s.error().code == Code::EscrowInvariant) flush = capture_halts();
      if (!s && s.error().code == Code::ClientFrozen && !pending_freezes.empty() && !freeze_flush_queued)
        flush_freeze = freeze_flush_queued = true;
      running_packet.reset();
    }
    if (flush) queue_halt_flush();
    if (flush_freeze) queue_freeze_flush();
    return s;
  }

  // ERR_CLIENT_FROZEN (and a pending freeze, A14) when `island` is quorum-final and holds another hash at `height`:
  // `hash` was verified by its light client from a held state, so the island's validators signed two headers at
  // one height. `document` is the submitted text that carried it (kept as evidence). `mu` held.
  Status check_conflict(const std::string& island, std::uint64_t height, const Hash32& hash, std::string_view source,
                        const std::string& document) {
    const auto* rec = state->islands().find(island);
    if (rec == nullptr || rec->spec.finality.kind != domain::FinalityKind::BftQuorum) return {};
    auto it = cstates.find(island);
    if (it == cstates.end()) return {};
    for (const auto& held : it->second) {
      if (held.height != height || held.hash == hash) continue;
      if (std::none_of(pending_freezes.begin(), pending_freezes.end(),
                       [&](const PendingFreeze& p) { return p.island == island; }))
        pending_freezes.push_back(PendingFreeze{island, height, held.hash, hash, std::string(source), document});
      return fail(Code::ClientFrozen,
                  "misbehaviour (A14): the verified header " + to_hex(hash.view()) + " at height " +
                      std::to_string(height) + " conflicts with the held " + to_hex(held.hash.view()) +
                      ": the island's client is frozen until a governance-signed client recover",
                  "headers");
    }
    return {};
  }
  void queue_freeze_flush();                                          // below Relay::open; `mu` NOT held
  Status flush_freezes(Transaction& tx, std::vector<RelayEvent>& out);  // the flush change (writer thread)

  // ---- A05 halts (docs/relay-core.md "A05") -------------------------------------------------------------
  // Channels halted in memory that are neither persisted nor pending: recorded as pending (one per channel,
  // named by the end whose ledger broke). True when a flush must be queued. `mu` held.
  bool capture_halts() {
    auto known = [&](const domain::ChannelKey& k) {
      if (persisted_halts.count(k)) return true;
      return std::any_of(pending_halts.begin(), pending_halts.end(), [&](const PendingHalt& h) { return h.end == k; });
    };
    bool added = false;
    for (const auto& [ck, end] : state->channels().all()) {
      if (end.state != domain::ChannelState::Halted || known(ck) || known(end.counterparty_key())) continue;
      // Named by the end whose ledger broke (relay/domain's reason starts "ledger <island>/<channel>: ").
      const domain::ChannelKey cp = end.counterparty_key();
      const bool cp_ledger = end.halt_reason.rfind("ledger " + domain::to_string(cp) + ":", 0) == 0;
      pending_halts.push_back(PendingHalt{cp_ledger ? cp : ck, end.halt_reason, running_packet});
      note("alert escrow_invariant: " + end.halt_reason);
      added = true;
    }
    if (!added || halt_flush_queued) return false;
    halt_flush_queued = true;
    return true;
  }
  void queue_halt_flush();                // below Relay::open (needs the committer); `mu` NOT held
  // A synchronous caller whose change failed with ERR_ESCROW_INVARIANT waits until the queued halt flush has
  // committed (an empty change queued after it). Not on the writer thread.
  // The same for ERR_CLIENT_FROZEN: the freeze (A14) has committed before the caller is answered.
  void await_halts(const Status& s) {
    if (!s && (s.error().code == Code::EscrowInvariant || s.error().code == Code::ClientFrozen) && committer)
      (void)committer->submit([](Database&, Transaction&) -> Status { return {}; }).get();
  }
  Status flush_halts(Transaction& tx, std::vector<RelayEvent>& out);  // the flush change (writer thread)
  Status load_halts();                    // persisted + pending halts onto the replayed state; `mu` held

  Status apply_intake(Transaction& tx, Intake& in, PacketView& out) {
    return guarded([&] { return apply_intake_locked(tx, in, out); });
  }

  // The intake change (file comment of relay.hpp, step 2).
  Status apply_intake_locked(Transaction& tx, Intake& in, PacketView& out) {
    in.alerts.clear();
    if (!holds(in.island, in.anchor_height, in.anchor_hash))  // A03, in the writer's own view
      return fail(Code::UntrustedAnchor, "the bundle's anchor is not a consensus state this relay holds", "anchor");
    if (auto e = check_anchor_expiry(in.island, in.anchor_height, in.anchor_hash); !e) return e;  // A21
    const auto& f = in.facts;
    // A14: the proving header and the verified tip against the states held at their heights.
    if (auto c = check_conflict(in.island, f.height, f.header_hash, "bundle", in.text); !c) return c;
    if (f.advanced)
      if (auto c = check_conflict(f.advanced->island, f.advanced->height, f.advanced->hash, "bundle", in.text); !c) return c;
    // A channel closed by governance (or by an ordered-channel timeout) takes no new packets (ICS-04); an
    // already-known packet is still answered below.
    if (const auto* end = state->channels().find(domain::ChannelKey{f.packet.source_island, f.packet.source_channel});
        end != nullptr && end->state == domain::ChannelState::Closed && state->find(domain::packet_id(f.packet)) == nullptr)
      return fail(Code::ChannelClosed, "channel " + domain::to_string(end->key()) + " is closed: no new packets",
                  "source_channel");
    auto obs = in.committed ? state->observe(*in.committed, f.emitter) : state->observe(f.packet, f.emitter);
    if (!obs) return err(obs);
    if (obs->outcome == domain::ObserveOutcome::AlreadyKnown) {
      out = view_of(obs->record, true);
      return {};
    }
    touched = true;  // from here on the in-memory state is ahead until this change commits
    const domain::PacketId id = obs->record.id;
    if (f.advanced && !holds(f.advanced->island, f.advanced->height, f.advanced->hash))
      if (auto s = insert_cstate(tx, *f.advanced, f.anchor_height + 1, true); !s) return s;
    const Result<audit::Event>& built = *in.verified_event;  // built by the caller (Intake::verified_event)
    if (!built) return err(built);
    auto v = log->append(tx, *built);
    if (!v) return err(v);
    running_packet = f.packet;  // A05: named by the halt's alert if the ledger movement breaks the invariant
    auto proven = state->prove(id, domain::EvProven{f.commitment, f.height, f.header_hash, *v, f.header_time_ms});
    if (!proven) return err(proven);
    for (const auto& al : proven->alerts) {  // H9: carried by the stage event after the commit
      note("alert " + al.kind + ": " + al.detail);
      in.alerts.push_back(RelayAlert{al.kind, al.detail});
    }
    const std::uint64_t t = now();
    // This relay's attestation over its own packet_verified index (PACKET.md "Attestations"), made by the
    // domain's OwnSigner so that the tally counts it without recovering a signature we just made.
    auto subject = subject_of(f.packet, f.commitment);
    if (!subject) return err(subject);
    auto own = signer->sign(*subject, *v);
    if (!own) return err(own);
    const domain::MemberSignature& sig = own->entry();
    auto a = append(tx, audit::build(audit::PacketAttested{f.commitment, f.packet.dest_island, *v,
                                                           Bytes(self.begin(), self.end()), own->digest(),
                                                           sig.signature},
                                     t));
    if (!a) return err(a);
    domain::PacketRecord rec = proven->record;
    auto quorum = domain::tally_attestations(state->committee(), *subject, *own, {});
    if (!quorum) return err(quorum);
    bool attested_now = false;
    if (quorum->met()) {
      auto attested = state->attest(id, *quorum, latest_dest(f.packet.dest_island));
      if (attested) {
        rec = attested->record;
        attested_now = true;
        for (const auto& al : attested->alerts) {  // H9
          note("alert " + al.kind + ": " + al.detail);
          in.alerts.push_back(RelayAlert{al.kind, al.detail});
        }
      } else {
        note("packet " + domain::to_string(id) + " stays proven: " + attested.error().detail);
      }
    }
    {  // the packet row is written once, with its final stage (no UPDATE after the tally)
      auto st = stmt("INSERT INTO packets(source_island, source_genesis, source_channel, sequence, commitment, "
                     "dest_island, dest_genesis, dest_channel, packet, stage, source_height, source_block, "
                     "source_time_ms, verified_index, created_ms, updated_ms, attested_index) "
                     "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15, ?16)");
      if (!st) return err(st);
      Statement& s = **st;
      (void)s.bind_text(1, f.packet.source_island);
      (void)s.bind_blob(2, f.packet.source_genesis.view());
      (void)s.bind_text(3, f.packet.source_channel);
      (void)s.bind_int64(4, i64(f.packet.sequence));
      (void)s.bind_blob(5, f.commitment.view());
      (void)s.bind_text(6, f.packet.dest_island);
      (void)s.bind_blob(7, f.packet.dest_genesis.view());
      (void)s.bind_text(8, f.packet.dest_channel);
      (void)s.bind_blob(9, f.packet_bytes);
      (void)s.bind_text(10, domain::stage_name(rec.stage));
      (void)s.bind_int64(11, i64(f.height));
      (void)s.bind_blob(12, f.header_hash.view());
      (void)s.bind_int64(13, i64(f.header_time_ms));
      (void)s.bind_int64(14, i64(*v));
      (void)s.bind_int64(15, i64(t));
      if (attested_now) (void)s.bind_int64(16, i64(*a));
      else (void)s.bind_null(16);
      if (auto r = s.run(); !r) return r;
      rowid[id] = sqlite3_last_insert_rowid(db.handle());
      verified_index[id] = *v;
    }
    {
      auto st = stmt("INSERT INTO attestations(packet, member, audit_index, signature) VALUES(?1, ?2, ?3, ?4)");
      if (!st) return err(st);
      (void)(*st)->bind_int64(1, rowid.at(id));
      (void)(*st)->bind_blob(2, ByteView(self.data(), self.size()));
      (void)(*st)->bind_int64(3, i64(*v));
      (void)(*st)->bind_blob(4, sig.signature);
      if (auto r = (*st)->run(); !r) return r;
      own_attestation[id] = adapters::MemberAttestation{self, *v, sig.signature};
    }
    if (attested_now) {
      auto ob = stmt("INSERT INTO outbox(packet, dest_island, state) VALUES(?1, ?2, 'pending')");
      if (!ob) return err(ob);
      (void)(*ob)->bind_int64(1, rowid.at(id));
      (void)(*ob)->bind_text(2, f.packet.dest_island);
      if (auto r = (*ob)->run(); !r) return r;
      outbox[f.packet.dest_island][id] = OutboxEntry{rowid.at(id), "pending", 0, 0, {}, 0};
    }
    if (auto s = persist_transfer(tx, id); !s) return s;  // packet lifecycle: ICS-20 facts + ledger rows (H4)
    out = view_of(rec, false);
    return {};
  }

  // ---- start-up: rebuild everything from the database ------------------------------------------------

  Status load() {
    loading = true;
    struct Loaded {
      bool& flag;
      ~Loaded() { flag = false; }
    } loaded{loading};
    auto committee = domain::Committee::from_config(committee_cfg);
    if (!committee) return err(committee);
    state = std::make_unique<domain::RelayState>(*committee);
    for (const auto& a : opt.config.assets)  // packet lifecycle: registered base assets (config [[assets]])
      if (auto r = state->register_asset(a.island, a.denom); !r) return err(r);
    cstates.clear();
    btc_contexts.clear();
    {
      auto st = db.prepare("SELECT island, height, hash, context FROM bitcoin_contexts");
      if (!st) return err(st);
      for (;;) {
        auto row = st->step();
        if (!row) return err(row);
        if (!*row) break;
        auto ctx = proofs::parse_bitcoin_context(st->column_text(3));
        if (!ctx) return err(ctx);
        const auto hash = st->column_blob(2);
        if (hash.size() != 32) return fail(Code::StoreIo, "bitcoin_contexts hash is not 32 bytes", "bitcoin_contexts");
        btc_contexts.emplace(btc_key(std::string(st->column_text(0)), static_cast<std::uint64_t>(st->column_int64(1)),
                                     Hash32::from(hash)),
                             std::move(*ctx));
      }
    }
    rowid.clear();
    verified_index.clear();
    own_attestation.clear();
    peer_attestations.clear();
    unmet_at_replay.clear();
    outbox.clear();
    stmts.clear();
    // Governance records (registrations, channel opens, the journal), replayed in audit order below,
    // interleaved with the packets (replay_before).
    if (auto s = read_governance(); !s) return s;
    if (auto s = check_opening_entries(); !s) return s;
    {
      auto st = db.prepare("SELECT island, height, hash, validator_set_hash, time_ms FROM consensus_states "
                           "ORDER BY island, height");
      if (!st) return err(st);
      for (;;) {
        auto row = st->step();
        if (!row) return err(row);
        if (!*row) break;
        ConsensusState cs{std::string(st->column_text(0)), u64(st->column_int64(1)), hash_col(*st, 2), std::nullopt,
                          u64(st->column_int64(4))};
        if (!st->column_is_null(3)) cs.validator_set_hash = hash_col(*st, 3);
        cstates[cs.island].push_back(cs);
      }
      rebuild_trust();
    }
    // Committee peers' attestations (k > 1), by packet row; re-checked by the tally below.
    std::map<std::int64_t, std::vector<adapters::MemberAttestation>> peers_by_row;
    {
      auto st = db.prepare("SELECT packet, member, audit_index, signature FROM attestations WHERE member <> ?1 "
                           "ORDER BY rowid");
      if (!st) return err(st);
      (void)st->bind_blob(1, ByteView(self.data(), self.size()));
      for (;;) {
        auto row = st->step();
        if (!row) return err(row);
        if (!*row) break;
        adapters::MemberAttestation a;
        const ByteView m = st->column_blob(1);
        if (m.size() == a.member.size()) std::copy(m.begin(), m.end(), a.member.begin());
        a.audit_index = u64(st->column_int64(2));
        a.signature = bytes_col(*st, 3);
        peers_by_row[st->column_int64(0)].push_back(std::move(a));
      }
    }
    if (auto s = read_lifecycle(); !s) return s;
    // Ordered channels: deliveries replay in sequence order (A24), which may differ from the intake (row) order —
    // sequence 4 proven before 3, both delivered. One that comes too early waits here for the earlier one's.
    std::map<domain::PacketId, domain::EvDelivered> early;
    auto replay_deliver = [&](const domain::PacketId& pid, const domain::EvDelivered& ev) -> Status {
      if (auto r = state->deliver(pid, ev); !r) {
        if (r.error().code != Code::PacketSequence) return err(r);
        early.emplace(pid, ev);
        return {};
      }
      for (bool progress = true; progress && !early.empty();) {
        progress = false;
        for (auto it = early.begin(); it != early.end();) {
          auto d = state->deliver(it->first, it->second);
          if (!d && d.error().code != Code::PacketSequence) return err(d);
          if (!d) {
            ++it;
            continue;
          }
          it = early.erase(it);
          progress = true;
        }
      }
      return {};
    };
    {
      auto st = db.prepare(
          "SELECT p.id, p.packet, p.stage, p.source_height, p.source_block, p.source_time_ms, p.verified_index, "
          "a.member, a.audit_index, a.signature, o.state, o.attempts, o.next_attempt_ms, o.submitted_tx, "
          "d.ack_commitment, d.dest_height, o.submit_attempts "
          "FROM packets p LEFT JOIN attestations a ON a.packet = p.id AND a.member = ?1 "
          "LEFT JOIN outbox o ON o.packet = p.id LEFT JOIN deliveries d ON d.packet = p.id ORDER BY p.id");
      if (!st) return err(st);
      (void)st->bind_blob(1, ByteView(self.data(), self.size()));
      for (;;) {
        auto row = st->step();
        if (!row) return err(row);
        if (!*row) break;
        const Bytes pb = bytes_col(*st, 1);
        auto p = packet::decode_packet(pb);
        if (!p) return err(p);
        if (auto r = replay_before(u64(st->column_int64(6))); !r) return r;
        const auto* src = state->islands().find(p->source_island);
        if (src == nullptr) return fail(Code::StoreConflict, "stored packet of an unknown island");
        auto obs = state->observe(*p, src->spec.endpoint);
        if (!obs) return err(obs);
        const auto id = obs->record.id;
        const Hash32 c = packet::commitment(pb);
        auto proven = state->prove(id, domain::EvProven{c, u64(st->column_int64(3)), hash_col(*st, 4),
                                                        u64(st->column_int64(6)), u64(st->column_int64(5))});
        if (!proven) return err(proven);
        rowid[id] = st->column_int64(0);
        replayed_rows[st->column_int64(0)] = id;
        verified_index[id] = u64(st->column_int64(6));
        const std::string stage(st->column_text(2));
        bool held_back = false;  // stored past `proven`, but the current committee's k is not met (A05)
        if (!st->column_is_null(7)) {
          domain::MemberSignature ms{self, u64(st->column_int64(8)), bytes_col(*st, 9)};
          own_attestation[id] = adapters::MemberAttestation{self, ms.audit_index, ms.signature};
          std::vector<domain::MemberSignature> sigs{ms};
          if (auto pa = peers_by_row.find(rowid[id]); pa != peers_by_row.end()) {
            peer_attestations[id] = pa->second;
            for (const auto& a : pa->second) sigs.push_back(domain::MemberSignature{a.member, a.audit_index, a.signature});
          }
          if (stage != "proven") {
            auto subject = subject_of(*p, c);
            if (!subject) return err(subject);
            auto quorum = domain::tally_attestations(state->committee(), *subject, sigs);
            if (!quorum) return err(quorum);
            if (quorum->met()) {
              if (auto r = state->attest(id, *quorum, domain::DestView{}); !r) return err(r);
            } else if (stage == "attested") {  // A05: new work only with the CURRENT committee's k signatures
              held_back = true;
              note("packet " + domain::to_string(id) + " was attested but only " +
                   std::to_string(quorum->signers().size()) + " of the current committee's k = " +
                   std::to_string(quorum->threshold()) + " members signed it: held as proven (A05)");
            } else {
              // Past `attested`: history. The destination took it (or it timed out) under the committee of its
              // time, or another member delivered it before this relay gathered k: the recorded stage is replayed
              // as it is (deliver / time out take a proven packet), and nothing is gathered for it again.
              unmet_at_replay.insert(id);
            }
          }
        }
        if (!st->column_is_null(14)) {  // the destination's receipt was recorded: delivered, whatever the committee
          if (auto r = replay_deliver(id, domain::EvDelivered{c, hash_col(*st, 14), u64(st->column_int64(15))}); !r)
            return r;
        }
        if (!st->column_is_null(10)) {
          OutboxEntry e{st->column_int64(0), std::string(st->column_text(10)),
                        static_cast<std::uint32_t>(st->column_int64(11)), u64(st->column_int64(12)),
                        st->column_is_null(13) ? Bytes{} : bytes_col(*st, 13),
                        st->column_is_null(16) ? 0u : static_cast<std::uint32_t>(st->column_int64(16))};
          if (e.state != "delivered" && e.state != "failed" && !held_back) outbox[p->dest_island][id] = std::move(e);
        }
      }
    }
    if (!early.empty())
      return fail(Code::PacketSequence, "stored deliveries of an ordered channel leave a gap before " +
                                            domain::to_string(early.begin()->first));
    if (auto s = replay_before(UINT64_MAX); !s) return s;  // the governance records and returns after the packets
    if (stored_gov_next < stored_gov.size())
      return fail(Code::StoreConflict, "a governance record with an impossible audit index");
    stored_gov.clear();
    if (auto s = apply_client_states(); !s) return s;  // frozen / expired clients as stored
    if (auto s = finish_lifecycle(); !s) return s;  // acks, timeouts, refunds, ledger re-check (H4)
    if (auto s = load_halts(); !s) return s;        // A05: after the replay (a halted channel attests nothing)
    dirty = false;
    loading = false;
    publish_intake_view();
    return {};
  }

  void after_batch() {
    std::lock_guard lock(mu);
    if (!dirty) return;
    note("rebuilding the in-memory state from the database after a failed change");
    if (auto s = load(); !s) note("FATAL: cannot rebuild the relay state: " + s.error().detail);
  }
};

// ---------------------------------------------------------------------------------------------------------

Relay::Relay(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Relay::~Relay() { stop(); }

Result<std::unique_ptr<Relay>> Relay::open(RelayOptions options) {
  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec) return fail(Code::Io, "cannot create the data dir " + options.data_dir + ": " + ec.message());
  std::filesystem::permissions(options.data_dir, std::filesystem::perms::owner_all, ec);
  store::OpenOptions oo;
  oo.synchronous = options.synchronous;
  auto db = store::open_relay_database(options.data_dir + "/causeway.db", oo);
  if (!db) return err(db);
  // The writer's page cache: 128 MiB (SQLite's default is 2 MiB). Intake inserts each proof bundle's SHA-256 into
  // audit_bundles' UNIQUE index, i.e. at a random place of a large B-tree (the rows themselves are appended since
  // migration 11); with the default cache nearly every insert re-read a page from the file (pread), which the
  // relay-core profile showed as a large share of the writer's time. Durability is unchanged (synchronous FULL, WAL); only reads are cached.
  if (auto s = db->set_pragma("cache_size", "-131072"); !s) return err(s);
  // Checkpoint the WAL every 10,000 pages (≈ 40 MiB; SQLite's default is 1,000): an intake batch writes over
  // 1,000 pages, so the default ran a checkpoint inside nearly every COMMIT, copying pages that the next batches
  // rewrite anyway (the audit tree's and the tables' right edges). relay-core bench: ≈ +10 % (docs/benchmarks.md).
  // Durability is unchanged: the WAL is the log that recovery replays either way.
  if (auto s = db->set_pragma("wal_autocheckpoint", "10000"); !s) return err(s);
  auto impl = std::make_unique<Impl>(std::move(options), std::move(*db));
  auto& I = *impl;
  auto log = audit::AuditLog::open(I.db);
  if (!log) return err(log);
  I.log = std::make_unique<audit::AuditLog>(std::move(*log));

  // Committee (A06).
  const auto& cs = I.opt.config.committee;
  const std::string key_file = cs.key_file.empty() ? I.opt.data_dir + "/attestation.key" : cs.key_file;
  auto key = load_or_create_attestation_key(key_file);
  if (!key) return err(key);
  I.key = *key;
  I.self = secp256k1::eth_address(secp256k1::public_key_of(I.key));
  {
    auto own = domain::OwnSigner::create(I.key);
    if (!own) return err(own);
    I.signer = std::move(*own);
  }
  I.committee_cfg.threshold = cs.threshold;
  I.committee_cfg.self = I.self;
  I.committee_cfg.allow_low_threshold = cs.allow_low_threshold;
  if (cs.members.empty()) {
    I.committee_cfg.members.push_back(domain::CommitteeMember{I.self, key_file});
  } else {
    for (std::size_t i = 0; i < cs.members.size(); ++i) {
      std::string source = i < cs.key_sources.size() ? cs.key_sources[i] : "";
      if (cs.members[i] == I.self && source.empty()) source = key_file;
      I.committee_cfg.members.push_back(domain::CommitteeMember{cs.members[i], source});
    }
  }
  auto check = domain::check_committee_config(I.committee_cfg);
  if (!check) return err(check);
  for (const auto& w : check->warnings) I.note("committee warning: " + w);
  if (check->low_threshold_override_used)
    I.note("committee: threshold " + std::to_string(cs.threshold) + " of " +
           std::to_string(I.committee_cfg.members.size()) + " is at or below 2n/3; started only because "
           "allow_low_threshold is set (A06)");

  {
    std::lock_guard lock(I.mu);
    if (auto s = I.load(); !s) return err(s);
  }
  store::GroupCommitter::Options co = I.opt.commit;
  Impl* raw = impl.get();
  auto user_after = co.after_batch;
  co.after_batch = [raw, user_after](bool committed) {
    if (!committed) {
      std::lock_guard lock(raw->mu);
      raw->dirty = true;
    }
    raw->after_batch();
    if (user_after) user_after(committed);
  };
  I.committer = std::make_unique<store::GroupCommitter>(I.db, co);

  // Register what the config adds; refuse a config record that contradicts the stored one.
  for (const auto& isl : I.opt.config.islands) {
    bool known = false;
    {
      std::lock_guard lock(I.mu);
      if (const auto* rec = I.state->islands().find(isl.spec.id)) {
        // The config's record is the registration: equal to the registered spec, or to the current one (an
        // operator who put the updated spec in the config).
        auto reg = I.registered_specs.find(isl.spec.id);
        if (!(rec->spec == isl.spec) && !(reg != I.registered_specs.end() && reg->second == isl.spec))
          return fail(Code::StoreConflict, "island " + isl.spec.id + " in the config differs from the registered one",
                      "islands");
        known = true;
      }
    }
    if (known) continue;
    auto s = I.committer->run([raw, &isl](Database&, Transaction& tx) {
      return raw->guarded([&] { return raw->register_island(tx, isl); });
    });
    if (!s) return err(s);
  }
  for (const auto& pair : I.opt.config.channels) {
    bool known = false;
    {
      std::lock_guard lock(I.mu);
      known = I.state->channels().find(domain::ChannelKey{pair.a.spec.island, pair.a.spec.channel}) != nullptr;
    }
    if (known) continue;
    auto s = I.committer->run([raw, &pair](Database&, Transaction& tx) {
      return raw->guarded([&] { return raw->open_channel(tx, pair); });
    });
    if (!s) return err(s);
  }
  return std::unique_ptr<Relay>(new Relay(std::move(impl)));
}

void Relay::stop() {
  if (impl_ && impl_->committer) impl_->committer->stop();
}

void Relay::submit_bundle_async(std::string text, std::function<void(Result<PacketView>)> done) {
  Impl& I = *impl_;
  done = [raw = impl_.get(), island = Impl::bundle_island_hint(text), inner = std::move(done)](Result<PacketView> r) {
    raw->count_intake(island, r);  // gateway /metrics (issue #6)
    inner(std::move(r));
  };
  if (text.size() > kMaxBundleBytes) {
    done(fail(Code::TooLarge, "bundle over " + std::to_string(kMaxBundleBytes) + " bytes"));
    return;
  }
  if (Impl::bundle_island_hint(text).starts_with("bip122:")) I.pin_bitcoin_context(text);  // A13 (deposits)
  const std::shared_ptr<const Impl::IntakeView> view = I.intake_view();  // never mu: see IntakeView
  const std::uint64_t now_ms = I.now();
  const auto now_s = static_cast<std::int64_t>(now_ms / 1000);
  // Verified once; the parsed bundle and the verdict object are kept for the family plug-in (no re-parse).
  proofs::VerifiedBundle verified;
  auto verdict = proofs::verify_bundle_parsed(text, view->trust.get(), now_s, verified);
  if (verdict.exit_code != 0) {
    done(tl::unexpected<Error>(verdict.error.value_or(Error{Code::BundleParse, "bundle rejected", ""})));
    return;
  }
  auto intake = std::make_shared<Intake>();
  try {
    const json& doc = verified.doc;
    const json& result = verified.result;
    if (doc.contains("verify_time_s")) {
      const auto t = doc["verify_time_s"].is_string() ? std::stoll(doc["verify_time_s"].get<std::string>())
                                                      : doc["verify_time_s"].get<std::int64_t>();
      if (t > now_s + I.opt.max_time_skew_s || t < now_s - I.opt.max_time_skew_s) {
        done(fail(Code::InvalidArgument, "verify_time_s is not the relay's time (±" +
                                             std::to_string(I.opt.max_time_skew_s) + " s)", "verify_time_s"));
        return;
      }
    }
    intake->island = doc.at("island").get<std::string>();
    intake->anchor_height = result.at("anchor").at("height").get<std::uint64_t>();
    auto ah = hash_json(result.at("anchor").at("hash"));
    if (!ah) {
      done(err(ah));
      return;
    }
    intake->anchor_hash = *ah;
    const auto found = view->specs.find(intake->island);
    if (found == view->specs.end()) {
      done(fail(Code::UnknownIsland, "island " + intake->island + " is not registered", "island"));
      return;
    }
    const domain::IslandSpec& spec = found->second;
    const auto* plugin = I.plugin_for(spec);
    if (plugin == nullptr) {
      done(fail(Code::UnsupportedFamily, "no family plug-in for island " + spec.id, "family"));
      return;
    }
    auto facts = plugin->read_bundle(spec, doc, result);
    if (!facts) {
      done(err(facts));
      return;
    }
    // A20: a bundle proves packets of its own island only — another island's endpoint may carry the same name
    // or address (devnet module "endpoint", an EVM contract deployed at one address on several chains).
    if (facts->packet.source_island != spec.id || facts->packet.source_genesis != spec.genesis) {
      done(fail(Code::IslandMismatch,
                "the packet names source " + facts->packet.source_island + ", but the bundle proves an event of " +
                    spec.id + " (A20)",
                "packet.source_island"));
      return;
    }
    if (spec.family == domain::Family::Bitcoin) {  // a deposit counts only on the branch the relay follows
      Status on_branch;
      {
        std::lock_guard lock(I.mu);
        // Judged at submission, like A03 here; the same deposit again answers its existing record (any bundle).
        if (!I.state->packets().contains(domain::packet_id(facts->packet)))
          on_branch = I.check_bitcoin_branch(spec, doc, intake->anchor_height, intake->anchor_hash, facts->height);
      }
      if (!on_branch) {
        done(tl::unexpected<Error>(on_branch.error()));
        return;
      }
    }
    intake->facts = std::move(*facts);
  } catch (const std::exception& e) {
    done(fail(Code::BundleParse, std::string("unreadable bundle: ") + e.what()));
    return;
  }
  {
    const auto& f = intake->facts;
    intake->committed = domain::CommittedPacket::of(f.packet);
    if (intake->committed->commitment() != f.commitment) intake->committed.reset();
    intake->verified_event =
        audit::build(audit::PacketVerified{f.commitment, f.packet.source_island, f.packet.source_genesis,
                                           f.packet.source_channel, f.packet.sequence, f.packet.dest_island,
                                           f.packet.dest_genesis, f.height, f.header_hash, text},
                     now_ms);
  }
  intake->text = std::move(text);
  auto out = std::make_shared<PacketView>();
  Impl* raw = impl_.get();
  I.committer->submit_async(
      [raw, intake, out](Database&, Transaction& tx) { return raw->apply_intake(tx, *intake, *out); },
      [raw, intake, out, done = std::move(done)](Status s) {
        if (!s && (s.error().code == Code::EscrowInvariant || s.error().code == Code::ClientFrozen) && raw->committer) {
          // A05 / A14: the halt or freeze is persisted by a change queued during this one; answer after its
          // COMMIT (FIFO).
          raw->committer->submit_async([](Database&, Transaction&) -> Status { return {}; },
                                       [done, e = s.error()](Status) { done(tl::unexpected<Error>(e)); });
          return;
        }
        if (!s) {
          done(tl::unexpected<Error>(s.error()));
          return;
        }
        if (!out->existing && out->stage == "attested") {
          std::function<void(const std::string&)> listener;
          {
            std::lock_guard lock(raw->mu);
            listener = raw->outbox_listener;
          }
          if (listener) listener(out->dest_island);
        }
        if (!out->existing) {  // H1: stage event after the commit (set_event_listener)
          RelayEvent ev = RelayEvent::of(*out);
          ev.alerts = intake->alerts;  // H9
          raw->emit(ev);
        }
        done(*out);
      });
}

Result<PacketView> Relay::submit_bundle(std::string text) {
  auto promise = std::make_shared<std::promise<Result<PacketView>>>();
  auto fut = promise->get_future();
  submit_bundle_async(std::move(text), [promise](Result<PacketView> r) { promise->set_value(std::move(r)); });
  return fut.get();
}

std::vector<DueDelivery> Relay::due_deliveries(const std::string& dest_island, std::size_t max) {
  Impl& I = *impl_;
  const std::uint64_t now = I.now();
  std::lock_guard lock(I.mu);
  std::vector<std::pair<std::int64_t, domain::PacketId>> due;
  auto it = I.outbox.find(dest_island);
  if (it == I.outbox.end()) return {};
  for (const auto& [id, e] : it->second)
    if ((e.state == "pending" || e.state == "submitted") && e.next_attempt_ms <= now) due.emplace_back(e.order, id);
  std::sort(due.begin(), due.end());
  std::vector<DueDelivery> out;
  std::size_t lo = 0, hi = due.size();
  bool front = true;
  while (lo < hi && out.size() < max) {  // oldest and newest alternately (A23)
    const auto& id = front ? due[lo++].second : due[--hi].second;
    front = !front;
    const auto* rec = I.state->find(id);
    if (rec == nullptr) continue;
    const auto& e = it->second.at(id);
    DueDelivery d;
    d.id = id;
    d.attempts = e.attempts;
    d.submitted_tx = e.submitted_tx;
    d.submit_attempts = e.submit_attempts;
    d.delivery.dest_island = rec->packet.dest_island;
    if (const auto* end = I.state->channels().find(domain::ChannelKey{rec->packet.dest_island, rec->packet.dest_channel})) {
      d.delivery.dest_endpoint = end->spec.endpoint;
      d.ordered = end->spec.ordering == domain::Ordering::Ordered;
    }
    d.delivery.packet_bytes = packet::encode_packet(rec->packet);
    d.delivery.commitment = rec->commitment;
    d.delivery.sequence = rec->packet.sequence;
    if (auto a = I.own_attestation.find(id); a != I.own_attestation.end()) d.delivery.attestations.push_back(a->second);
    if (auto pa = I.peer_attestations.find(id); pa != I.peer_attestations.end())  // committee peers' (k > 1)
      d.delivery.attestations.insert(d.delivery.attestations.end(), pa->second.begin(), pa->second.end());
    out.push_back(std::move(d));
  }
  // Ordered channels are submitted in sequence order within a round.
  std::stable_sort(out.begin(), out.end(), [](const DueDelivery& a, const DueDelivery& b) {
    if (a.ordered != b.ordered || !a.ordered) return false;
    return a.id.sequence < b.id.sequence;
  });
  return out;
}

Status Relay::ready_to_submit(const domain::PacketId& id) const {
  std::lock_guard lock(impl_->mu);
  return impl_->state->ready_to_submit(id);
}

Status Relay::record_delivered(const domain::PacketId& id, const adapters::DeliveryStatus& status, bool by_us) {
  return record_delivered_async(id, status, by_us).get();
}
Status Relay::record_submitted(const domain::PacketId& id, const Bytes& tx_id) {
  return record_submitted_async(id, tx_id).get();
}
Status Relay::record_failed_attempt(const domain::PacketId& id, const Error& error, std::uint64_t next_attempt_ms) {
  return record_failed_attempt_async(id, error, next_attempt_ms).get();
}

std::future<Status> Relay::record_delivered_async(const domain::PacketId& id, const adapters::DeliveryStatus& status,
                                                  bool by_us) {
  Impl* raw = impl_.get();
  auto ev = std::make_shared<std::optional<RelayEvent>>();  // H9: announced after the commit
  auto promise = std::make_shared<std::promise<Status>>();
  auto fut = promise->get_future();
  raw->committer->submit_async([raw, id, status, by_us, ev](Database&, Transaction& tx) -> Status {
    return raw->guarded([&]() -> Status {
    const auto* rec = raw->state->find(id);
    if (rec == nullptr) return fail(Code::UnknownPacket, domain::to_string(id));
    const Hash32 c = rec->commitment;
    const std::string dest = rec->packet.dest_island;
    auto step = raw->state->deliver(id, domain::EvDelivered{c, status.ack_commitment, status.height});
    if (!step) return err(step);
    raw->touched = true;
    auto idx = raw->append(tx, audit::build(audit::PacketDelivered{c, dest, status.height, status.tx}, raw->now()));
    if (!idx) return err(idx);
    auto st = raw->stmt("INSERT INTO deliveries(packet, dest_tx, ack_commitment, dest_height, by_us, audit_index, "
                        "time_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!st) return err(st);
    Statement& s = **st;
    (void)s.bind_int64(1, raw->rowid.at(id));
    (void)s.bind_blob(2, status.tx);
    (void)s.bind_blob(3, status.ack_commitment.view());
    (void)s.bind_int64(4, i64(status.height));
    (void)s.bind_int64(5, by_us ? 1 : 0);
    (void)s.bind_int64(6, i64(*idx));
    (void)s.bind_int64(7, i64(raw->now()));
    if (auto r = s.run(); !r) return r;
    auto ob = raw->stmt("UPDATE outbox SET state = 'delivered' WHERE packet = ?1");
    if (!ob) return err(ob);
    (void)(*ob)->bind_int64(1, raw->rowid.at(id));
    if (auto r = (*ob)->run(); !r) return r;
    if (auto r = raw->set_stage(id, "delivered"); !r) return r;
    raw->outbox[dest].erase(id);
    *ev = raw->event_of(step->record, *idx, step->alerts);
    return {};
    });
  }, [raw, ev, promise](Status s) {
    if (s && *ev) raw->emit(**ev);
    promise->set_value(std::move(s));
  });
  return fut;
}

std::future<Status> Relay::record_submitted_async(const domain::PacketId& id, const Bytes& tx_id) {
  Impl* raw = impl_.get();
  return raw->committer->submit([raw, id, tx_id](Database&, Transaction&) -> Status {
    std::lock_guard lock(raw->mu);
    const auto* rec = raw->state->find(id);
    if (rec == nullptr) return fail(Code::UnknownPacket, domain::to_string(id));
    auto st = raw->stmt("UPDATE outbox SET state = 'submitted', attempts = attempts + 1, "
                        "submit_attempts = attempts + 1, submitted_tx = ?1 WHERE packet = ?2");
    if (!st) return err(st);
    (void)(*st)->bind_blob(1, tx_id);
    (void)(*st)->bind_int64(2, raw->rowid.at(id));
    if (auto r = (*st)->run(); !r) return r;
    auto& e = raw->outbox[rec->packet.dest_island][id];
    e.state = "submitted";
    e.attempts += 1;
    e.submit_attempts = e.attempts;
    e.submitted_tx = tx_id;
    return {};
  });
}

std::future<Status> Relay::record_failed_attempt_async(const domain::PacketId& id, const Error& error,
                                                       std::uint64_t next_attempt_ms) {
  Impl* raw = impl_.get();
  return raw->committer->submit([raw, id, error, next_attempt_ms](Database&, Transaction&) -> Status {
    std::lock_guard lock(raw->mu);
    const auto* rec = raw->state->find(id);
    if (rec == nullptr) return fail(Code::UnknownPacket, domain::to_string(id));
    auto st = raw->stmt("UPDATE outbox SET attempts = attempts + 1, next_attempt_ms = ?1, last_error = ?2 "
                        "WHERE packet = ?3");
    if (!st) return err(st);
    (void)(*st)->bind_int64(1, i64(next_attempt_ms));
    (void)(*st)->bind_text(2, std::string(code_name(error.code)) + ": " + error.detail);
    (void)(*st)->bind_int64(3, raw->rowid.at(id));
    if (auto r = (*st)->run(); !r) return r;
    auto& e = raw->outbox[rec->packet.dest_island][id];
    e.attempts += 1;
    e.next_attempt_ms = next_attempt_ms;
    return {};
  });
}

void Relay::set_outbox_listener(std::function<void(const std::string&)> listener) {
  std::lock_guard lock(impl_->mu);
  impl_->outbox_listener = std::move(listener);
}

std::optional<PacketView> Relay::find(const domain::PacketId& id) const {
  std::lock_guard lock(impl_->mu);
  const auto* rec = impl_->state->find(id);
  if (rec == nullptr) return std::nullopt;
  return impl_->view_of(*rec, true);
}

std::vector<ConsensusState> Relay::consensus_states(const std::string& island) const {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->cstates.find(island);
  return it == impl_->cstates.end() ? std::vector<ConsensusState>{} : it->second;
}

std::vector<std::string> Relay::islands() const {
  std::lock_guard lock(impl_->mu);
  std::vector<std::string> out;
  for (const auto& [id, rec] : impl_->state->islands().all()) out.push_back(id);
  return out;
}

const domain::Address& Relay::self_address() const noexcept { return impl_->self; }
std::uint64_t Relay::now_ms() const { return impl_->now(); }
store::GroupCommitter::Stats Relay::commit_stats() const { return impl_->committer->stats(); }
std::size_t Relay::packet_count() const {
  std::lock_guard lock(impl_->mu);
  return impl_->state->packets().size();
}

// ---- relay committee, k > 1 (relay.hpp; peers.hpp) ------------------------------------------------------

std::vector<domain::PacketId> Relay::awaiting_attestations(std::size_t max) const {
  const Impl& I = *impl_;
  std::lock_guard lock(I.mu);
  std::vector<std::pair<std::int64_t, domain::PacketId>> found;
  const std::size_t k = I.state->committee().threshold();
  for (const auto& [id, rec] : I.state->packets()) {
    if (rec.stage != domain::Stage::Proven || I.unmet_at_replay.count(id)) continue;
    std::size_t have = I.own_attestation.count(id);
    if (auto pa = I.peer_attestations.find(id); pa != I.peer_attestations.end())
      for (const auto& a : pa->second)
        if (I.state->committee().is_member(a.member)) ++have;  // a removed member's signature no longer counts (A05)
    if (have >= k) continue;
    auto r = I.rowid.find(id);
    found.emplace_back(r == I.rowid.end() ? 0 : r->second, id);
  }
  std::sort(found.begin(), found.end());
  std::vector<domain::PacketId> out;
  for (std::size_t i = 0; i < found.size() && out.size() < max; ++i) out.push_back(found[i].second);
  return out;
}

std::vector<adapters::MemberAttestation> Relay::attestations_of(const domain::PacketId& id) const {
  const Impl& I = *impl_;
  std::lock_guard lock(I.mu);
  std::vector<adapters::MemberAttestation> out;
  if (auto a = I.own_attestation.find(id); a != I.own_attestation.end()) out.push_back(a->second);
  if (auto pa = I.peer_attestations.find(id); pa != I.peer_attestations.end())
    out.insert(out.end(), pa->second.begin(), pa->second.end());
  return out;
}

std::uint32_t Relay::committee_threshold() const {
  std::lock_guard lock(impl_->mu);
  return impl_->state->committee().threshold();
}

std::vector<domain::Address> Relay::committee_members() const {
  std::lock_guard lock(impl_->mu);
  return impl_->state->committee().members();
}

Result<PacketView> Relay::add_member_attestation(const domain::PacketId& id, const adapters::MemberAttestation& a) {
  Impl* raw = impl_.get();
  auto out = std::make_shared<PacketView>();
  auto newly_attested = std::make_shared<bool>(false);
  auto ev = std::make_shared<std::optional<RelayEvent>>();  // H9: announced after the commit
  Status s = raw->committer->run([raw, id, a, out, newly_attested, ev](Database&, Transaction& tx) -> Status {
    return raw->guarded([&]() -> Status {
      const auto* rec = raw->state->find(id);
      if (rec == nullptr) return fail(Code::UnknownPacket, "this relay does not hold " + domain::to_string(id));
      if (a.member == raw->self) return fail(Code::InvalidArgument, "a peer served this relay's own address", "member");
      const auto& committee = raw->state->committee();
      if (!committee.is_member(a.member))  // A05: only CURRENT members count
        return fail(Code::NotValidator, "0x" + to_hex_bare(ByteView(a.member.data(), a.member.size())) +
                                            " is not a member of the current committee", "member");
      if (a.signature.size() != 65) return fail(Code::SigInvalid, "a signature is 65 bytes r || s || v", "signature");
      auto subject = raw->subject_of(rec->packet, rec->commitment);
      if (!subject) return err(subject);
      const domain::MemberSignature peer{a.member, a.audit_index, a.signature};
      {
        auto one = domain::tally_attestations(committee, *subject, std::span<const domain::MemberSignature>(&peer, 1));
        if (!one) return err(one);
        if (!one->rejected().empty()) return tl::unexpected<Error>(one->rejected().front().error);
      }
      auto& stored = raw->peer_attestations[id];
      const bool known = std::any_of(stored.begin(), stored.end(), [&](const auto& x) { return x.member == a.member; });
      if (rec->stage != domain::Stage::Proven || known) {
        if (stored.empty()) raw->peer_attestations.erase(id);
        *out = raw->view_of(*rec, true);
        return {};
      }
      raw->touched = true;
      auto st = raw->stmt("INSERT INTO attestations(packet, member, audit_index, signature) VALUES(?1, ?2, ?3, ?4)");
      if (!st) return err(st);
      (void)(*st)->bind_int64(1, raw->rowid.at(id));
      (void)(*st)->bind_blob(2, ByteView(a.member.data(), a.member.size()));
      (void)(*st)->bind_int64(3, i64(a.audit_index));
      (void)(*st)->bind_blob(4, a.signature);
      if (auto r = (*st)->run(); !r) return r;
      const std::string dest = rec->packet.dest_island;
      auto idx = raw->append(tx, audit::build(audit::PacketAttested{rec->commitment, dest, a.audit_index,
                                                                    Bytes(a.member.begin(), a.member.end()),
                                                                    domain::attestation_digest(*subject, a.audit_index),
                                                                    a.signature},
                                              raw->now()));
      if (!idx) return err(idx);
      stored.push_back(a);
      std::vector<domain::MemberSignature> sigs;
      if (auto own = raw->own_attestation.find(id); own != raw->own_attestation.end())
        sigs.push_back(domain::MemberSignature{own->second.member, own->second.audit_index, own->second.signature});
      for (const auto& x : stored) sigs.push_back(domain::MemberSignature{x.member, x.audit_index, x.signature});
      auto quorum = domain::tally_attestations(committee, *subject, sigs);
      if (!quorum) return err(quorum);
      domain::PacketRecord now_rec = *rec;
      if (quorum->met()) {
        auto attested = raw->state->attest(id, *quorum, raw->latest_dest(dest));
        if (attested) {
          now_rec = attested->record;
          auto up = raw->stmt("UPDATE packets SET stage = 'attested', attested_index = ?1, updated_ms = ?2 WHERE id = ?3");
          if (!up) return err(up);
          (void)(*up)->bind_int64(1, i64(*idx));
          (void)(*up)->bind_int64(2, i64(raw->now()));
          (void)(*up)->bind_int64(3, raw->rowid.at(id));
          if (auto r = (*up)->run(); !r) return r;
          // A packet held back at replay (A05) may already have its outbox row.
          auto ob = raw->stmt("INSERT INTO outbox(packet, dest_island, state) VALUES(?1, ?2, 'pending') "
                              "ON CONFLICT(packet) DO UPDATE SET state = 'pending', next_attempt_ms = 0");
          if (!ob) return err(ob);
          (void)(*ob)->bind_int64(1, raw->rowid.at(id));
          (void)(*ob)->bind_text(2, dest);
          if (auto r = (*ob)->run(); !r) return r;
          raw->outbox[dest][id] = OutboxEntry{raw->rowid.at(id), "pending", 0, 0, {}, 0};
          *newly_attested = true;
          *ev = raw->event_of(now_rec, *idx, attested->alerts);
        } else {
          raw->note("packet " + domain::to_string(id) + " stays proven: " + attested.error().detail);
        }
      }
      *out = raw->view_of(now_rec, false);
      return {};
    });
  });
  if (!s) return tl::unexpected<Error>(s.error());
  if (*newly_attested) {
    std::function<void(const std::string&)> listener;
    {
      std::lock_guard lock(raw->mu);
      listener = raw->outbox_listener;
    }
    if (listener) listener(out->dest_island);
  }
  if (*ev) raw->emit(**ev);
  return *out;
}

// ---- gateway API v1 (issue #6 "API v1"; relay/gateway api_routes.hpp) ------------------------------------

namespace {
// The first "island" string value of a bundle's text (a cheap scan; the label of rejected-bundle counters).
std::string bundle_island_hint_impl(const std::string& text) {
  const auto k = text.find("\"island\"");
  if (k == std::string::npos) return {};
  std::size_t i = k + 8;
  while (i < text.size() && (text[i] == ' ' || text[i] == ':' || text[i] == '\n' || text[i] == '\t')) ++i;
  if (i >= text.size() || text[i] != '"') return {};
  const auto end = text.find('"', i + 1);
  if (end == std::string::npos || end - i - 1 > domain::kMaxIslandIdBytes) return {};
  return text.substr(i + 1, end - i - 1);
}
}  // namespace

std::string Relay::Impl::bundle_island_hint(const std::string& text) { return bundle_island_hint_impl(text); }

void Relay::Impl::count_intake(const std::string& island, const Result<PacketView>& r) {
  bool registered = false;
  if (!r && !island.empty()) {
    std::lock_guard lock(mu);
    registered = state->islands().find(island) != nullptr;
  }
  std::lock_guard lock(intake_mu);
  if (r) {
    intake_by_result[r->existing ? "known" : "accepted"] += 1;
    return;
  }
  intake_by_result[std::string(code_name(r.error().code))] += 1;
  intake_rejected_by_island[registered ? island : "unknown"] += 1;
}

Relay::IntakeCounters Relay::intake_counters() const {
  std::lock_guard lock(impl_->intake_mu);
  IntakeCounters c;
  c.by_result.assign(impl_->intake_by_result.begin(), impl_->intake_by_result.end());
  c.rejected_by_island.assign(impl_->intake_rejected_by_island.begin(), impl_->intake_rejected_by_island.end());
  return c;
}

Status Relay::ping_writer(std::uint32_t timeout_ms) {
  if (!impl_->committer) return fail(Code::StoreIo, "writer not running");
  auto fut = impl_->committer->submit([](Database&, Transaction&) -> Status { return {}; });
  if (fut.wait_for(std::chrono::milliseconds(timeout_ms)) != std::future_status::ready)
    return fail(Code::StoreIo, "writer did not answer within " + std::to_string(timeout_ms) + " ms");
  return fut.get();
}

Status Relay::register_island(const domain::SignedIsland& record) {
  Impl* raw = impl_.get();
  return raw->committer->run([raw, &record](Database&, Transaction& tx) {
    return raw->guarded([&] { return raw->register_island(tx, record); });
  });
}

Status Relay::open_channel(const ChannelPair& pair) {
  Impl* raw = impl_.get();
  return raw->committer->run([raw, &pair](Database&, Transaction& tx) {
    return raw->guarded([&] { return raw->open_channel(tx, pair); });
  });
}

namespace {
// Makes the outbox entry of `id` (if any, not delivered) due now; writer thread, `mu` held.
template <class ImplT>
Status make_due(ImplT& I, const domain::PacketId& id, const std::string& dest) {
  auto dit = I.outbox.find(dest);
  if (dit == I.outbox.end()) return {};
  auto it = dit->second.find(id);
  if (it == dit->second.end() || it->second.state == "delivered") return {};
  auto st = I.stmt("UPDATE outbox SET next_attempt_ms = 0, state = CASE state WHEN 'failed' THEN 'pending' "
                   "ELSE state END WHERE packet = ?1");
  if (!st) return tl::unexpected<Error>(st.error());
  (void)(*st)->bind_int64(1, I.rowid.at(id));
  if (auto r = (*st)->run(); !r) return r;
  it->second.next_attempt_ms = 0;
  if (it->second.state == "failed") it->second.state = "pending";
  return {};
}
}  // namespace

Result<std::uint64_t> Relay::retry_packet(const domain::PacketId& id, const std::string& operator_id,
                                          const std::string& reason) {
  Impl* raw = impl_.get();
  std::uint64_t index = 0;
  std::string dest;
  auto s = raw->committer->run([&](Database&, Transaction& tx) -> Status {
    return raw->guarded([&]() -> Status {
      const domain::OperatorNote note{operator_id, reason, raw->now()};
      auto rec = raw->state->packet_retry(id, note);
      if (!rec) return err(rec);
      raw->touched = true;
      const auto* p = raw->state->find(id);
      dest = p->packet.dest_island;
      if (auto r = make_due(*raw, id, dest); !r) return r;
      auto idx = raw->append(tx, audit::build(audit::OperatorAction{operator_id, "packet_retry", domain::to_string(id),
                                                                    json{{"reason", reason}}},
                                              note.time_ms));
      if (!idx) return err(idx);
      index = *idx;
      return {};
    });
  });
  if (!s) return err(s);
  std::function<void(const std::string&)> listener;
  {
    std::lock_guard lock(raw->mu);
    listener = raw->outbox_listener;
  }
  if (listener) listener(dest);
  return index;
}

Result<std::pair<std::uint64_t, std::size_t>> Relay::clear_channel(const domain::ChannelKey& source_end,
                                                                   const std::string& operator_id,
                                                                   const std::string& reason) {
  Impl* raw = impl_.get();
  std::uint64_t index = 0;
  std::size_t n = 0;
  std::set<std::string> dests;
  auto s = raw->committer->run([&](Database&, Transaction& tx) -> Status {
    return raw->guarded([&]() -> Status {
      const domain::OperatorNote note{operator_id, reason, raw->now()};
      auto rec = raw->state->packet_clear(source_end, note);
      if (!rec) return err(rec);
      raw->touched = true;
      json ids = json::array();
      for (const auto& id : rec->packets) {
        const auto* p = raw->state->find(id);
        if (p == nullptr) continue;
        if (auto r = make_due(*raw, id, p->packet.dest_island); !r) return r;
        dests.insert(p->packet.dest_island);
        ids.push_back(domain::to_string(id));
      }
      n = rec->packets.size();
      auto idx = raw->append(tx, audit::build(audit::OperatorAction{operator_id, "packet_clear",
                                                                    domain::to_string(source_end),
                                                                    json{{"reason", reason}, {"packets", ids}}},
                                              note.time_ms));
      if (!idx) return err(idx);
      index = *idx;
      return {};
    });
  });
  if (!s) return err(s);
  std::function<void(const std::string&)> listener;
  {
    std::lock_guard lock(raw->mu);
    listener = raw->outbox_listener;
  }
  if (listener)
    for (const auto& d : dests) listener(d);
  return std::make_pair(index, n);
}

// ---- packet lifecycle: source watching, acknowledgements, timeouts, refunds, the ledger (H4) -------------
// relay.hpp "packet lifecycle"; docs/relay-core.md. Every change runs on the writer, in one savepoint, with
// its audit entry (rule 4); the in-memory relay/domain state follows the same replay rules at start.

namespace {

Bytes amount_bytes(const domain::Amount& a) { return Bytes(a.begin(), a.end()); }
domain::Amount amount_col(const Statement& st, int col) {
  domain::Amount a{};
  const ByteView v = st.column_blob(col);
  if (v.size() == a.size()) std::copy(v.begin(), v.end(), a.begin());
  return a;
}

}  // namespace

Status Relay::Impl::persist_ledger(Transaction&) {
  auto del = stmt("DELETE FROM ledger");
  if (!del) return err(del);
  if (auto r = (*del)->run(); !r) return r;
  for (const auto& [lkey, ledger] : state->ledgers()) {
    for (const auto& [denom, b] : ledger.all()) {
      auto st = stmt("INSERT INTO ledger(island, channel, denom, escrowed, outstanding, in_flight_out, in_flight_home) "
                     "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
      if (!st) return err(st);
      Statement& q = **st;
      (void)q.bind_text(1, lkey.island);
      (void)q.bind_text(2, lkey.channel);
      (void)q.bind_text(3, denom);
      (void)q.bind_blob(4, amount_bytes(b.escrowed));
      (void)q.bind_blob(5, amount_bytes(b.outstanding));
      (void)q.bind_blob(6, amount_bytes(b.in_flight_out));
      (void)q.bind_blob(7, amount_bytes(b.in_flight_home));
      if (auto r = q.run(); !r) return r;
    }
  }
  return {};
}

Status Relay::Impl::persist_transfer(Transaction& tx, const domain::PacketId& id) {
  const auto* rec = state->find(id);
  if (rec == nullptr || !rec->is_transfer) return {};
  auto t = packet::decode_transfer_payload(rec->packet.payload);
  if (!t) return err(t);
  auto st = stmt("INSERT OR IGNORE INTO transfers(packet, denom, amount, going_home) VALUES(?1, ?2, ?3, ?4)");
  if (!st) return err(st);
  (void)(*st)->bind_int64(1, rowid.at(id));
  (void)(*st)->bind_text(2, t->denom);
  (void)(*st)->bind_blob(3, amount_bytes(t->amount));
  (void)(*st)->bind_int64(4, domain::send_burns(rec->packet, t->denom) ? 1 : 0);
  if (auto r = (*st)->run(); !r) return r;
  return persist_ledger(tx);
}

Status Relay::Impl::read_lifecycle() {
  returns.clear();
  returns_done.clear();
  scan_heights.clear();
  deferred_sends.clear();
  stored_returns.clear();
  stored_returns_next = 0;
  replayed_rows.clear();
  {
    auto st = db.prepare("SELECT island, height FROM scan_progress");
    if (!st) return err(st);
    for (;;) {
      auto row = st->step();
      if (!row) return err(row);
      if (!*row) break;
      scan_heights[std::string(st->column_text(0))] = u64(st->column_int64(1));
    }
  }
  {
    auto st = db.prepare("SELECT island, commitment, height FROM deferred_sends");
    if (!st) return err(st);
    for (;;) {
      auto row = st->step();
      if (!row) return err(row);
      if (!*row) break;
      deferred_sends[std::string(st->column_text(0))][hash_col(*st, 1).b] = u64(st->column_int64(2));
    }
  }
  auto st = db.prepare("SELECT packet, kind, ack_bytes, dest_height, dest_time, scan_from, audit_index, signature, "
                       "state, attempts, next_attempt_ms, submitted_tx, refunded, source_island, submit_attempts FROM returns "
                       "ORDER BY audit_index");
  if (!st) return err(st);
  for (;;) {
    auto row = st->step();
    if (!row) return err(row);
    if (!*row) break;
    StoredReturn r;
    r.packet_row = st->column_int64(0);
    r.source_island = std::string(st->column_text(13));
    r.dest_height = u64(st->column_int64(3));
    r.dest_time = u64(st->column_int64(4));
    r.scan_from = u64(st->column_int64(5));
    r.entry = ReturnEntry{st->column_int64(0), std::string(st->column_text(1)), std::string(st->column_text(8)),
                          st->column_is_null(2) ? Bytes{} : bytes_col(*st, 2), u64(st->column_int64(6)),
                          bytes_col(*st, 7), static_cast<std::uint32_t>(st->column_int64(9)),
                          u64(st->column_int64(10)), st->column_is_null(11) ? Bytes{} : bytes_col(*st, 11),
                          st->column_int64(12) != 0, {}, static_cast<std::uint32_t>(st->column_int64(14))};
    stored_returns.push_back(std::move(r));
  }
  return {};
}

Status Relay::Impl::replay_returns_before(std::uint64_t audit_index) {
  for (; stored_returns_next < stored_returns.size(); ++stored_returns_next) {
    StoredReturn& r = stored_returns[stored_returns_next];
    if (r.entry.audit_index >= audit_index) break;
    auto it = replayed_rows.find(r.packet_row);
    if (it == replayed_rows.end()) return fail(Code::StoreConflict, "a returns row of an unknown or later packet");
    const domain::PacketId id = it->second;
    const auto* rec = state->find(id);
    ReturnEntry& e = r.entry;
    if (e.kind == "ack") {
      if (auto a = state->acknowledge(id, e.ack_bytes); !a) return err(a);
    } else {
      const auto* dest = state->islands().find(rec->packet.dest_island);
      if (dest == nullptr) return fail(Code::StoreConflict, "timeout of a packet to an unknown island");
      domain::DestView view{r.dest_height, r.dest_time, packet::DestClock::DevnetMillis};
      domain::NonDeliveryProof proof;
      proof.block_height = view.height;
      if (dest->spec.family == domain::Family::Ethereum) {
        view.clock = packet::DestClock::EvmSeconds;
        proof.kind = domain::NonDeliveryKind::EvmReceiptSlot;
        proof.slot = packet::receipt_storage_slot(rec->commitment);
      } else {
        proof.kind = domain::NonDeliveryKind::DevnetEventScan;
        proof.scan_from_height = r.scan_from;
      }
      if (auto t = state->time_out(id, view, proof); !t) return err(t);
    }
    if (e.refunded)
      if (auto f = state->refund(id, domain::EvRefunded{0}); !f) return err(f);
    if (e.state == "done") returns_done[id] = std::move(e);
    else returns[r.source_island][id] = std::move(e);
  }
  return {};
}

Status Relay::Impl::finish_lifecycle() {
  if (auto r = replay_returns_before(UINT64_MAX); !r) return r;
  if (stored_returns_next < stored_returns.size())  // an audit index of 2^64 - 1: cannot be a real entry
    return fail(Code::StoreConflict, "a returns row with an impossible audit index");
  stored_returns.clear();
  const auto by_row = std::move(replayed_rows);
  replayed_rows.clear();
  {
    auto st = db.prepare("SELECT packet, member, audit_index, signature FROM return_attestations ORDER BY rowid");
    if (!st) return err(st);
    for (;;) {
      auto row = st->step();
      if (!row) return err(row);
      if (!*row) break;
      auto it = by_row.find(st->column_int64(0));
      const auto* rec = it == by_row.end() ? nullptr : state->find(it->second);
      ReturnEntry* e = rec == nullptr ? nullptr : find_return(*rec);
      if (e == nullptr) return fail(Code::StoreConflict, "a return attestation of an unknown return");
      adapters::MemberAttestation a;
      const Bytes member = bytes_col(*st, 1);
      if (member.size() != a.member.size()) return fail(Code::StoreConflict, "a return attestation member is not 20 bytes");
      std::copy(member.begin(), member.end(), a.member.begin());
      a.audit_index = u64(st->column_int64(2));
      a.signature = bytes_col(*st, 3);
      e->peers.push_back(std::move(a));  // counted against the CURRENT committee when used (return_signatures)
    }
  }
  // The ledger: the stored rows must equal what the replay computed, and the invariant must hold.
  std::map<std::tuple<std::string, std::string, std::string>, domain::DenomBalance> stored;
  {
    auto st = db.prepare("SELECT island, channel, denom, escrowed, outstanding, in_flight_out, in_flight_home FROM ledger");
    if (!st) return err(st);
    for (;;) {
      auto row = st->step();
      if (!row) return err(row);
      if (!*row) break;
      stored[{std::string(st->column_text(0)), std::string(st->column_text(1)), std::string(st->column_text(2))}] =
          domain::DenomBalance{amount_col(*st, 3), amount_col(*st, 4), amount_col(*st, 5), amount_col(*st, 6)};
    }
  }
  std::size_t replayed = 0;
  for (const auto& [lkey, ledger] : state->ledgers())
    for (const auto& [denom, b] : ledger.all()) {
      ++replayed;
      auto it = stored.find({lkey.island, lkey.channel, denom});
      if (it == stored.end() || !(it->second == b))
        return fail(Code::EscrowInvariant, "the stored ledger of " + lkey.island + "/" + lkey.channel + " " + denom +
                                               " differs from the replayed packets", "ledger");
    }
  if (replayed != stored.size())
    return fail(Code::EscrowInvariant, "the stored ledger has rows no replayed packet explains", "ledger");
  if (auto rep = state->check_invariants(); !rep.ok)
    return fail(Code::EscrowInvariant, "ledger invariant broken at start: " + rep.detail, "ledger");
  return {};
}

std::optional<std::uint64_t> Relay::scan_height(const std::string& island) const {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->scan_heights.find(island);
  if (it == impl_->scan_heights.end()) return std::nullopt;
  return it->second;
}

std::uint64_t Relay::scan_epoch(const std::string& island) const {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->scan_epochs.find(island);
  return it == impl_->scan_epochs.end() ? 0 : it->second;
}

Result<bool> Relay::set_scan_height(const std::string& island, std::uint64_t height,
                                    const std::vector<DeferredSend>& deferred, std::optional<std::uint64_t> epoch) {
  Impl* raw = impl_.get();
  bool written = false;
  auto s = raw->committer->run([raw, island, height, deferred, epoch, &written](Database&, Transaction&) -> Status {
    std::lock_guard lock(raw->mu);
    if (epoch) {  // a client recover committed since the scan read the epoch: its lower scan height stands
      auto e = raw->scan_epochs.find(island);
      if ((e == raw->scan_epochs.end() ? 0 : e->second) != *epoch) return {};
    }
    for (const auto& d : deferred) {  // recorded in the same transaction that moves the scan past them
      auto ins = raw->stmt("INSERT OR IGNORE INTO deferred_sends(island, commitment, height, since_ms) "
                           "VALUES(?1, ?2, ?3, ?4)");
      if (!ins) return err(ins);
      (void)(*ins)->bind_text(1, island);
      (void)(*ins)->bind_blob(2, d.commitment.view());
      (void)(*ins)->bind_int64(3, i64(d.height));
      (void)(*ins)->bind_int64(4, i64(raw->now()));
      if (auto r = (*ins)->run(); !r) return r;
    }
    auto st = raw->stmt("INSERT OR REPLACE INTO scan_progress(island, height, updated_ms) VALUES(?1, ?2, ?3)");
    if (!st) return err(st);
    (void)(*st)->bind_text(1, island);
    (void)(*st)->bind_int64(2, i64(height));
    (void)(*st)->bind_int64(3, i64(raw->now()));
    if (auto r = (*st)->run(); !r) return r;
    raw->scan_heights[island] = height;
    auto& set = raw->deferred_sends[island];
    for (const auto& d : deferred) set.emplace(d.commitment.b, d.height);
    written = true;
    return {};
  });
  if (!s) return err(s);
  return written;
}

std::vector<Relay::DeferredSend> Relay::deferred_sends(const std::string& island) const {
  std::lock_guard lock(impl_->mu);
  std::vector<DeferredSend> out;
  auto it = impl_->deferred_sends.find(island);
  if (it == impl_->deferred_sends.end()) return out;
  for (const auto& [c, h] : it->second) out.push_back(DeferredSend{h, Hash32{c}});
  std::sort(out.begin(), out.end(), [](const DeferredSend& a, const DeferredSend& b) {
    return a.height != b.height ? a.height < b.height : a.commitment.b < b.commitment.b;
  });
  return out;
}

Status Relay::drop_deferred_send(const std::string& island, const Hash32& commitment) {
  Impl* raw = impl_.get();
  return raw->committer->run([raw, island, commitment](Database&, Transaction&) -> Status {
    std::lock_guard lock(raw->mu);
    auto st = raw->stmt("DELETE FROM deferred_sends WHERE island = ?1 AND commitment = ?2");
    if (!st) return err(st);
    (void)(*st)->bind_text(1, island);
    (void)(*st)->bind_blob(2, commitment.view());
    if (auto r = (*st)->run(); !r) return r;
    if (auto it = raw->deferred_sends.find(island); it != raw->deferred_sends.end()) it->second.erase(commitment.b);
    return {};
  });
}

Result<ConsensusState> Relay::accept_headers(std::string doc_text) {
  Impl& I = *impl_;
  const auto now_s = static_cast<std::int64_t>(I.now() / 1000);
  auto family = proofs::header_document_family(doc_text);  // bounded parse (size, depth) first
  if (!family) return err(family);
  // The document's island must be registered here, with the document's family.
  const json doc = json::parse(doc_text, nullptr, /*allow_exceptions=*/false);
  const std::string island = doc.is_object() && doc.contains("island") && doc["island"].is_string()
                                 ? doc["island"].get<std::string>()
                                 : std::string();
  std::shared_ptr<const proofs::TrustList> trust;
  domain::IslandSpec spec;
  std::optional<proofs::BitcoinContext> anchor_context;
  {
    std::lock_guard lock(I.mu);
    trust = I.trust;
    const auto* rec = I.state->islands().find(island);
    if (rec == nullptr) return fail(Code::UnknownIsland, "island " + island + " is not registered", "island");
    spec = rec->spec;
    const bool bitcoin = spec.family == domain::Family::Bitcoin;
    if (bitcoin != (*family == "bitcoin"))
      return fail(Code::IslandMismatch, "a " + *family + " document for " + std::string(domain::family_name(spec.family)) +
                                            " island " + island, "family");
    if (!bitcoin && (!doc.contains("codec") || !doc["codec"].is_string() || doc["codec"].get<std::string>() != spec.codec))
      return fail(Code::IslandMismatch, "the document's codec is not the island's registered " + spec.codec, "codec");
    if (bitcoin) {  // A13: the relay's own context of the anchor, never the pusher's
      if (!doc.contains("anchor") || !doc["anchor"].is_object())
        return fail(Code::BundleSchema, "a header document has an anchor object", "anchor");
      const auto& a = doc["anchor"];
      auto header = a.contains("header") && a["header"].is_string() ? from_hex(a["header"].get<std::string>())
                                                                   : Result<Bytes>(fail(Code::BundleSchema, "no header"));
      if (header && header->size() == 80 && a.contains("height") && a["height"].is_number_unsigned())
        anchor_context = I.bitcoin_context(spec, a["height"].get<std::uint64_t>(), sha256d(*header).reversed());
      if (!anchor_context)
        return fail(Code::UntrustedAnchor, "the anchor is not a consensus state this relay holds", "anchor");
    }
  }
  struct Anchor {
    std::uint64_t height;
    Hash32 hash;
  };
  ConsensusState cs;
  Anchor anchor{};
  std::optional<proofs::BitcoinContext> tip_context;
  struct RunHeader {
    std::uint64_t height;
    Hash32 hash;
  };
  std::vector<RunHeader> run;  // every verified header of a bft run (A14: checked against the held states)
  if (anchor_context) {
    auto vb = proofs::verify_bitcoin_headers(doc_text, *trust, now_s, &*anchor_context);
    if (!vb) return err(vb);
    cs = ConsensusState{vb->island, vb->tip.height, vb->tip.hash, std::nullopt, vb->tip.time_s * 1000};
    anchor = Anchor{vb->anchor.height, vb->anchor.hash};
    tip_context = vb->tip_context;
  } else {
    auto vh = proofs::verify_bft_headers(doc_text, *trust, now_s);
    if (!vh) return err(vh);
    for (const auto& h : vh->headers) run.push_back(RunHeader{h.height, h.hash});
    const auto& tip = vh->headers.empty() ? vh->anchor : vh->headers.back();
    cs = ConsensusState{vh->island, tip.height, tip.hash, tip.validators_hash, tip.time_ms};
    anchor = Anchor{vh->anchor.height, vh->anchor.hash};
  }
  Impl* raw = impl_.get();
  auto s = raw->committer->run([raw, cs, anchor, tip_context, &run, &doc_text](Database&, Transaction& tx) -> Status {
    return raw->guarded([&]() -> Status {
      if (raw->state->islands().find(cs.island) == nullptr)
        return fail(Code::UnknownIsland, "island " + cs.island + " is not registered", "island");
      if (!raw->holds(cs.island, anchor.height, anchor.hash))
        return fail(Code::UntrustedAnchor, "the anchor is not a consensus state this relay holds", "anchor");
      if (auto e = raw->check_anchor_expiry(cs.island, anchor.height, anchor.hash); !e) return e;  // A21
      for (const auto& h : run)
        if (auto c = raw->check_conflict(cs.island, h.height, h.hash, "header document", doc_text); !c) return c;
      if (raw->holds(cs.island, cs.height, cs.hash)) return {};
      if (tip_context) {
        // A13: a Bitcoin state is taken only when its branch has more work than every state held (a competing
        // branch with less work is refused; a heavier one is a reorg the relay follows).
        const std::string best = raw->best_bitcoin_work(cs.island);
        if (tip_context->total_work <= best)
          return fail(Code::LessWork, "the branch to height " + std::to_string(cs.height) + " has work " +
                                          tip_context->total_work + " since the registered anchor, not more than " +
                                          best + " held",
                      "headers");
        auto st = raw->stmt("INSERT INTO bitcoin_contexts(island, height, hash, context) VALUES(?1, ?2, ?3, ?4)");
        if (!st) return err(st);
        (void)(*st)->bind_text(1, cs.island);
        (void)(*st)->bind_int64(2, i64(cs.height));
        (void)(*st)->bind_blob(3, cs.hash.view());
        (void)(*st)->bind_text(4, proofs::bitcoin_context_json(*tip_context));
        if (auto r = (*st)->run(); !r) return r;
      }
      if (auto r = raw->insert_cstate(tx, cs, anchor.height + 1, true); !r) return r;
      if (tip_context) raw->btc_contexts[Impl::btc_key(cs.island, cs.height, cs.hash)] = *tip_context;
      return {};
    });
  });
  raw->await_halts(s);  // A14: answered after the freeze's own commit
  if (!s) return err(s);
  return cs;
}

std::vector<Relay::AwaitingAck> Relay::awaiting_acks(const std::string& dest_island, std::size_t max) const {
  const Impl& I = *impl_;
  std::lock_guard lock(I.mu);
  std::vector<AwaitingAck> out;
  for (const auto& [id, rec] : I.state->packets()) {
    if (out.size() >= max) break;
    if (rec.stage != domain::Stage::Delivered || rec.packet.dest_island != dest_island) continue;
    out.push_back(AwaitingAck{id, rec.commitment, rec.dest_height});
  }
  return out;
}

std::vector<Relay::TimeoutCandidate> Relay::timeout_candidates(const std::string& dest_island, std::size_t max) const {
  const Impl& I = *impl_;
  std::lock_guard lock(I.mu);
  std::vector<TimeoutCandidate> out;
  for (const auto& [id, rec] : I.state->packets()) {
    if (out.size() >= max) break;
    if ((rec.stage != domain::Stage::Proven && rec.stage != domain::Stage::Attested) ||
        rec.packet.dest_island != dest_island)
      continue;
    if (rec.packet.timeout_height == 0 && rec.packet.timeout_timestamp_ns == 0) continue;
    const auto* end = I.state->channels().find(domain::ChannelKey{rec.packet.dest_island, rec.packet.dest_channel});
    if (end == nullptr) continue;
    const auto* isl = I.state->islands().find(dest_island);
    const bool scan = isl == nullptr || isl->spec.family != domain::Family::Ethereum;
    out.push_back(TimeoutCandidate{id, rec.commitment, rec.packet, end->spec.open_height, scan});
  }
  return out;
}

Result<PacketView> Relay::submit_ack_bundle(const domain::PacketId& id, std::string text) {
  Impl& I = *impl_;
  if (text.size() > kMaxBundleBytes) return fail(Code::TooLarge, "bundle over " + std::to_string(kMaxBundleBytes) + " bytes");
  std::shared_ptr<const proofs::TrustList> trust;
  {
    std::lock_guard lock(I.mu);
    trust = I.trust;
  }
  const auto now_s = static_cast<std::int64_t>(I.now() / 1000);
  auto verdict = proofs::verify_bundle(text, trust.get(), now_s);
  if (verdict.exit_code != 0)
    return tl::unexpected<Error>(verdict.error.value_or(Error{Code::BundleParse, "bundle rejected", ""}));
  Bytes ack;
  std::uint64_t proving_height = 0;
  Hash32 proving_hash;
  std::optional<EvmProvenBlock> evm;  // an EVM destination: AcknowledgementWritten of its endpoint (A19)
  try {
    const json doc = json::parse(text);
    const json result = json::parse(verdict.output_json);
    if (doc.value("family", "") == "ethereum") {
      domain::IslandSpec dest;
      {
        std::lock_guard lock(I.mu);
        const auto* isl = I.state->islands().find(doc.value("island", ""));
        if (isl == nullptr) return fail(Code::UnknownIsland, "island " + doc.value("island", "") + " is not registered", "island");
        dest = isl->spec;
      }
      auto block = evm_proven_block(dest, doc, result);
      if (!block) return err(block);
      auto evm_ack = read_evm_ack(dest, doc, result);
      if (!evm_ack) return err(evm_ack);
      ack = std::move(*evm_ack);
      proving_height = block->height;
      proving_hash = block->hash;
      evm = std::move(*block);
    } else if (doc.value("family", "") != "bft" || doc.value("codec", "") != "causeway-devnet/v1") {
      return fail(Code::Unsupported, "acknowledgement bundles are taken from causeway-devnet/v1 and ethereum islands only",
                  "family");
    }
    if (!evm) {  // devnet: the event leaf 0x02 ‖ ack_bytes
      const json& claim = result.at("claim");
      if (claim.value("tree", "") != "event") return fail(Code::NotPacketEvent, "not an event leaf", "inclusion.tree");
      auto leaf = from_hex(claim.at("leaf").get<std::string>());
      if (!leaf) return err(leaf);
      if (leaf->empty() || (*leaf)[0] != 0x02)
        return fail(Code::NotPacketEvent, "the event leaf is not 0x02 ‖ ack_bytes (an acknowledgement)", "inclusion.leaf");
      ack.assign(leaf->begin() + 1, leaf->end());
      proving_height = result.at("height").get<std::uint64_t>();
      auto hh = hash_json(result.at("header_hash"));
      if (!hh) return err(hh);
      proving_hash = *hh;
    }
  } catch (const std::exception& e) {
    return fail(Code::BundleParse, std::string("unreadable bundle: ") + e.what());
  }
  auto decoded = packet::decode_ack(ack);
  if (!decoded) return err(decoded);
  // The verified island, anchor and tip: devnet from its verified headers (the tip's time and set), EVM from
  // the verdict and the bundle's verified header RLP.
  Result<proofs::VerifiedHeaders> vh = proofs::VerifiedHeaders{};
  ConsensusState tip_cs;
  if (evm) {
    vh->island = evm->island;
    vh->anchor.height = evm->anchor_height;
    vh->anchor.hash = evm->anchor_hash;
    tip_cs = evm->tip;
  } else {
    vh = proofs::verify_bft_headers(text, *trust, now_s);
    if (!vh) return err(vh);
    const auto& tip = vh->headers.empty() ? vh->anchor : vh->headers.back();
    tip_cs = ConsensusState{vh->island, tip.height, tip.hash, tip.validators_hash, tip.time_ms};
  }
  const auto anchor = vh->anchor;
  auto out = std::make_shared<PacketView>();
  std::optional<RelayEvent> ev;  // H9: announced after the commit
  Impl* raw = impl_.get();
  auto s = raw->committer->run([&, raw](Database&, Transaction& tx) -> Status {
    return raw->guarded([&]() -> Status {
      const auto* rec = raw->state->find(id);
      if (rec == nullptr) return fail(Code::UnknownPacket, domain::to_string(id));
      if (rec->packet.dest_island != vh->island)
        return fail(Code::WrongDestination, "the bundle is of " + vh->island + ", the packet's destination is " +
                                                rec->packet.dest_island, "island");
      if (decoded->commitment != rec->commitment)
        return fail(Code::ClaimMismatch, "the acknowledgement names another packet", "inclusion.leaf");
      if (!raw->holds(vh->island, anchor.height, anchor.hash))
        return fail(Code::UntrustedAnchor, "the bundle's anchor is not a consensus state this relay holds", "anchor");
      const std::string source = rec->packet.source_island;
      const auto* src_end = raw->state->channels().find(domain::ChannelKey{source, rec->packet.source_channel});
      if (src_end == nullptr) return fail(Code::UnknownChannel, "no source channel end", source);
      const domain::AttestationSubject subject{domain::AttestationKind::Ack, source, rec->packet.source_genesis,
                                               src_end->spec.endpoint, rec->commitment, packet::ack_commitment(ack)};
      raw->running_packet = rec->packet;  // A05: named by the halt's alert if the ledger movement breaks
      auto step = raw->state->acknowledge(id, ack);
      if (!step) return err(step);
      raw->touched = true;
      if (!raw->holds(tip_cs.island, tip_cs.height, tip_cs.hash))
        if (auto r = raw->insert_cstate(tx, tip_cs, anchor.height + 1, true); !r) return r;
      auto idx = raw->append(tx, audit::build(audit::AckVerified{step->record.commitment, subject.ack_commitment,
                                                                 decoded->success, vh->island, proving_height,
                                                                 proving_hash, text},
                                              raw->now()));
      if (!idx) return err(idx);
      // A Bitcoin source (a deposit, PACKET.md "Bitcoin deposits") has no return path: the ack ends here, recorded
      // by its ack_verified entry and the stage (acknowledged, or error-acknowledged — final for a deposit: no
      // refund), with no return row, no ack attestation and nothing for the source to process.
      const auto* src_island = raw->state->islands().find(source);
      const bool returns_home = src_island == nullptr || src_island->spec.family != domain::Family::Bitcoin;
      Bytes return_sig;
      if (returns_home) {
        auto sig = domain::sign_attestation(subject, *idx, raw->key);
        if (!sig) return err(sig);
        auto st = raw->stmt("INSERT INTO returns(packet, kind, source_island, ack_bytes, dest_height, dest_hash, "
                            "dest_time, audit_index, signature, state, time_ms) VALUES(?1, 'ack', ?2, ?3, ?4, ?5, ?6, "
                            "?7, ?8, 'pending', ?9)");
        if (!st) return err(st);
        Statement& q = **st;
        (void)q.bind_int64(1, raw->rowid.at(id));
        (void)q.bind_text(2, source);
        (void)q.bind_blob(3, ack);
        (void)q.bind_int64(4, i64(proving_height));
        (void)q.bind_blob(5, proving_hash.view());
        (void)q.bind_int64(6, 0);
        (void)q.bind_int64(7, i64(*idx));
        (void)q.bind_blob(8, sig->signature);
        (void)q.bind_int64(9, i64(raw->now()));
        if (auto r = q.run(); !r) return r;
        return_sig = sig->signature;
      }
      if (auto r = raw->set_stage(id, domain::stage_name(step->record.stage)); !r) return r;
      if (auto r = raw->persist_ledger(tx); !r) return r;
      ev = raw->event_of(step->record, *idx, step->alerts);
      if (returns_home)
        raw->returns[source][id] = ReturnEntry{raw->rowid.at(id), "ack", "pending", ack, *idx, return_sig, 0, 0, {}, false, {}, 0};
      *out = raw->view_of(step->record, false);
      return {};
    });
  });
  raw->await_halts(s);  // A05: answered after the halt's own commit
  if (!s) return err(s);
  if (ev) raw->emit(*ev);
  return *out;
}

Result<PacketView> Relay::submit_non_delivery(const domain::PacketId& id, std::string text) {
  Impl& I = *impl_;
  std::shared_ptr<const proofs::TrustList> trust;
  domain::PacketRecord rec;
  std::uint64_t open_height = 0;
  domain::IslandSpec dest_spec;
  {
    std::lock_guard lock(I.mu);
    trust = I.trust;
    const auto* r = I.state->find(id);
    if (r == nullptr) return fail(Code::UnknownPacket, domain::to_string(id));
    rec = *r;
    const auto* end = I.state->channels().find(domain::ChannelKey{rec.packet.dest_island, rec.packet.dest_channel});
    if (end == nullptr) return fail(Code::UnknownChannel, "no destination channel end", rec.packet.dest_island);
    open_height = end->spec.open_height;
    if (const auto* isl = I.state->islands().find(rec.packet.dest_island); isl != nullptr) dest_spec = isl->spec;
  }
  Result<proofs::VerifiedHeaders> vh = proofs::VerifiedHeaders{};
  proofs::VerifiedHeader b;  // the judged block (EVM: time_ms holds block.timestamp in seconds, the stored unit)
  domain::NonDeliveryProof proof;
  domain::DestView view;
  ConsensusState tip_cs;
  std::string proof_kind = "devnet-event-scan";
  if (dest_spec.family == domain::Family::Ethereum) {
    // EVM (PACKET.md "Non-delivery proof"): receipts[commitment] of the registered endpoint reads 0 in a
    // storage proof at a VERIFIED block at which the packet is timed out (A19, A21).
    proofs::VerifiedBundle verified;
    auto verdict = proofs::verify_bundle_parsed(text, trust.get(), static_cast<std::int64_t>(I.now() / 1000), verified);
    if (verdict.exit_code != 0)
      return tl::unexpected<Error>(verdict.error.value_or(Error{Code::BundleParse, "evidence rejected", ""}));
    auto block = evm_proven_block(dest_spec, verified.doc, verified.result);
    if (!block) return err(block);
    auto value = read_evm_receipt_slot(dest_spec, rec.commitment, verified.doc, verified.result);
    if (!value) return err(value);
    vh->island = block->island;
    vh->anchor.height = block->anchor_height;
    vh->anchor.hash = block->anchor_hash;
    b.height = block->height;
    b.hash = block->hash;
    b.time_ms = block->time_s;
    proof.kind = domain::NonDeliveryKind::EvmReceiptSlot;
    proof.block_height = block->height;
    proof.slot = packet::receipt_storage_slot(rec.commitment);
    proof.slot_value = *value;
    view = domain::DestView{block->height, block->time_s, packet::DestClock::EvmSeconds};
    tip_cs = block->tip;
    proof_kind = "evm-receipt-slot";
  } else {  // devnet: the complete verified event lists (PACKET.md)
    vh = proofs::verify_bft_headers(text, *trust, static_cast<std::int64_t>(I.now() / 1000));
    if (!vh) return err(vh);
    if (vh->island != rec.packet.dest_island)
      return fail(Code::WrongDestination, "the evidence is of " + vh->island + ", not the packet's destination", "island");
    auto suite = bft::parse_suite(vh->crypto);
    if (!suite) return err(suite);
    std::map<std::uint64_t, proofs::VerifiedHeader> verified;
    verified[vh->anchor.height] = vh->anchor;
    for (const auto& h : vh->headers) verified[h.height] = h;
    b = vh->headers.empty() ? vh->anchor : vh->headers.back();
    proof.kind = domain::NonDeliveryKind::DevnetEventScan;
    proof.block_height = b.height;
    proof.scan_from_height = open_height;
    try {
      const json doc = json::parse(text);
      const json& events = doc.at("events");
      for (std::uint64_t h = open_height; h <= b.height; ++h) {
        auto vit = verified.find(h);
        if (vit == verified.end())
          return fail(Code::NonDeliveryUnproven, "block " + std::to_string(h) + " is not among the verified headers", "headers");
        const json& list = events.at(std::to_string(h));
        std::vector<Bytes> leaves;
        for (const auto& l : list) {
          auto leaf = from_hex(l.get<std::string>());
          if (!leaf) return err(leaf);
          if (leaf->size() >= 33 && (*leaf)[0] == 0x03 &&
              std::equal(rec.commitment.b.begin(), rec.commitment.b.end(), leaf->begin() + 1))
            proof.receipt_leaf_found = true;
          leaves.push_back(std::move(*leaf));
        }
        if (leaves.size() != vit->second.event_count ||
            bft::rfc6962::root_of_leaves(*suite, leaves) != vit->second.event_root)
          return fail(Code::NonDeliveryUnproven,
                      "the event list of block " + std::to_string(h) + " is not the one its verified header commits to",
                      "events");
      }
    } catch (const std::exception& e) {
      return fail(Code::BundleParse, std::string("unreadable non-delivery evidence: ") + e.what());
    }
    view = domain::DestView{b.height, b.time_ms, packet::DestClock::DevnetMillis};
    tip_cs = ConsensusState{vh->island, b.height, b.hash, b.validators_hash, b.time_ms};
  }
  const auto anchor = vh->anchor;
  auto out = std::make_shared<PacketView>();
  std::optional<RelayEvent> ev;  // H9: announced after the commit
  Impl* raw = impl_.get();
  auto s = raw->committer->run([&, raw](Database&, Transaction& tx) -> Status {
    return raw->guarded([&]() -> Status {
      const auto* cur = raw->state->find(id);
      if (cur == nullptr) return fail(Code::UnknownPacket, domain::to_string(id));
      if (!raw->holds(vh->island, anchor.height, anchor.hash))
        return fail(Code::UntrustedAnchor, "the evidence's anchor is not a consensus state this relay holds", "anchor");
      const std::string source = cur->packet.source_island;
      const auto* src_end = raw->state->channels().find(domain::ChannelKey{source, cur->packet.source_channel});
      if (src_end == nullptr) return fail(Code::UnknownChannel, "no source channel end", source);
      const domain::AttestationSubject subject{domain::AttestationKind::Timeout, source, cur->packet.source_genesis,
                                               src_end->spec.endpoint, cur->commitment, Hash32{}};
      auto step = raw->state->time_out(id, view, proof);  // judge_timeout: verified block + non-delivery (A21)
      if (!step) return err(step);
      raw->touched = true;
      if (!raw->holds(tip_cs.island, tip_cs.height, tip_cs.hash))
        if (auto r = raw->insert_cstate(tx, tip_cs, anchor.height + 1, true); !r) return r;
      auto idx = raw->append(tx, audit::build(audit::TimeoutVerified{step->record.commitment, vh->island, b.height, b.hash},
                                              raw->now()));
      if (!idx) return err(idx);
      auto sig = domain::sign_attestation(subject, *idx, raw->key);
      if (!sig) return err(sig);
      auto st = raw->stmt("INSERT INTO returns(packet, kind, source_island, dest_height, dest_hash, dest_time, proof_kind, "
                          "scan_from, audit_index, signature, state, time_ms) VALUES(?1, 'timeout', ?2, ?3, ?4, ?5, "
                          "?10, ?6, ?7, ?8, 'pending', ?9)");
      if (!st) return err(st);
      Statement& q = **st;
      (void)q.bind_int64(1, raw->rowid.at(id));
      (void)q.bind_text(2, source);
      (void)q.bind_int64(3, i64(b.height));
      (void)q.bind_blob(4, b.hash.view());
      (void)q.bind_int64(5, i64(b.time_ms));
      (void)q.bind_int64(6, i64(open_height));
      (void)q.bind_int64(7, i64(*idx));
      (void)q.bind_blob(8, sig->signature);
      (void)q.bind_int64(9, i64(raw->now()));
      (void)q.bind_text(10, proof_kind);
      if (auto r = q.run(); !r) return r;
      auto ob = raw->stmt("UPDATE outbox SET state = 'failed', last_error = 'timed out' WHERE packet = ?1");
      if (!ob) return err(ob);
      (void)(*ob)->bind_int64(1, raw->rowid.at(id));
      if (auto r = (*ob)->run(); !r) return r;
      raw->outbox[cur->packet.dest_island].erase(id);
      if (auto r = raw->set_stage(id, domain::stage_name(step->record.stage)); !r) return r;
      if (auto r = raw->persist_ledger(tx); !r) return r;
      ev = raw->event_of(step->record, *idx, step->alerts);
      raw->returns[source][id] = ReturnEntry{raw->rowid.at(id), "timeout", "pending", {}, *idx, sig->signature, 0, 0, {}, false, {}, 0};
      *out = raw->view_of(step->record, false);
      return {};
    });
  });
  if (!s) return err(s);
  if (ev) raw->emit(*ev);
  return *out;
}

std::vector<Relay::ReturnJob> Relay::due_returns(const std::string& source_island, std::size_t max) const {
  const Impl& I = *impl_;
  const std::uint64_t now = I.now();
  std::lock_guard lock(I.mu);
  std::vector<ReturnJob> out;
  auto it = I.returns.find(source_island);
  if (it == I.returns.end()) return out;
  for (const auto& [id, e] : it->second) {
    if (out.size() >= max) break;
    if (e.state == "done" || e.next_attempt_ms > now) continue;
    const auto* rec = I.state->find(id);
    if (rec == nullptr) continue;
    ReturnJob j;
    j.id = id;
    j.kind = e.kind;
    j.commitment = rec->commitment;
    j.packet_bytes = packet::encode_packet(rec->packet);
    j.ack_bytes = e.ack_bytes;
    j.attestations = I.return_signatures(e);
    // The source endpoint needs k distinct members (PACKET.md): wait for the peers' signatures (PeerFetcher).
    if (j.attestations.size() < I.state->committee().threshold()) continue;
    j.attempts = e.attempts;
    j.submitted_tx = e.submitted_tx;
    j.submit_attempts = e.submit_attempts;
    out.push_back(std::move(j));
  }
  return out;
}

std::optional<Relay::ReturnAttestation> Relay::own_return_attestation(const domain::PacketId& id) const {
  const Impl& I = *impl_;
  std::lock_guard lock(I.mu);
  const auto* rec = I.state->find(id);
  const ReturnEntry* e = rec == nullptr ? nullptr : I.find_return(*rec);
  if (e == nullptr) return std::nullopt;
  ReturnAttestation r;
  r.kind = e->kind;
  r.commitment = rec->commitment;
  if (e->kind == "ack") r.ack_commitment = packet::ack_commitment(e->ack_bytes);
  r.attestation = adapters::MemberAttestation{I.self, e->audit_index, e->signature};
  return r;
}

std::vector<Relay::AwaitingReturn> Relay::awaiting_return_attestations(std::size_t max) const {
  const Impl& I = *impl_;
  std::lock_guard lock(I.mu);
  std::vector<AwaitingReturn> out;
  const std::uint32_t k = I.state->committee().threshold();
  for (const auto& [source, entries] : I.returns)
    for (const auto& [id, e] : entries) {
      if (out.size() >= max) return out;
      if (e.state == "done") continue;
      const auto have = I.return_signatures(e);
      if (have.size() >= k) continue;
      const auto* rec = I.state->find(id);
      if (rec == nullptr) continue;
      AwaitingReturn a{id, e.kind, rec->commitment, {}};
      for (const auto& x : have) a.members.push_back(x.member);
      out.push_back(std::move(a));
    }
  return out;
}

Result<std::size_t> Relay::add_return_attestation(const domain::PacketId& id, const adapters::MemberAttestation& a) {
  Impl* raw = impl_.get();
  auto count = std::make_shared<std::size_t>(0);
  Status s = raw->committer->run([raw, id, a, count](Database&, Transaction&) -> Status {
    return raw->guarded([&]() -> Status {
      const auto* rec = raw->state->find(id);
      if (rec == nullptr) return fail(Code::UnknownPacket, "this relay does not hold " + domain::to_string(id));
      ReturnEntry* e = raw->find_return(*rec);
      if (e == nullptr)
        return fail(Code::UnknownPacket, "this relay has no ack or timeout of " + domain::to_string(id) + " yet");
      if (a.member == raw->self) return fail(Code::InvalidArgument, "a peer served this relay's own address", "member");
      const auto& committee = raw->state->committee();
      if (!committee.is_member(a.member))  // A05: only CURRENT members count
        return fail(Code::NotValidator, "0x" + to_hex_bare(ByteView(a.member.data(), a.member.size())) +
                                            " is not a member of the current committee", "member");
      if (a.signature.size() != 65) return fail(Code::SigInvalid, "a signature is 65 bytes r || s || v", "signature");
      auto subject = raw->return_subject(*rec, *e);
      if (!subject) return err(subject);
      // The peer must sign the SAME return: for an ack the same ack bytes (a peer that saw other ack bytes
      // recovers to another address and is refused, ERR_SIG_INVALID / ERR_NOT_VALIDATOR).
      const domain::MemberSignature peer{a.member, a.audit_index, a.signature};
      auto one = domain::tally_attestations(committee, *subject, std::span<const domain::MemberSignature>(&peer, 1));
      if (!one) return err(one);
      if (!one->rejected().empty()) return tl::unexpected<Error>(one->rejected().front().error);
      const bool known = std::any_of(e->peers.begin(), e->peers.end(), [&](const auto& x) { return x.member == a.member; });
      if (!known && e->state != "done") {
        auto st = raw->stmt("INSERT INTO return_attestations(packet, member, audit_index, signature) VALUES(?1, ?2, ?3, ?4)");
        if (!st) return err(st);
        (void)(*st)->bind_int64(1, raw->rowid.at(id));
        (void)(*st)->bind_blob(2, ByteView(a.member.data(), a.member.size()));
        (void)(*st)->bind_int64(3, i64(a.audit_index));
        (void)(*st)->bind_blob(4, a.signature);
        if (auto r = (*st)->run(); !r) return r;
        e->peers.push_back(a);
      }
      *count = raw->return_signatures(*e).size();
      return {};
    });
  });
  if (!s) return err(s);
  return *count;
}

Status Relay::record_return_submitted(const domain::PacketId& id, const Bytes& tx_id) {
  Impl* raw = impl_.get();
  return raw->committer->run([raw, id, tx_id](Database&, Transaction&) -> Status {
    std::lock_guard lock(raw->mu);
    const auto* rec = raw->state->find(id);
    if (rec == nullptr) return fail(Code::UnknownPacket, domain::to_string(id));
    auto st = raw->stmt("UPDATE returns SET state = 'submitted', attempts = attempts + 1, submit_attempts = attempts + 1, "
                        "submitted_tx = ?1 WHERE packet = ?2");
    if (!st) return err(st);
    (void)(*st)->bind_blob(1, tx_id);
    (void)(*st)->bind_int64(2, raw->rowid.at(id));
    if (auto r = (*st)->run(); !r) return r;
    auto& e = raw->returns[rec->packet.source_island][id];
    e.state = "submitted";
    e.attempts += 1;
    e.submit_attempts = e.attempts;
    e.submitted_tx = tx_id;
    return {};
  });
}

Status Relay::record_return_failed(const domain::PacketId& id, const Error& error, std::uint64_t next_attempt_ms) {
  Impl* raw = impl_.get();
  return raw->committer->run([raw, id, error, next_attempt_ms](Database&, Transaction&) -> Status {
    std::lock_guard lock(raw->mu);
    const auto* rec = raw->state->find(id);
    if (rec == nullptr) return fail(Code::UnknownPacket, domain::to_string(id));
    auto st = raw->stmt("UPDATE returns SET attempts = attempts + 1, next_attempt_ms = ?1, last_error = ?2 WHERE packet = ?3");
    if (!st) return err(st);
    (void)(*st)->bind_int64(1, i64(next_attempt_ms));
    (void)(*st)->bind_text(2, std::string(code_name(error.code)) + ": " + error.detail);
    (void)(*st)->bind_int64(3, raw->rowid.at(id));
    if (auto r = (*st)->run(); !r) return r;
    auto& e = raw->returns[rec->packet.source_island][id];
    e.attempts += 1;
    e.next_attempt_ms = next_attempt_ms;
    return {};
  });
}

Status Relay::record_returned(const domain::PacketId& id, adapters::SourceStatus status) {
  Impl* raw = impl_.get();
  std::optional<RelayEvent> ev;  // H9: announced after the commit
  Status s = raw->committer->run([raw, id, status, &ev](Database&, Transaction& tx) -> Status {
    return raw->guarded([&]() -> Status {
      const auto* rec = raw->state->find(id);
      if (rec == nullptr) return fail(Code::UnknownPacket, domain::to_string(id));
      const std::string source = rec->packet.source_island;
      auto& pending = raw->returns[source];
      auto it = pending.find(id);
      if (it == pending.end()) return {};  // already done: refunds happen exactly once
      ReturnEntry e = it->second;
      bool refund = false;
      if (e.kind == "ack" && rec->stage == domain::Stage::Acknowledged) {
        if (status != adapters::SourceStatus::Acknowledged)
          return fail(Code::IllegalTransition, "a success ack the source did not record as acknowledged");
      } else if (status == adapters::SourceStatus::Refunded &&
                 (rec->stage == domain::Stage::ErrorAcknowledged || rec->stage == domain::Stage::TimedOut)) {
        refund = true;
      } else {
        return fail(Code::IllegalTransition, "source status does not fit a " + e.kind + " of a packet in stage " +
                                                 std::string(domain::stage_name(rec->stage)));
      }
      std::string stage(domain::stage_name(rec->stage));
      if (refund) {
        raw->running_packet = rec->packet;  // A05 (as submit_ack_bundle)
        auto step = raw->state->refund(id, domain::EvRefunded{0});
        if (!step) return err(step);
        raw->touched = true;
        stage = std::string(domain::stage_name(step->record.stage));
        ev = raw->event_of(step->record, std::nullopt, step->alerts);
      }
      auto st = raw->stmt("UPDATE returns SET state = 'done', refunded = ?1 WHERE packet = ?2");
      if (!st) return err(st);
      (void)(*st)->bind_int64(1, refund ? 1 : 0);
      (void)(*st)->bind_int64(2, raw->rowid.at(id));
      if (auto r = (*st)->run(); !r) return r;
      if (auto r = raw->set_stage(id, stage); !r) return r;
      if (auto r = raw->persist_ledger(tx); !r) return r;
      e.state = "done";
      e.refunded = refund;
      pending.erase(it);
      raw->returns_done[id] = std::move(e);
      return {};
    });
  });
  raw->await_halts(s);  // A05: answered after the halt's own commit
  if (s && ev) raw->emit(*ev);
  return s;
}

domain::InvariantReport Relay::check_ledger() const {
  std::lock_guard lock(impl_->mu);
  return impl_->state->check_invariants();
}

// ---- A05 escrow-invariant halts (relay.hpp; docs/relay-core.md "A05") ----------------------------------

void Relay::Impl::queue_halt_flush() {
  if (!committer) return;
  auto events = std::make_shared<std::vector<RelayEvent>>();
  committer->submit_async([this, events](Database&, Transaction& tx) -> Status { return flush_halts(tx, *events); },
                          [this, events](Status s) {
                            if (!s) {  // rolled back: rebuild (pending halts are re-applied) and keep them pending
                              {
                                std::lock_guard lock(mu);
                                dirty = true;
                              }
                              note("cannot persist a channel halt (A05), kept in memory only: " + s.error().detail);
                              return;
                            }
                            for (const auto& ev : *events) emit(ev);  // once, after the COMMIT
                          });
}

void Relay::Impl::queue_freeze_flush() {
  if (!committer) return;
  auto events = std::make_shared<std::vector<RelayEvent>>();
  committer->submit_async([this, events](Database&, Transaction& tx) -> Status { return flush_freezes(tx, *events); },
                          [this, events](Status s) {
                            {
                              std::lock_guard lock(mu);
                              if (!s) {  // rolled back: rebuild from the database; the freezes stay pending
                                dirty = true;
                                freeze_flush_queued = false;
                              } else {
                                pending_freezes.clear();
                              }
                            }
                            if (!s) {
                              note("cannot persist a client freeze (A14), kept pending: " + s.error().detail);
                              return;
                            }
                            for (const auto& ev : *events) emit(ev);  // once, after the COMMIT
                          });
}

// A14: each pending freeze of a client that is not frozen yet: the audit client_frozen entry (evidence: the held
// header, by its own audit entry, and the conflicting one, by the document that carried it), client_states.status
// 'frozen', relay/domain's freeze (from then on intake, delivery and returns of the island answer
// ERR_CLIENT_FROZEN), and a client_frozen alert announced after the COMMIT.
Status Relay::Impl::flush_freezes(Transaction& tx, std::vector<RelayEvent>& out) {
  std::lock_guard lock(mu);
  freeze_flush_queued = false;
  out.clear();
  for (const auto& f : pending_freezes) {
    const auto* rec = state->islands().find(f.island);
    if (rec == nullptr || rec->status == domain::ClientStatus::Frozen) continue;
    std::uint64_t held_index = 0;  // the held header's headers_accepted (or registration) entry
    {
      auto st = stmt("SELECT audit_index FROM consensus_states WHERE island = ?1 AND height = ?2 AND hash = ?3");
      if (!st) return err(st);
      (void)(*st)->bind_text(1, f.island);
      (void)(*st)->bind_int64(2, i64(f.height));
      (void)(*st)->bind_blob(3, f.held.view());
      auto row = (*st)->step();
      if (!row) return err(row);
      if (*row) held_index = u64((*st)->column_int64(0));
      (*st)->reset();
    }
    // header_b carries the document as text (JCS-safe whatever its numbers) when it fits an audit entry; its
    // SHA-256 always.
    const Hash32 doc_hash = sha256(ByteView(reinterpret_cast<const std::uint8_t*>(f.document.data()), f.document.size()));
    json evidence = {
        {"header_a", {{"height", f.height}, {"hash", to_hex(f.held.view())}, {"audit_index", held_index}}},
        {"header_b",
         {{"height", f.height}, {"hash", to_hex(f.seen.view())}, {"source", f.source},
          {"document_sha256", to_hex(doc_hash.view())}}}};
    const std::string reason = "two verified headers at height " + std::to_string(f.height) + " (A14)";
    constexpr std::size_t kMaxEvidenceDocument = 1u << 20;
    auto event = audit::build(audit::ClientFrozen{f.island, f.height, reason, evidence}, now());
    if (f.document.size() <= kMaxEvidenceDocument) {
      json with_doc = evidence;
      with_doc["header_b"]["document"] = f.document;
      if (auto e = audit::build(audit::ClientFrozen{f.island, f.height, reason, with_doc}, now())) event = std::move(e);
    }
    auto idx = append(tx, std::move(event));
    if (!idx) return err(idx);
    auto st = stmt("UPDATE client_states SET status = 'frozen' WHERE island = ?1");
    if (!st) return err(st);
    (void)(*st)->bind_text(1, f.island);
    if (auto r = (*st)->run(); !r) return r;
    if (auto r = state->freeze_island(f.island); !r) return r;
    note("alert client_frozen: island " + f.island + ": " + reason);
    RelayEvent ev;
    ev.alert_only = true;
    ev.stage_index = *idx;
    ev.source_island = f.island;
    ev.alerts.push_back(RelayAlert{"client_frozen", f.island + ": " + reason});
    out.push_back(std::move(ev));
  }
  return {};
}

Status Relay::Impl::flush_halts(Transaction& tx, std::vector<RelayEvent>& out) {
  std::lock_guard lock(mu);
  halt_flush_queued = false;
  out.clear();
  const std::uint64_t t = now();
  std::vector<PendingHalt> keep;
  for (auto& h : pending_halts) {
    const auto* end = state->channels().find(h.end);
    if (end == nullptr || persisted_halts.count(h.end) || persisted_halts.count(end->counterparty_key())) continue;
    const domain::ChannelKey cp = end->counterparty_key();
    if (auto r = state->halt_channel(h.end, h.reason); !r) return r;  // still halted (idempotent)
    json details = {{"reason", h.reason},
                    {"island", h.end.island},
                    {"channel", h.end.channel},
                    {"counterparty_island", cp.island},
                    {"counterparty_channel", cp.channel}};
    std::optional<domain::PacketId> pid;
    if (h.packet) {
      pid = domain::packet_id(*h.packet);
      details["packet_id"] = domain::to_string(*pid);
      details["commitment"] = to_hex(packet::commitment(*h.packet).view());
    }
    auto idx = append(tx, audit::build(audit::InvariantAlert{std::string("escrow_invariant"),
                                                             "channel " + domain::to_string(h.end), details},
                                       t));
    if (!idx) return err(idx);
    auto st = stmt("INSERT INTO channel_halts(island, channel, reason, halted_ms, audit_index) VALUES(?1, ?2, ?3, ?4, ?5)");
    if (!st) return err(st);
    (void)(*st)->bind_text(1, h.end.island);
    (void)(*st)->bind_text(2, h.end.channel);
    (void)(*st)->bind_text(3, h.reason);
    (void)(*st)->bind_int64(4, i64(t));
    (void)(*st)->bind_int64(5, i64(*idx));
    if (auto r = (*st)->run(); !r) return r;
    persisted_halts[h.end] = u64(sqlite3_last_insert_rowid(db.handle()));
    RelayEvent ev;
    ev.alert_only = true;
    ev.stage_index = *idx;
    ev.alerts.push_back(RelayAlert{"escrow_invariant", h.reason});
    if (h.packet) {
      ev.packet_id = domain::to_string(*pid);
      ev.source_island = h.packet->source_island;
      ev.source_channel = h.packet->source_channel;
      ev.dest_island = h.packet->dest_island;
      ev.commitment = to_hex(packet::commitment(*h.packet).view());
      if (const auto* rec = state->find(*pid)) {
        ev.stage = std::string(domain::stage_name(rec->stage));
        ev.audit_index = rec->proven_audit_index;
      }
    } else {
      ev.source_island = h.end.island;
      ev.source_channel = h.end.channel;
    }
    out.push_back(std::move(ev));
  }
  // Persisted ones leave the pending list only now; a COMMIT failure rebuilds from the database (queue_halt_flush)
  // and would lose them in memory, so they are kept pending until then: load_halts re-applies both lists.
  pending_halts.erase(std::remove_if(pending_halts.begin(), pending_halts.end(),
                                     [&](const PendingHalt& h) { return persisted_halts.count(h.end) != 0; }),
                      pending_halts.end());
  return {};
}

Status Relay::Impl::load_halts() {
  persisted_halts.clear();
  auto st = db.prepare("SELECT id, island, channel, reason FROM channel_halts WHERE resumed_ms IS NULL ORDER BY id");
  if (!st) return err(st);
  for (;;) {
    auto row = st->step();
    if (!row) return err(row);
    if (!*row) break;
    const domain::ChannelKey k{std::string(st->column_text(1)), std::string(st->column_text(2))};
    if (auto r = state->halt_channel(k, std::string(st->column_text(3))); !r)
      return fail(Code::StoreConflict, "a channel halt of an unknown channel " + domain::to_string(k), "channel_halts");
    persisted_halts[k] = u64(st->column_int64(0));
  }
  for (const auto& h : pending_halts) (void)state->halt_channel(h.end, h.reason);
  return {};
}

std::optional<Relay::ChannelStatus> Relay::channel_status(const domain::ChannelKey& end) const {
  std::lock_guard lock(impl_->mu);
  const auto* e = impl_->state->channels().find(end);
  if (e == nullptr) return std::nullopt;
  return ChannelStatus{std::string(domain::channel_state_name(e->state)), e->halt_reason};
}

std::vector<std::pair<domain::ChannelKey, Relay::ChannelStatus>> Relay::channel_states() const {
  std::lock_guard lock(impl_->mu);
  std::vector<std::pair<domain::ChannelKey, ChannelStatus>> out;
  for (const auto& [k, e] : impl_->state->channels().all())
    out.emplace_back(k, ChannelStatus{std::string(domain::channel_state_name(e.state)), e.halt_reason});
  return out;
}

Result<Relay::ResumeResult> Relay::resume_channel(const domain::ChannelKey& end, const std::string& operator_id,
                                                  const std::string& reason) {
  Impl* raw = impl_.get();
  ResumeResult result;
  std::set<std::string> dests;
  std::vector<RelayEvent> events;
  auto s = raw->committer->run([&](Database&, Transaction& tx) -> Status {
    return raw->guarded([&]() -> Status {
      events.clear();
      dests.clear();
      const auto* e = raw->state->channels().find(end);
      if (e == nullptr) return fail(Code::UnknownChannel, "no channel " + domain::to_string(end));
      const domain::ChannelKey cp = e->counterparty_key();
      for (const auto& h : raw->pending_halts)
        if (h.end == end || h.end == cp)
          return fail(Code::IllegalTransition, "the halt of " + domain::to_string(end) + " is still being recorded; try again");
      const std::string halt_reason = e->halt_reason;
      const domain::OperatorNote note{operator_id, reason, raw->now()};
      auto rec = raw->state->resume_channel(end, note);
      if (!rec) return err(rec);
      raw->touched = true;
      auto idx = raw->append(tx, audit::build(audit::OperatorAction{operator_id, "channel_resume", domain::to_string(end),
                                                                    json{{"reason", reason}, {"halt_reason", halt_reason}}},
                                              note.time_ms));
      if (!idx) return err(idx);
      result.audit_index = *idx;
      auto up = raw->stmt("UPDATE channel_halts SET resumed_ms = ?1, resume_index = ?2, resumed_by = ?3 "
                          "WHERE resumed_ms IS NULL AND ((island = ?4 AND channel = ?5) OR (island = ?6 AND channel = ?7))");
      if (!up) return err(up);
      (void)(*up)->bind_int64(1, i64(note.time_ms));
      (void)(*up)->bind_int64(2, i64(*idx));
      (void)(*up)->bind_text(3, operator_id);
      (void)(*up)->bind_text(4, end.island);
      (void)(*up)->bind_text(5, end.channel);
      (void)(*up)->bind_text(6, cp.island);
      (void)(*up)->bind_text(7, cp.channel);
      if (auto r = (*up)->run(); !r) return r;
      raw->persisted_halts.erase(end);
      raw->persisted_halts.erase(cp);
      // Packets taken in while halted stayed proven (attest refuses a halted channel): attest those whose k
      // current members' signatures are held, as add_member_attestation does for the k-th signature.
      std::vector<domain::PacketId> held;
      for (const auto& [id, r] : raw->state->packets()) {
        if (r.stage != domain::Stage::Proven || raw->unmet_at_replay.count(id)) continue;
        const domain::ChannelKey src{id.source_island, id.source_channel};
        if (src == end || src == cp) held.push_back(id);
      }
      for (const auto& id : held) {
        const auto* r = raw->state->find(id);
        auto own = raw->own_attestation.find(id);
        if (r == nullptr || own == raw->own_attestation.end()) continue;
        auto subject = raw->subject_of(r->packet, r->commitment);
        if (!subject) return err(subject);
        std::vector<domain::MemberSignature> sigs{
            domain::MemberSignature{own->second.member, own->second.audit_index, own->second.signature}};
        if (auto pa = raw->peer_attestations.find(id); pa != raw->peer_attestations.end())
          for (const auto& x : pa->second) sigs.push_back(domain::MemberSignature{x.member, x.audit_index, x.signature});
        auto quorum = domain::tally_attestations(raw->state->committee(), *subject, sigs);
        if (!quorum) return err(quorum);
        if (!quorum->met()) continue;  // the PeerFetcher gathers the others (awaiting_attestations)
        const std::string dest = r->packet.dest_island;
        auto attested = raw->state->attest(id, *quorum, raw->latest_dest(dest));
        if (!attested) {
          raw->note("packet " + domain::to_string(id) + " stays proven after the resume: " + attested.error().detail);
          continue;
        }
        auto st = raw->stmt("UPDATE packets SET stage = 'attested', attested_index = ?1, updated_ms = ?2 WHERE id = ?3");
        if (!st) return err(st);
        (void)(*st)->bind_int64(1, i64(*idx));
        (void)(*st)->bind_int64(2, i64(note.time_ms));
        (void)(*st)->bind_int64(3, raw->rowid.at(id));
        if (auto q = (*st)->run(); !q) return q;
        auto ob = raw->stmt("INSERT INTO outbox(packet, dest_island, state) VALUES(?1, ?2, 'pending') "
                            "ON CONFLICT(packet) DO UPDATE SET state = 'pending', next_attempt_ms = 0");
        if (!ob) return err(ob);
        (void)(*ob)->bind_int64(1, raw->rowid.at(id));
        (void)(*ob)->bind_text(2, dest);
        if (auto q = (*ob)->run(); !q) return q;
        raw->outbox[dest][id] = OutboxEntry{raw->rowid.at(id), "pending", 0, 0, {}, 0};
        dests.insert(dest);
        events.push_back(raw->event_of(attested->record, *idx, attested->alerts));
        ++result.attested;
      }
      return {};
    });
  });
  if (!s) return err(s);
  std::function<void(const std::string&)> listener;
  {
    std::lock_guard lock(raw->mu);
    listener = raw->outbox_listener;
  }
  if (listener)
    for (const auto& d : dests) listener(d);
  for (const auto& ev : events) raw->emit(ev);
  return result;
}

// ---- governance journal: island update, client recover, channel close (migration 9; H2) -------------------

Status Relay::Impl::read_governance() {
  stored_gov.clear();
  stored_gov_next = 0;
  registered_specs.clear();
  auto read = [&](const char* sql, bool has_action) -> Status {
    auto st = db.prepare(sql);
    if (!st) return err(st);
    for (;;) {
      auto row = st->step();
      if (!row) return err(row);
      if (!*row) break;
      StoredGov g;
      g.index = u64(st->column_int64(0));
      g.record = std::string(st->column_text(1));
      g.action = std::string(st->column_text(2));
      if (has_action && !st->column_is_null(3)) g.prior_status = std::string(st->column_text(3));
      if (has_action) g.seq = st->column_int64(4);
      stored_gov.push_back(std::move(g));
    }
    return {};
  };
  if (auto s = read("SELECT registered_index, record, 'island.register' FROM islands", false); !s) return s;
  // One pair record per channel (two ends, two rows): replayed at its first audit entry.
  if (auto s = read("SELECT min(opened_index), record, 'channel.open' FROM channels GROUP BY record", false); !s) return s;
  if (auto s = read("SELECT audit_index, record, action, prior_status, seq FROM governance_journal", true); !s) return s;
  std::stable_sort(stored_gov.begin(), stored_gov.end(),
                   [](const StoredGov& a, const StoredGov& b) { return a.index < b.index; });
  return {};
}

Status Relay::Impl::apply_stored_gov(const StoredGov& g) {
  auto bad = [&](const std::string& what) {
    return fail(Code::StoreConflict, "stored " + g.action + " record at audit index " + std::to_string(g.index) +
                                         " unreadable: " + what, "governance");
  };
  const json j = json::parse(g.record, nullptr, false);
  if (j.is_discarded()) return bad("not JSON");
  if (g.seq >= 0)  // a journal row: its audit entry must be its record's, before anything is applied
    if (auto c = check_journal_entry(g); !c) return c;
  if (g.action == "island.register" || g.action == "island.update") {
    auto rec = island_from_json(j);
    if (!rec) return bad(rec.error().detail);
    if (g.action == "island.register") {
      if (auto r = state->register_island(*rec); !r) return err(r);
      registered_specs[rec->spec.id] = rec->spec;
    } else if (auto r = state->update_island(*rec); !r) {
      return err(r);
    }
    return {};
  }
  if (g.action == "channel.open" || g.action == "channel.close") {
    if (!j.is_object() || !j.contains("a") || !j.contains("b")) return bad("expected {a, b}");
    auto a = channel_from_json(j["a"]);
    auto b = channel_from_json(j["b"]);
    if (!a || !b) return bad("channel record");
    if (g.action == "channel.open") {
      if (auto r = state->open_channel(*a, *b); !r) return err(r);
    } else if (auto r = state->close_channel(*a, *b); !r) {
      return err(r);
    }
    return {};
  }
  if (g.action == "client.recover") {
    auto rec = recover_from_json(j);
    if (!rec) return bad(rec.error().detail);
    // The status the recover lifted is history (the freeze or expiry came before it): re-applied here.
    if (g.prior_status == "frozen") {
      if (auto r = state->freeze_island(rec->island); !r) return err(r);
    } else if (auto r = state->mark_expired(rec->island); !r) {
      return err(r);
    }
    if (auto r = state->client_recover(*rec, domain::OperatorNote{}); !r) return err(r);
    return {};
  }
  return bad("unknown action");
}

Status Relay::Impl::replay_before(std::uint64_t audit_index) {
  for (; stored_gov_next < stored_gov.size() && stored_gov[stored_gov_next].index < audit_index; ++stored_gov_next) {
    if (auto r = replay_returns_before(stored_gov[stored_gov_next].index); !r) return r;
    if (auto r = apply_stored_gov(stored_gov[stored_gov_next]); !r) return r;
  }
  return replay_returns_before(audit_index);
}

Status Relay::Impl::apply_client_states() {
  auto st = db.prepare("SELECT island, status FROM client_states WHERE status <> 'active'");
  if (!st) return err(st);
  for (;;) {
    auto row = st->step();
    if (!row) return err(row);
    if (!*row) break;
    const std::string island(st->column_text(0));
    const std::string status(st->column_text(1));
    if (auto r = status == "frozen" ? state->freeze_island(island) : state->mark_expired(island); !r) return r;
  }
  return {};
}

Status Relay::Impl::journal(Transaction&, std::string_view action, const std::string& island, std::uint64_t nonce,
                            const std::string& record, const std::string& prior_status, std::uint64_t audit_index) {
  auto st = stmt("INSERT INTO governance_journal(action, island, nonce, record, prior_status, audit_index, time_ms) "
                 "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!st) return err(st);
  Statement& q = **st;
  (void)q.bind_text(1, action);
  (void)q.bind_text(2, island);
  (void)q.bind_int64(3, i64(nonce));
  (void)q.bind_text(4, record);
  if (prior_status.empty()) (void)q.bind_null(5);
  else (void)q.bind_text(5, prior_status);
  (void)q.bind_int64(6, i64(audit_index));
  (void)q.bind_int64(7, i64(now()));
  return q.run();
}

Status Relay::Impl::store_nonce(const std::string& island) {
  const auto* rec = state->islands().find(island);
  if (rec == nullptr) return fail(Code::UnknownIsland, "island " + island + " is not registered");
  auto st = stmt("UPDATE islands SET nonce = ?1 WHERE id = ?2");
  if (!st) return err(st);
  (void)(*st)->bind_int64(1, i64(rec->nonce));
  (void)(*st)->bind_text(2, island);
  return (*st)->run();
}

namespace {

// The parts of an island spec an update changed (audit island_updated "change").
std::string spec_changes(const domain::IslandSpec& a, const domain::IslandSpec& b) {
  std::string out;
  auto add = [&](bool changed, const char* name) {
    if (!changed) return;
    if (!out.empty()) out += ",";
    out += name;
  };
  add(!(a.governance == b.governance), "governance");
  add(a.endpoint != b.endpoint, "endpoint");
  add(a.consensus_params != b.consensus_params, "params");
  add(a.codec != b.codec, "codec");
  add(!(a.finality == b.finality), "finality");
  add(a.trusting_period_s != b.trusting_period_s, "trusting_period");
  add(a.family != b.family, "family");
  add(a.allow_rpc_trusted_public != b.allow_rpc_trusted_public, "rpc_trusted");
  return out.empty() ? "none" : out;
}

Hash32 text_hash(const std::string& text) {
  return sha256(ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

}  // namespace

Status Relay::Impl::check_entry(const std::string& row, const char* table, std::uint64_t idx, std::string_view kind,
                                const EntryFields& fields) {
  auto leaves = log->leaves(idx, 1);
  if (!leaves) return err(leaves);
  if (leaves->empty() || leaves->front().index != idx)
    return row_conflict(row, table, "the log has no entry " + std::to_string(idx));
  const json e = json::parse(leaves->front().data, nullptr, false);
  const std::string got = e.is_object() && e.contains("kind") && e["kind"].is_string() ? e["kind"].get<std::string>() : "?";
  if (got != kind)
    return row_conflict(row, table, "entry " + std::to_string(idx) + " is " + got + ", not " + std::string(kind));
  for (const auto& [name, want] : fields) {
    const std::string have = e.contains(name) && e[name].is_string() ? e[name].get<std::string>() : "(none)";
    if (have != want)
      return row_conflict(row, table, "entry " + std::to_string(idx) + " (" + got + ") has " + name + " " + have +
                                          ", the row's record " + want);
  }
  return {};
}

// At start (apply_stored_gov): the audit entry at a governance_journal row's audit_index is the one its change
// appended — island.update: island_updated {island, genesis, config_hash = SHA-256 of the record, governance_record_hash
// = island_digest}; client.recover: client_recovered {island, governance_record_hash = recover_digest}; channel.close:
// channel_closed of end a at audit_index and of end b at audit_index + 1 {island, channel, counterparties,
// record_hash, reason "governance"}. Otherwise the journal and the log disagree: ERR_STORE_CONFLICT naming the row.
Status Relay::Impl::check_journal_entry(const StoredGov& g) {
  const std::string row = "governance_journal seq " + std::to_string(g.seq) + " (" + g.action + " at audit index " +
                          std::to_string(g.index) + ")";
  auto conflict = [&](const std::string& what) { return row_conflict(row, "governance_journal", what); };
  auto unreadable = [&](const std::string& what) { return conflict("its record is unreadable: " + what); };
  using Fields = EntryFields;
  auto expect = [&](std::uint64_t idx, std::string_view kind, const Fields& fields) {
    return check_entry(row, "governance_journal", idx, kind, fields);
  };
  const json j = json::parse(g.record, nullptr, false);
  if (g.action == "island.update") {
    auto rec = island_from_json(j);
    if (!rec) return unreadable(rec.error().detail);
    return expect(g.index, "island_updated",
                  Fields{{"island", rec->spec.id},
                         {"genesis", to_hex(rec->spec.genesis.view())},
                         {"config_hash", to_hex(text_hash(g.record).view())},
                         {"governance_record_hash",
                          to_hex(domain::island_digest(domain::GovAction::IslandUpdate, rec->spec, rec->nonce).view())}});
  }
  if (g.action == "client.recover") {
    auto rec = recover_from_json(j);
    if (!rec) return unreadable(rec.error().detail);
    Fields f{{"island", rec->island}};
    if (const auto* isl = state->islands().find(rec->island); isl != nullptr)  // genesis never changes
      f.emplace_back("governance_record_hash",
                     to_hex(domain::recover_digest(rec->island, isl->spec.genesis, rec->anchor, rec->nonce).view()));
    return expect(g.index, "client_recovered", f);
  }
  if (g.action == "channel.close") {
    if (!j.is_object() || !j.contains("a") || !j.contains("b")) return unreadable("expected {a, b}");
    auto a = channel_from_json(j["a"]);
    auto b = channel_from_json(j["b"]);
    if (!a || !b) return unreadable("channel record");
    const std::string record_hash = to_hex(text_hash(g.record).view());
    std::uint64_t idx = g.index;
    for (const auto* end : {&a->spec, &b->spec}) {
      if (auto s = expect(idx++, "channel_closed",
                          Fields{{"island", end->island},
                                 {"channel", end->channel},
                                 {"counterparty_island", end->counterparty_island},
                                 {"counterparty_channel", end->counterparty_channel},
                                 {"record_hash", record_hash},
                                 {"reason", "governance"}});
          !s)
        return s;
    }
    return {};
  }
  return conflict("unknown action");
}

// At start (load, before the replay): each islands row's registered_index is its registration's island_registered
// entry {island, genesis, config_hash = SHA-256 of the row's record} (register_island), and each channels row's
// opened_index is the channel_opened entry of its end {island, channel, port, counterparties, ordering, record_hash =
// SHA-256 of the pair's record} (open_channel appends end a's entry, then end b's: the pair's rows hold consecutive
// indices). Otherwise the tables and the log disagree: ERR_STORE_CONFLICT naming the row ("islands id X (…)",
// "channels X/Y (…)") and what differs.
Status Relay::Impl::check_opening_entries() {
  {
    auto st = db.prepare("SELECT id, registered_index, record FROM islands ORDER BY registered_index, id");
    if (!st) return err(st);
    for (;;) {
      auto step = st->step();
      if (!step) return err(step);
      if (!*step) break;
      const std::string id(st->column_text(0));
      const std::uint64_t idx = u64(st->column_int64(1));
      const std::string record(st->column_text(2));
      const std::string row = "islands id " + id + " (island.register at audit index " + std::to_string(idx) + ")";
      const json j = json::parse(record, nullptr, false);
      if (j.is_discarded()) return row_conflict(row, "islands", "its record is unreadable: not JSON");
      auto rec = island_from_json(j);
      if (!rec) return row_conflict(row, "islands", "its record is unreadable: " + rec.error().detail);
      if (auto c = check_entry(row, "islands", idx, "island_registered",
                               EntryFields{{"island", rec->spec.id},
                                           {"genesis", to_hex(rec->spec.genesis.view())},
                                           {"config_hash", to_hex(text_hash(record).view())}});
          !c)
        return c;
    }
  }
  auto st = db.prepare("SELECT island, channel, opened_index, record FROM channels ORDER BY opened_index, island, channel");
  if (!st) return err(st);
  for (;;) {
    auto step = st->step();
    if (!step) return err(step);
    if (!*step) break;
    const std::string island(st->column_text(0));
    const std::string channel(st->column_text(1));
    const std::uint64_t idx = u64(st->column_int64(2));
    const std::string record(st->column_text(3));
    const std::string row =
        "channels " + island + "/" + channel + " (channel.open at audit index " + std::to_string(idx) + ")";
    const json j = json::parse(record, nullptr, false);
    if (!j.is_object() || !j.contains("a") || !j.contains("b"))
      return row_conflict(row, "channels", "its record is unreadable: expected {a, b}");
    auto a = channel_from_json(j["a"]);
    auto b = channel_from_json(j["b"]);
    if (!a || !b) return row_conflict(row, "channels", "its record is unreadable: channel record");
    const domain::ChannelSpec* end = nullptr;
    for (const auto* e : {&a->spec, &b->spec})
      if (e->island == island && e->channel == channel) end = e;
    if (end == nullptr) return row_conflict(row, "channels", "its record has no end " + island + "/" + channel);
    if (auto c = check_entry(row, "channels", idx, "channel_opened",
                             EntryFields{{"island", end->island},
                                         {"channel", end->channel},
                                         {"port", end->port},
                                         {"counterparty_island", end->counterparty_island},
                                         {"counterparty_channel", end->counterparty_channel},
                                         {"counterparty_port", end->counterparty_port},
                                         {"ordering", std::string(domain::ordering_name(end->ordering))},
                                         {"record_hash", to_hex(text_hash(record).view())}});
        !c)
      return c;
  }
  return {};
}

Status Relay::Impl::update_island_tx(Transaction& tx, const domain::SignedIsland& rec, Relay::GovernanceResult& out) {
  if (const auto* held = state->islands().find(rec.spec.id); held != nullptr) {
    // The held consensus states were verified by the family plug-in of the registered family and codec: neither
    // changes. Channel ends bind the island's endpoint (A19): while one is open or halted, it stays.
    if (rec.spec.family != held->spec.family)
      return fail(Code::InvalidArgument, "an island update cannot change the family (register a new island)", "family");
    if (rec.spec.codec != held->spec.codec)
      return fail(Code::InvalidArgument, "an island update cannot change the codec (register a new island)", "codec");
    if (rec.spec.endpoint != held->spec.endpoint)
      for (const auto& [end_key, end] : state->channels().all())
        if (end_key.island == rec.spec.id && end.state != domain::ChannelState::Closed)
          return fail(Code::InvalidArgument,
                      "the endpoint cannot change while channel end " + domain::to_string(end_key) + " is " +
                          std::string(domain::channel_state_name(end.state)) + " (close it first)",
                      "endpoint");
  }
  const auto* plugin = plugin_for(rec.spec);
  if (plugin == nullptr)
    return fail(Code::UnsupportedFamily, "no family plug-in for " + std::string(domain::family_name(rec.spec.family)) +
                                             "/" + rec.spec.codec, "codec");
  const auto* cur = state->islands().find(rec.spec.id);
  const domain::IslandSpec before = cur != nullptr ? cur->spec : domain::IslandSpec{};
  {  // relay/domain's verdict on a copy of the registry first, then the plug-in's: a refusal touches nothing
    domain::IslandRegistry trial = state->islands();
    if (auto t = trial.update_island(rec); !t) return err(t);
    if (auto anchor = plugin->anchor_state(rec.spec); !anchor) return err(anchor);
  }
  auto up = state->update_island(rec);
  if (!up) return err(up);
  touched = true;
  publish_intake_view();
  const std::string record = island_to_json(rec).dump();
  auto idx = append(tx, audit::build(audit::IslandUpdated{rec.spec.id, rec.spec.genesis, text_hash(record),
                                                          spec_changes(before, rec.spec),
                                                          domain::island_digest(domain::GovAction::IslandUpdate,
                                                                                rec.spec, rec.nonce)},
                                     now()));
  if (!idx) return err(idx);
  if (auto r = journal(tx, "island.update", rec.spec.id, rec.nonce, record, "", *idx); !r) return r;
  {
    auto st = stmt("UPDATE islands SET family = ?1, codec = ?2, nonce = ?3 WHERE id = ?4");
    if (!st) return err(st);
    (void)(*st)->bind_text(1, domain::family_name(rec.spec.family));
    (void)(*st)->bind_text(2, rec.spec.codec);
    (void)(*st)->bind_int64(3, i64(up->nonce));
    (void)(*st)->bind_text(4, rec.spec.id);
    if (auto r = (*st)->run(); !r) return r;
  }
  {
    auto st = stmt("UPDATE client_states SET trusting_period_s = ?1 WHERE island = ?2");
    if (!st) return err(st);
    (void)(*st)->bind_int64(1, i64(rec.spec.trusting_period_s));
    (void)(*st)->bind_text(2, rec.spec.id);
    if (auto r = (*st)->run(); !r) return r;
  }
  out = Relay::GovernanceResult{*idx, *up};
  return {};
}

Status Relay::Impl::recover_client_tx(Transaction& tx, const domain::ClientRecoverRecord& rec,
                                      Relay::GovernanceResult& out) {
  const auto* cur = state->islands().find(rec.island);
  if (cur == nullptr) return fail(Code::UnknownIsland, "island " + rec.island + " is not registered", "island");
  // A21: nothing else marks a client expired, but the light clients refuse every bundle once the latest held
  // state is older than the trusting period (ERR_CLIENT_EXPIRED) — judged here with the same rule
  // (latest.time_ms + trusting_period_s * 1000 <= now: domain::trusting_period_passed, the one definition, also
  // behind the "expired" status the API reports), so such a client can be recovered.
  bool expire = false;
  if (cur->status == domain::ClientStatus::Active) {
    auto held = cstates.find(rec.island);
    if (held != cstates.end() && !held->second.empty() &&
        domain::trusting_period_passed(held->second.back().time_ms, cur->spec.trusting_period_s, now()))
      expire = true;
  }
  const std::string prior = expire ? std::string("expired") : std::string(domain::client_status_name(cur->status));
  const auto* plugin = plugin_for(cur->spec);
  if (plugin == nullptr)
    return fail(Code::UnsupportedFamily, "no family plug-in for " + std::string(domain::family_name(cur->spec.family)) +
                                             "/" + cur->spec.codec, "island");
  Result<ConsensusState> anchor = fail(Code::InvalidArgument, "unset");
  {  // relay/domain's verdict on a copy of the registry first, then the plug-in's: a refusal touches nothing
    domain::IslandRegistry trial = state->islands();
    if (expire)
      if (auto e = trial.mark_expired(rec.island); !e) return e;
    auto t = trial.recover_client(rec);
    if (!t) return err(t);
    anchor = plugin->anchor_state(t->spec);
    if (!anchor) return err(anchor);
    // A21: an anchor already past the trusting period at the relay's clock would leave the client expired the
    // moment it is recovered — judged by the same rule (domain::trusting_period_passed; a period of 0, Bitcoin,
    // never passes) on the state the recover would hold (time = anchor time_s · 1000).
    if (const std::uint64_t now_ms = now();
        domain::trusting_period_passed(anchor->time_ms, t->spec.trusting_period_s, now_ms))
      return fail(Code::ClientExpired,
                  "the anchor at height " + std::to_string(anchor->height) + " (time " + std::to_string(anchor->time_ms) +
                      " ms) is already past the island's trusting period of " +
                      std::to_string(t->spec.trusting_period_s) + " s at the relay's clock " + std::to_string(now_ms) +
                      " ms (time + trusting period <= now, A21): the client would be expired as soon as it is "
                      "recovered; sign a newer anchor",
                  "anchor");
  }
  if (expire) {
    touched = true;
    if (auto e = state->mark_expired(rec.island); !e) return e;
  }
  auto r = state->client_recover(rec, domain::OperatorNote{"governance", "client recover", now()});
  if (!r) return err(r);
  touched = true;
  publish_intake_view();
  const domain::IslandRecord after = *state->islands().find(rec.island);
  auto idx = append(tx, audit::build(audit::ClientRecovered{rec.island, anchor->height, anchor->hash,
                                                            domain::recover_digest(rec.island, after.spec.genesis,
                                                                                   rec.anchor, rec.nonce),
                                                            anchor->validator_set_hash},
                                     now()));
  if (!idx) return err(idx);
  // The recovered anchor is the island's only consensus state: those held before (possibly of the fork that
  // froze the client) and their Bitcoin contexts are dropped.
  for (const char* sql : {"DELETE FROM consensus_states WHERE island = ?1", "DELETE FROM bitcoin_contexts WHERE island = ?1"}) {
    auto st = stmt(sql);
    if (!st) return err(st);
    (void)(*st)->bind_text(1, rec.island);
    if (auto d = (*st)->run(); !d) return d;
  }
  cstates.erase(rec.island);
  const std::string prefix = rec.island + "/";
  for (auto it = btc_contexts.lower_bound(prefix); it != btc_contexts.end() && it->first.rfind(prefix, 0) == 0;)
    it = btc_contexts.erase(it);
  if (auto s = insert_cstate(tx, *anchor, anchor->height, false, *idx); !s) return s;
  {  // Source scanning restarts at the recovered anchor: packets sent after it that were refused while the client
     // was frozen or expired are scanned again (those already taken in are answered as known).
    auto st = stmt("UPDATE scan_progress SET height = ?1, updated_ms = ?2 WHERE island = ?3 AND height > ?1");
    if (!st) return err(st);
    (void)(*st)->bind_int64(1, i64(anchor->height));
    (void)(*st)->bind_int64(2, i64(now()));
    (void)(*st)->bind_text(3, rec.island);
    if (auto u = (*st)->run(); !u) return u;
    if (auto it = scan_heights.find(rec.island); it != scan_heights.end() && it->second > anchor->height)
      it->second = anchor->height;
    ++scan_epochs[rec.island];  // a scan planned before this recover writes nothing (Relay::set_scan_height)
  }
  {
    auto st = stmt("UPDATE client_states SET status = 'active' WHERE island = ?1");
    if (!st) return err(st);
    (void)(*st)->bind_text(1, rec.island);
    if (auto u = (*st)->run(); !u) return u;
  }
  if (auto j = journal(tx, "client.recover", rec.island, rec.nonce, recover_to_json(rec).dump(), prior, *idx); !j)
    return j;
  if (auto n = store_nonce(rec.island); !n) return n;
  out = Relay::GovernanceResult{*idx, after};
  return {};
}

Status Relay::Impl::close_channel_tx(Transaction& tx, const ChannelPair& pair, Relay::GovernanceResult& out) {
  if (auto c = state->close_channel(pair.a, pair.b); !c) return c;
  touched = true;
  const std::string record = json{{"a", channel_to_json(pair.a)}, {"b", channel_to_json(pair.b)}}.dump();
  const Hash32 record_hash = text_hash(record);
  std::optional<std::uint64_t> first;
  for (const auto* r : {&pair.a, &pair.b}) {
    const auto& s = r->spec;
    auto idx = append(tx, audit::build(audit::ChannelClosed{s.island, s.channel, s.counterparty_island,
                                                            s.counterparty_channel, record_hash, "governance"},
                                       now()));
    if (!idx) return err(idx);
    if (!first) first = *idx;
    if (auto n = store_nonce(s.island); !n) return n;
  }
  if (auto j = journal(tx, "channel.close", pair.a.spec.island, pair.a.nonce, record, "", *first); !j) return j;
  out = Relay::GovernanceResult{*first, *state->islands().find(pair.a.spec.island)};
  return {};
}

Result<Relay::GovernanceResult> Relay::update_island(const domain::SignedIsland& record) {
  Impl* raw = impl_.get();
  GovernanceResult out;
  auto s = raw->committer->run([raw, &record, &out](Database&, Transaction& tx) {
    return raw->guarded([&] { return raw->update_island_tx(tx, record, out); });
  });
  if (!s) return err(s);
  return out;
}

Result<Relay::GovernanceResult> Relay::recover_client(const domain::ClientRecoverRecord& record) {
  Impl* raw = impl_.get();
  GovernanceResult out;
  auto s = raw->committer->run([raw, &record, &out](Database&, Transaction& tx) {
    return raw->guarded([&] { return raw->recover_client_tx(tx, record, out); });
  });
  if (!s) return err(s);
  return out;
}

Result<Relay::GovernanceResult> Relay::close_channel(const ChannelPair& pair) {
  Impl* raw = impl_.get();
  GovernanceResult out;
  auto s = raw->committer->run([raw, &pair, &out](Database&, Transaction& tx) {
    return raw->guarded([&] { return raw->close_channel_tx(tx, pair, out); });
  });
  if (!s) return err(s);
  return out;
}

std::optional<domain::IslandRecord> Relay::island_record(const std::string& id) const {
  std::lock_guard lock(impl_->mu);
  const auto* r = impl_->state->islands().find(id);
  if (r == nullptr) return std::nullopt;
  return *r;
}

// ---- events for the gateway stream (issue #6 "Server", H1) ------------------------------------------------

void Relay::set_event_listener(std::function<void(const RelayEvent&)> listener) {
  std::lock_guard lock(impl_->mu);
  impl_->event_listener = std::move(listener);
}

RelayEvent RelayEvent::of(const PacketView& v) {
  RelayEvent ev;
  ev.packet_id = v.id_text;
  ev.source_island = v.id.source_island;
  ev.source_channel = v.id.source_channel;
  ev.dest_island = v.dest_island;
  ev.stage = v.stage;
  ev.commitment = to_hex(v.commitment.view());
  ev.audit_index = v.verified_index;
  return ev;
}

}  // namespace causeway::engine
