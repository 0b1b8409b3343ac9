// The island registry (DESIGN.md §2 "island"; issue #5 "Island registry"): CAIP-2 id + genesis hash, family
// and codec, consensus parameters, trust anchor, finality rule, the endpoint that emits packets (A19) and the
// governance keys (k of n) that sign registration and every later change (A04).
//
// Governance bodies (governance.hpp gives the digest around them):
//   island.register / island.update: body = abi.encode(string id, bytes32 genesis, string family, string codec,
//     bytes consensus_params, uint64 trusting_period_s, string finality, uint64 confirmations,
//     bool allow_rpc_trusted_public, uint64 anchor_height, bytes32 anchor_hash, uint64 anchor_time_s,
//     bytes anchor_extra, bytes endpoint, uint64 threshold, bytes members)
//     (family "bitcoin" | "ethereum" | "bft"; finality "confirmations" | "bft-quorum" | "rpc-trusted";
//      members = concatenated 20-byte addresses, ascending).
//   client.recover: body = abi.encode(string island, uint64 anchor_height, bytes32 anchor_hash,
//     uint64 anchor_time_s, bytes anchor_extra).
// A registration is signed by k of the keys it lists (the consortium consents; the operator's API
// authentication admits it) with nonce 1; every later record of the island (update, channel open/close,
// client recover) is signed by k of the island's CURRENT keys with nonce = current nonce + 1, so the records
// of one island form one sequence that cannot be replayed or reordered.
//
// Thread-safety: value types; a registry is a value with no internal synchronization.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"
#include "causeway/domain/governance.hpp"

namespace causeway::domain {

inline constexpr std::size_t kMaxCodecBytes = 64;
inline constexpr std::size_t kMaxConsensusParamsBytes = 65536;
inline constexpr std::size_t kMaxAnchorExtraBytes = 65536;
inline constexpr std::size_t kMaxEndpointBytes = 128;
inline constexpr std::size_t kMaxIslands = 4096;

enum class Family { Bitcoin, Ethereum, Bft };
std::string_view family_name(Family f) noexcept;  // "bitcoin", "ethereum", "bft"

enum class FinalityKind { Confirmations, BftQuorum, RpcTrusted };
std::string_view finality_name(FinalityKind f) noexcept;  // "confirmations", "bft-quorum", "rpc-trusted"

struct FinalityRule {
  FinalityKind kind = FinalityKind::BftQuorum;
  std::uint64_t confirmations = 0;  // Confirmations / RpcTrusted: ≥ 1; BftQuorum: 0
  bool operator==(const FinalityRule&) const = default;
};

// The header the island's light client starts from (or restarts from, after client recover).
struct TrustAnchor {
  std::uint64_t height = 0;
  Hash32 hash;                // never all zero (A01)
  std::uint64_t time_s = 0;   // header time in seconds; never 0 (A01)
  Bytes extra;                // family data the client needs (validator set encoding, PoW params), opaque here
  bool operator==(const TrustAnchor&) const = default;
};

// Active, or frozen (misbehaviour seen, A14) or expired (trusting period passed, A21): a frozen or expired
// client takes no new packets until `client recover` installs a governance-signed anchor.
enum class ClientStatus { Active, Frozen, Expired };
std::string_view client_status_name(ClientStatus s) noexcept;  // "active", "frozen", "expired"
// A21, the light clients' expiry rule (bft client.hpp "expired"): a client whose latest held consensus state has
// time `latest_time_ms` (ms since the epoch) is past its trusting period at `now_ms` (the relay's clock) when
// latest_time_ms + trusting_period_s · 1000 <= now_ms. A trusting period of 0 (Bitcoin: proof of work) never
// passes; a state time after now_ms (clock skew) has not passed it. No overflow for any inputs. The ONE definition
// used wherever the relay judges expiry: client recover (relay/engine) and the client status the API reports
// (relay/gateway; frozen is reported before expired). Pure, thread-safe.
bool trusting_period_passed(std::uint64_t latest_time_ms, std::uint64_t trusting_period_s,
                            std::uint64_t now_ms) noexcept;

struct IslandSpec {
  std::string id;                    // CAIP-2
  Hash32 genesis;                    // identity hash as PACKET.md uses it (Bitcoin: display order); never zero
  Family family = Family::Bft;
  std::string codec;                 // e.g. "causeway-devnet/v1", "besu-qbft", "bitcoin-mainnet", "clique"
  Bytes consensus_params;            // the family's parameters, opaque here (bounded); Bitcoin: deposit routes
  std::uint64_t trusting_period_s = 0;  // > 0, except Bitcoin (0 = no time-based expiry)
  FinalityRule finality;
  bool allow_rpc_trusted_public = false;
  TrustAnchor anchor;
  Bytes endpoint;                    // EVM: 20-byte endpoint contract; devnet: module name; Bitcoin: deposit script
  GovernanceKeys governance;
  bool operator==(const IslandSpec&) const = default;
};

struct IslandRecord {
  IslandSpec spec;
  std::uint64_t nonce = 0;  // governance nonce: 1 after registration, +1 per governance record
  ClientStatus status = ClientStatus::Active;
  bool operator==(const IslandRecord&) const = default;
};

struct SignedIsland {
  IslandSpec spec;
  std::uint64_t nonce = 0;
  std::vector<Bytes> signatures;  // 65-byte r ‖ s ‖ v each
};

struct ClientRecoverRecord {
  std::string island;
  TrustAnchor anchor;
  std::uint64_t nonce = 0;
  std::vector<Bytes> signatures;
};

// Static checks of a spec (no registry needed). Errors (ERR_INVALID_ARGUMENT unless noted, `at` names the
// field): id not CAIP-2; Bitcoin id not "bip122:<first 32 hex digits of genesis>" or Ethereum id not
// "eip155:<canonical decimal>" (ERR_ISLAND_MISMATCH); zero genesis, zero anchor hash or anchor time 0
// (ERR_ZERO_ROOT, A01); codec empty/over kMaxCodecBytes or outside [a-z0-9./_-]; params/extra over their bounds
// (ERR_TOO_LARGE); trusting period 0 (non-Bitcoin); finality not allowed for the family or confirmations 0;
// rpc-trusted on eip155:1, eip155:11155111 or eip155:17000 without allow_rpc_trusted_public
// (ERR_RPC_TRUSTED_REFUSED); endpoint empty, over kMaxEndpointBytes, all zero (ERR_ZERO_ROOT), or not 20 bytes
// for the Ethereum family; governance keys invalid (governance.hpp). Bitcoin: consensus_params are the island's
// deposit routes (light_clients/bitcoin deposit.hpp decode_routes: empty = none; its errors with at
// "consensus_params.routes[i]…"), no route to a reserved port (ERR_FORBIDDEN_TARGET, A04) or to the island itself.
Status validate_island_spec(const IslandSpec& spec);

// keccak256 of the island body above.
Hash32 island_body_hash(const IslandSpec& spec);
Hash32 island_digest(GovAction action, const IslandSpec& spec, std::uint64_t nonce);
// keccak256 of the client.recover body, and the digest its signers sign.
Hash32 recover_body_hash(std::string_view island, const TrustAnchor& anchor);
Hash32 recover_digest(std::string_view island, const Hash32& genesis, const TrustAnchor& anchor,
                      std::uint64_t nonce);

class IslandRegistry {
 public:
  // Registers a new island. Errors: those of validate_island_spec; ERR_GOVERNANCE_NONCE (nonce ≠ 1);
  // ERR_ISLAND_EXISTS (id or genesis already registered); ERR_TOO_LARGE (kMaxIslands); verify_governance's
  // errors against spec.governance. Returns the stored record (for the `island_registered` audit entry).
  // On any error the registry is unchanged.
  Result<IslandRecord> register_island(const SignedIsland& rec);

