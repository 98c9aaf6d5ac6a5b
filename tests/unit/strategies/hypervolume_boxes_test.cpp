// The box decomposition behind EHVI against brute force: exact cell counting on integer fronts,
// the slicing hypervolume of pareto.hpp on real-valued ones, and Monte-Carlo for the expectation.
#include "strategies/hypervolume_boxes.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/pareto.hpp"
#include "strategies/acquisition.hpp"

namespace nictune {
namespace {

using Rows = std::vector<std::vector<double>>;

// Integer points in [0, 12]^m (some outside the [., 10] box), with duplicates.
Rows integer_front(std::size_t m, std::size_t n, std::mt19937_64& rng) {
  std::uniform_int_distribution<int> coord(0, 12);
  Rows out;
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<double> p(m);
    for (auto& v : p) v = coord(rng);
    out.push_back(p);
    if (i % 4 == 0) out.push_back(p);  // a duplicate
  }
  return out;
}

// Number of unit cells [c, c + 1] (c integer, 0 <= c_k < 10) that some point dominates: the exact
// hypervolume of integer points inside the box [0, 10]^m with reference 10.
double counted_volume(const Rows& points, std::size_t m) {
  std::size_t cells = 1;
  for (std::size_t k = 0; k < m; ++k) cells *= 10;
  double count = 0;
  std::vector<double> c(m);
  for (std::size_t i = 0; i < cells; ++i) {
    std::size_t rest = i;
    for (std::size_t k = 0; k < m; ++k, rest /= 10) c[k] = double(rest % 10);
    for (const auto& p : points) {
      bool covers = true;
      for (std::size_t k = 0; k < m && covers; ++k) covers = p[k] <= c[k];
      if (covers) {
        ++count;
        break;
      }
    }
  }
  return count;
}

class BoxesByDimension : public ::testing::TestWithParam<std::size_t> {};

TEST_P(BoxesByDimension, ImprovementMatchesCellCounting) {
  const std::size_t m = GetParam();
  std::mt19937_64 rng(7 + m);
  const std::vector<double> ref(m, 10);
  for (int trial = 0; trial < 6; ++trial) {
    Rows front = integer_front(m, m == 3 ? 14 : 8, rng);
    HypervolumeBoxes boxes(front, ref);
    double before = counted_volume(front, m);
    EXPECT_NEAR(hypervolume(front, ref), before, 1e-9);
    for (int probe = 0; probe < 8; ++probe) {
      std::vector<double> y = integer_front(m, 1, rng)[0];
      if (probe == 0) y = front[0];  // a duplicate of a front point adds nothing
      Rows with = front;
      with.push_back(y);
      double expected = counted_volume(with, m) - before;
      EXPECT_NEAR(boxes.improvement(y), expected, 1e-9) << "m=" << m << " probe " << probe;
    }
  }
}

TEST_P(BoxesByDimension, ImprovementMatchesSlicingHypervolume) {
  const std::size_t m = GetParam();
  std::mt19937_64 rng(100 + m);
  std::uniform_real_distribution<double> u(0, 1.2);
  const std::vector<double> ref(m, 1);
  for (int trial = 0; trial < 5; ++trial) {
    Rows front;
    // Points near the simplex sum = 1 make a realistic, mostly non-dominated front.
    for (int i = 0; i < (m == 3 ? 25 : 12); ++i) {
      std::vector<double> p(m);
      double s = 0;
      for (auto& v : p) s += (v = u(rng));
      for (auto& v : p) v = v / s * (0.9 + 0.3 * u(rng));
      front.push_back(p);
    }
    front.push_back(front[3]);
    HypervolumeBoxes boxes(front, ref);
    for (int probe = 0; probe < 10; ++probe) {
      std::vector<double> y(m);
      for (auto& v : y) v = u(rng) * 0.8;
      EXPECT_NEAR(boxes.improvement(y), hypervolume_improvement(front, y, ref), 1e-10);
    }
  }
}

TEST_P(BoxesByDimension, ExpectationMatchesMonteCarlo) {
  const std::size_t m = GetParam();
  std::mt19937_64 rng(300 + m);
  std::uniform_real_distribution<double> u(0, 1);
  const std::vector<double> ref(m, 1.1);
  Rows front;
  for (int i = 0; i < 10; ++i) {
    std::vector<double> p(m);
    double s = 0;
    for (auto& v : p) s += (v = u(rng) + 0.05);
    for (auto& v : p) v /= s;
    front.push_back(p);
  }
  front.push_back({std::vector<double>(m, 1.5)});  // outside the reference box
  HypervolumeBoxes boxes(front, ref);
  std::vector<double> mean(m, 1.0 / double(m)), sd(m);
  for (std::size_t k = 0; k < m; ++k) sd[k] = 0.05 + 0.1 * double(k);
  std::normal_distribution<double> z(0, 1);
  const int n = 5000;  // 5 standard errors stay a tight bound
  double sum = 0, sum2 = 0;
  for (int i = 0; i < n; ++i) {
    std::vector<double> y(m);
    for (std::size_t k = 0; k < m; ++k) y[k] = mean[k] + sd[k] * z(rng);
    double hvi = hypervolume_improvement(front, y, ref);
    sum += hvi;
    sum2 += hvi * hvi;
  }
  double mc = sum / n, se = std::sqrt((sum2 / n - mc * mc) / n);
  double exact = boxes.expected_improvement(mean, sd);
  EXPECT_GT(exact, 0);
  EXPECT_NEAR(exact, mc, 5 * se);
  // No uncertainty: the improvement itself.
  EXPECT_NEAR(boxes.expected_improvement(mean, std::vector<double>(m, 0)),
              hypervolume_improvement(front, mean, ref), 1e-12);
}

INSTANTIATE_TEST_SUITE_P(ThreeAndFour, BoxesByDimension, ::testing::Values(3u, 4u));

TEST(HypervolumeBoxes, TwoObjectivesAgreeWithTheStripFormula) {
  Rows front = {{1, 3}, {2, 2}, {3, 1}, {2, 2}, {5, 0}};
  std::vector<double> ref = {4, 4};
  HypervolumeBoxes boxes(front, ref);
  for (std::vector<double> mu : {std::vector<double>{1.5, 1.5}, {0, 0}, {3.5, 3.5}}) {
    EXPECT_NEAR(boxes.expected_improvement(mu, {0.3, 0.8}),
                expected_hypervolume_improvement_2d(front, ref, mu, {0.3, 0.8}), 1e-12);
  }
}

TEST(HypervolumeBoxes, EmptyFrontIsOneBoxUpToTheReference) {
  HypervolumeBoxes boxes({}, {1, 1, 1});
  EXPECT_EQ(boxes.size(), 1u);
  EXPECT_NEAR(boxes.improvement({0, 0.5, 0.75}), 1 * 0.5 * 0.25, 1e-15);
  EXPECT_EQ(boxes.improvement({0, 2, 0}), 0);
}

}  // namespace
}  // namespace nictune
