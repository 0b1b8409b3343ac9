// Proof bundles of family `ethereum` (PROOF-BUNDLE.md) through causeway::proofs::verify_bundle: headers sealed
// here for QBFT and IBFT 2.0 (4 validators), Clique (3 signers) and rpc-trusted (eip155:31337), whose
// receiptsRoot / stateRoot are the roots of tries built here (eth_bundle_support.hpp); packets made with core's
// packet codec. Every valid bundle is compared with the whole result object; every corruption with its exact
// exit status, code and location. Attack cases: A01, A03, A17, A19, A20 (security/attack-cases.md).
#include <catch2/catch.hpp>

#include <array>
#include <cctype>
#include <functional>
#include <string>
#include <vector>

#include "eth_bundle_support.hpp"

using namespace causeway;
using namespace causeway::proofs;
using namespace causeway::proofs::ethtest;
using causeway::proofs::test::At;
using causeway::proofs::test::expect_error;
using causeway::proofs::test::Outcome;
using causeway::proofs::test::run;
using eth::ConsensusMode;

namespace {

const std::vector<ConsensusMode> kAllModes = {ConsensusMode::Qbft, ConsensusMode::Ibft2, ConsensusMode::Clique,
                                              ConsensusMode::RpcTrusted};

// One chain per mode, built once.
const Chain& chain(ConsensusMode m) {
  static const Chain qbft = make_chain(ConsensusMode::Qbft);
  static const Chain ibft2 = make_chain(ConsensusMode::Ibft2);
  static const Chain clique = make_chain(ConsensusMode::Clique);
  static const Chain rpc = make_chain(ConsensusMode::RpcTrusted);
  switch (m) {
    case ConsensusMode::Qbft: return qbft;
    case ConsensusMode::Ibft2: return ibft2;
    case ConsensusMode::Clique: return clique;
    case ConsensusMode::RpcTrusted: return rpc;
  }
  return qbft;
}

json packet_bundle(ConsensusMode m, std::uint64_t min_conf = 1) {
  return make_bundle(chain(m), receipt_inclusion(kTxPacket, 1), min_conf);
}

void expect_valid(const json& bundle, const json& expected, const TrustList* trust = nullptr) {
  const Outcome o = run(bundle, trust);
  INFO(o.out.dump());
  REQUIRE(o.exit_code == 0);
  CHECK(o.out == expected);
}

// Flips one byte of the first committed seal (BFT) or of the seal (Clique) of the header at `number`.
eth::Header with_seal_byte_flipped(const Chain& c, std::uint64_t number, std::size_t byte) {
  eth::Header h = c.at(number);
  if (is_bft(c.mode)) {
    auto e = eth::bft::decode_extra(variant_of(c.mode), h.extra_data).value();
    e.seals.at(0)[byte] ^= 0x01;
    h.extra_data = eth::bft::encode_extra(variant_of(c.mode), e);
  } else {
    h.extra_data.at(h.extra_data.size() - 65 + byte) ^= 0x01;
  }
  return h;
}

// The location of proof node i of bundle field `field`: "inclusion.proof[1]".
void check_node_at(const std::string& at, const std::string& field, std::size_t i) {
  CHECK(at == field + "[" + std::to_string(i) + "]");
}

TrustList trust_of(const std::string& island, std::uint64_t height, const Hash32& hash) {
  return TrustList{TrustedAnchor{island, height, hash, std::nullopt}};
}

}  // namespace

TEST_CASE("eth bundle fixtures: encodings here agree with the light client's, chains link and seal") {
  const Fixture& f = fixture();
  CHECK(packet_sent_topic0() == packet::packet_sent_topic0());
  CHECK(f.commitment == packet::commitment(f.packet));
  CHECK(f.receipt_slot == packet::receipt_storage_slot(f.commitment));
  CHECK(packet::commitment(f.unbound_packet) != f.commitment);  // the destination is bound (A20)
  for (const auto& r : f.receipts) CHECK(encode_receipt_here(r) == eth::encode_receipt(r).value());
  CHECK(eth::receipts_root(f.receipts).value() == f.receipts_root);
  for (const auto& [a, acc] : f.accounts) CHECK(encode_account_here(acc.fields) == eth::encode_account(acc.fields));
  CHECK(decimal(abi::u256_from_u64(0)) == "0");
  CHECK(decimal(abi::u256_from_u64(18446744073709551615ull)) == "18446744073709551615");
  CHECK(decimal(f.accounts.at(kEoa).fields.balance) == "309485009821345068724793401");  // 2^88 + 12345
  for (ConsensusMode m : kAllModes) {
    const Chain& c = chain(m);
    REQUIRE(c.headers.size() == kHeaderCount + 1);
    for (std::uint64_t n = kAnchorNumber + 1; n <= kTip; ++n) CHECK(c.at(n).parent_hash == c.hash_at(n - 1));
  }
  CHECK(chain(ConsensusMode::Qbft).signers.size() == 4);
  CHECK(chain(ConsensusMode::Clique).signers.size() == 3);
  CHECK(eth::bft::quorum(4) == 3);
}

TEST_CASE("a PacketSent receipt verifies in every consensus mode with the exact result fields") {
  for (ConsensusMode m : kAllModes) {
    INFO("consensus " << mode_name(m));
    expect_valid(packet_bundle(m), expected_result(chain(m), kProvingNumber, packet_claim(), 1));
    // Confirmations = tip − proving + 1 = 5, exactly the minimum.
    expect_valid(packet_bundle(m, 5), expected_result(chain(m), kProvingNumber, packet_claim(), 5));
    // The same log proven from the receipt that also holds the impostor's twin (log 1 of kTxTwoEmitters).
    json claim = packet_claim();
    claim["tx_index"] = static_cast<std::size_t>(kTxTwoEmitters);
    expect_valid(make_bundle(chain(m), receipt_inclusion(kTxTwoEmitters, 1)),
                 expected_result(chain(m), kProvingNumber, claim, 1));
  }
}

