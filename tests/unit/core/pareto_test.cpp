#include "core/pareto.hpp"

#include <gtest/gtest.h>

#include <random>

#include "core/errors.hpp"

namespace nictune {
namespace {

using Rows = std::vector<std::vector<double>>;

// Union of boxes by inclusion-exclusion over every subset: an independent (exponential)
// reference for small sets.
double inclusion_exclusion(const Rows& points, const std::vector<double>& ref) {
  const std::size_t n = points.size(), d = ref.size();
  double total = 0;
  for (std::size_t mask = 1; mask < (std::size_t{1} << n); ++mask) {
    std::vector<double> corner(d, -1e300);
    int members = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (!(mask >> i & 1)) continue;
      ++members;
      for (std::size_t k = 0; k < d; ++k) corner[k] = std::max(corner[k], points[i][k]);
    }
    double box = 1;
    for (std::size_t k = 0; k < d; ++k) box *= std::max(0.0, ref[k] - corner[k]);
    total += (members % 2 ? 1 : -1) * box;
  }
  return total;
}

TEST(ParetoRanks, FrontsTiesAndDuplicates) {
  Rows pts = {{1, 2}, {2, 1}, {2, 2}, {1, 2}, {3, 3}, {2, 3}};
  EXPECT_EQ(pareto_ranks(pts), (std::vector<int>{0, 0, 1, 0, 3, 2}));
  EXPECT_EQ(pareto_front_indices(pts), (std::vector<int>{0, 1, 3}));
}

TEST(ParetoRanks, ThreeObjectives) {
  // c is dominated by a only; d by c (and a); e ties a on two objectives but loses none.
  Rows pts = {{1, 1, 1}, {0, 2, 2}, {1, 2, 1}, {2, 2, 2}, {1, 1, 0}};
  // e=(1,1,0) dominates a=(1,1,1).
  EXPECT_EQ(pareto_ranks(pts), (std::vector<int>{1, 0, 2, 3, 0}));
}

TEST(ParetoRanks, EdgeCases) {
  EXPECT_TRUE(pareto_ranks({}).empty());
  EXPECT_EQ(pareto_ranks({{5}}), (std::vector<int>{0}));
  EXPECT_EQ(pareto_ranks({{3}, {1}, {2}, {1}}), (std::vector<int>{2, 0, 1, 0}));
  EXPECT_THROW(pareto_ranks({{1, 2}, {1}}), Error);
  EXPECT_THROW(pareto_ranks({{1, std::nan("")}}), Error);
}

TEST(Hypervolume, TwoDimensionalStaircase) {
  Rows pts = {{1, 3}, {2, 2}, {3, 1}};
  EXPECT_DOUBLE_EQ(hypervolume(pts, {4, 4}), 6.0);
  // Duplicates, dominated points, points outside or on the reference box add nothing.
  Rows noisy = pts;
  noisy.push_back({2, 2});
  noisy.push_back({3, 3});
  noisy.push_back({5, 0});
  noisy.push_back({1, 4});
  EXPECT_DOUBLE_EQ(hypervolume(noisy, {4, 4}), 6.0);
  EXPECT_DOUBLE_EQ(hypervolume({}, {4, 4}), 0.0);
  EXPECT_DOUBLE_EQ(hypervolume({{0, 0}}, {4, 4}), 16.0);
  EXPECT_DOUBLE_EQ(hypervolume_improvement(pts, {1, 1}, {4, 4}), 3.0);
  EXPECT_DOUBLE_EQ(hypervolume_improvement(pts, {3, 3}, {4, 4}), 0.0);
}

TEST(Hypervolume, OneDimension) {
  EXPECT_DOUBLE_EQ(hypervolume({{3}, {1}, {7}}, {5}), 4.0);
}

TEST(Hypervolume, ThreeDimensionalHandCases) {
  EXPECT_DOUBLE_EQ(hypervolume({{0, 0, 0}}, {1, 2, 3}), 6.0);
  // [0,2]x[0,2]x[1,2] = 4 plus [1,2]x[1,2]x[0,2] = 2 minus their overlap [1,2]^3 = 1.
  EXPECT_DOUBLE_EQ(hypervolume({{0, 0, 1}, {1, 1, 0}}, {2, 2, 2}), 5.0);
  // Three boxes of 4, pairwise overlaps of 2, a common cube of 1: 12 - 6 + 1.
  EXPECT_DOUBLE_EQ(hypervolume({{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, {2, 2, 2}), 7.0);
  // Same with a duplicate and a dominated point.
  EXPECT_DOUBLE_EQ(hypervolume({{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {0, 1, 0}, {1, 1, 1}}, {2, 2, 2}),
                   7.0);
  // Ties on one coordinate.
  EXPECT_DOUBLE_EQ(hypervolume({{0, 1, 1}, {1, 0, 1}}, {2, 2, 2}), 3.0);
}

TEST(Hypervolume, MatchesInclusionExclusionOnRandomSets) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0, 1);
  for (std::size_t d = 2; d <= 5; ++d) {
    for (int rep = 0; rep < 20; ++rep) {
      Rows pts(1 + rep % 9);
      for (auto& p : pts) {
        p.resize(d);
        for (auto& v : p) v = std::round(u(rng) * 8) / 8;  // ties happen
      }
      std::vector<double> ref(d, 1.05);
      EXPECT_NEAR(hypervolume(pts, ref), inclusion_exclusion(pts, ref), 1e-12)
          << "d=" << d << " rep=" << rep;
    }
  }
}

TEST(Hypervolume, RejectsBadInput) {
  EXPECT_THROW(hypervolume({{1, 2, 3}}, {4, 4}), Error);
  EXPECT_THROW(hypervolume({{1, 2}}, {}), Error);
  EXPECT_THROW(hypervolume({{1, 2}}, {4, INFINITY}), Error);
}

}  // namespace
}  // namespace nictune
