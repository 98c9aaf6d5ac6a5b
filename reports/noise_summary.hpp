// How noisy the host was during an experiment, so a reader knows whether to trust a tie: the
// coefficient of variation of the baseline's repetitions per objective, and what the agents'
// noise diagnosis saw (CPU of other processes, steal time) over every complete trial.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/trial.hpp"
#include "strategies/strategy.hpp"

namespace nictune::report {

// A trial whose other processes used at least this share of one CPU counts as "busy".
inline constexpr double kBusyBackgroundPercent = 20;

struct NoiseSummary {
  std::map<std::string, double> baseline_cv;       // objective metric -> stddev / |mean| (n >= 2)
  std::size_t diagnosed_trials = 0;                // complete trials with a background figure
  double background_mean = 0, background_max = 0;  // % of one CPU (max over DUT and LG)
  std::size_t busy_trials = 0;                     // background >= kBusyBackgroundPercent
  double steal_mean = 0;                           // % (sum over CPUs)
  bool empty() const { return baseline_cv.empty() && diagnosed_trials == 0; }
  // "baseline CV rx_pps 3.1 %, dut_cpu_util 2.0 %; other processes used 12 % of a CPU on
  // average (max 48 %; 5 of 60 trials over 20 %); steal 0.0 %"
  std::string text() const;
};

NoiseSummary summarize_noise(const std::vector<TrialRecord>& trials,
                             const std::vector<Objective>& objectives);

}  // namespace nictune::report
