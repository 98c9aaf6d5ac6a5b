// The rate search: the highest offered rate whose loss meets a criterion (NDR/PDR), to a relative
// precision, in the manner of FD.io CSIT's MLRsearch: phases whose trial durations grow
// geometrically from a short one to the full duration, each narrowing the interval to a width
// goal that halves from phase to phase, so most trials are short and only the last phase pays for
// full-length trials. A pure algorithm over a measure callback, so the runner drives real load
// with it and the tests and tests/bench drive simulated links.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/json_util.hpp"
#include "core/rate_search_spec.hpp"

namespace nictune {

// What one trial at an offered rate saw, counted over its measured window.
struct RateMeasurement {
  std::uint64_t sent = 0;
  std::uint64_t received = 0;
  double duration_s = 0;  // the measured window as the generator timed it
};

struct RateStep {
  int phase = 0;
  double offered_pps = 0;
  double duration_s = 0;  // requested
  RateMeasurement measured;
  double loss_ratio = 0;
  bool passed = false;
  std::string reason;  // why it failed ("" when it passed)
  Json to_json() const;
};

struct RateSearchResult {
  double rate_pps = 0;    // highest rate that passed at the full duration; 0 when none did
  double upper_pps = 0;   // lowest rate that failed (0: none failed, the result is max_pps)
  bool complete = false;  // the final width goal was met (or max_pps passed, or min_pps failed)
  int result_step = -1;   // index in steps of the trial that established rate_pps
  std::vector<RateStep> steps;
  double trial_seconds() const;  // sum of the requested durations
  Json to_json() const;
};

using RateMeasureFn = std::function<RateMeasurement(double offered_pps, double duration_s)>;

// The trial durations of each phase: initial_trial_s to full_duration_s, geometric; whole seconds
// when the tool only takes whole seconds.
std::vector<double> phase_durations(const RateSearchSpec& spec, double full_duration_s,
                                    bool whole_seconds);

// Judges one trial: the loss criterion, and the generator must have offered what was asked
// (within half the precision), else the rate was never really tried.
RateStep judge_step(const RateSearchSpec& spec, int phase, double offered_pps, double duration_s,
                    const RateMeasurement& measured);

// Runs the search. `measure` may throw; the exception propagates (the trial fails).
RateSearchResult run_rate_search(const RateSearchSpec& spec, double full_duration_s,
                                 bool whole_seconds, const RateMeasureFn& measure);

}  // namespace nictune
