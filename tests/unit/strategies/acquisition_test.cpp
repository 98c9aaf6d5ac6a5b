#include "strategies/acquisition.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/pareto.hpp"

namespace nictune {
namespace {

TEST(ExpectedImprovement, HandValues) {
  // At the incumbent: sd * phi(0).
  EXPECT_NEAR(expected_improvement(0, 1, 0), 1 / std::sqrt(2 * M_PI), 1e-15);
  EXPECT_NEAR(expected_improvement(0, 2, 0), 2 / std::sqrt(2 * M_PI), 1e-15);
  // No uncertainty: the plain improvement.
  EXPECT_DOUBLE_EQ(expected_improvement(1, 0, 3), 2.0);
  EXPECT_DOUBLE_EQ(expected_improvement(4, 0, 3), 0.0);
  // (best - mu) Phi(1) + phi(1) for mu = -1, best = 0.
  EXPECT_NEAR(expected_improvement(-1, 1, 0), 0.8413447460685429 + 0.24197072451914337, 1e-12);
  EXPECT_NEAR(probability_below(0, 1, 0), 0.5, 1e-15);
  EXPECT_NEAR(probability_below(1, 2, 3), 0.8413447460685429, 1e-12);
}

TEST(ExpectedHypervolumeImprovement, EmptyFrontIsProductOfShortfalls) {
  // mu = 0, sd = 1, reference 0: each factor is phi(0), so EHVI = 1 / (2 pi).
  EXPECT_NEAR(expected_hypervolume_improvement_2d({}, {0, 0}, {0, 0}, {1, 1}), 1 / (2 * M_PI),
              1e-15);
}

TEST(ExpectedHypervolumeImprovement, DeterministicLimitIsTheImprovement) {
  std::vector<std::vector<double>> front = {{1, 3}, {2, 2}, {3, 1}};
  std::vector<double> ref = {4, 4};
  for (std::vector<double> p : {std::vector<double>{1.5, 1.5}, {0.5, 3.5}, {2.5, 2.5}, {0, 0}}) {
    EXPECT_NEAR(expected_hypervolume_improvement_2d(front, ref, p, {0, 0}),
                hypervolume_improvement(front, p, ref), 1e-12);
    EXPECT_NEAR(expected_hypervolume_improvement_2d(front, ref, p, {1e-9, 1e-9}),
                hypervolume_improvement(front, p, ref), 1e-7);
  }
  // (1.5, 1.5) adds the 0.5 x 0.5 notch at (2, 2) plus the two side slabs: 0.5*1.5 + 0.5*0.5 +
  // 0.5*0.5... written out: region {x in [1.5,2), y in [1.5,3)} = 0.75, {x in [2,3), y in
  // [1.5,2)} = 0.5, {x in [2,4)...} none beyond (3,1) below 1.5: {x in [3,4)?}. Total 1.25.
  EXPECT_NEAR(expected_hypervolume_improvement_2d(front, ref, {1.5, 1.5}, {0, 0}), 1.25, 1e-12);
  // Duplicates, dominated and out-of-box points in the front change nothing.
  auto noisy = front;
  noisy.push_back({2, 2});
  noisy.push_back({3.5, 3.5});
  noisy.push_back({5, 0});
  EXPECT_NEAR(expected_hypervolume_improvement_2d(noisy, ref, {1, 1}, {0.3, 0.7}),
              expected_hypervolume_improvement_2d(front, ref, {1, 1}, {0.3, 0.7}), 1e-15);
}

TEST(ExpectedHypervolumeImprovement, MatchesMonteCarlo) {
  std::vector<std::vector<double>> front = {{0.2, 0.9}, {0.5, 0.4}, {0.8, 0.1}};
  std::vector<double> ref = {1.1, 1.1};
  std::vector<double> mu = {0.45, 0.5}, sd = {0.2, 0.3};
  std::mt19937_64 rng(42);
  std::normal_distribution<double> z(0, 1);
  const int n = 40000;
  double sum = 0, sum2 = 0;
  for (int i = 0; i < n; ++i) {
    std::vector<double> p = {mu[0] + sd[0] * z(rng), mu[1] + sd[1] * z(rng)};
    double hvi = hypervolume_improvement(front, p, ref);
    sum += hvi;
    sum2 += hvi * hvi;
  }
  double mean = sum / n, se = std::sqrt((sum2 / n - mean * mean) / n);
  EXPECT_NEAR(expected_hypervolume_improvement_2d(front, ref, mu, sd), mean, 5 * se);
}

}  // namespace
}  // namespace nictune
