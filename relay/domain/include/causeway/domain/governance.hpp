// Governance records: k-of-n secp256k1 keys (Ethereum addresses) that sign island registration and updates,
// channel open/close, client recovery and committee changes. docs/relay-domain.md "Governance digest".
//
// Every governance record is signed over
//
//   governance_digest = keccak256(abi.encode(
//       bytes32 tag("causeway.governance.v1"),   // tag(s) = keccak256(utf8(s)), as PACKET.md
//       string  action,      // "island.register" | "island.update" | "channel.open" | "channel.close"
//                            // | "client.recover" | "committee.update"
//       string  subject,     // the island's CAIP-2 id; "causeway.committee" for committee records
//       bytes32 genesis,     // the island's genesis hash; 32 zero bytes for committee records
//       uint64  nonce,       // the subject's governance nonce after this record: 1 for a registration
//                            // (or the first committee), previous + 1 after — replays and reordering fail
//       bytes32 body_hash))  // keccak256(body), body = the action's abi.encode(...) (island.hpp, channel.hpp,
//                            // committee.hpp, relay_state.hpp document each)
//
// Each signer signs the raw 32-byte digest (no EIP-191 prefix) with secp256k1 ECDSA, low-S required, encoded
// r ‖ s ‖ v (65 bytes, v ∈ {27, 28}), exactly like PACKET.md attestations, so an EVM contract can ecrecover it.
// The record is valid iff at least k signatures recover to distinct members; any signature that recovers to a
// non-member, or to a member already counted, makes the record invalid (no junk is ignored silently).
//
// Thread-safety: value types and pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"
#include "causeway/core/secp256k1.hpp"

namespace causeway::domain {

using Address = secp256k1::Address;  // 20 bytes

inline constexpr std::size_t kMaxGovernanceKeys = 64;
inline constexpr std::size_t kSignatureBytes = 65;  // r ‖ s ‖ v

// k of n governance keys; members sorted ascending by bytes, unique, none all-zero.
struct GovernanceKeys {
  std::uint32_t threshold = 0;
  std::vector<Address> members;
  bool operator==(const GovernanceKeys&) const = default;
};

// Builds a key set: sorts members. Errors (ERR_INVALID_ARGUMENT unless noted): no members; more than
// kMaxGovernanceKeys (ERR_TOO_LARGE); threshold 0 or > n; a member twice; an all-zero address (ERR_ZERO_ROOT, A01).
Result<GovernanceKeys> make_governance_keys(std::uint32_t threshold, std::vector<Address> members);

// Validates a key set received from outside (same rules; also that members are sorted).
Status validate_governance_keys(const GovernanceKeys& keys);

// The members as their concatenated 20-byte addresses (how bodies encode a key list; the ABI subset of
// core/abi.hpp has no arrays).
Bytes members_bytes(std::span<const Address> members);

enum class GovAction { IslandRegister, IslandUpdate, ChannelOpen, ChannelClose, ClientRecover, CommitteeUpdate };

// "island.register", "island.update", "channel.open", "channel.close", "client.recover", "committee.update".
std::string_view action_name(GovAction a) noexcept;

// The subject of committee records.
inline constexpr std::string_view kCommitteeSubject = "causeway.committee";

// The digest above.
Hash32 governance_digest(GovAction action, std::string_view subject, const Hash32& genesis, std::uint64_t nonce,
                         const Hash32& body_hash);

// Checks that `signatures` (65-byte r ‖ s ‖ v each) over `digest` come from at least keys.threshold distinct
// members. Errors: ERR_TOO_LARGE (more than kMaxGovernanceKeys signatures), those of secp256k1::recover_rsv with
// LowS::Required (ERR_BAD_LENGTH, ERR_SIG_ENCODING, ERR_SIG_HIGH_S, ERR_SIG_INVALID), ERR_NOT_VALIDATOR (a
// signature recovers to a non-member), ERR_DUPLICATE_SEAL (two signatures from one member),
// ERR_INSUFFICIENT_QUORUM (fewer than k). `at` is "signatures[i]" where an entry is at fault.
Status verify_governance(const GovernanceKeys& keys, const Hash32& digest, std::span<const Bytes> signatures);

// Signs a governance digest with one key (for tools and tests): 65 bytes r ‖ s ‖ v, low-S.
// Errors: those of secp256k1::sign_rsv.
Result<Bytes> sign_governance(const Hash32& digest, const secp256k1::SecretKey& key);

}  // namespace causeway::domain
