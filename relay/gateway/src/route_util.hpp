// Helpers shared by the API v1 route files (private to relay/gateway): path/query parsing, packet ids, and
// the JSON forms of store rows (docs/api.md "Objects").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "causeway/core/error.hpp"
#include "causeway/core/hex.hpp"
#include "causeway/domain/ids.hpp"
#include "causeway/gateway/api_routes.hpp"
#include "causeway/gateway/server.hpp"
#include "causeway/store/queries.hpp"

namespace causeway::gateway::detail {

// Percent-decoding ("%2F" → '/', '+' stays '+'). Errors: ERR_INVALID_ARGUMENT (bad escape).
Result<std::string> url_decode(std::string_view s);
// The path of a target without the query, and the decoded value of query parameter `name` (nullopt: absent).
std::string target_path(const std::string& target);
Result<std::optional<std::string>> query_param(const std::string& target, std::string_view name);
// Splits a decoded path tail on '/'.
std::vector<std::string> split(std::string_view s, char sep);

// "<island>/<0x genesis>/<channel>/<sequence>" components (already split). Errors: ERR_INVALID_ARGUMENT,
// ERR_BAD_HEX, ERR_BAD_LENGTH (at = "packet_id").
Result<store::PacketKey> parse_packet_key(const std::vector<std::string>& parts);
// "<island>/<channel>". Errors: ERR_INVALID_ARGUMENT (at = "channel").
Result<std::pair<std::string, std::string>> parse_channel_ref(std::string_view text);
// Decimal uint64 (no sign, no leading zeros except "0"). Errors: ERR_INVALID_ARGUMENT (at = what).
Result<std::uint64_t> parse_u64(std::string_view text, std::string_view what);

std::string packet_id_text(const store::PacketKey& k);
nlohmann::json packet_json(const store::PacketRow& r);
nlohmann::json attestation_json(const store::AttestationRow& a);
nlohmann::json island_json(const store::IslandRow& r, std::uint64_t now_ms);
nlohmann::json client_json(const store::IslandRow& r, std::uint64_t now_ms);
nlohmann::json channel_json(const store::ChannelRow& r);

Response json_response(int status, const nlohmann::json& j);
// 503 ERR_STORE_IO from a ReadPool/query failure.
Response store_failure(const Error& e);
// Server::route, recorded in ctx.routes.
void add_route(Server& server, ApiContext& ctx, const std::string& method, const std::string& path, Handler h);
// Runs ctx->authorize_operator; unset: ERR_UNAUTHORIZED (fail closed).
Status check_operator(const ApiContext& ctx, const Request& req);
// An operator action's request (packet clear/retry, channel resume): check_operator, then the optional body
// (schemas/operator-action.schema.json) read as {operator (default "operator"), reason (default "")}.
// Errors: check_operator's, parse_json_body's.
struct OperatorActionRequest {
  std::string operator_id;
  std::string reason;
};
Result<OperatorActionRequest> operator_action_request(const ApiContext& ctx, const Request& req);

}  // namespace causeway::gateway::detail
