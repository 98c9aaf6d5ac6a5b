// A search_bench problem: a space, objectives, the noise-free truth, and what "solved" means
// (the hypervolume of the known optimum or true Pareto front for a fixed reference point).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/space.hpp"
#include "strategies/strategy.hpp"

namespace nictune::bench {

using Vec = std::vector<double>;

struct Problem {
  std::string name, description;
  Space space;
  std::vector<Objective> objectives;
  std::function<Vec(const Point&)> truth;  // metric values in objective order, noise-free
  Vec noise;                               // relative noise sd per objective
  // Sets `reference` (minimised space) and `best_hv`; may enumerate the whole space, so only
  // the benchmark itself calls it (not --space / --evaluate).
  std::function<void(Problem&)> prepare;
  Vec reference;
  double best_hv = 0;
};

inline Parameter param(const std::string& name, ParamType type) {
  Parameter p;
  p.name = name;
  p.type = type;
  return p;
}

inline Parameter boolean(const std::string& name) {
  Parameter p = param(name, ParamType::kBool);
  p.values = {false, true};
  return p;
}

inline Parameter policy(const std::string& name, std::vector<Json> values) {
  Parameter p = param(name, ParamType::kCpuPolicy);
  p.values = std::move(values);
  return p;
}

inline Parameter ordinal(const std::string& name, std::vector<Json> values) {
  Parameter p = param(name, ParamType::kOrdinal);
  p.values = std::move(values);
  return p;
}

// The non-dominated rows of minimised vectors (exact; fine for a few hundred thousand rows
// with a front of some hundreds).
std::vector<Vec> pareto_front_of(std::vector<Vec> rows);

// Sets the reference to the front's nadir plus a tenth of each objective's range over the
// front, and best_hv to the front's hypervolume.
void set_front_reference(Problem& p, const std::vector<Vec>& front);

// One and two objectives (problems_one_two.cpp): the NIC-shaped throughput problem, the
// NIC-shaped throughput/latency trade-off, Branin and ZDT1.
Problem nic_throughput();
Problem nic_tradeoff();
Problem branin();
Problem zdt1();

// DTLZ2 with 6 variables and three objectives; the two NIC-shaped three-objective problems.
Problem dtlz2();
Problem nic_rx_three();
Problem nic_tx_three();

}  // namespace nictune::bench
