// Ethereum execution-layer block headers: typed fields for every fork shape, canonical RLP encoding,
// strict decoding and the block hash.
//
// Specs: Yellow Paper §4.3 "The Block" (the 15 pre-London fields, H_p … H_n) and §4.3.4 "Block Header
// Validity"; appendix B (RLP). Fork additions, appended to the RLP list in this order:
//   London   EIP-1559  baseFeePerGas                                    (16 fields)
//   Shanghai EIP-4895  withdrawalsRoot                                  (17 fields)
//   Cancun   EIP-4844  blobGasUsed, excessBlobGas; EIP-4788 parentBeaconBlockRoot (20 fields)
//   Prague   EIP-7685  requestsHash                                     (21 fields)
// A later field is present only when every earlier one is (a header of 18 or 19 fields, or a Cancun field
// without Shanghai's, is not a header of any fork and is refused). Fork *activation* (which shape a given
// chain must use at a given height) is chain configuration and is the consensus layer's job, not this codec's.
//
// Canonical encodings only: integers are minimal big-endian RLP strings (0 is 0x80, no leading zero byte),
// fixed-size fields have their exact size, the header is one flat RLP list with nothing after it. So one
// header has exactly one accepted encoding and decode_header(b) succeeding implies encode_header(h) == b.
//
// Units: gas fields in gas; baseFeePerGas in wei per gas; blobGasUsed/excessBlobGas in blob gas; timestamp
// in seconds since the Unix epoch. Integers that EIP-1985 / EIP-4844 bound to 64 bits are uint64;
// difficulty and baseFeePerGas (uint256 by spec) are 32-byte big-endian (U256).
//
// Thread-safety: value types and pure functions; safe from any thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "causeway/core/abi.hpp"
#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"

namespace causeway::ethereum {

using Address = std::array<std::uint8_t, 20>;  // 20-byte account address
using Bloom = std::array<std::uint8_t, 256>;   // 2048-bit logs bloom (Yellow Paper §4.3.1)
using U256 = abi::U256;                        // uint256 as 32 big-endian bytes
using Nonce = std::array<std::uint8_t, 8>;     // PoW nonce (8 bytes; zero after the Merge and on BFT chains)

// The header shapes, named after the fork that introduced the last field. The value is the field count.
enum class HeaderShape : std::uint8_t {
  Frontier = 15,  // pre-London (Frontier … Berlin), also Clique/IBFT 2.0/QBFT chains without London
  London = 16,
  Shanghai = 17,
  Cancun = 20,
  Prague = 21,
};

// Bounds on extraData (Yellow Paper §4.3.4 limits it to 32 bytes on mainnet; Clique puts vanity ‖ signers ‖
// seal there and Besu IBFT 2.0/QBFT an RLP list of validators and seals, so consortium chains go further).
inline constexpr std::size_t kStrictMaxExtraData = 1024;     // the strict profile: public chains
inline constexpr std::size_t kDefaultMaxExtraData = 65536;   // default: room for large BFT validator sets
// All fields but extraData take at most this many encoded bytes (21 fields incl. a 256-byte bloom, plus the
// list header); a header above kHeaderFixedBound + max_extra_data bytes is refused before it is parsed.
inline constexpr std::size_t kHeaderFixedBound = 1024;

struct HeaderLimits {
  std::size_t max_extra_data = kDefaultMaxExtraData;  // bytes; use kStrictMaxExtraData for public chains
};

// The typed header. Field names follow the Yellow Paper / JSON-RPC (JSON-RPC name in brackets).
struct Header {
  Hash32 parent_hash;                 // H_p [parentHash]
  Hash32 ommers_hash;                 // H_o [sha3Uncles]: keccak256(RLP(list of ommer headers))
  Address beneficiary{};              // H_c [miner, coinbase]
  Hash32 state_root;                  // H_r [stateRoot]
  Hash32 transactions_root;           // H_t [transactionsRoot]
  Hash32 receipts_root;               // H_e [receiptsRoot]
  Bloom logs_bloom{};                 // H_b [logsBloom]
  U256 difficulty{};                  // H_d [difficulty], 0 after the Merge
  std::uint64_t number = 0;           // H_i [number]
  std::uint64_t gas_limit = 0;        // H_l [gasLimit], gas
  std::uint64_t gas_used = 0;         // H_g [gasUsed], gas
  std::uint64_t timestamp_s = 0;      // H_s [timestamp], seconds
  Bytes extra_data;                   // H_x [extraData]
  Hash32 mix_hash;                    // H_m [mixHash]; prevRandao after the Merge (EIP-4399)
  Nonce nonce{};                      // H_n [nonce]
  std::optional<U256> base_fee_per_gas;               // London, EIP-1559, wei per gas
  std::optional<Hash32> withdrawals_root;             // Shanghai, EIP-4895
  std::optional<std::uint64_t> blob_gas_used;         // Cancun, EIP-4844, blob gas
  std::optional<std::uint64_t> excess_blob_gas;       // Cancun, EIP-4844, blob gas
  std::optional<Hash32> parent_beacon_block_root;     // Cancun, EIP-4788
  std::optional<Hash32> requests_hash;                // Prague, EIP-7685

