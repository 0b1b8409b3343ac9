#include "bench_report.hpp"

#include <algorithm>
#include <cstdio>
#include <iostream>

namespace causeway::app {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

void print_figures(const std::vector<BenchFigure>& figures, bool json) {
  for (const auto& f : figures) {
    if (json) {
      nlohmann::json j = {{"bench", f.bench}, {"metric", f.metric}, {"value", f.value}, {"unit", f.unit},
                          {"threads", f.threads}, {"n", f.n}};
      if (!f.limit_metric.empty()) {
        j["limit_metric"] = f.limit_metric;
        j["limit"] = f.limit;
        j["ratio"] = f.limit > 0 ? f.value / f.limit : 0.0;
      }
      for (const auto& [k, v] : f.extra.items()) j[k] = v;
      std::cout << j.dump() << "\n";
    } else {
      std::printf("%-18s %-34s %14.0f %-4s", f.bench.c_str(), f.metric.c_str(), f.value, f.unit.c_str());
      if (!f.limit_metric.empty())
        std::printf("  vs %-30s %14.0f  ratio %.3f", f.limit_metric.c_str(), f.limit,
                    f.limit > 0 ? f.value / f.limit : 0.0);
      if (f.extra.contains("goal")) std::printf("  (goal %s)", f.extra["goal"].dump().c_str());
      std::printf("\n");
    }
  }
}

}  // namespace causeway::app
