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

bool is_interrupted(const Outcome& outcome) {
  return outcome.state == TrialState::kFailed && outcome.failure == FailureKind::kInterrupted;
}

void mark_interrupted(Outcome& outcome) {
  if (outcome.state != TrialState::kFailed || is_interrupted(outcome)) return;
  outcome.failure = FailureKind::kInterrupted;
  outcome.error = std::string(kInterruptedPrefix) + outcome.error;
}

namespace {
// The runner's old text checks matched the bare word; rows they wrote all start with it.
constexpr std::string_view kInterruptedWord = kInterruptedPrefix.substr(0, 11);
}  // namespace

std::string error_as_stored(const Outcome& outcome) {
  if (!is_interrupted(outcome) || outcome.error.starts_with(kInterruptedWord)) return outcome.error;
  return std::string(kInterruptedPrefix) + outcome.error;
}

FailureKind failure_kind_of_stored_error(std::string_view error) {
  return error.starts_with(kInterruptedWord) ? FailureKind::kInterrupted : FailureKind::kError;
}

}  // namespace nictune
