#include "causeway/fisco/proof.hpp"

#include <algorithm>
#include <string>

#include "causeway/core/rlp.hpp"

namespace causeway::fisco {
namespace {

bool canonical_decimal(const std::string& s) {
  if (s.empty() || s.size() > 78) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return s.size() == 1 || s.front() != '0';
}

}  // namespace

Bytes tx_leaf_v2(std::uint64_t index, const Hash32& tx_hash) {
  Bytes out = rlp::encode_uint(index);
  append(out, tx_hash.view());
  return out;
}

Status verify_tx_v2(HashAlgorithm a, std::uint64_t index, const Hash32& tx_hash, std::span<const ProofUnitV2> proof,
                    const Hash32& root) {
  if (root.is_zero()) return fail(Code::ZeroRoot, "all-zero transactionsRoot (A01)", "root");
  if (proof.size() > kMaxV2ProofUnits) return fail(Code::TooLarge, "more than 64 proof units", "proof");
  const bool one_leaf = proof.size() == 1 && proof[0].left.empty() && proof[0].right.empty();
  if (!one_leaf)
    return fail(Code::Unsupported,
                "only one-leaf v2 transaction tries are confirmed by real data; multi-leaf 16-ary proofs are refused",
                "proof");
  if (index != 0) return fail(Code::MerkleIndex, "a one-leaf tree holds index 0 only", "index");
  if (chain_hash(a, tx_leaf_v2(index, tx_hash)) != root)
    return fail(Code::MerkleBranch, "H(RLP(0) || txHash) is not the transactionsRoot", "proof[0]");
  return {};
}

Status verify_merkle_v3(HashAlgorithm a, const Hash32& leaf, std::span<const Bytes> proof, const Hash32& root) {
  if (root.is_zero()) return fail(Code::ZeroRoot, "all-zero root (A01)", "root");
  if (proof.empty()) return fail(Code::MerkleBranch, "empty proof", "proof");
  if (proof.size() > kMaxV3ProofEntries) return fail(Code::TooLarge, "more than 192 proof entries", "proof");
  if (proof.size() == 1) {  // a one-leaf tree: the node returns [leaf] and the root is the leaf
    if (proof[0].size() != 32 || Hash32::from(proof[0]) != leaf)
      return fail(Code::MerkleBranch, "a one-entry proof must be the leaf itself", "proof[0]");
    if (leaf != root) return fail(Code::MerkleBranch, "the leaf is not the root of a one-leaf tree", "proof[0]");
    return {};
  }
  Hash32 cur = leaf;
  std::size_t i = 0;
  while (i < proof.size()) {
    const std::string at = "proof[" + std::to_string(i) + "]";
    const Bytes& count_entry = proof[i];
    if (count_entry.size() != 4 && count_entry.size() != 32)
      return fail(Code::MerkleBranch, "a count entry is 4 bytes (or 32 with a zero tail)", at);
    if (count_entry.size() == 32 &&
        std::any_of(count_entry.begin() + 4, count_entry.end(), [](std::uint8_t b) { return b != 0; }))
      return fail(Code::MerkleBranch, "a 32-byte count entry must be zero after its first 4 bytes", at);
    const std::uint32_t count = (std::uint32_t{count_entry[0]} << 24) | (std::uint32_t{count_entry[1]} << 16) |
                                (std::uint32_t{count_entry[2]} << 8) | std::uint32_t{count_entry[3]};
    if (count < 1 || count > 2) return fail(Code::MerkleBranch, "group size is not 1 or 2 (binary tree)", at);
    if (proof.size() - i - 1 < count) return fail(Code::MerkleBranch, "group runs past the end of the proof", at);
    Bytes group;
    bool member = false;
    for (std::size_t k = 1; k <= count; ++k) {
      const Bytes& e = proof[i + k];
      if (e.size() != 32)
        return fail(Code::MerkleBranch, "a group entry is not 32 bytes", "proof[" + std::to_string(i + k) + "]");
      member = member || Hash32::from(e) == cur;
      append(group, e);
    }
    if (!member) return fail(Code::MerkleBranch, "the current hash is not a member of this level's group", at);
    cur = chain_hash(a, group);
    i += 1 + count;
  }
  if (cur != root) return fail(Code::MerkleBranch, "the proof does not lead to the root", "proof");
  return {};
}

Result<Hash32> receipt_hash_v3(HashAlgorithm a, const ReceiptV3& r) {
  if (r.version != 0)
    return fail(Code::Unsupported, "receipt version " + std::to_string(r.version) +
                                       ": effectiveGasPrice's stored form is not confirmed by real data",
                "version");
  if (r.log_count != 0)
    return fail(Code::Unsupported, "receipts with logs: the stored form of a log address is not confirmed by real data",
                "logEntries");
  if (!canonical_decimal(r.gas_used))
    return fail(Code::ReceiptEncoding, "gasUsed is not a canonical decimal string", "gasUsed");
  if (!r.contract_address.empty()) {
    const bool ok = r.contract_address.size() == 40 &&
                    std::all_of(r.contract_address.begin(), r.contract_address.end(),
                                [](char ch) { return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'); });
    if (!ok) return fail(Code::ReceiptEncoding, "contractAddress is not 40 lower-case hex digits", "contractAddress");
  }
  if (r.block_number > static_cast<std::uint64_t>(INT64_MAX))
    return fail(Code::ReceiptEncoding, "blockNumber above 2^63-1", "blockNumber");
  Bytes in;
  auto be32 = [&in](std::int32_t v) {
    const auto u = static_cast<std::uint32_t>(v);
    for (int shift = 24; shift >= 0; shift -= 8) in.push_back(static_cast<std::uint8_t>(u >> shift));
  };
  be32(r.version);
  in.insert(in.end(), r.gas_used.begin(), r.gas_used.end());
  in.insert(in.end(), r.contract_address.begin(), r.contract_address.end());
  be32(r.status);
  append(in, r.output);
  std::uint8_t bn[8];
  write_be64(bn, r.block_number);
  append(in, ByteView(bn, 8));
  return chain_hash(a, in);
}

}  // namespace causeway::fisco
