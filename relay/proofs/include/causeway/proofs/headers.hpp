// Header-only verification (no inclusion claim): the relay advances a bft `causeway-devnet/v1` island's
// consensus states, and proves the devnet non-delivery scan of PACKET.md ("the complete, verified event lists"),
// from a document shaped like a PROOF-BUNDLE.md `bft` bundle without `inclusion`:
//   {"version": 1, "family": "bft", "codec": "causeway-devnet/v1", "crypto", "island",
//    "anchor": {"header", "validators", "next_validators"?, "trusting_period_s"}, "headers": [...]}
// The anchor must equal an entry of `trust` (height, hash and validator-set hash: A03) — it is never trusted as
// given; every header after it is verified by bft::LightClient exactly as verify_bundle does (sequential when
// adjacent, skipping otherwise; misbehaviour is ERR_CLIENT_FROZEN).
//
// Thread-safety: reentrant.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "causeway/core/bytes.hpp"
#include "causeway/core/error.hpp"
#include "causeway/proofs/bundle.hpp"

namespace causeway::proofs {

// One header the light client verified (fields read from its canonical bytes).
struct VerifiedHeader {
  std::uint64_t height = 0;
  Hash32 hash;
  std::uint64_t time_ms = 0;
  Hash32 event_root;
  std::uint64_t event_count = 0;
  Hash32 validators_hash;
};

struct VerifiedHeaders {
  std::string island;
  std::string crypto;                   // the suite name (bft::suite_name)
  VerifiedHeader anchor;
  std::vector<VerifiedHeader> headers;  // in document order, each verified
};

// Errors: ERR_BUNDLE_PARSE / ERR_TOO_LARGE (text), ERR_BUNDLE_SCHEMA (shape), ERR_UNSUPPORTED_FAMILY (another
// family or codec), ERR_UNTRUSTED_ANCHOR (A03; `trust` is required), ERR_ISLAND_MISMATCH, the light client's
// errors located at "headers[i]"; chainmaker/v2 and fisco-bcos: ERR_INVALID_ARGUMENT at "headers[i]" when heights
// do not strictly increase past the anchor (each header's validators_hash is the set in force AFTER it).
Result<VerifiedHeaders> verify_bft_headers(std::string_view json_text, const TrustList& trust, std::int64_t now_s);

// The "family" of a header document ("bft", "bitcoin"), so a caller can dispatch to the verifier above or below.
// Errors: ERR_BUNDLE_PARSE / ERR_TOO_LARGE (text over kMaxBundleBytes or nested over kMaxJsonDepth),
// ERR_BUNDLE_SCHEMA (not an object with a string "family").
Result<std::string> header_document_family(std::string_view json_text);

// ---- Bitcoin (PROOF-BUNDLE.md family `bitcoin`, without `inclusion` and `finality`) ------------------------
// A header document advances a Bitcoin island's consensus states (docs/relay-core.md "Bitcoin islands"):
//   {"version": 1, "family": "bitcoin", "network", "island",
//    "anchor": {"height", "header", "prev_timestamps_s"?, "period_start_time_s"?, "last_non_min_bits"?},
//    "headers": ["0x<80 bytes>", ...]}
// The anchor (height and block hash) must equal an entry of `trust` (A03); every header after it must link to
// the one before it and is verified by bitcoin::HeaderChain in PROOF-BUNDLE.md's check order (encoding → link
// → required bits → proof of work → median-time-past → at most 2 h after `now_s`, Unix seconds). Offline, the
// anchor's context (ancestors' timestamps, period start time) is taken as given, as in a bundle; a relay passes
// its own (below).
//
// What a relay holds beside each Bitcoin consensus state so that the next header document is judged by the relay's
// own knowledge, never by the pusher's (A03, A13): the state's ancestors' timestamps (median-time-past), the time
// of the first block of its difficulty period (retargets), and the cumulative work since the island's registered
// anchor (the anchor counts 0), which ranks competing branches.
struct BitcoinContext {
  std::vector<std::uint32_t> prev_timestamps_s;     // up to 10 ancestors' times, oldest first
  std::optional<std::uint32_t> period_start_time_s;  // unknown: a run crossing a retarget is refused
  std::string total_work = "0x" + std::string(64, '0');  // 0x + 64 lowercase hex digits (compares as text)
  bool operator==(const BitcoinContext&) const = default;
};
// JSON form {"prev_timestamps_s": [...], "period_start_time_s"?: n, "total_work"?: "0x<64 hex>"}; the empty
// text is the empty context. Errors: ERR_BUNDLE_PARSE, ERR_BUNDLE_SCHEMA (wrong shape, more than 10 timestamps,
// a value over 2^32−1, total_work not 64 hex digits).
Result<BitcoinContext> parse_bitcoin_context(std::string_view json_text);
std::string bitcoin_context_json(const BitcoinContext& c);

struct BitcoinHeaderState {
  std::uint64_t height = 0;
  Hash32 hash;                 // block hash in DISPLAY byte order (as trust entries and consensus states hold it)
  std::uint64_t time_s = 0;    // header time, Unix seconds
  std::string chainwork;       // 0x-hex cumulative work from the anchor (the anchor's own work included)
};

struct VerifiedBitcoinHeaders {
  std::string island;          // bip122:<32 hex digits>
  std::string network;         // mainnet | testnet3 | testnet4 | signet | regtest
  BitcoinHeaderState anchor;
  BitcoinHeaderState tip;      // the last header (the anchor when `headers` is empty)
  std::size_t header_count = 0;
  std::uint32_t mtp_window = 0;  // smallest median-time-past window used (1..11; 0 without headers)
  std::optional<BitcoinContext> tip_context;  // with an anchor_context only
};

// Errors: ERR_BUNDLE_PARSE / ERR_TOO_LARGE (text), ERR_BUNDLE_SCHEMA (shape, or an `inclusion` present),
// ERR_UNKNOWN_NETWORK, ERR_ISLAND_MISMATCH (island is not the network's), ERR_UNTRUSTED_ANCHOR (A03), the light
// client's errors (ERR_PREV_HASH_MISMATCH, ERR_BAD_BITS, ERR_BAD_POW, ERR_TIME_TOO_OLD, ERR_ANCHOR_INSUFFICIENT
// — a retarget crossed without a known period start, ...) located at "headers[i]" or "anchor".
// With `anchor_context` (a relay), the document's anchor context (prev_timestamps_s, period_start_time_s) is
// IGNORED and replaced by it, and the result's tip_context is the context of the verified tip; last_non_min_bits
// (testnet3/4) is dropped, so a testnet anchor that needs it is ERR_ANCHOR_INSUFFICIENT rather than trusted.
Result<VerifiedBitcoinHeaders> verify_bitcoin_headers(std::string_view json_text, const TrustList& trust,
                                                      std::int64_t now_s,
                                                      const BitcoinContext* anchor_context = nullptr);

}  // namespace causeway::proofs
