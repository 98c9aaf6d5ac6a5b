// What an experiment will do before it does it: the resolved space, how many points a grid has,
// the strategy's first proposals and an estimate of the time it takes. `nictune run --dry-run`
// prints it; the runner uses the same numbers for its ETA.
#pragma once

#include <ostream>

#include "orchestrator/spec/experiment_spec.hpp"

namespace nictune {

struct RunPlan {
  std::uint64_t grid_points = 0;
  std::uint64_t points = 0;  // what the strategy may evaluate: min(budget, grid) for grid
  int repetitions_min = 1;
  int repetitions_max = 1;
  int baseline_trials = 0;
  // Racing: the experiment's trial budget (the spec's, or the default) and the trials at least
  // and at worst (every configuration and the baseline racing to max, or the budget).
  int race_budget = 0;
  std::uint64_t trials_min = 0, trials_max = 0;
  double seconds_per_trial = 0;  // warm-up + duration + settle + overhead
  double estimated_seconds_min = 0;
  double estimated_seconds_max = 0;
  std::vector<Point> first_points;  // the strategy's first proposals
};

// The race's budget: the spec's "repetitions.budget", or 2 x the trials of the minimum plan
// (every point and the baseline at min, one closing baseline trial).
int race_budget(const ExperimentSpec& spec, std::uint64_t points);
// The race's baseline trials between the first pass's configuration trials
// (repetitions.baseline_every; 0 without a race or a baseline).
std::uint64_t interleaved_baselines(const ExperimentSpec& spec, std::uint64_t points);

RunPlan plan_run(const ExperimentSpec& spec, std::size_t preview = 5);
void print_plan(const ExperimentSpec& spec, const RunPlan& plan, std::ostream& out);

// warm-up + duration of the workload, in seconds (defaults when the spec leaves them out).
double workload_seconds(const Json& workload);

}  // namespace nictune
