// causeway-devnet chain logic (docs/devnet.md): a BFT consortium chain whose node holds every validator key, so
// it simulates the network (every block is signed by all validators) but not consensus messages.
//
// Blocks are causeway-devnet/v1 headers (light_clients/bft devnet_codec.hpp) with a commit by the header's own
// validator set; tx_root / event_root are RFC 6962 trees (suite hash) over the raw transactions / event leaves;
// state_root is the RFC 6962 root over the state's (key, value) entries in key order. Block 0's header hash is
// the island's genesis hash. A validator-set change executed in block h sets h's next_validators_hash, so block
// h + 1 is signed by the new set and light clients follow it sequentially.
//
// Transactions (tx.hpp) are checked in full at submission (signature, island, nonce, and a dry run of the
// whole execution against the pending state): a refused transaction never enters the mempool or changes state,
// and the error says why (stable codes, core/error.hpp). At block time the mempool is re-executed against the
// committed state; one that fails then (state changed meanwhile, timeout passed) consumes its nonce and gets a
// failed receipt, and changes nothing else.
//
// The endpoint module (PACKET.md, docs/devnet.md "Endpoint module") and the transfer application (ICS-20) run
// inside transaction execution; every rule is listed in docs/devnet.md.
//
// Persistence: SQLite (relay/store's wrapper) in <data_dir>/chain.db; each block, its commit, transactions,
// receipts, events and state changes are written in ONE transaction, so a crash leaves the chain at the last
// committed block; open() continues from the stored tip with the keys in <data_dir>/validator_keys.json (0600).
//
// Thread-safety: a Chain is NOT thread-safe; the node (rpc.hpp) serialises access with a mutex.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "causeway/bft/commit.hpp"
#include "causeway/bft/devnet_codec.hpp"
#include "causeway/bft/validator_set.hpp"
#include "causeway/core/error.hpp"
#include "causeway/devnet_node/genesis.hpp"
#include "causeway/devnet_node/tx.hpp"

namespace causeway::devnet {

// Leaf kinds of the event tree besides PACKET.md's 0x01 (sent), 0x02 (ack written), 0x03 (received).
inline constexpr std::uint8_t kLeafAckProcessed = 0x10;      // 0x10 ‖ commitment ‖ ack_commitment (source side)
inline constexpr std::uint8_t kLeafTimeoutProcessed = 0x11;  // 0x11 ‖ commitment (source side, refunded)
inline constexpr std::uint8_t kLeafChannelOpened = 0x12;     // 0x12 ‖ utf8 channel id

inline constexpr std::size_t kMaxMempool = 10'000;

struct ChainOptions {
  std::string data_dir;  // created (0700) if missing; an existing directory keeps its mode
  Genesis genesis;       // used on the first start only
  // When the data dir already holds a chain: refuse to start if `genesis` differs from the stored one.
  bool require_same_genesis = false;
  bool sync_full = true;  // SQLite synchronous=FULL (default) or NORMAL
  // TESTS ONLY (reproducing ../shared/vectors/packet, whose packets name other islands): the island id, genesis
  // hash and endpoint id the endpoint module and transaction domain use instead of the chain's own.
  std::optional<std::string> island_override;
  std::optional<Hash32> genesis_hash_override;
  std::optional<Bytes> endpoint_override;
};

struct BlockRecord {
  std::uint64_t height = 0;
  Hash32 hash;
  Bytes header;  // canonical causeway-devnet/v1 bytes
  bft::devnet::Header decoded;
  bft::Commit commit;
  bft::ValidatorSet validators;                      // the header's own set
  std::optional<bft::ValidatorSet> next_validators;  // only when the header changes the set
};

struct Receipt {
  Hash32 tx_hash;
  std::uint64_t height = 0;
  std::uint32_t index = 0;
  TxKind kind = TxKind::Transfer;
  Address from{};
  std::uint64_t nonce = 0;
  bool success = false;
  std::string error_code;    // empty on success
  std::string error_detail;
  std::uint64_t first_event = 0;  // this tx's leaves are events[first_event, first_event + event_count)
  std::uint64_t event_count = 0;
};

enum class SentStatus : std::uint8_t { Pending = 1, Acknowledged = 2, Refunded = 3, TimedOut = 4 };
struct SentPacket {
  SentStatus status = SentStatus::Pending;
  Bytes packet_bytes;
};

struct InclusionProof {
  std::uint64_t height = 0;
  std::uint64_t index = 0;
  std::uint64_t tree_size = 0;
  Bytes leaf;
  std::vector<Hash32> audit_path;
};

class Chain {
 public:
  // Opens the data dir: continues a stored chain, or creates keys and block 0 from options.genesis (its time is
  // genesis_time_ms, or now_ms when 0). Refuses to start (nothing is created or changed) when
  // validator_keys.json exists but chain.db is missing, empty or holds no chain [ERR_STORE_IO], when the key file
  // is unreadable or malformed [ERR_IO], and when the held keys carry 2/3 or less of the power of the set that
  // signs the next block [ERR_IO]. Errors: ERR_STORE_IO / ERR_STORE_MIGRATION / ERR_IO (files),
  // ERR_INVALID_ARGUMENT (bad genesis), ERR_STORE_CONFLICT (require_same_genesis and another genesis stored).
  static Result<std::unique_ptr<Chain>> open(ChainOptions options, std::uint64_t now_ms);
  ~Chain();
  Chain(const Chain&) = delete;
  Chain& operator=(const Chain&) = delete;

