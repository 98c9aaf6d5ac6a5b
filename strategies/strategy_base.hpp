// What every built-in strategy shares: the aggregated history, the budget, the "no hypervolume
// improvement over the last K evaluations" stop, exhaustion of a finite space, one seeded
// generator per ask (derived from the seed and the history size, so a strategy rebuilt by
// replaying tells proposes what the original would have), and option validation.
#pragma once

#include <optional>
#include <random>
#include <string>
#include <vector>

#include "strategies/encoding.hpp"
#include "strategies/history.hpp"
#include "strategies/strategy.hpp"

namespace nictune {

// Reads a strategy's options object, rejecting unknown keys and wrong types with the JSON path
// ("strategy.options.patience") and what was expected.
class StrategyOptions {
 public:
  StrategyOptions(const Json& options, std::string strategy, std::vector<std::string> allowed);
  bool boolean(const std::string& key, bool fallback) const;
  int integer(const std::string& key, int fallback, int min, int max) const;
  double number(const std::string& key, double fallback, double min, double max) const;
  std::string choice(const std::string& key, const std::string& fallback,
                     const std::vector<std::string>& choices) const;

 private:
  std::string path(const std::string& key) const { return "strategy.options." + key; }
  Json options_;
  std::string strategy_;
};

class StrategyBase : public Strategy {
 public:
  // `option_keys` are the strategy's own; "patience" is common to all.
  StrategyBase(const StrategyConfig& config, const std::string& name,
               std::vector<std::string> option_keys);

  std::vector<Point> ask(std::size_t n) final;
  void tell(const Point& point, const Outcome& outcome) override;
  std::string stop_reason() const override;

 protected:
  // Up to n new canonical, valid points that history().known() does not hold yet, distinct from
  // each other. Fewer when the strategy has no more to give (or waits for pending outcomes).
  virtual std::vector<Point> propose(std::size_t n, std::mt19937_64& rng) = 0;
  // A reason to stop that only the strategy knows ("converged ..."), or "".
  virtual std::string own_stop_reason() const { return ""; }

  // Points of a finite space nobody asked or told yet (in grid order); empty for an infinite
  // space or one too large to enumerate.
  std::vector<Point> unknown_grid_points(std::size_t limit) const;
  // A uniform random unknown point: rejection sampling, then enumeration for finite spaces.
  std::optional<Point> random_unknown(std::mt19937_64& rng, const std::vector<Point>& taken) const;

  const StrategyConfig& config() const { return config_; }
  const History& history() const { return history_; }
  // config().prior_observations, aggregated like history() but never part of it.
  const History& priors() const { return priors_; }
  const SpaceCodec& codec() const { return codec_; }
  const StrategyOptions& options() const { return options_; }
  std::size_t budget() const { return budget_; }

 private:
  // Every reason but exhaustion found by enumerating the space.
  std::string cheap_stop_reason() const;

  StrategyConfig config_;
  StrategyOptions options_;
  History history_;
  History priors_;
  SpaceCodec codec_;
  std::size_t budget_;
  int patience_;
};

}  // namespace nictune
