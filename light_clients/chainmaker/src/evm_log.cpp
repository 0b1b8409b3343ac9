// A ChainMaker ContractEvent read as an EVM log: see evm_log.hpp for the shape, the evidence and the errors.
#include "causeway/chainmaker/evm_log.hpp"

#include <string>

#include "causeway/core/hex.hpp"

namespace causeway::chainmaker {
namespace {

// Go's hex.EncodeToString: lowercase digits only, even length (the caller bounds the length first).
Result<Bytes> lower_hex(std::string_view s, const std::string& at) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return fail(Code::BadHex, "not lowercase bare hex: '" + std::string(1, c) + "' at offset " + std::to_string(i),
                  at);
  }
  auto b = from_hex_bare(s);
  if (!b) return fail(b.error().code, b.error().detail, at);
  return b;
}

Result<Hash32> topic_at(std::string_view s, const std::string& at) {
  if (s.size() != 64)
    return fail(Code::BadLength, "a topic is 64 hex digits, got " + std::to_string(s.size()), at);
  auto b = lower_hex(s, at);
  if (!b) return tl::unexpected(b.error());
  return Hash32::from(*b);
}

}  // namespace

Result<Hash32> parse_evm_topic(std::string_view hex64) { return topic_at(hex64, ""); }

std::string evm_topic_string(const Hash32& topic0) { return to_hex_bare(topic0.view()); }

Result<EvmLog> read_evm_log(const ContractEvent& event, std::size_t indexed_topics) {
  if (indexed_topics > kMaxEvmIndexedTopics)
    return fail(Code::InvalidArgument,
                "an EVM log has at most " + std::to_string(kMaxEvmIndexedTopics) + " indexed topics", "indexed_topics");
  if (event.event_data.size() != indexed_topics + 1)
    return fail(Code::BadLength,
                "event_data holds " + std::to_string(event.event_data.size()) + " entries, an EVM log with " +
                    std::to_string(indexed_topics) + " indexed topics records " + std::to_string(indexed_topics + 1) +
                    " (topics, then data)",
                "event_data");
  EvmLog log;
  auto t0 = topic_at(event.topic, "topic");
  if (!t0) return tl::unexpected(t0.error());
  log.topic0 = *t0;
  for (std::size_t i = 0; i < indexed_topics; ++i) {
    auto t = topic_at(event.event_data[i], "event_data[" + std::to_string(i) + "]");
    if (!t) return tl::unexpected(t.error());
    log.topics.push_back(*t);
  }
  const std::string& data = event.event_data[indexed_topics];
  const std::string at = "event_data[" + std::to_string(indexed_topics) + "]";
  if (data.size() / 2 > kMaxEvmLogDataBytes)
    return fail(Code::TooLarge, "log data over " + std::to_string(kMaxEvmLogDataBytes) + " bytes", at);
  auto d = lower_hex(data, at);
  if (!d) return tl::unexpected(d.error());
  log.data = std::move(*d);
  return log;
}

}  // namespace causeway::chainmaker