TEST_CASE("a log that is not a PacketSent is proven without a packet claim") {
  const Fixture& f = fixture();
  const Chain& c = chain(ConsensusMode::Qbft);
  const eth::Log& log = f.receipts.at(kTxPing).logs.at(0);
  const json claim = {{"kind", "receipt"},
                      {"block", kProvingNumber},
                      {"tx_index", 0},
                      {"log_index", 0},
                      {"emitter", hex(kEndpoint)},
                      {"topics", json::array({hex(log.topics[0]), hex(log.topics[1]), hex(log.topics[2])})}};
  expect_valid(make_bundle(c, receipt_inclusion(kTxPing, 0)), expected_result(c, kProvingNumber, claim, 1));
}

TEST_CASE("account and storage claims verify under stateRoot in every consensus mode") {
  const Fixture& f = fixture();
  for (ConsensusMode m : kAllModes) {
    INFO("consensus " << mode_name(m));
    const Chain& c = chain(m);
    const auto& eoa = f.accounts.at(kEoa).fields;
    const json eoa_claim = {{"kind", "account"},
                            {"block", kProvingNumber},
                            {"address", hex(kEoa)},
                            {"nonce", "7"},
                            {"balance", "309485009821345068724793401"},
                            {"storageHash", hex(eth::empty_trie_root())},
                            {"codeHash", hex(eth::empty_code_hash())}};
    const json eoa_bundle = make_bundle(c, account_inclusion(kEoa));
    CHECK(eoa_bundle["inclusion"]["balance"] == "309485009821345068724793401");
    CHECK(eoa.nonce == 7);
    expect_valid(eoa_bundle, expected_result(c, kProvingNumber, eoa_claim, 1));

    const auto& ep = f.accounts.at(kEndpoint).fields;
    json st_claim = {{"kind", "storage"},
                     {"block", kProvingNumber},
                     {"address", hex(kEndpoint)},
                     {"nonce", "1"},
                     {"balance", decimal(ep.balance)},
                     {"storageHash", hex(ep.storage_hash)},
                     {"codeHash", hex(ep.code_hash)},
                     {"key", hex(f.receipt_slot)},
                     {"value", hex(f.ack_commitment)}};
    expect_valid(make_bundle(c, storage_inclusion(kEndpoint, f.receipt_slot)),
                 expected_result(c, kProvingNumber, st_claim, 1));
    // The non-delivery form: an absent slot reads as the zero word.
    st_claim["key"] = hex(f.absent_slot);
    st_claim["value"] = hex(Hash32{});
    expect_valid(make_bundle(c, storage_inclusion(kEndpoint, f.absent_slot)),
                 expected_result(c, kProvingNumber, st_claim, 1));
    // Any held block can be the proving one: the tip (1 confirmation) and the anchor itself.
    json tip_claim = eoa_claim;
    tip_claim["block"] = kTip;
    expect_valid(make_bundle(c, account_inclusion(kEoa, kTip)), expected_result(c, kTip, tip_claim, 1));
    json anchor_claim = eoa_claim;
    anchor_claim["block"] = kAnchorNumber;
    expect_valid(make_bundle(c, account_inclusion(kEoa, kAnchorNumber)),
                 expected_result(c, kAnchorNumber, anchor_claim, 1));
  }
}

TEST_CASE("an absent account is proven with the empty account's values, and only with them") {
  const Chain& c = chain(ConsensusMode::Ibft2);
  const json claim = {{"kind", "account"},
                      {"block", kProvingNumber},
                      {"address", hex(kAbsent)},
                      {"nonce", "0"},
                      {"balance", "0"},
                      {"storageHash", hex(eth::empty_trie_root())},
                      {"codeHash", hex(eth::empty_code_hash())}};
  const json absent = make_bundle(c, account_inclusion(kAbsent));
  expect_valid(absent, expected_result(c, kProvingNumber, claim, 1));
  // Its storage: every slot reads zero under the empty storage trie with the empty proof.
  json st = make_bundle(c, storage_inclusion(kAbsent, fixture().receipt_slot));
  CHECK(st["inclusion"]["storage_proof"].empty());
  json st_claim = claim;
  st_claim["kind"] = "storage";
  st_claim["key"] = hex(fixture().receipt_slot);
  st_claim["value"] = hex(Hash32{});
  expect_valid(st, expected_result(c, kProvingNumber, st_claim, 1));

  // The same absence proof claimed as a funded or used account, or with code or storage: not proven.
  for (const char* field : {"nonce", "balance", "storageHash", "codeHash"}) {
    INFO(field);
    json b = absent;
    if (std::string(field) == "nonce") b["inclusion"]["nonce"] = 1;
    if (std::string(field) == "balance") b["inclusion"]["balance"] = "1";
    if (std::string(field) == "storageHash") b["inclusion"]["storageHash"] = hex(fixture().accounts.at(kEndpoint).fields.storage_hash);
    if (std::string(field) == "codeHash") b["inclusion"]["codeHash"] = hex(keccak_str("code"));
    expect_error(b, 1, "ERR_CLAIM_MISMATCH", At{"inclusion"});
  }
  // A present account's proof offered for the absent address does not prove the absence.
  json wrong = absent;
  wrong["inclusion"]["proof"] = account_inclusion(kEoa)["proof"];
  expect_error(wrong, 1, "ERR_MPT_PROOF", At{"inclusion.proof"});
}

TEST_CASE("a corrupted seal is rejected at the header's index") {
  for (ConsensusMode m : {ConsensusMode::Qbft, ConsensusMode::Ibft2, ConsensusMode::Clique}) {
    INFO("consensus " << mode_name(m));
    const Chain& c = chain(m);
    const std::string seal_at = is_bft(m) ? ".committed_seals[0]" : ".extraData.seal";
    // A flipped byte in r, in s, or the recovery id 0 ↔ 1: the seal recovers another key (or none), never a
    // validator of the set. Which of the two happens is fixed by the deterministic keys (RFC 6979).
    // Expected: ERR_SIG_INVALID where the altered r is no curve point's x, else ERR_NOT_VALIDATOR.
    struct Flip {
      std::uint64_t number;
      std::size_t byte;
      bool no_point;
    };
    const bool q = m == ConsensusMode::Qbft;
    for (const Flip f : {Flip{103, 3, q}, Flip{103, 40, false}, Flip{101, 64, false}, Flip{kTip, 31, true}}) {
      INFO("block " << f.number << " seal byte " << f.byte);
      json b = packet_bundle(m);
      const std::size_t index = f.number - kAnchorNumber - 1;
      b["headers"][index] = rlp_hex(with_seal_byte_flipped(c, f.number, f.byte));
      const Outcome o = run(b);
      INFO(o.out.dump());
      CHECK(o.exit_code == 1);
      CHECK(o.code() == (f.no_point ? "ERR_SIG_INVALID" : "ERR_NOT_VALIDATOR"));
      CHECK(o.at() == "headers[" + std::to_string(index) + "]" + seal_at);
    }
  }
}

