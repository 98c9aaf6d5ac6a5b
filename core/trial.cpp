#include "core/trial.hpp"

namespace nictune {

std::string to_string(TrialState state) {
  switch (state) {
    case TrialState::kRunning:
      return "running";
    case TrialState::kComplete:
      return "complete";
    case TrialState::kFailed:
      return "failed";
    case TrialState::kPruned:
      return "pruned";
  }
  return "failed";
}

std::optional<TrialState> trial_state_from_string(const std::string& text) {
  for (auto s :
       {TrialState::kRunning, TrialState::kComplete, TrialState::kFailed, TrialState::kPruned}) {
    if (to_string(s) == text) return s;
  }
  return std::nullopt;
}

}  // namespace nictune
