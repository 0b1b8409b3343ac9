#include "causeway/domain/ids.hpp"

#include "causeway/core/hex.hpp"

namespace causeway::domain {
namespace {

bool is_lower_alnum_dash(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }
bool is_ref_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}
bool is_ident_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '.': case '_': case '+': case '-': case '#': case '[': case ']': case '<': case '>':
      return true;
    default:
      return false;
  }
}

Status validate_ident(std::string_view id, std::size_t max, std::string_view what) {
  if (id.size() < 2 || id.size() > max) {
    return fail(Code::InvalidArgument, std::string(what) + " id must be 2.." + std::to_string(max) + " bytes",
                std::string(what));
  }
  for (char c : id) {
    if (!is_ident_char(c)) {
      return fail(Code::InvalidArgument, std::string(what) + " id has a character outside [a-zA-Z0-9._+-#[]<>]",
                  std::string(what));
    }
  }
  return {};
}

}  // namespace

std::string_view caip2_namespace(std::string_view id) noexcept {
  const auto colon = id.find(':');
  return colon == std::string_view::npos ? std::string_view{} : id.substr(0, colon);
}

std::string_view caip2_reference(std::string_view id) noexcept {
  const auto colon = id.find(':');
  return colon == std::string_view::npos ? std::string_view{} : id.substr(colon + 1);
}

Status validate_island_id(std::string_view id, std::string_view what) {
  const auto colon = id.find(':');
  if (colon == std::string_view::npos) {
    return fail(Code::InvalidArgument, "island id is not CAIP-2 (no ':')", std::string(what));
  }
  const auto ns = id.substr(0, colon);
  const auto ref = id.substr(colon + 1);
  if (ns.size() < 3 || ns.size() > 8) {
    return fail(Code::InvalidArgument, "CAIP-2 namespace must be 3..8 characters", std::string(what));
  }
  for (char c : ns) {
    if (!is_lower_alnum_dash(c)) {
      return fail(Code::InvalidArgument, "CAIP-2 namespace must be [-a-z0-9]", std::string(what));
    }
  }
  if (ref.empty() || ref.size() > 32) {
    return fail(Code::InvalidArgument, "CAIP-2 reference must be 1..32 characters", std::string(what));
  }
  for (char c : ref) {
    if (!is_ref_char(c)) {
      return fail(Code::InvalidArgument, "CAIP-2 reference must be [-_a-zA-Z0-9]", std::string(what));
    }
  }
  return {};
}

Status validate_channel_id(std::string_view id, std::string_view what) {
  return validate_ident(id, kMaxChannelIdBytes, what);
}

Status validate_port_id(std::string_view id, std::string_view what) {
  return validate_ident(id, kMaxPortIdBytes, what);
}

PacketId packet_id(const packet::Packet& p) {
  return PacketId{p.source_island, p.source_genesis, p.source_channel, p.sequence};
}

CommittedPacket CommittedPacket::of(packet::Packet p) {
  const Hash32 c = packet::commitment(p);
  return CommittedPacket(std::move(p), c);
}

std::string to_string(const PacketId& id) {
  return id.source_island + "/" + to_hex(id.source_genesis.view()) + "/" + id.source_channel + "/" +
         std::to_string(id.sequence);
}

std::string to_string(const ChannelKey& k) { return k.island + "/" + k.channel; }

}  // namespace causeway::domain
