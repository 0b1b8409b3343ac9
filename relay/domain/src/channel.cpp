#include "causeway/domain/channel.hpp"

#include "causeway/core/abi.hpp"
#include "causeway/core/hash.hpp"

namespace causeway::domain {
namespace {

Status validate_spec(const ChannelSpec& s, std::string_view side) {
  const std::string p(side);
  if (auto ok = validate_island_id(s.island, p + ".island"); !ok) return ok;
  if (auto ok = validate_channel_id(s.channel, p + ".channel"); !ok) return ok;
  if (auto ok = validate_port_id(s.port, p + ".port"); !ok) return ok;
  if (auto ok = validate_island_id(s.counterparty_island, p + ".counterparty_island"); !ok) return ok;
  if (auto ok = validate_channel_id(s.counterparty_channel, p + ".counterparty_channel"); !ok) return ok;
  if (auto ok = validate_port_id(s.counterparty_port, p + ".counterparty_port"); !ok) return ok;
  if (s.island == s.counterparty_island) {
    return fail(Code::InvalidArgument, "a channel joins two different islands", p + ".counterparty_island");
  }
  return {};
}

// b is a's counterparty as registered. Errors as documented on open().
Status check_binding(const IslandRegistry& islands, const ChannelSpec& a, const ChannelSpec& b,
                     std::string_view side) {
  const std::string p(side);
  if (a.counterparty_island != b.island || a.counterparty_channel != b.channel || a.counterparty_port != b.port) {
    return fail(Code::UnknownChannel, "the counterparty named is not the other record's channel end", p);
  }
  if (a.ordering != b.ordering) return fail(Code::UnknownChannel, "the two ends differ in ordering", p + ".ordering");
  const IslandRecord* own = islands.find(a.island);
  const IslandRecord* cp = islands.find(b.island);
  if (own == nullptr) return fail(Code::UnknownIsland, "island " + a.island + " is not registered", p + ".island");
  if (cp == nullptr) return fail(Code::UnknownIsland, "island " + b.island + " is not registered", p + ".counterparty_island");
  if (a.counterparty_genesis != cp->spec.genesis) {
    return fail(Code::IslandMismatch, "counterparty genesis differs from the registered one", p + ".counterparty_genesis");
  }
  if (a.endpoint != own->spec.endpoint) {
    return fail(Code::WrongEmitter, "endpoint differs from the island's registered endpoint", p + ".endpoint");
  }
  if (a.counterparty_endpoint != cp->spec.endpoint) {
    return fail(Code::WrongEmitter, "counterparty endpoint differs from the registered one", p + ".counterparty_endpoint");
  }
  return {};
}

}  // namespace

std::string_view ordering_name(Ordering o) noexcept { return o == Ordering::Ordered ? "ordered" : "unordered"; }

std::string_view channel_state_name(ChannelState s) noexcept {
  switch (s) {
    case ChannelState::Open: return "open";
    case ChannelState::Closed: return "closed";
    case ChannelState::Halted: return "halted";
  }
  return "unknown";
}

Hash32 channel_body_hash(const ChannelSpec& s) {
  using abi::Type;
  using abi::Value;
  static const Type type =
      Type::tuple({Type::string(), Type::string(), Type::string(), Type::bytes(), Type::string(), Type::bytes32(),
                   Type::string(), Type::string(), Type::bytes(), Type::string(), Type::uint(64)});
  const Value v = Value::tuple(
      {Value::string(s.island), Value::string(s.channel), Value::string(s.port), Value::bytes(s.endpoint),
       Value::string(s.counterparty_island), Value::bytes32(s.counterparty_genesis),
       Value::string(s.counterparty_channel), Value::string(s.counterparty_port),
       Value::bytes(s.counterparty_endpoint), Value::string(ordering_name(s.ordering)), Value::uint(s.open_height)});
  return keccak256(abi::encode(type, v));
}

Hash32 channel_digest(GovAction action, const ChannelSpec& spec, const Hash32& island_genesis, std::uint64_t nonce) {
  return governance_digest(action, spec.island, island_genesis, nonce, channel_body_hash(spec));
}

Result<std::pair<ChannelEnd, ChannelEnd>> ChannelRegistry::open(IslandRegistry& islands, const SignedChannelRecord& a,
                                                                 const SignedChannelRecord& b) {
  if (auto ok = validate_spec(a.spec, "a"); !ok) return tl::unexpected(ok.error());
  if (auto ok = validate_spec(b.spec, "b"); !ok) return tl::unexpected(ok.error());
  if (auto ok = check_binding(islands, a.spec, b.spec, "a"); !ok) return tl::unexpected(ok.error());
  if (auto ok = check_binding(islands, b.spec, a.spec, "b"); !ok) return tl::unexpected(ok.error());
  const ChannelKey ka{a.spec.island, a.spec.channel};
  const ChannelKey kb{b.spec.island, b.spec.channel};
  if (ends_.count(ka) != 0) return fail(Code::ChannelExists, "channel " + to_string(ka) + " exists", "a.channel");
  if (ends_.count(kb) != 0) return fail(Code::ChannelExists, "channel " + to_string(kb) + " exists", "b.channel");
  if (ends_.size() + 2 > kMaxChannels) return fail(Code::TooLarge, "channel registry is full");
  if (auto ok = islands.check_governance(a.spec.island, GovAction::ChannelOpen, a.nonce, channel_body_hash(a.spec),
                                         a.signatures);
      !ok) {
    auto e = ok.error();
    e.at = "a." + e.at;
    return tl::unexpected(e);
  }
  if (auto ok = islands.check_governance(b.spec.island, GovAction::ChannelOpen, b.nonce, channel_body_hash(b.spec),
                                         b.signatures);
      !ok) {
    auto e = ok.error();
    e.at = "b." + e.at;
    return tl::unexpected(e);
  }
  islands.bump_nonce(a.spec.island);
  islands.bump_nonce(b.spec.island);
  ChannelEnd ea{a.spec, ChannelState::Open, 1, 1, 1, {}};
  ChannelEnd eb{b.spec, ChannelState::Open, 1, 1, 1, {}};
  ends_.emplace(ka, ea);
  ends_.emplace(kb, eb);
  return std::make_pair(ea, eb);
}

Status ChannelRegistry::close(IslandRegistry& islands, const SignedChannelRecord& a, const SignedChannelRecord& b) {
  const ChannelKey ka{a.spec.island, a.spec.channel};
  const ChannelKey kb{b.spec.island, b.spec.channel};
  auto ia = ends_.find(ka);
  auto ib = ends_.find(kb);
  if (ia == ends_.end() || ib == ends_.end()) return fail(Code::UnknownChannel, "no such channel end");
  if (!(ia->second.spec == a.spec) || !(ib->second.spec == b.spec) || ia->second.counterparty_key() != kb) {
    return fail(Code::UnknownChannel, "close records do not match the stored channel ends");
  }
  if (ia->second.state == ChannelState::Closed) return fail(Code::ChannelClosed, "channel is already closed");
  if (auto ok = islands.check_governance(a.spec.island, GovAction::ChannelClose, a.nonce, channel_body_hash(a.spec),
                                         a.signatures);
      !ok) {
    auto e = ok.error();
    e.at = "a." + e.at;
    return tl::unexpected(e);
  }
  if (auto ok = islands.check_governance(b.spec.island, GovAction::ChannelClose, b.nonce, channel_body_hash(b.spec),
                                         b.signatures);
      !ok) {
    auto e = ok.error();
    e.at = "b." + e.at;
    return tl::unexpected(e);
  }
  islands.bump_nonce(a.spec.island);
  islands.bump_nonce(b.spec.island);
  ia->second.state = ChannelState::Closed;
  ib->second.state = ChannelState::Closed;
  return {};
}

const ChannelEnd* ChannelRegistry::find(const ChannelKey& k) const noexcept {
  auto it = ends_.find(k);
  return it == ends_.end() ? nullptr : &it->second;
}

ChannelEnd* ChannelRegistry::find_mut(const ChannelKey& k) noexcept {
  auto it = ends_.find(k);
  return it == ends_.end() ? nullptr : &it->second;
}

Result<const ChannelEnd*> ChannelRegistry::get(const ChannelKey& k) const {
  const ChannelEnd* e = find(k);
  if (e == nullptr || find(e->counterparty_key()) == nullptr) {
    return fail(Code::UnknownChannel, "no channel " + to_string(k));
  }
  return e;
}

Status ChannelRegistry::close_both(const ChannelKey& k) {
  ChannelEnd* e = find_mut(k);
  ChannelEnd* c = e == nullptr ? nullptr : find_mut(e->counterparty_key());
  if (c == nullptr) return fail(Code::UnknownChannel, "no channel " + to_string(k));
  e->state = ChannelState::Closed;
  c->state = ChannelState::Closed;
  return {};
}

Status ChannelRegistry::halt_both(const ChannelKey& k, std::string reason) {
  ChannelEnd* e = find_mut(k);
  ChannelEnd* c = e == nullptr ? nullptr : find_mut(e->counterparty_key());
  if (c == nullptr) return fail(Code::UnknownChannel, "no channel " + to_string(k));
  if (e->state == ChannelState::Closed) return {};  // closed stays closed; nothing new flows either way
  e->state = ChannelState::Halted;
  c->state = ChannelState::Halted;
  e->halt_reason = reason;
  c->halt_reason = std::move(reason);
  return {};
}

Status ChannelRegistry::resume_both(const ChannelKey& k) {
  ChannelEnd* e = find_mut(k);
  ChannelEnd* c = e == nullptr ? nullptr : find_mut(e->counterparty_key());
  if (c == nullptr) return fail(Code::UnknownChannel, "no channel " + to_string(k));
  if (e->state != ChannelState::Halted) return fail(Code::IllegalTransition, "channel is not halted");
  e->state = ChannelState::Open;
  c->state = ChannelState::Open;
  e->halt_reason.clear();
  c->halt_reason.clear();
  return {};
}

}  // namespace causeway::domain
