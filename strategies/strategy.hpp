// The ask/tell interface every search strategy implements. A strategy sees the space and the
// trial history only: no transports, no store, no clock. The runner (or `nictune ask/tell`)
// owns the loop.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/comparison.hpp"
#include "core/metrics.hpp"
#include "core/objective.hpp"
#include "core/space.hpp"
#include "core/trial.hpp"

namespace nictune {

struct StrategyConfig {
  Space space;
  std::vector<Objective> objectives;
  std::vector<Comparison> outcome_constraints;  // "loss_ratio <= 0.001"
  std::uint64_t seed = 1;
  int budget = 50;                // evaluations (distinct points) the strategy may ask for
  Json options = Json::object();  // strategy-specific, validated by the factory
  Json baseline_point;            // the host's current values where known (null otherwise)
  // Warm start (orchestrator/runner/warm_start.hpp). Points of earlier experiments worth
  // measuring first, best first: asked before anything the strategy proposes, counted in the
  // budget like any other. And earlier measurements a model may learn from (bayes does) without
  // taking them as this run's: they spend no budget and are never reported as measured here.
  std::vector<Point> seed_points;
  std::vector<std::pair<Point, Outcome>> prior_observations;
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  // Up to n new points (canonical, valid, never previously told as failed). Fewer, or none,
  // when the strategy has nothing more to propose (grid exhausted, budget spent, converged;
  // stop_reason() then says why). None with an empty stop_reason() means "waiting": every point
  // it can propose now is pending (one-at-a-time before it can move its centre).
  virtual std::vector<Point> ask(std::size_t n) = 0;
  // Record an outcome for a point (asked or evaluated elsewhere). Repetitions of the same point
  // may be told several times; a strategy aggregates them.
  virtual void tell(const Point& point, const Outcome& outcome) = 0;
  // Why the strategy stopped proposing, or "" while it still has points.
  virtual std::string stop_reason() const { return ""; }
};

using StrategyFactory = std::function<std::unique_ptr<Strategy>(const StrategyConfig&)>;

// Everything nictune knows about a strategy, so that no code outside its entry compares its
// name: the runner asks `sequential`, the plan asks `finite`, the spec asks `learns_observations`.
struct StrategyEntry {
  StrategyFactory factory;
  std::string description;
  // Learns from every result, so it is asked one point per bench at a time (no shuffled batch).
  bool sequential = false;
  // Proposes a known, finite set (the grid): the plan counts min(set size, budget) points.
  bool finite = false;
  // Can be told earlier experiments' observations on warm start, not only their points.
  bool learns_observations = false;
};

// name -> entry; the visible list of every strategy nictune knows, and the one place a
// strategy is registered.
const std::map<std::string, StrategyEntry>& strategy_registry();
// The entry for a registered name; throws Error(kInvalid) for an unknown name.
const StrategyEntry& strategy_entry(const std::string& name);
std::vector<std::string> strategy_names();
// Throws Error(kInvalid) for an unknown name or bad options.
std::unique_ptr<Strategy> make_strategy(const std::string& name, const StrategyConfig& config);

}  // namespace nictune
