#include "reports/noise_summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/metrics.hpp"
#include "core/statistics.hpp"
#include "core/workload_variant.hpp"

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

std::optional<double> variation(const std::vector<double>& series) {
  const double m = stats::mean(series), sd = stats::stddev(series);
  if (series.size() < 2 || m == 0 || !std::isfinite(sd)) return std::nullopt;
  return sd / std::fabs(m);
}

bool unstable_baseline(std::string_view metric, double cv) {
  return cv > kUnstableBaselineCv && metric_range(metric).hi > 1;
}

std::vector<std::string> NoiseSummary::unstable() const {
  std::vector<std::string> out;
  for (const auto& [metric, cv] : baseline_cv) {
    if (unstable_baseline(metric, cv)) out.push_back(metric);
  }
  return out;
}

std::string NoiseSummary::unstable_text() const {
  const auto metrics = unstable();
  if (metrics.empty()) return "";
  std::string out = "host unstable: the baseline's";
  bool first = true;
  for (const std::string& metric : metrics) {
    out += (first ? " " : ", ") + metric + " varied " + percent_text(baseline_cv.at(metric) * 100) +
           " (CV over " + std::to_string(baseline_n.at(metric)) + " measurements)";
    first = false;
  }
  const bool quiet = diagnosed_trials > 0 && background_mean < kBusyBackgroundPercent &&
                     steal_mean < kBusyBackgroundPercent;
  if (quiet) {
    out +=
        " while other processes and steal stayed low, so the cause is outside what this host "
        "sees (the hypervisor's CPU placement, a neighbour on shared caches, power limits)";
  } else if (diagnosed_trials > 0) {
    out += " while other processes or the hypervisor took CPU time (above)";
  }
  out +=
      "; differences of that size cannot be judged on this host: repeat on a quieter host, "
      "or with longer trials and more repetitions";
  return out;
}

NoiseSummary summarize_noise(const std::vector<TrialRecord>& trials,
                             const std::vector<Objective>& objectives) {
  NoiseSummary s;
  // Per workload variant: baselines at two packet sizes differ by design, not by noise.
  std::map<std::pair<std::string, std::string>, std::vector<double>> baseline;
  double background_sum = 0, steal_sum = 0;
  for (const auto& t : trials) {
    if (t.outcome.state != TrialState::kComplete) continue;
    if (t.baseline) {
      for (const auto& o : objectives) {
        auto it = t.outcome.metrics.find(o.metric);
        if (it != t.outcome.metrics.end())
          baseline[{o.metric, workload_variant(t.point).dump()}].push_back(it->second);
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
  for (const auto& [key, xs] : baseline) {
    const auto v = variation(xs);
    if (!v) continue;
    double& cv = s.baseline_cv.try_emplace(key.first, 0.0).first->second;
    if (*v >= cv) {  // the noisiest variant
      cv = *v;
      s.baseline_n[key.first] = xs.size();
    }
  }
  if (s.diagnosed_trials > 0) {
    s.background_mean = background_sum / static_cast<double>(s.diagnosed_trials);
    s.steal_mean = steal_sum / static_cast<double>(s.diagnosed_trials);
  }
  return s;
}

}  // namespace nictune::report
