// Consensus modes of an Ethereum-family island and what they share: the mode names of PROOF-BUNDLE.md
// ("family ethereum": `rpc-trusted` | `clique` | `qbft` | `ibft2`), the trust label every result carries, the
// rpc-trusted refusal for public chain ids (DESIGN.md §4), and small helpers the codecs share (address sets,
// re-encoding a header with another extraData).
//
// Thread-safety: pure functions over values; safe from any thread.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"
#include "causeway/ethereum/header.hpp"

namespace causeway::ethereum {

// How headers of an island are verified.
//   Clique      EIP-225 proof of authority (causeway/ethereum/clique.hpp)
//   Qbft        Hyperledger Besu QBFT, validators in the header or from a contract (besu_bft.hpp)
//   Ibft2       Hyperledger Besu IBFT 2.0 (besu_bft.hpp)
//   RpcTrusted  no consensus proof: hash chain + confirmations only, for dev chains (DESIGN.md §4)
enum class ConsensusMode : std::uint8_t { Clique, Qbft, Ibft2, RpcTrusted };

// The PROOF-BUNDLE.md name: "clique", "qbft", "ibft2", "rpc-trusted".
std::string_view consensus_mode_name(ConsensusMode m) noexcept;
// The inverse of consensus_mode_name (exact, lowercase). Errors: ERR_INVALID_ARGUMENT.
Result<ConsensusMode> parse_consensus_mode(std::string_view name);

// What a verified result rests on. Every client result carries it so that rpc-trusted data is never mistaken
// for consensus-verified data (DESIGN.md §4: "an explicit, loudly labelled rpc-trusted mode").
enum class Trust : std::uint8_t { ConsensusVerified, RpcTrusted };
// "consensus-verified" or "rpc-trusted".
std::string_view trust_label(Trust t) noexcept;
// RpcTrusted for ConsensusMode::RpcTrusted, ConsensusVerified otherwise.
Trust trust_of(ConsensusMode m) noexcept;

// The chain id of a CAIP-2 island id "eip155:<chainId>": canonical decimal (no sign, no leading zero),
// 1 ≤ chainId < 2^64. Errors: ERR_INVALID_ARGUMENT (other namespace, empty/non-decimal/leading-zero reference,
// zero, overflow).
Result<std::uint64_t> parse_eip155_island(std::string_view island);

// True for the public chains PROOF-BUNDLE.md names: eip155:1 (mainnet), eip155:11155111 (Sepolia),
// eip155:17000 (Holešky). Compared by parsed chain id, so "eip155:01" cannot slip past (it is not canonical).
bool is_public_eip155_chain(std::uint64_t chain_id) noexcept;

// rpc-trusted is refused for the public chain ids unless `allow_public` (the bundle's
// "allow_rpc_trusted_public": true / the operator's explicit override). Errors: ERR_INVALID_ARGUMENT (island
// is not a canonical eip155 id), ERR_RPC_TRUSTED_REFUSED (public chain without the override).
Status check_rpc_trusted_allowed(std::string_view island, bool allow_public);

// ---- helpers shared by the consensus codecs ---------------------------------------------------------------

// A copy of h with extraData replaced (every other field, including the fork fields, unchanged). The Clique
// seal hash and the Besu BFT hashes are keccak256(encode_header(with_extra_data(h, …))).
Header with_extra_data(const Header& h, Bytes extra_data);

// True iff the addresses are in strictly ascending byte order (sorted, no duplicates) — the order Clique
// checkpoints and Besu extraData list signers/validators in.
bool is_strictly_ascending(std::span<const Address> addrs) noexcept;

// The addresses sorted ascending. Errors: ERR_INVALID_ARGUMENT when one occurs twice (at = "validators[i]").
Result<std::vector<Address>> sorted_unique(std::vector<Address> addrs);

// Binary search in an ascending list.
bool contains_sorted(std::span<const Address> sorted, const Address& a) noexcept;

}  // namespace causeway::ethereum
