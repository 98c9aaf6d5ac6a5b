// Gaussian-process regression on Eigen for the Bayesian strategy.
//
// Model: y_i = m + f(x_i) + e_i, f ~ GP(0, k), e_i ~ N(0, noise_variance * noise_scale_i), with
// the Matérn 5/2 kernel and one length scale per input dimension:
//   k(x, x') = signal_variance * (1 + sqrt(5) r + 5 r^2 / 3) * exp(-sqrt(5) r),
//   r^2 = sum_d ((x_d - x'_d) / length_d)^2.
// noise_scale_i is 1 / (number of repetitions averaged into y_i) when the caller knows it.
// The hyperparameters (length scales, signal and noise variance) are fitted by maximising the
// log marginal likelihood (plus an optional weak log-normal prior on the length scales) with a
// projected L-BFGS in log space from several starts. The Cholesky factorisation retries with a
// growing diagonal jitter when the matrix is not numerically positive definite (duplicate or
// near-duplicate inputs with tiny noise).
#pragma once

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <random>
#include <vector>

namespace nictune {

struct GpHyperparameters {
  Eigen::VectorXd length_scales;  // one per input dimension
  double signal_variance = 1;
  double noise_variance = 1e-3;
  double mean = 0;  // constant prior mean; fit() sets it (GpFitOptions::mean_quantile)
};

struct GpFitOptions {
  int restarts = 3;  // random starts besides the default one
  int max_iterations = 80;
  double min_length = 0.02, max_length = 30;
  double min_signal = 0.02, max_signal = 50;
  double min_noise = 1e-6, max_noise = 2;
  // Weak log-normal prior on each length scale (centre, spread in log units); 0 spread = none.
  double length_prior_centre = 0.5, length_prior_spread = 1.5;
  // Input columns that share one length scale: group index per column (0-based, contiguous);
  // empty = one length scale per column. The one-hot columns of a categorical share one, which
  // makes its part of the distance 2 [a != b] / length^2: an overlap (Hamming) kernel with one
  // learned relevance per categorical parameter instead of one per category.
  std::vector<int> length_groups;
  // The constant prior mean: the sample mean of y when negative, else this quantile of y (0.75
  // = a pessimistic mean for a minimised target: far from the data the model expects worse
  // than typical values, so uncertainty alone draws fewer evaluations to the space's corners).
  double mean_quantile = -1;
};

double matern52(double r);

class GaussianProcess {
 public:
  // Conditions on (X: n x d, y: n) with fixed hyperparameters. `noise_scale` (n, optional)
  // multiplies the noise variance per observation.
  void condition(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, const GpHyperparameters& h,
                 const Eigen::VectorXd& noise_scale = Eigen::VectorXd());
  // Fits the hyperparameters (mean = sample mean of y), then conditions on the data.
  void fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, const GpFitOptions& options,
           std::mt19937_64& rng, const Eigen::VectorXd& noise_scale = Eigen::VectorXd());
  // Appends one observation and conditions again with the same hyperparameters (kriging
  // believer batches add the posterior mean as if it had been measured).
  void add_observation(const Eigen::VectorXd& x, double y, double noise_scale = 1);

  // Posterior of the latent f (plus the mean) at the rows of `x` (m x d). Variances exclude
  // observation noise and are clamped at 0.
  void predict(const Eigen::MatrixXd& x, Eigen::VectorXd& mean, Eigen::VectorXd& variance) const;
  void predict(const Eigen::VectorXd& x, double& mean, double& variance) const;

  // Log marginal likelihood of the conditioned data (without the prior).
  double log_marginal_likelihood() const { return lml_; }
  // Log marginal likelihood for given hyperparameters, and optionally its gradient with respect
  // to (log length_1..d, log signal_variance, log noise_variance). -inf if no factorisation.
  static double log_marginal_likelihood(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                                        const GpHyperparameters& h,
                                        const Eigen::VectorXd& noise_scale,
                                        Eigen::VectorXd* gradient);

  const GpHyperparameters& hyperparameters() const { return h_; }
  double jitter() const { return jitter_; }  // added to the diagonal by the last factorisation
  int size() const { return static_cast<int>(y_.size()); }
  const Eigen::MatrixXd& inputs() const { return x_; }
  const Eigen::VectorXd& targets() const { return y_; }

 private:
  Eigen::MatrixXd x_;
  Eigen::VectorXd y_, noise_scale_, alpha_;
  Eigen::LLT<Eigen::MatrixXd> llt_;
  GpHyperparameters h_;
  double jitter_ = 0;
  double lml_ = 0;
};

// The kernel matrix between the rows of a and b.
Eigen::MatrixXd matern52_matrix(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b,
                                const GpHyperparameters& h);

}  // namespace nictune
