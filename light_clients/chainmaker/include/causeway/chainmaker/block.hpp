// ChainMaker v2.x blocks (codec `chainmaker/v2`): canonical proto3 decoding/encoding through libprotobuf and the
// project's .proto (light_clients/chainmaker/proto), block hash, transaction hash, rw-set hash, DAG hash and the
// ChainMaker Merkle tree with its inclusion paths. Rules: docs/chainmaker-light-client.md ("Hashes"), after
// ../shared/formats/consortium-chains.md A.1–A.3.
//
//   block hash   = H(proto(BlockHeader with block_hash and signature cleared))         H = SHA-256 or SM3
//   tx hash      = H(proto(Transaction)); from block_version 2300 on with result.contract_result.gas_used = 0
//   rw_set_hash  = H(proto(TxRWSet));  dag_hash = H(proto(DAG))
//   tx_root      = Merkle(tx hashes in block order); rw_set_root = Merkle(result.rw_set_hash in block order)
//   Merkle       = leaves padded to a power of two; parent H(l ‖ r), a lone left child H(l ‖ l); one leaf is the
//                  root; a path lists siblings bottom-up, the node itself where the sibling is absent.
//
// Every hash is taken over OUR canonical re-encoding of the decoded values (ascending field numbers, proto3
// defaults omitted), never over input bytes, so a non-canonical input encoding cannot change what is hashed.
// Inputs are bounded before parsing (kMax… below). Pure; thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"

