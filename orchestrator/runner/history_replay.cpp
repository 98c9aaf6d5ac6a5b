#include "orchestrator/runner/history_replay.hpp"

namespace nictune {

std::vector<TrialRecord> replay_history(const std::vector<TrialRecord>& trials, Strategy& strategy,
                                        RunningTrials running) {
  std::vector<TrialRecord> held;
  for (const auto& t : trials) {
    if (t.baseline || is_interrupted(t.outcome)) continue;
    if (t.outcome.state == TrialState::kRunning && running == RunningTrials::kHold) {
      held.push_back(t);
      continue;
    }
    strategy.tell(t.point, t.outcome);
  }
  return held;
}

}  // namespace nictune
