#include "strategies/grid.hpp"

#include <algorithm>

#include "core/errors.hpp"

namespace nictune {
namespace {

// Beyond this a grid is not a plan but a mistake: say so before enumerating it.
constexpr double kMaxGridPoints = 2e6;

}  // namespace

GridStrategy::GridStrategy(const StrategyConfig& config)
    : StrategyBase(config, "grid", {"shuffle"}) {
  double bound = 1;
  for (const auto& p : config.space.parameters()) bound *= double(p.grid_values().size());
  if (bound > kMaxGridPoints) {
    throw invalid("strategy: the grid over this space has up to " + std::to_string(bound) +
                  " points; use \"random\" or \"bayes\", or fewer values per parameter");
  }
  config.space.for_each_grid_point([&](const Point& p) {
    // Float grid values are not rounded the way canonical points are.
    points_.push_back(config.space.canonicalize(p));
    return true;
  });
  if (options().boolean("shuffle", false)) {
    std::mt19937_64 rng(config.seed);
    std::shuffle(points_.begin(), points_.end(), rng);
  }
}

std::vector<Point> GridStrategy::propose(std::size_t n, std::mt19937_64&) {
  std::vector<Point> out;
  for (const auto& p : points_) {
    if (out.size() >= n) break;
    if (!history().known(canonical_text(p))) out.push_back(p);
  }
  return out;
}

std::string GridStrategy::own_stop_reason() const {
  for (const auto& p : points_) {
    if (!history().known(canonical_text(p))) return "";
  }
  return "grid exhausted";
}

}  // namespace nictune
