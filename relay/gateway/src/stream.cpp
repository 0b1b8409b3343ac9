// WebSocket /v1/stream subscriptions and fan-out: see causeway/gateway/stream.hpp.
#include "causeway/gateway/stream.hpp"

#include <map>
#include <mutex>
#include <set>
#include <utility>
#include <vector>

#include "causeway/gateway/json_body.hpp"

namespace causeway::gateway {

namespace {

using Topic = std::pair<std::string, std::string>;  // (kind, key)

std::shared_ptr<const std::string> error_text(const Error& e) {
  nlohmann::json details = nlohmann::json::object();
  if (!e.at.empty()) details["at"] = e.at;
  return std::make_shared<const std::string>(
      nlohmann::json{{"error", {{"code", code_name(e.code)}, {"message", e.detail}, {"details", details}}}}.dump());
}

}  // namespace

struct StreamHub::Impl {
  StreamHubOptions opt;
  mutable std::mutex mu;
  struct Session {
    std::shared_ptr<WsConnection> conn;
    std::set<Topic> topics;
  };
  std::map<std::uint64_t, Session> sessions;
  std::map<Topic, std::set<std::uint64_t>> index;
  std::uint64_t published = 0, delivered = 0, refused = 0;

  void open(const std::shared_ptr<WsConnection>& c) {
    std::lock_guard lock(mu);
    sessions[c->id()].conn = c;
  }

  void closed(const std::shared_ptr<WsConnection>& c) {
    std::lock_guard lock(mu);
    auto it = sessions.find(c->id());
    if (it == sessions.end()) return;
    for (const auto& t : it->second.topics)
      if (auto ix = index.find(t); ix != index.end()) {
        ix->second.erase(c->id());
        if (ix->second.empty()) index.erase(ix);
      }
    sessions.erase(it);
  }

  void message(const std::shared_ptr<WsConnection>& c, const std::string& text) {
    auto reply = handle(c, text);
    if (!reply) {
      c->send(error_text(reply.error()));
      return;
    }
    c->send(std::make_shared<const std::string>(reply->dump()));
  }

  Result<nlohmann::json> handle(const std::shared_ptr<WsConnection>& c, const std::string& text) {
    auto doc = parse_json_bounded(text, JsonLimits{opt.max_message_bytes, 8});
    if (!doc) return doc;
    if (auto ok = validate_json(*doc, "stream-message.schema.json"); !ok) return tl::unexpected(ok.error());
    const bool sub = doc->contains("subscribe");
    const nlohmann::json& topic = sub ? (*doc)["subscribe"] : (*doc)["unsubscribe"];
    const auto first = topic.begin();  // the schema allows exactly one property
    const std::string kind = first.key();
    const std::string key = first.value().is_string() ? first.value().get<std::string>() : std::string();
    const Topic t{kind, key};
    std::lock_guard lock(mu);
    auto it = sessions.find(c->id());
    if (it == sessions.end()) return fail(Code::InvalidArgument, "session is closing");
    if (sub) {
      if (!it->second.topics.count(t) && it->second.topics.size() >= opt.max_subscriptions)
        return fail(Code::RateLimited, "at most " + std::to_string(opt.max_subscriptions) + " subscriptions per connection");
      it->second.topics.insert(t);
      index[t].insert(c->id());
      return nlohmann::json{{"subscribed", topic}};
    }
    it->second.topics.erase(t);
    if (auto ix = index.find(t); ix != index.end()) {
      ix->second.erase(c->id());
      if (ix->second.empty()) index.erase(ix);
    }
    return nlohmann::json{{"unsubscribed", topic}};
  }
};

StreamHub::StreamHub(StreamHubOptions options) : impl_(std::make_shared<Impl>()) { impl_->opt = options; }
StreamHub::~StreamHub() = default;

void StreamHub::attach(Server& server, const std::string& path) {
  std::weak_ptr<Impl> weak = impl_;
  WsHandler h;
  h.on_open = [weak](const std::shared_ptr<WsConnection>& c) {
    if (auto I = weak.lock()) I->open(c);
  };
  h.on_message = [weak](const std::shared_ptr<WsConnection>& c, const std::string& text) {
    if (auto I = weak.lock()) I->message(c, text);
  };
  h.on_close = [weak](const std::shared_ptr<WsConnection>& c) {
    if (auto I = weak.lock()) I->closed(c);
  };
  server.websocket(path, std::move(h));
}

void StreamHub::publish(const std::string& topic_kind, const std::string& key, const nlohmann::json& event) {
  std::vector<std::shared_ptr<WsConnection>> targets;
  {
    std::lock_guard lock(impl_->mu);
    ++impl_->published;
    auto ix = impl_->index.find({topic_kind, key});
    if (ix == impl_->index.end()) return;
    for (auto id : ix->second)
      if (auto s = impl_->sessions.find(id); s != impl_->sessions.end()) targets.push_back(s->second.conn);
  }
  auto text = std::make_shared<const std::string>(
      nlohmann::json{{"kind", topic_kind}, {"key", key}, {"event", event}}.dump());
  std::uint64_t ok = 0, no = 0;
  for (auto& c : targets) (c->send(text) ? ok : no) += 1;
  std::lock_guard lock(impl_->mu);
  impl_->delivered += ok;
  impl_->refused += no;
}

StreamHubStats StreamHub::stats() const {
  std::lock_guard lock(impl_->mu);
  StreamHubStats s;
  s.sessions = impl_->sessions.size();
  for (const auto& [t, ids] : impl_->index) s.subscriptions += ids.size();
  s.published = impl_->published;
  s.delivered = impl_->delivered;
  s.refused = impl_->refused;
  return s;
}

}  // namespace causeway::gateway
