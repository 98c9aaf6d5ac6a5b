#include "strategies/one_at_a_time.hpp"

#include <algorithm>

#include "core/errors.hpp"

namespace nictune {

OneAtATimeStrategy::OneAtATimeStrategy(const StrategyConfig& config)
    : StrategyBase(config, "one-at-a-time", {}) {
  const Space& space = config.space;
  Point partial = Json::object();
  if (config.baseline_point.is_object()) {
    for (const auto& p : space.parameters()) {
      auto it = config.baseline_point.find(p.name);
      if (it == config.baseline_point.end()) continue;
      if (auto v = p.canonical_value(*it)) partial[p.name] = *v;
    }
  }
  auto start = fill(partial);
  if (!start) start = fill(Json::object());
  if (!start) {
    // Defaults violate a constraint: the first valid grid point is as neutral as any.
    space.for_each_grid_point([&](const Point& p) {
      start = p;
      return false;
    });
  }
  if (!start) throw invalid("strategy: no point of the space satisfies its constraints");
  start_ = *start;
}

std::optional<Point> OneAtATimeStrategy::fill(Point partial) const {
  const Space& space = config().space;
  const Json& baseline = config().baseline_point;
  Point out = Json::object();
  for (const auto& p : space.parameters()) {
    if (!space.is_active(p, out)) continue;
    std::optional<Json> value;
    if (auto it = partial.find(p.name); it != partial.end()) value = p.canonical_value(*it);
    if (!value && baseline.is_object()) {
      if (auto it = baseline.find(p.name); it != baseline.end()) value = p.canonical_value(*it);
    }
    if (!value) {
      auto grid = p.grid_values();
      value = p.canonical_value(p.is_numeric() ? grid[grid.size() / 2] : grid.front());
    }
    out[p.name] = *value;
  }
  if (!space.satisfies_constraints(out)) return std::nullopt;
  return out;
}

bool OneAtATimeStrategy::walk(std::size_t n, std::vector<Point>& out) const {
  const History& h = history();
  auto taken = [&](const std::string& key) {
    return h.known(key) || std::any_of(out.begin(), out.end(),
                                       [&](const Point& p) { return canonical_text(p) == key; });
  };
  Point center = start_;
  if (!taken(canonical_text(center))) out.push_back(center);
  if (out.size() >= n) return false;
  const auto& params = config().space.parameters();
  // Each move goes to a strictly better point, so rounds are bounded by the history; the cap
  // only guards against ties in several objectives going round in circles.
  const std::size_t max_rounds = h.entries().size() + 2;
  for (std::size_t round = 0; round < max_rounds; ++round) {
    bool moved = false, waiting = false;
    for (const auto& param : params) {
      auto it = center.find(param.name);
      if (it == center.end()) continue;  // inactive at this centre
      std::vector<std::size_t> sweep;
      bool complete = true;
      if (const HistoryEntry* e = h.find(canonical_text(center)))
        sweep.push_back(e->order);
      else
        complete = false;
      for (const auto& value : param.grid_values()) {
        Point q = center;
        q[param.name] = value;
        auto candidate = fill(q);
        if (!candidate) continue;
        std::string key = canonical_text(*candidate);
        if (const HistoryEntry* e = h.find(key)) {
          sweep.push_back(e->order);
          continue;
        }
        complete = false;
        if (taken(key)) continue;  // asked, outcome pending
        out.push_back(*candidate);
        if (out.size() >= n) return false;
      }
      if (!complete) {
        waiting = true;
        continue;
      }
      auto best = h.best_of(sweep);
      if (best && h.entries()[*best].key != canonical_text(center)) {
        center = h.entries()[*best].point;
        moved = true;
      }
    }
    if (!moved) return !waiting;
  }
  return true;
}

std::vector<Point> OneAtATimeStrategy::propose(std::size_t n, std::mt19937_64&) {
  std::vector<Point> out;
  walk(n, out);
  return out;
}

std::string OneAtATimeStrategy::own_stop_reason() const {
  std::vector<Point> out;
  if (walk(1, out) && out.empty()) {
    return "converged: no single-parameter change improves on the best point";
  }
  return "";
}

}  // namespace nictune
