#include "core/errors.hpp"
#include "core/text_util.hpp"
#include "strategies/bayes.hpp"
#include "strategies/grid.hpp"
#include "strategies/one_at_a_time.hpp"
#include "strategies/random.hpp"
#include "strategies/strategy.hpp"

namespace nictune {

const std::map<std::string, StrategyFactory>& strategy_registry() {
  static const std::map<std::string, StrategyFactory> registry = {
      {"bayes", [](const StrategyConfig& c) { return std::make_unique<BayesStrategy>(c); }},
      {"grid", [](const StrategyConfig& c) { return std::make_unique<GridStrategy>(c); }},
      {"latin-hypercube",
       [](const StrategyConfig& c) { return std::make_unique<RandomStrategy>(c, "lhs"); }},
      {"one-at-a-time",
       [](const StrategyConfig& c) { return std::make_unique<OneAtATimeStrategy>(c); }},
      {"random",
       [](const StrategyConfig& c) { return std::make_unique<RandomStrategy>(c, "uniform"); }},
  };
  return registry;
}

std::vector<std::string> strategy_names() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : strategy_registry()) names.push_back(name);
  return names;
}

std::unique_ptr<Strategy> make_strategy(const std::string& name, const StrategyConfig& config) {
  auto it = strategy_registry().find(name);
  if (it == strategy_registry().end()) {
    throw invalid("unknown strategy \"" + name + "\"" + did_you_mean(name, strategy_names()) +
                  "; expected one of " + join(strategy_names(), ", "));
  }
  return it->second(config);
}

}  // namespace nictune
