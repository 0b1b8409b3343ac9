// Signing of legacy Ethereum transactions with EIP-155 replay protection (Yellow Paper appendix F, EIP-155):
// the one transaction type every EVM island accepts (anvil, geth, Besu QBFT/IBFT with zero gas price, FISCO BCOS
// and ChainMaker EVM gateways). Used to deploy and call the Causeway contracts (contracts.hpp, deploy.hpp).
//
//   signing hash = keccak256(rlp([nonce, gasPrice, gas, to, value, data, chainId, 0, 0]))
//   raw tx       = rlp([nonce, gasPrice, gas, to, value, data, v, r, s]),  v = chainId × 2 + 35 + recid
//   tx hash      = keccak256(raw tx)
// `to` absent (empty string in RLP) creates a contract at create_address(sender, nonce).
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>

#include "causeway/core/abi.hpp"
#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"
#include "causeway/core/secp256k1.hpp"
#include "causeway/ethereum/header.hpp"

namespace causeway::adapters::ethereum {

namespace eth = causeway::ethereum;

struct LegacyTx {
  std::uint64_t nonce = 0;
  abi::U256 gas_price{};             // wei per gas, 32-byte big-endian
  std::uint64_t gas_limit = 0;
  std::optional<eth::Address> to;    // std::nullopt: contract creation
  abi::U256 value{};                 // wei
  Bytes data;                        // calldata, or creation code ‖ constructor arguments
};

// The EIP-155 signing hash of `tx` on `chain_id`.
Hash32 legacy_signing_hash(const LegacyTx& tx, std::uint64_t chain_id);

// The signed raw transaction (RLP) for eth_sendRawTransaction. Errors: ERR_INVALID_ARGUMENT (chain_id 0 or
// above 2^62, where v would not fit), ERR_CRYPTO_INTERNAL.
Result<Bytes> sign_legacy_tx(const LegacyTx& tx, std::uint64_t chain_id, const secp256k1::SecretKey& key);

// ---- EIP-1559 (type 2) transactions --------------------------------------------------------------------
// EIP-1559 / EIP-2718 "dynamic fee" transactions, with an empty access list (EIP-2930):
//   payload      = [chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gasLimit, to, value, data, accessList]
//   signing hash = keccak256(0x02 ‖ rlp(payload))
//   raw tx       = 0x02 ‖ rlp(payload ‖ [yParity, r, s]),  yParity = recid ∈ {0, 1}
//   tx hash      = keccak256(raw tx)
// Used by the EVM adapter (evm_adapter.hpp) to submit deliveries on London-and-later chains.
struct Eip1559Tx {
  std::uint64_t nonce = 0;
  std::uint64_t max_priority_fee_per_gas = 0;  // wei per gas (tip)
  std::uint64_t max_fee_per_gas = 0;           // wei per gas (cap: base fee + tip ≤ this)
  std::uint64_t gas_limit = 0;
  std::optional<eth::Address> to;               // std::nullopt: contract creation
  abi::U256 value{};                            // wei
  Bytes data;
};

// The EIP-1559 signing hash of `tx` on `chain_id`.
Hash32 eip1559_signing_hash(const Eip1559Tx& tx, std::uint64_t chain_id);

// The signed raw type-2 transaction for eth_sendRawTransaction. Errors: ERR_INVALID_ARGUMENT (chain_id 0, or
// max_priority_fee_per_gas > max_fee_per_gas), ERR_CRYPTO_INTERNAL.
Result<Bytes> sign_eip1559_tx(const Eip1559Tx& tx, std::uint64_t chain_id, const secp256k1::SecretKey& key);

// The address a contract created by `sender` with account nonce `nonce` gets: the last 20 bytes of
// keccak256(rlp([sender, nonce])).
eth::Address create_address(const eth::Address& sender, std::uint64_t nonce);

// The Ethereum address of a secret key.
eth::Address address_of(const secp256k1::SecretKey& key);

}  // namespace causeway::adapters::ethereum
