// The adapter's names for the Bitcoin deposit logic, which lives in the pure light_clients/bitcoin library
// (causeway/bitcoin/deposit.hpp: parse_tx, parse_block, op_return_data, routes, detect_deposit) so that the relay
// derives a deposit's packet with the very same code (relay/engine family plug-in `bitcoin`). Aliases only.
#pragma once

#include "causeway/bitcoin/deposit.hpp"

namespace causeway::adapters::bitcoin {

using causeway::bitcoin::kMaxBlockBytes;
using causeway::bitcoin::kMaxTxBytes;
using causeway::bitcoin::Deposit;
using causeway::bitcoin::DepositPolicy;
using causeway::bitcoin::ParsedTx;
using causeway::bitcoin::RawBlock;
using causeway::bitcoin::Route;
using causeway::bitcoin::TxOutput;
using causeway::bitcoin::decode_routes;
using causeway::bitcoin::detect_deposit;
using causeway::bitcoin::encode_routes;
using causeway::bitcoin::op_return_data;
using causeway::bitcoin::parse_block;
using causeway::bitcoin::parse_tx;
using causeway::bitcoin::parse_tx_prefix;

}  // namespace causeway::adapters::bitcoin
