// Test helpers for the devnet chain logic (in-process, no network): a chain in a temp dir, signed transactions
// from the public dev keys, attestations, blocks at controlled times. No Catch2 here (DESIGN.md rule 6).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "causeway/bft/client.hpp"
#include "causeway/core/packet.hpp"
#include "causeway/devnet_node/chain.hpp"

namespace devnettest {

using namespace causeway;
using namespace causeway::devnet;

inline constexpr std::uint64_t kT0 = 1'700'000'000'000;  // genesis time_ms of the test chains

Bytes dev_secret(int i);
Address dev_address(int i);
std::string dev_hex(int i);
U256 amount(std::uint64_t v);

class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A genesis with dev accounts 0–3 holding 1,000,000 "stake" and "token", governance dev 0, committee `members`
// (dev account numbers) with threshold k.
Genesis test_genesis(const std::string& name, bft::Suite suite, std::vector<int> members = {1}, std::uint32_t k = 1,
                     std::uint32_t validators = 4);

struct TestChain {
  std::unique_ptr<TempDir> dir;
  std::unique_ptr<Chain> chain;
  std::uint64_t now_ms = kT0 + 1000;

  static TestChain make(const Genesis& g, const ChainOptions& extra = {});
  // Reopens the same data dir (restart).
  void reopen(const ChainOptions& extra = {});

  // Builds, signs (dev key `signer`, pending nonce) and submits a transaction; returns the submission result.
  Result<Hash32> submit(TxKind kind, const Bytes& body, int signer = 0);
  Result<Hash32> submit_with_secret(TxKind kind, const Bytes& body, const Bytes& secret);
  // Produces a block 1 s after the previous "now".
  BlockRecord block();
  Receipt receipt(const Hash32& tx);
  U256 balance(int dev, const std::string& denom) const;
  U256 balance(const std::string& account, const std::string& denom) const;

  Genesis genesis;
};

// Opens `channel` on `a` towards `b` (governance dev 0), in one block.
void open_channel(TestChain& a, const std::string& channel, const TestChain& b, const std::string& b_channel,
                  bool ordered = false, const std::string& port = "transfer");

// Attestation of dev key `signer` over a digest.
Attestation attest(int signer, const Hash32& digest, std::uint64_t audit_index);
// Attestations for delivering `packet_bytes` to `dest` (attestation_digest with dest's island/genesis/endpoint).
std::vector<Attestation> recv_attestations(const TestChain& dest, const Bytes& packet_bytes, std::vector<int> signers);
std::vector<Attestation> ack_attestations(const TestChain& src, const Bytes& packet_bytes, const Bytes& ack_bytes,
                                          std::vector<int> signers);
std::vector<Attestation> timeout_attestations(const TestChain& src, const Bytes& packet_bytes, std::vector<int> signers);

// The event leaves of the last block with a given first byte.
std::vector<Bytes> leaves_of(TestChain& c, std::uint64_t height, std::uint8_t kind);

// A light client anchored at block 0 of the chain.
bft::LightClient light_client(TestChain& c);
bft::LightBlock light_block(const BlockRecord& b);

}  // namespace devnettest
