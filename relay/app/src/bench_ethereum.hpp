// Ethereum-family benches (DESIGN.md §5): receipt proofs beside the raw Keccak-256 rate over the same node
// bytes (`causeway bench eth-proofs`), QBFT header verification beside the signature-bound limit
// (`causeway bench eth-headers`), and the receipt-proof set that `causeway bench peers` shares with
// @ethereumjs/trie. Every figure is measured in the same run as its limit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "bench_report.hpp"
#include "causeway/core/bytes.hpp"
#include "causeway/ethereum/receipt.hpp"

namespace causeway::app {

// One block's receipts, its receipts trie and a proof of every index.
struct ReceiptProofSet {
  Hash32 root;                                // receiptsRoot
  std::vector<ethereum::Receipt> receipts;    // block order; receipt i is at tx index i
  std::vector<Bytes> encoded;                 // encode_receipt(receipts[i]): the trie value
  std::vector<std::vector<Bytes>> proofs;     // proofs[i]: nodes proving index i, root node first
  std::size_t total_nodes = 0;                // over all proofs
  std::size_t total_node_bytes = 0;           // over all proofs
};

// A deterministic block of `receipts` EIP-1559 (type 2) receipts, each with a PacketSent log of one endpoint
// (a real packet, ABI-encoded) and 0–2 ERC-20 Transfer logs, blooms computed; the trie, and every proof,
// each checked once against verify_receipt_proof. Throws std::runtime_error on any inconsistency.
ReceiptProofSet make_receipt_proof_set(std::size_t receipts);

// One pass of verify_receipt_proof over every proof of the set (throws if one fails). Returns a value
// derived from the results so that the work cannot be optimized away.
std::uint64_t verify_receipt_proofs_once(const ReceiptProofSet& set);

// `causeway bench eth-proofs`: receipt proofs verified per second beside Keccak-256 over the same node bytes.
std::vector<BenchFigure> bench_eth_proofs(std::size_t receipts, int runs);

// `causeway bench eth-headers`: QBFT headers (hash + committed seals + quorum, through ethereum::Client) per
// second with 4 and 21 validators, beside the secp256k1 recovery rate ÷ the minimal quorum.
std::vector<BenchFigure> bench_eth_headers(std::size_t headers, int runs);

}  // namespace causeway::app
