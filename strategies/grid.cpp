#include "strategies/grid.hpp"

#include <algorithm>
#include <random>

#include "core/errors.hpp"

namespace nictune {

GridStrategy::GridStrategy(const StrategyConfig& config)
    : budget_(static_cast<std::size_t>(std::max(0, config.budget))) {
  for (const auto& [key, value] : config.options.items()) {
    if (key != "shuffle") throw invalid("strategy.options." + key + ": unknown option for grid; expected \"shuffle\"");
    if (!value.is_boolean()) throw invalid("strategy.options.shuffle: expected true or false");
  }
  config.space.for_each_grid_point([&](const Point& p) {
    points_.push_back(p);
    return true;
  });
  if (config.options.value("shuffle", false)) {
    std::mt19937_64 rng(config.seed);
    std::shuffle(points_.begin(), points_.end(), rng);
  }
}

std::vector<Point> GridStrategy::ask(std::size_t n) {
  std::vector<Point> out;
  for (const auto& p : points_) {
    if (out.size() >= n || asked_.size() >= budget_) break;
    std::string key = canonical_text(p);
    if (told_.count(key) || asked_.count(key)) continue;
    asked_.insert(key);
    out.push_back(p);
  }
  return out;
}

void GridStrategy::tell(const Point& point, const Outcome&) {
  std::string key = canonical_text(point);
  told_.insert(key);
  asked_.insert(key);
}

std::string GridStrategy::stop_reason() const {
  if (asked_.size() >= budget_) return "budget of " + std::to_string(budget_) + " points spent";
  for (const auto& p : points_) {
    if (!asked_.count(canonical_text(p))) return "";
  }
  return "grid exhausted";
}

}  // namespace nictune
