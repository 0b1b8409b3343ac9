#include "causeway/ethereum/bft_extra.hpp"

#include <algorithm>
#include <string>

#include "causeway/core/rlp.hpp"
#include "causeway/core/secp256k1.hpp"

namespace causeway::ethereum::bft {
namespace {

tl::unexpected<Error> bad(std::string detail, std::string at) {
  return fail(Code::BftExtraData, std::move(detail), std::move(at));
}

Result<Address> address_item(const rlp::Item& it, const std::string& at) {
  if (it.is_list || it.payload.size() != 20) return bad("expected a 20-byte address", at);
  Address a{};
  std::copy(it.payload.begin(), it.payload.end(), a.begin());
  return a;
}

Result<std::optional<Vote>> decode_vote(Variant v, const rlp::Item& it) {
  // Absent vote: IBFT 2.0 writes the empty string, QBFT the empty list.
  if (v == Variant::Ibft2 && !it.is_list && it.payload.empty()) return std::optional<Vote>{};
  if (v == Variant::Qbft && it.is_list && it.items.empty()) return std::optional<Vote>{};
  if (!it.is_list || it.items.size() != 2) return bad("vote must be [recipient, type] or absent", "vote");
  auto recipient = address_item(it.items[0], "vote.recipient");
  if (!recipient) return tl::unexpected(recipient.error());
  const rlp::Item& t = it.items[1];
  if (t.is_list) return bad("vote type is a list", "vote.type");
  Vote vote{*recipient, VoteType::Add};
  if (t.payload.size() == 1 && t.payload[0] == 0xff) return std::optional<Vote>{vote};
  vote.type = VoteType::Drop;
  if (v == Variant::Ibft2 && t.payload.size() == 1 && t.payload[0] == 0x00) return std::optional<Vote>{vote};
  if (v == Variant::Qbft && t.payload.empty()) return std::optional<Vote>{vote};
  return bad(v == Variant::Ibft2 ? "IBFT 2.0 vote type must be 0xFF (add) or 0x00 (drop)"
                                 : "QBFT vote type must be 0xFF (add) or empty (drop)",
             "vote.type");
}

Result<std::uint32_t> decode_round(Variant v, const rlp::Item& it) {
  if (it.is_list) return bad("round is a list", "round");
  const ByteView p = it.payload;
  if (v == Variant::Ibft2) {
    if (p.size() != 4) return bad("IBFT 2.0 round must be exactly 4 bytes", "round");
  } else {
    if (p.size() > 4) return bad("QBFT round above 4 bytes", "round");
    if (!p.empty() && p[0] == 0) return bad("QBFT round has a leading zero byte", "round");
  }
  std::uint32_t r = 0;
  for (std::uint8_t b : p) r = (r << 8) | b;
  return r;
}

Result<Seal> decode_seal(const rlp::Item& it, std::size_t i) {
  const std::string at = "committed_seals[" + std::to_string(i) + "]";
  if (it.is_list) return bad("seal is a list", at);
  if (it.payload.size() != 65) return fail(Code::SigEncoding, "seal must be 65 bytes r||s||v", at);
  if (it.payload[64] > 1)
    return fail(Code::SigEncoding, "seal recovery id must be 0 or 1, got " + std::to_string(it.payload[64]), at);
  if (auto sig = secp256k1::parse_compact(it.payload.first(64)); !sig)
    return fail(sig.error().code, sig.error().detail, at);
  Seal s{};
  std::copy(it.payload.begin(), it.payload.end(), s.begin());
  return s;
}

Bytes encode_addresses(const std::vector<Address>& addrs) {
  std::vector<Bytes> items;
  items.reserve(addrs.size());
  for (const Address& a : addrs) items.push_back(rlp::encode_bytes(a));
  return rlp::encode_list(items);
}

Bytes encode_vote(Variant v, const std::optional<Vote>& vote) {
  if (!vote) return v == Variant::Ibft2 ? Bytes{0x80} : Bytes{0xc0};
  static const std::uint8_t kAdd[1] = {0xff};
  static const std::uint8_t kDrop[1] = {0x00};
  std::vector<Bytes> items;
  items.push_back(rlp::encode_bytes(vote->recipient));
  if (vote->type == VoteType::Add)
    items.push_back(rlp::encode_bytes(ByteView(kAdd, 1)));
  else if (v == Variant::Ibft2)
    items.push_back(rlp::encode_bytes(ByteView(kDrop, 1)));  // the single byte 0x00
  else
    items.push_back(rlp::encode_uint(0));  // 0x80
  return rlp::encode_list(items);
}

Bytes encode_round(Variant v, std::uint32_t round) {
  if (v == Variant::Qbft) return rlp::encode_uint(round);
  const std::uint8_t be[4] = {static_cast<std::uint8_t>(round >> 24), static_cast<std::uint8_t>(round >> 16),
                              static_cast<std::uint8_t>(round >> 8), static_cast<std::uint8_t>(round)};
  return rlp::encode_bytes(ByteView(be, 4));
}

Bytes encode_seals(const std::vector<Seal>& seals) {
  std::vector<Bytes> items;
  items.reserve(seals.size());
  for (const Seal& s : seals) items.push_back(rlp::encode_bytes(s));
  return rlp::encode_list(items);
}

// [vanity, validators, vote]: the prefix every form shares.
void head3(Variant v, const ExtraData& e, std::vector<Bytes>& items) {
  items.push_back(rlp::encode_bytes(e.vanity));
  items.push_back(encode_addresses(e.validators));
  items.push_back(encode_vote(v, e.vote));
}

}  // namespace

Result<ExtraData> decode_extra(Variant v, ByteView extra) {
  if (extra.empty()) return bad("empty extraData: BFT extra data required", "extraData");
  // Depth: the list (1), validators / vote / seals lists (2), their strings (3).
  auto root = rlp::decode(extra, 3);
  if (!root)
    return bad("not canonical RLP (" + std::string(code_name(root.error().code)) + ": " + root.error().detail + ")",
               root.error().at);
  if (!root->is_list) return bad("extraData is not an RLP list", "extraData");
  const auto& it = root->items;
  if (it.size() != 5)
    return bad("extraData list has " + std::to_string(it.size()) + " items; IBFT 2.0 / QBFT have exactly 5",
               "extraData");
  ExtraData out;
  if (it[0].is_list) return bad("vanity is a list", "vanity");
  out.vanity.assign(it[0].payload.begin(), it[0].payload.end());
  if (!it[1].is_list) return bad("validators is not a list", "validators");
  out.validators.reserve(it[1].items.size());
  for (std::size_t i = 0; i < it[1].items.size(); ++i) {
    auto a = address_item(it[1].items[i], "validators[" + std::to_string(i) + "]");
    if (!a) return tl::unexpected(a.error());
    out.validators.push_back(*a);
  }
  auto vote = decode_vote(v, it[2]);
  if (!vote) return tl::unexpected(vote.error());
  out.vote = *vote;
  auto round = decode_round(v, it[3]);
  if (!round) return tl::unexpected(round.error());
  out.round = *round;
  if (!it[4].is_list) return bad("committed seals is not a list", "committed_seals");
  out.seals.reserve(it[4].items.size());
  for (std::size_t i = 0; i < it[4].items.size(); ++i) {
    auto s = decode_seal(it[4].items[i], i);
    if (!s) return tl::unexpected(s.error());
    out.seals.push_back(*s);
  }
  return out;
}

Bytes encode_extra(Variant v, const ExtraData& e) {
  std::vector<Bytes> items;
  head3(v, e, items);
  items.push_back(encode_round(v, e.round));
  items.push_back(encode_seals(e.seals));
  return rlp::encode_list(items);
}

Bytes encode_extra_for_block_hash(Variant v, const ExtraData& e) {
  std::vector<Bytes> items;
  head3(v, e, items);
  if (v == Variant::Qbft) {
    items.push_back(rlp::encode_uint(0));  // round forced to 0
    items.push_back(Bytes{0xc0});          // no seals
  }
  return rlp::encode_list(items);
}

Bytes encode_extra_for_committed_seal(Variant v, const ExtraData& e) {
  std::vector<Bytes> items;
  head3(v, e, items);
  items.push_back(encode_round(v, e.round));
  if (v == Variant::Qbft) items.push_back(Bytes{0xc0});
  return rlp::encode_list(items);
}

}  // namespace causeway::ethereum::bft
