// Bitcoin transaction/block output parsing, deposit detection and the route codec (deposit.hpp).
#include "causeway/bitcoin/deposit.hpp"

#include <algorithm>
#include <set>
#include <utility>

#include "causeway/bitcoin/chain.hpp"
#include "causeway/core/abi.hpp"
#include "causeway/core/hex.hpp"

namespace causeway::bitcoin {
namespace {

tl::unexpected<Error> malformed(std::string detail) { return fail(Code::TxMalformed, std::move(detail), "tx"); }

struct Reader {
  ByteView in;
  std::size_t pos = 0;
  std::size_t left() const { return in.size() - pos; }
  bool skip(std::size_t n) {
    if (left() < n) return false;
    pos += n;
    return true;
  }
  bool u8(std::uint8_t& v) {
    if (left() < 1) return false;
    v = in[pos++];
    return true;
  }
  bool le(std::size_t n, std::uint64_t& v) {
    if (left() < n) return false;
    v = 0;
    for (std::size_t i = n; i-- > 0;) v = (v << 8) | in[pos + i];
    pos += n;
    return true;
  }
  // Canonical CompactSize no larger than `max`.
  bool compact(std::uint64_t& v, std::uint64_t max) {
    std::uint8_t first = 0;
    if (!u8(first)) return false;
    if (first < 0xfd) {
      v = first;
    } else {
      const std::size_t w = first == 0xfd ? 2 : first == 0xfe ? 4 : 8;
      if (!le(w, v)) return false;
      const std::uint64_t min = w == 2 ? 0xfd : w == 4 ? 0x10000 : 0x100000000ULL;
      if (v < min) return false;
    }
    return v <= max;
  }
};

}  // namespace

Result<ParsedTx> parse_tx_prefix(ByteView data) {
  Reader r{data};
  ParsedTx out;
  if (!r.skip(4)) return malformed("truncated version");
  bool segwit = false;
  if (r.left() >= 2 && data[r.pos] == 0x00) {
    if (data[r.pos + 1] != 0x01) return malformed("segwit flag is not 1");
    segwit = true;
    r.pos += 2;
  }
  std::uint64_t nin = 0;
  if (!r.compact(nin, r.left() / 41)) return malformed("bad input count");
  if (nin == 0) return malformed("no inputs");
  for (std::uint64_t i = 0; i < nin; ++i) {
    std::uint64_t script_len = 0;
    if (!r.skip(36) || !r.compact(script_len, r.left()) || !r.skip(static_cast<std::size_t>(script_len)) || !r.skip(4))
      return malformed("truncated input " + std::to_string(i));
  }
  std::uint64_t nout = 0;
  if (!r.compact(nout, r.left() / 9)) return malformed("bad output count");
  out.outputs.reserve(static_cast<std::size_t>(nout));
  for (std::uint64_t i = 0; i < nout; ++i) {
    TxOutput o;
    std::uint64_t script_len = 0;
    if (!r.le(8, o.value_sat) || !r.compact(script_len, r.left()))
      return malformed("truncated output " + std::to_string(i));
    o.script.assign(data.begin() + static_cast<std::ptrdiff_t>(r.pos),
                    data.begin() + static_cast<std::ptrdiff_t>(r.pos + script_len));
    r.pos += static_cast<std::size_t>(script_len);
    out.outputs.push_back(std::move(o));
  }
  if (segwit) {
    bool any = false;
    for (std::uint64_t i = 0; i < nin; ++i) {
      std::uint64_t items = 0;
      if (!r.compact(items, r.left())) return malformed("truncated witness " + std::to_string(i));
      any = any || items > 0;
      for (std::uint64_t k = 0; k < items; ++k) {
        std::uint64_t len = 0;
        if (!r.compact(len, r.left()) || !r.skip(static_cast<std::size_t>(len)))
          return malformed("truncated witness item");
      }
    }
    if (!any) return malformed("superfluous witness flag (every witness empty)");
  }
  if (!r.skip(4)) return malformed("truncated lock time");
  out.size = r.pos;
  return out;
}

Result<ParsedTx> parse_tx(ByteView raw) {
  if (raw.size() > kMaxTxBytes) return fail(Code::TooLarge, "transaction over 4,000,000 bytes", "tx");
  auto t = parse_tx_prefix(raw);
  if (!t) return t;
  if (t->size != raw.size()) return malformed("bytes follow the transaction");
  return t;
}

Result<RawBlock> parse_block(ByteView raw) {
  if (raw.size() > kMaxBlockBytes) return fail(Code::TooLarge, "block over 4,000,000 bytes", "block");
  if (raw.size() < 80) return fail(Code::HeaderEncoding, "block shorter than its header", "block");
  RawBlock out;
  out.header.assign(raw.begin(), raw.begin() + 80);
  Reader r{raw, 80};
  std::uint64_t n = 0;
  if (!r.compact(n, r.left() / 60)) return fail(Code::TxMalformed, "bad transaction count", "block");
  if (n == 0) return fail(Code::TxMalformed, "a block without transactions", "block");
  for (std::uint64_t i = 0; i < n; ++i) {
    auto t = parse_tx_prefix(raw.subspan(r.pos));
    if (!t) return fail(Code::TxMalformed, t.error().detail, "block.tx[" + std::to_string(i) + "]");
    out.txs.emplace_back(raw.begin() + static_cast<std::ptrdiff_t>(r.pos),
                         raw.begin() + static_cast<std::ptrdiff_t>(r.pos + t->size));
    r.pos += t->size;
  }
  if (r.left() != 0) return fail(Code::TxMalformed, "bytes follow the last transaction", "block");
  return out;
}

std::optional<Bytes> op_return_data(ByteView script) {
  if (script.size() < 2 || script[0] != 0x6a) return std::nullopt;
  const std::uint8_t op = script[1];
  if (op >= 1 && op <= 75) {
    if (script.size() != 2u + op) return std::nullopt;
    return Bytes(script.begin() + 2, script.end());
  }
  if (op == 0x4c && script.size() >= 3) {  // OP_PUSHDATA1, minimal only for 76 … 80 bytes
    const std::uint8_t len = script[2];
    if (len < 76 || len > packet::kMaxOpReturnBytes || script.size() != 3u + len) return std::nullopt;
    return Bytes(script.begin() + 3, script.end());
  }
  return std::nullopt;
}

Result<std::optional<Deposit>> detect_deposit(const DepositPolicy& policy, ByteView raw_tx, std::uint32_t height,
                                              std::uint32_t tx_index) {
  if (policy.deposit_script.empty()) return fail(Code::InvalidArgument, "no deposit script registered", "deposit_script");
  auto tx = parse_tx(raw_tx);
  if (!tx) return tl::unexpected(tx.error());
  std::optional<std::uint32_t> pay;
  std::optional<packet::DepositData> data;
  std::size_t pays = 0, datas = 0;
  for (std::size_t i = 0; i < tx->outputs.size(); ++i) {
    const TxOutput& o = tx->outputs[i];
    if (o.script == policy.deposit_script) {
      ++pays;
      pay = static_cast<std::uint32_t>(std::min<std::size_t>(i, UINT32_MAX));
    }
    auto d = op_return_data(o.script);
    if (d && d->size() >= 4 && std::equal(packet::kDepositMagic.begin(), packet::kDepositMagic.end(), d->begin())) {
      ++datas;
      auto parsed = packet::parse_deposit_op_return(*d);
      if (!parsed) return fail(Code::DepositInvalid, parsed.error().detail, "tx.vout[" + std::to_string(i) + "]");
      data = std::move(*parsed);
    }
  }
  if (pays == 0 && datas == 0) return std::optional<Deposit>{};
  if (pays != 1 || datas != 1)
    return fail(Code::DepositInvalid, std::to_string(pays) + " outputs pay the deposit script and " +
                                          std::to_string(datas) + " carry CWY1 data; a deposit has one of each",
                "tx");
  const TxOutput& out = tx->outputs[*pay];
  if (out.value_sat == 0) return fail(Code::DepositInvalid, "the deposit output pays 0 sat", "tx.vout[" + std::to_string(*pay) + "]");
  const Route* route = nullptr;
  for (const auto& r : policy.routes)
    if (packet::route_tag(r.dest_island, r.dest_port, r.dest_channel) == data->route) route = &r;
  if (route == nullptr)
    return fail(Code::DepositInvalid, "route tag " + to_hex(ByteView(data->route.data(), data->route.size())) +
                                          " is not a registered route", "tx");
  auto sequence = packet::deposit_sequence(height, tx_index, *pay);
  if (!sequence) return tl::unexpected(sequence.error());

  auto txid = txid_of(raw_tx);
  if (!txid) return tl::unexpected(txid.error());
  Deposit d;
  d.txid = *txid;
  d.height = height;
  d.tx_index = tx_index;
  d.vout = *pay;
  d.amount_sat = out.value_sat;
  d.route = *route;
  d.receiver = data->receiver;
  packet::Packet& p = d.packet;
  p.source_island = policy.island;
  p.source_genesis = policy.genesis_display;
  p.source_channel = "deposit";
  p.source_port = "transfer";
  p.dest_island = route->dest_island;
  p.dest_genesis = route->dest_genesis;
  p.dest_channel = route->dest_channel;
  p.dest_port = route->dest_port;
  p.sequence = *sequence;
  p.receiver = data->receiver;
  packet::TransferPayload t;
  t.denom = "sat";
  t.amount = abi::u256_from_u64(out.value_sat);
  t.receiver = data->receiver;
  p.payload = packet::encode_transfer_payload(t);
  d.packet_bytes = packet::encode_packet(p);
  d.commitment = packet::commitment(d.packet_bytes);
  return std::optional<Deposit>(std::move(d));
}


namespace {

const abi::Type& route_type() {
  static const abi::Type t =
      abi::Type::tuple({abi::Type::string(), abi::Type::bytes32(), abi::Type::string(), abi::Type::string()});
  return t;
}

}  // namespace

Bytes encode_routes(std::span<const Route> routes) {
  Bytes out;
  if (routes.empty()) return out;
  out.push_back(static_cast<std::uint8_t>(routes.size()));
  for (const auto& r : routes) {
    const Bytes one = abi::encode(route_type(), abi::Value::tuple({abi::Value::string(r.dest_island),
                                                                   abi::Value::bytes32(r.dest_genesis),
                                                                   abi::Value::string(r.dest_port),
                                                                   abi::Value::string(r.dest_channel)}));
    out.push_back(static_cast<std::uint8_t>(one.size() >> 8));
    out.push_back(static_cast<std::uint8_t>(one.size()));
    append(out, one);
  }
  return out;
}

Result<std::vector<Route>> decode_routes(ByteView in) {
  std::vector<Route> routes;
  if (in.empty()) return routes;
  const std::size_t n = in[0];
  if (n == 0)
    return fail(Code::InvalidArgument, "a route list names 1 or more routes (no routes: empty bytes)", "routes");
  if (n > kMaxDepositRoutes)
    return fail(Code::TooLarge, "more than " + std::to_string(kMaxDepositRoutes) + " deposit routes", "routes");
  std::size_t pos = 1;
  std::set<packet::RouteTag> tags;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string at = "routes[" + std::to_string(i) + "]";
    if (in.size() - pos < 2) return fail(Code::InvalidArgument, "truncated route length", at);
    const std::size_t len = (std::size_t{in[pos]} << 8) | in[pos + 1];
    pos += 2;
    if (in.size() - pos < len) return fail(Code::InvalidArgument, "truncated route", at);
    auto v = abi::decode(route_type(), in.subspan(pos, len));
    if (!v)
      return fail(Code::InvalidArgument, "not abi.encode(string, bytes32, string, string): " + v.error().detail, at);
    pos += len;
    const auto& c = v->as_tuple();
    Route r;
    r.dest_island = c.at(0).as_string();
    r.dest_genesis = c.at(1).as_bytes32();
    r.dest_port = c.at(2).as_string();
    r.dest_channel = c.at(3).as_string();
    const std::pair<const std::string*, const char*> fields[] = {
        {&r.dest_island, "dest_island"}, {&r.dest_port, "dest_port"}, {&r.dest_channel, "dest_channel"}};
    for (const auto& [s, name] : fields) {
      if (s->empty() || s->size() > packet::kMaxStringBytes)
        return fail(Code::InvalidArgument,
                    std::string(name) + " must be 1.." + std::to_string(packet::kMaxStringBytes) + " bytes",
                    at + "." + name);
    }
    if (r.dest_genesis.is_zero())
      return fail(Code::ZeroRoot, "destination genesis is all zero (A01)", at + ".dest_genesis");
    if (!tags.insert(packet::route_tag(r.dest_island, r.dest_port, r.dest_channel)).second)
      return fail(Code::InvalidArgument, "route tag repeats an earlier route's (tags are unique per island)", at);
    routes.push_back(std::move(r));
  }
  if (pos != in.size()) return fail(Code::InvalidArgument, "bytes follow the last route", "routes");
  return routes;
}

}  // namespace causeway::bitcoin
