#include "core/rate_search.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace nictune {
namespace {

constexpr double kNone = std::numeric_limits<double>::infinity();
constexpr double kEps = 1e-9;

// What the measurements so far say at one trial duration. A failure at any duration is an upper
// bound (a longer trial only has more chances to lose), a pass counts only when its trial was at
// least as long as the phase's: a short trial that passed may still lose over a longer one.
struct Bounds {
  double lo = 0;
  int lo_step = -1;
  double hi = kNone;
  int hi_step = -1;
  bool has_lo() const { return lo_step >= 0; }
  bool has_hi() const { return hi_step >= 0; }
};

Bounds bounds_at(const std::vector<RateStep>& steps, double duration_s) {
  Bounds b;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (!steps[i].passed && steps[i].offered_pps < b.hi) {
      b.hi = steps[i].offered_pps;
      b.hi_step = static_cast<int>(i);
    }
  }
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const RateStep& s = steps[i];
    if (s.passed && s.duration_s >= duration_s * (1 - kEps) && s.offered_pps < b.hi &&
        (!b.has_lo() || s.offered_pps > b.lo)) {
      b.lo = s.offered_pps;
      b.lo_step = static_cast<int>(i);
    }
  }
  return b;
}

// The highest pass below the upper bound from a shorter phase: re-measured first in a new phase.
int stale_lower(const std::vector<RateStep>& steps, double hi) {
  int best = -1;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (steps[i].passed && steps[i].offered_pps < hi &&
        (best < 0 || steps[i].offered_pps > steps[best].offered_pps)) {
      best = static_cast<int>(i);
    }
  }
  return best;
}

std::string percent_text(double ratio) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g %%", ratio * 100);
  return text;
}

}  // namespace

Json RateStep::to_json() const {
  Json out{{"phase", phase},
           {"offered_pps", offered_pps},
           {"duration_s", duration_s},
           {"measured_s", measured.duration_s},
           {"sent", measured.sent},
           {"received", measured.received},
           {"lost", measured.sent > measured.received ? measured.sent - measured.received : 0},
           {"loss_ratio", loss_ratio},
           {"passed", passed}};
  if (!reason.empty()) out["reason"] = reason;
  return out;
}

double RateSearchResult::trial_seconds() const {
  double total = 0;
  for (const auto& s : steps) total += s.duration_s;
  return total;
}

Json RateSearchResult::to_json() const {
  Json steps_json = Json::array();
  for (const auto& s : steps) steps_json.push_back(s.to_json());
  return Json{{"rate_pps", rate_pps},
              {"upper_pps", upper_pps},
              {"complete", complete},
              {"result_step", result_step},
              {"trial_seconds", trial_seconds()},
              {"steps", std::move(steps_json)}};
}

std::vector<double> phase_durations(const RateSearchSpec& spec, double full_duration_s,
                                    bool whole_seconds) {
  const double first = std::min(spec.initial_trial_s, full_duration_s);
  std::vector<double> out;
  for (int i = 0; i < spec.phases; ++i) {
    double d = spec.phases == 1 ? full_duration_s
                                : first * std::pow(full_duration_s / first,
                                                   static_cast<double>(i) / (spec.phases - 1));
    if (i == spec.phases - 1) d = full_duration_s;
    if (whole_seconds) d = std::max(1.0, std::round(d));
    out.push_back(d);
  }
  return out;
}

RateStep judge_step(const RateSearchSpec& spec, int phase, double offered_pps, double duration_s,
                    const RateMeasurement& m) {
  RateStep step;
  step.phase = phase;
  step.offered_pps = offered_pps;
  step.duration_s = duration_s;
  step.measured = m;
  const std::uint64_t lost = m.sent > m.received ? m.sent - m.received : 0;
  step.loss_ratio = m.sent ? static_cast<double>(lost) / static_cast<double>(m.sent) : 0.0;
  const double window = m.duration_s > 0 ? m.duration_s : duration_s;
  const double asked = offered_pps * window;
  if (m.sent == 0) {
    step.reason = "the generator sent nothing";
  } else if (static_cast<double>(m.sent) < asked * (1 - spec.precision / 2)) {
    // A rate the generator could not offer was never tried: counting it as a pass would report
    // the generator's limit as the DUT's.
    step.reason = "the generator sent " + std::to_string(m.sent) + " of the " +
                  std::to_string(std::llround(asked)) + " packets the rate asks for";
  } else if (spec.criterion == LossCriterion::kNdr ? lost > 0 : step.loss_ratio > spec.loss_ratio) {
    step.reason = "loss " + percent_text(step.loss_ratio) + " (" + std::to_string(lost) +
                  " packets) above " + percent_text(spec.loss_ratio);
  }
  step.passed = step.reason.empty();
  return step;
}

