// evm_adapter_test (unit, no node): the EVM adapter's pure parts — HeadFollower reorg detection on a synthetic
// chain, EndpointPool selection/demotion/metrics, revert-reason code mapping, and EIP-1559 signing (the signer
// recovers from the signing hash; the raw encoding is 0x02 ‖ RLP of 12 fields).
#include <catch2/catch.hpp>

#include <map>

#include "causeway/adapters/ethereum/endpoint_pool.hpp"
#include "causeway/adapters/ethereum/evm_adapter.hpp"
#include "causeway/adapters/ethereum/evm_tx.hpp"
#include "causeway/adapters/ethereum/head_follower.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/core/rlp.hpp"
#include "causeway/core/secp256k1.hpp"

namespace {

namespace ae = causeway::adapters::ethereum;
using causeway::Bytes;
using causeway::Code;
using causeway::Hash32;

Hash32 h(std::uint64_t n, int branch) {
  const std::string s = "block " + std::to_string(n) + "/" + std::to_string(branch);
  return causeway::keccak256(causeway::ByteView(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}

// A chain the test edits: number → (hash, parent).
struct FakeChain {
  std::map<std::uint64_t, ae::BlockInfo> blocks;
  void set(std::uint64_t n, int branch, int parent_branch) {
    ae::BlockInfo b;
    b.header.number = n;
    b.hash = h(n, branch);
    b.header.parent_hash = n == 0 ? Hash32{} : h(n - 1, parent_branch);
    blocks[n] = b;
  }
  void truncate(std::uint64_t tip) { blocks.erase(blocks.upper_bound(tip), blocks.end()); }
  ae::HeadSource source() {
    ae::HeadSource s;
    s.tip = [this]() -> causeway::Result<std::uint64_t> { return blocks.rbegin()->first; };
    s.block = [this](std::uint64_t n) -> causeway::Result<std::optional<ae::BlockInfo>> {
      auto it = blocks.find(n);
      if (it == blocks.end()) return std::optional<ae::BlockInfo>{};
      return std::optional<ae::BlockInfo>(it->second);
    };
    return s;
  }
};

}  // namespace

TEST_CASE("HeadFollower: new heads in order, reorg to the common ancestor, shorter new branch, too deep", "[evm_adapter]") {
  FakeChain c;
  for (std::uint64_t n = 0; n <= 10; ++n) c.set(n, 0, 0);
  ae::HeadFollower f(c.source(), std::nullopt, 8, 100);
  auto first = f.poll();
  REQUIRE(first);
  REQUIRE(first->heads.size() == 1);
  CHECK(first->heads[0].number == 10);
  for (std::uint64_t n = 11; n <= 13; ++n) c.set(n, 0, 0);
  auto grow = f.poll();
  REQUIRE(grow);
  CHECK_FALSE(grow->reorg);
  REQUIRE(grow->heads.size() == 3);
  CHECK(grow->heads[2].number == 13);

  // Reorg: 12 and 13 replaced by branch 1 (12', 13', 14').
  c.truncate(11);
  c.set(12, 1, 0);
  c.set(13, 1, 1);
  c.set(14, 1, 1);
  auto re = f.poll();
  REQUIRE(re);
  REQUIRE(re->reorg);
  CHECK(re->reorg->ancestor_number == 11);
  CHECK(re->reorg->ancestor_hash == h(11, 0));
  REQUIRE(re->reorg->dropped.size() == 2);
  CHECK(re->reorg->dropped[0].hash == h(12, 0));
  CHECK(re->reorg->dropped[1].hash == h(13, 0));
  REQUIRE(re->heads.size() == 3);
  CHECK(re->heads[0].hash == h(12, 1));
  CHECK(f.reorgs() == 1);

  // The new branch is shorter than the old one: 13', 14' dropped, tip 13'' only.
  c.truncate(12);
  c.set(13, 2, 1);
  auto shorter = f.poll();
  REQUIRE(shorter);
  REQUIRE(shorter->reorg);
  CHECK(shorter->reorg->ancestor_number == 12);
  CHECK(shorter->reorg->dropped.size() == 2);
  REQUIRE(shorter->heads.size() == 1);
  CHECK(shorter->heads[0].hash == h(13, 2));

  // Deeper than the 8-head window: refused.
  for (std::uint64_t n = 1; n <= 20; ++n) c.set(n, 9, 9);
  auto deep = f.poll();
  REQUIRE_FALSE(deep);
  CHECK(deep.error().code == Code::ConflictsFinalized);
}

TEST_CASE("HeadFollower: a block that does not link to the last head stops the poll there", "[evm_adapter]") {
  FakeChain c;
  for (std::uint64_t n = 0; n <= 5; ++n) c.set(n, 0, 0);
  ae::Head start{5, h(5, 0), h(4, 0), 0};
  ae::HeadFollower f(c.source(), start);
  c.set(6, 0, 0);
  c.set(7, 0, 3);  // names a parent that is not block 6
  auto r = f.poll();
  REQUIRE(r);
  REQUIRE(r->heads.size() == 1);
  CHECK(r->heads[0].number == 6);
  CHECK(f.last()->number == 6);
}

TEST_CASE("EndpointPool: rotation on transport failure, demotion on inconsistency and reports, metrics", "[evm_adapter]") {
  CHECK(ae::EndpointPool::create({}, {}).error().code == Code::InvalidArgument);
  CHECK(ae::EndpointPool::create({"http://a:1", "http://a:1"}, {}).error().code == Code::InvalidArgument);
  CHECK(ae::EndpointPool::create({"https://a:1"}, {}).error().code == Code::InvalidArgument);
  auto pool = ae::EndpointPool::create({"http://a:1", "http://b:2", "http://c:3"}, {});
  REQUIRE(pool);
  auto& p = **pool;
  CHECK(p.acquire() == 0);
  CHECK(p.acquire() == 0);
  p.report_transport_failure(0);
  CHECK(p.acquire() == 1);
  p.report_inconsistent(1);
  CHECK(p.acquire() == 2);
  CHECK(p.report_unverifiable("http://c:3"));
  CHECK_FALSE(p.report_unverifiable("http://zzz:1"));
  // 1 and 2 demoted: 0 is used.
  CHECK(p.acquire() == 0);
  CHECK(p.report_unverifiable("http://a:1"));
  // All demoted: the one with the fewest reports wins (ties: the lowest index).
  CHECK(p.report_unverifiable("http://a:1"));
  CHECK(p.acquire() == 1);
  CHECK(p.reinstate("http://c:3"));
  CHECK(p.acquire() == 2);
  const auto m = p.metrics();
  REQUIRE(m.endpoints.size() == 3);
  CHECK(m.endpoints[0].transport_errors == 1);
  CHECK(m.endpoints[0].unverifiable_reports == 2);
  CHECK(m.endpoints[0].demotions == 1);
  CHECK(m.endpoints[0].demoted);
  CHECK(m.endpoints[1].inconsistent == 1);
  CHECK(m.endpoints[1].demoted);
  CHECK_FALSE(m.endpoints[2].demoted);
  CHECK(m.endpoints[2].unverifiable_reports == 1);
  CHECK(m.endpoints[0].selected == 3);
  CHECK(m.failovers == 4);
}

TEST_CASE("code_in_message maps revert reasons to stable codes", "[evm_adapter]") {
  CHECK(ae::code_in_message("3: execution reverted: ERR_PACKET_REPLAYED") == Code::PacketReplayed);
  CHECK(ae::code_in_message("execution reverted: ERR_POSTCONDITION: no result") == Code::Postcondition);
  CHECK(ae::code_in_message("ERR_NOPE then ERR_NOT_VALIDATOR") == Code::NotValidator);
  CHECK_FALSE(ae::code_in_message("nonce too low"));
}

TEST_CASE("EIP-1559 signing: 0x02 ‖ RLP(12 fields), the signer recovers from the signing hash", "[evm_adapter]") {
  const Hash32 seed = causeway::keccak256(Bytes{1, 2, 3});
  const auto key = causeway::secp256k1::parse_secret_key(seed.view());
  REQUIRE(key);
  ae::Eip1559Tx tx;
  tx.nonce = 7;
  tx.max_priority_fee_per_gas = 1'000'000'000;
  tx.max_fee_per_gas = 3'000'000'000;
  tx.gas_limit = 21'000;
  tx.to = ae::eth::Address{};
  tx.to->fill(0x11);
  tx.data = Bytes{0xca, 0xfe};
  auto raw = ae::sign_eip1559_tx(tx, 31337, *key);
  REQUIRE(raw);
  REQUIRE(raw->at(0) == 0x02);
  const auto item = causeway::rlp::decode(causeway::ByteView(raw->data() + 1, raw->size() - 1));
  REQUIRE(item);
  REQUIRE(item->is_list);
  REQUIRE(item->items.size() == 12);
  CHECK(causeway::rlp::to_uint64(item->items[0]).value() == 31337);
  CHECK(causeway::rlp::to_uint64(item->items[1]).value() == 7);
  CHECK(item->items[8].is_list);             // empty access list
  CHECK(item->items[8].items.empty());
  const auto parity = causeway::rlp::to_uint64(item->items[9]).value();
  CHECK(parity <= 1);
  Bytes rsv(65, 0);
  for (int k = 0; k < 2; ++k) {
    const auto v = item->items[static_cast<std::size_t>(10 + k)].payload;
    REQUIRE(v.size() <= 32);
    std::copy(v.begin(), v.end(), rsv.begin() + 32 * k + static_cast<std::ptrdiff_t>(32 - v.size()));
  }
  rsv[64] = static_cast<std::uint8_t>(27 + parity);
  const auto pub = causeway::secp256k1::recover_rsv(ae::eip1559_signing_hash(tx, 31337), rsv,
                                                    causeway::secp256k1::LowS::Required);
  REQUIRE(pub);
  CHECK(causeway::secp256k1::eth_address(*pub) == ae::address_of(*key));
  // Deterministic (RFC 6979) and bound to the chain id.
  CHECK(*ae::sign_eip1559_tx(tx, 31337, *key) == *raw);
  CHECK(*ae::sign_eip1559_tx(tx, 31338, *key) != *raw);
  CHECK(ae::eip1559_signing_hash(tx, 31337) != ae::eip1559_signing_hash(tx, 31338));
  ae::Eip1559Tx bad = tx;
  bad.max_priority_fee_per_gas = bad.max_fee_per_gas + 1;
  CHECK(ae::sign_eip1559_tx(bad, 31337, *key).error().code == Code::InvalidArgument);
  CHECK(ae::sign_eip1559_tx(tx, 0, *key).error().code == Code::InvalidArgument);
}
