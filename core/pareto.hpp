// Pareto numerics shared by the strategies (stopping, EHVI) and the reports (front, hypervolume
// over stored trials). Everything here is for MINIMISED objectives: a caller with "maximise"
// objectives negates them first. Inputs must be finite and all rows the same length; otherwise
// Error(kInvalid) says which row.
#pragma once

#include <vector>

namespace nictune {

// a dominates b: no worse in every objective and strictly better in at least one.
bool dominates(const std::vector<double>& a, const std::vector<double>& b);

// Non-dominated sorting: rank 0 is the Pareto front, rank 1 the front once rank 0 is removed,
// and so on. Identical rows get the same rank (neither dominates the other).
std::vector<int> pareto_ranks(const std::vector<std::vector<double>>& minimised_objectives);

// Indices (ascending) of the rows with rank 0.
std::vector<int> pareto_front_indices(const std::vector<std::vector<double>>& minimised_objectives);

// Lebesgue measure of the region dominated by the points and bounded above by `reference`
// (the union of the boxes [p, reference]). Points not strictly better than the reference in
// every objective add nothing. Exact for any number of objectives: a sweep in 1-D and 2-D,
// slicing along the last objective above that (fast for the fronts of a tuning run: a few
// hundred points in 3-D, dozens in 4-D and more).
double hypervolume(const std::vector<std::vector<double>>& minimised_points,
                   const std::vector<double>& reference);

// hypervolume(points + candidate) - hypervolume(points).
double hypervolume_improvement(const std::vector<std::vector<double>>& minimised_points,
                               const std::vector<double>& candidate,
                               const std::vector<double>& reference);

}  // namespace nictune
