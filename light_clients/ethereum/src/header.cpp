#include "causeway/ethereum/header.hpp"

#include <string>
#include <vector>

#include "causeway/core/hash.hpp"
#include "causeway/core/rlp.hpp"

namespace causeway::ethereum {
namespace {

// JSON-RPC names of the 21 fields in RLP order, used in `at` of errors.
constexpr const char* kFieldNames[21] = {
    "parentHash", "sha3Uncles", "miner",     "stateRoot",     "transactionsRoot", "receiptsRoot",
    "logsBloom",  "difficulty", "number",    "gasLimit",      "gasUsed",          "timestamp",
    "extraData",  "mixHash",    "nonce",     "baseFeePerGas", "withdrawalsRoot",  "blobGasUsed",
    "excessBlobGas", "parentBeaconBlockRoot", "requestsHash"};

bool is_shape_count(std::size_t n) { return n == 15 || n == 16 || n == 17 || n == 20 || n == 21; }

tl::unexpected<Error> header_error(std::string detail, std::size_t field) {
  return fail(Code::EthHeader, std::move(detail), kFieldNames[field]);
}

// A string field of exactly N bytes.
template <std::size_t N>
Result<std::array<std::uint8_t, N>> fixed(const rlp::Item& it, std::size_t field) {
  if (it.is_list) return header_error("a list where a byte string is expected", field);
  if (it.payload.size() != N)
    return header_error("expected " + std::to_string(N) + " bytes, got " + std::to_string(it.payload.size()), field);
  std::array<std::uint8_t, N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = it.payload[i];
  return out;
}

Result<Hash32> hash_field(const rlp::Item& it, std::size_t field) {
  auto a = fixed<32>(it, field);
  if (!a) return tl::unexpected(a.error());
  Hash32 h;
  h.b = *a;
  return h;
}

Result<std::uint64_t> u64_field(const rlp::Item& it, std::size_t field) {
  if (it.is_list) return header_error("a list where an integer is expected", field);
  auto v = rlp::to_uint64(it);
  if (!v) return fail(v.error().code, v.error().detail, kFieldNames[field]);
  return *v;
}

Result<U256> u256_field(const rlp::Item& it, std::size_t field) {
  if (it.is_list) return header_error("a list where an integer is expected", field);
  auto v = rlp::to_uint_be(it, 32);
  if (!v) return fail(v.error().code, v.error().detail, kFieldNames[field]);
  U256 out{};
  const std::size_t off = 32 - v->size();
  for (std::size_t i = 0; i < v->size(); ++i) out[off + i] = (*v)[i];
  return out;
}

#define CW_TRY_ASSIGN(dst, expr)                         \
  do {                                                   \
    auto cw_r_ = (expr);                                 \
    if (!cw_r_) return tl::unexpected(cw_r_.error());    \
    (dst) = std::move(*cw_r_);                           \
  } while (false)

}  // namespace

Hash32 empty_ommers_hash() noexcept {
  static const std::uint8_t kEmptyList[1] = {0xc0};
  return keccak256(ByteView(kEmptyList, 1));
}

Hash32 empty_trie_root() noexcept {
  static const std::uint8_t kEmptyString[1] = {0x80};
  return keccak256(ByteView(kEmptyString, 1));
}

Result<HeaderShape> header_shape(const Header& h) {
  const bool cancun_any = h.blob_gas_used || h.excess_blob_gas || h.parent_beacon_block_root;
  const bool cancun_all = h.blob_gas_used && h.excess_blob_gas && h.parent_beacon_block_root;
  if (cancun_any && !cancun_all)
    return fail(Code::EthHeader, "Cancun needs blobGasUsed, excessBlobGas and parentBeaconBlockRoot together");
  if (h.requests_hash && !cancun_all) return fail(Code::EthHeader, "requestsHash (Prague) without Cancun's fields");
  if (cancun_all && !h.withdrawals_root)
    return fail(Code::EthHeader, "Cancun fields without withdrawalsRoot (Shanghai)");
  if (h.withdrawals_root && !h.base_fee_per_gas)
    return fail(Code::EthHeader, "withdrawalsRoot (Shanghai) without baseFeePerGas (London)");
  if (h.requests_hash) return HeaderShape::Prague;
  if (cancun_all) return HeaderShape::Cancun;
  if (h.withdrawals_root) return HeaderShape::Shanghai;
  if (h.base_fee_per_gas) return HeaderShape::London;
  return HeaderShape::Frontier;
}

Result<Bytes> encode_header(const Header& h) {
  auto shape = header_shape(h);
  if (!shape) return tl::unexpected(shape.error());
  std::vector<Bytes> f;
  f.reserve(21);
  f.push_back(rlp::encode_bytes(h.parent_hash.view()));
  f.push_back(rlp::encode_bytes(h.ommers_hash.view()));
  f.push_back(rlp::encode_bytes(h.beneficiary));
  f.push_back(rlp::encode_bytes(h.state_root.view()));
  f.push_back(rlp::encode_bytes(h.transactions_root.view()));
  f.push_back(rlp::encode_bytes(h.receipts_root.view()));
  f.push_back(rlp::encode_bytes(h.logs_bloom));
  f.push_back(rlp::encode_uint_be(h.difficulty));
  f.push_back(rlp::encode_uint(h.number));
  f.push_back(rlp::encode_uint(h.gas_limit));
  f.push_back(rlp::encode_uint(h.gas_used));
  f.push_back(rlp::encode_uint(h.timestamp_s));
  f.push_back(rlp::encode_bytes(h.extra_data));
  f.push_back(rlp::encode_bytes(h.mix_hash.view()));
  f.push_back(rlp::encode_bytes(h.nonce));
  if (h.base_fee_per_gas) f.push_back(rlp::encode_uint_be(*h.base_fee_per_gas));
  if (h.withdrawals_root) f.push_back(rlp::encode_bytes(h.withdrawals_root->view()));
  if (h.blob_gas_used) {
    f.push_back(rlp::encode_uint(*h.blob_gas_used));
    f.push_back(rlp::encode_uint(*h.excess_blob_gas));
    f.push_back(rlp::encode_bytes(h.parent_beacon_block_root->view()));
  }
  if (h.requests_hash) f.push_back(rlp::encode_bytes(h.requests_hash->view()));
  return rlp::encode_list(f);
}

Result<Header> decode_header(ByteView raw, const HeaderLimits& limits) {
  if (raw.size() > kHeaderFixedBound + limits.max_extra_data)
    return fail(Code::TooLarge, "header of " + std::to_string(raw.size()) + " bytes exceeds its bound");
  // A header is a flat list: depth 2 holds its fields; any list inside a field is refused below.
  auto item = rlp::decode(raw, 2);
  if (!item) return tl::unexpected(item.error());
  if (!item->is_list) return fail(Code::EthHeader, "header is not an RLP list");
  const auto& it = item->items;
  if (!is_shape_count(it.size()))
    return fail(Code::EthHeader,
                "header has " + std::to_string(it.size()) + " fields; a fork shape has 15, 16, 17, 20 or 21");
  for (std::size_t i = 0; i < it.size(); ++i)
    if (it[i].is_list) return header_error("a list where a byte string or integer is expected", i);

  Header h;
  CW_TRY_ASSIGN(h.parent_hash, hash_field(it[0], 0));
  CW_TRY_ASSIGN(h.ommers_hash, hash_field(it[1], 1));
  CW_TRY_ASSIGN(h.beneficiary, fixed<20>(it[2], 2));
  CW_TRY_ASSIGN(h.state_root, hash_field(it[3], 3));
  CW_TRY_ASSIGN(h.transactions_root, hash_field(it[4], 4));
  CW_TRY_ASSIGN(h.receipts_root, hash_field(it[5], 5));
  CW_TRY_ASSIGN(h.logs_bloom, fixed<256>(it[6], 6));
  CW_TRY_ASSIGN(h.difficulty, u256_field(it[7], 7));
  CW_TRY_ASSIGN(h.number, u64_field(it[8], 8));
  CW_TRY_ASSIGN(h.gas_limit, u64_field(it[9], 9));
  CW_TRY_ASSIGN(h.gas_used, u64_field(it[10], 10));
  CW_TRY_ASSIGN(h.timestamp_s, u64_field(it[11], 11));
  if (it[12].payload.size() > limits.max_extra_data)
    return fail(Code::TooLarge,
                "extraData of " + std::to_string(it[12].payload.size()) + " bytes exceeds " +
                    std::to_string(limits.max_extra_data),
                kFieldNames[12]);
  h.extra_data.assign(it[12].payload.begin(), it[12].payload.end());
  CW_TRY_ASSIGN(h.mix_hash, hash_field(it[13], 13));
  CW_TRY_ASSIGN(h.nonce, fixed<8>(it[14], 14));
  if (it.size() >= 16) CW_TRY_ASSIGN(h.base_fee_per_gas, u256_field(it[15], 15));
  if (it.size() >= 17) CW_TRY_ASSIGN(h.withdrawals_root, hash_field(it[16], 16));
  if (it.size() >= 20) {
    CW_TRY_ASSIGN(h.blob_gas_used, u64_field(it[17], 17));
    CW_TRY_ASSIGN(h.excess_blob_gas, u64_field(it[18], 18));
    CW_TRY_ASSIGN(h.parent_beacon_block_root, hash_field(it[19], 19));
  }
  if (it.size() >= 21) CW_TRY_ASSIGN(h.requests_hash, hash_field(it[20], 20));
  return h;
}

Result<Hash32> header_hash(const Header& h) {
  auto enc = encode_header(h);
  if (!enc) return tl::unexpected(enc.error());
  return keccak256(*enc);
}

Result<Hash32> ommers_hash(std::span<const Header> ommers) {
  std::vector<Bytes> enc;
  enc.reserve(ommers.size());
  for (std::size_t i = 0; i < ommers.size(); ++i) {
    auto e = encode_header(ommers[i]);
    if (!e) return fail(e.error().code, e.error().detail, "ommers[" + std::to_string(i) + "]");
    enc.push_back(std::move(*e));
  }
  return keccak256(rlp::encode_list(enc));
}

Status check_parent_link(const Hash32& parent_hash, std::uint64_t parent_number, const Header& child) {
  if (child.parent_hash != parent_hash) return fail(Code::PrevHashMismatch, "parentHash is not the parent's hash");
  if (parent_number == UINT64_MAX || child.number != parent_number + 1)
    return fail(Code::EthHeader, "number is not the parent's number + 1", "number");
  return {};
}

Status check_parent_link(const Header& parent, const Header& child) {
  auto ph = header_hash(parent);
  if (!ph) return tl::unexpected(ph.error());
  return check_parent_link(*ph, parent.number, child);
}

}  // namespace causeway::ethereum
