// Per-family plug-ins of the engine (docs/relay-core.md "Families"): what the core needs to know about an
// island's family, and nothing more. The core verifies every bundle through relay/proofs::verify_bundle with a
// trust list made of the consensus states the relay holds (A03); a plug-in only
//   - names the consensus state a registered anchor stands for (the first state the island's client holds),
//   - pins the bundle parameters the relay decides, not the submitter (e.g. the bft trusting period),
//   - reads the proven packet out of a VERIFIED bundle (devnet event leaf 0x01 ‖ packet_bytes; EVM PacketSent
//     log of the registered endpoint, A19; ChainMaker PacketSent contract event — native or EVM — of the
//     registered contract; Bitcoin: the packet the relay derives from a verified CWY1 deposit transaction), and
//   - names the consensus state a verified bundle advanced the client to (its verified tip), so that the
//     client moves forward only through headers the light client verified.
// A family plugs in by implementing FamilyPlugin and adding itself to default_plugins(); the core is unchanged.
//
// Thread-safety: plug-ins are immutable; every member is const and reentrant.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"
#include "causeway/core/packet.hpp"
#include "causeway/domain/island.hpp"

namespace causeway::engine {

// A verified header commitment the island's client holds: what a bundle's anchor must equal (A03).
struct ConsensusState {
  std::string island;
  std::uint64_t height = 0;
  Hash32 hash;
  std::optional<Hash32> validator_set_hash;  // bft: the header's validators_hash (pinned with the hash)
  std::uint64_t time_ms = 0;                 // header time
  bool operator==(const ConsensusState&) const = default;
};

// What a verified bundle proved.
struct BundleFacts {
  packet::Packet packet;
  Bytes packet_bytes;
  Hash32 commitment;
  Bytes emitter;                          // the emitting endpoint as the family names it (A19)
  std::uint64_t height = 0;               // the proving header
  Hash32 header_hash;
  std::uint64_t header_time_ms = 0;
  std::uint64_t anchor_height = 0;
  std::optional<ConsensusState> advanced;  // the verified tip when the bundle carried headers past its anchor
};

class FamilyPlugin {
 public:
  virtual ~FamilyPlugin() = default;
  // "bft/causeway-devnet/v1", "ethereum", "bitcoin", "bft/chainmaker/v2", "bft/fisco-bcos".
  virtual std::string name() const = 0;
  virtual bool handles(const domain::IslandSpec& spec) const = 0;
  // The consensus state of the registered anchor. bft: anchor.extra is the anchor's validator-set hash
  // (32 bytes). Errors: ERR_INVALID_ARGUMENT (extra malformed), ERR_ZERO_ROOT (A01).
  virtual Result<ConsensusState> anchor_state(const domain::IslandSpec& spec) const = 0;
  // Reads a bundle that verify_bundle accepted (`doc` the bundle, `verdict` its result object).
  // Errors: ERR_ISLAND_MISMATCH (codec or family differs from the registration), ERR_INVALID_ARGUMENT (a pinned
  // parameter such as the trusting period differs), ERR_NOT_PACKET_EVENT (the claim is not a sent packet),
  // ERR_WRONG_EMITTER (A19), ERR_CLAIM_MISMATCH, packet decoding errors.
  virtual Result<BundleFacts> read_bundle(const domain::IslandSpec& spec, const nlohmann::json& doc,
                                          const nlohmann::json& verdict) const = 0;
  // A21: true when the family's light client does not judge the trusting period itself (its bundles and header
  // documents carry none): then the engine refuses a bundle or header document whose anchor — the consensus state
  // the relay holds that it starts from — is past the island's trusting period at the relay's clock
  // (anchor.time_ms + trusting_period_s · 1000 <= now, domain::trusting_period_passed; ERR_CLIENT_EXPIRED at
  // `anchor`; docs/relay-core.md "A21"). chainmaker/v2 and fisco-bcos/v2|v3: true. causeway-devnet/v1: false (its
  // light client checks the bundle's trusting period, which read_bundle pins to the registered one).
  virtual bool engine_checks_trusting_period() const { return false; }
};

// bft codec causeway-devnet/v1, ethereum (receipt inclusion of a PacketSent log), and bitcoin:
std::unique_ptr<FamilyPlugin> make_devnet_plugin();
std::unique_ptr<FamilyPlugin> make_ethereum_plugin();
// bitcoin (PACKET.md "Bitcoin deposits"; docs/relay-core.md "Bitcoin islands"), a source only:
//   anchor_state: the registered checkpoint (hash in display order, time_ms = time_s × 1000); anchor.extra empty or
//     the anchor's context JSON (proofs::parse_bitcoin_context, else ERR_INVALID_ARGUMENT); ERR_ZERO_ROOT (A01),
//     ERR_OVERFLOW (time beyond 32 bits). The client advances only through pushed header documents
//     (Relay::accept_headers, A13), never through a bundle (`advanced` is never set).
//   read_bundle: a `bitcoin` bundle (else ERR_ISLAND_MISMATCH) whose verified claim carries the raw transaction
//     (inclusion.tx; else ERR_NOT_PACKET_EVENT), with at least the island's finality.confirmations
//     (ERR_INSUFFICIENT_CONFIRMATIONS; the bundle's min_confirmations is not trusted); the packet is derived by
//     bitcoin::detect_deposit (light_clients/bitcoin deposit.hpp) from that VERIFIED transaction at the verified
//     height and index with the registered deposit script (endpoint) and routes (consensus_params,
//     bitcoin::decode_routes): not a deposit ERR_NOT_PACKET_EVENT, a malformed one ERR_DEPOSIT_INVALID (at
//     inclusion.tx). emitter = the deposit script; header_time_ms = the proving header's time × 1000.
std::unique_ptr<FamilyPlugin> make_bitcoin_plugin();
// bft codec chainmaker/v2, a push-mode island (docs/islands/chainmaker.md; PACKET.md "Source events"):
//   anchor_state: anchor.extra = the 32-byte validator-set hash (chainmaker::trust_hash of the anchor's chain
//     config; what a bundle verified from that anchor reports as anchor.validator_set_hash). ERR_INVALID_ARGUMENT
//     (extra not 32 bytes), ERR_ZERO_ROOT (zero hash, set hash or time, A01).
//   read_bundle: a `chainmaker-merkle` claim with an `event` of topic "PacketSent" (native contract) or the EVM
//     topic below (else ERR_NOT_PACKET_EVENT) from the contract named by the island's endpoint (utf8 bytes; else
//     ERR_WRONG_EMITTER, A19). Native contract: event_data exactly
//     [commitment as 64 lowercase hex digits, sequence as canonical decimal, packet_bytes as bare hex] (else
//     ERR_NOT_PACKET_EVENT; packet hex errors ERR_BAD_HEX/ERR_TOO_LARGE at inclusion.event.event_data[2]); the
//     packet decoded (packet errors), its source island and genesis the island's own (ERR_ISLAND_MISMATCH: another
//     island's contract may have the same name), its commitment and sequence equal to event_data[0] and [1]
//     (ERR_CLAIM_MISMATCH). header_time_ms = the proving block's block_timestamp × 1000 (0 if unreadable).
//     `advanced` is never set: the verdict does not name the validator set in force after its tip (a CONFIG block
//     changes it), so only pushed header documents (Relay::accept_headers) advance the client.
//   EVM contract (the Solidity endpoint's `PacketSent(bytes32 indexed commitment, uint64 indexed sequence, bytes
//     packet)`, recorded as ChainMaker records an EVM log: chainmaker/evm_log.hpp): topic = keccak256("PacketSent(
//     bytes32,uint64,bytes)") as 64 lowercase hex digits, contract_name the registered endpoint (A19), event_data
//     exactly [commitment (64 hex), sequence as a 64-hex uint256, abi.encode(bytes packet) hex], all bare lowercase
//     hex (chainmaker::read_evm_log with 2 indexed topics: ERR_BAD_LENGTH for another entry count or topic length,
//     ERR_BAD_HEX for uppercase/non-hex/odd data, ERR_TOO_LARGE, located at inclusion.event.…); the sequence fits
//     uint64 (else ERR_OVERFLOW at event_data[1]); the data decodes strictly as abi (bytes) (ERR_ABI_DECODE at
//     event_data[2]); the packet decodes (packet errors); its commitment equals topic1 and its sequence topic2
//     (ERR_CLAIM_MISMATCH at event_data[0] / [1]). Then the same source island/genesis check (A20), header time and
//     no `advanced`, as for a native event.
std::unique_ptr<FamilyPlugin> make_chainmaker_plugin();
// bft codecs fisco-bcos/v2 and fisco-bcos/v3, a push-mode island (docs/islands/fisco-bcos.md; family_fisco.cpp):
//   anchor_state: anchor.extra = the 32-byte sealer-set hash (fisco::SealerSet::hash of the anchor's sealers,
//     weights and hash algorithm; what relay/proofs verify_fisco_headers and a fisco bundle report as
//     anchor.validator_set_hash). ERR_INVALID_ARGUMENT (extra not 32 bytes), ERR_ZERO_ROOT (A01).
//     Pushed header documents (Relay::accept_headers) advance the client.
//   read_bundle: ERR_ISLAND_MISMATCH (another codec), else always ERR_UNSUPPORTED: FISCO packets are PacketSent
//     EVM logs in receipts, and no real data confirms how a receipt hash binds its logs (v3: the stored string form
//     of a log's address; v2: the 2.9+ receipt RLP and trie), so packets are not taken in yet.
std::unique_ptr<FamilyPlugin> make_fisco_plugin();
std::vector<std::shared_ptr<const FamilyPlugin>> default_plugins();

// ---- the EVM return path (PACKET.md "Acknowledgements and timeouts"; docs/relay-core.md) -------------------
// What a VERIFIED ethereum bundle (verify_bundle's `doc` and `verdict`) says about its proving block: the island,
// the anchor the bundle starts from (must be a consensus state the relay holds, A03), the proving block (height,
// hash, block.timestamp in seconds, read from the bundle's verified header RLP whose keccak256 is the verdict's
// header_hash) and the verified tip as a consensus state (time_ms = its timestamp × 1000).
struct EvmProvenBlock {
  std::string island;
  std::uint64_t anchor_height = 0;
  Hash32 anchor_hash;
  std::uint64_t height = 0;
  Hash32 hash;
  std::uint64_t time_s = 0;
  ConsensusState tip;
};
// Errors: ERR_ISLAND_MISMATCH (not an ethereum bundle, or another island than `dest`), ERR_UNKNOWN_HEADER (the
// proving or tip header is not in the bundle), header decoding errors.
Result<EvmProvenBlock> evm_proven_block(const domain::IslandSpec& dest, const nlohmann::json& doc,
                                        const nlohmann::json& verdict);
// The ack_bytes of the AcknowledgementWritten(bytes32 indexed commitment, bytes ack) log a verified `receipt`
// bundle proves, accepted only from `dest`'s registered endpoint (A19); topic1 must equal the ack's commitment.
// Errors: ERR_NOT_PACKET_EVENT (not a receipt claim, not AcknowledgementWritten), ERR_WRONG_EMITTER (A19),
// ERR_CLAIM_MISMATCH (topic1 ≠ the ack's commitment), ERR_ABI_DECODE / ERR_TOO_LARGE (data, ack bytes).
Result<Bytes> read_evm_ack(const domain::IslandSpec& dest, const nlohmann::json& doc, const nlohmann::json& verdict);
// The proven value of receipts[commitment] (slot keccak256(commitment ‖ uint256(0)), PACKET.md) of `dest`'s
// registered endpoint from a verified `storage` bundle; all zero = not delivered at the proving block.
// Errors: ERR_NOT_PACKET_EVENT (not a storage claim), ERR_WRONG_EMITTER (another account than the endpoint, A19),
// ERR_CLAIM_MISMATCH (another slot).
Result<Hash32> read_evm_receipt_slot(const domain::IslandSpec& dest, const Hash32& commitment,
                                     const nlohmann::json& doc, const nlohmann::json& verdict);

}  // namespace causeway::engine
