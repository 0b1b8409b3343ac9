// Bitcoin deposits taken in by a real engine::Relay (PACKET.md "Bitcoin deposits"; docs/relay-core.md "Bitcoin
// islands"; docs/islands/bitcoin.md). A regtest Bitcoin island (anchored at the regtest genesis, 6 confirmations,
// deposit script P2WPKH(0xd0…), one governance-signed route to cwdevnet:cw-dst/transfer/channel-1 in its
// consensus_params) and the causeway-devnet/v1 destination of app::TransferChains, joined by the unordered channel
// bip122:…/deposit ↔ cw-dst/channel-1; "sat" registered on the Bitcoin island. Deposits are mined into a synthetic
// regtest chain (tests/unit/proofs/bundle_support.hpp RegtestChain), proven by SPV bundles (regtest_bundle) and
// submitted through POST /v1/packets or Relay::submit_bundle: the relay derives the packet from the verified raw
// transaction (light_clients/bitcoin detect_deposit), never from the submitter.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <set>
#include <thread>
#include <nlohmann/json.hpp>

#include "api_node.hpp"
#include "child_process.hpp"
#include "http_client.hpp"
#include "lifecycle_adapters.hpp"
#include "bundle_support.hpp"
#include "causeway/bitcoin/deposit.hpp"
#include "causeway/bitcoin_adapter/bitcoin_adapter.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/core/secp256k1.hpp"
#include "causeway/domain/governance.hpp"
#include "causeway/domain/island.hpp"
#include "causeway/domain/transfer.hpp"
#include "causeway/engine/config.hpp"
#include "causeway/engine/lifecycle.hpp"
#include "causeway/store/sqlite.hpp"
#include "deposit_support.hpp"
#include "fake_rpc_server.hpp"
#include "governance_records.hpp"
#include "regtest_node.hpp"
#include "relay_data_dir.hpp"
#include "relay_workload.hpp"

using namespace causeway;
using nlohmann::json;
namespace pt = causeway::proofs::test;
namespace bt = causeway::bitcoin::test;

