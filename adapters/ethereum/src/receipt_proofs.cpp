#include "causeway/adapters/ethereum/receipt_proofs.hpp"

#include <cassert>
#include <string>
#include <utility>

namespace causeway::adapters::ethereum {

Result<ReceiptTrie> ReceiptTrie::build(std::span<const causeway::ethereum::Receipt> receipts) {
  ReceiptTrie t;
  t.encoded_.reserve(receipts.size());
  for (std::size_t i = 0; i < receipts.size(); ++i) {
    auto enc = causeway::ethereum::encode_receipt(receipts[i]);
    if (!enc) {
      auto e = std::move(enc.error());
      e.at = "receipts[" + std::to_string(i) + "]";
      return tl::unexpected(std::move(e));
    }
    const Bytes key = causeway::ethereum::receipt_trie_key(i);
    if (auto st = t.trie_.put(key, *enc); !st) return tl::unexpected(std::move(st.error()));
    t.encoded_.push_back(std::move(*enc));
  }
  t.root_ = t.trie_.root();
  return t;
}

const Bytes& ReceiptTrie::encoded(std::size_t i) const {
  assert(i < encoded_.size());
  return encoded_[i];
}

Result<std::vector<Bytes>> ReceiptTrie::prove(std::uint64_t tx_index) const {
  if (tx_index >= encoded_.size()) {
    return fail(Code::InvalidArgument,
                "no receipt " + std::to_string(tx_index) + " in a block of " + std::to_string(encoded_.size()),
                "tx_index");
  }
  return trie_.prove(causeway::ethereum::receipt_trie_key(tx_index));
}

}  // namespace causeway::adapters::ethereum
