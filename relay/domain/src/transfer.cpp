#include "causeway/domain/transfer.hpp"

#include <algorithm>

namespace causeway::domain {
namespace {

bool is_hex_lower(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_name_char(char c) { return is_alpha(c) || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'; }

Status validate_base(std::string_view b) {
  if (b.size() >= 2 && b[0] == '0' && (b[1] == 'x' || b[1] == 'X')) {
    if (b.size() != 42 || b[1] != 'x' || !std::all_of(b.begin() + 2, b.end(), is_hex_lower)) {
      return fail(Code::InvalidArgument, "an ERC-20 denom is lowercase 0x + 40 hex digits", "denom");
    }
    if (std::all_of(b.begin() + 2, b.end(), [](char c) { return c == '0'; })) {
      return fail(Code::UnknownDenom, "the zero address is never an asset", "denom");
    }
    return {};
  }
  if (b.empty() || b.size() > kMaxBaseDenomBytes || !is_alpha(b[0]) || !std::all_of(b.begin(), b.end(), is_name_char)) {
    return fail(Code::InvalidArgument, "base denom must be [a-zA-Z][a-zA-Z0-9._-]{0,63} or an ERC-20 address",
                "denom");
  }
  return {};
}

}  // namespace

std::string trace_prefix(std::string_view port, std::string_view channel) {
  std::string s;
  s.reserve(port.size() + channel.size() + 2);
  s.append(port).append("/").append(channel).append("/");
  return s;
}

bool has_trace_prefix(std::string_view denom, std::string_view port, std::string_view channel) noexcept {
  return denom.size() > port.size() + channel.size() + 2 && denom.substr(0, port.size()) == port &&
         denom[port.size()] == '/' && denom.substr(port.size() + 1, channel.size()) == channel &&
         denom[port.size() + 1 + channel.size()] == '/';
}

std::string_view base_denom(std::string_view denom) noexcept {
  const auto slash = denom.rfind('/');
  return slash == std::string_view::npos ? denom : denom.substr(slash + 1);
}

Status validate_denom(std::string_view denom) {
  if (denom.size() > packet::kMaxDenomBytes) return fail(Code::TooLarge, "denom trace over its bound", "denom");
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const auto slash = denom.find('/', start);
    parts.push_back(denom.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
    if (parts.size() > 2 * kMaxTraceHops) return fail(Code::TooLarge, "denom trace has too many hops", "denom");
  }
  if (parts.size() % 2 != 1) return fail(Code::InvalidArgument, "denom trace is not port/channel/.../base", "denom");
  for (std::size_t i = 0; i + 1 < parts.size(); i += 2) {
    if (auto ok = validate_port_id(parts[i], "denom"); !ok) return ok;
    if (auto ok = validate_channel_id(parts[i + 1], "denom"); !ok) return ok;
  }
  return validate_base(parts.back());
}

ReceivedDenom receive_denom(const packet::Packet& p, std::string_view denom) {
  if (has_trace_prefix(denom, p.source_port, p.source_channel)) {
    return {true, std::string(denom.substr(p.source_port.size() + p.source_channel.size() + 2))};
  }
  return {false, trace_prefix(p.dest_port, p.dest_channel) + std::string(denom)};
}

bool send_burns(const packet::Packet& p, std::string_view denom) noexcept {
  return has_trace_prefix(denom, p.source_port, p.source_channel);
}

Result<TransferPlan> plan_transfer(const packet::Packet& p, const packet::TransferPayload& t) {
  if (p.source_port != kTransferPort || p.dest_port != kTransferPort) {
    return fail(Code::PacketInvalid, "a transfer goes from port transfer to port transfer", "source_port");
  }
  if (auto ok = validate_denom(t.denom); !ok) return tl::unexpected(ok.error());
  if (is_zero(t.amount)) return fail(Code::InvalidArgument, "transfer amount is 0", "amount");
  TransferPlan plan;
  plan.amount = t.amount;
  plan.received = receive_denom(p, t.denom);
  if (send_burns(p, t.denom)) {
    plan.direction = TransferDirection::BurnHome;
    plan.ledger = {p.dest_island, p.dest_channel};
    plan.ledger_denom = plan.received.denom;  // the stripped denom: what the home end escrowed
  } else {
    plan.direction = TransferDirection::Escrow;
    plan.ledger = {p.source_island, p.source_channel};
    plan.ledger_denom = t.denom;
  }
  return plan;
}

Status AssetRegistry::register_asset(std::string_view island, std::string_view base) {
  if (auto ok = validate_island_id(island); !ok) return ok;
  if (base.find('/') != std::string_view::npos) {
    return fail(Code::InvalidArgument, "only base denoms are registered; vouchers are minted", "denom");
  }
  if (auto ok = validate_base(base); !ok) return ok;
  assets_.emplace(std::string(island), std::string(base));
  return {};
}

bool AssetRegistry::is_registered(std::string_view island, std::string_view base) const {
  return assets_.count({std::string(island), std::string(base)}) != 0;
}

std::string_view broken_side_name(BrokenSide s) noexcept {
  switch (s) {
    case BrokenSide::None: return "none";
    case BrokenSide::Escrow: return "escrow";
    case BrokenSide::Vouchers: return "vouchers";
  }
  return "unknown";
}

Status TransferLedger::adjust(const std::string& denom, const Amount& x, Amount DenomBalance::*f1, bool inc1,
                              Amount DenomBalance::*f2, bool inc2) {
  DenomBalance b{};
  if (auto it = balances_.find(denom); it != balances_.end()) b = it->second;
  auto step = [&](Amount DenomBalance::*f, bool inc) -> Status {
    auto r = inc ? add(b.*f, x) : sub(b.*f, x);
    if (!r) return tl::unexpected(r.error());
    b.*f = *r;
    return {};
  };
  if (auto ok = step(f1, inc1); !ok) return ok;
  if (auto ok = step(f2, inc2); !ok) return ok;
  const auto in_flight = add(b.in_flight_out, b.in_flight_home);
  const auto rhs = in_flight ? add(b.outstanding, *in_flight) : in_flight;
  if (!rhs || *rhs != b.escrowed) {
    return fail(Code::EscrowInvariant, "movement would break escrowed = outstanding + in flight for " + denom);
  }
  balances_[denom] = b;
  return {};
}

Status TransferLedger::escrow_out(const std::string& d, const Amount& x) {
  return adjust(d, x, &DenomBalance::escrowed, true, &DenomBalance::in_flight_out, true);
}
Status TransferLedger::voucher_minted(const std::string& d, const Amount& x) {
  return adjust(d, x, &DenomBalance::in_flight_out, false, &DenomBalance::outstanding, true);
}
Status TransferLedger::escrow_refund(const std::string& d, const Amount& x) {
  return adjust(d, x, &DenomBalance::in_flight_out, false, &DenomBalance::escrowed, false);
}
Status TransferLedger::voucher_burned(const std::string& d, const Amount& x) {
  if (balances_.count(d) == 0) return fail(Code::UnknownDenom, "no vouchers of " + d + " were minted on this channel");
  return adjust(d, x, &DenomBalance::outstanding, false, &DenomBalance::in_flight_home, true);
}
Status TransferLedger::release_home(const std::string& d, const Amount& x) {
  return adjust(d, x, &DenomBalance::in_flight_home, false, &DenomBalance::escrowed, false);
}
Status TransferLedger::voucher_reminted(const std::string& d, const Amount& x) {
  return adjust(d, x, &DenomBalance::in_flight_home, false, &DenomBalance::outstanding, true);
}

InvariantReport TransferLedger::check() const {
  InvariantReport r;
  for (const auto& [denom, b] : balances_) {
    const auto in_flight = add(b.in_flight_out, b.in_flight_home);
    const auto rhs = in_flight ? add(b.outstanding, *in_flight) : in_flight;
    if (!rhs || *rhs != b.escrowed) {
      r.ok = false;
      r.denom = denom;
      r.side = (rhs && *rhs > b.escrowed) ? BrokenSide::Vouchers : BrokenSide::Escrow;
      r.escrowed = b.escrowed;
      r.outstanding = b.outstanding;
      r.in_flight = in_flight ? *in_flight : Amount{};
      r.detail = "escrowed != outstanding + in flight";
      return r;
    }
  }
  return r;
}

InvariantReport TransferLedger::check_against_chain(const std::string& denom, const Amount& chain_escrowed,
                                                    const Amount& chain_voucher_supply) const {
  InvariantReport r;
  r.denom = denom;
  DenomBalance b{};
  if (auto it = balances_.find(denom); it != balances_.end()) b = it->second;
  r.escrowed = chain_escrowed;
  r.outstanding = chain_voucher_supply;
  r.in_flight = add_saturating(b.in_flight_out, b.in_flight_home);
  if (chain_escrowed != b.escrowed) {
    r.ok = false;
    r.side = BrokenSide::Escrow;
    r.detail = "chain escrow " + to_decimal(chain_escrowed) + " != ledger " + to_decimal(b.escrowed);
  } else if (chain_voucher_supply != b.outstanding) {
    r.ok = false;
    r.side = BrokenSide::Vouchers;
    r.detail = "chain voucher supply " + to_decimal(chain_voucher_supply) + " != ledger " + to_decimal(b.outstanding);
  }
  return r;
}

const DenomBalance* TransferLedger::find(const std::string& denom) const {
  auto it = balances_.find(denom);
  return it == balances_.end() ? nullptr : &it->second;
}

Status check_postcondition(const Amount& before, const Amount& after, const Amount& amount, bool increase) {
  const auto expected = increase ? add(before, amount) : sub(before, amount);
  if (!expected || *expected != after) {
    return fail(Code::Postcondition, "balance moved from " + to_decimal(before) + " to " + to_decimal(after) +
                                         ", expected " + (increase ? "+" : "-") + to_decimal(amount));
  }
  return {};
}

void OutflowLimiter::prune(std::uint64_t time_ms) {
  if (limit_.window_ms == 0) {
    admitted_.clear();
    return;
  }
  while (!admitted_.empty() && time_ms >= limit_.window_ms &&
         admitted_.front().time_ms <= time_ms - limit_.window_ms) {
    admitted_.pop_front();
  }
}

Amount OutflowLimiter::window_sum(const std::string& denom, std::uint64_t time_ms) const {
  Amount sum{};
  for (const auto& e : admitted_) {
    const bool inside = limit_.window_ms != 0 && (time_ms < limit_.window_ms || e.time_ms > time_ms - limit_.window_ms);
    if (inside && e.denom == denom) sum = add_saturating(sum, e.amount);
  }
  return sum;
}

bool OutflowLimiter::try_admit(const std::string& denom, const Amount& x, std::uint64_t time_ms) {
  prune(time_ms);
  if (limit_.window_ms == 0) return true;
  auto cap = limit_.caps.find(denom);
  if (cap == limit_.caps.end()) return true;
  if (add_saturating(window_sum(denom, time_ms), x) > cap->second) return false;
  admitted_.push_back({time_ms, denom, x});
  return true;
}

void OutflowLimiter::force_admit(const std::string& denom, const Amount& x, std::uint64_t time_ms) {
  prune(time_ms);
  if (limit_.window_ms == 0) return;
  admitted_.push_back({time_ms, denom, x});
}

}  // namespace causeway::domain
