// Full factorial over the conditioned, constrained space; optionally shuffled (seeded).
// Options: "shuffle" (bool, default false).
#pragma once

#include "strategies/strategy_base.hpp"

namespace nictune {

class GridStrategy : public StrategyBase {
 public:
  explicit GridStrategy(const StrategyConfig& config);

 protected:
  std::vector<Point> propose(std::size_t n, std::mt19937_64& rng) override;
  std::string own_stop_reason() const override;

 private:
  std::vector<Point> points_;
};

}  // namespace nictune
