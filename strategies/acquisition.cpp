#include "strategies/acquisition.hpp"

#include <algorithm>
#include <cmath>

#include "core/errors.hpp"

namespace nictune {
namespace {

constexpr double kInvSqrt2Pi = 0.39894228040143267794;

// E[(h - Y)^+] = integral_{-inf}^{h} P(Y <= z) dz; 0 for h = -inf.
double expected_shortfall(double h, double mean, double sd) {
  if (h == -INFINITY) return 0;
  if (sd <= 0) return std::max(0.0, h - mean);
  double z = (h - mean) / sd;
  return (h - mean) * normal_cdf(z) + sd * normal_pdf(z);
}

}  // namespace

double normal_pdf(double z) {
  return kInvSqrt2Pi * std::exp(-0.5 * z * z);
}
double normal_cdf(double z) {
  return 0.5 * std::erfc(-z / std::sqrt(2.0));
}

double expected_improvement(double mean, double sd, double best) {
  return expected_shortfall(best, mean, sd);
}

double probability_below(double mean, double sd, double threshold) {
  if (sd <= 0) return mean <= threshold ? 1 : 0;
  return normal_cdf((threshold - mean) / sd);
}

double expected_hypervolume_improvement_2d(const std::vector<std::vector<double>>& front,
                                           const std::vector<double>& reference,
                                           const std::vector<double>& mean,
                                           const std::vector<double>& sd) {
  if (reference.size() != 2 || mean.size() != 2 || sd.size() != 2) {
    throw Error(ErrorCode::kInternal, "ehvi: two objectives expected");
  }
  // The non-dominated points inside the box, sorted by the first objective (the second then
  // strictly decreases).
  std::vector<std::pair<double, double>> pts;
  for (const auto& p : front) {
    if (p.size() != 2) throw Error(ErrorCode::kInternal, "ehvi: front point of wrong size");
    if (p[0] < reference[0] && p[1] < reference[1]) pts.emplace_back(p[0], p[1]);
  }
  std::sort(pts.begin(), pts.end());
  std::vector<std::pair<double, double>> nd;
  for (const auto& p : pts) {
    if (nd.empty() || p.second < nd.back().second) nd.push_back(p);
  }
  // Strip i spans [x_{i-1}, x_i) in the first objective and is open below h = y_{i-1} in the
  // second, with x_{-1} = -inf, y_{-1} = ref_1 and x_n = ref_0.
  double total = 0, left = -INFINITY, height = reference[1];
  for (std::size_t i = 0; i <= nd.size(); ++i) {
    double right = i < nd.size() ? nd[i].first : reference[0];
    double width =
        expected_shortfall(right, mean[0], sd[0]) - expected_shortfall(left, mean[0], sd[0]);
    total += width * expected_shortfall(height, mean[1], sd[1]);
    if (i < nd.size()) {
      left = nd[i].first;
      height = nd[i].second;
    }
  }
  return std::max(0.0, total);
}

}  // namespace nictune
