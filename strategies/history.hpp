// The trial history as a strategy sees it: one entry per distinct canonical point, repetitions
// aggregated (metrics averaged over the complete ones), plus the points asked but not yet told.
// Also turns entries into minimised objective vectors and checks outcome constraints, so every
// strategy ranks "best so far" the same way.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "strategies/strategy.hpp"

namespace nictune {

struct HistoryEntry {
  Point point;           // canonical when `in_space`, as told otherwise
  std::string key;       // canonical_text(point)
  bool in_space = true;  // false for a told point the space cannot hold (a baseline outside it)
  int complete = 0, failed = 0, pruned = 0;
  std::map<std::string, double> metric_sum;  // over complete outcomes
  std::map<std::string, int> metric_count;
  // What the short screening trials of a pruned point measured (averaged the same way): never
  // mixed into the full-length means above, but a model may use it as a lower-fidelity hint.
  std::map<std::string, double> pruned_sum;
  std::map<std::string, int> pruned_count;
  std::size_t order = 0;  // position of the first tell

  std::optional<double> mean(const std::string& metric) const;
};

class History {
 public:
  History(const Space& space, std::vector<Objective> objectives,
          std::vector<Comparison> outcome_constraints);

  // Aggregates the outcome; returns the entry. Never throws for a point outside the space: it is
  // kept (for de-duplication and the budget) but never modelled.
  const HistoryEntry& tell(const Point& point, const Outcome& outcome);
  void mark_asked(const Point& canonical_point);

  // Asked or told before: never propose it again.
  bool known(const std::string& key) const { return asked_.count(key) || index_.count(key); }
  bool told(const std::string& key) const { return index_.count(key) != 0; }
  const HistoryEntry* find(const std::string& key) const;
  // Distinct points asked or told: what the budget counts.
  std::size_t distinct() const;
  // Asked and not told yet (in ask order).
  std::vector<Point> pending() const;

  const std::vector<HistoryEntry>& entries() const { return entries_; }
  const Space& space() const { return space_; }
  const std::vector<Objective>& objectives() const { return objectives_; }
  const std::vector<Comparison>& outcome_constraints() const { return constraints_; }

  // Minimised objective vector (maximised metrics negated) when the entry is in the space, has
  // at least one complete outcome and every objective metric; nullopt otherwise.
  std::optional<std::vector<double>> objective_vector(const HistoryEntry& entry) const;
  // The same from the screening measurements of an entry that was pruned and never measured in
  // full; nullopt otherwise.
  std::optional<std::vector<double>> screened_vector(const HistoryEntry& entry) const;
  // Outcome constraints hold on the averaged metrics (a missing metric holds vacuously).
  bool feasible(const HistoryEntry& entry) const;
  // Usable entries (objective_vector present), in tell order.
  std::vector<const HistoryEntry*> usable() const;

  // Index into entries() of the best feasible usable entry: the single objective's minimum, or
  // for several objectives the Chebyshev-best one after normalising each objective to [0, 1]
  // over the observations. Falls back to infeasible entries when none is feasible.
  std::optional<std::size_t> best() const;
  // The same among the given entries() indices only.
  std::optional<std::size_t> best_of(const std::vector<std::size_t>& ids) const;

  // True when the last `k` told distinct points did not raise the hypervolume of the feasible
  // observations (the reference is the observed nadir plus 10 % of each range), and at least
  // k + 1 usable points exist.
  bool stalled(int k) const;

 private:
  Space space_;
  std::vector<Objective> objectives_;
  std::vector<Comparison> constraints_;
  std::vector<HistoryEntry> entries_;
  std::map<std::string, std::size_t> index_;
  std::vector<std::string> asked_order_;
  std::set<std::string> asked_;
  std::map<std::string, Point> asked_points_;
};

}  // namespace nictune
