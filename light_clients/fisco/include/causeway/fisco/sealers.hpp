// FISCO BCOS sealer sets and the quorum rule (research notes: shared/formats/consortium-chains.md B.1, B.3).
//
// A sealer is a 64-byte node id — the uncompressed public key x ‖ y without the 0x04 prefix — on secp256k1 for
// Keccak-256 chains, on sm2p256v1 for SM3 ("guomi", sm_crypto) chains, with a consensus weight. A sealer's index
// is its position in the chain's sealerList (the order the chain gives, not sorted): signature lists name sealers
// by that index.
//
// Quorum (both versions): signed weight ≥ total − ⌊(total − 1)/3⌋, counting each sealer once.
//   v2 (PBFTEngine / ConsensusEngineBase::checkSigList): every weight is 1, so total = N sealers:
//      N = 1 → 1, N = 4 → 3, N = 7 → 5.
//   v3 (PBFTConfig::updateQuorum): total = Σ consensusWeights.
// Upstream counts list entries without de-duplicating indices; Causeway counts distinct sealers.
//
// create() refuses (fail closed, DESIGN.md rule 7):
//   * an empty set, more than kMaxSealers                          → ERR_INVALID_ARGUMENT / ERR_TOO_LARGE
//   * a weight of 0, a weight above INT64_MAX (Tars `long`), v2 weights other than 1, a total above INT64_MAX
//                                                                    → ERR_INVALID_ARGUMENT / ERR_OVERFLOW
//   * the same node id twice                                        → ERR_INVALID_ARGUMENT
//   * a node id that is not a point of the chain's curve            → ERR_PUBKEY_INVALID
// Errors carry at = "sealers[i]" for the entry at fault.
// Thread-safety: SealerSet is an immutable value after create(); share it freely.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"

namespace causeway::fisco {

// The chain's protocol generation: 2.x or 3.x (≥ 3.0.0; release candidates hashed headers differently).
enum class Version : std::uint8_t { V2, V3 };
// The chain's hash function: Keccak-256 (signatures secp256k1) or SM3 (signatures SM2, sm_crypto chains).
enum class HashAlgorithm : std::uint8_t { Keccak256, Sm3 };
// The group's consensus_type. Only PBFT is implemented: rPBFT's epoch subsets have no confirmed rule.
enum class Consensus : std::uint8_t { Pbft, Rpbft };

inline constexpr std::size_t kNodeIdSize = 64;
inline constexpr std::size_t kMaxSealers = 1024;

using NodeId = std::array<std::uint8_t, kNodeIdSize>;

// "fisco-bcos/v2" / "fisco-bcos/v3".
std::string_view version_codec(Version v) noexcept;
// "keccak256" / "sm3", and back (ERR_INVALID_ARGUMENT for anything else).
std::string_view hash_algorithm_name(HashAlgorithm a) noexcept;
Result<HashAlgorithm> parse_hash_algorithm(std::string_view name);
// "pbft" / "rpbft", and back (ERR_INVALID_ARGUMENT for anything else).
Result<Consensus> parse_consensus(std::string_view name);

// The chain hash of data (Keccak-256 or SM3).
Hash32 chain_hash(HashAlgorithm a, ByteView data);

// total − ⌊(total − 1)/3⌋ for total ≥ 1; 0 for total 0 (never a quorum basis: create() refuses empty sets).
std::uint64_t quorum_weight(std::uint64_t total) noexcept;

struct Sealer {
  NodeId node_id{};
  std::uint64_t weight = 1;
  bool operator==(const Sealer&) const = default;
};

class SealerSet {
 public:
  SealerSet() = default;  // empty and unusable; only create() yields a set the client accepts
  static Result<SealerSet> create(Version v, HashAlgorithm a, std::vector<Sealer> sealers);

  Version version() const noexcept { return version_; }
  HashAlgorithm hash_algorithm() const noexcept { return algorithm_; }
  std::span<const Sealer> sealers() const noexcept { return sealers_; }
  std::size_t size() const noexcept { return sealers_.size(); }
  const Sealer& at(std::size_t i) const { return sealers_.at(i); }
  std::uint64_t total_weight() const noexcept { return total_; }
  // quorum_weight(total_weight()).
  std::uint64_t quorum() const noexcept { return quorum_weight(total_); }
  // Position of a node id (linear; sets are small).
  std::optional<std::size_t> index_of(const NodeId& id) const noexcept;
  // The set hash that `--trust` pins (docs/proof-bundles.md): chain_hash("causeway/fisco-sealers/v1" ‖
  // BE32(count) ‖ for each sealer in chain order: node_id ‖ BE64(weight)).
  Hash32 hash() const;

  bool operator==(const SealerSet&) const = default;

 private:
  Version version_ = Version::V2;
  HashAlgorithm algorithm_ = HashAlgorithm::Keccak256;
  std::vector<Sealer> sealers_;
  std::uint64_t total_ = 0;
};

}  // namespace causeway::fisco
