// GET /v1/attestations/{packet-id}: see causeway/gateway/attestation_routes.hpp.
#include "causeway/gateway/attestation_routes.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "causeway/core/hex.hpp"
#include "causeway/engine/peers.hpp"

namespace causeway::gateway {

namespace {

constexpr std::string_view kPrefix = "/v1/attestations/";

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding of a path segment; false on a malformed escape.
bool percent_decode(std::string_view in, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return false;
    const int hi = hex_digit(in[i + 1]), lo = hex_digit(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return true;
}

}  // namespace

void add_attestation_routes(Server& server, engine::Relay& relay) {
  server.route("GET", std::string(kPrefix), [&relay](const Request& req, Respond respond) {
    std::string_view path = req.target;
    std::string_view query;
    if (const auto q = path.find('?'); q != std::string_view::npos) {
      query = path.substr(q + 1);
      path = path.substr(0, q);
    }
    // ?kind=ack | ?kind=timeout: this relay's attestation of the ack or timeout it relays back to the source.
    std::string_view kind = "packet";
    if (!query.empty()) {
      if (query == "kind=ack") kind = "ack";
      else if (query == "kind=timeout") kind = "timeout";
      else if (query != "kind=packet") {
        respond(error_response(400, "ERR_INVALID_ARGUMENT", "the only query is kind=packet|ack|timeout"));
        return;
      }
    }
    path.remove_prefix(std::min(path.size(), kPrefix.size()));
    std::string text;
    if (path.size() > 256 || !percent_decode(path, text)) {
      respond(error_response(400, "ERR_INVALID_ARGUMENT", "malformed packet id"));
      return;
    }
    auto id = engine::parse_packet_id(text);
    if (!id) {
      respond(error_response(id.error()));
      return;
    }
    if (kind != "packet") {
      const auto r = relay.own_return_attestation(*id);
      if (!r || r->kind != kind) {
        respond(error_response(404, "ERR_UNKNOWN_PACKET", "this relay has not attested the " + std::string(kind) +
                                                             " of " + text));
        return;
      }
      const auto& a = r->attestation;
      nlohmann::json j = {{"packet_id", domain::to_string(*id)},
                          {"kind", r->kind},
                          {"commitment", to_hex(r->commitment.view())},
                          {"member", to_hex(ByteView(a.member.data(), a.member.size()))},
                          {"audit_index", a.audit_index},
                          {"signature", to_hex(a.signature)}};
      if (r->kind == "ack") j["ack_commitment"] = to_hex(r->ack_commitment.view());
      respond(Response{200, j.dump(), "application/json"});
      return;
    }
    const auto view = relay.find(*id);
    if (!view || !view->attestation) {
      respond(error_response(404, "ERR_UNKNOWN_PACKET", "this relay has not attested " + text));
      return;
    }
    const auto& a = *view->attestation;
    const nlohmann::json j = {{"packet_id", view->id_text},
                              {"commitment", to_hex(view->commitment.view())},
                              {"member", to_hex(ByteView(a.member.data(), a.member.size()))},
                              {"audit_index", a.audit_index},
                              {"signature", to_hex(a.signature)}};
    respond(Response{200, j.dump(), "application/json"});
  });
}

}  // namespace causeway::gateway
