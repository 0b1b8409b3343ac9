// The relay committee with k > 1 (issue #7 "A relay committee"; docs/relay-core.md "Committee"): each
// `causeway serve` holds ONE member key and attests the packets it proves itself (relay.hpp); a PeerFetcher
// gathers the other members' attestations from the configured peers' GET /v1/attestations/{packet-id}
// (relay/gateway attestation_routes.hpp) and hands each to Relay::add_member_attestation, which re-verifies it
// (current member, A05; signature over the PEER's own audit index, PACKET.md) before it counts. Once k distinct
// members are stored the packet is attested and the delivery supervisor delivers it with all k signatures; when
// several members deliver, the destination's receipt decides and the others reconcile by look-up (A27/A30).
//
// A peer is untrusted input: its answer is bounded (64 KiB), must be the JSON object
// {"packet_id","commitment","member","audit_index","signature"} with the packet id and commitment this relay
// holds (a different commitment is refused: ERR_COMMITMENT_CONFLICT), and counts only if the relay verifies
// it. A lying peer can delay a packet (it stays `proven`), never make the relay count a forged, non-member or
// wrong-index signature.
//
// Thread-safety: PeerFetcher::start/stop from one thread; poll_once is for tests (not concurrently with a
// running thread). parse_packet_id is pure.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "causeway/core/error.hpp"
#include "causeway/domain/ids.hpp"
#include "causeway/engine/relay.hpp"

namespace causeway::engine {

// The inverse of domain::to_string(PacketId): "<island>/<genesis 0x hex, 32 bytes>/<channel>/<sequence>".
// Errors: ERR_INVALID_ARGUMENT (shape, island/channel id rules, a sequence that is not a canonical decimal u64).
Result<domain::PacketId> parse_packet_id(std::string_view text);

// One attestation as a peer serves it, parsed and checked for shape (not yet for validity: the relay decides).
// Errors: ERR_INVALID_ARGUMENT (not the route's JSON shape; a member not 20 bytes, a signature not 65).
Result<adapters::MemberAttestation> parse_attestation_json(std::string_view body, const std::string& packet_id_text,
                                                           const Hash32& commitment);

// A peer's ack or timeout attestation (GET /v1/attestations/{id}?kind=ack|timeout): the packet shape above plus
// "kind" equal to `kind` and, for an ack, "ack_commitment" (32-byte 0x hex, returned in `ack_commitment`).
// Errors: parse_attestation_json's; ERR_INVALID_ARGUMENT (missing or other kind, malformed ack_commitment).
Result<adapters::MemberAttestation> parse_return_attestation_json(std::string_view body,
                                                                  const std::string& packet_id_text,
                                                                  const Hash32& commitment, std::string_view kind);

struct PeerOptions {
  std::vector<std::string> peers;                 // base URLs, "http://host:port" (config [committee] peers)
  std::chrono::milliseconds poll_interval{250};   // between rounds when nothing new arrived
  std::chrono::milliseconds timeout{2'000};       // connect/read deadline per peer request
  std::size_t max_per_round = 512;                // packets asked about per round
};

struct PeerStats {
  std::uint64_t requests = 0;   // GETs sent
  std::uint64_t not_found = 0;  // 404: the peer has not (yet) attested the packet
  std::uint64_t accepted = 0;   // attestations newly stored (counted toward k); an already-held member's is not
  std::uint64_t refused = 0;    // answers the relay refused (bad shape, not a member, bad signature, …)
  std::uint64_t errors = 0;     // transport errors, other statuses
};

class PeerFetcher {
 public:
  // Errors: ERR_INVALID_ARGUMENT (a peer URL that parse_http_url refuses; at = the URL).
  static Result<std::unique_ptr<PeerFetcher>> create(Relay& relay, PeerOptions options);
  ~PeerFetcher();
  PeerFetcher(const PeerFetcher&) = delete;
  PeerFetcher& operator=(const PeerFetcher&) = delete;

  void start();  // the fetcher thread: poll_once, then wait poll_interval (or until stop)
  void stop();   // idempotent; the destructor calls it

  // One round: for every packet awaiting attestations, ask every peer that has not been counted yet (a peer
  // that fails at the transport level is skipped for the rest of the round); then the same for every ack or
  // timeout this relay relays back that holds fewer than k signatures (Relay::add_return_attestation).
  // Returns the number of attestations accepted this round.
  std::size_t poll_once();

  PeerStats stats() const;
  // Called with a one-line reason for every refused peer answer (default: stderr).
  void set_log(std::function<void(const std::string&)> log);

 private:
  PeerFetcher(Relay& relay, PeerOptions options);
  struct Peer;
  std::size_t poll_returns(std::vector<bool>& unreachable);
  Relay& relay_;
  PeerOptions opt_;
  std::vector<std::unique_ptr<Peer>> peers_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  PeerStats stats_;
  std::function<void(const std::string&)> log_;
  std::thread thread_;
};

}  // namespace causeway::engine
