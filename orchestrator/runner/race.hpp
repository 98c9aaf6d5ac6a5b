// Racing repetitions (F-race / irace style): after every configuration has its minimum
// repetitions, more go only where they can change the answer. Each round gives one repetition to
// every configuration still in the race - the baseline and the configurations not beaten beyond
// noise - until each is separated from the others beyond noise, reaches the target precision or
// its cap, or the experiment's trial budget is spent. A configuration beaten beyond noise
// (another dominates it on the means and is better with Welch p < alpha on some objective, both
// with enough repetitions to judge) gets no more.
//
// The decision is a pure function of the complete trials, so a resumed run derives the race
// state from the store and continues where it stopped.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "orchestrator/spec/experiment_spec.hpp"

namespace nictune {

struct RaceEntry {
  std::int64_t point_id = 0;
  bool baseline = false;
  std::vector<std::map<std::string, double>> complete;  // metrics of the complete trials
  bool failed = false;                                  // a repetition failed: out of the race
};

enum class RaceStanding {
  kRacing,     // gets another repetition this round
  kSeparated,  // beyond noise from every other contender
  kPrecise,    // its CIs are within the target precision: more repetitions would not separate it
  kCapped,     // reached the maximum repetitions
  kBeaten,     // dominated beyond noise: no more repetitions
  kOut,        // failed or never completed
};
std::string to_string(RaceStanding standing);

struct RaceRound {
  // The configurations to repeat this round, most important first (the baseline, then the
  // configurations by their first objective's mean, best first), already cut to the budget left.
  std::vector<std::int64_t> next;
  std::map<std::int64_t, RaceStanding> standings;
  bool budget_exhausted = false;  // some wanted a repetition the budget no longer allowed
};

class Race {
 public:
  Race(RepetitionSpec spec, std::vector<Objective> objectives, double alpha = 0.05);
  // spec.baseline_every > 0: the baseline is repeated in every round that repeats any
  // configuration, however precise its first repetitions looked.

  // trials_used: every trial the experiment has stored so far (complete, failed or pruned).
  RaceRound next_round(const std::vector<RaceEntry>& entries, int trials_used) const;

  // Did `a` beat `b` beyond noise? (a dominates b on the means, significantly on one objective.)
  bool beats(const RaceEntry& a, const RaceEntry& b) const;
  // Are a and b significantly different on at least one objective?
  bool separated(const RaceEntry& a, const RaceEntry& b) const;
  // Every objective's 95 % CI half-width within precision x |mean|.
  bool precise(const RaceEntry& e) const;

 private:
  RepetitionSpec spec_;
  std::vector<Objective> objectives_;
  double alpha_;
};

}  // namespace nictune
