#include "causeway/fisco/header.hpp"

#include <string>

#include "causeway/core/rlp.hpp"

namespace causeway::fisco {
namespace {

void put_be32(Bytes& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}
void put_be64(Bytes& out, std::uint64_t v) {
  std::uint8_t b[8];
  write_be64(b, v);
  append(out, ByteView(b, 8));
}

Status check_uint256(const Bytes& v, const char* field) {
  if (v.size() > 32) return fail(Code::HeaderEncoding, "more than 32 bytes", field);
  if (!v.empty() && v.front() == 0) return fail(Code::HeaderEncoding, "integer with a leading zero byte", field);
  return {};
}

bool canonical_decimal(const std::string& s, std::size_t max_digits) {
  if (s.empty() || s.size() > max_digits) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return s.size() == 1 || s.front() != '0';
}

constexpr std::uint64_t kInt64Max = static_cast<std::uint64_t>(INT64_MAX);

}  // namespace

Result<Bytes> encode_header_v2(const HeaderV2& h) {
  if (h.logs_bloom.size() != kLogsBloomSize)
    return fail(Code::HeaderEncoding, "logsBloom is not 256 bytes", "logsBloom");
  if (auto ok = check_uint256(h.gas_limit, "gasLimit"); !ok) return tl::unexpected(ok.error());
  if (auto ok = check_uint256(h.gas_used, "gasUsed"); !ok) return tl::unexpected(ok.error());
  if (h.extra_data.size() > kMaxExtraDataItems)
    return fail(Code::HeaderEncoding, "too many extraData items", "extraData");
  if (h.sealer_list.size() > kMaxSealers) return fail(Code::HeaderEncoding, "too many sealers", "sealerList");
  std::size_t extra_bytes = 0;
  std::vector<Bytes> extra;
  for (const auto& e : h.extra_data) {
    extra_bytes += e.size();
    if (extra_bytes > kMaxExtraData) return fail(Code::HeaderEncoding, "extraData above 1 MiB", "extraData");
    extra.push_back(rlp::encode_bytes(e));
  }
  std::vector<Bytes> sealers;
  for (const auto& id : h.sealer_list) sealers.push_back(rlp::encode_bytes(id));
  const std::vector<Bytes> items = {
      rlp::encode_bytes(h.parent_hash.view()),
      rlp::encode_bytes(h.state_root.view()),
      rlp::encode_bytes(h.transactions_root.view()),
      rlp::encode_bytes(h.receipts_root.view()),
      rlp::encode_bytes(h.db_hash.view()),
      rlp::encode_bytes(h.logs_bloom),
      rlp::encode_uint(h.number),
      rlp::encode_uint_be(h.gas_limit),
      rlp::encode_uint_be(h.gas_used),
      rlp::encode_uint(h.timestamp_ms),
      rlp::encode_list(extra),
      rlp::encode_uint(h.sealer),
      rlp::encode_list(sealers),
  };
  return rlp::encode_list(items);
}

Result<Hash32> header_hash_v2(const HeaderV2& h, HashAlgorithm a) {
  auto enc = encode_header_v2(h);
  if (!enc) return tl::unexpected(enc.error());
  return chain_hash(a, *enc);
}

Result<Bytes> hash_input_v3(const HeaderV3& h) {
  if (h.version < kMinV3Version)
    return fail(Code::Unsupported, "header version below 3.0.0: release candidates hashed headers differently",
                "version");
  if (h.version > static_cast<std::uint32_t>(INT32_MAX))
    return fail(Code::HeaderEncoding, "version above 2^31-1 (Tars int)", "version");
  if (h.parents.size() > kMaxParents) return fail(Code::HeaderEncoding, "too many parents", "parentInfo");
  if (h.number > kInt64Max) return fail(Code::HeaderEncoding, "number above 2^63-1", "number");
  if (h.timestamp_ms > kInt64Max) return fail(Code::HeaderEncoding, "timestamp above 2^63-1", "timestamp");
  if (h.sealer > kInt64Max) return fail(Code::HeaderEncoding, "sealer above 2^63-1", "sealer");
  if (!canonical_decimal(h.gas_used, 78))
    return fail(Code::HeaderEncoding, "gasUsed is not a canonical decimal string", "gasUsed");
  if (h.sealer_list.size() > kMaxSealers) return fail(Code::HeaderEncoding, "too many sealers", "sealerList");
  if (h.consensus_weights.size() > kMaxSealers)
    return fail(Code::HeaderEncoding, "too many consensus weights", "consensusWeights");
  if (h.extra_data.size() > kMaxExtraData) return fail(Code::HeaderEncoding, "extraData above 1 MiB", "extraData");
  Bytes in;
  put_be32(in, h.version);
  for (std::size_t i = 0; i < h.parents.size(); ++i) {
    if (h.parents[i].number > kInt64Max)
      return fail(Code::HeaderEncoding, "parent number above 2^63-1", "parentInfo[" + std::to_string(i) + "]");
    put_be64(in, h.parents[i].number);
    append(in, h.parents[i].hash.view());
  }
  append(in, h.txs_root.view());
  append(in, h.receipts_root.view());
  append(in, h.state_root.view());
  put_be64(in, h.number);
  in.insert(in.end(), h.gas_used.begin(), h.gas_used.end());
  put_be64(in, h.timestamp_ms);
  put_be64(in, h.sealer);
  for (const auto& id : h.sealer_list) append(in, id);
  append(in, h.extra_data);
  for (std::size_t i = 0; i < h.consensus_weights.size(); ++i) {
    if (h.consensus_weights[i] > kInt64Max)
      return fail(Code::HeaderEncoding, "weight above 2^63-1", "consensusWeights[" + std::to_string(i) + "]");
    put_be64(in, h.consensus_weights[i]);
  }
  return in;
}

Result<Hash32> header_hash_v3(const HeaderV3& h, HashAlgorithm a) {
  auto in = hash_input_v3(h);
  if (!in) return tl::unexpected(in.error());
  return chain_hash(a, *in);
}

}  // namespace causeway::fisco
