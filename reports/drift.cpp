#include "reports/drift.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace nictune::stats {
namespace {

struct Change {
  double statistic = 0;
  std::size_t split = 0;
};

// max over k of |S_k - k/n S_n|, with splits leaving at least 3 on each side; the scale is the
// same for every permutation of one series, so it needs no standardising for the test.
Change largest_change(const std::vector<double>& x) {
  const std::size_t n = x.size();
  const double total = std::accumulate(x.begin(), x.end(), 0.0);
  Change best;
  double partial = 0;
  for (std::size_t k = 1; k < n; ++k) {
    partial += x[k - 1];
    if (k < 3 || n - k < 3) continue;
    const double deviation =
        std::fabs(partial - static_cast<double>(k) / static_cast<double>(n) * total);
    if (deviation > best.statistic) best = {deviation, k};
  }
  return best;
}

double mean_of(const std::vector<double>& x, std::size_t from, std::size_t to) {
  return std::accumulate(x.begin() + static_cast<long>(from), x.begin() + static_cast<long>(to),
                         0.0) /
         static_cast<double>(to - from);
}

}  // namespace

DriftResult detect_drift(const std::vector<double>& series, double alpha, std::size_t permutations,
                         std::uint64_t seed) {
  DriftResult r;
  if (series.size() < kMinDriftSeries) return r;
  r.valid = true;
  const Change observed = largest_change(series);
  r.split = observed.split;
  if (observed.split == 0) return r;  // a constant series
  r.before_mean = mean_of(series, 0, r.split);
  r.after_mean = mean_of(series, r.split, series.size());
  r.relative = r.before_mean != 0 ? (r.after_mean - r.before_mean) / std::fabs(r.before_mean) : 0;

  std::mt19937_64 rng(seed);
  std::vector<double> shuffled = series;
  std::size_t as_large = 0;
  for (std::size_t i = 0; i < permutations; ++i) {
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    // A hair of tolerance: permutations equal to the observed order must count as "as large".
    if (largest_change(shuffled).statistic >= observed.statistic * (1 - 1e-12)) ++as_large;
  }
  r.p_value = static_cast<double>(1 + as_large) / static_cast<double>(1 + permutations);
  r.drift = r.p_value < alpha;
  return r;
}

}  // namespace nictune::stats
