// Full factorial over the conditioned, constrained space; optionally shuffled (seeded).
#pragma once

#include <set>

#include "strategies/strategy.hpp"

namespace nictune {

class GridStrategy : public Strategy {
 public:
  explicit GridStrategy(const StrategyConfig& config);
  std::vector<Point> ask(std::size_t n) override;
  void tell(const Point& point, const Outcome& outcome) override;
  std::string stop_reason() const override;

 private:
  std::vector<Point> points_;
  std::set<std::string> told_;
  std::set<std::string> asked_;
  std::size_t budget_;
};

}  // namespace nictune
