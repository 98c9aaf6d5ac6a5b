// Small-sample statistics for repetitions of one configuration: summaries with Student-t
// confidence intervals, Welch's unequal-variance t-test and the Mann-Whitney U test. Everything
// is self-contained (the regularised incomplete beta function is implemented here) so the
// numbers do not depend on which libraries a host happens to have.
#pragma once

#include <cstddef>
#include <vector>

namespace nictune::stats {

double mean(const std::vector<double>& xs);  // NaN when empty
// Sample variance (n - 1 denominator); NaN when fewer than 2 values.
double variance(const std::vector<double>& xs);
double stddev(const std::vector<double>& xs);

// Special functions.
double log_gamma(double x);
// I_x(a, b), the regularised incomplete beta function, for a, b > 0 and 0 <= x <= 1.
double incomplete_beta(double a, double b, double x);
double normal_cdf(double z);
// P(T <= t) for Student's t with `df` > 0 degrees of freedom (df need not be an integer).
double student_t_cdf(double t, double df);
// The t with P(T <= t) = p, 0 < p < 1.
double student_t_quantile(double p, double df);

// Fewest repetitions whose interval is worth showing. With 2 the Student-t interval rests on one
// degree of freedom (t = 12.7 at 95 %) and is routinely wider than the mean itself: a report
// says "not enough repetitions to judge" instead, and no test is run on such a sample.
inline constexpr std::size_t kMinRepetitionsToJudge = 3;

// Mean with a two-sided confidence interval from Student's t. With n < kMinRepetitionsToJudge
// half_width is NaN and has_ci() false (stddev is still given from n = 2 on).
struct Summary {
  std::size_t n = 0;
  double mean = 0;
  double stddev = 0;      // NaN when n < 2
  double half_width = 0;  // CI half-width; NaN when n < kMinRepetitionsToJudge
  double ci_low() const { return mean - half_width; }
  double ci_high() const { return mean + half_width; }
  bool has_ci() const;
  bool judgeable() const { return n >= kMinRepetitionsToJudge; }
};
Summary summarize(const std::vector<double>& xs, double level = 0.95);

// Do [a.ci_low, a.ci_high] and [b.ci_low, b.ci_high] intersect? A summary without a CI is the
// single point at its mean.
bool intervals_overlap(const Summary& a, const Summary& b);

// Welch's t-test of mean(b) - mean(a) != 0 (two-sided), with the Welch-Satterthwaite degrees of
// freedom and the matching confidence interval of the difference. Needs n >= 2 on both sides
// (valid() false otherwise). When both samples have zero variance the difference is either
// exactly 0 (p = 1) or certain (p = 0, t infinite).
struct WelchResult {
  double difference = 0;  // mean(b) - mean(a)
  double t = 0;
  double df = 0;
  double p_value = 1;
  double ci_low = 0, ci_high = 0;  // of the difference, at the requested level
  bool valid = false;
};
WelchResult welch_t_test(const std::vector<double>& a, const std::vector<double>& b,
                         double level = 0.95);
// The same from the samples' summaries (n, mean, stddev): what a report keeps of a configuration.
WelchResult welch_from_summaries(const Summary& a, const Summary& b, double level = 0.95);

// Mann-Whitney U test (two-sided) of a against b. Ties get mid-ranks. With n_a + n_b <=
// kMannWhitneyExactLimit the p-value is exact: the permutation distribution of the rank sum is
// counted, ties included. Larger samples use the normal approximation with the tie correction
// of the variance and a continuity correction of 1/2.
inline constexpr std::size_t kMannWhitneyExactLimit = 40;
struct MannWhitneyResult {
  double u_a = 0;  // U of sample a: pairs (x in a, y in b) with x > y, ties counting 1/2
  double u_b = 0;  // n_a * n_b - u_a
  double p_value = 1;
  bool exact = false;
  bool valid = false;  // both samples non-empty
};
MannWhitneyResult mann_whitney_u(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace nictune::stats