TEST_CASE("QBFT and IBFT 2.0: a quorum is ceil(2n/3) distinct validators; below it the header is rejected") {
  for (ConsensusMode m : {ConsensusMode::Qbft, ConsensusMode::Ibft2}) {
    INFO("consensus " << mode_name(m));
    Chain c = chain(m);
    // 3 of 4 seals on every header: valid (the boundary).
    for (std::uint64_t n = kAnchorNumber + 1; n <= kTip; ++n) c.headers[n - kAnchorNumber] = seal(c, c.at(n), 3);
    expect_valid(make_bundle(c, receipt_inclusion(kTxPacket, 1)), expected_result(c, kProvingNumber, packet_claim(), 1));
    // 2 of 4 on block 104: rejected there.
    Chain low = chain(m);
    low.headers[104 - kAnchorNumber] = seal(low, low.at(104), 2);
    expect_error(make_bundle(low, receipt_inclusion(kTxPacket, 1)), 1, "ERR_INSUFFICIENT_QUORUM", At{"headers[3]"});
    // No seal at all on the proving block.
    Chain none = chain(m);
    none.headers[kProvingNumber - kAnchorNumber] = seal(none, none.at(kProvingNumber), 0);
    expect_error(make_bundle(none, receipt_inclusion(kTxPacket, 1)), 1, "ERR_INSUFFICIENT_QUORUM", At{"headers[1]"});
    // 4 seals by keys outside the set.
    Chain outsiders = chain(m);
    const auto others = ethereum::test::make_signers(4, 50);
    eth::Header h = outsiders.at(103);
    {
      const auto v = variant_of(m);
      auto e = eth::bft::decode_extra(v, h.extra_data).value();
      e.seals.clear();
      h.extra_data = eth::bft::encode_extra(v, e);
      const Hash32 digest = eth::bft::committed_seal_hash(v, h).value();
      for (const auto& s : others) e.seals.push_back(ethereum::test::seal_of(digest, s.key));
      h.extra_data = eth::bft::encode_extra(v, e);
    }
    outsiders.headers[103 - kAnchorNumber] = h;
    expect_error(make_bundle(outsiders, receipt_inclusion(kTxPacket, 1)), 1, "ERR_NOT_VALIDATOR", At{"headers[2]"});
  }
}

TEST_CASE("Clique: a header sealed by a key outside the signer set is rejected at its index") {
  Chain c = chain(ConsensusMode::Clique);
  const auto outsider = ethereum::test::make_signers(1, 60).at(0);
  eth::Header h = c.at(104);
  h.extra_data.assign(32 + 65, 0x11);
  std::fill(h.extra_data.end() - 65, h.extra_data.end(), 0);
  const auto sig = ethereum::test::seal_of(eth::clique::seal_hash(h).value(), outsider.key);
  std::copy(sig.begin(), sig.end(), h.extra_data.end() - 65);
  c.headers[104 - kAnchorNumber] = h;
  relink_from(c, 104);
  expect_error(make_bundle(c, receipt_inclusion(kTxPacket, 1)), 1, "ERR_NOT_VALIDATOR", At{"headers[3]"});
}

TEST_CASE("a header that does not link to the previous one is rejected at its index") {
  for (ConsensusMode m : kAllModes) {
    INFO("consensus " << mode_name(m));
    Chain c = chain(m);
    eth::Header h = c.at(103);
    h.parent_hash = keccak_str("another parent");
    c.headers[103 - kAnchorNumber] = seal(c, h, full_seals(c));  // validly sealed, wrong parent
    expect_error(make_bundle(c, receipt_inclusion(kTxPacket, 1)), 1, "ERR_PREV_HASH_MISMATCH", At{"headers[2]"});

    // A gap: header 103 left out, so headers[2] is 104.
    json gap = packet_bundle(m);
    gap["headers"].erase(2);
    expect_error(gap, 1, "ERR_PREV_HASH_MISMATCH", At{"headers[2]"});

    // Headers in the wrong order.
    json swapped = packet_bundle(m);
    std::swap(swapped["headers"][3], swapped["headers"][4]);
    expect_error(swapped, 1, "ERR_PREV_HASH_MISMATCH", At{"headers[3]"});

    // The anchor repeated as the first header.
    json repeated = packet_bundle(m);
    repeated["headers"].insert(repeated["headers"].begin(), rlp_hex(c.at(kAnchorNumber)));
    expect_error(repeated, 1, "ERR_PREV_HASH_MISMATCH", At{"headers[0]"});
  }
}

