#include "core/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace nictune::stats {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Continued fraction of the incomplete beta function (modified Lentz), converging quickly for
// x < (a + 1) / (a + b + 2).
double beta_continued_fraction(double a, double b, double x) {
  constexpr double kTiny = 1e-300;
  constexpr double kEps = 1e-16;
  const double qab = a + b, qap = a + 1, qam = a - 1;
  double c = 1;
  double d = 1 - qab * x / qap;
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1 / d;
  double h = d;
  for (int m = 1; m <= 100000; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    const double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1) < kEps) break;
  }
  return h;
}

// 0.5 * I_{df/(df+t^2)}(df/2, 1/2): P(T > |t|), one tail.
double student_t_tail(double t, double df) {
  if (std::isinf(t)) return 0;
  if (std::isinf(df)) return 0.5 * std::erfc(std::fabs(t) / std::sqrt(2.0));
  return 0.5 * incomplete_beta(df / 2, 0.5, df / (df + t * t));
}

}  // namespace

double mean(const std::vector<double>& xs) {
  if (xs.empty()) return kNaN;
  return std::accumulate(xs.begin(), xs.end(), 0.0) / static_cast<double>(xs.size());
}

double variance(const std::vector<double>& xs) {
  if (xs.size() < 2) return kNaN;
  const double m = mean(xs);
  double ss = 0;
  for (double x : xs) ss += (x - m) * (x - m);
  return ss / static_cast<double>(xs.size() - 1);
}

double stddev(const std::vector<double>& xs) {
  return std::sqrt(variance(xs));
}

double log_gamma(double x) {
  return std::lgamma(x);
}

double incomplete_beta(double a, double b, double x) {
  if (!(a > 0) || !(b > 0) || !(x >= 0) || !(x <= 1)) return kNaN;
  if (x == 0) return 0;
  if (x == 1) return 1;
  const double front = std::exp(log_gamma(a + b) - log_gamma(a) - log_gamma(b) + a * std::log(x) +
                                b * std::log1p(-x));
  if (x < (a + 1) / (a + b + 2)) return front * beta_continued_fraction(a, b, x) / a;
  return 1 - front * beta_continued_fraction(b, a, 1 - x) / b;
}

double normal_cdf(double z) {
  return 0.5 * std::erfc(-z / std::sqrt(2.0));
}

double student_t_cdf(double t, double df) {
  if (std::isnan(t) || !(df > 0)) return kNaN;
  const double tail = student_t_tail(t, df);
  return t > 0 ? 1 - tail : tail;
}

