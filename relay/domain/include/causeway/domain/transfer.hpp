// Transfers with ICS-20 semantics (PACKET.md "Transfer payload"; DESIGN.md §2 "transfer"): denom traces,
// registered assets, the per-channel escrow ledger and its invariant, and per-channel outflow caps (A05).
//
// Ledger model. A ledger belongs to the channel end where tokens are ESCROWED, per denom as named on that
// island. For each denom d it keeps
//   escrowed        tokens locked in the end's escrow,
//   outstanding     vouchers of d minted on the counterparty and not burned,
//   in_flight_out   escrowed by a packet not yet acknowledged (voucher not yet minted) nor refunded,
//   in_flight_home  vouchers burned by a packet going home not yet released nor re-minted,
// and the invariant  escrowed = outstanding + in_flight_out + in_flight_home  ("escrowed = vouchers outstanding
// + in flight"), checked after every change and against balances read from the chains (check_against_chain).
// Movements (relay_state.hpp applies them as packets advance):
//   escrow out  (send, proven)         escrowed += x, in_flight_out += x
//   voucher minted (success ack)       in_flight_out −= x, outstanding += x
//   escrow refund (error ack/timeout)  in_flight_out −= x, escrowed −= x
//   voucher burned (send home, proven) outstanding −= x, in_flight_home += x
//   release home (success ack)         in_flight_home −= x, escrowed −= x
//   voucher re-minted (refund)         in_flight_home −= x, outstanding += x
//
// Thread-safety: value types and pure functions.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "causeway/core/error.hpp"
#include "causeway/core/packet.hpp"
#include "causeway/domain/amount.hpp"
#include "causeway/domain/ids.hpp"

namespace causeway::domain {

inline constexpr std::string_view kTransferPort = "transfer";
inline constexpr std::size_t kMaxBaseDenomBytes = 64;
inline constexpr std::size_t kMaxTraceHops = 16;

// "<port>/<channel>/".
std::string trace_prefix(std::string_view port, std::string_view channel);
bool has_trace_prefix(std::string_view denom, std::string_view port, std::string_view channel) noexcept;

// The base denom (after the last '/').
std::string_view base_denom(std::string_view denom) noexcept;

// A full trace "port/channel/…/base": every port and channel valid (ids.hpp), at most kMaxTraceHops hops,
// total ≤ packet::kMaxDenomBytes; base either an ERC-20 address as lowercase "0x" + 40 hex digits, not zero,
// or a token name [a-zA-Z][a-zA-Z0-9._-]{0,63} (devnet tokens, "sat"). Errors: ERR_INVALID_ARGUMENT,
// ERR_TOO_LARGE, ERR_UNKNOWN_DENOM (the zero address is never an asset).
Status validate_denom(std::string_view denom);

// Receiving side (PACKET.md): if denom starts with source_port/source_channel/, the voucher is going home —
// strip the prefix and release; otherwise mint "dest_port/dest_channel/denom".
struct ReceivedDenom {
  bool going_home = false;
  std::string denom;  // released denom (going home) or minted voucher denom
  bool operator==(const ReceivedDenom&) const = default;
};
ReceivedDenom receive_denom(const packet::Packet& p, std::string_view denom);

// Sending side (PACKET.md): a denom that starts with THIS packet's source_port/source_channel/ is burned;
// anything else is escrowed.
bool send_burns(const packet::Packet& p, std::string_view denom) noexcept;

enum class TransferDirection { Escrow, BurnHome };

// Which ledger a transfer packet moves and how.
struct TransferPlan {
  TransferDirection direction = TransferDirection::Escrow;
  ChannelKey ledger;           // Escrow: (source island, source channel); BurnHome: (dest island, dest channel)
  std::string ledger_denom;    // the denom as escrowed at the ledger's end
  Amount amount{};
  ReceivedDenom received;      // what the destination does
  bool operator==(const TransferPlan&) const = default;
};

// Plans a transfer packet: both ports are "transfer" (ERR_PACKET_INVALID), denom valid (validate_denom),
// amount > 0 (ERR_INVALID_ARGUMENT). Registration and balances are checked by relay_state.hpp.
Result<TransferPlan> plan_transfer(const packet::Packet& p, const packet::TransferPayload& t);

// Registered base assets per island (ERC-20 addresses, devnet token names, "sat").
class AssetRegistry {
 public:
  // Errors: ERR_INVALID_ARGUMENT (island id, or a denom with a trace), validate_denom's.
  Status register_asset(std::string_view island, std::string_view base);
  bool is_registered(std::string_view island, std::string_view base) const;
  bool operator==(const AssetRegistry&) const = default;

