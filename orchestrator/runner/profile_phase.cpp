#include "orchestrator/runner/profile_phase.hpp"

#include <algorithm>
#include <chrono>
#include <map>

#include "core/errors.hpp"
#include "core/pareto.hpp"
#include "core/workload_variant.hpp"
#include "orchestrator/loaders/report_loaders.hpp"
#include "orchestrator/transport/transport.hpp"

namespace nictune {
namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

struct Means {
  Json point;
  std::map<std::string, double> sum;
  std::map<std::string, int> n;
  bool failed = false;
};

}  // namespace

std::vector<std::int64_t> points_to_profile(const std::vector<TrialRecord>& trials,
                                            const ExperimentSpec& spec, int count,
                                            std::optional<std::int64_t> recommended) {
  std::map<std::int64_t, Means> by_point;
  for (const auto& t : trials) {
    if (t.baseline || t.outcome.state != TrialState::kComplete) continue;
    if (t.outcome.details.contains("fidelity")) continue;  // screening: a shorter measurement
    Means& m = by_point[t.point_id];
    m.point = t.point;
    for (const auto& [name, value] : t.outcome.metrics) {
      m.sum[name] += value;
      ++m.n[name];
    }
  }
  std::vector<std::int64_t> ids;
  std::vector<std::vector<double>> minimised;
  for (const auto& [id, m] : by_point) {
    auto mean = [&](const std::string& name) -> std::optional<double> {
      auto it = m.n.find(name);
      if (it == m.n.end() || it->second == 0) return std::nullopt;
      return m.sum.at(name) / it->second;
    };
    std::vector<double> v;
    for (const auto& o : spec.objectives) {
      auto x = mean(o.metric);
      if (!x) break;
      v.push_back(o.goal == Goal::kMaximize ? -*x : *x);
    }
    if (v.size() != spec.objectives.size()) continue;
    const auto lookup = [&](const std::string& name) -> std::optional<Json> {
      if (auto x = mean(name)) return Json(*x);
      if (m.point.contains(name)) return m.point[name];
      return std::nullopt;
    };
    if (!std::all_of(spec.outcome_constraints.begin(), spec.outcome_constraints.end(),
                     [&](const Comparison& c) { return c.holds(lookup); }))
      continue;
    ids.push_back(id);
    minimised.push_back(std::move(v));
  }
  if (ids.empty()) return {};
  const std::vector<int> ranks = pareto_ranks(minimised);
  std::vector<std::size_t> order(ids.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    // The flame graphs explain the configuration the report recommends, so it goes first.
    if (recommended && (ids[a] == *recommended) != (ids[b] == *recommended))
      return ids[a] == *recommended;
    if (ranks[a] != ranks[b]) return ranks[a] < ranks[b];
    return minimised[a].front() < minimised[b].front();
  });
  std::vector<std::int64_t> out;
  for (std::size_t i = 0; i < order.size() && int(out.size()) < count; ++i)
    out.push_back(ids[order[i]]);
  return out;
}

std::optional<std::int64_t> recommended_point(Store& store, std::int64_t experiment) {
  try {
    const report::Report r = report::load_report(store, std::to_string(experiment));
    if (r.best) return r.points.at(*r.best).point_id;
  } catch (const Error&) {
    // No recommendation: the profile phase falls back to its own order.
  }
  return std::nullopt;
}

void run_profiles(BenchSession& bench, const ExperimentSpec& spec, Store& store,
                  std::int64_t experiment, Progress& progress,
                  const std::atomic<bool>& interrupted) {
  struct Target {
    std::int64_t point_id;
    Json point;
    bool baseline;
  };
  std::vector<Target> targets;
  const auto best = points_to_profile(store.trials(experiment), spec, spec.profile.points,
                                      recommended_point(store, experiment));
  if (spec.baseline) {
    // The baseline at the best point's workload variant (its packet size), as the report pairs
    // them (core/workload_variant.hpp).
    const Json variant = best.empty()
                             ? Json::object()
                             : workload_variant(store.point(best.front()).value_or(Json::object()));
    const Json point = baseline_point(variant, spec.space);
    targets.push_back({store.intern_point(experiment, point), point, true});
  }
  for (std::int64_t id : best)
    targets.push_back({id, store.point(id).value_or(Json::object()), false});
  for (const auto& target : targets) {
    if (interrupted) return;
    TrialRecord record;
    record.experiment_id = experiment;
    record.point_id = target.point_id;
    record.point = target.point;
    record.baseline = target.baseline;
    record.bench = bench.name;
    record.started_at = now_seconds();
    try {
      record.outcome = run_trial(bench, spec, target.point, target.baseline, &spec.profile);
    } catch (const TransportError& e) {
      record.outcome.state = TrialState::kFailed;
      record.outcome.error = std::string("host lost: ") + e.what();
    }
    record.ended_at = now_seconds();
    store.record_profile_trial(record);
    const std::string what =
        target.baseline ? "baseline" : "point " + std::to_string(target.point_id);
    if (record.outcome.state == TrialState::kFailed) {
      progress.message("profile of " + what + " failed: " + record.outcome.error);
    } else {
      progress.message("profile of " + what + ": " +
                       std::to_string(record.outcome.details["profile"].value("samples", 0)) +
                       " samples");
    }
    if (record.outcome.error.rfind("host lost", 0) == 0) return;
  }
}

}  // namespace nictune