double student_t_quantile(double p, double df) {
  if (!(p > 0) || !(p < 1) || !(df > 0)) return kNaN;
  if (p == 0.5) return 0;
  if (p < 0.5) return -student_t_quantile(1 - p, df);
  // Solve tail(t) = 1 - p for t > 0 by bisection on the tail, which keeps full relative
  // precision for p close to 1.
  const double target = 1 - p;
  double lo = 0, hi = 1;
  while (student_t_tail(hi, df) > target) {
    lo = hi;
    hi *= 2;
    if (hi > 1e300) return kInf;
  }
  for (int i = 0; i < 200 && hi - lo > 1e-15 * hi; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (student_t_tail(mid, df) > target) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return 0.5 * (lo + hi);
}

bool Summary::has_ci() const {
  return judgeable() && std::isfinite(half_width);
}

Summary summarize(const std::vector<double>& xs, double level) {
  Summary s;
  s.n = xs.size();
  s.mean = mean(xs);
  s.stddev = stddev(xs);
  s.half_width = kNaN;
  if (s.judgeable()) {
    const double q = student_t_quantile(0.5 + level / 2, static_cast<double>(s.n - 1));
    s.half_width = q * s.stddev / std::sqrt(static_cast<double>(s.n));
  }
  return s;
}

bool intervals_overlap(const Summary& a, const Summary& b) {
  const double a_lo = a.has_ci() ? a.ci_low() : a.mean, a_hi = a.has_ci() ? a.ci_high() : a.mean;
  const double b_lo = b.has_ci() ? b.ci_low() : b.mean, b_hi = b.has_ci() ? b.ci_high() : b.mean;
  return a_lo <= b_hi && b_lo <= a_hi;
}

namespace {

// Welch's test from each sample's size, mean and variance: shared by the two entry points so the
// sample version computes the variance directly (as it always did, digit for digit).
WelchResult welch(std::size_t n_a, double mean_a, double var_a, std::size_t n_b, double mean_b,
                  double var_b, double level) {
  WelchResult r;
  r.difference = mean_b - mean_a;
  if (n_a < 2 || n_b < 2) {
    r.t = kNaN;
    r.df = kNaN;
    r.p_value = kNaN;
    r.ci_low = r.ci_high = kNaN;
    return r;
  }
  r.valid = true;
  const double na = static_cast<double>(n_a), nb = static_cast<double>(n_b);
  const double va = var_a / na, vb = var_b / nb;
  const double se = std::sqrt(va + vb);
  if (se == 0) {
    r.df = na + nb - 2;
    r.t = r.difference == 0 ? 0 : std::copysign(kInf, r.difference);
    r.p_value = r.difference == 0 ? 1 : 0;
    r.ci_low = r.ci_high = r.difference;
    return r;
  }
  r.df = (va + vb) * (va + vb) / (va * va / (na - 1) + vb * vb / (nb - 1));
  r.t = r.difference / se;
  r.p_value = 2 * student_t_tail(r.t, r.df);
  const double half = student_t_quantile(0.5 + level / 2, r.df) * se;
  r.ci_low = r.difference - half;
  r.ci_high = r.difference + half;
  return r;
}

}  // namespace

WelchResult welch_t_test(const std::vector<double>& a, const std::vector<double>& b, double level) {
  return welch(a.size(), mean(a), variance(a), b.size(), mean(b), variance(b), level);
}

WelchResult welch_from_summaries(const Summary& a, const Summary& b, double level) {
  return welch(a.n, a.mean, a.stddev * a.stddev, b.n, b.mean, b.stddev * b.stddev, level);
}

MannWhitneyResult mann_whitney_u(const std::vector<double>& a, const std::vector<double>& b) {
  MannWhitneyResult r;
  if (a.empty() || b.empty()) {
    r.p_value = kNaN;
    return r;
  }
  r.valid = true;
  const std::size_t na = a.size(), nb = b.size(), n = na + nb;
  std::vector<std::pair<double, bool>> all;  // value, from a
  all.reserve(n);
  for (double x : a) all.emplace_back(x, true);
  for (double y : b) all.emplace_back(y, false);
  std::sort(all.begin(), all.end(),
            [](const auto& l, const auto& rr) { return l.first < rr.first; });

  // Doubled mid-ranks are integers: a tie group over positions i..j-1 (1-based i+1..j) has
  // mid-rank (i + 1 + j) / 2.
  std::vector<long> doubled_rank(n);
  std::vector<bool> from_a(n);
  double tie_term = 0;
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j < n && all[j].first == all[i].first) ++j;
    const auto group = static_cast<double>(j - i);
    tie_term += group * group * group - group;
    for (std::size_t k = i; k < j; ++k) {
      doubled_rank[k] = static_cast<long>(i + 1 + j);
      from_a[k] = all[k].second;
    }
    i = j;
  }
  long doubled_sum_a = 0;
  for (std::size_t k = 0; k < n; ++k) {
    if (from_a[k]) doubled_sum_a += doubled_rank[k];
  }
  const double dna = static_cast<double>(na), dnb = static_cast<double>(nb);
  r.u_a = static_cast<double>(doubled_sum_a) / 2 - dna * (dna + 1) / 2;
  r.u_b = dna * dnb - r.u_a;

  if (n <= kMannWhitneyExactLimit) {
    // count[j][s]: subsets of j of the n doubled ranks whose sum is s. Every assignment of the
    // observed values to the two samples is equally likely under the null hypothesis.
    r.exact = true;
    const long max_sum = std::accumulate(doubled_rank.begin(), doubled_rank.end(), 0L);
    const auto width = static_cast<std::size_t>(max_sum + 1);
    std::vector<std::vector<double>> count(na + 1, std::vector<double>(width, 0.0));
    count.front().front() = 1;  // the empty subset
    for (std::size_t k = 0; k < n; ++k) {
      const auto rank = static_cast<std::size_t>(doubled_rank[k]);
      for (std::size_t j = std::min(na, k + 1); j >= 1; --j) {
        auto& to = count[j];
        const auto& from = count[j - 1];
        for (std::size_t s = width; s-- > rank;) to[s] += from[s - rank];
      }
    }
    const auto& dist = count[na];
    double total = 0, le = 0, ge = 0;
    for (std::size_t s = 0; s < width; ++s) {
      total += dist[s];
      if (static_cast<long>(s) <= doubled_sum_a) le += dist[s];
      if (static_cast<long>(s) >= doubled_sum_a) ge += dist[s];
    }
    r.p_value = std::min(1.0, 2 * std::min(le, ge) / total);
    return r;
  }

  const double nn = static_cast<double>(n);
  const double mu = dna * dnb / 2;
  const double var = dna * dnb / 12 * ((nn + 1) - tie_term / (nn * (nn - 1)));
  if (var <= 0) {
    r.p_value = 1;
    return r;
  }
  const double z = (std::fabs(r.u_a - mu) - 0.5) / std::sqrt(var);
  r.p_value = std::min(1.0, std::erfc(z / std::sqrt(2.0)));
  return r;
}

}  // namespace nictune::stats
