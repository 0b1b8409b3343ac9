#include "causeway/bitcoin/params.hpp"

#include <string>

#include "causeway/core/hex.hpp"

namespace causeway::bitcoin {
namespace {

// Display-order hex (as Bitcoin Core's chainparams.cpp writes it) to internal order.
Hash32 genesis(std::string_view display_hex) {
  auto h = hash_from_hex(display_hex);
  return h ? h->reversed() : Hash32{};  // constants below are well-formed; tests pin every value
}

U256 limit(std::string_view hex) { return U256::from_hex(hex).value_or(U256{}); }

Params make(std::string name, std::string_view genesis_hex, std::string_view limit_hex, bool min_diff,
            bool no_retarget, bool bip94) {
  Params p;
  p.name = std::move(name);
  p.genesis_hash = genesis(genesis_hex);
  p.pow_limit = limit(limit_hex);
  p.allow_min_difficulty_blocks = min_diff;
  p.no_retargeting = no_retarget;
  p.enforce_bip94 = bip94;
  return p;
}

constexpr std::string_view kLimit32 = "00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff";

}  // namespace

// Values from Bitcoin Core kernel/chainparams.cpp (v28).
const Params& mainnet_params() noexcept {
  static const Params p =
      make("mainnet", "0x000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f", kLimit32, false, false,
           false);
  return p;
}

const Params& testnet3_params() noexcept {
  static const Params p =
      make("testnet3", "0x000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943", kLimit32, true, false,
           false);
  return p;
}

const Params& testnet4_params() noexcept {
  static const Params p =
      make("testnet4", "0x00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043", kLimit32, true, false,
           true);
  return p;
}

const Params& signet_params() noexcept {
  static const Params p = make("signet", "0x00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6",
                               "00000377ae000000000000000000000000000000000000000000000000000000", false, false,
                               false);
  return p;
}

const Params& regtest_params() noexcept {
  static const Params p = make("regtest", "0x0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206",
                               "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", true, true, false);
  return p;
}

Result<const Params*> params_by_name(std::string_view name) {
  if (name == "mainnet") return &mainnet_params();
  if (name == "testnet3") return &testnet3_params();
  if (name == "testnet4") return &testnet4_params();
  if (name == "signet") return &signet_params();
  if (name == "regtest") return &regtest_params();
  return fail(Code::UnknownNetwork, "unknown bitcoin network '" + std::string(name) +
                                        "' (mainnet, testnet3, testnet4, signet, regtest)");
}

}  // namespace causeway::bitcoin
