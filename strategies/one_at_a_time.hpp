// What an engineer does by hand: start from the baseline (the host's current values, where the
// space holds them), try every grid value of one parameter with the others fixed, move to the
// best point of that sweep, go on with the next parameter; round after round until a whole round
// moves nothing ("converged"). With several benches, sweeps of later parameters are proposed
// around the current centre while earlier ones are still being measured; when everything is
// proposed and the centre cannot move yet, ask() returns nothing until outcomes arrive.
// The walk is recomputed from the history on every ask, so a strategy rebuilt by replaying
// tells continues where the original was. No options besides "patience".
#pragma once

#include "strategies/strategy_base.hpp"

namespace nictune {

class OneAtATimeStrategy : public StrategyBase {
 public:
  explicit OneAtATimeStrategy(const StrategyConfig& config);

 protected:
  std::vector<Point> propose(std::size_t n, std::mt19937_64& rng) override;
  std::string own_stop_reason() const override;

 private:
  // Walks the sweeps over the history; fills `out` with up to n unknown points. Returns true
  // when the walk has converged (a full round without a move, everything told).
  bool walk(std::size_t n, std::vector<Point>& out) const;
  // Active parameters the point lacks get their baseline value, else a default (the first
  // value of a list, the middle grid value of a range); nullopt if a constraint fails.
  std::optional<Point> fill(Point partial) const;

  Point start_;
};

}  // namespace nictune
