// Replaying stored trials into a strategy: one rule for `run` (a resumed experiment) and `ask`
// (an external tester's next points), so both hear the same history.
#pragma once

#include <vector>

#include "core/trial.hpp"
#include "strategies/strategy.hpp"

namespace nictune {

// What the replay does with a trial still being measured. `run` tells it, so the strategy counts
// its point as taken (after recovery only trials handed out by `ask` can still be running); `ask`
// holds it back and returns it, because the tester measuring it will tell its result.
enum class RunningTrials { kTell, kHold };

// Tells `strategy`, in store order, every trial that says something about its point: not the
// baseline (the host as found, outside the space), not an interrupted one (it is run again).
// Returns the running trials held back (none with RunningTrials::kTell).
std::vector<TrialRecord> replay_history(const std::vector<TrialRecord>& trials, Strategy& strategy,
                                        RunningTrials running);

}  // namespace nictune
