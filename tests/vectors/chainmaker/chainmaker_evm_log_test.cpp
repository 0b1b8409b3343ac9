// chainmaker::read_evm_log (light_clients/chainmaker evm_log.hpp): a ChainMaker ContractEvent read as an EVM log.
// The real evidence is block 30 of ../shared/vectors/chainmaker/pzy2000_ChineseChess-Chain (SOURCES.md
// "chainmaker/"): its transaction 0 (an EVM ERC-20 deploy) emits Transfer(0 → 0x1712…4e03, 10^27), decoded here
// through the library's own block decoder. The refusals (non-canonical hex, entry counts, sizes) use events made
// here from the real one.
#include <catch2/catch.hpp>

#include <cctype>
#include <string>

#include "causeway/chainmaker/evm_log.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "cm_vectors.hpp"

using namespace causeway;
using namespace causeway::chainmaker;

namespace {

const std::string kTransferTopic = "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";
const std::string kFrom = std::string(64, '0');
const std::string kTo = "000000000000000000000000171262347a59fded92021a32421a5dad05424e03";
const std::string kValue = "0000000000000000000000000000000000000000033b2e3c9fd0803ce8000000";

ContractEvent real_transfer() {
  const Block b = cmv::load_block(cmv::kBlock30);
  REQUIRE(b.txs.size() == 1);
  REQUIRE(b.txs[0].events.size() == 1);
  return b.txs[0].events[0];
}

Error refused(const ContractEvent& e, std::size_t n) {
  auto r = read_evm_log(e, n);
  REQUIRE_FALSE(r);
  return r.error();
}

}  // namespace

TEST_CASE("chainmaker EVM log: the real block 30 ERC-20 Transfer reads as topic0, two indexed topics and 32-byte data") {
  const ContractEvent e = real_transfer();
  CHECK(e.contract_name == "EVM_ERC20_1");
  CHECK(e.topic == kTransferTopic);
  // topic0 is keccak256 of the event signature, recorded bare and lowercase.
  const std::string sig = "Transfer(address,address,uint256)";
  CHECK(evm_topic_string(keccak256(ByteView(reinterpret_cast<const std::uint8_t*>(sig.data()), sig.size()))) ==
        kTransferTopic);

  auto log = read_evm_log(e, 2);
  INFO((log ? std::string() : log.error().detail));
  REQUIRE(log);
  CHECK(to_hex_bare(log->topic0.view()) == kTransferTopic);
  REQUIRE(log->topics.size() == 2);
  CHECK(to_hex_bare(log->topics[0].view()) == kFrom);
  CHECK(to_hex_bare(log->topics[1].view()) == kTo);
  CHECK(log->data.size() == 32);
  CHECK(to_hex_bare(log->data) == kValue);
  // 10^27 = 1,000,000,000 tokens of 18 decimals: the value word's low bytes.
  CHECK(to_hex_bare(ByteView(log->data.data() + 20, 12)) == "033b2e3c9fd0803ce8000000");
}

TEST_CASE("chainmaker EVM log: the real block 30 (v2.3.2) is past block_version 2300, from which the relay reads EVM logs") {
  const Block b = cmv::load_block(cmv::kBlock30);
  CHECK(b.header.block_version == 2030200);
  CHECK(b.header.block_version >= kEvmPerContractLogsFromVersion);
  STATIC_REQUIRE(kEvmPerContractLogsFromVersion == 2300);
}

TEST_CASE("chainmaker EVM log: the indexed-topic count is the caller's, and event_data must hold exactly N + 1 entries") {
  const ContractEvent e = real_transfer();
  // The same three strings read with one indexed topic: 3 entries ≠ 2.
  auto one = refused(e, 1);
  CHECK(one.code == Code::BadLength);
  CHECK(one.at == "event_data");
  auto three = refused(e, 3);
  CHECK(three.code == Code::BadLength);
  CHECK(three.at == "event_data");
  auto four = refused(e, 4);
  CHECK(four.code == Code::InvalidArgument);
  CHECK(four.at == "indexed_topics");
  // A LOG1 (no indexed topic beyond topic0) with empty data: the rule read the same way (not in real data).
  ContractEvent empty = e;
  empty.event_data = {""};
  auto log = read_evm_log(empty, 0);
  REQUIRE(log);
  CHECK(log->topics.empty());
  CHECK(log->data.empty());
}

