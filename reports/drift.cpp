#include "reports/drift.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <numeric>
#include <random>
#include <set>

namespace nictune::stats {
namespace {

struct Change {
  double statistic = 0;
  std::size_t split = 0;  // the first index after the (first) change
  std::size_t back = 0;   // the first index after the second change; 0: one change
};

// The centred cumulative sum C_k = S_k - k/n S_n over the splits leaving at least 3 on each side;
// the statistic is its range, max(0, max C) - min(0, min C). A single step makes C one-signed, so
// the range is max |C_k|, the classic CUSUM; a level that rises and falls back (a mode that comes
// and goes) makes C swing both ways, which max |C_k| alone half misses. The scale is the same for
// every permutation of one series, so it needs no standardising for the test.
// Where: C is lowest just before a rise and highest just before a fall (the sum runs behind the
// mean, then catches up). One swing is one change, at the largest |C_k|; two swings of comparable
// size (the smaller at least half the larger) are a level that changed and changed back, at
// both extremes. A step with noise swings the other way too, but by the noise's size only.
Change largest_change(const std::vector<double>& x) {
  const std::size_t n = x.size();
  const double total = std::accumulate(x.begin(), x.end(), 0.0);
  Change best;
  double partial = 0, high = 0, low = 0;
  std::size_t at_high = 0, at_low = 0;
  for (std::size_t k = 1; k < n; ++k) {
    partial += x[k - 1];
    if (k < 3 || n - k < 3) continue;
    const double centred = partial - static_cast<double>(k) / static_cast<double>(n) * total;
    if (centred > high) {
      high = centred;
      at_high = k;
    }
    if (centred < low) {
      low = centred;
      at_low = k;
    }
  }
  best.statistic = high - low;
  if (high > 0 && -low > 0 && std::min(high, -low) >= 0.5 * std::max(high, -low)) {
    best.split = std::min(at_high, at_low);
    best.back = std::max(at_high, at_low);
  } else {
    best.split = high >= -low ? at_high : at_low;
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
  r.back = observed.back;
  const std::size_t changed_until = r.back ? r.back : series.size();
  r.before_mean = mean_of(series, 0, r.split);
  r.after_mean = mean_of(series, r.split, changed_until);
  if (r.back) r.back_mean = mean_of(series, r.back, series.size());
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

std::vector<std::size_t> nearest_in_time(const std::vector<std::int64_t>& baseline_ids,
                                         const std::vector<std::int64_t>& trial_ids,
                                         std::size_t at_least) {
  std::vector<std::size_t> order(baseline_ids.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return baseline_ids[a] < baseline_ids[b]; });
  std::set<std::size_t> chosen;
  for (std::int64_t t : trial_ids) {
    // The first baseline measured after t; the one before it is the last measured before t.
    auto after =
        std::upper_bound(order.begin(), order.end(), t,
                         [&](std::int64_t id, std::size_t i) { return id < baseline_ids[i]; });
    if (after != order.end()) chosen.insert(*after);
    if (after != order.begin()) chosen.insert(*std::prev(after));
  }
  if (chosen.size() >= at_least || chosen.size() == baseline_ids.size())
    return {chosen.begin(), chosen.end()};
  // Too few: the rest by their distance to the nearest of the configuration's trials (ties: the
  // earlier baseline first).
  std::vector<std::pair<std::int64_t, std::size_t>> rest;  // (distance, index), in time order
  for (std::size_t i : order) {
    if (chosen.count(i)) continue;
    std::int64_t distance = std::numeric_limits<std::int64_t>::max();
    for (std::int64_t t : trial_ids)
      distance = std::min<std::int64_t>(distance, std::abs(baseline_ids[i] - t));
    rest.emplace_back(distance, i);
  }
  std::stable_sort(rest.begin(), rest.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (std::size_t i = 0; i < rest.size() && chosen.size() < at_least; ++i)
    chosen.insert(rest[i].second);
  return {chosen.begin(), chosen.end()};
}

}  // namespace nictune::stats
