#include "strategies/gp.hpp"

#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <random>
#include <vector>

#include "core/errors.hpp"

namespace nictune {
namespace {

using Matrix = std::vector<std::vector<double>>;

// Independent reference: Matérn 5/2 written out, and a Gauss-Jordan inverse with partial
// pivoting on plain vectors (no Eigen, no Cholesky).
double reference_kernel(const std::vector<double>& a, const std::vector<double>& b,
                        const std::vector<double>& length, double signal) {
  double r2 = 0;
  for (std::size_t d = 0; d < a.size(); ++d) r2 += std::pow((a[d] - b[d]) / length[d], 2);
  double r = std::sqrt(r2);
  return signal * (1 + std::sqrt(5.0) * r + 5.0 * r2 / 3.0) * std::exp(-std::sqrt(5.0) * r);
}

Matrix inverse(Matrix a) {
  const std::size_t n = a.size();
  Matrix inv(n, std::vector<double>(n, 0));
  for (std::size_t i = 0; i < n; ++i) inv[i][i] = 1;
  for (std::size_t c = 0; c < n; ++c) {
    std::size_t pivot = c;
    for (std::size_t r = c + 1; r < n; ++r) {
      if (std::fabs(a[r][c]) > std::fabs(a[pivot][c])) pivot = r;
    }
    std::swap(a[c], a[pivot]);
    std::swap(inv[c], inv[pivot]);
    double p = a[c][c];
    for (std::size_t k = 0; k < n; ++k) {
      a[c][k] /= p;
      inv[c][k] /= p;
    }
    for (std::size_t r = 0; r < n; ++r) {
      if (r == c) continue;
      double f = a[r][c];
      for (std::size_t k = 0; k < n; ++k) {
        a[r][k] -= f * a[c][k];
        inv[r][k] -= f * inv[c][k];
      }
    }
  }
  return inv;
}

TEST(GaussianProcess, PosteriorMatchesClosedForm) {
  const Matrix xs = {{0.1, 0.9}, {0.4, 0.2}, {0.8, 0.7}, {0.5, 0.5}, {0.95, 0.05}};
  const std::vector<double> ys = {1.2, -0.3, 0.8, 0.1, -1.0};
  const std::vector<double> length = {0.3, 0.7};
  const double signal = 1.7, noise = 0.05, mean = 0.2;

  GpHyperparameters h;
  h.length_scales = Eigen::Vector2d(length[0], length[1]);
  h.signal_variance = signal;
  h.noise_variance = noise;
  h.mean = mean;
  Eigen::MatrixXd x(5, 2);
  Eigen::VectorXd y(5);
  for (int i = 0; i < 5; ++i) {
    x(i, 0) = xs[i][0];
    x(i, 1) = xs[i][1];
    y[i] = ys[i];
  }
  GaussianProcess gp;
  gp.condition(x, y, h);
  EXPECT_EQ(gp.jitter(), 0.0);

  Matrix k(5, std::vector<double>(5));
  for (int i = 0; i < 5; ++i) {
    for (int j = 0; j < 5; ++j)
      k[i][j] = reference_kernel(xs[i], xs[j], length, signal) + (i == j ? noise : 0);
  }
  Matrix kinv = inverse(k);
  for (const std::vector<double>& q : Matrix{{0.3, 0.3}, {0.1, 0.9}, {0.99, 0.99}, {0.6, 0.45}}) {
    std::vector<double> ks(5), w(5, 0);
    for (int i = 0; i < 5; ++i) ks[i] = reference_kernel(xs[i], q, length, signal);
    double m = mean, v = signal;
    for (int i = 0; i < 5; ++i) {
      for (int j = 0; j < 5; ++j) {
        m += ks[i] * kinv[i][j] * (ys[j] - mean);
        v -= ks[i] * kinv[i][j] * ks[j];
      }
    }
    double gm, gv;
    gp.predict(Eigen::Vector2d(q[0], q[1]), gm, gv);
    EXPECT_NEAR(gm, m, 1e-9);
    EXPECT_NEAR(gv, v, 1e-9);
  }

  // The log marginal likelihood too: -1/2 r^T K^-1 r - 1/2 log|K| - n/2 log 2 pi, with log|K|
  // from the pivots of a plain LU.
  double quad = 0;
  for (int i = 0; i < 5; ++i) {
    for (int j = 0; j < 5; ++j) quad += (ys[i] - mean) * kinv[i][j] * (ys[j] - mean);
  }
  Eigen::MatrixXd ke(5, 5);
  for (int i = 0; i < 5; ++i) {
    for (int j = 0; j < 5; ++j) ke(i, j) = k[i][j];
  }
  double log_det = std::log(ke.partialPivLu().determinant());
  EXPECT_NEAR(gp.log_marginal_likelihood(), -0.5 * quad - 0.5 * log_det - 2.5 * std::log(2 * M_PI),
              1e-9);
}

TEST(GaussianProcess, GradientMatchesFiniteDifferences) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(0, 1);
  Eigen::MatrixXd x(12, 3);
  Eigen::VectorXd y(12), scale(12);
  for (int i = 0; i < 12; ++i) {
    for (int d = 0; d < 3; ++d) x(i, d) = u(rng);
    y[i] = std::sin(4 * x(i, 0)) + x(i, 1) + 0.1 * u(rng);
    scale[i] = i % 3 == 0 ? 0.5 : 1.0;
  }
  GpHyperparameters h;
  h.length_scales = Eigen::Vector3d(0.3, 0.8, 2.0);
  h.signal_variance = 0.9;
  h.noise_variance = 0.02;
  h.mean = 0.4;
  Eigen::VectorXd grad;
  GaussianProcess::log_marginal_likelihood(x, y, h, scale, &grad);
  auto at = [&](int j, double delta) {
    GpHyperparameters g = h;
    if (j < 3) g.length_scales[j] *= std::exp(delta);
    if (j == 3) g.signal_variance *= std::exp(delta);
    if (j == 4) g.noise_variance *= std::exp(delta);
    return GaussianProcess::log_marginal_likelihood(x, y, g, scale, nullptr);
  };
  for (int j = 0; j < 5; ++j) {
    double fd = (at(j, 1e-6) - at(j, -1e-6)) / 2e-6;
    EXPECT_NEAR(grad[j], fd, 1e-5 * (1 + std::fabs(fd))) << "parameter " << j;
  }
}

TEST(GaussianProcess, FitRecoversKnownLengthScales) {
  // A draw from a GP with length scales 0.25 (relevant), 1.0 (mild) and 50 (irrelevant).
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0, 1);
  std::normal_distribution<double> z(0, 1);
  const int n = 90;
  Eigen::MatrixXd x(n, 3);
  for (int i = 0; i < n; ++i) {
    for (int d = 0; d < 3; ++d) x(i, d) = u(rng);
  }
  GpHyperparameters truth;
  truth.length_scales = Eigen::Vector3d(0.25, 1.0, 50.0);
  truth.signal_variance = 1.0;
  Eigen::MatrixXd k = matern52_matrix(x, x, truth);
  k.diagonal().array() += 1e-4;
  Eigen::VectorXd e(n);
  for (int i = 0; i < n; ++i) e[i] = z(rng);
  Eigen::VectorXd y = Eigen::LLT<Eigen::MatrixXd>(k).matrixL() * e;

