// What one evaluation of one point produced. Shared by the runner, the store, strategies
// (as history) and reports.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/json_util.hpp"

namespace nictune {

enum class TrialState { kRunning, kComplete, kFailed, kPruned };

std::string to_string(TrialState state);
std::optional<TrialState> trial_state_from_string(const std::string& text);

// Why a failed trial failed. kError: the configuration or its measurement failed, which says
// something about the point. kInterrupted: the run stopped under the trial (Ctrl-C, a heartbeat
// gone stale), which says nothing about the point: it is run again on --resume and never told to
// a strategy. A kind of failure rather than a TrialState of its own because a strategy's history
// only distinguishes what it can learn from (complete, failed, pruned, running).
enum class FailureKind { kError, kInterrupted };

// The words an interrupted trial's error starts with, as shown and as stored: the store keeps no
// column of its own for the kind, so databases of every version read back the same way.
inline constexpr std::string_view kInterruptedPrefix = "interrupted: ";

struct Outcome {
  TrialState state = TrialState::kComplete;
  std::map<std::string, double> metrics;  // metric name -> value
  std::string error;                      // why it failed / was pruned
  // Raw material behind the metrics: counter deltas (per-CPU, per-IRQ, softnet), the load
  // tool's own result, per-second intervals. Reports draw heat maps and time series from it.
  Json details = Json::object();
  FailureKind failure = FailureKind::kError;  // meaningful when state is kFailed
};

// A failed trial the run was stopped under (see FailureKind).
bool is_interrupted(const Outcome& outcome);

// Turns a failed outcome into an interrupted one; its error then says so first. Other states are
// left as they are: a trial that completed before the stop counts.
void mark_interrupted(Outcome& outcome);

// The store's encoding of the kind in its error column, both ways: the error to write (prefixed
// when interrupted) and the kind of an error read back.
std::string error_as_stored(const Outcome& outcome);
FailureKind failure_kind_of_stored_error(std::string_view error);

struct TrialRecord {
  std::int64_t id = 0;
  std::int64_t experiment_id = 0;
  std::int64_t point_id = 0;
  Json point = Json::object();  // canonical configuration
  std::string point_hash;
  bool baseline = false;  // the host's original settings
  int repetition = 0;
  std::string bench;      // which DUT/LG pair ran it
  double started_at = 0;  // unix seconds
  double ended_at = 0;
  Outcome outcome;
};

}  // namespace nictune
