#include "orchestrator/runner/screening_gate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace nictune {
namespace {

std::string brief(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4g", v);
  return buffer;
}

}  // namespace

std::string ScreeningGate::judge(const std::map<std::string, double>& metrics) {
  screened_.push_back(metrics);
  if (screened_.size() <= static_cast<std::size_t>(spec_.min_points)) return "";
  std::string why;
  for (const auto& objective : objectives_) {
    auto mine = metrics.find(objective.metric);
    if (mine == metrics.end() || !std::isfinite(mine->second)) continue;
    std::vector<double> values;
    for (const auto& m : screened_) {
      auto it = m.find(objective.metric);
      if (it != m.end() && std::isfinite(it->second)) values.push_back(it->second);
    }
    const bool max = objective.goal == Goal::kMaximize;
    std::sort(values.begin(), values.end(),
              [max](double a, double b) { return max ? a > b : a < b; });
    const auto kept = static_cast<std::size_t>(
        std::max(1.0, std::ceil(spec_.keep * static_cast<double>(values.size()))));
    const double bound = values[kept - 1];
    if (max ? mine->second >= bound : mine->second <= bound) return "";  // good enough here
    if (!why.empty()) why += ", ";
    why += objective.metric + " " + brief(mine->second) + " (the best " + std::to_string(kept) +
           " reach " + (max ? ">= " : "<= ") + brief(bound) + ")";
  }
  if (why.empty()) return "";  // no objective measured: nothing to judge by
  return "screened out after " + brief(spec_.duration_s) + " s: not among the best " +
         brief(spec_.keep * 100) + " % of " + std::to_string(screened_.size()) +
         " screened points on any objective: " + why;
}

}  // namespace nictune
