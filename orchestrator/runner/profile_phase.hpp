// After the search (spec "profile"): the best configurations and the baseline measured once
// more on the first bench with the DUT's CPUs sampled by perf, each stored as a profile trial
// (Store::record_profile_trial), apart from the search's trials so their statistics stay clean.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/trial.hpp"
#include "orchestrator/runner/progress.hpp"
#include "orchestrator/runner/trial_executor.hpp"
#include "orchestrator/spec/experiment_spec.hpp"
#include "orchestrator/store/store.hpp"

namespace nictune {

// The `count` best points among `trials`: complete, every objective measured, every outcome
// constraint met on the means; ordered by Pareto rank over the objective means, then by the
// first objective, except that `recommended` (the point the report recommends) comes first when
// it is among them. The baseline is never among them. Point ids, best first.
std::vector<std::int64_t> points_to_profile(const std::vector<TrialRecord>& trials,
                                            const ExperimentSpec& spec, int count,
                                            std::optional<std::int64_t> recommended = {});

// The point the report of `experiment` recommends (reports/report_best.cpp: among those that
// measure the same as the first front row, the fewest changes); none when there is none or the
// report cannot be built.
std::optional<std::int64_t> recommended_point(Store& store, std::int64_t experiment);

// Runs and stores the profile trials: the baseline first (if the spec measures one), then each
// chosen point. A failed profile (perf refused, missing) is stored with its reason and reported
// through `progress`; it never fails the experiment. Stops early when `interrupted`.
void run_profiles(BenchSession& bench, const ExperimentSpec& spec, Store& store,
                  std::int64_t experiment, Progress& progress,
                  const std::atomic<bool>& interrupted);

}  // namespace nictune
