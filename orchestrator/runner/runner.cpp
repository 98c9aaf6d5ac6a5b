#include "orchestrator/runner/runner.hpp"

#include <algorithm>

#include "core/workload_variant.hpp"
#include "orchestrator/runner/baseline_variants.hpp"
#include "orchestrator/runner/history_replay.hpp"
#include "orchestrator/runner/plan.hpp"
#include "orchestrator/runner/profile_phase.hpp"
#include "orchestrator/runner/runner_impl.hpp"

namespace nictune {
namespace {

bool is_screening_trial(const Outcome& outcome) {
  return outcome.details.contains("fidelity") &&
         outcome.details["fidelity"].value("screening", false);
}

}  // namespace

Runner::Impl::Impl(const ExperimentSpec& spec, Store& store, AgentConnector connector,
                   Progress& progress, const std::atomic<bool>& interrupted, RunOptions options)
    : spec_(spec),
      store_(store),
      connect_(std::move(connector)),
      progress_(progress),
      interrupted_(interrupted),
      options_(options),
      rng_(spec.seed ^ 0x6e6963747564ULL),
      screening_gate_(spec.screening, spec.objectives) {
  if (spec.screening.enabled()) {
    screening_spec_ = spec;
    screening_spec_.workload = spec.screening_workload();
  }
}

RunResult Runner::Impl::run() {
  try {
    connect_and_probe();
    resolve_warm_start_sources();
    open_experiment();
    record_warm_start();
    record_hosts_and_snapshot();
    start_heartbeat();
    loop();
  } catch (...) {
    finish_hosts();
    stop_heartbeat();
    if (result_.experiment_id) {
      try {
        store_.set_experiment_status(result_.experiment_id, ExperimentStatus::kFailed);
      } catch (...) {
        // The store itself failed; the original error says more.
      }
    }
    throw;
  }
  finish_hosts();
  stop_heartbeat();
  if (!fatal_.empty()) {
    result_.status = ExperimentStatus::kFailed;
    result_.error = fatal_;
  } else {
    result_.status = interrupted_ ? ExperimentStatus::kInterrupted : ExperimentStatus::kComplete;
  }
  store_.set_experiment_status(result_.experiment_id, result_.status);
  return result_;
}

void Runner::Impl::loop() {
  StrategyConfig strategy_config = spec_.strategy_config();
  warm_start_.apply_to(strategy_config);
  strategy_ = make_strategy(spec_.strategy, strategy_config);
  std::vector<PointState> carry_over = replay();
  RunPlan plan = plan_run(spec_, 0);
  std::size_t planned =
      plan.points * std::size_t(plan.repetitions_min) + std::size_t(plan.baseline_trials);
  progress_.started(result_.experiment_id, spec_.name, planned);

  if (!carry_over.empty()) {
    run_new_baselines(carry_over);
    run_points(std::move(carry_over));
  }
  while (!interrupted_ && fatal_.empty()) {
    std::vector<Point> batch;
    {
      std::lock_guard lock(strategy_mutex_);
      batch = strategy_->ask(batch_size());
    }
    if (batch.empty()) break;
    std::vector<PointState> states;
    for (const auto& p : batch) {
      PointState s;
      s.point = spec_.space.canonicalize(p);
      s.point_id = store_.intern_point(result_.experiment_id, s.point);
      states.push_back(std::move(s));
    }
    run_new_baselines(states);
    run_points(std::move(states));
  }
  if (spec_.repetitions.race() && !interrupted_ && fatal_.empty()) race();
  if (spec_.baseline && !interrupted_ && fatal_.empty()) {
    // The race re-measured the baseline between its rounds already; one closing trial then
    // anchors the end of the run for drift detection.
    run_points(baseline_states(baselines_.known()),
               spec_.repetitions.race() ? 1 : spec_.repetitions.min);
  }
  if (spec_.profile.enabled && !interrupted_ && fatal_.empty() && !benches_.empty())
    run_profiles(benches_.front(), spec_, store_, result_.experiment_id, progress_, interrupted_);
  if (!interrupted_ && fatal_.empty()) report_drift();
  std::string reason;
  {
    std::lock_guard lock(strategy_mutex_);
    reason = strategy_->stop_reason();
  }
  if (!reason.empty()) progress_.message("strategy: " + reason);
}

// Model-based strategies learn from every result, so they get one point per bench at a time;
// the others hand out several, whose repetitions are shuffled together so that drift over
// time does not masquerade as the effect of a knob.
std::size_t Runner::Impl::batch_size() const {
  constexpr std::size_t kShuffledBatch = 8;
  if (strategy_entry(spec_.strategy).sequential) return benches_.size();
  return std::max(benches_.size(), kShuffledBatch);
}

// One baseline point per workload variant (orchestrator/runner/baseline_variants.hpp). The
// baseline is measured in several places (first, between batches and race rounds, last), each
// from a state made here: its repetition numbers go on from the trials the store already holds,
// so (point, repetition) stays unique.
auto Runner::Impl::baseline_states(const std::vector<Json>& variants) -> std::vector<PointState> {
  std::vector<PointState> states;
  if (variants.empty()) return states;
  std::map<std::int64_t, int> stored;
  for (const auto& t : store_.trials(result_.experiment_id)) ++stored[t.point_id];
  for (const auto& variant : variants) {
    PointState s;
    s.point = baseline_point(variant, spec_.space);  // with the load's fixed LG settings
    s.baseline = true;
    s.point_id = store_.intern_point(result_.experiment_id, s.point);
    s.trials = stored[s.point_id];
    states.push_back(std::move(s));
  }
  return states;
}

// The baselines of the points' workload variants not measured yet, before the points.
void Runner::Impl::run_new_baselines(const std::vector<PointState>& points) {
  if (!spec_.baseline) return;
  std::vector<Point> list;
  for (const auto& p : points) list.push_back(p.point);
  auto fresh = baseline_states(baselines_.take_new(list));
  if (!fresh.empty()) run_points(std::move(fresh));
}

// Tells the strategy what the store already holds; returns points whose repetitions are
// incomplete (interrupted) so they are finished before new points are asked for.
auto Runner::Impl::replay() -> std::vector<PointState> {
  std::map<std::int64_t, PointState> by_point;
  const std::vector<TrialRecord> trials = store_.trials(result_.experiment_id);
  for (const auto& t : trials) {
    if (t.baseline) {
      if (t.outcome.state == TrialState::kComplete) baselines_.remember(t);
      continue;
    }
    PointState& s = by_point[t.point_id];
    s.point = t.point;
    s.point_id = t.point_id;
    ++s.trials;
    if (is_screening_trial(t.outcome) && t.outcome.state != TrialState::kFailed)
      screening_gate_.remember(t.outcome.metrics);
    if (t.outcome.state == TrialState::kPruned) s.pruned = true;
    if (is_interrupted(t.outcome)) continue;
    if (t.outcome.state == TrialState::kComplete) s.complete.push_back(t.outcome.metrics);
    if (t.outcome.state == TrialState::kFailed) ++s.failed;
  }
  replay_history(trials, *strategy_, RunningTrials::kTell);
  std::vector<PointState> unfinished;
  for (auto& [id, s] : by_point) {
    if (s.failed == 0 && !s.pruned && int(s.complete.size()) < spec_.repetitions.min) {
      // A point only ever interrupted was never told; tell the strategy it is taken.
      unfinished.push_back(std::move(s));
    }
  }
  return unfinished;
}

Runner::Runner(const ExperimentSpec& spec, Store& store, AgentConnector connector,
               Progress& progress, const std::atomic<bool>& interrupted, RunOptions options)
    : impl_(std::make_unique<Impl>(spec, store, std::move(connector), progress, interrupted,
                                   options)) {}

Runner::~Runner() = default;

RunResult Runner::run() {
  return impl_->run();
}

}  // namespace nictune
