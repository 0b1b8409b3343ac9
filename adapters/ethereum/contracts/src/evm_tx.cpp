#include "causeway/adapters/ethereum/evm_tx.hpp"

#include <span>
#include <vector>

#include "causeway/core/hash.hpp"
#include "causeway/core/rlp.hpp"

namespace causeway::adapters::ethereum {

namespace {

std::vector<Bytes> unsigned_fields(const LegacyTx& tx) {
  std::vector<Bytes> f;
  f.push_back(rlp::encode_uint(tx.nonce));
  f.push_back(rlp::encode_uint_be(tx.gas_price));
  f.push_back(rlp::encode_uint(tx.gas_limit));
  f.push_back(tx.to ? rlp::encode_bytes(ByteView(tx.to->data(), tx.to->size())) : rlp::encode_bytes({}));
  f.push_back(rlp::encode_uint_be(tx.value));
  f.push_back(rlp::encode_bytes(tx.data));
  return f;
}

Bytes strip_zeros(ByteView b) {
  std::size_t i = 0;
  while (i < b.size() && b[i] == 0) ++i;
  return Bytes(b.begin() + static_cast<std::ptrdiff_t>(i), b.end());
}

}  // namespace

Hash32 legacy_signing_hash(const LegacyTx& tx, std::uint64_t chain_id) {
  std::vector<Bytes> f = unsigned_fields(tx);
  f.push_back(rlp::encode_uint(chain_id));
  f.push_back(rlp::encode_uint(0));
  f.push_back(rlp::encode_uint(0));
  return keccak256(rlp::encode_list(f));
}

Result<Bytes> sign_legacy_tx(const LegacyTx& tx, std::uint64_t chain_id, const secp256k1::SecretKey& key) {
  if (chain_id == 0 || chain_id > (std::uint64_t{1} << 62)) {
    return fail(Code::InvalidArgument, "chain id must be 1 … 2^62 for EIP-155", "chain_id");
  }
  auto sig = secp256k1::sign_recoverable(legacy_signing_hash(tx, chain_id), key);
  if (!sig) return tl::unexpected(std::move(sig.error()));
  if (sig->recid > 1) return fail(Code::CryptoInternal, "recovery id above 1", "sign_legacy_tx");
  std::vector<Bytes> f = unsigned_fields(tx);
  f.push_back(rlp::encode_uint(chain_id * 2 + 35 + sig->recid));
  f.push_back(rlp::encode_bytes(strip_zeros(ByteView(sig->sig.rs.data(), 32))));
  f.push_back(rlp::encode_bytes(strip_zeros(ByteView(sig->sig.rs.data() + 32, 32))));
  return rlp::encode_list(f);
}

namespace {

std::vector<Bytes> eip1559_fields(const Eip1559Tx& tx, std::uint64_t chain_id) {
  std::vector<Bytes> f;
  f.push_back(rlp::encode_uint(chain_id));
  f.push_back(rlp::encode_uint(tx.nonce));
  f.push_back(rlp::encode_uint(tx.max_priority_fee_per_gas));
  f.push_back(rlp::encode_uint(tx.max_fee_per_gas));
  f.push_back(rlp::encode_uint(tx.gas_limit));
  f.push_back(tx.to ? rlp::encode_bytes(ByteView(tx.to->data(), tx.to->size())) : rlp::encode_bytes({}));
  f.push_back(rlp::encode_uint_be(tx.value));
  f.push_back(rlp::encode_bytes(tx.data));
  f.push_back(rlp::encode_list(std::span<const Bytes>{}));  // empty access list
  return f;
}

Bytes typed(std::uint8_t type, const Bytes& rlp_payload) {
  Bytes out;
  out.reserve(rlp_payload.size() + 1);
  out.push_back(type);
  out.insert(out.end(), rlp_payload.begin(), rlp_payload.end());
  return out;
}

}  // namespace

Hash32 eip1559_signing_hash(const Eip1559Tx& tx, std::uint64_t chain_id) {
  return keccak256(typed(0x02, rlp::encode_list(eip1559_fields(tx, chain_id))));
}

Result<Bytes> sign_eip1559_tx(const Eip1559Tx& tx, std::uint64_t chain_id, const secp256k1::SecretKey& key) {
  if (chain_id == 0) return fail(Code::InvalidArgument, "chain id must be at least 1", "chain_id");
  if (tx.max_priority_fee_per_gas > tx.max_fee_per_gas) {
    return fail(Code::InvalidArgument, "maxPriorityFeePerGas above maxFeePerGas", "max_priority_fee_per_gas");
  }
  auto sig = secp256k1::sign_recoverable(eip1559_signing_hash(tx, chain_id), key);
  if (!sig) return tl::unexpected(std::move(sig.error()));
  if (sig->recid > 1) return fail(Code::CryptoInternal, "recovery id above 1", "sign_eip1559_tx");
  std::vector<Bytes> f = eip1559_fields(tx, chain_id);
  f.push_back(rlp::encode_uint(sig->recid));
  f.push_back(rlp::encode_bytes(strip_zeros(ByteView(sig->sig.rs.data(), 32))));
  f.push_back(rlp::encode_bytes(strip_zeros(ByteView(sig->sig.rs.data() + 32, 32))));
  return typed(0x02, rlp::encode_list(f));
}

eth::Address create_address(const eth::Address& sender, std::uint64_t nonce) {
  const std::vector<Bytes> f = {rlp::encode_bytes(ByteView(sender.data(), sender.size())), rlp::encode_uint(nonce)};
  const Hash32 h = keccak256(rlp::encode_list(f));
  eth::Address a{};
  std::copy(h.b.begin() + 12, h.b.end(), a.begin());
  return a;
}

eth::Address address_of(const secp256k1::SecretKey& key) {
  return secp256k1::eth_address(secp256k1::public_key_of(key));
}

}  // namespace causeway::adapters::ethereum