TEST_CASE("a corrupted receipt proof or a claim that differs from the log is rejected at the inclusion") {
  for (ConsensusMode m : {ConsensusMode::Qbft, ConsensusMode::RpcTrusted}) {
    INFO("consensus " << mode_name(m));
    const json good = packet_bundle(m);
    const std::size_t nodes = good["inclusion"]["proof"].size();
    REQUIRE(nodes >= 2);
    for (std::size_t i = 0; i < nodes; ++i) {
      INFO("proof node " << i);
      json b = good;
      flip_hex_byte(b["inclusion"]["proof"][i], b["inclusion"]["proof"][i].get<std::string>().size() / 2 - 2);
      const Outcome o = expect_error(b, 1, "ERR_MPT_PROOF", At{"inclusion.proof"});
      check_node_at(o.at(), "inclusion.proof", i);
    }
    json dropped = good;
    dropped["inclusion"]["proof"].erase(nodes - 1);
    expect_error(dropped, 1, "ERR_MPT_PROOF", At{"inclusion.proof"});
    json extra = good;
    extra["inclusion"]["proof"].push_back(good["inclusion"]["proof"][nodes - 1]);
    expect_error(extra, 1, "ERR_MPT_PROOF", At{"inclusion.proof"});
    // The proof of receipt 1 claimed for receipt 0.
    json other_index = good;
    other_index["inclusion"]["tx_index"] = 0;
    expect_error(other_index, 1, "ERR_MPT_PROOF", At{"inclusion.proof"});
    // The proof for a transaction index the block does not have.
    json beyond = good;
    beyond["inclusion"]["tx_index"] = 9;
    expect_error(beyond, 1, "ERR_MPT_PROOF", At{"inclusion.proof"});

    // Log claims.
    json topic = good;
    flip_hex_byte(topic["inclusion"]["topics"][2], 31);  // sequence 7 → 6
    expect_error(topic, 1, "ERR_LOG_MISMATCH", At{"inclusion"});
    json fewer = good;
    fewer["inclusion"]["topics"].erase(2);
    expect_error(fewer, 1, "ERR_LOG_MISMATCH", At{"inclusion"});
    json data = good;
    flip_hex_byte(data["inclusion"]["data"], 100);
    expect_error(data, 1, "ERR_LOG_MISMATCH", At{"inclusion"});
    json no_data = good;
    no_data["inclusion"]["data"] = "0x";
    expect_error(no_data, 1, "ERR_LOG_MISMATCH", At{"inclusion"});
    json log0 = good;  // log 0 is the endpoint's Ping: the PacketSent topics do not match it
    log0["inclusion"]["log_index"] = 0;
    const Outcome o = expect_error(log0, 1, "ERR_LOG_MISMATCH", At{"inclusion"});
    CHECK(o.at() == "inclusion.topics");
    json no_log = good;
    no_log["inclusion"]["log_index"] = 2;
    expect_error(no_log, 1, "ERR_LOG_MISMATCH", At{"inclusion"});
  }
}

TEST_CASE("a receipt with status 0 proves nothing") {
  for (ConsensusMode m : kAllModes) {
    INFO("consensus " << mode_name(m));
    expect_error(make_bundle(chain(m), receipt_inclusion(kTxReverted, 0)), 1, "ERR_RECEIPT_STATUS", At{"inclusion"});
  }
}

TEST_CASE("A19 a PacketSent log is bound to its emitter in a bundle") {
  const Chain& c = chain(ConsensusMode::Qbft);
  // One receipt, two logs of identical topics and data: the endpoint's (log 1) is proven, the impostor's (log
  // 0) claimed as the endpoint's is not.
  expect_error(make_bundle(c, receipt_inclusion(kTxTwoEmitters, 0, kEndpoint)), 1, "ERR_WRONG_EMITTER",
               At{"inclusion"});
  // A receipt holding only the impostor's log.
  expect_error(make_bundle(c, receipt_inclusion(kTxImpostor, 0, kEndpoint)), 1, "ERR_WRONG_EMITTER", At{"inclusion"});
  // The endpoint's log claimed for the impostor.
  expect_error(make_bundle(c, receipt_inclusion(kTxPacket, 1, kImpostor)), 1, "ERR_WRONG_EMITTER", At{"inclusion"});
  // Claimed honestly as the impostor's, the log verifies — and the claim names the impostor, so the relay's
  // registered-endpoint check (not this offline verifier) refuses it.
  const Outcome o = run(make_bundle(c, receipt_inclusion(kTxImpostor, 0)));
  REQUIRE(o.exit_code == 0);
  CHECK(o.out["claim"]["emitter"] == hex(kImpostor));
  CHECK(o.out["claim"]["emitter"] != hex(kEndpoint));
}

TEST_CASE("A20 a PacketSent whose commitment topic does not bind the logged packet is rejected") {
  const Fixture& f = fixture();
  const Chain& c = chain(ConsensusMode::Clique);
  // The log names the real packet's commitment but carries a packet to another destination.
  const Outcome o = expect_error(make_bundle(c, receipt_inclusion(kTxUnbound, 0)), 1, "ERR_LOG_MISMATCH",
                                 At{"inclusion.topics[1]"});
  CHECK(o.at() == "inclusion.topics[1]");
  // The honest packet's claim reports the destination the commitment binds.
  const Outcome ok = run(packet_bundle(ConsensusMode::Clique));
  REQUIRE(ok.exit_code == 0);
  CHECK(ok.out["claim"]["packet"]["dest_island"] == "eip155:31338");
  CHECK(ok.out["claim"]["packet"]["commitment"] == hex(f.commitment));
  CHECK(ok.out["claim"]["packet"]["commitment"] != hex(packet::commitment(f.unbound_packet)));
}

