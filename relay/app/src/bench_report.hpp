// Benchmark output in the shape DESIGN.md §5 fixes: a readable table, or with --json one object per line:
// {"bench","metric","value","unit","limit_metric","limit","ratio","threads","n", ...extra}.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace causeway::app {

struct BenchFigure {
  std::string bench, metric, unit;
  double value = 0;
  std::string limit_metric;  // empty: the figure is itself a limit
  double limit = 0;
  int threads = 1;
  std::uint64_t n = 0;
  nlohmann::json extra = nlohmann::json::object();  // batch size, goal, runs, ...
};

// Prints the figures; `json` selects one JSON object per line.
void print_figures(const std::vector<BenchFigure>& figures, bool json);

// Median of a non-empty list (the middle value; mean of the two middle ones for even sizes).
double median(std::vector<double> v);

}  // namespace causeway::app
