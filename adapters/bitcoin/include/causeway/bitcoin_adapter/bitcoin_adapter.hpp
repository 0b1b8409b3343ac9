// The Bitcoin chain adapter (docs/adapters.md): a client for the Bitcoin Core JSON-RPC calls a relay needs, and
// adapters::ChainAdapter for a Bitcoin island, which is a source only (PACKET.md "Bitcoin deposits"): it follows
// headers, detects CWY1 deposits and builds PROOF-BUNDLE.md `bitcoin` bundles (SPV: headers + Merkle branch from
// `gettxoutproof`); submit_delivery / lookup_delivery are ERR_UNSUPPORTED. Nothing here decides trust (DESIGN.md
// rule 3): every header, transaction and branch is verified by light_clients/bitcoin through relay/proofs.
//
// Bitcoin Core RPC (doc/JSON-RPC-interface.md, the RPC help texts), spoken as JSON-RPC 2.0 — the request carries
// "jsonrpc": "2.0", which Bitcoin Core 28.0 and later answer in strict JSON-RPC 2.0 form, as the common
// JsonRpcClient requires (older nodes answer 1.0-style with "error": null and are refused as ERR_RPC_RESPONSE):
//   getblockcount                           → integer
//   getblockhash height                     → hash hex (display order, 64 digits, no 0x)
//   getblockheader "hash" false             → 160 hex digits: the serialized 80-byte header
//   getrawtransaction "txid" 0 ["blockhash"] → hex of the serialized transaction
//   gettxoutproof ["txid"] ["blockhash"]     → hex of a BIP 37 merkle block (merkleblock.hpp)
//   getblock "hash" 0                       → hex of the serialized block (deposit scans)
// Each answer is checked against the request where it states it twice: a header must hash to the hash asked
// for, a transaction to its txid, a block to its hash, a merkle block must carry the block's header and prove
// the txid (ERR_RPC_INCONSISTENT otherwise).
//
// Errors (core/error.hpp): the JsonRpcClient's (ERR_RPC_TRANSPORT, ERR_RPC_TIMEOUT, ERR_RPC_ERROR with Core's
// code, e.g. "-5: No such mempool or blockchain transaction", ERR_RPC_RESPONSE, ERR_TOO_LARGE); ERR_RPC_RESPONSE
// (a result of the wrong JSON type, not bare hex, or of the wrong length); ERR_TOO_LARGE (hex over its bound:
// header 80 bytes, tx kMaxTxBytes, block kMaxBlockBytes, merkle block kMaxMerkleBlockBytes); ERR_RPC_INCONSISTENT;
// the decoders' (merkleblock.hpp, deposit.hpp).
// Authentication: Bitcoin Core requires HTTP Basic auth (RFC 7617): set config.rpc.basic_auth to
// "user:password" (rpcauth/rpcuser) or to adapters::read_cookie_file(<datadir>/.cookie) (docs/adapters.md).
//
// Thread-safety: not safe for concurrent use (one JSON-RPC connection); one adapter per worker thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "causeway/adapters/chain_adapter.hpp"
#include "causeway/adapters/common/json_rpc.hpp"
#include "causeway/bitcoin/params.hpp"
#include "causeway/bitcoin_adapter/deposit.hpp"
#include "causeway/bitcoin_adapter/merkleblock.hpp"

namespace causeway::adapters::bitcoin {

// Typed Bitcoin Core calls over a borrowed JsonRpcClient. Hashes and txids are Hash32 in INTERNAL byte order;
// they are sent and read in display order (byte-reversed hex), as Core does.
class BitcoinRpc {
 public:
  explicit BitcoinRpc(JsonRpcClient& client) noexcept : client_(&client) {}

  Result<std::uint64_t> block_count();
  Result<Hash32> block_hash(std::uint64_t height);
  // 80 bytes; must hash (SHA256d) to `hash`.
  Result<causeway::bitcoin::RawHeader> block_header(const Hash32& hash);
  // The raw transaction; its txid (txid_of: without witness) must be `txid`.
  Result<Bytes> raw_transaction(const Hash32& txid, const std::optional<Hash32>& block_hash = std::nullopt);
  // The merkle block proving `txid` (parsed); with block_hash its header must hash to it.
  Result<MerkleBlock> tx_out_proof(const Hash32& txid, const std::optional<Hash32>& block_hash = std::nullopt);
  // The serialized block (parsed into header + raw txs); its header must hash to `hash`.
  Result<RawBlock> block(const Hash32& hash);

  JsonRpcClient& client() noexcept { return *client_; }