  GpFitOptions options;
  options.length_prior_spread = 0;  // maximum likelihood, no prior pull
  options.restarts = 4;
  GaussianProcess gp;
  gp.fit(x, y, options, rng);
  const auto& l = gp.hyperparameters().length_scales;
  EXPECT_GT(l[0], 0.25 / 1.6);
  EXPECT_LT(l[0], 0.25 * 1.6);
  EXPECT_GT(l[1], 1.0 / 2.5);
  EXPECT_LT(l[1], 1.0 * 2.5);
  EXPECT_GT(l[2], 5.0);
  EXPECT_LT(gp.hyperparameters().noise_variance, 0.01);
  // Fitting cannot do worse than the truth on its own objective.
  GaussianProcess at_truth;
  truth.mean = y.mean();
  truth.noise_variance = 1e-4;
  at_truth.condition(x, y, truth);
  EXPECT_GE(gp.log_marginal_likelihood(), at_truth.log_marginal_likelihood() - 1e-6);
}

TEST(GaussianProcess, GroupedLengthScalesAreFittedAsOne) {
  // Columns 0 and 1 share a length scale (as a categorical's one-hot columns do); column 2 has
  // its own. The fit must keep the pair equal and still find the very different third one.
  std::mt19937_64 rng(12);
  std::uniform_real_distribution<double> u(0, 1);
  std::normal_distribution<double> z(0, 1);
  const int n = 50;
  Eigen::MatrixXd x(n, 3);
  for (int i = 0; i < n; ++i) {
    for (int d = 0; d < 3; ++d) x(i, d) = u(rng);
  }
  GpHyperparameters truth;
  truth.length_scales = Eigen::Vector3d(0.3, 0.3, 40.0);
  truth.signal_variance = 1.0;
  Eigen::MatrixXd k = matern52_matrix(x, x, truth);
  k.diagonal().array() += 1e-4;
  Eigen::VectorXd e(n);
  for (int i = 0; i < n; ++i) e[i] = z(rng);
  Eigen::VectorXd y = Eigen::LLT<Eigen::MatrixXd>(k).matrixL() * e;

  GpFitOptions options;
  options.restarts = 2;
  options.length_groups = {0, 0, 1};
  GaussianProcess gp;
  gp.fit(x, y, options, rng);
  const auto& l = gp.hyperparameters().length_scales;
  ASSERT_EQ(l.size(), 3);
  EXPECT_DOUBLE_EQ(l[0], l[1]);
  EXPECT_GT(l[0], 0.3 / 2);
  EXPECT_LT(l[0], 0.3 * 2);
  EXPECT_GT(l[2], 4 * l[0]);
  options.length_groups = {0, 1};  // one entry per column, or an error
  EXPECT_THROW(gp.fit(x, y, options, rng), Error);
}

