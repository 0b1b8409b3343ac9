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

#include <nlohmann/json.hpp>

#include "causeway/audit/events.hpp"
#include "causeway/audit/log.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/domain/relay_state.hpp"
#include "causeway/proofs/bundle.hpp"
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
};

struct Intake {
  std::string text;
  std::string island;
  const domain::IslandRecord* island_rec = nullptr;  // not used across threads
  std::uint64_t anchor_height = 0;
  Hash32 anchor_hash;
  BundleFacts facts;
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
  domain::CommitteeConfig committee_cfg;

  // Everything below is guarded by mu (the writer mutates it inside its changes).
  mutable std::mutex mu;
  std::unique_ptr<domain::RelayState> state;
  std::map<std::string, std::vector<ConsensusState>> cstates;  // per island, ascending height
  std::shared_ptr<const proofs::TrustList> trust;
  std::map<domain::PacketId, std::int64_t> rowid;
  std::map<domain::PacketId, std::uint64_t> verified_index;
  std::map<domain::PacketId, adapters::MemberAttestation> own_attestation;
  std::map<std::string, std::map<domain::PacketId, OutboxEntry>> outbox;
  bool dirty = false;  // in-memory state may be ahead of the database: rebuild after the batch
  bool touched = false;  // the running change has changed the in-memory state
  std::function<void(const std::string&)> outbox_listener;

  // Writer-thread statement cache.
  std::map<std::string, Statement, std::less<>> stmts;

  Impl(RelayOptions o, Database d) : opt(std::move(o)), db(std::move(d)) {}