TEST_CASE("account and storage claims that differ from the proven values are ERR_CLAIM_MISMATCH") {
  const Fixture& f = fixture();
  for (ConsensusMode m : {ConsensusMode::Ibft2, ConsensusMode::RpcTrusted}) {
    INFO("consensus " << mode_name(m));
    const Chain& c = chain(m);
    const json acc = make_bundle(c, account_inclusion(kEoa));
    json nonce = acc;
    nonce["inclusion"]["nonce"] = 8;
    expect_error(nonce, 1, "ERR_CLAIM_MISMATCH", At{"inclusion"});
    json balance = acc;
    balance["inclusion"]["balance"] = "309485009821345068724793400";
    expect_error(balance, 1, "ERR_CLAIM_MISMATCH", At{"inclusion"});
    json storage_hash = acc;
    storage_hash["inclusion"]["storageHash"] = hex(f.accounts.at(kEndpoint).fields.storage_hash);
    expect_error(storage_hash, 1, "ERR_CLAIM_MISMATCH", At{"inclusion"});
    json code_hash = acc;
    code_hash["inclusion"]["codeHash"] = hex(f.accounts.at(kEndpoint).fields.code_hash);
    expect_error(code_hash, 1, "ERR_CLAIM_MISMATCH", At{"inclusion"});
    // Another address with this address' proof.
    json other = acc;
    other["inclusion"]["address"] = hex(kEndpoint);
    expect_error(other, 1, "ERR_MPT_PROOF", At{"inclusion.proof"});
    // A proof node byte.
    for (std::size_t i = 0; i < acc["inclusion"]["proof"].size(); ++i) {
      INFO("account proof node " << i);
      json b = acc;
      flip_hex_byte(b["inclusion"]["proof"][i], 5);
      const Outcome o = run(b);
      INFO(o.out.dump());
      CHECK(o.exit_code == 1);
      CHECK((o.code() == "ERR_MPT_PROOF" || o.code() == "ERR_MPT_NODE_ENCODING" ||
             o.code().rfind("ERR_RLP_", 0) == 0));
      test::check_at(o.at(), At{"inclusion.proof"});
    }

    const json st = make_bundle(c, storage_inclusion(kEndpoint, f.receipt_slot));
    json value = st;
    flip_hex_byte(value["inclusion"]["value"], 31);
    expect_error(value, 1, "ERR_CLAIM_MISMATCH", At{"inclusion.value"});
    json zero = st;  // a stored receipt claimed absent (a forged non-delivery)
    zero["inclusion"]["value"] = hex(Hash32{});
    expect_error(zero, 1, "ERR_CLAIM_MISMATCH", At{"inclusion.value"});
    json slot = st;  // the proof of one slot for another
    slot["inclusion"]["key"] = hex(f.other_slot);
    expect_error(slot, 1, "ERR_MPT_PROOF", At{"inclusion.storage_proof"});
    json absent_forged = make_bundle(c, storage_inclusion(kEndpoint, f.absent_slot));
    absent_forged["inclusion"]["value"] = hex(f.ack_commitment);  // a receipt that was never written
    expect_error(absent_forged, 1, "ERR_CLAIM_MISMATCH", At{"inclusion.value"});
    for (std::size_t i = 0; i < st["inclusion"]["storage_proof"].size(); ++i) {
      INFO("storage proof node " << i);
      json b = st;
      flip_hex_byte(b["inclusion"]["storage_proof"][i], 5);
      const Outcome o = run(b);
      INFO(o.out.dump());
      CHECK(o.exit_code == 1);
      test::check_at(o.at(), At{"inclusion.storage_proof"});
    }
  }
}

TEST_CASE("clique and rpc-trusted: min_confirmations above the count is ERR_INSUFFICIENT_CONFIRMATIONS") {
  for (ConsensusMode m : {ConsensusMode::Clique, ConsensusMode::RpcTrusted}) {
    INFO("consensus " << mode_name(m));
    expect_valid(packet_bundle(m, 5), expected_result(chain(m), kProvingNumber, packet_claim(), 5));
    expect_error(packet_bundle(m, 6), 1, "ERR_INSUFFICIENT_CONFIRMATIONS", At{"inclusion"});
    expect_error(packet_bundle(m, 1000), 1, "ERR_INSUFFICIENT_CONFIRMATIONS", At{"inclusion"});
    // Fewer headers after the proving block: 2 confirmations.
    expect_error(make_bundle(chain(m), receipt_inclusion(kTxPacket, 1), 3, 103), 1, "ERR_INSUFFICIENT_CONFIRMATIONS",
                 At{"inclusion"});
    expect_valid(make_bundle(chain(m), receipt_inclusion(kTxPacket, 1), 2, 103),
                 expected_result(chain(m), kProvingNumber, packet_claim(), 2, "as-given", 103));
    // The tip itself has one confirmation.
    expect_error(make_bundle(chain(m), account_inclusion(kEoa, kTip), 2), 1, "ERR_INSUFFICIENT_CONFIRMATIONS",
                 At{"inclusion"});
  }
}

TEST_CASE("a proving block outside the bundle's headers is ERR_UNKNOWN_HEADER") {
  for (ConsensusMode m : kAllModes) {
    INFO("consensus " << mode_name(m));
    const Chain& c = chain(m);
    expect_error(make_bundle(c, account_inclusion(kEoa, kTip + 1)), 1, "ERR_UNKNOWN_HEADER", At{"inclusion"});
    expect_error(make_bundle(c, account_inclusion(kEoa, kAnchorNumber - 1)), 1, "ERR_UNKNOWN_HEADER", At{"inclusion"});
    expect_error(make_bundle(c, account_inclusion(kEoa, 0)), 1, "ERR_UNKNOWN_HEADER", At{"inclusion"});
    // Headers end before the proving block.
    expect_error(make_bundle(c, receipt_inclusion(kTxPacket, 1), 1, 101), 1, "ERR_UNKNOWN_HEADER", At{"inclusion"});
    json no_headers = make_bundle(c, receipt_inclusion(kTxPacket, 1));
    no_headers["headers"] = json::array();
    expect_error(no_headers, 1, "ERR_UNKNOWN_HEADER", At{"inclusion"});
  }
}

TEST_CASE("rpc-trusted is refused for public chain ids unless allow_rpc_trusted_public; always labelled") {
  for (const char* island : {"eip155:1", "eip155:11155111", "eip155:17000"}) {
    INFO(island);
    const Chain c = make_chain(ConsensusMode::RpcTrusted, island);
    json b = make_bundle(c, receipt_inclusion(kTxPacket, 1));
    expect_error(b, 1, "ERR_RPC_TRUSTED_REFUSED", At{"consensus"});
    b["allow_rpc_trusted_public"] = false;
    expect_error(b, 1, "ERR_RPC_TRUSTED_REFUSED", At{"consensus"});
    b["allow_rpc_trusted_public"] = true;
    expect_valid(b, expected_result(c, kProvingNumber, packet_claim(), 1));
    CHECK(run(b).out["trust"] == "rpc-trusted");
  }
  // Not public: no override needed; the override changes nothing.
  const Chain& dev = chain(ConsensusMode::RpcTrusted);
  json b = packet_bundle(ConsensusMode::RpcTrusted);
  b["allow_rpc_trusted_public"] = true;
  expect_valid(b, expected_result(dev, kProvingNumber, packet_claim(), 1));
  // The override does not turn a consensus chain into rpc-trusted.
  json q = packet_bundle(ConsensusMode::Qbft);
  q["allow_rpc_trusted_public"] = true;
  CHECK(run(q).out["trust"] == "quorum");
}

