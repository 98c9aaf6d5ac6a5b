// Spaces and synthetic outcomes shared by the strategy tests.
#pragma once

#include <cmath>

#include "core/comparison.hpp"
#include "core/space.hpp"
#include "core/trial.hpp"
#include "strategies/strategy.hpp"

namespace nictune::test {

inline Parameter categorical(const std::string& name, std::vector<Json> values) {
  Parameter p;
  p.name = name;
  p.type = ParamType::kCategorical;
  p.values = std::move(values);
  return p;
}

// A NIC-like mixed space: an integer range, a categorical with a conditioned ordinal child, a
// bool, optionally a float range (which makes the space infinite), and a constraint.
inline Space nic_space(bool with_float) {
  Space space;
  Parameter channels;
  channels.name = "channels.combined";
  channels.type = ParamType::kInt;
  channels.min = 1;
  channels.max = with_float ? 16 : 4;
  space.add(channels);
  space.add(categorical("rps", {"none", "all", "spread"}));
  Parameter flows;
  flows.name = "rfs.flow_cnt";
  flows.type = ParamType::kOrdinal;
  flows.values = {256, 4096};
  flows.when = Condition{"rps", {"none"}, true};
  space.add(flows);
  Parameter gro;
  gro.name = "offload.gro";
  gro.type = ParamType::kBool;
  gro.values = {false, true};
  space.add(gro);
  if (with_float) {
    Parameter usecs;
    usecs.name = "coalesce.rx_usecs";
    usecs.type = ParamType::kFloat;
    usecs.min = 1;
    usecs.max = 200;
    usecs.log = true;
    space.add(usecs);
  }
  space.add_constraint(Comparison::parse("channels.combined >= 2"));
  return space;
}

// 3 channel values x (1 + 2 + 2) rps/flow combinations x 2 gro values.
constexpr std::size_t kSmallSpaceSize = 30;

// rx_pps rises with channels, RPS helps only with few channels, GRO helps; loss grows with
// channels. Deterministic, so tests can compare runs.
inline Outcome nic_outcome(const Point& p) {
  double ch = p["channels.combined"].get<double>();
  bool rps = p["rps"] != "none";
  double pps = 1e5 * std::log2(1 + ch) + (rps && ch < 4 ? 8e4 : 0) +
               (p["offload.gro"].get<bool>() ? 3e4 : 0);
  if (p.contains("coalesce.rx_usecs")) {
    double u = std::log(p["coalesce.rx_usecs"].get<double>() / 30);
    pps -= 2e4 * u * u;
  }
  Outcome o;
  o.metrics = {
      {"rx_pps", pps}, {"p99_rtt_us", 50 + 4 * ch - (rps ? 5 : 0)}, {"loss_ratio", 1e-4 * ch}};
  return o;
}

inline StrategyConfig nic_config(bool with_float, std::uint64_t seed, int budget) {
  StrategyConfig c;
  c.space = nic_space(with_float);
  c.objectives = {{"rx_pps", Goal::kMaximize}};
  c.seed = seed;
  c.budget = budget;
  return c;
}

}  // namespace nictune::test