  void note(const std::string& s) const {
    if (opt.log) opt.log(s);
    else std::fprintf(stderr, "causeway: %s\n", s.c_str());
  }
  std::uint64_t now() const { return opt.clock_ms ? opt.clock_ms() : system_ms(); }

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
      for (const auto& s : states) list->push_back(proofs::TrustedAnchor{island, s.height, s.hash, s.validator_set_hash});
    trust = std::move(list);
  }
  bool holds(const std::string& island, std::uint64_t height, const Hash32& hash) const {
    auto it = cstates.find(island);
    if (it == cstates.end()) return false;
    return std::any_of(it->second.begin(), it->second.end(),
                       [&](const ConsensusState& s) { return s.height == height && s.hash == hash; });
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
  template <class Fn>
  Status guarded(Fn fn) {
    std::lock_guard lock(mu);
    touched = false;
    Status s = fn();
    if (!s && touched) dirty = true;
    return s;
  }

  Status apply_intake(Transaction& tx, const Intake& in, PacketView& out) {
    return guarded([&] { return apply_intake_locked(tx, in, out); });
  }

  // The intake change (file comment of relay.hpp, step 2).
  Status apply_intake_locked(Transaction& tx, const Intake& in, PacketView& out) {
    if (!holds(in.island, in.anchor_height, in.anchor_hash))  // A03, in the writer's own view
      return fail(Code::UntrustedAnchor, "the bundle's anchor is not a consensus state this relay holds", "anchor");
    const auto& f = in.facts;
    auto obs = state->observe(f.packet, f.emitter);
    if (!obs) return err(obs);
    if (obs->outcome == domain::ObserveOutcome::AlreadyKnown) {
      out = view_of(obs->record, true);
      return {};
    }
    touched = true;  // from here on the in-memory state is ahead until this change commits
    const domain::PacketId id = obs->record.id;
    if (f.advanced && !holds(f.advanced->island, f.advanced->height, f.advanced->hash))
      if (auto s = insert_cstate(tx, *f.advanced, f.anchor_height + 1, true); !s) return s;
    auto v = append(tx, audit::build(audit::PacketVerified{f.commitment, f.packet.source_island,
                                                           f.packet.source_genesis, f.packet.source_channel,
                                                           f.packet.sequence, f.packet.dest_island,
                                                           f.packet.dest_genesis, f.height, f.header_hash, in.text},
                                     now()));
    if (!v) return err(v);
    auto proven = state->prove(id, domain::EvProven{f.commitment, f.height, f.header_hash, *v, f.header_time_ms});
    if (!proven) return err(proven);
    const std::uint64_t t = now();
    {
      auto st = stmt("INSERT INTO packets(source_island, source_genesis, source_channel, sequence, commitment, "
                     "dest_island, dest_genesis, dest_channel, packet, stage, source_height, source_block, "
                     "source_time_ms, verified_index, created_ms, updated_ms) "
                     "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15)");
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
      (void)s.bind_text(10, domain::stage_name(proven->record.stage));
      (void)s.bind_int64(11, i64(f.height));
      (void)s.bind_blob(12, f.header_hash.view());
      (void)s.bind_int64(13, i64(f.header_time_ms));
      (void)s.bind_int64(14, i64(*v));
      (void)s.bind_int64(15, i64(t));
      if (auto r = s.run(); !r) return r;
      rowid[id] = sqlite3_last_insert_rowid(db.handle());
      verified_index[id] = *v;
    }
    // This relay's attestation over its own packet_verified index (PACKET.md "Attestations").
    auto subject = subject_of(f.packet, f.commitment);
    if (!subject) return err(subject);
    auto sig = domain::sign_attestation(*subject, *v, key);
    if (!sig) return err(sig);
    auto a = append(tx, audit::build(audit::PacketAttested{f.commitment, f.packet.dest_island, *v,
                                                           Bytes(self.begin(), self.end()),
                                                           domain::attestation_digest(*subject, *v), sig->signature},
                                     t));
    if (!a) return err(a);
    {
      auto st = stmt("INSERT INTO attestations(packet, member, audit_index, signature) VALUES(?1, ?2, ?3, ?4)");
      if (!st) return err(st);
      (void)(*st)->bind_int64(1, rowid.at(id));
      (void)(*st)->bind_blob(2, ByteView(self.data(), self.size()));
      (void)(*st)->bind_int64(3, i64(*v));
      (void)(*st)->bind_blob(4, sig->signature);
      if (auto r = (*st)->run(); !r) return r;
      own_attestation[id] = adapters::MemberAttestation{self, *v, sig->signature};
    }
    domain::PacketRecord rec = proven->record;
    const std::vector<domain::MemberSignature> sigs{*sig};
    auto quorum = domain::tally_attestations(state->committee(), *subject, sigs);
    if (!quorum) return err(quorum);
    if (quorum->met()) {
      auto attested = state->attest(id, *quorum, latest_dest(f.packet.dest_island));
      if (attested) {
        rec = attested->record;
        auto st = stmt("UPDATE packets SET stage = 'attested', attested_index = ?1 WHERE id = ?2");
        if (!st) return err(st);
        (void)(*st)->bind_int64(1, i64(*a));
        (void)(*st)->bind_int64(2, rowid.at(id));
        if (auto r = (*st)->run(); !r) return r;
        auto ob = stmt("INSERT INTO outbox(packet, dest_island, state) VALUES(?1, ?2, 'pending')");
        if (!ob) return err(ob);
        (void)(*ob)->bind_int64(1, rowid.at(id));
        (void)(*ob)->bind_text(2, f.packet.dest_island);
        if (auto r = (*ob)->run(); !r) return r;
        outbox[f.packet.dest_island][id] = OutboxEntry{rowid.at(id), "pending", 0, 0, {}};
      } else {
        note("packet " + domain::to_string(id) + " stays proven: " + attested.error().detail);
      }
    }
    out = view_of(rec, false);
    return {};
  }

  // ---- start-up: rebuild everything from the database ------------------------------------------------

  Status load() {
    auto committee = domain::Committee::from_config(committee_cfg);
    if (!committee) return err(committee);
    state = std::make_unique<domain::RelayState>(*committee);
    cstates.clear();
    rowid.clear();
    verified_index.clear();
    own_attestation.clear();
    outbox.clear();
    stmts.clear();
    {
      auto st = db.prepare("SELECT record FROM islands ORDER BY registered_index");
      if (!st) return err(st);
      for (;;) {
        auto row = st->step();
        if (!row) return err(row);
        if (!*row) break;
        auto rec = island_from_json(json::parse(st->column_text(0)));
        if (!rec) return err(rec);
        if (auto r = state->register_island(*rec); !r) return err(r);
      }
    }
    {
      auto st = db.prepare("SELECT island, record FROM channels ORDER BY opened_index");
      if (!st) return err(st);
      std::set<std::string> done;
      for (;;) {
        auto row = st->step();
        if (!row) return err(row);
        if (!*row) break;
        const std::string record(st->column_text(1));
        if (!done.insert(record).second) continue;
        const json j = json::parse(record);
        auto a = channel_from_json(j.at("a"));
        auto b = channel_from_json(j.at("b"));
        if (!a || !b) return fail(Code::StoreConflict, "stored channel record unreadable");
        if (auto r = state->open_channel(*a, *b); !r) return err(r);
      }
    }
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
    {
      auto st = db.prepare(
          "SELECT p.id, p.packet, p.stage, p.source_height, p.source_block, p.source_time_ms, p.verified_index, "
          "a.member, a.audit_index, a.signature, o.state, o.attempts, o.next_attempt_ms, o.submitted_tx, "
          "d.ack_commitment, d.dest_height "
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
        verified_index[id] = u64(st->column_int64(6));
        const std::string stage(st->column_text(2));
        if (!st->column_is_null(7)) {
          domain::MemberSignature ms{self, u64(st->column_int64(8)), bytes_col(*st, 9)};
          own_attestation[id] = adapters::MemberAttestation{self, ms.audit_index, ms.signature};
          if (stage != "proven") {
            auto subject = subject_of(*p, c);
            if (!subject) return err(subject);
            const std::vector<domain::MemberSignature> sigs{ms};
            auto quorum = domain::tally_attestations(state->committee(), *subject, sigs);
            if (!quorum) return err(quorum);
            if (auto r = state->attest(id, *quorum, domain::DestView{}); !r) return err(r);
          }
        }
        if (!st->column_is_null(14)) {
          if (auto r = state->deliver(id, domain::EvDelivered{c, hash_col(*st, 14), u64(st->column_int64(15))}); !r)
            return err(r);
        }
        if (!st->column_is_null(10)) {
          OutboxEntry e{st->column_int64(0), std::string(st->column_text(10)),
                        static_cast<std::uint32_t>(st->column_int64(11)), u64(st->column_int64(12)),
                        st->column_is_null(13) ? Bytes{} : bytes_col(*st, 13)};
          if (e.state != "delivered") outbox[p->dest_island][id] = std::move(e);
        }
      }
    }
    dirty = false;
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
        if (!(rec->spec == isl.spec))
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
  if (text.size() > kMaxBundleBytes) {
    done(fail(Code::TooLarge, "bundle over " + std::to_string(kMaxBundleBytes) + " bytes"));
    return;
  }
  std::shared_ptr<const proofs::TrustList> trust;
  {
    std::lock_guard lock(I.mu);
    trust = I.trust;
  }
  const std::uint64_t now_ms = I.now();
  const auto now_s = static_cast<std::int64_t>(now_ms / 1000);
  auto verdict = proofs::verify_bundle(text, trust.get(), now_s);
  if (verdict.exit_code != 0) {
    done(tl::unexpected<Error>(verdict.error.value_or(Error{Code::BundleParse, "bundle rejected", ""})));
    return;
  }
  auto intake = std::make_shared<Intake>();
  try {
    const json doc = json::parse(text);
    const json result = json::parse(verdict.output_json);
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
    domain::IslandSpec spec;
    {
      std::lock_guard lock(I.mu);
      const auto* rec = I.state->islands().find(intake->island);
      if (rec == nullptr) {
        done(fail(Code::UnknownIsland, "island " + intake->island + " is not registered", "island"));
        return;
      }
      spec = rec->spec;
    }
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
    intake->facts = std::move(*facts);
  } catch (const std::exception& e) {
    done(fail(Code::BundleParse, std::string("unreadable bundle: ") + e.what()));
    return;
  }
  intake->text = std::move(text);
  auto out = std::make_shared<PacketView>();
  Impl* raw = impl_.get();
  I.committer->submit_async(
      [raw, intake, out](Database&, Transaction& tx) { return raw->apply_intake(tx, *intake, *out); },
      [raw, out, done = std::move(done)](Status s) {
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
    d.delivery.dest_island = rec->packet.dest_island;
    if (const auto* end = I.state->channels().find(domain::ChannelKey{rec->packet.dest_island, rec->packet.dest_channel})) {
      d.delivery.dest_endpoint = end->spec.endpoint;
      d.ordered = end->spec.ordering == domain::Ordering::Ordered;
    }
    d.delivery.packet_bytes = packet::encode_packet(rec->packet);
    d.delivery.commitment = rec->commitment;
    d.delivery.sequence = rec->packet.sequence;
    if (auto a = I.own_attestation.find(id); a != I.own_attestation.end()) d.delivery.attestations.push_back(a->second);
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
  return raw->committer->submit([raw, id, status, by_us](Database&, Transaction& tx) -> Status {
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
    return {};
    });
  });
}

std::future<Status> Relay::record_submitted_async(const domain::PacketId& id, const Bytes& tx_id) {
  Impl* raw = impl_.get();
  return raw->committer->submit([raw, id, tx_id](Database&, Transaction&) -> Status {
    std::lock_guard lock(raw->mu);
    const auto* rec = raw->state->find(id);
    if (rec == nullptr) return fail(Code::UnknownPacket, domain::to_string(id));
    auto st = raw->stmt("UPDATE outbox SET state = 'submitted', attempts = attempts + 1, submitted_tx = ?1 "
                        "WHERE packet = ?2");
    if (!st) return err(st);
    (void)(*st)->bind_blob(1, tx_id);
    (void)(*st)->bind_int64(2, raw->rowid.at(id));
    if (auto r = (*st)->run(); !r) return r;
    auto& e = raw->outbox[rec->packet.dest_island][id];
    e.state = "submitted";
    e.attempts += 1;
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

}  // namespace causeway::engine
