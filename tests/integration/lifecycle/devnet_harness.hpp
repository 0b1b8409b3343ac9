// Shared harness of the devnet end-to-end tests (lifecycle_devnet_test, gateway_stream_lifecycle_test): two
// (or more) REAL causeway-devnet processes with a one-member committee, their adapters, a small JSON-RPC helper
// for signed transactions and balances, and the relay's governance-signed island and channel records of a live
// devnet. Test support only: failures are Catch2 FAIL/REQUIRE. Each including target defines
// CAUSEWAY_DEVNET_BIN (the node binary) for devnet_harness.cpp.
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <memory>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "anvil_process.hpp"
#include "causeway/devnet_adapter/devnet_adapter.hpp"
#include "causeway/devnet_node/tx.hpp"
#include "causeway/domain/channel.hpp"
#include "causeway/domain/governance.hpp"
#include "causeway/domain/ids.hpp"
#include "causeway/domain/island.hpp"
#include "causeway/engine/lifecycle.hpp"
#include "causeway/engine/relay.hpp"
#include "causeway/engine/supervisor.hpp"

namespace causeway::testing::devnet_harness {

namespace dn = causeway::devnet;
namespace da = causeway::adapters::devnet;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// The sample genesis's dev key i (0x hex secret, dn::kDevKeys).
Bytes key(int i);
inline constexpr int kGovernance = 0;  // sample genesis governance: signs the relay's island/channel records too
inline constexpr int kSender = 1;
inline constexpr int kSubmitter = 2;   // the relay's submitter on both chains
inline constexpr int kCommittee = 3;   // the relay's attestation key: the one-member committee of both chains
inline const std::string kReceiver = "0x1111111111111111111111111111111111111111";

// A causeway-devnet process (--block-time 20 ms, ephemeral port) on `data` with `genesis`; start() waits for its
// "started" JSON line (60 s).
struct Devnet {
  fs::path data;
  fs::path genesis;
  std::unique_ptr<anvil::Process> proc;
  nlohmann::json started;
  void start();
  std::string rpc_url() const { return started["rpc_url"].get<std::string>(); }
};

// The sample genesis named `name` with the committee {key(kCommittee)}, k = 1, started under `dir`.
Devnet make_devnet(const fs::path& dir, const std::string& name);
// A devnet adapter of `d` with key(kSubmitter) as submitter.
std::shared_ptr<da::DevnetAdapter> adapter_for(const Devnet& d);

struct Rpc {
  std::unique_ptr<adapters::JsonRpcClient> c;
  explicit Rpc(const Devnet& d);
  nlohmann::json call(const std::string& m, nlohmann::json params = nlohmann::json::array());
  // Signs a transaction of dev key `dev` (pending nonce) and sends it; its hash.
  std::string submit(const da::IslandInfo& info, int dev, dn::TxKind kind, Bytes body);
  std::string balance(const std::string& account, const std::string& denom);
};

// The receipt of transaction `tx` (0x hash), polled up to 60 s.
da::TxReceipt wait_receipt(da::DevnetAdapter& a, const std::string& tx);

// The relay's governance-signed records of a live devnet island (anchored at block 0) and of its channel-0
// (port transfer) towards `other` (relay/domain governance digests; nonces 1 and 2; signed by key(kGovernance)).
domain::SignedIsland island_record(da::DevnetAdapter& a, Rpc& rpc);
domain::SignedChannelRecord channel_record(const domain::IslandSpec& self, const domain::IslandSpec& other,
                                           bool ordered = false);

// Opens channel-0 (port transfer) between the live devnets `a` and `b` on both chains: governance transactions
// of key(kGovernance); REQUIREs both receipts to succeed.
void open_channel_on_chains(da::DevnetAdapter& a, Rpc& ra, da::DevnetAdapter& b, Rpc& rb, bool ordered = false);
// The relay's configuration for live devnets `a` and `b` joined by channel-0: both island records, the channel
// pair, the base asset "stake" of `a`, and the relay's attestation key key(kCommittee) (the one-member committee
// of both chains) written to `key_file` with mode 0600.
engine::RelayConfig two_island_config(da::DevnetAdapter& a, Rpc& ra, da::DevnetAdapter& b, Rpc& rb, bool ordered,
                                      const fs::path& key_file);
// A relay on `data` with `cfg` whose log lines are appended to `notes` (which must outlive it); FAILs on error.
std::unique_ptr<engine::Relay> open_relay(const fs::path& data, const engine::RelayConfig& cfg,
                                          std::vector<std::string>& notes);
// A transfer of `amount` `denom` sent by dev key `sender` on `channel` of `src` (waits for its receipt); the one
// sent packet its block holds.
da::SentPacketEvent send_transfer(da::DevnetAdapter& src, Rpc& rpc, int sender, const std::string& channel,
                                  const std::string& denom, std::uint64_t amount, const Bytes& receiver,
                                  const std::string& memo, std::uint64_t timeout_height, std::uint64_t timeout_ns);
// The packet's identity (source island, genesis, channel, sequence).
domain::PacketId packet_id_of(const da::SentPacketEvent& e);
// The relay's stage of a packet, "unknown" when it does not hold it.
std::string stage_of(const engine::Relay& relay, const domain::PacketId& id);
// Drives the lifecycle and the supervisor's rounds for `deliver_to` round by round on this thread until `done`
// (a 120 s bound on a hang, not a speed assertion; FAIL with the relay's notes).
void drive_until(engine::Lifecycle& lifecycle, engine::Supervisor& supervisor,
                 const std::vector<std::string>& deliver_to, const std::vector<std::string>& notes,
                 const std::function<bool()>& done);

}  // namespace causeway::testing::devnet_harness
