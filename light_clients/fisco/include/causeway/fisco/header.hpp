// FISCO BCOS block headers and their hashes (research notes shared/formats/consortium-chains.md B.1, B.3;
// real data shared/vectors/fisco, SOURCES.md "fisco/").
//
// v2 (BlockHeader::streamRLPFields, BlockHeader::hash): hash = H(RLP([parentHash, stateRoot, transactionsRoot,
//   receiptsRoot, dbHash, logsBloom, number, gasLimit, gasUsed, timestamp, extraData, sealer, sealerList])),
//   H = Keccak-256 or SM3; the five roots are 32-byte strings, logsBloom a 256-byte string, the integers minimal
//   big-endian, extraData a list of byte strings (empty: 0xc0), sealerList a list of 64-byte node ids.
//
// v3 ≥ 3.0.0 (TarsHashable.h, BlockHeaderImpl::calculateHash): NOT a hash of the Tars encoding but a streaming hash
//   over: version BE32 ‖ for each parent (number BE64 ‖ hash) ‖ txsRoot ‖ receiptsRoot ‖ stateRoot ‖ number BE64
//   ‖ gasUsed as its decimal ASCII string ‖ timestamp BE64 ‖ sealer BE64 ‖ each sealerList entry ‖ extraData ‖ each
//   consensusWeight BE64. So JSON-RPC input needs no Tars decoder.
//
// Encoding checks (ERR_HEADER_ENCODING, at = the field): v2 logsBloom exactly 256 bytes; gasLimit/gasUsed minimal
// big-endian (no leading zero byte) of at most 32 bytes; at most kMaxExtraData items / bytes; at most kMaxSealers
// node ids. v3: number, timestamp, sealer and weights ≤ INT64_MAX (Tars `long`); gasUsed a canonical decimal string
// ("0" or no leading zero, at most 78 digits); at most 16 parents; version ≥ 0x03000000 (3.0.0) else
// ERR_UNSUPPORTED (release-candidate builds hashed differently; shared/formats B.3 "Not reproduced").
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"
#include "causeway/fisco/sealers.hpp"

namespace causeway::fisco {

inline constexpr std::size_t kLogsBloomSize = 256;
inline constexpr std::size_t kMaxExtraData = 1u << 20;      // bytes, all items together
inline constexpr std::size_t kMaxExtraDataItems = 1024;     // v2 list items
inline constexpr std::size_t kMaxParents = 16;              // v3 parentInfo entries
inline constexpr std::uint32_t kMinV3Version = 0x03000000;  // 3.0.0

struct HeaderV2 {
  Hash32 parent_hash;
  Hash32 state_root;
  Hash32 transactions_root;
  Hash32 receipts_root;
  Hash32 db_hash;
  Bytes logs_bloom;                 // 256 bytes
  std::uint64_t number = 0;
  Bytes gas_limit;                  // minimal big-endian u256 (empty = 0)
  Bytes gas_used;                   // minimal big-endian u256 (empty = 0)
  std::uint64_t timestamp_ms = 0;
  std::vector<Bytes> extra_data;
  std::uint64_t sealer = 0;         // index of the proposer in sealer_list
  std::vector<NodeId> sealer_list;
  bool operator==(const HeaderV2&) const = default;
};

struct ParentInfo {
  std::uint64_t number = 0;
  Hash32 hash;
  bool operator==(const ParentInfo&) const = default;
};

struct HeaderV3 {
  std::uint32_t version = 0;        // e.g. 0x03030000 for 3.3.0
  std::vector<ParentInfo> parents;
  Hash32 txs_root;
  Hash32 receipts_root;
  Hash32 state_root;
  std::uint64_t number = 0;
  std::string gas_used;             // decimal ASCII, hashed as given
  std::uint64_t timestamp_ms = 0;
  std::uint64_t sealer = 0;
  std::vector<NodeId> sealer_list;
  Bytes extra_data;
  std::vector<std::uint64_t> consensus_weights;
  bool operator==(const HeaderV3&) const = default;
};

// The canonical 13-item RLP of a v2 header. Errors: ERR_HEADER_ENCODING (see file comment).
Result<Bytes> encode_header_v2(const HeaderV2& h);
// H(encode_header_v2(h)). Errors as encode_header_v2.
Result<Hash32> header_hash_v2(const HeaderV2& h, HashAlgorithm a);

// The byte stream the v3 header hash runs over (see file comment). Errors: ERR_HEADER_ENCODING, ERR_UNSUPPORTED.
Result<Bytes> hash_input_v3(const HeaderV3& h);
// H(hash_input_v3(h)). Errors as hash_input_v3.
Result<Hash32> header_hash_v3(const HeaderV3& h, HashAlgorithm a);

// One entry of a block's signature list: the sealer index (v2 `index`, v3 `sealerIndex`) and the signature bytes.
struct SealerSignature {
  std::uint64_t index = 0;
  Bytes signature;
  bool operator==(const SealerSignature&) const = default;
};

// A block as a chain's RPC gives it, reduced to what the light client checks: the header, the hash the chain states
// for it (RPC `hash`; recomputed and compared) and the signature list.
struct BlockV2 {
  HeaderV2 header;
  Hash32 hash;
  std::vector<SealerSignature> signatures;
};
struct BlockV3 {
  HeaderV3 header;
  Hash32 hash;
  std::vector<SealerSignature> signatures;
};

}  // namespace causeway::fisco
