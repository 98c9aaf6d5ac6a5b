// Drift of a series measured over time (the baseline, re-measured during a run): did its level
// change significantly, where, and by how much? A change-point statistic (the range of the
// centred cumulative sum, which a step, a slow trend and a level that rises and falls back all
// raise) is calibrated by permutations of the series itself, so the false-alarm rate is alpha
// whatever the noise's distribution, as long as the repetitions are exchangeable when nothing
// drifts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace nictune::stats {

// Fewest measurements that can show a drift: at least 3 on each side of a change.
inline constexpr std::size_t kMinDriftSeries = 6;

struct DriftResult {
  bool valid = false;  // enough measurements to judge
  bool drift = false;  // p_value < alpha
  double p_value = 1;
  std::size_t split = 0;  // index of the first measurement after the most likely change
  // A level that changed and changed back: index of the first measurement after the second
  // change (0: one change, the level stayed). after_mean is then the level between the two.
  std::size_t back = 0;
  double before_mean = 0, after_mean = 0, back_mean = 0;
  double relative = 0;  // (after - before) / |before|
};

// `series` in time order. `permutations` shuffles from a fixed seed make the answer
// reproducible. A permutation test cannot go below p = 2 / C(n, n/2): with the default alpha of
// 0.02 a clean step needs at least 9 measurements to be called drift (p = 0.016 at n = 9).
DriftResult detect_drift(const std::vector<double>& series, double alpha = 0.02,
                         std::size_t permutations = 999, std::uint64_t seed = 1);

// Which baseline measurements a configuration is compared with when the baseline drifted: for each
// of its trials the baseline measured just before and just after it (ids are in time order; a
// trial with nothing on one side takes the nearest on the other), then the nearest by id distance
// until there are at least `at_least` (or all). Returns indexes into `baseline_ids`, ascending.
std::vector<std::size_t> nearest_in_time(const std::vector<std::int64_t>& baseline_ids,
                                         const std::vector<std::int64_t>& trial_ids,
                                         std::size_t at_least);

}  // namespace nictune::stats