  bool operator==(const Header&) const = default;
};

// keccak256(RLP([])) = 0x1dcc4de8…9347: the ommers hash of a block without ommers (all blocks after the Merge).
Hash32 empty_ommers_hash() noexcept;
// keccak256(RLP("")) = 0x56e81f17…b421: the root of the empty trie (no transactions, receipts, withdrawals).
Hash32 empty_trie_root() noexcept;

// The shape of h from which optional fields it holds. Errors: ERR_ETH_HEADER when the present fields are not
// a prefix of the fork order (e.g. withdrawalsRoot without baseFeePerGas, only some of Cancun's three fields).
Result<HeaderShape> header_shape(const Header& h);

// Canonical RLP of the header: [H_p, H_o, …, H_n, then the present fork fields in order]. Integers minimal
// big-endian (difficulty / baseFeePerGas with leading zero bytes stripped). Errors: ERR_ETH_HEADER (shape, as
// header_shape). No size bound is applied here (the typed value is already in memory).
Result<Bytes> encode_header(const Header& h);

// Strict decode of a header RLP. Accepts exactly the encodings encode_header produces, of 15, 16, 17, 20 or
// 21 fields. Errors:
//   ERR_TOO_LARGE          input above kHeaderFixedBound + limits.max_extra_data bytes, or extraData above
//                          limits.max_extra_data (at = "extraData")
//   ERR_RLP_*              not canonical RLP (see causeway/core/rlp.hpp), with the byte offset in `at`
//   ERR_ETH_HEADER         not a list, a list-typed field, a field count of no fork shape, a hash/address/
//                          bloom/nonce of the wrong size (at = the JSON-RPC field name)
//   ERR_RLP_NON_CANONICAL  an integer with a leading zero byte (at = field name)
//   ERR_OVERFLOW           a uint64 field above 8 bytes, difficulty/baseFee above 32 bytes (at = field name)
Result<Header> decode_header(ByteView rlp, const HeaderLimits& limits = {});

// Block hash = keccak256(encode_header(h)) (Yellow Paper §4.3: KEC(RLP(H))). Errors: as encode_header.
// Consensus-specific hashes (Clique seal hash, IBFT 2.0/QBFT hashes over a rewritten extraData) are built
// by the consensus codecs on top of encode_header.
Result<Hash32> header_hash(const Header& h);

// keccak256(RLP(list of the ommer headers)) — the value H_o must equal (Yellow Paper §4.3.2, §4.4.3).
// Errors: as encode_header, at = "ommers[i]".
Result<Hash32> ommers_hash(std::span<const Header> ommers);

// Parent link: child.parent_hash == parent_hash and child.number == parent_number + 1.
// Errors: ERR_PREV_HASH_MISMATCH (hash), ERR_ETH_HEADER (number; also parent_number = 2^64 − 1).
Status check_parent_link(const Hash32& parent_hash, std::uint64_t parent_number, const Header& child);
// The same with the parent given as a header (its hash is computed). Errors: as above and encode_header.
Status check_parent_link(const Header& parent, const Header& child);

}  // namespace causeway::ethereum