TEST_CASE("chainmaker EVM log: only canonical bare lowercase hex is read") {
  const ContractEvent real = real_transfer();
  auto upper = [](std::string s) {
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
  };
  ContractEvent e = real;
  e.topic = upper(kTransferTopic);
  auto t = refused(e, 2);
  CHECK(t.code == Code::BadHex);
  CHECK(t.at == "topic");

  e = real;
  e.event_data[1] = upper(kTo);
  auto t2 = refused(e, 2);
  CHECK(t2.code == Code::BadHex);
  CHECK(t2.at == "event_data[1]");

  e = real;
  e.event_data[2] = upper(kValue);
  auto d = refused(e, 2);
  CHECK(d.code == Code::BadHex);
  CHECK(d.at == "event_data[2]");

  e = real;
  e.event_data[2] = "0x" + kValue;
  auto prefixed = refused(e, 2);
  CHECK(prefixed.code == Code::BadHex);
  CHECK(prefixed.at == "event_data[2]");

  e = real;
  e.event_data[2] = kValue + "0";
  auto odd = refused(e, 2);
  CHECK(odd.code == Code::BadHex);
  CHECK(odd.at == "event_data[2]");

  e = real;
  e.topic = "0x" + kTransferTopic.substr(2);  // 64 characters, but prefixed
  auto topic_prefixed = refused(e, 2);
  CHECK(topic_prefixed.code == Code::BadHex);
  CHECK(topic_prefixed.at == "topic");

  e = real;
  e.event_data[0] = kFrom + "00";
  auto long_topic = refused(e, 2);
  CHECK(long_topic.code == Code::BadLength);
  CHECK(long_topic.at == "event_data[0]");

  e = real;
  e.topic = "PacketSent";  // a native event's topic is not a topic0
  auto native = refused(e, 2);
  CHECK(native.code == Code::BadLength);
  CHECK(native.at == "topic");

  CHECK(parse_evm_topic(kTransferTopic).value() == hash_from_hex("0x" + kTransferTopic).value());
  CHECK(parse_evm_topic(upper(kTransferTopic)).error().code == Code::BadHex);
}

TEST_CASE("chainmaker EVM log: data is bounded before it is decoded, at upstream's 65,535-character event data") {
  // protocol.EventDataMaxLen = 65535 characters: 32,767 bytes of data at most.
  STATIC_REQUIRE(kMaxEvmLogDataBytes == 32767);
  ContractEvent e = real_transfer();
  e.event_data[2] = std::string(2 * kMaxEvmLogDataBytes, 'a');
  auto at_limit = read_evm_log(e, 2);
  REQUIRE(at_limit);
  CHECK(at_limit->data.size() == kMaxEvmLogDataBytes);
  e.event_data[2] = std::string(2 * kMaxEvmLogDataBytes + 2, 'a');
  auto over = refused(e, 2);
  CHECK(over.code == Code::TooLarge);
  CHECK(over.at == "event_data[2]");
  // Upstream's longest string (65,535 characters) is odd-length: never a log's data; one more is too large.
  e.event_data[2] = std::string(65535, 'a');
  auto odd = refused(e, 2);
  CHECK(odd.code == Code::BadHex);
  CHECK(odd.at == "event_data[2]");
  e.event_data[2] = std::string(65536, 'a');
  auto longest = refused(e, 2);
  CHECK(longest.code == Code::TooLarge);
  CHECK(longest.at == "event_data[2]");
}
