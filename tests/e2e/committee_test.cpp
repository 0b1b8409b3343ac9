// The relay committee with k > 1 (issue #7 "A relay committee"; PACKET.md "Attestations"; attack cases A05, A27,
// A30): two in-process relays, each holding ONE key of a 2-of-2 committee, serve GET /v1/attestations/{id} on
// loopback ports and gather each other's attestations with a PeerFetcher. Bundles are real (causeway-devnet/v1
// blocks signed by 4 validators, relay/app/src/relay_workload.cpp).
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "causeway/core/hex.hpp"
#include "causeway/domain/committee.hpp"
#include "causeway/engine/lifecycle.hpp"
#include "causeway/engine/peers.hpp"
#include "causeway/engine/relay.hpp"
#include "causeway/engine/supervisor.hpp"
#include "causeway/gateway/attestation_routes.hpp"
#include "causeway/gateway/server.hpp"
#include "causeway/store/sqlite.hpp"
#include "relay_workload.hpp"

using namespace causeway;
using nlohmann::json;

namespace {

const std::string kDst = "cwdevnet:cw-dst";

std::uint64_t wall_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

std::string fresh_dir(const std::string& name) {
  const auto d = std::filesystem::temp_directory_path() / ("causeway-committee-" + std::to_string(::getpid())) / name;
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d.string();
}

secp256k1::SecretKey key_of(std::uint8_t fill) {
  Bytes raw(32, fill);
  return secp256k1::parse_secret_key(raw).value();
}
domain::Address address_of(const secp256k1::SecretKey& k) { return secp256k1::eth_address(secp256k1::public_key_of(k)); }

std::string write_key(const std::string& dir, std::uint8_t fill) {
  const std::string path = dir + "/member.key";
  std::ofstream(path) << to_hex_bare(Bytes(32, fill)) << "\n";
  ::chmod(path.c_str(), 0600);
  return path;
}

// A member of a 2-of-2 committee (keys 0x11…, 0x22…).
std::unique_ptr<engine::Relay> open_member(const std::string& dir, const app::Workload& w, std::uint8_t fill,
                                           std::vector<domain::Address> members, std::uint32_t k = 2) {
  engine::RelayOptions o;
  o.data_dir = dir + "/data";
  o.config = w.config;
  o.config.committee.threshold = k;
  o.config.committee.members = std::move(members);
  o.config.committee.key_file = write_key(dir, fill);
  o.commit.max_wait = std::chrono::microseconds(200);
  o.log = [](const std::string&) {};
  auto r = engine::Relay::open(o);
  if (!r) FAIL(std::string(code_name(r.error().code)) + ": " + r.error().detail + " at " + r.error().at);
  return std::move(*r);
}

std::vector<domain::PacketId> submit_all(engine::Relay& relay, const app::Workload& w) {
  std::vector<domain::PacketId> ids;
  for (const auto& b : w.bundles) {
    auto r = relay.submit_bundle(b.bundle);
    if (!r) FAIL(std::string(code_name(r.error().code)) + ": " + r.error().detail);
    REQUIRE(r->stage == "proven");  // k = 2: one member's signature is not enough
    ids.push_back(r->id);
  }
  return ids;
}

std::int64_t count(const std::string& db_path, const std::string& sql) {
  auto db = store::Database::open(db_path);
  REQUIRE(db.has_value());
  auto st = db->prepare(sql);
  REQUIRE(st.has_value());
  REQUIRE(st->step().value());
  return st->column_int64(0);
}

// A destination the tests control: refuses a replay (its receipt decides) and a delivery with fewer than k
// attestations (as recvPacket does).
class Destination final : public adapters::ChainAdapter {
 public:
  explicit Destination(std::string island) : island_(std::move(island)) {}
  std::string island() const override { return island_; }
  Result<std::string> follow_headers(std::uint64_t, std::size_t) override { return std::string("[]"); }
  Result<std::string> fetch_proof(const Hash32&, std::uint64_t, std::uint64_t) override {
    return fail(Code::Unsupported, "test destination");
  }
  Result<adapters::Submitted> submit_delivery(const adapters::Delivery& d) override {
    std::lock_guard lock(mu);
    ++submits;
    std::set<domain::Address> distinct;
    for (const auto& a : d.attestations) distinct.insert(a.member);
    if (distinct.size() < 2) return fail(Code::InsufficientQuorum, "fewer than k = 2 attestations");
    if (received.count(d.commitment.b)) return fail(Code::PacketReplayed, "already received");
    Bytes tx(d.commitment.b.begin(), d.commitment.b.begin() + 8);
    received[d.commitment.b] = tx;
    return adapters::Submitted{tx};
  }
  Result<adapters::DeliveryStatus> lookup_delivery(const Hash32& c, ByteView) override {
    std::lock_guard lock(mu);
    adapters::DeliveryStatus s;
    auto it = received.find(c.b);
    if (it == received.end()) return s;
    s.received = true;
    s.ack_commitment = c;
    s.height = 9;
    s.tx = it->second;
    return s;
  }
  Result<std::uint64_t> latest_height() override {
    if (tip == 0) return fail(Code::Unsupported, "test destination");
    return tip;
  }
  std::mutex mu;
  std::string island_;
  std::map<std::array<std::uint8_t, 32>, Bytes> received;
  int submits = 0;
  std::uint64_t tip = 0;  // latest_height (0 = unsupported)
};

struct Served {
  std::unique_ptr<gateway::Server> server;
  std::string url;
};
Served serve_attestations(engine::Relay& relay) {
  gateway::ServerOptions so;
  so.port = 0;
  Served s{std::make_unique<gateway::Server>(so), ""};
  gateway::add_attestation_routes(*s.server, relay);
  auto port = s.server->start();
  REQUIRE(port.has_value());
  s.url = "http://127.0.0.1:" + std::to_string(*port);
  return s;
}

std::unique_ptr<engine::PeerFetcher> fetcher(engine::Relay& relay, std::vector<std::string> peers) {
  engine::PeerOptions po;
  po.peers = std::move(peers);
  auto f = engine::PeerFetcher::create(relay, po);
  REQUIRE(f.has_value());
  (*f)->set_log([](const std::string&) {});
  return std::move(*f);
}

// The attestation subject of a packet (PACKET.md): the destination's island, genesis and endpoint.
domain::AttestationSubject subject_of(const app::Workload& w, const Hash32& commitment) {
  domain::AttestationSubject s;
  s.island = kDst;
  for (const auto& isl : w.config.islands)
    if (isl.spec.id == kDst) s.genesis = isl.spec.genesis;
  for (const auto& p : w.config.channels)
    for (const auto* r : {&p.a, &p.b})
      if (r->spec.island == kDst) s.endpoint = r->spec.endpoint;
  s.commitment = commitment;
  return s;
}

bool wait_for(const std::function<bool()>& done) {
  for (int i = 0; i < 600; ++i) {  // up to 30 s: a bound on a hang, not a speed assertion
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

}  // namespace

TEST_CASE("committee: parse_packet_id is the inverse of to_string and refuses malformed ids") {
  domain::PacketId id{"cwdevnet:cw-src", Hash32{}, "channel-0", 18446744073709551615ULL};
  id.source_genesis.b[31] = 7;
  auto back = engine::parse_packet_id(domain::to_string(id));
  REQUIRE(back.has_value());
  CHECK(*back == id);
  for (const char* bad : {"", "a/b/c", "cwdevnet:cw-src/0x00/channel-0/1", "cwdevnet:cw-src/" 
                          "0x0000000000000000000000000000000000000000000000000000000000000000/channel-0/01",
                          "cwdevnet:cw-src/0x0000000000000000000000000000000000000000000000000000000000000000/channel-0/"
                          "18446744073709551616",
                          "cwdevnet:cw-src/0x0000000000000000000000000000000000000000000000000000000000000000/c/h/1"}) {
    auto r = engine::parse_packet_id(bad);
    CHECK_FALSE(r.has_value());
    if (!r) CHECK(r.error().code == Code::InvalidArgument);
  }
}

TEST_CASE("committee 2-of-2: one member alone cannot deliver; with its peer's attestation every packet is attested") {
  const auto w = app::make_relay_workload(6, 3, wall_ms());
  const auto ka = key_of(0x11), kb = key_of(0x22);
  const std::vector<domain::Address> members{address_of(ka), address_of(kb)};
  const auto da = fresh_dir("alone-a"), db = fresh_dir("alone-b");
  auto a = open_member(da, w, 0x11, members);
  auto b = open_member(db, w, 0x22, members);
  CHECK(a->committee_threshold() == 2);
  submit_all(*a, w);
  submit_all(*b, w);
  // Alone: every packet stays proven, nothing is due for delivery.
  CHECK(a->awaiting_attestations(100).size() == 6);
  CHECK(a->due_deliveries(kDst, 100).empty());
  // The peer's route serves B's own attestation over B's own audit index.
  auto sb = serve_attestations(*b);
  auto fa = fetcher(*a, {sb.url});
  CHECK(fa->poll_once() == 6);
  CHECK(fa->stats().accepted == 6);
  CHECK(fa->stats().refused == 0);
  CHECK(a->awaiting_attestations(100).empty());
  const auto due = a->due_deliveries(kDst, 100);
  REQUIRE(due.size() == 6);
  for (const auto& d : due) {
    auto va = a->find(d.id), vb = b->find(d.id);
    REQUIRE(va.has_value());
    REQUIRE(vb.has_value());
    CHECK(va->stage == "attested");
    CHECK(vb->stage == "proven");  // B has not fetched A's yet
    REQUIRE(d.delivery.attestations.size() == 2);  // the delivery carries all k signatures
    CHECK(d.delivery.attestations[0].member == members[0]);
    CHECK(d.delivery.attestations[1].member == members[1]);
    CHECK(d.delivery.attestations[1].audit_index == vb->verified_index);  // the PEER's own index
    // Both recover over PACKET.md's digest with their own index: the domain tally meets k.
    std::vector<domain::MemberSignature> sigs;
    for (const auto& x : d.delivery.attestations) sigs.push_back({x.member, x.audit_index, x.signature});
    auto committee = domain::Committee::from_config(
        domain::CommitteeConfig{2, {{members[0], ""}, {members[1], ""}}, members[0], false});
    REQUIRE(committee.has_value());
    auto q = domain::tally_attestations(*committee, subject_of(w, d.delivery.commitment), sigs);
    REQUIRE(q.has_value());
    CHECK(q->met());
  }
  // A second round asks nothing new (already counted) and changes nothing.
  CHECK(fa->poll_once() == 0);
  a->stop();
  b->stop();
  sb.server->stop();
  const std::string dba = da + "/data/causeway.db";
  CHECK(count(dba, "SELECT count(*) FROM attestations") == 12);
  CHECK(count(dba, "SELECT count(*) FROM packets WHERE stage = 'attested' AND attested_index IS NOT NULL") == 6);
  CHECK(count(dba, "SELECT count(*) FROM outbox WHERE state = 'pending'") == 6);
  // Each peer attestation is in the audit log as packet_attested with the peer as member.
  CHECK(count(dba, "SELECT count(*) FROM audit_leaves WHERE kind = 'packet_attested'") == 12);
}

TEST_CASE("committee 2-of-2 A27/A30: both members deliver, every packet is received exactly once") {
  const auto w = app::make_relay_workload(12, 4, wall_ms());
  const auto ka = key_of(0x11), kb = key_of(0x22);
  const std::vector<domain::Address> members{address_of(ka), address_of(kb)};
  const auto da = fresh_dir("both-a"), db = fresh_dir("both-b");
  auto a = open_member(da, w, 0x11, members);
  auto b = open_member(db, w, 0x22, members);
  const auto ids = submit_all(*a, w);
  submit_all(*b, w);
  REQUIRE(ids.size() == 12);
  auto dest = std::make_shared<Destination>(kDst);
  engine::Supervisor::Options so;
  engine::Supervisor sa(*a, so), sb(*b, so);
  sa.add_adapter(dest);
  sb.add_adapter(dest);
  sa.start();
  sb.start();
  auto wa = serve_attestations(*a), wb = serve_attestations(*b);
  auto fa = fetcher(*a, {wb.url}), fb = fetcher(*b, {wa.url});
  fa->start();
  fb->start();
  auto all_delivered = [&](engine::Relay& r) {
    for (const auto& id : ids) {
      auto v = r.find(id);
      if (!v || v->stage != "delivered") return false;
    }
    return true;
  };
  REQUIRE(wait_for([&] { return all_delivered(*a) && all_delivered(*b); }));
  fa->stop();
  fb->stop();
  sa.stop();
  sb.stop();
  wa.server->stop();
  wb.server->stop();
  a->stop();
  b->stop();
  {
    std::lock_guard lock(dest->mu);
    CHECK(dest->received.size() == 12);
  }
  const std::string dba = da + "/data/causeway.db", dbb = db + "/data/causeway.db";
  CHECK(count(dba, "SELECT count(*) FROM deliveries") == 12);
  CHECK(count(dbb, "SELECT count(*) FROM deliveries") == 12);
  // The destination's receipt decided: each packet was delivered by exactly one member (by_us on one side).
  CHECK(count(dba, "SELECT count(*) FROM deliveries WHERE by_us = 1") +
            count(dbb, "SELECT count(*) FROM deliveries WHERE by_us = 1") ==
        12);
  CHECK(count(dba, "SELECT count(*) FROM packets WHERE stage = 'delivered'") == 12);
  CHECK(count(dbb, "SELECT count(*) FROM packets WHERE stage = 'delivered'") == 12);
}

TEST_CASE("A05 a lying peer: forged, non-member, wrong-index and other-commitment attestations do not count") {
  const auto w = app::make_relay_workload(3, 3, wall_ms());
  const auto ka = key_of(0x11), kb = key_of(0x22), kc = key_of(0x33);
  const std::vector<domain::Address> members{address_of(ka), address_of(kb)};
  const auto da = fresh_dir("liar-a"), db = fresh_dir("liar-b");
  auto a = open_member(da, w, 0x11, members);
  auto b = open_member(db, w, 0x22, members);
  submit_all(*a, w);
  submit_all(*b, w);
  const auto ids = a->awaiting_attestations(10);
  REQUIRE(ids.size() == 3);
  const auto id = ids[0];
  const auto vb = b->find(id).value();
  const auto subject = subject_of(w, vb.commitment);
  const auto genuine = vb.attestation.value();

  struct Lie {
    const char* name;
    adapters::MemberAttestation att;
    std::string commitment_hex;
    Code code;
  };
  std::vector<Lie> lies;
  {  // forged: B's address, signed by a non-member key over the right digest
    auto s = domain::sign_attestation(subject, genuine.audit_index, kc).value();
    lies.push_back({"forged", {members[1], genuine.audit_index, s.signature}, to_hex(vb.commitment.view()),
                    Code::SigInvalid});
  }
  {  // non-member: a correct signature by a key that is not in the committee (A05)
    auto s = domain::sign_attestation(subject, genuine.audit_index, kc).value();
    lies.push_back({"non-member", {address_of(kc), genuine.audit_index, s.signature}, to_hex(vb.commitment.view()),
                    Code::NotValidator});
  }
  {  // wrong index: B's genuine signature served with another audit index
    lies.push_back({"wrong-index", {members[1], genuine.audit_index + 1, genuine.signature},
                    to_hex(vb.commitment.view()), Code::SigInvalid});
  }
  {  // another commitment for the same packet id
    Hash32 other = vb.commitment;
    other.b[0] ^= 1;
    lies.push_back({"other-commitment", genuine, to_hex(other.view()), Code::CommitmentConflict});
  }
  for (const auto& lie : lies) {
    SECTION(lie.name) {
      // Directly: the relay's own check refuses it with the exact code (the commitment case is the fetcher's).
      if (lie.code != Code::CommitmentConflict) {
        auto r = a->add_member_attestation(id, lie.att);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code == lie.code);
      }
      // Over HTTP from a lying peer: refused and not counted.
      gateway::ServerOptions so;
      so.port = 0;
      gateway::Server liar(so);
      const json body = {{"packet_id", domain::to_string(id)},
                         {"commitment", lie.commitment_hex},
                         {"member", to_hex(ByteView(lie.att.member.data(), lie.att.member.size()))},
                         {"audit_index", lie.att.audit_index},
                         {"signature", to_hex(lie.att.signature)}};
      const std::string wanted = "/v1/attestations/" + domain::to_string(id);
      liar.route("GET", "/v1/attestations/", [body, wanted](const gateway::Request& req, gateway::Respond respond) {
        if (req.target != wanted) {
          respond(gateway::error_response(404, "ERR_UNKNOWN_PACKET", "unknown"));
          return;
        }
        respond(gateway::Response{200, body.dump(), "application/json"});
      });
      auto port = liar.start();
      REQUIRE(port.has_value());
      auto f = fetcher(*a, {"http://127.0.0.1:" + std::to_string(*port)});
      std::vector<std::string> logged;
      f->set_log([&logged](const std::string& s) { logged.push_back(s); });
      CHECK(f->poll_once() == 0);
      CHECK(f->stats().refused == 1);
      CHECK(f->stats().not_found == 2);
      REQUIRE(logged.size() == 1);
      CHECK(logged[0].find(std::string(code_name(lie.code))) != std::string::npos);
      liar.stop();
      CHECK(a->find(id)->stage == "proven");
      CHECK(a->attestations_of(id).size() == 1);  // only its own
      CHECK(a->due_deliveries(kDst, 10).empty());
    }
  }
  // The genuine one still counts afterwards.
  auto ok = a->add_member_attestation(id, genuine);
  REQUIRE(ok.has_value());
  CHECK(ok->stage == "attested");
  // Idempotent: the same member again writes nothing.
  auto again = a->add_member_attestation(id, genuine);
  REQUIRE(again.has_value());
  CHECK(again->existing);
  CHECK(a->attestations_of(id).size() == 2);
}

TEST_CASE("A05 replay: stored peer attestations are re-checked at start; a removed member's no longer count") {
  const auto w = app::make_relay_workload(3, 3, wall_ms());
  const auto ka = key_of(0x11), kb = key_of(0x22), kc = key_of(0x33), kd = key_of(0x44);
  const std::vector<domain::Address> members{address_of(ka), address_of(kb)};
  const auto da = fresh_dir("replay-a"), db = fresh_dir("replay-b");
  {
    auto a = open_member(da, w, 0x11, members);
    auto b = open_member(db, w, 0x22, members);
    submit_all(*a, w);
    submit_all(*b, w);
    auto sb = serve_attestations(*b);
    auto fa = fetcher(*a, {sb.url});
    CHECK(fa->poll_once() == 3);
    sb.server->stop();
  }
  {  // same committee: replayed as attested, deliveries carry both signatures
    auto a = open_member(da, w, 0x11, members);
    const auto due = a->due_deliveries(kDst, 10);
    REQUIRE(due.size() == 3);
    for (const auto& d : due) CHECK(d.delivery.attestations.size() == 2);
    CHECK(a->awaiting_attestations(10).empty());
  }
  {  // B removed (committee A, C, D with k = 3): B's stored signatures no longer count — held as proven
    std::vector<domain::Address> next{address_of(ka), address_of(kc), address_of(kd)};
    std::sort(next.begin(), next.end());
    auto a = open_member(da, w, 0x11, next, 3);
    CHECK(a->due_deliveries(kDst, 10).empty());
    CHECK(a->awaiting_attestations(10).size() == 3);
    for (const auto& id : a->awaiting_attestations(10)) CHECK(a->find(id)->stage == "proven");
    // B's attestation offered again is refused: not a current member.
    auto r = a->add_member_attestation(a->awaiting_attestations(10)[0], a->attestations_of(a->awaiting_attestations(10)[0])[1]);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Code::NotValidator);
  }
}

