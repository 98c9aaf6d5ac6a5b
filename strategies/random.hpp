// Seeded random search. Options: "design": "uniform" (each parameter uniform, log-uniform on a
// log range; conditions and constraints applied) or "lhs" (a Latin hypercube over the whole
// budget first, the space-filling initial design, then uniform). Registered as "random"
// (uniform) and "latin-hypercube" (lhs).
#pragma once

#include "strategies/strategy_base.hpp"

namespace nictune {

class RandomStrategy : public StrategyBase {
 public:
  RandomStrategy(const StrategyConfig& config, const std::string& default_design);

 protected:
  std::vector<Point> propose(std::size_t n, std::mt19937_64& rng) override;

 private:
  std::vector<Point> design_;  // the Latin hypercube, when asked for
};

}  // namespace nictune
