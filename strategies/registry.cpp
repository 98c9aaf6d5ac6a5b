#include "core/errors.hpp"
#include "core/text_util.hpp"
#include "strategies/bayes.hpp"
#include "strategies/grid.hpp"
#include "strategies/one_at_a_time.hpp"
#include "strategies/random.hpp"
#include "strategies/strategy.hpp"

namespace nictune {

const std::map<std::string, StrategyEntry>& strategy_registry() {
  static const std::map<std::string, StrategyEntry> registry = {
      {"bayes",
       {.factory = [](const StrategyConfig& c) { return std::make_unique<BayesStrategy>(c); },
        .description = "Bayesian optimisation: a Gaussian process per objective, expected "
                       "(hypervolume) improvement",
        .sequential = true,
        .learns_observations = true}},
      {"grid",
       {.factory = [](const StrategyConfig& c) { return std::make_unique<GridStrategy>(c); },
        .description = "full factorial over the space, optionally shuffled",
        .finite = true}},
      {"latin-hypercube",
       {.factory =
            [](const StrategyConfig& c) { return std::make_unique<RandomStrategy>(c, "lhs"); },
        .description = "a Latin hypercube over the whole budget, then uniform random"}},
      {"one-at-a-time",
       {.factory = [](const StrategyConfig& c) { return std::make_unique<OneAtATimeStrategy>(c); },
        .description = "sweep one parameter at a time around the best point so far"}},
      {"random",
       {.factory =
            [](const StrategyConfig& c) { return std::make_unique<RandomStrategy>(c, "uniform"); },
        .description = "seeded uniform random search"}},
  };
  return registry;
}

std::vector<std::string> strategy_names() {
  std::vector<std::string> names;
  for (const auto& [name, entry] : strategy_registry()) names.push_back(name);
  return names;
}

const StrategyEntry& strategy_entry(const std::string& name) {
  auto it = strategy_registry().find(name);
  if (it == strategy_registry().end()) {
    throw invalid("unknown strategy \"" + name + "\"" + did_you_mean(name, strategy_names()) +
                  "; expected one of " + join(strategy_names(), ", "));
  }
  return it->second;
}

std::unique_ptr<Strategy> make_strategy(const std::string& name, const StrategyConfig& config) {
  return strategy_entry(name).factory(config);
}

}  // namespace nictune
