// Internal: the key-value state of the devnet and copy-on-write overlays for execution (docs/devnet.md
// "State"). Keys are ASCII strings:
//   bal/<account>/<denom>   uint256 (32 bytes)     account = 0x-address or "escrow:<channel>"; absent = 0
//   nonce/<0xaddress>       u64 big-endian         next nonce; absent = 0
//   chan/<channel id>       abi(channel record)
//   recv/<0xcommitment>     ack_commitment (32)    destination receipts
//   sent/<0xcommitment>     u8 status ‖ packet_bytes   source side
//   vals                    packed validator set   the set that signs the next block
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "causeway/bft/validator_set.hpp"
#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"
#include "causeway/devnet_node/chain.hpp"
#include "causeway/devnet_node/genesis.hpp"

namespace causeway::devnet::detail {

class Kv {
 public:
  virtual ~Kv() = default;
  virtual std::optional<Bytes> get(const std::string& key) const = 0;
};

class BaseState final : public Kv {
 public:
  std::optional<Bytes> get(const std::string& key) const override {
    auto it = map.find(key);
    if (it == map.end()) return std::nullopt;
    return it->second;
  }
  std::map<std::string, Bytes> map;
};

class Overlay final : public Kv {
 public:
  explicit Overlay(const Kv* parent) : parent_(parent) {}
  std::optional<Bytes> get(const std::string& key) const override {
    auto it = writes_.find(key);
    if (it != writes_.end()) return it->second;
    return parent_->get(key);
  }
  void put(const std::string& key, Bytes value) { writes_[key] = std::move(value); }
  void erase(const std::string& key) { writes_[key] = std::nullopt; }
  // Moves this overlay's writes into `into` (whose view this overlay was built on).
  void merge_into(Overlay& into) {
    for (auto& [k, v] : writes_) into.writes_[k] = std::move(v);
    writes_.clear();
  }
  const std::map<std::string, std::optional<Bytes>>& writes() const { return writes_; }
  void clear() { writes_.clear(); }

  // Typed accessors.
  U256 balance(const std::string& account, const std::string& denom) const;
  void set_balance(const std::string& account, const std::string& denom, const U256& v);
  Status credit(const std::string& account, const std::string& denom, const U256& v);
  Status debit(const std::string& account, const std::string& denom, const U256& v);
  std::uint64_t nonce(const Address& a) const;
  void set_nonce(const Address& a, std::uint64_t n);
  std::optional<Channel> channel(const std::string& id) const;
  void put_channel(const Channel& c);
  std::optional<Hash32> packet_receipt(const Hash32& commitment) const;
  std::optional<SentPacket> sent(const Hash32& commitment) const;
  void put_sent(const Hash32& commitment, const SentPacket& s);
  bft::ValidatorSet validators(bft::Suite s) const;
  void put_validators(const bft::ValidatorSet& set);

 private:
  const Kv* parent_;
  std::map<std::string, std::optional<Bytes>> writes_;
};

std::string balance_key(std::string_view account, std::string_view denom);
std::string nonce_key(const Address& a);
std::string recv_key(const Hash32& commitment);
std::string sent_key(const Hash32& commitment);
std::string channel_key(std::string_view id);
inline const std::string kValsKey = "vals";
Bytes encode_channel(const Channel& c);
Result<Channel> decode_channel(ByteView b);
Bytes encode_sent(const SentPacket& s);
Result<SentPacket> decode_sent(ByteView b);

// The state root: RFC 6962 (suite hash) over leaves u16 len ‖ key ‖ value, in key order.
Hash32 state_root(bft::Suite s, const std::map<std::string, Bytes>& state);

// What a transaction executes against.
struct ExecContext {
  std::string island;
  Hash32 genesis;
  Bytes endpoint_id;
  bft::Suite suite = bft::Suite::Secp256k1Sha256;
  const Committee* committee = nullptr;
  std::optional<Address> governance;
  std::uint64_t height = 0;                  // of the block being built
  std::uint64_t time_ms = 0;                 // of the block being built
  const bft::ValidatorSet* block_validators = nullptr;  // the set signing the block being built
  std::function<std::uint64_t(const bft::ValidatorSet&)> held_power;  // power of the keys the node holds
};

// Executes the body of `tx` (nonce and signature are the caller's) on `st`, appending event leaves to `events`.
// On error `st` and `events` may hold partial changes: callers run it on a scratch overlay and discard it.
Status execute(Overlay& st, const Tx& tx, const ExecContext& ctx, std::vector<Bytes>& events);

}  // namespace causeway::devnet::detail
