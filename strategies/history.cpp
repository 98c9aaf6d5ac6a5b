#include "strategies/history.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/errors.hpp"
#include "core/pareto.hpp"

namespace nictune {

std::optional<double> HistoryEntry::mean(const std::string& metric) const {
  auto it = metric_sum.find(metric);
  if (it == metric_sum.end()) return std::nullopt;
  return it->second / metric_count.at(metric);
}

History::History(const Space& space, std::vector<Objective> objectives,
                 std::vector<Comparison> outcome_constraints)
    : space_(space),
      objectives_(std::move(objectives)),
      constraints_(std::move(outcome_constraints)) {}

const HistoryEntry& History::tell(const Point& point, const Outcome& outcome) {
  Point canonical;
  bool in_space = true;
  try {
    canonical = space_.canonicalize(point);
  } catch (const Error&) {
    canonical = point;
    in_space = false;
  }
  std::string key = canonical_text(canonical);
  auto it = index_.find(key);
  if (it == index_.end()) {
    HistoryEntry entry;
    entry.point = canonical;
    entry.key = key;
    entry.in_space = in_space;
    entry.order = entries_.size();
    it = index_.emplace(key, entries_.size()).first;
    entries_.push_back(std::move(entry));
  }
  HistoryEntry& entry = entries_[it->second];
  switch (outcome.state) {
    case TrialState::kComplete:
      ++entry.complete;
      for (const auto& [name, value] : outcome.metrics) {
        if (!std::isfinite(value)) continue;
        entry.metric_sum[name] += value;
        ++entry.metric_count[name];
      }
      break;
    case TrialState::kFailed:
      ++entry.failed;
      break;
    case TrialState::kPruned:
      ++entry.pruned;
      for (const auto& [name, value] : outcome.metrics) {
        if (!std::isfinite(value)) continue;
        entry.pruned_sum[name] += value;
        ++entry.pruned_count[name];
      }
      break;
    case TrialState::kRunning:
      break;  // still being measured: known, nothing to aggregate
  }
  return entry;
}

void History::mark_asked(const Point& canonical_point) {
  std::string key = canonical_text(canonical_point);
  if (asked_.insert(key).second) {
    asked_order_.push_back(key);
    asked_points_[key] = canonical_point;
  }
}

const HistoryEntry* History::find(const std::string& key) const {
  auto it = index_.find(key);
  return it == index_.end() ? nullptr : &entries_[it->second];
}

std::size_t History::distinct() const {
  std::size_t n = entries_.size();
  for (const auto& key : asked_order_) n += index_.count(key) ? 0 : 1;
  return n;
}

std::vector<Point> History::pending() const {
  std::vector<Point> out;
  for (const auto& key : asked_order_) {
    if (!index_.count(key)) out.push_back(asked_points_.at(key));
  }
  return out;
}

std::optional<std::vector<double>> History::objective_vector(const HistoryEntry& entry) const {
  if (!entry.in_space || entry.complete == 0 || objectives_.empty()) return std::nullopt;
  std::vector<double> y;
  for (const auto& objective : objectives_) {
    auto v = entry.mean(objective.metric);
    if (!v) return std::nullopt;
    y.push_back(objective.goal == Goal::kMaximize ? -*v : *v);
  }
  return y;
}

std::optional<std::vector<double>> History::screened_vector(const HistoryEntry& entry) const {
  if (!entry.in_space || entry.complete > 0 || entry.pruned == 0 || objectives_.empty())
    return std::nullopt;
  std::vector<double> y;
  for (const auto& objective : objectives_) {
    auto it = entry.pruned_sum.find(objective.metric);
    if (it == entry.pruned_sum.end()) return std::nullopt;
    double v = it->second / entry.pruned_count.at(objective.metric);
    y.push_back(objective.goal == Goal::kMaximize ? -v : v);
  }
  return y;
}

bool History::feasible(const HistoryEntry& entry) const {
  auto lookup = [&](const std::string& name) -> std::optional<Json> {
    auto v = entry.mean(name);
    if (!v) return std::nullopt;
    return Json(*v);
  };
  return std::all_of(constraints_.begin(), constraints_.end(),
                     [&](const Comparison& c) { return c.holds(lookup); });
}

std::vector<const HistoryEntry*> History::usable() const {
  std::vector<const HistoryEntry*> out;
  for (const auto& e : entries_) {
    if (objective_vector(e)) out.push_back(&e);
  }
  return out;
}

namespace {

// Objective vectors scaled to [0, 1] per objective over the given rows.
std::vector<std::vector<double>> normalised(const std::vector<std::vector<double>>& rows) {
  if (rows.empty()) return rows;
  const std::size_t m = rows[0].size();
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> lo(m, inf), hi(m, -inf);
  for (const auto& r : rows) {
    for (std::size_t k = 0; k < m; ++k) {
      lo[k] = std::min(lo[k], r[k]);
      hi[k] = std::max(hi[k], r[k]);
    }
  }
  auto out = rows;
  for (auto& r : out) {
    for (std::size_t k = 0; k < m; ++k) r[k] = hi[k] > lo[k] ? (r[k] - lo[k]) / (hi[k] - lo[k]) : 0;
  }
  return out;
}

}  // namespace

std::optional<std::size_t> History::best() const {
  std::vector<std::size_t> all(entries_.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  return best_of(all);
}

std::optional<std::size_t> History::best_of(const std::vector<std::size_t>& candidates) const {
  for (bool want_feasible : {true, false}) {
    std::vector<std::size_t> ids;
    std::vector<std::vector<double>> rows;
    for (std::size_t i : candidates) {
      auto y = objective_vector(entries_[i]);
      if (!y || (want_feasible && !feasible(entries_[i]))) continue;
      ids.push_back(i);
      rows.push_back(*y);
    }
    if (ids.empty()) continue;
    auto scaled = normalised(rows);
    std::size_t best = 0;
    double best_score = std::numeric_limits<double>::infinity();
    for (std::size_t j = 0; j < scaled.size(); ++j) {
      double worst = *std::max_element(scaled[j].begin(), scaled[j].end());
      double sum = 0;
      for (double v : scaled[j]) sum += v;
      double score = worst + 1e-3 * sum;  // augmented Chebyshev: ties go to the better sum
      if (score < best_score) {
        best_score = score;
        best = j;
      }
    }
    return ids[best];
  }
  return std::nullopt;
}

bool History::stalled(int k) const {
  if (k <= 0 || objectives_.empty()) return false;
  std::vector<std::vector<double>> rows;
  std::vector<std::size_t> orders;
  for (const auto& e : entries_) {
    auto y = objective_vector(e);
    if (!y || !feasible(e)) continue;
    rows.push_back(*y);
    orders.push_back(e.order);
  }
  if (rows.size() < static_cast<std::size_t>(k) + 1) return false;
  auto scaled = normalised(rows);
  std::vector<double> reference(objectives_.size(), 1.1);
  std::size_t cutoff = entries_.size() - std::min(entries_.size(), static_cast<std::size_t>(k));
  std::vector<std::vector<double>> before;
  for (std::size_t j = 0; j < scaled.size(); ++j) {
    if (orders[j] < cutoff) before.push_back(scaled[j]);
  }
  return hypervolume(scaled, reference) <= hypervolume(before, reference) * (1 + 1e-12);
}

}  // namespace nictune
