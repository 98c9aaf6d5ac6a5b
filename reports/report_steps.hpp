// The steps of build_report (report.cpp) that live in files of their own. Private to
// reports/report*.cpp: renderers read the finished Report.
#pragma once

#include <vector>

#include "reports/report.hpp"

namespace nictune::report::detail {

// An objective's value turned into "smaller is better"; NaN stays NaN.
inline double minimised(const Objective& o, double value) {
  return o.goal == Goal::kMaximize ? -value : value;
}

// Per objective and knob, the points' means grouped by the knob's value, and the share of their
// spread the knob explains (report_effects.cpp).
std::vector<KnobEffect> main_effects(const std::vector<Objective>& objectives,
                                     const std::vector<PointResult>& points);

// Pareto ranks over the feasible points (status kDominated on entry), which of them are tied with
// the front within noise, the normalised hypervolume and its growth with evaluations
// (report_pareto.cpp).
void rank_points(Report& r);

// The per-CPU work of the baseline and of the best point, from the DUT agent's counters
// (report_heatmap.cpp).
void add_cpu_heatmaps(Report& r);

}  // namespace nictune::report::detail