 private:
  std::set<std::pair<std::string, std::string>> assets_;
};

struct DenomBalance {
  Amount escrowed{};
  Amount outstanding{};
  Amount in_flight_out{};
  Amount in_flight_home{};
  bool operator==(const DenomBalance&) const = default;
};

enum class BrokenSide { None, Escrow, Vouchers };
std::string_view broken_side_name(BrokenSide s) noexcept;  // "none", "escrow", "vouchers"

struct InvariantReport {
  bool ok = true;
  ChannelKey ledger;
  std::string denom;
  BrokenSide side = BrokenSide::None;
  Amount escrowed{};
  Amount outstanding{};
  Amount in_flight{};   // out + home
  std::string detail;
};

class TransferLedger {
 public:
  // Movements above. Errors: ERR_INSUFFICIENT_FUNDS (a balance would go below zero; ledger unchanged),
  // ERR_OVERFLOW. Each re-checks the invariant for the denom afterwards (ERR_ESCROW_INVARIANT, unchanged).
  Status escrow_out(const std::string& denom, const Amount& x);
  Status voucher_minted(const std::string& denom, const Amount& x);
  Status escrow_refund(const std::string& denom, const Amount& x);
  Status voucher_burned(const std::string& denom, const Amount& x);
  Status release_home(const std::string& denom, const Amount& x);
  Status voucher_reminted(const std::string& denom, const Amount& x);

  // The internal invariant for every denom; the first broken denom is reported.
  InvariantReport check() const;
  // Compares balances read from the chains (the escrow end's escrow balance of `denom`, the counterparty's
  // voucher supply) with the ledger: side Escrow if the escrow differs, else Vouchers if the supply differs.
  InvariantReport check_against_chain(const std::string& denom, const Amount& chain_escrowed,
                                      const Amount& chain_voucher_supply) const;

  const DenomBalance* find(const std::string& denom) const;
  const std::map<std::string, DenomBalance>& all() const noexcept { return balances_; }
  bool operator==(const TransferLedger&) const = default;

 private:
  // Applies field += x (inc) and field -= x (dec) for the two fields given, or nothing on error.
  Status adjust(const std::string& denom, const Amount& x, Amount DenomBalance::*f1, bool inc1,
                Amount DenomBalance::*f2, bool inc2);
  std::map<std::string, DenomBalance> balances_;
};

// A08: the balance moved by exactly `amount` in the expected direction (after = before + amount when
// `increase`, else before − amount). Errors: ERR_POSTCONDITION.
Status check_postcondition(const Amount& before, const Amount& after, const Amount& amount, bool increase);

// Outflow cap of one channel end per denom over a sliding window (A05). window_ms = 0: no cap at all.
// A denom without an entry in `caps` is not capped.
struct RateLimit {
  std::uint64_t window_ms = 0;
  std::map<std::string, Amount> caps;
  bool operator==(const RateLimit&) const = default;
};

class OutflowLimiter {
 public:
  explicit OutflowLimiter(RateLimit limit = {}) : limit_(std::move(limit)) {}
  // True and recorded iff the window sum (admissions with time_ms' > time_ms − window_ms) plus x stays
  // ≤ the denom's cap. `time_ms` is the caller's (relay_state passes the proving source header's time).
  bool try_admit(const std::string& denom, const Amount& x, std::uint64_t time_ms);
  // Records an admission regardless of the cap (operator release of a held transfer).
  void force_admit(const std::string& denom, const Amount& x, std::uint64_t time_ms);
  // Sum admitted in the window ending at time_ms.
  Amount window_sum(const std::string& denom, std::uint64_t time_ms) const;
  const RateLimit& limit() const noexcept { return limit_; }
  bool operator==(const OutflowLimiter&) const = default;

 private:
  struct Entry {
    std::uint64_t time_ms;
    std::string denom;
    Amount amount;
    bool operator==(const Entry&) const = default;
  };
  void prune(std::uint64_t time_ms);
  RateLimit limit_;
  std::deque<Entry> admitted_;
};

}  // namespace causeway::domain