RateSearchResult run_rate_search(const RateSearchSpec& spec, double full_duration_s,
                                 bool whole_seconds, const RateMeasureFn& measure) {
  RateSearchResult result;
  std::vector<RateStep>& steps = result.steps;
  const std::vector<double> durations = phase_durations(spec, full_duration_s, whole_seconds);
  const int phases = static_cast<int>(durations.size());
  bool finished = false;  // min_pps failed: nothing lower to try
  bool out_of_trials = false;
  for (int phase = 0; phase < phases && !finished && !out_of_trials; ++phase) {
    const double d = durations[phase];
    // Earlier phases only need a coarser interval: it is where the next, longer phase starts.
    const double goal = spec.precision * std::pow(2.0, phases - 1 - phase);
    // Consecutive passes (moving up) or failures (moving down) in this phase: each further step
    // the same way doubles its size, so a far-off limit is reached in logarithmically many.
    int ups = 0, downs = 0;
    bool used_hint = false;  // the received rate of a failure was tried once in this phase
    auto stride = [&](int streak) { return goal * std::pow(2.0, std::max(0, streak - 1)); };
    while (true) {
      if (static_cast<int>(steps.size()) >= spec.max_trials) {
        out_of_trials = true;
        break;
      }
      const Bounds b = bounds_at(steps, d);
      if (b.has_hi() && b.hi <= spec.min_pps * (1 + kEps)) {
        finished = true;
        break;
      }
      if (b.has_lo() && b.lo >= spec.max_pps * (1 - kEps)) break;
      if (b.has_lo() && b.has_hi() && (b.hi - b.lo) / b.hi <= goal + kEps) break;

      double candidate = 0;
      bool hinted = false;
      if (!b.has_lo()) {
        const int stale = stale_lower(steps, b.hi);
        if (stale >= 0) {
          candidate = steps[static_cast<std::size_t>(stale)].offered_pps;
        } else if (!b.has_hi()) {
          candidate = spec.max_pps;
        } else {
          candidate = b.hi * (1 - std::min(0.5, stride(downs)));
          // What got through the failing trial estimates the limit (a policer passes its rate,
          // a saturated DUT what it can): jumping there once saves the walk down from a far-off
          // upper bound.
          const RateStep& failed = steps[static_cast<std::size_t>(b.hi_step)];
          const double window =
              failed.measured.duration_s > 0 ? failed.measured.duration_s : failed.duration_s;
          const double through =
              static_cast<double>(failed.measured.received) / window / (1 - spec.loss_ratio);
          if (!used_hint && through > 0 && through < candidate) {
            candidate = through;
            hinted = true;
          }
          candidate = std::max(candidate, spec.min_pps);
        }
      } else if (!b.has_hi()) {
        candidate = std::min(spec.max_pps, b.lo * (1 + std::min(1.0, stride(ups))));
      } else {
        const double width = (b.hi - b.lo) / b.hi;
        if (width <= 2 * goal * (1 + 1e-6)) {  // the previous phase may leave exactly 2x
          // The candidate that meets the goal exactly if it passes.
          candidate = b.hi * (1 - goal);
        } else {
          // Bisect, but stay near the last result: after a pass or a failure the limit is
          // usually close to it (the first trials jump to where the traffic got through).
          candidate = (b.lo + b.hi) / 2;
          if (ups > 0) candidate = std::min(candidate, b.lo * (1 + stride(ups)));
          if (downs > 0) candidate = std::max(candidate, b.hi * (1 - stride(downs)));
        }
      }

      RateStep step = judge_step(spec, phase, candidate, d, measure(candidate, d));
      used_hint = used_hint || hinted;
      ups = step.passed ? ups + 1 : 0;
      downs = step.passed ? 0 : downs + 1;
      steps.push_back(std::move(step));
    }
  }
  const Bounds final_bounds = bounds_at(steps, durations.back());
  result.rate_pps = final_bounds.has_lo() ? final_bounds.lo : 0;
  result.result_step = final_bounds.lo_step;
  result.upper_pps = final_bounds.has_hi() ? final_bounds.hi : 0;
  result.complete =
      finished || (final_bounds.has_lo() && final_bounds.lo >= spec.max_pps * (1 - kEps)) ||
      (final_bounds.has_lo() && final_bounds.has_hi() &&
       (final_bounds.hi - final_bounds.lo) / final_bounds.hi <= spec.precision + kEps);
  return result;
}

}  // namespace nictune
