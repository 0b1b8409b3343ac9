// Shared pieces of the EVM governance and transfer sub-commands (cmd_evm_channel.cpp, cmd_transfer.cpp):
// reading a signing key file, parsing 0x arguments, connecting a signer, printing errors. docs/cli.md.
//
// Thread-safety: plain functions on their arguments; an EvmSession is used by one thread.
#pragma once

#include <memory>
#include <string>

#include "causeway/adapters/common/json_rpc.hpp"
#include "causeway/adapters/ethereum/deploy.hpp"
#include "causeway/core/error.hpp"

namespace causeway::app::evmcli {

namespace ae = causeway::adapters::ethereum;

// A signing key file: 64 hex digits (optional 0x, one trailing newline), mode 0600, which must exist (never
// created here). Errors: ERR_IO (missing), ERR_KEY_PERMISSIONS, ERR_BAD_HEX.
Result<secp256k1::SecretKey> read_signing_key(const std::string& path);

// "0x" + 40 hex digits. Errors: ERR_BAD_HEX (at = `what`).
Result<ae::eth::Address> parse_address(const std::string& text, const std::string& what);

std::string address_hex(const ae::eth::Address& a);

// A JSON-RPC client (60 s read timeout) and a signer bound to it (eth_chainId read once).
struct EvmSession {
  std::unique_ptr<adapters::JsonRpcClient> client;
  std::unique_ptr<ae::EvmSigner> signer;
};
Result<EvmSession> connect(const std::string& rpc, const std::string& key_file);

// Prints `e` as {"ok":false,"error":{code,message,at}} (json_out) or "error: CODE: detail" on stderr.
void print_error(bool json_out, const Error& e);

}  // namespace causeway::app::evmcli
