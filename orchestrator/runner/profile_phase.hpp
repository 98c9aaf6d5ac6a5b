// After the search (spec "profile"): the best configurations and the baseline measured once
// more on the first bench with the DUT's CPUs sampled by perf, each stored as a profile trial
// (Store::record_profile_trial), apart from the search's trials so their statistics stay clean.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "core/trial.hpp"
#include "orchestrator/runner/progress.hpp"
#include "orchestrator/runner/trial_executor.hpp"
#include "orchestrator/spec/experiment_spec.hpp"
#include "orchestrator/store/store.hpp"

namespace nictune {

// The `count` best points among `trials`: complete, every objective measured, every outcome
// constraint met on the means; ordered by Pareto rank over the objective means, then by the
// first objective. The baseline is never among them. Point ids, best first.
std::vector<std::int64_t> points_to_profile(const std::vector<TrialRecord>& trials,
                                            const ExperimentSpec& spec, int count);

// Runs and stores the profile trials: the baseline first (if the spec measures one), then each
// chosen point. A failed profile (perf refused, missing) is stored with its reason and reported
// through `progress`; it never fails the experiment. Stops early when `interrupted`.
void run_profiles(BenchSession& bench, const ExperimentSpec& spec, Store& store,
                  std::int64_t experiment, Progress& progress,
                  const std::atomic<bool>& interrupted);

}  // namespace nictune
