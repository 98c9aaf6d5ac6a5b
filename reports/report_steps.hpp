// The steps of build_report (report.cpp) that live in files of their own. Private to
// reports/report*.cpp: renderers read the finished Report.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "reports/report.hpp"

namespace nictune::report::detail {

// Significance level of every test a report makes (gains, ties of the recommendation).
inline constexpr double kAlpha = 0.05;

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

// The host's original values of `keys` ("lg:"-prefixed for the LG), as the runner's snapshot
// recorded them in the host facts ("original"): what the baseline ran with (report_best.cpp).
Json original_values(const std::vector<HostRecord>& hosts, const std::set<std::string>& keys);

// The recommended configuration (Report::best): among the front and the points tied with its
// first row, the one that changes the fewest settings; a note says so when that is not the first
// row (report_best.cpp).
void choose_best(Report& r);

}  // namespace nictune::report::detail
