// Racing rounds (repetitions.race): after the search, the configurations still undecided get
// another interleaved round of trials until each is separated, precise, capped or beaten.
#include <algorithm>

#include "orchestrator/runner/plan.hpp"
#include "orchestrator/runner/race.hpp"
#include "orchestrator/runner/runner_impl.hpp"

namespace nictune {

// Racing rounds until nothing is left to decide. Every round rebuilds the race from the stored
// trials, so a resumed run continues the same race.
void Runner::Impl::race() {
  RepetitionSpec rules = spec_.repetitions;
  rules.budget = race_budget(spec_, plan_run(spec_, 0).points);
  const Race race(rules, spec_.objectives);
  // One trial stays reserved for the closing baseline measurement.
  const int reserved = spec_.baseline ? std::max<int>(1, int(baselines_.known().size())) : 0;
  for (int round_no = 1; !interrupted_ && fatal_.empty(); ++round_no) {
    std::map<std::pair<bool, std::int64_t>, RaceEntry> entries;
    std::map<std::pair<bool, std::int64_t>, PointState> states;
    int used = 0;
    for (const auto& t : store_.trials(result_.experiment_id)) {
      const std::pair<bool, std::int64_t> key{t.baseline, t.point_id};
      // Repetition numbers go on from every stored trial, an interrupted one included: its
      // number is taken in the store.
      PointState& ps = states[key];
      ps.point = t.point;
      ps.point_id = t.point_id;
      ps.baseline = t.baseline;
      ++ps.trials;
      if (is_interrupted(t.outcome)) continue;
      ++used;
      RaceEntry& e = entries[key];
      e.point_id = t.point_id;
      e.baseline = t.baseline;
      if (t.outcome.state == TrialState::kComplete) e.complete.push_back(t.outcome.metrics);
      if (t.outcome.state != TrialState::kComplete) e.failed = true;
    }
    std::vector<RaceEntry> list;
    for (auto& [key, e] : entries) list.push_back(std::move(e));
    const RaceRound round = race.next_round(list, used + reserved);
    if (round.next.empty()) {
      progress_.message(round.budget_exhausted
                            ? "race: trial budget spent (" + std::to_string(used) + " trials)"
                            : "race: every configuration separated, precise, capped or beaten");
      return;
    }
    std::vector<PointState> points;
    std::vector<Task> tasks;
    for (const auto id : round.next) {
      const bool is_baseline = states.count({true, id}) > 0;
      points.push_back(states.at({is_baseline, id}));
      tasks.push_back({points.size() - 1, 0});
    }
    progress_.message("race round " + std::to_string(round_no) + ": " +
                      std::to_string(round.next.size()) + " configuration(s) still undecided");
    // Interleaved: the round's repetitions in random order, so drift spreads over them all.
    std::shuffle(tasks.begin(), tasks.end(), rng_);
    execute(points, tasks);
  }
}

}  // namespace nictune