TEST_CASE("A03 bundle anchored at a header outside the trust file is rejected") {
  for (ConsensusMode m : kAllModes) {
    INFO("consensus " << mode_name(m));
    const Chain& c = chain(m);
    const json b = packet_bundle(m);
    const Hash32 anchor_hash = c.hash_at(kAnchorNumber);
    const TrustList listed = trust_of(kDevIsland, kAnchorNumber, anchor_hash);
    expect_valid(b, expected_result(c, kProvingNumber, packet_claim(), 1, "trust-file"), &listed);
    // Listed among others.
    TrustList several = trust_of("eip155:31338", kAnchorNumber, anchor_hash);
    several.push_back(TrustedAnchor{kDevIsland, kAnchorNumber + 1, anchor_hash, std::nullopt});
    several.push_back(listed.at(0));
    expect_valid(b, expected_result(c, kProvingNumber, packet_claim(), 1, "trust-file"), &several);

    const TrustList empty;
    expect_error(b, 1, "ERR_UNTRUSTED_ANCHOR", At{"anchor"}, &empty);
    const TrustList other_hash = trust_of(kDevIsland, kAnchorNumber, keccak_str("another anchor"));
    expect_error(b, 1, "ERR_UNTRUSTED_ANCHOR", At{"anchor"}, &other_hash);
    const TrustList other_height = trust_of(kDevIsland, kAnchorNumber + 1, anchor_hash);
    expect_error(b, 1, "ERR_UNTRUSTED_ANCHOR", At{"anchor"}, &other_height);
    const TrustList other_island = trust_of("eip155:31338", kAnchorNumber, anchor_hash);
    expect_error(b, 1, "ERR_UNTRUSTED_ANCHOR", At{"anchor"}, &other_island);
    // A later trusted header of the same chain does not vouch for an earlier anchor.
    const TrustList later = trust_of(kDevIsland, 101, c.hash_at(101));
    expect_error(b, 1, "ERR_UNTRUSTED_ANCHOR", At{"anchor"}, &later);
  }
  // A self-made chain: the prover's own validator set and anchor, with a valid proof under it.
  Chain fake = chain(ConsensusMode::Qbft);
  fake.signers = ethereum::test::make_signers(4, 70);
  Hash32 parent = keccak_str("block 99");
  for (std::uint64_t n = kAnchorNumber; n <= kTip; ++n) {
    fake.headers[n - kAnchorNumber] = seal(fake, plain_header(fake, n, parent), 4);
    parent = fake.hash_at(n);
  }
  // The real chain's anchor with a validator set of the prover's choosing: refused against the anchor's own list.
  for (ConsensusMode m : {ConsensusMode::Qbft, ConsensusMode::Clique}) {
    json b = packet_bundle(m);
    json v = json::array();
    for (const auto& s : ethereum::test::make_signers(m == ConsensusMode::Qbft ? 4 : 3, 80)) v.push_back(hex(s.address));
    b["anchor"]["validators"] = v;
    expect_error(b, 1, "ERR_VALIDATOR_SET_MISMATCH", At{"anchor.validators"});
  }
  const json forged = make_bundle(fake, receipt_inclusion(kTxPacket, 1));
  CHECK(run(forged).exit_code == 0);  // as given, it verifies: only the trust file tells
  const TrustList real = trust_of(kDevIsland, kAnchorNumber, chain(ConsensusMode::Qbft).hash_at(kAnchorNumber));
  expect_error(forged, 1, "ERR_UNTRUSTED_ANCHOR", At{"anchor"}, &real);
}

TEST_CASE("A01 all-zero roots are never trusted in an ethereum bundle") {
  for (ConsensusMode m : kAllModes) {
    INFO("consensus " << mode_name(m));
    // Anchor with a zero stateRoot, then with a zero receiptsRoot (each re-sealed and re-linked).
    for (const char* root : {"stateRoot", "receiptsRoot"}) {
      INFO(root);
      Chain c = chain(m);
      eth::Header a = c.at(kAnchorNumber);
      (std::string(root) == "stateRoot" ? a.state_root : a.receipts_root) = Hash32{};
      c.headers[0] = seal(c, a, full_seals(c));
      relink_from(c, kAnchorNumber);
      expect_error(make_bundle(c, account_inclusion(kEoa)), 1, "ERR_ZERO_ROOT", At{"anchor"});
    }
    // The proving header with a zero receiptsRoot and an empty proof; with a zero stateRoot.
    {
      Chain c = chain(m);
      eth::Header h = c.at(kProvingNumber);
      h.receipts_root = Hash32{};
      c.headers[kProvingNumber - kAnchorNumber] = seal(c, h, full_seals(c));
      relink_from(c, kProvingNumber);
      json b = make_bundle(c, receipt_inclusion(kTxPacket, 1));
      expect_error(b, 1, "ERR_ZERO_ROOT", At{"inclusion.proof"});
      b["inclusion"]["proof"] = json::array();
      expect_error(b, 1, "ERR_ZERO_ROOT", At{"inclusion.proof"});
    }
    {
      Chain c = chain(m);
      eth::Header h = c.at(kProvingNumber);
      h.state_root = Hash32{};
      c.headers[kProvingNumber - kAnchorNumber] = seal(c, h, full_seals(c));
      relink_from(c, kProvingNumber);
      json b = make_bundle(c, account_inclusion(kEoa));
      b["inclusion"]["proof"] = json::array();
      expect_error(b, 1, "ERR_ZERO_ROOT", At{"inclusion.proof"});
    }
  }
  // A trust file listing an all-zero anchor hash is refused outright.
  const auto parsed = parse_trust_list(R"([{"island":"eip155:31337","height":100,"hash":"0x)" + std::string(64, '0') +
                                       R"("}])");
  REQUIRE_FALSE(parsed.has_value());
  CHECK(parsed.error().code == Code::ZeroRoot);
}

