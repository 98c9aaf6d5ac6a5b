// Drift detection on synthetic series: a 10 % step is found with its place and size, pure noise
// raises no alarm in at least 95 % of seeds, and short series are not judged.
#include "reports/drift.hpp"

#include <gtest/gtest.h>

#include <random>

namespace nictune::stats {
namespace {

// 12 baseline measurements with 2 % Gaussian noise; a step of `step` (relative) from index 6.
std::vector<double> series(std::uint64_t seed, double step, std::size_t n = 12,
                           std::size_t at = 6) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0, 0.02 * 1e6);
  std::vector<double> x;
  for (std::size_t i = 0; i < n; ++i) x.push_back(1e6 * (i >= at ? 1 + step : 1) + noise(rng));
  return x;
}

TEST(Drift, FindsATenPercentStepItsPlaceAndSize) {
  int found = 0;
  constexpr int kSeeds = 100;
  for (int seed = 1; seed <= kSeeds; ++seed) {
    const auto r = detect_drift(series(static_cast<std::uint64_t>(seed), 0.10));
    ASSERT_TRUE(r.valid);
    if (!r.drift) continue;
    ++found;
    EXPECT_NEAR(r.relative, 0.10, 0.04) << "seed " << seed;
    EXPECT_NEAR(static_cast<double>(r.split), 6, 1) << "seed " << seed;
    EXPECT_EQ(r.back, 0u) << "seed " << seed << ": one step, the level stayed";
  }
  EXPECT_GE(found, 95) << "a 10 % step in 12 measurements with 2 % noise";
}

TEST(Drift, FindsADownwardStepAndATrend) {
  auto down = detect_drift(series(7, -0.10));
  EXPECT_TRUE(down.drift);
  EXPECT_LT(down.relative, -0.06);
  std::vector<double> trend;
  for (int i = 0; i < 12; ++i) trend.push_back(100 + 1.5 * i + (i % 2 ? 0.5 : -0.5));
  EXPECT_TRUE(detect_drift(trend).drift);
}

TEST(Drift, FindsALevelThatRisesAndFallsBack) {
  // 15 measurements, the middle 5 on a level 20 % higher (a capacity mode that came and went):
  // the two halves of the run have the same mean, so one step explains little of it.
  int found = 0;
  constexpr int kSeeds = 50;
  for (int seed = 1; seed <= kSeeds; ++seed) {
    auto x = series(static_cast<std::uint64_t>(seed) + 500, 0.0, 15);
    for (std::size_t i = 5; i < 10; ++i) x[i] *= 1.2;
    const auto r = detect_drift(x);
    if (!r.drift) continue;
    ++found;
    // Both edges, and the level between them against the one before.
    EXPECT_NEAR(static_cast<double>(r.split), 5, 1) << "seed " << seed;
    EXPECT_NEAR(static_cast<double>(r.back), 10, 1) << "seed " << seed;
    EXPECT_NEAR(r.relative, 0.20, 0.05) << "seed " << seed;
    EXPECT_NEAR(r.back_mean / r.before_mean, 1.0, 0.05) << "seed " << seed;
  }
  EXPECT_GE(found, kSeeds * 9 / 10) << found << " of " << kSeeds;
}

TEST(Drift, NoFalseAlarmOnPureNoiseInNinetyFivePercentOfSeeds) {
  int alarms = 0;
  constexpr int kSeeds = 200;
  for (int seed = 1; seed <= kSeeds; ++seed) {
    const auto r = detect_drift(series(static_cast<std::uint64_t>(seed) + 1000, 0.0));
    ASSERT_TRUE(r.valid);
    if (r.drift) ++alarms;
  }
  EXPECT_LE(alarms, kSeeds * 5 / 100) << alarms << " false alarms in " << kSeeds << " seeds";
}

TEST(Drift, ShortOrConstantSeriesAreNotJudged) {
  EXPECT_FALSE(detect_drift({1, 2, 3, 4, 5}).valid);
  const auto flat = detect_drift({5, 5, 5, 5, 5, 5, 5});
  EXPECT_TRUE(flat.valid);
  EXPECT_FALSE(flat.drift);
}

TEST(Drift, NearestInTimeTakesTheBaselineAroundEachTrial) {
  // Baseline trials (ids) 1 2 3 12 21 30 39, given out of order; a configuration measured at 13,
  // 14 and 22: the baselines around them are 12, 21 and 30.
  const std::vector<std::int64_t> base = {21, 1, 2, 3, 12, 30, 39};
  EXPECT_EQ(nearest_in_time(base, {13, 14, 22}, 3), (std::vector<std::size_t>{0, 4, 5}));
  // One trial (15) between 12 and 21: those two, then the nearest by distance: 3 (12 away; 30 is
  // 15 away).
  EXPECT_EQ(nearest_in_time(base, {15}, 3), (std::vector<std::size_t>{0, 3, 4}));
  // After the last baseline: the last one, then the ones before it.
  EXPECT_EQ(nearest_in_time(base, {40, 41}, 3), (std::vector<std::size_t>{0, 5, 6}));
  // Before the first: the first, then the next.
  EXPECT_EQ(nearest_in_time({5, 9, 20}, {1}, 2), (std::vector<std::size_t>{0, 1}));
  // Fewer baselines than asked: all of them.
  EXPECT_EQ(nearest_in_time({5, 9}, {1}, 3), (std::vector<std::size_t>{0, 1}));
  EXPECT_TRUE(nearest_in_time({}, {1}, 3).empty());
}

}  // namespace
}  // namespace nictune::stats
