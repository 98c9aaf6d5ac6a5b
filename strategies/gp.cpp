#include "strategies/gp.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>

#include "core/errors.hpp"

namespace nictune {
namespace {

constexpr double kSqrt5 = 2.23606797749978969641;
constexpr double kLog2Pi = 1.83787706640934548356;

// Factorises K, adding jitter (relative to the mean diagonal) until it is positive definite.
// Returns the jitter used, or a negative value when even the largest did not help.
double factorise(Eigen::MatrixXd k, Eigen::LLT<Eigen::MatrixXd>& llt) {
  const double scale = std::max(1e-300, k.diagonal().mean());
  double jitter = 0;
  for (int attempt = 0; attempt < 10; ++attempt) {
    if (attempt > 0) {
      double next = scale * std::pow(10.0, attempt - 11);  // 1e-10 .. 1e-2 of the diagonal
      k.diagonal().array() += next - jitter;
      jitter = next;
    }
    llt.compute(k);
    // Rounding lets a singular matrix through with pivots near zero; every pivot of a matrix
    // with real noise is at least the noise, so demand a margin above rounding.
    if (llt.info() == Eigen::Success &&
        llt.matrixLLT().diagonal().cwiseAbs2().minCoeff() > 1e-12 * scale) {
      return jitter;
    }
  }
  return -1;
}

Eigen::VectorXd scaled_rows(const Eigen::VectorXd& noise_scale, Eigen::Index n) {
  return noise_scale.size() == n ? noise_scale : Eigen::VectorXd::Ones(n);
}

}  // namespace

double matern52(double r) {
  double s = kSqrt5 * r;
  return (1 + s + s * s / 3) * std::exp(-s);
}

Eigen::MatrixXd matern52_matrix(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b,
                                const GpHyperparameters& h) {
  Eigen::RowVectorXd inv = h.length_scales.cwiseInverse().transpose();
  Eigen::MatrixXd as = a.array().rowwise() * inv.array();
  Eigen::MatrixXd bs = b.array().rowwise() * inv.array();
  Eigen::MatrixXd d2 = (-2 * as * bs.transpose()).colwise() + as.rowwise().squaredNorm();
  d2.rowwise() += bs.rowwise().squaredNorm().transpose();
  return d2.unaryExpr(
      [&](double v) { return h.signal_variance * matern52(std::sqrt(std::max(0.0, v))); });
}

double GaussianProcess::log_marginal_likelihood(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                                                const GpHyperparameters& h,
                                                const Eigen::VectorXd& noise_scale,
                                                Eigen::VectorXd* gradient) {
  const Eigen::Index n = x.rows(), d = x.cols();
  Eigen::VectorXd ns = scaled_rows(noise_scale, n);
  Eigen::MatrixXd kf = matern52_matrix(x, x, h);
  Eigen::MatrixXd k = kf;
  k.diagonal() += h.noise_variance * ns;
  Eigen::LLT<Eigen::MatrixXd> llt;
  if (factorise(k, llt) < 0) return -std::numeric_limits<double>::infinity();
  Eigen::VectorXd r = y.array() - h.mean;
  Eigen::VectorXd alpha = llt.solve(r);
  double log_det = 2 * llt.matrixLLT().diagonal().array().log().sum();
  double lml = -0.5 * r.dot(alpha) - 0.5 * log_det - 0.5 * double(n) * kLog2Pi;
  if (gradient) {
    gradient->resize(d + 2);
    // dLML/dtheta = 1/2 tr((alpha alpha^T - K^-1) dK/dtheta)
    Eigen::MatrixXd w = alpha * alpha.transpose() - llt.solve(Eigen::MatrixXd::Identity(n, n));
    // Length scales: dk/dlog l_d = s2 * 5/3 (1 + sqrt5 r) exp(-sqrt5 r) * (dx_d / l_d)^2.
    Eigen::RowVectorXd inv = h.length_scales.cwiseInverse().transpose();
    Eigen::MatrixXd xs = x.array().rowwise() * inv.array();
    Eigen::MatrixXd d2 = (-2 * xs * xs.transpose()).colwise() + xs.rowwise().squaredNorm();
    d2.rowwise() += xs.rowwise().squaredNorm().transpose();
    Eigen::MatrixXd g = d2.unaryExpr([&](double v) {
      double s = kSqrt5 * std::sqrt(std::max(0.0, v));
      return h.signal_variance * 5.0 / 3.0 * (1 + s) * std::exp(-s);
    });
    Eigen::MatrixXd gw = g.cwiseProduct(w);
    Eigen::VectorXd row_sums = gw.rowwise().sum();
    for (Eigen::Index j = 0; j < d; ++j) {
      Eigen::VectorXd c = xs.col(j);
      // sum_ik G_ik (c_i - c_k)^2 = 2 sum_i c_i^2 rowsum_i - 2 c^T G c (G symmetric)
      double total = 2 * c.cwiseAbs2().dot(row_sums) - 2 * c.dot(gw * c);
      (*gradient)[j] = 0.5 * total;
    }
    (*gradient)[d] = 0.5 * w.cwiseProduct(kf).sum();
    (*gradient)[d + 1] = 0.5 * h.noise_variance * w.diagonal().dot(ns);
  }
  return lml;
}

void GaussianProcess::condition(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                                const GpHyperparameters& h, const Eigen::VectorXd& noise_scale) {
  if (x.rows() != y.size() || h.length_scales.size() != x.cols()) {
    throw Error(ErrorCode::kInternal, "gp: inconsistent data and hyperparameter sizes");
  }
  x_ = x;
  y_ = y;
  noise_scale_ = scaled_rows(noise_scale, x.rows());
  h_ = h;
  Eigen::MatrixXd k = matern52_matrix(x_, x_, h_);
  k.diagonal() += h_.noise_variance * noise_scale_;
  jitter_ = factorise(k, llt_);
  if (jitter_ < 0) throw Error(ErrorCode::kInternal, "gp: kernel matrix not positive definite");
  Eigen::VectorXd r = y_.array() - h_.mean;
  alpha_ = llt_.solve(r);
  double log_det = 2 * llt_.matrixLLT().diagonal().array().log().sum();
  lml_ = -0.5 * r.dot(alpha_) - 0.5 * log_det - 0.5 * double(y_.size()) * kLog2Pi;
}

void GaussianProcess::add_observation(const Eigen::VectorXd& x, double y, double noise_scale) {
  Eigen::MatrixXd xs(x_.rows() + 1, x_.cols());
  xs << x_, x.transpose();
  Eigen::VectorXd ys(y_.size() + 1), ns(noise_scale_.size() + 1);
  ys << y_, y;
  ns << noise_scale_, noise_scale;
  condition(xs, ys, h_, ns);
}

void GaussianProcess::predict(const Eigen::MatrixXd& x, Eigen::VectorXd& mean,
                              Eigen::VectorXd& variance) const {
  if (y_.size() == 0) {
    mean = Eigen::VectorXd::Constant(x.rows(), h_.mean);
    variance = Eigen::VectorXd::Constant(x.rows(), h_.signal_variance);
    return;
  }
  Eigen::MatrixXd ks = matern52_matrix(x_, x, h_);  // n x m
  mean = (ks.transpose() * alpha_).array() + h_.mean;
  Eigen::MatrixXd v = llt_.matrixL().solve(ks);
  variance = (h_.signal_variance - v.colwise().squaredNorm().array()).max(0.0).matrix().transpose();
}

void GaussianProcess::predict(const Eigen::VectorXd& x, double& mean, double& variance) const {
  Eigen::VectorXd m, v;
  predict(Eigen::MatrixXd(x.transpose()), m, v);
  mean = m[0];
  variance = v[0];
}

namespace {

struct Bounds {
  Eigen::VectorXd lo, hi;
};

// theta = (log length of each group, log signal variance, log noise variance).
Eigen::Index group_of(const GpFitOptions& o, Eigen::Index column) {
  return o.length_groups.empty() ? column : o.length_groups[static_cast<std::size_t>(column)];
}

Eigen::Index group_count(const GpFitOptions& o, Eigen::Index columns) {
  if (o.length_groups.empty()) return columns;
  if (static_cast<Eigen::Index>(o.length_groups.size()) != columns) {
    throw Error(ErrorCode::kInternal, "gp: length_groups does not match the input columns");
  }
  return *std::max_element(o.length_groups.begin(), o.length_groups.end()) + 1;
}

GpHyperparameters from_theta(const Eigen::VectorXd& t, double mean, const GpFitOptions& o,
                             Eigen::Index columns) {
  const Eigen::Index g = t.size() - 2;
  GpHyperparameters h;
  h.length_scales.resize(columns);
  for (Eigen::Index j = 0; j < columns; ++j) h.length_scales[j] = std::exp(t[group_of(o, j)]);
  h.signal_variance = std::exp(t[g]);
  h.noise_variance = std::exp(t[g + 1]);
  h.mean = mean;
  return h;
}

// Negative (log marginal likelihood + log prior) and its gradient in theta.
double objective(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, const Eigen::VectorXd& ns,
                 const GpFitOptions& o, double mean, const Eigen::VectorXd& theta,
                 Eigen::VectorXd& grad) {
  const Eigen::Index d = x.cols(), groups = theta.size() - 2;
  Eigen::VectorXd column_grad;
  double lml = GaussianProcess::log_marginal_likelihood(x, y, from_theta(theta, mean, o, d), ns,
                                                        &column_grad);
  if (!std::isfinite(lml)) return std::numeric_limits<double>::infinity();
  // A tied length scale moves every column of its group: the chain rule sums their gradients.
  grad = Eigen::VectorXd::Zero(groups + 2);
  for (Eigen::Index j = 0; j < d; ++j) grad[group_of(o, j)] += column_grad[j];
  grad[groups] = column_grad[d];
  grad[groups + 1] = column_grad[d + 1];
  if (o.length_prior_spread > 0) {
    double c = std::log(o.length_prior_centre), s2 = o.length_prior_spread * o.length_prior_spread;
    for (Eigen::Index j = 0; j < groups; ++j) {
      lml -= 0.5 * (theta[j] - c) * (theta[j] - c) / s2;
      grad[j] -= (theta[j] - c) / s2;
    }
  }
  grad = -grad;
  return -lml;
}

// Projected L-BFGS (memory 8) with a backtracking Armijo line search.
double minimise(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, const Eigen::VectorXd& ns,
                const GpFitOptions& o, double mean, const Bounds& b, Eigen::VectorXd& theta) {
  auto project = [&](Eigen::VectorXd t) { return t.cwiseMax(b.lo).cwiseMin(b.hi); };
  theta = project(theta);
  Eigen::VectorXd g;
  double f = objective(x, y, ns, o, mean, theta, g);
  if (!std::isfinite(f)) return f;
  std::deque<std::pair<Eigen::VectorXd, Eigen::VectorXd>> memory;
  for (int it = 0; it < o.max_iterations; ++it) {
    // Two-loop recursion.
    Eigen::VectorXd q = g;
    std::vector<double> a(memory.size());
    for (std::size_t i = memory.size(); i-- > 0;) {
      const auto& [s, yv] = memory[i];
      a[i] = s.dot(q) / yv.dot(s);
      q -= a[i] * yv;
    }
    if (!memory.empty()) {
      const auto& [s, yv] = memory.back();
      q *= s.dot(yv) / yv.dot(yv);
    } else {
      q /= std::max(1.0, g.norm());
    }
    for (std::size_t i = 0; i < memory.size(); ++i) {
      const auto& [s, yv] = memory[i];
      double beta = yv.dot(q) / yv.dot(s);
      q += s * (a[i] - beta);
    }
    Eigen::VectorXd dir = -q;
    if (dir.dot(g) >= 0) dir = -g / std::max(1.0, g.norm());
    double step = 1;
    Eigen::VectorXd next, gn;
    double fn = std::numeric_limits<double>::infinity();
    bool accepted = false;
    for (int ls = 0; ls < 25; ++ls, step *= 0.5) {
      next = project(theta + step * dir);
      fn = objective(x, y, ns, o, mean, next, gn);
      if (std::isfinite(fn) && fn <= f + 1e-4 * g.dot(next - theta)) {
        accepted = true;
        break;
      }
    }
    if (!accepted) break;
    Eigen::VectorXd s = next - theta, yv = gn - g;
    bool done =
        std::fabs(f - fn) < 1e-10 * (1 + std::fabs(f)) || s.lpNorm<Eigen::Infinity>() < 1e-8;
    if (s.dot(yv) > 1e-12) {
      memory.emplace_back(s, yv);
      if (memory.size() > 8) memory.pop_front();
    }
    theta = next;
    f = fn;
    g = gn;
    if (done) break;
  }
  return f;
}

}  // namespace

void GaussianProcess::fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, const GpFitOptions& o,
                          std::mt19937_64& rng, const Eigen::VectorXd& noise_scale) {
  const Eigen::Index columns = x.cols(), d = group_count(o, columns);
  Eigen::VectorXd ns = scaled_rows(noise_scale, x.rows());
  double mean = y.size() ? y.mean() : 0;
  double var = y.size() > 1 ? (y.array() - mean).square().mean() : 1;
  if (o.mean_quantile >= 0 && y.size() > 0) {
    std::vector<double> sorted(y.data(), y.data() + y.size());
    std::sort(sorted.begin(), sorted.end());
    double at = std::min(o.mean_quantile, 1.0) * double(sorted.size() - 1);
    auto lo = static_cast<std::size_t>(std::floor(at));
    std::size_t hi = std::min(lo + 1, sorted.size() - 1);
    mean = sorted[lo] + (at - double(lo)) * (sorted[hi] - sorted[lo]);
  }
  if (!(var > 0)) var = 1;
  Bounds b;
  b.lo.resize(d + 2);
  b.hi.resize(d + 2);
  b.lo.head(d).setConstant(std::log(o.min_length));
  b.hi.head(d).setConstant(std::log(o.max_length));
  b.lo[d] = std::log(o.min_signal * var);
  b.hi[d] = std::log(o.max_signal * var);
  b.lo[d + 1] = std::log(o.min_noise * var);
  b.hi[d + 1] = std::log(o.max_noise * var);

  Eigen::VectorXd start(d + 2);
  start.head(d).setConstant(std::log(o.length_prior_centre));
  start[d] = std::log(var);
  start[d + 1] = std::log(1e-2 * var);
  std::vector<Eigen::VectorXd> starts = {start};
  std::uniform_real_distribution<double> unit(0, 1);
  for (int r = 0; r < o.restarts; ++r) {
    Eigen::VectorXd t(d + 2);
    for (Eigen::Index j = 0; j < d; ++j) t[j] = std::log(0.05) + unit(rng) * std::log(40.0);
    t[d] = std::log(var) + (unit(rng) - 0.5) * 2;
    t[d + 1] = std::log(var) + std::log(1e-5) + unit(rng) * std::log(1e4);
    starts.push_back(t);
  }
  double best = std::numeric_limits<double>::infinity();
  Eigen::VectorXd best_theta = starts.front();
  for (auto theta : starts) {
    double f = minimise(x, y, ns, o, mean, b, theta);
    if (f < best) {
      best = f;
      best_theta = theta;
    }
  }
  condition(x, y, from_theta(best_theta, mean, o, columns), ns);
}

}  // namespace nictune
