// What one evaluation of one point produced. Shared by the runner, the store, strategies
// (as history) and reports.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "core/json_util.hpp"

namespace nictune {

enum class TrialState { kRunning, kComplete, kFailed, kPruned };

std::string to_string(TrialState state);
std::optional<TrialState> trial_state_from_string(const std::string& text);

struct Outcome {
  TrialState state = TrialState::kComplete;
  std::map<std::string, double> metrics;  // metric name -> value
  std::string error;                      // why it failed / was pruned
  // Raw material behind the metrics: counter deltas (per-CPU, per-IRQ, softnet), the load
  // tool's own result, per-second intervals. Reports draw heat maps and time series from it.
  Json details = Json::object();
};

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
