// vectors/packet/golden-v1.json "audit": the leaf's RFC 8785 bytes, leaf hash, one-leaf root, STH message,
// log id and BIP-340 signature, reproduced through relay/audit (jcs, AuditLog, AuditKey, verify_sth).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "causeway/audit/jcs.hpp"
#include "causeway/audit/log.hpp"
#include "causeway/audit/sth.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/core/packet.hpp"
#include "causeway/merkle/rfc6962.hpp"
#include "vectors.hpp"

using namespace causeway;
using namespace causeway::audit;
using nlohmann::json;

namespace {

const json& golden() {
  static const json j = causeway::testing::read_vector_json("packet/golden-v1.json").at("audit");
  return j;
}
Hash32 h32(const json& j) { return hash_from_hex(j.get<std::string>()).value(); }
ByteView bytes_of(const std::string& s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

}  // namespace

TEST_CASE("golden audit: the leaf event canonicalizes to the vector's JCS bytes and hashes to its leaf hash") {
  const json& g = golden();
  const std::string jcs = canonicalize(g.at("leaf_event")).value();
  CHECK(jcs == g.at("leaf_data_jcs").get<std::string>());
  CHECK(parse_canonical(jcs).value() == g.at("leaf_event"));
  CHECK(merkle::rfc6962::leaf_hash(bytes_of(jcs)) == h32(g.at("leaf_hash")));
  CHECK(g.at("tree_size").get<int>() == 1);
  CHECK(h32(g.at("root_hash")) == h32(g.at("leaf_hash")));  // a one-leaf tree's root is its leaf hash
}

TEST_CASE("golden audit: STH message, log id and signature verify; a fresh signature by the golden key verifies") {
  const json& g = golden();
  const auto ts = g.at("sth_timestamp_ms").get<std::uint64_t>();
  CHECK(packet::sth_message_hash(1, ts, h32(g.at("root_hash"))) == h32(g.at("sth_message_hash")));
  const auto key = AuditKey::from_secret(from_hex(g.at("log_private_key").get<std::string>()).value()).value();
  CHECK(to_hex(key.log_id()) == g.at("log_id_xonly_pubkey").get<std::string>());

  SignedTreeHead sth;
  sth.tree_size = 1;
  sth.root_hash = h32(g.at("root_hash"));
  sth.timestamp_ms = ts;
  sth.log_id = key.log_id();
  const Bytes sig = from_hex(g.at("sth_signature_bip340").get<std::string>()).value();
  REQUIRE(sig.size() == 64);
  std::copy(sig.begin(), sig.end(), sth.signature.begin());
  CHECK(verify_sth(sth).has_value());
  // Round trip through the STH JSON.
  CHECK(sth_from_json(sth_to_json(sth)).value() == sth);
  sth.timestamp_ms += 1;
  CHECK(verify_sth(sth).error().code == Code::SthSignature);

  // BIP-340 signatures are randomized: a fresh one differs but verifies.
  const auto fresh = key.sign(1, h32(g.at("root_hash")), ts).value();
  CHECK(verify_sth(fresh).has_value());
}

TEST_CASE("golden audit: an AuditLog holding the golden leaf has the golden root, and its STH verifies") {
  const json& g = golden();
  std::string dir = "/tmp/causeway-audit-golden-XXXXXX";
  REQUIRE(::mkdtemp(dir.data()) != nullptr);
  {
    auto db = store::Database::open(dir + "/causeway.db").value();
    auto log = AuditLog::open(db).value();
    // The golden leaf is a minimal packet_verified (not every v1 field): store its bytes as they are.
    Event ev{EventKind::PacketVerified, g.at("leaf_data_jcs").get<std::string>(), std::nullopt};
    auto tx = store::Transaction::begin(db).value();
    CHECK(log.append(tx, ev).value() == 0);
    REQUIRE(tx.commit().has_value());
    CHECK(log.root(1).value() == h32(g.at("root_hash")));
    const auto key = AuditKey::from_secret(from_hex(g.at("log_private_key").get<std::string>()).value()).value();
    const auto sth = log.sign_tree_head(key, g.at("sth_timestamp_ms").get<std::uint64_t>()).value();
    CHECK(sth.root_hash == h32(g.at("root_hash")));
    CHECK(packet::sth_message_hash(sth.tree_size, sth.timestamp_ms, sth.root_hash) == h32(g.at("sth_message_hash")));
    CHECK(verify_sth(sth).has_value());
  }
  std::filesystem::remove_all(dir);
}
