// Reference values: unless said otherwise they were computed once with SciPy 1.10.1 (Debian
// python3-scipy): scipy.stats.t.ppf / t.cdf, scipy.special.betainc, scipy.stats.ttest_ind(...,
// equal_var=False), scipy.stats.mannwhitneyu(..., alternative="two-sided", method=...). The
// exact Mann-Whitney p-values with ties come from a brute-force enumeration of every split
// (itertools.combinations over scipy.stats.rankdata mid-ranks), since SciPy's exact method
// ignores ties.
#include "core/statistics.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace nictune::stats {
namespace {

TEST(Statistics, MeanVarianceStddev) {
  EXPECT_DOUBLE_EQ(mean({1, 2, 3, 4, 5}), 3);
  EXPECT_DOUBLE_EQ(variance({1, 2, 3, 4, 5}), 2.5);  // by hand: (4+1+0+1+4)/4
  EXPECT_DOUBLE_EQ(stddev({2, 4, 4, 4, 5, 5, 7, 9}), std::sqrt(32.0 / 7));
  EXPECT_TRUE(std::isnan(mean({})));
  EXPECT_TRUE(std::isnan(variance({42})));
}

TEST(Statistics, IncompleteBeta) {
  EXPECT_NEAR(incomplete_beta(2, 3, 0.5), 0.6875, 1e-14);  // by hand: 11/16
  EXPECT_NEAR(incomplete_beta(1, 1, 0.2), 0.2, 1e-14);     // uniform distribution
  EXPECT_NEAR(incomplete_beta(0.5, 0.5, 0.3), 0.3690101195655454, 1e-12);
  EXPECT_NEAR(incomplete_beta(10, 20, 0.4), 0.785318389762826, 1e-12);
  EXPECT_NEAR(incomplete_beta(2.5, 0.5, 0.9), 0.4895897445644274, 1e-12);
  EXPECT_NEAR(incomplete_beta(200, 300, 0.41), 0.6776281647721865, 1e-10);
  EXPECT_NEAR(incomplete_beta(5, 0.5, 0.999), 0.9222819921009667, 1e-12);
  EXPECT_EQ(incomplete_beta(3, 4, 0), 0);
  EXPECT_EQ(incomplete_beta(3, 4, 1), 1);
  EXPECT_TRUE(std::isnan(incomplete_beta(3, 4, 1.5)));
}

TEST(Statistics, StudentTQuantilesMatchTables) {
  // The 97.5 % quantiles are the textbook two-sided 95 % table values (12.706, 4.303, 2.776,
  // 2.262, 2.045, 1.980). For df <= 4 the references solve the closed-form CDFs in double
  // precision (df 1: tan(pi (p - 1/2)); df 2: sqrt(2 / (4 p (1 - p)) - 2); df 3 and 4 by
  // bisection on the closed forms), which are tighter than SciPy's t.ppf (off by 1e-8 at
  // p = 0.995, df = 3). The others are SciPy's, good to about 1e-9.
  EXPECT_NEAR(student_t_quantile(0.975, 1), 12.706204736174696, 1e-11);
  EXPECT_NEAR(student_t_quantile(0.975, 2), 4.302652729749464, 1e-12);
  EXPECT_NEAR(student_t_quantile(0.995, 3), 5.840909309733339, 1e-12);
  EXPECT_NEAR(student_t_quantile(0.975, 4), 2.776445105197793, 1e-12);
  EXPECT_NEAR(student_t_quantile(0.975, 9), 2.2621571627409915, 1e-9);
  EXPECT_NEAR(student_t_quantile(0.975, 29), 2.045229642132703, 1e-9);
  EXPECT_NEAR(student_t_quantile(0.975, 120), 1.9799304050527766, 1e-9);
  EXPECT_NEAR(student_t_quantile(0.975, 2.5), 3.5746548420118773, 1e-9);
  EXPECT_NEAR(student_t_quantile(0.05, 7), -1.8945786050613054, 1e-9);
  EXPECT_EQ(student_t_quantile(0.5, 3), 0);
  EXPECT_TRUE(std::isnan(student_t_quantile(1.0, 3)));
}

TEST(Statistics, StudentTCdf) {
  EXPECT_NEAR(student_t_cdf(2.0, 5), 0.9490302605850709, 1e-12);
  EXPECT_NEAR(student_t_cdf(-1.5, 3.7), 0.10679908460100665, 1e-12);
  EXPECT_NEAR(student_t_cdf(30, 2), 0.9994453686590202, 1e-12);
  EXPECT_NEAR(student_t_cdf(0, 3), 0.5, 1e-15);
  // df = 1 is the Cauchy distribution: by hand, 1/2 + atan(t)/pi.
  EXPECT_NEAR(student_t_cdf(1.0, 1), 0.75, 1e-13);
  EXPECT_NEAR(normal_cdf(1.959963984540054), 0.975, 1e-12);
}

TEST(Statistics, SummaryConfidenceInterval) {
  // scipy.stats.t.interval(0.95, n-1, loc=mean, scale=sem)
  auto s = summarize({1, 2, 3, 4, 5});
  EXPECT_EQ(s.n, 5u);
  EXPECT_DOUBLE_EQ(s.mean, 3);
  EXPECT_NEAR(s.stddev, 1.5811388300841898, 1e-12);
  EXPECT_NEAR(s.ci_low(), 1.036756838522439, 1e-9);
  EXPECT_NEAR(s.ci_high(), 4.9632431614775605, 1e-9);
  auto r = summarize({10.1, 10.4, 9.8, 10.0});
  EXPECT_NEAR(r.ci_low(), 9.677194211839467, 1e-9);
  EXPECT_NEAR(r.ci_high(), 10.472805788160532, 1e-9);

  auto one = summarize({7});
  EXPECT_EQ(one.n, 1u);
  EXPECT_FALSE(one.has_ci());
  EXPECT_DOUBLE_EQ(one.mean, 7);
  EXPECT_TRUE(std::isnan(one.half_width));

  // Two repetitions: the 95 % interval would be 12.7 standard errors wide (t with 1 degree of
  // freedom), wider than the mean here. No interval is given; the spread still is.
  auto two = summarize({100, 300});
  EXPECT_EQ(two.n, 2u);
  EXPECT_FALSE(two.judgeable());
  EXPECT_FALSE(two.has_ci());
  EXPECT_TRUE(std::isnan(two.half_width));
  EXPECT_NEAR(two.stddev, 141.42135623730951, 1e-9);
  EXPECT_TRUE(summarize({100, 300, 200}).judgeable());

  auto constant = summarize({3, 3, 3});
  EXPECT_TRUE(constant.has_ci());
  EXPECT_EQ(constant.half_width, 0);
}

TEST(Statistics, IntervalsOverlap) {
  auto a = summarize({1, 2, 3});  // 2 +- 2.48
  auto b = summarize({4, 5, 6});  // 5 +- 2.48
  auto c = summarize({10, 11, 12});
  EXPECT_TRUE(intervals_overlap(a, b));
  EXPECT_FALSE(intervals_overlap(a, c));
  EXPECT_TRUE(intervals_overlap(summarize({5}), b));  // a point inside b's interval
  EXPECT_FALSE(intervals_overlap(summarize({5}), summarize({6})));
}

TEST(Statistics, WelchTextbookExample) {
  // Welch's t-test, "example 1" data of the Wikipedia article.
  std::vector<double> a = {19.8, 20.4, 19.6, 17.8, 18.5, 18.9, 18.3, 18.9, 19.5, 22.0};
  std::vector<double> b = {28.2, 26.6, 20.1, 23.3, 25.2, 22.1, 17.7, 27.6, 20.6, 13.7,
                           23.2, 17.5, 20.6, 18.0, 23.9, 21.6, 24.3, 20.4, 23.9, 13.3};
  auto r = welch_t_test(a, b);
  ASSERT_TRUE(r.valid);
  EXPECT_NEAR(r.t, 2.225512039969852, 1e-10);
  EXPECT_NEAR(r.df, 24.524634944257343, 1e-9);
  EXPECT_NEAR(r.p_value, 0.035484530830010325, 1e-10);
  EXPECT_NEAR(r.difference, 2.22, 1e-12);
  EXPECT_NEAR(r.ci_low, 0.16354134987944713, 1e-9);
  EXPECT_NEAR(r.ci_high, 4.276458650120551, 1e-9);

  // Swapping the samples flips the sign, not the p-value.
  auto s = welch_t_test(b, a);
  EXPECT_NEAR(s.t, -r.t, 1e-12);
  EXPECT_NEAR(s.p_value, r.p_value, 1e-14);
}

TEST(Statistics, WelchFromSummariesIsTheSampleTest) {
  // What a report keeps of a configuration (n, mean, stddev) gives the same test as its trials.
  std::vector<double> a = {19.8, 20.4, 19.6, 17.8, 18.5, 18.9, 18.3, 18.9, 19.5, 22.0};
  std::vector<double> b = {28.2, 26.6, 20.1, 23.3, 25.2, 22.1, 17.7, 27.6, 20.6, 13.7};
  const auto from_samples = welch_t_test(a, b);
  const auto from_summaries = welch_from_summaries(summarize(a), summarize(b));
  ASSERT_TRUE(from_summaries.valid);
  EXPECT_NEAR(from_summaries.t, from_samples.t, 1e-9);
  EXPECT_NEAR(from_summaries.df, from_samples.df, 1e-9);
  EXPECT_NEAR(from_summaries.p_value, from_samples.p_value, 1e-12);
  EXPECT_NEAR(from_summaries.ci_high, from_samples.ci_high, 1e-9);
  EXPECT_FALSE(welch_from_summaries(summarize({1}), summarize({2, 3})).valid);
  EXPECT_EQ(welch_from_summaries(summarize({5, 5, 5}), summarize({6, 6})).p_value, 0);
}

TEST(Statistics, WelchThroughputDrop) {
  std::vector<double> before = {1.0e6, 1.02e6, 0.99e6};
  std::vector<double> after = {0.95e6, 0.96e6, 0.94e6, 0.97e6};
  auto r = welch_t_test(before, after);
  EXPECT_NEAR(r.t, -4.42245853964554, 1e-10);
  EXPECT_NEAR(r.p_value, 0.011756015260926726, 1e-10);
}

TEST(Statistics, WelchDegenerateCases) {
  EXPECT_FALSE(welch_t_test({1}, {2, 3}).valid);
  auto same = welch_t_test({5, 5, 5}, {5, 5});
  EXPECT_TRUE(same.valid);
  EXPECT_EQ(same.p_value, 1);
  auto shifted = welch_t_test({5, 5, 5}, {6, 6});
  EXPECT_EQ(shifted.p_value, 0);
  EXPECT_TRUE(std::isinf(shifted.t));
  EXPECT_EQ(shifted.ci_low, 1);
  // One sample constant: df is the other's n - 1 (by hand from the Welch-Satterthwaite formula).
  auto half = welch_t_test({5, 5, 5}, {6, 7, 8});
  EXPECT_NEAR(half.df, 2, 1e-12);
}

TEST(Statistics, MannWhitneyExactWithoutTies) {
  auto r = mann_whitney_u({1.1, 2.2, 3.3, 4.4}, {5.5, 6.6, 7.7, 8.8, 9.9});
  ASSERT_TRUE(r.valid);
  EXPECT_TRUE(r.exact);
  EXPECT_EQ(r.u_a, 0);
  EXPECT_EQ(r.u_b, 20);
  // By hand as well: the most extreme of C(9,4) = 126 splits on either side, 2/126.
  EXPECT_NEAR(r.p_value, 0.015873015873015872, 1e-14);

  auto s = mann_whitney_u({3, 5, 8, 9, 12}, {1, 2, 4, 6, 7, 10});
  EXPECT_EQ(s.u_a, 21);
  EXPECT_NEAR(s.p_value, 0.32900432900432897, 1e-13);
}

TEST(Statistics, MannWhitneyExactWithTies) {
  auto r = mann_whitney_u({1, 2, 2, 3, 5}, {2, 3, 3, 4, 6, 6});
  EXPECT_TRUE(r.exact);
  EXPECT_EQ(r.u_a, 7);
  EXPECT_NEAR(r.p_value, 0.17316017316017315, 1e-13);

  auto all_equal = mann_whitney_u({0, 0, 0}, {0, 0, 0});
  EXPECT_EQ(all_equal.u_a, 4.5);
  EXPECT_EQ(all_equal.p_value, 1);
}

TEST(Statistics, MannWhitneyNormalApproximation) {
  // 48 values with many ties: above the exact limit.
  std::vector<double> a, b;
  for (int i = 0; i < 3; ++i) {
    for (double x : {1, 2, 2, 3, 3, 3, 4, 5}) a.push_back(x);
    for (double y : {2, 3, 4, 4, 5, 5, 6, 7}) b.push_back(y);
  }
  auto r = mann_whitney_u(a, b);
  EXPECT_FALSE(r.exact);
  EXPECT_EQ(r.u_a, 121.5);
  EXPECT_NEAR(r.p_value, 0.0004909018551137398, 1e-12);

  std::vector<double> big_a = {0.3, 0.8,  0.3,  -1.3, 0.9,  0.4,  -0.5, 0.6,  0.4,  0.3,
                               0.0, 0.5,  -0.7, -0.2, -0.5, 0.6,  0.0,  -0.3, -0.8, -0.3,
                               0.0, -0.3, 1.3,  1.0,  -2.7, -1.9, -0.2, -0.4, 0.2,  0.2};
  std::vector<double> big_b = {2.6, -0.6, 0.1,  2.5,  1.1,  1.2,  -0.0, -1.1, 0.7,
                               0.6, -0.7, -0.2, 0.4,  -0.4, 0.4,  0.6,  0.5,  -0.0,
                               1.1, 1.4,  0.8,  -0.3, 1.2,  -0.0, 1.4};
  auto s = mann_whitney_u(big_a, big_b);
  EXPECT_FALSE(s.exact);
  EXPECT_EQ(s.u_a, 243);
  EXPECT_NEAR(s.p_value, 0.026010790464404774, 1e-12);
}

TEST(Statistics, MannWhitneyEmptySample) {
  EXPECT_FALSE(mann_whitney_u({}, {1, 2}).valid);
}

}  // namespace
}  // namespace nictune::stats