  // Identity.
  const std::string& island() const noexcept;       // "cwdevnet:<name>" (or the test override)
  const Hash32& genesis_hash() const noexcept;      // block 0's header hash (or the test override)
  const Bytes& endpoint_id() const noexcept;        // utf8 of genesis "endpoint" (or the test override)
  bft::Suite suite() const noexcept;
  const Genesis& genesis() const noexcept;

  // Validates `raw` in full (see file comment) and queues it for the next block; returns its hash.
  // Errors: ERR_TOO_LARGE (tx or mempool), decoding errors, ERR_ISLAND_MISMATCH (other island or genesis),
  // signature errors, ERR_STORE_CONFLICT (already known), ERR_TX_NONCE, and every execution error.
  Result<Hash32> submit(ByteView raw, std::uint64_t now_ms);
  std::size_t mempool_size() const noexcept;

  // Builds, signs and durably stores the next block with the queued transactions; time_ms = max(now_ms,
  // parent + 1). On an error nothing changed (the mempool is kept). Errors: ERR_STORE_IO, ERR_CRYPTO_INTERNAL,
  // ERR_OVERFLOW (next_block_time_ms).
  Result<BlockRecord> produce_block(std::uint64_t now_ms);

  std::uint64_t height() const noexcept;  // the tip
  Result<BlockRecord> block(std::uint64_t height);                      // ERR_UNKNOWN_HEADER past the tip
  Result<std::vector<Bytes>> events(std::uint64_t height);             // all event leaves, in order
  Result<std::vector<Bytes>> transactions(std::uint64_t height);       // raw transactions, in order
  Result<InclusionProof> event_proof(std::uint64_t height, std::uint64_t index);  // ERR_MERKLE_INDEX
  Result<InclusionProof> tx_proof(std::uint64_t height, std::uint64_t index);
  Result<std::optional<Receipt>> receipt(const Hash32& tx_hash);

  // Committed state.
  U256 balance(std::string_view account, std::string_view denom) const;  // account: "0x…" (lowercase) or "escrow:<channel>"
  std::uint64_t nonce(const Address& a) const;                            // next nonce, committed state
  std::uint64_t pending_nonce(const Address& a) const;                    // including the mempool
  std::optional<Hash32> packet_receipt(const Hash32& commitment) const;   // destination: ack_commitment
  std::optional<SentPacket> sent_packet(const Hash32& commitment) const;  // source side
  std::optional<Channel> channel(std::string_view id) const;
  std::vector<Channel> channels() const;
  bft::ValidatorSet next_block_validators() const;  // the set that signs the next block

  // Development helpers (the devnet holds every validator key; docs/devnet.md "Validator-set changes").
  // New keys of the chain's suite, kept in the data dir; returns their public keys.
  Result<std::vector<Bytes>> generate_validator_keys(std::uint32_t count);
  // Signatures of every held key of the current set over valset_sign_bytes(…, new set). Errors: those of
  // ValidatorSet::create.
  Result<bft::Commit> sign_validator_set_change(const std::vector<bft::Validator>& new_set) const;
  // The secret key of a held validator key (tests). nullopt if not held.
  std::optional<Bytes> validator_secret(ByteView public_key) const;

 private:
  struct Impl;
  explicit Chain(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

std::string escrow_account(std::string_view channel_id);

// The time of the block after one at parent_time_ms: max(now_ms, parent_time_ms + 1). Block times stay at most
// kMaxTimeMs (genesis.hpp, year 9999), so the sum never overflows. Errors: ERR_OVERFLOW when the parent is at
// the limit or now_ms is past it.
Result<std::uint64_t> next_block_time_ms(std::uint64_t parent_time_ms, std::uint64_t now_ms);

}  // namespace causeway::devnet
