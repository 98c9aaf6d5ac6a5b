// What one ask of BayesStrategy (bayes.cpp) scores candidates with: the Gaussian processes on
// standardised targets, the incumbent or the front of posterior means, and the kriging believer
// that updates them in place as each point of a batch is chosen.
#pragma once

#include <Eigen/Core>
#include <limits>
#include <optional>
#include <random>
#include <vector>

#include "strategies/gp.hpp"
#include "strategies/hypervolume_boxes.hpp"

namespace nictune::bayes {

// A GP on a standardised target: y_std = (y - shift) / scale.
struct Model {
  GaussianProcess gp;
  double shift = 0, scale = 1;

  void fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, const Eigen::VectorXd& noise,
           const GpFitOptions& options, std::mt19937_64& rng);
  double standardise(double v) const { return (v - shift) / scale; }
};

struct Prediction {
  Eigen::VectorXd mean, sd;
};

Prediction predict(const Model& m, const Eigen::MatrixXd& x);

enum class Kind { kEi, kEhvi, kFeasibility };

// Everything one ask needs to score candidates, updated in place by the believer.
struct Acquisition {
  Kind kind = Kind::kEi;
  std::vector<Model> objectives;  // one (EI, ParEGO) or one per objective (EHVI), standardised
  std::vector<Model> constraints;
  std::vector<double> thresholds;  // standardised, as "model <= threshold"
  std::optional<Model> success;
  double incumbent = std::numeric_limits<double>::infinity();
  std::vector<std::vector<double>> front;  // posterior means, standardised units
  std::vector<double> reference;
  std::optional<HypervolumeBoxes> boxes;  // of `front`, rebuilt when the believer extends it
  bool exploit = false;  // score the posterior mean alone (predictive sd taken as 0)

  // The probability that x meets the modelled constraints and does not fail.
  Eigen::VectorXd feasibility(const Eigen::MatrixXd& x) const;
  // Feasibility times the expected improvement (EI or EHVI) of each row of x.
  Eigen::VectorXd score(const Eigen::MatrixXd& x) const;
  void believe(const Eigen::VectorXd& x);
};

}  // namespace nictune::bayes
