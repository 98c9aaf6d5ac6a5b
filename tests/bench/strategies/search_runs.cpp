// search_bench's runs (search_runs.hpp).
#include "tests/bench/strategies/search_runs.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>

#include "core/pareto.hpp"
#include "core/text_util.hpp"
#include "strategies/encoding.hpp"
#include "strategies/strategy.hpp"

namespace nictune::bench {
namespace {

std::uint64_t hash_text(const std::string& text) {
  return std::stoull(fnv1a64_hex(text), nullptr, 16);
}

std::string program_dir() {
  char buffer[4096];
  ssize_t n = readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  if (n <= 0) return ".";
  std::string path(buffer, static_cast<std::size_t>(n));
  return path.substr(0, path.find_last_of('/'));
}

}  // namespace

Vec minimised(const Problem& p, const Vec& metrics) {
  Vec out(metrics.size());
  for (std::size_t k = 0; k < metrics.size(); ++k) {
    out[k] = p.objectives[k].goal == Goal::kMaximize ? -metrics[k] : metrics[k];
  }
  return out;
}

// Noisy metrics for one evaluation; the noise depends on the point, the seed and the repetition
// only, so every method sees the same noise for the same point.
std::map<std::string, double> measure(const Problem& p, const Point& canonical, std::uint64_t seed,
                                      int repetition) {
  Vec v = p.truth(canonical);
  std::mt19937_64 rng(
      mix_seed(hash_text(canonical_text(canonical)) ^ seed, std::uint64_t(repetition)));
  std::normal_distribution<double> z(0, 1);
  std::map<std::string, double> out;
  for (std::size_t k = 0; k < v.size(); ++k)
    out[p.objectives[k].metric] = v[k] * (1 + p.noise[k] * z(rng));
  return out;
}

Trace score_trace(const Problem& p, const std::vector<Vec>& true_minimised) {
  Trace t;
  std::vector<Vec> seen;
  for (const auto& v : true_minimised) {
    seen.push_back(v);
    t.push_back(hypervolume(seen, p.reference) / p.best_hv);
  }
  return t;
}

Trace run_strategy(const Problem& p, const Method& m, std::uint64_t seed) {
  StrategyConfig c;
  c.space = p.space;
  c.objectives = p.objectives;
  c.seed = seed;
  c.budget = m.budget;
  c.options = m.options;
  auto s = make_strategy(m.strategy, c);
  std::vector<Vec> truth;
  while (static_cast<int>(truth.size()) < m.budget) {
    auto points = s->ask(1);
    if (points.empty()) break;
    Outcome o;
    auto metrics = measure(p, points[0], seed, 0);
    o.metrics = {metrics.begin(), metrics.end()};
    s->tell(points[0], o);
    truth.push_back(minimised(p, p.truth(points[0])));
  }
  return score_trace(p, truth);
}

double at(const Trace& t, int evals) {
  if (t.empty()) return 0;
  return t[std::min<std::size_t>(t.size(), static_cast<std::size_t>(evals)) - 1];
}

int evals_to(const Trace& t, double level) {
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] >= level) return static_cast<int>(i) + 1;
  }
  return -1;  // not reached
}

double median(std::vector<double> v) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Median evaluations to reach `level`, counting "not reached" as infinite.
double median_evals(const std::vector<Trace>& traces, double level) {
  std::vector<double> e;
  for (const auto& t : traces) {
    int k = evals_to(t, level);
    e.push_back(k < 0 ? INFINITY : k);
  }
  return median(e);
}

// Runs optuna_reference.py; returns label -> problem -> traces, empty when Optuna is missing.
// With `saved` (a file optuna_reference.py wrote earlier for the same problems), reads it instead.
std::map<std::string, std::map<std::string, std::vector<Trace>>> run_optuna(
    const std::vector<Problem>& probs, int seeds, int budget, const std::string& saved) {
  std::map<std::string, std::map<std::string, std::vector<Trace>>> out;
  const char* env = std::getenv("NICTUNE_PYTHON");
  std::string python =
      env ? env : (access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3");
  std::string script =
      std::string(NICTUNE_SOURCE_DIR) + "/tests/bench/strategies/optuna_reference.py";
  std::string result = "/tmp/search_bench_optuna_" + std::to_string(getpid()) + ".json";
  std::string names;
  for (const auto& p : probs) names += (names.empty() ? "" : ",") + p.name;
  std::string cmd = python + " " + script + " --bench " + program_dir() +
                    "/search_bench --problems " + names + " --seeds " + std::to_string(seeds) +
                    " --budget " + std::to_string(budget) + " --out " + result;
  Json doc;
  if (!saved.empty()) {
    // The reference may still be running (it is independent of nictune's code, so it can be
    // started first and take its hour on a shared machine): wait for its file.
    for (int waited = 0; access(saved.c_str(), R_OK) != 0 && waited < 7200; waited += 10) {
      if (waited == 0) std::cout << "waiting for " << saved << std::endl;
      sleep(10);
      if (access(saved.c_str(), R_OK) == 0) sleep(10);  // let the writer finish
    }
    std::ifstream in(saved);
    doc = Json::parse(in);
    std::cout << "Optuna reference read from " << saved << "\n";
  } else {
    if (std::system(cmd.c_str()) != 0) {
      std::cout << "Optuna reference not run (" << python << " with optuna missing?): " << cmd
                << "\n";
      return out;
    }
    std::ifstream in(result);
    doc = Json::parse(in);
    std::remove(result.c_str());
  }
  for (const auto& p : probs) {
    if (!doc.contains(p.name)) continue;
    for (const auto& [label, runs] : doc[p.name].items()) {
      for (const auto& run : runs) {
        std::vector<Vec> truth;
        for (const auto& point : run)
          truth.push_back(minimised(p, p.truth(p.space.canonicalize(point))));
        out[label][p.name].push_back(score_trace(p, truth));
      }
    }
  }
  return out;
}

}  // namespace nictune::bench
