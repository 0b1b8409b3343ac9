#include "fixture.hpp"

#include <stdlib.h>

#include <stdexcept>

#include "causeway/bft/devnet_codec.hpp"
#include "causeway/core/hex.hpp"

namespace devnettest {

Bytes dev_secret(int i) { return from_hex(kDevKeys[i]).value(); }
Address dev_address(int i) { return address_of(dev_secret(i)).value(); }
std::string dev_hex(int i) { return address_hex(dev_address(i)); }
U256 amount(std::uint64_t v) { return abi::u256_from_u64(v); }

TempDir::TempDir() {
  std::string templ = (std::filesystem::temp_directory_path() / "causeway-devnet-XXXXXX").string();
  if (mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = templ;
}
TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

Genesis test_genesis(const std::string& name, bft::Suite suite, std::vector<int> members, std::uint32_t k,
                     std::uint32_t validators) {
  Genesis g;
  g.chain_name = name;
  g.suite = suite;
  g.genesis_time_ms = kT0;
  g.validator_count = validators;
  for (int i = 0; i < 4; ++i) {
    g.balances[dev_hex(i)]["stake"] = amount(1'000'000);
    g.balances[dev_hex(i)]["token"] = amount(1'000'000);
  }
  for (int m : members) g.committee.members.push_back(dev_address(m));
  g.committee.k = k;
  g.governance = dev_address(0);
  return g;
}

TestChain TestChain::make(const Genesis& g, const ChainOptions& extra) {
  TestChain t;
  t.dir = std::make_unique<TempDir>();
  t.genesis = g;
  t.reopen(extra);
  return t;
}

void TestChain::reopen(const ChainOptions& extra) {
  chain.reset();
  ChainOptions o = extra;
  o.data_dir = (dir->path() / "data").string();
  o.genesis = genesis;
  o.sync_full = false;
  auto c = Chain::open(o, now_ms);
  if (!c) throw std::runtime_error("open: " + c.error().detail);
  chain = std::move(*c);
}

Result<Hash32> TestChain::submit_with_secret(TxKind kind, const Bytes& body, const Bytes& secret) {
  Tx tx;
  tx.island = chain->island();
  tx.genesis = chain->genesis_hash();
  tx.kind = kind;
  tx.body = body;
  tx.nonce = chain->pending_nonce(address_of(secret).value());
  if (auto s = sign_tx(tx, secret); !s) throw std::runtime_error("sign");
  return chain->submit(encode_tx(tx), now_ms);
}

Result<Hash32> TestChain::submit(TxKind kind, const Bytes& body, int signer) {
  return submit_with_secret(kind, body, dev_secret(signer));
}

BlockRecord TestChain::block() {
  now_ms += 1000;
  auto b = chain->produce_block(now_ms);
  if (!b) throw std::runtime_error("produce: " + b.error().detail);
  return *b;
}

Receipt TestChain::receipt(const Hash32& tx) {
  auto r = chain->receipt(tx);
  if (!r || !*r) throw std::runtime_error("no receipt");
  return **r;
}

U256 TestChain::balance(int dev, const std::string& denom) const { return chain->balance(dev_hex(dev), denom); }
U256 TestChain::balance(const std::string& account, const std::string& denom) const {
  return chain->balance(account, denom);
}

void open_channel(TestChain& a, const std::string& channel, const TestChain& b, const std::string& b_channel,
                  bool ordered, const std::string& port) {
  auto h = a.submit(TxKind::ChannelOpen, encode_body(ChannelOpenBody{channel, port, b.chain->island(),
                                                                     b.chain->genesis_hash(), b_channel, port, ordered}));
  if (!h) throw std::runtime_error("channel_open: " + h.error().detail);
  a.block();
}

Attestation attest(int signer, const Hash32& digest, std::uint64_t audit_index) {
  auto sk = secp256k1::parse_secret_key(dev_secret(signer)).value();
  Attestation a;
  a.audit_index = audit_index;
  a.signature = secp256k1::sign_rsv(digest, sk).value();
  return a;
}

std::vector<Attestation> recv_attestations(const TestChain& dest, const Bytes& packet_bytes, std::vector<int> signers) {
  std::vector<Attestation> out;
  const Hash32 c = packet::commitment(packet_bytes);
  std::uint64_t idx = 100;
  for (int s : signers)
    out.push_back(attest(s, packet::attestation_digest(dest.chain->island(), dest.chain->genesis_hash(),
                                                       dest.chain->endpoint_id(), c, idx), idx)),
        ++idx;
  return out;
}

std::vector<Attestation> ack_attestations(const TestChain& src, const Bytes& packet_bytes, const Bytes& ack_bytes,
                                          std::vector<int> signers) {
  std::vector<Attestation> out;
  const Hash32 c = packet::commitment(packet_bytes);
  const Hash32 ac = packet::ack_commitment(ack_bytes);
  std::uint64_t idx = 200;
  for (int s : signers)
    out.push_back(attest(s, packet::ack_attestation_digest(src.chain->island(), src.chain->genesis_hash(),
                                                           src.chain->endpoint_id(), c, ac, idx), idx)),
        ++idx;
  return out;
}

std::vector<Attestation> timeout_attestations(const TestChain& src, const Bytes& packet_bytes, std::vector<int> signers) {
  std::vector<Attestation> out;
  const Hash32 c = packet::commitment(packet_bytes);
  std::uint64_t idx = 300;
  for (int s : signers)
    out.push_back(attest(s, packet::timeout_attestation_digest(src.chain->island(), src.chain->genesis_hash(),
                                                               src.chain->endpoint_id(), c, idx), idx)),
        ++idx;
  return out;
}

std::vector<Bytes> leaves_of(TestChain& c, std::uint64_t height, std::uint8_t kind) {
  std::vector<Bytes> out;
  const auto events = c.chain->events(height).value();
  for (const auto& l : events)
    if (!l.empty() && l[0] == kind) out.emplace_back(l.begin() + 1, l.end());
  return out;
}

bft::LightBlock light_block(const BlockRecord& b) {
  bft::LightBlock lb;
  lb.signed_header = bft::SignedHeader{b.header, b.commit};
  lb.validators = b.validators;
  lb.next_validators = b.next_validators;
  return lb;
}

bft::LightClient light_client(TestChain& c) {
  auto b0 = c.chain->block(0).value();
  bft::ClientConfig cfg;
  cfg.codec = std::make_shared<bft::devnet::DevnetCodec>(c.chain->suite());
  cfg.trusting_period_s = 14 * 24 * 3600;
  auto lc = bft::LightClient::create(cfg, bft::SignedHeader{b0.header, {}}, b0.validators,
                                     b0.next_validators.value_or(b0.validators));
  if (!lc) throw std::runtime_error("light client: " + lc.error().detail);
  return *lc;
}

}  // namespace devnettest
