#include "strategies/hypervolume_boxes.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/errors.hpp"
#include "strategies/acquisition.hpp"

namespace nictune {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::uint32_t index_in(const std::vector<double>& grid, double v) {
  return static_cast<std::uint32_t>(std::lower_bound(grid.begin(), grid.end(), v) - grid.begin());
}

// E[(h - Y)^+] for Y ~ N(mean, sd^2); 0 at h = -inf.
double shortfall(double h, double mean, double sd) {
  if (h == -kInf) return 0;
  if (sd <= 0) return std::max(0.0, h - mean);
  double z = (h - mean) / sd;
  return (h - mean) * normal_cdf(z) + sd * normal_pdf(z);
}

}  // namespace

HypervolumeBoxes::HypervolumeBoxes(const std::vector<std::vector<double>>& front,
                                   const std::vector<double>& reference) {
  const std::size_t m = reference.size();
  if (m == 0) throw Error(ErrorCode::kInternal, "hypervolume boxes: no objectives");
  std::vector<std::vector<double>> inside;
  for (const auto& p : front) {
    if (p.size() != m) throw Error(ErrorCode::kInternal, "hypervolume boxes: point of wrong size");
    bool in = true;
    for (std::size_t k = 0; k < m; ++k) in = in && p[k] < reference[k];
    if (in) inside.push_back(p);
  }
  grid_.assign(m, {});
  for (std::size_t k = 0; k < m; ++k) {
    grid_[k].push_back(-kInf);
    for (const auto& p : inside) grid_[k].push_back(p[k]);
    grid_[k].push_back(reference[k]);
    std::sort(grid_[k].begin(), grid_[k].end());
    grid_[k].erase(std::unique(grid_[k].begin(), grid_[k].end()), grid_[k].end());
  }
  // Walk every cell of the grid over the first m-1 objectives (an odometer over cell indices).
  const std::size_t last = m - 1;
  std::vector<std::uint32_t> cell(last, 0);
  while (true) {
    double top = reference[last];
    for (const auto& p : inside) {
      bool covers = true;
      for (std::size_t k = 0; k < last && covers; ++k) covers = p[k] <= grid_[k][cell[k]];
      if (covers) top = std::min(top, p[last]);
    }
    for (std::size_t k = 0; k < last; ++k) {
      lower_.push_back(cell[k]);
      upper_.push_back(cell[k] + 1);
    }
    lower_.push_back(0);
    upper_.push_back(index_in(grid_[last], top));
    ++boxes_;
    std::size_t k = 0;
    for (; k < last; ++k) {
      if (++cell[k] + 1 < grid_[k].size()) break;
      cell[k] = 0;
    }
    if (k == last) break;
  }
}

double HypervolumeBoxes::sum_over_boxes(
    const std::vector<std::vector<double>>& factor_at_grid) const {
  const std::size_t m = grid_.size();
  double total = 0;
  for (std::size_t b = 0; b < boxes_; ++b) {
    double v = 1;
    for (std::size_t k = 0; k < m && v > 0; ++k) {
      v *= factor_at_grid[k][upper_[b * m + k]] - factor_at_grid[k][lower_[b * m + k]];
    }
    total += v;
  }
  return std::max(0.0, total);
}

double HypervolumeBoxes::improvement(const std::vector<double>& y) const {
  return expected_improvement(y, std::vector<double>(y.size(), 0));
}

double HypervolumeBoxes::expected_improvement(const std::vector<double>& mean,
                                              const std::vector<double>& sd) const {
  const std::size_t m = grid_.size();
  if (mean.size() != m || sd.size() != m)
    throw Error(ErrorCode::kInternal, "hypervolume boxes: prediction of wrong size");
  // psi_k at every grid value: the box factor psi(u) - psi(l) is then two look-ups.
  std::vector<std::vector<double>> psi(m);
  for (std::size_t k = 0; k < m; ++k) {
    psi[k].reserve(grid_[k].size());
    for (double h : grid_[k]) psi[k].push_back(shortfall(h, mean[k], sd[k]));
  }
  return sum_over_boxes(psi);
}

}  // namespace nictune
