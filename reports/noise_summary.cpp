#include "reports/noise_summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/statistics.hpp"

namespace nictune::report {
namespace {

std::string percent_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %%", v);
  return buf;
}

}  // namespace

std::string NoiseSummary::text() const {
  std::string out;
  if (!baseline_cv.empty()) {
    out = "baseline CV";
    bool first = true;
    for (const auto& [metric, cv] : baseline_cv) {
      out += (first ? " " : ", ") + metric + " " + percent_text(cv * 100);
      first = false;
    }
  }
  if (diagnosed_trials > 0) {
    if (!out.empty()) out += "; ";
    out += "other processes used " + percent_text(background_mean) + " of a CPU on average (max " +
           percent_text(background_max) + "; " + std::to_string(busy_trials) + " of " +
           std::to_string(diagnosed_trials) + " trials over " +
           percent_text(kBusyBackgroundPercent) + "); steal " + percent_text(steal_mean);
  }
  return out;
}

NoiseSummary summarize_noise(const std::vector<TrialRecord>& trials,
                             const std::vector<Objective>& objectives) {
  NoiseSummary s;
  std::map<std::string, std::vector<double>> baseline;
  double background_sum = 0, steal_sum = 0;
  for (const auto& t : trials) {
    if (t.outcome.state != TrialState::kComplete) continue;
    if (t.baseline) {
      for (const auto& o : objectives) {
        auto it = t.outcome.metrics.find(o.metric);
        if (it != t.outcome.metrics.end()) baseline[o.metric].push_back(it->second);
      }
    }
    // DUT and LG may share a host and then see the same background: the larger one counts.
    bool diagnosed = false;
    double background = 0, steal = 0;
    for (const auto& [name, value] : t.outcome.metrics) {
      if (name.ends_with("_background_cpu_util")) {
        diagnosed = true;
        background = std::max(background, value);
      }
      if (name.ends_with("_steal_util")) steal = std::max(steal, value);
    }
    if (!diagnosed) continue;
    ++s.diagnosed_trials;
    background_sum += background;
    steal_sum += steal;
    s.background_max = std::max(s.background_max, background);
    if (background >= kBusyBackgroundPercent) ++s.busy_trials;
  }
  for (const auto& [metric, xs] : baseline) {
    const double m = stats::mean(xs), sd = stats::stddev(xs);
    if (xs.size() >= 2 && m != 0 && std::isfinite(sd)) s.baseline_cv[metric] = sd / std::fabs(m);
  }
  if (s.diagnosed_trials > 0) {
    s.background_mean = background_sum / static_cast<double>(s.diagnosed_trials);
    s.steal_mean = steal_sum / static_cast<double>(s.diagnosed_trials);
  }
  return s;
}

}  // namespace nictune::report