TEST_CASE("committee: an unreachable peer is skipped for the round; the reachable one still completes k") {
  const auto w = app::make_relay_workload(4, 4, wall_ms());
  const auto ka = key_of(0x11), kb = key_of(0x22);
  const std::vector<domain::Address> members{address_of(ka), address_of(kb)};
  const auto da = fresh_dir("down-a"), db = fresh_dir("down-b");
  auto a = open_member(da, w, 0x11, members);
  auto b = open_member(db, w, 0x22, members);
  submit_all(*a, w);
  submit_all(*b, w);
  auto sb = serve_attestations(*b);
  // A port nothing listens on: take one from a server and stop it.
  std::string dead;
  {
    auto tmp = serve_attestations(*b);
    dead = tmp.url;
    tmp.server->stop();
  }
  auto fa = fetcher(*a, {dead, sb.url});
  CHECK(fa->poll_once() == 4);
  CHECK(fa->stats().errors == 1);   // asked once, then skipped for the round
  CHECK(fa->stats().accepted == 4);
  CHECK(fa->stats().requests == 5);
  CHECK(a->awaiting_attestations(10).empty());
  CHECK(a->due_deliveries(kDst, 10).size() == 4);
}

TEST_CASE("A05 replay: a packet delivered under an earlier committee is replayed as delivered, whatever today's committee") {
  // Packets with a timeout: a delivered packet replayed as proven would become a timeout candidate forever.
  const auto w = app::make_relay_workload(2, 2, wall_ms(), false, [](packet::Packet& p) { p.timeout_height = 1000; });
  const auto ka = key_of(0x11), kb = key_of(0x22), kc = key_of(0x33), kd = key_of(0x44);
  const std::vector<domain::Address> members{address_of(ka), address_of(kb)};
  const auto da = fresh_dir("replay-delivered-a"), db = fresh_dir("replay-delivered-b");
  std::vector<domain::PacketId> ids;
  {
    auto a = open_member(da, w, 0x11, members);
    auto b = open_member(db, w, 0x22, members);
    ids = submit_all(*a, w);
    submit_all(*b, w);
    auto sb = serve_attestations(*b);
    auto fa = fetcher(*a, {sb.url});
    CHECK(fa->poll_once() == 2);
    sb.server->stop();
    // The destination's receipt of packet 0 is recorded; packet 1 stays attested (not delivered yet).
    adapters::DeliveryStatus s;
    s.received = true;
    s.ack_commitment = a->find(ids[0])->commitment;
    s.height = 9;
    s.tx = Bytes{0xaa};
    REQUIRE(a->record_delivered(ids[0], s, true).has_value());
    CHECK(a->find(ids[0])->stage == "delivered");
    CHECK(a->find(ids[1])->stage == "attested");
  }
  {  // B removed (A, C, D with k = 3): the recorded delivery is history and replays as delivered
    std::vector<domain::Address> next{address_of(ka), address_of(kc), address_of(kd)};
    std::sort(next.begin(), next.end());
    auto a = open_member(da, w, 0x11, next, 3);
    CHECK(a->find(ids[0])->stage == "delivered");
    CHECK(a->find(ids[1])->stage == "proven");  // attested, not delivered: new work needs today's k (A05)
    const auto tc = a->timeout_candidates(kDst, 10);
    REQUIRE(tc.size() == 1);
    CHECK(tc[0].id == ids[1]);
    const auto aw = a->awaiting_attestations(10);
    REQUIRE(aw.size() == 1);
    CHECK(aw[0] == ids[1]);
    CHECK(a->due_deliveries(kDst, 10).empty());
  }
  {  // the earlier committee again: both as recorded
    auto a = open_member(da, w, 0x11, members);
    CHECK(a->find(ids[0])->stage == "delivered");
    CHECK(a->find(ids[1])->stage == "attested");
  }
  CHECK(count(da + "/data/causeway.db", "SELECT count(*) FROM deliveries") == 1);
}

