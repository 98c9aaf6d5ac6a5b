// Acquisition functions of the Bayesian strategy, for MINIMISED objectives and Gaussian
// predictive marginals (mean, standard deviation).
#pragma once

#include <vector>

namespace nictune {

double normal_pdf(double z);
double normal_cdf(double z);

// E[max(best - Y, 0)], Y ~ N(mean, sd^2).
double expected_improvement(double mean, double sd, double best);

// P(Y <= threshold).
double probability_below(double mean, double sd, double threshold);

// Exact expected hypervolume improvement in two objectives for independent Gaussian
// predictions (mean[k], sd[k]) over the current front (any points: dominated ones and those
// outside the reference box are ignored). The non-dominated region below the reference splits
// into vertical strips between consecutive front points; over each strip the integrand
// factorises, and E[(h - Y)^+] = (h - mu) Phi((h - mu) / sd) + sd phi((h - mu) / sd) gives
// each factor in closed form.
double expected_hypervolume_improvement_2d(const std::vector<std::vector<double>>& front,
                                           const std::vector<double>& reference,
                                           const std::vector<double>& mean,
                                           const std::vector<double>& sd);

}  // namespace nictune
