// search_bench's runs: the noisy measurement every method sees, one strategy run to a trace of
// scores, the statistics over traces, and the Optuna reference (optuna_reference.py) run on
// the same problems.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tests/bench/strategies/problem.hpp"

namespace nictune::bench {

// The metrics as minimised values (maximised ones negated), in objective order.
Vec minimised(const Problem& p, const Vec& metrics);

// Noisy metrics for one evaluation; the noise depends on the point, the seed and the repetition
// only, so every method sees the same noise for the same point.
std::map<std::string, double> measure(const Problem& p, const Point& canonical, std::uint64_t seed,
                                      int repetition);

struct Method {
  std::string label, strategy;
  int budget;
  Json options = Json::object();
};

// Score after each evaluation (index i = after i + 1 evaluations).
using Trace = std::vector<double>;

Trace score_trace(const Problem& p, const std::vector<Vec>& true_minimised);
Trace run_strategy(const Problem& p, const Method& m, std::uint64_t seed);
// The score after `evals` evaluations (the last one when the trace is shorter).
double at(const Trace& t, int evals);
// Evaluations until the score reaches `level`; -1 when it never does.
int evals_to(const Trace& t, double level);
double median(std::vector<double> v);
// Median evaluations to reach `level`, counting "not reached" as infinite.
double median_evals(const std::vector<Trace>& traces, double level);

// Runs optuna_reference.py; returns label -> problem -> traces, empty when Optuna is missing.
// With `saved` (a file optuna_reference.py wrote earlier for the same problems), reads it instead.
std::map<std::string, std::map<std::string, std::vector<Trace>>> run_optuna(
    const std::vector<Problem>& probs, int seeds, int budget, const std::string& saved);

}  // namespace nictune::bench
