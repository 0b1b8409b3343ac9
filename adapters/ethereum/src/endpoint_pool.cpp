#include "causeway/adapters/ethereum/endpoint_pool.hpp"

#include <set>
#include <utility>

namespace causeway::adapters::ethereum {

Result<std::unique_ptr<EndpointPool>> EndpointPool::create(const std::vector<std::string>& urls,
                                                           const RpcOptions& options) {
  if (urls.empty()) return fail(Code::InvalidArgument, "no RPC endpoint configured", "rpc_urls");
  std::set<std::string> seen;
  std::unique_ptr<EndpointPool> pool(new EndpointPool());
  for (std::size_t i = 0; i < urls.size(); ++i) {
    if (!seen.insert(urls[i]).second) {
      return fail(Code::InvalidArgument, "endpoint listed twice: " + urls[i], "rpc_urls[" + std::to_string(i) + "]");
    }
    auto c = JsonRpcClient::create(urls[i], options);
    if (!c) {
      Error e = std::move(c.error());
      e.at = "rpc_urls[" + std::to_string(i) + "]";
      return tl::unexpected(std::move(e));
    }
    pool->urls_.push_back(urls[i]);
    pool->clients_.push_back(std::make_unique<JsonRpcClient>(std::move(*c)));
    EndpointMetrics m;
    m.url = urls[i];
    pool->stats_.push_back(std::move(m));
  }
  return pool;
}

std::size_t EndpointPool::acquire() {
  std::lock_guard lock(mu_);
  const std::size_t n = stats_.size();
  std::size_t pick = n;
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t i = (current_ + k) % n;
    if (!stats_[i].demoted) {
      pick = i;
      break;
    }
  }
  if (pick == n) {  // all demoted: the least reported one
    pick = 0;
    for (std::size_t i = 1; i < n; ++i) {
      if (stats_[i].unverifiable_reports + stats_[i].inconsistent <
          stats_[pick].unverifiable_reports + stats_[pick].inconsistent) {
        pick = i;
      }
    }
  }
  current_ = pick;
  ++stats_[pick].selected;
  return pick;
}

void EndpointPool::report_transport_failure(std::size_t i) {
  std::lock_guard lock(mu_);
  if (i >= stats_.size()) return;
  ++stats_[i].transport_errors;
  if (current_ == i && stats_.size() > 1) {
    current_ = (i + 1) % stats_.size();
    ++failovers_;
  }
}

void EndpointPool::demote_locked(std::size_t i) {
  if (!stats_[i].demoted) {
    stats_[i].demoted = true;
    ++stats_[i].demotions;
  }
  if (current_ == i && stats_.size() > 1) {
    current_ = (i + 1) % stats_.size();
    ++failovers_;
  }
}

void EndpointPool::report_inconsistent(std::size_t i) {
  std::lock_guard lock(mu_);
  if (i >= stats_.size()) return;
  ++stats_[i].inconsistent;
  demote_locked(i);
}

bool EndpointPool::report_unverifiable(std::string_view url) {
  std::lock_guard lock(mu_);
  for (std::size_t i = 0; i < stats_.size(); ++i) {
    if (stats_[i].url == url) {
      ++stats_[i].unverifiable_reports;
      demote_locked(i);
      return true;
    }
  }
  return false;
}

bool EndpointPool::reinstate(std::string_view url) {
  std::lock_guard lock(mu_);
  for (auto& s : stats_) {
    if (s.url == url) {
      s.demoted = false;
      return true;
    }
  }
  return false;
}

PoolMetrics EndpointPool::metrics() const {
  std::lock_guard lock(mu_);
  return PoolMetrics{stats_, failovers_};
}

}  // namespace causeway::adapters::ethereum
