// Per-family bundle verifiers. Internal to relay/proofs: each takes a schema-valid document and returns the
// result object of PROOF-BUNDLE.md "Result" (without "valid"), or the first error with its location.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>

#include "causeway/core/error.hpp"
#include "causeway/proofs/bundle.hpp"
#include "causeway/proofs/headers.hpp"

namespace causeway::proofs::detail {

Result<nlohmann::json> verify_bitcoin_bundle(const nlohmann::json& doc, const TrustList* trust,
                                             std::int64_t verify_time_s);
Result<nlohmann::json> verify_bft_bundle(const nlohmann::json& doc, const TrustList* trust,
                                         std::int64_t verify_time_s);
// Codecs fisco-bcos/v2 and fisco-bcos/v3 of family bft (fisco_bundle.cpp); verify_bft_bundle dispatches to it.
Result<nlohmann::json> verify_fisco_bundle(const nlohmann::json& doc, const TrustList* trust,
                                           std::int64_t verify_time_s);
// Their header documents (no inclusion); verify_bft_headers dispatches to it. May throw nlohmann exceptions on
// wrong JSON types: the caller turns them into ERR_BUNDLE_SCHEMA.
Result<VerifiedHeaders> verify_fisco_headers(const nlohmann::json& doc, const TrustList& trust, std::int64_t now_s);
// Codec chainmaker/v2 of family bft (chainmaker_bundle.cpp); verify_bft_bundle dispatches to it.
Result<nlohmann::json> verify_chainmaker_bundle(const nlohmann::json& doc, const TrustList* trust,
                                                std::int64_t verify_time_s);
// Its header documents (no inclusion); verify_bft_headers dispatches to it. May throw nlohmann exceptions on
// wrong JSON types: the caller turns them into ERR_BUNDLE_SCHEMA.
Result<VerifiedHeaders> verify_chainmaker_headers(const nlohmann::json& doc, const TrustList& trust, std::int64_t now_s);
Result<nlohmann::json> verify_ethereum_bundle(const nlohmann::json& doc, const TrustList* trust,
                                              std::int64_t verify_time_s);

}  // namespace causeway::proofs::detail
