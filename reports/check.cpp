#include "reports/check.hpp"

#include <cmath>

#include "core/text_util.hpp"
#include "reports/format.hpp"

namespace nictune::report {
namespace {

std::vector<double> values(const std::vector<TrialRecord>& trials, const std::string& metric,
                           std::size_t* complete) {
  std::vector<double> out;
  std::size_t n = 0;
  for (const auto& t : trials) {
    if (t.outcome.state != TrialState::kComplete) continue;
    ++n;
    auto it = t.outcome.metrics.find(metric);
    if (it != t.outcome.metrics.end()) out.push_back(it->second);
  }
  if (complete) *complete = n;
  return out;
}

std::string first_error(const std::vector<TrialRecord>& trials) {
  for (const auto& t : trials) {
    if (!t.outcome.error.empty()) return t.outcome.error;
  }
  return "";
}

}  // namespace

std::string to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::kGood:
      return "good";
    case Verdict::kBad:
      return "bad";
    case Verdict::kSkip:
      return "skip";
  }
  return "skip";
}

CheckVerdict judge_against_baseline(const std::vector<TrialRecord>& baseline_trials,
                                    const std::vector<TrialRecord>& new_trials,
                                    const std::vector<Objective>& objectives, double threshold,
                                    double alpha) {
  CheckVerdict v;
  std::size_t base_complete = 0, new_complete = 0;
  values(baseline_trials, "", &base_complete);
  values(new_trials, "", &new_complete);
  if (objectives.empty()) {
    v.reason = "the baseline experiment declares no objectives";
    return v;
  }
  if (base_complete == 0) {
    v.reason = "the baseline has no complete trial of this point";
    return v;
  }
  if (new_complete == 0) {
    const std::string error = first_error(new_trials);
    v.reason = "could not measure: " + (error.empty() ? std::string("no complete trial") : error);
    return v;
  }
  const CompareOptions options{threshold, alpha};
  std::vector<std::string> bad, untested;
  for (const auto& o : objectives) {
    const auto a = values(baseline_trials, o.metric, nullptr);
    const auto b = values(new_trials, o.metric, nullptr);
    if (a.empty()) continue;  // the baseline never had it: nothing to hold the new run to
    if (b.empty()) {
      v.verdict = Verdict::kSkip;
      v.reason = "could not measure " + o.metric + " (the baseline did)";
      return v;
    }
    auto c = compare_samples(o, a, b, options);
    if (!c.tested) {
      untested.push_back(o.metric);
      c.regression = std::isfinite(c.worse_by) ? c.worse_by > threshold : c.worse_by > 0;
    }
    if (c.regression) {
      bad.push_back(o.metric + " " + format_percent(c.relative) + " (" + format_summary(c.a) +
                    " -> " + format_summary(c.b) +
                    (c.tested ? ", Welch p " + format_p(c.welch_p) : "") + ")");
    }
    v.objectives.push_back(c);
  }
  char limit[32];
  std::snprintf(limit, sizeof limit, "%.4g%%", threshold * 100);
  v.verdict = bad.empty() ? Verdict::kGood : Verdict::kBad;
  v.reason = bad.empty() ? "no objective worse than the baseline by more than " + std::string(limit)
                         : "worse than the baseline by more than " + std::string(limit) + ": " +
                               join(bad, "; ");
  if (!untested.empty()) {
    v.reason +=
        " (fewer than 2 repetitions for " + join(untested, ", ") + ": judged on the means alone)";
  }
  return v;
}

}  // namespace nictune::report