TEST(GaussianProcess, StableWithDuplicatePoints) {
  Eigen::MatrixXd x(6, 2);
  x << 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.7, 0.1, 0.7, 0.1, 0.4, 0.9;
  Eigen::VectorXd y(6);
  y << 1.0, 1.2, 0.8, -0.5, -0.7, 0.3;
  GpHyperparameters h;
  h.length_scales = Eigen::Vector2d(0.5, 0.5);
  h.signal_variance = 1;
  h.noise_variance = 1e-14;  // duplicates make K singular at this noise
  GaussianProcess gp;
  gp.condition(x, y, h);
  EXPECT_GT(gp.jitter(), 0.0);
  double m, v;
  gp.predict(Eigen::Vector2d(0.2, 0.2), m, v);
  EXPECT_NEAR(m, 1.0, 1e-3);  // the average of the three repeats
  EXPECT_GE(v, 0.0);
  EXPECT_LT(v, 1e-3);
  gp.predict(Eigen::Vector2d(0.7, 0.1), m, v);
  EXPECT_NEAR(m, -0.6, 1e-3);

  std::mt19937_64 rng(1);
  GaussianProcess fitted;
  fitted.fit(x, y, GpFitOptions{}, rng);
  EXPECT_TRUE(std::isfinite(fitted.log_marginal_likelihood()));
  // Repeats that disagree are noise, not signal.
  EXPECT_GT(fitted.hyperparameters().noise_variance, 1e-3);
  fitted.predict(Eigen::Vector2d(0.2, 0.2), m, v);
  EXPECT_TRUE(std::isfinite(m));
  EXPECT_TRUE(std::isfinite(v));
}

TEST(GaussianProcess, PessimisticPriorMeanIsTheWorstValueAwayFromTheData) {
  // Values clustered near x = 0.1 in 3-D; the corner (1, 1, 1) is far from all of them.
  Eigen::MatrixXd x(5, 3);
  x << 0.1, 0.1, 0.1, 0.15, 0.1, 0.1, 0.1, 0.15, 0.1, 0.1, 0.1, 0.15, 0.2, 0.2, 0.2;
  Eigen::VectorXd y(5);
  y << 0.0, 0.5, 1.0, 2.0, 6.5;
  GpFitOptions options;
  options.restarts = 0;
  options.max_length = 0.5;  // so that the corner is out of the data's reach
  std::mt19937_64 rng(3);
  GaussianProcess average, pessimistic;
  average.fit(x, y, options, rng);
  options.mean_quantile = 1;
  pessimistic.fit(x, y, options, rng);
  EXPECT_DOUBLE_EQ(average.hyperparameters().mean, 2.0);
  EXPECT_DOUBLE_EQ(pessimistic.hyperparameters().mean, 6.5);
  options.mean_quantile = 0.5;
  GaussianProcess median;
  median.fit(x, y, options, rng);
  EXPECT_DOUBLE_EQ(median.hyperparameters().mean, 1.0);
  double m, v;
  pessimistic.predict(Eigen::Vector3d(1, 1, 1), m, v);
  EXPECT_NEAR(m, 6.5, 0.05);
  average.predict(Eigen::Vector3d(1, 1, 1), m, v);
  EXPECT_NEAR(m, 2.0, 0.05);
  // At the data both interpolate what was measured, whatever the prior mean.
  pessimistic.predict(Eigen::Vector3d(0.1, 0.1, 0.1), m, v);
  EXPECT_NEAR(m, 0.0, 0.3);
}

TEST(GaussianProcess, BelieverObservationShrinksVarianceOnly) {
  Eigen::MatrixXd x(3, 1);
  x << 0.1, 0.5, 0.9;
  Eigen::VectorXd y(3);
  y << 0.0, 1.0, 0.0;
  GpHyperparameters h;
  h.length_scales = Eigen::VectorXd::Constant(1, 0.3);
  GaussianProcess gp;
  gp.condition(x, y, h);
  Eigen::VectorXd q = Eigen::VectorXd::Constant(1, 0.3);
  double m0, v0, m1, v1;
  gp.predict(q, m0, v0);
  gp.add_observation(q, m0);
  gp.predict(q, m1, v1);
  EXPECT_NEAR(m1, m0, 1e-9);
  EXPECT_LT(v1, v0 / 10);
}

}  // namespace
}  // namespace nictune
