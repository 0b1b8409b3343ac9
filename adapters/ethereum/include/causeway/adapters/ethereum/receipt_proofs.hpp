// Receipt inclusion proofs built from a block's receipts (the adapter's "fetch proofs" side for the receipts
// trie: Ethereum nodes have no RPC that returns receipt proofs, so the adapter fetches every receipt of the
// block and builds the trie itself). The proof is checked by the light client
// (causeway::ethereum::verify_receipt_proof / verify_packet_sent) against a verified header's receiptsRoot;
// building it here decides nothing.
//
// Trie: Yellow Paper §4.3 H_e — key RLP(transaction index), value the EIP-2718 receipt encoding
// (causeway::ethereum::encode_receipt); nodes from causeway::merkle::mpt::Trie, root node first.
//
// Thread-safety: a ReceiptTrie is an immutable value after build(); concurrent const calls are safe.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"
#include "causeway/ethereum/receipt.hpp"
#include "causeway/merkle/mpt.hpp"

namespace causeway::adapters::ethereum {

class ReceiptTrie {
 public:
  // The trie of `receipts` in block order (receipt i at key RLP(i)). Errors: encode_receipt's
  // (ERR_RECEIPT_ENCODING, at = "receipts[i]").
  static Result<ReceiptTrie> build(std::span<const causeway::ethereum::Receipt> receipts);

  // receiptsRoot of the block (empty_trie_root() for a block without transactions).
  const Hash32& root() const noexcept { return root_; }
  std::size_t size() const noexcept { return encoded_.size(); }
  // The EIP-2718 encoding of receipt i. Precondition: i < size() (asserted).
  const Bytes& encoded(std::size_t i) const;

  // The proof nodes of receipt `tx_index` (root first), in the format verify_receipt_proof takes.
  // Errors: ERR_INVALID_ARGUMENT (tx_index ≥ size()).
  Result<std::vector<Bytes>> prove(std::uint64_t tx_index) const;

 private:
  causeway::merkle::mpt::Trie trie_;
  std::vector<Bytes> encoded_;
  Hash32 root_;
};

}  // namespace causeway::adapters::ethereum