TEST_CASE("A17 a seal's high-S twin counts once for its signer") {
  for (ConsensusMode m : {ConsensusMode::Qbft, ConsensusMode::Ibft2}) {
    INFO("consensus " << mode_name(m));
    const auto v = variant_of(m);
    Chain c = chain(m);
    eth::Header h = c.at(103);
    auto e = eth::bft::decode_extra(v, h.extra_data).value();
    REQUIRE(e.seals.size() == 4);
    // Ethereum seals accept either S (DESIGN.md §4): a twin in place of the original still counts.
    auto twin_only = e;
    twin_only.seals[0] = ethereum::test::high_s_twin(e.seals[0]);
    h.extra_data = eth::bft::encode_extra(v, twin_only);
    c.headers[103 - kAnchorNumber] = h;
    expect_valid(make_bundle(c, receipt_inclusion(kTxPacket, 1)), expected_result(c, kProvingNumber, packet_claim(), 1));
    // Two seals of one validator (original + twin) and one other: 2 distinct of the 3 needed.
    auto dup = e;
    dup.seals = {e.seals[0], ethereum::test::high_s_twin(e.seals[0]), e.seals[1]};
    h.extra_data = eth::bft::encode_extra(v, dup);
    c.headers[103 - kAnchorNumber] = h;
    expect_error(make_bundle(c, receipt_inclusion(kTxPacket, 1)), 1, "ERR_DUPLICATE_SEAL", At{"headers[2]"});
  }
  // Clique: the high-S twin of the seal recovers the same signer: the header verifies (another block hash).
  Chain c = chain(ConsensusMode::Clique);
  eth::Header h = c.at(kTip);
  std::array<std::uint8_t, 65> s{};
  std::copy(h.extra_data.end() - 65, h.extra_data.end(), s.begin());
  const auto twin = ethereum::test::high_s_twin(s);
  std::copy(twin.begin(), twin.end(), h.extra_data.end() - 65);
  c.headers[kTip - kAnchorNumber] = h;
  expect_valid(make_bundle(c, receipt_inclusion(kTxPacket, 1)), expected_result(c, kProvingNumber, packet_claim(), 1));
}

TEST_CASE("ethereum bundles that violate the schema exit 2 with ERR_BUNDLE_SCHEMA") {
  const json good = packet_bundle(ConsensusMode::Qbft);
  REQUIRE(run(good).exit_code == 0);
  struct Case {
    const char* name;
    std::function<void(json&)> mutate;
  };
  const std::vector<Case> cases = {
      {"no consensus", [](json& b) { b.erase("consensus"); }},
      {"unknown consensus", [](json& b) { b["consensus"] = "pow"; }},
      {"uppercase consensus", [](json& b) { b["consensus"] = "QBFT"; }},
      {"no headers", [](json& b) { b.erase("headers"); }},
      {"anchor without header", [](json& b) { b["anchor"].erase("header"); }},
      {"anchor with an unknown field", [](json& b) { b["anchor"]["trusted"] = true; }},
      {"validator not 20 bytes", [](json& b) { b["anchor"]["validators"][0] = "0x1234"; }},
      {"negative epoch", [](json& b) { b["anchor"]["epoch"] = -1; }},
      {"island of another namespace", [](json& b) { b["island"] = "bip122:000000000019d6689c085ae165831e93"; }},
      {"island chain id 0", [](json& b) { b["island"] = "eip155:0"; }},
      {"island with a leading zero", [](json& b) { b["island"] = "eip155:031337"; }},
      {"a caller-supplied verdict (A02)", [](json& b) { b["verified"] = true; }},
      {"allow_rpc_trusted_public not a boolean", [](json& b) { b["allow_rpc_trusted_public"] = "yes"; }},
      {"inclusion kind tx", [](json& b) { b["inclusion"]["kind"] = "tx"; }},
      {"receipt without proof", [](json& b) { b["inclusion"].erase("proof"); }},
      {"receipt with an extra field", [](json& b) { b["inclusion"]["packet"] = "0x"; }},
      {"emitter not 20 bytes", [](json& b) { b["inclusion"]["emitter"] = "0x" + std::string(42, 'a'); }},
      {"five topics", [](json& b) { b["inclusion"]["topics"].push_back(b["inclusion"]["topics"][0]);
                                     b["inclusion"]["topics"].push_back(b["inclusion"]["topics"][0]); }},
      {"topic not 32 bytes", [](json& b) { b["inclusion"]["topics"][0] = "0x01"; }},
      {"block negative", [](json& b) { b["inclusion"]["block"] = -102; }},
      {"block with a leading zero", [](json& b) { b["inclusion"]["block"] = "0102"; }},
      {"block a float", [](json& b) { b["inclusion"]["block"] = 102.5; }},
      {"min_confirmations 0", [](json& b) { b["finality"]["min_confirmations"] = 0; }},
      {"min_confirmations negative", [](json& b) { b["finality"]["min_confirmations"] = -1; }},
      {"finality with an unknown field", [](json& b) { b["finality"]["depth"] = 3; }},
      {"version 2", [](json& b) { b["version"] = 2; }},
  };
  for (const Case& k : cases) {
    INFO(k.name);
    json b = good;
    k.mutate(b);
    const Outcome o = run(b);
    INFO(o.out.dump());
    CHECK(o.exit_code == 2);
    CHECK(o.code() == "ERR_BUNDLE_SCHEMA");
  }
  // Hex that is not whole 0x-prefixed bytes: not a bundle either (the schema or the strict hex reader).
  const std::vector<Case> bad_hex = {
      {"header without 0x", [](json& b) { b["headers"][0] = b["headers"][0].get<std::string>().substr(2); }},
      {"odd-length header", [](json& b) { b["headers"][0] = "0xf"; }},
      {"anchor header not hex", [](json& b) { b["anchor"]["header"] = "0xzz"; }},
      {"proof node odd length", [](json& b) { b["inclusion"]["proof"][0] = "0x123"; }},
      {"data without 0x", [](json& b) { b["inclusion"]["data"] = "00"; }},
  };
  for (const Case& k : bad_hex) {
    INFO(k.name);
    json b = good;
    k.mutate(b);
    const Outcome o = run(b);
    INFO(o.out.dump());
    CHECK(o.exit_code == 2);
    CHECK((o.code() == "ERR_BUNDLE_SCHEMA" || o.code() == "ERR_BAD_HEX"));
  }
  // Account and storage inclusions.
  json acc = make_bundle(chain(ConsensusMode::Qbft), account_inclusion(kEoa));
  json no_code = acc;
  no_code["inclusion"].erase("codeHash");
  CHECK(run(no_code).exit_code == 2);
  json storage_no_proof = make_bundle(chain(ConsensusMode::Qbft), storage_inclusion(kEndpoint, fixture().receipt_slot));
  storage_no_proof["inclusion"].erase("storage_proof");
  CHECK(run(storage_no_proof).exit_code == 2);
  json balance_hex = acc;
  balance_hex["inclusion"]["balance"] = "0x10";
  CHECK(run(balance_hex).exit_code == 2);
  json short_key = make_bundle(chain(ConsensusMode::Qbft), storage_inclusion(kEndpoint, fixture().receipt_slot));
  short_key["inclusion"]["key"] = "0x00";
  CHECK(run(short_key).exit_code == 2);
  // Not JSON at all.
  const Outcome nj = run(std::string("{\"version\": 1, \"family\": \"ethereum\""));
  CHECK(nj.exit_code == 2);
  CHECK(nj.code() == "ERR_BUNDLE_PARSE");
}

