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
// errors located at "headers[i]".
Result<VerifiedHeaders> verify_bft_headers(std::string_view json_text, const TrustList& trust, std::int64_t now_s);

}  // namespace causeway::proofs
