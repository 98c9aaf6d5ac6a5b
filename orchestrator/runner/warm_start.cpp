#include "orchestrator/runner/warm_start.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "core/errors.hpp"
#include "core/pareto.hpp"
#include "core/text_util.hpp"
#include "strategies/history.hpp"

namespace nictune {
namespace {

constexpr const char* kFrom = "strategy.options.warm_start.from";

bool screening(const Outcome& outcome) {
  return outcome.details.contains("fidelity") &&
         outcome.details["fidelity"].value("screening", false);
}

// The models each experiment's DUTs were (one per bench).
std::map<std::int64_t, std::set<std::string>> models_by_experiment(Store& store) {
  std::map<std::int64_t, std::set<std::string>> out;
  for (const auto& row : store.experiment_nics())
    out[row.experiment_id].insert(row.nic.model_key());
  return out;
}

std::vector<std::int64_t> listed_sources(const WarmStartSpec& warm, Store& store,
                                         const std::string& model,
                                         const std::map<std::int64_t, std::set<std::string>>& by,
                                         std::optional<std::int64_t> self) {
  std::vector<std::int64_t> out;
  for (std::size_t i = 0; i < warm.experiments.size(); ++i) {
    const std::string path = std::string(kFrom) + "[" + std::to_string(i) + "]";
    auto e = store.find_experiment(warm.experiments[i]);
    if (!e) throw invalid(path + ": no experiment \"" + warm.experiments[i] + "\" in the database");
    if (self && e->id >= *self)
      throw invalid(path + ": experiment " + std::to_string(e->id) +
                    " is this one or later; a warm start reuses earlier experiments");
    auto it = by.find(e->id);
    if (it == by.end() || !it->second.count(model)) {
      std::string theirs =
          it == by.end() ? "no recorded NIC" : join({it->second.begin(), it->second.end()}, ", ");
      throw invalid(path + ": experiment " + std::to_string(e->id) + " (" + e->name +
                    ") measured " + theirs + "; this DUT's NIC is " + model +
                    " (a warm start reuses experiments on the same NIC model)");
    }
    out.push_back(e->id);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// Best first: the Pareto front of the feasible averaged points (ties broken by the strategies'
// own "best"), then the next front, and so on.
std::vector<Point> best_points(const History& history, int k) {
  std::vector<std::size_t> left;
  for (std::size_t i = 0; i < history.entries().size(); ++i) {
    const auto& e = history.entries()[i];
    if (history.objective_vector(e) && history.feasible(e)) left.push_back(i);
  }
  std::vector<Point> out;
  while (!left.empty() && static_cast<int>(out.size()) < k) {
    std::vector<std::vector<double>> y;
    for (auto i : left) y.push_back(*history.objective_vector(history.entries()[i]));
    std::vector<std::size_t> front;
    for (int j : pareto_front_indices(y)) front.push_back(left[static_cast<std::size_t>(j)]);
    while (!front.empty() && static_cast<int>(out.size()) < k) {
      std::size_t best = *history.best_of(front);
      out.push_back(history.entries()[best].point);
      front.erase(std::find(front.begin(), front.end(), best));
      left.erase(std::find(left.begin(), left.end(), best));
    }
  }
  return out;
}

}  // namespace

void WarmStart::apply_to(StrategyConfig& config) const {
  config.seed_points = points;
  config.prior_observations = observations;
}

Json WarmStart::to_json() const {
  if (!enabled) return Json::object();
  Json seeds = Json::array();
  for (const auto& p : points) seeds.push_back(p);
  return {{"model", model},
          {"experiments", experiments},
          {"points", seeds},
          {"observations", observations.size()}};
}

std::string WarmStart::describe() const {
  if (!enabled) return std::string();
  if (experiments.empty())
    return "warm start: no earlier experiment on NIC model " + model + "; the search starts cold";
  std::vector<std::string> ids;
  for (auto id : experiments) ids.push_back(std::to_string(id));
  return "warm start (NIC model " + model + "): from experiment" + (ids.size() == 1 ? " " : "s ") +
         join(ids, ", ") + ": " + std::to_string(points.size()) + " point(s) measured first, " +
         std::to_string(observations.size()) + " observation(s) for the model";
}

WarmStart resolve_warm_start(const ExperimentSpec& spec, Store& store, const NicIdentity& dut,
                             std::optional<std::int64_t> self) {
  WarmStart out;
  const WarmStartSpec& warm = spec.warm_start;
  if (!warm.enabled) return out;
  out.enabled = true;
  out.model = dut.model_key();
  const auto by = models_by_experiment(store);
  if (warm.same_model) {
    for (const auto& [id, models] : by) {
      if (self && id >= *self) continue;
      if (models.count(out.model)) out.experiments.push_back(id);
    }
  } else {
    out.experiments = listed_sources(warm, store, out.model, by, self);
  }
  History history(spec.space, spec.objectives, spec.outcome_constraints);
  for (auto id : out.experiments) {
    for (const auto& t : store.trials(id)) {
      if (t.baseline || t.outcome.state != TrialState::kComplete || screening(t.outcome)) continue;
      if (!spec.space.is_valid(t.point)) continue;  // another space: not this search's point
      Point p = spec.space.canonicalize(t.point);
      history.tell(p, t.outcome);
      if (warm.observations) out.observations.emplace_back(p, t.outcome);
    }
  }
  out.points = best_points(history, warm.points);
  return out;
}

}  // namespace nictune