TEST_CASE("a header that is not canonical RLP or of no fork shape is rejected at its index (exit 1)") {
  const json good = packet_bundle(ConsensusMode::RpcTrusted);
  json trailing = good;
  trailing["headers"][1] = trailing["headers"][1].get<std::string>() + "00";
  const Outcome t = run(trailing);
  CHECK(t.exit_code == 1);
  CHECK(t.code() == "ERR_RLP_TRAILING");
  test::check_at(t.at(), At{"headers[1]"});
  json garbage = good;
  garbage["headers"][1] = "0x00";
  const Outcome g = run(garbage);
  CHECK(g.exit_code == 1);
  test::check_at(g.at(), At{"headers[1]"});
  json anchor = good;
  anchor["anchor"]["header"] = "0xc0";
  const Outcome a = run(anchor);
  CHECK(a.exit_code == 1);
  test::check_at(a.at(), At{"anchor.header"});
}

TEST_CASE("verification is deterministic and keeps no state between ethereum bundles") {
  const json good = packet_bundle(ConsensusMode::Clique);
  json bad = good;
  flip_hex_byte(bad["inclusion"]["proof"][0], 7);
  const std::string first = verify_bundle(good.dump(), nullptr, kVerifyTime).output_json;
  CHECK(verify_bundle(bad.dump(), nullptr, kVerifyTime).exit_code == 1);
  CHECK(verify_bundle(good.dump(), nullptr, kVerifyTime).output_json == first);
  // verify_time_s in the bundle stands in for now: the caller's clock does not change the verdict.
  CHECK(verify_bundle(good.dump(), nullptr, 0).output_json == first);
  // Without verify_time_s, a clock before the headers' times rejects them as too new.
  json no_time = good;
  no_time.erase("verify_time_s");
  const Verdict early = verify_bundle(no_time.dump(), nullptr, static_cast<std::int64_t>(kT0));
  CHECK(early.exit_code == 1);
  REQUIRE(early.error.has_value());
  CHECK(early.error->code == Code::TimeTooNew);
  CHECK(verify_bundle(no_time.dump(), nullptr, kVerifyTime).exit_code == 0);
}

// ---- regressions of bugs found by these tests ------------------------------------------------------------------

TEST_CASE("qbft/ibft2 and the anchor block: min_confirmations above the count is ERR_INSUFFICIENT_CONFIRMATIONS") {
  // PROOF-BUNDLE.md "Common fields": finality.min_confirmations is compared with tip − proving + 1, for every
  // family and mode, even where the light client already calls the block final (BFT headers, the anchor).
  for (ConsensusMode m : {ConsensusMode::Qbft, ConsensusMode::Ibft2}) {
    INFO("consensus " << mode_name(m));
    expect_valid(packet_bundle(m, 5), expected_result(chain(m), kProvingNumber, packet_claim(), 5));
    expect_error(packet_bundle(m, 6), 1, "ERR_INSUFFICIENT_CONFIRMATIONS", At{"inclusion"});
  }
  for (ConsensusMode m : kAllModes) {
    INFO("consensus " << mode_name(m) << ", proving block = anchor (7 confirmations)");
    expect_error(make_bundle(chain(m), account_inclusion(kEoa, kAnchorNumber), 8), 1, "ERR_INSUFFICIENT_CONFIRMATIONS",
                 At{"inclusion"});
  }
  // rpc-trusted, no headers at all: the anchor "as given" with 1 confirmation passes min_confirmations 1000.
  json bare = make_bundle(chain(ConsensusMode::RpcTrusted), account_inclusion(kEoa, kAnchorNumber), 1000);
  bare["headers"] = json::array();
  expect_error(bare, 1, "ERR_INSUFFICIENT_CONFIRMATIONS", At{"inclusion"});
}

TEST_CASE("hex input is case-insensitive and the result's claim is lowercase") {
  // PROOF-BUNDLE.md "Encodings": input case-insensitive, output lowercase: the claim prints parsed values.
  const auto upper = [](json& field) {
    std::string s = field.get<std::string>();
    for (char& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    field = s;  // "0X…" included: the prefix is case-insensitive too
  };
  json r = packet_bundle(ConsensusMode::Qbft);
  for (auto& t : r["inclusion"]["topics"]) upper(t);
  upper(r["inclusion"]["emitter"]);
  upper(r["inclusion"]["data"]);
  expect_valid(r, expected_result(chain(ConsensusMode::Qbft), kProvingNumber, packet_claim(), 1));
  json a = make_bundle(chain(ConsensusMode::Qbft), storage_inclusion(kEndpoint, fixture().receipt_slot));
  upper(a["inclusion"]["address"]);
  upper(a["inclusion"]["key"]);
  upper(a["inclusion"]["value"]);
  const Outcome o = run(a);
  REQUIRE(o.exit_code == 0);
  CHECK(o.out["claim"]["address"] == hex(kEndpoint));
  CHECK(o.out["claim"]["key"] == hex(fixture().receipt_slot));
  CHECK(o.out["claim"]["value"] == hex(fixture().ack_commitment));
}
