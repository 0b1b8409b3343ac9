#include "causeway/domain/island.hpp"

#include <algorithm>
#include <cassert>

#include "causeway/bitcoin/deposit.hpp"
#include "causeway/core/abi.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/domain/ids.hpp"
#include "causeway/domain/relay_state.hpp"

namespace causeway::domain {
namespace {

bool all_zero(ByteView v) {
  return std::all_of(v.begin(), v.end(), [](std::uint8_t b) { return b == 0; });
}

bool is_codec_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '/' || c == '_' || c == '-';
}

bool is_canonical_decimal(std::string_view s) {
  if (s.empty() || s.size() > 20) return false;
  if (s.size() > 1 && s[0] == '0') return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Status validate_anchor(const TrustAnchor& a) {
  if (a.hash.is_zero()) return fail(Code::ZeroRoot, "trust anchor hash is all zero (A01)", "anchor.hash");
  if (a.time_s == 0) return fail(Code::ZeroRoot, "trust anchor time is 0 (A01)", "anchor.time_s");
  if (a.extra.size() > kMaxAnchorExtraBytes) {
    return fail(Code::TooLarge, "anchor extra data over its bound", "anchor.extra");
  }
  return {};
}

}  // namespace

std::string_view family_name(Family f) noexcept {
  switch (f) {
    case Family::Bitcoin: return "bitcoin";
    case Family::Ethereum: return "ethereum";
    case Family::Bft: return "bft";
  }
  return "unknown";
}

std::string_view finality_name(FinalityKind f) noexcept {
  switch (f) {
    case FinalityKind::Confirmations: return "confirmations";
    case FinalityKind::BftQuorum: return "bft-quorum";
    case FinalityKind::RpcTrusted: return "rpc-trusted";
  }
  return "unknown";
}

std::string_view client_status_name(ClientStatus s) noexcept {
  switch (s) {
    case ClientStatus::Active: return "active";
    case ClientStatus::Frozen: return "frozen";
    case ClientStatus::Expired: return "expired";
  }
  return "unknown";
}

bool trusting_period_passed(std::uint64_t latest_time_ms, std::uint64_t trusting_period_s,
                            std::uint64_t now_ms) noexcept {
  if (trusting_period_s == 0 || latest_time_ms > now_ms) return false;
  return (now_ms - latest_time_ms) / 1000U >= trusting_period_s;  // ⇔ latest + period·1000 <= now, no overflow
}

Status validate_island_spec(const IslandSpec& s) {
  if (auto ok = validate_island_id(s.id, "id"); !ok) return ok;
  if (s.genesis.is_zero()) return fail(Code::ZeroRoot, "genesis hash is all zero (A01)", "genesis");
  const auto ns = caip2_namespace(s.id);
  const auto ref = caip2_reference(s.id);
  switch (s.family) {
    case Family::Bitcoin:
      if (ns != "bip122" || ref != to_hex_bare(s.genesis.view()).substr(0, 32)) {
        return fail(Code::IslandMismatch, "a Bitcoin island id is bip122:<first 32 hex digits of its genesis>",
                    "id");
      }
      break;
    case Family::Ethereum:
      if (ns != "eip155" || !is_canonical_decimal(ref)) {
        return fail(Code::IslandMismatch, "an Ethereum island id is eip155:<chain id in decimal>", "id");
      }
      break;
    case Family::Bft:
      break;
  }
  if (s.codec.empty() || s.codec.size() > kMaxCodecBytes ||
      !std::all_of(s.codec.begin(), s.codec.end(), is_codec_char)) {
    return fail(Code::InvalidArgument, "codec must be 1..64 characters of [a-z0-9./_-]", "codec");
  }
  if (s.consensus_params.size() > kMaxConsensusParamsBytes) {
    return fail(Code::TooLarge, "consensus parameters over their bound", "consensus_params");
  }
  if (s.trusting_period_s == 0 && s.family != Family::Bitcoin) {
    return fail(Code::InvalidArgument, "trusting period must be > 0", "trusting_period_s");
  }
  const auto& f = s.finality;
  const bool needs_conf = f.kind == FinalityKind::Confirmations || f.kind == FinalityKind::RpcTrusted;
  if (needs_conf ? f.confirmations == 0 : f.confirmations != 0) {
    return fail(Code::InvalidArgument,
                needs_conf ? "confirmations must be >= 1" : "bft-quorum finality takes no confirmations",
                "finality.confirmations");
  }
  const bool allowed = (s.family == Family::Bitcoin && f.kind == FinalityKind::Confirmations) ||
                       (s.family == Family::Ethereum) || (s.family == Family::Bft && f.kind == FinalityKind::BftQuorum);
  if (!allowed) {
    return fail(Code::InvalidArgument,
                std::string(finality_name(f.kind)) + " finality is not allowed for family " +
                    std::string(family_name(s.family)),
                "finality");
  }
  if (f.kind == FinalityKind::RpcTrusted && !s.allow_rpc_trusted_public &&
      (s.id == "eip155:1" || s.id == "eip155:11155111" || s.id == "eip155:17000")) {
    return fail(Code::RpcTrustedRefused, "rpc-trusted refused for a public chain id", "finality");
  }
  if (auto ok = validate_anchor(s.anchor); !ok) return ok;
  if (s.endpoint.empty() || s.endpoint.size() > kMaxEndpointBytes) {
    return fail(Code::InvalidArgument, "endpoint must be 1..128 bytes", "endpoint");
  }
  if (all_zero(s.endpoint)) return fail(Code::ZeroRoot, "endpoint is all zero (A01, A19)", "endpoint");
  if (s.family == Family::Ethereum && s.endpoint.size() != 20) {
    return fail(Code::InvalidArgument, "an Ethereum endpoint is a 20-byte contract address", "endpoint");
  }
  if (s.family == Family::Bitcoin) {  // consensus_params = the deposit routes (bitcoin/deposit.hpp decode_routes)
    auto routes = bitcoin::decode_routes(s.consensus_params);
    if (!routes) {
      Error e = routes.error();
      e.at = "consensus_params." + e.at;
      return tl::unexpected(e);
    }
    for (std::size_t i = 0; i < routes->size(); ++i) {
      const auto& r = (*routes)[i];
      if (is_reserved_port(r.dest_port))
        return fail(Code::ForbiddenTarget, "a deposit route cannot name a governance port (A04)",
                    "consensus_params.routes[" + std::to_string(i) + "].dest_port");
      if (r.dest_island == s.id)
        return fail(Code::InvalidArgument, "a deposit route leads to another island",
                    "consensus_params.routes[" + std::to_string(i) + "].dest_island");
    }
  }
  return validate_governance_keys(s.governance);
}

Hash32 island_body_hash(const IslandSpec& s) {
  using abi::Type;
  using abi::Value;
  static const Type type = Type::tuple(
      {Type::string(), Type::bytes32(), Type::string(), Type::string(), Type::bytes(), Type::uint(64),
       Type::string(), Type::uint(64), Type::boolean(), Type::uint(64), Type::bytes32(), Type::uint(64),
       Type::bytes(), Type::bytes(), Type::uint(64), Type::bytes()});
  const Bytes members = members_bytes(s.governance.members);
  const Value v = Value::tuple(
      {Value::string(s.id), Value::bytes32(s.genesis), Value::string(family_name(s.family)),
       Value::string(s.codec), Value::bytes(s.consensus_params), Value::uint(s.trusting_period_s),
       Value::string(finality_name(s.finality.kind)), Value::uint(s.finality.confirmations),
       Value::boolean(s.allow_rpc_trusted_public), Value::uint(s.anchor.height), Value::bytes32(s.anchor.hash),
       Value::uint(s.anchor.time_s), Value::bytes(s.anchor.extra), Value::bytes(s.endpoint),
       Value::uint(s.governance.threshold), Value::bytes(members)});
  return keccak256(abi::encode(type, v));
}

Hash32 island_digest(GovAction action, const IslandSpec& spec, std::uint64_t nonce) {
  return governance_digest(action, spec.id, spec.genesis, nonce, island_body_hash(spec));
}

Hash32 recover_body_hash(std::string_view island, const TrustAnchor& a) {
  using abi::Type;
  using abi::Value;
  static const Type type =
      Type::tuple({Type::string(), Type::uint(64), Type::bytes32(), Type::uint(64), Type::bytes()});
  const Value v = Value::tuple({Value::string(island), Value::uint(a.height), Value::bytes32(a.hash),
                                Value::uint(a.time_s), Value::bytes(a.extra)});
  return keccak256(abi::encode(type, v));
}

Hash32 recover_digest(std::string_view island, const Hash32& genesis, const TrustAnchor& anchor,
                      std::uint64_t nonce) {
  return governance_digest(GovAction::ClientRecover, island, genesis, nonce, recover_body_hash(island, anchor));
}

Result<IslandRecord> IslandRegistry::register_island(const SignedIsland& rec) {
  if (auto ok = validate_island_spec(rec.spec); !ok) return tl::unexpected(ok.error());
  if (rec.nonce != 1) return fail(Code::GovernanceNonce, "a registration carries nonce 1", "nonce");
  if (islands_.count(rec.spec.id) != 0) {
    return fail(Code::IslandExists, "island " + rec.spec.id + " is already registered", "id");
  }
  for (const auto& [id, r] : islands_) {
    if (r.spec.genesis == rec.spec.genesis) {
      return fail(Code::IslandExists, "genesis hash already registered as " + id, "genesis");
    }
  }
  if (islands_.size() >= kMaxIslands) return fail(Code::TooLarge, "island registry is full");
  const Hash32 digest = island_digest(GovAction::IslandRegister, rec.spec, rec.nonce);
  if (auto ok = verify_governance(rec.spec.governance, digest, rec.signatures); !ok) {
    return tl::unexpected(ok.error());
  }
  IslandRecord r{rec.spec, 1, ClientStatus::Active};
  islands_.emplace(rec.spec.id, r);
  return r;
}

Status IslandRegistry::check_governance(std::string_view id, GovAction action, std::uint64_t nonce,
                                        const Hash32& body_hash, std::span<const Bytes> signatures) const {
  const IslandRecord* r = find(id);
  if (r == nullptr) return fail(Code::UnknownIsland, "island " + std::string(id) + " is not registered");
  if (r->nonce == UINT64_MAX || nonce != r->nonce + 1) {
    return fail(Code::GovernanceNonce,
                "expected nonce " + std::to_string(r->nonce + 1) + ", record has " + std::to_string(nonce),
                "nonce");
  }
  const Hash32 digest = governance_digest(action, r->spec.id, r->spec.genesis, nonce, body_hash);
  return verify_governance(r->spec.governance, digest, signatures);
}

void IslandRegistry::bump_nonce(std::string_view id) {
  auto it = islands_.find(id);
  assert(it != islands_.end());
  ++it->second.nonce;
}

Result<IslandRecord> IslandRegistry::update_island(const SignedIsland& rec) {
  if (auto ok = validate_island_spec(rec.spec); !ok) return tl::unexpected(ok.error());
  auto it = islands_.find(rec.spec.id);
  if (it == islands_.end()) return fail(Code::UnknownIsland, "island " + rec.spec.id + " is not registered", "id");
  if (it->second.spec.genesis != rec.spec.genesis) {
    return fail(Code::IslandMismatch, "an update cannot change the genesis hash", "genesis");
  }
  if (!(it->second.spec.anchor == rec.spec.anchor)) {
    return fail(Code::InvalidArgument, "the trust anchor changes only through client recover", "anchor");
  }
  if (auto ok = check_governance(rec.spec.id, GovAction::IslandUpdate, rec.nonce, island_body_hash(rec.spec),
                                 rec.signatures);
      !ok) {
    return tl::unexpected(ok.error());
  }
  it->second.spec = rec.spec;
  it->second.nonce = rec.nonce;
  return it->second;
}

Result<IslandRecord> IslandRegistry::recover_client(const ClientRecoverRecord& rec) {
  auto it = islands_.find(rec.island);
  if (it == islands_.end()) return fail(Code::UnknownIsland, "island " + rec.island + " is not registered", "island");
  if (it->second.status == ClientStatus::Active) {
    return fail(Code::IllegalTransition, "client recover needs a frozen or expired client; this one is active");
  }
  if (auto ok = validate_anchor(rec.anchor); !ok) return tl::unexpected(ok.error());
  if (auto ok = check_governance(rec.island, GovAction::ClientRecover, rec.nonce,
                                 recover_body_hash(rec.island, rec.anchor), rec.signatures);
      !ok) {
    return tl::unexpected(ok.error());
  }
  it->second.spec.anchor = rec.anchor;
  it->second.status = ClientStatus::Active;
  it->second.nonce = rec.nonce;
  return it->second;
}

Status IslandRegistry::freeze(std::string_view id) {
  auto it = islands_.find(id);
  if (it == islands_.end()) return fail(Code::UnknownIsland, "island " + std::string(id) + " is not registered");
  it->second.status = ClientStatus::Frozen;
  return {};
}

Status IslandRegistry::mark_expired(std::string_view id) {
  auto it = islands_.find(id);
  if (it == islands_.end()) return fail(Code::UnknownIsland, "island " + std::string(id) + " is not registered");
  if (it->second.status == ClientStatus::Active) it->second.status = ClientStatus::Expired;
  return {};
}

const IslandRecord* IslandRegistry::find(std::string_view id) const noexcept {
  auto it = islands_.find(id);
  return it == islands_.end() ? nullptr : &it->second;
}

Result<const IslandRecord*> IslandRegistry::find_with_genesis(std::string_view id, const Hash32& genesis) const {
  const IslandRecord* r = find(id);
  if (r == nullptr) return fail(Code::UnknownIsland, "island " + std::string(id) + " is not registered");
  if (r->spec.genesis != genesis) {
    return fail(Code::IslandMismatch, "genesis differs from the one registered for " + std::string(id));
  }
  return r;
}

Status IslandRegistry::check_active(std::string_view id) const {
  const IslandRecord* r = find(id);
  if (r == nullptr) return fail(Code::UnknownIsland, "island " + std::string(id) + " is not registered");
  switch (r->status) {
    case ClientStatus::Active: return {};
    case ClientStatus::Frozen: return fail(Code::ClientFrozen, "island " + std::string(id) + " client is frozen");
    case ClientStatus::Expired: return fail(Code::ClientExpired, "island " + std::string(id) + " client is expired");
  }
  return {};
}

Status IslandRegistry::check_emitter(std::string_view id, ByteView emitter) const {
  const IslandRecord* r = find(id);
  if (r == nullptr) return fail(Code::UnknownIsland, "island " + std::string(id) + " is not registered");
  if (!std::equal(emitter.begin(), emitter.end(), r->spec.endpoint.begin(), r->spec.endpoint.end())) {
    return fail(Code::WrongEmitter, "event emitted by " + to_hex(emitter) + ", not the registered endpoint " +
                                        to_hex(r->spec.endpoint));
  }
  return {};
}

}  // namespace causeway::domain