  // Replaces the spec of an existing island. Id, genesis and anchor cannot change (the anchor changes only by
  // client recover). Signed by k of the CURRENT keys; the new keys govern the next record. Errors: those of
  // validate_island_spec; ERR_UNKNOWN_ISLAND; ERR_ISLAND_MISMATCH (genesis differs); ERR_INVALID_ARGUMENT
  // (anchor differs); ERR_GOVERNANCE_NONCE; verify_governance's. Client status is kept. Unchanged on error.
  Result<IslandRecord> update_island(const SignedIsland& rec);

  // Operator action `client recover` (A21): a frozen or expired client gets a new anchor signed by k of the
  // island's current keys; status becomes Active. Errors: ERR_UNKNOWN_ISLAND; ERR_ILLEGAL_TRANSITION (client is
  // active); ERR_ZERO_ROOT (anchor hash zero or time 0); ERR_TOO_LARGE (extra); ERR_GOVERNANCE_NONCE;
  // verify_governance's. Returns the updated record. Unchanged on error.
  Result<IslandRecord> recover_client(const ClientRecoverRecord& rec);

  // The light client saw misbehaviour (A14) / judged the client expired (A21). Expired never overrides
  // Frozen. Errors: ERR_UNKNOWN_ISLAND.
  Status freeze(std::string_view id);
  Status mark_expired(std::string_view id);

  // Checks a governance record of an existing island against its current keys and nonce (nonce must be
  // current + 1) without applying it. Errors: ERR_UNKNOWN_ISLAND, ERR_GOVERNANCE_NONCE, verify_governance's.
  Status check_governance(std::string_view id, GovAction action, std::uint64_t nonce, const Hash32& body_hash,
                          std::span<const Bytes> signatures) const;
  // Advances the island's nonce after a record checked by check_governance was applied (precondition: it
  // exists; asserted).
  void bump_nonce(std::string_view id);

  const IslandRecord* find(std::string_view id) const noexcept;
  // The island exists and its genesis matches. Errors: ERR_UNKNOWN_ISLAND, ERR_ISLAND_MISMATCH.
  Result<const IslandRecord*> find_with_genesis(std::string_view id, const Hash32& genesis) const;
  // The island's client takes new packets. Errors: ERR_UNKNOWN_ISLAND, ERR_CLIENT_FROZEN, ERR_CLIENT_EXPIRED.
  Status check_active(std::string_view id) const;
  // A19: events count only from the registered endpoint. Errors: ERR_UNKNOWN_ISLAND, ERR_WRONG_EMITTER.
  Status check_emitter(std::string_view id, ByteView emitter) const;

  std::size_t size() const noexcept { return islands_.size(); }
  const std::map<std::string, IslandRecord, std::less<>>& all() const noexcept { return islands_; }
  bool operator==(const IslandRegistry&) const = default;

 private:
  std::map<std::string, IslandRecord, std::less<>> islands_;
};

}  // namespace causeway::domain
