// The relay committee's peer fetcher: see causeway/engine/peers.hpp.
#include "causeway/engine/peers.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

#include "causeway/adapters/common/json_rpc.hpp"
#include "causeway/core/hex.hpp"

namespace causeway::engine {

namespace {

constexpr std::size_t kMaxAnswerBytes = 64u * 1024;

bool canonical_u64(std::string_view s, std::uint64_t& out) {
  if (s.empty() || s.size() > 20 || (s.size() > 1 && s.front() == '0')) return false;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  out = v;
  return true;
}

}  // namespace

Result<domain::PacketId> parse_packet_id(std::string_view text) {
  // <island>/<genesis>/<channel>/<sequence>; island and channel ids never contain '/'.
  const auto p1 = text.find('/');
  if (p1 == std::string_view::npos) return fail(Code::InvalidArgument, "a packet id is island/genesis/channel/sequence", "packet_id");
  const auto p2 = text.find('/', p1 + 1);
  if (p2 == std::string_view::npos) return fail(Code::InvalidArgument, "a packet id is island/genesis/channel/sequence", "packet_id");
  const auto p3 = text.find('/', p2 + 1);
  if (p3 == std::string_view::npos || text.find('/', p3 + 1) != std::string_view::npos)
    return fail(Code::InvalidArgument, "a packet id is island/genesis/channel/sequence", "packet_id");
  domain::PacketId id;
  id.source_island = std::string(text.substr(0, p1));
  if (auto s = domain::validate_island_id(id.source_island, "packet_id.island"); !s) return tl::unexpected(s.error());
  auto g = hash_from_hex(text.substr(p1 + 1, p2 - p1 - 1));
  if (!g) return fail(Code::InvalidArgument, "the genesis is 32 bytes of 0x hex", "packet_id.genesis");
  id.source_genesis = *g;
  id.source_channel = std::string(text.substr(p2 + 1, p3 - p2 - 1));
  if (auto s = domain::validate_channel_id(id.source_channel, "packet_id.channel"); !s) return tl::unexpected(s.error());
  if (!canonical_u64(text.substr(p3 + 1), id.sequence))
    return fail(Code::InvalidArgument, "the sequence is a canonical decimal uint64", "packet_id.sequence");
  return id;
}

Result<adapters::MemberAttestation> parse_attestation_json(std::string_view body, const std::string& packet_id_text,
                                                           const Hash32& commitment) {
  if (body.size() > kMaxAnswerBytes) return fail(Code::TooLarge, "attestation answer over 64 KiB", "attestation");
  const auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return fail(Code::InvalidArgument, "the answer is not a JSON object", "attestation");
  for (const char* k : {"packet_id", "commitment", "member", "signature"})
    if (!j.contains(k) || !j[k].is_string()) return fail(Code::InvalidArgument, std::string("missing string ") + k, k);
  if (!j.contains("audit_index") || !j["audit_index"].is_number_unsigned())
    return fail(Code::InvalidArgument, "audit_index is a non-negative integer", "audit_index");
  if (j["packet_id"].get<std::string>() != packet_id_text)
    return fail(Code::InvalidArgument, "the answer is about another packet", "packet_id");
  auto c = hash_from_hex(j["commitment"].get<std::string>());
  if (!c) return fail(Code::InvalidArgument, "commitment is 32 bytes of 0x hex", "commitment");
  if (!(*c == commitment))
    return fail(Code::CommitmentConflict, "the peer attests another commitment for this packet id", "commitment");
  adapters::MemberAttestation a;
  auto m = from_hex(j["member"].get<std::string>());
  if (!m || m->size() != a.member.size()) return fail(Code::InvalidArgument, "member is a 20-byte 0x address", "member");
  std::copy(m->begin(), m->end(), a.member.begin());
  a.audit_index = j["audit_index"].get<std::uint64_t>();
  auto sig = from_hex(j["signature"].get<std::string>());
  if (!sig || sig->size() != 65) return fail(Code::InvalidArgument, "signature is 65 bytes r || s || v", "signature");
  a.signature = std::move(*sig);
  return a;
}

Result<adapters::MemberAttestation> parse_return_attestation_json(std::string_view body,
                                                                  const std::string& packet_id_text,
                                                                  const Hash32& commitment, std::string_view kind) {
  auto a = parse_attestation_json(body, packet_id_text, commitment);
  if (!a) return a;
  const auto j = nlohmann::json::parse(body, nullptr, false);  // well-formed: parse_attestation_json read it
  if (!j.contains("kind") || !j["kind"].is_string() || j["kind"].get<std::string>() != kind)
    return fail(Code::InvalidArgument, "the answer is not a " + std::string(kind) + " attestation", "kind");
  if (kind == "ack" && (!j.contains("ack_commitment") || !j["ack_commitment"].is_string() ||
                        !hash_from_hex(j["ack_commitment"].get<std::string>())))
    return fail(Code::InvalidArgument, "ack_commitment is 32 bytes of 0x hex", "ack_commitment");
  return a;
}

struct PeerFetcher::Peer {
  Peer(std::string u, std::string base, adapters::JsonRpcClient c)
      : url(std::move(u)), base_path(std::move(base)), client(std::move(c)) {}
  std::string url;
  std::string base_path;  // the URL's path without a trailing '/'
  adapters::JsonRpcClient client;
  std::optional<domain::Address> member;  // learned from its first counted answer: skip it once counted
  std::set<std::string> refusals_logged;  // one log line per refused packet (bounded)
};

PeerFetcher::PeerFetcher(Relay& relay, PeerOptions options) : relay_(relay), opt_(std::move(options)) {}

Result<std::unique_ptr<PeerFetcher>> PeerFetcher::create(Relay& relay, PeerOptions options) {
  std::unique_ptr<PeerFetcher> f(new PeerFetcher(relay, std::move(options)));
  adapters::RpcOptions ro;
  ro.connect_timeout = f->opt_.timeout;
  ro.write_timeout = f->opt_.timeout;
  ro.read_timeout = f->opt_.timeout;
  ro.max_response_bytes = kMaxAnswerBytes;
  ro.user_agent = "causeway-peer/1";
  for (const auto& url : f->opt_.peers) {
    auto parsed = adapters::parse_http_url(url);
    if (!parsed) return fail(Code::InvalidArgument, "committee peer: " + parsed.error().detail, url);
    std::string base = parsed->target;
    if (const auto q = base.find('?'); q != std::string::npos) base.resize(q);
    while (!base.empty() && base.back() == '/') base.pop_back();
    f->peers_.push_back(std::make_unique<Peer>(url, base, adapters::JsonRpcClient(*parsed, ro)));
  }
  f->log_ = [](const std::string& s) { std::fprintf(stderr, "causeway: peers: %s\n", s.c_str()); };
  return f;
}

PeerFetcher::~PeerFetcher() { stop(); }

void PeerFetcher::set_log(std::function<void(const std::string&)> log) {
  std::lock_guard lock(mu_);
  log_ = std::move(log);
}

PeerStats PeerFetcher::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

std::size_t PeerFetcher::poll_once() {
  if (peers_.empty()) return 0;
  std::size_t accepted = 0;
  std::vector<bool> unreachable(peers_.size(), false);  // a transport error skips the peer for the rest of the round
  for (const auto& id : relay_.awaiting_attestations(opt_.max_per_round)) {
    const auto view = relay_.find(id);
    if (!view || view->stage != "proven") continue;
    const auto have = relay_.attestations_of(id);
    const std::string id_text = domain::to_string(id);
    for (std::size_t pi = 0; pi < peers_.size(); ++pi) {
      auto& peer = peers_[pi];
      if (unreachable[pi]) continue;
      if (peer->member &&
          std::any_of(have.begin(), have.end(), [&](const auto& x) { return x.member == *peer->member; }))
        continue;
      {
        std::lock_guard lock(mu_);
        if (stopping_) return accepted;
        ++stats_.requests;
      }
      auto reply = peer->client.get(peer->base_path + "/v1/attestations/" + id_text);
      std::string refused;
      bool ok = false, missing = false, error = false;
      if (!reply) {
        error = true;
        unreachable[pi] = true;
      } else if (reply->status == 404) {
        missing = true;
      } else if (reply->status != 200) {
        error = true;
      } else if (auto a = parse_attestation_json(reply->body, id_text, view->commitment); !a) {
        refused = std::string(code_name(a.error().code)) + ": " + a.error().detail;
      } else if (std::any_of(have.begin(), have.end(), [&](const auto& x) { return x.member == a->member; })) {
        ok = true;  // already counted (ours, or this member's from another peer)
      } else if (auto r = relay_.add_member_attestation(id, *a); !r) {
        refused = std::string(code_name(r.error().code)) + ": " + r.error().detail;
      } else {
        ok = true;
        ++accepted;
        std::lock_guard lock(mu_);
        ++stats_.accepted;
      }
      std::function<void(const std::string&)> log;
      {
        std::lock_guard lock(mu_);
        if (missing) ++stats_.not_found;
        if (error) ++stats_.errors;
        if (!refused.empty()) ++stats_.refused;
        log = log_;
      }
      if (!refused.empty() && peer->refusals_logged.size() > 4096) peer->refusals_logged.clear();
      if (!refused.empty() && log && peer->refusals_logged.insert(id_text).second)
        log("refused the attestation of " + id_text + " from " + peer->url + ": " + refused);
      if (ok && reply) {
        if (auto a = parse_attestation_json(reply->body, id_text, view->commitment)) peer->member = a->member;
      }
    }
  }
  return accepted + poll_returns(unreachable);
}

std::size_t PeerFetcher::poll_returns(std::vector<bool>& unreachable) {
  std::size_t accepted = 0;
  for (const auto& w : relay_.awaiting_return_attestations(opt_.max_per_round)) {
    const std::string id_text = domain::to_string(w.id);
    for (std::size_t pi = 0; pi < peers_.size(); ++pi) {
      auto& peer = peers_[pi];
      if (unreachable[pi]) continue;
      if (peer->member && std::find(w.members.begin(), w.members.end(), *peer->member) != w.members.end()) continue;
      {
        std::lock_guard lock(mu_);
        if (stopping_) return accepted;
        ++stats_.requests;
      }
      auto reply = peer->client.get(peer->base_path + "/v1/attestations/" + id_text + "?kind=" + w.kind);
      std::string refused;
      {
        std::lock_guard lock(mu_);
        if (!reply) {
          ++stats_.errors;
          unreachable[pi] = true;
          continue;
        }
        if (reply->status == 404) {
          ++stats_.not_found;
          continue;
        }
        if (reply->status != 200) {
          ++stats_.errors;
          continue;
        }
      }
      auto a = parse_return_attestation_json(reply->body, id_text, w.commitment, w.kind);
      // Already counted (this member's from another peer): nothing new, so not "accepted" — the fetcher then
      // waits before its next poll instead of polling again at once.
      const bool known = a && std::find(w.members.begin(), w.members.end(), a->member) != w.members.end();
      Result<std::size_t> r = !a      ? Result<std::size_t>(tl::unexpected(a.error()))
                              : known ? Result<std::size_t>(w.members.size())
                                      : relay_.add_return_attestation(w.id, *a);
      std::function<void(const std::string&)> log;
      {
        std::lock_guard lock(mu_);
        if (r && !known) ++stats_.accepted;
        if (!r) ++stats_.refused;
        log = log_;
      }
      if (r) {
        if (!known) ++accepted;
        peer->member = a->member;
        continue;
      }
      refused = std::string(code_name(r.error().code)) + ": " + r.error().detail;
      if (peer->refusals_logged.size() > 4096) peer->refusals_logged.clear();
      if (log && peer->refusals_logged.insert(w.kind + ":" + id_text).second)
        log("refused the " + w.kind + " attestation of " + id_text + " from " + peer->url + ": " + refused);
    }
  }
  return accepted;
}

void PeerFetcher::start() {
  if (peers_.empty() || thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] {
    for (;;) {
      const std::size_t got = poll_once();
      std::unique_lock lock(mu_);
      if (stopping_) return;
      if (got == 0) cv_.wait_for(lock, opt_.poll_interval, [this] { return stopping_; });
      if (stopping_) return;
    }
  });
}

void PeerFetcher::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace causeway::engine