namespace {

constexpr const char* kToken = "Bearer bitcoin-deposit-test-token-0123456789";
const std::string kDestChannel = "channel-1";
const Bytes kDepositScript = bt::p2wpkh(0xd0);
const Bytes kReceiver(20, 0x7e);
constexpr std::uint64_t kAmount = 250000;       // block 5, tx 1, vout 1
constexpr std::uint64_t kAmount2 = 70000;       // block 5, tx 3, vout 0
// 5 × 2^32 + 1 × 2^8 + 1 and 5 × 2^32 + 3 × 2^8 + 0.
constexpr std::uint64_t kSequence = 21474836737ULL;
constexpr std::uint64_t kSequence2 = 21474837248ULL;

std::uint64_t wall_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

Bytes label_secret(const std::string& label) {
  const Hash32 h = sha256(ByteView(reinterpret_cast<const std::uint8_t*>(label.data()), label.size()));
  return Bytes(h.b.begin(), h.b.end());
}

std::string temp_dir(const std::string& name) {
  const auto d = std::filesystem::temp_directory_path() / ("causeway-btc-deposit-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(d);
  return d.string();
}

std::string code(const Error& e) { return std::string(code_name(e.code)); }

const Bytes kBtcGovSecret(32, 0x42);

// Anchored at the regtest genesis, or (anchor_height 1) at the chain's block 1 — every RegtestChain here mines
// the same first blocks.
domain::IslandSpec btc_spec(const std::vector<bitcoin::Route>& routes, std::uint32_t anchor_height = 0) {
  const auto sk = secp256k1::parse_secret_key(kBtcGovSecret).value();
  domain::IslandSpec s;
  s.id = pt::kRegtestIsland;
  s.genesis = pt::hash_of(pt::regtest_genesis()).reversed();  // display order (PACKET.md source_genesis)
  s.family = domain::Family::Bitcoin;
  s.codec = "bitcoin-regtest";
  s.consensus_params = bitcoin::encode_routes(routes);
  s.trusting_period_s = 0;
  s.finality = domain::FinalityRule{domain::FinalityKind::Confirmations, 6};
  s.anchor.height = 0;
  s.anchor.hash = s.genesis;
  s.anchor.time_s = pt::kRegtestGenesisTime;
  if (anchor_height == 1) {
    pt::RegtestChain c;
    c.mine_n(1);
    s.anchor.height = 1;
    s.anchor.hash = pt::hash_of(c.at(1).header).reversed();
    s.anchor.time_s = c.at(1).header.time_s;
  }
  s.endpoint = kDepositScript;
  s.governance = domain::make_governance_keys(1, {secp256k1::eth_address(secp256k1::public_key_of(sk))}).value();
  return s;
}

// The relay's world: TransferChains' two devnet islands plus the regtest Bitcoin island and its deposit channel.
struct World {
  app::TransferChains chains{wall_ms() - 600'000};
  engine::RelayConfig config;
  domain::IslandSpec btc;
  domain::IslandSpec dst;

  explicit World(std::uint32_t anchor_height = 0) {
    config = chains.config();
    dst = config.islands.at(1).spec;  // cwdevnet:cw-dst
    btc = btc_spec({bitcoin::Route{dst.id, dst.genesis, "transfer", kDestChannel}}, anchor_height);
    domain::SignedIsland rec{btc, 1, {}};
    rec.signatures.push_back(domain::sign_governance(domain::island_digest(domain::GovAction::IslandRegister, btc, 1),
                                                     secp256k1::parse_secret_key(kBtcGovSecret).value())
                                 .value());
    config.islands.push_back(rec);
    // cw-dst's nonce is 2 after its channel-0: this record is its third.
    config.channels.push_back({test::signed_channel_end(btc, dst, kBtcGovSecret, "deposit", kDestChannel, 2),
                               test::signed_channel_end(dst, btc, label_secret("causeway-bench/gov/dst"), kDestChannel, "deposit", 3)});
    config.assets.push_back(engine::AssetSetting{btc.id, "sat"});
  }

  engine::RelayOptions options(const std::string& dir) const {
    engine::RelayOptions o;
    o.data_dir = dir;
    o.config = config;
    return o;
  }

  // The packet PACKET.md derives from a deposit, built here field by field.
  packet::Packet expected(std::uint64_t sequence, std::uint64_t amount) const {
    packet::Packet p;
    p.source_island = btc.id;
    p.source_genesis = btc.genesis;
    p.source_channel = "deposit";
    p.source_port = "transfer";
    p.dest_island = dst.id;
    p.dest_genesis = dst.genesis;
    p.dest_channel = kDestChannel;
    p.dest_port = "transfer";
    p.sequence = sequence;
    p.receiver = kReceiver;
    packet::TransferPayload t;
    t.denom = "sat";
    t.amount = abi::u256_from_u64(amount);
    t.receiver = kReceiver;
    p.payload = packet::encode_transfer_payload(t);
    return p;
  }
};

// Mines block 5 on `c` (at height 4): [a sample tx, a deposit of 250000 sat at vout 1, a deposit whose CWY1 route
// tag is not registered, a deposit of 70000 sat at vout 0]; `time_shift` s later than usual gives another block
// with the same transactions (a competing branch).
void mine_deposit_block(pt::RegtestChain& c, const World& w, std::uint32_t time_shift = 0) {
  auto& b = c.mine(4);
  b.header.time_s += time_shift;
  const Bytes data = bt::cwy1(w.dst.id, "transfer", kDestChannel, kReceiver);
  b.txs[1] = bt::tx_with({{777, bt::p2wpkh(0x22)}, {kAmount, kDepositScript}, {0, bt::op_return(data)}}, 9);
  b.txs[2] = bt::tx_with(
      {{5000, kDepositScript}, {0, bt::op_return(bt::cwy1("cwdevnet:nowhere", "transfer", kDestChannel, kReceiver))}}, 10);
  b.txs[3] = bt::tx_with({{kAmount2, kDepositScript}, {0, bt::op_return(data)}}, 11);
  for (std::size_t i = 0; i < b.txs.size(); ++i) b.txids[i] = sha256d(b.txs[i]);
  b.header.merkle_root = pt::merkle_root(b.txids);
  pt::solve(b.header);
}

// Regtest blocks 1 … 10 with the deposit block 5 (mine_deposit_block).
pt::RegtestChain deposit_chain(const World& w) {
  pt::RegtestChain c;
  c.mine_n(4);
  mine_deposit_block(c, w);
  c.mine_n(5);
  return c;
}

// Pushes the header document anchored at `anchor` with every header of `c` up to `tip` (Relay::accept_headers,
// as POST /v1/islands/{id}/headers): the relay then follows `c` up to `tip` if that is its most work.
Result<engine::ConsensusState> follow(engine::Relay& relay, const pt::RegtestChain& c, std::uint32_t tip,
                                      std::uint32_t anchor = 0) {
  json headers = json::array();
  for (std::uint32_t h = anchor + 1; h <= tip; ++h) headers.push_back(to_hex(pt::raw_of(c.at(h).header)));
  const json doc{{"version", 1},
                 {"family", "bitcoin"},
                 {"network", "regtest"},
                 {"island", pt::kRegtestIsland},
                 {"anchor", {{"height", anchor}, {"header", to_hex(pt::raw_of(c.at(anchor).header))}}},
                 {"headers", headers}};
  return relay.accept_headers(doc.dump());
}

// An SPV bundle of tx `index` of block `height`, anchored at `anchor` with every header up to `tip`; without
// verify_time_s (the relay's clock judges it).
std::string deposit_bundle(const pt::RegtestChain& c, std::uint32_t height, std::size_t index, std::uint32_t anchor = 0,
                           std::optional<std::uint32_t> tip = std::nullopt) {
  json j = pt::regtest_bundle(c, height, index, anchor, 1, tip);
  j.erase("verify_time_s");
  return j.dump();
}


// The low 8 bytes of a 32-byte big-endian ledger amount of the (island, channel, "sat") row.
std::vector<std::uint64_t> sat_ledger(const std::string& dir, const std::string& island, const std::string& channel) {
  auto db = store::Database::open(dir + "/causeway.db");
  REQUIRE(db.has_value());
  auto st = db->prepare("SELECT escrowed, outstanding, in_flight_out, in_flight_home FROM ledger WHERE island = ?1 "
                        "AND channel = ?2 AND denom = 'sat'");
  REQUIRE(st.has_value());
  REQUIRE(st->bind_text(1, island));
  REQUIRE(st->bind_text(2, channel));
  REQUIRE(st->step().value());
  std::vector<std::uint64_t> out;
  for (int col = 0; col < 4; ++col) {
    const ByteView v = st->column_blob(col);
    REQUIRE(v.size() == 32);
    std::uint64_t x = 0;
    for (std::size_t i = 24; i < 32; ++i) x = (x << 8) | v[i];
    out.push_back(x);
  }
  return out;
}

}  // namespace

TEST_CASE("Bitcoin island registration: the deposit routes are its governance-signed consensus_params, tags unique") {
  const World w;
  const bitcoin::Route route{w.dst.id, w.dst.genesis, "transfer", kDestChannel};
  CHECK(domain::validate_island_spec(btc_spec({route})));
  CHECK(domain::validate_island_spec(btc_spec({})));  // no routes: headers only
  // The routes are part of the signed body: another route list is another digest.
  CHECK(domain::island_body_hash(btc_spec({route})) !=
        domain::island_body_hash(btc_spec({bitcoin::Route{w.dst.id, w.dst.genesis, "transfer", "channel-2"}})));
  auto dup = domain::validate_island_spec(
      btc_spec({route, bitcoin::Route{w.dst.id, sha256(Bytes{'x'}), "transfer", kDestChannel}}));
  REQUIRE(!dup);
  CHECK(code(dup.error()) == "ERR_INVALID_ARGUMENT");
  CHECK(dup.error().at == "consensus_params.routes[1]");
  auto gov = domain::validate_island_spec(btc_spec({bitcoin::Route{w.dst.id, w.dst.genesis, "governance", kDestChannel}}));
  REQUIRE(!gov);
  CHECK(code(gov.error()) == "ERR_FORBIDDEN_TARGET");
  CHECK(gov.error().at == "consensus_params.routes[0].dest_port");
  domain::IslandSpec garbage = btc_spec({route});
  garbage.consensus_params = Bytes{0x01, 0x00, 0x05, 0xaa};
  auto bad = domain::validate_island_spec(garbage);
  REQUIRE(!bad);
  CHECK(code(bad.error()) == "ERR_INVALID_ARGUMENT");
  CHECK(bad.error().at == "consensus_params.routes[0]");
}

TEST_CASE("Bitcoin deposits: POST /v1/packets of an SPV-proven CWY1 deposit attests the packet height*2^32 + "
          "tx_index*2^8 + vout, exactly once") {
  World w;
  const auto c = deposit_chain(w);
  const std::string dir = temp_dir("intake");
  test::ApiNode n(w.options(dir), kToken);
  REQUIRE(follow(*n.relay, c, 10));  // the relay follows the chain the deposit is on
  const packet::Packet want = w.expected(kSequence, kAmount);
  CHECK(want.sequence == (std::uint64_t{5} << 32) + (std::uint64_t{1} << 8) + 1);

  auto r = n.post("/v1/packets", deposit_bundle(c, 5, 1));
  INFO(r.body);
  REQUIRE(r.status == 201);
  const json body = json::parse(r.body);
  CHECK(body["packet_id"] == domain::to_string(domain::packet_id(want)));
  CHECK(body["commitment"] == to_hex(packet::commitment(want).view()));
  CHECK(body["stage"] == "attested");
  CHECK(body["dest_island"] == w.dst.id);
  CHECK(body["existing"] == false);
  auto view = n.relay->find(domain::packet_id(want));
  REQUIRE(view);
  CHECK(view->stage == "attested");
  CHECK(view->id.sequence == 21474836737ULL);

  // The same deposit again (the same bundle, and one whose anchor context lies — A13: the relay judges the headers
  // with its own context of the held anchor, so the lie is ignored): the existing record, never a second packet.
  auto again = n.post("/v1/packets", deposit_bundle(c, 5, 1));
  REQUIRE(again.status == 200);
  CHECK(json::parse(again.body)["existing"] == true);
  CHECK(json::parse(again.body)["commitment"] == body["commitment"]);
  json lying = json::parse(deposit_bundle(c, 5, 1));
  lying["anchor"]["prev_timestamps_s"] = json::array({4000000000u, 4000000000u, 4000000000u});
  const auto as_given = proofs::verify_bundle(lying.dump(), nullptr, static_cast<std::int64_t>(wall_ms() / 1000));
  REQUIRE(as_given.error);
  CHECK(code(*as_given.error) == "ERR_TIME_TOO_OLD");  // judged with the lie, the first header is refused
  auto lie = n.relay->submit_bundle(lying.dump());
  REQUIRE(lie);
  CHECK(lie->existing);
  CHECK(n.relay->packet_count() == 1);
  CHECK(test::count_rows(dir, "SELECT COUNT(*) FROM packets") == 1);
  // Escrowed on the Bitcoin island's deposit channel end, in flight until the destination acknowledges.
  CHECK(sat_ledger(dir, w.btc.id, "deposit") == std::vector<std::uint64_t>{kAmount, 0, kAmount, 0});
  CHECK(n.relay->check_ledger().ok);
}

TEST_CASE("Bitcoin deposits: a repeated key or a NUL byte (A02), a non-deposit tx, an unknown route tag, too few "
          "confirmations and an unheld anchor (A03) are refused") {
  World w;
  const auto c = deposit_chain(w);
  const std::string dir = temp_dir("refused");
  test::ApiNode n(w.options(dir), kToken);
  // Before the relay follows any header, its most-work state is the registered genesis, below the deposit's
  // required depth 10: not a branch it can vouch for yet.
  auto unfollowed = n.relay->submit_bundle(deposit_bundle(c, 5, 1));
  REQUIRE(!unfollowed);
  CHECK(code(unfollowed.error()) == "ERR_UNTRUSTED_ANCHOR");
  CHECK(unfollowed.error().at == "headers");
  REQUIRE(follow(*n.relay, c, 10));
  // A02: the relay's own context is pinned into a deposit bundle (A13) only after the strict parse: a repeated key
  // or bytes after a NUL are refused, not "repaired" by a lenient parse and re-dump (both were accepted before).
  const std::string good = deposit_bundle(c, 5, 1);
  REQUIRE(good.front() == '{');
  auto repeated = n.relay->submit_bundle("{\"family\":\"bitcoin\"," + good.substr(1));
  REQUIRE(!repeated);
  CHECK(code(repeated.error()) == "ERR_BUNDLE_PARSE");
  CHECK(repeated.error().detail == "duplicate key \"family\" in an object");
  auto after_nul = n.relay->submit_bundle(good + std::string("\0{}", 3));
  REQUIRE(!after_nul);
  CHECK(code(after_nul.error()) == "ERR_BUNDLE_PARSE");
  CHECK(after_nul.error().detail == "not valid JSON");
  auto not_deposit = n.relay->submit_bundle(deposit_bundle(c, 5, 0));
  REQUIRE(!not_deposit);
  CHECK(code(not_deposit.error()) == "ERR_NOT_PACKET_EVENT");
  auto unknown_route = n.relay->submit_bundle(deposit_bundle(c, 5, 2));
  REQUIRE(!unknown_route);
  CHECK(code(unknown_route.error()) == "ERR_DEPOSIT_INVALID");
  CHECK(unknown_route.error().at == "inclusion.tx");
  // The island's 6 confirmations, not the bundle's min_confirmations (1): tip 9 gives block 5 five.
  auto shallow = n.relay->submit_bundle(deposit_bundle(c, 5, 1, 0, 9));
  REQUIRE(!shallow);
  CHECK(code(shallow.error()) == "ERR_INSUFFICIENT_CONFIRMATIONS");
  // A03: anchored at block 2, a header the relay does not hold.
  auto unheld = n.relay->submit_bundle(deposit_bundle(c, 5, 1, 2));
  REQUIRE(!unheld);
  CHECK(code(unheld.error()) == "ERR_UNTRUSTED_ANCHOR");
  // Over HTTP too (A03 is 422).
  auto http = n.post("/v1/packets", deposit_bundle(c, 5, 1, 2));
  CHECK(http.status == 422);
  CHECK(n.relay->packet_count() == 0);
  CHECK(test::count_rows(dir, "SELECT COUNT(*) FROM packets") == 0);
}

TEST_CASE("Bitcoin deposits count only on the branch the relay follows: a side branch with its own 6 confirmations "
          "but less work than the held main branch is refused, the same deposit once that branch has the most work "
          "is taken, exactly once") {
  World w;
  const auto chain = [&] {  // blocks 1 … 11: one more than the side branch below
    auto m = deposit_chain(w);
    m.mine_n(1);
    return m;
  }();
  // The side branch forks after block 4: its own block 5 with the same deposit transactions (another header time),
  // then blocks 6 … 10 — the deposit has the island's 6 confirmations on it, every header at full difficulty.
  pt::RegtestChain side = chain;
  side.truncate(4);
  mine_deposit_block(side, w, 1);
  side.mine_n(5);
  REQUIRE(pt::hash_of(side.at(5).header) != pt::hash_of(chain.at(5).header));
  REQUIRE(side.at(5).txids == chain.at(5).txids);
  const std::string dir = temp_dir("branch");
  test::ApiNode n(w.options(dir), kToken);
  engine::Relay& relay = *n.relay;
  REQUIRE(follow(relay, chain, 11));  // the relay holds the main branch to 11

  // The side deposit proves itself (verify_bundle alone: valid, 6 confirmations from a held anchor) …
  const std::string side_bundle = deposit_bundle(side, 5, 1);
  const auto as_spv = proofs::verify_bundle(side_bundle, nullptr, static_cast<std::int64_t>(wall_ms() / 1000));
  CHECK(as_spv.exit_code == 0);
  // … but it ends at 10, and the relay's most-work state (11, main) is not among its headers.
  auto short_side = relay.submit_bundle(side_bundle);
  REQUIRE(!short_side);
  CHECK(code(short_side.error()) == "ERR_UNTRUSTED_ANCHOR");
  CHECK(short_side.error().at == "headers");
  auto http = n.post("/v1/packets", side_bundle);
  CHECK(http.status == 422);
  // Mined on to 12 (more work than the relay holds, but never pushed): its header at 11 is not the relay's.
  side.mine_n(2);
  const std::string long_side = deposit_bundle(side, 5, 1);
  auto other_branch = relay.submit_bundle(long_side);
  REQUIRE(!other_branch);
  CHECK(code(other_branch.error()) == "ERR_LESS_WORK");
  CHECK(other_branch.error().at == "headers[10]");
  // A main-branch bundle that stops short of the relay's most-work state is not taken either.
  auto short_main = relay.submit_bundle(deposit_bundle(chain, 5, 1, 0, 10));
  REQUIRE(!short_main);
  CHECK(code(short_main.error()) == "ERR_UNTRUSTED_ANCHOR");
  // Nothing was stored by any refusal.
  CHECK(relay.packet_count() == 0);
  CHECK(test::count_rows(dir, "SELECT COUNT(*) FROM packets") == 0);

  // The side branch pushed (12 > 11: the relay follows it now): the same deposit on it is taken.
  auto reorg = follow(relay, side, 12);
  REQUIRE(reorg);
  CHECK(reorg->height == 12);
  auto taken = relay.submit_bundle(long_side);
  INFO((taken ? std::string() : code(taken.error()) + " " + taken.error().detail));
  REQUIRE(taken);
  CHECK(!taken->existing);
  CHECK(taken->stage == "attested");
  CHECK(taken->id.sequence == kSequence);
  CHECK(taken->commitment == packet::commitment(w.expected(kSequence, kAmount)));
  // Exactly once: the same bundle again, and the same deposit from the (now stale) main branch, answer the record.
  auto again = relay.submit_bundle(long_side);
  REQUIRE(again);
  CHECK(again->existing);
  auto stale = relay.submit_bundle(deposit_bundle(chain, 5, 1));
  REQUIRE(stale);
  CHECK(stale->existing);
  CHECK(relay.packet_count() == 1);
  CHECK(test::count_rows(dir, "SELECT COUNT(*) FROM packets") == 1);
  CHECK(sat_ledger(dir, w.btc.id, "deposit") == std::vector<std::uint64_t>{kAmount, 0, kAmount, 0});
  // Another deposit of the stale main branch (block 5, tx 3) is refused: the relay's most work is the side's 12.
  auto stale_other = relay.submit_bundle(deposit_bundle(chain, 5, 3));
  REQUIRE(!stale_other);
  CHECK(code(stale_other.error()) == "ERR_UNTRUSTED_ANCHOR");
  CHECK(relay.check_ledger().ok);
}

TEST_CASE("Bitcoin deposits have no return path: a success ack mints the voucher, an error ack is final, no return "
          "row") {
  World w;
  const auto c = deposit_chain(w);
  const std::string dir = temp_dir("acks");
  test::ApiNode n(w.options(dir), kToken);
  REQUIRE(follow(*n.relay, c, 10));
  engine::Relay& relay = *n.relay;
  const packet::Packet p1 = w.expected(kSequence, kAmount);
  const packet::Packet p2 = w.expected(kSequence2, kAmount2);
  auto a = relay.submit_bundle(deposit_bundle(c, 5, 1));
  REQUIRE(a);
  auto b = relay.submit_bundle(deposit_bundle(c, 5, 3));
  REQUIRE(b);
  CHECK(b->id.sequence == 21474837248ULL);
  CHECK(b->commitment == packet::commitment(p2));
  CHECK(sat_ledger(dir, w.btc.id, "deposit") == std::vector<std::uint64_t>{kAmount + kAmount2, 0, kAmount + kAmount2, 0});

  // ICS-20 on the destination: a voucher "transfer/channel-1/sat" (the deposit is not going home).
  const auto received = domain::receive_denom(p1, "sat");
  CHECK(!received.going_home);
  CHECK(received.denom == "transfer/channel-1/sat");

  const Hash32 c1 = packet::commitment(p1), c2 = packet::commitment(p2);
  const Bytes ack1 = packet::ack_bytes(c1, true, Bytes{0x01});
  const Bytes ack2 = packet::ack_bytes(c2, false, Bytes{'n', 'o'});
  REQUIRE(relay.record_delivered(a->id, adapters::DeliveryStatus{true, packet::ack_commitment(ack1), 1, {}}, true));
  REQUIRE(relay.record_delivered(b->id, adapters::DeliveryStatus{true, packet::ack_commitment(ack2), 2, {}}, true));
  Bytes leaf1{0x02}, leaf2{0x02};
  append(leaf1, ack1);
  append(leaf2, ack2);
  auto ok = relay.submit_ack_bundle(a->id, w.chains.add_event(w.dst.id, leaf1));
  INFO((ok ? std::string() : code(ok.error()) + " " + ok.error().detail));
  REQUIRE(ok);
  CHECK(ok->stage == "acknowledged");
  auto failed = relay.submit_ack_bundle(b->id, w.chains.add_event(w.dst.id, leaf2));
  REQUIRE(failed);
  CHECK(failed->stage == "error-acknowledged");

  // Nothing goes back to the Bitcoin island: no return row, no ack attestation, nothing due or awaited.
  CHECK(test::count_rows(dir, "SELECT COUNT(*) FROM returns") == 0);
  CHECK(relay.due_returns(w.btc.id, 10).empty());
  CHECK(relay.awaiting_return_attestations(10).empty());
  CHECK(!relay.own_return_attestation(a->id));
  CHECK(!relay.own_return_attestation(b->id));
  // The success ack minted 250000 vouchers; the error-acknowledged deposit's 70000 sat stay escrowed at the deposit
  // script, in flight for good (no refund path): the invariant escrowed = outstanding + in flight holds.
  CHECK(sat_ledger(dir, w.btc.id, "deposit") == std::vector<std::uint64_t>{kAmount + kAmount2, kAmount, kAmount2, 0});
  CHECK(relay.check_ledger().ok);
  CHECK(relay.find(b->id)->stage == "error-acknowledged");
  // Final: an operator retry has nothing to drive (as for a terminal stage).
  auto retry = relay.retry_packet(b->id, "ops", "try again");
  REQUIRE(!retry);
  CHECK(code(retry.error()) == "ERR_ILLEGAL_TRANSITION");
}

TEST_CASE("Bitcoin islands are sources only: a packet to one is ERR_WRONG_DESTINATION") {
  World w;
  const std::string dir = temp_dir("sources-only");
  test::ApiNode n(w.options(dir), kToken);
  // The vouchers' way home over the same channel (cw-dst/channel-1 → bip122:…/deposit) is refused at intake.
  packet::Packet p;
  p.source_island = w.dst.id;
  p.source_genesis = w.dst.genesis;
  p.source_channel = kDestChannel;
  p.source_port = "transfer";
  p.dest_island = w.btc.id;
  p.dest_genesis = w.btc.genesis;
  p.dest_channel = "deposit";
  p.dest_port = "transfer";
  p.sequence = 1;
  p.timeout_height = 1000000;
  p.sender = Bytes(20, 0x11);
  p.receiver = Bytes(20, 0x22);
  packet::TransferPayload t;
  t.denom = "transfer/channel-1/sat";
  t.amount = abi::u256_from_u64(1);
  t.sender = p.sender;
  t.receiver = p.receiver;
  p.payload = packet::encode_transfer_payload(t);
  auto r = n.relay->submit_bundle(w.chains.add_packet(p));
  REQUIRE(!r);
  CHECK(code(r.error()) == "ERR_WRONG_DESTINATION");
  CHECK(r.error().at == "dest_island");
  CHECK(n.relay->packet_count() == 0);
}

TEST_CASE("Bitcoin deposits: the relay's source watcher takes them in through BitcoinAdapter scan_sent and "
          "fetch_proof") {
  World w;
  const auto c = deposit_chain(w);
  std::map<std::string, Bytes> txs;
  for (const auto& blk : c.blocks)
    for (std::size_t i = 0; i < blk.txs.size(); ++i) txs[to_hex_bare(blk.txids[i].reversed().view())] = blk.txs[i];
  causeway::testing::FakeRpcServer node(
      [&](const std::string& m, const json& params) { return bt::regtest_node(c, txs, m, params); });
  adapters::bitcoin::BitcoinAdapterConfig cfg;
  cfg.rpc_url = node.url();
  cfg.network = "regtest";
  cfg.deposits.deposit_script = kDepositScript;
  cfg.deposits.routes = bitcoin::decode_routes(w.btc.consensus_params).value();
  cfg.min_confirmations = 6;
  auto adapter = adapters::bitcoin::BitcoinAdapter::connect(cfg);
  REQUIRE(adapter);
  std::shared_ptr<adapters::ChainAdapter> a(std::move(*adapter));
  REQUIRE(a->island() == w.btc.id);

  const std::string dir = temp_dir("watcher");
  test::ApiNode n(w.options(dir), kToken);
  REQUIRE(follow(*n.relay, c, 10));  // the adapter's bundles end at height + 6 − 1 = 10, the relay's most work
  engine::Lifecycle::Options lo;
  lo.confirmations[w.btc.id] = 5;  // the node's tip is 10: blocks up to 5 (6 confirmations) are final
  std::vector<std::string> notes;
  lo.log = [&](const std::string& s) { notes.push_back(s); };
  engine::Lifecycle lc(*n.relay, lo);
  lc.add_adapter(a);
  // The fake node keeps no transactions of the genesis block (bundle_support's RegtestChain): scan after it.
  REQUIRE(n.relay->set_scan_height(w.btc.id, 0));
  // Block 5's two valid deposits are taken in (the unknown-route attempt is not a deposit the adapter lists); the
  // relay derived each packet from the verified transaction.
  CHECK(lc.watch_source(*a) == 3);  // 2 packets taken in (blocks 1 … 5) + the scan height moved to 5
  std::string logged;
  for (const auto& note : notes) logged += note + "\n";
  INFO(logged);
  CHECK(notes.empty());
  CHECK(lc.counters().packets_taken_in == 2);
  CHECK(n.relay->scan_height(w.btc.id) == std::optional<std::uint64_t>(5));
  CHECK(n.relay->packet_count() == 2);
  for (const auto& [seq, amount] : {std::pair{kSequence, kAmount}, std::pair{kSequence2, kAmount2}}) {
    const packet::Packet want = w.expected(seq, amount);
    auto v = n.relay->find(domain::packet_id(want));
    REQUIRE(v);
    CHECK(v->stage == "attested");
    CHECK(v->commitment == packet::commitment(want));
  }
  // Nothing new below the final tip: a second pass takes nothing in; a whole run_once relays no return.
  CHECK(lc.watch_source(*a) == 0);
  CHECK(lc.relay_returns(*a) == 0);
  CHECK(test::count_rows(dir, "SELECT COUNT(*) FROM returns") == 0);
}

// ---- the `bitcoin` adapter kind of `causeway serve` (docs/configuration.md "[adapters]") -------------------

namespace {

// A config file's JSON: `w`'s records plus one [[adapters.islands]] entry.
json config_with_adapter(const World& w, const json& entry) {
  json j = engine::config_to_json(w.config);
  j["adapters"]["islands"] = json::array({entry});
  return j;
}

json bitcoin_entry(const World& w) {
  return json{{"island", w.btc.id},
              {"kind", "bitcoin"},
              {"rpc", json::array({"http://127.0.0.1:18443"})},
              {"rpc_cookie_file", "/var/lib/bitcoind/regtest/.cookie"},
              {"confirmations", 5}};
}

// check_config's error for the config with `entry`, as "CODE at"; "" when the config is accepted.
std::string config_verdict(const World& w, const json& entry) {
  auto c = engine::config_from_json(config_with_adapter(w, entry));
  if (!c) return code(c.error()) + " " + c.error().at;
  auto s = engine::check_config(*c);
  return s ? std::string() : code(s.error()) + " " + s.error().at;
}

void write_private(const std::string& path, const std::string& text, ::mode_t mode = 0600) {
  std::ofstream(path, std::ios::trunc) << text;
  REQUIRE(::chmod(path.c_str(), mode) == 0);
}

// The fake Bitcoin Core of chain `c` (tests/unit/adapters/regtest_node.hpp) with every transaction.
std::map<std::string, Bytes> txs_of(const pt::RegtestChain& c) {
  std::map<std::string, Bytes> txs;
  for (const auto& blk : c.blocks)
    for (std::size_t i = 0; i < blk.txs.size(); ++i) txs[to_hex_bare(blk.txids[i].reversed().view())] = blk.txs[i];
  return txs;
}

}  // namespace

TEST_CASE("Bitcoin adapter kind: [[adapters.islands]] kind \"bitcoin\" takes Bitcoin Core credentials; "
          "check_config refuses the rest at the exact key") {
  const World w;
  CHECK(engine::bitcoin_network_of(w.btc.id).value() == "regtest");
  CHECK(engine::bitcoin_network_of("bip122:000000000019d6689c085ae165831e93").value() == "mainnet");
  CHECK(code(engine::bitcoin_network_of("bip122:00000000000000000000000000000000").error()) == "ERR_UNKNOWN_NETWORK");

  CHECK(config_verdict(w, bitcoin_entry(w)).empty());
  json user = bitcoin_entry(w);
  user.erase("rpc_cookie_file");
  user["rpc_user"] = "causeway";
  user["rpc_password_file"] = "/etc/causeway/bitcoin-rpc.password";
  CHECK(config_verdict(w, user).empty());
  auto read = engine::config_from_json(config_with_adapter(w, user));
  REQUIRE(read);
  const auto& a = read->adapters.islands.at(0);
  CHECK(a.kind == "bitcoin");
  CHECK(a.rpc_user == "causeway");
  CHECK(a.rpc_password_file == "/etc/causeway/bitcoin-rpc.password");
  CHECK(a.rpc_cookie_file.empty());
  CHECK(a.confirmations == 5);
  // Written back (config_to_json): the paths, never a password.
  const json back = engine::config_to_json(*read)["adapters"]["islands"][0];
  CHECK(back["rpc_user"] == "causeway");
  CHECK(back["rpc_password_file"] == "/etc/causeway/bitcoin-rpc.password");
  CHECK(!back.contains("rpc_cookie_file"));

  struct Case {
    std::string what;
    std::function<void(json&)> change;
    std::string verdict;
  };
  const std::string at = "adapters.islands[0].";
  const std::vector<Case> cases = {
      {"a devnet island", [&](json& e) { e["island"] = w.dst.id; }, "ERR_INVALID_ARGUMENT " + at + "kind"},
      {"an unregistered island", [](json& e) { e["island"] = "bip122:000000000019d6689c085ae165831e93"; },
       "ERR_INVALID_ARGUMENT " + at + "island"},
      {"two RPC URLs", [](json& e) { e["rpc"].push_back("http://127.0.0.1:18444"); }, "ERR_INVALID_ARGUMENT " + at + "rpc"},
      {"an https URL", [](json& e) { e["rpc"] = json::array({"https://127.0.0.1:18443"}); },
       "ERR_INVALID_ARGUMENT " + at + "rpc[0]"},
      {"no credentials", [](json& e) { e.erase("rpc_cookie_file"); }, "ERR_INVALID_ARGUMENT " + at + "rpc_user"},
      {"cookie and user", [](json& e) { e["rpc_user"] = "u"; }, "ERR_INVALID_ARGUMENT " + at + "rpc_cookie_file"},
      {"a user without a password file",
       [](json& e) {
         e.erase("rpc_cookie_file");
         e["rpc_user"] = "u";
       },
       "ERR_INVALID_ARGUMENT " + at + "rpc_password_file"},
      {"a password file without a user",
       [](json& e) {
         e.erase("rpc_cookie_file");
         e["rpc_password_file"] = "/p";
       },
       "ERR_INVALID_ARGUMENT " + at + "rpc_user"},
      {"a user with ':'",
       [](json& e) {
         e.erase("rpc_cookie_file");
         e["rpc_user"] = "u:x";
         e["rpc_password_file"] = "/p";
       },
       "ERR_INVALID_ARGUMENT " + at + "rpc_user"},
      {"a submitter key", [](json& e) { e["submitter_key_file"] = "/k"; },
       "ERR_INVALID_ARGUMENT " + at + "submitter_key_file"},
      {"a ws URL", [](json& e) { e["ws"] = "ws://127.0.0.1:8546"; }, "ERR_INVALID_ARGUMENT " + at + "ws"},
      {"confirmations below finality − 1", [](json& e) { e["confirmations"] = 4; },
       "ERR_INVALID_ARGUMENT " + at + "confirmations"},
      {"an unknown kind", [](json& e) { e["kind"] = "bitcoind"; }, "ERR_INVALID_ARGUMENT " + at + "kind"},
      {"credentials on an evm adapter",
       [&](json& e) {
         e["kind"] = "evm";
         e["island"] = w.dst.id;
       },
       "ERR_INVALID_ARGUMENT " + at + "rpc_cookie_file"},
  };
  for (const auto& c : cases) {
    json e = bitcoin_entry(w);
    c.change(e);
    INFO(c.what);
    CHECK(config_verdict(w, e) == c.verdict);
  }
}

TEST_CASE("Bitcoin adapter kind: serve's make_island_adapter authenticates to Bitcoin Core with the cookie or the "
          "user and password file, and its source watcher takes deposits once the relay follows their branch") {
  World w;
  auto c = deposit_chain(w);
  c.mine_n(2);  // the node's tip is 12
  causeway::testing::FakeRpcServer node(
      [&, txs = txs_of(c)](const std::string& m, const json& params) { return bt::regtest_node(c, txs, m, params); });
  node.require_authorization("Basic " + adapters::base64_encode("causeway:pa55-w0rd"));
  const std::string dir = temp_dir("serve-kind");
  std::filesystem::create_directories(dir);
  engine::IslandAdapterSettings s;
  s.island = w.btc.id;
  s.kind = "bitcoin";
  s.rpc = {node.url()};
  s.confirmations = 5;
  s.rpc_user = "causeway";
  s.rpc_password_file = dir + "/rpc.password";

  write_private(s.rpc_password_file, "wrong\n");
  auto wrong = app::make_island_adapter(s, w.config);
  REQUIRE(!wrong);
  CHECK(code(wrong.error()) == "ERR_RPC_TRANSPORT");
  CHECK(wrong.error().detail.find("wrong") == std::string::npos);  // the password is never in a message
  write_private(s.rpc_password_file, "pa55-w0rd\n", 0644);
  auto open_file = app::make_island_adapter(s, w.config);
  REQUIRE(!open_file);
  CHECK(code(open_file.error()) == "ERR_KEY_PERMISSIONS");
  CHECK(open_file.error().at == "adapters.islands.rpc_password_file");
  write_private(s.rpc_password_file, "pa55-w0rd\n");
  auto by_password = app::make_island_adapter(s, w.config);
  INFO((by_password ? std::string() : code(by_password.error()) + " " + by_password.error().detail));
  REQUIRE(by_password);
  CHECK((*by_password)->island() == w.btc.id);
  // The cookie (Bitcoin Core's "__cookie__:<password>"), against a node expecting it.
  causeway::testing::FakeRpcServer cookie_node(
      [&, txs = txs_of(c)](const std::string& m, const json& params) { return bt::regtest_node(c, txs, m, params); });
  cookie_node.require_authorization("Basic " + adapters::base64_encode("__cookie__:c00k1e"));
  engine::IslandAdapterSettings sc = s;
  sc.rpc = {cookie_node.url()};
  sc.rpc_user.clear();
  sc.rpc_password_file.clear();
  sc.rpc_cookie_file = dir + "/.cookie";
  write_private(sc.rpc_cookie_file, "__cookie__:c00k1e");
  auto by_cookie = app::make_island_adapter(sc, w.config);
  REQUIRE(by_cookie);
  // A bitcoin adapter for an island that is no Bitcoin network's is refused.
  engine::IslandAdapterSettings other = s;
  other.island = w.dst.id;
  auto not_bitcoin = app::make_island_adapter(other, w.config);
  REQUIRE(!not_bitcoin);
  CHECK(code(not_bitcoin.error()) == "ERR_UNKNOWN_NETWORK");

  // The adapter serve made, in the relay's source watcher: nothing is taken in until the relay follows headers
  // to the deposit's confirmations; then both deposits of block 5 are, their bundles carrying the headers up to the
  // node's tip 12 through the relay's most-work state 11.
  const std::string data = dir + "/relay";
  test::ApiNode n(w.options(data), kToken);
  engine::Lifecycle::Options lo;
  lo.confirmations[w.btc.id] = s.confirmations;  // as serve sets it: blocks up to 12 − 5 = 7 are scanned
  std::vector<std::string> notes;
  lo.log = [&](const std::string& t) { notes.push_back(t); };
  engine::Lifecycle lc(*n.relay, lo);
  std::shared_ptr<adapters::ChainAdapter> a = *by_password;
  lc.add_adapter(a);
  REQUIRE(n.relay->set_scan_height(w.btc.id, 0));  // the fake node keeps no genesis transactions
  CHECK(lc.watch_source(*a) == 0);  // ERR_UNTRUSTED_ANCHOR: the relay follows no header yet (retried)
  CHECK(n.relay->packet_count() == 0);
  CHECK(n.relay->scan_height(w.btc.id) == std::optional<std::uint64_t>(0));
  REQUIRE(follow(*n.relay, c, 11));
  CHECK(lc.watch_source(*a) == 3);
  std::string logged;
  for (const auto& t : notes) logged += t + "\n";
  INFO(logged);
  CHECK(lc.counters().packets_taken_in == 2);
  CHECK(n.relay->scan_height(w.btc.id) == std::optional<std::uint64_t>(7));
  for (const auto& [seq, amount] : {std::pair{kSequence, kAmount}, std::pair{kSequence2, kAmount2}}) {
    auto v = n.relay->find(domain::packet_id(w.expected(seq, amount)));
    REQUIRE(v);
    CHECK(v->stage == "attested");
  }
  for (const auto& t : notes) CHECK(t.find("pa55-w0rd") == std::string::npos);
}

TEST_CASE("Bitcoin adapter kind: a causeway serve process with a bitcoin adapter takes a deposit in from Bitcoin "
          "Core's JSON-RPC once headers are pushed to it") {
  World w(1);  // anchored at block 1: the fake node keeps no genesis transactions to scan
  auto c = deposit_chain(w);
  c.mine_n(1);  // the node's tip is 11
  causeway::testing::FakeRpcServer node(
      [&, txs = txs_of(c)](const std::string& m, const json& params) { return bt::regtest_node(c, txs, m, params); });
  node.require_authorization("Basic " + adapters::base64_encode("causeway:pa55-w0rd"));
  const std::string dir = temp_dir("serve-process");
  std::filesystem::create_directories(dir);
  write_private(dir + "/rpc.password", "pa55-w0rd\n");
  write_private(dir + "/token", std::string(kToken).substr(7) + "\n");
  json entry = bitcoin_entry(w);
  entry["rpc"] = json::array({node.url()});
  entry.erase("rpc_cookie_file");
  entry["rpc_user"] = "causeway";
  entry["rpc_password_file"] = dir + "/rpc.password";
  json cfg = config_with_adapter(w, entry);
  cfg["adapters"]["poll_ms"] = 50;
  std::ofstream(dir + "/config.json") << cfg.dump(2);
  const std::uint16_t port = app::free_loopback_port();
  app::ChildProcess serve({CAUSEWAY_EXE, "serve", "--listen", "127.0.0.1:" + std::to_string(port), "--data-dir",
                           dir + "/data", "--config", dir + "/config.json", "--api-token-file", dir + "/token"},
                          dir + "/serve.log");
  auto log_text = [&] {
    std::ifstream f(dir + "/serve.log");
    return std::string(std::istreambuf_iterator<char>(f), {});
  };
  auto wait_for = [&](const std::function<bool()>& ok) {
    for (int i = 0; i < 600; ++i) {  // up to 60 s: a condition, not a speed
      if (ok()) return true;
      if (!serve.running()) FAIL("causeway serve exited:\n" + log_text());
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  };
  const std::string list = "/v1/packets?channel=" + w.btc.id + "/deposit";
  auto deposits = [&] {
    auto r = test::http_request(port, "GET", list);
    return r.status == 200 ? json::parse(r.body) : json();
  };
  REQUIRE(wait_for([&] {
    try {
      return test::http_request(port, "GET", "/healthz").status == 200;
    } catch (const std::exception&) {
      return false;  // not listening yet
    }
  }));
  // The watcher asks the node (authenticated) and finds the deposits, but the relay follows no header yet.
  const auto asked = node.requests();
  REQUIRE(wait_for([&] { return node.requests() > asked + 10; }));
  const json none = deposits();
  INFO(none.dump());
  CHECK(none.contains("packets"));
  CHECK(none["packets"].empty());
  // Headers 2 … 11 pushed as an operator would (POST /v1/islands/{id}/headers): the deposit of block 5 now has
  // its 6 confirmations on the relay's most-work branch.
  json headers = json::array();
  for (std::uint32_t h = 2; h <= 11; ++h) headers.push_back(to_hex(pt::raw_of(c.at(h).header)));
  const json doc{{"version", 1},
                 {"family", "bitcoin"},
                 {"network", "regtest"},
                 {"island", pt::kRegtestIsland},
                 {"anchor", {{"height", 1}, {"header", to_hex(pt::raw_of(c.at(1).header))}}},
                 {"headers", headers}};
  const std::string path_island = "bip122%3A" + w.btc.id.substr(7);
  auto pushed = test::http_request(port, "POST", "/v1/islands/" + path_island + "/headers", doc.dump(),
                                   {{"Content-Type", "application/json"}});
  INFO(pushed.body);
  REQUIRE(pushed.status == 200);
  const bool both = wait_for([&] {
    const json d = deposits();
    return d.contains("packets") && d["packets"].size() == 2;
  });
  INFO(log_text());
  REQUIRE(both);
  const json got = deposits();
  INFO(got.dump());
  std::set<std::string> commitments;
  for (const auto& p : got["packets"]) commitments.insert(p["commitment"].get<std::string>());
  CHECK(commitments == std::set<std::string>{to_hex(packet::commitment(w.expected(kSequence, kAmount)).view()),
                                             to_hex(packet::commitment(w.expected(kSequence2, kAmount2)).view())});
  serve.stop();
  CHECK(log_text().find("pa55-w0rd") == std::string::npos);  // never logged
}
