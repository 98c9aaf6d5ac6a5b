#include "orchestrator/runner/external_loop.hpp"

#include <map>
#include <set>

#include "core/errors.hpp"
#include "core/metrics.hpp"
#include "core/text_util.hpp"
#include "orchestrator/runner/history_replay.hpp"
#include "orchestrator/spec/experiment_spec.hpp"

namespace nictune {

std::vector<AskedPoint> ask_points(Store& store, std::int64_t experiment, std::size_t n) {
  auto record = store.experiment(experiment);
  if (!record) throw invalid("no experiment " + std::to_string(experiment) + " in the database");
  ExperimentSpec spec = parse_spec(record->spec, "experiment " + std::to_string(experiment));
  auto strategy = make_strategy(spec.strategy, spec.strategy_config());
  const std::vector<TrialRecord> trials = store.trials(experiment);
  std::map<std::int64_t, int> trials_per_point;
  for (const auto& t : trials) ++trials_per_point[t.point_id];
  std::set<std::string> pending;
  for (const auto& t : replay_history(trials, *strategy, RunningTrials::kHold))
    pending.insert(canonical_text(t.point));
  std::vector<AskedPoint> out;
  for (const auto& p : strategy->ask(n + pending.size())) {
    if (out.size() >= n) break;
    Point canonical = spec.space.canonicalize(p);
    if (pending.count(canonical_text(canonical))) continue;
    AskedPoint asked;
    asked.point = canonical;
    asked.point_id = store.intern_point(experiment, canonical);
    asked.trial_id = store.begin_trial(experiment, asked.point_id,
                                       trials_per_point[asked.point_id]++, false, "external");
    out.push_back(asked);
  }
  return out;
}

std::int64_t tell_point(Store& store, std::int64_t point_id, const Outcome& outcome) {
  for (const auto& [name, value] : outcome.metrics) {
    if (!find_metric(name)) {
      throw invalid("metrics." + name + ": unknown metric" + did_you_mean(name, metric_names()) +
                    "; `nictune metrics` lists them");
    }
  }
  std::optional<TrialRecord> open;
  std::int64_t experiment = 0;
  int repetitions = 0;
  for (const auto& e : store.experiments()) {
    for (const auto& t : store.trials(e.id)) {
      if (t.point_id != point_id) continue;
      experiment = e.id;
      ++repetitions;
      if (t.outcome.state == TrialState::kRunning && !open) open = t;
    }
  }
  if (!experiment) {
    auto point = store.point(point_id);
    if (!point) throw invalid("--point: no point " + std::to_string(point_id) + " in the database");
    throw invalid("--point " + std::to_string(point_id) +
                  " has no trials; `nictune ask` hands out points");
  }
  std::int64_t trial =
      open ? open->id : store.begin_trial(experiment, point_id, repetitions, false, "external");
  store.finish_trial(trial, outcome);
  return trial;
}

}  // namespace nictune