TEST_CASE("A27 a packet another member delivered while this relay held it proven: the timeout step records the "
          "delivery (no timeout candidate forever), and it replays as delivered") {
  const auto w = app::make_relay_workload(2, 2, wall_ms(), false, [](packet::Packet& p) { p.timeout_height = 1000; });
  const auto ka = key_of(0x11), kb = key_of(0x22);
  const std::vector<domain::Address> members{address_of(ka), address_of(kb)};
  const auto da = fresh_dir("others-delivered-a");
  std::vector<domain::PacketId> ids;
  auto dest = std::make_shared<Destination>(kDst);
  dest->tip = 2000;  // past the packets' timeout height: both look timed out to the node
  {
    auto a = open_member(da, w, 0x11, members);
    ids = submit_all(*a, w);  // A alone: proven (its own signature only)
    const Hash32 c0 = a->find(ids[0])->commitment;
    dest->received[c0.b] = Bytes{0xbb};  // member B delivered packet 0 with both signatures
    engine::Lifecycle::Options lo;
    lo.log = [](const std::string&) {};
    engine::Lifecycle lc(*a, lo);
    CHECK(lc.judge_timeouts(*dest) == 1);  // packet 0 reconciled; packet 1 has no evidence (test destination)
    CHECK(a->find(ids[0])->stage == "delivered");
    CHECK(a->find(ids[1])->stage == "proven");
    const auto tc = a->timeout_candidates(kDst, 10);
    REQUIRE(tc.size() == 1);
    CHECK(tc[0].id == ids[1]);
  }
  {  // restart, same committee: still delivered although this relay never held k signatures for it
    auto a = open_member(da, w, 0x11, members);
    CHECK(a->find(ids[0])->stage == "delivered");
    CHECK(a->timeout_candidates(kDst, 10).size() == 1);
  }
  CHECK(count(da + "/data/causeway.db", "SELECT count(*) FROM deliveries WHERE by_us = 0") == 1);
}
