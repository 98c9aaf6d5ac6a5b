#include "strategies/bayes_acquisition.hpp"

#include <algorithm>
#include <cmath>

#include "strategies/acquisition.hpp"

namespace nictune::bayes {

void Model::fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, const Eigen::VectorXd& noise,
                const GpFitOptions& options, std::mt19937_64& rng) {
  shift = y.mean();
  double sd = std::sqrt((y.array() - shift).square().mean());
  scale = sd > 1e-12 * (1 + std::fabs(shift)) ? sd : 1;
  gp.fit(x, (y.array() - shift) / scale, options, rng, noise);
}

Prediction predict(const Model& m, const Eigen::MatrixXd& x) {
  Prediction p;
  Eigen::VectorXd var;
  m.gp.predict(x, p.mean, var);
  p.sd = var.cwiseSqrt();
  return p;
}

Eigen::VectorXd Acquisition::feasibility(const Eigen::MatrixXd& x) const {
  Eigen::VectorXd pof = Eigen::VectorXd::Ones(x.rows());
  for (std::size_t c = 0; c < constraints.size(); ++c) {
    Prediction p = predict(constraints[c], x);
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      pof[i] *= probability_below(p.mean[i], p.sd[i], thresholds[c]);
    }
  }
  if (success) {
    Prediction p = predict(*success, x);
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      // The label's noise keeps this a probability rather than a step.
      double sd = std::sqrt(p.sd[i] * p.sd[i] + success->gp.hyperparameters().noise_variance);
      pof[i] *= normal_cdf(p.mean[i] / std::max(sd, 1e-9));
    }
  }
  return pof;
}

Eigen::VectorXd Acquisition::score(const Eigen::MatrixXd& x) const {
  Eigen::VectorXd value = feasibility(x);
  if (kind == Kind::kFeasibility) return value;
  std::vector<Prediction> p;
  for (const auto& m : objectives) p.push_back(predict(m, x));
  std::vector<double> mean(p.size()), sd(p.size());
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    double a;
    if (kind == Kind::kEi) {
      a = expected_improvement(p[0].mean[i], exploit ? 0 : p[0].sd[i], incumbent);
    } else {
      for (std::size_t k = 0; k < p.size(); ++k) {
        mean[k] = p[k].mean[i];
        sd[k] = exploit ? 0 : p[k].sd[i];
      }
      a = boxes->expected_improvement(mean, sd);
    }
    value[i] *= a;
  }
  return value;
}

// Kriging believer: pretend the point was measured at its posterior mean.
void Acquisition::believe(const Eigen::VectorXd& x) {
  Eigen::MatrixXd row = x.transpose();
  bool likely_feasible = feasibility(row)[0] >= 0.5;
  std::vector<double> means;
  for (auto& m : objectives) {
    double mean, var;
    m.gp.predict(x, mean, var);
    m.gp.add_observation(x, mean);
    means.push_back(mean);
  }
  for (auto& m : constraints) {
    double mean, var;
    m.gp.predict(x, mean, var);
    m.gp.add_observation(x, mean);
  }
  if (success) {
    double mean, var;
    success->gp.predict(x, mean, var);
    success->gp.add_observation(x, mean);
  }
  if (!likely_feasible || means.empty()) return;
  if (kind == Kind::kEi) incumbent = std::min(incumbent, means[0]);
  if (kind == Kind::kEhvi) {
    front.push_back(means);
    boxes.emplace(front, reference);
  }
}

}  // namespace nictune::bayes