namespace causeway::chainmaker {

inline constexpr std::size_t kMaxBlockBytes = 64u << 20;      // one binary common.Block
inline constexpr std::size_t kMaxTransactions = 100'000;      // per block
inline constexpr std::size_t kMaxVoteSetBytes = 8u << 20;     // the TBFT VoteSet in additional data
inline constexpr std::size_t kMaxVotes = 1024;                // vote entries in one VoteSet
inline constexpr std::size_t kMaxMerklePath = 32;             // siblings (2^32 leaves)
inline constexpr std::uint32_t kGasZeroedFromVersion = 2300;  // block_version from which gas_used is zeroed
inline constexpr std::string_view kTbftAdditionalDataKey = "TBFTAddtionalDataKey";  // sic, ChainMaker's key

// ChainConfig.crypto.hash. SHA3_256 chains exist but are not supported (ERR_UNSUPPORTED).
enum class HashType : std::uint8_t { Sha256, Sm3 };
std::string_view hash_type_name(HashType h) noexcept;  // "SHA256" | "SM3"
// "SHA256" | "SM3" (ChainMaker's spelling; exact). Errors: ERR_UNSUPPORTED (SHA3_256 and any other name).
Result<HashType> parse_hash_type(std::string_view name);
Hash32 hash(HashType h, ByteView data);

// accesscontrol.MemberType values.
inline constexpr std::uint32_t kMemberCert = 0, kMemberCertHash = 1, kMemberPublicKey = 2;
// common.BlockType values.
inline constexpr std::uint32_t kNormalBlock = 0, kConfigBlock = 1;
// tbft.VoteType values.
inline constexpr std::uint32_t kVotePrevote = 0, kVotePrecommit = 1;

struct Member {
  std::string org_id;
  std::uint32_t member_type = kMemberCert;
  Bytes member_info;  // CERT: PEM certificate; CERT_HASH: certificate hash; PUBLIC_KEY: key
  bool operator==(const Member&) const = default;
};

// common.BlockHeader, every field.
struct Header {
  std::uint32_t block_version = 0;
  std::uint32_t block_type = kNormalBlock;
  std::string chain_id;
  std::uint64_t height = 0;
  Bytes block_hash;
  Bytes pre_block_hash;
  std::uint64_t pre_conf_height = 0;
  std::uint32_t tx_count = 0;
  Bytes tx_root;
  Bytes dag_hash;
  Bytes rw_set_root;
  std::int64_t timestamp_s = 0;
  Bytes consensus_args;
  Member proposer;
  Bytes signature;
  bool operator==(const Header&) const = default;
};

struct ContractEvent {
  std::string topic, tx_id, contract_name, contract_version;
  std::vector<std::string> event_data;
  bool operator==(const ContractEvent&) const = default;
};

// A transaction as the light client needs it: what a claim names, and the exact bytes its hash covers.
struct Transaction {
  std::string chain_id, tx_id, contract_name, method;
  std::int32_t status = 0;             // Result.code (TxStatusCode, 0 = SUCCESS)
  std::uint32_t contract_code = 0;     // ContractResult.code
  Bytes contract_result;               // ContractResult.result
  std::vector<ContractEvent> events;   // ContractResult.contract_event
  Bytes rw_set_hash;                   // Result.rw_set_hash
  Bytes hash_preimage;                 // canonical proto(Transaction), gas_used zeroed by the version rule
};

// tbft.Vote (endorsement split into signer and signature).
struct Vote {
  std::uint32_t type = kVotePrevote;
  std::string voter;  // libp2p node id ("Qm…")
  std::uint64_t height = 0;
  std::int32_t round = 0;
  Bytes hash;         // the block hash voted for (empty: nil vote)
  Member signer;
  Bytes signature;
  std::vector<std::string> invalid_txs;
  bool operator==(const Vote&) const = default;
};

struct VoteEntry {
  std::string key;  // the map key (must equal vote.voter)
  Vote vote;
};

// tbft.VoteSet; `votes` keeps every wire entry of the map in order (a repeated key is kept, not overwritten).
// votes_by_block is a derived index of `votes` and is not decoded.
struct VoteSet {
  std::uint32_t type = kVotePrevote;
  std::uint64_t height = 0;
  std::int32_t round = 0;
  std::uint64_t sum = 0;
  Bytes maj23;
  std::vector<VoteEntry> votes;
};

struct Block {
  Header header;
  std::vector<Transaction> txs;
  Bytes dag_preimage;       // canonical proto(DAG)
  std::optional<Bytes> qc;  // additional_data.extra_data["TBFTAddtionalDataKey"]: a serialized tbft.VoteSet
};

// Decodes a binary common.Block (what ChainMaker's gRPC returns; relay/proofs turns RPC JSON into it).
// Errors: ERR_TOO_LARGE (over kMaxBlockBytes or kMaxTransactions), ERR_PROTOBUF_DECODE (not a Block, no header).
Result<Block> decode_block(ByteView block_bytes);
// Decodes one binary common.Transaction; the hash preimage follows `block_version` (gas rule above).
Result<Transaction> decode_transaction(ByteView tx_bytes, std::uint32_t block_version);
// Decodes a tbft.VoteSet. Errors: ERR_TOO_LARGE (over kMaxVoteSetBytes or kMaxVotes entries), ERR_PROTOBUF_DECODE.
Result<VoteSet> decode_vote_set(ByteView vote_set_bytes);

// Canonical encodings.
Bytes encode_header(const Header& h);             // every field as given
Bytes header_hash_preimage(const Header& h);      // block_hash and signature cleared
Bytes vote_sign_bytes(const Vote& v);             // proto(Vote) without its endorsement (field 6)
Bytes encode_vote_set(const VoteSet& s);          // for tests and tools; votes as map entries, in order
// Canonical re-encoding of a binary TxRWSet. Errors: ERR_TOO_LARGE, ERR_PROTOBUF_DECODE.
Result<Bytes> canonical_rw_set(ByteView tx_rw_set_bytes);

Hash32 block_hash(HashType h, const Header& header);  // H(header_hash_preimage)
Hash32 tx_hash(HashType h, const Transaction& tx);    // H(hash_preimage)

// ChainMaker Merkle tree (common/v2 crypto/hash BuildMerkleTree / GetMerklePath). Leaves are 32-byte hashes.
// merkle_root: nullopt for no leaves (ChainMaker's nil root).
std::optional<Hash32> merkle_root(HashType h, std::span<const Hash32> leaves);
// Siblings bottom-up for leaves[index]; a lone node's own value where the sibling is absent.
// Precondition: index < leaves.size() (asserted).
std::vector<Hash32> merkle_path(HashType h, std::span<const Hash32> leaves, std::uint64_t index);
// Folds `leaf` at `index` of a tree of `count` leaves (the header's tx_count) through `path` and compares with
// `root`. The path length must be exactly the tree depth ⌈log2 count⌉ and, where the node is the lone last node
// of its level, its sibling must be the node itself — so one path proves one position of one tree size.
// Errors: ERR_ZERO_ROOT (root all zero, A01), ERR_MERKLE_INDEX (count 0, index ≥ count, wrong path length),
// ERR_MERKLE_BRANCH (lone node with a foreign sibling, or the root differs).
Status verify_merkle_path(HashType h, const Hash32& leaf, std::uint64_t index, std::uint64_t count,
                          std::span<const Hash32> path, const Hash32& root);

}  // namespace causeway::chainmaker
