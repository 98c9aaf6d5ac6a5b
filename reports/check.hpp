// The verdict of `nictune check` for `git bisect run`: one configuration measured now against
// the same configuration in a baseline experiment. Exit 0 good, 1 bad (significantly worse than
// the baseline by more than the threshold), 125 skip (this revision could not be measured).
#pragma once

#include <string>
#include <vector>

#include "core/trial.hpp"
#include "reports/compare.hpp"

namespace nictune::report {

enum class Verdict { kGood, kBad, kSkip };

struct CheckVerdict {
  Verdict verdict = Verdict::kSkip;
  // Per objective, baseline as A and the new measurement as B.
  std::vector<ObjectiveComparison> objectives;
  std::string reason;  // one line: why bad / why skipped / "no objective worse by more than 5%"
  int exit_code() const {
    return verdict == Verdict::kGood ? 0 : verdict == Verdict::kBad ? 1 : 125;
  }
};

// Only complete trials count. Skip when either side has no complete trial or the new trials did
// not measure an objective. Bad when an objective is significantly worse (Welch p < alpha) by
// more than `threshold` (relative to the baseline's mean). With fewer than 2 repetitions on a
// side no test is possible: the means alone decide, and the reason says so.
CheckVerdict judge_against_baseline(const std::vector<TrialRecord>& baseline_trials,
                                    const std::vector<TrialRecord>& new_trials,
                                    const std::vector<Objective>& objectives, double threshold,
                                    double alpha = 0.05);

std::string to_string(Verdict verdict);  // "good", "bad", "skip"

}  // namespace nictune::report
