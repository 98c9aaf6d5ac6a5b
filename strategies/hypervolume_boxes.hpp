// The region a new point can still add hypervolume in, cut into disjoint boxes, for expected
// hypervolume improvement with any number of (minimised) objectives.
//
// The region below the reference point that no front point dominates is split along the first
// m-1 objectives by the grid of the front's coordinates; every grid cell's column, in the last
// objective, is non-dominated from -inf up to the smallest last coordinate among the front points
// that dominate the cell's lower corner (or the reference). The improvement of a point y is then
//   HVI(y) = sum over boxes [l, u] of prod_k max(0, u_k - max(l_k, y_k)),
// and for independent Gaussian y_k each factor's expectation is psi_k(u_k) - psi_k(l_k) with
// psi(h) = E[(h - Y)^+] in closed form, so EHVI is exact (no sampling). There are at most
// (n + 1)^(m - 1) boxes for n front points: a few thousand in 3-D for the fronts of a tuning run.
#pragma once

#include <cstdint>
#include <vector>

namespace nictune {

class HypervolumeBoxes {
 public:
  // Front points on or outside the reference box, duplicates and dominated ones are allowed:
  // they add no volume and so no box.
  HypervolumeBoxes(const std::vector<std::vector<double>>& front,
                   const std::vector<double>& reference);

  std::size_t size() const { return boxes_; }
  std::size_t objectives() const { return grid_.size(); }

  // Hypervolume the point y would add to the front.
  double improvement(const std::vector<double>& y) const;
  // E[HVI(Y)] for independent Y_k ~ N(mean_k, sd_k^2); sd_k = 0 gives improvement(mean).
  double expected_improvement(const std::vector<double>& mean, const std::vector<double>& sd) const;

 private:
  double sum_over_boxes(const std::vector<std::vector<double>>& factor_at_grid) const;

  // Per objective: -inf, the distinct front coordinates strictly below the reference, the
  // reference; ascending.
  std::vector<std::vector<double>> grid_;
  // Per box, per objective: the indices into grid_ of its lower and upper bound.
  std::vector<std::uint32_t> lower_, upper_;
  std::size_t boxes_ = 0;
};

}  // namespace nictune
