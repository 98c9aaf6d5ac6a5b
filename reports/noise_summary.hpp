// How noisy the host was during an experiment, so a reader knows whether to trust a tie: the
// coefficient of variation of the baseline's repetitions per objective, and what the agents'
// noise diagnosis saw (CPU of other processes, steal time) over every complete trial.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/objective.hpp"
#include "core/trial.hpp"

namespace nictune::report {

// A trial whose other processes used at least this share of one CPU counts as "busy".
inline constexpr double kBusyBackgroundPercent = 20;
// A baseline whose repetitions vary more than this (coefficient of variation) says the host's
// capacity moved during the run: differences of that order cannot be judged on it.
inline constexpr double kUnstableBaselineCv = 0.10;

// stddev / |mean| of a baseline series; none with fewer than 2 values or a mean of 0.
std::optional<double> variation(const std::vector<double>& series);
// Whether a baseline varying by `cv` on `metric` says the host was unstable: over
// kUnstableBaselineCv, on a metric that is not a ratio (a loss ratio near 0 has a large CV from a
// handful of packets: not the host's capacity). The report's note and `run`'s message both ask.
bool unstable_baseline(std::string_view metric, double cv);

struct NoiseSummary {
  std::map<std::string, double> baseline_cv;       // objective metric -> stddev / |mean| (n >= 2)
  std::map<std::string, std::size_t> baseline_n;   // the repetitions that CV is over
  std::size_t diagnosed_trials = 0;                // complete trials with a background figure
  double background_mean = 0, background_max = 0;  // % of one CPU (max over DUT and LG)
  std::size_t busy_trials = 0;                     // background >= kBusyBackgroundPercent
  double steal_mean = 0;                           // % (sum over CPUs)
  bool empty() const { return baseline_cv.empty() && diagnosed_trials == 0; }
  // "baseline CV rx_pps 3.1 %, dut_cpu_util 2.0 %; other processes used 12 % of a CPU on
  // average (max 48 %; 5 of 60 trials over 20 %); steal 0.0 %"
  std::string text() const;
  // The objectives whose baseline says the host was unstable (unstable_baseline).
  std::vector<std::string> unstable() const;
  // "" or the warning that the host was unstable: which baseline varied, by how much, what the
  // diagnosis saw (so whether the cause was visible on the host), and what that means.
  std::string unstable_text() const;
};

NoiseSummary summarize_noise(const std::vector<TrialRecord>& trials,
                             const std::vector<Objective>& objectives);

}  // namespace nictune::report
