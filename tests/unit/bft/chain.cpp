#include "chain.hpp"

#include <algorithm>
#include <stdexcept>

#include "causeway/bft/rfc6962_suite.hpp"
#include "causeway/core/hash.hpp"
#include "causeway/core/hex.hpp"

namespace bfttest {

Key key(Suite s, std::uint32_t seed) {
  for (std::uint32_t attempt = 0;; ++attempt) {
    Bytes in{'b', 'f', 't', '-', 'k', 'e', 'y'};
    for (int i = 3; i >= 0; --i) in.push_back(static_cast<std::uint8_t>(seed >> (8 * i)));
    in.push_back(static_cast<std::uint8_t>(attempt));
    const Hash32 h = causeway::sha256(in);
    Bytes secret(h.b.begin(), h.b.end());
    auto pub = public_key_of(s, secret);
    if (pub) return Key{secret, *pub};
  }
}

std::uint32_t Committee::index_of(std::size_t m) const {
  auto i = set.index_of(keys.at(m).pub);
  if (!i) throw std::logic_error("member not in set");
  return static_cast<std::uint32_t>(*i);
}

Committee committee_of(Suite s, std::vector<Key> keys, const std::vector<std::uint64_t>& powers) {
  Committee c;
  c.suite = s;
  c.keys = std::move(keys);
  c.powers = powers;
  std::vector<Validator> vs;
  for (std::size_t i = 0; i < c.keys.size(); ++i) vs.push_back(Validator{c.keys[i].pub, powers.at(i)});
  auto set = ValidatorSet::create(s, vs);
  if (!set) throw std::logic_error("committee: " + set.error().detail);
  c.set = *set;
  return c;
}

Committee committee(Suite s, const std::vector<std::uint64_t>& powers, std::uint32_t seed_base) {
  std::vector<Key> keys;
  for (std::size_t i = 0; i < powers.size(); ++i) keys.push_back(key(s, seed_base + static_cast<std::uint32_t>(i)));
  return committee_of(s, std::move(keys), powers);
}

std::shared_ptr<const devnet::DevnetCodec> codec(Suite s) { return std::make_shared<devnet::DevnetCodec>(s); }

void reencode(Suite s, Block& b) {
  auto enc = devnet::encode(b.header);
  if (!enc) throw std::logic_error("encode: " + enc.error().detail);
  b.encoded = *enc;
  b.hash = devnet::header_hash(s, b.encoded);
}

Block make_block(Suite s, std::uint64_t height, std::uint64_t time_ms, const Hash32& parent, const Committee& vals,
                 const Committee& next, std::vector<Bytes> txs, std::vector<Bytes> events,
                 const std::string& chain_id) {
  Block b;
  b.txs = std::move(txs);
  b.events = std::move(events);
  devnet::Header& h = b.header;
  h.chain_id = chain_id;
  h.height = height;
  h.time_ms = time_ms;
  h.parent_hash = parent;
  h.tx_root = rfc6962::root_of_leaves(s, b.txs);
  h.tx_count = b.txs.size();
  h.event_root = rfc6962::root_of_leaves(s, b.events);
  h.event_count = b.events.size();
  Bytes st{'s', 't', 'a', 't', 'e'};
  for (int i = 7; i >= 0; --i) st.push_back(static_cast<std::uint8_t>(height >> (8 * i)));
  h.state_root = suite_hash(s, st);
  h.validators_hash = devnet::validators_hash(vals.set);
  h.next_validators_hash = devnet::validators_hash(next.set);
  h.proposer = vals.keys.at(0).pub;
  reencode(s, b);
  return b;
}

Commit sign(const Committee& c, const Block& b, const std::vector<std::size_t>& members) {
  const Bytes msg = devnet::sign_bytes(b.header.chain_id, b.header.height, b.hash);
  Commit out;
  for (auto m : members) {
    auto sig = causeway::bft::sign(c.suite, c.keys.at(m).secret, msg);
    if (!sig) throw std::logic_error("sign: " + sig.error().detail);
    out.push_back(CommitSig{c.index_of(m), *sig});
  }
  return out;
}

Commit sign_all(const Committee& c, const Block& b) {
  std::vector<std::size_t> all(c.keys.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  return sign(c, b, all);
}

LightBlock light_block(const Block& b, Commit commit, const Committee& vals, const Committee* next) {
  LightBlock lb;
  lb.signed_header = SignedHeader{b.encoded, std::move(commit)};
  lb.validators = vals.set;
  if (next != nullptr) lb.next_validators = next->set;
  return lb;
}

LightClient client(Suite s, const Block& anchor, const Committee& vals, const Committee& next,
                   std::uint64_t trusting_period_s, std::size_t max_retained) {
  ClientConfig cfg;
  cfg.codec = codec(s);
  cfg.trusting_period_s = trusting_period_s;
  cfg.max_retained = max_retained;
  auto c = LightClient::create(cfg, SignedHeader{anchor.encoded, {}}, vals.set, next.set);
  if (!c) throw std::logic_error("client: " + c.error().detail);
  return *c;
}

Bytes negate_mod(const Bytes& n, const Bytes& x) {
  Bytes out(32);
  int borrow = 0;
  for (int i = 31; i >= 0; --i) {
    const auto idx = static_cast<std::size_t>(i);
    int d = static_cast<int>(n.at(idx)) - static_cast<int>(x.at(idx)) - borrow;
    borrow = d < 0 ? 1 : 0;
    if (d < 0) d += 256;
    out[idx] = static_cast<std::uint8_t>(d);
  }
  return out;
}

Bytes secp256k1_order() {
  return causeway::from_hex("0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141").value();
}
Bytes sm2_order() {
  return causeway::from_hex("0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123").value();
}

Snapshot snapshot(const LightClient& c) {
  return Snapshot{c.latest(), c.retained_count(), c.trusted_validators(), c.trusted_next_validators(), c.frozen()};
}

}  // namespace bfttest