 private:
  Result<Bytes> hex_result(std::string_view method, const nlohmann::json& params, std::size_t max_bytes);
  JsonRpcClient* client_;
};

struct BitcoinAdapterConfig {
  std::string rpc_url;                 // http://host:port of Bitcoin Core
  RpcOptions rpc;                      // rpc.basic_auth: the node's credentials (see Authentication above)
  std::string network = "mainnet";     // PROOF-BUNDLE.md network name
  DepositPolicy deposits;              // deposit script and routes; island/genesis are filled by connect()
  std::uint32_t min_confirmations = 6; // written into bundles' finality; headers up to height + this − 1
  std::size_t max_proof_headers = 20'000;  // headers of one fetched bundle
  std::size_t max_follow = 2'000;      // headers of one follow_headers call
  std::size_t batch = 100;             // calls per JSON-RPC batch
  bool include_tx = true;              // put the raw transaction into bundles (the verifier then checks its txid)
  std::uint32_t anchor_ancestors = 10; // ancestors' timestamps put into the anchor (prev_timestamps_s), 0 … 10
  // Headers of a proof up to the node's tip (at most max_proof_headers after the anchor, never fewer than the
  // confirmations need) instead of height + min_confirmations − 1: a relay takes a deposit only when its own
  // most-work state is among the bundle's headers (docs/relay-core.md "Bitcoin islands"), and the relay follows
  // headers up to some recent tip, so `causeway serve` sets this.
  bool headers_to_tip = false;
};

class BitcoinAdapter final : public ChainAdapter {
 public:
  // Makes the client; checks the node's block 0 is the network's genesis (ERR_ISLAND_MISMATCH otherwise).
  // Errors: ERR_UNKNOWN_NETWORK, parse_http_url's, the RPC errors above.
  static Result<std::unique_ptr<BitcoinAdapter>> connect(BitcoinAdapterConfig config);
  ~BitcoinAdapter() override;

  // bip122:<first 32 hex digits of the genesis hash>.
  std::string island() const override;

  // Up to `max` (≤ max_follow) headers after `from_height` as far as the node's tip, as the JSON text of a
  // bitcoin bundle's `headers` array (80-byte headers, 0x hex). "[]" when the node has nothing newer.
  Result<std::string> follow_headers(std::uint64_t from_height, std::size_t max) override;

  // The bundle of the deposit whose packet commitment is `commitment` in the block at `height` (the block is
  // scanned with getblock, its deposits derived per PACKET.md), via tx_proof. ERR_UNKNOWN_PACKET when the block
  // holds no such deposit.
  Result<std::string> fetch_proof(const Hash32& commitment, std::uint64_t height,
                                  std::uint64_t anchor_height) override;

  // The node's block count (getblockcount): the tip height the relay's source watcher scans up to (less its
  // confirmations). RPC errors.
  Result<std::uint64_t> latest_height() override;
  // The deposits of blocks from … to (inclusive, at most 1000 blocks: ERR_INVALID_ARGUMENT), as (commitment,
  // height) in block order — what the relay's source watcher (engine::Lifecycle) turns into fetch_proof bundles.
  // Untrusted until the relay verifies the bundle and derives the packet itself. Errors: deposits_at's.
  Result<std::vector<SentPacketRef>> scan_sent(std::uint64_t from, std::uint64_t to) override;

  // Bitcoin islands are sources only: ERR_UNSUPPORTED.
  Result<Submitted> submit_delivery(const Delivery& delivery) override;
  Result<DeliveryStatus> lookup_delivery(const Hash32& commitment, ByteView tx) override;

  // A bundle proving transaction `txid` (internal order) in the block at `height`: anchor = the header at
  // anchor_height with up to anchor_ancestors (≤ 10) ancestors' timestamps (prev_timestamps_s) and, when the headers cross a
  // retarget boundary, period_start_time_s — all from the node, so the verifier can apply the rules; headers
  // anchor+1 … min(tip, height + min_confirmations − 1) (with headers_to_tip: … min(tip, anchor + max_proof_headers)
  // when that is higher); inclusion from gettxoutproof (index, branch, tx_count)
  // and, with include_tx, getrawtransaction. Errors: ERR_INVALID_ARGUMENT (anchor above height, too many
  // headers), the RPC and decoder errors.
  Result<std::string> tx_proof(const Hash32& txid, std::uint64_t height, std::uint64_t anchor_height);

  // Every deposit in the block at `height`, in block order (invalid would-be deposits are skipped; see
  // scan_block_deposits for them).
  Result<std::vector<Deposit>> deposits_at(std::uint64_t height);

  const DepositPolicy& policy() const noexcept;
  BitcoinRpc& rpc() noexcept;

 private:
  struct Impl;
  explicit BitcoinAdapter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Deposits of one parsed block at `height`: the valid ones, and for each transaction that is a deposit attempt
// but invalid, its index and error (for logs; PACKET.md gives such outputs no packet).
struct BlockDeposits {
  std::vector<Deposit> deposits;
  std::vector<std::pair<std::uint32_t, Error>> invalid;
  std::vector<Hash32> txids;  // internal order, block order
};
Result<BlockDeposits> scan_block_deposits(const DepositPolicy& policy, const RawBlock& block, std::uint32_t height);

}  // namespace causeway::adapters::bitcoin
