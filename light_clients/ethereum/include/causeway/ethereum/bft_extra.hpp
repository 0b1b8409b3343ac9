// The extraData codec of Hyperledger Besu IBFT 2.0 and QBFT (shared/formats/besu-bft.md §2; Besu
// consensus/ibft/.../IbftExtraDataCodec.java @14528e8f and consensus/qbft/.../QbftExtraDataCodec.java @1c0ab2e3).
//
// extraData is ONE RLP list of exactly 5 items: [vanity, validators, vote, round, committed seals].
//
//   item        IBFT 2.0                                QBFT
//   vanity      byte string (headers: exactly 32 bytes, checked by the header rule, not here)
//   validators  list of 20-byte strings                 same (empty in contract-validator mode)
//   vote none   empty string 0x80                       empty list 0xc0
//   vote        [recipient(20), type]                   same
//     ADD       single byte 0xFF, encoded 81 ff         81 ff
//     DROP      single byte 0x00, encoded 00            empty string 0x80
//   round       exactly 4 bytes big-endian (84 xxxxxxxx) minimal scalar (0 is 0x80, no leading zero), ≤ 4 bytes
//   seals       list of 65-byte r ‖ s ‖ v strings       same
//
// Seals are checked as Besu's signature decoder does (SECPSignature.decode): 65 bytes, r and s in [1, n−1],
// recovery id 0 or 1 (27/28 are refused). The decoder is strict: the canonical RLP of causeway/core/rlp.hpp,
// exactly 5 items (a 6th item is refused), no other vote type, so decode(b) succeeding implies encode(decode(b))
// == b.
//
// Thread-safety: pure functions over values; safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"
#include "causeway/ethereum/header.hpp"

namespace causeway::ethereum::bft {

enum class Variant : std::uint8_t { Ibft2, Qbft };

enum class VoteType : std::uint8_t { Add, Drop };

// A validator vote carried by a header: its proposer (coinbase) votes to add or drop `recipient`.
struct Vote {
  Address recipient{};
  VoteType type = VoteType::Add;
  bool operator==(const Vote&) const = default;
};

using Seal = std::array<std::uint8_t, 65>;  // r (32) ‖ s (32) ‖ recovery id (1, 0 or 1)

inline constexpr std::size_t kVanityBytes = 32;  // what the header rule requires (BftVanityDataValidationRule)

struct ExtraData {
  Bytes vanity;                    // any length in the codec; 32 bytes in a valid header
  std::vector<Address> validators; // as listed (a valid header lists them strictly ascending)
  std::optional<Vote> vote;
  std::uint32_t round = 0;         // the round in which the block was committed
  std::vector<Seal> seals;         // committed seals, in header order
  bool operator==(const ExtraData&) const = default;
};

// Decodes extraData. Errors: ERR_BFT_EXTRA_DATA (empty input, not canonical RLP — the RLP error is named in
// the detail —, not a list of exactly 5 items, a list where a string belongs or the reverse, a validator or
// vote recipient that is not 20 bytes, a vote type other than the variant's ADD/DROP encoding, an IBFT 2.0 round
// that is not exactly 4 bytes, a QBFT round with a leading zero or over 4 bytes); ERR_SIG_ENCODING (a seal that
// is not 65 bytes, recovery id not 0/1, r or s zero or ≥ n), with at = "committed_seals[i]".
Result<ExtraData> decode_extra(Variant v, ByteView extra_data);

// The full 5-item encoding (what a sealed header carries).
Bytes encode_extra(Variant v, const ExtraData& e);

// The extraData hashed for the block hash (Besu BftBlockHashing.calculateHashOfBftBlockOnChain, besu-bft.md §3a):
//   IBFT 2.0: RLP[vanity, validators, vote]                      (round and seals omitted)
//   QBFT:     RLP[vanity, validators, vote, 0x80, 0xc0]          (round forced to 0, seals emptied)
Bytes encode_extra_for_block_hash(Variant v, const ExtraData& e);

// The extraData hashed for the committed-seal hash (Besu calculateDataHashForCommittedSeal, §3b):
//   IBFT 2.0: RLP[vanity, validators, vote, round(4 bytes)]      (seals omitted)
//   QBFT:     RLP[vanity, validators, vote, round, 0xc0]         (seals emptied, round kept)
Bytes encode_extra_for_committed_seal(Variant v, const ExtraData& e);

}  // namespace causeway::ethereum::bft
